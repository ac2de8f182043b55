//! The calendar tools Anam calls. Each tool is declared once, in a file of its own: name,
//! route, description, parameter schema and handler. The router and the persona are both built
//! from [`TOOLS`], so adding a tool is one new file and one line here.
//!
//! Every handler follows DESIGN.md §4: verified user → typed arguments (400 before any Google
//! call) → Google within the time budget → a compact answer the model reads.

pub mod answers;
pub mod args;
pub mod block_time;
pub mod cancel_hold;
pub mod find_free_time;
pub mod free_slots;
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

use crate::state::AppState;

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
}

/// Every tool, in the order the persona offers them.
pub const TOOLS: &[&Tool] = &[
    &list_events::TOOL,
    &find_free_time::TOOL,
    &block_time::TOOL,
    &move_hold::TOOL,
    &cancel_hold::TOOL,
    &respond_to_invite::TOOL,
];

/// The tool called `name`.
pub fn by_name(name: &str) -> Option<&'static Tool> {
    TOOLS.iter().copied().find(|t| t.name == name)
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
