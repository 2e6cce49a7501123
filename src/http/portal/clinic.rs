//! Booking a doctor's appointment on the portal (R-002-12, A-16) in three GET steps that
//! work without JavaScript: the clinic (those of the applicant's region, with what the
//! register of the attached population says of each), the doctor, then a calendar of the
//! doctor's free slots by day. Booking creates the request and submits it, which takes the
//! slot ([`crate::app::requests::create`], [`crate::app::requests::transition`]): the same
//! use cases as the API. The request page then shows the appointment and the applicant's
//! `cancel`, which frees the slot.

use super::work::clinic::{move_booking, show_reschedule, transition_to, Mover, RescheduleParams};
use super::{Fail, Form, Page, PageResult};
use crate::app::clinics::{self, AppointmentView};
use crate::app::requests::{self, NewRequest, TransitionInput};
use crate::domain::catalog::{ChannelCode, PhcRule, Service};
use crate::error::{AppError, ErrorCode};
use actix_web::http::StatusCode;
use actix_web::{get, post, web};
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(book_page)
        .service(book)
        .service(reschedule_page)
        .service(reschedule)
        .service(cancel);
}

/// How many days the calendar shows at a time.
pub const CALENDAR_DAYS: u32 = 14;

#[derive(Deserialize)]
pub struct BookQuery {
    clinic: Option<String>,
    doctor: Option<String>,
    /// First day of the calendar, `YYYY-MM-DD`.
    from: Option<String>,
}

/// A portal service that books a slot (catalog `booking`), or the error page.
fn booking_service<'a>(page: &'a Page, code: &str) -> Result<&'a Service, Fail> {
    page.app
        .catalog
        .service(code)
        .filter(|s| s.booking.is_some())
        .filter(|s| s.channels.iter().any(|c| c.code == ChannelCode::Portal))
        .ok_or_else(|| page.fail(AppError::with(ErrorCode::UnknownService, code.to_string())))
}

/// The service's only variant (a booking service has one; the first otherwise).
pub(super) fn variant(s: &Service) -> &str {
    s.variants.first().map_or("", |v| v.code.as_str())
}

fn weekday_key(d: NaiveDate) -> &'static str {
    crate::domain::clinics::weekday_key(d.weekday())
}

/// The service that attaches a person to a clinic, for the "attach first" link.
fn attach_service(page: &Page) -> Option<String> {
    page.app
        .catalog
        .services()
        .find(|s| s.phc == Some(PhcRule::Attaches))
        .map(|s| s.code.clone())
}

/// What the booking page shows at each step, and the form's values and problems.
#[derive(Default)]
struct Step {
    clinic: Option<String>,
    doctor: Option<String>,
    from: Option<NaiveDate>,
    values: Map<String, Value>,
    errors: BTreeMap<String, String>,
    general: Option<(String, String)>,
}

/// The booking page at the step its query reaches: clinic, doctor, then the calendar.
async fn render_step(page: &Page, s: &Service, step: Step) -> PageResult {
    let user = page.user()?.clone();
    let spec = s
        .booking
        .clone()
        .ok_or_else(|| page.fail(AppError::with(ErrorCode::UnknownService, s.code.clone())))?;
    let service = s.clone();
    let (clinic, doctor) = (step.clinic.clone(), step.doctor.clone());
    let from = step.from;
    let (choices, doctors, calendar) = page
        .run(move |app| {
            let choices = clinics::choices(app, &user, &service)?;
            let doctors = match &clinic {
                Some(c) => Some(clinics::doctors(app, c)?),
                None => None,
            };
            let calendar = match (&clinic, &doctor) {
                (Some(c), Some(d)) => Some(clinics::calendar(app, c, d, from, CALENDAR_DAYS)?),
                _ => None,
            };
            Ok((choices, doctors, calendar))
        })
        .await?;
    let mut step = step;
    let mut chosen_clinic = clinic_json(&choices, step.clinic.as_deref());
    if step.clinic.is_some() && chosen_clinic.is_null() {
        // A clinic of another region, or one that does not offer the service.
        return Err(page.fail(AppError::with(
            ErrorCode::UnknownProvider,
            step.clinic.unwrap_or_default(),
        )));
    }
    // A clinic the request would be refused at (not attached there): back to the clinics,
    // with the reason.
    let refused = choices
        .iter()
        .find(|c| Some(c.clinic.code.as_str()) == step.clinic.as_deref())
        .and_then(|c| c.refusal);
    if let Some(code) = refused {
        step.general = Some((
            code.as_str().to_string(),
            code.message(page.lang).to_string(),
        ));
        step.clinic = None;
        step.doctor = None;
        chosen_clinic = Value::Null;
    }
    let (doctors, calendar) = if step.clinic.is_some() {
        (doctors, calendar)
    } else {
        (None, None)
    };
    let chosen_doctor = doctors
        .iter()
        .flatten()
        .find(|d| Some(d.code.as_str()) == step.doctor.as_deref())
        .map(|d| json!(d));
    if step.doctor.is_some() && chosen_doctor.is_none() {
        return Err(page.fail(AppError::with(
            ErrorCode::DoctorNotFound,
            step.doctor.unwrap_or_default(),
        )));
    }
    let days: Option<Vec<Value>> = calendar.as_ref().map(|c| {
        c.days
            .iter()
            .map(|d| {
                json!({
                    "date": d.date,
                    "weekday": weekday_key(d.date),
                    "slots": d.slots.iter().map(|x| json!({
                        "start": x.start.to_rfc3339(),
                        "time": x.start.format("%H:%M").to_string(),
                    })).collect::<Vec<_>>(),
                })
            })
            .collect()
    });
    let nav = calendar.as_ref().map(|c| {
        let back = c.from - chrono::Duration::days(i64::from(CALENDAR_DAYS));
        json!({
            "earlier": (c.from > c.today).then(|| back.max(c.today).to_string()),
            "later": (c.from + chrono::Duration::days(i64::from(CALENDAR_DAYS))).to_string(),
            "first": c.from,
            "last": c.days.last().map(|d| d.date),
            "any": c.days.iter().any(|d| !d.slots.is_empty()),
        })
    });
    // The form's own fields other than the booking's three (e.g. a contact phone).
    let extra: Vec<Value> = s
        .form
        .iter()
        .filter(|f| f.applies_to(variant(s)))
        .filter(|f| ![&spec.clinic_field, &spec.doctor_field, &spec.start_field].contains(&&f.code))
        .map(|f| json!(f))
        .collect();
    let status = if step.errors.is_empty() && step.general.is_none() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    page.render_status(
        status,
        "book.html",
        json!({
            "service": super::catalog::service_json(page, s),
            "step": if calendar.is_some() { 3 } else if step.clinic.is_some() { 2 } else { 1 },
            "choices": choices,
            "clinic": chosen_clinic,
            "doctors": doctors,
            "doctor": chosen_doctor,
            "days": days,
            "nav": nav,
            "fields": extra,
            "values": step.values,
            "errors": step.errors,
            "slot_field": spec.start_field,
            "attach_service": attach_service(page),
            "general": step.general.map(|(code, message)| json!({"code": code, "message": message})),
        }),
    )
}

fn clinic_json(choices: &[clinics::ClinicChoice], code: Option<&str>) -> Value {
    choices
        .iter()
        .find(|c| Some(c.clinic.code.as_str()) == code)
        .map_or(Value::Null, |c| json!(c))
}

fn parse_day(s: Option<&str>) -> Option<NaiveDate> {
    s.and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// The booking page: `?clinic=` then `&doctor=` then the calendar (`&from=` pages it).
#[get("/services/{code}/book")]
pub async fn book_page(
    page: Page,
    code: web::Path<String>,
    q: web::Query<BookQuery>,
) -> PageResult {
    page.user()?;
    let s = booking_service(&page, &code)?;
    let q = q.into_inner();
    let clinic = non_empty(q.clinic);
    let doctor = non_empty(q.doctor).filter(|_| clinic.is_some());
    let step = Step {
        clinic,
        doctor,
        from: parse_day(q.from.as_deref()),
        ..Step::default()
    };
    render_step(&page, s, step).await
}

/// Books the chosen slot: the request is created and submitted (which takes the slot), then
/// the applicant signs it on the request page. A refusal (the slot taken meanwhile, not
/// attached, …) shows the calendar again with the reason.
#[post("/services/{code}/book")]
pub async fn book(
    page: Page,
    code: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> PageResult {
    let user = page.user()?.clone();
    let form = Form::checked(&page, form)?;
    let get = |name: &str| form.text(name).map(str::to_string);
    let s = booking_service(&page, &code)?;
    let variant = variant(s).to_string();
    let values = super::apply::typed_values(s, &variant, form.pairs());
    let errors = super::apply::field_errors(&page, s, &variant, &values);
    let mut step = Step {
        clinic: get("clinic"),
        doctor: get("doctor"),
        from: parse_day(get("from").as_deref()),
        values: values.clone(),
        errors,
        general: None,
    };
    if step.clinic.is_none() || step.doctor.is_none() {
        step.doctor = None;
        return render_step(&page, s, step).await;
    }
    if !step.errors.is_empty() {
        if let Some(spec) = &s.booking {
            // A missing time is "choose a time", next to the calendar.
            if step.errors.contains_key(&spec.start_field) {
                step.errors.insert(
                    spec.start_field.clone(),
                    page.app.pages.t(page.lang, "book-choose-time-error"),
                );
            }
        }
        return render_step(&page, s, step).await;
    }
    let input = NewRequest {
        service: s.code.clone(),
        variant: Some(variant),
        channel: "portal".to_string(),
        applicant: None,
        provider: None,
        form: values,
    };
    let app = page.app.clone();
    let booked = web::block(move || -> Result<String, AppError> {
        let view = requests::create(&app, &user, input)?;
        let submit = TransitionInput {
            action: "submit".into(),
            ..TransitionInput::default()
        };
        if let Err(e) = requests::transition(&app, &user, &view.number, submit) {
            // The slot was taken between the calendar and the submission: the draft that
            // booked nothing is withdrawn, so no empty booking is left behind.
            let withdraw = TransitionInput {
                action: "withdraw".into(),
                ..TransitionInput::default()
            };
            if let Err(w) = requests::transition(&app, &user, &view.number, withdraw) {
                tracing::warn!(number = %view.number, code = %w.code, "unbooked draft not withdrawn");
            }
            return Err(e);
        }
        Ok(view.number)
    })
    .await;
    match booked {
        Ok(Ok(number)) => Ok(page.redirect(&format!("/requests/{number}#appointment"))),
        Ok(Err(e)) if e.status < 500 && e.status != 401 => {
            step.general = Some((
                e.code.as_str().to_string(),
                e.message(page.lang).to_string(),
            ));
            render_step(&page, s, step).await
        }
        Ok(Err(e)) => Err(page.fail(e)),
        Err(e) => Err(page.fail(AppError::internal(e))),
    }
}

/// Another free slot of the same doctor for the person's own booking, a week at a time
/// (the registrar's page, [`super::work::clinic::show_reschedule`]).
#[get("/requests/{number}/reschedule")]
pub async fn reschedule_page(
    page: Page,
    number: web::Path<String>,
    q: web::Query<RescheduleParams>,
) -> PageResult {
    let user = page.user()?.clone();
    show_reschedule(
        &page,
        user,
        Mover::Applicant,
        number.into_inner(),
        q.from.as_deref(),
    )
    .await
}

/// Moves the person's booking to the chosen slot (`reschedule`, A-16): a new ticket is
/// issued, the old slot is free again; back to the request page.
#[post("/requests/{number}/reschedule")]
pub async fn reschedule(
    page: Page,
    number: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> PageResult {
    let user = page.user()?.clone();
    let form = Form::checked(&page, form)?;
    move_booking(&page, user, Mover::Applicant, number.into_inner(), &form).await
}

/// The applicant calls the appointment off (`cancel`, with an optional reason): the request
/// ends as cancelled and the slot is free again.
#[post("/requests/{number}/cancel")]
pub async fn cancel(
    page: Page,
    number: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> PageResult {
    let user = page.user()?.clone();
    let form = Form::checked(&page, form)?;
    let input = TransitionInput {
        action: "cancel".into(),
        reason: form.text("reason").map(str::to_string),
        ..TransitionInput::default()
    };
    let number = number.into_inner();
    let back = format!("/requests/{number}#appointment");
    transition_to(&page, user, number, input, &back).await
}

/// The appointment of a booking request for its page: the register's view with its local
/// day, weekday and times.
pub fn appointment_json(page: &Page, s: &Service, form: &Value) -> Value {
    let Some(a): Option<AppointmentView> = clinics::appointment(&page.app, s, form) else {
        return Value::Null;
    };
    let day = a.start.date_naive();
    let mut v = json!(a);
    v["date"] = json!(day);
    v["weekday"] = json!(weekday_key(day));
    v["time"] = json!(a.start.format("%H:%M").to_string());
    v["end_time"] = json!(a.end.format("%H:%M").to_string());
    v
}
