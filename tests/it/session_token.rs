//! `POST /api/session-token` against fake Google and fake Anam.

use crate::common;

use std::collections::HashSet;

use calendar_agent::clock::unix_now;
use calendar_agent::presign::{SignedParams, verify};
use common::ADA;
use common::fake_calendar;
use common::fake_google::requests_to;
use common::{TestApp, assert_error, json_of, spawn_app};
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, ResponseTemplate};

const SESSION: &str = "/v1/auth/session-token";

async fn ready(overrides: &[(&str, &str)]) -> (TestApp, String) {
    let app = spawn_app(overrides).await;
    app.mount_google(3600).await;
    let cookie = app.sign_in(ADA).await;
    (app, cookie)
}

async fn mount_anam_ok(app: &TestApp) {
    Mock::given(method("POST"))
        .and(path(SESSION))
        .and(header("authorization", "Bearer test-anam-key"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"sessionToken": "sess-123"})))
        .mount(&app.google)
        .await;
}

async fn mint(app: &TestApp, cookie: Option<&str>, ip: &str) -> reqwest::Response {
    let mut request = app
        .client
        .post(app.url("/api/session-token"))
        .header("x-forwarded-for", ip);
    if let Some(c) = cookie {
        request = request.header("cookie", c);
    }
    request.send().await.expect("request")
}

#[tokio::test]
async fn without_a_valid_cookie_nothing_is_minted() {
    let (app, _) = ready(&[]).await;
    mount_anam_ok(&app).await;
    for cookie in [None, Some("userId=ada@example.com")] {
        let (status, body) = json_of(mint(&app, cookie, "203.0.113.1").await).await;
        assert_eq!(status, 401, "{cookie:?}");
        assert_eq!(body["error"], "not_signed_in");
    }
    assert!(requests_to(&app.google, SESSION).await.is_empty());
}

#[tokio::test]
async fn a_session_carries_a_persona_whose_tool_urls_verify() {
    let (app, cookie) = ready(&[("TOOL_URL_TTL_SECONDS", "1200")]).await;
    fake_calendar::mount_timezone(&app.google, "America/Los_Angeles").await;
    mount_anam_ok(&app).await;
    let before = unix_now();
    let (status, body) = json_of(mint(&app, Some(&cookie), "203.0.113.1").await).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!({"sessionToken": "sess-123"}));

    let sent = requests_to(&app.google, SESSION).await;
    assert_eq!(sent.len(), 1);
    let persona: Value =
        serde_json::from_slice::<Value>(&sent[0].body).expect("json")["personaConfig"].clone();
    assert_eq!(persona["avatarId"], "avatar-test");
    assert_eq!(persona["voiceId"], "voice-test");
    assert_eq!(persona["llmId"], "llm-test");
    assert_eq!(
        persona["languageCode"], "en",
        "LANGUAGE's default, no Accept-Language"
    );
    assert!(
        persona["systemPrompt"]
            .as_str()
            .unwrap_or("")
            .contains("America/Los_Angeles")
    );

    let mut expiries = HashSet::new();
    // Every tool of docs/api.md's table that is always offered, at its route (get_contacts only
    // when contacts are allowed; create_meeting's URL lives shorter, checked below).
    let routes = [
        "/api/calendar/list-events",
        "/api/calendar/freebusy",
        "/api/calendar/events",
        "/api/calendar/change-proposals",
        "/api/calendar/changes",
        "/api/calendar/invites/respond",
        "/api/calendar/meeting-drafts",
        "/api/calendar/meetings",
    ];
    let all = persona["tools"].as_array().expect("tools");
    let tools: Vec<&Value> = all.iter().filter(|t| t["type"] == "server").collect();
    assert_eq!(tools.len(), routes.len());
    assert_eq!(
        all.last(),
        Some(&json!({"type": "system", "name": "change_language"})),
        "and Anam's system tool to change the language"
    );
    for (tool, route) in tools.iter().zip(routes) {
        let url = tool["url"].as_str().expect("url");
        let (base, query) = url.split_once('?').expect("query");
        assert!(
            !query.contains("lang="),
            "English is said without a lang parameter"
        );
        assert_eq!(base, format!("https://demo.ngrok.app{route}"));
        let params = SignedParams::from_query(Some(query)).expect("params");
        let verified =
            verify(&app.config.signing.presign, base, &params, unix_now()).expect("verifies");
        assert_eq!(verified.uid, ADA);
        if matches!(route, "/api/calendar/meetings" | "/api/calendar/changes") {
            // MEETING_URL_TTL_SECONDS: 900 by default, from the same Start.
            assert!((before + 900..=unix_now() + 900).contains(&verified.exp));
        } else {
            expiries.insert(verified.exp);
        }
        // And the server itself accepts it (the user is connected; the answer is not a 401).
        let (status, _) = json_of(app.post_json(url, &json!({})).await).await;
        assert_ne!(status, 401, "{route}");
    }
    assert_eq!(
        expiries.len(),
        1,
        "one shared expiry for the session's tools"
    );
    let exp = expiries.into_iter().next().unwrap_or(0);
    assert!((before + 1200..=unix_now() + 1200).contains(&exp));
    let required: Vec<Value> = tools
        .iter()
        .map(|t| t["parameters"]["required"].clone())
        .collect();
    assert_eq!(
        required[..3],
        [
            json!([]),
            json!(["window_start", "window_end", "duration_minutes"]),
            json!(["title", "start", "end", "timezone"])
        ]
    );
}

#[tokio::test]
async fn anams_refusal_is_passed_on_with_its_message() {
    let (app, cookie) = ready(&[]).await;
    fake_calendar::mount_timezone(&app.google, "UTC").await;
    Mock::given(method("POST"))
        .and(path(SESSION))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"message": "Avatar not found: avatar-test"})),
        )
        .mount(&app.google)
        .await;
    let (status, body) = json_of(mint(&app, Some(&cookie), "203.0.113.1").await).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "session-token request failed");
    assert_eq!(body["detail"], "Avatar not found: avatar-test");
    assert!(
        body["message"]
            .as_str()
            .unwrap_or("")
            .contains("ANAM_AVATAR_ID")
    );
    assert!(!body.to_string().contains("test-anam-key"));
}

#[tokio::test]
async fn anam_failing_or_unreachable_is_a_502() {
    let (app, cookie) = ready(&[]).await;
    fake_calendar::mount_timezone(&app.google, "UTC").await;
    Mock::given(method("POST"))
        .and(path(SESSION))
        .respond_with(ResponseTemplate::new(503).set_body_string("upstream down"))
        .mount(&app.google)
        .await;
    let (status, body) = json_of(mint(&app, Some(&cookie), "203.0.113.1").await).await;
    assert_eq!(status, 502);
    assert_eq!(body["error"], "session-token request failed");
    assert_eq!(body["detail"], "upstream down");

    let (down, down_cookie) = ready(&[("ANAM_API_BASE_URL", "http://127.0.0.1:9")]).await;
    fake_calendar::mount_timezone(&down.google, "UTC").await;
    let (status, body) = json_of(mint(&down, Some(&down_cookie), "203.0.113.1").await).await;
    assert_eq!(status, 502, "{body}");
    assert_eq!(body["error"], "session-token request failed");
}

#[tokio::test]
async fn missing_anam_settings_are_named() {
    for var in [
        "ANAM_API_KEY",
        "ANAM_AVATAR_ID",
        "ANAM_VOICE_ID",
        "ANAM_LLM_ID",
    ] {
        let (app, cookie) = ready(&[(var, "")]).await;
        let (status, body) = json_of(mint(&app, Some(&cookie), "203.0.113.1").await).await;
        assert_eq!(status, 503, "{var}");
        assert_eq!(body["variable"], var);
        assert!(requests_to(&app.google, SESSION).await.is_empty());
    }
}

#[tokio::test]
async fn a_revoked_grant_is_reported_instead_of_starting_a_useless_session() {
    let (app, cookie) = ready(&[]).await;
    mount_anam_ok(&app).await;
    app.state.store.disconnect(ADA).await.expect("disconnect");
    app.state.google.tokens.forget(ADA).await;
    let (status, body) = json_of(mint(&app, Some(&cookie), "203.0.113.1").await).await;
    assert_error(status, &body, 401, "not_connected");
    assert!(requests_to(&app.google, SESSION).await.is_empty());
}

#[tokio::test]
async fn when_the_calendar_zone_is_unavailable_the_prompt_uses_utc() {
    let (app, cookie) = ready(&[]).await;
    Mock::given(method("GET"))
        .and(path("/calendar/v3/users/me/settings/timezone"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&app.google)
        .await;
    mount_anam_ok(&app).await;
    let (status, _) = json_of(mint(&app, Some(&cookie), "203.0.113.1").await).await;
    assert_eq!(status, 200);
    let sent = requests_to(&app.google, SESSION).await;
    let body: Value = serde_json::from_slice(&sent[0].body).expect("json");
    assert!(
        body["personaConfig"]["systemPrompt"]
            .as_str()
            .unwrap_or("")
            .contains("UTC")
    );
}

#[tokio::test]
async fn a_burst_from_one_user_is_limited_and_another_user_is_not() {
    let (app, ada) = ready(&[]).await;
    fake_calendar::mount_timezone(&app.google, "UTC").await;
    mount_anam_ok(&app).await;
    let mut limited = 0;
    for _ in 0..20 {
        let response = mint(&app, Some(&ada), "203.0.113.1").await;
        if response.status().as_u16() == 429 {
            let retry: u64 = response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse().ok())
                .expect("Retry-After");
            assert!((1..=60).contains(&retry));
            assert_eq!(json_of(response).await.1["error"], "rate_limited");
            limited += 1;
        }
    }
    assert_eq!(limited, 15, "5 per minute allowed");
    assert_eq!(requests_to(&app.google, SESSION).await.len(), 5);

    let eve = app.sign_in("eve@example.com").await;
    let (status, _) = json_of(mint(&app, Some(&eve), "203.0.113.2").await).await;
    assert_eq!(status, 200, "another user on another IP is not throttled");
}

#[tokio::test]
async fn one_ip_cannot_mint_for_many_users_past_the_limit() {
    let (app, ada) = ready(&[("SESSION_TOKEN_RATE_PER_MINUTE", "2")]).await;
    fake_calendar::mount_timezone(&app.google, "UTC").await;
    mount_anam_ok(&app).await;
    let eve = app.sign_in("eve@example.com").await;
    assert_eq!(
        mint(&app, Some(&ada), "198.51.100.5")
            .await
            .status()
            .as_u16(),
        200
    );
    assert_eq!(
        mint(&app, Some(&eve), "198.51.100.5")
            .await
            .status()
            .as_u16(),
        200
    );
    let bob = app.sign_in("bob@example.com").await;
    assert_eq!(
        mint(&app, Some(&bob), "198.51.100.5")
            .await
            .status()
            .as_u16(),
        429
    );
    assert_eq!(
        mint(&app, Some(&bob), "198.51.100.6")
            .await
            .status()
            .as_u16(),
        200
    );
}

/// Mints through the real router as if the TCP peer were `peer` (a load balancer), with the
/// client it names in `X-Forwarded-For`.
async fn mint_behind(app: &TestApp, peer: [u8; 4], cookie: &str, client: &str) -> u16 {
    use axum::extract::connect_info::MockConnectInfo;
    use tower::ServiceExt;
    let router = calendar_agent::app(app.state.clone())
        .layer(MockConnectInfo(std::net::SocketAddr::from((peer, 40_000))));
    let request = axum::http::Request::post("/api/session-token")
        .header("cookie", cookie)
        .header("x-forwarded-for", client)
        .body(axum::body::Body::empty())
        .expect("request");
    router
        .oneshot(request)
        .await
        .expect("answer")
        .status()
        .as_u16()
}

#[tokio::test]
async fn behind_a_trusted_balancer_each_client_has_its_own_allowance() {
    let (app, ada) = ready(&[
        ("SESSION_TOKEN_RATE_PER_MINUTE", "1"),
        ("TRUSTED_PROXIES", "10.0.0.0/8"),
    ])
    .await;
    fake_calendar::mount_timezone(&app.google, "UTC").await;
    mount_anam_ok(&app).await;
    let eve = app.sign_in("eve@example.com").await;
    let balancer = [10, 1, 2, 3];
    assert_eq!(mint_behind(&app, balancer, &ada, "203.0.113.1").await, 200);
    assert_eq!(mint_behind(&app, balancer, &eve, "203.0.113.2").await, 200);
    // The same client again is limited by its own address, not the balancer's.
    let bob = app.sign_in("bob@example.com").await;
    assert_eq!(mint_behind(&app, balancer, &bob, "203.0.113.1").await, 429);
}

#[tokio::test]
async fn behind_an_untrusted_proxy_its_forwarded_for_is_ignored() {
    let (app, ada) = ready(&[("SESSION_TOKEN_RATE_PER_MINUTE", "1")]).await;
    fake_calendar::mount_timezone(&app.google, "UTC").await;
    mount_anam_ok(&app).await;
    let eve = app.sign_in("eve@example.com").await;
    let stranger = [198, 51, 100, 7];
    assert_eq!(mint_behind(&app, stranger, &ada, "203.0.113.1").await, 200);
    // A new X-Forwarded-For from the same peer does not buy a new allowance.
    assert_eq!(mint_behind(&app, stranger, &eve, "203.0.113.2").await, 429);
}

#[tokio::test]
async fn a_configured_session_cap_reaches_anam_and_none_is_sent_otherwise() {
    for (cap, expected) in [(Some("1800"), json!(1800)), (None, Value::Null)] {
        let overrides: Vec<(&str, &str)> = cap
            .map(|c| vec![("ANAM_MAX_SESSION_SECONDS", c)])
            .unwrap_or_default();
        let (app, cookie) = ready(&overrides).await;
        mount_anam_ok(&app).await;
        let (status, body) = json_of(mint(&app, Some(&cookie), "203.0.113.1").await).await;
        assert_eq!(status, 200, "{body}");
        let sent = requests_to(&app.google, SESSION).await;
        let persona =
            &serde_json::from_slice::<Value>(&sent[0].body).expect("json")["personaConfig"];
        assert_eq!(persona["maxSessionLengthSeconds"], expected, "{cap:?}");
    }
}

/// The persona Anam received with the last mint.
async fn last_persona(app: &TestApp) -> Value {
    let sent = requests_to(&app.google, SESSION).await;
    let last = sent.last().expect("a session was asked of Anam");
    serde_json::from_slice::<Value>(&last.body).expect("json")["personaConfig"].clone()
}

/// The URL the persona gives the tool `name`.
fn tool_url(persona: &Value, name: &str) -> String {
    persona["tools"]
        .as_array()
        .and_then(|tools| tools.iter().find(|t| t["name"] == name))
        .and_then(|t| t["url"].as_str())
        .unwrap_or_else(|| panic!("{name} offered"))
        .to_owned()
}

/// POSTs a mint with `accept_language` and an optional `?language=`.
async fn mint_in(app: &TestApp, cookie: &str, accept_language: &str, named: Option<&str>) -> u16 {
    let path = match named {
        Some(code) => format!("/api/session-token?language={code}"),
        None => "/api/session-token".to_owned(),
    };
    app.client
        .post(app.url(&path))
        .header("cookie", cookie)
        .header("accept-language", accept_language)
        .send()
        .await
        .expect("mint")
        .status()
        .as_u16()
}

#[tokio::test]
async fn a_german_browser_gets_a_german_persona_and_its_tool_urls_answer_in_german() {
    let (app, cookie) = ready(&[
        ("ANAM_VOICE_ID_DE", "voice-de"),
        ("VOICE_END_OF_SPEECH_SENSITIVITY", "0.7"),
    ])
    .await;
    fake_calendar::mount_timezone(&app.google, "Europe/Berlin").await;
    mount_anam_ok(&app).await;
    let events = fake_calendar::mount_events(&app.google).await;
    events.put(json!({"id": "meet1", "status": "confirmed", "summary": "Kickoff",
        "organizer": {"email": ADA, "self": true},
        "attendees": [{"email": ADA, "self": true, "organizer": true, "responseStatus": "accepted"},
                      {"email": "sam@example.com", "responseStatus": "accepted"}],
        "start": {"dateTime": "2030-03-05T10:00:00Z"}, "end": {"dateTime": "2030-03-05T11:00:00Z"}}));

    assert_eq!(
        mint_in(&app, &cookie, "de-DE,de;q=0.9,en;q=0.5", None).await,
        200
    );
    let persona = last_persona(&app).await;
    assert_eq!(persona["languageCode"], "de");
    assert_eq!(persona["voiceId"], "voice-de", "the German voice");
    assert_eq!(
        persona["voiceDetectionOptions"],
        json!({"endOfSpeechSensitivity": 0.7})
    );
    let prompt = persona["systemPrompt"].as_str().unwrap_or_default();
    assert!(prompt.contains("speak German (Deutsch)"), "{prompt}");
    assert!(prompt.contains("change_language"), "{prompt}");

    // The user cancels the kickoff; a co-organiser edits it before the user says yes.
    let propose = tool_url(&persona, "propose_change");
    assert!(propose.ends_with("&lang=de"), "{propose}");
    let (status, body) = json_of(
        app.post_json(&propose, &json!({"event_id": "meet1", "action": "cancel"}))
            .await,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let change_id = body["change_id"].as_str().expect("change_id").to_owned();
    let mut edited = events.get("meet1").expect("meet1");
    edited["summary"] = json!("Kickoff (großer Raum)");
    events.put(edited);
    let apply = tool_url(&persona, "apply_change");
    let (status, body) = json_of(
        app.post_json(&apply, &json!({"change_id": change_id}))
            .await,
    )
    .await;
    assert_error(status, &body, 409, "event_changed");
    let message = body["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("Dieser Termin hat sich geändert"),
        "said in German: {message}"
    );
    assert_eq!(events.get("meet1").expect("meet1")["status"], "confirmed");
    assert!(events.emails().is_empty(), "no one told");
}

#[tokio::test]
async fn the_language_named_by_the_page_wins_and_an_unknown_one_falls_back_to_the_setting() {
    let (app, cookie) = ready(&[("LANGUAGE", "es")]).await;
    fake_calendar::mount_timezone(&app.google, "UTC").await;
    mount_anam_ok(&app).await;
    // The avatar changed to French during the last session: the page names it with Start.
    assert_eq!(mint_in(&app, &cookie, "de-DE", Some("fr")).await, 200);
    let persona = last_persona(&app).await;
    assert_eq!(persona["languageCode"], "fr");
    assert_eq!(
        persona["voiceId"], "voice-test",
        "no French voice set: the default"
    );
    assert!(tool_url(&persona, "list_events").ends_with("&lang=fr"));
    // A browser in a language Anam does not list: LANGUAGE.
    assert_eq!(mint_in(&app, &cookie, "xx-YY", None).await, 200);
    assert_eq!(last_persona(&app).await["languageCode"], "es");
    // No sensitivity set: no voiceDetectionOptions at all (Anam's default).
    assert!(
        last_persona(&app)
            .await
            .get("voiceDetectionOptions")
            .is_none()
    );
}

/// A zone whose clock reads about 07:00 now (an `Etc/GMT` zone), so that the rest of today
/// holds twelve events whatever the hour the test runs at.
fn morning_zone() -> String {
    let utc_hour = (unix_now() / 3600 % 24) as i64;
    let mut offset = 7 - utc_hour;
    if offset > 12 {
        offset -= 24;
    }
    if offset < -12 {
        offset += 24;
    }
    // Etc/GMT's sign is inverted: Etc/GMT-3 is three hours ahead of UTC.
    match offset {
        0 => "Etc/GMT".to_owned(),
        o if o > 0 => format!("Etc/GMT-{o}"),
        o => format!("Etc/GMT+{}", -o),
    }
}

#[tokio::test]
async fn the_day_at_start_names_eight_of_twelve_events_in_600_bytes() {
    let (app, cookie) = ready(&[]).await;
    let zone = morning_zone();
    fake_calendar::mount_timezone(&app.google, &zone).await;
    mount_anam_ok(&app).await;
    // Twelve 20-minute meetings from half an hour from now, every 30 minutes.
    let first = unix_now() / 60 * 60 + 1800;
    let at = |s: u64| {
        jiff::Timestamp::from_second(s as i64)
            .expect("time")
            .to_string()
    };
    let items: Vec<Value> = (0..12)
        .map(|i| {
            let start = first + i * 1800;
            json!({"id": format!("e{i}"), "status": "confirmed",
                   "summary": format!("Meeting number {i} with a rather long title to fill the line"),
                   "start": {"dateTime": at(start)}, "end": {"dateTime": at(start + 1200)}})
        })
        .collect();
    fake_calendar::mount_list(&app.google, json!(items)).await;
    let (status, body) = json_of(mint(&app, Some(&cookie), "203.0.113.1").await).await;
    assert_eq!(status, 200, "{body}");
    let prompt = last_persona(&app).await["systemPrompt"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let (_, day) = prompt
        .split_once("The rest of today")
        .unwrap_or_else(|| panic!("the day is in the prompt: {prompt}"));
    let (agenda, _) = day
        .split_once("The next free hour")
        .expect("and the next free hour");
    let named = agenda.matches("Meeting number").count();
    assert!((1..=8).contains(&named), "{named} named: {agenda}");
    assert!(agenda.contains("more"), "the rest counted: {agenda}");
    let lines: usize = agenda.lines().skip(1).map(|l| l.len() + 1).sum();
    assert!(lines <= 600, "{lines} bytes: {agenda}");
    assert!(prompt.contains("You may open the conversation"));
}

#[tokio::test]
async fn with_google_slow_the_mint_goes_without_the_day_within_its_budget() {
    let (app, cookie) = ready(&[]).await;
    fake_calendar::mount_timezone(&app.google, "UTC").await;
    mount_anam_ok(&app).await;
    Mock::given(method("GET"))
        .and(wiremock::matchers::path_regex("/calendars/[^/]+/events$"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"kind": "calendar#events", "items": []}))
                .set_delay(std::time::Duration::from_secs(3)),
        )
        .mount(&app.google)
        .await;
    let started = std::time::Instant::now();
    let (status, body) = json_of(mint(&app, Some(&cookie), "203.0.113.1").await).await;
    let took = started.elapsed();
    assert_eq!(status, 200, "{body}");
    assert!(
        took < std::time::Duration::from_millis(2500),
        "the mint waited {took:?} for a 3 s Google"
    );
    let persona = last_persona(&app).await;
    let prompt = persona["systemPrompt"].as_str().unwrap_or_default();
    assert!(!prompt.contains("The rest of today"), "{prompt}");
    assert!(
        prompt.contains("Language: speak English"),
        "the rest of the prompt is there"
    );
}

#[tokio::test]
async fn with_two_accounts_the_day_holds_both_and_the_prompt_names_them() {
    let (app, cookie) = ready(&[]).await;
    let work = "ada@work.example";
    app.state
        .store
        .add_account(
            ADA,
            work,
            &calendar_agent::secret::Secret::new(common::fake_google::refresh_token_for(work)),
            common::fake_google::GRANTED,
        )
        .await
        .expect("add");
    fake_calendar::mount_timezone(&app.google, "UTC").await;
    mount_anam_ok(&app).await;
    let soon = unix_now() / 60 * 60 + 600;
    let at = |s: u64| {
        jiff::Timestamp::from_second(s as i64)
            .expect("time")
            .to_string()
    };
    let personal = fake_calendar::mount_events_for(&app.google, ADA).await;
    let work_calendar = fake_calendar::mount_events_for(&app.google, work).await;
    personal.put(
        json!({"id": "dentist", "status": "confirmed", "summary": "Dentist",
        "start": {"dateTime": at(soon)}, "end": {"dateTime": at(soon + 300)}}),
    );
    work_calendar.put(
        json!({"id": "standup", "status": "confirmed", "summary": "Standup",
        "start": {"dateTime": at(soon + 300)}, "end": {"dateTime": at(soon + 600)}}),
    );
    let (status, body) = json_of(mint(&app, Some(&cookie), "203.0.113.1").await).await;
    assert_eq!(status, 200, "{body}");
    let prompt = last_persona(&app).await["systemPrompt"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let (_, day) = prompt
        .split_once("The rest of today")
        .unwrap_or_else(|| panic!("the day is in the prompt: {prompt}"));
    assert!(
        day.contains("Dentist") && day.contains("Standup"),
        "both accounts' events: {day}"
    );
    assert!(
        prompt.contains(&format!(
            "several Google accounts: {ADA}, the primary one, and {work}"
        )),
        "{prompt}"
    );
}
