//! This service or the other services it needs: Anam, its settings, its database.

use std::time::Duration;

use axum::http::StatusCode;
use serde_json::json;

use super::Parts;

/// How long to tell callers to wait when the database is unreachable.
pub(crate) const STORE_RETRY: Duration = Duration::from_secs(5);

/// The service cannot serve this right now.
#[derive(Debug, thiserror::Error)]
pub enum Service {
    /// Anam refused or could not be reached.
    #[error("Anam request failed (status {status:?}): {detail}")]
    Anam {
        /// Anam's HTTP status, if it answered.
        status: Option<u16>,
        /// Anam's message.
        detail: String,
        /// Anam's `Retry-After`, when it limits sessions.
        retry_after: Option<Duration>,
    },
    /// A route needs a setting that is not configured.
    #[error("{variable} is not set")]
    NotConfigured {
        /// The missing environment variable.
        variable: &'static str,
    },
    /// The database cannot be reached right now (down, restarting, unreachable).
    #[error("store unavailable: {0}")]
    StoreUnavailable(String),
    /// The instance is shutting down (`/readyz` after SIGTERM).
    #[error("draining")]
    Draining,
    /// A bug or an unexpected failure; details go to the log only.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Service {
    /// Status, reason, sentence, and what else the answer carries.
    pub fn parts(&self) -> Parts {
        use StatusCode as S;
        match self {
            Self::Anam {
                status,
                detail,
                retry_after,
            } => anam_parts(*status, *retry_after).with("detail", json!(detail)),
            Self::NotConfigured { variable } => {
                Parts::new(S::SERVICE_UNAVAILABLE, "not_configured")
                    .var("variable", variable)
                    .with("variable", json!(variable))
            }
            Self::StoreUnavailable(_) => {
                Parts::new(S::SERVICE_UNAVAILABLE, "store_unavailable").retry_after(STORE_RETRY)
            }
            Self::Draining => Parts::new(S::SERVICE_UNAVAILABLE, "draining"),
            Self::Internal(_) => Parts::new(S::INTERNAL_SERVER_ERROR, "internal_error"),
        }
    }
}

/// The reason of every answer about a failed session mint.
const ANAM_FAILED: &str = "session-token request failed";

/// Anam's 4xx is passed on (the request was wrong, e.g. an unknown avatar id); its 5xx or
/// silence is ours to report as a bad gateway.
fn anam_parts(status: Option<u16>, retry_after: Option<Duration>) -> Parts {
    let code = status
        .filter(|s| (400..500).contains(s))
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::BAD_GATEWAY);
    let parts = match status {
        Some(401 | 403) => Parts::said(code, ANAM_FAILED, "anam_key_refused"),
        Some(429) => Parts::said(code, ANAM_FAILED, "anam_rate_limited")
            .var("seconds", retry_after.map_or(60, |d| d.as_secs().max(1))),
        Some(400..=499) => Parts::said(code, ANAM_FAILED, "anam_refused"),
        _ => Parts::said(code, ANAM_FAILED, "anam_unavailable"),
    };
    match retry_after {
        Some(wait) => parts.retry_after(wait),
        None => parts,
    }
}
