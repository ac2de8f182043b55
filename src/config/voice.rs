//! The session's language and voice: `LANGUAGE`, a voice per language
//! (`ANAM_VOICE_ID_<LANG>`, else `ANAM_VOICE_ID`), and how soon a pause ends the user's turn
//! (`VOICE_END_OF_SPEECH_SENSITIVITY`).

use super::vars::{ConfigError, Read, Vars};
use crate::language::Language;

/// The voice section.
#[derive(Clone, Debug)]
pub struct VoiceConfig {
    /// `LANGUAGE`: the language of a session whose browser names none this service knows.
    pub(crate) language: Language,
    /// `ANAM_VOICE_ID_<LANG>`: the voice for each language that has its own.
    pub(crate) voices: Vec<(Language, String)>,
    /// `VOICE_END_OF_SPEECH_SENSITIVITY` (0 to 1): the persona's
    /// `voiceDetectionOptions.endOfSpeechSensitivity` (unset: Anam's default).
    pub(crate) end_of_speech_sensitivity: Option<f64>,
}

impl VoiceConfig {
    /// Reads the section.
    pub(crate) fn read(vars: &Vars<'_>) -> Read<Self> {
        let language = match vars.get("LANGUAGE") {
            None => Language::ENGLISH,
            Some(code) => Language::parse(&code).ok_or_else(|| {
                let known: Vec<&str> = Language::all().map(Language::code).collect();
                ConfigError::new(
                    "LANGUAGE",
                    format!("`{code}` is not one of {}", known.join(", ")),
                )
            })?,
        };
        let voices = Language::all()
            .filter_map(|l| vars.get(&voice_variable(l)).map(|id| (l, id)))
            .collect();
        let end_of_speech_sensitivity = match vars.get("VOICE_END_OF_SPEECH_SENSITIVITY") {
            None => None,
            Some(v) => match v.parse::<f64>() {
                Ok(n) if (0.0..=1.0).contains(&n) => Some(n),
                _ => {
                    return Err(ConfigError::new(
                        "VOICE_END_OF_SPEECH_SENSITIVITY",
                        format!("`{v}` must be a number from 0 to 1"),
                    ));
                }
            },
        };
        Ok(Self {
            language,
            voices,
            end_of_speech_sensitivity,
        })
    }

    /// The voice configured for `language`, if it has its own.
    pub(crate) fn voice_for(&self, language: Language) -> Option<&str> {
        self.voices
            .iter()
            .find(|(l, _)| *l == language)
            .map(|(_, id)| id.as_str())
    }
}

/// `ANAM_VOICE_ID_DE` for German, and so on.
pub(crate) fn voice_variable(language: Language) -> String {
    format!("ANAM_VOICE_ID_{}", language.code().to_ascii_uppercase())
}
