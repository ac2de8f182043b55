//! The page in a real browser: headless Chromium (Debian's package) driven by playwright-core
//! (`tests/browser/page.spec.mjs`) against the real server, with wiremock as Google and Anam's
//! API and the real Anam SDK build from the npm registry. Screenshots go to
//! `target/screenshots/`.
//!
//! Needs `/usr/bin/chromium`, Node, and `tests/browser/setup.sh` to have run. Without them the
//! test says so and passes, except in CI (`CI=true`), where it must run.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::fake_calendar;
use common::fake_google;
use common::fake_google::requests_to;
use common::spawn_app;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, Request, Respond, ResponseTemplate};

const ADA: &str = "ada@example.com";

/// A session token shaped like Anam's (the SDK decodes it as a JWT and reads `accountId`).
fn session_token() -> String {
    use base64::Engine;
    let part = |v: serde_json::Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    format!(
        "{}.{}.browser-test-signature",
        part(json!({"alg": "HS256", "typ": "JWT"})),
        part(json!({"accountId": "acct-browser-test", "type": "ephemeral"}))
    )
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn sdk_file() -> PathBuf {
    root().join("target/anam-sdk/4.27.0/package/dist/umd/anam.js")
}

/// What is missing for this test, if anything.
fn missing_prerequisite() -> Option<String> {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).exists() {
        return Some(format!(
            "{chromium} (apt-get install chromium chromium-driver)"
        ));
    }
    if std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_err()
    {
        return Some("node".into());
    }
    if !root()
        .join("tests/browser/node_modules/playwright-core")
        .exists()
        || !sdk_file().exists()
    {
        return Some("playwright-core and the Anam SDK (run tests/browser/setup.sh)".into());
    }
    None
}

/// Google's consent screen, approved at once: back to `redirect_uri` with a code and the state.
struct InstantConsent;

impl Respond for InstantConsent {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let param = |name: &str| {
            request
                .url
                .query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        };
        let back = format!(
            "{}?code={}&state={}",
            param("redirect_uri"),
            fake_google::code_for(ADA),
            param("state")
        );
        ResponseTemplate::new(302).insert_header("location", back.as_str())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_signs_in_shows_bookings_and_fails_readably_without_anam() {
    if let Some(missing) = missing_prerequisite() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI must run the browser test; missing: {missing}"
        );
        eprintln!("SKIPPED: the browser test needs {missing}");
        return;
    }
    let app = spawn_app(&[
        ("PUBLIC_BASE_URL", "{app}"),
        ("GOOGLE_REDIRECT_URI", "{app}/api/auth/google/callback"),
        ("GOOGLE_AUTH_URL", "{google}/o/oauth2/v2/auth"),
        ("ANAM_SDK_URL", "{google}/sdk/anam.js"),
    ])
    .await;
    Mock::given(method("GET"))
        .and(path("/o/oauth2/v2/auth"))
        .respond_with(InstantConsent)
        .mount(&app.google)
        .await;
    app.mount_google(3600).await;
    fake_calendar::mount_timezone(&app.google, "Europe/London").await;
    fake_calendar::mount_list(
        &app.google,
        json!([{"id": "d1", "summary": "Dentist", "start": {"dateTime": "2030-01-15T10:00:00Z"},
                "end": {"dateTime": "2030-01-15T10:30:00Z"}}]),
    )
    .await;
    Mock::given(method("POST"))
        .and(path("/v1/auth/session-token"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"sessionToken": session_token()})),
        )
        .mount(&app.google)
        .await;
    let sdk = std::fs::read(sdk_file()).expect("SDK file");
    Mock::given(method("GET"))
        .and(path("/sdk/anam.js"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "text/javascript")
                .set_body_bytes(sdk),
        )
        .mount(&app.google)
        .await;
    let unconfigured = spawn_app(&[("ANAM_API_KEY", "")]).await;

    let run = tokio::process::Command::new("node")
        .arg("tests/browser/page.spec.mjs")
        .current_dir(root())
        .env("APP_URL", &app.address)
        .env("APP_URL_UNCONFIGURED", &unconfigured.address)
        .env("EXPECT_EMAIL", ADA)
        .env("EXPECT_BOOKING", "Dentist")
        .env("SESSION_TOKEN", session_token())
        .env("SCREENSHOT_DIR", root().join("target/screenshots"))
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(Duration::from_secs(120), run)
        .await
        .expect("the browser test finished within 120 s")
        .expect("node ran");
    let stdout = String::from_utf8_lossy(&output.stdout);
    println!("{stdout}");
    assert!(
        output.status.success(),
        "browser test failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        requests_to(&app.google, "/v1/auth/session-token")
            .await
            .len(),
        1
    );
}
