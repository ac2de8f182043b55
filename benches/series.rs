//! What the guard costs a `propose_change` on a series: the plan of a change to a daily series
//! with no end (its rule read, expanded over its life and two years as it is and as the writes
//! leave it, and compared with the intent), beside a change to one occurrence (no expansion).
//! Reports p50 and p99 of many runs, in one process, so the figures compare as ratios.
//!
//! ```sh
//! cargo bench --bench series
//! ```

use std::hint::black_box;
use std::time::{Duration, Instant};

use calendar_agent::calendar::series::{Asked, At, Change, Exception, Scope, Series, plan};

fn ts(text: &str) -> At {
    At::Instant(text.parse().expect("timestamp"))
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1e6
}

fn time(what: &str, runs: usize, change: &Change<'_>, plain: Option<f64>) -> f64 {
    for _ in 0..runs / 10 {
        let _ = black_box(plan(black_box(change)));
    }
    let mut samples: Vec<Duration> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            let planned = plan(black_box(change));
            let took = started.elapsed();
            assert!(planned.is_ok(), "{what}: {planned:?}");
            took
        })
        .collect();
    samples.sort();
    let (p50, p99) = (percentile(&samples, 0.5), percentile(&samples, 0.99));
    let ratio = plain.map_or_else(String::new, |p| format!("{:.0} ×", p50 / p));
    println!("| {what} | {p50:.1} | {p99:.1} | {ratio} |");
    p50
}

fn main() {
    let runs: usize = std::env::args()
        .filter_map(|a| a.parse().ok())
        .next()
        .unwrap_or(400);
    // A daily stand-up in Berlin since January 2026, no end; one deleted occurrence.
    let lines = vec![
        "RRULE:FREQ=DAILY".to_owned(),
        "EXDATE;TZID=Europe/Berlin:20260406T093000".to_owned(),
    ];
    let exceptions = [Exception {
        original: ts("2026-12-24T08:30:00Z"),
        now: None,
    }];
    let series = Series {
        start: ts("2026-01-05T08:30:00Z"),
        zone: "Europe/Berlin",
        recurrence: &lines,
    };
    let change = |scope, asked| Change {
        series,
        exceptions: &exceptions,
        occurrence: ts("2026-12-08T08:30:00Z"),
        scope,
        asked,
        now: "2026-12-05T12:00:00Z".parse().expect("now"),
    };
    let later = Asked::Move {
        to: ts("2026-12-08T09:00:00Z"),
        end: ts("2026-12-08T09:15:00Z"),
    };
    println!(
        "| plan of a change to a daily series with no end | p50 µs | p99 µs | vs one occurrence |"
    );
    println!("|---|---|---|---|");
    let plain = time(
        "just this one (no expansion)",
        runs,
        &change(Scope::This, later),
        None,
    );
    time(
        "move all (guard: expand as is and as written)",
        runs,
        &change(Scope::All, later),
        Some(plain),
    );
    time(
        "move this and the following (split)",
        runs,
        &change(Scope::Following, later),
        Some(plain),
    );
    time(
        "cancel this and the following",
        runs,
        &change(Scope::Following, Asked::Cancel),
        Some(plain),
    );
}
