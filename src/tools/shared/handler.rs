//! The one handler every tool runs through (docs/api.md, The tools): the verified user, then the typed
//! arguments (400 before any Google call), then the tool's work within the call's time budget,
//! then one log line and the answer. A tool only declares and runs; it never builds a response.

use std::future::Future;
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use super::args::ToolArgs;
use super::tool::{Call, Tool};
use crate::calendar::Zone;
use crate::error::{Auth, Error, GoogleError, Result};
use crate::google::accounts::AccountAccess;
use crate::google::user_calendar::UserCalendar;
use crate::http::verified_user::VerifiedUser;
use crate::state::AppState;

/// What a tool that sends something keeps back from its Google work, so that recording what
/// Google did (the audit row, the answer for a retry) still fits in the budget.
pub(crate) const RECORD_RESERVE: Duration = Duration::from_millis(400);

/// Serves `tool` for one call.
pub(crate) async fn handle(
    tool: &'static Tool,
    State(state): State<AppState>,
    user: VerifiedUser,
    ToolArgs(raw): ToolArgs<Map<String, Value>>,
) -> Response {
    let work = match (tool.prepare)(&raw, &user) {
        Ok(work) => work,
        Err(e) => return e.into_response_in(user.language),
    };
    let deadline = user.deadline();
    let accounts = match until(tool.name, deadline, state.accounts_of(&user.user_id)).await {
        Ok(accounts) => accounts,
        Err(e) => return e.into_response_in(user.language),
    };
    let mut accounts: Vec<AccountAccess> = accounts
        .into_iter()
        .map(|email| AccountAccess {
            google: state.google_for(&email).until(deadline),
            email,
        })
        .collect();
    if accounts.is_empty() {
        return Error::Auth(Auth::NotConnected).into_response_in(user.language);
    }
    let first = accounts.remove(0);
    let mut call = Call {
        state,
        user,
        google: first.google,
        account: first.email,
        others: accounts,
    };
    let result = until(tool.name, deadline, work.run(&mut call)).await;
    finish(tool.name, &call.user, call.google_time(), result)
}

/// Runs `work` until `deadline` (504 beyond it).
pub(crate) async fn until<T>(
    tool: &'static str,
    deadline: tokio::time::Instant,
    work: impl Future<Output = Result<T>>,
) -> Result<T> {
    tokio::time::timeout_at(deadline, work)
        .await
        .unwrap_or(Err(Error::Google(GoogleError::Timeout { what: tool })))
}

/// Logs one line per tool call: tool, user, outcome, Google latency, total latency. Never
/// arguments or tokens.
fn finish(
    tool: &'static str,
    user: &VerifiedUser,
    google_time: Duration,
    result: Result<Value>,
) -> Response {
    let (outcome, google_time) = match &result {
        Ok(_) => ("ok", google_time),
        // The call in flight when the budget ran out was not counted: it took the rest.
        Err(e @ Error::Google(GoogleError::Timeout { .. })) => {
            (e.reason(), user.deadline - user.arrived)
        }
        Err(e) => (e.reason(), google_time),
    };
    tracing::info!(
        tool,
        user_id = %user.user_id,
        outcome,
        google_ms = google_time.as_millis() as u64,
        total_ms = user.arrived.elapsed().as_millis() as u64,
        "tool call"
    );
    match result {
        Ok(answer) => Json(answer).into_response(),
        // In the session's language, as the avatar will say it.
        Err(e) => e.into_response_in(user.language),
    }
}

/// The zone to answer in: the argument, or the user's calendar zone.
pub(crate) async fn zone_for(google: &mut UserCalendar, given: Option<&Zone>) -> Result<Zone> {
    match given {
        Some(zone) => Ok(zone.clone()),
        None => google.zone().await,
    }
}
