//! E-mail through the transactional outbox over real SMTP (docs/mail.md): password reset
//! mail, an SMTP outage with nothing lost and nothing sent twice, dead letters re-queued,
//! and several workers draining one outbox.

use crate::common::smtp::{reserve_port, SmtpServer};
use crate::common::*;
use ruqsat::app::outbox::{self, NewMail};
use ruqsat::error::Lang;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::time::Duration;

fn ask_reset(app: &TestApp, login: &str, lang: &str) -> u16 {
    app.client
        .post(app.url("/api/v1/auth/password-reset"))
        .header("accept-language", lang)
        .json(&json!({ "login": login }))
        .send()
        .expect("reset")
        .status()
        .as_u16()
}

fn try_login(app: &TestApp, login: &str, password: &str) -> u16 {
    app.client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"login": login, "password": password}))
        .send()
        .expect("login")
        .status()
        .as_u16()
}

/// The reset code in a received reset mail's plain text.
fn code_in(text: &str) -> String {
    text.lines()
        .find_map(|l| {
            l.trim()
                .rsplit_once(": ")
                .map(|(_, c)| c.trim().to_string())
        })
        .filter(|c| c.len() == 43)
        .or_else(|| {
            text.split_whitespace()
                .find(|w| w.len() == 43 && !w.contains('/'))
                .map(str::to_string)
        })
        .expect("a reset code in the mail")
}

fn outbox_of(app: &TestApp, status: &str) -> Vec<Value> {
    let admin = app.login("admin");
    let r = app.get(&admin, &format!("/api/v1/admin/outbox?status={status}"));
    assert_eq!(r.status(), 200);
    r.json().expect("json")
}

#[test]
fn a_password_reset_mail_arrives_over_smtp_in_the_persons_language_and_its_code_works_once() {
    let smtp = SmtpServer::start();
    let app = TestApp::spawn_with(|c| c.smtp_url = Some(ruqsat::config::Secret::new(smtp.url())));
    assert_eq!(ask_reset(&app, "aigerim", "kk-KZ,kk;q=0.9"), 202);
    // Unknown logins and accounts without an address get the same answer and no mail.
    assert_eq!(ask_reset(&app, "nobody-here", "ru"), 202);
    assert_eq!(ask_reset(&app, "official", "ru"), 202);
    let got = smtp.wait_for(1, Duration::from_secs(15));
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(smtp.received().len(), 1, "only aigerim has an address");
    let m = &got[0];
    assert_eq!(m.to, ["aigerim@example.kz"]);
    assert_eq!(
        m.from, "<no-reply@ruqsat.local>",
        "the envelope sender is mail_from"
    );
    let parsed = m.parsed();
    assert_eq!(parsed.subject(), Some("Ruqsat: құпиясөзді қалпына келтіру"));
    let text = parsed.body_text(0).expect("text part").to_string();
    assert!(text.contains("Әйгерім Қасымқызы Нұрланова"), "{text}");
    assert!(parsed.body_html(0).is_some(), "an HTML alternative");
    let code = code_in(&text);

    // A second request within the minute sends nothing new.
    assert_eq!(ask_reset(&app, "aigerim", "ru"), 202);
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(smtp.received().len(), 1);

    let session = app.login("aigerim");
    let confirm = |token: &str, password: &str| {
        app.client
            .post(app.url("/api/v1/auth/password-reset/confirm"))
            .json(&json!({"token": token, "password": password}))
            .send()
            .expect("confirm")
    };
    assert_error(confirm(&code, "short"), 422, "FIELD_INVALID");
    assert_eq!(confirm(&code, "жаңа-құпиясөз-2026").status(), 204);
    assert_error(
        confirm(&code, "тағы-бір-құпиясөз"),
        422,
        "RESET_TOKEN_INVALID",
    );
    assert_error(
        confirm("x".repeat(43).as_str(), "тағы-бір-құпиясөз"),
        422,
        "RESET_TOKEN_INVALID",
    );
    // The old password and the old session are gone; the new password works.
    assert_eq!(try_login(&app, "aigerim", "aigerim-demo"), 401);
    assert_error(app.get(&session, "/api/v1/me"), 401, "UNAUTHENTICATED");
    assert_eq!(try_login(&app, "aigerim", "жаңа-құпиясөз-2026"), 200);
    let sent = outbox_of(&app, "sent");
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["kind"], "password_reset");
    assert!(
        sent[0].get("body_text").is_none(),
        "no body in the admin view"
    );
}

#[test]
fn with_smtp_down_nothing_is_lost_and_once_it_is_back_each_message_arrives_once() {
    let port = reserve_port();
    let app = TestApp::spawn_with(|c| {
        c.smtp_url = Some(ruqsat::config::Secret::new(format!(
            "smtp://127.0.0.1:{port}"
        )));
        c.mail_retry_first_ms = 300;
    });
    for login in ["aigerim", "daulet", "medcenter"] {
        assert_eq!(ask_reset(&app, login, "ru"), 202);
    }
    // The worker tries, fails, and keeps the messages pending with their failures counted.
    let start = std::time::Instant::now();
    loop {
        let pending = outbox_of(&app, "pending");
        if pending.len() == 3 && pending.iter().all(|m| m["attempts"].as_i64() >= Some(1)) {
            assert!(pending.iter().all(|m| m["last_error"].is_string()));
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "{pending:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
    let smtp = SmtpServer::start_on(port);
    let got = smtp.wait_for(3, Duration::from_secs(30));
    std::thread::sleep(Duration::from_secs(3));
    let got_after = smtp.received();
    assert_eq!(got_after.len(), 3, "each message exactly once");
    let to: BTreeSet<String> = got.iter().flat_map(|m| m.to.clone()).collect();
    assert_eq!(
        to,
        BTreeSet::from([
            "aigerim@example.kz".to_string(),
            "daulet@example.kz".to_string(),
            "office@medcenter.example.kz".to_string()
        ])
    );
    assert_eq!(outbox_of(&app, "sent").len(), 3);
    assert!(outbox_of(&app, "pending").is_empty());
}

#[test]
fn a_message_that_keeps_failing_goes_dead_and_an_administrator_requeues_it() {
    let port = reserve_port();
    let app = TestApp::spawn_with(|c| {
        c.smtp_url = Some(ruqsat::config::Secret::new(format!(
            "smtp://127.0.0.1:{port}"
        )));
        c.mail_retry_first_ms = 100;
        c.mail_max_attempts = 2;
    });
    assert_eq!(ask_reset(&app, "daulet", "en"), 202);
    let start = std::time::Instant::now();
    let dead = loop {
        let dead = outbox_of(&app, "dead");
        if dead.len() == 1 {
            break dead;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "not dead in time"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(dead[0]["attempts"], 2);
    let id = dead[0]["id"].as_str().expect("id").to_string();
    let daulet = app.login("daulet");
    assert_error(
        app.post(
            &daulet,
            &format!("/api/v1/admin/outbox/{id}/requeue"),
            &json!({}),
        ),
        403,
        "ACTION_NOT_PERMITTED",
    );
    let smtp = SmtpServer::start_on(port);
    let admin = app.login("admin");
    let r = app.post(
        &admin,
        &format!("/api/v1/admin/outbox/{id}/requeue"),
        &json!({}),
    );
    assert_eq!(r.status(), 204);
    let got = smtp.wait_for(1, Duration::from_secs(15));
    assert_eq!(got[0].to, ["daulet@example.kz"]);
    assert_eq!(got[0].parsed().subject(), Some("Ruqsat: password reset"));
    // Only dead messages are re-queued.
    assert_error(
        app.post(
            &admin,
            &format!("/api/v1/admin/outbox/{id}/requeue"),
            &json!({}),
        ),
        404,
        "NOT_FOUND",
    );
}

#[test]
fn several_workers_of_two_instances_draining_one_outbox_send_each_message_once() {
    // Two application instances on one database (PostgreSQL: `FOR UPDATE SKIP LOCKED`
    // leases; SQLite: one writer at a time), three workers each, plus the server's own.
    let smtp = SmtpServer::start();
    let app = TestApp::spawn_with(|c| c.smtp_url = Some(ruqsat::config::Secret::new(smtp.url())));
    let second = app.restarted_app();
    const N: usize = 60;
    app.app
        .store
        .write(|c| {
            for i in 0..N {
                outbox::enqueue(
                    &app.app,
                    c,
                    NewMail {
                        kind: "password_reset",
                        to: format!("person{i}@example.kz"),
                        lang: Lang::Ru,
                        subject: format!("message {i}"),
                        text: "text".into(),
                        html: "<p>html</p>".into(),
                        request: None,
                        document: None,
                    },
                )?;
            }
            Ok(())
        })
        .expect("enqueue");
    let workers: Vec<_> = (0..6)
        .map(|w| {
            let instance = if w % 2 == 0 {
                app.app.clone()
            } else {
                second.clone()
            };
            std::thread::spawn(move || {
                let mut sent = 0;
                for _ in 0..20 {
                    sent += outbox::drain(&instance, &format!("test-worker-{w}"))
                        .expect("drain")
                        .sent;
                }
                sent
            })
        })
        .collect();
    let by_workers: usize = workers.into_iter().map(|h| h.join().expect("worker")).sum();
    let got = smtp.wait_for(N, Duration::from_secs(30));
    std::thread::sleep(Duration::from_secs(2));
    let got = if smtp.received().len() > got.len() {
        smtp.received()
    } else {
        got
    };
    assert_eq!(got.len(), N, "each message exactly once");
    let ids: BTreeSet<String> = got
        .iter()
        .map(|m| m.parsed().message_id().expect("Message-ID").to_string())
        .collect();
    assert_eq!(ids.len(), N, "no Message-ID twice");
    assert!(by_workers <= N);
    assert_eq!(outbox_of(&app, "sent").len(), N);
}
