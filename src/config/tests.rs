//! Unit tests of the parent module.

use super::anam::{DEFAULT_ANAM_SDK_INTEGRITY, DEFAULT_ANAM_SDK_URL};
use super::*;
use crate::secret::Secret;
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};

/// 32 random bytes as hex: a key as `calendar-agent secret` prints it.
fn random_key() -> String {
    crate::config::random_hex_secret()
}

pub(super) fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    Config::from_lookup(|name| map.get(name).cloned())
}

#[test]
fn an_empty_environment_gives_the_documented_defaults() {
    let c = config(&[]).expect("defaults are valid");
    assert_eq!(c.server.host, IpAddr::V4(Ipv4Addr::LOCALHOST));
    assert_eq!(c.server.port, 3000);
    assert_eq!(c.server.public_base_url, "http://localhost:3000");
    assert_eq!(
        c.signing.presign_source,
        SecretSource::GeneratedForThisProcess
    );
    assert_eq!(c.signing.presign.current.expose().len(), 64);
    assert_eq!(c.signing.tool_url_ttl_seconds, 3600);
    assert_eq!(c.anam.api_base_url, "https://api.anam.ai");
    assert_eq!(c.anam.sdk_url, DEFAULT_ANAM_SDK_URL);
    assert_eq!(c.anam.sdk_integrity, Some(DEFAULT_ANAM_SDK_INTEGRITY));
    assert_eq!(
        c.google.redirect_uri,
        "http://localhost:3000/api/auth/google/callback"
    );
    assert_eq!(
        c.google.calendar_base_url,
        "https://www.googleapis.com/calendar/v3/"
    );
    assert_eq!(c.store.database_url, "sqlite://.data/calendar-agent.db");
    assert_eq!(c.limits.session_token_rate_per_minute.get(), 5);
    assert_eq!(c.limits.tool_rate_per_minute.get(), 60);
    let missing: Vec<_> = c.missing().iter().map(|m| m.variable).collect();
    assert_eq!(
        missing,
        [
            "ANAM_API_KEY",
            "ANAM_AVATAR_ID",
            "ANAM_VOICE_ID",
            "ANAM_LLM_ID",
            "GOOGLE_CLIENT_ID",
            "GOOGLE_CLIENT_SECRET"
        ]
    );
}

#[test]
fn port_feeds_the_local_defaults() {
    let c = config(&[("PORT", "8080")]).expect("valid");
    assert_eq!(c.server.public_base_url, "http://localhost:8080");
    assert_eq!(
        c.google.redirect_uri,
        "http://localhost:8080/api/auth/google/callback"
    );
}

#[test]
fn trailing_slashes_are_ignored_on_the_public_url() {
    let c = config(&[("PUBLIC_BASE_URL", "https://demo.ngrok.app/")]).expect("valid");
    assert_eq!(c.server.public_base_url, "https://demo.ngrok.app");
    assert_eq!(
        c.public_url("/api/calendar/events"),
        "https://demo.ngrok.app/api/calendar/events"
    );
    assert!(c.secure_cookies());
}

#[test]
fn malformed_values_name_their_variable() {
    for (var, value) in [
        ("PORT", "eighty"),
        ("HOST", "my-laptop"),
        ("PUBLIC_BASE_URL", "demo.ngrok.app"),
        ("PUBLIC_BASE_URL", "ftp://demo.ngrok.app"),
        ("PUBLIC_BASE_URL", "https://demo.ngrok.app/?x=1"),
        ("GOOGLE_TOKEN_URL", "not a url"),
        ("TOKEN_ENCRYPTION_KEY", "abcd"),
        ("TOKEN_ENCRYPTION_KEY", &"zz".repeat(32)),
        ("COOKIE_SECRET", "short"),
        ("PRESIGN_SECRET", "s3cret"),
        ("PRESIGN_SECRET", &"x".repeat(31)),
        ("PRESIGN_SECRET_PREVIOUS", "old-secret"),
        ("TRUSTED_PROXIES", "10.0.0.0/33"),
        ("LOG_FORMAT", "yaml"),
        ("WORKING_HOURS", "9 to 5"),
        ("WORKING_HOURS", "18:00-09:00"),
        ("WORKING_DAYS", "weekdays"),
        ("TRUSTED_PROXIES", "10.0.0.0/8, my-balancer"),
        ("TOOL_URL_TTL_SECONDS", "0"),
        ("TOOL_RATE_PER_MINUTE", "0"),
        ("SESSION_TOKEN_RATE_PER_MINUTE", "-3"),
        ("DATABASE_URL", "mysql://db"),
        ("METRICS_ADDR", "localhost"),
        ("METRICS_ADDR", "9464"),
        ("ANAM_MAX_SESSION_SECONDS", "ten minutes"),
        ("ANAM_MAX_SESSION_SECONDS", "0"),
        ("ANAM_MAX_SESSION_SECONDS", "999999"),
    ] {
        let err = config(&[(var, value)]).expect_err(var);
        assert_eq!(err.variable, var, "{value}");
        assert!(err.to_string().starts_with(var));
        assert!(!err.to_string().contains('\n'));
    }
}

#[test]
fn configured_secrets_and_keys_are_used() {
    let key = random_key();
    let (s1, s0) = (random_key(), random_key());
    let c = config(&[
        ("PRESIGN_SECRET", &s1),
        ("PRESIGN_SECRET_PREVIOUS", &s0),
        ("TOKEN_ENCRYPTION_KEY", &key),
        ("ANAM_API_KEY", "k"),
        ("GOOGLE_CLIENT_ID", "id"),
    ])
    .expect("valid");
    assert_eq!(c.signing.presign_source, SecretSource::Configured);
    assert_eq!(c.signing.presign.current.expose(), s1);
    assert_eq!(
        c.signing.presign.previous.as_ref().map(Secret::expose),
        Some(s0.as_str())
    );
    let decoded: Option<[u8; 32]> = hex::decode(&key).ok().and_then(|k| k.try_into().ok());
    assert_eq!(c.store.token_encryption_key, decoded);
    let missing: Vec<_> = c.missing().iter().map(|m| m.variable).collect();
    assert!(!missing.contains(&"ANAM_API_KEY"));
    assert!(!missing.contains(&"GOOGLE_CLIENT_ID"));
    assert!(missing.contains(&"GOOGLE_CLIENT_SECRET"));
}

#[test]
fn a_custom_sdk_url_drops_the_default_integrity_hash() {
    let c = config(&[("ANAM_SDK_URL", "http://127.0.0.1:9/anam.js")]).expect("valid");
    assert_eq!(c.anam.sdk_integrity, None);
    let c = config(&[("ANAM_SDK_URL", "/static/vendor/anam.js")]).expect("valid");
    assert_eq!(c.anam.sdk_url, "/static/vendor/anam.js");
}

#[test]
fn the_secret_never_prints_in_debug_output() {
    let c = config(&[
        ("PRESIGN_SECRET", "very-secret-value-that-is-long-enough"),
        ("ANAM_API_KEY", "anam-key"),
    ])
    .expect("valid");
    let debug = format!("{c:?}");
    assert!(!debug.contains("very-secret-value"));
    assert!(!debug.contains("anam-key"));
}

#[test]
fn a_secret_of_exactly_32_bytes_is_enough() {
    let secret = "Zq8vR2mXw4kT9pLc7nB3jH6fD1sG5yQa";
    let c = config(&[("PRESIGN_SECRET", secret)]).expect("valid");
    assert_eq!(c.signing.presign.current.expose().len(), 32);
    let err = config(&[("PRESIGN_SECRET", "hunter2")]).expect_err("short");
    assert_eq!(
        err.to_string(),
        "PRESIGN_SECRET: must be at least 32 bytes (it is 7); `calendar-agent secret` prints a good one"
    );
    assert!(
        !err.to_string().contains("hunter2"),
        "the value is not echoed"
    );
}

#[test]
fn trusted_proxies_take_cidrs_and_single_addresses() {
    let c = config(&[("TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.7 fd00::/8")]).expect("valid");
    let shown: Vec<String> = c
        .server
        .trusted_proxies
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(shown, ["10.0.0.0/8", "192.0.2.7/32", "fd00::/8"]);
    assert!(
        config(&[])
            .expect("valid")
            .server
            .trusted_proxies
            .is_empty()
    );
}

#[test]
fn postgresql_needs_shared_keys_set_explicitly() {
    let pg = ("DATABASE_URL", "postgres://calendar@db.internal/calendar");
    let key = random_key();
    let secret = random_key();
    let err = config(&[pg, ("PRESIGN_SECRET", &secret)]).expect_err("no key");
    assert_eq!(err.variable, "TOKEN_ENCRYPTION_KEY");
    let err = config(&[pg, ("TOKEN_ENCRYPTION_KEY", &key)]).expect_err("no secret");
    assert_eq!(err.variable, "PRESIGN_SECRET");
    let c = config(&[
        pg,
        ("TOKEN_ENCRYPTION_KEY", &key),
        ("PRESIGN_SECRET", &secret),
    ])
    .expect("valid");
    assert_eq!(
        c.store.database_url,
        "postgres://calendar@db.internal/calendar"
    );
}

#[test]
fn working_hours_default_to_nine_to_six_on_weekdays() {
    assert_eq!(
        config(&[]).expect("valid").working_hours.to_string(),
        "09:00-18:00, Mon-Fri"
    );
    let c = config(&[
        ("WORKING_HOURS", "08:00-16:30"),
        ("WORKING_DAYS", "Sun-Thu"),
    ])
    .expect("valid");
    assert_eq!(c.working_hours.to_string(), "08:00-16:30, Mon-Thu,Sun");
}

#[test]
fn metrics_and_the_session_cap_are_off_unless_set() {
    let c = config(&[]).expect("valid");
    assert_eq!(c.server.metrics_addr, None);
    assert_eq!(c.anam.max_session_seconds, None);
    let c = config(&[
        ("METRICS_ADDR", "127.0.0.1:9464"),
        ("ANAM_MAX_SESSION_SECONDS", "1800"),
    ])
    .expect("valid");
    assert_eq!(
        c.server.metrics_addr,
        Some("127.0.0.1:9464".parse().expect("addr"))
    );
    assert_eq!(c.anam.max_session_seconds, Some(1800));
}

#[test]
fn the_guest_email_allowance_reads_its_old_name_with_a_warning() {
    let c = config(&[]).expect("valid");
    assert_eq!(c.limits.guest_emails_per_hour.get(), 20);
    assert!(c.limits.deprecated.is_empty());
    let c = config(&[("INVITES_PER_HOUR", "7")]).expect("valid");
    assert_eq!(c.limits.guest_emails_per_hour.get(), 7);
    assert_eq!(
        c.limits.deprecated,
        [("INVITES_PER_HOUR", "GUEST_EMAILS_PER_HOUR")]
    );
    let c = config(&[("INVITES_PER_HOUR", "7"), ("GUEST_EMAILS_PER_HOUR", "3")]).expect("valid");
    assert_eq!(c.limits.guest_emails_per_hour.get(), 3, "the new name wins");
    assert_eq!(
        config(&[("GUEST_EMAILS_PER_HOUR", "0")])
            .expect_err("zero")
            .variable,
        "GUEST_EMAILS_PER_HOUR"
    );
}

#[test]
fn the_sending_routes_may_not_outlive_the_other_tools() {
    let err = config(&[
        ("TOOL_URL_TTL_SECONDS", "600"),
        ("MEETING_URL_TTL_SECONDS", "900"),
    ])
    .expect_err("longer");
    assert_eq!(err.variable, "MEETING_URL_TTL_SECONDS");
    assert!(err.to_string().contains("TOOL_URL_TTL_SECONDS"), "{err}");
    assert!(
        config(&[
            ("TOOL_URL_TTL_SECONDS", "900"),
            ("MEETING_URL_TTL_SECONDS", "900")
        ])
        .is_ok()
    );
}

#[test]
fn a_previous_token_key_needs_a_current_one_and_is_decoded() {
    let (new, old) = (random_key(), random_key());
    let c = config(&[
        ("TOKEN_ENCRYPTION_KEY", &new),
        ("TOKEN_ENCRYPTION_KEY_PREVIOUS", &old),
    ])
    .expect("valid");
    let decoded: Option<[u8; 32]> = hex::decode(&old).ok().and_then(|k| k.try_into().ok());
    assert_eq!(c.store.token_encryption_key_previous, decoded);
    let err = config(&[("TOKEN_ENCRYPTION_KEY_PREVIOUS", &old)]).expect_err("alone");
    assert_eq!(err.variable, "TOKEN_ENCRYPTION_KEY_PREVIOUS");
    let err = config(&[
        ("TOKEN_ENCRYPTION_KEY", &new),
        ("TOKEN_ENCRYPTION_KEY_PREVIOUS", "short"),
    ])
    .expect_err("bad");
    assert_eq!(err.variable, "TOKEN_ENCRYPTION_KEY_PREVIOUS");
}

#[test]
fn each_section_reads_only_its_own_variables() {
    let read = std::cell::RefCell::new(Vec::<String>::new());
    let lookup = |k: &str| {
        read.borrow_mut().push(k.to_owned());
        None
    };
    let vars = Vars::new(&lookup);
    Limits::read(&vars).expect("limits");
    let limits: Vec<String> = read.borrow_mut().drain(..).collect();
    assert!(
        limits
            .iter()
            .all(|k| k.contains("RATE") || k.contains("PER_HOUR") || k.contains("PER_USER")),
        "{limits:?}"
    );
    AnamConfig::read(&vars).expect("anam");
    let anam: Vec<String> = read.borrow_mut().drain(..).collect();
    assert!(anam.iter().all(|k| k.starts_with("ANAM_")), "{anam:?}");
    GoogleConfig::read(&vars, "http://localhost:3000").expect("google");
    let google: Vec<String> = read.borrow_mut().drain(..).collect();
    assert!(
        google.iter().all(|k| k.starts_with("GOOGLE_")),
        "{google:?}"
    );
}
