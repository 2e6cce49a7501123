//! Result documents issued by decisions, over HTTP on the configured backend: the decision and
//! its signed PDF are one transaction; the owner downloads `result.pdf`; the public
//! `/verify/{id}` page shows the registry status and the hash (R-003-07, R-004-23, R-004-36,
//! G-27, G-42). PDFs are checked with Ruqsat's verifier and with poppler's `pdfsig` /
//! `pdftotext` and `qpdf` ([`crate::common::require_tool`]: required in CI).

use crate::common::*;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value};
use sha2::Digest;

/// A support request signed, registered and under review, with the commission's conclusion
/// (`grant` or `refuse`, both members, A-14).
fn support_under_review(app: &TestApp, opinion: &str, conclusion: &str) -> String {
    let daulet = app.login("daulet");
    let number = submitted_support_request(app, &daulet);
    // Signed in-process with the demo key (the CLI and openssl paths are tested elsewhere).
    let user = app
        .app
        .store
        .read(|c| ruqsat::db::queries::user_by_login(c, "daulet"))
        .expect("read")
        .expect("daulet");
    let user = ruqsat::app::auth::CurrentUser::try_from(user).expect("user");
    let payload = ruqsat::app::signing::signing_payload(&app.app, &user, &number).expect("payload");
    let key = ruqsat::pki::SigningKey::from_p12(
        &std::fs::read(app.dir.path().join("pki/users/daulet.p12")).expect("p12"),
        ruqsat::demo::pki::DEMO_P12_PASSWORD,
    )
    .expect("key");
    let cms = key
        .sign_detached(&payload, chrono::Utc::now())
        .expect("sign");
    let v = ruqsat::app::signing::submit_signature(&app.app, &user, &number, &cms).expect("signed");
    assert_eq!(v.state.as_str(), "registered");
    let mio = app.login("mio");
    assert_eq!(
        app.transition(&mio, &number, "start_review", None).status(),
        200
    );
    app.commission_concludes(&number, opinion, conclusion);
    number
}

fn decide(app: &TestApp, token: &str, number: &str, body: Value) -> reqwest::blocking::Response {
    app.post(
        token,
        &format!("/api/v1/requests/{number}/transitions"),
        &body,
    )
}

fn db_counts(app: &TestApp, number: &str) -> (String, usize, usize) {
    app.app
        .store
        .read(|c| {
            let r = ruqsat::db::queries::request_by_number(c, number)?.expect("row");
            let h = ruqsat::db::queries::history_of(c, &r.id)?;
            let d = ruqsat::db::queries::documents_of(c, &r.id)?;
            Ok((r.state.to_string(), h.len(), d.len()))
        })
        .expect("read back")
}

#[test]
fn approval_issues_a_signed_decision_the_owner_downloads_and_anyone_verifies() {
    // R-004-37: the positive output form, the notification that the documents are prepared
    // (its fields per G-37), checked below as a signed PDF.
    let app = TestApp::spawn();
    let number = support_under_review(&app, "grant", "Бала үйде оқиды / Ребёнок обучается на дому");
    let mio = app.login("mio");

    // G-42: the official enters the period; without it no decision is taken, nothing stored.
    let before = db_counts(&app, &number);
    let body = assert_error(
        decide(&app, &mio, &number, json!({"action": "approve"})),
        422,
        "DOCUMENT_FIELDS_MISSING",
    );
    assert!(
        body["error"]["detail"]
            .as_str()
            .is_some_and(|d| d.contains("support_start") && d.contains("support_period")),
        "{body}"
    );
    assert_eq!(
        db_counts(&app, &number),
        before,
        "a failed decision changes nothing"
    );
    assert_error(
        decide(
            &app,
            &mio,
            &number,
            json!({"action": "approve", "fields": {"shoe_size": "42"}}),
        ),
        422,
        "UNKNOWN_FIELD",
    );
    assert_error(
        decide(
            &app,
            &mio,
            &number,
            json!({"action": "start_review", "fields": {"support_start": "01.12.2026"}}),
        ),
        409,
        "ILLEGAL_TRANSITION",
    );

    // R-004-23 / R-004-36: the decision and its signed notification, in one step.
    let r = decide(
        &app,
        &mio,
        &number,
        json!({"action": "approve", "fields": {
            "support_start": "01.12.2026",
            "support_period": "01.12.2026 – 31.05.2027",
            "support_amount": "25 000,00 ₸"}}),
    );
    assert_eq!(r.status(), 200, "{:?}", r.text());
    let (state, _, docs) = db_counts(&app, &number);
    assert_eq!((state.as_str(), docs), ("approved", 1));

    let daulet = app.login("daulet");
    let list: Vec<Value> = app
        .get(&daulet, &format!("/api/v1/requests/{number}/documents"))
        .json()
        .expect("json");
    assert_eq!(list.len(), 1, "{list:?}");
    let doc = &list[0];
    assert_eq!(doc["kind"], "support_decision");
    assert_eq!(doc["status"], "valid");
    let id = doc["id"].as_str().expect("id").to_string();
    assert!(id.len() >= 22, "unguessable id: {id}");

    // The history cites the document.
    let h: Vec<Value> = app
        .get(&daulet, &format!("/api/v1/requests/{number}/history"))
        .json()
        .expect("json");
    let approve = h
        .iter()
        .find(|e| e["action"] == "approve")
        .expect("approve");
    assert_eq!(approve["data"]["document_id"], id.as_str());

    // The owner downloads it; the bytes are what the registry says.
    let r = app.get(&daulet, &format!("/api/v1/requests/{number}/result.pdf"));
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/pdf")
    );
    let pdf = r.bytes().expect("bytes").to_vec();
    assert_eq!(hex::encode(sha2::Sha256::digest(&pdf)), doc["sha256"]);
    // Someone else may not.
    let aigerim = app.login("aigerim");
    assert_eq!(
        app.get(&aigerim, &format!("/api/v1/requests/{number}/result.pdf"))
            .status(),
        404
    );

    // Ruqsat's verifier: signed by the Shymkent department's official, over the whole file.
    let verdict = ruqsat::pdf::verify(&pdf, &app.app.pki.verifier, chrono::Utc::now())
        .expect("valid PAdES signature");
    assert_eq!(verdict.document_id.as_deref(), Some(id.as_str()));
    assert_eq!(verdict.signer.iin.as_deref(), Some("911212403333"));

    // Independent tools, when installed.
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("decision.pdf");
    std::fs::write(&path, &pdf).expect("write");
    let p = path.to_str().expect("utf-8");
    if let Some((ok, out)) = tool("qpdf", &["--check", p]) {
        assert!(ok, "{out}");
    }
    if let Some((_, out)) = tool("pdfsig", &[p]) {
        assert!(out.contains("Signature is Valid"), "{out}");
        assert!(out.contains("Total document signed"), "{out}");
    }
    if let Some((ok, text)) = tool("pdftotext", &[p, "-"]) {
        assert!(ok, "{text}");
        for expected in [
            "Әлия Даулетқызы Омарова",
            "Даулет Серікұлы Омаров",
            "01.12.2026 – 31.05.2027",
            number.as_str(),
        ] {
            assert!(text.contains(expected), "{expected} missing in:\n{text}");
        }
    }

    // The public page: no login, status and hash, no personal data; in the visitor's
    // language.
    let verify_page = |lang: &str| {
        app.client
            .get(app.url(&format!("/verify/{id}")))
            .header("Accept-Language", lang)
            .send()
            .expect("verify page")
    };
    for (lang, valid) in [("kk", "Жарамды"), ("ru", "Действителен")] {
        let page = verify_page(lang);
        assert_eq!(page.status(), 200);
        let html = page.text().expect("html");
        assert!(html.contains(&format!("<html lang=\"{lang}\"")), "{html}");
        assert!(html.contains("data-status=\"valid\""), "{html}");
        assert!(html.contains(valid), "{html}");
        assert!(
            html.contains(doc["sha256"].as_str().expect("sha")),
            "{html}"
        );
        assert!(
            !html.contains("Омарова"),
            "no personal data on the public page"
        );
    }
    let json: Value = app
        .client
        .get(app.url(&format!("/api/v1/verify/{id}")))
        .send()
        .expect("verify json")
        .json()
        .expect("json");
    assert_eq!(json["document"]["status"], "valid");
    assert_eq!(json["request_number"], number.as_str());
    let missing = app
        .client
        .get(app.url("/verify/AAAAAAAAAAAAAAAAAAAAAA"))
        .send()
        .expect("verify page");
    assert_eq!(missing.status(), 404);

    // A terminated document shows as terminated (R-003-07); the page is never cached.
    app.app
        .store
        .write(|c| {
            ruqsat::db::queries::set_document_status(
                c,
                &ruqsat::domain::ids::DocumentId::parse(&id).expect("document id"),
                ruqsat::domain::documents::DocumentStatus::Terminated,
                Some("Решение отменено"),
                None,
                chrono::Utc::now().naive_utc(),
            )
        })
        .expect("terminate");
    for (lang, terminated) in [("kk", "Тоқтатылған"), ("ru", "Прекращён")] {
        let page = verify_page(lang);
        assert_eq!(
            page.headers()
                .get("cache-control")
                .and_then(|v| v.to_str().ok()),
            Some("no-store")
        );
        let html = page.text().expect("html");
        assert!(html.contains("data-status=\"terminated\""), "{html}");
        assert!(
            html.contains(terminated) && html.contains("Решение отменено"),
            "{html}"
        );
    }
}

#[test]
fn refusal_issues_a_motivated_refusal_listing_every_reason() {
    // R-004-23 / R-004-38 / G-27 / G-41: the refusal is a signed document with its reasons.
    let app = TestApp::spawn();
    let number = support_under_review(
        &app,
        "refuse",
        "Бала мектепте оқиды / Ребёнок обучается в школе",
    );
    let mio = app.login("mio");
    let r = decide(
        &app,
        &mio,
        &number,
        json!({"action": "refuse", "reason": "Бала үйде оқымайды\n- Справка ПМПК просрочена"}),
    );
    assert_eq!(r.status(), 200, "{:?}", r.text());
    let daulet = app.login("daulet");
    let r = app.get(&daulet, &format!("/api/v1/requests/{number}/result.pdf"));
    assert_eq!(r.status(), 200);
    let pdf = r.bytes().expect("bytes").to_vec();
    let verdict =
        ruqsat::pdf::verify(&pdf, &app.app.pki.verifier, chrono::Utc::now()).expect("valid");
    assert_eq!(verdict.document_kind.as_deref(), Some("support_refusal"));
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("refusal.pdf");
    std::fs::write(&path, &pdf).expect("write");
    if let Some((_, text)) = tool("pdftotext", &[path.to_str().expect("utf-8"), "-"]) {
        for expected in [
            "Бала үйде оқымайды",
            "Справка ПМПК просрочена",
            "Ребёнок обучается в школе",
            // Each member's opinion is cited (G-41, A-14).
            "Қалиев",
            "Ержанова",
        ] {
            assert!(text.contains(expected), "{expected} missing in:\n{text}");
        }
    }
}

/// The request's current due date, as the API shows it.
fn due_at(app: &TestApp, token: &str, number: &str) -> DateTime<Utc> {
    let v: Value = app
        .get(token, &format!("/api/v1/requests/{number}"))
        .json()
        .expect("json");
    v["due_at"]
        .as_str()
        .and_then(|d| d.parse().ok())
        .unwrap_or_else(|| panic!("due_at of {number}: {v}"))
}

#[test]
fn officials_see_overdue_requests_most_overdue_first() {
    // G-22 / G-35: deadlines on the working calendar; overdue requests visible to officials.
    // Time passes on the application's clock; no deadline is rewritten in the database.
    let app = TestApp::spawn();
    let first = support_under_review(&app, "refuse", "Бала мектепте оқиды");
    let second = support_under_review(&app, "grant", "Бала үйде оқиды");
    // Logs in at the clock's current time: moving it by days ends earlier sessions.
    let overdue = || -> (Value, Vec<String>) {
        let mio = app.login("mio");
        let page: Value = app
            .get(&mio, "/api/v1/requests?overdue=true")
            .json()
            .expect("json");
        let numbers = page["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|i| i["number"].as_str().expect("number").to_string())
            .collect();
        (page["total"].clone(), numbers)
    };
    assert_eq!(overdue().0, 0, "due in the future: not overdue");

    // The second request's deadline is extended past the first's (G-35).
    let mio = app.login("mio");
    let due_first = due_at(&app, &mio, &first);
    let due_second = due_first.max(due_at(&app, &mio, &second)) + chrono::Duration::days(2);
    let r = app.post(
        &mio,
        &format!("/api/v1/requests/{second}/transitions"),
        &json!({"action": "extend_deadline", "reason": "запрос в ГБД ФЛ",
                "new_due_at": due_second.to_rfc3339_opts(SecondsFormat::Secs, true)}),
    );
    assert_eq!(r.status(), 200, "{:?}", r.text());
    assert_eq!(due_at(&app, &mio, &second), due_second);

    app.clock.set(due_first - chrono::Duration::minutes(1));
    assert_eq!(
        overdue(),
        (json!(0), vec![]),
        "a minute before the deadline"
    );
    app.clock.set(due_first + chrono::Duration::minutes(1));
    assert_eq!(overdue(), (json!(1), vec![first.clone()]), "a minute after");
    app.clock.set(due_second + chrono::Duration::minutes(1));
    assert_eq!(
        overdue(),
        (json!(2), vec![first.clone(), second.clone()]),
        "both overdue, the most overdue first"
    );

    // Once decided, it is no longer overdue.
    let r = decide(
        &app,
        &app.login("mio"),
        &first,
        json!({"action": "refuse", "reason": "Основания отсутствуют"}),
    );
    assert_eq!(r.status(), 200, "{:?}", r.text());
    assert_eq!(overdue(), (json!(1), vec![second]));
}
