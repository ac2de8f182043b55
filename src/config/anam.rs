//! Anam: the API key, the avatar, voice and LLM, the API and the SDK the page loads.

use super::vars::{ConfigError, Read, Vars, parse_http};
use crate::secret::Secret;

/// The default Anam SDK build the page loads, and its subresource-integrity hash.
pub(crate) const DEFAULT_ANAM_SDK_URL: &str =
    "https://cdn.jsdelivr.net/npm/@anam-ai/js-sdk@4.27.0/dist/umd/anam.js";
/// SRI hash of [`DEFAULT_ANAM_SDK_URL`] (the file in the npm package 4.27.0).
pub(crate) const DEFAULT_ANAM_SDK_INTEGRITY: &str =
    "sha384-YlLVEzjnPjezw7TzjG3RWqeUtTruSn3+WnfBBg9CyHOCpf0VqVorwHodrE7ZieF0";

/// `ANAM_MAX_SESSION_SECONDS` bounds: a session shorter than a minute is no conversation; Anam
/// ends sessions by itself long before a day.
const MIN_SESSION_SECONDS: u32 = 60;
const MAX_SESSION_SECONDS: u32 = 86_400;

/// Anam settings.
#[derive(Clone, Debug)]
pub struct AnamConfig {
    /// `ANAM_API_KEY`.
    pub(crate) api_key: Option<Secret>,
    /// `ANAM_AVATAR_ID`.
    pub(crate) avatar_id: Option<String>,
    /// `ANAM_VOICE_ID`.
    pub(crate) voice_id: Option<String>,
    /// `ANAM_LLM_ID`.
    pub(crate) llm_id: Option<String>,
    /// `ANAM_API_BASE_URL`, without a trailing `/`.
    pub(crate) api_base_url: String,
    /// `ANAM_SDK_URL`.
    pub sdk_url: String,
    /// The SRI hash to put on the SDK's script tag (only for the default URL).
    pub(crate) sdk_integrity: Option<&'static str>,
    /// `ANAM_MAX_SESSION_SECONDS`: the longest a session may run (unset: Anam's own limit).
    pub(crate) max_session_seconds: Option<u32>,
}

impl AnamConfig {
    /// Reads the section.
    pub(crate) fn read(vars: &Vars<'_>) -> Read<Self> {
        let api_base_url = vars
            .url("ANAM_API_BASE_URL", "https://api.anam.ai")?
            .trim_end_matches('/')
            .to_owned();
        let (sdk_url, sdk_integrity) = match vars.get("ANAM_SDK_URL") {
            Some(u) if u != DEFAULT_ANAM_SDK_URL => (http_or_path("ANAM_SDK_URL", u)?, None),
            _ => (
                DEFAULT_ANAM_SDK_URL.to_owned(),
                Some(DEFAULT_ANAM_SDK_INTEGRITY),
            ),
        };
        Ok(Self {
            api_key: vars.secret("ANAM_API_KEY")?.map(Secret::new),
            avatar_id: vars.get("ANAM_AVATAR_ID"),
            voice_id: vars.get("ANAM_VOICE_ID"),
            llm_id: vars.get("ANAM_LLM_ID"),
            api_base_url,
            sdk_url,
            sdk_integrity,
            max_session_seconds: max_session(vars.get("ANAM_MAX_SESSION_SECONDS"))?,
        })
    }
}

fn max_session(value: Option<String>) -> Read<Option<u32>> {
    let Some(v) = value else { return Ok(None) };
    match v.parse::<u32>() {
        Ok(n) if (MIN_SESSION_SECONDS..=MAX_SESSION_SECONDS).contains(&n) => Ok(Some(n)),
        _ => Err(ConfigError::new(
            "ANAM_MAX_SESSION_SECONDS",
            format!(
                "`{v}` must be a whole number of seconds from {MIN_SESSION_SECONDS} to \
                 {MAX_SESSION_SECONDS}"
            ),
        )),
    }
}

/// The SDK may be served by this app or a local server in tests: a URL or an absolute path.
fn http_or_path(name: &'static str, value: String) -> Read<String> {
    if value.starts_with('/') && !value.starts_with("//") {
        Ok(value)
    } else {
        parse_http(name, &value).map(|_| value)
    }
}
