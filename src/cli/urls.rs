//! `sign-url` and `verify-url`: the helpers for when Anam gets 401s, and the life each route's
//! URL may have.

use crate::config::{Config, SecretSource};
use crate::presign::{self, SignedParams, SignedWith, VerifyError};

/// What `verify-url` found.
#[derive(Debug, PartialEq, Eq)]
pub enum UrlReport {
    /// Accepted, for this user, until `exp`.
    Valid {
        /// The user id.
        uid: String,
        /// Expiry (unix seconds).
        exp: u64,
        /// Which secret matched.
        signed_with: SignedWith,
    },
    /// Refused for this reason.
    Refused(VerifyError),
    /// The URL does not start with PUBLIC_BASE_URL, so the server rebuilds a different base
    /// URL and refuses it. `genuine` says whether it was signed by our secret for its own address.
    OriginMismatch {
        /// The URL's scheme, host and path, as Anam calls it.
        called: String,
        /// `PUBLIC_BASE_URL`.
        expected: String,
        /// Whether the signature is valid for the URL's own address.
        genuine: bool,
    },
    /// Not a URL with a query string.
    NotAUrl,
}

impl std::fmt::Display for UrlReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Valid {
                uid,
                exp,
                signed_with,
            } => {
                let secret = match signed_with {
                    SignedWith::Current => "PRESIGN_SECRET",
                    SignedWith::Previous => "PRESIGN_SECRET_PREVIOUS",
                };
                write!(
                    f,
                    "valid: user {uid}, expires at {exp} (unix seconds), signed with {secret}"
                )
            }
            Self::Refused(VerifyError::Expired { exp, now }) => write!(
                f,
                "expired: the URL expired at {exp}, {} seconds ago; start a new session",
                now - exp
            ),
            Self::Refused(VerifyError::WrongSignature) => write!(
                f,
                "wrong signature: not signed with this PRESIGN_SECRET (or PRESIGN_SECRET_PREVIOUS) \
                 for this address and user"
            ),
            Self::Refused(other) => write!(f, "invalid: {other}"),
            Self::OriginMismatch {
                called,
                expected,
                genuine,
            } => {
                write!(
                    f,
                    "origin differs from PUBLIC_BASE_URL: the URL is {called} but PUBLIC_BASE_URL \
                     is {expected}, so the server would refuse it"
                )?;
                if *genuine {
                    write!(
                        f,
                        " (its signature is genuine for its own address: set PUBLIC_BASE_URL to \
                         that origin and restart)"
                    )
                } else {
                    write!(
                        f,
                        " (and its signature does not match its own address either)"
                    )
                }
            }
            Self::NotAUrl => write!(
                f,
                "not a presigned URL: expected https://host/path?uid=…&exp=…&sig=…"
            ),
        }
    }
}

/// Checks `url` as the server would at time `now`.
pub fn check_url(config: &Config, url: &str, now: u64) -> UrlReport {
    let url = url.trim();
    let without_fragment = url.split('#').next().unwrap_or(url);
    let Some((base, query)) = without_fragment.split_once('?') else {
        return UrlReport::NotAUrl;
    };
    if url::Url::parse(base).is_err() {
        return UrlReport::NotAUrl;
    }
    let params = match SignedParams::from_query(Some(query)) {
        Ok(p) => p,
        Err(e) => return UrlReport::Refused(e),
    };
    // The server signs over PUBLIC_BASE_URL + route path; a URL elsewhere cannot match it.
    let under_public = base
        .strip_prefix(config.server.public_base_url.as_str())
        .is_some_and(|rest| rest.starts_with('/'));
    if !under_public {
        let genuine = presign::verify(&config.signing.presign, base, &params, now).is_ok();
        return UrlReport::OriginMismatch {
            called: base.to_owned(),
            expected: config.server.public_base_url.clone(),
            genuine,
        };
    }
    match presign::verify(&config.signing.presign, base, &params, now) {
        Ok(v) => UrlReport::Valid {
            uid: v.uid,
            exp: v.exp,
            signed_with: v.signed_with,
        },
        Err(e) => UrlReport::Refused(e),
    }
}

/// Signs a URL for `path` the way the server does.
pub fn sign_url(
    config: &Config,
    path: &str,
    user: &str,
    ttl: u64,
    now: u64,
) -> Result<String, String> {
    if !path.starts_with('/') || path.contains('?') {
        return Err(format!(
            "`{path}` is not a route path; give one like /api/calendar/list-events"
        ));
    }
    if user.is_empty() {
        return Err("--user must not be empty".into());
    }
    let life = route_life(config, path);
    if ttl > life {
        return Err(format!(
            "--ttl {ttl} is longer than {path}'s URL life ({life} s); the server would refuse it"
        ));
    }
    // Minted now: sign-out ends it like a URL of a session started now.
    Ok(presign::presign_minted_url(
        &config.signing.presign,
        &config.public_url(path),
        user,
        now,
        now + ttl,
    ))
}

/// How long the server lets a URL for `path` live (its route's life).
pub fn route_life(config: &Config, path: &str) -> u64 {
    crate::tools::url_life_of(path, config)
}

/// URLs signed by a throwaway secret are useless outside the process that made it.
pub fn require_configured_secret(config: &Config) -> Result<(), String> {
    match config.signing.presign_source {
        SecretSource::Configured => Ok(()),
        SecretSource::GeneratedForThisProcess => Err(
            "PRESIGN_SECRET is not set (in the environment or .env). Without it the server uses \
             a random secret per process, so no URL can be signed or checked from outside it. \
             Run `calendar-agent secret` and put the result in .env as PRESIGN_SECRET."
                .into(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    const NOW: u64 = 1_800_000_000;

    fn config(vars: &[(&str, &str)]) -> Config {
        let map: HashMap<&str, &str> = vars.iter().copied().collect();
        Config::from_lookup(|k| map.get(k).map(|v| (*v).to_owned())).expect("valid config")
    }

    fn tunnel() -> Config {
        config(&[
            ("PRESIGN_SECRET", "cli-test-secret-of-at-least-32-bytes"),
            ("PUBLIC_BASE_URL", "https://demo.ngrok.app/"),
        ])
    }

    #[test]
    fn a_signed_url_verifies_until_it_expires() {
        let c = tunnel();
        let url = sign_url(&c, "/api/calendar/events", "a+b@example.com", 60, NOW).expect("signed");
        assert!(url.starts_with(
            "https://demo.ngrok.app/api/calendar/events?uid=a%2Bb%40example.com&exp=1800000060&iat=1800000000&sig="
        ));
        assert_eq!(
            check_url(&c, &url, NOW),
            UrlReport::Valid {
                uid: "a+b@example.com".into(),
                exp: NOW + 60,
                signed_with: SignedWith::Current
            }
        );
        let report = check_url(&c, &url, NOW + 61);
        assert!(matches!(
            report,
            UrlReport::Refused(VerifyError::Expired { .. })
        ));
        assert!(report.to_string().starts_with("expired"));
    }

    #[test]
    fn a_url_for_another_origin_is_reported_as_such() {
        let old_tunnel = config(&[
            ("PRESIGN_SECRET", "cli-test-secret-of-at-least-32-bytes"),
            ("PUBLIC_BASE_URL", "https://old.ngrok.app"),
        ]);
        let url = sign_url(
            &old_tunnel,
            "/api/calendar/events",
            "ada@example.com",
            60,
            NOW,
        )
        .expect("signed");
        let report = check_url(&tunnel(), &url, NOW);
        assert_eq!(
            report,
            UrlReport::OriginMismatch {
                called: "https://old.ngrok.app/api/calendar/events".into(),
                expected: "https://demo.ngrok.app".into(),
                genuine: true
            }
        );
        assert!(
            report
                .to_string()
                .contains("origin differs from PUBLIC_BASE_URL")
        );
    }

    #[test]
    fn a_url_signed_with_another_secret_is_a_wrong_signature() {
        let other = config(&[
            ("PRESIGN_SECRET", "another-secret-of-at-least-32-bytes"),
            ("PUBLIC_BASE_URL", "https://demo.ngrok.app"),
        ]);
        let url =
            sign_url(&other, "/api/calendar/freebusy", "ada@example.com", 60, NOW).expect("signed");
        let report = check_url(&tunnel(), &url, NOW);
        assert_eq!(report, UrlReport::Refused(VerifyError::WrongSignature));
        assert!(report.to_string().starts_with("wrong signature"));
    }

    #[test]
    fn a_url_is_never_signed_for_longer_than_its_route_lives() {
        let c = tunnel();
        let err = sign_url(&c, "/api/calendar/meetings", "ada@example.com", 86_400, NOW)
            .expect_err("a day");
        assert!(err.contains("900 s"), "{err}");
        assert!(sign_url(&c, "/api/calendar/meetings", "ada@example.com", 900, NOW).is_ok());
        assert!(sign_url(&c, "/api/calendar/events", "ada@example.com", 3600, NOW).is_ok());
        assert!(sign_url(&c, "/api/calendar/events", "ada@example.com", 3601, NOW).is_err());
    }

    #[test]
    fn nonsense_is_not_a_url() {
        assert_eq!(check_url(&tunnel(), "hello", NOW), UrlReport::NotAUrl);
        assert!(sign_url(&tunnel(), "api/x", "u", 1, NOW).is_err());
    }

    #[test]
    fn signing_needs_a_configured_secret() {
        assert!(require_configured_secret(&config(&[])).is_err());
        assert!(require_configured_secret(&tunnel()).is_ok());
    }
}
