//! Users' Google grants: the encrypted refresh token, its scopes and the sign-in epoch.

use sqlx::Row;

use super::{Store, StoreError, now_i64};
use crate::scopes::Granted;
use crate::secret::Secret;
use crate::token_cipher::KeyUsed;

/// What is stored about a user, minus the token itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    /// The Google account's email.
    pub(crate) email: String,
    /// Whether a usable refresh token is stored: false after Google said `invalid_grant`,
    /// and for a token that no configured key decrypts.
    pub connected: bool,
    /// The scopes Google granted.
    pub scope: Granted,
    /// The sign-in epoch the user's cookies must carry.
    pub epoch: i64,
}

/// A decrypted refresh token and the exact ciphertext it was read from. Updates made because
/// of this token (rotation, disconnection) apply only while the row still holds that
/// ciphertext, so a sign-in that happened meanwhile is never overwritten.
#[derive(Clone, Debug)]
pub struct StoredToken {
    /// The refresh token.
    pub(crate) token: Secret,
    /// The ciphertext it came from (every write has a fresh nonce, so it names one write).
    pub sealed: Vec<u8>,
    /// The scopes stored with it.
    pub(crate) scope: Granted,
}

impl Store {
    /// Stores (or replaces) the user's refresh token, encrypted, in one statement. A new user
    /// gets a random sign-in epoch; a returning one keeps theirs (other browsers stay signed
    /// in), and an account they had removed is theirs again. Returns the epoch.
    pub async fn save_grant(
        &self,
        user_id: &str,
        email: &str,
        refresh_token: &Secret,
        scope: &str,
    ) -> Result<i64, StoreError> {
        let blob = self.cipher.encrypt(user_id, refresh_token);
        let epoch: i64 = sqlx::query_scalar(
            "INSERT INTO google_grants
                 (user_id, email, refresh_token, scope, created_at, updated_at, session_epoch)
             VALUES ($1, $2, $3, $4, $5, $5, $6)
             ON CONFLICT (user_id) DO UPDATE SET
                 email = excluded.email,
                 refresh_token = excluded.refresh_token,
                 scope = excluded.scope,
                 updated_at = excluded.updated_at,
                 account_removed = 0
             RETURNING session_epoch",
        )
        .bind(user_id)
        .bind(email)
        .bind(blob)
        .bind(scope)
        .bind(now_i64())
        .bind(random_epoch())
        .fetch_one(&self.pool)
        .await?;
        Ok(epoch)
    }

    /// What is stored about `user_id`, if anything.
    pub async fn grant(&self, user_id: &str) -> Result<Option<Grant>, StoreError> {
        let row = sqlx::query(
            "SELECT email, refresh_token, scope, session_epoch
             FROM google_grants WHERE user_id = $1",
        )
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| Grant {
            email: r.get("email"),
            connected: r
                .get::<Option<Vec<u8>>, _>("refresh_token")
                .is_some_and(|sealed| self.cipher.open(user_id, &sealed).is_ok()),
            scope: Granted::new(r.get::<String, _>("scope")),
            epoch: r.get("session_epoch"),
        }))
    }

    /// The user's sign-in epoch, if they are stored.
    pub async fn epoch(&self, user_id: &str) -> Result<Option<i64>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT session_epoch FROM google_grants WHERE user_id = $1")
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// Replaces the user's sign-in epoch: every cookie issued before stops working.
    pub async fn bump_epoch(&self, user_id: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE google_grants SET session_epoch = $2 WHERE user_id = $1")
            .bind(user_id)
            .bind(random_epoch())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The decrypted refresh token, or `None` if the user never connected or was disconnected.
    pub async fn refresh_token(&self, user_id: &str) -> Result<Option<Secret>, StoreError> {
        Ok(self.stored_token(user_id).await?.map(|t| t.token))
    }

    /// The decrypted refresh token with the ciphertext it was read from. A token still under
    /// `TOKEN_ENCRYPTION_KEY_PREVIOUS` is re-encrypted under the current key on the way.
    pub async fn stored_token(&self, user_id: &str) -> Result<Option<StoredToken>, StoreError> {
        let row = sqlx::query("SELECT refresh_token, scope FROM google_grants WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let Some(mut sealed) = row.get::<Option<Vec<u8>>, _>("refresh_token") else {
            return Ok(None);
        };
        let (token, key) = self.cipher.open(user_id, &sealed)?;
        if key == KeyUsed::Previous {
            let resealed = self.cipher.encrypt(user_id, &token);
            if self.swap_sealed(user_id, &sealed, &resealed).await? {
                tracing::info!(
                    user_id,
                    "grant re-encrypted under the new TOKEN_ENCRYPTION_KEY"
                );
                sealed = resealed;
            }
        }
        Ok(Some(StoredToken {
            token,
            sealed,
            scope: Granted::new(row.get::<String, _>("scope")),
        }))
    }

    /// Re-encrypts `token` (read from `sealed`) under the current key, if the row still holds
    /// `sealed`. Returns whether it did.
    pub(super) async fn reseal_if_unchanged(
        &self,
        user_id: &str,
        sealed: &[u8],
        token: &Secret,
    ) -> Result<bool, StoreError> {
        let resealed = self.cipher.encrypt(user_id, token);
        self.swap_sealed(user_id, sealed, &resealed).await
    }

    async fn swap_sealed(
        &self,
        user_id: &str,
        sealed: &[u8],
        resealed: &[u8],
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE google_grants SET refresh_token = $3 WHERE user_id = $1 AND refresh_token = $2",
        )
        .bind(user_id)
        .bind(sealed)
        .bind(resealed)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Replaces the refresh token (Google rotated it) and the scopes, if the row still holds
    /// `sealed`. Returns whether it did.
    pub async fn rotate_if_unchanged(
        &self,
        user_id: &str,
        sealed: &[u8],
        rotated: &Secret,
        scope: &str,
    ) -> Result<bool, StoreError> {
        let blob = self.cipher.encrypt(user_id, rotated);
        let done = sqlx::query(
            "UPDATE google_grants SET refresh_token = $3, scope = $4, updated_at = $5
             WHERE user_id = $1 AND refresh_token = $2",
        )
        .bind(user_id)
        .bind(sealed)
        .bind(blob)
        .bind(scope)
        .bind(now_i64())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Records the scopes Google reported for the grant, if the row still holds `sealed`.
    pub async fn set_scope_if_unchanged(
        &self,
        user_id: &str,
        sealed: &[u8],
        scope: &str,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE google_grants SET scope = $3, updated_at = $4
             WHERE user_id = $1 AND refresh_token = $2",
        )
        .bind(user_id)
        .bind(sealed)
        .bind(scope)
        .bind(now_i64())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Drops the refresh token Google refused, unless a new one was stored since it was read
    /// (the user signed in again meanwhile). Returns whether it did.
    pub async fn disconnect_if_unchanged(
        &self,
        user_id: &str,
        sealed: &[u8],
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE google_grants SET refresh_token = NULL, updated_at = $3
             WHERE user_id = $1 AND refresh_token = $2",
        )
        .bind(user_id)
        .bind(sealed)
        .bind(now_i64())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Records the scopes of the user's grant (a new consent without a new refresh token).
    pub(crate) async fn set_scope(&self, user_id: &str, scope: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE google_grants SET scope = $2, updated_at = $3 WHERE user_id = $1")
            .bind(user_id)
            .bind(scope)
            .bind(now_i64())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Drops the refresh token but keeps the row: Google revoked it; the user must sign in again.
    pub async fn disconnect(&self, user_id: &str) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE google_grants SET refresh_token = NULL, updated_at = $2 WHERE user_id = $1",
        )
        .bind(user_id)
        .bind(now_i64())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Deletes everything stored about `user_id`. Returns whether there was a row.
    pub async fn delete(&self, user_id: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM google_grants WHERE user_id = $1")
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }
}

pub(super) fn random_epoch() -> i64 {
    let mut bytes = [0u8; 8];
    rand::fill(&mut bytes);
    // Positive, so it prints without a sign in the cookie.
    i64::from_le_bytes(bytes) & i64::MAX
}
