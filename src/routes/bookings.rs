//! `GET /api/events`: the bookings panel — this month and next, flattened like `list_events`.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use jiff::{Timestamp, ToSpan};
use serde_json::{Value, json};

use crate::current_user::CurrentUser;
use crate::error::{Error, Result};
use crate::google::user_calendar::UserCalendar;
use crate::state::AppState;
use crate::tools::answers;
use crate::tools::run::GOOGLE_BUDGET;
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
        let context = google.context().await?;
        let zone = context.zone.clone();
        let window = this_month_and_next(&zone, Timestamp::now())?;
        let listed = google
            .events_across(&context.calendars, window, MAX_BOOKINGS, &zone, None)
            .await?;
        let events: Vec<Value> = listed
            .events
            .iter()
            .map(|(event, calendar)| answers::page_event(event, &zone, calendar))
            .collect();
        let mut body = json!({ "events": events, "timezone": zone.name });
        if listed.truncated {
            body["truncated"] = json!(true);
        }
        Ok::<_, Error>(body)
    };
    let body = tokio::time::timeout(GOOGLE_BUDGET, work)
        .await
        .map_err(|_| Error::GoogleTimeout {
            what: "events.list",
        })??;
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
