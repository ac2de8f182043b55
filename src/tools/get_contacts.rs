//! `get_contacts`: people the user knows, by name or part of an address, from their contacts and
//! the people they have emailed. Offered only when the user allowed contacts.

use serde_json::{Value, json};

use schemars::JsonSchema;
use serde::Deserialize;

use super::shared::args::{self, Text};
use super::{Call, Offered, Tool, UrlLife, Work};
use crate::error::Result;
use crate::google::people::{Found, PeopleClient, merge};
use crate::google::user_calendar::UserCalendar;
use crate::messages;
use crate::state::AppState;

/// The route.
pub(crate) const ROUTE: &str = "/api/contacts/search";

/// The declaration.
pub(crate) const TOOL: Tool = Tool {
    name: "get_contacts",
    route: ROUTE,
    description: "Find people the user knows by name or part of their email address, in their \
                  contacts and among people they have emailed. Use it to turn a name into an \
                  address before finding time or drafting a meeting. If several people match, \
                  ask which one; never guess.",
    parameters: args::schema::<ContactsArgs>,
    when_to_use: "Turning a name into an address: get_contacts. If it finds several people, \
                  ask which one; if it finds none, ask the user to spell the address.",
    offered: Offered::WithContacts,
    url_life: UrlLife::Session,
    prepare: |given, _| {
        let parsed: ContactsArgs = args::read(given)?;
        Ok(Work::new(parsed.query.0, |call, query| {
            Box::pin(run(call, query))
        }))
    },
};

/// `get_contacts`'s arguments (the model's schema is derived from them).
#[derive(Debug, Deserialize, JsonSchema)]
struct ContactsArgs {
    /// A name or part of an email address, such as Sam or sam@
    query: Text<100>,
}

/// At most this many people are given back.
pub(crate) const MAX_CONTACTS: usize = 10;
/// Both searches for `query`, at once.
async fn search(
    people: &PeopleClient,
    google: &mut UserCalendar,
    query: &str,
) -> Result<Vec<Found>> {
    let (contacts, others) = google.search_people(people, query).await?;
    Ok(merge(contacts.into_iter().chain(others), MAX_CONTACTS))
}

/// The People API asks for a search with an empty query before the first real one, to fill
/// its cache: once per user per [`crate::google::people::WARMUP_TTL`].
async fn warm_up(state: &AppState, google: &mut UserCalendar) -> Result<()> {
    let user_id = google.user_id().to_owned();
    if !state.contacts_warmups.needed(&user_id) {
        return Ok(());
    }
    search(&state.people, google, "").await?;
    state.contacts_warmups.done(&user_id);
    Ok(())
}

/// Warms `user_id`'s searches up without anyone waiting (at Start, while the avatar connects).
pub(crate) fn warm_up_in_background(state: &AppState, user_id: &str) {
    if !state.contacts_warmups.needed(user_id) {
        return;
    }
    let (state, user_id) = (state.clone(), user_id.to_owned());
    state.clone().background.spawn(async move {
        let mut google = state.google_for(&user_id);
        if let Err(e) = warm_up(&state, &mut google).await {
            tracing::info!(user_id, error = %e, "contact search warm-up failed; the first search will do it");
        }
    });
}

async fn run(call: &mut Call, query: String) -> Result<Value> {
    let (state, google) = (&call.state, &mut call.google);
    warm_up(state, google).await?;
    let found = search(&state.people, google, &query).await?;
    let mut out = json!({
        "contacts": found
            .iter()
            .map(|f| json!({"name": f.name, "email": f.email}))
            .collect::<Vec<_>>(),
        "count": found.len(),
    });
    if found.is_empty() {
        out["message"] = json!(messages::say(
            call.user.language,
            messages::CONTACTS_NONE_FOUND,
            &[("query", query)],
        ));
    }
    Ok(out)
}
