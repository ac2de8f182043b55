//! A fake Google OAuth server on wiremock: deterministic codes and tokens per email.
//!
//! `code:<email>` exchanges for `at:<email>` / `rt:<email>`; the refresh token refreshes to
//! `at2:<email>`; userinfo answers the email behind a bearer token.

use std::collections::HashMap;

use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// The scopes a full consent grants.
pub const GRANTED: &str = "openid https://www.googleapis.com/auth/calendar.events https://www.googleapis.com/auth/userinfo.email";

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

struct TokenEndpoint {
    expires_in: u64,
}

impl Respond for TokenEndpoint {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let form = form(request);
        let get = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
        match get("grant_type") {
            "authorization_code" => match get("code").strip_prefix("code:") {
                Some(email) if !get("code_verifier").is_empty() => ResponseTemplate::new(200)
                    .set_body_json(serde_json::json!({
                        "access_token": access_token_for(email),
                        "expires_in": self.expires_in,
                        "refresh_token": refresh_token_for(email),
                        "scope": GRANTED,
                        "token_type": "Bearer",
                    })),
                _ => invalid_grant(),
            },
            "refresh_token" => match get("refresh_token").strip_prefix("rt:") {
                Some(email) => ResponseTemplate::new(200).set_body_json(serde_json::json!({
                    "access_token": format!("at2:{email}"),
                    "expires_in": self.expires_in,
                    "scope": GRANTED,
                    "token_type": "Bearer",
                })),
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

struct UserInfoEndpoint;

impl Respond for UserInfoEndpoint {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let bearer = request
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        match bearer.split_once(':') {
            Some((_, email)) => ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "sub": format!("sub-{email}"),
                "email": email,
                "email_verified": true,
            })),
            None => ResponseTemplate::new(401),
        }
    }
}

/// Mounts token, userinfo and revoke endpoints; access tokens last `expires_in` seconds.
pub async fn mount(server: &MockServer, expires_in: u64) {
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(TokenEndpoint { expires_in })
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/userinfo"))
        .respond_with(UserInfoEndpoint)
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path("/revoke"))
        .respond_with(ResponseTemplate::new(200))
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
