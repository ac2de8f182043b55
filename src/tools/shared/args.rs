//! A tool call's arguments, from the body to typed values: the body extractor (docs/api.md's
//! 413, 415 and 400), [`Args`] (which remembers every key a parser asked for, so a test can
//! hold each tool's schema against its parser), and the readers the tools share. Each reader
//! turns one JSON value into a typed value at the edge, or a 400 naming the argument, before
//! anything reaches Google.

use std::cell::RefCell;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use jiff::{SignedDuration, Timestamp};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::calendar::{DateMeans, MAX_WINDOW_DAYS, TimeText, Window, Zone};
use crate::error::{Error, Input, Result};

/// The largest tool body accepted (64 KiB); larger ones answer 413.
pub(crate) const MAX_BODY_BYTES: usize = 65_536;

/// A tool call's arguments, parsed from a JSON object body. An empty body reads as `{}`, since
/// a tool with no required arguments may be called with nothing.
#[derive(Debug)]
pub(crate) struct ToolArgs<T>(pub T);

impl<S, T> FromRequest<S> for ToolArgs<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if let Some(content_type) = req.headers().get(header::CONTENT_TYPE) {
            if !is_json(content_type.to_str().unwrap_or("")) {
                return Err(Error::Input(Input::UnsupportedMediaType));
            }
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                Error::Input(Input::PayloadTooLarge)
            } else {
                Error::Input(Input::InvalidJson("the body could not be read".into()))
            }
        })?;
        let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
            b"{}"
        } else {
            &bytes
        };
        let value: serde_json::Value = serde_json::from_slice(bytes)
            .map_err(|e| Error::Input(Input::InvalidJson(e.to_string())))?;
        if !value.is_object() {
            return Err(Error::Input(Input::InvalidJson(
                "expected an object".into(),
            )));
        }
        serde_json::from_value(value)
            .map(ToolArgs)
            .map_err(|e| Error::Input(Input::InvalidJson(e.to_string())))
    }
}

fn is_json(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// The arguments of one call, as a JSON object. Every key a parser asks for is remembered.
pub struct Args<'a> {
    map: &'a Map<String, Value>,
    asked: RefCell<Vec<&'static str>>,
}

impl<'a> Args<'a> {
    /// Reads `map`.
    pub fn new(map: &'a Map<String, Value>) -> Self {
        Self {
            map,
            asked: RefCell::default(),
        }
    }

    /// The value of `name`, if given.
    pub fn get(&self, name: &'static str) -> Option<&'a Value> {
        self.asked.borrow_mut().push(name);
        self.map.get(name)
    }

    /// Every key asked for so far, each once, in order.
    pub fn asked(&self) -> Vec<&'static str> {
        let mut seen = Vec::new();
        for name in self.asked.borrow().iter() {
            if !seen.contains(name) {
                seen.push(*name);
            }
        }
        seen
    }
}

/// A time argument, if given.
pub(crate) fn optional_time(args: &Args<'_>, name: &'static str) -> Result<Option<TimeText>> {
    Ok(optional_str(args.get(name), name)?
        .map(|t| TimeText::parse(t, name))
        .transpose()?)
}

/// A required time argument.
pub(crate) fn required_time(args: &Args<'_>, name: &'static str) -> Result<TimeText> {
    Ok(TimeText::parse(required_str(args.get(name), name)?, name)?)
}

/// `timezone`, if given.
pub(crate) fn optional_zone(args: &Args<'_>) -> Result<Option<Zone>> {
    Ok(optional_str(args.get("timezone"), "timezone")?
        .map(|z| Zone::parse(z, "timezone"))
        .transpose()?)
}

/// `timezone`, required.
pub(crate) fn required_zone(args: &Args<'_>) -> Result<Zone> {
    optional_zone(args)?.ok_or_else(|| {
        Error::invalid(
            "timezone",
            "timezone is required, as an IANA name such as America/New_York.",
        )
    })
}

/// A yes/no argument: `true`, `false`, or the strings models sometimes send instead.
pub(crate) fn optional_bool(args: &Args<'_>, name: &'static str) -> Result<Option<bool>> {
    match args.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
        Some(_) => Err(Error::invalid(
            name,
            format!("{name} must be true or false."),
        )),
    }
}

/// An optional free-text argument, trimmed, at most `max` characters.
pub(crate) fn optional_text(
    args: &Args<'_>,
    name: &'static str,
    max: usize,
) -> Result<Option<String>> {
    let text = optional_str(args.get(name), name)?.map(|t| t.trim().to_owned());
    if text.as_ref().is_some_and(|t| t.chars().count() > max) {
        return Err(Error::invalid(
            name,
            format!("{name} must be at most {max} characters."),
        ));
    }
    Ok(text)
}

/// A Google event id as `list_events` gave it. Ids are letters, digits, `_` and `-` (a
/// recurring event's instance adds `_20261124T090000Z`); anything else cannot name an event
/// and never reaches Google's URL.
pub(crate) fn event_id(args: &Args<'_>) -> Result<String> {
    let id = required_str(args.get("event_id"), "event_id")?.trim();
    let fine = (1..=1024).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if !fine {
        return Err(Error::invalid(
            "event_id",
            "event_id is not an event id. Use the id list_events gave for the event.",
        ));
    }
    Ok(id.to_owned())
}

/// An event's start and end in `timezone` (all three required): end after start, at most
/// [`MAX_WINDOW_DAYS`] long. Bare dates are whole days.
pub(crate) fn event_times(args: &Args<'_>, zone: &Zone) -> Result<(Timestamp, Timestamp)> {
    let start = required_time(args, "start")?.resolve(zone, DateMeans::StartOfDay, "start")?;
    let end = required_time(args, "end")?.resolve(zone, DateMeans::EndOfDay, "end")?;
    if end <= start {
        return Err(Error::invalid("end", "end must be after start."));
    }
    if end.duration_since(start) > SignedDuration::from_hours(24 * MAX_WINDOW_DAYS) {
        return Err(Error::invalid(
            "end",
            format!("An event can be at most {MAX_WINDOW_DAYS} days long."),
        ));
    }
    Ok((start, end))
}

/// A window whose edges both carry offsets can be checked before any zone lookup (which may
/// need Google).
pub(crate) fn check_early(
    start: Option<&TimeText>,
    end: Option<&TimeText>,
) -> Result<Option<Window>> {
    match (
        start.and_then(TimeText::instant),
        end.and_then(TimeText::instant),
    ) {
        (Some(s), Some(e)) => Ok(Some(Window::new(s, e)?)),
        _ => Ok(None),
    }
}

/// An unknown event id, as the model should hear it (Google's 404 on read).
pub(crate) fn no_such_event() -> Error {
    Error::invalid(
        "event_id",
        "There is no event with that event_id on the calendar. Use list_events to \
                  find the event and its id.",
    )
}

/// Reads an optional string argument: absent or null is `None`; anything else must be a string.
pub(crate) fn optional_str<'a>(
    value: Option<&'a Value>,
    argument: &'static str,
) -> Result<Option<&'a str>> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        Some(_) => Err(Error::invalid(
            argument,
            format!("{argument} must be a string."),
        )),
    }
}

/// Reads a required string argument.
pub(crate) fn required_str<'a>(
    value: Option<&'a Value>,
    argument: &'static str,
) -> Result<&'a str> {
    optional_str(value, argument)?
        .ok_or_else(|| Error::invalid(argument, format!("{argument} is required.")))
}

/// Reads an optional whole number, accepting `30`, `30.0` and `"30"` (models send all three).
pub(crate) fn optional_integer(
    value: Option<&Value>,
    argument: &'static str,
) -> Result<Option<i64>> {
    let bad = || Error::invalid(argument, format!("{argument} must be a whole number."));
    let number = match value {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Number(n)) => n.as_f64().ok_or_else(bad)?,
        Some(Value::String(s)) => s.trim().parse::<f64>().map_err(|_| bad())?,
        Some(_) => return Err(bad()),
    };
    if !number.is_finite() || number.fract() != 0.0 || number.abs() > 1e12 {
        return Err(bad());
    }
    Ok(Some(number as i64))
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
                    Err(Error::Input(Input::InvalidArgument {
                        argument: "event_id",
                        ..
                    }))
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

    #[test]
    fn integers_arrive_in_several_shapes() {
        let v = |j: &str| serde_json::from_str::<Value>(j).expect("json");
        assert_eq!(optional_integer(Some(&v("30")), "d").ok(), Some(Some(30)));
        assert_eq!(optional_integer(Some(&v("30.0")), "d").ok(), Some(Some(30)));
        assert_eq!(
            optional_integer(Some(&v("\"45\"")), "d").ok(),
            Some(Some(45))
        );
        assert_eq!(optional_integer(None, "d").ok(), Some(None));
        assert!(optional_integer(Some(&v("30.5")), "d").is_err());
        assert!(optional_integer(Some(&v("\"soon\"")), "d").is_err());
        assert!(optional_integer(Some(&v("[1]")), "d").is_err());
    }
    #[test]
    fn json_content_types_are_recognised() {
        assert!(is_json("application/json"));
        assert!(is_json("Application/JSON; charset=utf-8"));
        assert!(is_json("application/vnd.api+json"));
        assert!(!is_json("text/plain"));
        assert!(!is_json("application/x-www-form-urlencoded"));
    }
}
