//! `calendar-agent anam avatars|voices|llms`: what the Anam account offers, as a table.

use clap::Subcommand;

use crate::config::Config;

/// The Anam lists.
#[derive(Clone, Copy, Debug, Subcommand)]
pub enum AnamList {
    /// Avatars (ANAM_AVATAR_ID).
    Avatars,
    /// Voices (ANAM_VOICE_ID).
    Voices,
    /// LLMs (ANAM_LLM_ID).
    Llms,
}

impl AnamList {
    /// The API path segment.
    pub(crate) fn kind(self) -> &'static str {
        match self {
            Self::Avatars => "avatars",
            Self::Voices => "voices",
            Self::Llms => "llms",
        }
    }
}

/// Lists an Anam collection as an id/name table.
pub async fn anam_table(config: &Config, list: AnamList) -> Result<String, String> {
    let http = reqwest::Client::new();
    let client = crate::anam::AnamClient::new(
        http,
        &config.anam.api_base_url,
        config.anam.api_key.clone(),
        config.budgets.anam_call,
    );
    let rows = client.list(list.kind()).await.map_err(|e| match e {
        crate::Error::Service(crate::error::Service::NotConfigured { variable }) => {
            format!("{variable} is not set (in the environment or .env); get a key at lab.anam.ai")
        }
        other => other.to_string(),
    })?;
    Ok(table(&rows))
}

/// Two aligned columns, ID and NAME.
pub fn table(rows: &[crate::anam::Listed]) -> String {
    if rows.is_empty() {
        return "(none)".into();
    }
    let cells = rows.iter().map(|r| vec![r.id.clone(), r.name.clone()]);
    super::aligned(&["ID", "NAME"], cells)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anam_lists_print_as_an_aligned_table() {
        use crate::anam::Listed;
        let rows = [
            Listed {
                id: "a1".into(),
                name: "Cara".into(),
            },
            Listed {
                id: "long-id-2".into(),
                name: "Leo".into(),
            },
        ];
        assert_eq!(
            table(&rows),
            "ID         NAME\na1         Cara\nlong-id-2  Leo"
        );
        assert_eq!(table(&[]), "(none)");
    }
}
