//! Working hours (`WORKING_HOURS`, `WORKING_DAYS`): when `find_free_time` may offer slots,
//! unless the call says `any_time`. Days and hours are read in the answer's time zone, one
//! calendar day at a time, so a DST change moves the instants, never the wall-clock hours.

use std::fmt;

use jiff::Timestamp;
use jiff::civil::{Date, Time, Weekday};

use super::{Interval, Window, Zone};

/// The weekly working time: the same hours on each working day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WorkingHours {
    /// When the working day starts (wall clock).
    pub(crate) start: Time,
    /// When it ends (wall clock, after `start`).
    pub(crate) end: Time,
    /// Which weekdays are working days, Monday first.
    days: [bool; 7],
}

const NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

impl Default for WorkingHours {
    /// 09:00-18:00, Monday to Friday.
    fn default() -> Self {
        Self::parse("09:00-18:00", "Mon-Fri").unwrap_or(Self {
            start: Time::constant(9, 0, 0, 0),
            end: Time::constant(18, 0, 0, 0),
            days: [true, true, true, true, true, false, false],
        })
    }
}

fn day_index(name: &str) -> Option<usize> {
    let name = name.trim();
    NAMES
        .iter()
        .position(|d| name.len() >= 3 && d.eq_ignore_ascii_case(&name[..3.min(name.len())]))
        .filter(|_| name.chars().all(|c| c.is_ascii_alphabetic()))
}

fn weekday_index(day: Weekday) -> usize {
    usize::from(day.to_monday_zero_offset().unsigned_abs())
}

impl WorkingHours {
    /// Parses `09:00-18:00` and `Mon-Fri` (also `Mon,Wed,Fri`, `Sun-Thu`, full day names).
    /// The error says what is wrong, for a one-line start-up message.
    pub(crate) fn parse(hours: &str, days: &str) -> Result<Self, String> {
        let (from, to) = hours
            .split_once('-')
            .ok_or_else(|| format!("`{hours}` is not a range like 09:00-18:00"))?;
        let time = |t: &str| {
            let t = t.trim();
            let bad = || format!("`{t}` is not a time like 09:00");
            let (h, m) = t.split_once(':').ok_or_else(bad)?;
            let digits = |s: &str, max: i8| {
                (!s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| s.parse::<i8>().ok())
                    .flatten()
                    .filter(|n| *n <= max)
            };
            match (digits(h, 23), digits(m, 59).filter(|_| m.len() == 2)) {
                (Some(h), Some(m)) => Time::new(h, m, 0, 0).map_err(|_| bad()),
                _ => Err(bad()),
            }
        };
        let (start, end) = (time(from)?, time(to)?);
        if end <= start {
            return Err(format!(
                "`{hours}` ends before it starts (hours across midnight are not supported)"
            ));
        }
        let mut chosen = [false; 7];
        for part in days.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let bad = || format!("`{part}` is not a day or range like Mon-Fri");
            match part.split_once('-') {
                Some((a, b)) => {
                    let (a, b) = (day_index(a).ok_or_else(bad)?, day_index(b).ok_or_else(bad)?);
                    let mut i = a;
                    loop {
                        chosen[i] = true;
                        if i == b {
                            break;
                        }
                        i = (i + 1) % 7;
                    }
                }
                None => chosen[day_index(part).ok_or_else(bad)?] = true,
            }
        }
        if !chosen.contains(&true) {
            return Err("no working day given (e.g. Mon-Fri)".into());
        }
        Ok(Self {
            start,
            end,
            days: chosen,
        })
    }

    /// Whether `day` is a working day.
    pub(crate) fn works_on(&self, day: Weekday) -> bool {
        self.days[weekday_index(day)]
    }

    /// The working intervals inside `window`, in `zone`, in time order.
    pub fn intervals(&self, window: Window, zone: &Zone) -> Vec<Interval> {
        let first = zone.zoned(window.start).date();
        let last = zone.zoned(window.end).date();
        let mut out = Vec::new();
        let mut day: Date = first;
        while day <= last {
            if self.works_on(day.weekday()) {
                let at = |t: Time| -> Option<Timestamp> {
                    zone.tz
                        .to_ambiguous_zoned(day.to_datetime(t))
                        .compatible()
                        .ok()
                        .map(|z| z.timestamp())
                };
                if let (Some(start), Some(end)) = (at(self.start), at(self.end)) {
                    let start = start.max(window.start);
                    let end = end.min(window.end);
                    if start < end {
                        out.push(Interval { start, end });
                    }
                }
            }
            match day.tomorrow() {
                Ok(next) => day = next,
                Err(_) => break,
            }
        }
        out
    }
}

impl fmt::Display for WorkingHours {
    /// `09:00-18:00, Mon-Fri` (ranges of consecutive days joined).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}-{}, ",
            self.start.strftime("%H:%M"),
            self.end.strftime("%H:%M")
        )?;
        let mut parts = Vec::new();
        let mut i = 0;
        while i < 7 {
            if self.days[i] {
                let begin = i;
                while i + 1 < 7 && self.days[i + 1] {
                    i += 1;
                }
                parts.push(if begin == i {
                    NAMES[i].to_owned()
                } else {
                    format!("{}-{}", NAMES[begin], NAMES[i])
                });
            }
            i += 1;
        }
        f.write_str(&parts.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().expect("ts")
    }

    fn berlin() -> Zone {
        Zone::parse("Europe/Berlin", "timezone").expect("zone")
    }

    #[test]
    fn the_settings_parse_in_the_forms_people_write() {
        let w = WorkingHours::parse("09:00-18:00", "Mon-Fri").expect("ok");
        assert_eq!(w, WorkingHours::default());
        assert_eq!(w.to_string(), "09:00-18:00, Mon-Fri");
        let w = WorkingHours::parse(" 8:30 - 17:15 ", "sunday-thursday").expect("ok");
        assert_eq!(w.to_string(), "08:30-17:15, Mon-Thu,Sun");
        assert!(w.works_on(Weekday::Sunday) && !w.works_on(Weekday::Friday));
        let w = WorkingHours::parse("10:00-16:00", "Mon, Wed, Fri").expect("ok");
        assert_eq!(w.to_string(), "10:00-16:00, Mon,Wed,Fri");
        for (hours, days) in [
            ("9-17", "Mon-Fri"),
            ("18:00-09:00", "Mon-Fri"),
            ("09:00", "Mon-Fri"),
            ("09:00-18:00", "Moonday"),
            ("09:00-18:00", ""),
        ] {
            assert!(WorkingHours::parse(hours, days).is_err(), "{hours} {days}");
        }
    }

    #[test]
    fn a_week_has_five_working_intervals_and_the_weekend_none() {
        let zone = berlin();
        // Monday 2026-11-23 00:00 to Monday 2026-11-30 00:00, Berlin (UTC+1).
        let window =
            Window::new(ts("2026-11-22T23:00:00Z"), ts("2026-11-29T23:00:00Z")).expect("w");
        let days = WorkingHours::default().intervals(window, &zone);
        assert_eq!(days.len(), 5);
        assert_eq!(days[0].start, ts("2026-11-23T08:00:00Z"));
        assert_eq!(days[4].end, ts("2026-11-27T17:00:00Z"));
    }

    #[test]
    fn the_last_sunday_of_october_moves_the_instants_not_the_hours() {
        let zone = berlin();
        // Friday 2026-10-23 to Tuesday 2026-10-27: CEST (UTC+2) until Sunday the 25th at 03:00,
        // then CET (UTC+1).
        let window =
            Window::new(ts("2026-10-23T00:00:00Z"), ts("2026-10-28T00:00:00Z")).expect("w");
        let days = WorkingHours::default().intervals(window, &zone);
        let shown: Vec<(String, String)> = days
            .iter()
            .map(|d| (zone.format(d.start), zone.format(d.end)))
            .collect();
        assert_eq!(
            shown,
            [
                (
                    "2026-10-23T09:00:00+02:00".into(),
                    "2026-10-23T18:00:00+02:00".into()
                ),
                (
                    "2026-10-26T09:00:00+01:00".into(),
                    "2026-10-26T18:00:00+01:00".into()
                ),
                (
                    "2026-10-27T09:00:00+01:00".into(),
                    "2026-10-27T18:00:00+01:00".into()
                ),
            ]
        );
    }

    #[test]
    fn a_window_inside_one_day_is_clipped_to_it() {
        let zone = Zone::utc();
        let window =
            Window::new(ts("2026-11-24T07:00:00Z"), ts("2026-11-24T10:30:00Z")).expect("w");
        let days = WorkingHours::default().intervals(window, &zone);
        assert_eq!(
            days,
            [Interval {
                start: ts("2026-11-24T09:00:00Z"),
                end: ts("2026-11-24T10:30:00Z")
            }]
        );
    }
}
