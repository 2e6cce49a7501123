//! The signature commands of the `ruqsat` binary, run as a support engineer or an applicant
//! would run them: `pki init`, `sign` (offline and `--request` against a running server),
//! `verify-signature` (exit codes and refusal codes). Signatures made by `ruqsat sign` are
//! checked with the independent `openssl cms -verify`.

use crate::common::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn ruqsat(args: &[&str]) -> Output {
    ruqsat_command()
        .args(args)
        // Settings of the surrounding shell must not leak into the command under test.
        .env_remove("DATABASE_URL")
        .env("RUQSAT_LOG_FORMAT", "text")
        .output()
        .expect("run ruqsat")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn s(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// A demo PKI made by `ruqsat pki init`.
fn pki_init(dir: &Path) -> PathBuf {
    let pki = dir.join("pki");
    let o = ruqsat(&["pki", "init", "--dir", &s(&pki)]);
    assert!(o.status.success(), "{}", text(&o));
    pki
}

#[test]
fn pki_init_creates_then_loads_the_demo_pki() {
    let dir = tempfile::tempdir().expect("tmp");
    let pki = dir.path().join("pki");
    let o = ruqsat(&["pki", "init", "--dir", &s(&pki)]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("demo PKI created"), "{}", text(&o));
    for f in [
        "root-ca.pem",
        "users/aigerim.p12",
        "users/medcenter.p12",
        "users/operator.p12",
        "users/official.p12",
        "users/commission.p12",
        "users/aigerim-revoked.p12",
    ] {
        assert!(pki.join(f).is_file(), "{f} missing");
    }
    // The PKCS#12 files open with the documented demo password (independent tool).
    let o = Command::new("openssl")
        .args([
            "pkcs12",
            "-in",
            &s(&pki.join("users/medcenter.p12")),
            "-passin",
            "pass:ruqsat-demo",
            "-nokeys",
            "-clcerts",
        ])
        .output()
        .expect("openssl");
    assert!(o.status.success(), "{}", text(&o));
    // R-003-12: the legal entity's certificate carries its BIN.
    let o2 = Command::new("openssl")
        .args(["x509", "-noout", "-subject"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin
                .take()
                .expect("stdin")
                .write_all(&o.stdout)
                .expect("write");
            c.wait_with_output()
        })
        .expect("openssl x509");
    let subject = String::from_utf8_lossy(&o2.stdout);
    assert!(
        subject.contains("BIN050340001235") && subject.contains("IIN881122307898"),
        "{subject}"
    );
    let again = ruqsat(&["pki", "init", "--dir", &s(&pki)]);
    assert!(again.status.success());
    assert!(text(&again).contains("demo PKI loaded"), "{}", text(&again));
}

#[test]
fn sign_offline_verifies_with_openssl_and_verify_signature_reports_each_outcome() {
    let dir = tempfile::tempdir().expect("tmp");
    let pki = pki_init(dir.path());
    let payload = dir.path().join("payload.json");
    std::fs::write(
        &payload,
        r#"{"applicant":{"iin":"850305401237"},"service":"med-licence"}"#,
    )
    .expect("write");
    let cms = dir.path().join("payload.cms");
    let o = ruqsat(&[
        "sign",
        "--p12",
        &s(&pki.join("users/aigerim.p12")),
        "--payload",
        &s(&payload),
        "--out",
        &s(&cms),
    ]);
    assert!(o.status.success(), "{}", text(&o));

    // Independent check: openssl accepts the CMS made by `ruqsat sign` against the demo root.
    let o = Command::new("openssl")
        .args([
            "cms",
            "-verify",
            "-binary",
            "-inform",
            "DER",
            "-in",
            &s(&cms),
            "-content",
            &s(&payload),
            "-CAfile",
            &s(&pki.join("root-ca.pem")),
            "-purpose",
            "any",
            "-out",
            "/dev/null",
        ])
        .output()
        .expect("openssl cms");
    assert!(o.status.success(), "openssl cms -verify: {}", text(&o));
    assert!(text(&o).contains("Verification successful"), "{}", text(&o));

    let root = s(&pki.join("root-ca.pem"));
    let crl = s(&pki.join("crl/demo-intermediate.crl"));
    let root_crl = s(&pki.join("crl/demo-root.crl"));
    let verify = |payload: &Path, cms: &Path, extra: &[&str]| {
        let mut args = vec![
            "verify-signature",
            "--trust",
            &root,
            "--crl",
            &crl,
            "--crl",
            &root_crl,
        ];
        let (p, c) = (s(payload), s(cms));
        args.extend(["--payload", &p, "--cms", &c]);
        args.extend(extra);
        ruqsat(&args)
    };

    // R-003-24..26: valid, with the applicant's IIN.
    let o = verify(&payload, &cms, &["--iin", "850305401237"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .last()
            .is_some_and(|l| l == "OK"),
        "{}",
        text(&o)
    );

    // R-003-26: someone else's IIN.
    let o = verify(&payload, &cms, &["--iin", "900712304567"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("SIGNER_IDENTITY_MISMATCH"),
        "{}",
        text(&o)
    );

    // The request changed after signing.
    let tampered = dir.path().join("tampered.json");
    std::fs::write(
        &tampered,
        r#"{"applicant":{"iin":"850305401237"},"service":"med-licencf"}"#,
    )
    .expect("write");
    let o = verify(&tampered, &cms, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("SIGNATURE_PAYLOAD_MISMATCH"),
        "{}",
        text(&o)
    );

    // R-003-25: a revoked certificate.
    let revoked_cms = dir.path().join("revoked.cms");
    let o = ruqsat(&[
        "sign",
        "--p12",
        &s(&pki.join("users/aigerim-revoked.p12")),
        "--payload",
        &s(&payload),
        "--out",
        &s(&revoked_cms),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let o = verify(&payload, &revoked_cms, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("CERTIFICATE_REVOKED"), "{}", text(&o));

    // R-003-24: verified at a time after the certificate expired.
    let o = verify(&payload, &cms, &["--at", "2099-01-01T00:00:00Z"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("CERTIFICATE_EXPIRED"), "{}", text(&o));

    // A wrong PKCS#12 password is an error of the command (exit 1), not a panic.
    let o = ruqsat(&[
        "sign",
        "--p12",
        &s(&pki.join("users/aigerim.p12")),
        "--password",
        "wrong",
        "--payload",
        &s(&payload),
        "--out",
        &s(&cms),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("wrong password"), "{}", text(&o));
}

#[test]
fn sign_request_against_a_running_server_registers_it() {
    // R-003-23..29 / R-004-30..35: the applicant signs the request the server shows.
    let app = TestApp::spawn();
    let daulet = app.login("daulet");
    let number = submitted_support_request(&app, &daulet);

    let p12 = app.dir.path().join("pki/users/daulet.p12");
    // Someone else's certificate is refused by the server with its code (R-003-26).
    let other = app.dir.path().join("pki/users/aigerim.p12");
    let o = ruqsat(&[
        "sign",
        "--p12",
        &s(&other),
        "--request",
        &number,
        "--server",
        &app.base,
        "--login",
        "daulet",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("SIGNER_IDENTITY_MISMATCH"),
        "{}",
        text(&o)
    );

    let o = ruqsat(&[
        "sign",
        "--p12",
        &s(&p12),
        "--request",
        &number,
        "--server",
        &app.base,
        "--login",
        "daulet",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("registered"), "{}", text(&o));

    // Read the rows back: registered, with the signature row and both history entries.
    let (state, actions, signatures) = app
        .app
        .store
        .read(|c| {
            let r = ruqsat::db::queries::request_by_number(c, &number)?.expect("row");
            let h = ruqsat::db::queries::history_of(c, &r.id)?;
            let sigs = ruqsat::db::queries::signatures_of(c, &r.id)?;
            Ok((
                r.state,
                h.into_iter().map(|e| e.action).collect::<Vec<_>>(),
                sigs.len(),
            ))
        })
        .expect("read back");
    assert_eq!(state, ruqsat::domain::lifecycle::State::Registered);
    assert_eq!(signatures, 1);
    assert!(
        actions.iter().any(|a| a == "signature_refused")
            && actions.ends_with(&["sign".to_string(), "register".to_string()]),
        "{actions:?}"
    );
}
