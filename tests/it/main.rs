//! Every integration test, in one binary: the real router (or the built binary) on loopback,
//! wiremock standing in for Google and Anam, PostgreSQL and Chromium for real where a test says
//! so. One binary links the service once.
//!
//! Tests that need PostgreSQL or Chromium are `#[ignore]`d with the reason, so a plain
//! `cargo test` says how many it left out; `cargo test -- --include-ignored` runs them (CI does,
//! after starting a throwaway PostgreSQL and installing Chromium).

#[macro_use]
mod common;

mod accounts;
mod anam_cli;
mod architecture;
mod background;
mod browser;
mod capacity;
mod clocks;
mod crash_recovery;
mod deploy;
mod env_example;
mod faults;
mod forgery;
mod google_scopes;
mod guarantees;
mod instances;
mod live;
mod log_format;
mod log_hygiene;
mod operations;
mod page;
mod page_js;
mod postgres_outage;
mod relay;
mod rollback;
mod service;
mod session_token;
mod sign_in;
mod sign_out;
mod store;
mod token_store;
mod tools;
