//! All of the user's calendars: availability over every selected one in one freeBusy call,
//! and list_events merging them, against a fake Google.

use crate::common::ADA;
use crate::common::fake_calendar::{self, requests_to};
use crate::common::{TestApp, assert_error, spawn_with_user};
use serde_json::{Value, json};

const WORK: &str = "c_work123@group.calendar.google.com";
const HOLIDAYS: &str = "en.usa#holiday@group.v.calendar.google.com";
const BIRTHDAYS: &str = "addressbook#contacts@group.v.calendar.google.com";
const OLD: &str = "c_old456@group.calendar.google.com";

/// Ada's calendar list: primary, a selected work calendar, an unselected holiday calendar and
/// a hidden one.
async fn with_calendars() -> TestApp {
    let app = spawn_with_user(&[], ADA).await;
    fake_calendar::mount_timezone(&app.google, "America/New_York").await;
    fake_calendar::mount_calendars(
        &app.google,
        json!([
            {"id": ADA, "summary": ADA, "primary": true, "selected": true, "accessRole": "owner"},
            {"id": WORK, "summary": "Work", "summaryOverride": "Work (team)", "selected": true, "accessRole": "writer"},
            {"id": HOLIDAYS, "summary": "Holidays", "accessRole": "reader"},
            {"id": OLD, "summary": "Old project", "selected": true, "hidden": true, "accessRole": "owner"}
        ]),
    )
    .await;
    app
}

fn morning() -> Value {
    // Tuesday 2030-03-05, 09:00-12:00 in New York (EST, UTC-5).
    json!({"window_start": "2030-03-05T09:00:00", "window_end": "2030-03-05T12:00:00",
           "duration_minutes": 60})
}

#[tokio::test]
async fn a_busy_block_on_a_second_calendar_removes_the_slot_and_one_call_asks_about_all() {
    let app = with_calendars().await;
    fake_calendar::mount_busy_by_calendar(
        &app.google,
        json!({
            "primary": [],
            WORK: [{"start": "2030-03-05T14:00:00Z", "end": "2030-03-05T15:00:00Z"}],
            // Busy all day, but not selected: must not count.
            HOLIDAYS: [{"start": "2030-03-05T00:00:00Z", "end": "2030-03-06T00:00:00Z"}]
        }),
    )
    .await;
    let (status, body) = app
        .call_tool("/api/calendar/freebusy", ADA, morning())
        .await;
    assert_eq!(status, 200, "{body}");
    // 09:00-10:00 is busy on the work calendar: the first slot is 10:00.
    assert_eq!(
        body["slots"],
        json!([{"start": "2030-03-05T10:00:00-05:00", "end": "2030-03-05T11:00:00-05:00"}])
    );
    let queries = requests_to(&app.google, "/freeBusy").await;
    assert_eq!(queries.len(), 1, "one freeBusy call");
    let sent: Value = serde_json::from_slice(&queries[0].body).expect("json");
    assert_eq!(
        sent["items"],
        json!([{"id": "primary"}, {"id": WORK}]),
        "every selected calendar, and only those"
    );
}

#[tokio::test]
async fn a_selected_calendar_google_cannot_answer_for_is_left_out_but_the_primary_never() {
    let app = with_calendars().await;
    // The work calendar answers an error: the primary's availability still gives slots.
    fake_calendar::mount_busy_by_calendar(&app.google, json!({"primary": []})).await;
    let (status, body) = app
        .call_tool("/api/calendar/freebusy", ADA, morning())
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["slots"][0]["start"], "2030-03-05T09:00:00-05:00");

    let broken = with_calendars().await;
    fake_calendar::mount_busy_by_calendar(&broken.google, json!({WORK: []})).await;
    let (status, body) = broken
        .call_tool("/api/calendar/freebusy", ADA, morning())
        .await;
    assert_error(status, &body, 502, "google_error");
}

#[tokio::test]
async fn list_events_merges_every_selected_calendar_by_start_and_names_the_others() {
    let app = with_calendars().await;
    fake_calendar::mount_list(
        &app.google,
        json!([
            {"id": "p1", "summary": "Dentist", "iCalUID": "p1@google.com",
             "start": {"dateTime": "2030-03-05T16:00:00Z"}, "end": {"dateTime": "2030-03-05T17:00:00Z"}},
            {"id": "shared", "summary": "Planning", "iCalUID": "plan@google.com",
             "start": {"dateTime": "2030-03-05T15:00:00Z"}, "end": {"dateTime": "2030-03-05T15:30:00Z"}}
        ]),
    )
    .await;
    fake_calendar::mount_list_on(
        &app.google,
        WORK,
        json!([
            {"id": "w1", "summary": "Standup", "iCalUID": "w1@google.com",
             "start": {"dateTime": "2030-03-05T14:00:00Z"}, "end": {"dateTime": "2030-03-05T14:15:00Z"}},
            // The same meeting, also on the work calendar: listed once.
            {"id": "shared", "summary": "Planning", "iCalUID": "plan@google.com",
             "start": {"dateTime": "2030-03-05T15:00:00Z"}, "end": {"dateTime": "2030-03-05T15:30:00Z"}}
        ]),
    )
    .await;
    let (status, body) = app
        .call_tool(
            "/api/calendar/list-events",
            ADA,
            json!({"window_start": "2030-03-05", "window_end": "2030-03-05"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let shown: Vec<(String, Option<String>)> = body["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| {
            (
                e["title"].as_str().unwrap_or("").to_owned(),
                e["calendar"].as_str().map(str::to_owned),
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            ("Standup".to_owned(), Some("Work (team)".to_owned())),
            ("Planning".to_owned(), None),
            ("Dentist".to_owned(), None),
        ]
    );
    let lists: Vec<String> = crate::common::fake_calendar::calendar_requests(&app.google)
        .await
        .into_iter()
        .filter(|r| r.url.path().ends_with("/events"))
        .map(|r| r.url.path().to_owned())
        .collect();
    assert_eq!(
        lists.len(),
        2,
        "primary and work, not the unselected or hidden ones: {lists:?}"
    );
}

#[tokio::test]
async fn the_calendar_list_is_read_once_with_the_zone() {
    let app = with_calendars().await;
    fake_calendar::mount_busy_by_calendar(&app.google, json!({"primary": [], WORK: []})).await;
    for _ in 0..3 {
        let (status, _) = app
            .call_tool("/api/calendar/freebusy", ADA, morning())
            .await;
        assert_eq!(status, 200);
    }
    assert_eq!(
        requests_to(&app.google, "/users/me/calendarList")
            .await
            .len(),
        1
    );
    assert_eq!(
        requests_to(&app.google, "/users/me/settings/timezone")
            .await
            .len(),
        1
    );
}

#[tokio::test]
async fn a_calendar_whose_id_holds_a_hash_is_listed_correctly() {
    let app = spawn_with_user(&[], ADA).await;
    fake_calendar::mount_calendars(
        &app.google,
        json!([
            {"id": ADA, "primary": true, "selected": true},
            {"id": BIRTHDAYS, "summary": "Birthdays", "selected": true}
        ]),
    )
    .await;
    fake_calendar::mount_list(&app.google, json!([])).await;
    fake_calendar::mount_list_on(
        &app.google,
        BIRTHDAYS,
        json!([{"id": "b1", "summary": "Sam's party",
                "start": {"dateTime": "2030-03-05T18:00:00Z"}, "end": {"dateTime": "2030-03-05T20:00:00Z"}}]),
    )
    .await;
    let (status, body) = app
        .call_tool(
            "/api/calendar/list-events",
            ADA,
            json!({"window_start": "2030-03-05", "window_end": "2030-03-05", "timezone": "UTC"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["events"][0]["calendar"], "Birthdays");
}
