//! What `propose_change` read, as the domain's series and change: the series' start, zone and
//! lines, the occurrences Google keeps apart from its rule, and what is asked.

use google_calendar3::api::Event;

use super::bodies::{occurrence_of, start_at};
use super::steps::series_zone;
use super::{Asked, Read, Scope, Times};
use crate::calendar::series::{self, Asked as SeriesAsked, At, Change, Exception, Series};
use crate::error::{Action, Error, Result};
use crate::messages::Said;

/// The domain's plan for a change to an occurrence of `master` (or to the series named).
pub(super) fn plan_series(
    read: &Read,
    master: &Event,
    asked: &Asked<'_>,
    moved_to: Option<Times>,
) -> Result<series::Planned> {
    let event = &read.event;
    let Some(start) = start_at(master.start.as_ref()) else {
        return Err(Error::invalid(
            "event_id",
            crate::messages::Said::key("series_no_start"),
        ));
    };
    let occurrence = occurrence_of(event).unwrap_or(start);
    let series_asked = match moved_to.map(Times::ats) {
        None => SeriesAsked::Cancel,
        Some((At::Instant(_), _)) if matches!(start, At::Day(_)) && asked.scope != Scope::This => {
            return Err(Error::invalid(
                "start",
                crate::messages::Said::key("series_all_day_date"),
            ));
        }
        Some((to, end)) => SeriesAsked::Move { to, end },
    };
    let recurrence = master.recurrence.clone().unwrap_or_default();
    let zone = series_zone(master, asked.zone);
    let exceptions = exceptions(&read.instances);
    let change = Change {
        series: Series {
            start,
            zone: &zone,
            recurrence: &recurrence,
        },
        exceptions: &exceptions,
        occurrence,
        scope: asked.scope,
        asked: series_asked,
        now: asked.now,
    };
    series::plan(&change).map_err(|refused| {
        tracing::info!(why = %refused.why, "a series change was refused by the guard");
        let mut said = Said::key(refused.key);
        if let Some(repeats) = refused.repeats {
            said = said.var_said("words", Said::Repeats(repeats));
        }
        Error::Action(Action::SeriesChangeUnsupported(said))
    })
}

/// The occurrences Google keeps apart from the rule: cancelled ones, and ones moved.
fn exceptions(instances: &[Event]) -> Vec<Exception> {
    instances
        .iter()
        .filter_map(|i| {
            let original = occurrence_of(i)?;
            if i.status.as_deref() == Some("cancelled") {
                return Some(Exception {
                    original,
                    now: None,
                });
            }
            let now = start_at(i.start.as_ref())?;
            (now != original).then_some(Exception {
                original,
                now: Some(now),
            })
        })
        .collect()
}
