//! The child of a support request looked up in ГБД ФЛ at intake (G-40, A-15): what the
//! registry says reaches the reviewer as warnings on the request and in its history, and
//! never refuses the request; a malformed IIN is refused by the form. Run against the
//! embedded registry and, over HTTP, against a registry served by mockito.

use crate::common::*;
use serde_json::{json, Value};

/// A portal support request by Даулет (900712304567) naming `child_iin`; its number.
fn apply_for(app: &TestApp, token: &str, child_iin: &str) -> (u16, Value) {
    let mut form = support_form();
    form["child_iin"] = json!(child_iin);
    let r = app.post(
        token,
        "/api/v1/requests",
        &json!({"service": "disabled-child-support", "channel": "portal", "form": form}),
    );
    (r.status().as_u16(), r.json().expect("json"))
}

fn codes(view: &Value) -> Vec<String> {
    view["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .map(|w| w["code"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn registry_findings_are_warnings_for_the_reviewer_not_refusals() {
    // G-40: optional lookup of the applicant and the child; a mismatch is a warning.
    // R-004-29: the consumer fills in the form; R-004-22: the employee reviews it.
    let app = TestApp::spawn();
    let daulet = app.login("daulet");
    // Әлия (150606600013) is Даулет's daughter in the registry: no warning.
    let (status, v) = apply_for(&app, &daulet, "150606600013");
    assert_eq!(status, 201, "{v}");
    assert_eq!(codes(&v), Vec::<String>::new());
    // Нұрсұлтан (101020500015) is in the registry, but not as Даулет's child.
    let (status, v) = apply_for(&app, &daulet, "101020500015");
    assert_eq!(status, 201, "{v}");
    assert_eq!(codes(&v), ["NOT_APPLICANTS_CHILD"]);
    let stranger = v["number"].as_str().expect("number").to_string();
    // A valid IIN of a child the registry does not have.
    let (status, v) = apply_for(&app, &daulet, "160303500011");
    assert_eq!(status, 201, "{v}");
    assert_eq!(codes(&v), ["CHILD_NOT_FOUND"]);
    // An adult by the IIN's birth date (1970), also unknown to the registry.
    let (status, v) = apply_for(&app, &daulet, "700303400129");
    assert_eq!(status, 201, "{v}");
    assert_eq!(codes(&v), ["CHILD_NOT_MINOR", "CHILD_NOT_FOUND"]);
    // A malformed IIN is refused, the detail naming the field and the fault: nothing is
    // created and the registry is not asked.
    for (iin, fault) in [
        ("150606600014", "control digit"),
        ("15060660001", "12 digits"),
    ] {
        let (status, v) = apply_for(&app, &daulet, iin);
        assert_eq!(
            (status, v["error"]["code"].as_str()),
            (422, Some("FIELD_INVALID")),
            "{v}"
        );
        let detail = v["error"]["detail"].as_str().unwrap_or("");
        assert!(
            detail.contains("child_iin") && detail.contains(fault),
            "{v}"
        );
    }
    let list: Value = app
        .get(&daulet, "/api/v1/requests?service=disabled-child-support")
        .json()
        .expect("json");
    assert_eq!(list["total"], 4, "{list}");

    // The reviewer of the department sees the warning on the request, in three languages,
    // and in the history's first entry.
    let mio = app.login("mio");
    let v: Value = app
        .get(&mio, &format!("/api/v1/requests/{stranger}"))
        .json()
        .expect("json");
    assert_eq!(codes(&v), ["NOT_APPLICANTS_CHILD"], "{v}");
    let w = &v["warnings"][0]["message"];
    assert!(
        w["ru"]
            .as_str()
            .is_some_and(|m| m.contains("не является родителем")),
        "{w}"
    );
    assert!(
        w["kk"].as_str().is_some_and(|m| !m.is_empty())
            && w["en"].as_str().is_some_and(|m| !m.is_empty())
    );
    let h: Vec<Value> = app
        .get(&mio, &format!("/api/v1/requests/{stranger}/history"))
        .json()
        .expect("json");
    assert_eq!(h[0]["action"], "create");
    assert_eq!(
        h[0]["data"]["warnings"],
        json!(["NOT_APPLICANTS_CHILD"]),
        "{}",
        h[0]
    );
    // It stays on the request as it moves on.
    for d in SUPPORT_DOCS {
        assert_eq!(
            app.attach(&daulet, &stranger, d, pdf_bytes(d), None)
                .status(),
            201
        );
    }
    assert_eq!(
        app.transition(&daulet, &stranger, "submit", None).status(),
        200
    );
    let v: Value = app
        .get(&mio, &format!("/api/v1/requests/{stranger}"))
        .json()
        .expect("json");
    assert_eq!(
        (v["state"].as_str(), codes(&v)),
        (Some("submitted"), vec!["NOT_APPLICANTS_CHILD".to_string()])
    );
}

#[test]
fn at_the_desk_the_child_is_checked_against_the_applicant_the_employee_named() {
    // R-004-12, R-004-16: the desk employee enters the applicant's data; G-40 applies to the
    // desk channel as well.
    let app = TestApp::spawn();
    let mio = app.login("mio");
    let create = |applicant: &str| {
        let r = app.post(
            &mio,
            "/api/v1/requests",
            &json!({"service": "disabled-child-support", "channel": "provider_desk",
                   "applicant": {"kind": "person", "iin": applicant}, "form": support_form()}),
        );
        assert_eq!(r.status(), 201, "{:?}", r.text());
        r.json::<Value>().expect("json")
    };
    assert_eq!(codes(&create("900712304567")), Vec::<String>::new());
    // Әйгерім (850305401237) is not Әлия's parent.
    assert_eq!(codes(&create("850305401237")), ["NOT_APPLICANTS_CHILD"]);
}

#[test]
fn over_http_the_registrys_parents_are_read_and_an_outage_is_a_warning() {
    // G-40 through the HTTP adapter (docs/identity.md): `parents` in the person record.
    let mut registry = mockito::Server::new();
    let person = |iin: &str, last: &str, birth: &str, parents: &[&str]| {
        json!({"iin": iin, "last_name": last, "first_name": "Тест", "birth_date": birth,
               "parents": parents})
        .to_string()
    };
    // The account's owner, looked up when the desk names the applicant.
    let _applicant = registry
        .mock("GET", "/persons/900712304567")
        .with_header("content-type", "application/json")
        .with_body(person("900712304567", "Омаров", "1990-07-12", &[]))
        .create();
    let child = registry
        .mock("GET", "/persons/150606600013")
        .with_header("content-type", "application/json")
        .with_body(person(
            "150606600013",
            "Омарова",
            "2015-06-06",
            &["900712304567"],
        ))
        .expect(1)
        .create();
    let stranger = registry
        .mock("GET", "/persons/101020500015")
        .with_header("content-type", "application/json")
        .with_body(person(
            "101020500015",
            "Ғабитов",
            "2010-10-20",
            &["560819427412"],
        ))
        .expect(1)
        .create();
    let broken = registry
        .mock("GET", "/persons/190115500520")
        .with_status(503)
        .expect_at_least(1)
        .create();
    let url = registry.url();
    let app = TestApp::spawn_with(move |c| {
        c.registry_url = Some(url);
        c.registry_timeout_ms = 2000;
    });
    let daulet = app.login("daulet");
    let (status, v) = apply_for(&app, &daulet, "150606600013");
    assert_eq!((status, codes(&v)), (201, vec![]), "{v}");
    let (status, v) = apply_for(&app, &daulet, "101020500015");
    assert_eq!(
        (status, codes(&v)),
        (201, vec!["NOT_APPLICANTS_CHILD".to_string()]),
        "{v}"
    );
    // The registry is down: the request is taken in and the reviewer is told.
    let (status, v) = apply_for(&app, &daulet, "190115500520");
    assert_eq!(
        (status, codes(&v)),
        (201, vec!["REGISTRY_UNAVAILABLE".to_string()]),
        "{v}"
    );
    child.assert();
    stranger.assert();
    broken.assert();
}
