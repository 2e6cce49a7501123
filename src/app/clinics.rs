//! Clinics, doctors and free appointment slots, as applicants and registrars see them
//! (R-000-01, R-002-12, G-06). The register is catalog data ([`crate::domain::clinics`]);
//! the slots are computed by [`crate::domain::slots`] minus the bookings in the database.

use crate::app::App;
use crate::db::queries;
use crate::domain::catalog::Text;
use crate::domain::clinics::{Clinic, Doctor};
use crate::domain::slots::{self, Slot};
use crate::error::{AppError, ErrorCode};
use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ClinicView {
    pub code: String,
    pub region: String,
    pub region_name: Text,
    pub name: Text,
    pub address: Text,
    /// Opening hours per weekday (`mon` … `sun`), local time; a day not listed is closed.
    pub hours: BTreeMap<String, String>,
    /// The clinic services offered here (by the region).
    pub services: Vec<String>,
    /// The region's time zone: times are shown in it.
    pub timezone: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DoctorView {
    pub code: String,
    pub full_name: String,
    pub specialty: String,
    pub specialty_name: Text,
    /// The district (участок) the doctor serves.
    pub district: Option<String>,
    pub slot_minutes: u32,
    /// The room where the doctor receives.
    pub cabinet: Option<String>,
}

/// A free slot, in the clinic's local time (RFC 3339 with its offset).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SlotView {
    pub doctor: String,
    #[schema(value_type = String, format = DateTime)]
    pub start: DateTime<FixedOffset>,
    #[schema(value_type = String, format = DateTime)]
    pub end: DateTime<FixedOffset>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SlotsPage {
    pub slots: Vec<SlotView>,
}

/// The register's clinic `code`, or `CLINIC_NOT_FOUND`.
pub(crate) fn clinic<'a>(app: &'a App, code: &str) -> Result<&'a Clinic, AppError> {
    app.clinics
        .clinic(code)
        .ok_or_else(|| AppError::with(ErrorCode::ClinicNotFound, code.to_string()))
}

/// A doctor of `clinic`, or `DOCTOR_NOT_FOUND`.
pub(crate) fn doctor<'a>(
    app: &'a App,
    clinic: &Clinic,
    code: &str,
) -> Result<&'a Doctor, AppError> {
    app.clinics
        .doctor(code)
        .filter(|d| d.clinic == clinic.code)
        .ok_or_else(|| AppError::with(ErrorCode::DoctorNotFound, code.to_string()))
}

/// The clinic's time zone (its region's; checked at load).
pub(crate) fn zone(app: &App, clinic: &Clinic) -> Tz {
    app.clinics
        .region_of(clinic)
        .and_then(|r| r.timezone.parse().ok())
        .unwrap_or(chrono_tz::Asia::Almaty)
}

fn view(app: &App, c: &Clinic) -> ClinicView {
    let region = app.clinics.region_of(c);
    ClinicView {
        code: c.code.clone(),
        region: c.region.clone(),
        region_name: region
            .map(|r| r.name.clone())
            .unwrap_or_else(|| c.name.clone()),
        name: c.name.clone(),
        address: c.address.clone(),
        hours: c.hours.clone(),
        services: region.map(|r| r.services.clone()).unwrap_or_default(),
        timezone: region.map_or_else(|| "Asia/Almaty".into(), |r| r.timezone.clone()),
    }
}

/// Every clinic, or those of one region.
pub fn clinics(app: &App, region: Option<&str>) -> Vec<ClinicView> {
    app.clinics
        .clinics
        .iter()
        .filter(|c| region.is_none_or(|r| c.region == r))
        .map(|c| view(app, c))
        .collect()
}

fn doctor_view(app: &App, c: &Clinic, d: &Doctor) -> DoctorView {
    DoctorView {
        code: d.code.clone(),
        full_name: d.full_name.clone(),
        specialty: d.specialty.clone(),
        specialty_name: app
            .clinics
            .specialty(&d.specialty)
            .map(|s| s.name.clone())
            .unwrap_or_else(|| c.name.clone()),
        district: d.district.clone(),
        slot_minutes: d.slot_minutes,
        cabinet: d.cabinet.clone(),
    }
}

/// The doctors of a clinic.
pub fn doctors(app: &App, clinic_code: &str) -> Result<Vec<DoctorView>, AppError> {
    let c = clinic(app, clinic_code)?;
    Ok(app
        .clinics
        .doctors_of(&c.code)
        .map(|d| doctor_view(app, c, d))
        .collect())
}

/// A clinic an applicant may name for a clinic service, with what the register says.
#[derive(Debug, Clone, Serialize)]
pub struct ClinicChoice {
    #[serde(flatten)]
    pub clinic: ClinicView,
    /// The person is attached to this clinic now.
    pub attached: bool,
    /// Why the service would be refused here now, if it would: `NOT_ATTACHED`,
    /// `ALREADY_ATTACHED` or `HOME_CALL_CUTOFF`.
    pub refusal: Option<ErrorCode>,
    /// The streets of the clinic's territory, where its region accepts an attachment only
    /// from an address in it (G-14); empty otherwise.
    pub territory: Vec<String>,
}

/// The clinics where `user` may ask for `service`, each with the refusal the request would
/// meet there now (the creation checks: [`crate::app::phc::attachment_refusal`],
/// [`crate::app::home_call::check`]). A service that needs an attachment lists the clinics
/// of the region the person is attached in; otherwise every clinic offering the service,
/// those of the person's region first.
pub fn choices(
    app: &App,
    user: &crate::app::auth::CurrentUser,
    service: &crate::domain::catalog::Service,
) -> Result<Vec<ClinicChoice>, AppError> {
    let active = match &user.iin {
        Some(iin) => crate::app::phc::active(app, iin)?,
        None => None,
    };
    let home_region = active
        .as_ref()
        .and_then(|a| app.clinics.clinic(&a.clinic_code))
        .map(|c| c.region.clone());
    let offering: Vec<&Clinic> = app.clinics.clinics_for(&service.code).collect();
    let own_region_only = service.phc == Some(crate::domain::catalog::PhcRule::RequiresAttachment)
        && offering
            .iter()
            .any(|c| Some(&c.region) == home_region.as_ref());
    let now = app.now();
    let mut out: Vec<ClinicChoice> = offering
        .into_iter()
        .filter(|c| !own_region_only || Some(&c.region) == home_region.as_ref())
        .map(|c| {
            let refusal =
                crate::app::phc::attachment_refusal(app, service, &c.code, active.as_ref())
                    .or_else(|| crate::app::home_call::check(app, service, &c.code, now).err())
                    .map(|e| e.code);
            let checked = app.clinics.region_of(c).is_some_and(|r| r.territory_check);
            ClinicChoice {
                clinic: view(app, c),
                attached: active.as_ref().is_some_and(|a| a.clinic_code == c.code),
                refusal,
                territory: if checked {
                    c.territory.iter().map(|t| t.street.clone()).collect()
                } else {
                    Vec::new()
                },
            }
        })
        .collect();
    out.sort_by_key(|c| Some(&c.clinic.region) != home_region.as_ref());
    Ok(out)
}

/// A booked appointment as its request shows it: the clinic, the doctor and the time in
/// the clinic's zone.
#[derive(Debug, Clone, Serialize)]
pub struct AppointmentView {
    pub clinic: ClinicView,
    pub doctor: DoctorView,
    pub start: DateTime<FixedOffset>,
    pub end: DateTime<FixedOffset>,
}

/// The appointment a booking form names (`None` for a service that books nothing, or a form
/// that no longer matches the register).
pub fn appointment(
    app: &App,
    service: &crate::domain::catalog::Service,
    form: &serde_json::Value,
) -> Option<AppointmentView> {
    let spec = service.booking.as_ref()?;
    let form = form.as_object()?;
    let w = crate::app::booking::wanted(app, service, spec, form).ok()??;
    let tz = zone(app, w.clinic);
    let start = w.start.with_timezone(&tz);
    let end = start + Duration::minutes(i64::from(w.doctor.slot_minutes));
    Some(AppointmentView {
        clinic: view(app, w.clinic),
        doctor: doctor_view(app, w.clinic, w.doctor),
        start: start.fixed_offset(),
        end: end.fixed_offset(),
    })
}

/// What to search: one doctor or all of the clinic's, from a local date, for some days.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SlotQuery {
    pub doctor: Option<String>,
    /// `YYYY-MM-DD`, the clinic's date; default today.
    pub from: Option<String>,
    /// 1 ..= 31; default 7.
    pub days: Option<u32>,
}

/// Active bookings of `doctors` as slots, around the local days searched (a day either side
/// covers every zone offset).
pub(crate) fn booked(
    app: &App,
    doctors: &[String],
    from: NaiveDate,
    days: u32,
) -> Result<Vec<(String, Slot)>, AppError> {
    let start = (from - Duration::days(1))
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default();
    let end = start + Duration::days(i64::from(days) + 2);
    Ok(app
        .store
        .read(|c| queries::active_booking_times(c, doctors, start, end))?
        .into_iter()
        .map(|(doctor, start, end)| {
            (
                doctor,
                Slot {
                    start: start.and_utc(),
                    end: end.and_utc(),
                },
            )
        })
        .collect())
}

/// Free slots of a clinic's doctors (R-002-12): schedules minus bookings, breaks, closed
/// hours, absences and the past.
pub fn free_slots(app: &App, clinic_code: &str, q: &SlotQuery) -> Result<SlotsPage, AppError> {
    let c = clinic(app, clinic_code)?;
    let tz = zone(app, c);
    let now = app.now();
    let from = match q.from.as_deref() {
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
            AppError::with(ErrorCode::BadRequest, format!("from `{s}`: YYYY-MM-DD"))
        })?,
        None => now.with_timezone(&tz).date_naive(),
    };
    let days = q.days.unwrap_or(7);
    if !(1..=slots::MAX_DAYS).contains(&days) {
        return Err(AppError::with(
            ErrorCode::BadRequest,
            format!("days must be 1..={}", slots::MAX_DAYS),
        ));
    }
    let doctors: Vec<&Doctor> = match q.doctor.as_deref() {
        Some(code) => vec![doctor(app, c, code)?],
        None => app.clinics.doctors_of(&c.code).collect(),
    };
    let codes: Vec<String> = doctors.iter().map(|d| d.code.clone()).collect();
    let mut by_doctor: BTreeMap<String, Vec<Slot>> = BTreeMap::new();
    for (code, s) in booked(app, &codes, from, days)? {
        by_doctor.entry(code).or_default().push(s);
    }
    let mut out = Vec::new();
    for d in doctors {
        let mine = by_doctor.get(&d.code).map_or(&[][..], Vec::as_slice);
        let holiday = |day: NaiveDate| app.calendar.is_holiday(day);
        for s in slots::free_slots(c, d, tz, from, days, now, mine, &holiday) {
            out.push(SlotView {
                doctor: d.code.clone(),
                start: s.start.with_timezone(&tz).fixed_offset(),
                end: s.end.with_timezone(&tz).fixed_offset(),
            });
        }
    }
    out.sort_by(|a, b| a.start.cmp(&b.start).then_with(|| a.doctor.cmp(&b.doctor)));
    Ok(SlotsPage { slots: out })
}

/// One local day of a doctor's calendar: its free slots, in order.
#[derive(Debug, Clone, Serialize)]
pub struct CalendarDay {
    pub date: NaiveDate,
    pub slots: Vec<SlotView>,
}

/// A doctor's free slots for `days` consecutive local days of the clinic, every day listed
/// (a day with no free slot has none).
#[derive(Debug, Clone, Serialize)]
pub struct Calendar {
    /// Today in the clinic's zone: the calendar never starts before it.
    pub today: NaiveDate,
    pub from: NaiveDate,
    pub days: Vec<CalendarDay>,
}

/// The free slots of `doctor` at `clinic_code` from `from` (today when absent or past), by
/// day: the same slots as [`free_slots`].
pub fn calendar(
    app: &App,
    clinic_code: &str,
    doctor_code: &str,
    from: Option<NaiveDate>,
    days: u32,
) -> Result<Calendar, AppError> {
    let c = clinic(app, clinic_code)?;
    let today = app.now().with_timezone(&zone(app, c)).date_naive();
    let from = from.filter(|d| *d > today).unwrap_or(today);
    let page = free_slots(
        app,
        clinic_code,
        &SlotQuery {
            doctor: Some(doctor_code.to_string()),
            from: Some(from.format("%Y-%m-%d").to_string()),
            days: Some(days),
        },
    )?;
    let mut out: Vec<CalendarDay> = from
        .iter_days()
        .take(days as usize)
        .map(|date| CalendarDay {
            date,
            slots: Vec::new(),
        })
        .collect();
    for s in page.slots {
        if let Some(d) = out.iter_mut().find(|d| d.date == s.start.date_naive()) {
            d.slots.push(s);
        }
    }
    Ok(Calendar {
        today,
        from,
        days: out,
    })
}

/// A telephone request only where the clinic's region takes them (R-000-50, G-15).
pub(crate) fn check_channel(
    app: &App,
    provider: &str,
    channel: crate::domain::channels::ChannelCode,
) -> Result<(), AppError> {
    if channel != crate::domain::channels::ChannelCode::Phone {
        return Ok(());
    }
    let region = app
        .clinics
        .clinic(provider)
        .and_then(|c| app.clinics.region_of(c));
    match region {
        Some(r) if r.telephone => Ok(()),
        Some(r) => Err(AppError::with(
            ErrorCode::ChannelNotInRegion,
            r.code.clone(),
        )),
        None => Err(AppError::with(
            ErrorCode::ChannelNotInRegion,
            provider.to_string(),
        )),
    }
}

/// `start` as a UTC instant (any offset accepted).
pub(crate) fn parse_start(s: &str) -> Result<DateTime<Utc>, AppError> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            AppError::with(
                ErrorCode::SlotNotAvailable,
                format!("`{s}` is not an RFC 3339 time"),
            )
        })
}
