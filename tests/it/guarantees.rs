//! The guarantees of docs/operations.md, tested by breaking each promise: racing calls against the running server on
//! both stores, a leaked URL used after sign-out, a URL signed for longer than its route lives,
//! a grant under another key, headers over https. (Two processes on one PostgreSQL: the
//! `instances` tests.)

use crate::common;

use std::time::Duration;

use calendar_agent::clock::unix_now;
use calendar_agent::store::Allowance;
use common::ADA;
use common::fake_calendar::{self, Events, agents_meeting, invitation, requests_with};
use common::routes::{APPLY, DRAFTS, LIST, MEETINGS, PROPOSE, RESPOND};
use common::{TestApp, assert_error, json_of};
use futures_util::future::join_all;
use serde_json::{Value, json};

/// Ada connected on `db` with an allowance of `per_hour` guest e-mails, `used` of them spent.
async fn ada_with_allowance(db: &common::Db, per_hour: u32, used: u32) -> (TestApp, Events) {
    let limit = per_hour.to_string();
    let app = db.spawn(&[("GUEST_EMAILS_PER_HOUR", &limit)]).await;
    app.mount_google(3600).await;
    app.connect(ADA).await;
    let events = fake_calendar::mount_events(&app.google).await;
    fake_calendar::mount_busy_by_calendar(
        &app.google,
        json!({"primary": [], "sam@example.com": [], "lee@example.org": [], "kim@example.net": []}),
    )
    .await;
    if used > 0 {
        let taken = app
            .state
            .store
            .take_allowance(
                &calendar_agent::guest_emails::key(ADA),
                per_hour,
                Duration::from_secs(3600),
                used,
            )
            .await
            .expect("spend");
        assert_eq!(taken, Allowance::Granted);
    }
    (app, events)
}

async fn call(app: &TestApp, path: &str, minted: u64, args: Value) -> (u16, Value) {
    json_of(
        app.post_json(&app.session_url(path, ADA, minted), &args)
            .await,
    )
    .await
}

/// A draft for a one-guest meeting at `hour`: its id.
async fn one_guest_draft(app: &TestApp, minted: u64, hour: u32, guest: &str) -> String {
    let (status, body) = call(
        app,
        DRAFTS,
        minted,
        json!({"title": "Sync", "start": format!("2030-03-05T{hour:02}:00:00"),
               "end": format!("2030-03-05T{hour:02}:30:00"), "timezone": "UTC",
               "attendees": [guest], "video_call": false}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["draft_id"].as_str().expect("draft_id").to_owned()
}

/// A change read back: its id.
async fn proposed(app: &TestApp, minted: u64, args: Value) -> String {
    let (status, body) = call(app, PROPOSE, minted, args).await;
    assert_eq!(status, 200, "{body}");
    body["change_id"].as_str().expect("change_id").to_owned()
}

/// `n` copies of the same call, sent at the same moment.
async fn at_once(
    app: &TestApp,
    n: usize,
    path: &str,
    minted: u64,
    args: Value,
) -> Vec<(u16, Value)> {
    join_all((0..n).map(|_| call(app, path, minted, args.clone()))).await
}

fn statuses(answers: &[(u16, Value)]) -> Vec<u16> {
    let mut s: Vec<u16> = answers.iter().map(|(status, _)| *status).collect();
    s.sort_unstable();
    s
}

on_both_backends! {
    async fn racing_sends_of_one_draft_send_it_once_and_the_rest_wait_or_repeat(db) {
        let (app, events) = ada_with_allowance(&db, 3, 2).await;
        let minted = unix_now();
        let id = one_guest_draft(&app, minted, 10, "sam@example.com").await;
        let answers = at_once(&app, 8, MEETINGS, minted, json!({"draft_id": id})).await;
        let sent: Vec<&Value> = answers.iter().filter(|(s, _)| *s == 200).map(|(_, b)| b).collect();
        assert!(!sent.is_empty(), "{answers:?}");
        assert!(sent.iter().all(|b| *b == sent[0]), "every 200 is the first answer: {answers:?}");
        for (status, body) in &answers {
            assert!(
                *status == 200 || (*status == 409 && body["error"] == "in_progress"),
                "{status} {body}"
            );
        }
        assert_eq!(events.len(), 1, "one event for the draft");
        assert_eq!(events.emails(), ["sam@example.com"], "one invitation");
        // The allowance is now used up: the next draft sends nothing, however many try.
        let next = one_guest_draft(&app, minted, 11, "lee@example.org").await;
        let answers = at_once(&app, 3, MEETINGS, minted, json!({"draft_id": next})).await;
        assert_eq!(statuses(&answers), [429, 429, 429], "{answers:?}");
        assert_eq!(answers[0].1["error"], "invite_limit");
        assert_eq!(events.len(), 1, "nothing reached Google");
    }

    async fn racing_sends_of_several_drafts_never_pass_the_allowance(db) {
        let (app, events) = ada_with_allowance(&db, 4, 1).await;
        let minted = unix_now();
        let guests = ["sam@example.com", "lee@example.org", "kim@example.net"];
        let mut drafts = Vec::new();
        for (i, guest) in guests.iter().cycle().take(6).enumerate() {
            drafts.push(one_guest_draft(&app, minted, 9 + i as u32, guest).await);
        }
        // Each draft sent twice at once (a model repeating itself), all drafts together.
        let calls = drafts
            .iter()
            .flat_map(|id| [id.clone(), id.clone()])
            .map(|id| call(&app, MEETINGS, minted, json!({"draft_id": id})));
        let answers = join_all(calls).await;
        let events_made = events.len();
        assert_eq!(events_made, 3, "3 of 4 left: three drafts sent, {answers:?}");
        assert_eq!(events.emails().len(), 3, "never more e-mails than the allowance");
        let inserts = requests_with(&app.google, "POST")
            .await
            .into_iter()
            .filter(|r| r.url.path().ends_with("/calendars/primary/events"))
            .count();
        assert_eq!(inserts, 3, "refused drafts never reach Google");
        assert!(answers.iter().filter(|(s, _)| *s == 429).count() >= 3, "{answers:?}");
    }

    async fn racing_changes_that_tell_guests_never_pass_the_allowance(db) {
        let (app, events) = ada_with_allowance(&db, 3, 1).await;
        fake_calendar::mount_list(&app.google, json!([])).await;
        let minted = unix_now();
        // Five meetings with one guest each, a move of each read back, all applied at once:
        // two e-mails were left.
        let mut ids = Vec::new();
        for i in 0..5 {
            events.put(agents_meeting(&format!("meet{i}"), "sam@example.com"));
            ids.push(proposed(&app, minted, json!({"event_id": format!("meet{i}"), "action": "move",
                "start": "2030-03-05T11:00:00", "end": "2030-03-05T12:00:00", "timezone": "UTC"})).await);
        }
        let applies = join_all(ids.iter().map(|id| call(&app, APPLY, minted, json!({"change_id": id})))).await;
        assert_eq!(statuses(&applies), [200, 200, 429, 429, 429], "{applies:?}");
        assert_eq!(events.emails().len(), 2);
        assert_eq!(requests_with(&app.google, "PATCH").await.len(), 2, "a refused change writes nothing");
        // A cancel read back after that would tell Sam too: refused, the meeting stays.
        let cancel = proposed(&app, minted, json!({"event_id": "meet4", "action": "cancel"})).await;
        let answers = at_once(&app, 3, APPLY, minted, json!({"change_id": cancel})).await;
        assert_eq!(statuses(&answers), [429, 429, 429], "{answers:?}");
        assert!(requests_with(&app.google, "DELETE").await.is_empty());
        assert_eq!(events.get("meet4").expect("kept")["status"], "confirmed");
        // A hold tells nobody and costs nothing; applied five times at once, it is written once.
        events.put(json!({"id": "hold1", "status": "confirmed", "summary": "Focus",
            "start": {"dateTime": "2030-03-05T13:00:00Z"}, "end": {"dateTime": "2030-03-05T14:00:00Z"},
            "extendedProperties": {"private": {"createdBy": "calendar-agent"}}}));
        let drop_hold = proposed(&app, minted, json!({"event_id": "hold1", "action": "cancel"})).await;
        let answers = at_once(&app, 5, APPLY, minted, json!({"change_id": drop_hold})).await;
        assert!(answers.iter().all(|(s, _)| *s == 200 || *s == 409), "{answers:?}");
        assert!(answers.iter().any(|(s, _)| *s == 200), "{answers:?}");
        assert_eq!(requests_with(&app.google, "DELETE").await.len(), 1, "sent once");
        assert_eq!(events.get("hold1").expect("kept by Google")["status"], "cancelled");
    }

    async fn racing_answers_to_invitations_never_pass_the_allowance(db) {
        let (app, events) = ada_with_allowance(&db, 2, 0).await;
        let minted = unix_now();
        events.put(invitation());
        let answers = at_once(&app, 5, RESPOND, minted,
            json!({"event_id": "inv1", "response": "declined"})).await;
        assert_eq!(statuses(&answers), [200, 200, 429, 429, 429], "{answers:?}");
        assert_eq!(events.emails(), ["bob@example.com", "bob@example.com"]);
        assert_eq!(requests_with(&app.google, "PATCH").await.len(), 2);
    }

    async fn a_sign_out_ends_the_tool_urls_minted_before_it(db) {
        let app = db.spawn(&[]).await;
        app.mount_google(3600).await;
        fake_calendar::mount_list(&app.google, json!([])).await;
        let cookie = app.sign_in(ADA).await;
        let minted = unix_now();
        // The avatar's URL, copied out of the session (a log, a leak).
        let leaked = app.session_url(LIST, ADA, minted);
        let (status, _) = json_of(app.post_json(&leaked, &json!({})).await).await;
        assert_eq!(status, 200, "works while signed in");
        let out = app
            .client
            .post(app.url("/api/auth/signout"))
            .header("cookie", &cookie)
            .header("origin", "https://demo.ngrok.app")
            .send()
            .await
            .expect("sign out");
        assert_eq!(out.status().as_u16(), 303);
        let seen = app.google.received_requests().await.unwrap_or_default().len();
        let (status, body) = json_of(app.post_json(&leaked, &json!({})).await).await;
        assert_error(status, &body, 401, "signed_out");
        assert!(body["message"].as_str().is_some_and(|m| m.contains("sign in again")), "{body}");
        // Signing in again does not bring the old session back; a new Start works.
        app.sign_in(ADA).await;
        let (status, _) = json_of(app.post_json(&leaked, &json!({})).await).await;
        assert_eq!(status, 401, "the old session stays ended");
        let after = app.google.received_requests().await.unwrap_or_default();
        assert!(
            after[seen..].iter().all(|r| !r.url.path().starts_with("/calendar/")),
            "no Calendar call for a signed-out URL"
        );
        let fresh = app.session_url(LIST, ADA, unix_now() + 1);
        let (status, body) = json_of(app.post_json(&fresh, &json!({})).await).await;
        assert_eq!(status, 200, "{body}");
    }
}

#[tokio::test]
async fn a_url_signed_with_the_right_secret_for_a_day_is_refused() {
    let app = common::spawn_with_user(&[], ADA).await;
    fake_calendar::mount_list(&app.google, json!([])).await;
    let now = unix_now();
    let signed = |route: &str, exp: u64| {
        calendar_agent::presign::presign_url(
            &app.config.signing.presign,
            &app.config.public_url(route),
            ADA,
            exp,
        )
    };
    for route in [MEETINGS, LIST] {
        let (status, body) = json_of(
            app.post_json(&signed(route, now + 86_400), &json!({}))
                .await,
        )
        .await;
        assert_error(status, &body, 401, "url_too_long_lived");
    }
    assert!(app.google_untouched().await, "refused before any work");
    assert!(
        app.state
            .store
            .audit_rows(None, 10)
            .await
            .expect("audit")
            .is_empty()
    );
    // The same URLs within their routes' lives are served.
    let (status, body) = json_of(
        app.post_json(&signed(MEETINGS, now + 900), &json!({"draft_id": "QQQQQQ"}))
            .await,
    )
    .await;
    assert_error(status, &body, 404, "draft_not_found");
    let (status, body) = json_of(app.post_json(&signed(LIST, now + 3600), &json!({})).await).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn over_https_every_answer_carries_hsts_and_the_session_mint_refuses_other_sites() {
    let app = common::spawn_app(&[]).await;
    app.mount_google(3600).await;
    let page = app
        .client
        .get(app.url("/healthz"))
        .send()
        .await
        .expect("get");
    assert_eq!(
        page.headers()
            .get("strict-transport-security")
            .and_then(|v| v.to_str().ok()),
        Some("max-age=31536000")
    );
    let cookie = app.sign_in(ADA).await;
    let mint = app
        .client
        .post(app.url("/api/session-token"))
        .header("cookie", &cookie)
        .header("origin", "https://evil.example")
        .send()
        .await
        .expect("mint");
    let (status, body) = json_of(mint).await;
    assert_error(status, &body, 403, "forbidden");
    let paid = common::fake_google::requests_to(&app.google, "/v1/auth/session-token").await;
    assert!(paid.is_empty(), "no Anam session was paid for");

    let plain = common::spawn_app(&[("PUBLIC_BASE_URL", "http://localhost:3000")]).await;
    let page = plain
        .client
        .get(plain.url("/healthz"))
        .send()
        .await
        .expect("get");
    assert!(page.headers().get("strict-transport-security").is_none());
}

#[tokio::test]
async fn a_grant_no_key_opens_reads_as_not_connected() {
    let app = common::spawn_app(&[]).await;
    app.mount_google(3600).await;
    let cookie = app.sign_in(ADA).await;
    let (_, me) = json_of(app.get_with_cookie("/api/me", &cookie).await).await;
    assert_eq!(me["connected"], true);
    // What another key (or a tampered row) leaves behind.
    let foreign = calendar_agent::token_cipher::TokenCipher::new(&[9u8; 32])
        .encrypt(ADA, &calendar_agent::secret::Secret::new("rt:x"));
    sqlx::query("UPDATE google_grants SET refresh_token = $1 WHERE user_id = $2")
        .bind(foreign)
        .bind(ADA)
        .execute(app.state.store.pool())
        .await
        .expect("tamper");
    let (_, me) = json_of(app.get_with_cookie("/api/me", &cookie).await).await;
    assert_eq!(
        (me["signedIn"].as_bool(), me["connected"].as_bool()),
        (Some(true), Some(false)),
        "{me}"
    );
}

/// Google's `events.insert` that, before answering, stops the database: the moment after the
/// invitation went out is the moment the store fails.
struct InsertThenStopTheStore(std::sync::Arc<common::postgres::Cluster>);

impl wiremock::Respond for InsertThenStopTheStore {
    fn respond(&self, request: &wiremock::Request) -> wiremock::ResponseTemplate {
        let mut event: Value = serde_json::from_slice(&request.body).unwrap_or_default();
        event["status"] = json!("confirmed");
        event["htmlLink"] = json!("https://calendar.google.com/event?eid=x");
        self.0.stop();
        wiremock::ResponseTemplate::new(200).set_body_json(event)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL (scripts/test-postgres.sh); cargo test -- --include-ignored"]
async fn a_store_failure_after_google_made_the_meeting_still_leaves_its_audit_row() {
    let Some(cluster) = common::postgres::Cluster::start() else {
        return;
    };
    let cluster = std::sync::Arc::new(cluster);
    let app = common::spawn_app(&[("DATABASE_URL", &cluster.url())]).await;
    app.mount_google(3600).await;
    app.connect(ADA).await;
    fake_calendar::mount_busy_by_calendar(
        &app.google,
        json!({"primary": [], "sam@example.com": []}),
    )
    .await;
    let minted = unix_now();
    let id = one_guest_draft(&app, minted, 10, "sam@example.com").await;
    wiremock::Mock::given(wiremock::matchers::method("POST"))
        .and(wiremock::matchers::path(
            "/calendar/v3/calendars/primary/events",
        ))
        .respond_with(InsertThenStopTheStore(std::sync::Arc::clone(&cluster)))
        .mount(&app.google)
        .await;
    let (status, body) = call(&app, MEETINGS, minted, json!({"draft_id": id})).await;
    // The invitation went out: the answer says so, though recording it failed.
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["attendees"], json!(["sam@example.com"]));
    cluster.resume();
    let mut rows = Vec::new();
    for _ in 0..50 {
        if let Ok(r) = app.state.store.audit_rows(Some(ADA), 10).await {
            rows = r;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(
        rows[0].outcome, "sending",
        "written before Google, not completed"
    );
    assert_eq!(rows[0].event_id.as_deref(), body["eventId"].as_str());
    assert_eq!(rows[0].attendees, "sam@example.com");
}

#[tokio::test]
async fn every_sent_invitation_is_audited_before_and_completed_after() {
    let app = common::spawn_with_user(&[], ADA).await;
    fake_calendar::mount_busy_by_calendar(
        &app.google,
        json!({"primary": [], "sam@example.com": []}),
    )
    .await;
    let minted = unix_now();
    let id = one_guest_draft(&app, minted, 10, "sam@example.com").await;
    // Google fails the first attempt: audited as failed, and the draft may be sent again, once.
    fake_calendar::answer_with(
        &app.google,
        "POST",
        "/calendars/primary/events",
        fake_calendar::google_error(503, "Backend Error"),
    )
    .await;
    let (status, _) = call(&app, MEETINGS, minted, json!({"draft_id": id})).await;
    assert_eq!(status, 502);
    app.google.reset().await;
    app.mount_google(3600).await;
    fake_calendar::mount_defaults(&app.google).await;
    let events = fake_calendar::mount_events(&app.google).await;
    let retries = at_once(&app, 3, MEETINGS, minted, json!({"draft_id": id})).await;
    assert!(retries.iter().any(|(s, _)| *s == 200), "{retries:?}");
    assert_eq!(
        events.emails(),
        ["sam@example.com"],
        "sent once after the failure"
    );
    let outcomes: Vec<String> = app
        .state
        .store
        .audit_rows(Some(ADA), 10)
        .await
        .expect("audit")
        .into_iter()
        .map(|r| r.outcome)
        .collect();
    assert_eq!(outcomes[0], "failed", "{outcomes:?}");
    assert_eq!(
        outcomes.iter().filter(|o| *o == "created").count(),
        1,
        "{outcomes:?}"
    );
    assert!(
        !outcomes.iter().any(|o| o == "sending"),
        "every attempt completed: {outcomes:?}"
    );
}
