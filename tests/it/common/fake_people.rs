//! A fake Google People API on wiremock: the user's contacts and "other contacts", searched by
//! the start of a name word or part of an address, as Google does. An empty query is the
//! warm-up Google asks for; the fake counts them.

use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Base path of the People API on the mock.
pub const BASE: &str = "/people/v1";

struct Search(Vec<(String, String)>);

fn matches(name: &str, email: &str, query: &str) -> bool {
    let q = query.to_lowercase();
    name.to_lowercase().split(' ').any(|w| w.starts_with(&q)) || email.to_lowercase().contains(&q)
}

impl Respond for Search {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let query = request
            .url
            .query_pairs()
            .find(|(k, _)| k == "query")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        if query.is_empty() {
            return ResponseTemplate::new(200).set_body_json(json!({}));
        }
        let results: Vec<Value> = self
            .0
            .iter()
            .filter(|(name, email)| matches(name, email, &query))
            .map(|(name, email)| {
                json!({"person": {"resourceName": format!("people/{email}"),
                    "names": [{"displayName": name}],
                    "emailAddresses": [{"value": email}]}})
            })
            .collect();
        ResponseTemplate::new(200).set_body_json(json!({ "results": results }))
    }
}

fn people(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(n, e)| ((*n).to_owned(), (*e).to_owned()))
        .collect()
}

/// Mounts both searches: `contacts` for `people:searchContacts`, `others` for
/// `otherContacts:search`.
pub async fn mount(server: &MockServer, contacts: &[(&str, &str)], others: &[(&str, &str)]) {
    Mock::given(method("GET"))
        .and(path(format!("{BASE}/people:searchContacts")))
        .respond_with(Search(people(contacts)))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{BASE}/otherContacts:search")))
        .respond_with(Search(people(others)))
        .mount(server)
        .await;
}

/// The People requests the mock received, with their `query`.
pub async fn queries(server: &MockServer) -> Vec<(String, String)> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r.url.path().starts_with(BASE))
        .map(|r| {
            let query = r
                .url
                .query_pairs()
                .find(|(k, _)| k == "query")
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default();
            (r.url.path().trim_start_matches(BASE).to_owned(), query)
        })
        .collect()
}
