//! Result documents: the signed PDF a decision issues (e-licence, motivated refusal, support
//! decision, clinic confirmations), in the same transaction as the decision itself
//! (R-003-05, R-003-31, R-003-32, R-003-44, R-004-23, R-004-36, R-000-27; G-27, G-31).
//!
//! Which document a transition issues is catalog data (`issues = "result" | "refusal"` on the
//! transition, `template` / `refusal_template` / a variant's `result_template` on the service).
//! The values printed come from one place, [`field_values`]: the request, its form, the
//! applicant, the provider, the deciding official and the decision's own fields.

use super::auth::CurrentUser;
use super::views::utc;
use super::App;
use crate::db::models::{DocumentRow, RequestRow};
use crate::db::{queries, DbConnection};
use crate::domain::catalog::{Issues, Service};
use crate::error::AppError;
use crate::pdf::DocumentData;
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::collections::BTreeMap;

/// Registry status of a document (R-003-07).
pub const STATUS_VALID: &str = "valid";

/// Template of the document `issues` stands for, for this request's variant.
pub fn template_for(service: &Service, variant: &str, issues: Issues) -> String {
    match issues {
        Issues::Receipt => "intake_receipt".to_string(),
        Issues::Refusal => service.result.refusal_template.clone(),
        Issues::Result => service
            .variant(variant)
            .and_then(|v| v.result_template.clone())
            .unwrap_or_else(|| service.result.template.clone()),
    }
}

/// A new unguessable public document id: 128 random bits, URL-safe.
pub fn new_document_id() -> String {
    use rand::RngCore;
    let mut b = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut b);
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

/// `dd.mm.yyyy` in the provider's time zone is what forms show; we print Almaty time.
fn date(t: DateTime<Utc>) -> String {
    let tz: chrono_tz::Tz = chrono_tz::Asia::Almaty;
    t.with_timezone(&tz).format("%d.%m.%Y").to_string()
}

fn both(t: &crate::domain::catalog::Text) -> String {
    if t.kk == t.ru {
        t.ru.clone()
    } else {
        format!("{} / {}", t.kk, t.ru)
    }
}

/// Inputs of one document besides the request row.
pub struct Issue<'a> {
    pub service: &'a Service,
    pub issues: Issues,
    pub official: Option<&'a CurrentUser>,
    /// Refusal reasons (one per line) or the decision's comment.
    pub reason: Option<&'a str>,
    /// Values the official entered with the decision (support amount and period, …).
    pub decision_fields: &'a BTreeMap<String, String>,
    pub now: DateTime<Utc>,
}

/// The values a document can print for this request, by template field key.
pub fn field_values(
    c: &mut DbConnection,
    req: &RequestRow,
    issue: &Issue<'_>,
) -> Result<BTreeMap<String, String>, AppError> {
    let service = issue.service;
    let mut v = BTreeMap::new();
    let form: serde_json::Map<String, Value> =
        serde_json::from_str(&req.form_json).map_err(AppError::internal)?;
    // Form fields under their own codes (G-26: the application's fields).
    for (k, val) in &form {
        // Choice fields print their labels, not their codes.
        let label = |code: String| {
            service
                .field(k)
                .and_then(|f| f.options.iter().find(|o| o.code == code))
                .map(|o| both(&o.label))
                .unwrap_or(code)
        };
        let text = match val {
            Value::String(s) => label(s.clone()),
            Value::Null => continue,
            Value::Array(a) => a
                .iter()
                .map(|x| {
                    label(
                        x.as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| x.to_string()),
                    )
                })
                .collect::<Vec<_>>()
                .join("; "),
            other => other.to_string(),
        };
        v.insert(k.clone(), text);
    }
    let iin_bin = req
        .applicant_bin
        .clone()
        .or_else(|| req.applicant_iin.clone())
        .unwrap_or_default();
    let provider = both(&service.provider.name);
    let official = issue
        .official
        .map(|u| u.full_name.clone())
        .unwrap_or_default();
    let mut put = |k: &str, val: String| {
        v.entry(k.to_string()).or_insert(val);
    };
    put("request_number", req.number.clone());
    put("request_date", date(utc(req.created_at)));
    put("service", both(&service.name));
    put("provider", provider.clone());
    put("licensor", provider.clone());
    put("clinic_name", provider.clone());
    put("official", official.clone());
    put("employee", official);
    put("applicant_name", req.applicant_name.clone());
    put("applicant_iin_bin", iin_bin.clone());
    put(
        "applicant_iin",
        req.applicant_iin.clone().unwrap_or_default(),
    );
    put("holder_name", req.applicant_name.clone());
    put("holder_iin_bin", iin_bin);
    put("patient_name", req.applicant_name.clone());
    put("patient_iin", req.applicant_iin.clone().unwrap_or_default());
    put("decision_date", date(issue.now));
    put("issue_date", date(issue.now));
    put("reissue_date", date(issue.now));
    put("duplicate_date", date(issue.now));
    put("attachment_date", date(issue.now));
    if let Some(a) = &service.provider.address {
        put("clinic_address", both(a));
        put("provider_address", both(a));
    }
    // Names the documents use for form fields (G-26): one alias table, here.
    for (doc_key, form_key) in [
        ("holder_address", "legal_address"),
        ("holder_address", "address"),
        ("sub_kinds", "activity_subkinds"),
        ("visit_address", "address"),
    ] {
        if let Some(val) = v.get(form_key).cloned() {
            v.entry(doc_key.to_string()).or_insert(val);
        }
    }
    let mut put = |k: &str, val: String| {
        v.entry(k.to_string()).or_insert(val);
    };
    // A booked slot prints as its date and its time (R-002-12).
    if let Some(slot) = form.get("slot").and_then(|x| x.as_str()) {
        if let Ok(t) = DateTime::parse_from_rfc3339(slot) {
            let local = t.with_timezone(&chrono_tz::Asia::Almaty);
            put("appointment_date", local.format("%d.%m.%Y").to_string());
            put("appointment_time", local.format("%H:%M").to_string());
        }
    }
    // Constant values of the service's documents (catalog `[result.fields]`).
    for (k, val) in &service.result.fields {
        put(k, val.clone());
    }
    if let Some(variant) = service.variant(&req.variant) {
        put("operation", both(&variant.name));
    }
    let decision = match issue.issues {
        Issues::Result | Issues::Receipt => both(&service.result.name),
        Issues::Refusal => both(&service.result.refusal_name),
    };
    put(
        "received_at",
        issue
            .now
            .with_timezone(&chrono_tz::Asia::Almaty)
            .format("%d.%m.%Y %H:%M")
            .to_string(),
    );
    if let Some(ch) = service.channel(&req.channel) {
        put(
            "intake_point",
            format!("{} — {}", both(&ch.name), both(&service.provider.name)),
        );
    }
    if let Some(due) = req.due_at {
        put("due_date", date(utc(due)));
    }
    put("decision", decision);
    if let Some(r) = issue.reason.filter(|r| !r.trim().is_empty()) {
        put("comment", r.trim().to_string());
    }
    // The commission's conclusion (R-004-38, G-41), if one was recorded.
    let history = queries::history_of(c, &req.id)?;
    if let Some(conclusion) = history
        .iter()
        .rev()
        .find(|h| h.action == "record_conclusion")
        .and_then(|h| h.reason.clone())
    {
        put("commission_conclusion", conclusion);
    }
    for (k, val) in issue.decision_fields {
        v.insert(k.clone(), val.clone());
    }
    Ok(v)
}

/// The official's reasons, one item per line, without list markers or blank lines.
fn reason_lines(reason: Option<&str>) -> impl Iterator<Item = String> + '_ {
    reason
        .unwrap_or_default()
        .lines()
        .map(|l| {
            l.trim()
                .trim_start_matches(['-', '•', '*'])
                .trim()
                .to_string()
        })
        .filter(|l| !l.is_empty())
}

/// Renders, signs and stores the document a transition issues; returns its row.
/// Runs inside the transition's transaction: if anything fails, the decision is not taken.
pub fn issue_document(
    app: &App,
    c: &mut DbConnection,
    req: &RequestRow,
    issue: &Issue<'_>,
) -> Result<DocumentRow, AppError> {
    let kind = template_for(issue.service, &req.variant, issue.issues);
    let template = app
        .templates
        .get(&kind)
        .cloned()
        .map_err(|e| AppError::internal(e.to_string()))?;
    for k in issue.decision_fields.keys() {
        if !template.fields.iter().any(|f| &f.key == k) {
            return Err(AppError::with(
                "UNKNOWN_FIELD",
                format!("`{k}` is not a field of the {kind} document"),
            ));
        }
    }
    let mut values = field_values(c, req, issue)?;
    // The licence this document belongs to (R-003-06/07): a new number for an issue; for a
    // re-issue or duplicate (G-23), the holder's existing licence named in the form.
    let is_licence = kind.starts_with("licence") && issue.issues == Issues::Result;
    let mut previous: Option<DocumentRow> = None;
    if is_licence {
        match values.get("licence_number").cloned() {
            None => {
                values.insert(
                    "licence_number".into(),
                    next_licence_number(c, issue.service, issue.now)?,
                );
            }
            Some(number) => {
                let prev = current_licence(c, req, &number)?;
                let first = queries::documents_by_registry_number(c, &number)?
                    .into_iter()
                    .next()
                    .unwrap_or_else(|| prev.clone());
                values.insert("original_issue_date".into(), date(utc(first.issued_at)));
                values.insert("issue_date".into(), date(utc(first.issued_at)));
                values.insert("supersedes".into(), prev.id.clone());
                // What this request's form does not restate (a duplicate restates nothing
                // of the licence) comes from the licence it continues.
                let prev_req = queries::request_by_id(c, &prev.request_id)?
                    .ok_or_else(|| AppError::internal("document without request"))?;
                for (k, v) in field_values(c, &prev_req, issue)? {
                    values.entry(k).or_insert(v);
                }
                if let Some(r) = values.get("reason").cloned() {
                    values.insert("reissue_reason".into(), r);
                }
                previous = Some(prev);
            }
        }
    }
    // Only the template's own fields are printed; required ones must all be there.
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
            "DOCUMENT_FIELDS_MISSING",
            format!("{kind}: {}", missing.join(", ")),
        ));
    }
    let items: Vec<String> = if issue.issues == Issues::Receipt {
        // The documents received, as attached (G-47): name, file, paper original seen.
        let channel = issue.service.channel(&req.channel);
        queries::attachments_of(c, &req.id)?
            .iter()
            .map(|a| {
                let name = channel
                    .and_then(|ch| ch.documents.iter().find(|d| d.code == a.doc_type))
                    .map(|d| both(&d.name))
                    .unwrap_or_else(|| a.doc_type.clone());
                let original = match a.original_seen {
                    Some(true) => " — түпнұсқа тексерілді / оригинал сверен",
                    Some(false) => " — түпнұсқасыз / без оригинала",
                    None => "",
                };
                format!("{name} ({}){original}", a.file_name)
            })
            .collect()
    } else if template.items.is_some() && issue.issues == Issues::Refusal {
        // A motivated refusal lists the qualification items found not met first
        // (R-003-31, R-003-43), then the official's own reasons.
        let unmet = super::requests::latest_checklist(c, req)?
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
    } else if template.items.is_some() {
        reason_lines(issue.reason).collect()
    } else {
        Vec::new()
    };
    let id = new_document_id();
    let data = DocumentData {
        kind: kind.clone(),
        document_id: id.clone(),
        fields,
        items,
        verify_url: format!(
            "{}/verify/{id}",
            app.config.public_url.trim_end_matches('/')
        ),
        issued_at: issue.now,
    };
    let key = app.pki.result_signer(&issue.service.provider.code)?;
    let unsigned = crate::pdf::render_with(&app.templates, &data)
        .map_err(|e| AppError::internal(e.to_string()))?;
    let signed = crate::pdf::sign(
        &unsigned,
        key,
        issue.now,
        &format!("{} {}", template.title.ru, req.number),
        &issue.service.provider.name.ru,
    )
    .map_err(|e| AppError::internal(e.to_string()))?;
    let stored = app.files.put(&signed).map_err(AppError::internal)?;
    let cert = key.certificate();
    let row = DocumentRow {
        id,
        request_id: req.id.clone(),
        kind,
        title: format!("{} / {}", template.title.kk, template.title.ru),
        sha256: stored.sha256,
        size_bytes: signed.len() as i64,
        signer_subject: crate::pki::identity::common_name(cert),
        signer_serial: crate::pki::certs::serial_hex(cert),
        issued_at: issue.now.naive_utc(),
        issued_by: issue.official.map(|u| u.id.clone()),
        status: STATUS_VALID.into(),
        status_reason: None,
        status_at: issue.now.naive_utc(),
        superseded_by: None,
        registry_number: if is_licence {
            values.get("licence_number").cloned()
        } else {
            None
        },
    };
    queries::insert_document(c, &row)?;
    // A re-issue supersedes the licence it replaces; a duplicate is a marked copy of it.
    if let (Some(prev), true) = (&previous, row.kind == "licence_reissued") {
        queries::set_document_status(
            c,
            &prev.id,
            "superseded",
            Some(&format!("re-issued by request {}", req.number)),
            Some(&row.id),
            issue.now.naive_utc(),
        )?;
    }
    crate::metrics::document_issued(&row.kind);
    Ok(row)
}

/// The holder's licence in force with this number: the newest valid or suspended document
/// of it, issued to the same IIN/BIN (`LICENCE_NOT_FOUND` otherwise: a re-issue or a
/// duplicate needs an existing licence of the applicant, G-23).
fn current_licence(
    c: &mut DbConnection,
    req: &RequestRow,
    number: &str,
) -> Result<DocumentRow, AppError> {
    for d in queries::documents_by_registry_number(c, number)?
        .into_iter()
        .rev()
    {
        if d.status != STATUS_VALID && d.status != "suspended" {
            continue;
        }
        let holder = queries::request_by_id(c, &d.request_id)?
            .ok_or_else(|| AppError::internal("document without request"))?;
        let same = |a: &Option<String>, b: &Option<String>| a.is_some() && a == b;
        if same(&holder.applicant_bin, &req.applicant_bin)
            || (holder.applicant_bin.is_none() && same(&holder.applicant_iin, &req.applicant_iin))
        {
            return Ok(d);
        }
        break;
    }
    Err(AppError::with("LICENCE_NOT_FOUND", number.to_string()))
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

/// A document and its request, for the public verification page (no login).
pub struct PublicDocument {
    pub document: DocumentRow,
    pub request_number: String,
    pub service_code: String,
}

pub fn public_document(app: &App, id: &str) -> Result<PublicDocument, AppError> {
    if id.len() > 64
        || !id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(AppError::new("DOCUMENT_NOT_FOUND"));
    }
    app.store.read(|c| {
        let document =
            queries::document(c, id)?.ok_or_else(|| AppError::new("DOCUMENT_NOT_FOUND"))?;
        let req = queries::request_by_id(c, &document.request_id)?
            .ok_or_else(|| AppError::internal("document without request"))?;
        Ok(PublicDocument {
            document,
            request_number: req.number,
            service_code: req.service_code,
        })
    })
}

/// The newest valid result document of a request the user may see, with its PDF bytes
/// (`GET /requests/{number}/result.pdf`).
pub fn result_pdf(
    app: &App,
    user: &CurrentUser,
    number: &str,
) -> Result<(DocumentRow, Vec<u8>), AppError> {
    let doc = app.store.read(|c| {
        let req = super::requests::load_visible(app, c, user, number)?;
        let docs = queries::documents_of(c, &req.id)?;
        docs.into_iter()
            .rev()
            .find(|d| d.kind != "intake_receipt" && d.kind != "payment_receipt")
            .ok_or_else(|| AppError::new("RESULT_NOT_READY"))
    })?;
    let bytes = app.files.get(&doc.sha256).map_err(AppError::internal)?;
    Ok((doc, bytes))
}

/// One of the request's documents by id (e.g. the intake receipt to print, G-47).
pub fn document_pdf(
    app: &App,
    user: &CurrentUser,
    number: &str,
    id: &str,
) -> Result<(DocumentRow, Vec<u8>), AppError> {
    let doc = app.store.read(|c| {
        let req = super::requests::load_visible(app, c, user, number)?;
        queries::document(c, id)?
            .filter(|d| d.request_id == req.id)
            .ok_or_else(|| AppError::new("DOCUMENT_NOT_FOUND"))
    })?;
    let bytes = app.files.get(&doc.sha256).map_err(AppError::internal)?;
    Ok((doc, bytes))
}

/// A document as listed to its owner and staff, and (without request data) on `/verify`.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct DocumentView {
    pub id: String,
    pub kind: String,
    pub title: String,
    /// SHA-256 of the signed PDF, lower-case hex: compare with the file you hold.
    pub sha256: String,
    pub size_bytes: i64,
    pub issued_at: DateTime<Utc>,
    pub signer: String,
    pub signer_serial: String,
    /// `valid`, `superseded`, `suspended` or `terminated` (R-003-07).
    pub status: String,
    pub status_reason: Option<String>,
    pub status_at: DateTime<Utc>,
    pub superseded_by: Option<String>,
    pub verify_url: String,
}

impl DocumentView {
    pub fn of(app: &App, d: &DocumentRow) -> Self {
        DocumentView {
            id: d.id.clone(),
            kind: d.kind.clone(),
            title: d.title.clone(),
            sha256: d.sha256.clone(),
            size_bytes: d.size_bytes,
            issued_at: utc(d.issued_at),
            signer: d.signer_subject.clone(),
            signer_serial: d.signer_serial.clone(),
            status: d.status.clone(),
            status_reason: d.status_reason.clone(),
            status_at: utc(d.status_at),
            superseded_by: d.superseded_by.clone(),
            verify_url: format!(
                "{}/verify/{}",
                app.config.public_url.trim_end_matches('/'),
                d.id
            ),
        }
    }
}

/// Documents of a request the user may see.
pub fn documents(
    app: &App,
    user: &CurrentUser,
    number: &str,
) -> Result<Vec<DocumentView>, AppError> {
    app.store.read(|c| {
        let req = super::requests::load_visible(app, c, user, number)?;
        Ok(queries::documents_of(c, &req.id)?
            .iter()
            .map(|d| DocumentView::of(app, d))
            .collect())
    })
}

/// Status labels for people (kk / ru / en).
pub fn status_label(status: &str) -> (&'static str, &'static str, &'static str) {
    match status {
        "valid" => ("Жарамды", "Действителен", "Valid"),
        "superseded" => (
            "Ауыстырылды (қайта ресімделді)",
            "Заменён (переоформлен)",
            "Superseded (re-issued)",
        ),
        "suspended" => ("Тоқтатыла тұрған", "Приостановлен", "Suspended"),
        "terminated" => ("Тоқтатылған", "Прекращён", "Terminated"),
        _ => ("Белгісіз", "Неизвестен", "Unknown"),
    }
}

/// Input of a registry status change (R-003-07): suspend, resume or terminate a document.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    /// `suspend`, `resume` or `terminate`.
    pub action: String,
    /// The basis (decision, court ruling, the holder's application…); required.
    pub reason: String,
}

/// Suspends, resumes or terminates an issued result (R-003-07: the registry holds licences
/// issued, re-issued, suspended, resumed and terminated). Only a reviewer of the service
/// may; the change and its history entry on the request are one transaction. A superseded
/// or terminated document changes no more.
pub fn change_status(
    app: &App,
    user: &CurrentUser,
    id: &str,
    input: &StatusChange,
) -> Result<DocumentView, AppError> {
    let reason = input.reason.trim();
    if reason.is_empty() {
        return Err(AppError::new("REASON_REQUIRED"));
    }
    let now = app.now();
    let doc = app.store.write(|c| {
        let doc = queries::document(c, id)?.ok_or_else(|| AppError::new("DOCUMENT_NOT_FOUND"))?;
        let req = queries::request_by_id(c, &doc.request_id)?
            .ok_or_else(|| AppError::internal("document without request"))?;
        let service = super::requests::service_of(app, &req.service_code)?;
        if !service.reviewer_roles.contains(&user.role) {
            return Err(AppError::new("ACTION_NOT_PERMITTED"));
        }
        if doc.kind == service.result.refusal_template {
            return Err(AppError::with(
                "ILLEGAL_TRANSITION",
                "a refusal has no registry status",
            ));
        }
        let to = match (input.action.as_str(), doc.status.as_str()) {
            ("suspend", "valid") => "suspended",
            ("resume", "suspended") => STATUS_VALID,
            ("terminate", "valid" | "suspended") => "terminated",
            ("suspend" | "resume" | "terminate", from) => {
                return Err(AppError::with(
                    "ILLEGAL_TRANSITION",
                    format!("{} a {from} document", input.action),
                ))
            }
            (other, _) => return Err(AppError::with("UNKNOWN_ACTION", other.to_string())),
        };
        // A licence's status is the licence's: its duplicates follow it (R-003-07).
        let mut targets = vec![doc.id.clone()];
        if let Some(number) = &doc.registry_number {
            for d in queries::documents_by_registry_number(c, number)? {
                if d.id != doc.id && d.status == doc.status {
                    targets.push(d.id);
                }
            }
        }
        for id in &targets {
            queries::set_document_status(c, id, to, Some(reason), None, now.naive_utc())?;
        }
        let state = crate::domain::lifecycle::State::parse(&req.state)
            .ok_or_else(|| AppError::internal("bad state"))?;
        let planned = crate::domain::lifecycle::Planned {
            action: format!("document_{}", input.action),
            from: state,
            to: state,
            requirements: vec!["R-003-07".into()],
            notify: true,
            issues: None,
        };
        let tin = super::requests::TransitionInput {
            action: planned.action.clone(),
            reason: Some(reason.to_string()),
            ..Default::default()
        };
        super::requests::apply(
            app,
            c,
            service,
            &req,
            super::requests::Step {
                planned: &planned,
                user: Some(user),
                input: &tin,
                data: Some(
                    serde_json::json!({"document_id": doc.id, "from": doc.status, "to": to}),
                ),
            },
        )?;
        queries::document(c, id)?.ok_or_else(|| AppError::internal("document vanished"))
    })?;
    tracing::info!(document = %doc.id, status = %doc.status, "document status changed");
    Ok(DocumentView::of(app, &doc))
}
