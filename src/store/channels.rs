//! Google Calendar push channels and the guest answers last seen on the user's meetings.

use sha2::{Digest, Sha256};
use sqlx::Row;
use subtle::ConstantTimeEq;

use super::{Store, StoreError, now_i64};

/// A stored push channel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Channel {
    /// Our id for it (Google echoes it in `X-Goog-Channel-ID`).
    pub id: String,
    /// Whose calendar it watches.
    pub user_id: String,
    /// Which calendar.
    pub calendar_id: String,
    /// Google's id for the watched resource (needed to stop the channel).
    pub resource_id: Option<String>,
    /// When Google stops sending (unix seconds).
    pub expires_at: i64,
    /// Until when someone wants it (a page or session seen recently).
    pub wanted_until: i64,
    /// Where the incremental sync resumes.
    pub sync_token: Option<String>,
}

/// What checking a notification's channel and token found.
#[derive(Debug, PartialEq, Eq)]
pub enum Knock {
    /// No such channel.
    Unknown,
    /// The channel exists; the token is not its own.
    WrongToken,
    /// Genuine.
    Genuine(Channel),
}

fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn channel_of(row: &sqlx::any::AnyRow) -> Channel {
    Channel {
        id: row.get("id"),
        user_id: row.get("user_id"),
        calendar_id: row.get("calendar_id"),
        resource_id: row.get("resource_id"),
        expires_at: row.get("expires_at"),
        wanted_until: row.get("wanted_until"),
        sync_token: row.get("sync_token"),
    }
}

/// The columns a [`Channel`] is read from (a macro, so queries stay `&'static str`).
macro_rules! columns {
    () => {
        "id, user_id, calendar_id, resource_id, expires_at, wanted_until, sync_token, token_hash"
    };
}

impl Store {
    /// Records a channel Google accepted; `token` is kept only as its hash.
    pub async fn save_channel(&self, channel: &Channel, token: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO watch_channels
                 (id, user_id, calendar_id, token_hash, resource_id, expires_at, wanted_until, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&channel.id)
        .bind(&channel.user_id)
        .bind(&channel.calendar_id)
        .bind(hash(token))
        .bind(&channel.resource_id)
        .bind(channel.expires_at)
        .bind(channel.wanted_until)
        .bind(now_i64())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Checks a notification's channel id and token: the token's hash is compared in constant
    /// time, so a guess learns nothing from the timing.
    pub async fn knock(&self, id: &str, token: &str) -> Result<Knock, StoreError> {
        let Some(row) = self.channel_row(id).await? else {
            return Ok(Knock::Unknown);
        };
        let stored: String = row.get("token_hash");
        if bool::from(stored.as_bytes().ct_eq(hash(token).as_bytes())) {
            Ok(Knock::Genuine(channel_of(&row)))
        } else {
            Ok(Knock::WrongToken)
        }
    }

    /// Records message number `n` of a channel: true if it is newer than any seen (Google
    /// retries, and instances may receive them in any order: each number counts once).
    pub async fn note_message(&self, id: &str, n: i64) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE watch_channels SET last_message = $2 WHERE id = $1 AND last_message < $2",
        )
        .bind(id)
        .bind(n)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The channel with `id`.
    pub async fn channel(&self, id: &str) -> Result<Option<Channel>, StoreError> {
        Ok(self.channel_row(id).await?.as_ref().map(channel_of))
    }

    async fn channel_row(&self, id: &str) -> Result<Option<sqlx::any::AnyRow>, StoreError> {
        let row = sqlx::query(concat!(
            "SELECT ",
            columns!(),
            " FROM watch_channels WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row)
    }

    /// Every channel of `user_id`.
    pub async fn channels_of(&self, user_id: &str) -> Result<Vec<Channel>, StoreError> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            columns!(),
            " FROM watch_channels WHERE user_id = $1 ORDER BY created_at"
        ))
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(channel_of).collect())
    }

    /// Someone still wants `user_id`'s channels: keep them until `until`.
    pub async fn want_channels(&self, user_id: &str, until: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE watch_channels SET wanted_until = $2 WHERE user_id = $1")
            .bind(user_id)
            .bind(until)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Channels due for renewal at `at` (unix seconds): ending within `margin` seconds and past
    /// half their life, so a channel Google granted only briefly is not renewed over and over.
    /// Each is claimed by one caller only (a claim lasts five minutes, so a crashed renewer's
    /// channels are picked up again).
    pub async fn claim_expiring(&self, at: i64, margin: i64) -> Result<Vec<Channel>, StoreError> {
        let now = now_i64();
        let rows = sqlx::query(concat!(
            "SELECT ",
            columns!(),
            " FROM watch_channels
             WHERE expires_at < $1 AND 2 * (expires_at - $3) < expires_at - created_at
               AND (renew_claimed_at IS NULL OR renew_claimed_at < $2)"
        ))
        .bind(at + margin)
        .bind(now - 300)
        .bind(at)
        .fetch_all(&self.pool)
        .await?;
        let mut claimed = Vec::new();
        for row in &rows {
            let channel = channel_of(row);
            let done = sqlx::query(
                "UPDATE watch_channels SET renew_claimed_at = $2
                 WHERE id = $1 AND (renew_claimed_at IS NULL OR renew_claimed_at < $3)",
            )
            .bind(&channel.id)
            .bind(now)
            .bind(now - 300)
            .execute(&self.pool)
            .await?;
            if done.rows_affected() == 1 {
                claimed.push(channel);
            }
        }
        Ok(claimed)
    }

    /// Where the channel's incremental sync resumes next time.
    pub async fn set_sync_token(&self, id: &str, token: Option<&str>) -> Result<(), StoreError> {
        sqlx::query("UPDATE watch_channels SET sync_token = $2 WHERE id = $1")
            .bind(id)
            .bind(token)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Forgets a channel.
    pub async fn delete_channel(&self, id: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM watch_channels WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The answer last seen from `email` on the user's meeting `event_id`, and records
    /// `response` as the new one.
    pub async fn swap_guest_response(
        &self,
        user_id: &str,
        event_id: &str,
        email: &str,
        response: &str,
    ) -> Result<Option<String>, StoreError> {
        let before: Option<String> = sqlx::query_scalar(
            "SELECT response FROM guest_responses WHERE user_id = $1 AND event_id = $2 AND email = $3",
        )
        .bind(user_id)
        .bind(event_id)
        .bind(email)
        .fetch_optional(&self.pool)
        .await?;
        if before.as_deref() != Some(response) {
            sqlx::query(
                "INSERT INTO guest_responses (user_id, event_id, email, response)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (user_id, event_id, email) DO UPDATE SET response = excluded.response",
            )
            .bind(user_id)
            .bind(event_id)
            .bind(email)
            .bind(response)
            .execute(&self.pool)
            .await?;
        }
        Ok(before)
    }

    /// Forgets what was seen on the user's meetings (sign-out with forget).
    pub async fn forget_guest_responses(&self, user_id: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM guest_responses WHERE user_id = $1")
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
