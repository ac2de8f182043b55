//! A stand-in Google Calendar that keeps events as Google does, so a test asserts what the
//! calendar holds afterwards rather than the shape of the writes:
//! - events by id (a repeated id answers 409; a deleted event stays, `cancelled`);
//! - a series (`recurrence`) expanded by the `rrule` crate ([`super::fake_series`]), its
//!   occurrences named `{series}_{start}` as Google names them, served by `events.get`,
//!   `events.list` (`singleEvents=true`) and `events.instances`;
//! - an occurrence changed or deleted on its own kept apart as an exception, by its original
//!   start; an exception whose start is no longer one of the series' occurrences (the series
//!   moved, or ended before it) no longer shows;
//! - etags that change with every write, `If-Match` answered 412 when stale;
//! - every e-mail Google sends for a write with `sendUpdates=all`, in an outbox.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use wiremock::matchers::{header_regex, method, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use super::fake_calendar::{BASE, query};
use super::fake_series::{Slot, expand};

/// How far a series with no end is expanded when no window says.
fn far() -> jiff::Timestamp {
    "2032-01-01T00:00:00Z".parse().expect("timestamp")
}

#[derive(Default)]
struct State {
    /// Single events, series and exceptions, by id.
    events: BTreeMap<String, Value>,
    /// Events on a calendar other than the primary, by id.
    calendars: HashMap<String, String>,
    outbox: Vec<String>,
    /// Google refuses these event types on insert (not every account has them).
    refused_types: Vec<String>,
    etags: u64,
    /// Inserts are made at once but answered this late (a Google that is slow to say so).
    insert_delay: Option<Duration>,
}

impl State {
    fn next_etag(&mut self) -> String {
        self.etags += 1;
        format!("\"{}\"", 3_391_000_000 + self.etags)
    }

    fn calendar_of(&self, id: &str) -> String {
        let series = self.series_of(id);
        let key = series.as_deref().unwrap_or(id);
        self.calendars
            .get(key)
            .cloned()
            .unwrap_or_else(|| "primary".into())
    }

    /// For an occurrence id (`{series}_{start}`), the series it names.
    fn series_of(&self, id: &str) -> Option<String> {
        let (series, _) = id.rsplit_once('_')?;
        self.events
            .get(series)
            .filter(|m| m["recurrence"].is_array())
            .map(|_| series.to_owned())
    }

    /// The occurrence `suffix` of `series` as Google synthesizes it, if the rule has it.
    fn occurrence(&self, series: &str, suffix: &str) -> Option<Value> {
        let master = self.events.get(series)?;
        let until = far();
        let slot = expand(master, until)
            .ok()?
            .into_iter()
            .find(|s| s.suffix() == suffix)?;
        Some(instance(master, &slot))
    }

    /// The event `id` as Google answers `events.get`: stored, or an occurrence of a series.
    fn find(&self, id: &str) -> Option<Value> {
        if let Some(event) = self.events.get(id) {
            return Some(event.clone());
        }
        let series = self.series_of(id)?;
        let (_, suffix) = id.rsplit_once('_')?;
        let mut occurrence = self.occurrence(&series, suffix)?;
        if self.events[&series]["status"] == "cancelled" {
            occurrence["status"] = json!("cancelled");
        }
        Some(occurrence)
    }

    /// The occurrences of `series` up to `until` as they are now: exceptions in place of the
    /// rule's occurrence, deleted ones only when `deleted`.
    fn occurrences(&self, series: &str, until: jiff::Timestamp, deleted: bool) -> Vec<Value> {
        let Some(master) = self.events.get(series) else {
            return Vec::new();
        };
        let Ok(slots) = expand(master, until) else {
            return Vec::new();
        };
        slots
            .iter()
            .map(|slot| {
                let id = format!("{series}_{}", slot.suffix());
                self.events
                    .get(&id)
                    .cloned()
                    .unwrap_or_else(|| instance(master, slot))
            })
            .filter(|e| deleted || e["status"] != "cancelled")
            .collect()
    }

    /// What `events.list` with `singleEvents=true` sees on `calendar`.
    fn single_events(&self, calendar: &str, until: jiff::Timestamp, deleted: bool) -> Vec<Value> {
        let mut out = Vec::new();
        for (id, event) in &self.events {
            if self.calendar_of(id) != calendar || event["recurringEventId"].is_string() {
                continue;
            }
            if event["recurrence"].is_array() {
                if event["status"] != "cancelled" {
                    out.extend(self.occurrences(id, until, deleted));
                }
            } else if deleted || event["status"] != "cancelled" {
                out.push(event.clone());
            }
        }
        out.sort_by_key(|e| Slot::of(&e["start"]).map(|s| s.instant()));
        out
    }

    /// What an out-of-office entry does to the invitations it overlaps on its calendar: the
    /// user's answer becomes `declined`, and each organizer gets Google's e-mail.
    fn decline_overlapped(&mut self, entry: &Value) {
        let calendar = self.calendar_of(entry["id"].as_str().unwrap_or_default());
        let (from, to) = (
            Slot::of(&entry["start"]).map(|s| s.instant()),
            Slot::of(&entry["end"]).map_or_else(far, |s| s.instant()),
        );
        let overlapped: Vec<Value> = self
            .single_events(&calendar, to, false)
            .into_iter()
            .filter(|e| overlaps(e, from, to))
            .filter(|e| e["organizer"]["self"] != true && e["organizer"]["email"].is_string())
            .filter(|e| {
                e["attendees"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|a| a["self"] == true && a["responseStatus"] != "declined")
            })
            .collect();
        for mut event in overlapped {
            for attendee in event["attendees"].as_array_mut().into_iter().flatten() {
                if attendee["self"] == true {
                    attendee["responseStatus"] = json!("declined");
                }
            }
            event["etag"] = json!(self.next_etag());
            let organizer = event["organizer"]["email"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            self.outbox.push(organizer);
            let id = event["id"].as_str().unwrap_or_default().to_owned();
            self.events.insert(id, event);
        }
    }

    /// Google's e-mails for a write to `event` with `sendUpdates=all`.
    fn mail(&mut self, request: &Request, event: &Value) {
        if query(request, "sendUpdates").as_deref() != Some("all") {
            return;
        }
        if event["organizer"].is_object()
            && event["organizer"]["self"] != json!(true)
            && event["organizer"]["email"].is_string()
        {
            // An answer to someone else's invitation goes to its organizer.
            if let Some(organizer) = event["organizer"]["email"].as_str() {
                self.outbox.push(organizer.to_owned());
            }
            return;
        }
        for guest in event["attendees"].as_array().into_iter().flatten() {
            if guest["self"] != json!(true) && guest["resource"] != json!(true) {
                let email = guest["email"].as_str().unwrap_or_default().to_owned();
                self.outbox.push(email);
            }
        }
    }
}

/// The occurrence `slot` of `master`, as Google synthesizes it.
fn instance(master: &Value, slot: &Slot) -> Value {
    let zone = master["start"]["timeZone"].as_str().unwrap_or("UTC");
    let mut occurrence = master.clone();
    let object = occurrence.as_object_mut().expect("an event is an object");
    object.remove("recurrence");
    let series = master["id"].as_str().unwrap_or_default();
    object.insert("id".into(), json!(format!("{series}_{}", slot.suffix())));
    object.insert("recurringEventId".into(), json!(series));
    object.insert("originalStartTime".into(), slot.json(zone));
    object.insert("start".into(), slot.json(zone));
    let end = match (slot, Slot::of(&master["start"]), Slot::of(&master["end"])) {
        (Slot::Day(day), Some(Slot::Day(a)), Some(Slot::Day(b))) => {
            Slot::Day(day.checked_add(b - a).unwrap_or(*day))
        }
        (Slot::At(at), Some(a), Some(b)) => Slot::At(*at + b.instant().duration_since(a.instant())),
        (other, _, _) => other.clone(),
    };
    object.insert("end".into(), end.json(zone));
    occurrence
}

/// The events of a stand-in calendar. Cheap to clone (shared state).
#[derive(Clone, Default)]
pub struct Events(Arc<Mutex<State>>);

impl Events {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.0.lock().expect("events")
    }

    /// How many events are stored (single events, series and exceptions; cancelled ones too,
    /// as Google keeps them).
    pub fn len(&self) -> usize {
        self.state().events.len()
    }

    /// The event with `id` as `events.get` answers it (an occurrence of a series too).
    pub fn get(&self, id: &str) -> Option<Value> {
        self.state().find(id)
    }

    /// Puts `event` (with its `id`) on the primary calendar, as if made elsewhere; it gets a
    /// fresh etag, as any change at Google does.
    pub fn put(&self, mut event: Value) {
        let id = event["id"].as_str().expect("id").to_owned();
        let mut state = self.state();
        event["etag"] = json!(state.next_etag());
        if event["status"].is_null() {
            event["status"] = json!("confirmed");
        }
        state.events.insert(id, event);
    }

    /// Puts `event` on the calendar `calendar` (not the primary).
    pub fn put_on(&self, calendar: &str, event: Value) {
        let id = event["id"].as_str().expect("id").to_owned();
        self.state().calendars.insert(id, calendar.to_owned());
        self.put(event);
    }

    /// From now on, inserting an event of `event_type` is refused as Google does on an
    /// account without it.
    pub fn refuse_type(&self, event_type: &str) {
        self.state().refused_types.push(event_type.to_owned());
    }

    /// From now on, inserts are made at once but answered `delay` later.
    pub fn answer_inserts_after(&self, delay: Duration) {
        self.state().insert_delay = Some(delay);
    }

    /// What the user deleting the event in Google Calendar does (an occurrence too).
    pub fn cancel(&self, id: &str) {
        let mut state = self.state();
        if let Some(mut event) = state.find(id) {
            event["status"] = json!("cancelled");
            event["etag"] = json!(state.next_etag());
            state.events.insert(id.to_owned(), event);
        }
    }

    /// Every e-mail sent so far, one recipient per entry.
    pub fn emails(&self) -> Vec<String> {
        self.state().outbox.clone()
    }

    /// Forgets every event and e-mail (a fresh calendar for the next case).
    pub fn clear(&self) {
        let mut state = self.state();
        state.events.clear();
        state.calendars.clear();
        state.outbox.clear();
    }

    /// What the calendar `calendar` holds up to `until`: the start of every event and every
    /// occurrence that is not cancelled (`2030-03-11T09:00:00Z`, or `2030-03-11` for a day),
    /// in order.
    pub fn held_on(&self, calendar: &str, until: &str) -> Vec<String> {
        let until: jiff::Timestamp = until.parse().expect("until");
        let state = self.state();
        let mut starts: Vec<Slot> = state
            .single_events(calendar, until, false)
            .iter()
            .filter_map(|e| Slot::of(&e["start"]))
            .filter(|s| s.instant() < until)
            .collect();
        starts.sort();
        starts.iter().map(Slot::text).collect()
    }

    /// What the primary calendar holds up to `until` (see [`Self::held_on`]).
    pub fn held(&self, until: &str) -> Vec<String> {
        self.held_on("primary", until)
    }

    /// The occurrences of `series` that show, as Google lists them.
    pub fn occurrences(&self, series: &str) -> Vec<Value> {
        self.state().occurrences(series, far(), false)
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

fn gone() -> ResponseTemplate {
    ResponseTemplate::new(410).set_body_json(json!({"error": {"code": 410,
        "message": "Resource has been deleted", "errors": [{"domain": "global", "reason": "deleted"}]}}))
}

/// The path's segment `n` (`/calendar/v3/calendars/{4}/events/{6}`), decoded.
fn segment(request: &Request, n: usize) -> String {
    urlencoding_decode(request.url.path().split('/').nth(n).unwrap_or_default())
}

/// Whether the request names `id` on the calendar it lives on.
fn on_its_calendar(state: &State, request: &Request, id: &str) -> bool {
    segment(request, 4) == state.calendar_of(id)
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

fn body_of(request: &Request) -> Option<Value> {
    serde_json::from_slice(&request.body).ok()
}

/// Offset pages of `items` (`maxResults`, `pageToken` as Google's opaque token).
fn paged(request: &Request, items: Vec<Value>, mut body: Value) -> ResponseTemplate {
    let offset: usize = query(request, "pageToken")
        .and_then(|t| t.strip_prefix('o').and_then(|n| n.parse().ok()))
        .unwrap_or(0);
    let per_page: usize = query(request, "maxResults")
        .and_then(|n| n.parse().ok())
        .unwrap_or(250);
    let end = (offset + per_page).min(items.len());
    body["items"] = json!(items[offset.min(end)..end]);
    if end < items.len() {
        body["nextPageToken"] = json!(format!("o{end}"));
    }
    ResponseTemplate::new(200).set_body_json(body)
}

fn window(request: &Request) -> (Option<jiff::Timestamp>, jiff::Timestamp) {
    let at = |name: &str| query(request, name).and_then(|t| t.parse::<jiff::Timestamp>().ok());
    (at("timeMin"), at("timeMax").unwrap_or_else(far))
}

/// Whether `event` overlaps the window (`end > from`, `start < to`).
fn overlaps(event: &Value, from: Option<jiff::Timestamp>, to: jiff::Timestamp) -> bool {
    let (Some(start), Some(end)) = (Slot::of(&event["start"]), Slot::of(&event["end"])) else {
        return false;
    };
    start.instant() < to && from.is_none_or(|f| end.instant() > f)
}

struct Insert(Events);

impl Respond for Insert {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let Some(mut body) = body_of(request) else {
            return ResponseTemplate::new(400);
        };
        let mut state = self.0.state();
        let id = body["id"].as_str().unwrap_or("generated").to_owned();
        let kind = body["eventType"].as_str().unwrap_or("default").to_owned();
        if state.refused_types.contains(&kind) {
            return ResponseTemplate::new(400).set_body_json(json!({"error": {"code": 400,
                "message": "This calendar does not support events of this type.",
                "errors": [{"domain": "calendar", "reason": "eventTypeRestriction"}]}}));
        }
        if state.events.contains_key(&id) || state.find(&id).is_some() {
            return ResponseTemplate::new(409).set_body_json(json!({
                "error": {"code": 409, "message": "The requested identifier already exists.",
                          "errors": [{"reason": "duplicate"}]}
            }));
        }
        body["etag"] = json!(state.next_etag());
        body["htmlLink"] = json!(format!("https://calendar.google.com/event?eid={id}"));
        body["status"] = json!("confirmed");
        let calendar = segment(request, 4);
        if calendar != "primary" {
            state.calendars.insert(id.clone(), calendar);
        }
        state.events.insert(id, body.clone());
        state.mail(request, &body);
        if body["outOfOfficeProperties"]["autoDeclineMode"] == "declineAllConflictingInvitations" {
            state.decline_overlapped(&body);
        }
        let answer = ResponseTemplate::new(200).set_body_json(body);
        match state.insert_delay {
            Some(delay) => answer.set_delay(delay),
            None => answer,
        }
    }
}

struct Get(Events);

impl Respond for Get {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let state = self.0.state();
        let id = segment(request, 6);
        match state.find(&id) {
            Some(event) if on_its_calendar(&state, request, &id) => {
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
        let Some(mut body) = body_of(request) else {
            return ResponseTemplate::new(400);
        };
        let id = segment(request, 6);
        let mut state = self.0.state();
        let Some(old) = state.find(&id) else {
            return not_found();
        };
        if let Some(refused) = precondition_failed(request, &old) {
            return refused;
        }
        body["id"] = json!(id);
        body["etag"] = json!(state.next_etag());
        body["htmlLink"] = old["htmlLink"].clone();
        if body["status"].is_null() {
            body["status"] = json!("confirmed");
        }
        state.events.insert(id, body.clone());
        state.mail(request, &body);
        ResponseTemplate::new(200).set_body_json(body)
    }
}

/// `events.patch`: the fields sent replace the stored ones; the rest stay. Patching an
/// occurrence makes it an exception.
struct Patch(Events);

impl Respond for Patch {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let Some(Value::Object(fields)) = body_of(request) else {
            return ResponseTemplate::new(400);
        };
        let id = segment(request, 6);
        let mut state = self.0.state();
        if !on_its_calendar(&state, request, &id) {
            return not_found();
        }
        let Some(mut event) = state.find(&id) else {
            return not_found();
        };
        if let Some(refused) = precondition_failed(request, &event) {
            return refused;
        }
        for (key, value) in fields {
            event[key] = value;
        }
        event["etag"] = json!(state.next_etag());
        state.events.insert(id, event.clone());
        state.mail(request, &event);
        ResponseTemplate::new(200).set_body_json(event)
    }
}

/// `events.delete`: the event (or occurrence) becomes `cancelled`; deleting it again is 410.
struct Delete(Events);

impl Respond for Delete {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let id = segment(request, 6);
        let mut state = self.0.state();
        if !on_its_calendar(&state, request, &id) {
            return not_found();
        }
        let Some(mut event) = state.find(&id) else {
            return not_found();
        };
        if let Some(refused) = precondition_failed(request, &event) {
            return refused;
        }
        if event["status"] == "cancelled" {
            return gone();
        }
        event["status"] = json!("cancelled");
        event["etag"] = json!(state.next_etag());
        state.events.insert(id, event.clone());
        state.mail(request, &event);
        ResponseTemplate::new(204)
    }
}

/// `events.instances`: the series' occurrences in the window, deleted ones with `showDeleted`.
struct Instances(Events);

impl Respond for Instances {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let state = self.0.state();
        let series = segment(request, 6);
        let Some(master) = state.events.get(&series) else {
            return not_found();
        };
        if !master["recurrence"].is_array() || !on_its_calendar(&state, request, &series) {
            return not_found();
        }
        let deleted = query(request, "showDeleted").as_deref() == Some("true");
        let (from, to) = window(request);
        let items: Vec<Value> = state
            .occurrences(&series, to, deleted)
            .into_iter()
            .filter(|e| overlaps(e, from, to))
            .collect();
        paged(request, items, json!({"kind": "calendar#events"}))
    }
}

/// `events.list` with `singleEvents=true`: every event and occurrence in the window, by start.
struct List(Events);

impl Respond for List {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let state = self.0.state();
        let calendar = segment(request, 4);
        let deleted = query(request, "showDeleted").as_deref() == Some("true");
        let (from, to) = window(request);
        let text = query(request, "q").map(|q| q.to_lowercase());
        let kinds: Vec<String> = request
            .url
            .query_pairs()
            .filter(|(k, _)| k == "eventTypes")
            .map(|(_, v)| v.into_owned())
            .collect();
        let items: Vec<Value> = state
            .single_events(&calendar, to, deleted)
            .into_iter()
            .filter(|e| overlaps(e, from, to))
            .filter(|e| {
                text.as_ref().is_none_or(|q| {
                    e["summary"]
                        .as_str()
                        .is_some_and(|s| s.to_lowercase().contains(q))
                })
            })
            .filter(|e| {
                kinds.is_empty()
                    || kinds
                        .iter()
                        .any(|k| e["eventType"].as_str().unwrap_or("default") == k)
            })
            .collect();
        paged(
            request,
            items,
            json!({"kind": "calendar#events", "timeZone": "UTC"}),
        )
    }
}

/// Mounts get, list, insert, update, patch, delete and instances (on any calendar) on a fresh
/// stand-in calendar and returns it. A test's own scripted `events.list` answer wins.
pub async fn mount_events(server: &MockServer) -> Events {
    mount_calendar_of(server, None).await
}

/// A second stand-in calendar on the same server, answering only the Google account `email`
/// (its bearer token, as the fake OAuth issues it): several accounts, each with its own events.
#[allow(dead_code)]
pub async fn mount_events_for(server: &MockServer, email: &str) -> Events {
    mount_calendar_of(server, Some(email)).await
}

async fn mount_calendar_of(server: &MockServer, account: Option<&str>) -> Events {
    let events = Events::default();
    let one = format!("^{BASE}/calendars/[^/]+/events/[^/]+$");
    let list = format!("^{BASE}/calendars/[^/]+/events$");
    let bearer = account.map(|email| format!(":{}$", email.replace('.', "\\.")));
    let given = |verb: &str, route: String| {
        let mock = Mock::given(method(verb)).and(path_regex(route));
        match &bearer {
            Some(pattern) => mock.and(header_regex("authorization", pattern)),
            None => mock,
        }
    };
    given("POST", list.clone())
        .respond_with(Insert(events.clone()))
        .mount(server)
        .await;
    given("GET", list)
        .respond_with(List(events.clone()))
        .with_priority(8)
        .mount(server)
        .await;
    given(
        "GET",
        format!("^{BASE}/calendars/[^/]+/events/[^/]+/instances$"),
    )
    .respond_with(Instances(events.clone()))
    .mount(server)
    .await;
    given("GET", one.clone())
        .respond_with(Get(events.clone()))
        .mount(server)
        .await;
    given("PUT", one.clone())
        .respond_with(Update(events.clone()))
        .mount(server)
        .await;
    given("PATCH", one.clone())
        .respond_with(Patch(events.clone()))
        .mount(server)
        .await;
    given("DELETE", one)
        .respond_with(Delete(events.clone()))
        .mount(server)
        .await;
    events
}
