//! The stand-in Google refuses what real Google would not understand, read from Google's own
//! discovery documents (`tests/data/calendar.v3.json`, `people.v1.json`, as shipped in Google's
//! client libraries): a path no method has, a query parameter the method does not take, a value
//! outside its enum or of the wrong type, a body field the resource does not have. Mounted in
//! front of every Calendar and People endpoint, so a request our code builds wrong fails the
//! test that makes it instead of being answered by a mock that does not look.

use std::sync::OnceLock;

use serde_json::{Map, Value, json};
use wiremock::matchers::path_regex;
use wiremock::{Match, Mock, MockServer, Request, Respond, ResponseTemplate};

struct Api {
    /// Where the API's paths start on the mock (`/calendar/v3/`).
    prefix: &'static str,
    doc: Value,
}

fn apis() -> &'static [Api] {
    static APIS: OnceLock<Vec<Api>> = OnceLock::new();
    APIS.get_or_init(|| {
        let read = |text: &str| serde_json::from_str::<Value>(text).expect("discovery document");
        vec![
            Api {
                prefix: "/calendar/v3/",
                doc: read(include_str!("../../data/calendar.v3.json")),
            },
            Api {
                prefix: "/people/",
                doc: read(include_str!("../../data/people.v1.json")),
            },
        ]
    })
}

/// Every method of a discovery document: (HTTP method, path template, method).
fn methods(doc: &Value) -> Vec<(&str, &str, &Value)> {
    fn walk<'a>(resources: &'a Value, out: &mut Vec<(&'a str, &'a str, &'a Value)>) {
        for resource in resources.as_object().into_iter().flat_map(|r| r.values()) {
            for method in resource["methods"]
                .as_object()
                .into_iter()
                .flat_map(|m| m.values())
            {
                let path = method["flatPath"]
                    .as_str()
                    .or_else(|| method["path"].as_str())
                    .unwrap_or_default();
                out.push((
                    method["httpMethod"].as_str().unwrap_or_default(),
                    path,
                    method,
                ));
            }
            walk(&resource["resources"], out);
        }
    }
    let mut out = Vec::new();
    walk(&doc["resources"], &mut out);
    out
}

/// How well `path` (segments) fits `template`: the number of literal segments matched, or
/// `None` when it does not fit.
fn fits(template: &str, path: &str) -> Option<usize> {
    let (t, p): (Vec<&str>, Vec<&str>) = (template.split('/').collect(), path.split('/').collect());
    if t.len() != p.len() {
        return None;
    }
    let mut literal = 0;
    for (t, p) in t.iter().zip(&p) {
        if t.starts_with('{') && t.ends_with('}') {
            if p.is_empty() {
                return None;
            }
        } else if t == p {
            literal += 1;
        } else {
            return None;
        }
    }
    Some(literal)
}

/// Why real Google would refuse `request`, if it would.
pub fn refusal(request: &Request) -> Option<String> {
    let full = request.url.path();
    let api = apis().iter().find(|a| full.starts_with(a.prefix))?;
    let path = &full[api.prefix.len()..];
    let verb = request.method.as_str();
    let method = methods(&api.doc)
        .into_iter()
        .filter(|(v, _, _)| *v == verb)
        .filter_map(|(_, template, m)| fits(template, path).map(|score| (score, m)))
        .max_by_key(|(score, _)| *score)
        .map(|(_, m)| m);
    let Some(method) = method else {
        return Some(format!("no method {verb} {path}"));
    };
    let params = &method["parameters"];
    let globals = &api.doc["parameters"];
    let mut seen: Vec<String> = Vec::new();
    for (name, value) in request.url.query_pairs() {
        let spec = params
            .get(name.as_ref())
            .filter(|p| p["location"] == "query")
            .or_else(|| globals.get(name.as_ref()));
        let Some(spec) = spec else {
            return Some(format!("unknown parameter {name}"));
        };
        if seen.contains(&name.to_string()) && spec["repeated"] != true {
            return Some(format!("parameter {name} given twice"));
        }
        seen.push(name.to_string());
        if let Err(why) = scalar(spec, &value) {
            return Some(format!("parameter {name}: {why}"));
        }
    }
    for (name, spec) in params.as_object().into_iter().flatten() {
        if spec["location"] == "query" && spec["required"] == true && !seen.contains(name) {
            return Some(format!("missing required parameter {name}"));
        }
    }
    if let Some(reference) = method["request"]["$ref"].as_str() {
        let body: Value = match serde_json::from_slice(&request.body) {
            Ok(body) => body,
            Err(_) => return Some("the body is not JSON".into()),
        };
        let schema = json!({ "$ref": reference });
        if let Err(why) = check(&api.doc["schemas"], &schema, &body, reference) {
            return Some(why);
        }
    }
    None
}

/// A query value against its parameter's type and enum.
fn scalar(spec: &Value, value: &str) -> Result<(), String> {
    if let Some(values) = spec["enum"].as_array() {
        if !values.iter().any(|v| v == value) {
            return Err(format!("{value} is not one of {values:?}"));
        }
    }
    match (spec["type"].as_str(), spec["format"].as_str()) {
        (Some("integer"), _) => {
            let n: i64 = value
                .parse()
                .map_err(|_| format!("{value} is not an integer"))?;
            if let Some(min) = spec["minimum"].as_str().and_then(|m| m.parse::<i64>().ok()) {
                if n < min {
                    return Err(format!("{n} is below {min}"));
                }
            }
            Ok(())
        }
        (Some("boolean"), _) if value != "true" && value != "false" => {
            Err(format!("{value} is not true or false"))
        }
        (_, Some("date-time")) => value
            .parse::<jiff::Timestamp>()
            .map(|_| ())
            .map_err(|_| format!("{value} is not an RFC 3339 date-time")),
        _ => Ok(()),
    }
}

/// A JSON value against a schema of the discovery document (objects field by field).
fn check(schemas: &Value, schema: &Value, value: &Value, at: &str) -> Result<(), String> {
    let schema = match schema["$ref"].as_str() {
        Some(name) => &schemas[name],
        None => schema,
    };
    if value.is_null() {
        return Ok(());
    }
    match schema["type"].as_str() {
        Some("object") => {
            let Some(fields) = value.as_object() else {
                return Err(format!("{at} is not an object"));
            };
            object(schemas, schema, fields, at)
        }
        Some("array") => {
            let Some(items) = value.as_array() else {
                return Err(format!("{at} is not a list"));
            };
            items
                .iter()
                .try_for_each(|item| check(schemas, &schema["items"], item, at))
        }
        Some("string") => {
            if !value.is_string() {
                return Err(format!("{at} is not a string"));
            }
            match schema["enum"].as_array() {
                Some(values) if !values.contains(value) => {
                    Err(format!("{at}: {value} is not one of {values:?}"))
                }
                _ => Ok(()),
            }
        }
        Some("boolean") if !value.is_boolean() => Err(format!("{at} is not true or false")),
        Some("integer") if !(value.is_i64() || value.is_u64() || value.is_string()) => {
            Err(format!("{at} is not an integer"))
        }
        _ => Ok(()),
    }
}

fn object(
    schemas: &Value,
    schema: &Value,
    fields: &Map<String, Value>,
    at: &str,
) -> Result<(), String> {
    let properties = schema["properties"].as_object();
    let extra = &schema["additionalProperties"];
    for (key, value) in fields {
        let inner = format!("{at}.{key}");
        match properties.and_then(|p| p.get(key)) {
            Some(spec) => check(schemas, spec, value, &inner)?,
            None if !extra.is_null() => check(schemas, extra, value, &inner)?,
            None => {
                return Err(format!(
                    "Invalid JSON payload received. Unknown name \"{key}\" at {at}"
                ));
            }
        }
    }
    Ok(())
}

/// Matches a request real Google would refuse as malformed.
struct Malformed;

impl Match for Malformed {
    fn matches(&self, request: &Request) -> bool {
        refusal(request).is_some()
    }
}

struct BadRequest;

impl Respond for BadRequest {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let why = refusal(request).unwrap_or_default();
        let (code, reason) = if why.starts_with("no method") {
            (404, "notFound")
        } else {
            (400, "invalid")
        };
        ResponseTemplate::new(code).set_body_json(json!({"error": {"code": code, "message": why,
            "errors": [{"domain": "global", "reason": reason, "message": why}]}}))
    }
}

/// Puts the discovery check in front of every Calendar and People endpoint on `server`.
pub async fn guard(server: &MockServer) {
    Mock::given(path_regex("^/(calendar/v3|people/v1)/"))
        .and(Malformed)
        .respond_with(BadRequest)
        .with_priority(1)
        .mount(server)
        .await;
}
