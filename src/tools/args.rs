//! Argument readers shared by the tools: each turns one JSON value into a typed value at the
//! edge, or a 400 naming the argument, before anything reaches Google.

use jiff::{SignedDuration, Timestamp};
use serde_json::{Map, Value};

use super::time::{DateMeans, MAX_WINDOW_DAYS, TimeText, Window, Zone, optional_str, required_str};
use crate::error::{Error, Result};

/// A time argument, if given.
pub fn optional_time(args: &Map<String, Value>, name: &'static str) -> Result<Option<TimeText>> {
    optional_str(args.get(name), name)?
        .map(|t| TimeText::parse(t, name))
        .transpose()
}

/// A required time argument.
pub fn required_time(args: &Map<String, Value>, name: &'static str) -> Result<TimeText> {
    TimeText::parse(required_str(args.get(name), name)?, name)
}

/// `timezone`, if given.
pub fn optional_zone(args: &Map<String, Value>) -> Result<Option<Zone>> {
    optional_str(args.get("timezone"), "timezone")?
        .map(|z| Zone::parse(z, "timezone"))
        .transpose()
}

/// `timezone`, required.
pub fn required_zone(args: &Map<String, Value>) -> Result<Zone> {
    optional_zone(args)?.ok_or_else(|| Error::InvalidArgument {
        argument: "timezone",
        message: "timezone is required, as an IANA name such as America/New_York.".into(),
    })
}

/// A yes/no argument: `true`, `false`, or the strings models sometimes send instead.
pub fn optional_bool(args: &Map<String, Value>, name: &'static str) -> Result<Option<bool>> {
    match args.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
        Some(_) => Err(Error::InvalidArgument {
            argument: name,
            message: format!("{name} must be true or false."),
        }),
    }
}

/// An optional free-text argument, trimmed, at most `max` characters.
pub fn optional_text(
    args: &Map<String, Value>,
    name: &'static str,
    max: usize,
) -> Result<Option<String>> {
    let text = optional_str(args.get(name), name)?.map(|t| t.trim().to_owned());
    if text.as_ref().is_some_and(|t| t.chars().count() > max) {
        return Err(Error::InvalidArgument {
            argument: name,
            message: format!("{name} must be at most {max} characters."),
        });
    }
    Ok(text)
}

/// A Google event id as `list_events` gave it. Ids are letters, digits, `_` and `-` (a
/// recurring event's instance adds `_20261124T090000Z`); anything else cannot name an event
/// and never reaches Google's URL.
pub fn event_id(args: &Map<String, Value>) -> Result<String> {
    let id = required_str(args.get("event_id"), "event_id")?.trim();
    let fine = (1..=1024).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if !fine {
        return Err(Error::InvalidArgument {
            argument: "event_id",
            message: "event_id is not an event id. Use the id list_events gave for the event."
                .into(),
        });
    }
    Ok(id.to_owned())
}

/// An event's start and end in `timezone` (all three required): end after start, at most
/// [`MAX_WINDOW_DAYS`] long. Bare dates are whole days.
pub fn event_times(args: &Map<String, Value>, zone: &Zone) -> Result<(Timestamp, Timestamp)> {
    let start = required_time(args, "start")?.resolve(zone, DateMeans::StartOfDay, "start")?;
    let end = required_time(args, "end")?.resolve(zone, DateMeans::EndOfDay, "end")?;
    if end <= start {
        return Err(Error::InvalidArgument {
            argument: "end",
            message: "end must be after start.".into(),
        });
    }
    if end.duration_since(start) > SignedDuration::from_hours(24 * MAX_WINDOW_DAYS) {
        return Err(Error::InvalidArgument {
            argument: "end",
            message: format!("An event can be at most {MAX_WINDOW_DAYS} days long."),
        });
    }
    Ok((start, end))
}

/// A window whose edges both carry offsets can be checked before any zone lookup (which may
/// need Google).
pub fn check_early(start: Option<&TimeText>, end: Option<&TimeText>) -> Result<Option<Window>> {
    match (
        start.and_then(TimeText::instant),
        end.and_then(TimeText::instant),
    ) {
        (Some(s), Some(e)) => Window::new(s, e).map(Some),
        _ => Ok(None),
    }
}

/// An unknown event id, as the model should hear it (Google's 404 on read).
pub fn no_such_event() -> Error {
    Error::InvalidArgument {
        argument: "event_id",
        message: "There is no event with that event_id on the calendar. Use list_events to \
                  find the event and its id."
            .into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::test_support::map;
    use serde_json::json;

    #[test]
    fn event_ids_are_google_shaped_or_refused() {
        for good in [
            "abc123",
            "7kq2m4n6p8r0s2t4v6u8q0m2k4",
            "abc_20261124T090000Z",
        ] {
            assert_eq!(
                event_id(&map(json!({"event_id": good}))).ok().as_deref(),
                Some(good)
            );
        }
        for bad in [
            json!(""),
            json!("../../calendarList"),
            json!("a b"),
            json!("x?y=1"),
            json!(42),
            json!(null),
        ] {
            assert!(
                matches!(
                    event_id(&map(json!({"event_id": bad.clone()}))),
                    Err(Error::InvalidArgument {
                        argument: "event_id",
                        ..
                    })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn yes_and_no_arrive_in_several_shapes() {
        for (given, expected) in [
            (json!(true), Some(true)),
            (json!("false"), Some(false)),
            (json!(null), None),
        ] {
            assert_eq!(
                optional_bool(&map(json!({"any_time": given})), "any_time").ok(),
                Some(expected)
            );
        }
        assert!(optional_bool(&map(json!({"any_time": "sometimes"})), "any_time").is_err());
    }
}
