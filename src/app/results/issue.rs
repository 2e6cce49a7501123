//! Issuing a document: render, sign and store the PDF a step issues, in the step's own
//! transaction (R-003-31, R-003-32, R-003-44, R-004-23, R-004-36, R-000-27; G-27, G-31).
//! If anything fails, the decision is not taken.
//!
//! The steps, in order: the template of the document → the decision's fields belong to it →
//! the values it can print → the licence number and the licence it continues (licences
//! only) → the template's fields, all required ones present → the listed items (documents
//! received, reasons of a refusal) → render, sign, store → the row, and a re-issue
//! superseding the licence it replaces.

use super::fields::{both, date, field_values, reason_lines};
use super::{template_for, Issue};
use crate::app::requests::checklist::latest_checklist;
use crate::app::views::utc;
use crate::app::App;
use crate::db::models::{DocumentRow, RequestRow};
use crate::db::{queries, DbConnection};
use crate::domain::catalog::{Issues, Service};
use crate::domain::documents::{DocumentStatus, LicenceOp};
use crate::domain::ids::DocumentId;
use crate::error::{AppError, ErrorCode};
use crate::pdf::{DocumentData, Template};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// Renders, signs and stores the document a step issues; returns its row.
pub fn issue_document(
    app: &App,
    c: &mut DbConnection,
    req: &RequestRow,
    issue: &Issue<'_>,
) -> Result<DocumentRow, AppError> {
    let kind = template_for(issue.service, &req.variant, issue.issues);
    let template = template_named(app, &kind)?;
    check_decision_fields(&template, &kind, issue.decision_fields)?;
    let mut values = field_values(c, req, issue)?;
    let licence = licence_op(issue, req);
    let previous = match licence {
        Some(op) => number_licence(c, req, issue, op, &mut values)?,
        None => None,
    };
    let fields = printed_fields(&template, &kind, &values)?;
    let items = listed_items(c, req, issue, &template)?;
    let id = DocumentId::generate();
    let signed = render_and_sign(
        app,
        req,
        issue,
        &template,
        &kind,
        id.as_str(),
        fields,
        items,
    )?;
    let stored = app.files.put(&signed.bytes).map_err(AppError::internal)?;
    let row = DocumentRow {
        id,
        request_id: req.id.clone(),
        kind,
        issued_as: issue.issues,
        title: format!("{} / {}", template.title.kk, template.title.ru),
        sha256: stored.sha256,
        size_bytes: signed.bytes.len() as i64,
        signer_subject: signed.signer_subject,
        signer_serial: signed.signer_serial,
        issued_at: issue.now.naive_utc(),
        issued_by: issue.official.map(|u| u.id.clone()),
        status: DocumentStatus::Valid,
        status_reason: None,
        status_at: issue.now.naive_utc(),
        superseded_by: None,
        registry_number: licence.and_then(|_| values.get("licence_number").cloned()),
    };
    queries::insert_document(c, &row)?;
    // A re-issue supersedes the licence it replaces; a duplicate is a marked copy of it.
    if let (Some(prev), Some(LicenceOp::Reissue)) = (&previous, licence) {
        queries::set_document_status(
            c,
            &prev.id,
            DocumentStatus::Superseded,
            Some(&format!("re-issued by request {}", req.number)),
            Some(&row.id),
            issue.now.naive_utc(),
        )?;
    }
    crate::metrics::document_issued(&row.kind);
    Ok(row)
}

fn template_named(app: &App, kind: &str) -> Result<Template, AppError> {
    app.templates
        .get(kind)
        .cloned()
        .map_err(|e| AppError::internal(e.to_string()))
}

/// The decision's own fields must be fields of the document.
fn check_decision_fields(
    template: &Template,
    kind: &str,
    decision_fields: &BTreeMap<String, String>,
) -> Result<(), AppError> {
    match decision_fields
        .keys()
        .find(|k| !template.fields.iter().any(|f| &f.key == *k))
    {
        Some(k) => Err(AppError::with(
            ErrorCode::UnknownField,
            format!("`{k}` is not a field of the {kind} document"),
        )),
        None => Ok(()),
    }
}

/// The licence operation of this document: the variant's, for a service's result.
fn licence_op(issue: &Issue<'_>, req: &RequestRow) -> Option<LicenceOp> {
    if issue.issues != Issues::Result {
        return None;
    }
    issue.service.variant(&req.variant).and_then(|v| v.licence)
}

/// The licence this document belongs to (R-003-06, R-003-07): a new number for an issue; for
/// a re-issue or a duplicate (G-23), the holder's licence in force named in the form, whose
/// values fill what this request's form does not restate. Returns that licence.
fn number_licence(
    c: &mut DbConnection,
    req: &RequestRow,
    issue: &Issue<'_>,
    op: LicenceOp,
    values: &mut BTreeMap<String, String>,
) -> Result<Option<DocumentRow>, AppError> {
    let number = match (op, values.get("licence_number").cloned()) {
        (LicenceOp::Issue, _) => {
            let number = next_licence_number(c, issue.service, issue.now)?;
            values.insert("licence_number".into(), number);
            return Ok(None);
        }
        (_, Some(number)) => number,
        (_, None) => {
            return Err(AppError::with(
                ErrorCode::DocumentFieldsMissing,
                "licence_number",
            ))
        }
    };
    let prev = current_licence(c, req, &number)?;
    let first = queries::documents_by_registry_number(c, &number)?
        .into_iter()
        .next()
        .unwrap_or_else(|| prev.clone());
    values.insert("original_issue_date".into(), date(utc(first.issued_at)));
    values.insert("issue_date".into(), date(utc(first.issued_at)));
    values.insert("supersedes".into(), prev.id.to_string());
    let prev_req = queries::request_by_id(c, &prev.request_id)?
        .ok_or_else(|| AppError::internal("document without request"))?;
    for (k, v) in field_values(c, &prev_req, issue)? {
        values.entry(k).or_insert(v);
    }
    if let Some(r) = values.get("reason").cloned() {
        values.insert("reissue_reason".into(), r);
    }
    Ok(Some(prev))
}

/// Only the template's own fields are printed; required ones must all be there.
fn printed_fields(
    template: &Template,
    kind: &str,
    values: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, AppError> {
    let mut fields = BTreeMap::new();
    let mut missing = Vec::new();
    for f in &template.fields {
        match values.get(&f.key).filter(|s| !s.trim().is_empty()) {
            Some(val) => {
                fields.insert(f.key.clone(), val.clone());
            }
            None if f.optional => {}
            None => missing.push(f.key.clone()),
        }
    }
    if !missing.is_empty() {
        return Err(AppError::with(
            ErrorCode::DocumentFieldsMissing,
            format!("{kind}: {}", missing.join(", ")),
        ));
    }
    Ok(fields)
}

/// The items a document lists: the documents received (a receipt, G-47), or the reasons of a
/// motivated refusal, the qualification items found not met first (R-003-31, R-003-43).
fn listed_items(
    c: &mut DbConnection,
    req: &RequestRow,
    issue: &Issue<'_>,
    template: &Template,
) -> Result<Vec<String>, AppError> {
    Ok(match issue.issues {
        Issues::Receipt => {
            let channel = issue.service.channel(req.channel);
            queries::attachments_of(c, &req.id)?
                .iter()
                .map(|a| {
                    let name = channel
                        .and_then(|ch| ch.documents.iter().find(|d| d.code == a.doc_type))
                        .map(|d| both(&d.name))
                        .unwrap_or_else(|| a.doc_type.clone());
                    let original = match (a.original_seen, a.original_returned) {
                        (Some(true), Some(true)) => {
                            " — түпнұсқа тексеріліп, қайтарылды / оригинал сверен и возвращён"
                        }
                        (Some(true), _) => " — түпнұсқа тексерілді / оригинал сверен",
                        (Some(false), _) => " — түпнұсқасыз / без оригинала",
                        (None, _) => "",
                    };
                    format!("{name} ({}){original}", a.file_name)
                })
                .collect()
        }
        _ if template.items.is_none() => Vec::new(),
        Issues::Refusal => {
            let unmet = latest_checklist(c, req)?
                .unwrap_or_default()
                .into_iter()
                .filter(|m| !m.met)
                .map(|m| {
                    let label = issue
                        .service
                        .qualification
                        .iter()
                        .find(|q| q.code == m.item)
                        .map(|q| both(&q.label))
                        .unwrap_or(m.item.clone());
                    format!("{label}: {}", m.comment.unwrap_or_default())
                });
            unmet.chain(reason_lines(issue.reason)).collect()
        }
        Issues::Result => reason_lines(issue.reason).collect(),
    })
}

/// A rendered and signed PDF, and who signed it.
struct Signed {
    bytes: Vec<u8>,
    signer_subject: String,
    signer_serial: String,
}

/// Renders the PDF with its verification link and signs it (PAdES) with the provider's key.
#[allow(clippy::too_many_arguments)]
fn render_and_sign(
    app: &App,
    req: &RequestRow,
    issue: &Issue<'_>,
    template: &Template,
    kind: &str,
    id: &str,
    fields: BTreeMap<String, String>,
    items: Vec<String>,
) -> Result<Signed, AppError> {
    let data = DocumentData {
        kind: kind.to_string(),
        document_id: id.to_string(),
        fields,
        items,
        verify_url: format!(
            "{}/verify/{id}",
            app.config.public_url.trim_end_matches('/')
        ),
        issued_at: issue.now,
    };
    let provider = issue.service.provider_of(&req.provider_code);
    let key = app.pki.result_signer(provider, issue.official)?;
    let unsigned = crate::pdf::render_with(&app.templates, &data)
        .map_err(|e| AppError::internal(e.to_string()))?;
    let bytes = crate::pdf::sign(
        &unsigned,
        key,
        issue.now,
        &format!("{} {}", template.title.ru, req.number),
        &provider.name.ru,
    )
    .map_err(|e| AppError::internal(e.to_string()))?;
    let cert = key.certificate();
    Ok(Signed {
        bytes,
        signer_subject: crate::pki::identity::common_name(cert),
        signer_serial: crate::pki::certs::serial_hex(cert),
    })
}

/// The holder's licence in force with this number: the newest valid or suspended document
/// of it, issued to the same IIN/BIN (`LICENCE_NOT_FOUND` otherwise: a re-issue or a
/// duplicate needs an existing licence of the applicant, G-23).
fn current_licence(
    c: &mut DbConnection,
    req: &RequestRow,
    number: &str,
) -> Result<DocumentRow, AppError> {
    if let Some(d) = queries::documents_by_registry_number(c, number)?
        .into_iter()
        .rev()
        .find(|d| d.status.in_force())
    {
        let holder = queries::request_by_id(c, &d.request_id)?
            .ok_or_else(|| AppError::internal("document without request"))?;
        let same_bin = holder.applicant_bin.is_some() && holder.applicant_bin == req.applicant_bin;
        let same_iin = holder.applicant_bin.is_none()
            && holder.applicant_iin.is_some()
            && holder.applicant_iin == req.applicant_iin;
        if same_bin || same_iin {
            return Ok(d);
        }
    }
    Err(AppError::with(
        ErrorCode::LicenceNotFound,
        number.to_string(),
    ))
}

/// Licence numbers (R-003-06, G-24): one central sequence across licensors, never reused,
/// given only when a licence is issued: `<yy><licensor initials><sequence, 6 digits>`.
fn next_licence_number(
    c: &mut DbConnection,
    service: &Service,
    now: DateTime<Utc>,
) -> Result<String, AppError> {
    let seq = queries::next_counter(c, "licence-number")?;
    let initials: String = service
        .provider
        .code
        .split('-')
        .filter_map(|p| p.chars().next())
        .map(|ch| ch.to_ascii_uppercase())
        .collect();
    Ok(format!("{}{}{:06}", now.format("%y"), initials, seq))
}
