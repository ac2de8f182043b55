//! The audit trail of everything sent or written on a user's behalf: one row per attempt,
//! written before Google is asked and completed after (`calendar-agent audit` prints them),
//! kept `AUDIT_RETENTION_DAYS`.

use sqlx::Row;

use super::{Store, StoreError, now_i64};

/// One audit row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditRow {
    /// When (unix seconds).
    pub(crate) at: i64,
    /// Who asked.
    pub(crate) user_id: String,
    /// The tool that wrote (`block_time`, `respond_to_invite`, `create_meeting`,
    /// `apply_change`; empty for rows from before tools were recorded).
    pub tool: String,
    /// What it wrote, in a few words (the title, the times, the answer).
    pub what: Option<String>,
    /// The draft or change id named (empty for a write made without one).
    pub(crate) draft_id: String,
    /// The addresses invited (or that would have been), comma-separated.
    pub attendees: String,
    /// The event, when one exists.
    pub event_id: Option<String>,
    /// `sending` (written before Google is asked; completed after), `created`, `repeat`,
    /// `in_progress`, `not_found`, `expired`, `already_sent`, `rate_limited`, `failed`.
    pub outcome: String,
    /// More about a failure.
    pub(crate) detail: Option<String>,
}

impl Store {
    /// Appends one audit row; returns its id (to complete it with [`Self::finish_audit`]).
    pub(crate) async fn audit(&self, row: &AuditRow) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(
            "INSERT INTO meeting_audit
                 (at, user_id, draft_id, attendees, event_id, outcome, detail, tool, what)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(row.at)
        .bind(&row.user_id)
        .bind(&row.draft_id)
        .bind(&row.attendees)
        .bind(&row.event_id)
        .bind(&row.outcome)
        .bind(&row.detail)
        .bind(&row.tool)
        .bind(&row.what)
        .fetch_one(&self.pool)
        .await?)
    }

    /// Completes the attempt row `id` (written before Google was called) with its outcome.
    pub(crate) async fn finish_audit(
        &self,
        id: i64,
        outcome: &str,
        detail: Option<&str>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE meeting_audit SET outcome = $2, detail = $3, finished_at = $4 WHERE id = $1",
        )
        .bind(id)
        .bind(outcome)
        .bind(detail)
        .bind(now_i64())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The newest `limit` audit rows, oldest first, of one user or of everyone.
    pub async fn audit_rows(
        &self,
        user_id: Option<&str>,
        limit: i64,
    ) -> Result<Vec<AuditRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT at, user_id, draft_id, attendees, event_id, outcome, detail, tool, what FROM (
                 SELECT * FROM meeting_audit
                 WHERE $1 = '' OR user_id = $1
                 ORDER BY at DESC, id DESC LIMIT $2
             ) AS newest ORDER BY at, id",
        )
        .bind(user_id.unwrap_or(""))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| AuditRow {
                at: r.get("at"),
                user_id: r.get("user_id"),
                tool: r.get::<Option<String>, _>("tool").unwrap_or_default(),
                what: r.get("what"),
                draft_id: r.get("draft_id"),
                attendees: r.get("attendees"),
                event_id: r.get("event_id"),
                outcome: r.get("outcome"),
                detail: r.get("detail"),
            })
            .collect())
    }

    /// Forgets audit rows, and the guest answers last seen, older than `before` (unix
    /// seconds): `AUDIT_RETENTION_DAYS`.
    pub(crate) async fn prune_audit(&self, before: i64) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM meeting_audit WHERE at < $1")
            .bind(before)
            .execute(&self.pool)
            .await?;
        sqlx::query("DELETE FROM guest_responses WHERE seen_at < $1")
            .bind(before)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
