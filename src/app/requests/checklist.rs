//! The qualification checklist of a licence review (R-003-30, R-003-42, R-003-53, G-25):
//! which items apply to a request, whether a reviewer's marks are complete, and the latest
//! marks recorded in the history.

use super::input::ChecklistMark;
use crate::app::views::HistoryEntry;
use crate::db::models::RequestRow;
use crate::db::{queries, DbConnection};
use crate::domain::catalog::{QualificationItem, Service};
use crate::error::{AppError, ErrorCode};
use serde_json::{Map, Value};

/// The workflow action that records a checklist.
pub const ASSESS: &str = "assess";

/// The values of the service's `qualification_by` field in a request's form.
fn qualification_values(service: &Service, form: &Map<String, Value>) -> Vec<String> {
    service
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
        .unwrap_or_default()
}

/// The qualification items that apply to a request with this form: the catalog's items
/// for the values of the service's `qualification_by` field (R-003-30, R-003-42).
pub fn applicable_items<'s>(
    service: &'s Service,
    form: &Map<String, Value>,
) -> Vec<&'s QualificationItem> {
    service.qualification_for(&qualification_values(service, form))
}

/// Checks a checklist against the items that apply: each exactly once, none unknown, a
/// comment on every item not met.
pub(crate) fn check_checklist(
    service: &Service,
    req: &RequestRow,
    marks: &[ChecklistMark],
) -> Result<(), AppError> {
    let form: Map<String, Value> =
        serde_json::from_str(&req.form_json).map_err(AppError::internal)?;
    let applicable: Vec<String> = applicable_items(service, &form)
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
    let h: Vec<HistoryEntry> = queries::history_of(c, &req.id)?
        .into_iter()
        .map(HistoryEntry::from)
        .collect();
    Ok(latest_marks(&h))
}

/// The latest checklist in a history: the marks of its last `assess` entry (the step is
/// repeatable and the latest counts).
pub fn latest_marks(history: &[HistoryEntry]) -> Option<Vec<ChecklistMark>> {
    history
        .iter()
        .rev()
        .find(|e| e.action == ASSESS)
        .and_then(|e| e.data.as_ref())
        .and_then(|v| serde_json::from_value(v["checklist"].clone()).ok())
}
