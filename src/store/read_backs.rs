//! What the avatar read back and the user is asked to confirm, kept to be sent exactly once: a
//! meeting draft (`draft_meeting`, sent by `create_meeting`) or a change proposal
//! (`propose_change`, applied by `apply_change`). One table for both, told apart by [`Kind`]. The
//! audit of each send is in [`super::audit`].

use sqlx::Row;

use super::rate_limits::{Limit, take_in};
use super::{Allowance, Store, StoreError, now_i64};

/// How long a claim on a draft holds while it is being sent. A request that claimed it and then
/// vanished (a crash mid-send) leaves it claimed; after this long a retry may send it again.
/// Well past the longest a send can take (the 4.5 s Google budget and the store's waits).
pub const SEND_LEASE_SECONDS: i64 = 30;

/// What claiming a draft found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Claim {
    /// This request may send it; the guest e-mails were counted.
    Claimed,
    /// Another request holds it, or it was sent: read it again.
    Lost,
    /// Sending it would pass the guest e-mail allowance; nothing was claimed or counted.
    Exhausted {
        /// When enough of the allowance frees.
        retry_after: std::time::Duration,
    },
}

/// Letters and digits no one confuses when said or heard: no 0/O, 1/I/L, 5/S, 2/Z, 8/B.
pub(super) const DRAFT_ALPHABET: &[u8] = b"ACDEFGHJKMNPQRTUVWXY34679";
/// Characters in a draft id.
pub(super) const DRAFT_ID_LEN: usize = 6;

/// What a stored item is: a meeting draft, or a change proposal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `draft_meeting` made it; `create_meeting` sends it.
    Meeting,
    /// `propose_change` made it; `apply_change` applies it.
    Change,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Meeting => "meeting",
            Self::Change => "change",
        }
    }
}

/// A stored draft (or change proposal).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Draft {
    /// Its short id.
    pub(crate) id: String,
    /// A meeting or a change.
    pub(crate) kind: Kind,
    /// Whose it is.
    pub(crate) user_id: String,
    /// The session it belongs to (when its tool URLs were minted, unix seconds).
    pub(crate) session: u64,
    /// The canonical arguments, as JSON.
    pub(crate) payload: String,
    /// When it was made (unix seconds).
    pub(crate) created_at: i64,
    /// When it stops being usable.
    pub(crate) expires_at: i64,
    /// When create_meeting claimed it.
    pub(crate) used_at: Option<i64>,
    /// The event it became.
    pub(crate) event_id: Option<String>,
    /// The answer create_meeting gave (JSON), repeated to a retry.
    pub(crate) answer: Option<String>,
}

/// A fresh draft id.
pub(super) fn new_draft_id() -> String {
    let mut bytes = [0u8; DRAFT_ID_LEN];
    rand::fill(&mut bytes);
    bytes
        .iter()
        .map(|b| char::from(DRAFT_ALPHABET[usize::from(*b) % DRAFT_ALPHABET.len()]))
        .collect()
}

/// A draft id as the model may say it back: trimmed, upper case, `None` if it cannot be one.
pub fn normalise_draft_id(text: &str) -> Option<String> {
    let id: String = text
        .trim()
        .chars()
        .filter(|c| *c != ' ' && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (id.len() == DRAFT_ID_LEN && id.bytes().all(|b| DRAFT_ALPHABET.contains(&b))).then_some(id)
}

fn draft_of(row: &sqlx::any::AnyRow) -> Draft {
    Draft {
        id: row.get("id"),
        kind: if row.get::<String, _>("kind") == "change" {
            Kind::Change
        } else {
            Kind::Meeting
        },
        user_id: row.get("user_id"),
        session: u64::try_from(row.get::<i64, _>("session")).unwrap_or(0),
        payload: row.get("payload"),
        created_at: row.get("created_at"),
        expires_at: row.get("expires_at"),
        used_at: row.get("used_at"),
        event_id: row.get("event_id"),
        answer: row.get("answer"),
    }
}

impl Store {
    /// Stores a draft for `ttl_seconds` and returns its new id.
    pub(crate) async fn save_draft(
        &self,
        kind: Kind,
        user_id: &str,
        session: u64,
        payload: &str,
        ttl_seconds: i64,
    ) -> Result<Draft, StoreError> {
        let now = now_i64();
        // 25^6 ids: a clash is rare, and a second pick settles it.
        let mut last = None;
        for _ in 0..5 {
            let id = new_draft_id();
            let done = sqlx::query(
                "INSERT INTO meeting_drafts
                     (id, user_id, session, payload, created_at, expires_at, kind)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING",
            )
            .bind(&id)
            .bind(user_id)
            .bind(i64::try_from(session).unwrap_or(i64::MAX))
            .bind(payload)
            .bind(now)
            .bind(now + ttl_seconds)
            .bind(kind.as_str())
            .execute(&self.pool)
            .await?;
            if done.rows_affected() == 1 {
                return Ok(Draft {
                    id,
                    kind,
                    user_id: user_id.to_owned(),
                    session,
                    payload: payload.to_owned(),
                    created_at: now,
                    expires_at: now + ttl_seconds,
                    used_at: None,
                    event_id: None,
                    answer: None,
                });
            }
            last = Some(id);
        }
        Err(StoreError::Unsupported(format!(
            "no free draft id after five tries (last {last:?})"
        )))
    }

    /// The draft with `id`, if any.
    pub(crate) async fn draft(&self, id: &str) -> Result<Option<Draft>, StoreError> {
        let row = sqlx::query("SELECT * FROM meeting_drafts WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(draft_of))
    }

    /// Claims the draft for sending and counts `emails` against `allowance`, in one
    /// transaction: on every instance exactly one caller gets [`Claim::Claimed`], and only if
    /// the allowance has room. A draft can be claimed when unclaimed (new, or its last send
    /// failed) or when its claim is older than [`SEND_LEASE_SECONDS`].
    pub(crate) async fn claim_draft(
        &self,
        id: &str,
        allowance: Limit<'_>,
        emails: u32,
    ) -> Result<Claim, StoreError> {
        let now = now_i64();
        let mut tx = self.pool.begin().await?;
        // The allowance's lock first, then the row: every claimer takes them in this order.
        self.lock_key(&mut tx, allowance.key).await?;
        let claimed = sqlx::query(
            "UPDATE meeting_drafts SET used_at = $2
             WHERE id = $1 AND answer IS NULL AND (used_at IS NULL OR used_at < $3)",
        )
        .bind(id)
        .bind(now)
        .bind(now - SEND_LEASE_SECONDS)
        .execute(&mut *tx)
        .await?;
        if claimed.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(Claim::Lost);
        }
        if emails > 0 {
            if let Allowance::Exhausted { retry_after } =
                take_in(&mut tx, allowance, emails).await?
            {
                tx.rollback().await?;
                return Ok(Claim::Exhausted { retry_after });
            }
        }
        tx.commit().await?;
        Ok(Claim::Claimed)
    }

    /// Gives a claimed draft back after a failed send: a retry may send it again, once.
    pub(crate) async fn release_draft(&self, id: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE meeting_drafts SET used_at = NULL WHERE id = $1 AND answer IS NULL")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Records the event a draft became and the answer given.
    pub(crate) async fn finish_draft(
        &self,
        id: &str,
        event_id: &str,
        answer: &str,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE meeting_drafts SET event_id = $2, answer = $3 WHERE id = $1")
            .bind(id)
            .bind(event_id)
            .bind(answer)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub(super) async fn prune_drafts(&self) -> Result<(), StoreError> {
        // A day after expiry a draft can no longer be retried or shown; the audit stays.
        sqlx::query("DELETE FROM meeting_drafts WHERE expires_at < $1")
            .bind(now_i64() - 86_400)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draft_ids_are_six_unmistakable_characters() {
        for _ in 0..200 {
            let id = new_draft_id();
            assert_eq!(id.len(), 6);
            assert!(!id.contains(['0', 'O', '1', 'I', 'L', '5', 'S', '2', 'Z', '8', 'B']));
            assert_eq!(normalise_draft_id(&id.to_ascii_lowercase()), Some(id));
        }
        assert_eq!(normalise_draft_id(" k7m-4qx "), Some("K7M4QX".into()));
        for bad in ["", "K7M4Q", "K7M4QXY", "K7M4Q0", "../../x"] {
            assert_eq!(normalise_draft_id(bad), None, "{bad}");
        }
    }
}
