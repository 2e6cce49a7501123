//! Input bounds: the portal applicant's name comes from the account, never the body; free
//! texts have maximum lengths; file names are normalised; images and PDFs are bounded
//! before anyone opens them; every 4xx, 413 included, is the ru/kk/en JSON envelope; a PDF
//! nested 100,000 deep is refused by `ruqsat verify` instead of crashing it.

use crate::common::*;
use reqwest::blocking::multipart;
use serde_json::{json, Value};

fn upload(
    app: &TestApp,
    token: &str,
    number: &str,
    name: &str,
    bytes: Vec<u8>,
) -> reqwest::blocking::Response {
    let form = multipart::Form::new()
        .text("doc_type", SUPPORT_DOCS[0])
        .part(
            "file",
            multipart::Part::bytes(bytes).file_name(name.to_string()),
        );
    app.client
        .post(app.url(&format!("/api/v1/requests/{number}/attachments")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .expect("attach")
}

fn deep_pdf() -> Vec<u8> {
    format!(
        "%PDF-1.7\n1 0 obj\n{}{}\nendobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    )
    .into_bytes()
}

#[test]
fn a_portal_applicants_name_comes_from_the_account_not_the_body() {
    let app = TestApp::spawn_in_clinic_hours();
    let aigerim = app.login("aigerim");
    let mut body = home_call_body();
    body["applicant"] = json!({"kind": "person", "name": "Z".repeat(500_000)});
    let r = app.post(&aigerim, "/api/v1/requests", &body);
    assert_eq!(r.status(), 201, "{:?}", r.text());
    let v: Value = r.json().expect("json");
    assert_eq!(v["applicant"]["name"], "Әйгерім Қасымқызы Нұрланова");
}

#[test]
fn free_texts_are_bounded() {
    let app = TestApp::spawn_in_clinic_hours();
    let aigerim = app.login("aigerim");
    let mut body = home_call_body();
    body["form"]["symptoms"] = json!("қ".repeat(2001));
    assert_error(
        app.post(&aigerim, "/api/v1/requests", &body),
        422,
        "FIELD_INVALID",
    );
    let number = home_call(&app, &aigerim);
    let r = app.transition(&aigerim, &number, "cancel", Some(&"ы".repeat(2001)));
    assert_error(r, 422, "FIELD_INVALID");
}

#[test]
fn file_names_are_normalised_and_oversize_images_and_deep_pdfs_refused() {
    let app = TestApp::spawn();
    let daulet = app.login("daulet");
    let number = support_draft(&app, &daulet);
    let r = upload(
        &app,
        &daulet,
        &number,
        "../../etc/passwd.pdf",
        pdf_bytes("a"),
    );
    assert_eq!(r.status(), 201, "{:?}", r.text());
    let v: Value = app
        .get(&daulet, &format!("/api/v1/requests/{number}"))
        .json()
        .expect("json");
    assert_eq!(v["attachments"][0]["file_name"], "passwd.pdf", "{v}");

    // A PNG header announcing 50,000 × 50,000 pixels (a decompression bomb).
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend_from_slice(&50_000u32.to_be_bytes());
    png.extend_from_slice(&50_000u32.to_be_bytes());
    png.extend_from_slice(&[8, 2, 0, 0, 0]);
    assert_error(
        upload(&app, &daulet, &number, "scan.png", png),
        422,
        "IMAGE_TOO_LARGE",
    );
    assert_error(
        upload(&app, &daulet, &number, "deep.pdf", deep_pdf()),
        422,
        "PDF_TOO_COMPLEX",
    );
}

#[test]
fn oversize_raw_bodies_answer_in_the_json_envelope() {
    let app = TestApp::spawn();
    let daulet = app.login("daulet");
    let number = submitted_support_request(&app, &daulet);
    let r = app
        .client
        .post(app.url(&format!("/api/v1/requests/{number}/signature")))
        .bearer_auth(&daulet)
        .body(vec![0u8; 2 * 1024 * 1024])
        .send()
        .expect("post");
    assert_error(r, 413, "PAYLOAD_TOO_LARGE");
    let r = app
        .client
        .post(app.url("/api/v1/payments/callback"))
        .body(vec![b'x'; 2 * 1024 * 1024])
        .send()
        .expect("post");
    assert_error(r, 413, "PAYLOAD_TOO_LARGE");
    // A JSON body over the 1 MiB limit: the same status and code, not a 400.
    let big = format!("{{\"service\":\"{}\"}}", "x".repeat(2 * 1024 * 1024));
    let r = app
        .client
        .post(app.url("/api/v1/requests"))
        .bearer_auth(&daulet)
        .header("content-type", "application/json")
        .body(big)
        .send()
        .expect("post");
    assert_error(r, 413, "PAYLOAD_TOO_LARGE");
}

#[test]
fn ruqsat_verify_refuses_a_pdf_nested_100000_deep_without_crashing() {
    let app = TestApp::spawn();
    let path = app.dir.path().join("deep.pdf");
    std::fs::write(&path, deep_pdf()).expect("write");
    let root = app.dir.path().join("pki/root-ca.pem");
    let o = ruqsat_command()
        .args([
            "verify",
            "--trust",
            &root.to_string_lossy(),
            &path.to_string_lossy(),
        ])
        .output()
        .expect("run");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    // An exit code, not a signal (a stack overflow aborts with SIGABRT / SIGSEGV).
    assert!(
        matches!(o.status.code(), Some(c) if c != 0),
        "{:?}: {text}",
        o.status
    );
    assert!(text.contains("nested"), "{text}");
}
