//! One user's view of Google for the length of a request: their access token, every call timed
//! (for the tool log line), the grant's scopes checked before each call, and one retry with a
//! fresh token when Calendar answers 401.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use google_calendar3::api::Event;

use super::Google;
use super::access_tokens::Access;
use super::calendar::CalendarClient;
use super::event_writes::Inserted;
use crate::calendar::{CalendarRef, Listed, UserContext, Window, Zone, merge_pages};
use crate::error::{Auth, Error, GoogleError, Result};
use crate::scopes::{self, Method};
use crate::secret::Secret;

/// What inserting an event with a chosen id found.
#[derive(Debug)]
pub enum Once {
    /// It is new.
    Created(Event),
    /// The id was taken (an earlier attempt made it): Google's copy, maybe `cancelled`.
    Existing(Event),
}

/// Google access for one user during one request (or one piece of background work).
pub struct UserCalendar {
    google: Arc<Google>,
    user_id: String,
    access: Option<Access>,
    /// Time spent waiting on Google (token refresh and Calendar calls).
    pub google_time: Duration,
}

impl UserCalendar {
    /// Google access for `user_id`; nothing is fetched until the first call.
    pub fn new(google: &Arc<Google>, user_id: &str) -> Self {
        Self {
            google: Arc::clone(google),
            user_id: user_id.to_owned(),
            access: None,
            google_time: Duration::ZERO,
        }
    }

    /// Whose access this is.
    pub fn user_id(&self) -> &str {
        &self.user_id
    }

    async fn access(&mut self) -> Result<Access> {
        if let Some(access) = &self.access {
            return Ok(access.clone());
        }
        let started = Instant::now();
        let access = self.google.tokens.get(&self.user_id).await;
        self.google_time += started.elapsed();
        let access = access?;
        self.access = Some(access.clone());
        Ok(access)
    }

    /// Refuses, before any call, a grant that lacks the scope of any of `methods`: a tool that
    /// will need several methods names everything missing at once.
    pub async fn require(&mut self, methods: &[&'static Method]) -> Result<()> {
        let access = self.access().await?;
        let mut missing: Vec<_> = methods
            .iter()
            .filter(|m| !access.scopes.allows(m))
            .map(|m| m.permission)
            .collect();
        missing.sort();
        missing.dedup();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(Error::Google(GoogleError::ScopeMissing { missing }))
        }
    }

    /// Runs one piece of Calendar work that calls `methods` (several calls may run inside it
    /// at once, with one token). See [`Self::with_token`].
    pub async fn call<T, F, Fut>(&mut self, methods: &[&'static Method], call: F) -> Result<T>
    where
        F: Fn(Arc<CalendarClient>, Secret) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let client = Arc::clone(&self.google.calendar);
        self.with_token(methods, |token| call(Arc::clone(&client), token))
            .await
    }

    /// Runs one piece of Google work that calls `methods`, with the user's access token. A
    /// grant without a method's scope is refused here, before Google is asked. A 401 means the
    /// cached access token died early (revoked, rotated): drop it, refresh once, and try again;
    /// a second 401 on a fresh token means the grant no longer works: the user is marked
    /// disconnected and asked to sign in.
    pub async fn with_token<T, F, Fut>(&mut self, methods: &[&'static Method], call: F) -> Result<T>
    where
        F: Fn(Secret) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        for attempt in 0..2 {
            let access = self.access().await?;
            let missing: Vec<_> = methods
                .iter()
                .filter(|m| !access.scopes.allows(m))
                .map(|m| m.permission)
                .collect();
            if !missing.is_empty() {
                tracing::info!(
                    user_id = %self.user_id,
                    ?missing,
                    "the stored grant lacks a scope this call needs"
                );
                return Err(Error::Google(GoogleError::ScopeMissing { missing }));
            }
            let started = Instant::now();
            let result = call(access.token).await;
            let took = started.elapsed();
            self.google_time += took;
            let api = methods.first().map_or("google", |m| m.name);
            self.google.metrics.google_request(api, took);
            match result {
                Err(e) if e.google_status() == Some(401) => {
                    self.access = None;
                    if attempt == 1 {
                        self.google.tokens.refused(&self.user_id).await?;
                        return Err(Error::Auth(Auth::ReauthRequired));
                    }
                    self.google.tokens.forget(&self.user_id).await;
                }
                other => return other,
            }
        }
        Err(Error::Auth(Auth::ReauthRequired))
    }

    /// Inserts `event` (which carries its own deterministic id) on primary, telling its guests
    /// when `notify`; when the id is taken, Google's copy instead. A repeat of a call is
    /// thereby never a second event.
    pub async fn insert_once(&mut self, event: &Event, notify: bool) -> Result<Once> {
        let inserted = self
            .call(&[&scopes::EVENTS_INSERT], |client, token| async move {
                if notify {
                    client.insert_meeting(&token, event.clone()).await
                } else {
                    client.insert_event(&token, event.clone()).await
                }
            })
            .await?;
        match inserted {
            Inserted::Created(event) => Ok(Once::Created(*event)),
            Inserted::AlreadyExists => {
                let id = event.id.as_deref().unwrap_or_default();
                let existing = self
                    .call(&[&scopes::EVENTS_GET], |client, token| async move {
                        client.get_event(&token, id).await
                    })
                    .await?;
                Ok(Once::Existing(existing))
            }
        }
    }

    /// Event `id` on the user's primary calendar; `None` when Google does not know it (404).
    pub async fn event(&mut self, id: &str) -> Result<Option<Event>> {
        let read = self
            .call(&[&scopes::EVENTS_GET], |client, token| async move {
                client.get_event(&token, id).await
            })
            .await;
        match read {
            Ok(event) => Ok(Some(event)),
            Err(e) if e.google_status() == Some(404) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The user's calendar zone and calendars (cached together for an hour, read together:
    /// `settings.get` and `calendarList.list` at once). Google's failures are reported, not
    /// hidden behind a default: a wrong zone puts holds at the wrong hour. Only a zone name the
    /// tz database does not know falls back to UTC, with a warning.
    pub async fn context(&mut self) -> Result<Arc<UserContext>> {
        if let Some(context) = self.google.contexts.get(&self.user_id) {
            return Ok(context);
        }
        let (name, (calendars, owned)) = self
            .call(
                &[&scopes::SETTINGS_GET, &scopes::CALENDAR_LIST_LIST],
                |client, token| async move {
                    let (zone, calendars) =
                        tokio::join!(client.timezone(&token), client.calendars(&token));
                    Ok((zone?, calendars?))
                },
            )
            .await?;
        let zone = Zone::parse(&name, "timezone").unwrap_or_else(|_| {
            tracing::warn!(user_id = %self.user_id, zone = %crate::log_safe::clip(&name), "calendar zone unknown to the tz database; using UTC");
            Zone::utc()
        });
        Ok(self.google.contexts.put(
            &self.user_id,
            UserContext {
                zone,
                calendars,
                owners: crate::calendar::Owners::new(&self.user_id, owned),
            },
        ))
    }

    /// `events.list` on each of `calendars` at once (one call each, one token), merged by
    /// start, at most `cap` events in all.
    pub async fn events_across(
        &mut self,
        calendars: &[CalendarRef],
        window: Window,
        cap: u32,
        zone: &Zone,
        query: Option<&str>,
    ) -> Result<Listed> {
        let pages = self
            .call(&[&scopes::EVENTS_LIST], |client, token| {
                let token = token.clone();
                async move {
                    let (token, client) = (&token, &client);
                    let calls = calendars.iter().map(|c| async move {
                        client
                            .list_events(token, &c.id, window, cap, zone, query)
                            .await
                            .map(|page| (c.clone(), page))
                    });
                    futures_util::future::try_join_all(calls).await
                }
            })
            .await?;
        Ok(merge_pages(pages, cap as usize, zone))
    }

    /// The user's calendar zone (from [`Self::context`]).
    pub async fn zone(&mut self) -> Result<Zone> {
        Ok(self.context().await?.zone.clone())
    }
}
