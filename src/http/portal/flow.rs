//! What an applicant does with their request on its page: upload documents, submit, pay
//! in the gateway, sign, withdraw. Each action is the API's use case; the page only turns
//! its answer into a redirect back to the request (or the error page).

use super::{Form, Page, PageResult, CSRF_FIELD};
use crate::app::requests::{self, TransitionInput, Upload};
use crate::error::{AppError, ErrorCode};
use actix_multipart::Multipart;
use actix_web::{get, post, web, HttpResponse};
use serde_json::json;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(upload)
        .service(act)
        .service(pay)
        .service(sign_page)
        .service(signature)
        .service(demo_key);
}

fn back(number: &str, anchor: &str) -> String {
    format!("/requests/{number}{anchor}")
}

/// Uploads one document (multipart: `csrf`, `doc_type`, `file`).
#[post("/requests/{number}/attachments")]
pub async fn upload(page: Page, number: web::Path<String>, payload: Multipart) -> PageResult {
    let user = page.user()?.clone();
    let parts = crate::http::multipart::read(
        payload,
        "file",
        page.app.config.max_upload_bytes,
        &[(CSRF_FIELD, 1024), ("doc_type", 1024)],
    )
    .await
    .map_err(|e| page.fail(e))?;
    page.check_csrf(parts.text(CSRF_FIELD))?;
    let doc_type = parts
        .text("doc_type")
        .map(|t| t.trim().to_string())
        .ok_or_else(|| page.fail(AppError::with(ErrorCode::BadRequest, "doc_type")))?;
    let (file_name, bytes) = parts
        .file
        .filter(|(_, b)| !b.is_empty())
        .ok_or_else(|| page.fail(AppError::with(ErrorCode::BadRequest, "no file chosen")))?;
    let number = number.into_inner();
    let n = number.clone();
    page.run(move |app| {
        requests::attach(
            app,
            &user,
            &n,
            Upload {
                doc_type,
                file_name,
                bytes,
                original_seen: None,
                original_returned: None,
            },
        )
    })
    .await?;
    Ok(page.redirect(&back(&number, "#upload")))
}

/// The applicant's own transitions from the page: `submit` and `withdraw`.
#[post("/requests/{number}/{action:submit|withdraw}")]
pub async fn act(
    page: Page,
    path: web::Path<(String, String)>,
    form: web::Form<Vec<(String, String)>>,
) -> PageResult {
    let user = page.user()?.clone();
    Form::checked(&page, form)?;
    let (number, action) = path.into_inner();
    let n = number.clone();
    page.run(move |app| {
        requests::transition(
            app,
            &user,
            &n,
            TransitionInput {
                action,
                ..TransitionInput::default()
            },
        )
    })
    .await?;
    Ok(page.redirect(&back(&number, "")))
}

/// Pays in the gateway: starts (or resumes) the payment and sends the browser to the
/// gateway's payment page, which brings it back to the request (R-003-20).
#[post("/requests/{number}/pay")]
pub async fn pay(
    page: Page,
    number: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> PageResult {
    let user = page.user()?.clone();
    Form::checked(&page, form)?;
    let number = number.into_inner();
    let n = number.clone();
    let view = page
        .run(move |app| crate::app::payments::start(app, &user, &n))
        .await?;
    match view.payment_page_url {
        Some(url) => Ok(page.redirect(&url)),
        None => Ok(page.redirect(&back(&number, ""))),
    }
}

/// The signing page: sign in the browser with a PKCS#12 file (the key stays in the
/// browser), or upload a detached CMS made by `ruqsat sign --payload`.
#[get("/requests/{number}/sign")]
pub async fn sign_page(page: Page, number: web::Path<String>) -> PageResult {
    page.user()?;
    render_sign(&page, number.into_inner(), None).await
}

/// Where a staff page's signing form sends the signature and leads back to.
pub struct SignTarget {
    pub submit_url: String,
    pub back_url: String,
}

/// The signing page of request `number` (`sign.html`), for the applicant's own page, or for
/// a staff page (`target`): the signer is then the employee who entered the request.
pub async fn render_sign(page: &Page, number: String, target: Option<SignTarget>) -> PageResult {
    let user = page.user()?.clone();
    let u = user.clone();
    let view = page.run(move |app| requests::get(app, &u, &number)).await?;
    let has_demo_key = page.app.config.demo_data && demo_key_path(page, &user.login).is_some();
    page.render(
        "sign.html",
        json!({
            "request": view,
            "demo_key": has_demo_key,
            "signer_is_employee": target.is_some(),
            "submit_url": target.as_ref().map(|t| t.submit_url.clone()),
            "back_url": target.as_ref().map(|t| t.back_url.clone()),
        }),
    )
}

/// Takes the signature (multipart: `csrf`, `cms` file): signed and registered, or the
/// refusal's reason on the error page (expired, revoked, another IIN…).
#[post("/requests/{number}/signature")]
pub async fn signature(page: Page, number: web::Path<String>, payload: Multipart) -> PageResult {
    let number = number.into_inner();
    accept_signature(&page, number.clone(), payload).await?;
    Ok(page.redirect(&back(&number, "")))
}

/// Reads a signing form (multipart: `csrf`, `cms` file) and submits its signature of
/// request `number` ([`crate::app::signing::submit_signature`]).
pub async fn accept_signature(
    page: &Page,
    number: String,
    payload: Multipart,
) -> Result<crate::app::views::RequestView, super::Fail> {
    let user = page.user()?.clone();
    let parts = crate::http::multipart::read(payload, "cms", 256 * 1024, &[(CSRF_FIELD, 1024)])
        .await
        .map_err(|e| page.fail(e))?;
    page.check_csrf(parts.text(CSRF_FIELD))?;
    let cms = parts
        .file
        .map(|(_, b)| b)
        .filter(|b| !b.is_empty())
        .ok_or_else(|| {
            page.fail(AppError::with(
                ErrorCode::SignatureMalformed,
                "no signature file",
            ))
        })?;
    page.run(move |app| crate::app::signing::submit_signature(app, &user, &number, &cms))
        .await
}

/// The demo PKCS#12 file of a demo user, if this server runs the demo PKI.
fn demo_key_path(page: &Page, login: &str) -> Option<std::path::PathBuf> {
    let ok = !login.is_empty() && login.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    let p = page
        .app
        .pki
        .demo_dir
        .as_ref()?
        .join("users")
        .join(format!("{login}.p12"));
    (ok && p.is_file()).then_some(p)
}

/// Demo mode only: the signed-in demo user's own PKCS#12 file (password `ruqsat-demo`), to
/// try signing in the browser. Never served with a real PKI.
#[get("/me/demo-key.p12")]
pub async fn demo_key(page: Page) -> PageResult {
    let user = page.user()?;
    let path = page
        .app
        .config
        .demo_data
        .then(|| demo_key_path(&page, &user.login))
        .flatten()
        .ok_or_else(|| page.fail(AppError::new(ErrorCode::NotFound)))?;
    let bytes = std::fs::read(&path).map_err(|e| page.fail(AppError::internal(e)))?;
    Ok(HttpResponse::Ok()
        .content_type("application/x-pkcs12")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{}.p12\"", user.login),
        ))
        .insert_header(("Cache-Control", "no-store"))
        .body(bytes))
}
