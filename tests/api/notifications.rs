//! Notifications (R-004-39, R-004-40) and the result by e-mail (R-004-24): every status
//! change the workflow marks, a deadline extension with its new date and reason, and a
//! result being issued are told in the same transaction as the change, in the cabinet's
//! «Уведомления» and by mail in the person's language, with the signed result attached
//! when delivery by e-mail was chosen.

use crate::common::licence::sign_as;
use crate::common::smtp::SmtpServer;
use crate::common::*;
use serde_json::{json, Value};
use std::time::Duration;

fn login_in(app: &TestApp, login: &str, lang: &str) -> String {
    let r = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header("accept-language", lang)
        .json(&json!({"login": login, "password": format!("{login}-demo")}))
        .send()
        .expect("login");
    assert_eq!(r.status(), 200);
    r.json::<Value>().expect("json")["token"]
        .as_str()
        .expect("token")
        .to_string()
}

fn notifications(app: &TestApp, token: &str, unread: bool) -> Vec<Value> {
    let r = app.get(token, &format!("/api/v1/notifications?unread={unread}"));
    assert_eq!(r.status(), 200);
    r.json().expect("json")
}

#[test]
fn status_changes_an_extension_and_the_result_are_told_in_the_cabinet_and_by_mail() {
    let smtp = SmtpServer::start();
    let app = TestApp::spawn_with(|c| c.smtp_url = Some(ruqsat::config::Secret::new(smtp.url())));
    // R-004-40: the person's cabinet; mail in the language of their browser (kk here).
    // R-004-43: the notification forms are templates (templates/mail), checked by what
    // arrives.
    let daulet = login_in(&app, "daulet", "kk-KZ");
    let number = submitted_support_request(&app, &daulet);
    assert_eq!(sign_as(&app, &daulet, &number, "daulet").status(), 200);
    let mio = app.login("mio");
    assert_eq!(
        app.transition(&mio, &number, "start_review", None).status(),
        200
    );
    app.commission_concludes(&number, "grant", "Основания имеются");
    // R-004-39: an extension of the service term is told with its new date and reason.
    let r = app.post(
        &mio,
        &format!("/api/v1/requests/{number}/transitions"),
        &json!({"action": "extend_deadline", "reason": "запрос в ГБД ФЛ",
                "new_due_at": "2099-01-01T12:00:00Z"}),
    );
    assert_eq!(r.status(), 200, "{:?}", r.text());
    let r = app.post(
        &mio,
        &format!("/api/v1/requests/{number}/transitions"),
        &json!({"action": "approve", "fields": {
            "support_start": "01.12.2026", "support_period": "01.12.2026 – 31.05.2027"}}),
    );
    assert_eq!(r.status(), 200, "{:?}", r.text());

    // In the cabinet: newest first, in three languages.
    let list = notifications(&app, &daulet, false);
    let kinds: Vec<&str> = list.iter().filter_map(|n| n["kind"].as_str()).collect();
    assert_eq!(kinds.first(), Some(&"result_ready"), "{kinds:?}");
    assert!(kinds.contains(&"deadline_extended"), "{kinds:?}");
    let states: Vec<&str> = list
        .iter()
        .filter(|n| n["kind"] == "status_changed")
        .filter_map(|n| n["state"].as_str())
        .collect();
    for s in ["submitted", "registered", "under_review"] {
        assert!(states.contains(&s), "{s} not told: {states:?}");
    }
    let extended = list
        .iter()
        .find(|n| n["kind"] == "deadline_extended")
        .expect("extension");
    assert!(
        extended["message"]["ru"]
            .as_str()
            .is_some_and(|m| m.contains("01.01.2099") && m.contains("запрос в ГБД ФЛ")),
        "{extended}"
    );
    for lang in ["ru", "kk", "en"] {
        assert!(list.iter().all(|n| n["message"][lang]
            .as_str()
            .is_some_and(|m| m.contains(&number))));
    }
    assert!(list.iter().all(|n| n["read"] == false));
    // Nobody else sees them; marking all read empties the unread list.
    let aigerim = app.login("aigerim");
    assert!(notifications(&app, &aigerim, false).is_empty());
    let r = app.post(&daulet, "/api/v1/notifications/read", &json!({}));
    assert_eq!(r.json::<Value>().expect("json")["marked"], list.len());
    assert!(notifications(&app, &daulet, true).is_empty());

    // By mail, in Kazakh; the decision mail carries the signed PDF (R-004-24).
    let got = smtp.wait_for(list.len(), Duration::from_secs(20));
    assert!(got.iter().all(|m| m.to == ["daulet@example.kz"]));
    let deadline = got
        .iter()
        .find(|m| {
            m.parsed()
                .subject()
                .is_some_and(|s| s.contains("ұзартылды"))
        })
        .expect("the extension mail, in Kazakh");
    let text = deadline.parsed().body_text(0).expect("text").to_string();
    assert!(
        text.contains("01.01.2099") && text.contains("запрос в ГБД ФЛ"),
        "{text}"
    );
    let result = got
        .iter()
        .find(|m| m.parsed().attachment_count() > 0)
        .expect("the result mail with its PDF");
    let parsed = result.parsed();
    let text = parsed.body_text(0).expect("text").to_string();
    assert!(
        text.contains(&number) && text.contains("/verify/"),
        "{text}"
    );
    let pdf = parsed
        .attachment(0)
        .expect("attachment")
        .contents()
        .to_vec();
    let verdict =
        ruqsat::pdf::verify(&pdf, &app.app.pki.verifier, app.app.now()).expect("a signed PDF");
    assert_eq!(verdict.document_kind.as_deref(), Some("support_decision"));
    // The attachment verifies with the command anyone can run (with the registry status).
    let file = app.dir.path().join("mailed.pdf");
    std::fs::write(&file, &pdf).expect("write");
    let out = crate::common::licence::ruqsat_verify(&app, &file);
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(said.contains("valid"), "{said}");
    // R-004-24: the mail accepted by the SMTP server is the delivery, in the history.
    let start = std::time::Instant::now();
    loop {
        let v: Value = app
            .get(&daulet, &format!("/api/v1/requests/{number}"))
            .json()
            .expect("json");
        if v["state"] == "result_delivered" {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(15), "{v}");
        std::thread::sleep(Duration::from_millis(200));
    }
    let history: Vec<Value> = app
        .get(&daulet, &format!("/api/v1/requests/{number}/history"))
        .json()
        .expect("json");
    let last = history.last().expect("entries");
    assert_eq!(last["action"], "deliver_by_email", "{last}");
    assert!(
        last["requirements"].to_string().contains("R-004-24"),
        "{last}"
    );
    // Mail without delivery by e-mail carries no attachment.
    assert_eq!(
        got.iter()
            .filter(|m| m.parsed().attachment_count() > 0)
            .count(),
        1
    );
}

#[test]
fn without_an_smtp_server_the_mail_is_an_eml_file_under_the_data_directory() {
    let app = TestApp::spawn_in_clinic_hours();
    let aigerim = app.login("aigerim");
    let number = home_call(&app, &aigerim);
    assert_eq!(
        app.transition(&aigerim, &number, "submit", None).status(),
        200
    );
    let list = notifications(&app, &aigerim, true);
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["state"], "submitted");
    // No SMTP configured: the mail to aigerim's address is written as a .eml file.
    let start = std::time::Instant::now();
    let mail_dir = app.dir.path().join("mail");
    loop {
        let n = std::fs::read_dir(&mail_dir).map(|d| d.count()).unwrap_or(0);
        if n >= 1 {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(15), "no .eml written");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn with_smtp_down_while_statuses_change_no_mail_is_lost_and_each_arrives_once() {
    let port = crate::common::smtp::reserve_port();
    let app = TestApp::spawn_with(|c| {
        c.smtp_url = Some(ruqsat::config::Secret::new(format!(
            "smtp://127.0.0.1:{port}"
        )));
        c.mail_retry_first_ms = 300;
    });
    let daulet = app.login("daulet");
    let number = submitted_support_request(&app, &daulet);
    assert_eq!(sign_as(&app, &daulet, &number, "daulet").status(), 200);
    let mio = app.login("mio");
    assert_eq!(
        app.transition(&mio, &number, "start_review", None).status(),
        200
    );
    let admin = app.login("admin");
    let outbox = |status: &str| -> Vec<Value> {
        app.get(&admin, &format!("/api/v1/admin/outbox?status={status}"))
            .json()
            .expect("json")
    };
    // Every change committed with its mail; none could be sent; each failure counted.
    let start = std::time::Instant::now();
    let pending = loop {
        let p = outbox("pending");
        if !p.is_empty() && p.iter().all(|m| m["attempts"].as_i64() >= Some(1)) {
            break p;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "{p:?}");
        std::thread::sleep(Duration::from_millis(200));
    };
    let told = notifications(&app, &daulet, false).len();
    assert_eq!(pending.len(), told, "one mail per notification");
    assert!(told >= 3, "submitted, registered, under review: {told}");

    let smtp = SmtpServer::start_on(port);
    smtp.wait_for(told, Duration::from_secs(30));
    std::thread::sleep(Duration::from_secs(3));
    let got = smtp.received();
    assert_eq!(got.len(), told, "each exactly once");
    let ids: std::collections::BTreeSet<String> = got
        .iter()
        .map(|m| m.parsed().message_id().expect("id").to_string())
        .collect();
    assert_eq!(ids.len(), told);
    assert!(outbox("pending").is_empty());
    assert_eq!(outbox("sent").len(), told);
}
