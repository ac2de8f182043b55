//! The one error type: every failure a route can have, and the one place it becomes JSON.
//!
//! Failures are grouped by area ([`Auth`], [`Input`], [`Action`], [`GoogleError`],
//! [`Service`]); each area's `parts()` is the one place that gives, per variant, the status, the
//! short reason, the sentence and the headers. The client gets `{"error": "<short reason>",
//! "message": "<a sentence the avatar can say>"}` (docs/api.md); the log gets the cause.

mod action;
mod auth;
mod google;
mod input;
mod service;

use std::time::Duration;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::language::Language;
use crate::messages::Said;

pub use action::Action;
pub use auth::Auth;
pub use google::{GOOGLE_RATE_RETRY, GoogleError};
pub use input::Input;
pub use service::Service;

/// Shorthand for results whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in a request, by area.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Who is calling.
    #[error(transparent)]
    Auth(#[from] Auth),
    /// What was asked.
    #[error(transparent)]
    Input(#[from] Input),
    /// What the service's own rules refuse to do.
    #[error(transparent)]
    Action(#[from] Action),
    /// What Google could not do.
    #[error(transparent)]
    Google(#[from] GoogleError),
    /// What this service or Anam cannot do right now.
    #[error(transparent)]
    Service(#[from] Service),
}

/// What an error answers with: status, short reason, sentence, headers and extra keys.
#[derive(Debug)]
pub struct Parts {
    /// The HTTP status.
    pub(crate) status: StatusCode,
    /// The short machine-readable reason (`"error"`).
    pub(crate) reason: &'static str,
    /// Which sentence ([`crate::messages`]) says it (`"message"`).
    pub(crate) key: &'static str,
    /// The values the sentence names (each said in the answer's language).
    pub(crate) vars: Vec<(&'static str, Said)>,
    /// `Retry-After`, when waiting helps.
    pub(crate) retry_after: Option<Duration>,
    /// More keys of the body (`argument`, `variable`, `detail`, `missing`).
    pub(crate) extra: Option<(&'static str, Value)>,
}

impl Parts {
    /// `status` and `reason`, said by the sentence of the same name.
    pub(crate) fn new(status: StatusCode, reason: &'static str) -> Self {
        Self::said(status, reason, reason)
    }

    /// `status` and `reason`, said by the sentence `key`.
    pub(crate) fn said(status: StatusCode, reason: &'static str, key: &'static str) -> Self {
        Self {
            status,
            reason,
            key,
            vars: Vec::new(),
            retry_after: None,
            extra: None,
        }
    }

    /// With the value `name` of the sentence.
    pub(crate) fn var(mut self, name: &'static str, value: impl std::fmt::Display) -> Self {
        self.vars.push((name, Said::Text(value.to_string())));
        self
    }

    /// With the value `name` of the sentence, itself a sentence said in the same language.
    pub(crate) fn var_said(mut self, name: &'static str, value: Said) -> Self {
        self.vars.push((name, value));
        self
    }

    /// The sentence in `language`.
    pub(crate) fn message(&self, language: Language) -> String {
        let vars: Vec<(&'static str, String)> = self
            .vars
            .iter()
            .map(|(name, value)| (*name, value.in_language(language)))
            .collect();
        crate::messages::sentence(language, self.key, &vars)
            .unwrap_or_else(|| format!("{} ({})", self.reason, self.key))
    }

    /// With a `Retry-After`.
    pub(crate) fn retry_after(mut self, wait: Duration) -> Self {
        self.retry_after = Some(wait);
        self
    }

    /// With one more body key.
    pub(crate) fn with(mut self, key: &'static str, value: Value) -> Self {
        self.extra = Some((key, value));
        self
    }
}

impl Error {
    /// A 400 naming `argument`, with a sentence the avatar can say.
    pub(crate) fn invalid(
        argument: impl Into<std::borrow::Cow<'static, str>>,
        detail: impl Into<Said>,
    ) -> Self {
        Input::InvalidArgument {
            argument: argument.into(),
            detail: detail.into(),
        }
        .into()
    }

    /// `value`, or a 503 naming the unset `variable` it comes from.
    pub(crate) fn configured<T>(value: Option<T>, variable: &'static str) -> Result<T> {
        value.ok_or(Service::NotConfigured { variable }.into())
    }

    /// An unexpected failure; `cause` goes to the log only.
    pub(crate) fn internal(cause: impl Into<String>) -> Self {
        Service::Internal(cause.into()).into()
    }

    /// A Google call that failed with `status` (if Google answered) and `detail`.
    pub(crate) fn google(
        what: &'static str,
        status: Option<u16>,
        detail: impl Into<String>,
    ) -> Self {
        GoogleError::Failed {
            what,
            status,
            detail: detail.into(),
        }
        .into()
    }

    /// Google's HTTP status, when this is a Google call that failed with one.
    pub(crate) fn google_status(&self) -> Option<u16> {
        match self {
            Self::Google(GoogleError::Failed { status, .. }) => *status,
            _ => None,
        }
    }

    /// Everything the answer is made of.
    pub(crate) fn parts(&self) -> Parts {
        match self {
            Self::Auth(e) => e.parts(),
            Self::Input(e) => e.parts(),
            Self::Action(e) => e.parts(),
            Self::Google(e) => e.parts(),
            Self::Service(e) => e.parts(),
        }
    }

    /// The HTTP status this error answers with.
    pub(crate) fn status_code(&self) -> StatusCode {
        self.parts().status
    }

    /// The short machine-readable reason (`"error"` key).
    pub(crate) fn reason(&self) -> &'static str {
        self.parts().reason
    }

    /// A sentence the avatar (or a person reading the page) can use.
    pub(crate) fn message(&self) -> String {
        self.parts().message(Language::ENGLISH)
    }
}

impl From<crate::calendar::Invalid> for Error {
    fn from(invalid: crate::calendar::Invalid) -> Self {
        let said = invalid
            .vars
            .into_iter()
            .fold(Said::key(invalid.key), |s, (name, value)| {
                s.var(name, value)
            });
        Self::invalid(invalid.argument, said)
    }
}

impl From<crate::store::StoreError> for Error {
    fn from(error: crate::store::StoreError) -> Self {
        if error.is_unavailable() {
            Service::StoreUnavailable(error.to_string()).into()
        } else {
            Self::internal(error.to_string())
        }
    }
}

impl From<crate::presign::VerifyError> for Error {
    fn from(refused: crate::presign::VerifyError) -> Self {
        Auth::Presign(refused).into()
    }
}

/// What the access log and the metrics learn about a failed request, carried on its response.
#[derive(Clone, Debug)]
pub(crate) struct Failure {
    /// The short reason (the body's `"error"`).
    pub(crate) reason: &'static str,
    /// The cause, for the log only (never sent to the client): set for server errors, and for
    /// every error when debug logging is on.
    pub(crate) cause: Option<String>,
    /// Refused by the tool URL's signature or expiry (counted apart from tool calls).
    pub(crate) presign: bool,
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        self.into_response_in(Language::ENGLISH)
    }
}

impl Error {
    /// The answer, its sentence in `language` (English where that has no table).
    pub(crate) fn into_response_in(self, language: Language) -> Response {
        let parts = self.parts();
        // Logged once, by the access log at the end of the request (within the log budget):
        // the reason always, the cause for server errors (and for everything at debug level).
        let failure = Failure {
            reason: parts.reason,
            cause: (parts.status.is_server_error() || tracing::enabled!(tracing::Level::DEBUG))
                .then(|| self.to_string()),
            presign: matches!(
                self,
                Self::Auth(Auth::Presign(_) | Auth::MeetingUrlExpired | Auth::SignedOut)
            ),
        };
        let message = parts.message(language);
        let mut response = json_response(parts.status, parts.reason, &message, parts.extra);
        response.extensions_mut().insert(failure);
        if let Some(wait) = parts.retry_after {
            let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// The answer `{"error": reason, "message": message, extra…}`, written straight into one
/// buffer of about its size, with room in its headers for the ones the edge adds: an error is
/// what a flood of forged URLs gets, so it is built without an intermediate JSON tree.
fn json_response(
    status: StatusCode,
    reason: &str,
    message: &str,
    extra: Option<(&'static str, Value)>,
) -> Response {
    struct Body<'a> {
        reason: &'a str,
        message: &'a str,
        extra: Option<(&'static str, Value)>,
    }
    impl serde::Serialize for Body<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            use serde::ser::SerializeMap;
            let mut map = s.serialize_map(Some(2 + usize::from(self.extra.is_some())))?;
            map.serialize_entry("error", self.reason)?;
            map.serialize_entry("message", self.message)?;
            if let Some((key, value)) = &self.extra {
                map.serialize_entry(key, value)?;
            }
            map.end()
        }
    }
    let mut bytes = Vec::with_capacity(32 + reason.len() + message.len());
    let body = Body {
        reason,
        message,
        extra,
    };
    if serde_json::to_writer(&mut bytes, &body).is_err() {
        bytes =
            br#"{"error":"internal_error","message":"Something went wrong on our side."}"#.to_vec();
    }
    let mut response = Response::new(axum::body::Body::from(bytes));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.reserve(12);
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

#[cfg(test)]
mod tests;
