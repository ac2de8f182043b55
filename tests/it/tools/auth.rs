//! Presigned tool URLs at the HTTP edge: every rejection path, and what passes.

use crate::common::{TestApp, assert_error, json_of, spawn_app};
use calendar_agent::clock::unix_now;
use calendar_agent::presign::{SigningKeys, presign_url};
use calendar_agent::routes::{BLOCK_TIME_PATH, FREEBUSY_PATH, LIST_EVENTS_PATH};
use calendar_agent::secret::Secret;
use serde_json::json;

const USER: &str = "ada@example.com";

fn signed(app: &TestApp, path: &str, uid: &str, exp: u64) -> String {
    presign_url(
        &app.config.signing.presign,
        &app.config.public_url(path),
        uid,
        exp,
    )
}

fn fresh(app: &TestApp, path: &str) -> String {
    signed(app, path, USER, unix_now() + 600)
}

async fn assert_refused(app: &TestApp, url: &str, reason: &str) {
    let (status, body) = json_of(app.post_json(url, &json!({})).await).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"], reason, "{body}");
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
}

/// A verified call gets past the extractor: here the user has no stored grant, so the handler
/// answers `not_connected` (or 400 for missing arguments) — anything but a signature refusal.
async fn assert_passes(app: &TestApp, url: &str) {
    let (status, body) = json_of(app.post_json(url, &json!({"timezone": "UTC"})).await).await;
    let error = body["error"].as_str().unwrap_or("");
    assert!(
        !matches!(
            error,
            "missing_signature" | "invalid_signature" | "url_expired"
        ),
        "{body}"
    );
    assert!(
        (status == 401 && error == "not_connected")
            || (status == 400 && error == "invalid_argument"),
        "{status} {body}"
    );
}

#[tokio::test]
async fn a_valid_signature_passes_on_every_tool_route() {
    let app = spawn_app(&[]).await;
    for path in [LIST_EVENTS_PATH, FREEBUSY_PATH, BLOCK_TIME_PATH] {
        assert_passes(&app, &fresh(&app, path)).await;
    }
}

#[tokio::test]
async fn a_call_without_parameters_is_refused() {
    let app = spawn_app(&[]).await;
    let url = app.config.public_url(LIST_EVENTS_PATH);
    assert_refused(&app, &url, "missing_signature").await;
}

#[tokio::test]
async fn each_missing_parameter_is_refused() {
    let app = spawn_app(&[]).await;
    let url = fresh(&app, LIST_EVENTS_PATH);
    for drop in ["uid=", "exp=", "sig="] {
        let (base, query) = url.split_once('?').expect("query");
        let kept: Vec<&str> = query.split('&').filter(|p| !p.starts_with(drop)).collect();
        assert_refused(
            &app,
            &format!("{base}?{}", kept.join("&")),
            "missing_signature",
        )
        .await;
    }
}

#[tokio::test]
async fn a_tampered_uid_is_refused() {
    let app = spawn_app(&[]).await;
    let url = fresh(&app, LIST_EVENTS_PATH).replace("uid=ada%40", "uid=eve%40");
    assert!(url.contains("uid=eve%40example.com"));
    assert_refused(&app, &url, "invalid_signature").await;
}

#[tokio::test]
async fn a_url_signed_for_another_endpoint_is_refused() {
    let app = spawn_app(&[]).await;
    let for_freebusy = fresh(&app, FREEBUSY_PATH);
    let replayed = for_freebusy.replace(FREEBUSY_PATH, BLOCK_TIME_PATH);
    assert_refused(&app, &replayed, "invalid_signature").await;
}

#[tokio::test]
async fn an_expired_url_is_refused() {
    let app = spawn_app(&[]).await;
    let url = signed(&app, LIST_EVENTS_PATH, USER, unix_now() - 1);
    assert_refused(&app, &url, "url_expired").await;
}

#[tokio::test]
async fn an_extended_expiry_is_refused() {
    let app = spawn_app(&[]).await;
    let exp = unix_now() + 60;
    let url = signed(&app, LIST_EVENTS_PATH, USER, exp)
        .replace(&format!("exp={exp}"), &format!("exp={}", exp + 86_400));
    assert_refused(&app, &url, "invalid_signature").await;
}

#[tokio::test]
async fn a_signature_that_is_not_hex_is_refused() {
    let app = spawn_app(&[]).await;
    let url = fresh(&app, LIST_EVENTS_PATH);
    let (before, _) = url.split_once("&sig=").expect("sig");
    assert_refused(
        &app,
        &format!("{before}&sig={}", "zz".repeat(32)),
        "invalid_signature",
    )
    .await;
    assert_refused(&app, &format!("{before}&sig=abc"), "invalid_signature").await;
}

#[tokio::test]
async fn an_uppercase_signature_is_accepted() {
    let app = spawn_app(&[]).await;
    let url = fresh(&app, LIST_EVENTS_PATH);
    let (before, sig) = url.split_once("&sig=").expect("sig");
    assert_passes(&app, &format!("{before}&sig={}", sig.to_uppercase())).await;
}

#[tokio::test]
async fn a_url_signed_with_another_secret_is_refused() {
    let app = spawn_app(&[]).await;
    let other = SigningKeys::new(Secret::new("someone-elses-secret"));
    let url = presign_url(
        &other,
        &app.config.public_url(LIST_EVENTS_PATH),
        USER,
        unix_now() + 60,
    );
    assert_refused(&app, &url, "invalid_signature").await;
}

#[tokio::test]
async fn urls_signed_with_the_previous_secret_are_accepted_after_rotation() {
    const OLD: &str = "old-presign-secret-4f8Qz1Lw7Xc3Vb9N";
    const NEW: &str = "new-presign-secret-9Tg2Hk6Pj0Ys5Rd8";
    let before_rotation = spawn_app(&[("PRESIGN_SECRET", OLD)]).await;
    let url = fresh(&before_rotation, LIST_EVENTS_PATH);

    let rotated = spawn_app(&[("PRESIGN_SECRET", NEW), ("PRESIGN_SECRET_PREVIOUS", OLD)]).await;
    assert_passes(&rotated, &url).await;

    let forgotten = spawn_app(&[("PRESIGN_SECRET", NEW)]).await;
    assert_refused(&forgotten, &url, "invalid_signature").await;
}

#[tokio::test]
async fn a_trailing_slash_in_public_base_url_signs_and_verifies_the_same() {
    let app = spawn_app(&[("PUBLIC_BASE_URL", "https://demo.ngrok.app/")]).await;
    let url = fresh(&app, LIST_EVENTS_PATH);
    assert!(url.starts_with("https://demo.ngrok.app/api/calendar/list-events?"));
    assert_passes(&app, &url).await;
    // And a URL signed by a server configured without the slash is the same URL.
    let without = spawn_app(&[]).await;
    assert_passes(&without, &url).await;
}

#[tokio::test]
async fn a_percent_encoded_uid_verifies_against_the_raw_uid() {
    let app = spawn_app(&[]).await;
    let url = signed(&app, BLOCK_TIME_PATH, "a+b@example.com", unix_now() + 60);
    assert!(url.contains("uid=a%2Bb%40example.com"), "{url}");
    assert_passes(&app, &url).await;
    // A '+' left raw decodes to a space, a different user: refused.
    let raw_plus = url.replace("a%2Bb", "a+b");
    assert_refused(&app, &raw_plus, "invalid_signature").await;
}

#[tokio::test]
async fn a_repeated_parameter_is_refused() {
    let app = spawn_app(&[]).await;
    let url = format!("{}&uid=eve%40example.com", fresh(&app, LIST_EVENTS_PATH));
    assert_refused(&app, &url, "invalid_signature").await;
}

#[tokio::test]
async fn a_body_over_64_kib_is_refused_with_413_json() {
    let app = spawn_app(&[]).await;
    let big = json!({ "notes": "x".repeat(70_000) });
    let (status, body) = json_of(app.post_json(&fresh(&app, BLOCK_TIME_PATH), &big).await).await;
    assert_error(status, &body, 413, "payload_too_large");
}

#[tokio::test]
async fn the_signature_is_checked_before_the_body() {
    let app = spawn_app(&[]).await;
    let big = json!({ "notes": "x".repeat(70_000) });
    let url = app.config.public_url(BLOCK_TIME_PATH);
    let (status, _) = json_of(app.post_json(&url, &big).await).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn a_body_that_is_not_json_is_refused() {
    let app = spawn_app(&[]).await;
    let url = app.local(&fresh(&app, LIST_EVENTS_PATH));
    let response = app
        .client
        .post(&url)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("request");
    let (status, body) = json_of(response).await;
    assert_error(status, &body, 400, "invalid_json");

    let response = app
        .client
        .post(&url)
        .header("content-type", "text/plain")
        .body("list my events")
        .send()
        .await
        .expect("request");
    let (status, body) = json_of(response).await;
    assert_error(status, &body, 415, "unsupported_media_type");

    let response = app
        .client
        .post(&url)
        .header("content-type", "application/json")
        .body("[1,2]")
        .send()
        .await
        .expect("request");
    assert_eq!(json_of(response).await.0, 400);
}

#[tokio::test]
async fn an_empty_body_reads_as_no_arguments() {
    let app = spawn_app(&[]).await;
    let url = app.local(&fresh(&app, LIST_EVENTS_PATH));
    let response = app.client.post(&url).send().await.expect("request");
    let (status, body) = json_of(response).await;
    assert_error(status, &body, 401, "not_connected");
}

#[tokio::test]
async fn a_url_signed_for_another_host_or_route_is_refused_through_the_router() {
    let app = spawn_app(&[]).await;
    let exp = unix_now() + 600;
    // Our own secret, but the URL names another deployment's origin (say, a staging tunnel
    // sharing the secret): the signature covers the origin, so it does not open this one.
    let foreign = presign_url(
        &app.config.signing.presign,
        &format!("https://staging.example{LIST_EVENTS_PATH}"),
        USER,
        exp,
    );
    let (_, query) = foreign.split_once('?').expect("query");
    let here = format!("{}{LIST_EVENTS_PATH}?{query}", app.address);
    for host in [None, Some("staging.example")] {
        let mut request = app.client.post(&here).json(&json!({}));
        if let Some(host) = host {
            // The Host header is not authenticated; pretending to be that origin changes nothing.
            request = request
                .header("host", host)
                .header("x-forwarded-host", host);
        }
        let (status, body) = json_of(request.send().await.expect("request")).await;
        assert_error(status, &body, 401, "invalid_signature");
    }
    // Signed for one route, used on each of the others.
    let for_list = fresh(&app, LIST_EVENTS_PATH);
    for other in [FREEBUSY_PATH, BLOCK_TIME_PATH] {
        let moved = for_list.replace(LIST_EVENTS_PATH, other);
        assert_refused(&app, &moved, "invalid_signature").await;
    }
    assert!(app.google_untouched().await);
}
