//! Public pages (no login): `/verify/{document_id}`, the page the QR code on every result
//! document opens. It shows what a holder needs to trust a document — kind, issue date,
//! signer, registry status, SHA-256 — and no personal data of the holder: the id is
//! unguessable, but a support decision about a disabled child must not become public by
//! a photographed QR code.

use crate::app::results::{self, DocumentView};
use crate::app::App;
use crate::error::ErrorCode;
use actix_web::{get, web, HttpResponse};

use crate::html::escape as esc;

fn render(page: &str, d: &DocumentView, request_number: &str) -> String {
    let (kk, ru, en) = d.status.labels();
    let time = |t: chrono::DateTime<chrono::Utc>| {
        t.with_timezone(&chrono_tz::Asia::Almaty)
            .format("%d.%m.%Y %H:%M (UTC+05)")
            .to_string()
    };
    let reason = d
        .status_reason
        .as_deref()
        .map(|r| format!("<p class=\"reason\">{}</p>", esc(r)))
        .unwrap_or_default();
    let superseded = d
        .superseded_by
        .as_ref()
        .map(|id| {
            format!(
                "<p>Жаңа нұсқасы / Новая версия / New version: <a href=\"/verify/{0}\">{0}</a></p>",
                esc(id.as_str())
            )
        })
        .unwrap_or_default();
    page.replace("{{title}}", &esc(&d.title))
        .replace("{{status}}", &esc(d.status.as_str()))
        .replace("{{status_kk}}", kk)
        .replace("{{status_ru}}", ru)
        .replace("{{status_en}}", en)
        .replace("{{status_at}}", &esc(&time(d.status_at)))
        .replace("{{status_reason}}", &reason)
        .replace("{{superseded}}", &superseded)
        .replace("{{id}}", &esc(d.id.as_str()))
        .replace("{{request}}", &esc(request_number))
        .replace("{{issued_at}}", &esc(&time(d.issued_at)))
        .replace("{{signer}}", &esc(&d.signer))
        .replace("{{serial}}", &esc(&d.signer_serial))
        .replace("{{sha256}}", &esc(&d.sha256))
        .replace("{{size}}", &d.size_bytes.to_string())
}

/// The public verification page of a document.
#[utoipa::path(get, path = "/verify/{document_id}", tag = "documents", params(("document_id" = String, Path)),
    responses((status = 200, content_type = "text/html"), (status = 404, content_type = "text/html"),
        (status = 503, content_type = "text/html")))]
#[get("/verify/{document_id}")]
pub async fn verify_page(app: web::Data<App>, id: web::Path<String>) -> HttpResponse {
    let id = id.into_inner();
    let app2 = app.clone();
    let found = web::block(move || results::public_document(&app2, &id)).await;
    match found {
        Ok(Ok(p)) => HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .insert_header(("Cache-Control", "no-store"))
            .body(render(&app.verify_page, &p.document, &p.request_number)),
        Ok(Err(e)) if e.status == 404 => html(
            actix_web::http::StatusCode::NOT_FOUND,
            PAGE_NOT_FOUND.to_string(),
        ),
        Ok(Err(e)) => {
            let status = actix_web::http::StatusCode::from_u16(e.status)
                .unwrap_or(actix_web::http::StatusCode::INTERNAL_SERVER_ERROR);
            if e.status >= 500 {
                tracing::error!(code = %e.code, detail = ?e.detail, "verify page failed");
            }
            html(status, error_page(&e.body().error.message))
        }
        Err(_) => html(
            actix_web::http::StatusCode::SERVICE_UNAVAILABLE,
            error_page(
                &crate::error::AppError::new(ErrorCode::Internal)
                    .body()
                    .error
                    .message,
            ),
        ),
    }
}

/// A page answer: people open this URL from a QR code, so even a failure is a page.
fn html(status: actix_web::http::StatusCode, body: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .body(body)
}

/// The page of a failure other than "no such document", in the three languages.
fn error_page(m: &crate::error::Messages) -> String {
    format!(
        "<!doctype html><html lang=\"kk\"><meta charset=\"utf-8\"><title>Ruqsat</title><body><h1>{} / {} / {}</h1></body></html>",
        esc(&m.kk),
        esc(&m.ru),
        esc(&m.en)
    )
}

static PAGE_NOT_FOUND: &str = "<!doctype html><html lang=\"kk\"><meta charset=\"utf-8\"><title>Ruqsat</title><body><h1>Құжат табылмады / Документ не найден / Document not found</h1><p>Тексеру сілтемесін қайта тексеріңіз. Проверьте ссылку из QR-кода. Check the link from the QR code.</p></body></html>";

handlers!(verify_page);
