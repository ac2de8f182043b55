//! `create_meeting`: sends the invitations of a draft, exactly as drafted. It takes nothing but
//! the draft id: the invitation can only be the one the avatar read back. The draft must be the
//! caller's, from this session, unexpired and unsent.
//!
//! Sent once, whatever races (docs/operations.md, Guarantees): claiming the draft and counting its guests'
//! e-mails against the allowance are one transaction in the store, so of N concurrent calls on
//! N instances exactly one sends, and only if the allowance has room; the others answer 409
//! `in_progress` while it is being sent, and the first answer after. The audit row is written
//! before Google is called and completed after.

use google_calendar3::api::{
    ConferenceData, ConferenceSolutionKey, CreateConferenceRequest, Event, EventAttendee,
};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::draft_meeting::MeetingDraft;
use schemars::JsonSchema;
use serde::Deserialize;

use super::shared::args::{self, Text};
use super::shared::send_once::{Sendable, Sent, send_once};
use super::{Call, Offered, Tool, UrlLife, Work};
use crate::calendar::{self, Zone, edge, event_time};
use crate::error::{Action, Error, Result};
use crate::google::calendar::{PRIMARY, event_json};
use crate::google::user_calendar::{Once, UserCalendar};
use crate::guest_emails;
use crate::store::{Draft, Kind};

/// The route.
pub(crate) const ROUTE: &str = "/api/calendar/meetings";

/// The declaration.
pub(crate) const TOOL: Tool = Tool {
    name: "create_meeting",
    route: ROUTE,
    description: "Send the invitations for a meeting prepared with draft_meeting, exactly as \
                  drafted, with a Google Meet link if the draft has one. It takes only the \
                  draft_id. Call it only after reading the draft back and the user clearly \
                  saying yes.",
    parameters: args::schema::<CreateArgs>,
    when_to_use: "Sending a drafted meeting: create_meeting with the draft_id, only after \
                  the user clearly says yes to the draft read back; it sends the invitations. \
                  Never send an invitation the user did not hear read back.",
    offered: Offered::Always,
    url_life: UrlLife::Meeting,
    prepare: |given, _| {
        let parsed: CreateArgs = args::read(given)?;
        Ok(Work::new(parsed.draft_id.0, |call, id| {
            Box::pin(run(call, id))
        }))
    },
};

/// `create_meeting`'s arguments (the model's schema is derived from them).
#[derive(Debug, Deserialize, JsonSchema)]
struct CreateArgs {
    /// The draft_id draft_meeting returned
    draft_id: Text<100>,
}

/// A meeting draft, as [`send_once`] sends it.
const MEETING: Sendable<MeetingDraft> = Sendable {
    tool: "create_meeting",
    kind: Kind::Meeting,
    what: "sending_invitations",
    emails: |meeting| guest_emails::count(meeting.attendees.len()),
    people: |meeting| meeting.attendees.join(","),
    summary: |meeting| format!("{}, {} to {}", meeting.title, meeting.start, meeting.end),
    unusable: |why| Action::DraftUnusable(why).into(),
    event_id: |_, draft| event_id(draft),
    done: "created",
    account: |p| p.account.as_deref(),
};

async fn run(call: &mut Call, given: String) -> Result<Value> {
    send_once(call, &MEETING, &given, async |google, meeting, attempt| {
        let zone = Zone::parse(&meeting.timezone, "timezone")?;
        send(google, &meeting, &zone, &attempt.event_id)
            .await
            .map(Sent::done)
    })
    .await
}

/// The Google event id a draft becomes: the same for every attempt, so a retry that reaches
/// Google meets its own event (409) instead of sending a second invitation.
pub(crate) fn event_id(draft: &Draft) -> String {
    let mut hash = Sha256::new();
    for part in [
        "calendar-agent/create_meeting/v1",
        draft.user_id.as_str(),
        draft.id.as_str(),
        &draft.created_at.to_string(),
    ] {
        hash.update(part.len().to_le_bytes());
        hash.update(part.as_bytes());
    }
    hex::encode(&hash.finalize()[..16])
}

/// The event exactly as drafted: these attendees and no others, tagged, with a Meet link
/// asked for when the draft wants one.
pub(crate) fn event(meeting: &MeetingDraft, zone: &Zone, id: &str) -> Event {
    Event {
        id: Some(id.to_owned()),
        summary: Some(meeting.title.clone()),
        description: meeting.notes.clone(),
        start: Some(event_time(meeting.start, zone)),
        end: Some(event_time(meeting.end, zone)),
        attendees: Some(
            meeting
                .attendees
                .iter()
                .map(|email| EventAttendee {
                    email: Some(email.clone()),
                    ..Default::default()
                })
                .collect(),
        ),
        conference_data: meeting.video_call.then(|| ConferenceData {
            create_request: Some(CreateConferenceRequest {
                request_id: Some(id.to_owned()),
                conference_solution_key: Some(ConferenceSolutionKey {
                    type_: Some("hangoutsMeet".into()),
                }),
                ..Default::default()
            }),
            ..Default::default()
        }),
        extended_properties: Some(calendar::tag()),
        ..Default::default()
    }
}

fn meet_link(event: &Event) -> Option<String> {
    event.hangout_link.clone().or_else(|| {
        event
            .conference_data
            .as_ref()?
            .entry_points
            .as_ref()?
            .iter()
            .find(|e| e.entry_point_type.as_deref() == Some("video"))
            .and_then(|e| e.uri.clone())
    })
}

fn answer_for(event: &Event, meeting: &MeetingDraft, zone: &Zone) -> Value {
    let mut out = json!({
        "eventId": event.id,
        "htmlLink": event.html_link,
        "start": edge(event.start.as_ref(), zone, false),
        "end": edge(event.end.as_ref(), zone, false),
        "timezone": zone.name,
        "attendees": meeting.attendees,
    });
    if let Some(link) = meet_link(event) {
        out["meetLink"] = json!(link);
    }
    out
}

/// Inserts the meeting (or finds it, when an earlier attempt already did).
async fn send(
    google: &mut UserCalendar,
    meeting: &MeetingDraft,
    zone: &Zone,
    id: &str,
) -> Result<Value> {
    let body = event_json(&event(meeting, zone, id));
    let held = match google.insert(PRIMARY, &body, "all").await? {
        Once::Created(event) => event,
        Once::Existing(existing) if existing.status.as_deref() == Some("cancelled") => {
            return Err(Error::Action(Action::DraftUnusable(
                "unusable_cancelled_since",
            )));
        }
        Once::Existing(existing) => existing,
    };
    Ok(answer_for(&held, meeting, zone))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::test_support::sample_draft as draft;

    #[test]
    fn the_event_is_the_draft_tagged_with_a_meet_request() {
        let meeting: MeetingDraft = serde_json::from_str(&draft().payload).expect("draft");
        let e = event(&meeting, &Zone::utc(), "abc");
        assert!(calendar::is_tagged(&e));
        let attendees: Vec<_> = e
            .attendees
            .iter()
            .flatten()
            .filter_map(|a| a.email.clone())
            .collect();
        assert_eq!(attendees, ["sam@example.com"]);
        let request = e
            .conference_data
            .and_then(|c| c.create_request)
            .expect("meet");
        assert_eq!(request.request_id.as_deref(), Some("abc"));
        assert_eq!(event_id(&draft()), event_id(&draft()), "deterministic");
        assert_eq!(event_id(&draft()).len(), 32);
    }
}
