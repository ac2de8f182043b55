//! OAuth scopes: what consent asks for, which scope each Calendar method needs (Google's API
//! reference, "Authorization" of each method), and what a stored grant is missing.
//!
//! Each method lists every scope Google accepts for it; consent asks for the narrowest one that
//! covers what this service does. `calendar.events` does not cover `freebusy.query`,
//! `settings.get` or `calendarList.list`, so each gets its own.

use std::fmt;

/// `openid`: the sign-in itself.
pub(crate) const OPENID: &str = "openid";
/// `email`: the account's address, our user id.
pub(crate) const EMAIL: &str = "email";
/// Read and change events on the user's calendars.
pub(crate) const EVENTS: &str = "https://www.googleapis.com/auth/calendar.events";
/// Availability on calendars the user can see (their own and, for meetings, other people's
/// shared free/busy). `calendar.freebusy` covers only the user's own calendars.
pub(crate) const FREEBUSY: &str = "https://www.googleapis.com/auth/calendar.events.freebusy";
/// The user's Calendar settings (the time zone).
pub(crate) const SETTINGS: &str = "https://www.googleapis.com/auth/calendar.settings.readonly";
/// The list of calendars the user has in Google Calendar.
pub(crate) const CALENDAR_LIST: &str =
    "https://www.googleapis.com/auth/calendar.calendarlist.readonly";
/// The user's contacts (People API `people:searchContacts`), asked for only when the user
/// allows contacts from the page.
pub(crate) const CONTACTS: &str = "https://www.googleapis.com/auth/contacts.readonly";
/// People the user has written to but not saved (`otherContacts:search`).
pub(crate) const OTHER_CONTACTS: &str = "https://www.googleapis.com/auth/contacts.other.readonly";

const FULL: &str = "https://www.googleapis.com/auth/calendar";
const FULL_READONLY: &str = "https://www.googleapis.com/auth/calendar.readonly";
const EVENTS_READONLY: &str = "https://www.googleapis.com/auth/calendar.events.readonly";
const OWN_FREEBUSY: &str = "https://www.googleapis.com/auth/calendar.freebusy";
const CALENDAR_LIST_RW: &str = "https://www.googleapis.com/auth/calendar.calendarlist";

/// What a scope lets the service do, in words a user reads on the page or hears from the avatar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Permission {
    /// See and edit events.
    Events,
    /// See availability.
    Availability,
    /// Read Calendar settings (the time zone).
    Settings,
    /// See the list of calendars.
    Calendars,
    /// Search the user's contacts (optional).
    Contacts,
    /// Search the people the user has emailed (optional).
    OtherContacts,
}

impl Permission {
    /// Every permission sign-in asks for, in consent order.
    pub(crate) const ALL: [Permission; 4] = [
        Permission::Events,
        Permission::Availability,
        Permission::Settings,
        Permission::Calendars,
    ];

    /// The scope consent asks for to get this permission.
    pub(crate) fn scope(self) -> &'static str {
        match self {
            Self::Events => EVENTS,
            Self::Availability => FREEBUSY,
            Self::Settings => SETTINGS,
            Self::Calendars => CALENDAR_LIST,
            Self::Contacts => CONTACTS,
            Self::OtherContacts => OTHER_CONTACTS,
        }
    }

    /// A short stable key (used in `/?auth_error=…&missing=` and in JSON).
    pub(crate) fn key(self) -> &'static str {
        match self {
            Self::Events => "events",
            Self::Availability => "availability",
            Self::Settings => "settings",
            Self::Calendars => "calendars",
            Self::Contacts => "contacts",
            Self::OtherContacts => "other_contacts",
        }
    }

    /// The permission for a key, if it is one.
    pub(crate) fn from_key(key: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .chain(Self::CONTACTS)
            .find(|p| p.key() == key)
    }

    /// The optional permissions "allow contacts" asks for.
    pub(crate) const CONTACTS: [Permission; 2] = [Permission::Contacts, Permission::OtherContacts];

    /// The key of the words that say what it allows (in the service's tables, in each
    /// language: "see when you are free or busy").
    pub(crate) fn words(self) -> &'static str {
        match self {
            Self::Events => "permission_events",
            Self::Availability => "permission_availability",
            Self::Settings => "permission_settings",
            Self::Calendars => "permission_calendars",
            Self::Contacts => "permission_contacts",
            Self::OtherContacts => "permission_other_contacts",
        }
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// A Calendar API method and the scopes Google accepts for it.
#[derive(Debug, PartialEq, Eq)]
pub struct Method {
    /// Google's name for it, e.g. `events.list` (for logs and errors).
    pub(crate) name: &'static str,
    /// Any one of these scopes authorises the call.
    pub(crate) accepts: &'static [&'static str],
    /// The permission that consent grants for it.
    pub(crate) permission: Permission,
}

impl Method {
    /// Whether the call changes the calendar (so a 5xx may have done it).
    pub(crate) fn writes(&self) -> bool {
        std::ptr::eq(self.accepts, EVENTS_WRITE)
    }
}

const EVENTS_READ: &[&str] = &[FULL, FULL_READONLY, EVENTS, EVENTS_READONLY];
const EVENTS_WRITE: &[&str] = &[FULL, EVENTS];

/// One `Method` constant per line: its Google name, the scopes that authorise it, the
/// permission consent grants for it.
macro_rules! methods {
    ($($konst:ident = $name:literal, $accepts:expr, $permission:ident;)*) => {
        $(
            #[doc = concat!("`", $name, "`.")]
            pub(crate) const $konst: Method =
                Method { name: $name, accepts: $accepts, permission: Permission::$permission };
        )*
    };
}

methods! {
    EVENTS_LIST = "events.list", EVENTS_READ, Events;
    EVENTS_GET = "events.get", EVENTS_READ, Events;
    EVENTS_INSERT = "events.insert", EVENTS_WRITE, Events;
    EVENTS_UPDATE = "events.update", EVENTS_WRITE, Events;
    EVENTS_PATCH = "events.patch", EVENTS_WRITE, Events;
    EVENTS_DELETE = "events.delete", EVENTS_WRITE, Events;
    EVENTS_INSTANCES = "events.instances", EVENTS_READ, Events;
    EVENTS_WATCH = "events.watch", EVENTS_READ, Events;
    CHANNELS_STOP = "channels.stop", EVENTS_READ, Events;
    FREEBUSY_QUERY = "freebusy.query", &[FULL, FULL_READONLY, FREEBUSY, OWN_FREEBUSY], Availability;
    SETTINGS_GET = "settings.get", &[FULL, FULL_READONLY, SETTINGS], Settings;
    CALENDAR_LIST_LIST = "calendarList.list",
        &[FULL, FULL_READONLY, CALENDAR_LIST_RW, CALENDAR_LIST], Calendars;
    PEOPLE_SEARCH = "people.searchContacts",
        &["https://www.googleapis.com/auth/contacts", CONTACTS], Contacts;
    OTHER_CONTACTS_SEARCH = "otherContacts.search", &[OTHER_CONTACTS], OtherContacts;
}

/// The space-separated scopes consent asks for at sign-in.
pub fn sign_in_scopes() -> String {
    std::iter::once(OPENID)
        .chain(std::iter::once(EMAIL))
        .chain(Permission::ALL.iter().map(|p| p.scope()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Sign-in's scopes plus the contacts ones, for the "allow contacts" consent (with
/// `include_granted_scopes`, the new grant keeps everything allowed before).
pub(crate) fn contacts_scopes() -> String {
    let mut all = sign_in_scopes();
    for p in Permission::CONTACTS {
        all.push(' ');
        all.push_str(p.scope());
    }
    all
}

/// The scopes Google says a grant has (`scope` of a token answer, space-separated). Empty means
/// unknown: a grant stored without them is checked by Google alone.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Granted(String);

impl Granted {
    /// Wraps Google's `scope` text.
    pub(crate) fn new(scope: impl Into<String>) -> Self {
        Self(scope.into())
    }

    /// The text as Google gave it (what the store keeps).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether nothing is known about this grant's scopes.
    pub(crate) fn is_unknown(&self) -> bool {
        self.0.trim().is_empty()
    }

    fn has(&self, scope: &str) -> bool {
        self.0.split_ascii_whitespace().any(|s| s == scope)
    }

    /// Whether a call to `method` can succeed with this grant (true when unknown).
    pub(crate) fn allows(&self, method: &Method) -> bool {
        self.is_unknown() || method.accepts.iter().any(|s| self.has(s))
    }

    /// Whether the user allowed contacts: both searches are covered (never when unknown: an
    /// optional tool is offered only when it is known to work).
    pub(crate) fn allows_contacts(&self) -> bool {
        !self.is_unknown()
            && [&PEOPLE_SEARCH, &OTHER_CONTACTS_SEARCH]
                .into_iter()
                .all(|m| self.allows(m))
    }

    /// The sign-in permissions this grant lacks (none when unknown).
    pub(crate) fn missing(&self) -> Vec<Permission> {
        if self.is_unknown() {
            return Vec::new();
        }
        let methods = [
            &EVENTS_INSERT,
            &FREEBUSY_QUERY,
            &SETTINGS_GET,
            &CALENDAR_LIST_LIST,
        ];
        methods
            .into_iter()
            .filter(|m| !self.allows(m))
            .map(|m| m.permission)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_in_asks_for_each_methods_narrowest_scope() {
        let asked = sign_in_scopes();
        let granted = Granted::new(asked.clone());
        for method in [
            &EVENTS_LIST,
            &EVENTS_GET,
            &EVENTS_INSERT,
            &EVENTS_UPDATE,
            &EVENTS_PATCH,
            &EVENTS_DELETE,
            &FREEBUSY_QUERY,
            &SETTINGS_GET,
            &CALENDAR_LIST_LIST,
        ] {
            assert!(granted.allows(method), "{}", method.name);
        }
        assert!(granted.missing().is_empty());
        // Never the whole calendar.
        assert!(!asked.split(' ').any(|s| s == FULL || s == FULL_READONLY));
    }

    #[test]
    fn the_events_scope_alone_covers_neither_freebusy_nor_settings() {
        let old = Granted::new(format!(
            "openid {EVENTS} https://www.googleapis.com/auth/userinfo.email"
        ));
        assert!(old.allows(&EVENTS_LIST));
        assert!(!old.allows(&FREEBUSY_QUERY));
        assert!(!old.allows(&SETTINGS_GET));
        assert_eq!(
            old.missing(),
            [
                Permission::Availability,
                Permission::Settings,
                Permission::Calendars
            ]
        );
    }

    #[test]
    fn the_full_calendar_scope_allows_everything_and_unknown_grants_are_left_to_google() {
        assert!(Granted::new(FULL).missing().is_empty());
        assert!(Granted::default().allows(&SETTINGS_GET));
        assert!(Granted::default().missing().is_empty());
    }

    #[test]
    fn contacts_are_allowed_only_with_both_scopes() {
        assert!(!Granted::new(sign_in_scopes()).allows_contacts());
        assert!(Granted::new(contacts_scopes()).allows_contacts());
        assert!(!Granted::new(format!("{} {CONTACTS}", sign_in_scopes())).allows_contacts());
        assert!(!Granted::default().allows_contacts());
        // And allowing them is not required to use the calendar.
        assert!(Granted::new(sign_in_scopes()).missing().is_empty());
    }

    #[test]
    fn keys_round_trip() {
        for p in Permission::ALL.into_iter().chain(Permission::CONTACTS) {
            assert_eq!(Permission::from_key(p.key()), Some(p));
        }
        assert_eq!(Permission::from_key("<script>"), None);
    }
}
