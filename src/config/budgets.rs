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
    /// The first wait before a background Google call refused for now is made again (each
    /// next one doubles, with jitter; never sooner than Google's `Retry-After`).
    pub background_retry: Duration,
    /// One call to Google's OAuth endpoints (code exchange, refresh, userinfo, revoke): a
    /// refresh inside a tool call must leave time for the Calendar call after it.
    pub oauth_call: Duration,
    /// One People API search (two run at once inside a tool call).
    pub people_call: Duration,
    /// One call to Anam's API (the session mint, the account's lists).
    pub anam_call: Duration,
    /// How often the change relay checks its PostgreSQL connection by notifying itself (a
    /// check unanswered after two of these means the connection is dead).
    pub relay_check: Duration,
    /// Reading the rest of today at Start: the mint waits this long at most for it, then
    /// starts the session without it.
    pub day_at_start: Duration,
}

impl Default for Budgets {
    fn default() -> Self {
        Self {
            tool_call: Duration::from_millis(4500),
            background_call: Duration::from_secs(10),
            background_retry: Duration::from_secs(1),
            oauth_call: Duration::from_secs(4),
            people_call: Duration::from_secs(3),
            anam_call: Duration::from_secs(10),
            relay_check: Duration::from_secs(5),
            day_at_start: Duration::from_millis(1200),
        }
    }
}
