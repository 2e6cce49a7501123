//! Yearly data: the МРП of each year (fees) and each year's working calendar (moving
//! holidays, decreed transfers) are published once a year. Which of them are missing, or
//! only assumed, for the current and the next year. Pure: the caller passes today's date.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::calendar::WorkingCalendar;
use super::money::FeeTable;

/// A kind of yearly data.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum YearlyKind {
    /// The МРП of the year (`[mrp.YYYY]` in `fees.toml`).
    Mrp,
    /// The year's moving holidays and transfers (`[[year]]` in `calendar/kz.toml`).
    Calendar,
}

impl YearlyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            YearlyKind::Mrp => "mrp",
            YearlyKind::Calendar => "calendar",
        }
    }
}

/// Whether the data of a year is there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    /// Present and not marked `verified = false`.
    Present,
    /// Present but (in part) marked `verified = false`: an assumption to confirm.
    Assumed,
    Missing,
}

/// The state of one kind of data for one year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct YearlyData {
    pub kind: YearlyKind,
    pub year: i32,
    pub presence: Presence,
}

impl YearlyData {
    pub fn is_missing(&self) -> bool {
        self.presence == Presence::Missing
    }
}

/// The МРП and the calendar of the year of `today` and of the next year, in that order.
pub fn yearly_data(
    fees: &FeeTable,
    calendar: &WorkingCalendar,
    today: NaiveDate,
) -> Vec<YearlyData> {
    let this = today.year();
    let mut out = Vec::with_capacity(4);
    for kind in [YearlyKind::Mrp, YearlyKind::Calendar] {
        for year in [this, this + 1] {
            let presence = match kind {
                YearlyKind::Mrp => match fees.mrp_value(year) {
                    None => Presence::Missing,
                    Some(m) if !m.verified => Presence::Assumed,
                    Some(_) => Presence::Present,
                },
                YearlyKind::Calendar if !calendar.covers(year) => Presence::Missing,
                YearlyKind::Calendar if !calendar.year_verified(year) => Presence::Assumed,
                YearlyKind::Calendar => Presence::Present,
            };
            out.push(YearlyData {
                kind,
                year,
                presence,
            });
        }
    }
    out
}

/// The (kind, year) pairs of the current and next year whose data is missing.
pub fn missing_yearly_data(
    fees: &FeeTable,
    calendar: &WorkingCalendar,
    today: NaiveDate,
) -> Vec<(YearlyKind, i32)> {
    yearly_data(fees, calendar, today)
        .into_iter()
        .filter(YearlyData::is_missing)
        .map(|d| (d.kind, d.year))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    #[test]
    fn current_and_next_year_are_checked() {
        let fees = FeeTable::from_toml(
            "[mrp.2026]\ntenge = \"4325\"\n[mrp.2027]\ntenge = \"4325\"\nverified = false\n",
        )
        .expect("fees");
        let cal = WorkingCalendar::from_toml(
            "[[year]]\nyear = 2026\n[[year]]\nyear = 2027\n[[year.moving]]\ndate = 2027-05-16\nname = \"Kurban Ait\"\nverified = false\n",
        )
        .expect("calendar");
        assert_eq!(missing_yearly_data(&fees, &cal, day(2026, 12, 1)), vec![]);
        let all = yearly_data(&fees, &cal, day(2026, 12, 1));
        let presence: Vec<_> = all
            .iter()
            .map(|d| (d.kind.as_str(), d.year, d.presence))
            .collect();
        assert_eq!(
            presence,
            vec![
                ("mrp", 2026, Presence::Present),
                ("mrp", 2027, Presence::Assumed),
                ("calendar", 2026, Presence::Present),
                ("calendar", 2027, Presence::Assumed),
            ]
        );
        assert_eq!(
            missing_yearly_data(&fees, &cal, day(2027, 1, 1)),
            vec![(YearlyKind::Mrp, 2028), (YearlyKind::Calendar, 2028)]
        );
        assert_eq!(
            missing_yearly_data(&fees, &cal, day(2029, 6, 1)),
            vec![
                (YearlyKind::Mrp, 2029),
                (YearlyKind::Mrp, 2030),
                (YearlyKind::Calendar, 2029),
                (YearlyKind::Calendar, 2030)
            ]
        );
    }
}
