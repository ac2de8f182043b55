//! Reading variables: what every section's reader shares. Empty values count as unset; a
//! value that cannot be used is a [`ConfigError`] naming its variable, one line.

use std::str::FromStr;

use url::Url;

/// A variable that could not be used, and why. Displayed as one line.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{variable}: {reason}")]
pub struct ConfigError {
    /// The environment variable's name.
    pub variable: &'static str,
    /// What is wrong with its value.
    pub reason: String,
}

impl ConfigError {
    /// `variable` cannot be used because of `reason`.
    pub fn new(variable: &'static str, reason: impl Into<String>) -> Self {
        Self {
            variable,
            reason: reason.into(),
        }
    }
}

/// The secret variables that may be given as a file instead: (`NAME`, `NAME_FILE`).
pub const SECRET_FILES: &[(&str, &str)] = &[
    ("PRESIGN_SECRET", "PRESIGN_SECRET_FILE"),
    ("PRESIGN_SECRET_PREVIOUS", "PRESIGN_SECRET_PREVIOUS_FILE"),
    ("COOKIE_SECRET", "COOKIE_SECRET_FILE"),
    ("TOKEN_ENCRYPTION_KEY", "TOKEN_ENCRYPTION_KEY_FILE"),
    (
        "TOKEN_ENCRYPTION_KEY_PREVIOUS",
        "TOKEN_ENCRYPTION_KEY_PREVIOUS_FILE",
    ),
    ("ANAM_API_KEY", "ANAM_API_KEY_FILE"),
    ("GOOGLE_CLIENT_SECRET", "GOOGLE_CLIENT_SECRET_FILE"),
    ("DATABASE_URL", "DATABASE_URL_FILE"),
];

/// Shorthand for a section reader's result.
pub type Read<T> = Result<T, ConfigError>;

/// The variables, through a lookup (the environment, or a map in tests).
pub struct Vars<'a> {
    lookup: &'a dyn Fn(&str) -> Option<String>,
}

impl<'a> Vars<'a> {
    /// Variables read through `lookup`.
    pub fn new(lookup: &'a dyn Fn(&str) -> Option<String>) -> Self {
        Self { lookup }
    }

    /// `name`, trimmed; empty counts as unset.
    pub fn get(&self, name: &str) -> Option<String> {
        (self.lookup)(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }

    /// A secret: `NAME`, or what the file `NAME_FILE` names holds (its trailing newline
    /// trimmed), so it need not sit in the environment. Both set is refused, naming `NAME`; a
    /// file that cannot be read is refused, naming `NAME_FILE`.
    pub fn secret(&self, name: &'static str) -> Read<Option<String>> {
        let direct = self.get(name);
        let Some(&(_, file_var)) = SECRET_FILES.iter().find(|(n, _)| *n == name) else {
            return Ok(direct);
        };
        match (direct, self.get(file_var)) {
            (Some(_), Some(_)) => Err(ConfigError::new(
                name,
                format!("is set both directly and as {file_var}; set only one"),
            )),
            (Some(value), None) => Ok(Some(value)),
            (None, None) => Ok(None),
            (None, Some(path)) => {
                let text = std::fs::read_to_string(&path).map_err(|e| {
                    ConfigError::new(file_var, format!("cannot read `{path}`: {e}"))
                })?;
                let value = text.trim_end_matches(['\n', '\r']);
                if value.trim().is_empty() {
                    return Err(ConfigError::new(file_var, format!("`{path}` is empty")));
                }
                Ok(Some(value.to_owned()))
            }
        }
    }

    /// `name` as a number, `default` when unset.
    pub fn number<T: FromStr>(&self, name: &'static str, default: T) -> Read<T> {
        match self.get(name) {
            None => Ok(default),
            Some(v) => v
                .parse()
                .map_err(|_| ConfigError::new(name, format!("`{v}` is not a valid number"))),
        }
    }

    /// `name` as a count of at least 1, `default` when unset.
    pub fn rate(&self, name: &'static str, default: u32) -> Read<std::num::NonZeroU32> {
        let n = self.number::<u32>(name, default)?;
        std::num::NonZeroU32::new(n).ok_or_else(|| ConfigError::new(name, "must be at least 1"))
    }

    /// `name` as an http(s) URL, `default` when unset.
    pub fn url(&self, name: &'static str, default: &str) -> Read<String> {
        let value = self.get(name).unwrap_or_else(|| default.to_owned());
        parse_http(name, &value).map(|_| value)
    }
}

/// An http or https URL with a host.
pub fn parse_http(name: &'static str, value: &str) -> Read<Url> {
    let url = Url::parse(value)
        .map_err(|e| ConfigError::new(name, format!("`{value}` is not a URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(ConfigError::new(
            name,
            format!("`{value}` must be an http:// or https:// URL"),
        ));
    }
    Ok(url)
}

/// `value` with a trailing `/`.
pub fn with_slash(mut value: String) -> String {
    if !value.ends_with('/') {
        value.push('/');
    }
    value
}
