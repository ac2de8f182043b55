//! When each user last signed out: the tool URLs of sessions minted before it are refused on
//! every instance, without changing the presign format.

use super::{Store, StoreError};

impl Store {
    /// Records that `user_id` signed out at `at` (unix seconds); a later sign-out only moves
    /// it forward.
    pub(crate) async fn record_sign_out(&self, user_id: &str, at: i64) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sign_outs (user_id, at) VALUES ($1, $2)
             ON CONFLICT (user_id) DO UPDATE SET at = excluded.at
             WHERE excluded.at > sign_outs.at",
        )
        .bind(user_id)
        .bind(at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// When `user_id` last signed out, if ever (within the longest URL life).
    pub(crate) async fn signed_out_at(&self, user_id: &str) -> Result<Option<i64>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT at FROM sign_outs WHERE user_id = $1")
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// Forgets sign-outs older than `before`: every URL minted before them has expired.
    pub(crate) async fn prune_sign_outs(&self, before: i64) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sign_outs WHERE at < $1")
            .bind(before)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
