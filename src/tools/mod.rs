//! The calendar tools Anam calls. Each tool is declared once, in a file of its own: name,
//! route, description, parameter schema and handler. The router and the persona are both built
//! from [`TOOLS`], so adding a tool is one new file and one line here.
//!
//! Every handler follows DESIGN.md §4: verified user → typed arguments (400 before any Google
//! call) → Google within the time budget → a compact answer the model reads.

pub mod answers;
pub mod args;
pub mod availability;
pub mod block_time;
pub mod cancel_hold;
pub mod create_meeting;
pub mod draft_meeting;
pub mod find_free_time;
pub mod free_slots;
pub mod get_contacts;
pub mod list_events;
pub mod made_by_agent;
pub mod move_hold;
pub mod respond_to_invite;
pub mod run;
pub mod time;
pub mod working_hours;

use axum::Router;
use axum::routing::MethodRouter;
use serde_json::Value;

use crate::config::Config;
use crate::state::AppState;

/// When the persona offers a tool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Offered {
    /// In every session.
    Always,
    /// Only when the user has allowed contact search.
    WithContacts,
}

/// How long a tool's presigned URL lives after Start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UrlLife {
    /// `TOOL_URL_TTL_SECONDS`, like the session.
    Session,
    /// `MEETING_URL_TTL_SECONDS`: sending invitations as the user gets a shorter window.
    Meeting,
}

impl UrlLife {
    /// In seconds, from the configuration.
    pub fn seconds(self, config: &Config) -> u64 {
        match self {
            Self::Session => config.tool_url_ttl_seconds,
            Self::Meeting => config.meeting_url_ttl_seconds,
        }
    }
}

/// One tool: everything the persona and the router need to know about it.
pub struct Tool {
    /// The name the model calls it by.
    pub name: &'static str,
    /// The route its webhook is served at (and signed for).
    pub route: &'static str,
    /// When the model should use it (Anam allows 1–1024 characters).
    pub description: &'static str,
    /// Its JSON Schema parameters.
    pub parameters: fn() -> Value,
    /// Its handler, as a method router.
    pub handler: fn() -> MethodRouter<AppState>,
    /// When it is offered.
    pub offered: Offered,
    /// How long its URL lives.
    pub url_life: UrlLife,
}

/// Every tool, in the order the persona offers them.
pub const TOOLS: &[&Tool] = &[
    &list_events::TOOL,
    &find_free_time::TOOL,
    &block_time::TOOL,
    &move_hold::TOOL,
    &cancel_hold::TOOL,
    &respond_to_invite::TOOL,
    &get_contacts::TOOL,
    &draft_meeting::TOOL,
    &create_meeting::TOOL,
];

/// The tool called `name`.
pub fn by_name(name: &str) -> Option<&'static Tool> {
    TOOLS.iter().copied().find(|t| t.name == name)
}

/// The tool served at `route`.
pub fn by_route(route: &str) -> Option<&'static Tool> {
    TOOLS.iter().copied().find(|t| t.route == route)
}

/// How long the URL of the tool at `route` lives, in seconds (an unknown route: a session's).
pub fn url_life_of(route: &str, config: &Config) -> u64 {
    by_route(route)
        .map_or(UrlLife::Session, |t| t.url_life)
        .seconds(config)
}

/// Every tool's route.
pub fn router() -> Router<AppState> {
    TOOLS.iter().fold(Router::new(), |router, tool| {
        router.route(tool.route, (tool.handler)())
    })
}

/// Helpers for the tools' unit tests.
#[cfg(test)]
pub(crate) mod test_support {
    use serde_json::{Map, Value};

    use crate::error::{Error, Result};

    /// A JSON object literal as a tool's arguments.
    pub fn map(v: Value) -> Map<String, Value> {
        v.as_object().cloned().expect("object")
    }

    /// The argument a 400 names (panics on anything else).
    pub fn argument_of(result: Result<impl std::fmt::Debug>) -> &'static str {
        match result {
            Err(Error::InvalidArgument { argument, .. }) => argument,
            other => panic!("expected a 400, got {other:?}"),
        }
    }
}
