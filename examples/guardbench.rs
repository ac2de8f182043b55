//! What a `propose_change` on a series costs end to end, beside a plain one: the real router
//! with the test harness's stand-in Google (which keeps events and expands series as Google
//! does). A daily stand-up with no end, moved (this one, all, or this and the following), and a
//! one-off meeting moved. For the stand-in's own share, the same run times its answer to the
//! `events.instances` read that a series change makes.
//!
//! ```sh
//! cargo run --release --example guardbench -- 300
//! ```

#[path = "../tests/it/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::{ADA, TestApp, fake_calendar, spawn_with_user};
use serde_json::{Value, json};

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

async fn propose(app: &TestApp, args: &Value) -> Duration {
    let url = app.session_url(
        "/api/calendar/change-proposals",
        ADA,
        calendar_agent::clock::unix_now(),
    );
    let started = Instant::now();
    let response = app.post_json(&url, args).await;
    let took = started.elapsed();
    assert_eq!(
        response.status().as_u16(),
        200,
        "{args}: {:?}",
        response.text().await
    );
    took
}

#[tokio::main]
async fn main() {
    let rounds: usize = std::env::args()
        .filter_map(|a| a.parse().ok())
        .next()
        .unwrap_or(300);
    let app = spawn_with_user(&[("TOOL_RATE_PER_MINUTE", "1000000")], ADA).await;
    let events = fake_calendar::mount_events(&app.google).await;
    events.put(
        json!({"id": "solo", "summary": "Kickoff", "organizer": {"email": ADA, "self": true},
        "start": {"dateTime": "2026-12-08T08:30:00Z", "timeZone": "Europe/Berlin"},
        "end": {"dateTime": "2026-12-08T08:45:00Z", "timeZone": "Europe/Berlin"}}),
    );
    events.put(
        json!({"id": "daily", "summary": "Stand-up", "organizer": {"email": ADA, "self": true},
        "start": {"dateTime": "2026-01-05T08:30:00Z", "timeZone": "Europe/Berlin"},
        "end": {"dateTime": "2026-01-05T08:45:00Z", "timeZone": "Europe/Berlin"},
        "recurrence": ["RRULE:FREQ=DAILY"]}),
    );
    let moved = |id: &str, scope: Option<&str>| {
        let mut args = json!({"event_id": id, "action": "move", "start": "2026-12-08T10:00:00",
            "end": "2026-12-08T10:15:00", "timezone": "Europe/Berlin"});
        if let Some(scope) = scope {
            args["scope"] = json!(scope);
        }
        args
    };
    let occurrence = "daily_20261208T083000Z";
    let cases = [
        ("a one-off meeting (plain)", moved("solo", None)),
        (
            "the daily series, just this one",
            moved(occurrence, Some("this")),
        ),
        (
            "the daily series, all (guard)",
            moved(occurrence, Some("all")),
        ),
        (
            "the daily series, this and the following (guard)",
            moved(occurrence, Some("following")),
        ),
    ];
    println!("| propose_change, {rounds} sequential calls | p50 ms | p99 ms | vs plain |");
    println!("|---|---|---|---|");
    let mut plain = None;
    for (what, args) in &cases {
        for _ in 0..rounds / 10 {
            propose(&app, args).await;
        }
        let mut samples = Vec::with_capacity(rounds);
        for _ in 0..rounds {
            samples.push(propose(&app, args).await);
        }
        samples.sort();
        let p50 = percentile(&samples, 0.5);
        let ratio = plain.map_or_else(String::new, |p: f64| format!("{:.1} ×", p50 / p));
        plain.get_or_insert(p50);
        println!(
            "| {what} | {p50:.2} | {:.2} | {ratio} |",
            percentile(&samples, 0.99)
        );
    }
    // The stand-in's own share: its answer to the series' occurrences read.
    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    let url = format!(
        "{}/calendar/v3/calendars/primary/events/daily/instances?timeMax=2029-01-01T00:00:00Z&maxResults=2500&showDeleted=true",
        app.google.uri()
    );
    let mut samples = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let started = Instant::now();
        let answer = client
            .get(&url)
            .bearer_auth("at2:ada@example.com")
            .send()
            .await
            .expect("instances");
        let _ = answer.bytes().await;
        samples.push(started.elapsed());
    }
    samples.sort();
    println!(
        "| the stand-in alone: `events.instances` of the daily series | {:.2} | {:.2} | |",
        percentile(&samples, 0.5),
        percentile(&samples, 0.99)
    );
}
