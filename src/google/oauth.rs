//! Google OAuth 2.0 for a web server: consent URL with PKCE, code exchange, refresh, userinfo
//! and revoke — typed calls against the configurable endpoints (`GOOGLE_*_URL`).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::transport_error;
use crate::config::GoogleConfig;
use crate::error::{Auth, Error, Result};
use crate::scopes::{contacts_scopes, sign_in_scopes};
use crate::secret::Secret;

/// A token endpoint answer (code exchange or refresh).
#[derive(Debug, Deserialize)]
pub struct TokenGrant {
    /// Bearer token for Google APIs.
    pub access_token: Secret,
    /// Seconds until `access_token` expires.
    #[serde(default = "default_expiry")]
    pub expires_in: u64,
    /// Present on first consent (and with `prompt=consent`).
    #[serde(default)]
    pub refresh_token: Option<Secret>,
    /// Space-separated granted scopes.
    #[serde(default)]
    pub scope: Option<String>,
}

fn default_expiry() -> u64 {
    3600
}

#[derive(Debug, Deserialize)]
struct OAuthErrorBody {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
}

#[derive(Debug, Deserialize)]
struct UserInfo {
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    email_verified: Option<bool>,
}

/// A PKCE pair: the verifier stays in our cookie, the challenge goes to Google.
#[derive(Clone, Debug)]
pub struct Pkce {
    /// 64 hex characters (RFC 7636 allows 43–128 unreserved characters).
    pub verifier: String,
    /// `BASE64URL(SHA256(verifier))`.
    pub challenge: String,
}

impl Pkce {
    /// A fresh random pair.
    pub fn generate() -> Self {
        Self::from_verifier(random_token())
    }

    /// The pair for a given verifier.
    pub fn from_verifier(verifier: String) -> Self {
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        Self {
            verifier,
            challenge,
        }
    }
}

/// 32 random bytes as hex: used for `state` and the PKCE verifier.
pub(crate) fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes);
    hex::encode(bytes)
}

/// The OAuth client: the shared HTTP client plus Google's endpoints and our credentials.
#[derive(Clone)]
pub struct OAuthClient {
    http: reqwest::Client,
    config: GoogleConfig,
    /// Each call's limit (`Config::budgets.oauth_call`).
    timeout: std::time::Duration,
}

impl OAuthClient {
    /// A client over the shared HTTP pool; each call may take at most `timeout`.
    pub fn new(http: reqwest::Client, config: GoogleConfig, timeout: std::time::Duration) -> Self {
        Self {
            http,
            config,
            timeout,
        }
    }

    fn credentials(&self) -> Result<(&str, &Secret)> {
        let id = Error::configured(self.config.client_id.as_deref(), "GOOGLE_CLIENT_ID")?;
        let secret = Error::configured(self.config.client_secret.as_ref(), "GOOGLE_CLIENT_SECRET")?;
        Ok((id, secret))
    }

    /// Fails with 503 naming the variable when the OAuth client is not configured.
    pub fn ensure_configured(&self) -> Result<()> {
        self.credentials().map(|_| ())
    }

    /// The consent URL: offline access, forced consent (so a refresh token comes back), PKCE
    /// S256, everything granted before kept (`include_granted_scopes`); with `contacts`, the
    /// contact-search scopes are asked for too.
    /// `another` lets the user pick an account other than the one their browser is signed in
    /// to at Google (adding a second account).
    pub fn authorization_url(
        &self,
        state: &str,
        pkce: &Pkce,
        contacts: bool,
        another: bool,
    ) -> Result<String> {
        let (client_id, _) = self.credentials()?;
        let mut url = url::Url::parse(&self.config.auth_url)
            .map_err(|e| Error::internal(format!("GOOGLE_AUTH_URL: {e}")))?;
        url.query_pairs_mut()
            .append_pair("client_id", client_id)
            .append_pair("redirect_uri", &self.config.redirect_uri)
            .append_pair("response_type", "code")
            .append_pair(
                "scope",
                &if contacts {
                    contacts_scopes()
                } else {
                    sign_in_scopes()
                },
            )
            .append_pair("access_type", "offline")
            .append_pair(
                "prompt",
                if another {
                    "select_account consent"
                } else {
                    "consent"
                },
            )
            .append_pair("include_granted_scopes", "true")
            .append_pair("state", state)
            .append_pair("code_challenge", &pkce.challenge)
            .append_pair("code_challenge_method", "S256");
        Ok(url.into())
    }

    /// Exchanges an authorization code (with its PKCE verifier) for tokens.
    pub async fn exchange_code(&self, code: &str, verifier: &str) -> Result<TokenGrant> {
        let (client_id, client_secret) = self.credentials()?;
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("code_verifier", verifier),
            ("client_id", client_id),
            ("client_secret", client_secret.expose()),
            ("redirect_uri", &self.config.redirect_uri),
        ];
        self.token_request("code exchange", &form).await
    }

    /// A fresh access token from a refresh token. `invalid_grant` (revoked or expired consent)
    /// becomes [`Error::Auth(Auth::ReauthRequired)`].
    pub async fn refresh(&self, refresh_token: &Secret) -> Result<TokenGrant> {
        let (client_id, client_secret) = self.credentials()?;
        let form = [
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.expose()),
            ("client_id", client_id),
            ("client_secret", client_secret.expose()),
        ];
        self.token_request("token refresh", &form).await
    }

    /// Sends `request` within the call's limit; a failure to get an answer names `what`.
    async fn send(
        &self,
        what: &'static str,
        request: reqwest::RequestBuilder,
    ) -> Result<reqwest::Response> {
        let sent = request.timeout(self.timeout).send().await;
        sent.map_err(|e| transport_error(what, e))
    }

    async fn token_request(&self, what: &'static str, form: &[(&str, &str)]) -> Result<TokenGrant> {
        let request = self.http.post(&self.config.token_url).form(form);
        let response = self.send(what, request).await?;
        let status = response.status();
        if status.is_success() {
            return response
                .json::<TokenGrant>()
                .await
                .map_err(|e| transport_error(what, e));
        }
        let body: Option<OAuthErrorBody> = response.json().await.ok();
        match body {
            Some(b) if b.error == "invalid_grant" => Err(Error::Auth(Auth::ReauthRequired)),
            body => Err(Error::google(
                what,
                Some(status.as_u16()),
                body.map_or_else(
                    || "no error description".to_owned(),
                    |b| match b.error_description {
                        Some(d) => format!("{}: {d}", b.error),
                        None => b.error,
                    },
                ),
            )),
        }
    }

    /// The signed-in account's email, which is our user id. Refuses unverified emails: the id
    /// must name one Google account.
    pub async fn email(&self, access_token: &Secret) -> Result<String> {
        const WHAT: &str = "userinfo";
        let request = self.http.get(&self.config.userinfo_url);
        let response = self
            .send(WHAT, request.bearer_auth(access_token.expose()))
            .await?;
        let status = response.status();
        if !status.is_success() {
            return Err(Error::google(
                WHAT,
                Some(status.as_u16()),
                "userinfo refused the new access token",
            ));
        }
        let info: UserInfo = response
            .json()
            .await
            .map_err(|e| transport_error(WHAT, e))?;
        match info {
            UserInfo {
                email: Some(email),
                email_verified: Some(true) | None,
            } if !email.is_empty() => Ok(email),
            _ => Err(Error::google(
                WHAT,
                Some(status.as_u16()),
                "no verified email in userinfo (was the email scope granted?)",
            )),
        }
    }

    /// Revokes a token at Google (the refresh token revokes the whole grant).
    pub async fn revoke(&self, token: &Secret) -> Result<()> {
        const WHAT: &str = "revoke";
        let request = self.http.post(&self.config.revoke_url);
        let response = self
            .send(WHAT, request.form(&[("token", token.expose())]))
            .await?;
        let status = response.status();
        // 400 invalid_token: already revoked or expired, which is what we wanted.
        if status.is_success() || status.as_u16() == 400 {
            Ok(())
        } else {
            Err(Error::google(WHAT, Some(status.as_u16()), "revoke failed"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_challenge_matches_the_rfc_7636_example() {
        // RFC 7636 appendix B.
        let pkce = Pkce::from_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".into());
        assert_eq!(
            pkce.challenge,
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn random_tokens_carry_256_bits_and_differ() {
        let (a, b) = (random_token(), random_token());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
    }
}
