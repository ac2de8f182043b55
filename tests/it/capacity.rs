//! Capacity on PostgreSQL: a pool with no connection free, and a lock not granted in time, are
//! answered 503 with `Retry-After` (a caller can wait and try again), never 500; readiness and
//! the change relay, on connections of their own, carry on through it.

use crate::common;

use std::time::{Duration, Instant};

use common::routes::LIST;
use common::{Db, RELAY_CHECK_MS, TestApp, assert_error, json_of};
use serde_json::json;
use sqlx::Connection;

const EVE: &str = "eve@example.com";

async fn ready(app: &TestApp) -> u16 {
    app.client
        .get(app.url("/readyz"))
        .send()
        .await
        .expect("readyz")
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL (scripts/test-postgres.sh); cargo test -- --include-ignored"]
async fn a_saturated_pool_is_a_503_with_retry_after_while_readiness_and_the_relay_carry_on() {
    let Some(db) = Db::postgres().await else {
        return;
    };
    let app = db
        .spawn(&[("DATABASE_POOL_SIZE", "2"), (RELAY_CHECK_MS, "200")])
        .await;
    app.mount_google(3600).await;
    common::fake_calendar::mount_list(&app.google, json!([])).await;
    app.connect(EVE).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while !app.state.metrics.relay_is_up() {
        assert!(Instant::now() < deadline, "the relay listens");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Every request connection taken, as by slow requests.
    let pool = app.state.store.pool();
    let held = (
        pool.acquire().await.expect("one"),
        pool.acquire().await.expect("two"),
    );
    assert_eq!(ready(&app).await, 200, "readiness has its own connection");
    let started = Instant::now();
    let response = app
        .post_json(&app.tool_url(LIST, EVE), &json!({"timezone": "UTC"}))
        .await;
    let retry_after = response.headers().get("retry-after").cloned();
    let (status, body) = json_of(response).await;
    assert_error(status, &body, 503, "store_unavailable");
    assert!(retry_after.is_some(), "a wait is given");
    assert!(
        started.elapsed() < Duration::from_millis(4500),
        "inside Anam's wait"
    );
    // Several relay checks fall in the saturation: none may tear the LISTEN down.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(app.state.metrics.relay_is_up());
    let metrics = app.state.metrics.render();
    assert!(
        metrics.contains("calendar_agent_change_relay_reconnects_total 0"),
        "{metrics}"
    );
    drop(held);
    let (status, body) = app.call_tool(LIST, EVE, json!({"timezone": "UTC"})).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL (scripts/test-postgres.sh); cargo test -- --include-ignored"]
async fn a_lock_not_granted_in_time_is_a_503_with_retry_after() {
    let Some(db) = Db::postgres().await else {
        return;
    };
    let app = db.spawn(&[]).await;
    app.mount_google(3600).await;
    let cookie = app.sign_in(common::ADA).await;
    // Another session holds the lock every instance takes to count Ada's session starts.
    let mut other = sqlx::AnyConnection::connect(&app.config.store.database_url)
        .await
        .expect("connect");
    sqlx::query("SELECT pg_advisory_lock(hashtextextended($1, 0))")
        .bind(format!("mint:user:{}", common::ADA))
        .execute(&mut other)
        .await
        .expect("lock");
    let response = app
        .client
        .post(app.url("/api/session-token"))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("mint");
    let retry_after = response.headers().get("retry-after").cloned();
    let (status, body) = json_of(response).await;
    assert_error(status, &body, 503, "store_unavailable");
    assert!(retry_after.is_some(), "a wait is given");
    other.close().await.expect("close");
}
