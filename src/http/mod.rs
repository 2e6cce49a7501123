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
pub mod errors;
pub mod openapi;
pub mod pages;
pub mod public;

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
            .configure(pages::routes)
            .service(openapi::spec)
            .default_service(web::to(|| async {
                HttpResponse::NotFound().json(AppError::with(ErrorCode::NotFound, NO_ROUTE).body())
            }));
    }
}

/// Starts the server on an already bound listener (tests bind port 0), with the daily
/// check of the yearly data ([`crate::app::yearly`]).
pub fn serve(app: App, listener: TcpListener, workers: Option<usize>) -> std::io::Result<Server> {
    crate::app::yearly::spawn_daily_check(app.clone());
    let mut server = HttpServer::new(move || {
        actix_web::App::new()
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
            .wrap(TracingLogger::default())
            .configure(configure(app.clone()))
    })
    .listen(listener)?;
    if let Some(w) = workers {
        server = server.workers(w);
    }
    Ok(server.run())
}
