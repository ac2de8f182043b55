//! Who is busy when: one `freebusy.query` over the user's calendars and any attendees, for
//! `find_free_time` and `draft_meeting`. An attendee whose calendar Google cannot answer for
//! (no shared free/busy, unknown, another company's) is *unknown*, never free.

use super::args::Emails;

pub(crate) use crate::calendar::Availability;
use crate::calendar::UserContext;
use crate::calendar::{Window, Zone};
use crate::error::{Error, Result};
use crate::google::accounts::{AccountAccess, Unavailable};
use crate::google::calendar::{MAX_FREEBUSY_ITEMS, PRIMARY};
use crate::google::user_calendar::{UserCalendar, needs};

/// At most this many people may be asked about (and invited) at once.
pub(crate) const MAX_ATTENDEES: usize = 20;

/// `attendees` as a call may use them: each once, the user's own address left out, at most
/// [`MAX_ATTENDEES`]; `required` asks for at least one.
pub(crate) fn attendees(given: &Emails, user_id: &str, required: bool) -> Result<Vec<String>> {
    let bad = |said: crate::messages::Said| Error::invalid("attendees", said);
    let mut out: Vec<String> = Vec::new();
    for email in &given.0 {
        if !email.eq_ignore_ascii_case(user_id) && !out.contains(email) {
            out.push(email.clone());
        }
    }
    if out.len() > MAX_ATTENDEES {
        return Err(bad(
            crate::messages::Said::key("attendees_too_many").var("max", MAX_ATTENDEES)
        ));
    }
    if required && out.is_empty() {
        return Err(bad(crate::messages::Said::key("attendees_none")));
    }
    Ok(out)
}

/// Busy time in `window` for the user's calendars and `attendees`, in one `freebusy.query`
/// (Google counts at most 50 calendars in one: attendees first, then the user's calendars,
/// primary first). The primary calendar failing is an error; another of the user's calendars
/// failing is logged and left out; an attendee failing is unknown.
pub(crate) async fn availability(
    google: &mut UserCalendar,
    context: &UserContext,
    window: Window,
    zone: &Zone,
    attendees: &[String],
) -> Result<Availability> {
    let room = MAX_FREEBUSY_ITEMS.saturating_sub(attendees.len());
    let own: Vec<String> = context.calendar_ids().into_iter().take(room).collect();
    let ids: Vec<String> = own.iter().chain(attendees).cloned().collect();
    let mut answer = google.free_busy(window, zone, &ids).await?;
    if let Some(reason) = answer.errors.get(PRIMARY) {
        return Err(Error::google(
            "freebusy.query",
            None,
            format!("primary calendar error: {reason}"),
        ));
    }
    let mut out = Availability::default();
    for id in &own {
        match answer.busy.remove(id) {
            Some(busy) => out.user.extend(busy),
            None => {
                let name = context
                    .calendar(id)
                    .map_or(id.as_str(), |c| c.name.as_str());
                let reason = answer.errors.get(id).map_or("missing", String::as_str);
                tracing::warn!(calendar = %crate::log_safe::clip(name), reason = %crate::log_safe::clip(reason), "a calendar's availability is unknown");
            }
        }
    }
    for email in attendees {
        match answer.busy.remove(email) {
            Some(busy) => {
                out.attendees.insert(email.clone(), busy);
            }
            None => out.unknown.push(email.clone()),
        }
    }
    Ok(out)
}

/// The user's busy time in `window` on every selected calendar of their other Google accounts
/// (`others`), each account asked at once, added to `known`; the accounts that could not be
/// read are returned (their time is unknown, never assumed free).
pub(crate) async fn elsewhere(
    others: &mut [AccountAccess],
    window: Window,
    zone: &Zone,
    known: &mut Availability,
) -> Vec<Unavailable> {
    let reads = others.iter_mut().map(|account| async move {
        let google = &mut account.google;
        google.require(needs::FINDING_TIME).await?;
        let context = google.context().await?;
        let ids = context.calendar_ids();
        let ids: Vec<String> = ids.into_iter().take(MAX_FREEBUSY_ITEMS).collect();
        let answer = google.free_busy(window, zone, &ids).await?;
        if let Some(reason) = answer.errors.get(PRIMARY) {
            return Err(Error::google(
                "freebusy.query",
                None,
                format!("primary calendar error: {reason}"),
            ));
        }
        Ok(answer.busy.into_values().flatten().collect::<Vec<_>>())
    });
    let mut unavailable = Vec::new();
    let answers = futures_util::future::join_all(reads).await;
    for (account, answer) in others.iter().zip(answers) {
        match answer {
            Ok(busy) => known.user.extend(busy),
            Err(error) => {
                tracing::info!(error = %error, "one of several accounts could not be read");
                unavailable.push(Unavailable {
                    email: account.email.clone(),
                    error,
                });
            }
        }
    }
    unavailable
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::test_support::{argument_of, parsed};
    use serde_json::{Value, json};

    /// Reads `attendees` as a tool does: the argument, then what a call may use of it.
    fn read(v: Value, required: bool) -> Result<Vec<String>> {
        #[derive(serde::Deserialize)]
        struct Args {
            #[serde(default)]
            attendees: Emails,
        }
        let args: Args = parsed(v)?;
        attendees(&args.attendees, "ada@example.com", required)
    }

    #[test]
    fn attendees_are_addresses_lowered_once_and_never_the_user() {
        let got = read(
            json!({"attendees": ["Sam@Example.com", "sam@example.com", "ada@example.com", " lee@example.org "]}),
            true,
        )
        .expect("valid");
        assert_eq!(got, ["sam@example.com", "lee@example.org"]);
        assert_eq!(read(json!({}), false).ok(), Some(vec![]));
    }

    #[test]
    fn anything_that_is_not_a_plain_address_is_refused() {
        for bad in [
            json!({"attendees": ["Sam <sam@example.com>"]}),
            json!({"attendees": ["sam"]}),
            json!({"attendees": ["sam@localhost"]}),
            json!({"attendees": ["a@b@example.com"]}),
            json!({"attendees": "sam@example.com"}),
            json!({"attendees": [42]}),
            json!({"attendees": []}),
            json!({"attendees": ["ada@example.com"]}),
            json!({}),
        ] {
            assert_eq!(argument_of(read(bad.clone(), true)), "attendees", "{bad}");
        }
        let many: Vec<String> = (0..21).map(|i| format!("p{i}@example.com")).collect();
        assert!(read(json!({"attendees": many}), true).is_err());
    }
}
