//! `apply_change`: applies a change `propose_change` read back, exactly as proposed, once. It
//! takes nothing but the change id. Each write carries the etag read then (`If-Match`): an
//! event changed since is never overwritten (409 `event_changed`, nothing written). Sent once
//! and counted against the guest e-mail allowance like an invitation (`send_once`).

use google_calendar3::api::Event;
use serde_json::{Value, json};

use schemars::JsonSchema;
use serde::Deserialize;

use super::shared::args::{self, Text};
use super::shared::change::repair;
use super::shared::change::{Proposal, Step, Verb, Write};
use super::shared::send_once::{Sendable, Sent, send_once};
use super::{Call, Offered, Tool, UrlLife, Work};
use crate::error::{Action, Error, GoogleError, Result};
use crate::google::user_calendar::{Guarded, Once, UserCalendar};
use crate::language::Language;
use crate::messages;
use crate::store::Kind;

/// The route.
pub(crate) const ROUTE: &str = "/api/calendar/changes";

/// The declaration.
pub(crate) const TOOL: Tool = Tool {
    name: "apply_change",
    route: ROUTE,
    description: "Apply a change prepared with propose_change, exactly as read back; guests are \
                  told. It takes only the change_id. Call it only after reading the change \
                  back and the user clearly saying yes.",
    when_to_use: "Applying a change: apply_change with the change_id, only after the user \
                  clearly says yes to the change read back; if it says the event changed, \
                  propose it again.",
    offered: Offered::Always,
    url_life: UrlLife::Meeting,
    parameters: args::schema::<ApplyArgs>,
    prepare: |given, _| {
        let parsed: ApplyArgs = args::read(given)?;
        Ok(Work::new(parsed.change_id.0, |call, id| {
            Box::pin(run(call, id))
        }))
    },
};

/// `apply_change`'s arguments (the model's schema is derived from them).
#[derive(Debug, Deserialize, JsonSchema)]
struct ApplyArgs {
    /// The change_id propose_change returned
    change_id: Text<100>,
}

/// What applying keeps back from its Google budget to hand a half-done split over.
const HAND_OVER_RESERVE: std::time::Duration = std::time::Duration::from_millis(300);

/// A change proposal, as [`send_once`] sends it.
const CHANGE: Sendable<Proposal> = Sendable {
    tool: "apply_change",
    kind: Kind::Change,
    what: "sending_change",
    emails: |p| p.emails,
    people: |p| p.guests.join(","),
    summary: |p| p.summary(),
    unusable: |why| Action::ChangeUnusable(why).into(),
    event_id: |p, _| p.result_id.clone(),
    done: "applied",
    account: |p| p.account.as_deref(),
};

async fn run(call: &mut Call, given: String) -> Result<Value> {
    let state = call.state.clone();
    let user_id = call.user.user_id.clone();
    let language = call.user.language;
    send_once(
        call,
        &CHANGE,
        &given,
        async |google, proposal, attempt| match apply(google, &proposal, attempt.deadline).await? {
            Applied::Done => Ok(Sent::done(answer(&proposal))),
            Applied::HalfDone => {
                // Finished through the account that wrote it (the person's, with one).
                let account = proposal.account.as_deref().unwrap_or(&user_id);
                repair::hand_over(&state, account, attempt.audit_id, &proposal).await?;
                Ok(Sent {
                    answer: finishing(&proposal, language),
                    finishing: true,
                })
            }
        },
    )
    .await
}

fn answer(p: &Proposal) -> Value {
    let mut out = json!({
        "eventId": p.result_id,
        "title": p.title,
        "action": p.action,
        "scope": p.scope,
        "timezone": p.timezone,
        "guestsNotified": !p.guests.is_empty(),
    });
    if let (Verb::Move, Some((start, end))) = (p.action, &p.to) {
        out["start"] = start.clone();
        out["end"] = end.clone();
    }
    out
}

/// The answer when a split's second half is left to the background.
fn finishing(p: &Proposal, language: Language) -> Value {
    let mut out = answer(p);
    out["finishing"] = json!(true);
    out["message"] = json!(messages::say(language, messages::CHANGE_FINISHING, &[]));
    out
}

/// What applying did.
enum Applied {
    /// Every write made.
    Done,
    /// A split whose end may be written but whose continuation is not: the rest is handed to
    /// the background ([`repair`]).
    HalfDone,
}

/// Whether a write's outcome is unknown: Google may have made it (no answer in time, or the
/// connection broke).
fn unknown_outcome(error: &Error) -> bool {
    matches!(
        error,
        Error::Google(GoogleError::Timeout { .. } | GoogleError::Failed { status: None, .. })
    )
}

/// Makes the proposal's writes in order, each on the etag read back (or the one the previous
/// write answered). Each write has until a little before `deadline`, so that a split left half
/// done can still be handed over in time.
async fn apply(
    google: &mut UserCalendar,
    proposal: &Proposal,
    deadline: tokio::time::Instant,
) -> Result<Applied> {
    let split = proposal.undo.is_some();
    let writes_by = deadline - HAND_OVER_RESERVE;
    let mut last_etag: Option<String> = None;
    for (i, step) in proposal.steps.iter().enumerate() {
        let etag = step.etag.clone().or(last_etag.take()).unwrap_or_default();
        let written = tokio::time::timeout_at(writes_by, write(google, step, &etag))
            .await
            .unwrap_or(Err(Error::Google(GoogleError::Timeout {
                what: "apply_change",
            })));
        last_etag = match written {
            Ok(event) => event.and_then(|e| e.etag),
            // A retry after a write that went through but was not recorded meets its own
            // write: the event already is what this step makes it. Anything else changed it.
            Err(Error::Action(Action::EventChanged)) => match already_done(google, step).await? {
                Some(event) => event.etag,
                None => return Err(Action::EventChanged.into()),
            },
            // The series may be ended already: never left so.
            Err(e) if split && (i > 0 || unknown_outcome(&e)) => {
                tracing::warn!(error = %e, step = i, "a split is half done; finishing it in the background");
                return Ok(Applied::HalfDone);
            }
            Err(e) => return Err(e),
        };
    }
    Ok(Applied::Done)
}

async fn write(google: &mut UserCalendar, step: &Step, etag: &str) -> Result<Option<Event>> {
    let (cal, id, send) = (
        step.calendar.as_str(),
        step.event_id.as_str(),
        step.send_updates.as_str(),
    );
    let change = match step.write {
        Write::Patch => Guarded::Patch(&step.body),
        Write::Delete => Guarded::Delete,
        Write::Insert => {
            return google
                .insert(cal, &step.body, send)
                .await
                .map(|once| match once {
                    Once::Created(event) | Once::Existing(event) => Some(event),
                });
        }
    };
    google
        .change_if_unchanged((cal, id, etag), change, send)
        .await
}

/// The event as Google holds it, when it already carries what `step` writes.
async fn already_done(google: &mut UserCalendar, step: &Step) -> Result<Option<Event>> {
    let now = google.event(&step.calendar, &step.event_id).await?;
    Ok(now.filter(|event| carries(event, step)))
}

/// Whether `event` already has every field `step` writes (times compared as instants).
fn carries(event: &Event, step: &Step) -> bool {
    if step.write == Write::Delete {
        return event.status.as_deref() == Some("cancelled");
    }
    let held = serde_json::to_value(event).unwrap_or_default();
    step.body.as_object().is_some_and(|fields| {
        fields.iter().all(|(key, wanted)| match key.as_str() {
            "start" | "end" => same_time(&held[key], wanted),
            _ => &held[key] == wanted,
        })
    })
}

fn same_time(held: &Value, wanted: &Value) -> bool {
    let instant = |v: &Value| -> Option<jiff::Timestamp> {
        let text = v["dateTime"].as_str()?;
        text.parse().ok()
    };
    match (instant(held), instant(wanted)) {
        (Some(a), Some(b)) => a == b,
        _ => held["date"] == wanted["date"],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_already_made_is_recognised_and_a_different_one_is_not() {
        let event: Event = serde_json::from_value(json!({
            "id": "e1", "etag": "\"2\"", "description": "Agenda\n\nMoved",
            "start": {"dateTime": "2026-12-01T09:00:00Z", "timeZone": "Europe/Berlin"},
            "end": {"dateTime": "2026-12-01T09:30:00Z"},
            "recurrence": ["RRULE:FREQ=WEEKLY;BYDAY=TU;UNTIL=20261130T085959Z"]
        }))
        .expect("event");
        let step = |body: Value| Step {
            write: Write::Patch,
            calendar: "primary".into(),
            event_id: "e1".into(),
            etag: Some("\"1\"".into()),
            body,
            send_updates: "all".into(),
        };
        assert!(carries(
            &event,
            &step(json!({
                "start": {"dateTime": "2026-12-01T10:00:00+01:00", "timeZone": "Europe/Berlin"},
                "description": "Agenda\n\nMoved"
            }))
        ));
        assert!(carries(
            &event,
            &step(json!({
                "recurrence": ["RRULE:FREQ=WEEKLY;BYDAY=TU;UNTIL=20261130T085959Z"]
            }))
        ));
        assert!(!carries(
            &event,
            &step(json!({
                "start": {"dateTime": "2026-12-01T11:00:00+01:00", "timeZone": "Europe/Berlin"}
            }))
        ));
    }
}
