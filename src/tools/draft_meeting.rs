//! `draft_meeting`: a meeting with other people, checked against everyone's availability for
//! that exact time and stored as a draft for 15 minutes under a short id. Nothing is sent to
//! anyone: `create_meeting` sends exactly this draft, and nothing else.

use jiff::Timestamp;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::shared::args::{self, Email, Emails, Flag, Text, When, ZoneName, event_times, optional};
use super::shared::availability::{self, Availability};
use super::shared::event_view;
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
    parameters: args::schema::<DraftMeetingArgs>,
    when_to_use: "Preparing a meeting with other people: draft_meeting, with the time found \
                  and every attendee's address. It sends nothing. Read back the title, the day, \
                  the start and end time, the time zone, every attendee and anyone busy then.",
    offered: Offered::Always,
    url_life: UrlLife::Session,
    prepare: |given, user| {
        let parsed: DraftMeetingArgs = args::read(given)?;
        Ok(Work::new(
            MeetingDraft::of(parsed, &user.user_id)?,
            |call, (draft, zone)| Box::pin(run(call, draft, zone)),
        ))
    },
};

/// `draft_meeting`'s arguments (the model's schema is derived from them).
#[derive(Clone, Debug, Deserialize, JsonSchema)]
pub(crate) struct DraftMeetingArgs {
    /// What the meeting is about, as the invitation will say
    title: Text<500>,
    /// ISO 8601 start date and time
    start: When,
    /// ISO 8601 end date and time
    end: When,
    /// IANA time zone, such as America/New_York
    timezone: ZoneName,
    /// Email addresses of the people to invite, 1 to 20
    attendees: Emails,
    /// A description for the invitation
    #[serde(default, deserialize_with = "optional")]
    notes: Option<Text<8000>>,
    /// Add a Google Meet link. Defaults to true.
    #[serde(default, deserialize_with = "optional")]
    video_call: Option<Flag>,
    /// The Google account to send it from, when the user has several and names one (an
    /// address list_events gives as account). Leave out for the primary account.
    #[serde(default, deserialize_with = "optional")]
    account: Option<Email>,
}

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
    /// The Google account it is sent from, when the person has several.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
}

impl MeetingDraft {
    /// The draft `user_id` asked for; every argument is checked here.
    pub(crate) fn of(args: DraftMeetingArgs, user_id: &str) -> Result<(Self, Zone)> {
        let zone = args.timezone.0;
        let (start, end) = event_times(&args.start, &args.end, &zone)?;
        Ok((
            Self {
                title: args.title.0,
                start,
                end,
                timezone: zone.name.clone(),
                attendees: availability::attendees(&args.attendees, user_id, true)?,
                notes: args.notes.map(|n| n.0),
                video_call: args.video_call.is_none_or(|f| f.0),
                account: args.account.map(|a| a.0),
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

async fn run(call: &mut Call, mut draft: MeetingDraft, zone: Zone) -> Result<Value> {
    if let Some(account) = &draft.account {
        call.use_account(account)?;
    }
    // With several accounts the draft remembers which one sends it.
    draft.account = call.several().then(|| call.account.clone());
    let (user, google) = (&call.user, &mut call.google);
    google.require(needs::FINDING_TIME).await?;
    let context = google.context().await?;
    let window = Window::new(draft.start, draft.end)?;
    // The user is busy on any of their accounts' calendars.
    let mut other_busy = availability::Availability::default();
    let (known, elsewhere) = tokio::join!(
        availability::availability(google, &context, window, &zone, &draft.attendees),
        availability::elsewhere(&mut call.others, window, &zone, &mut other_busy),
    );
    let mut known = known?;
    known.user.extend(other_busy.user);
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
    let mut out = json!({
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
    });
    if let Some(account) = &draft.account {
        out["account"] = json!(account);
    }
    if let Some(unavailable) = event_view::unavailable_accounts(&elsewhere, call.user.language) {
        out["unavailable_accounts"] = unavailable;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::test_support::{argument_of, parsed};

    fn parse(v: Value, user_id: &str) -> Result<(MeetingDraft, Zone)> {
        parsed::<DraftMeetingArgs>(v).and_then(|a| MeetingDraft::of(a, user_id))
    }

    #[test]
    fn a_draft_needs_its_people_and_its_times() {
        let ok = json!({"title": "Kickoff", "start": "2030-03-05T10:00:00", "end": "2030-03-05T11:00:00",
                        "timezone": "Europe/London", "attendees": ["sam@example.com"]});
        let (draft, zone) = parse(ok.clone(), "ada@example.com").expect("valid");
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
            assert_eq!(argument_of(parse(m, "ada@example.com")), named, "{key}");
        }
    }

    #[test]
    fn the_draft_round_trips_through_its_stored_form() {
        let (draft, _) = parse(
            json!({"title": "Kickoff", "start": "2030-03-05T10:00:00Z", "end": "2030-03-05T11:00:00Z",
                        "timezone": "UTC", "attendees": ["sam@example.com"], "notes": "Agenda", "video_call": false}),
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
