//! The child of a support request looked up in ГБД ФЛ at intake (G-40, A-15). The rules
//! are [`crate::domain::kinship`]; this asks the registry and turns its answer into
//! warnings for the reviewer. Nothing here refuses a request: a malformed IIN is refused
//! earlier, by the form's rules.

use super::applicant::Applicant;
use crate::app::App;
use crate::domain::catalog::Service;
use crate::domain::identity::Iin;
use crate::domain::kinship::{check_child, ChildRecord, IntakeWarning};
use crate::registries::RegistryError;
use chrono::NaiveDate;
use serde_json::{Map, Value};

/// The warnings for the child named on `form`, if the service checks one.
pub(super) fn warnings(
    app: &App,
    service: &Service,
    applicant: &Applicant,
    form: &Map<String, Value>,
    today: NaiveDate,
) -> Vec<IntakeWarning> {
    let Some(check) = &service.child_check else {
        return Vec::new();
    };
    let child = form
        .get(&check.field)
        .and_then(Value::as_str)
        .and_then(|s| Iin::parse(s).ok());
    let (Some(child), Some(applicant_iin)) = (child, applicant.iin.as_ref()) else {
        // No child named yet (a draft completed later) or no person applying: nothing to check.
        return Vec::new();
    };
    let found = app.persons.find_person(child.as_str());
    let record = match &found {
        Ok(p) => ChildRecord::Found {
            parents: &p.parents,
        },
        Err(RegistryError::NotFound) => ChildRecord::NotFound,
        Err(e) => {
            tracing::warn!(error = %e, "ГБД ФЛ lookup of a child failed; the reviewer is warned");
            ChildRecord::Unavailable
        }
    };
    check_child(check, applicant_iin, &child, record, today)
}
