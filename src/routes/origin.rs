//! `PageOrigin`: the extractor for routes only this site's page may call with the user's
//! cookie (sign-out, the paid session mint). A request whose `Origin` is another site's is
//! refused with 403 before anything happens; browsers send `Origin` on every cross-site POST, so
//! a forged form or `fetch` from elsewhere cannot ride the user's cookie. A request with no
//! `Origin` (curl, an old browser's same-origin form) is allowed: the SameSite=Lax cookie
//! already keeps other sites' form posts from carrying it.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;

use crate::error::Error;
use crate::log_safe::clip;
use crate::state::AppState;

/// A request that did not come from another site.
pub struct PageOrigin;

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
        if allowed(&AppState::from_ref(state), origin) {
            Ok(Self)
        } else {
            tracing::warn!(route = parts.uri.path(), origin = %clip(origin), "refused: foreign Origin");
            Err(Error::Forbidden("this must come from this site's own page"))
        }
    }
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
    let loopback = format!("http://127.0.0.1:{}", config.port);
    [
        config.public_base_url.as_str(),
        local.as_str(),
        loopback.as_str(),
    ]
    .iter()
    .filter_map(|u| origin_of(u))
    .any(|allowed| allowed == origin)
}
