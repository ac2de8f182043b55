//! `draft_meeting`: a meeting with other people, checked against everyone's availability for
//! that exact time and stored as a draft for 15 minutes under a short id. Nothing is sent to
//! anyone: `create_meeting` sends exactly this draft, and nothing else.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::block_time::{MAX_NOTES_CHARS, title};
use super::shared::args::{Args, event_times, optional_bool, optional_text, required_zone};
use super::shared::availability::{self, Availability};
use super::{Call, Offered, Tool, UrlLife, Work};
use crate::calendar::{Interval, Window, Zone};
use crate::error::{Error, Result};
use crate::google::user_calendar::needs;
use crate::store::Kind;

/// The route.
pub(crate) const ROUTE: &str = "/api/calendar/meeting-drafts";

/// How long a draft can be sent, in minutes.
pub(crate) const DRAFT_MINUTES: i64 = 15;

/// The declaration.
pub(crate) const TOOL: Tool = Tool {
    name: "draft_meeting",
    route: ROUTE,
    description: "Prepare a meeting with other people: title, start, end, time zone and the \
                  attendees' email addresses. It checks who is busy then and returns a draft_id. \
                  Nothing is sent to anyone. Read the draft back (title, day, start and end, \
                  time zone, every attendee, anyone busy) before create_meeting.",
    parameters: || {
        json!({
            "type": "object",
            "properties": {
                "title": { "type": "string", "description": "What the meeting is about, as the invitation will say" },
                "start": { "type": "string", "description": "ISO 8601 start date and time" },
                "end": { "type": "string", "description": "ISO 8601 end date and time" },
                "timezone": { "type": "string", "description": "IANA time zone, such as America/New_York" },
                "attendees": { "type": "array", "items": { "type": "string" }, "description": "Email addresses of the people to invite, 1 to 20" },
                "notes": { "type": "string", "description": "A description for the invitation" },
                "video_call": { "type": "boolean", "description": "Add a Google Meet link. Defaults to true." }
            },
            "required": ["title", "start", "end", "timezone", "attendees"]
        })
    },
    when_to_use: "Preparing a meeting with other people: draft_meeting, with the time found \
                  and every attendee's address. It sends nothing. Read back the title, the day, \
                  the start and end time, the time zone, every attendee and anyone busy then.",
    offered: Offered::Always,
    url_life: UrlLife::Session,
    examples: || {
        vec![
            json!({"title": "Kickoff", "start": "2026-11-24T10:00:00", "end": "2026-11-24T11:00:00",
                    "timezone": "Europe/London", "attendees": ["sam@example.com"],
                    "notes": "Agenda to follow", "video_call": true}),
        ]
    },
    prepare: |args, user| {
        Ok(Work::new(
            MeetingDraft::parse(args, &user.user_id)?,
            |call, (draft, zone)| Box::pin(run(call, draft, zone)),
        ))
    },
};

/// A draft's content: what the avatar read back, and exactly what `create_meeting` sends.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct MeetingDraft {
    /// The invitation's title.
    pub title: String,
    /// Start, as an instant.
    pub start: Timestamp,
    /// End, after start.
    pub end: Timestamp,
    /// The zone it is read and sent in.
    pub timezone: String,
    /// Who is invited (1–20, the user not among them).
    pub attendees: Vec<String>,
    /// The description.
    pub notes: Option<String>,
    /// Whether a Google Meet link is added.
    pub video_call: bool,
}

impl MeetingDraft {
    /// Parses `user_id`'s arguments; every one is checked here.
    pub(crate) fn parse(args: &Args<'_>, user_id: &str) -> Result<(Self, Zone)> {
        let title = title(args)?;
        let zone = required_zone(args)?;
        let (start, end) = event_times(args, &zone)?;
        let attendees = availability::attendees(args, user_id, true)?;
        let notes = optional_text(args, "notes", MAX_NOTES_CHARS)?.filter(|n| !n.is_empty());
        let video_call = optional_bool(args, "video_call")?.unwrap_or(true);
        Ok((
            Self {
                title,
                start,
                end,
                timezone: zone.name.clone(),
                attendees,
                notes,
                video_call,
            },
            zone,
        ))
    }
}

fn overlaps(busy: &[Interval], window: Window) -> bool {
    busy.iter()
        .any(|b| b.start < window.end && b.end > window.start)
}

/// Who is busy during `window`: the user first (by their address), then attendees.
fn conflicts(
    known: &Availability,
    window: Window,
    user_id: &str,
    draft: &MeetingDraft,
) -> Vec<String> {
    let mut out = Vec::new();
    if overlaps(&known.user, window) {
        out.push(user_id.to_owned());
    }
    out.extend(
        draft
            .attendees
            .iter()
            .filter(|a| known.attendees.get(*a).is_some_and(|b| overlaps(b, window)))
            .cloned(),
    );
    out
}

async fn run(call: &mut Call, draft: MeetingDraft, zone: Zone) -> Result<Value> {
    let (user, google) = (&call.user, &mut call.google);
    google.require(needs::FINDING_TIME).await?;
    let context = google.context().await?;
    let window = Window::new(draft.start, draft.end)?;
    let known =
        availability::availability(google, &context, window, &zone, &draft.attendees).await?;
    let busy = conflicts(&known, window, &user.user_id, &draft);
    let payload = serde_json::to_string(&draft)
        .map_err(|e| Error::internal(format!("draft payload: {e}")))?;
    let saved = call
        .state
        .store
        .save_draft(
            Kind::Meeting,
            &user.user_id,
            user.session,
            &payload,
            DRAFT_MINUTES * 60,
        )
        .await?;
    Ok(json!({
        "draft_id": saved.id,
        "title": draft.title,
        "start": zone.format(draft.start),
        "end": zone.format(draft.end),
        "timezone": zone.name,
        "attendees": draft.attendees,
        "conflicts": busy,
        "unknown_availability": known.unknown,
        "video_call": draft.video_call,
        "expires_in_minutes": DRAFT_MINUTES,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::test_support::{argument_of, map};

    #[test]
    fn a_draft_needs_its_people_and_its_times() {
        let ok = json!({"title": "Kickoff", "start": "2030-03-05T10:00:00", "end": "2030-03-05T11:00:00",
                        "timezone": "Europe/London", "attendees": ["sam@example.com"]});
        let (draft, zone) =
            MeetingDraft::parse(&map(ok.clone()), "ada@example.com").expect("valid");
        assert!(draft.video_call, "a Meet link by default");
        assert_eq!(zone.name, "Europe/London");
        for (key, value, named) in [
            ("attendees", json!([]), "attendees"),
            ("attendees", json!(null), "attendees"),
            ("title", json!(""), "title"),
            ("end", json!("2030-03-05T09:00:00"), "end"),
            ("timezone", json!("Nowhere/Else"), "timezone"),
            ("video_call", json!("yes please"), "video_call"),
        ] {
            let mut m = ok.clone();
            m[key] = value;
            assert_eq!(
                argument_of(MeetingDraft::parse(&map(m), "ada@example.com")),
                named,
                "{key}"
            );
        }
    }

    #[test]
    fn the_draft_round_trips_through_its_stored_form() {
        let (draft, _) = MeetingDraft::parse(
            &map(json!({"title": "Kickoff", "start": "2030-03-05T10:00:00Z", "end": "2030-03-05T11:00:00Z",
                        "timezone": "UTC", "attendees": ["sam@example.com"], "notes": "Agenda", "video_call": false})),
            "ada@example.com",
        )
        .expect("valid");
        let stored = serde_json::to_string(&draft).expect("json");
        assert_eq!(
            serde_json::from_str::<MeetingDraft>(&stored).expect("back"),
            draft
        );
    }
}
