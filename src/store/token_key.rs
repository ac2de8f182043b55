//! One `TOKEN_ENCRYPTION_KEY` per store: its fingerprint is kept in the store, checked at
//! start-up, moved forward by a rotation, and every grant can be re-encrypted under it.

use sqlx::Row;

use super::{Store, StoreError};
use crate::token_cipher::KeyUsed;

const FINGERPRINT: &str = "token_key_fingerprint";

/// What `rotate-key` did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Rotation {
    /// Grants re-encrypted from the previous key to the current one.
    pub(crate) reencrypted: u64,
    /// Grants already under the current key.
    pub(crate) current: u64,
    /// Grants neither key opens (the user must sign in again).
    pub(crate) unreadable: u64,
}

impl Store {
    /// Start-up check: the store's grants are under this key (or the previous one, which a
    /// rotation is replacing). A store without a fingerprint (new, or from before it was kept)
    /// gets the key its grants actually open with.
    pub(super) async fn check_token_key(&self) -> Result<(), StoreError> {
        let current = self.cipher.fingerprint().to_owned();
        let previous = self.cipher.previous_fingerprint().map(str::to_owned);
        let stored = match self.stored_fingerprint().await? {
            Some(stored) => stored,
            None => {
                let found = match self.any_sealed_grant().await? {
                    None => current.clone(),
                    Some((user_id, sealed)) => match self.cipher.open(&user_id, &sealed) {
                        Ok((_, KeyUsed::Current)) => current.clone(),
                        Ok((_, KeyUsed::Previous)) => previous.clone().unwrap_or_default(),
                        Err(_) => return Err(StoreError::KeyMismatch),
                    },
                };
                // Another instance may be doing the same: the first write wins, and is checked.
                sqlx::query(
                    "INSERT INTO store_meta (name, value) VALUES ($1, $2)
                     ON CONFLICT (name) DO NOTHING",
                )
                .bind(FINGERPRINT)
                .bind(&found)
                .execute(&self.pool)
                .await?;
                self.stored_fingerprint().await?.unwrap_or(found)
            }
        };
        if stored == current {
            return Ok(());
        }
        if previous.as_deref() == Some(stored.as_str()) {
            // New writes use the new key from now on; old grants are re-encrypted as read.
            sqlx::query("UPDATE store_meta SET value = $2 WHERE name = $1 AND value = $3")
                .bind(FINGERPRINT)
                .bind(&current)
                .bind(&stored)
                .execute(&self.pool)
                .await?;
            tracing::warn!(
                "TOKEN_ENCRYPTION_KEY_PREVIOUS matches this store: rotating to the new \
                 TOKEN_ENCRYPTION_KEY (grants are re-encrypted as they are read; run \
                 `calendar-agent rotate-key` to do them all now)"
            );
            return Ok(());
        }
        Err(StoreError::KeyMismatch)
    }

    async fn stored_fingerprint(&self) -> Result<Option<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT value FROM store_meta WHERE name = $1")
                .bind(FINGERPRINT)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    async fn any_sealed_grant(&self) -> Result<Option<(String, Vec<u8>)>, StoreError> {
        let row = sqlx::query(
            "SELECT user_id, refresh_token FROM google_grants
             WHERE refresh_token IS NOT NULL ORDER BY updated_at DESC LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| (r.get("user_id"), r.get("refresh_token"))))
    }

    /// Re-encrypts every grant still under the previous key (`calendar-agent rotate-key`).
    /// Each row is replaced only if it still holds what was read, so a sign-in meanwhile wins.
    pub(crate) async fn rotate_key(&self) -> Result<Rotation, StoreError> {
        let rows = sqlx::query(
            "SELECT user_id, refresh_token FROM google_grants WHERE refresh_token IS NOT NULL",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut done = Rotation::default();
        for row in rows {
            let (user_id, sealed): (String, Vec<u8>) =
                (row.get("user_id"), row.get("refresh_token"));
            match self.cipher.open(&user_id, &sealed) {
                Ok((_, KeyUsed::Current)) => done.current += 1,
                Ok((token, KeyUsed::Previous)) => {
                    if self.reseal_if_unchanged(&user_id, &sealed, &token).await? {
                        done.reencrypted += 1;
                    } else {
                        // Replaced meanwhile by a sign-in, which wrote under the current key.
                        done.current += 1;
                    }
                }
                Err(_) => done.unreadable += 1,
            }
        }
        Ok(done)
    }
}
