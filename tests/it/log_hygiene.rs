//! Logs never contain a refresh token, access token, authorization code, client secret,
//! presign secret or tool-URL signature — at the most verbose level, across a whole session.
//! Each test captures the log of its own thread: its runtime is the test thread's alone
//! (`#[tokio::test]`), so the server it starts logs there, and the other tests of the binary
//! are not disturbed.

use crate::common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use calendar_agent::clock::unix_now;
use calendar_agent::presign::presign_url;
use calendar_agent::routes::LIST_EVENTS_PATH;
use common::fake_google::{self, form, requests_to};
use common::spawn_app;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// Captures what this thread logs until the guard is dropped.
fn capture() -> (Captured, tracing::subscriber::DefaultGuard) {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        // Everything of ours at trace; the mock server's own logs are the test's.
        .with_env_filter(EnvFilter::new("trace,wiremock=off"))
        .with_writer(captured.clone())
        .with_ansi(false)
        .finish();
    (captured, tracing::subscriber::set_default(subscriber))
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("lock")).into_owned()
    }
}

#[tokio::test]
async fn no_secret_reaches_the_log_at_trace_level() {
    let (captured, _logging) = capture();

    let app = spawn_app(&[]).await;
    app.mount_google(61).await;
    let ada = "ada@example.com";
    let cookie = app.sign_in(ada).await;
    // Expire the cached token so a refresh happens too.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let refreshed = app.state.google.tokens.get(ada).await.expect("token");

    let url = presign_url(
        &app.config.signing.presign,
        &app.config.public_url(LIST_EVENTS_PATH),
        ada,
        unix_now() + 60,
    );
    app.post_json(&url, &serde_json::json!({})).await;
    let forged = format!("{url}0");
    app.post_json(&forged, &serde_json::json!({})).await;
    wiremock::Mock::given(wiremock::matchers::path("/v1/auth/session-token"))
        .respond_with(
            wiremock::ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"sessionToken": "session-token-value"})),
        )
        .mount(&app.google)
        .await;
    let minted = app
        .client
        .post(app.url("/api/session-token"))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("mint");
    assert_eq!(minted.status().as_u16(), 200);
    app.client
        .post(app.url("/api/auth/signout?forget=1"))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("signout");

    let exchange = requests_to(&app.google, "/token").await;
    let verifier = form(&exchange[0])["code_verifier"].clone();
    let sig = url.split("sig=").nth(1).expect("sig").to_owned();
    let log = String::from_utf8(captured.0.lock().expect("lock").clone()).expect("utf8");
    assert!(log.contains("signed in"), "the capture works: {log}");
    for (what, secret) in [
        ("refresh token", fake_google::refresh_token_for(ada)),
        ("access token", fake_google::access_token_for(ada)),
        (
            "refreshed access token",
            refreshed.token.expose().to_owned(),
        ),
        ("authorization code", format!("code:{ada}")),
        ("PKCE verifier", verifier),
        ("client secret", "test-client-secret".to_owned()),
        ("presign secret", common::TEST_PRESIGN_SECRET.to_owned()),
        ("tool URL signature", sig),
        ("cookie", cookie.clone()),
        ("Anam API key", "test-anam-key".to_owned()),
        ("Anam session token", "session-token-value".to_owned()),
    ] {
        assert!(!log.contains(&secret), "{what} found in the log");
    }
}

#[tokio::test]
async fn text_from_the_request_is_escaped_and_cut_before_it_is_logged() {
    let (captured, _logging) = capture();
    let app = spawn_app(&[]).await;
    // Google's `error` value on the callback is whatever the URL says.
    let forged_line =
        "nope%0A2026-11-23T00:00:00Z%20INFO%20signed%20in%20user_id=admin%40example.com";
    app.client
        .get(app.url(&format!(
            "/api/auth/google/callback?error={forged_line}&state=x"
        )))
        .send()
        .await
        .expect("callback");
    // A refused tool call logs the request's Host and X-Forwarded-Host.
    let url = format!(
        "{}?uid=a&exp=1&sig=00",
        app.config.public_url(LIST_EVENTS_PATH)
    );
    app.client
        .post(app.local(&url))
        .header("x-forwarded-host", format!("marker-{}", "h".repeat(5000)))
        .header("x-forwarded-proto", "https\" hint=\"forged")
        .send()
        .await
        .expect("tool");

    let log = captured.text();
    let refusal = log
        .lines()
        .find(|l| l.contains("tool call refused") && l.contains("marker-"))
        .unwrap_or_else(|| panic!("the refusal is logged: {log}"));
    assert!(
        refusal.len() < 1500,
        "the long header was cut: {} bytes",
        refusal.len()
    );
    assert!(refusal.contains('…'));
    assert!(
        refusal.contains(r#"https\\\" hint=\\\"forged"#),
        "{refusal}"
    );
    let cancelled = log
        .lines()
        .find(|l| l.contains("sign-in cancelled or refused"))
        .unwrap_or_else(|| panic!("the callback is logged: {log}"));
    assert!(cancelled.contains("nope\\n2026"), "{cancelled}");
    assert!(
        !log.lines().any(|l| l.starts_with("2026-11-23T00:00:00Z")),
        "no forged line"
    );
}
