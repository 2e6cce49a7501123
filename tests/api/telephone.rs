//! Requests by telephone (R-000-50, G-15): in Akmola the clinic registrar takes an
//! appointment or a home call for the caller, identified by IIN in ГБД ФЛ, signs with their
//! own key, and the answer is oral (R-000-51, R-000-57); regions without the channel refuse.

use crate::common::licence::sign_as;
use crate::common::*;
use serde_json::{json, Value};

#[test]
fn an_akmola_registrar_takes_calls_by_telephone_and_astana_takes_none() {
    let app = TestApp::spawn();
    let kok = app.login("registrar-kok");
    let call = |token: &str, iin: &str| {
        app.post(
            token,
            "/api/v1/requests",
            &json!({"service": "doctor-home-call", "channel": "phone",
                    "applicant": {"kind": "person", "iin": iin},
                    "form": {"visit_address": "Көкшетау қ., Абая к-сі 12", "symptoms": "қызба", "phone": "+7 701 111 22 33"}}),
        )
    };
    // R-000-42..44: the caller is looked up in ГБД ФЛ; someone it does not have is refused.
    assert_error(call(&kok, "700303400129"), 422, "APPLICANT_NOT_IN_REGISTRY");
    // R-000-07: the caller must be attached to this clinic (Сергей Иванов is).
    assert_error(call(&kok, "850305401237"), 422, "NOT_ATTACHED");
    let r = call(&kok, "540214311853");
    assert_eq!(r.status(), 201, "{:?}", r.text());
    let v: Value = r.json().expect("json");
    assert_eq!(
        (v["channel"].as_str(), v["provider"].as_str()),
        (Some("phone"), Some("kokshetau-polyclinic-1"))
    );
    assert_eq!(v["applicant"]["name"], "Иванов Сергей Петрович");
    let number = v["number"].as_str().expect("number").to_string();
    assert_eq!(app.transition(&kok, &number, "submit", None).status(), 200);
    // R-000-45: the employee signs with their own key; R-000-46: registered.
    let r = sign_as(&app, &kok, &number, "registrar-kok");
    assert_eq!(r.status(), 200, "{:?}", r.text());
    assert_eq!(r.json::<Value>().expect("json")["state"], "registered");
    // Astana's region takes no telephone requests (digest 3.12).
    let registrar = app.login("registrar");
    let r = app.post(
        &registrar,
        "/api/v1/requests",
        &json!({"service": "doctor-home-call", "channel": "phone",
                "applicant": {"kind": "person", "iin": "850305401237"},
                "form": {"visit_address": "Астана, Бейбітшілік 14", "symptoms": "қызба", "phone": "+7 701 111 22 33"}}),
    );
    assert_error(r, 422, "CHANNEL_NOT_IN_REGION");
    // An applicant has no telephone channel of their own.
    let aigerim = app.login("aigerim");
    let r = app.post(
        &aigerim,
        "/api/v1/requests",
        &json!({"service": "doctor-home-call", "channel": "phone",
                "form": {"visit_address": "Астана", "symptoms": "қызба", "phone": "+7 701 111 22 33"}}),
    );
    assert_error(r, 403, "CHANNEL_NOT_ALLOWED");
}

#[test]
fn an_appointment_taken_by_telephone_is_confirmed_once_the_registrar_signs() {
    // R-000-50 (AP by telephone), R-000-51: the answer is the log entry and an oral date and
    // time; the ticket is issued as for the portal (R-000-04).
    let app = TestApp::spawn();
    let kok = app.login("registrar-kok");
    let slots: Value = app
        .client
        .get(
            app.url("/api/v1/clinics/kokshetau-polyclinic-1/slots?doctor=kok1-therapist-1&days=14"),
        )
        .send()
        .expect("slots")
        .json()
        .expect("json");
    let start = slots["slots"][0]["start"]
        .as_str()
        .expect("a free slot")
        .to_string();
    let r = app.post(
        &kok,
        "/api/v1/requests",
        &json!({"service": "doctor-appointment", "channel": "phone",
                "applicant": {"kind": "person", "iin": "540214311853"},
                "form": {"clinic": "kokshetau-polyclinic-1", "doctor": "kok1-therapist-1", "slot_start": start}}),
    );
    assert_eq!(r.status(), 201, "{:?}", r.text());
    let number = r.json::<Value>().expect("json")["number"]
        .as_str()
        .expect("number")
        .to_string();
    assert_eq!(app.transition(&kok, &number, "submit", None).status(), 200);
    let r = sign_as(&app, &kok, &number, "registrar-kok");
    assert_eq!(r.status(), 200, "{:?}", r.text());
    assert_eq!(r.json::<Value>().expect("json")["state"], "approved");
    // A registrar books for their own clinic only.
    let r = app.post(
        &kok,
        "/api/v1/requests",
        &json!({"service": "doctor-appointment", "channel": "phone",
                "applicant": {"kind": "person", "iin": "540214311853"},
                "form": {"clinic": "kokshetau-polyclinic-2", "doctor": "kok2-gp-1", "slot_start": start}}),
    );
    assert_error(r, 403, "PROVIDER_NOT_YOURS");
}
