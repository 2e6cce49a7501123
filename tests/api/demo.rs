//! `ruqsat demo --out DIR` runs every flow and writes a valid summary.

use crate::common::require_backend;
use serde_json::Value;

#[test]
fn demo_writes_summary_and_root_ca() {
    // On PostgreSQL, .ci/run runs the demo on a scratch database instead.
    if !require_backend("sqlite") {
        return;
    }
    let out = tempfile::tempdir().expect("tmp");
    ruqsat::demo::run(out.path(), None).expect("demo runs");
    let s: Value =
        serde_json::from_slice(&std::fs::read(out.path().join("summary.json")).expect("summary"))
            .expect("json");
    let flows = s["flows"].as_array().expect("flows");
    assert!(flows.len() >= 5);
    for f in flows {
        for k in ["service", "channel", "request", "outcome"] {
            assert!(f[k].as_str().is_some_and(|v| !v.is_empty()), "{k} in {f}");
        }
        assert!(f["documents"].is_array());
    }
    let outcome = |svc: &str, ch: &str| {
        flows
            .iter()
            .find(|f| f["service"] == svc && f["channel"] == ch)
            .map(|f| f["outcome"].as_str().unwrap_or("").to_string())
    };
    assert_eq!(
        outcome("disabled-child-support", "portal").as_deref(),
        Some("result_delivered")
    );
    assert_eq!(
        outcome("disabled-child-support", "provider_desk").as_deref(),
        Some("refused")
    );
    assert_eq!(
        outcome("doctor-home-call", "portal").as_deref(),
        Some("approved")
    );
    // R-003-20..32: paid through the sandbox gateway, signed, issued.
    assert_eq!(
        outcome("med-licence", "portal").as_deref(),
        Some("approved")
    );
    // issue, re-issue, duplicate, a refusal at the desk and the ЦОН channel, whose
    // e-licence is handed over (G-30).
    let licence: Vec<(&str, &str)> = flows
        .iter()
        .filter(|f| f["service"] == "med-licence")
        .map(|f| {
            (
                f["channel"].as_str().unwrap_or(""),
                f["outcome"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        licence,
        [
            ("portal", "approved"),
            ("portal", "approved"),
            ("portal", "approved"),
            ("provider_desk", "refused"),
            ("con", "result_delivered")
        ]
    );
    // Every decision's signed document is written and listed.
    let mut kinds = Vec::new();
    for f in flows {
        for d in f["documents"].as_array().expect("documents") {
            let rel = d.as_str().expect("path");
            let bytes = std::fs::read(out.path().join(rel)).expect("document written");
            assert!(bytes.starts_with(b"%PDF-"), "{rel}");
            kinds.push(rel.rsplit('-').next().unwrap_or_default().to_string());
        }
    }
    for k in [
        "licence.pdf",
        "support_decision.pdf",
        "support_refusal.pdf",
        "home_call_confirmation.pdf",
        "phc_attachment.pdf",
        // re-issue, duplicate, the desk refusal and the ЦОН receipt.
        "licence_reissued.pdf",
        "licence_duplicate.pdf",
        "refusal.pdf",
        "intake_receipt.pdf",
    ] {
        assert!(kinds.iter().any(|x| x == k), "{k} missing in {kinds:?}");
    }
    let root = std::fs::read_to_string(out.path().join("pki/root-ca.pem")).expect("root CA");
    assert!(root.contains("BEGIN CERTIFICATE"));
    let check = std::process::Command::new("openssl")
        .args(["x509", "-noout", "-subject", "-in"])
        .arg(out.path().join("pki/root-ca.pem"))
        .output()
        .expect("openssl");
    assert!(check.status.success(), "root CA parses with openssl");
}
