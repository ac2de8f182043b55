//! Google sign-in end to end against a fake Google: consent redirect, callback, the stored
//! grant, cookies, sign-out.

mod common;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::fake_google::{self, form, requests_to};
use common::{cookie_pair, json_of, location, query_param, set_cookie, spawn_app};
use sha2::{Digest, Sha256};
use wiremock::ResponseTemplate;

const ADA: &str = "ada@example.com";

#[tokio::test]
async fn the_consent_redirect_carries_every_parameter_and_a_private_state_cookie() {
    let app = spawn_app(&[]).await;
    let response = app.start_sign_in().await;
    assert_eq!(response.status().as_u16(), 303);
    let url = location(&response);
    assert!(
        url.starts_with("https://accounts.example.test/o/oauth2/v2/auth?"),
        "{url}"
    );
    let param = |name| query_param(&url, name).unwrap_or_else(|| panic!("{name} missing"));
    assert_eq!(
        param("client_id"),
        "test-client-id.apps.googleusercontent.com"
    );
    assert_eq!(
        param("redirect_uri"),
        "https://demo.ngrok.app/api/auth/google/callback"
    );
    assert_eq!(param("response_type"), "code");
    assert_eq!(
        param("scope"),
        "openid email https://www.googleapis.com/auth/calendar.events"
    );
    assert_eq!(param("access_type"), "offline");
    assert_eq!(param("prompt"), "consent");
    assert_eq!(param("code_challenge_method"), "S256");
    assert_eq!(param("code_challenge").len(), 43);
    let state = param("state");
    assert!(
        state.len() >= 32,
        "state carries at least 128 bits: {state}"
    );

    let cookie = set_cookie(&response, "oauth_state").expect("state cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(cookie.contains("Max-Age=600"), "{cookie}");
    assert!(cookie.contains("Path=/api/auth/google"), "{cookie}");
    assert!(
        cookie.contains("Secure"),
        "https PUBLIC_BASE_URL → Secure: {cookie}"
    );
    // Encrypted: neither the state nor anything readable is in the cookie value.
    assert!(!cookie.contains(&state), "{cookie}");

    // A second start gets a different state.
    let again = app.start_sign_in().await;
    assert_ne!(query_param(&location(&again), "state"), Some(state));
}

#[tokio::test]
async fn sign_in_stores_the_grant_and_sets_a_signed_cookie() {
    let app = spawn_app(&[]).await;
    fake_google::mount(&app.google, 3600).await;

    let start = app.start_sign_in().await;
    let consent = location(&start);
    let challenge = query_param(&consent, "code_challenge").expect("challenge");
    let state = query_param(&consent, "state").expect("state");
    let callback = app
        .client
        .get(app.url(&format!(
            "/api/auth/google/callback?code={}&state={state}",
            fake_google::code_for(ADA)
        )))
        .header(
            "cookie",
            cookie_pair(&start, "oauth_state").expect("cookie"),
        )
        .send()
        .await
        .expect("callback");
    assert_eq!(callback.status().as_u16(), 303);
    assert_eq!(location(&callback), "/");

    let user_cookie = set_cookie(&callback, "userId").expect("userId cookie");
    for attribute in [
        "HttpOnly",
        "SameSite=Lax",
        "Path=/",
        "Max-Age=2592000",
        "Secure",
    ] {
        assert!(
            user_cookie.contains(attribute),
            "{attribute} in {user_cookie}"
        );
    }
    let cleared = set_cookie(&callback, "oauth_state").expect("state cookie cleared");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");

    // Google received the PKCE verifier matching the challenge, and our redirect URI.
    let exchanges = requests_to(&app.google, "/token").await;
    assert_eq!(exchanges.len(), 1);
    let sent = form(&exchanges[0]);
    let verifier = sent.get("code_verifier").expect("verifier");
    assert_eq!(
        URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())),
        challenge
    );
    assert_eq!(
        sent["redirect_uri"],
        "https://demo.ngrok.app/api/auth/google/callback"
    );
    assert_eq!(sent["grant_type"], "authorization_code");

    let stored = app.state.store.refresh_token(ADA).await.expect("read");
    assert_eq!(
        stored.as_ref().map(|s| s.expose().to_owned()),
        Some(fake_google::refresh_token_for(ADA))
    );
    let pair = cookie_pair(&callback, "userId").expect("pair");
    let (status, me) = json_of(app.get_with_cookie("/api/me", &pair).await).await;
    assert_eq!(status, 200);
    assert_eq!(
        me,
        serde_json::json!({"signedIn": true, "userId": ADA, "email": ADA, "connected": true})
    );
}

#[tokio::test]
async fn the_access_token_from_sign_in_is_reused_without_a_refresh() {
    let app = spawn_app(&[]).await;
    fake_google::mount(&app.google, 3600).await;
    app.sign_in(ADA).await;
    let token = app.state.tokens.get(ADA).await.expect("token");
    assert_eq!(token.expose(), fake_google::access_token_for(ADA));
    let refreshes = requests_to(&app.google, "/token").await.len();
    assert_eq!(refreshes, 1, "only the code exchange");
}

#[tokio::test]
async fn a_forged_state_is_refused_before_any_call_to_google() {
    let app = spawn_app(&[]).await;
    fake_google::mount(&app.google, 3600).await;
    let start = app.start_sign_in().await;
    let cookie = cookie_pair(&start, "oauth_state").expect("cookie");

    for query in [
        format!("code={}&state=forged", fake_google::code_for(ADA)),
        "state=whatever".to_owned(),
        format!("code={}", fake_google::code_for(ADA)),
    ] {
        let response = app
            .client
            .get(app.url(&format!("/api/auth/google/callback?{query}")))
            .header("cookie", &cookie)
            .send()
            .await
            .expect("callback");
        let (status, body) = json_of(response).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert_eq!(body["error"], "invalid_oauth_state");
    }
    assert!(requests_to(&app.google, "/token").await.is_empty());
    assert!(app.state.store.grant(ADA).await.expect("read").is_none());
}

#[tokio::test]
async fn a_callback_without_the_state_cookie_is_refused_before_any_call_to_google() {
    let app = spawn_app(&[]).await;
    fake_google::mount(&app.google, 3600).await;
    let start = app.start_sign_in().await;
    let state = query_param(&location(&start), "state").expect("state");
    let response = app
        .client
        .get(app.url(&format!(
            "/api/auth/google/callback?code={}&state={state}",
            fake_google::code_for(ADA)
        )))
        .send()
        .await
        .expect("callback");
    assert_eq!(json_of(response).await.0, 400);
    assert!(requests_to(&app.google, "/token").await.is_empty());
}

#[tokio::test]
async fn declining_consent_returns_to_the_page_with_a_reason() {
    let app = spawn_app(&[]).await;
    let response = app
        .client
        .get(app.url("/api/auth/google/callback?error=access_denied&state=x"))
        .send()
        .await
        .expect("callback");
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(location(&response), "/?auth_error=access_denied");
    assert!(app.google_untouched().await);
}

#[tokio::test]
async fn no_refresh_token_and_none_stored_explains_instead_of_signing_in() {
    let app = spawn_app(&[]).await;
    fake_google::answer_token_with(
        &app.google,
        ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": fake_google::access_token_for(ADA),
            "expires_in": 3600,
            "scope": fake_google::GRANTED,
        })),
    )
    .await;
    fake_google::mount(&app.google, 3600).await;
    let callback = app.callback_with("c").await;
    assert_eq!(location(&callback), "/?auth_error=no_refresh_token");
    assert!(cookie_pair(&callback, "userId").is_none());
}

#[tokio::test]
async fn no_refresh_token_keeps_the_one_already_stored() {
    let app = spawn_app(&[]).await;
    let stored = calendar_agent::secret::Secret::new(fake_google::refresh_token_for(ADA));
    app.state
        .store
        .save_grant(ADA, ADA, &stored, fake_google::GRANTED)
        .await
        .expect("seed");
    fake_google::answer_token_with(
        &app.google,
        ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": fake_google::access_token_for(ADA),
            "expires_in": 3600,
        })),
    )
    .await;
    fake_google::mount(&app.google, 3600).await;
    app.sign_in(ADA).await;
    assert_eq!(
        app.state.store.refresh_token(ADA).await.expect("read"),
        Some(stored)
    );
}

#[tokio::test]
async fn unticking_calendar_access_at_consent_is_explained() {
    let app = spawn_app(&[]).await;
    fake_google::answer_token_with(
        &app.google,
        ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": fake_google::access_token_for(ADA),
            "refresh_token": fake_google::refresh_token_for(ADA),
            "expires_in": 3600,
            "scope": "openid https://www.googleapis.com/auth/userinfo.email",
        })),
    )
    .await;
    fake_google::mount(&app.google, 3600).await;
    let callback = app.callback_with("c").await;
    assert_eq!(location(&callback), "/?auth_error=calendar_scope_missing");
    assert!(app.state.store.grant(ADA).await.expect("read").is_none());
}

#[tokio::test]
async fn sign_in_needs_the_google_client_configured() {
    let app = spawn_app(&[("GOOGLE_CLIENT_ID", "")]).await;
    let response = app.start_sign_in().await;
    let (status, body) = json_of(response).await;
    assert_eq!(status, 503);
    assert_eq!(body["variable"], "GOOGLE_CLIENT_ID");
}

#[tokio::test]
async fn forged_user_cookies_are_not_signed_in() {
    let app = spawn_app(&[]).await;
    fake_google::mount(&app.google, 3600).await;
    let ada = app.sign_in(ADA).await;

    let plain = format!("userId={ADA}");
    // The value is the signature followed by the percent-encoded email.
    let copied_signature = ada.replace("ada%40example.com", "eve%40example.com");
    assert!(copied_signature.contains("eve%40example.com"), "{ada}");
    for cookie in [plain, copied_signature] {
        let (_, me) = json_of(app.get_with_cookie("/api/me", &cookie).await).await;
        assert_eq!(me, serde_json::json!({"signedIn": false}), "{cookie}");
    }
    let (_, me) = json_of(app.get_with_cookie("/api/me", &ada).await).await;
    assert_eq!(me["signedIn"], true);
}

#[tokio::test]
async fn cookies_signed_before_a_secret_rotation_stay_valid() {
    let before = spawn_app(&[("PRESIGN_SECRET", "old-secret")]).await;
    fake_google::mount(&before.google, 3600).await;
    let cookie = before.sign_in(ADA).await;

    let rotated = spawn_app(&[
        ("PRESIGN_SECRET", "new-secret"),
        ("PRESIGN_SECRET_PREVIOUS", "old-secret"),
    ])
    .await;
    let (_, me) = json_of(rotated.get_with_cookie("/api/me", &cookie).await).await;
    assert_eq!(me["signedIn"], true);

    let forgotten = spawn_app(&[("PRESIGN_SECRET", "new-secret")]).await;
    let (_, me) = json_of(forgotten.get_with_cookie("/api/me", &cookie).await).await;
    assert_eq!(me["signedIn"], false);
}

#[tokio::test]
async fn me_without_a_cookie_is_signed_out() {
    let app = spawn_app(&[]).await;
    let (status, me) = json_of(app.client.get(app.url("/api/me")).send().await.expect("me")).await;
    assert_eq!(status, 200);
    assert_eq!(me, serde_json::json!({"signedIn": false}));
}

#[tokio::test]
async fn routes_that_need_a_user_refuse_a_missing_or_forged_cookie_with_401() {
    use axum::extract::FromRequestParts;
    use calendar_agent::current_user::CurrentUser;

    let app = spawn_app(&[]).await;
    for cookie in [None, Some(format!("userId={ADA}"))] {
        let mut request = axum::http::Request::builder().uri("/api/session-token");
        if let Some(c) = &cookie {
            request = request.header("cookie", c);
        }
        let (mut parts, ()) = request.body(()).expect("request").into_parts();
        let rejection = CurrentUser::from_request_parts(&mut parts, &app.state)
            .await
            .expect_err("refused");
        let response = axum::response::IntoResponse::into_response(rejection);
        assert_eq!(response.status().as_u16(), 401, "{cookie:?}");
    }
}
