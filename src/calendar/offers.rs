//! Free slots as an assistant offers them (docs/api.md, `find_free_time`): each on the quarter hour of the
//! user's wall clock, never in the past, and across several days at most two a day, earliest
//! first. Pure.

use jiff::{SignedDuration, Timestamp};

use super::Zone;
use super::slots::{Interval, gaps};

/// Slots as an assistant offers them: in each gap (inside `allowed`), the first quarter hour
/// of `zone`'s wall clock from which `duration` fits; earliest first; at most `per_day` on one
/// day of `zone` when given (so a week's search does not offer five times one afternoon); at
/// most `limit`.
pub fn offered_slots(
    allowed: &[Interval],
    busy: &[Interval],
    duration: SignedDuration,
    zone: &Zone,
    per_day: Option<usize>,
    limit: usize,
) -> Vec<Interval> {
    if duration <= SignedDuration::ZERO || limit == 0 {
        return Vec::new();
    }
    let mut day_count: Option<(jiff::civil::Date, usize)> = None;
    gaps(allowed, busy)
        .into_iter()
        .filter_map(|gap| {
            let start = quarter_up(gap.start, zone);
            let end = start.checked_add(duration).ok()?;
            (end <= gap.end).then_some(Interval { start, end })
        })
        .filter(|slot| {
            let Some(most) = per_day else { return true };
            let day = slot.start.to_zoned(zone.tz.clone()).date();
            match &mut day_count {
                Some((d, n)) if *d == day => {
                    *n += 1;
                    *n <= most
                }
                other => {
                    *other = Some((day, 1));
                    true
                }
            }
        })
        .take(limit)
        .collect()
}

/// `at`, or the next quarter hour of `zone`'s wall clock after it (:00, :15, :30, :45).
pub(crate) fn quarter_up(at: Timestamp, zone: &Zone) -> Timestamp {
    let whole = if at.subsec_nanosecond() > 0 {
        at.as_second() + 1
    } else {
        at.as_second()
    };
    let Ok(whole_ts) = Timestamp::from_second(whole) else {
        return at;
    };
    let local = whole_ts.to_zoned(zone.tz.clone());
    let into = i64::from(local.minute() % 15) * 60 + i64::from(local.second());
    if into == 0 {
        return whole_ts;
    }
    whole_ts
        .checked_add(SignedDuration::from_secs(900 - into))
        .unwrap_or(whole_ts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minutes(m: i64) -> SignedDuration {
        SignedDuration::from_mins(m)
    }

    fn zone(name: &str) -> Zone {
        Zone::parse(name, "timezone").expect("zone")
    }

    fn local(zone: &Zone, at: Timestamp) -> String {
        at.to_zoned(zone.tz.clone())
            .strftime("%Y-%m-%d %H:%M")
            .to_string()
    }

    fn ts(s: &str) -> Timestamp {
        s.parse().expect("ts")
    }

    fn span(a: &str, b: &str) -> Interval {
        Interval {
            start: ts(a),
            end: ts(b),
        }
    }

    #[test]
    fn slots_start_on_the_quarter_hour_and_a_gap_too_short_after_rounding_is_passed() {
        let utc = zone("UTC");
        // Free 10:50-12:00 and 13:05-13:55: the first offers 11:00, the second cannot fit an
        // hour from 13:15 and is passed; 14:00 onwards is free.
        let allowed = [span("2026-11-24T09:00:00Z", "2026-11-24T18:00:00Z")];
        let busy = [
            span("2026-11-24T09:00:00Z", "2026-11-24T10:50:00Z"),
            span("2026-11-24T12:00:00Z", "2026-11-24T13:05:00Z"),
            span("2026-11-24T13:55:00Z", "2026-11-24T14:00:00Z"),
        ];
        let slots = offered_slots(&allowed, &busy, minutes(60), &utc, None, 5);
        let starts: Vec<String> = slots.iter().map(|s| local(&utc, s.start)).collect();
        assert_eq!(starts, ["2026-11-24 11:00", "2026-11-24 14:00"]);
        assert_eq!(
            quarter_up(ts("2026-11-24T10:45:00Z"), &utc),
            ts("2026-11-24T10:45:00Z")
        );
        assert_eq!(
            quarter_up(ts("2026-11-24T10:45:00.5Z"), &utc),
            ts("2026-11-24T11:00:00Z")
        );
    }

    #[test]
    fn quarters_are_the_zones_own_far_from_utc() {
        // Kathmandu is UTC+05:45, Chatham UTC+13:45 in its summer: their quarter hours are
        // the wall clock's, whatever UTC says.
        for (name, gap_start, expect) in [
            ("Asia/Kathmandu", "2026-11-24T04:20:00Z", "2026-11-24 10:15"),
            (
                "Pacific/Chatham",
                "2026-11-24T20:01:00Z",
                "2026-11-25 10:00",
            ),
            ("Asia/Kolkata", "2026-11-24T04:31:00Z", "2026-11-24 10:15"),
        ] {
            let z = zone(name);
            let start = quarter_up(ts(gap_start), &z);
            let shown = local(&z, start);
            assert_eq!(shown, expect, "{name}");
            assert_eq!(start.to_zoned(z.tz.clone()).minute() % 15, 0, "{name}");
        }
    }

    #[test]
    fn across_several_days_at_most_two_a_day_earliest_first() {
        let utc = zone("UTC");
        // Three days of working hours, each with five free hours between meetings.
        let mut allowed = Vec::new();
        let mut busy = Vec::new();
        for day in 24..=26 {
            allowed.push(span(
                &format!("2026-11-{day}T09:00:00Z"),
                &format!("2026-11-{day}T18:00:00Z"),
            ));
            for hour in [10, 12, 14, 16] {
                busy.push(span(
                    &format!("2026-11-{day}T{hour}:00:00Z"),
                    &format!("2026-11-{day}T{hour}:30:00Z"),
                ));
            }
        }
        let slots = offered_slots(&allowed, &busy, minutes(30), &utc, Some(2), 5);
        let starts: Vec<String> = slots.iter().map(|s| local(&utc, s.start)).collect();
        assert_eq!(
            starts,
            [
                "2026-11-24 09:00",
                "2026-11-24 10:30",
                "2026-11-25 09:00",
                "2026-11-25 10:30",
                "2026-11-26 09:00"
            ]
        );
        // Without the per-day rule one afternoon could take all five.
        assert_eq!(
            offered_slots(&allowed, &busy, minutes(30), &utc, None, 5).len(),
            5
        );
    }

    proptest::proptest! {
        #[test]
        fn each_slot_fits_a_gap_on_a_quarter_and_one_is_offered_whenever_one_fits(
            busy in proptest::collection::vec((0i64..2000, 1i64..300), 0..40),
            duration in 1i64..120,
        ) {
            let utc = zone("UTC");
            let m = |minute: i64| ts("2026-11-24T00:00:00Z") + minutes(minute);
            let busy: Vec<Interval> =
                busy.iter().map(|(s, len)| Interval { start: m(*s), end: m(s + len) }).collect();
            let allowed = [Interval { start: m(7), end: m(600) }, Interval { start: m(900), end: m(1500) }];
            let slots = offered_slots(&allowed, &busy, minutes(duration), &utc, None, 5);
            for s in &slots {
                proptest::prop_assert_eq!(s.end.duration_since(s.start), minutes(duration));
                proptest::prop_assert_eq!(s.start.as_second() % 900, 0);
                proptest::prop_assert!(allowed.iter().any(|a| a.start <= s.start && s.end <= a.end));
                proptest::prop_assert!(busy.iter().all(|b| s.end <= b.start || s.start >= b.end));
            }
            proptest::prop_assert!(slots.windows(2).all(|p| p[0].end <= p[1].start));
            // Any quarter hour from which the duration is free inside the allowed time.
            let fits = (0..100).map(|q| m(q * 15)).any(|start| {
                let end = start + minutes(duration);
                allowed.iter().any(|a| a.start <= start && end <= a.end)
                    && busy.iter().all(|b| end <= b.start || start >= b.end)
            });
            proptest::prop_assert_eq!(fits, !slots.is_empty());
        }
    }

    #[test]
    fn a_dst_day_keeps_wall_clock_quarters_and_counts_its_own_date() {
        // New York falls back on 2026-11-01 at 02:00 (EDT -> EST).
        let ny = zone("America/New_York");
        let allowed = [span("2026-11-01T05:05:00Z", "2026-11-01T08:00:00Z")];
        let slots = offered_slots(&allowed, &[], minutes(30), &ny, Some(2), 5);
        let starts: Vec<String> = slots.iter().map(|s| local(&ny, s.start)).collect();
        // 01:05 EDT is rounded to 01:15 EDT; one gap, one slot.
        assert_eq!(starts, ["2026-11-01 01:15"]);
        assert_eq!(slots[0].start, ts("2026-11-01T05:15:00Z"));
        // Berlin springs forward on 2026-03-29 at 02:00 -> 03:00: a gap from 00:50 UTC
        // (01:50 CET) rounds to 03:00 CEST, which is 01:00 UTC.
        let berlin = zone("Europe/Berlin");
        let allowed = [span("2026-03-29T00:50:00Z", "2026-03-29T03:00:00Z")];
        let slots = offered_slots(&allowed, &[], minutes(30), &berlin, None, 5);
        assert_eq!(local(&berlin, slots[0].start), "2026-03-29 03:00");
        assert_eq!(slots[0].start, ts("2026-03-29T01:00:00Z"));
    }
}
