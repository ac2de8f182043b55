//! Free time: the gaps between busy intervals inside the allowed ones (working hours), from
//! which `offers` picks slots. Pure, O(n log n) in the number of busy intervals.

use jiff::Timestamp;

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

/// Busy intervals sorted by start and merged where they overlap or touch: disjoint, in order.
fn merge(busy: &[Interval]) -> Vec<Interval> {
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

/// The free gaps inside the `allowed` intervals (sorted, disjoint: working hours), in time
/// order: one sort and one sweep, O(n log n + days). Busy intervals may overlap, touch, be
/// unsorted, or reach outside the allowed ones.
pub fn gaps(allowed: &[Interval], busy: &[Interval]) -> Vec<Interval> {
    let merged = merge(busy);
    let mut gaps = Vec::new();
    // Busy intervals wholly before the current allowed one are never needed again.
    let mut first = 0;
    for a in allowed {
        while first < merged.len() && merged[first].end <= a.start {
            first += 1;
        }
        let mut cursor = a.start;
        for b in merged[first..].iter().take_while(|b| b.start < a.end) {
            if b.start > cursor {
                gaps.push(Interval {
                    start: cursor,
                    end: b.start,
                });
            }
            cursor = cursor.max(b.end);
        }
        if cursor < a.end {
            gaps.push(Interval {
                start: cursor,
                end: a.end,
            });
        }
    }
    gaps
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

    #[test]
    fn each_free_stretch_is_one_gap_with_busy_time_merged_and_clipped() {
        let day = [iv(0, 540)];
        assert_eq!(gaps(&day, &[]), vec![iv(0, 540)]);
        // Unsorted, overlapping and touching busy time merges; what reaches outside is clipped.
        let busy = [
            iv(240, 300),
            iv(60, 120),
            iv(100, 130),
            iv(130, 150),
            iv(500, 900),
        ];
        assert_eq!(
            gaps(&day, &busy),
            vec![iv(0, 60), iv(150, 240), iv(300, 500)]
        );
        assert!(gaps(&day, &[iv(-5, 545)]).is_empty(), "fully booked");
    }

    #[test]
    fn time_outside_the_allowed_intervals_is_never_a_gap() {
        // Two "days" 0-100 and 200-300; busy 50-250 spans the night.
        let allowed = [iv(0, 100), iv(200, 300)];
        assert_eq!(
            gaps(&allowed, &[iv(50, 250)]),
            vec![iv(0, 50), iv(250, 300)]
        );
    }

    fn arb_busy() -> impl Strategy<Value = Vec<Interval>> {
        prop::collection::vec((-200i64..2000, 1i64..300), 0..60)
            .prop_map(|v| v.into_iter().map(|(s, len)| iv(s, s + len)).collect())
    }

    proptest! {
        #[test]
        fn the_gaps_are_exactly_the_free_minutes_of_the_allowed_intervals_in_order(
            busy in arb_busy(),
        ) {
            let allowed = [iv(0, 120), iv(200, 260), iv(300, 500)];
            let found = gaps(&allowed, &busy);
            for pair in found.windows(2) {
                prop_assert!(pair[0].end <= pair[1].start, "{:?} not before {:?}", pair[0], pair[1]);
            }
            // Checked minute by minute, by a reading independent of the sweep.
            for m in -10..520 {
                let allowed_at = allowed.iter().any(|a| a.start <= at(m) && at(m + 1) <= a.end);
                let free_at = busy.iter().all(|b| at(m + 1) <= b.start || at(m) >= b.end);
                let in_gap = found.iter().any(|g| g.start <= at(m) && at(m + 1) <= g.end);
                prop_assert_eq!(in_gap, allowed_at && free_at, "minute {}", m);
            }
        }
    }
}
