//! The `clinic` workspace: the registrar's day (R-000-51, R-002-55, G-16). Today's
//! appointments by doctor and the home calls of the registrar's own clinic
//! ([`crate::app::clinic_day`]), each visit's outcome recorded with `record_visit`; a home
//! call confirmed with its time window (`approve`); an appointment moved (`reschedule`) or
//! called off (`cancel`); an appointment taken for a caller by telephone, or at the desk
//! where the region takes no telephone requests, with the choice of a free slot, signed by
//! the registrar in the browser (R-000-50, G-15). Each list is also a CSV file.
//!
//! Everything goes through the API's use cases: another clinic's request is "not found",
//! another clinic's day is refused.

use super::super::csv;
use super::super::flow::{accept_signature, render_sign, SignTarget};
use super::super::{Fail, Form, Page, PageResult};
use crate::app::auth::CurrentUser;
use crate::app::clinic_day::{self, ClinicDay};
use crate::app::clinics::{self, SlotQuery};
use crate::app::requests::applicant::RegistryEntry;
use crate::app::requests::{self, ApplicantInput, NewRequest, TransitionInput};
use crate::domain::catalog::{ApplicantKind, ChannelCode};
use crate::domain::clinics::VisitOutcome;
use crate::domain::roles::Role;
use crate::error::{AppError, ErrorCode};
use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{get, post, web};
use chrono::{DateTime, Duration, FixedOffset, NaiveDate};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

const ROLES: &[Role] = &[Role::ClinicRegistrar];

/// The service a registrar books for a caller.
const APPOINTMENT: &str = "doctor-appointment";

/// The service of a home call a registrar takes for a caller.
const HOME_CALL: &str = "doctor-home-call";

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(day_page)
        .service(appointments_csv)
        .service(home_calls_csv)
        .service(call_page)
        .service(call)
        .service(row_step)
        .service(reschedule_page)
        .service(reschedule)
        .service(sign_page)
        .service(signature);
}

#[derive(Deserialize)]
pub struct DayParams {
    date: Option<String>,
}

fn parse_date(page: &Page, s: Option<&str>) -> Result<Option<NaiveDate>, Fail> {
    s.filter(|s| !s.is_empty())
        .map(|s| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
                page.fail(AppError::with(
                    ErrorCode::BadRequest,
                    format!("date `{s}`: YYYY-MM-DD"),
                ))
            })
        })
        .transpose()
}

/// The day's page, back at the row of `number`.
fn day_url(date: Option<NaiveDate>, number: Option<&str>) -> String {
    let mut u = "/work/clinic".to_string();
    if let Some(d) = date {
        u.push_str(&format!("?date={d}"));
    }
    if let Some(n) = number {
        u.push_str(&format!("#r-{n}"));
    }
    u
}

async fn load_day(page: &Page, date: Option<NaiveDate>) -> Result<ClinicDay, Fail> {
    let user = page.staff(ROLES)?.clone();
    page.run(move |app| clinic_day::day(app, &user, None, date))
        .await
}

fn hm(t: &DateTime<FixedOffset>) -> String {
    t.format("%H:%M").to_string()
}

/// The registrar's day: appointments grouped by doctor (in time order), then home calls.
#[get("/work/clinic")]
pub async fn day_page(page: Page, q: web::Query<DayParams>) -> PageResult {
    let user = page.staff(ROLES)?.clone();
    let date = parse_date(&page, q.date.as_deref())?;
    let day = load_day(&page, date).await?;
    let mut by_doctor: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for a in &day.appointments {
        let mut v = json!(a);
        v["from"] = json!(hm(&a.start));
        v["to"] = json!(hm(&a.end));
        by_doctor.entry(a.doctor.clone()).or_default().push(v);
    }
    let doctors: Vec<Value> = by_doctor
        .into_iter()
        .map(|(code, items)| {
            let d = page.app.clinics.doctor(&code);
            json!({
                "code": code,
                "name": d.map(|d| d.full_name.clone()).unwrap_or_else(|| code.clone()),
                "specialty": d.and_then(|d| page.app.clinics.specialty(&d.specialty)).map(|s| s.name.clone()),
                "cabinet": d.and_then(|d| d.cabinet.clone()),
                "items": items,
            })
        })
        .collect();
    let clinic = user
        .provider
        .as_deref()
        .and_then(|c| page.app.clinics.clinic(c))
        .map(|c| c.name.clone());
    page.render(
        "clinic_day.html",
        json!({
            "day": day,
            "doctors": doctors,
            "clinic_name": clinic,
            "prev": (day.date - Duration::days(1)).to_string(),
            "next": (day.date + Duration::days(1)).to_string(),
        }),
    )
}

fn visit_label(page: &Page, v: Option<&str>) -> String {
    v.map(|v| page.app.pages.t(page.lang, &format!("visit-{v}")))
        .unwrap_or_default()
}

/// The day's appointments as CSV.
#[get("/work/clinic/appointments.csv")]
pub async fn appointments_csv(page: Page, q: web::Query<DayParams>) -> PageResult {
    let date = parse_date(&page, q.date.as_deref())?;
    let day = load_day(&page, date).await?;
    let t = |k: &str| page.app.pages.t(page.lang, k);
    let header = [
        "clinic-start",
        "clinic-end",
        "clinic-doctor",
        "clinic-patient",
        "request-number",
        "request-state",
        "clinic-visit",
    ]
    .map(t);
    let rows: Vec<Vec<String>> = day
        .appointments
        .iter()
        .map(|a| {
            vec![
                a.start.format("%d.%m.%Y %H:%M").to_string(),
                hm(&a.end),
                a.doctor_name.clone(),
                a.patient_name.clone(),
                a.number.clone(),
                t(&format!("state-{}", a.state.as_str())),
                visit_label(&page, a.visit.as_deref()),
            ]
        })
        .collect();
    Ok(csv::response(
        &format!("appointments-{}.csv", day.date),
        &header,
        rows,
    ))
}

/// The day's home calls as CSV.
#[get("/work/clinic/home-calls.csv")]
pub async fn home_calls_csv(page: Page, q: web::Query<DayParams>) -> PageResult {
    let date = parse_date(&page, q.date.as_deref())?;
    let day = load_day(&page, date).await?;
    let t = |k: &str| page.app.pages.t(page.lang, k);
    let header = [
        "request-number",
        "clinic-patient",
        "clinic-address",
        "clinic-district-doctor",
        "request-state",
        "clinic-visit",
    ]
    .map(t);
    let rows: Vec<Vec<String>> = day
        .home_calls
        .iter()
        .map(|h| {
            vec![
                h.number.clone(),
                h.patient_name.clone(),
                h.visit_address.clone(),
                h.doctor_name.clone().unwrap_or_default(),
                t(&format!("state-{}", h.state.as_str())),
                visit_label(&page, h.visit.as_deref()),
            ]
        })
        .collect();
    Ok(csv::response(
        &format!("home-calls-{}.csv", day.date),
        &header,
        rows,
    ))
}

/// One step on a row of the registrar's day, then back to that day (`date`):
/// - `visit`: what became of a visit, `attended`, `no_show` or `done` (`record_visit`);
/// - `cancel`: an appointment or a home call called off, its slot free again;
/// - `confirm`: a home call confirmed with the time window the doctor will come in
///   (`approve`: the signed confirmation, R-000-57, R-002-62).
#[post("/work/clinic/requests/{number}/{step:visit|cancel|confirm}")]
pub async fn row_step(
    page: Page,
    path: web::Path<(String, String)>,
    form: web::Form<Vec<(String, String)>>,
) -> PageResult {
    let user = page.staff(ROLES)?.clone();
    let form = Form::checked(&page, form)?;
    let (number, step) = path.into_inner();
    let date = parse_date(&page, form.get("date"))?;
    let input = match step.as_str() {
        "visit" => TransitionInput {
            action: "record_visit".into(),
            visit: Some(
                serde_json::from_value::<VisitOutcome>(json!(form.get("visit").unwrap_or("")))
                    .map_err(|_| page.fail(AppError::new(ErrorCode::VisitRequired)))?,
            ),
            ..TransitionInput::default()
        },
        "cancel" => TransitionInput {
            action: "cancel".into(),
            reason: form.text("reason").map(str::to_string),
            ..TransitionInput::default()
        },
        _ => TransitionInput {
            action: "approve".into(),
            fields: form
                .text("time_window")
                .map(|w| BTreeMap::from([("time_window".to_string(), w.to_string())]))
                .unwrap_or_default(),
            ..TransitionInput::default()
        },
    };
    act(&page, user, number, input, date).await
}

/// Runs `input` on request `number` and goes back to the day of `date`.
async fn act(
    page: &Page,
    user: CurrentUser,
    number: String,
    input: TransitionInput,
    date: Option<NaiveDate>,
) -> PageResult {
    let back = day_url(date, Some(&number));
    transition_to(page, user, number, input, &back).await
}

/// Runs `input` on request `number`, then goes to `back` (the clinic pages' steps).
pub(crate) async fn transition_to(
    page: &Page,
    user: CurrentUser,
    number: String,
    input: TransitionInput,
    back: &str,
) -> PageResult {
    page.run(move |app| requests::transition(app, &user, &number, input))
        .await?;
    Ok(page.redirect(back))
}

/// `?from=` of a reschedule page: the first of the seven days shown.
#[derive(Deserialize)]
pub struct RescheduleParams {
    pub from: Option<String>,
}

/// The form value of a stored request (a text field of its form).
fn form_text(view: &crate::app::views::RequestView, key: &str) -> String {
    view.form[key].as_str().unwrap_or_default().to_string()
}

/// Free slots of one doctor, grouped by the clinic's local day, for a `<select>`.
fn slots_by_day(slots: &[clinics::SlotView]) -> Vec<Value> {
    let mut days: Vec<Value> = Vec::new();
    for s in slots {
        let day = s.start.date_naive().format("%d.%m.%Y").to_string();
        let option = json!({"value": s.start.to_rfc3339(), "label": format!("{}–{}", hm(&s.start), hm(&s.end))});
        match days.last_mut() {
            Some(last) if last["day"] == day => {
                if let Some(list) = last["slots"].as_array_mut() {
                    list.push(option);
                }
            }
            _ => days.push(json!({"day": day, "slots": [option]})),
        }
    }
    days
}

/// Who moves a booking to another slot (`reschedule`, A-16): the person on their request
/// page, or the registrar from the day. The same page and use case; what differs is where
/// the page lives and where it goes back to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mover {
    Applicant,
    Registrar,
}

impl Mover {
    /// The path the reschedule page hangs under.
    fn base(self, number: &str) -> String {
        match self {
            Mover::Applicant => format!("/requests/{number}"),
            Mover::Registrar => format!("/work/clinic/requests/{number}"),
        }
    }
}

/// Another free slot of the same doctor, a week at a time.
#[get("/work/clinic/requests/{number}/reschedule")]
pub async fn reschedule_page(
    page: Page,
    number: web::Path<String>,
    q: web::Query<RescheduleParams>,
) -> PageResult {
    let user = page.staff(ROLES)?.clone();
    show_reschedule(
        &page,
        user,
        Mover::Registrar,
        number.into_inner(),
        q.from.as_deref(),
    )
    .await
}

/// The reschedule page of `number` for `mover`: the booking as it is and the doctor's free
/// slots of the seven days from `from` (today when not given).
pub async fn show_reschedule(
    page: &Page,
    user: CurrentUser,
    mover: Mover,
    number: String,
    from: Option<&str>,
) -> PageResult {
    let from = parse_date(page, from)?;
    let (view, slots) = page
        .run(move |app| {
            let view = requests::get(app, &user, &number)?;
            let slots = clinics::free_slots(
                app,
                &form_text(&view, "clinic"),
                &SlotQuery {
                    doctor: Some(form_text(&view, "doctor")),
                    from: from.map(|d| d.to_string()),
                    days: Some(7),
                },
            )?;
            Ok((view, slots))
        })
        .await?;
    let doctor = page
        .app
        .clinics
        .doctor(&form_text(&view, "doctor"))
        .map(|d| d.full_name.clone());
    let current = DateTime::parse_from_rfc3339(&form_text(&view, "slot_start")).ok();
    let shown_from = from.unwrap_or_else(|| {
        page.app
            .now()
            .with_timezone(&chrono_tz::Asia::Almaty)
            .date_naive()
    });
    let base = mover.base(&view.number);
    let back = match mover {
        Mover::Applicant => {
            json!({"href": format!("{base}#appointment"), "label": "appointment-title"})
        }
        Mover::Registrar => json!({
            "href": day_url(current.map(|c| c.date_naive()), None),
            "label": "nav-clinic-day",
        }),
    };
    page.render(
        "clinic_reschedule.html",
        json!({
            "request": view,
            "base": base,
            "back": back,
            "doctor_name": doctor,
            "current": current.map(|c| c.format("%d.%m.%Y %H:%M").to_string()),
            "days": slots_by_day(&slots.slots),
            "next_week": (shown_from + Duration::days(7)).to_string(),
        }),
    )
}

/// Moves the appointment to the chosen slot (`reschedule`); a new ticket is issued.
#[post("/work/clinic/requests/{number}/reschedule")]
pub async fn reschedule(
    page: Page,
    number: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> PageResult {
    let user = page.staff(ROLES)?.clone();
    let form = Form::checked(&page, form)?;
    move_booking(&page, user, Mover::Registrar, number.into_inner(), &form).await
}

/// Moves booking `number` to the form's `slot_start` and goes back where `mover` came from:
/// the request page, or the day of the new slot.
pub async fn move_booking(
    page: &Page,
    user: CurrentUser,
    mover: Mover,
    number: String,
    form: &Form,
) -> PageResult {
    let slot = form.text_or_blank("slot_start");
    let date = DateTime::parse_from_rfc3339(&slot)
        .ok()
        .map(|t| t.date_naive());
    let input = TransitionInput {
        action: "reschedule".into(),
        slot_start: Some(slot),
        ..TransitionInput::default()
    };
    match mover {
        Mover::Registrar => act(page, user, number, input, date).await,
        Mover::Applicant => {
            let back = format!("{}#appointment", mover.base(&number));
            transition_to(page, user, number, input, &back).await
        }
    }
}

/// Whether the registrar's clinic takes requests by telephone (its region's rule).
fn phone_open(page: &Page, clinic: &str) -> bool {
    clinics::check_channel(&page.app, clinic, ChannelCode::Phone).is_ok()
}

/// The appointment's channels this registrar may use: the telephone where the region takes
/// telephone requests, and the desk.
fn channels(page: &Page, clinic: &str) -> Vec<&'static str> {
    let mut out = Vec::new();
    if phone_open(page, clinic) {
        out.push(ChannelCode::Phone.as_str());
    }
    out.push(ChannelCode::ClinicDesk.as_str());
    out
}

/// Taking an appointment for a caller: the caller's IIN first.
#[get("/work/clinic/call")]
pub async fn call_page(page: Page) -> PageResult {
    let user = page.staff(ROLES)?;
    let clinic = user.provider.clone().unwrap_or_default();
    render_call(&page, &clinic, CallView::default())
}

/// What the telephone form shows at its current step.
#[derive(Default)]
struct CallView {
    typed: Map<String, Value>,
    entry: Option<RegistryEntry>,
    doctors: Vec<clinics::DoctorView>,
    slots: Option<Vec<Value>>,
    error: Option<AppError>,
    /// A home call's problems, each at its field.
    field_errors: BTreeMap<String, String>,
}

fn render_call(page: &Page, clinic: &str, v: CallView) -> PageResult {
    let status = v.error.as_ref().map_or(StatusCode::OK, |e| {
        StatusCode::from_u16(e.status).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY)
    });
    let today = page
        .app
        .now()
        .with_timezone(&chrono_tz::Asia::Almaty)
        .date_naive()
        .to_string();
    let status = if v.field_errors.is_empty() {
        status
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let labels: Map<String, Value> = page
        .app
        .catalog
        .service(HOME_CALL)
        .map(|s| {
            s.form
                .iter()
                .map(|f| (f.code.clone(), json!(f.label)))
                .collect()
        })
        .unwrap_or_default();
    page.render_status(
        status,
        "clinic_call.html",
        json!({
            "typed": v.typed,
            "entry": v.entry,
            "doctors": v.doctors,
            "slots": v.slots,
            "channels": channels(page, clinic),
            "today": today,
            "error": v.error.map(|e| json!({"code": e.code.as_str(), "message": e.message(page.lang)})),
            "home_call": {"labels": labels, "errors": v.field_errors},
        }),
    )
}

/// The telephone form, one step at a time (`step`): `find` the caller in ГБД ФЛ (their name
/// said back to them), list the `slots` of a doctor on a day, `book` the chosen one. The
/// request is created in the `phone` (or `clinic_desk`) channel, submitted, and the
/// registrar signs it.
#[post("/work/clinic/call")]
pub async fn call(page: Page, form: web::Form<Vec<(String, String)>>) -> PageResult {
    let user = page.staff(ROLES)?.clone();
    let form = Form::checked(&page, form)?;
    let clinic = user.provider.clone().unwrap_or_default();
    let mut typed = Map::new();
    for k in [
        "iin",
        "channel",
        "doctor",
        "date",
        "slot",
        "phone",
        "visit_address",
        "symptoms",
    ] {
        if let Some(v) = form.get(k) {
            typed.insert(k.into(), json!(v.trim()));
        }
    }
    let text = |k: &str| form.text_or_blank(k);
    let iin = text("iin");
    let (u, c) = (user.clone(), clinic.clone());
    let found = page
        .run(move |app| {
            let doctors = clinics::doctors(app, &c)?;
            Ok((
                requests::applicant::find(app, &u, ApplicantKind::Person, &iin),
                doctors,
            ))
        })
        .await?;
    let (entry, doctors) = match found {
        (Ok(e), d) => (e, d),
        (Err(e), _) if e.status != 401 && e.status != 403 => {
            return render_call(
                &page,
                &clinic,
                CallView {
                    typed,
                    error: Some(e),
                    ..CallView::default()
                },
            )
        }
        (Err(e), _) => return Err(page.fail(e)),
    };
    let step = form.get("step").unwrap_or("find");
    if step == "home_call" {
        let view = CallView {
            typed,
            entry: Some(entry),
            doctors,
            ..CallView::default()
        };
        return home_call(&page, user, &clinic, &form, view).await;
    }
    if step == "find" {
        return render_call(
            &page,
            &clinic,
            CallView {
                typed,
                entry: Some(entry),
                doctors,
                ..CallView::default()
            },
        );
    }
    let doctor = text("doctor");
    let date = parse_date(&page, form.get("date"))?;
    let (c, d) = (clinic.clone(), doctor.clone());
    let app = page.app.clone();
    let slots = web::block(move || {
        clinics::free_slots(
            &app,
            &c,
            &SlotQuery {
                doctor: Some(d),
                from: date.map(|d| d.to_string()),
                days: Some(1),
            },
        )
    })
    .await
    .map_err(|e| page.fail(AppError::internal(e)))?;
    let slots = match slots {
        Ok(s) => slots_by_day(&s.slots),
        // No doctor chosen, or not one of this clinic: said on the form.
        Err(e) => {
            return render_call(
                &page,
                &clinic,
                CallView {
                    typed,
                    entry: Some(entry),
                    doctors,
                    error: Some(e),
                    ..CallView::default()
                },
            )
        }
    };
    if step != "book" {
        return render_call(
            &page,
            &clinic,
            CallView {
                typed,
                entry: Some(entry),
                doctors,
                slots: Some(slots),
                ..CallView::default()
            },
        );
    }
    let mut values = Map::new();
    values.insert("clinic".into(), json!(clinic));
    values.insert("doctor".into(), json!(doctor));
    values.insert("slot_start".into(), json!(text("slot")));
    if !text("phone").is_empty() {
        values.insert("phone".into(), json!(text("phone")));
    }
    let view = CallView {
        typed,
        entry: Some(entry),
        doctors,
        slots: Some(slots),
        ..CallView::default()
    };
    create_for_caller(&page, user, &clinic, APPOINTMENT, &form, values, view).await
}

/// Creates `service` for the caller found by IIN in the chosen channel and submits it, which
/// applies the clinic's rules (attachment, the slot still free, the same-day cut-off); then
/// the registrar signs it. A refusal is said on the form (`view`) with what was typed.
async fn create_for_caller(
    page: &Page,
    user: CurrentUser,
    clinic: &str,
    service: &str,
    form: &Form,
    values: Map<String, Value>,
    view: CallView,
) -> PageResult {
    let iin = view
        .entry
        .as_ref()
        .and_then(|e| e.iin.as_ref())
        .map(|i| i.as_str().to_string());
    let input = NewRequest {
        service: service.into(),
        variant: None,
        channel: chosen_channel(page, clinic, form),
        applicant: Some(ApplicantInput {
            kind: ApplicantKind::Person,
            iin,
            bin: None,
            name: None,
        }),
        provider: None,
        form: values,
    };
    let app = page.app.clone();
    let taken = web::block(move || {
        let created = requests::create(&app, &user, input)?;
        requests::transition(
            &app,
            &user,
            &created.number,
            TransitionInput {
                action: "submit".into(),
                ..TransitionInput::default()
            },
        )
    })
    .await
    .map_err(|e| page.fail(AppError::internal(e)))?;
    match taken {
        Ok(v) => Ok(page.redirect(&format!("/work/clinic/requests/{}/sign", v.number))),
        // Not attached here, the slot just taken, past today's cut-off, …
        Err(e) if e.status < 500 && e.status != 401 && e.status != 404 => render_call(
            page,
            clinic,
            CallView {
                error: Some(e),
                ..view
            },
        ),
        Err(e) => Err(page.fail(e)),
    }
}

/// The channel the registrar chose for a caller's request: the telephone where the region
/// takes telephone requests, else the desk.
fn chosen_channel(page: &Page, clinic: &str, form: &Form) -> String {
    let channel = form.text_or_blank("channel");
    if channels(page, clinic).contains(&channel.as_str()) {
        channel
    } else {
        ChannelCode::ClinicDesk.as_str().to_string()
    }
}

/// A home call for the caller found by IIN (R-000-50, R-000-57, G-15, G-16): the address of
/// the visit, the symptoms and a telephone, checked against the catalog's form first (each
/// problem shown at its field, nothing created); then created in the chosen channel and
/// submitted, which applies the clinic's rules (attachment, the same-day cut-off); the
/// registrar signs it next and confirms the visit's time window from the day.
async fn home_call(
    page: &Page,
    user: CurrentUser,
    clinic: &str,
    form: &Form,
    view: CallView,
) -> PageResult {
    let service = page
        .app
        .catalog
        .service(HOME_CALL)
        .ok_or_else(|| page.fail(AppError::new(ErrorCode::UnknownService)))?;
    let variant = super::super::clinic::variant(service);
    let values = super::super::apply::typed_values(service, variant, form.pairs());
    let field_errors = super::super::apply::field_errors(page, service, variant, &values);
    if !field_errors.is_empty() {
        return render_call(
            page,
            clinic,
            CallView {
                field_errors,
                ..view
            },
        );
    }
    create_for_caller(page, user, clinic, HOME_CALL, form, values, view).await
}

/// The registrar signs the appointment they took (R-000-45): it is registered and
/// confirmed, the ticket issued.
#[get("/work/clinic/requests/{number}/sign")]
pub async fn sign_page(page: Page, number: web::Path<String>) -> PageResult {
    page.staff(ROLES)?;
    let number = number.into_inner();
    let target = SignTarget {
        submit_url: format!("/work/clinic/requests/{number}/signature"),
        back_url: "/work/clinic".to_string(),
    };
    render_sign(&page, number, Some(target)).await
}

/// The registrar's signature; back to the day of the appointment.
#[post("/work/clinic/requests/{number}/signature")]
pub async fn signature(page: Page, number: web::Path<String>, payload: Multipart) -> PageResult {
    page.staff(ROLES)?;
    let number = number.into_inner();
    let view = accept_signature(&page, number.clone(), payload).await?;
    let date = DateTime::parse_from_rfc3339(&form_text(&view, "slot_start"))
        .ok()
        .map(|t| t.date_naive());
    Ok(page.redirect(&day_url(date, Some(&number))))
}
