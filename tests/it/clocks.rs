//! Sign-out against clocks and settings that change: two instances on one PostgreSQL, one of
//! them with its clock ahead, and the URL lives lowered after a session was minted. The mint
//! time is signed into the tool URLs and read, like sign-outs, off the store's clock, so
//! neither decides whether a URL came before a sign-out.

use crate::common;

use common::{ADA, CLOCK_AHEAD_S, Db, TestApp, assert_error, json_of};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

/// An instance on `db` that calls the same stand-ins for Google and Anam as `first`.
async fn beside(db: &Db, first: &TestApp, extra: &[(&str, &str)]) -> TestApp {
    let g = first.google.uri();
    let urls = [
        ("GOOGLE_TOKEN_URL", format!("{g}/token")),
        ("GOOGLE_USERINFO_URL", format!("{g}/userinfo")),
        ("GOOGLE_REVOKE_URL", format!("{g}/revoke")),
        ("GOOGLE_CALENDAR_BASE_URL", format!("{g}/calendar/v3/")),
        ("GOOGLE_PEOPLE_BASE_URL", format!("{g}/people/v1/")),
        ("ANAM_API_BASE_URL", g.clone()),
    ];
    let mut vars: Vec<(&str, &str)> = urls.iter().map(|(k, v)| (*k, v.as_str())).collect();
    vars.extend_from_slice(extra);
    db.spawn(&vars).await
}

/// Ada signed in on `app`, whose stand-ins answer Anam's mint and an empty calendar.
async fn ada_ready(app: &TestApp) -> String {
    app.mount_google(3600).await;
    common::fake_calendar::mount_list(&app.google, json!([])).await;
    Mock::given(method("POST"))
        .and(path("/v1/auth/session-token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"sessionToken": "s"})))
        .mount(&app.google)
        .await;
    app.sign_in(ADA).await
}

/// Start pressed on `app`: the list_events URL of the persona Anam was sent.
async fn start(app: &TestApp, cookie: &str) -> String {
    let response = app
        .client
        .post(app.url("/api/session-token"))
        .header("cookie", cookie)
        .header("origin", "https://demo.ngrok.app")
        .send()
        .await
        .expect("mint");
    assert_eq!(response.status().as_u16(), 200);
    let sent = common::fake_google::requests_to(&app.google, "/v1/auth/session-token").await;
    let persona: Value = serde_json::from_slice(&sent.last().expect("a mint").body).expect("json");
    let tools = persona["personaConfig"]["tools"]
        .as_array()
        .expect("tools")
        .clone();
    let list = tools
        .iter()
        .find(|t| t["name"] == "list_events")
        .expect("list_events");
    let url = list["url"].as_str().expect("url").to_owned();
    assert!(
        url.contains("&iat="),
        "the mint time is signed into it: {url}"
    );
    url
}

async fn sign_out(app: &TestApp, cookie: &str) {
    let out = app
        .client
        .post(app.url("/api/auth/signout"))
        .header("cookie", cookie)
        .header("origin", "https://demo.ngrok.app")
        .send()
        .await
        .expect("sign out");
    assert_eq!(out.status().as_u16(), 303);
}

async fn call(app: &TestApp, url: &str) -> (u16, Value) {
    json_of(app.post_json(url, &json!({})).await).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL (scripts/test-postgres.sh); cargo test -- --include-ignored"]
async fn a_sign_out_ends_a_session_minted_on_an_instance_whose_clock_runs_20_s_ahead() {
    let Some(db) = Db::postgres().await else {
        return;
    };
    let ahead = db.spawn(&[(CLOCK_AHEAD_S, "20")]).await;
    let cookie = ada_ready(&ahead).await;
    let right = beside(&db, &ahead, &[]).await;
    let url = start(&ahead, &cookie).await;
    let (status, body) = call(&right, &url).await;
    assert_eq!(status, 200, "the other instance serves it: {body}");

    // Signed out on the instance whose clock is right, seconds after Start: by A's clock the
    // session would have begun 20 s later, after the sign-out.
    sign_out(&right, &cookie).await;
    for instance in [&right, &ahead] {
        let (status, body) = call(instance, &url).await;
        assert_error(status, &body, 401, "signed_out");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL (scripts/test-postgres.sh); cargo test -- --include-ignored"]
async fn a_sign_out_holds_after_the_url_lives_are_lowered() {
    let Some(db) = Db::postgres().await else {
        return;
    };
    let lives = |tool: &'static str| {
        [
            ("TOOL_URL_TTL_SECONDS", tool),
            ("MEETING_URL_TTL_SECONDS", "60"),
        ]
    };
    let before = db.spawn(&lives("120")).await;
    let cookie = ada_ready(&before).await;
    let url = start(&before, &cookie).await;
    // Redeployed with a shorter life, 70 s later (its clock set ahead instead of waiting): the
    // URL still fits the new life, and its mint time derived from it (exp - 60) would come
    // after the sign-out.
    let mut after_vars = lives("60").to_vec();
    after_vars.push((CLOCK_AHEAD_S, "70"));
    let after = beside(&db, &before, &after_vars).await;
    let (status, body) = call(&after, &url).await;
    assert_eq!(
        status, 200,
        "served under the new life before the sign-out: {body}"
    );
    sign_out(&before, &cookie).await;
    let (status, body) = call(&after, &url).await;
    assert_error(status, &body, 401, "signed_out");
}
