//! Sign-in, sign-out and the language switch.

use super::{Form, Page, PageResult, LANG_COOKIE};
use crate::error::{ErrorCode, Lang};
use crate::http::auth::SESSION_COOKIE;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::json;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(home)
        .service(login_page)
        .service(login)
        .service(logout)
        .service(switch_lang)
        .service(register_page)
        .service(register);
}

/// A local path to come back to (never another site: `//host` or `https://…`).
pub fn local_path(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") => {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

/// The start page: the applicant's requests once signed in, the sign-in page before.
#[get("/")]
pub async fn home(page: Page) -> HttpResponse {
    match &page.user {
        Some(u) => page.redirect(super::work::start_page(u.role)),
        None => page.redirect("/login"),
    }
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
    /// Set after a registration: the new login, to welcome and fill in.
    registered: Option<String>,
}

/// Demo users for the sign-in page (demo mode only): login, password, name, role.
fn demo_users(page: &Page) -> serde_json::Value {
    if !page.app.config.demo_data {
        return json!([]);
    }
    let users = crate::demo::seed::demo_users().unwrap_or_default();
    json!(users
        .iter()
        .map(|u| json!({
            "login": u.login,
            "password": crate::demo::seed::demo_password(&u.login),
            "full_name": u.full_name,
            "role": u.role.as_str(),
        }))
        .collect::<Vec<_>>())
}

fn login_form(
    page: &Page,
    status: StatusCode,
    next: &str,
    typed: &str,
    error: Option<(ErrorCode, Option<u64>)>,
) -> PageResult {
    page.render_status(
        status,
        "login.html",
        json!({
            "next": next,
            "login": typed,
            "error": error.map(|(c, _)| c.as_str()),
            "retry_minutes": error.and_then(|(_, s)| s).map(|s| s.div_ceil(60)),
            "retry_seconds": error.and_then(|(_, s)| s),
            "demo_users": demo_users(page),
            "registered": error.is_none() && !typed.is_empty(),
        }),
    )
}

/// The sign-in page.
#[get("/login")]
pub async fn login_page(page: Page, q: web::Query<NextQuery>) -> PageResult {
    let next = local_path(q.next.as_deref());
    if page.user.is_some() {
        return Ok(page.redirect(&next));
    }
    let registered = q.registered.as_deref().unwrap_or("");
    login_form(&page, StatusCode::OK, &next, registered, None)
}

/// Signs in: the session cookie (HttpOnly, SameSite=Lax, Secure over TLS), the user's
/// language (docs/web.md § Language), then back to `next`.
#[post("/login")]
pub async fn login(
    page: Page,
    req: HttpRequest,
    form: web::Form<Vec<(String, String)>>,
) -> PageResult {
    let form = Form::checked(&page, form)?;
    let next = local_path(form.get("next"));
    let typed = form.text_or_blank("login");
    let password = form.get("password").unwrap_or("").to_string();
    let address = req.peer_addr().map(|a| a.ip().to_string());
    let (lang, chosen) = (page.lang, page.chosen_lang);
    let (l2, app) = (typed.clone(), page.app.clone());
    let outcome = web::block(move || {
        let (token, user) = crate::app::auth::login(&app, &l2, &password, address.as_deref())?;
        // A language chosen in this browser before signing in is the user's choice; else
        // the browser's language is kept for the mail, unless the user chose one earlier.
        match chosen {
            Some(l) => crate::app::accounts::choose_language(&app, &user.id, l)?,
            None => crate::app::accounts::set_language(&app, &user.id, lang)?,
        }
        Ok::<_, crate::error::AppError>(token)
    })
    .await;
    match outcome {
        Ok(Ok(token)) => {
            let cookie = Cookie::build(SESSION_COOKIE, token)
                .path("/")
                .http_only(true)
                .same_site(SameSite::Lax)
                .secure(page.app.config.public_url.starts_with("https://"))
                .finish();
            let mut r = page.redirect(&next);
            r.add_cookie(&cookie)
                .map_err(|e| page.fail(crate::error::AppError::internal(e)))?;
            Ok(r)
        }
        Ok(Err(e)) if e.status < 500 || e.code == ErrorCode::LoginBusy => {
            let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::UNAUTHORIZED);
            login_form(&page, status, &next, &typed, Some((e.code, e.retry_after)))
        }
        Ok(Err(e)) => Err(page.fail(e)),
        Err(e) => Err(page.fail(crate::error::AppError::internal(e))),
    }
}

/// Signs out and forgets the session.
#[post("/logout")]
pub async fn logout(
    page: Page,
    req: HttpRequest,
    form: web::Form<Vec<(String, String)>>,
) -> PageResult {
    Form::checked(&page, form)?;
    if let Some(token) = req.cookie(SESSION_COOKIE).map(|c| c.value().to_string()) {
        page.run(move |app| crate::app::auth::logout(app, &token))
            .await?;
    }
    let mut r = page.redirect("/login");
    let mut gone = Cookie::build(SESSION_COOKIE, "").path("/").finish();
    gone.make_removal();
    r.add_cookie(&gone)
        .map_err(|e| page.fail(crate::error::AppError::internal(e)))?;
    Ok(r)
}

/// The language switch: remembered in a cookie and, for a signed-in user, on the account.
#[post("/lang")]
pub async fn switch_lang(page: Page, form: web::Form<Vec<(String, String)>>) -> PageResult {
    let form = Form::checked(&page, form)?;
    let lang = match form.get("lang") {
        Some(l @ ("kk" | "ru" | "en")) => Lang::from_tag(l),
        _ => return Err(page.fail(crate::error::AppError::with(ErrorCode::BadRequest, "lang"))),
    };
    if let Some(u) = &page.user {
        let id = u.id.clone();
        page.run(move |app| crate::app::accounts::choose_language(app, &id, lang))
            .await?;
    }
    let mut r = page.redirect(&local_path(form.get("back")));
    let cookie = Cookie::build(LANG_COOKIE, lang.as_str())
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .max_age(actix_web::cookie::time::Duration::days(365))
        .finish();
    r.add_cookie(&cookie)
        .map_err(|e| page.fail(crate::error::AppError::internal(e)))?;
    Ok(r)
}

/// The registration form with a fresh challenge to sign (R-000-14, R-003-15, R-004-25).
async fn register_form(
    page: &Page,
    status: StatusCode,
    typed: serde_json::Value,
    error: Option<(&str, String)>,
) -> PageResult {
    let challenge = page.run(crate::app::registration::challenge).await?;
    page.render_status(
        status,
        "register.html",
        json!({
            "challenge": challenge.challenge,
            "typed": typed,
            "error": error.map(|(code, message)| json!({"code": code, "message": message})),
        }),
    )
}

/// Registration as an applicant: the account's IIN (and BIN) come from the certificate
/// that signs the challenge.
#[get("/register")]
pub async fn register_page(page: Page) -> PageResult {
    if page.user.is_some() {
        return Ok(page.redirect("/requests"));
    }
    register_form(&page, StatusCode::OK, json!({}), None).await
}

/// Registers (multipart: `csrf`, `challenge`, `login`, `password`, `email`, and the
/// detached CMS over the challenge as base64 `signature`, made in the browser, or as the
/// file `cms`), then sends the new user to sign in.
#[post("/register")]
pub async fn register(page: Page, payload: actix_multipart::Multipart) -> PageResult {
    use base64::Engine;
    let parts = crate::http::multipart::read(
        payload,
        "cms",
        256 * 1024,
        &[
            (super::CSRF_FIELD, 1024),
            ("challenge", 1024),
            ("login", 1024),
            ("password", 1024),
            ("email", 1024),
            // A detached CMS with its certificate chain, base64.
            ("signature", 256 * 1024),
        ],
    )
    .await
    .map_err(|e| page.fail(e))?;
    page.check_csrf(parts.text(super::CSRF_FIELD))?;
    let text = |n: &str| parts.text(n).unwrap_or("").trim().to_string();
    let signature = match (text("signature"), &parts.file) {
        (s, _) if !s.is_empty() => s,
        (_, Some((_, der))) if !der.is_empty() => {
            base64::engine::general_purpose::STANDARD.encode(der)
        }
        _ => String::new(),
    };
    let typed = json!({"login": text("login"), "email": text("email")});
    if signature.is_empty() {
        let message = ErrorCode::SignatureMalformed.message(page.lang).to_string();
        return register_form(
            &page,
            StatusCode::UNPROCESSABLE_ENTITY,
            typed,
            Some(("SIGNATURE_MALFORMED", message)),
        )
        .await;
    }
    let registration = crate::app::registration::Registration {
        challenge: text("challenge"),
        signature,
        login: text("login"),
        password: parts.text("password").unwrap_or("").to_string(),
        email: Some(text("email")).filter(|e| !e.is_empty()),
    };
    let app = page.app.clone();
    match web::block(move || crate::app::registration::register(&app, registration)).await {
        Ok(Ok(account)) => Ok(page.redirect(&format!(
            "/login?registered={}",
            percent_encoding::utf8_percent_encode(
                &account.login,
                percent_encoding::NON_ALPHANUMERIC
            )
        ))),
        Ok(Err(e)) if e.status < 500 => {
            let message = e.message(page.lang).to_string();
            register_form(
                &page,
                StatusCode::from_u16(e.status).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY),
                typed,
                Some((e.code.as_str(), message)),
            )
            .await
        }
        Ok(Err(e)) => Err(page.fail(e)),
        Err(e) => Err(page.fail(crate::error::AppError::internal(e))),
    }
}
