//! `block_time` against a stateful fake Google Calendar.

use std::time::{Duration, Instant};

use crate::common::ADA;
use crate::common::fake_calendar::{self, calendar_requests, google_error, query};
use crate::common::routes::BLOCK;
use crate::common::{TestApp, json_of, spawn_with_user};
use jiff::Timestamp;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

async fn ready() -> TestApp {
    spawn_with_user(&[], ADA).await
}

fn focus() -> Value {
    json!({"title": "Focus time", "start": "2026-11-24T09:00:00", "end": "2026-11-24T10:00:00",
           "timezone": "America/New_York", "notes": "No meetings"})
}

fn instant(text: &str) -> Timestamp {
    text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
}

#[tokio::test]
async fn it_creates_a_self_only_opaque_hold_at_the_right_instant() {
    let app = ready().await;
    let events = fake_calendar::mount_events(&app.google).await;
    let url = app.tool_url(BLOCK, ADA);
    let (status, body) = json_of(app.post_json(&url, &focus()).await).await;
    assert_eq!(status, 200, "{body}");

    let inserts = calendar_requests(&app.google).await;
    assert_eq!(inserts.len(), 1);
    assert_eq!(query(&inserts[0], "sendUpdates").as_deref(), Some("none"));
    let sent: Value = serde_json::from_slice(&inserts[0].body).expect("json");
    assert_eq!(sent["summary"], "Focus time");
    assert_eq!(sent["description"], "No meetings");
    assert_eq!(sent["transparency"], "opaque");
    assert!(sent.get("attendees").is_none(), "never attendees: {sent}");
    assert_eq!(
        instant(sent["start"]["dateTime"].as_str().expect("start")),
        instant("2026-11-24T14:00:00Z")
    );
    assert_eq!(
        instant(sent["end"]["dateTime"].as_str().expect("end")),
        instant("2026-11-24T15:00:00Z")
    );
    assert_eq!(sent["start"]["timeZone"], "America/New_York");
    let id = sent["id"].as_str().expect("id");
    assert!(
        id.len() >= 5 && id.chars().all(|c| matches!(c, 'a'..='v' | '0'..='9')),
        "{id}"
    );

    assert_eq!(
        body,
        json!({
            "eventId": id,
            "htmlLink": format!("https://calendar.google.com/event?eid={id}"),
            "start": "2026-11-24T09:00:00-05:00",
            "end": "2026-11-24T10:00:00-05:00",
            "timezone": "America/New_York"
        })
    );
    assert_eq!(events.len(), 1);
}

#[tokio::test]
async fn a_repeated_identical_call_creates_one_event_and_returns_it() {
    let app = ready().await;
    let events = fake_calendar::mount_events(&app.google).await;
    let url = app.tool_url(BLOCK, ADA);
    let (first_status, first) = json_of(app.post_json(&url, &focus()).await).await;
    let (second_status, second) = json_of(app.post_json(&url, &focus()).await).await;
    assert_eq!((first_status, second_status), (200, 200), "{second}");
    assert_eq!(first, second);
    assert_eq!(events.len(), 1);

    // A different hold in the same session is a different event.
    let mut lunch = focus();
    lunch["title"] = json!("Lunch");
    assert_eq!(json_of(app.post_json(&url, &lunch).await).await.0, 200);
    assert_eq!(events.len(), 2);
}

#[tokio::test]
async fn bad_arguments_answer_400_and_nothing_is_created() {
    let app = ready().await;
    let events = fake_calendar::mount_events(&app.google).await;
    let url = app.tool_url(BLOCK, ADA);
    for (key, value, argument) in [
        ("title", json!(null), "title"),
        ("title", json!("   "), "title"),
        ("timezone", json!(null), "timezone"),
        ("timezone", json!("Mars/Olympus"), "timezone"),
        ("start", json!("tomorrow at nine"), "start"),
        ("end", json!("2026-11-24T09:00:00"), "end"),
        ("end", json!("2026-11-24T08:00:00"), "end"),
        ("notes", json!(42), "notes"),
    ] {
        let mut args = focus();
        args[key] = value.clone();
        let (status, body) = json_of(app.post_json(&url, &args).await).await;
        assert_eq!(status, 400, "{key}={value}: {body}");
        assert_eq!(body["argument"], argument, "{key}={value}");
    }
    assert!(app.google_untouched().await);
    assert_eq!(events.len(), 0);
}

#[tokio::test]
async fn a_google_error_is_a_502_and_a_slow_google_a_504() {
    let app = spawn_with_user(&[(crate::common::TOOL_BUDGET_MS, "500")], ADA).await;
    Mock::given(method("POST"))
        .and(path("/calendar/v3/calendars/primary/events"))
        .respond_with(google_error(500, "Backend Error"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&app.google)
        .await;
    Mock::given(method("POST"))
        .and(path("/calendar/v3/calendars/primary/events"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(8)))
        .mount(&app.google)
        .await;
    let url = app.tool_url(BLOCK, ADA);
    let (status, body) = json_of(app.post_json(&url, &focus()).await).await;
    assert_eq!(status, 502, "{body}");
    let started = Instant::now();
    let (status, body) = json_of(app.post_json(&url, &focus()).await).await;
    assert_eq!(status, 504, "{body}");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn asking_again_for_a_hold_the_user_deleted_brings_it_back() {
    let app = ready().await;
    let events = fake_calendar::mount_events(&app.google).await;
    let url = app.tool_url(BLOCK, ADA);
    let (_, first) = json_of(app.post_json(&url, &focus()).await).await;
    let id = first["eventId"].as_str().expect("id").to_owned();
    // The user deletes the hold in Google Calendar; Google keeps the id, as `cancelled`.
    events.cancel(&id);

    let (status, again) = json_of(app.post_json(&url, &focus()).await).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["eventId"], id.as_str());
    assert_eq!(
        events.get(&id).expect("event")["status"],
        "confirmed",
        "the hold is on the calendar again, not reported as made while it is gone"
    );
    let puts: Vec<_> = calendar_requests(&app.google)
        .await
        .into_iter()
        .filter(|r| r.method.as_str() == "PUT")
        .collect();
    assert_eq!(puts.len(), 1);
    assert_eq!(query(&puts[0], "sendUpdates").as_deref(), Some("none"));
    let sent: Value = serde_json::from_slice(&puts[0].body).expect("json");
    assert_eq!(sent["status"], "confirmed");
    assert_eq!(sent["summary"], "Focus time");
    assert_eq!(
        instant(sent["start"]["dateTime"].as_str().expect("start")),
        instant("2026-11-24T14:00:00Z")
    );
}

#[tokio::test]
async fn a_repeat_of_a_live_hold_writes_nothing_more() {
    let app = ready().await;
    let _events = fake_calendar::mount_events(&app.google).await;
    let url = app.tool_url(BLOCK, ADA);
    assert_eq!(json_of(app.post_json(&url, &focus()).await).await.0, 200);
    assert_eq!(json_of(app.post_json(&url, &focus()).await).await.0, 200);
    let writes = calendar_requests(&app.google)
        .await
        .into_iter()
        .filter(|r| r.method.as_str() != "GET")
        .count();
    assert_eq!(writes, 2, "two inserts (the second a 409), no update");
}

#[tokio::test]
async fn a_zone_in_another_letter_case_is_sent_to_google_by_its_canonical_name() {
    let app = ready().await;
    let _events = fake_calendar::mount_events(&app.google).await;
    let mut args = focus();
    args["timezone"] = json!("america/new_york");
    let (status, body) = json_of(app.post_json(&app.tool_url(BLOCK, ADA), &args).await).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["timezone"], "America/New_York");
    let sent: Value =
        serde_json::from_slice(&calendar_requests(&app.google).await[0].body).expect("json");
    assert_eq!(sent["start"]["timeZone"], "America/New_York");
    assert_eq!(sent["end"]["timeZone"], "America/New_York");
}

/// Focus time and out of office as Google's guide describes them: the event type and the
/// properties that decline what conflicts.
#[tokio::test]
async fn focus_time_and_out_of_office_are_googles_own_event_types() {
    let app = ready().await;
    let events = fake_calendar::mount_events(&app.google).await;
    let mut args = focus();
    args["kind"] = json!("focus");
    let (status, body) = app.call_tool(BLOCK, ADA, args).await;
    assert_eq!(status, 200, "{body}");
    let mut away = json!({"title": "Away", "start": "2026-11-25", "end": "2026-11-25",
        "timezone": "America/New_York", "kind": "out_of_office",
        "decline_message": "Away today, back on Thursday"});
    let (status, body) = app.call_tool(BLOCK, ADA, away.clone()).await;
    assert_eq!(status, 200, "{body}");
    let sent: Vec<Value> = fake_calendar::requests_with(&app.google, "POST")
        .await
        .iter()
        .map(|r| serde_json::from_slice(&r.body).expect("json"))
        .collect();
    assert_eq!(sent[0]["eventType"], "focusTime");
    assert_eq!(
        sent[0]["focusTimeProperties"],
        json!({"autoDeclineMode": "declineOnlyNewConflictingInvitations", "chatStatus": "doNotDisturb"})
    );
    assert_eq!(sent[1]["eventType"], "outOfOffice");
    assert_eq!(
        sent[1]["outOfOfficeProperties"],
        json!({"autoDeclineMode": "declineAllConflictingInvitations",
               "declineMessage": "Away today, back on Thursday"})
    );
    assert_eq!(sent[1]["start"]["dateTime"], "2026-11-25T05:00:00Z");
    assert_eq!(events.len(), 2);
    // A message goes with out of office only.
    away["kind"] = json!("hold");
    let (status, body) = app.call_tool(BLOCK, ADA, away).await;
    assert_eq!(
        (status, body["argument"].as_str()),
        (400, Some("decline_message")),
        "{body}"
    );
}

/// Out of office declines the invitations it overlaps, each telling its organizer: counted in
/// the guest e-mail allowance before anything is written, and named in the answer. Beyond the
/// allowance nothing is written and nobody is told.
#[tokio::test]
async fn out_of_office_counts_and_names_the_invitations_it_declines() {
    let app = spawn_with_user(&[("GUEST_EMAILS_PER_HOUR", "2")], ADA).await;
    let events = fake_calendar::mount_events(&app.google).await;
    let invite = |id: &str, title: &str, organizer: &str, hour: u8, response: &str| {
        json!({"id": id, "summary": title, "organizer": {"email": organizer},
            "attendees": [{"email": organizer, "organizer": true, "responseStatus": "accepted"},
                          {"email": ADA, "self": true, "responseStatus": response}],
            "start": {"dateTime": format!("2030-03-06T{hour:02}:00:00Z")},
            "end": {"dateTime": format!("2030-03-06T{:02}:00:00Z", hour + 1)}})
    };
    events.put(invite(
        "i1",
        "Budget review",
        "bob@example.com",
        10,
        "accepted",
    ));
    events.put(invite(
        "i2",
        "Hiring sync",
        "cy@example.com",
        14,
        "needsAction",
    ));
    events.put(invite(
        "i3",
        "Already said no",
        "dee@example.com",
        15,
        "declined",
    ));
    events.put(json!({"id": "own", "summary": "My 1:1", "organizer": {"email": ADA, "self": true},
        "attendees": [{"email": "sam@example.com"}],
        "start": {"dateTime": "2030-03-06T16:00:00Z"}, "end": {"dateTime": "2030-03-06T17:00:00Z"}}));
    let away = |day: &str| {
        json!({"title": "Away", "start": day, "end": day, "timezone": "UTC",
        "kind": "out_of_office"})
    };
    let (status, body) = app.call_tool(BLOCK, ADA, away("2030-03-06")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["declined"], json!(["Budget review", "Hiring sync"]));
    assert_eq!(
        events.emails(),
        ["bob@example.com", "cy@example.com"],
        "one e-mail per organizer, none for a no already said or the user's own meeting"
    );
    // The allowance (2) is spent: a second absence that would decline one more writes nothing.
    events.put(json!({"id": "i4", "summary": "Friday standup", "organizer": {"email": "eve@example.com"},
        "attendees": [{"email": ADA, "self": true, "responseStatus": "accepted"}],
        "start": {"dateTime": "2030-03-08T09:00:00Z"}, "end": {"dateTime": "2030-03-08T10:00:00Z"}}));
    let stored = events.len();
    let (status, body) = app.call_tool(BLOCK, ADA, away("2030-03-08")).await;
    crate::common::assert_error(status, &body, 429, "invite_limit");
    assert_eq!(events.len(), stored, "nothing written");
    assert_eq!(events.emails().len(), 2, "nobody else told");
}

/// Not every account has focus time: Google's refusal is a sentence that offers a plain hold,
/// and nothing is on the calendar.
#[tokio::test]
async fn an_account_without_focus_time_hears_that_a_plain_hold_is_possible() {
    let app = ready().await;
    let events = fake_calendar::mount_events(&app.google).await;
    events.refuse_type("focusTime");
    let mut args = focus();
    args["kind"] = json!("focus");
    let (status, body) = app.call_tool(BLOCK, ADA, args).await;
    crate::common::assert_error(status, &body, 400, "kind_not_available");
    let message = body["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("focus time") && message.contains("plain hold"),
        "{message}"
    );
    assert_eq!(events.len(), 0, "nothing was added");
    // The plain hold it offers works.
    let (status, body) = app.call_tool(BLOCK, ADA, focus()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(events.len(), 1);
}

/// "I'm at the Berlin office on Thursday": a working-location entry as Google's guide writes
/// one, nobody told; list_events then says it once for that day, not as an event.
#[tokio::test]
async fn a_working_location_is_set_and_read_back_once_for_its_day() {
    let app = ready().await;
    let events = fake_calendar::mount_events(&app.google).await;
    let args = json!({"title": "Berlin office", "start": "2030-03-07T09:00:00",
        "end": "2030-03-07T17:00:00", "timezone": "Europe/Berlin",
        "kind": "working_location", "location": "office", "location_label": "Berlin HQ"});
    // One session's URL for both calls: a repeat is recognised within a session.
    let url = app.tool_url(BLOCK, ADA);
    let (status, body) = json_of(app.post_json(&url, &args).await).await;
    assert_eq!(status, 200, "{body}");
    let id = body["eventId"].as_str().expect("eventId").to_owned();
    let held = events.get(&id).expect("the entry is on the calendar");
    assert_eq!(held["eventType"], "workingLocation");
    assert_eq!(held["transparency"], "transparent", "it blocks no time");
    assert_eq!(held["visibility"], "public");
    assert_eq!(
        held["workingLocationProperties"],
        json!({"type": "officeLocation", "officeLocation": {"label": "Berlin HQ"}})
    );
    assert!(held.get("attendees").is_none());
    assert!(events.emails().is_empty(), "nobody is told");
    // Said again (Anam retrying): the same entry, not a second one.
    let (status, again) = json_of(app.post_json(&url, &args).await).await;
    assert_eq!(status, 200);
    assert_eq!(again["eventId"], body["eventId"]);
    assert_eq!(events.len(), 1);

    // Another day at home (all day, as Google Calendar sets it) and a meeting on Thursday.
    events.put(
        json!({"id": "wl2", "eventType": "workingLocation", "status": "confirmed",
        "start": {"date": "2030-03-08"}, "end": {"date": "2030-03-09"},
        "workingLocationProperties": {"type": "homeOffice", "homeOffice": {}}}),
    );
    events.put(json!({"id": "m1", "status": "confirmed", "summary": "Planning",
        "organizer": {"email": ADA, "self": true},
        "start": {"dateTime": "2030-03-07T10:00:00Z"}, "end": {"dateTime": "2030-03-07T11:00:00Z"}}));
    let (status, body) = app
        .call_tool(
            crate::common::routes::LIST,
            ADA,
            json!({"window_start": "2030-03-04", "window_end": "2030-03-10",
                   "timezone": "Europe/Berlin"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["working_locations"],
        json!([{"date": "2030-03-07", "where": "office", "label": "Berlin HQ"},
               {"date": "2030-03-08", "where": "home"}])
    );
    let titles: Vec<&str> = body["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["title"].as_str())
        .collect();
    assert_eq!(titles, ["Planning"], "working locations are not events");
}

#[tokio::test]
async fn an_account_without_working_locations_is_told_where_to_set_it_and_nothing_is_added() {
    let app = ready().await;
    let events = fake_calendar::mount_events(&app.google).await;
    events.refuse_type("workingLocation");
    let args = json!({"title": "Home", "start": "2030-03-07T09:00:00",
        "end": "2030-03-07T17:00:00", "timezone": "Europe/Berlin",
        "kind": "working_location", "location": "home"});
    let (status, body) = app.call_tool(BLOCK, ADA, args).await;
    crate::common::assert_error(status, &body, 400, "kind_not_available");
    let message = body["message"].as_str().unwrap_or_default();
    assert!(message.contains("working location"), "{message}");
    assert!(!message.contains("plain hold"), "{message}");
    assert_eq!(events.len(), 0);
}

#[tokio::test]
async fn a_working_location_needs_its_place_and_a_place_needs_the_kind() {
    let app = ready().await;
    let events = fake_calendar::mount_events(&app.google).await;
    let mut args = focus();
    args["kind"] = json!("working_location");
    let (status, body) = app.call_tool(BLOCK, ADA, args).await;
    crate::common::assert_error(status, &body, 400, "invalid_argument");
    assert_eq!(body["argument"], "location");
    let mut args = focus();
    args["location"] = json!("home");
    let (status, body) = app.call_tool(BLOCK, ADA, args).await;
    crate::common::assert_error(status, &body, 400, "invalid_argument");
    assert_eq!(body["argument"], "location");
    assert_eq!(events.len(), 0);
}

/// Anam retrying while the first call is still on its way: eight identical calls at once on one
/// session's URL leave one working-location entry, and every answer names it.
#[tokio::test]
async fn identical_working_locations_sent_at_once_leave_one_entry() {
    let app = ready().await;
    let events = fake_calendar::mount_events(&app.google).await;
    events.answer_inserts_after(Duration::from_millis(200));
    let args = json!({"title": "Home", "start": "2030-03-08T09:00:00",
        "end": "2030-03-08T17:00:00", "timezone": "Europe/Berlin",
        "kind": "working_location", "location": "home"});
    let url = app.tool_url(BLOCK, ADA);
    let calls = (0..8).map(|_| async { json_of(app.post_json(&url, &args).await).await });
    let answers = futures_util::future::join_all(calls).await;
    let ids: std::collections::HashSet<String> = answers
        .iter()
        .map(|(status, body)| {
            assert_eq!(*status, 200, "{body}");
            body["eventId"].as_str().unwrap_or_default().to_owned()
        })
        .collect();
    assert_eq!(ids.len(), 1, "{answers:?}");
    assert_eq!(events.len(), 1, "one entry on the calendar");
    let held = events.get(ids.iter().next().expect("id")).expect("held");
    assert_eq!(held["workingLocationProperties"]["type"], "homeOffice");
}
