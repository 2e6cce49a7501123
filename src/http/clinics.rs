//! The clinic register and free appointment slots (R-000-01, R-002-12): public, like the
//! service catalog. Booking is a `doctor-appointment` request (`/api/v1/requests`).

use super::api::run;
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

handlers!(clinic_list, clinic_doctors, clinic_slots);
