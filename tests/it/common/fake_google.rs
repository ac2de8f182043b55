//! A fake Google on wiremock: OAuth (deterministic codes and tokens per email) and a strict
//! guard in front of every Calendar endpoint.
//!
//! `code:<email>` exchanges for `at:<email>` / `rt:<email>`; the refresh token refreshes to
//! `at2:<email>`; userinfo answers the email behind a bearer token. Every access token the fake
//! issues is recorded with the scopes it was granted, and each Calendar endpoint answers 403
//! "insufficient authentication scopes" to a token without one of the scopes Google's reference
//! lists for that method (and 401 to a token it never issued), as Google does. The table below
//! is written from Google's reference independently of `src/scopes.rs`, so a mistake
//! there fails a test instead of being copied.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use wiremock::matchers::{method, path, path_regex};
use wiremock::{Match, Mock, MockServer, Request, Respond, ResponseTemplate};

/// The scopes a full consent grants, as Google reports them.
pub const GRANTED: &str = "openid https://www.googleapis.com/auth/userinfo.email \
https://www.googleapis.com/auth/calendar.events \
https://www.googleapis.com/auth/calendar.events.freebusy \
https://www.googleapis.com/auth/calendar.settings.readonly \
https://www.googleapis.com/auth/calendar.calendarlist.readonly";

/// A full consent that also allowed contacts.
pub const WITH_CONTACTS: &str = "openid https://www.googleapis.com/auth/userinfo.email \
https://www.googleapis.com/auth/calendar.events \
https://www.googleapis.com/auth/calendar.events.freebusy \
https://www.googleapis.com/auth/calendar.settings.readonly \
https://www.googleapis.com/auth/calendar.calendarlist.readonly \
https://www.googleapis.com/auth/contacts.readonly \
https://www.googleapis.com/auth/contacts.other.readonly";

/// What a grant made before this service asked for each method's scope looked like.
pub const EVENTS_ONLY: &str = "openid https://www.googleapis.com/auth/userinfo.email https://www.googleapis.com/auth/calendar.events";

const AUTH: &str = "https://www.googleapis.com/auth/";

/// Access tokens issued → their scopes; emails → the scopes the next consent or refresh grants
/// (when not [`GRANTED`]).
#[derive(Clone, Default)]
pub struct Tokens {
    issued: Arc<Mutex<HashMap<String, String>>>,
    grants: Arc<Mutex<HashMap<String, String>>>,
}

impl Tokens {
    /// Records that `token` was issued with `scope`.
    pub fn issue(&self, token: &str, scope: &str) {
        self.issued
            .lock()
            .expect("lock")
            .insert(token.to_owned(), scope.to_owned());
    }

    /// From now on, consent and refresh for `email` grant `scope`.
    pub fn grant(&self, email: &str, scope: &str) {
        self.grants
            .lock()
            .expect("lock")
            .insert(email.to_owned(), scope.to_owned());
    }

    /// What Google's consent screen grants when the user ticks everything: the scopes the
    /// consent URL asked for (`email` reported as `userinfo.email`), unless a test set others.
    pub fn consent(&self, email: &str, asked: &str) {
        let granted: Vec<String> = asked
            .split(' ')
            .map(|s| match s {
                "email" => format!("{AUTH}userinfo.email"),
                other => other.to_owned(),
            })
            .collect();
        self.grants
            .lock()
            .expect("lock")
            .entry(email.to_owned())
            .or_insert_with(|| granted.join(" "));
    }

    fn scope_for(&self, email: &str) -> String {
        self.grants
            .lock()
            .expect("lock")
            .get(email)
            .cloned()
            .unwrap_or_else(|| GRANTED.to_owned())
    }

    fn scopes_of(&self, token: &str) -> Option<String> {
        self.issued.lock().expect("lock").get(token).cloned()
    }
}

/// The authorization code the fake issues for `email`.
pub fn code_for(email: &str) -> String {
    form_urlencoded::byte_serialize(format!("code:{email}").as_bytes()).collect()
}

/// The refresh token the fake issues for `email`.
pub fn refresh_token_for(email: &str) -> String {
    format!("rt:{email}")
}

/// The access token the code exchange returns for `email`.
pub fn access_token_for(email: &str) -> String {
    format!("at:{email}")
}

/// Parses a form body.
pub fn form(request: &Request) -> HashMap<String, String> {
    form_urlencoded::parse(&request.body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The bearer token of a request.
pub fn bearer(request: &Request) -> &str {
    request
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("")
}

struct TokenEndpoint {
    expires_in: u64,
    tokens: Tokens,
}

impl Respond for TokenEndpoint {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let form = form(request);
        let get = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
        match get("grant_type") {
            "authorization_code" => match get("code").strip_prefix("code:") {
                Some(email) if !get("code_verifier").is_empty() => {
                    let scope = self.tokens.scope_for(email);
                    self.tokens.issue(&access_token_for(email), &scope);
                    ResponseTemplate::new(200).set_body_json(serde_json::json!({
                        "access_token": access_token_for(email),
                        "expires_in": self.expires_in,
                        "refresh_token": refresh_token_for(email),
                        "scope": scope,
                        "token_type": "Bearer",
                    }))
                }
                _ => invalid_grant(),
            },
            "refresh_token" => match get("refresh_token").strip_prefix("rt:") {
                Some(email) => {
                    let scope = self.tokens.scope_for(email);
                    let token = format!("at2:{email}");
                    self.tokens.issue(&token, &scope);
                    ResponseTemplate::new(200).set_body_json(serde_json::json!({
                        "access_token": token,
                        "expires_in": self.expires_in,
                        "scope": scope,
                        "token_type": "Bearer",
                    }))
                }
                None => invalid_grant(),
            },
            _ => ResponseTemplate::new(400).set_body_json(serde_json::json!({
                "error": "unsupported_grant_type"
            })),
        }
    }
}

fn invalid_grant() -> ResponseTemplate {
    ResponseTemplate::new(400).set_body_json(serde_json::json!({
        "error": "invalid_grant",
        "error_description": "Bad Request"
    }))
}

struct UserInfoEndpoint(Tokens);

impl Respond for UserInfoEndpoint {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let token = bearer(request);
        let Some(scopes) = self.0.scopes_of(token) else {
            return ResponseTemplate::new(401);
        };
        if !scopes
            .split(' ')
            .any(|s| s == "email" || s == format!("{AUTH}userinfo.email"))
        {
            return ResponseTemplate::new(200).set_body_json(serde_json::json!({"sub": "x"}));
        }
        let email = token.split_once(':').map_or("", |(_, e)| e);
        ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "sub": format!("sub-{email}"),
            "email": email,
            "email_verified": true,
        }))
    }
}

/// Mounts token, userinfo and revoke endpoints; access tokens last `expires_in` seconds and are
/// recorded in `tokens` with their scopes.
pub async fn mount(server: &MockServer, tokens: &Tokens, expires_in: u64) {
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(TokenEndpoint {
            expires_in,
            tokens: tokens.clone(),
        })
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/userinfo"))
        .respond_with(UserInfoEndpoint(tokens.clone()))
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path("/revoke"))
        .respond_with(ResponseTemplate::new(200))
        .mount(server)
        .await;
}

/// The scopes Google's reference accepts for the Calendar or People method at `verb` + `path`,
/// or `None` for a path that is not one.
pub fn accepted_scopes(verb: &str, path: &str) -> Option<Vec<String>> {
    let full = |names: &[&str]| names.iter().map(|n| format!("{AUTH}{n}")).collect();
    match (verb, path) {
        ("GET", "/people/v1/people:searchContacts") => {
            return Some(full(&["contacts", "contacts.readonly"]));
        }
        ("GET", "/people/v1/otherContacts:search") => {
            return Some(full(&["contacts.other.readonly"]));
        }
        _ => {}
    }
    let rest = path.strip_prefix("/calendar/v3/")?;
    let segments: Vec<&str> = rest.split('/').collect();
    let events_read = [
        "calendar",
        "calendar.readonly",
        "calendar.events",
        "calendar.events.readonly",
    ];
    let events_write = ["calendar", "calendar.events"];
    Some(match (verb, segments.as_slice()) {
        ("GET", ["calendars", _, "events"])
        | ("GET", ["calendars", _, "events", _])
        | ("GET", ["calendars", _, "events", _, "instances"]) => full(&events_read),
        ("POST", ["calendars", _, "events", "watch"]) => full(&events_read),
        ("POST", ["calendars", _, "events"])
        | ("PUT" | "PATCH" | "DELETE", ["calendars", _, "events", _]) => full(&events_write),
        ("POST", ["freeBusy"]) => full(&[
            "calendar",
            "calendar.readonly",
            "calendar.events.freebusy",
            "calendar.freebusy",
        ]),
        ("GET", ["users", "me", "settings", _]) => full(&[
            "calendar",
            "calendar.readonly",
            "calendar.settings.readonly",
        ]),
        ("GET", ["users", "me", "calendarList"]) => full(&[
            "calendar",
            "calendar.readonly",
            "calendar.calendarlist",
            "calendar.calendarlist.readonly",
        ]),
        ("POST", ["channels", "stop"]) => full(&[
            "calendar",
            "calendar.readonly",
            "calendar.events",
            "calendar.events.readonly",
        ]),
        _ => return None,
    })
}

/// Matches a Calendar request that Google would refuse for its token: unknown token, or none
/// of the method's scopes.
struct Refused(Tokens);

impl Match for Refused {
    fn matches(&self, request: &Request) -> bool {
        let Some(accepted) = accepted_scopes(request.method.as_str(), request.url.path()) else {
            return false;
        };
        match self.0.scopes_of(bearer(request)) {
            None => true,
            Some(granted) => !granted.split(' ').any(|g| accepted.iter().any(|a| a == g)),
        }
    }
}

struct RefusalAnswer(Tokens);

impl Respond for RefusalAnswer {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        if self.0.scopes_of(bearer(request)).is_none() {
            return ResponseTemplate::new(401).set_body_json(serde_json::json!({"error": {
                "code": 401, "message": "Request had invalid authentication credentials.",
                "errors": [{"message": "Invalid Credentials", "domain": "global", "reason": "authError"}],
                "status": "UNAUTHENTICATED"}}));
        }
        insufficient_scopes()
    }
}

/// Google's answer to a token without the method's scope.
pub fn insufficient_scopes() -> ResponseTemplate {
    ResponseTemplate::new(403)
        .insert_header(
            "www-authenticate",
            "Bearer realm=\"https://accounts.google.com/\", error=\"insufficient_scope\"",
        )
        .set_body_json(serde_json::json!({"error": {
            "code": 403, "message": "Request had insufficient authentication scopes.",
            "errors": [{"message": "Insufficient Permission", "domain": "global", "reason": "insufficientPermissions"}],
            "status": "PERMISSION_DENIED",
            "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                         "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT", "domain": "googleapis.com"}]}}))
}

/// Puts the scope check in front of every Calendar endpoint on `server` (highest priority,
/// mounted first, so it wins over every scripted answer).
pub async fn guard(server: &MockServer, tokens: &Tokens) {
    Mock::given(path_regex("^/(calendar/v3|people/v1)/"))
        .and(Refused(tokens.clone()))
        .respond_with(RefusalAnswer(tokens.clone()))
        .with_priority(1)
        .mount(server)
        .await;
}

/// Makes the token endpoint answer `template` instead of the fake's usual answers (mount
/// before or after [`mount`]: it takes priority).
pub async fn answer_token_with(server: &MockServer, template: ResponseTemplate) {
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(template)
        .with_priority(1)
        .mount(server)
        .await;
}

/// Google's answer to a revoked or expired refresh token.
pub fn invalid_grant_answer() -> ResponseTemplate {
    invalid_grant()
}

/// The requests Google received at `endpoint` (e.g. "/token").
pub async fn requests_to(server: &MockServer, endpoint: &str) -> Vec<Request> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r.url.path() == endpoint)
        .collect()
}

/// The refresh tokens revoked at the fake Google, in the order asked.
#[allow(dead_code)] // not every test binary revokes
pub async fn revoked_tokens(server: &MockServer) -> Vec<String> {
    requests_to(server, "/revoke")
        .await
        .iter()
        .map(|r| form(r).get("token").cloned().unwrap_or_default())
        .collect()
}
