//! Signed PDF result documents checked by independent tools: for every
//! document kind, render + sign with the demo official's key, then
//!
//! - `qpdf --check` is clean;
//! - poppler's `pdfsig` says the signature is valid and the whole document signed;
//! - pyHanko (`pyhanko sign validate --trust ROOT --force-revinfo`) says INTACT and
//!   TRUSTED, fetching the CRLs from the certificates' distribution points (served
//!   here by mockito), so revocation is really checked;
//! - `pdftotext` shows the holder's name and the Kazakh text exactly as entered.
//!
//! Tampering (one byte flipped inside the signed range) makes `ruqsat verify` and
//! `pdfsig` fail. A tool that is not installed skips its checks with a `SKIPPED` line, or
//! fails the test under `RUQSAT_REQUIRE_TOOLS=1`, which CI (`.ci/run`, where poppler-utils,
//! qpdf and pyhanko are installed) sets.
//!
//! Requirements: R-003-05 / R-003-32 / R-003-44 (signed e-licence), R-004-23 /
//! R-004-36 (signed notification or refusal), R-000-52 / R-000-55 / R-000-58
//! (clinic certificates signed), G-13, G-23 (duplicate marked), G-47 (intake
//! receipt), G-50 (PAdES PDFs that independent validators accept).

use crate::common::{ruqsat_command, tool};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use chrono::Utc;
use ruqsat::demo::pki::{init_demo_pki, DemoPki, DemoPkiSpec};
use ruqsat::domain::documents::DocumentStatus;
use ruqsat::pdf::{self, DocumentData, PdfVerifyFailure, RegistryStatus, KINDS};
use ruqsat::pki::{SignatureFailure, SigningKey, Verifier};

const HOLDER: &str = "Әйгерім Нұрланова";

struct Fixture {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    pki: DemoPki,
    key: SigningKey,
    verifier: Verifier,
    /// (kind, data, signed file)
    docs: Vec<(String, DocumentData, PathBuf)>,
    _crl_server: Mutex<(mockito::ServerGuard, Vec<mockito::Mock>)>,
}

static FIXTURE: OnceLock<Fixture> = OnceLock::new();

fn doc_id(kind: &str) -> String {
    format!("{}-Q7mZ2xK9pL4v", kind.replace('_', "-"))
}

fn fixture() -> &'static Fixture {
    FIXTURE.get_or_init(|| {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().to_path_buf();
        let mut server = mockito::Server::new();
        let crl_url = format!("{}/pki/crl/demo-intermediate.crl", server.url());
        let pki =
            init_demo_pki(&dir.join("pki"), &DemoPkiSpec::standard(&crl_url)).expect("demo pki");
        let mocks = ["demo-intermediate.crl", "demo-root.crl"]
            .iter()
            .map(|name| {
                let body = std::fs::read(dir.join("pki/crl").join(name)).expect("crl file");
                server
                    .mock("GET", format!("/pki/crl/{name}").as_str())
                    .with_header("content-type", "application/pkix-crl")
                    .with_body(body)
                    .expect_at_least(0)
                    .create()
            })
            .collect();
        let key = pki.signing_key("official-ruqsat").expect("official key");
        let verifier = Verifier::new(
            pki.trust.clone(),
            std::sync::Arc::new(pki.crl_source().expect("crls")),
        );
        let out = dir.join("out");
        std::fs::create_dir_all(&out).expect("out dir");
        let mut docs = Vec::new();
        for kind in KINDS {
            let data = ruqsat::demo::pdf_samples::sample_document(kind, &doc_id(kind));
            let unsigned = pdf::render(&data).unwrap_or_else(|e| panic!("{kind}: {e}"));
            let signed = pdf::sign(
                &unsigned,
                &key,
                Utc::now(),
                "Мемлекеттік қызмет нәтижесі / Результат государственной услуги",
                "Ақтау, Қазақстан",
            )
            .unwrap_or_else(|e| panic!("{kind}: {e}"));
            assert!(
                signed.starts_with(&unsigned),
                "{kind}: not an incremental update"
            );
            let path = out.join(format!("{kind}.pdf"));
            std::fs::write(&path, &signed).expect("write pdf");
            docs.push((kind.to_string(), data, path));
        }
        if let Ok(keep) = std::env::var("RUQSAT_KEEP_PDFS") {
            let _ = std::fs::create_dir_all(&keep);
            for (_, _, p) in &docs {
                let _ = std::fs::copy(p, Path::new(&keep).join(p.file_name().expect("name")));
            }
            let _ = std::fs::copy(&pki.root_cert, Path::new(&keep).join("root-ca.pem"));
        }
        Fixture {
            _tmp: tmp,
            dir,
            pki,
            key,
            verifier,
            docs,
            _crl_server: Mutex::new((server, mocks)),
        }
    })
}

fn p(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

#[test]
fn every_kind_is_small_signed_and_verifies() {
    let f = fixture();
    for (kind, data, path) in &f.docs {
        let bytes = std::fs::read(path).expect("read");
        assert!(bytes.len() < 150_000, "{kind}: {} bytes", bytes.len());
        let v =
            pdf::verify(&bytes, &f.verifier, Utc::now()).unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert_eq!(
            v.document_id.as_deref(),
            Some(data.document_id.as_str()),
            "{kind}"
        );
        assert_eq!(v.document_kind.as_deref(), Some(kind.as_str()));
        assert_eq!(v.sub_filter, "ETSI.CAdES.detached");
        assert_eq!(v.signer.subject_cn, "RUQSAT OFFICIAL SIGNATURE");
        assert_eq!(v.signer.iin.as_deref(), Some("700101300055"));
        assert_eq!(v.signatures, 1);
        assert_eq!(v.status, RegistryStatus::Offline);
        assert_eq!(v.byte_range[2] + v.byte_range[3], bytes.len());
        assert_eq!(v.sha256.len(), 64);
        let [_, a, b, _] = v.byte_range;
        let cms_hex = bytes[a + 1..b - 1]
            .iter()
            .rposition(|c| *c != b'0')
            .unwrap_or(0)
            + 1;
        println!(
            "{kind:<24} {:>6} bytes, CMS {} of {} reserved bytes, sha256 {}",
            bytes.len(),
            cms_hex.div_ceil(2),
            (b - a - 2) / 2,
            v.sha256
        );
    }
}

#[test]
fn qpdf_check_is_clean() {
    let f = fixture();
    for (kind, _, path) in &f.docs {
        let Some((ok, out)) = tool("qpdf", &["--check", p(path)]) else {
            return;
        };
        assert!(ok, "{kind}: qpdf --check failed:\n{out}");
        assert!(
            out.contains("No syntax or stream encoding errors found"),
            "{kind}:\n{out}"
        );
        assert!(!out.to_lowercase().contains("warning"), "{kind}:\n{out}");
        if kind == "licence" {
            println!("qpdf --check {kind}.pdf:\n{out}");
        }
    }
}

#[test]
fn pdfsig_reports_valid_whole_document() {
    let f = fixture();
    for (kind, _, path) in &f.docs {
        let Some((ok, out)) = tool("pdfsig", &[p(path)]) else {
            return;
        };
        assert!(ok, "{kind}: pdfsig failed:\n{out}");
        assert!(out.contains("Signature #1:"), "{kind}:\n{out}");
        assert!(
            out.contains("Signature Validation: Signature is Valid."),
            "{kind}:\n{out}"
        );
        assert!(out.contains("Total document signed"), "{kind}:\n{out}");
        assert!(
            out.contains("Signature Type: ETSI.CAdES.detached"),
            "{kind}:\n{out}"
        );
        if kind == "licence" {
            println!("pdfsig {kind}.pdf:\n{out}");
        }
    }
}

#[test]
fn pyhanko_reports_intact_and_trusted_with_revocation_checked() {
    let f = fixture();
    let root = f.pki.root_cert.clone();
    for (kind, _, path) in &f.docs {
        let Some((ok, out)) = tool(
            "pyhanko",
            &[
                "sign",
                "validate",
                "--force-revinfo",
                "--trust-replace",
                "--trust",
                p(&root),
                p(path),
            ],
        ) else {
            return;
        };
        assert!(ok, "{kind}: pyhanko failed:\n{out}");
        // Summary line: FIELD:CERT-SHA256:INTACT:TRUSTED,UNTOUCHED
        assert!(
            out.lines()
                .any(|l| l.starts_with("RuqsatSignature:")
                    && l.contains(":INTACT:TRUSTED,UNTOUCHED")),
            "{kind}:\n{out}"
        );
        println!(
            "pyhanko sign validate --force-revinfo {kind}.pdf: {}",
            out.trim()
        );
    }
}

#[test]
fn pdftotext_shows_kazakh_text_exactly() {
    let f = fixture();
    for (kind, data, path) in &f.docs {
        let Some((ok, text)) = tool("pdftotext", &["-enc", "UTF-8", p(path), "-"]) else {
            return;
        };
        assert!(ok, "{kind}: pdftotext failed:\n{text}");
        assert!(
            text.contains(HOLDER),
            "{kind}: holder name missing:\n{text}"
        );
        assert!(text.contains("Қазақстан"), "{kind}:\n{text}");
        assert!(
            text.contains(&data.document_id),
            "{kind}: id missing:\n{text}"
        );
        let tpl = pdf::templates().expect("templates").get(kind).expect("tpl");
        for label in tpl
            .fields
            .iter()
            .filter(|fl| data.fields.contains_key(&fl.key))
        {
            // Labels are short enough to stay on one line.
            if label.kk.chars().count() < 30 {
                assert!(
                    text.contains(&label.kk),
                    "{kind}: label {:?} missing",
                    label.kk
                );
            }
        }
        if kind == "licence_duplicate" {
            assert!(text.contains("ТЕЛНҰСҚА / ДУБЛИКАТ"), "{kind}:\n{text}");
        }
        if kind == "licence" {
            println!("pdftotext {kind}.pdf:\n{text}");
        }
    }
}

fn flip(bytes: &[u8], at: usize) -> Vec<u8> {
    let mut b = bytes.to_vec();
    b[at] ^= 0x01;
    b
}

#[test]
fn flipping_a_signed_byte_fails_ruqsat_and_pdfsig() {
    let f = fixture();
    let (_, _, path) = &f.docs[0];
    let good = std::fs::read(path).expect("read");
    let v = pdf::verify(&good, &f.verifier, Utc::now()).expect("valid");
    let [_, a, b, _] = v.byte_range;
    // One byte in the first signed range (inside the Info /Creator text), one in
    // the second (after /Contents), one inside /Contents (the CMS itself).
    let creator = good
        .windows(8)
        .position(|w| w == b"(Ruqsat)")
        .expect("Creator string")
        + 3;
    assert!(creator < a);
    // The end of the CMS (its signature value) is the last non-zero hex digit.
    let cms_end = a
        + 1
        + good[a + 1..b - 1]
            .iter()
            .rposition(|c| *c != b'0')
            .expect("CMS hex");
    let cases = [
        ("first range", creator),
        ("second range", b + 20),
        ("CMS signature value", cms_end - 6),
    ];
    for (what, at) in cases {
        let bad = flip(&good, at);
        let err = pdf::verify(&bad, &f.verifier, Utc::now()).expect_err(what);
        println!("{what}: ruqsat verify -> {} ({err})", err.code());
        if !what.starts_with("CMS") {
            assert!(
                matches!(
                    err,
                    PdfVerifyFailure::Signature(SignatureFailure::PayloadMismatch)
                ),
                "{what}: {err:?}"
            );
        }
        let file = f
            .dir
            .join(format!("tampered-{}.pdf", what.replace(' ', "-")));
        std::fs::write(&file, &bad).expect("write");

        // The CLI exits non-zero with INVALID.
        let out = ruqsat_command()
            .args(["verify", p(&file), "--trust", p(&f.pki.root_cert)])
            .args([
                "--crl",
                p(&f.pki.intermediate_crl),
                "--crl",
                p(&f.pki.root_crl),
            ])
            .output()
            .expect("run ruqsat");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{what}: {stdout}");
        assert!(
            stdout.lines().last().unwrap_or("").starts_with("INVALID"),
            "{stdout}"
        );

        if let Some((ok, out)) = tool("pdfsig", &[p(&file)]) {
            println!("{what}: pdfsig ->\n{out}");
            assert!(
                !ok || !out.contains("Signature Validation: Signature is Valid."),
                "{what}: pdfsig still says valid:\n{out}"
            );
        }
    }
}

#[test]
fn ruqsat_verify_cli_accepts_a_good_file() {
    let f = fixture();
    let (_, data, path) = &f.docs[0];
    let out = ruqsat_command()
        .args(["verify", p(path), "--trust", p(&f.pki.root_cert)])
        .args([
            "--crl",
            p(&f.pki.intermediate_crl),
            "--crl",
            p(&f.pki.root_crl),
        ])
        .output()
        .expect("run ruqsat");
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("ruqsat verify licence.pdf:\n{stdout}");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains(&format!("document: {} (licence)", data.document_id)));
    assert!(stdout.contains("status: unknown (offline)"), "{stdout}");
    assert_eq!(stdout.lines().last(), Some("VALID"));
}

#[test]
fn registry_status_is_injected_and_decides() {
    let f = fixture();
    let (_, data, path) = &f.docs[0];
    let bytes = std::fs::read(path).expect("read");
    let id = data.document_id.clone();
    let terminated = move |doc: &str| {
        if doc == id {
            RegistryStatus::Found(DocumentStatus::Terminated)
        } else {
            RegistryStatus::NotFound
        }
    };
    let v = pdf::verify_with_status(&bytes, &f.verifier, Utc::now(), Some(&terminated))
        .expect("signature valid");
    assert_eq!(v.status, RegistryStatus::Found(DocumentStatus::Terminated));
    assert!(!v.accepted());

    let valid = |_: &str| RegistryStatus::Found(DocumentStatus::Valid);
    let v = pdf::verify_with_status(&bytes, &f.verifier, Utc::now(), Some(&valid)).expect("ok");
    assert!(v.accepted());
    let unknown = |_: &str| RegistryStatus::NotFound;
    let v = pdf::verify_with_status(&bytes, &f.verifier, Utc::now(), Some(&unknown)).expect("ok");
    assert_eq!(v.status, RegistryStatus::NotFound);
    assert!(!v.accepted());
    let unreachable = |_: &str| RegistryStatus::Unanswered("unreachable".into());
    let v =
        pdf::verify_with_status(&bytes, &f.verifier, Utc::now(), Some(&unreachable)).expect("ok");
    assert!(!v.accepted());

    let mut out = Vec::new();
    let code = pdf::verify_cli(
        path,
        std::slice::from_ref(&f.pki.root_cert),
        &[f.pki.intermediate_crl.clone(), f.pki.root_crl.clone()],
        None,
        Some(&terminated),
        &mut out,
    );
    let text = String::from_utf8_lossy(&out);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("status: terminated"), "{text}");
    assert!(text.contains("INVALID: the signature is valid but the document status is terminated"));
}

#[test]
fn an_ecdsa_key_signs_too() {
    let f = fixture();
    let key = f.pki.signing_key("applicant-erlan").expect("ecdsa key");
    let data =
        ruqsat::demo::pdf_samples::sample_document("intake_receipt", "EcdsaSigned0123456789");
    let signed = pdf::sign(
        &pdf::render(&data).expect("render"),
        &key,
        Utc::now(),
        "",
        "",
    )
    .expect("sign");
    let v = pdf::verify(&signed, &f.verifier, Utc::now()).expect("verify");
    assert!(
        v.signer.algorithm.starts_with("ECDSA-P256"),
        "{}",
        v.signer.algorithm
    );
    let file = f.dir.join("ecdsa.pdf");
    std::fs::write(&file, &signed).expect("write");
    if let Some((ok, out)) = tool("pdfsig", &[p(&file)]) {
        assert!(ok && out.contains("Signature is Valid."), "{out}");
    }
}

/// The `/Contents` placeholder is sized from the key (certificates, issuer name, largest
/// signature value): every demo key, RSA-2048 and ECDSA P-256, personal and organisation
/// certificates, fits, with less than 1 KiB left over.
#[test]
fn the_signature_placeholder_fits_every_demo_key_tightly() {
    let f = fixture();
    let data = ruqsat::demo::pdf_samples::sample_document("licence", "PlaceholderFit0123456");
    let unsigned = pdf::render(&data).expect("render");
    let mut algorithms = std::collections::BTreeSet::new();
    for user in &f.pki.users {
        let key = f.pki.signing_key(&user.file_stem).expect("key");
        let signed = pdf::sign(&unsigned, &key, Utc::now(), "", "")
            .unwrap_or_else(|e| panic!("{}: {e}", user.file_stem));
        let tail = &signed[unsigned.len()..];
        let start = tail
            .windows(10)
            .position(|w| w == b"/Contents<")
            .expect("/Contents")
            + 10;
        let len = tail[start..]
            .iter()
            .position(|&b| b == b'>')
            .expect("end of /Contents");
        let cms = hex::decode(&tail[start..start + len]).expect("hex");
        // DER SEQUENCE with a two-byte length (the CMS is 256..65535 bytes).
        assert_eq!(&cms[..2], [0x30, 0x82], "{}", user.file_stem);
        let used = 4 + usize::from(u16::from_be_bytes([cms[2], cms[3]]));
        let spare = cms.len() - used;
        assert!(
            cms[used..].iter().all(|&b| b == 0) && spare < 1024,
            "{}: {used} bytes of CMS in {} reserved",
            user.file_stem,
            cms.len()
        );
        let v = pdf::verify(&signed, &f.verifier, Utc::now());
        if !user.revoked {
            let v = v.unwrap_or_else(|e| panic!("{}: {e}", user.file_stem));
            algorithms.insert(
                v.signer
                    .algorithm
                    .split('/')
                    .next()
                    .unwrap_or("")
                    .to_string(),
            );
        }
    }
    assert!(
        algorithms.iter().any(|a| a.starts_with("RSA"))
            && algorithms.iter().any(|a| a.starts_with("ECDSA")),
        "{algorithms:?}"
    );
}

#[test]
fn an_expired_or_untrusted_signer_is_refused() {
    let f = fixture();
    let (_, _, path) = &f.docs[0];
    let bytes = std::fs::read(path).expect("read");
    let late = Utc::now() + chrono::Duration::days(365 * 30);
    assert!(matches!(
        pdf::verify(&bytes, &f.verifier, late),
        Err(PdfVerifyFailure::Signature(SignatureFailure::Expired))
    ));
    // Appending bytes after the signed extent breaks "whole document signed".
    let mut longer = bytes.clone();
    longer.extend_from_slice(b"\n% appended\n");
    assert!(matches!(
        pdf::verify(&longer, &f.verifier, Utc::now()),
        Err(PdfVerifyFailure::ByteRange(_))
    ));
    // An unsigned document.
    let unsigned = pdf::render(&ruqsat::demo::pdf_samples::sample_document(
        "licence",
        "Unsigned0123456789ab",
    ))
    .expect("r");
    assert_eq!(
        pdf::verify(&unsigned, &f.verifier, Utc::now()).expect_err("unsigned"),
        PdfVerifyFailure::NotSigned
    );
    // Signing refuses a time outside the certificate's validity.
    assert!(pdf::sign(&unsigned, &f.key, late, "", "").is_err());
}

#[test]
fn bench_prints_figures() {
    let f = fixture();
    // RUQSAT_PDF_BENCH_N=400 for a longer run.
    let n = std::env::var("RUQSAT_PDF_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    for r in [
        pdf::bench_licences_on(n, 1, &f.key).expect("bench"),
        pdf::bench_licences(n, &f.key).expect("bench"),
    ] {
        println!(
            "bench (this build profile): {} signed e-licences on {} thread(s) in {:.2} s: {:.1} docs/s, avg {} bytes, max {} bytes",
            r.documents, r.threads, r.seconds, r.docs_per_sec, r.avg_bytes, r.max_bytes
        );
        assert_eq!(r.documents, n);
        assert!(r.max_bytes < 150_000);
    }
}

#[test]
fn a_multi_page_document_signs_and_checks() {
    let f = fixture();
    let mut data = ruqsat::demo::pdf_samples::sample_document("refusal", "MultiPage0123456789ab");
    data.items = (1..=45)
        .map(|i| {
            format!("{i}-негіз: құжат толық емес, Қазақстан / основание {i}: документ неполон")
        })
        .collect();
    let signed = pdf::sign(
        &pdf::render(&data).expect("render"),
        &f.key,
        Utc::now(),
        "",
        "",
    )
    .expect("sign");
    let v = pdf::verify(&signed, &f.verifier, Utc::now()).expect("verify");
    assert_eq!(v.document_id.as_deref(), Some("MultiPage0123456789ab"));
    let file = f.dir.join("multi-page.pdf");
    std::fs::write(&file, &signed).expect("write");
    if let Some((ok, out)) = tool("qpdf", &["--show-npages", p(&file)]) {
        assert!(ok, "{out}");
        let pages: u32 = out.trim().parse().expect("page count");
        assert!(pages >= 2, "{pages}");
    }
    if let Some((ok, out)) = tool("qpdf", &["--check", p(&file)]) {
        assert!(
            ok && out.contains("No syntax or stream encoding errors found"),
            "{out}"
        );
    }
    if let Some((ok, out)) = tool("pdfsig", &[p(&file)]) {
        assert!(
            ok && out.contains("Signature is Valid.") && out.contains("Total document signed"),
            "{out}"
        );
    }
    if let Some((ok, text)) = tool("pdftotext", &["-enc", "UTF-8", p(&file), "-"]) {
        assert!(ok);
        assert!(
            text.contains("45-негіз: құжат толық емес, Қазақстан"),
            "{text}"
        );
        assert!(text.contains("Бет / Стр. 2/"), "{text}");
    }
}

#[test]
fn signing_twice_adds_a_second_field_and_the_last_one_is_checked() {
    let f = fixture();
    let (_, _, path) = &f.docs[0];
    let once = std::fs::read(path).expect("read");
    let twice = pdf::sign(&once, &f.key, Utc::now(), "second", "").expect("sign again");
    assert!(twice.starts_with(&once));
    assert!(twice.windows(17).any(|w| w == b"RuqsatSignature2)"));
    let v = pdf::verify(&twice, &f.verifier, Utc::now()).expect("verify");
    assert_eq!(v.signatures, 2);
    assert_eq!(v.byte_range[2] + v.byte_range[3], twice.len());
    let file = f.dir.join("twice.pdf");
    std::fs::write(&file, &twice).expect("write");
    if let Some((ok, out)) = tool("pdfsig", &[p(&file)]) {
        assert!(ok, "{out}");
        assert!(out.contains("Signature #2:"), "{out}");
        assert_eq!(out.matches("Signature is Valid.").count(), 2, "{out}");
    }
    if let Some((ok, out)) = tool("qpdf", &["--check", p(&file)]) {
        assert!(
            ok && out.contains("No syntax or stream encoding errors found"),
            "{out}"
        );
    }
}
