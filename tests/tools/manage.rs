//! Managing the calendar: move_hold, cancel_hold and respond_to_invite against a stateful fake
//! Google Calendar. What Google received (or did not) is the assertion: a refused change writes
//! nothing.

use crate::common::ADA;
use crate::common::fake_calendar::{self, Events, query, requests_with};
use crate::common::routes::{BLOCK, CANCEL, LIST, MOVE, RESPOND};
use crate::common::{TestApp, assert_error, spawn_with_user};
use serde_json::{Value, json};

async fn ready() -> (TestApp, Events) {
    let app = spawn_with_user(&[], ADA).await;
    let events = fake_calendar::mount_events(&app.google).await;
    (app, events)
}

async fn call(app: &TestApp, path: &str, args: Value) -> (u16, Value) {
    app.call_tool(path, ADA, args).await
}

/// A hold made through block_time: its id.
async fn a_hold(app: &TestApp) -> String {
    let (status, body) = call(
        app,
        BLOCK,
        json!({"title": "Focus", "start": "2030-03-05T09:00:00", "end": "2030-03-05T10:00:00",
               "timezone": "Europe/Berlin"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["eventId"].as_str().expect("id").to_owned()
}

/// A meeting someone else organised, with Ada invited.
fn invitation() -> Value {
    json!({
        "id": "inv1", "status": "confirmed", "summary": "Budget review",
        "organizer": {"email": "bob@example.com"},
        "start": {"dateTime": "2030-03-06T15:00:00Z"}, "end": {"dateTime": "2030-03-06T16:00:00Z"},
        "attendees": [
            {"email": "bob@example.com", "organizer": true, "responseStatus": "accepted"},
            {"email": ADA, "self": true, "responseStatus": "needsAction"},
            {"email": "cy@example.com", "responseStatus": "declined", "comment": "away"}
        ]
    })
}

async fn writes(app: &TestApp) -> usize {
    let mut n = 0;
    for verb in ["POST", "PUT", "PATCH", "DELETE"] {
        n += requests_with(&app.google, verb).await.len();
    }
    n
}

#[tokio::test]
async fn moving_or_cancelling_an_event_the_agent_did_not_make_is_refused_without_a_write() {
    let (app, events) = ready().await;
    // Ada's own event, made in Google Calendar: no tag.
    events.put(json!({"id": "dentist1", "status": "confirmed", "summary": "Dentist",
        "organizer": {"email": ADA, "self": true},
        "start": {"dateTime": "2030-03-05T09:00:00Z"}, "end": {"dateTime": "2030-03-05T10:00:00Z"}}));
    // And an invitation: someone else's meeting, even one made by another user of this service
    // (its tag is private to the organiser's copy).
    events.put(invitation());
    for id in ["dentist1", "inv1"] {
        let (status, body) = call(
            &app,
            MOVE,
            json!({"event_id": id, "start": "2030-03-05T11:00:00", "end": "2030-03-05T12:00:00",
                   "timezone": "UTC"}),
        )
        .await;
        assert_error(status, &body, 403, "not_made_by_agent");
        assert!(
            body["message"]
                .as_str()
                .is_some_and(|m| m.contains("Google Calendar"))
        );
        let (status, body) = call(&app, CANCEL, json!({"event_id": id})).await;
        assert_error(status, &body, 403, "not_made_by_agent");
    }
    assert_eq!(
        writes(&app).await,
        0,
        "the mock received no PATCH or DELETE"
    );
    assert_eq!(events.get("dentist1").expect("kept")["status"], "confirmed");
}

#[tokio::test]
async fn a_hold_the_agent_made_moves_once_and_tells_nobody() {
    let (app, events) = ready().await;
    let id = a_hold(&app).await;
    let (status, body) = call(
        &app,
        MOVE,
        json!({"event_id": id, "start": "2030-03-05T14:00:00", "end": "2030-03-05T15:30:00",
               "timezone": "Europe/Berlin"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({"eventId": id, "title": "Focus", "start": "2030-03-05T14:00:00+01:00",
               "end": "2030-03-05T15:30:00+01:00", "timezone": "Europe/Berlin",
               "guestsNotified": false})
    );
    let patches = requests_with(&app.google, "PATCH").await;
    assert_eq!(patches.len(), 1);
    assert_eq!(query(&patches[0], "sendUpdates").as_deref(), Some("none"));
    let sent: Value = serde_json::from_slice(&patches[0].body).expect("json");
    assert_eq!(sent["start"]["timeZone"], "Europe/Berlin");
    assert!(
        sent.get("attendees").is_none(),
        "only the times change: {sent}"
    );
    assert!(
        sent.get("summary").is_none(),
        "only the times change: {sent}"
    );
    // Read before writing: one GET, then the PATCH.
    assert_eq!(
        requests_with(&app.google, "GET")
            .await
            .iter()
            .filter(|r| r.url.path().ends_with(&id))
            .count(),
        1
    );
    assert_eq!(events.get(&id).expect("event")["summary"], "Focus");
}

#[tokio::test]
async fn moving_a_meeting_the_agent_made_tells_its_guests() {
    let (app, events) = ready().await;
    events.put(json!({"id": "meet1", "status": "confirmed", "summary": "Kickoff",
        "organizer": {"email": ADA, "self": true},
        "extendedProperties": {"private": {"createdBy": "calendar-agent"}},
        "attendees": [{"email": ADA, "self": true, "organizer": true}, {"email": "sam@example.com"}],
        "start": {"dateTime": "2030-03-05T09:00:00Z"}, "end": {"dateTime": "2030-03-05T10:00:00Z"}}));
    let (status, body) = call(
        &app,
        MOVE,
        json!({"event_id": "meet1", "start": "2030-03-05T11:00:00Z", "end": "2030-03-05T12:00:00Z",
               "timezone": "UTC"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["guestsNotified"], true);
    let patches = requests_with(&app.google, "PATCH").await;
    assert_eq!(query(&patches[0], "sendUpdates").as_deref(), Some("all"));
    let (status, body) = call(&app, CANCEL, json!({"event_id": "meet1"})).await;
    assert_eq!(
        (status, body["guestsNotified"].as_bool()),
        (200, Some(true)),
        "{body}"
    );
    let deletes = requests_with(&app.google, "DELETE").await;
    assert_eq!(query(&deletes[0], "sendUpdates").as_deref(), Some("all"));
}

#[tokio::test]
async fn cancelling_a_hold_twice_is_fine_and_deletes_once() {
    let (app, events) = ready().await;
    let id = a_hold(&app).await;
    for _ in 0..2 {
        let (status, body) = call(&app, CANCEL, json!({"event_id": id})).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["cancelled"], true);
        assert_eq!(body["title"], "Focus");
    }
    let deletes = requests_with(&app.google, "DELETE").await;
    assert_eq!(
        deletes.len(),
        1,
        "the second call saw it cancelled and wrote nothing"
    );
    assert_eq!(query(&deletes[0], "sendUpdates").as_deref(), Some("none"));
    assert_eq!(
        events.get(&id).expect("kept by Google")["status"],
        "cancelled"
    );
    // A cancelled hold cannot be moved.
    let (status, body) = call(
        &app,
        MOVE,
        json!({"event_id": id, "start": "2030-03-05T14:00:00", "end": "2030-03-05T15:00:00",
               "timezone": "UTC"}),
    )
    .await;
    assert_eq!(
        (status, body["argument"].as_str()),
        (400, Some("event_id")),
        "{body}"
    );
}

#[tokio::test]
async fn answering_an_invitation_changes_only_the_users_own_entry() {
    let (app, events) = ready().await;
    events.put(invitation());
    let (status, body) = call(
        &app,
        RESPOND,
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
    let sent: Value = serde_json::from_slice(&patches[0].body).expect("json");
    assert_eq!(
        sent,
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
    events.put(json!({"id": "mine1", "status": "confirmed", "summary": "Team lunch",
        "organizer": {"email": ADA, "self": true},
        "attendees": [{"email": ADA, "self": true, "organizer": true, "responseStatus": "accepted"},
                      {"email": "sam@example.com", "responseStatus": "accepted"}],
        "start": {"dateTime": "2030-03-05T12:00:00Z"}, "end": {"dateTime": "2030-03-05T13:00:00Z"}}));
    events.put(json!({"id": "other1", "status": "confirmed", "summary": "Not for Ada",
        "organizer": {"email": "bob@example.com"},
        "attendees": [{"email": "bob@example.com", "organizer": true}],
        "start": {"dateTime": "2030-03-05T12:00:00Z"}, "end": {"dateTime": "2030-03-05T13:00:00Z"}}));
    for id in ["mine1", "other1"] {
        let (status, body) = call(
            &app,
            RESPOND,
            json!({"event_id": id, "response": "accepted"}),
        )
        .await;
        assert_eq!(
            (status, body["argument"].as_str()),
            (400, Some("event_id")),
            "{body}"
        );
        assert!(
            body["message"]
                .as_str()
                .is_some_and(|m| m.contains("no invitation")),
            "{body}"
        );
    }
    assert_eq!(writes(&app).await, 0);
}

#[tokio::test]
async fn bad_input_to_every_new_tool_is_a_400_naming_the_argument_and_writes_nothing() {
    let (app, _events) = ready().await;
    let times =
        json!({"start": "2030-03-05T14:00:00", "end": "2030-03-05T15:00:00", "timezone": "UTC"});
    let with = |extra: Value| {
        let mut v = times.clone();
        for (k, val) in extra.as_object().expect("object") {
            v[k] = val.clone();
        }
        v
    };
    let cases = [
        (MOVE, with(json!({})), "event_id"),
        (
            MOVE,
            with(json!({"event_id": "../calendarList"})),
            "event_id",
        ),
        (
            MOVE,
            with(json!({"event_id": "abc123", "start": "half past two"})),
            "start",
        ),
        (
            MOVE,
            with(json!({"event_id": "abc123", "end": "2030-03-05T13:00:00"})),
            "end",
        ),
        (
            MOVE,
            with(json!({"event_id": "abc123", "timezone": "Mars/Olympus"})),
            "timezone",
        ),
        (CANCEL, json!({}), "event_id"),
        (CANCEL, json!({"event_id": 42}), "event_id"),
        (RESPOND, json!({"response": "accepted"}), "event_id"),
        (
            RESPOND,
            json!({"event_id": "inv1", "response": "maybe"}),
            "response",
        ),
        (RESPOND, json!({"event_id": "inv1"}), "response"),
        (
            RESPOND,
            json!({"event_id": "inv1", "response": "accepted", "comment": "x".repeat(501)}),
            "comment",
        ),
    ];
    for (path, args, argument) in cases {
        let (status, body) = call(&app, path, args.clone()).await;
        assert_eq!(
            (status, body["argument"].as_str()),
            (400, Some(argument)),
            "{path} {args}: {body}"
        );
    }
    assert!(
        app.google_untouched().await,
        "no Google call for arguments that cannot work"
    );

    // An id that names no event: Google is asked once (a read), and nothing is written.
    for (path, args) in [
        (MOVE, with(json!({"event_id": "nosuchevent"}))),
        (CANCEL, json!({"event_id": "nosuchevent"})),
        (
            RESPOND,
            json!({"event_id": "nosuchevent", "response": "accepted"}),
        ),
    ] {
        let (status, body) = call(&app, path, args).await;
        assert_eq!(
            (status, body["argument"].as_str()),
            (400, Some("event_id")),
            "{path}: {body}"
        );
        assert!(
            body["message"]
                .as_str()
                .is_some_and(|m| m.contains("list_events")),
            "{body}"
        );
    }
    assert_eq!(writes(&app).await, 0);
}

#[tokio::test]
async fn list_events_marks_what_the_agent_made() {
    let (app, events) = ready().await;
    let id = a_hold(&app).await;
    let hold = events.get(&id).expect("hold");
    events.put(invitation());
    fake_calendar::mount_list(&app.google, json!([hold, invitation()])).await;
    let (status, body) = call(
        &app,
        LIST,
        json!({"timezone": "UTC", "window_start": "2030-03-05",
        "window_end": "2030-03-07"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["events"][0]["madeByAgent"], true);
    assert!(body["events"][1].get("madeByAgent").is_none());
    assert_eq!(body["events"][1]["myResponse"], "needsAction");
}
