//! A person's Google accounts in one request: the access of each, and the reads that cover them
//! all (every selected calendar of every account, fetched at once and merged). With several
//! accounts, one that cannot be read (revoked, Google down) is reported beside the others'
//! answer; with one, its failure is the answer, as before accounts were several.

use std::sync::Arc;

use google_calendar3::api::Event;

use super::user_calendar::{UserCalendar, needs};
use crate::calendar::{CalendarRef, Listed, Owners, UserContext, Window, Zone, merge_listed};
use crate::error::{Error, Result};
use crate::scopes::Method;

/// One of the person's Google accounts with its access for this request.
pub struct AccountAccess {
    /// Its address.
    pub(crate) email: String,
    /// Its access.
    pub(crate) google: UserCalendar,
}

/// An account that could not be read, and why.
#[derive(Debug)]
pub(crate) struct Unavailable {
    /// Its address.
    pub(crate) email: String,
    /// What went wrong.
    pub(crate) error: Error,
}

/// Every account's events in a window, merged by start.
#[derive(Debug)]
pub(crate) struct AllEvents {
    /// The zone the window was read in.
    pub(crate) zone: Zone,
    /// The window.
    pub(crate) window: Window,
    /// Each event with its calendar and the index of its account (into `accounts`).
    pub(crate) events: Vec<(Event, CalendarRef, usize)>,
    /// The accounts read, in order (primary first), with who each is as an organizer.
    pub(crate) accounts: Vec<(String, Owners)>,
    /// Some calendar had more than the cap, or the merged list did.
    pub(crate) truncated: bool,
    /// The working-location entries of the accounts' primary calendars, when asked for.
    pub(crate) working_locations: Vec<Event>,
    /// The accounts that could not be read.
    pub(crate) unavailable: Vec<Unavailable>,
}

impl AllEvents {
    /// Whether the person has several accounts (answers then name each event's).
    pub(crate) fn several(&self) -> bool {
        self.accounts.len() + self.unavailable.len() > 1
    }
}

/// What to list.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Listing<'a> {
    /// The zone asked for, else the primary account's.
    pub(crate) zone: Option<&'a Zone>,
    /// At most this many events in all.
    pub(crate) cap: u32,
    /// Words to look for.
    pub(crate) query: Option<&'a str>,
    /// Whether to read working locations too.
    pub(crate) working_locations: bool,
}

/// Each account's context (its zone and calendars), all at once, after checking that its grant
/// allows `methods`.
pub(crate) async fn contexts(
    accounts: &mut [(&str, &mut UserCalendar)],
    methods: &[&'static Method],
) -> Vec<Result<Arc<UserContext>>> {
    let reads = accounts.iter_mut().map(|(_, google)| async move {
        google.require(methods).await?;
        google.context().await
    });
    futures_util::future::join_all(reads).await
}

/// The accounts that answered (by their index, with the answer) and those that did not.
pub(crate) type Kept<T> = (Vec<(usize, T)>, Vec<Unavailable>);

/// Splits per-account results into the good ones and the accounts that failed. For a person
/// with one account its failure is returned; with `several`, only when every one failed.
pub(crate) fn kept<T>(
    emails: &[String],
    results: Vec<Result<T>>,
    several: bool,
) -> Result<Kept<T>> {
    let single = !several;
    let mut good = Vec::new();
    let mut failed = Vec::new();
    for (i, result) in results.into_iter().enumerate() {
        match result {
            Ok(value) => good.push((i, value)),
            Err(error) if single => return Err(error),
            Err(error) => {
                tracing::info!(account = i, error = %error, "one of several accounts could not be read");
                failed.push(Unavailable {
                    email: emails.get(i).cloned().unwrap_or_default(),
                    error,
                });
            }
        }
    }
    if good.is_empty() && !failed.is_empty() {
        return Err(failed.swap_remove(0).error);
    }
    Ok((good, failed))
}

/// Every selected calendar of every account in the window `window_for` gives in the zone asked
/// for (else the first readable account's, the primary's when it answers), read at once and
/// merged by start (an event on two accounts' calendars once, the first account's copy).
pub(crate) async fn all_events(
    mut accounts: Vec<(&str, &mut UserCalendar)>,
    listing: Listing<'_>,
    window_for: impl FnOnce(&Zone) -> Result<Window>,
) -> Result<AllEvents> {
    let emails: Vec<String> = accounts.iter().map(|(e, _)| (*e).to_owned()).collect();
    let contexts = contexts(&mut accounts, needs::READING_EVENTS).await;
    let several = emails.len() > 1;
    let (readable, mut unavailable) = kept(&emails, contexts, several)?;
    let zone = match listing.zone {
        Some(zone) => zone.clone(),
        None => readable
            .first()
            .map(|(_, c)| c.zone.clone())
            .unwrap_or_else(Zone::utc),
    };
    let window = window_for(&zone)?;
    let mut chosen: Vec<(usize, Arc<UserContext>, &mut UserCalendar)> = Vec::new();
    let mut readable = readable.into_iter().peekable();
    for (i, (_, google)) in accounts.iter_mut().enumerate() {
        if let Some((_, context)) = readable.next_if(|(at, _)| *at == i) {
            chosen.push((i, context, &mut **google));
        }
    }
    let (zone_ref, cap) = (&zone, listing.cap);
    let reads = chosen.iter_mut().map(|(_, context, google)| async move {
        let calendars = &context.calendars;
        if listing.working_locations {
            google
                .events_and_working_locations(calendars, window, cap, zone_ref, listing.query)
                .await
        } else {
            google
                .events_across(calendars, window, cap, zone_ref, listing.query)
                .await
        }
    });
    let listed = futures_util::future::join_all(reads).await;
    let listed_emails: Vec<String> = chosen.iter().map(|(i, _, _)| emails[*i].clone()).collect();
    let (listed, more_failed) = kept(&listed_emails, listed, several)?;
    unavailable.extend(more_failed);
    let mut lists: Vec<Listed> = Vec::new();
    let mut read = Vec::new();
    for (at, one) in listed {
        let Some((i, context, _)) = chosen.get(at) else {
            continue;
        };
        read.push((emails[*i].clone(), context.owners.clone()));
        lists.push(one);
    }
    let merged = merge_listed(lists, cap as usize, &zone);
    Ok(AllEvents {
        zone,
        window,
        events: merged.events,
        accounts: read,
        truncated: merged.truncated,
        working_locations: merged.working_locations,
        unavailable,
    })
}
