//! The live page: changes to a user's calendars, from Google's push notifications or from this
//! service, delivered to their open pages as Server-Sent Events, on whichever instance the page
//! is connected to.

pub(crate) mod relay;
pub(crate) mod sync;
pub mod watch;
