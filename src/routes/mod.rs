//! The router: one `router()` per area, merged here with the shared middleware.

mod accounts;
mod assets;
mod auth;
mod edge;
mod events;
mod health;
mod live;
mod page;
mod security;
mod session;

/// Route of the `list_events` tool.
pub const LIST_EVENTS_PATH: &str = crate::tools::list_events::ROUTE;
/// Route of the `find_free_time` tool.
pub const FREEBUSY_PATH: &str = crate::tools::find_free_time::ROUTE;
/// Route of the `block_time` tool.
pub const BLOCK_TIME_PATH: &str = crate::tools::block_time::ROUTE;

use std::sync::Arc;

use axum::Router;

use edge::EdgeLayer;

use crate::error::{Error, Input};
use crate::state::AppState;
use crate::tools::shared::args::MAX_BODY_BYTES;

/// Builds the whole application. Tests drive this same function.
pub fn app(state: AppState) -> Router {
    let edge = EdgeLayer::new(
        MAX_BODY_BYTES,
        Arc::clone(&state.log_budget),
        Arc::clone(&state.metrics),
        security::headers(&state.config),
    );
    Router::new()
        .merge(page::router())
        .merge(assets::router())
        .merge(health::router())
        .merge(events::router())
        .merge(live::router())
        .merge(auth::router())
        .merge(accounts::router())
        .merge(session::router())
        .merge(crate::tools::router())
        .fallback(|| async { Error::Input(Input::NotFound) })
        .method_not_allowed_fallback(|| async { Error::Input(Input::MethodNotAllowed) })
        .layer(edge)
        .with_state(state)
}
