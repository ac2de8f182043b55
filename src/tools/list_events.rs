//! `list_events`: what is on the user's calendars in a period, merged from every calendar they
//! have selected in Google Calendar.

use jiff::Timestamp;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use super::shared::args::{self, Count, Text, When, ZoneName, check_early, optional};
use super::shared::event_view;
use super::{Call, Offered, Tool, UrlLife, Work};
use crate::calendar::{DateMeans, DayPlace, TimeText, Window, Zone, days_from, working_locations};
use crate::error::Result;
use crate::google::accounts::{self, AllEvents, Listing};
use crate::language::Language;

/// The route.
pub(crate) const ROUTE: &str = "/api/calendar/list-events";

/// The declaration.
pub(crate) const TOOL: Tool = Tool {
    name: "list_events",
    route: ROUTE,
    description: "Get the events on the user's calendars for a period, optionally only those \
                  matching some words. Use it when the user asks what is on their calendar, \
                  what comes next, whether a meeting exists, or for a summary of their schedule. \
                  Times are in the answer's timezone. Only what is unusual is said: a guest \
                  without a response accepted; myResponse appears when the user has not \
                  accepted. canChange marks events the user may move or cancel. \
                  working_locations says where the user works each day that has it set \
                  (home, office or elsewhere, with its name).",
    when_to_use: "Questions about what is on their calendars: list_events. It covers every \
                  calendar they show in Google Calendar. An event with myResponse declined is \
                  not a commitment; say so when it matters. madeByAgent marks events you made, \
                  canChange those the user organizes, recurring those that repeat.",
    offered: Offered::Always,
    url_life: UrlLife::Session,
    parameters: args::schema::<ListEventsArgs>,
    prepare: |given, _| {
        let parsed: ListEventsArgs = args::read(given)?;
        parsed.check_early()?;
        Ok(Work::new(parsed, |call, args| Box::pin(run(call, args))))
    },
};

/// Default and bounds of `max_results`.
pub(crate) const DEFAULT_MAX_RESULTS: u32 = 10;
const MAX_RESULTS_CAP: i64 = 50;
/// How far ahead `list_events` looks by default.
pub(crate) const DEFAULT_DAYS: i64 = 7;

/// `list_events`'s arguments (the model's schema is derived from them): default window now →
/// now + 7 days, 10 results (clamped 1–50).
#[derive(Clone, Debug, Deserialize, JsonSchema)]
pub(crate) struct ListEventsArgs {
    /// ISO 8601 start of the period to list. Defaults to now.
    #[serde(default, deserialize_with = "optional")]
    pub window_start: Option<When>,
    /// ISO 8601 end of the period to list. Defaults to 7 days after the start.
    #[serde(default, deserialize_with = "optional")]
    pub window_end: Option<When>,
    /// How many events to return, 1 to 50. Defaults to 10.
    #[serde(default, deserialize_with = "optional")]
    pub max_results: Option<Count>,
    /// IANA time zone, such as America/New_York
    #[serde(default, deserialize_with = "optional")]
    pub timezone: Option<ZoneName>,
    /// Words to look for in the events, such as a title or a person's name. Leave out to list
    /// everything.
    #[serde(default, deserialize_with = "optional")]
    pub query: Option<Text<200>>,
}

impl ListEventsArgs {
    /// A window whose edges carry offsets is checked before any call.
    fn check_early(&self) -> Result<()> {
        check_early(self.start(), self.end()).map(|_| ())
    }

    fn start(&self) -> Option<&TimeText> {
        self.window_start.as_ref().map(|w| &w.0)
    }

    fn end(&self) -> Option<&TimeText> {
        self.window_end.as_ref().map(|w| &w.0)
    }

    /// `max_results`, clamped to 1–50.
    pub(crate) fn max_results(&self) -> u32 {
        self.max_results.map_or(DEFAULT_MAX_RESULTS, |n| {
            n.0.clamp(1, MAX_RESULTS_CAP) as u32
        })
    }

    /// The window in `zone`, defaulting to `now` → `now + 7 days`.
    pub(crate) fn window(&self, zone: &Zone, now: Timestamp) -> Result<Window> {
        let start = match self.start() {
            Some(t) => t.resolve(zone, DateMeans::StartOfDay, "window_start")?,
            None => now,
        };
        let end = match self.end() {
            Some(t) => t.resolve(zone, DateMeans::EndOfDay, "window_end")?,
            None => days_from(start, zone, DEFAULT_DAYS),
        };
        Ok(Window::new(start, end)?)
    }
}

async fn run(call: &mut Call, args: ListEventsArgs) -> Result<Value> {
    let now = call.state.config.clock.now();
    let language = call.user.language;
    let listing = Listing {
        zone: args.timezone.as_ref().map(|z| &z.0),
        cap: args.max_results(),
        query: args.query.as_ref().map(|q| q.0.as_str()),
        working_locations: true,
    };
    let all =
        accounts::all_events(call.all_accounts(), listing, |zone| args.window(zone, now)).await?;
    let mut out = answer(&all, language);
    let days = working_locations(&all.working_locations, &all.zone, all.window);
    if !days.is_empty() {
        out["working_locations"] = Value::Array(days.iter().map(day_place).collect());
    }
    Ok(out)
}

/// A day's working location as the answer gives it: `{"date","where","label"?}`.
fn day_place(day: &DayPlace) -> Value {
    let mut out = json!({"date": day.date.to_string(), "where": day.place.word()});
    if let Some(label) = &day.label {
        out["label"] = json!(label);
    }
    out
}

/// The `list_events` answer: the zone once, the window, the events (each naming its account
/// when the person has several), `"truncated": true` when there were more than the cap, and
/// the accounts that could not be read.
fn answer(all: &AllEvents, language: Language) -> Value {
    let zone = &all.zone;
    let events = event_view::across_accounts(all, event_view::tool_event);
    let mut out = json!({
        "timezone": zone.name,
        "window_start": zone.wall(all.window.start),
        "window_end": zone.wall(all.window.end),
        "count": events.len(),
        "events": events,
    });
    if all.truncated {
        out["truncated"] = json!(true);
    }
    if let Some(unavailable) = event_view::unavailable_accounts(&all.unavailable, language) {
        out["unavailable_accounts"] = unavailable;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::test_support::{argument_of, parsed};

    #[test]
    fn defaults_and_clamps() {
        let a: ListEventsArgs = parsed(json!({})).expect("empty is fine");
        assert_eq!(a.max_results(), 10);
        assert!(a.query.is_none());
        let now: Timestamp = "2026-11-24T14:00:00Z".parse().expect("ts");
        let w = a.window(&Zone::utc(), now).expect("window");
        assert_eq!(w.start, now);
        assert_eq!(
            w.end,
            "2026-12-01T14:00:00Z".parse::<Timestamp>().expect("ts")
        );
        for (given, expected) in [
            (json!(500), 50),
            (json!(0), 1),
            (json!(-3), 1),
            (json!("25"), 25),
        ] {
            let a: ListEventsArgs = parsed(json!({ "max_results": given })).expect("ok");
            assert_eq!(a.max_results(), expected);
        }
        let a: ListEventsArgs = parsed(json!({"query": "  dentist "})).expect("ok");
        assert_eq!(a.query.map(|q| q.0).as_deref(), Some("dentist"));
    }

    #[test]
    fn bad_values_are_refused_by_name() {
        for (args, name) in [
            (json!({"timezone": "Mars/Olympus"}), "timezone"),
            (json!({"window_start": "soon"}), "window_start"),
            (json!({"max_results": "many"}), "max_results"),
            (json!({"window_end": 5}), "window_end"),
            (json!({"query": 7}), "query"),
            (json!({"query": "x".repeat(201)}), "query"),
        ] {
            assert_eq!(argument_of(parsed::<ListEventsArgs>(args)), name);
        }
    }
}
