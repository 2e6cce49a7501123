//! Result documents: the signed PDF a decision issues (e-licence, motivated refusal, support
//! decision, clinic confirmations) and the intake receipt of desk channels, their lookups,
//! and their registry status (R-003-05, R-003-07, R-003-31, R-003-32, R-003-44, R-004-23,
//! R-004-36, R-000-27; G-27, G-31, G-47).
//!
//! Which document a step issues is catalog data (`issues = "result" | "refusal"` on the
//! transition, `template` / `refusal_template` / a variant's `result_template` on the service;
//! a variant's `licence` operation for e-licences).
//!
//! - [`fields`]: the values a document prints;
//! - [`issue`]: render, sign and store it in the step's transaction;
//! - [`registry`]: suspend, resume, terminate.

pub mod fields;
pub mod issue;
pub mod registry;

pub use fields::field_values;
pub use issue::issue_document;
pub use registry::{change_status, StatusChange};

use super::auth::CurrentUser;
use super::views::utc;
use super::App;
use crate::db::models::DocumentRow;
use crate::db::queries;
use crate::domain::catalog::{Issues, Service};
use crate::domain::documents::DocumentStatus;
use crate::domain::ids::DocumentId;
use crate::error::{AppError, ErrorCode};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

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
    /// The clinic register: the doctor, specialty and cabinet of a booking.
    pub clinics: &'a crate::domain::clinics::ClinicRegister,
}

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

/// A document and its request, for the public verification page (no login).
pub struct PublicDocument {
    pub document: DocumentView,
    pub request_number: String,
    pub service_code: String,
}

pub fn public_document(app: &App, id: &str) -> Result<PublicDocument, AppError> {
    let id = DocumentId::parse(id).ok_or_else(|| AppError::new(ErrorCode::DocumentNotFound))?;
    app.store.read(|c| {
        let document =
            queries::document(c, &id)?.ok_or_else(|| AppError::new(ErrorCode::DocumentNotFound))?;
        let req = queries::request_by_id(c, &document.request_id)?
            .ok_or_else(|| AppError::internal("document without request"))?;
        Ok(PublicDocument {
            document: DocumentView::of(app, &document),
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
) -> Result<(DocumentView, Vec<u8>), AppError> {
    let doc = app.store.write(|c| {
        let req = super::requests::load_visible(c, user, number)?;
        super::access_log::record(app, c, user, &req, super::access_log::DOCUMENT)?;
        let docs = queries::documents_of(c, &req.id)?;
        docs.into_iter()
            .rev()
            .find(|d| d.issued_as != Issues::Receipt)
            .ok_or_else(|| AppError::new(ErrorCode::ResultNotReady))
    })?;
    let bytes = app.files.get(&doc.sha256).map_err(AppError::internal)?;
    Ok((DocumentView::of(app, &doc), bytes))
}

/// One of the request's documents by id (e.g. the intake receipt to print, G-47).
pub fn document_pdf(
    app: &App,
    user: &CurrentUser,
    number: &str,
    id: &str,
) -> Result<(DocumentView, Vec<u8>), AppError> {
    let id = DocumentId::parse(id).ok_or_else(|| AppError::new(ErrorCode::DocumentNotFound))?;
    let doc = app.store.write(|c| {
        let req = super::requests::load_visible(c, user, number)?;
        super::access_log::record(app, c, user, &req, super::access_log::DOCUMENT)?;
        queries::document(c, &id)?
            .filter(|d| d.request_id == req.id)
            .ok_or_else(|| AppError::new(ErrorCode::DocumentNotFound))
    })?;
    let bytes = app.files.get(&doc.sha256).map_err(AppError::internal)?;
    Ok((DocumentView::of(app, &doc), bytes))
}

/// A value the deciding employee enters with a decision: a field of the document the
/// decision issues that nothing on the request gives (e.g. the support period, G-42).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct DecisionField {
    /// The template field key, sent as `fields.<key>` with the transition.
    pub key: String,
    pub kk: String,
    pub ru: String,
    pub optional: bool,
}

/// For each of `actions` that issues a result or a refusal from the request's state, the
/// fields of that document the employee enters: the template's fields that the request,
/// its form, the provider and the employee do not give ([`field_values`]). Licences take
/// every value from the request and the registry, so they ask for none.
pub fn decision_fields(
    app: &App,
    user: &CurrentUser,
    number: &str,
    actions: &[String],
) -> Result<BTreeMap<String, Vec<DecisionField>>, AppError> {
    app.store.read(|c| {
        let req = super::requests::load_visible(c, user, number)?;
        let service = super::requests::service_of(app, &req.service_code)?;
        let workflow = app.catalog.workflow_of(service);
        let none = BTreeMap::new();
        let mut out = BTreeMap::new();
        for action in actions {
            let Some(issues) = workflow
                .transitions_named(action)
                .find(|t| t.from.contains(&req.state))
                .and_then(|t| t.issues)
            else {
                continue;
            };
            let licence = issues == Issues::Result
                && service
                    .variant(&req.variant)
                    .and_then(|v| v.licence)
                    .is_some();
            if licence || issues == Issues::Receipt {
                continue;
            }
            let kind = template_for(service, &req.variant, issues);
            let template = app
                .templates
                .get(&kind)
                .map_err(|e| AppError::internal(e.to_string()))?;
            let given = field_values(
                c,
                &req,
                &Issue {
                    service,
                    issues,
                    official: Some(user),
                    reason: None,
                    decision_fields: &none,
                    now: app.now(),
                    clinics: &app.clinics,
                },
            )?;
            let fields: Vec<DecisionField> = template
                .fields
                .iter()
                .filter(|f| !given.contains_key(&f.key))
                .map(|f| DecisionField {
                    key: f.key.clone(),
                    kk: f.kk.clone(),
                    ru: f.ru.clone(),
                    optional: f.optional,
                })
                .collect();
            if !fields.is_empty() {
                out.insert(action.clone(), fields);
            }
        }
        Ok(out)
    })
}

/// A document as listed to its owner and staff, and (without request data) on `/verify`.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct DocumentView {
    pub id: DocumentId,
    pub kind: String,
    pub title: String,
    /// SHA-256 of the signed PDF, lower-case hex: compare with the file you hold.
    pub sha256: String,
    pub size_bytes: i64,
    pub issued_at: DateTime<Utc>,
    pub signer: String,
    pub signer_serial: String,
    /// `valid`, `superseded`, `suspended` or `terminated` (R-003-07).
    pub status: DocumentStatus,
    pub status_reason: Option<String>,
    pub status_at: DateTime<Utc>,
    pub superseded_by: Option<DocumentId>,
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
            status: d.status,
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
        let req = super::requests::load_visible(c, user, number)?;
        Ok(queries::documents_of(c, &req.id)?
            .iter()
            .map(|d| DocumentView::of(app, d))
            .collect())
    })
}
