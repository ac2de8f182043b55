//! How long a change takes to reach an open page: from Google's push notification arriving at
//! the server to the Server-Sent Event for it leaving (as the page's client sees it), with the
//! test harness's wiremock standing in for Google. Each round changes the fake calendar, posts
//! the notification and waits for the `changed` message; the time includes the server's
//! incremental sync (one `events.list` against the mock) and, on PostgreSQL, the trip through
//! NOTIFY/LISTEN. For scale, the same run times a bare `GET /healthz` round trip and a direct
//! `events.list` against the mock.
//!
//! ```sh
//! cargo run --release --example livebench -- 500
//! ```
//! PostgreSQL is measured too when `TEST_POSTGRES_URL` is set (`scripts/test-postgres.sh`).

#[path = "../tests/it/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::{Db, TestApp, fake_calendar};
use serde_json::{Value, json};

const ADA: &str = "ada@example.com";

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

struct Row {
    what: String,
    samples: Vec<Duration>,
}

impl Row {
    fn new(what: &str, mut samples: Vec<Duration>) -> Self {
        samples.sort();
        Self {
            what: what.into(),
            samples,
        }
    }
    fn p50(&self) -> f64 {
        percentile(&self.samples, 0.5)
    }
}

async fn next_changed(response: &mut reqwest::Response, buffer: &mut String) {
    loop {
        if let Some(at) = buffer.find("event: changed") {
            if let Some(end) = buffer[at..].find("\n\n") {
                buffer.drain(..at + end + 2);
                return;
            }
        }
        let chunk = tokio::time::timeout(Duration::from_secs(5), response.chunk())
            .await
            .expect("a message within 5 s")
            .expect("stream")
            .expect("stream open");
        buffer.push_str(&String::from_utf8_lossy(&chunk));
    }
}

async fn run(db: &Db, rounds: usize) -> Vec<Row> {
    let app: TestApp = db.spawn(&[]).await;
    app.mount_google(3600).await;
    fake_calendar::mount_watch(&app.google, 7 * 86_400).await;
    let feed = fake_calendar::mount_feed(&app.google).await;
    let cookie = app.sign_in(ADA).await;
    let mut stream = app.get_with_cookie("/api/events/stream", &cookie).await;
    let mut buffer = String::new();
    next_changed(&mut stream, &mut buffer).await; // the first sync, when the channel opens
    let watch = fake_calendar::requests_to(&app.google, "/calendars/primary/events/watch")
        .await
        .into_iter()
        .next()
        .expect("watched");
    let body: Value = serde_json::from_slice(&watch.body).expect("watch body");
    let (id, token) = (
        body["id"].as_str().unwrap_or_default().to_owned(),
        body["token"].as_str().unwrap_or_default().to_owned(),
    );
    let client = &app.client;

    let mut pushes = Vec::with_capacity(rounds);
    let mut health = Vec::with_capacity(rounds);
    let mut list = Vec::with_capacity(rounds);
    let list_url = format!(
        "{}/calendar/v3/calendars/primary/events?syncToken=s1",
        app.google.uri()
    );
    for n in 0..rounds {
        feed.put(json!({"id": format!("e{n}"), "summary": "Change",
            "start": {"dateTime": "2030-01-01T10:00:00Z"}, "end": {"dateTime": "2030-01-01T11:00:00Z"}}));
        let started = Instant::now();
        let answer = client
            .post(app.url("/api/google/notifications"))
            .header("x-goog-channel-id", &id)
            .header("x-goog-channel-token", &token)
            .header("x-goog-message-number", (n + 2).to_string())
            .header("x-goog-resource-state", "exists")
            .send()
            .await
            .expect("notification");
        assert_eq!(answer.status().as_u16(), 200);
        next_changed(&mut stream, &mut buffer).await;
        pushes.push(started.elapsed());

        let started = Instant::now();
        let ok = client
            .get(app.url("/healthz"))
            .send()
            .await
            .expect("healthz");
        assert!(ok.status().is_success());
        health.push(started.elapsed());

        let started = Instant::now();
        let ok = client
            .get(&list_url)
            .bearer_auth("unused")
            .send()
            .await
            .expect("list");
        let _ = ok.bytes().await;
        list.push(started.elapsed());
    }
    vec![
        Row::new("GET /healthz round trip", health),
        Row::new("events.list against the mock, direct", list),
        Row::new("notification → SSE `changed` message", pushes),
    ]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(500);
    let mut stores = vec![("SQLite", Db::Sqlite)];
    if let Some(pg) = Db::postgres().await {
        stores.push(("PostgreSQL", pg));
    }
    for (name, db) in &stores {
        let rows = run(db, rounds).await;
        let base = rows[0].p50();
        println!("\n### {name}, {rounds} rounds\n");
        println!("| what | p50 ms | p99 ms | max ms | p50 vs /healthz |");
        println!("|---|---|---|---|---|");
        for row in &rows {
            println!(
                "| {} | {:.2} | {:.2} | {:.2} | {:.1} |",
                row.what,
                row.p50(),
                percentile(&row.samples, 0.99),
                percentile(&row.samples, 1.0),
                row.p50() / base
            );
        }
    }
}
