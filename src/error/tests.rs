use super::*;
use axum::body::to_bytes;

async fn body_of(error: Error) -> (StatusCode, serde_json::Value, Option<HeaderValue>) {
    let response = error.into_response();
    let status = response.status();
    let retry = response.headers().get(header::RETRY_AFTER).cloned();
    let bytes = to_bytes(response.into_body(), 1 << 16).await.expect("body");
    (status, serde_json::from_slice(&bytes).expect("json"), retry)
}

#[tokio::test]
async fn every_error_is_json_with_error_and_message() {
    let (status, body, _) = body_of(Error::internal("db exploded at 0x1")).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(body["error"], "internal_error");
    // The cause stays in the log.
    assert!(!body.to_string().contains("0x1"));
}

#[tokio::test]
async fn invalid_argument_names_the_argument() {
    let (status, body, _) = body_of(Error::invalid(
        "duration_minutes",
        "duration_minutes must be a positive number of minutes.",
    ))
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["argument"], "duration_minutes");
    assert!(
        body["message"]
            .as_str()
            .unwrap_or("")
            .contains("duration_minutes")
    );
}

#[tokio::test]
async fn rate_limited_rounds_retry_after_up_to_whole_seconds() {
    let (status, _, retry) = body_of(Error::Input(Input::RateLimited {
        retry_after: Duration::from_millis(1200),
    }))
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(retry, Some(HeaderValue::from(2u64)));
}

type Case = (Error, u16, &'static str, Option<&'static str>, Option<u64>);

/// Every variant: status, reason, its extra body key, `Retry-After`.
#[rustfmt::skip]
fn every_variant() -> Vec<Case> {
    use crate::scopes::Permission;
    use crate::presign::VerifyError;
    let wait = Duration::from_secs(90);
    vec![
        (Auth::Presign(VerifyError::Expired { exp: 1, now: 2 }).into(), 401, "url_expired", None, None),
        (Auth::Presign(VerifyError::WrongSignature).into(), 401, "invalid_signature", None, None),
        (Auth::Presign(VerifyError::Missing("sig")).into(), 401, "missing_signature", None, None),
        (Auth::Presign(VerifyError::BeyondLife { exp: 9, latest: 1 }).into(), 401, "url_too_long_lived", None, None),
        (Auth::MeetingUrlExpired.into(), 401, "url_expired", None, None),
        (Auth::SignedOut.into(), 401, "signed_out", None, None),
        (Auth::NotSignedIn.into(), 401, "not_signed_in", None, None),
        (Auth::NotConnected.into(), 401, "not_connected", None, None),
        (Auth::ReauthRequired.into(), 401, "google_reauth_required", None, None),
        (Auth::InvalidOAuthState("oauth_state_used").into(), 400, "invalid_oauth_state", None, None),
        (Auth::BadChannelToken.into(), 401, "invalid_channel_token", None, None),
        (Auth::Forbidden("forbidden_foreign_origin").into(), 403, "forbidden", None, None),
        (Error::invalid("start", "say"), 400, "invalid_argument", Some("argument"), None),
        (Input::InvalidJson("x".into()).into(), 400, "invalid_json", None, None),
        (Input::UnsupportedMediaType.into(), 415, "unsupported_media_type", None, None),
        (Input::PayloadTooLarge.into(), 413, "payload_too_large", None, None),
        (Input::RateLimited { retry_after: wait }.into(), 429, "rate_limited", None, Some(90)),
        (Input::InviteLimit { per_hour: 20, retry_after: wait }.into(), 429, "invite_limit", None, Some(90)),
        (Input::NotFound.into(), 404, "not_found", None, None),
        (Input::MethodNotAllowed.into(), 405, "method_not_allowed", None, None),
        (Action::DraftUnusable("unusable_expired").into(), 404, "draft_not_found", None, None),
        (Action::InProgress("sending_change").into(), 409, "in_progress", None, None),
        (Action::ChangeUnusable("unusable_already_sent").into(), 404, "change_not_found", None, None),
        (Action::NotOrganizer.into(), 403, "not_organizer", None, None),
        (Action::EventChanged.into(), 409, "event_changed", None, None),
        (Action::KindNotAvailable("kind_focus").into(), 400, "kind_not_available", None, None),
        (Action::WorkingLocationNotAvailable.into(), 400, "kind_not_available", None, None),
        (Action::SeriesChangeUnsupported(crate::messages::Said::key("series_uncountable")).into(), 400, "series_change_unsupported", None, None),
        (Action::AccountUnknown.into(), 404, "account_not_found", None, None),
        (Action::AccountLast.into(), 409, "account_last", None, None),
        (Action::AccountTaken.into(), 409, "account_taken", None, None),
        (Action::AlreadyCancelled { moving: false }.into(), 409, "already_cancelled", None, None),
        (Action::AlreadyCancelled { moving: true }.into(), 409, "already_cancelled", None, None),
        (Error::google("events.list", Some(500), "x"), 502, "google_error", None, None),
        (GoogleError::ScopeMissing { missing: vec![Permission::Events] }.into(), 403, "google_scope_missing", Some("missing"), None),
        (GoogleError::ScopeMissing { missing: Permission::CONTACTS.to_vec() }.into(), 403, "google_scope_missing", Some("missing"), None),
        (GoogleError::RateLimited { what: "x", detail: "y".into(), retry_after: None }.into(), 503, "google_rate_limited", None, Some(30)),
        (GoogleError::Forbidden { what: "x", detail: "y".into() }.into(), 403, "google_forbidden", None, None),
        (GoogleError::Timeout { what: "x" }.into(), 504, "google_timeout", None, None),
        (Service::Anam { status: Some(401), detail: "bad key".into(), retry_after: None }.into(), 401, "session-token request failed", Some("detail"), None),
        (Service::Anam { status: Some(404), detail: "no avatar".into(), retry_after: None }.into(), 404, "session-token request failed", Some("detail"), None),
        (Service::Anam { status: Some(503), detail: "down".into(), retry_after: None }.into(), 502, "session-token request failed", Some("detail"), None),
        (Service::Anam { status: Some(429), detail: "slow".into(), retry_after: Some(wait) }.into(), 429, "session-token request failed", Some("detail"), Some(90)),
        (Service::NotConfigured { variable: "ANAM_API_KEY" }.into(), 503, "not_configured", Some("variable"), None),
        (Service::StoreUnavailable("down".into()).into(), 503, "store_unavailable", None, Some(5)),
        (Service::Draining.into(), 503, "draining", None, None),
        (Error::internal("x"), 500, "internal_error", None, None),
    ]
}

/// The grouping by area changed no status, reason, body key or header the contract names
/// (docs/api.md, Errors).
#[tokio::test]
async fn every_variant_keeps_its_status_reason_and_headers() {
    for (error, status, reason, extra, retry) in every_variant() {
        let shown = format!("{error:?}");
        let (got, body, retry_after) = body_of(error).await;
        assert_eq!(got.as_u16(), status, "{shown}");
        assert_eq!(body["error"], reason, "{shown}");
        assert!(
            !body["message"].as_str().unwrap_or_default().is_empty(),
            "{shown}"
        );
        let keys = body.as_object().map_or(0, |o| o.len());
        assert_eq!(keys, 2 + usize::from(extra.is_some()), "{shown}: {body}");
        if let Some(key) = extra {
            assert!(!body[key].is_null(), "{shown}: {key}");
        }
        let retry_after = retry_after.and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
        assert_eq!(retry_after, retry, "{shown}");
    }
}

/// Every refusal the code can produce is said from a table, in each translated language, with
/// its values filled in; the translated languages do not fall back to English.
#[test]
fn every_refusal_has_a_sentence_in_every_language() {
    let english = Language::ENGLISH;
    for (error, ..) in every_variant() {
        let parts = error.parts();
        assert!(
            crate::messages::sentence(english, parts.key, &[]).is_some(),
            "{error:?}: no sentence keyed {}",
            parts.key
        );
        let said = Some(parts.message(english));
        for code in crate::messages::TRANSLATED {
            let language = Language::parse(code).expect("known");
            let message = parts.message(language);
            assert!(!message.contains('{'), "{code} {}: {message}", parts.key);
            if code != "en" {
                assert_ne!(Some(message), said, "{code} {}: still English", parts.key);
            }
        }
    }
}

/// The answer of a German session is German, with the same status, reason and headers.
#[tokio::test]
async fn a_refusal_answers_in_the_sessions_language() {
    let german = Language::parse("de").expect("known");
    let response = Error::from(Action::EventChanged).into_response_in(german);
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let bytes = to_bytes(response.into_body(), 1 << 16).await.expect("body");
    let body: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
    assert_eq!(body["error"], "event_changed");
    let message = body["message"].as_str().unwrap_or_default();
    assert!(message.contains("Termin"), "{message}");
}

/// What is wrong with an argument is said in the session's language too, the argument named
/// as the schema spells it, whether the domain, a tool or an argument type found it.
#[test]
fn an_argument_refused_is_explained_in_the_sessions_language() {
    use crate::messages::Said;
    let german = Language::parse("de").expect("known");
    let spanish = Language::parse("es").expect("known");
    let error = Error::invalid("end", Said::key("end_after_start"));
    assert_eq!(
        error.parts().message(Language::ENGLISH),
        "end must be after start."
    );
    assert_eq!(
        error.parts().message(german),
        "Eine Angabe ist ungültig: end muss nach start liegen."
    );
    let window: Error = crate::calendar::Window::new(
        "2030-01-02T00:00:00Z".parse().expect("ts"),
        "2030-01-01T00:00:00Z".parse().expect("ts"),
    )
    .expect_err("backwards")
    .into();
    assert!(
        window
            .parts()
            .message(spanish)
            .contains("debe ser posterior a window_start")
    );
    // Carried through serde as text and read back with the argument's name.
    let said = Said::key("arg_too_long").var("max", 200);
    assert_eq!(Said::decode(&said.encode()), Some(said));
    assert_eq!(Said::decode("invalid type: integer"), None);
    assert_eq!(Said::decode("\u{1}no_such_key"), None);
}

/// A refused change to a series says how it repeats, and until when, as the language says it.
#[test]
fn a_series_refusal_says_the_rule_and_its_date_in_the_sessions_language() {
    use crate::calendar::series::Repeats;
    use crate::messages::Said;
    let rule = Repeats::of(&["RRULE:FREQ=WEEKLY;BYDAY=MO;UNTIL=20300305T000000Z".to_owned()]);
    let error: Error = Action::SeriesChangeUnsupported(
        Said::key("series_wrong_day").var_said("words", Said::Repeats(rule)),
    )
    .into();
    let said = |code: &str| error.parts().message(Language::parse(code).expect("known"));
    assert!(
        said("en").contains("repeats every Monday until 5 March 2030"),
        "{}",
        said("en")
    );
    assert!(
        said("en").ends_with("Nothing was changed."),
        "{}",
        said("en")
    );
    assert!(
        said("de").contains("wiederholt sich jeden Montag bis zum 5. März 2030"),
        "{}",
        said("de")
    );
    assert!(
        said("fr").contains("se répète chaque lundi jusqu'au 5 mars 2030"),
        "{}",
        said("fr")
    );
    assert!(
        said("es").contains("se repite cada lunes hasta el 5 de marzo de 2030"),
        "{}",
        said("es")
    );
}

/// The words said inside a refusal (why a draft cannot be sent, what is being sent, which kind
/// of entry) are in the session's language too.
#[test]
fn the_words_inside_a_refusal_follow_the_sessions_language() {
    let german = Language::parse("de").expect("known");
    let french = Language::parse("fr").expect("known");
    let expired: Error = Action::DraftUnusable("unusable_expired").into();
    assert!(
        expired
            .parts()
            .message(german)
            .contains("sie gelten 15 Minuten, und dieser ist abgelaufen")
    );
    assert!(
        expired
            .parts()
            .message(Language::ENGLISH)
            .contains("they last 15 minutes")
    );
    let sending: Error = Action::InProgress("sending_change").into();
    assert!(
        sending
            .parts()
            .message(french)
            .contains("cette modification")
    );
    let focus: Error = Action::KindNotAvailable("kind_focus").into();
    assert!(focus.parts().message(german).contains("Fokuszeit"));
    assert!(
        focus
            .parts()
            .message(Language::ENGLISH)
            .contains("does not offer focus time")
    );
}

/// The permissions a grant lacks are named in the session's language, joined as it joins a list.
#[test]
fn the_permissions_missing_are_named_in_the_sessions_language() {
    let missing: Error = GoogleError::ScopeMissing {
        missing: vec![
            crate::scopes::Permission::Availability,
            crate::scopes::Permission::Calendars,
        ],
    }
    .into();
    let said = |code: &str| {
        missing
            .parts()
            .message(Language::parse(code).expect("known"))
    };
    assert!(
        said("en").contains("see when you are free or busy and see the list of your calendars"),
        "{}",
        said("en")
    );
    assert!(
        said("de").contains(
            "zu sehen, wann du frei oder beschäftigt bist und die Liste deiner Kalender zu sehen"
        ),
        "{}",
        said("de")
    );
    assert!(
        said("es").contains("ver cuándo estás libre u ocupado y ver la lista de tus calendarios"),
        "{}",
        said("es")
    );
}
