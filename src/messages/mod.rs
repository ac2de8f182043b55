//! The sentences the service answers with (`message`), one table per language, keyed by the
//! answer's short reason (`error`). English is the reference; German, French and Spanish have
//! every key (a test holds them to it), and a session in another language gets English, which
//! the avatar says in the user's language in its own words.
//!
//! A sentence may name values with `{name}` ([`fill`] puts them in): the waits in seconds, the
//! argument at fault, the variable missing, and the detail a sentence carries (which stays as
//! the code wrote it).

mod de;
mod en;
mod es;
mod fr;
mod repeats;

use crate::language::Language;

/// One language's sentences: (reason, sentence).
type Table = &'static [(&'static str, &'static str)];

/// The table of `language`, when it has one.
fn table(language: Language) -> Option<Table> {
    match language.code() {
        "en" => Some(en::TABLE),
        "de" => Some(de::TABLE),
        "fr" => Some(fr::TABLE),
        "es" => Some(es::TABLE),
        _ => None,
    }
}

/// The languages with a table of their own.
#[cfg(test)]
pub(crate) const TRANSLATED: [&str; 4] = ["en", "de", "fr", "es"];

/// The sentence for `reason` in `language` (English when it has no table), with `vars` filled
/// in; `None` for a reason no table has.
pub(crate) fn sentence(
    language: Language,
    reason: &str,
    vars: &[(&'static str, String)],
) -> Option<String> {
    let find = |table: Table| table.iter().find(|(key, _)| *key == reason).map(|e| e.1);
    let template = table(language).and_then(find).or_else(|| find(en::TABLE))?;
    Some(fill(template, vars))
}

/// The word that joins the last of a list.
const AND: &str = "word_and";

/// What `missing` would allow, in `language`: "see when you are free or busy and see the list
/// of your calendars".
pub(crate) fn permissions(language: Language, missing: &[crate::scopes::Permission]) -> String {
    Said::List(missing.iter().map(|p| Said::key(p.words())).collect()).in_language(language)
}

/// Sentences a tool says in a successful answer (the refusals' keys are their reasons).
pub(crate) const CHANGE_FINISHING: &str = "change_finishing";
/// See [`CHANGE_FINISHING`].
pub(crate) const CONTACTS_NONE_FOUND: &str = "contacts_none_found";

/// See [`CHANGE_FINISHING`]: one of several accounts could not be read (`detail`: Google's
/// reason, in English).
pub(crate) const ACCOUNT_UNAVAILABLE: &str = "account_unavailable";

/// The sentence `key` in `language`, for a key the tables hold (tested below).
pub(crate) fn say(
    language: Language,
    key: &'static str,
    vars: &[(&'static str, String)],
) -> String {
    sentence(language, key, vars).unwrap_or_else(|| key.to_owned())
}

/// A sentence by its key with its values, said in whichever language the answer is in; or, for
/// words that only come in English (a JSON parser's own), that text as it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Said {
    /// The sentence `key` of the tables, with these values (each said in the same language).
    Key(&'static str, Vec<(&'static str, Said)>),
    /// Text as it is.
    Text(String),
    /// A recurring event's rule, said as the language says it.
    Repeats(crate::calendar::series::Repeats),
    /// Several things: "a, b and c" as the language joins them.
    List(Vec<Said>),
}

/// What marks a [`Said`] carried inside a string (a serde error), and parts its pieces.
const MARK: char = '\u{1}';

impl Said {
    /// The sentence `key`, values to follow.
    pub(crate) fn key(key: &'static str) -> Self {
        Self::Key(key, Vec::new())
    }

    /// With the value `name`.
    pub(crate) fn var(self, name: &'static str, value: impl std::fmt::Display) -> Self {
        self.var_said(name, Self::Text(value.to_string()))
    }

    /// With the value `name`, itself said in the answer's language.
    pub(crate) fn var_said(mut self, name: &'static str, value: Self) -> Self {
        if let Self::Key(_, vars) = &mut self {
            vars.push((name, value));
        }
        self
    }

    /// Said in `language`.
    pub(crate) fn in_language(&self, language: Language) -> String {
        match self {
            Self::Key(key, vars) => {
                let vars: Vec<(&'static str, String)> = vars
                    .iter()
                    .map(|(name, value)| (*name, value.in_language(language)))
                    .collect();
                say(language, key, &vars)
            }
            Self::Text(text) => text.clone(),
            Self::Repeats(rule) => repeats::said(language, rule),
            Self::List(items) => {
                let items: Vec<String> = items.iter().map(|i| i.in_language(language)).collect();
                match items.split_last() {
                    Some((last, [])) => last.clone(),
                    Some((last, rest)) => {
                        format!("{} {} {last}", rest.join(", "), say(language, AND, &[]))
                    }
                    None => String::new(),
                }
            }
        }
    }

    /// Carried inside a string (see [`Self::decode`]), values kept apart from the key.
    pub(crate) fn encode(&self) -> String {
        match self {
            Self::Key(key, vars) => {
                let mut out = format!("{MARK}{key}");
                for (name, value) in vars {
                    out.push(MARK);
                    out.push_str(name);
                    out.push('=');
                    let value = value.to_string();
                    out.extend(value.chars().map(|c| if c == MARK { ' ' } else { c }));
                }
                out
            }
            other => other.to_string(),
        }
    }

    /// What [`Self::encode`] made, or `None` for any other text. Only keys of the tables and
    /// the names their sentences use are read back.
    pub(crate) fn decode(text: &str) -> Option<Self> {
        let mut parts = text.strip_prefix(MARK)?.split(MARK);
        let wanted = parts.next()?;
        let (key, template) = en::TABLE.iter().find(|(k, _)| *k == wanted)?;
        let mut said = Self::key(key);
        for part in parts {
            let (name, value) = part.split_once('=')?;
            let at = template.find(&format!("{{{name}}}"))?;
            let name: &'static str = &template[at + 1..at + 1 + name.len()];
            said = said.var(name, value);
        }
        Some(said)
    }
}

impl From<String> for Said {
    fn from(text: String) -> Self {
        Self::Text(text)
    }
}

impl From<&str> for Said {
    fn from(text: &str) -> Self {
        Self::Text(text.to_owned())
    }
}

impl std::fmt::Display for Said {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.in_language(Language::ENGLISH))
    }
}

/// `template` with each `{name}` of `vars` replaced by its value.
pub(crate) fn fill(template: &str, vars: &[(&'static str, String)]) -> String {
    let mut out = template.to_owned();
    for (name, value) in vars {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(table: Table) -> Vec<&'static str> {
        let mut keys: Vec<&str> = table.iter().map(|(k, _)| *k).collect();
        keys.sort_unstable();
        keys
    }

    fn placeholders(sentence: &str) -> Vec<String> {
        let mut out: Vec<String> = sentence
            .split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_owned()))
            .collect();
        out.sort();
        out
    }

    #[test]
    fn every_table_has_every_key_once_with_the_same_placeholders() {
        let english = keys(en::TABLE);
        let mut unique = english.clone();
        unique.dedup();
        assert_eq!(unique, english, "a key twice in the English table");
        for code in TRANSLATED {
            let language = Language::parse(code).expect("known");
            let table = table(language).expect("a table");
            assert_eq!(keys(table), english, "{code}: the same keys as English");
            for (key, sentence) in table {
                let english = en::TABLE.iter().find(|(k, _)| k == key).map(|e| e.1);
                assert_eq!(
                    placeholders(sentence),
                    placeholders(english.unwrap_or_default()),
                    "{code} {key}: the same values named"
                );
                assert!(!sentence.trim().is_empty(), "{code} {key}");
            }
        }
    }

    #[test]
    fn every_sentence_a_tool_says_is_in_the_tables() {
        for key in [CHANGE_FINISHING, CONTACTS_NONE_FOUND, ACCOUNT_UNAVAILABLE] {
            assert!(sentence(Language::ENGLISH, key, &[]).is_some(), "{key}");
        }
        let german = Language::parse("de").expect("known");
        let said = say(german, CONTACTS_NONE_FOUND, &[("query", "Zoë".into())]);
        assert!(
            said.contains("\"Zoë\"") && said.contains("buchstabieren"),
            "{said}"
        );
    }

    /// Every sentence key the code names (a `Said::key`, a domain refusal, a draft's reason, a
    /// kind of entry) is in the tables: a key missing would be said as the key itself.
    #[test]
    fn every_key_the_code_names_is_in_the_tables() {
        const MARKERS: [&str; 11] = [
            "Said::key(",
            "Invalid::new(",
            "Unsupported::new(",
            "Judgement::Refuse(",
            "(spec.unusable)(",
            "DraftUnusable(",
            "ChangeUnusable(",
            "what: \"sending",
            "=> \"kind_",
            "Forbidden(",
            "refused(",
        ];
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = vec![root];
        let mut named = Vec::new();
        while let Some(path) = files.pop() {
            if path.is_dir() {
                files.extend(
                    std::fs::read_dir(&path)
                        .expect("dir")
                        .flatten()
                        .map(|e| e.path()),
                );
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs")
                || path.starts_with(
                    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/messages"),
                )
            {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("source");
            for marker in MARKERS {
                for (at, _) in text.match_indices(marker) {
                    // The quoted words after the marker, on its line or the next: the key is
                    // the last word made of lowercase letters and underscores.
                    let rest: String = text[at..].lines().take(2).collect::<Vec<_>>().join(" ");
                    let words: Vec<&str> = rest.split('"').skip(1).step_by(2).take(2).collect();
                    if let Some(key) = words.iter().rev().find(|w| {
                        w.contains('_') && w.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                    }) {
                        named.push(((*key).to_owned(), path.display().to_string()));
                    }
                }
            }
        }
        assert!(named.len() > 40, "the scan finds the keys: {named:?}");
        for (key, file) in named {
            let outcome_only = ["not_found", "other_session", "already_sent", "expired"];
            if outcome_only.contains(&key.as_str()) {
                continue;
            }
            assert!(
                en::TABLE.iter().any(|(k, _)| *k == key),
                "{file} names {key}, which no table has"
            );
        }
    }

    #[test]
    fn a_language_without_a_table_gets_english() {
        let italian = Language::parse("it").expect("known");
        assert_eq!(
            sentence(italian, "event_changed", &[]),
            sentence(Language::ENGLISH, "event_changed", &[])
        );
        assert_eq!(sentence(italian, "no_such_reason", &[]), None);
    }

    #[test]
    fn values_are_filled_in() {
        let german = Language::parse("de").expect("known");
        let said = sentence(german, "rate_limited", &[("seconds", "30".into())]);
        assert!(said.is_some_and(|s| s.contains("30 Sekunden")));
    }
}
