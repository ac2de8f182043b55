//! Unit tests of the persona.

use std::collections::HashMap;

use super::*;
use crate::presign::{SignedParams, verify};

const NOW: &str = "2026-11-22T20:30:00Z";

fn config(extra: &[(&str, &str)]) -> Config {
    let mut vars: HashMap<&str, &str> = [
        ("PRESIGN_SECRET", "persona-test-secret-of-32-bytes-or-more"),
        ("PUBLIC_BASE_URL", "https://demo.ngrok.app/"),
        ("ANAM_AVATAR_ID", "avatar-1"),
        ("ANAM_VOICE_ID", "voice-1"),
        ("ANAM_LLM_ID", "llm-1"),
        ("TOOL_URL_TTL_SECONDS", "900"),
    ]
    .into_iter()
    .collect();
    vars.extend(extra.iter().copied());
    Config::from_lookup(|k| vars.get(k).map(|v| (*v).to_owned())).expect("config")
}

fn build(config: &Config, zone: &str) -> Value {
    build_for(config, zone, false)
}

fn build_for(config: &Config, zone: &str, contacts: bool) -> Value {
    let ids = PersonaIds::from_config(config).expect("ids");
    let zone = Zone::parse(zone, "timezone").expect("zone");
    persona_config(
        config,
        &ids,
        &Session {
            user_id: "a+b@example.com",
            zone: &zone,
            now: NOW.parse().expect("now"),
            contacts,
            language: Language::ENGLISH,
            day: None,
            accounts: &[],
        },
    )
}

/// The webhook tools (the system tool `change_language` aside).
fn webhooks(p: &Value) -> Vec<Value> {
    p["tools"]
        .as_array()
        .expect("tools")
        .iter()
        .filter(|t| t["type"] == "server")
        .cloned()
        .collect()
}

#[test]
fn the_persona_names_the_configured_avatar_voice_and_llm() {
    let p = build(&config(&[]), "UTC");
    assert_eq!(p["name"], "Alex");
    assert_eq!(p["avatarId"], "avatar-1");
    assert_eq!(p["voiceId"], "voice-1");
    assert_eq!(p["llmId"], "llm-1");
}

#[test]
fn every_declared_tool_is_offered_with_its_required_arguments() {
    let p = build(&config(&[]), "UTC");
    let tools = &webhooks(&p);
    let names: Vec<&str> = tools.iter().filter_map(|t| t["name"].as_str()).collect();
    assert_eq!(
        names,
        [
            "list_events",
            "find_free_time",
            "block_time",
            "propose_change",
            "apply_change",
            "respond_to_invite",
            "draft_meeting",
            "create_meeting"
        ],
        "get_contacts only when contacts are allowed"
    );
    // Each offered with its declared schema (derived from the struct its arguments are read
    // into); the three tools of the original cookbook keep its required arguments.
    for tool in tools {
        let declared = crate::tools::TOOLS
            .iter()
            .find(|t| tool["name"] == t.name)
            .map(|t| (t.parameters)());
        assert_eq!(
            Some(&tool["parameters"]),
            declared.as_ref(),
            "{}",
            tool["name"]
        );
    }
    let required: Vec<Value> = tools[..3]
        .iter()
        .map(|t| t["parameters"]["required"].clone())
        .collect();
    assert_eq!(
        required,
        [
            json!([]),
            json!(["window_start", "window_end", "duration_minutes"]),
            json!(["title", "start", "end", "timezone"]),
        ]
    );
}

#[test]
fn every_tool_is_a_blocking_post_webhook_with_typed_described_parameters() {
    let p = build_for(&config(&[]), "UTC", true);
    let tools = &webhooks(&p);
    // Every property a schema names is one its parser reads, and each is described.
    for tool in tools {
        for (name, schema) in tool["parameters"]["properties"]
            .as_object()
            .expect("object")
        {
            assert!(
                schema["type"].is_string(),
                "{}.{name} has a type",
                tool["name"]
            );
            if schema["type"] == "array" {
                assert!(schema["items"]["type"].is_string(), "{name} says its items");
            }
        }
    }
    for tool in tools {
        assert_eq!(tool["type"], "server");
        assert_eq!(tool["subtype"], "webhook");
        assert_eq!(tool["method"], "POST");
        assert_eq!(tool["awaitResponse"], true);
        assert_eq!(tool["disableInterruptions"], true);
        assert_eq!(tool["parameters"]["type"], "object");
        let description = tool["description"].as_str().unwrap_or("");
        assert!(
            (1..=1024).contains(&description.len()),
            "Anam allows 1-1024 characters"
        );
    }
}

#[test]
fn every_tool_url_verifies_for_its_route_and_user_and_lives_its_own_life() {
    // TOOL_URL_TTL_SECONDS 900; MEETING_URL_TTL_SECONDS 300.
    let c = config(&[("MEETING_URL_TTL_SECONDS", "300")]);
    let p = build_for(&c, "UTC", true);
    let now: Timestamp = NOW.parse().expect("now");
    let minted = now.as_second() as u64;
    let tools = &webhooks(&p);
    assert_eq!(
        tools.len(),
        crate::tools::TOOLS.len(),
        "all, contacts allowed"
    );
    for (tool, declared) in tools.iter().zip(crate::tools::TOOLS) {
        let url = tool["url"].as_str().expect("url");
        let (base, query) = url.split_once('?').expect("query");
        assert_eq!(base, format!("https://demo.ngrok.app{}", declared.route));
        let params = SignedParams::from_query(Some(query)).expect("params");
        let verified = verify(&c.signing.presign, base, &params, minted).expect("verifies");
        assert_eq!(verified.uid, "a+b@example.com");
        let life = if matches!(declared.name, "create_meeting" | "apply_change") {
            300
        } else {
            900
        };
        assert_eq!(verified.exp, minted + life, "{}", declared.name);
    }
}

#[test]
fn get_contacts_is_offered_only_when_contacts_are_allowed_and_the_prompt_says_what_to_do() {
    let c = config(&[]);
    let names = |p: &Value| -> Vec<String> {
        p["tools"]
            .as_array()
            .expect("tools")
            .iter()
            .filter_map(|t| t["name"].as_str().map(str::to_owned))
            .collect()
    };
    let without = build_for(&c, "UTC", false);
    assert!(!names(&without).contains(&"get_contacts".to_owned()));
    let prompt = without["systemPrompt"].as_str().expect("prompt");
    assert!(prompt.contains("spell"), "{prompt}");
    assert!(!prompt.contains("get_contacts"), "{prompt}");
    let with = build_for(&c, "UTC", true);
    assert!(names(&with).contains(&"get_contacts".to_owned()));
    let prompt = with["systemPrompt"].as_str().expect("prompt");
    assert!(prompt.contains("get_contacts"), "{prompt}");
    for rule in [
        "draft_meeting",
        "create_meeting",
        "every attendee",
        "clearly says yes",
        "unknown",
    ] {
        assert!(prompt.contains(rule), "{rule}");
    }
}

#[test]
fn the_prompt_places_the_user_in_their_own_day_and_zone() {
    // 20:30 UTC on Sunday the 22nd is 05:30 on Monday the 23rd in Tokyo.
    let p = build(&config(&[]), "Asia/Tokyo");
    let prompt = p["systemPrompt"].as_str().expect("prompt");
    assert!(prompt.contains("Monday, November 23, 2026"), "{prompt}");
    assert!(prompt.contains("2026-11-23"));
    assert!(prompt.contains("5:30 AM"));
    assert!(prompt.contains("Asia/Tokyo"));
    // And the rules that keep it safe and speakable.
    for rule in [
        "block_time",
        "find_free_time",
        "list_events",
        "three",
        "yes",
        "never try to invite",
        "propose_change",
        "apply_change",
        "respond_to_invite",
        "from when to when",
        "this and the following ones",
        "focus time",
        "working hours",
        "declined",
    ] {
        assert!(prompt.contains(rule), "{rule}");
    }
}

#[test]
fn the_prompt_lists_each_offered_tools_own_line_and_no_other() {
    for contacts in [false, true] {
        let p = build_for(&config(&[]), "UTC", contacts);
        let prompt = p["systemPrompt"].as_str().expect("prompt");
        for tool in crate::tools::TOOLS {
            let offered = tool.offered == crate::tools::Offered::Always || contacts;
            assert_eq!(
                prompt.contains(tool.when_to_use),
                offered,
                "{} (contacts {contacts})",
                tool.name
            );
        }
    }
}

#[test]
fn missing_ids_name_the_variable() {
    for var in ["ANAM_AVATAR_ID", "ANAM_VOICE_ID", "ANAM_LLM_ID"] {
        let mut vars = vec![
            ("PRESIGN_SECRET", "persona-test-secret-of-32-bytes-or-more"),
            ("ANAM_AVATAR_ID", "a"),
            ("ANAM_VOICE_ID", "v"),
            ("ANAM_LLM_ID", "l"),
        ];
        vars.retain(|(k, _)| *k != var);
        let map: HashMap<&str, &str> = vars.into_iter().collect();
        let c = Config::from_lookup(|k| map.get(k).map(|v| (*v).to_owned())).expect("config");
        match PersonaIds::from_config(&c) {
            Err(Error::Service(crate::error::Service::NotConfigured { variable })) => {
                assert_eq!(variable, var)
            }
            _ => panic!("{var} should be reported missing"),
        }
    }
}

#[test]
fn the_session_length_cap_is_sent_only_when_configured() {
    let p = build(&config(&[]), "UTC");
    assert!(
        p.get("maxSessionLengthSeconds").is_none(),
        "Anam's own limit applies"
    );
    let p = build(&config(&[("ANAM_MAX_SESSION_SECONDS", "900")]), "UTC");
    assert_eq!(p["maxSessionLengthSeconds"], 900);
}

#[test]
fn several_accounts_are_named_in_the_prompt_with_the_primary_first_and_one_is_not() {
    let zone = Zone::parse("UTC", "timezone").expect("zone");
    let prompt_with = |accounts: &[String]| {
        system_prompt(&Session {
            user_id: "ada@example.com",
            zone: &zone,
            now: NOW.parse().expect("now"),
            contacts: false,
            language: Language::ENGLISH,
            day: None,
            accounts,
        })
    };
    let two = ["ada@work.example".to_owned(), "ada@example.com".to_owned()];
    let prompt = prompt_with(&two);
    assert!(
        prompt.contains(
            "several Google accounts: ada@work.example, the primary one, and ada@example.com"
        ),
        "{prompt}"
    );
    assert!(prompt.contains("pass its address as account"), "{prompt}");
    let one = ["ada@example.com".to_owned()];
    assert_eq!(
        prompt_with(&one),
        prompt_with(&[]),
        "one account: nothing said"
    );
    assert!(!prompt_with(&one).contains("Google accounts"));
}
