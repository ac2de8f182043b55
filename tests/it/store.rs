//! The store's own guarantees, on both backends: one-use OAuth states, limits shared by every
//! instance on one database, sign-in epochs, pruning.

use crate::common;

use std::time::Duration;

use calendar_agent::store::{Allowance, Store};
use calendar_agent::token_cipher::TokenCipher;
use common::ADA;
use common::TestApp;

/// A second handle on the same database, as another instance would open it.
async fn second_instance(app: &TestApp) -> Store {
    Store::connect(
        &app.config.store.database_url,
        TokenCipher::new(&common::test_token_key()),
    )
    .await
    .expect("second instance opens the same database (migrations already applied)")
}

on_both_backends! {
    async fn an_oauth_state_is_taken_once_even_by_racing_instances(db) {
        let app = db.spawn(&[]).await;
        let other = second_instance(&app).await;
        let mine = &app.state.store;
        mine.remember_oauth_state("state-1", calendar_agent::clock::unix_now() + 600)
            .await
            .expect("remember");
        let (a, b) = tokio::join!(mine.take_oauth_state("state-1"), other.take_oauth_state("state-1"));
        let wins = [a.expect("take"), b.expect("take")];
        assert_eq!(wins.iter().filter(|w| **w).count(), 1, "{wins:?}");
        assert!(!mine.take_oauth_state("never-issued").await.expect("take"));
    }

    async fn a_limit_is_shared_by_instances_and_says_when_to_retry(db) {
        let app = db.spawn(&[]).await;
        let other = second_instance(&app).await;
        let minute = Duration::from_secs(60);
        let take = |store: &Store| {
            let store = store.clone();
            async move { store.take_allowance("mint:user:ada", 3, minute, 1).await.expect("take") }
        };
        let mut granted = 0;
        for i in 0..6 {
            let store = if i % 2 == 0 { &app.state.store } else { &other };
            match take(store).await {
                Allowance::Granted => granted += 1,
                Allowance::Exhausted { retry_after } => {
                    assert!(
                        retry_after >= Duration::from_secs(1) && retry_after <= minute,
                        "{retry_after:?}"
                    );
                }
            }
        }
        assert_eq!(granted, 3, "two instances together allow the rate once, not twice");
        // Another key has its own allowance.
        let ip = app
            .state
            .store
            .take_allowance("mint:ip:203.0.113.1", 3, minute, 1)
            .await
            .expect("take");
        assert_eq!(ip, Allowance::Granted);
    }

    async fn racing_instances_allow_exactly_the_limit(db) {
        let app = db.spawn(&[]).await;
        let other = second_instance(&app).await;
        let stores = [app.state.store.clone(), other];
        let tasks: Vec<_> = (0..40)
            .map(|i| {
                let store = stores[i % 2].clone();
                tokio::spawn(async move {
                    store
                        .take_allowance("race", 10, Duration::from_secs(60), 1)
                        .await
                        .expect("take")
                })
            })
            .collect();
        let mut granted = 0;
        for task in tasks {
            if task.await.expect("task") == Allowance::Granted {
                granted += 1;
            }
        }
        // Exact: neither more than the limit nor fewer, whoever wins the races.
        assert_eq!(granted, 10, "{granted} granted of a limit of 10");
        let after = app
            .state
            .store
            .take_allowance("race", 10, Duration::from_secs(60), 1)
            .await
            .expect("take");
        assert!(matches!(after, Allowance::Exhausted { .. }));
    }

    async fn amounts_count_by_their_size(db) {
        let app = db.spawn(&[]).await;
        let hour = Duration::from_secs(3600);
        let store = &app.state.store;
        assert_eq!(store.take_allowance("invites:ada", 20, hour, 15).await.expect("take"), Allowance::Granted);
        assert!(matches!(
            store.take_allowance("invites:ada", 20, hour, 6).await.expect("take"),
            Allowance::Exhausted { .. }
        ));
        assert_eq!(store.take_allowance("invites:ada", 20, hour, 5).await.expect("take"), Allowance::Granted);
    }

    async fn sign_out_replaces_the_epoch_and_forget_removes_the_user(db) {
        let app = db.spawn(&[]).await;
        let store = &app.state.store;
        let token = calendar_agent::secret::Secret::new("rt:ada@example.com");
        let first = store.save_grant(ADA, ADA, &token, "").await.expect("save");
        assert_eq!(store.save_grant(ADA, ADA, &token, "").await.expect("again"), first, "kept");
        store.bump_epoch(ADA).await.expect("bump");
        let bumped = store.epoch(ADA).await.expect("read").expect("row");
        assert_ne!(bumped, first);
        assert!(store.delete(ADA).await.expect("delete"));
        assert_eq!(store.epoch(ADA).await.expect("read"), None);
        let fresh = store.save_grant(ADA, ADA, &token, "").await.expect("save");
        assert!(fresh != first && fresh != bumped, "a returning user does not revive old cookies");
    }

    async fn expired_states_and_old_limit_rows_are_pruned(db) {
        let app = db.spawn(&[]).await;
        let store = &app.state.store;
        store.remember_oauth_state("old", 1).await.expect("remember");
        store.remember_oauth_state("new", calendar_agent::clock::unix_now() + 600).await.expect("remember");
        store.prune().await.expect("prune");
        let (states,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM oauth_states")
            .fetch_one(store.pool())
            .await
            .expect("count");
        assert_eq!(states, 1);
        assert!(store.take_oauth_state("new").await.expect("take"));
    }

    async fn readiness_reports_a_reachable_store(db) {
        let app = db.spawn(&[]).await;
        let (status, body) = common::json_of(
            app.client.get(app.url("/readyz")).send().await.expect("readyz"),
        )
        .await;
        assert_eq!((status, body), (200, serde_json::json!({"status": "ready"})));
    }
}
