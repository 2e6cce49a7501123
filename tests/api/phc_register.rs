//! The register of the attached population (R-000-07, G-06, G-14): appointments and home
//! calls need the person attached to the clinic; an approved attachment moves the person
//! and ends the previous attachment, keeping the history; one active attachment at a time.

use crate::common::licence::sign_as;
use crate::common::*;
use serde_json::{json, Value};

fn register_of(app: &TestApp, iin: &str) -> Vec<(String, bool)> {
    app.app
        .store
        .read(|c| ruqsat::db::queries::attachment_history(c, iin))
        .expect("read")
        .into_iter()
        .map(|r| (r.clinic_code, r.ended_at.is_none()))
        .collect()
}

#[test]
fn appointments_and_home_calls_need_the_person_attached_to_the_clinic() {
    // R-000-07: "наличие прикрепления у услугодателя согласно регистру прикрепленного
    // населения" for AP and HC; G-06: in every region.
    let app = TestApp::spawn_in_clinic_hours();
    // Ерлан (medcenter) is attached to Astana polyclinic No. 4, not No. 1.
    let medcenter = app.login("medcenter");
    let monday = next_clinic_day(chrono::Weekday::Mon);
    let start = format!("{monday}T08:40:00+05:00");
    let book = |token: &str, clinic: &str, doctor: &str| {
        app.post(
            token,
            "/api/v1/requests",
            &json!({"service": "doctor-appointment", "channel": "portal",
                    "form": {"clinic": clinic, "doctor": doctor, "slot_start": start}}),
        )
    };
    let body = assert_error(
        book(&medcenter, "astana-polyclinic-1", "ast1-therapist-1"),
        422,
        "NOT_ATTACHED",
    );
    assert!(
        body["error"]["detail"]
            .as_str()
            .is_some_and(|d| d.contains("astana-polyclinic-4")),
        "{body}"
    );
    // At his own clinic he books.
    assert_eq!(
        book(&medcenter, "astana-polyclinic-4", "ast4-therapist-1").status(),
        201
    );
    // A home call at another clinic is refused the same way (R-000-07 HC).
    let mut call = home_call_body();
    call["provider"] = json!("astana-polyclinic-1");
    assert_error(
        app.post(&medcenter, "/api/v1/requests", &call),
        422,
        "NOT_ATTACHED",
    );
    // Әйгерім is attached to No. 1: her home call is taken.
    let aigerim = app.login("aigerim");
    assert_eq!(app.post(&aigerim, "/api/v1/requests", &call).status(), 201);
}

#[test]
fn an_approved_attachment_moves_the_person_and_keeps_the_history() {
    // G-14: at most one active attachment; a new one ends the previous (history kept).
    // R-000-26 / R-000-27, R-002-11: the clinic's decision, on the day of application.
    // R-001-02: attachment (AT) is the Mangystau regulation's one service.
    let app = TestApp::spawn();
    let medcenter = app.login("medcenter");
    assert_eq!(
        register_of(&app, "881122307898"),
        [("astana-polyclinic-4".to_string(), true)]
    );
    let r = app.post(
        &medcenter,
        "/api/v1/requests",
        &json!({"service": "phc-attachment", "channel": "portal", "provider": "astana-polyclinic-1",
                "form": {"address": "Астана қ., Бейбітшілік к-сі 20"}}),
    );
    assert_eq!(r.status(), 201, "{:?}", r.text());
    let number = r.json::<Value>().expect("json")["number"]
        .as_str()
        .expect("number")
        .to_string();
    assert_eq!(
        app.transition(&medcenter, &number, "submit", None).status(),
        200
    );
    assert_eq!(
        sign_as(&app, &medcenter, &number, "medcenter").status(),
        200
    );
    // Until the clinic decides, nothing moves.
    assert_eq!(
        register_of(&app, "881122307898"),
        [("astana-polyclinic-4".to_string(), true)]
    );
    let registrar = app.login("registrar");
    let r = app.post(
        &registrar,
        &format!("/api/v1/requests/{number}/transitions"),
        &json!({"action": "approve", "fields": {"district_doctor": "Ахметова Сәуле Қайратқызы"}}),
    );
    assert_eq!(r.status(), 200, "{:?}", r.text());
    assert_eq!(
        register_of(&app, "881122307898"),
        [
            ("astana-polyclinic-4".to_string(), false),
            ("astana-polyclinic-1".to_string(), true)
        ],
        "the old attachment ended, the new one is active"
    );
    // The district comes from the clinic's territory (Бейбітшілік → district 1).
    let active = app
        .app
        .store
        .read(|c| ruqsat::db::queries::active_attachment(c, "881122307898"))
        .expect("read")
        .expect("active");
    assert_eq!(active.district.as_deref(), Some("1"));
    // Attaching again to the same clinic is refused.
    let r = app.post(
        &medcenter,
        "/api/v1/requests",
        &json!({"service": "phc-attachment", "channel": "portal", "provider": "astana-polyclinic-1",
                "form": {"address": "Астана қ., Бейбітшілік к-сі 20"}}),
    );
    assert_error(r, 409, "ALREADY_ATTACHED");
    // And now he may book at No. 1.
    let slots: Value = app
        .client
        .get(app.url("/api/v1/clinics/astana-polyclinic-1/slots?doctor=ast1-therapist-1&days=14"))
        .send()
        .expect("slots")
        .json()
        .expect("json");
    let start = slots["slots"][0]["start"].as_str().expect("a free slot");
    let r = app.post(
        &medcenter,
        "/api/v1/requests",
        &json!({"service": "doctor-appointment", "channel": "portal",
                "form": {"clinic": "astana-polyclinic-1", "doctor": "ast1-therapist-1", "slot_start": start}}),
    );
    assert_eq!(r.status(), 201, "{:?}", r.text());
}

#[test]
fn an_attachment_needs_an_address_the_clinic_serves_where_the_region_checks_it() {
    // G-14: the service-area check is regional configuration (Astana and Mangystau check it).
    let app = TestApp::spawn();
    let aigerim = app.login("aigerim");
    let attach = |clinic: &str, address: &str| {
        app.post(
            &aigerim,
            "/api/v1/requests",
            &json!({"service": "phc-attachment", "channel": "portal", "provider": clinic,
                    "form": {"address": address}}),
        )
    };
    // Polyclinic No. 4 serves Тәуелсіздік and Республика, not Қабанбай батыр.
    assert_error(
        attach("astana-polyclinic-4", "Астана қ., Қабанбай батыр д-лы 40"),
        422,
        "OUTSIDE_TERRITORY",
    );
    assert_eq!(
        attach("astana-polyclinic-4", "Астана қ., Тәуелсіздік даңғылы 7").status(),
        201
    );
}
