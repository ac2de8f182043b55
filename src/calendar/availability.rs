//! Who is busy when, as one `freebusy.query` answers it for the user's calendars and the people
//! they meet: an attendee whose calendar Google cannot answer for (no shared free/busy,
//! unknown, another company's) is *unknown*, never free.

use std::collections::HashMap;

use super::Interval;

/// Busy time, by whom.
#[derive(Debug, Default)]
pub(crate) struct Availability {
    /// The user's busy time over all their selected calendars.
    pub(crate) user: Vec<Interval>,
    /// Each attendee whose availability Google gave, with their busy time.
    pub(crate) attendees: HashMap<String, Vec<Interval>>,
    /// Attendees whose availability is unknown, in the order asked.
    pub(crate) unknown: Vec<String>,
}

impl Availability {
    /// Everyone's known busy time together.
    pub(crate) fn all_busy(&self) -> Vec<Interval> {
        self.user
            .iter()
            .chain(self.attendees.values().flatten())
            .copied()
            .collect()
    }
}

/// A plausible email address: one `@`, something on each side, a dot in the domain, no
/// spaces or angle brackets (so `Sam <sam@example.com>` is refused, not half-read).
pub(crate) fn is_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && text.len() <= 254
        && !domain.contains('@')
        && text
            .chars()
            .all(|c| c.is_ascii_graphic() && !matches!(c, '<' | '>' | ',' | ';' | '"' | '(' | ')'))
}
