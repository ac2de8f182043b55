//! Meetings with other people against fake Google People and Calendar: contacts, shared
//! availability, and invitations that can only be the draft the user confirmed.

use crate::common::ADA;
use crate::common::fake_calendar::{self, Events, query, requests_with};
use crate::common::fake_google::{WITH_CONTACTS, refresh_token_for};
use crate::common::routes::{CONTACTS, DRAFTS, FREE, LIST, MEETINGS};
use crate::common::{TestApp, assert_error, fake_people, json_of, spawn_app};
use calendar_agent::clock::unix_now;
use calendar_agent::secret::Secret;
use serde_json::{Value, json};

const EVE: &str = "eve@example.com";

/// Ada (and Eve) connected with `scope`, fake Google mounted.
async fn ready(scope: &str) -> TestApp {
    let app = spawn_app(&[]).await;
    app.mount_google(3600).await;
    for user in [ADA, EVE] {
        app.tokens.grant(user, scope);
        app.state
            .store
            .save_grant(user, user, &Secret::new(refresh_token_for(user)), scope)
            .await
            .expect("grant");
    }
    app
}

/// POSTs `args` to the tool at `path` as a session of `user` minted at `minted` would.
async fn call(app: &TestApp, path: &str, user: &str, minted: u64, args: Value) -> (u16, Value) {
    json_of(
        app.post_json(&app.session_url(path, user, minted), &args)
            .await,
    )
    .await
}

fn kickoff() -> Value {
    json!({"title": "Project kickoff", "start": "2030-03-05T10:00:00", "end": "2030-03-05T11:00:00",
           "timezone": "Europe/London", "attendees": ["sam@example.com", "lee@example.org"],
           "notes": "Agenda to follow"})
}

/// A draft made by `user` in the session minted at `minted`: its id.
async fn a_draft(app: &TestApp, user: &str, minted: u64) -> String {
    fake_calendar::mount_busy_by_calendar(
        &app.google,
        json!({"primary": [], "sam@example.com": [], "lee@example.org": []}),
    )
    .await;
    let (status, body) = call(app, DRAFTS, user, minted, kickoff()).await;
    assert_eq!(status, 200, "{body}");
    body["draft_id"].as_str().expect("draft_id").to_owned()
}

async fn inserts(app: &TestApp) -> Vec<wiremock::Request> {
    requests_with(&app.google, "POST")
        .await
        .into_iter()
        .filter(|r| r.url.path().ends_with("/calendars/primary/events"))
        .collect()
}

async fn audit(app: &TestApp) -> Vec<calendar_agent::store::AuditRow> {
    app.state.store.audit_rows(None, 100).await.expect("audit")
}

#[tokio::test]
async fn everyone_matching_a_name_is_returned_once_and_nobody_is_said_plainly() {
    let app = ready(WITH_CONTACTS).await;
    fake_people::mount(
        &app.google,
        &[
            ("Sam Lee", "sam@example.com"),
            ("Lee Park", "lee@example.org"),
        ],
        &[
            ("Samantha Ray", "sam.ray@example.net"),
            ("Sam Lee", "SAM@example.com"),
        ],
    )
    .await;
    let now = unix_now();
    let (status, body) = call(&app, CONTACTS, ADA, now, json!({"query": "Sam"})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({"contacts": [{"name": "Sam Lee", "email": "sam@example.com"},
                            {"name": "Samantha Ray", "email": "sam.ray@example.net"}],
               "count": 2})
    );
    let (status, body) = call(&app, CONTACTS, ADA, now, json!({"query": "Zed"})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["contacts"], json!([]));
    assert_eq!(body["count"], 0);
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("spell")),
        "{body}"
    );

    // Both searches each time; the warm-up (an empty query) once, before the first.
    let asked = fake_people::queries(&app.google).await;
    let warmups: Vec<_> = asked.iter().filter(|(_, q)| q.is_empty()).collect();
    assert_eq!(warmups.len(), 2, "one per search, once: {asked:?}");
    assert!(
        asked.iter().position(|(_, q)| q.is_empty()) < asked.iter().position(|(_, q)| q == "Sam")
    );
    assert_eq!(asked.iter().filter(|(_, q)| q == "Sam").count(), 2);
}

#[tokio::test]
async fn without_contacts_allowed_the_search_asks_for_a_spelled_address_and_google_is_not_asked() {
    let app = ready(crate::common::fake_google::GRANTED).await;
    fake_people::mount(&app.google, &[("Sam Lee", "sam@example.com")], &[]).await;
    let (status, body) = call(&app, CONTACTS, ADA, unix_now(), json!({"query": "Sam"})).await;
    assert_error(status, &body, 403, "google_scope_missing");
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("spell")),
        "{body}"
    );
    assert!(fake_people::queries(&app.google).await.is_empty());
}

#[tokio::test]
async fn an_attendee_whose_availability_google_cannot_give_is_unknown_never_free() {
    let app = ready(WITH_CONTACTS).await;
    // Sam shares free/busy and is busy 09:00-10:00 London; ext@other.org is at another company.
    fake_calendar::mount_busy_by_calendar(
        &app.google,
        json!({"primary": [], "sam@example.com": [{"start": "2030-03-05T09:00:00Z", "end": "2030-03-05T10:00:00Z"}]}),
    )
    .await;
    let (status, body) = call(
        &app,
        FREE,
        ADA,
        unix_now(),
        json!({"window_start": "2030-03-05T09:00:00", "window_end": "2030-03-05T12:00:00",
               "duration_minutes": 60, "timezone": "Europe/London",
               "attendees": ["sam@example.com", "ext@other.org"]}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["slots"][0]["start"], "2030-03-05T10:00:00+00:00",
        "Sam's busy hour skipped"
    );
    assert_eq!(body["unknown_availability"], json!(["ext@other.org"]));
    let sent: Value =
        serde_json::from_slice(&fake_calendar::requests_to(&app.google, "/freeBusy").await[0].body)
            .expect("json");
    assert_eq!(
        sent["items"],
        json!([{"id": "primary"}, {"id": "sam@example.com"}, {"id": "ext@other.org"}]),
        "one freeBusy call for the user and everyone"
    );

    // The draft for that time names who is busy and who is unknown, and sends nothing.
    let (status, body) = call(
        &app,
        DRAFTS,
        ADA,
        unix_now(),
        json!({"title": "Sync", "start": "2030-03-05T09:30:00", "end": "2030-03-05T10:30:00",
               "timezone": "Europe/London", "attendees": ["sam@example.com", "ext@other.org"]}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["conflicts"], json!(["sam@example.com"]));
    assert_eq!(body["unknown_availability"], json!(["ext@other.org"]));
    assert_eq!(body["expires_in_minutes"], 15);
    let id = body["draft_id"].as_str().expect("id");
    assert_eq!(id.len(), 6);
    assert!(inserts(&app).await.is_empty(), "a draft sends nothing");
}

#[tokio::test]
async fn the_meeting_is_exactly_the_draft_with_a_meet_link_invitations_and_the_tag() {
    let app = ready(WITH_CONTACTS).await;
    let events = fake_calendar::mount_events(&app.google).await;
    let minted = unix_now();
    let id = a_draft(&app, ADA, minted).await;
    // The model can only name the draft: anything else it sends is ignored.
    let (status, body) = call(
        &app,
        MEETINGS,
        ADA,
        minted,
        json!({"draft_id": id.to_lowercase(), "attendees": ["mallory@evil.example"]}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let sent = inserts(&app).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(query(&sent[0], "sendUpdates").as_deref(), Some("all"));
    assert_eq!(
        query(&sent[0], "conferenceDataVersion").as_deref(),
        Some("1")
    );
    let event: Value = serde_json::from_slice(&sent[0].body).expect("json");
    assert_eq!(
        event["attendees"],
        json!([{"email": "sam@example.com"}, {"email": "lee@example.org"}]),
        "no attendee the draft did not have"
    );
    assert_eq!(
        event["extendedProperties"]["private"]["createdBy"],
        "calendar-agent"
    );
    assert_eq!(event["summary"], "Project kickoff");
    assert_eq!(event["description"], "Agenda to follow");
    assert_eq!(
        event["conferenceData"]["createRequest"]["conferenceSolutionKey"]["type"],
        "hangoutsMeet"
    );
    assert_eq!(
        body["attendees"],
        json!(["sam@example.com", "lee@example.org"])
    );
    assert_eq!(body["start"], "2030-03-05T10:00:00+00:00");
    assert_eq!(events.len(), 1);
    // It is the agent's: the user can move or cancel it later.
    let rows = audit(&app).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].outcome, "created");
    assert_eq!(rows[0].attendees, "sam@example.com,lee@example.org");
}

#[tokio::test]
async fn a_retry_of_the_same_draft_sends_nothing_twice_and_is_audited_as_a_repeat() {
    let app = ready(WITH_CONTACTS).await;
    let _events = fake_calendar::mount_events(&app.google).await;
    let minted = unix_now();
    let id = a_draft(&app, ADA, minted).await;
    let first = call(&app, MEETINGS, ADA, minted, json!({"draft_id": id})).await;
    let second = call(&app, MEETINGS, ADA, minted, json!({"draft_id": id})).await;
    assert_eq!(first.0, 200, "{}", first.1);
    assert_eq!(first, second, "the same answer both times");
    assert_eq!(inserts(&app).await.len(), 1, "one insert at the mock");
    let outcomes: Vec<String> = audit(&app).await.into_iter().map(|r| r.outcome).collect();
    assert_eq!(outcomes, ["created", "repeat"]);
}

#[tokio::test]
async fn no_invitation_leaves_for_a_draft_that_is_not_this_sessions_to_send() {
    let app = ready(WITH_CONTACTS).await;
    let _events = fake_calendar::mount_events(&app.google).await;
    let minted = unix_now();
    let store = &app.state.store;

    let eves = a_draft(&app, EVE, minted).await;
    let earlier = a_draft(&app, ADA, minted - 3000).await;
    let expired = a_draft(&app, ADA, minted).await;
    sqlx::query("UPDATE meeting_drafts SET expires_at = 0 WHERE id = $1")
        .bind(&expired)
        .execute(store.pool())
        .await
        .expect("expire it");
    let used = a_draft(&app, ADA, minted).await;
    let (status, _) = call(&app, MEETINGS, ADA, minted, json!({"draft_id": used})).await;
    assert_eq!(status, 200);
    // Long after: no longer a retry.
    sqlx::query("UPDATE meeting_drafts SET used_at = used_at - 600 WHERE id = $1")
        .bind(&used)
        .execute(store.pool())
        .await
        .expect("age it");
    let before = inserts(&app).await.len();

    for (draft, why) in [
        (eves.as_str(), "another user's"),
        (earlier.as_str(), "an earlier session's"),
        (expired.as_str(), "expired"),
        (used.as_str(), "already sent"),
        ("QQQQQQ", "made up"),
        ("not a draft", "not an id"),
    ] {
        let (status, body) = call(&app, MEETINGS, ADA, minted, json!({"draft_id": draft})).await;
        assert_error(status, &body, 404, "draft_not_found");
        let message = body["message"].as_str().unwrap_or("");
        assert!(message.contains("Nothing was sent"), "{why}: {message}");
    }
    assert_eq!(
        inserts(&app).await.len(),
        before,
        "the mock received no insert"
    );
    let outcomes: Vec<String> = audit(&app).await.into_iter().map(|r| r.outcome).collect();
    assert_eq!(
        outcomes[1..],
        [
            "not_found",
            "other_session",
            "expired",
            "already_sent",
            "not_found",
            "not_found"
        ],
        "every attempt audited"
    );
}

#[tokio::test]
async fn an_expired_meeting_link_says_press_start_while_the_other_tools_still_work() {
    let app = ready(WITH_CONTACTS).await;
    fake_calendar::mount_list(&app.google, json!([])).await;
    // Minted 20 minutes ago: the meeting URL (15 minutes) is over, the others (an hour) are not.
    let minted = unix_now() - 1200;
    let (status, body) = call(&app, MEETINGS, ADA, minted, json!({"draft_id": "QQQQQQ"})).await;
    assert_error(status, &body, 401, "url_expired");
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("press Start again to send invitations")),
        "{body}"
    );
    let (status, _) = call(&app, LIST, ADA, minted, json!({"timezone": "UTC"})).await;
    assert_eq!(status, 200);
    assert!(
        audit(&app).await.is_empty(),
        "refused at the URL, before any draft is looked at"
    );
}

/// Starts the "allow contacts" consent, the user grants `granted` at Google, and comes back:
/// the consent URL and the callback's answer.
async fn contacts_consent(app: &TestApp, granted: &str) -> (String, reqwest::Response) {
    let start = app
        .client
        .get(app.url("/api/auth/google?with=contacts"))
        .send()
        .await
        .expect("start");
    let consent = crate::common::location(&start);
    let oauth = crate::common::cookie_pair(&start, "oauth_state").expect("cookie");
    let state = crate::common::query_param(&consent, "state").expect("state");
    app.tokens.grant(ADA, granted);
    let back = app
        .client
        .get(app.url(&format!(
            "/api/auth/google/callback?code={}&state={state}",
            crate::common::fake_google::code_for(ADA)
        )))
        .header("cookie", oauth)
        .send()
        .await
        .expect("callback");
    (consent, back)
}

#[tokio::test]
async fn allowing_contacts_asks_for_them_on_top_and_says_so_on_the_page() {
    let app = spawn_app(&[]).await;
    app.mount_google(3600).await;
    let cookie = app.sign_in(ADA).await;
    let (_, me) = json_of(app.get_with_cookie("/api/me", &cookie).await).await;
    assert_eq!(me["contacts"], false);
    let page = app
        .get_with_cookie("/", &cookie)
        .await
        .text()
        .await
        .expect("page");
    assert!(
        page.contains("Allow contacts so Alex can find people by name"),
        "{page}"
    );
    assert!(page.contains(r#"href="/api/auth/google?with=contacts""#));

    let (consent, back) = contacts_consent(&app, WITH_CONTACTS).await;
    let scope = crate::common::query_param(&consent, "scope").expect("scope");
    assert!(
        scope.contains("https://www.googleapis.com/auth/contacts.readonly"),
        "{scope}"
    );
    assert!(
        scope.contains("https://www.googleapis.com/auth/contacts.other.readonly"),
        "{scope}"
    );
    assert!(
        scope.contains("https://www.googleapis.com/auth/calendar.events"),
        "{scope}"
    );
    assert_eq!(
        crate::common::query_param(&consent, "include_granted_scopes").as_deref(),
        Some("true")
    );
    // The user ticked everything: contacts are on.
    assert_eq!(crate::common::location(&back), "/");
    let cookie = crate::common::cookie_pair(&back, "userId").expect("cookie");
    let (_, me) = json_of(app.get_with_cookie("/api/me", &cookie).await).await;
    assert_eq!(me["contacts"], true);
    let page = app
        .get_with_cookie("/", &cookie)
        .await
        .text()
        .await
        .expect("page");
    assert!(
        !page.contains("Allow contacts so Alex"),
        "offered only while not allowed"
    );
}

#[tokio::test]
async fn unticking_contacts_keeps_the_user_signed_in_and_says_what_it_means() {
    let app = spawn_app(&[]).await;
    app.mount_google(3600).await;
    let (_, back) = contacts_consent(&app, crate::common::fake_google::GRANTED).await;
    assert_eq!(
        crate::common::location(&back),
        "/?auth_error=contacts_not_allowed"
    );
    let cookie = crate::common::cookie_pair(&back, "userId").expect("signed in all the same");
    let page = app
        .get_with_cookie("/?auth_error=contacts_not_allowed", &cookie)
        .await
        .text()
        .await
        .expect("page");
    assert!(page.contains("spell addresses"), "{page}");
    let (_, me) = json_of(app.get_with_cookie("/api/me", &cookie).await).await;
    assert_eq!(
        (me["connected"].as_bool(), me["contacts"].as_bool()),
        (Some(true), Some(false))
    );
}

#[tokio::test]
async fn the_audit_command_prints_every_attempt() {
    let app = ready(WITH_CONTACTS).await;
    let _events = fake_calendar::mount_events(&app.google).await;
    let minted = unix_now();
    let id = a_draft(&app, ADA, minted).await;
    call(&app, MEETINGS, ADA, minted, json!({"draft_id": id})).await;
    call(&app, MEETINGS, EVE, minted, json!({"draft_id": "QQQQQQ"})).await;
    let run = |user: Option<&str>| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_calendar-agent"));
        command
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("DATABASE_URL", &app.config.store.database_url)
            .env("TOKEN_ENCRYPTION_KEY", crate::common::TEST_TOKEN_KEY)
            .env("PRESIGN_SECRET", crate::common::TEST_PRESIGN_SECRET)
            .current_dir(app.dir.path())
            .arg("audit");
        if let Some(user) = user {
            command.args(["--user", user]);
        }
        let out = command.output().expect("runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let everyone = run(None);
    assert_eq!(everyone.lines().count(), 3, "{everyone}");
    assert!(
        everyone.lines().any(|l| l.contains(&id)
            && l.contains("created")
            && l.contains("sam@example.com, lee@example.org")),
        "{everyone}"
    );
    let ada = run(Some(ADA));
    assert_eq!(ada.lines().count(), 2, "{ada}");
    assert!(!ada.contains(EVE));
}

#[tokio::test]
async fn list_events_shows_the_meeting_as_the_agents() {
    let app = ready(WITH_CONTACTS).await;
    let events: Events = fake_calendar::mount_events(&app.google).await;
    let minted = unix_now();
    let id = a_draft(&app, ADA, minted).await;
    let (_, sent) = call(&app, MEETINGS, ADA, minted, json!({"draft_id": id})).await;
    let event = events
        .get(sent["eventId"].as_str().expect("id"))
        .expect("stored");
    fake_calendar::mount_list(&app.google, json!([event])).await;
    let (status, body) = call(
        &app,
        LIST,
        ADA,
        minted,
        json!({"timezone": "UTC", "window_start": "2030-03-05", "window_end": "2030-03-05"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["events"][0]["madeByAgent"], true);
}
