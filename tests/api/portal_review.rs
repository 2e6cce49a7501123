//! The staff review pages over HTTP (tests/browser/review.test.mjs drives them in Chromium):
//! the provider scope of the queue and of a request's page, CSRF on decision forms, the
//! queue's CSV, names in the history (pages and API), scans and signatures through the API
//! with the access log, and a label for every step the history can show.

use crate::common::browser::{unescaped, Browser};
use crate::common::licence::{licence_request, licence_under_review, state};
use crate::common::*;
use ruqsat::error::Lang;
use serde_json::Value;

#[test]
fn another_providers_employee_gets_the_not_found_page() {
    let app = TestApp::spawn();
    let med = app.login("medcenter");
    let number = licence_request(&app, &med);

    let mut official = Browser::new(&app, "ru");
    official.sign_in("official");
    let (status, page) = official.get(&format!("/work/requests/{number}"));
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("ТОО «Медицинский центр Ақжол»"));

    // mio decides support requests in Shymkent: a Mangystau licence does not exist for her.
    let mut mio = Browser::new(&app, "kk");
    mio.sign_in("mio");
    let (status, page) = mio.get(&format!("/work/requests/{number}"));
    assert_eq!(status, 404, "{page}");
    assert!(page.contains("data-code=\"REQUEST_NOT_FOUND\""), "{page}");
    assert!(!page.contains("Ақжол"), "nothing of the request shown");
    let (_, queue) = mio.get("/work/queue");
    assert!(!queue.contains(&number));
    // Nor can she act on it: the step is refused as "not found", before any rule.
    let csrf = mio.csrf();
    let r = mio.post(
        &format!("/work/requests/{number}/start_review"),
        &[("csrf", &csrf)],
    );
    assert_eq!(r.status(), 404);

    // An applicant is not staff: the 403 page.
    let mut applicant = Browser::new(&app, "ru");
    applicant.sign_in("medcenter");
    let (status, page) = applicant.get(&format!("/work/requests/{number}"));
    assert_eq!(status, 403, "{page}");
    let (status, _) = applicant.get("/work/queue");
    assert_eq!(status, 403);
}

#[test]
fn a_decision_form_without_its_csrf_token_is_refused() {
    let app = TestApp::spawn();
    let (_, official_token, number) = licence_under_review(&app);
    let mut official = Browser::new(&app, "ru");
    official.sign_in("official");
    let path = format!("/work/requests/{number}/refuse");
    let reason = ("reason", "Не соответствует квалификационным требованиям");

    for form in [
        vec![reason],
        vec![
            ("csrf", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
            reason,
        ],
    ] {
        let r = official.post(&path, &form);
        assert_eq!(r.status(), 403);
        let page = r.text().expect("page");
        assert!(page.contains("data-code=\"CSRF_REJECTED\""), "{page}");
    }
    assert_eq!(
        state(&app, &official_token, &number)["state"],
        "under_review"
    );

    // With the token but no reason: the page again, the problem next to the field.
    let csrf = official.csrf();
    let r = official.post(&path, &[("csrf", &csrf), ("reason", " ")]);
    assert_eq!(r.status(), 422);
    let page = r.text().expect("page");
    assert!(page.contains("id=\"refuse-reason-error\""), "{page}");
    assert!(page.contains("Укажите причину"), "{page}");
    assert_eq!(
        state(&app, &official_token, &number)["state"],
        "under_review"
    );

    // With both, the refusal is taken and the page goes back to the request.
    let r = official.post(&path, &[("csrf", &csrf), reason]);
    assert_eq!(r.status(), 303);
    assert_eq!(state(&app, &official_token, &number)["state"], "refused");
}

#[test]
fn the_history_names_each_employee_in_the_page_and_the_api() {
    let app = TestApp::spawn();
    let (med, _, number) = licence_under_review(&app);
    let h: Vec<Value> = app
        .get(&med, &format!("/api/v1/requests/{number}/history"))
        .json()
        .expect("json");
    let start = h
        .iter()
        .find(|e| e["action"] == "start_review")
        .expect("start_review");
    assert_eq!(start["actor_name"], "Бауыржан Оралұлы Тәжібаев");
    assert_eq!(start["actor_role"], "official");
    let created = &h[0];
    assert_eq!(created["actor_name"], "Ерлан Маратович Жұмабаев");
    let register = h.iter().find(|e| e["action"] == "register").expect("reg");
    assert!(register["actor_name"].is_null(), "Ruqsat's own step");

    let mut b = Browser::new(&app, "kk");
    b.sign_in("official");
    let (status, page) = b.get(&format!("/work/requests/{number}"));
    assert_eq!(status, 200);
    assert!(page.contains("Қарауға алынды"), "the step's label");
    assert!(page.contains("Бауыржан Оралұлы Тәжібаев"));
}

#[test]
fn the_queue_csv_is_the_filtered_queue_for_a_spreadsheet() {
    let app = TestApp::spawn();
    let (_, _, under_review) = licence_under_review(&app);
    let daulet = app.login("daulet");
    let support = submitted_support_request(&app, &daulet);

    let mut b = Browser::new(&app, "ru");
    b.sign_in("official");
    let (status, page) = b.get("/work/queue");
    assert_eq!(status, 200);
    assert!(page.contains(&under_review));
    assert!(!page.contains(&support), "another provider's request");
    // Attribute values as a browser reads them (the templates escape `/` and `&`).
    assert!(unescaped(&page).contains("href=\"/work/queue.csv\""));
    let (_, filtered) = b.get("/work/queue?service=med-licence&state=under_review&channel=");
    assert!(filtered.contains(&under_review));
    assert!(unescaped(&filtered)
        .contains("href=\"/work/queue.csv?service=med-licence&state=under_review\""));
    let (_, none) = b.get("/work/queue?state=registered");
    assert!(!none.contains(&format!("data-number=\"{under_review}\"")));
    let (status, _) = b.get("/work/queue?channel=fax");
    assert_eq!(status, 400);

    let r = b.fetch("/work/queue.csv?service=med-licence&state=under_review");
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["content-type"].to_str().expect("type"),
        "text/csv; charset=utf-8"
    );
    assert!(r.headers()["content-disposition"]
        .to_str()
        .expect("disposition")
        .starts_with("attachment;"));
    let bytes = r.bytes().expect("body");
    assert_eq!(&bytes[..3], b"\xef\xbb\xbf", "a BOM, for Excel");
    let text = std::str::from_utf8(&bytes[3..]).expect("utf-8");
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(
        lines[0],
        "Номер;Услуга;Заявитель;Канал подачи;Статус;Срок исполнения;Срок истёк"
    );
    assert_eq!(lines.len(), 2, "{text}");
    let row = lines[1];
    assert!(
        row.starts_with(&format!("{under_review};\"Выдача лицензии, переоформление, выдача дубликатов лицензии на медицинскую деятельность\";")),
        "a cell with a comma is quoted: {row}"
    );
    assert!(row.contains(";ТОО «Медицинский центр Ақжол»;Портал;На рассмотрении;"));
    // No more than the page shows: not the IIN/BIN, not the phone.
    assert!(!text.contains("050340001235") && !text.contains("+7 729"));
}

#[test]
fn scans_and_signatures_are_read_through_the_api_and_logged() {
    let app = TestApp::spawn();
    let (med, official, number) = licence_under_review(&app);
    let view = state(&app, &official, &number);
    let att = &view["attachments"][0];
    let id = att["id"].as_str().expect("id");
    let path = format!("/api/v1/requests/{number}/attachments/{id}");

    let r = app.get(&official, &path);
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert!(r.headers()["content-disposition"]
        .to_str()
        .expect("disposition")
        .starts_with("inline; filename*=UTF-8''"));
    assert!(r.bytes().expect("bytes").starts_with(b"%PDF"));
    let r = app.get(&med, &path);
    assert_eq!(r.status(), 200, "the applicant's own scan");
    let mio = app.login("mio");
    assert_error(app.get(&mio, &path), 404, "REQUEST_NOT_FOUND");
    assert_error(
        app.get(
            &official,
            &format!("/api/v1/requests/{number}/attachments/nope"),
        ),
        404,
        "DOCUMENT_NOT_FOUND",
    );

    let sigs: Vec<Value> = app
        .get(&official, &format!("/api/v1/requests/{number}/signatures"))
        .json()
        .expect("json");
    assert_eq!(sigs.len(), 1);
    assert_eq!(sigs[0]["signer_name"], "Ерлан Маратович Жұмабаев");
    assert_eq!(sigs[0]["signer_role"], "applicant");
    assert_eq!(sigs[0]["iin"], "881122307898");
    assert_eq!(sigs[0]["bin"], "050340001235");
    assert!(sigs[0]["serial"].as_str().is_some_and(|s| !s.is_empty()));
    assert_error(
        app.get(&mio, &format!("/api/v1/requests/{number}/signatures")),
        404,
        "REQUEST_NOT_FOUND",
    );

    // The official's reads are in the access log; the applicant's own are not.
    let admin = app.login("admin");
    let log: Vec<Value> = app
        .get(&admin, &format!("/api/v1/requests/{number}/access-log"))
        .json()
        .expect("json");
    let what = |login: &str, what: &str| {
        log.iter()
            .filter(|e| e["login"] == login && e["what"] == what)
            .count()
    };
    assert_eq!(what("official", "document"), 1, "{log:?}");
    assert_eq!(what("official", "signatures"), 1, "{log:?}");
    assert_eq!(what("medcenter", "document"), 0);

    // An administrator reads the request's page with its access log, and takes no step.
    let mut b = Browser::new(&app, "en");
    b.sign_in("admin");
    let (status, page) = b.get(&format!("/work/requests/{number}"));
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("id=\"access-log\""));
    assert!(!page.contains("id=\"actions\""));
}

#[test]
fn every_step_the_history_can_show_has_a_label_in_each_language() {
    let app = TestApp::spawn();
    let messages = &app.app.pages.messages;
    let mut actions: Vec<String> = vec!["create".into(), "attach".into()];
    for s in app.app.catalog.services() {
        for t in &app.app.catalog.workflow_of(s).transitions {
            actions.push(t.action.clone());
        }
    }
    actions.sort();
    actions.dedup();
    for lang in [Lang::Kk, Lang::Ru, Lang::En] {
        for a in &actions {
            assert!(
                messages
                    .get(lang, &format!("review-action-{a}"), &[])
                    .is_some(),
                "{lang:?}: no label for `{a}`"
            );
        }
        for c in ruqsat::domain::channels::ChannelCode::ALL {
            assert!(messages
                .get(lang, &format!("review-channel-{c}"), &[])
                .is_some());
        }
        for s in ruqsat::domain::documents::DocumentStatus::ALL {
            assert!(messages
                .get(lang, &format!("review-status-{s}"), &[])
                .is_some());
        }
    }
}
