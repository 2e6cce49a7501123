//! The medical licence through the portal channel, over HTTP, on the configured backend
//! (R-003-15..32): fill in → attach → submit → pay through the (sandbox) gateway ПШЭП, confirmed
//! only by its signed callback → sign with the company's certificate (BIN) → registered →
//! the official reviews → e-licence, a signed PDF with a centrally generated number.

use crate::common::licence::*;
use crate::common::*;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

#[test]
fn portal_licence_paid_signed_registered_and_issued() {
    let app = TestApp::spawn();
    let med = app.login("medcenter");
    let number = licence_request(&app, &med);

    // R-003-21 / R-003-22: no payment, no signature.
    assert_error(
        app.get(&med, &format!("/api/v1/requests/{number}/signing-payload")),
        409,
        "PAYMENT_NOT_CONFIRMED",
    );

    // R-003-20: the payment is created at the gateway; the request waits for it.
    let r = app.post(
        &med,
        &format!("/api/v1/requests/{number}/payment"),
        &json!({}),
    );
    assert_eq!(r.status(), 200, "{:?}", r.text());
    let pay: Value = r.json().expect("json");
    assert_eq!(pay["status"], "pending");
    assert_eq!(pay["currency"], "KZT");
    let fee = state(&app, &med, &number)["fee_tiyn"]
        .as_i64()
        .expect("fee");
    assert_eq!(
        pay["amount"].as_str().expect("amount"),
        format!("{}.{:02}", fee / 100, fee % 100)
    );
    assert_eq!(state(&app, &med, &number)["state"], "awaiting_payment");
    let page = pay["payment_page_url"].as_str().expect("page").to_string();
    assert!(page.contains("/sandbox/gateway/pay/"), "{page}");
    // The link is the payer's key to paying or declining: reviewing staff see the payment
    // but not the link.
    let official = app.login("official");
    let seen: Value = app
        .get(&official, &format!("/api/v1/requests/{number}/payment"))
        .json()
        .expect("json");
    assert_eq!(seen["amount"], pay["amount"]);
    assert_eq!(seen["payment_page_url"], Value::Null, "{seen}");
    // Asking again resumes the same payment (same idempotency key), never a second one.
    let again: Value = app
        .post(
            &med,
            &format!("/api/v1/requests/{number}/payment"),
            &json!({}),
        )
        .json()
        .expect("json");
    assert_eq!(again["id"], pay["id"]);

    // The payer's browser coming back confirms nothing; a forged callback is refused.
    assert_error(
        app.get(&med, &format!("/api/v1/requests/{number}/signing-payload")),
        409,
        "PAYMENT_NOT_CONFIRMED",
    );
    let forged = app
        .client
        .post(app.url("/api/v1/payments/callback"))
        .header(
            "X-Gateway-Timestamp",
            chrono::Utc::now().timestamp().to_string(),
        )
        .header("X-Gateway-Signature", "00".repeat(32))
        .body(r#"{"event_id":"e1"}"#)
        .send()
        .expect("callback");
    assert_error(forged, 401, "PAYMENT_CALLBACK_BAD_SIGNATURE");
    assert_eq!(state(&app, &med, &number)["state"], "awaiting_payment");

    // The payer pays on the gateway's page; the gateway's signed callback confirms (R-003-21).
    let html = app
        .client
        .get(&page)
        .send()
        .expect("page")
        .text()
        .expect("html");
    assert!(
        html.contains(pay["amount"].as_str().expect("amount")),
        "{html}"
    );
    // (the page sends the browser back to the request; the return itself proves nothing)
    let browser = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let r = press_on_payment_page(&browser, &page, "pay");
    assert!(r.status().is_redirection(), "{}", r.status());
    let start = Instant::now();
    while state(&app, &med, &number)["state"] != "paid" {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "callback not applied: {}",
            state(&app, &med, &number)
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let p: Value = app
        .get(&med, &format!("/api/v1/requests/{number}/payment"))
        .json()
        .expect("json");
    assert_eq!(p["status"], "paid");
    // The ledger and its append-only event log, read back.
    let (events, payments) = app
        .app
        .store
        .read(|c| {
            let r = ruqsat::db::queries::request_by_number(c, &number)?.expect("row");
            let ps = ruqsat::db::queries::payments_of(c, &r.id)?;
            Ok((ps.len(), ps))
        })
        .expect("read");
    assert_eq!(events, 1);
    assert_eq!(payments[0].status, ruqsat::payments::PaymentStatus::Paid);
    assert!(payments[0].paid_at.is_some());

    // R-003-23..29: the company's director signs (BIN in the certificate); registered.
    let r = sign_as(&app, &med, &number, "daulet");
    assert_error(r, 422, "SIGNER_IDENTITY_MISMATCH");
    let r = sign_as(&app, &med, &number, "medcenter");
    assert_eq!(r.status(), 200, "{:?}", r.text());
    assert_eq!(r.json::<Value>().expect("json")["state"], "registered");

    // R-003-30..32: the licence official reviews and issues the e-licence.
    let official = app.login("official");
    assert_eq!(
        app.transition(&official, &number, "start_review", None)
            .status(),
        200
    );
    // R-003-30: no e-licence before the itemised qualification check.
    assert_error(
        app.transition(&official, &number, "approve", None),
        409,
        "QUALIFICATION_NOT_ASSESSED",
    );
    assess_and_approve(&app, &official, &number, "lab-equipment");
    let docs: Vec<Value> = app
        .get(&med, &format!("/api/v1/requests/{number}/documents"))
        .json()
        .expect("json");
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0]["kind"], "licence");
    let (pdf, signer) = verified_result(&app, &med, &number, "licence");
    // Signed by the Mangystau licence official (R-003-32, G-31).
    assert_eq!(signer.as_deref(), Some("870909302226"));
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("licence.pdf");
    std::fs::write(&path, &pdf).expect("write");
    // R-003-06 / G-24: a central number <yy><licensor initials><sequence>; the independent
    // PDF checks (qpdf, pdfsig, pyHanko with revocation, pdftotext).
    let year = chrono::Utc::now().format("%y").to_string();
    check_signed_pdf(
        &app,
        &pdf,
        "licence",
        &[
            &format!("{year}MH000001"),
            "ТОО «Медицинский центр Ақжол»",
            "050340001235",
            "Мерзімсіз",
        ],
    );

    // R-003-07: the registry status, on /verify and in `ruqsat verify --server`.
    let id = docs[0]["id"].as_str().expect("id").to_string();
    let cli_verify = || ruqsat_verify(&app, &path);
    let out = cli_verify();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("valid"), "{text}");
    let status = |action: &str, token: &str| {
        app.post(
            token,
            &format!("/api/v1/documents/{id}/status"),
            &json!({"action": action, "reason": "Решение лицензиара №12 от 20.11.2026"}),
        )
    };
    // The holder cannot change the registry; an official can; illegal moves are refused.
    assert_error(status("terminate", &med), 403, "ACTION_NOT_PERMITTED");
    assert_error(status("resume", &official), 409, "ILLEGAL_TRANSITION");
    assert_eq!(status("suspend", &official).status(), 200);
    let page = |id: &str| {
        app.client
            .get(app.url(&format!("/verify/{id}")))
            .send()
            .expect("verify")
            .text()
            .expect("html")
    };
    assert!(page(&id).contains("data-status=\"suspended\""));
    assert_eq!(status("resume", &official).status(), 200);
    assert!(page(&id).contains("data-status=\"valid\""));
    let r = status("terminate", &official);
    assert_eq!(r.status(), 200, "{:?}", r.text());
    let html = page(&id);
    assert!(html.contains("data-status=\"terminated\""), "{html}");
    assert!(
        html.contains("Прекращён") && html.contains("Решение лицензиара №12"),
        "{html}"
    );
    assert_error(status("resume", &official), 409, "ILLEGAL_TRANSITION");
    // The signature is still intact, but the licence is no longer in force.
    let out = cli_verify();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("terminated"), "{text}");
    // Each change is in the request's history, with who and the basis.
    let h: Vec<Value> = app
        .get(&med, &format!("/api/v1/requests/{number}/history"))
        .json()
        .expect("json");
    let actions: Vec<&str> = h.iter().filter_map(|e| e["action"].as_str()).collect();
    assert!(
        actions.ends_with(&["document_suspend", "document_resume", "document_terminate"]),
        "{actions:?}"
    );
    assert_eq!(h.last().expect("last")["actor_role"], "official");
}

#[test]
fn a_free_service_needs_no_payment() {
    let app = TestApp::spawn_in_clinic_hours();
    let aigerim = app.login("aigerim");
    let r = app.post(
        &aigerim,
        "/api/v1/requests",
        &json!({"service": "doctor-home-call", "channel": "portal",
                "form": {"visit_address": "Астана", "symptoms": "қызба", "phone": "+7 701 111 22 33"}}),
    );
    let number = r.json::<Value>().expect("json")["number"]
        .as_str()
        .expect("number")
        .to_string();
    assert_eq!(
        app.transition(&aigerim, &number, "submit", None).status(),
        200
    );
    assert_error(
        app.post(
            &aigerim,
            &format!("/api/v1/requests/{number}/payment"),
            &json!({}),
        ),
        409,
        "PAYMENT_NOT_REQUIRED",
    );
}

/// A portal licence request of `variant` taken through payment (sandbox callback), signing
/// and approval; returns the request number and its documents.
fn issued(app: &TestApp, variant: &str, extra: Value) -> (String, Vec<Value>) {
    let med = app.login("medcenter");
    let mut form = json!({"applicant_name": "ТОО «Медицинский центр Ақжол»",
                          "legal_address": "Ақтау қ., 14 шағын аудан, 5 үй",
                          "phone": "+7 729 250 00 00",
                          "activity_subkinds": ["primary-care", "laboratory"],
                          "objects": "Ақтау қ., 14 шағын аудан, 5 үй"});
    if let (Some(f), Some(e)) = (form.as_object_mut(), extra.as_object()) {
        if variant == "duplicate" {
            // A duplicate restates nothing of the licence (its form has no such fields).
            f.remove("activity_subkinds");
            f.remove("objects");
        }
        f.extend(e.clone());
    }
    let r = app.post(
        &med,
        "/api/v1/requests",
        &json!({"service": "med-licence", "variant": variant, "channel": "portal",
                "applicant": {"kind": "legal_entity"}, "form": form}),
    );
    assert_eq!(r.status(), 201, "{:?}", r.text());
    let number = r.json::<Value>().expect("json")["number"]
        .as_str()
        .expect("number")
        .to_string();
    for d in [
        "application",
        "staff-qualification",
        "premises",
        "change-basis",
    ] {
        // Documents not required for this variant are simply refused; attach what is.
        let _ = app.attach(&med, &number, d, pdf_bytes(d), None);
    }
    let r = app.transition(&med, &number, "submit", None);
    assert_eq!(r.status(), 200, "{:?}", r.text());
    pay_in_sandbox(app, &med, &number);
    assert_eq!(sign_as(app, &med, &number, "medcenter").status(), 200);
    let official = app.login("official");
    assert_eq!(
        app.transition(&official, &number, "start_review", None)
            .status(),
        200
    );
    let mut items = BASE_ITEMS.to_vec();
    if variant != "duplicate" {
        // The base form applies for laboratory diagnostics too; a duplicate restates nothing.
        items.push("lab-equipment");
    }
    assert_eq!(assess(app, &official, &number, &items).status(), 200);
    let r = app.transition(&official, &number, "approve", None);
    assert_eq!(r.status(), 200, "{:?}", r.text());
    let docs: Vec<Value> = app
        .get(&med, &format!("/api/v1/requests/{number}/documents"))
        .json()
        .expect("json");
    (number, docs)
}

fn verify_status(app: &TestApp, id: &str) -> Value {
    app.client
        .get(app.url(&format!("/api/v1/verify/{id}")))
        .send()
        .expect("verify")
        .json()
        .expect("json")
}

#[test]
fn reissue_supersedes_and_duplicate_keeps_the_number() {
    // R-003-01 (issue, re-issue, duplicate), R-003-06/07 (number, registry), G-23, G-24.
    let app = TestApp::spawn();
    let (_, first) = issued(&app, "issue", json!({}));
    let original = first[0]["id"].as_str().expect("id").to_string();
    let year = chrono::Utc::now().format("%y").to_string();
    let licence_number = format!("{year}MH000001");

    let med = app.login("medcenter");
    let (_, reissue) = issued(
        &app,
        "reissue",
        json!({"applicant_name": "ТОО «Ақжол Медицина»", "licence_number": licence_number, "reason": "name-change"}),
    );
    assert_eq!(reissue[0]["kind"], "licence_reissued");
    let new_id = reissue[0]["id"].as_str().expect("id").to_string();
    let old = verify_status(&app, &original);
    assert_eq!(old["document"]["status"], "superseded", "{old}");
    assert_eq!(old["document"]["superseded_by"], new_id.as_str());
    assert_eq!(verify_status(&app, &new_id)["document"]["status"], "valid");
    let (_, dup) = issued(
        &app,
        "duplicate",
        json!({"licence_number": licence_number, "reason": "lost"}),
    );
    assert_eq!(dup[0]["kind"], "licence_duplicate");
    let dup_id = dup[0]["id"].as_str().expect("id").to_string();
    // The duplicate is a marked copy: same number, the re-issued licence stays valid.
    assert_eq!(verify_status(&app, &new_id)["document"]["status"], "valid");
    let dir = tempfile::tempdir().expect("tmp");
    for (id, marker) in [(&new_id, "Атауының өзгеруі"), (&dup_id, "ТЕЛНҰСҚА")]
    {
        let number = verify_status(&app, id)["request_number"]
            .as_str()
            .expect("request")
            .to_string();
        let pdf = app
            .get(&med, &format!("/api/v1/requests/{number}/result.pdf"))
            .bytes()
            .expect("pdf")
            .to_vec();
        ruqsat::pdf::verify(&pdf, &app.app.pki.verifier, chrono::Utc::now()).expect("signed");
        let path = dir.path().join(format!("{id}.pdf"));
        std::fs::write(&path, &pdf).expect("write");
        if let Some((ok, text)) = tool("pdftotext", &[path.to_str().expect("utf-8"), "-"]) {
            assert!(ok, "pdftotext:\n{text}");
            assert!(text.contains(&licence_number), "{text}");
            assert!(text.contains(marker), "{marker} missing:\n{text}");
        }
    }
    // Terminating the licence terminates its duplicate too (one licence, R-003-07).
    let official = app.login("official");
    let r = app.post(
        &official,
        &format!("/api/v1/documents/{new_id}/status"),
        &json!({"action": "terminate", "reason": "Заявление лицензиата"}),
    );
    assert_eq!(r.status(), 200, "{:?}", r.text());
    assert_eq!(
        verify_status(&app, &dup_id)["document"]["status"],
        "terminated"
    );
    assert_eq!(
        verify_status(&app, &original)["document"]["status"],
        "superseded"
    );
}

#[test]
fn qualification_not_met_gives_a_motivated_refusal_listing_the_items() {
    // R-003-30 / R-003-31: the official marks each qualification item; one not met means no
    // licence, and the signed refusal names it with the official's comment.
    let app = TestApp::spawn();
    let (med, official, number) = licence_under_review(&app);
    let post = |marks: Value| {
        app.post(
            &official,
            &format!("/api/v1/requests/{number}/transitions"),
            &json!({"action": "assess", "checklist": marks}),
        )
    };
    // Every applicable item exactly once; laboratory applies (sub-kind chosen), dentistry not.
    assert_error(
        post(json!([{"item": "premises", "met": true}])),
        422,
        "CHECKLIST_INCOMPLETE",
    );
    let mut marks: Vec<Value> = BASE_ITEMS
        .iter()
        .map(|i| json!({"item": i, "met": true}))
        .collect();
    let mut with_dental = marks.clone();
    with_dental.push(json!({"item": "dental-equipment", "met": true}));
    assert_error(post(json!(with_dental)), 422, "UNKNOWN_FIELD");
    let mut no_comment = marks.clone();
    no_comment.push(json!({"item": "lab-equipment", "met": false}));
    assert_error(post(json!(no_comment)), 422, "REASON_REQUIRED");
    marks.push(json!({"item": "lab-equipment", "met": false,
                      "comment": "Анализатор не прошёл поверку (свидетельство истекло 01.09.2026)"}));
    assert_eq!(post(json!(marks)).status(), 200);
    assert_error(
        app.transition(&official, &number, "approve", None),
        409,
        "QUALIFICATION_NOT_MET",
    );
    let r = app.transition(
        &official,
        &number,
        "refuse",
        Some("Повторная подача возможна после поверки"),
    );
    assert_eq!(r.status(), 200, "{:?}", r.text());
    let (pdf, _) = verified_result(&app, &med, &number, "refusal");
    check_signed_pdf(
        &app,
        &pdf,
        "refusal",
        &[
            "Лабораторное оборудование, прошедшее поверку",
            "Анализатор не прошёл поверку",
            "Повторная подача возможна после поверки",
        ],
    );
    // The checklist is in the history, with who marked it.
    let h: Vec<Value> = app
        .get(&med, &format!("/api/v1/requests/{number}/history"))
        .json()
        .expect("json");
    let assess = h.iter().find(|e| e["action"] == "assess").expect("assess");
    assert_eq!(assess["actor_role"], "official");
    assert_eq!(assess["data"]["checklist"][3]["met"], false);
}
