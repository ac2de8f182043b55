//! One user's view of Google for the length of a request: their access token, every call timed
//! (for the tool log line), and one retry with a fresh token when Calendar answers 401.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use super::calendar::CalendarClient;
use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::state::AppState;
use crate::tools::time::Zone;

/// Google access for one user during one request.
pub struct UserCalendar<'a> {
    state: &'a AppState,
    user_id: &'a str,
    token: Option<Secret>,
    /// Time spent waiting on Google (token refresh and Calendar calls).
    pub google_time: Duration,
}

impl<'a> UserCalendar<'a> {
    /// Google access for `user_id`; nothing is fetched until the first call.
    pub fn new(state: &'a AppState, user_id: &'a str) -> Self {
        Self {
            state,
            user_id,
            token: None,
            google_time: Duration::ZERO,
        }
    }

    async fn token(&mut self) -> Result<Secret> {
        if let Some(token) = &self.token {
            return Ok(token.clone());
        }
        let started = Instant::now();
        let token = self.state.tokens.get(self.user_id).await;
        self.google_time += started.elapsed();
        let token = token?;
        self.token = Some(token.clone());
        Ok(token)
    }

    /// Runs one Calendar call. A 401 means the cached access token died early (revoked,
    /// rotated): drop it, refresh once, and try again; a second 401 asks for sign-in.
    pub async fn call<T, F, Fut>(&mut self, call: F) -> Result<T>
    where
        F: Fn(&'a CalendarClient, Secret) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let client: &'a CalendarClient = &self.state.calendar;
        for attempt in 0..2 {
            let token = self.token().await?;
            let started = Instant::now();
            let result = call(client, token).await;
            self.google_time += started.elapsed();
            match result {
                Err(Error::Google {
                    status: Some(401), ..
                }) => {
                    self.token = None;
                    self.state.tokens.forget(self.user_id).await;
                    if attempt == 1 {
                        return Err(Error::ReauthRequired);
                    }
                }
                other => return other,
            }
        }
        Err(Error::ReauthRequired)
    }

    /// The user's calendar zone (cached for an hour); UTC, with a warning, if Google cannot
    /// say. Sign-in problems are not hidden behind the fallback.
    pub async fn zone(&mut self) -> Result<Zone> {
        if let Some(zone) = self.state.zones.get(self.user_id) {
            return Ok(zone);
        }
        let name = self
            .call(|client, token| async move { client.timezone(&token).await })
            .await;
        match name {
            Ok(name) => match Zone::parse(&name, "timezone") {
                Ok(zone) => {
                    self.state.zones.put(self.user_id, zone.clone());
                    Ok(zone)
                }
                Err(_) => {
                    tracing::warn!(user_id = self.user_id, zone = %name, "calendar zone unknown to the tz database; using UTC");
                    Ok(Zone::utc())
                }
            },
            Err(
                e @ (Error::NotConnected | Error::ReauthRequired | Error::GoogleTimeout { .. }),
            ) => Err(e),
            Err(e) => {
                tracing::warn!(user_id = self.user_id, error = %e, "could not read the calendar's time zone; using UTC");
                Ok(Zone::utc())
            }
        }
    }
}
