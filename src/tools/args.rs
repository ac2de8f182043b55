//! Tool arguments parsed from the request JSON into typed values at the edge. Everything that
//! can be checked without Google is checked here, so bad input answers 400 before any call.

use jiff::{SignedDuration, Timestamp};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::time::{
    DateMeans, MAX_WINDOW_DAYS, TimeText, Window, Zone, days_from, optional_integer, optional_str,
    required_str,
};
use crate::error::{Error, Result};

/// `list_events`: default window now → now + 7 days, 10 results (clamped 1–50).
#[derive(Clone, Debug)]
pub struct ListEventsArgs {
    /// `window_start`.
    pub window_start: Option<TimeText>,
    /// `window_end`.
    pub window_end: Option<TimeText>,
    /// `max_results`, clamped.
    pub max_results: u32,
    /// `timezone` (default: the user's calendar zone).
    pub timezone: Option<Zone>,
}

/// Default and bounds of `max_results`.
pub const DEFAULT_MAX_RESULTS: u32 = 10;
const MAX_RESULTS_CAP: i64 = 50;
/// How far ahead `list_events` looks by default.
pub const DEFAULT_DAYS: i64 = 7;

fn optional_time(args: &Map<String, Value>, name: &'static str) -> Result<Option<TimeText>> {
    optional_str(args.get(name), name)?
        .map(|t| TimeText::parse(t, name))
        .transpose()
}

fn required_time(args: &Map<String, Value>, name: &'static str) -> Result<TimeText> {
    TimeText::parse(required_str(args.get(name), name)?, name)
}

fn optional_zone(args: &Map<String, Value>) -> Result<Option<Zone>> {
    optional_str(args.get("timezone"), "timezone")?
        .map(|z| Zone::parse(z, "timezone"))
        .transpose()
}

impl ListEventsArgs {
    /// Parses the JSON arguments.
    pub fn parse(args: &Map<String, Value>) -> Result<Self> {
        let max_results = optional_integer(args.get("max_results"), "max_results")?
            .map_or(DEFAULT_MAX_RESULTS, |n| n.clamp(1, MAX_RESULTS_CAP) as u32);
        let parsed = Self {
            window_start: optional_time(args, "window_start")?,
            window_end: optional_time(args, "window_end")?,
            max_results,
            timezone: optional_zone(args)?,
        };
        check_early(parsed.window_start.as_ref(), parsed.window_end.as_ref())?;
        Ok(parsed)
    }

    /// The window in `zone`, defaulting to `now` → `now + 7 days`.
    pub fn window(&self, zone: &Zone, now: Timestamp) -> Result<Window> {
        let start = match &self.window_start {
            Some(t) => t.resolve(zone, DateMeans::StartOfDay, "window_start")?,
            None => now,
        };
        let end = match &self.window_end {
            Some(t) => t.resolve(zone, DateMeans::EndOfDay, "window_end")?,
            None => days_from(start, zone, DEFAULT_DAYS),
        };
        Window::new(start, end)
    }
}

/// `find_free_time`: all of window and duration required.
#[derive(Clone, Debug)]
pub struct FindFreeTimeArgs {
    /// `window_start`.
    pub window_start: TimeText,
    /// `window_end`.
    pub window_end: TimeText,
    /// `duration_minutes`, positive.
    pub duration: SignedDuration,
    /// `timezone` (default: the user's calendar zone).
    pub timezone: Option<Zone>,
}

impl FindFreeTimeArgs {
    /// Parses the JSON arguments.
    pub fn parse(args: &Map<String, Value>) -> Result<Self> {
        let window_start = required_time(args, "window_start")?;
        let window_end = required_time(args, "window_end")?;
        let minutes = optional_integer(args.get("duration_minutes"), "duration_minutes")?
            .ok_or_else(|| Error::InvalidArgument {
                argument: "duration_minutes",
                message: "duration_minutes is required.".into(),
            })?;
        if minutes <= 0 {
            return Err(Error::InvalidArgument {
                argument: "duration_minutes",
                message: "duration_minutes must be a positive number of minutes.".into(),
            });
        }
        if minutes > MAX_WINDOW_DAYS * 24 * 60 {
            return Err(Error::InvalidArgument {
                argument: "duration_minutes",
                message: format!("duration_minutes must be at most {MAX_WINDOW_DAYS} days."),
            });
        }
        let duration = SignedDuration::from_mins(minutes);
        if let Some(window) = check_early(Some(&window_start), Some(&window_end))? {
            check_fits(duration, window)?;
        }
        Ok(Self {
            window_start,
            window_end,
            duration,
            timezone: optional_zone(args)?,
        })
    }

    /// The window in `zone`; refuses a duration longer than the window.
    pub fn window(&self, zone: &Zone) -> Result<Window> {
        let window = Window::new(
            self.window_start
                .resolve(zone, DateMeans::StartOfDay, "window_start")?,
            self.window_end
                .resolve(zone, DateMeans::EndOfDay, "window_end")?,
        )?;
        check_fits(self.duration, window)?;
        Ok(window)
    }
}

/// A window whose edges both carry offsets can be checked before any zone lookup (which may
/// need Google).
fn check_early(start: Option<&TimeText>, end: Option<&TimeText>) -> Result<Option<Window>> {
    match (
        start.and_then(TimeText::instant),
        end.and_then(TimeText::instant),
    ) {
        (Some(s), Some(e)) => Window::new(s, e).map(Some),
        _ => Ok(None),
    }
}

fn check_fits(duration: SignedDuration, window: Window) -> Result<()> {
    if duration > window.duration() {
        return Err(Error::InvalidArgument {
            argument: "duration_minutes",
            message: "duration_minutes is longer than the window between window_start and \
                      window_end."
                .into(),
        });
    }
    Ok(())
}

/// `block_time`: a self-only hold.
#[derive(Clone, Debug)]
pub struct BlockTimeArgs {
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

const MAX_TITLE_CHARS: usize = 500;
const MAX_NOTES_CHARS: usize = 8_000;

impl BlockTimeArgs {
    /// Parses the JSON arguments; everything is checked here (the zone is required).
    pub fn parse(args: &Map<String, Value>) -> Result<Self> {
        let title = required_str(args.get("title"), "title")?.trim().to_owned();
        if title.chars().count() > MAX_TITLE_CHARS {
            return Err(Error::InvalidArgument {
                argument: "title",
                message: format!("title must be at most {MAX_TITLE_CHARS} characters."),
            });
        }
        let start = required_time(args, "start")?;
        let end = required_time(args, "end")?;
        let timezone = optional_zone(args)?.ok_or_else(|| Error::InvalidArgument {
            argument: "timezone",
            message: "timezone is required, as an IANA name such as America/New_York.".into(),
        })?;
        let notes = optional_str(args.get("notes"), "notes")?.map(str::to_owned);
        if notes
            .as_ref()
            .is_some_and(|n| n.chars().count() > MAX_NOTES_CHARS)
        {
            return Err(Error::InvalidArgument {
                argument: "notes",
                message: format!("notes must be at most {MAX_NOTES_CHARS} characters."),
            });
        }
        let start = start.resolve(&timezone, DateMeans::StartOfDay, "start")?;
        let end = end.resolve(&timezone, DateMeans::EndOfDay, "end")?;
        if end <= start {
            return Err(Error::InvalidArgument {
                argument: "end",
                message: "end must be after start.".into(),
            });
        }
        if end.duration_since(start) > SignedDuration::from_hours(24 * MAX_WINDOW_DAYS) {
            return Err(Error::InvalidArgument {
                argument: "end",
                message: format!("A hold can be at most {MAX_WINDOW_DAYS} days long."),
            });
        }
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
    /// Google answers 409 instead of creating a duplicate. Hex is inside Google's allowed
    /// alphabet (`a-v`, `0-9`).
    pub fn event_id(&self, user_id: &str, session_exp: u64) -> String {
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
        hex::encode(hash.finalize())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().cloned().expect("object")
    }

    fn argument_of(result: Result<impl std::fmt::Debug>) -> &'static str {
        match result {
            Err(Error::InvalidArgument { argument, .. }) => argument,
            other => panic!("expected a 400, got {other:?}"),
        }
    }

    #[test]
    fn list_events_defaults_and_clamps() {
        let a = ListEventsArgs::parse(&map(json!({}))).expect("empty is fine");
        assert_eq!(a.max_results, 10);
        let now: Timestamp = "2026-11-24T14:00:00Z".parse().expect("ts");
        let w = a.window(&Zone::utc(), now).expect("window");
        assert_eq!(w.start, now);
        assert_eq!(
            w.end,
            "2026-12-01T14:00:00Z".parse::<Timestamp>().expect("ts")
        );
        for (given, expected) in [
            (json!(500), 50),
            (json!(0), 1),
            (json!(-3), 1),
            (json!("25"), 25),
        ] {
            let a = ListEventsArgs::parse(&map(json!({ "max_results": given }))).expect("ok");
            assert_eq!(a.max_results, expected);
        }
    }

    #[test]
    fn list_events_rejects_bad_values_by_name() {
        assert_eq!(
            argument_of(ListEventsArgs::parse(&map(
                json!({"timezone": "Mars/Olympus"})
            ))),
            "timezone"
        );
        assert_eq!(
            argument_of(ListEventsArgs::parse(&map(json!({"window_start": "soon"})))),
            "window_start"
        );
        assert_eq!(
            argument_of(ListEventsArgs::parse(&map(json!({"max_results": "many"})))),
            "max_results"
        );
        assert_eq!(
            argument_of(ListEventsArgs::parse(&map(json!({"window_end": 5})))),
            "window_end"
        );
    }

    #[test]
    fn find_free_time_requires_a_positive_duration_that_fits() {
        let base =
            json!({"window_start": "2026-11-24T09:00:00", "window_end": "2026-11-24T12:00:00"});
        let with = |d: Value| {
            let mut m = map(base.clone());
            m.insert("duration_minutes".into(), d);
            m
        };
        assert_eq!(
            argument_of(FindFreeTimeArgs::parse(&map(base.clone()))),
            "duration_minutes"
        );
        assert_eq!(
            argument_of(FindFreeTimeArgs::parse(&with(json!(0)))),
            "duration_minutes"
        );
        assert_eq!(
            argument_of(FindFreeTimeArgs::parse(&with(json!(-30)))),
            "duration_minutes"
        );
        let long = FindFreeTimeArgs::parse(&with(json!(240))).expect("parses");
        assert_eq!(argument_of(long.window(&Zone::utc())), "duration_minutes");
        let fits = FindFreeTimeArgs::parse(&with(json!(180))).expect("parses");
        assert!(fits.window(&Zone::utc()).is_ok());
        assert_eq!(
            argument_of(FindFreeTimeArgs::parse(&map(
                json!({"window_end": "2026-11-24T12:00:00", "duration_minutes": 30})
            ))),
            "window_start"
        );
    }

    #[test]
    fn block_time_requires_its_arguments_and_orders_them() {
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
            let mut m = map(ok.clone());
            m.insert(key.into(), value);
            assert_eq!(argument_of(BlockTimeArgs::parse(&m)), named, "{key}");
        }
    }

    #[test]
    fn event_ids_are_deterministic_in_googles_alphabet_and_differ_by_argument() {
        let args = |title: &str| {
            BlockTimeArgs::parse(&map(json!({"title": title, "start": "2026-11-24T09:00:00Z", "end": "2026-11-24T10:00:00Z", "timezone": "UTC"}))).expect("valid")
        };
        let id = args("Focus").event_id("ada@example.com", 1);
        assert_eq!(id, args("Focus").event_id("ada@example.com", 1));
        assert!(id.len() >= 5 && id.len() <= 1024);
        assert!(id.chars().all(|c| matches!(c, 'a'..='v' | '0'..='9')));
        assert_ne!(id, args("Lunch").event_id("ada@example.com", 1));
        assert_ne!(id, args("Focus").event_id("eve@example.com", 1));
        assert_ne!(id, args("Focus").event_id("ada@example.com", 2));
    }
}
