//! The one error type: every failure a route can have, and the one place it becomes JSON.
//!
//! The client gets `{"error": "<short reason>", "message": "<a sentence the avatar can say>"}`
//! (DESIGN.md §4); the log gets the cause.

use std::time::Duration;

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::google::scopes::{Permission, describe_all};
use crate::presign::VerifyError;

/// How long to tell callers to wait when the database is unreachable.
pub const STORE_RETRY: Duration = Duration::from_secs(5);

/// How long to tell callers to wait when Google limits our requests.
pub const GOOGLE_RATE_RETRY: Duration = Duration::from_secs(30);

/// Shorthand for results whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in a request.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A tool URL whose signature, expiry or parameters do not check out.
    #[error("presigned URL refused: {0}")]
    Presign(#[from] VerifyError),
    /// The `create_meeting` URL outlived its shorter life (`MEETING_URL_TTL_SECONDS`).
    #[error("create_meeting URL expired")]
    MeetingUrlExpired,
    /// No meeting draft this user may send: unknown, another user's or session's, expired,
    /// or already sent.
    #[error("meeting draft unusable: {0}")]
    DraftUnusable(&'static str),
    /// A send that another request is doing right now (a draft or a change being sent).
    #[error("already being sent: {0}")]
    InProgress(&'static str),
    /// A tool URL of a session minted before the user's latest sign-out.
    #[error("tool URL from before the user signed out")]
    SignedOut,
    /// No valid signed `userId` cookie.
    #[error("not signed in")]
    NotSignedIn,
    /// The user has no usable Google grant stored (never signed in, or forgotten).
    #[error("user has no Google connection")]
    NotConnected,
    /// Google refused the stored refresh token (`invalid_grant`): consent revoked or expired.
    #[error("Google grant revoked or expired")]
    ReauthRequired,
    /// The OAuth callback's `state`/cookie check failed; Google was not called.
    #[error("OAuth state check failed: {0}")]
    InvalidOAuthState(&'static str),
    /// A change to an event this service did not make (or the user does not organise).
    #[error("event not made by this service")]
    NotMadeByAgent,
    /// A push notification whose token is not its channel's.
    #[error("wrong channel token")]
    BadChannelToken,
    /// A cross-site request to a route that changes state.
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// Google answered with an error or could not be reached.
    #[error("Google {what} failed (status {status:?}): {detail}")]
    Google {
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
    GoogleRateLimited {
        /// Which call.
        what: &'static str,
        /// Google's reason.
        detail: String,
    },
    /// Google refused the action on that calendar or event (a 403 other than scopes or limits).
    #[error("Google {what} forbidden: {detail}")]
    GoogleForbidden {
        /// Which call.
        what: &'static str,
        /// Google's reason.
        detail: String,
    },
    /// Google did not answer within the time budget.
    #[error("Google {what} timed out")]
    GoogleTimeout {
        /// Which call.
        what: &'static str,
    },
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
    /// A tool argument is missing or unusable.
    #[error("invalid argument {argument}: {message}")]
    InvalidArgument {
        /// The argument's name as the tool schema spells it.
        argument: &'static str,
        /// A sentence the avatar can say.
        message: String,
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

impl Error {
    /// The HTTP status this error answers with.
    pub fn status_code(&self) -> StatusCode {
        match self {
            Self::Presign(_)
            | Self::MeetingUrlExpired
            | Self::BadChannelToken
            | Self::NotSignedIn
            | Self::SignedOut
            | Self::NotConnected
            | Self::ReauthRequired => StatusCode::UNAUTHORIZED,
            Self::DraftUnusable(_) => StatusCode::NOT_FOUND,
            Self::InProgress(_) => StatusCode::CONFLICT,
            Self::InvalidOAuthState(_) => StatusCode::BAD_REQUEST,
            Self::Forbidden(_)
            | Self::NotMadeByAgent
            | Self::ScopeMissing { .. }
            | Self::GoogleForbidden { .. } => StatusCode::FORBIDDEN,
            Self::GoogleRateLimited { .. } | Self::StoreUnavailable(_) | Self::Draining => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            Self::Google { .. } => StatusCode::BAD_GATEWAY,
            Self::GoogleTimeout { .. } => StatusCode::GATEWAY_TIMEOUT,
            // Anam's 4xx is passed on (the request was wrong, e.g. an unknown avatar id);
            // its 5xx or silence is ours to report as a bad gateway.
            Self::Anam { status, .. } => status
                .filter(|s| (400..500).contains(s))
                .and_then(|s| StatusCode::from_u16(s).ok())
                .unwrap_or(StatusCode::BAD_GATEWAY),
            Self::NotConfigured { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Self::InvalidArgument { .. } | Self::InvalidJson(_) => StatusCode::BAD_REQUEST,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::RateLimited { .. } | Self::InviteLimit { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The short machine-readable reason (`"error"` key).
    pub fn reason(&self) -> &'static str {
        match self {
            Self::Presign(VerifyError::Expired { .. }) => "url_expired",
            Self::Presign(VerifyError::Missing(_)) => "missing_signature",
            Self::Presign(VerifyError::BeyondLife { .. }) => "url_too_long_lived",
            Self::Presign(_) => "invalid_signature",
            Self::MeetingUrlExpired => "url_expired",
            Self::DraftUnusable(_) => "draft_not_found",
            Self::InProgress(_) => "in_progress",
            Self::NotSignedIn => "not_signed_in",
            Self::SignedOut => "signed_out",
            Self::BadChannelToken => "invalid_channel_token",
            Self::NotConnected => "not_connected",
            Self::ReauthRequired => "google_reauth_required",
            Self::InvalidOAuthState(_) => "invalid_oauth_state",
            Self::Forbidden(_) => "forbidden",
            Self::NotMadeByAgent => "not_made_by_agent",
            Self::ScopeMissing { .. } => "google_scope_missing",
            Self::GoogleRateLimited { .. } => "google_rate_limited",
            Self::GoogleForbidden { .. } => "google_forbidden",
            Self::Google { .. } => "google_error",
            Self::GoogleTimeout { .. } => "google_timeout",
            Self::Anam { .. } => "session-token request failed",
            Self::NotConfigured { .. } => "not_configured",
            Self::InvalidArgument { .. } => "invalid_argument",
            Self::InvalidJson(_) => "invalid_json",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::PayloadTooLarge => "payload_too_large",
            Self::RateLimited { .. } => "rate_limited",
            Self::InviteLimit { .. } => "invite_limit",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::StoreUnavailable(_) => "store_unavailable",
            Self::Draining => "draining",
            Self::Internal(_) => "internal_error",
        }
    }

    /// A sentence the avatar (or a person reading the page) can use.
    pub fn message(&self) -> String {
        match self {
            Self::Presign(VerifyError::Expired { .. }) => {
                "This calendar link has expired. Ask the user to end the call and press Start again."
                    .into()
            }
            Self::Presign(_) => {
                "This calendar link is not valid, so I cannot reach the calendar. Ask the user to \
                 end the call and press Start again."
                    .into()
            }
            Self::MeetingUrlExpired => {
                "The link for sending invitations has expired; it lasts a short while after Start, \
                 for safety. The other calendar tools still work. Ask the user to end the call \
                 and press Start again to send invitations."
                    .into()
            }
            Self::DraftUnusable(why) => format!(
                "That meeting draft cannot be sent: {why}. Nothing was sent to anyone. Make a new \
                 draft with draft_meeting, read it back, and send it after the user says yes."
            ),
            Self::InProgress(what) => format!(
                "I am sending {what} right now, so I did not send them again. Ask again in a \
                 moment to hear how it went."
            ),
            Self::NotSignedIn => "Not signed in. Sign in with Google on the page first.".into(),
            Self::SignedOut => {
                "The user has signed out since this conversation started, so I can no longer \
                 reach their calendar. Ask them to sign in again at the page and press Start."
                    .into()
            }
            Self::BadChannelToken => "This notification's channel token is not valid.".into(),
            Self::NotConnected => {
                "This user's Google Calendar is not connected. Ask the user to sign in with \
                 Google at the page, then try again."
                    .into()
            }
            Self::ReauthRequired => {
                "Google access to this calendar was revoked or has expired. Ask the user to sign \
                 in with Google again at the page."
                    .into()
            }
            Self::InvalidOAuthState(why) => format!(
                "The sign-in could not be completed because {why}. Go back to the page and \
                 sign in again."
            ),
            Self::Forbidden(why) => format!("Refused: {why}."),
            Self::NotMadeByAgent => {
                "That event was not made by this assistant, so it can only be read here, not \
                 moved or cancelled. The user can change it in Google Calendar."
                    .into()
            }
            Self::ScopeMissing { missing }
                if missing.iter().all(|p| Permission::CONTACTS.contains(p)) =>
            {
                format!(
                    "Google has not given this service permission to {}. Ask the user to spell \
                     the email address instead, or to press Allow contacts on the page.",
                    describe_all(missing)
                )
            }
            Self::ScopeMissing { missing } => format!(
                "Google has not given this service permission to {}. Ask the user to sign in \
                 with Google again at the page and leave every permission ticked, then press \
                 Start again.",
                describe_all(missing)
            ),
            Self::GoogleRateLimited { .. } => {
                "Google Calendar is limiting requests right now. Try again in half a minute."
                    .into()
            }
            Self::GoogleForbidden { .. } => {
                "Google Calendar does not allow this change on that calendar or event.".into()
            }
            Self::Google { .. } => {
                "Google Calendar did not answer properly. Please try again in a moment.".into()
            }
            Self::GoogleTimeout { .. } => {
                "Google Calendar is taking too long to answer. Please try again in a moment."
                    .into()
            }
            Self::Anam {
                status: Some(401 | 403),
                ..
            } => "Anam refused the API key. Check ANAM_API_KEY.".into(),
            Self::Anam {
                status: Some(429),
                retry_after,
                ..
            } => format!(
                "Anam is limiting new sessions for this account right now. Try again in {} \
                 seconds.",
                retry_after.map_or(60, |d| d.as_secs().max(1))
            ),
            Self::Anam {
                status: Some(400..=499),
                ..
            } => "Anam refused the session. Check that ANAM_AVATAR_ID, ANAM_VOICE_ID and \
                  ANAM_LLM_ID exist in your Anam account (`calendar-agent anam avatars`, \
                  `voices`, `llms` list them)."
                .into(),
            Self::Anam { .. } => "Anam is not answering right now. Try again in a moment.".into(),
            Self::NotConfigured { variable } => format!(
                "The calendar service is not fully set up: {variable} is missing. The person \
                 running it needs to set it and restart."
            ),
            Self::InvalidArgument { message, .. } => message.clone(),
            Self::InvalidJson(detail) => {
                format!("The tool arguments could not be read as a JSON object: {detail}.")
            }
            Self::UnsupportedMediaType => {
                "The tool arguments must be sent as JSON (Content-Type: application/json).".into()
            }
            Self::PayloadTooLarge => {
                "The tool arguments are too large; they must be under 64 kilobytes.".into()
            }
            Self::RateLimited { retry_after } => format!(
                "Too many requests right now. Try again in {} seconds.",
                retry_after.as_secs().max(1)
            ),
            Self::InviteLimit {
                per_hour,
                retry_after,
            } => format!(
                "This would send e-mails to more than {per_hour} people in an hour, the most \
                 allowed, so nothing was sent or changed. Try again in {} minutes, or with fewer \
                 people.",
                retry_after.as_secs().div_ceil(60).max(1)
            ),
            Self::NotFound => "There is nothing at this address.".into(),
            Self::MethodNotAllowed => "This address does not accept that method.".into(),
            Self::StoreUnavailable(_) => {
                "The calendar service cannot reach its database right now. Please try again in a \
                 moment."
                    .into()
            }
            Self::Draining => {
                "This instance is shutting down; another one takes the requests.".into()
            }
            Self::Internal(_) => {
                "Something went wrong on the calendar service. Please try again.".into()
            }
        }
    }
}

impl Error {
    /// How long the caller should wait before trying again, when that is known.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::RateLimited { retry_after } | Self::InviteLimit { retry_after, .. } => {
                Some(*retry_after)
            }
            Self::GoogleRateLimited { .. } => Some(GOOGLE_RATE_RETRY),
            Self::StoreUnavailable(_) => Some(STORE_RETRY),
            Self::Anam { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

impl From<crate::calendar::Invalid> for Error {
    fn from(invalid: crate::calendar::Invalid) -> Self {
        Self::InvalidArgument {
            argument: invalid.argument,
            message: invalid.message,
        }
    }
}

impl From<crate::store::StoreError> for Error {
    fn from(error: crate::store::StoreError) -> Self {
        if error.is_unavailable() {
            Self::StoreUnavailable(error.to_string())
        } else {
            Self::Internal(error.to_string())
        }
    }
}

/// The JSON answer: `error` and `message` always, the rest when the error has them.
#[derive(serde::Serialize)]
struct Body<'a> {
    error: &'static str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    argument: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    variable: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    missing: Option<Vec<&'static str>>,
}

/// What the access log and the metrics learn about a failed request, carried on its response.
#[derive(Clone, Debug)]
pub struct Failure {
    /// The short reason (the body's `"error"`).
    pub reason: &'static str,
    /// The cause, for the log only (never sent to the client): set for server errors, and for
    /// every error when debug logging is on.
    pub cause: Option<String>,
    /// Refused by the tool URL's signature or expiry (counted apart from tool calls).
    pub presign: bool,
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = self.status_code();
        // Logged once, by the access log at the end of the request (within the log budget):
        // the reason always, the cause for server errors (and for everything at debug level).
        let failure = Failure {
            reason: self.reason(),
            cause: (status.is_server_error() || tracing::enabled!(tracing::Level::DEBUG))
                .then(|| self.to_string()),
            presign: matches!(
                self,
                Self::Presign(_) | Self::MeetingUrlExpired | Self::SignedOut
            ),
        };
        let message = self.message();
        let body = Body {
            error: self.reason(),
            message: &message,
            argument: match &self {
                Self::InvalidArgument { argument, .. } => Some(argument),
                _ => None,
            },
            variable: match &self {
                Self::NotConfigured { variable } => Some(variable),
                _ => None,
            },
            detail: match &self {
                Self::Anam { detail, .. } => Some(detail),
                _ => None,
            },
            missing: match &self {
                Self::ScopeMissing { missing } => Some(missing.iter().map(|p| p.key()).collect()),
                _ => None,
            },
        };
        let retry_after = self.retry_after();
        let mut response = (status, Json(body)).into_response();
        response.extensions_mut().insert(failure);
        if let Some(wait) = retry_after {
            let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::to_bytes;

    async fn body_of(error: Error) -> (StatusCode, serde_json::Value, Option<HeaderValue>) {
        let response = error.into_response();
        let status = response.status();
        let retry = response.headers().get(header::RETRY_AFTER).cloned();
        let bytes = to_bytes(response.into_body(), 1 << 16).await.expect("body");
        (status, serde_json::from_slice(&bytes).expect("json"), retry)
    }

    #[tokio::test]
    async fn every_error_is_json_with_error_and_message() {
        let (status, body, _) = body_of(Error::Internal("db exploded at 0x1".into())).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(body["error"], "internal_error");
        // The cause stays in the log.
        assert!(!body.to_string().contains("0x1"));
    }

    #[tokio::test]
    async fn invalid_argument_names_the_argument() {
        let (status, body, _) = body_of(Error::InvalidArgument {
            argument: "duration_minutes",
            message: "duration_minutes must be a positive number of minutes.".into(),
        })
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["argument"], "duration_minutes");
        assert!(
            body["message"]
                .as_str()
                .unwrap_or("")
                .contains("duration_minutes")
        );
    }

    #[tokio::test]
    async fn rate_limited_rounds_retry_after_up_to_whole_seconds() {
        let (status, _, retry) = body_of(Error::RateLimited {
            retry_after: Duration::from_millis(1200),
        })
        .await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(retry, Some(HeaderValue::from(2u64)));
    }
}
