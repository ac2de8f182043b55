//! What was asked: the body, the arguments, the address, how often.

use std::time::Duration;

use axum::http::StatusCode;
use serde_json::json;

use super::Parts;

/// The request itself cannot be served as sent.
#[derive(Debug, thiserror::Error)]
pub enum Input {
    /// A tool argument is missing or unusable.
    #[error("invalid argument {argument}: {detail}")]
    InvalidArgument {
        /// The argument's name as the tool schema spells it.
        argument: std::borrow::Cow<'static, str>,
        /// What is wrong with it, in a sentence the avatar can say.
        detail: crate::messages::Said,
    },
    /// The body is not JSON, or not an object of the expected shape.
    #[error("invalid JSON body: {0}")]
    InvalidJson(String),
    /// The body is declared as something other than JSON.
    #[error("unsupported content type")]
    UnsupportedMediaType,
    /// The body is over the 64 KiB limit.
    #[error("request body too large")]
    PayloadTooLarge,
    /// Too many requests; try again after the given delay.
    #[error("rate limited")]
    RateLimited {
        /// When the next request will be allowed.
        retry_after: Duration,
    },
    /// The user's hourly allowance of e-mails to other people (`GUEST_EMAILS_PER_HOUR`) would
    /// be passed: nothing was written.
    #[error("invite limit reached")]
    InviteLimit {
        /// The allowance per hour.
        per_hour: u32,
        /// When enough of it frees.
        retry_after: Duration,
    },
    /// No route here.
    #[error("not found")]
    NotFound,
    /// The route exists, but not with this method.
    #[error("method not allowed")]
    MethodNotAllowed,
}

impl Input {
    /// Status, reason, sentence, and what else the answer carries.
    pub fn parts(&self) -> Parts {
        use StatusCode as S;
        match self {
            Self::InvalidArgument { argument, detail } => {
                Parts::new(S::BAD_REQUEST, "invalid_argument")
                    .var_said("detail", detail.clone())
                    .with("argument", json!(argument))
            }
            Self::InvalidJson(detail) => {
                Parts::new(S::BAD_REQUEST, "invalid_json").var("detail", detail)
            }
            Self::UnsupportedMediaType => {
                Parts::new(S::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
            }
            Self::PayloadTooLarge => Parts::new(S::PAYLOAD_TOO_LARGE, "payload_too_large"),
            Self::RateLimited { retry_after } => Parts::new(S::TOO_MANY_REQUESTS, "rate_limited")
                .var("seconds", retry_after.as_secs().max(1))
                .retry_after(*retry_after),
            Self::InviteLimit {
                per_hour,
                retry_after,
            } => Parts::new(S::TOO_MANY_REQUESTS, "invite_limit")
                .var("per_hour", per_hour)
                .var("minutes", retry_after.as_secs().div_ceil(60).max(1))
                .retry_after(*retry_after),
            Self::NotFound => Parts::new(S::NOT_FOUND, "not_found"),
            Self::MethodNotAllowed => Parts::new(S::METHOD_NOT_ALLOWED, "method_not_allowed"),
        }
    }
}
