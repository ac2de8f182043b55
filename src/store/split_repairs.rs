//! Splits of a series left half done: the series ended, its continuation not (yet) written.
//! Kept in the store so any instance finishes or undoes them, also after a restart; leased
//! so two instances never work on one at once.

use sqlx::Row;

use super::{Store, StoreError, now_i64};

/// One half-done split, as the worker reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SplitRepair {
    /// Its row.
    pub(crate) id: i64,
    /// Whose calendar.
    pub(crate) user_id: String,
    /// The change's audit row, completed with what the repair did.
    pub(crate) audit_id: i64,
    /// What to write (JSON, the change tool's own shape).
    pub(crate) payload: String,
    /// Past this (unix seconds), the split is undone rather than finished.
    pub(crate) give_up_at: i64,
    /// Attempts made so far (this one included).
    pub(crate) attempts: i64,
}

impl Store {
    /// Records a half-done split, due at once.
    pub(crate) async fn add_split_repair(
        &self,
        user_id: &str,
        audit_id: i64,
        payload: &str,
        give_up_at: i64,
    ) -> Result<i64, StoreError> {
        let now = now_i64();
        Ok(sqlx::query_scalar(
            "INSERT INTO split_repairs (user_id, audit_id, payload, created_at, give_up_at, next_at)
             VALUES ($1, $2, $3, $4, $5, $4) RETURNING id",
        )
        .bind(user_id)
        .bind(audit_id)
        .bind(payload)
        .bind(now)
        .bind(give_up_at)
        .fetch_one(&self.pool)
        .await?)
    }

    /// Takes the repair `id` (or, with `None`, the most overdue one) for `lease_seconds`, if
    /// it is due and no other worker holds it. Exactly one caller gets it.
    pub(crate) async fn take_split_repair(
        &self,
        id: Option<i64>,
        lease_seconds: i64,
    ) -> Result<Option<SplitRepair>, StoreError> {
        let now = now_i64();
        let candidate: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM split_repairs
             WHERE done_at IS NULL AND next_at <= $1 AND leased_until < $1 AND ($2 = 0 OR id = $2)
             ORDER BY next_at LIMIT 1",
        )
        .bind(now)
        .bind(id.unwrap_or(0))
        .fetch_optional(&self.pool)
        .await?;
        let Some(candidate) = candidate else {
            return Ok(None);
        };
        let row = sqlx::query(
            "UPDATE split_repairs SET leased_until = $2, attempts = attempts + 1
             WHERE id = $1 AND done_at IS NULL AND leased_until < $3
             RETURNING id, user_id, audit_id, payload, give_up_at, attempts",
        )
        .bind(candidate)
        .bind(now + lease_seconds)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| SplitRepair {
            id: r.get("id"),
            user_id: r.get("user_id"),
            audit_id: r.get("audit_id"),
            payload: r.get("payload"),
            give_up_at: r.get("give_up_at"),
            attempts: r.get::<i64, _>("attempts"),
        }))
    }

    /// Gives the repair back, to be tried again at `next_at`.
    pub(crate) async fn retry_split_repair(&self, id: i64, next_at: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE split_repairs SET leased_until = 0, next_at = $2 WHERE id = $1")
            .bind(id)
            .bind(next_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Marks the repair done with `outcome`.
    pub(crate) async fn finish_split_repair(
        &self,
        id: i64,
        outcome: &str,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE split_repairs SET done_at = $2, outcome = $3 WHERE id = $1")
            .bind(id)
            .bind(now_i64())
            .bind(outcome)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Repairs not done yet (for tests and the operator's view).
    pub async fn open_split_repairs(&self) -> Result<i64, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM split_repairs WHERE done_at IS NULL")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    pub(super) async fn prune_split_repairs(&self) -> Result<(), StoreError> {
        // A finished repair is in its change's audit row; a week on, its own row can go.
        sqlx::query("DELETE FROM split_repairs WHERE done_at IS NOT NULL AND done_at < $1")
            .bind(now_i64() - 7 * 86_400)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
