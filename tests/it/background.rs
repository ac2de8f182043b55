//! Background work is bounded (docs/operations.md, Guarantees): a Google that never answers holds up neither
//! pruning, nor other channels' renewals, nor tool calls; two instances renewing the same due
//! channels open one channel each, and a page opened meanwhile opens none; a renewer's lease
//! holds while it works through its batch.

use crate::common;

use std::time::{Duration, Instant};

use calendar_agent::live::watch::{ensure_watching, renew_due};
use calendar_agent::store::Channel;
use common::ADA;
use common::TestApp;
use common::fake_calendar::{self, calendar_requests};
use serde_json::json;
use wiremock::matchers::{header, method, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

const BOB: &str = "bob@example.com";

/// A channel on `user`'s primary calendar in its last half hour, opened a week ago, wanted.
async fn due_channel(app: &TestApp, user: &str) -> String {
    let now = jiff::Timestamp::now().as_second();
    let id = format!("old-{}", user.split('@').next().unwrap_or("x"));
    let channel = Channel {
        id: id.clone(),
        user_id: user.to_owned(),
        calendar_id: "primary".into(),
        resource_id: Some(format!("res-{user}")),
        expires_at: now + 1800,
        wanted_until: now + 86_400,
        sync_token: Some("s1".into()),
    };
    let store = &app.state.store;
    store.save_channel(&channel, "token").await.expect("save");
    sqlx::query("UPDATE watch_channels SET created_at = $1 WHERE id = $2")
        .bind(now - 7 * 86_400)
        .bind(&id)
        .execute(store.pool())
        .await
        .expect("age it");
    id
}

fn watches(requests: &[wiremock::Request]) -> usize {
    requests
        .iter()
        .filter(|r| r.url.path().ends_with("/events/watch"))
        .count()
}

async fn channel_ids(app: &TestApp, user: &str) -> Vec<String> {
    app.state
        .store
        .channels_of(user)
        .await
        .expect("channels")
        .into_iter()
        .map(|c| c.id)
        .collect()
}

/// `events.watch` for `user`'s token never answers (an hour's delay); everyone else's does.
async fn watch_hangs_for(google: &MockServer, user: &str) {
    Mock::given(method("POST"))
        .and(path_regex("/events/watch$"))
        .and(header(
            "authorization",
            format!("Bearer at2:{user}").as_str(),
        ))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(3600)))
        .with_priority(2)
        .mount(google)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watch_that_never_answers_holds_up_no_pruning_no_other_renewal_and_no_tool_call() {
    // The background budget shortened from 10 s to 3 s: what is not held up answers in 2.
    let app = common::spawn_with_user(&[(common::BACKGROUND_BUDGET_MS, "3000")], ADA).await;
    app.connect(BOB).await;
    fake_calendar::mount_watch(&app.google, 7 * 86_400).await;
    fake_calendar::mount_list(&app.google, json!([])).await;
    watch_hangs_for(&app.google, ADA).await;
    let (ada_old, bob_old) = (due_channel(&app, ADA).await, due_channel(&app, BOB).await);
    // Something for pruning to remove: an OAuth state that expired long ago.
    sqlx::query("INSERT INTO oauth_states (state_hash, expires_at) VALUES ('stale', 1)")
        .execute(app.state.store.pool())
        .await
        .expect("stale state");

    let started = Instant::now();
    let renewing = tokio::spawn({
        let state = app.state.clone();
        async move { renew_due(&state).await }
    });
    calendar_agent::background::prune(&app.state).await;
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM oauth_states")
        .fetch_one(app.state.store.pool())
        .await
        .expect("count");
    assert_eq!(left, 0, "pruned while a renewal hangs");
    // Bob's channel is renewed at once, Ada's still waiting on Google.
    let deadline = Instant::now() + Duration::from_secs(2);
    while channel_ids(&app, BOB).await == [bob_old.clone()] {
        assert!(
            Instant::now() < deadline,
            "Bob's renewal waited behind Ada's"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(channel_ids(&app, BOB).await.len(), 1);
    let called = Instant::now();
    let (status, body) = app
        .call_tool("/api/calendar/list-events", ADA, json!({}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(called.elapsed() < Duration::from_secs(2));

    // Ada's renewal gives up after the background budget: her old channel stays, to be
    // tried again, and the failure is counted.
    let done = tokio::time::timeout(Duration::from_secs(8), renewing)
        .await
        .expect("renewal ended within the budget");
    done.expect("task").expect("renew");
    assert!(
        started.elapsed() >= Duration::from_millis(2900),
        "it did wait for Google"
    );
    assert_eq!(channel_ids(&app, ADA).await, [ada_old]);
    assert!(
        app.state
            .metrics
            .render()
            .contains("calendar_agent_channel_renewal_failures_total 1"),
        "{}",
        app.state.metrics.render()
    );
}

#[tokio::test]
async fn a_renewers_lease_holds_while_it_works_through_its_batch() {
    let app = common::spawn_app(&[]).await;
    for user in ["u1@example.com", "u2@example.com", "u3@example.com"] {
        due_channel(&app, user).await;
    }
    let store = &app.state.store;
    let now = jiff::Timestamp::now().as_second();
    let lease = calendar_agent::store::RENEW_LEASE_SECONDS;
    let a = store.claim_due(now, 3600, now, 2, "a").await.expect("a");
    assert_eq!(a.len(), 2, "a small batch");
    let b = store
        .claim_due(now, 3600, now + 10, 8, "b")
        .await
        .expect("b");
    assert_eq!(b.len(), 1, "the rest, to another instance");
    // A is still working near the end of its lease and extends it: nobody takes its channels.
    store
        .extend_claim("a", now + lease - 10)
        .await
        .expect("extend");
    let c = store
        .claim_due(now, 3600, now + lease + 20, 8, "c")
        .await
        .expect("c");
    let taken: Vec<&str> = c.iter().map(|ch| ch.id.as_str()).collect();
    assert!(
        a.iter().all(|ch| !taken.contains(&ch.id.as_str())),
        "A's extended lease held: {taken:?}"
    );
    assert_eq!(
        c.len(),
        1,
        "B's lapsed claim (not extended) is taken over: {taken:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL (scripts/test-postgres.sh); cargo test -- --include-ignored"]
async fn two_instances_renewing_with_a_slow_google_open_one_channel_each_and_a_page_opens_none() {
    let Some(db) = common::Db::postgres().await else {
        return;
    };
    let (a, b) = (db.spawn(&[]).await, db.spawn(&[]).await);
    let users = ["u1@example.com", "u2@example.com", "u3@example.com"];
    for app in [&a, &b] {
        app.mount_google(3600).await;
        // Google takes a while to open each channel.
        Mock::given(method("POST"))
            .and(path_regex("/events/watch$"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"kind": "api#channel", "resourceId": "res-new",
                        "expiration": ((jiff::Timestamp::now().as_second() + 7 * 86_400) * 1000).to_string()}))
                    .set_delay(Duration::from_millis(1500)),
            )
            .mount(&app.google)
            .await;
        Mock::given(method("POST"))
            .and(path_regex("/channels/stop$"))
            .respond_with(ResponseTemplate::new(204))
            .mount(&app.google)
            .await;
    }
    for user in users {
        a.connect(user).await;
        due_channel(&a, user).await;
    }
    let page = async {
        // While both renew, u1 opens a page on B: its calendar already has its channel.
        tokio::time::sleep(Duration::from_millis(300)).await;
        ensure_watching(&b.state, users[0]).await
    };
    let (ra, rb, rp) = tokio::join!(renew_due(&a.state), renew_due(&b.state), page);
    ra.expect("a");
    rb.expect("b");
    rp.expect("page");
    let all: Vec<wiremock::Request> = [
        calendar_requests(&a.google).await,
        calendar_requests(&b.google).await,
    ]
    .concat();
    assert_eq!(
        watches(&all),
        3,
        "one events.watch per channel, across both instances"
    );
    for user in users {
        let ids = channel_ids(&a, user).await;
        assert_eq!(ids.len(), 1, "{user}: {ids:?}");
        assert!(!ids[0].starts_with("old-"), "{user} was renewed");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL (scripts/test-postgres.sh); cargo test -- --include-ignored"]
async fn a_burst_of_session_mints_for_one_user_never_makes_either_instance_unready() {
    use common::process::{browser_sign_in, client, start_server};
    let Some(db) = common::postgres::fresh_database().await else {
        return;
    };
    let google = MockServer::start().await;
    let tokens = common::fake_google::Tokens::default();
    common::fake_google::guard(&google, &tokens).await;
    fake_calendar::mount_defaults(&google).await;
    common::fake_google::mount(&google, &tokens, 3600).await;
    Mock::given(method("POST"))
        .and(wiremock::matchers::path("/v1/auth/session-token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"sessionToken": "s"})))
        .mount(&google)
        .await;
    let extra = [("SESSION_TOKEN_RATE_PER_MINUTE", "100000")];
    let a = start_server(&google, &db, &extra).await;
    let b = start_server(&google, &db, &extra).await;
    let http = client();
    let cookie = browser_sign_in(&http, &a.address, ADA, "203.0.113.1")
        .await
        .expect("sign-in");
    let burst = (0..300).map(|i| {
        let server = if i % 2 == 0 { &a } else { &b };
        http.post(format!("{}/api/session-token", server.address))
            .header("cookie", &cookie)
            .header("x-forwarded-for", "203.0.113.1")
            .send()
    });
    let ready = async {
        let mut answers = Vec::new();
        for _ in 0..40 {
            for server in [&a, &b] {
                let started = Instant::now();
                let status = http
                    .get(format!("{}/readyz", server.address))
                    .send()
                    .await
                    .map(|r| r.status().as_u16())
                    .unwrap_or(0);
                answers.push((status, started.elapsed()));
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        answers
    };
    let (mints, ready) = tokio::join!(futures_util::future::join_all(burst), ready);
    let minted = mints
        .iter()
        .filter(|m| m.as_ref().is_ok_and(|r| r.status() == 200))
        .count();
    assert!(minted > 0, "the burst did mint");
    for (status, took) in &ready {
        assert_eq!(*status, 200, "readyz during the burst: {ready:?}");
        assert!(*took < Duration::from_secs(1), "{ready:?}");
    }
}
