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

/// How long a renewal claim (or an opening reservation) holds before another instance may take
/// the channel over: far longer than one channel's work (two Google calls of at most 10 s).
pub const RENEW_LEASE_SECONDS: i64 = 300;

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
    /// Reserves the one channel slot of `user_id`'s `calendar_id` for a channel about to be
    /// opened at Google with `id` and `token` (kept only as its hash). False if the calendar
    /// already has a channel (live, or being opened or renewed elsewhere): nothing is opened.
    pub(crate) async fn reserve_channel(
        &self,
        user_id: &str,
        calendar_id: &str,
        id: &str,
        token: &str,
        wanted_until: i64,
    ) -> Result<bool, StoreError> {
        let now = now_i64();
        let done = sqlx::query(
            "INSERT INTO watch_channels
                 (id, user_id, calendar_id, token_hash, expires_at, wanted_until, created_at,
                  renew_claimed_at)
             VALUES ($1, $2, $3, $4, 0, $5, $6, $6)
             ON CONFLICT (user_id, calendar_id) DO NOTHING",
        )
        .bind(id)
        .bind(user_id)
        .bind(calendar_id)
        .bind(hash(token))
        .bind(wanted_until)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records what Google said when it opened the reserved channel `id`. False if the
    /// reservation is gone (the user signed out meanwhile): the caller stops the channel.
    pub(crate) async fn activate_channel(
        &self,
        id: &str,
        resource_id: Option<&str>,
        expires_at: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE watch_channels SET resource_id = $2, expires_at = $3, renew_claimed_at = NULL
             WHERE id = $1",
        )
        .bind(id)
        .bind(resource_id)
        .bind(expires_at)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Puts the renewed channel `new` (opened at Google with `token`) in the place of `old_id`,
    /// keeping its sync token. False if the old one is gone (signed out meanwhile): the caller
    /// stops the new one.
    pub(crate) async fn replace_channel(
        &self,
        old_id: &str,
        new: &Channel,
        token: &str,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE watch_channels SET id = $2, token_hash = $3, resource_id = $4, expires_at = $5,
                 created_at = $6, last_message = 0, renew_claimed_at = NULL, renew_claim = NULL
             WHERE id = $1",
        )
        .bind(old_id)
        .bind(&new.id)
        .bind(hash(token))
        .bind(&new.resource_id)
        .bind(new.expires_at)
        .bind(now_i64())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records a channel as opened (tests, and stores built by hand); `token` only as its hash.
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
    pub(crate) async fn knock(&self, id: &str, token: &str) -> Result<Knock, StoreError> {
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
    pub(crate) async fn note_message(&self, id: &str, n: i64) -> Result<bool, StoreError> {
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
    pub(crate) async fn channel(&self, id: &str) -> Result<Option<Channel>, StoreError> {
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
    pub(crate) async fn want_channels(&self, user_id: &str, until: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE watch_channels SET wanted_until = $2 WHERE user_id = $1")
            .bind(user_id)
            .bind(until)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Claims at most `limit` channels due for renewal at `at` (unix seconds) under `claim`:
    /// ending within `margin` seconds and past half their life (a channel Google granted only
    /// briefly is not renewed over and over), or reserved and never opened. Each is claimed by
    /// one caller only, on every instance; a claim older than [`RENEW_LEASE_SECONDS`] at `now`
    /// (a crashed renewer's) may be taken over. See [`Self::extend_claim`].
    pub async fn claim_due(
        &self,
        at: i64,
        margin: i64,
        now: i64,
        limit: i64,
        claim: &str,
    ) -> Result<Vec<Channel>, StoreError> {
        let stale = now - RENEW_LEASE_SECONDS;
        sqlx::query(
            "UPDATE watch_channels SET renew_claimed_at = $3, renew_claim = $4
             WHERE (renew_claimed_at IS NULL OR renew_claimed_at < $5)
               AND id IN (
                 SELECT id FROM watch_channels
                 WHERE expires_at < $1 + $2 AND 2 * (expires_at - $1) < expires_at - created_at
                   AND (renew_claimed_at IS NULL OR renew_claimed_at < $5)
                 ORDER BY expires_at LIMIT $6)",
        )
        .bind(at)
        .bind(margin)
        .bind(now)
        .bind(claim)
        .bind(stale)
        .bind(limit)
        .execute(&self.pool)
        .await?;
        let rows = sqlx::query(concat!(
            "SELECT ",
            columns!(),
            " FROM watch_channels WHERE renew_claim = $1 AND renew_claimed_at = $2 ORDER BY expires_at"
        ))
        .bind(claim)
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(channel_of).collect())
    }

    /// Gives a claimed channel back unrenewed (it is someone else's to claim again).
    pub(crate) async fn release_claim(&self, id: &str) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE watch_channels SET renew_claimed_at = NULL, renew_claim = NULL WHERE id = $1",
        )
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Renews the lease on every channel still claimed under `claim` (the renewer is working
    /// through its batch and has not finished these).
    pub async fn extend_claim(&self, claim: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE watch_channels SET renew_claimed_at = $2 WHERE renew_claim = $1")
            .bind(claim)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Where the channel's incremental sync resumes next time.
    pub(crate) async fn set_sync_token(
        &self,
        id: &str,
        token: Option<&str>,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE watch_channels SET sync_token = $2 WHERE id = $1")
            .bind(id)
            .bind(token)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Forgets a channel.
    pub(crate) async fn delete_channel(&self, id: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM watch_channels WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The answer last seen from `email` on the user's meeting `event_id`, and records
    /// `response` as the new one.
    pub(crate) async fn swap_guest_response(
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
                "INSERT INTO guest_responses (user_id, event_id, email, response, seen_at)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (user_id, event_id, email)
                 DO UPDATE SET response = excluded.response, seen_at = excluded.seen_at",
            )
            .bind(user_id)
            .bind(event_id)
            .bind(email)
            .bind(response)
            .bind(now_i64())
            .execute(&self.pool)
            .await?;
        }
        Ok(before)
    }

    /// Forgets what was seen on the user's meetings (sign-out with forget).
    pub(crate) async fn forget_guest_responses(&self, user_id: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM guest_responses WHERE user_id = $1")
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
