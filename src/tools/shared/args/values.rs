//! The argument types: each turns one JSON value into a typed value at the edge (a zone, a
//! time, bounded text, a whole number, one of a few words), accepting the shapes models send
//! (`"30"` for 30, `"true"` for true, blank for nothing), or refuses it with a sentence that
//! names the argument through [`ARGUMENT`]; and each says how the model should write it.

use jiff::{SignedDuration, Timestamp};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::ARGUMENT;
use crate::calendar::{DateMeans, MAX_WINDOW_DAYS, TimeText, Window, Zone, is_email};
use crate::error::{Error, Result};
use crate::messages::Said;

/// For an optional argument: absent, `null` or blank is not given.
pub(crate) fn optional<'de, D, T>(deserializer: D) -> std::result::Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    let value = Value::deserialize(deserializer)?;
    match &value {
        Value::Null => Ok(None),
        Value::String(s) if s.trim().is_empty() => Ok(None),
        _ => T::deserialize(value).map(Some).map_err(de::Error::custom),
    }
}

/// The serde error for the sentence `key` with `vars` (the argument's name is added by
/// [`super::read`], which knows it).
fn said<E: de::Error>(key: &'static str, vars: &[(&'static str, String)]) -> E {
    let said = vars
        .iter()
        .fold(Said::key(key), |s, (name, value)| s.var(name, value));
    E::custom(said.encode())
}

/// A JSON string, trimmed; anything else is refused.
fn string<'de, D: Deserializer<'de>>(deserializer: D) -> std::result::Result<String, D::Error> {
    match Value::deserialize(deserializer)? {
        Value::String(s) => Ok(s.trim().to_owned()),
        Value::Null => Err(said("arg_required", &[])),
        _ => Err(said("arg_string", &[])),
    }
}

/// Says how an argument type is written in JSON (a string, a number, …), for the schema.
macro_rules! schema_as {
    ($type:ty $(, const $generic:ident)?: $json:tt) => {
        impl$(<const $generic: usize>)? JsonSchema for $type {
            fn inline_schema() -> bool {
                true
            }
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($type).into()
            }
            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                json_schema!($json)
            }
        }
    };
}

/// Free text, trimmed, not blank, at most `MAX` characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Text<const MAX: usize>(pub(crate) String);

impl<'de, const MAX: usize> Deserialize<'de> for Text<MAX> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let text = string(d)?;
        if text.is_empty() {
            return Err(said("arg_required", &[]));
        }
        if text.chars().count() > MAX {
            return Err(said("arg_too_long", &[("max", MAX.to_string())]));
        }
        Ok(Self(text))
    }
}

schema_as!(Text<MAX>, const MAX: { "type": "string" });

/// A time as the model writes it: ISO 8601 with an offset (an instant), without one (the wall
/// clock of the call's zone), or a bare date (a whole day).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct When(pub(crate) TimeText);

impl<'de> Deserialize<'de> for When {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let text = string(d)?;
        TimeText::parse(&text, ARGUMENT)
            .map(Self)
            .map_err(|e| said(e.key, &e.vars))
    }
}
schema_as!(When: { "type": "string" });

/// An IANA time zone, in any letter case (kept in the database's own spelling).
#[derive(Clone, Debug)]
pub(crate) struct ZoneName(pub(crate) Zone);

impl<'de> Deserialize<'de> for ZoneName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let text = string(d)?;
        Zone::parse(&text, ARGUMENT)
            .map(Self)
            .map_err(|e| said(e.key, &e.vars))
    }
}
schema_as!(ZoneName: { "type": "string" });

/// A Google event id as `list_events` gave it. Ids are letters, digits, `_` and `-` (a
/// recurring event's occurrence adds `_20261124T090000Z`); anything else cannot name an event
/// and never reaches Google's URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct EventId(pub(crate) String);

impl<'de> Deserialize<'de> for EventId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let id = string(d)?;
        let fine = (1..=1024).contains(&id.len())
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if fine {
            Ok(Self(id))
        } else {
            Err(said("arg_event_id", &[]))
        }
    }
}
schema_as!(EventId: { "type": "string" });

/// A whole number, as models send it: `30`, `30.0` or `"30"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Count(pub(crate) i64);

impl<'de> Deserialize<'de> for Count {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let bad = || said("arg_whole_number", &[]);
        let number = match Value::deserialize(d)? {
            Value::Number(n) => n.as_f64().ok_or_else(bad)?,
            Value::String(s) => s.trim().parse::<f64>().map_err(|_| bad())?,
            _ => return Err(bad()),
        };
        if !number.is_finite() || number.fract() != 0.0 || number.abs() > 1e12 {
            return Err(bad());
        }
        Ok(Self(number as i64))
    }
}
schema_as!(Count: { "type": "number" });

/// Yes or no: `true`, `false`, or the strings models sometimes send instead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Flag(pub(crate) bool);

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::Bool(b) => Ok(Self(b)),
            Value::String(s) if s.trim().eq_ignore_ascii_case("true") => Ok(Self(true)),
            Value::String(s) if s.trim().eq_ignore_ascii_case("false") => Ok(Self(false)),
            _ => Err(said("arg_true_false", &[])),
        }
    }
}
schema_as!(Flag: { "type": "boolean" });

/// Email addresses: a list of strings, each an address (trimmed, lower-cased).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Emails(pub(crate) Vec<String>);

impl<'de> Deserialize<'de> for Emails {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let list = match Value::deserialize(d)? {
            Value::Array(list) => list,
            _ => {
                return Err(said("arg_email_list", &[]));
            }
        };
        let mut out = Vec::new();
        for item in list {
            let Some(text) = item.as_str().map(str::trim) else {
                return Err(said("arg_email_list", &[]));
            };
            if !is_email(text) {
                return Err(said(
                    "arg_not_email",
                    &[("text", crate::log_safe::clip(text).to_string())],
                ));
            }
            out.push(text.to_ascii_lowercase());
        }
        Ok(Self(out))
    }
}

schema_as!(Emails: { "type": "array", "items": { "type": "string" } });

/// One email address, trimmed and lowered.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Email(pub(crate) String);

impl<'de> Deserialize<'de> for Email {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let text = string(d)?;
        if is_email(&text) {
            Ok(Self(text.to_ascii_lowercase()))
        } else {
            Err(said("arg_one_email", &[]))
        }
    }
}

schema_as!(Email: { "type": "string" });

/// One of a few words (in any letter case), declared once with [`choice!`].
pub(crate) trait Choice: Sized + 'static {
    /// Each value with its word.
    const WORDS: &'static [(Self, &'static str)];

    /// This value's word.
    fn word(&self) -> &'static str
    where
        Self: PartialEq,
    {
        Self::WORDS
            .iter()
            .find(|(v, _)| v == self)
            .map_or("", |(_, w)| *w)
    }
}

/// Declares an argument that is one of a few words: the enum, its parser (any letter case;
/// anything else is a 400 listing the words) and its schema (an `enum` of the words).
macro_rules! choice {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $word:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        $vis enum $name { $($(#[$vmeta])* $variant),+ }

        impl $crate::tools::shared::args::Choice for $name {
            const WORDS: &'static [(Self, &'static str)] = &[$((Self::$variant, $word)),+];
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $crate::tools::shared::args::word(d)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str($crate::tools::shared::args::Choice::word(self))
            }
        }

        impl schemars::JsonSchema for $name {
            fn inline_schema() -> bool {
                true
            }
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({ "type": "string", "enum": [$($word),+] })
            }
        }
    };
}
pub(crate) use choice;

/// Reads one of `T`'s words, in any letter case.
pub(crate) fn word<'de, D: Deserializer<'de>, T: Choice + Copy>(
    deserializer: D,
) -> std::result::Result<T, D::Error> {
    let text = string(deserializer)?;
    T::WORDS
        .iter()
        .find(|(_, w)| w.eq_ignore_ascii_case(&text))
        .map(|(v, _)| *v)
        .ok_or_else(|| {
            let words: Vec<&str> = T::WORDS.iter().map(|(_, w)| *w).collect();
            match words.split_last() {
                Some((last, rest)) if !rest.is_empty() => said(
                    "arg_one_of",
                    &[("listed", rest.join(", ")), ("last", (*last).to_owned())],
                ),
                _ => said("arg_the_word", &[("last", words.join(""))]),
            }
        })
}

/// An event's start and end in `zone`: end after start, at most [`MAX_WINDOW_DAYS`] long. Bare
/// dates are whole days.
pub(crate) fn event_times(start: &When, end: &When, zone: &Zone) -> Result<(Timestamp, Timestamp)> {
    let start = start.0.resolve(zone, DateMeans::StartOfDay, "start")?;
    let end = end.0.resolve(zone, DateMeans::EndOfDay, "end")?;
    if end <= start {
        return Err(Error::invalid("end", Said::key("end_after_start")));
    }
    if end.duration_since(start) > SignedDuration::from_hours(24 * MAX_WINDOW_DAYS) {
        return Err(Error::invalid(
            "end",
            Said::key("event_too_long").var("days", MAX_WINDOW_DAYS),
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
    Error::invalid("event_id", Said::key("no_such_event"))
}
