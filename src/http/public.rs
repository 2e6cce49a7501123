//! Public JSON (no login): a document's verification answer and the licence registry search
//! (R-003-07). Like the `/verify` page, nothing personal of a holder beyond what the
//! registry publishes.

use crate::app::results::{self, DocumentView};
use crate::app::App;
use crate::error::AppError;
use actix_web::{get, web, HttpResponse};

type Res<T> = Result<T, AppError>;

/// The same as JSON, for machines.
#[utoipa::path(get, path = "/api/v1/verify/{document_id}", tag = "documents", params(("document_id" = String, Path)),
    responses((status = 200, body = VerifyAnswer), (status = 404, body = crate::error::ErrorBody)))]
#[get("/api/v1/verify/{document_id}")]
pub async fn verify_json(app: web::Data<App>, id: web::Path<String>) -> Res<HttpResponse> {
    let id = id.into_inner();
    let p = web::block(move || results::public_document(&app, &id))
        .await
        .map_err(AppError::internal)??;
    Ok(HttpResponse::Ok().json(VerifyAnswer {
        document: p.document,
        request_number: p.request_number,
    }))
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct VerifyAnswer {
    pub document: DocumentView,
    pub request_number: String,
}

/// The public licence registry (R-003-07): by licence number or by the holder's BIN/IIN.
#[utoipa::path(get, path = "/api/v1/licences", tag = "documents", params(crate::app::licences::LicenceQuery),
    responses((status = 200, body = LicenceSearch), (status = 400, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
#[get("/api/v1/licences")]
pub async fn licences(
    app: web::Data<App>,
    q: web::Query<crate::app::licences::LicenceQuery>,
) -> Res<HttpResponse> {
    let q = q.into_inner();
    let found = web::block(move || crate::app::licences::search(&app, &q))
        .await
        .map_err(AppError::internal)??;
    Ok(HttpResponse::Ok().json(LicenceSearch { licences: found }))
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct LicenceSearch {
    pub licences: Vec<crate::app::licences::LicenceView>,
}

handlers!(verify_json, licences);
