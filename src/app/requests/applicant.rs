//! Who the applicant of a new request is: from the account on the portal (R-000-32: "the
//! IIN is filled in automatically", R-003-12), as entered by staff at a desk, and, for
//! channels that say so, as the state registry knows them (R-003-37..39, R-003-47..49,
//! R-000-42..44).

use super::input::ApplicantInput;
use crate::app::auth::CurrentUser;
use crate::app::App;
use crate::domain::catalog::{ApplicantKind, Channel, Service};
use crate::domain::identity::{Bin, Iin};
use crate::domain::roles::Role;
use crate::error::{AppError, ErrorCode};
use crate::registries::RegistryError;
use serde_json::{Map, Value};

fn registry_error(e: RegistryError) -> AppError {
    match e {
        RegistryError::NotFound => AppError::new(ErrorCode::ApplicantNotInRegistry),
        other => {
            tracing::warn!(error = %other, "registry call failed");
            AppError::with(ErrorCode::RegistryUnavailable, other.to_string())
        }
    }
}

/// The applicant of a request, identified.
pub(super) struct Applicant {
    pub kind: ApplicantKind,
    pub iin: Option<Iin>,
    pub bin: Option<Bin>,
    pub name: String,
}

/// Works out who the applicant is (R-003-12, R-000-32) and, for desk channels, checks the
/// state registry (R-003-37..39, R-000-42..44).
pub(super) fn resolve(
    app: &App,
    user: &CurrentUser,
    service: &Service,
    channel: &Channel,
    input: Option<&ApplicantInput>,
    form: &Map<String, Value>,
) -> Result<Applicant, AppError> {
    let kind = input.map(|a| a.kind).unwrap_or(ApplicantKind::Person);
    if !service.applicant_kinds.contains(&kind) {
        return Err(AppError::with(
            ErrorCode::ApplicantKindNotAllowed,
            kind.as_str(),
        ));
    }
    let given_iin = input
        .and_then(|a| a.iin.as_deref())
        .map(Iin::parse)
        .transpose()?;
    let given_bin = input
        .and_then(|a| a.bin.as_deref())
        .map(Bin::parse)
        .transpose()?;
    let form_name = form
        .get("applicant_name")
        .and_then(Value::as_str)
        .map(str::to_string);
    let (iin, bin, mut name) = if user.role == Role::Applicant {
        // Identity comes from the account; a different one in the input is refused.
        let (iin, bin) = match kind {
            ApplicantKind::Person => (user.iin.clone(), None),
            ApplicantKind::LegalEntity => (user.iin.clone(), user.bin.clone()),
        };
        if kind == ApplicantKind::LegalEntity && bin.is_none() {
            return Err(AppError::with(
                ErrorCode::ApplicantKindNotAllowed,
                "the account has no BIN",
            ));
        }
        if given_iin.is_some() && given_iin != iin || given_bin.is_some() && given_bin != bin {
            return Err(AppError::new(ErrorCode::ApplicantMismatch));
        }
        // The name printed on the result is never taken from the body: a person's is the
        // account's, a company's is the state registry's for the account's BIN.
        let name = match &bin {
            None => user.full_name.clone(),
            Some(bin) => {
                app.companies
                    .find_company(bin.as_str())
                    .map_err(registry_error)?
                    .name
            }
        };
        (iin, bin, name)
    } else {
        let missing = match kind {
            ApplicantKind::Person => given_iin.is_none(),
            ApplicantKind::LegalEntity => given_bin.is_none(),
        };
        if missing {
            return Err(AppError::with(
                ErrorCode::BadRequest,
                "applicant IIN (person) or BIN (legal entity) is required at a desk",
            ));
        }
        let name = input
            .and_then(|a| a.name.clone())
            .or(form_name)
            .unwrap_or_default();
        (given_iin, given_bin, name)
    };
    if iin.is_none() && bin.is_none() {
        return Err(AppError::with(
            ErrorCode::BadRequest,
            "the applicant has no IIN or BIN",
        ));
    }
    if channel.registry_lookup {
        name = match (kind, &iin, &bin) {
            (ApplicantKind::Person, Some(iin), _) => app
                .persons
                .find_person(iin.as_str())
                .map_err(registry_error)?
                .full_name(),
            (ApplicantKind::LegalEntity, _, Some(bin)) => {
                app.companies
                    .find_company(bin.as_str())
                    .map_err(registry_error)?
                    .name
            }
            // A person is identified by an IIN, a company by a BIN (checked above for a
            // desk; from the account on the portal).
            _ => {
                return Err(AppError::with(
                    ErrorCode::BadRequest,
                    format!("a {} is looked up by its own number", kind.as_str()),
                ))
            }
        };
    }
    if name.trim().is_empty() {
        return Err(AppError::with(ErrorCode::FormIncomplete, "applicant name"));
    }
    Ok(Applicant {
        kind,
        iin,
        bin,
        name,
    })
}

/// The applicant as the state registry knows them: what a desk employee confirms with the
/// person in front of them before taking a request in (R-003-37..39, R-000-42..44).
#[derive(Debug, Clone, serde::Serialize)]
pub struct RegistryEntry {
    pub kind: ApplicantKind,
    pub iin: Option<Iin>,
    pub bin: Option<Bin>,
    pub name: String,
    /// The registered address (a person's) or the legal address (a company's), if given.
    pub address: Option<String>,
}

/// Looks a person (by IIN) or a company (by BIN) up in ГБД ФЛ / ГБД ЮЛ, through the same
/// registry ports and with the same refusals as [`resolve`]: `APPLICANT_NOT_IN_REGISTRY`,
/// `REGISTRY_UNAVAILABLE`, and the check-digit errors of a malformed number. Staff only.
pub fn find(
    app: &App,
    user: &CurrentUser,
    kind: ApplicantKind,
    number: &str,
) -> Result<RegistryEntry, AppError> {
    if !user.role.is_staff() {
        return Err(AppError::with(
            ErrorCode::Forbidden,
            "registry lookups are for staff at a desk",
        ));
    }
    let number = number.trim();
    match kind {
        ApplicantKind::Person => {
            let iin = Iin::parse(number)?;
            let p = app
                .persons
                .find_person(iin.as_str())
                .map_err(registry_error)?;
            Ok(RegistryEntry {
                kind,
                name: p.full_name(),
                address: p.address.filter(|a| !a.trim().is_empty()),
                iin: Some(iin),
                bin: None,
            })
        }
        ApplicantKind::LegalEntity => {
            let bin = Bin::parse(number)?;
            let c = app
                .companies
                .find_company(bin.as_str())
                .map_err(registry_error)?;
            Ok(RegistryEntry {
                kind,
                name: c.name,
                address: Some(c.legal_address).filter(|a| !a.trim().is_empty()),
                iin: None,
                bin: Some(bin),
            })
        }
    }
}
