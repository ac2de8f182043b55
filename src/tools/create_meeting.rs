//! `create_meeting`: sends the invitations of a draft, exactly as drafted. It takes nothing but
//! the draft id: the invitation can only be the one the avatar read back. The draft must be the
//! caller's, from this session, unexpired and unsent.
//!
//! Sent once, whatever races (DESIGN.md §14): claiming the draft and counting its guests'
//! e-mails against the allowance are one transaction in the store, so of N concurrent calls on
//! N instances exactly one sends, and only if the allowance has room; the others answer 409
//! `in_progress` while it is being sent, and the first answer after. The audit row is written
//! before Google is called and completed after.

use axum::Json;
use axum::extract::State;
use axum::routing::post;
use google_calendar3::api::{
    ConferenceData, ConferenceSolutionKey, CreateConferenceRequest, Event, EventAttendee,
};
use std::time::Duration;

use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::answers::edge;
use super::draft_meeting::MeetingDraft;
use super::run::{finish, within_budget};
use super::time::{Zone, required_str};
use super::{Offered, Tool, UrlLife, made_by_agent};
use crate::error::{Error, Result};
use crate::google::calendar::event_time;
use crate::google::user_calendar::{Once, UserCalendar};
use crate::guest_emails;
use crate::state::AppState;
use crate::store::{AuditRow, Claim, Draft, SEND_LEASE_SECONDS, Store, normalise_draft_id};
use crate::tool_args::ToolArgs;
use crate::webhook_auth::VerifiedUser;

/// The route.
pub const ROUTE: &str = "/api/calendar/meetings";

/// A repeat of a sent draft within this long is a retry (Anam, or the model saying it twice)
/// and gets the same answer; later, the draft counts as sent.
pub const RETRY_WINDOW_SECONDS: i64 = 120;

/// The declaration.
pub const TOOL: Tool = Tool {
    name: "create_meeting",
    route: ROUTE,
    description: "Send the invitations for a meeting prepared with draft_meeting, exactly as \
                  drafted, with a Google Meet link if the draft has one. It takes only the \
                  draft_id. Call it only after reading the draft back and the user clearly \
                  saying yes.",
    parameters: || {
        json!({
            "type": "object",
            "properties": {
                "draft_id": { "type": "string", "description": "The draft_id draft_meeting returned" }
            },
            "required": ["draft_id"]
        })
    },
    handler: || post(create_meeting),
    offered: Offered::Always,
    url_life: UrlLife::Meeting,
};

/// What a request may do with a draft.
#[derive(Debug, PartialEq, Eq)]
pub enum Judgement {
    /// Send it: first use, after a failed send, or after a claim that outlived its lease (a
    /// crash mid-send; Google's duplicate-id answer keeps it to one event).
    Send(MeetingDraft),
    /// Another request is sending it right now.
    InProgress,
    /// A retry of a sent draft: this answer again.
    Repeat(String),
    /// Nothing may be sent: (audit outcome, the reason in words).
    Refuse(&'static str, &'static str),
}

/// Decides what `user` may do with `draft` at `now` (unix seconds). Pure.
pub fn judge(draft: Option<&Draft>, user: &VerifiedUser, now: i64) -> Judgement {
    let unknown = Judgement::Refuse("not_found", "there is no draft with that id for this user");
    let Some(draft) = draft else { return unknown };
    // Another user's draft looks exactly like none at all.
    if draft.user_id != user.user_id {
        return unknown;
    }
    if draft.session != user.session {
        return Judgement::Refuse("other_session", "it was made in an earlier session");
    }
    match (draft.used_at, &draft.answer) {
        (Some(used), Some(answer)) => {
            return if now - used <= RETRY_WINDOW_SECONDS {
                Judgement::Repeat(answer.clone())
            } else {
                Judgement::Refuse("already_sent", "its invitations were already sent")
            };
        }
        (Some(claimed), None) if now - claimed <= SEND_LEASE_SECONDS => {
            return Judgement::InProgress;
        }
        _ => {}
    }
    if now > draft.expires_at {
        return Judgement::Refuse("expired", "drafts last 15 minutes and this one has expired");
    }
    match serde_json::from_str::<MeetingDraft>(&draft.payload) {
        Ok(meeting) => Judgement::Send(meeting),
        Err(_) => Judgement::Refuse("not_found", "the draft could not be read"),
    }
}

/// The Google event id a draft becomes: the same for every attempt, so a retry that reaches
/// Google meets its own event (409) instead of sending a second invitation.
pub fn event_id(draft: &Draft) -> String {
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
pub fn event(meeting: &MeetingDraft, zone: &Zone, id: &str) -> Event {
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
        extended_properties: Some(made_by_agent::tag()),
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
    google: &mut UserCalendar<'_>,
    meeting: &MeetingDraft,
    zone: &Zone,
    id: &str,
) -> Result<Value> {
    let held = match google.insert_once(&event(meeting, zone, id), true).await? {
        Once::Created(event) => event,
        Once::Existing(existing) if existing.status.as_deref() == Some("cancelled") => {
            return Err(Error::DraftUnusable(
                "the meeting it made has since been cancelled",
            ));
        }
        Once::Existing(existing) => existing,
    };
    Ok(answer_for(&held, meeting, zone))
}

/// Audit rows for one create_meeting call: who asked, which draft, whom it invites.
struct Audit<'a> {
    store: &'a Store,
    user_id: &'a str,
    draft_id: String,
    attendees: String,
}

impl Audit<'_> {
    /// Writes a row with `outcome`; returns its id.
    async fn write(&self, outcome: &str, event_id: Option<&str>) -> Result<i64> {
        Ok(self
            .store
            .audit(&AuditRow {
                at: crate::store::now_i64(),
                user_id: self.user_id.to_owned(),
                draft_id: self.draft_id.clone(),
                attendees: self.attendees.clone(),
                event_id: event_id.map(str::to_owned),
                outcome: outcome.to_owned(),
                detail: None,
            })
            .await?)
    }
}

async fn create_meeting(
    State(state): State<AppState>,
    user: VerifiedUser,
    ToolArgs(raw): ToolArgs<Map<String, Value>>,
) -> Result<Json<Value>> {
    let given = required_str(raw.get("draft_id"), "draft_id")?;
    let started = user.arrived;
    let store = &state.store;
    let id = normalise_draft_id(given);
    let draft = match &id {
        Some(id) => store.draft(id).await?,
        None => None,
    };
    let audit = Audit {
        store,
        user_id: &user.user_id,
        draft_id: id.clone().unwrap_or_else(|| crate::log_safe::clip(given)),
        // Who would be invited (nobody's, for a draft that is not the caller's).
        attendees: draft
            .as_ref()
            .filter(|d| d.user_id == user.user_id)
            .and_then(|d| serde_json::from_str::<MeetingDraft>(&d.payload).ok())
            .map(|m| m.attendees.join(","))
            .unwrap_or_default(),
    };
    let now = crate::store::now_i64();
    let mut judgement = judge(draft.as_ref(), &user, now);
    if let (Judgement::Send(meeting), Some(found)) = (&judgement, &draft) {
        // Checked before the claim: a claimed draft must not fail for its own content.
        Zone::parse(&meeting.timezone, "timezone")?;
        let key = guest_emails::key(&user.user_id);
        let emails = guest_emails::count(meeting.attendees.len());
        match store
            .claim_draft(&found.id, guest_emails::limit(&state.config, &key), emails)
            .await?
        {
            Claim::Claimed => {}
            Claim::Lost => {
                // Another request (another instance, maybe) claimed it just now.
                let again = store.draft(&found.id).await?;
                judgement = match judge(again.as_ref(), &user, now) {
                    Judgement::Send(_) => Judgement::InProgress,
                    other => other,
                };
            }
            Claim::Exhausted { retry_after } => {
                audit.write("rate_limited", None).await?;
                tracing::warn!(user_id = %user.user_id, emails, "guest e-mail allowance reached; nothing sent");
                return Err(guest_emails::refused(&state.config, retry_after));
            }
        }
    }
    let (meeting, draft) = match (judgement, draft) {
        (Judgement::Send(meeting), Some(draft)) => (meeting, draft),
        (Judgement::Refuse(outcome, why), _) => {
            audit.write(outcome, None).await?;
            return Err(Error::DraftUnusable(why));
        }
        (Judgement::InProgress, _) => {
            audit.write("in_progress", None).await?;
            return Err(Error::InProgress("those invitations"));
        }
        (Judgement::Repeat(answer), draft) => {
            let event = draft.as_ref().and_then(|d| d.event_id.as_deref());
            audit.write("repeat", event).await?;
            tracing::info!(user_id = %user.user_id, "create_meeting repeated; the same answer, nothing sent");
            let answer = serde_json::from_str(&answer)
                .map_err(|e| Error::Internal(format!("stored answer: {e}")))?;
            return Ok(Json(answer));
        }
        // `judge` says Send only for a draft it was given.
        (Judgement::Send(_), None) => {
            return Err(Error::DraftUnusable("there is no draft with that id"));
        }
    };
    let result = send_claimed(&state, &user, &audit, &draft, &meeting).await;
    let (result, google_time) = match result {
        Ok((answer, time)) => (Ok(answer), time),
        Err((e, time)) => (Err(e), time),
    };
    finish("create_meeting", &user, started, google_time, result)
}

/// Sends a claimed draft: the attempt audited before Google is asked, completed after. Once
/// Google has made the meeting, the answer stands even if recording it fails: a retry meets the
/// same event id, never a second invitation.
async fn send_claimed(
    state: &AppState,
    user: &VerifiedUser,
    audit: &Audit<'_>,
    draft: &Draft,
    meeting: &MeetingDraft,
) -> std::result::Result<(Value, Duration), (Error, Duration)> {
    let store = &state.store;
    let zone = Zone::parse(&meeting.timezone, "timezone").map_err(|e| (e, Duration::ZERO))?;
    let event_id = event_id(draft);
    let attempt = match audit.write("sending", Some(&event_id)).await {
        Ok(id) => id,
        Err(e) => {
            // Not audited, so not sent: give the draft back for a retry.
            let _ = store.release_draft(&draft.id).await;
            return Err((e, Duration::ZERO));
        }
    };
    let mut google = UserCalendar::new(state, &user.user_id);
    let result = within_budget(
        "create_meeting",
        user,
        send(&mut google, meeting, &zone, &event_id),
    )
    .await;
    let time = google.google_time;
    match result {
        Ok(answer) => {
            if let Err(e) = store
                .finish_draft(&draft.id, &event_id, &answer.to_string())
                .await
            {
                tracing::error!(user_id = %user.user_id, error = %e, event_id, "meeting created, but recording its answer failed");
            }
            if let Err(e) = store.finish_audit(attempt, "created", None).await {
                tracing::error!(user_id = %user.user_id, error = %e, event_id, "meeting created; its audit row stays `sending`");
            }
            Ok((answer, time))
        }
        Err(e) => {
            if let Err(release) = store.release_draft(&draft.id).await {
                tracing::warn!(error = %release, "giving the draft back failed; it frees after its lease");
            }
            if let Err(audit_error) = store
                .finish_audit(attempt, "failed", Some(e.reason()))
                .await
            {
                tracing::error!(error = %audit_error, event_id, "the failed attempt's audit row stays `sending`");
            }
            Err((e, time))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(session: u64) -> VerifiedUser {
        VerifiedUser {
            user_id: "ada@example.com".into(),
            exp: session + 900,
            session,
            arrived: tokio::time::Instant::now(),
        }
    }

    fn draft() -> Draft {
        Draft {
            id: "K7M4QX".into(),
            user_id: "ada@example.com".into(),
            session: 1_000,
            payload: json!({"title": "Kickoff", "start": "2030-03-05T10:00:00Z", "end": "2030-03-05T11:00:00Z",
                            "timezone": "UTC", "attendees": ["sam@example.com"], "notes": null, "video_call": true})
            .to_string(),
            created_at: 1_000,
            expires_at: 1_900,
            used_at: None,
            event_id: None,
            answer: None,
        }
    }

    fn refused(j: Judgement) -> &'static str {
        match j {
            Judgement::Refuse(outcome, _) => outcome,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn only_the_owner_in_the_same_session_before_expiry_may_send() {
        assert!(matches!(
            judge(Some(&draft()), &user(1_000), 1_100),
            Judgement::Send(_)
        ));
        assert_eq!(refused(judge(None, &user(1_000), 1_100)), "not_found");
        let mut eve = user(1_000);
        eve.user_id = "eve@example.com".into();
        assert_eq!(refused(judge(Some(&draft()), &eve, 1_100)), "not_found");
        assert_eq!(
            refused(judge(Some(&draft()), &user(2_000), 1_100)),
            "other_session"
        );
        assert_eq!(
            refused(judge(Some(&draft()), &user(1_000), 1_901)),
            "expired"
        );
    }

    #[test]
    fn a_sent_draft_is_repeated_shortly_after_and_refused_later() {
        let mut sent = draft();
        sent.used_at = Some(1_100);
        sent.answer = Some("{\"eventId\":\"x\"}".into());
        assert_eq!(
            judge(Some(&sent), &user(1_000), 1_150),
            Judgement::Repeat("{\"eventId\":\"x\"}".into())
        );
        assert_eq!(
            refused(judge(
                Some(&sent),
                &user(1_000),
                1_100 + RETRY_WINDOW_SECONDS + 1
            )),
            "already_sent"
        );
        // Claimed and not answered yet: someone is sending it, until the lease runs out.
        let mut half = draft();
        half.used_at = Some(1_100);
        assert_eq!(
            judge(Some(&half), &user(1_000), 1_100 + SEND_LEASE_SECONDS),
            Judgement::InProgress
        );
        assert!(matches!(
            judge(Some(&half), &user(1_000), 1_101 + SEND_LEASE_SECONDS),
            Judgement::Send(_)
        ));
    }

    #[test]
    fn the_event_is_the_draft_tagged_with_a_meet_request() {
        let meeting: MeetingDraft = serde_json::from_str(&draft().payload).expect("draft");
        let e = event(&meeting, &Zone::utc(), "abc");
        assert!(made_by_agent::is_tagged(&e));
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
