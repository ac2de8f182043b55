//! Security headers on every answer: a Content-Security-Policy that lets the page load exactly
//! the Anam SDK's script and talk to exactly Anam's API and media hosts besides this origin,
//! and `nosniff`, no referrer, no framing, the microphone for this origin only.

use axum::http::header::{
    CONTENT_SECURITY_POLICY, REFERRER_POLICY, STRICT_TRANSPORT_SECURITY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::http::{HeaderName, HeaderValue};

use crate::config::Config;

/// Anam's signalling and media hosts (the session answer names one of them).
const ANAM_HOSTS: &str = "https://*.anam.ai wss://*.anam.ai";

/// The policy for this configuration.
pub(super) fn content_security_policy(config: &Config) -> String {
    let sdk = &config.anam.sdk_url;
    // A path on this origin is covered by 'self'; a URL is allowed as that one file.
    let script = if sdk.starts_with('/') {
        "'self'".to_owned()
    } else {
        format!("'self' {sdk}")
    };
    let api = url::Url::parse(&config.anam.api_base_url)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default();
    [
        "default-src 'none'".to_owned(),
        format!("script-src {script}"),
        "style-src 'self'".to_owned(),
        "img-src 'self' data:".to_owned(),
        "media-src 'self' blob: mediastream:".to_owned(),
        format!("connect-src 'self' {api} {ANAM_HOSTS}"),
        "base-uri 'none'".to_owned(),
        "form-action 'self'".to_owned(),
        "frame-ancestors 'none'".to_owned(),
    ]
    .join("; ")
}

/// The headers, set on every answer that does not set its own (`edge`).
pub(super) fn headers(config: &Config) -> Vec<(HeaderName, HeaderValue)> {
    let csp = HeaderValue::from_str(&content_security_policy(config))
        .unwrap_or(HeaderValue::from_static("default-src 'self'"));
    let mut headers = vec![
        (CONTENT_SECURITY_POLICY, csp),
        (X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        (REFERRER_POLICY, HeaderValue::from_static("no-referrer")),
        (X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        (
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static("microphone=(self), camera=(), geolocation=()"),
        ),
    ];
    // Served over https (the public URL): browsers never fall back to plain http for a year.
    // Not over plain http, where the header means nothing and would only confuse a local setup.
    if config.secure_cookies() {
        headers.push((
            STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        ));
    }
    headers
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(vars: &[(&str, &str)]) -> Config {
        Config::from_lookup(|k| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| (*v).to_owned())
        })
        .expect("config")
    }

    #[test]
    fn hsts_only_when_the_public_url_is_https() {
        let hsts = |vars: &[(&str, &str)]| {
            headers(&config(vars))
                .into_iter()
                .find(|(name, _)| name == STRICT_TRANSPORT_SECURITY)
                .map(|(_, value)| value)
        };
        assert_eq!(hsts(&[]), None);
        assert_eq!(
            hsts(&[("PUBLIC_BASE_URL", "https://demo.ngrok.app")]),
            Some(HeaderValue::from_static("max-age=31536000"))
        );
    }

    #[test]
    fn the_policy_names_exactly_the_sdk_and_anams_hosts() {
        let csp = content_security_policy(&config(&[]));
        assert!(csp.contains(
            "script-src 'self' https://cdn.jsdelivr.net/npm/@anam-ai/js-sdk@4.27.0/dist/umd/anam.js;"
        ));
        assert!(
            csp.contains(
                "connect-src 'self' https://api.anam.ai https://*.anam.ai wss://*.anam.ai"
            )
        );
        assert!(csp.starts_with("default-src 'none'"));
        assert!(!csp.contains("unsafe"), "{csp}");
        let local = content_security_policy(&config(&[
            ("ANAM_SDK_URL", "/static/vendor/anam.js"),
            ("ANAM_API_BASE_URL", "http://127.0.0.1:9999/"),
        ]));
        assert!(local.contains("script-src 'self';"), "{local}");
        assert!(
            local.contains("connect-src 'self' http://127.0.0.1:9999 "),
            "{local}"
        );
    }
}
