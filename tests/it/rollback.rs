//! Rollbacks and starts: a build starts on a store a newer release migrated (its migrations are
//! additive, and unknown ones are left alone), instances starting together all come up while
//! one holds the migrations up, and every migration file is additive.

use crate::common;

use std::time::Duration;

use common::{ADA, Db, TestApp, json_of};
use serde_json::json;

/// What a newer release's migration does: a table and a nullable column this build does not
/// know, and its row in the migrations table.
async fn migrate_as_a_newer_release(app: &TestApp) {
    let pool = app.state.store.pool();
    for statement in [
        "CREATE TABLE future_notes (id TEXT PRIMARY KEY NOT NULL, note TEXT)",
        "ALTER TABLE meeting_audit ADD COLUMN future_column TEXT",
    ] {
        sqlx::query(statement).execute(pool).await.expect(statement);
    }
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(20_991_231_000_000_i64)
    .bind("a newer release")
    .bind(true)
    .bind(vec![7u8; 48])
    .bind(1_i64)
    .execute(pool)
    .await
    .expect("the newer release's migration row");
}

on_both_backends! {
    async fn a_store_a_newer_release_migrated_is_served_by_this_build(db) {
        let newer = db.spawn(&[]).await;
        migrate_as_a_newer_release(&newer).await;
        // Rolled back: this build again, on the same store.
        let url = newer.config.store.database_url.clone();
        let rolled_back = db.spawn(&[("DATABASE_URL", &url)]).await;
        rolled_back.mount_google(3600).await;
        rolled_back.connect(ADA).await;
        common::fake_calendar::mount_list(&rolled_back.google, json!([])).await;
        let (status, body) = rolled_back
            .call_tool("/api/calendar/list-events", ADA, json!({}))
            .await;
        assert_eq!(status, 200, "{body}");
        let ready = rolled_back.client.get(rolled_back.url("/readyz")).send().await.expect("readyz");
        assert_eq!(ready.status().as_u16(), 200);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL (scripts/test-postgres.sh); cargo test -- --include-ignored"]
async fn instances_starting_together_wait_for_a_slow_migration_and_all_come_up() {
    use sqlx::Connection;
    let Some(db) = Db::postgres().await else {
        return;
    };
    let Db::Postgres(url) = &db else {
        return;
    };
    let first = db.spawn(&[]).await;
    // Another instance's migration holding the migrations table for 4 s: longer than any
    // statement or lock timeout a request may wait.
    let mut holder = sqlx::postgres::PgConnection::connect(url)
        .await
        .expect("connect");
    let (locked, lock_held) = tokio::sync::oneshot::channel();
    let holding = tokio::spawn(async move {
        let mut tx = holder.begin().await.expect("begin");
        sqlx::query("LOCK TABLE _sqlx_migrations IN ACCESS EXCLUSIVE MODE")
            .execute(&mut *tx)
            .await
            .expect("lock");
        let _ = locked.send(());
        tokio::time::sleep(Duration::from_secs(4)).await;
        tx.commit().await.expect("commit");
    });
    lock_held.await.expect("the lock is held");
    let started = std::time::Instant::now();
    let (a, b) = tokio::join!(db.spawn(&[]), db.spawn(&[]));
    assert!(
        started.elapsed() >= Duration::from_secs(3),
        "they waited for the migration ({:?})",
        started.elapsed()
    );
    holding.await.expect("holder");
    for app in [&first, &a, &b] {
        let (status, body) = json_of(
            app.client
                .get(app.url("/readyz"))
                .send()
                .await
                .expect("readyz"),
        )
        .await;
        assert_eq!(status, 200, "{body}");
    }
}

/// Each migration only adds: no table or column dropped or renamed, no column altered, and a
/// column added to an existing table is nullable or has a default, so the build before it
/// still reads and writes the store.
#[test]
fn every_migration_is_additive() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut checked = 0;
    for backend in ["sqlite", "postgres"] {
        for entry in std::fs::read_dir(root.join(backend)).expect("migrations") {
            let path = entry.expect("entry").path();
            let sql = std::fs::read_to_string(&path).expect("read");
            let statements: Vec<String> = sql
                .lines()
                .filter(|l| !l.trim_start().starts_with("--"))
                .collect::<Vec<_>>()
                .join(" ")
                .split(';')
                .map(|s| {
                    s.split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ")
                        .to_uppercase()
                })
                .collect();
            for statement in &statements {
                let name = path.display();
                for word in ["DROP ", "RENAME ", "ALTER COLUMN", "TRUNCATE "] {
                    assert!(!statement.contains(word), "{name}: {word}in `{statement}`");
                }
                if statement.contains("ADD COLUMN") && statement.contains("NOT NULL") {
                    assert!(
                        statement.contains("DEFAULT"),
                        "{name}: a NOT NULL column without a default: `{statement}`"
                    );
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= 18, "{checked} migration files");
}
