//! `PageOrigin`: the extractor for routes only this site's page may call with the user's
//! cookie (sign-out, the paid session mint). A request whose `Origin` is another site's is
//! refused with 403 before anything happens; browsers send `Origin` on every cross-site POST, so
//! a forged form or `fetch` from elsewhere cannot ride the user's cookie. This site is
//! `PUBLIC_BASE_URL`, the local origins, and whatever host the request itself was sent to (a
//! page served from that host is same-origin by definition; no browser lets another site claim
//! it). A request with no `Origin` (curl, an old browser's same-origin form) is allowed: the
//! SameSite=Lax cookie already keeps other sites' form posts from carrying it.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;

use crate::error::{Auth, Error};
use crate::log_safe::clip;
use crate::state::AppState;

/// A request that did not come from another site.
pub(crate) struct PageOrigin;

impl<S> FromRequestParts<S> for PageOrigin
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Some(origin) = parts.headers.get("origin") else {
            return Ok(Self);
        };
        let origin = origin.to_str().unwrap_or("");
        let host = parts
            .headers
            .get("host")
            .and_then(|h| h.to_str().ok())
            .unwrap_or("");
        if same_host(origin, host) || allowed(&AppState::from_ref(state), origin) {
            Ok(Self)
        } else {
            tracing::warn!(route = parts.uri.path(), origin = %clip(origin), "refused: foreign Origin");
            Err(Error::Auth(Auth::Forbidden("forbidden_foreign_origin")))
        }
    }
}

/// Whether `origin` names the host (and port) the request was sent to.
fn same_host(origin: &str, host: &str) -> bool {
    let Ok(url) = url::Url::parse(origin) else {
        return false;
    };
    let Some(name) = url.host_str() else {
        return false;
    };
    let named = match url.port() {
        Some(port) => format!("{name}:{port}"),
        None => name.to_owned(),
    };
    !host.is_empty() && named.eq_ignore_ascii_case(host)
}

/// The page's own origins: `PUBLIC_BASE_URL`'s and the local ones.
fn allowed(state: &AppState, origin: &str) -> bool {
    let origin_of = |url: &str| {
        url::Url::parse(url)
            .map(|u| u.origin().ascii_serialization())
            .ok()
    };
    let config = &state.config;
    let local = config.local_origin();
    let loopback = format!("http://127.0.0.1:{}", config.server.port);
    [
        config.server.public_base_url.as_str(),
        local.as_str(),
        loopback.as_str(),
    ]
    .iter()
    .filter_map(|u| origin_of(u))
    .any(|allowed| allowed == origin)
}

#[cfg(test)]
mod tests {
    use super::same_host;

    #[test]
    fn only_the_requests_own_host_counts_as_same_origin() {
        assert!(same_host("http://127.0.0.1:4321", "127.0.0.1:4321"));
        assert!(same_host(
            "https://Calendar.Example.com",
            "calendar.example.com"
        ));
        assert!(!same_host("https://evil.example", "calendar.example.com"));
        assert!(!same_host("http://127.0.0.1:4321", "127.0.0.1:4322"));
        assert!(!same_host("null", "127.0.0.1:4321"));
        assert!(!same_host("http://127.0.0.1:4321", ""));
    }
}
