//! The encrypted token store and the access-token cache, against a fake Google.

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use calendar_agent::Error;
use calendar_agent::error::{Auth, GoogleError};
use calendar_agent::secret::Secret;
use calendar_agent::store::StoreError;
use common::ADA;
use common::fake_google::{self, form, requests_to};
use common::{TestApp, json_of};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

const EVE: &str = "eve@example.com";

async fn refreshes(app: &TestApp) -> usize {
    requests_to(&app.google, "/token")
        .await
        .iter()
        .filter(|r| form(r).get("grant_type").map(String::as_str) == Some("refresh_token"))
        .count()
}

async fn seed(app: &TestApp, user: &str) {
    let token = Secret::new(fake_google::refresh_token_for(user));
    app.state
        .store
        .save_grant(user, user, &token, fake_google::GRANTED)
        .await
        .expect("save");
}

/// The token's text is nowhere in what the database keeps: the SQLite files on disk, or every
/// column of every PostgreSQL row (as text and as raw bytes).
async fn assert_not_in_plaintext(app: &TestApp, db: &common::Db, needle: &str) {
    let contains = |bytes: &[u8]| bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
    match db {
        common::Db::Sqlite => {
            let mut checked = 0;
            for entry in std::fs::read_dir(app.dir.path()).expect("dir") {
                let bytes = std::fs::read(entry.expect("entry").path()).expect("read");
                checked += bytes.len();
                assert!(!contains(&bytes), "refresh token found in plaintext");
            }
            assert!(checked > 0, "the database files were read");
        }
        common::Db::Postgres(url) => {
            use sqlx::Connection;
            let mut conn = sqlx::postgres::PgConnection::connect(url)
                .await
                .expect("connect");
            let rows: Vec<(String, Vec<u8>)> =
                sqlx::query_as("SELECT row_to_json(g)::text, refresh_token FROM google_grants g")
                    .fetch_all(&mut conn)
                    .await
                    .expect("rows");
            assert!(!rows.is_empty(), "the table was read");
            for (text, blob) in rows {
                assert!(
                    !text.contains(needle),
                    "refresh token found in the row: {text}"
                );
                assert!(!contains(&blob), "refresh token found in the column");
            }
        }
    }
}

on_both_backends! {
    async fn the_refresh_token_is_never_stored_in_plaintext(db) {
        let app = db.spawn(&[]).await;
        app.mount_google(3600).await;
        app.sign_in(ADA).await;
        assert!(
            app.state
                .store
                .refresh_token(ADA)
                .await
                .expect("read")
                .is_some()
        );
        let needle = fake_google::refresh_token_for(ADA);
        assert_not_in_plaintext(&app, &db, &needle).await;
    }

    async fn a_row_moved_to_another_user_does_not_decrypt(db) {
        let app = db.spawn(&[]).await;
        seed(&app, ADA).await;
        seed(&app, EVE).await;
        // An attacker with write access to the table copies Ada's ciphertext onto Eve's row.
        sqlx::query(
            "UPDATE google_grants SET refresh_token =
                (SELECT refresh_token FROM google_grants WHERE user_id = $1) WHERE user_id = $2",
        )
        .bind(ADA)
        .bind(EVE)
        .execute(app.state.store.pool())
        .await
        .expect("swap");
        assert!(matches!(
            app.state.store.refresh_token(EVE).await,
            Err(StoreError::Undecryptable(_))
        ));
        // Through the token cache it surfaces as "not connected", and Google is never asked.
        assert!(matches!(
            app.state.google.tokens.get(EVE).await,
            Err(Error::Auth(Auth::NotConnected))
        ));
        assert_eq!(refreshes(&app).await, 0);
    }

    async fn a_tampered_ciphertext_does_not_decrypt(db) {
        let app = db.spawn(&[]).await;
        seed(&app, ADA).await;
        let blob: Vec<u8> =
            sqlx::query_scalar("SELECT refresh_token FROM google_grants WHERE user_id = $1")
                .bind(ADA)
                .fetch_one(app.state.store.pool())
                .await
                .expect("blob");
        let mut tampered = blob.clone();
        let middle = tampered.len() / 2;
        tampered[middle] ^= 0x01;
        sqlx::query("UPDATE google_grants SET refresh_token = $1 WHERE user_id = $2")
            .bind(tampered)
            .bind(ADA)
            .execute(app.state.store.pool())
            .await
            .expect("tamper");
        assert!(matches!(
            app.state.store.refresh_token(ADA).await,
            Err(StoreError::Undecryptable(_))
        ));
    }

    async fn fifty_concurrent_sign_ins_are_all_stored_and_readable(db) {
        let app = Arc::new(db.spawn(&[]).await);
        app.mount_google(3600).await;
        let users: Vec<String> = (0..50).map(|i| format!("user{i}@example.com")).collect();
        let handles: Vec<_> = users
            .iter()
            .cloned()
            .map(|user| {
                let app = Arc::clone(&app);
                tokio::spawn(async move { app.sign_in(&user).await })
            })
            .collect();
        for handle in handles {
            handle.await.expect("sign-in task");
        }
        for user in &users {
            let token = app.state.store.refresh_token(user).await.expect("read");
            assert_eq!(
                token.map(|t| t.expose().to_owned()),
                Some(fake_google::refresh_token_for(user)),
                "{user}"
            );
        }
    }

    async fn concurrent_requests_for_one_user_share_one_refresh_until_it_expires(db) {
        // 61 s tokens are refreshed after 1 s (the cache keeps a 60 s margin).
        let app = Arc::new(db.spawn(&[]).await);
        app.mount_google(61).await;
        seed(&app, ADA).await;

        let burst = || async {
            let tasks: Vec<_> = (0..20)
                .map(|_| {
                    let app = Arc::clone(&app);
                    tokio::spawn(async move { app.state.google.tokens.get(ADA).await })
                })
                .collect();
            for task in tasks {
                let token = task.await.expect("task").expect("token");
                assert_eq!(token.token.expose(), format!("at2:{ADA}"));
            }
        };
        burst().await;
        assert_eq!(refreshes(&app).await, 1);
        burst().await;
        assert_eq!(refreshes(&app).await, 1, "still cached");

        tokio::time::sleep(Duration::from_millis(1200)).await;
        burst().await;
        assert_eq!(refreshes(&app).await, 2, "one more after expiry");
    }

    async fn different_users_refresh_independently(db) {
        let app = db.spawn(&[]).await;
        app.mount_google(3600).await;
        seed(&app, ADA).await;
        seed(&app, EVE).await;
        let (a, e) = tokio::join!(app.state.google.tokens.get(ADA), app.state.google.tokens.get(EVE));
        assert_eq!(a.expect("ada").token.expose(), format!("at2:{ADA}"));
        assert_eq!(e.expect("eve").token.expose(), format!("at2:{EVE}"));
        assert_eq!(refreshes(&app).await, 2);
    }

    async fn invalid_grant_asks_for_sign_in_again_and_stops_refreshing(db) {
        let app = db.spawn(&[]).await;
        fake_google::answer_token_with(&app.google, fake_google::invalid_grant_answer()).await;
        seed(&app, ADA).await;

        let first = app.state.google.tokens.get(ADA).await;
        assert!(matches!(first, Err(Error::Auth(Auth::ReauthRequired))), "{first:?}");
        let response = axum::response::IntoResponse::into_response(Error::Auth(Auth::ReauthRequired));
        assert_eq!(response.status().as_u16(), 401);

        // The user is now disconnected: no second refresh is attempted.
        assert!(matches!(
            app.state.google.tokens.get(ADA).await,
            Err(Error::Auth(Auth::NotConnected))
        ));
        assert_eq!(requests_to(&app.google, "/token").await.len(), 1);
        let grant = app
            .state
            .store
            .grant(ADA)
            .await
            .expect("read")
            .expect("row kept");
        assert!(!grant.connected);
    }

    async fn google_failing_a_refresh_is_a_gateway_error_and_keeps_the_grant(db) {
        let app = db.spawn(&[]).await;
        Mock::given(method("POST"))
            .and(path("/token"))
            .respond_with(ResponseTemplate::new(503).set_body_string("unavailable"))
            .mount(&app.google)
            .await;
        seed(&app, ADA).await;
        let result = app.state.google.tokens.get(ADA).await;
        assert!(
            matches!(
                result,
                Err(Error::Google(GoogleError::Failed {
                    status: Some(503),
                    ..
                }))
            ),
            "{result:?}"
        );
        assert!(
            app.state
                .store
                .grant(ADA)
                .await
                .expect("read")
                .expect("row")
                .connected
        );
    }

    async fn a_slow_token_endpoint_times_out_as_a_gateway_timeout(db) {
        let app = db.spawn(&[(crate::common::OAUTH_BUDGET_MS, "500")]).await;
        Mock::given(method("POST"))
            .and(path("/token"))
            .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(10)))
            .mount(&app.google)
            .await;
        seed(&app, ADA).await;
        let started = std::time::Instant::now();
        let result = app.state.google.tokens.get(ADA).await;
        assert!(
            matches!(result, Err(Error::Google(GoogleError::Timeout { .. }))),
            "{result:?}"
        );
        assert!(started.elapsed() < Duration::from_secs(3));
    }

    async fn me_reports_a_revoked_grant_as_not_connected(db) {
        let app = db.spawn(&[]).await;
        app.mount_google(3600).await;
        let cookie = app.sign_in(ADA).await;
        app.state.store.disconnect(ADA).await.expect("disconnect");
        let (_, me) = json_of(app.get_with_cookie("/api/me", &cookie).await).await;
        assert_eq!(me["signedIn"], true);
        assert_eq!(me["connected"], false);
    }

    async fn signing_in_again_while_a_refresh_with_the_old_token_fails_keeps_the_new_grant(db) {
        let app = Arc::new(db.spawn(&[]).await);
        app.mount_google(3600).await;
        // The old refresh token: Google takes a moment, then says it was revoked (the user
        // re-consented, which replaced it).
        Mock::given(method("POST"))
            .and(path("/token"))
            .and(wiremock::matchers::body_string_contains(
                "refresh_token=rt%3Aold",
            ))
            .respond_with(fake_google::invalid_grant_answer().set_delay(Duration::from_millis(800)))
            .with_priority(1)
            .mount(&app.google)
            .await;
        app.state
            .store
            .save_grant(ADA, ADA, &Secret::new("rt:old"), fake_google::GRANTED)
            .await
            .expect("old grant");

        let refreshing = {
            let app = Arc::clone(&app);
            tokio::spawn(async move { app.state.google.tokens.get(ADA).await })
        };
        tokio::time::sleep(Duration::from_millis(200)).await;
        // The sign-in lands while the old refresh is in flight.
        seed(&app, ADA).await;

        let access = refreshing
            .await
            .expect("task")
            .expect("the new grant works");
        assert_eq!(access.token.expose(), format!("at2:{ADA}"));
        let grant = app
            .state
            .store
            .grant(ADA)
            .await
            .expect("read")
            .expect("row");
        assert!(grant.connected, "the new grant was not erased");
        assert_eq!(
            app.state
                .store
                .refresh_token(ADA)
                .await
                .expect("read")
                .map(|t| t.expose().to_owned()),
            Some(fake_google::refresh_token_for(ADA))
        );
    }

    async fn a_rotated_refresh_token_does_not_overwrite_a_newer_sign_in(db) {
        let app = db.spawn(&[]).await;
        seed(&app, ADA).await;
        let read = app
            .state
            .store
            .stored_token(ADA)
            .await
            .expect("read")
            .expect("token");
        // A sign-in replaces the token after the refresh read it...
        app.state
            .store
            .save_grant(ADA, ADA, &Secret::new("rt:newer"), fake_google::GRANTED)
            .await
            .expect("sign-in");
        // ...so the refresh's rotation, scope update and disconnection all do nothing.
        let store = &app.state.store;
        assert!(
            !store
                .rotate_if_unchanged(ADA, &read.sealed, &Secret::new("rt:rotated"), "x")
                .await
                .expect("rotate")
        );
        assert!(
            !store
                .set_scope_if_unchanged(ADA, &read.sealed, "x")
                .await
                .expect("scope")
        );
        assert!(
            !store
                .disconnect_if_unchanged(ADA, &read.sealed)
                .await
                .expect("disconnect")
        );
        let now = store.grant(ADA).await.expect("read").expect("row");
        assert!(now.connected);
        assert_eq!(now.scope.as_str(), fake_google::GRANTED);
        assert_eq!(
            store
                .refresh_token(ADA)
                .await
                .expect("read")
                .map(|t| t.expose().to_owned()),
            Some("rt:newer".to_owned())
        );
    }
}
