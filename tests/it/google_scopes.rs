//! Scopes against a strict Google stand-in: each Calendar endpoint checks the token's granted
//! scopes as Google's reference lists them. A grant without a method's scope is told to
//! reconnect, never answered with a silent fallback.

use crate::common;

use common::ADA;
use common::fake_calendar::{self, calendar_requests};
use common::fake_google::{self, EVENTS_ONLY, GRANTED, requests_to};
use common::{TestApp, assert_error, json_of, spawn_app};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

fn free_time() -> Value {
    json!({"window_start": "2030-03-05T09:00:00Z", "window_end": "2030-03-05T12:00:00Z",
           "duration_minutes": 30, "timezone": "UTC"})
}

/// Ada with a grant stored as `stored_scope`, and Google granting `google_scope` on refresh.
async fn with_grant(stored_scope: &str, google_scope: &str) -> TestApp {
    let app = spawn_app(&[]).await;
    app.mount_google(3600).await;
    app.tokens.grant(ADA, google_scope);
    let token = calendar_agent::secret::Secret::new(fake_google::refresh_token_for(ADA));
    app.state
        .store
        .save_grant(ADA, ADA, &token, stored_scope)
        .await
        .expect("grant");
    app
}

fn assert_reconnect(status: u16, body: &Value, missing: &[&str]) {
    assert_error(status, body, 403, "google_scope_missing");
    assert_eq!(body["missing"], json!(missing), "{body}");
    let message = body["message"].as_str().unwrap_or("");
    assert!(message.contains("sign in with Google again"), "{message}");
}

#[tokio::test]
async fn the_stand_in_refuses_a_token_without_the_methods_scope() {
    // The guard is what makes every other test here meaningful: check it directly.
    let app = spawn_app(&[]).await;
    app.tokens.issue("events-only", EVENTS_ONLY);
    app.tokens.issue("full", GRANTED);
    fake_calendar::mount_busy(&app.google, json!([])).await;
    let http = reqwest::Client::new();
    let freebusy = format!("{}/calendar/v3/freeBusy", app.google.uri());
    let ask = |token: &'static str| {
        http.post(&freebusy)
            .bearer_auth(token)
            .json(&json!({"items": [{"id": "primary"}]}))
            .send()
    };
    assert_eq!(ask("events-only").await.expect("r").status().as_u16(), 403);
    assert_eq!(ask("full").await.expect("r").status().as_u16(), 200);
    assert_eq!(ask("never-issued").await.expect("r").status().as_u16(), 401);
}

#[tokio::test]
async fn a_grant_without_availability_is_told_to_reconnect_before_google_is_asked() {
    let app = with_grant(EVENTS_ONLY, EVENTS_ONLY).await;
    fake_calendar::mount_busy(&app.google, json!([])).await;
    let (status, body) = app
        .call_tool("/api/calendar/freebusy", ADA, free_time())
        .await;
    // Everything the tool needs and the grant lacks, named at once.
    assert_reconnect(status, &body, &["availability", "settings", "calendars"]);
    assert!(
        calendar_requests(&app.google).await.is_empty(),
        "no call Google would refuse"
    );
}

#[tokio::test]
async fn googles_insufficient_scope_answer_is_a_reconnect_not_a_utc_fallback() {
    // Nothing is known about the stored grant's scopes; Google's refresh says events only.
    let app = with_grant("", EVENTS_ONLY).await;
    fake_calendar::mount_timezone(&app.google, "America/New_York").await;
    fake_calendar::mount_list(&app.google, json!([])).await;
    // No timezone argument: the calendar's zone must be read, and Google refuses.
    let (status, body) = app
        .call_tool("/api/calendar/list-events", ADA, json!({}))
        .await;
    assert_reconnect(status, &body, &["settings", "calendars"]);
    let lists = calendar_requests(&app.google)
        .await
        .into_iter()
        .filter(|r| r.url.path().ends_with("/events"))
        .count();
    assert_eq!(lists, 0, "no events listed in a guessed zone");
}

#[tokio::test]
async fn with_every_scope_the_zone_comes_from_the_calendar_settings() {
    let app = with_grant(GRANTED, GRANTED).await;
    fake_calendar::mount_timezone(&app.google, "America/New_York").await;
    fake_calendar::mount_busy(&app.google, json!([])).await;
    let mut args = free_time();
    args.as_object_mut().expect("object").remove("timezone");
    // Before working hours in New York: only any time has a slot.
    args["any_time"] = json!(true);
    let (status, body) = app.call_tool("/api/calendar/freebusy", ADA, args).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["timezone"], "America/New_York");
    assert_eq!(body["slots"][0]["start"], "2030-03-05T04:00:00-05:00");
}

#[tokio::test]
async fn the_scopes_google_reports_at_refresh_are_remembered() {
    let app = with_grant("", GRANTED).await;
    fake_calendar::mount_busy(&app.google, json!([])).await;
    let (status, _) = app
        .call_tool("/api/calendar/freebusy", ADA, free_time())
        .await;
    assert_eq!(status, 200);
    let grant = app
        .state
        .store
        .grant(ADA)
        .await
        .expect("read")
        .expect("row");
    assert_eq!(grant.scope.as_str(), GRANTED);
}

#[tokio::test]
async fn starting_a_session_with_an_old_grant_asks_to_reconnect_and_costs_no_anam_session() {
    let app = spawn_app(&[]).await;
    app.mount_google(3600).await;
    let cookie = app.sign_in(ADA).await;
    let old = calendar_agent::secret::Secret::new(fake_google::refresh_token_for(ADA));
    app.state
        .store
        .save_grant(ADA, ADA, &old, EVENTS_ONLY)
        .await
        .expect("old grant");
    Mock::given(method("POST"))
        .and(path("/v1/auth/session-token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"sessionToken": "s"})))
        .mount(&app.google)
        .await;
    let response = app
        .client
        .post(app.url("/api/session-token"))
        .header("cookie", cookie)
        .send()
        .await
        .expect("mint");
    let (status, body) = json_of(response).await;
    assert_error(status, &body, 403, "google_scope_missing");
    assert_eq!(
        body["missing"],
        json!(["availability", "settings", "calendars"])
    );
    assert!(
        requests_to(&app.google, "/v1/auth/session-token")
            .await
            .is_empty()
    );
}
