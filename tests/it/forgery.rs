//! Random mutations of valid presigned URLs never verify as a different user, endpoint or
//! expiry. `cargo test` runs 2,000 cases; the evidence run sets `FORGERY_CASES=1000000`
//! (see BENCHMARKS.md).

use calendar_agent::presign::{SignedParams, SigningKeys, presign_url, verify};
use calendar_agent::secret::Secret;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

const ORIGIN: &str = "https://demo.ngrok.app";
const ROUTES: [&str; 3] = [
    "/api/calendar/list-events",
    "/api/calendar/freebusy",
    "/api/calendar/events",
];
const NOW: u64 = 1_800_000_000;

/// One edit to the URL text.
#[derive(Clone, Debug)]
enum Mutation {
    /// Replace the byte at `at` (modulo length) with `with`.
    Replace { at: usize, with: u8 },
    /// Insert `with` at `at`.
    Insert { at: usize, with: u8 },
    /// Delete the byte at `at`.
    Delete { at: usize },
    /// Move the URL to another route.
    Route(usize),
    /// Append a parameter, e.g. a second uid.
    Append(String),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    // Bytes that matter in URLs: hex digits, separators, percent escapes, letters.
    let byte = prop::sample::select(b"0123456789abcdefABCDEF%&=?+/@.xyz-_ ".to_vec());
    prop_oneof![
        4 => (any::<usize>(), byte.clone()).prop_map(|(at, with)| Mutation::Replace { at, with }),
        2 => (any::<usize>(), byte).prop_map(|(at, with)| Mutation::Insert { at, with }),
        2 => any::<usize>().prop_map(|at| Mutation::Delete { at }),
        1 => (0usize..3).prop_map(Mutation::Route),
        1 => "(uid|exp|sig)=[a-z0-9%@.]{0,12}".prop_map(Mutation::Append),
    ]
}

fn apply(url: &str, mutations: &[Mutation]) -> String {
    let mut bytes = url.as_bytes().to_vec();
    for m in mutations {
        let len = bytes.len().max(1);
        match m {
            Mutation::Replace { at, with } => {
                let i = at % len;
                if i < bytes.len() {
                    bytes[i] = *with;
                }
            }
            Mutation::Insert { at, with } => bytes.insert(at % (bytes.len() + 1), *with),
            Mutation::Delete { at } => {
                if !bytes.is_empty() {
                    bytes.remove(at % len);
                }
            }
            Mutation::Route(r) => {
                let text = String::from_utf8_lossy(&bytes).into_owned();
                let replaced = ROUTES
                    .iter()
                    .fold(text, |t, from| t.replacen(from, ROUTES[*r], 1));
                bytes = replaced.into_bytes();
            }
            Mutation::Append(param) => bytes.extend(format!("&{param}").bytes()),
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// What the server would accept `url` as: (base URL, uid, exp), if anything.
fn accepted_as(keys: &SigningKeys, url: &str) -> Option<(String, String, u64)> {
    let (base, query) = url.split_once('?')?;
    let params = SignedParams::from_query(Some(query)).ok()?;
    verify(keys, base, &params, NOW)
        .ok()
        .map(|v| (base.to_owned(), v.uid, v.exp))
}

#[test]
fn mutated_urls_never_verify_as_something_else() {
    let cases: u32 = std::env::var("FORGERY_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000);
    let keys = SigningKeys::new(Secret::new("forgery-test-secret"));
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = (
        "[a-z][a-z0-9.+]{0,10}@example\\.com",
        0usize..3,
        0u64..100_000,
        prop::collection::vec(mutation(), 1..4),
    );
    let still_valid = std::cell::Cell::new(0u64);
    let result = runner.run(&strategy, |(uid, route, ttl, mutations)| {
        let base = format!("{ORIGIN}{}", ROUTES[route]);
        let exp = NOW + ttl;
        let url = presign_url(&keys, &base, &uid, exp);
        let mutated = apply(&url, &mutations);
        if let Some(accepted) = accepted_as(&keys, &mutated) {
            // Only an equivalent spelling of the same URL may pass (e.g. %40 for @).
            prop_assert_eq!(accepted, (base, uid, exp), "forgery accepted: {}", mutated);
            still_valid.set(still_valid.get() + 1);
        }
        Ok(())
    });
    println!(
        "forgery cases: {cases}, equivalent spellings accepted: {}, forgeries accepted: {}",
        still_valid.get(),
        if result.is_ok() { 0 } else { 1 }
    );
    result.expect("no forgery is accepted");
}
