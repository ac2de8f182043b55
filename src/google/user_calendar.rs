//! One user's view of Google for the length of a request: their access token, every call timed
//! (for the tool log line), the grant's scopes checked before each call, and one retry with a
//! fresh token when Calendar answers 401.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use super::access_tokens::Access;
use super::calendar::CalendarClient;
use super::scopes::{self, Method};
use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::state::AppState;
use crate::tools::time::Zone;

/// Google access for one user during one request.
pub struct UserCalendar<'a> {
    state: &'a AppState,
    user_id: &'a str,
    access: Option<Access>,
    /// Time spent waiting on Google (token refresh and Calendar calls).
    pub google_time: Duration,
}

impl<'a> UserCalendar<'a> {
    /// Google access for `user_id`; nothing is fetched until the first call.
    pub fn new(state: &'a AppState, user_id: &'a str) -> Self {
        Self {
            state,
            user_id,
            access: None,
            google_time: Duration::ZERO,
        }
    }

    async fn access(&mut self) -> Result<Access> {
        if let Some(access) = &self.access {
            return Ok(access.clone());
        }
        let started = Instant::now();
        let access = self.state.tokens.get(self.user_id).await;
        self.google_time += started.elapsed();
        let access = access?;
        self.access = Some(access.clone());
        Ok(access)
    }

    /// Runs one Calendar call to `method`. A grant without the method's scope is refused here,
    /// before Google is asked. A 401 means the cached access token died early (revoked,
    /// rotated): drop it, refresh once, and try again; a second 401 on a fresh token means the
    /// grant no longer works: the user is marked disconnected and asked to sign in.
    pub async fn call<T, F, Fut>(&mut self, method: &'static Method, call: F) -> Result<T>
    where
        F: Fn(&'a CalendarClient, Secret) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let client: &'a CalendarClient = &self.state.calendar;
        for attempt in 0..2 {
            let access = self.access().await?;
            if !access.scopes.allows(method) {
                tracing::info!(
                    user_id = self.user_id,
                    method = method.name,
                    "the stored grant lacks this method's scope"
                );
                return Err(Error::ScopeMissing {
                    missing: vec![method.permission],
                });
            }
            let started = Instant::now();
            let result = call(client, access.token).await;
            self.google_time += started.elapsed();
            match result {
                Err(Error::Google {
                    status: Some(401), ..
                }) => {
                    self.access = None;
                    if attempt == 1 {
                        self.state.tokens.refused(self.user_id).await?;
                        return Err(Error::ReauthRequired);
                    }
                    self.state.tokens.forget(self.user_id).await;
                }
                other => return other,
            }
        }
        Err(Error::ReauthRequired)
    }

    /// The user's calendar zone (cached for an hour). Google's failures are reported, not
    /// hidden behind a default: a wrong zone puts holds at the wrong hour. Only a zone name the
    /// tz database does not know falls back to UTC, with a warning.
    pub async fn zone(&mut self) -> Result<Zone> {
        if let Some(zone) = self.state.zones.get(self.user_id) {
            return Ok(zone);
        }
        let name = self
            .call(&scopes::SETTINGS_GET, |client, token| async move {
                client.timezone(&token).await
            })
            .await?;
        let zone = Zone::parse(&name, "timezone").unwrap_or_else(|_| {
            tracing::warn!(user_id = self.user_id, zone = %crate::log_safe::clip(&name), "calendar zone unknown to the tz database; using UTC");
            Zone::utc()
        });
        self.state.zones.put(self.user_id, zone.clone());
        Ok(zone)
    }
}
