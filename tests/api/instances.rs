//! Several instances on one PostgreSQL database: nothing a server process holds is the
//! only copy of state (sessions, login throttling, request numbers, outbox leases and
//! documents live in the database and the shared file store), so any instance serves any
//! step. The test runs a second `ruqsat serve` process beside the test server and sends
//! every call of a licence flow to the other instance than the call before.

use crate::common::licence::*;
use crate::common::*;
use ruqsat::config::Secret;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// A `ruqsat serve` process, killed when dropped.
struct Instance {
    child: Child,
    base: String,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const CALLBACK_SECRET: &str = "two-instances-callback-secret";

/// A second instance of `app`: its database, data directory (PKI, files) and the payment
/// gateway the first one embeds, as instances behind one load balancer share them.
fn second_instance(app: &TestApp) -> Instance {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let log = std::fs::File::create(app.dir.path().join("second.log")).expect("log");
    let child = ruqsat_command()
        .arg("serve")
        .env("DATABASE_URL", &app.app.config.database_url)
        .env("RUQSAT_DATA_DIR", app.dir.path())
        .env("RUQSAT_LISTEN", format!("127.0.0.1:{port}"))
        .env("RUQSAT_PUBLIC_URL", &base)
        .env(
            "RUQSAT_GATEWAY_URL",
            format!("{}/sandbox/gateway", app.base),
        )
        .env("RUQSAT_GATEWAY_CALLBACK_SECRET", CALLBACK_SECRET)
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("spawn ruqsat serve");
    let instance = Instance { child, base };
    let start = Instant::now();
    loop {
        let up = app
            .client
            .get(format!("{}/health", instance.base))
            .send()
            .is_ok_and(|r| r.status() == 200);
        if up {
            return instance;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "second instance did not start: {}",
            std::fs::read_to_string(app.dir.path().join("second.log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_licence_flow_runs_across_two_instances_one_call_each() {
    // R-003-20..32 across instances: pay, sign, register, review and issue.
    if !require_backend("postgres") {
        return;
    }
    let mut app = TestApp::spawn_with(|c| {
        c.gateway_callback_secret = Some(Secret::new(CALLBACK_SECRET));
    });
    let second = second_instance(&app);
    app.alternate_with(&second.base);

    // Login on one instance, each following call on the other: sessions are rows.
    let med = app.login("medcenter");
    let number = licence_request(&app, &med);
    pay_in_sandbox(&app, &med, &number);
    let r = sign_as(&app, &med, &number, "medcenter");
    assert_eq!(r.status(), 200, "{:?}", r.text());
    let official = app.login("official");
    assert_eq!(
        app.transition(&official, &number, "start_review", None)
            .status(),
        200
    );
    assess_and_approve(&app, &official, &number, "lab-equipment");

    // Both instances serve the same signed e-licence, byte for byte.
    let (first_pdf, signer) = verified_result(&app, &med, &number, "licence");
    let (second_pdf, _) = verified_result(&app, &med, &number, "licence");
    assert_eq!(first_pdf, second_pdf);
    assert_eq!(signer.as_deref(), Some("870909302226"));

    // Every step is in the history once, in order, whichever instance wrote it.
    let history: Vec<serde_json::Value> = app
        .get(&official, &format!("/api/v1/requests/{number}/history"))
        .json()
        .expect("json");
    let actions: Vec<&str> = history
        .iter()
        .map(|h| h["action"].as_str().unwrap_or_default())
        .collect();
    for step in [
        "create",
        "submit",
        "sign",
        "register",
        "start_review",
        "approve",
    ] {
        assert_eq!(
            actions.iter().filter(|a| **a == step).count(),
            1,
            "{step} in {actions:?}"
        );
    }
    let seqs: Vec<i64> = history.iter().filter_map(|h| h["seq"].as_i64()).collect();
    assert_eq!(seqs, (1..=seqs.len() as i64).collect::<Vec<_>>());

    // Request numbers from both instances never collide: one sequence in the database.
    let daulet = app.login("daulet");
    let mut numbers: Vec<String> = (0..10).map(|_| support_draft(&app, &daulet)).collect();
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), 10);

    // Signing out on one instance ends the session on the other at once.
    let r = app
        .client
        .post(format!("{}/api/v1/auth/logout", app.base))
        .bearer_auth(&daulet)
        .send()
        .expect("logout");
    assert!(r.status().is_success(), "{}", r.status());
    let r = app
        .client
        .get(format!("{}/api/v1/me", second.base))
        .bearer_auth(&daulet)
        .send()
        .expect("me");
    assert_eq!(r.status(), 401);
}
