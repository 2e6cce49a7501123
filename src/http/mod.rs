//! The HTTP adapter (actix-web): routes, middleware (request IDs, metrics), OpenAPI.
//! Handlers call `app` use cases only; each module registers its own routes ([`handlers!`]).

/// Declares a module's handlers once: [`routes`] registers them and `Paths` lists them in
/// the OpenAPI document ([`openapi::ApiDoc`] merges every module's `Paths`), so the two
/// cannot drift apart. Every handler carries its `#[utoipa::path]`.
macro_rules! handlers {
    ($($handler:ident),+ $(,)?) => {
        /// Registers this module's handlers.
        pub fn routes(cfg: &mut actix_web::web::ServiceConfig) {
            $(cfg.service($handler);)+
        }

        /// This module's handlers in the OpenAPI document.
        #[derive(utoipa::OpenApi)]
        #[openapi(paths($($handler),+))]
        pub struct Paths;
    };
}

/// The `detail` of the answer to a path no route matches.
pub const NO_ROUTE: &str = "no such route";

pub mod api;
pub mod auth;
pub mod clinics;
pub mod errors;
pub mod mail;
pub mod multipart;
pub mod openapi;
pub mod portal;
pub mod public;
pub mod quality;

use crate::app::App;
use crate::error::{AppError, ErrorCode};
use actix_web::dev::{Server, Service as _};
use actix_web::{web, HttpResponse, HttpServer};
use std::net::TcpListener;
use std::time::Instant;
use tracing_actix_web::TracingLogger;

/// Registers every route on an actix `ServiceConfig` (shared by the server and tests).
pub fn configure(app: App) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg: &mut web::ServiceConfig| {
        if let Some(sandbox) = app.payments.sandbox.clone() {
            // The embedded payment gateway of the demo (never with a configured gateway_url).
            cfg.service(crate::demo::gateway::scope(web::Data::from(sandbox)));
        }
        cfg.app_data(web::Data::new(app))
            .app_data(web::PayloadConfig::new(1024 * 1024))
            .app_data(
                web::JsonConfig::default()
                    .limit(1024 * 1024)
                    .error_handler(errors::json_error),
            )
            .app_data(web::QueryConfig::default().error_handler(errors::query_error))
            .app_data(web::PathConfig::default().error_handler(errors::path_error))
            .configure(api::routes)
            .configure(public::routes)
            .configure(mail::routes)
            .configure(quality::routes)
            .configure(clinics::routes)
            .app_data(portal::form_config())
            .configure(portal::routes)
            .service(openapi::spec)
            .default_service(web::to(
                |req: actix_web::HttpRequest, page: portal::Page| async move {
                    if !errors::is_page_path(req.path()) {
                        HttpResponse::NotFound()
                            .json(AppError::with(ErrorCode::NotFound, NO_ROUTE).body())
                    } else {
                        use actix_web::ResponseError as _;
                        match portal::not_found(page).await {
                            Ok(r) => r,
                            Err(f) => f.error_response(),
                        }
                    }
                },
            ));
    }
}

/// Content-Security-Policy of every response: nothing but this site's own styles, images,
/// scripts and fetches; no inline script, no framing (clickjacking). Forms post to this
/// site, and to the payment gateway's origin when one is configured: the pay button's 303
/// leads there, and Chromium applies `form-action` to a form's redirects.
pub fn csp(gateway_url: Option<&str>) -> String {
    let form_action = match gateway_url {
        Some(g) if g.starts_with("https://") || g.starts_with("http://") => {
            format!("'self' {}", origin_of(g))
        }
        _ => "'self'".to_string(),
    };
    format!(
        "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
         script-src 'self'; connect-src 'self'; form-action {form_action}; \
         frame-ancestors 'none'; base-uri 'none'"
    )
}

/// The `scheme://host[:port]` of a URL.
fn origin_of(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let end = url[after_scheme..]
        .find('/')
        .map_or(url.len(), |i| after_scheme + i);
    &url[..end]
}

/// Cross-site request forgery defence: a state-changing request authenticated by the session
/// cookie (not by an `Authorization` header, which a browser never adds on its own) must come
/// from this site: its `Origin` (or, without one, `Referer`) is the public URL's origin or the
/// origin the request was addressed to.
fn csrf_refusal(req: &actix_web::dev::ServiceRequest, public_url: &str) -> Option<AppError> {
    use actix_web::http::{header, Method};
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let by_cookie = req.cookie(auth::SESSION_COOKIE).is_some()
        && !req.headers().contains_key(header::AUTHORIZATION);
    if safe || !by_cookie {
        return None;
    }
    let sent = req
        .headers()
        .get(header::ORIGIN)
        .or_else(|| req.headers().get(header::REFERER))
        .and_then(|v| v.to_str().ok())
        .map(origin_of);
    let info = req.connection_info();
    let addressed = format!("{}://{}", info.scheme(), info.host());
    match sent {
        Some(o) if o == origin_of(public_url) || o == addressed => None,
        other => {
            tracing::warn!(origin = ?other, "cookie-authenticated request from another site refused");
            Some(AppError::new(ErrorCode::CsrfRejected))
        }
    }
}

/// The HTTP version as tracing-actix-web writes it (`1.1`, `2.0`).
fn http_flavor(v: actix_web::http::Version) -> String {
    use actix_web::http::Version;
    match v {
        Version::HTTP_09 => "0.9".into(),
        Version::HTTP_10 => "1.0".into(),
        Version::HTTP_11 => "1.1".into(),
        Version::HTTP_2 => "2.0".into(),
        Version::HTTP_3 => "3.0".into(),
        other => format!("{other:?}"),
    }
}

/// The request span of tracing-actix-web, with two differences:
/// - `http.target` is the path without its query: a query holds what a visitor typed (a
///   holder's IIN in a registry search), which logs never keep;
/// - a page's error page or redirect ([`portal::Fail`]) is an answer, logged (without its
///   body) where it is made, not an error to report again with the page's text.
pub struct RootSpan;

impl tracing_actix_web::RootSpanBuilder for RootSpan {
    fn on_request_start(request: &actix_web::dev::ServiceRequest) -> tracing::Span {
        use actix_web::HttpMessage as _;
        let route = request
            .match_pattern()
            .unwrap_or_else(|| "default".to_string());
        let method = request.method().as_str().to_string();
        let info = request.connection_info().clone();
        let user_agent = request
            .headers()
            .get(actix_web::http::header::USER_AGENT)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("");
        let request_id = request
            .extensions()
            .get::<tracing_actix_web::RequestId>()
            .map(ToString::to_string)
            .unwrap_or_default();
        tracing::info_span!(
            "HTTP request",
            http.method = %method,
            http.route = %route,
            http.flavor = %http_flavor(request.version()),
            http.scheme = %info.scheme(),
            http.host = %info.host(),
            http.client_ip = %info.realip_remote_addr().unwrap_or(""),
            http.user_agent = %user_agent,
            http.target = %request.path(),
            http.status_code = tracing::field::Empty,
            otel.name = %format!("{method} {route}"),
            otel.kind = "server",
            otel.status_code = tracing::field::Empty,
            trace_id = tracing::field::Empty,
            request_id = %request_id,
            exception.message = tracing::field::Empty,
            exception.details = tracing::field::Empty,
        )
    }

    fn on_request_end<B: actix_web::body::MessageBody>(
        span: tracing::Span,
        outcome: &Result<actix_web::dev::ServiceResponse<B>, actix_web::Error>,
    ) {
        if let Ok(res) = outcome {
            let page_answer = res
                .response()
                .error()
                .is_some_and(|e| e.as_error::<portal::Fail>().is_some());
            if page_answer {
                let status = res.status();
                span.record("http.status_code", status.as_u16());
                span.record(
                    "otel.status_code",
                    if status.is_server_error() {
                        "ERROR"
                    } else {
                        "OK"
                    },
                );
                return;
            }
        }
        tracing_actix_web::DefaultRootSpanBuilder::on_request_end(span, outcome)
    }
}

/// Starts the server on an already bound listener (tests bind port 0), with the daily
/// check of the yearly data ([`crate::app::yearly`]).
pub fn serve(app: App, listener: TcpListener, workers: Option<usize>) -> std::io::Result<Server> {
    crate::app::yearly::spawn_daily_check(app.clone());
    crate::app::outbox::spawn_worker(app.clone());
    let public_url = app.config.public_url.clone();
    let csp = csp(app.config.gateway_url.as_deref());
    let mut server = HttpServer::new(move || {
        let public_url = public_url.clone();
        actix_web::App::new()
            .wrap_fn(move |req, srv| {
                use actix_web::ResponseError as _;
                let refused: futures_util::future::LocalBoxFuture<'static, _> =
                    match csrf_refusal(&req, &public_url) {
                        Some(e) => {
                            let res = req.into_response(e.error_response()).map_into_right_body();
                            Box::pin(async move { Ok(res) })
                        }
                        None => {
                            let fut = srv.call(req);
                            Box::pin(async move { fut.await.map(|r| r.map_into_left_body()) })
                        }
                    };
                refused
            })
            .wrap(actix_web::middleware::ErrorHandlers::new().default_handler(errors::envelope))
            .wrap(
                actix_web::middleware::DefaultHeaders::new()
                    .add(("Content-Security-Policy", csp.clone()))
                    .add(("X-Content-Type-Options", "nosniff"))
                    .add(("X-Frame-Options", "DENY"))
                    .add(("Referrer-Policy", "same-origin")),
            )
            .wrap_fn(|req, srv| {
                let start = Instant::now();
                let method = req.method().to_string();
                let route = req.match_pattern().unwrap_or_else(|| "unmatched".into());
                let fut = srv.call(req);
                async move {
                    let res = fut.await?;
                    crate::metrics::http_request(
                        &route,
                        &method,
                        res.status().as_u16(),
                        start.elapsed().as_secs_f64(),
                    );
                    Ok(res)
                }
            })
            .wrap(TracingLogger::<RootSpan>::new())
            .configure(configure(app.clone()))
    })
    .listen(listener)?;
    if let Some(w) = workers {
        server = server.workers(w);
    }
    Ok(server.run())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};
    use tracing_actix_web::RootSpanBuilder as _;

    /// A log writer into a shared buffer.
    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Buffer {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0
                .lock()
                .map_err(|_| std::io::ErrorKind::Other)?
                .extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn the_request_log_keeps_the_path_and_never_the_query() {
        let buffer = Buffer::default();
        let writer = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        let req = actix_web::test::TestRequest::get()
            .uri("/registry?holder=850305401237")
            .to_srv_request();
        tracing::subscriber::with_default(subscriber, || {
            let span = RootSpan::on_request_start(&req);
            let _entered = span.enter();
            tracing::info!("registry search");
        });
        let log = String::from_utf8(buffer.0.lock().expect("log").clone()).expect("utf-8");
        assert!(log.contains("http.target=/registry "), "{log}");
        assert!(log.contains("http.flavor=1.1"), "{log}");
        assert!(!log.contains("850305401237"), "{log}");
    }

    #[test]
    fn forms_may_post_to_the_payment_gateway_only_when_one_is_configured() {
        assert!(csp(None).contains("form-action 'self';"));
        let with = csp(Some("https://pay.example.kz/api/v2"));
        assert!(
            with.contains("form-action 'self' https://pay.example.kz;"),
            "{with}"
        );
        assert!(with.contains("script-src 'self';") && with.contains("frame-ancestors 'none'"));
        assert!(csp(Some("javascript:alert(1)")).contains("form-action 'self';"));
    }
}
