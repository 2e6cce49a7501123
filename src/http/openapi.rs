//! The OpenAPI 3 document, generated from the handlers' annotations and the types' schemas.

use super::api;
use crate::app::requests::{ApplicantInput, NewRequest, TransitionInput};
use crate::app::views::{
    ApplicantView, AttachmentView, HistoryEntry, RequestPage, RequestSummary, RequestView,
};
use crate::domain::catalog::*;
use crate::domain::lifecycle::{Guard, State};
use crate::domain::roles::Role;
use crate::error::{ErrorBody, ErrorPayload, Messages};
use actix_web::{get, HttpResponse};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Ruqsat API", description = "Service-request engine for Kazakh e-government services. Errors: `{\"error\":{\"code\",\"message\":{\"ru\",\"kk\",\"en\"},\"detail\"}}`."),
    paths(
        api::health, api::metrics, api::login, api::logout, api::me, api::services, api::service,
        api::create_request, api::list_requests, api::get_request, api::request_history,
        api::post_transition, api::post_attachment, api::signing_payload, api::post_signature, api::crl, api::root_ca,
        api::request_documents, api::document_status, api::result_pdf, api::document_pdf, api::start_payment, api::get_payment, api::payment_callback, super::pages::verify_page, super::pages::verify_json, super::pages::licences,
    ),
    components(schemas(
        ErrorBody, ErrorPayload, Messages, crate::app::results::DocumentView, super::pages::VerifyAnswer, super::pages::LicenceSearch, crate::app::licences::LicenceView, crate::app::licences::LicenceEvent, crate::app::requests::Recipient, crate::app::payments::PaymentView, crate::app::results::StatusChange, crate::app::requests::ChecklistMark, crate::domain::catalog::QualificationItem,
        crate::domain::catalog::Issues, api::Health, api::LoginInput, api::LoginResult, api::Me,
        api::ServiceDetail, api::AttachmentForm, Service, Workflow, Transition, Party, Text, ApplicantKind, Signer,
        Provider, LegalBasis, Variant, FieldKind, Choice, FormField, DocumentSpec, Channel, ResultSpec,
        State, Guard, Role, NewRequest, ApplicantInput, TransitionInput, RequestView, ApplicantView,
        AttachmentView, RequestSummary, RequestPage, HistoryEntry,
    )),
    modifiers(&BearerAuth),
    tags((name = "requests"), (name = "catalog"), (name = "auth"), (name = "ops"), (name = "signatures")),
)]
pub struct ApiDoc;

/// The OpenAPI 3 document of this server.
#[get("/api/openapi.json")]
pub async fn spec() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}
