//! Yearly data at run time: an МРП, a calendar year or a document's wording supplied in the
//! override directories (`catalog_dir`, `templates_dir`) is used without rebuilding; a year
//! without an МРП answers FEE_NO_MRP_FOR_YEAR naming the year and the setting; missing
//! yearly data shows in /health and the metrics; a broken override file stops the start
//! naming file and line; `ruqsat catalog check DIR`.

use crate::common::licence::{licence_request, state};
use crate::common::*;
use chrono::{TimeZone, Utc};
use ruqsat::app::SettableClock;
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// A clock at 06:00 UTC of a day.
fn at(y: i32, m: u32, d: u32) -> SettableClock {
    SettableClock::at(
        Utc.with_ymd_and_hms(y, m, d, 6, 0, 0)
            .single()
            .expect("date"),
    )
}

fn compiled_in(rel: &str) -> String {
    let f = ruqsat::app::CATALOG_DIR.get_file(rel).expect(rel);
    String::from_utf8(f.contents().to_vec()).expect("utf-8")
}

/// The compiled-in fees.toml without its `[mrp.YEAR]` table, plus `extra`.
fn fees_without(year: i32, extra: &str) -> String {
    let text = compiled_in("fees.toml");
    let start = text
        .find(&format!("[mrp.{year}]"))
        .expect("year in fees.toml");
    let end = start
        + text[start..]
            .find("\n\n")
            .expect("blank line after the table");
    format!("{}{}\n{extra}", &text[..start], &text[end..])
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

fn licence_body() -> serde_json::Value {
    serde_json::json!({"service": "med-licence", "variant": "issue", "channel": "portal",
        "applicant": {"kind": "legal_entity"},
        "form": {"applicant_name": "ТОО «Медицинский центр Ақжол»",
                 "legal_address": "Ақтау қ., 14 шағын аудан, 5 үй",
                 "phone": "+7 729 250 00 00",
                 "activity_subkinds": ["primary-care"],
                 "objects": "Ақтау қ., 14 шағын аудан, 5 үй"}})
}

/// Waits for the server's start check to set the gauge, and returns the metrics text.
fn metrics_with(app: &TestApp, line: &str) -> String {
    let start = Instant::now();
    loop {
        let m = app
            .client
            .get(app.url("/metrics"))
            .send()
            .expect("metrics")
            .text()
            .expect("text");
        if m.contains(line) || start.elapsed() > Duration::from_secs(10) {
            return m;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// An app at `clock` whose catalog_dir overrides fees.toml with an МРП 2027 of 4 444 ₸
/// (the compiled-in figure is 4 325); the directory lives as long as the returned guard.
fn with_mrp_2027_of_4444(clock: SettableClock) -> (TestApp, tempfile::TempDir) {
    let catalog = tempfile::tempdir().expect("tmp");
    write(
        catalog.path(),
        "fees.toml",
        &fees_without(
            2027,
            "[mrp.2027]\ntenge = \"4444\"\nsource = \"test: the override directory\"\n",
        ),
    );
    let dir = catalog.path().to_path_buf();
    (
        TestApp::spawn_at(clock, move |c| c.catalog_dir = Some(dir)),
        catalog,
    )
}

#[test]
fn a_paid_request_in_2027_takes_the_mrp_of_the_override_directory() {
    let (app, _catalog) = with_mrp_2027_of_4444(at(2027, 1, 15));
    let med = app.login("medcenter");
    let number = licence_request(&app, &med);
    assert!(number.starts_with("LIC-2027-"), "{number}");
    // 10 МРП × 4 444 ₸ (the override), not × 4 325 (compiled in).
    assert_eq!(state(&app, &med, &number)["fee_tiyn"], 4_444_000);
    let r = app.post(
        &med,
        &format!("/api/v1/requests/{number}/payment"),
        &serde_json::json!({}),
    );
    assert_eq!(r.status(), 200, "{:?}", r.text());
    let pay: serde_json::Value = r.json().expect("json");
    assert_eq!(pay["amount"], "44440.00");

    // 2028 has no МРП: /health says what to add, and the gauge is set.
    let h: serde_json::Value = app
        .client
        .get(app.url("/health"))
        .send()
        .expect("health")
        .json()
        .expect("json");
    assert_eq!(h["status"], "ok");
    assert_eq!(h["yearly_data"]["today"], "2027-01-15");
    assert_eq!(
        h["yearly_data"]["missing"],
        serde_json::json!([
            "no МРП for 2028: add [mrp.2028] to fees.toml in catalog_dir (RUQSAT_CATALOG_DIR)"
        ])
    );
    let years = h["yearly_data"]["years"].as_array().expect("years");
    assert!(
        years.contains(&serde_json::json!({"kind": "mrp", "year": 2027, "presence": "present"}))
    );
    assert!(years
        .contains(&serde_json::json!({"kind": "calendar", "year": 2028, "presence": "assumed"})));
    let line = "ruqsat_yearly_data_missing{kind=\"mrp\",year=\"2028\"} 1";
    let m = metrics_with(&app, line);
    assert!(m.contains(line), "{m}");
    assert!(
        m.contains("ruqsat_yearly_data_missing{kind=\"mrp\",year=\"2027\"} 0"),
        "{m}"
    );
}

#[test]
fn without_an_mrp_for_the_year_a_paid_request_names_the_year_and_the_setting() {
    let catalog = tempfile::tempdir().expect("tmp");
    write(catalog.path(), "fees.toml", &fees_without(2027, ""));
    let dir = catalog.path().to_path_buf();
    let app = TestApp::spawn_at(at(2027, 1, 15), move |c| c.catalog_dir = Some(dir));
    let med = app.login("medcenter");
    let v = assert_error(
        app.post(&med, "/api/v1/requests", &licence_body()),
        503,
        "FEE_NO_MRP_FOR_YEAR",
    );
    assert_eq!(
        v["error"]["detail"],
        "no МРП for 2027: add [mrp.2027] to fees.toml in catalog_dir (RUQSAT_CATALOG_DIR)"
    );
    // A free service is not affected.
    let aigerim = app.login("aigerim");
    home_call(&app, &aigerim);
    let h: serde_json::Value = app
        .client
        .get(app.url("/health"))
        .send()
        .expect("health")
        .json()
        .expect("json");
    let missing = h["yearly_data"]["missing"].as_array().expect("missing");
    assert_eq!(missing.len(), 2, "{h}");
    assert!(missing[0]
        .as_str()
        .is_some_and(|m| m.starts_with("no МРП for 2027")));
}

#[test]
fn a_template_override_changes_the_wording_of_a_generated_pdf_and_the_verify_page() {
    let templates = tempfile::tempdir().expect("tmp");
    let receipt = String::from_utf8(
        ruqsat::pdf::template::TEMPLATE_DIR
            .get_file("intake_receipt.toml")
            .expect("receipt")
            .contents()
            .to_vec(),
    )
    .expect("utf-8");
    let fixed = receipt.replace(
        "ru = \"Расписка о приёме документов\"",
        "ru = \"Расписка о приёме документов и их копий\"",
    );
    assert_ne!(fixed, receipt);
    write(templates.path(), "documents/intake_receipt.toml", &fixed);
    write(
        templates.path(),
        "pages/verify.html",
        &std::str::from_utf8(
            ruqsat::catalog_source::PAGES_DIR
                .get_file("verify.html")
                .expect("verify page")
                .contents(),
        )
        .expect("utf-8")
        .replace(
            "<h1>{{ document.kind_name }}</h1>",
            "<h1>{{ document.kind_name }}</h1>\n<p>Маңғыстау облысы</p>",
        ),
    );
    let dir = templates.path().to_path_buf();
    let app = TestApp::spawn_with(move |c| c.templates_dir = Some(dir));
    let mio = app.login("mio");
    let r = app.post(
        &mio,
        "/api/v1/requests",
        &serde_json::json!({"service": "disabled-child-support", "channel": "provider_desk",
               "applicant": {"kind": "person", "iin": "900712304567"}, "form": support_form()}),
    );
    assert_eq!(r.status(), 201, "{:?}", r.text());
    let number = r.json::<serde_json::Value>().expect("json")["number"]
        .as_str()
        .expect("number")
        .to_string();
    for d in SUPPORT_DOCS {
        assert_eq!(
            app.attach(&mio, &number, d, pdf_bytes(d), Some(true))
                .status(),
            201
        );
    }
    assert_eq!(app.transition(&mio, &number, "submit", None).status(), 200);
    let docs: Vec<serde_json::Value> = app
        .get(&mio, &format!("/api/v1/requests/{number}/documents"))
        .json()
        .expect("json");
    assert_eq!(docs[0]["kind"], "intake_receipt");
    let id = docs[0]["id"].as_str().expect("id");
    let r = app.get(
        &mio,
        &format!("/api/v1/requests/{number}/documents/{id}/pdf"),
    );
    assert_eq!(r.status(), 200);
    let pdf = r.bytes().expect("pdf").to_vec();
    let file = tempfile::NamedTempFile::new().expect("tmp");
    std::fs::write(file.path(), &pdf).expect("write");
    if let Some((ok, text)) = tool("pdftotext", &[&file.path().to_string_lossy(), "-"]) {
        assert!(ok, "{text}");
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            flat.contains("Расписка о приёме документов и их копий"),
            "{text}"
        );
    }
    let page = app
        .client
        .get(app.url(&format!("/verify/{id}")))
        .send()
        .expect("verify page")
        .text()
        .expect("html");
    assert!(page.contains("<p>Маңғыстау облысы</p>"), "{page}");
}

#[test]
fn a_broken_override_file_stops_the_start_naming_file_and_line() {
    let catalog = tempfile::tempdir().expect("tmp");
    write(
        catalog.path(),
        "fees.toml",
        &fees_without(2027, "[mrp.2027]\ntenge = \"4 444\"\n"),
    );
    let fees = catalog.path().join("fees.toml");
    let line = std::fs::read_to_string(&fees)
        .expect("read")
        .lines()
        .position(|l| l == "tenge = \"4 444\"")
        .expect("line")
        + 1;
    let expected = format!(
        "{}:{line}: mrp.2027.tenge: `4 444` is not an amount",
        fees.display()
    );

    // The library: building the application fails before anything else.
    let data = tempfile::tempdir().expect("tmp");
    let mut config = ruqsat::config::Config::for_dir(data.path(), None);
    config.catalog_dir = Some(catalog.path().to_path_buf());
    let store = ruqsat::db::Store::open(&config.database_url, 1).expect("store");
    let e = match ruqsat::app::App::with_store(config, store, std::sync::Arc::new(at(2027, 1, 15)))
    {
        Ok(_) => panic!("a broken fees.toml must stop the start"),
        Err(e) => e.to_string(),
    };
    assert!(e.contains(&expected), "{e}");

    // The server: `ruqsat serve` exits with the same message instead of serving.
    let mut child = Command::new(env!("CARGO_BIN_EXE_ruqsat"))
        .arg("serve")
        .env_remove("DATABASE_URL")
        .env("RUQSAT_DATA_DIR", data.path().join("serve"))
        .env("RUQSAT_LISTEN", "127.0.0.1:0")
        .env("RUQSAT_LOG_FORMAT", "text")
        .env("RUQSAT_CATALOG_DIR", catalog.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run ruqsat serve");
    let start = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("ruqsat serve started with a broken fees.toml");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = child.wait_with_output().expect("output");
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(text.contains(&expected), "{text}");
}

fn ruqsat(args: &[&str]) -> Output {
    crate::common::ruqsat_command()
        .args(args)
        .env_remove("DATABASE_URL")
        .env_remove("RUQSAT_CATALOG_DIR")
        .env_remove("RUQSAT_TEMPLATES_DIR")
        .output()
        .expect("run ruqsat")
}

#[test]
fn catalog_check_reports_what_it_loaded_or_every_problem() {
    let dir = tempfile::tempdir().expect("tmp");
    let catalog = dir.path().join("catalog");
    write(
        &catalog,
        "fees.toml",
        &format!(
            "{}\n[mrp.2028]\ntenge = \"4700\"\nverified = false\nsource = \"test\"\n",
            compiled_in("fees.toml")
        ),
    );
    let service = compiled_in("services/doctor-home-call.toml")
        .replacen(
            "code = \"doctor-home-call\"",
            "code = \"doctor-home-call-night\"",
            1,
        )
        .replacen("number_prefix = \"", "number_prefix = \"N", 1);
    write(&catalog, "services/doctor-home-call-night.toml", &service);
    write(&catalog, "README.txt", "notes");
    let o = ruqsat(&["catalog", "check", &catalog.to_string_lossy()]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    for expected in [
        "services (6): ",
        "doctor-home-call-night",
        "4\u{a0}700,00\u{a0}₸  (verified = false)",
        "calendar years: 2024",
        "2028 (verified = false)",
        "templates (12): ",
        "fees.toml  (replaces the compiled-in file)",
        "services/doctor-home-call-night.toml  (added)",
        "README.txt",
        "OK",
    ] {
        assert!(out.contains(expected), "`{expected}` missing:\n{out}");
    }

    // Problems in several files: each with file, line and field; exit 1.
    write(
        &catalog,
        "fees.toml",
        &fees_without(2027, "[mrp.2027]\ntenge = \"0\"\n"),
    );
    let broken = service.replacen("fee_rule = \"free\"", "fee_rule = \"fre\"", 1);
    assert_ne!(broken, service);
    write(&catalog, "services/doctor-home-call-night.toml", &broken);
    write(
        &catalog,
        "calendar/kz.toml",
        &compiled_in("calendar/kz.toml").replacen("year = 2028", "year = 2028\nyaer = 2028", 1),
    );
    let o = ruqsat(&["catalog", "check", &catalog.to_string_lossy()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    let line_of = |rel: &str, needle: &str| {
        std::fs::read_to_string(catalog.join(rel))
            .expect("read")
            .lines()
            .position(|l| l.contains(needle))
            .expect(needle)
            + 1
    };
    let c = catalog.display();
    for expected in [
        format!(
            "{c}/fees.toml:{}: mrp.2027.tenge: `0`: the МРП must be positive",
            line_of("fees.toml", "tenge = \"0\"")
        ),
        format!(
            "{c}/calendar/kz.toml:{}: year.yaer: unknown field `yaer`",
            line_of("calendar/kz.toml", "yaer")
        ),
        "FAILED: 2 problems".to_string(),
    ] {
        assert!(err.contains(&expected), "`{expected}` missing:\n{err}");
    }
    // With the fee table fixed, the service's unknown fee rule is found.
    write(&catalog, "fees.toml", &compiled_in("fees.toml"));
    write(
        &catalog,
        "calendar/kz.toml",
        &compiled_in("calendar/kz.toml"),
    );
    let o = ruqsat(&["catalog", "check", &catalog.to_string_lossy()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    let expected = format!(
        "{c}/services/doctor-home-call-night.toml:{}: variants.fee_rule: variant `",
        line_of("services/doctor-home-call-night.toml", "fee_rule = \"fre\"")
    );
    assert!(
        err.contains(&expected) && err.contains("fee_rule `fre` is not in the fee table"),
        "{err}"
    );

    let o = ruqsat(&["catalog", "check", "/nonexistent/catalog"]);
    assert_eq!(o.status.code(), Some(2));
    // Without DIR: the compiled-in data.
    let o = ruqsat(&["catalog", "check"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{out}");
    assert!(
        out.contains("catalog:   compiled in") && out.ends_with("OK\n"),
        "{out}"
    );
}

#[test]
fn at_half_past_midnight_on_1_january_in_kazakhstan_a_request_is_of_the_new_year() {
    // G-49: 2026-12-31 19:30 UTC is 2027-01-01 00:30 in Asia/Almaty (UTC+5), the
    // provider's zone: the request is numbered and charged as of 2027.
    let clock = SettableClock::at(
        Utc.with_ymd_and_hms(2026, 12, 31, 19, 30, 0)
            .single()
            .expect("date"),
    );
    let (app, _catalog) = with_mrp_2027_of_4444(clock);
    let med = app.login("medcenter");
    let number = licence_request(&app, &med);
    assert!(number.starts_with("LIC-2027-"), "{number}");
    assert_eq!(state(&app, &med, &number)["fee_tiyn"], 4_444_000);
}
