//! Two server processes on one PostgreSQL, as behind a load balancer: what one instance stores,
//! the other serves; limits counted in the store hold for both together; a `kill -9` of one
//! loses nothing it acknowledged.

use crate::common;

use calendar_agent::clock::unix_now;
use common::ADA;
use common::fake_google::{self, requests_to};
use common::process::{
    Server, browser_sign_in, client, sign_ins_cut_by_kill_9, signed_tool_url, start_server,
};

use common::routes::{APPLY, MEETINGS, PROPOSE, RESPOND};
use common::{assert_error, fake_calendar, json_of};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

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
#[ignore = "needs PostgreSQL (scripts/test-postgres.sh); cargo test -- --include-ignored"]
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
#[ignore = "needs PostgreSQL (scripts/test-postgres.sh); cargo test -- --include-ignored"]
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
#[ignore = "needs PostgreSQL (scripts/test-postgres.sh); cargo test -- --include-ignored"]
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
    let life = if route == MEETINGS || route == APPLY {
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
#[ignore = "needs PostgreSQL (scripts/test-postgres.sh); cargo test -- --include-ignored"]
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
        tool(send_on, MEETINGS, ADA, minted, json!({"draft_id": id})).await
    };
    assert_eq!(
        send(&a, &a, 12, 0).await.status().as_u16(),
        200,
        "12 invited"
    );
    let refused = send(&a, &b, 9, 12).await;
    assert!(refused.headers().get("retry-after").is_some());
    let (status, body) = json_of(refused).await;
    assert_error(status, &body, 429, "invite_limit");
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
    assert_error(status, &body, 429, "invite_limit");
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

/// Ada signed in through `a`; her Google connection shared by both instances.
async fn ada_signed_in(a: &Server) -> String {
    browser_sign_in(&client(), &a.address, ADA, "203.0.113.1")
        .await
        .expect("sign-in through A")
}

/// A one-guest draft made on `server` in the session minted at `minted`: its id.
async fn one_guest_draft(server: &Server, minted: u64, hour: u32, guest: &str) -> String {
    let draft = json!({"title": "Sync", "start": format!("2030-03-05T{hour:02}:00:00"),
        "end": format!("2030-03-05T{hour:02}:30:00"), "timezone": "UTC",
        "attendees": [guest], "video_call": false});
    let (status, body) =
        json_of(tool(server, "/api/calendar/meeting-drafts", ADA, minted, draft).await).await;
    assert_eq!(status, 200, "{body}");
    body["draft_id"].as_str().expect("draft_id").to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL (scripts/test-postgres.sh); cargo test -- --include-ignored"]
async fn racing_sends_on_both_instances_never_pass_the_guest_email_allowance() {
    let Some((google, a, b)) = two_instances(&[("GUEST_EMAILS_PER_HOUR", "3")]).await else {
        return;
    };
    let events = fake_calendar::mount_events(&google).await;
    let guests = [
        "g0@example.com",
        "g1@example.com",
        "g2@example.com",
        "g3@example.com",
    ];
    let mut busy = serde_json::Map::new();
    busy.insert("primary".into(), json!([]));
    for g in guests {
        busy.insert(g.into(), json!([]));
    }
    fake_calendar::mount_busy_by_calendar(&google, serde_json::Value::Object(busy)).await;
    ada_signed_in(&a).await;
    let minted = unix_now();
    // One e-mail spent: two are left for four drafts, each sent from A and B at the same moment.
    let first = one_guest_draft(&a, minted, 8, "g0@example.com").await;
    let (status, _) =
        json_of(tool(&b, MEETINGS, ADA, minted, json!({"draft_id": first})).await).await;
    assert_eq!(status, 200);
    let mut drafts = Vec::new();
    for (i, g) in guests.iter().enumerate() {
        drafts
            .push(one_guest_draft(if i % 2 == 0 { &a } else { &b }, minted, 9 + i as u32, g).await);
    }
    let calls = drafts.iter().flat_map(|id| {
        [&a, &b].map(|server| tool(server, MEETINGS, ADA, minted, json!({"draft_id": id})))
    });
    let answers: Vec<u16> = futures_util::future::join_all(calls)
        .await
        .into_iter()
        .map(|r| r.status().as_u16())
        .collect();
    assert_eq!(
        events.len(),
        3,
        "the first meeting and two more: {answers:?}"
    );
    assert_eq!(
        events.emails().len(),
        3,
        "never more e-mails than the allowance"
    );
    assert!(
        answers.iter().all(|s| [200, 409, 429].contains(s)),
        "{answers:?}"
    );
    assert!(
        answers.iter().filter(|s| **s == 429).count() >= 2,
        "{answers:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL (scripts/test-postgres.sh); cargo test -- --include-ignored"]
async fn a_sign_out_on_one_instance_ends_the_sessions_tool_urls_on_the_other() {
    let Some((google, a, b)) = two_instances(&[]).await else {
        return;
    };
    fake_calendar::mount_list(&google, json!([])).await;
    let cookie = ada_signed_in(&a).await;
    let minted = unix_now();
    let list = || tool(&b, "/api/calendar/list-events", ADA, minted, json!({}));
    assert_eq!(list().await.status().as_u16(), 200);
    let out = client()
        .post(format!("{}/api/auth/signout", a.address))
        .header("cookie", &cookie)
        .header("origin", "https://demo.ngrok.app")
        .send()
        .await
        .expect("sign out on A");
    assert_eq!(out.status().as_u16(), 303);
    let before = common::fake_calendar::calendar_requests(&google)
        .await
        .len();
    let (status, body) = json_of(list().await).await;
    assert_error(status, &body, 401, "signed_out");
    assert_eq!(
        common::fake_calendar::calendar_requests(&google)
            .await
            .len(),
        before,
        "B asked Google nothing"
    );
}

/// Every grant row, decrypted with `cipher` where it opens.
async fn grants_opening_with(
    db: &str,
    cipher: &calendar_agent::token_cipher::TokenCipher,
) -> (usize, usize) {
    use sqlx::Connection;
    let mut conn = sqlx::postgres::PgConnection::connect(db)
        .await
        .expect("connect");
    let rows: Vec<(String, Vec<u8>)> = sqlx::query_as(
        "SELECT user_id, refresh_token FROM google_grants WHERE refresh_token IS NOT NULL",
    )
    .fetch_all(&mut conn)
    .await
    .expect("rows");
    let opening = rows
        .iter()
        .filter(|(u, s)| cipher.decrypt(u, s).is_ok())
        .count();
    (opening, rows.len())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL (scripts/test-postgres.sh); cargo test -- --include-ignored"]
async fn another_key_on_the_store_refuses_to_start_and_a_rotation_moves_every_grant() {
    use calendar_agent::token_cipher::TokenCipher;
    let Some(db) = common::postgres::fresh_database().await else {
        return;
    };
    let google = MockServer::start().await;
    let tokens = fake_google::Tokens::default();
    fake_google::guard(&google, &tokens).await;
    fake_calendar::mount_defaults(&google).await;
    fake_google::mount(&google, &tokens, 3600).await;
    fake_calendar::mount_list(&google, json!([])).await;
    let a = start_server(&google, &db, &[]).await;
    let users = ["u1@example.com", "u2@example.com", "u3@example.com"];
    for (i, u) in users.iter().enumerate() {
        browser_sign_in(&client(), &a.address, u, &format!("203.0.113.{}", i + 1))
            .await
            .expect("sign-in");
    }
    let new_key = "085159e53fc8b453e009b8917ef7214e339bd2412557c436751bb1ff7733e272".to_owned();
    let new_bytes: [u8; 32] = hex::decode(&new_key).expect("hex").try_into().expect("32");
    let (old, new) = (
        TokenCipher::new(&common::test_token_key()),
        TokenCipher::new(&new_bytes),
    );

    // Another key on A's store: refused at start-up, naming the variable.
    let (code, out) =
        common::process::run_to_exit(&google, &db, &[("TOKEN_ENCRYPTION_KEY", &new_key)], &[])
            .await;
    assert_ne!(code, Some(0), "{out}");
    assert!(out.contains("TOKEN_ENCRYPTION_KEY does not match"), "{out}");

    // With A's key as the previous one: B starts, serves a grant, and re-encrypts it.
    let rotating = [
        ("TOKEN_ENCRYPTION_KEY", new_key.as_str()),
        ("TOKEN_ENCRYPTION_KEY_PREVIOUS", common::TEST_TOKEN_KEY),
    ];
    let b = start_server(&google, &db, &rotating).await;
    let url = signed_tool_url(&b, "/api/calendar/list-events", users[0], unix_now() + 600);
    let (status, body) = json_of(
        client()
            .post(url)
            .json(&json!({}))
            .send()
            .await
            .expect("tool"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        grants_opening_with(&db, &new).await,
        (1, 3),
        "the grant read was re-encrypted"
    );
    assert_eq!(grants_opening_with(&db, &old).await, (2, 3));

    // rotate-key does the rest; none is left under the old key.
    let (code, out) = common::process::run_to_exit(&google, &db, &rotating, &["rotate-key"]).await;
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("re-encrypted 2 grant(s)"), "{out}");
    assert!(out.contains("1 already were"), "{out}");
    assert_eq!(grants_opening_with(&db, &new).await, (3, 3));
    assert_eq!(grants_opening_with(&db, &old).await, (0, 3));
    for u in users {
        let url = signed_tool_url(&b, "/api/calendar/list-events", u, unix_now() + 600);
        let response = client()
            .post(url)
            .json(&json!({}))
            .send()
            .await
            .expect("tool");
        assert_eq!(response.status().as_u16(), 200, "{u}");
    }
    // The store now belongs to the new key: the old one alone is refused.
    let (code, out) = common::process::run_to_exit(&google, &db, &[], &[]).await;
    assert_ne!(code, Some(0), "{out}");
    assert!(out.contains("TOKEN_ENCRYPTION_KEY"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL (scripts/test-postgres.sh); cargo test -- --include-ignored"]
async fn racing_changes_and_answers_on_both_instances_never_pass_the_guest_email_allowance() {
    let Some((google, a, b)) = two_instances(&[("GUEST_EMAILS_PER_HOUR", "3")]).await else {
        return;
    };
    let events = fake_calendar::mount_events(&google).await;
    fake_calendar::mount_list(&google, json!([])).await;
    fake_calendar::mount_busy_by_calendar(&google, json!({"primary": []})).await;
    ada_signed_in(&a).await;
    let minted = unix_now();
    // Four moves read back (two on each instance), each applied from A and B at the same
    // moment, and an invitation answered on both: three e-mails in all may go out.
    let mut changes = Vec::new();
    for i in 0..4 {
        let id = format!("meet{i}");
        events.put(fake_calendar::agents_meeting(
            &id,
            &format!("g{i}@example.com"),
        ));
        let on = if i % 2 == 0 { &a } else { &b };
        let args = json!({"event_id": id, "action": "move", "start": "2030-03-05T11:00:00",
            "end": "2030-03-05T12:00:00", "timezone": "UTC"});
        let (status, body) = json_of(tool(on, PROPOSE, ADA, minted, args).await).await;
        assert_eq!(status, 200, "{body}");
        changes.push(body["change_id"].as_str().expect("change_id").to_owned());
    }
    events.put(fake_calendar::invitation());
    let applies = changes.iter().flat_map(|id| {
        [&a, &b].map(|server| tool(server, APPLY, ADA, minted, json!({"change_id": id})))
    });
    let answers = [&a, &b].map(|server| {
        tool(
            server,
            RESPOND,
            ADA,
            minted,
            json!({"event_id": "inv1", "response": "declined"}),
        )
    });
    let (applied, answered) = tokio::join!(
        futures_util::future::join_all(applies),
        futures_util::future::join_all(answers)
    );
    let statuses: Vec<u16> = applied
        .iter()
        .chain(answered.iter())
        .map(|r| r.status().as_u16())
        .collect();
    assert!(
        statuses.iter().all(|s| [200, 409, 429].contains(s)),
        "{statuses:?}"
    );
    assert_eq!(
        events.emails().len(),
        3,
        "never more e-mails than the allowance: {statuses:?}"
    );
    let writes = fake_calendar::requests_with(&google, "PATCH").await;
    assert_eq!(
        writes.len(),
        3,
        "one write per e-mail, none refused: {statuses:?}"
    );
    for change in &writes {
        let id = change.url.path().rsplit('/').next().unwrap_or_default();
        assert_eq!(
            writes
                .iter()
                .filter(|w| w.url.path().ends_with(&format!("/{id}")))
                .count(),
            1,
            "each change written once"
        );
    }
    let moved = (0..4)
        .filter(|i| {
            events.get(&format!("meet{i}")).expect("kept")["start"]["dateTime"]
                .as_str()
                .is_some_and(|s| s.starts_with("2030-03-05T11:00:00"))
        })
        .count();
    let declined =
        events.get("inv1").expect("kept")["attendees"][1]["responseStatus"] == "declined";
    assert_eq!(moved + usize::from(declined), 3, "{statuses:?}");
}
