//! `kill -9` in the middle of 50 concurrent sign-ins: after a restart, every sign-in the server
//! acknowledged (answered with the signed cookie) is stored and decrypts. Drives the real
//! binary as a child process.

use crate::common;

use calendar_agent::store::Store;
use calendar_agent::token_cipher::TokenCipher;
use common::TEST_TOKEN_KEY;
use common::fake_google;
use common::process::{client, sign_ins_cut_by_kill_9, start_server};
use wiremock::MockServer;

const USERS: usize = 50;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_sign_in_survives_a_kill_9() {
    let google = MockServer::start().await;
    fake_google::mount(&google, &fake_google::Tokens::default(), 3600).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let db = format!("sqlite://{}", dir.path().join("crash.db").display());
    let mut server = start_server(&google, &db, &[]).await;
    let acknowledged = sign_ins_cut_by_kill_9(&mut server, USERS).await;

    // Restart on the same database: it opens, migrates (nothing to do) and serves.
    let again = start_server(&google, &db, &[]).await;
    let health = client()
        .get(format!("{}/healthz", again.address))
        .send()
        .await
        .expect("health");
    assert_eq!(health.status().as_u16(), 200);

    let key: [u8; 32] = hex::decode(TEST_TOKEN_KEY)
        .expect("hex")
        .try_into()
        .expect("32 bytes");
    let store = Store::connect(&db, TokenCipher::new(&key))
        .await
        .expect("store");
    for (email, _) in &acknowledged {
        let token = store.refresh_token(email).await.expect("decrypts");
        assert_eq!(
            token.map(|t| t.expose().to_owned()),
            Some(fake_google::refresh_token_for(email)),
            "{email}"
        );
    }
}
