//! JSON API v1. Handlers parse, authorise (via [`Authed`]), call one use case on a
//! blocking thread, and map the result. No business rule lives here.

use super::auth::{token_of, Authed, SESSION_COOKIE};
use super::errors::blocking;
use crate::app::requests::{self, ListQuery, NewRequest, TransitionInput, Upload};
use crate::app::results::DocumentView;
use crate::app::views::{HistoryEntry, RequestPage, RequestView};
use crate::app::{auth, App};
use crate::domain::catalog::{Service, Workflow};
use crate::domain::ids::UserId;
use crate::domain::lifecycle::State;
use crate::domain::roles::Role;
use crate::error::{AppError, ErrorBody, ErrorCode};
use actix_multipart::Multipart;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

type Res<T> = Result<T, AppError>;

pub(super) async fn run<T: Send + 'static>(f: impl FnOnce() -> Res<T> + Send + 'static) -> Res<T> {
    web::block(f).await.map_err(blocking)?
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Health {
    pub status: String,
    pub database: String,
    pub version: String,
    /// МРП and working calendar of the current and next year; `missing` lists what to add.
    pub yearly_data: crate::app::yearly::YearlyDataHealth,
}

/// Liveness, database reachability, and the yearly data (a missing МРП or calendar is a
/// warning in `yearly_data.missing`; it does not change the status).
#[utoipa::path(get, path = "/health", tag = "ops", responses((status = 200, body = Health), (status = 503, body = Health)))]
#[get("/health")]
pub async fn health(app: web::Data<App>) -> HttpResponse {
    let app2 = app.clone();
    let db_ok = web::block(move || app2.database_reachable())
        .await
        .unwrap_or(false);
    let body = Health {
        status: if db_ok { "ok" } else { "degraded" }.into(),
        database: app.backend_name().into(),
        version: env!("CARGO_PKG_VERSION").into(),
        yearly_data: crate::app::yearly::status(&app),
    };
    if db_ok {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}

/// Prometheus metrics (text exposition format).
#[utoipa::path(get, path = "/metrics", tag = "ops", responses((status = 200, description = "Prometheus text format")))]
#[get("/metrics")]
pub async fn metrics() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(crate::metrics::render())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginInput {
    pub login: String,
    pub password: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Me {
    pub id: UserId,
    pub login: String,
    pub role: Role,
    pub full_name: String,
    pub iin: Option<String>,
    pub bin: Option<String>,
}

impl From<&auth::CurrentUser> for Me {
    fn from(u: &auth::CurrentUser) -> Self {
        Me {
            id: u.id.clone(),
            login: u.login.clone(),
            role: u.role,
            full_name: u.full_name.clone(),
            iin: u.iin.as_ref().map(|i| i.as_str().to_string()),
            bin: u.bin.as_ref().map(|b| b.as_str().to_string()),
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LoginResult {
    /// Bearer token for `Authorization: Bearer …`; also set as the `ruqsat_session` cookie.
    pub token: String,
    pub user: Me,
}

/// Log in with login and password (R-000-15, R-003-17, R-004-14).
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginInput,
    responses((status = 200, body = LoginResult), (status = 401, body = ErrorBody), (status = 400, body = ErrorBody),
        (status = 429, body = ErrorBody, description = "`TOO_MANY_ATTEMPTS`: wait `Retry-After` seconds",
            headers(("Retry-After" = u64, description = "seconds until the next attempt is heard"))),
        (status = 503, body = ErrorBody, description = "`LOGIN_BUSY`: too many password checks at once")))]
#[post("/api/v1/auth/login")]
pub async fn login(
    app: web::Data<App>,
    req: HttpRequest,
    input: web::Json<LoginInput>,
) -> Res<HttpResponse> {
    let input = input.into_inner();
    // The connection's address (not a forwarded header, which a client can forge).
    let address = req.peer_addr().map(|a| a.ip().to_string());
    // Over TLS the cookie is never sent in clear.
    let secure = app.config.public_url.starts_with("https://");
    // The language of the person's mail: the one their browser asks for now.
    let lang = req
        .headers()
        .contains_key(actix_web::http::header::ACCEPT_LANGUAGE)
        .then(|| super::mail::lang_of(&req));
    let (token, user) = run(move || {
        let (token, user) = auth::login(&app, &input.login, &input.password, address.as_deref())?;
        if let Some(lang) = lang {
            crate::app::accounts::set_language(&app, &user.id, lang)?;
        }
        Ok((token, user))
    })
    .await?;
    let cookie = Cookie::build(SESSION_COOKIE, token.clone())
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .finish();
    Ok(HttpResponse::Ok().cookie(cookie).json(LoginResult {
        token,
        user: Me::from(&user),
    }))
}

/// End the session.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", responses((status = 204), (status = 401, body = ErrorBody)), security(("bearer" = [])))]
#[post("/api/v1/auth/logout")]
pub async fn logout(app: web::Data<App>, req: HttpRequest, _user: Authed) -> Res<HttpResponse> {
    let token = token_of(&req).unwrap_or_default();
    run(move || auth::logout(&app, &token)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The current user.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", responses((status = 200, body = Me), (status = 401, body = ErrorBody)), security(("bearer" = [])))]
#[get("/api/v1/me")]
pub async fn me(user: Authed) -> HttpResponse {
    HttpResponse::Ok().json(Me::from(&user.0))
}

/// The service catalog: all services with variants, channels, documents and form fields.
#[utoipa::path(get, path = "/api/v1/services", tag = "catalog", responses((status = 200, body = Vec<Service>)))]
#[get("/api/v1/services")]
pub async fn services(app: web::Data<App>) -> HttpResponse {
    let list: Vec<&Service> = app.catalog.services().collect();
    HttpResponse::Ok().json(list)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceDetail {
    pub service: Service,
    pub workflow: Workflow,
}

/// One service with its workflow (allowed transitions).
#[utoipa::path(get, path = "/api/v1/services/{code}", tag = "catalog", params(("code" = String, Path)),
    responses((status = 200, body = ServiceDetail), (status = 404, body = ErrorBody)))]
#[get("/api/v1/services/{code}")]
pub async fn service(app: web::Data<App>, code: web::Path<String>) -> Res<HttpResponse> {
    let s = app
        .catalog
        .service(&code)
        .ok_or_else(|| AppError::with(ErrorCode::UnknownService, code.into_inner()))?;
    let w = app.catalog.workflow_of(s);
    Ok(HttpResponse::Ok().json(ServiceDetail {
        service: s.clone(),
        workflow: w.clone(),
    }))
}

/// Open a draft request.
#[utoipa::path(post, path = "/api/v1/requests", tag = "requests", request_body = NewRequest,
    responses((status = 201, body = RequestView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
#[post("/api/v1/requests")]
pub async fn create_request(
    app: web::Data<App>,
    user: Authed,
    input: web::Json<NewRequest>,
) -> Res<HttpResponse> {
    let input = input.into_inner();
    let view = run(move || requests::create(&app, &user.0, input)).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/requests/{}", view.number)))
        .json(view))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// Service code.
    pub service: Option<String>,
    /// State, e.g. `registered`.
    pub state: Option<State>,
    /// Channel the request came in by, e.g. `portal`, `provider_desk`, `con`.
    pub channel: Option<crate::domain::channels::ChannelCode>,
    /// Applicant IIN or BIN.
    pub applicant: Option<String>,
    /// 1..500, default 50.
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page; the first page without it.
    pub cursor: Option<String>,
    /// Not supported: refused with 400 OFFSET_NOT_SUPPORTED (lists page by `cursor`).
    pub offset: Option<i64>,
    /// The work queue: only registered or under-review requests, earliest due date first
    /// (overdue ones lead).
    pub queue: Option<bool>,
    /// Only registered or under-review requests past their due date, most overdue first
    /// (the officials' overdue list, G-22 / G-35).
    pub overdue: Option<bool>,
}

/// Requests the caller may see: newest first, or earliest due first for `queue` and
/// `overdue`. A page holds at most `limit` requests and the `next_cursor` of the next one;
/// `total` counts matches up to 1,000 (`total_exact` false beyond).
#[utoipa::path(get, path = "/api/v1/requests", tag = "requests", params(ListParams),
    responses((status = 200, body = RequestPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
#[get("/api/v1/requests")]
pub async fn list_requests(
    app: web::Data<App>,
    user: Authed,
    q: web::Query<ListParams>,
) -> Res<HttpResponse> {
    let q = q.into_inner();
    let page = run(move || {
        requests::list(
            &app,
            &user.0,
            ListQuery {
                service: q.service,
                state: q.state,
                channel: q.channel,
                applicant: q.applicant,
                limit: q.limit,
                cursor: q.cursor,
                offset: q.offset,
                queue: q.queue.unwrap_or(false),
                overdue: q.overdue.unwrap_or(false),
            },
        )
    })
    .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// One request (R-000-37: number, type, status, term).
#[utoipa::path(get, path = "/api/v1/requests/{number}", tag = "requests", params(("number" = String, Path)),
    responses((status = 200, body = RequestView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
#[get("/api/v1/requests/{number}")]
pub async fn get_request(
    app: web::Data<App>,
    user: Authed,
    number: web::Path<String>,
) -> Res<HttpResponse> {
    let number = number.into_inner();
    let view = run(move || requests::get(&app, &user.0, &number)).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// A one-time challenge to sign for registration (R-000-14, R-003-15, R-004-25).
#[utoipa::path(post, path = "/api/v1/auth/register/challenge", tag = "auth",
    responses((status = 201, body = crate::app::registration::Challenge)))]
#[post("/api/v1/auth/register/challenge")]
pub async fn register_challenge(app: web::Data<App>) -> Res<HttpResponse> {
    let c = run(move || crate::app::registration::challenge(&app)).await?;
    Ok(HttpResponse::Created().json(c))
}

/// Register as an applicant: the challenge signed with your certificate, a login and a
/// password. The IIN (and BIN) come from the certificate.
#[utoipa::path(post, path = "/api/v1/auth/register", tag = "auth",
    request_body = crate::app::registration::Registration,
    responses((status = 201, body = crate::app::accounts::AccountView), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
#[post("/api/v1/auth/register")]
pub async fn register(
    app: web::Data<App>,
    input: web::Json<crate::app::registration::Registration>,
) -> Res<HttpResponse> {
    let input = input.into_inner();
    let view = run(move || crate::app::registration::register(&app, input)).await?;
    Ok(HttpResponse::Created().json(view))
}

/// Staff and administrator accounts (administrators only).
#[utoipa::path(get, path = "/api/v1/admin/users", tag = "admin",
    responses((status = 200, body = Vec<crate::app::accounts::AccountView>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
#[get("/api/v1/admin/users")]
pub async fn admin_users(app: web::Data<App>, user: Authed) -> Res<HttpResponse> {
    use crate::app::accounts::{list, ChangedBy};
    let users = run(move || list(&app, ChangedBy::Admin(&user.0))).await?;
    Ok(HttpResponse::Ok().json(users))
}

/// Create an account (role + provider); without a password one is generated and shown once.
#[utoipa::path(post, path = "/api/v1/admin/users", tag = "admin",
    request_body = crate::app::accounts::NewAccount,
    responses((status = 201, body = crate::app::accounts::AccountView), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
#[post("/api/v1/admin/users")]
pub async fn admin_add_user(
    app: web::Data<App>,
    user: Authed,
    input: web::Json<crate::app::accounts::NewAccount>,
) -> Res<HttpResponse> {
    use crate::app::accounts::{add, ChangedBy};
    let input = input.into_inner();
    let view = run(move || add(&app, ChangedBy::Admin(&user.0), input)).await?;
    Ok(HttpResponse::Created().json(view))
}

/// Change an account's role, provider or active flag (disabling ends its sessions at once).
#[utoipa::path(post, path = "/api/v1/admin/users/{login}", tag = "admin", params(("login" = String, Path)),
    request_body = crate::app::accounts::AccountChange,
    responses((status = 200, body = crate::app::accounts::AccountView), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
#[post("/api/v1/admin/users/{login}")]
pub async fn admin_change_user(
    app: web::Data<App>,
    user: Authed,
    account: web::Path<String>,
    input: web::Json<crate::app::accounts::AccountChange>,
) -> Res<HttpResponse> {
    use crate::app::accounts::{change, ChangedBy};
    let (account, input) = (account.into_inner(), input.into_inner());
    let view = run(move || change(&app, ChangedBy::Admin(&user.0), &account, input)).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Who read this request's personal data, when, and what (administrators; R-003-66,
/// R-004-53).
#[utoipa::path(get, path = "/api/v1/requests/{number}/access-log", tag = "requests", params(("number" = String, Path)),
    responses((status = 200, body = Vec<crate::app::access_log::AccessEntry>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
#[get("/api/v1/requests/{number}/access-log")]
pub async fn request_access_log(
    app: web::Data<App>,
    user: Authed,
    number: web::Path<String>,
) -> Res<HttpResponse> {
    let number = number.into_inner();
    let log = run(move || crate::app::access_log::of_request(&app, &user.0, &number)).await?;
    Ok(HttpResponse::Ok().json(log))
}

/// The append-only history of a request.
#[utoipa::path(get, path = "/api/v1/requests/{number}/history", tag = "requests", params(("number" = String, Path)),
    responses((status = 200, body = Vec<HistoryEntry>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
#[get("/api/v1/requests/{number}/history")]
pub async fn request_history(
    app: web::Data<App>,
    user: Authed,
    number: web::Path<String>,
) -> Res<HttpResponse> {
    let number = number.into_inner();
    let h = run(move || requests::history(&app, &user.0, &number)).await?;
    Ok(HttpResponse::Ok().json(h))
}

/// Take an action on a request: `submit`, `start_review`, `approve`, `refuse` (reason), `deliver`,
/// `withdraw`, `record_conclusion`, `extend_deadline` (reason, new_due_at)…
#[utoipa::path(post, path = "/api/v1/requests/{number}/transitions", tag = "requests", params(("number" = String, Path)),
    request_body = TransitionInput,
    responses((status = 200, body = RequestView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
#[post("/api/v1/requests/{number}/transitions")]
pub async fn post_transition(
    app: web::Data<App>,
    user: Authed,
    number: web::Path<String>,
    input: web::Json<TransitionInput>,
) -> Res<HttpResponse> {
    let (number, input) = (number.into_inner(), input.into_inner());
    let view = run(move || requests::transition(&app, &user.0, &number, input)).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Multipart form of an attachment upload (for the OpenAPI document).
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct AttachmentForm {
    /// Document type code from the service's channel.
    doc_type: String,
    /// `true`/`false`: the paper original was presented (required from staff for paper originals).
    original_seen: Option<String>,
    /// `true`/`false`: staff handed the paper original back after the check (R-004-12).
    original_returned: Option<String>,
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Attach a document (PDF, JPEG or PNG, detected from content) to a draft.
#[utoipa::path(post, path = "/api/v1/requests/{number}/attachments", tag = "requests", params(("number" = String, Path)),
    request_body(content = AttachmentForm, content_type = "multipart/form-data"),
    responses((status = 201, body = RequestView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
#[post("/api/v1/requests/{number}/attachments")]
pub async fn post_attachment(
    app: web::Data<App>,
    user: Authed,
    number: web::Path<String>,
    payload: Multipart,
) -> Res<HttpResponse> {
    let parts = super::multipart::read(
        payload,
        "file",
        app.config.max_upload_bytes,
        &[
            ("doc_type", 1024),
            ("original_seen", 1024),
            ("original_returned", 1024),
        ],
    )
    .await?;
    let original_seen = parts.flag("original_seen")?;
    let original_returned = parts.flag("original_returned")?;
    let doc_type = parts
        .text("doc_type")
        .map(|t| t.trim().to_string())
        .ok_or_else(|| {
            AppError::with(
                ErrorCode::BadRequest,
                "multipart field `doc_type` is required",
            )
        })?;
    let (file_name, bytes) = parts.file.ok_or_else(|| {
        AppError::with(ErrorCode::BadRequest, "multipart field `file` is required")
    })?;
    let number = number.into_inner();
    let view = run(move || {
        requests::attach(
            &app,
            &user.0,
            &number,
            Upload {
                doc_type,
                file_name,
                bytes,
                original_seen,
                original_returned,
            },
        )
    })
    .await?;
    Ok(HttpResponse::Created().json(view))
}

/// One attachment's content (PDF, JPEG or PNG, as detected at upload), shown inline in the
/// browser. Staff reads are written to the access log (R-003-66, R-004-53).
#[utoipa::path(get, path = "/api/v1/requests/{number}/attachments/{id}", tag = "requests",
    params(("number" = String, Path), ("id" = String, Path)),
    responses((status = 200, description = "the file", content_type = "application/pdf"),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
#[get("/api/v1/requests/{number}/attachments/{id}")]
pub async fn attachment_content(
    app: web::Data<App>,
    user: Authed,
    path: web::Path<(String, String)>,
) -> Res<HttpResponse> {
    let (number, id) = path.into_inner();
    let (att, bytes) =
        run(move || requests::attachment_content(&app, &user.0, &number, &id)).await?;
    // The file name is the uploader's: sent only in its RFC 5987 form, percent-encoded.
    let name =
        percent_encoding::utf8_percent_encode(&att.file_name, percent_encoding::NON_ALPHANUMERIC);
    Ok(HttpResponse::Ok()
        .content_type(att.content_type.as_str())
        .insert_header((
            "Content-Disposition",
            format!("inline; filename*=UTF-8''{name}"),
        ))
        .insert_header(("Cache-Control", "private, no-store"))
        .insert_header(("ETag", format!("\"{}\"", att.sha256)))
        .body(bytes))
}

/// The request's verified signatures: who signed, the certificate's subject, IIN/BIN,
/// serial and issuer, the signing time and when it was verified. Staff reads are logged.
#[utoipa::path(get, path = "/api/v1/requests/{number}/signatures", tag = "signatures", params(("number" = String, Path)),
    responses((status = 200, body = Vec<crate::app::views::SignatureView>), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
#[get("/api/v1/requests/{number}/signatures")]
pub async fn request_signatures(
    app: web::Data<App>,
    user: Authed,
    number: web::Path<String>,
) -> Res<HttpResponse> {
    let number = number.into_inner();
    let v = run(move || crate::app::signing::signatures(&app, &user.0, &number)).await?;
    Ok(HttpResponse::Ok().json(v))
}

/// The exact bytes to sign (canonical JSON, see docs/signatures.md). Only the expected signer
/// (the applicant on the portal, the employee at a desk) gets them, once the request is
/// submitted (and, for paid services, paid: R-003-22).
#[utoipa::path(get, path = "/api/v1/requests/{number}/signing-payload", tag = "signatures", params(("number" = String, Path)),
    responses((status = 200, description = "payload bytes", content_type = "application/octet-stream"),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
#[get("/api/v1/requests/{number}/signing-payload")]
pub async fn signing_payload(
    app: web::Data<App>,
    user: Authed,
    number: web::Path<String>,
) -> Res<HttpResponse> {
    let number = number.into_inner();
    let bytes = run(move || crate::app::signing::signing_payload(&app, &user.0, &number)).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/octet-stream")
        .body(bytes))
}

/// Submit a CMS/PKCS#7 SignedData over the signing payload (DER, or base64/PEM text). On
/// success the request is signed and registered; on failure the refusal code says why
/// (expired, revoked, untrusted issuer, IIN/BIN mismatch, payload changed, …).
#[utoipa::path(post, path = "/api/v1/requests/{number}/signature", tag = "signatures", params(("number" = String, Path)),
    request_body(content(
        (Vec<u8> = "application/pkcs7-signature"),
        (Vec<u8> = "application/octet-stream"),
        (String = "text/plain"),
    )),
    responses((status = 200, body = RequestView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)),
    security(("bearer" = [])))]
#[post("/api/v1/requests/{number}/signature")]
pub async fn post_signature(
    app: web::Data<App>,
    user: Authed,
    number: web::Path<String>,
    body: web::Bytes,
) -> Res<HttpResponse> {
    if body.is_empty() {
        return Err(AppError::with(ErrorCode::SignatureMalformed, "empty body"));
    }
    let number = number.into_inner();
    let view =
        run(move || crate::app::signing::submit_signature(&app, &user.0, &number, &body)).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Pay for a submitted request (R-003-20): creates or resumes its payment and answers the
/// gateway's payment page. Confirmation comes from the gateway, never from this call.
#[utoipa::path(post, path = "/api/v1/requests/{number}/payment", tag = "payments", params(("number" = String, Path)),
    responses((status = 200, body = crate::app::payments::PaymentView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 503, body = ErrorBody), (status = 504, body = ErrorBody)),
    security(("bearer" = [])))]
#[post("/api/v1/requests/{number}/payment")]
pub async fn start_payment(
    app: web::Data<App>,
    user: Authed,
    number: web::Path<String>,
) -> Res<HttpResponse> {
    let number = number.into_inner();
    let v = run(move || crate::app::payments::start(&app, &user.0, &number)).await?;
    Ok(HttpResponse::Ok().json(v))
}

/// The request's latest payment; a pending one is checked with the gateway (R-003-21).
#[utoipa::path(get, path = "/api/v1/requests/{number}/payment", tag = "payments", params(("number" = String, Path)),
    responses((status = 200, body = crate::app::payments::PaymentView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
#[get("/api/v1/requests/{number}/payment")]
pub async fn get_payment(
    app: web::Data<App>,
    user: Authed,
    number: web::Path<String>,
) -> Res<HttpResponse> {
    let number = number.into_inner();
    let v = run(move || crate::app::payments::status(&app, &user.0, &number)).await?;
    Ok(HttpResponse::Ok().json(v))
}

/// Gateway notifications, signed with HMAC-SHA256 over `"{timestamp}.{raw body}"`
/// (headers `X-Gateway-Timestamp`, `X-Gateway-Signature`); no login. The same event twice
/// changes nothing and is answered 200 so the gateway stops re-sending.
#[utoipa::path(post, path = "/api/v1/payments/callback", tag = "payments",
    request_body(content = String, content_type = "application/json", description = "The gateway's event, signed"),
    responses((status = 200), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/api/v1/payments/callback")]
pub async fn payment_callback(
    app: web::Data<App>,
    req: HttpRequest,
    body: web::Bytes,
) -> Res<HttpResponse> {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let signature = header(crate::payments::SIGNATURE_HEADER);
    let timestamp = header(crate::payments::TIMESTAMP_HEADER);
    let outcome =
        run(move || crate::app::payments::callback(&app, &body, &signature, &timestamp)).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "outcome": outcome })))
}

/// Suspend, resume or terminate an issued licence or other result (R-003-07); a reviewer of
/// the service, with the basis as `reason`. `/verify` shows the new status at once.
#[utoipa::path(post, path = "/api/v1/documents/{id}/status", tag = "documents", params(("id" = String, Path)),
    request_body = crate::app::results::StatusChange,
    responses((status = 200, body = crate::app::results::DocumentView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
#[post("/api/v1/documents/{id}/status")]
pub async fn document_status(
    app: web::Data<App>,
    user: Authed,
    id: web::Path<String>,
    input: web::Json<crate::app::results::StatusChange>,
) -> Res<HttpResponse> {
    let id = id.into_inner();
    let input = input.into_inner();
    let v = run(move || crate::app::results::change_status(&app, &user.0, &id, &input)).await?;
    Ok(HttpResponse::Ok().json(v))
}

/// The signed result documents of a request (e-licence, refusal, decision, receipts).
#[utoipa::path(get, path = "/api/v1/requests/{number}/documents", tag = "documents", params(("number" = String, Path)),
    responses((status = 200, body = Vec<crate::app::results::DocumentView>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
#[get("/api/v1/requests/{number}/documents")]
pub async fn request_documents(
    app: web::Data<App>,
    user: Authed,
    number: web::Path<String>,
) -> Res<HttpResponse> {
    let number = number.into_inner();
    let docs = run(move || crate::app::results::documents(&app, &user.0, &number)).await?;
    Ok(HttpResponse::Ok().json(docs))
}

/// The request's result as a signed PDF (PAdES): the e-licence, decision or motivated refusal.
#[utoipa::path(get, path = "/api/v1/requests/{number}/result.pdf", tag = "documents", params(("number" = String, Path)),
    responses((status = 200, content_type = "application/pdf"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
#[get("/api/v1/requests/{number}/result.pdf")]
pub async fn result_pdf(
    app: web::Data<App>,
    user: Authed,
    number: web::Path<String>,
) -> Res<HttpResponse> {
    let number = number.into_inner();
    let n = number.clone();
    let (doc, bytes) = run(move || crate::app::results::result_pdf(&app, &user.0, &n)).await?;
    Ok(pdf_response(&number, doc, bytes))
}

/// Any one of the request's signed documents, e.g. the intake receipt to print (G-47).
#[utoipa::path(get, path = "/api/v1/requests/{number}/documents/{id}/pdf", tag = "documents",
    params(("number" = String, Path), ("id" = String, Path)),
    responses((status = 200, content_type = "application/pdf"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
#[get("/api/v1/requests/{number}/documents/{id}/pdf")]
pub async fn document_pdf(
    app: web::Data<App>,
    user: Authed,
    path: web::Path<(String, String)>,
) -> Res<HttpResponse> {
    let (number, id) = path.into_inner();
    let n = number.clone();
    let (doc, bytes) =
        run(move || crate::app::results::document_pdf(&app, &user.0, &n, &id)).await?;
    Ok(pdf_response(&number, doc, bytes))
}

fn pdf_response(number: &str, doc: DocumentView, bytes: Vec<u8>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{number}-{}.pdf\"", doc.kind),
        ))
        .insert_header(("ETag", format!("\"{}\"", doc.sha256)))
        .insert_header(("X-Document-Id", doc.id.to_string()))
        .body(bytes)
}

/// Certificate revocation lists published by this server's demo CA (named in its certificates).
#[utoipa::path(get, path = "/pki/crl/{name}", tag = "signatures", params(("name" = String, Path)),
    responses((status = 200, content_type = "application/pkix-crl"), (status = 404, body = ErrorBody)))]
#[get("/pki/crl/{name}")]
pub async fn crl(app: web::Data<App>, name: web::Path<String>) -> Res<HttpResponse> {
    let name = name.into_inner();
    let valid = name.ends_with(".crl")
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        && !name.contains("..");
    let dir = app
        .pki
        .demo_dir
        .clone()
        .ok_or_else(|| AppError::new(ErrorCode::NotFound))?;
    if !valid {
        return Err(AppError::new(ErrorCode::NotFound));
    }
    let bytes = web::block(move || std::fs::read(dir.join("crl").join(name)))
        .await
        .map_err(blocking)?
        .map_err(|_| AppError::new(ErrorCode::NotFound))?;
    Ok(HttpResponse::Ok()
        .content_type("application/pkix-crl")
        .body(bytes))
}

/// The demo root CA certificate (PEM), for verifiers.
#[utoipa::path(get, path = "/pki/root-ca.pem", tag = "signatures", responses((status = 200, content_type = "application/x-pem-file")))]
#[get("/pki/root-ca.pem")]
pub async fn root_ca(app: web::Data<App>) -> Res<HttpResponse> {
    let dir = app
        .pki
        .demo_dir
        .clone()
        .ok_or_else(|| AppError::new(ErrorCode::NotFound))?;
    let bytes = web::block(move || std::fs::read(dir.join("root-ca.pem")))
        .await
        .map_err(blocking)?
        .map_err(AppError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type("application/x-pem-file")
        .body(bytes))
}

handlers!(
    health,
    metrics,
    login,
    logout,
    me,
    services,
    service,
    create_request,
    list_requests,
    get_request,
    request_history,
    request_access_log,
    register_challenge,
    register,
    admin_users,
    admin_add_user,
    admin_change_user,
    post_transition,
    post_attachment,
    attachment_content,
    request_signatures,
    signing_payload,
    post_signature,
    start_payment,
    get_payment,
    payment_callback,
    request_documents,
    document_status,
    result_pdf,
    document_pdf,
    crl,
    root_ca,
);
