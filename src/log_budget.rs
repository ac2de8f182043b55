//! Bounded logging for what strangers can cause. A flood of forged tool URLs, unknown paths or
//! bad notifications must cost CPU, never the disk: lines about such requests are let through
//! at a few per second per route and kind, the first of each second with every diagnostic; the
//! rest are counted, and the count is logged once the second is over ("N not logged"), so
//! every request is still accounted for.

use std::sync::Mutex;

use rustc_hash::FxHashMap;
use std::time::{Duration, Instant};

/// What a line is about, beside its route.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Topic {
    /// A request refused before any work (a forged tool URL, an unknown notification channel),
    /// by the reason's short code.
    Refusal(&'static str),
    /// The one line at the end of a request, by status code.
    Response(u16),
}

impl Topic {
    /// How many lines per second per route this topic may write.
    fn per_second(self) -> u32 {
        match self {
            Self::Refusal(_) => 1,
            // Refusals (anything a stranger can provoke) at about one a second; our own
            // failures a little more; successful requests more freely (the access log is
            // useful), but a flood of even those is cut.
            Self::Response(status) if status >= 500 => 10,
            Self::Response(status) if status >= 400 => 1,
            Self::Response(_) => 50,
        }
    }
}

#[derive(Debug)]
struct Slot {
    since: Instant,
    written: u32,
    skipped: u64,
    last_seen: Instant,
}

/// Lines not written in a second that is over.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Skipped {
    /// What they were about.
    pub topic: Topic,
    /// On which route.
    pub route: String,
    /// How many.
    pub count: u64,
}

/// The budget. One per process state; cheap to consult (one short lock, no allocation once a
/// route and topic have been seen).
#[derive(Debug, Default)]
pub(crate) struct LogBudget {
    // FxHash: the keys are our own routes and reasons, not an attacker's, and a refusal
    // consults this twice; SipHash's flood resistance is not needed here.
    slots: Mutex<FxHashMap<Topic, FxHashMap<Box<str>, Slot>>>,
}

const WINDOW: Duration = Duration::from_secs(1);
/// Routes idle this long are forgotten (their count was reported long ago).
const FORGET_AFTER: Duration = Duration::from_secs(120);

impl LogBudget {
    /// Whether a line about `topic` on `route` may be written now. `Some(n)`: write it, and say
    /// `n` lines were not written before it and not yet reported; `None`: counted, not written.
    pub(crate) fn admit(&self, topic: Topic, route: &str) -> Option<u64> {
        self.admit_at(topic, route, Instant::now())
    }

    fn admit_at(&self, topic: Topic, route: &str, now: Instant) -> Option<u64> {
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        let routes = slots.entry(topic).or_default();
        let slot = match routes.get_mut(route) {
            Some(slot) => slot,
            None => routes.entry(route.into()).or_insert(Slot {
                since: now,
                written: 0,
                skipped: 0,
                last_seen: now,
            }),
        };
        slot.last_seen = now;
        if now.duration_since(slot.since) >= WINDOW {
            slot.since = now;
            slot.written = 0;
        }
        if slot.written < topic.per_second() {
            slot.written += 1;
            Some(std::mem::take(&mut slot.skipped))
        } else {
            slot.skipped += 1;
            None
        }
    }

    /// The counts of lines not written in seconds that are over, reset to zero; routes long
    /// idle are forgotten. Called about once a second.
    pub(crate) fn take_skipped(&self) -> Vec<Skipped> {
        self.take_skipped_at(Instant::now())
    }

    fn take_skipped_at(&self, now: Instant) -> Vec<Skipped> {
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        let mut out = Vec::new();
        for (topic, routes) in slots.iter_mut() {
            routes.retain(|route, slot| {
                if slot.skipped > 0 && now.duration_since(slot.since) >= WINDOW {
                    out.push(Skipped {
                        topic: *topic,
                        route: route.to_string(),
                        count: std::mem::take(&mut slot.skipped),
                    });
                }
                slot.skipped > 0 || now.duration_since(slot.last_seen) < FORGET_AFTER
            });
        }
        slots.retain(|_, routes| !routes.is_empty());
        out
    }
}

/// Logs what [`LogBudget::take_skipped`] found: one line per route and topic.
pub(crate) fn report_skipped(budget: &LogBudget) {
    for s in budget.take_skipped() {
        match s.topic {
            Topic::Refusal(reason) => tracing::warn!(
                route = %s.route,
                reason,
                not_logged = s.count,
                "refusals not logged (about one a second per route and reason is)"
            ),
            Topic::Response(status) => tracing::info!(
                route = %s.route,
                status,
                not_logged = s.count,
                "responses not logged (a few a second are)"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REFUSED: Topic = Topic::Refusal("wrong_signature");

    #[test]
    fn one_refusal_a_second_is_written_and_the_rest_counted_exactly() {
        let budget = LogBudget::default();
        let t0 = Instant::now();
        assert_eq!(
            budget.admit_at(REFUSED, "/a", t0),
            Some(0),
            "the first, in full"
        );
        for i in 1..3000u64 {
            let at = t0 + Duration::from_micros(i * 100); // 3,000 in 0.3 s
            assert_eq!(budget.admit_at(REFUSED, "/a", at), None);
        }
        assert_eq!(
            budget.admit_at(REFUSED, "/b", t0),
            Some(0),
            "another route has its own"
        );
        assert!(
            budget
                .take_skipped_at(t0 + Duration::from_millis(500))
                .is_empty(),
            "second not over"
        );
        let skipped = budget.take_skipped_at(t0 + Duration::from_secs(1));
        assert_eq!(
            skipped,
            vec![Skipped {
                topic: REFUSED,
                route: "/a".into(),
                count: 2999
            }]
        );
        assert!(
            budget
                .take_skipped_at(t0 + Duration::from_secs(2))
                .is_empty(),
            "reported once"
        );
    }

    #[test]
    fn a_line_in_a_new_second_carries_what_was_not_yet_reported() {
        let budget = LogBudget::default();
        let t0 = Instant::now();
        budget.admit_at(REFUSED, "/a", t0);
        budget.admit_at(REFUSED, "/a", t0);
        budget.admit_at(REFUSED, "/a", t0);
        assert_eq!(
            budget.admit_at(REFUSED, "/a", t0 + Duration::from_secs(1)),
            Some(2)
        );
        assert!(
            budget
                .take_skipped_at(t0 + Duration::from_secs(3))
                .is_empty()
        );
    }

    #[test]
    fn successful_responses_flow_more_freely_than_errors() {
        let budget = LogBudget::default();
        let t0 = Instant::now();
        let ok = (0..100)
            .filter(|_| budget.admit_at(Topic::Response(200), "/", t0).is_some())
            .count();
        let bad = (0..100)
            .filter(|_| budget.admit_at(Topic::Response(404), "/", t0).is_some())
            .count();
        assert_eq!((ok, bad), (50, 1));
    }

    #[test]
    fn idle_routes_are_forgotten() {
        let budget = LogBudget::default();
        let t0 = Instant::now();
        budget.admit_at(REFUSED, "/a", t0);
        budget.take_skipped_at(t0 + FORGET_AFTER + Duration::from_secs(1));
        assert!(budget.slots.lock().expect("lock").is_empty());
    }
}
