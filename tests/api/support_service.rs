//! The disabled-children support service as the regulation describes it, over HTTP:
//! the catalog entry (service, providers, legal basis, channels, documents, questionnaire),
//! who may apply, the document list enforced at submission, and the two logins.

use crate::common::*;
use serde_json::{json, Value};

fn service(app: &TestApp) -> Value {
    let r = app
        .client
        .get(app.url("/api/v1/services/disabled-child-support"))
        .send()
        .expect("get");
    assert_eq!(r.status(), 200);
    r.json::<Value>().expect("json")["service"].clone()
}

fn codes(list: &Value, key: &str) -> Vec<String> {
    list.as_array()
        .expect("list")
        .iter()
        .map(|x| x[key].as_str().unwrap_or("").to_string())
        .collect()
}

const FIVE: [&str; 5] = [
    // R-004-06: birth certificate; R-004-07: proof of residence; R-004-08: the consultation's
    // conclusion; R-004-09: disability certificate; R-004-10: bank account.
    "birth-certificate",
    "residence",
    "consultation-conclusion",
    "disability-certificate",
    "bank-account",
];

#[test]
fn the_catalog_describes_the_service_as_the_regulation_does() {
    let app = TestApp::spawn();
    let s = service(&app);
    // R-004-01: the service's name.
    assert_eq!(
        s["name"]["ru"],
        "Оформление документов для материального обеспечения детей-инвалидов, обучающихся и воспитывающихся на дому"
    );
    // R-004-02 / R-004-45: the city and district departments, each with its address.
    let mut providers = vec![s["provider"].clone()];
    providers.extend(
        s["departments"]
            .as_array()
            .expect("departments")
            .iter()
            .cloned(),
    );
    assert!(providers.len() >= 4, "{providers:?}");
    for p in &providers {
        for lang in ["ru", "kk", "en"] {
            assert!(
                p["name"][lang]
                    .as_str()
                    .is_some_and(|n| n.contains("занятости") || lang != "ru"),
                "{p}"
            );
            assert!(
                p["address"][lang].as_str().is_some_and(|a| !a.is_empty()),
                "{p}"
            );
        }
    }
    // R-004-03: the legal basis, the Standard of Government decree No. 394.
    assert!(
        s["legal_basis"]["standard"]
            .as_str()
            .is_some_and(|t| t.contains("394")),
        "{s}"
    );
    // R-004-04: partially automated, with media breaks: a paper desk with originals and the
    // portal.
    let channels = s["channels"].as_array().expect("channels");
    assert_eq!(codes(&s["channels"], "code"), ["portal", "provider_desk"]);
    // R-004-05 / R-004-44: the applicant is an individual.
    assert_eq!(s["applicant_kinds"], json!(["person"]));
    // R-004-06..10: the same five documents on both channels; at the desk each is scanned
    // from a paper original (R-004-12).
    for ch in channels {
        assert_eq!(codes(&ch["documents"], "code"), FIVE, "{}", ch["code"]);
        let paper = ch["code"] == "provider_desk";
        assert!(
            ch["documents"]
                .as_array()
                .expect("docs")
                .iter()
                .all(|d| d["required"] == true
                    && d["paper_original"].as_bool().unwrap_or(false) == paper),
            "{ch}"
        );
    }
    // R-004-52: complete information: the term and the fee are published with the service.
    let v = &s["variants"][0];
    assert_eq!(v["fee_rule"], "free");
    assert!(
        v["deadline"]["amount"].as_u64().is_some_and(|n| n > 0),
        "{v}"
    );
    // R-004-54 / R-004-55: the questionnaire's two questions.
    assert_eq!(s["questionnaire"].as_array().map(Vec::len), Some(2));
}

#[test]
fn only_an_individual_applies() {
    // R-004-05, R-004-44: «Заявитель физическое лицо»: a company cannot apply, even through
    // its director's account.
    let app = TestApp::spawn();
    let medcenter = app.login("medcenter");
    let r = app.post(
        &medcenter,
        "/api/v1/requests",
        &json!({"service": "disabled-child-support", "channel": "portal",
               "applicant": {"kind": "legal_entity"}, "form": support_form()}),
    );
    assert_error(r, 422, "APPLICANT_KIND_NOT_ALLOWED");
}

#[test]
fn submission_names_each_missing_document() {
    // R-004-29: the consumer attaches the scans to the form; R-004-06..10: all five are
    // required; submission names those missing and the request stays a draft.
    let app = TestApp::spawn();
    let daulet = app.login("daulet");
    let r = app.post(
        &daulet,
        "/api/v1/requests",
        &json!({"service": "disabled-child-support", "channel": "portal", "form": support_form()}),
    );
    assert_eq!(r.status(), 201, "{:?}", r.text());
    let number = r.json::<Value>().expect("json")["number"]
        .as_str()
        .expect("number")
        .to_string();
    for d in ["birth-certificate", "consultation-conclusion"] {
        assert_eq!(
            app.attach(&daulet, &number, d, pdf_bytes(d), None).status(),
            201
        );
    }
    let body = assert_error(
        app.transition(&daulet, &number, "submit", None),
        422,
        "MISSING_DOCUMENTS",
    );
    let detail = body["error"]["detail"].as_str().unwrap_or("");
    for missing in ["residence", "disability-certificate", "bank-account"] {
        assert!(detail.contains(missing), "{missing}: {body}");
    }
    for present in ["birth-certificate", "consultation-conclusion"] {
        assert!(!detail.contains(present), "{present}: {body}");
    }
    let v: Value = app
        .get(&daulet, &format!("/api/v1/requests/{number}"))
        .json()
        .expect("json");
    assert_eq!(v["state"], "draft");
}

#[test]
fn the_employee_and_the_consumer_are_authorised_by_login_and_password() {
    // R-004-13 / R-004-14 / R-004-15: the МИО employee logs in; a wrong password is
    // refused with the authorisation refusal. R-004-26 / R-004-27 / R-004-28: the same for
    // the consumer on the portal.
    let app = TestApp::spawn();
    for login in ["mio", "daulet"] {
        let r = app
            .client
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({"login": login, "password": "not-the-password"}))
            .send()
            .expect("login");
        let body = assert_error(r, 401, "INVALID_CREDENTIALS");
        assert!(
            body["error"]["message"]["ru"]
                .as_str()
                .is_some_and(|m| m.contains("отказ в авторизации")),
            "{body}"
        );
        // Nothing is reachable without it.
        let r = app
            .client
            .get(app.url("/api/v1/requests"))
            .send()
            .expect("get");
        assert_eq!(r.status(), 401);
        let token = app.login(login);
        assert_eq!(app.get(&token, "/api/v1/requests").status(), 200);
    }
}
