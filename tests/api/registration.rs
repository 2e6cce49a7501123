//! Applicant registration (R-000-14, R-003-15, R-004-25): the IIN is proved by signing a
//! one-time challenge with the person's certificate; one account per IIN; a revoked
//! certificate, a reused or unknown challenge and a second account are refused.

use crate::common::*;
use serde_json::{json, Value};

fn signed(app: &TestApp, stem: &str, challenge: &str) -> String {
    use base64::Engine;
    let key = ruqsat::pki::SigningKey::from_p12(
        &std::fs::read(app.dir.path().join(format!("pki/users/{stem}.p12"))).expect("p12"),
        ruqsat::demo::pki::DEMO_P12_PASSWORD,
    )
    .expect("key");
    let cms = key
        .sign_detached(challenge.as_bytes(), app.app.now())
        .expect("sign");
    base64::engine::general_purpose::STANDARD.encode(cms)
}

fn new_challenge(app: &TestApp) -> String {
    let r = app
        .client
        .post(app.url("/api/v1/auth/register/challenge"))
        .send()
        .expect("challenge");
    assert_eq!(r.status(), 201);
    r.json::<Value>().expect("json")["challenge"]
        .as_str()
        .expect("challenge")
        .to_string()
}

fn register(app: &TestApp, body: &Value) -> reqwest::blocking::Response {
    app.client
        .post(app.url("/api/v1/auth/register"))
        .json(body)
        .send()
        .expect("register")
}

#[test]
fn a_person_registers_with_their_certificate_once() {
    // No demo accounts: the demo PKI's certificates belong to nobody yet.
    let app = TestApp::spawn_with(|c| c.demo_data = false);
    let challenge = new_challenge(&app);
    let body = json!({"challenge": challenge, "signature": signed(&app, "daulet", &challenge),
                      "login": "daulet.o", "password": "a long passphrase 1", "email": "d@example.kz"});
    let r = register(&app, &body);
    assert_eq!(r.status(), 201, "{:?}", r.text());
    let v: Value = r.json().expect("json");
    assert_eq!(v["role"], "applicant");
    // The name as ГБД ФЛ holds it, the IIN from the certificate.
    assert_eq!(v["full_name"], "Омаров Даулет Серікұлы");
    let token = {
        let r = app
            .client
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({"login": "daulet.o", "password": "a long passphrase 1"}))
            .send()
            .expect("login");
        assert_eq!(r.status(), 200);
        r.json::<Value>().expect("json")["token"]
            .as_str()
            .expect("token")
            .to_string()
    };
    let me: Value = app.get(&token, "/api/v1/me").json().expect("json");
    assert_eq!(me["iin"], "900712304567");

    // The same challenge twice: refused.
    assert_error(register(&app, &body), 422, "CHALLENGE_INVALID");
    // A second account for the same IIN: refused.
    let c2 = new_challenge(&app);
    let again = json!({"challenge": c2, "signature": signed(&app, "daulet", &c2),
                       "login": "daulet2", "password": "a long passphrase 2"});
    assert_error(register(&app, &again), 409, "ACCOUNT_EXISTS");
    // A signature over something else than the challenge: refused.
    let c3 = new_challenge(&app);
    let wrong = json!({"challenge": c3, "signature": signed(&app, "aigerim", "other"),
                       "login": "aigerim", "password": "a long passphrase 3"});
    let r = register(&app, &wrong);
    assert_eq!(r.status().as_u16(), 422, "{:?}", r.text());
    // A revoked certificate: refused with its code (R-003-26).
    let c4 = new_challenge(&app);
    let revoked = json!({"challenge": c4, "signature": signed(&app, "aigerim-revoked", &c4),
                         "login": "aigerim", "password": "a long passphrase 4"});
    assert_error(register(&app, &revoked), 422, "CERTIFICATE_REVOKED");
}
