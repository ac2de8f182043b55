//! The store: users' encrypted Google grants, one-use OAuth states, and the limits that must
//! hold across instances.
//!
//! One type over `sqlx::Any`, so the same code and the same SQL (written with `$N` parameters,
//! which both backends read) run on embedded SQLite (the default: nothing to install) and on
//! PostgreSQL (several instances behind a load balancer). Only the migrations differ, one set
//! per backend in `migrations/`. SQLite runs in WAL mode with `synchronous=FULL`: an
//! acknowledged write survives a crash. Handlers see only this type.

mod accounts;
mod audit;
mod channels;
mod grants;
mod oauth_states;
mod rate_limits;
mod read_backs;
mod sign_outs;
mod split_repairs;
mod token_key;

pub use accounts::{Account, Linked};
pub use audit::AuditRow;
pub use channels::{Channel, Knock, RENEW_LEASE_SECONDS};
pub(crate) use grants::StoredToken;
pub use rate_limits::{Allowance, Limit};
pub use read_backs::{Claim, Draft, Kind, SEND_LEASE_SECONDS, normalise_draft_id};
pub use split_repairs::SplitRepair;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{AnyPool, ConnectOptions, Connection};

use crate::clock::unix_now;
use crate::token_cipher::{TokenCipher, Undecryptable};

/// How long a request waits for a database connection before the store counts as unavailable.
/// Short: a tool answer must leave within Anam's 5 s.
pub(crate) const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(2);
/// The longest one statement may run, lock waits included (PostgreSQL `statement_timeout`,
/// SQLite's busy timeout): every store wait inside a tool call stays well inside its budget.
pub(crate) const STATEMENT_TIMEOUT: Duration = Duration::from_millis(2500);
/// The longest a statement waits for a row or advisory lock (PostgreSQL `lock_timeout`).
pub(crate) const LOCK_TIMEOUT: Duration = Duration::from_secs(2);
/// How long `/readyz` waits for its own connection.
pub(crate) const PING_TIMEOUT: Duration = Duration::from_secs(1);
/// The longest `/readyz`'s store ping takes (a connection, then `SELECT 1`): a readiness
/// probe must wait longer than this.
pub const READY_PING_LIMIT: Duration = Duration::from_secs(2);

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
    /// The store's grants are encrypted under another `TOKEN_ENCRYPTION_KEY`.
    #[error(
        "TOKEN_ENCRYPTION_KEY does not match the key this database's grants are encrypted with \
         (every instance on one database needs the same key; to change it, set the old one as \
         TOKEN_ENCRYPTION_KEY_PREVIOUS)"
    )]
    KeyMismatch,
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

impl StoreError {
    /// Whether the database could not be reached (down, restarting, network), as opposed to
    /// a query that is wrong: the first is a 503 the caller can retry.
    pub(crate) fn is_unavailable(&self) -> bool {
        match self {
            Self::Database(e) => match e {
                sqlx::Error::Io(_)
                | sqlx::Error::Tls(_)
                | sqlx::Error::Protocol(_)
                | sqlx::Error::PoolTimedOut
                | sqlx::Error::PoolClosed
                | sqlx::Error::WorkerCrashed => true,
                sqlx::Error::Database(db) => db.code().is_some_and(|c| busy_or_down(&c)),
                _ => false,
            },
            _ => false,
        }
    }
}

/// Whether a database error code means "busy or down, try again" rather than "wrong": for
/// PostgreSQL its connection exceptions (08…), insufficient resources (53…, e.g. 53300 too
/// many clients), operator intervention (57…, e.g. 57P01 admin shutdown, 57014 a statement
/// timeout), a lock not granted in time (55P03) and a deadlock (40P01); for SQLite "database is
/// locked" (5) past the busy timeout.
fn busy_or_down(code: &str) -> bool {
    ["08", "53", "57"]
        .iter()
        .any(|class| code.starts_with(class))
        || matches!(code, "55P03" | "40P01" | "5")
}

/// Which database is behind the store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Backend {
    /// Embedded SQLite.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

impl Backend {
    /// The backend a `DATABASE_URL` names.
    pub(crate) fn of(url: &str) -> Result<Self, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres)
        } else {
            Err(StoreError::Unsupported(
                "use sqlite://path/to/file.db or postgres://user@host/database".into(),
            ))
        }
    }
}

/// The store. Cheap to clone (pool handles).
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    /// One connection of its own for `/readyz`, so readiness never waits behind a busy pool.
    health: AnyPool,
    cipher: TokenCipher,
    backend: Backend,
}

impl Store {
    /// Opens (creating if needed) the database at `database_url` with the default pool size
    /// and applies migrations ([`migrate`]). Several instances may do this at once.
    pub async fn connect(database_url: &str, cipher: TokenCipher) -> Result<Self, StoreError> {
        Self::connect_with(database_url, cipher, None).await
    }

    /// [`Store::connect`] with `pool_size` connections for requests (`DATABASE_POOL_SIZE`;
    /// none: 16 on PostgreSQL, 8 on SQLite).
    pub async fn connect_with(
        database_url: &str,
        cipher: TokenCipher,
        pool_size: Option<u32>,
    ) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::of(database_url)?;
        let (pool, health) = match backend {
            Backend::Sqlite => {
                let size = pool_size.unwrap_or(8);
                let pool = open_sqlite(database_url, size, ACQUIRE_TIMEOUT).await?;
                (pool, open_sqlite(database_url, 1, PING_TIMEOUT).await?)
            }
            Backend::Postgres => (
                open_postgres(database_url, pool_size.unwrap_or(16), ACQUIRE_TIMEOUT).await?,
                open_postgres(database_url, 1, PING_TIMEOUT).await?,
            ),
        };
        migrate(database_url, backend).await?;
        let store = Self {
            pool,
            health,
            cipher,
            backend,
        };
        store.check_token_key().await?;
        Ok(store)
    }

    /// Which database this is.
    pub(crate) fn backend(&self) -> Backend {
        self.backend
    }

    /// Whether the database answers (`SELECT 1` on the readiness connection, never behind the
    /// requests' pool), within [`READY_PING_LIMIT`].
    pub(crate) async fn ping(&self) -> Result<(), StoreError> {
        let answer = tokio::time::timeout(READY_PING_LIMIT, async {
            sqlx::query_scalar::<_, i32>("SELECT 1")
                .fetch_one(&self.health)
                .await
        })
        .await
        .map_err(|_| StoreError::Database(sqlx::Error::PoolTimedOut))?;
        answer?;
        Ok(())
    }

    /// `NOTIFY channel, payload` (PostgreSQL only), from the requests' pool.
    pub(crate) async fn notify(&self, channel: &str, payload: &str) -> Result<(), StoreError> {
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(channel)
            .bind(payload)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Forgets expired OAuth states and rate-limit rows that no window still counts.
    pub async fn prune(&self) -> Result<(), StoreError> {
        self.prune_oauth_states().await?;
        self.prune_drafts().await?;
        self.prune_split_repairs().await?;
        self.prune_rate_events().await
    }

    /// The underlying pool, for tests that inspect or tamper with rows.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The requests' pool: (connections open, of which idle).
    pub(crate) fn pool_size(&self) -> (u32, usize) {
        (self.pool.size(), self.pool.num_idle())
    }

    /// Closes both pools, waiting for connections in use to be given back (shutdown).
    pub(crate) async fn close(&self) {
        self.pool.close().await;
        self.health.close().await;
    }
}

/// PostgreSQL: every session gets the statement and lock timeouts, and server-side TCP
/// keepalives, so PostgreSQL too drops a connection whose client vanished. (sqlx 0.9 has no
/// client-side keepalive; the change relay checks its own connection instead.)
async fn open_postgres(
    database_url: &str,
    connections: u32,
    acquire: Duration,
) -> Result<AnyPool, StoreError> {
    let settings = format!(
        "SET statement_timeout = {}; SET lock_timeout = {}; \
         SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5; \
         SET tcp_keepalives_count = 3;",
        STATEMENT_TIMEOUT.as_millis(),
        LOCK_TIMEOUT.as_millis()
    );
    Ok(pool(connections, acquire, settings)
        .connect(database_url)
        .await?)
}

/// A pool of at most `connections`, each of which runs `settings` when it opens.
fn pool(connections: u32, acquire: Duration, settings: String) -> AnyPoolOptions {
    AnyPoolOptions::new()
        .max_connections(connections)
        .acquire_timeout(acquire)
        .after_connect(move |conn, _| {
            let settings = settings.clone();
            Box::pin(async move {
                sqlx::raw_sql(sqlx::AssertSqlSafe(settings))
                    .execute(conn)
                    .await?;
                Ok(())
            })
        })
}

/// Applies this build's migrations on a connection of its own, outside the requests' timeouts:
/// on PostgreSQL the migrator's advisory lock is waited for as long as another instance holds it
/// (instances starting together all come up, one after the other); on SQLite the file's lock,
/// for up to a minute. Migrations a newer release applied are left alone, so a rollback starts
/// on a store a newer release migrated: every migration is additive (new tables, new nullable or
/// defaulted columns, new indexes), which a test holds the migration files to.
async fn migrate(database_url: &str, backend: Backend) -> Result<(), StoreError> {
    let (url, settings, mut migrator) = match backend {
        Backend::Sqlite => (
            sqlite_url(database_url),
            "PRAGMA busy_timeout=60000;",
            sqlx::migrate!("./migrations/sqlite"),
        ),
        Backend::Postgres => (
            database_url.to_owned(),
            "SET statement_timeout = 0; SET lock_timeout = 0;",
            sqlx::migrate!("./migrations/postgres"),
        ),
    };
    migrator.set_ignore_missing(true);
    let mut conn = AnyConnectOptions::from_str(&url)?.connect().await?;
    sqlx::raw_sql(settings).execute(&mut conn).await?;
    let migrated = migrator.run(&mut conn).await;
    conn.close().await?;
    Ok(migrated?)
}

/// A SQLite URL that creates the file when it is missing.
fn sqlite_url(database_url: &str) -> String {
    if database_url.contains("mode=") {
        database_url.to_owned()
    } else if database_url.contains('?') {
        format!("{database_url}&mode=rwc")
    } else {
        format!("{database_url}?mode=rwc")
    }
}

/// SQLite through the Any driver: WAL is switched on once (it persists in the file and needs
/// a lock no other connection holds), then every pooled connection gets `synchronous=FULL` and
/// a busy timeout.
async fn open_sqlite(
    database_url: &str,
    connections: u32,
    acquire: Duration,
) -> Result<AnyPool, StoreError> {
    let file = SqliteConnectOptions::from_str(database_url)?;
    ensure_parent_folder(file.get_filename())?;
    let options = AnyConnectOptions::from_str(&sqlite_url(database_url))?;
    let mut first = options.connect().await?;
    sqlx::raw_sql("PRAGMA journal_mode=WAL")
        .execute(&mut first)
        .await?;
    first.close().await?;
    let pragmas = format!(
        "PRAGMA synchronous=FULL; PRAGMA busy_timeout={};",
        STATEMENT_TIMEOUT.as_millis()
    );
    Ok(pool(connections, acquire, pragmas)
        .connect_with(options)
        .await?)
}

/// Now, in unix seconds, as the store keeps times.
pub(crate) fn now_i64() -> i64 {
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

#[cfg(test)]
mod tests {
    use super::busy_or_down;

    #[test]
    fn a_busy_or_absent_database_is_told_apart_from_a_wrong_query() {
        for busy in ["53300", "55P03", "57014", "57P01", "08006", "40P01", "5"] {
            assert!(busy_or_down(busy), "{busy}");
        }
        for wrong in ["23505", "42P01", "22P02", "55000", "2067"] {
            assert!(!busy_or_down(wrong), "{wrong}");
        }
    }
}
