//! Registry status of issued licences (R-003-07: the registry holds licences issued,
//! re-issued, suspended, resumed and terminated): suspend, resume or terminate, with a basis,
//! by a reviewer of the service, recorded in the request's history in the same transaction.

use super::DocumentView;
use crate::app::auth::CurrentUser;
use crate::app::engine::{registry_actions_for, take, By, Take};
use crate::app::requests::service_of;
use crate::app::App;
use crate::db::queries;
use crate::domain::catalog::Issues;
use crate::domain::documents::RegistryAction;
use crate::domain::ids::DocumentId;
use crate::domain::lifecycle::Facts;
use crate::error::{AppError, ErrorCode};

/// Input of a registry status change (R-003-07): suspend, resume or terminate a document.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    pub action: RegistryAction,
    /// The basis (decision, court ruling, the holder's application…); required.
    pub reason: String,
}

/// Suspends, resumes or terminates an issued result. The workflow decides who may
/// (`document_suspend` / `_resume` / `_terminate`, `via = "registry"`); the document's status
/// decides whether the move exists ([`crate::domain::documents::DocumentStatus::after`]).
/// A licence's status is the licence's: its duplicates in the same status follow it.
pub fn change_status(
    app: &App,
    user: &CurrentUser,
    id: &str,
    input: &StatusChange,
) -> Result<DocumentView, AppError> {
    let reason = input.reason.trim();
    if reason.is_empty() {
        return Err(AppError::new(ErrorCode::ReasonRequired));
    }
    let id = DocumentId::parse(id).ok_or_else(|| AppError::new(ErrorCode::DocumentNotFound))?;
    let id = &id;
    let now = app.now();
    let doc = app.store.write(|c| {
        let doc =
            queries::document(c, id)?.ok_or_else(|| AppError::new(ErrorCode::DocumentNotFound))?;
        let req = queries::request_by_id(c, &doc.request_id)?
            .ok_or_else(|| AppError::internal("document without request"))?;
        // A document of a request the user may not see is "not found", as the request is.
        let req = crate::app::requests::visibility::visible_row(user, req)
            .map_err(|_| AppError::new(ErrorCode::DocumentNotFound))?;
        let service = service_of(app, &req.service_code)?;
        if !service.reviewer_roles.contains(&user.role) {
            return Err(AppError::new(ErrorCode::ActionNotPermitted));
        }
        if doc.issued_as != Issues::Result {
            return Err(AppError::with(
                ErrorCode::IllegalTransition,
                format!("a {} has no registry status", doc.issued_as.as_str()),
            ));
        }
        let to = doc
            .status
            .after(input.action)
            .map_err(|e| AppError::with(ErrorCode::IllegalTransition, e.to_string()))?;
        let action = format!("document_{}", input.action);
        take(
            app,
            c,
            service,
            &req,
            Take {
                action: &action,
                by: By::User(user),
                facts: Facts::default(),
                reason: Some(reason.to_string()),
                data: Some(
                    serde_json::json!({"document_id": doc.id, "from": doc.status, "to": to}),
                ),
            },
        )?;
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
        queries::document(c, id)?.ok_or_else(|| AppError::internal("document vanished"))
    })?;
    tracing::info!(document = %doc.id, status = %doc.status, "document status changed");
    Ok(DocumentView::of(app, &doc))
}

/// An issued result of a request with the registry actions its viewer may take on it now.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct DocumentActions {
    pub document_id: DocumentId,
    pub actions: Vec<RegistryAction>,
}

/// For each issued result of the request (an e-licence…), the registry actions the user may
/// take now: those the workflow gives them (`document_*`, `via = "registry"`) that the
/// document's status allows. The same rules as [`change_status`], asked before acting.
pub fn available(
    app: &App,
    user: &CurrentUser,
    number: &str,
) -> Result<Vec<DocumentActions>, AppError> {
    app.store.read(|c| {
        let req = crate::app::requests::load_visible(c, user, number)?;
        let service = service_of(app, &req.service_code)?;
        let allowed = registry_actions_for(app, service, &req, user);
        if allowed.is_empty() {
            return Ok(Vec::new());
        }
        Ok(queries::documents_of(c, &req.id)?
            .into_iter()
            .filter(|d| d.issued_as == Issues::Result)
            .map(|d| DocumentActions {
                actions: RegistryAction::ALL
                    .into_iter()
                    .filter(|a| allowed.contains(&format!("document_{a}")))
                    .filter(|a| d.status.after(*a).is_ok())
                    .collect(),
                document_id: d.id,
            })
            .filter(|d| !d.actions.is_empty())
            .collect())
    })
}
