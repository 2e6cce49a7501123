//! Signature verification against certificates, CRLs and CMS made by an
//! independent tool: the `openssl` CLI, driven from this test in a tempdir.
//!
//! Requirements: validity R-000-19 / R-003-24 / R-004-18 / R-004-31,
//! revocation R-000-20 / R-003-25 / R-004-19 / R-004-32, identity
//! R-000-21 / R-003-26 / R-004-20 / R-004-33 (G-39), refusal R-000-22 /
//! R-003-27 / R-004-21 / R-004-34, technology G-50.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use ruqsat::demo::pki::{init_demo_pki, DemoIdentity, DemoPkiSpec, DEMO_P12_PASSWORD};
use ruqsat::pki::{
    CrlSource, ExpectedSigner, FileCrlSource, HttpCrlSource, SignatureFailure, SigningKey,
    TrustStore, VerifiedSigner, Verifier,
};

const OPENSSL: &str = "/usr/bin/openssl";
const PAYLOAD: &[u8] =
    br#"{"service":"R-003","iin":"900101300019","form":{"activity":"pharmacy"}}"#;

const PERSON_IIN: &str = "900101300019";
const EC_IIN: &str = "850315300022";
const LEGAL_IIN: &str = "780220300033";
const LEGAL_BIN: &str = "120540001234";

// ---------------------------------------------------------------------------
// Fixture: a PKI built with the openssl CLI, CRLs served by mockito.

struct Pki {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    base_url: String,
    _server: Mutex<(mockito::ServerGuard, Vec<mockito::Mock>)>,
}

static PKI: OnceLock<Pki> = OnceLock::new();

fn pki() -> &'static Pki {
    PKI.get_or_init(build_pki)
}

fn run(dir: &Path, args: &[&str]) -> Vec<u8> {
    let out = Command::new(OPENSSL)
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run openssl");
    assert!(
        out.status.success(),
        "openssl {:?} failed:\n{}",
        args,
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

const CNF: &str = r#"
[ ca ]
default_ca = int_ca
[ root_ca ]
dir = ./rootdb
database = $dir/index.txt
serial = $dir/serial
crlnumber = $dir/crlnumber
new_certs_dir = $dir/new
certificate = ./root.pem
private_key = ./root.key
default_md = sha256
default_days = 3650
default_crl_days = 30
policy = policy_any
unique_subject = no
copy_extensions = none
[ int_ca ]
dir = ./intdb
database = $dir/index.txt
serial = $dir/serial
crlnumber = $dir/crlnumber
new_certs_dir = $dir/new
certificate = ./int.pem
private_key = ./int.key
default_md = sha256
default_days = 365
default_crl_days = 30
policy = policy_any
unique_subject = no
copy_extensions = none
[ policy_any ]
countryName = optional
organizationName = optional
organizationalUnitName = optional
commonName = supplied
serialNumber = optional
[ req ]
distinguished_name = req_dn
string_mask = utf8only
utf8 = yes
[ req_dn ]
[ v3_root ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ v3_int ]
basicConstraints = critical, CA:true, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
crlDistributionPoints = URI:$BASE/root.crl
[ v3_leaf ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
crlDistributionPoints = URI:$BASE/int.crl
[ v3_leaf_keyenc ]
basicConstraints = critical, CA:false
keyUsage = critical, keyEncipherment
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
crlDistributionPoints = URI:$BASE/int.crl
[ v3_leaf_downdp ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
crlDistributionPoints = URI:$BASE/down.crl
"#;

/// New key + CSR for `name` ("rsa" or "ec").
fn keyreq(dir: &Path, name: &str, kind: &str, subj: &str) {
    let key = format!("{name}.key");
    let csr = format!("{name}.csr");
    let newkey: &[&str] = if kind == "ec" {
        &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]
    } else {
        &["-newkey", "rsa:2048"]
    };
    let mut args = vec!["req", "-new"];
    args.extend_from_slice(newkey);
    args.extend_from_slice(&[
        "-nodes", "-keyout", &key, "-out", &csr, "-utf8", "-subj", subj, "-config", "ca.cnf",
    ]);
    run(dir, &args);
}

/// Issues `name.pem` from `name.csr` with `openssl ca`.
fn issue(dir: &Path, ca: &str, name: &str, ext: &str, extra: &[&str]) {
    let csr = format!("{name}.csr");
    let pem = format!("{name}.pem");
    let mut args = vec![
        "ca",
        "-batch",
        "-config",
        "ca.cnf",
        "-name",
        ca,
        "-extensions",
        ext,
        "-in",
        &csr,
        "-out",
        &pem,
        "-notext",
        "-preserveDN",
        "-utf8",
    ];
    args.extend_from_slice(extra);
    run(dir, &args);
}

fn build_pki() -> Pki {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().to_path_buf();
    let mut server = mockito::Server::new();
    let base_url = server.url();
    std::fs::write(dir.join("ca.cnf"), format!("BASE = {base_url}\n{CNF}")).unwrap();
    for d in ["rootdb", "intdb"] {
        std::fs::create_dir_all(dir.join(d).join("new")).unwrap();
        std::fs::write(dir.join(d).join("index.txt"), "").unwrap();
        std::fs::write(dir.join(d).join("serial"), "1000\n").unwrap();
        std::fs::write(dir.join(d).join("crlnumber"), "1000\n").unwrap();
    }
    // Root and issuing CA.
    run(
        &dir,
        &[
            "req",
            "-x509",
            "-new",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "root.key",
            "-out",
            "root.pem",
            "-subj",
            "/C=KZ/O=Test PKI/CN=Test Root CA",
            "-days",
            "3650",
            "-config",
            "ca.cnf",
            "-extensions",
            "v3_root",
        ],
    );
    keyreq(&dir, "int", "rsa", "/C=KZ/O=Test PKI/CN=Test Issuing CA");
    issue(&dir, "root_ca", "int", "v3_int", &["-days", "1825"]);

    // Leaves.
    let person_subj = format!("/C=KZ/CN=ТЕСТОВ АЙГЕРИМ/serialNumber=IIN{PERSON_IIN}");
    keyreq(&dir, "person", "rsa", &person_subj);
    issue(&dir, "int_ca", "person", "v3_leaf", &[]);
    keyreq(
        &dir,
        "person_ec",
        "ec",
        &format!("/C=KZ/CN=ЖУМАБАЕВ ЕРЛАН/serialNumber=IIN{EC_IIN}"),
    );
    issue(&dir, "int_ca", "person_ec", "v3_leaf", &[]);
    keyreq(
        &dir,
        "legal",
        "rsa",
        &format!(
            "/C=KZ/O=ТОО Дала Строй/OU=BIN{LEGAL_BIN}/CN=АХМЕТОВ НУРЛАН/serialNumber=IIN{LEGAL_IIN}"
        ),
    );
    issue(&dir, "int_ca", "legal", "v3_leaf", &[]);
    keyreq(&dir, "expired", "rsa", &person_subj);
    issue(
        &dir,
        "int_ca",
        "expired",
        "v3_leaf",
        &[
            "-startdate",
            "20200101000000Z",
            "-enddate",
            "20210101000000Z",
        ],
    );
    keyreq(&dir, "notyet", "rsa", &person_subj);
    issue(
        &dir,
        "int_ca",
        "notyet",
        "v3_leaf",
        &[
            "-startdate",
            "20400101000000Z",
            "-enddate",
            "20410101000000Z",
        ],
    );
    keyreq(&dir, "longleaf", "rsa", &person_subj);
    issue(
        &dir,
        "int_ca",
        "longleaf",
        "v3_leaf",
        &["-enddate", "20450101000000Z"],
    );
    keyreq(&dir, "revoked", "rsa", &person_subj);
    issue(&dir, "int_ca", "revoked", "v3_leaf", &[]);
    keyreq(&dir, "keyenc", "rsa", &person_subj);
    issue(&dir, "int_ca", "keyenc", "v3_leaf_keyenc", &[]);
    keyreq(&dir, "downdp", "rsa", &person_subj);
    issue(&dir, "int_ca", "downdp", "v3_leaf_downdp", &[]);

    // CRLs: the issuing CA's (one revoked leaf) and the root's (empty).
    run(
        &dir,
        &[
            "ca",
            "-config",
            "ca.cnf",
            "-name",
            "int_ca",
            "-revoke",
            "revoked.pem",
        ],
    );
    run(
        &dir,
        &[
            "ca",
            "-config",
            "ca.cnf",
            "-name",
            "int_ca",
            "-gencrl",
            "-out",
            "int.crl.pem",
        ],
    );
    run(
        &dir,
        &[
            "ca",
            "-config",
            "ca.cnf",
            "-name",
            "root_ca",
            "-gencrl",
            "-out",
            "root.crl.pem",
        ],
    );
    run(
        &dir,
        &[
            "crl",
            "-in",
            "int.crl.pem",
            "-outform",
            "DER",
            "-out",
            "int.crl",
        ],
    );
    run(
        &dir,
        &[
            "crl",
            "-in",
            "root.crl.pem",
            "-outform",
            "DER",
            "-out",
            "root.crl",
        ],
    );

    // An unrelated root with a leaf, and a forged "Test Issuing CA" under it.
    run(
        &dir,
        &[
            "req",
            "-x509",
            "-new",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "other.key",
            "-out",
            "other.pem",
            "-subj",
            "/C=KZ/O=Other/CN=Other Root CA",
            "-days",
            "3650",
            "-config",
            "ca.cnf",
            "-extensions",
            "v3_root",
        ],
    );
    keyreq(&dir, "stranger", "rsa", &person_subj);
    run(
        &dir,
        &[
            "x509",
            "-req",
            "-in",
            "stranger.csr",
            "-CA",
            "other.pem",
            "-CAkey",
            "other.key",
            "-CAcreateserial",
            "-days",
            "365",
            "-extfile",
            "ca.cnf",
            "-extensions",
            "v3_leaf",
            "-out",
            "stranger.pem",
        ],
    );
    keyreq(
        &dir,
        "fakeint",
        "rsa",
        "/C=KZ/O=Test PKI/CN=Test Issuing CA",
    );
    run(
        &dir,
        &[
            "x509",
            "-req",
            "-in",
            "fakeint.csr",
            "-CA",
            "other.pem",
            "-CAkey",
            "other.key",
            "-CAcreateserial",
            "-days",
            "365",
            "-extfile",
            "ca.cnf",
            "-extensions",
            "v3_int",
            "-out",
            "fakeint.pem",
        ],
    );
    keyreq(&dir, "forged", "rsa", &person_subj);
    run(
        &dir,
        &[
            "x509",
            "-req",
            "-in",
            "forged.csr",
            "-CA",
            "fakeint.pem",
            "-CAkey",
            "fakeint.key",
            "-CAcreateserial",
            "-days",
            "365",
            "-extfile",
            "ca.cnf",
            "-extensions",
            "v3_leaf",
            "-out",
            "forged.pem",
        ],
    );

    let mocks = vec![
        server
            .mock("GET", "/int.crl")
            .with_status(200)
            .with_header("content-type", "application/pkix-crl")
            .with_body(std::fs::read(dir.join("int.crl")).unwrap())
            .create(),
        server
            .mock("GET", "/root.crl")
            .with_status(200)
            .with_header("content-type", "application/pkix-crl")
            .with_body(std::fs::read(dir.join("root.crl")).unwrap())
            .create(),
        server
            .mock("GET", "/down.crl")
            .with_status(500)
            .with_body("internal error")
            .create(),
    ];
    Pki {
        _tmp: tmp,
        dir,
        base_url,
        _server: Mutex::new((server, mocks)),
    }
}

impl Pki {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    fn trust(&self) -> TrustStore {
        // Only the root: the intermediate must come from the CMS certificates.
        TrustStore::from_pem_files(&[self.path("root.pem")]).expect("trust store")
    }

    fn verifier(&self) -> Verifier {
        Verifier {
            trust: self.trust(),
            crls: Arc::new(HttpCrlSource::new(Duration::from_secs(5))),
        }
    }

    fn verifier_with(&self, crls: Arc<dyn CrlSource>) -> Verifier {
        Verifier {
            trust: self.trust(),
            crls,
        }
    }

    /// `openssl cms -sign` with leaf `name`; `chain` is added via -certfile.
    fn sign(&self, name: &str, chain: &str, attached: bool, outform: &str) -> Vec<u8> {
        let work = tempfile::tempdir().unwrap();
        let payload = work.path().join("payload.json");
        let out = work.path().join("sig");
        std::fs::write(&payload, PAYLOAD).unwrap();
        let signer = self.path(&format!("{name}.pem"));
        let key = self.path(&format!("{name}.key"));
        let certfile = self.path(chain);
        let mut args: Vec<&str> = vec![
            "cms",
            "-sign",
            "-binary",
            "-md",
            "sha256",
            "-in",
            payload.to_str().unwrap(),
            "-signer",
            signer.to_str().unwrap(),
            "-inkey",
            key.to_str().unwrap(),
            "-certfile",
            certfile.to_str().unwrap(),
            "-outform",
            outform,
            "-out",
            out.to_str().unwrap(),
        ];
        if attached {
            args.push("-nodetach");
        }
        run(&self.dir, &args);
        std::fs::read(out).unwrap()
    }

    fn sign_detached(&self, name: &str) -> Vec<u8> {
        self.sign(name, "int.pem", false, "DER")
    }

    fn not_after(&self, name: &str) -> DateTime<Utc> {
        let out = run(
            &self.dir,
            &["x509", "-in", &format!("{name}.pem"), "-noout", "-enddate"],
        );
        let s = String::from_utf8(out).unwrap();
        let v = s.trim().trim_start_matches("notAfter=");
        let naive = chrono::NaiveDateTime::parse_from_str(v, "%b %e %H:%M:%S %Y GMT").unwrap();
        Utc.from_utc_datetime(&naive)
    }

    fn serial(&self, name: &str) -> String {
        let out = run(
            &self.dir,
            &["x509", "-in", &format!("{name}.pem"), "-noout", "-serial"],
        );
        String::from_utf8(out)
            .unwrap()
            .trim()
            .trim_start_matches("serial=")
            .to_string()
    }
}

fn iin(s: &str) -> ExpectedSigner {
    ExpectedSigner::Iin(s.to_string())
}

fn bin(s: &str) -> ExpectedSigner {
    ExpectedSigner::Bin(s.to_string())
}

fn now() -> DateTime<Utc> {
    Utc::now()
}

fn refused(r: Result<VerifiedSigner, SignatureFailure>) -> SignatureFailure {
    match r {
        Ok(v) => panic!("expected refusal, got acceptance of {v:?}"),
        Err(e) => e,
    }
}

// ---------------------------------------------------------------------------
// Accepted signatures.

#[test]
fn valid_person_rsa_detached_accepted() {
    // R-003-24..26, R-000-19..21: valid, not revoked, IIN matches.
    let p = pki();
    let cms = p.sign_detached("person");
    let v = p
        .verifier()
        .verify(PAYLOAD, &cms, Some(&iin(PERSON_IIN)), now())
        .expect("valid signature accepted");
    assert_eq!(v.iin.as_deref(), Some(PERSON_IIN));
    assert_eq!(v.bin, None);
    assert_eq!(v.subject_cn, "ТЕСТОВ АЙГЕРИМ");
    assert_eq!(v.algorithm, "RSA-2048/SHA-256");
    assert_eq!(v.serial_hex, p.serial("person"));
    assert!(v.issuer.contains("Test Issuing CA"), "{}", v.issuer);
    assert_eq!(v.not_after, p.not_after("person"));
    let st = v.signing_time.expect("openssl adds signingTime");
    assert!((now() - st).num_minutes().abs() < 10);
}

#[test]
fn valid_person_ecdsa_p256_accepted() {
    // R-003-24..26 with an ECDSA P-256 key.
    let p = pki();
    let cms = p.sign_detached("person_ec");
    let v = p
        .verifier()
        .verify(PAYLOAD, &cms, Some(&iin(EC_IIN)), now())
        .expect("valid ECDSA signature accepted");
    assert_eq!(v.algorithm, "ECDSA-P256/SHA-256");
    assert_eq!(v.iin.as_deref(), Some(EC_IIN));
}

#[test]
fn valid_legal_entity_bin_accepted() {
    // R-003-26: "IIN/BIN in the request equals the IIN/BIN in the certificate".
    let p = pki();
    let cms = p.sign_detached("legal");
    let verifier = p.verifier();
    let v = verifier
        .verify(PAYLOAD, &cms, Some(&bin(LEGAL_BIN)), now())
        .expect("legal entity accepted by BIN");
    assert_eq!(v.bin.as_deref(), Some(LEGAL_BIN));
    assert_eq!(v.iin.as_deref(), Some(LEGAL_IIN));
    // The employee's own IIN matches too (G-39: desk channel checks the employee).
    verifier
        .verify(PAYLOAD, &cms, Some(&iin(LEGAL_IIN)), now())
        .expect("legal entity's signer accepted by IIN");
}

#[test]
fn attached_cms_accepted() {
    // R-003-28: the filled form is signed; attached (opaque) CMS.
    let p = pki();
    let cms = p.sign("person", "int.pem", true, "DER");
    p.verifier()
        .verify(PAYLOAD, &cms, Some(&iin(PERSON_IIN)), now())
        .expect("attached CMS accepted");
}

#[test]
fn pem_and_base64_cms_accepted() {
    use base64::Engine;
    let p = pki();
    let pem = p.sign("person", "int.pem", false, "PEM");
    assert!(String::from_utf8_lossy(&pem).contains("-----BEGIN CMS-----"));
    let verifier = p.verifier();
    verifier
        .verify(PAYLOAD, &pem, Some(&iin(PERSON_IIN)), now())
        .expect("PEM CMS accepted");
    let pkcs7 = String::from_utf8(pem)
        .unwrap()
        .replace(" CMS-----", " PKCS7-----");
    verifier
        .verify(PAYLOAD, pkcs7.as_bytes(), Some(&iin(PERSON_IIN)), now())
        .expect("PEM PKCS7 accepted");
    let der = p.sign_detached("person");
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    verifier
        .verify(PAYLOAD, b64.as_bytes(), None, now())
        .expect("base64 CMS accepted");
}

#[test]
fn intermediate_from_trust_store_accepted() {
    // Intermediates may be configured instead of embedded: sign with the
    // root as -certfile (so the CMS lacks the intermediate).
    let p = pki();
    let cms = p.sign("person", "root.pem", false, "DER");
    let refused_without = refused(p.verifier().verify(PAYLOAD, &cms, None, now()));
    assert_eq!(
        refused_without.code().as_str(),
        "SIGNATURE_UNTRUSTED_ISSUER"
    );
    let mut verifier = p.verifier();
    verifier
        .trust
        .add_intermediates_pem(&std::fs::read_to_string(p.path("int.pem")).unwrap())
        .unwrap();
    verifier
        .verify(PAYLOAD, &cms, None, now())
        .expect("accepted with configured intermediate");
}

// ---------------------------------------------------------------------------
// Validity (R-000-19, R-003-24, R-004-18, R-004-31).

#[test]
fn expired_certificate_refused() {
    // R-003-24 → R-003-27: certificate dated 2020-2021 by `openssl ca -enddate`.
    let p = pki();
    let cms = p.sign_detached("expired");
    let e = refused(
        p.verifier()
            .verify(PAYLOAD, &cms, Some(&iin(PERSON_IIN)), now()),
    );
    assert_eq!(e, SignatureFailure::Expired);
    assert_eq!(e.code().as_str(), "CERTIFICATE_EXPIRED");
}

#[test]
fn valid_certificate_refused_after_its_not_after() {
    // R-003-24: validity is evaluated at `at`.
    let p = pki();
    let cms = p.sign_detached("person");
    let at = p.not_after("person") + chrono::Duration::days(1);
    let e = refused(
        p.verifier()
            .verify(PAYLOAD, &cms, Some(&iin(PERSON_IIN)), at),
    );
    assert_eq!(e.code().as_str(), "CERTIFICATE_EXPIRED");
}

#[test]
fn not_yet_valid_certificate_refused() {
    // R-003-24: certificate starting in 2040 (`openssl ca -startdate`).
    let p = pki();
    let cms = p.sign_detached("notyet");
    let e = refused(
        p.verifier()
            .verify(PAYLOAD, &cms, Some(&iin(PERSON_IIN)), now()),
    );
    assert_eq!(e.code().as_str(), "CERTIFICATE_NOT_YET_VALID");
}

#[test]
fn intermediate_validity_checked_too() {
    // R-003-24 for every certificate of the chain: the leaf runs to 2045,
    // the issuing CA only 5 years; six years on, the leaf alone would pass.
    let p = pki();
    let cms = p.sign_detached("longleaf");
    let at = now() + chrono::Duration::days(6 * 365);
    assert!(at < p.not_after("longleaf") && at > p.not_after("int"));
    let e = refused(p.verifier().verify(PAYLOAD, &cms, None, at));
    assert_eq!(e.code().as_str(), "CERTIFICATE_EXPIRED");
}

// ---------------------------------------------------------------------------
// Revocation (R-000-20, R-003-25, R-004-19, R-004-32).

#[test]
fn revoked_certificate_refused() {
    // R-003-25 → R-003-27: CRL from `openssl ca -gencrl`, fetched over HTTP
    // from the certificate's crlDistributionPoints (mockito).
    let p = pki();
    let dp = run(
        &p.dir,
        &[
            "x509",
            "-in",
            "revoked.pem",
            "-noout",
            "-ext",
            "crlDistributionPoints",
        ],
    );
    assert!(String::from_utf8_lossy(&dp).contains(&format!("{}/int.crl", p.base_url)));
    let cms = p.sign_detached("revoked");
    let e = refused(
        p.verifier()
            .verify(PAYLOAD, &cms, Some(&iin(PERSON_IIN)), now()),
    );
    assert_eq!(e.code().as_str(), "CERTIFICATE_REVOKED");
}

#[test]
fn revoked_certificate_refused_with_file_crl() {
    // R-003-25 via the CLI's --crl FILE source (DER and PEM files).
    let p = pki();
    let crls = FileCrlSource::from_files(&[p.path("int.crl"), p.path("root.crl.pem")]).unwrap();
    let verifier = p.verifier_with(Arc::new(crls));
    let e = refused(verifier.verify(PAYLOAD, &p.sign_detached("revoked"), None, now()));
    assert_eq!(e.code().as_str(), "CERTIFICATE_REVOKED");
    verifier
        .verify(PAYLOAD, &p.sign_detached("person"), None, now())
        .expect("unrevoked certificate accepted with file CRLs");
}

#[test]
fn crl_endpoint_down_refused() {
    // R-003-25: revocation status unknown → refuse (CRL_UNAVAILABLE), both
    // when the configured CRL URL answers 500 and when the certificate's own
    // distribution point does.
    let p = pki();
    let mut down = mockito::Server::new();
    let _m = down.mock("GET", "/crl").with_status(500).create();
    let verifier = p.verifier_with(Arc::new(
        HttpCrlSource::new(Duration::from_secs(5)).with_override_url(format!("{}/crl", down.url())),
    ));
    let e = refused(verifier.verify(PAYLOAD, &p.sign_detached("person"), None, now()));
    assert_eq!(e.code().as_str(), "CRL_UNAVAILABLE");
    assert!(
        e.message(ruqsat::error::Lang::En).contains("500"),
        "{}",
        e.message(ruqsat::error::Lang::En)
    );

    let e = refused(
        p.verifier()
            .verify(PAYLOAD, &p.sign_detached("downdp"), None, now()),
    );
    assert_eq!(e.code().as_str(), "CRL_UNAVAILABLE");
}

#[test]
fn crl_unreachable_host_refused() {
    // Nothing listens on the port: connection refused → CRL_UNAVAILABLE.
    let p = pki();
    let verifier = p.verifier_with(Arc::new(
        HttpCrlSource::new(Duration::from_secs(2)).with_override_url("http://127.0.0.1:9/x.crl"),
    ));
    let e = refused(verifier.verify(PAYLOAD, &p.sign_detached("person"), None, now()));
    assert_eq!(e.code().as_str(), "CRL_UNAVAILABLE");
}

#[test]
fn crl_with_bad_signature_refused() {
    // The CRL's own signature is checked against the issuing CA's key.
    let p = pki();
    let mut der = std::fs::read(p.path("int.crl")).unwrap();
    let last = der.len() - 1;
    der[last] ^= 0x01;
    let tampered = p.path("int.tampered.crl");
    std::fs::write(&tampered, der).unwrap();
    let crls = FileCrlSource::from_files(&[tampered, p.path("root.crl")]).unwrap();
    let e = refused(p.verifier_with(Arc::new(crls)).verify(
        PAYLOAD,
        &p.sign_detached("person"),
        None,
        now(),
    ));
    assert_eq!(e.code().as_str(), "CRL_UNAVAILABLE");
}

#[test]
fn crl_of_another_ca_refused() {
    // A CRL signed by a different CA with the same issuer name.
    let p = pki();
    let dir = &p.dir;
    // `openssl ca -gencrl` with the forged intermediate's key and a throwaway database.
    let db = dir.join("fakedb-crl");
    std::fs::create_dir_all(db.join("new")).unwrap();
    std::fs::write(db.join("index.txt"), "").unwrap();
    std::fs::write(db.join("crlnumber"), "1000\n").unwrap();
    let cnf = format!(
        "[ca]\ndefault_ca=f\n[f]\ndatabase={0}/index.txt\ncrlnumber={0}/crlnumber\ncertificate={1}/fakeint.pem\nprivate_key={1}/fakeint.key\ndefault_md=sha256\ndefault_crl_days=30\n",
        db.display(),
        dir.display()
    );
    std::fs::write(db.join("f.cnf"), cnf).unwrap();
    let pem = db.join("fake.crl.pem");
    let out = db.join("fake.crl");
    run(
        dir,
        &[
            "ca",
            "-config",
            db.join("f.cnf").to_str().unwrap(),
            "-gencrl",
            "-out",
            pem.to_str().unwrap(),
        ],
    );
    run(
        dir,
        &[
            "crl",
            "-in",
            pem.to_str().unwrap(),
            "-outform",
            "DER",
            "-out",
            out.to_str().unwrap(),
        ],
    );
    let crls = FileCrlSource::from_files(&[out, p.path("root.crl")]).unwrap();
    let e = refused(p.verifier_with(Arc::new(crls)).verify(
        PAYLOAD,
        &p.sign_detached("person"),
        None,
        now(),
    ));
    assert_eq!(e.code().as_str(), "CRL_UNAVAILABLE");
}

#[test]
fn stale_crl_refused() {
    // nextUpdate (30 days) before the verification time → CRL_UNAVAILABLE.
    let p = pki();
    let crls = FileCrlSource::from_files(&[p.path("int.crl"), p.path("root.crl")]).unwrap();
    let at = now() + chrono::Duration::days(45);
    let e = refused(p.verifier_with(Arc::new(crls)).verify(
        PAYLOAD,
        &p.sign_detached("person"),
        None,
        at,
    ));
    assert_eq!(e.code().as_str(), "CRL_UNAVAILABLE");
}

#[test]
fn http_crl_source_caches_by_url() {
    // Cache: the same CRL URL is fetched once while fresh.
    let p = pki();
    let mut srv = mockito::Server::new();
    let int = srv
        .mock("GET", "/int.crl")
        .with_body(std::fs::read(p.path("int.crl")).unwrap())
        .expect(1)
        .create();
    let root = srv
        .mock("GET", "/root.crl")
        .with_body(std::fs::read(p.path("root.crl")).unwrap())
        .expect(1)
        .create();
    let source = HttpCrlSource::new(Duration::from_secs(5))
        .with_override_url(format!("{}/int.crl", srv.url()))
        .with_override_url(format!("{}/root.crl", srv.url()));
    let verifier = p.verifier_with(Arc::new(source));
    for _ in 0..3 {
        verifier
            .verify(PAYLOAD, &p.sign_detached("person"), None, now())
            .expect("accepted");
    }
    int.assert();
    root.assert();
}

// ---------------------------------------------------------------------------
// Trust.

#[test]
fn untrusted_issuer_refused() {
    // G-50: only chains to a configured root are accepted.
    let p = pki();
    let cms = p.sign("stranger", "other.pem", false, "DER");
    let e = refused(
        p.verifier()
            .verify(PAYLOAD, &cms, Some(&iin(PERSON_IIN)), now()),
    );
    assert_eq!(e.code().as_str(), "SIGNATURE_UNTRUSTED_ISSUER");
}

#[test]
fn forged_intermediate_with_trusted_name_refused() {
    // An intermediate named like the real one but with another key.
    let p = pki();
    let cms = p.sign("forged", "fakeint.pem", false, "DER");
    let e = refused(
        p.verifier()
            .verify(PAYLOAD, &cms, Some(&iin(PERSON_IIN)), now()),
    );
    assert_eq!(e.code().as_str(), "SIGNATURE_UNTRUSTED_ISSUER");
}

// ---------------------------------------------------------------------------
// Identity (R-000-21, R-003-26, R-004-20, R-004-33).

#[test]
fn iin_mismatch_refused() {
    // R-003-26 → R-003-27: the request's IIN differs from the certificate's.
    let p = pki();
    let cms = p.sign_detached("person");
    let e = refused(
        p.verifier()
            .verify(PAYLOAD, &cms, Some(&iin("900101300020")), now()),
    );
    assert_eq!(e.code().as_str(), "SIGNER_IDENTITY_MISMATCH");
}

#[test]
fn bin_mismatch_refused() {
    // R-003-26: the request's BIN differs; a person certificate has no BIN.
    let p = pki();
    let verifier = p.verifier();
    let e = refused(verifier.verify(
        PAYLOAD,
        &p.sign_detached("legal"),
        Some(&bin("120540009999")),
        now(),
    ));
    assert_eq!(e.code().as_str(), "SIGNER_IDENTITY_MISMATCH");
    let e = refused(verifier.verify(
        PAYLOAD,
        &p.sign_detached("person"),
        Some(&bin(LEGAL_BIN)),
        now(),
    ));
    assert_eq!(e.code().as_str(), "SIGNER_IDENTITY_MISMATCH");
}

// ---------------------------------------------------------------------------
// Integrity.

#[test]
fn tampered_payload_refused() {
    // The request changed after signing → SIGNATURE_PAYLOAD_MISMATCH.
    let p = pki();
    let mut changed = PAYLOAD.to_vec();
    changed[10] ^= 0x01;
    let verifier = p.verifier();
    let e = refused(verifier.verify(&changed, &p.sign_detached("person"), None, now()));
    assert_eq!(e.code().as_str(), "SIGNATURE_PAYLOAD_MISMATCH");
    let attached = p.sign("person", "int.pem", true, "DER");
    let e = refused(verifier.verify(&changed, &attached, None, now()));
    assert_eq!(e.code().as_str(), "SIGNATURE_PAYLOAD_MISMATCH");
}

#[test]
fn corrupted_signature_value_refused() {
    // The signature octets are the last bytes of openssl's DER output.
    let p = pki();
    let mut cms = p.sign_detached("person");
    let last = cms.len() - 1;
    cms[last] ^= 0x01;
    let e = refused(p.verifier().verify(PAYLOAD, &cms, None, now()));
    assert_eq!(e.code().as_str(), "SIGNATURE_INVALID");
}

#[test]
fn garbage_refused_as_malformed() {
    let p = pki();
    let verifier = p.verifier();
    for input in [
        &b""[..],
        b"not a signature",
        b"-----BEGIN CMS-----\n!!!\n-----END CMS-----\n",
        &[0x30, 0x03, 0x02, 0x01, 0x01],
    ] {
        let e = refused(verifier.verify(PAYLOAD, input, None, now()));
        assert_eq!(e.code().as_str(), "SIGNATURE_MALFORMED", "{input:?}");
    }
    // A certificate is DER but not CMS.
    let cert = run(&p.dir, &["x509", "-in", "person.pem", "-outform", "DER"]);
    let e = refused(verifier.verify(PAYLOAD, &cert, None, now()));
    assert_eq!(e.code().as_str(), "SIGNATURE_MALFORMED");
}

#[test]
fn wrong_key_usage_refused() {
    // Leaf with keyUsage = keyEncipherment only.
    let p = pki();
    let cms = p.sign_detached("keyenc");
    let e = refused(
        p.verifier()
            .verify(PAYLOAD, &cms, Some(&iin(PERSON_IIN)), now()),
    );
    assert_eq!(e.code().as_str(), "CERTIFICATE_KEY_USAGE");
}

#[test]
fn ca_key_signing_documents_refused() {
    // The issuing CA's own key (CA:true, keyCertSign only) is not a signing key.
    let p = pki();
    let cms = p.sign("int", "root.pem", false, "DER");
    let e = refused(p.verifier().verify(PAYLOAD, &cms, None, now()));
    assert_eq!(e.code().as_str(), "CERTIFICATE_KEY_USAGE");
}

// ---------------------------------------------------------------------------
// Signing: our CMS checked by openssl.

fn openssl_verify_detached(dir: &Path, cms: &[u8], ca_file: &Path) -> Result<(), String> {
    let work = tempfile::tempdir().unwrap();
    let sig = work.path().join("sig.der");
    let payload = work.path().join("payload");
    std::fs::write(&sig, cms).unwrap();
    std::fs::write(&payload, PAYLOAD).unwrap();
    let out = Command::new(OPENSSL)
        .args([
            "cms",
            "-verify",
            "-binary",
            "-inform",
            "DER",
            "-in",
            sig.to_str().unwrap(),
            "-content",
            payload.to_str().unwrap(),
            "-CAfile",
            ca_file.to_str().unwrap(),
            "-purpose",
            "any",
            "-out",
            "/dev/null",
        ])
        .current_dir(dir)
        .output()
        .unwrap();
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).to_string())
    }
}

#[test]
fn sign_detached_verifies_with_openssl() {
    let p = pki();
    let at = now() - chrono::Duration::minutes(1);
    for (name, id, alg) in [
        ("person", PERSON_IIN, "RSA-2048"),
        ("person_ec", EC_IIN, "ECDSA-P256"),
    ] {
        let key = std::fs::read_to_string(p.path(&format!("{name}.key"))).unwrap();
        let chain = std::fs::read_to_string(p.path(&format!("{name}.pem"))).unwrap()
            + &std::fs::read_to_string(p.path("int.pem")).unwrap();
        let sk = SigningKey::from_pem(&key, &chain).expect("key + chain");
        assert_eq!(sk.chain().len(), 1);
        let dbg = format!("{sk:?}");
        assert!(!dbg.contains("PRIVATE"), "{dbg}");
        let cms = sk.sign_detached(PAYLOAD, at).expect("signed");
        openssl_verify_detached(&p.dir, &cms, &p.path("root.pem"))
            .unwrap_or_else(|e| panic!("openssl cms -verify rejected our {name} signature: {e}"));
        // Our own verifier agrees, and sees the signing time we set.
        let v = p
            .verifier()
            .verify(PAYLOAD, &cms, Some(&iin(id)), now())
            .expect("own signature accepted");
        assert!(v.algorithm.starts_with(alg), "{}", v.algorithm);
        assert_eq!(v.signing_time.map(|t| t.timestamp()), Some(at.timestamp()));
        // Tampering is caught by openssl too (the test can fail).
        let mut bad = cms.clone();
        let last = bad.len() - 1;
        bad[last] ^= 0x01;
        assert!(openssl_verify_detached(&p.dir, &bad, &p.path("root.pem")).is_err());
    }
}

// ---------------------------------------------------------------------------
// Demo PKI: files readable by openssl, signatures from them accepted.

fn demo_spec() -> DemoPkiSpec {
    let person = |stem: &str, iin: &str, ecdsa: bool, revoked: bool| DemoIdentity {
        file_stem: stem.to_string(),
        common_name: format!("ДЕМО {stem}"),
        iin: Some(iin.to_string()),
        bin: None,
        org_name: None,
        revoked,
        ecdsa,
    };
    DemoPkiSpec {
        crl_url: "http://127.0.0.1:8080/pki/crl/demo-intermediate.crl".into(),
        users: vec![
            person("applicant-aigerim", "900101400011", false, false),
            person("applicant-erlan", "850315300022", true, false),
            person("revoked-bolat", "920505300066", false, true),
            DemoIdentity {
                file_stem: "company-dala".into(),
                common_name: "АХМЕТОВ НУРЛАН".into(),
                iin: Some("780220300033".into()),
                bin: Some("120540001234".into()),
                org_name: Some("ТОО «Дала, Строй»".into()),
                revoked: false,
                ecdsa: true,
            },
        ],
    }
}

#[test]
fn demo_pki_works_with_openssl() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("pki");
    let spec = demo_spec();
    let demo = init_demo_pki(&dir, &spec).expect("demo PKI created");
    assert!(demo.created);
    for f in [
        &demo.root_cert,
        &demo.root_key,
        &demo.intermediate_cert,
        &demo.intermediate_key,
        &demo.intermediate_crl,
        &demo.root_crl,
    ] {
        assert!(f.exists(), "{}", f.display());
    }
    assert_eq!(demo.intermediate_crl, dir.join("crl/demo-intermediate.crl"));

    // openssl reads the PKCS#12 files (OpenSSL 3, no -legacy).
    for u in &demo.users {
        let out = dir.join(format!("{}.all.pem", u.file_stem));
        run(
            &dir,
            &[
                "pkcs12",
                "-in",
                u.p12.to_str().unwrap(),
                "-passin",
                &format!("pass:{DEMO_P12_PASSWORD}"),
                "-nodes",
                "-out",
                out.to_str().unwrap(),
            ],
        );
        // Bag attributes may carry non-UTF-8 friendly names.
        let text = String::from_utf8_lossy(&std::fs::read(&out).unwrap()).to_string();
        assert!(text.contains("PRIVATE KEY"), "{}", u.file_stem);
        assert_eq!(
            text.matches("BEGIN CERTIFICATE").count(),
            3,
            "{}",
            u.file_stem
        );
        // Certificates, chain and CRL validate with openssl too.
        let crl_int = dir.join("int.crl.pem");
        let crl_root = dir.join("root.crl.pem");
        run(
            &dir,
            &[
                "crl",
                "-inform",
                "DER",
                "-in",
                demo.intermediate_crl.to_str().unwrap(),
                "-out",
                crl_int.to_str().unwrap(),
            ],
        );
        run(
            &dir,
            &[
                "crl",
                "-inform",
                "DER",
                "-in",
                demo.root_crl.to_str().unwrap(),
                "-out",
                crl_root.to_str().unwrap(),
            ],
        );
        let status = Command::new(OPENSSL)
            .args([
                "verify",
                "-crl_check_all",
                "-CAfile",
                demo.root_cert.to_str().unwrap(),
                "-untrusted",
                demo.intermediate_cert.to_str().unwrap(),
                "-CRLfile",
                crl_int.to_str().unwrap(),
                "-CRLfile",
                crl_root.to_str().unwrap(),
                u.cert.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        assert_eq!(
            status.status.success(),
            !u.revoked,
            "openssl verify of {}: {}{}",
            u.file_stem,
            String::from_utf8_lossy(&status.stdout),
            String::from_utf8_lossy(&status.stderr)
        );
    }

    // A signature made by openssl with a demo p12 is accepted by Verifier.
    let verifier = Verifier {
        trust: demo.trust.clone(),
        crls: Arc::new(demo.crl_source().unwrap()),
    };
    let sign_with = |stem: &str| -> Vec<u8> {
        let all = dir.join(format!("{stem}.all.pem"));
        let payload = dir.join("payload.json");
        let out = dir.join(format!("{stem}.cms"));
        std::fs::write(&payload, PAYLOAD).unwrap();
        run(
            &dir,
            &[
                "cms",
                "-sign",
                "-binary",
                "-in",
                payload.to_str().unwrap(),
                "-signer",
                all.to_str().unwrap(),
                "-inkey",
                all.to_str().unwrap(),
                "-certfile",
                demo.intermediate_cert.to_str().unwrap(),
                "-outform",
                "DER",
                "-out",
                out.to_str().unwrap(),
            ],
        );
        std::fs::read(out).unwrap()
    };
    let v = verifier
        .verify(
            PAYLOAD,
            &sign_with("applicant-aigerim"),
            Some(&iin("900101400011")),
            now(),
        )
        .expect("demo RSA user accepted");
    assert_eq!(v.algorithm, "RSA-2048/SHA-256");
    assert_eq!(v.subject_cn, "ДЕМО applicant-aigerim");
    let v = verifier
        .verify(
            PAYLOAD,
            &sign_with("applicant-erlan"),
            Some(&iin("850315300022")),
            now(),
        )
        .expect("demo ECDSA user accepted");
    assert_eq!(v.algorithm, "ECDSA-P256/SHA-256");
    let v = verifier
        .verify(
            PAYLOAD,
            &sign_with("company-dala"),
            Some(&bin("120540001234")),
            now(),
        )
        .expect("demo legal entity accepted");
    assert_eq!(v.bin.as_deref(), Some("120540001234"));
    let e = refused(verifier.verify(PAYLOAD, &sign_with("revoked-bolat"), None, now()));
    assert_eq!(e.code().as_str(), "CERTIFICATE_REVOKED");

    // SigningKey::from_p12 → sign_detached → openssl cms -verify.
    let sk = demo.signing_key("applicant-aigerim").expect("p12 opens");
    assert_eq!(sk.chain().len(), 2);
    let cms = sk.sign_detached(PAYLOAD, now()).unwrap();
    openssl_verify_detached(&dir, &cms, &demo.root_cert).expect("openssl accepts our CMS");
    verifier
        .verify(PAYLOAD, &cms, Some(&iin("900101400011")), now())
        .expect("own CMS accepted");
    assert!(demo.signing_key("applicant-erlan").is_ok());
    let p12 = std::fs::read(&demo.users[0].p12).unwrap();
    assert!(SigningKey::from_p12(&p12, "wrong-password").is_err());

    // The CRL URL of the spec is in the users' certificates.
    let text = run(
        &dir,
        &[
            "x509",
            "-in",
            demo.users[0].cert.to_str().unwrap(),
            "-noout",
            "-ext",
            "crlDistributionPoints",
        ],
    );
    assert!(String::from_utf8_lossy(&text).contains(&spec.crl_url));
    let text = run(
        &dir,
        &[
            "x509",
            "-in",
            demo.intermediate_cert.to_str().unwrap(),
            "-noout",
            "-ext",
            "crlDistributionPoints",
        ],
    );
    assert!(String::from_utf8_lossy(&text).contains("http://127.0.0.1:8080/pki/crl/demo-root.crl"));

    // Idempotent: a second call loads, does not regenerate.
    let root_before = std::fs::read(&demo.root_cert).unwrap();
    let p12_before = std::fs::read(&demo.users[0].p12).unwrap();
    let again = init_demo_pki(&dir, &spec).expect("loaded");
    assert!(!again.created);
    assert_eq!(std::fs::read(&again.root_cert).unwrap(), root_before);
    assert_eq!(std::fs::read(&again.users[0].p12).unwrap(), p12_before);
    assert_eq!(again.trust.roots(), demo.trust.roots());

    // A lost CRL is re-issued on load, still listing the revoked user.
    std::fs::remove_file(&demo.intermediate_crl).unwrap();
    let again = init_demo_pki(&dir, &spec).expect("loaded");
    assert!(again.intermediate_crl.exists());
    let verifier = Verifier {
        trust: again.trust.clone(),
        crls: Arc::new(again.crl_source().unwrap()),
    };
    let e = refused(verifier.verify(PAYLOAD, &sign_with("revoked-bolat"), None, now()));
    assert_eq!(e.code().as_str(), "CERTIFICATE_REVOKED");
    verifier
        .verify(PAYLOAD, &sign_with("applicant-aigerim"), None, now())
        .expect("others still accepted");
}

#[test]
fn openssl_made_p12_opens() {
    // PKCS#12 written by `openssl pkcs12 -export` (AES, OpenSSL 3 default).
    let p = pki();
    let p12 = p.path("person.p12");
    run(
        &p.dir,
        &[
            "pkcs12",
            "-export",
            "-inkey",
            "person.key",
            "-in",
            "person.pem",
            "-certfile",
            "int.pem",
            "-passout",
            "pass:secret",
            "-out",
            p12.to_str().unwrap(),
        ],
    );
    let sk = SigningKey::from_p12(&std::fs::read(&p12).unwrap(), "secret").expect("p12 opens");
    assert_eq!(sk.chain().len(), 1);
    let cms = sk.sign_detached(PAYLOAD, now()).unwrap();
    p.verifier()
        .verify(PAYLOAD, &cms, Some(&iin(PERSON_IIN)), now())
        .expect("accepted");
}
