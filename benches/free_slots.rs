//! Free-slot computation over 10, 1,000 and 10,000 busy intervals in a 62-day window.
//! Run: `cargo bench --bench free_slots`. Target: 10,000 intervals well under 10 ms, and
//! growth close to n log n.

use std::hint::black_box;

use calendar_agent::tools::free_slots::{Interval, MAX_SLOTS, free_slots};
use calendar_agent::tools::time::Window;
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use jiff::{SignedDuration, Timestamp};

/// Deterministic pseudo-random busy intervals (no RNG crate needed): unsorted, overlapping,
/// 15–120 minutes long, spread over the window.
fn busy(n: usize, window: Window) -> Vec<Interval> {
    let span = window.duration().as_secs();
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
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
                b.iter(|| free_slots(black_box(window), black_box(intervals), duration, MAX_SLOTS));
            },
        );
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
