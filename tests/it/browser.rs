//! The page in a real browser: headless Chromium (Debian's package) driven by playwright-core
//! (`tests/browser/page.spec.mjs`) against the real server, with wiremock as Google and Anam's
//! API and the real Anam SDK build from the npm registry. Screenshots go to
//! `target/screenshots/`.
//!
//! Needs `/usr/bin/chromium`, Node, and `tests/browser/setup.sh` to have run. Without them the
//! test says so and passes, except in CI (`CI=true`), where it must run.

use crate::common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::ADA;
use common::fake_calendar;
use common::fake_google;
use common::fake_google::requests_to;
use common::{TestApp, spawn_app};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, Request, Respond, ResponseTemplate};

/// A session token shaped like Anam's (the SDK decodes it as a JWT and reads `accountId`).
fn session_token() -> String {
    use base64::Engine;
    let part = |v: serde_json::Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    format!(
        "{}.{}.browser-test-signature",
        part(json!({"alg": "HS256", "typ": "JWT"})),
        part(json!({"accountId": "acct-browser-test", "type": "ephemeral"}))
    )
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn sdk_file() -> PathBuf {
    root().join("target/anam-sdk/4.27.0/package/dist/umd/anam.js")
}

/// What is missing for this test, if anything.
fn missing_prerequisite() -> Option<String> {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).exists() {
        return Some(format!(
            "{chromium} (apt-get install chromium chromium-driver)"
        ));
    }
    if std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_err()
    {
        return Some("node".into());
    }
    if !root()
        .join("tests/browser/node_modules/playwright-core")
        .exists()
        || !sdk_file().exists()
    {
        return Some("playwright-core and the Anam SDK (run tests/browser/setup.sh)".into());
    }
    None
}

/// Google's consent screen, approved at once: back to `redirect_uri` with a code and the state.
struct InstantConsent;

impl Respond for InstantConsent {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let param = |name: &str| {
            request
                .url
                .query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        };
        // Asked to let the user choose (adding an account), they choose their work account.
        let chosen = if param("prompt").contains("select_account") {
            WORK
        } else {
            ADA
        };
        let back = format!(
            "{}?code={}&state={}",
            param("redirect_uri"),
            fake_google::code_for(chosen),
            param("state")
        );
        ResponseTemplate::new(302).insert_header("location", back.as_str())
    }
}

/// Skips (outside CI) when the browser tooling is missing; true if the test should run.
fn can_run() -> bool {
    if let Some(missing) = missing_prerequisite() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI must run the browser test; missing: {missing}"
        );
        eprintln!("SKIPPED: the browser test needs {missing}");
        return false;
    }
    true
}

/// The app as a browser meets it: Google's consent approves at once, Anam's API mints a
/// JWT-shaped session token, and the real SDK build is served from the mock.
async fn browser_app(overrides: &[(&str, &str)]) -> TestApp {
    let mut all = vec![
        ("GOOGLE_REDIRECT_URI", "{app}/api/auth/google/callback"),
        ("GOOGLE_AUTH_URL", "{google}/o/oauth2/v2/auth"),
        ("ANAM_SDK_URL", "{google}/sdk/anam.js"),
    ];
    all.extend_from_slice(overrides);
    let app = spawn_app(&all).await;
    Mock::given(method("GET"))
        .and(path("/o/oauth2/v2/auth"))
        .respond_with(InstantConsent)
        .mount(&app.google)
        .await;
    app.mount_google(3600).await;
    Mock::given(method("POST"))
        .and(path("/v1/auth/session-token"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"sessionToken": session_token()})),
        )
        .mount(&app.google)
        .await;
    let sdk = std::fs::read(sdk_file()).expect("SDK file");
    Mock::given(method("GET"))
        .and(path("/sdk/anam.js"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "text/javascript")
                .set_body_bytes(sdk),
        )
        .mount(&app.google)
        .await;
    app
}

/// Runs a spec under `tests/browser/` with `env`, printing what it says; `on_line` sees each
/// line of its output as it comes (to act when the spec asks).
async fn run_spec<F, Fut>(spec: &str, env: &[(&str, String)], mut on_line: F)
where
    F: FnMut(String) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    use tokio::io::{AsyncBufReadExt, BufReader};
    let mut command = tokio::process::Command::new("node");
    command
        .arg(format!("tests/browser/{spec}"))
        .current_dir(root())
        .env("SCREENSHOT_DIR", root().join("target/screenshots"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true);
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command.spawn().expect("node ran");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut stderr = child.stderr.take().expect("stderr");
    let mut said = String::new();
    let run = async {
        while let Some(line) = lines.next_line().await.expect("read the spec's output") {
            println!("{line}");
            said.push_str(&line);
            said.push('\n');
            on_line(line).await;
        }
        let mut errors = String::new();
        tokio::io::AsyncReadExt::read_to_string(&mut stderr, &mut errors)
            .await
            .expect("stderr");
        (child.wait().await.expect("node exit"), errors)
    };
    let (status, errors) = tokio::time::timeout(Duration::from_secs(120), run)
        .await
        .expect("the browser test finished within 120 s");
    assert!(status.success(), "{spec} failed:\n{said}\n{errors}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and playwright-core (tests/browser/setup.sh); cargo test -- --include-ignored"]
async fn the_page_signs_in_shows_the_week_and_fails_readably_without_anam() {
    if !can_run() {
        return;
    }
    let app = browser_app(&[("PUBLIC_BASE_URL", "{app}")]).await;
    fake_calendar::mount_timezone(&app.google, "Europe/London").await;
    // An event in the week the page opens on, wherever "now" is.
    let tuesday = this_monday("Europe/London")
        .checked_add(jiff::ToSpan::days(1))
        .expect("day");
    fake_calendar::mount_list(
        &app.google,
        json!([{"id": "d1", "summary": "Dentist", "start": {"dateTime": format!("{tuesday}T10:00:00Z")},
                "end": {"dateTime": format!("{tuesday}T10:30:00Z")}}]),
    )
    .await;
    let unconfigured = spawn_app(&[("ANAM_API_KEY", "")]).await;
    run_spec(
        "page.spec.mjs",
        &[
            ("APP_URL", app.address.clone()),
            ("APP_URL_UNCONFIGURED", unconfigured.address.clone()),
            ("EXPECT_EMAIL", ADA.into()),
            ("EXPECT_BOOKING", "Dentist".into()),
            ("SESSION_TOKEN", session_token()),
        ],
        |_| async {},
    )
    .await;
    let minted = requests_to(&app.google, "/v1/auth/session-token").await;
    assert_eq!(minted.len(), 1);
    let persona = serde_json::from_slice::<serde_json::Value>(&minted[0].body)
        .expect("json")["personaConfig"]
        .clone();
    assert_eq!(
        persona["languageCode"], "de",
        "the German browser's language reached the persona"
    );
    assert!(
        fake_calendar::requests_to(&app.google, "/calendars/primary/events/watch")
            .await
            .is_empty(),
        "over http no channel is opened"
    );
}

/// Ada's work account, which the consent screen picks when asked to let the user choose.
const WORK: &str = "ada@work.example";

/// Two Google accounts on the page: listed, both accounts' events in the week (each naming its
/// account), one made primary and removed, through the real page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and playwright-core (tests/browser/setup.sh); cargo test -- --include-ignored"]
async fn the_page_lists_two_accounts_and_the_week_shows_both() {
    if !can_run() {
        return;
    }
    let app = browser_app(&[("PUBLIC_BASE_URL", "{app}")]).await;
    let personal = fake_calendar::mount_events_for(&app.google, ADA).await;
    let work = fake_calendar::mount_events_for(&app.google, WORK).await;
    let tuesday = this_monday("UTC")
        .checked_add(jiff::ToSpan::days(1))
        .expect("day");
    let at = |hour: &str| format!("{tuesday}T{hour}:00Z");
    personal.put(
        json!({"id": "dentist", "status": "confirmed", "summary": "Dentist",
        "start": {"dateTime": at("10:00")}, "end": {"dateTime": at("10:30")}}),
    );
    work.put(
        json!({"id": "standup", "status": "confirmed", "summary": "Standup",
        "start": {"dateTime": at("09:00")}, "end": {"dateTime": at("09:15")}}),
    );
    run_spec(
        "accounts.spec.mjs",
        &[
            ("APP_URL", app.address.clone()),
            ("PERSONAL", ADA.into()),
            ("WORK", WORK.into()),
            ("PERSONAL_EVENT", "Dentist".into()),
            ("WORK_EVENT", "Standup".into()),
        ],
        |_| async {},
    )
    .await;
    let revoked = fake_google::revoked_tokens(&app.google).await;
    assert_eq!(
        revoked,
        [fake_google::refresh_token_for(WORK)],
        "the removed account's grant revoked"
    );
}

/// The Monday of this week in `zone`.
fn this_monday(zone: &str) -> jiff::civil::Date {
    let today = jiff::Timestamp::now().in_tz(zone).expect("zone").date();
    today
        .checked_sub(jiff::ToSpan::days(i64::from(
            today.weekday().to_monday_zero_offset(),
        )))
        .expect("monday")
}

/// The week view in a real browser: events at the right hours of the user's zone (Tokyo, with
/// the browser in Los Angeles and the machine elsewhere), find_free_time's slots highlighted
/// from a TOOL_CALL_COMPLETED the real SDK client emits, and a push notification redrawing the
/// grid with no reload. The public URL is https, as with a tunnel, so the page listens.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and playwright-core (tests/browser/setup.sh); cargo test -- --include-ignored"]
async fn the_week_view_shows_the_users_hours_highlights_slots_and_follows_pushes() {
    if !can_run() {
        return;
    }
    let app = browser_app(&[("PUBLIC_BASE_URL", "https://demo.ngrok.app")]).await;
    fake_calendar::mount_timezone(&app.google, "Asia/Tokyo").await;
    fake_calendar::mount_watch(&app.google, 7 * 86_400).await;
    let feed = fake_calendar::mount_feed(&app.google).await;
    let monday = this_monday("Asia/Tokyo");
    let day = |n: i64| {
        monday
            .checked_add(jiff::ToSpan::days(n))
            .expect("day")
            .to_string()
    };
    // 10:00-11:30 Tokyo on Tuesday (01:00Z), two overlapping on Thursday, one all-day.
    feed.put(json!({"id": "e1", "summary": "Dentist", "htmlLink": "https://calendar.google.com/e1",
        "start": {"dateTime": format!("{}T01:00:00Z", day(1))}, "end": {"dateTime": format!("{}T02:30:00Z", day(1))}}));
    feed.put(json!({"id": "e2", "summary": "Design review", "start": {"dateTime": format!("{}T14:00:00+09:00", day(3))},
        "end": {"dateTime": format!("{}T15:00:00+09:00", day(3))},
        "organizer": {"email": ADA, "self": true},
        "attendees": [{"email": ADA, "self": true, "responseStatus": "accepted"},
                      {"email": "sam@example.com", "responseStatus": "declined"},
                      {"email": "kim@example.com", "displayName": "Kim", "responseStatus": "accepted"}]}));
    feed.put(json!({"id": "e3", "summary": "Focus", "start": {"dateTime": format!("{}T14:30:00+09:00", day(3))},
        "end": {"dateTime": format!("{}T16:00:00+09:00", day(3))},
        "extendedProperties": {"private": {"createdBy": "calendar-agent"}}}));
    feed.put(json!({"id": "e4", "summary": "Offsite", "start": {"date": day(4)}, "end": {"date": day(5)}}));
    // Next week: a series on Monday, Tuesday, Thursday and Friday at 11:00 Tokyo.
    for n in [7, 8, 10, 11] {
        let on = day(n);
        feed.put(json!({"id": format!("ds_{}T020000Z", on.replace('-', "")), "summary": "Design sync",
            "recurringEventId": "ds", "organizer": {"email": ADA, "self": true},
            "start": {"dateTime": format!("{on}T11:00:00+09:00")}, "end": {"dateTime": format!("{on}T12:00:00+09:00")}}));
    }

    let pushed = std::sync::atomic::AtomicBool::new(false);
    let (app_ref, feed_ref, pushed_ref) = (&app, &feed, &pushed);
    let (wednesday, friday, next_thursday) = (day(2), day(4), day(10));
    run_spec(
        "week.spec.mjs",
        &[
            ("APP_URL", app.address.clone()),
            ("MONDAY", monday.to_string()),
            ("NEXT_MONDAY", day(7)),
        ],
        move |line| {
            let (wednesday, friday, next_thursday) =
                (wednesday.clone(), friday.clone(), next_thursday.clone());
            async move {
                let number = match line.trim() {
                    "waiting for a push" => {
                        // Someone adds an event in Google Calendar; Google tells the server.
                        feed_ref.put(json!({"id": "e5", "summary": "Board call",
                            "start": {"dateTime": format!("{wednesday}T16:00:00+09:00")},
                            "end": {"dateTime": format!("{wednesday}T17:00:00+09:00")}}));
                        "2"
                    }
                    "waiting for a decline" => {
                        // Kim declines next week's planning (next week: a meeting that has
                        // ended is never announced, and this week's Thursday may be over).
                        feed_ref.put(json!({"id": "e6", "summary": "Planning",
                            "start": {"dateTime": format!("{next_thursday}T14:00:00+09:00")},
                            "end": {"dateTime": format!("{next_thursday}T15:00:00+09:00")},
                            "organizer": {"email": ADA, "self": true},
                            "attendees": [{"email": ADA, "self": true, "responseStatus": "accepted"},
                                          {"email": "kim@example.com", "displayName": "Kim", "responseStatus": "declined"}]}));
                        "3"
                    }
                    "waiting for a late push" => {
                        // Someone adds an event on this week's Friday while the page is on
                        // its way back to this week.
                        feed_ref.put(json!({"id": "e7", "summary": "Retro",
                            "start": {"dateTime": format!("{friday}T11:00:00+09:00")},
                            "end": {"dateTime": format!("{friday}T12:00:00+09:00")}}));
                        "4"
                    }
                    _ => return,
                };
                let watch = fake_calendar::requests_to(&app_ref.google, "/calendars/primary/events/watch")
                    .await
                    .into_iter()
                    .next()
                    .expect("the open page got its calendar watched");
                let body: serde_json::Value = serde_json::from_slice(&watch.body).expect("body");
                let status = app_ref
                    .client
                    .post(app_ref.url("/api/google/notifications"))
                    .header("x-goog-channel-id", body["id"].as_str().unwrap_or_default())
                    .header("x-goog-channel-token", body["token"].as_str().unwrap_or_default())
                    .header("x-goog-message-number", number)
                    .header("x-goog-resource-state", "exists")
                    .send()
                    .await
                    .expect("notification")
                    .status();
                assert_eq!(status.as_u16(), 200);
                pushed_ref.store(true, std::sync::atomic::Ordering::SeqCst);
            }
        },
    )
    .await;
    assert!(
        pushed.load(std::sync::atomic::Ordering::SeqCst),
        "the spec asked for a push"
    );
}
