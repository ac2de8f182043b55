//! `propose_change`: reads back a move or a cancellation of any event the user organizes
//! (recurring ones too, for this occurrence, the following ones or all), and keeps it for 15
//! minutes under a short id. Nothing is written to Google: `apply_change` does that, after the
//! user says yes.

use google_calendar3::api::Event;
use serde_json::{Value, json};

use schemars::JsonSchema;
use serde::Deserialize;

use super::shared::args::{
    self, EventId, Text, When, ZoneName, choice, event_times, no_such_event, optional,
};
use super::shared::change::{Asked, Proposal, Read, Scope, Times, Verb, plan};
use super::shared::handler::zone_for;
use super::{Call, Offered, Tool, UrlLife, Work};
use crate::calendar::series;
use crate::calendar::series::Repeats;
use crate::calendar::{CalendarRef, TimeText, Window, Zone, can_change, my_response};
use crate::error::{Action, Error, Result};
use crate::google::user_calendar::UserCalendar;
use crate::messages::Said;
use crate::store::Kind;

/// The route.
pub(crate) const ROUTE: &str = "/api/calendar/change-proposals";

/// How long a proposal can be applied.
pub(crate) const PROPOSAL_MINUTES: i64 = 15;

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
    parameters: args::schema::<ProposeInput>,
    prepare: |given, _| {
        let parsed: ProposeInput = args::read(given)?;
        Ok(Work::new(parsed.checked()?, |call, args| {
            Box::pin(run(call, args))
        }))
    },
};

choice! {
    /// Which occurrences of a series, as the model says it.
    pub(crate) enum ScopeArg {
        /// Just this one.
        This = "this",
        /// This one and the ones after it.
        Following = "following",
        /// All of them.
        All = "all",
    }
}

impl From<ScopeArg> for Scope {
    fn from(scope: ScopeArg) -> Self {
        match scope {
            ScopeArg::This => Self::This,
            ScopeArg::Following => Self::Following,
            ScopeArg::All => Self::All,
        }
    }
}

/// `propose_change`'s arguments (the model's schema is derived from them).
#[derive(Clone, Debug, Deserialize, JsonSchema)]
pub(crate) struct ProposeInput {
    /// The id list_events gave for the event
    event_id: EventId,
    /// Move it to a new time, or cancel it
    action: Verb,
    /// For move: ISO 8601 new start date and time
    #[serde(default, deserialize_with = "optional")]
    start: Option<When>,
    /// For move: ISO 8601 new end date and time
    #[serde(default, deserialize_with = "optional")]
    end: Option<When>,
    /// IANA time zone of start and end, such as America/New_York
    #[serde(default, deserialize_with = "optional")]
    timezone: Option<ZoneName>,
    /// For an event that repeats: just this one, this and the following ones, or all of them
    #[serde(default, deserialize_with = "optional")]
    scope: Option<ScopeArg>,
    /// A short message for the guests, if the user gave one
    #[serde(default, deserialize_with = "optional")]
    note: Option<Text<500>>,
}

/// A change asked for, its arguments checked.
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

impl ProposeInput {
    /// The change asked for: a move needs its zone, start and end.
    pub(crate) fn checked(self) -> Result<ProposeArgs> {
        let timezone = self.timezone.map(|z| z.0);
        let times = match (self.action, &timezone, &self.start, &self.end) {
            (Verb::Cancel, ..) => None,
            (Verb::Move, None, ..) => {
                return Err(Error::invalid("timezone", moving_needs("timezone")));
            }
            (Verb::Move, Some(_), None, _) => {
                return Err(Error::invalid("start", moving_needs("start")));
            }
            (Verb::Move, Some(_), _, None) => {
                return Err(Error::invalid("end", moving_needs("end")));
            }
            (Verb::Move, Some(zone), Some(start), Some(end)) => {
                let (from, to) = event_times(start, end, zone)?;
                let dates = [start, end]
                    .iter()
                    .all(|t| matches!(t.0, TimeText::Date(_)));
                Some((from, to, dates))
            }
        };
        Ok(ProposeArgs {
            event_id: self.event_id.0,
            action: self.action,
            times,
            timezone,
            scope: self.scope.map(Scope::from),
            note: self.note.map(|n| n.0),
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
    // The change is written through the account whose calendar holds the event.
    call.use_account_of(&args.event_id, true).await?;
    let account = call.several().then(|| call.account.clone());
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
    let now = call.state.config.clock.now();
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
    let mut proposal = plan(&read, &asked)?;
    proposal.account = account;
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
        Some(Scope::This | Scope::Following) if named_series => {
            Err(Error::invalid("event_id", Said::key("series_id_named")))
        }
        Some(scope) => Ok(scope),
    }
}

/// The 400 that asks which occurrences, saying the series' rule in words.
fn ask_scope(series: &Event) -> Error {
    let words = Repeats::of(series.recurrence.as_deref().unwrap_or_default());
    Error::invalid(
        "scope",
        Said::key("scope_needed").var_said("words", Said::Repeats(words)),
    )
}

/// What a move lacks without `argument`.
fn moving_needs(argument: &'static str) -> Said {
    Said::key("move_needs").var("argument", argument)
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
