//! Telling people: the in-app notifications («Уведомления», R-004-40), password reset by
//! e-mail (no login) and the administrators' view of the e-mail outbox (docs/mail.md).

use super::api::run;
use super::auth::Authed;
use crate::app::outbox::{self, OutboxView};
use crate::app::{password_reset, App};
use crate::domain::outbox::OutboxStatus;
use crate::error::{AppError, ErrorBody, Lang};
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

type Res<T> = Result<T, AppError>;

/// The language of a person's mail: the first tag of their `Accept-Language`.
pub(super) fn lang_of(req: &HttpRequest) -> Lang {
    req.headers()
        .get(actix_web::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map_or(Lang::Ru, Lang::from_tag)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetRequest {
    pub login: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetConfirm {
    /// The code from the mail.
    pub token: String,
    /// At least 12 characters.
    pub password: String,
}

/// Ask for a password-reset mail (to the account's e-mail address, in the language of
/// `Accept-Language`). The answer is the same whether or not the login exists.
#[utoipa::path(post, path = "/api/v1/auth/password-reset", tag = "auth", request_body = ResetRequest,
    responses((status = 202, description = "A mail is on its way if the account has an address"),
        (status = 422, body = ErrorBody)))]
#[post("/api/v1/auth/password-reset")]
pub async fn reset_request(
    app: web::Data<App>,
    req: HttpRequest,
    input: web::Json<ResetRequest>,
) -> Res<HttpResponse> {
    let lang = lang_of(&req);
    run(move || password_reset::request(&app, &input.login, lang)).await?;
    Ok(HttpResponse::Accepted().finish())
}

/// Set a new password with the code from the reset mail; every session of the account ends.
#[utoipa::path(post, path = "/api/v1/auth/password-reset/confirm", tag = "auth", request_body = ResetConfirm,
    responses((status = 204), (status = 422, body = ErrorBody)))]
#[post("/api/v1/auth/password-reset/confirm")]
pub async fn reset_confirm(
    app: web::Data<App>,
    input: web::Json<ResetConfirm>,
) -> Res<HttpResponse> {
    let input = input.into_inner();
    run(move || password_reset::confirm(&app, &input.token, &input.password)).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct OutboxParams {
    /// `pending`, `sent` or `dead`; all when absent.
    pub status: Option<String>,
}

/// The newest 200 messages of the e-mail outbox, without their bodies (administrators).
#[utoipa::path(get, path = "/api/v1/admin/outbox", tag = "admin", params(OutboxParams),
    responses((status = 200, body = Vec<OutboxView>), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
#[get("/api/v1/admin/outbox")]
pub async fn outbox_list(
    app: web::Data<App>,
    user: Authed,
    q: web::Query<OutboxParams>,
) -> Res<HttpResponse> {
    let status = match q.into_inner().status {
        Some(s) => Some(
            s.parse::<OutboxStatus>()
                .map_err(|e| AppError::with(crate::error::ErrorCode::BadRequest, e))?,
        ),
        None => None,
    };
    let list = run(move || outbox::list(&app, &user.0, status)).await?;
    Ok(HttpResponse::Ok().json(list))
}

/// Put a dead message back in the queue (administrators).
#[utoipa::path(post, path = "/api/v1/admin/outbox/{id}/requeue", tag = "admin", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
#[post("/api/v1/admin/outbox/{id}/requeue")]
pub async fn outbox_requeue(
    app: web::Data<App>,
    user: Authed,
    id: web::Path<String>,
) -> Res<HttpResponse> {
    let id = id.into_inner();
    run(move || outbox::requeue(&app, &user.0, &id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct NotificationParams {
    /// Only the unread ones.
    pub unread: Option<bool>,
}

/// Your notifications (the «Уведомления» section, R-004-40), newest first: every status
/// change of your requests, deadline extensions and results issued (R-004-39).
#[utoipa::path(get, path = "/api/v1/notifications", tag = "auth", params(NotificationParams),
    responses((status = 200, body = Vec<crate::app::notify::NotificationView>)),
    security(("bearer" = [])))]
#[get("/api/v1/notifications")]
pub async fn notifications(
    app: web::Data<App>,
    user: Authed,
    q: web::Query<NotificationParams>,
) -> Res<HttpResponse> {
    let unread = q.unread.unwrap_or(false);
    let list = run(move || crate::app::notify::list(&app, &user.0, unread)).await?;
    Ok(HttpResponse::Ok().json(list))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkRead {
    /// One notification; all of yours when absent.
    pub id: Option<String>,
}

#[derive(Debug, serde::Serialize, ToSchema)]
pub struct MarkedRead {
    pub marked: usize,
}

/// Mark one notification, or all of yours, read.
#[utoipa::path(post, path = "/api/v1/notifications/read", tag = "auth", request_body = MarkRead,
    responses((status = 200, body = MarkedRead)),
    security(("bearer" = [])))]
#[post("/api/v1/notifications/read")]
pub async fn notifications_read(
    app: web::Data<App>,
    user: Authed,
    input: web::Json<MarkRead>,
) -> Res<HttpResponse> {
    let id = input.into_inner().id;
    let marked =
        run(move || crate::app::notify::mark_read(&app, &user.0.id, id.as_deref())).await?;
    Ok(HttpResponse::Ok().json(MarkedRead { marked }))
}

handlers!(
    reset_request,
    reset_confirm,
    outbox_list,
    outbox_requeue,
    notifications,
    notifications_read
);
