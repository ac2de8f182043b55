//! The page at `/`, its assets, and `GET /api/events` for the bookings panel.

use crate::common;

use common::ADA;
use common::fake_calendar;
use common::{assert_error, json_of, spawn_app};
use serde_json::json;

async fn page(app: &common::TestApp, path: &str, cookie: Option<&str>) -> (u16, String) {
    let mut request = app.client.get(app.url(path));
    if let Some(c) = cookie {
        request = request.header("cookie", c);
    }
    let response = request.send().await.expect("page");
    let status = response.status().as_u16();
    assert!(
        response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html")),
        "HTML"
    );
    (status, response.text().await.expect("body"))
}

#[tokio::test]
async fn signed_out_the_page_offers_google_sign_in_and_loads_no_sdk() {
    let app = spawn_app(&[]).await;
    let (status, html) = page(&app, "/", None).await;
    assert_eq!(status, 200);
    assert!(html.contains(r#"href="/api/auth/google""#));
    assert!(html.contains("Sign in with Google"));
    assert!(
        !html.contains("anam.js"),
        "the SDK loads only for signed-in users"
    );
    assert!(!html.contains("Setup needed"));
}

#[tokio::test]
async fn signed_in_the_page_shows_the_email_controls_and_the_pinned_sdk() {
    let app = spawn_app(&[("ANAM_SDK_URL", "")]).await;
    app.mount_google(3600).await;
    let cookie = app.sign_in(ADA).await;
    let (_, html) = page(&app, "/", Some(&cookie)).await;
    assert!(html.contains(ADA));
    assert!(html.contains(r#"id="start""#));
    assert!(html.contains(r#"id="avatar-video""#));
    assert!(html.contains(r#"action="/api/auth/signout""#));
    assert!(html.contains(
        r#"src="https://cdn.jsdelivr.net/npm/@anam-ai/js-sdk@4.27.0/dist/umd/anam.js" integrity="sha384-YlLVEzjnPjezw7TzjG3RWqeUtTruSn3+WnfBBg9CyHOCpf0VqVorwHodrE7ZieF0" crossorigin="anonymous""#
    ), "{html}");
    assert!(html.contains(r#"data-signed-in="true""#));
    assert!(html.contains(r#"data-configured="true""#));
}

#[tokio::test]
async fn missing_settings_are_listed_with_where_to_get_them() {
    let app = spawn_app(&[("ANAM_API_KEY", ""), ("GOOGLE_CLIENT_SECRET", "")]).await;
    let (_, html) = page(&app, "/", None).await;
    assert!(html.contains("Setup needed"));
    assert!(html.contains("<code>ANAM_API_KEY</code>"));
    assert!(html.contains("<code>GOOGLE_CLIENT_SECRET</code>"));
    assert!(html.contains("lab.anam.ai"));
    assert!(
        !html.contains(r#"id="sign-in""#),
        "no sign-in link without the Google client"
    );
}

#[tokio::test]
async fn a_sign_in_problem_is_explained_and_values_are_escaped() {
    let app = spawn_app(&[]).await;
    let (_, html) = page(&app, "/?auth_error=no_refresh_token", None).await;
    assert!(html.contains("myaccount.google.com/permissions"));
    let (_, html) = page(&app, "/?auth_error=%3Cscript%3Ealert(1)%3C/script%3E", None).await;
    assert!(html.contains("could not be completed"));
    assert!(!html.contains("<script>alert(1)"));
}

#[tokio::test]
async fn assets_are_served_with_an_etag_and_revalidate_to_304() {
    let app = spawn_app(&[]).await;
    for (name, kind) in [
        ("page.mjs", "text/javascript"),
        ("session.mjs", "text/javascript"),
        ("week.mjs", "text/javascript"),
        ("app.css", "text/css"),
    ] {
        let response = app
            .client
            .get(app.url(&format!("/static/{name}")))
            .send()
            .await
            .expect("asset");
        assert_eq!(response.status().as_u16(), 200, "{name}");
        let headers = response.headers().clone();
        assert!(
            headers["content-type"]
                .to_str()
                .unwrap_or("")
                .starts_with(kind)
        );
        assert_eq!(headers["cache-control"], "no-cache");
        let etag = headers["etag"].to_str().expect("etag").to_owned();
        let again = app
            .client
            .get(app.url(&format!("/static/{name}")))
            .header("if-none-match", &etag)
            .send()
            .await
            .expect("asset");
        assert_eq!(again.status().as_u16(), 304);
    }
    let missing = app
        .client
        .get(app.url("/static/nope.js"))
        .send()
        .await
        .expect("asset");
    assert_eq!(json_of(missing).await.0, 404);
}

#[tokio::test]
async fn bookings_need_a_signed_in_user() {
    let app = spawn_app(&[]).await;
    let (status, body) = json_of(
        app.client
            .get(app.url("/api/events"))
            .send()
            .await
            .expect("events"),
    )
    .await;
    assert_error(status, &body, 401, "not_signed_in");
}

#[tokio::test]
async fn bookings_cover_this_month_and_next_with_what_the_page_draws() {
    let app = spawn_app(&[]).await;
    app.mount_google(3600).await;
    fake_calendar::mount_timezone(&app.google, "Europe/London").await;
    fake_calendar::mount_list(
        &app.google,
        json!([{"id": "b1", "summary": "Dentist", "start": {"dateTime": "2026-11-25T10:00:00Z"},
                "end": {"dateTime": "2026-11-25T10:30:00Z"}, "creator": {"email": "x"}}]),
    )
    .await;
    let cookie = app.sign_in(ADA).await;
    let london_today = || {
        jiff::Timestamp::now()
            .in_tz("Europe/London")
            .map(|z| z.date().to_string())
            .expect("zone")
    };
    let before = london_today();
    let (status, mut body) = json_of(app.get_with_cookie("/api/events", &cookie).await).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body["today"] == json!(before) || body["today"] == json!(london_today()),
        "today in the user's zone: {body}"
    );
    assert_eq!(
        body["live"], true,
        "PUBLIC_BASE_URL is https here: the page is told to listen"
    );
    body.as_object_mut().map(|b| {
        b.remove("today");
        b.remove("live")
    });
    assert_eq!(
        body,
        json!({"timezone": "Europe/London", "events": [{"id": "b1", "title": "Dentist",
            "start": "2026-11-25T10:00:00+00:00", "end": "2026-11-25T10:30:00+00:00",
            "allDay": false, "canChange": true, "calendarId": "primary", "color": "#9fe1e7"}]})
    );
    let list = fake_calendar::calendar_requests(&app.google)
        .await
        .into_iter()
        .find(|r| r.url.path() == "/calendar/v3/calendars/primary/events")
        .expect("events.list");
    let min: jiff::Timestamp = fake_calendar::query(&list, "timeMin")
        .expect("min")
        .parse()
        .expect("ts");
    let max: jiff::Timestamp = fake_calendar::query(&list, "timeMax")
        .expect("max")
        .parse()
        .expect("ts");
    let days = max.duration_since(min).as_hours() / 24;
    assert!((59..=62).contains(&days), "two months: {days} days");
    assert_eq!(
        fake_calendar::query(&list, "maxResults").as_deref(),
        Some("250")
    );
}

#[tokio::test]
async fn a_week_is_monday_to_monday_in_the_users_zone_with_its_days() {
    let app = spawn_app(&[]).await;
    app.mount_google(3600).await;
    fake_calendar::mount_timezone(&app.google, "Asia/Tokyo").await;
    fake_calendar::mount_list(&app.google, json!([])).await;
    let cookie = app.sign_in(ADA).await;
    let (status, body) = json_of(
        app.get_with_cookie("/api/events?week=2026-11-26", &cookie)
            .await,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["week_start"], "2026-11-23");
    assert_eq!(
        body["days"],
        json!([
            "2026-11-23",
            "2026-11-24",
            "2026-11-25",
            "2026-11-26",
            "2026-11-27",
            "2026-11-28",
            "2026-11-29"
        ])
    );
    let list = fake_calendar::calendar_requests(&app.google)
        .await
        .into_iter()
        .find(|r| r.url.path() == "/calendar/v3/calendars/primary/events")
        .expect("events.list");
    let at = |name: &str| -> jiff::Timestamp {
        fake_calendar::query(&list, name)
            .expect(name)
            .parse()
            .expect("ts")
    };
    assert_eq!(
        at("timeMin").to_string(),
        "2026-11-22T15:00:00Z",
        "Monday 00:00 in Tokyo"
    );
    assert_eq!(at("timeMax").to_string(), "2026-11-29T15:00:00Z");

    let (status, body) = json_of(
        app.get_with_cookie("/api/events?week=tomorrow", &cookie)
            .await,
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["message"].as_str().is_some_and(|m| m.contains("week")),
        "{body}"
    );
}

#[tokio::test]
async fn bookings_follow_googles_pages_and_say_when_there_were_more() {
    let app = spawn_app(&[]).await;
    app.mount_google(3600).await;
    fake_calendar::mount_timezone(&app.google, "UTC").await;
    let items: Vec<serde_json::Value> = (0..300)
        .map(|i| {
            json!({"id": format!("b{i}"), "summary": format!("Booking {i}"),
                   "start": {"dateTime": "2026-11-25T10:00:00Z"},
                   "end": {"dateTime": "2026-11-25T10:30:00Z"}})
        })
        .collect();
    fake_calendar::mount_list_paged(&app.google, items, 100).await;
    let cookie = app.sign_in(ADA).await;
    let (status, body) = json_of(app.get_with_cookie("/api/events", &cookie).await).await;
    assert_eq!(status, 200);
    assert_eq!(body["events"].as_array().map(Vec::len), Some(250));
    assert_eq!(body["truncated"], true);
    let lists = fake_calendar::calendar_requests(&app.google)
        .await
        .into_iter()
        .filter(|r| r.url.path().ends_with("/events"))
        .count();
    assert_eq!(lists, 3, "100 + 100 + 50");
}

#[tokio::test]
async fn bookings_are_limited_per_user_because_each_read_costs_a_google_call() {
    let app = spawn_app(&[]).await;
    app.mount_google(3600).await;
    fake_calendar::mount_timezone(&app.google, "UTC").await;
    fake_calendar::mount_list(&app.google, json!([])).await;
    let ada = app.sign_in(ADA).await;
    let allowed = calendar_agent::state::EVENTS_READS_PER_MINUTE;
    for _ in 0..allowed {
        assert_eq!(
            app.get_with_cookie("/api/events", &ada)
                .await
                .status()
                .as_u16(),
            200
        );
    }
    let response = app.get_with_cookie("/api/events", &ada).await;
    assert!(response.headers().get("retry-after").is_some());
    let (status, body) = json_of(response).await;
    assert_error(status, &body, 429, "rate_limited");
    let lists = fake_calendar::calendar_requests(&app.google)
        .await
        .into_iter()
        .filter(|r| r.url.path().ends_with("/events"))
        .count();
    assert_eq!(lists, allowed as usize);
    // Another user has their own allowance.
    let eve = app.sign_in("eve@example.com").await;
    assert_eq!(
        app.get_with_cookie("/api/events", &eve)
            .await
            .status()
            .as_u16(),
        200
    );
}

#[tokio::test]
async fn the_page_and_the_api_carry_the_security_headers() {
    let app = spawn_app(&[]).await;
    for path in ["/", "/static/page.mjs", "/api/me", "/api/events"] {
        let response = app.client.get(app.url(path)).send().await.expect("get");
        let headers = response.headers();
        let csp = headers["content-security-policy"]
            .to_str()
            .expect("csp")
            .to_owned();
        assert!(csp.starts_with("default-src 'none'; "), "{path}: {csp}");
        assert!(
            csp.contains(&format!("script-src 'self' {};", app.config.anam.sdk_url)),
            "only this origin and the pinned SDK run scripts: {csp}"
        );
        assert!(
            csp.contains(&format!(
                "connect-src 'self' {} https://*.anam.ai wss://*.anam.ai;",
                app.google.uri()
            )),
            "the page talks to this origin and Anam only: {csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(
            !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
            "{csp}"
        );
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["referrer-policy"], "no-referrer", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
    }
}
