//! Who signs a result (docs/access.md, "Who signs a result"): the official who took the
//! decision, with their own key (R-003-32, R-003-44); a provider-wide key (the seal) only
//! where the catalog gives the provider one.

use crate::common::licence::*;
use crate::common::*;
use serde_json::{json, Value};

/// Creates a staff account as the demo administrator and logs it in; its key is not in
/// the demo PKI, so Ruqsat holds no key of its own for it.
fn new_staff(app: &TestApp, login: &str, role: &str, provider: &str) -> String {
    let admin = app.login("admin");
    let r = app.post(
        &admin,
        "/api/v1/admin/users",
        &json!({"login": login, "full_name": "Арман Серікұлы Жақсылықов",
                "role": role, "provider": provider}),
    );
    assert_eq!(r.status(), 201, "{:?}", r.text());
    let password = r.json::<Value>().expect("json")["initial_password"]
        .as_str()
        .expect("generated password")
        .to_string();
    let r = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"login": login, "password": password}))
        .send()
        .expect("login");
    assert_eq!(r.status(), 200);
    r.json::<Value>().expect("json")["token"]
        .as_str()
        .expect("token")
        .to_string()
}

#[test]
fn a_licence_decision_is_signed_only_with_the_deciding_officials_own_key() {
    // R-003-32, R-003-44: the e-licence is formed with the ЭЦП of the official; the
    // licensing department has no seal in the catalog, so its demo key never stands in.
    let app = TestApp::spawn();
    let (_med, official, number) = licence_under_review(&app);
    let items = [BASE_ITEMS.as_slice(), &["lab-equipment"]].concat();
    let r = assess(&app, &official, &number, &items);
    assert_eq!(r.status(), 200, "{:?}", r.text());
    let arman = new_staff(&app, "arman", "official", "mangystau-health");
    assert_error(
        app.transition(&arman, &number, "approve", None),
        503,
        "RESULT_SIGNER_NOT_CONFIGURED",
    );
    // Nothing half-done: the request is still under review, with no document.
    assert_eq!(state(&app, &official, &number)["state"], "under_review");
    let docs: Value = app
        .get(&official, &format!("/api/v1/requests/{number}/documents"))
        .json()
        .expect("json");
    assert_eq!(docs, json!([]), "no document without a signature");

    // The official whose key is held decides, and the result carries their IIN.
    let r = app.transition(&official, &number, "approve", None);
    assert_eq!(r.status(), 200, "{:?}", r.text());
    let (_, signer) = verified_result(&app, &official, &number, "licence");
    assert_eq!(signer.as_deref(), Some("870909302226"));
}

#[test]
fn a_clinic_with_a_seal_signs_with_it_when_the_registrars_own_key_is_not_held() {
    // The clinic's catalog entry says `seal = true`: its certificates are signed by the
    // clinic's information-system key when the deciding registrar has none of their own.
    let app = TestApp::spawn_in_clinic_hours();
    let aigerim = app.login("aigerim");
    let number = home_call(&app, &aigerim);
    assert_eq!(
        app.transition(&aigerim, &number, "submit", None).status(),
        200
    );
    let r = sign_as(&app, &aigerim, &number, "aigerim");
    assert_eq!(r.status(), 200, "{:?}", r.text());
    let nurlan = new_staff(&app, "nurlan", "clinic_registrar", "astana-polyclinic-1");
    let r = app.post(
        &nurlan,
        &format!("/api/v1/requests/{number}/transitions"),
        &json!({"action": "approve", "fields": {
            "visit_date": "24.11.2026", "time_window": "10:00–14:00",
            "doctor_name": "Ержан Төлегенұлы Сапаров"}}),
    );
    assert_eq!(r.status(), 200, "{:?}", r.text());
    let (_, signer) = verified_result(&app, &nurlan, &number, "home_call_confirmation");
    // The demo seal of astana-polyclinic-1 is its demo registrar's key.
    assert_eq!(signer.as_deref(), Some("950606405554"));
}
