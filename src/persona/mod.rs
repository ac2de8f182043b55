//! The ephemeral persona minted at Start: avatar, voice, LLM, system prompt and the webhook
//! tools of [`crate::tools::TOOLS`], whose URLs are presigned for this user with one shared
//! expiry. A pure function of its inputs, so its shape is pinned by tests.

use jiff::Timestamp;
use serde_json::{Value, json};

pub mod day;

use crate::calendar::Zone;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::language::Language;
use crate::presign::presign_minted_url;
use crate::tools::{Offered, TOOLS, Tool};

/// The persona's name.
pub(crate) const NAME: &str = "Alex";

/// The ids a persona needs, each of which must be configured.
pub struct PersonaIds<'a> {
    /// `ANAM_AVATAR_ID`.
    pub(crate) avatar_id: &'a str,
    /// `ANAM_VOICE_ID`.
    pub(crate) voice_id: &'a str,
    /// `ANAM_LLM_ID`.
    pub(crate) llm_id: &'a str,
}

impl<'a> PersonaIds<'a> {
    /// The configured ids, or 503 naming the first missing variable.
    pub fn from_config(config: &'a Config) -> Result<Self> {
        let need =
            |value: &'a Option<String>, variable| Error::configured(value.as_deref(), variable);
        Ok(Self {
            avatar_id: need(&config.anam.avatar_id, "ANAM_AVATAR_ID")?,
            voice_id: need(&config.anam.voice_id, "ANAM_VOICE_ID")?,
            llm_id: need(&config.anam.llm_id, "ANAM_LLM_ID")?,
        })
    }
}

/// The system prompt: how to speak (and in which language), when to use which tool (each
/// offered tool's own line), where "today" is for this user, and what is left of it when it
/// could be read at Start.
pub(crate) fn system_prompt(session: &Session<'_>) -> String {
    let (zone, now, contacts) = (session.zone, session.now, session.contacts);
    let local = zone.zoned(now);
    let today = local.strftime("%A, %B %-d, %Y");
    let time = local.strftime("%-I:%M %p");
    let iso_date = local.strftime("%Y-%m-%d");
    let tools: String = offered(contacts)
        .map(|tool| format!("- {}\n", tool.when_to_use))
        .collect();
    let mut prompt = format!(
        "You are {NAME}, a scheduling assistant for one person. You can look at their own Google \
Calendar, find free time in it, put holds and focus time on it, move or cancel the events they \
organize, answer their invitations and set up meetings with other people.

Where and when you are: today is {today} ({iso_date}). It is {time} for the user, whose time \
zone is {tz}. Read words like today, tomorrow, this afternoon or next week from that date and \
time, and pass timezone {tz} to every tool unless the user names another zone.

How to speak: all of your words are turned into speech.
- Say only what should be heard. No markdown, lists, headings, emoji, code or stage directions.
- Keep punctuation to full stops, commas and question marks.
- Never read out timestamps, time zone names, links, ids or JSON. Say times the way people do, \
such as Thursday at half past two, or tomorrow at nine in the morning.
- Before you use a tool, tell the user in a few words what you are about to check or do.

Which tool to use:
{tools}
Meetings with other people, in this order. {people} Then find_free_time with their addresses \
in attendees, and offer at most three slots, naming anyone whose availability is unknown. Then \
draft_meeting, and read it back. Then create_meeting with the draft_id, only after a clear yes.

Changing an event: propose_change, then read back which event, from when to when, and that \
its guests will be told; apply_change only after a clear yes. If it repeats, first ask: just \
this one, this and the following ones, or all of them. When the user needs time to work, offer \
to block it as focus time.

If the page tells you something changed in the calendar, mention it briefly when it matters.

If a tool answers with an error, say its message in your own words. If it asks the user to \
sign in with Google again, tell them to do that on the page and then press Start again.

{language}",
        tz = zone.name,
        language = language_line(session.language),
        people = if contacts {
            "Resolve names to addresses with get_contacts; if it finds several people, ask which \
             one, and if it finds none, ask the user to spell the address."
        } else {
            "Ask the user to spell each person's email address, and repeat it back to them."
        },
    );
    if let Some(line) = accounts_line(session.accounts) {
        prompt.push_str("\n\n");
        prompt.push_str(&line);
    }
    if let Some(day) = session.day {
        prompt.push_str("\n\n");
        prompt.push_str(day);
    }
    prompt
}

/// With several Google accounts: which they are, and where new events go.
fn accounts_line(accounts: &[String]) -> Option<String> {
    let (primary, others) = accounts.split_first()?;
    if others.is_empty() {
        return None;
    }
    Some(format!(
        "The user has connected several Google accounts: {primary}, the primary one, and {}. \
The tools read all of them; each event says its account. New holds and meetings go to the \
primary account; when the user wants one on another account, pass its address as account.",
        others.join(", ")
    ))
}

/// What the prompt says about the language: speak it, and how to change it.
fn language_line(language: Language) -> String {
    let name = language.english_name();
    let own = language.native_name();
    let called = if name == own {
        name.to_owned()
    } else {
        format!("{name} ({own})")
    };
    format!(
        "Language: speak {called} with the user, whatever language the tools' answers are in. \
If the user asks to talk in another language, or speaks one, use change_language, then speak \
that language."
    )
}

/// The tools offered to a user who has (or has not) allowed contacts, in declaration order.
fn offered(contacts: bool) -> impl Iterator<Item = &'static Tool> {
    TOOLS
        .iter()
        .copied()
        .filter(move |tool| tool.offered == Offered::Always || contacts)
}

fn webhook(name: &str, description: &str, url: String, parameters: Value) -> Value {
    json!({
        "type": "server",
        "subtype": "webhook",
        "name": name,
        "description": description,
        "url": url,
        "method": "POST",
        "parameters": parameters,
        "awaitResponse": true,
        "disableInterruptions": true
    })
}

/// What the persona is built for: the user, their zone, the moment, what they allowed, their
/// language and their day.
pub struct Session<'a> {
    /// The user id the tool URLs are signed for.
    pub user_id: &'a str,
    /// Their calendar zone.
    pub zone: &'a Zone,
    /// When Start was pressed, by the store's clock (signed into every tool URL as `iat`).
    pub now: Timestamp,
    /// Whether they allowed contact search (`get_contacts` is offered only then).
    pub contacts: bool,
    /// The session's language.
    pub language: Language,
    /// What is left of today ([`day::section`]), when it could be read in time.
    pub day: Option<&'a str>,
    /// The addresses of their Google accounts, the primary first (said in the prompt only when
    /// there are several).
    pub accounts: &'a [String],
}

/// Anam's system tool that lets the avatar switch the language speech recognition listens for.
fn change_language() -> Value {
    json!({"type": "system", "name": "change_language"})
}

/// The persona config: every tool offered to this user, its URL signed with the current secret
/// and expiring its own life after `now` (`TOOL_URL_TTL_SECONDS`, or the shorter
/// `MEETING_URL_TTL_SECONDS` for the tool that sends invitations).
pub fn persona_config(config: &Config, ids: &PersonaIds<'_>, session: &Session<'_>) -> Value {
    let minted = u64::try_from(session.now.as_second()).unwrap_or(0);
    let language = session.language;
    let sign = |tool: &Tool| {
        let exp = minted + tool.url_life.seconds(config);
        let url = presign_minted_url(
            &config.signing.presign,
            &config.public_url(tool.route),
            session.user_id,
            minted,
            exp,
        );
        // The answers' sentences follow the session's language (not signed: it changes only
        // the words).
        if language == Language::ENGLISH {
            url
        } else {
            format!("{url}&lang={}", language.code())
        }
    };
    let mut tools: Vec<Value> = offered(session.contacts)
        .map(|tool| webhook(tool.name, tool.description, sign(tool), (tool.parameters)()))
        .collect();
    tools.push(change_language());
    let mut persona = json!({
        "name": NAME,
        "avatarId": ids.avatar_id,
        "voiceId": config.voice.voice_for(language).unwrap_or(ids.voice_id),
        "llmId": ids.llm_id,
        "languageCode": language.code(),
        "systemPrompt": system_prompt(session),
        "tools": tools,
    });
    if let Some(sensitivity) = config.voice.end_of_speech_sensitivity {
        persona["voiceDetectionOptions"] = json!({ "endOfSpeechSensitivity": sensitivity });
    }
    // A forgotten tab must not run up the bill: Anam ends the session at this length.
    if let Some(seconds) = config.anam.max_session_seconds {
        persona["maxSessionLengthSeconds"] = json!(seconds);
    }
    persona
}

#[cfg(test)]
mod tests;
