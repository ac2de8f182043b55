//! `kill -9` in the middle of 50 concurrent sign-ins: after a restart, every sign-in the server
//! acknowledged (answered with the signed cookie) is stored and decrypts. Drives the real
//! binary as a child process.

mod common;

use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use calendar_agent::store::Store;
use calendar_agent::token_cipher::TokenCipher;
use common::fake_google;
use common::{TEST_TOKEN_KEY, cookie_pair, location, query_param};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use wiremock::MockServer;

const USERS: usize = 50;

/// Starts the server binary on a free port; returns it and its address once it listens.
async fn start(google: &MockServer, db: &str) -> (Child, String) {
    let g = google.uri();
    let mut child = Command::new(env!("CARGO_BIN_EXE_calendar-agent"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("PORT", "0")
        .env("RUST_LOG", "info")
        .env("PRESIGN_SECRET", common::TEST_PRESIGN_SECRET)
        .env("GOOGLE_CLIENT_ID", "id")
        .env("GOOGLE_CLIENT_SECRET", "secret")
        .env("GOOGLE_AUTH_URL", format!("{g}/auth"))
        .env("GOOGLE_TOKEN_URL", format!("{g}/token"))
        .env("GOOGLE_USERINFO_URL", format!("{g}/userinfo"))
        .env("GOOGLE_CALENDAR_BASE_URL", format!("{g}/calendar/v3/"))
        .env("DATABASE_URL", format!("sqlite://{db}"))
        .env("TOKEN_ENCRYPTION_KEY", TEST_TOKEN_KEY)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("server binary starts");
    let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
    let address = tokio::time::timeout(Duration::from_secs(20), async {
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(rest) = line.split("listening on ").nth(1) {
                return rest.trim().replace("localhost", "127.0.0.1");
            }
        }
        panic!("the server exited before listening");
    })
    .await
    .expect("listening within 20 s");
    // Keep draining the log so the server never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, address)
}

/// One browser sign-in; `true` if the server acknowledged it with the signed cookie.
async fn sign_in(client: &reqwest::Client, address: &str, email: &str) -> bool {
    let Ok(start) = client
        .get(format!("{address}/api/auth/google"))
        .send()
        .await
    else {
        return false;
    };
    let (Some(cookie), Some(state)) = (
        cookie_pair(&start, "oauth_state"),
        start
            .headers()
            .get("location")
            .and_then(|_| query_param(&location(&start), "state")),
    ) else {
        return false;
    };
    let url = format!(
        "{address}/api/auth/google/callback?code={}&state={state}",
        fake_google::code_for(email)
    );
    match client.get(url).header("cookie", cookie).send().await {
        Ok(done) => done.status().as_u16() == 303 && cookie_pair(&done, "userId").is_some(),
        Err(_) => false,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_sign_in_survives_a_kill_9() {
    let google = MockServer::start().await;
    fake_google::mount(&google, &fake_google::Tokens::default(), 3600).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("crash.db").display().to_string();
    let (mut server, address) = start(&google, &db).await;

    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .expect("client");
    let acknowledged = Arc::new(std::sync::Mutex::new(Vec::new()));
    let done = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..USERS)
        .map(|i| {
            let (client, address) = (client.clone(), address.clone());
            let (acknowledged, done) = (Arc::clone(&acknowledged), Arc::clone(&done));
            tokio::spawn(async move {
                let email = format!("crash{i}@example.com");
                if sign_in(&client, &address, &email).await {
                    acknowledged.lock().expect("lock").push(email);
                }
                done.fetch_add(1, Ordering::SeqCst);
            })
        })
        .collect();
    // Kill as soon as some sign-ins are through, with others still in flight.
    while done.load(Ordering::SeqCst) < USERS / 3 {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    server.start_kill().expect("kill -9");
    server.wait().await.expect("reaped");
    for task in tasks {
        task.await.expect("task");
    }
    let acknowledged = acknowledged.lock().expect("lock").clone();
    println!(
        "acknowledged before the kill: {} of {USERS}",
        acknowledged.len()
    );
    assert!(!acknowledged.is_empty());

    // Restart on the same database: it opens, migrates (nothing to do) and serves.
    let (mut again, address) = start(&google, &db).await;
    let health = client
        .get(format!("{address}/healthz"))
        .send()
        .await
        .expect("health");
    assert_eq!(health.status().as_u16(), 200);

    let key: [u8; 32] = hex::decode(TEST_TOKEN_KEY)
        .expect("hex")
        .try_into()
        .expect("32 bytes");
    let store = Store::connect(&format!("sqlite://{db}"), TokenCipher::new(&key))
        .await
        .expect("store");
    for email in &acknowledged {
        let token = store.refresh_token(email).await.expect("decrypts");
        assert_eq!(
            token.map(|t| t.expose().to_owned()),
            Some(fake_google::refresh_token_for(email)),
            "{email}"
        );
    }
    again.start_kill().expect("stop");
}
