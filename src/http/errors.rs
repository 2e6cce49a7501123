//! Mapping of [`AppError`] to HTTP, and of actix's own input errors (bad JSON, bad query,
//! bad path) to the same JSON envelope with a stable code; on a page path, to the error
//! page instead ([`envelope`]).

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

/// Paths of machines rather than people (the JSON API, health, metrics, the PKI files, the
/// demo gateway): their errors keep the JSON envelope. Every other path is a page.
const MACHINE_PATHS: [&str; 5] = ["/api/", "/health", "/metrics", "/pki/", "/sandbox/"];

/// Whether an error at `path` is answered as a page (HTML in the visitor's language), never
/// as JSON.
pub fn is_page_path(path: &str) -> bool {
    !MACHINE_PATHS.iter().any(|p| {
        path.strip_prefix(p)
            .is_some_and(|rest| p.ends_with('/') || rest.is_empty() || rest.starts_with('/'))
    })
}

/// The code of an error answered with `status` and no code of its own.
fn code_of_status(status: StatusCode) -> ErrorCode {
    match status.as_u16() {
        404 => ErrorCode::NotFound,
        405 => ErrorCode::MethodNotAllowed,
        413 => ErrorCode::PayloadTooLarge,
        415 => ErrorCode::UnsupportedFileType,
        400..=499 => ErrorCode::BadRequest,
        _ => ErrorCode::Internal,
    }
}

/// Every error answer in the ru/kk/en envelope: an answer actix or a library wrote as plain
/// text (an oversize body on a raw-bytes endpoint, a wrong method) is rewritten, keeping its
/// status. JSON answers and pages (`text/html`, written for people) are kept, except that a
/// page path never answers JSON or plain text: there the error becomes the error page
/// ([`page_error`]).
pub fn envelope<B: actix_web::body::MessageBody + 'static>(
    res: actix_web::dev::ServiceResponse<B>,
) -> actix_web::Result<actix_web::middleware::ErrorHandlerResponse<B>> {
    use actix_web::middleware::ErrorHandlerResponse;
    let content_type = res
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let html = content_type.starts_with("text/html");
    let json = content_type.starts_with("application/json");
    if html {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    if is_page_path(res.request().path()) {
        return Ok(ErrorHandlerResponse::Future(page_error(res)));
    }
    if json {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let e = AppError {
        status: status.as_u16(),
        ..AppError::new(code_of_status(status))
    };
    let (req, _) = res.into_parts();
    let answer = HttpResponse::build(status).json(e.body());
    Ok(ErrorHandlerResponse::Response(
        actix_web::dev::ServiceResponse::new(req, answer).map_into_right_body(),
    ))
}

/// An error answer on a page path (a cross-site form refused by the Origin check, a wrong
/// method, an oversize upload, a path that does not parse) as the error page in the
/// visitor's language, with the same status and the code of the JSON answer when there was
/// one.
fn page_error<B: actix_web::body::MessageBody + 'static>(
    res: actix_web::dev::ServiceResponse<B>,
) -> futures_util::future::LocalBoxFuture<
    'static,
    actix_web::Result<actix_web::dev::ServiceResponse<actix_web::body::EitherBody<B>>>,
> {
    use actix_web::FromRequest as _;
    let status = res.status();
    let retry_after = res
        .headers()
        .get(actix_web::http::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let (req, res) = res.into_parts();
    let code = res
        .into_body()
        .try_into_bytes()
        .ok()
        .and_then(|b| serde_json::from_slice::<crate::error::ErrorBody>(&b).ok())
        .and_then(|b| ErrorCode::parse(&b.error.code))
        .unwrap_or_else(|| code_of_status(status));
    Box::pin(async move {
        let e = AppError {
            status: status.as_u16(),
            retry_after,
            ..AppError::new(code)
        };
        let answer = match super::portal::Page::extract(&req).await {
            Ok(page) => page.fail(e).error_response(),
            Err(_) => HttpResponse::build(status)
                .content_type("text/html; charset=utf-8")
                .body(format!(
                    "<!doctype html><html lang=\"ru\"><title>{}</title><h1>{}</h1><p>{}</p><p>{}</p></html>",
                    status.as_u16(),
                    crate::html::escape(e.message(crate::error::Lang::Kk)),
                    crate::html::escape(e.message(crate::error::Lang::Ru)),
                    crate::html::escape(e.message(crate::error::Lang::En)),
                )),
        };
        Ok(actix_web::dev::ServiceResponse::new(req, answer).map_into_right_body())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn machine_paths_keep_json_and_everything_else_is_a_page() {
        for p in [
            "/api/v1/requests",
            "/health",
            "/metrics",
            "/pki/crl/x.crl",
            "/sandbox/gateway/payments",
        ] {
            assert!(!is_page_path(p), "{p}");
        }
        for p in [
            "/",
            "/login",
            "/verify/x",
            "/registry",
            "/static/x.css",
            "/healthy",
            "/api",
        ] {
            assert!(is_page_path(p), "{p}");
        }
    }
}
