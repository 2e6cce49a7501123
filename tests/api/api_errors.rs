//! Bad input gets a specific 4xx with a stable code and ru/kk/en messages, never a 500,
//! and leaves stored data unchanged.

use crate::common::*;
use serde_json::{json, Value};

#[test]
fn missing_or_bad_auth_is_401() {
    let app = TestApp::spawn();
    let r = app
        .client
        .get(app.url("/api/v1/requests"))
        .send()
        .expect("get");
    assert_error(r, 401, "UNAUTHENTICATED");
    let r = app.get("not-a-token", "/api/v1/requests");
    assert_error(r, 401, "UNAUTHENTICATED");
    let r = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"login": "aigerim", "password": "wrong"}))
        .send()
        .expect("login");
    // R-000-17 / R-003-18: authorisation refused
    assert_error(r, 401, "INVALID_CREDENTIALS");
}

#[test]
fn malformed_json_is_400() {
    let app = TestApp::spawn_in_clinic_hours();
    let t = app.login("aigerim");
    let r = app
        .client
        .post(app.url("/api/v1/requests"))
        .bearer_auth(&t)
        .header("content-type", "application/json")
        .body("{\"service\": ")
        .send()
        .expect("post");
    assert_error(r, 400, "MALFORMED_JSON");
    let r = app.post(
        &t,
        "/api/v1/requests",
        &json!({"service": "doctor-home-call", "channel": "portal", "colour": 1}),
    );
    assert_error(r, 400, "BAD_REQUEST");
}

#[test]
fn unknown_service_variant_channel() {
    let app = TestApp::spawn_in_clinic_hours();
    let t = app.login("aigerim");
    assert_error(
        app.post(
            &t,
            "/api/v1/requests",
            &json!({"service": "no-such", "channel": "portal"}),
        ),
        404,
        "UNKNOWN_SERVICE",
    );
    assert_error(
        app.client
            .get(app.url("/api/v1/services/no-such"))
            .send()
            .expect("get"),
        404,
        "UNKNOWN_SERVICE",
    );
    assert_error(
        app.post(
            &t,
            "/api/v1/requests",
            &json!({"service": "med-licence", "variant": "renewal", "channel": "portal"}),
        ),
        422,
        "UNKNOWN_VARIANT",
    );
    assert_error(
        app.post(
            &t,
            "/api/v1/requests",
            &json!({"service": "doctor-home-call", "channel": "fax"}),
        ),
        422,
        "UNKNOWN_CHANNEL",
    );
    // An applicant cannot open a request in the ЦОН channel (R-003-45: the operator does).
    assert_error(
        app.post(
            &t,
            "/api/v1/requests",
            &json!({"service": "med-licence", "variant": "issue", "channel": "con"}),
        ),
        403,
        "CHANNEL_NOT_ALLOWED",
    );
}

#[test]
fn wrong_iin_checksum_is_refused() {
    // R-003-12 / R-000-08: the applicant has a valid IIN; the check digit is verified.
    let app = TestApp::spawn();
    let t = app.login("registrar");
    let r = app.post(
        &t,
        "/api/v1/requests",
        &json!({"service": "phc-attachment", "channel": "clinic_desk",
                "applicant": {"kind": "person", "iin": "850305401238"},
                "form": {"address": "Астана"}}),
    );
    assert_error(r, 422, "IIN_CHECKSUM");
    // A form field of kind IIN is checked too.
    let t = app.login("daulet");
    let mut form = support_form();
    form["child_iin"] = json!("150606600014");
    let r = app.post(
        &t,
        "/api/v1/requests",
        &json!({"service": "disabled-child-support", "channel": "portal", "form": form}),
    );
    let v = assert_error(r, 422, "FIELD_INVALID");
    assert!(
        v["error"]["detail"]
            .as_str()
            .is_some_and(|d| d.contains("child_iin")),
        "{v}"
    );
}

#[test]
fn applicant_absent_from_registry_is_refused_at_the_desk() {
    // R-000-43 / R-000-44, R-003-38 / R-003-39: the desk looks the applicant up in ГБД ФЛ.
    let app = TestApp::spawn();
    let t = app.login("registrar");
    let r = app.post(
        &t,
        "/api/v1/requests",
        &json!({"service": "phc-attachment", "channel": "clinic_desk",
                "applicant": {"kind": "person", "iin": "700303400129"},
                "form": {"address": "Астана"}}),
    );
    assert_error(r, 422, "APPLICANT_NOT_IN_REGISTRY");
}

#[test]
fn illegal_transition_and_missing_documents() {
    let app = TestApp::spawn();
    let t = app.login("daulet");
    let r = app.post(
        &t,
        "/api/v1/requests",
        &json!({"service": "disabled-child-support", "channel": "portal", "form": support_form()}),
    );
    assert_eq!(r.status(), 201);
    let number = r.json::<Value>().expect("json")["number"]
        .as_str()
        .expect("number")
        .to_string();
    // R-004-06..10: all five documents are required.
    let v = assert_error(
        app.transition(&t, &number, "submit", None),
        422,
        "MISSING_DOCUMENTS",
    );
    assert!(
        v["error"]["detail"]
            .as_str()
            .is_some_and(|d| d.contains("birth-certificate")),
        "{v}"
    );
    // An applicant cannot approve; approving a draft is illegal in this state.
    assert_error(
        app.transition(&t, &number, "approve", None),
        409,
        "ILLEGAL_TRANSITION",
    );
    assert_error(
        app.transition(&t, &number, "teleport", None),
        422,
        "UNKNOWN_ACTION",
    );
    // Signing goes through the signature endpoint, never through transitions.
    for d in SUPPORT_DOCS {
        assert_eq!(app.attach(&t, &number, d, pdf_bytes(d), None).status(), 201);
    }
    assert_eq!(app.transition(&t, &number, "submit", None).status(), 200);
    assert_error(
        app.transition(&t, &number, "sign", None),
        403,
        "SYSTEM_ACTION",
    );
    // After submission the request is locked.
    assert_error(
        app.attach(&t, &number, "residence", pdf_bytes("x"), None),
        409,
        "NOT_EDITABLE",
    );
    // Nothing of the refused calls reached the history: create, 5 attachments, submit.
    let h: Vec<Value> = app
        .get(&t, &format!("/api/v1/requests/{number}/history"))
        .json()
        .expect("json");
    assert_eq!(h.len(), 7, "{h:?}");
}

#[test]
fn uploads_are_checked_for_size_and_type() {
    let app = TestApp::spawn_with(|c| c.max_upload_bytes = 4096);
    let t = app.login("daulet");
    let r = app.post(
        &t,
        "/api/v1/requests",
        &json!({"service": "disabled-child-support", "channel": "portal", "form": support_form()}),
    );
    let number = r.json::<Value>().expect("json")["number"]
        .as_str()
        .expect("number")
        .to_string();
    let mut big = b"%PDF-1.4\n".to_vec();
    big.resize(5000, b'x');
    assert_error(
        app.attach(&t, &number, "residence", big, None),
        413,
        "FILE_TOO_LARGE",
    );
    assert_error(
        app.attach(
            &t,
            &number,
            "residence",
            b"MZ\x90\x00 not a pdf".to_vec(),
            None,
        ),
        415,
        "UNSUPPORTED_FILE_TYPE",
    );
    assert_error(
        app.attach(&t, &number, "residence", Vec::new(), None),
        422,
        "EMPTY_FILE",
    );
    assert_error(
        app.attach(&t, &number, "passport-photo", pdf_bytes("p"), None),
        422,
        "UNKNOWN_DOCUMENT_TYPE",
    );
    let v: Value = app
        .get(&t, &format!("/api/v1/requests/{number}"))
        .json()
        .expect("json");
    assert_eq!(
        v["attachments"].as_array().map(Vec::len),
        Some(0),
        "refused uploads stored nothing: {v}"
    );
}

#[test]
fn other_users_requests_are_invisible() {
    let app = TestApp::spawn_in_clinic_hours();
    let aigerim = app.login("aigerim");
    let number = home_call(&app, &aigerim);
    let daulet = app.login("daulet");
    assert_error(
        app.get(&daulet, &format!("/api/v1/requests/{number}")),
        404,
        "REQUEST_NOT_FOUND",
    );
    assert_error(
        app.get(&daulet, &format!("/api/v1/requests/{number}/history")),
        404,
        "REQUEST_NOT_FOUND",
    );
    assert_error(
        app.transition(&daulet, &number, "withdraw", None),
        404,
        "REQUEST_NOT_FOUND",
    );
    let list: Value = app.get(&daulet, "/api/v1/requests").json().expect("json");
    assert_eq!(list["total"], 0);
    // A licence official does not review clinic services either.
    let official = app.login("official");
    assert_error(
        app.get(&official, &format!("/api/v1/requests/{number}")),
        404,
        "REQUEST_NOT_FOUND",
    );
    // The clinic registrar does.
    let registrar = app.login("registrar");
    assert_eq!(
        app.get(&registrar, &format!("/api/v1/requests/{number}"))
            .status(),
        200
    );
}

#[test]
fn unknown_route_is_json_404() {
    let app = TestApp::spawn();
    assert_error(
        app.client
            .get(app.url("/api/v1/nothing"))
            .send()
            .expect("get"),
        404,
        "NOT_FOUND",
    );
}
