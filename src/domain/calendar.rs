//! The Kazakh working calendar and deadlines (G-22, G-35, G-49).
//!
//! - Holidays, religious holidays with moving dates and decreed transfers are data
//!   (`catalog/calendar/kz.toml`, embedded); the weekend-carry rule of the Labour Code is code:
//!   a `state` or `national` holiday on a Saturday or Sunday gives a day off on the next
//!   working day after it; `religious` holidays (Kurban Ait, Orthodox Christmas) are never
//!   carried. Decrees apply last and override everything.
//! - Times are stored in UTC and computed in the provider's local zone (G-49); since
//!   2024-03-01 all of Kazakhstan is on UTC+5 (`Asia/Almaty`, `Asia/Aqtau`, ...).
//! - Deadlines are counted from registration (G-22): day 1 is the first working day after
//!   the registration date, and a deadline ends at the provider's closing time.
//!
//! Pure module: no I/O. See `docs/calendar.md`.

use crate::error::ErrorCode;
use std::collections::BTreeMap;

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc,
    Weekday,
};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::datafile::DataIssue;

/// The embedded Kazakh calendar data.
pub const KZ_CALENDAR_TOML: &str = include_str!("../../catalog/calendar/kz.toml");

/// Years precomputed at construction; other years are computed on demand.
const PRECOMPUTED: std::ops::RangeInclusive<i32> = 2000..=2100;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// The calendar file is malformed (with the line and field).
    #[error("calendar data: {0}")]
    Data(DataIssue),
    /// Opening time is not before closing time.
    #[error("working hours: opening time {open} must be before closing time {close}")]
    InvalidWorkHours { open: NaiveTime, close: NaiveTime },
    /// An extension must move the due date later (R-004-39, G-35).
    #[error("the new due date {new} is not later than the current one {current}")]
    ExtensionNotLater {
        current: DateTime<Utc>,
        new: DateTime<Utc>,
    },
    /// An extension must state a reason (G-35).
    #[error("an extension needs a reason")]
    ExtensionReasonMissing,
}

impl CalendarError {
    /// Stable machine-readable code.
    pub fn code(&self) -> ErrorCode {
        match self {
            CalendarError::Data(_) => ErrorCode::CalendarData,
            CalendarError::InvalidWorkHours { .. } => ErrorCode::WorkHoursInvalid,
            CalendarError::ExtensionNotLater { .. } => ErrorCode::ExtensionNotLater,
            CalendarError::ExtensionReasonMissing => ErrorCode::ExtensionReasonRequired,
        }
    }
}

// ---------------------------------------------------------------------------------------
// File format
// ---------------------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CalendarFile {
    #[serde(default)]
    calendar: Option<CalendarHeader>,
    #[serde(default)]
    holiday: Vec<HolidayEntry>,
    #[serde(default)]
    year: Vec<YearEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CalendarHeader {
    name: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct HolidayEntry {
    /// "MM-DD".
    date: Spanned<String>,
    name: String,
    kind: HolidayKind,
    from: Option<i32>,
    until: Option<Spanned<i32>>,
    #[serde(default = "yes")]
    verified: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct YearEntry {
    year: Spanned<i32>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    moving: Vec<MovingEntry>,
    #[serde(default)]
    transfer: Vec<TransferEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MovingEntry {
    date: Spanned<DataDate>,
    name: String,
    #[serde(default = "religious")]
    kind: HolidayKind,
    #[serde(default = "yes")]
    verified: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TransferEntry {
    rest_on: Option<Spanned<DataDate>>,
    work_on: Option<Spanned<DataDate>>,
    source: Spanned<String>,
    #[serde(default = "yes")]
    verified: bool,
}

/// A date written as a TOML date (`2027-05-16`) or a string (`"2027-05-16"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct DataDate(NaiveDate);

impl<'de> Deserialize<'de> for DataDate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = DataDate;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a date YYYY-MM-DD")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<DataDate, E> {
                s.trim()
                    .parse::<NaiveDate>()
                    .map(DataDate)
                    .map_err(|_| E::custom(format!("`{s}` is not a date YYYY-MM-DD")))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<DataDate, A::Error> {
                let dt = toml::value::Datetime::deserialize(
                    serde::de::value::MapAccessDeserializer::new(map),
                )?;
                match (dt.date, dt.time, dt.offset) {
                    (Some(d), None, None) => NaiveDate::from_ymd_opt(
                        i32::from(d.year),
                        u32::from(d.month),
                        u32::from(d.day),
                    )
                    .map(DataDate)
                    .ok_or_else(|| serde::de::Error::custom(format!("`{dt}` is not a date"))),
                    _ => Err(serde::de::Error::custom(format!(
                        "`{dt}`: a date YYYY-MM-DD without a time is expected"
                    ))),
                }
            }
        }
        d.deserialize_any(V)
    }
}

fn yes() -> bool {
    true
}

fn religious() -> HolidayKind {
    HolidayKind::Religious
}

/// Kind of a holiday under the Law «О праздниках в Республике Казахстан».
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HolidayKind {
    National,
    State,
    /// Never carried to the next working day when it falls on a weekend.
    Religious,
}

impl HolidayKind {
    /// The Labour Code weekend-carry rule applies to national and state holidays only.
    pub fn carries_when_on_weekend(self) -> bool {
        !matches!(self, HolidayKind::Religious)
    }
}

/// Why a date is (or is not) a working day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    Working,
    Weekend,
    /// A public holiday (also when it falls on a weekend).
    Holiday,
    /// The day off carried from a holiday that fell on a weekend.
    CarriedDayOff,
    /// A weekday made a day off by decree.
    DecreedDayOff,
    /// A weekend day made a working day by decree.
    DecreedWorkingDay,
}

impl DayKind {
    pub fn is_working(self) -> bool {
        matches!(self, DayKind::Working | DayKind::DecreedWorkingDay)
    }
}

/// A non-working day other than an ordinary weekend, with its reason (for UI and docs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayOff {
    pub date: NaiveDate,
    pub kind: DayKind,
    pub name: String,
    pub verified: bool,
}

#[derive(Debug, Clone)]
struct Recurring {
    month: u32,
    day: u32,
    name: String,
    kind: HolidayKind,
    from: Option<i32>,
    until: Option<i32>,
    verified: bool,
}

#[derive(Debug, Clone)]
struct Moving {
    date: NaiveDate,
    name: String,
    kind: HolidayKind,
    verified: bool,
}

#[derive(Debug, Clone)]
struct Decree {
    rest_on: Option<NaiveDate>,
    work_on: Option<NaiveDate>,
    source: String,
    verified: bool,
}

/// Special days of one year: non-working days other than plain weekends, and decreed
/// working days.
#[derive(Debug, Clone, Default)]
struct YearDays {
    off: BTreeMap<NaiveDate, DayOff>,
    work: BTreeMap<NaiveDate, DayOff>,
}

/// Which days are working days (five-day week, Kazakh holidays).
#[derive(Debug, Clone)]
pub struct WorkingCalendar {
    name: String,
    recurring: Vec<Recurring>,
    moving: Vec<Moving>,
    decrees: Vec<Decree>,
    /// Years with per-year data (moving holidays, decrees) and their notes.
    years: BTreeMap<i32, Option<String>>,
    cache: BTreeMap<i32, YearDays>,
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

fn parse_month_day(s: &str) -> Result<(u32, u32), String> {
    let bad = || format!("`{s}` is not MM-DD");
    let (m, d) = s.split_once('-').ok_or_else(bad)?;
    if m.len() != 2 || d.len() != 2 {
        return Err(bad());
    }
    let (m, d): (u32, u32) = (m.parse().map_err(|_| bad())?, d.parse().map_err(|_| bad())?);
    // 2024 is a leap year, so 02-29 is accepted (and applies in leap years only).
    NaiveDate::from_ymd_opt(2024, m, d).ok_or_else(bad)?;
    Ok((m, d))
}

/// Years the calendar data may list (a typo such as `year = 227` is refused).
const DATA_YEARS: std::ops::RangeInclusive<i32> = 1992..=2100;

impl WorkingCalendar {
    /// Parses calendar data (format: `catalog/calendar/kz.toml`, `docs/calendar.md`). A
    /// problem is a [`CalendarError::Data`] naming the line and field.
    pub fn from_toml(text: &str) -> Result<WorkingCalendar, CalendarError> {
        let data = |span: std::ops::Range<usize>, field: &str, message: String| {
            CalendarError::Data(DataIssue::at(text, span, field, message))
        };
        let f: CalendarFile =
            toml::from_str(text).map_err(|e| CalendarError::Data(DataIssue::toml(text, &e)))?;
        let mut recurring = Vec::with_capacity(f.holiday.len());
        for h in f.holiday {
            let (month, day) = parse_month_day(h.date.get_ref())
                .map_err(|m| data(h.date.span(), "holiday.date", m))?;
            if let (Some(a), Some(b)) = (h.from, &h.until) {
                if a > *b.get_ref() {
                    return Err(data(
                        b.span(),
                        "holiday.until",
                        format!(
                            "holiday {}: from {a} is after until {}",
                            h.date.get_ref(),
                            b.get_ref()
                        ),
                    ));
                }
            }
            recurring.push(Recurring {
                month,
                day,
                name: h.name,
                kind: h.kind,
                from: h.from,
                until: h.until.map(Spanned::into_inner),
                verified: h.verified,
            });
        }
        let mut moving = Vec::new();
        let mut decrees = Vec::new();
        let mut years = BTreeMap::new();
        for y in f.year {
            let (year, year_span) = (*y.year.get_ref(), y.year.span());
            if !DATA_YEARS.contains(&year) {
                return Err(data(
                    year_span,
                    "year.year",
                    format!(
                        "{year} is not a year ({}-{})",
                        DATA_YEARS.start(),
                        DATA_YEARS.end()
                    ),
                ));
            }
            if years.insert(year, y.note).is_some() {
                return Err(data(
                    year_span,
                    "year.year",
                    format!("year {year} is listed twice"),
                ));
            }
            for m in y.moving {
                let date = m.date.get_ref().0;
                if date.year() != year {
                    return Err(data(
                        m.date.span(),
                        "year.moving.date",
                        format!("moving holiday {date} is listed under year {year}"),
                    ));
                }
                moving.push(Moving {
                    date,
                    name: m.name,
                    kind: m.kind,
                    verified: m.verified,
                });
            }
            for t in y.transfer {
                if t.rest_on.is_none() && t.work_on.is_none() {
                    return Err(data(
                        t.source.span(),
                        "year.transfer",
                        format!("a transfer in year {year} has neither rest_on nor work_on"),
                    ));
                }
                for (field, d) in [
                    ("year.transfer.rest_on", &t.rest_on),
                    ("year.transfer.work_on", &t.work_on),
                ] {
                    if let Some(d) = d.as_ref().filter(|d| d.get_ref().0.year() != year) {
                        return Err(data(
                            d.span(),
                            field,
                            format!(
                                "transfer date {} is listed under year {year}",
                                d.get_ref().0
                            ),
                        ));
                    }
                }
                if let Some(d) = t.rest_on.as_ref().filter(|d| is_weekend(d.get_ref().0)) {
                    return Err(data(
                        d.span(),
                        "year.transfer.rest_on",
                        format!(
                            "transfer rest_on {} is already a weekend day",
                            d.get_ref().0
                        ),
                    ));
                }
                if let Some(d) = t.work_on.as_ref().filter(|d| !is_weekend(d.get_ref().0)) {
                    return Err(data(
                        d.span(),
                        "year.transfer.work_on",
                        format!("transfer work_on {} is not a weekend day", d.get_ref().0),
                    ));
                }
                decrees.push(Decree {
                    rest_on: t.rest_on.map(|d| d.into_inner().0),
                    work_on: t.work_on.map(|d| d.into_inner().0),
                    source: t.source.into_inner(),
                    verified: t.verified,
                });
            }
        }
        let mut cal = WorkingCalendar {
            name: f
                .calendar
                .map(|c| c.name)
                .unwrap_or_else(|| "calendar".to_owned()),
            recurring,
            moving,
            decrees,
            years,
            cache: BTreeMap::new(),
        };
        let first = cal
            .years
            .keys()
            .next()
            .copied()
            .unwrap_or(*PRECOMPUTED.start());
        let last = cal
            .years
            .keys()
            .next_back()
            .copied()
            .unwrap_or(*PRECOMPUTED.end());
        let from = first.min(*PRECOMPUTED.start());
        let to = last.max(*PRECOMPUTED.end());
        for y in from..=to {
            let days = cal.compute_year(y);
            cal.cache.insert(y, days);
        }
        Ok(cal)
    }

    /// The embedded Kazakh calendar (`catalog/calendar/kz.toml`).
    pub fn kz() -> Result<WorkingCalendar, CalendarError> {
        WorkingCalendar::from_toml(KZ_CALENDAR_TOML)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// True when the data lists `year` (its moving religious holidays and decreed
    /// transfers were entered). For other years only the recurring holidays and the
    /// weekend-carry rule apply, so results may miss Kurban Ait and decrees.
    pub fn covers(&self, year: i32) -> bool {
        self.years.contains_key(&year)
    }

    /// True when `year` is covered and none of its holidays, carried days or decrees is
    /// marked `verified = false`.
    pub fn year_verified(&self, year: i32) -> bool {
        self.covers(year) && self.special_days(year).iter().all(|d| d.verified)
    }

    /// Years with per-year data.
    pub fn covered_years(&self) -> Vec<i32> {
        self.years.keys().copied().collect()
    }

    /// The per-year note from the data file, if any.
    pub fn year_note(&self, year: i32) -> Option<&str> {
        self.years.get(&year).and_then(|n| n.as_deref())
    }

    fn compute_year(&self, year: i32) -> YearDays {
        let mut days = YearDays::default();
        // 1. Holidays of the year.
        let mut holidays: BTreeMap<NaiveDate, (HolidayKind, String, bool)> = BTreeMap::new();
        for r in &self.recurring {
            if r.from.is_some_and(|f| year < f) || r.until.is_some_and(|u| year > u) {
                continue;
            }
            if let Some(d) = NaiveDate::from_ymd_opt(year, r.month, r.day) {
                holidays.insert(d, (r.kind, r.name.clone(), r.verified));
            }
        }
        for m in self.moving.iter().filter(|m| m.date.year() == year) {
            holidays.insert(m.date, (m.kind, m.name.clone(), m.verified));
        }
        for (d, (_, name, verified)) in &holidays {
            days.off.insert(
                *d,
                DayOff {
                    date: *d,
                    kind: DayKind::Holiday,
                    name: name.clone(),
                    verified: *verified,
                },
            );
        }
        // 2. Labour Code weekend carry: each national/state holiday on a weekend gives a day
        //    off on the first weekday after it that is neither a holiday nor already carried.
        for (d, (kind, name, verified)) in &holidays {
            if !is_weekend(*d) || !kind.carries_when_on_weekend() {
                continue;
            }
            let mut c = *d;
            while let Some(next) = c.succ_opt() {
                c = next;
                if !is_weekend(c) && !days.off.contains_key(&c) {
                    days.off.insert(
                        c,
                        DayOff {
                            date: c,
                            kind: DayKind::CarriedDayOff,
                            name: format!("{name} (перенос с {d})"),
                            verified: *verified,
                        },
                    );
                    break;
                }
            }
        }
        // 3. Decrees override.
        for t in &self.decrees {
            if let Some(d) = t.rest_on.filter(|d| d.year() == year) {
                days.work.remove(&d);
                days.off.insert(
                    d,
                    DayOff {
                        date: d,
                        kind: DayKind::DecreedDayOff,
                        name: t.source.clone(),
                        verified: t.verified,
                    },
                );
            }
            if let Some(d) = t.work_on.filter(|d| d.year() == year) {
                days.off.remove(&d);
                days.work.insert(
                    d,
                    DayOff {
                        date: d,
                        kind: DayKind::DecreedWorkingDay,
                        name: t.source.clone(),
                        verified: t.verified,
                    },
                );
            }
        }
        days
    }

    fn with_year<R>(&self, year: i32, f: impl FnOnce(&YearDays) -> R) -> R {
        match self.cache.get(&year) {
            Some(days) => f(days),
            None => f(&self.compute_year(year)),
        }
    }

    /// Why `d` is or is not a working day.
    pub fn day_kind(&self, d: NaiveDate) -> DayKind {
        self.with_year(d.year(), |y| {
            if let Some(w) = y.work.get(&d) {
                w.kind
            } else if let Some(o) = y.off.get(&d) {
                o.kind
            } else if is_weekend(d) {
                DayKind::Weekend
            } else {
                DayKind::Working
            }
        })
    }

    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        self.day_kind(d).is_working()
    }

    /// A public holiday (recurring or moving), whatever the weekday.
    pub fn is_holiday(&self, d: NaiveDate) -> bool {
        self.with_year(d.year(), |y| {
            y.off.get(&d).is_some_and(|o| o.kind == DayKind::Holiday)
        })
    }

    /// Non-working days of `year` other than ordinary weekends, and decreed working days,
    /// in date order.
    pub fn special_days(&self, year: i32) -> Vec<DayOff> {
        self.with_year(year, |y| {
            let mut all: Vec<DayOff> = y.off.values().chain(y.work.values()).cloned().collect();
            all.sort_by_key(|d| d.date);
            all
        })
    }

    /// The first working day strictly after `d` (saturates at the end of chrono's range).
    pub fn next_working_day(&self, d: NaiveDate) -> NaiveDate {
        let mut c = d;
        while let Some(next) = c.succ_opt() {
            c = next;
            if self.is_working_day(c) {
                return c;
            }
        }
        c
    }

    /// `d` if it is a working day, else the next working day.
    pub fn working_day_on_or_after(&self, d: NaiveDate) -> NaiveDate {
        if self.is_working_day(d) {
            d
        } else {
            self.next_working_day(d)
        }
    }

    /// Working days in the half-open interval `(from, to]`.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        let mut n = 0u32;
        let mut c = from;
        while c < to {
            let Some(next) = c.succ_opt() else { break };
            c = next;
            if self.is_working_day(c) {
                n = n.saturating_add(1);
            }
        }
        n
    }

    /// Deadline of `n` working days counted from registration at `start` (G-22): day 1 is
    /// the first working day after the local registration date, whatever the time of
    /// registration; the deadline is the closing time of the n-th working day.
    /// `n = 0` means the same day (see [`WorkingCalendar::same_day`]).
    pub fn add_working_days(
        &self,
        start: DateTime<Utc>,
        n: u32,
        tz: Tz,
        hours: WorkHours,
    ) -> DateTime<Utc> {
        if n == 0 {
            return self.same_day(start, tz, hours);
        }
        let hours = hours.or_default();
        let mut d = start.with_timezone(&tz).date_naive();
        for _ in 0..n {
            d = self.next_working_day(d);
        }
        at_local(tz, d, hours.close)
    }

    /// Deadline of `n` calendar days: the closing time of the local registration date + n;
    /// if that day is not a working day, the closing time of the next working day (a term
    /// ending on a day off ends on the next working day; Civil Code rule, see docs).
    pub fn add_calendar_days(
        &self,
        start: DateTime<Utc>,
        n: u32,
        tz: Tz,
        hours: WorkHours,
    ) -> DateTime<Utc> {
        let hours = hours.or_default();
        let d0 = start.with_timezone(&tz).date_naive();
        let d = d0
            .checked_add_signed(Duration::days(i64::from(n)))
            .unwrap_or(NaiveDate::MAX);
        let due = at_local(tz, self.working_day_on_or_after(d), hours.close);
        if due > start {
            due
        } else {
            // n = 0 and registered after closing: the next working day.
            at_local(tz, self.next_working_day(d), hours.close)
        }
    }

    /// Closing time of the registration day when registered before closing on a working
    /// day; otherwise closing time of the next working day.
    pub fn same_day(&self, start: DateTime<Utc>, tz: Tz, hours: WorkHours) -> DateTime<Utc> {
        let hours = hours.or_default();
        let local = start.with_timezone(&tz);
        let day = local.date_naive();
        if self.is_working_day(day) && local.time() < hours.close {
            let due = at_local(tz, day, hours.close);
            if due > start {
                return due;
            }
        }
        at_local(tz, self.next_working_day(day), hours.close)
    }

    /// Adds `n` working hours: only time inside opening hours on working days counts.
    /// A start outside opening hours begins at the next opening. Ending exactly at closing
    /// time gives the closing time (not the next opening). `n = 0` returns `start`.
    pub fn add_working_hours(
        &self,
        start: DateTime<Utc>,
        n: u32,
        tz: Tz,
        hours: WorkHours,
    ) -> DateTime<Utc> {
        if n == 0 {
            return start;
        }
        let hours = hours.or_default();
        let local = start.with_timezone(&tz).naive_local();
        let mut day = local.date();
        let mut t = local.time();
        let mut left = Duration::hours(i64::from(n));
        loop {
            if self.is_working_day(day) && t < hours.close {
                let begin = t.max(hours.open);
                let avail = hours.close - begin;
                if avail >= left {
                    let due = at_local(tz, day, begin) + left;
                    return due.max(start);
                }
                left -= avail;
            }
            match day.succ_opt() {
                Some(next) => day = next,
                None => return DateTime::<Utc>::MAX_UTC,
            }
            t = NaiveTime::MIN;
        }
    }

    /// Working time (within opening hours on working days) between two instants.
    pub fn working_time_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        tz: Tz,
        hours: WorkHours,
    ) -> Duration {
        let hours = hours.or_default();
        if to <= from {
            return Duration::zero();
        }
        let a = from.with_timezone(&tz).naive_local();
        let b = to.with_timezone(&tz).naive_local();
        let mut total = Duration::zero();
        let mut day = a.date();
        while day <= b.date() {
            if self.is_working_day(day) {
                let open = NaiveDateTime::new(day, hours.open).max(a);
                let close = NaiveDateTime::new(day, hours.close).min(b);
                if close > open {
                    total += close - open;
                }
            }
            match day.succ_opt() {
                Some(next) => day = next,
                None => break,
            }
        }
        total
    }
}

/// A provider's opening hours in local time (G-07: per-provider data). Lunch breaks are
/// not modelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct WorkHours {
    pub open: NaiveTime,
    pub close: NaiveTime,
}

impl WorkHours {
    /// 09:00-18:00, the default when a provider states nothing.
    pub const DEFAULT: WorkHours = WorkHours {
        open: NaiveTime::from_hms_opt(9, 0, 0).expect("valid constant"),
        close: NaiveTime::from_hms_opt(18, 0, 0).expect("valid constant"),
    };

    pub fn new(open: NaiveTime, close: NaiveTime) -> Result<WorkHours, CalendarError> {
        if open < close {
            Ok(WorkHours { open, close })
        } else {
            Err(CalendarError::InvalidWorkHours { open, close })
        }
    }

    pub fn is_valid(&self) -> bool {
        self.open < self.close
    }

    /// The fields are public, so an invalid value (open ≥ close) can exist; the
    /// computations then use [`WorkHours::DEFAULT`] rather than loop or panic.
    fn or_default(self) -> WorkHours {
        if self.is_valid() {
            self
        } else {
            WorkHours::DEFAULT
        }
    }
}

impl Default for WorkHours {
    fn default() -> Self {
        WorkHours::DEFAULT
    }
}

/// Local date and time in `tz` to UTC. Ambiguous times take the earlier instant; times in
/// a DST gap are moved forward to the first valid minute. (Kazakhstan has had no DST since
/// 2005; this only matters for other zones and old dates.)
fn at_local(tz: Tz, d: NaiveDate, t: NaiveTime) -> DateTime<Utc> {
    let mut ndt = NaiveDateTime::new(d, t);
    for _ in 0..=180 {
        match tz.from_local_datetime(&ndt) {
            LocalResult::Single(x) | LocalResult::Ambiguous(x, _) => return x.with_timezone(&Utc),
            LocalResult::None => ndt += Duration::minutes(1),
        }
    }
    Utc.from_utc_datetime(&NaiveDateTime::new(d, t))
}

/// Unit of a deadline rule in the service catalog (`deadline = { amount, unit }`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineUnit {
    CalendarDays,
    WorkingDays,
    WorkingHours,
    SameDay,
}

/// A service term (G-22, G-35), e.g. `{ amount = 15, unit = "working_days" }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeadlineRule {
    pub amount: u32,
    pub unit: DeadlineUnit,
}

impl DeadlineRule {
    /// The due moment of a request registered at `from`, computed in the provider's zone.
    ///
    /// - `working_days`: [`WorkingCalendar::add_working_days`] (day 1 = first working day
    ///   after registration; due at closing time of day n; 0 = same day).
    /// - `calendar_days`: [`WorkingCalendar::add_calendar_days`].
    /// - `working_hours`: [`WorkingCalendar::add_working_hours`].
    /// - `same_day`: [`WorkingCalendar::same_day`] (`amount` ignored).
    pub fn due(
        &self,
        cal: &WorkingCalendar,
        from: DateTime<Utc>,
        tz: Tz,
        hours: WorkHours,
    ) -> DateTime<Utc> {
        match self.unit {
            DeadlineUnit::CalendarDays => cal.add_calendar_days(from, self.amount, tz, hours),
            DeadlineUnit::WorkingDays => cal.add_working_days(from, self.amount, tz, hours),
            DeadlineUnit::WorkingHours => cal.add_working_hours(from, self.amount, tz, hours),
            DeadlineUnit::SameDay => cal.same_day(from, tz, hours),
        }
    }
}

/// An official's extension of a service term (R-004-39, G-35): a new due date and a reason;
/// the notification carries both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extension {
    pub new_due: DateTime<Utc>,
    pub reason: String,
}

impl Extension {
    /// The new due date must be later than `current_due` and the reason not blank.
    pub fn validate(&self, current_due: DateTime<Utc>) -> Result<(), CalendarError> {
        if self.reason.trim().is_empty() {
            return Err(CalendarError::ExtensionReasonMissing);
        }
        validate_extension(current_due, self.new_due)
    }
}

/// An extension must move the due date strictly later (R-004-39, G-35).
pub fn validate_extension(
    current_due: DateTime<Utc>,
    new_due: DateTime<Utc>,
) -> Result<(), CalendarError> {
    if new_due > current_due {
        Ok(())
    } else {
        Err(CalendarError::ExtensionNotLater {
            current: current_due,
            new: new_due,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Asia::{Almaty, Aqtau};
    use proptest::prelude::*;

    fn cal() -> &'static WorkingCalendar {
        static CAL: std::sync::OnceLock<WorkingCalendar> = std::sync::OnceLock::new();
        CAL.get_or_init(|| WorkingCalendar::kz().expect("embedded calendar parses"))
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
    }

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).expect("valid test time")
    }

    /// A local Almaty time as UTC.
    fn almaty(y: i32, m: u32, day: u32, h: u32, min: u32) -> DateTime<Utc> {
        at_local(Almaty, d(y, m, day), t(h, min))
    }

    #[test]
    fn kazakhstan_is_utc_plus_5_since_march_2024() {
        let summer = almaty(2024, 6, 1, 18, 0);
        assert_eq!(
            summer,
            Utc.with_ymd_and_hms(2024, 6, 1, 13, 0, 0)
                .single()
                .expect("utc")
        );
        let aqtau = at_local(Aqtau, d(2024, 6, 1), t(18, 0));
        assert_eq!(aqtau, summer);
        // Before 2024-03-01 Almaty was UTC+6.
        let winter = almaty(2024, 1, 15, 18, 0);
        assert_eq!(
            winter,
            Utc.with_ymd_and_hms(2024, 1, 15, 12, 0, 0)
                .single()
                .expect("utc")
        );
    }

    #[test]
    fn fixed_holidays_and_weekends() {
        let c = cal();
        assert_eq!(c.day_kind(d(2025, 1, 1)), DayKind::Holiday);
        assert_eq!(c.day_kind(d(2025, 12, 16)), DayKind::Holiday);
        assert_eq!(c.day_kind(d(2025, 12, 17)), DayKind::Working);
        assert_eq!(c.day_kind(d(2024, 10, 25)), DayKind::Holiday);
        assert_eq!(c.day_kind(d(2024, 11, 2)), DayKind::Weekend);
        assert_eq!(c.day_kind(d(2024, 11, 4)), DayKind::Working);
        // History: Republic Day only from 2022; 17 December and 1 December until 2021.
        assert!(c.is_working_day(d(2021, 10, 25)));
        assert!(!c.is_working_day(d(2021, 12, 17)));
        assert!(!c.is_working_day(d(2021, 12, 1)));
        assert!(c.is_working_day(d(2022, 12, 1)));
    }

    /// Labour Code: a national/state holiday on a weekend → next working day off.
    #[test]
    fn weekend_holidays_are_carried() {
        let c = cal();
        // 2024: Nauryz 23 Mar is a Saturday → Monday 25 Mar off.
        assert_eq!(c.day_kind(d(2024, 3, 23)), DayKind::Holiday);
        assert_eq!(c.day_kind(d(2024, 3, 25)), DayKind::CarriedDayOff);
        assert!(c.is_working_day(d(2024, 3, 26)));
        // 2024: Capital Day 6 Jul (Sat) → 8 Jul.
        assert_eq!(c.day_kind(d(2024, 7, 8)), DayKind::CarriedDayOff);
        // 2025: Republic Day 25 Oct (Sat) → 27 Oct.
        assert_eq!(c.day_kind(d(2025, 10, 27)), DayKind::CarriedDayOff);
        // 2026: Nauryz 21 (Sat), 22 (Sun), 23 (Mon) → 24 and 25 Mar off, 26 Mar working.
        assert_eq!(c.day_kind(d(2026, 3, 23)), DayKind::Holiday);
        assert_eq!(c.day_kind(d(2026, 3, 24)), DayKind::CarriedDayOff);
        assert_eq!(c.day_kind(d(2026, 3, 25)), DayKind::CarriedDayOff);
        assert!(c.is_working_day(d(2026, 3, 26)));
        // 2027: New Year 1 (Fri), 2 (Sat) → Monday 4 Jan off.
        assert_eq!(c.day_kind(d(2027, 1, 4)), DayKind::CarriedDayOff);
        assert!(c.is_working_day(d(2027, 1, 5)));
        // 2027: 1 May (Sat) → 3 May; 9 May (Sun) → 10 May.
        assert!(!c.is_working_day(d(2027, 5, 3)));
        assert!(!c.is_working_day(d(2027, 5, 10)));
        // 2028: New Year 1 (Sat), 2 (Sun) → 3 and 4 Jan off; 7 May (Sun) → 8 May;
        // Independence Day 16 Dec (Sat) → 18 Dec.
        assert_eq!(c.day_kind(d(2028, 1, 3)), DayKind::CarriedDayOff);
        assert_eq!(c.day_kind(d(2028, 1, 4)), DayKind::CarriedDayOff);
        assert!(c.is_working_day(d(2028, 1, 5)));
        assert_eq!(c.day_kind(d(2028, 5, 8)), DayKind::CarriedDayOff);
        assert_eq!(c.day_kind(d(2028, 12, 18)), DayKind::CarriedDayOff);
    }

    /// Religious holidays are days off but are never carried.
    #[test]
    fn religious_holidays_are_not_carried() {
        let c = cal();
        // Orthodox Christmas 7 Jan 2024 is a Sunday: Monday 8 Jan is a working day.
        assert_eq!(c.day_kind(d(2024, 1, 7)), DayKind::Holiday);
        assert!(c.is_working_day(d(2024, 1, 8)));
        // Kurban Ait 16 Jun 2024 is a Sunday: Monday 17 Jun is a working day.
        assert!(c.is_holiday(d(2024, 6, 16)));
        assert!(c.is_working_day(d(2024, 6, 17)));
        // Kurban Ait on a weekday is a day off.
        assert!(!c.is_working_day(d(2025, 6, 6)));
        assert!(!c.is_working_day(d(2026, 5, 27)));
        // 2027: Kurban Ait 16 May (Sun) is not carried; 17 May is a working day.
        assert!(c.is_working_day(d(2027, 5, 17)));
        // Christmas on a weekday (2027-01-07, Thursday) is a day off.
        assert!(!c.is_working_day(d(2027, 1, 7)));
    }

    #[test]
    fn decreed_transfers() {
        let c = cal();
        // 2024: rest moved from Saturday 4 May to Wednesday 8 May.
        assert_eq!(c.day_kind(d(2024, 5, 4)), DayKind::DecreedWorkingDay);
        assert_eq!(c.day_kind(d(2024, 5, 8)), DayKind::DecreedDayOff);
        // 2025: rest moved from Sunday 5 January to Friday 3 January.
        assert_eq!(c.day_kind(d(2025, 1, 3)), DayKind::DecreedDayOff);
        assert!(c.is_working_day(d(2025, 1, 5)));
        // 2026: January 5-6 are working days (no transfer).
        assert!(c.is_working_day(d(2026, 1, 5)));
        assert!(c.is_working_day(d(2026, 1, 6)));
        let special = c.special_days(2024);
        assert!(special
            .iter()
            .any(|s| s.date == d(2024, 5, 8) && !s.verified));
    }

    #[test]
    fn coverage() {
        let c = cal();
        assert_eq!(c.covered_years(), vec![2024, 2025, 2026, 2027, 2028]);
        assert!(c.covers(2026));
        // Kurban Ait of 2028 is an expected date, so the year is an assumption.
        assert_eq!(c.day_kind(d(2028, 5, 5)), DayKind::Holiday);
        assert!(!c.year_verified(2028));
        assert!(!c.covers(2030));
        assert!(c.year_note(2026).is_some());
        // Outside the covered years the recurring rules still apply (and far outside the
        // precomputed range too).
        assert!(!c.is_working_day(d(2030, 1, 1)));
        assert!(!c.is_working_day(d(2200, 12, 16)));
        assert_eq!(c.day_kind(d(1990, 3, 8)), DayKind::Holiday);
    }

    #[test]
    fn working_days_deadline_example() {
        let c = cal();
        let hours = WorkHours::DEFAULT;
        // Registered Friday 2024-03-15 10:00 Almaty. Day 1 = Mon 18, 2 = 19, 3 = 20;
        // 21-22 Nauryz, 23-24 weekend, 25 carried; 4 = Tue 26, 5 = Wed 27.
        let due = c.add_working_days(almaty(2024, 3, 15, 10, 0), 5, Almaty, hours);
        assert_eq!(due, almaty(2024, 3, 27, 18, 0));
        assert_eq!(
            due,
            Utc.with_ymd_and_hms(2024, 3, 27, 13, 0, 0)
                .single()
                .expect("utc")
        );
        // Registration after closing does not change day 1 (the next working day).
        let late = c.add_working_days(almaty(2024, 3, 15, 23, 30), 5, Almaty, hours);
        assert_eq!(late, due);
        // Registered on a Saturday: day 1 is Monday.
        let sat = c.add_working_days(almaty(2024, 3, 16, 12, 0), 1, Almaty, hours);
        assert_eq!(sat, almaty(2024, 3, 18, 18, 0));
        // Licence issue (G-22 placeholder: 15 working days), registered 2024-04-25:
        // 26, 29, 30 Apr, 2, 3, 4 (decreed working Saturday), 6, 10, 13, 14, 15, 16, 17,
        // 20, 21 May (1, 7, 9 May holidays; 8 May decreed day off).
        let rule = DeadlineRule {
            amount: 15,
            unit: DeadlineUnit::WorkingDays,
        };
        let due = rule.due(c, almaty(2024, 4, 25, 11, 0), Almaty, hours);
        assert_eq!(due, almaty(2024, 5, 21, 18, 0));
    }

    #[test]
    fn same_day_rule() {
        let c = cal();
        let rule = DeadlineRule {
            amount: 0,
            unit: DeadlineUnit::SameDay,
        };
        let h = WorkHours::DEFAULT;
        assert_eq!(
            rule.due(c, almaty(2024, 3, 20, 17, 59), Almaty, h),
            almaty(2024, 3, 20, 18, 0)
        );
        // At or after closing → next working day (21-25 March are days off).
        assert_eq!(
            rule.due(c, almaty(2024, 3, 20, 18, 0), Almaty, h),
            almaty(2024, 3, 26, 18, 0)
        );
        // Before opening counts as that day.
        assert_eq!(
            rule.due(c, almaty(2024, 3, 20, 7, 0), Almaty, h),
            almaty(2024, 3, 20, 18, 0)
        );
        // On a day off → next working day.
        assert_eq!(
            rule.due(c, almaty(2024, 3, 23, 10, 0), Almaty, h),
            almaty(2024, 3, 26, 18, 0)
        );
        // add_working_days(0) is the same rule.
        assert_eq!(
            c.add_working_days(almaty(2024, 3, 20, 12, 0), 0, Almaty, h),
            almaty(2024, 3, 20, 18, 0)
        );
    }

    #[test]
    fn calendar_days_rule() {
        let c = cal();
        let h = WorkHours::DEFAULT;
        // 2024-06-06 + 10 = Sunday 16 June (Kurban Ait) → Monday 17 June.
        let due = c.add_calendar_days(almaty(2024, 6, 6, 10, 0), 10, Almaty, h);
        assert_eq!(due, almaty(2024, 6, 17, 18, 0));
        // Landing on a working day keeps it.
        let due = c.add_calendar_days(almaty(2024, 6, 6, 10, 0), 5, Almaty, h);
        assert_eq!(due, almaty(2024, 6, 11, 18, 0));
    }

    #[test]
    fn working_hours_rule() {
        let c = cal();
        let h = WorkHours::new(t(9, 0), t(18, 0)).expect("valid hours");
        // Friday 2024-06-07 16:00 + 4 h = 2 h Friday + 2 h Monday → Monday 11:00.
        let due = c.add_working_hours(almaty(2024, 6, 7, 16, 0), 4, Almaty, h);
        assert_eq!(due, almaty(2024, 6, 10, 11, 0));
        // Ending exactly at closing.
        let due = c.add_working_hours(almaty(2024, 6, 10, 9, 0), 9, Almaty, h);
        assert_eq!(due, almaty(2024, 6, 10, 18, 0));
        // Starting before opening begins at opening.
        let due = c.add_working_hours(almaty(2024, 6, 10, 6, 0), 1, Almaty, h);
        assert_eq!(due, almaty(2024, 6, 10, 10, 0));
        // Over a holiday block: Wed 2024-03-20 17:00 + 2 h → Tue 26 Mar 10:00.
        let due = c.add_working_hours(almaty(2024, 3, 20, 17, 0), 2, Almaty, h);
        assert_eq!(due, almaty(2024, 3, 26, 10, 0));
        let rule = DeadlineRule {
            amount: 2,
            unit: DeadlineUnit::WorkingHours,
        };
        assert_eq!(rule.due(c, almaty(2024, 3, 20, 17, 0), Almaty, h), due);
    }

    #[test]
    fn work_hours_validation() {
        assert_eq!(
            WorkHours::new(t(18, 0), t(9, 0)).map_err(|e| e.code()),
            Err(ErrorCode::WorkHoursInvalid)
        );
        assert!(WorkHours::new(t(9, 0), t(9, 0)).is_err());
        // Invalid hours built through the public fields fall back to the default.
        let bad = WorkHours {
            open: t(18, 0),
            close: t(9, 0),
        };
        let c = cal();
        let due = c.add_working_hours(almaty(2024, 6, 10, 9, 0), 1, Almaty, bad);
        assert_eq!(due, almaty(2024, 6, 10, 10, 0));
    }

    #[test]
    fn deadline_rule_serde() {
        let r: DeadlineRule =
            toml::from_str("amount = 15\nunit = \"working_days\"").expect("valid rule");
        assert_eq!(
            r,
            DeadlineRule {
                amount: 15,
                unit: DeadlineUnit::WorkingDays
            }
        );
        for (s, u) in [
            ("calendar_days", DeadlineUnit::CalendarDays),
            ("working_hours", DeadlineUnit::WorkingHours),
            ("same_day", DeadlineUnit::SameDay),
        ] {
            let r: DeadlineRule =
                toml::from_str(&format!("amount = 1\nunit = \"{s}\"")).expect("valid rule");
            assert_eq!(r.unit, u);
        }
        assert!(toml::from_str::<DeadlineRule>("amount = 1\nunit = \"weeks\"").is_err());
        assert!(toml::from_str::<DeadlineRule>("amount = 1\nunit = \"same_day\"\nx = 1").is_err());
    }

    #[test]
    fn extensions() {
        let cur = almaty(2024, 6, 10, 18, 0);
        assert!(validate_extension(cur, cur + Duration::days(5)).is_ok());
        assert_eq!(
            validate_extension(cur, cur).map_err(|e| e.code()),
            Err(ErrorCode::ExtensionNotLater)
        );
        assert_eq!(
            validate_extension(cur, cur - Duration::hours(1)).map_err(|e| e.code()),
            Err(ErrorCode::ExtensionNotLater)
        );
        let ext = Extension {
            new_due: cur + Duration::days(5),
            reason: "  ".to_owned(),
        };
        assert_eq!(
            ext.validate(cur).map_err(|e| e.code()),
            Err(ErrorCode::ExtensionReasonRequired)
        );
        let ext = Extension {
            new_due: cur + Duration::days(5),
            reason: "запрос в ГБД ФЛ".to_owned(),
        };
        assert!(ext.validate(cur).is_ok());
    }

    #[test]
    fn bad_calendar_data_is_rejected() {
        let code = |s: &str| {
            WorkingCalendar::from_toml(s)
                .map(|_| ())
                .map_err(|e| e.code())
        };
        assert_eq!(code(""), Ok(()));
        assert_eq!(
            code("[[holiday]]\ndate = \"13-01\"\nname = \"x\"\nkind = \"state\""),
            Err(ErrorCode::CalendarData)
        );
        assert_eq!(
            code("[[holiday]]\ndate = \"1-1\"\nname = \"x\"\nkind = \"state\""),
            Err(ErrorCode::CalendarData)
        );
        assert_eq!(
            code("[[holiday]]\ndate = \"01-01\"\nname = \"x\"\nkind = \"other\""),
            Err(ErrorCode::CalendarData)
        );
        assert_eq!(code("unknown = 1"), Err(ErrorCode::CalendarData));
        assert_eq!(
            code("[[year]]\nyear = 2024\n[[year.moving]]\ndate = \"2025-06-06\"\nname = \"x\""),
            Err(ErrorCode::CalendarData)
        );
        // A decree making a Saturday a day off, or a weekday a working day, is a data error.
        assert_eq!(
            code("[[year]]\nyear = 2024\n[[year.transfer]]\nrest_on = \"2024-05-04\"\nsource = \"x\""),
            Err(ErrorCode::CalendarData)
        );
        assert_eq!(
            code("[[year]]\nyear = 2024\n[[year.transfer]]\nwork_on = \"2024-05-08\"\nsource = \"x\""),
            Err(ErrorCode::CalendarData)
        );
        assert_eq!(
            code("[[year]]\nyear = 2024\n[[year]]\nyear = 2024"),
            Err(ErrorCode::CalendarData)
        );
        // Each problem names its line and field.
        let issue = |s: &str| match WorkingCalendar::from_toml(s) {
            Err(CalendarError::Data(d)) => (d.line, d.field),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            issue("[[year]]\nyear = 2027\n\n[[year.transfer]]\nrest_on = \"2027-05-08\"\nsource = \"x\""),
            (Some(5), "year.transfer.rest_on".to_string())
        );
        assert_eq!(
            issue("[[holiday]]\ndate = \"13-01\"\nname = \"x\"\nkind = \"state\""),
            (Some(2), "holiday.date".to_string())
        );
        assert_eq!(
            issue("[[year]]\nyear = 2024\n[[year]]\nyear = 2024"),
            (Some(4), "year.year".to_string())
        );
        assert_eq!(
            issue("[[year]]\nyear = 2027\n[[year.moving]]\ndate = 2027-05-16\nname = \"x\"\nverifed = false"),
            (Some(6), "year.moving.verifed".to_string())
        );
        // An empty calendar: weekends only.
        let empty = WorkingCalendar::from_toml("").expect("empty calendar");
        assert!(empty.is_working_day(d(2025, 1, 1)));
        assert!(!empty.is_working_day(d(2025, 1, 4)));
    }

    fn arb_start() -> impl Strategy<Value = DateTime<Utc>> {
        // 2023-06-01 .. 2028-06-01, any second.
        let lo = Utc
            .with_ymd_and_hms(2023, 6, 1, 0, 0, 0)
            .single()
            .map_or(0, |x| x.timestamp());
        let hi = Utc
            .with_ymd_and_hms(2028, 6, 1, 0, 0, 0)
            .single()
            .map_or(1, |x| x.timestamp());
        (lo..hi).prop_map(|s| DateTime::<Utc>::from_timestamp(s, 0).unwrap_or_default())
    }

    fn arb_hours() -> impl Strategy<Value = WorkHours> {
        (6u32..12, 1u32..12).prop_map(|(open, len)| WorkHours {
            open: NaiveTime::from_hms_opt(open, 0, 0).unwrap_or(NaiveTime::MIN),
            close: NaiveTime::from_hms_opt((open + len).min(23), 30, 0).unwrap_or(NaiveTime::MIN),
        })
    }

    fn arb_tz() -> impl Strategy<Value = Tz> {
        prop_oneof![Just(Almaty), Just(Aqtau), Just(chrono_tz::UTC)]
    }

    proptest! {
        #[test]
        fn due_is_never_before_start(
            start in arb_start(), n in 0u32..40, tz in arb_tz(), hours in arb_hours(), unit in 0u8..4
        ) {
            let unit = match unit {
                0 => DeadlineUnit::CalendarDays,
                1 => DeadlineUnit::WorkingDays,
                2 => DeadlineUnit::WorkingHours,
                _ => DeadlineUnit::SameDay,
            };
            let due = DeadlineRule { amount: n, unit }.due(cal(), start, tz, hours);
            prop_assert!(due >= start);
        }

        #[test]
        fn working_days_properties(start in arb_start(), n in 1u32..40, tz in arb_tz(), hours in arb_hours()) {
            let c = cal();
            let due = c.add_working_days(start, n, tz, hours);
            let next = c.add_working_days(start, n + 1, tz, hours);
            let due_local = due.with_timezone(&tz);
            prop_assert!(due > start);
            prop_assert!(c.is_working_day(due_local.date_naive()));
            prop_assert_eq!(due_local.time(), hours.close);
            prop_assert!(next > due);
            let start_day = start.with_timezone(&tz).date_naive();
            prop_assert_eq!(c.working_days_between(start_day, due_local.date_naive()), n);
        }

        #[test]
        fn working_hours_properties(start in arb_start(), n in 1u32..60, tz in arb_tz(), hours in arb_hours()) {
            let c = cal();
            let due = c.add_working_hours(start, n, tz, hours);
            prop_assert!(due > start);
            prop_assert_eq!(c.working_time_between(start, due, tz, hours), Duration::hours(i64::from(n)));
            prop_assert!(c.add_working_hours(start, n + 1, tz, hours) > due);
        }

        #[test]
        fn same_day_is_a_working_day_close(start in arb_start(), tz in arb_tz(), hours in arb_hours()) {
            let c = cal();
            let due = c.same_day(start, tz, hours);
            let local = due.with_timezone(&tz);
            prop_assert!(due > start);
            prop_assert!(c.is_working_day(local.date_naive()));
            prop_assert!(c.working_days_between(start.with_timezone(&tz).date_naive(), local.date_naive()) <= 1);
        }
    }
}
