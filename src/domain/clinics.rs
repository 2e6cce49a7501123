//! The register of medical organisations (R-000-01, R-001-01, R-002-01): regions with their
//! rules, clinics with opening hours and service territory, doctors with their weekly
//! schedules and absences. Read from `catalog/clinics.toml`; a region's differences are data
//! (digest 3.12, G-06, G-08), not code.

use crate::domain::catalog::{Provider, Text};
use crate::domain::datafile::DataIssue;
use chrono::{NaiveDate, NaiveTime, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use utoipa::ToSchema;

/// What became of a visit (an appointment or a home call), as the registrar records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VisitOutcome {
    /// The patient came to the appointment.
    Attended,
    /// The patient did not come.
    NoShow,
    /// The doctor made the home visit.
    Done,
}

/// A span of local time within one day, `HH:MM-HH:MM`, start before end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Span {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl Span {
    pub fn parse(s: &str) -> Result<Span, String> {
        let (a, b) = s
            .split_once('-')
            .ok_or_else(|| format!("`{s}` is not HH:MM-HH:MM"))?;
        let t = |x: &str| {
            NaiveTime::parse_from_str(x.trim(), "%H:%M")
                .map_err(|_| format!("`{s}` is not HH:MM-HH:MM"))
        };
        let (start, end) = (t(a)?, t(b)?);
        if start >= end {
            return Err(format!("`{s}`: the start is not before the end"));
        }
        Ok(Span { start, end })
    }

    pub fn contains(&self, other: &Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    pub fn overlaps(&self, other: &Span) -> bool {
        self.start < other.end && other.start < self.end
    }
}

impl std::fmt::Display for Span {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}-{}",
            self.start.format("%H:%M"),
            self.end.format("%H:%M")
        )
    }
}

/// Something per weekday, keyed `mon` … `sun` in the file.
pub type Week<T> = BTreeMap<String, T>;

pub const WEEKDAYS: [(&str, Weekday); 7] = [
    ("mon", Weekday::Mon),
    ("tue", Weekday::Tue),
    ("wed", Weekday::Wed),
    ("thu", Weekday::Thu),
    ("fri", Weekday::Fri),
    ("sat", Weekday::Sat),
    ("sun", Weekday::Sun),
];

pub fn weekday_key(d: Weekday) -> &'static str {
    WEEKDAYS
        .iter()
        .find(|(_, w)| *w == d)
        .map_or("mon", |(k, _)| *k)
}

/// A region and the rules it sets for its clinics (digest 3.12).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Region {
    pub code: String,
    pub name: Text,
    /// IANA zone of the region's clinics (G-49).
    pub timezone: String,
    /// The clinic services offered in the region (001 Mangystau: attachment only).
    pub services: Vec<String>,
    /// An appointment or a home call needs the person attached to the clinic (R-000-07;
    /// G-06: every region by default).
    #[serde(default = "yes")]
    pub attachment_required: bool,
    /// Home calls are for today only and taken until this many minutes before the clinic
    /// closes (R-002-08, R-002-09; G-07, G-08: 120 in every region unless switched off);
    /// 0 switches the rule off.
    #[serde(default = "two_hours")]
    pub home_call_cutoff_minutes: Option<u32>,
    /// The clinic registrar may take requests by telephone (R-000-50, G-15: Akmola).
    #[serde(default)]
    pub telephone: bool,
    /// An attachment needs an address in the clinic's territory (G-14: configurable).
    #[serde(default)]
    pub territory_check: bool,
    #[serde(default)]
    pub requirements: Vec<String>,
}

fn yes() -> bool {
    true
}

fn two_hours() -> Option<u32> {
    Some(120)
}

/// A medical organisation providing primary health care.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Clinic {
    pub code: String,
    pub region: String,
    pub name: Text,
    pub address: Text,
    /// Opening hours per weekday (`mon` … `sun` → `HH:MM-HH:MM`); a day not listed is closed.
    #[schema(value_type = Object)]
    pub hours: Week<String>,
    /// The streets the clinic serves, each with its district (участок): an address naming
    /// the street is in the clinic's territory and that district (G-06, G-14).
    #[serde(default)]
    pub territory: Vec<Territory>,
}

/// A street of a clinic's territory and the district it belongs to.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Territory {
    pub street: String,
    pub district: String,
}

impl Clinic {
    /// The opening hours on `day` (validated at load).
    pub fn open_on(&self, day: Weekday) -> Option<Span> {
        self.hours
            .get(weekday_key(day))
            .and_then(|s| Span::parse(s).ok())
    }

    /// The district of `address` if it lies in the clinic's territory (the address names
    /// one of its streets, case-insensitively).
    pub fn district_of(&self, address: &str) -> Option<&str> {
        let a = address.to_lowercase();
        self.territory
            .iter()
            .find(|t| a.contains(&t.street.to_lowercase()))
            .map(|t| t.district.as_str())
    }
}

/// A period a doctor does not see patients (leave, training, sick leave), days inclusive.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Absence {
    pub from: NaiveDate,
    pub to: NaiveDate,
    #[serde(default)]
    pub reason: Option<String>,
}

/// A doctor and the weekly schedule of their appointments.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Doctor {
    pub code: String,
    pub clinic: String,
    pub full_name: String,
    /// A code of the register's `specialties`.
    pub specialty: String,
    /// The district (участок) the doctor serves; home calls from it go to them.
    #[serde(default)]
    pub district: Option<String>,
    pub slot_minutes: u32,
    /// The room where the doctor receives, printed on the ticket.
    #[serde(default)]
    pub cabinet: Option<String>,
    /// Working spans per weekday; the gaps between them are breaks.
    #[schema(value_type = Object)]
    pub week: Week<Vec<String>>,
    #[serde(default)]
    pub absences: Vec<Absence>,
}

impl Doctor {
    /// The working spans on `day` (validated at load), in order.
    pub fn spans_on(&self, day: Weekday) -> Vec<Span> {
        let mut v: Vec<Span> = self
            .week
            .get(weekday_key(day))
            .map(|spans| spans.iter().filter_map(|s| Span::parse(s).ok()).collect())
            .unwrap_or_default();
        v.sort();
        v
    }

    pub fn absent_on(&self, day: NaiveDate) -> bool {
        self.absences.iter().any(|a| a.from <= day && day <= a.to)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Specialty {
    pub code: String,
    pub name: Text,
}

/// The whole register.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClinicRegister {
    #[serde(default)]
    pub regions: Vec<Region>,
    #[serde(default)]
    pub specialties: Vec<Specialty>,
    #[serde(default)]
    pub clinics: Vec<Clinic>,
    #[serde(default)]
    pub doctors: Vec<Doctor>,
}

impl ClinicRegister {
    /// Parses and checks `catalog/clinics.toml`: unique codes, known references, valid zones
    /// and spans, a doctor's spans within the clinic's hours and not overlapping.
    pub fn from_toml(text: &str) -> Result<ClinicRegister, DataIssue> {
        let r: ClinicRegister = toml::from_str(text).map_err(|e| DataIssue::toml(text, &e))?;
        r.check()
            .map_err(|(field, message)| DataIssue::field(field, message))?;
        Ok(r)
    }

    fn check(&self) -> Result<(), (String, String)> {
        let bad = |field: String, message: String| Err((field, message));
        let mut codes = BTreeSet::new();
        for r in &self.regions {
            if !codes.insert(("region", r.code.as_str())) {
                return bad(format!("regions.{}", r.code), "listed twice".into());
            }
            if r.timezone.parse::<chrono_tz::Tz>().is_err() {
                return bad(
                    format!("regions.{}.timezone", r.code),
                    format!("`{}` is not an IANA zone", r.timezone),
                );
            }
        }
        for s in &self.specialties {
            if !codes.insert(("specialty", s.code.as_str())) {
                return bad(format!("specialties.{}", s.code), "listed twice".into());
            }
        }
        for c in &self.clinics {
            if !codes.insert(("clinic", c.code.as_str())) {
                return bad(format!("clinics.{}", c.code), "listed twice".into());
            }
            if self.region(&c.region).is_none() {
                return bad(
                    format!("clinics.{}.region", c.code),
                    format!("no region `{}`", c.region),
                );
            }
            for (day, span) in &c.hours {
                if !WEEKDAYS.iter().any(|(k, _)| k == day) {
                    return bad(
                        format!("clinics.{}.hours.{day}", c.code),
                        "not a weekday (mon … sun)".into(),
                    );
                }
                Span::parse(span).map_err(|e| (format!("clinics.{}.hours.{day}", c.code), e))?;
            }
        }
        for d in &self.doctors {
            let at = |f: &str| format!("doctors.{}.{f}", d.code);
            if !codes.insert(("doctor", d.code.as_str())) {
                return bad(at("code"), "listed twice".into());
            }
            let Some(clinic) = self.clinic(&d.clinic) else {
                return bad(at("clinic"), format!("no clinic `{}`", d.clinic));
            };
            if self.specialty(&d.specialty).is_none() {
                return bad(at("specialty"), format!("no specialty `{}`", d.specialty));
            }
            if !(5..=240).contains(&d.slot_minutes) {
                return bad(at("slot_minutes"), "5 to 240 minutes".into());
            }
            for a in &d.absences {
                if a.to < a.from {
                    return bad(at("absences"), format!("{} is before {}", a.to, a.from));
                }
            }
            for (day, spans) in &d.week {
                let Some((_, weekday)) = WEEKDAYS.iter().find(|(k, _)| k == day) else {
                    return bad(
                        at(&format!("week.{day}")),
                        "not a weekday (mon … sun)".into(),
                    );
                };
                let mut parsed = Vec::new();
                for s in spans {
                    parsed.push(Span::parse(s).map_err(|e| (at(&format!("week.{day}")), e))?);
                }
                parsed.sort();
                if parsed.windows(2).any(|w| w[0].overlaps(&w[1])) {
                    return bad(at(&format!("week.{day}")), "spans overlap".into());
                }
                let open = clinic.open_on(*weekday);
                if parsed.iter().any(|s| !open.is_some_and(|o| o.contains(s))) {
                    return bad(
                        at(&format!("week.{day}")),
                        format!(
                            "outside the clinic's hours ({})",
                            clinic.hours.get(day).map_or("closed", |h| h.as_str())
                        ),
                    );
                }
            }
        }
        Ok(())
    }

    pub fn region(&self, code: &str) -> Option<&Region> {
        self.regions.iter().find(|r| r.code == code)
    }
    pub fn clinic(&self, code: &str) -> Option<&Clinic> {
        self.clinics.iter().find(|c| c.code == code)
    }
    pub fn doctor(&self, code: &str) -> Option<&Doctor> {
        self.doctors.iter().find(|d| d.code == code)
    }
    pub fn specialty(&self, code: &str) -> Option<&Specialty> {
        self.specialties.iter().find(|s| s.code == code)
    }
    pub fn doctors_of<'a>(&'a self, clinic: &'a str) -> impl Iterator<Item = &'a Doctor> + 'a {
        self.doctors.iter().filter(move |d| d.clinic == clinic)
    }
    /// The region's rules for a clinic (every clinic has a region: checked at load).
    pub fn region_of(&self, clinic: &Clinic) -> Option<&Region> {
        self.region(&clinic.region)
    }
    /// The doctor of `clinic` serving the district of `address` (its territory), if any:
    /// a home call goes to them (G-13).
    pub fn district_doctor(&self, clinic: &Clinic, address: &str) -> Option<&Doctor> {
        let district = clinic.district_of(address)?;
        self.doctors
            .iter()
            .find(|d| d.clinic == clinic.code && d.district.as_deref() == Some(district))
    }

    /// The clinics offering `service` (through their region).
    pub fn clinics_for<'a>(&'a self, service: &'a str) -> impl Iterator<Item = &'a Clinic> + 'a {
        self.clinics.iter().filter(move |c| {
            self.region(&c.region)
                .is_some_and(|r| r.services.iter().any(|s| s == service))
        })
    }

    /// The clinic as a provider of a service: its name, zone, address; the hours are its
    /// longest day's, for the deadline arithmetic of the catalog (clinic services are
    /// same-day); clinics sign with their information system's seal.
    pub fn as_provider(&self, clinic: &Clinic) -> Provider {
        let spans: Vec<Span> = WEEKDAYS
            .iter()
            .filter_map(|(_, d)| clinic.open_on(*d))
            .collect();
        let opens = spans.iter().map(|s| s.start).min();
        let closes = spans.iter().map(|s| s.end).max();
        let hhmm = |t: Option<NaiveTime>, default: &str| {
            t.map_or(default.to_string(), |t| t.format("%H:%M").to_string())
        };
        Provider {
            code: clinic.code.clone(),
            name: clinic.name.clone(),
            timezone: self
                .region_of(clinic)
                .map_or("Asia/Almaty".to_string(), |r| r.timezone.clone()),
            opens: hhmm(opens, "08:00"),
            closes: hhmm(closes, "20:00"),
            address: Some(clinic.address.clone()),
            seal: true,
        }
    }
}

/// Why a home call to `clinic` is not taken at `now`, if it is not (R-002-08, R-002-09;
/// G-07, G-08): the clinic is closed today, or the cut-off before closing has passed. The
/// portal takes requests round the clock (R-002-06), so before opening is today too. A region
/// whose `home_call_cutoff_minutes` is 0 takes them at any time.
pub fn home_call_refusal(
    clinic: &Clinic,
    region: &Region,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<String> {
    use chrono::Datelike;
    let minutes = region.home_call_cutoff_minutes.filter(|m| *m > 0)?;
    let tz: chrono_tz::Tz = region.timezone.parse().unwrap_or(chrono_tz::Asia::Almaty);
    let local = now.with_timezone(&tz);
    let Some(open) = clinic.open_on(local.weekday()) else {
        return Some(format!("{} is closed today: no home calls", clinic.code));
    };
    let cutoff = home_call_cutoff(open, minutes);
    (local.time() >= cutoff).then(|| {
        format!(
            "home calls are taken until {} today ({minutes} min before closing at {})",
            cutoff.format("%H:%M"),
            open.end.format("%H:%M")
        )
    })
}

/// The time of day after which a home call is no longer taken: `minutes` before closing,
/// or the opening time for a day shorter than that.
pub fn home_call_cutoff(open: Span, minutes: u32) -> NaiveTime {
    let before = chrono::Duration::minutes(i64::from(minutes));
    if open.end - open.start > before {
        open.end - before
    } else {
        open.start
    }
}

/// The first moment from `now` at which a home call to `clinic` is taken: `now` itself, or
/// a minute after the next opening. Runs that must create home calls whatever the time of
/// day (the demo, tests) start their clock there.
pub fn next_home_call_moment(
    clinic: &Clinic,
    region: &Region,
    now: chrono::DateTime<chrono::Utc>,
) -> chrono::DateTime<chrono::Utc> {
    use chrono::TimeZone;
    if home_call_refusal(clinic, region, now).is_none() {
        return now;
    }
    let tz: chrono_tz::Tz = region.timezone.parse().unwrap_or(chrono_tz::Asia::Almaty);
    let today = now.with_timezone(&tz).date_naive();
    for day in today.iter_days().skip(1).take(14) {
        use chrono::Datelike;
        if let Some(open) = clinic.open_on(day.weekday()) {
            let at = day.and_time(open.start) + chrono::Duration::minutes(1);
            if let Some(t) = tz.from_local_datetime(&at).earliest() {
                return t.with_timezone(&chrono::Utc);
            }
        }
    }
    now
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn home_calls_until_the_cut_off_on_open_days() {
        // R-002-08 / R-002-09: today only, until 2 hours before closing (08:00-20:00 → 18:00).
        use chrono::TimeZone;
        let r = ClinicRegister::from_toml(include_str!("../../catalog/clinics.toml"))
            .unwrap_or_else(|e| panic!("{e}"));
        let clinic = r.clinic("astana-polyclinic-4").expect("clinic");
        let region = r.region_of(clinic).expect("region");
        let at = |y, m, d, h, min| {
            chrono_tz::Asia::Almaty
                .with_ymd_and_hms(y, m, d, h, min, 0)
                .single()
                .map(|t| t.with_timezone(&chrono::Utc))
                .unwrap_or_default()
        };
        // Monday 7 December 2026.
        assert_eq!(
            home_call_refusal(clinic, region, at(2026, 12, 7, 6, 30)),
            None
        );
        assert_eq!(
            home_call_refusal(clinic, region, at(2026, 12, 7, 17, 59)),
            None
        );
        let late = home_call_refusal(clinic, region, at(2026, 12, 7, 18, 0)).unwrap_or_default();
        assert!(late.contains("18:00"), "{late}");
        // Saturday 09:00-14:00 → 12:00; Sunday closed.
        assert!(home_call_refusal(clinic, region, at(2026, 12, 12, 12, 0)).is_some());
        assert_eq!(
            home_call_refusal(clinic, region, at(2026, 12, 12, 11, 59)),
            None
        );
        assert!(home_call_refusal(clinic, region, at(2026, 12, 13, 10, 0)).is_some());
        // The next moment: Sunday → Monday 08:01.
        assert_eq!(
            next_home_call_moment(clinic, region, at(2026, 12, 13, 10, 0)),
            at(2026, 12, 14, 8, 1)
        );
        assert_eq!(
            next_home_call_moment(clinic, region, at(2026, 12, 7, 10, 0)),
            at(2026, 12, 7, 10, 0)
        );
        // A region that switches the rule off takes them at any time.
        let off = Region {
            home_call_cutoff_minutes: Some(0),
            ..region.clone()
        };
        assert_eq!(
            home_call_refusal(clinic, &off, at(2026, 12, 13, 23, 0)),
            None
        );
    }

    #[test]
    fn spans_parse_and_compare() {
        let s = Span::parse("08:00-12:30").expect("span");
        assert_eq!(s.to_string(), "08:00-12:30");
        assert!(Span::parse("12:00-08:00").is_err());
        assert!(Span::parse("8am-noon").is_err());
        assert!(s.contains(&Span::parse("09:00-12:30").expect("span")));
        assert!(!s.overlaps(&Span::parse("12:30-13:00").expect("span")));
        assert!(s.overlaps(&Span::parse("12:00-13:00").expect("span")));
    }

    #[test]
    fn the_embedded_register_loads() {
        let r = ClinicRegister::from_toml(include_str!("../../catalog/clinics.toml"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(r.regions.len() >= 3 && r.clinics.len() >= 4 && r.doctors.len() >= 10);
        for c in &r.clinics {
            assert!(r.region_of(c).is_some());
        }
    }

    #[test]
    fn broken_registers_name_the_field() {
        let good = include_str!("../../catalog/clinics.toml");
        for (from, to, field) in [
            (
                "timezone = \"Asia/Almaty\"",
                "timezone = \"Mars/Olympus\"",
                "timezone",
            ),
            ("slot_minutes = 20", "slot_minutes = 2", "slot_minutes"),
            (
                "mon = \"08:00-20:00\"",
                "mon = \"20:00-08:00\"",
                "hours.mon",
            ),
        ] {
            let text = good.replacen(from, to, 1);
            assert_ne!(text, good, "{from}");
            let e = ClinicRegister::from_toml(&text).expect_err(from);
            assert!(e.to_string().contains(field), "{from}: {e}");
        }
    }
}
