//! The one boundary with the RFC 5545 engine (the `rrule` crate, on chrono and chrono-tz): a
//! series' `recurrence` lines read into its types, expanded there, and the occurrences handed
//! back as [`At`]s. Every wall-clock computation on a series (its zone's clock, a move by so
//! many days and hours) happens here too, on the same zone data the engine expands with, so
//! the two time zone databases of the build never meet in one computation.

use std::str::FromStr;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Utc};
use jiff::Timestamp;
use jiff::civil::Date;
use rrule::{Frequency, RRuleSet, Tz};

use super::At;
use super::rule::Rule;

/// More occurrences than any series over its life and two years (a daily series is about
/// 730): beyond it, the series is not one this service rewrites.
const MOST_OCCURRENCES: u16 = 20_000;

/// Why the engine will not take a series: said to no one, logged, and turned into a refusal.
pub(super) type Unreadable = String;

/// A series' clock: the wall clock of its zone (a timed series), or whole days (an all-day
/// series; its days are counted as midnights in UTC, so no clock change touches them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Clock {
    Zone(chrono_tz::Tz),
    Days,
}

impl Clock {
    /// The clock of a series that starts `start` in the zone named `zone`.
    pub(super) fn of(start: At, zone: &str) -> Result<Self, Unreadable> {
        match start {
            At::Day(_) => Ok(Self::Days),
            At::Instant(_) => chrono_tz::Tz::from_str(zone)
                .map(Self::Zone)
                .map_err(|_| format!("zone {zone} unknown to the engine")),
        }
    }

    fn tz(self) -> Tz {
        match self {
            Self::Zone(zone) => Tz::Tz(zone),
            Self::Days => Tz::UTC,
        }
    }

    /// `at` as the engine holds it.
    pub(super) fn engine(self, at: At) -> DateTime<Tz> {
        match at {
            At::Instant(ts) => utc(ts).with_timezone(&self.tz()),
            At::Day(day) => midnight(day).and_utc().with_timezone(&Tz::UTC),
        }
    }

    /// What the engine gave, back as an [`At`] of this clock.
    pub(super) fn at(self, dt: DateTime<Tz>) -> At {
        match self {
            Self::Zone(_) => At::Instant(instant(dt.with_timezone(&Utc))),
            Self::Days => At::Day(date(dt.with_timezone(&Utc).date_naive())),
        }
    }

    /// The wall clock of this series at `at` (for all-day series, midnight of its day).
    pub(super) fn wall(self, at: At) -> NaiveDateTime {
        match (self, at) {
            (_, At::Day(day)) => midnight(day),
            (Self::Zone(zone), At::Instant(ts)) => utc(ts).with_timezone(&zone).naive_local(),
            (Self::Days, At::Instant(ts)) => utc(ts).naive_utc(),
        }
    }

    /// The instant (or day) at wall-clock `wall`: in a clock change's gap, the time moves on by
    /// the gap; in an overlap the earlier instant wins (RFC 5545's rule).
    pub(super) fn resolve(self, wall: NaiveDateTime) -> At {
        let zone = match self {
            Self::Days => return At::Day(date(wall.date())),
            Self::Zone(zone) => zone,
        };
        let local = zone.from_local_datetime(&wall);
        let resolved = local.earliest().unwrap_or_else(|| {
            // A gap: read with the offset in force before it.
            let before = zone
                .from_local_datetime(&(wall - chrono::Duration::hours(3)))
                .earliest()
                .map_or(0, |d| d.offset().fix().local_minus_utc());
            (wall - chrono::Duration::seconds(i64::from(before)))
                .and_utc()
                .with_timezone(&zone)
        });
        At::Instant(instant(resolved.with_timezone(&Utc)))
    }

    /// A date-time value as written in `recurrence` (`20270223T130000`, with `Z`, or a date
    /// `20270223`), read in `tzid` when given, else in this series' clock.
    fn value(self, text: &str, tzid: Option<&str>) -> Result<At, Unreadable> {
        let text = text.trim();
        let bad = || format!("date value {text}");
        if text.len() == 8 {
            let day = NaiveDate::parse_from_str(text, "%Y%m%d").map_err(|_| bad())?;
            return Ok(match self {
                Self::Days => At::Day(date(day)),
                Self::Zone(_) => self.resolve(day.and_time(NaiveTime::MIN)),
            });
        }
        let (body, zulu) = match text.strip_suffix('Z') {
            Some(body) => (body, true),
            None => (text, false),
        };
        let wall = NaiveDateTime::parse_from_str(body, "%Y%m%dT%H%M%S").map_err(|_| bad())?;
        if zulu {
            let at = At::Instant(instant(wall.and_utc()));
            return Ok(match self {
                Self::Days => At::Day(date(wall.date())),
                Self::Zone(_) => at,
            });
        }
        match (self, tzid) {
            (Self::Days, _) => Ok(At::Day(date(wall.date()))),
            (Self::Zone(_), Some(tzid)) => {
                let zone = chrono_tz::Tz::from_str(tzid).map_err(|_| format!("TZID {tzid}"))?;
                Ok(Self::Zone(zone).resolve(wall))
            }
            (Self::Zone(_), None) => Ok(self.resolve(wall)),
        }
    }

    /// `at` as `recurrence` writes it on this series: a date (`20270302`) for an all-day
    /// series, a UTC date-time (`20270302T090000Z`) for a timed one.
    pub(super) fn utc_text(self, at: At) -> String {
        match at {
            At::Day(day) => midnight(day).format("%Y%m%d").to_string(),
            At::Instant(ts) => utc(ts).format("%Y%m%dT%H%M%SZ").to_string(),
        }
    }

    /// An `EXDATE` (or `RDATE`) line for `at` in this series' own terms: `;VALUE=DATE` for an
    /// all-day series, `;TZID=` with the series' zone and its wall clock for a timed one.
    pub(super) fn date_line(self, property: &str, at: At) -> String {
        match (self, at) {
            (_, At::Day(day)) => {
                format!("{property};VALUE=DATE:{}", midnight(day).format("%Y%m%d"))
            }
            (Self::Zone(zone), at) => format!(
                "{property};TZID={}:{}",
                zone.name(),
                self.wall(at).format("%Y%m%dT%H%M%S")
            ),
            (Self::Days, at) => format!("{property}:{}", self.utc_text(at)),
        }
    }
}

/// A series' recurrence lines, read: its rule, and the dates it drops and adds.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Recurrence {
    pub(super) rule: Rule,
    pub(super) exdates: Vec<At>,
    pub(super) rdates: Vec<At>,
}

impl Recurrence {
    /// Reads Google's `recurrence` lines on a series of `clock`. One `RRULE`, any number of
    /// `EXDATE` and `RDATE` lines; anything else (`EXRULE`, periods) is not read.
    pub(super) fn read(lines: &[String], clock: Clock) -> Result<Self, Unreadable> {
        let mut rule = None;
        let (mut exdates, mut rdates) = (Vec::new(), Vec::new());
        for line in lines {
            let (head, values) = line.split_once(':').ok_or_else(|| format!("line {line}"))?;
            let mut params = head.split(';');
            let name = params
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_uppercase();
            if name == "RRULE" {
                if rule.is_some() {
                    return Err("several RRULEs".into());
                }
                rule = Rule::find(std::slice::from_ref(line));
                continue;
            }
            let (mut tzid, mut kind) = (None, None);
            for param in params {
                match param.split_once('=') {
                    Some((k, v)) if k.eq_ignore_ascii_case("TZID") => tzid = Some(v),
                    Some((k, v)) if k.eq_ignore_ascii_case("VALUE") => kind = Some(v),
                    _ => {}
                }
            }
            if kind.is_some_and(|k| k.eq_ignore_ascii_case("PERIOD")) {
                return Err("RDATE periods".into());
            }
            let target = match name.as_str() {
                "EXDATE" => &mut exdates,
                "RDATE" => &mut rdates,
                other => return Err(format!("{other} lines")),
            };
            for value in values.split(',') {
                target.push(clock.value(value, tzid)?);
            }
        }
        let rule = rule.ok_or("no RRULE")?;
        match rule.frequency() {
            Some(Frequency::Daily | Frequency::Weekly | Frequency::Monthly | Frequency::Yearly) => {
            }
            other => return Err(format!("frequency {other:?}")),
        }
        Ok(Self {
            rule,
            exdates,
            rdates,
        })
    }

    /// The rule's `UNTIL` on a series of `clock`: a day for an all-day series; for a timed one
    /// an instant (a bare date is the start of that day on the series' clock).
    pub(super) fn until(&self, clock: Clock) -> Result<Option<At>, Unreadable> {
        self.rule
            .get("UNTIL")
            .map(|text| clock.value(text, None))
            .transpose()
    }

    /// Every occurrence starting at `start` up to `last` (inclusive): the rule's, with the
    /// added dates, less the dropped ones (`exdates: false` keeps them, to count the rule's
    /// occurrences as `COUNT` does).
    pub(super) fn expand(
        &self,
        start: At,
        clock: Clock,
        last: Timestamp,
        exdates: bool,
    ) -> Result<Vec<At>, Unreadable> {
        let dt_start = clock.engine(start);
        let mut engine = self.rule.engine()?;
        if let Some(until) = self.until(clock)? {
            engine = engine.until(clock.engine(until).with_timezone(&Tz::UTC));
        }
        let rule = engine.validate(dt_start).map_err(|e| e.to_string())?;
        let mut set = RRuleSet::new(dt_start).rrule(rule);
        if exdates {
            for at in &self.exdates {
                set = set.exdate(clock.engine(*at));
            }
            for at in &self.rdates {
                set = set.rdate(clock.engine(*at));
            }
        }
        let last = utc(last).with_timezone(&clock.tz());
        let found = set.before(last).all(MOST_OCCURRENCES);
        if found.limited && found.dates.len() >= usize::from(MOST_OCCURRENCES) {
            return Err("too many occurrences".into());
        }
        let mut out: Vec<At> = found.dates.into_iter().map(|d| clock.at(d)).collect();
        out.sort();
        out.dedup();
        Ok(out)
    }
}

fn utc(ts: Timestamp) -> DateTime<Utc> {
    DateTime::from_timestamp(ts.as_second(), ts.subsec_nanosecond().unsigned_abs())
        .unwrap_or_default()
}

fn instant(dt: DateTime<Utc>) -> Timestamp {
    Timestamp::new(dt.timestamp(), dt.timestamp_subsec_nanos() as i32)
        .unwrap_or(Timestamp::UNIX_EPOCH)
}

fn midnight(day: Date) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(
        i32::from(day.year()),
        day.month().unsigned_abs().into(),
        day.day().unsigned_abs().into(),
    )
    .unwrap_or_default()
    .and_time(NaiveTime::MIN)
}

fn date(day: NaiveDate) -> Date {
    Date::new(
        i16::try_from(day.year()).unwrap_or(1970),
        i8::try_from(day.month()).unwrap_or(1),
        i8::try_from(day.day()).unwrap_or(1),
    )
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(text: &str) -> At {
        At::Instant(text.parse().expect("timestamp"))
    }

    fn day(text: &str) -> At {
        At::Day(text.parse().expect("date"))
    }

    fn berlin() -> Clock {
        Clock::of(ts("2027-01-01T00:00:00Z"), "Europe/Berlin").expect("zone")
    }

    #[test]
    fn a_weekly_series_keeps_its_wall_clock_across_a_clock_change() {
        let lines = vec!["RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=3".to_owned()];
        let rec = Recurrence::read(&lines, berlin()).expect("read");
        let all = rec
            .expand(
                ts("2027-03-22T08:00:00Z"),
                berlin(),
                "2028-01-01T00:00:00Z".parse().expect("ts"),
                true,
            )
            .expect("expand");
        // 09:00 in Berlin before and after the change to summer time.
        assert_eq!(
            all,
            vec![
                ts("2027-03-22T08:00:00Z"),
                ts("2027-03-29T07:00:00Z"),
                ts("2027-04-05T07:00:00Z")
            ]
        );
    }

    #[test]
    fn exdates_in_any_written_form_drop_their_occurrence() {
        let lines = vec![
            "RRULE:FREQ=DAILY;COUNT=5".to_owned(),
            "EXDATE;TZID=Europe/Berlin:20270302T090000".to_owned(),
            "EXDATE:20270303T080000Z,20270304T080000Z".to_owned(),
        ];
        let rec = Recurrence::read(&lines, berlin()).expect("read");
        let last = "2028-01-01T00:00:00Z".parse().expect("ts");
        let kept = rec
            .expand(ts("2027-03-01T08:00:00Z"), berlin(), last, true)
            .expect("expand");
        assert_eq!(
            kept,
            vec![ts("2027-03-01T08:00:00Z"), ts("2027-03-05T08:00:00Z")]
        );
        let counted = rec
            .expand(ts("2027-03-01T08:00:00Z"), berlin(), last, false)
            .expect("expand");
        assert_eq!(counted.len(), 5, "COUNT counts what EXDATE drops");
    }

    #[test]
    fn an_all_day_series_counts_in_days_with_a_date_until() {
        let lines = vec![
            "RRULE:FREQ=DAILY;INTERVAL=2;UNTIL=20270208".to_owned(),
            "EXDATE;VALUE=DATE:20270206".to_owned(),
        ];
        let rec = Recurrence::read(&lines, Clock::Days).expect("read");
        let all = rec
            .expand(
                day("2027-02-02"),
                Clock::Days,
                "2028-01-01T00:00:00Z".parse().expect("ts"),
                true,
            )
            .expect("expand");
        assert_eq!(
            all,
            vec![day("2027-02-02"), day("2027-02-04"), day("2027-02-08")]
        );
    }

    #[test]
    fn a_wall_clock_in_a_gap_moves_on_and_in_an_overlap_takes_the_earlier() {
        let wall = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").expect("wall");
        assert_eq!(
            berlin().resolve(wall("2027-03-28T02:30")),
            ts("2027-03-28T01:30:00Z")
        );
        assert_eq!(
            berlin().resolve(wall("2027-10-31T02:30")),
            ts("2027-10-31T00:30:00Z")
        );
    }

    #[test]
    fn lines_it_cannot_read_are_refused_not_guessed() {
        for lines in [
            vec!["RRULE:FREQ=HOURLY".to_owned()],
            vec![
                "RRULE:FREQ=DAILY".to_owned(),
                "EXRULE:FREQ=WEEKLY".to_owned(),
            ],
            vec![
                "RDATE;VALUE=PERIOD:20270101T090000Z/PT1H".to_owned(),
                "RRULE:FREQ=DAILY".to_owned(),
            ],
            vec!["EXDATE:20270101T090000Z".to_owned()],
        ] {
            assert!(Recurrence::read(&lines, berlin()).is_err(), "{lines:?}");
        }
    }
}
