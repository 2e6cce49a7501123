//! Mapping of [`AppError`] to HTTP, and of actix's own input errors (bad JSON, bad query,
//! bad path) to the same JSON envelope with a stable code.

use crate::error::AppError;
use crate::error::ErrorCode;
use actix_web::{error, http::StatusCode, HttpRequest, HttpResponse, ResponseError};

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
    fn error_response(&self) -> HttpResponse {
        if self.status >= 500 {
            tracing::error!(code = %self.code, detail = ?self.detail, "request failed");
        } else {
            tracing::info!(code = %self.code, detail = ?self.detail, status = self.status, "request refused");
        }
        let mut resp = HttpResponse::build(self.status_code());
        if self.status == 401 {
            resp.insert_header(("WWW-Authenticate", "Bearer realm=\"ruqsat\""));
        }
        if let Some(secs) = self.retry_after {
            resp.insert_header(("Retry-After", secs.to_string()));
        }
        resp.json(self.body())
    }
}

pub fn json_error(err: error::JsonPayloadError, _req: &HttpRequest) -> error::Error {
    let app = match &err {
        error::JsonPayloadError::ContentType => AppError::with(
            ErrorCode::BadRequest,
            "Content-Type must be application/json",
        ),
        error::JsonPayloadError::Overflow { .. }
        | error::JsonPayloadError::OverflowKnownLength { .. } => {
            AppError::with(ErrorCode::PayloadTooLarge, "JSON body too large")
        }
        error::JsonPayloadError::Deserialize(e) if e.is_data() => {
            AppError::with(ErrorCode::BadRequest, e.to_string())
        }
        other => AppError::with(ErrorCode::MalformedJson, other.to_string()),
    };
    error::InternalError::from_response(err, app.error_response()).into()
}

pub fn query_error(err: error::QueryPayloadError, _req: &HttpRequest) -> error::Error {
    let app = AppError::with(ErrorCode::BadRequest, err.to_string());
    error::InternalError::from_response(err, app.error_response()).into()
}

pub fn path_error(err: error::PathError, _req: &HttpRequest) -> error::Error {
    let app = AppError::with(ErrorCode::BadRequest, err.to_string());
    error::InternalError::from_response(err, app.error_response()).into()
}

/// Maps a failed `web::block` (thread pool gone) to an internal error.
pub fn blocking(e: error::BlockingError) -> AppError {
    AppError::internal(e)
}

/// Every error answer in the ru/kk/en envelope: an answer actix or a library wrote as plain
/// text (an oversize body on a raw-bytes endpoint, a wrong method) is rewritten, keeping its
/// status. JSON answers and pages (`text/html`, written for people) are kept.
pub fn envelope<B>(
    res: actix_web::dev::ServiceResponse<B>,
) -> actix_web::Result<actix_web::middleware::ErrorHandlerResponse<B>> {
    use actix_web::middleware::ErrorHandlerResponse;
    let kept = res
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json") || v.starts_with("text/html"));
    if kept {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let code = match status.as_u16() {
        404 => ErrorCode::NotFound,
        405 => ErrorCode::MethodNotAllowed,
        413 => ErrorCode::PayloadTooLarge,
        415 => ErrorCode::UnsupportedFileType,
        400..=499 => ErrorCode::BadRequest,
        _ => ErrorCode::Internal,
    };
    let e = AppError {
        status: status.as_u16(),
        ..AppError::new(code)
    };
    let (req, _) = res.into_parts();
    let answer = HttpResponse::build(status).json(e.body());
    Ok(ErrorHandlerResponse::Response(
        actix_web::dev::ServiceResponse::new(req, answer).map_into_right_body(),
    ))
}
