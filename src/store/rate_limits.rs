//! Limits counted in the store, so N instances together allow the configured rate, not N
//! times it: a sliding window over one row per allowed request.
//!
//! Take = insert my row, then sum the window including it; over the limit, delete my row and
//! refuse. Each statement commits on its own, so of two racing instances the later sum always
//! sees the earlier row: the limit can be undershot by a race (both refuse), never overshot.

use std::time::Duration;

use super::{Store, StoreError};

/// The longest window any limit uses (invitations per hour); older rows are pruned.
pub const LONGEST_WINDOW: Duration = Duration::from_secs(3600);

/// What a limit said.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Allowance {
    /// Allowed, and counted.
    Granted,
    /// Refused; the earliest counted request leaves the window after this long.
    Exhausted {
        /// When to try again.
        retry_after: Duration,
    },
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

impl Store {
    /// Counts `amount` against `key`, allowing at most `limit` in any `window`.
    pub async fn take_allowance(
        &self,
        key: &str,
        limit: u32,
        window: Duration,
        amount: u32,
    ) -> Result<Allowance, StoreError> {
        let now = now_ms();
        let window_ms = i64::try_from(window.as_millis()).unwrap_or(i64::MAX);
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO rate_events (key, at_ms, amount) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(key)
        .bind(now)
        .bind(i64::from(amount))
        .fetch_one(&self.pool)
        .await?;
        // Only the newest `limit + 1` rows can matter (each counts at least 1), so a key under
        // heavy use costs the same as a quiet one. When refused, the oldest of them leaving the
        // window is what frees room.
        let (total, oldest): (i64, Option<i64>) = sqlx::query_as(
            "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT), MIN(at_ms) FROM (
                 SELECT amount, at_ms FROM rate_events
                 WHERE key = $1 AND at_ms > $2
                 ORDER BY at_ms DESC, id DESC LIMIT $3
             ) AS newest",
        )
        .bind(key)
        .bind(now - window_ms)
        .bind(i64::from(limit) + 1)
        .fetch_one(&self.pool)
        .await?;
        if total <= i64::from(limit) {
            return Ok(Allowance::Granted);
        }
        sqlx::query("DELETE FROM rate_events WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        let frees_at = oldest.unwrap_or(now) + window_ms;
        let wait = u64::try_from(frees_at - now).unwrap_or(0);
        Ok(Allowance::Exhausted {
            retry_after: Duration::from_millis(wait).max(Duration::from_secs(1)),
        })
    }

    pub(super) async fn prune_rate_events(&self) -> Result<(), StoreError> {
        let window_ms = i64::try_from(LONGEST_WINDOW.as_millis()).unwrap_or(i64::MAX);
        sqlx::query("DELETE FROM rate_events WHERE at_ms <= $1")
            .bind(now_ms() - window_ms)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
