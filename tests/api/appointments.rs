//! Appointments with a doctor (AP, R-000 / R-002): the clinic register, free slots from the
//! doctors' schedules, booking through a request with no registrar action, no double
//! booking under concurrency, cancellation that frees the slot. On SQLite and PostgreSQL.

use crate::common::licence::sign_as;
use crate::common::*;

use serde_json::{json, Value};

fn public(app: &TestApp, path: &str) -> reqwest::blocking::Response {
    app.client.get(app.url(path)).send().expect("get")
}

/// The first `weekday` after today that is not a holiday, as YYYY-MM-DD.
fn next(weekday: chrono::Weekday) -> String {
    next_clinic_day(weekday).format("%Y-%m-%d").to_string()
}

fn slots(app: &TestApp, clinic: &str, query: &str) -> Vec<Value> {
    let r = public(app, &format!("/api/v1/clinics/{clinic}/slots?{query}"));
    assert_eq!(r.status(), 200, "{:?}", r.text());
    r.json::<Value>().expect("json")["slots"]
        .as_array()
        .expect("slots")
        .clone()
}

/// A draft appointment for `slot_start` with the Astana polyclinic's first therapist.
fn draft(app: &TestApp, token: &str, doctor: &str, start: &str) -> reqwest::blocking::Response {
    app.post(
        token,
        "/api/v1/requests",
        &json!({"service": "doctor-appointment", "channel": "portal",
                "form": {"clinic": "astana-polyclinic-1", "doctor": doctor, "slot_start": start}}),
    )
}

#[test]
fn the_register_lists_clinics_doctors_and_free_slots_in_local_time() {
    // R-000-01 / R-002-01: the region's PHC organisations provide the services; R-001-02:
    // Mangystau offers attachment only; R-002-12: the doctor's free time from the schedule.
    let app = TestApp::spawn();
    let clinics: Vec<Value> = public(&app, "/api/v1/clinics").json().expect("json");
    assert!(clinics.len() >= 5, "{clinics:?}");
    let aktau = clinics
        .iter()
        .find(|c| c["code"] == "aktau-polyclinic-1")
        .expect("aktau");
    assert_eq!(aktau["services"], json!(["phc-attachment"]));
    let astana: Vec<Value> = public(&app, "/api/v1/clinics?region=astana")
        .json()
        .expect("json");
    assert!(astana.len() >= 2 && astana.iter().all(|c| c["region"] == "astana"));
    let doctors: Vec<Value> = public(&app, "/api/v1/clinics/astana-polyclinic-1/doctors")
        .json()
        .expect("json");
    assert!(doctors.len() >= 4, "{doctors:?}");
    assert!(doctors
        .iter()
        .all(|d| d["specialty_name"]["ru"].is_string()));

    // Monday: the first therapist works 08:00-12:00 and 13:00-17:00 in 20-minute slots.
    let monday = next(chrono::Weekday::Mon);
    let s = slots(
        &app,
        "astana-polyclinic-1",
        &format!("doctor=ast1-therapist-1&from={monday}&days=1"),
    );
    assert_eq!(s.len(), 24, "{s:?}");
    assert_eq!(s[0]["start"], format!("{monday}T08:00:00+05:00"));
    assert_eq!(s[0]["end"], format!("{monday}T08:20:00+05:00"));
    assert!(
        s.iter()
            .all(|x| !x["start"].as_str().unwrap_or("").contains("T12:")),
        "the break"
    );
    // Sunday the clinic is closed: nothing.
    let sunday = next(chrono::Weekday::Sun);
    assert!(slots(
        &app,
        "astana-polyclinic-1",
        &format!("from={sunday}&days=1")
    )
    .is_empty());
    // Nothing in the past, over a week of every doctor.
    let week = slots(&app, "astana-polyclinic-1", "days=7");
    let now = chrono::Utc::now();
    assert!(week.iter().all(|x| {
        chrono::DateTime::parse_from_rfc3339(x["start"].as_str().unwrap_or(""))
            .is_ok_and(|t| t > now)
    }));
    // Refusals.
    assert_error(
        public(&app, "/api/v1/clinics/no-such-clinic/slots"),
        404,
        "CLINIC_NOT_FOUND",
    );
    assert_error(
        public(&app, "/api/v1/clinics/no-such-clinic/doctors"),
        404,
        "CLINIC_NOT_FOUND",
    );
    assert_error(
        public(
            &app,
            "/api/v1/clinics/astana-polyclinic-1/slots?doctor=kok1-therapist-1",
        ),
        404,
        "DOCTOR_NOT_FOUND",
    );
    for bad in ["days=0", "days=32", "from=2026-13-01"] {
        assert_error(
            public(
                &app,
                &format!("/api/v1/clinics/astana-polyclinic-1/slots?{bad}"),
            ),
            400,
            "BAD_REQUEST",
        );
    }
}

#[test]
fn booking_a_free_slot_issues_the_ticket_with_no_registrar_action_and_cancelling_frees_it() {
    // R-000-04 / R-002-04: fully automated; R-002-12: a free time from the schedule;
    // R-000-19 / R-002-24: signed with the applicant's ЭЦП; R-000-52 / R-002-56: the ticket
    // signed by the organisation; A-16: a cancelled booking frees its slot.
    let app = TestApp::spawn();
    let aigerim = app.login("aigerim");
    let monday = next(chrono::Weekday::Mon);
    let query = format!("doctor=ast1-therapist-1&from={monday}&days=1");
    let free = slots(&app, "astana-polyclinic-1", &query);
    let start = free[3]["start"].as_str().expect("start").to_string();
    let number = created_number(draft(&app, &aigerim, "ast1-therapist-1", &start));
    // The clinic of the form decides the request (R-002-01); R-002-37: the IIN is the
    // account's; R-002-05: free of charge; R-002-07: in the personal cabinet.
    let v: Value = app
        .get(&aigerim, &format!("/api/v1/requests/{number}"))
        .json()
        .expect("json");
    assert_eq!(v["provider"], "astana-polyclinic-1");
    assert_eq!(v["applicant"]["iin"], "850305401237");
    assert_eq!(v["fee_tiyn"], 0);
    // R-002-14: nobody else sees it.
    let daulet = app.login("daulet");
    assert_eq!(
        app.get(&daulet, &format!("/api/v1/requests/{number}"))
            .status(),
        404
    );
    assert_eq!(
        app.transition(&aigerim, &number, "submit", None).status(),
        200
    );
    // Submitted: the slot is taken already.
    assert!(!slots(&app, "astana-polyclinic-1", &query)
        .iter()
        .any(|s| s["start"] == start.as_str()));
    // R-002-25 / R-002-27: a revoked certificate is refused; R-002-26: another person's
    // certificate does not match the IIN; the request stays submitted, the slot held.
    assert_error(
        sign_as(&app, &aigerim, &number, "aigerim-revoked"),
        422,
        "CERTIFICATE_REVOKED",
    );
    assert_error(
        sign_as(&app, &aigerim, &number, "daulet"),
        422,
        "SIGNER_IDENTITY_MISMATCH",
    );
    // R-002-28: signed and sent; R-002-29: registered; R-002-30 / R-002-32: checked and the
    // result formed at once (R-002-04).
    let r = sign_as(&app, &aigerim, &number, "aigerim");
    assert_eq!(r.status(), 200, "{:?}", r.text());
    let v: Value = r.json().expect("json");
    assert_eq!(v["state"], "approved", "confirmed at once: {v}");
    // R-002-42: the status screen shows the number and the status.
    assert_eq!(v["number"], number.as_str());
    let h: Vec<Value> = app
        .get(&aigerim, &format!("/api/v1/requests/{number}/history"))
        .json()
        .expect("json");
    let confirm = h
        .iter()
        .find(|e| e["action"] == "confirm")
        .expect("confirm");
    assert_eq!(
        confirm["actor_role"], "system",
        "no registrar action: {confirm}"
    );
    // The signed ticket names the doctor, the cabinet and the local time.
    let docs: Vec<Value> = app
        .get(&aigerim, &format!("/api/v1/requests/{number}/documents"))
        .json()
        .expect("json");
    assert_eq!(docs.len(), 1, "{docs:?}");
    assert_eq!(docs[0]["kind"], "appointment_ticket");
    let id = docs[0]["id"].as_str().expect("id").to_string();
    let pdf = app
        .get(
            &aigerim,
            &format!("/api/v1/requests/{number}/documents/{id}/pdf"),
        )
        .bytes()
        .expect("pdf")
        .to_vec();
    // R-002-44: the person views the result; R-002-56: signed by the organisation.
    let verdict =
        ruqsat::pdf::verify(&pdf, &app.app.pki.verifier, chrono::Utc::now()).expect("valid");
    assert_eq!(verdict.document_kind.as_deref(), Some("appointment_ticket"));
    if let Some(flat) = pdf_words(&pdf) {
        let local = &start[11..16];
        // R-002-18: the help line 1414 on the ticket.
        for expected in ["Ахметова Сәуле", "101", local, "1414"] {
            assert!(flat.contains(expected), "{expected} missing in {flat}");
        }
    }
    // The person cancels: the slot is free again, the ticket no longer holds.
    let r = app.transition(&aigerim, &number, "cancel", Some("не смогу прийти"));
    assert_eq!(r.status(), 200, "{:?}", r.text());
    assert_eq!(r.json::<Value>().expect("json")["state"], "cancelled");
    assert!(slots(&app, "astana-polyclinic-1", &query)
        .iter()
        .any(|s| s["start"] == start.as_str()));
    let docs: Vec<Value> = app
        .get(&aigerim, &format!("/api/v1/requests/{number}/documents"))
        .json()
        .expect("json");
    assert_eq!(docs[0]["status"], "terminated", "{docs:?}");
    // Someone else books the freed slot.
    let daulet = app.login("daulet");
    let again = created_number(draft(&app, &daulet, "ast1-therapist-1", &start));
    assert_eq!(
        app.transition(&daulet, &again, "submit", None).status(),
        200
    );
}

#[test]
fn a_past_off_schedule_or_foreign_slot_is_refused_and_nothing_is_booked() {
    // R-002-12: only a free time of the doctor's schedule; G-06: the chosen doctor and slot
    // are within the schedule; R-001-02: a Mangystau clinic offers no appointments.
    let app = TestApp::spawn();
    let aigerim = app.login("aigerim");
    let monday = next(chrono::Weekday::Mon);
    let refused = [
        // The past.
        (
            "ast1-therapist-1",
            "2020-01-06T08:00:00+06:00",
            "SLOT_NOT_AVAILABLE",
        ),
        // The lunch break, and off the 20-minute grid.
        (
            "ast1-therapist-1",
            &format!("{monday}T12:20:00+05:00") as &str,
            "SLOT_NOT_AVAILABLE",
        ),
        (
            "ast1-therapist-1",
            &format!("{monday}T08:05:00+05:00"),
            "SLOT_NOT_AVAILABLE",
        ),
        // Not a time: the form's format rule.
        ("ast1-therapist-1", "next monday", "FIELD_INVALID"),
    ];
    for (doctor, start, code) in refused {
        let r = draft(&app, &aigerim, doctor, start);
        assert_eq!(r.status().as_u16(), 422, "{start}");
        assert_eq!(
            r.json::<Value>().expect("json")["error"]["code"],
            code,
            "{start}"
        );
    }
    assert_error(
        draft(
            &app,
            &aigerim,
            "kok1-therapist-1",
            &format!("{monday}T08:00:00+05:00"),
        ),
        404,
        "DOCTOR_NOT_FOUND",
    );
    let r = app.post(
        &aigerim,
        "/api/v1/requests",
        &json!({"service": "doctor-appointment", "channel": "portal",
                "form": {"clinic": "aktau-polyclinic-1", "doctor": "akt1-therapist-1",
                         "slot_start": format!("{monday}T08:00:00+05:00")}}),
    );
    assert_error(r, 422, "UNKNOWN_PROVIDER");
    let list: Value = app
        .get(&aigerim, "/api/v1/requests?service=doctor-appointment")
        .json()
        .expect("json");
    assert_eq!(list["total"], 0, "{list}");
}

#[test]
fn fifty_people_submitting_one_slot_at_once_book_it_once() {
    // R-002-12 with no double booking: the database's unique index on the active booking
    // decides; every other submission gets SLOT_TAKEN and stays a draft.
    let app = TestApp::spawn();
    let aigerim = app.login("aigerim");
    let monday = next(chrono::Weekday::Mon);
    let free = slots(
        &app,
        "astana-polyclinic-1",
        &format!("doctor=ast1-therapist-2&from={monday}&days=1"),
    );
    let start = free[0]["start"].as_str().expect("start").to_string();
    let numbers: Vec<String> = (0..50)
        .map(|_| created_number(draft(&app, &aigerim, "ast1-therapist-2", &start)))
        .collect();
    let barrier = std::sync::Barrier::new(numbers.len());
    let outcomes: Vec<(u16, String)> = std::thread::scope(|s| {
        let handles: Vec<_> = numbers
            .iter()
            .map(|n| {
                let (app, token, barrier) = (&app, &aigerim, &barrier);
                s.spawn(move || {
                    barrier.wait();
                    let r = app.transition(token, n, "submit", None);
                    let status = r.status().as_u16();
                    let v: Value = r.json().unwrap_or(Value::Null);
                    (
                        status,
                        v["error"]["code"].as_str().unwrap_or("").to_string(),
                    )
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    });
    let won = outcomes.iter().filter(|(s, _)| *s == 200).count();
    let taken = outcomes
        .iter()
        .filter(|(s, c)| *s == 409 && c == "SLOT_TAKEN")
        .count();
    assert_eq!((won, taken), (1, 49), "{outcomes:?}");
    let list: Value = app
        .get(
            &aigerim,
            "/api/v1/requests?service=doctor-appointment&state=submitted",
        )
        .json()
        .expect("json");
    assert_eq!(list["total"], 1, "{list}");
    assert!(!slots(
        &app,
        "astana-polyclinic-1",
        &format!("doctor=ast1-therapist-2&from={monday}&days=1")
    )
    .iter()
    .any(|s| s["start"] == start.as_str()));
}

#[test]
fn a_booking_moves_to_another_free_slot_with_a_new_ticket() {
    // R-002-12: another free time of the doctor; A-16: the old slot is freed, the new one
    // taken in one step, the ticket re-issued and the old one superseded.
    let app = TestApp::spawn();
    let aigerim = app.login("aigerim");
    let monday = next(chrono::Weekday::Mon);
    let query = format!("doctor=ast1-therapist-1&from={monday}&days=1");
    let free = slots(&app, "astana-polyclinic-1", &query);
    let (first, second, third) = (
        free[0]["start"].as_str().expect("s").to_string(),
        free[1]["start"].as_str().expect("s").to_string(),
        free[2]["start"].as_str().expect("s").to_string(),
    );
    let number = created_number(draft(&app, &aigerim, "ast1-therapist-1", &first));
    assert_eq!(
        app.transition(&aigerim, &number, "submit", None).status(),
        200
    );
    assert_eq!(sign_as(&app, &aigerim, &number, "aigerim").status(), 200);
    // Someone else holds the third slot.
    let daulet = app.login("daulet");
    let other = created_number(draft(&app, &daulet, "ast1-therapist-1", &third));
    assert_eq!(
        app.transition(&daulet, &other, "submit", None).status(),
        200
    );
    let move_to = |token: &str, start: &str| {
        app.post(
            token,
            &format!("/api/v1/requests/{number}/transitions"),
            &json!({"action": "reschedule", "slot_start": start}),
        )
    };
    // A taken slot, and a time off the schedule, move nothing.
    assert_error(move_to(&aigerim, &third), 409, "SLOT_TAKEN");
    assert_error(
        move_to(&aigerim, &format!("{monday}T12:20:00+05:00")),
        422,
        "SLOT_NOT_AVAILABLE",
    );
    let docs: Vec<Value> = app
        .get(&aigerim, &format!("/api/v1/requests/{number}/documents"))
        .json()
        .expect("json");
    assert_eq!(docs.len(), 1);
    assert!(!slots(&app, "astana-polyclinic-1", &query)
        .iter()
        .any(|s| s["start"] == first.as_str()));
    // The person moves it to the second slot.
    let r = move_to(&aigerim, &second);
    assert_eq!(r.status(), 200, "{:?}", r.text());
    let v: Value = r.json().expect("json");
    assert_eq!(
        (v["state"].as_str(), v["form"]["slot_start"].as_str()),
        (Some("approved"), Some(second.as_str()))
    );
    let free_now = slots(&app, "astana-polyclinic-1", &query);
    assert!(
        free_now.iter().any(|s| s["start"] == first.as_str()),
        "the old slot is free"
    );
    assert!(
        !free_now.iter().any(|s| s["start"] == second.as_str()),
        "the new slot is taken"
    );
    let docs: Vec<Value> = app
        .get(&aigerim, &format!("/api/v1/requests/{number}/documents"))
        .json()
        .expect("json");
    let status: Vec<&str> = docs
        .iter()
        .map(|d| d["status"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(docs.len(), 2, "{docs:?}");
    assert!(
        status.contains(&"superseded") && status.contains(&"valid"),
        "{status:?}"
    );
    // The registrar can move it too; a slot_start belongs to reschedule only.
    let registrar = app.login("registrar");
    assert_eq!(move_to(&registrar, &first).status(), 200);
    let r = app.post(
        &aigerim,
        &format!("/api/v1/requests/{number}/transitions"),
        &json!({"action": "cancel", "slot_start": second}),
    );
    assert_error(r, 422, "UNKNOWN_FIELD");
    // The registrar cancels it: the slot is free again and the history says who did.
    let r = app.transition(&registrar, &number, "cancel", Some("врач на больничном"));
    assert_eq!(r.status(), 200, "{:?}", r.text());
    assert!(slots(&app, "astana-polyclinic-1", &query)
        .iter()
        .any(|s| s["start"] == first.as_str()));
    let h: Vec<Value> = app
        .get(&aigerim, &format!("/api/v1/requests/{number}/history"))
        .json()
        .expect("json");
    let cancel = h.iter().rfind(|e| e["action"] == "cancel").expect("cancel");
    assert_eq!(cancel["actor_role"], "clinic_registrar", "{cancel}");
    assert_eq!(cancel["reason"], "врач на больничном");
}
