//! A clinic registrar's day: the appointments booked with the clinic's doctors and the home
//! calls taken for it, in the clinic's local time, with each visit's outcome (attended, no
//! show, done) as recorded by `record_visit` (R-000-51, R-002-55; G-16). Provider-scoped:
//! a registrar sees their own clinic, an administrator any.

use crate::app::auth::CurrentUser;
use crate::app::clinics::{self, zone};
use crate::app::App;
use crate::db::models::RequestRow;
use crate::db::queries;
use crate::domain::lifecycle::State;
use crate::domain::roles::Role;
use crate::error::{AppError, ErrorCode};
use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One appointment of the day.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DayAppointment {
    pub number: String,
    pub doctor: String,
    pub doctor_name: String,
    #[schema(value_type = String, format = DateTime)]
    pub start: DateTime<FixedOffset>,
    #[schema(value_type = String, format = DateTime)]
    pub end: DateTime<FixedOffset>,
    pub patient_name: String,
    pub state: State,
    /// `attended`, `no_show` or `done` once recorded.
    pub visit: Option<String>,
}

/// One home call of the day.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DayHomeCall {
    pub number: String,
    pub patient_name: String,
    pub visit_address: String,
    /// The district doctor of the address, if the territory names it.
    pub doctor_name: Option<String>,
    pub state: State,
    pub visit: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ClinicDay {
    pub clinic: String,
    pub date: NaiveDate,
    pub appointments: Vec<DayAppointment>,
    pub home_calls: Vec<DayHomeCall>,
}

/// The latest visit outcome recorded on a request.
fn visit_of(c: &mut crate::db::DbConnection, r: &RequestRow) -> Result<Option<String>, AppError> {
    Ok(queries::history_of(c, &r.id)?
        .iter()
        .rev()
        .find(|h| h.action == "record_visit")
        .and_then(|h| h.data_json.as_deref())
        .and_then(|d| serde_json::from_str::<serde_json::Value>(d).ok())
        .and_then(|v| v["visit"].as_str().map(str::to_string)))
}

/// The day at `clinic` (a registrar's own when not given) on `date` (today when not given).
pub fn day(
    app: &App,
    user: &CurrentUser,
    clinic: Option<&str>,
    date: Option<NaiveDate>,
) -> Result<ClinicDay, AppError> {
    let code = match (user.role, clinic, user.provider.as_deref()) {
        (Role::Admin, Some(c), _) => c.to_string(),
        (Role::ClinicRegistrar, Some(c), Some(mine)) if c == mine => c.to_string(),
        (Role::ClinicRegistrar, None, Some(mine)) => mine.to_string(),
        (Role::ClinicRegistrar, Some(_), _) => {
            return Err(AppError::with(
                ErrorCode::Forbidden,
                "a registrar sees their own clinic's day",
            ))
        }
        _ => {
            return Err(AppError::with(
                ErrorCode::Forbidden,
                "clinic registrars and administrators",
            ))
        }
    };
    let c = clinics::clinic(app, &code)?;
    let tz = zone(app, c);
    let date = date.unwrap_or_else(|| app.now().with_timezone(&tz).date_naive());
    let bound = |d: NaiveDate| {
        tz.from_local_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default())
            .earliest()
            .map(|t| t.with_timezone(&Utc).naive_utc())
            .ok_or_else(|| AppError::internal("no local midnight"))
    };
    let (from, to) = (bound(date)?, bound(date.succ_opt().unwrap_or(date))?);
    let same_day: Vec<String> = app
        .catalog
        .services()
        .filter(|s| s.same_day_cutoff)
        .map(|s| s.code.clone())
        .collect();
    app.store.read(|conn| {
        let mut appointments = Vec::new();
        for (b, r) in queries::clinic_bookings(conn, &c.code, from, to)? {
            let visit = visit_of(conn, &r)?;
            appointments.push(DayAppointment {
                number: r.number.clone(),
                doctor_name: app
                    .clinics
                    .doctor(&b.doctor_code)
                    .map(|d| d.full_name.clone())
                    .unwrap_or_default(),
                doctor: b.doctor_code,
                start: b.start_at.and_utc().with_timezone(&tz).fixed_offset(),
                end: b.end_at.and_utc().with_timezone(&tz).fixed_offset(),
                patient_name: r.applicant_name.clone(),
                state: r.state,
                visit,
            });
        }
        let mut home_calls = Vec::new();
        for r in queries::provider_requests_created(conn, &c.code, &same_day, from, to)? {
            if r.state == State::Draft {
                continue;
            }
            let address = serde_json::from_str::<serde_json::Value>(&r.form_json)
                .ok()
                .and_then(|f| f["visit_address"].as_str().map(str::to_string))
                .unwrap_or_default();
            home_calls.push(DayHomeCall {
                number: r.number.clone(),
                patient_name: r.applicant_name.clone(),
                doctor_name: app
                    .clinics
                    .district_doctor(c, &address)
                    .map(|d| d.full_name.clone()),
                visit_address: address,
                state: r.state,
                visit: visit_of(conn, &r)?,
            });
        }
        Ok(ClinicDay {
            clinic: c.code.clone(),
            date,
            appointments,
            home_calls,
        })
    })
}
