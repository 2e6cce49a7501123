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
    ruqsat::demo::run(out.path(), Default::default()).expect("demo runs");
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
    // Two regions (issue scope: the clinic domain): a home call by telephone in Akmola
    // (R-000-50), an appointment booked with no registrar action in Astana (R-000-04,
    // R-002-12), an attachment that moves a person between Astana clinics (G-14).
    assert_eq!(
        outcome("doctor-home-call", "phone").as_deref(),
        Some("approved")
    );
    assert_eq!(
        outcome("doctor-appointment", "portal").as_deref(),
        Some("approved")
    );
    assert_eq!(
        outcome("phc-attachment", "clinic_desk").as_deref(),
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
        "appointment_ticket.pdf",
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

/// Outbox rows by status, read from the database the processes share.
fn outbox_counts(url: &str) -> std::collections::BTreeMap<String, i64> {
    let store = ruqsat::db::Store::open(url, 1).expect("open store");
    store
        .read(ruqsat::db::queries::outbox_counts)
        .expect("counts")
        .into_iter()
        .map(|(s, n)| (s.to_string(), n))
        .collect()
}

#[test]
fn mail_a_demo_could_not_send_is_sent_once_by_the_next_serve_on_its_database() {
    // R-004-24 (result by e-mail), R-004-39 / R-004-40 (notifications): with the SMTP server
    // down the demo ends naming what is left, nothing is lost; `ruqsat serve` on the same
    // database and data directory sends each message exactly once and records the
    // deliveries.
    use crate::common::smtp::{reserve_port, SmtpServer};
    use crate::common::{ruqsat_command, OwnDatabase};
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().expect("tmp");
    let db = OwnDatabase::new(dir.path());
    let (out, data) = (dir.path().join("out"), dir.path().join("data"));
    let port = reserve_port();
    let run = ruqsat_command()
        .args(["demo", "--out"])
        .arg(&out)
        .args(["--database-url", &db.url, "--data-dir"])
        .arg(&data)
        .args(["--mail-wait", "3"])
        .env("RUQSAT_SMTP_URL", format!("smtp://127.0.0.1:{port}"))
        .env_remove("DATABASE_URL")
        .output()
        .expect("run ruqsat demo");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        !run.status.success(),
        "the demo must not pretend its mail went: {stderr}"
    );
    assert!(
        stderr.contains("still unsent") && stderr.contains("ruqsat serve"),
        "{stderr}"
    );
    // Recipients are masked on the console.
    assert!(
        stderr.contains("d***@example.kz") && !stderr.contains("daulet@example.kz"),
        "{stderr}"
    );
    assert!(
        out.join("summary.json").is_file(),
        "the summary is written all the same"
    );
    let before = outbox_counts(&db.url);
    let pending = before.get("pending").copied().unwrap_or(0);
    assert!(pending >= 10, "{before:?}");
    assert_eq!(before.get("sent"), None, "{before:?}");

    // The SMTP server is back on the same port; a server starts on the same database.
    let smtp = SmtpServer::start_on(port);
    let mut serve = ruqsat_command()
        .arg("serve")
        .env("DATABASE_URL", &db.url)
        .env("RUQSAT_DATA_DIR", &data)
        .env("RUQSAT_LISTEN", "127.0.0.1:0")
        .env("RUQSAT_SMTP_URL", smtp.url())
        .env("RUQSAT_LOG_FORMAT", "text")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("run ruqsat serve");
    let start = Instant::now();
    let sent_all = loop {
        let counts = outbox_counts(&db.url);
        if counts.get("sent").copied() == Some(pending) || start.elapsed() > Duration::from_secs(90)
        {
            break counts;
        }
        std::thread::sleep(Duration::from_millis(300));
    };
    // A little longer, so a second send of anything would have arrived.
    std::thread::sleep(Duration::from_secs(2));
    let _ = serve.kill();
    let _ = serve.wait();
    assert_eq!(sent_all.get("sent").copied(), Some(pending), "{sent_all:?}");
    assert_eq!(sent_all.get("pending"), None, "{sent_all:?}");
    let received = smtp.received();
    assert_eq!(received.len() as i64, pending, "each message exactly once");
    let ids: std::collections::BTreeSet<String> = received
        .iter()
        .map(|m| m.parsed().message_id().unwrap_or_default().to_string())
        .collect();
    assert_eq!(ids.len(), received.len(), "no message twice");
    // The results sent by e-mail are recorded as delivered (R-004-24): both support requests.
    let summary: Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).expect("summary"))
            .expect("json");
    let store = ruqsat::db::Store::open(&db.url, 1).expect("open store");
    for f in summary["flows"]
        .as_array()
        .expect("flows")
        .iter()
        .filter(|f| f["service"] == "disabled-child-support")
    {
        let number = f["request"].as_str().expect("number");
        let req = store
            .read(|c| ruqsat::db::queries::request_by_number(c, number))
            .expect("read")
            .expect("request");
        assert_eq!(req.state.as_str(), "result_delivered", "{number}");
    }
    let with_pdf = received
        .iter()
        .filter(|m| {
            m.parsed()
                .attachments()
                .any(|a| a.contents().starts_with(b"%PDF"))
        })
        .count();
    assert!(
        with_pdf >= 2,
        "the signed decision and refusal are attached"
    );
}
