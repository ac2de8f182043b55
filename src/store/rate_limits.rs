//! Limits counted in the store, so N instances together allow the configured rate, not N
//! times it: a sliding window over one row per allowed request.
//!
//! Take = one conditional insert: a row is added only if the window's sum plus this request
//! stays within the limit. On SQLite the statement holds the write lock from its start; on
//! PostgreSQL the transaction first takes an advisory lock on the key. Either way, racing
//! instances are served one after another: the limit is exact, neither overshot nor undershot.

use std::time::Duration;

use super::{Backend, Store, StoreError};

/// The longest window any limit uses (invitations per hour); older rows are pruned.
pub(super) const LONGEST_WINDOW: Duration = Duration::from_secs(3600);

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

/// A limit: at most `limit` in any `window` for `key`.
#[derive(Clone, Copy, Debug)]
pub struct Limit<'a> {
    /// What is counted (`guest-emails:{user}`, `mint:user:{user}`…).
    pub(crate) key: &'a str,
    /// The most allowed in any window.
    pub(crate) limit: u32,
    /// The sliding window.
    pub(crate) window: Duration,
}

impl Store {
    /// Counts `amount` against `key`, allowing at most `limit` in any `window`. A refused
    /// request counts for nothing.
    pub async fn take_allowance(
        &self,
        key: &str,
        limit: u32,
        window: Duration,
        amount: u32,
    ) -> Result<Allowance, StoreError> {
        let limit = Limit { key, limit, window };
        let mut tx = self.pool.begin().await?;
        self.lock_key(&mut tx, limit.key).await?;
        let answer = take_in(&mut tx, limit, amount).await?;
        tx.commit().await?;
        Ok(answer)
    }

    /// Gives back the last allowance counted against `key` (the work it paid for failed
    /// before doing anything).
    pub async fn give_back_allowance(&self, key: &str) -> Result<(), StoreError> {
        sqlx::query(
            "DELETE FROM rate_events WHERE id = (SELECT MAX(id) FROM rate_events WHERE key = $1)",
        )
        .bind(key)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Serialises every transaction counting `key` (PostgreSQL: an advisory lock until the
    /// transaction ends; SQLite's write lock already serialises writers).
    pub(super) async fn lock_key(
        &self,
        conn: &mut sqlx::AnyConnection,
        key: &str,
    ) -> Result<(), StoreError> {
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
                .bind(key)
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    }
}

/// The conditional insert, inside the caller's transaction (which holds the key's lock).
pub(super) async fn take_in(
    conn: &mut sqlx::AnyConnection,
    limit: Limit<'_>,
    amount: u32,
) -> Result<Allowance, StoreError> {
    let now = now_ms();
    let window_ms = i64::try_from(limit.window.as_millis()).unwrap_or(i64::MAX);
    // Only the newest `limit` rows can matter (each counts at least 1), so a key under
    // heavy use costs the same as a quiet one.
    let inserted: Option<i64> = sqlx::query_scalar(
        "INSERT INTO rate_events (key, at_ms, amount)
         SELECT $1, $2, $3
         WHERE (SELECT COALESCE(SUM(amount), 0) FROM (
                    SELECT amount FROM rate_events
                    WHERE key = $1 AND at_ms > $4
                    ORDER BY at_ms DESC, id DESC LIMIT $5
                ) AS newest) + $3 <= $5
         RETURNING id",
    )
    .bind(limit.key)
    .bind(now)
    .bind(i64::from(amount))
    .bind(now - window_ms)
    .bind(i64::from(limit.limit))
    .fetch_optional(&mut *conn)
    .await?;
    if inserted.is_some() {
        return Ok(Allowance::Granted);
    }
    // The oldest of the newest `limit` leaving the window is what frees room.
    let oldest: Option<i64> = sqlx::query_scalar(
        "SELECT MIN(at_ms) FROM (
             SELECT at_ms FROM rate_events
             WHERE key = $1 AND at_ms > $2
             ORDER BY at_ms DESC, id DESC LIMIT $3
         ) AS newest",
    )
    .bind(limit.key)
    .bind(now - window_ms)
    .bind(i64::from(limit.limit))
    .fetch_one(&mut *conn)
    .await?;
    let frees_at = oldest.unwrap_or(now) + window_ms;
    let wait = u64::try_from(frees_at - now).unwrap_or(0);
    Ok(Allowance::Exhausted {
        retry_after: Duration::from_millis(wait).max(Duration::from_secs(1)),
    })
}

impl Store {
    pub(super) async fn prune_rate_events(&self) -> Result<(), StoreError> {
        let window_ms = i64::try_from(LONGEST_WINDOW.as_millis()).unwrap_or(i64::MAX);
        sqlx::query("DELETE FROM rate_events WHERE at_ms <= $1")
            .bind(now_ms() - window_ms)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
