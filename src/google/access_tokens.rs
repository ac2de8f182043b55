//! User id → a valid Google access token.
//!
//! Tokens are cached in memory until about a minute before they expire, and concurrent callers
//! for one user share one refresh (a per-user async lock): a burst of tool calls costs Google one
//! refresh, not one each.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

use super::oauth::OAuthClient;
use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::store::{Store, StoreError};

/// Refresh this long before Google's stated expiry, so a token never dies mid-call.
pub const EXPIRY_MARGIN: Duration = Duration::from_secs(60);

struct Cached {
    token: Secret,
    refresh_after: Instant,
}

type Slot = Arc<tokio::sync::Mutex<Option<Cached>>>;

/// The access-token cache in front of Google's token endpoint.
pub struct AccessTokens {
    oauth: OAuthClient,
    store: Store,
    slots: Mutex<HashMap<String, Slot>>,
}

impl AccessTokens {
    /// A cache refreshing through `oauth` with refresh tokens from `store`.
    pub fn new(oauth: OAuthClient, store: Store) -> Self {
        Self {
            oauth,
            store,
            slots: Mutex::new(HashMap::new()),
        }
    }

    fn slot(&self, user_id: &str) -> Slot {
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        slots.entry(user_id.to_owned()).or_default().clone()
    }

    /// A valid access token for `user_id`, refreshing at most once for concurrent callers.
    ///
    /// Errors: [`Error::NotConnected`] when no usable refresh token is stored;
    /// [`Error::ReauthRequired`] when Google answers `invalid_grant` (the user is then marked
    /// disconnected, so no refresh is tried again until they sign in).
    pub async fn get(&self, user_id: &str) -> Result<Secret> {
        let slot = self.slot(user_id);
        let mut cached = slot.lock().await;
        if let Some(c) = cached.as_ref().filter(|c| Instant::now() < c.refresh_after) {
            return Ok(c.token.clone());
        }
        *cached = None;
        let refresh_token = match self.store.refresh_token(user_id).await {
            Ok(Some(token)) => token,
            Ok(None) => return Err(Error::NotConnected),
            Err(StoreError::Undecryptable(e)) => {
                tracing::warn!(user_id, error = %e, "stored refresh token is unusable; the user must sign in again");
                return Err(Error::NotConnected);
            }
            Err(e) => return Err(e.into()),
        };
        let started = Instant::now();
        match self.oauth.refresh(&refresh_token).await {
            Ok(grant) => {
                tracing::debug!(
                    user_id,
                    latency_ms = started.elapsed().as_millis() as u64,
                    "access token refreshed"
                );
                if let Some(rotated) = grant.refresh_token.as_ref() {
                    if let Some(g) = self.store.grant(user_id).await? {
                        let scope = grant.scope.as_deref().unwrap_or(&g.scope);
                        self.store
                            .save_grant(user_id, &g.email, rotated, scope)
                            .await?;
                    }
                }
                *cached = Some(Cached {
                    token: grant.access_token.clone(),
                    refresh_after: refresh_after(grant.expires_in),
                });
                Ok(grant.access_token)
            }
            Err(Error::ReauthRequired) => {
                tracing::warn!(
                    user_id,
                    "Google refused the refresh token (invalid_grant); marking the user disconnected"
                );
                self.store.disconnect(user_id).await?;
                Err(Error::ReauthRequired)
            }
            Err(e) => Err(e),
        }
    }

    /// Caches a token obtained elsewhere (the sign-in's code exchange), saving a refresh.
    pub async fn seed(&self, user_id: &str, token: Secret, expires_in: u64) {
        let slot = self.slot(user_id);
        *slot.lock().await = Some(Cached {
            token,
            refresh_after: refresh_after(expires_in),
        });
    }

    /// Drops any cached token for `user_id` (sign-out with forget).
    pub async fn forget(&self, user_id: &str) {
        let slot = self.slot(user_id);
        *slot.lock().await = None;
    }
}

fn refresh_after(expires_in: u64) -> Instant {
    Instant::now() + Duration::from_secs(expires_in).saturating_sub(EXPIRY_MARGIN)
}
