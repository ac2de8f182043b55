//! Changing events: propose_change reads back, apply_change writes, and respond_to_invite,
//! against a stateful fake Google Calendar that keeps etags and answers `If-Match` as Google
//! does (412 when the event changed). What Google received (or did not) is the assertion: a
//! proposal or a refused change writes nothing.

use crate::common::ADA;
use crate::common::fake_calendar::{self, Events, invitation, query, requests_with, weekly_sync};
use crate::common::routes::{APPLY, LIST, PROPOSE, RESPOND};
use crate::common::{TestApp, assert_error, json_of, spawn_with_user, stored_items};
use calendar_agent::clock::unix_now;
use serde_json::{Value, json};
use wiremock::Request;

async fn ready() -> (TestApp, Events) {
    let app = spawn_with_user(&[], ADA).await;
    let events = fake_calendar::mount_events(&app.google).await;
    // What overlaps a new time: Ada's 11:00 call on 5 March.
    fake_calendar::mount_list(
        &app.google,
        json!([{"id": "call1", "status": "confirmed", "summary": "Customer call",
                "start": {"dateTime": "2030-03-05T11:30:00Z"}, "end": {"dateTime": "2030-03-05T12:00:00Z"}}]),
    )
    .await;
    (app, events)
}

/// POSTs `args` to `path` as Ada's session minted at `minted`.
async fn call(app: &TestApp, path: &str, minted: u64, args: Value) -> (u16, Value) {
    json_of(
        app.post_json(&app.session_url(path, ADA, minted), &args)
            .await,
    )
    .await
}

fn kickoff() -> Value {
    json!({"id": "meet1", "status": "confirmed", "summary": "Kickoff", "description": "Agenda",
        "organizer": {"email": ADA, "self": true},
        "attendees": [{"email": ADA, "self": true, "organizer": true, "responseStatus": "accepted"},
                      {"email": "sam@example.com", "responseStatus": "accepted"}],
        "start": {"dateTime": "2030-03-05T09:00:00Z"}, "end": {"dateTime": "2030-03-05T10:00:00Z"}})
}

async fn writes(app: &TestApp) -> Vec<Request> {
    let mut all = Vec::new();
    for verb in ["POST", "PUT", "PATCH", "DELETE"] {
        all.extend(requests_with(&app.google, verb).await);
    }
    all
}

fn sent(request: &Request) -> Value {
    serde_json::from_slice(&request.body).unwrap_or(Value::Null)
}

fn if_match(request: &Request) -> Option<String> {
    request
        .headers
        .get("if-match")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

async fn proposed(app: &TestApp, minted: u64, args: Value) -> String {
    let (status, body) = call(app, PROPOSE, minted, args).await;
    assert_eq!(status, 200, "{body}");
    body["change_id"].as_str().expect("change_id").to_owned()
}

#[tokio::test]
async fn a_meeting_moved_is_read_back_without_a_write_then_written_once_telling_its_guests() {
    let (app, events) = ready().await;
    events.put(kickoff());
    let etag = events.get("meet1").expect("meet1")["etag"].clone();
    let minted = unix_now();
    let (status, body) = call(
        &app,
        PROPOSE,
        minted,
        json!({"event_id": "meet1", "action": "move",
        "start": "2030-03-05T11:00:00", "end": "2030-03-05T12:00:00", "timezone": "UTC",
        "note": "Room 4 is free then"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["from"],
        json!({"start": "2030-03-05T09:00:00+00:00", "end": "2030-03-05T10:00:00+00:00"})
    );
    assert_eq!(
        body["to"],
        json!({"start": "2030-03-05T11:00:00+00:00", "end": "2030-03-05T12:00:00+00:00"})
    );
    assert_eq!(body["guests"], json!(["sam@example.com"]));
    assert_eq!(body["conflicts"], json!(["Customer call"]));
    assert_eq!(
        (body["title"].as_str(), body["scope"].as_str()),
        (Some("Kickoff"), Some("this"))
    );
    assert_eq!(body["expires_in_minutes"], 15);
    assert!(writes(&app).await.is_empty(), "a proposal writes nothing");
    assert!(events.emails().is_empty());

    let id = body["change_id"].as_str().expect("id").to_owned();
    let (status, first) = call(&app, APPLY, minted, json!({"change_id": id})).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(
        first,
        json!({"eventId": "meet1", "title": "Kickoff", "action": "move", "scope": "this",
        "start": "2030-03-05T11:00:00+00:00", "end": "2030-03-05T12:00:00+00:00",
        "timezone": "UTC", "guestsNotified": true})
    );
    let (status, again) = call(&app, APPLY, minted, json!({"change_id": id})).await;
    assert_eq!(
        (status, &again),
        (200, &first),
        "a retry gets the first answer"
    );
    let patches = requests_with(&app.google, "PATCH").await;
    assert_eq!(patches.len(), 1, "one write, whatever the retries");
    assert_eq!(query(&patches[0], "sendUpdates").as_deref(), Some("all"));
    assert_eq!(
        if_match(&patches[0]).as_deref(),
        etag.as_str(),
        "written on the etag read back"
    );
    let body = sent(&patches[0]);
    assert_eq!(body["start"]["dateTime"], "2030-03-05T11:00:00Z");
    assert_eq!(body["description"], "Agenda\n\nRoom 4 is free then");
    assert_eq!(events.emails(), ["sam@example.com"]);
    assert_eq!(
        events.get("meet1").expect("meet1")["start"]["dateTime"],
        "2030-03-05T11:00:00Z"
    );
}

#[tokio::test]
async fn an_event_someone_else_organizes_is_refused_and_nothing_is_kept() {
    let (app, events) = ready().await;
    events.put(invitation());
    let minted = unix_now();
    for args in [
        json!({"event_id": "inv1", "action": "cancel"}),
        json!({"event_id": "inv1", "action": "move", "start": "2030-03-06T17:00:00",
               "end": "2030-03-06T18:00:00", "timezone": "UTC"}),
    ] {
        let (status, body) = call(&app, PROPOSE, minted, args).await;
        assert_error(status, &body, 403, "not_organizer");
        assert!(body.get("change_id").is_none());
        assert!(
            body["message"]
                .as_str()
                .is_some_and(|m| m.contains("decline")),
            "{body}"
        );
    }
    assert!(writes(&app).await.is_empty());
    assert_eq!(stored_items(&app).await, 0, "nothing stored to apply");
}

#[tokio::test]
async fn an_event_edited_after_it_was_read_back_is_not_overwritten() {
    let (app, events) = ready().await;
    events.put(kickoff());
    let minted = unix_now();
    let id = proposed(
        &app,
        minted,
        json!({"event_id": "meet1", "action": "cancel"}),
    )
    .await;
    // Sam's co-organiser renames it in Google Calendar meanwhile (a new etag).
    let mut edited = events.get("meet1").expect("meet1");
    edited["summary"] = json!("Kickoff (moved to the big room)");
    events.put(edited);
    let (status, body) = call(&app, APPLY, minted, json!({"change_id": id})).await;
    assert_error(status, &body, 409, "event_changed");
    let kept = events.get("meet1").expect("meet1");
    assert_eq!(kept["status"], "confirmed", "not cancelled");
    assert_eq!(
        kept["summary"], "Kickoff (moved to the big room)",
        "the edit survives"
    );
    assert!(events.emails().is_empty());
    let rows = app
        .state
        .store
        .audit_rows(Some(ADA), 10)
        .await
        .expect("audit");
    assert_eq!(
        rows.last().map(|r| r.outcome.as_str()),
        Some("failed"),
        "{rows:?}"
    );
}

#[tokio::test]
async fn unknown_foreign_and_meeting_ids_apply_nothing() {
    let (app, events) = ready().await;
    events.put(kickoff());
    let minted = unix_now();
    let ada_s = proposed(
        &app,
        minted,
        json!({"event_id": "meet1", "action": "cancel"}),
    )
    .await;
    // Eve signs her own URL (she has an account here too) and tries Ada's change id.
    let eve_url = app.session_url(APPLY, "eve@example.com", minted);
    app.connect("eve@example.com").await;
    let (status, body) = json_of(app.post_json(&eve_url, &json!({"change_id": ada_s})).await).await;
    assert_error(status, &body, 404, "change_not_found");
    for id in ["QQQQQQ", "not an id"] {
        let (status, body) = call(&app, APPLY, minted, json!({"change_id": id})).await;
        assert_error(status, &body, 404, "change_not_found");
    }
    // A change id from an earlier session is refused too.
    let (status, body) = call(&app, APPLY, minted - 60, json!({"change_id": ada_s})).await;
    assert_error(status, &body, 404, "change_not_found");
    assert!(writes(&app).await.is_empty());
    assert_eq!(events.get("meet1").expect("meet1")["status"], "confirmed");
}

#[tokio::test]
async fn the_apply_url_lives_as_briefly_as_the_invitation_url() {
    let (app, events) = ready().await;
    events.put(kickoff());
    let long_ago = unix_now() - 1000;
    let id = proposed(
        &app,
        long_ago,
        json!({"event_id": "meet1", "action": "cancel"}),
    )
    .await;
    // Minted 1000 s ago: the session's other tools work, apply_change's URL (900 s) is spent.
    let (status, body) = call(&app, APPLY, long_ago, json!({"change_id": id})).await;
    assert_error(status, &body, 401, "url_expired");
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("press Start again"))
    );
    // Signed for the session's hour with the right secret: beyond the route's life, refused.
    let day_long = calendar_agent::presign::presign_url(
        &app.config.signing.presign,
        &app.config.public_url(APPLY),
        ADA,
        unix_now() + 3600,
    );
    let (status, body) = json_of(app.post_json(&day_long, &json!({"change_id": id})).await).await;
    assert_error(status, &body, 401, "url_too_long_lived");
    assert!(writes(&app).await.is_empty());
}

#[tokio::test]
async fn list_events_marks_what_can_be_changed_and_what_repeats() {
    let app = spawn_with_user(&[], ADA).await;
    let events = fake_calendar::mount_events(&app.google).await;
    events.put(weekly_sync());
    events.put(invitation());
    let occurrence = events.get("sync1_20300311T090000Z").expect("occurrence");
    fake_calendar::mount_list(&app.google, json!([occurrence, invitation(), kickoff()])).await;
    let (status, body) = call(
        &app,
        LIST,
        unix_now(),
        json!({"timezone": "UTC",
        "window_start": "2030-03-04", "window_end": "2030-03-12"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let by_id = |id: &str| {
        body["events"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|e| e["id"] == id)
            .cloned()
            .unwrap_or_default()
    };
    let sync = by_id("sync1_20300311T090000Z");
    assert_eq!(
        (sync["recurring"].as_bool(), sync["canChange"].as_bool()),
        (Some(true), Some(true))
    );
    let invite = by_id("inv1");
    assert!(
        invite.get("canChange").is_none() && invite.get("recurring").is_none(),
        "{invite}"
    );
    assert_eq!(invite["myResponse"], "needsAction");
    assert_eq!(
        invite["attendees"],
        json!([{"email": "cy@example.com", "response": "declined"}]),
        "the organizer is named on its own; an accepted answer goes without saying"
    );
    assert_eq!(invite["organizer"], "bob@example.com");
    assert_eq!(by_id("meet1")["canChange"], true);
}

#[tokio::test]
async fn answering_an_invitation_changes_only_the_users_own_entry() {
    let (app, events) = ready().await;
    events.put(invitation());
    let (status, body) = call(
        &app,
        RESPOND,
        unix_now(),
        json!({"event_id": "inv1", "response": "declined", "comment": "on holiday"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({"eventId": "inv1", "title": "Budget review", "response": "declined"})
    );
    let patches = requests_with(&app.google, "PATCH").await;
    assert_eq!(patches.len(), 1);
    assert_eq!(query(&patches[0], "sendUpdates").as_deref(), Some("all"));
    assert_eq!(
        sent(&patches[0]),
        json!({"attendees": [
            {"email": "bob@example.com", "organizer": true, "responseStatus": "accepted"},
            {"email": ADA, "self": true, "responseStatus": "declined", "comment": "on holiday"},
            {"email": "cy@example.com", "responseStatus": "declined", "comment": "away"}
        ]}),
        "others' responses intact, nothing but attendees sent"
    );
}

#[tokio::test]
async fn answering_an_event_the_user_organised_or_is_not_on_is_refused_without_a_write() {
    let (app, events) = ready().await;
    events.put(kickoff());
    events.put(json!({"id": "other1", "status": "confirmed", "summary": "Not for Ada",
        "organizer": {"email": "bob@example.com"},
        "attendees": [{"email": "bob@example.com", "organizer": true}],
        "start": {"dateTime": "2030-03-05T12:00:00Z"}, "end": {"dateTime": "2030-03-05T13:00:00Z"}}));
    for id in ["meet1", "other1"] {
        let (status, body) = call(
            &app,
            RESPOND,
            unix_now(),
            json!({"event_id": id, "response": "accepted"}),
        )
        .await;
        assert_error(status, &body, 400, "invalid_argument");
        assert_eq!(body["argument"], "event_id");
        assert!(
            body["message"]
                .as_str()
                .is_some_and(|m| m.contains("no invitation")),
            "{body}"
        );
    }
    assert!(writes(&app).await.is_empty());
}

#[tokio::test]
async fn bad_input_is_a_400_naming_the_argument_and_reaches_no_google() {
    let (app, _events) = ready().await;
    let minted = unix_now();
    let cases = [
        (PROPOSE, json!({"action": "cancel"}), "event_id"),
        (
            PROPOSE,
            json!({"event_id": "../calendarList", "action": "cancel"}),
            "event_id",
        ),
        (PROPOSE, json!({"event_id": "abc123"}), "action"),
        (
            PROPOSE,
            json!({"event_id": "abc123", "action": "postpone"}),
            "action",
        ),
        (
            PROPOSE,
            json!({"event_id": "abc123", "action": "move", "start": "2030-03-05T14:00:00",
                         "end": "2030-03-05T15:00:00"}),
            "timezone",
        ),
        (
            PROPOSE,
            json!({"event_id": "abc123", "action": "move", "start": "half past two",
                         "end": "2030-03-05T15:00:00", "timezone": "UTC"}),
            "start",
        ),
        (
            PROPOSE,
            json!({"event_id": "abc123", "action": "move", "start": "2030-03-05T14:00:00",
                         "end": "2030-03-05T13:00:00", "timezone": "UTC"}),
            "end",
        ),
        (
            PROPOSE,
            json!({"event_id": "abc123", "action": "cancel", "scope": "some"}),
            "scope",
        ),
        (
            PROPOSE,
            json!({"event_id": "abc123", "action": "cancel", "note": "x".repeat(501)}),
            "note",
        ),
        (APPLY, json!({}), "change_id"),
        (
            RESPOND,
            json!({"event_id": "inv1", "response": "maybe"}),
            "response",
        ),
        (
            RESPOND,
            json!({"event_id": "inv1", "response": "accepted", "comment": "x".repeat(501)}),
            "comment",
        ),
    ];
    for (path, args, argument) in cases {
        let (status, body) = call(&app, path, minted, args.clone()).await;
        assert_error(status, &body, 400, "invalid_argument");
        assert_eq!(body["argument"], argument, "{path} {args}: {body}");
    }
    assert!(
        app.google_untouched().await,
        "no Google call for arguments that cannot work"
    );
    let (status, body) = call(
        &app,
        PROPOSE,
        minted,
        json!({"event_id": "nosuchevent", "action": "cancel"}),
    )
    .await;
    assert_error(status, &body, 400, "invalid_argument");
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("list_events")),
        "{body}"
    );
    assert!(writes(&app).await.is_empty());
}
