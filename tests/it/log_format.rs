//! `LOG_FORMAT=json`: every log line is one JSON object, with the fields of the text format
//! (level, message, the request span's method and route, status and latency).

use crate::common;

use std::time::Duration;

use common::process::{client, start_server};
use serde_json::Value;
use wiremock::MockServer;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_are_one_object_per_line_with_the_same_fields() {
    let google = MockServer::start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let db = format!("sqlite://{}", dir.path().join("log.db").display());
    let server = start_server(&google, &db, &[("LOG_FORMAT", "json")]).await;
    let http = client();
    http.get(format!("{}/healthz", server.address))
        .send()
        .await
        .expect("healthz");
    http.get(format!("{}/", server.address))
        .send()
        .await
        .expect("page");
    http.post(format!("{}/api/calendar/list-events", server.address))
        .send()
        .await
        .expect("refused tool call");
    tokio::time::sleep(Duration::from_millis(300)).await;

    let lines = server.log.lock().expect("lock").clone();
    assert!(lines.len() >= 4, "{lines:?}");
    let parsed: Vec<Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert!(
        parsed
            .iter()
            .all(|v| v["level"].is_string() && v["timestamp"].is_string())
    );
    assert!(parsed.iter().any(|v| {
        v["message"]
            .as_str()
            .is_some_and(|m| m.contains("listening on"))
    }));
    let page = parsed
        .iter()
        .find(|v| v["message"] == "response" && v["span"]["route"] == "/")
        .unwrap_or_else(|| panic!("a response line for the page: {lines:?}"));
    assert_eq!(page["span"]["method"], "GET");
    assert_eq!(page["status"], 200);
    assert!(page["latency_ms"].is_number());
    // Health probes come every few seconds from a load balancer: debug level, not info.
    assert!(
        !parsed.iter().any(|v| v["span"]["route"] == "/healthz"),
        "{lines:?}"
    );
    let refused_response = parsed
        .iter()
        .find(|v| v["message"] == "response" && v["status"] == 401)
        .unwrap_or_else(|| panic!("the refused call's response line: {lines:?}"));
    assert_eq!(refused_response["error"], "missing_signature");
    assert_eq!(
        refused_response["span"]["route"],
        "/api/calendar/list-events"
    );
    let refused = parsed
        .iter()
        .find(|v| v["message"] == "tool call refused")
        .unwrap_or_else(|| panic!("the refusal: {lines:?}"));
    assert_eq!(refused["route"], "/api/calendar/list-events");
    assert!(
        refused["reason"]
            .as_str()
            .is_some_and(|r| r.contains("missing"))
    );
}
