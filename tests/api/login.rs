//! Login and sessions: throttling per account and per address with growing delays and
//! `429` + `Retry-After` in the ru/kk/en envelope; the right password is refused while the
//! account is blocked and accepted after; a login flood stays within a fixed memory budget;
//! logout takes effect at once; expired sessions are purged.

use crate::common::*;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

fn try_login(
    app_base: &str,
    client: &reqwest::blocking::Client,
    login: &str,
    password: &str,
) -> reqwest::blocking::Response {
    client
        .post(format!("{app_base}/api/v1/auth/login"))
        .json(&json!({"login": login, "password": password}))
        .send()
        .expect("login")
}

#[test]
fn wrong_passwords_block_the_account_with_growing_delays_then_the_right_one_works() {
    let app = TestApp::spawn();
    let wrong = |n: usize| {
        (0..n)
            .map(|_| {
                try_login(&app.base, &app.client, "official", "guess")
                    .status()
                    .as_u16()
            })
            .collect::<Vec<_>>()
    };
    // Five free failures, the sixth starts a 1 s block (domain::throttle::ACCOUNT).
    assert_eq!(wrong(6), [401; 6]);
    let r = try_login(&app.base, &app.client, "official", "official-demo");
    let retry: u64 = r
        .headers()
        .get("Retry-After")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After");
    assert_eq!(retry, 1);
    assert_error(r, 429, "TOO_MANY_ATTEMPTS");
    // Another account is not blocked by this one's failures.
    assert_eq!(
        try_login(&app.base, &app.client, "inspector", "inspector-demo").status(),
        200
    );
    // After the block the next failure doubles it.
    app.clock.advance(chrono::Duration::seconds(2));
    assert_eq!(wrong(1), [401]);
    let r = try_login(&app.base, &app.client, "official", "official-demo");
    assert_eq!(r.headers()["Retry-After"], "2");
    assert_error(r, 429, "TOO_MANY_ATTEMPTS");
    // After the window the right password works and clears the account's failures.
    app.clock.advance(chrono::Duration::seconds(3));
    assert_eq!(
        try_login(&app.base, &app.client, "official", "official-demo").status(),
        200
    );
    let left = app
        .app
        .store
        .read(|c| ruqsat::db::queries::throttle_rows(c, &["login:official".to_string()]))
        .expect("read");
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn logout_ends_the_session_at_once_and_expired_sessions_are_purged() {
    let app = TestApp::spawn();
    let token = app.login("daulet");
    assert_eq!(app.get(&token, "/api/v1/me").status(), 200);
    let r = app
        .client
        .post(app.url("/api/v1/auth/logout"))
        .bearer_auth(&token)
        .send()
        .expect("logout");
    assert_eq!(r.status(), 204);
    // No grace period: the very next call is refused.
    assert_error(app.get(&token, "/api/v1/me"), 401, "UNAUTHENTICATED");

    let old = app.login("aigerim");
    let count = |app: &TestApp| {
        app.app
            .store
            .read(|c| {
                use diesel::prelude::*;
                use ruqsat::db::schema::sessions;
                Ok(sessions::table.count().get_result::<i64>(c)?)
            })
            .expect("count")
    };
    assert_eq!(count(&app), 1);
    // Past the session lifetime the old session is refused, and the next login deletes it.
    app.clock.advance(chrono::Duration::hours(
        app.app.config.session_ttl_hours + 1,
    ));
    assert_error(app.get(&old, "/api/v1/me"), 401, "UNAUTHENTICATED");
    let _ = app.login("daulet");
    assert_eq!(count(&app), 1);
}

/// VmHWM (peak resident set) of a process, in MiB.
fn peak_rss_mib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}

#[test]
fn a_login_flood_gets_429s_in_bounded_memory_and_the_right_password_works_after() {
    if !require_backend("sqlite") {
        return;
    }
    let data = tempfile::tempdir().expect("tmp");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = ruqsat_command()
        .arg("serve")
        .env_remove("DATABASE_URL")
        .env("RUQSAT_DATA_DIR", data.path())
        .env("RUQSAT_LISTEN", format!("127.0.0.1:{port}"))
        .env("RUQSAT_PUBLIC_URL", &base)
        .env("RUQSAT_LOG_FORMAT", "text")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("ruqsat serve");
    let client = reqwest::blocking::Client::new();
    let start = Instant::now();
    while client.get(format!("{base}/health")).send().is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(90),
            "server did not start"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let before = peak_rss_mib(child.id()).expect("rss");

    // 500 wrong passwords over 32 connections.
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..32)
            .map(|i| {
                let base = base.clone();
                s.spawn(move || {
                    let client = reqwest::blocking::Client::new();
                    let n = 500 / 32 + usize::from(i < 500 % 32);
                    (0..n)
                        .map(|_| {
                            try_login(&base, &client, "official", "guess")
                                .status()
                                .as_u16()
                        })
                        .collect::<Vec<u16>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("thread"))
            .collect()
    });
    let peak = peak_rss_mib(child.id()).expect("rss");
    let count = |code: u16| statuses.iter().filter(|s| **s == code).count();
    println!(
        "login flood: {} attempts, {} × 401, {} × 429, {} × 503; peak RSS {before} → {peak} MiB",
        statuses.len(),
        count(401),
        count(429),
        count(503)
    );
    assert_eq!(statuses.len(), 500);
    assert!(
        statuses.iter().all(|s| [401, 429, 503].contains(s)),
        "{statuses:?}"
    );
    assert!(count(429) > 400, "{} × 429", count(429));
    assert!(peak < 300, "peak RSS {peak} MiB");

    // After the block the right password works.
    let start = Instant::now();
    loop {
        let r = try_login(&base, &client, "official", "official-demo");
        if r.status() == 200 {
            let v: Value = r.json().expect("json");
            assert_eq!(v["user"]["login"], "official");
            break;
        }
        assert_eq!(r.status(), 429);
        let wait: u64 = r.headers()["Retry-After"]
            .to_str()
            .ok()
            .and_then(|v| v.parse().ok())
            .expect("Retry-After");
        assert!(
            start.elapsed() + Duration::from_secs(wait) < Duration::from_secs(300),
            "still blocked for {wait} s"
        );
        std::thread::sleep(Duration::from_secs(wait));
    }
    let _ = child.kill();
    let _ = child.wait();
}
