//! Per-key rate limits (GCRA via `governor`): tool calls per user, session mints per user and
//! per client IP.

use std::hash::Hash;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};

use crate::error::{Error, Input};

/// A keyed limiter allowing `n` per minute per key, with bursts up to `n`.
pub(crate) struct PerMinute<K: Hash + Eq + Clone> {
    limiter: RateLimiter<K, DefaultKeyedStateStore<K>, DefaultClock>,
}

impl<K: Hash + Eq + Clone> PerMinute<K> {
    /// `n` requests per minute per key.
    pub(crate) fn new(n: NonZeroU32) -> Self {
        Self {
            limiter: RateLimiter::keyed(Quota::per_minute(n)),
        }
    }

    /// Takes one request from `key`'s allowance, or says when the next one is allowed.
    pub(crate) fn check(&self, key: &K) -> Result<(), Error> {
        self.limiter.check_key(key).map_err(|not_until| {
            let retry_after = not_until.wait_time_from(DefaultClock::default().now());
            Error::Input(Input::RateLimited {
                retry_after: retry_after.max(Duration::from_secs(1)),
            })
        })
    }

    /// Forgets keys whose allowance is full again (bounded memory).
    pub(crate) fn prune(&self) {
        self.limiter.retain_recent();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_allowance_is_per_key_and_says_when_to_retry() {
        let limit = PerMinute::new(NonZeroU32::new(2).expect("2"));
        assert!(limit.check(&"ada").is_ok());
        assert!(limit.check(&"ada").is_ok());
        match limit.check(&"ada") {
            Err(Error::Input(Input::RateLimited { retry_after })) => {
                assert!(
                    retry_after >= Duration::from_secs(1) && retry_after <= Duration::from_secs(30)
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(limit.check(&"eve").is_ok());
    }
}
