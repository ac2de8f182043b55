//! Operating the real binary (docs/operations.md): a flood of forged tool URLs writes a handful of
//! log lines, every request still accounted for; metrics move on their own listener and are
//! not served on the public port; SIGTERM drains (`/readyz` 503 at once, served through the
//! grace), lets in-flight calls finish, ends open event streams and exits in time.

use crate::common;

use std::time::{Duration, Instant};

use calendar_agent::clock::unix_now;
use common::ADA;
use common::fake_google;
use common::process::{Server, browser_sign_in, client, signed_tool_url, start_server};
use common::routes::LIST;
use common::{fake_calendar, json_of};
use futures_util::StreamExt;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Strict fake Google (OAuth, Calendar defaults) and the binary on a fresh SQLite file.
async fn server(extra: &[(&str, &str)]) -> (MockServer, Server, tempfile::TempDir) {
    server_with_tokens_for(3600, extra).await
}

/// As [`server`], with Google's access tokens lasting `expires_in` seconds.
async fn server_with_tokens_for(
    expires_in: u64,
    extra: &[(&str, &str)],
) -> (MockServer, Server, tempfile::TempDir) {
    let google = MockServer::start().await;
    let tokens = fake_google::Tokens::default();
    fake_google::guard(&google, &tokens).await;
    fake_calendar::mount_defaults(&google).await;
    fake_google::mount(&google, &tokens, expires_in).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let db = format!("sqlite://{}", dir.path().join("ops.db").display());
    let server = start_server(&google, &db, extra).await;
    (google, server, dir)
}

/// The local URL of `route`'s tool, signed for `user` as a Start would.
fn signed(server: &Server, route: &str, user: &str) -> String {
    signed_tool_url(server, route, user, unix_now() + 600)
}

/// The lines logged so far, parsed (the server runs with `LOG_FORMAT=json`).
fn logged(server: &Server) -> Vec<Value> {
    server
        .log
        .lock()
        .expect("lock")
        .iter()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

fn number(line: &Value, field: &str) -> u64 {
    line[field].as_u64().unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_thousand_forged_calls_write_a_handful_of_lines_and_count_the_rest() {
    let (_google, server, _dir) = server(&[("LOG_FORMAT", "json")]).await;
    let genuine = signed(&server, LIST, ADA);
    // The last hex digit of the signature changed: a forgery, as a scanner would send.
    let last = if genuine.ends_with('0') { '1' } else { '0' };
    let forged = format!("{}{last}", &genuine[..genuine.len() - 1]);
    let http = client();
    let started = Instant::now();
    const CALLS: usize = 3_000;
    let statuses: Vec<u16> = futures_util::stream::iter(0..CALLS)
        .map(|_| {
            let (http, forged) = (http.clone(), forged.clone());
            async move {
                http.post(&forged)
                    .json(&json!({"timezone": "UTC"}))
                    .send()
                    .await
                    .map_or(0, |r| r.status().as_u16())
            }
        })
        .buffer_unordered(32)
        .collect()
        .await;
    let flood = started.elapsed();
    assert!(statuses.iter().all(|s| *s == 401), "every forgery refused");
    // The counts of what was held back are logged once each second is over.
    tokio::time::sleep(Duration::from_millis(2_500)).await;

    let lines = logged(&server);
    let refusals: Vec<&Value> = lines
        .iter()
        .filter(|l| l["message"] == "tool call refused")
        .collect();
    let seconds = flood.as_secs() + 1;
    assert!(
        !refusals.is_empty() && refusals.len() as u64 <= seconds + 1 && refusals.len() <= 10,
        "{} refusal lines for a {flood:?} flood",
        refusals.len()
    );
    // The first keeps every diagnostic: what was signed over, where the request says it went.
    let first = &refusals[0];
    assert_eq!(first["route"], LIST, "{first}");
    assert_eq!(
        first["reason"], "the signature does not match this URL",
        "{first}"
    );
    assert_eq!(
        first["public_base_url"], "https://demo.ngrok.app",
        "{first}"
    );
    assert!(
        first["host"]
            .as_str()
            .is_some_and(|h| h.starts_with("127.0.0.1:")),
        "{first}"
    );
    assert!(first["hint"].is_string(), "{first}");

    // Every refusal is accounted for: written, or counted on a later line.
    let reports: Vec<&Value> = lines
        .iter()
        .filter(|l| {
            l["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("refusals not logged"))
        })
        .collect();
    assert!(!reports.is_empty(), "a line counts what was not logged");
    assert!(
        reports
            .iter()
            .all(|r| r["route"] == LIST && r["reason"] == "wrong_signature")
    );
    let accounted = refusals.len() as u64
        + refusals
            .iter()
            .map(|r| number(r, "not_logged_before"))
            .sum::<u64>()
        + reports.iter().map(|r| number(r, "not_logged")).sum::<u64>();
    assert_eq!(accounted, CALLS as u64);

    // The access log is bounded the same way.
    let responses = lines
        .iter()
        .filter(|l| l["message"] == "response" && l["status"] == 401)
        .count();
    assert!(
        responses as u64 <= seconds + 1,
        "{responses} response lines"
    );
    let bytes: usize = server
        .log
        .lock()
        .expect("lock")
        .iter()
        .map(String::len)
        .sum();
    assert!(
        bytes < 16 * 1024,
        "{bytes} bytes of log for {CALLS} forgeries"
    );
}

/// The metrics listener's address, from its start-up line.
async fn metrics_address(server: &Server) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let found = logged(server).iter().find_map(|l| {
            l["message"]
                .as_str()?
                .strip_prefix("metrics on ")
                .map(str::to_owned)
        });
        if let Some(address) = found {
            return address;
        }
        assert!(Instant::now() < deadline, "the metrics line at start-up");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The value of one series in Prometheus text.
fn series(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.trim().parse().ok())
}

async fn metric_text(address: &str) -> String {
    let response = client().get(address).send().await.expect("metrics");
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .is_ok_and(|c| c.contains("openmetrics-text"))
    );
    response.text().await.expect("text")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tool_calls_refusals_and_mints_move_their_counters_on_the_metrics_listener_only() {
    // Access tokens within a minute of expiry: the first Google call refreshes.
    let (google, server, _dir) = server_with_tokens_for(
        30,
        &[("LOG_FORMAT", "json"), ("METRICS_ADDR", "127.0.0.1:0")],
    )
    .await;
    fake_calendar::mount_list(&google, json!([])).await;
    Mock::given(method("POST"))
        .and(path("/v1/auth/session-token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"sessionToken": "sess-1"})))
        .mount(&google)
        .await;
    let metrics = metrics_address(&server).await;
    let before = metric_text(&metrics).await;
    assert!(
        !before.contains("calendar_agent_tool_calls_total{"),
        "{before}"
    );

    let http = client();
    let cookie = browser_sign_in(&http, &server.address, ADA, "203.0.113.7")
        .await
        .expect("signed in");
    let (status, _) = json_of(
        http.post(format!("{}/api/session-token", server.address))
            .header("cookie", &cookie)
            .send()
            .await
            .expect("mint"),
    )
    .await;
    assert_eq!(status, 200);
    let (status, body) = json_of(
        http.post(signed(&server, LIST, ADA))
            .json(&json!({"timezone": "UTC"}))
            .send()
            .await
            .expect("tool"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = json_of(
        http.post(format!(
            "{}{LIST}?uid={ADA}&exp=9999999999&sig=00",
            server.address
        ))
        .json(&json!({}))
        .send()
        .await
        .expect("forged"),
    )
    .await;
    assert_eq!(status, 401);
    // Not signed in: a mint refused, counted by its reason.
    let refused = http
        .post(format!("{}/api/session-token", server.address))
        .send()
        .await
        .expect("mint without cookie");
    assert_eq!(refused.status(), 401);

    let text = metric_text(&metrics).await;
    for line in [
        r#"calendar_agent_tool_calls_total{tool="list_events",outcome="ok"} 1"#,
        r#"calendar_agent_tool_duration_seconds_count{tool="list_events"} 1"#,
        r#"calendar_agent_presign_refusals_total{reason="malformed_signature"} 1"#,
        r#"calendar_agent_session_mints_total{outcome="ok"} 1"#,
        r#"calendar_agent_session_mints_total{outcome="not_signed_in"} 1"#,
        // Two reads: the mint's day at Start, and the tool call.
        r#"calendar_agent_google_request_duration_seconds_count{api="events.list"} 2"#,
    ] {
        assert!(text.contains(line), "{line} in:\n{text}");
    }
    // Each refresh Google received is counted once (expiring tokens: the mint, the calendar
    // watch and the tool call each refreshed).
    let refreshes = fake_google::requests_to(&google, "/token")
        .await
        .iter()
        .filter(|r| fake_google::form(r)["grant_type"] == "refresh_token")
        .count();
    assert!(refreshes >= 1);
    assert_eq!(
        series(
            &text,
            r#"calendar_agent_token_refreshes_total{outcome="ok"}"#
        ),
        Some(refreshes as f64),
        "{text}"
    );
    assert_eq!(
        series(
            &text,
            r#"calendar_agent_google_request_duration_seconds_count{api="oauth.token"}"#
        ),
        Some(refreshes as f64),
    );
    // A refused signature is not a tool call: strangers do not skew the tools' figures.
    assert_eq!(
        text.matches("calendar_agent_tool_calls_total{").count(),
        1,
        "{text}"
    );

    // Never on the public port.
    let public = http
        .get(format!("{}/metrics", server.address))
        .send()
        .await
        .expect("public");
    assert_eq!(public.status(), 404);
}

/// Seconds the drain test's server keeps serving after SIGTERM.
const GRACE: Duration = Duration::from_secs(2);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_drains_serves_through_the_grace_finishes_in_flight_calls_and_exits_in_time() {
    let (google, mut server, _dir) = server(&[("SHUTDOWN_GRACE_SECONDS", "2")]).await;
    // Google takes 3.5 s to list: the call is still in flight when the grace ends.
    Mock::given(method("GET"))
        .and(path("/calendar/v3/calendars/primary/events"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"kind": "calendar#events", "items": []}))
                .set_delay(Duration::from_millis(3500)),
        )
        .mount(&google)
        .await;
    let http = client();
    let cookie = browser_sign_in(&http, &server.address, ADA, "203.0.113.8")
        .await
        .expect("signed in");
    let mut stream = http
        .get(format!("{}/api/events/stream", server.address))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("stream");
    assert_eq!(stream.status(), 200);
    let call = tokio::spawn({
        let (http, url) = (http.clone(), signed(&server, LIST, ADA));
        async move {
            json_of(
                http.post(url)
                    .json(&json!({"timezone": "UTC"}))
                    .send()
                    .await
                    .expect("tool call answered"),
            )
            .await
        }
    });
    // Wait until the call has reached Google, then signal.
    let deadline = Instant::now() + Duration::from_secs(10);
    while fake_calendar::requests_to(&google, "/calendars/primary/events")
        .await
        .is_empty()
    {
        assert!(Instant::now() < deadline, "the tool call reached Google");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // A load balancer's steady traffic, each request on a connection of its own.
    let fresh = reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(0)
        .build()
        .expect("client");
    let pid = server.child.id().expect("pid");
    let signalled = Instant::now();
    let kill = tokio::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .await
        .expect("kill");
    assert!(kill.success());

    let address = server.address.clone();
    let (readiness, traffic) = tokio::join!(
        async {
            // /readyz says "not ready" at once.
            loop {
                let status = fresh
                    .get(format!("{address}/readyz"))
                    .send()
                    .await
                    .map(|r| r.status().as_u16())
                    .map_err(|e| e.to_string());
                if status == Ok(503) {
                    return signalled.elapsed();
                }
                assert!(signalled.elapsed() < Duration::from_secs(1), "{status:?}");
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        },
        async {
            // Everything sent during the grace is served.
            let mut answered = Vec::new();
            while signalled.elapsed() < GRACE - Duration::from_millis(300) {
                let status = fresh
                    .get(format!("{address}/healthz"))
                    .send()
                    .await
                    .map(|r| r.status().as_u16());
                answered.push(status.map_err(|e| e.to_string()));
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            answered
        }
    );
    assert!(
        readiness < Duration::from_millis(200),
        "/readyz 503 after {readiness:?}"
    );
    assert!(traffic.len() > 20, "{traffic:?}");
    let failed: Vec<_> = traffic.iter().filter(|s| *s != &Ok(200)).collect();
    assert!(failed.is_empty(), "failed during the grace: {failed:?}");

    // After the grace the open stream ends (rather than holding the shutdown up).
    let ended = tokio::time::timeout(GRACE + Duration::from_secs(5), async {
        while let Ok(Some(_)) = stream.chunk().await {}
    })
    .await;
    assert!(ended.is_ok(), "the event stream ended after the grace");

    // The call in flight is answered in full.
    let (status, body) = call.await.expect("task");
    assert_eq!(status, 200, "{body}");
    assert!(body["events"].is_array(), "{body}");

    let exit = tokio::time::timeout(GRACE + Duration::from_secs(10), server.child.wait())
        .await
        .expect("exited within grace + 10 s of SIGTERM")
        .expect("status");
    assert!(exit.success(), "{exit:?}");
    assert!(signalled.elapsed() < GRACE + Duration::from_secs(10));
    let log = server.log.lock().expect("log").join("\n");
    assert!(log.contains("draining"), "{log}");
    assert!(log.contains("stopped"), "{log}");
    // No connection is taken once it is gone.
    assert!(
        fresh
            .get(format!("{address}/healthz"))
            .send()
            .await
            .is_err()
    );
}
