//! Where the user works each day: Google's working-location entries (`eventType:
//! workingLocation`, set daily in Google Calendar) read as one place per day, and the
//! properties of an entry that sets one.

use chrono::Datelike;
use google_calendar3::api::{
    Event, EventWorkingLocationProperties, EventWorkingLocationPropertiesCustomLocation,
    EventWorkingLocationPropertiesOfficeLocation,
};
use jiff::ToSpan;
use jiff::civil::Date;

use super::{Window, Zone, from_chrono};

/// Where the user works.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Place {
    /// At home (`homeOffice`).
    Home,
    /// At an office (`officeLocation`), perhaps named.
    Office,
    /// Somewhere else (`customLocation`), perhaps named.
    Elsewhere,
}

impl Place {
    /// The word the answers use.
    pub(crate) fn word(self) -> &'static str {
        match self {
            Self::Home => "home",
            Self::Office => "office",
            Self::Elsewhere => "elsewhere",
        }
    }

    /// The place Google's properties name: by `type`, else by the one sub-field present.
    fn of(properties: &EventWorkingLocationProperties) -> Option<Self> {
        match properties.type_.as_deref() {
            Some("homeOffice") => Some(Self::Home),
            Some("officeLocation") => Some(Self::Office),
            Some("customLocation") => Some(Self::Elsewhere),
            _ if properties.home_office.is_some() => Some(Self::Home),
            _ if properties.office_location.is_some() => Some(Self::Office),
            _ if properties.custom_location.is_some() => Some(Self::Elsewhere),
            _ => None,
        }
    }

    /// Google's properties for this place with its `label` (a home has none).
    pub(crate) fn properties(self, label: Option<&str>) -> EventWorkingLocationProperties {
        let label = label.map(str::to_owned);
        match self {
            Self::Home => EventWorkingLocationProperties {
                type_: Some("homeOffice".into()),
                home_office: Some(serde_json::json!({})),
                ..Default::default()
            },
            Self::Office => EventWorkingLocationProperties {
                type_: Some("officeLocation".into()),
                office_location: Some(EventWorkingLocationPropertiesOfficeLocation {
                    label,
                    ..Default::default()
                }),
                ..Default::default()
            },
            Self::Elsewhere => EventWorkingLocationProperties {
                type_: Some("customLocation".into()),
                custom_location: Some(EventWorkingLocationPropertiesCustomLocation { label }),
                ..Default::default()
            },
        }
    }
}

/// One day's working location.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DayPlace {
    /// The day, in the user's zone.
    pub(crate) date: Date,
    /// Where.
    pub(crate) place: Place,
    /// The office's or the place's name, when Google has one.
    pub(crate) label: Option<String>,
}

/// The working location of each day of `window` (in `zone`) that has one, once per day, by
/// date: the first entry Google lists for a day wins (a day split between home and office is
/// said by where it starts). Anything that is not a working-location entry is left out.
pub(crate) fn by_day(entries: &[Event], zone: &Zone, window: Window) -> Vec<DayPlace> {
    let first_day = zone.zoned(window.start).date();
    let last_day = zone
        .zoned(window.end - jiff::SignedDuration::from_nanos(1))
        .date();
    let mut days: Vec<DayPlace> = Vec::new();
    for entry in entries {
        if entry.event_type.as_deref() != Some("workingLocation")
            || entry.status.as_deref() == Some("cancelled")
        {
            continue;
        }
        let Some(properties) = entry.working_location_properties.as_ref() else {
            continue;
        };
        let Some(place) = Place::of(properties) else {
            continue;
        };
        let label = match place {
            Place::Home => None,
            Place::Office => properties
                .office_location
                .as_ref()
                .and_then(|o| o.label.clone()),
            Place::Elsewhere => properties
                .custom_location
                .as_ref()
                .and_then(|c| c.label.clone()),
        }
        .filter(|l| !l.trim().is_empty());
        for date in covered(entry, zone) {
            if date < first_day || date > last_day || days.iter().any(|d| d.date == date) {
                continue;
            }
            days.push(DayPlace {
                date,
                place,
                label: label.clone(),
            });
        }
    }
    days.sort_by_key(|d| d.date);
    days
}

/// The days an entry covers: each date of an all-day entry (its end date is exclusive), or the
/// day a timed entry starts on in `zone`.
fn covered(entry: &Event, zone: &Zone) -> Vec<Date> {
    let civil = |d: chrono::NaiveDate| {
        Date::new(
            i16::try_from(d.year()).ok()?,
            i8::try_from(d.month()).ok()?,
            i8::try_from(d.day()).ok()?,
        )
        .ok()
    };
    let start = entry.start.as_ref();
    if let Some(first) = start.and_then(|s| s.date).and_then(civil) {
        let end = entry
            .end
            .as_ref()
            .and_then(|e| e.date)
            .and_then(civil)
            .unwrap_or(first);
        let mut days = vec![first];
        let mut next = first;
        // An entry is a day or a few; a year bounds a malformed one.
        while days.len() < 366 {
            match next.checked_add(1.day()) {
                Ok(d) if d < end => {
                    days.push(d);
                    next = d;
                }
                _ => break,
            }
        }
        return days;
    }
    start
        .and_then(|s| s.date_time)
        .and_then(from_chrono)
        .map(|at| vec![zone.zoned(at).date()])
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry(value: serde_json::Value) -> Event {
        serde_json::from_value(value).expect("event")
    }

    fn week() -> (Zone, Window) {
        let zone = Zone::parse("Europe/Berlin", "timezone").expect("zone");
        let window = Window::new(
            "2030-03-04T00:00:00+01:00[Europe/Berlin]"
                .parse::<jiff::Zoned>()
                .expect("start")
                .timestamp(),
            "2030-03-11T00:00:00+01:00[Europe/Berlin]"
                .parse::<jiff::Zoned>()
                .expect("end")
                .timestamp(),
        )
        .expect("window");
        (zone, window)
    }

    #[test]
    fn home_office_and_custom_are_read_once_per_day() {
        let (zone, window) = week();
        let entries = [
            entry(json!({"id": "w1", "eventType": "workingLocation",
                "start": {"date": "2030-03-04"}, "end": {"date": "2030-03-06"},
                "workingLocationProperties": {"type": "homeOffice", "homeOffice": {}}})),
            entry(json!({"id": "w2", "eventType": "workingLocation",
                "start": {"date": "2030-03-06"}, "end": {"date": "2030-03-07"},
                "workingLocationProperties": {"type": "officeLocation",
                    "officeLocation": {"label": "Berlin HQ", "buildingId": "b1"}}})),
            // An afternoon somewhere else, the same day: the morning's office is that day's.
            entry(json!({"id": "w3", "eventType": "workingLocation",
                "start": {"dateTime": "2030-03-06T14:00:00+01:00"},
                "end": {"dateTime": "2030-03-06T18:00:00+01:00"},
                "workingLocationProperties": {"type": "customLocation",
                    "customLocation": {"label": "Café Lenz"}}})),
            entry(json!({"id": "w4", "eventType": "workingLocation",
                "start": {"dateTime": "2030-03-07T09:00:00+01:00"},
                "end": {"dateTime": "2030-03-07T17:00:00+01:00"},
                "workingLocationProperties": {"customLocation": {"label": "Client site"}}})),
            // Not working locations: a meeting, a cancelled entry, a day outside the week.
            entry(
                json!({"id": "m1", "start": {"dateTime": "2030-03-08T09:00:00+01:00"},
                "end": {"dateTime": "2030-03-08T10:00:00+01:00"}}),
            ),
            entry(
                json!({"id": "w5", "eventType": "workingLocation", "status": "cancelled",
                "start": {"date": "2030-03-08"}, "end": {"date": "2030-03-09"},
                "workingLocationProperties": {"type": "homeOffice"}}),
            ),
            entry(json!({"id": "w6", "eventType": "workingLocation",
                "start": {"date": "2030-03-11"}, "end": {"date": "2030-03-12"},
                "workingLocationProperties": {"type": "homeOffice"}})),
        ];
        let days = by_day(&entries, &zone, window);
        let said: Vec<(String, &str, Option<&str>)> = days
            .iter()
            .map(|d| (d.date.to_string(), d.place.word(), d.label.as_deref()))
            .collect();
        assert_eq!(
            said,
            [
                ("2030-03-04".to_owned(), "home", None),
                ("2030-03-05".to_owned(), "home", None),
                ("2030-03-06".to_owned(), "office", Some("Berlin HQ")),
                ("2030-03-07".to_owned(), "elsewhere", Some("Client site")),
            ]
        );
    }

    #[test]
    fn the_properties_written_read_back_as_the_same_place() {
        let (zone, window) = week();
        for (place, label) in [
            (Place::Home, None),
            (Place::Office, Some("Berlin HQ")),
            (Place::Elsewhere, Some("Café Lenz")),
        ] {
            let written = Event {
                event_type: Some("workingLocation".into()),
                start: Some(google_calendar3::api::EventDateTime {
                    date: chrono::NaiveDate::from_ymd_opt(2030, 3, 5),
                    ..Default::default()
                }),
                working_location_properties: Some(place.properties(label)),
                ..Default::default()
            };
            let days = by_day(&[written], &zone, window);
            assert_eq!(days.len(), 1);
            assert_eq!((days[0].place, days[0].label.as_deref()), (place, label));
        }
    }
}
