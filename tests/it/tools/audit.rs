//! Every write made for the user is audited: a hold, an invitation answer, a change and a
//! meeting each leave a row before Google is asked, completed after, and `calendar-agent
//! audit` lists them all; rows older than `AUDIT_RETENTION_DAYS` go.

use crate::common::fake_calendar::{self, invitation};
use crate::common::routes::{APPLY, BLOCK, DRAFTS, MEETINGS, PROPOSE, RESPOND};
use crate::common::{ADA, TestApp, json_of, spawn_with_user};
use calendar_agent::clock::unix_now;
use serde_json::{Value, json};

async fn call(app: &TestApp, path: &str, minted: u64, args: Value) -> Value {
    let (status, body) = json_of(
        app.post_json(&app.session_url(path, ADA, minted), &args)
            .await,
    )
    .await;
    assert_eq!(status, 200, "{path}: {body}");
    body
}

/// `calendar-agent audit` on the app's store: its lines.
fn audit_command(app: &TestApp) -> Vec<String> {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_calendar-agent"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", &app.config.store.database_url)
        .env("TOKEN_ENCRYPTION_KEY", crate::common::TEST_TOKEN_KEY)
        .env("PRESIGN_SECRET", crate::common::TEST_PRESIGN_SECRET)
        .current_dir(app.dir.path())
        .args(["audit", "--user", ADA])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hold_an_answer_a_change_and_a_meeting_are_each_audited_and_old_rows_go() {
    let app = spawn_with_user(&[("AUDIT_RETENTION_DAYS", "30")], ADA).await;
    let events = fake_calendar::mount_events(&app.google).await;
    fake_calendar::mount_list(&app.google, json!([])).await;
    fake_calendar::mount_busy_by_calendar(
        &app.google,
        json!({"primary": [], "sam@example.com": []}),
    )
    .await;
    let minted = unix_now();

    // A hold.
    let hold = call(
        &app,
        BLOCK,
        minted,
        json!({"title": "Deep work", "start": "2030-03-04T09:00:00",
        "end": "2030-03-04T11:00:00", "timezone": "Europe/London", "kind": "focus"}),
    )
    .await;
    // An answer to an invitation.
    events.put(invitation());
    call(
        &app,
        RESPOND,
        minted,
        json!({"event_id": "inv1", "response": "declined"}),
    )
    .await;
    // A change to one of the user's meetings.
    events.put(json!({"id": "sync1", "status": "confirmed", "summary": "Team sync",
        "organizer": {"email": ADA, "self": true},
        "attendees": [{"email": ADA, "self": true, "organizer": true, "responseStatus": "accepted"},
                      {"email": "lee@example.org", "responseStatus": "accepted"}],
        "start": {"dateTime": "2030-03-05T14:00:00Z"}, "end": {"dateTime": "2030-03-05T14:30:00Z"}}));
    let proposal = call(
        &app,
        PROPOSE,
        minted,
        json!({"event_id": "sync1", "action": "move",
        "start": "2030-03-05T15:00:00Z", "end": "2030-03-05T15:30:00Z", "timezone": "UTC"}),
    )
    .await;
    call(
        &app,
        APPLY,
        minted,
        json!({"change_id": proposal["change_id"]}),
    )
    .await;
    // A meeting.
    let draft = call(&app, DRAFTS, minted, json!({"title": "Kickoff", "start": "2030-03-06T10:00:00",
        "end": "2030-03-06T11:00:00", "timezone": "Europe/London", "attendees": ["sam@example.com"]}))
    .await;
    call(
        &app,
        MEETINGS,
        minted,
        json!({"draft_id": draft["draft_id"]}),
    )
    .await;

    // Each write's row, completed, in the order made; the command lists them all.
    let rows = app
        .state
        .store
        .audit_rows(Some(ADA), 100)
        .await
        .expect("audit");
    let seen: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r.tool.as_str(), r.outcome.as_str()))
        .collect();
    assert_eq!(
        seen,
        [
            ("block_time", "created"),
            ("respond_to_invite", "answered"),
            ("apply_change", "applied"),
            ("create_meeting", "created")
        ],
        "{rows:#?}"
    );
    assert_eq!(rows[0].event_id.as_deref(), hold["eventId"].as_str());
    assert!(
        rows[0]
            .what
            .as_deref()
            .is_some_and(|w| w.contains("focus Deep work")),
        "{rows:#?}"
    );
    assert_eq!(
        rows[1].attendees, "bob@example.com",
        "the organizer is told"
    );
    assert!(
        rows[2]
            .what
            .as_deref()
            .is_some_and(|w| w.contains("Team sync")),
        "{rows:#?}"
    );
    assert_eq!(rows[3].attendees, "sam@example.com");
    let printed = audit_command(&app);
    assert_eq!(printed.len(), 5, "{printed:#?}");
    for tool in [
        "block_time",
        "respond_to_invite",
        "apply_change",
        "create_meeting",
    ] {
        assert!(
            printed.iter().any(|l| l.contains(tool)),
            "{tool} in {printed:#?}"
        );
    }

    // A row from before the retention (30 days here), and a guest's answer as old: pruned; the
    // rows just written stay.
    let old = unix_now() as i64 - 31 * 86_400;
    sqlx::query("UPDATE meeting_audit SET at = $1 WHERE tool = 'block_time'")
        .bind(old)
        .execute(app.state.store.pool())
        .await
        .expect("age a row");
    sqlx::query("INSERT INTO guest_responses (user_id, event_id, email, response, seen_at) VALUES ($1, 'e', 'x@example.com', 'declined', $2)")
        .bind(ADA)
        .bind(old)
        .execute(app.state.store.pool())
        .await
        .expect("an old answer");
    calendar_agent::background::prune(&app.state).await;
    let left = app
        .state
        .store
        .audit_rows(Some(ADA), 100)
        .await
        .expect("audit");
    assert_eq!(left.len(), 3, "{left:#?}");
    assert!(left.iter().all(|r| r.tool != "block_time"));
    let answers: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM guest_responses WHERE email = 'x@example.com'")
            .fetch_one(app.state.store.pool())
            .await
            .expect("count");
    assert_eq!(answers, 0);
}
