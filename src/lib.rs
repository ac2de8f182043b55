//! calendar-agent: talk to an Anam AI avatar about your own Google Calendar.
//!
//! Data flows one way: route → extractor → domain → Google client → projection for the LLM.

pub mod anam;
pub mod background;
pub mod calendar;
pub mod cli;
pub mod client_ip;
pub mod clock;
pub mod config;
pub mod cookies;
pub mod current_user;
pub mod error;
pub mod google;
pub mod guest_emails;
pub mod live;
pub mod log_budget;
pub mod log_safe;
pub mod metrics;
pub mod persona;
pub mod presign;
pub mod rate_limit;
pub mod routes;
pub mod secret;
pub mod server;
pub mod sign_outs;
pub mod state;
pub mod store;
pub mod tasks;
pub mod telemetry;
pub mod token_cipher;
pub mod tools;
pub mod webhook_auth;

pub use config::Config;
pub use error::{Error, Result};
pub use routes::app;
pub use state::AppState;
