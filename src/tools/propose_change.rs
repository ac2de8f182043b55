//! `propose_change`: reads back a move or a cancellation of any event the user organizes
//! (recurring ones too, for this occurrence, the following ones or all), and keeps it for 15
//! minutes under a short id. Nothing is written to Google: `apply_change` does that, after the
//! user says yes.

use google_calendar3::api::Event;
use serde_json::{Value, json};

use super::shared::args::{
    Args, event_id, event_times, no_such_event, optional_text, optional_zone, required_str,
};
use super::shared::change::{Asked, Proposal, Read, Scope, Times, Verb, plan};
use super::shared::handler::zone_for;
use super::{Call, Offered, Tool, UrlLife, Work};
use crate::calendar::series;
use crate::calendar::{CalendarRef, Rule, TimeText, Window, Zone, can_change, my_response};
use crate::error::{Action, Error, Result};
use crate::google::user_calendar::UserCalendar;
use crate::store::Kind;

/// The route.
pub(crate) const ROUTE: &str = "/api/calendar/change-proposals";

/// How long a proposal can be applied.
pub(crate) const PROPOSAL_MINUTES: i64 = 15;

const MAX_NOTE_CHARS: usize = 500;

/// The declaration.
pub(crate) const TOOL: Tool = Tool {
    name: "propose_change",
    route: ROUTE,
    description: "Prepare moving or cancelling an event the user organizes (list_events marks \
                  it canChange), recurring ones too. Nothing changes yet: it returns a change_id \
                  and what would change (from, to, guests told, conflicts, and \
                  changed_occurrences: ones moved on their own that will follow the series \
                  again) to read back. For an event that repeats, say which: scope this, \
                  following or all. A series change no repeat rule can say is refused with what \
                  can be done instead.",
    when_to_use: "Moving or cancelling an event: propose_change first (for a repeating event \
                  ask the user: just this one, this and the following ones, or all of them). \
                  Read back the event, from and to, and that the guests will be told; then \
                  apply_change with the change_id after a clear yes. For events someone else \
                  organizes, offer to decline with respond_to_invite.",
    offered: Offered::Always,
    url_life: UrlLife::Session,
    parameters,
    examples: || {
        vec![
            json!({"event_id": "abc123_20261130T090000Z", "action": "move", "start": "2026-12-01T10:00:00",
                   "end": "2026-12-01T10:30:00", "timezone": "Europe/Berlin", "scope": "this",
                   "note": "Moved to Tuesday this week"}),
            json!({"event_id": "abc123", "action": "cancel"}),
        ]
    },
    prepare: |args, _| {
        Ok(Work::new(ProposeArgs::parse(args)?, |call, args| {
            Box::pin(run(call, args))
        }))
    },
};

fn parameters() -> Value {
    json!({
        "type": "object",
        "properties": {
            "event_id": { "type": "string", "description": "The id list_events gave for the event" },
            "action": { "type": "string", "enum": ["move", "cancel"], "description": "Move it to a new time, or cancel it" },
            "start": { "type": "string", "description": "For move: ISO 8601 new start date and time" },
            "end": { "type": "string", "description": "For move: ISO 8601 new end date and time" },
            "timezone": { "type": "string", "description": "IANA time zone of start and end, such as America/New_York" },
            "scope": { "type": "string", "enum": ["this", "following", "all"], "description": "For an event that repeats: just this one, this and the following ones, or all of them" },
            "note": { "type": "string", "description": "A short message for the guests, if the user gave one" }
        },
        "required": ["event_id", "action"]
    })
}

/// `propose_change`'s arguments.
#[derive(Clone, Debug)]
pub(crate) struct ProposeArgs {
    pub(crate) event_id: String,
    pub(crate) action: Verb,
    /// For a move: the new times, and whether both were whole days.
    pub(crate) times: Option<(jiff::Timestamp, jiff::Timestamp, bool)>,
    pub(crate) timezone: Option<Zone>,
    pub(crate) scope: Option<Scope>,
    pub(crate) note: Option<String>,
}

impl ProposeArgs {
    /// Parses the JSON arguments.
    pub(crate) fn parse(args: &Args<'_>) -> Result<Self> {
        let event_id = event_id(args)?;
        let action = match required_str(args.get("action"), "action")?.trim() {
            a if a.eq_ignore_ascii_case("move") => Verb::Move,
            a if a.eq_ignore_ascii_case("cancel") => Verb::Cancel,
            _ => return Err(Error::invalid("action", "action must be move or cancel.")),
        };
        let scope = match optional_text(args, "scope", 20)?.as_deref() {
            None | Some("") => None,
            Some(s) if s.eq_ignore_ascii_case("this") => Some(Scope::This),
            Some(s) if s.eq_ignore_ascii_case("following") => Some(Scope::Following),
            Some(s) if s.eq_ignore_ascii_case("all") => Some(Scope::All),
            Some(_) => {
                return Err(Error::invalid(
                    "scope",
                    "scope must be this, following or all.",
                ));
            }
        };
        let note = optional_text(args, "note", MAX_NOTE_CHARS)?.filter(|n| !n.is_empty());
        let timezone = optional_zone(args)?;
        let times = match (action, &timezone) {
            (Verb::Move, None) => {
                return Err(Error::invalid(
                    "timezone",
                    "timezone is required to move an event.",
                ));
            }
            (Verb::Move, Some(zone)) => {
                let (start, end) = event_times(args, zone)?;
                let dates = [args.get("start"), args.get("end")].iter().all(|v| {
                    v.and_then(Value::as_str)
                        .and_then(|t| TimeText::parse(t, "start").ok())
                        .is_some_and(|t| matches!(t, TimeText::Date(_)))
                });
                Some((start, end, dates))
            }
            (Verb::Cancel, _) => None,
        };
        Ok(Self {
            event_id,
            action,
            times,
            timezone,
            scope,
            note,
        })
    }
}

/// The event with `id` on one of the user's calendars (primary first), with that calendar.
async fn find(
    google: &mut UserCalendar,
    calendars: &[CalendarRef],
    id: &str,
) -> Result<(CalendarRef, Event)> {
    for calendar in calendars {
        if let Some(event) = google.event(&calendar.id, id).await? {
            return Ok((calendar.clone(), event));
        }
    }
    Err(no_such_event())
}

async fn run(call: &mut Call, args: ProposeArgs) -> Result<Value> {
    let (state, user, google) = (&call.state, &call.user, &mut call.google);
    let zone = zone_for(google, args.timezone.as_ref()).await?;
    let context = google.context().await?;
    let (calendar, event) = find(google, &context.calendars, &args.event_id).await?;
    let moving = args.action == Verb::Move;
    if event.status.as_deref() == Some("cancelled") {
        return Err(Action::AlreadyCancelled { moving }.into());
    }
    if !can_change(&event, &calendar, &context.owners) {
        return Err(Action::NotOrganizer.into());
    }
    let master = match &event.recurring_event_id {
        Some(master_id) => google.event(&calendar.id, master_id).await?,
        None => event.recurrence.as_ref().map(|_| event.clone()),
    };
    if master
        .as_ref()
        .is_some_and(|m| m.status.as_deref() == Some("cancelled"))
    {
        return Err(Action::AlreadyCancelled { moving }.into());
    }
    let scope = scope_of(&event, master.as_ref(), args.scope)?;
    let all_day = event.start.as_ref().is_some_and(|s| s.date.is_some());
    let times = args.times.map(|(start, end, dates)| {
        if all_day && dates {
            Times::AllDay(zone.zoned(start).date(), zone.zoned(end).date())
        } else {
            Times::Timed(start, end)
        }
    });
    let now = jiff::Timestamp::now();
    // The occurrences Google keeps apart from the rule matter when the series is rewritten.
    let rewrites = scope != Scope::This && !(args.action == Verb::Cancel && scope == Scope::All);
    let instances = match (&master, rewrites) {
        (Some(series), true) => {
            let until = reach(now, &event, series, times);
            let id = series.id.as_deref().unwrap_or_default();
            google.instances(&calendar.id, id, until).await?
        }
        _ => Vec::new(),
    };
    let read = Read {
        calendar_id: calendar.id.clone(),
        event,
        master,
        instances,
    };
    let asked = Asked {
        action: args.action,
        scope,
        times,
        note: args.note.as_deref(),
        zone: &zone,
        user_id: &user.user_id,
        now,
    };
    let proposal = plan(&read, &asked)?;
    let conflicts = match times {
        Some(Times::Timed(start, end)) => {
            conflicts(google, &context.calendars, &read, start, end, &zone).await?
        }
        _ => Vec::new(),
    };
    let payload =
        serde_json::to_string(&proposal).map_err(|e| Error::internal(format!("proposal: {e}")))?;
    let stored = state
        .store
        .save_draft(
            Kind::Change,
            &user.user_id,
            user.session,
            &payload,
            PROPOSAL_MINUTES * 60,
        )
        .await?;
    Ok(answer(&stored.id, &proposal, conflicts))
}

/// How far the series' occurrences are read: as far as the plan judges it (two years past now
/// or the occurrence, and as far again as it moves).
fn reach(
    now: jiff::Timestamp,
    event: &Event,
    series: &Event,
    times: Option<Times>,
) -> jiff::Timestamp {
    let at = |e: &Option<google_calendar3::api::EventDateTime>| {
        e.as_ref()
            .and_then(|d| d.date_time)
            .and_then(crate::calendar::from_chrono)
    };
    let occurrence = at(&event.original_start_time).or_else(|| at(&event.start));
    let moved_to = times.map(|t| match t {
        Times::Timed(s, _) => s,
        Times::AllDay(day, _) => day
            .to_zoned(jiff::tz::TimeZone::UTC)
            .map_or(now, |z| z.timestamp()),
    });
    let by = match (occurrence, moved_to) {
        (Some(o), Some(to)) => to.duration_since(o).abs(),
        _ => jiff::SignedDuration::ZERO,
    };
    let from = [Some(now), occurrence, at(&series.start)]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(now);
    from.checked_add(series::JUDGED_FOR + by + jiff::SignedDuration::from_hours(72))
        .unwrap_or(jiff::Timestamp::MAX)
}

/// Which occurrences: a single event is itself; a series needs the user to say (asked in
/// words); a series' own id cannot name one occurrence.
fn scope_of(event: &Event, master: Option<&Event>, asked: Option<Scope>) -> Result<Scope> {
    let Some(series) = master else {
        return Ok(Scope::This);
    };
    let named_series = event.recurring_event_id.is_none();
    match asked {
        None => Err(ask_scope(series)),
        Some(Scope::This | Scope::Following) if named_series => Err(Error::invalid(
            "event_id",
            "That id names the whole series. For just one occurrence, or one and the ones \
             after it, use the id list_events gave for that occurrence.",
        )),
        Some(scope) => Ok(scope),
    }
}

/// The 400 that asks which occurrences, saying the series' rule in words.
fn ask_scope(series: &Event) -> Error {
    let words = Rule::find(series.recurrence.as_deref().unwrap_or_default())
        .map_or_else(|| "on a repeating schedule".to_owned(), |r| r.describe());
    Error::invalid(
        "scope",
        format!(
            "This event repeats {words}. Ask the user whether to change just this one (scope \
             this), this one and the ones after it (following), or all of them (all)."
        ),
    )
}

/// Titles of the user's other events that overlap the new time.
async fn conflicts(
    google: &mut UserCalendar,
    calendars: &[CalendarRef],
    read: &Read,
    start: jiff::Timestamp,
    end: jiff::Timestamp,
    zone: &Zone,
) -> Result<Vec<String>> {
    let Ok(window) = Window::new(start, end) else {
        return Ok(Vec::new());
    };
    let listed = google
        .events_across(calendars, window, 20, zone, None)
        .await?;
    // The event itself, and for an occurrence its series, are not in their own way.
    let own: Vec<&str> = [&read.event.id, &read.event.recurring_event_id]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect();
    let is_own = |id: &Option<String>| id.as_deref().is_some_and(|id| own.contains(&id));
    Ok(listed
        .events
        .iter()
        .map(|(e, _)| e)
        .filter(|e| !is_own(&e.id) && !is_own(&e.recurring_event_id))
        .filter(|e| {
            my_response(e) != Some("declined") && e.transparency.as_deref() != Some("transparent")
        })
        .map(|e| e.summary.clone().unwrap_or_else(|| "(no title)".into()))
        .collect())
}

fn answer(change_id: &str, proposal: &Proposal, conflicts: Vec<String>) -> Value {
    let mut out = json!({
        "change_id": change_id,
        "action": proposal.action,
        "title": proposal.title,
        "scope": proposal.scope,
        "from": {"start": proposal.from.0, "end": proposal.from.1},
        "timezone": proposal.timezone,
        "guests": proposal.guests,
        "conflicts": conflicts,
        "expires_in_minutes": PROPOSAL_MINUTES,
    });
    if let Some((start, end)) = &proposal.to {
        out["to"] = json!({"start": start, "end": end});
    }
    if let Some(series) = &proposal.series_id {
        out["series_id"] = json!(series);
    }
    if !proposal.reset.is_empty() {
        out["changed_occurrences"] = json!(proposal.reset);
    }
    out
}
