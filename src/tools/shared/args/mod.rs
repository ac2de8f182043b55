//! A tool call's arguments, from the body to typed values: the body extractor (docs/api.md's
//! 413, 415 and 400), and what each tool's arguments are made of. A tool declares its arguments
//! once, as a struct deriving `Deserialize` (the parser) and `JsonSchema` (what the persona
//! offers the model, each field's doc comment its description): [`read`] fills it, and a value
//! that cannot be read is a 400 naming its argument, with a sentence the avatar can say;
//! [`schema`] writes it as the model reads it. The argument types are in `values`.

mod values;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use schemars::JsonSchema;
use schemars::generate::SchemaSettings;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use crate::error::{Error, Input, Result};
use crate::messages::Said;
pub(crate) use values::{
    Choice, Count, Email, Emails, EventId, Flag, Text, When, ZoneName, check_early, choice,
    event_times, no_such_event, optional, word,
};

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
            return Error::invalid(
                field.to_owned(),
                Said::key("arg_required").var("argument", field),
            );
        }
        // The argument itself, not an element of it (`attendees[2]` is `attendees`).
        let argument = path
            .split(['[', '.'])
            .next()
            .filter(|a| !a.is_empty())
            .unwrap_or("arguments")
            .to_owned();
        // An argument type's own sentence, naming the argument now that it is known; else
        // serde's words.
        let detail = match Said::decode(&inner) {
            Some(Said::Key(key, vars)) => {
                let mut vars: Vec<(&'static str, Said)> = vars
                    .into_iter()
                    .filter(|(name, _)| *name != "argument")
                    .collect();
                vars.push(("argument", Said::Text(argument.clone())));
                Said::Key(key, vars)
            }
            _ => Said::Text(format!("{argument}: {inner}.")),
        };
        Error::invalid(argument, detail)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::TimeText;
    use serde::Deserialize;

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
            Err(Error::Input(crate::error::Input::InvalidArgument { argument, detail })) => {
                (argument.into_owned(), detail.to_string())
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
