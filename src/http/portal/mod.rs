//! The web portal: server-rendered pages over the same `app` use cases as the JSON API.
//!
//! Every page handler takes a [`Page`]: the signed-in user (from the `ruqsat_session`
//! cookie, if any), the page language and the CSRF token. Pages work without JavaScript;
//! scripts only enhance (upload progress, signing in the browser).
//!
//! - **Language**: the language a signed-in user chose with the switch; otherwise the
//!   `ruqsat_lang` cookie the switch set in this browser; otherwise the browser's
//!   `Accept-Language` (kk, ru, en, by quality). The switch (`POST /lang`) stores the
//!   choice on the account, so it follows the user to any browser.
//! - **CSRF**: every form carries the token of the `ruqsat_csrf` cookie (a double-submit
//!   token: HttpOnly, SameSite=Lax, set on the first page); a form without it, or with
//!   another, is refused with `CSRF_REJECTED` before anything happens. The sign-in form
//!   is no exception. Cookie-authenticated API calls are covered by the Origin check of
//!   [`super::csrf_refusal`].
//! - **Errors**: an `AppError` becomes the error page in the user's language, never JSON
//!   or a trace; a page that needs a user sends a visitor to `/login?next=…`.

pub mod account;
pub mod apply;
pub mod cabinet;
pub mod catalog;
pub mod clinic;
pub mod csv;
pub mod flow;
pub mod public;
pub mod requests;
pub mod work;

use super::auth::SESSION_COOKIE;
use crate::app::auth::CurrentUser;
use crate::app::App;
use crate::error::{AppError, ErrorCode, Lang};
use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::{dev::Payload, get, web, FromRequest, HttpRequest, HttpResponse, ResponseError};
use serde_json::{json, Map, Value};
use std::future::Future;
use std::pin::Pin;

pub const CSRF_COOKIE: &str = "ruqsat_csrf";
pub const LANG_COOKIE: &str = "ruqsat_lang";
/// The form field that carries the CSRF token.
pub const CSRF_FIELD: &str = "csrf";

/// Registers the portal's routes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(asset)
        .configure(account::routes)
        .configure(apply::routes)
        .configure(cabinet::routes)
        .configure(catalog::routes)
        .configure(clinic::routes)
        .configure(flow::routes)
        .configure(public::routes)
        .configure(requests::routes)
        .configure(work::routes);
}

/// The language a browser asks for: the `Accept-Language` entry of highest quality among
/// Kazakh, Russian and English; Russian when none of them is asked for.
pub fn negotiate(header: Option<&str>) -> Lang {
    let mut best: Option<(f32, usize, Lang)> = None;
    for (i, part) in header.unwrap_or("").split(',').enumerate() {
        let mut it = part.split(';');
        let tag = it.next().unwrap_or("").trim();
        let q = it
            .find_map(|p| p.trim().strip_prefix("q="))
            .and_then(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        let primary = tag
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        let lang = match primary.as_str() {
            "kk" => Lang::Kk,
            "ru" => Lang::Ru,
            "en" => Lang::En,
            _ => continue,
        };
        if q > 0.0 && best.is_none_or(|(bq, bi, _)| q > bq || (q == bq && i < bi)) {
            best = Some((q, i, lang));
        }
    }
    best.map_or(Lang::Ru, |(_, _, l)| l)
}

fn random_token() -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut b = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

/// Constant-time comparison of two tokens.
fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// One page view: who asks, in which language, with which CSRF token.
pub struct Page {
    pub app: web::Data<App>,
    pub lang: Lang,
    /// The language this browser chose with the switch (the `ruqsat_lang` cookie).
    pub chosen_lang: Option<Lang>,
    pub user: Option<CurrentUser>,
    /// An applicant's unread notifications, shown in the navigation (pages only, not posts).
    pub unread: Option<i64>,
    pub csrf: String,
    /// The CSRF cookie is new and must be set on the answer.
    new_csrf: bool,
    /// Path and query of this page (the `next` of a sign-in).
    pub path: String,
    /// The request is a GET (a page, not a form's post).
    get: bool,
    secure: bool,
}

impl FromRequest for Page {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let app = req.app_data::<web::Data<App>>().cloned();
        let token = req.cookie(SESSION_COOKIE).map(|c| c.value().to_string());
        let chosen = req.cookie(LANG_COOKIE).map(|c| Lang::from_tag(c.value()));
        let asked = negotiate(
            req.headers()
                .get(actix_web::http::header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok()),
        );
        let csrf = req
            .cookie(CSRF_COOKIE)
            .map(|c| c.value().to_string())
            .filter(|v| v.len() >= 32);
        let path = req
            .uri()
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_string();
        let is_get = req.method() == actix_web::http::Method::GET;
        Box::pin(async move {
            let app =
                app.ok_or_else(|| actix_web::error::ErrorInternalServerError("app data missing"))?;
            let secure = app.config.public_url.starts_with("https://");
            let (user, unread) = match token.filter(|t| !t.is_empty()) {
                Some(t) => {
                    let a = app.clone();
                    // A stale or revoked session is simply no session on a page.
                    web::block(move || {
                        let user = crate::app::auth::authenticate(&a, &t).ok()?;
                        let unread = (is_get && user.role == crate::domain::roles::Role::Applicant)
                            .then(|| crate::app::notify::unread(&a, &user.id).ok())
                            .flatten();
                        Some((user, unread))
                    })
                    .await
                    .ok()
                    .flatten()
                    .map_or((None, None), |(u, n)| (Some(u), n))
                }
                None => (None, None),
            };
            let lang = user
                .as_ref()
                .filter(|u| u.lang_chosen)
                .map(|u| u.lang)
                .or(chosen)
                .unwrap_or(asked);
            let (csrf, new_csrf) = match csrf {
                Some(c) => (c, false),
                None => (random_token(), true),
            };
            Ok(Page {
                app,
                lang,
                chosen_lang: chosen,
                user,
                unread,
                csrf,
                new_csrf,
                path,
                get: is_get,
                secure,
            })
        })
    }
}

/// A page that could not be shown: the error page (or a redirect), ready to send. Its
/// `Debug` shows the status only: the page may hold personal data, which logs never do.
pub struct Fail {
    status: StatusCode,
    body: String,
    location: Option<String>,
    retry_after: Option<u64>,
}

impl std::fmt::Debug for Fail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fail")
            .field("status", &self.status)
            .finish()
    }
}

impl std::fmt::Display for Fail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "page failed with {}", self.status)
    }
}

impl ResponseError for Fail {
    fn status_code(&self) -> StatusCode {
        self.status
    }
    fn error_response(&self) -> HttpResponse {
        let mut r = HttpResponse::build(self.status);
        r.insert_header(("Cache-Control", "no-store"));
        if let Some(l) = &self.location {
            r.insert_header(("Location", l.as_str()));
        }
        if let Some(s) = self.retry_after {
            r.insert_header(("Retry-After", s.to_string()));
        }
        r.content_type("text/html; charset=utf-8")
            .body(self.body.clone())
    }
}

pub type PageResult = Result<HttpResponse, Fail>;

/// A signed-in user's name and role for the layout.
fn user_json(u: &CurrentUser) -> Value {
    json!({
        "login": u.login,
        "full_name": u.full_name,
        "role": u.role.as_str(),
        "staff": u.role != crate::domain::roles::Role::Applicant,
    })
}

/// Who views a page, for its template: the user, the language, the form token and the path.
pub struct Viewer<'a> {
    pub lang: Lang,
    pub user: Option<&'a CurrentUser>,
    /// The user's unread notifications, when counted.
    pub unread: Option<i64>,
    pub csrf: &'a str,
    pub path: &'a str,
}

/// The context every template gets, with `extra` merged in.
fn context_of(app: &App, v: &Viewer<'_>, extra: Value) -> minijinja::Value {
    let mut m = Map::new();
    m.insert("lang".into(), json!(v.lang.as_str()));
    m.insert("csrf".into(), json!(v.csrf));
    m.insert("path".into(), json!(v.path));
    m.insert("demo".into(), json!(app.config.demo_data));
    m.insert("user".into(), v.user.map_or(Value::Null, user_json));
    m.insert("unread_notifications".into(), json!(v.unread.unwrap_or(0)));
    if let Value::Object(extra) = extra {
        m.extend(extra);
    }
    minijinja::Value::from_serialize(&m)
}

/// Page template `name` rendered for `viewer` with `extra`: what a page handler answers,
/// without HTTP (the scale bench times it).
pub fn render_page(
    app: &App,
    viewer: &Viewer<'_>,
    name: &str,
    extra: Value,
) -> Result<String, minijinja::Error> {
    app.pages.render(name, context_of(app, viewer, extra))
}

impl Page {
    fn viewer(&self) -> Viewer<'_> {
        Viewer {
            lang: self.lang,
            user: self.user.as_ref(),
            unread: self.unread,
            csrf: &self.csrf,
            path: &self.path,
        }
    }

    /// The context every template gets, with `extra` merged in.
    fn context(&self, extra: Value) -> minijinja::Value {
        context_of(&self.app, &self.viewer(), extra)
    }

    fn cookies(&self, r: &mut actix_web::HttpResponseBuilder) {
        if self.new_csrf {
            r.cookie(
                Cookie::build(CSRF_COOKIE, self.csrf.clone())
                    .path("/")
                    .http_only(true)
                    .same_site(SameSite::Lax)
                    .secure(self.secure)
                    .finish(),
            );
        }
    }

    /// Template `name` rendered with `extra`, answered with `status`.
    pub fn render_status(&self, status: StatusCode, name: &str, extra: Value) -> PageResult {
        match render_page(&self.app, &self.viewer(), name, extra) {
            Ok(body) => {
                let mut r = HttpResponse::build(status);
                self.cookies(&mut r);
                Ok(r.content_type("text/html; charset=utf-8")
                    .insert_header(("Cache-Control", "no-store"))
                    .body(body))
            }
            Err(e) => {
                tracing::error!(template = name, error = %e, "page template failed");
                Err(self.fail(AppError::new(ErrorCode::Internal)))
            }
        }
    }

    /// Template `name` rendered with `extra` (200).
    pub fn render(&self, name: &str, extra: Value) -> PageResult {
        self.render_status(StatusCode::OK, name, extra)
    }

    /// A `303 See Other` to `to` (after a form).
    pub fn redirect(&self, to: &str) -> HttpResponse {
        let mut r = HttpResponse::SeeOther();
        self.cookies(&mut r);
        r.insert_header(("Location", to)).finish()
    }

    /// The error page of `e` in the page's language; a missing session sends the visitor
    /// to the sign-in page, coming back here afterwards.
    pub fn fail(&self, e: AppError) -> Fail {
        if e.status == 401 {
            // Back to this page after signing in; after a form, to the start page (the
            // form's address is not a page).
            let next = if self.get && self.path.starts_with('/') && !self.path.starts_with("//") {
                self.path.clone()
            } else {
                "/".to_string()
            };
            return Fail {
                status: StatusCode::SEE_OTHER,
                body: String::new(),
                location: Some(format!(
                    "/login?next={}",
                    percent_encoding::utf8_percent_encode(
                        &next,
                        percent_encoding::NON_ALPHANUMERIC
                    )
                )),
                retry_after: None,
            };
        }
        if e.status >= 500 {
            tracing::error!(code = %e.code, detail = ?e.detail, "page failed");
        } else {
            tracing::info!(code = %e.code, detail = ?e.detail, status = e.status, "page refused");
        }
        let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let ctx = self.context(json!({
            "status": e.status,
            "code": e.code.as_str(),
            "message": e.message(self.lang),
        }));
        let body = self
            .app
            .pages
            .render("error.html", ctx)
            .unwrap_or_else(|_| {
                format!(
                    "<!doctype html><html lang=\"{}\"><title>{}</title><h1>{}</h1></html>",
                    self.lang.as_str(),
                    e.status,
                    crate::html::escape(e.message(self.lang))
                )
            });
        Fail {
            status,
            body,
            location: None,
            retry_after: e.retry_after,
        }
    }

    /// The signed-in user, or the sign-in page.
    pub fn user(&self) -> Result<&CurrentUser, Fail> {
        self.user
            .as_ref()
            .ok_or_else(|| self.fail(AppError::new(ErrorCode::Unauthenticated)))
    }

    /// Refuses a form whose CSRF token is not this browser's.
    pub fn check_csrf(&self, sent: Option<&str>) -> Result<(), Fail> {
        match sent {
            Some(s) if !self.new_csrf && same_token(s, &self.csrf) => Ok(()),
            _ => {
                tracing::warn!(path = %self.path, "page form without a valid CSRF token refused");
                Err(self.fail(AppError::new(ErrorCode::CsrfRejected)))
            }
        }
    }

    /// Runs a use case on the blocking pool; its error becomes the error page.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&App) -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, Fail> {
        let app = self.app.clone();
        match web::block(move || f(&app)).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(self.fail(e)),
            Err(e) => Err(self.fail(AppError::internal(e))),
        }
    }
}

/// A submitted form, its CSRF token checked by [`Form::checked`]: the pairs in the order
/// sent. A single-valued field reads as its last value ([`Form::get`], [`Form::text`]); a
/// repeated one (a multi-select) from [`Form::pairs`].
pub struct Form(Vec<(String, String)>);

impl Form {
    /// The fields, once the CSRF token is this browser's.
    pub fn checked(page: &Page, form: web::Form<Vec<(String, String)>>) -> Result<Form, Fail> {
        let form = Form(form.into_inner());
        page.check_csrf(form.get(CSRF_FIELD))?;
        Ok(form)
    }

    /// The field's last value as sent.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The field's last value trimmed; `None` when it is missing or blank.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.get(name).map(str::trim).filter(|v| !v.is_empty())
    }

    /// The field's last value trimmed, blank when missing.
    pub fn text_or_blank(&self, name: &str) -> String {
        self.text(name).unwrap_or_default().to_string()
    }

    /// Every field by name with its last value, in name order.
    pub fn fields(&self) -> std::collections::BTreeMap<&str, &str> {
        self.0
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }

    /// What was typed, to show the form again: every field but the CSRF token.
    pub fn typed(&self) -> std::collections::BTreeMap<String, String> {
        self.fields()
            .into_iter()
            .filter(|(k, _)| *k != CSRF_FIELD)
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// The pairs in the order sent (the catalog form reads multi-selects from them).
    pub fn pairs(&self) -> &[(String, String)] {
        &self.0
    }
}

/// The form body config of the pages: a bad or oversize form is the error page in the
/// user's language, like every other refusal.
pub fn form_config() -> web::FormConfig {
    web::FormConfig::default().limit(256 * 1024).error_handler(|err, _req| {
        let e = AppError::with(ErrorCode::BadRequest, err.to_string());
        actix_web::error::InternalError::from_response(
            err,
            HttpResponse::BadRequest()
                .content_type("text/html; charset=utf-8")
                .body(format!(
                    "<!doctype html><html lang=\"ru\"><title>400</title><h1>{}</h1><p>{}</p><p>{}</p></html>",
                    e.message(Lang::Kk),
                    e.message(Lang::Ru),
                    e.message(Lang::En)
                )),
        )
        .into()
    })
}

/// Static assets of the pages (`templates/pages/static`): versioned by content (`?v=`), so
/// they are cached for a year.
#[get("/static/{path:.*}")]
pub async fn asset(app: web::Data<App>, path: web::Path<String>, req: HttpRequest) -> HttpResponse {
    match app.pages.asset(&path) {
        Some(a) => {
            let etag = format!("\"{}\"", a.version);
            let unchanged = req
                .headers()
                .get(actix_web::http::header::IF_NONE_MATCH)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v == etag);
            let mut r = if unchanged {
                HttpResponse::NotModified()
            } else {
                HttpResponse::Ok()
            };
            r.insert_header(("ETag", etag))
                .insert_header(("Cache-Control", "public, max-age=31536000, immutable"));
            if unchanged {
                r.finish()
            } else {
                r.content_type(a.content_type).body(a.bytes.clone())
            }
        }
        None => HttpResponse::NotFound()
            .content_type("text/plain; charset=utf-8")
            .body("not found"),
    }
}

/// The not-found page of any path outside the API, in the visitor's language.
pub async fn not_found(page: Page) -> PageResult {
    Err(page.fail(AppError::with(ErrorCode::NotFound, super::NO_ROUTE)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_browsers_language_is_taken_by_quality() {
        assert_eq!(
            negotiate(Some("kk-KZ,kk;q=0.9,ru;q=0.8,en;q=0.7")),
            Lang::Kk
        );
        assert_eq!(negotiate(Some("de-DE,ru;q=0.5,en;q=0.9")), Lang::En);
        assert_eq!(negotiate(Some("ru-RU")), Lang::Ru);
        assert_eq!(negotiate(Some("fr")), Lang::Ru);
        assert_eq!(negotiate(None), Lang::Ru);
        assert_eq!(negotiate(Some("en;q=0, kk;q=0.1")), Lang::Kk);
    }

    #[test]
    fn tokens_compare_whole() {
        assert!(same_token("abc", "abc"));
        assert!(!same_token("abc", "abd"));
        assert!(!same_token("abc", "ab"));
    }
}
