//! The signed `userId` cookie and the OAuth state cookie, and the keys that sign them.

use axum::http::HeaderMap;
use axum_extra::extract::cookie::{
    Cookie, CookieJar, Key, PrivateCookieJar, SameSite, SignedCookieJar,
};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha512;

use crate::config::Config;
use crate::secret::Secret;

/// Name of the sign-in cookie (DESIGN.md §2).
pub const USER_COOKIE: &str = "userId";
/// Name of the short-lived cookie holding the OAuth `state` and PKCE verifier.
pub const OAUTH_COOKIE: &str = "oauth_state";
/// Where the OAuth cookie is sent: only to the callback.
pub const OAUTH_COOKIE_PATH: &str = "/api/auth/google";
/// Lifetime of the sign-in cookie.
pub const USER_COOKIE_DAYS: i64 = 30;
/// Lifetime of the OAuth cookie.
pub const OAUTH_COOKIE_MINUTES: i64 = 10;

/// Label mixed into key derivation, so the cookie key differs from the presign secret it
/// comes from.
const COOKIE_KEY_LABEL: &[u8] = b"calendar-agent/cookie-key/v1";

/// The key that signs new cookies, and an older one still accepted.
#[derive(Clone)]
pub struct CookieKeys {
    /// Signs and verifies.
    pub current: Key,
    /// Verifies only: cookies signed before a `PRESIGN_SECRET` rotation.
    pub previous: Option<Key>,
}

impl CookieKeys {
    /// `COOKIE_SECRET` if set; otherwise derived from `PRESIGN_SECRET` (and its previous value,
    /// so a rotation does not sign everyone out).
    pub fn from_config(config: &Config) -> Self {
        match &config.cookie_secret {
            Some(secret) => Self {
                current: derive(secret),
                previous: None,
            },
            None => Self {
                current: derive(&config.presign.current),
                previous: config.presign.previous.as_ref().map(derive),
            },
        }
    }

    /// The signed-in user id, if the request carries a `userId` cookie signed by one of our keys.
    pub fn user_id(&self, headers: &HeaderMap) -> Option<String> {
        std::iter::once(&self.current)
            .chain(self.previous.iter())
            .find_map(|key| SignedCookieJar::from_headers(headers, key.clone()).get(USER_COOKIE))
            .map(|cookie| cookie.value().to_owned())
            .filter(|id| !id.is_empty())
    }

    /// A jar that signs with the current key.
    pub fn signed_jar(&self) -> SignedCookieJar {
        SignedCookieJar::new(self.current.clone())
    }

    /// The request's cookies, decrypting with the current key (for the OAuth cookie).
    pub fn private_jar(&self, headers: &HeaderMap) -> PrivateCookieJar {
        PrivateCookieJar::from_headers(headers, self.current.clone())
    }
}

/// HMAC-SHA512(secret, label): 64 bytes, exactly what `Key::from` needs.
fn derive(secret: &Secret) -> Key {
    let mut mac = <Hmac<Sha512> as KeyInit>::new_from_slice(secret.expose().as_bytes())
        .expect("HMAC accepts keys of any length");
    mac.update(COOKIE_KEY_LABEL);
    Key::from(&mac.finalize().into_bytes())
}

/// The `userId` cookie: HttpOnly, SameSite=Lax, 30 days, Secure on https deployments.
pub fn user_cookie(user_id: String, secure: bool) -> Cookie<'static> {
    Cookie::build((USER_COOKIE, user_id))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(cookie::time::Duration::days(USER_COOKIE_DAYS))
        .build()
}

/// The OAuth cookie: `state` and PKCE verifier, 10 minutes, sent only to the callback.
pub fn oauth_cookie(state: &str, verifier: &str, secure: bool) -> Cookie<'static> {
    Cookie::build((OAUTH_COOKIE, format!("{state}.{verifier}")))
        .path(OAUTH_COOKIE_PATH)
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(cookie::time::Duration::minutes(OAUTH_COOKIE_MINUTES))
        .build()
}

/// A jar whose only effect is to delete cookie `name` at `path` in the browser (the browser
/// matches on name and path). Explicit, because a jar only emits removals for cookies the
/// request carried.
pub fn removal(name: &'static str, path: &'static str) -> CookieJar {
    CookieJar::new().add(
        Cookie::build((name, ""))
            .path(path)
            .max_age(cookie::time::Duration::ZERO)
            .expires(cookie::time::OffsetDateTime::UNIX_EPOCH)
            .build(),
    )
}
