//! `block_time`: a private hold on the user's primary calendar, with nobody invited and nobody
//! notified, tagged as made by this service so it can later be moved or cancelled.

use google_calendar3::api::{Event, EventFocusTimeProperties, EventOutOfOfficeProperties};
use jiff::Timestamp;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use schemars::JsonSchema;
use serde::Deserialize;

use super::shared::args::{
    self, Choice, Email, Text, When, ZoneName, choice, event_times, optional,
};
use super::shared::audit::Audit;
use super::{Call, Offered, Tool, UrlLife, Work};
use crate::calendar::{self, Place, Zone, event_time};
use crate::error::{Action, Error, GoogleError, Result};
use crate::google::calendar::{PRIMARY, event_json};
use crate::google::user_calendar::Once;
use crate::guest_emails;

/// The route.
pub(crate) const ROUTE: &str = "/api/calendar/events";

/// The declaration.
pub(crate) const TOOL: Tool = Tool {
    name: "block_time",
    route: ROUTE,
    description: "Create a private hold on the user's own calendar, with no other attendees: \
                  a plain hold, focus time (declines new conflicting invitations) or out of \
                  office (declines the invitations it overlaps, e-mailing each organizer, with \
                  an optional message; the answer lists them as declined), or the user's working \
                  location for a day (home, an office or elsewhere; nobody is told). Use it \
                  only after the user has confirmed the title, date, start and end time out loud.",
    when_to_use: "Putting time aside for the user: block_time. It creates a private hold \
                  with no other people on it; never try to invite anyone. First read back the \
                  title, the day, the start and end time and the time zone, and call it only \
                  after the user clearly says yes. For deep work offer kind focus, which turns \
                  down new invitations for that time; for time away, kind out_of_office, and say that it \
                  declines the invitations it overlaps (their organizers are told). When the \
                  user says where they will work on a day, kind working_location with location \
                  home, office or elsewhere (and its name, if they give one), over their working \
                  hours that day.",
    offered: Offered::Always,
    url_life: UrlLife::Session,
    parameters: args::schema::<BlockTimeInput>,
    prepare: |given, _| {
        let parsed: BlockTimeInput = args::read(given)?;
        Ok(Work::new(parsed.checked()?, |call, args| {
            Box::pin(run(call, args))
        }))
    },
};

choice! {
    /// What kind of time is blocked.
    pub(crate) enum HoldKind {
        /// A plain busy hold.
        Hold = "hold",
        /// Google's focus time (`eventType: focusTime`).
        Focus = "focus",
        /// Google's out of office (`eventType: outOfOffice`).
        OutOfOffice = "out_of_office",
        /// Where the user works that day (`eventType: workingLocation`).
        WorkingLocation = "working_location",
    }
}

choice! {
    /// Where the user works, for `kind: working_location`.
    pub(crate) enum WorkPlace {
        /// At home.
        Home = "home",
        /// At an office.
        Office = "office",
        /// Somewhere else (Google's custom location).
        Elsewhere = "elsewhere",
        /// The same as elsewhere, in Google Calendar's word.
        Custom = "custom",
    }
}

impl WorkPlace {
    fn place(self) -> Place {
        match self {
            Self::Home => Place::Home,
            Self::Office => Place::Office,
            Self::Elsewhere | Self::Custom => Place::Elsewhere,
        }
    }
}

impl HoldKind {
    /// The key of the words that name it (in the tables, in each language).
    fn spoken(self) -> &'static str {
        match self {
            Self::Hold => "kind_hold",
            Self::Focus => "kind_focus",
            Self::OutOfOffice => "kind_out_of_office",
            Self::WorkingLocation => "kind_working_location",
        }
    }
}

/// `block_time`'s arguments (the model's schema is derived from them).
#[derive(Clone, Debug, Deserialize, JsonSchema)]
pub(crate) struct BlockTimeInput {
    /// A short label for the hold, such as Focus time
    title: Text<500>,
    /// ISO 8601 start date and time
    start: When,
    /// ISO 8601 end date and time
    end: When,
    /// IANA time zone, such as America/New_York
    timezone: ZoneName,
    /// Notes to keep on the hold, if the user gave any
    #[serde(default, deserialize_with = "optional")]
    notes: Option<Text<8000>>,
    /// hold (default), focus (focus time: declines new conflicting invitations),
    /// out_of_office (declines the invitations it overlaps) or working_location (where the
    /// user works; give location)
    #[serde(default, deserialize_with = "optional")]
    kind: Option<HoldKind>,
    /// For working_location: home, office or elsewhere
    #[serde(default, deserialize_with = "optional")]
    location: Option<WorkPlace>,
    /// For working_location at an office or elsewhere: its name, if the user gave one
    #[serde(default, deserialize_with = "optional")]
    location_label: Option<Text<100>>,
    /// For out_of_office: the message sent with the declines, if the user gave one
    #[serde(default, deserialize_with = "optional")]
    decline_message: Option<Text<500>>,
    /// The Google account to put it on, when the user has several and names one (an address
    /// list_events gives as account). Leave out for the primary account.
    #[serde(default, deserialize_with = "optional")]
    account: Option<Email>,
}

/// A hold, its arguments checked: the times resolved in the zone, end after start.
#[derive(Clone, Debug)]
pub(crate) struct BlockTimeArgs {
    /// `title`, trimmed, non-empty.
    pub title: String,
    /// `start`, resolved in `timezone`.
    pub start: Timestamp,
    /// `end`, after `start`.
    pub end: Timestamp,
    /// `timezone`.
    pub timezone: Zone,
    /// `notes`.
    pub notes: Option<String>,
    /// `kind`.
    pub kind: HoldKind,
    /// `decline_message` (out of office only).
    pub decline_message: Option<String>,
    /// `location` and `location_label` (working location only).
    pub place: Option<(Place, Option<String>)>,
    /// `account`: the Google account named, else the primary one.
    pub account: Option<String>,
}

impl BlockTimeInput {
    /// The hold asked for.
    pub(crate) fn checked(self) -> Result<BlockTimeArgs> {
        let timezone = self.timezone.0;
        let (start, end) = event_times(&self.start, &self.end, &timezone)?;
        let kind = self.kind.unwrap_or(HoldKind::Hold);
        let decline_message = self.decline_message.map(|m| m.0);
        if decline_message.is_some() && kind != HoldKind::OutOfOffice {
            return Err(Error::invalid(
                "decline_message",
                crate::messages::Said::key("decline_message_ooo_only"),
            ));
        }
        let label = self.location_label.map(|l| l.0);
        let place = match (kind, self.location) {
            (HoldKind::WorkingLocation, Some(at)) => Some((at.place(), label)),
            (HoldKind::WorkingLocation, None) => {
                return Err(Error::invalid(
                    "location",
                    crate::messages::Said::key("location_needed"),
                ));
            }
            (_, Some(_)) => {
                return Err(Error::invalid(
                    "location",
                    crate::messages::Said::key("location_wl_only"),
                ));
            }
            (_, None) if label.is_some() => {
                return Err(Error::invalid(
                    "location_label",
                    crate::messages::Said::key("location_label_wl_only"),
                ));
            }
            (_, None) => None,
        };
        Ok(BlockTimeArgs {
            title: self.title.0,
            start,
            end,
            timezone,
            notes: self.notes.map(|n| n.0),
            kind,
            decline_message,
            place,
            account: self.account.map(|a| a.0),
        })
    }
}

impl BlockTimeArgs {
    /// A Google event id derived from the user, the session and the arguments: a repeated
    /// identical call (Anam retrying, the model repeating itself) names the same event, so
    /// Google answers 409 instead of creating a duplicate. 128 bits of SHA-256 as hex: inside
    /// Google's alphabet (`a-v`, `0-9`), and short enough for the model to repeat.
    pub(crate) fn event_id(&self, user_id: &str, session_exp: u64) -> String {
        let mut hash = Sha256::new();
        for part in [
            "calendar-agent/block_time/v1",
            user_id,
            &session_exp.to_string(),
            &self.title,
            &self.start.to_string(),
            &self.end.to_string(),
            &self.timezone.name,
            self.notes.as_deref().unwrap_or(""),
            self.kind.word(),
            self.decline_message.as_deref().unwrap_or(""),
        ] {
            hash.update(part.len().to_le_bytes());
            hash.update(part.as_bytes());
        }
        // Only working locations have a place, and holds on a named account an account:
        // every other hold keeps the id it had.
        if let Some((place, label)) = &self.place {
            for part in [place.word(), label.as_deref().unwrap_or("")] {
                hash.update(part.len().to_le_bytes());
                hash.update(part.as_bytes());
            }
        }
        if let Some(account) = &self.account {
            hash.update(account.len().to_le_bytes());
            hash.update(account.as_bytes());
        }
        hex::encode(&hash.finalize()[..16])
    }

    /// The hold as Google stores it: opaque, tagged, no attendees; focus time and out of
    /// office as Google's guide describes them, declining what conflicts.
    fn event(&self, id: String) -> Event {
        let mut event = Event {
            id: Some(id),
            summary: Some(self.title.clone()),
            description: self.notes.clone(),
            start: Some(event_time(self.start, &self.timezone)),
            end: Some(event_time(self.end, &self.timezone)),
            transparency: Some("opaque".into()),
            extended_properties: Some(calendar::tag()),
            ..Default::default()
        };
        match self.kind {
            HoldKind::Hold => {}
            HoldKind::Focus => {
                event.event_type = Some("focusTime".into());
                event.focus_time_properties = Some(EventFocusTimeProperties {
                    auto_decline_mode: Some("declineOnlyNewConflictingInvitations".into()),
                    chat_status: Some("doNotDisturb".into()),
                    decline_message: None,
                });
            }
            HoldKind::OutOfOffice => {
                event.event_type = Some("outOfOffice".into());
                event.out_of_office_properties = Some(EventOutOfOfficeProperties {
                    auto_decline_mode: Some("declineAllConflictingInvitations".into()),
                    decline_message: self.decline_message.clone(),
                });
            }
            HoldKind::WorkingLocation => {
                // As Google's guide sets one: public, free, the place in its properties.
                event.event_type = Some("workingLocation".into());
                event.visibility = Some("public".into());
                event.transparency = Some("transparent".into());
                event.working_location_properties = self
                    .place
                    .as_ref()
                    .map(|(place, label)| place.properties(label.as_deref()));
            }
        }
        event
    }
}

async fn run(call: &mut Call, args: BlockTimeArgs) -> Result<Value> {
    if let Some(account) = &args.account {
        call.use_account(account)?;
    }
    let several = call.several();
    let (state, user) = (&call.state, &call.user);
    let event = args.event(args.event_id(&user.user_id, user.exp));
    let google = &mut call.google;
    // Out of office declines the invitations it overlaps, and each decline e-mails its
    // organizer: counted before anything is written, and said in the answer.
    let declined = match args.kind {
        HoldKind::OutOfOffice => {
            let declined = overlapped_invitations(google, &args).await?;
            guest_emails::take(
                &state.store,
                &state.config,
                &user.user_id,
                guest_emails::count(declined.len()),
            )
            .await?;
            declined
        }
        _ => Vec::new(),
    };
    let id = event.id.clone().unwrap_or_default();
    let what = format!(
        "{} {}, {} to {}{}",
        args.kind.word(),
        args.title,
        args.timezone.wall(args.start),
        args.timezone.wall(args.end),
        if declined.is_empty() {
            String::new()
        } else {
            format!(", declining {}", declined.join("; "))
        }
    );
    let audit = Audit::new(&state.store, &user.user_id, "block_time", what);
    let held = audit
        .attempt(&id, hold(google, &args, &event, &user.user_id))
        .await?;
    let mut answer = answer(&held, &args.timezone);
    if !declined.is_empty() {
        answer["declined"] = json!(declined);
    }
    if several {
        answer["account"] = json!(call.account);
    }
    Ok(answer)
}

/// Writes the hold (or finds it written by an earlier call, or brings it back if the user
/// deleted it): the event and the audit outcome.
async fn hold(
    google: &mut crate::google::user_calendar::UserCalendar,
    args: &BlockTimeArgs,
    event: &Event,
    user_id: &str,
) -> Result<(Event, &'static str)> {
    let inserted = match google.insert(PRIMARY, &event_json(event), "none").await {
        // Focus time and out of office exist only on some accounts' primary calendars.
        Err(e) if args.kind != HoldKind::Hold && refused_kind(&e) => {
            tracing::info!(user_id, kind = args.kind.word(), error = %e, "Google refused the kind of hold");
            return Err(match args.kind {
                HoldKind::WorkingLocation => Action::WorkingLocationNotAvailable,
                kind => Action::KindNotAvailable(kind.spoken()),
            }
            .into());
        }
        other => other?,
    };
    Ok(match inserted {
        Once::Created(event) => (event, "created"),
        Once::Existing(existing) if existing.status.as_deref() == Some("cancelled") => {
            // The user deleted this hold and asked for it again: Google keeps the id, so the
            // hold is brought back rather than reported as made.
            tracing::info!(
                user_id,
                "block_time repeated after the hold was deleted; restoring it"
            );
            let restored = event_json(&Event {
                status: Some("confirmed".into()),
                ..event.clone()
            });
            let id = event.id.as_deref().unwrap_or_default();
            (
                google.update(PRIMARY, id, &restored, "none").await?,
                "restored",
            )
        }
        Once::Existing(existing) => {
            tracing::info!(user_id, "block_time repeated; returning the existing event");
            (existing, "repeat")
        }
    })
}

/// The invitations on the primary calendar that `args`' time overlaps and the user has not
/// declined: out of office declines each, telling its organizer.
async fn overlapped_invitations(
    google: &mut crate::google::user_calendar::UserCalendar,
    args: &BlockTimeArgs,
) -> Result<Vec<String>> {
    let context = google.context().await?;
    let primary: Vec<calendar::CalendarRef> = context
        .calendars
        .iter()
        .filter(|c| c.primary)
        .cloned()
        .collect();
    let Ok(window) = calendar::Window::new(args.start, args.end) else {
        return Ok(Vec::new());
    };
    let listed = google
        .events_across(&primary, window, 50, &args.timezone, None)
        .await?;
    Ok(listed
        .events
        .iter()
        .filter(|(e, on)| !calendar::organised_by_user(e, on, &context.owners))
        .filter(|(e, _)| {
            matches!(
                calendar::my_response(e),
                Some("needsAction" | "accepted" | "tentative")
            )
        })
        .map(|(e, _)| e.summary.clone().unwrap_or_else(|| "(no title)".into()))
        .collect())
}

/// Google's refusal of an event type: a 400, or a 403 that is not about scopes or limits.
fn refused_kind(error: &Error) -> bool {
    error.google_status() == Some(400)
        || matches!(error, Error::Google(GoogleError::Forbidden { .. }))
}

/// The `block_time` answer, from the event Google holds.
fn answer(event: &Event, zone: &Zone) -> Value {
    json!({
        "eventId": event.id,
        "htmlLink": event.html_link,
        "start": calendar::edge(event.start.as_ref(), zone, false),
        "end": calendar::edge(event.end.as_ref(), zone, false),
        "timezone": zone.name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::test_support::{argument_of, parsed};

    fn parse(v: Value) -> Result<BlockTimeArgs> {
        parsed::<BlockTimeInput>(v).and_then(BlockTimeInput::checked)
    }

    #[test]
    fn its_arguments_are_required_and_ordered() {
        let ok = json!({"title": "Focus", "start": "2026-11-24T09:00:00", "end": "2026-11-24T10:00:00", "timezone": "America/New_York"});
        let a = parse(ok.clone()).expect("valid");
        assert_eq!(
            a.start,
            "2026-11-24T14:00:00Z".parse::<Timestamp>().expect("ts")
        );
        for (key, value, named) in [
            ("title", json!(""), "title"),
            ("timezone", json!(null), "timezone"),
            ("timezone", json!("Mars/Olympus"), "timezone"),
            ("end", json!("2026-11-24T09:00:00"), "end"),
            ("end", json!("2026-11-24T08:00:00"), "end"),
            ("start", json!("tomorrow"), "start"),
        ] {
            let mut m = ok.clone();
            m[key] = value;
            assert_eq!(argument_of(parse(m)), named, "{key}");
        }
    }

    #[test]
    fn event_ids_are_deterministic_in_googles_alphabet_and_differ_by_argument() {
        let args = |title: &str| {
            parse(json!({"title": title, "start": "2026-11-24T09:00:00Z", "end": "2026-11-24T10:00:00Z", "timezone": "UTC"})).expect("valid")
        };
        let id = args("Focus").event_id("ada@example.com", 1);
        assert_eq!(id, args("Focus").event_id("ada@example.com", 1));
        assert_eq!(id.len(), 32);
        assert!(id.chars().all(|c| matches!(c, 'a'..='v' | '0'..='9')));
        assert_ne!(id, args("Lunch").event_id("ada@example.com", 1));
        assert_ne!(id, args("Focus").event_id("eve@example.com", 1));
        assert_ne!(id, args("Focus").event_id("ada@example.com", 2));
    }

    #[test]
    fn the_hold_is_tagged_opaque_and_has_no_guests() {
        let a = parse(json!({"title": "Focus", "start": "2026-11-24T09:00:00Z", "end": "2026-11-24T10:00:00Z", "timezone": "UTC"})).expect("valid");
        let e = a.event("abc123".into());
        assert!(calendar::is_tagged(&e));
        assert_eq!(e.transparency.as_deref(), Some("opaque"));
        assert!(e.attendees.is_none());
    }
}
