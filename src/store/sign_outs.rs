//! When each user last signed out: the tool URLs of sessions minted before it are refused on
//! every instance. Sign-outs and mint times are both read off the store's clock, so no
//! instance's own clock decides which came first.

use super::{Backend, Store, StoreError};

impl Store {
    /// Now by the store's clock (unix seconds): one clock for every instance, against which
    /// sessions are minted and sign-outs recorded.
    pub(crate) async fn clock(&self) -> Result<i64, StoreError> {
        let now = match self.backend {
            Backend::Sqlite => "SELECT CAST(strftime('%s', 'now') AS BIGINT)",
            Backend::Postgres => {
                "SELECT CAST(floor(extract(epoch FROM clock_timestamp())) AS BIGINT)"
            }
        };
        Ok(sqlx::query_scalar(now).fetch_one(&self.pool).await?)
    }

    /// Records that `user_id` signed out now, by the store's clock (a later sign-out only moves
    /// it forward), and returns that moment.
    pub(crate) async fn record_sign_out(&self, user_id: &str) -> Result<i64, StoreError> {
        let at = self.clock().await?;
        sqlx::query(
            "INSERT INTO sign_outs (user_id, at) VALUES ($1, $2)
             ON CONFLICT (user_id) DO UPDATE SET at = excluded.at
             WHERE excluded.at > sign_outs.at",
        )
        .bind(user_id)
        .bind(at)
        .execute(&self.pool)
        .await?;
        Ok(at)
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
