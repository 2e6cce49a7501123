//! The service catalog as pages: every service with its conditions, fee, term and documents
//! as the regulations list them (the catalog is the one source; nothing here is written
//! twice).

use super::{Page, PageResult};
use crate::domain::catalog::{ChannelCode, Service};
use crate::error::{AppError, ErrorCode};
use actix_web::{get, web};
use serde_json::{json, Value};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(services).service(service);
}

/// A service as its pages show it: variants with fee and term, channels with their
/// documents, form fields.
pub fn service_json(page: &Page, s: &Service) -> Value {
    let today = page
        .app
        .now()
        .with_timezone(&chrono_tz::Asia::Almaty)
        .date_naive();
    let variants: Vec<Value> = s
        .variants
        .iter()
        .map(|v| {
            let fee = page.app.fees.fee(&v.fee_rule, today).ok();
            json!({
                "code": v.code,
                "name": v.name,
                "fee": fee.map(|f| f.to_decimal().to_string()),
                "free": fee.is_some_and(|f| f.tiyn() == 0),
                "deadline": {"amount": v.deadline.amount, "unit": v.deadline.unit},
                "requirements": v.requirements,
            })
        })
        .collect();
    let channels: Vec<Value> = s
        .channels
        .iter()
        .map(|c| {
            json!({
                "code": c.code,
                "name": c.name,
                "documents": c.documents,
                "requirements": c.requirements,
            })
        })
        .collect();
    json!({
        "code": s.code,
        "name": s.name,
        "provider": s.provider.name,
        "applicant_kinds": s.applicant_kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>(),
        "variants": variants,
        "channels": channels,
        "portal": s.channels.iter().any(|c| c.code == ChannelCode::Portal),
        "form": s.form,
        "result": s.result.name,
        "requirements": s.requirements,
        "legal_basis": s.legal_basis,
    })
}

/// The catalog: every service, with what it costs and how long it takes.
#[get("/services")]
pub async fn services(page: Page) -> PageResult {
    let list: Vec<Value> = page
        .app
        .catalog
        .services()
        .map(|s| service_json(&page, s))
        .collect();
    page.render("services.html", json!({ "services": list }))
}

/// One service: conditions, fee, term, documents per channel, and the way to apply.
#[get("/services/{code}")]
pub async fn service(page: Page, code: web::Path<String>) -> PageResult {
    let s =
        page.app.catalog.service(&code).ok_or_else(|| {
            page.fail(AppError::with(ErrorCode::UnknownService, code.into_inner()))
        })?;
    page.render("service.html", json!({ "service": service_json(&page, s) }))
}
