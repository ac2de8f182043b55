//! Service-wide behaviour: health, and JSON for every error including unknown routes.

use crate::common;

use common::{assert_error, json_of, spawn_app};

#[tokio::test]
async fn healthz_answers_ok() {
    let app = spawn_app(&[]).await;
    let response = app
        .client
        .get(format!("{}/healthz", app.address))
        .send()
        .await
        .expect("request");
    let (status, body) = json_of(response).await;
    assert_eq!(status, 200);
    assert_eq!(body, serde_json::json!({ "status": "ok" }));
}

#[tokio::test]
async fn an_unknown_route_answers_404_json() {
    let app = spawn_app(&[]).await;
    let response = app
        .client
        .get(format!("{}/nope", app.address))
        .send()
        .await
        .expect("request");
    let (status, body) = json_of(response).await;
    assert_error(status, &body, 404, "not_found");
}

#[tokio::test]
async fn a_wrong_method_answers_405_json() {
    let app = spawn_app(&[]).await;
    let response = app
        .client
        .get(format!("{}/api/calendar/events", app.address))
        .send()
        .await
        .expect("request");
    let (status, body) = json_of(response).await;
    assert_error(status, &body, 405, "method_not_allowed");
}

#[test]
fn a_short_presign_secret_stops_start_up_with_one_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_calendar-agent"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("PORT", "0")
        .env("PRESIGN_SECRET", "hunter2-hunter2")
        .current_dir(dir.path())
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("PRESIGN_SECRET"), "{stderr}");
    assert!(stderr.contains("at least 32 bytes"), "{stderr}");
    assert!(
        !stderr.contains("hunter2"),
        "the secret is not echoed: {stderr}"
    );
}
