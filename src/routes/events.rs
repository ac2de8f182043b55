//! `GET /api/events`: what the page draws. `?week=YYYY-MM-DD` gives the week (Monday to
//! Sunday, in the user's zone) holding that day; without it, this month and next.

use axum::extract::{RawQuery, State};
use axum::routing::get;
use axum::{Json, Router};
use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use serde_json::{Value, json};

use crate::calendar::{Window, Zone};
use crate::error::{Error, GoogleError, Result};
use crate::google::accounts::{self, Listing};
use crate::http::current_user::CurrentUser;
use crate::language::Language;
use crate::state::AppState;
use crate::tools::shared::event_view;

/// Events shown at most (pages are followed up to this many).
const MAX_BOOKINGS: u32 = 250;

/// Routes of this area.
pub(super) fn router() -> Router<AppState> {
    Router::new().route("/api/events", get(events))
}

/// From the first day of this month to the first day of the month after next, in `zone`.
pub(super) fn this_month_and_next(zone: &Zone, now: Timestamp) -> Result<Window> {
    let first = zone
        .zoned(now)
        .first_of_month()
        .and_then(|d| d.start_of_day())
        .map_err(|e| Error::internal(format!("month start: {e}")))?;
    let end = first
        .checked_add(2.months())
        .map_err(|e| Error::internal(format!("month end: {e}")))?;
    Ok(Window::new(first.timestamp(), end.timestamp())?)
}

/// The Monday of the week holding `day`, and the window from it to the next Monday, in `zone`
/// (a week across a DST change is 167 or 169 hours).
pub(super) fn week_of(day: Date, zone: &Zone) -> Result<(Date, Window)> {
    let offset = i64::from(day.weekday().to_monday_zero_offset());
    let monday = day
        .checked_sub(offset.days())
        .map_err(|e| Error::internal(format!("week start: {e}")))?;
    let at = |d: Date| {
        zone.tz
            .to_ambiguous_zoned(d.to_datetime(jiff::civil::Time::midnight()))
            .compatible()
            .map(|z| z.timestamp())
            .map_err(|e| Error::internal(format!("week edge: {e}")))
    };
    let next = monday
        .checked_add(7.days())
        .map_err(|e| Error::internal(format!("week end: {e}")))?;
    Ok((monday, Window::new(at(monday)?, at(next)?)?))
}

fn week_param(query: Option<&str>) -> Result<Option<Date>> {
    let Some(text) = form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .find(|(k, _)| k == "week")
        .map(|(_, v)| v.into_owned())
    else {
        return Ok(None);
    };
    text.parse::<Date>()
        .map(Some)
        .map_err(|_| Error::invalid("week", crate::messages::Said::key("week_date")))
}

async fn events(
    State(state): State<AppState>,
    user: CurrentUser,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>> {
    let week = week_param(query.as_deref())?;
    // Each read costs a Google call: a script in a tab must not spend the user's quota.
    state.events_user_limit.check(&user.user_id)?;
    let deadline = tokio::time::Instant::now() + state.config.budgets.tool_call;
    let emails = state.accounts_of(&user.user_id).await?;
    let mut accounts: Vec<_> = emails
        .iter()
        .map(|email| (email.as_str(), state.google_for(email).until(deadline)))
        .collect();
    let work = async {
        let now = state.config.clock.now();
        let mut monday = None;
        let listing = Listing {
            zone: None,
            cap: MAX_BOOKINGS,
            query: None,
            working_locations: false,
        };
        let all = accounts::all_events(
            accounts.iter_mut().map(|(e, g)| (*e, g)).collect(),
            listing,
            |zone| match week {
                Some(day) => {
                    let (first, window) = week_of(day, zone)?;
                    monday = Some(first);
                    Ok(window)
                }
                None => this_month_and_next(zone, now),
            },
        )
        .await?;
        let zone = &all.zone;
        let today = zone.zoned(now).date();
        let events = event_view::across_accounts(&all, event_view::page_event);
        let mut body = json!({
            "events": events,
            "timezone": zone.name,
            "today": today.to_string(),
            "live": crate::live::watch::enabled(&state),
        });
        if let Some(monday) = monday {
            let days: Vec<String> = (0..7)
                .filter_map(|i| monday.checked_add(i.days()).ok())
                .map(|d| d.to_string())
                .collect();
            body["week_start"] = json!(monday.to_string());
            body["days"] = json!(days);
        }
        if all.truncated {
            body["truncated"] = json!(true);
        }
        if let Some(unavailable) =
            event_view::unavailable_accounts(&all.unavailable, Language::ENGLISH)
        {
            body["unavailable_accounts"] = unavailable;
        }
        Ok::<_, Error>(body)
    };
    let body = tokio::time::timeout_at(deadline, work)
        .await
        .map_err(|_| {
            Error::Google(GoogleError::Timeout {
                what: "events.list",
            })
        })??;
    Ok(Json(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_week_runs_monday_to_monday_in_the_users_zone_across_dst() {
        let zone = Zone::parse("Europe/Berlin", "timezone").expect("zone");
        // Thursday 2030-10-31; the clocks went back on Sunday the 27th.
        let (monday, w) = week_of("2030-10-31".parse().expect("date"), &zone).expect("week");
        assert_eq!(monday.to_string(), "2030-10-28");
        assert_eq!(zone.format(w.start), "2030-10-28T00:00:00+01:00");
        let (monday, w) = week_of("2030-10-27".parse().expect("date"), &zone).expect("week");
        assert_eq!(
            monday.to_string(),
            "2030-10-21",
            "a Sunday belongs to the week before"
        );
        assert_eq!(w.duration().as_hours(), 169, "the week the clocks go back");
        assert!(week_param(Some("week=2030-13-01")).is_err());
        assert_eq!(week_param(Some("x=1")).ok(), Some(None));
    }

    #[test]
    fn the_window_runs_from_this_month_to_the_end_of_next_in_the_users_zone() {
        let zone = Zone::parse("America/New_York", "timezone").expect("zone");
        let now: Timestamp = "2026-11-22T20:00:00Z".parse().expect("ts");
        let w = this_month_and_next(&zone, now).expect("window");
        assert_eq!(zone.format(w.start), "2026-11-01T00:00:00-04:00");
        assert_eq!(zone.format(w.end), "2027-01-01T00:00:00-05:00");
    }
}
