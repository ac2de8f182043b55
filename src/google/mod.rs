//! Google: OAuth (sign-in, refresh, revoke), access tokens per user, and the typed clients of
//! the Calendar and People APIs.

/// Runs a call of the generated client, keeping Google's `Retry-After` when it fails (the
/// client alone returns only the body): `Result<(Response, T), Failure>`.
macro_rules! send {
    ($call:expr) => {{
        let mut kept = $crate::google::api_error::RetryAfter::default();
        let answer = $call.delegate(&mut kept).doit().await;
        answer.map_err(|e| kept.failure(e))
    }};
}

pub(crate) mod access_tokens;
pub(crate) mod accounts;
pub(crate) mod api_error;
pub(crate) mod calendar;
pub(crate) mod calendar_watch;
pub(crate) mod calendar_writes;
pub(crate) mod oauth;
pub(crate) mod people;
pub(crate) mod retry;
pub(crate) mod user_calendar;
pub(crate) mod user_context;

use std::sync::Arc;

use crate::error::{Error, GoogleError};
use crate::metrics::Metrics;

/// What Google work for any user needs: their access tokens, the Calendar client, the cache of
/// their zones and calendars, and the metrics it reports to. Shared (behind an `Arc`) by every
/// request; [`user_calendar::UserCalendar`] is one user's view of it.
pub struct Google {
    /// Cached, single-flight access tokens.
    pub tokens: access_tokens::AccessTokens,
    /// Google Calendar, on its own pooled client.
    pub(crate) calendar: Arc<calendar::CalendarClient>,
    /// Users' calendar zones and calendars.
    pub(crate) contexts: user_context::ContextCache,
    /// Where Google latencies are counted.
    pub(crate) metrics: Arc<Metrics>,
}

/// Maps a transport failure to the project's error: a timeout is 504, anything else 502.
/// The URL is dropped from the message (it may carry query parameters).
pub(crate) fn transport_error(what: &'static str, error: reqwest::Error) -> Error {
    if error.is_timeout() {
        Error::Google(GoogleError::Timeout { what })
    } else {
        Error::google(what, None, error.without_url().to_string())
    }
}
