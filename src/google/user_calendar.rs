//! The typed Calendar client: one user's Google access for the length of a request, or of one
//! piece of background work. Each Calendar call is one method here that owns its API method
//! (the scope it needs, checked before Google is asked, and how Google's failures read, see
//! [`crate::scopes::Method`]), whatever transport sits under it; callers never name a scope.
//! Every call is timed (for the tool log line), a 401 is retried once with a fresh token, and in
//! the background each call has its own budget.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use google_calendar3::api::Event;
use jiff::Timestamp;
use serde_json::Value;
use tokio::time::Instant;

use super::Google;
use super::access_tokens::Access;
use super::calendar::{Answer, Asked, CalendarClient, FreeBusy};
use super::calendar_watch::{Changes, Opened};
use super::calendar_writes::Written;
use super::people::{Book, Found, PeopleClient};
use super::retry::{self, Pace};
use crate::calendar::{CalendarRef, Listed, Owners, UserContext, Window, Zone, merge_pages};
use crate::error::{Action, Auth, Error, GoogleError, Result};
use crate::scopes::{
    self, CALENDAR_LIST_LIST, EVENTS_GET, EVENTS_INSERT, EVENTS_INSTANCES, EVENTS_LIST,
    FREEBUSY_QUERY, Method, SETTINGS_GET,
};
use crate::secret::Secret;

/// What a piece of work will ask of Calendar, checked at once by [`UserCalendar::require`] so
/// that everything the grant lacks is named together.
pub(crate) mod needs {
    use crate::scopes::{CALENDAR_LIST_LIST, EVENTS_LIST, FREEBUSY_QUERY, Method, SETTINGS_GET};

    /// Listing events in the user's zone, across their calendars.
    pub(crate) const READING_EVENTS: &[&Method] =
        &[&SETTINGS_GET, &CALENDAR_LIST_LIST, &EVENTS_LIST];
    /// Free/busy across the user's calendars (and other people's), in their zone.
    pub(crate) const FINDING_TIME: &[&Method] =
        &[&SETTINGS_GET, &CALENDAR_LIST_LIST, &FREEBUSY_QUERY];
}

/// What inserting an event with a chosen id found.
#[derive(Debug)]
pub(crate) enum Once {
    /// It is new.
    Created(Event),
    /// The id was taken (an earlier attempt made it): Google's copy, maybe `cancelled`.
    Existing(Event),
}

/// A write that is made only if the event still has the etag read back.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Guarded<'a> {
    /// `events.patch` with these fields.
    Patch(&'a Value),
    /// `events.delete`.
    Delete,
}

/// Google access for one user during one request (or one piece of background work).
pub struct UserCalendar {
    google: Arc<Google>,
    user_id: String,
    access: Option<Access>,
    /// Each call's own limit (background work); a request's calls share its deadline instead.
    per_call: Option<Duration>,
    /// When the request's answer is due (a refusal is waited out only if it fits).
    deadline: Option<Instant>,
    /// The first background backoff (see [`super::retry`]); none: not retried.
    retry_base: Option<Duration>,
    /// Time spent waiting on Google (token refresh and Calendar calls).
    pub google_time: Duration,
}

impl UserCalendar {
    /// Google access for `user_id` in a request; nothing is fetched until the first call.
    pub fn new(google: &Arc<Google>, user_id: &str) -> Self {
        Self {
            google: Arc::clone(google),
            user_id: user_id.to_owned(),
            access: None,
            per_call: None,
            deadline: None,
            retry_base: None,
            google_time: Duration::ZERO,
        }
    }

    /// The same access for a request whose answer is due at `deadline`.
    pub(crate) fn until(self, deadline: Instant) -> Self {
        Self {
            deadline: Some(deadline),
            ..self
        }
    }

    /// Google access for `user_id` in background work: each call has at most `budget`, and a
    /// refusal that passes with time is retried, backing off from `retry_base`.
    pub(crate) fn in_background(
        google: &Arc<Google>,
        user_id: &str,
        budget: Duration,
        retry_base: Duration,
    ) -> Self {
        Self {
            per_call: Some(budget),
            retry_base: Some(retry_base),
            ..Self::new(google, user_id)
        }
    }

    /// The same background access with each call allowed `per_call`, and made once: for work
    /// that is retried as a whole elsewhere.
    pub(crate) fn once_within(self, per_call: Duration) -> Self {
        Self {
            per_call: Some(per_call),
            retry_base: None,
            ..self
        }
    }

    fn pace(&self) -> Pace {
        match (self.per_call, self.retry_base) {
            (Some(_), Some(base)) => Pace::Background { base },
            (Some(_), None) => Pace::Request { left: None },
            (None, _) => Pace::Request {
                left: self
                    .deadline
                    .map(|d| d.saturating_duration_since(Instant::now())),
            },
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

    /// Refuses, before any call, a grant that lacks the scope of any of `methods` (see
    /// [`needs`]): everything missing is named at once.
    pub async fn require(&mut self, methods: &[&'static Method]) -> Result<()> {
        allowed(&self.access().await?, methods)
    }

    /// Runs one piece of Google work that calls `methods`, with the user's access token. A
    /// grant without a method's scope is refused here, before Google is asked. A 401 means the
    /// cached access token died early (revoked, rotated): drop it, refresh once, and try again;
    /// a second 401 on a fresh token means the grant no longer works: the user is marked
    /// disconnected and asked to sign in. A refusal that passes with time (a rate limit, a
    /// 5xx on a read) is made again as [`super::retry`] says, the only place that waits.
    async fn with_token<T, F, Fut>(&mut self, methods: &[&'static Method], call: F) -> Result<T>
    where
        F: Fn(Secret) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let api = methods.first().map_or("google", |m| m.name);
        let writes = methods.iter().any(|m| m.writes());
        let (mut attempt, mut refreshed) = (0, false);
        loop {
            attempt += 1;
            let access = self.access().await?;
            if let Err(missing) = allowed(&access, methods) {
                tracing::info!(user_id = %self.user_id, %missing, "the stored grant lacks a scope this call needs");
                return Err(missing);
            }
            let started = Instant::now();
            let result = match self.per_call {
                Some(budget) => tokio::time::timeout(budget, call(access.token))
                    .await
                    .unwrap_or(Err(Error::Google(GoogleError::Timeout { what: api }))),
                None => call(access.token).await,
            };
            let took = started.elapsed();
            self.google_time += took;
            self.google.metrics.google_request(api, took);
            let error = match result {
                Err(e) if e.google_status() == Some(401) => {
                    self.access = None;
                    if refreshed {
                        self.google.tokens.refused(&self.user_id).await?;
                        return Err(Error::Auth(Auth::ReauthRequired));
                    }
                    refreshed = true;
                    self.google.tokens.forget(&self.user_id).await;
                    continue;
                }
                Err(e) => e,
                ok => return ok,
            };
            let jitter: f64 = rand::random();
            let Some(wait) = retry::wait_before_retry(&error, writes, attempt, self.pace(), jitter)
            else {
                return Err(error);
            };
            tracing::info!(user_id = %self.user_id, api, attempt, wait_ms = wait.as_millis() as u64, error = %error, "Google refused for now; trying again");
            tokio::time::sleep(wait).await;
        }
    }

    /// One call of `method`, its failure read for it.
    async fn run<T, F, Fut>(&mut self, method: &'static Method, call: F) -> Result<T>
    where
        F: Fn(Arc<CalendarClient>, Secret) -> Fut,
        Fut: Future<Output = Answer<T>>,
    {
        let client = Arc::clone(&self.google.calendar);
        self.with_token(&[method], |token| {
            let answer = call(Arc::clone(&client), token);
            async move { answer.await.map_err(|f| f.into_error(method)) }
        })
        .await
    }

    /// The user's calendar zone and calendars (cached together for an hour, read together:
    /// `settings.get` and `calendarList.list` at once). Google's failures are reported, not
    /// hidden behind a default: a wrong zone puts holds at the wrong hour. Only a zone name the
    /// tz database does not know falls back to UTC, with a warning.
    pub async fn context(&mut self) -> Result<Arc<UserContext>> {
        if let Some(context) = self.google.contexts.get(&self.user_id) {
            return Ok(context);
        }
        let client = Arc::clone(&self.google.calendar);
        let (name, (calendars, owned)) = self
            .with_token(&[&SETTINGS_GET, &CALENDAR_LIST_LIST], |token| {
                let client = Arc::clone(&client);
                async move {
                    let (zone, list) =
                        tokio::join!(client.timezone(&token), client.calendars(&token));
                    Ok((
                        zone.map_err(|f| f.into_error(&SETTINGS_GET))?,
                        list.map_err(|f| f.into_error(&CALENDAR_LIST_LIST))?,
                    ))
                }
            })
            .await?;
        let zone = Zone::parse(&name, "timezone").unwrap_or_else(|_| {
            tracing::warn!(user_id = %self.user_id, zone = %crate::log_safe::clip(&name), "calendar zone unknown to the tz database; using UTC");
            Zone::utc()
        });
        let owners = Owners::new(&self.user_id, owned);
        Ok(self.google.contexts.put(
            &self.user_id,
            UserContext {
                zone,
                calendars,
                owners,
            },
        ))
    }

    /// The user's calendar zone (from [`Self::context`]).
    pub async fn zone(&mut self) -> Result<Zone> {
        Ok(self.context().await?.zone.clone())
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
        self.listing(calendars, window, cap, zone, query, false)
            .await
    }

    /// [`Self::events_across`], with the working-location entries of the window on the primary
    /// calendar (`working_locations`), read in the same call as its events.
    pub(crate) async fn events_and_working_locations(
        &mut self,
        calendars: &[CalendarRef],
        window: Window,
        cap: u32,
        zone: &Zone,
        query: Option<&str>,
    ) -> Result<Listed> {
        self.listing(calendars, window, cap, zone, query, true)
            .await
    }

    async fn listing(
        &mut self,
        calendars: &[CalendarRef],
        window: Window,
        cap: u32,
        zone: &Zone,
        query: Option<&str>,
        working_locations: bool,
    ) -> Result<Listed> {
        let pages = self
            .run(&EVENTS_LIST, |client, token| async move {
                let (token, client) = (&token, &client);
                let calls = calendars.iter().map(|c| async move {
                    let asked = Asked {
                        query,
                        // Google keeps them on the primary calendar only.
                        working_locations: working_locations && c.primary,
                    };
                    client
                        .list_events(token, &c.id, window, cap, zone, asked)
                        .await
                        .map(|page| (c.clone(), page))
                });
                futures_util::future::try_join_all(calls).await
            })
            .await?;
        Ok(merge_pages(pages, cap as usize, zone))
    }

    /// `events.get` of `id` on `calendar`; `None` when Google does not know it there.
    pub(crate) async fn event(&mut self, calendar: &str, id: &str) -> Result<Option<Event>> {
        self.run(&EVENTS_GET, |client, token| async move {
            client.event(&token, calendar, id).await
        })
        .await
    }

    /// `events.instances` of the series `series` up to `until`, deleted ones included.
    pub(crate) async fn instances(
        &mut self,
        calendar: &str,
        series: &str,
        until: Timestamp,
    ) -> Result<Vec<Event>> {
        let until = until.to_string();
        let until = until.as_str();
        self.run(&EVENTS_INSTANCES, |client, token| async move {
            client.instances(&token, calendar, series, until).await
        })
        .await
    }

    /// Inserts `event` (which carries its own deterministic id) on `calendar`, telling as
    /// `send_updates` says; when the id is taken, Google's copy instead. A repeat of a call is
    /// thereby never a second event.
    pub(crate) async fn insert(
        &mut self,
        calendar: &str,
        event: &Value,
        send_updates: &str,
    ) -> Result<Once> {
        let inserted = self
            .run(&EVENTS_INSERT, |client, token| async move {
                client.insert(&token, calendar, event, send_updates).await
            })
            .await?;
        match inserted {
            Some(created) => Ok(Once::Created(created)),
            None => {
                let id = event["id"].as_str().unwrap_or_default();
                self.event(calendar, id)
                    .await?
                    .map(Once::Existing)
                    .ok_or_else(|| {
                        Error::google(
                            "events.insert",
                            Some(409),
                            "the id is taken, yet no event has it",
                        )
                    })
            }
        }
    }

    /// Replaces the event `id` on `calendar` with `event` (a deleted hold brought back).
    pub(crate) async fn update(
        &mut self,
        calendar: &str,
        id: &str,
        event: &Value,
        send_updates: &str,
    ) -> Result<Event> {
        self.run(&scopes::EVENTS_UPDATE, |client, token| async move {
            client
                .update(&token, calendar, id, event, send_updates)
                .await
        })
        .await
    }

    /// Patches `fields` of the event `id` on `calendar`, whatever its etag (the user's own
    /// answer to an invitation: nobody else writes it).
    pub(crate) async fn patch(
        &mut self,
        calendar: &str,
        id: &str,
        fields: &Value,
        send_updates: &str,
    ) -> Result<Option<Event>> {
        let event = (calendar, id);
        self.write(
            &scopes::EVENTS_PATCH,
            event,
            Some(fields),
            None,
            send_updates,
        )
        .await
    }

    /// Makes `change` to the event `id` on `calendar` if its etag is still `etag` (else 409
    /// `event_changed`, nothing written), telling as `send_updates` says. A patch answers the
    /// event as Google now holds it; a delete of an event already gone is done.
    pub(crate) async fn change_if_unchanged(
        &mut self,
        (calendar, id, etag): (&str, &str, &str),
        change: Guarded<'_>,
        send_updates: &str,
    ) -> Result<Option<Event>> {
        let (method, fields) = match change {
            Guarded::Patch(fields) => (&scopes::EVENTS_PATCH, Some(fields)),
            Guarded::Delete => (&scopes::EVENTS_DELETE, None),
        };
        self.write(method, (calendar, id), fields, Some(etag), send_updates)
            .await
    }

    /// A patch (`fields`) or a delete of `event`, on `etag` when given: the event as Google
    /// now holds it, `None` when it is gone, 409 `event_changed` when the etag is not its.
    async fn write(
        &mut self,
        method: &'static Method,
        event: (&str, &str),
        fields: Option<&Value>,
        etag: Option<&str>,
        send_updates: &str,
    ) -> Result<Option<Event>> {
        let written = self
            .run(method, |client, token| async move {
                client
                    .write(&token, event, fields, etag, send_updates)
                    .await
            })
            .await?;
        match written {
            Written::Done(event) => Ok(event.map(|e| *e)),
            Written::Gone => Ok(None),
            Written::Stale => Err(Action::EventChanged.into()),
        }
    }

    /// `freebusy.query` for `ids` (calendars or people's addresses) in one call.
    pub(crate) async fn free_busy(
        &mut self,
        window: Window,
        zone: &Zone,
        ids: &[String],
    ) -> Result<FreeBusy> {
        self.run(&FREEBUSY_QUERY, |client, token| async move {
            client.free_busy(&token, window, zone, ids).await
        })
        .await
    }

    /// `events.watch` on `calendar`: Google will POST to `address` when it changes, with the
    /// channel's id and token in its headers, until `expiration_ms`.
    pub(crate) async fn watch(
        &mut self,
        calendar: &str,
        channel: (&str, &str),
        address: &str,
        expiration_ms: i64,
    ) -> Result<Opened> {
        self.run(&scopes::EVENTS_WATCH, |client, token| async move {
            client
                .watch_events(&token, calendar, channel, address, expiration_ms)
                .await
        })
        .await
    }

    /// `channels.stop`; a channel Google no longer knows is stopped already.
    pub(crate) async fn stop_channel(&mut self, channel_id: &str, resource_id: &str) -> Result<()> {
        self.run(&scopes::CHANNELS_STOP, |client, token| async move {
            client.stop_channel(&token, channel_id, resource_id).await
        })
        .await
    }

    /// Both of the People API's searches for `query` at once (the user's contacts, and the
    /// people they have written to), with one token.
    pub(crate) async fn search_people(
        &mut self,
        people: &PeopleClient,
        query: &str,
    ) -> Result<(Vec<Found>, Vec<Found>)> {
        let methods = [Book::Contacts.method(), Book::OtherContacts.method()];
        self.with_token(&methods, |token| async move {
            let (a, b) = tokio::join!(
                people.search(&token, Book::Contacts, query),
                people.search(&token, Book::OtherContacts, query)
            );
            Ok((a?, b?))
        })
        .await
    }

    /// What changed on `calendar` since `sync_token` (everything, without one).
    pub(crate) async fn changes(
        &mut self,
        calendar: &str,
        sync_token: Option<&str>,
    ) -> Result<Changes> {
        self.run(&EVENTS_LIST, |client, token| async move {
            client.changes(&token, calendar, sync_token).await
        })
        .await
    }
}

/// Refuses a grant that lacks the scope of any of `methods`, naming every permission missing.
fn allowed(access: &Access, methods: &[&'static Method]) -> Result<()> {
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
