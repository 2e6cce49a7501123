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
        ErrorBody, ErrorPayload, Messages, super::mail::ResetRequest, super::mail::ResetConfirm, super::mail::MarkRead, super::mail::MarkedRead, crate::app::notify::NotificationView, crate::app::questionnaire::QuestionnaireView, crate::app::questionnaire::Answers, crate::app::questionnaire::QualityReport, crate::app::questionnaire::QuestionReport, crate::domain::catalog::Question, crate::domain::catalog::Satisfaction, crate::app::outbox::OutboxView, crate::domain::outbox::OutboxStatus, crate::app::results::DocumentView, super::public::VerifyAnswer, super::public::LicenceSearch, crate::app::licences::LicenceView, crate::app::licences::LicenceEvent, crate::app::requests::Recipient, crate::app::payments::PaymentView, crate::app::results::StatusChange, crate::app::requests::ChecklistMark, crate::domain::catalog::QualificationItem,
        crate::domain::catalog::Issues, api::Health, api::LoginInput, api::LoginResult, api::Me,
        api::ServiceDetail, api::AttachmentForm, Service, Workflow, Transition, Party, Text, ApplicantKind, Signer,
        Provider, LegalBasis, Variant, FieldKind, Choice, FormField, DocumentSpec, Channel, ResultSpec,
        State, Guard, Role, NewRequest, ApplicantInput, TransitionInput, RequestView, ApplicantView,
        AttachmentView, RequestSummary, RequestPage, HistoryEntry, crate::app::views::SignatureView,
        crate::app::views::WarningView, crate::domain::commission::Opinion,
        crate::domain::commission::Commission, crate::domain::kinship::ChildCheck,
        crate::app::clinics::ClinicView, crate::app::clinics::DoctorView,
        crate::app::clinics::SlotView, crate::app::clinics::SlotsPage,
        crate::app::clinic_day::ClinicDay, crate::app::clinic_day::DayAppointment,
        crate::app::clinic_day::DayHomeCall, crate::domain::clinics::VisitOutcome,
    )),
    modifiers(&BearerAuth),
    tags((name = "requests"), (name = "catalog"), (name = "auth"), (name = "ops"), (name = "signatures"), (name = "clinics")),
)]
pub struct ApiDoc;

/// The OpenAPI 3 document: the schemas above and every module's routes, each operation
/// with the refusals every operation of its shape can give ([`add_common_refusals`]).
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.merge(api::Paths::openapi());
    doc.merge(super::public::Paths::openapi());
    doc.merge(super::mail::Paths::openapi());
    doc.merge(super::quality::Paths::openapi());
    doc.merge(super::clinics::Paths::openapi());
    doc.merge(super::portal::public::Paths::openapi());
    add_common_refusals(&mut doc);
    doc
}

/// Adds to each operation the refusals that come from its shape rather than its use case,
/// so the document lists every status an operation answers (schemathesis checks it):
/// - `400 BAD_REQUEST`: a parameter or body that does not parse;
/// - `401 UNAUTHENTICATED`: an operation that needs a session, called without one;
/// - `403 CSRF_REJECTED`: a state change by session cookie from another site;
/// - `404`: a path parameter that names nothing;
/// - `413 PAYLOAD_TOO_LARGE`: a body over the limit.
///
/// An operation's own annotation wins where it documents the same status.
fn add_common_refusals(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::{Operation, ParameterIn};
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    let refusal = |why: &str| {
        ResponseBuilder::new()
            .description(why)
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorBody")))
                    .build(),
            )
            .build()
    };
    let add = |op: &mut Operation, status: &str, why: &str| {
        op.responses
            .responses
            .entry(status.to_string())
            .or_insert_with(|| refusal(why).into());
    };
    for item in doc.paths.paths.values_mut() {
        let ops = [
            (false, item.get.as_mut()),
            (false, item.head.as_mut()),
            (true, item.post.as_mut()),
            (true, item.put.as_mut()),
            (true, item.patch.as_mut()),
            (true, item.delete.as_mut()),
        ];
        for (changes_state, op) in ops {
            let Some(op) = op else { continue };
            let params = op.parameters.as_deref().unwrap_or_default();
            let in_path = params
                .iter()
                .any(|p| matches!(p.parameter_in, ParameterIn::Path));
            if !params.is_empty() || op.request_body.is_some() {
                add(
                    op,
                    "400",
                    "A parameter or the body does not parse (`BAD_REQUEST`)",
                );
            }
            if op.security.as_ref().is_some_and(|s| !s.is_empty()) {
                add(op, "401", "No valid session (`UNAUTHENTICATED`)");
            }
            if changes_state {
                add(
                    op,
                    "403",
                    "A session-cookie request from another site (`CSRF_REJECTED`)",
                );
            }
            if in_path {
                add(op, "404", "Nothing by that name (`NOT_FOUND`)");
            }
            if op.request_body.is_some() {
                add(
                    op,
                    "413",
                    "The body is over the limit (`PAYLOAD_TOO_LARGE`)",
                );
            }
        }
    }
}

/// The OpenAPI 3 document of this server.
#[get("/api/openapi.json")]
pub async fn spec() -> HttpResponse {
    HttpResponse::Ok().json(document())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_lists_the_refusals_its_shape_can_give() {
        let doc = document();
        let mut checked = 0;
        for (path, item) in &doc.paths.paths {
            for (post, op) in [(false, &item.get), (true, &item.post)] {
                let Some(op) = op else { continue };
                let has = |s: &str| op.responses.responses.contains_key(s);
                let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
                assert!(!secured || has("401"), "{path}: 401");
                assert!(!post || has("403"), "{path}: 403 (CSRF)");
                assert!(
                    op.request_body.is_none() || (has("400") && has("413")),
                    "{path}"
                );
                assert!(!path.contains('{') || has("404"), "{path}: 404");
                checked += 1;
            }
        }
        assert!(checked >= 30, "{checked} operations");
        let login = &doc.paths.paths["/api/v1/auth/login"].post;
        let login = login.as_ref().expect("login");
        assert!(login.responses.responses.contains_key("429"));
        assert!(login.responses.responses.contains_key("503"));
    }
}
