//! The licence registry (R-003-07, R-003-06, G-24): every e-licence, its versions
//! (re-issues), duplicates and status changes, searchable by anyone by licence number or
//! by the holder's BIN/IIN. It is a view over the signed documents and the requests'
//! append-only history, so it can never disagree with them.
//!
//! What it shows of a person: the holder's name and a masked IIN; a company's BIN is
//! public (it is printed on the licence).

use super::results::DocumentView;
use super::App;
use crate::db::models::{DocumentRow, HistoryRow, RequestRow};
use crate::db::queries::{self, LicenceLookup};
use crate::domain::documents::{DocumentStatus, LicenceOp, RegistryAction};
use crate::domain::identity::{Bin, Iin};
use crate::domain::ids::{DocumentId, RequestId};
use crate::error::AppError;
use crate::error::ErrorCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

/// `GET /api/v1/licences?number=…` or `?holder=…`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct LicenceQuery {
    /// Licence number, e.g. `26MH000001`.
    pub number: Option<String>,
    /// The holder's BIN or IIN (12 digits, check digit verified).
    pub holder: Option<String>,
}

/// One licence: its number, holder, sub-kinds, status and every event.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LicenceView {
    pub number: String,
    pub holder_name: String,
    /// Present for legal entities.
    pub holder_bin: Option<String>,
    /// Individuals: only the first 4 and last 2 digits.
    pub holder_iin_masked: Option<String>,
    pub sub_kinds: Vec<String>,
    /// `valid`, `suspended` or `terminated`: the status of the version in force.
    pub status: DocumentStatus,
    /// The version in force (the latest issue or re-issue).
    pub current_document: DocumentView,
    /// Every document under this number: versions and duplicates, oldest first.
    pub documents: Vec<DocumentView>,
    pub events: Vec<LicenceEvent>,
}

/// Issued, re-issued, duplicate issued, suspended, resumed or terminated (R-003-07).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LicenceEvent {
    pub at: DateTime<Utc>,
    /// `issued`, `reissued`, `duplicate_issued`, `suspended`, `resumed`, `terminated`.
    pub event: String,
    pub document_id: DocumentId,
    /// The role of who did it (`official`), never a personal name.
    pub by_role: String,
    /// The basis: the re-issue/duplicate reason code, or the official's stated basis.
    pub basis: Option<String>,
    /// The request that led to it (issue, re-issue, duplicate).
    pub request_number: Option<String>,
}

fn lookup(q: &LicenceQuery) -> Result<(Option<String>, Option<String>), AppError> {
    let number = q.number.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let holder = q.holder.as_deref().map(str::trim).filter(|s| !s.is_empty());
    match (number, holder) {
        (Some(n), None) => {
            if n.len() > 40 || !n.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                return Err(AppError::with(
                    ErrorCode::BadRequest,
                    "number: letters and digits",
                ));
            }
            Ok((Some(n.to_ascii_uppercase()), None))
        }
        (None, Some(h)) => {
            // A BIN's fifth digit is 4–6; an IIN's is a month tens digit (0–1): try the
            // kind the digits say, and report that kind's error.
            let id = if h
                .as_bytes()
                .get(4)
                .is_some_and(|d| (b'4'..=b'6').contains(d))
            {
                Bin::parse(h)?.as_str().to_string()
            } else {
                Iin::parse(h)?.as_str().to_string()
            };
            Ok((None, Some(id)))
        }
        _ => Err(AppError::with(
            ErrorCode::BadRequest,
            "give exactly one of `number` or `holder`",
        )),
    }
}

/// The registry event of issuing a document of this licence operation.
fn event_of(op: Option<LicenceOp>) -> &'static str {
    match op {
        Some(LicenceOp::Reissue) => "reissued",
        Some(LicenceOp::Duplicate) => "duplicate_issued",
        Some(LicenceOp::Issue) | None => "issued",
    }
}

/// The licence operation of the request a document was issued on (its variant's).
fn op_of(app: &App, req: &RequestRow) -> Option<LicenceOp> {
    app.catalog
        .service(&req.service_code)
        .and_then(|s| s.variant(&req.variant))
        .and_then(|v| v.licence)
}

/// The registry event of a history entry, for registry actions (`document_suspend`, …).
fn registry_event(action: &str) -> Option<&'static str> {
    [
        (RegistryAction::Suspend, "suspended"),
        (RegistryAction::Resume, "resumed"),
        (RegistryAction::Terminate, "terminated"),
    ]
    .into_iter()
    .find(|(a, _)| action.strip_prefix("document_") == Some(a.as_str()))
    .map(|(_, event)| event)
}

fn mask_iin(iin: &str) -> String {
    if iin.len() == 12 {
        format!("{}******{}", &iin[..4], &iin[10..])
    } else {
        "************".into()
    }
}

/// Searches the registry. Public: no authentication, no personal data beyond the holder.
pub fn search(app: &App, q: &LicenceQuery) -> Result<Vec<LicenceView>, AppError> {
    let (number, holder) = lookup(q)?;
    app.store.read(|c| {
        let docs = match (&number, &holder) {
            (Some(n), _) => queries::licence_documents(c, LicenceLookup::Number(n))?,
            (_, Some(h)) => queries::licence_documents(c, LicenceLookup::Holder(h))?,
            _ => Vec::new(),
        };
        // Group by licence number, keeping the registry order (oldest first).
        let mut by_number: BTreeMap<String, Vec<DocumentRow>> = BTreeMap::new();
        for d in docs {
            if let Some(n) = d.registry_number.clone() {
                by_number.entry(n).or_default().push(d);
            }
        }
        // Every request behind the documents, with its history: two queries in all,
        // however many licences and versions the holder has.
        let ids: Vec<RequestId> = by_number
            .values()
            .flatten()
            .map(|d| d.request_id.clone())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut requests: BTreeMap<RequestId, (RequestRow, Vec<HistoryRow>)> =
            queries::requests_by_ids(c, &ids)?
                .into_iter()
                .map(|r| (r.id.clone(), (r, Vec::new())))
                .collect();
        for h in queries::histories_of(c, &ids)? {
            if let Some((_, entries)) = requests.get_mut(&h.request_id) {
                entries.push(h);
            }
        }
        if requests.len() != ids.len() {
            return Err(AppError::internal("document without request"));
        }
        let mut out = Vec::new();
        for (number, docs) in by_number {
            out.push(licence_view(app, number, &docs, &requests)?);
        }
        Ok(out)
    })
}

fn licence_view(
    app: &App,
    number: String,
    docs: &[DocumentRow],
    requests: &BTreeMap<RequestId, (RequestRow, Vec<HistoryRow>)>,
) -> Result<LicenceView, AppError> {
    let op = |d: &DocumentRow| requests.get(&d.request_id).and_then(|(r, _)| op_of(app, r));
    // The version in force: the latest non-duplicate (a duplicate is a copy of it).
    let current = docs
        .iter()
        .rev()
        .find(|d| op(d) != Some(LicenceOp::Duplicate))
        .or(docs.last())
        .ok_or_else(|| AppError::internal("licence without documents"))?;
    let (req, _) = requests
        .get(&current.request_id)
        .ok_or_else(|| AppError::internal("licence request missing"))?;
    let form: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&req.form_json).map_err(AppError::internal)?;
    // A duplicate's form restates no sub-kinds: take them from the version in force.
    let sub_kinds = form
        .get("activity_subkinds")
        .and_then(|v| v.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let mut events = Vec::new();
    let ids: Vec<&str> = docs.iter().map(|d| d.id.as_str()).collect();
    for d in docs {
        let Some((r, history)) = requests.get(&d.request_id) else {
            continue;
        };
        let form: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&r.form_json).map_err(AppError::internal)?;
        events.push(LicenceEvent {
            at: super::views::utc(d.issued_at),
            event: event_of(op(d)).into(),
            document_id: d.id.clone(),
            by_role: "official".into(),
            basis: form
                .get("reason")
                .and_then(|v| v.as_str())
                .map(str::to_string),
            request_number: Some(r.number.clone()),
        });
        for h in history {
            let Some(event) = registry_event(&h.action) else {
                continue;
            };
            let data: Option<serde_json::Value> = h
                .data_json
                .as_deref()
                .and_then(|s| serde_json::from_str(s).ok());
            let doc_id = data
                .as_ref()
                .and_then(|v| v["document_id"].as_str())
                .unwrap_or_default();
            // The history of a request holds each change once, against the document named.
            if doc_id != d.id.as_str() || !ids.contains(&doc_id) {
                continue;
            }
            events.push(LicenceEvent {
                at: super::views::utc(h.at),
                event: event.to_string(),
                document_id: d.id.clone(),
                by_role: h.actor_role.clone(),
                basis: h.reason.clone(),
                request_number: None,
            });
        }
    }
    events.sort_by_key(|e| e.at);
    Ok(LicenceView {
        number,
        holder_name: req.applicant_name.clone(),
        holder_bin: req.applicant_bin.as_ref().map(|b| b.as_str().to_string()),
        holder_iin_masked: match &req.applicant_bin {
            Some(_) => None,
            None => req.applicant_iin.as_ref().map(|i| mask_iin(i.as_str())),
        },
        sub_kinds,
        status: current.status,
        current_document: DocumentView::of(app, current),
        documents: docs.iter().map(|d| DocumentView::of(app, d)).collect(),
        events,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(number: Option<&str>, holder: Option<&str>) -> LicenceQuery {
        LicenceQuery {
            number: number.map(str::to_string),
            holder: holder.map(str::to_string),
        }
    }

    #[test]
    fn exactly_one_valid_key_is_accepted() {
        assert!(lookup(&q(None, None)).is_err());
        assert!(lookup(&q(Some("26MH000001"), Some("050340001235"))).is_err());
        assert_eq!(
            lookup(&q(Some(" 26mh000001 "), None)).ok(),
            Some((Some("26MH000001".into()), None))
        );
        assert!(lookup(&q(Some("26MH'; --"), None)).is_err());
        assert_eq!(
            lookup(&q(None, Some("050340001235"))).ok(),
            Some((None, Some("050340001235".into())))
        );
        // A BIN with a wrong check digit is refused with the BIN's own code.
        let e = lookup(&q(None, Some("050340001236"))).err().map(|e| e.code);
        assert_eq!(e, Some(ErrorCode::BinChecksum));
        assert_eq!(
            lookup(&q(None, Some("850305401237"))).ok(),
            Some((None, Some("850305401237".into())))
        );
    }

    #[test]
    fn an_iin_is_masked() {
        assert_eq!(mask_iin("850305401237"), "8503******37");
        assert_eq!(mask_iin("85"), "************");
    }
}
