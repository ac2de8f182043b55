//! A fake Google Calendar on wiremock. Inserted events are kept by id (a repeated id answers
//! 409, like Google), so idempotency is checked against state rather than a scripted reply.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Base path of the Calendar API on the mock.
pub const BASE: &str = "/calendar/v3";

/// Events created through the fake, by id.
#[derive(Clone, Default)]
pub struct Events(pub Arc<Mutex<HashMap<String, Value>>>);

impl Events {
    /// How many distinct events exist.
    pub fn len(&self) -> usize {
        self.0.lock().expect("lock").len()
    }
}

struct Insert(Events);

impl Respond for Insert {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let mut body: Value = match serde_json::from_slice(&request.body) {
            Ok(v) => v,
            Err(_) => return ResponseTemplate::new(400),
        };
        let id = body["id"].as_str().unwrap_or("generated").to_owned();
        let mut events = self.0.0.lock().expect("lock");
        if events.contains_key(&id) {
            return ResponseTemplate::new(409).set_body_json(json!({
                "error": {"code": 409, "message": "The requested identifier already exists.",
                          "errors": [{"reason": "duplicate"}]}
            }));
        }
        body["htmlLink"] = json!(format!("https://calendar.google.com/event?eid={id}"));
        body["status"] = json!("confirmed");
        events.insert(id, body.clone());
        ResponseTemplate::new(200).set_body_json(body)
    }
}

struct Get(Events);

impl Respond for Get {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let id = request.url.path().rsplit('/').next().unwrap_or("");
        match self.0.0.lock().expect("lock").get(id) {
            Some(event) => ResponseTemplate::new(200).set_body_json(event.clone()),
            None => ResponseTemplate::new(404)
                .set_body_json(json!({"error": {"code": 404, "message": "Not Found"}})),
        }
    }
}

/// Mounts insert and get on a fresh event store and returns it.
pub async fn mount_events(server: &MockServer) -> Events {
    let events = Events::default();
    Mock::given(method("POST"))
        .and(path(format!("{BASE}/calendars/primary/events")))
        .respond_with(Insert(events.clone()))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path_regex(format!(
            "^{BASE}/calendars/primary/events/[a-v0-9]+$"
        )))
        .respond_with(Get(events.clone()))
        .mount(server)
        .await;
    events
}

/// Answers `settings/timezone` with `zone`.
pub async fn mount_timezone(server: &MockServer, zone: &str) {
    Mock::given(method("GET"))
        .and(path(format!("{BASE}/users/me/settings/timezone")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "kind": "calendar#setting", "id": "timezone", "value": zone
        })))
        .mount(server)
        .await;
}

/// Answers `events.list` with `items`.
pub async fn mount_list(server: &MockServer, items: Value) {
    Mock::given(method("GET"))
        .and(path(format!("{BASE}/calendars/primary/events")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "kind": "calendar#events", "summary": "ada@example.com", "timeZone": "America/New_York",
            "creator": {"email": "ignored"}, "items": items
        })))
        .mount(server)
        .await;
}

/// Answers `freebusy.query` with these busy periods for primary.
pub async fn mount_busy(server: &MockServer, busy: Value) {
    Mock::given(method("POST"))
        .and(path(format!("{BASE}/freeBusy")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "kind": "calendar#freeBusy",
            "calendars": {"primary": {"busy": busy}}
        })))
        .mount(server)
        .await;
}

/// Makes `verb` on the Calendar path `endpoint` (under [`BASE`]) answer `template`.
pub async fn answer_with(
    server: &MockServer,
    verb: &str,
    endpoint: &str,
    template: ResponseTemplate,
) {
    Mock::given(method(verb))
        .and(path(format!("{BASE}{endpoint}")))
        .respond_with(template)
        .with_priority(1)
        .mount(server)
        .await;
}

/// Google's JSON error body with `code` and `message`.
pub fn google_error(code: u16, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(code).set_body_json(json!({"error": {"code": code, "message": message}}))
}

/// Every Calendar API request the mock received.
pub async fn calendar_requests(server: &MockServer) -> Vec<Request> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r.url.path().starts_with(BASE))
        .collect()
}

/// A query parameter of a received request.
pub fn query(request: &Request, name: &str) -> Option<String> {
    request
        .url
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}
