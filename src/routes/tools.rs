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

/// Runs the Google part of a tool under the budget and logs one line: tool, user, outcome,
/// Google latency, total latency. Never arguments or tokens.
async fn run<'a, F, Fut>(
    tool: &'static str,
    state: &'a AppState,
    user: &'a VerifiedUser,
    started: Instant,
    work: F,
) -> Result<Json<Value>>
where
    F: FnOnce(UserCalendar<'a>) -> Fut,
    Fut: Future<Output = (Result<Value>, Duration)>,
{
    let google = UserCalendar::new(state, &user.user_id);
    let (result, google_time) = match tokio::time::timeout(GOOGLE_BUDGET, work(google)).await {
        Ok(done) => done,
        Err(_) => (Err(Error::GoogleTimeout { what: tool }), GOOGLE_BUDGET),
    };
    let outcome = match &result {
        Ok(_) => "ok",
        Err(e) => e.reason(),
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
    run(
        "list_events",
        &state,
        &user,
        started,
        |mut google| async move {
            let result = async {
                let zone = zone_for(&mut google, args.timezone.as_ref()).await?;
                let window = args.window(&zone, Timestamp::now())?;
                let max = args.max_results;
                let call_zone = zone.clone();
                let events = google
                    .call(|client, token| {
                        let zone = call_zone.clone();
                        async move { client.list_events(&token, window, max, &zone).await }
                    })
                    .await?;
                Ok(answers::event_list(&events, &zone, window))
            }
            .await;
            (result, google.google_time)
        },
    )
    .await
}

async fn find_free_time(
    State(state): State<AppState>,
    user: VerifiedUser,
    ToolArgs(raw): ToolArgs<Map<String, Value>>,
) -> Result<Json<Value>> {
    let started = Instant::now();
    let args = FindFreeTimeArgs::parse(&raw)?;
    run(
        "find_free_time",
        &state,
        &user,
        started,
        |mut google| async move {
            let result = async {
                let zone = zone_for(&mut google, args.timezone.as_ref()).await?;
                let window = args.window(&zone)?;
                // Slots in the past are no use to anyone: search from now on.
                let Some(searched) = from_now(window, Timestamp::now()) else {
                    return Ok(answers::slots(&[], &zone, window));
                };
                let call_zone = zone.clone();
                let busy = google
                    .call(|client, token| {
                        let zone = call_zone.clone();
                        async move { client.busy(&token, searched, &zone).await }
                    })
                    .await?;
                let slots = free_slots(searched, &busy, args.duration, MAX_SLOTS);
                Ok(answers::slots(&slots, &zone, searched))
            }
            .await;
            (result, google.google_time)
        },
    )
    .await
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
    let user_id = user.user_id.clone();
    run(
        "block_time",
        &state,
        &user,
        started,
        |mut google| async move {
            let result = async {
                let inserted = google
                    .call(|client, token| {
                        let event = event.clone();
                        async move { client.insert_event(&token, event).await }
                    })
                    .await?;
                let held = match inserted {
                    Inserted::Created(event) => *event,
                    Inserted::AlreadyExists => {
                        tracing::info!(
                            user_id,
                            "block_time repeated; returning the existing event"
                        );
                        google
                            .call(|client, token| {
                                let id = event_id.clone();
                                async move { client.get_event(&token, &id).await }
                            })
                            .await?
                    }
                };
                Ok(answers::blocked(&held, &args.timezone))
            }
            .await;
            (result, google.google_time)
        },
    )
    .await
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
