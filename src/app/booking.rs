//! Booking a doctor's slot through a request (R-002-12, R-000-04, G-06, A-16): the slot named
//! on the form is checked when the draft is created, taken when the request is submitted (in
//! the submit's transaction; the database's unique index settles a race), confirmed right
//! after registration with no registrar action, and freed when the request is cancelled,
//! withdrawn or refused.

use crate::app::auth::CurrentUser;
use crate::app::clinics;
use crate::app::App;
use crate::db::models::{BookingRow, RequestRow};
use crate::db::{queries, DbConnection};
use crate::domain::catalog::{BookingSpec, Issues, Service};
use crate::domain::clinics::{Clinic, Doctor};
use crate::domain::documents::DocumentStatus;
use crate::domain::lifecycle::{Planned, State};
use crate::domain::slots::{self, Slot};
use crate::error::{AppError, ErrorCode};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

/// The slot a form asks for.
pub(crate) struct Wanted<'a> {
    pub clinic: &'a Clinic,
    pub doctor: &'a Doctor,
    pub start: DateTime<Utc>,
}

use crate::domain::forms::text;

/// Takes `slot` of `w`'s doctor for the request.
fn take(
    c: &mut DbConnection,
    req: &RequestRow,
    w: &Wanted<'_>,
    slot: Slot,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    queries::insert_booking(
        c,
        &BookingRow {
            id: uuid::Uuid::now_v7().to_string(),
            request_id: req.id.clone(),
            clinic_code: w.clinic.code.clone(),
            doctor_code: w.doctor.code.clone(),
            start_at: slot.start.naive_utc(),
            end_at: slot.end.naive_utc(),
            created_at: now.naive_utc(),
            cancelled_at: None,
            cancelled_by: None,
        },
    )
}

/// Ends the request's tickets still in force (`status`, with the reason `/verify` shows).
fn end_tickets(
    c: &mut DbConnection,
    req: &RequestRow,
    status: DocumentStatus,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    for d in queries::documents_of(c, &req.id)?
        .into_iter()
        .filter(|d| d.issued_as == Issues::Result && d.status == DocumentStatus::Valid)
    {
        queries::set_document_status(c, &d.id, status, Some(reason), None, now.naive_utc())?;
    }
    Ok(())
}

/// The clinic, doctor and start named on `form`, each checked against the register; `None`
/// while the form does not name all three (a draft may be completed later; submission
/// needs them: `form_complete`).
pub(crate) fn wanted<'a>(
    app: &'a App,
    service: &Service,
    spec: &BookingSpec,
    form: &Map<String, Value>,
) -> Result<Option<Wanted<'a>>, AppError> {
    let (Some(clinic), Some(doctor), Some(start)) = (
        text(form, &spec.clinic_field),
        text(form, &spec.doctor_field),
        text(form, &spec.start_field),
    ) else {
        return Ok(None);
    };
    let clinic = clinics::clinic(app, clinic)?;
    if !app
        .clinics
        .region_of(clinic)
        .is_some_and(|r| r.services.contains(&service.code))
    {
        return Err(AppError::with(
            ErrorCode::UnknownProvider,
            format!("{} does not offer {}", clinic.code, service.code),
        ));
    }
    let doctor = clinics::doctor(app, clinic, doctor)?;
    let start = clinics::parse_start(start)?;
    Ok(Some(Wanted {
        clinic,
        doctor,
        start,
    }))
}

/// The slot at `w.start` if it is one of the doctor's free slots now: `SLOT_NOT_AVAILABLE`
/// when the schedule has no such slot (past, a break, a closed day, an absence, not on the
/// slot grid), `SLOT_TAKEN` when it is booked.
fn free_slot(
    app: &App,
    c: &mut DbConnection,
    w: &Wanted<'_>,
    now: DateTime<Utc>,
) -> Result<Slot, AppError> {
    let tz = clinics::zone(app, w.clinic);
    let holiday = |day: chrono::NaiveDate| app.calendar.is_holiday(day);
    let Some(slot) = slots::is_free(w.clinic, w.doctor, tz, w.start, now, &[], &holiday) else {
        return Err(AppError::with(
            ErrorCode::SlotNotAvailable,
            format!("{} at {}", w.doctor.code, w.start.to_rfc3339()),
        ));
    };
    let day = slot.start.naive_utc() - chrono::Duration::days(1);
    let booked = queries::active_booking_times(
        c,
        std::slice::from_ref(&w.doctor.code),
        day,
        slot.end.naive_utc(),
    )?;
    let taken = booked.iter().any(|(_, start, end)| {
        Slot {
            start: start.and_utc(),
            end: end.and_utc(),
        }
        .overlaps(&slot)
    });
    if taken {
        return Err(AppError::with(
            ErrorCode::SlotTaken,
            format!("{} at {}", w.doctor.code, w.start.to_rfc3339()),
        ));
    }
    Ok(slot)
}

/// At creation: the slot named is free now (an early answer; submission books it).
pub(crate) fn check_at_creation(
    app: &App,
    service: &Service,
    form: &Map<String, Value>,
) -> Result<(), AppError> {
    let Some(spec) = &service.booking else {
        return Ok(());
    };
    if let Some(w) = wanted(app, service, spec, form)? {
        let now = app.now();
        app.store.read(|c| free_slot(app, c, &w, now).map(|_| ()))?;
    }
    Ok(())
}

/// Moves the request's booking to `input.slot_start`, a free slot of the same doctor: the
/// old slot is freed, the new one taken (the unique index settles a race), the form says
/// the new time, and the ticket issued before is superseded by the one this step issues.
#[allow(clippy::too_many_arguments)]
fn reschedule(
    app: &App,
    c: &mut DbConnection,
    service: &Service,
    spec: &BookingSpec,
    req: &RequestRow,
    user: Option<&CurrentUser>,
    input: &crate::app::requests::TransitionInput,
    now: DateTime<Utc>,
) -> Result<String, AppError> {
    let new_start = input.slot_start.as_deref().ok_or_else(|| {
        AppError::with(
            ErrorCode::SlotNotAvailable,
            "slot_start: the new time is required",
        )
    })?;
    let mut form: Map<String, Value> =
        serde_json::from_str(&req.form_json).map_err(AppError::internal)?;
    form.insert(spec.start_field.clone(), Value::from(new_start));
    let Some(w) = wanted(app, service, spec, &form)? else {
        return Err(AppError::internal("a booking form lost its fields"));
    };
    let by = user.map_or_else(|| req.created_by.clone(), |u| u.id.clone());
    queries::cancel_booking(c, &req.id, &by, now.naive_utc())?;
    let slot = free_slot(app, c, &w, now)?;
    take(c, req, &w, slot, now)?;
    let form_json = Value::Object(form).to_string();
    queries::set_form_json(c, &req.id, &form_json)?;
    end_tickets(
        c,
        req,
        DocumentStatus::Superseded,
        "запись перенесена / жазылу ауыстырылды",
        now,
    )?;
    Ok(form_json)
}

/// The clinic a booking form names: the provider that decides the request.
pub(crate) fn clinic_named(service: &Service, form: &Map<String, Value>) -> Option<String> {
    let spec = service.booking.as_ref()?;
    text(form, &spec.clinic_field).map(str::to_string)
}

/// Whether `planned` books or frees a slot of `service` (so it needs a transaction).
pub(crate) fn affects(service: &Service, planned: &Planned) -> bool {
    service.booking.is_some()
        && (planned.action == "submit"
            || planned.action == RESCHEDULE
            || matches!(
                planned.to,
                State::Cancelled | State::Withdrawn | State::Refused
            ))
}

/// The workflow action that moves a booking to another free slot of the same doctor.
pub(crate) const RESCHEDULE: &str = "reschedule";

/// Books, moves or frees the request's slot as `planned` moves it, inside the step's
/// transaction.
pub(crate) fn on_step(
    app: &App,
    c: &mut DbConnection,
    service: &Service,
    req: &RequestRow,
    planned: &Planned,
    user: Option<&CurrentUser>,
    input: &crate::app::requests::TransitionInput,
) -> Result<Option<String>, AppError> {
    let Some(spec) = &service.booking else {
        if planned.action == RESCHEDULE {
            return Err(AppError::with(
                ErrorCode::ActionNotPermitted,
                format!("{} books no slot", service.code),
            ));
        }
        return Ok(None);
    };
    let now = app.now();
    if planned.action == RESCHEDULE {
        return reschedule(app, c, service, spec, req, user, input, now).map(Some);
    }
    if planned.action == "submit" {
        let form: Map<String, Value> =
            serde_json::from_str(&req.form_json).map_err(AppError::internal)?;
        let Some(w) = wanted(app, service, spec, &form)? else {
            return Err(AppError::with(
                ErrorCode::FormIncomplete,
                format!(
                    "{}, {}, {}",
                    spec.clinic_field, spec.doctor_field, spec.start_field
                ),
            ));
        };
        let slot = free_slot(app, c, &w, now)?;
        take(c, req, &w, slot, now)?;
        return Ok(None);
    }
    if matches!(
        planned.to,
        State::Cancelled | State::Withdrawn | State::Refused
    ) {
        let by = user.map_or_else(|| req.created_by.clone(), |u| u.id.clone());
        queries::cancel_booking(c, &req.id, &by, now.naive_utc())?;
        // A ticket already issued no longer holds: `/verify` says it ended, and why.
        end_tickets(
            c,
            req,
            DocumentStatus::Terminated,
            "запись отменена / жазылу болдырылмады",
            now,
        )?;
    }
    Ok(None)
}
