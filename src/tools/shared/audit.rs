//! The audit of every write made for a user: one row per attempt, written before Google is
//! asked (no row, no write) and completed with what happened, through one [`Audit`] for every
//! tool that writes (`block_time`, `respond_to_invite`, and what [`super::send_once`] sends).

use std::future::Future;

use crate::error::Result;
use crate::store::{AuditRow, Store, now_i64};

/// Audit rows for one call: who asked, with which tool, which item, who hears of it, what.
pub(crate) struct Audit<'a> {
    store: &'a Store,
    row: AuditRow,
}

impl<'a> Audit<'a> {
    /// Rows for `user_id`'s call of `tool`, writing `what`.
    pub(crate) fn new(store: &'a Store, user_id: &str, tool: &str, what: String) -> Self {
        Self {
            store,
            row: AuditRow {
                at: 0,
                user_id: user_id.to_owned(),
                tool: tool.to_owned(),
                what: Some(what),
                draft_id: String::new(),
                attendees: String::new(),
                event_id: None,
                outcome: String::new(),
                detail: None,
            },
        }
    }

    /// The draft or change id the call named.
    pub(crate) fn item(mut self, id: String) -> Self {
        self.row.draft_id = id;
        self
    }

    /// Who hears of it (addresses, comma-separated).
    pub(crate) fn people(mut self, people: String) -> Self {
        self.row.attendees = people;
        self
    }

    /// Writes a row with `outcome`; returns its id.
    pub(crate) async fn write(&self, outcome: &str, event_id: Option<&str>) -> Result<i64> {
        let row = AuditRow {
            at: now_i64(),
            event_id: event_id.map(str::to_owned),
            outcome: outcome.to_owned(),
            ..self.row.clone()
        };
        Ok(self.store.audit(&row).await?)
    }

    /// Completes the attempt row `id` with `outcome` (and `detail`). A row that cannot be
    /// completed is logged, not returned: the write it records has happened (or not) already.
    pub(crate) async fn finish(&self, id: i64, outcome: &str, detail: Option<&str>) {
        if let Err(e) = self.store.finish_audit(id, outcome, detail).await {
            tracing::error!(user_id = %self.row.user_id, tool = %self.row.tool, error = %e, outcome, "an audit row stays `sending`");
        }
    }

    /// One write: its row (`sending`, naming `event_id`) first, then `write`, then the row
    /// completed with the outcome `write` gives (`created`, `repeat`, …), or `failed` with the
    /// error's reason.
    pub(crate) async fn attempt<T>(
        &self,
        event_id: &str,
        write: impl Future<Output = Result<(T, &'static str)>>,
    ) -> Result<T> {
        let id = self.write("sending", Some(event_id)).await?;
        match write.await {
            Ok((written, outcome)) => {
                self.finish(id, outcome, None).await;
                Ok(written)
            }
            Err(e) => {
                self.finish(id, "failed", Some(e.reason())).await;
                Err(e)
            }
        }
    }
}
