//! The tool webhooks, one module per tool (or per pair that works together): the real router
//! on a loopback port, the stand-in Google behind it.

mod audit;
mod auth;
mod block_time;
mod calendars;
mod changes;
mod find_free_time;
mod list_events;
mod meetings;
mod series;
mod series_cases;
