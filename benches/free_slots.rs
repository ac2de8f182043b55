//! The slots `find_free_time` offers (`offered_slots`: the gaps' sweep, quarter hours, at most
//! two a day) over 10, 1,000 and 10,000 busy intervals in a 62-day window, and with working
//! hours over 10,000 busy intervals from 5 calendars. Run: `cargo bench --bench free_slots`.
//! Targets: 10,000 intervals well under 10 ms, growth close to n log n; with working hours,
//! under 10 ms.

use std::hint::black_box;

use calendar_agent::calendar::WorkingHours;
use calendar_agent::calendar::{Interval, MAX_SLOTS, offered_slots};
use calendar_agent::calendar::{Window, Zone};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use jiff::{SignedDuration, Timestamp};

/// Deterministic pseudo-random busy intervals (no RNG crate needed): unsorted, overlapping,
/// 15–120 minutes long, spread over the window.
fn busy(n: usize, window: Window) -> Vec<Interval> {
    busy_seeded(n, window, 0x9E37_79B9_7F4A_7C15)
}

fn busy_seeded(n: usize, window: Window, seed: u64) -> Vec<Interval> {
    let span = window.duration().as_secs();
    let mut state: u64 = seed;
    (0..n)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            let offset = (state >> 33) as i64 % span;
            let length = 900 + ((state >> 13) as i64 % 6300);
            let start = window.start + SignedDuration::from_secs(offset);
            Interval {
                start,
                end: start + SignedDuration::from_secs(length),
            }
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let start: Timestamp = "2030-01-01T00:00:00Z".parse().expect("timestamp");
    let utc = Zone::parse("UTC", "timezone").expect("zone");
    let window = Window::new(start, start + SignedDuration::from_hours(24 * 62)).expect("window");
    let mut group = c.benchmark_group("free_slots");
    for n in [10usize, 1_000, 10_000] {
        let intervals = busy(n, window);
        // A long duration so the sweep runs over every interval instead of stopping at 5 slots.
        let duration = SignedDuration::from_hours(10);
        group.bench_with_input(
            BenchmarkId::from_parameter(n),
            &intervals,
            |b, intervals| {
                let whole = [Interval {
                    start: window.start,
                    end: window.end,
                }];
                b.iter(|| {
                    offered_slots(
                        &whole,
                        black_box(intervals),
                        duration,
                        &utc,
                        Some(2),
                        MAX_SLOTS,
                    )
                });
            },
        );
    }
    group.finish();

    // What find_free_time does: working days of a 62-day window in Berlin (DST included), and
    // the busy time of 5 calendars, 2,000 intervals each, concatenated as freeBusy gives them.
    let zone = Zone::parse("Europe/Berlin", "timezone").expect("zone");
    let hours = WorkingHours::default();
    let calendars: Vec<Interval> = (0..5u64)
        .flat_map(|c| busy_seeded(2_000, window, 0x9E37_79B9_7F4A_7C15 ^ (c + 1)))
        .collect();
    let mut group = c.benchmark_group("free_slots_working_hours");
    group.bench_function("10000 busy over 5 calendars", |b| {
        b.iter(|| {
            let allowed = hours.intervals(black_box(window), &zone);
            offered_slots(
                &allowed,
                black_box(&calendars),
                SignedDuration::from_mins(30),
                &zone,
                Some(2),
                MAX_SLOTS,
            )
        });
    });
    // The sweep over every working day (a duration no gap fits, so nothing stops it early).
    group.bench_function("10000 busy over 5 calendars, full sweep", |b| {
        b.iter(|| {
            let allowed = hours.intervals(black_box(window), &zone);
            offered_slots(
                &allowed,
                black_box(&calendars),
                SignedDuration::from_hours(9),
                &zone,
                Some(2),
                MAX_SLOTS,
            )
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
