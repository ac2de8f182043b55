//! Several Google accounts per person: Ada's personal account (the one she signed in with) and
//! her work account, each with its own stand-in calendar answering only its own token. Reads
//! cover both, writes land on the right one, and the page adds, lists, promotes and removes
//! accounts. What each stand-in calendar holds afterwards is the assertion.

use crate::common::fake_calendar::{self, Events, calendar_requests, mount_events_for};
use crate::common::fake_google::{self, refresh_token_for};
use crate::common::routes::{APPLY, BLOCK, FREE, LIST, PROPOSE, RESPOND};
use crate::common::{
    ADA, TestApp, assert_error, cookie_pair, json_of, location, query_param, spawn_with_user,
};
use calendar_agent::clock::unix_now;
use calendar_agent::secret::Secret;
use serde_json::{Value, json};
use wiremock::matchers::{header_regex, method, path};
use wiremock::{Mock, Request, Respond, ResponseTemplate};

/// Ada's work account.
const WORK: &str = "ada@work.example";
/// The page's origin in tests.
const ORIGIN: &str = "http://localhost:3000";

/// Ada signed in with her personal account, her work account added, each with its calendar.
async fn two_accounts() -> (TestApp, Events, Events) {
    let app = spawn_with_user(&[], ADA).await;
    add(&app, WORK, &refresh_token_for(WORK)).await;
    let personal = mount_events_for(&app.google, ADA).await;
    let work = mount_events_for(&app.google, WORK).await;
    (app, personal, work)
}

/// Stores `email` as one of Ada's accounts with `refresh_token`.
async fn add(app: &TestApp, email: &str, refresh_token: &str) {
    let linked = app
        .state
        .store
        .add_account(
            ADA,
            email,
            &Secret::new(refresh_token.to_owned()),
            fake_google::GRANTED,
        )
        .await
        .expect("add account");
    assert_eq!(linked, calendar_agent::store::Linked::Added);
}

fn timed(id: &str, title: &str, start: &str, end: &str) -> Value {
    json!({"id": id, "status": "confirmed", "summary": title,
           "start": {"dateTime": start}, "end": {"dateTime": end}})
}

async fn call(app: &TestApp, route: &str, args: Value) -> (u16, Value) {
    json_of(
        app.post_json(&app.session_url(route, ADA, unix_now()), &args)
            .await,
    )
    .await
}

fn titles(body: &Value) -> Vec<(String, String)> {
    body["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| {
            (
                e["title"].as_str().unwrap_or_default().to_owned(),
                e["account"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

const WEEK: &str = r#"{"window_start": "2030-03-04T00:00:00Z", "window_end": "2030-03-09T00:00:00Z", "timezone": "UTC"}"#;

fn week() -> Value {
    serde_json::from_str(WEEK).expect("json")
}

#[tokio::test]
async fn both_accounts_events_are_merged_by_start_each_naming_its_account() {
    let (app, personal, work) = two_accounts().await;
    personal.put(timed(
        "dentist",
        "Dentist",
        "2030-03-05T10:00:00Z",
        "2030-03-05T11:00:00Z",
    ));
    work.put(timed(
        "standup",
        "Standup",
        "2030-03-05T09:00:00Z",
        "2030-03-05T09:15:00Z",
    ));
    work.put(timed(
        "review",
        "Review",
        "2030-03-06T14:00:00Z",
        "2030-03-06T15:00:00Z",
    ));
    let (status, body) = call(&app, LIST, week()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        titles(&body),
        [
            ("Standup".into(), WORK.into()),
            ("Dentist".into(), ADA.into()),
            ("Review".into(), WORK.into())
        ]
    );
    assert_eq!(body["count"], 3);
    assert!(body.get("unavailable_accounts").is_none(), "{body}");
}

#[tokio::test]
async fn one_account_answers_as_before_without_naming_it() {
    let app = spawn_with_user(&[], ADA).await;
    let personal = mount_events_for(&app.google, ADA).await;
    personal.put(timed(
        "dentist",
        "Dentist",
        "2030-03-05T10:00:00Z",
        "2030-03-05T11:00:00Z",
    ));
    let (status, body) = call(&app, LIST, week()).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["events"][0].get("account").is_none(), "{body}");
    let (status, accounts) = json_of(
        app.get_with_cookie("/api/accounts", &signed_cookie(&app).await)
            .await,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(accounts["accounts"].as_array().map(Vec::len), Some(1));
    assert_eq!(accounts["accounts"][0]["email"], ADA);
    assert_eq!(accounts["accounts"][0]["primary"], true);
}

#[tokio::test]
async fn a_revoked_second_account_is_named_while_the_first_still_answers() {
    let app = spawn_with_user(&[], ADA).await;
    // Google refuses this refresh token (invalid_grant), as after a revocation.
    add(&app, WORK, "revoked-at-google").await;
    let personal = mount_events_for(&app.google, ADA).await;
    personal.put(timed(
        "dentist",
        "Dentist",
        "2030-03-05T10:00:00Z",
        "2030-03-05T11:00:00Z",
    ));
    let (status, body) = call(&app, LIST, week()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(titles(&body), [("Dentist".into(), ADA.into())]);
    let unavailable = &body["unavailable_accounts"];
    assert_eq!(unavailable[0]["account"], WORK, "{body}");
    assert_eq!(unavailable[0]["error"], "google_reauth_required");
    assert!(
        unavailable[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("Google account")),
        "{body}"
    );
    // The same in German, for a German session.
    let url = format!("{}&lang=de", app.session_url(LIST, ADA, unix_now()));
    let (_, body) = json_of(app.post_json(&url, &week()).await).await;
    assert!(
        body["unavailable_accounts"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("Google-Konto")),
        "{body}"
    );
}

#[tokio::test]
async fn a_hold_goes_to_the_primary_account_or_the_one_named() {
    let (app, personal, work) = two_accounts().await;
    let hold = |title: &str| {
        json!({"title": title, "start": "2030-03-05T13:00:00", "end": "2030-03-05T14:00:00",
               "timezone": "UTC"})
    };
    let (status, body) = call(&app, BLOCK, hold("Errands")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["account"], ADA);
    assert_eq!(
        (personal.len(), work.len()),
        (1, 0),
        "on the primary account"
    );

    let mut named = hold("Deep work");
    named["account"] = json!("Ada@Work.example");
    let (status, body) = call(&app, BLOCK, named).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["account"], WORK);
    assert_eq!((personal.len(), work.len()), (1, 1), "on the account named");
    let id = body["eventId"].as_str().expect("id");
    assert_eq!(work.get(id).expect("held")["summary"], "Deep work");

    // The work account made primary on the page: new holds go there from then on.
    let cookie = signed_cookie(&app).await;
    let (status, body) = send(
        &app,
        reqwest::Method::POST,
        "/api/accounts/primary",
        &cookie,
        Some(json!({ "email": WORK })),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = call(&app, BLOCK, hold("Planning")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["account"], WORK);
    assert_eq!((personal.len(), work.len()), (1, 2));

    let mut stranger = hold("Nope");
    stranger["account"] = json!("eve@example.com");
    let (status, body) = call(&app, BLOCK, stranger).await;
    assert_error(status, &body, 404, "account_not_found");
    assert_eq!((personal.len(), work.len()), (1, 2), "nothing written");
}

fn kickoff(organizer: &str) -> Value {
    json!({"id": "kick1", "status": "confirmed", "summary": "Kickoff",
        "organizer": {"email": organizer, "self": true},
        "attendees": [{"email": organizer, "self": true, "organizer": true, "responseStatus": "accepted"},
                      {"email": "sam@example.com", "responseStatus": "accepted"}],
        "start": {"dateTime": "2030-03-05T09:00:00Z"}, "end": {"dateTime": "2030-03-05T10:00:00Z"}})
}

#[tokio::test]
async fn a_change_goes_to_the_account_the_event_lives_on() {
    let (app, personal, work) = two_accounts().await;
    work.put(kickoff(WORK));
    let minted = unix_now();
    let (status, body) = json_of(
        app.post_json(
            &app.session_url(PROPOSE, ADA, minted),
            &json!({"event_id": "kick1", "action": "move", "start": "2030-03-05T15:00:00Z",
                    "end": "2030-03-05T16:00:00Z", "timezone": "UTC"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let change = body["change_id"].as_str().expect("change_id").to_owned();
    let (status, body) = json_of(
        app.post_json(
            &app.session_url(APPLY, ADA, minted),
            &json!({ "change_id": change }),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let moved = work.get("kick1").expect("still there");
    assert_eq!(
        moved["start"]["dateTime"], "2030-03-05T15:00:00Z",
        "{moved}"
    );
    assert_eq!(work.emails().len(), 1, "Sam told once, by the work account");
    assert_eq!(personal.len(), 0, "nothing written on the personal account");
    assert!(personal.emails().is_empty());
}

#[tokio::test]
async fn an_invitation_is_answered_by_the_account_that_was_invited() {
    let (app, personal, work) = two_accounts().await;
    work.put(json!({"id": "inv1", "status": "confirmed", "summary": "Budget review",
        "organizer": {"email": "bob@example.com"},
        "attendees": [{"email": WORK, "self": true, "responseStatus": "needsAction"},
                      {"email": "bob@example.com", "organizer": true, "responseStatus": "accepted"}],
        "start": {"dateTime": "2030-03-05T09:00:00Z"}, "end": {"dateTime": "2030-03-05T10:00:00Z"}}));
    let (status, body) = call(
        &app,
        RESPOND,
        json!({"event_id": "inv1", "response": "accepted"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let answered = work.get("inv1").expect("inv1");
    let me = answered["attendees"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["email"] == WORK))
        .cloned()
        .expect("the work account's attendance");
    assert_eq!(me["responseStatus"], "accepted");
    assert_eq!(personal.len(), 0);
}

#[tokio::test]
async fn the_guest_email_allowance_is_the_persons_across_accounts() {
    let app = spawn_with_user(&[("GUEST_EMAILS_PER_HOUR", "2")], ADA).await;
    add(&app, WORK, &refresh_token_for(WORK)).await;
    let personal = mount_events_for(&app.google, ADA).await;
    let work = mount_events_for(&app.google, WORK).await;
    // One e-mail through the work account: a meeting Sam is told of, moved.
    work.put(kickoff(WORK));
    let minted = unix_now();
    let at = |route: &str| app.session_url(route, ADA, minted);
    let (status, body) = json_of(
        app.post_json(
            &at(PROPOSE),
            &json!({"event_id": "kick1", "action": "move", "start": "2030-03-05T15:00:00Z",
                    "end": "2030-03-05T16:00:00Z", "timezone": "UTC"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let change = body["change_id"].clone();
    let (status, body) = json_of(
        app.post_json(&at(APPLY), &json!({ "change_id": change }))
            .await,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(work.emails().len(), 1);
    // Two more through the personal account would pass the person's two an hour.
    busy_for(&app, ADA, json!([])).await;
    busy_for(&app, WORK, json!([])).await;
    let (status, body) = json_of(
        app.post_json(
            &at(crate::common::routes::DRAFTS),
            &json!({"title": "Sync", "start": "2030-03-06T10:00:00Z", "end": "2030-03-06T10:30:00Z",
                    "timezone": "UTC", "attendees": ["sam@example.com", "lee@example.com"],
                    "video_call": false}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["account"], ADA, "sent from the primary account");
    let (status, body) = json_of(
        app.post_json(
            &at(crate::common::routes::MEETINGS),
            &json!({ "draft_id": body["draft_id"] }),
        )
        .await,
    )
    .await;
    assert_error(status, &body, 429, "invite_limit");
    assert_eq!(personal.len(), 0, "no meeting written");
    assert!(personal.emails().is_empty(), "nobody told");
}

/// `freebusy.query` for one account's token: its primary calendar busy during `busy`.
struct BusyOf(Value);

impl Respond for BusyOf {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        let mut calendars = serde_json::Map::new();
        for item in body["items"].as_array().into_iter().flatten() {
            let id = item["id"].as_str().unwrap_or_default().to_owned();
            let busy = if id == "primary" || id == "me@example.com" {
                self.0.clone()
            } else {
                json!([])
            };
            calendars.insert(id, json!({ "busy": busy }));
        }
        ResponseTemplate::new(200)
            .set_body_json(json!({"kind": "calendar#freeBusy", "calendars": calendars}))
    }
}

async fn busy_for(app: &TestApp, email: &str, busy: Value) {
    Mock::given(method("POST"))
        .and(path(format!("{}/freeBusy", fake_calendar::BASE)))
        .and(header_regex(
            "authorization",
            &format!(":{}$", email.replace('.', "\\.")),
        ))
        .respond_with(BusyOf(busy))
        .mount(&app.google)
        .await;
}

#[tokio::test]
async fn free_time_avoids_the_busy_time_of_both_accounts() {
    let (app, _personal, _work) = two_accounts().await;
    busy_for(
        &app,
        ADA,
        json!([{"start": "2030-03-05T09:00:00Z", "end": "2030-03-05T10:00:00Z"}]),
    )
    .await;
    busy_for(
        &app,
        WORK,
        json!([{"start": "2030-03-05T10:00:00Z", "end": "2030-03-05T11:00:00Z"}]),
    )
    .await;
    let (status, body) = call(
        &app,
        FREE,
        json!({"window_start": "2030-03-05T09:00:00Z", "window_end": "2030-03-05T12:00:00Z",
               "duration_minutes": 60, "timezone": "UTC", "any_time": true}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let starts: Vec<&str> = body["slots"]
        .as_array()
        .expect("slots")
        .iter()
        .filter_map(|s| s["start"].as_str())
        .collect();
    assert_eq!(starts, ["2030-03-05T11:00:00+00:00"], "{body}");
    assert_eq!(
        body["slots"][0]["account"], ADA,
        "a hold in it goes to the primary"
    );
    let asked: Vec<String> = calendar_requests(&app.google)
        .await
        .iter()
        .filter(|r| r.url.path().ends_with("/freeBusy"))
        .filter_map(|r| {
            r.headers
                .get("authorization")?
                .to_str()
                .ok()
                .map(str::to_owned)
        })
        .collect();
    assert_eq!(asked.len(), 2, "each account asked once: {asked:?}");
}

/// Ada's cookie, from a browser sign-in with her personal account.
async fn signed_cookie(app: &TestApp) -> String {
    app.sign_in(ADA).await
}

/// The page's "Add another Google account": the consent for `email`, back at the callback with
/// Ada's cookie.
async fn add_through_the_page(app: &TestApp, cookie: &str, email: &str) -> reqwest::Response {
    let start = app
        .client
        .get(app.url("/api/auth/google?add_account=1"))
        .header("cookie", cookie)
        .send()
        .await
        .expect("start");
    assert_eq!(start.status().as_u16(), 303);
    let consent = location(&start);
    assert_eq!(
        query_param(&consent, "prompt").as_deref(),
        Some("select_account consent"),
        "the user picks another account at Google"
    );
    let state = query_param(&consent, "state").expect("state");
    let flow = cookie_pair(&start, "oauth_state").expect("flow cookie");
    app.tokens
        .consent(email, &query_param(&consent, "scope").expect("scope"));
    app.client
        .get(app.url(&format!(
            "/api/auth/google/callback?code={}&state={state}",
            fake_google::code_for(email)
        )))
        .header("cookie", format!("{flow}; {cookie}"))
        .send()
        .await
        .expect("callback")
}

async fn accounts(app: &TestApp, cookie: &str) -> Vec<(String, bool)> {
    let (status, body) = json_of(app.get_with_cookie("/api/accounts", cookie).await).await;
    assert_eq!(status, 200, "{body}");
    body["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .map(|a| {
            assert_eq!(a["connected"], true, "{a}");
            assert!(a["calendars"].is_array(), "{a}");
            (
                a["email"].as_str().unwrap_or_default().to_owned(),
                a["primary"].as_bool().unwrap_or_default(),
            )
        })
        .collect()
}

async fn send(
    app: &TestApp,
    verb: reqwest::Method,
    path: &str,
    cookie: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = app
        .client
        .request(verb, app.url(path))
        .header("cookie", cookie)
        .header("origin", ORIGIN);
    if let Some(body) = body {
        request = request.json(&body);
    }
    json_of(request.send().await.expect("request")).await
}

async fn revoked(app: &TestApp) -> Vec<String> {
    fake_google::revoked_tokens(&app.google).await
}

#[tokio::test]
async fn the_page_adds_lists_promotes_and_removes_an_account() {
    let app = crate::common::spawn_app(&[]).await;
    app.mount_google(3600).await;
    let cookie = signed_cookie(&app).await;
    let back = add_through_the_page(&app, &cookie, WORK).await;
    assert_eq!(back.status().as_u16(), 303);
    assert_eq!(location(&back), "/?account_added=1");
    assert!(
        cookie_pair(&back, "userId").is_none(),
        "Ada stays who she is"
    );
    assert_eq!(
        accounts(&app, &cookie).await,
        [(ADA.into(), true), (WORK.into(), false)]
    );
    let stored = app.state.store.refresh_token(WORK).await.expect("read");
    assert_eq!(
        stored.map(|t| t.expose().to_owned()).as_deref(),
        Some(refresh_token_for(WORK).as_str()),
        "the work account's own grant"
    );

    // Signing in with the work account in another browser signs Ada in.
    let other = app.sign_in(WORK).await;
    let (_, me) = json_of(app.get_with_cookie("/api/me", &other).await).await;
    assert_eq!(me["userId"], ADA, "{me}");

    let (status, body) = send(
        &app,
        reqwest::Method::POST,
        "/api/accounts/primary",
        &cookie,
        Some(json!({"email": WORK})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        accounts(&app, &cookie).await,
        [(ADA.into(), false), (WORK.into(), true)]
    );
    let (status, body) = send(
        &app,
        reqwest::Method::POST,
        "/api/accounts/primary",
        &cookie,
        Some(json!({"email": "eve@example.com"})),
    )
    .await;
    assert_error(status, &body, 404, "account_not_found");

    // Removing needs the page's origin.
    let foreign = app
        .client
        .delete(app.url(&format!("/api/accounts/{WORK}")))
        .header("cookie", &cookie)
        .header("origin", "https://evil.example")
        .send()
        .await
        .expect("foreign");
    assert_eq!(foreign.status().as_u16(), 403);
    assert!(revoked(&app).await.is_empty());

    let (status, body) = send(
        &app,
        reqwest::Method::DELETE,
        &format!("/api/accounts/{WORK}"),
        &cookie,
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        revoked(&app).await,
        [refresh_token_for(WORK)],
        "its grant revoked at Google"
    );
    assert_eq!(
        accounts(&app, &cookie).await,
        [(ADA.into(), true)],
        "primary again"
    );
    assert!(
        app.state
            .store
            .refresh_token(WORK)
            .await
            .expect("read")
            .is_none()
    );

    let (status, body) = send(
        &app,
        reqwest::Method::DELETE,
        &format!("/api/accounts/{ADA}"),
        &cookie,
        None,
    )
    .await;
    assert_error(status, &body, 409, "account_last");
}

#[tokio::test]
async fn the_account_signed_in_with_can_be_removed_and_comes_back_by_signing_in() {
    let app = crate::common::spawn_app(&[]).await;
    app.mount_google(3600).await;
    let personal = mount_events_for(&app.google, ADA).await;
    let work = mount_events_for(&app.google, WORK).await;
    personal.put(timed(
        "dentist",
        "Dentist",
        "2030-03-05T10:00:00Z",
        "2030-03-05T11:00:00Z",
    ));
    work.put(timed(
        "standup",
        "Standup",
        "2030-03-05T09:00:00Z",
        "2030-03-05T09:15:00Z",
    ));
    let cookie = signed_cookie(&app).await;
    add_through_the_page(&app, &cookie, WORK).await;

    let (status, body) = send(
        &app,
        reqwest::Method::DELETE,
        &format!("/api/accounts/{ADA}"),
        &cookie,
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        revoked(&app).await,
        [refresh_token_for(ADA)],
        "its grant revoked at Google"
    );
    assert_eq!(
        accounts(&app, &cookie).await,
        [(WORK.into(), true)],
        "the work account is primary now"
    );
    // Ada is still signed in, through the account that stays.
    let (_, me) = json_of(app.get_with_cookie("/api/me", &cookie).await).await;
    assert_eq!(
        (me["userId"].clone(), me["connected"].clone()),
        (json!(ADA), json!(true)),
        "{me}"
    );
    let (status, body) = call(&app, LIST, week()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        titles(&body),
        [("Standup".into(), String::new())],
        "only the work calendar is read"
    );
    let (status, body) = send(
        &app,
        reqwest::Method::DELETE,
        &format!("/api/accounts/{WORK}"),
        &cookie,
        None,
    )
    .await;
    assert_error(status, &body, 409, "account_last");

    // Signing in with it again brings it back, as the primary one (the first account).
    let again = app.sign_in(ADA).await;
    assert_eq!(
        accounts(&app, &again).await,
        [(ADA.into(), true), (WORK.into(), false)]
    );
    let (status, body) = call(&app, LIST, week()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(titles(&body).len(), 2, "both read again: {body}");
}

#[tokio::test]
async fn an_account_of_someone_else_here_is_not_taken_over() {
    let app = crate::common::spawn_app(&[]).await;
    app.mount_google(3600).await;
    let bob = "bob@example.com";
    let bobs = app.sign_in(bob).await;
    let bob_work = add_through_the_page(&app, &bobs, WORK).await;
    assert_eq!(location(&bob_work), "/?account_added=1");
    let cookie = signed_cookie(&app).await;
    let back = add_through_the_page(&app, &cookie, WORK).await;
    assert_eq!(location(&back), "/?auth_error=account_taken");
    assert_eq!(accounts(&app, &cookie).await, [(ADA.into(), true)]);
    assert_eq!(
        accounts(&app, &bobs).await,
        [(bob.into(), true), (WORK.into(), false)],
        "still Bob's"
    );
}

/// The start of "Add another Google account" for the person whose `cookie` this is: the
/// callback's URL (Google's consent approved for `email`) and the cookies to send it with.
async fn consent_to_add(app: &TestApp, cookie: &str, email: &str) -> (String, String) {
    let start = app
        .client
        .get(app.url("/api/auth/google?add_account=1"))
        .header("cookie", cookie)
        .send()
        .await
        .expect("start");
    let consent = location(&start);
    let state = query_param(&consent, "state").expect("state");
    let flow = cookie_pair(&start, "oauth_state").expect("flow cookie");
    app.tokens
        .consent(email, &query_param(&consent, "scope").expect("scope"));
    (
        app.url(&format!(
            "/api/auth/google/callback?code={}&state={state}",
            fake_google::code_for(email)
        )),
        format!("{flow}; {cookie}"),
    )
}

#[tokio::test]
async fn forget_me_revokes_every_account_and_keeps_nothing() {
    let app = crate::common::spawn_app(&[]).await;
    app.mount_google(3600).await;
    let cookie = signed_cookie(&app).await;
    add_through_the_page(&app, &cookie, WORK).await;
    let out = app
        .client
        .post(app.url("/api/auth/signout?forget=1"))
        .header("cookie", &cookie)
        .header("origin", ORIGIN)
        .send()
        .await
        .expect("forget");
    assert_eq!(out.status().as_u16(), 303);
    let mut gone = revoked(&app).await;
    gone.sort();
    assert_eq!(gone, [refresh_token_for(ADA), refresh_token_for(WORK)]);
    assert!(
        app.state
            .store
            .accounts(ADA)
            .await
            .expect("read")
            .is_empty()
    );
    assert!(
        app.state
            .store
            .person_of(WORK)
            .await
            .expect("read")
            .is_none()
    );
}

/// Adds `email` to the person whose `cookie` this is, through `address`'s sign-in flow.
async fn add_at(http: &reqwest::Client, address: &str, cookie: &str, email: &str) -> String {
    let start = http
        .get(format!("{address}/api/auth/google?add_account=1"))
        .header("cookie", cookie)
        .send()
        .await
        .expect("start");
    let flow = cookie_pair(&start, "oauth_state").expect("flow cookie");
    let state = query_param(&location(&start), "state").expect("state");
    let done = http
        .get(format!(
            "{address}/api/auth/google/callback?code={}&state={state}",
            fake_google::code_for(email)
        ))
        .header("cookie", format!("{flow}; {cookie}"))
        .send()
        .await
        .expect("callback");
    location(&done)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL (scripts/test-postgres.sh); cargo test -- --include-ignored"]
async fn two_instances_see_the_same_accounts() {
    use crate::common::process::{browser_sign_in, client, signed_tool_url, start_server};
    let Some(db) = crate::common::postgres::fresh_database().await else {
        return;
    };
    let google = wiremock::MockServer::start().await;
    let tokens = fake_google::Tokens::default();
    fake_google::guard(&google, &tokens).await;
    fake_calendar::mount_defaults(&google).await;
    fake_google::mount(&google, &tokens, 3600).await;
    let personal = mount_events_for(&google, ADA).await;
    let work = mount_events_for(&google, WORK).await;
    personal.put(timed(
        "dentist",
        "Dentist",
        "2030-03-05T10:00:00Z",
        "2030-03-05T11:00:00Z",
    ));
    work.put(timed(
        "standup",
        "Standup",
        "2030-03-05T09:00:00Z",
        "2030-03-05T09:15:00Z",
    ));
    let a = start_server(&google, &db, &[]).await;
    let b = start_server(&google, &db, &[]).await;
    let http = client();
    let cookie = browser_sign_in(&http, &a.address, ADA, "203.0.113.1")
        .await
        .expect("sign-in through A");
    assert_eq!(
        add_at(&http, &a.address, &cookie, WORK).await,
        "/?account_added=1"
    );

    let list = |server: &crate::common::process::Server| {
        let url = signed_tool_url(server, LIST, ADA, unix_now() + 600);
        let http = http.clone();
        async move { json_of(http.post(url).json(&week()).send().await.expect("tool")).await }
    };
    let (status, body) = list(&b).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        titles(&body),
        [
            ("Standup".into(), WORK.into()),
            ("Dentist".into(), ADA.into())
        ],
        "B reads the account A added"
    );
    let removed = http
        .delete(format!("{}/api/accounts/{WORK}", b.address))
        .header("cookie", &cookie)
        .header("origin", "https://demo.ngrok.app")
        .send()
        .await
        .expect("remove on B");
    assert_eq!(removed.status().as_u16(), 200);
    let (status, body) = list(&a).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        titles(&body),
        [("Dentist".into(), String::new())],
        "A reads only the account left, and names none: {body}"
    );
}

/// Waits (at most 5 s) until both of Ada's accounts have a channel stored.
async fn watched_both(app: &TestApp) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let mut watched = 0;
        for account in [ADA, WORK] {
            watched += usize::from(
                !app.state
                    .store
                    .channels_of(account)
                    .await
                    .expect("channels")
                    .is_empty(),
            );
        }
        if watched == 2 {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "both accounts watched in time"
        );
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
}

on_both_backends! {
    async fn each_account_s_calendars_are_watched_and_removing_one_stops_its_channels(db) {
        let app = db.spawn(&[("PUBLIC_BASE_URL", "https://demo.ngrok.app")]).await;
        app.mount_google(3600).await;
        fake_calendar::mount_watch(&app.google, 7 * 86_400).await;
        let _feed = fake_calendar::mount_feed(&app.google).await;
        let cookie = app.sign_in(ADA).await;
        // Adding an account from the page watches every account's calendars.
        add_through_the_page(&app, &cookie, WORK).await;
        watched_both(&app).await;
        let (mine, works) = (
            app.state.store.channels_of(ADA).await.expect("channels"),
            app.state.store.channels_of(WORK).await.expect("channels"),
        );
        assert_eq!((mine.len(), works.len()), (1, 1), "a channel per account's calendar");
        let watches: Vec<String> = calendar_requests(&app.google)
            .await
            .iter()
            .filter(|r| r.url.path().ends_with("/events/watch"))
            .filter_map(|r| r.headers.get("authorization")?.to_str().ok().map(str::to_owned))
            .collect();
        assert!(watches.iter().any(|t| t.ends_with(WORK)), "opened with the work account's own grant: {watches:?}");

        let (status, body) = send(&app, reqwest::Method::DELETE, &format!("/api/accounts/{WORK}"), &cookie, None).await;
        assert_eq!(status, 200, "{body}");
        let stops: Vec<Value> = calendar_requests(&app.google)
            .await
            .iter()
            .filter(|r| r.url.path().ends_with("/channels/stop"))
            .map(|r| serde_json::from_slice(&r.body).expect("stop body"))
            .collect();
        assert_eq!(stops.len(), 1, "{stops:?}");
        assert_eq!(stops[0]["id"], works[0].id.as_str(), "the work account's channel stopped");
        assert!(app.state.store.channels_of(WORK).await.expect("channels").is_empty());
        assert_eq!(app.state.store.channels_of(ADA).await.expect("channels").len(), 1, "the personal one kept");

    }

    async fn a_user_from_before_accounts_were_several_keeps_working_without_signing_in(db) {
        let before = db.spawn(&[]).await;
        before.mount_google(3600).await;
        let cookie = before.sign_in(ADA).await;
        // The store as the release before this migration left it.
        let pool = before.state.store.pool();
        for statement in [
            "DROP INDEX google_grants_person",
            "ALTER TABLE google_grants DROP COLUMN person_id",
            "ALTER TABLE google_grants DROP COLUMN primary_account",
            "ALTER TABLE google_grants DROP COLUMN account_removed",
            "DELETE FROM _sqlx_migrations WHERE version = 11",
        ] {
            sqlx::query(statement).execute(pool).await.expect(statement);
        }
        // This release starts on it and migrates it.
        let url = before.config.store.database_url.clone();
        let after = db.spawn(&[("DATABASE_URL", &url)]).await;
        after.mount_google(3600).await;
        let personal = mount_events_for(&after.google, ADA).await;
        personal.put(timed("dentist", "Dentist", "2030-03-05T10:00:00Z", "2030-03-05T11:00:00Z"));
        let (_, me) = json_of(after.get_with_cookie("/api/me", &cookie).await).await;
        assert_eq!((me["signedIn"].clone(), me["connected"].clone()), (json!(true), json!(true)), "{me}");
        assert_eq!(accounts(&after, &cookie).await, [(ADA.into(), true)]);
        let (status, body) = json_of(after.post_json(&after.session_url(LIST, ADA, unix_now()), &week()).await).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(titles(&body), [("Dentist".into(), String::new())]);
    }

    async fn signing_out_stops_every_account_s_channels(db) {
        let app = db.spawn(&[("PUBLIC_BASE_URL", "https://demo.ngrok.app")]).await;
        app.mount_google(3600).await;
        fake_calendar::mount_watch(&app.google, 7 * 86_400).await;
        let _feed = fake_calendar::mount_feed(&app.google).await;
        let cookie = app.sign_in(ADA).await;
        // Adding an account from the page watches every account's calendars.
        add_through_the_page(&app, &cookie, WORK).await;
        watched_both(&app).await;
        let mut opened = Vec::new();
        for account in [ADA, WORK] {
            let channels = app.state.store.channels_of(account).await.expect("channels");
            opened.extend(channels.into_iter().map(|c| c.id));
        }
        assert_eq!(opened.len(), 2, "one per account");
        let out = app
            .client
            .post(app.url("/api/auth/signout"))
            .header("cookie", &cookie)
            .header("origin", ORIGIN)
            .send()
            .await
            .expect("sign out");
        assert_eq!(out.status().as_u16(), 303);
        for account in [ADA, WORK] {
            assert!(app.state.store.channels_of(account).await.expect("channels").is_empty(), "{account}");
        }
        let mut stopped: Vec<String> = calendar_requests(&app.google)
            .await
            .iter()
            .filter(|r| r.url.path().ends_with("/channels/stop"))
            .map(|r| serde_json::from_slice::<Value>(&r.body).expect("body")["id"].as_str().unwrap_or_default().to_owned())
            .collect();
        stopped.sort();
        opened.sort();
        assert_eq!(stopped, opened, "both stopped at Google");
    }

    // Two people adding the same Google account at the same moment: it becomes exactly one's.
    async fn two_people_adding_one_account_at_once_leave_it_with_exactly_one(db) {
        let app = db.spawn(&[]).await;
        app.mount_google(3600).await;
        let bob = "bob@example.com";
        let (ada_cookie, bob_cookie) = (signed_cookie(&app).await, app.sign_in(bob).await);
        for round in 0..6 {
            let shared = format!("team{round}@example.com");
            let (ada_url, ada_with) = consent_to_add(&app, &ada_cookie, &shared).await;
            let (bob_url, bob_with) = consent_to_add(&app, &bob_cookie, &shared).await;
            let back = |url: String, with: String| {
                let client = app.client.clone();
                async move {
                    let done = client
                        .get(url)
                        .header("cookie", with)
                        .send()
                        .await
                        .expect("callback");
                    location(&done)
                }
            };
            let (ada_back, bob_back) = tokio::join!(back(ada_url, ada_with), back(bob_url, bob_with));
            let mut outcomes = [ada_back.as_str(), bob_back.as_str()];
            outcomes.sort_unstable();
            assert_eq!(
                outcomes,
                ["/?account_added=1", "/?auth_error=account_taken"],
                "round {round}"
            );
            let owner = app
                .state
                .store
                .person_of(&shared)
                .await
                .expect("read")
                .expect("stored");
            let winner = if ada_back == "/?account_added=1" {
                ADA
            } else {
                bob
            };
            assert_eq!(owner, winner, "round {round}");
            for (person, cookie) in [(ADA, &ada_cookie), (bob, &bob_cookie)] {
                let has = accounts(&app, cookie)
                    .await
                    .iter()
                    .any(|(e, _)| *e == shared);
                assert_eq!(has, person == winner, "round {round}: {person}");
            }
        }
    }
}
