//! Authentication extractor: a bearer token (API) or the `ruqsat_session` cookie (pages).

use crate::app::auth::{authenticate, CurrentUser};
use crate::app::App;
use crate::error::AppError;
use crate::error::ErrorCode;
use actix_web::{dev::Payload, web, FromRequest, HttpRequest};
use std::future::Future;
use std::pin::Pin;

pub const SESSION_COOKIE: &str = "ruqsat_session";

/// The caller, authenticated. Handlers that take `Authed` answer 401 without a valid token.
pub struct Authed(pub CurrentUser);

pub fn token_of(req: &HttpRequest) -> Option<String> {
    if let Some(h) = req.headers().get(actix_web::http::header::AUTHORIZATION) {
        let v = h.to_str().ok()?;
        let (scheme, token) = v.split_once(' ')?;
        return scheme
            .eq_ignore_ascii_case("bearer")
            .then(|| token.trim().to_string());
    }
    req.cookie(SESSION_COOKIE).map(|c| c.value().to_string())
}

impl FromRequest for Authed {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = token_of(req);
        let app = req.app_data::<web::Data<App>>().cloned();
        Box::pin(async move {
            let token = token
                .filter(|t| !t.is_empty())
                .ok_or_else(|| AppError::new(ErrorCode::Unauthenticated))?;
            let app = app.ok_or_else(|| AppError::internal("app data missing"))?;
            let user = web::block(move || authenticate(&app, &token))
                .await
                .map_err(super::errors::blocking)??;
            tracing::Span::current().record("user", user.login.as_str());
            Ok(Authed(user))
        })
    }
}
