//! Public pages (no sign-in): the verification page a document's QR code opens and the
//! licence registry search (R-003-07). Both show what a holder needs to trust a document and
//! nothing personal of the holder beyond what the registry publishes (A-06, A-09, R-003-66):
//! the document id is unguessable, but a support decision about a disabled child must not
//! become public by a photographed QR code.
//!
//! - `GET /verify/{id}`: kind, issue date, signer, registry status with its basis, the
//!   version that superseded it, SHA-256 and size; 404 (with the form to try again) for an
//!   unknown id, 503 when the server cannot look it up.
//! - `GET /verify?id=…`: the form to type or paste an id or the QR code's link; it leads to
//!   `/verify/{id}`.
//! - `GET /registry?number=…` or `?holder=…`: the search of `GET /api/v1/licences`, through
//!   the same use case ([`crate::app::licences::search`]), each refusal shown at its field.
//!
//! Searches are GET forms, so a result can be bookmarked and works without JavaScript; the
//! request log records paths without their query (`super::super::RootSpan`), so a holder's
//! IIN typed here is not logged.

use super::{Fail, Page, PageResult};
use crate::app::licences::{LicenceQuery, LicenceView};
use crate::app::results::{self, DocumentView};
use crate::app::App;
use crate::domain::catalog::Text;
use crate::domain::ids::DocumentId;
use crate::error::{AppError, ErrorCode};
use actix_web::http::StatusCode;
use actix_web::{get, web, HttpRequest};
use serde_json::{json, Value};
use std::collections::BTreeMap;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(verify_form)
        .service(verify_page)
        .service(registry);
}

/// The public pages in the OpenAPI document: the verification page is the address printed
/// in every document's QR code.
#[derive(utoipa::OpenApi)]
#[openapi(paths(verify_page))]
pub struct Paths;

/// Runs a use case on the blocking pool and hands back its own error, for pages that show a
/// refusal themselves. A lost blocking thread is the error page with 503: the document may
/// well exist, the server could not look.
async fn block<T: Send + 'static>(
    page: &Page,
    f: impl FnOnce(&App) -> Result<T, AppError> + Send + 'static,
) -> Result<Result<T, AppError>, Fail> {
    let app = page.app.clone();
    web::block(move || f(&app)).await.map_err(|e| {
        let mut e = AppError::internal(e);
        e.status = StatusCode::SERVICE_UNAVAILABLE.as_u16();
        page.fail(e)
    })
}

/// The query parameters of a page (the last of a repeated name wins; never an error).
fn query(req: &HttpRequest) -> BTreeMap<String, String> {
    url::form_urlencoded::parse(req.query_string().as_bytes())
        .into_owned()
        .collect()
}

/// A parameter, trimmed; `None` when absent or blank.
fn param<'a>(q: &'a BTreeMap<String, String>, name: &str) -> Option<&'a str> {
    q.get(name).map(|s| s.trim()).filter(|s| !s.is_empty())
}

/// The document id in what a visitor typed or pasted: the id itself, or the QR code's link
/// (`https://…/verify/{id}`, with or without a query or fragment).
pub fn typed_document_id(typed: &str) -> &str {
    let typed = typed.trim();
    match typed.rfind("/verify/") {
        Some(i) => {
            let rest = &typed[i + "/verify/".len()..];
            rest.split(['?', '#', '/']).next().unwrap_or("")
        }
        None => typed,
    }
}

/// A page message, or `None` when no message file has `key`.
fn message(page: &Page, key: &str) -> Option<String> {
    page.app.pages.messages.get(page.lang, key, &[])
}

/// The document's kind in the page's language (`doc-kind-<kind>`), else the title stored on
/// the document (a kind added by `templates_dir` without a page message).
fn kind_name(page: &Page, d: &DocumentView) -> String {
    message(page, &format!("doc-kind-{}", d.kind)).unwrap_or_else(|| d.title.clone())
}

/// A document as the verification page shows it: nothing of the holder.
fn document_json(page: &Page, d: &DocumentView) -> Value {
    let (kk, ru, en) = d.status.labels();
    json!({
        "id": d.id.as_str(),
        "kind": d.kind,
        "kind_name": kind_name(page, d),
        "status": d.status.as_str(),
        "status_label": page.lang.pick(ru, kk, en),
        "status_at": d.status_at.to_rfc3339(),
        "status_reason": d.status_reason,
        "superseded_by": d.superseded_by.as_ref().map(|id| id.as_str()),
        "issued_at": d.issued_at.to_rfc3339(),
        "signer": d.signer,
        "signer_serial": d.signer_serial,
        "sha256": d.sha256,
        "size_bytes": d.size_bytes,
    })
}

/// The verification page without a document: the form, with `typed` and, for an id that
/// names no document, the refusal next to it (404).
fn not_found(page: &Page, typed: &str) -> PageResult {
    let e = AppError::new(ErrorCode::DocumentNotFound);
    tracing::info!(code = %e.code, "verification of an unknown document");
    page.render_status(
        StatusCode::NOT_FOUND,
        "verify.html",
        json!({
            "typed": typed,
            "error": {"code": e.code.as_str(), "message": e.message(page.lang)},
        }),
    )
}

/// The form to check a document by its id or its QR code's link.
#[get("/verify")]
pub async fn verify_form(page: Page, req: HttpRequest) -> PageResult {
    let q = query(&req);
    let Some(typed) = param(&q, "id") else {
        return page.render("verify.html", json!({}));
    };
    match DocumentId::parse(typed_document_id(typed)) {
        Some(id) => Ok(page.redirect(&format!("/verify/{id}"))),
        // A malformed id is "not found": the answer says nothing about the format.
        None => not_found(&page, typed),
    }
}

/// The public verification page of a document, in the visitor's language.
#[utoipa::path(get, path = "/verify/{document_id}", tag = "documents", params(("document_id" = String, Path)),
    responses((status = 200, content_type = "text/html"), (status = 404, content_type = "text/html"),
        (status = 503, content_type = "text/html")))]
#[get("/verify/{document_id}")]
pub async fn verify_page(page: Page, id: web::Path<String>) -> PageResult {
    let id = id.into_inner();
    let lookup = id.clone();
    match block(&page, move |app| results::public_document(app, &lookup)).await? {
        Ok(p) => page.render(
            "verify.html",
            json!({
                "document": document_json(&page, &p.document),
                "request_number": p.request_number,
            }),
        ),
        Err(e) if e.code == ErrorCode::DocumentNotFound => not_found(&page, &id),
        Err(e) => Err(page.fail(e)),
    }
}

/// The labels of the choices a licence shows by code: its activity sub-kinds and the reason
/// of a re-issue or duplicate, from the catalog's licence services.
fn licence_choices(app: &App) -> BTreeMap<&str, &Text> {
    app.catalog
        .services()
        .filter(|s| s.variants.iter().any(|v| v.licence.is_some()))
        .flat_map(|s| s.form.iter())
        .filter(|f| f.code == "activity_subkinds" || f.code == "reason")
        .flat_map(|f| f.options.iter())
        .map(|c| (c.code.as_str(), &c.label))
        .collect()
}

/// A licence as the registry page shows it: what `GET /api/v1/licences` publishes.
fn licence_json(page: &Page, l: &LicenceView) -> Value {
    let lang = page.lang;
    let choices = licence_choices(&page.app);
    let label = |code: &str| {
        choices
            .get(code)
            .map_or_else(|| code.to_string(), |t| t.get(lang).to_string())
    };
    let (kk, ru, en) = l.status.labels();
    let first = l.documents.first().unwrap_or(&l.current_document);
    let events: Vec<Value> = l
        .events
        .iter()
        .rev()
        .map(|e| {
            json!({
                "at": e.at.to_rfc3339(),
                "event": e.event,
                "document_id": e.document_id.as_str(),
                "by": message(page, &format!("role-{}", e.by_role)).unwrap_or_else(|| e.by_role.clone()),
                "basis": e.basis.as_deref().map(label),
            })
        })
        .collect();
    json!({
        "number": l.number,
        "kind_name": kind_name(page, first),
        "sub_kinds": l.sub_kinds.iter().map(|s| label(s)).collect::<Vec<_>>(),
        "holder_name": l.holder_name,
        "holder_bin": l.holder_bin,
        "holder_iin_masked": l.holder_iin_masked,
        "status": l.status.as_str(),
        "status_label": lang.pick(ru, kk, en),
        "issued_at": first.issued_at.to_rfc3339(),
        "current": {
            "id": l.current_document.id.as_str(),
            "issued_at": l.current_document.issued_at.to_rfc3339(),
            "reissued": l.current_document.id != first.id,
        },
        "events": events,
    })
}

/// The message of a refused search field: the use case's error in the page's language, a
/// licence number's format in plain words.
fn field_error(page: &Page, field: &str, e: &AppError) -> Value {
    let message = match (field, e.code) {
        ("number", ErrorCode::BadRequest) => message(page, "registry-number-invalid")
            .unwrap_or_else(|| e.message(page.lang).to_string()),
        _ => e.message(page.lang).to_string(),
    };
    json!({"code": e.code.as_str(), "message": message})
}

/// The licence registry: search by licence number or by the holder's BIN or IIN.
#[get("/registry")]
pub async fn registry(page: Page, req: HttpRequest) -> PageResult {
    let q = query(&req);
    let number = param(&q, "number").map(str::to_string);
    let holder = param(&q, "holder").map(str::to_string);
    let typed = json!({"number": number, "holder": holder});
    let field = match (&number, &holder) {
        (None, None) => return page.render("registry.html", json!({ "typed": typed })),
        (Some(_), Some(_)) => None,
        (Some(_), None) => Some("number"),
        (None, Some(_)) => Some("holder"),
    };
    let search = LicenceQuery { number, holder };
    match block(&page, move |app| crate::app::licences::search(app, &search)).await? {
        Ok(found) => {
            let licences: Vec<Value> = found.iter().map(|l| licence_json(&page, l)).collect();
            page.render(
                "registry.html",
                json!({ "typed": typed, "searched": true, "licences": licences }),
            )
        }
        Err(e) if e.status < 500 => {
            tracing::info!(code = %e.code, status = e.status, "registry search refused");
            let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST);
            let extra = match field {
                Some(f) => {
                    let mut errors = serde_json::Map::new();
                    errors.insert(f.to_string(), field_error(&page, f, &e));
                    json!({ "typed": typed, "errors": errors })
                }
                None => json!({ "typed": typed, "general": {
                    "code": e.code.as_str(),
                    "message": message(&page, "registry-one-field")
                        .unwrap_or_else(|| e.message(page.lang).to_string()),
                }}),
            };
            page.render_status(status, "registry.html", extra)
        }
        Err(e) => Err(page.fail(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_found_in_a_pasted_link() {
        let id = "Zx8Qm2Lr7VtN4pKc9WbHsA";
        for typed in [
            id.to_string(),
            format!("  {id} "),
            format!("https://ruqsat.example.kz/verify/{id}"),
            format!("http://127.0.0.1:8080/verify/{id}?x=1"),
            format!("https://ruqsat.example.kz/verify/{id}/"),
            format!("ruqsat.example.kz/verify/{id}#top"),
        ] {
            assert_eq!(typed_document_id(&typed), id, "{typed}");
        }
        assert_eq!(typed_document_id("https://ruqsat.example.kz/verify/"), "");
        assert!(DocumentId::parse(typed_document_id("<script>")).is_none());
    }
}
