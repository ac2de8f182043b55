//! The token store: one row per user with their encrypted Google refresh token.
//!
//! Embedded SQLite (WAL, `synchronous=FULL`: an acknowledged write survives a crash). Handlers
//! see only this type, so another backend (PostgreSQL) is a change here and nowhere else.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::Row;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use sha2::{Digest, Sha256};

use crate::clock::unix_now;
use crate::google::scopes::Granted;
use crate::secret::Secret;
use crate::token_cipher::{TokenCipher, Undecryptable};

/// Why the store failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database refused or failed.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// Schema migration failed at start-up.
    #[error("database migration: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// A stored token did not decrypt for its user.
    #[error(transparent)]
    Undecryptable(#[from] Undecryptable),
    /// `DATABASE_URL` names a backend this build does not have.
    #[error("DATABASE_URL: {0}")]
    Unsupported(String),
    /// The database's folder could not be created.
    #[error("cannot create the database folder {path}: {source}")]
    Folder {
        /// The folder.
        path: String,
        /// Why.
        source: std::io::Error,
    },
}

/// What is stored about a user, minus the token itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    /// The Google account's email.
    pub email: String,
    /// Whether a usable refresh token is stored (false after Google said `invalid_grant`).
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
    pub token: Secret,
    /// The ciphertext it came from (every write has a fresh nonce, so it names one write).
    pub sealed: Vec<u8>,
    /// The scopes stored with it.
    pub scope: Granted,
}

/// The token store. Cheap to clone (a pool handle).
#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
    cipher: TokenCipher,
}

impl Store {
    /// Opens (creating if needed) the database at `database_url` and applies migrations.
    pub async fn connect(database_url: &str, cipher: TokenCipher) -> Result<Self, StoreError> {
        if !database_url.starts_with("sqlite:") {
            return Err(StoreError::Unsupported(
                "this build stores tokens in SQLite only (sqlite://path/to/file.db); the \
                 PostgreSQL backend is not built yet"
                    .into(),
            ));
        }
        let options = SqliteConnectOptions::from_str(database_url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(10));
        ensure_parent_folder(options.get_filename())?;
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Self { pool, cipher })
    }

    /// Stores (or replaces) the user's refresh token, encrypted, in one statement. A new user
    /// gets a random sign-in epoch; a returning one keeps theirs (other browsers stay signed
    /// in). Returns the epoch.
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
                 updated_at = excluded.updated_at
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
            connected: r.get::<Option<Vec<u8>>, _>("refresh_token").is_some(),
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

    /// The decrypted refresh token with the ciphertext it was read from.
    pub async fn stored_token(&self, user_id: &str) -> Result<Option<StoredToken>, StoreError> {
        let row = sqlx::query("SELECT refresh_token, scope FROM google_grants WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let Some(sealed) = row.get::<Option<Vec<u8>>, _>("refresh_token") else {
            return Ok(None);
        };
        Ok(Some(StoredToken {
            token: self.cipher.decrypt(user_id, &sealed)?,
            sealed,
            scope: Granted::new(row.get::<String, _>("scope")),
        }))
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
    pub async fn set_scope(&self, user_id: &str, scope: &str) -> Result<(), StoreError> {
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

    /// Forgets expired OAuth states (run now and then).
    pub async fn prune(&self) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM oauth_states WHERE expires_at < $1")
            .bind(now_i64())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The underlying pool, for tests that inspect or tamper with rows.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

/// States are kept hashed: the table alone does not let anyone finish someone's sign-in.
fn state_hash(state: &str) -> String {
    hex::encode(Sha256::digest(state.as_bytes()))
}

fn random_epoch() -> i64 {
    let mut bytes = [0u8; 8];
    rand::fill(&mut bytes);
    // Positive, so it prints without a sign in the cookie.
    i64::from_le_bytes(bytes) & i64::MAX
}

fn now_i64() -> i64 {
    i64::try_from(unix_now()).unwrap_or(i64::MAX)
}

fn ensure_parent_folder(file: &Path) -> Result<(), StoreError> {
    match file.parent() {
        Some(dir) if !dir.as_os_str().is_empty() && file != Path::new(":memory:") => {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::Folder {
                path: dir.display().to_string(),
                source,
            })
        }
        _ => Ok(()),
    }
}
