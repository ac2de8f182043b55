//! OAuth `state` values handed to browsers, each usable once, on every instance.

use sha2::{Digest, Sha256};

use super::{Store, StoreError, now_i64};

impl Store {
    /// Remembers an OAuth `state` handed to a browser, until `expires_at` (unix seconds).
    pub async fn remember_oauth_state(
        &self,
        state: &str,
        expires_at: u64,
    ) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO oauth_states (state_hash, expires_at) VALUES ($1, $2)")
            .bind(state_hash(state))
            .bind(i64::try_from(expires_at).unwrap_or(i64::MAX))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Uses up an OAuth `state`: true once, for a state handed out and not expired; false for
    /// a replay, an expired state or one never issued. Atomic across instances.
    pub async fn take_oauth_state(&self, state: &str) -> Result<bool, StoreError> {
        let done =
            sqlx::query("DELETE FROM oauth_states WHERE state_hash = $1 AND expires_at >= $2")
                .bind(state_hash(state))
                .bind(now_i64())
                .execute(&self.pool)
                .await?;
        Ok(done.rows_affected() > 0)
    }

    pub(super) async fn prune_oauth_states(&self) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM oauth_states WHERE expires_at < $1")
            .bind(now_i64())
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

/// States are kept hashed: the table alone does not let anyone finish someone's sign-in.
fn state_hash(state: &str) -> String {
    hex::encode(Sha256::digest(state.as_bytes()))
}
