//! The staff pages of intake and of the clinic registrar over HTTP (the browser tests in
//! tests/browser drive them in Chromium): each page checks the role, each form its CSRF
//! token, and every action goes through the API's use cases, so another clinic's or another
//! office's request is "not found" on the pages as in the API (R-000-09, R-004-53, G-51).
//! The documents screen records what the employee marked for each original (R-004-12).

use crate::common::browser::Browser;
use crate::common::licence::sign_as;
use crate::common::*;
use chrono::{TimeZone, Utc};
use reqwest::blocking::multipart;
use ruqsat::app::SettableClock;
use serde_json::{json, Value};

/// A Tuesday, 09:00 in Astana: the clinic is open and its day has free slots.
fn tuesday_morning() -> (TestApp, chrono::NaiveDate) {
    let d = next_clinic_day(chrono::Weekday::Tue);
    let at = chrono_tz::Asia::Almaty
        .from_local_datetime(&d.and_hms_opt(9, 0, 0).unwrap_or_default())
        .single()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default();
    (TestApp::spawn_at(SettableClock::at(at), |_| {}), d)
}

/// Әйгерім's appointment at 11:00 with the district therapist, booked and confirmed.
fn booked_appointment(app: &TestApp, d: chrono::NaiveDate) -> String {
    let aigerim = app.login("aigerim");
    let number = created_number(app.post(
        &aigerim,
        "/api/v1/requests",
        &json!({"service": "doctor-appointment", "channel": "portal",
                "form": {"clinic": "astana-polyclinic-1", "doctor": "ast1-therapist-1",
                         "slot_start": format!("{d}T11:00:00+05:00")}}),
    ));
    assert_eq!(
        app.transition(&aigerim, &number, "submit", None).status(),
        200
    );
    assert_eq!(sign_as(app, &aigerim, &number, "aigerim").status(), 200);
    number
}

fn status_and_code(r: reqwest::blocking::Response) -> (u16, String) {
    let status = r.status().as_u16();
    let body = r.text().expect("body");
    let code = body
        .split("data-code=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or("")
        .to_string();
    (status, code)
}

#[test]
fn another_clinics_registrar_cannot_act_on_this_clinics_appointment_from_the_pages() {
    let (app, d) = tuesday_morning();
    let number = booked_appointment(&app, d);
    let date = d.to_string();

    // Kokshetau's registrar: the appointment is not on their day, and acting on it is
    // "not found", as in the API.
    let mut kok = Browser::new(&app, "ru");
    kok.sign_in("registrar-kok");
    let (status, day) = kok.get(&format!("/work/clinic?date={date}"));
    assert_eq!(status, 200);
    assert!(
        !day.contains(&number),
        "another clinic's appointment listed"
    );
    let csrf = kok.csrf();
    for (path, form) in [
        ("visit", vec![("visit", "no_show")]),
        ("cancel", vec![]),
        (
            "reschedule",
            vec![("slot_start", "2099-01-01T11:00:00+05:00")],
        ),
    ] {
        let mut fields = vec![("csrf", csrf.as_str()), ("date", date.as_str())];
        fields.extend(form);
        let r = kok.post(&format!("/work/clinic/requests/{number}/{path}"), &fields);
        assert_eq!(
            status_and_code(r),
            (404, "REQUEST_NOT_FOUND".to_string()),
            "{path}"
        );
    }
    let (status, page) = kok.get(&format!("/work/clinic/requests/{number}/reschedule"));
    assert_eq!(status, 404, "{page}");
    let (status, _) = kok.get(&format!("/work/clinic/requests/{number}/sign"));
    assert_eq!(status, 404);
    let registrar = app.login("registrar");
    let v = app
        .get(&registrar, "/api/v1/clinic-day")
        .json::<Value>()
        .expect("json");
    assert_eq!(v["appointments"][0]["state"], "approved", "{v}");
    assert_eq!(v["appointments"][0]["visit"], Value::Null, "{v}");

    // The clinic's own registrar records the visit from the page.
    let mut own = Browser::new(&app, "kk");
    own.sign_in("registrar");
    let (status, day) = own.get(&format!("/work/clinic?date={date}"));
    assert_eq!(status, 200);
    assert!(day.contains(&format!("id=\"r-{number}\"")), "{day}");
    let csrf = own.csrf();
    let r = own.post(
        &format!("/work/clinic/requests/{number}/visit"),
        &[("csrf", &csrf), ("date", &date), ("visit", "attended")],
    );
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers()["location"],
        format!("/work/clinic?date={date}#r-{number}").as_str()
    );
    let v = app
        .get(&registrar, "/api/v1/clinic-day")
        .json::<Value>()
        .expect("json");
    assert_eq!(v["appointments"][0]["visit"], "attended", "{v}");

    // The day's CSV: a byte-order mark, a header, the appointment with its outcome.
    let r = own.fetch(&format!("/work/clinic/appointments.csv?date={date}"));
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = r.bytes().expect("body");
    assert!(csv.starts_with(b"\xef\xbb\xbf"));
    let text = String::from_utf8(csv[3..].to_vec()).expect("utf-8");
    let rows: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(rows.len(), 2, "{text}");
    assert!(
        rows[1].contains(&number) && rows[1].contains("Келді"),
        "{text}"
    );

    // Neither an applicant nor a desk employee has the registrar's pages.
    for login in ["aigerim", "operator"] {
        let mut b = Browser::new(&app, "en");
        b.sign_in(login);
        let (status, page) = b.get("/work/clinic");
        assert_eq!(status, 403, "{login}: {page}");
    }
}

#[test]
fn the_staff_forms_without_their_csrf_token_are_refused() {
    let (app, d) = tuesday_morning();
    let number = booked_appointment(&app, d);
    let mut registrar = Browser::new(&app, "ru");
    registrar.sign_in("registrar");
    for (path, form) in [
        (
            format!("/work/clinic/requests/{number}/visit"),
            vec![("visit", "attended")],
        ),
        (format!("/work/clinic/requests/{number}/cancel"), vec![]),
        (
            "/work/clinic/call".to_string(),
            vec![("iin", "850305401237"), ("step", "find")],
        ),
    ] {
        let r = registrar.post(&path, &form);
        assert_eq!(
            status_and_code(r),
            (403, "CSRF_REJECTED".to_string()),
            "{path}"
        );
    }
    let registrar_token = app.login("registrar");
    let v = app
        .get(&registrar_token, &format!("/api/v1/requests/{number}"))
        .json::<Value>()
        .expect("json");
    assert_eq!(v["state"], "approved", "nothing moved: {v}");

    let mut mio = Browser::new(&app, "kk");
    mio.sign_in("mio");
    let r = mio.post(
        "/work/intake/applicant",
        &[("applicant", "900712304567"), ("kind", "person")],
    );
    assert_eq!(status_and_code(r), (403, "CSRF_REJECTED".to_string()));
    let mio_token = app.login("mio");
    let draft = desk_support_draft(&app, &mio_token);
    let form = multipart::Form::new().part(
        "file-residence",
        multipart::Part::bytes(pdf_bytes("residence")).file_name("residence.pdf"),
    );
    let r = mio.post_multipart(&format!("/work/intake/{draft}/documents"), form);
    assert_eq!(status_and_code(r), (403, "CSRF_REJECTED".to_string()));
    let r = mio.post(
        &format!("/work/intake/{draft}/handover"),
        &[("full_name", "Омаров Даулет"), ("iin", "900712304567")],
    );
    assert_eq!(status_and_code(r), (403, "CSRF_REJECTED".to_string()));
    let v = app
        .get(&mio_token, &format!("/api/v1/requests/{draft}"))
        .json::<Value>()
        .expect("json");
    assert_eq!(v["attachments"], json!([]), "nothing attached: {v}");
}

#[test]
fn the_documents_screen_attaches_every_scan_with_its_originals_and_submits() {
    let app = TestApp::spawn();
    let mut mio = Browser::new(&app, "ru");
    mio.sign_in("mio");
    let csrf = mio.csrf();

    // The registry is asked first: a person it does not have is said at the field.
    let r = mio.post(
        "/work/intake/applicant",
        &[
            ("csrf", &csrf),
            ("applicant", "700303400129"),
            ("kind", "person"),
        ],
    );
    assert_eq!(
        status_and_code(r),
        (422, "APPLICANT_NOT_IN_REGISTRY".to_string())
    );
    let r = mio.post(
        "/work/intake/applicant",
        &[
            ("csrf", &csrf),
            ("applicant", "900712304567"),
            ("kind", "person"),
        ],
    );
    assert_eq!(r.status(), 200);
    let page = r.text().expect("body");
    assert!(page.contains("Омаров Даулет Серікұлы"), "{page}");
    assert!(
        page.contains("disabled-child-support|provider_desk"),
        "{page}"
    );
    // The desk of another service's provider is not offered.
    assert!(!page.contains("med-licence|"), "{page}");

    let mio_token = app.login("mio");
    let number = desk_support_draft(&app, &mio_token);
    // Another department's employee: the request is not found on the pages either.
    let mut sairam = Browser::new(&app, "ru");
    sairam.sign_in("mio-sairam");
    let (status, _) = sairam.get(&format!("/work/intake/{number}"));
    assert_eq!(status, 404);

    // Four documents, each original seen and returned, the fifth seen only: a missing
    // document keeps the request a draft, the screen says which.
    let mut form = multipart::Form::new().text("csrf", csrf.clone());
    for doc in &SUPPORT_DOCS[..4] {
        form = form
            .part(
                format!("file-{doc}"),
                multipart::Part::bytes(pdf_bytes(doc)).file_name(format!("{doc}.pdf")),
            )
            .text(format!("seen-{doc}"), "true")
            .text(format!("returned-{doc}"), "true");
    }
    // A file input left empty, as a browser sends it, is no document.
    form = form.part(
        "file-bank-account",
        multipart::Part::bytes(Vec::new()).file_name(""),
    );
    let r = mio.post_multipart(&format!("/work/intake/{number}/documents"), form);
    let (status, code) = status_and_code(r);
    assert_eq!((status, code.as_str()), (422, "MISSING_DOCUMENTS"));
    let form = multipart::Form::new()
        .text("csrf", csrf.clone())
        .part(
            "file-bank-account",
            multipart::Part::bytes(pdf_bytes("bank-account")).file_name("bank.pdf"),
        )
        .text("seen-bank-account", "true");
    let r = mio.post_multipart(&format!("/work/intake/{number}/documents"), form);
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers()["location"],
        format!("/work/intake/{number}/sign").as_str()
    );
    let v = app
        .get(&mio_token, &format!("/api/v1/requests/{number}"))
        .json::<Value>()
        .expect("json");
    assert_eq!(v["state"], "submitted", "{v}");
    let marks: Vec<(String, Value, Value)> = v["attachments"]
        .as_array()
        .expect("attachments")
        .iter()
        .map(|a| {
            (
                a["doc_type"].as_str().unwrap_or("").to_string(),
                a["original_seen"].clone(),
                a["original_returned"].clone(),
            )
        })
        .collect();
    assert_eq!(marks.len(), 5, "{v}");
    for (doc, seen, returned) in marks {
        let kept = doc == "bank-account";
        assert_eq!(
            (seen, returned),
            (json!(true), json!(!kept)),
            "{doc} (R-004-12)"
        );
    }
    // The receipt was issued on submission (G-47) and the employee's signature is next.
    let (status, page) = mio.get(&format!("/work/intake/{number}"));
    assert_eq!(status, 200);
    assert!(page.contains("data-kind=\"intake_receipt\""), "{page}");
    assert!(page.contains("id=\"sign-link\""), "{page}");
    let (status, page) = mio.get(&format!("/work/intake/{number}/sign"));
    assert_eq!(status, 200);
    // Attributes escape `/` as `&#x2f;`.
    let page = page.replace("&#x2f;", "/");
    assert!(
        page.contains(&format!("action=\"/work/intake/{number}/signature\"")),
        "{page}"
    );
}

#[test]
fn the_registrar_takes_a_home_call_for_a_caller_each_problem_at_its_field() {
    // R-000-50, R-000-57, G-15, G-16: a home call taken for a person found by IIN; the
    // registry's address offered; the form checked before anything is created.
    let app = TestApp::spawn_in_clinic_hours();
    let mut registrar = Browser::new(&app, "ru");
    registrar.sign_in("registrar");
    let csrf = registrar.csrf();
    let token = app.login("registrar");
    let home_calls = || {
        app.get(&token, "/api/v1/requests?service=doctor-home-call")
            .json::<Value>()
            .expect("json")["total"]
            .clone()
    };
    let before = home_calls();

    // Found: the home call form is offered with the registry's address.
    let r = registrar.post(
        "/work/clinic/call",
        &[("csrf", &csrf), ("iin", "850305401237"), ("step", "find")],
    );
    assert_eq!(r.status(), 200);
    let page = r.text().expect("page");
    assert!(page.contains("id=\"home-call-form\""), "{page}");
    let address = page
        .split("id=\"hc-visit_address\"")
        .nth(1)
        .and_then(|s| s.split("value=\"").nth(1))
        .and_then(|s| s.split('"').next())
        .unwrap_or("")
        .to_string();
    assert!(!address.is_empty(), "the registry's address is offered");

    // No symptoms, no telephone: said at each field, nothing created.
    let r = registrar.post(
        "/work/clinic/call",
        &[
            ("csrf", &csrf),
            ("iin", "850305401237"),
            ("step", "home_call"),
            ("channel", "clinic_desk"),
            ("visit_address", "Астана, Бейбітшілік 3, кв. 5"),
            ("symptoms", "  "),
        ],
    );
    assert_eq!(r.status(), 422);
    let page = r.text().expect("page");
    assert!(page.contains("id=\"hc-symptoms-error\""), "{page}");
    assert!(page.contains("id=\"hc-phone-error\""));
    assert!(!page.contains("id=\"hc-visit_address-error\""));
    assert!(
        page.contains("Астана, Бейбітшілік 3, кв. 5"),
        "what was typed is kept"
    );
    assert_eq!(home_calls(), before);

    // Complete: created at the desk, submitted, and the registrar is sent to sign it.
    let r = registrar.post(
        "/work/clinic/call",
        &[
            ("csrf", &csrf),
            ("iin", "850305401237"),
            ("step", "home_call"),
            ("channel", "clinic_desk"),
            ("visit_address", "Астана, Бейбітшілік 3, кв. 5"),
            ("symptoms", "Температура 38,5"),
            ("phone", "+7 701 111 22 33"),
        ],
    );
    assert_eq!(r.status(), 303);
    let to = r.headers()["location"]
        .to_str()
        .expect("location")
        .to_string();
    let number = to
        .trim_start_matches("/work/clinic/requests/")
        .trim_end_matches("/sign")
        .to_string();
    assert!(number.starts_with("HOM-"), "{to}");
    let v: Value = app
        .get(&token, &format!("/api/v1/requests/{number}"))
        .json()
        .expect("json");
    assert_eq!(v["state"], "submitted", "{v}");
    assert_eq!(v["channel"], "clinic_desk");
    assert_eq!(v["provider"], "astana-polyclinic-1");
    assert_eq!(v["form"]["symptoms"], "Температура 38,5");
    assert_eq!(v["form"]["visit_address"], "Астана, Бейбітшілік 3, кв. 5");
    let (status, _) = registrar.get(&to);
    assert_eq!(status, 200);
}
