//! The register of the attached population (R-000-07, G-06, G-14): an appointment or a home
//! call needs the person attached to the clinic, where the region requires it; an approved
//! attachment request ends the person's previous attachment and starts the new one in the
//! decision's transaction, so a person is attached to one clinic at any moment.

use crate::app::App;
use crate::db::models::{PhcRow, RequestRow};
use crate::db::{queries, DbConnection};
use crate::domain::catalog::{Issues, PhcRule, Provider, Service};
use crate::domain::identity::Iin;
use crate::domain::lifecycle::Planned;
use crate::error::{AppError, ErrorCode};
use serde_json::{Map, Value};

/// At creation: the prerequisite of an appointment or a home call (NOT_ATTACHED), or an
/// attachment to the clinic the person is attached to already (ALREADY_ATTACHED).
pub(crate) fn check_at_creation(
    app: &App,
    service: &Service,
    clinic: &Provider,
    person: Option<&Iin>,
    form: &Map<String, Value>,
) -> Result<(), AppError> {
    let (Some(rule), Some(person)) = (service.phc, person) else {
        return Ok(());
    };
    let registered = app.clinics.clinic(&clinic.code);
    let region = registered.and_then(|c| app.clinics.region_of(c));
    // G-14: where the region checks the territory, the address must be in the clinic's.
    if rule == PhcRule::Attaches && region.is_some_and(|r| r.territory_check) {
        let address = form.get("address").and_then(Value::as_str).unwrap_or("");
        if registered.and_then(|c| c.district_of(address)).is_none() {
            return Err(AppError::with(
                ErrorCode::OutsideTerritory,
                format!("{} does not serve this address", clinic.code),
            ));
        }
    }
    let active = active(app, person)?;
    match attachment_refusal(app, service, &clinic.code, active.as_ref()) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Whether a person whose active attachment is `active` is refused `service` at
/// `clinic_code` by the register: `NOT_ATTACHED` for an appointment or a home call at another
/// clinic (where the region requires an attachment), `ALREADY_ATTACHED` for an attachment to
/// the clinic they are attached to. The creation check and the clinic lists of the pages
/// both ask this.
pub(crate) fn attachment_refusal(
    app: &App,
    service: &Service,
    clinic_code: &str,
    active: Option<&PhcRow>,
) -> Option<AppError> {
    let rule = service.phc?;
    let required = app
        .clinics
        .clinic(clinic_code)
        .and_then(|c| app.clinics.region_of(c))
        .is_some_and(|r| r.attachment_required);
    let here = active.is_some_and(|a| a.clinic_code == clinic_code);
    match rule {
        PhcRule::RequiresAttachment if required && !here => Some(AppError::with(
            ErrorCode::NotAttached,
            match active {
                Some(a) => format!("attached to {}, not {clinic_code}", a.clinic_code),
                None => format!("not attached to {clinic_code}"),
            },
        )),
        PhcRule::Attaches if here => Some(AppError::with(
            ErrorCode::AlreadyAttached,
            clinic_code.to_string(),
        )),
        _ => None,
    }
}

/// The person's active attachment, if any.
pub(crate) fn active(app: &App, iin: &Iin) -> Result<Option<PhcRow>, AppError> {
    app.store
        .read(|c| queries::active_attachment(c, iin.as_str()))
}

/// Whether `planned` changes the register (so it needs a transaction).
pub(crate) fn affects(service: &Service, planned: &Planned) -> bool {
    service.phc == Some(PhcRule::Attaches) && planned.issues == Some(Issues::Result)
}

/// On an approved attachment: the previous attachment ends and the new one starts, with the
/// district from the form or from the clinic's territory.
pub(crate) fn on_step(
    app: &App,
    c: &mut DbConnection,
    service: &Service,
    req: &RequestRow,
    planned: &Planned,
) -> Result<(), AppError> {
    if !affects(service, planned) {
        return Ok(());
    }
    let Some(person) = &req.applicant_iin else {
        return Ok(());
    };
    let form: Map<String, Value> =
        serde_json::from_str(&req.form_json).map_err(AppError::internal)?;
    let text = |k: &str| crate::domain::forms::text(&form, k);
    let district = text("district").map(str::to_string).or_else(|| {
        let clinic = app.clinics.clinic(&req.provider_code)?;
        clinic.district_of(text("address")?).map(str::to_string)
    });
    let now = app.now().naive_utc();
    queries::end_attachment(c, person.as_str(), now, Some(&req.id))?;
    queries::insert_phc(
        c,
        &PhcRow {
            id: uuid::Uuid::now_v7().to_string(),
            person_iin: person.as_str().to_string(),
            clinic_code: req.provider_code.clone(),
            district,
            started_at: now,
            ended_at: None,
            request_id: Some(req.id.clone()),
            ended_by: None,
        },
    )
}
