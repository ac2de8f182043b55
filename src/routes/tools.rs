//! The three webhook tools Anam calls, behind presigned URLs.

use axum::Router;
use axum::routing::post;
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::state::AppState;
use crate::tool_args::ToolArgs;
use crate::webhook_auth::VerifiedUser;

/// Route of the `list_events` tool.
pub const LIST_EVENTS_PATH: &str = "/api/calendar/list-events";
/// Route of the `find_free_time` tool.
pub const FREEBUSY_PATH: &str = "/api/calendar/freebusy";
/// Route of the `block_time` tool.
pub const BLOCK_TIME_PATH: &str = "/api/calendar/events";

/// Routes of this area.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(LIST_EVENTS_PATH, post(not_yet))
        .route(FREEBUSY_PATH, post(not_yet))
        .route(BLOCK_TIME_PATH, post(not_yet))
}

/// Verified and parsed, but the calendar calls are not built yet: say so rather than invent data.
async fn not_yet(_user: VerifiedUser, ToolArgs(_args): ToolArgs<Map<String, Value>>) -> Result<()> {
    Err(Error::NotImplemented)
}
