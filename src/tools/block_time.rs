//! `block_time`: a private hold on the user's primary calendar, with nobody invited and nobody
//! notified, tagged as made by this service so it can later be moved or cancelled.

use google_calendar3::api::{Event, EventFocusTimeProperties, EventOutOfOfficeProperties};
use jiff::Timestamp;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::shared::args::{Args, event_times, optional_text, required_str, required_zone};
use super::{Call, Offered, Tool, UrlLife, Work};
use crate::calendar::{self, Zone, event_time};
use crate::error::{Action, Error, GoogleError, Result};
use crate::google::calendar::{PRIMARY, event_json};
use crate::google::user_calendar::Once;
use crate::guest_emails;

/// The route.
pub(crate) const ROUTE: &str = "/api/calendar/events";

/// The declaration.
pub(crate) const TOOL: Tool = Tool {
    name: "block_time",
    route: ROUTE,
    description: "Create a private hold on the user's own calendar, with no other attendees: \
                  a plain hold, focus time (declines new conflicting invitations) or out of \
                  office (declines the invitations it overlaps, e-mailing each organizer, with \
                  an optional message; the answer lists them as declined). Use it only after \
                  the user has confirmed the title, date, start and end time out loud.",
    when_to_use: "Putting time aside for the user: block_time. It creates a private hold \
                  with no other people on it; never try to invite anyone. First read back the \
                  title, the day, the start and end time and the time zone, and call it only \
                  after the user clearly says yes. For deep work offer kind focus, which turns \
                  down new invitations for that time; for time away, kind out_of_office, and say that it \
                  declines the invitations it overlaps (their organizers are told).",
    offered: Offered::Always,
    url_life: UrlLife::Session,
    parameters,
    examples: || {
        vec![
            json!({"title": "Focus", "start": "2026-11-24T09:00:00", "end": "2026-11-24T10:00:00",
                    "timezone": "Europe/Berlin", "notes": "Quarterly plan", "kind": "focus"}),
            json!({"title": "Away", "start": "2026-11-25", "end": "2026-11-25",
                    "timezone": "Europe/Berlin", "kind": "out_of_office",
                    "decline_message": "Away today, back tomorrow"}),
        ]
    },
    prepare: |args, _| {
        Ok(Work::new(BlockTimeArgs::parse(args)?, |call, args| {
            Box::pin(run(call, args))
        }))
    },
};

fn parameters() -> Value {
    json!({
        "type": "object",
        "properties": {
            "title": { "type": "string", "description": "A short label for the hold, such as Focus time" },
            "start": { "type": "string", "description": "ISO 8601 start date and time" },
            "end": { "type": "string", "description": "ISO 8601 end date and time" },
            "timezone": { "type": "string", "description": "IANA time zone, such as America/New_York" },
            "notes": { "type": "string" },
            "kind": { "type": "string", "enum": ["hold", "focus", "out_of_office"], "description": "hold (default), focus (focus time: declines new conflicting invitations) or out_of_office (declines conflicting invitations)" },
            "decline_message": { "type": "string", "description": "For out_of_office: the message sent with the declines, if the user gave one" }
        },
        "required": ["title", "start", "end", "timezone"]
    })
}

/// Longest title accepted.
pub(crate) const MAX_TITLE_CHARS: usize = 500;
/// Longest out-of-office message accepted.
pub(crate) const MAX_DECLINE_CHARS: usize = 500;
/// Longest notes accepted.
pub(crate) const MAX_NOTES_CHARS: usize = 8_000;

/// `block_time`'s arguments: everything is checked here (the zone is required).
#[derive(Clone, Debug)]
pub(crate) struct BlockTimeArgs {
    /// `title`, trimmed, non-empty.
    pub title: String,
    /// `start`, resolved in `timezone`.
    pub start: Timestamp,
    /// `end`, after `start`.
    pub end: Timestamp,
    /// `timezone`.
    pub timezone: Zone,
    /// `notes`.
    pub notes: Option<String>,
    /// `kind`.
    pub kind: HoldKind,
    /// `decline_message` (out of office only).
    pub decline_message: Option<String>,
}

/// What kind of time is blocked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum HoldKind {
    /// A plain busy hold.
    Hold,
    /// Google's focus time (`eventType: focusTime`).
    Focus,
    /// Google's out of office (`eventType: outOfOffice`).
    OutOfOffice,
}

impl HoldKind {
    fn parse(args: &Args<'_>) -> Result<Self> {
        match optional_text(args, "kind", 20)?.as_deref() {
            None | Some("") | Some("hold") => Ok(Self::Hold),
            Some("focus") => Ok(Self::Focus),
            Some("out_of_office") => Ok(Self::OutOfOffice),
            Some(_) => Err(Error::invalid(
                "kind",
                "kind must be hold, focus or out_of_office.",
            )),
        }
    }

    fn code(self) -> &'static str {
        match self {
            Self::Hold => "hold",
            Self::Focus => "focus",
            Self::OutOfOffice => "out_of_office",
        }
    }

    /// How the avatar names it.
    fn spoken(self) -> &'static str {
        match self {
            Self::Hold => "a hold",
            Self::Focus => "focus time",
            Self::OutOfOffice => "out-of-office entries",
        }
    }
}

/// A required, trimmed, non-empty title of at most [`MAX_TITLE_CHARS`].
pub(crate) fn title(args: &Args<'_>) -> Result<String> {
    let title = required_str(args.get("title"), "title")?.trim().to_owned();
    if title.chars().count() > MAX_TITLE_CHARS {
        return Err(Error::invalid(
            "title",
            format!("title must be at most {MAX_TITLE_CHARS} characters."),
        ));
    }
    Ok(title)
}

impl BlockTimeArgs {
    /// Parses the JSON arguments.
    pub(crate) fn parse(args: &Args<'_>) -> Result<Self> {
        let title = title(args)?;
        let timezone = required_zone(args)?;
        let notes = optional_text(args, "notes", MAX_NOTES_CHARS)?.filter(|n| !n.is_empty());
        let (start, end) = event_times(args, &timezone)?;
        let kind = HoldKind::parse(args)?;
        let decline_message =
            optional_text(args, "decline_message", MAX_DECLINE_CHARS)?.filter(|m| !m.is_empty());
        if decline_message.is_some() && kind != HoldKind::OutOfOffice {
            return Err(Error::invalid(
                "decline_message",
                "decline_message goes with kind out_of_office only.",
            ));
        }
        Ok(Self {
            title,
            start,
            end,
            timezone,
            notes,
            kind,
            decline_message,
        })
    }

    /// A Google event id derived from the user, the session and the arguments: a repeated
    /// identical call (Anam retrying, the model repeating itself) names the same event, so
    /// Google answers 409 instead of creating a duplicate. 128 bits of SHA-256 as hex: inside
    /// Google's alphabet (`a-v`, `0-9`), and short enough for the model to repeat.
    pub(crate) fn event_id(&self, user_id: &str, session_exp: u64) -> String {
        let mut hash = Sha256::new();
        for part in [
            "calendar-agent/block_time/v1",
            user_id,
            &session_exp.to_string(),
            &self.title,
            &self.start.to_string(),
            &self.end.to_string(),
            &self.timezone.name,
            self.notes.as_deref().unwrap_or(""),
            self.kind.code(),
            self.decline_message.as_deref().unwrap_or(""),
        ] {
            hash.update(part.len().to_le_bytes());
            hash.update(part.as_bytes());
        }
        hex::encode(&hash.finalize()[..16])
    }

    /// The hold as Google stores it: opaque, tagged, no attendees; focus time and out of
    /// office as Google's guide describes them, declining what conflicts.
    fn event(&self, id: String) -> Event {
        let mut event = Event {
            id: Some(id),
            summary: Some(self.title.clone()),
            description: self.notes.clone(),
            start: Some(event_time(self.start, &self.timezone)),
            end: Some(event_time(self.end, &self.timezone)),
            transparency: Some("opaque".into()),
            extended_properties: Some(calendar::tag()),
            ..Default::default()
        };
        match self.kind {
            HoldKind::Hold => {}
            HoldKind::Focus => {
                event.event_type = Some("focusTime".into());
                event.focus_time_properties = Some(EventFocusTimeProperties {
                    auto_decline_mode: Some("declineOnlyNewConflictingInvitations".into()),
                    chat_status: Some("doNotDisturb".into()),
                    decline_message: None,
                });
            }
            HoldKind::OutOfOffice => {
                event.event_type = Some("outOfOffice".into());
                event.out_of_office_properties = Some(EventOutOfOfficeProperties {
                    auto_decline_mode: Some("declineAllConflictingInvitations".into()),
                    decline_message: self.decline_message.clone(),
                });
            }
        }
        event
    }
}

async fn run(call: &mut Call, args: BlockTimeArgs) -> Result<Value> {
    let (state, user) = (&call.state, &call.user);
    let event = args.event(args.event_id(&user.user_id, user.exp));
    let google = &mut call.google;
    // Out of office declines the invitations it overlaps, and each decline e-mails its
    // organizer: counted before anything is written, and said in the answer.
    let declined = match args.kind {
        HoldKind::OutOfOffice => {
            let declined = overlapped_invitations(google, &args).await?;
            guest_emails::take(
                &state.store,
                &state.config,
                &user.user_id,
                guest_emails::count(declined.len()),
            )
            .await?;
            declined
        }
        _ => Vec::new(),
    };
    let body = event_json(&event);
    let inserted = match google.insert(PRIMARY, &body, "none").await {
        // Focus time and out of office exist only on some accounts' primary calendars.
        Err(e) if args.kind != HoldKind::Hold && refused_kind(&e) => {
            tracing::info!(user_id = %user.user_id, kind = args.kind.code(), error = %e, "Google refused the kind of hold");
            return Err(Action::KindNotAvailable(args.kind.spoken()).into());
        }
        other => other?,
    };
    let held = match inserted {
        Once::Created(event) => event,
        Once::Existing(existing) if existing.status.as_deref() == Some("cancelled") => {
            // The user deleted this hold and asked for it again: Google keeps the id, so the
            // hold is brought back rather than reported as made.
            tracing::info!(user_id = %user.user_id, "block_time repeated after the hold was deleted; restoring it");
            let restored = event_json(&Event {
                status: Some("confirmed".into()),
                ..event.clone()
            });
            let id = event.id.as_deref().unwrap_or_default();
            google.update(PRIMARY, id, &restored, "none").await?
        }
        Once::Existing(existing) => {
            tracing::info!(user_id = %user.user_id, "block_time repeated; returning the existing event");
            existing
        }
    };
    let mut answer = answer(&held, &args.timezone);
    if !declined.is_empty() {
        answer["declined"] = json!(declined);
    }
    Ok(answer)
}

/// The invitations on the primary calendar that `args`' time overlaps and the user has not
/// declined: out of office declines each, telling its organizer.
async fn overlapped_invitations(
    google: &mut crate::google::user_calendar::UserCalendar,
    args: &BlockTimeArgs,
) -> Result<Vec<String>> {
    let context = google.context().await?;
    let primary: Vec<calendar::CalendarRef> = context
        .calendars
        .iter()
        .filter(|c| c.primary)
        .cloned()
        .collect();
    let Ok(window) = calendar::Window::new(args.start, args.end) else {
        return Ok(Vec::new());
    };
    let listed = google
        .events_across(&primary, window, 50, &args.timezone, None)
        .await?;
    Ok(listed
        .events
        .iter()
        .filter(|(e, on)| !calendar::organised_by_user(e, on, &context.owners))
        .filter(|(e, _)| {
            matches!(
                calendar::my_response(e),
                Some("needsAction" | "accepted" | "tentative")
            )
        })
        .map(|(e, _)| e.summary.clone().unwrap_or_else(|| "(no title)".into()))
        .collect())
}

/// Google's refusal of an event type: a 400, or a 403 that is not about scopes or limits.
fn refused_kind(error: &Error) -> bool {
    error.google_status() == Some(400)
        || matches!(error, Error::Google(GoogleError::Forbidden { .. }))
}

/// The `block_time` answer, from the event Google holds.
fn answer(event: &Event, zone: &Zone) -> Value {
    json!({
        "eventId": event.id,
        "htmlLink": event.html_link,
        "start": calendar::edge(event.start.as_ref(), zone, false),
        "end": calendar::edge(event.end.as_ref(), zone, false),
        "timezone": zone.name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::test_support::{argument_of, map};

    #[test]
    fn its_arguments_are_required_and_ordered() {
        let ok = json!({"title": "Focus", "start": "2026-11-24T09:00:00", "end": "2026-11-24T10:00:00", "timezone": "America/New_York"});
        let a = BlockTimeArgs::parse(&map(ok.clone())).expect("valid");
        assert_eq!(
            a.start,
            "2026-11-24T14:00:00Z".parse::<Timestamp>().expect("ts")
        );
        for (key, value, named) in [
            ("title", json!(""), "title"),
            ("timezone", json!(null), "timezone"),
            ("timezone", json!("Mars/Olympus"), "timezone"),
            ("end", json!("2026-11-24T09:00:00"), "end"),
            ("end", json!("2026-11-24T08:00:00"), "end"),
            ("start", json!("tomorrow"), "start"),
        ] {
            let mut m = ok.clone();
            m[key] = value;
            assert_eq!(argument_of(BlockTimeArgs::parse(&map(m))), named, "{key}");
        }
    }

    #[test]
    fn event_ids_are_deterministic_in_googles_alphabet_and_differ_by_argument() {
        let args = |title: &str| {
            BlockTimeArgs::parse(&map(json!({"title": title, "start": "2026-11-24T09:00:00Z", "end": "2026-11-24T10:00:00Z", "timezone": "UTC"}))).expect("valid")
        };
        let id = args("Focus").event_id("ada@example.com", 1);
        assert_eq!(id, args("Focus").event_id("ada@example.com", 1));
        assert_eq!(id.len(), 32);
        assert!(id.chars().all(|c| matches!(c, 'a'..='v' | '0'..='9')));
        assert_ne!(id, args("Lunch").event_id("ada@example.com", 1));
        assert_ne!(id, args("Focus").event_id("eve@example.com", 1));
        assert_ne!(id, args("Focus").event_id("ada@example.com", 2));
    }

    #[test]
    fn the_hold_is_tagged_opaque_and_has_no_guests() {
        let a = BlockTimeArgs::parse(&map(json!({"title": "Focus", "start": "2026-11-24T09:00:00Z", "end": "2026-11-24T10:00:00Z", "timezone": "UTC"}))).expect("valid");
        let e = a.event("abc123".into());
        assert!(calendar::is_tagged(&e));
        assert_eq!(e.transparency.as_deref(), Some("opaque"));
        assert!(e.attendees.is_none());
    }
}
