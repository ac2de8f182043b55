//! `block_time`: a private hold on the user's primary calendar, with nobody invited and nobody
//! notified, tagged as made by this service so it can later be moved or cancelled.

use google_calendar3::api::Event;
use jiff::Timestamp;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::args::{Args, event_times, optional_text, required_str, required_zone};
use super::{Call, Offered, Tool, UrlLife, Work};
use crate::calendar::{self, Zone, event_time};
use crate::error::{Error, Result};
use crate::google::scopes;
use crate::google::user_calendar::Once;

/// The route.
pub(crate) const ROUTE: &str = "/api/calendar/events";

/// The declaration.
pub(crate) const TOOL: Tool = Tool {
    name: "block_time",
    route: ROUTE,
    description: "Create a private hold on the user's own calendar, with no other attendees. \
                  Use it only after the user has confirmed the title, date, start and end time \
                  out loud.",
    when_to_use: "Putting time aside for the user: block_time. It creates a private hold \
                  with no other people on it; never try to invite anyone. First read back the \
                  title, the day, the start and end time and the time zone, and call it only \
                  after the user clearly says yes.",
    offered: Offered::Always,
    url_life: UrlLife::Session,
    parameters,
    examples: || {
        vec![
            json!({"title": "Focus", "start": "2026-11-24T09:00:00", "end": "2026-11-24T10:00:00",
                    "timezone": "Europe/Berlin", "notes": "Quarterly plan"}),
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
            "notes": { "type": "string" }
        },
        "required": ["title", "start", "end", "timezone"]
    })
}

/// Longest title accepted.
pub(crate) const MAX_TITLE_CHARS: usize = 500;
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
        Ok(Self {
            title,
            start,
            end,
            timezone,
            notes,
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
        ] {
            hash.update(part.len().to_le_bytes());
            hash.update(part.as_bytes());
        }
        hex::encode(&hash.finalize()[..16])
    }

    /// The hold as Google stores it: opaque, tagged, no attendees.
    fn event(&self, id: String) -> Event {
        Event {
            id: Some(id),
            summary: Some(self.title.clone()),
            description: self.notes.clone(),
            start: Some(event_time(self.start, &self.timezone)),
            end: Some(event_time(self.end, &self.timezone)),
            transparency: Some("opaque".into()),
            extended_properties: Some(calendar::tag()),
            ..Default::default()
        }
    }
}

async fn run(call: &mut Call, args: BlockTimeArgs) -> Result<Value> {
    let user = &call.user;
    let event = args.event(args.event_id(&user.user_id, user.exp));
    let google = &mut call.google;
    let held = match google.insert_once(&event, false).await? {
        Once::Created(event) => event,
        Once::Existing(existing) if existing.status.as_deref() == Some("cancelled") => {
            // The user deleted this hold and asked for it again: Google keeps the id, so the
            // hold is brought back rather than reported as made.
            tracing::info!(user_id = %user.user_id, "block_time repeated after the hold was deleted; restoring it");
            let restored = &Event {
                status: Some("confirmed".into()),
                ..event.clone()
            };
            google
                .call(&[&scopes::EVENTS_UPDATE], |client, token| async move {
                    client.update_event(&token, restored.clone()).await
                })
                .await?
        }
        Once::Existing(existing) => {
            tracing::info!(user_id = %user.user_id, "block_time repeated; returning the existing event");
            existing
        }
    };
    Ok(calendar::blocked(&held, &args.timezone))
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
