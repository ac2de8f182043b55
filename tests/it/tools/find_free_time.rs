//! `find_free_time` against fake Google.

use crate::common::ADA;
use crate::common::fake_calendar::{self, calendar_requests};
use crate::common::routes::FREE;
use crate::common::{TestApp, assert_error, spawn_with_user};
use jiff::Timestamp;
use serde_json::{Value, json};
use wiremock::ResponseTemplate;

async fn ready() -> TestApp {
    spawn_with_user(&[], ADA).await
}

async fn call(app: &TestApp, args: Value) -> (u16, Value) {
    app.call_tool(FREE, ADA, args).await
}

fn instant(text: &str) -> Timestamp {
    text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
}

#[tokio::test]
async fn slots_start_each_long_enough_gap_in_the_requested_zone() {
    let app = ready().await;
    // 2030-03-05 in New York (EST, UTC-5): busy 09:00-10:00 and 10:30-12:00, window 08:00-13:00.
    fake_calendar::mount_busy(
        &app.google,
        json!([
            {"start": "2030-03-05T14:00:00Z", "end": "2030-03-05T15:00:00Z"},
            {"start": "2030-03-05T15:30:00Z", "end": "2030-03-05T17:00:00Z"}
        ]),
    )
    .await;
    let (status, body) = call(
        &app,
        json!({"window_start": "2030-03-05T08:00:00", "window_end": "2030-03-05T13:00:00",
               "duration_minutes": 45, "timezone": "America/New_York", "any_time": true}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({
            "slots": [
                {"start": "2030-03-05T08:00:00-05:00", "end": "2030-03-05T08:45:00-05:00"},
                {"start": "2030-03-05T12:00:00-05:00", "end": "2030-03-05T12:45:00-05:00"}
            ],
            "timezone": "America/New_York",
            "window_start": "2030-03-05T08:00:00-05:00",
            "window_end": "2030-03-05T13:00:00-05:00"
        })
    );
    let requests = fake_calendar::requests_to(&app.google, "/freeBusy").await;
    assert_eq!(requests.len(), 1);
    let sent: Value = serde_json::from_slice(&requests[0].body).expect("json body");
    assert_eq!(
        instant(sent["timeMin"].as_str().expect("min")),
        instant("2030-03-05T13:00:00Z")
    );
    assert_eq!(
        instant(sent["timeMax"].as_str().expect("max")),
        instant("2030-03-05T18:00:00Z")
    );
    assert_eq!(sent["timeZone"], "America/New_York");
    assert_eq!(sent["items"], json!([{"id": "primary"}]));
}

#[tokio::test]
async fn slots_across_the_spring_forward_change_carry_both_offsets() {
    let app = ready().await;
    fake_calendar::mount_busy(&app.google, json!([])).await;
    // 2030-03-10: New York springs forward at 02:00. A window from Saturday 23:00 to Sunday
    // 04:00 is 4 hours long, not 5.
    let (status, body) = call(
        &app,
        json!({"window_start": "2030-03-09T23:00:00", "window_end": "2030-03-10T04:00:00",
               "duration_minutes": 240, "timezone": "America/New_York", "any_time": true}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["slots"],
        json!([{"start": "2030-03-09T23:00:00-05:00", "end": "2030-03-10T04:00:00-04:00"}])
    );
    let (status, body) = call(
        &app,
        json!({"window_start": "2030-03-09T23:00:00", "window_end": "2030-03-10T04:00:00",
               "duration_minutes": 300, "timezone": "America/New_York", "any_time": true}),
    )
    .await;
    assert_eq!(status, 400, "5 hours do not fit in that night: {body}");
}

#[tokio::test]
async fn without_a_zone_the_calendars_zone_is_used() {
    let app = ready().await;
    fake_calendar::mount_timezone(&app.google, "Asia/Tokyo").await;
    fake_calendar::mount_busy(&app.google, json!([])).await;
    let (status, body) = call(
        &app,
        json!({"window_start": "2030-03-05T09:00:00", "window_end": "2030-03-05T10:00:00",
               "duration_minutes": 30}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["timezone"], "Asia/Tokyo");
    assert_eq!(body["slots"][0]["start"], "2030-03-05T09:00:00+09:00");
}

#[tokio::test]
async fn bad_arguments_answer_400_and_google_is_not_called() {
    let app = ready().await;
    let ok = json!({"window_start": "2030-03-05T09:00:00Z", "window_end": "2030-03-05T12:00:00Z",
                    "duration_minutes": 30, "timezone": "UTC"});
    for (key, value, argument) in [
        ("duration_minutes", json!(0), "duration_minutes"),
        ("duration_minutes", json!(-15), "duration_minutes"),
        ("duration_minutes", json!(null), "duration_minutes"),
        ("duration_minutes", json!(240), "duration_minutes"),
        (
            "duration_minutes",
            json!("half an hour"),
            "duration_minutes",
        ),
        ("window_start", json!(null), "window_start"),
        ("window_end", json!("2030-03-05T08:00:00Z"), "window_end"),
        ("window_end", json!("2030-07-05T08:00:00Z"), "window_end"),
        ("timezone", json!("Mars/Olympus"), "timezone"),
    ] {
        let mut args = ok.clone();
        args[key] = value.clone();
        let (status, body) = call(&app, args).await;
        assert_eq!(status, 400, "{key}={value}: {body}");
        assert_eq!(body["argument"], argument, "{key}={value}");
    }
    // Offsets on both edges: the order is checked before the zone is looked up.
    let (status, _) = call(
        &app,
        json!({"window_start": "2030-03-05T12:00:00Z", "window_end": "2030-03-05T09:00:00Z",
               "duration_minutes": 30}),
    )
    .await;
    assert_eq!(status, 400);
    assert!(app.google_untouched().await);
}

#[tokio::test]
async fn a_window_entirely_in_the_past_offers_nothing_without_asking_google() {
    let app = ready().await;
    let (status, body) = call(
        &app,
        json!({"window_start": "2020-03-02T09:00:00Z", "window_end": "2020-03-02T12:00:00Z",
               "duration_minutes": 30, "timezone": "UTC"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["slots"], json!([]));
    assert!(calendar_requests(&app.google).await.is_empty());
}

#[tokio::test]
async fn a_google_error_is_a_502() {
    let app = ready().await;
    let unavailable = ResponseTemplate::new(503).set_body_string("unavailable");
    fake_calendar::answer_with(&app.google, "POST", "/freeBusy", unavailable).await;
    let (status, body) = call(
        &app,
        json!({"window_start": "2030-03-05T09:00:00Z", "window_end": "2030-03-05T12:00:00Z",
               "duration_minutes": 30, "timezone": "UTC"}),
    )
    .await;
    assert_error(status, &body, 502, "google_error");
}

#[tokio::test]
async fn working_hours_hold_across_the_october_dst_change_and_skip_the_weekend() {
    let app = ready().await;
    fake_calendar::mount_busy(&app.google, json!([])).await;
    // Friday 2030-10-25 to Tuesday 2030-10-29 in Berlin: summer time ends on the last Sunday of
    // October, the 27th, when 03:00 CEST becomes 02:00 CET.
    let window = json!({"window_start": "2030-10-25", "window_end": "2030-10-29",
                        "duration_minutes": 60, "timezone": "Europe/Berlin"});
    let (status, body) = call(&app, window.clone()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["slots"],
        json!([
            {"start": "2030-10-25T09:00:00+02:00", "end": "2030-10-25T10:00:00+02:00"},
            {"start": "2030-10-28T09:00:00+01:00", "end": "2030-10-28T10:00:00+01:00"},
            {"start": "2030-10-29T09:00:00+01:00", "end": "2030-10-29T10:00:00+01:00"}
        ]),
        "09:00 local on each working day, whatever the offset; nothing on Saturday or Sunday"
    );
    assert_eq!(body["working_hours"], "09:00-18:00, Mon-Fri");

    // any_time lifts it: the first free hour is Friday's midnight.
    let mut any = window;
    any["any_time"] = json!(true);
    let (status, body) = call(&app, any).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["slots"][0]["start"], "2030-10-25T00:00:00+02:00");
    assert!(body.get("working_hours").is_none());
}

#[tokio::test]
async fn a_busy_morning_moves_the_slot_later_in_the_working_day_not_into_the_evening() {
    let app = ready().await;
    // Busy 09:00-17:30 New York on Tuesday: only 17:30-18:00 is left, too short for an hour.
    fake_calendar::mount_busy(
        &app.google,
        json!([{"start": "2030-03-05T14:00:00Z", "end": "2030-03-05T22:30:00Z"}]),
    )
    .await;
    let (status, body) = call(
        &app,
        json!({"window_start": "2030-03-05T08:00:00", "window_end": "2030-03-05T23:00:00",
               "duration_minutes": 60, "timezone": "America/New_York"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["slots"], json!([]), "no slot after 18:00 unless asked");
}

#[tokio::test]
async fn working_hours_come_from_the_settings() {
    let app = crate::common::spawn_with_user(
        &[
            ("WORKING_HOURS", "07:30-12:00"),
            ("WORKING_DAYS", "Sun-Thu"),
        ],
        ADA,
    )
    .await;
    fake_calendar::mount_busy(&app.google, json!([])).await;
    // Friday 2030-03-08 to Sunday 2030-03-10, UTC.
    let (status, body) = app
        .call_tool(
            FREE,
            ADA,
            json!({"window_start": "2030-03-08", "window_end": "2030-03-10",
                   "duration_minutes": 30, "timezone": "UTC"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["slots"],
        json!([{"start": "2030-03-10T07:30:00+00:00", "end": "2030-03-10T08:00:00+00:00"}])
    );
    assert_eq!(body["working_hours"], "07:30-12:00, Mon-Thu,Sun");
}

/// Slots as an assistant offers them: on the quarter hour of the user's zone (Kathmandu is
/// UTC+05:45), and over several days at most two a day, earliest first.
#[tokio::test]
async fn slots_start_on_the_quarter_hour_and_spread_over_the_days() {
    let app = ready().await;
    // Kathmandu, 4-6 March 2030: each day busy 09:00-10:50 and then free in short gaps of an
    // hour and a half between half-hour meetings until 18:00.
    let mut busy = Vec::new();
    for day in 4..=6 {
        let at = |h: u32, m: u32| {
            let utc = jiff::civil::date(2030, 3, day)
                .at(
                    i8::try_from(h).expect("h"),
                    i8::try_from(m).expect("m"),
                    0,
                    0,
                )
                .in_tz("Asia/Kathmandu")
                .expect("zoned")
                .timestamp();
            utc.to_string()
        };
        busy.push(json!({"start": at(9, 0), "end": at(10, 50)}));
        for h in [12, 14, 16] {
            busy.push(json!({"start": at(h, 20), "end": at(h, 50)}));
        }
    }
    fake_calendar::mount_busy(&app.google, json!(busy)).await;
    let (status, body) = call(
        &app,
        json!({"window_start": "2030-03-04", "window_end": "2030-03-06",
               "duration_minutes": 60, "timezone": "Asia/Kathmandu"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let starts: Vec<&str> = body["slots"]
        .as_array()
        .expect("slots")
        .iter()
        .filter_map(|s| s["start"].as_str())
        .collect();
    assert_eq!(
        starts,
        [
            "2030-03-04T11:00:00+05:45",
            "2030-03-04T13:00:00+05:45",
            "2030-03-05T11:00:00+05:45",
            "2030-03-05T13:00:00+05:45",
            "2030-03-06T11:00:00+05:45"
        ],
        "10:50 rounds to 11:00, 12:50 to 13:00; two a day: {body}"
    );
}
