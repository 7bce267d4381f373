//! China's working days: weekends, the State Council's 放假 blocks and 调休 make-up working days,
//! from `rules/calendar/cn.yaml` (embedded; 2020–2026 verified), plus local days a site adds in
//! `gongkai.yaml`. Deadlines of "N 个工作日" are counted here. A date in a year whose notice is
//! not in the table is counted on weekdays, and the count says it was estimated.

use std::collections::{BTreeMap, BTreeSet};

use jiff::ToSpan;
use jiff::civil::{Date, Weekday};
use serde::Deserialize;

const BUILTIN: &str = include_str!("../rules/calendar/cn.yaml");

/// The deadline environment: the date deadlines are judged on (an input, so results can be
/// reproduced) and the working-day calendar. `load` makes it, `check` uses it.
#[derive(Debug, Clone)]
pub struct Env {
    /// The day deadlines are judged on.
    pub today: Date,
    /// Working days and holidays.
    pub calendar: Calendar,
}

#[derive(Debug, Clone, Deserialize)]
struct YearDef {
    #[serde(default)]
    holidays: Vec<Block>,
    #[serde(default)]
    workdays: Vec<String>,
    // `notice`, `amended_by` and `cancelled_workdays` record where a year's dates come from and
    // are read by people only: unknown keys are ignored here
}

/// A run of days off, inclusive.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Block {
    /// What the days are for (名称).
    #[serde(default, alias = "名称")]
    pub name: String,
    /// The first day off, YYYY-MM-DD.
    #[serde(alias = "开始")]
    pub from: String,
    /// The last day off.
    #[serde(alias = "结束")]
    pub to: String,
    /// Whether the run takes in a weekend (informative).
    #[serde(default)]
    pub weekend_joined: bool,
}

/// Local additions to the national calendar (`calendar:` in gongkai.yaml).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LocalDays {
    /// Extra days off (a local holiday).
    #[serde(default, alias = "放假")]
    pub holidays: Vec<Block>,
    /// Extra working days (a local make-up day).
    #[serde(default, alias = "上班")]
    pub workdays: Vec<String>,
}

/// Working days: the national arrangement of each year in the table, plus local days.
#[derive(Debug, Clone)]
pub struct Calendar {
    off: BTreeSet<Date>,
    work: BTreeSet<Date>,
    /// Years whose national notice is in the table.
    years: BTreeSet<i16>,
}

/// The result of counting working days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Count<T> {
    /// What was counted.
    pub value: T,
    /// Some day counted lies in a year whose arrangement is not in the table (weekdays assumed).
    pub estimated: bool,
}

fn date(s: &str) -> Result<Date, String> {
    crate::shape::parse_date(s).ok_or_else(|| format!("不是有效的日期：{s}"))
}

impl Calendar {
    /// The embedded national calendar.
    pub fn builtin() -> Calendar {
        let years: BTreeMap<i16, YearDef> =
            serde_saphyr::from_str(BUILTIN).expect("embedded calendar/cn.yaml is valid");
        let mut cal = Calendar { off: BTreeSet::new(), work: BTreeSet::new(), years: years.keys().copied().collect() };
        for def in years.values() {
            for b in &def.holidays {
                cal.add_block(b).expect("embedded calendar dates are valid");
            }
            for w in &def.workdays {
                cal.work.insert(date(w).expect("embedded calendar dates are valid"));
            }
        }
        cal
    }

    /// Add a site's local days off and make-up days.
    pub fn with_local(mut self, local: &LocalDays) -> Result<Calendar, String> {
        for b in &local.holidays {
            self.add_block(b)?;
        }
        for w in &local.workdays {
            let d = date(w)?;
            self.off.remove(&d);
            self.work.insert(d);
        }
        Ok(self)
    }

    fn add_block(&mut self, b: &Block) -> Result<(), String> {
        let (from, to) = (date(&b.from)?, date(&b.to)?);
        if to < from {
            return Err(format!("放假时间「{}」的结束日期早于开始日期", b.name));
        }
        let mut d = from;
        while d <= to {
            self.off.insert(d);
            d = d.tomorrow().map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    /// Is the national arrangement for this date known? (The last days of December may belong to
    /// next year's New Year block, so they need next year's notice too.)
    pub fn known(&self, d: Date) -> bool {
        self.years.contains(&d.year()) && (d.month() != 12 || d.day() < 29 || self.years.contains(&(d.year() + 1)))
    }

    /// A working day: a make-up day, or a weekday that is not a day off.
    pub fn is_working_day(&self, d: Date) -> bool {
        if self.work.contains(&d) {
            return true;
        }
        if self.off.contains(&d) {
            return false;
        }
        !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday)
    }

    /// The `n`-th working day after `from` (`from` itself not counted).
    pub fn add_working_days(&self, from: Date, n: u32) -> Count<Date> {
        let mut d = from;
        let mut left = n;
        let mut estimated = false;
        while left > 0 {
            match d.tomorrow() {
                Ok(next) => d = next,
                Err(_) => break,
            }
            estimated |= !self.known(d);
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        Count { value: d, estimated }
    }

    /// Working days in `(from, to]`; zero when `to` is not after `from`.
    pub fn working_days_between(&self, from: Date, to: Date) -> Count<u32> {
        let mut n = 0;
        let mut estimated = false;
        let mut d = from;
        while d < to {
            match d.tomorrow() {
                Ok(next) => d = next,
                Err(_) => break,
            }
            estimated |= !self.known(d);
            if self.is_working_day(d) {
                n += 1;
            }
        }
        Count { value: n, estimated }
    }

    /// `n` calendar days before `d`.
    pub fn days_before(d: Date, n: i64) -> Date {
        d.checked_sub(n.days()).unwrap_or(d)
    }

    /// The years whose notice is in the table.
    pub fn years(&self) -> impl Iterator<Item = i16> + '_ {
        self.years.iter().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        date(s).unwrap()
    }

    #[test]
    fn working_days_per_year_match_the_notices() {
        let cal = Calendar::builtin();
        // counts from the research table, each year checked against four datasets
        for (year, want) in [(2020, 249), (2021, 250), (2022, 249), (2023, 249), (2024, 251), (2025, 248), (2026, 248)]
        {
            let start = Date::new(year, 1, 1).unwrap();
            let end = Date::new(year, 12, 31).unwrap();
            let mut n = 0;
            let mut day = start;
            while day <= end {
                n += u32::from(cal.is_working_day(day));
                day = day.tomorrow().unwrap();
            }
            assert_eq!(n, want, "{year}");
        }
    }

    #[test]
    fn twentieth_working_day_after() {
        let cal = Calendar::builtin();
        for (from, want) in [
            ("2020-01-10", "2020-02-14"),
            ("2023-12-20", "2024-01-18"),
            ("2024-01-25", "2024-02-27"),
            ("2025-09-20", "2025-10-23"),
            ("2026-01-28", "2026-03-03"),
            ("2026-04-28", "2026-05-28"),
            ("2026-09-15", "2026-10-19"),
        ] {
            let got = cal.add_working_days(d(from), 20);
            assert_eq!(got.value, d(want), "{from}");
            assert!(!got.estimated, "{from}");
        }
    }

    #[test]
    fn make_up_days_and_holidays() {
        let cal = Calendar::builtin();
        for w in ["2026-02-14", "2025-09-28", "2023-01-28"] {
            assert!(cal.is_working_day(d(w)), "{w} is a 调休 working day");
        }
        for r in ["2026-02-16", "2026-09-27", "2020-02-01", "2020-01-31"] {
            assert!(!cal.is_working_day(d(r)), "{r} is a rest day");
        }
    }

    #[test]
    fn an_unpublished_year_is_counted_on_weekdays_and_says_so() {
        let cal = Calendar::builtin();
        assert!(cal.known(d("2026-12-28")));
        assert!(!cal.known(d("2026-12-30")), "may belong to 2027's New Year block");
        let got = cal.add_working_days(d("2026-12-20"), 20);
        assert!(got.estimated);
        // 2027-01-01 is a Friday: counted as a working day when nothing is known
        assert!(cal.is_working_day(d("2027-01-01")));
        let inside = cal.add_working_days(d("2026-03-02"), 20);
        assert!(!inside.estimated);
    }

    #[test]
    fn local_days_override() {
        let local = LocalDays {
            holidays: vec![Block {
                name: "本地节日".into(),
                from: "2026-06-01".into(),
                to: "2026-06-01".into(),
                weekend_joined: false,
            }],
            workdays: vec!["2026-06-07".into()],
        };
        let cal = Calendar::builtin().with_local(&local).unwrap();
        assert!(!cal.is_working_day(d("2026-06-01")));
        assert!(cal.is_working_day(d("2026-06-07")));
        assert_eq!(cal.working_days_between(d("2026-05-29"), d("2026-06-08")).value, 6);
    }
}
