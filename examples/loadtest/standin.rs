//! A zero-latency stand-in for Google (OAuth, Calendar) and Anam, in the load driver's process.
//! It counts token refreshes per user and can be told to fail 30% of Calendar calls.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

/// Shared counters and switches.
#[derive(Default)]
pub struct Standin {
    /// Token refreshes per user.
    pub refreshes: Mutex<HashMap<String, usize>>,
    /// Event ids created.
    events: Mutex<HashSet<String>>,
    /// When set, 30% of Calendar calls answer 500.
    pub flaky: AtomicBool,
    calls: AtomicUsize,
    /// How long each `events.list` takes to answer, in milliseconds (a Google round trip).
    pub list_latency_ms: AtomicU64,
}

type Shared = Arc<Standin>;

fn bearer_email(headers: &HeaderMap) -> Option<String> {
    headers
        .get("authorization")?
        .to_str()
        .ok()?
        .strip_prefix("Bearer at:")
        .map(str::to_owned)
}

async fn token(State(s): State<Shared>, Form(form): Form<HashMap<String, String>>) -> Response {
    let get = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
    let email = match get("grant_type") {
        "authorization_code" => get("code").strip_prefix("code:").map(str::to_owned),
        "refresh_token" => get("refresh_token")
            .strip_prefix("rt:")
            .map(str::to_owned)
            .inspect(|e| {
                *s.refreshes
                    .lock()
                    .expect("lock")
                    .entry(e.clone())
                    .or_default() += 1;
            }),
        _ => None,
    };
    match email {
        Some(email) => Json(json!({
            "access_token": format!("at:{email}"), "expires_in": 3600,
            "refresh_token": format!("rt:{email}"),
            "scope": calendar_agent::scopes::sign_in_scopes()
        }))
        .into_response(),
        None => (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_grant"})),
        )
            .into_response(),
    }
}

async fn userinfo(headers: HeaderMap) -> Response {
    match bearer_email(&headers) {
        Some(email) => Json(json!({"email": email, "email_verified": true})).into_response(),
        None => StatusCode::UNAUTHORIZED.into_response(),
    }
}

fn flaky(s: &Standin) -> Option<Response> {
    let n = s.calls.fetch_add(1, Ordering::Relaxed);
    (s.flaky.load(Ordering::Relaxed) && n % 10 < 3).then(|| {
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({"error": {"code": 500, "message": "Backend Error"}})),
        )
            .into_response()
    })
}

async fn timezone() -> Json<Value> {
    Json(json!({"kind": "calendar#setting", "id": "timezone", "value": "America/New_York"}))
}

/// The user's calendars: their primary one only (the service reads the list with the zone).
async fn calendar_list() -> Json<Value> {
    Json(json!({"kind": "calendar#calendarList", "items": [
        {"id": "load@example.com", "summary": "load@example.com", "primary": true,
         "selected": true, "accessRole": "owner"}]}))
}

async fn list(State(s): State<Shared>) -> Response {
    if let Some(failed) = flaky(&s) {
        return failed;
    }
    let latency = s.list_latency_ms.load(Ordering::Relaxed);
    if latency > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(latency)).await;
    }
    let items: Vec<Value> = (0..5)
        .map(|i| {
            json!({
                "id": format!("ev{i}"), "status": "confirmed", "summary": format!("Meeting {i}"),
                "htmlLink": format!("https://calendar.google.com/event?eid=ev{i}"),
                "start": {"dateTime": format!("2030-01-1{i}T14:00:00Z")},
                "end": {"dateTime": format!("2030-01-1{i}T15:00:00Z")},
                "attendees": [{"email": "a@example.com"}, {"email": "b@example.com"}],
                "organizer": {"email": "a@example.com"}, "iCalUID": format!("ev{i}@google.com")
            })
        })
        .collect();
    Json(json!({"kind": "calendar#events", "items": items})).into_response()
}

async fn freebusy(State(s): State<Shared>) -> Response {
    if let Some(failed) = flaky(&s) {
        return failed;
    }
    Json(json!({"calendars": {"primary": {"busy": [
        {"start": "2030-03-05T14:00:00Z", "end": "2030-03-05T15:00:00Z"},
        {"start": "2030-03-05T16:00:00Z", "end": "2030-03-05T17:30:00Z"}
    ]}}}))
    .into_response()
}

async fn insert(State(s): State<Shared>, Json(mut event): Json<Value>) -> Response {
    if let Some(failed) = flaky(&s) {
        return failed;
    }
    let id = event["id"].as_str().unwrap_or("x").to_owned();
    if !s.events.lock().expect("lock").insert(id.clone()) {
        return (
            StatusCode::CONFLICT,
            Json(json!({"error": {"code": 409, "message": "duplicate"}})),
        )
            .into_response();
    }
    event["htmlLink"] = json!(format!("https://calendar.google.com/event?eid={id}"));
    Json(event).into_response()
}

async fn get_event(Path(id): Path<String>) -> Json<Value> {
    Json(
        json!({"id": id, "htmlLink": "https://calendar.google.com/event",
        "start": {"dateTime": "2030-03-05T14:00:00Z"}, "end": {"dateTime": "2030-03-05T15:00:00Z"}}),
    )
}

async fn session_token() -> Json<Value> {
    Json(json!({"sessionToken": "load-test-session-token"}))
}

/// The stand-in's routes.
pub fn router(state: Shared) -> Router {
    Router::new()
        .route("/token", post(token))
        .route("/userinfo", get(userinfo))
        .route("/calendar/v3/users/me/settings/timezone", get(timezone))
        .route("/calendar/v3/users/me/calendarList", get(calendar_list))
        .route(
            "/calendar/v3/calendars/primary/events",
            get(list).post(insert),
        )
        .route("/calendar/v3/calendars/primary/events/{id}", get(get_event))
        .route("/calendar/v3/freeBusy", post(freebusy))
        .route("/v1/auth/session-token", post(session_token))
        .with_state(state)
}
