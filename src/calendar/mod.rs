//! The calendar domain, at the bottom of the service: times and zones, windows, intervals and
//! the free-slot search, working hours, events and the agent's mark on them, and the
//! projections to the compact shapes the model reads. Pure: it imports nothing from the
//! routes, the tools, the state or the Google clients, so each piece is tested on its own.

mod answers;
mod availability;
mod events;
mod slots;
mod time;
mod working_hours;

pub use answers::{MAX_ATTENDEES, blocked, edge, event_list, page_event, slots, tool_event};
pub use availability::{Availability, is_email};
pub use events::{
    CalendarRef, KEY as AGENT_KEY, Listed, Page, UserContext, VALUE as AGENT_VALUE, guests_told,
    is_tagged, made_by_agent_for_user, merge_pages, my_response, organised_by_user, send_updates,
    tag,
};
pub use slots::{Interval, MAX_SLOTS, free_slots, free_slots_within, merge};
pub use time::{
    DateMeans, MAX_WINDOW_DAYS, TimeText, Window, Zone, days_from, event_time, from_chrono,
    parse_time, to_chrono,
};
pub use working_hours::WorkingHours;

/// A value the domain cannot take, named by the tool argument it came from, with a sentence the
/// avatar can say. Becomes a 400 at the edge.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid argument {argument}: {message}")]
pub struct Invalid {
    /// The argument's name as the tool schema spells it.
    pub argument: &'static str,
    /// A sentence the avatar can say.
    pub message: String,
}

/// Shorthand for results whose error is [`Invalid`].
pub type Result<T, E = Invalid> = std::result::Result<T, E>;
