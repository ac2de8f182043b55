//! The calendar tools Anam calls. Each tool is one file here holding its whole declaration
//! ([`Tool`]) and its answer: the router, the persona and the docs are all built from
//! [`TOOLS`], and every call runs through one generic handler ([`shared::handler::handle`]).
//! What the tools share (the declaration, the handler, the argument readers, sending once,
//! availability, the change plan) is in [`shared`]. Adding a tool is one new file and one line
//! here.

pub(crate) mod apply_change;
pub(crate) mod block_time;
pub(crate) mod create_meeting;
pub(crate) mod draft_meeting;
pub(crate) mod find_free_time;
pub(crate) mod get_contacts;
pub(crate) mod list_events;
pub(crate) mod propose_change;
pub(crate) mod respond_to_invite;
pub(crate) mod shared;

use axum::routing::post;
use axum::{Extension, Router};

pub use crate::http::verified_user::UrlLife;
pub(crate) use shared::tool::{Call, Offered, Tool, Work};

use crate::config::Config;
use crate::state::AppState;

/// Every tool, in the order the persona offers them.
pub(crate) const TOOLS: &[&Tool] = &[
    &list_events::TOOL,
    &find_free_time::TOOL,
    &block_time::TOOL,
    &propose_change::TOOL,
    &apply_change::TOOL,
    &respond_to_invite::TOOL,
    &get_contacts::TOOL,
    &draft_meeting::TOOL,
    &create_meeting::TOOL,
];

/// The tool served at `route`.
pub fn by_route(route: &str) -> Option<&'static Tool> {
    TOOLS.iter().copied().find(|t| t.route == route)
}

/// How long the URL of the tool at `route` lives, in seconds (an unknown route: a session's).
pub(crate) fn url_life_of(route: &str, config: &Config) -> u64 {
    by_route(route)
        .map_or(UrlLife::Session, |t| t.url_life)
        .seconds(config)
}

/// Every tool's route, each served by the generic handler with its own URL life.
pub(crate) fn router() -> Router<AppState> {
    TOOLS
        .iter()
        .copied()
        .fold(Router::new(), |router, tool: &'static Tool| {
            let serve =
                post(move |state, user, args| shared::handler::handle(tool, state, user, args));
            router.route(tool.route, serve.layer(Extension(tool.url_life)))
        })
}

/// Helpers for the tools' unit tests.
#[cfg(test)]
pub(crate) mod test_support {
    use serde::de::DeserializeOwned;
    use serde_json::Value;

    use crate::error::{Error, Input, Result};

    /// A JSON object literal read as a tool's arguments.
    pub(crate) fn parsed<T: DeserializeOwned>(v: Value) -> Result<T> {
        super::shared::args::read(v.as_object().expect("an object"))
    }

    /// A meeting draft Ada made in session 1000: Kickoff with Sam, 5 March 2030, 10:00 UTC.
    pub(crate) fn sample_draft() -> crate::store::Draft {
        crate::store::Draft {
            id: "K7M4QX".into(),
            kind: crate::store::Kind::Meeting,
            user_id: "ada@example.com".into(),
            session: 1_000,
            payload: serde_json::json!({"title": "Kickoff", "start": "2030-03-05T10:00:00Z",
                "end": "2030-03-05T11:00:00Z", "timezone": "UTC", "attendees": ["sam@example.com"],
                "notes": null, "video_call": true})
            .to_string(),
            created_at: 1_000,
            expires_at: 1_900,
            used_at: None,
            event_id: None,
            answer: None,
        }
    }

    /// The argument a 400 names (panics on anything else).
    pub(crate) fn argument_of(result: Result<impl std::fmt::Debug>) -> String {
        match result {
            Err(Error::Input(Input::InvalidArgument { argument, .. })) => argument.into_owned(),
            other => panic!("expected a 400, got {other:?}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn every_tools_schema_types_and_describes_each_argument() {
        for tool in TOOLS {
            let schema = (tool.parameters)();
            let properties = schema["properties"].as_object().expect("properties");
            assert!(
                !properties.is_empty() || tool.name == "list_events",
                "{}",
                tool.name
            );
            for (name, property) in properties {
                assert!(
                    property["type"].is_string(),
                    "{}.{name} has a type",
                    tool.name
                );
                let described = property["description"].as_str().unwrap_or_default();
                assert!(described.len() > 3, "{}.{name} is described", tool.name);
            }
            for required in schema["required"].as_array().expect("required") {
                let required = required.as_str().unwrap_or_default();
                assert!(
                    properties.contains_key(required),
                    "{}: {required}",
                    tool.name
                );
            }
            assert!(
                (1..=1024).contains(&tool.description.len()),
                "{}: Anam takes 1-1024 characters",
                tool.name
            );
            assert!(tool.when_to_use.contains(tool.name), "{}", tool.name);
        }
    }

    #[test]
    fn names_and_routes_are_unique() {
        let names: BTreeSet<_> = TOOLS.iter().map(|t| t.name).collect();
        let routes: BTreeSet<_> = TOOLS.iter().map(|t| t.route).collect();
        assert_eq!(names.len(), TOOLS.len());
        assert_eq!(routes.len(), TOOLS.len());
    }

    /// The backticked names of a docs table cell outside parentheses (inside them are values
    /// and notes).
    fn arguments_named(cell: &str) -> BTreeSet<String> {
        let mut depth = 0;
        let mut outside = String::new();
        for c in cell.chars() {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                _ if depth == 0 => outside.push(c),
                _ => {}
            }
        }
        outside
            .split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_owned)
            .collect()
    }

    /// The docs say what the code serves: docs/api.md's tool table names every tool in order,
    /// its route table gives each tool's route, and the README's opening names each one.
    #[test]
    fn the_docs_list_every_tool_and_its_route() {
        let api = include_str!("../../docs/api.md");
        let table = api.split("## The tools").nth(1).expect("a tools section");
        let documented: Vec<&str> = table
            .lines()
            .filter_map(|l| l.strip_prefix("| `"))
            .filter_map(|l| l.split('`').next())
            .collect();
        let names: Vec<&str> = TOOLS.iter().map(|t| t.name).collect();
        assert_eq!(documented, names, "docs/api.md's tool table");
        // Its arguments column names each tool's arguments as its schema does (`name?` when
        // not required), nothing else.
        for (tool, row) in TOOLS
            .iter()
            .zip(table.lines().filter(|l| l.starts_with("| `")))
        {
            let cell = row.split(" | ").nth(1).unwrap_or_default();
            let schema = (tool.parameters)();
            let required: BTreeSet<String> = schema["required"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|r| r.as_str().map(str::to_owned))
                .collect();
            let declared: BTreeSet<String> = schema["properties"]
                .as_object()
                .into_iter()
                .flat_map(|p| p.keys())
                .map(|k| {
                    if required.contains(k) {
                        k.clone()
                    } else {
                        format!("{k}?")
                    }
                })
                .collect();
            assert_eq!(
                arguments_named(cell),
                declared,
                "docs/api.md: {}",
                tool.name
            );
        }
        for tool in TOOLS {
            let row = format!("| `POST {}` |", tool.route);
            let line = api.lines().find(|l| l.starts_with(&row));
            assert!(
                line.is_some_and(|l| l.contains(&format!("tool `{}`", tool.name))),
                "docs/api.md's routes: {row} serves tool `{}`",
                tool.name
            );
        }
        let readme = include_str!("../../README.md");
        let opening = readme.split("## ").next().unwrap_or_default();
        for tool in TOOLS {
            assert!(
                opening.contains(&format!("`{}`", tool.name)),
                "README names {}",
                tool.name
            );
        }
    }
}
