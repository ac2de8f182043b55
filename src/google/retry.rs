//! The one retry policy for Google's refusals that pass with time (a rate limit, a 5xx). Pure:
//! it says whether, and after how long, a failed call is made again; [`super::user_calendar`]
//! is the only place that waits.
//!
//! - In a request (a tool call, the page), someone is waiting: a rate limit with Google's
//!   `Retry-After` is waited out only if the call can still be made and answered before the
//!   request's deadline; otherwise (or without a `Retry-After`, or after a 5xx) the refusal is
//!   answered at once (503 with Google's wait as `Retry-After`), so the avatar can say when to
//!   try again instead of going silent.
//! - In the background, nobody waits: a rate limit is retried a few times, each wait at least
//!   Google's `Retry-After` and growing exponentially with jitter (so many users' work, refused
//!   together, does not come back together).
//! - A 5xx may have done what was asked: only reads are retried after one; a write is retried
//!   only after a rate limit (Google refused it before doing anything).

use std::time::Duration;

use crate::error::{Error, GoogleError};

/// Calls made at most, first one included, in the background.
pub(crate) const BACKGROUND_ATTEMPTS: u32 = 4;
/// Calls made at most, first one included, in a request.
const REQUEST_ATTEMPTS: u32 = 2;
/// The longest single wait in the background.
const BACKGROUND_WAIT_MAX: Duration = Duration::from_secs(120);
/// What a request keeps for the retried call itself after a wait.
const REQUEST_CALL_RESERVE: Duration = Duration::from_millis(800);

/// Who is waiting on the call.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Pace {
    /// A request, whose answer is due at `deadline` (none: answer at once).
    Request {
        /// Time left until the answer is due, when the call failed.
        left: Option<Duration>,
    },
    /// Background work; the first backoff is `base`.
    Background {
        /// The first wait without a `Retry-After`; each next one doubles.
        base: Duration,
    },
}

/// How long to wait before making again a call of a read (`writes` false) or write that
/// failed with `error` on its `attempt`-th try (1 for the first), or `None` to give up.
/// `jitter` is a random number in [0, 1).
pub(crate) fn wait_before_retry(
    error: &Error,
    writes: bool,
    attempt: u32,
    pace: Pace,
    jitter: f64,
) -> Option<Duration> {
    let asked = match error {
        Error::Google(GoogleError::RateLimited { retry_after, .. }) => Some(*retry_after),
        Error::Google(GoogleError::Failed {
            status: Some(500..=599),
            ..
        }) if !writes => Some(None),
        _ => None,
    }?;
    match pace {
        Pace::Request { left } => {
            if attempt >= REQUEST_ATTEMPTS {
                return None;
            }
            let wait = asked?;
            (wait + REQUEST_CALL_RESERVE <= left?).then_some(wait)
        }
        Pace::Background { base } => {
            if attempt >= BACKGROUND_ATTEMPTS {
                return None;
            }
            let wait = backoff(base, attempt, jitter).max(asked.unwrap_or_default());
            // Google asking for longer than that: the work is given up, and redone later.
            (wait <= BACKGROUND_WAIT_MAX).then_some(wait)
        }
    }
}

/// The wait after the `attempt`-th failure (1 for the first) of background work: `base`
/// doubled each time, with "equal jitter" (half of it fixed, half random; `jitter` in [0, 1)).
pub(crate) fn backoff(base: Duration, attempt: u32, jitter: f64) -> Duration {
    let grown = base.saturating_mul(1 << attempt.saturating_sub(1).min(10));
    grown.mul_f64(0.5 + jitter.clamp(0.0, 1.0) / 2.0)
}

/// Whether work that failed with `error` may succeed if done again later (Google limiting or
/// failing, the store unavailable), unlike a refusal that only the user can lift (a lost grant,
/// a missing permission) or a mistake in what was asked.
pub(crate) fn may_pass(error: &Error) -> bool {
    match error {
        Error::Google(GoogleError::RateLimited { .. } | GoogleError::Timeout { .. }) => true,
        Error::Google(GoogleError::Failed { status, .. }) => {
            status.is_none_or(|s| s == 429 || s >= 500)
        }
        Error::Service(_) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limited(after: Option<u64>) -> Error {
        GoogleError::RateLimited {
            what: "events.list",
            detail: "x".into(),
            retry_after: after.map(Duration::from_secs),
        }
        .into()
    }

    fn failed(status: u16) -> Error {
        Error::google("events.list", Some(status), "x")
    }

    const BG: Pace = Pace::Background {
        base: Duration::from_secs(1),
    };

    fn request(left_ms: u64) -> Pace {
        Pace::Request {
            left: Some(Duration::from_millis(left_ms)),
        }
    }

    #[test]
    fn a_request_waits_out_retry_after_only_when_it_fits() {
        assert_eq!(
            wait_before_retry(&limited(Some(2)), false, 1, request(4000), 0.5),
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            wait_before_retry(&limited(Some(2)), false, 1, request(2500), 0.5),
            None
        );
        assert_eq!(
            wait_before_retry(&limited(Some(2)), false, 2, request(9000), 0.5),
            None,
            "a request retries once"
        );
        assert_eq!(
            wait_before_retry(
                &limited(Some(1)),
                false,
                1,
                Pace::Request { left: None },
                0.5
            ),
            None,
            "no deadline known: answered at once"
        );
    }

    #[test]
    fn only_what_time_can_lift_is_worth_doing_again() {
        assert!(may_pass(&limited(None)));
        assert!(may_pass(&failed(502)));
        assert!(may_pass(&Error::google(
            "events.list",
            None,
            "connection reset"
        )));
        assert!(!may_pass(&failed(400)));
        assert!(!may_pass(&Error::Auth(crate::error::Auth::ReauthRequired)));
    }

    #[test]
    fn a_5xx_is_retried_in_the_background_for_reads_only() {
        assert!(wait_before_retry(&failed(503), false, 1, BG, 0.0).is_some());
        assert!(wait_before_retry(&failed(503), false, 1, request(4000), 0.0).is_none());
        assert!(
            wait_before_retry(&limited(None), false, 1, request(4000), 0.0).is_none(),
            "a request waits only for a wait Google named"
        );
        assert!(wait_before_retry(&failed(503), true, 1, BG, 0.0).is_none());
        assert!(wait_before_retry(&limited(None), true, 1, BG, 0.0).is_some());
        assert!(wait_before_retry(&failed(400), false, 1, BG, 0.0).is_none());
        assert!(wait_before_retry(&failed(404), false, 1, request(4000), 0.0).is_none());
    }

    #[test]
    fn background_waits_grow_with_jitter_and_end() {
        let waits: Vec<Duration> = (1..BACKGROUND_ATTEMPTS)
            .map(|n| wait_before_retry(&limited(None), false, n, BG, 0.0).unwrap_or_default())
            .collect();
        assert_eq!(
            waits,
            [500, 1000, 2000].map(Duration::from_millis).to_vec(),
            "at jitter 0, half of 1 s, 2 s, 4 s"
        );
        let high = wait_before_retry(&limited(None), false, 1, BG, 0.99).unwrap_or_default();
        assert!(high > Duration::from_millis(990) && high <= Duration::from_secs(1));
        assert_eq!(
            wait_before_retry(&limited(None), false, BACKGROUND_ATTEMPTS, BG, 0.5),
            None
        );
        assert_eq!(
            wait_before_retry(&limited(Some(30)), false, 1, BG, 0.5),
            Some(Duration::from_secs(30)),
            "never sooner than Google asked"
        );
        assert_eq!(
            wait_before_retry(&limited(Some(3600)), false, 1, BG, 0.5),
            None,
            "Google asking for an hour: given up, not waited on"
        );
    }
}
