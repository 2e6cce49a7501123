//! Accounts (issue scope "accounts"): administrators create staff accounts with a role and a
//! provider, change and disable them over the API; the command line does the same and
//! creates the first administrator when demo data is off; every change is audited; a
//! disabled account's sessions end at once.

use crate::common::*;
use serde_json::{json, Value};
use std::io::Write;

#[test]
fn an_administrator_creates_changes_and_disables_staff_accounts_and_each_change_is_audited() {
    let app = TestApp::spawn();
    let admin = app.login("admin");
    let mio = app.login("mio");
    let body = json!({"login": "asel", "full_name": "Әсел Маратқызы Оспанова",
                      "role": "official", "provider": "shymkent-employment"});
    assert_error(
        app.post(&mio, "/api/v1/admin/users", &body),
        403,
        "ACTION_NOT_PERMITTED",
    );
    let mut no_provider = body.clone();
    no_provider["provider"] = Value::Null;
    assert_error(
        app.post(&admin, "/api/v1/admin/users", &no_provider),
        422,
        "FIELD_INVALID",
    );
    let r = app.post(&admin, "/api/v1/admin/users", &body);
    assert_eq!(r.status(), 201, "{:?}", r.text());
    let created: Value = r.json().expect("json");
    let password = created["initial_password"]
        .as_str()
        .expect("generated")
        .to_string();
    assert!(password.len() >= 12);
    assert_error(
        app.post(&admin, "/api/v1/admin/users", &body),
        422,
        "FIELD_INVALID",
    );

    let r = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"login": "asel", "password": password}))
        .send()
        .expect("login");
    assert_eq!(r.status(), 200);
    let asel = r.json::<Value>().expect("json")["token"]
        .as_str()
        .expect("token")
        .to_string();
    let me: Value = app.get(&asel, "/api/v1/me").json().expect("json");
    assert_eq!(me["role"], "official");

    // Moved to the Mangystau health department, then disabled: the session ends at once.
    let r = app.post(
        &admin,
        "/api/v1/admin/users/asel",
        &json!({"provider": "mangystau-health"}),
    );
    assert_eq!(
        r.json::<Value>().expect("json")["provider"],
        "mangystau-health"
    );
    let r = app.post(
        &admin,
        "/api/v1/admin/users/asel",
        &json!({"active": false}),
    );
    assert_eq!(r.status(), 200);
    assert_error(app.get(&asel, "/api/v1/me"), 401, "UNAUTHENTICATED");
    // An administrator cannot lock themselves out.
    assert_error(
        app.post(
            &admin,
            "/api/v1/admin/users/admin",
            &json!({"active": false}),
        ),
        403,
        "ACTION_NOT_PERMITTED",
    );

    let list: Value = app.get(&admin, "/api/v1/admin/users").json().expect("json");
    let asel_row = list
        .as_array()
        .expect("array")
        .iter()
        .find(|u| u["login"] == "asel")
        .expect("listed")
        .clone();
    assert_eq!(asel_row["active"], false);
    assert!(asel_row.get("initial_password").is_none());
    assert!(asel_row.get("password_hash").is_none());

    let id: ruqsat::domain::ids::UserId = asel_row["id"]
        .as_str()
        .expect("id")
        .parse()
        .unwrap_or_else(|e: std::convert::Infallible| match e {});
    let audit = app
        .app
        .store
        .read(|c| ruqsat::db::queries::account_audit_of(c, &id))
        .expect("audit");
    let admin_id = app.get(&admin, "/api/v1/me").json::<Value>().expect("json")["id"]
        .as_str()
        .expect("id")
        .to_string();
    let rows: Vec<(&str, &str, &str)> = audit
        .iter()
        .map(|a| (a.action.as_str(), a.actor.as_str(), a.detail.as_str()))
        .collect();
    assert_eq!(
        rows,
        [
            (
                "created",
                admin_id.as_str(),
                "role official, provider shymkent-employment"
            ),
            (
                "changed",
                admin_id.as_str(),
                "provider shymkent-employment → mangystau-health"
            ),
            ("changed", admin_id.as_str(), "disabled"),
        ]
    );
}

#[test]
fn without_demo_data_the_command_line_creates_the_first_administrator_and_staff() {
    let dir = tempfile::tempdir().expect("tmp");
    let run = |args: &[&str], stdin: Option<&str>| {
        let mut child = ruqsat_command()
            .args(args)
            .env_remove("DATABASE_URL")
            .env("RUQSAT_DATA_DIR", dir.path())
            .env("RUQSAT_DEMO_DATA", "false")
            // A production configuration names its payment gateway.
            .env("RUQSAT_GATEWAY_URL", "https://gateway.example.kz")
            .env(
                "RUQSAT_GATEWAY_CALLBACK_SECRET",
                "a-long-callback-secret-for-tests",
            )
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("ruqsat");
        if let Some(text) = stdin {
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(text.as_bytes())
                .expect("write");
        }
        let o = child.wait_with_output().expect("wait");
        let out = String::from_utf8_lossy(&o.stdout).to_string();
        assert!(
            o.status.success(),
            "{args:?}: {out}{}",
            String::from_utf8_lossy(&o.stderr)
        );
        out
    };
    assert_eq!(
        run(&["users", "list"], None),
        "",
        "no accounts without demo data"
    );
    run(
        &[
            "users",
            "add",
            "--login",
            "root",
            "--role",
            "admin",
            "--name",
            "Бас әкімші",
            "--password-stdin",
        ],
        Some("correct horse battery staple\n"),
    );
    let out = run(
        &[
            "users",
            "add",
            "--login",
            "nurlan",
            "--role",
            "con_operator",
            "--name",
            "Нұрлан Ахметов",
            "--provider",
            "con-astana-2",
        ],
        None,
    );
    assert!(out.contains("initial password (shown once): "), "{out}");
    run(
        &[
            "users",
            "set-role",
            "nurlan",
            "official",
            "--provider",
            "mangystau-health",
        ],
        None,
    );
    run(&["users", "disable", "nurlan"], None);
    let list = run(&["users", "list"], None);
    assert_eq!(
        list.lines().collect::<Vec<_>>(),
        [
            "nurlan\tofficial\tmangystau-health\tdisabled\tНұрлан Ахметов",
            "root\tadmin\t-\tactive\tБас әкімші",
        ]
    );

    // The administrator signs in with the password given on standard input.
    let mut config = ruqsat::config::Config::for_dir(dir.path(), None);
    config.demo_data = false;
    let app = ruqsat::app::App::build(config).expect("app");
    let (_, user) = ruqsat::app::auth::login(&app, "root", "correct horse battery staple", None)
        .expect("login");
    assert_eq!(user.role, ruqsat::domain::roles::Role::Admin);
    let nurlan = app
        .store
        .read(|c| ruqsat::db::queries::user_by_login(c, "nurlan"))
        .expect("read")
        .expect("nurlan");
    let audit = app
        .store
        .read(|c| ruqsat::db::queries::account_audit_of(c, &nurlan.id))
        .expect("audit");
    assert!(audit.iter().all(|a| a.actor == "cli"));
    assert_eq!(audit.len(), 3);
}
