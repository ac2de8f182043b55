//! `GET /api/events`: the bookings panel — this month and next, flattened like `list_events`.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use jiff::{Timestamp, ToSpan};
use serde_json::{Value, json};

use crate::current_user::CurrentUser;
use crate::error::{Error, Result};
use crate::google::scopes;
use crate::google::user_calendar::UserCalendar;
use crate::routes::tools::GOOGLE_BUDGET;
use crate::state::AppState;
use crate::tools::answers;
use crate::tools::time::{Window, Zone};

/// Events shown at most (pages are followed up to this many).
const MAX_BOOKINGS: u32 = 250;

/// Routes of this area.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/events", get(events))
}

/// From the first day of this month to the first day of the month after next, in `zone`.
pub fn this_month_and_next(zone: &Zone, now: Timestamp) -> Result<Window> {
    let first = zone
        .zoned(now)
        .first_of_month()
        .and_then(|d| d.start_of_day())
        .map_err(|e| Error::Internal(format!("month start: {e}")))?;
    let end = first
        .checked_add(2.months())
        .map_err(|e| Error::Internal(format!("month end: {e}")))?;
    Window::new(first.timestamp(), end.timestamp())
}

async fn events(State(state): State<AppState>, user: CurrentUser) -> Result<Json<Value>> {
    // Each read costs a Google call: a script in a tab must not spend the user's quota.
    state.events_user_limit.check(&user.user_id)?;
    let mut google = UserCalendar::new(&state, &user.user_id);
    let work = async {
        let zone = google.zone().await?;
        let window = this_month_and_next(&zone, Timestamp::now())?;
        let zone_ref = &zone;
        let page = google
            .call(&scopes::EVENTS_LIST, |client, token| async move {
                client
                    .list_events(&token, window, MAX_BOOKINGS, zone_ref)
                    .await
            })
            .await?;
        Ok::<_, Error>(answers::event_list(&page, &zone, window))
    };
    let mut listed = tokio::time::timeout(GOOGLE_BUDGET, work)
        .await
        .map_err(|_| Error::GoogleTimeout {
            what: "events.list",
        })??;
    let mut body = json!({ "events": listed["events"].take() });
    if listed["truncated"] == true {
        body["truncated"] = json!(true);
    }
    Ok(Json(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_runs_from_this_month_to_the_end_of_next_in_the_users_zone() {
        let zone = Zone::parse("America/New_York", "timezone").expect("zone");
        let now: Timestamp = "2026-11-22T20:00:00Z".parse().expect("ts");
        let w = this_month_and_next(&zone, now).expect("window");
        assert_eq!(zone.format(w.start), "2026-11-01T00:00:00-04:00");
        assert_eq!(zone.format(w.end), "2027-01-01T00:00:00-05:00");
    }
}
