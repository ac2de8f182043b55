//! The calendar domain, at the bottom of the service: times and zones, windows, intervals and
//! the free-slot search, working hours, where the user works each day, events, who organizes them and the agent's mark on
//! them, and changes to recurring series. Pure: it imports nothing from the routes, the tools,
//! the state or the Google clients, so each piece is tested on its own.

mod availability;
mod events;
mod offers;
pub mod series;
mod slots;
mod time;
mod working_hours;
mod working_location;

pub(crate) use availability::{Availability, is_email};
pub(crate) use events::{
    CalendarRef, Listed, Owners, Page, UserContext, can_change, guests_told, is_tagged,
    merge_listed, merge_pages, my_response, organised_by_user, organised_here, tag,
};
pub use offers::offered_slots;
pub use slots::{Interval, MAX_SLOTS, gaps};
pub use time::Window;
pub use time::Zone;
pub(crate) use time::{
    DateMeans, MAX_WINDOW_DAYS, TimeText, days_from, edge, event_time, from_chrono, to_chrono,
};
pub use working_hours::WorkingHours;
pub(crate) use working_location::{DayPlace, Place, by_day as working_locations};

/// A value the domain cannot take, named by the tool argument it came from, with the key of the
/// sentence that says why (the service's tables hold it in each language) and its values.
/// Becomes a 400 at the edge.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid argument {argument}: {key}")]
pub struct Invalid {
    /// The argument's name as the tool schema spells it.
    pub(crate) argument: &'static str,
    /// Which sentence says why.
    pub(crate) key: &'static str,
    /// The values it names (the argument's own name among them).
    pub(crate) vars: Vec<(&'static str, String)>,
}

impl Invalid {
    /// `argument` is wrong as the sentence `key` says, naming the argument.
    pub(crate) fn new(argument: &'static str, key: &'static str) -> Self {
        Self {
            argument,
            key,
            vars: vec![("argument", argument.to_owned())],
        }
    }

    /// With the value `name` of the sentence.
    pub(crate) fn var(mut self, name: &'static str, value: impl std::fmt::Display) -> Self {
        self.vars.push((name, value.to_string()));
        self
    }
}

/// Shorthand for results whose error is [`Invalid`].
pub(crate) type Result<T, E = Invalid> = std::result::Result<T, E>;
