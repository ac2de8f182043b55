//! calendar-agent: talk to an Anam AI avatar about your own Google Calendar.
//!
//! Data flows one way: route → extractor → domain → Google client → projection for the LLM.
//! Items are `pub(crate)` unless the binary, the tests, the benches or the examples use them.

#![warn(unreachable_pub)]

pub(crate) mod anam;
pub mod background;
pub mod calendar;
pub mod cli;
pub mod clock;
pub mod config;
pub mod cookies;
pub mod error;
pub mod google;
pub mod guest_emails;
pub mod http;
pub mod language;
pub mod live;
pub(crate) mod log_budget;
pub(crate) mod log_safe;
pub(crate) mod messages;
pub(crate) mod metrics;
pub mod persona;
pub mod presign;
pub(crate) mod rate_limit;
pub(crate) mod recent;
pub mod routes;
pub mod scopes;
pub mod secret;
pub mod server;
pub mod state;
pub mod store;
pub(crate) mod tasks;
pub mod telemetry;
pub mod token_cipher;
pub mod tools;

pub use config::Config;
pub use error::{Error, Result};
pub use routes::app;
pub use state::AppState;
