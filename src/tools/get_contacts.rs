//! `get_contacts`: people the user knows, by name or part of an address, from their contacts and
//! the people they have emailed. Offered only when the user allowed contacts.

use axum::Json;
use axum::extract::State;
use axum::routing::post;
use serde_json::{Map, Value, json};

use super::run::answer;
use super::time::required_str;
use super::{Offered, Tool, UrlLife};
use crate::error::{Error, Result};
use crate::google::people::{Book, Found, merge};
use crate::google::user_calendar::UserCalendar;
use crate::state::AppState;
use crate::tool_args::ToolArgs;
use crate::webhook_auth::VerifiedUser;

/// The route.
pub const ROUTE: &str = "/api/contacts/search";

/// The declaration.
pub const TOOL: Tool = Tool {
    name: "get_contacts",
    route: ROUTE,
    description: "Find people the user knows by name or part of their email address, in their \
                  contacts and among people they have emailed. Use it to turn a name into an \
                  address before finding time or drafting a meeting. If several people match, \
                  ask which one; never guess.",
    parameters: || {
        json!({
            "type": "object",
            "properties": {
                "query": { "type": "string", "description": "A name or part of an email address, such as Sam or sam@" }
            },
            "required": ["query"]
        })
    },
    handler: || post(get_contacts),
    offered: Offered::WithContacts,
    url_life: UrlLife::Session,
};

/// At most this many people are given back.
pub const MAX_CONTACTS: usize = 10;
const MAX_QUERY_CHARS: usize = 100;

fn query(args: &Map<String, Value>) -> Result<String> {
    let query = required_str(args.get("query"), "query")?.trim().to_owned();
    if query.chars().count() > MAX_QUERY_CHARS {
        return Err(Error::InvalidArgument {
            argument: "query",
            message: format!("query must be at most {MAX_QUERY_CHARS} characters."),
        });
    }
    Ok(query)
}

const BOOKS: [Book; 2] = [Book::Contacts, Book::OtherContacts];

/// Both searches for `query`, at once.
async fn search(google: &mut UserCalendar<'_>, query: &str) -> Result<Vec<Found>> {
    let state = google.state();
    let methods = [Book::Contacts.method(), Book::OtherContacts.method()];
    let (contacts, others) = google
        .with_token(&methods, |token| async move {
            let (a, b) = tokio::join!(
                state.people.search(&token, BOOKS[0], query),
                state.people.search(&token, BOOKS[1], query)
            );
            Ok((a?, b?))
        })
        .await?;
    Ok(merge(contacts.into_iter().chain(others), MAX_CONTACTS))
}

/// The People API asks for a search with an empty query before the first real one, to fill
/// its cache: once per user per [`crate::google::people::WARMUP_TTL`].
async fn warm_up(google: &mut UserCalendar<'_>, user_id: &str) -> Result<()> {
    let state = google.state();
    if !state.contacts_warmups.needed(user_id) {
        return Ok(());
    }
    search(google, "").await?;
    state.contacts_warmups.done(user_id);
    Ok(())
}

/// Warms `user_id`'s searches up without anyone waiting (at Start, while the avatar connects).
pub fn warm_up_in_background(state: &AppState, user_id: &str) {
    if !state.contacts_warmups.needed(user_id) {
        return;
    }
    let (state, user_id) = (state.clone(), user_id.to_owned());
    tokio::spawn(async move {
        let mut google = UserCalendar::new(&state, &user_id);
        if let Err(e) = warm_up(&mut google, &user_id).await {
            tracing::info!(user_id, error = %e, "contact search warm-up failed; the first search will do it");
        }
    });
}

async fn get_contacts(
    State(state): State<AppState>,
    user: VerifiedUser,
    ToolArgs(raw): ToolArgs<Map<String, Value>>,
) -> Result<Json<Value>> {
    let query = query(&raw)?;
    answer(&state, &user, "get_contacts", async |google| {
        warm_up(google, &user.user_id).await?;
        let found = search(google, &query).await?;
        let mut out = json!({
            "contacts": found
                .iter()
                .map(|f| json!({"name": f.name, "email": f.email}))
                .collect::<Vec<_>>(),
            "count": found.len(),
        });
        if found.is_empty() {
            out["message"] = json!(format!(
                "Nobody in the user's contacts matches \"{query}\". Ask the user to spell the \
                 email address."
            ));
        }
        Ok(out)
    })
    .await
}
