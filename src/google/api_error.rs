//! Google's API errors as ours. A Calendar call answers a [`Failure`] (whatever transport made
//! it: the generated client, or a plain JSON request); the method that made it reads it as one
//! of the service's errors ([`Failure::into_error`]), so each method owns its mapping once.
//! google-calendar3 returns Google's JSON error body without the HTTP status; the status is in
//! `error.code`. A 403 means one of three things a user must hear apart: the grant lacks the
//! method's scope (sign in again), Google is limiting requests (try again), or the action is not
//! allowed on that calendar.

use std::time::Duration;

use google_calendar3::Error as ApiError;
use serde_json::Value;

use crate::error::{Error, GoogleError};
use crate::scopes::Method;

/// A Calendar call that did not give what was asked, before it is read for its method.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The generated client's error, and Google's `Retry-After` if it sent one.
    Api(Box<ApiError>, Option<Duration>),
    /// A plain request's answer: Google's status and JSON body.
    Status {
        /// The HTTP status.
        code: u16,
        /// Google's error body.
        body: Value,
        /// Google's `Retry-After`, if it sent one.
        retry_after: Option<Duration>,
    },
    /// The connection failed or timed out.
    Transport(reqwest::Error),
    /// A success whose body is not what the method returns.
    Unexpected(String),
}

impl Failure {
    /// Google's HTTP status, when it answered.
    pub(crate) fn status(&self) -> Option<u16> {
        match self {
            Self::Api(e, _) => match e.as_ref() {
                ApiError::BadRequest(body) => body["error"]["code"]
                    .as_u64()
                    .and_then(|c| u16::try_from(c).ok()),
                ApiError::Failure(response) => Some(response.status().as_u16()),
                _ => None,
            },
            Self::Status { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// This failure of `method` as the service's error.
    pub(crate) fn into_error(self, method: &Method) -> Error {
        match self {
            Self::Api(e, retry_after) => api_error(method, *e, retry_after),
            Self::Status {
                code,
                body,
                retry_after,
            } => classify_status(method, code, &body, retry_after),
            Self::Transport(e) => super::transport_error(method.name, e),
            Self::Unexpected(why) => {
                Error::google(method.name, Some(200), format!("unexpected: {why}"))
            }
        }
    }
}

impl Failure {
    /// A plain request's error answer, without a `Retry-After`.
    pub(crate) fn answered(code: u16, body: Value) -> Self {
        Self::Status {
            code,
            body,
            retry_after: None,
        }
    }
}

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Self {
        Self::Api(Box::new(e), None)
    }
}

/// A `Retry-After` header in seconds (the form Google sends), at most an hour.
pub(crate) fn retry_after(headers: &axum::http::HeaderMap) -> Option<Duration> {
    let seconds: u64 = headers
        .get("retry-after")?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(seconds.min(3600)))
}

/// Keeps the `Retry-After` of a failed call of the generated client (which otherwise returns
/// only the body): set on the call with `.delegate(&mut …)`.
#[derive(Default)]
pub(crate) struct RetryAfter(pub(crate) Option<Duration>);

impl google_calendar3::common::Delegate for RetryAfter {
    fn http_failure(
        &mut self,
        response: &google_calendar3::common::Response,
        _: Option<&Value>,
    ) -> google_calendar3::common::Retry {
        self.0 = retry_after(response.headers());
        google_calendar3::common::Retry::Abort
    }
}

impl RetryAfter {
    /// The call's error with the `Retry-After` kept.
    pub(crate) fn failure(&self, error: ApiError) -> Failure {
        Failure::Api(Box::new(error), self.0)
    }
}

/// Rate-limit and quota reasons Google gives with a 403 (or a 429).
const RATE_REASONS: [&str; 4] = [
    "rateLimitExceeded",
    "userRateLimitExceeded",
    "quotaExceeded",
    "dailyLimitExceeded",
];

/// A google-calendar3 error as ours.
fn api_error(method: &Method, error: ApiError, retry_after: Option<Duration>) -> Error {
    let what = method.name;
    match error {
        ApiError::BadRequest(body) => {
            let status = body["error"]["code"]
                .as_u64()
                .and_then(|c| u16::try_from(c).ok());
            let detail = body["error"]["message"]
                .as_str()
                .unwrap_or("no message")
                .to_owned();
            classify(method, status, detail, &body, retry_after)
        }
        ApiError::Failure(response) => {
            let status = response.status().as_u16();
            let retry_after = retry_after.or_else(|| self::retry_after(response.headers()));
            classify(
                method,
                Some(status),
                "error without a JSON body".into(),
                &Value::Null,
                retry_after,
            )
        }
        ApiError::HttpError(e) => Error::google(what, None, format!("connection failed: {e}")),
        ApiError::JsonDecodeError(_, e) => {
            Error::google(what, None, format!("unexpected answer: {e}"))
        }
        other => Error::internal(format!("{what}: {other}")),
    }
}

/// A Google API error answer (any API: Calendar, People) as ours, from its status, body and
/// `Retry-After`.
pub(crate) fn classify_status(
    method: &Method,
    status: u16,
    body: &Value,
    retry_after: Option<Duration>,
) -> Error {
    let detail = body["error"]["message"]
        .as_str()
        .unwrap_or("no message")
        .to_owned();
    classify(method, Some(status), detail, body, retry_after)
}

fn classify(
    method: &Method,
    status: Option<u16>,
    detail: String,
    body: &Value,
    retry_after: Option<Duration>,
) -> Error {
    let what = method.name;
    let reasons: Vec<&str> = ["errors", "details"]
        .iter()
        .filter_map(|key| body["error"][*key].as_array())
        .flatten()
        .filter_map(|e| e["reason"].as_str())
        .collect();
    let rate_limited = reasons.iter().any(|r| RATE_REASONS.contains(r));
    let insufficient_scope = reasons.iter().any(|r| {
        matches!(
            *r,
            "insufficientPermissions" | "ACCESS_TOKEN_SCOPE_INSUFFICIENT"
        )
    }) || detail.contains("insufficient authentication scopes");
    match status {
        Some(429) => Error::Google(GoogleError::RateLimited {
            what,
            detail,
            retry_after,
        }),
        Some(403) if rate_limited => Error::Google(GoogleError::RateLimited {
            what,
            detail,
            retry_after,
        }),
        Some(403) if insufficient_scope => Error::Google(GoogleError::ScopeMissing {
            missing: vec![method.permission],
        }),
        Some(403) => Error::Google(GoogleError::Forbidden { what, detail }),
        status => Error::google(what, status, detail),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api_error_of(method: &Method, error: ApiError) -> Error {
        api_error(method, error, None)
    }
    use crate::scopes;

    #[test]
    fn the_status_comes_from_googles_error_body() {
        let body = serde_json::json!({"error": {"code": 409, "message": "The requested identifier already exists."}});
        match api_error_of(&scopes::EVENTS_INSERT, ApiError::BadRequest(body)) {
            Error::Google(GoogleError::Failed { status, detail, .. }) => {
                assert_eq!(status, Some(409));
                assert!(detail.contains("already exists"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_403_is_told_apart_by_its_reason() {
        let scope = serde_json::json!({"error": {"code": 403,
            "message": "Request had insufficient authentication scopes.",
            "errors": [{"message": "Insufficient Permission", "domain": "global", "reason": "insufficientPermissions"}],
            "status": "PERMISSION_DENIED",
            "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT"}]}});
        assert!(matches!(
            api_error_of(&scopes::SETTINGS_GET, ApiError::BadRequest(scope)),
            Error::Google(GoogleError::ScopeMissing { missing }) if missing == [scopes::Permission::Settings]
        ));
        let rate = serde_json::json!({"error": {"code": 403, "message": "Rate Limit Exceeded",
            "errors": [{"domain": "usageLimits", "reason": "rateLimitExceeded"}]}});
        assert!(matches!(
            api_error_of(&scopes::EVENTS_LIST, ApiError::BadRequest(rate)),
            Error::Google(GoogleError::RateLimited { .. })
        ));
        let forbidden = serde_json::json!({"error": {"code": 403, "message": "Forbidden",
            "errors": [{"domain": "global", "reason": "forbidden"}]}});
        assert!(matches!(
            api_error_of(&scopes::EVENTS_PATCH, ApiError::BadRequest(forbidden)),
            Error::Google(GoogleError::Forbidden { .. })
        ));
        let too_many = serde_json::json!({"error": {"code": 429, "message": "Too Many Requests"}});
        assert!(matches!(
            api_error_of(&scopes::FREEBUSY_QUERY, ApiError::BadRequest(too_many)),
            Error::Google(GoogleError::RateLimited { .. })
        ));
    }
}
