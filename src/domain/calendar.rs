//! The Kazakh working calendar and deadlines (G-22, G-35, G-49). Times are stored in UTC
//! and computed in the provider's local zone; holidays and transfers are data
//! (`catalog/calendar/kz.toml`).

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CalendarFile {
    fixed: Vec<String>,
    not_moved: Vec<String>,
    movable: BTreeMap<String, Vec<NaiveDate>>,
    transfers: Transfers,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Transfers {
    off: Vec<NaiveDate>,
    work: Vec<NaiveDate>,
}

/// Which days are working days.
#[derive(Debug, Clone)]
pub struct WorkingCalendar {
    fixed: Vec<(u32, u32)>,
    not_moved: Vec<(u32, u32)>,
    movable: BTreeSet<NaiveDate>,
    off: BTreeSet<NaiveDate>,
    work: BTreeSet<NaiveDate>,
    /// Days off carried over from fixed holidays falling on a weekend, precomputed.
    carried: BTreeSet<NaiveDate>,
}

/// A provider's opening hours (local time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkHours {
    pub open: NaiveTime,
    pub close: NaiveTime,
}

fn md(s: &str) -> anyhow::Result<(u32, u32)> {
    let (m, d) = s.split_once('-').ok_or_else(|| anyhow::anyhow!("`{s}` is not MM-DD"))?;
    let (m, d) = (m.parse()?, d.parse()?);
    NaiveDate::from_ymd_opt(2024, m, d).ok_or_else(|| anyhow::anyhow!("`{s}` is not a date"))?;
    Ok((m, d))
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

impl WorkingCalendar {
    pub fn from_toml(text: &str) -> anyhow::Result<WorkingCalendar> {
        let f: CalendarFile = toml::from_str(text).map_err(|e| anyhow::anyhow!("calendar: {e}"))?;
        let mut cal = WorkingCalendar {
            fixed: f.fixed.iter().map(|s| md(s)).collect::<Result<_, _>>()?,
            not_moved: f.not_moved.iter().map(|s| md(s)).collect::<Result<_, _>>()?,
            movable: f.movable.into_values().flatten().collect(),
            off: f.transfers.off.into_iter().collect(),
            work: f.transfers.work.into_iter().collect(),
            carried: BTreeSet::new(),
        };
        // Each fixed holiday on a Saturday or Sunday gives the next day that is neither a
        // weekend nor already a day off (Labour Code art. 85).
        for year in 2000..=2100 {
            let mut days: Vec<NaiveDate> =
                cal.fixed.iter().filter_map(|(m, d)| NaiveDate::from_ymd_opt(year, *m, *d)).collect();
            days.sort();
            for h in days.into_iter().filter(|h| is_weekend(*h)) {
                let mut n = h + Duration::days(1);
                while is_weekend(n) || cal.is_holiday(n) {
                    n += Duration::days(1);
                }
                cal.carried.insert(n);
            }
        }
        Ok(cal)
    }

    /// The embedded Kazakh calendar.
    pub fn kz() -> anyhow::Result<WorkingCalendar> {
        WorkingCalendar::from_toml(include_str!("../../catalog/calendar/kz.toml"))
    }

    fn is_fixed(&self, d: NaiveDate) -> bool {
        self.fixed.contains(&(d.month(), d.day()))
    }

    /// A public holiday, or a day off carried over from a holiday on a weekend (art. 85).
    pub fn is_holiday(&self, d: NaiveDate) -> bool {
        self.is_fixed(d)
            || self.not_moved.contains(&(d.month(), d.day()))
            || self.movable.contains(&d)
            || self.carried.contains(&d)
    }

    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        if self.work.contains(&d) {
            return true;
        }
        !(is_weekend(d) || self.off.contains(&d) || self.is_holiday(d))
    }

    /// The first working day strictly after `d`.
    pub fn next_working_day(&self, d: NaiveDate) -> NaiveDate {
        let mut n = d + Duration::days(1);
        while !self.is_working_day(n) {
            n += Duration::days(1);
        }
        n
    }
}

/// How a deadline is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineUnit {
    CalendarDays,
    WorkingDays,
    WorkingHours,
    /// By closing time of the day of application (R-002-08, R-002-11).
    SameDay,
}

/// A service term, from the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeadlineRule {
    pub amount: u32,
    pub unit: DeadlineUnit,
}

fn at_local(tz: Tz, d: NaiveDate, t: NaiveTime) -> DateTime<Utc> {
    tz.from_local_datetime(&d.and_time(t))
        .earliest()
        .map(|x| x.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&d.and_time(t)))
}

impl DeadlineRule {
    /// The due moment of a request registered at `from`.
    ///
    /// Working days: day 1 is the first working day after registration; due at closing time
    /// of the n-th working day. Calendar days: closing time n days later. Working hours:
    /// only hours inside opening hours of working days count. Same day: closing time of the
    /// registration day, or of the next working day when registered after closing or on a
    /// day off.
    pub fn due(&self, cal: &WorkingCalendar, from: DateTime<Utc>, tz: Tz, hours: WorkHours) -> DateTime<Utc> {
        let local = from.with_timezone(&tz);
        let day = local.date_naive();
        match self.unit {
            DeadlineUnit::CalendarDays => at_local(tz, day + Duration::days(i64::from(self.amount)), hours.close),
            DeadlineUnit::WorkingDays => {
                let mut d = day;
                for _ in 0..self.amount {
                    d = cal.next_working_day(d);
                }
                at_local(tz, d, hours.close)
            }
            DeadlineUnit::SameDay => {
                if cal.is_working_day(day) && local.time() < hours.close {
                    at_local(tz, day, hours.close)
                } else {
                    at_local(tz, cal.next_working_day(day), hours.close)
                }
            }
            DeadlineUnit::WorkingHours => {
                let mut left = Duration::hours(i64::from(self.amount));
                let mut d = day;
                let mut t = local.time();
                loop {
                    if cal.is_working_day(d) && t < hours.close {
                        let start = t.max(hours.open);
                        let avail = hours.close - start;
                        if avail >= left {
                            return at_local(tz, d, start) + left;
                        }
                        left -= avail;
                    }
                    d = cal.next_working_day(d);
                    t = hours.open;
                }
            }
        }
    }
}

/// A deadline extension must move the due date later (R-004-39, G-35).
pub fn validate_extension(current_due: DateTime<Utc>, new_due: DateTime<Utc>) -> bool {
    new_due > current_due
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cal() -> WorkingCalendar {
        WorkingCalendar::kz().expect("calendar")
    }
    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }
    fn hours() -> WorkHours {
        WorkHours { open: NaiveTime::from_hms_opt(9, 0, 0).expect("t"), close: NaiveTime::from_hms_opt(18, 0, 0).expect("t") }
    }

    #[test]
    fn holidays_weekends_and_transfers() {
        let c = cal();
        assert!(!c.is_working_day(d("2026-01-01")));
        assert!(!c.is_working_day(d("2026-01-07"))); // Orthodox Christmas
        assert!(!c.is_working_day(d("2026-03-23"))); // Nauryz
        assert!(!c.is_working_day(d("2026-05-27"))); // Kurban Ait (assumed date)
        assert!(c.is_working_day(d("2026-11-23"))); // a Monday
        assert!(!c.is_working_day(d("2026-11-22"))); // Sunday
        // 2026-08-30 (Constitution Day) is a Sunday: Monday 31 Aug is a day off (art. 85).
        assert!(!c.is_working_day(d("2026-08-31")));
        assert!(c.is_working_day(d("2026-09-01")));
        // 2027-05-16 Kurban Ait is a Sunday: not moved.
        assert!(c.is_working_day(d("2027-05-17")));
        // 2026-03-21 Saturday, 03-22 Sunday, 03-23 Monday holiday: two carried to 24, 25.
        assert!(!c.is_working_day(d("2026-03-24")));
        assert!(!c.is_working_day(d("2026-03-25")));
        assert!(c.is_working_day(d("2026-03-26")));
        // transfers
        assert!(!c.is_working_day(d("2026-01-05")));
        assert!(c.is_working_day(d("2026-01-10")));
    }

    #[test]
    fn working_day_deadline_skips_days_off() {
        let c = cal();
        let tz: Tz = "Asia/Almaty".parse().expect("tz");
        // Registered Friday 2026-03-20 10:00 local; Mar 21–25 are off.
        let from = at_local(tz, d("2026-03-20"), NaiveTime::from_hms_opt(10, 0, 0).expect("t"));
        let due = DeadlineRule { amount: 2, unit: DeadlineUnit::WorkingDays }.due(&c, from, tz, hours());
        assert_eq!(due.with_timezone(&tz).date_naive(), d("2026-03-27"));
        assert_eq!(due.with_timezone(&tz).time(), NaiveTime::from_hms_opt(18, 0, 0).expect("t"));
    }

    #[test]
    fn same_day_after_closing_moves_to_next_working_day() {
        let c = cal();
        let tz: Tz = "Asia/Almaty".parse().expect("tz");
        let late = at_local(tz, d("2026-11-20"), NaiveTime::from_hms_opt(19, 0, 0).expect("t"));
        let due = DeadlineRule { amount: 0, unit: DeadlineUnit::SameDay }.due(&c, late, tz, hours());
        assert_eq!(due.with_timezone(&tz).date_naive(), d("2026-11-23"));
    }

    #[test]
    fn working_hours_deadline() {
        let c = cal();
        let tz: Tz = "Asia/Almaty".parse().expect("tz");
        let from = at_local(tz, d("2026-11-20"), NaiveTime::from_hms_opt(16, 0, 0).expect("t"));
        let due = DeadlineRule { amount: 4, unit: DeadlineUnit::WorkingHours }.due(&c, from, tz, hours());
        assert_eq!(due.with_timezone(&tz).naive_local(), d("2026-11-23").and_hms_opt(11, 0, 0).expect("t"));
    }

    proptest! {
        #[test]
        fn working_day_deadlines(start in 0i64..1000, n in 1u32..40, minute in 0u32..1440) {
            let c = cal();
            let tz: Tz = "Asia/Almaty".parse().expect("tz");
            let day = d("2024-01-01") + Duration::days(start);
            let from = at_local(tz, day, NaiveTime::from_hms_opt(minute / 60, minute % 60, 0).expect("t"));
            let rule = DeadlineRule { amount: n, unit: DeadlineUnit::WorkingDays };
            let due = rule.due(&c, from, tz, hours());
            let due_day = due.with_timezone(&tz).date_naive();
            prop_assert!(due > from);
            prop_assert!(c.is_working_day(due_day));
            let next = DeadlineRule { amount: n + 1, unit: DeadlineUnit::WorkingDays }.due(&c, from, tz, hours());
            prop_assert!(next > due);
            let mut count = 0;
            let mut x = day + Duration::days(1);
            while x <= due_day {
                if c.is_working_day(x) { count += 1; }
                x += Duration::days(1);
            }
            prop_assert_eq!(count, n);
        }
    }
}
