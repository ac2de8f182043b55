//! `find_free_time`: slots of the asked length where every calendar the user has selected is
//! free, inside working hours unless the user asked for any time.

use jiff::{SignedDuration, Timestamp};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use super::shared::args::{self, Count, Emails, Flag, When, ZoneName, check_early, optional};
use super::shared::handler::zone_for;
use super::shared::{availability, event_view};
use super::{Call, Offered, Tool, UrlLife, Work};
use crate::calendar::{
    DateMeans, Interval, MAX_SLOTS, MAX_WINDOW_DAYS, TimeText, Window, Zone, offered_slots,
};
use crate::error::{Error, Result};
use crate::google::user_calendar::needs;
use crate::messages::Said;

/// The route.
pub(crate) const ROUTE: &str = "/api/calendar/freebusy";

/// The declaration.
pub(crate) const TOOL: Tool = Tool {
    name: "find_free_time",
    route: ROUTE,
    description: "Find free slots of duration_minutes within a period, across all of the \
                  user's calendars, inside their working hours. Set any_time to true only when \
                  the user asks for evenings, weekends or any time. Use it before suggesting \
                  times to put a hold on.",
    when_to_use: "Questions about when they are free, or requests to find time: \
                  find_free_time. It looks inside their working hours; set any_time only when \
                  they ask for evenings, weekends or any time. Suggest no more than three of \
                  the slots it returns.",
    offered: Offered::Always,
    url_life: UrlLife::Session,
    parameters: args::schema::<FindFreeTimeArgs>,
    prepare: |given, user| {
        let parsed: FindFreeTimeArgs = args::read(given)?;
        let work = parsed.checked(&user.user_id)?;
        Ok(Work::new(work, |call, args| Box::pin(run(call, args))))
    },
};

/// `find_free_time`'s arguments (the model's schema is derived from them).
#[derive(Clone, Debug, Deserialize, JsonSchema)]
pub(crate) struct FindFreeTimeArgs {
    /// ISO 8601 start of the period to search
    window_start: When,
    /// ISO 8601 end of the period to search
    window_end: When,
    /// Length of the free time needed, in minutes
    duration_minutes: Count,
    /// IANA time zone, such as America/New_York
    #[serde(default, deserialize_with = "optional")]
    timezone: Option<ZoneName>,
    /// true to search outside working hours too (evenings, weekends). Defaults to false.
    #[serde(default, deserialize_with = "optional")]
    any_time: Option<Flag>,
    /// Email addresses of other people who must be free too, at most 20
    #[serde(default, deserialize_with = "optional")]
    attendees: Option<Emails>,
}

/// A search for free time, its arguments checked.
#[derive(Clone, Debug)]
pub(crate) struct Search {
    /// `window_start`.
    pub window_start: TimeText,
    /// `window_end`.
    pub window_end: TimeText,
    /// `duration_minutes`, positive.
    pub duration: SignedDuration,
    /// `timezone` (default: the user's calendar zone).
    pub timezone: Option<Zone>,
    /// `any_time`: outside working hours too.
    pub any_time: bool,
    /// `attendees`: other people who must be free too.
    pub attendees: Vec<String>,
}

impl FindFreeTimeArgs {
    /// The search `user_id` asked for: a positive duration that fits the window.
    pub(crate) fn checked(self, user_id: &str) -> Result<Search> {
        let minutes = self.duration_minutes.0;
        if minutes <= 0 {
            return Err(Error::invalid(
                "duration_minutes",
                Said::key("duration_positive"),
            ));
        }
        if minutes > MAX_WINDOW_DAYS * 24 * 60 {
            return Err(Error::invalid(
                "duration_minutes",
                Said::key("duration_too_long").var("days", MAX_WINDOW_DAYS),
            ));
        }
        let duration = SignedDuration::from_mins(minutes);
        if let Some(window) = check_early(Some(&self.window_start.0), Some(&self.window_end.0))? {
            check_fits(duration, window)?;
        }
        let attendees = self.attendees.unwrap_or_default();
        Ok(Search {
            window_start: self.window_start.0,
            window_end: self.window_end.0,
            duration,
            timezone: self.timezone.map(|z| z.0),
            any_time: self.any_time.is_some_and(|f| f.0),
            attendees: availability::attendees(&attendees, user_id, false)?,
        })
    }
}

impl Search {
    /// The window in `zone`; refuses a duration longer than the window.
    pub(crate) fn window(&self, zone: &Zone) -> Result<Window> {
        let window = Window::new(
            self.window_start
                .resolve(zone, DateMeans::StartOfDay, "window_start")?,
            self.window_end
                .resolve(zone, DateMeans::EndOfDay, "window_end")?,
        )?;
        check_fits(self.duration, window)?;
        Ok(window)
    }
}

fn check_fits(duration: SignedDuration, window: Window) -> Result<()> {
    if duration > window.duration() {
        return Err(Error::invalid(
            "duration_minutes",
            Said::key("duration_longer_than_window"),
        ));
    }
    Ok(())
}

/// Across several days, at most this many slots on one day.
pub(crate) const SLOTS_PER_DAY: usize = 2;

/// The part of `window` from `now` on (starting at the next whole 5 minutes), if any.
pub(crate) fn from_now(window: Window, now: Timestamp) -> Option<Window> {
    if window.start >= now {
        return Some(window);
    }
    let step = 300;
    let rounded = (now.as_second() + step - 1).div_euclid(step) * step;
    let start = Timestamp::from_second(rounded).ok()?;
    Window::new(start, window.end).ok()
}

async fn run(call: &mut Call, args: Search) -> Result<Value> {
    let working = call.state.config.working_hours;
    let google = &mut call.google;
    google.require(needs::FINDING_TIME).await?;
    let zone = zone_for(google, args.timezone.as_ref()).await?;
    let window = args.window(&zone)?;
    let hours = (!args.any_time).then(|| working.to_string());
    // Slots in the past are no use to anyone: search from now on.
    let Some(searched) = from_now(window, call.state.config.clock.now()) else {
        return Ok(answer(&[], &zone, window, hours));
    };
    let allowed: Vec<Interval> = if args.any_time {
        vec![Interval {
            start: searched.start,
            end: searched.end,
        }]
    } else {
        working.intervals(searched, &zone)
    };
    if allowed.is_empty() {
        return Ok(answer(&[], &zone, searched, hours));
    }
    let context = google.context().await?;
    // The other accounts' calendars at the same time as the primary's and the attendees'.
    let mut other_busy = availability::Availability::default();
    let (known, elsewhere) = tokio::join!(
        availability::availability(google, &context, searched, &zone, &args.attendees),
        availability::elsewhere(&mut call.others, searched, &zone, &mut other_busy),
    );
    let mut known = known?;
    known.user.extend(other_busy.user);
    let busy = known.all_busy();
    // On the quarter hour; across several days at most two a day, earliest first.
    let several_days = zone.zoned(searched.start).date()
        < zone
            .zoned(searched.end - jiff::SignedDuration::from_secs(1))
            .date();
    let per_day = several_days.then_some(SLOTS_PER_DAY);
    let slots = offered_slots(&allowed, &busy, args.duration, &zone, per_day, MAX_SLOTS);
    let mut answer = answer(&slots, &zone, searched, hours);
    if call.several() {
        // Free on every account; a hold or a meeting in it goes to this one unless named.
        if let Some(slots) = answer["slots"].as_array_mut() {
            for slot in slots {
                slot["account"] = json!(call.account);
            }
        }
    }
    if !args.attendees.is_empty() {
        // Their availability is unknown, never assumed free: the model must say so.
        answer["unknown_availability"] = json!(known.unknown);
    }
    if let Some(unavailable) = event_view::unavailable_accounts(&elsewhere, call.user.language) {
        answer["unavailable_accounts"] = unavailable;
    }
    Ok(answer)
}

/// The `find_free_time` answer. `working_hours` is said when slots were kept inside them.
fn answer(slots: &[Interval], zone: &Zone, window: Window, working_hours: Option<String>) -> Value {
    let mut out = json!({
        "slots": slots
            .iter()
            .map(|s| json!({ "start": zone.format(s.start), "end": zone.format(s.end) }))
            .collect::<Vec<_>>(),
        "timezone": zone.name,
        "window_start": zone.format(window.start),
        "window_end": zone.format(window.end),
    });
    if let Some(hours) = working_hours {
        out["working_hours"] = json!(hours);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::test_support::{argument_of, parsed};

    fn ts(s: &str) -> Timestamp {
        s.parse().expect("ts")
    }

    #[test]
    fn a_positive_duration_that_fits_is_required() {
        let base =
            json!({"window_start": "2026-11-24T09:00:00", "window_end": "2026-11-24T12:00:00"});
        let with = |d: Value| {
            let mut m = base.clone();
            m["duration_minutes"] = d;
            m
        };
        let parse = |m: &Value| {
            parsed::<FindFreeTimeArgs>(m.clone()).and_then(|a| a.checked("ada@example.com"))
        };
        assert_eq!(argument_of(parse(&base)), "duration_minutes");
        assert_eq!(argument_of(parse(&with(json!(0)))), "duration_minutes");
        assert_eq!(argument_of(parse(&with(json!(-30)))), "duration_minutes");
        let long = parse(&with(json!(240))).expect("parses");
        assert_eq!(argument_of(long.window(&Zone::utc())), "duration_minutes");
        let fits = parse(&with(json!(180))).expect("parses");
        assert!(fits.window(&Zone::utc()).is_ok());
        assert!(!fits.any_time);
        let mut any = with(json!(30));
        any["any_time"] = json!(true);
        assert!(parse(&any).expect("parses").any_time);
        any["any_time"] = json!("often");
        assert_eq!(argument_of(parse(&any)), "any_time");
    }

    #[test]
    fn a_window_in_the_past_is_searched_from_the_next_five_minutes() {
        let w = Window::new(ts("2026-11-24T09:00:00Z"), ts("2026-11-24T17:00:00Z")).expect("w");
        assert_eq!(from_now(w, ts("2026-11-24T08:00:00Z")), Some(w));
        let clipped = from_now(w, ts("2026-11-24T10:07:30Z")).expect("clipped");
        assert_eq!(clipped.start, ts("2026-11-24T10:10:00Z"));
        assert_eq!(from_now(w, ts("2026-11-24T18:00:00Z")), None);
    }
}
