//! R-004 rules of the disabled-children support service enforced at the API: the decision
//! rests on the commission's conclusion, and delivery by e-mail needs an address.

use crate::common::licence::sign_as;
use crate::common::*;
use serde_json::{json, Value};

fn state(app: &TestApp, token: &str, number: &str) -> Value {
    app.get(token, &format!("/api/v1/requests/{number}"))
        .json::<Value>()
        .expect("json")["state"]
        .clone()
}

#[test]
fn neither_approval_nor_refusal_without_the_commissions_conclusion() {
    // R-004-22: the commission examines; R-004-23 / R-004-38: the decision or the motivated
    // refusal follows its conclusion (G-41).
    let app = TestApp::spawn();
    let daulet = app.login("daulet");
    let number = submitted_support_request(&app, &daulet);
    assert_eq!(sign_as(&app, &daulet, &number, "daulet").status(), 200);
    let mio = app.login("mio");
    assert_eq!(
        app.transition(&mio, &number, "start_review", None).status(),
        200
    );
    let decide = |action: &str, reason: Option<&str>| {
        app.post(
            &mio,
            &format!("/api/v1/requests/{number}/transitions"),
            &json!({"action": action, "reason": reason, "fields": {
                "support_start": "01.12.2026", "support_period": "01.12.2026 – 31.05.2027"}}),
        )
    };
    assert_error(decide("approve", None), 409, "CONCLUSION_REQUIRED");
    assert_error(
        decide("refuse", Some("Не подтверждено обучение на дому")),
        409,
        "CONCLUSION_REQUIRED",
    );
    assert_eq!(state(&app, &mio, &number), "under_review");
    let docs: Value = app
        .get(&mio, &format!("/api/v1/requests/{number}/documents"))
        .json()
        .expect("json");
    assert_eq!(docs, json!([]), "no document without a conclusion");

    app.commission_concludes(&number, "grant", "Основания имеются");
    let r = decide("approve", None);
    assert_eq!(r.status(), 200, "{:?}", r.text());
    assert_eq!(state(&app, &mio, &number), "approved");
}

#[test]
fn delivery_by_email_needs_an_address_in_the_form() {
    // R-004-24: the result is handed over in person or sent to the consumer's e-mail.
    let app = TestApp::spawn();
    let daulet = app.login("daulet");
    let create = |form: Value| {
        let r = app.post(
            &daulet,
            "/api/v1/requests",
            &json!({"service": "disabled-child-support", "channel": "portal", "form": form}),
        );
        assert_eq!(r.status(), 201, "{:?}", r.text());
        let number = r.json::<Value>().expect("json")["number"]
            .as_str()
            .expect("number")
            .to_string();
        for d in SUPPORT_DOCS {
            assert_eq!(
                app.attach(&daulet, &number, d, pdf_bytes(d), None).status(),
                201
            );
        }
        number
    };
    let mut by_mail = support_form();
    by_mail.as_object_mut().expect("form").remove("email");
    let number = create(by_mail.clone());
    let body = assert_error(
        app.transition(&daulet, &number, "submit", None),
        422,
        "FORM_INCOMPLETE",
    );
    assert!(body.to_string().contains("email"), "{body}");
    assert_eq!(state(&app, &daulet, &number), "draft");

    let mut by_hand = by_mail;
    by_hand["delivery"] = json!("by-hand");
    let number = create(by_hand);
    assert_eq!(
        app.transition(&daulet, &number, "submit", None).status(),
        200
    );
}

#[test]
fn a_desk_scan_whose_original_was_not_seen_does_not_count() {
    // R-004-12: at the desk the employee checks the originals and scans them; a scan marked
    // "original not seen" does not complete the request until the original is checked.
    let app = TestApp::spawn();
    let mio = app.login("mio");
    let number = desk_support_draft(&app, &mio);
    for d in SUPPORT_DOCS {
        let seen = d != "birth-certificate";
        assert_eq!(
            app.attach(&mio, &number, d, pdf_bytes(d), Some(seen))
                .status(),
            201
        );
    }
    let body = assert_error(
        app.transition(&mio, &number, "submit", None),
        422,
        "ORIGINAL_NOT_SEEN",
    );
    assert!(body.to_string().contains("birth-certificate"), "{body}");
    assert_eq!(state(&app, &mio, &number), "draft");
    // The original presented and checked, the scan taken again: the request goes on.
    assert_eq!(
        app.attach(
            &mio,
            &number,
            "birth-certificate",
            pdf_bytes("b2"),
            Some(true)
        )
        .status(),
        201
    );
    assert_eq!(app.transition(&mio, &number, "submit", None).status(), 200);
}

#[test]
fn the_consultations_conclusion_must_be_plausible() {
    // R-004-08: the psychological-pedagogical consultation's conclusion is one of the five
    // documents; its number and date on the form are checked (A-13): dated no later than
    // today, at most a year old, a number with digits. R-004-29: the form's format rules.
    let app = TestApp::spawn();
    let daulet = app.login("daulet");
    let create = |changes: Value| {
        let mut form = support_form();
        for (k, v) in changes.as_object().expect("changes") {
            form[k] = v.clone();
        }
        app.post(
            &daulet,
            "/api/v1/requests",
            &json!({"service": "disabled-child-support", "channel": "portal", "form": form}),
        )
    };
    let refused = [
        (
            json!({"consultation_date": day_from_today(1)}),
            "DATE_OUT_OF_RANGE",
            "consultation_date",
        ),
        (
            json!({"consultation_date": day_from_today(-366)}),
            "DATE_OUT_OF_RANGE",
            "consultation_date",
        ),
        (
            json!({"consultation_number": "без номера"}),
            "DOCUMENT_NUMBER_INVALID",
            "consultation_number",
        ),
        (
            json!({"consultation_number": "12<b>"}),
            "DOCUMENT_NUMBER_INVALID",
            "consultation_number",
        ),
        (
            json!({"child_birth_date": day_from_today(3)}),
            "DATE_OUT_OF_RANGE",
            "child_birth_date",
        ),
        (
            json!({"disability_valid_until": day_from_today(-1)}),
            "DATE_OUT_OF_RANGE",
            "disability_valid_until",
        ),
    ];
    for (changes, code, field) in refused {
        let body = assert_error(create(changes.clone()), 422, code);
        assert!(body.to_string().contains(field), "{changes}: {body}");
    }
    let before: Value = app
        .get(&daulet, "/api/v1/requests?service=disabled-child-support")
        .json()
        .expect("json");
    assert_eq!(before["items"], json!([]), "nothing was created: {before}");
    // The edges are accepted: today, exactly a year ago, a number with letters and signs.
    for changes in [
        json!({"consultation_date": day_from_today(0)}),
        json!({"consultation_date": day_from_today(-365), "consultation_number": "№ ППК-04/17"}),
        json!({"disability_valid_until": day_from_today(0)}),
    ] {
        let r = create(changes.clone());
        assert_eq!(r.status(), 201, "{changes}: {:?}", r.text());
    }
}

#[test]
fn the_commission_concludes_by_quorum_and_majority_and_the_decision_follows_and_cites_it() {
    // R-004-22: the department processes the request with its commission; R-004-38 / G-41:
    // the decision or refusal is issued once the commission's conclusion is formed. A-14:
    // two members at least, a strict majority, each member's latest opinion; the decision
    // follows it and cites every member.
    let app = TestApp::spawn();
    let daulet = app.login("daulet");
    let number = submitted_support_request(&app, &daulet);
    assert_eq!(sign_as(&app, &daulet, &number, "daulet").status(), 200);
    let mio = app.login("mio");
    assert_eq!(
        app.transition(&mio, &number, "start_review", None).status(),
        200
    );
    let approve = || {
        app.post(
            &mio,
            &format!("/api/v1/requests/{number}/transitions"),
            &json!({"action": "approve", "fields": {
                "support_start": "01.12.2026", "support_period": "01.12.2026 – 31.05.2027"}}),
        )
    };
    let (first, second) = (app.login("commission"), app.login("commission2"));
    // An opinion is one of two words; the applicant and the official record none.
    let r = app.post(
        &first,
        &format!("/api/v1/requests/{number}/transitions"),
        &json!({"action": "record_conclusion", "opinion": "maybe", "reason": "?"}),
    );
    assert_eq!(r.status(), 400, "{:?}", r.text());
    assert_error(
        app.opinion(&mio, &number, "grant", "Основания имеются"),
        403,
        "ACTION_NOT_PERMITTED",
    );
    // One member is no quorum.
    assert_eq!(
        app.opinion(&first, &number, "grant", "Основания имеются")
            .status(),
        200
    );
    let body = assert_error(approve(), 409, "CONCLUSION_REQUIRED");
    assert!(body.to_string().contains("1 of 2"), "{body}");
    // Two members split: still no conclusion.
    assert_eq!(
        app.opinion(&second, &number, "refuse", "Справка ПМПК просрочена")
            .status(),
        200
    );
    let body = assert_error(approve(), 409, "CONCLUSION_REQUIRED");
    assert!(body.to_string().contains("split"), "{body}");
    // The second member changes their mind: two to grant. A refusal now goes against it.
    assert_eq!(
        app.opinion(&second, &number, "grant", "Справка представлена повторно")
            .status(),
        200
    );
    assert_error(
        app.transition(&mio, &number, "refuse", Some("Нет оснований")),
        409,
        "CONCLUSION_DISAGREES",
    );
    assert_eq!(state(&app, &mio, &number), "under_review");
    let r = approve();
    assert_eq!(r.status(), 200, "{:?}", r.text());
    // The decision's history entry cites each member's latest opinion.
    let h: Vec<Value> = app
        .get(&mio, &format!("/api/v1/requests/{number}/history"))
        .json()
        .expect("json");
    let decision = h
        .iter()
        .rfind(|e| e["action"] == "approve")
        .expect("approve");
    let cited = decision["data"]["commission"].as_array().expect("cited");
    assert_eq!(cited.len(), 2, "{decision}");
    assert!(cited.iter().all(|o| o["opinion"] == "grant"), "{decision}");
    assert!(
        cited
            .iter()
            .any(|o| o["reason"] == "Справка представлена повторно"),
        "{decision}"
    );
    assert_eq!(
        h.iter()
            .filter(|e| e["action"] == "record_conclusion")
            .count(),
        3,
        "every opinion stays in the history"
    );
}

#[test]
fn each_city_and_district_department_decides_its_own_requests() {
    // R-004-02 / G-45: the providers are the city and district departments. A desk request
    // belongs to the employee's department; a portal request to the department named; the
    // other departments neither see nor decide it (R-004-53: confidentiality).
    let app = TestApp::spawn();
    let sairam = app.login("mio-sairam");
    let mio = app.login("mio");
    let desk = |token: &str, provider: Option<&str>| {
        app.post(
            token,
            "/api/v1/requests",
            &json!({"service": "disabled-child-support", "channel": "provider_desk",
                   "provider": provider,
                   "applicant": {"kind": "person", "iin": "900712304567"}, "form": support_form()}),
        )
    };
    let r = desk(&sairam, None);
    assert_eq!(r.status(), 201, "{:?}", r.text());
    let v: Value = r.json().expect("json");
    assert_eq!(v["provider"], "sairam-employment", "{v}");
    let number = v["number"].as_str().expect("number").to_string();
    // An employee takes requests in for their own department only.
    assert_error(
        desk(&sairam, Some("shymkent-employment")),
        403,
        "PROVIDER_NOT_YOURS",
    );
    assert_error(
        desk(&mio, Some("no-such-department")),
        422,
        "UNKNOWN_PROVIDER",
    );
    for d in SUPPORT_DOCS {
        assert_eq!(
            app.attach(&sairam, &number, d, pdf_bytes(d), Some(true))
                .status(),
            201
        );
    }
    assert_eq!(
        app.transition(&sairam, &number, "submit", None).status(),
        200
    );
    // The signed receipt names the Sairam department, not Shymkent's (G-47).
    let docs: Vec<Value> = app
        .get(&sairam, &format!("/api/v1/requests/{number}/documents"))
        .json()
        .expect("json");
    assert_eq!(docs.len(), 1, "{docs:?}");
    let pdf = app
        .get(
            &sairam,
            &format!(
                "/api/v1/requests/{number}/documents/{}/pdf",
                docs[0]["id"].as_str().unwrap_or("")
            ),
        )
        .bytes()
        .expect("pdf")
        .to_vec();
    if let Some(flat) = pdf_words(&pdf) {
        assert!(flat.contains("Сайрам"), "{flat}");
        assert!(!flat.contains("Шымкент қаласының"), "{flat}");
    }
    // Shymkent's employee does not see it; Sairam's does.
    assert_error(
        app.get(&mio, &format!("/api/v1/requests/{number}")),
        404,
        "REQUEST_NOT_FOUND",
    );
    assert_eq!(
        app.get(&sairam, &format!("/api/v1/requests/{number}"))
            .status(),
        200
    );

    // On the portal the applicant names the department; Shymkent's staff do not see it.
    let daulet = app.login("daulet");
    let r = app.post(
        &daulet,
        "/api/v1/requests",
        &json!({"service": "disabled-child-support", "channel": "portal",
               "provider": "tolebi-employment", "form": support_form()}),
    );
    assert_eq!(r.status(), 201, "{:?}", r.text());
    let v: Value = r.json().expect("json");
    assert_eq!(v["provider"], "tolebi-employment");
    let portal = v["number"].as_str().expect("number").to_string();
    assert_eq!(
        app.get(&mio, &format!("/api/v1/requests/{portal}"))
            .status(),
        404
    );
    // Without a department named, the service's main provider decides.
    let r = app.post(
        &daulet,
        "/api/v1/requests",
        &json!({"service": "disabled-child-support", "channel": "portal", "form": support_form()}),
    );
    assert_eq!(
        r.json::<Value>().expect("json")["provider"],
        "shymkent-employment"
    );
}

#[test]
fn the_desk_records_each_original_returned_and_the_receipt_says_so() {
    // R-004-12: the employee checks the originals, scans them and hands them back; R-004-16:
    // the scans are attached to the form; G-47: the receipt lists what was received.
    let app = TestApp::spawn();
    let mio = app.login("mio");
    let number = desk_support_draft(&app, &mio);
    let flags = |seen: bool, returned: bool| {
        vec![
            ("original_seen", seen.to_string()),
            ("original_returned", returned.to_string()),
        ]
    };
    // An original nobody saw cannot have been handed back.
    assert_error(
        app.attach_with(
            &mio,
            &number,
            "residence",
            pdf_bytes("r"),
            &flags(false, true),
        ),
        400,
        "BAD_REQUEST",
    );
    assert_error(
        app.attach_with(
            &mio,
            &number,
            "residence",
            pdf_bytes("r"),
            &[("original_returned", "maybe".into())],
        ),
        400,
        "BAD_REQUEST",
    );
    for d in SUPPORT_DOCS {
        // The bank's document stays at the department; the others go back.
        let returned = d != "bank-account";
        let r = app.attach_with(&mio, &number, d, pdf_bytes(d), &flags(true, returned));
        assert_eq!(r.status(), 201, "{:?}", r.text());
    }
    let v: Value = app
        .get(&mio, &format!("/api/v1/requests/{number}"))
        .json()
        .expect("json");
    for a in v["attachments"].as_array().expect("attachments") {
        let returned = a["doc_type"] != "bank-account";
        assert_eq!(a["original_returned"], returned, "{a}");
    }
    let h: Vec<Value> = app
        .get(&mio, &format!("/api/v1/requests/{number}/history"))
        .json()
        .expect("json");
    assert!(
        h.iter()
            .any(|e| e["action"] == "attach" && e["data"]["original_returned"] == true),
        "the history records the handback"
    );
    assert_eq!(app.transition(&mio, &number, "submit", None).status(), 200);
    let docs: Vec<Value> = app
        .get(&mio, &format!("/api/v1/requests/{number}/documents"))
        .json()
        .expect("json");
    let pdf = app
        .get(
            &mio,
            &format!(
                "/api/v1/requests/{number}/documents/{}/pdf",
                docs[0]["id"].as_str().unwrap_or("")
            ),
        )
        .bytes()
        .expect("pdf")
        .to_vec();
    if let Some(flat) = pdf_words(&pdf) {
        assert_eq!(
            flat.matches("оригинал сверен и возвращён").count(),
            4,
            "{flat}"
        );
        assert_eq!(flat.matches("оригинал сверен").count(), 5, "{flat}");
    }

    // An applicant on the portal has no originals to return.
    let daulet = app.login("daulet");
    let portal = support_draft(&app, &daulet);
    assert_error(
        app.attach_with(
            &daulet,
            &portal,
            "residence",
            pdf_bytes("r"),
            &[("original_returned", "true".into())],
        ),
        400,
        "BAD_REQUEST",
    );
}
