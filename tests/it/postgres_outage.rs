//! PostgreSQL stopped under a running server, then started again: calls that need the store
//! answer 503 JSON with a sentence, `/readyz` says not ready, nothing panics, and everything
//! recovers without a restart. A private cluster, so stopping it disturbs no other test.

use crate::common;

use std::time::{Duration, Instant};

use common::ADA;
use common::postgres::Cluster;
use common::routes::LIST;
use common::{assert_error, json_of, spawn_app};
use serde_json::{Value, json};

const EVE: &str = "eve@example.com";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL (scripts/test-postgres.sh); cargo test -- --include-ignored"]
async fn a_database_outage_is_a_sayable_503_and_heals_by_itself() {
    let Some(cluster) = Cluster::start() else {
        return;
    };
    let app = spawn_app(&[("DATABASE_URL", &cluster.url())]).await;
    app.mount_google(3600).await;
    common::fake_calendar::mount_list(&app.google, json!([])).await;
    let ada = app.sign_in(ADA).await;
    app.connect(EVE).await;
    let ready = || async {
        json_of(
            app.client
                .get(app.url("/readyz"))
                .send()
                .await
                .expect("readyz"),
        )
        .await
    };
    assert_eq!(ready().await.0, 200);

    cluster.stop();

    let (status, body) = ready().await;
    assert_error(status, &body, 503, "store_unavailable");
    // A tool call that needs the store (Eve has no cached token yet).
    let started = Instant::now();
    let (status, body) = app.call_tool(LIST, EVE, json!({"timezone": "UTC"})).await;
    assert_error(status, &body, 503, "store_unavailable");
    assert_sayable(&body);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "within Anam's wait"
    );
    // The page's own calls too.
    let (status, body) = json_of(app.get_with_cookie("/api/me", &ada).await).await;
    assert_eq!(status, 503, "{body}");
    assert_sayable(&body);
    // Liveness does no I/O: the process is fine.
    let health = app
        .client
        .get(app.url("/healthz"))
        .send()
        .await
        .expect("healthz");
    assert_eq!(health.status().as_u16(), 200);

    cluster.resume();

    // Without restarting the server: ready again, and the same calls succeed.
    let deadline = Instant::now() + Duration::from_secs(15);
    while ready().await.0 != 200 {
        assert!(Instant::now() < deadline, "ready again within 15 s");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let (status, body) = app.call_tool(LIST, EVE, json!({"timezone": "UTC"})).await;
    assert_eq!(status, 200, "{body}");
    let (_, me) = json_of(app.get_with_cookie("/api/me", &ada).await).await;
    assert_eq!(me["signedIn"], true, "{me}");
}

fn assert_sayable(body: &Value) {
    let message = body["message"].as_str().unwrap_or("");
    assert!(message.contains("try again"), "{message}");
    assert!(
        !message.contains("sqlx") && !message.contains("127.0.0.1"),
        "{message}"
    );
}
