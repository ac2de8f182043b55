//! The ceiling for the service's own routes: a bare Axum app that checks a presigned tool URL
//! exactly as the service does (`presign::verify`, constant time) and answers a small JSON
//! body, with no layers, no logging, no state beyond the key. Like the service's tools it
//! takes POST only (a GET gets Axum's 405). `loadtest ceiling` runs it side by
//! side with the service; it is also handy alone:
//!
//! ```text
//! PORT=3900 PRESIGN_SECRET=… PUBLIC_BASE_URL=https://load.example \
//!   cargo run --release --example ceiling
//! ```

use std::sync::Arc;

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{get, post};
use calendar_agent::clock::unix_now;
use calendar_agent::presign::{SignedParams, SigningKeys, verify};
use calendar_agent::secret::Secret;
use serde_json::json;

const ROUTE: &str = "/api/calendar/list-events";

struct Keys {
    keys: SigningKeys,
    base_url: String,
}

async fn tool(State(keys): State<Arc<Keys>>, RawQuery(query): RawQuery) -> Response {
    let verified = SignedParams::from_query(query.as_deref())
        .and_then(|params| verify(&keys.keys, &keys.base_url, &params, unix_now()));
    match verified {
        Ok(v) => Json(json!({ "uid": v.uid })).into_response(),
        Err(reason) => (
            StatusCode::UNAUTHORIZED,
            Json(json!({ "error": reason.code(), "message": "This calendar link is not valid." })),
        )
            .into_response(),
    }
}

#[tokio::main]
async fn main() {
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    let secret = var("PRESIGN_SECRET");
    assert!(secret.len() >= 32, "PRESIGN_SECRET (32 bytes or more)");
    let keys = Arc::new(Keys {
        keys: SigningKeys::new(Secret::new(secret)),
        base_url: format!("{}{ROUTE}", var("PUBLIC_BASE_URL")),
    });
    let app = Router::new()
        .route(ROUTE, post(tool))
        .route(
            "/healthz",
            get(|| async { Json(json!({ "status": "ok" })) }),
        )
        .with_state(keys);
    let port: u16 = var("PORT").parse().unwrap_or(3900);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap_or_else(|e| panic!("cannot listen on 127.0.0.1:{port}: {e}"));
    let addr = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    eprintln!("ceiling listening on http://{addr}");
    if let Err(e) = axum::serve(listener, app).await {
        eprintln!("error: {e}");
    }
}
