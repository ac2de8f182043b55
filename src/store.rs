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

use crate::clock::unix_now;
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
    pub scope: String,
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

    /// Stores (or replaces) the user's refresh token, encrypted. One statement: atomic.
    pub async fn save_grant(
        &self,
        user_id: &str,
        email: &str,
        refresh_token: &Secret,
        scope: &str,
    ) -> Result<(), StoreError> {
        let blob = self.cipher.encrypt(user_id, refresh_token);
        sqlx::query(
            "INSERT INTO google_grants (user_id, email, refresh_token, scope, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5)
             ON CONFLICT (user_id) DO UPDATE SET
                 email = excluded.email,
                 refresh_token = excluded.refresh_token,
                 scope = excluded.scope,
                 updated_at = excluded.updated_at",
        )
        .bind(user_id)
        .bind(email)
        .bind(blob)
        .bind(scope)
        .bind(now_i64())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// What is stored about `user_id`, if anything.
    pub async fn grant(&self, user_id: &str) -> Result<Option<Grant>, StoreError> {
        let row = sqlx::query(
            "SELECT email, refresh_token IS NOT NULL AS connected, scope
             FROM google_grants WHERE user_id = ?1",
        )
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| Grant {
            email: r.get("email"),
            connected: r.get("connected"),
            scope: r.get("scope"),
        }))
    }

    /// The decrypted refresh token, or `None` if the user never connected or was disconnected.
    pub async fn refresh_token(&self, user_id: &str) -> Result<Option<Secret>, StoreError> {
        let blob: Option<Option<Vec<u8>>> =
            sqlx::query_scalar("SELECT refresh_token FROM google_grants WHERE user_id = ?1")
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?;
        match blob.flatten() {
            None => Ok(None),
            Some(blob) => Ok(Some(self.cipher.decrypt(user_id, &blob)?)),
        }
    }

    /// Drops the refresh token but keeps the row: Google revoked it; the user must sign in again.
    pub async fn disconnect(&self, user_id: &str) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE google_grants SET refresh_token = NULL, updated_at = ?2 WHERE user_id = ?1",
        )
        .bind(user_id)
        .bind(now_i64())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Deletes everything stored about `user_id`. Returns whether there was a row.
    pub async fn delete(&self, user_id: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM google_grants WHERE user_id = ?1")
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// The underlying pool, for tests that inspect or tamper with rows.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
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
