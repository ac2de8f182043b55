//! The live page's server side: Google Calendar push channels opened for a page that listens,
//! notifications checked before anything else and folded into few syncs, the Server-Sent
//! Events stream, and channels stopped on sign-out. Google is the stateful fake feed.

use crate::common;

use std::time::{Duration, Instant};

use calendar_agent::live::watch::{NOTIFICATIONS_PATH, renew_due, renew_due_at};
use common::ADA;
use common::fake_calendar::{self, Feed, calendar_requests, query};
use common::{TestApp, assert_error, json_of};
use serde_json::{Value, json};
use wiremock::Request;

/// An open `GET /api/events/stream`, read event by event.
struct Stream {
    response: reqwest::Response,
    buffer: String,
}

impl Stream {
    async fn open(app: &TestApp, cookie: &str) -> Self {
        let response = app.get_with_cookie("/api/events/stream", cookie).await;
        assert_eq!(response.status().as_u16(), 200);
        assert_eq!(
            response.headers()["content-type"]
                .to_str()
                .unwrap_or_default(),
            "text/event-stream"
        );
        Self {
            response,
            buffer: String::new(),
        }
    }

    /// The next named event (`event`, `data`), comments skipped; `None` when the server ended
    /// the stream. Panics if nothing arrives `within`.
    async fn next(&mut self, within: Duration) -> Option<(String, Value)> {
        let deadline = Instant::now() + within;
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let (mut name, mut data) = (String::new(), String::new());
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        name = v.trim().to_owned();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim());
                    }
                }
                if !name.is_empty() {
                    return Some((name, serde_json::from_str(&data).unwrap_or(Value::Null)));
                }
            }
            let left = deadline.saturating_duration_since(Instant::now());
            let chunk = tokio::time::timeout(left, self.response.chunk())
                .await
                .expect("a stream message in time")
                .expect("stream readable")?;
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}

/// Polls `check` until it holds (or fails the test after 5 s).
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(5);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

fn is_watch(r: &Request) -> bool {
    r.method.as_str() == "POST" && r.url.path().ends_with("/events/watch")
}

fn is_stop(r: &Request) -> bool {
    r.url.path().ends_with("/channels/stop")
}

fn is_list(r: &Request) -> bool {
    r.method.as_str() == "GET" && r.url.path().ends_with("/calendars/primary/events")
}

async fn count(app: &TestApp, which: fn(&Request) -> bool) -> usize {
    calendar_requests(&app.google)
        .await
        .iter()
        .filter(|r| which(r))
        .count()
}

/// What Google was given when the channel was opened: its id and token, as Google echoes them.
async fn opened_channel(app: &TestApp) -> (String, String, Value) {
    let watch = calendar_requests(&app.google)
        .await
        .into_iter()
        .find(is_watch)
        .expect("events.watch");
    let body: Value = serde_json::from_slice(&watch.body).expect("watch body");
    (
        body["id"].as_str().expect("id").to_owned(),
        body["token"].as_str().expect("token").to_owned(),
        body,
    )
}

/// Google's push notification, as it sends one.
async fn notify(app: &TestApp, id: &str, token: &str, number: u64, kind: &str) -> u16 {
    app.client
        .post(app.url(NOTIFICATIONS_PATH))
        .header("x-goog-channel-id", id)
        .header("x-goog-channel-token", token)
        .header("x-goog-message-number", number.to_string())
        .header("x-goog-resource-state", kind)
        .header("x-goog-resource-id", "res-primary")
        .send()
        .await
        .expect("notification")
        .status()
        .as_u16()
}

/// Ada signed in with her page's stream open, her primary calendar watched and synced once.
async fn watching(app: &TestApp) -> (String, Stream, Feed) {
    app.mount_google(3600).await;
    fake_calendar::mount_watch(&app.google, 7 * 86_400).await;
    let feed = fake_calendar::mount_feed(&app.google).await;
    let cookie = app.sign_in(ADA).await;
    let mut stream = Stream::open(app, &cookie).await;
    // Opening a channel syncs once (the starting point), and the page hears of it.
    let (name, _) = stream.next(Duration::from_secs(5)).await.expect("open");
    assert_eq!(name, "changed");
    eventually("the channel is stored", || async {
        app.state
            .store
            .channels_of(ADA)
            .await
            .is_ok_and(|c| c.len() == 1 && c[0].sync_token.is_some())
    })
    .await;
    (cookie, stream, feed)
}

fn meeting(response: &str) -> Value {
    json!({"id": "m1", "summary": "Kickoff", "status": "confirmed",
           "start": {"dateTime": "2099-01-05T10:00:00Z"}, "end": {"dateTime": "2099-01-05T11:00:00Z"},
           "organizer": {"email": ADA, "self": true},
           "attendees": [{"email": ADA, "self": true, "responseStatus": "accepted"},
                         {"email": "sam@example.com", "displayName": "Sam", "responseStatus": response}]})
}

/// Google refusing `events.list` with a sync token (a 429 without `Retry-After`) `times` times,
/// noting when each refusal was made.
#[derive(Clone, Default)]
struct Refusals(std::sync::Arc<std::sync::Mutex<Vec<Instant>>>);

impl wiremock::Respond for Refusals {
    fn respond(&self, _: &Request) -> wiremock::ResponseTemplate {
        self.0.lock().expect("times").push(Instant::now());
        fake_calendar::google_error(429, "Too Many Requests")
    }
}

impl Refusals {
    async fn mount(&self, app: &TestApp, times: u64) {
        use wiremock::matchers::{method, path, query_param_contains};
        wiremock::Mock::given(method("GET"))
            .and(path(format!(
                "{}/calendars/primary/events",
                fake_calendar::BASE
            )))
            .and(query_param_contains("syncToken", ""))
            .respond_with(self.clone())
            .up_to_n_times(times)
            .with_priority(1)
            .mount(&app.google)
            .await;
    }

    fn gaps(&self) -> Vec<Duration> {
        let at = self.0.lock().expect("times").clone();
        at.windows(2).map(|w| w[1] - w[0]).collect()
    }

    fn count(&self) -> usize {
        self.0.lock().expect("times").len()
    }
}

/// Makes recording a channel Google opened (activating a reserved one, putting a renewed one in
/// the old one's place) fail, as a database refusing writes would; claims still work.
async fn fail_channel_updates(app: &TestApp) {
    let pool = app.state.store.pool();
    if app.config.store.database_url.starts_with("sqlite") {
        sqlx::query("CREATE TRIGGER refuse BEFORE UPDATE ON watch_channels WHEN NEW.id <> OLD.id OR NEW.resource_id IS NOT OLD.resource_id BEGIN SELECT RAISE(ABORT, 'disk full'); END")
            .execute(pool).await.expect("trigger");
    } else {
        sqlx::raw_sql("CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$ LANGUAGE plpgsql;
                       CREATE TRIGGER refuse BEFORE UPDATE ON watch_channels FOR EACH ROW
                       WHEN (NEW.id <> OLD.id OR NEW.resource_id IS DISTINCT FROM OLD.resource_id) EXECUTE FUNCTION refuse();")
            .execute(pool).await.expect("trigger");
    }
}

/// The bodies of the `channels.stop` calls Google received.
async fn stops(app: &TestApp) -> Vec<Value> {
    calendar_requests(&app.google)
        .await
        .into_iter()
        .filter(is_stop)
        .map(|r| serde_json::from_slice(&r.body).expect("stop body"))
        .collect()
}

on_both_backends! {
    async fn a_sync_google_refuses_is_retried_with_growing_jittered_waits_and_the_page_hears(db) {
        let app = db.spawn(&[(common::BACKGROUND_RETRY_MS, "100")]).await;
        let (_cookie, mut stream, feed) = watching(&app).await;
        let (id, token, _) = opened_channel(&app).await;
        // Four refusals end the first sync's calls; the sync itself is then tried again.
        let refusals = Refusals::default();
        refusals.mount(&app, 5).await;
        feed.put(meeting("accepted"));
        assert_eq!(notify(&app, &id, &token, 2, "exists").await, 200);
        let (name, data) = stream.next(Duration::from_secs(10)).await.expect("changed");
        assert_eq!(name, "changed");
        assert_eq!(data["events"][0]["title"], "Kickoff", "{data}");
        assert_eq!(refusals.count(), 5);
        let gaps = refusals.gaps();
        // Within one sync: half fixed, half random, of 100, 200, 400 ms.
        for (gap, base) in gaps.iter().take(3).zip([100u64, 200, 400]) {
            assert!(*gap >= Duration::from_millis(base / 2 - 5) && *gap < Duration::from_millis(base + 150),
                "{gaps:?}");
        }
        assert!(gaps[3] >= Duration::from_millis(200), "the sync waits before it is tried again: {gaps:?}");
    }

    async fn a_sync_google_keeps_refusing_is_given_up_after_a_bounded_number_of_calls(db) {
        let app = db.spawn(&[(common::BACKGROUND_RETRY_MS, "50")]).await;
        let (_cookie, mut stream, _feed) = watching(&app).await;
        let (id, token, _) = opened_channel(&app).await;
        let refusals = Refusals::default();
        refusals.mount(&app, 1000).await;
        assert_eq!(notify(&app, &id, &token, 2, "exists").await, 200);
        tokio::time::sleep(Duration::from_secs(4)).await;
        assert_eq!(refusals.count(), 12, "4 calls per sync, 3 syncs, then it waits for the next notification");
        let gaps = refusals.gaps();
        let distinct: std::collections::HashSet<u128> = gaps.iter().map(|g| g.as_millis() / 5).collect();
        assert!(distinct.len() > 3, "waits are jittered, not a fixed schedule: {gaps:?}");
        let heard = tokio::time::timeout(Duration::from_millis(300), stream.next(Duration::from_secs(1))).await;
        assert!(heard.is_err(), "nothing changed as far as the page knows: {heard:?}");
    }

    async fn a_watch_answered_after_the_wait_is_stopped_at_google(db) {
        let app = db.spawn(&[(common::BACKGROUND_BUDGET_MS, "300")]).await;
        app.mount_google(3600).await;
        fake_calendar::mount_watch_answering_after(&app.google, 7 * 86_400, Duration::from_millis(900)).await;
        let _feed = fake_calendar::mount_feed(&app.google).await;
        let cookie = app.sign_in(ADA).await;
        let _stream = Stream::open(&app, &cookie).await;
        eventually("the late channel is stopped", || async { !stops(&app).await.is_empty() }).await;
        let (id, _, _) = opened_channel(&app).await;
        let stopped = stops(&app).await;
        assert_eq!(stopped.len(), 1, "{stopped:?}");
        assert_eq!(stopped[0]["id"], id.as_str());
        assert_eq!(stopped[0]["resourceId"], "res-primary");
        assert!(app.state.store.channels_of(ADA).await.expect("channels").is_empty(), "nothing kept");
    }

    async fn a_channel_whose_store_write_fails_is_stopped_at_google(db) {
        let app = db.spawn(&[]).await;
        app.mount_google(3600).await;
        fake_calendar::mount_watch(&app.google, 7 * 86_400).await;
        let _feed = fake_calendar::mount_feed(&app.google).await;
        let cookie = app.sign_in(ADA).await;
        fail_channel_updates(&app).await;
        let _stream = Stream::open(&app, &cookie).await;
        eventually("the unrecorded channel is stopped", || async { !stops(&app).await.is_empty() }).await;
        let (id, _, _) = opened_channel(&app).await;
        let stopped = stops(&app).await;
        assert_eq!(stopped.len(), 1, "{stopped:?}");
        assert_eq!(stopped[0]["id"], id.as_str());
        assert_eq!(stopped[0]["resourceId"], "res-primary");
    }

    async fn a_renewal_whose_store_write_fails_stops_the_new_channel_and_keeps_the_old(db) {
        let app = db.spawn(&[]).await;
        app.mount_google(3600).await;
        fake_calendar::mount_watch(&app.google, 7200).await;
        let _feed = fake_calendar::mount_feed(&app.google).await;
        let cookie = app.sign_in(ADA).await;
        let _stream = Stream::open(&app, &cookie).await;
        eventually("a channel", || async {
            app.state.store.channels_of(ADA).await.is_ok_and(|c| c.len() == 1 && c[0].resource_id.is_some())
        })
        .await;
        let (old, _, _) = opened_channel(&app).await;
        fail_channel_updates(&app).await;
        renew_due_at(&app.state, jiff::Timestamp::now().as_second() + 5400).await.expect("renew");
        let watches: Vec<Value> = calendar_requests(&app.google).await.into_iter().filter(is_watch)
            .map(|r| serde_json::from_slice(&r.body).expect("watch body")).collect();
        assert_eq!(watches.len(), 2, "a new channel was asked for");
        eventually("the unrecorded new channel is stopped", || async { !stops(&app).await.is_empty() }).await;
        let stopped = stops(&app).await;
        assert_eq!(stopped.len(), 1, "only the new one: {stopped:?}");
        assert_eq!(stopped[0]["id"], watches[1]["id"]);
        let kept = app.state.store.channels_of(ADA).await.expect("channels");
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].id, old, "the old channel still stands");
    }

    async fn one_rate_limit_stops_a_renewal_pass(db) {
        let app = db.spawn(&[]).await;
        app.mount_google(3600).await;
        // Google grants two hours; Ada has ten calendars watched.
        fake_calendar::mount_watch(&app.google, 7200).await;
        let _feed = fake_calendar::mount_feed(&app.google).await;
        let cookie = app.sign_in(ADA).await;
        let _stream = Stream::open(&app, &cookie).await;
        eventually("a channel", || async {
            app.state.store.channels_of(ADA).await.is_ok_and(|c| c.len() == 1 && c[0].resource_id.is_some())
        })
        .await;
        let now = jiff::Timestamp::now().as_second();
        for n in 0..9 {
            let (id, cal) = (format!("extra{n}"), format!("cal{n}@example.com"));
            sqlx::query("INSERT INTO watch_channels (id, user_id, calendar_id, token_hash, resource_id, expires_at, wanted_until, created_at)
                         VALUES ($1, $2, $3, 'h', 'res', $4, $5, $6)")
                .bind(&id).bind(ADA).bind(&cal).bind(now + 7200).bind(now + 86_400).bind(now)
                .execute(app.state.store.pool()).await.expect("another watched calendar");
        }
        use wiremock::matchers::{method, path_regex};
        wiremock::Mock::given(method("POST"))
            .and(path_regex(format!("^{}/calendars/[^/]+/events/watch$", fake_calendar::BASE)))
            .respond_with(fake_calendar::google_error(429, "Too Many Requests").insert_header("retry-after", "1"))
            .with_priority(1)
            .mount(&app.google)
            .await;
        let before = count(&app, is_watch).await;
        renew_due_at(&app.state, now + 5400).await.expect("renew");
        let asked = count(&app, is_watch).await - before;
        assert!((1..=4).contains(&asked), "one batch's first calls at most, then the pass stops: {asked}");
        assert_eq!(app.state.store.channels_of(ADA).await.expect("channels").len(), 10, "all kept for the next pass");
    }

    async fn an_open_page_gets_its_calendars_watched_at_the_public_https_address(db) {
        let app = db.spawn(&[]).await;
        let (_cookie, _stream, _feed) = watching(&app).await;
        let (id, token, body) = opened_channel(&app).await;
        assert_eq!(body["type"], "web_hook");
        assert_eq!(body["address"], "https://demo.ngrok.app/api/google/notifications");
        assert_eq!(id.len(), 32, "random channel id: {id}");
        assert_eq!(token.len(), 64, "random per-channel secret");
        let channels = app.state.store.channels_of(ADA).await.expect("channels");
        assert_eq!(channels[0].calendar_id, "primary");
        assert_eq!(channels[0].resource_id.as_deref(), Some("res-primary"));
        let watch = calendar_requests(&app.google).await.into_iter().find(is_watch).expect("watch");
        assert_eq!(watch.url.path(), "/calendar/v3/calendars/primary/events/watch");
        let first_sync = calendar_requests(&app.google).await.into_iter().find(is_list).expect("sync");
        assert_eq!(query(&first_sync, "syncToken"), None, "the first sync is a full one");
    }

    async fn a_notification_with_an_unknown_channel_or_a_wrong_token_touches_nothing(db) {
        let app = db.spawn(&[]).await;
        let (_cookie, _stream, _feed) = watching(&app).await;
        let (id, token, _) = opened_channel(&app).await;
        let before = calendar_requests(&app.google).await.len();
        assert_eq!(notify(&app, "no-such-channel", &token, 2, "exists").await, 404);
        let mut wrong = token.clone();
        wrong.replace_range(0..1, if token.starts_with('0') { "1" } else { "0" });
        assert_eq!(notify(&app, &id, &wrong, 3, "exists").await, 401);
        assert_eq!(notify(&app, &id, "", 4, "exists").await, 401);
        let bare = app.client.post(app.url(NOTIFICATIONS_PATH)).send().await.expect("post");
        assert_eq!(bare.status().as_u16(), 404);
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(calendar_requests(&app.google).await.len(), before, "no Google call");
        assert_eq!(notify(&app, &id, &token, 5, "exists").await, 200);
        eventually("the genuine one syncs", || async {
            calendar_requests(&app.google).await.len() > before
        })
        .await;
    }

    async fn a_burst_of_fifty_notifications_costs_a_few_syncs_and_each_is_answered_at_once(db) {
        let app = db.spawn(&[]).await;
        let (_cookie, mut stream, feed) = watching(&app).await;
        let (id, token, _) = opened_channel(&app).await;
        let syncs_before = count(&app, is_list).await;
        feed.put(meeting("accepted"));
        feed.slow(1500);
        let started = Instant::now();
        let answers = futures_util::future::join_all(
            (0..50u64).map(|n| notify(&app, &id, &token, n + 2, "exists")),
        )
        .await;
        let answered_in = started.elapsed();
        assert!(answers.iter().all(|s| *s == 200), "{answers:?}");
        assert!(
            answered_in < Duration::from_millis(1500),
            "answered before the first sync could finish ({answered_in:?}): Google is not kept waiting"
        );
        let (name, data) = stream.next(Duration::from_secs(10)).await.expect("changed");
        assert_eq!(name, "changed");
        // The page is told what changed, so it can tell the avatar in a sentence.
        assert_eq!(data["events"][0]["title"], meeting("accepted")["summary"], "{data}");
        tokio::time::sleep(Duration::from_millis(3500)).await;
        let syncs = count(&app, is_list).await - syncs_before;
        assert!((1..=2).contains(&syncs), "{syncs} syncs for a burst of 50");
        // Google retrying a message it already delivered changes nothing.
        feed.slow(0);
        let settled = count(&app, is_list).await;
        assert_eq!(notify(&app, &id, &token, 51, "exists").await, 200, "the burst's last, again");
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(count(&app, is_list).await, settled, "a repeat causes no sync");
        assert_eq!(notify(&app, &id, &token, 52, "exists").await, 200);
        assert_eq!(notify(&app, &id, &token, 52, "exists").await, 200);
        assert_eq!(notify(&app, &id, &token, 10, "exists").await, 200);
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert_eq!(count(&app, is_list).await - settled, 1, "one sync for message 52, none for repeats");
    }

    async fn an_expired_sync_token_starts_a_full_sync_and_a_new_decline_reaches_the_page(db) {
        let app = db.spawn(&[]).await;
        let (_cookie, mut stream, feed) = watching(&app).await;
        let (id, token, _) = opened_channel(&app).await;
        feed.put(meeting("needsAction"));
        assert_eq!(notify(&app, &id, &token, 2, "exists").await, 200);
        assert_eq!(stream.next(Duration::from_secs(5)).await.map(|e| e.0).as_deref(), Some("changed"));

        // Google forgets the token; meanwhile Sam declines.
        feed.expire_tokens();
        feed.put(meeting("declined"));
        let before = count(&app, is_list).await;
        assert_eq!(notify(&app, &id, &token, 3, "exists").await, 200);
        let (name, _) = stream.next(Duration::from_secs(5)).await.expect("changed");
        assert_eq!(name, "changed");
        let (name, data) = stream.next(Duration::from_secs(5)).await.expect("declined");
        assert_eq!(name, "declined");
        assert_eq!(data, json!({"title": "Kickoff", "guest": "Sam"}));
        let lists: Vec<Request> = calendar_requests(&app.google).await.into_iter().filter(is_list).skip(before).collect();
        assert_eq!(lists.len(), 2, "the refused sync, then a full one");
        assert!(query(&lists[0], "syncToken").is_some());
        assert_eq!(query(&lists[1], "syncToken"), None, "410 → full sync");
        let channel = &app.state.store.channels_of(ADA).await.expect("channels")[0];
        assert!(channel.sync_token.as_deref().is_some_and(|t| query(&lists[0], "syncToken").as_deref() != Some(t)),
            "a fresh sync token was kept");

        // The same decline seen again is not news.
        feed.put(meeting("declined"));
        assert_eq!(notify(&app, &id, &token, 4, "exists").await, 200);
        assert_eq!(stream.next(Duration::from_secs(5)).await.map(|e| e.0).as_deref(), Some("changed"));
        feed.put(json!({"id": "other", "summary": "Lunch", "start": {"dateTime": "2099-01-06T12:00:00Z"},
                        "end": {"dateTime": "2099-01-06T13:00:00Z"}}));
        assert_eq!(notify(&app, &id, &token, 5, "exists").await, 200);
        assert_eq!(stream.next(Duration::from_secs(5)).await.map(|e| e.0).as_deref(), Some("changed"),
            "no second declined notice in between");
    }

    async fn signing_out_stops_the_channel_at_google_and_ends_the_stream(db) {
        let app = db.spawn(&[]).await;
        let (cookie, mut stream, _feed) = watching(&app).await;
        let (id, token, _) = opened_channel(&app).await;
        let out = app
            .client
            .post(app.url("/api/auth/signout"))
            .header("cookie", &cookie)
            .send()
            .await
            .expect("sign out");
        assert_eq!(out.status().as_u16(), 303);
        assert_eq!(stream.next(Duration::from_secs(5)).await, None, "the stream ended");
        let stops: Vec<Request> = calendar_requests(&app.google).await.into_iter().filter(is_stop).collect();
        assert_eq!(stops.len(), 1);
        let body: Value = serde_json::from_slice(&stops[0].body).expect("stop body");
        assert_eq!(body["id"], id.as_str());
        assert_eq!(body["resourceId"], "res-primary");
        assert!(app.state.store.channels_of(ADA).await.expect("channels").is_empty());
        assert_eq!(notify(&app, &id, &token, 9, "exists").await, 404, "a stopped channel is unknown");
        let (status, _) = json_of(app.get_with_cookie("/api/events/stream", &cookie).await).await;
        assert_eq!(status, 401, "the old cookie opens no stream");
    }

    async fn a_channel_about_to_expire_is_renewed_while_wanted_and_stopped_when_not(db) {
        let app = db.spawn(&[]).await;
        app.mount_google(3600).await;
        // Google grants two hours.
        fake_calendar::mount_watch(&app.google, 7200).await;
        let _feed = fake_calendar::mount_feed(&app.google).await;
        let cookie = app.sign_in(ADA).await;
        let _stream = Stream::open(&app, &cookie).await;
        eventually("a channel", || async {
            app.state.store.channels_of(ADA).await.is_ok_and(|c| c.len() == 1)
        })
        .await;
        let (old, _, _) = opened_channel(&app).await;
        let now = jiff::Timestamp::now().as_second();
        renew_due(&app.state).await.expect("renew");
        assert_eq!(count(&app, is_watch).await, 1, "not due yet");

        // 90 minutes on, half an hour is left: renewed. Every instance runs renewals; each
        // channel is claimed by one of them.
        let store = &app.state.store;
        let (a, b) = tokio::join!(
            store.claim_due(now + 5400, 3600, now, 8, "a"),
            store.claim_due(now + 5400, 3600, now, 8, "b")
        );
        let (a, b) = (a.expect("claim"), b.expect("claim"));
        assert_eq!(a.len() + b.len(), 1, "claimed once: {a:?} {b:?}");
        sqlx::query("UPDATE watch_channels SET renew_claimed_at = NULL")
            .execute(store.pool())
            .await
            .expect("release the claim");
        renew_due_at(&app.state, now + 5400).await.expect("renew");
        let channels = app.state.store.channels_of(ADA).await.expect("channels");
        assert_eq!(channels.len(), 1, "{channels:?}");
        assert_ne!(channels[0].id, old, "a new channel replaced it");
        assert_eq!(count(&app, is_watch).await, 2);
        let stops: Vec<Request> = calendar_requests(&app.google).await.into_iter().filter(is_stop).collect();
        assert_eq!(stops.len(), 1);
        let body: Value = serde_json::from_slice(&stops[0].body).expect("stop body");
        assert_eq!(body["id"], old.as_str(), "the old one was stopped");

        // Two days on, nobody has looked for a day: the channel is stopped, not renewed.
        renew_due_at(&app.state, now + 2 * 86_400).await.expect("renew");
        assert_eq!(count(&app, is_watch).await, 2, "not renewed");
        assert_eq!(count(&app, is_stop).await, 2, "stopped");
        assert!(app.state.store.channels_of(ADA).await.expect("channels").is_empty());
    }
}

#[tokio::test]
async fn the_stream_needs_a_signed_in_user() {
    let app = common::spawn_app(&[]).await;
    let (status, body) = json_of(
        app.client
            .get(app.url("/api/events/stream"))
            .send()
            .await
            .expect("stream"),
    )
    .await;
    assert_error(status, &body, 401, "not_signed_in");
}

#[tokio::test]
async fn a_user_holds_at_most_streams_per_user_streams_and_a_closed_one_frees_its_place() {
    let app = common::spawn_app(&[("STREAMS_PER_USER", "3")]).await;
    app.mount_google(3600).await;
    fake_calendar::mount_list(&app.google, json!([])).await;
    let cookie = app.sign_in(ADA).await;
    let mut open = Vec::new();
    for _ in 0..3 {
        open.push(Stream::open(&app, &cookie).await);
    }
    let response = app.get_with_cookie("/api/events/stream", &cookie).await;
    let retry_after = response.headers().get("retry-after").cloned();
    let (status, body) = json_of(response).await;
    assert_error(status, &body, 429, "rate_limited");
    assert!(retry_after.is_some(), "a wait is given");
    drop(open.pop());
    // The server notices the page went away at its next write (a heartbeat, at most 15 s).
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let response = app.get_with_cookie("/api/events/stream", &cookie).await;
        if response.status().as_u16() == 200 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the closed stream's place is freed"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

#[tokio::test]
async fn over_plain_http_no_channel_is_opened_and_the_page_is_told_to_re_read() {
    let app = common::spawn_app(&[
        ("PUBLIC_BASE_URL", "http://localhost:3000"),
        (
            "GOOGLE_REDIRECT_URI",
            "http://localhost:3000/api/auth/google/callback",
        ),
    ])
    .await;
    app.mount_google(3600).await;
    fake_calendar::mount_watch(&app.google, 86_400).await;
    fake_calendar::mount_list(&app.google, json!([])).await;
    let cookie = app.sign_in(ADA).await;
    let _stream = Stream::open(&app, &cookie).await;
    let (status, body) = json_of(app.get_with_cookie("/api/events", &cookie).await).await;
    assert_eq!(status, 200);
    assert_eq!(body["live"], false);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(count(&app, is_watch).await, 0, "Google cannot reach http");
}

/// Two instances on one database: Google's notification reaches one, the page streams from
/// the other, and still redraws.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL (scripts/test-postgres.sh); cargo test -- --include-ignored"]
async fn a_notification_received_by_one_instance_reaches_a_page_on_another() {
    let Some(db) = common::Db::postgres().await else {
        return;
    };
    let a = db.spawn(&[]).await;
    let b = db.spawn(&[]).await;
    let (_cookie, mut stream, _feed) = watching(&a).await;
    b.mount_google(3600).await;
    let feed_b = fake_calendar::mount_feed(&b.google).await;
    feed_b.put(meeting("accepted"));
    let (id, token, _) = opened_channel(&a).await;
    assert_eq!(notify(&b, &id, &token, 2, "exists").await, 200);
    let (name, data) = stream.next(Duration::from_secs(5)).await.expect("changed");
    assert_eq!(name, "changed");
    assert_eq!(data["calendarId"], "primary");
    assert_eq!(count(&b, is_list).await, 1, "instance b synced");
}
