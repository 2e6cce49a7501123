//! The applicant's pages beyond the generic ones, over HTTP (tests/browser/clinic.test.mjs
//! and support.test.mjs drive them in Chromium): booking a doctor's slot from the calendar
//! and cancelling it, the clinics a clinic service may name, the notifications and the
//! quality questionnaire. Each form needs its CSRF token; each request is its owner's.

use crate::common::browser::{unescaped, Browser};
use crate::common::licence::sign_as;
use crate::common::*;
use serde_json::{json, Value};

const CLINIC: &str = "astana-polyclinic-1";
const DOCTOR: &str = "ast1-therapist-1";

/// The doctor's free slots on `day` (YYYY-MM-DD), from the public API.
fn free(app: &TestApp, day: &str) -> Vec<String> {
    let r = app
        .client
        .get(app.url(&format!(
            "/api/v1/clinics/{CLINIC}/slots?doctor={DOCTOR}&from={day}&days=1"
        )))
        .send()
        .expect("slots");
    r.json::<Value>().expect("json")["slots"]
        .as_array()
        .expect("slots")
        .iter()
        .map(|s| s["start"].as_str().unwrap_or("").to_string())
        .collect()
}

/// The request number a `303` to its page names.
fn booked_number(r: &reqwest::blocking::Response) -> String {
    assert_eq!(r.status(), 303);
    let to = r.headers()["location"].to_str().expect("location");
    to.trim_start_matches("/requests/")
        .split('#')
        .next()
        .expect("number")
        .to_string()
}

fn requests_of(app: &TestApp, token: &str, service: &str) -> Value {
    app.get(token, &format!("/api/v1/requests?service={service}"))
        .json()
        .expect("json")
}

#[test]
fn a_slot_is_booked_from_the_calendar_and_only_its_owner_cancels_it() {
    // R-002-12: a free time from the doctor's schedule, on the portal; A-16: the booking is
    // taken at submission and freed by the applicant's cancel.
    let app = TestApp::spawn();
    let monday = next_clinic_day(chrono::Weekday::Mon)
        .format("%Y-%m-%d")
        .to_string();
    let mut aigerim = Browser::new(&app, "ru");
    aigerim.sign_in("aigerim");

    // The steps: the clinics of her region, the doctors, the calendar with the API's slots.
    let (status, page) = aigerim.get("/services/doctor-appointment/book");
    assert_eq!(status, 200);
    assert!(page.contains(&format!("id=\"clinic-{CLINIC}\"")), "{page}");
    assert!(
        !page.contains("kokshetau"),
        "another region's clinics are not listed"
    );
    let (_, page) = aigerim.get(&format!(
        "/services/doctor-appointment/book?clinic={CLINIC}"
    ));
    assert!(page.contains(&format!("id=\"doctor-{DOCTOR}\"")));
    let (_, page) = aigerim.get(&format!(
        "/services/doctor-appointment/book?clinic={CLINIC}&doctor={DOCTOR}&from={monday}"
    ));
    let slots = free(&app, &monday);
    assert_eq!(slots.len(), 24);
    for s in &slots {
        assert!(page.contains(&format!("value=\"{s}\"")), "{s} offered");
    }
    assert_eq!(
        page.matches("<fieldset class=\"day").count(),
        14,
        "fourteen days"
    );
    let start = slots[2].clone();
    let form = |csrf: &str| {
        vec![
            ("csrf", csrf.to_string()),
            ("clinic", CLINIC.to_string()),
            ("doctor", DOCTOR.to_string()),
            ("slot_start", start.clone()),
        ]
    };
    // Without the CSRF token nothing is booked.
    let mut no_token = form("");
    no_token.remove(0);
    let pairs: Vec<(&str, &str)> = no_token.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = aigerim.post("/services/doctor-appointment/book", &pairs);
    assert_eq!(r.status(), 403);
    assert!(r.text().expect("body").contains("CSRF_REJECTED"));
    let token = app.login("aigerim");
    assert_eq!(requests_of(&app, &token, "doctor-appointment")["total"], 0);

    // Booked: created and submitted at once, the slot taken.
    let csrf = aigerim.csrf();
    let f = form(&csrf);
    let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = aigerim.post("/services/doctor-appointment/book", &pairs);
    let number = booked_number(&r);
    let v: Value = app
        .get(&token, &format!("/api/v1/requests/{number}"))
        .json()
        .expect("json");
    assert_eq!(v["state"], "submitted");
    assert_eq!(v["provider"], CLINIC);
    assert_eq!(v["form"]["slot_start"], start.as_str());
    assert!(!free(&app, &monday).contains(&start));
    let (_, page) = aigerim.get(&format!("/requests/{number}"));
    assert!(page.contains("Ахметова Сәуле Қайратқызы"), "{page}");
    assert!(page.contains(&format!("datetime=\"{start}\"")));
    assert!(page.contains(&format!("action=\"/requests/{number}/cancel\"")));

    // The same slot again, from another applicant's calendar page: refused on the page,
    // nothing left behind.
    let mut daulet = Browser::new(&app, "ru");
    daulet.sign_in("daulet");
    let csrf_d = daulet.csrf();
    let f = form(&csrf_d);
    let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = daulet.post("/services/doctor-appointment/book", &pairs);
    assert_eq!(r.status(), 422);
    assert!(r.text().expect("body").contains("data-code=\"SLOT_TAKEN\""));
    let daulet_token = app.login("daulet");
    assert_eq!(
        requests_of(&app, &daulet_token, "doctor-appointment")["total"],
        0
    );

    // Another applicant cannot cancel it: not found, and the booking holds.
    let r = daulet.post(
        &format!("/requests/{number}/cancel"),
        &[("csrf", &csrf_d), ("reason", "чужая запись")],
    );
    assert_eq!(r.status(), 404);
    assert!(r.text().expect("body").contains("REQUEST_NOT_FOUND"));
    // Nor can the owner without the token.
    let r = aigerim.post(&format!("/requests/{number}/cancel"), &[("reason", "x")]);
    assert_eq!(r.status(), 403);
    assert!(!free(&app, &monday).contains(&start));

    // Signed: confirmed by the system with the ticket (R-000-04), then cancelled by her.
    assert_eq!(sign_as(&app, &token, &number, "aigerim").status(), 200);
    let r = aigerim.post(
        &format!("/requests/{number}/cancel"),
        &[("csrf", &csrf), ("reason", "не смогу прийти")],
    );
    assert_eq!(r.status(), 303);
    let v: Value = app
        .get(&token, &format!("/api/v1/requests/{number}"))
        .json()
        .expect("json");
    assert_eq!(v["state"], "cancelled");
    assert!(
        free(&app, &monday).contains(&start),
        "the slot is free again"
    );
    let (_, page) = aigerim.get(&format!("/requests/{number}"));
    assert!(page.contains("id=\"appointment-status\""));
    assert!(!page.contains(&format!("action=\"/requests/{number}/cancel\"")));
    // Cancelled is final.
    let r = aigerim.post(&format!("/requests/{number}/cancel"), &[("csrf", &csrf)]);
    assert_eq!(r.status(), 409);
}

#[test]
fn the_owner_moves_a_confirmed_booking_to_another_free_time_on_the_pages() {
    // A-16, R-002-12: the person moves a confirmed booking to another free slot of the same
    // doctor; the old slot is free again, a new ticket is issued. Others cannot.
    let app = TestApp::spawn();
    let monday = next_clinic_day(chrono::Weekday::Mon)
        .format("%Y-%m-%d")
        .to_string();
    let mut aigerim = Browser::new(&app, "kk");
    aigerim.sign_in("aigerim");
    let slots = free(&app, &monday);
    let (first, second) = (slots[1].clone(), slots[5].clone());
    let csrf = aigerim.csrf();
    let r = aigerim.post(
        "/services/doctor-appointment/book",
        &[
            ("csrf", &csrf),
            ("clinic", CLINIC),
            ("doctor", DOCTOR),
            ("slot_start", &first),
        ],
    );
    let number = booked_number(&r);
    let token = app.login("aigerim");
    // Not before it is confirmed: the link is not offered.
    let (_, page) = aigerim.get(&format!("/requests/{number}"));
    assert!(!page.contains("id=\"reschedule-link\""));
    assert_eq!(sign_as(&app, &token, &number, "aigerim").status(), 200);
    let (_, page) = aigerim.get(&format!("/requests/{number}"));
    assert!(
        page.contains(&format!("href=\"/requests/{number}/reschedule\"")),
        "{page}"
    );

    // The page: the doctor's free times of the week from that Monday, hers not among them.
    let (status, page) = aigerim.get(&format!("/requests/{number}/reschedule?from={monday}"));
    assert_eq!(status, 200);
    let page = unescaped(&page);
    assert!(page.contains(&format!("action=\"/requests/{number}/reschedule\"")));
    assert!(page.contains(&format!("value=\"{second}\"")), "{page}");
    assert!(!page.contains(&format!("value=\"{first}\"")));
    assert!(page.contains(&format!("href=\"/requests/{number}#appointment\"")));

    // Another applicant: not found, the booking holds; without the token: refused.
    let mut daulet = Browser::new(&app, "ru");
    daulet.sign_in("daulet");
    let (status, _) = daulet.get(&format!("/requests/{number}/reschedule"));
    assert_eq!(status, 404);
    let csrf_d = daulet.csrf();
    let r = daulet.post(
        &format!("/requests/{number}/reschedule"),
        &[("csrf", &csrf_d), ("slot_start", &second)],
    );
    assert_eq!(r.status(), 404);
    let r = aigerim.post(
        &format!("/requests/{number}/reschedule"),
        &[("slot_start", &second)],
    );
    assert_eq!(r.status(), 403);
    assert!(free(&app, &monday).contains(&second));

    // Moved: back to the request page, the new time held, the old one free again, and a
    // new ticket next to the superseded one.
    let r = aigerim.post(
        &format!("/requests/{number}/reschedule"),
        &[("csrf", &csrf), ("slot_start", &second)],
    );
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers()["location"],
        format!("/requests/{number}#appointment").as_str()
    );
    let v: Value = app
        .get(&token, &format!("/api/v1/requests/{number}"))
        .json()
        .expect("json");
    assert_eq!(v["state"], "approved");
    assert_eq!(v["form"]["slot_start"], second.as_str());
    let now_free = free(&app, &monday);
    assert!(now_free.contains(&first), "the old time is free again");
    assert!(!now_free.contains(&second));
    let (_, page) = aigerim.get(&format!("/requests/{number}"));
    assert!(page.contains(&format!("datetime=\"{second}\"")));
    let docs: Value = app
        .get(&token, &format!("/api/v1/requests/{number}/documents"))
        .json()
        .expect("json");
    assert_eq!(docs.as_array().map(Vec::len), Some(2), "{docs}");
}

#[test]
fn a_clinic_the_register_refuses_is_shown_as_such_and_cannot_be_booked() {
    // R-000-07, G-06: an appointment needs the attachment to the clinic.
    let app = TestApp::spawn();
    let monday = next_clinic_day(chrono::Weekday::Mon)
        .format("%Y-%m-%d")
        .to_string();
    let mut b = Browser::new(&app, "kk");
    b.sign_in("aigerim");
    let (_, page) = b.get("/services/doctor-appointment/book");
    assert!(page.contains("id=\"clinic-astana-polyclinic-4\" name=\"clinic\" value=\"astana-polyclinic-4\" required disabled"), "{page}");
    // Asking for its doctors anyway: back to the clinics, with the reason.
    let (status, page) = b.get("/services/doctor-appointment/book?clinic=astana-polyclinic-4");
    assert_eq!(status, 422);
    assert!(page.contains("data-code=\"NOT_ATTACHED\""), "{page}");
    assert!(
        page.contains("href=\"/services/phc-attachment\""),
        "a way to attach"
    );
    assert!(!page.contains("id=\"doctor-form\""));
    // A clinic of no region offering the service is not found.
    let (status, _) = b.get("/services/doctor-appointment/book?clinic=aktau-polyclinic-1");
    assert_eq!(status, 422);
    // Booking there from a forged form: the use case refuses it.
    let r = app
        .client
        .get(app.url(&format!(
            "/api/v1/clinics/astana-polyclinic-4/slots?from={monday}&days=1"
        )))
        .send()
        .expect("slots");
    let slots: Value = r.json().expect("json");
    let slot = &slots["slots"][0];
    let csrf = b.csrf();
    let r = b.post(
        "/services/doctor-appointment/book",
        &[
            ("csrf", &csrf),
            ("clinic", "astana-polyclinic-4"),
            ("doctor", slot["doctor"].as_str().expect("doctor")),
            ("slot_start", slot["start"].as_str().expect("start")),
        ],
    );
    assert_eq!(r.status(), 422);
    assert!(r.text().expect("body").contains("NOT_ATTACHED"));
    let token = app.login("aigerim");
    assert_eq!(requests_of(&app, &token, "doctor-appointment")["total"], 0);
    // The generic form of the service sends to the booking steps.
    let (status, _) = b.get("/services/doctor-appointment/apply");
    assert_eq!(status, 303);
}

#[test]
fn the_home_call_form_offers_the_persons_clinic_and_says_when_it_takes_no_calls() {
    // R-002-08, R-002-09: home calls today until two hours before closing; R-000-07.
    let register = ruqsat::domain::clinics::ClinicRegister::from_toml(include_str!(
        "../../catalog/clinics.toml"
    ))
    .expect("register");
    let clinic = register.clinic(CLINIC).expect("clinic");
    // 19:00 in Astana on the next Monday: the polyclinic closes at 20:00.
    let monday = next_clinic_day(chrono::Weekday::Mon);
    let late = chrono::TimeZone::from_local_datetime(
        &chrono_tz::Asia::Almaty,
        &monday.and_hms_opt(19, 0, 0).expect("time"),
    )
    .single()
    .expect("instant")
    .with_timezone(&chrono::Utc);
    assert!(ruqsat::domain::clinics::home_call_refusal(
        clinic,
        register.region_of(clinic).expect("region"),
        late
    )
    .is_some());
    let app = TestApp::spawn_at(ruqsat::app::SettableClock::at(late), |_| {});
    let mut b = Browser::new(&app, "ru");
    b.sign_in("daulet");
    let (status, page) = b.get("/services/doctor-home-call/apply");
    assert_eq!(status, 200);
    assert!(
        page.contains(&format!("<option value=\"{CLINIC}\" disabled>")),
        "{page}"
    );
    assert!(page.contains("data-code=\"HOME_CALL_CUTOFF\""));
    assert!(page.contains("data-code=\"NOT_ATTACHED\""));
    assert!(page.contains("<textarea id=\"f-symptoms\""));

    // In the morning the same form has his clinic chosen.
    app.clock.set(late - chrono::Duration::hours(9));
    let (_, page) = b.get("/services/doctor-home-call/apply");
    assert!(
        page.contains(&format!("<option value=\"{CLINIC}\" selected>")),
        "{page}"
    );
    let csrf = b.csrf();
    let r = b.post(
        "/services/doctor-home-call/apply",
        &[
            ("csrf", &csrf),
            ("variant", "standard"),
            ("provider", CLINIC),
            ("visit_address", "Астана, Бейбітшілік 12"),
            ("symptoms", "қызба"),
            ("phone", "+7 701 111 22 33"),
        ],
    );
    assert_eq!(r.status(), 303);
}

#[test]
fn the_notifications_page_lists_and_marks_read_with_the_csrf_token() {
    // R-004-39, R-004-40: «Уведомления» in the personal cabinet.
    let app = TestApp::spawn();
    let daulet = app.login("daulet");
    let number = submitted_support_request(&app, &daulet);
    let mut b = Browser::new(&app, "kk");
    b.sign_in("daulet");
    let (status, page) = b.get("/notifications");
    assert_eq!(status, 200);
    assert!(
        page.contains(&format!("data-request=\"{number}\"")),
        "{page}"
    );
    assert!(page.contains("class=\"notification unread\""));
    assert!(page.contains(&format!("{number} өтінімінің мәртебесі: ")));
    // Another applicant sees none of them.
    let mut other = Browser::new(&app, "kk");
    other.sign_in("aigerim");
    let (_, page) = other.get("/notifications");
    assert!(!page.contains(&number));

    let unread = |token: &str| {
        app.get(token, "/api/v1/notifications?unread=true")
            .json::<Vec<Value>>()
            .expect("json")
            .len()
    };
    assert!(unread(&daulet) > 0);
    let r = b.post("/notifications/read", &[]);
    assert_eq!(r.status(), 403);
    assert!(unread(&daulet) > 0, "nothing marked without the token");
    // Opening one marks that one read and shows its request; another person's is not found.
    let list = |token: &str| {
        app.get(token, "/api/v1/notifications")
            .json::<Vec<Value>>()
            .expect("json")
    };
    let first = list(&daulet)[0]["id"].as_str().expect("id").to_string();
    let before = unread(&daulet);
    let csrf = b.csrf();
    let r = other.post(
        &format!("/notifications/{first}/open"),
        &[("csrf", &other.csrf())],
    );
    assert_eq!(r.status(), 404);
    let r = b.post(&format!("/notifications/{first}/open"), &[]);
    assert_eq!(r.status(), 403);
    assert_eq!(unread(&daulet), before);
    let r = b.post(&format!("/notifications/{first}/open"), &[("csrf", &csrf)]);
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers()["location"],
        format!("/requests/{number}").as_str()
    );
    assert_eq!(unread(&daulet), before - 1);
    assert_eq!(
        list(&daulet)
            .iter()
            .find(|n| n["id"] == first.as_str())
            .map(|n| n["read"].clone()),
        Some(json!(true))
    );
    let csrf = b.csrf();
    let r = b.post("/notifications/read", &[("csrf", &csrf)]);
    assert_eq!(r.status(), 303);
    assert_eq!(unread(&daulet), 0);
    let (_, page) = b.get("/notifications");
    assert!(!page.contains("class=\"notification unread\""));
    assert!(!page.contains("id=\"mark-all-read\""));
    // A visitor is sent to sign in.
    let mut visitor = Browser::new(&app, "kk");
    let (status, _) = visitor.get("/notifications");
    assert_eq!(status, 303);
}

#[test]
fn the_questionnaire_is_answered_once_by_the_owner_after_the_decision() {
    // R-004-54, R-004-55 (G-44): two questions on the satisfaction scale, offered once the
    // result is issued, answered once.
    let app = TestApp::spawn();
    let daulet = app.login("daulet");
    let number = submitted_support_request(&app, &daulet);
    let mut b = Browser::new(&app, "ru");
    b.sign_in("daulet");
    let csrf = b.csrf();
    let path = format!("/requests/{number}/questionnaire");
    let full = [
        ("csrf", csrf.as_str()),
        ("answer-process_and_result", "satisfied"),
        ("answer-information", "partly_satisfied"),
    ];
    // Not offered before the decision.
    let (_, page) = b.get(&format!("/requests/{number}"));
    assert!(!page.contains("id=\"questionnaire\""));
    let r = b.post(&path, &full);
    assert_eq!(r.status(), 409);
    assert!(r
        .text()
        .expect("body")
        .contains("QUESTIONNAIRE_NOT_OFFERED"));

    // The department decides.
    let r = post_signature_as(&app, &daulet, &number);
    assert_eq!(r, "registered");
    let mio = app.login("mio");
    assert_eq!(
        app.transition(&mio, &number, "start_review", None).status(),
        200
    );
    app.commission_concludes(&number, "grant", "Основания имеются");
    let r = app.post(
        &mio,
        &format!("/api/v1/requests/{number}/transitions"),
        &json!({"action": "approve", "fields": {
            "support_start": "01.12.2026", "support_period": "01.12.2026 – 31.05.2027"}}),
    );
    assert_eq!(r.status(), 200, "{:?}", r.text());

    let (_, page) = b.get(&format!("/requests/{number}"));
    assert!(page.contains("id=\"questionnaire-form\""), "{page}");
    // Without the token; by another applicant; with a question unanswered: nothing stored.
    let r = b.post(&path, &full[1..]);
    assert_eq!(r.status(), 403);
    let mut other = Browser::new(&app, "ru");
    other.sign_in("aigerim");
    let other_csrf = other.csrf();
    let r = other.post(
        &path,
        &[
            ("csrf", other_csrf.as_str()),
            ("answer-process_and_result", "satisfied"),
            ("answer-information", "satisfied"),
        ],
    );
    assert_eq!(r.status(), 404);
    let r = b.post(&path, &full[..2]);
    assert_eq!(r.status(), 422);
    let body = r.text().expect("body");
    assert!(body.contains("id=\"qe-information\""), "{body}");
    assert!(!body.contains("id=\"qe-process_and_result\""));
    assert!(
        body.contains("value=\"satisfied\" required checked"),
        "kept"
    );
    let r = b.post(
        &path,
        &[
            ("csrf", csrf.as_str()),
            ("answer-process_and_result", "very"),
            ("answer-information", "satisfied"),
        ],
    );
    assert_eq!(r.status(), 422, "not an answer of the scale");
    let q: Value = app
        .get(&daulet, &format!("/api/v1/requests/{number}/questionnaire"))
        .json()
        .expect("json");
    assert_eq!(q["answers"], Value::Null);

    // Answered: thanks and the answers; a second time is refused.
    let r = b.post(&path, &full);
    assert_eq!(r.status(), 303);
    let q: Value = app
        .get(&daulet, &format!("/api/v1/requests/{number}/questionnaire"))
        .json()
        .expect("json");
    assert_eq!(
        q["answers"],
        json!({"process_and_result": "satisfied", "information": "partly_satisfied"})
    );
    let (_, page) = b.get(&format!("/requests/{number}"));
    assert!(page.contains("id=\"questionnaire-thanks\""));
    assert!(page.contains("data-answer=\"partly_satisfied\">Частично удовлетворён"));
    assert!(!page.contains("id=\"questionnaire-form\""));
    let r = b.post(&path, &full);
    assert_eq!(r.status(), 409);
    assert!(r.text().expect("body").contains("QUESTIONNAIRE_ANSWERED"));
}

#[test]
fn the_keys_made_from_data_exist_in_the_three_languages() {
    // Weekdays of the calendar, answers of the questionnaire, kinds of notifications.
    let app = TestApp::spawn();
    let m = &app.app.pages.messages;
    for lang in [
        ruqsat::error::Lang::Kk,
        ruqsat::error::Lang::Ru,
        ruqsat::error::Lang::En,
    ] {
        let keys = m.keys(lang);
        for d in ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] {
            assert!(keys.contains(&format!("weekday-{d}")), "{d}");
        }
        for s in ruqsat::domain::catalog::Satisfaction::ALL {
            let code = serde_json::to_value(s).expect("code");
            let code = code.as_str().expect("str");
            assert!(keys.contains(&format!("satisfaction-{code}")), "{code}");
        }
        for k in ["status_changed", "deadline_extended", "result_ready"] {
            assert!(keys.contains(&format!("notification-kind-{k}")), "{k}");
        }
    }
}

/// Signs a submitted request as its applicant (the demo key); the state after.
fn post_signature_as(app: &TestApp, token: &str, number: &str) -> String {
    let r = sign_as(app, token, number, "daulet");
    assert_eq!(r.status(), 200, "{:?}", r.text());
    r.json::<Value>().expect("json")["state"]
        .as_str()
        .unwrap_or("")
        .to_string()
}
