//! Anam's API: mint a session token for an inline persona, and list avatars, voices and LLMs.
//! The API key is sent as a bearer header and never leaves the server.

use std::time::Duration;

use serde_json::{Value, json};

use crate::error::{Error, Result, Service};
use crate::secret::Secret;

/// A thin typed client on the shared HTTP pool.
#[derive(Clone)]
pub(crate) struct AnamClient {
    http: reqwest::Client,
    base_url: String,
    api_key: Option<Secret>,
    /// Each call's limit (`Config::budgets.anam_call`).
    timeout: Duration,
}

/// One row of a list call: id and a human name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// The id to put in `.env`.
    pub id: String,
    /// A display name, if Anam gives one.
    pub name: String,
}

impl AnamClient {
    /// A client for `base_url` (no trailing `/`); each call may take at most `timeout`.
    pub(crate) fn new(
        http: reqwest::Client,
        base_url: &str,
        api_key: Option<Secret>,
        timeout: Duration,
    ) -> Self {
        Self {
            http,
            base_url: base_url.trim_end_matches('/').to_owned(),
            api_key,
            timeout,
        }
    }

    fn key(&self) -> Result<&Secret> {
        Error::configured(self.api_key.as_ref(), "ANAM_API_KEY")
    }

    /// Sends `request` with the API key, within the call's limit: Anam's JSON answer.
    async fn send(&self, request: reqwest::RequestBuilder) -> Result<Value> {
        let key = self.key()?;
        let request = request.bearer_auth(key.expose()).timeout(self.timeout);
        checked(request.send().await.map_err(unreachable)?).await
    }

    /// Fails with 503 naming `ANAM_API_KEY` when it is not set.
    pub(crate) fn ensure_configured(&self) -> Result<()> {
        self.key().map(|_| ())
    }

    /// `POST /v1/auth/session-token` with `{"personaConfig": persona}`.
    pub(crate) async fn create_session_token(&self, persona: &Value) -> Result<String> {
        let request = self
            .http
            .post(format!("{}/v1/auth/session-token", self.base_url))
            .json(&json!({ "personaConfig": persona }));
        let body = self.send(request).await?;
        body["sessionToken"]
            .as_str()
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| {
                Error::Service(Service::Anam {
                    status: None,
                    detail: "Anam's answer had no sessionToken".into(),
                    retry_after: None,
                })
            })
    }

    /// `GET /v1/{kind}` (`avatars`, `voices`, `llms`): ids and names.
    pub(crate) async fn list(&self, kind: &str) -> Result<Vec<Listed>> {
        let request = self.http.get(format!("{}/v1/{kind}", self.base_url));
        let body = self.send(request.query(&[("perPage", "100")])).await?;
        let rows = body["data"]
            .as_array()
            .or_else(|| body.as_array())
            .cloned()
            .unwrap_or_default();
        Ok(rows
            .iter()
            .filter_map(|row| {
                let id = row["id"].as_str()?.to_owned();
                let name = ["displayName", "name", "description"]
                    .iter()
                    .find_map(|k| row[*k].as_str())
                    .unwrap_or("")
                    .to_owned();
                Some(Listed { id, name })
            })
            .collect())
    }
}

fn unreachable(error: reqwest::Error) -> Error {
    Error::Service(Service::Anam {
        status: None,
        detail: if error.is_timeout() {
            "Anam did not answer in time".into()
        } else {
            format!("Anam could not be reached: {}", error.without_url())
        },
        retry_after: None,
    })
}

/// The JSON body of a successful answer, or Anam's own message as the error's detail.
async fn checked(response: reqwest::Response) -> Result<Value> {
    let status = response.status();
    // Anam limits sessions per account; its wait is passed on so the page can say it.
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(|s| Duration::from_secs(s.clamp(1, 3600)));
    let text = response.text().await.map_err(unreachable)?;
    if status.is_success() {
        return serde_json::from_str(&text).map_err(|_| {
            Error::Service(Service::Anam {
                status: None,
                detail: "Anam's answer was not JSON".into(),
                retry_after: None,
            })
        });
    }
    let parsed: Option<Value> = serde_json::from_str(&text).ok();
    let message = parsed
        .as_ref()
        .and_then(|v| {
            ["message", "error", "detail"]
                .iter()
                .find_map(|k| v[*k].as_str().map(str::to_owned))
        })
        .unwrap_or_else(|| text.chars().take(500).collect());
    Err(Error::Service(Service::Anam {
        status: Some(status.as_u16()),
        detail: message,
        retry_after: retry_after.filter(|_| status.as_u16() == 429),
    }))
}
