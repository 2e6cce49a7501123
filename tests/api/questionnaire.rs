//! The quality questionnaire (R-000-60..63, R-002-64..67, R-004-54, R-004-55): offered to
//! the applicant once the result is issued, answered once, aggregated for administrators.

use crate::common::licence::sign_as;
use crate::common::*;
use serde_json::{json, Value};

/// A portal home call of aigerim, signed and approved by the clinic registrar (R-000-27).
fn approved_home_call(app: &TestApp, aigerim: &str) -> String {
    let number = home_call(app, aigerim);
    assert_eq!(
        app.transition(aigerim, &number, "submit", None).status(),
        200
    );
    assert_eq!(sign_as(app, aigerim, &number, "aigerim").status(), 200);
    let registrar = app.login("registrar");
    let r = app.post(
        &registrar,
        &format!("/api/v1/requests/{number}/transitions"),
        &json!({"action": "approve", "fields": {
            "visit_date": "24.11.2026", "time_window": "10:00–14:00",
            "doctor_name": "Ержан Төлегенұлы Сапаров"}}),
    );
    assert_eq!(r.status(), 200, "{:?}", r.text());
    number
}

#[test]
fn the_questionnaire_is_offered_after_the_result_answered_once_and_aggregated() {
    let app = TestApp::spawn_in_clinic_hours();
    let aigerim = app.login("aigerim");
    // Not before the result.
    let early = home_call(&app, &aigerim);
    let q: Value = app
        .get(&aigerim, &format!("/api/v1/requests/{early}/questionnaire"))
        .json()
        .expect("json");
    assert_eq!(q["offered"], false);
    // R-000-62, R-000-63: the two questions, in three languages.
    let codes: Vec<&str> = q["questions"]
        .as_array()
        .expect("questions")
        .iter()
        .filter_map(|x| x["code"].as_str())
        .collect();
    assert_eq!(codes, ["process_and_result", "information"]);
    assert!(q["questions"][0]["text"]["ru"]
        .as_str()
        .is_some_and(|t| t.contains("качеством процесса")));
    let both = |a: &str, b: &str| json!({"answers": {"process_and_result": a, "information": b}});
    assert_error(
        app.post(
            &aigerim,
            &format!("/api/v1/requests/{early}/questionnaire"),
            &both("satisfied", "satisfied"),
        ),
        409,
        "QUESTIONNAIRE_NOT_OFFERED",
    );

    let first = approved_home_call(&app, &aigerim);
    let second = approved_home_call(&app, &aigerim);
    let path = |n: &str| format!("/api/v1/requests/{n}/questionnaire");
    let q: Value = app.get(&aigerim, &path(&first)).json().expect("json");
    assert_eq!(q["offered"], true);
    // Only the applicant answers; every question, with one of the three options.
    let registrar = app.login("registrar");
    assert_error(
        app.post(&registrar, &path(&first), &both("satisfied", "satisfied")),
        403,
        "ACTION_NOT_PERMITTED",
    );
    assert_error(
        app.post(
            &aigerim,
            &path(&first),
            &json!({"answers": {"process_and_result": "satisfied"}}),
        ),
        422,
        "ANSWERS_INVALID",
    );
    let r = app.post(
        &aigerim,
        &path(&first),
        &json!({"answers": {"process_and_result": "very", "information": "satisfied"}}),
    );
    assert_eq!(r.status(), 400, "an unknown option");
    let r = app.post(
        &aigerim,
        &path(&first),
        &both("satisfied", "partly_satisfied"),
    );
    assert_eq!(r.status(), 201, "{:?}", r.text());
    let v: Value = r.json().expect("json");
    assert_eq!(v["offered"], false);
    assert_eq!(v["answers"]["information"], "partly_satisfied");
    // One answer set per request.
    assert_error(
        app.post(
            &aigerim,
            &path(&first),
            &both("not_satisfied", "not_satisfied"),
        ),
        409,
        "QUESTIONNAIRE_ANSWERED",
    );
    let r = app.post(
        &aigerim,
        &path(&second),
        &both("not_satisfied", "partly_satisfied"),
    );
    assert_eq!(r.status(), 201);

    // The report: counts and shares per question, administrators only.
    let today = kz_date(app.app.now()).format("%Y-%m-%d").to_string();
    let report =
        format!("/api/v1/reports/quality?service=doctor-home-call&from=2026-01-01&to={today}");
    assert_error(app.get(&registrar, &report), 403, "ACTION_NOT_PERMITTED");
    let admin = app.login("admin");
    let r: Value = app.get(&admin, &report).json().expect("json");
    assert_eq!(r["responses"], 2, "{r}");
    let q1 = &r["questions"][0];
    assert_eq!(q1["code"], "process_and_result");
    assert_eq!(
        q1["counts"],
        json!({"not_satisfied": 1, "partly_satisfied": 0, "satisfied": 1})
    );
    assert_eq!(
        q1["shares"],
        json!({"not_satisfied": "50.0", "partly_satisfied": "0.0", "satisfied": "50.0"})
    );
    let q2 = &r["questions"][1];
    assert_eq!(q2["counts"]["partly_satisfied"], 2);
    assert_eq!(q2["shares"]["partly_satisfied"], "100.0");
    // A period before the answers counts none.
    let r: Value = app
        .get(
            &admin,
            "/api/v1/reports/quality?service=doctor-home-call&from=2025-01-01&to=2025-12-31",
        )
        .json()
        .expect("json");
    assert_eq!(r["responses"], 0);
    assert_error(
        app.get(
            &admin,
            "/api/v1/reports/quality?from=2026-13-01&to=2026-12-31",
        ),
        400,
        "BAD_REQUEST",
    );
}
