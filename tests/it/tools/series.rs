//! Changes to recurring events, judged by what the calendar holds afterwards: the stand-in
//! Google expands each series with the `rrule` crate (never with the service's code) and keeps
//! deleted and changed occurrences as Google does, and each test compares the occurrences the
//! calendar holds, the guests told and the e-mails counted with what the user meant.

use std::time::Duration;

use crate::common::fake_calendar::{
    self, Events, answer_with, google_error, query, requests_with, weekly_sync,
};
use crate::common::routes::{APPLY, LIST, PROPOSE};
use crate::common::{ADA, TestApp, assert_error, json_of, spawn_with_user, stored_items};
use calendar_agent::clock::unix_now;
use serde_json::{Value, json};
use wiremock::Request;

const UNTIL: &str = "2031-01-01T00:00:00Z";

async fn ready(overrides: &[(&str, &str)]) -> (TestApp, Events) {
    let app = spawn_with_user(overrides, ADA).await;
    let events = fake_calendar::mount_events(&app.google).await;
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

/// Proposes `args` and applies the change read back: the apply's answer.
async fn change(app: &TestApp, args: Value) -> (u16, Value) {
    let minted = unix_now();
    let (status, body) = call(app, PROPOSE, minted, args).await;
    assert_eq!(status, 200, "{body}");
    call(app, APPLY, minted, json!({"change_id": body["change_id"]})).await
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

fn series(id: &str, start: Value, end: Value, recurrence: &[&str], guests: &[&str]) -> Value {
    let mut attendees =
        vec![json!({"email": ADA, "self": true, "organizer": true, "responseStatus": "accepted"})];
    attendees.extend(
        guests
            .iter()
            .map(|g| json!({"email": g, "responseStatus": "accepted"})),
    );
    json!({"id": id, "summary": "Review", "organizer": {"email": ADA, "self": true},
        "attendees": attendees, "start": start, "end": end, "recurrence": recurrence})
}

fn at(zone: &str, utc: &str) -> Value {
    json!({"dateTime": utc, "timeZone": zone})
}

/// The audit row outcome of the newest change, once it is no longer `finishing` (or after
/// `within`).
async fn settled_outcome(app: &TestApp, within: Duration) -> String {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let rows = app
            .state
            .store
            .audit_rows(Some(ADA), 20)
            .await
            .expect("audit");
        let last = rows.last().map(|r| r.outcome.clone()).unwrap_or_default();
        if last != "finishing" || tokio::time::Instant::now() > deadline {
            return last;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_series_asks_which_occurrences_naming_its_rule_and_writes_nothing() {
    let (app, events) = ready(&[]).await;
    events.put(weekly_sync());
    let (status, body) = call(
        &app,
        PROPOSE,
        unix_now(),
        json!({"event_id": "sync1_20300311T090000Z", "action": "cancel"}),
    )
    .await;
    assert_error(status, &body, 400, "invalid_argument");
    assert_eq!(body["argument"], "scope");
    let message = body["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("every Monday, 6 times in all"),
        "{message}"
    );
    assert!(message.contains("following"), "{message}");
    assert!(writes(&app).await.is_empty());

    // A Spanish session's URL: the question, and the rule, in Spanish.
    let spanish = format!("{}&lang=es", app.session_url(PROPOSE, ADA, unix_now()));
    let (status, body) = json_of(
        app.post_json(
            &spanish,
            &json!({"event_id": "sync1_20300311T090000Z", "action": "cancel"}),
        )
        .await,
    )
    .await;
    assert_error(status, &body, 400, "invalid_argument");
    let message = body["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("Este evento se repite cada lunes, 6 veces en total"),
        "{message}"
    );
    assert!(writes(&app).await.is_empty());
}

#[tokio::test]
async fn just_this_occurrence_moves_on_its_own_id_and_the_rest_stay() {
    let (app, events) = ready(&[]).await;
    events.put(weekly_sync());
    let (status, body) = change(
        &app,
        json!({"event_id": "sync1_20300311T090000Z", "action": "move",
        "start": "2030-03-12T10:00:00", "end": "2030-03-12T10:30:00", "timezone": "UTC",
        "scope": "this"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let patches = requests_with(&app.google, "PATCH").await;
    assert_eq!(patches.len(), 1);
    assert!(
        patches[0]
            .url
            .path()
            .ends_with("/events/sync1_20300311T090000Z")
    );
    assert_eq!(
        events.held(UNTIL),
        [
            "2030-03-04T09:00:00Z",
            "2030-03-12T10:00:00Z",
            "2030-03-18T09:00:00Z",
            "2030-03-25T09:00:00Z",
            "2030-04-01T09:00:00Z",
            "2030-04-08T09:00:00Z"
        ]
    );
    assert_eq!(events.emails(), ["sam@example.com"]);
}

#[tokio::test]
async fn moving_mondays_to_tuesday_from_one_on_leaves_tuesdays_from_there() {
    let (app, events) = ready(&[]).await;
    events.put(weekly_sync());
    let etag = events.get("sync1").expect("series")["etag"].clone();
    let minted = unix_now();
    let (status, read_back) = call(
        &app,
        PROPOSE,
        minted,
        json!({"event_id": "sync1_20300311T090000Z", "action": "move",
        "start": "2030-03-12T10:00:00", "end": "2030-03-12T10:30:00", "timezone": "UTC",
        "scope": "following"}),
    )
    .await;
    assert_eq!(status, 200, "{read_back}");
    assert_eq!(read_back["guests"], json!(["sam@example.com"]));
    assert_eq!(read_back["series_id"], "sync1");
    assert!(writes(&app).await.is_empty(), "read back, nothing written");
    let (status, body) = call(
        &app,
        APPLY,
        minted,
        json!({"change_id": read_back["change_id"]}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    // Mondays before the 11th, Tuesdays from the 12th: six in all, as the count said.
    assert_eq!(
        events.held(UNTIL),
        [
            "2030-03-04T09:00:00Z",
            "2030-03-12T10:00:00Z",
            "2030-03-19T10:00:00Z",
            "2030-03-26T10:00:00Z",
            "2030-04-02T10:00:00Z",
            "2030-04-09T10:00:00Z"
        ]
    );
    // Google's documented split: the series ends on the etag read back, a new one continues.
    let patches = requests_with(&app.google, "PATCH").await;
    assert_eq!(patches.len(), 1);
    assert_eq!(if_match(&patches[0]).as_deref(), etag.as_str());
    let inserts = requests_with(&app.google, "POST").await;
    assert_eq!(inserts.len(), 1);
    assert_eq!(query(&inserts[0], "sendUpdates").as_deref(), Some("all"));
    assert_eq!(body["eventId"], sent(&inserts[0])["id"]);
    assert_eq!(
        events.emails(),
        ["sam@example.com", "sam@example.com"],
        "the end and the new series"
    );
    let (status, again) = call(
        &app,
        APPLY,
        minted,
        json!({"change_id": read_back["change_id"]}),
    )
    .await;
    assert_eq!(
        (status, again),
        (200, body),
        "a retry gets the first answer"
    );
    assert_eq!(
        requests_with(&app.google, "POST").await.len(),
        1,
        "no second series"
    );
}

#[tokio::test]
async fn all_of_a_weekly_review_moved_to_monday_across_a_clock_change_keeps_its_hour() {
    let (app, events) = ready(&[]).await;
    // Tuesdays 09:00 in Berlin; summer time starts on 31 March 2030.
    events.put(series(
        "rev1",
        at("Europe/Berlin", "2030-03-12T08:00:00Z"),
        at("Europe/Berlin", "2030-03-12T09:00:00Z"),
        &["RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=6"],
        &[],
    ));
    // Named after the change (Tuesday 2 April, 07:00 UTC), said in New York's time.
    let (status, body) = change(
        &app,
        json!({"event_id": "rev1_20300402T070000Z", "action": "move", "scope": "all",
        "start": "2030-04-01T03:00:00", "end": "2030-04-01T04:00:00", "timezone": "America/New_York"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    // Mondays at 09:00 in Berlin, before and after the change.
    assert_eq!(
        events.held(UNTIL),
        [
            "2030-03-11T08:00:00Z",
            "2030-03-18T08:00:00Z",
            "2030-03-25T08:00:00Z",
            "2030-04-01T07:00:00Z",
            "2030-04-08T07:00:00Z",
            "2030-04-15T07:00:00Z"
        ]
    );
}

#[tokio::test]
async fn a_monthly_series_moved_a_day_moves_every_month() {
    let (app, events) = ready(&[]).await;
    events.put(series(
        "m15",
        at("UTC", "2030-01-15T10:00:00Z"),
        at("UTC", "2030-01-15T11:00:00Z"),
        &["RRULE:FREQ=MONTHLY;BYMONTHDAY=15;COUNT=5"],
        &[],
    ));
    let (status, body) = change(
        &app,
        json!({"event_id": "m15_20300315T100000Z", "action": "move", "scope": "all",
        "start": "2030-03-16T10:00:00", "end": "2030-03-16T11:00:00", "timezone": "UTC"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        events.held(UNTIL),
        [
            "2030-01-16T10:00:00Z",
            "2030-02-16T10:00:00Z",
            "2030-03-16T10:00:00Z",
            "2030-04-16T10:00:00Z",
            "2030-05-16T10:00:00Z"
        ]
    );
}

#[tokio::test]
async fn a_series_until_a_date_moved_later_keeps_its_last_occurrence() {
    let (app, events) = ready(&[]).await;
    events.put(series(
        "w1",
        at("UTC", "2030-03-06T09:00:00Z"),
        at("UTC", "2030-03-06T10:00:00Z"),
        &["RRULE:FREQ=WEEKLY;BYDAY=WE;UNTIL=20300327T090000Z"],
        &[],
    ));
    let (status, body) = change(
        &app,
        json!({"event_id": "w1_20300313T090000Z", "action": "move", "scope": "all",
        "start": "2030-03-15T09:00:00", "end": "2030-03-15T10:00:00", "timezone": "UTC"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        events.held(UNTIL),
        [
            "2030-03-08T09:00:00Z",
            "2030-03-15T09:00:00Z",
            "2030-03-22T09:00:00Z",
            "2030-03-29T09:00:00Z"
        ]
    );
}

#[tokio::test]
async fn a_deleted_occurrence_stays_deleted_and_untold_when_the_series_moves() {
    for scope in ["all", "following"] {
        let (app, events) = ready(&[]).await;
        events.put(weekly_sync());
        // Ada cancels the 18 March one through the avatar: Sam hears of that once.
        let (status, body) = change(
            &app,
            json!({"event_id": "sync1_20300318T090000Z", "action": "cancel", "scope": "this"}),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let (status, body) = change(
            &app,
            json!({"event_id": "sync1_20300311T090000Z", "action": "move", "scope": scope,
            "start": "2030-03-12T09:00:00", "end": "2030-03-12T09:30:00", "timezone": "UTC"}),
        )
        .await;
        assert_eq!(status, 200, "{scope}: {body}");
        let held = events.held(UNTIL);
        assert!(
            !held.contains(&"2030-03-19T09:00:00Z".to_owned()),
            "{scope}: the deleted one came back: {held:?}"
        );
        assert_eq!(held.len(), 5, "{scope}: {held:?}");
        let told = events.emails().len();
        let expected = if scope == "all" { 2 } else { 3 };
        assert_eq!(
            told, expected,
            "{scope}: the cancel, then the move's writes"
        );
    }
}

#[tokio::test]
async fn a_series_kept_in_another_zone_than_the_users_is_split_in_its_own() {
    let (app, events) = ready(&[]).await;
    // Wednesdays 09:00 in New York (the user's calendar is in UTC); clocks change 10 March.
    events.put(series(
        "ny1",
        at("America/New_York", "2030-02-27T14:00:00Z"),
        at("America/New_York", "2030-02-27T15:00:00Z"),
        &["RRULE:FREQ=WEEKLY;BYDAY=WE;COUNT=6"],
        &[],
    ));
    let (status, body) = change(
        &app,
        json!({"event_id": "ny1_20300306T140000Z", "action": "move", "scope": "following",
        "start": "2030-03-07T09:00:00", "end": "2030-03-07T10:00:00", "timezone": "America/New_York"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    // Thursdays 09:00 in New York, before and after its clocks change.
    assert_eq!(
        events.held(UNTIL),
        [
            "2030-02-27T14:00:00Z",
            "2030-03-07T14:00:00Z",
            "2030-03-14T13:00:00Z",
            "2030-03-21T13:00:00Z",
            "2030-03-28T13:00:00Z",
            "2030-04-04T13:00:00Z"
        ]
    );
    let insert = sent(&requests_with(&app.google, "POST").await[0]);
    assert_eq!(insert["start"]["timeZone"], "America/New_York");
}

#[tokio::test]
async fn a_rule_no_shift_can_say_is_refused_saying_what_can_be_done() {
    let (app, events) = ready(&[]).await;
    events.put(series(
        "first",
        at("UTC", "2030-01-07T09:00:00Z"),
        at("UTC", "2030-01-07T10:00:00Z"),
        &["RRULE:FREQ=MONTHLY;BYDAY=1MO;COUNT=6"],
        &["sam@example.com"],
    ));
    let before = events.held(UNTIL);
    let (status, body) = call(
        &app,
        PROPOSE,
        unix_now(),
        json!({"event_id": "first_20300304T090000Z", "action": "move", "scope": "all",
        "start": "2030-03-05T09:00:00", "end": "2030-03-05T10:00:00", "timezone": "UTC"}),
    )
    .await;
    assert_error(status, &body, 400, "series_change_unsupported");
    let message = body["message"].as_str().unwrap_or_default();
    assert!(message.contains("just this one"), "{message}");
    assert!(message.contains("first Monday"), "{message}");
    assert!(writes(&app).await.is_empty());
    assert_eq!(stored_items(&app).await, 0, "nothing kept to apply");
    assert_eq!(events.held(UNTIL), before);
    assert!(events.emails().is_empty());
}

#[tokio::test]
async fn the_read_back_names_everyone_the_writes_tell_and_the_allowance_counts_them() {
    let (app, events) = ready(&[]).await;
    events.put(series(
        "team",
        at("UTC", "2030-03-04T09:00:00Z"),
        at("UTC", "2030-03-04T10:00:00Z"),
        &["RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=4"],
        &["sam@example.com", "kim@example.com"],
    ));
    // This one occurrence was made guest-free (only Ada).
    let mut lone = events.get("team_20300311T090000Z").expect("occurrence");
    lone["attendees"] = json!([{"email": ADA, "self": true, "organizer": true}]);
    events.put(lone);
    let minted = unix_now();
    let (status, read_back) = call(
        &app,
        PROPOSE,
        minted,
        json!({"event_id": "team_20300311T090000Z", "action": "move", "scope": "following",
        "start": "2030-03-11T11:00:00", "end": "2030-03-11T12:00:00", "timezone": "UTC"}),
    )
    .await;
    assert_eq!(status, 200, "{read_back}");
    let told: Vec<String> = serde_json::from_value(read_back["guests"].clone()).expect("guests");
    assert_eq!(
        told,
        ["sam@example.com", "kim@example.com"],
        "the series' guests"
    );
    let (status, body) = call(
        &app,
        APPLY,
        minted,
        json!({"change_id": read_back["change_id"]}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let mailed = events.emails();
    assert!(
        mailed.iter().all(|m| told.contains(m)),
        "{mailed:?} not all read back"
    );
    assert_eq!(
        mailed.len(),
        4,
        "each guest hears of the end and of the new series"
    );
    for write in writes(&app).await {
        for guest in sent(&write)["attendees"].as_array().into_iter().flatten() {
            let email = guest["email"].as_str().unwrap_or_default().to_owned();
            assert!(
                told.contains(&email) || email == ADA,
                "{email} written but not read back"
            );
        }
    }
    // Exactly those four e-mails were taken from the allowance.
    let used = calendar_agent::guest_emails::key(ADA);
    let count: i64 =
        sqlx::query_scalar("SELECT COALESCE(SUM(amount), 0) FROM rate_events WHERE key = $1")
            .bind(&used)
            .fetch_one(app.state.store.pool())
            .await
            .expect("count");
    assert_eq!(count, 4);
}

#[tokio::test]
async fn following_from_the_first_occurrence_is_all_of_them_all_day_too() {
    let (app, events) = ready(&[]).await;
    events.put(
        json!({"id": "bins", "summary": "Bins out", "organizer": {"email": ADA, "self": true},
        "start": {"date": "2030-03-04"}, "end": {"date": "2030-03-05"},
        "recurrence": ["RRULE:FREQ=DAILY;INTERVAL=7;COUNT=4"]}),
    );
    let minted = unix_now();
    let (status, body) = call(
        &app,
        PROPOSE,
        minted,
        json!({"event_id": "bins_20300304", "action": "move", "scope": "following",
        "start": "2030-03-05", "end": "2030-03-05", "timezone": "Europe/Berlin"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["scope"], "all");
    let (status, body) = call(&app, APPLY, minted, json!({"change_id": body["change_id"]})).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        requests_with(&app.google, "POST").await.is_empty(),
        "no second series"
    );
    assert_eq!(
        events.held(UNTIL),
        ["2030-03-05", "2030-03-12", "2030-03-19", "2030-03-26"]
    );
}

#[tokio::test]
async fn an_all_day_series_split_counts_what_is_left_in_days() {
    let (app, events) = ready(&[]).await;
    events.put(
        json!({"id": "fri", "summary": "Review", "organizer": {"email": ADA, "self": true},
        "start": {"date": "2030-03-01"}, "end": {"date": "2030-03-02"},
        "recurrence": ["RRULE:FREQ=WEEKLY;BYDAY=FR;COUNT=6", "EXDATE;VALUE=DATE:20300322"]}),
    );
    let (status, body) = change(
        &app,
        json!({"event_id": "fri_20300315", "action": "move", "scope": "following",
        "start": "2030-03-16", "end": "2030-03-16", "timezone": "UTC"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    // Fridays 1 and 8; Saturdays from the 16th, the deleted 22nd (23rd) still deleted, to the
    // sixth in all.
    assert_eq!(
        events.held(UNTIL),
        [
            "2030-03-01",
            "2030-03-08",
            "2030-03-16",
            "2030-03-30",
            "2030-04-06"
        ]
    );
    let split = events.get("fri").expect("series");
    assert_eq!(
        split["recurrence"][0], "RRULE:FREQ=WEEKLY;BYDAY=FR;UNTIL=20300314",
        "the end is a date, as the start is"
    );
}

#[tokio::test]
async fn an_occurrence_changed_on_its_own_is_named_when_the_series_moves() {
    let (app, events) = ready(&[]).await;
    events.put(weekly_sync());
    let mut moved = events.get("sync1_20300325T090000Z").expect("occurrence");
    moved["start"] = json!({"dateTime": "2030-03-26T15:00:00Z", "timeZone": "UTC"});
    moved["end"] = json!({"dateTime": "2030-03-26T15:30:00Z", "timeZone": "UTC"});
    events.put(moved);
    let minted = unix_now();
    let (status, body) = call(
        &app,
        PROPOSE,
        minted,
        json!({"event_id": "sync1_20300311T090000Z", "action": "move", "scope": "all",
        "start": "2030-03-11T10:00:00", "end": "2030-03-11T10:30:00", "timezone": "UTC"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["changed_occurrences"],
        json!(["2030-03-26T15:00:00+00:00"])
    );
    let (status, body) = call(&app, APPLY, minted, json!({"change_id": body["change_id"]})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        events.held(UNTIL),
        [
            "2030-03-04T10:00:00Z",
            "2030-03-11T10:00:00Z",
            "2030-03-18T10:00:00Z",
            "2030-03-25T10:00:00Z",
            "2030-04-01T10:00:00Z",
            "2030-04-08T10:00:00Z"
        ],
        "every one at the new hour, the one read back as changed too; none doubled"
    );
}

#[tokio::test]
async fn cancelling_what_is_already_cancelled_is_said_as_such() {
    let (app, events) = ready(&[]).await;
    events.put(weekly_sync());
    events.put(json!({"id": "solo", "summary": "Lunch", "organizer": {"email": ADA, "self": true},
        "start": {"dateTime": "2030-03-05T12:00:00Z"}, "end": {"dateTime": "2030-03-05T13:00:00Z"}}));
    for (id, scope) in [("solo", None), ("sync1_20300318T090000Z", Some("this"))] {
        let mut args = json!({"event_id": id, "action": "cancel"});
        if let Some(scope) = scope {
            args["scope"] = json!(scope);
        }
        let (status, body) = change(&app, args.clone()).await;
        assert_eq!(status, 200, "{body}");
        let (status, body) = call(&app, PROPOSE, unix_now(), args).await;
        assert_error(status, &body, 409, "already_cancelled");
        assert!(
            body["message"]
                .as_str()
                .is_some_and(|m| m.contains("already cancelled")),
            "{body}"
        );
    }
}

#[tokio::test]
async fn a_split_whose_second_write_fails_at_first_is_finished_in_the_background() {
    let (app, events) = ready(&[("GOOGLE_SPLIT_RETRY_SECONDS", "30")]).await;
    events.put(weekly_sync());
    // Google fails the new series twice, then takes it.
    wiremock::Mock::given(wiremock::matchers::method("POST"))
        .and(wiremock::matchers::path(
            "/calendar/v3/calendars/primary/events",
        ))
        .respond_with(google_error(500, "Backend Error"))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&app.google)
        .await;
    let (status, body) = change(
        &app,
        json!({"event_id": "sync1_20300318T090000Z", "action": "move", "scope": "following",
        "start": "2030-03-19T09:00:00", "end": "2030-03-19T09:30:00", "timezone": "UTC"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["finishing"], true, "{body}");
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("background"))
    );
    assert_eq!(
        settled_outcome(&app, Duration::from_secs(15)).await,
        "applied"
    );
    assert_eq!(
        events.held(UNTIL),
        [
            "2030-03-04T09:00:00Z",
            "2030-03-11T09:00:00Z",
            "2030-03-19T09:00:00Z",
            "2030-03-26T09:00:00Z",
            "2030-04-02T09:00:00Z",
            "2030-04-09T09:00:00Z"
        ]
    );
    assert_eq!(app.state.store.open_split_repairs().await.expect("open"), 0);
}

#[tokio::test]
async fn a_split_google_keeps_refusing_is_put_back_whole() {
    let (app, events) = ready(&[("GOOGLE_SPLIT_RETRY_SECONDS", "2")]).await;
    events.put(weekly_sync());
    let before = events.held(UNTIL);
    answer_with(
        &app.google,
        "POST",
        "/calendars/primary/events",
        google_error(503, "Service Unavailable"),
    )
    .await;
    let (status, body) = change(
        &app,
        json!({"event_id": "sync1_20300318T090000Z", "action": "move", "scope": "following",
        "start": "2030-03-19T09:00:00", "end": "2030-03-19T09:30:00", "timezone": "UTC"}),
    )
    .await;
    assert_eq!(
        (status, body["finishing"].clone()),
        (200, json!(true)),
        "{body}"
    );
    assert_eq!(
        settled_outcome(&app, Duration::from_secs(20)).await,
        "undone"
    );
    assert_eq!(events.held(UNTIL), before, "the series is whole again");
    assert_eq!(
        events.get("sync1").expect("series")["recurrence"],
        json!(["RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=6"])
    );
}

#[tokio::test]
async fn a_split_whose_answer_comes_too_late_is_recognised_as_done() {
    let (app, events) = ready(&[("GOOGLE_SPLIT_RETRY_SECONDS", "30")]).await;
    events.put(weekly_sync());
    // Google makes the new series but answers after the tool's budget.
    events.answer_inserts_after(Duration::from_secs(6));
    let (status, body) = change(
        &app,
        json!({"event_id": "sync1_20300318T090000Z", "action": "move", "scope": "following",
        "start": "2030-03-19T09:00:00", "end": "2030-03-19T09:30:00", "timezone": "UTC"}),
    )
    .await;
    assert_eq!(
        (status, body["finishing"].clone()),
        (200, json!(true)),
        "{body}"
    );
    assert_eq!(
        settled_outcome(&app, Duration::from_secs(15)).await,
        "applied"
    );
    assert_eq!(events.held(UNTIL).len(), 6);
    assert_eq!(
        requests_with(&app.google, "POST").await.len(),
        1,
        "recognised as made, not made again"
    );
}

#[tokio::test]
async fn a_colleagues_meeting_on_a_calendar_shared_with_the_user_cannot_be_changed() {
    let (app, events) = ready(&[]).await;
    fake_calendar::mount_calendars(
        &app.google,
        json!([
            {"id": ADA, "summary": ADA, "primary": true, "selected": true, "accessRole": "owner"},
            {"id": "lee@example.com", "summary": "Lee", "selected": true, "accessRole": "writer"},
            {"id": "team@group.calendar.google.com", "summary": "Team", "selected": true, "accessRole": "owner"}
        ]),
    )
    .await;
    // On Lee's calendar, Lee's own meeting: Google says organizer.self (it is that calendar's).
    events.put_on(
        "lee@example.com",
        json!({"id": "lee1", "summary": "Lee's 1:1", "organizer": {"email": "lee@example.com", "self": true},
            "attendees": [{"email": "lee@example.com", "organizer": true, "self": true}, {"email": "max@example.com"}],
            "start": {"dateTime": "2030-03-05T09:00:00Z"}, "end": {"dateTime": "2030-03-05T10:00:00Z"}}),
    );
    // On the team calendar Ada owns, its own event.
    events.put_on(
        "team@group.calendar.google.com",
        json!({"id": "team1", "summary": "Offsite", "organizer": {"email": "team@group.calendar.google.com", "self": true},
            "start": {"dateTime": "2030-03-05T11:00:00Z"}, "end": {"dateTime": "2030-03-05T12:00:00Z"}}),
    );
    let (status, body) = call(
        &app,
        LIST,
        unix_now(),
        json!({"timezone": "UTC", "window_start": "2030-03-05", "window_end": "2030-03-05"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let listed = |id: &str| {
        body["events"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|e| e["id"] == id)
            .cloned()
            .unwrap_or_default()
    };
    assert!(listed("lee1").get("canChange").is_none(), "{body}");
    assert_eq!(listed("team1")["canChange"], true, "{body}");
    let (status, body) = call(
        &app,
        PROPOSE,
        unix_now(),
        json!({"event_id": "lee1", "action": "cancel"}),
    )
    .await;
    assert_error(status, &body, 403, "not_organizer");
    assert_eq!(stored_items(&app).await, 0);
    assert!(writes(&app).await.is_empty());
    assert!(events.emails().is_empty());
}
