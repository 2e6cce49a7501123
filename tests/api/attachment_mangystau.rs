//! Attachment to a primary-care clinic in Mangystau (R-001, the region's one clinic
//! service), through the portal and at the clinic desk, step by step as the regulation
//! describes them; 001 is read as 000 AT (G-17, G-18).

use crate::common::licence::sign_as;
use crate::common::*;
use serde_json::{json, Value};

fn attach_body() -> Value {
    json!({"service": "phc-attachment", "channel": "portal", "provider": "aktau-polyclinic-1",
           "form": {"address": "Ақтау қ., 14 шағын аудан, 5 үй"}})
}

#[test]
fn the_region_offers_attachment_only_on_the_national_standard() {
    // R-001-01: the region's PHC organisations and the portal provide it; R-001-02: one
    // service, attachment; R-001-03: Government decree No. 1294; R-001-04: fully automated,
    // transactional.
    let app = TestApp::spawn();
    let clinics: Vec<Value> = app
        .client
        .get(app.url("/api/v1/clinics?region=mangystau"))
        .send()
        .expect("get")
        .json()
        .expect("json");
    assert!(!clinics.is_empty());
    assert!(
        clinics
            .iter()
            .all(|c| c["services"] == json!(["phc-attachment"])),
        "{clinics:?}"
    );
    let s: Value = app
        .client
        .get(app.url("/api/v1/services/phc-attachment"))
        .send()
        .expect("get")
        .json()
        .expect("json");
    assert!(s["service"]["legal_basis"]["standard"]
        .as_str()
        .is_some_and(|t| t.contains("1294")));
    // An appointment at an Aktau clinic is not offered (R-001-02).
    let aigerim = app.login("aigerim");
    let r = app.post(
        &aigerim,
        "/api/v1/requests",
        &json!({"service": "doctor-appointment", "channel": "portal",
                "form": {"clinic": "aktau-polyclinic-1", "doctor": "akt1-therapist-1",
                         "slot_start": "2030-01-07T08:00:00+05:00"}}),
    );
    assert_error(r, 422, "UNKNOWN_PROVIDER");
}

#[test]
fn on_the_portal_each_step_of_the_regulation_holds() {
    let app = TestApp::spawn();
    // R-001-11 / R-001-12 / R-001-13 / R-001-14 / R-001-25: login by IIN and password; a
    // wrong one is refused.
    let r = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"login": "aigerim", "password": "wrong"}))
        .send()
        .expect("login");
    assert_error(r, 401, "INVALID_CREDENTIALS");
    let aigerim = app.login("aigerim");
    // R-001-15 / R-001-26 / R-001-27 / R-001-28: select the service, fill in the form;
    // R-001-29: the IIN comes from the account, not the form.
    let r = app.post(&aigerim, "/api/v1/requests", &attach_body());
    assert_eq!(r.status(), 201, "{:?}", r.text());
    let v: Value = r.json().expect("json");
    assert_eq!(v["applicant"]["iin"], "850305401237");
    assert_eq!(v["provider"], "aktau-polyclinic-1");
    let number = v["number"].as_str().expect("number").to_string();
    // R-001-30: «Сұрауды жіберу» sends the request on to signing.
    assert_eq!(
        app.transition(&aigerim, &number, "submit", None).status(),
        200
    );
    // R-001-16 / R-001-17 / R-001-19: a revoked certificate is refused and nothing moves;
    // R-001-18: another person's certificate does not match the IIN.
    assert_error(
        sign_as(&app, &aigerim, &number, "aigerim-revoked"),
        422,
        "CERTIFICATE_REVOKED",
    );
    assert_error(
        sign_as(&app, &aigerim, &number, "daulet"),
        422,
        "SIGNER_IDENTITY_MISMATCH",
    );
    // R-001-20 / R-001-31 / R-001-32: signed with the person's ЭЦП and sent;
    // R-001-21: registered with the provider.
    let r = sign_as(&app, &aigerim, &number, "aigerim");
    assert_eq!(r.status(), 200, "{:?}", r.text());
    assert_eq!(r.json::<Value>().expect("json")["state"], "registered");
    // R-001-34 / R-001-35: the status screen shows the IIN, the number and the status.
    let v: Value = app
        .get(&aigerim, &format!("/api/v1/requests/{number}"))
        .json()
        .expect("json");
    assert_eq!(
        (v["number"].as_str(), v["state"].as_str()),
        (Some(number.as_str()), Some("registered"))
    );
    // R-001-06: nobody else sees it.
    let daulet = app.login("daulet");
    assert_eq!(
        app.get(&daulet, &format!("/api/v1/requests/{number}"))
            .status(),
        404
    );
    // R-001-22 / R-001-33: the clinic checks the request; R-001-24: the result; R-001-48:
    // the attachment slip, signed by the organisation, viewed in the cabinet (R-001-36).
    let registrar = app.login("registrar-akt");
    let r = app.post(
        &registrar,
        &format!("/api/v1/requests/{number}/transitions"),
        &json!({"action": "approve", "fields": {"district_doctor": "Жұмағалиев Тимур Ерланұлы"}}),
    );
    assert_eq!(r.status(), 200, "{:?}", r.text());
    let pdf = app
        .get(&aigerim, &format!("/api/v1/requests/{number}/result.pdf"))
        .bytes()
        .expect("pdf")
        .to_vec();
    let verdict =
        ruqsat::pdf::verify(&pdf, &app.app.pki.verifier, chrono::Utc::now()).expect("valid");
    assert_eq!(verdict.document_kind.as_deref(), Some("phc_attachment"));
    if let Some(text) = pdf_words(&pdf) {
        // R-001-10: the help line.
        assert!(text.contains("1414"), "{text}");
    }
    // The register moved her from Astana to Aktau (G-14).
    let active = app
        .app
        .store
        .read(|c| ruqsat::db::queries::active_attachment(c, "850305401237"))
        .expect("read")
        .expect("active");
    assert_eq!(active.clinic_code, "aktau-polyclinic-1");
    // R-001-49: the quality questionnaire is offered once the result is issued.
    let q: Value = app
        .get(
            &aigerim,
            &format!("/api/v1/requests/{number}/questionnaire"),
        )
        .json()
        .expect("json");
    assert_eq!(q["offered"], true, "{q}");
}

#[test]
fn at_the_clinic_desk_the_registry_is_asked_and_a_refusal_is_motivated() {
    let app = TestApp::spawn();
    // R-001-37: the employee logs in; R-001-38: selects the service and enters the person;
    // R-001-39 / R-001-40 / R-001-41: ГБД ФЛ is asked, and a person it does not have is
    // refused with that message.
    let registrar = app.login("registrar-akt");
    let desk = |iin: &str| {
        app.post(
            &registrar,
            "/api/v1/requests",
            &json!({"service": "phc-attachment", "channel": "clinic_desk",
                    "applicant": {"kind": "person", "iin": iin},
                    "form": {"address": "Ақтау қ., 14 шағын аудан, 5 үй"}}),
        )
    };
    assert_error(desk("700303400129"), 422, "APPLICANT_NOT_IN_REGISTRY");
    let r = desk("881122307898");
    assert_eq!(r.status(), 201, "{:?}", r.text());
    let v: Value = r.json().expect("json");
    // The name is the registry's, not typed.
    assert_eq!(v["applicant"]["name"], "Жұмабаев Ерлан Маратович");
    let number = v["number"].as_str().expect("number").to_string();
    // R-001-42: the employee fills in and signs with their own ЭЦП; R-001-43: registered.
    assert_eq!(
        app.transition(&registrar, &number, "submit", None).status(),
        200
    );
    assert_error(
        sign_as(&app, &registrar, &number, "aigerim"),
        422,
        "SIGNER_IDENTITY_MISMATCH",
    );
    let r = sign_as(&app, &registrar, &number, "registrar-akt");
    assert_eq!(r.status(), 200, "{:?}", r.text());
    // R-001-44 / R-001-45 / R-001-23: checked against the grounds and refused with reasons;
    // the refusal is a signed document (R-001-46, R-001-47).
    assert_error(
        app.transition(&registrar, &number, "refuse", None),
        422,
        "REASON_REQUIRED",
    );
    let r = app.transition(
        &registrar,
        &number,
        "refuse",
        Some("Адрес вне территории обслуживания"),
    );
    assert_eq!(r.status(), 200, "{:?}", r.text());
    assert_eq!(r.json::<Value>().expect("json")["state"], "refused");
    let docs: Vec<Value> = app
        .get(&registrar, &format!("/api/v1/requests/{number}/documents"))
        .json()
        .expect("json");
    assert_eq!(docs.len(), 1, "{docs:?}");
    // Nothing moved in the register (R-001-07: no unauthorised change).
    let active = app
        .app
        .store
        .read(|c| ruqsat::db::queries::active_attachment(c, "881122307898"))
        .expect("read")
        .expect("active");
    assert_eq!(active.clinic_code, "astana-polyclinic-4");
}
