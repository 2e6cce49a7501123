//! R-004 rules of the disabled-children support service enforced at the API: the decision
//! rests on the commission's conclusion, and delivery by e-mail needs an address.

use crate::common::licence::sign_as;
use crate::common::*;
use serde_json::{json, Value};

fn state(app: &TestApp, token: &str, number: &str) -> Value {
    app.get(token, &format!("/api/v1/requests/{number}"))
        .json::<Value>()
        .expect("json")["state"]
        .clone()
}

#[test]
fn neither_approval_nor_refusal_without_the_commissions_conclusion() {
    // R-004-22: the commission examines; R-004-23 / R-004-38: the decision or the motivated
    // refusal follows its conclusion (G-41).
    let app = TestApp::spawn();
    let daulet = app.login("daulet");
    let number = submitted_support_request(&app, &daulet);
    assert_eq!(sign_as(&app, &daulet, &number, "daulet").status(), 200);
    let mio = app.login("mio");
    assert_eq!(
        app.transition(&mio, &number, "start_review", None).status(),
        200
    );
    let decide = |action: &str, reason: Option<&str>| {
        app.post(
            &mio,
            &format!("/api/v1/requests/{number}/transitions"),
            &json!({"action": action, "reason": reason, "fields": {
                "support_start": "01.12.2026", "support_period": "01.12.2026 – 31.05.2027"}}),
        )
    };
    assert_error(decide("approve", None), 409, "CONCLUSION_REQUIRED");
    assert_error(
        decide("refuse", Some("Не подтверждено обучение на дому")),
        409,
        "CONCLUSION_REQUIRED",
    );
    assert_eq!(state(&app, &mio, &number), "under_review");
    let docs: Value = app
        .get(&mio, &format!("/api/v1/requests/{number}/documents"))
        .json()
        .expect("json");
    assert_eq!(docs, json!([]), "no document without a conclusion");

    let commission = app.login("commission");
    assert_eq!(
        app.transition(
            &commission,
            &number,
            "record_conclusion",
            Some("Основания имеются")
        )
        .status(),
        200
    );
    let r = decide("approve", None);
    assert_eq!(r.status(), 200, "{:?}", r.text());
    assert_eq!(state(&app, &mio, &number), "approved");
}

#[test]
fn delivery_by_email_needs_an_address_in_the_form() {
    // R-004-24: the result is handed over in person or sent to the consumer's e-mail.
    let app = TestApp::spawn();
    let daulet = app.login("daulet");
    let create = |form: Value| {
        let r = app.post(
            &daulet,
            "/api/v1/requests",
            &json!({"service": "disabled-child-support", "channel": "portal", "form": form}),
        );
        assert_eq!(r.status(), 201, "{:?}", r.text());
        let number = r.json::<Value>().expect("json")["number"]
            .as_str()
            .expect("number")
            .to_string();
        for d in SUPPORT_DOCS {
            assert_eq!(
                app.attach(&daulet, &number, d, pdf_bytes(d), None).status(),
                201
            );
        }
        number
    };
    let mut by_mail = support_form();
    by_mail.as_object_mut().expect("form").remove("email");
    let number = create(by_mail.clone());
    let body = assert_error(
        app.transition(&daulet, &number, "submit", None),
        422,
        "FORM_INCOMPLETE",
    );
    assert!(body.to_string().contains("email"), "{body}");
    assert_eq!(state(&app, &daulet, &number), "draft");

    let mut by_hand = by_mail;
    by_hand["delivery"] = json!("by-hand");
    let number = create(by_hand);
    assert_eq!(
        app.transition(&daulet, &number, "submit", None).status(),
        200
    );
}

#[test]
fn a_desk_scan_whose_original_was_not_seen_does_not_count() {
    // R-004-12: at the desk the employee checks the originals and scans them; a scan marked
    // "original not seen" does not complete the request until the original is checked.
    let app = TestApp::spawn();
    let mio = app.login("mio");
    let r = app.post(
        &mio,
        "/api/v1/requests",
        &json!({"service": "disabled-child-support", "channel": "provider_desk",
               "applicant": {"kind": "person", "iin": "900712304567"}, "form": support_form()}),
    );
    assert_eq!(r.status(), 201, "{:?}", r.text());
    let number = r.json::<Value>().expect("json")["number"]
        .as_str()
        .expect("number")
        .to_string();
    for d in SUPPORT_DOCS {
        let seen = d != "birth-certificate";
        assert_eq!(
            app.attach(&mio, &number, d, pdf_bytes(d), Some(seen))
                .status(),
            201
        );
    }
    let body = assert_error(
        app.transition(&mio, &number, "submit", None),
        422,
        "ORIGINAL_NOT_SEEN",
    );
    assert!(body.to_string().contains("birth-certificate"), "{body}");
    assert_eq!(state(&app, &mio, &number), "draft");
    // The original presented and checked, the scan taken again: the request goes on.
    assert_eq!(
        app.attach(
            &mio,
            &number,
            "birth-certificate",
            pdf_bytes("b2"),
            Some(true)
        )
        .status(),
        201
    );
    assert_eq!(app.transition(&mio, &number, "submit", None).status(), 200);
}
