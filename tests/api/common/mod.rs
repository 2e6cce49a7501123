//! Test harness: spawns Ruqsat on a random port against a fresh database.
//! SQLite (a temp file) by default; when `DATABASE_URL` is a postgres URL, a scratch
//! database is created on that server for each test app and dropped afterwards.
//!
//! Tests that need an independent tool or one backend ask [`require_tool`] /
//! [`require_backend`] first; see docs/testing.md.

use diesel::{Connection, PgConnection, RunQueryDsl};
use reqwest::blocking::{multipart, Client, Response};
use ruqsat::app::{App, SettableClock};
use ruqsat::config::Config;
use serde_json::{json, Value};
use std::io::Write;
use std::sync::Arc;

pub mod browser;
pub mod licence;
pub mod smtp;

pub struct TestApp {
    pub base: String,
    pub client: Client,
    pub app: App,
    /// The application's clock: real time until a test sets or advances it.
    pub clock: Arc<SettableClock>,
    handle: actix_web::dev::ServerHandle,
    thread: Option<std::thread::JoinHandle<()>>,
    pub dir: tempfile::TempDir,
    scratch: Option<(String, String)>,
    /// Other server instances on the same database: each call goes to the instance after
    /// the one the previous call went to ([`TestApp::alternate_with`]).
    others: Vec<String>,
    turn: std::sync::atomic::AtomicUsize,
}

/// The backend under test: "sqlite" or "postgres".
pub fn backend() -> &'static str {
    match std::env::var("DATABASE_URL") {
        Ok(u) if u.starts_with("postgres") => "postgres",
        _ => "sqlite",
    }
}

fn scratch_database() -> Option<(String, String, String)> {
    let admin = std::env::var("DATABASE_URL")
        .ok()
        .filter(|u| u.starts_with("postgres"))?;
    let name = format!("ruqsat_t_{}", uuid::Uuid::new_v4().simple());
    let mut c = PgConnection::establish(&admin).expect("connect to DATABASE_URL");
    diesel::sql_query(format!("CREATE DATABASE {name}"))
        .execute(&mut c)
        .expect("create scratch database");
    let mut url = url::Url::parse(&admin).expect("DATABASE_URL");
    url.set_path(&format!("/{name}"));
    Some((admin, name, url.to_string()))
}

/// A database of its own for a test that runs `ruqsat` processes on it: a scratch
/// PostgreSQL database (dropped with this value) on PostgreSQL, else a SQLite file in `dir`.
pub struct OwnDatabase {
    pub url: String,
    scratch: Option<(String, String)>,
}

impl OwnDatabase {
    pub fn new(dir: &std::path::Path) -> OwnDatabase {
        match scratch_database() {
            Some((admin, name, url)) => OwnDatabase {
                url,
                scratch: Some((admin, name)),
            },
            None => OwnDatabase {
                url: dir.join("ruqsat.db").to_string_lossy().into_owned(),
                scratch: None,
            },
        }
    }
}

impl Drop for OwnDatabase {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.scratch.take() {
            if let Ok(mut c) = PgConnection::establish(&admin) {
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut c);
            }
        }
    }
}

impl TestApp {
    pub fn spawn() -> TestApp {
        Self::spawn_with(|_| {})
    }

    /// [`TestApp::spawn`] with the clock at a moment the demo Astana polyclinic No. 1 takes
    /// home calls (R-002-08, R-002-09): now during its hours before the cut-off, else a
    /// minute after it next opens. For tests that create home calls whatever the time of day.
    pub fn spawn_in_clinic_hours() -> TestApp {
        let register = ruqsat::domain::clinics::ClinicRegister::from_toml(include_str!(
            "../../../catalog/clinics.toml"
        ))
        .expect("clinic register");
        let clinic = register.clinic("astana-polyclinic-1").expect("clinic");
        let region = register.region_of(clinic).expect("region");
        let at = ruqsat::domain::clinics::next_home_call_moment(clinic, region, chrono::Utc::now());
        Self::spawn_at(SettableClock::at(at), |_| {})
    }

    pub fn spawn_with(tune: impl FnOnce(&mut Config)) -> TestApp {
        Self::spawn_at(SettableClock::new(), tune)
    }

    /// [`TestApp::spawn_with`] with the clock already at a given time (the app checks its
    /// yearly data against the clock when it starts).
    pub fn spawn_at(clock: SettableClock, tune: impl FnOnce(&mut Config)) -> TestApp {
        // Every server's demo PKI takes the same RSA keys: making them is most of a start.
        ruqsat::demo::pki::share_keys_between_demo_pkis();
        let dir = tempfile::tempdir().expect("tempdir");
        let scratch = scratch_database();
        let mut config = Config::for_dir(dir.path(), scratch.as_ref().map(|s| s.2.clone()));
        // The real address, so links, QR codes and sandbox callbacks reach this server.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        config.public_url = format!("http://{addr}");
        tune(&mut config);
        let store = ruqsat::db::Store::open(&config.database_url, 8).expect("open store");
        store.migrate().expect("migrate");
        let clock = Arc::new(clock);
        let app = App::with_store(config, store, clock.clone()).expect("build app");
        let (tx, rx) = std::sync::mpsc::channel();
        let server_app = app.clone();
        let thread = std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let server = ruqsat::http::serve(server_app, listener, Some(2)).expect("serve");
                tx.send(server.handle()).expect("send handle");
                let _ = server.await;
            })
        });
        let handle = rx.recv().expect("server handle");
        TestApp {
            base: format!("http://{addr}"),
            client: Client::builder().build().expect("client"),
            app,
            clock,
            handle,
            thread: Some(thread),
            dir,
            scratch: scratch.map(|(a, n, _)| (a, n)),
            others: Vec::new(),
            turn: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    /// From now on, calls alternate between this server and the instance at `base`.
    pub fn alternate_with(&mut self, base: &str) {
        self.others.push(base.to_string());
    }

    /// `path` on this server, or, with other instances, on the next one in turn.
    pub fn url(&self, path: &str) -> String {
        if self.others.is_empty() {
            return format!("{}{}", self.base, path);
        }
        let k =
            self.turn.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % (self.others.len() + 1);
        let base = if k == 0 {
            &self.base
        } else {
            &self.others[k - 1]
        };
        format!("{base}{path}")
    }

    /// Logs a demo user in; returns the bearer token.
    pub fn login(&self, login: &str) -> String {
        let r = self
            .client
            .post(self.url("/api/v1/auth/login"))
            .json(&json!({"login": login, "password": format!("{login}-demo")}))
            .send()
            .expect("login");
        assert_eq!(r.status(), 200, "login {login}");
        let v: Value = r.json().expect("json");
        v["token"].as_str().expect("token").to_string()
    }

    pub fn get(&self, token: &str, path: &str) -> Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .expect("GET")
    }

    pub fn post(&self, token: &str, path: &str, body: &Value) -> Response {
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .expect("POST")
    }

    pub fn transition(
        &self,
        token: &str,
        number: &str,
        action: &str,
        reason: Option<&str>,
    ) -> Response {
        let mut body = json!({ "action": action });
        if let Some(r) = reason {
            body["reason"] = json!(r);
        }
        self.post(
            token,
            &format!("/api/v1/requests/{number}/transitions"),
            &body,
        )
    }

    /// A commission member records an opinion (`grant` / `refuse`) with its grounds (G-41).
    pub fn opinion(&self, token: &str, number: &str, opinion: &str, reason: &str) -> Response {
        self.post(
            token,
            &format!("/api/v1/requests/{number}/transitions"),
            &json!({"action": "record_conclusion", "opinion": opinion, "reason": reason}),
        )
    }

    /// The support commission concludes (G-41, A-14): both demo members, a quorum of two,
    /// record `opinion` with `reason`.
    pub fn commission_concludes(&self, number: &str, opinion: &str, reason: &str) {
        for member in ["commission", "commission2"] {
            let token = self.login(member);
            let r = self.opinion(&token, number, opinion, reason);
            assert_eq!(r.status(), 200, "{member}: {:?}", r.text());
        }
    }

    pub fn attach(
        &self,
        token: &str,
        number: &str,
        doc_type: &str,
        bytes: Vec<u8>,
        original_seen: Option<bool>,
    ) -> Response {
        let flags: Vec<(&str, String)> = original_seen
            .map(|o| ("original_seen", o.to_string()))
            .into_iter()
            .collect();
        self.attach_with(token, number, doc_type, bytes, &flags)
    }

    /// An upload with the given text fields besides `doc_type` and `file`.
    pub fn attach_with(
        &self,
        token: &str,
        number: &str,
        doc_type: &str,
        bytes: Vec<u8>,
        fields: &[(&str, String)],
    ) -> Response {
        let mut form = multipart::Form::new()
            .text("doc_type", doc_type.to_string())
            .part(
                "file",
                multipart::Part::bytes(bytes).file_name(format!("{doc_type}.pdf")),
            );
        for (name, value) in fields {
            form = form.text(name.to_string(), value.clone());
        }
        self.client
            .post(self.url(&format!("/api/v1/requests/{number}/attachments")))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .expect("attach")
    }
}

impl TestApp {
    /// Stops the HTTP server at once (no graceful drain), as a crash would; the database and
    /// files stay for a restart.
    pub fn kill_server(&mut self) {
        actix_web::rt::System::new().block_on(self.handle.stop(false));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }

    /// A new application on the same database and data directory, as after a restart.
    pub fn restarted_app(&self) -> App {
        let config = (*self.app.config).clone();
        let store = ruqsat::db::Store::open(&config.database_url, 4).expect("open store");
        store.migrate().expect("migrate");
        App::with_store(config, store, self.clock.clone()).expect("restart")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        actix_web::rt::System::new().block_on(self.handle.stop(false));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        if let Some((admin, name)) = self.scratch.take() {
            if let Ok(mut c) = PgConnection::establish(&admin) {
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut c);
            }
        }
    }
}

/// Asserts an error envelope: status, code, and messages in all three languages.
pub fn assert_error(r: Response, status: u16, code: &str) -> Value {
    assert_eq!(r.status().as_u16(), status, "expected {status} {code}");
    let v: Value = r.json().expect("error body is JSON");
    assert_eq!(v["error"]["code"], code, "{v}");
    for lang in ["ru", "kk", "en"] {
        assert!(
            v["error"]["message"][lang]
                .as_str()
                .is_some_and(|s| !s.is_empty()),
            "{lang} message: {v}"
        );
    }
    v
}

/// The smallest complete request: a doctor home call on the portal.
pub fn home_call_body() -> Value {
    json!({"service": "doctor-home-call", "channel": "portal",
           "form": {"visit_address": "Астана", "symptoms": "қызба", "phone": "+7 701 111 22 33"}})
}

/// Creates a [`home_call_body`] request; returns its number.
pub fn home_call(app: &TestApp, token: &str) -> String {
    let r = app.post(token, "/api/v1/requests", &home_call_body());
    assert_eq!(r.status(), 201, "{:?}", r.text());
    r.json::<Value>().expect("json")["number"]
        .as_str()
        .expect("number")
        .to_string()
}

/// Presses a button (`pay` or `decline`) on the sandbox gateway's payment page as its form
/// does: posts the page link's `t` key to `{page}/{button}`.
pub fn press_on_payment_page(
    client: &reqwest::blocking::Client,
    page_url: &str,
    button: &str,
) -> Response {
    let (page, token) = page_url.split_once("?t=").unwrap_or((page_url, ""));
    client
        .post(format!("{page}/{button}"))
        .form(&[("t", token)])
        .send()
        .expect("press")
}

pub fn pdf_bytes(tag: &str) -> Vec<u8> {
    ruqsat::demo::sample_pdf(tag)
}

/// The calendar date in Kazakhstan at `t`: the "today" of forms, deadlines and reports
/// (from 19:00 UTC it is already the next day there).
pub fn kz_date(t: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDate {
    t.with_timezone(&chrono_tz::Asia::Almaty).date_naive()
}

/// The first `weekday` after today that is not a public holiday (clinics book no slots on
/// holidays, A-16).
pub fn next_clinic_day(weekday: chrono::Weekday) -> chrono::NaiveDate {
    use chrono::Datelike;
    let calendar = ruqsat::domain::calendar::WorkingCalendar::kz().expect("calendar");
    let mut d = kz_date(chrono::Utc::now()) + chrono::Duration::days(1);
    while d.weekday() != weekday || calendar.is_holiday(d) {
        d += chrono::Duration::days(1);
    }
    d
}

/// A day `days` from today in Kazakhstan (negative: in the past), as a form date.
pub fn day_from_today(days: i64) -> String {
    (kz_date(chrono::Utc::now()) + chrono::Duration::days(days))
        .format("%Y-%m-%d")
        .to_string()
}

/// A complete support form. The consultation's conclusion is dated 60 days ago and the
/// disability runs a year on, so the form stays plausible whenever the tests run.
pub fn support_form() -> Value {
    json!({
        "applicant_name": "Даулет Серікұлы Омаров",
        "address": "Шымкент қ., Тәуке хан даңғылы, 12",
        "phone": "+7 701 555 12 34",
        "email": "daulet@example.kz",
        "relationship": "father",
        "child_iin": "150606600013",
        "child_name": "Әлия Даулетқызы Омарова",
        "child_birth_date": "2015-06-06",
        "disability_group": "child-under-16",
        "disability_valid_until": day_from_today(365),
        "consultation_number": "ППК-2026/114",
        "consultation_date": day_from_today(-60),
        "bank_name": "Halyk Bank",
        "iban": "KZ86125KZT5004100100",
        "delivery": "email"
    })
}

/// The number of a request the answer says was created (201).
pub fn created_number(r: Response) -> String {
    assert_eq!(r.status(), 201, "{:?}", r.text());
    r.json::<Value>().expect("json")["number"]
        .as_str()
        .expect("number")
        .to_string()
}

/// A portal support draft by `token`, nothing attached.
pub fn support_draft(app: &TestApp, token: &str) -> String {
    created_number(app.post(
        token,
        "/api/v1/requests",
        &json!({"service": "disabled-child-support", "channel": "portal", "form": support_form()}),
    ))
}

/// A support draft opened at the department desk by `token` for Даулет (900712304567).
pub fn desk_support_draft(app: &TestApp, token: &str) -> String {
    created_number(app.post(
        token,
        "/api/v1/requests",
        &json!({"service": "disabled-child-support", "channel": "provider_desk",
               "applicant": {"kind": "person", "iin": "900712304567"}, "form": support_form()}),
    ))
}

pub const SUPPORT_DOCS: [&str; 5] = [
    "birth-certificate",
    "residence",
    "consultation-conclusion",
    "disability-certificate",
    "bank-account",
];

/// A portal support request (R-004-25..29) created, with every document attached, and
/// submitted by `token`'s user; returns its number.
pub fn submitted_support_request(app: &TestApp, token: &str) -> String {
    let r = app.post(
        token,
        "/api/v1/requests",
        &json!({"service": "disabled-child-support", "channel": "portal", "form": support_form()}),
    );
    assert_eq!(r.status(), 201, "{:?}", r.text());
    let number = r.json::<Value>().expect("json")["number"]
        .as_str()
        .expect("number")
        .to_string();
    for d in SUPPORT_DOCS {
        assert_eq!(
            app.attach(token, &number, d, pdf_bytes(d), None).status(),
            201
        );
    }
    assert_eq!(app.transition(token, &number, "submit", None).status(), 200);
    number
}

/// Variables read by the tests themselves. The binary refuses unknown `RUQSAT_*` settings,
/// so a `ruqsat` process started by a test must not inherit them.
const TEST_ONLY_VARS: [&str; 3] = [
    "RUQSAT_REQUIRE_TOOLS",
    "RUQSAT_KEEP_PDFS",
    "RUQSAT_PDF_BENCH_N",
];

/// The `ruqsat` binary built for these tests, without the tests' own variables.
pub fn ruqsat_command() -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_ruqsat"));
    for v in TEST_ONLY_VARS {
        c.env_remove(v);
    }
    c
}

/// The words of a PDF as pdftotext reads them, one space between each; `None` without
/// pdftotext (a visible skip, or a failure under `RUQSAT_REQUIRE_TOOLS=1`).
pub fn pdf_words(pdf: &[u8]) -> Option<String> {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("document.pdf");
    std::fs::write(&path, pdf).expect("write");
    tool("pdftotext", &[path.to_str().expect("utf-8"), "-"])
        .map(|(_, text)| text.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// Whether the independent tool `name` (qpdf, pdfsig, pdftotext, pyhanko, moto_server) is
/// installed.
/// When it is not: with `RUQSAT_REQUIRE_TOOLS=1` (CI) the test fails here; otherwise a
/// `SKIPPED` line is printed and the caller skips what needs the tool.
pub fn require_tool(name: &str) -> bool {
    if on_path(name) {
        return true;
    }
    let install = match name {
        "moto_server" => "pip install 'moto[server]'",
        _ => "apt-get install qpdf poppler-utils; pip install pyhanko pyhanko-cli",
    };
    if tools_required() {
        panic!("{name} is not installed and RUQSAT_REQUIRE_TOOLS=1 ({install})");
    }
    skipped(&format!(
        "{name} not installed ({install}; set RUQSAT_REQUIRE_TOOLS=1 to make this fail)"
    ));
    false
}

/// Whether this run is on `wanted` ("sqlite" or "postgres"). On the other backend a `SKIPPED`
/// line is printed and the caller returns; this never fails, not even with
/// `RUQSAT_REQUIRE_TOOLS=1`, because CI runs the suite on both backends.
pub fn require_backend(wanted: &str) -> bool {
    let current = backend();
    if current == wanted {
        return true;
    }
    skipped(&format!(
        "runs on {wanted} only, this run is on {current} (CI runs the suite on both)"
    ));
    false
}

fn tools_required() -> bool {
    std::env::var("RUQSAT_REQUIRE_TOOLS").is_ok_and(|v| !v.is_empty() && v != "0")
}

fn on_path(name: &str) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::env::var_os("PATH").is_some_and(|path| {
        std::env::split_paths(&path).any(|dir| {
            std::fs::metadata(dir.join(name))
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
    })
}

/// Prints `SKIPPED <test>: <why>` on the process's stderr. Not through `eprintln!`, which the
/// test harness captures and drops for tests that pass: the line must be seen.
fn skipped(why: &str) {
    let thread = std::thread::current();
    let test = thread.name().unwrap_or("a test");
    let _ = writeln!(std::io::stderr(), "SKIPPED {test}: {why}");
}

/// Runs an independent tool: its success and its stdout + stderr, or `None` when it is not
/// installed and the check is skipped (see [`require_tool`]).
pub fn tool(name: &str, args: &[&str]) -> Option<(bool, String)> {
    if !require_tool(name) {
        return None;
    }
    let out = std::process::Command::new(name)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("running {name}: {e}"));
    Some((
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    ))
}
