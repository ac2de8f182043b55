//! What a tool is: one declaration holds everything the router, the persona and the docs need
//! (name, route, description, the one line the system prompt lists, its URL life, when it is
//! offered, its parameter schema, derived from the struct its arguments are read into), its
//! argument reader and its run function. The generic handler in [`super::handler`] does the
//! rest.

use std::time::Duration;

use crate::error::{Action, Result};
use crate::google::accounts::AccountAccess;
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
    /// The Google access writes go through: the primary account's, unless the call chose
    /// another ([`Call::use_account`]). The time all accounts spent is what the log line reports.
    pub google: UserCalendar,
    /// The address of the account `google` is.
    pub account: String,
    /// The person's other Google accounts, in order.
    pub others: Vec<AccountAccess>,
}

impl Call {
    /// Whether the person has several Google accounts (answers then name the account).
    pub(crate) fn several(&self) -> bool {
        !self.others.is_empty()
    }

    /// Every account, the one in use first: what a read across accounts goes through.
    pub(crate) fn all_accounts(&mut self) -> Vec<(&str, &mut UserCalendar)> {
        std::iter::once((self.account.as_str(), &mut self.google))
            .chain(
                self.others
                    .iter_mut()
                    .map(|a| (a.email.as_str(), &mut a.google)),
            )
            .collect()
    }

    /// Makes the account `email` (one of the person's) the one writes go through; 404
    /// `account_not_found` for any other address.
    pub(crate) fn use_account(&mut self, email: &str) -> Result<()> {
        if self.account.eq_ignore_ascii_case(email) {
            return Ok(());
        }
        let at = self
            .others
            .iter()
            .position(|a| a.email.eq_ignore_ascii_case(email))
            .ok_or(Action::AccountUnknown)?;
        let other = &mut self.others[at];
        std::mem::swap(&mut self.google, &mut other.google);
        std::mem::swap(&mut self.account, &mut other.email);
        Ok(())
    }

    /// With several accounts, makes the account whose calendars hold the event `id` the one
    /// writes go through (every account asked at once: on its primary calendar, or with
    /// `everywhere` on each calendar it shows; the primary account wins a tie). Nothing
    /// changes when no account has it: the tool's own read then says so.
    pub(crate) async fn use_account_of(&mut self, id: &str, everywhere: bool) -> Result<()> {
        if !self.several() {
            return Ok(());
        }
        let looks = self
            .all_accounts()
            .into_iter()
            .map(|(email, google)| async move {
                let calendars = if everywhere {
                    google.context().await?.calendar_ids()
                } else {
                    vec![crate::google::calendar::PRIMARY.to_owned()]
                };
                for calendar in calendars {
                    let event = google.event(&calendar, id).await?;
                    if event.is_some_and(|e| e.status.as_deref() != Some("cancelled")) {
                        return Ok::<_, crate::error::Error>(Some(email.to_owned()));
                    }
                }
                Ok(None)
            });
        let found = futures_util::future::join_all(looks).await;
        let holder = found.into_iter().find_map(|f| match f {
            Ok(holder) => holder,
            Err(e) => {
                tracing::info!(error = %e, "one account could not be searched for the event");
                None
            }
        });
        match holder {
            Some(email) => self.use_account(&email),
            None => Ok(()),
        }
    }

    /// Time spent waiting on Google, every account's.
    pub(crate) fn google_time(&self) -> Duration {
        self.others
            .iter()
            .fold(self.google.google_time, |sum, a| sum + a.google.google_time)
    }
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

/// The access of the account `email` among `in_use` (whose address is `account`) and `others`,
/// for code that holds the call's other fields at the same time; 404 `account_not_found` for
/// an address that is not the person's.
pub(crate) fn account_in<'a>(
    in_use: &'a mut UserCalendar,
    account: &str,
    others: &'a mut [AccountAccess],
    email: &str,
) -> Result<(&'a mut UserCalendar, String)> {
    if account.eq_ignore_ascii_case(email) {
        return Ok((in_use, account.to_owned()));
    }
    let other = others
        .iter_mut()
        .find(|a| a.email.eq_ignore_ascii_case(email))
        .ok_or(Action::AccountUnknown)?;
    Ok((&mut other.google, other.email.clone()))
}
