//! A clinic registrar's day (R-000-51, R-002-55, G-16): today's appointments and home calls
//! of their clinic only, and the outcome of each visit recorded in the request's history.
//! R-002-45: the employee works signed in; R-002-61: a home call is an entry in the clinic's
//! register of calls, listed here with its district doctor.

use crate::common::licence::sign_as;
use crate::common::*;
use chrono::{TimeZone, Utc};
use ruqsat::app::SettableClock;
use serde_json::{json, Value};

#[test]
fn the_registrar_sees_the_days_visits_of_their_clinic_and_records_each_outcome() {
    // A Tuesday, 09:00 in Astana.
    let d = next_clinic_day(chrono::Weekday::Tue);
    let at = chrono_tz::Asia::Almaty
        .from_local_datetime(&d.and_hms_opt(9, 0, 0).unwrap_or_default())
        .single()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default();
    let app = TestApp::spawn_at(SettableClock::at(at), |_| {});
    // Әйгерім books 11:00 with the district-1 therapist (R-002-12).
    let aigerim = app.login("aigerim");
    let start = format!("{d}T11:00:00+05:00");
    let r = app.post(
        &aigerim,
        "/api/v1/requests",
        &json!({"service": "doctor-appointment", "channel": "portal",
                "form": {"clinic": "astana-polyclinic-1", "doctor": "ast1-therapist-1", "slot_start": start}}),
    );
    assert_eq!(r.status(), 201, "{:?}", r.text());
    let visit = r.json::<Value>().expect("json")["number"]
        .as_str()
        .expect("number")
        .to_string();
    assert_eq!(
        app.transition(&aigerim, &visit, "submit", None).status(),
        200
    );
    assert_eq!(sign_as(&app, &aigerim, &visit, "aigerim").status(), 200);
    // Даулет calls a doctor home (Бейбітшілік: district 1).
    let daulet = app.login("daulet");
    let mut body = home_call_body();
    body["form"]["visit_address"] = json!("Астана қ., Бейбітшілік к-сі 3, 5 пәтер");
    let r = app.post(&daulet, "/api/v1/requests", &body);
    let call = r.json::<Value>().expect("json")["number"]
        .as_str()
        .expect("number")
        .to_string();
    assert_eq!(app.transition(&daulet, &call, "submit", None).status(), 200);
    assert_eq!(sign_as(&app, &daulet, &call, "daulet").status(), 200);

    let registrar = app.login("registrar");
    let day: Value = app
        .get(&registrar, "/api/v1/clinic-day")
        .json()
        .expect("json");
    assert_eq!(day["clinic"], "astana-polyclinic-1");
    assert_eq!(day["date"], d.to_string());
    let a = &day["appointments"][0];
    assert_eq!(
        (
            a["number"].as_str(),
            a["start"].as_str(),
            a["doctor_name"].as_str()
        ),
        (
            Some(visit.as_str()),
            Some(start.as_str()),
            Some("Ахметова Сәуле Қайратқызы")
        ),
        "{day}"
    );
    let h = &day["home_calls"][0];
    assert_eq!(h["number"], call.as_str(), "{day}");
    assert_eq!(h["doctor_name"], "Ахметова Сәуле Қайратқызы", "{day}");

    // The outcome of each visit: attended; the home call approved, then done.
    let record = |number: &str, visit: Option<&str>| {
        app.post(
            &registrar,
            &format!("/api/v1/requests/{number}/transitions"),
            &json!({"action": "record_visit", "visit": visit}),
        )
    };
    assert_error(record(&visit, None), 422, "VISIT_REQUIRED");
    assert_eq!(record(&visit, Some("attended")).status(), 200);
    let r = app.post(
        &registrar,
        &format!("/api/v1/requests/{call}/transitions"),
        &json!({"action": "approve", "fields": {"time_window": "12:00–16:00"}}),
    );
    assert_eq!(r.status(), 200, "{:?}", r.text());
    assert_eq!(record(&call, Some("done")).status(), 200);
    // A visit outcome belongs to record_visit only.
    let r = app.post(
        &registrar,
        &format!("/api/v1/requests/{call}/transitions"),
        &json!({"action": "deliver", "visit": "done"}),
    );
    assert_error(r, 422, "UNKNOWN_FIELD");
    let day: Value = app
        .get(&registrar, "/api/v1/clinic-day")
        .json()
        .expect("json");
    assert_eq!(day["appointments"][0]["visit"], "attended", "{day}");
    assert_eq!(day["home_calls"][0]["visit"], "done", "{day}");

    // Another clinic's registrar sees only their own day; an applicant sees none.
    let kok = app.login("registrar-kok");
    assert_error(
        app.get(&kok, "/api/v1/clinic-day?clinic=astana-polyclinic-1"),
        403,
        "FORBIDDEN",
    );
    let theirs: Value = app.get(&kok, "/api/v1/clinic-day").json().expect("json");
    assert_eq!(
        (
            theirs["appointments"].as_array().map(Vec::len),
            theirs["home_calls"].as_array().map(Vec::len)
        ),
        (Some(0), Some(0))
    );
    assert_error(app.get(&aigerim, "/api/v1/clinic-day"), 403, "FORBIDDEN");
    // Nor may they record a visit of another clinic.
    let r = app.post(
        &kok,
        &format!("/api/v1/requests/{visit}/transitions"),
        &json!({"action": "record_visit", "visit": "no_show"}),
    );
    assert_eq!(r.status(), 404, "{:?}", r.text());
    assert_error(
        app.get(&registrar, "/api/v1/clinic-day?date=tuesday"),
        400,
        "BAD_REQUEST",
    );
}
