//! What a tool is: one declaration holds everything the router, the persona and the docs need
//! (name, route, description, the one line the system prompt lists, its URL life, when it is
//! offered, its parameter schema, derived from the struct its arguments are read into), its
//! argument reader and its run function. The generic handler in [`super::handler`] does the
//! rest.

use crate::error::Result;
use crate::google::user_calendar::UserCalendar;
use crate::http::verified_user::{UrlLife, VerifiedUser};
use crate::state::AppState;
use futures_util::future::BoxFuture;
use serde_json::{Map, Value};

/// When the persona offers a tool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Offered {
    /// In every session.
    Always,
    /// Only when the user has allowed contact search.
    WithContacts,
}

/// One tool.
pub struct Tool {
    /// The name the model calls it by.
    pub name: &'static str,
    /// The route its webhook is served at (and signed for).
    pub route: &'static str,
    /// What it does and when to use it, for the model (Anam allows 1–1024 characters).
    pub description: &'static str,
    /// The one line the system prompt lists for it: when to use it, and what to read back
    /// first.
    pub when_to_use: &'static str,
    /// When it is offered.
    pub offered: Offered,
    /// How long its URL lives after Start.
    pub url_life: UrlLife,
    /// Its JSON Schema parameters: [`super::args::schema`] of its arguments' struct.
    pub parameters: fn() -> Value,
    /// Reads the arguments into their struct (400 before anything else) and returns the work.
    pub prepare: fn(&Map<String, Value>, &VerifiedUser) -> Result<Work>,
}

/// What one call runs with: the state, the verified user, and their Google access.
pub struct Call {
    /// The application state.
    pub state: AppState,
    /// Who the URL was signed for.
    pub user: VerifiedUser,
    /// Their Google access; its time spent is what the log line reports.
    pub google: UserCalendar,
}

/// A tool's run function: the parsed arguments, then the call.
pub(crate) type Run<A> = for<'c> fn(&'c mut Call, A) -> BoxFuture<'c, Result<Value>>;

/// The work a call does once its arguments are read.
pub struct Work(Box<dyn Runs>);

/// A run function with its arguments bound.
trait Runs: for<'c> FnOnce(&'c mut Call) -> BoxFuture<'c, Result<Value>> + Send {}

impl<F> Runs for F where F: for<'c> FnOnce(&'c mut Call) -> BoxFuture<'c, Result<Value>> + Send {}

impl Work {
    /// `run` with the parsed `args`.
    pub fn new<A: Send + 'static>(args: A, run: Run<A>) -> Self {
        Self(Box::new(move |call| run(call, args)))
    }

    /// Runs it.
    pub fn run(self, call: &mut Call) -> BoxFuture<'_, Result<Value>> {
        (self.0)(call)
    }
}
