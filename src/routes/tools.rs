//! The three webhook tools Anam calls, behind presigned URLs. Each handler: verified user →
//! typed arguments (400 before any Google call) → Google within the time budget → compact answer.

use std::future::Future;
use std::time::Duration;

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use google_calendar3::api::Event;
use jiff::Timestamp;
use serde_json::{Map, Value};
use tokio::time::Instant;

use crate::error::{Error, Result};
use crate::google::calendar::{Inserted, event_time};
use crate::google::scopes;
use crate::google::user_calendar::UserCalendar;
use crate::state::AppState;
use crate::tool_args::ToolArgs;
use crate::tools::answers;
use crate::tools::args::{BlockTimeArgs, FindFreeTimeArgs, ListEventsArgs};
use crate::tools::free_slots::{MAX_SLOTS, free_slots};
use crate::tools::time::{Window, Zone};
use crate::webhook_auth::VerifiedUser;

/// Route of the `list_events` tool.
pub const LIST_EVENTS_PATH: &str = "/api/calendar/list-events";
/// Route of the `find_free_time` tool.
pub const FREEBUSY_PATH: &str = "/api/calendar/freebusy";
/// Route of the `block_time` tool.
pub const BLOCK_TIME_PATH: &str = "/api/calendar/events";

/// Time allowed for all Google work in one tool call (token refresh included). Anam waits at
/// most 5 s; this leaves room for our own work and the network back to Anam.
pub const GOOGLE_BUDGET: Duration = Duration::from_millis(4500);

/// Routes of this area.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(LIST_EVENTS_PATH, post(list_events))
        .route(FREEBUSY_PATH, post(find_free_time))
        .route(BLOCK_TIME_PATH, post(block_time))
}

/// Runs the Google part of a tool under the time budget (504 beyond it).
async fn within_budget(
    tool: &'static str,
    work: impl Future<Output = Result<Value>>,
) -> Result<Value> {
    tokio::time::timeout(GOOGLE_BUDGET, work)
        .await
        .unwrap_or(Err(Error::GoogleTimeout { what: tool }))
}

/// Logs one line per tool call: tool, user, outcome, Google latency, total latency. Never
/// arguments or tokens.
fn finish(
    tool: &'static str,
    user: &VerifiedUser,
    started: Instant,
    google_time: Duration,
    result: Result<Value>,
) -> Result<Json<Value>> {
    let (outcome, google_time) = match &result {
        Ok(_) => ("ok", google_time),
        // The call in flight when the budget ran out was not counted: it took the rest.
        Err(e @ Error::GoogleTimeout { .. }) => (e.reason(), GOOGLE_BUDGET),
        Err(e) => (e.reason(), google_time),
    };
    tracing::info!(
        tool,
        user_id = %user.user_id,
        outcome,
        google_ms = google_time.as_millis() as u64,
        total_ms = started.elapsed().as_millis() as u64,
        "tool call"
    );
    result.map(Json)
}

/// The zone to answer in: the argument, or the user's calendar zone.
async fn zone_for(google: &mut UserCalendar<'_>, given: Option<&Zone>) -> Result<Zone> {
    match given {
        Some(zone) => Ok(zone.clone()),
        None => google.zone().await,
    }
}

async fn list_events(
    State(state): State<AppState>,
    user: VerifiedUser,
    ToolArgs(raw): ToolArgs<Map<String, Value>>,
) -> Result<Json<Value>> {
    let started = Instant::now();
    let args = ListEventsArgs::parse(&raw)?;
    let mut google = UserCalendar::new(&state, &user.user_id);
    let result = within_budget("list_events", async {
        let zone = zone_for(&mut google, args.timezone.as_ref()).await?;
        let window = args.window(&zone, Timestamp::now())?;
        let (max, zone_ref) = (args.max_results, &zone);
        let page = google
            .call(&scopes::EVENTS_LIST, |client, token| async move {
                client.list_events(&token, window, max, zone_ref).await
            })
            .await?;
        Ok(answers::event_list(&page, &zone, window))
    })
    .await;
    finish("list_events", &user, started, google.google_time, result)
}

async fn find_free_time(
    State(state): State<AppState>,
    user: VerifiedUser,
    ToolArgs(raw): ToolArgs<Map<String, Value>>,
) -> Result<Json<Value>> {
    let started = Instant::now();
    let args = FindFreeTimeArgs::parse(&raw)?;
    let mut google = UserCalendar::new(&state, &user.user_id);
    let result = within_budget("find_free_time", async {
        let zone = zone_for(&mut google, args.timezone.as_ref()).await?;
        let window = args.window(&zone)?;
        // Slots in the past are no use to anyone: search from now on.
        let Some(searched) = from_now(window, Timestamp::now()) else {
            return Ok(answers::slots(&[], &zone, window));
        };
        let zone_ref = &zone;
        let busy = google
            .call(&scopes::FREEBUSY_QUERY, |client, token| async move {
                client.busy(&token, searched, zone_ref).await
            })
            .await?;
        let slots = free_slots(searched, &busy, args.duration, MAX_SLOTS);
        Ok(answers::slots(&slots, &zone, searched))
    })
    .await;
    finish("find_free_time", &user, started, google.google_time, result)
}

/// The part of `window` from `now` on (starting at the next whole 5 minutes), if any.
fn from_now(window: Window, now: Timestamp) -> Option<Window> {
    if window.start >= now {
        return Some(window);
    }
    let step = 300;
    let rounded = (now.as_second() + step - 1).div_euclid(step) * step;
    let start = Timestamp::from_second(rounded).ok()?;
    Window::new(start, window.end).ok()
}

async fn block_time(
    State(state): State<AppState>,
    user: VerifiedUser,
    ToolArgs(raw): ToolArgs<Map<String, Value>>,
) -> Result<Json<Value>> {
    let started = Instant::now();
    let args = BlockTimeArgs::parse(&raw)?;
    let event_id = args.event_id(&user.user_id, user.exp);
    let event = Event {
        id: Some(event_id.clone()),
        summary: Some(args.title.clone()),
        description: args.notes.clone(),
        start: Some(event_time(args.start, &args.timezone)),
        end: Some(event_time(args.end, &args.timezone)),
        transparency: Some("opaque".into()),
        ..Default::default()
    };
    let mut google = UserCalendar::new(&state, &user.user_id);
    let result = within_budget("block_time", async {
        let (event, id) = (&event, event_id.as_str());
        let inserted = google
            .call(&scopes::EVENTS_INSERT, |client, token| async move {
                client.insert_event(&token, event.clone()).await
            })
            .await?;
        let held = match inserted {
            Inserted::Created(event) => *event,
            Inserted::AlreadyExists => {
                let existing = google
                    .call(&scopes::EVENTS_GET, |client, token| async move {
                        client.get_event(&token, id).await
                    })
                    .await?;
                if existing.status.as_deref() == Some("cancelled") {
                    // The user deleted this hold and asked for it again: Google keeps the id,
                    // so the hold is brought back rather than reported as made.
                    tracing::info!(user_id = %user.user_id, "block_time repeated after the hold was deleted; restoring it");
                    let restored = Event {
                        status: Some("confirmed".into()),
                        ..event.clone()
                    };
                    google
                        .call(&scopes::EVENTS_UPDATE, |client, token| {
                            let restored = restored.clone();
                            async move { client.update_event(&token, restored).await }
                        })
                        .await?
                } else {
                    tracing::info!(user_id = %user.user_id, "block_time repeated; returning the existing event");
                    existing
                }
            }
        };
        Ok(answers::blocked(&held, &args.timezone))
    })
    .await;
    finish("block_time", &user, started, google.google_time, result)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().expect("ts")
    }

    #[test]
    fn a_window_in_the_past_is_searched_from_the_next_five_minutes() {
        let w = Window::new(ts("2026-11-24T09:00:00Z"), ts("2026-11-24T17:00:00Z")).expect("w");
        assert_eq!(from_now(w, ts("2026-11-24T08:00:00Z")), Some(w));
        let clipped = from_now(w, ts("2026-11-24T10:07:30Z")).expect("clipped");
        assert_eq!(clipped.start, ts("2026-11-24T10:10:00Z"));
        assert_eq!(from_now(w, ts("2026-11-24T18:00:00Z")), None);
    }
}
