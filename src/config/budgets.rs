//! How long the service waits on others: fixed by what its callers allow, not by an operator,
//! so not read from the environment. Tests shorten them to break a promise quickly instead of
//! waiting real seconds.

use std::time::Duration;

/// The time budgets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budgets {
    /// A whole tool call, from its arrival (the store's waits and Google's, token refresh
    /// included): Anam waits at most 5 s, and this leaves room for the network back to it.
    pub tool_call: Duration,
    /// One Google call made in the background (watch, stop, sync, finishing a split).
    pub background_call: Duration,
}

impl Default for Budgets {
    fn default() -> Self {
        Self {
            tool_call: Duration::from_millis(4500),
            background_call: Duration::from_secs(10),
        }
    }
}
