//! The router: one `router()` per area, merged here with the shared middleware.

mod assets;
mod auth;
mod bookings;
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

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, MatchedPath};
use axum::http::{Request, Response};
use axum::response::IntoResponse;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;
use tracing::Span;

use crate::error::Error;
use crate::state::AppState;
use crate::tool_args::MAX_BODY_BYTES;

/// Builds the whole application. Tests drive this same function.
pub fn app(state: AppState) -> Router {
    let [csp, nosniff, referrer, frames, permissions] = security::layers(&state.config);
    Router::new()
        .merge(page::router())
        .merge(assets::router())
        .merge(health::router())
        .merge(bookings::router())
        .merge(live::router())
        .merge(auth::router())
        .merge(session::router())
        .merge(crate::tools::router())
        .fallback(|| async { Error::NotFound })
        .method_not_allowed_fallback(|| async { Error::MethodNotAllowed })
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(csp)
        .layer(nosniff)
        .layer(referrer)
        .layer(frames)
        .layer(permissions)
        .layer(CatchPanicLayer::custom(|_| {
            Error::Internal("a handler panicked".into()).into_response()
        }))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_request(())
                .on_response(log_response)
                .on_failure(()),
        )
        .with_state(state)
}

/// One span per request with the method and the matched route. Never the URI: tool URLs
/// carry signatures in their query strings.
fn request_span(request: &Request<Body>) -> Span {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("<unmatched>", MatchedPath::as_str);
    tracing::info_span!("request", method = %request.method(), route)
}

/// One line at the end of each request with status and latency.
fn log_response(response: &Response<Body>, latency: Duration, _span: &Span) {
    tracing::info!(
        status = response.status().as_u16(),
        latency_ms = format_args!("{:.1}", latency.as_secs_f64() * 1000.0),
        "response"
    );
}
