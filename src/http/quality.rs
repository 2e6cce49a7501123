//! The quality questionnaire of a request and its report (R-000-60..63, R-002-64..67,
//! R-003-68, R-004-54, R-004-55).

use super::api::run;
use super::auth::Authed;
use crate::app::questionnaire::{self, Answers, QualityReport, QuestionnaireView};
use crate::app::App;
use crate::error::{AppError, ErrorBody, ErrorCode};
use actix_web::{get, post, web, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;

type Res<T> = Result<T, AppError>;

/// The request's questionnaire: its questions, whether it is offered now, the answers given.
#[utoipa::path(get, path = "/api/v1/requests/{number}/questionnaire", tag = "requests",
    params(("number" = String, Path)),
    responses((status = 200, body = QuestionnaireView)),
    security(("bearer" = [])))]
#[get("/api/v1/requests/{number}/questionnaire")]
pub async fn questionnaire_get(
    app: web::Data<App>,
    user: Authed,
    number: web::Path<String>,
) -> Res<HttpResponse> {
    let number = number.into_inner();
    let v = run(move || questionnaire::get(&app, &user.0, &number)).await?;
    Ok(HttpResponse::Ok().json(v))
}

/// Answer the questionnaire, once, after the result or refusal is issued (the applicant).
#[utoipa::path(post, path = "/api/v1/requests/{number}/questionnaire", tag = "requests",
    params(("number" = String, Path)), request_body = Answers,
    responses((status = 201, body = QuestionnaireView), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
#[post("/api/v1/requests/{number}/questionnaire")]
pub async fn questionnaire_answer(
    app: web::Data<App>,
    user: Authed,
    number: web::Path<String>,
    input: web::Json<Answers>,
) -> Res<HttpResponse> {
    let (number, input) = (number.into_inner(), input.into_inner());
    let v = run(move || questionnaire::answer(&app, &user.0, &number, input)).await?;
    Ok(HttpResponse::Created().json(v))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ReportParams {
    /// A service code; all services when absent.
    pub service: Option<String>,
    /// First day, `yyyy-mm-dd` (Kazakhstan time).
    pub from: String,
    /// Last day, inclusive.
    pub to: String,
}

/// Answers counted per question and option, with shares (administrators).
#[utoipa::path(get, path = "/api/v1/reports/quality", tag = "admin", params(ReportParams),
    responses((status = 200, body = QualityReport), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
#[get("/api/v1/reports/quality")]
pub async fn quality_report(
    app: web::Data<App>,
    user: Authed,
    q: web::Query<ReportParams>,
) -> Res<HttpResponse> {
    let q = q.into_inner();
    let day = |s: &str| {
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_err(|_| AppError::with(ErrorCode::BadRequest, format!("`{s}`: yyyy-mm-dd")))
    };
    let (from, to) = (day(&q.from)?, day(&q.to)?);
    let r =
        run(move || questionnaire::report(&app, &user.0, q.service.as_deref(), from, to)).await?;
    Ok(HttpResponse::Ok().json(r))
}

handlers!(questionnaire_get, questionnaire_answer, quality_report);
