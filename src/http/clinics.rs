//! The clinic register and free appointment slots (R-000-01, R-002-12): public, like the
//! service catalog. Booking is a `doctor-appointment` request (`/api/v1/requests`).

use super::api::run;
use super::auth::Authed;
use crate::app::clinic_day::{self, ClinicDay};
use crate::app::clinics::{self, ClinicView, DoctorView, SlotQuery, SlotsPage};
use crate::app::App;
use crate::error::{AppError, ErrorBody};
use actix_web::{get, web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

type Res<T> = Result<T, AppError>;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ClinicParams {
    /// A region code (`astana`, `akmola`, `mangystau`); all regions when absent.
    pub region: Option<String>,
}

/// The medical organisations, with their hours and the services their region offers.
#[utoipa::path(get, path = "/api/v1/clinics", tag = "clinics", params(ClinicParams),
    responses((status = 200, body = Vec<ClinicView>)))]
#[get("/api/v1/clinics")]
pub async fn clinic_list(app: web::Data<App>, q: web::Query<ClinicParams>) -> Res<HttpResponse> {
    Ok(HttpResponse::Ok().json(clinics::clinics(&app, q.region.as_deref())))
}

/// The doctors of a clinic.
#[utoipa::path(get, path = "/api/v1/clinics/{code}/doctors", tag = "clinics",
    params(("code" = String, Path)),
    responses((status = 200, body = Vec<DoctorView>), (status = 404, body = ErrorBody)))]
#[get("/api/v1/clinics/{code}/doctors")]
pub async fn clinic_doctors(app: web::Data<App>, code: web::Path<String>) -> Res<HttpResponse> {
    Ok(HttpResponse::Ok().json(clinics::doctors(&app, &code)?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SlotParams {
    /// One doctor's code; every doctor of the clinic when absent.
    pub doctor: Option<String>,
    /// First day, `YYYY-MM-DD` in the clinic's time zone; default today.
    pub from: Option<String>,
    /// How many days, 1 ..= 31; default 7.
    #[param(minimum = 1, maximum = 31)]
    pub days: Option<u32>,
}

/// Free slots of the clinic's doctors: their schedules minus bookings, breaks, closed hours,
/// absences and the past; times in the clinic's zone (RFC 3339 with offset).
#[utoipa::path(get, path = "/api/v1/clinics/{code}/slots", tag = "clinics",
    params(("code" = String, Path), SlotParams),
    responses((status = 200, body = SlotsPage), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
#[get("/api/v1/clinics/{code}/slots")]
pub async fn clinic_slots(
    app: web::Data<App>,
    code: web::Path<String>,
    q: web::Query<SlotParams>,
) -> Res<HttpResponse> {
    let (code, q) = (code.into_inner(), q.into_inner());
    let query = SlotQuery {
        doctor: q.doctor,
        from: q.from,
        days: q.days,
    };
    let page = run(move || clinics::free_slots(&app, &code, &query)).await?;
    Ok(HttpResponse::Ok().json(page))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DayParams {
    /// The clinic (administrators); a registrar's own clinic when absent.
    pub clinic: Option<String>,
    /// `YYYY-MM-DD` in the clinic's zone; today when absent.
    pub date: Option<String>,
}

/// A clinic's day for its registrar: appointments by time and home calls, with each
/// visit's recorded outcome (`record_visit`).
#[utoipa::path(get, path = "/api/v1/clinic-day", tag = "clinics", params(DayParams),
    responses((status = 200, body = ClinicDay), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
#[get("/api/v1/clinic-day")]
pub async fn clinic_day_get(
    app: web::Data<App>,
    user: Authed,
    q: web::Query<DayParams>,
) -> Res<HttpResponse> {
    let q = q.into_inner();
    let date = q
        .date
        .as_deref()
        .map(|s| {
            chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
                AppError::with(
                    crate::error::ErrorCode::BadRequest,
                    format!("date `{s}`: YYYY-MM-DD"),
                )
            })
        })
        .transpose()?;
    let day = run(move || clinic_day::day(&app, &user.0, q.clinic.as_deref(), date)).await?;
    Ok(HttpResponse::Ok().json(day))
}

handlers!(clinic_list, clinic_doctors, clinic_slots, clinic_day_get);
