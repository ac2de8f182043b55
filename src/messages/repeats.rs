//! A recurring event's rule said as a person says it, in each language with a table: "every
//! Monday until 5 March 2030", "jeden Montag bis zum 5. März 2030", "chaque lundi jusqu'au 5
//! mars 2030", "cada lunes hasta el 5 de marzo de 2030". Dates are written as the language
//! writes them.

use jiff::civil::Date;

use crate::calendar::series::{Every, Repeats};
use crate::language::Language;

/// The words one language says a rule with.
struct Words {
    /// Monday first.
    days: [&'static str; 7],
    /// January first.
    months: [&'static str; 12],
    /// The last item of a list is joined with this ("and").
    and: &'static str,
    /// The rule's period and days (without its end).
    period: fn(&Words, &Repeats) -> String,
    /// ", 10 times in all".
    count: fn(u32) -> String,
    /// " until 31 March 2027".
    until: fn(&Words, Date) -> String,
}

impl Words {
    fn day(&self, weekday: usize) -> &'static str {
        self.days.get(weekday).copied().unwrap_or("")
    }

    fn month(&self, date: Date) -> &'static str {
        let at = usize::try_from(date.month() - 1).unwrap_or(0);
        self.months.get(at).copied().unwrap_or("")
    }

    /// "A, B and C".
    fn list(&self, items: Vec<String>) -> String {
        match items.split_last() {
            Some((last, [])) => last.clone(),
            Some((last, rest)) => format!("{} {} {last}", rest.join(", "), self.and),
            None => String::new(),
        }
    }

    /// The `BYDAY` days, each with its ordinal said by `ordinal`.
    fn days(&self, r: &Repeats, ordinal: fn(i16) -> String) -> String {
        self.list(
            r.days
                .iter()
                .map(|(n, day)| match n {
                    None => self.day(*day).to_owned(),
                    Some(n) => format!("{} {}", ordinal(*n), self.day(*day)),
                })
                .collect(),
        )
    }
}

/// `repeats` in `language` (English for a language without a table).
pub(crate) fn said(language: Language, repeats: &Repeats) -> String {
    let words = match language.code() {
        "de" => &GERMAN,
        "fr" => &FRENCH,
        "es" => &SPANISH,
        _ => &ENGLISH,
    };
    let mut out = (words.period)(words, repeats);
    if let Some(count) = repeats.count {
        out.push_str(&(words.count)(count));
    } else if let Some(until) = repeats.until {
        out.push_str(&(words.until)(words, until));
    }
    out
}

const ENGLISH: Words = Words {
    days: [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ],
    months: [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    and: "and",
    period: |w, r| {
        let days = || {
            if r.working_days {
                "weekday".to_owned()
            } else {
                w.days(r, |n| {
                    match n {
                        1 => "first",
                        2 => "second",
                        3 => "third",
                        4 => "fourth",
                        -1 => "last",
                        _ => return format!("{n}."),
                    }
                    .to_owned()
                })
            }
        };
        match (r.every, r.interval) {
            (Every::Day, None) => "every day".into(),
            (Every::Day, Some(n)) => format!("every {n} days"),
            (Every::Week, None) if !r.days.is_empty() => format!("every {}", days()),
            (Every::Week, Some(n)) if !r.days.is_empty() => {
                format!("every {n} weeks on {}", days())
            }
            (Every::Week, None) => "every week".into(),
            (Every::Week, Some(n)) => format!("every {n} weeks"),
            (Every::Month, n) => {
                let period =
                    n.map_or_else(|| "every month".into(), |n| format!("every {n} months"));
                if !r.days.is_empty() {
                    return format!("on the {} of {period}", days());
                }
                match r.month_day {
                    Some(-1) => format!("{period} on its last day"),
                    Some(day) => format!("{period} on the {day}{}", english_suffix(day)),
                    None => period,
                }
            }
            (Every::Year, None) => "every year".into(),
            (Every::Year, Some(n)) => format!("every {n} years"),
            (Every::Other, _) => "on a repeating schedule".into(),
        }
    },
    count: |n| format!(", {n} times in all"),
    until: |w, d| format!(" until {} {} {}", d.day(), w.month(d), d.year()),
};

fn english_suffix(n: i32) -> &'static str {
    match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    }
}

const GERMAN: Words = Words {
    days: [
        "Montag",
        "Dienstag",
        "Mittwoch",
        "Donnerstag",
        "Freitag",
        "Samstag",
        "Sonntag",
    ],
    months: [
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ],
    and: "und",
    period: |w, r| {
        let days = || {
            if r.working_days {
                "Werktag".to_owned()
            } else {
                w.days(r, |n| {
                    match n {
                        1 => "ersten",
                        2 => "zweiten",
                        3 => "dritten",
                        4 => "vierten",
                        -1 => "letzten",
                        _ => return format!("{n}."),
                    }
                    .to_owned()
                })
            }
        };
        match (r.every, r.interval) {
            (Every::Day, None) => "jeden Tag".into(),
            (Every::Day, Some(n)) => format!("alle {n} Tage"),
            (Every::Week, None) if !r.days.is_empty() => format!("jeden {}", days()),
            (Every::Week, Some(n)) if !r.days.is_empty() => {
                format!("alle {n} Wochen am {}", days())
            }
            (Every::Week, None) => "jede Woche".into(),
            (Every::Week, Some(n)) => format!("alle {n} Wochen"),
            (Every::Month, n) => {
                let period = n.map_or_else(|| "jeden Monat".into(), |n| format!("alle {n} Monate"));
                if !r.days.is_empty() {
                    return format!("{period} am {}", days());
                }
                match r.month_day {
                    Some(-1) => format!("{period} am letzten Tag"),
                    Some(day) => format!("{period} am {day}."),
                    None => period,
                }
            }
            (Every::Year, None) => "jedes Jahr".into(),
            (Every::Year, Some(n)) => format!("alle {n} Jahre"),
            (Every::Other, _) => "in einem festen Rhythmus".into(),
        }
    },
    count: |n| format!(", insgesamt {n} Mal"),
    until: |w, d| format!(" bis zum {}. {} {}", d.day(), w.month(d), d.year()),
};

const FRENCH: Words = Words {
    days: [
        "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
    ],
    months: [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
    and: "et",
    period: |w, r| {
        let days = || {
            if r.working_days {
                "jour de semaine".to_owned()
            } else {
                w.days(r, |n| {
                    match n {
                        1 => "premier",
                        2 => "deuxième",
                        3 => "troisième",
                        4 => "quatrième",
                        -1 => "dernier",
                        _ => return format!("{n}e"),
                    }
                    .to_owned()
                })
            }
        };
        match (r.every, r.interval) {
            (Every::Day, None) => "tous les jours".into(),
            (Every::Day, Some(n)) => format!("tous les {n} jours"),
            (Every::Week, None) if !r.days.is_empty() => format!("chaque {}", days()),
            (Every::Week, Some(n)) if !r.days.is_empty() => {
                format!("toutes les {n} semaines le {}", days())
            }
            (Every::Week, None) => "chaque semaine".into(),
            (Every::Week, Some(n)) => format!("toutes les {n} semaines"),
            (Every::Month, n) => {
                let period =
                    n.map_or_else(|| "chaque mois".into(), |n| format!("tous les {n} mois"));
                if !r.days.is_empty() {
                    return format!("le {} de {period}", days());
                }
                match r.month_day {
                    Some(-1) => format!("{period}, le dernier jour"),
                    Some(1) => format!("{period}, le 1er"),
                    Some(day) => format!("{period}, le {day}"),
                    None => period,
                }
            }
            (Every::Year, None) => "chaque année".into(),
            (Every::Year, Some(n)) => format!("tous les {n} ans"),
            (Every::Other, _) => "à un rythme régulier".into(),
        }
    },
    count: |n| format!(", {n} fois en tout"),
    until: |w, d| {
        let day = if d.day() == 1 {
            "1er".to_owned()
        } else {
            d.day().to_string()
        };
        format!(" jusqu'au {day} {} {}", w.month(d), d.year())
    },
};

const SPANISH: Words = Words {
    days: [
        "lunes",
        "martes",
        "miércoles",
        "jueves",
        "viernes",
        "sábado",
        "domingo",
    ],
    months: [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ],
    and: "y",
    period: |w, r| {
        let days = || {
            if r.working_days {
                "día laborable".to_owned()
            } else {
                w.days(r, |n| {
                    match n {
                        1 => "primer",
                        2 => "segundo",
                        3 => "tercer",
                        4 => "cuarto",
                        -1 => "último",
                        _ => return format!("{n}.º"),
                    }
                    .to_owned()
                })
            }
        };
        match (r.every, r.interval) {
            (Every::Day, None) => "todos los días".into(),
            (Every::Day, Some(n)) => format!("cada {n} días"),
            (Every::Week, None) if !r.days.is_empty() => format!("cada {}", days()),
            (Every::Week, Some(n)) if !r.days.is_empty() => {
                format!("cada {n} semanas el {}", days())
            }
            (Every::Week, None) => "cada semana".into(),
            (Every::Week, Some(n)) => format!("cada {n} semanas"),
            (Every::Month, n) => {
                let period = n.map_or_else(|| "cada mes".into(), |n| format!("cada {n} meses"));
                if !r.days.is_empty() {
                    return format!("el {} de {period}", days());
                }
                match r.month_day {
                    Some(-1) => format!("{period}, el último día"),
                    Some(day) => format!("{period}, el día {day}"),
                    None => period,
                }
            }
            (Every::Year, None) => "cada año".into(),
            (Every::Year, Some(n)) => format!("cada {n} años"),
            (Every::Other, _) => "con una repetición regular".into(),
        }
    },
    count: |n| format!(", {n} veces en total"),
    until: |w, d| format!(" hasta el {} de {} de {}", d.day(), w.month(d), d.year()),
};

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(text: &str) -> Repeats {
        Repeats::of(&[format!("RRULE:{text}")])
    }

    fn in_language(code: &str, text: &str) -> String {
        said(Language::parse(code).expect("known"), &rule(text))
    }

    #[test]
    fn rules_are_said_in_english_as_a_person_says_them() {
        for (text, words) in [
            ("FREQ=WEEKLY;BYDAY=MO", "every Monday"),
            ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "every weekday"),
            (
                "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH",
                "every 2 weeks on Tuesday and Thursday",
            ),
            (
                "FREQ=WEEKLY;BYDAY=MO,WE,FR",
                "every Monday, Wednesday and Friday",
            ),
            ("FREQ=DAILY", "every day"),
            ("FREQ=DAILY;INTERVAL=3", "every 3 days"),
            ("FREQ=MONTHLY;BYMONTHDAY=15", "every month on the 15th"),
            ("FREQ=MONTHLY;BYMONTHDAY=22", "every month on the 22nd"),
            (
                "FREQ=MONTHLY;BYDAY=1MO",
                "on the first Monday of every month",
            ),
            (
                "FREQ=MONTHLY;BYDAY=-1FR",
                "on the last Friday of every month",
            ),
            ("FREQ=YEARLY", "every year"),
            (
                "FREQ=WEEKLY;BYDAY=MO;COUNT=10",
                "every Monday, 10 times in all",
            ),
            (
                "FREQ=DAILY;UNTIL=20270331T000000Z",
                "every day until 31 March 2027",
            ),
            ("FREQ=SECONDLY", "on a repeating schedule"),
        ] {
            assert_eq!(in_language("en", text), words, "{text}");
        }
    }

    #[test]
    fn rules_and_their_dates_are_said_as_each_language_says_them() {
        let weekly = "FREQ=WEEKLY;BYDAY=MO;UNTIL=20300305T000000Z";
        assert_eq!(
            in_language("de", weekly),
            "jeden Montag bis zum 5. März 2030"
        );
        assert_eq!(
            in_language("fr", weekly),
            "chaque lundi jusqu'au 5 mars 2030"
        );
        assert_eq!(
            in_language("es", weekly),
            "cada lunes hasta el 5 de marzo de 2030"
        );
        let monthly = "FREQ=MONTHLY;BYDAY=-1FR;COUNT=6";
        assert_eq!(
            in_language("de", monthly),
            "jeden Monat am letzten Freitag, insgesamt 6 Mal"
        );
        assert_eq!(
            in_language("fr", monthly),
            "le dernier vendredi de chaque mois, 6 fois en tout"
        );
        assert_eq!(
            in_language("es", monthly),
            "el último viernes de cada mes, 6 veces en total"
        );
        assert_eq!(
            in_language("de", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH"),
            "alle 2 Wochen am Dienstag und Donnerstag"
        );
        assert_eq!(
            in_language("fr", "FREQ=DAILY;UNTIL=20270101T000000Z"),
            "tous les jours jusqu'au 1er janvier 2027"
        );
        // A language without a table: English, which the avatar says in its own words.
        assert_eq!(in_language("it", weekly), "every Monday until 5 March 2030");
    }
}
