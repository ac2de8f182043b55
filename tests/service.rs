//! Service-wide behaviour: health, and JSON for every error including unknown routes.

mod common;

use common::{json_of, spawn_app};

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
    assert_eq!(status, 404);
    assert_eq!(body["error"], "not_found");
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
    assert_eq!(status, 405);
    assert_eq!(body["error"], "method_not_allowed");
}
