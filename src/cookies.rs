//! The signed `userId` cookie and the OAuth state cookie, and the keys that sign them.

use axum::http::HeaderMap;
use axum_extra::extract::cookie::{
    Cookie, CookieJar, Key, PrivateCookieJar, SameSite, SignedCookieJar,
};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha512;

use crate::config::Config;
use crate::secret::Secret;

/// Name of the sign-in cookie (docs/api.md, Sign-in cookies).
pub(crate) const USER_COOKIE: &str = "userId";
/// Name of the short-lived cookie holding the OAuth `state` and PKCE verifier.
pub(crate) const OAUTH_COOKIE: &str = "oauth_state";
/// Where the OAuth cookie is sent: only to the callback.
pub(crate) const OAUTH_COOKIE_PATH: &str = "/api/auth/google";
/// Lifetime of the sign-in cookie.
pub(crate) const USER_COOKIE_DAYS: i64 = 30;
/// Lifetime of the OAuth cookie.
pub(crate) const OAUTH_COOKIE_MINUTES: i64 = 10;

/// Label mixed into key derivation, so the cookie key differs from the presign secret it
/// comes from.
const COOKIE_KEY_LABEL: &[u8] = b"calendar-agent/cookie-key/v1";

/// The key that signs new cookies, and an older one still accepted.
#[derive(Clone)]
pub struct CookieKeys {
    /// Signs and verifies.
    pub(crate) current: Key,
    /// Verifies only: cookies signed before a `PRESIGN_SECRET` rotation.
    pub(crate) previous: Option<Key>,
}

impl CookieKeys {
    /// `COOKIE_SECRET` if set; otherwise derived from `PRESIGN_SECRET` (and its previous value,
    /// so a rotation does not sign everyone out).
    pub(crate) fn from_config(config: &Config) -> Self {
        match &config.signing.cookie_secret {
            Some(secret) => Self {
                current: derive(secret),
                previous: None,
            },
            None => Self {
                current: derive(&config.signing.presign.current),
                previous: config.signing.presign.previous.as_ref().map(derive),
            },
        }
    }

    /// What the request's `userId` cookie says, if one of our keys signed it. Whether it is
    /// still valid (age, epoch) is for the caller to decide against the clock and the store.
    pub(crate) fn signed_user(&self, headers: &HeaderMap) -> Option<SignedUser> {
        std::iter::once(&self.current)
            .chain(self.previous.iter())
            .find_map(|key| SignedCookieJar::from_headers(headers, key.clone()).get(USER_COOKIE))
            .and_then(|cookie| SignedUser::parse(cookie.value()))
    }

    /// A jar that signs with the current key.
    pub fn signed_jar(&self) -> SignedCookieJar {
        SignedCookieJar::new(self.current.clone())
    }

    /// The request's cookies, decrypting with the current key (for the OAuth cookie).
    pub(crate) fn private_jar(&self, headers: &HeaderMap) -> PrivateCookieJar {
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

/// The signed content of a `userId` cookie: who, since when, and under which sign-in epoch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedUser {
    /// The user id (their Google email).
    pub user_id: String,
    /// When the cookie was issued (unix seconds).
    pub issued_at: u64,
    /// The user's sign-in epoch at that time; sign-out and forget-me replace it.
    pub epoch: i64,
}

impl SignedUser {
    const VERSION: &str = "v1";

    /// `v1.{issued_at}.{epoch}.{user_id}` (the id last: an email may hold dots).
    fn encode(&self) -> String {
        format!(
            "{}.{}.{}.{}",
            Self::VERSION,
            self.issued_at,
            self.epoch,
            self.user_id
        )
    }

    /// Reads a cookie value; anything else (an older format, garbage) is `None`.
    pub(crate) fn parse(value: &str) -> Option<Self> {
        let mut parts = value.splitn(4, '.');
        if parts.next()? != Self::VERSION {
            return None;
        }
        let issued_at = parts.next()?.parse().ok()?;
        let epoch = parts.next()?.parse().ok()?;
        let user_id = parts.next()?;
        (!user_id.is_empty()).then(|| Self {
            user_id: user_id.to_owned(),
            issued_at,
            epoch,
        })
    }

    /// Whether the cookie is within its 30 days at `now` (and not from the future, beyond a
    /// few minutes of clock skew between instances).
    pub(crate) fn is_fresh(&self, now: u64) -> bool {
        let lifetime = u64::try_from(USER_COOKIE_DAYS).unwrap_or(30) * 86_400;
        self.issued_at <= now + 300 && now <= self.issued_at.saturating_add(lifetime)
    }
}

/// The `userId` cookie: HttpOnly, SameSite=Lax, 30 days, Secure on https deployments. Its
/// value is signed (HMAC) and carries the issue time and the user's sign-in epoch.
pub fn user_cookie(user: &SignedUser, secure: bool) -> Cookie<'static> {
    Cookie::build((USER_COOKIE, user.encode()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(cookie::time::Duration::days(USER_COOKIE_DAYS))
        .build()
}

/// What the OAuth cookie carries between the consent redirect and the callback.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct OAuthFlow {
    /// The `state` handed to Google.
    pub(crate) state: String,
    /// The PKCE verifier.
    pub(crate) verifier: String,
    /// Whether this consent asked to allow contacts.
    pub(crate) contacts: bool,
    /// Whether it adds another Google account to the person signed in in this browser.
    pub(crate) add_account: bool,
}

impl OAuthFlow {
    fn encode(&self) -> String {
        let kind = match (self.add_account, self.contacts) {
            (true, _) => "add-account",
            (false, true) => "contacts",
            (false, false) => "sign-in",
        };
        format!("{}.{}.{kind}", self.state, self.verifier)
    }

    /// Reads the cookie's value.
    pub(crate) fn parse(value: &str) -> Option<Self> {
        let mut parts = value.splitn(3, '.');
        let (state, verifier) = (parts.next()?, parts.next()?);
        let kind = parts.next();
        (!state.is_empty() && !verifier.is_empty()).then(|| Self {
            state: state.to_owned(),
            verifier: verifier.to_owned(),
            contacts: kind == Some("contacts"),
            add_account: kind == Some("add-account"),
        })
    }
}

/// The OAuth cookie: `state`, PKCE verifier and the kind of consent, 10 minutes, sent only to
/// the callback.
pub(crate) fn oauth_cookie(flow: &OAuthFlow, secure: bool) -> Cookie<'static> {
    Cookie::build((OAUTH_COOKIE, flow.encode()))
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
pub(crate) fn removal(name: &'static str, path: &'static str) -> CookieJar {
    CookieJar::new().add(
        Cookie::build((name, ""))
            .path(path)
            .max_age(cookie::time::Duration::ZERO)
            .expires(cookie::time::OffsetDateTime::UNIX_EPOCH)
            .build(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_value_round_trips_and_old_formats_are_refused() {
        let user = SignedUser {
            user_id: "a.b+c@example.co.uk".into(),
            issued_at: 1_800_000_000,
            epoch: 42,
        };
        assert_eq!(SignedUser::parse(&user.encode()), Some(user));
        for old in [
            "ada@example.com",
            "v1.x.1.ada@example.com",
            "v1.1.2.",
            "v2.1.2.a@b",
            "",
        ] {
            assert_eq!(SignedUser::parse(old), None, "{old}");
        }
    }

    #[test]
    fn a_cookie_lives_thirty_days() {
        let user = SignedUser {
            user_id: "ada@example.com".into(),
            issued_at: 1_800_000_000,
            epoch: 1,
        };
        assert!(user.is_fresh(1_800_000_000));
        assert!(user.is_fresh(1_800_000_000 + 30 * 86_400));
        assert!(!user.is_fresh(1_800_000_000 + 30 * 86_400 + 1));
        assert!(!user.is_fresh(1_800_000_000 - 3600), "issued in the future");
    }
}
