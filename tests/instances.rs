//! Two server processes on one PostgreSQL, as behind a load balancer: what one instance stores,
//! the other serves; limits counted in the store hold for both together; a `kill -9` of one
//! loses nothing it acknowledged.

mod common;

use calendar_agent::clock::unix_now;
use common::fake_google::{self, requests_to};
use common::process::{
    Server, browser_sign_in, client, sign_ins_cut_by_kill_9, signed_tool_url, start_server,
};

use common::{fake_calendar, json_of};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const ADA: &str = "ada@example.com";

/// Fake Google (strict) and two instances, A and B, on one fresh PostgreSQL database.
async fn two_instances(extra: &[(&str, &str)]) -> Option<(MockServer, Server, Server)> {
    let db = common::postgres::fresh_database().await?;
    let google = MockServer::start().await;
    let tokens = fake_google::Tokens::default();
    fake_google::guard(&google, &tokens).await;
    fake_calendar::mount_defaults(&google).await;
    fake_google::mount(&google, &tokens, 3600).await;
    let a = start_server(&google, &db, extra).await;
    let b = start_server(&google, &db, extra).await;
    Some((google, a, b))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_in_through_a_the_user_is_served_by_b() {
    let Some((google, a, b)) = two_instances(&[]).await else {
        return;
    };
    fake_calendar::mount_list(&google, json!([])).await;
    let http = client();
    let cookie = browser_sign_in(&http, &a.address, ADA, "203.0.113.1")
        .await
        .expect("sign-in through A");

    // B knows the user: the cookie's epoch and the grant are in the shared store.
    let (_, me) = json_of(
        http.get(format!("{}/api/me", b.address))
            .header("cookie", &cookie)
            .send()
            .await
            .expect("me"),
    )
    .await;
    assert_eq!(me["signedIn"], true, "{me}");
    assert_eq!(me["connected"], true, "{me}");

    // A tool URL from a session minted anywhere works on B, with B's own token refresh.
    let url = signed_tool_url(&b, "/api/calendar/list-events", ADA, unix_now() + 600);
    let (status, body) = json_of(
        http.post(url)
            .json(&json!({"timezone": "UTC"}))
            .send()
            .await
            .expect("tool"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let refreshes = requests_to(&google, "/token")
        .await
        .iter()
        .filter(|r| fake_google::form(r)["grant_type"] == "refresh_token")
        .count();
    assert_eq!(refreshes, 1, "B refreshed once with the token A stored");

    // Signing out on B ends the cookie on A too.
    let out = http
        .post(format!("{}/api/auth/signout", b.address))
        .header("cookie", &cookie)
        .header("origin", "https://demo.ngrok.app")
        .send()
        .await
        .expect("signout");
    assert_eq!(out.status().as_u16(), 303);
    let (_, me) = json_of(
        http.get(format!("{}/api/me", a.address))
            .header("cookie", &cookie)
            .send()
            .await
            .expect("me"),
    )
    .await;
    assert_eq!(me, json!({"signedIn": false}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_mint_limit_holds_across_both_instances() {
    let Some((google, a, b)) = two_instances(&[("SESSION_TOKEN_RATE_PER_MINUTE", "2")]).await
    else {
        return;
    };
    fake_calendar::mount_timezone(&google, "UTC").await;
    Mock::given(method("POST"))
        .and(path("/v1/auth/session-token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"sessionToken": "s"})))
        .mount(&google)
        .await;
    let http = client();
    let cookie = browser_sign_in(&http, &a.address, ADA, "203.0.113.1")
        .await
        .expect("sign-in");
    let mint = |server: &Server| {
        http.post(format!("{}/api/session-token", server.address))
            .header("cookie", &cookie)
            .header("x-forwarded-for", "203.0.113.1")
            .send()
    };
    let mut statuses = Vec::new();
    for server in [&a, &b, &a, &b] {
        statuses.push(mint(server).await.expect("mint").status().as_u16());
    }
    assert_eq!(
        statuses,
        [200, 200, 429, 429],
        "2 per minute in all, not 2 each"
    );
    assert_eq!(
        requests_to(&google, "/v1/auth/session-token").await.len(),
        2,
        "two Anam sessions paid for"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kill_9_of_one_instance_loses_no_acknowledged_sign_in() {
    let Some((_google, mut a, b)) = two_instances(&[]).await else {
        return;
    };
    let acknowledged = sign_ins_cut_by_kill_9(&mut a, 50).await;
    let http = client();
    for (email, cookie) in &acknowledged {
        let (_, me) = json_of(
            http.get(format!("{}/api/me", b.address))
                .header("cookie", cookie)
                .send()
                .await
                .expect("me through B"),
        )
        .await;
        assert_eq!(me["signedIn"], true, "{email}: {me}");
        assert_eq!(me["connected"], true, "{email}: {me}");
        assert_eq!(me["email"], email.as_str());
    }
}

/// POSTs `args` to `route` on `server` as a session of `user` minted at `minted` (default URL
/// lives: an hour for most tools, 15 minutes for create_meeting).
async fn tool(
    server: &Server,
    route: &str,
    user: &str,
    minted: u64,
    args: serde_json::Value,
) -> reqwest::Response {
    let life = if route == "/api/calendar/meetings" {
        900
    } else {
        3600
    };
    client()
        .post(signed_tool_url(server, route, user, minted + life))
        .json(&args)
        .send()
        .await
        .expect("tool call")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_invite_limit_counts_addresses_across_both_instances() {
    let Some((google, a, b)) = two_instances(&[]).await else {
        return;
    };
    let _events = fake_calendar::mount_events(&google).await;
    let people: Vec<String> = (0..30).map(|i| format!("guest{i}@example.com")).collect();
    let mut busy = serde_json::Map::new();
    busy.insert("primary".into(), json!([]));
    for p in &people {
        busy.insert(p.clone(), json!([]));
    }
    fake_calendar::mount_busy_by_calendar(&google, serde_json::Value::Object(busy)).await;
    browser_sign_in(&client(), &a.address, ADA, "203.0.113.1")
        .await
        .expect("sign-in");
    let minted = unix_now();
    let mut hour = 9;
    // Drafted on one instance, sent from another: the draft and the count are in the store.
    let mut send = async |draft_on: &Server, send_on: &Server, count: usize, from: usize| {
        hour += 1;
        let draft = json!({"title": "Review", "start": format!("2030-03-05T{hour:02}:00:00"),
            "end": format!("2030-03-05T{hour:02}:30:00"), "timezone": "UTC",
            "attendees": people[from..from + count].to_vec(), "video_call": false});
        let (status, body) =
            json_of(tool(draft_on, "/api/calendar/meeting-drafts", ADA, minted, draft).await).await;
        assert_eq!(status, 200, "{body}");
        let id = body["draft_id"].clone();
        tool(
            send_on,
            "/api/calendar/meetings",
            ADA,
            minted,
            json!({"draft_id": id}),
        )
        .await
    };
    assert_eq!(
        send(&a, &a, 12, 0).await.status().as_u16(),
        200,
        "12 invited"
    );
    let refused = send(&a, &b, 9, 12).await;
    assert!(refused.headers().get("retry-after").is_some());
    let (status, body) = json_of(refused).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (429, Some("invite_limit")),
        "12 + 9 > 20: {body}"
    );
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("nothing was sent")),
        "{body}"
    );
    assert_eq!(
        send(&b, &b, 8, 12).await.status().as_u16(),
        200,
        "exactly 20"
    );
    let (status, body) = json_of(send(&b, &a, 1, 20).await).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (429, Some("invite_limit")),
        "the 21st address: {body}"
    );
    let inserts = google
        .received_requests()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|r| {
            r.method.as_str() == "POST" && r.url.path().ends_with("/calendars/primary/events")
        })
        .count();
    assert_eq!(inserts, 2, "refused meetings reach Google never");
}
