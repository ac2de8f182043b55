//! `VerifiedUser`: the extractor that authenticates Anam's webhook calls by their presigned URL.
//!
//! It runs before the body is read, so an unsigned request costs one HMAC and nothing else.

use axum::extract::{FromRef, FromRequestParts, MatchedPath};
use axum::http::HeaderMap;
use axum::http::request::Parts;

use crate::config::Config;
use crate::error::{Auth, Error, Service};
use crate::language::Language;
use crate::log_budget::Topic;
use crate::log_safe::clip;
use crate::presign::{self, SignedParams, SignedWith, VerifyError};
use crate::state::AppState;

/// How long a tool's presigned URL lives after Start. The tools' router puts each route's life
/// on its requests; verification caps `exp` by it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum UrlLife {
    /// `TOOL_URL_TTL_SECONDS`, like the session.
    #[default]
    Session,
    /// `MEETING_URL_TTL_SECONDS`: what sends e-mail as the user gets a shorter window.
    Meeting,
}

impl UrlLife {
    /// In seconds, from the configuration.
    pub fn seconds(self, config: &Config) -> u64 {
        match self {
            Self::Session => config.signing.tool_url_ttl_seconds,
            Self::Meeting => config.signing.meeting_url_ttl_seconds,
        }
    }
}

/// The user a tool URL was signed for, and the session it belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedUser {
    /// The user id (their email).
    pub user_id: String,
    /// The URL's expiry (unix seconds), shared by the tool URLs of one session that live as
    /// long as it.
    pub exp: u64,
    /// When the session's URLs were minted (unix seconds): the expiry less the route's URL
    /// life. The same for every tool URL of one Start, whatever each one's life.
    pub session: u64,
    /// When verification began: the tool's time budget counts from here, so the store's
    /// waits are inside it too.
    pub arrived: tokio::time::Instant,
    /// When the call's answer is due: the tool-call budget after it arrived.
    pub deadline: tokio::time::Instant,
    /// The session's language, as its URLs were minted with (`lang`): the sentences of the
    /// answers are in it. Not signed: it changes nothing but the words.
    pub language: Language,
}

impl VerifiedUser {
    /// When the call's answer is due.
    pub fn deadline(&self) -> tokio::time::Instant {
        self.deadline
    }
}

impl<S> FromRequestParts<S> for VerifiedUser
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let arrived = tokio::time::Instant::now();
        let state = AppState::from_ref(state);
        let config = &state.config;
        // The matched route, not the raw path: the URL was signed over the route we serve.
        let path = parts
            .extensions
            .get::<MatchedPath>()
            .map_or_else(|| parts.uri.path(), MatchedPath::as_str);
        let base_url = config.public_url(path);
        let now = config.clock.unix_now();
        let life = parts
            .extensions
            .get::<UrlLife>()
            .copied()
            .unwrap_or_default();
        let life_seconds = life.seconds(config);
        // A genuine signature over a longer life than the route's (a leaked signing secret, a
        // `sign-url --ttl` of a day) is refused like a forgery.
        let verified = SignedParams::from_query(parts.uri.query())
            .and_then(|params| presign::verify(&config.signing.presign, &base_url, &params, now))
            .and_then(|v| presign::within_life(v.exp, now, life_seconds).map(|()| v));
        match verified {
            Ok(v) => {
                let language = language_of(parts.uri.query());
                admit(&state, path, v, life_seconds, arrived, language).await
            }
            Err(reason) => Err(refuse(&state, parts, path, reason, life)),
        }
    }
}

/// A URL whose signature holds: the user's tool-call allowance, then their latest sign-out.
async fn admit(
    state: &AppState,
    path: &str,
    v: presign::Verified,
    life_seconds: u64,
    arrived: tokio::time::Instant,
    language: Language,
) -> Result<VerifiedUser, Error> {
    if v.signed_with == SignedWith::Previous {
        tracing::info!(route = path, "tool URL signed with PRESIGN_SECRET_PREVIOUS");
    }
    // Counted only once the signature holds: strangers cannot spend a user's allowance.
    if let Err(limited) = state.tool_limit.check(&v.uid) {
        tracing::warn!(route = path, user_id = %v.uid, "tool call rate-limited");
        return Err(limited);
    }
    let user = VerifiedUser {
        // Signed into the URLs this service mints; derived for the cookbook's form.
        session: v
            .minted
            .unwrap_or_else(|| v.exp.saturating_sub(life_seconds)),
        user_id: v.uid,
        exp: v.exp,
        arrived,
        deadline: arrived + state.config.budgets.tool_call,
        language,
    };
    // Sign-out (on any instance) ends the sessions minted before it.
    let signed_out = tokio::time::timeout_at(
        user.deadline(),
        state
            .sign_outs
            .read(&user.user_id, state.store.signed_out_at(&user.user_id)),
    )
    .await
    .map_err(|_| Error::Service(Service::StoreUnavailable("sign-out check timed out".into())))??;
    if signed_out.is_some_and(|at| i64::try_from(user.session).unwrap_or(i64::MAX) <= at) {
        state.metrics.presign_refusal("signed_out");
        tracing::info!(route = path, user_id = %user.user_id, "tool URL from before the user signed out");
        return Err(Error::Auth(Auth::SignedOut));
    }
    Ok(user)
}

/// The `lang` a tool URL was minted with (English without one, or with one we do not know).
fn language_of(query: Option<&str>) -> Language {
    Language::from_query(query, "lang").unwrap_or(Language::ENGLISH)
}

/// A URL refused: counted, logged within the log budget, answered 401.
fn refuse(
    state: &AppState,
    parts: &Parts,
    path: &str,
    reason: VerifyError,
    life: UrlLife,
) -> Error {
    state.metrics.presign_refusal(reason.code());
    // A flood of forged URLs is logged at about a line a second (in full), the rest counted:
    // it costs CPU, never the disk.
    if let Some(not_logged) = state.log_budget.admit(Topic::Refusal(reason.code()), path) {
        log_refusal(
            &parts.headers,
            &state.config.server.public_base_url,
            path,
            &reason,
            not_logged,
        );
    }
    match (reason, life) {
        // The short-lived URL has its own sentence: the other tools still work.
        (VerifyError::Expired { .. }, UrlLife::Meeting) => Error::Auth(Auth::MeetingUrlExpired),
        (reason, _) => Error::Auth(Auth::Presign(reason)),
    }
}

/// Behind a tunnel, most 401s come from `PUBLIC_BASE_URL` not matching the URL Anam calls:
/// put what the request says about its origin next to what we signed over.
fn log_refusal(
    headers: &HeaderMap,
    public_base_url: &str,
    route: &str,
    reason: &VerifyError,
    not_logged_before: u64,
) {
    // Attacker-supplied text: escaped and cut before it reaches the log.
    let header = |name: &str| {
        headers
            .get(name)
            .map(|v| clip(&String::from_utf8_lossy(v.as_bytes())))
            .unwrap_or_else(|| "-".to_owned())
    };
    let host = header("host");
    let forwarded_host = header("x-forwarded-host");
    let forwarded_proto = header("x-forwarded-proto");
    let seen_host = if forwarded_host == "-" {
        &host
    } else {
        &forwarded_host
    };
    let expected_host = url::Url::parse(public_base_url)
        .ok()
        .and_then(|u| {
            u.host_str().map(|h| {
                u.port()
                    .map_or_else(|| h.to_owned(), |p| format!("{h}:{p}"))
            })
        })
        .unwrap_or_default();
    let hint = if !seen_host.eq_ignore_ascii_case(&expected_host) && seen_host != "-" {
        "the request's host differs from PUBLIC_BASE_URL: set PUBLIC_BASE_URL to the URL Anam calls (your tunnel's) and restart"
    } else {
        "-"
    };
    tracing::warn!(
        route,
        %reason,
        host,
        x_forwarded_host = forwarded_host,
        x_forwarded_proto = forwarded_proto,
        public_base_url,
        hint,
        not_logged_before,
        "tool call refused"
    );
}
