//! Google sign-in end to end against a fake Google: consent redirect, callback, the stored
//! grant, cookies, sign-out.

use crate::common;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::ADA;
use common::fake_google::{self, form, requests_to};
use common::{cookie_pair, json_of, location, query_param, set_cookie, spawn_app};
use sha2::{Digest, Sha256};
use wiremock::ResponseTemplate;

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
    // One scope per Calendar method the service calls, the narrowest Google accepts for it
    // (events.*, freebusy.query, settings.get, calendarList.list), and never the whole calendar.
    assert_eq!(
        param("scope"),
        "openid email https://www.googleapis.com/auth/calendar.events \
         https://www.googleapis.com/auth/calendar.events.freebusy \
         https://www.googleapis.com/auth/calendar.settings.readonly \
         https://www.googleapis.com/auth/calendar.calendarlist.readonly"
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
    app.mount_google(3600).await;

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
        serde_json::json!({"signedIn": true, "userId": ADA, "email": ADA, "connected": true,
                           "contacts": false})
    );
}

#[tokio::test]
async fn the_access_token_from_sign_in_is_reused_without_a_refresh() {
    let app = spawn_app(&[]).await;
    app.mount_google(3600).await;
    app.sign_in(ADA).await;
    let token = app.state.google.tokens.get(ADA).await.expect("token");
    assert_eq!(token.token.expose(), fake_google::access_token_for(ADA));
    let refreshes = requests_to(&app.google, "/token").await.len();
    assert_eq!(refreshes, 1, "only the code exchange");
}

/// A callback answer that is the page with a readable error, not JSON.
async fn refused_on_the_page(response: reqwest::Response) -> String {
    assert_eq!(response.status().as_u16(), 400);
    let kind = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert!(kind.starts_with("text/html"), "{kind}");
    let html = response.text().await.expect("body");
    assert!(html.contains(r#"role="alert""#), "{html}");
    assert!(html.contains("sign in again"), "{html}");
    assert!(
        html.contains(r#"href="/api/auth/google""#),
        "a way to start over"
    );
    html
}

#[tokio::test]
async fn a_forged_state_is_refused_before_any_call_to_google() {
    let app = spawn_app(&[]).await;
    app.mount_google(3600).await;
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
        refused_on_the_page(response).await;
    }
    assert!(requests_to(&app.google, "/token").await.is_empty());
    assert!(app.state.store.grant(ADA).await.expect("read").is_none());
}

#[tokio::test]
async fn a_callback_without_the_state_cookie_is_refused_before_any_call_to_google() {
    let app = spawn_app(&[]).await;
    app.mount_google(3600).await;
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
    let html = refused_on_the_page(response).await;
    assert!(html.contains("10 minutes"), "{html}");
    assert!(requests_to(&app.google, "/token").await.is_empty());
}

#[tokio::test]
async fn a_state_cookie_replayed_after_its_sign_in_is_refused_before_any_call_to_google() {
    let app = spawn_app(&[]).await;
    app.mount_google(3600).await;
    let start = app.start_sign_in().await;
    let cookie = cookie_pair(&start, "oauth_state").expect("cookie");
    let state = query_param(&location(&start), "state").expect("state");
    let callback = |code: String| {
        app.client
            .get(app.url(&format!(
                "/api/auth/google/callback?code={code}&state={state}"
            )))
            .header("cookie", &cookie)
            .send()
    };
    let first = callback(fake_google::code_for(ADA)).await.expect("first");
    assert_eq!(first.status().as_u16(), 303);
    assert_eq!(requests_to(&app.google, "/token").await.len(), 1);

    // Someone who copied the cookie and the state (a proxy log, a shared machine) within its
    // 10 minutes, with another code: the server has used this state up.
    let replay = callback(fake_google::code_for("eve@example.com"))
        .await
        .expect("replay");
    let html = refused_on_the_page(replay).await;
    assert!(html.contains("already completed"), "{html}");
    assert_eq!(
        requests_to(&app.google, "/token").await.len(),
        1,
        "no second exchange"
    );
    assert!(
        app.state
            .store
            .grant("eve@example.com")
            .await
            .expect("read")
            .is_none()
    );
}

#[tokio::test]
async fn an_expired_state_is_refused_even_with_its_cookie() {
    let app = spawn_app(&[]).await;
    app.mount_google(3600).await;
    let start = app.start_sign_in().await;
    let cookie = cookie_pair(&start, "oauth_state").expect("cookie");
    let state = query_param(&location(&start), "state").expect("state");
    // The row's time runs out (as 10 minutes passing would do).
    sqlx::query("UPDATE oauth_states SET expires_at = 0")
        .execute(app.state.store.pool())
        .await
        .expect("age the state");
    let response = app
        .client
        .get(app.url(&format!(
            "/api/auth/google/callback?code={}&state={state}",
            fake_google::code_for(ADA)
        )))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("callback");
    refused_on_the_page(response).await;
    assert!(requests_to(&app.google, "/token").await.is_empty());
}

#[tokio::test]
async fn starting_sign_in_is_limited_per_client_ip() {
    let app = spawn_app(&[]).await;
    let start = |ip: &'static str| {
        let request = app
            .client
            .get(app.url("/api/auth/google"))
            .header("x-forwarded-for", ip);
        tokio::spawn(async move { request.send().await.expect("start").status().as_u16() })
    };
    // All at once: the allowance refills one start a second, so a slow machine must not
    // blur the limit.
    let limit = calendar_agent::state::AUTH_STARTS_PER_MINUTE as usize;
    let tasks: Vec<_> = (0..limit + 10).map(|_| start("203.0.113.5")).collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.expect("task"));
    }
    let allowed = statuses.iter().filter(|s| **s == 303).count();
    let limited = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(allowed + limited, limit + 10, "{statuses:?}");
    assert!((limit..limit + 3).contains(&allowed), "{allowed} allowed");
    assert!(limited >= 7, "{limited} limited");
    assert_eq!(
        start("203.0.113.6").await.expect("task"),
        303,
        "another client"
    );
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
    app.tokens
        .issue(&fake_google::access_token_for(ADA), fake_google::GRANTED);
    fake_google::answer_token_with(
        &app.google,
        ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": fake_google::access_token_for(ADA),
            "expires_in": 3600,
            "scope": fake_google::GRANTED,
        })),
    )
    .await;
    app.mount_google(3600).await;
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
    app.tokens
        .issue(&fake_google::access_token_for(ADA), fake_google::GRANTED);
    fake_google::answer_token_with(
        &app.google,
        ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": fake_google::access_token_for(ADA),
            "expires_in": 3600,
        })),
    )
    .await;
    app.mount_google(3600).await;
    app.sign_in(ADA).await;
    assert_eq!(
        app.state.store.refresh_token(ADA).await.expect("read"),
        Some(stored)
    );
}

#[tokio::test]
async fn unticking_a_permission_at_consent_is_explained_and_nothing_is_stored() {
    let app = spawn_app(&[]).await;
    app.mount_google(3600).await;
    // Google's consent screen lets users untick each calendar permission separately.
    app.tokens.grant(
        ADA,
        "openid https://www.googleapis.com/auth/userinfo.email \
         https://www.googleapis.com/auth/calendar.events \
         https://www.googleapis.com/auth/calendar.calendarlist.readonly",
    );
    let callback = app.callback_with(&fake_google::code_for(ADA)).await;
    let back = location(&callback);
    assert_eq!(
        back,
        "/?auth_error=scope_missing&missing=availability,settings"
    );
    assert!(cookie_pair(&callback, "userId").is_none());
    assert!(app.state.store.grant(ADA).await.expect("read").is_none());

    // The page names what is missing, in words.
    let html = app
        .client
        .get(app.url(&back))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(
        html.contains(
            "see when you are free or busy and read your calendar settings (your time zone)"
        ),
        "{html}"
    );
}

#[tokio::test]
async fn a_signed_in_user_whose_grant_predates_the_new_scopes_is_asked_to_reconnect() {
    let app = spawn_app(&[]).await;
    app.mount_google(3600).await;
    let cookie = app.sign_in(ADA).await;
    // A grant stored before this service asked for each method's scope.
    let old = calendar_agent::secret::Secret::new(fake_google::refresh_token_for(ADA));
    app.state
        .store
        .save_grant(ADA, ADA, &old, fake_google::EVENTS_ONLY)
        .await
        .expect("old grant");

    let (_, me) = json_of(app.get_with_cookie("/api/me", &cookie).await).await;
    assert_eq!(me["connected"], false, "{me}");
    assert_eq!(
        me["missingPermissions"],
        serde_json::json!(["availability", "settings", "calendars"])
    );
    let html = app
        .get_with_cookie("/", &cookie)
        .await
        .text()
        .await
        .expect("page");
    assert!(html.contains(r#"id="reconnect""#), "{html}");
    assert!(html.contains("see when you are free or busy"), "{html}");
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
    app.mount_google(3600).await;
    let ada = app.sign_in(ADA).await;

    let plain = format!("userId={ADA}");
    // The value is the signature followed by the percent-encoded content, the email last.
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
    const OLD: &str = "old-presign-secret-4f8Qz1Lw7Xc3Vb9N";
    const NEW: &str = "new-presign-secret-9Tg2Hk6Pj0Ys5Rd8";
    let db = tempfile::tempdir().expect("tempdir");
    // One database for all three servers, as a restart after a rotation would have.
    let url = format!("sqlite://{}", db.path().join("shared.db").display());
    let before = spawn_app(&[("PRESIGN_SECRET", OLD), ("DATABASE_URL", &url)]).await;
    before.mount_google(3600).await;
    let cookie = before.sign_in(ADA).await;

    let rotated = spawn_app(&[
        ("PRESIGN_SECRET", NEW),
        ("PRESIGN_SECRET_PREVIOUS", OLD),
        ("DATABASE_URL", &url),
    ])
    .await;
    let (_, me) = json_of(rotated.get_with_cookie("/api/me", &cookie).await).await;
    assert_eq!(me["signedIn"], true);

    let forgotten = spawn_app(&[("PRESIGN_SECRET", NEW), ("DATABASE_URL", &url)]).await;
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
    use calendar_agent::http::current_user::CurrentUser;

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

/// A `userId` cookie as the server would sign it, with any issue time and epoch.
fn forged_with_our_key(app: &common::TestApp, issued_at: u64, epoch: i64) -> String {
    use calendar_agent::cookies::{SignedUser, user_cookie};
    let user = SignedUser {
        user_id: ADA.into(),
        issued_at,
        epoch,
    };
    let jar = app
        .state
        .cookie_keys
        .signed_jar()
        .add(user_cookie(&user, true));
    let response = axum::response::IntoResponse::into_response((jar, ()));
    let set = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .expect("set-cookie");
    set.split(';').next().expect("pair").to_owned()
}

#[tokio::test]
async fn a_cookie_older_than_thirty_days_is_refused_by_the_server() {
    use calendar_agent::clock::unix_now;
    let app = spawn_app(&[]).await;
    app.mount_google(3600).await;
    app.sign_in(ADA).await;
    let epoch = app
        .state
        .store
        .grant(ADA)
        .await
        .expect("read")
        .expect("grant")
        .epoch;
    // Browsers drop it after Max-Age; a copy kept elsewhere must die on the server too.
    let day = 86_400;
    let young = forged_with_our_key(&app, unix_now() - 29 * day, epoch);
    let (_, me) = json_of(app.get_with_cookie("/api/me", &young).await).await;
    assert_eq!(me["signedIn"], true, "29 days: still valid");
    let old = forged_with_our_key(&app, unix_now() - 31 * day, epoch);
    let (_, me) = json_of(app.get_with_cookie("/api/me", &old).await).await;
    assert_eq!(me["signedIn"], false, "31 days: refused");
    let (status, _) = json_of(
        app.client
            .post(app.url("/api/session-token"))
            .header("cookie", &old)
            .send()
            .await
            .expect("mint"),
    )
    .await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn a_copied_cookie_dies_when_its_session_signs_out() {
    let app = spawn_app(&[]).await;
    app.mount_google(3600).await;
    let cookie = app.sign_in(ADA).await;
    let copy = cookie.clone();
    let signout = app
        .client
        .post(app.url("/api/auth/signout"))
        .header("cookie", &cookie)
        .header("origin", "https://demo.ngrok.app")
        .send()
        .await
        .expect("signout");
    assert_eq!(signout.status().as_u16(), 303);
    let (_, me) = json_of(app.get_with_cookie("/api/me", &copy).await).await;
    assert_eq!(me, serde_json::json!({"signedIn": false}));
    // The grant itself stays: signing in again needs no new consent.
    assert!(
        app.state
            .store
            .grant(ADA)
            .await
            .expect("read")
            .is_some_and(|g| g.connected)
    );
    let again = app.sign_in(ADA).await;
    let (_, me) = json_of(app.get_with_cookie("/api/me", &again).await).await;
    assert_eq!(me["signedIn"], true);
}

#[tokio::test]
async fn signing_in_on_a_second_browser_keeps_the_first_signed_in() {
    let app = spawn_app(&[]).await;
    app.mount_google(3600).await;
    let laptop = app.sign_in(ADA).await;
    let phone = app.sign_in(ADA).await;
    for cookie in [&laptop, &phone] {
        let (_, me) = json_of(app.get_with_cookie("/api/me", cookie).await).await;
        assert_eq!(me["signedIn"], true);
    }
}
