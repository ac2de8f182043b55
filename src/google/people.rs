//! Google People API, for finding people by name: the user's contacts
//! (`people:searchContacts`) and the people they have emailed (`otherContacts:search`), at
//! `GOOGLE_PEOPLE_BASE_URL`. A thin typed reqwest client on the shared pool.

use std::time::Duration;

use serde::Deserialize;

use super::api_error::{classify_status, retry_after};
use super::transport_error;
use crate::error::{Error, Result};
use crate::scopes::{self, Method};
use crate::secret::Secret;

/// People asked for per search (Google's largest page for these searches is 30).
pub(crate) const PAGE_SIZE: u32 = 10;

/// A person found: a display name and one address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Found {
    /// The name to say.
    pub name: String,
    /// The address to invite.
    pub email: String,
}

#[derive(Debug, Default, Deserialize)]
struct SearchAnswer {
    #[serde(default)]
    results: Vec<SearchResult>,
}

#[derive(Debug, Deserialize)]
struct SearchResult {
    person: Option<Person>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Person {
    #[serde(default)]
    names: Vec<Name>,
    #[serde(default)]
    email_addresses: Vec<Email>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Name {
    display_name: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Email {
    value: Option<String>,
}

/// Which search.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Book {
    /// The user's saved contacts.
    Contacts,
    /// People the user has written to but not saved.
    OtherContacts,
}

impl Book {
    fn path(self) -> &'static str {
        match self {
            Self::Contacts => "people:searchContacts",
            Self::OtherContacts => "otherContacts:search",
        }
    }

    /// The method (and so the scope) it is.
    pub(crate) fn method(self) -> &'static Method {
        match self {
            Self::Contacts => &scopes::PEOPLE_SEARCH,
            Self::OtherContacts => &scopes::OTHER_CONTACTS_SEARCH,
        }
    }
}

/// The People API client.
#[derive(Clone)]
pub(crate) struct PeopleClient {
    http: reqwest::Client,
    base_url: String,
    /// Each search's limit (`Config::budgets.people_call`).
    timeout: Duration,
}

impl PeopleClient {
    /// A client for `base_url` (ending in `/`); each search may take at most `timeout`.
    pub(crate) fn new(http: reqwest::Client, base_url: &str, timeout: Duration) -> Self {
        Self {
            http,
            base_url: base_url.to_owned(),
            timeout,
        }
    }

    /// One search of `book` for `query`: each person with each of their addresses. An empty
    /// query is Google's warm-up: it refreshes the server-side cache the searches read.
    pub(crate) async fn search(
        &self,
        token: &Secret,
        book: Book,
        query: &str,
    ) -> Result<Vec<Found>> {
        let method = book.method();
        let response = self
            .http
            .get(format!("{}{}", self.base_url, book.path()))
            .bearer_auth(token.expose())
            .query(&[
                ("query", query),
                ("readMask", "names,emailAddresses"),
                ("pageSize", &PAGE_SIZE.to_string()),
            ])
            .timeout(self.timeout)
            .send()
            .await
            .map_err(|e| transport_error(method.name, e))?;
        let status = response.status();
        if !status.is_success() {
            let retry_after = retry_after(response.headers());
            let body: serde_json::Value = response.json().await.unwrap_or_default();
            return Err(classify_status(method, status.as_u16(), &body, retry_after));
        }
        let answer: SearchAnswer = response.json().await.map_err(|e| {
            Error::google(
                method.name,
                None,
                format!("unexpected answer: {}", e.without_url()),
            )
        })?;
        Ok(answer
            .results
            .into_iter()
            .filter_map(|r| r.person)
            .flat_map(|p| {
                let name = p
                    .names
                    .into_iter()
                    .find_map(|n| n.display_name)
                    .filter(|n| !n.trim().is_empty());
                p.email_addresses
                    .into_iter()
                    .filter_map(|e| e.value)
                    .filter(|e| e.contains('@'))
                    .map(move |email| Found {
                        name: name.clone().unwrap_or_else(|| email.clone()),
                        email,
                    })
                    .collect::<Vec<_>>()
            })
            .collect())
    }
}

/// How long a warm-up keeps the People API's search cache fresh enough for a user.
pub(crate) const WARMUP_TTL: Duration = Duration::from_secs(3600);

/// When each user's contact search was last warmed up (per instance).
#[derive(Default)]
pub(crate) struct Warmups {
    at: std::sync::Mutex<std::collections::HashMap<String, tokio::time::Instant>>,
}

impl Warmups {
    /// Whether `user_id` needs a warm-up before searching.
    pub(crate) fn needed(&self, user_id: &str) -> bool {
        let at = self.at.lock().unwrap_or_else(|p| p.into_inner());
        at.get(user_id).is_none_or(|t| t.elapsed() >= WARMUP_TTL)
    }

    /// Records a warm-up of `user_id`'s searches.
    pub(crate) fn done(&self, user_id: &str) {
        let mut at = self.at.lock().unwrap_or_else(|p| p.into_inner());
        at.insert(user_id.to_owned(), tokio::time::Instant::now());
    }

    /// Forgets warm-ups that have run out (bounded memory).
    pub(crate) fn prune(&self) {
        let mut at = self.at.lock().unwrap_or_else(|p| p.into_inner());
        at.retain(|_, t| t.elapsed() < WARMUP_TTL);
    }
}

/// Everyone found, each address once (first name seen wins), at most `limit`.
pub(crate) fn merge(found: impl IntoIterator<Item = Found>, limit: usize) -> Vec<Found> {
    let mut seen = std::collections::HashSet::new();
    found
        .into_iter()
        .filter(|f| seen.insert(f.email.to_ascii_lowercase()))
        .take(limit)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(name: &str, email: &str) -> Found {
        Found {
            name: name.into(),
            email: email.into(),
        }
    }

    #[test]
    fn each_address_is_listed_once_up_to_the_limit() {
        let merged = merge(
            [
                found("Sam Lee", "sam@example.com"),
                found("Samantha Ray", "sam.ray@example.com"),
                found("Sam", "SAM@example.com"),
            ],
            10,
        );
        assert_eq!(
            merged,
            [
                found("Sam Lee", "sam@example.com"),
                found("Samantha Ray", "sam.ray@example.com")
            ]
        );
        let many: Vec<Found> = (0..15)
            .map(|i| found("x", &format!("p{i}@example.com")))
            .collect();
        assert_eq!(merge(many, 10).len(), 10);
    }
}
