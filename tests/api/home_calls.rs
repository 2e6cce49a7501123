//! The home call's same-day rule and cut-off (R-002-08, R-002-09; G-07, G-08): taken today
//! until 2 hours before the clinic closes, not on a closed day, as regional configuration a
//! region may switch off.

use crate::common::*;
use chrono::{DateTime, Datelike, TimeZone, Utc};
use ruqsat::app::SettableClock;
use serde_json::Value;

/// `h:m` Astana time on the first `weekday` after today.
fn astana(weekday: chrono::Weekday, h: u32, m: u32) -> DateTime<Utc> {
    let mut d = kz_date(Utc::now()) + chrono::Duration::days(1);
    while d.weekday() != weekday {
        d += chrono::Duration::days(1);
    }
    chrono_tz::Asia::Almaty
        .from_local_datetime(&d.and_hms_opt(h, m, 0).unwrap_or_default())
        .single()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

fn call(app: &TestApp) -> reqwest::blocking::Response {
    let aigerim = app.login("aigerim");
    app.post(&aigerim, "/api/v1/requests", &home_call_body())
}

#[test]
fn a_home_call_is_taken_today_until_two_hours_before_closing() {
    // Astana polyclinic No. 1: Mon–Fri 08:00-20:00 → cut-off 18:00; Sat 09:00-14:00 → 12:00;
    // Sunday closed. R-002-06: the portal takes requests round the clock, so 07:00 is today.
    for (at, taken) in [
        (astana(chrono::Weekday::Mon, 7, 0), true),
        (astana(chrono::Weekday::Mon, 17, 59), true),
        (astana(chrono::Weekday::Sat, 11, 59), true),
    ] {
        let app = TestApp::spawn_at(SettableClock::at(at), |_| {});
        let r = call(&app);
        assert_eq!(r.status().as_u16() == 201, taken, "{at}: {:?}", r.text());
    }
    for (at, says) in [
        (astana(chrono::Weekday::Mon, 18, 0), "18:00"),
        (astana(chrono::Weekday::Sat, 12, 0), "12:00"),
        (astana(chrono::Weekday::Sun, 10, 0), "closed"),
    ] {
        let app = TestApp::spawn_at(SettableClock::at(at), |_| {});
        let body = assert_error(call(&app), 422, "HOME_CALL_CUTOFF");
        assert!(
            body["error"]["detail"]
                .as_str()
                .is_some_and(|d| d.contains(says)),
            "{at}: {body}"
        );
    }
}

#[test]
fn submission_after_the_cut_off_is_refused_and_the_draft_stays() {
    // R-002-09: the request is accepted (submitted) until the cut-off, not merely drafted.
    let app = TestApp::spawn_at(
        SettableClock::at(astana(chrono::Weekday::Tue, 17, 50)),
        |_| {},
    );
    let aigerim = app.login("aigerim");
    let number = home_call(&app, &aigerim);
    app.clock.advance(chrono::Duration::minutes(15));
    assert_error(
        app.transition(&aigerim, &number, "submit", None),
        422,
        "HOME_CALL_CUTOFF",
    );
    let v: Value = app
        .get(&aigerim, &format!("/api/v1/requests/{number}"))
        .json()
        .expect("json");
    assert_eq!(v["state"], "draft");
}

#[test]
fn a_region_switches_the_cut_off_off_in_its_data() {
    // G-08: the same-day rule and the cut-off apply in every region unless the region
    // switches them off: configuration (catalog/clinics.toml), not code.
    let dir = tempfile::tempdir().expect("tmp");
    let text = include_str!("../../catalog/clinics.toml").replacen(
        "code = \"astana\"\n",
        "code = \"astana\"\nhome_call_cutoff_minutes = 0\n",
        1,
    );
    std::fs::write(dir.path().join("clinics.toml"), text).expect("write");
    let catalog = dir.path().to_path_buf();
    let at = astana(chrono::Weekday::Sun, 22, 0);
    let app = TestApp::spawn_at(SettableClock::at(at), move |c| {
        c.catalog_dir = Some(catalog)
    });
    assert_eq!(call(&app).status(), 201);
}

#[test]
fn a_home_call_goes_to_the_district_doctor_of_the_address_today() {
    // R-002-10: medical help at home at the set time; G-13: the confirmation names the visit
    // address, date, time window and the assigned (district) doctor; R-002-08: today.
    // R-002-19 / R-002-23: a registered person fills in the form on the portal; R-002-62:
    // the electronic certificate of the home call, signed by the organisation.
    let at = astana(chrono::Weekday::Wed, 10, 0);
    let app = TestApp::spawn_at(SettableClock::at(at), |_| {});
    let aigerim = app.login("aigerim");
    let mut body = home_call_body();
    body["form"]["visit_address"] =
        serde_json::json!("Астана қ., Қабанбай батыр д-лы 40, 12 пәтер");
    let r = app.post(&aigerim, "/api/v1/requests", &body);
    assert_eq!(r.status(), 201, "{:?}", r.text());
    let number = r.json::<Value>().expect("json")["number"]
        .as_str()
        .expect("number")
        .to_string();
    assert_eq!(
        app.transition(&aigerim, &number, "submit", None).status(),
        200
    );
    assert_eq!(
        crate::common::licence::sign_as(&app, &aigerim, &number, "aigerim").status(),
        200
    );
    let registrar = app.login("registrar");
    let r = app.post(
        &registrar,
        &format!("/api/v1/requests/{number}/transitions"),
        &serde_json::json!({"action": "approve", "fields": {"time_window": "12:00–16:00"}}),
    );
    assert_eq!(r.status(), 200, "{:?}", r.text());
    let docs: Vec<Value> = app
        .get(&aigerim, &format!("/api/v1/requests/{number}/documents"))
        .json()
        .expect("json");
    let pdf = app
        .get(
            &aigerim,
            &format!(
                "/api/v1/requests/{number}/documents/{}/pdf",
                docs[0]["id"].as_str().unwrap_or("")
            ),
        )
        .bytes()
        .expect("pdf")
        .to_vec();
    let verdict =
        ruqsat::pdf::verify(&pdf, &app.app.pki.verifier, chrono::Utc::now()).expect("valid");
    assert_eq!(
        verdict.document_kind.as_deref(),
        Some("home_call_confirmation")
    );
    if let Some(flat) = pdf_words(&pdf) {
        let day = at
            .with_timezone(&chrono_tz::Asia::Almaty)
            .format("%d.%m.%Y")
            .to_string();
        // Қабанбай батыр is district 2 of polyclinic No. 1: its therapist.
        for expected in ["Иванова Ольга Петровна", day.as_str(), "12:00–16:00"]
        {
            assert!(flat.contains(expected), "{expected} missing in {flat}");
        }
    }
}
