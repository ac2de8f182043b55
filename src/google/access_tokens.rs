//! User id → a valid Google access token and the scopes it carries.
//!
//! Tokens are cached in memory until about a minute before they expire, and concurrent callers
//! for one user share one refresh (a per-user async lock): a burst of tool calls costs Google one
//! refresh, not one each. Every store update caused by a refresh (rotation, new scopes,
//! disconnection) is conditional on the ciphertext the refresh started from, so a sign-in that
//! lands while a refresh is in flight is never erased.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

use super::oauth::OAuthClient;
use crate::error::{Auth, Error, Result};
use crate::metrics::Metrics;
use crate::scopes::Granted;
use crate::secret::Secret;
use crate::store::{Store, StoreError, StoredToken};

/// Refresh this long before Google's stated expiry, so a token never dies mid-call.
pub(crate) const EXPIRY_MARGIN: Duration = Duration::from_secs(60);

/// An access token and what it may do.
#[derive(Clone, Debug)]
pub struct Access {
    /// Bearer token for Google APIs.
    pub token: Secret,
    /// The scopes of the grant behind it.
    pub scopes: Granted,
}

struct Cached {
    access: Access,
    refresh_after: Instant,
    /// The stored ciphertext the token was refreshed from (None when seeded at sign-in).
    sealed: Option<Vec<u8>>,
}

type Slot = Arc<tokio::sync::Mutex<Option<Cached>>>;

/// The access-token cache in front of Google's token endpoint.
pub struct AccessTokens {
    oauth: OAuthClient,
    store: Store,
    metrics: Arc<Metrics>,
    slots: Mutex<HashMap<String, Slot>>,
}

impl AccessTokens {
    /// A cache refreshing through `oauth` with refresh tokens from `store`.
    pub fn new(oauth: OAuthClient, store: Store, metrics: Arc<Metrics>) -> Self {
        Self {
            oauth,
            store,
            metrics,
            slots: Mutex::new(HashMap::new()),
        }
    }

    fn slot(&self, user_id: &str) -> Slot {
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        slots.entry(user_id.to_owned()).or_default().clone()
    }

    /// A valid access token for `user_id`, refreshing at most once for concurrent callers.
    ///
    /// Errors: [`Error::Auth(Auth::NotConnected)`] when no usable refresh token is stored;
    /// [`Error::Auth(Auth::ReauthRequired)`] when Google answers `invalid_grant` (the user is then marked
    /// disconnected, so no refresh is tried again until they sign in).
    pub async fn get(&self, user_id: &str) -> Result<Access> {
        let slot = self.slot(user_id);
        let mut cached = slot.lock().await;
        if let Some(c) = cached.as_ref().filter(|c| Instant::now() < c.refresh_after) {
            return Ok(c.access.clone());
        }
        *cached = None;
        // A second round only when the refresh token was replaced while the first was in flight.
        for _ in 0..2 {
            let read = match self.store.stored_token(user_id).await {
                Ok(Some(read)) => read,
                Ok(None) => return Err(Error::Auth(Auth::NotConnected)),
                Err(StoreError::Undecryptable(e)) => {
                    self.metrics.undecryptable_grant();
                    tracing::warn!(user_id, error = %e, "stored refresh token is unusable; the user must sign in again");
                    return Err(Error::Auth(Auth::NotConnected));
                }
                Err(e) => return Err(e.into()),
            };
            match self.refresh(user_id, &read).await? {
                Some(fresh) => {
                    let access = fresh.access.clone();
                    *cached = Some(fresh);
                    return Ok(access);
                }
                None => continue,
            }
        }
        Err(Error::Auth(Auth::ReauthRequired))
    }

    /// One refresh from `read`. `None`: Google refused it, but a newer token was stored
    /// meanwhile, so the caller should read again.
    async fn refresh(&self, user_id: &str, read: &StoredToken) -> Result<Option<Cached>> {
        let started = Instant::now();
        let refreshed = self.oauth.refresh(&read.token).await;
        self.metrics
            .google_request("oauth.token", started.elapsed());
        self.metrics.token_refresh(match &refreshed {
            Ok(_) => "ok",
            Err(Error::Auth(Auth::ReauthRequired)) => "invalid_grant",
            Err(_) => "error",
        });
        match refreshed {
            Ok(grant) => {
                tracing::debug!(
                    user_id,
                    latency_ms = started.elapsed().as_millis() as u64,
                    "access token refreshed"
                );
                let scopes = grant
                    .scope
                    .as_deref()
                    .filter(|s| !s.trim().is_empty())
                    .map_or_else(|| read.scope.clone(), Granted::new);
                if let Some(rotated) = grant.refresh_token.as_ref() {
                    self.store
                        .rotate_if_unchanged(user_id, &read.sealed, rotated, scopes.as_str())
                        .await?;
                } else if scopes != read.scope {
                    self.store
                        .set_scope_if_unchanged(user_id, &read.sealed, scopes.as_str())
                        .await?;
                }
                Ok(Some(Cached {
                    access: Access {
                        token: grant.access_token,
                        scopes,
                    },
                    refresh_after: refresh_after(grant.expires_in),
                    sealed: Some(read.sealed.clone()),
                }))
            }
            Err(Error::Auth(Auth::ReauthRequired)) => {
                if self
                    .store
                    .disconnect_if_unchanged(user_id, &read.sealed)
                    .await?
                {
                    tracing::warn!(
                        user_id,
                        "Google refused the refresh token (invalid_grant); marking the user disconnected"
                    );
                    Err(Error::Auth(Auth::ReauthRequired))
                } else {
                    tracing::info!(
                        user_id,
                        "a refused refresh token was replaced by a new sign-in meanwhile"
                    );
                    Ok(None)
                }
            }
            Err(e) => Err(e),
        }
    }

    /// Caches a token obtained elsewhere (the sign-in's code exchange), saving a refresh.
    pub async fn seed(&self, user_id: &str, token: Secret, expires_in: u64, scopes: Granted) {
        let slot = self.slot(user_id);
        *slot.lock().await = Some(Cached {
            access: Access { token, scopes },
            refresh_after: refresh_after(expires_in),
            sealed: None,
        });
    }

    /// Drops any cached token for `user_id` (sign-out with forget, or a token Google refused).
    pub async fn forget(&self, user_id: &str) {
        let slot = self.slot(user_id);
        *slot.lock().await = None;
    }

    /// Google refused a token that had just been refreshed: the grant behind it no longer
    /// works, so the user is marked disconnected (unless they signed in again meanwhile).
    pub async fn refused(&self, user_id: &str) -> Result<()> {
        let slot = self.slot(user_id);
        let sealed = slot.lock().await.take().and_then(|c| c.sealed);
        if let Some(sealed) = sealed {
            if self.store.disconnect_if_unchanged(user_id, &sealed).await? {
                tracing::warn!(
                    user_id,
                    "Google Calendar refused a freshly refreshed token; marking the user disconnected"
                );
            }
        }
        Ok(())
    }

    /// Forgets cached tokens that have expired (bounded memory).
    pub fn prune(&self) {
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        slots.retain(|_, slot| match slot.try_lock() {
            Ok(cached) => cached
                .as_ref()
                .is_some_and(|c| Instant::now() < c.refresh_after),
            // In use right now: keep.
            Err(_) => true,
        });
    }
}

fn refresh_after(expires_in: u64) -> Instant {
    Instant::now() + Duration::from_secs(expires_in).saturating_sub(EXPIRY_MARGIN)
}
