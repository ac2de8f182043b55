//! Real PostgreSQL for the tests, never a mock of it.
//!
//! [`fresh_database`] makes a new database on the throwaway cluster `.ci/run` starts
//! (`scripts/test-postgres.sh`, exported as `TEST_POSTGRES_URL`). [`Cluster`] starts a private
//! cluster a test may stop and restart. Without PostgreSQL the PostgreSQL variants say they are
//! skipped; under `CI=true` they are required.

use std::path::PathBuf;
use std::process::Command;

use sqlx::Connection;

fn in_ci() -> bool {
    std::env::var("CI").as_deref() == Ok("true")
}

/// Skips (returns `None` after saying so) unless PostgreSQL is available; fails in CI.
fn skip(what: &str) -> Option<std::convert::Infallible> {
    assert!(
        !in_ci(),
        "CI must run the PostgreSQL variants, but {what} (run .ci/run, or \
         eval \"$(scripts/test-postgres.sh start)\")"
    );
    eprintln!("SKIPPED: the PostgreSQL variant needs {what}");
    None
}

/// A URL for a new, empty database on the shared test cluster.
pub async fn fresh_database() -> Option<String> {
    let Ok(admin) = std::env::var("TEST_POSTGRES_URL") else {
        skip("TEST_POSTGRES_URL")?;
        return None;
    };
    let mut conn = sqlx::postgres::PgConnection::connect(&admin)
        .await
        .unwrap_or_else(|e| panic!("TEST_POSTGRES_URL does not answer: {e}"));
    let mut bytes = [0u8; 8];
    rand::fill(&mut bytes);
    let name = format!("test_{}", hex::encode(bytes));
    // The name is ours: `test_` and hex digits.
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .expect("create database");
    let (base, _) = admin.rsplit_once('/').expect("URL with a database");
    Some(format!("{base}/{name}"))
}

/// A private PostgreSQL cluster in a temporary folder, stopped when dropped.
pub struct Cluster {
    dir: tempfile::TempDir,
    bindir: PathBuf,
    port: u16,
}

fn bindir() -> Option<PathBuf> {
    if let Ok(dir) = std::env::var("TEST_POSTGRES_BINDIR") {
        return Some(PathBuf::from(dir));
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|p| p.join("initdb").exists())
        .collect();
    found.sort();
    found.pop()
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

impl Cluster {
    /// A command run as the cluster's owner (the `postgres` user when the tests run as root:
    /// PostgreSQL refuses to run as root).
    fn as_owner(&self, program: &str) -> Command {
        let path = self.bindir.join(program);
        if running_as_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        }
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// Initialises and starts a cluster on a free loopback port.
    pub fn start() -> Option<Self> {
        let Some(bindir) = bindir() else {
            skip("PostgreSQL's initdb (apt-get install postgresql)")?;
            return None;
        };
        let dir = tempfile::Builder::new()
            .prefix("calendar-agent-pg")
            .tempdir()
            .expect("tempdir");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("free port");
        let cluster = Self { dir, bindir, port };
        if running_as_root() {
            let status = Command::new("chown")
                .args(["postgres"])
                .arg(cluster.dir.path())
                .status()
                .expect("chown");
            assert!(status.success());
        }
        let init = cluster
            .as_owner("initdb")
            .arg("-D")
            .arg(cluster.data())
            .args(["-U", "postgres", "-A", "trust", "--no-sync"])
            .output()
            .expect("initdb runs");
        assert!(
            init.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&init.stderr)
        );
        cluster.resume();
        Some(cluster)
    }

    /// `postgres://…` for the cluster's default database.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Stops the server (fast shutdown: open connections are terminated, as in a restart).
    pub fn stop(&self) {
        let out = self
            .as_owner("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .args(["-m", "fast", "-w", "stop"])
            .output()
            .expect("pg_ctl stop");
        assert!(
            out.status.success(),
            "pg_ctl stop: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Starts the server again, on the same port, waiting until it accepts connections.
    pub fn resume(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        let out = self
            .as_owner("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .arg("-l")
            .arg(self.dir.path().join("log"))
            .args(["-w", "-o", &options, "start"])
            .output()
            .expect("pg_ctl start");
        assert!(
            out.status.success(),
            "pg_ctl start: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self
            .as_owner("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .args(["-m", "immediate", "stop"])
            .output();
    }
}
