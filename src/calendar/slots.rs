//! Free slots: the gaps between busy intervals, one slot of exactly the requested length at the
//! start of each gap long enough for it. Pure, O(n log n) in the number of busy intervals.

use jiff::{SignedDuration, Timestamp};

use super::Window;

/// At most this many slots are offered (the persona offers at most three per turn).
pub const MAX_SLOTS: usize = 5;

/// A busy or free interval `[start, end)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Interval {
    /// Inclusive start.
    pub start: Timestamp,
    /// Exclusive end.
    pub end: Timestamp,
}

/// Slots of exactly `duration`, one at the start of each gap in `busy` (inside `window`) that is
/// long enough, in time order, at most `limit`. Busy intervals may overlap, touch, be unsorted,
/// or reach outside the window.
pub fn free_slots(
    window: Window,
    busy: &[Interval],
    duration: SignedDuration,
    limit: usize,
) -> Vec<Interval> {
    let whole = [Interval {
        start: window.start,
        end: window.end,
    }];
    free_slots_within(&whole, busy, duration, limit)
}

/// Busy intervals sorted by start and merged where they overlap or touch: disjoint, in order.
pub fn merge(busy: &[Interval]) -> Vec<Interval> {
    let mut sorted: Vec<Interval> = busy.iter().filter(|b| b.start < b.end).copied().collect();
    sorted.sort_unstable_by_key(|b| b.start);
    let mut merged: Vec<Interval> = Vec::with_capacity(sorted.len());
    for b in sorted {
        match merged.last_mut() {
            Some(last) if b.start <= last.end => last.end = last.end.max(b.end),
            _ => merged.push(b),
        }
    }
    merged
}

/// Like [`free_slots`], but only inside the `allowed` intervals (sorted, disjoint: working
/// hours): one slot at the start of each long-enough gap of each allowed interval. One sort
/// and one sweep: O(n log n + days).
pub fn free_slots_within(
    allowed: &[Interval],
    busy: &[Interval],
    duration: SignedDuration,
    limit: usize,
) -> Vec<Interval> {
    if duration <= SignedDuration::ZERO || limit == 0 {
        return Vec::new();
    }
    let merged = merge(busy);
    let mut slots = Vec::new();
    let offer = |gap_start: Timestamp, gap_end: Timestamp, slots: &mut Vec<Interval>| {
        if gap_end.duration_since(gap_start) >= duration {
            if let Ok(end) = gap_start.checked_add(duration) {
                slots.push(Interval {
                    start: gap_start,
                    end,
                });
            }
        }
    };
    // Busy intervals wholly before the current allowed one are never needed again.
    let mut first = 0;
    for a in allowed {
        while first < merged.len() && merged[first].end <= a.start {
            first += 1;
        }
        let mut cursor = a.start;
        for b in &merged[first..] {
            if b.start >= a.end || cursor >= a.end {
                break;
            }
            if b.start > cursor {
                offer(cursor, b.start, &mut slots);
                if slots.len() >= limit {
                    return slots;
                }
            }
            cursor = cursor.max(b.end);
        }
        if cursor < a.end {
            offer(cursor, a.end, &mut slots);
            if slots.len() >= limit {
                return slots;
            }
        }
    }
    slots
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(minute: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + minute * 60).expect("in range")
    }

    fn iv(a: i64, b: i64) -> Interval {
        Interval {
            start: at(a),
            end: at(b),
        }
    }

    fn window(a: i64, b: i64) -> Window {
        Window::new(at(a), at(b)).expect("window")
    }

    fn minutes(m: i64) -> SignedDuration {
        SignedDuration::from_mins(m)
    }

    fn window_of(a: &Interval) -> Window {
        Window::new(a.start, a.end).expect("window")
    }

    #[test]
    fn an_empty_calendar_offers_the_start_of_the_window() {
        assert_eq!(
            free_slots(window(0, 480), &[], minutes(60), MAX_SLOTS),
            vec![iv(0, 60)]
        );
    }

    #[test]
    fn one_slot_per_gap_at_the_gap_start() {
        // Busy 9-10 and 12-13 in a 8-17 window: gaps 8-9, 10-12, 13-17.
        let busy = [iv(60, 120), iv(240, 300)];
        assert_eq!(
            free_slots(window(0, 540), &busy, minutes(60), MAX_SLOTS),
            vec![iv(0, 60), iv(120, 180), iv(300, 360)]
        );
    }

    #[test]
    fn overlapping_and_touching_intervals_merge() {
        let busy = [iv(10, 50), iv(30, 70), iv(70, 90), iv(95, 100)];
        assert_eq!(
            free_slots(window(0, 120), &busy, minutes(10), MAX_SLOTS),
            vec![iv(0, 10), iv(100, 110)]
        );
    }

    #[test]
    fn short_gaps_are_skipped_and_exact_fits_kept() {
        let busy = [iv(0, 30), iv(59, 90), iv(120, 150)];
        assert_eq!(
            free_slots(window(0, 150), &busy, minutes(30), MAX_SLOTS),
            vec![iv(90, 120)]
        );
    }

    #[test]
    fn busy_time_outside_the_window_is_ignored_and_clipped() {
        let busy = [iv(-100, 10), iv(200, 400)];
        assert_eq!(
            free_slots(window(0, 240), &busy, minutes(30), MAX_SLOTS),
            vec![iv(10, 40)]
        );
    }

    #[test]
    fn at_most_the_limit_is_offered() {
        let busy: Vec<_> = (0..20).map(|i| iv(i * 20 + 10, i * 20 + 20)).collect();
        assert_eq!(free_slots(window(0, 400), &busy, minutes(10), 5).len(), 5);
    }

    #[test]
    fn inside_working_intervals_each_gap_of_each_day_offers_one_slot() {
        // Two "days" 0-100 and 200-300; busy 50-250 spans the night.
        let allowed = [iv(0, 100), iv(200, 300)];
        assert_eq!(
            free_slots_within(&allowed, &[iv(50, 250)], minutes(30), MAX_SLOTS),
            vec![iv(0, 30), iv(250, 280)]
        );
        // Time outside the allowed intervals is never offered, even when free.
        assert_eq!(
            free_slots_within(&allowed, &[], minutes(120), MAX_SLOTS),
            vec![]
        );
    }

    #[test]
    fn a_fully_booked_window_has_no_slots() {
        assert!(free_slots(window(0, 60), &[iv(-5, 65)], minutes(5), MAX_SLOTS).is_empty());
    }

    fn arb_busy() -> impl Strategy<Value = Vec<Interval>> {
        prop::collection::vec((-200i64..2000, 1i64..300), 0..60)
            .prop_map(|v| v.into_iter().map(|(s, len)| iv(s, s + len)).collect())
    }

    proptest! {
        #[test]
        fn slots_avoid_busy_time_stay_in_the_window_and_are_sorted(
            busy in arb_busy(),
            start in 0i64..500,
            len in 1i64..1500,
            duration in 1i64..240,
        ) {
            let w = window(start, start + len);
            let slots = free_slots(w, &busy, minutes(duration), MAX_SLOTS);
            prop_assert!(slots.len() <= MAX_SLOTS);
            for s in &slots {
                prop_assert_eq!(s.end.duration_since(s.start), minutes(duration));
                prop_assert!(s.start >= w.start && s.end <= w.end);
                for b in &busy {
                    prop_assert!(s.end <= b.start || s.start >= b.end, "{:?} overlaps {:?}", s, b);
                }
            }
            for pair in slots.windows(2) {
                prop_assert!(pair[0].end <= pair[1].start);
            }
        }

        #[test]
        fn the_sweep_over_several_intervals_matches_one_search_per_interval(
            busy in arb_busy(),
            duration in 1i64..90,
        ) {
            let allowed = [iv(0, 120), iv(200, 260), iv(300, 500)];
            let swept = free_slots_within(&allowed, &busy, minutes(duration), usize::MAX);
            let one_by_one: Vec<Interval> = allowed
                .iter()
                .flat_map(|a| free_slots(window_of(a), &busy, minutes(duration), usize::MAX))
                .collect();
            prop_assert_eq!(swept, one_by_one);
        }

        #[test]
        fn a_free_window_always_yields_a_slot_when_there_is_room(
            busy in arb_busy(),
            duration in 1i64..60,
        ) {
            // If some gap of `duration` exists (checked minute by minute), a slot is offered.
            let w = window(0, 600);
            let free_at = |m: i64| busy.iter().all(|b| at(m + 1) <= b.start || at(m) >= b.end);
            let mut run = 0;
            let mut exists = false;
            for m in 0..600 {
                run = if free_at(m) { run + 1 } else { 0 };
                if run >= duration { exists = true; break; }
            }
            let slots = free_slots(w, &busy, minutes(duration), MAX_SLOTS);
            prop_assert_eq!(exists, !slots.is_empty());
        }
    }
}
