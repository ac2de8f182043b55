//! `GET /healthz` (liveness: no I/O) and `GET /readyz` (readiness: the store answers).

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::error::{Error, Result, Service};
use crate::state::AppState;

/// Routes of this area.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}

async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// A load balancer sends traffic here only while the database answers, and not once the
/// instance is draining (SIGTERM). The store is asked on a connection of its own.
async fn readyz(State(state): State<AppState>) -> Result<Json<Value>> {
    if state.is_draining() {
        return Err(Error::Service(Service::Draining));
    }
    state.store.ping().await.map_err(|e| {
        let error = Error::from(e);
        match error {
            Error::Service(Service::StoreUnavailable(_)) => error,
            other => Error::Service(Service::StoreUnavailable(other.to_string())),
        }
    })?;
    Ok(Json(json!({ "status": "ready" })))
}
