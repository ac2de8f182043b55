//! What every tool handler shares: the time budget for Google, the one log line per call, and
//! the zone an answer is expressed in.

use std::future::Future;
use std::time::Duration;

use axum::Json;
use serde_json::Value;
use tokio::time::Instant;

use super::time::Zone;
use crate::error::{Error, Result};
use crate::google::user_calendar::UserCalendar;
use crate::state::AppState;
use crate::webhook_auth::VerifiedUser;

/// Time allowed for all Google work in one tool call (token refresh included). Anam waits at
/// most 5 s; this leaves room for our own work and the network back to Anam.
pub const GOOGLE_BUDGET: Duration = Duration::from_millis(4500);

/// A tool's Google work for `user`, the DESIGN.md §4 way: run under the time budget with the
/// user's Google access, then one log line and the answer (or the error as JSON).
pub async fn answer<F>(
    state: &AppState,
    user: &VerifiedUser,
    tool: &'static str,
    work: F,
) -> Result<Json<Value>>
where
    F: AsyncFnOnce(&mut UserCalendar<'_>) -> Result<Value>,
{
    let mut google = UserCalendar::new(state, &user.user_id);
    let result = within_budget(tool, user, work(&mut google)).await;
    finish(tool, user, user.arrived, google.google_time, result)
}

/// Runs a tool's work (Google and the store alike) until the call's deadline, its budget
/// counted from its arrival (504 beyond it).
pub async fn within_budget<T>(
    tool: &'static str,
    user: &VerifiedUser,
    work: impl Future<Output = Result<T>>,
) -> Result<T> {
    tokio::time::timeout_at(user.deadline(), work)
        .await
        .unwrap_or(Err(Error::GoogleTimeout { what: tool }))
}

/// Logs one line per tool call: tool, user, outcome, Google latency, total latency. Never
/// arguments or tokens.
pub fn finish(
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
pub async fn zone_for(google: &mut UserCalendar<'_>, given: Option<&Zone>) -> Result<Zone> {
    match given {
        Some(zone) => Ok(zone.clone()),
        None => google.zone().await,
    }
}
