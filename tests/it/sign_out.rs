//! Sign-out: clearing the cookie, forgetting the grant at Google, refusing foreign origins.

use crate::common;

use common::ADA;
use common::fake_google::{self, form, requests_to};
use common::{TestApp, assert_error, json_of, location, set_cookie, spawn_app};

async fn signed_in() -> (TestApp, String) {
    let app = spawn_app(&[]).await;
    app.mount_google(3600).await;
    let cookie = app.sign_in(ADA).await;
    (app, cookie)
}

/// A sign-out POST as a browser sends it, with its `Origin`.
async fn sign_out(app: &TestApp, cookie: &str, path: &str, origin: &str) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .header("cookie", cookie)
        .header("origin", origin)
        .send()
        .await
        .expect("signout")
}

#[tokio::test]
async fn sign_out_clears_the_cookie_and_keeps_the_grant() {
    let (app, cookie) = signed_in().await;
    let response = sign_out(&app, &cookie, "/api/auth/signout", "http://localhost:3000").await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(location(&response), "/");
    let cleared = set_cookie(&response, "userId").expect("cleared");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    assert!(requests_to(&app.google, "/revoke").await.is_empty());
    assert!(app.state.store.grant(ADA).await.expect("read").is_some());
}

#[tokio::test]
async fn sign_out_with_forget_revokes_at_google_and_deletes_the_token() {
    let (app, cookie) = signed_in().await;
    let response = sign_out(
        &app,
        &cookie,
        "/api/auth/signout?forget=1",
        "https://demo.ngrok.app",
    )
    .await;
    assert_eq!(response.status().as_u16(), 303);
    let revokes = requests_to(&app.google, "/revoke").await;
    assert_eq!(revokes.len(), 1);
    assert_eq!(
        form(&revokes[0])["token"],
        fake_google::refresh_token_for(ADA)
    );
    assert!(app.state.store.grant(ADA).await.expect("read").is_none());
    // The old cookie (or any copy of it) no longer signs anyone in.
    let (_, me) = json_of(app.get_with_cookie("/api/me", &cookie).await).await;
    assert_eq!(me, serde_json::json!({"signedIn": false}));
    assert!(matches!(
        app.state.google.tokens.get(ADA).await,
        Err(calendar_agent::Error::Auth(
            calendar_agent::error::Auth::NotConnected
        ))
    ));
}

#[tokio::test]
async fn sign_out_from_a_foreign_origin_is_refused() {
    let (app, cookie) = signed_in().await;
    let response = sign_out(
        &app,
        &cookie,
        "/api/auth/signout?forget=1",
        "https://evil.example",
    )
    .await;
    let (status, body) = json_of(response).await;
    assert_error(status, &body, 403, "forbidden");
    assert!(requests_to(&app.google, "/revoke").await.is_empty());
    assert!(app.state.store.grant(ADA).await.expect("read").is_some());
}
