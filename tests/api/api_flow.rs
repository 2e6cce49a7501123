//! End-to-end flows over HTTP on the configured backend (SQLite, or PostgreSQL when
//! DATABASE_URL is a postgres URL): create → attach → submit → sign (real CMS made by the
//! openssl CLI with the demo PKI) → registered → review → decision → delivery, reading the
//! rows back from the database.

use crate::common::*;
use ruqsat::db::queries;
use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;

/// Signs `payload` with the demo PKCS#12 of `stem` using the openssl command line (an
/// independent implementation), detached, DER.
fn openssl_sign(app: &TestApp, stem: &str, payload: &[u8]) -> Vec<u8> {
    let pki = app.dir.path().join("pki");
    let work = tempfile::tempdir().expect("tmp");
    let w = |n: &str| work.path().join(n);
    let p12 = pki.join("users").join(format!("{stem}.p12"));
    let run = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .output()
            .expect("openssl");
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let s = |p: &Path| p.to_string_lossy().into_owned();
    run(&[
        "pkcs12",
        "-in",
        &s(&p12),
        "-passin",
        "pass:ruqsat-demo",
        "-clcerts",
        "-nokeys",
        "-out",
        &s(&w("cert.pem")),
    ]);
    run(&[
        "pkcs12",
        "-in",
        &s(&p12),
        "-passin",
        "pass:ruqsat-demo",
        "-nocerts",
        "-nodes",
        "-out",
        &s(&w("key.pem")),
    ]);
    std::fs::write(w("payload.bin"), payload).expect("write payload");
    run(&[
        "cms",
        "-sign",
        "-binary",
        "-in",
        &s(&w("payload.bin")),
        "-signer",
        &s(&w("cert.pem")),
        "-inkey",
        &s(&w("key.pem")),
        "-certfile",
        &s(&pki.join("intermediate-ca.pem")),
        "-outform",
        "DER",
        "-out",
        &s(&w("sig.der")),
    ]);
    std::fs::read(w("sig.der")).expect("sig")
}

fn payload(app: &TestApp, token: &str, number: &str) -> Vec<u8> {
    let r = app.get(token, &format!("/api/v1/requests/{number}/signing-payload"));
    assert_eq!(r.status(), 200);
    r.bytes().expect("bytes").to_vec()
}

fn post_signature(
    app: &TestApp,
    token: &str,
    number: &str,
    cms: Vec<u8>,
) -> reqwest::blocking::Response {
    app.client
        .post(app.url(&format!("/api/v1/requests/{number}/signature")))
        .bearer_auth(token)
        .header("content-type", "application/pkcs7-signature")
        .body(cms)
        .send()
        .expect("post signature")
}

fn create(app: &TestApp, token: &str, body: Value) -> String {
    let r = app.post(token, "/api/v1/requests", &body);
    assert_eq!(r.status(), 201, "{:?}", r.text());
    let v: Value = r.json().expect("json");
    v["number"].as_str().expect("number").to_string()
}

fn state_in_db(app: &TestApp, number: &str) -> (String, i64, usize, usize) {
    app.app
        .store
        .read(|c| {
            let r = queries::request_by_number(c, number)?.expect("row");
            let h = queries::history_of(c, &r.id)?;
            let a = queries::attachments_of(c, &r.id)?;
            Ok((r.state.to_string(), r.version, h.len(), a.len()))
        })
        .expect("read back")
}

#[test]
fn portal_support_request_full_lifecycle() {
    // R-004-25..36: portal application signed by the consumer; decision; delivery.
    let app = TestApp::spawn();
    let daulet = app.login("daulet");
    // Handed over in person (R-004-24 «нарочно»); delivery by e-mail: tests/api/notifications.rs.
    let mut form = support_form();
    form["delivery"] = json!("by-hand");
    let number = create(
        &app,
        &daulet,
        json!({"service": "disabled-child-support", "channel": "portal", "form": form}),
    );
    assert!(number.starts_with("DCS-"), "{number}");
    for d in SUPPORT_DOCS {
        let r = app.attach(&daulet, &number, d, pdf_bytes(d), None);
        assert_eq!(r.status(), 201);
    }
    let r = app.transition(&daulet, &number, "submit", None);
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().expect("json")["state"], "submitted");

    // R-004-30..33: the consumer signs; validity, revocation and IIN match are checked.
    let p = payload(&app, &daulet, &number);
    let text = String::from_utf8(p.clone()).expect("utf8 payload");
    assert!(
        text.contains("\"iin\":\"900712304567\"") && text.contains("birth-certificate"),
        "{text}"
    );
    let r = post_signature(&app, &daulet, &number, openssl_sign(&app, "daulet", &p));
    assert_eq!(r.status(), 200, "{:?}", r.text());
    let v: Value = r.json().expect("json");
    // R-000-24 / R-004-35: registered at once, with a due date on the working calendar (G-35).
    assert_eq!(v["state"], "registered");
    assert!(
        v["registered_at"].is_string() && v["due_at"].is_string(),
        "{v}"
    );

    // Review by the department (R-004-22), commission conclusion (G-41), decision (R-004-23).
    let mio = app.login("mio");
    let commission = app.login("commission");
    assert_eq!(
        app.transition(&mio, &number, "start_review", None).status(),
        200
    );
    // G-41, A-14: each member gives an opinion and its grounds.
    assert_error(
        app.transition(
            &commission,
            &number,
            "record_conclusion",
            Some("Основания имеются"),
        ),
        422,
        "OPINION_REQUIRED",
    );
    assert_error(
        app.opinion(&commission, &number, "grant", " "),
        422,
        "REASON_REQUIRED",
    );
    app.commission_concludes(&number, "grant", "Основания имеются");
    assert_error(
        app.transition(&commission, &number, "approve", None),
        403,
        "ACTION_NOT_PERMITTED",
    );
    let r = app.post(
        &mio,
        &format!("/api/v1/requests/{number}/transitions"),
        &json!({"action": "extend_deadline", "reason": "запрос в ГБД ФЛ", "new_due_at": "2099-01-01T12:00:00Z"}),
    );
    assert_eq!(r.status(), 200);
    let v: Value = r.json().expect("json");
    assert_eq!(v["extended"], true);
    assert!(
        v["due_at"]
            .as_str()
            .is_some_and(|d| d.starts_with("2099-01-01")),
        "{v}"
    );
    let r = app.post(
        &mio,
        &format!("/api/v1/requests/{number}/transitions"),
        &json!({"action": "approve", "fields": {
            "support_start": "01.12.2026", "support_period": "01.12.2026 – 31.05.2027"}}),
    );
    assert_eq!(r.status(), 200, "{:?}", r.text());
    // R-004-24 / G-43: handed over in person, so the recipient and the identity checked
    // are recorded; without them, or with an IIN that fails its check digit, nothing moves.
    assert_error(
        app.transition(&mio, &number, "deliver", None),
        422,
        "RECIPIENT_REQUIRED",
    );
    let deliver = |recipient: Value| {
        app.post(
            &mio,
            &format!("/api/v1/requests/{number}/transitions"),
            &json!({"action": "deliver", "recipient": recipient}),
        )
    };
    assert_error(
        deliver(json!({"full_name": "Омаров Даулет", "iin": "900712304568"})),
        422,
        "IIN_CHECKSUM",
    );
    let r = deliver(json!({"full_name": "Омаров Даулет Серікұлы", "iin": "900712304567"}));
    assert_eq!(
        r.json::<Value>().expect("json")["state"],
        "result_delivered"
    );

    // The history, over HTTP and in the database: the applicant follows the request's status
    // in their «История получения услуг» (R-004-41).
    let h: Vec<Value> = app
        .get(&daulet, &format!("/api/v1/requests/{number}/history"))
        .json()
        .expect("json");
    let actions: Vec<&str> = h
        .iter()
        .map(|e| e["action"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        actions,
        [
            "create",
            "attach",
            "attach",
            "attach",
            "attach",
            "attach",
            "submit",
            "sign",
            "register",
            "start_review",
            "record_conclusion",
            "record_conclusion",
            "extend_deadline",
            "approve",
            "deliver"
        ]
    );
    let handover = &h[14]["data"]["handover"];
    assert_eq!(handover["iin"], "900712304567", "{}", h[14]);
    assert_eq!(handover["full_name"], "Омаров Даулет Серікұлы");
    assert_eq!(h[14]["actor_role"], "official");
    assert!(h[14]["at"].is_string(), "{}", h[14]);
    let sign = &h[7];
    assert_eq!(sign["actor_role"], "applicant");
    assert!(
        sign["requirements"]
            .as_array()
            .is_some_and(|r| r.iter().any(|x| x == "R-004-33")),
        "{sign}"
    );
    assert_eq!(h[12]["data"]["new_due_at"], "2099-01-01T12:00:00Z");
    let (state, version, hist, atts) = state_in_db(&app, &number);
    assert_eq!(
        (state.as_str(), version, hist, atts),
        ("result_delivered", 15, 15, 5)
    );
    // The history is append-only in the database itself.
    let tamper = app.app.store.write(|c| {
        use diesel::RunQueryDsl;
        diesel::sql_query("UPDATE request_history SET reason = 'x'").execute(c)?;
        Ok(())
    });
    assert!(tamper.is_err(), "history rows must not be updatable");
    let sigs = app.app.store.read(|c| {
        let r = queries::request_by_number(c, &number)?.expect("row");
        queries::signatures_of(c, &r.id)
    });
    let sigs = sigs.expect("signatures");
    assert_eq!(sigs.len(), 1);
    assert_eq!(sigs[0].subject_iin.as_deref(), Some("900712304567"));
}

#[test]
fn desk_intake_is_signed_by_the_employee_and_refused_with_reasons() {
    // R-004-12..21: desk intake, originals checked, employee signs; G-39: employee's own IIN.
    let app = TestApp::spawn();
    let mio = app.login("mio");
    let number = create(
        &app,
        &mio,
        json!({"service": "disabled-child-support", "channel": "provider_desk",
               "applicant": {"kind": "person", "iin": "900712304567"}, "form": support_form()}),
    );
    // A scan of a paper original must say whether the original was seen.
    assert_error(
        app.attach(&mio, &number, "residence", pdf_bytes("r"), None),
        400,
        "BAD_REQUEST",
    );
    for d in SUPPORT_DOCS {
        assert_eq!(
            app.attach(&mio, &number, d, pdf_bytes(d), Some(true))
                .status(),
            201
        );
    }
    let v: Value = app
        .get(&mio, &format!("/api/v1/requests/{number}"))
        .json()
        .expect("json");
    assert!(v["attachments"]
        .as_array()
        .expect("atts")
        .iter()
        .all(|a| a["original_seen"] == true && a["attached_role"] == "official"));
    assert_eq!(app.transition(&mio, &number, "submit", None).status(), 200);
    // G-47: the desk hands over a signed receipt listing the documents received.
    let docs: Vec<Value> = app
        .get(&mio, &format!("/api/v1/requests/{number}/documents"))
        .json()
        .expect("json");
    assert_eq!(docs.len(), 1, "{docs:?}");
    assert_eq!(docs[0]["kind"], "intake_receipt");
    let p = payload(&app, &mio, &number);
    // The applicant's certificate is not the employee's: IIN mismatch (R-004-20 / G-39).
    let r = post_signature(&app, &mio, &number, openssl_sign(&app, "daulet", &p));
    assert_error(r, 422, "SIGNER_IDENTITY_MISMATCH");
    // R-004-17: the filled form with its scans is signed with the employee's own ЭЦП.
    let r = post_signature(&app, &mio, &number, openssl_sign(&app, "mio", &p));
    assert_eq!(r.status(), 200, "{:?}", r.text());
    assert_eq!(
        app.transition(&mio, &number, "start_review", None).status(),
        200
    );
    // Separation of duties (R-004-22, G-41): the employee who took the request in does not
    // decide it alone; the commission's conclusion comes first.
    assert_error(
        app.transition(&mio, &number, "refuse", Some("Нет оснований")),
        403,
        "SEPARATION_OF_DUTIES",
    );
    // G-41: the refusal rests on the commission's conclusion, printed on the refusal.
    app.commission_concludes(&number, "refuse", "Нет оснований");
    assert_error(
        app.transition(&mio, &number, "refuse", Some("  ")),
        422,
        "REASON_REQUIRED",
    );
    let r = app.transition(
        &mio,
        &number,
        "refuse",
        Some("Заключение комиссии: нет оснований"),
    );
    assert_eq!(r.json::<Value>().expect("json")["state"], "refused");
    // The applicant account with this IIN sees the desk request in the cabinet.
    let daulet = app.login("daulet");
    assert_eq!(
        app.get(&daulet, &format!("/api/v1/requests/{number}"))
            .status(),
        200
    );
    let h: Vec<Value> = app
        .get(&daulet, &format!("/api/v1/requests/{number}/history"))
        .json()
        .expect("json");
    assert!(h
        .iter()
        .any(|e| e["action"] == "signature_refused"
            && e["data"]["code"] == "SIGNER_IDENTITY_MISMATCH"));
    // The refusal carries its reasons (the result's e-mail may already have been sent and
    // recorded after it).
    let refusal = h
        .iter()
        .find(|e| e["action"] == "refuse")
        .expect("refusal in the history");
    assert_eq!(refusal["reason"], "Заключение комиссии: нет оснований");
}

#[test]
fn revoked_certificate_and_tampered_payload_are_refused() {
    // R-000-20 / R-000-22: a revoked certificate; R-003-26 identity; payload integrity.
    let app = TestApp::spawn_in_clinic_hours();
    let aigerim = app.login("aigerim");
    let number = create(
        &app,
        &aigerim,
        json!({"service": "doctor-home-call", "channel": "portal",
               "form": {"visit_address": "Астана, Бейбітшілік 14", "symptoms": "қызба", "phone": "+7 701 111 22 33"}}),
    );
    assert_error(
        app.get(
            &aigerim,
            &format!("/api/v1/requests/{number}/signing-payload"),
        ),
        409,
        "ILLEGAL_TRANSITION",
    );
    assert_eq!(
        app.transition(&aigerim, &number, "submit", None).status(),
        200
    );
    let p = payload(&app, &aigerim, &number);
    assert_error(
        post_signature(
            &app,
            &aigerim,
            &number,
            openssl_sign(&app, "aigerim-revoked", &p),
        ),
        422,
        "CERTIFICATE_REVOKED",
    );
    let mut tampered = p.clone();
    tampered.extend_from_slice(b" ");
    assert_error(
        post_signature(
            &app,
            &aigerim,
            &number,
            openssl_sign(&app, "aigerim", &tampered),
        ),
        422,
        "SIGNATURE_PAYLOAD_MISMATCH",
    );
    assert_error(
        post_signature(&app, &aigerim, &number, b"garbage".to_vec()),
        422,
        "SIGNATURE_MALFORMED",
    );
    let (state, _, _, _) = state_in_db(&app, &number);
    assert_eq!(state, "submitted", "a failed signature registers nothing");
    let r = post_signature(&app, &aigerim, &number, openssl_sign(&app, "aigerim", &p));
    assert_eq!(r.status(), 200);
    // Clinic registrar decides (R-000-25..27).
    let registrar = app.login("registrar");
    let r = app.post(
        &registrar,
        &format!("/api/v1/requests/{number}/transitions"),
        &json!({"action": "approve", "fields": {
            "visit_date": "24.11.2026", "time_window": "10:00–14:00",
            "doctor_name": "Ержан Төлегенұлы Сапаров"}}),
    );
    assert_eq!(r.json::<Value>().expect("json")["state"], "approved");
}

#[test]
fn unpaid_licence_cannot_be_signed() {
    // R-003-21 / R-003-22: no payment → refusal; signing comes after payment (R-003-23).
    let app = TestApp::spawn();
    let med = app.login("medcenter");
    let number = create(
        &app,
        &med,
        json!({"service": "med-licence", "variant": "issue", "channel": "portal",
               "applicant": {"kind": "legal_entity"},
               "form": {"applicant_name": "ТОО «Медицинский центр Ақжол»", "legal_address": "Ақтау қ., 14 ш/а, 5",
                        "phone": "+7 729 250 00 00", "activity_subkinds": ["primary-care"], "objects": "Ақтау қ., 14 ш/а, 5"}}),
    );
    let v: Value = app
        .get(&med, &format!("/api/v1/requests/{number}"))
        .json()
        .expect("json");
    assert_eq!(v["applicant"]["bin"], "050340001235");
    assert!(v["fee_tiyn"].as_i64().is_some_and(|t| t > 0), "{v}");
    for d in ["application", "staff-qualification", "premises"] {
        assert_eq!(
            app.attach(&med, &number, d, pdf_bytes(d), None).status(),
            201
        );
    }
    assert_eq!(app.transition(&med, &number, "submit", None).status(), 200);
    assert_error(
        app.get(&med, &format!("/api/v1/requests/{number}/signing-payload")),
        409,
        "PAYMENT_NOT_CONFIRMED",
    );
}

#[test]
fn list_filters_and_pagination() {
    let app = TestApp::spawn_in_clinic_hours();
    let aigerim = app.login("aigerim");
    for _ in 0..3 {
        create(
            &app,
            &aigerim,
            json!({"service": "doctor-home-call", "channel": "portal",
                   "form": {"visit_address": "Астана", "symptoms": "қызба", "phone": "+7 701 111 22 33"}}),
        );
    }
    let page: Value = app
        .get(&aigerim, "/api/v1/requests?limit=2")
        .json()
        .expect("json");
    assert_eq!(page["total"], 3);
    assert_eq!(page["items"].as_array().map(Vec::len), Some(2));
    assert!(page["next_cursor"].is_string(), "{page}");
    let page: Value = app
        .get(&aigerim, "/api/v1/requests?state=submitted")
        .json()
        .expect("json");
    assert_eq!(page["total"], 0);
    assert_error(
        app.get(&aigerim, "/api/v1/requests?state=bogus"),
        400,
        "BAD_REQUEST",
    );
    assert_error(
        app.get(&aigerim, "/api/v1/requests?limit=0"),
        400,
        "BAD_REQUEST",
    );
}

#[test]
fn catalog_health_metrics_openapi() {
    let app = TestApp::spawn_in_clinic_hours();
    let r = app.client.get(app.url("/health")).send().expect("health");
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().expect("json")["database"], backend());
    let services: Vec<Value> = app
        .client
        .get(app.url("/api/v1/services"))
        .send()
        .expect("get")
        .json()
        .expect("json");
    let codes: Vec<&str> = services.iter().filter_map(|s| s["code"].as_str()).collect();
    for c in [
        "med-licence",
        "disabled-child-support",
        "doctor-appointment",
        "phc-attachment",
        "doctor-home-call",
    ] {
        assert!(codes.contains(&c), "{c} missing from {codes:?}");
    }
    let dcs = services
        .iter()
        .find(|s| s["code"] == "disabled-child-support")
        .expect("dcs");
    let portal = dcs["channels"]
        .as_array()
        .expect("channels")
        .iter()
        .find(|c| c["code"] == "portal")
        .expect("portal");
    assert_eq!(
        portal["documents"].as_array().map(Vec::len),
        Some(5),
        "R-004-06..10"
    );
    let detail: Value = app
        .client
        .get(app.url("/api/v1/services/med-licence"))
        .send()
        .expect("get")
        .json()
        .expect("json");
    assert!(detail["workflow"]["transitions"]
        .as_array()
        .is_some_and(|t| t.iter().any(|x| x["action"] == "confirm_payment")));
    let spec: Value = app
        .client
        .get(app.url("/api/openapi.json"))
        .send()
        .expect("get")
        .json()
        .expect("json");
    assert!(spec["openapi"]
        .as_str()
        .is_some_and(|v| v.starts_with("3.")));
    for p in [
        "/api/v1/requests",
        "/api/v1/requests/{number}/transitions",
        "/api/v1/requests/{number}/attachments",
        "/health",
    ] {
        assert!(spec["paths"].get(p).is_some(), "{p} missing from OpenAPI");
    }
    let m = app
        .client
        .get(app.url("/metrics"))
        .send()
        .expect("metrics")
        .text()
        .expect("text");
    assert!(m.contains("ruqsat_http_requests_total"), "{m}");
}
