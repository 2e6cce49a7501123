//! Steps of the medical-licence flow shared by the licence test files.

use super::*;
use std::path::Path;
use std::time::{Duration, Instant};

/// Qualification items that apply to every sub-kind (catalog/services/med-licence.toml).
pub const BASE_ITEMS: [&str; 3] = ["premises", "sanitary-conclusion", "qualified-staff"];

/// A portal licence request (issue; primary care and laboratory) of the demo company,
/// created with its documents attached and submitted by `token`'s user; returns its number.
pub fn licence_request(app: &TestApp, token: &str) -> String {
    let r = app.post(
        token,
        "/api/v1/requests",
        &json!({"service": "med-licence", "variant": "issue", "channel": "portal",
                "applicant": {"kind": "legal_entity"},
                "form": {"applicant_name": "ТОО «Медицинский центр Ақжол»",
                         "legal_address": "Ақтау қ., 14 шағын аудан, 5 үй",
                         "phone": "+7 729 250 00 00",
                         "activity_subkinds": ["primary-care", "laboratory"],
                         "objects": "Ақтау қ., 14 шағын аудан, 5 үй"}}),
    );
    assert_eq!(r.status(), 201, "{:?}", r.text());
    let number = r.json::<Value>().expect("json")["number"]
        .as_str()
        .expect("number")
        .to_string();
    for d in ["application", "staff-qualification", "premises"] {
        assert_eq!(
            app.attach(token, &number, d, pdf_bytes(d), None).status(),
            201
        );
    }
    assert_eq!(app.transition(token, &number, "submit", None).status(), 200);
    number
}

/// A portal licence request of the demo company, paid, signed, registered and taken into
/// review by `official`; returns (the company's token, the official's token, the number).
pub fn licence_under_review(app: &TestApp) -> (String, String, String) {
    let med = app.login("medcenter");
    let number = licence_request(app, &med);
    pay_in_sandbox(app, &med, &number);
    assert_eq!(sign_as(app, &med, &number, "medcenter").status(), 200);
    let official = app.login("official");
    assert_eq!(
        app.transition(&official, &number, "start_review", None)
            .status(),
        200
    );
    (med, official, number)
}

pub fn state(app: &TestApp, token: &str, number: &str) -> Value {
    app.get(token, &format!("/api/v1/requests/{number}"))
        .json()
        .expect("json")
}

/// Signs the request's signing payload with the demo PKCS#12 of `stem` and posts it.
pub fn sign_as(app: &TestApp, token: &str, number: &str, stem: &str) -> Response {
    let payload = app
        .get(token, &format!("/api/v1/requests/{number}/signing-payload"))
        .bytes()
        .expect("payload");
    let key = ruqsat::pki::SigningKey::from_p12(
        &std::fs::read(app.dir.path().join(format!("pki/users/{stem}.p12"))).expect("p12"),
        ruqsat::demo::pki::DEMO_P12_PASSWORD,
    )
    .expect("key");
    let cms = key.sign_detached(&payload, app.app.now()).expect("sign");
    app.client
        .post(app.url(&format!("/api/v1/requests/{number}/signature")))
        .bearer_auth(token)
        .body(cms)
        .send()
        .expect("post signature")
}

/// The official's checklist with every listed item met (R-003-30).
pub fn assess(app: &TestApp, token: &str, number: &str, met: &[&str]) -> Response {
    let marks: Vec<Value> = met
        .iter()
        .map(|i| json!({"item": i, "met": true}))
        .collect();
    app.post(
        token,
        &format!("/api/v1/requests/{number}/transitions"),
        &json!({"action": "assess", "checklist": marks}),
    )
}

/// The official marks every base item and `extra` met (R-003-30), then approves: the
/// e-licence is issued (R-003-32).
pub fn assess_and_approve(app: &TestApp, official: &str, number: &str, extra: &str) {
    let r = assess(
        app,
        official,
        number,
        &[BASE_ITEMS.as_slice(), &[extra]].concat(),
    );
    assert_eq!(r.status(), 200, "{:?}", r.text());
    let r = app.transition(official, number, "approve", None);
    assert_eq!(r.status(), 200, "{:?}", r.text());
}

/// Starts the payment as `token`'s user, pays on the sandbox gateway's page and waits for
/// the gateway's signed callback to mark the request paid (R-003-20, R-003-21).
pub fn pay_in_sandbox(app: &TestApp, token: &str, number: &str) -> Value {
    let r = app.post(
        token,
        &format!("/api/v1/requests/{number}/payment"),
        &json!({}),
    );
    assert_eq!(r.status(), 200, "{:?}", r.text());
    let pay: Value = r.json().expect("json");
    let page = pay["payment_page_url"].as_str().expect("page").to_string();
    let browser = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    press_on_payment_page(&browser, &page, "pay");
    let start = Instant::now();
    while state(app, token, number)["state"] != "paid" {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "callback not applied: {}",
            state(app, token, number)
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    pay
}

/// The independent checks of a signed PDF: `qpdf --check`, poppler's `pdfsig`,
/// pyHanko with revocation fetched from the running server, and `pdftotext` containing each
/// of `expected`. A tool that is not installed is skipped as [`require_tool`] says; returns the
/// text.
pub fn check_signed_pdf(app: &TestApp, pdf: &[u8], name: &str, expected: &[&str]) -> String {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join(format!("{name}.pdf"));
    std::fs::write(&path, pdf).expect("write");
    let p = |p: &Path| p.to_str().expect("utf-8").to_string();
    if let Some((ok, out)) = tool("qpdf", &["--check", &p(&path)]) {
        assert!(ok, "{name}: qpdf --check:\n{out}");
    }
    if let Some((ok, out)) = tool("pdfsig", &[&p(&path)]) {
        assert!(ok, "{name}: pdfsig:\n{out}");
        assert!(
            out.contains("Signature is Valid") && out.contains("Total document signed"),
            "{name}: pdfsig:\n{out}"
        );
    }
    let root = app.dir.path().join("pki/root-ca.pem");
    if let Some((ok, out)) = tool(
        "pyhanko",
        &[
            "sign",
            "validate",
            "--force-revinfo",
            "--trust-replace",
            "--trust",
            &p(&root),
            &p(&path),
        ],
    ) {
        assert!(
            ok && out.contains(":INTACT:TRUSTED,UNTOUCHED"),
            "{name}: pyhanko:\n{out}"
        );
    }
    let mut text = String::new();
    if let Some((ok, out)) = tool("pdftotext", &[&p(&path), "-"]) {
        assert!(ok, "{name}: pdftotext:\n{out}");
        for e in expected {
            assert!(out.contains(e), "{name}: `{e}` missing:\n{out}");
        }
        text = out;
    }
    text
}

/// The request's result PDF as `token`'s user downloads it, verified by Ruqsat's verifier as
/// a document of `kind`; returns the bytes and the signer's IIN.
pub fn verified_result(
    app: &TestApp,
    token: &str,
    number: &str,
    kind: &str,
) -> (Vec<u8>, Option<String>) {
    let r = app.get(token, &format!("/api/v1/requests/{number}/result.pdf"));
    assert_eq!(r.status(), 200, "result of {number}");
    let pdf = r.bytes().expect("pdf").to_vec();
    let verdict = ruqsat::pdf::verify(&pdf, &app.app.pki.verifier, app.app.now()).expect("signed");
    assert_eq!(verdict.document_kind.as_deref(), Some(kind));
    (pdf, verdict.signer.iin)
}

/// `ruqsat verify FILE` as anyone would run it: the demo root, both demo CRLs, and the
/// registry status from this server. Exit 0 only for a valid document.
pub fn ruqsat_verify(app: &TestApp, file: &std::path::Path) -> std::process::Output {
    let pki = app.dir.path().join("pki");
    let s = |p: &std::path::Path| p.to_string_lossy().into_owned();
    ruqsat_command()
        .env_remove("DATABASE_URL")
        .args([
            "verify",
            &s(file),
            "--trust",
            &s(&pki.join("root-ca.pem")),
            "--crl",
            &s(&pki.join("crl/demo-intermediate.crl")),
            "--crl",
            &s(&pki.join("crl/demo-root.crl")),
            "--server",
            &app.base,
        ])
        .output()
        .expect("ruqsat verify")
}
