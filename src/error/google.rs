//! Google's answers that are not what was asked for: errors, missing permissions, limits,
//! refusals and silence.

use std::time::Duration;

use axum::http::StatusCode;
use serde_json::json;

use super::Parts;
use crate::messages::Said;
use crate::scopes::Permission;

/// How long to tell callers to wait when Google limits our requests.
pub const GOOGLE_RATE_RETRY: Duration = Duration::from_secs(30);

/// Google could not do it.
#[derive(Debug, thiserror::Error)]
pub enum GoogleError {
    /// Google answered with an error or could not be reached.
    #[error("Google {what} failed (status {status:?}): {detail}")]
    Failed {
        /// Which call.
        what: &'static str,
        /// Google's HTTP status, if it answered.
        status: Option<u16>,
        /// Google's error text (never a token).
        detail: String,
    },
    /// The stored grant lacks a scope the call needs, or Google said the token's scopes are
    /// insufficient: the user must sign in again and allow it.
    #[error("Google grant lacks: {missing:?}")]
    ScopeMissing {
        /// What is missing.
        missing: Vec<Permission>,
    },
    /// Google refused because of its rate limits or quota (a 429, or a 403 `rateLimitExceeded`).
    #[error("Google {what} rate-limited: {detail}")]
    RateLimited {
        /// Which call.
        what: &'static str,
        /// Google's reason.
        detail: String,
        /// How long Google asked us to wait (its `Retry-After`), when it said.
        retry_after: Option<Duration>,
    },
    /// Google refused the action on that calendar or event (a 403 other than scopes or limits).
    #[error("Google {what} forbidden: {detail}")]
    Forbidden {
        /// Which call.
        what: &'static str,
        /// Google's reason.
        detail: String,
    },
    /// Google did not answer within the time budget.
    #[error("Google {what} timed out")]
    Timeout {
        /// Which call.
        what: &'static str,
    },
}

impl GoogleError {
    /// Status, reason, sentence, and what else the answer carries.
    pub fn parts(&self) -> Parts {
        use StatusCode as S;
        match self {
            Self::Failed { .. } => Parts::new(S::BAD_GATEWAY, "google_error"),
            Self::ScopeMissing { missing } => {
                let key = if missing.iter().all(|p| Permission::CONTACTS.contains(p)) {
                    "google_scope_missing_contacts"
                } else {
                    "google_scope_missing"
                };
                let keys: Vec<&str> = missing.iter().map(|p| p.key()).collect();
                Parts::said(S::FORBIDDEN, "google_scope_missing", key)
                    .var_said(
                        "permission",
                        Said::List(missing.iter().map(|p| Said::key(p.words())).collect()),
                    )
                    .with("missing", json!(keys))
            }
            Self::RateLimited { retry_after, .. } => {
                let wait = retry_after
                    .unwrap_or(GOOGLE_RATE_RETRY)
                    .max(Duration::from_secs(1));
                Parts::new(S::SERVICE_UNAVAILABLE, "google_rate_limited")
                    .var("seconds", wait.as_secs())
                    .retry_after(wait)
            }
            Self::Forbidden { .. } => Parts::new(S::FORBIDDEN, "google_forbidden"),
            Self::Timeout { .. } => Parts::new(S::GATEWAY_TIMEOUT, "google_timeout"),
        }
    }
}
