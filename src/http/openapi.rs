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
    components(schemas(
        ErrorBody, ErrorPayload, Messages, crate::app::results::DocumentView, super::public::VerifyAnswer, super::public::LicenceSearch, crate::app::licences::LicenceView, crate::app::licences::LicenceEvent, crate::app::requests::Recipient, crate::app::payments::PaymentView, crate::app::results::StatusChange, crate::app::requests::ChecklistMark, crate::domain::catalog::QualificationItem,
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

/// The OpenAPI 3 document: the schemas above and every module's routes.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.merge(api::Paths::openapi());
    doc.merge(super::public::Paths::openapi());
    doc.merge(super::pages::Paths::openapi());
    doc
}

/// The OpenAPI 3 document of this server.
#[get("/api/openapi.json")]
pub async fn spec() -> HttpResponse {
    HttpResponse::Ok().json(document())
}
