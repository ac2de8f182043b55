//! Events as this service reasons about them: the calendars that count for a user, events of
//! several calendars merged into one list, the mark this service puts on what it creates, who
//! is told of a change, and the user's own answer to an invitation.

use std::collections::{HashMap, HashSet};

use google_calendar3::api::{Event, EventExtendedProperties};
use jiff::Timestamp;

use super::time::{Zone, from_chrono};

/// One of the user's calendars that counts for them: the primary one, and every one they have
/// selected (ticked) in Google Calendar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CalendarRef {
    /// The id to call Google with (`primary` for the primary calendar).
    pub(crate) id: String,
    /// The name the user sees (their own override, else the calendar's).
    pub(crate) name: String,
    /// Whether it is the user's primary calendar.
    pub(crate) primary: bool,
    /// Its colour in Google Calendar (`#rrggbb`), for the page.
    pub(crate) color: Option<String>,
    /// Whether the user owns it (their primary calendar, or `accessRole: owner`): an event on
    /// it that names no organizer is the user's.
    pub(crate) owned: bool,
}

#[cfg(test)]
impl CalendarRef {
    /// Ada's primary calendar, for tests.
    pub(crate) fn test_primary() -> Self {
        Self {
            id: "primary".into(),
            name: "Ada".into(),
            primary: true,
            color: None,
            owned: true,
        }
    }
}

/// One calendar's `events.list` answer, pages followed.
#[derive(Debug, Default)]
pub(crate) struct Page {
    /// The events, in Google's order (start time), commitments only.
    pub(crate) items: Vec<Event>,
    /// Google had more than the cap (or more pages than are followed).
    pub(crate) truncated: bool,
    /// The working-location entries, when they were asked for (they are not events).
    pub(crate) working_locations: Vec<Event>,
}

/// A user's calendar zone and calendars.
#[derive(Clone, Debug)]
pub struct UserContext {
    /// The zone of their calendar settings.
    pub(crate) zone: Zone,
    /// Primary first, then the selected ones.
    pub(crate) calendars: Vec<CalendarRef>,
    /// Who the user is as an organizer.
    pub(crate) owners: Owners,
}

/// The addresses that are the user as an organizer: their own, and every calendar they own
/// (primary, or `accessRole: owner` in their calendar list). Google's `organizer.self` is not
/// one of them: it says the organizer is the calendar that copy is on, which on a colleague's
/// calendar shared with the user is the colleague.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Owners(Vec<String>);

impl Owners {
    /// The user's address and the ids of the calendars they own.
    pub(crate) fn new(user: &str, owned: impl IntoIterator<Item = String>) -> Self {
        let mut all: Vec<String> = std::iter::once(user.to_owned())
            .chain(owned)
            .map(|a| a.trim().to_ascii_lowercase())
            .filter(|a| !a.is_empty())
            .collect();
        all.sort();
        all.dedup();
        Self(all)
    }

    /// Whether `address` is the user or one of their calendars.
    pub(crate) fn include(&self, address: &str) -> bool {
        let address = address.trim().to_ascii_lowercase();
        self.0.contains(&address)
    }
}

impl UserContext {
    /// The calendar ids, in order.
    pub(crate) fn calendar_ids(&self) -> Vec<String> {
        self.calendars.iter().map(|c| c.id.clone()).collect()
    }

    /// The calendar named `id`, if it is one of these.
    pub(crate) fn calendar(&self, id: &str) -> Option<&CalendarRef> {
        self.calendars.iter().find(|c| c.id == id)
    }
}

/// Events of several calendars, merged into one list by start.
#[derive(Debug, Default)]
pub struct Listed {
    /// Each event with the calendar it is on, in start order.
    pub(crate) events: Vec<(Event, CalendarRef)>,
    /// Some calendar had more than the cap, or the merged list did.
    pub(crate) truncated: bool,
    /// The working-location entries, when they were asked for.
    pub(crate) working_locations: Vec<Event>,
}

/// Several accounts' events, merged into one list by start.
#[derive(Debug, Default)]
pub(crate) struct MergedAccounts {
    /// Each event with its calendar and the index of the account's list it came from.
    pub(crate) events: Vec<(Event, CalendarRef, usize)>,
    /// Some list was cut short, or the merged one was.
    pub(crate) truncated: bool,
    /// Every list's working-location entries, in the lists' order.
    pub(crate) working_locations: Vec<Event>,
}

/// Merges several accounts' lists (the first is the primary account's) by start, at most `cap`
/// events. An event both accounts see (the same iCalUID at the same start: a meeting both were
/// invited to) is kept once, from the first list holding it.
pub(crate) fn merge_listed(lists: Vec<Listed>, cap: usize, zone: &Zone) -> MergedAccounts {
    let mut truncated = lists.iter().any(|l| l.truncated);
    let mut working_locations = Vec::new();
    let mut all: Vec<(Timestamp, usize, usize, Event, CalendarRef)> = Vec::new();
    for (account, list) in lists.into_iter().enumerate() {
        working_locations.extend(list.working_locations);
        for (order, (event, calendar)) in list.events.into_iter().enumerate() {
            all.push((starts_at(&event, zone), account, order, event, calendar));
        }
    }
    all.sort_by_key(|(at, account, order, _, _)| (*at, *account, *order));
    let mut seen = HashSet::new();
    let mut events = Vec::new();
    for (at, account, _, event, calendar) in all {
        let identity = event.i_cal_uid.clone().or_else(|| event.id.clone());
        if let Some(identity) = identity.filter(|i| !i.is_empty()) {
            if !seen.insert((identity, at)) {
                continue;
            }
        }
        events.push((event, calendar, account));
    }
    if events.len() > cap {
        events.truncate(cap);
        truncated = true;
    }
    MergedAccounts {
        events,
        truncated,
        working_locations,
    }
}

/// When an event starts, for ordering: an all-day event at the start of its day in `zone`.
fn starts_at(event: &Event, zone: &Zone) -> Timestamp {
    let Some(start) = event.start.as_ref() else {
        return Timestamp::MAX;
    };
    if let Some(at) = start.date_time.and_then(from_chrono) {
        return at;
    }
    start
        .date
        .and_then(|d| {
            use chrono::Datelike;
            let day = jiff::civil::Date::new(
                i16::try_from(d.year()).ok()?,
                i8::try_from(d.month()).ok()?,
                i8::try_from(d.day()).ok()?,
            )
            .ok()?;
            zone.tz
                .to_ambiguous_zoned(day.to_datetime(jiff::civil::Time::midnight()))
                .compatible()
                .ok()
        })
        .map_or(Timestamp::MAX, |z| z.timestamp())
}

/// Merges each calendar's page into one list by start (ties keep the calendars' order), drops
/// the second copy of an event that is on two calendars, and keeps at most `cap`.
pub(crate) fn merge_pages(pages: Vec<(CalendarRef, Page)>, cap: usize, zone: &Zone) -> Listed {
    let mut truncated = pages.iter().any(|(_, p)| p.truncated);
    let mut working_locations = Vec::new();
    let pages: Vec<(CalendarRef, Page)> = pages
        .into_iter()
        .map(|(calendar, mut page)| {
            working_locations.append(&mut page.working_locations);
            (calendar, page)
        })
        .collect();
    let mut all: Vec<(Timestamp, usize, Event, CalendarRef)> = pages
        .into_iter()
        .enumerate()
        .flat_map(|(order, (calendar, page))| {
            page.items
                .into_iter()
                .map(move |e| (order, e, calendar.clone()))
        })
        .map(|(order, e, c)| (starts_at(&e, zone), order, e, c))
        .collect();
    all.sort_by_key(|(at, order, _, _)| (*at, *order));
    let mut seen = HashSet::new();
    let mut events: Vec<(Event, CalendarRef)> = Vec::new();
    for (at, _, event, calendar) in all {
        let identity = event
            .i_cal_uid
            .clone()
            .or_else(|| event.id.clone())
            .unwrap_or_default();
        if !identity.is_empty() && !seen.insert((identity, at)) {
            continue;
        }
        events.push((event, calendar));
    }
    if events.len() > cap {
        events.truncate(cap);
        truncated = true;
    }
    Listed {
        events,
        truncated,
        working_locations,
    }
}

/// The mark this service puts on what it creates (`block_time` holds, `create_meeting`
/// meetings), in the event's *private* extended properties: private to the copy on this user's
/// calendar, so a guest's copy of a meeting someone else made here does not carry it.
/// The private extended property key.
pub(crate) const KEY: &str = "createdBy";
/// Its value.
pub(crate) const VALUE: &str = "calendar-agent";

/// The extended properties to give a new event.
pub(crate) fn tag() -> EventExtendedProperties {
    EventExtendedProperties {
        private: Some(HashMap::from([(KEY.to_owned(), VALUE.to_owned())])),
        shared: None,
    }
}

/// Whether this service made `event` for the calendar it is on.
pub(crate) fn is_tagged(event: &Event) -> bool {
    event
        .extended_properties
        .as_ref()
        .and_then(|p| p.private.as_ref())
        .and_then(|p| p.get(KEY))
        .is_some_and(|v| v == VALUE)
}

/// Whether the organizer of `event` is the calendar this copy is on (Google's
/// `organizer.self`; no organizer at all is read the same way): on the user's own calendars,
/// their meetings.
pub(crate) fn organised_here(event: &Event) -> bool {
    event
        .organizer
        .as_ref()
        .is_none_or(|o| o.self_ == Some(true))
}

/// Whether the user organizes `event`, found on `calendar`: its organizer is the user's
/// address or a calendar they own; an event that names no organizer belongs to the calendar
/// it is on.
pub(crate) fn organised_by_user(event: &Event, calendar: &CalendarRef, owners: &Owners) -> bool {
    match event.organizer.as_ref().and_then(|o| o.email.as_deref()) {
        Some(address) => owners.include(address),
        None => calendar.owned,
    }
}

/// Whether `propose_change` takes this event, found on `calendar`: the user organizes it
/// (see [`organised_by_user`]) and it is not cancelled.
pub(crate) fn can_change(event: &Event, calendar: &CalendarRef, owners: &Owners) -> bool {
    organised_by_user(event, calendar, owners) && event.status.as_deref() != Some("cancelled")
}

/// The people Google tells when `event` is changed or cancelled with `sendUpdates=all`: its
/// guests other than the user and rooms.
pub(crate) fn guests_told(event: &Event) -> Vec<String> {
    event
        .attendees
        .iter()
        .flatten()
        .filter(|a| a.self_ != Some(true) && a.resource != Some(true))
        .filter_map(|a| a.email.clone())
        .collect()
}

/// The user's own answer to an invitation (`accepted`, `declined`, `tentative`,
/// `needsAction`), when they are a guest rather than the organizer. A declined event is not a
/// commitment, and the model must be able to say so.
pub(crate) fn my_response(event: &Event) -> Option<&str> {
    if event
        .organizer
        .as_ref()
        .is_some_and(|o| o.self_ == Some(true))
    {
        return None;
    }
    event
        .attendees
        .iter()
        .flatten()
        .find(|a| a.self_ == Some(true))
        .and_then(|a| a.response_status.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(v: serde_json::Value) -> Event {
        serde_json::from_value(v).expect("event")
    }

    #[test]
    fn only_the_private_tag_counts() {
        assert!(is_tagged(&event(
            serde_json::json!({"extendedProperties": {"private": {"createdBy": "calendar-agent"}}})
        )));
        for other in [
            serde_json::json!({}),
            serde_json::json!({"extendedProperties": {"shared": {"createdBy": "calendar-agent"}}}),
            serde_json::json!({"extendedProperties": {"private": {"createdBy": "someone-else"}}}),
        ] {
            assert!(!is_tagged(&event(other.clone())), "{other}");
        }
    }
}
