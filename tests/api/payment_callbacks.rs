//! The gateway's callbacks at `POST /api/v1/payments/callback`, over HTTP on the configured
//! backend (R-003-21): forged, tampered, stale, wrong-amount and unknown-payment callbacks
//! are refused and leave the ledger and the request unchanged; the same event delivered
//! twice at the same moment, and again later, confirms the payment exactly once.

use crate::common::licence::licence_request;
use crate::common::*;
use ruqsat::domain::money::Money;
use ruqsat::payments::{sign_callback, CallbackEvent, PaymentStatus};
use serde_json::{json, Value};

const SECRET: &str = "test-callback-secret";

struct Fixture {
    app: TestApp,
    number: String,
    event: CallbackEvent,
}

fn fixture() -> Fixture {
    let app = TestApp::spawn_with(|c| {
        c.gateway_callback_secret = Some(ruqsat::config::Secret::new(SECRET));
    });
    let med = app.login("medcenter");
    let number = licence_request(&app, &med);
    let pay: Value = app
        .post(
            &med,
            &format!("/api/v1/requests/{number}/payment"),
            &json!({}),
        )
        .json()
        .expect("json");
    let p = ledger(&app, &number).0;
    let event = CallbackEvent {
        event_id: "evt-0001".into(),
        gateway_payment_id: p.gateway_payment_id.clone().expect("gateway id"),
        idempotency_key: uuid::Uuid::parse_str(pay["id"].as_str().expect("id")).expect("uuid"),
        status: PaymentStatus::Paid,
        amount: Money::from_tiyn(p.amount_tiyn),
        currency: "KZT".into(),
        at: chrono::Utc::now(),
    };
    Fixture { app, number, event }
}

/// (payment row, confirm_payment entries in the history, request state)
fn ledger(app: &TestApp, number: &str) -> (ruqsat::db::models::PaymentRow, usize, String) {
    app.app
        .store
        .read(|c| {
            let r = ruqsat::db::queries::request_by_number(c, number)?.expect("row");
            let p = ruqsat::db::queries::payments_of(c, &r.id)?
                .into_iter()
                .next()
                .expect("payment");
            let h = ruqsat::db::queries::history_of(c, &r.id)?;
            let confirms = h.iter().filter(|e| e.action == "confirm_payment").count();
            Ok((p, confirms, r.state.to_string()))
        })
        .expect("read back")
}

fn post(app: &TestApp, body: &[u8], ts: i64, secret: &str) -> reqwest::blocking::Response {
    app.client
        .post(app.url("/api/v1/payments/callback"))
        .header("X-Gateway-Timestamp", ts.to_string())
        .header(
            "X-Gateway-Signature",
            sign_callback(secret.as_bytes(), body, ts),
        )
        .body(body.to_vec())
        .send()
        .expect("callback")
}

fn unchanged(f: &Fixture) {
    let (p, confirms, state) = ledger(&f.app, &f.number);
    assert_eq!(
        (p.status.as_str(), confirms, state.as_str()),
        ("pending", 0, "awaiting_payment")
    );
}

#[test]
fn bad_callbacks_are_refused_and_change_nothing() {
    let f = fixture();
    let now = chrono::Utc::now().timestamp();
    let body = serde_json::to_vec(&f.event).expect("json");

    assert_error(
        post(&f.app, &body, now, "not-the-secret"),
        401,
        "PAYMENT_CALLBACK_BAD_SIGNATURE",
    );
    unchanged(&f);

    // Signed, then changed on the way.
    let ts = now;
    let sig = sign_callback(SECRET.as_bytes(), &body, ts);
    let mut tampered = body.clone();
    let pos = tampered.iter().position(|b| *b == b'1').expect("a digit");
    tampered[pos] = b'2';
    let r = f
        .app
        .client
        .post(f.app.url("/api/v1/payments/callback"))
        .header("X-Gateway-Timestamp", ts.to_string())
        .header("X-Gateway-Signature", sig)
        .body(tampered)
        .send()
        .expect("callback");
    assert_error(r, 401, "PAYMENT_CALLBACK_BAD_SIGNATURE");
    unchanged(&f);

    // Older than 5 minutes: a replay of a captured message.
    assert_error(
        post(&f.app, &body, now - 301, SECRET),
        401,
        "PAYMENT_CALLBACK_STALE",
    );
    unchanged(&f);

    let mut wrong_amount = f.event.clone();
    wrong_amount.amount = Money::from_tiyn(f.event.amount.tiyn() - 100);
    let b = serde_json::to_vec(&wrong_amount).expect("json");
    assert_error(
        post(&f.app, &b, now, SECRET),
        409,
        "PAYMENT_AMOUNT_MISMATCH",
    );
    unchanged(&f);

    let mut unknown = f.event.clone();
    unknown.idempotency_key = uuid::Uuid::new_v4();
    let b = serde_json::to_vec(&unknown).expect("json");
    assert_error(post(&f.app, &b, now, SECRET), 404, "PAYMENT_UNKNOWN");
    unchanged(&f);

    assert_error(
        post(&f.app, b"{not json", now, SECRET),
        400,
        "PAYMENT_CALLBACK_MALFORMED",
    );
    unchanged(&f);
}

#[test]
fn the_same_event_twice_at_once_and_again_later_confirms_once() {
    let mut f = fixture();
    let body = serde_json::to_vec(&f.event).expect("json");
    let now = chrono::Utc::now().timestamp();
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let a = s.spawn(|| post(&f.app, &body, now, SECRET).status().as_u16());
        let b = s.spawn(|| post(&f.app, &body, now, SECRET).status().as_u16());
        vec![a.join().expect("a"), b.join().expect("b")]
    });
    assert_eq!(statuses, vec![200, 200]);
    let (p, confirms, state) = ledger(&f.app, &f.number);
    assert_eq!(
        (p.status.as_str(), confirms, state.as_str()),
        ("paid", 1, "paid")
    );
    assert_eq!(p.last_event_id.as_deref(), Some("evt-0001"));

    // Delivered again a minute later (the gateway retries): answered, nothing changes.
    let r = post(&f.app, &body, now + 1, SECRET);
    assert_eq!(r.status(), 200);
    let v: Value = r.json().expect("json");
    assert_eq!(v["outcome"], "already_applied", "{v}");
    let (p2, confirms, state) = ledger(&f.app, &f.number);
    assert_eq!((confirms, state.as_str()), (1, "paid"));
    assert_eq!(p2.updated_at, p.updated_at);

    // The server dies before the applicant comes back from the payment page; after a
    // restart the request is paid and can be signed (nothing was held only in memory).
    f.app.kill_server();
    let restarted = f.app.restarted_app();
    let user = restarted
        .store
        .read(|c| ruqsat::db::queries::user_by_login(c, "medcenter"))
        .expect("read")
        .expect("user");
    let user = ruqsat::app::auth::CurrentUser::try_from(user).expect("user");
    let v = ruqsat::app::requests::get(&restarted, &user, &f.number).expect("request");
    assert_eq!(v.state.as_str(), "paid");
    assert!(ruqsat::app::signing::signing_payload(&restarted, &user, &f.number).is_ok());
}
