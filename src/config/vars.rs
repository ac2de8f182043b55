//! Reading variables: what every section's reader shares. Empty values count as unset; a
//! value that cannot be used is a [`ConfigError`] naming its variable, one line.

use std::str::FromStr;

use url::Url;

/// A variable that could not be used, and why. Displayed as one line.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{variable}: {reason}")]
pub struct ConfigError {
    /// The environment variable's name.
    pub(crate) variable: &'static str,
    /// What is wrong with its value.
    pub(crate) reason: String,
}

impl ConfigError {
    /// `variable` cannot be used because of `reason`.
    pub(crate) fn new(variable: &'static str, reason: impl Into<String>) -> Self {
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
pub(super) type Read<T> = Result<T, ConfigError>;

/// The variables, through a lookup (the environment, or a map in tests).
pub(crate) struct Vars<'a> {
    lookup: &'a dyn Fn(&str) -> Option<String>,
}

impl<'a> Vars<'a> {
    /// Variables read through `lookup`.
    pub(crate) fn new(lookup: &'a dyn Fn(&str) -> Option<String>) -> Self {
        Self { lookup }
    }

    /// `name`, trimmed; empty counts as unset.
    pub(crate) fn get(&self, name: &str) -> Option<String> {
        (self.lookup)(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }

    /// A secret: `NAME`, or what the file `NAME_FILE` names holds (its trailing newline
    /// trimmed), so it need not sit in the environment. Both set is refused, naming `NAME`; a
    /// file that cannot be read is refused, naming `NAME_FILE`; a placeholder or a guessable
    /// key is refused, naming `NAME` (`secrets`).
    pub(crate) fn secret(&self, name: &'static str) -> Read<Option<String>> {
        let direct = self.get(name);
        let Some(&(_, file_var)) = SECRET_FILES.iter().find(|(n, _)| *n == name) else {
            return Ok(direct);
        };
        let value = match (direct, self.get(file_var)) {
            (Some(_), Some(_)) => {
                return Err(ConfigError::new(
                    name,
                    format!("is set both directly and as {file_var}; set only one"),
                ));
            }
            (value, None) => value,
            (None, Some(path)) => {
                let text = std::fs::read_to_string(&path).map_err(|e| {
                    ConfigError::new(file_var, format!("cannot read `{path}`: {e}"))
                })?;
                let value = text.trim_end_matches(['\n', '\r']);
                if value.trim().is_empty() {
                    return Err(ConfigError::new(file_var, format!("`{path}` is empty")));
                }
                Some(value.to_owned())
            }
        };
        if let Some(value) = &value {
            super::secrets::check(name, value).map_err(|reason| ConfigError::new(name, reason))?;
        }
        Ok(value)
    }

    /// `name` as a number, `default` when unset.
    pub(crate) fn number<T: FromStr>(&self, name: &'static str, default: T) -> Read<T> {
        match self.get(name) {
            None => Ok(default),
            Some(v) => v
                .parse()
                .map_err(|_| ConfigError::new(name, format!("`{v}` is not a valid number"))),
        }
    }

    /// `name` as a count of at least 1, `default` when unset.
    pub(crate) fn rate(&self, name: &'static str, default: u32) -> Read<std::num::NonZeroU32> {
        let n = self.number::<u32>(name, default)?;
        std::num::NonZeroU32::new(n).ok_or_else(|| ConfigError::new(name, "must be at least 1"))
    }

    /// `name` as an http(s) URL, `default` when unset.
    pub(crate) fn url(&self, name: &'static str, default: &str) -> Read<String> {
        let value = self.get(name).unwrap_or_else(|| default.to_owned());
        parse_http(name, &value).map(|_| value)
    }
}

/// An http or https URL with a host.
pub(super) fn parse_http(name: &'static str, value: &str) -> Read<Url> {
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
pub(super) fn with_slash(mut value: String) -> String {
    if !value.ends_with('/') {
        value.push('/');
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::config;
    use crate::secret::Secret;

    #[test]
    fn every_secret_can_come_from_a_file_with_its_trailing_newline_trimmed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let secret = "7be6e5a330302cc921a4c544d17ae9830522dd20bd2398c4853d1f2b0168656c".to_owned();
        let key = "4ce2b3d8c9459fde0fa15d98abd51410370f8b68f3e08c5373eb3118f2ab3d1d".to_owned();
        let values = [
            ("PRESIGN_SECRET", secret.as_str()),
            ("PRESIGN_SECRET_PREVIOUS", secret.as_str()),
            ("COOKIE_SECRET", secret.as_str()),
            ("TOKEN_ENCRYPTION_KEY", key.as_str()),
            ("TOKEN_ENCRYPTION_KEY_PREVIOUS", key.as_str()),
            ("ANAM_API_KEY", "anam-key-from-a-file"),
            ("GOOGLE_CLIENT_SECRET", "google-secret-from-a-file"),
            ("DATABASE_URL", "postgres://calendar@db.internal/calendar"),
        ];
        assert_eq!(
            values.len(),
            SECRET_FILES.len(),
            "every secret variable is tried"
        );
        let mut vars: Vec<(&str, String)> = Vec::new();
        for (name, value) in values {
            let path = dir.path().join(name.to_ascii_lowercase());
            std::fs::write(&path, format!("{value}\n")).expect("write");
            let file_var = SECRET_FILES
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, f)| *f)
                .expect("a file variable");
            vars.push((file_var, path.display().to_string()));
        }
        let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let c = config(&vars).expect("valid");
        assert_eq!(c.signing.presign.current.expose(), secret);
        assert_eq!(
            c.signing.presign.previous.as_ref().map(Secret::expose),
            Some(secret.as_str())
        );
        assert_eq!(
            c.signing.cookie_secret.as_ref().map(Secret::expose),
            Some(secret.as_str())
        );
        let decoded: Option<[u8; 32]> = hex::decode(&key).ok().and_then(|k| k.try_into().ok());
        assert_eq!(c.store.token_encryption_key, decoded);
        assert_eq!(c.store.token_encryption_key_previous, decoded);
        assert_eq!(
            c.anam.api_key.as_ref().map(Secret::expose),
            Some("anam-key-from-a-file")
        );
        assert_eq!(
            c.google.client_secret.as_ref().map(Secret::expose),
            Some("google-secret-from-a-file")
        );
        assert_eq!(
            c.store.database_url,
            "postgres://calendar@db.internal/calendar"
        );
    }

    #[test]
    fn a_secret_set_twice_or_in_an_unreadable_file_stops_start_up_naming_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("key");
        std::fs::write(&path, "k\n").expect("write");
        let file = path.display().to_string();
        let err = config(&[("ANAM_API_KEY", "k"), ("ANAM_API_KEY_FILE", &file)]).expect_err("both");
        assert_eq!(err.variable, "ANAM_API_KEY");
        assert!(err.to_string().contains("ANAM_API_KEY_FILE"), "{err}");
        let missing = dir.path().join("nope").display().to_string();
        let err = config(&[("GOOGLE_CLIENT_SECRET_FILE", &missing)]).expect_err("unreadable");
        assert_eq!(err.variable, "GOOGLE_CLIENT_SECRET_FILE");
        assert!(err.to_string().contains(&missing), "{err}");
        assert!(!err.to_string().contains('\n'), "one line: {err}");
        let empty = dir.path().join("empty");
        std::fs::write(&empty, "\n").expect("write");
        let err =
            config(&[("PRESIGN_SECRET_FILE", &empty.display().to_string())]).expect_err("empty");
        assert_eq!(err.variable, "PRESIGN_SECRET_FILE");
    }
}
