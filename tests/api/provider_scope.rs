//! Provider scope (R-000-09, R-003-66, R-004-53, G-51): a table over users × requests ×
//! endpoints. Staff see and act only on requests of their provider or taken in at their
//! office; applicants only their own; an administrator all. Someone else's request is
//! "not found" on every endpoint, and lists leave it out. Registry actions on an issued
//! licence belong to the authority that issued it.

use crate::common::licence::{assess, licence_request, licence_under_review, BASE_ITEMS};
use crate::common::*;
use serde_json::{json, Value};

/// Who works where (catalog/demo/users.toml).
const USERS: [&str; 10] = [
    "official",   // licence official, mangystau-health
    "inspector",  // licence official, mangystau-health
    "mio",        // desk employee, shymkent-employment
    "commission", // commission member, shymkent-employment
    "registrar",  // clinic registrar, astana-polyclinic-1
    "operator",   // ЦОН operator, con-aktau-1
    "admin",
    "medcenter",
    "daulet",
    "aigerim",
];

fn con_licence(app: &TestApp, operator: &str) -> String {
    let r = app.post(
        operator,
        "/api/v1/requests",
        &json!({"service": "med-licence", "variant": "issue", "channel": "con",
                "applicant": {"kind": "legal_entity", "bin": "100740004563"},
                "form": {"applicant_name": "ТОО «Һикмет Дент»",
                         "legal_address": "Ақтау қ., 7 шағын аудан, 21 үй",
                         "phone": "+7 729 240 11 22",
                         "activity_subkinds": ["dentistry"],
                         "objects": "Ақтау қ., 7 шағын аудан, 21 үй"}}),
    );
    assert_eq!(r.status(), 201, "{:?}", r.text());
    r.json::<Value>().expect("json")["number"]
        .as_str()
        .expect("number")
        .to_string()
}

/// Anything but "this request does not exist" (a visible request may still lack a payment
/// or a result, or refuse the action).
fn assert_not_hidden(r: reqwest::blocking::Response, at: &str) {
    if r.status() == 404 {
        let v: Value = r.json().unwrap_or_default();
        assert_ne!(v["error"]["code"], "REQUEST_NOT_FOUND", "{at}");
    }
}

fn listed(app: &TestApp, token: &str) -> Vec<String> {
    let v: Value = app
        .get(token, "/api/v1/requests?limit=100")
        .json()
        .expect("json");
    v["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["number"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn every_endpoint_shows_a_request_only_to_its_provider_office_owner_and_admin() {
    let app = TestApp::spawn_in_clinic_hours();
    let tokens: Vec<(&str, String)> = USERS.iter().map(|u| (*u, app.login(u))).collect();
    let token = |name: &str| {
        tokens
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, t)| t.clone())
            .expect("user")
    };
    let lic = licence_request(&app, &token("medcenter"));
    let con = con_licence(&app, &token("operator"));
    let dcs = submitted_support_request(&app, &token("daulet"));
    let hom = home_call(&app, &token("aigerim"));
    let table: [(&str, &[&str]); 4] = [
        (&lic, &["official", "inspector", "admin", "medcenter"]),
        (&con, &["official", "inspector", "admin", "operator"]),
        (&dcs, &["mio", "commission", "admin", "daulet"]),
        (&hom, &["registrar", "admin", "aigerim"]),
    ];
    let mut checked = 0;
    for (user, t) in &tokens {
        let list = listed(&app, t);
        for (number, who) in &table {
            let sees = who.contains(user);
            let at = format!("{user} on {number}");
            assert_eq!(list.contains(&number.to_string()), sees, "list: {at}");
            let reads = [
                format!("/api/v1/requests/{number}"),
                format!("/api/v1/requests/{number}/history"),
                format!("/api/v1/requests/{number}/signing-payload"),
                format!("/api/v1/requests/{number}/payment"),
                format!("/api/v1/requests/{number}/result.pdf"),
            ];
            for path in &reads {
                let r = app.get(t, path);
                if sees {
                    assert_not_hidden(r, &format!("GET {path}: {at}"));
                } else {
                    assert_error(r, 404, "REQUEST_NOT_FOUND");
                }
                checked += 1;
            }
            let writes = [
                app.transition(t, number, "start_review", None),
                app.transition(t, number, "extend_deadline", Some("причина")),
                app.post(t, &format!("/api/v1/requests/{number}/payment"), &json!({})),
                app.attach(t, number, "application", pdf_bytes("x"), Some(true)),
            ];
            for r in writes {
                if sees {
                    assert_not_hidden(r, &format!("write: {at}"));
                } else {
                    assert_error(r, 404, "REQUEST_NOT_FOUND");
                }
                checked += 1;
            }
        }
    }
    assert_eq!(checked, USERS.len() * 4 * 9);
}

#[test]
fn only_the_issuing_authority_suspends_or_resumes_a_licence() {
    // R-003-07: registry actions on an issued licence.
    let app = TestApp::spawn();
    let (med, official, number) = licence_under_review(&app);
    let items = [&BASE_ITEMS[..], &["lab-equipment"]].concat();
    assert_eq!(assess(&app, &official, &number, &items).status(), 200);
    // Another provider's official can neither see nor decide it.
    let mio = app.login("mio");
    assert_error(
        app.transition(&mio, &number, "approve", None),
        404,
        "REQUEST_NOT_FOUND",
    );
    assert_eq!(
        app.transition(&official, &number, "approve", None).status(),
        200
    );
    let r = app.get(&med, &format!("/api/v1/requests/{number}/result.pdf"));
    let id = r
        .headers()
        .get("X-Document-Id")
        .and_then(|v| v.to_str().ok())
        .expect("document id")
        .to_string();
    let status = |token: &str, action: &str| {
        app.post(
            token,
            &format!("/api/v1/documents/{id}/status"),
            &json!({"action": action, "reason": "Предписание № 12"}),
        )
    };
    // Staff of other providers do not see the document at all; its applicant sees it but
    // may not change its status.
    for outsider in ["mio", "commission", "registrar", "operator"] {
        assert_error(
            status(&app.login(outsider), "suspend"),
            404,
            "DOCUMENT_NOT_FOUND",
        );
    }
    assert_error(status(&med, "suspend"), 403, "ACTION_NOT_PERMITTED");
    assert_eq!(status(&official, "suspend").status(), 200);
    let inspector = app.login("inspector");
    assert_eq!(status(&inspector, "resume").status(), 200);
}
