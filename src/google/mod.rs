//! Google: OAuth (sign-in, refresh, revoke) and access tokens per user.

pub mod access_tokens;
pub mod api_error;
pub mod calendar;
pub mod calendar_watch;
pub mod oauth;
pub mod people;
pub mod scopes;
pub mod user_calendar;
pub mod user_context;

use std::time::Duration;

use crate::error::Error;

/// How long one call to Google's OAuth endpoints may take.
pub const OAUTH_TIMEOUT: Duration = Duration::from_secs(4);

/// Maps a transport failure to the project's error: a timeout is 504, anything else 502.
/// The URL is dropped from the message (it may carry query parameters).
pub(crate) fn transport_error(what: &'static str, error: reqwest::Error) -> Error {
    if error.is_timeout() {
        Error::GoogleTimeout { what }
    } else {
        Error::Google {
            what,
            status: None,
            detail: error.without_url().to_string(),
        }
    }
}
