//! Wall-clock time: unix seconds (the unit presigned URLs use) and instants, read through the
//! instance's [`Clock`], which a test can set ahead to play an instance whose clock is wrong.
//! What must agree across instances (mint times, sign-outs) is read off the store's clock
//! instead.

use std::time::{SystemTime, UNIX_EPOCH};

use jiff::{SignedDuration, Timestamp};

/// Seconds since the unix epoch (0 if the clock is before 1970).
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// This instance's clock: the system's, or (in tests) the system's moved by a fixed amount.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Clock {
    ahead: SignedDuration,
}

impl Clock {
    /// The system clock moved `seconds` ahead (behind, when negative).
    pub fn ahead_by(seconds: i64) -> Self {
        Self {
            ahead: SignedDuration::from_secs(seconds),
        }
    }

    /// Now.
    pub fn now(&self) -> Timestamp {
        Timestamp::now()
            .saturating_add(self.ahead)
            .unwrap_or_else(|_| Timestamp::now())
    }

    /// Now in unix seconds (0 before 1970).
    pub fn unix_now(&self) -> u64 {
        u64::try_from(self.now().as_second()).unwrap_or(0)
    }
}
