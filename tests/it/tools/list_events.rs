//! `list_events` against fake Google: what Google receives, what the model gets, and every
//! failure path.

use std::time::{Duration, Instant};

use crate::common::ADA;
use crate::common::fake_calendar::{self, calendar_requests, google_error, query};
use crate::common::fake_google::{self, requests_to};
use crate::common::routes::LIST;
use crate::common::{TestApp, assert_error, json_of, spawn_app, spawn_with_user};
use jiff::Timestamp;
use serde_json::{Value, json};
use wiremock::ResponseTemplate;

async fn ready(overrides: &[(&str, &str)]) -> TestApp {
    spawn_with_user(overrides, ADA).await
}

async fn call(app: &TestApp, args: Value) -> (u16, Value) {
    app.call_tool(LIST, ADA, args).await
}

fn instant(text: &str) -> Timestamp {
    text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn sample_events() -> Value {
    json!([
        {
            "id": "standup1", "status": "confirmed", "summary": "Standup",
            "htmlLink": "https://calendar.google.com/event?eid=standup1",
            "start": {"dateTime": "2026-11-24T14:00:00Z", "timeZone": "America/New_York"},
            "end": {"dateTime": "2026-11-24T14:15:00Z", "timeZone": "America/New_York"},
            "attendees": [{"email": "ada@example.com", "self": true}, {"email": "bob@example.com"}],
            "organizer": {"email": "bob@example.com"}, "iCalUID": "x@google.com",
            "reminders": {"useDefault": true}, "location": "Room 1"
        },
        {
            "id": "holiday1", "status": "confirmed", "summary": "Thanksgiving",
            "start": {"date": "2026-11-26"}, "end": {"date": "2026-11-27"}
        }
    ])
}

#[tokio::test]
async fn with_no_arguments_it_lists_the_next_seven_days_in_the_calendars_zone() {
    let app = ready(&[]).await;
    fake_calendar::mount_timezone(&app.google, "America/New_York").await;
    fake_calendar::mount_list(&app.google, sample_events()).await;

    let before = Timestamp::now();
    let (status, body) = call(&app, json!({})).await;
    assert_eq!(status, 200, "{body}");

    let lists: Vec<_> = calendar_requests(&app.google)
        .await
        .into_iter()
        .filter(|r| r.url.path() == "/calendar/v3/calendars/primary/events")
        .collect();
    assert_eq!(lists.len(), 1);
    let r = &lists[0];
    assert_eq!(query(r, "singleEvents").as_deref(), Some("true"));
    assert_eq!(query(r, "orderBy").as_deref(), Some("startTime"));
    assert_eq!(query(r, "maxResults").as_deref(), Some("10"));
    assert_eq!(query(r, "timeZone").as_deref(), Some("America/New_York"));
    assert_eq!(
        r.headers.get("authorization").and_then(|v| v.to_str().ok()),
        Some(format!("Bearer at2:{ADA}").as_str())
    );
    let time_min = instant(&query(r, "timeMin").expect("timeMin"));
    let time_max = instant(&query(r, "timeMax").expect("timeMax"));
    assert!(
        time_min
            >= before
                .checked_sub(jiff::SignedDuration::from_secs(1))
                .expect("ts")
    );
    let span = time_max.duration_since(time_min).as_secs();
    assert!(
        (167 * 3600..=169 * 3600).contains(&span),
        "about 7 days: {span}"
    );

    assert_eq!(body["count"], 2);
    let keys: Vec<&str> = body
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    // The zone once, at the top; no links; the user left out of the attendees.
    assert_eq!(
        keys,
        ["count", "events", "timezone", "window_end", "window_start"]
    );
    assert_eq!(body["timezone"], "America/New_York");
    assert_eq!(
        body["events"][0],
        json!({
            "id": "standup1", "title": "Standup",
            "start": "2026-11-24T09:00", "end": "2026-11-24T09:15",
            "location": "Room 1", "organizer": "bob@example.com"
        })
    );
    assert_eq!(
        body["events"][1],
        json!({
            "id": "holiday1", "title": "Thanksgiving", "start": "2026-11-26", "end": "2026-11-26",
            "allDay": true, "canChange": true
        })
    );
}

#[tokio::test]
async fn naive_window_times_are_wall_clock_in_the_given_zone() {
    let app = ready(&[]).await;
    fake_calendar::mount_list(&app.google, json!([])).await;
    let (status, body) = call(
        &app,
        json!({"window_start": "2026-11-24T09:00:00", "window_end": "2026-11-24T17:00:00",
               "timezone": "America/New_York", "max_results": 500}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let requests = fake_calendar::requests_to(&app.google, "/calendars/primary/events").await;
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!(
        instant(&query(r, "timeMin").expect("min")),
        instant("2026-11-24T14:00:00Z")
    );
    assert_eq!(
        instant(&query(r, "timeMax").expect("max")),
        instant("2026-11-24T22:00:00Z")
    );
    assert_eq!(query(r, "maxResults").as_deref(), Some("50"), "clamped");
    // Wall-clock times in the zone the answer names once.
    assert_eq!(body["window_start"], "2026-11-24T09:00");
    assert_eq!(body["window_end"], "2026-11-24T17:00");
    assert_eq!(body["count"], 0);
}

#[tokio::test]
async fn a_window_across_the_fall_back_change_reads_on_the_wall_clock_and_the_repeated_hour_keeps_its_offset()
 {
    let app = ready(&[]).await;
    // 01:30 happens twice in New York on 1 November: first in EDT, then in EST.
    fake_calendar::mount_list(
        &app.google,
        json!([
            {"id": "early", "summary": "First 01:30", "start": {"dateTime": "2026-11-01T05:30:00Z"}, "end": {"dateTime": "2026-11-01T05:45:00Z"}},
            {"id": "late", "summary": "Second 01:30", "start": {"dateTime": "2026-11-01T06:30:00Z"}, "end": {"dateTime": "2026-11-01T07:15:00Z"}}
        ]),
    )
    .await;
    let (status, body) = call(
        &app,
        json!({"window_start": "2026-10-31", "window_end": "2026-11-02", "timezone": "America/New_York"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["window_start"], "2026-10-31T00:00");
    assert_eq!(body["window_end"], "2026-11-03T00:00");
    assert_eq!(body["events"][0]["start"], "2026-11-01T01:30-04:00");
    assert_eq!(body["events"][0]["end"], "2026-11-01T01:45-04:00");
    assert_eq!(body["events"][1]["start"], "2026-11-01T01:30-05:00");
    assert_eq!(
        body["events"][1]["end"], "2026-11-01T02:15",
        "02:15 happens once"
    );
    let r = &fake_calendar::requests_to(&app.google, "/calendars/primary/events").await[0];
    let span = instant(&query(r, "timeMax").expect("max"))
        .duration_since(instant(&query(r, "timeMin").expect("min")));
    assert_eq!(
        span.as_hours(),
        73,
        "three calendar days with a 25-hour one"
    );
}

#[tokio::test]
async fn bad_arguments_answer_400_naming_them_and_google_is_not_called() {
    let app = ready(&[]).await;
    for (args, argument) in [
        (json!({"timezone": "Mars/Olympus"}), "timezone"),
        (
            json!({"window_start": "next week", "timezone": "UTC"}),
            "window_start",
        ),
        (
            json!({"window_start": "2026-11-24T10:00:00Z", "window_end": "2026-11-24T09:00:00Z"}),
            "window_end",
        ),
        (
            json!({"window_start": "2026-11-24T10:00:00Z", "window_end": "2026-11-24T10:00:00Z"}),
            "window_end",
        ),
        (
            json!({"window_start": "2026-01-01T00:00:00Z", "window_end": "2026-06-01T00:00:00Z"}),
            "window_end",
        ),
        (
            json!({"max_results": "lots", "timezone": "UTC"}),
            "max_results",
        ),
    ] {
        let (status, body) = call(&app, args.clone()).await;
        assert_eq!(status, 400, "{args}: {body}");
        assert_eq!(body["argument"], argument, "{args}");
        assert!(
            body["message"]
                .as_str()
                .is_some_and(|m| m.contains(argument)),
            "{body}"
        );
    }
    assert!(app.google_untouched().await);
}

#[tokio::test]
async fn a_user_who_never_signed_in_is_told_to_sign_in() {
    let app = spawn_app(&[]).await;
    app.mount_google(3600).await;
    let url = app.tool_url(LIST, "stranger@example.com");
    let (status, body) = json_of(app.post_json(&url, &json!({"timezone": "UTC"})).await).await;
    assert_error(status, &body, 401, "not_connected");
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("sign in")),
        "{body}"
    );
    assert!(app.google_untouched().await);
}

#[tokio::test]
async fn a_revoked_grant_asks_the_user_to_sign_in_again() {
    let app = spawn_app(&[]).await;
    fake_google::answer_token_with(&app.google, fake_google::invalid_grant_answer()).await;
    app.connect(ADA).await;
    let (status, body) = call(&app, json!({"timezone": "UTC"})).await;
    assert_error(status, &body, 401, "google_reauth_required");
    assert!(calendar_requests(&app.google).await.is_empty());
}

#[tokio::test]
async fn calendar_401_refreshes_once_then_asks_for_sign_in() {
    let app = ready(&[]).await;
    let events = "/calendars/primary/events";
    fake_calendar::answer_with(
        &app.google,
        "GET",
        events,
        google_error(401, "Invalid Credentials"),
    )
    .await;
    let (status, body) = call(&app, json!({"timezone": "UTC"})).await;
    assert_error(status, &body, 401, "google_reauth_required");
    let lists = fake_calendar::requests_to(&app.google, "/calendars/primary/events").await;
    assert_eq!(lists.len(), 2, "one retry");
    assert_eq!(
        requests_to(&app.google, "/token").await.len(),
        2,
        "a fresh token for the retry"
    );
    // A freshly refreshed token refused too: the grant is dead, and the page must say so.
    let grant = app
        .state
        .store
        .grant(ADA)
        .await
        .expect("read")
        .expect("row");
    assert!(!grant.connected, "marked disconnected");
    let (status, body) = call(&app, json!({"timezone": "UTC"})).await;
    assert_error(status, &body, 401, "not_connected");
    assert_eq!(
        requests_to(&app.google, "/token").await.len(),
        2,
        "no more refreshes"
    );
}

#[tokio::test]
async fn a_401_on_a_cached_token_then_success_keeps_the_user_connected() {
    let app = ready(&[]).await;
    fake_calendar::mount_list(&app.google, json!([])).await;
    assert_eq!(call(&app, json!({"timezone": "UTC"})).await.0, 200);
    // The cached token dies early (Google rotated it): one 401, then the fresh token works.
    wiremock::Mock::given(wiremock::matchers::method("GET"))
        .and(wiremock::matchers::path(
            "/calendar/v3/calendars/primary/events",
        ))
        .respond_with(google_error(401, "Invalid Credentials"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&app.google)
        .await;
    let (status, body) = call(&app, json!({"timezone": "UTC"})).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        app.state
            .store
            .grant(ADA)
            .await
            .expect("read")
            .expect("row")
            .connected
    );
}

/// `count` typical events starting at `first` (minutes after 2026-11-24T09:00Z).
fn numbered(first: usize, count: usize) -> Vec<Value> {
    (first..first + count)
        .map(|i| {
            json!({"id": format!("e{i}"), "status": "confirmed", "summary": format!("Event {i}"),
                   "start": {"dateTime": format!("2026-11-24T09:{:02}:00Z", i % 60)},
                   "end": {"dateTime": format!("2026-11-24T10:{:02}:00Z", i % 60)}})
        })
        .collect()
}

#[tokio::test]
async fn pages_are_followed_until_the_cap_and_a_hit_cap_says_truncated() {
    let app = ready(&[]).await;
    // Google may send fewer items than maxResults with more to come.
    fake_calendar::mount_list_paged(&app.google, numbered(0, 12), 4).await;
    let (status, body) = call(&app, json!({"timezone": "UTC", "max_results": 10})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["count"], 10);
    assert_eq!(body["events"][9]["id"], "e9");
    assert_eq!(body["truncated"], true);
    let lists = fake_calendar::requests_to(&app.google, "/calendars/primary/events").await;
    assert_eq!(lists.len(), 3);
    assert_eq!(query(&lists[0], "pageToken"), None);
    assert_eq!(query(&lists[1], "pageToken").as_deref(), Some("o4"));
    assert_eq!(query(&lists[2], "pageToken").as_deref(), Some("o8"));
    let asked: Vec<_> = lists.iter().map(|r| query(r, "maxResults")).collect();
    assert_eq!(
        asked,
        [Some("10".into()), Some("6".into()), Some("2".into())],
        "only what is still wanted"
    );
}

#[tokio::test]
async fn everything_fitting_under_the_cap_is_not_truncated() {
    let app = ready(&[]).await;
    fake_calendar::mount_list_paged(&app.google, numbered(0, 5), 3).await;
    let (status, body) = call(&app, json!({"timezone": "UTC"})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["count"], 5);
    assert!(body.get("truncated").is_none(), "{body}");
}

#[tokio::test]
async fn working_locations_and_birthdays_are_not_commitments_and_declines_are_marked() {
    let app = ready(&[]).await;
    fake_calendar::mount_list(
        &app.google,
        json!([
            {"id": "home", "eventType": "workingLocation", "summary": "Home",
             "start": {"date": "2026-11-24"}, "end": {"date": "2026-11-25"}},
            {"id": "bday", "eventType": "birthday", "summary": "Sam's birthday",
             "start": {"date": "2026-11-24"}, "end": {"date": "2026-11-25"}},
            {"id": "sync", "eventType": "default", "summary": "Sync",
             "organizer": {"email": "bob@example.com"},
             "attendees": [{"email": ADA, "self": true, "responseStatus": "declined"},
                           {"email": "bob@example.com", "organizer": true, "responseStatus": "accepted"}],
             "start": {"dateTime": "2026-11-24T15:00:00Z"}, "end": {"dateTime": "2026-11-24T15:30:00Z"}},
            {"id": "focus", "eventType": "focusTime", "summary": "Focus",
             "organizer": {"email": ADA, "self": true},
             "start": {"dateTime": "2026-11-24T16:00:00Z"}, "end": {"dateTime": "2026-11-24T17:00:00Z"}}
        ]),
    )
    .await;
    let (status, body) = call(&app, json!({"timezone": "UTC"})).await;
    assert_eq!(status, 200, "{body}");
    let ids: Vec<&str> = body["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["id"].as_str())
        .collect();
    assert_eq!(ids, ["sync", "focus"]);
    assert_eq!(body["events"][0]["myResponse"], "declined");
    assert!(
        body["events"][1].get("myResponse").is_none(),
        "the organizer has no response"
    );
    // Google is asked for commitment types, and on the primary calendar for the working
    // locations, which are kept apart from the events (above: "home" is not among them).
    let list = &fake_calendar::requests_to(&app.google, "/calendars/primary/events").await[0];
    let mut types: Vec<String> = list
        .url
        .query_pairs()
        .filter(|(k, _)| k == "eventTypes")
        .map(|(_, v)| v.into_owned())
        .collect();
    types.sort();
    assert_eq!(
        types,
        [
            "default",
            "focusTime",
            "fromGmail",
            "outOfOffice",
            "workingLocation"
        ]
    );
}

#[tokio::test]
async fn a_403_from_google_is_told_apart_by_its_reason() {
    let forbidden = |reason: &str, message: &str| {
        ResponseTemplate::new(403).set_body_json(json!({"error": {"code": 403, "message": message,
            "errors": [{"domain": "usageLimits", "reason": reason}]}}))
    };
    for (answer, status, error) in [
        (
            forbidden("rateLimitExceeded", "Rate Limit Exceeded"),
            503,
            "google_rate_limited",
        ),
        (
            forbidden("userRateLimitExceeded", "User Rate Limit Exceeded"),
            503,
            "google_rate_limited",
        ),
        (
            google_error(429, "Too Many Requests"),
            503,
            "google_rate_limited",
        ),
        (forbidden("forbidden", "Forbidden"), 403, "google_forbidden"),
        (
            crate::common::fake_google::insufficient_scopes(),
            403,
            "google_scope_missing",
        ),
    ] {
        let app = ready(&[]).await;
        fake_calendar::answer_with(&app.google, "GET", "/calendars/primary/events", answer).await;
        let response = app
            .post_json(&app.tool_url(LIST, ADA), &json!({"timezone": "UTC"}))
            .await;
        let retry_after = response.headers().get("retry-after").cloned();
        let (got, body) = json_of(response).await;
        assert_eq!(
            (got, body["error"].as_str()),
            (status, Some(error)),
            "{body}"
        );
        let message = body["message"].as_str().unwrap_or("");
        match error {
            "google_rate_limited" => {
                assert!(message.contains("Try again"), "{message}");
                assert!(retry_after.is_some(), "a wait is given");
            }
            "google_scope_missing" => assert!(message.contains("sign in"), "{message}"),
            _ => assert!(
                !message.contains("sign in") && !message.contains("Try again"),
                "{message}"
            ),
        }
        // Neither is the grant's fault: the user stays connected.
        assert!(
            app.state
                .store
                .grant(ADA)
                .await
                .expect("read")
                .expect("row")
                .connected
        );
    }
}

#[tokio::test]
async fn a_google_error_is_a_502_with_a_sentence() {
    let app = ready(&[]).await;
    let events = "/calendars/primary/events";
    fake_calendar::answer_with(
        &app.google,
        "GET",
        events,
        google_error(500, "Backend Error"),
    )
    .await;
    let (status, body) = call(&app, json!({"timezone": "UTC"})).await;
    assert_error(status, &body, 502, "google_error");
    assert!(!body["message"].as_str().unwrap_or("").is_empty());
}

#[tokio::test]
async fn a_slow_google_is_a_504_when_the_calls_budget_runs_out() {
    // The budget shortened from 4.5 s (faults.rs holds the real one to Anam's limit).
    let app = ready(&[(crate::common::TOOL_BUDGET_MS, "500")]).await;
    let slow = ResponseTemplate::new(200).set_delay(Duration::from_secs(8));
    fake_calendar::answer_with(&app.google, "GET", "/calendars/primary/events", slow).await;
    let started = Instant::now();
    let (status, body) = call(&app, json!({"timezone": "UTC"})).await;
    assert_error(status, &body, 504, "google_timeout");
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(450) && took < Duration::from_secs(3),
        "{took:?}"
    );
}

#[tokio::test]
async fn the_calendar_zone_is_read_once_and_reused() {
    let app = ready(&[]).await;
    fake_calendar::mount_timezone(&app.google, "Europe/Berlin").await;
    fake_calendar::mount_list(&app.google, json!([])).await;
    for _ in 0..3 {
        let (status, body) = call(&app, json!({})).await;
        assert_eq!(status, 200);
        assert_eq!(body["timezone"], "Europe/Berlin", "{body}");
    }
    let settings = calendar_requests(&app.google)
        .await
        .into_iter()
        .filter(|r| r.url.path().ends_with("/settings/timezone"))
        .count();
    assert_eq!(settings, 1);
}

#[tokio::test]
async fn more_than_the_per_user_rate_is_429_with_retry_after() {
    let app = ready(&[("TOOL_RATE_PER_MINUTE", "3")]).await;
    fake_calendar::mount_list(&app.google, json!([])).await;
    for _ in 0..3 {
        assert_eq!(call(&app, json!({"timezone": "UTC"})).await.0, 200);
    }
    let response = app
        .post_json(&app.tool_url(LIST, ADA), &json!({"timezone": "UTC"}))
        .await;
    let retry_after: u64 = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After");
    assert!((1..=60).contains(&retry_after));
    let (status, body) = json_of(response).await;
    assert_error(status, &body, 429, "rate_limited");
    let lists = fake_calendar::requests_to(&app.google, "/calendars/primary/events").await;
    assert_eq!(lists.len(), 3, "the refused call cost Google nothing");

    // Another user has their own allowance.
    app.connect("eve@example.com").await;
    let url = app.tool_url(LIST, "eve@example.com");
    assert_eq!(
        json_of(app.post_json(&url, &json!({"timezone": "UTC"})).await)
            .await
            .0,
        200
    );
}

/// Ten typical events: a title of about twenty characters, a
/// location, an organizer who is not the user, two guests of whom one is the user, Google's
/// 21-character ids, a zone an hour from UTC; four of them occurrences of a series, and one the
/// user has not answered yet.
#[tokio::test]
async fn ten_typical_events_fit_in_2000_bytes() {
    let app = ready(&[]).await;
    let titles = [
        "Design review, Q1 plan",
        "Standup with platform",
        "1:1 with Sam Okafor",
        "Budget planning FY27",
        "Lunch with Lee Chang",
        "Hiring sync, backend",
        "Customer call, Acme",
        "Sprint retro, team B",
        "Dentist appointment",
        "Offsite prep meeting",
    ];
    let items: Vec<Value> = titles
        .iter()
        .enumerate()
        .map(|(i, title)| {
            let organiser = format!("person{i}@example.com");
            let mut event = json!({
                "kind": "calendar#event", "etag": "\"3391234567890000\"",
                "id": format!("7kq2m4n6p8r0s2t4v6u8{i}"), "status": "confirmed",
                "htmlLink": format!("https://www.google.com/calendar/event?eid=N2txMm00bjZwOHIwczJ0NHY2dThxMG0yazQgYWRhQGV4YW1wbGUuY29t{i}"),
                "created": "2026-11-01T10:00:00.000Z", "updated": "2026-11-02T10:00:00.000Z",
                "summary": title, "location": "Room 4B",
                "creator": {"email": organiser}, "organizer": {"email": organiser},
                "start": {"dateTime": format!("2026-11-24T{:02}:00:00+01:00", 8 + i), "timeZone": "Europe/Berlin"},
                "end": {"dateTime": format!("2026-11-24T{:02}:45:00+01:00", 8 + i), "timeZone": "Europe/Berlin"},
                "iCalUID": format!("7kq2m4n6p8r0s2t4v6u8{i}@google.com"), "sequence": 0,
                "attendees": [
                    {"email": ADA, "self": true, "responseStatus": if i == 5 { "needsAction" } else { "accepted" }},
                    {"email": organiser, "organizer": true, "responseStatus": "accepted"}
                ],
                "reminders": {"useDefault": true}, "eventType": "default"
            });
            if i % 3 == 0 {
                event["recurringEventId"] = json!(format!("7kq2m4n6p8r0s2t4v6u8{i}"));
                event["id"] = json!(format!("7kq2m4n6p8r0s2t4v6u8{i}_20261124T070000Z"));
            }
            event
        })
        .collect();
    assert_eq!(items[1]["id"].as_str().map(str::len), Some(21));
    fake_calendar::mount_list(&app.google, json!(items)).await;
    let response = app
        .post_json(
            &app.tool_url(LIST, ADA),
            &json!({"timezone": "Europe/Berlin", "window_start": "2026-11-24", "window_end": "2026-11-24"}),
        )
        .await;
    let bytes = response.bytes().await.expect("body");
    let body: Value = serde_json::from_slice(&bytes).expect("json");
    assert_eq!(body["count"], 10, "{body}");
    println!("10 typical events: {} bytes", bytes.len());
    assert!(bytes.len() <= 2000, "{} bytes: {body}", bytes.len());
    // Everything the avatar needs is still there.
    let first = &body["events"][0];
    assert_eq!(first["title"], "Design review, Q1 plan");
    assert_eq!(first["start"], "2026-11-24T08:00");
    assert_eq!(first["end"], "2026-11-24T08:45");
    assert_eq!(first["location"], "Room 4B");
    assert_eq!(first["organizer"], "person0@example.com");
    assert!(
        first.get("attendees").is_none(),
        "the organizer is named once"
    );
    assert_eq!(first["recurring"], true);
    assert!(
        first.get("canChange").is_none(),
        "someone else organizes it"
    );
    assert_eq!(body["events"][5]["myResponse"], "needsAction");
    assert!(
        body["events"][1].get("myResponse").is_none(),
        "accepted goes without saying"
    );
}

/// Google limiting requests, once, for `seconds`: a 429 with `Retry-After`.
async fn limited_once(app: &TestApp, seconds: u64) {
    use wiremock::matchers::{method, path};
    wiremock::Mock::given(method("GET"))
        .and(path(format!(
            "{}/calendars/primary/events",
            fake_calendar::BASE
        )))
        .respond_with(
            google_error(429, "Too Many Requests")
                .insert_header("retry-after", seconds.to_string()),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&app.google)
        .await;
}

async fn lists(app: &TestApp) -> usize {
    calendar_requests(&app.google)
        .await
        .iter()
        .filter(|r| r.url.path().ends_with("/calendars/primary/events"))
        .count()
}

#[tokio::test]
async fn googles_retry_after_is_waited_out_when_it_fits_the_budget() {
    let app = ready(&[]).await;
    fake_calendar::mount_list(&app.google, sample_events()).await;
    limited_once(&app, 2).await;
    let started = Instant::now();
    let (status, body) = call(&app, json!({"timezone": "UTC"})).await;
    let took = started.elapsed();
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["events"].as_array().map(Vec::len), Some(2), "{body}");
    assert!(
        took >= Duration::from_secs(2) && took < Duration::from_millis(4500),
        "waited what Google asked, inside the tool's budget: {took:?}"
    );
    assert_eq!(lists(&app).await, 2, "refused once, then asked again once");
}

#[tokio::test]
async fn a_retry_after_beyond_the_budget_is_answered_at_once_with_googles_wait() {
    let app = ready(&[]).await;
    fake_calendar::mount_list(&app.google, sample_events()).await;
    limited_once(&app, 4).await;
    let started = Instant::now();
    let response = app
        .post_json(&app.tool_url(LIST, ADA), &json!({"timezone": "UTC"}))
        .await;
    let took = started.elapsed();
    let retry_after = response.headers().get("retry-after").cloned();
    let (status, body) = json_of(response).await;
    assert_error(status, &body, 503, "google_rate_limited");
    assert_eq!(
        retry_after.as_ref().and_then(|v| v.to_str().ok()),
        Some("4"),
        "Google's own wait is passed on"
    );
    assert!(
        body["message"].as_str().unwrap_or("").contains("4 seconds"),
        "{body}"
    );
    assert!(took < Duration::from_secs(2), "not waited on: {took:?}");
    assert_eq!(lists(&app).await, 1, "not asked again");
}
