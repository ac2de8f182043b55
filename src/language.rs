//! The user's language: what Anam's speech recognition listens for (the persona's
//! `languageCode`, a two-letter ISO 639-1 code), the language the avatar is told to speak, and
//! the table the tools' and routes' sentences come from ([`crate::messages`]).
//!
//! Chosen at Start: the language the page passes (the browser's, or the one the avatar changed
//! to), else the browser's `Accept-Language`, else `LANGUAGE` (default English). A language
//! Anam listens for but this service has no sentences in is spoken by the avatar, while the
//! tools' sentences stay English for the model to say in its own words.

/// A language this service can start a session in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Language(&'static Known);

#[derive(Debug, PartialEq, Eq, Hash)]
struct Known {
    code: &'static str,
    english: &'static str,
    native: &'static str,
}

/// Every language a session can be in: Anam's speech recognition listens for each of these.
const KNOWN: &[Known] = &[
    Known {
        code: "en",
        english: "English",
        native: "English",
    },
    Known {
        code: "de",
        english: "German",
        native: "Deutsch",
    },
    Known {
        code: "fr",
        english: "French",
        native: "français",
    },
    Known {
        code: "es",
        english: "Spanish",
        native: "español",
    },
    Known {
        code: "it",
        english: "Italian",
        native: "italiano",
    },
    Known {
        code: "pt",
        english: "Portuguese",
        native: "português",
    },
    Known {
        code: "nl",
        english: "Dutch",
        native: "Nederlands",
    },
    Known {
        code: "pl",
        english: "Polish",
        native: "polski",
    },
    Known {
        code: "sv",
        english: "Swedish",
        native: "svenska",
    },
    Known {
        code: "da",
        english: "Danish",
        native: "dansk",
    },
    Known {
        code: "no",
        english: "Norwegian",
        native: "norsk",
    },
    Known {
        code: "fi",
        english: "Finnish",
        native: "suomi",
    },
    Known {
        code: "tr",
        english: "Turkish",
        native: "Türkçe",
    },
    Known {
        code: "ru",
        english: "Russian",
        native: "русский",
    },
    Known {
        code: "uk",
        english: "Ukrainian",
        native: "українська",
    },
    Known {
        code: "ja",
        english: "Japanese",
        native: "日本語",
    },
    Known {
        code: "ko",
        english: "Korean",
        native: "한국어",
    },
    Known {
        code: "zh",
        english: "Chinese",
        native: "中文",
    },
    Known {
        code: "hi",
        english: "Hindi",
        native: "हिन्दी",
    },
];

impl Language {
    /// English, the default.
    pub const ENGLISH: Self = Self(&KNOWN[0]);

    /// Every language a session can be in.
    pub fn all() -> impl Iterator<Item = Self> {
        KNOWN.iter().map(Self)
    }

    /// The language a tag names (`de`, `de-AT`, `DE`, `pt_BR`), if a session can be in it.
    pub fn parse(tag: &str) -> Option<Self> {
        let primary = tag.trim().split(['-', '_']).next()?;
        // Norwegian Bokmål and Nynorsk are Norwegian to the recogniser.
        let primary = match primary.to_ascii_lowercase().as_str() {
            "nb" | "nn" => "no".to_owned(),
            other => other.to_owned(),
        };
        KNOWN.iter().find(|k| k.code == primary).map(Self)
    }

    /// The language a URL's query names under `key` (`?lang=de`), when it is one of these.
    pub fn from_query(query: Option<&str>, key: &str) -> Option<Self> {
        form_urlencoded::parse(query.unwrap_or("").as_bytes())
            .find(|(name, _)| name == key)
            .and_then(|(_, value)| Self::parse(&value))
    }

    /// The first language of an `Accept-Language` header, by preference (`q`), that a session
    /// can be in.
    pub fn from_accept_language(header: &str) -> Option<Self> {
        let mut ranked: Vec<(f32, usize, Self)> = header
            .split(',')
            .enumerate()
            .filter_map(|(order, item)| {
                let mut parts = item.split(';');
                let language = Self::parse(parts.next()?)?;
                let q = parts
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())?;
                (q > 0.0).then_some((q, order, language))
            })
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        ranked.first().map(|r| r.2)
    }

    /// The two-letter ISO 639-1 code (the persona's `languageCode`).
    pub fn code(self) -> &'static str {
        self.0.code
    }

    /// Its English name, for the system prompt.
    pub fn english_name(self) -> &'static str {
        self.0.english
    }

    /// Its own name for itself.
    pub fn native_name(self) -> &'static str {
        self.0.native
    }
}

impl std::fmt::Display for Language {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(l: Option<Language>) -> Option<&'static str> {
        l.map(Language::code)
    }

    #[test]
    fn tags_name_their_language_whatever_the_region_or_case() {
        assert_eq!(code(Language::parse("de-AT")), Some("de"));
        assert_eq!(code(Language::parse("PT_br")), Some("pt"));
        assert_eq!(code(Language::parse("nb")), Some("no"));
        assert_eq!(code(Language::parse("xx")), None);
        assert_eq!(code(Language::parse("")), None);
    }

    #[test]
    fn accept_language_is_read_by_preference() {
        assert_eq!(
            code(Language::from_accept_language(
                "fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7"
            )),
            Some("fr")
        );
        assert_eq!(
            code(Language::from_accept_language("xx, es;q=0.5, de;q=0.9")),
            Some("de")
        );
        assert_eq!(code(Language::from_accept_language("en;q=0, *")), None);
        assert_eq!(code(Language::from_accept_language("")), None);
    }
}
