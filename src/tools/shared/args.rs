//! A tool call's arguments, from the body to typed values: the body extractor (docs/api.md's
//! 413, 415 and 400), and what each tool's arguments are made of. A tool declares its arguments
//! once, as a struct deriving `Deserialize` (the parser) and `JsonSchema` (what the persona
//! offers the model, each field's doc comment its description): [`read`] fills it, and a value
//! that cannot be read is a 400 naming its argument, with a sentence the avatar can say;
//! [`schema`] writes it as the model reads it. The argument types below turn one JSON value
//! into a typed value at the edge (a zone, a time, bounded text, a whole number), accepting the
//! shapes models send (`"30"` for 30, `"true"` for true, blank for nothing).

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use jiff::{SignedDuration, Timestamp};
use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, DeserializeOwned};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value, json};

use crate::calendar::{DateMeans, MAX_WINDOW_DAYS, TimeText, Window, Zone, is_email};
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

/// The placeholder an argument type's sentence uses for the argument's own name, which it does
/// not know: [`read`] puts the name in.
const ARGUMENT: &str = "{argument}";

/// Reads a tool's arguments (a JSON object) into its declared struct `T`.
pub(crate) fn read<T: DeserializeOwned>(args: &Map<String, Value>) -> Result<T> {
    serde_path_to_error::deserialize(Value::Object(args.clone())).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        if let Some(field) = inner
            .strip_prefix("missing field `")
            .and_then(|rest| rest.split('`').next())
        {
            return Error::invalid(field.to_owned(), format!("{field} is required."));
        }
        // The argument itself, not an element of it (`attendees[2]` is `attendees`).
        let argument = path
            .split(['[', '.'])
            .next()
            .filter(|a| !a.is_empty())
            .unwrap_or("arguments")
            .to_owned();
        let message = if inner.contains(ARGUMENT) {
            inner.replace(ARGUMENT, &argument)
        } else {
            format!("{argument}: {inner}.")
        };
        Error::invalid(argument, message)
    })
}

/// A tool's declared arguments as the JSON Schema the model reads: an object whose properties
/// each have a type and a description, and the list of required ones (those not `Option`).
pub(crate) fn schema<T: JsonSchema>() -> Value {
    let generator = SchemaSettings::draft07()
        .with(|s| {
            s.inline_subschemas = true;
            s.meta_schema = None;
        })
        .into_generator();
    let root = generator.into_root_schema_for::<T>().to_value();
    let mut properties = Map::new();
    for (name, property) in root["properties"].as_object().into_iter().flatten() {
        properties.insert(name.clone(), plain(property));
    }
    let required = root["required"].clone();
    json!({
        "type": "object",
        "properties": properties,
        "required": if required.is_array() { required } else { json!([]) },
    })
}

/// A property's schema without what an optional value adds (`null` among its types) or what a
/// model does not need (formats, bounds of the Rust type).
fn plain(property: &Value) -> Value {
    let mut out = match property["anyOf"].as_array() {
        Some(options) => options
            .iter()
            .find(|o| o["type"] != "null")
            .cloned()
            .unwrap_or_default(),
        None => property.clone(),
    };
    if let Some(description) = property.get("description") {
        out["description"] = description.clone();
    }
    if let Some(words) = out["enum"].as_array() {
        out["enum"] = Value::Array(words.iter().filter(|w| !w.is_null()).cloned().collect());
    }
    if let Some(types) = out["type"].as_array() {
        let kept: Vec<&Value> = types.iter().filter(|t| *t != "null").collect();
        if let [only] = kept.as_slice() {
            out["type"] = (*only).clone();
        }
    }
    if let Some(object) = out.as_object_mut() {
        for noise in ["format", "minimum", "maximum", "default", "title"] {
            object.remove(noise);
        }
    }
    if let Some(items) = out.get("items").map(plain) {
        out["items"] = items;
    }
    out
}

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

fn sentence<E: de::Error>(text: impl std::fmt::Display) -> E {
    E::custom(text)
}

/// A JSON string, trimmed; anything else is refused.
fn string<'de, D: Deserializer<'de>>(deserializer: D) -> std::result::Result<String, D::Error> {
    match Value::deserialize(deserializer)? {
        Value::String(s) => Ok(s.trim().to_owned()),
        Value::Null => Err(sentence(format!("{ARGUMENT} is required."))),
        _ => Err(sentence(format!("{ARGUMENT} must be a string."))),
    }
}

/// Says that an argument type is written as a JSON string (or another simple type).
macro_rules! simple_schema {
    ($type:ty, $json:literal) => {
        impl JsonSchema for $type {
            fn inline_schema() -> bool {
                true
            }
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($type).into()
            }
            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                json_schema!({ "type": $json })
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
            return Err(sentence(format!("{ARGUMENT} is required.")));
        }
        if text.chars().count() > MAX {
            return Err(sentence(format!(
                "{ARGUMENT} must be at most {MAX} characters."
            )));
        }
        Ok(Self(text))
    }
}

impl<const MAX: usize> JsonSchema for Text<MAX> {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Text".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "string" })
    }
}

/// A time as the model writes it: ISO 8601 with an offset (an instant), without one (the wall
/// clock of the call's zone), or a bare date (a whole day).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct When(pub(crate) TimeText);

impl<'de> Deserialize<'de> for When {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let text = string(d)?;
        TimeText::parse(&text, ARGUMENT)
            .map(Self)
            .map_err(|e| sentence(e.message))
    }
}
simple_schema!(When, "string");

/// An IANA time zone, in any letter case (kept in the database's own spelling).
#[derive(Clone, Debug)]
pub(crate) struct ZoneName(pub(crate) Zone);

impl<'de> Deserialize<'de> for ZoneName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let text = string(d)?;
        Zone::parse(&text, ARGUMENT)
            .map(Self)
            .map_err(|e| sentence(e.message))
    }
}
simple_schema!(ZoneName, "string");

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
            Err(sentence(format!(
                "{ARGUMENT} is not an event id. Use the id list_events gave for the event."
            )))
        }
    }
}
simple_schema!(EventId, "string");

/// A whole number, as models send it: `30`, `30.0` or `"30"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Count(pub(crate) i64);

impl<'de> Deserialize<'de> for Count {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let bad = || sentence(format!("{ARGUMENT} must be a whole number."));
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
simple_schema!(Count, "number");

/// Yes or no: `true`, `false`, or the strings models sometimes send instead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Flag(pub(crate) bool);

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::Bool(b) => Ok(Self(b)),
            Value::String(s) if s.trim().eq_ignore_ascii_case("true") => Ok(Self(true)),
            Value::String(s) if s.trim().eq_ignore_ascii_case("false") => Ok(Self(false)),
            _ => Err(sentence(format!("{ARGUMENT} must be true or false."))),
        }
    }
}
simple_schema!(Flag, "boolean");

/// Email addresses: a list of strings, each an address (trimmed, lower-cased).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Emails(pub(crate) Vec<String>);

impl<'de> Deserialize<'de> for Emails {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let list = match Value::deserialize(d)? {
            Value::Array(list) => list,
            _ => {
                return Err(sentence(format!(
                    "{ARGUMENT} must be a list of email addresses."
                )));
            }
        };
        let mut out = Vec::new();
        for item in list {
            let Some(text) = item.as_str().map(str::trim) else {
                return Err(sentence(format!(
                    "{ARGUMENT} must be a list of email addresses."
                )));
            };
            if !is_email(text) {
                return Err(sentence(format!(
                    "\"{}\" in {ARGUMENT} is not an email address. Ask the user to spell it.",
                    crate::log_safe::clip(text)
                )));
            }
            out.push(text.to_ascii_lowercase());
        }
        Ok(Self(out))
    }
}

impl JsonSchema for Emails {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Emails".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "array", "items": { "type": "string" } })
    }
}

/// One of a few words (in any letter case), declared once with [`choice!`].
pub(crate) trait Choice: Sized + 'static {
    /// Each value with its word.
    const WORDS: &'static [(Self, &'static str)];
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
                let word = <Self as $crate::tools::shared::args::Choice>::WORDS
                    .iter()
                    .find(|(v, _)| v == self)
                    .map_or("", |(_, w)| *w);
                s.serialize_str(word)
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
            let listed = match words.split_last() {
                Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
                _ => words.join(""),
            };
            sentence(format!("{ARGUMENT} must be {listed}."))
        })
}

/// An event's start and end in `zone`: end after start, at most [`MAX_WINDOW_DAYS`] long. Bare
/// dates are whole days.
pub(crate) fn event_times(start: &When, end: &When, zone: &Zone) -> Result<(Timestamp, Timestamp)> {
    let start = start.0.resolve(zone, DateMeans::StartOfDay, "start")?;
    let end = end.0.resolve(zone, DateMeans::EndOfDay, "end")?;
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

#[cfg(test)]
mod tests {
    use super::*;

    choice! {
        /// A choice for the tests.
        enum Colour { Red = "red", Light = "light_blue" }
    }

    /// Arguments of every kind, for the tests.
    #[derive(Debug, Deserialize, JsonSchema)]
    struct Sample {
        /// The event.
        event_id: EventId,
        /// How many.
        #[serde(default, deserialize_with = "optional")]
        count: Option<Count>,
        /// Whether.
        #[serde(default, deserialize_with = "optional")]
        flag: Option<Flag>,
        /// Which.
        #[serde(default, deserialize_with = "optional")]
        colour: Option<Colour>,
        /// A note.
        #[serde(default, deserialize_with = "optional")]
        note: Option<Text<5>>,
        /// When.
        #[serde(default, deserialize_with = "optional")]
        at: Option<When>,
        /// Where.
        #[serde(default, deserialize_with = "optional")]
        timezone: Option<ZoneName>,
        /// Who.
        #[serde(default)]
        people: Vec<String>,
    }

    fn sample(v: Value) -> Result<Sample> {
        read(v.as_object().expect("object"))
    }

    fn refused(v: Value) -> (String, String) {
        match sample(v) {
            Err(Error::Input(crate::error::Input::InvalidArgument { argument, message })) => {
                (argument.into_owned(), message)
            }
            other => panic!("expected a 400, got {other:?}"),
        }
    }

    #[test]
    fn each_value_is_read_in_the_shapes_models_send() {
        for count in [json!(30), json!(30.0), json!("30")] {
            let s = sample(json!({"event_id": "abc_1", "count": count})).expect("read");
            assert_eq!(s.count, Some(Count(30)));
        }
        let s = sample(json!({"event_id": "abc_20261124T090000Z", "flag": "TRUE", "colour": "Light_Blue",
            "note": "  hi  ", "at": "2026-11-24", "timezone": "europe/berlin", "people": ["a@b.c"]}))
        .expect("read");
        assert_eq!(s.flag, Some(Flag(true)));
        assert_eq!(s.colour, Some(Colour::Light));
        assert_eq!(s.note, Some(Text("hi".into())));
        assert!(matches!(s.at, Some(When(TimeText::Date(_)))));
        assert_eq!(s.timezone.map(|z| z.0.name), Some("Europe/Berlin".into()));
        assert_eq!(
            (s.event_id.0.as_str(), s.people),
            ("abc_20261124T090000Z", vec!["a@b.c".to_owned()])
        );
        let blank = sample(json!({"event_id": "x", "note": " ", "count": null})).expect("read");
        assert_eq!(
            (blank.note, blank.count),
            (None, None),
            "blank and null are not given"
        );
    }

    #[test]
    fn a_value_that_cannot_be_read_is_named_with_a_sentence() {
        for (args, argument, says) in [
            (json!({}), "event_id", "event_id is required."),
            (
                json!({"event_id": "../calendarList"}),
                "event_id",
                "event_id is not an event id.",
            ),
            (
                json!({"event_id": 42}),
                "event_id",
                "event_id must be a string.",
            ),
            (
                json!({"event_id": "x", "count": 30.5}),
                "count",
                "count must be a whole number.",
            ),
            (
                json!({"event_id": "x", "flag": "sometimes"}),
                "flag",
                "flag must be true or false.",
            ),
            (
                json!({"event_id": "x", "colour": "green"}),
                "colour",
                "colour must be red or light_blue.",
            ),
            (
                json!({"event_id": "x", "note": "too long"}),
                "note",
                "note must be at most 5 characters.",
            ),
            (
                json!({"event_id": "x", "at": "tomorrow"}),
                "at",
                "at \"tomorrow\" is not an ISO 8601",
            ),
            (
                json!({"event_id": "x", "timezone": "Mars/Olympus"}),
                "timezone",
                "timezone \"Mars/Olympus\" is not an IANA",
            ),
            (
                json!({"event_id": "x", "people": [1]}),
                "people",
                "people: invalid type",
            ),
        ] {
            let (named, message) = refused(args.clone());
            assert_eq!(named, argument, "{args}");
            assert!(message.starts_with(says), "{args}: {message}");
        }
    }

    #[test]
    fn the_schema_is_what_the_model_reads_typed_described_and_required_once() {
        let schema = schema::<Sample>();
        assert_eq!(schema["type"], "object");
        assert_eq!(schema["required"], json!(["event_id"]));
        let p = &schema["properties"];
        assert_eq!(
            p["event_id"],
            json!({"type": "string", "description": "The event."})
        );
        assert_eq!(
            p["count"],
            json!({"type": "number", "description": "How many."})
        );
        assert_eq!(
            p["flag"],
            json!({"type": "boolean", "description": "Whether."})
        );
        assert_eq!(
            p["colour"],
            json!({"type": "string", "enum": ["red", "light_blue"], "description": "Which."})
        );
        assert_eq!(
            p["people"],
            json!({"type": "array", "items": {"type": "string"}, "description": "Who."})
        );
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
