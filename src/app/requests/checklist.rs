//! The qualification checklist of a licence review (R-003-30, R-003-42, R-003-53, G-25):
//! which items apply to a request, whether a reviewer's marks are complete, and the latest
//! marks recorded in the history.

use super::input::ChecklistMark;
use crate::db::models::RequestRow;
use crate::db::{queries, DbConnection};
use crate::domain::catalog::Service;
use crate::error::{AppError, ErrorCode};
use serde_json::{Map, Value};

/// The values of the service's `qualification_by` form field on this request.
fn qualification_values(service: &Service, req: &RequestRow) -> Result<Vec<String>, AppError> {
    let form: Map<String, Value> =
        serde_json::from_str(&req.form_json).map_err(AppError::internal)?;
    Ok(service
        .qualification_by
        .as_ref()
        .and_then(|f| form.get(f))
        .map(|v| match v {
            Value::Array(a) => a
                .iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect(),
            Value::String(s) => vec![s.clone()],
            _ => Vec::new(),
        })
        .unwrap_or_default())
}

/// Checks a checklist against the items that apply: each exactly once, none unknown, a
/// comment on every item not met.
pub(crate) fn check_checklist(
    service: &Service,
    req: &RequestRow,
    marks: &[ChecklistMark],
) -> Result<(), AppError> {
    let applicable: Vec<String> = service
        .qualification_for(&qualification_values(service, req)?)
        .iter()
        .map(|q| q.code.clone())
        .collect();
    for m in marks {
        if !applicable.contains(&m.item) {
            return Err(AppError::with(
                ErrorCode::UnknownField,
                format!("qualification item `{}` does not apply", m.item),
            ));
        }
        if !m.met && m.comment.as_deref().map(str::trim).unwrap_or("").is_empty() {
            return Err(AppError::with(
                ErrorCode::ReasonRequired,
                format!("item `{}` is not met: say why", m.item),
            ));
        }
    }
    let missing: Vec<&String> = applicable
        .iter()
        .filter(|code| marks.iter().filter(|m| &&m.item == code).count() != 1)
        .collect();
    if !missing.is_empty() {
        return Err(AppError::with(
            ErrorCode::ChecklistIncomplete,
            format!("{missing:?}"),
        ));
    }
    Ok(())
}

/// The latest checklist recorded on the request (`assess` entries of the history).
pub(crate) fn latest_checklist(
    c: &mut DbConnection,
    req: &RequestRow,
) -> Result<Option<Vec<ChecklistMark>>, AppError> {
    let h = queries::history_of(c, &req.id)?;
    Ok(h.iter()
        .rev()
        .find(|e| e.action == "assess")
        .and_then(|e| e.data_json.as_deref())
        .and_then(|d| serde_json::from_str::<Value>(d).ok())
        .and_then(|v| serde_json::from_value(v["checklist"].clone()).ok()))
}
