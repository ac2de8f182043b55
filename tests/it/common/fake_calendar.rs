//! Scripted Google Calendar answers on wiremock (a list, free/busy, the calendar list, the
//! zone, push channels, a changing feed) and the request helpers; the stand-in that keeps
//! events as Google does is [`super::fake_events`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Base path of the Calendar API on the mock.
pub const BASE: &str = "/calendar/v3";

#[allow(unused_imports)] // not every test binary uses the stand-in calendar
pub use super::fake_events::{Events, mount_events, mount_events_for};

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
    delay: std::time::Duration,
}

impl Respond for Watch {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
        let calendar = request.url.path().split('/').nth(4).unwrap_or_default();
        let expires_ms = (jiff::Timestamp::now().as_second() + self.lifetime_s) * 1000;
        ResponseTemplate::new(200)
            .set_body_json(json!({
                "kind": "api#channel", "id": body["id"], "resourceId": format!("res-{calendar}"),
                "resourceUri": format!("https://www.googleapis.com{}", request.url.path()),
                "token": body["token"], "expiration": expires_ms.to_string()
            }))
            .set_delay(self.delay)
    }
}

/// Accepts `events.watch` on any calendar (channels living `lifetime_s`) and `channels.stop`.
pub async fn mount_watch(server: &MockServer, lifetime_s: i64) {
    mount_watch_answering_after(server, lifetime_s, std::time::Duration::ZERO).await;
}

/// [`mount_watch`], with each `events.watch` answered after `delay` (the channel is open at
/// Google from the moment it was asked).
pub async fn mount_watch_answering_after(
    server: &MockServer,
    lifetime_s: i64,
    delay: std::time::Duration,
) {
    Mock::given(method("POST"))
        .and(path_regex(format!("^{BASE}/calendars/[^/]+/events/watch$")))
        .respond_with(Watch { lifetime_s, delay })
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

/// `sync1`: a weekly Monday 09:00 (UTC) series Ada organizes with Sam, six times from 4 March
/// 2030 (4, 11, 18, 25 March, 1 and 8 April; each occurrence's id is `sync1_2030MMDDT090000Z`).
pub fn weekly_sync() -> Value {
    json!({"id": "sync1", "status": "confirmed", "summary": "Weekly sync",
        "organizer": {"email": super::ADA, "self": true},
        "attendees": [{"email": super::ADA, "self": true, "organizer": true, "responseStatus": "accepted"},
                      {"email": "sam@example.com", "responseStatus": "accepted"}],
        "start": {"dateTime": "2030-03-04T09:00:00Z", "timeZone": "UTC"},
        "end": {"dateTime": "2030-03-04T09:30:00Z", "timeZone": "UTC"},
        "recurrence": ["RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=6"]})
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
