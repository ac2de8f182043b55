//! A fake Google Calendar on wiremock. Inserted events are kept by id (a repeated id answers
//! 409, like Google), so idempotency is checked against state rather than a scripted reply.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Base path of the Calendar API on the mock.
pub const BASE: &str = "/calendar/v3";

/// Events created through the fake, by id. Like Google, a deleted event stays, with status
/// `cancelled`, and its id cannot be inserted again. Every e-mail Google would send for a write
/// with `sendUpdates=all` is put in the outbox: the guests of an event the user organizes (when
/// it is created, changed or cancelled), the organizer of one they only attend (their answer).
#[derive(Clone, Default)]
pub struct Events {
    events: Arc<Mutex<HashMap<String, Value>>>,
    outbox: Arc<Mutex<Vec<String>>>,
    /// Events on a calendar other than the primary, by id.
    calendars: Arc<Mutex<HashMap<String, String>>>,
    /// Google refuses these event types on insert (not every account has them).
    refused_types: Arc<Mutex<Vec<String>>>,
    etags: Arc<std::sync::atomic::AtomicU64>,
}

impl Events {
    /// How many distinct events exist (cancelled ones included, as Google keeps them).
    pub fn len(&self) -> usize {
        self.events.lock().expect("lock").len()
    }

    /// The event with `id`, if any.
    pub fn get(&self, id: &str) -> Option<Value> {
        self.events.lock().expect("lock").get(id).cloned()
    }

    /// Puts `event` (with its `id`) on the calendar, as if made elsewhere; it gets a fresh
    /// etag, as any change at Google does.
    pub fn put(&self, mut event: Value) {
        let id = event["id"].as_str().expect("id").to_owned();
        event["etag"] = json!(self.next_etag());
        self.events.lock().expect("lock").insert(id, event);
    }

    /// Puts `event` on the calendar `calendar` (not the primary).
    pub fn put_on(&self, calendar: &str, event: Value) {
        let id = event["id"].as_str().expect("id").to_owned();
        self.calendars
            .lock()
            .expect("lock")
            .insert(id, calendar.to_owned());
        self.put(event);
    }

    /// From now on, inserting an event of `event_type` is refused as Google does on an
    /// account without it.
    pub fn refuse_type(&self, event_type: &str) {
        self.refused_types
            .lock()
            .expect("lock")
            .push(event_type.to_owned());
    }

    fn next_etag(&self) -> String {
        let n = self.etags.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        format!("\"{}\"", 3_391_000_000 + n)
    }

    /// Whether the request names `id` on the calendar it lives on.
    fn on_its_calendar(&self, request: &Request, id: &str) -> bool {
        let wanted = self
            .calendars
            .lock()
            .expect("lock")
            .get(id)
            .cloned()
            .unwrap_or_else(|| "primary".into());
        let asked = request.url.path().split('/').nth(4).unwrap_or_default();
        let asked = urlencoding_decode(asked);
        asked == wanted
    }

    /// Google's `If-Match`: a write on an etag that is no longer the event's is refused.
    fn precondition_failed(request: &Request, event: &Value) -> Option<ResponseTemplate> {
        let wanted = request.headers.get("if-match")?.to_str().ok()?;
        (wanted != event["etag"].as_str().unwrap_or_default()).then(|| {
            ResponseTemplate::new(412).set_body_json(json!({"error": {"code": 412,
                "message": "Precondition Failed", "errors": [{"domain": "global",
                "reason": "conditionNotMet", "message": "Precondition Failed",
                "locationType": "header", "location": "If-Match"}]}}))
        })
    }

    /// What the user deleting the event in Google Calendar does.
    pub fn cancel(&self, id: &str) {
        if let Some(event) = self.events.lock().expect("lock").get_mut(id) {
            event["status"] = json!("cancelled");
        }
    }

    /// Every e-mail sent so far, one recipient per entry.
    pub fn emails(&self) -> Vec<String> {
        self.outbox.lock().expect("lock").clone()
    }

    /// Google's e-mails for a write to `event` with `sendUpdates=all`.
    fn mail(&self, request: &Request, event: &Value) {
        if query(request, "sendUpdates").as_deref() != Some("all") {
            return;
        }
        let mut outbox = self.outbox.lock().expect("lock");
        if event["organizer"].is_object() && event["organizer"]["self"] != json!(true) {
            if let Some(organizer) = event["organizer"]["email"].as_str() {
                outbox.push(organizer.to_owned());
            }
            return;
        }
        for guest in event["attendees"].as_array().into_iter().flatten() {
            if guest["self"] != json!(true) && guest["resource"] != json!(true) {
                outbox.push(guest["email"].as_str().unwrap_or_default().to_owned());
            }
        }
    }
}

fn urlencoding_decode(text: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", text.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

fn not_found() -> ResponseTemplate {
    ResponseTemplate::new(404).set_body_json(json!({"error": {"code": 404, "message": "Not Found",
        "errors": [{"domain": "global", "reason": "notFound"}]}}))
}

fn event_id(request: &Request) -> &str {
    request.url.path().rsplit('/').next().unwrap_or("")
}

struct Insert(Events);

impl Respond for Insert {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let mut body: Value = match serde_json::from_slice(&request.body) {
            Ok(v) => v,
            Err(_) => return ResponseTemplate::new(400),
        };
        let id = body["id"].as_str().unwrap_or("generated").to_owned();
        let kind = body["eventType"].as_str().unwrap_or("default").to_owned();
        if self.0.refused_types.lock().expect("lock").contains(&kind) {
            return ResponseTemplate::new(400).set_body_json(json!({"error": {"code": 400,
                "message": "This calendar does not support events of this type.",
                "errors": [{"domain": "calendar", "reason": "eventTypeRestriction"}]}}));
        }
        body["etag"] = json!(self.0.next_etag());
        let mut events = self.0.events.lock().expect("lock");
        if events.contains_key(&id) {
            return ResponseTemplate::new(409).set_body_json(json!({
                "error": {"code": 409, "message": "The requested identifier already exists.",
                          "errors": [{"reason": "duplicate"}]}
            }));
        }
        body["htmlLink"] = json!(format!("https://calendar.google.com/event?eid={id}"));
        body["status"] = json!("confirmed");
        events.insert(id, body.clone());
        self.0.mail(request, &body);
        ResponseTemplate::new(200).set_body_json(body)
    }
}

struct Get(Events);

impl Respond for Get {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let id = event_id(request);
        match self.0.get(id) {
            Some(event) if self.0.on_its_calendar(request, id) => {
                ResponseTemplate::new(200).set_body_json(event)
            }
            _ => not_found(),
        }
    }
}

/// `events.update` (PUT): replaces the event; the id and link stay.
struct Update(Events);

impl Respond for Update {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let Ok(mut body) = serde_json::from_slice::<Value>(&request.body) else {
            return ResponseTemplate::new(400);
        };
        let id = event_id(request).to_owned();
        let mut events = self.0.events.lock().expect("lock");
        let Some(old) = events.get(&id) else {
            return not_found();
        };
        if let Some(refused) = Events::precondition_failed(request, old) {
            return refused;
        }
        body["id"] = json!(id);
        body["etag"] = json!(self.0.next_etag());
        body["htmlLink"] = old["htmlLink"].clone();
        if body["status"].is_null() {
            body["status"] = json!("confirmed");
        }
        events.insert(id, body.clone());
        ResponseTemplate::new(200).set_body_json(body)
    }
}

/// `events.patch`: the fields sent replace the stored ones; the rest stay.
struct Patch(Events);

impl Respond for Patch {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(&request.body) else {
            return ResponseTemplate::new(400);
        };
        let id = event_id(request);
        if !self.0.on_its_calendar(request, id) {
            return not_found();
        }
        let etag = self.0.next_etag();
        let mut events = self.0.events.lock().expect("lock");
        let Some(event) = events.get_mut(id) else {
            return not_found();
        };
        if let Some(refused) = Events::precondition_failed(request, event) {
            return refused;
        }
        for (key, value) in fields {
            event[key] = value;
        }
        event["etag"] = json!(etag);
        self.0.mail(request, event);
        ResponseTemplate::new(200).set_body_json(event.clone())
    }
}

/// `events.delete`: the event becomes `cancelled`; deleting it again is 410 Gone.
struct Delete(Events);

impl Respond for Delete {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let id = event_id(request);
        if !self.0.on_its_calendar(request, id) {
            return not_found();
        }
        let etag = self.0.next_etag();
        let mut events = self.0.events.lock().expect("lock");
        if let Some(refused) = events
            .get(id)
            .and_then(|e| Events::precondition_failed(request, e))
        {
            return refused;
        }
        match events.get_mut(id) {
            None => not_found(),
            Some(event) if event["status"] == "cancelled" => ResponseTemplate::new(410)
                .set_body_json(
                    json!({"error": {"code": 410, "message": "Resource has been deleted",
                    "errors": [{"domain": "global", "reason": "deleted"}]}}),
                ),
            Some(event) => {
                event["status"] = json!("cancelled");
                event["etag"] = json!(etag);
                self.0.mail(request, event);
                ResponseTemplate::new(204)
            }
        }
    }
}

/// `events.instances`: the occurrences stored for the series (`recurringEventId`) that start
/// before `timeMax`.
struct Instances(Events);

impl Respond for Instances {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let series = request.url.path().split('/').nth(6).unwrap_or_default();
        let before = query(request, "timeMax").and_then(|t| t.parse::<jiff::Timestamp>().ok());
        let events = self.0.events.lock().expect("lock");
        let items: Vec<&Value> = events
            .values()
            .filter(|e| e["recurringEventId"] == series)
            .filter(|e| {
                let start = e["originalStartTime"]["dateTime"]
                    .as_str()
                    .and_then(|t| t.parse::<jiff::Timestamp>().ok());
                matches!((start, before), (Some(s), Some(b)) if s < b)
            })
            .collect();
        ResponseTemplate::new(200).set_body_json(json!({"kind": "calendar#events", "items": items}))
    }
}

/// Mounts insert, get, update and delete (on any calendar) and instances on a fresh event
/// store and returns it.
pub async fn mount_events(server: &MockServer) -> Events {
    let events = Events::default();
    let one = format!("^{BASE}/calendars/[^/]+/events/[A-Za-z0-9_-]+$");
    Mock::given(method("POST"))
        .and(path_regex(format!("^{BASE}/calendars/[^/]+/events$")))
        .respond_with(Insert(events.clone()))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path_regex(format!(
            "^{BASE}/calendars/[^/]+/events/[A-Za-z0-9_-]+/instances$"
        )))
        .respond_with(Instances(events.clone()))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path_regex(one.clone()))
        .respond_with(Get(events.clone()))
        .mount(server)
        .await;
    Mock::given(method("PUT"))
        .and(path_regex(one.clone()))
        .respond_with(Update(events.clone()))
        .mount(server)
        .await;
    Mock::given(method("PATCH"))
        .and(path_regex(one.clone()))
        .respond_with(Patch(events.clone()))
        .mount(server)
        .await;
    Mock::given(method("DELETE"))
        .and(path_regex(one))
        .respond_with(Delete(events.clone()))
        .mount(server)
        .await;
    events
}

/// The requests with `verb` the Calendar mock received.
pub async fn requests_with(server: &MockServer, verb: &str) -> Vec<Request> {
    calendar_requests(server)
        .await
        .into_iter()
        .filter(|r| r.method.as_str() == verb)
        .collect()
}

/// `events.list` answered page by page, as Google does: at most `maxResults` items per page,
/// and at most `per_page` (Google may send fewer than asked for with more to come), with a
/// `nextPageToken` while items remain.
struct Pages {
    items: Vec<Value>,
    per_page: usize,
}

impl Respond for Pages {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let offset: usize = match query(request, "pageToken") {
            None => 0,
            Some(token) => match token.strip_prefix('o').and_then(|n| n.parse().ok()) {
                Some(n) => n,
                None => {
                    return ResponseTemplate::new(400).set_body_json(
                        json!({"error": {"code": 400, "message": "Invalid page token"}}),
                    );
                }
            },
        };
        let asked: usize = query(request, "maxResults")
            .and_then(|n| n.parse().ok())
            .unwrap_or(250);
        let end = (offset + asked.min(self.per_page)).min(self.items.len());
        let mut body =
            json!({"kind": "calendar#events", "items": self.items[offset.min(end)..end]});
        if end < self.items.len() {
            body["nextPageToken"] = json!(format!("o{end}"));
        }
        ResponseTemplate::new(200).set_body_json(body)
    }
}

/// Answers `events.list` on primary with `items`, `per_page` at a time at most.
pub async fn mount_list_paged(server: &MockServer, items: Vec<Value>, per_page: usize) {
    Mock::given(method("GET"))
        .and(path(format!("{BASE}/calendars/primary/events")))
        .respond_with(Pages { items, per_page })
        .mount(server)
        .await;
}

/// Answers `calendarList.list` with `items`.
pub async fn mount_calendars(server: &MockServer, items: Value) {
    Mock::given(method("GET"))
        .and(path(format!("{BASE}/users/me/calendarList")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "kind": "calendar#calendarList", "items": items
        })))
        .mount(server)
        .await;
}

/// A user with only their primary calendar, in UTC: answered unless a test mounts its own
/// calendar list or zone (lowest priority).
pub async fn mount_defaults(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path(format!("{BASE}/users/me/calendarList")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "kind": "calendar#calendarList",
            "items": [{"id": "me@example.com", "summary": "me@example.com", "primary": true,
                       "selected": true, "accessRole": "owner", "backgroundColor": "#9fe1e7"}]
        })))
        .with_priority(10)
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{BASE}/users/me/settings/timezone")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "kind": "calendar#setting", "id": "timezone", "value": "UTC"
        })))
        .with_priority(10)
        .mount(server)
        .await;
}

/// The Calendar requests to `endpoint` (under [`BASE`], e.g. "/freeBusy").
pub async fn requests_to(server: &MockServer, endpoint: &str) -> Vec<Request> {
    calendar_requests(server)
        .await
        .into_iter()
        .filter(|r| r.url.path() == format!("{BASE}{endpoint}"))
        .collect()
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

/// `freebusy.query` answered per calendar asked about: busy periods from `busy` (by id); an id
/// not in it answers Google's `notFound` error for that calendar.
struct BusyByCalendar(Value);

impl Respond for BusyByCalendar {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let Ok(body) = serde_json::from_slice::<Value>(&request.body) else {
            return ResponseTemplate::new(400);
        };
        let mut calendars = serde_json::Map::new();
        for item in body["items"].as_array().into_iter().flatten() {
            let id = item["id"].as_str().unwrap_or("").to_owned();
            let answer = match self.0.get(&id) {
                Some(busy) => json!({"busy": busy}),
                None => json!({"errors": [{"domain": "global", "reason": "notFound"}], "busy": []}),
            };
            calendars.insert(id, answer);
        }
        ResponseTemplate::new(200).set_body_json(json!({
            "kind": "calendar#freeBusy", "timeMin": body["timeMin"], "timeMax": body["timeMax"],
            "calendars": calendars
        }))
    }
}

/// Answers `freebusy.query` per calendar: `busy` maps ids to their busy periods.
pub async fn mount_busy_by_calendar(server: &MockServer, busy: Value) {
    Mock::given(method("POST"))
        .and(path(format!("{BASE}/freeBusy")))
        .respond_with(BusyByCalendar(busy))
        .mount(server)
        .await;
}

/// Answers `events.list` on calendar `id` with `items`.
pub async fn mount_list_on(server: &MockServer, id: &str, items: Value) {
    let encoded = calendar_agent::presign::encode_component(id);
    Mock::given(method("GET"))
        .and(path(format!("{BASE}/calendars/{encoded}/events")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "kind": "calendar#events", "items": items
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

/// A calendar that changes, read the way a push-notification sync reads it: `events.list`
/// without a `syncToken` gives every event; with one, only events changed since it. Each
/// answer carries the next token. Tokens issued before [`Feed::expire_tokens`] answer 410,
/// as Google does when a full sync is required.
#[derive(Clone, Default)]
pub struct Feed(Arc<Mutex<FeedState>>);

#[derive(Default)]
struct FeedState {
    version: u64,
    events: HashMap<String, (u64, Value)>,
    valid_from: u64,
    delay_ms: u64,
}

impl Feed {
    /// Adds or replaces an event (by `id`): a change the next sync sees.
    pub fn put(&self, event: Value) {
        let mut s = self.0.lock().expect("feed");
        s.version += 1;
        let id = event["id"].as_str().unwrap_or_default().to_owned();
        let version = s.version;
        s.events.insert(id, (version, event));
    }

    /// Every sync token issued so far stops working (410 Gone).
    pub fn expire_tokens(&self) {
        let mut s = self.0.lock().expect("feed");
        s.version += 1;
        s.valid_from = s.version;
    }

    /// Each answer takes this long (a slow Google).
    pub fn slow(&self, ms: u64) {
        self.0.lock().expect("feed").delay_ms = ms;
    }
}

impl Respond for Feed {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let s = self.0.lock().expect("feed");
        let since = match query(request, "syncToken") {
            None => None,
            Some(token) => match token.strip_prefix('s').and_then(|n| n.parse::<u64>().ok()) {
                Some(n) if n >= s.valid_from => Some(n),
                _ => {
                    return ResponseTemplate::new(410).set_body_json(json!({"error": {
                        "code": 410, "message": "Sync token is no longer valid, a full sync is required.",
                        "errors": [{"domain": "global", "reason": "fullSyncRequired"}]}}));
                }
            },
        };
        let mut items: Vec<&(u64, Value)> = s
            .events
            .values()
            .filter(|(v, _)| since.is_none_or(|n| *v > n))
            .collect();
        items.sort_by_key(|(v, _)| *v);
        let items: Vec<&Value> = items.into_iter().map(|(_, e)| e).collect();
        ResponseTemplate::new(200)
            .set_body_json(json!({"kind": "calendar#events", "items": items,
                                  "nextSyncToken": format!("s{}", s.version)}))
            .set_delay(std::time::Duration::from_millis(s.delay_ms))
    }
}

/// Serves `events.list` on primary from a fresh [`Feed`] and returns it.
pub async fn mount_feed(server: &MockServer) -> Feed {
    let feed = Feed::default();
    Mock::given(method("GET"))
        .and(path(format!("{BASE}/calendars/primary/events")))
        .respond_with(feed.clone())
        .mount(server)
        .await;
    feed
}

/// `events.watch` as Google answers it: the channel echoed with a resource id and an expiry
/// `lifetime_s` from now (Google may shorten what was asked for).
struct Watch {
    lifetime_s: i64,
}

impl Respond for Watch {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
        let calendar = request.url.path().split('/').nth(4).unwrap_or_default();
        let expires_ms = (jiff::Timestamp::now().as_second() + self.lifetime_s) * 1000;
        ResponseTemplate::new(200).set_body_json(json!({
            "kind": "api#channel", "id": body["id"], "resourceId": format!("res-{calendar}"),
            "resourceUri": format!("https://www.googleapis.com{}", request.url.path()),
            "token": body["token"], "expiration": expires_ms.to_string()
        }))
    }
}

/// Accepts `events.watch` on any calendar (channels living `lifetime_s`) and `channels.stop`.
pub async fn mount_watch(server: &MockServer, lifetime_s: i64) {
    Mock::given(method("POST"))
        .and(path_regex(format!("^{BASE}/calendars/[^/]+/events/watch$")))
        .respond_with(Watch { lifetime_s })
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{BASE}/channels/stop")))
        .respond_with(ResponseTemplate::new(204))
        .mount(server)
        .await;
}

/// A meeting the agent made on Ada's calendar on 5 March 2030, 09:00–10:00 UTC, with one guest.
pub fn agents_meeting(id: &str, guest: &str) -> Value {
    json!({"id": id, "status": "confirmed", "summary": "Review",
        "start": {"dateTime": "2030-03-05T09:00:00Z"}, "end": {"dateTime": "2030-03-05T10:00:00Z"},
        "attendees": [{"email": super::ADA, "self": true}, {"email": guest}],
        "extendedProperties": {"private": {"createdBy": "calendar-agent"}}})
}

/// `inv1`: a meeting Bob organizes, with Ada invited and not answered yet (and Cy, who declined).
pub fn invitation() -> Value {
    json!({
        "id": "inv1", "status": "confirmed", "summary": "Budget review",
        "organizer": {"email": "bob@example.com"},
        "start": {"dateTime": "2030-03-06T15:00:00Z"}, "end": {"dateTime": "2030-03-06T16:00:00Z"},
        "attendees": [
            {"email": "bob@example.com", "organizer": true, "responseStatus": "accepted"},
            {"email": super::ADA, "self": true, "responseStatus": "needsAction"},
            {"email": "cy@example.com", "responseStatus": "declined", "comment": "away"}
        ]
    })
}
