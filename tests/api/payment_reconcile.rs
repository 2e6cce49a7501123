//! `ruqsat payments reconcile --date D` against a gateway statement served by mockito
//! a payment confirmed in our ledger, a statement line for it with another
//! amount, and a line for a payment we never created, each reported in its category; the
//! run is read-only, so running it twice gives the same report.

use crate::common::licence::{licence_request, state};
use crate::common::*;
use ruqsat::domain::money::Money;
use ruqsat::payments::{sign_callback, CallbackEvent, PaymentStatus};
use serde_json::{json, Value};

const SECRET: &str = "reconcile-secret";

#[test]
fn statement_and_ledger_are_reconciled_into_categories() {
    let mut gw = mockito::Server::new();
    let gw_url = gw.url();
    let app = TestApp::spawn_with(|c| {
        c.gateway_url = Some(gw_url.clone());
        c.gateway_callback_secret = Some(ruqsat::config::Secret::new(SECRET));
    });
    let med = app.login("medcenter");
    let number = licence_request(&app, &med);
    let fee = Money::from_tiyn(
        state(&app, &med, &number)["fee_tiyn"]
            .as_i64()
            .expect("fee"),
    );

    // The gateway creates the payment (R-003-20).
    let create = gw
        .mock("POST", "/payments")
        .with_status(201)
        .with_header("content-type", "application/json")
        .with_body(
            json!({"gateway_payment_id": "gw_000001", "payment_page_url": format!("{gw_url}/pay/gw_000001"),
                   "status": "pending", "amount": fee, "currency": "KZT"})
            .to_string(),
        )
        .expect(1)
        .create();
    let pay: Value = app
        .post(
            &med,
            &format!("/api/v1/requests/{number}/payment"),
            &json!({}),
        )
        .json()
        .expect("json");
    create.assert();
    let ours = uuid::Uuid::parse_str(pay["id"].as_str().expect("id")).expect("uuid");

    // Confirmed by its signed callback.
    let now = chrono::Utc::now();
    let ev = CallbackEvent {
        event_id: "evt-1".into(),
        gateway_payment_id: "gw_000001".into(),
        idempotency_key: ours,
        status: PaymentStatus::Paid,
        amount: fee,
        currency: "KZT".into(),
        at: now,
    };
    let body = serde_json::to_vec(&ev).expect("json");
    let r = app
        .client
        .post(app.url("/api/v1/payments/callback"))
        .header("X-Gateway-Timestamp", now.timestamp().to_string())
        .header(
            "X-Gateway-Signature",
            sign_callback(SECRET.as_bytes(), &body, now.timestamp()),
        )
        .body(body)
        .send()
        .expect("callback");
    assert_eq!(r.status(), 200);

    // The statement: our payment with another amount, and a payment we never created.
    let date = ruqsat::payments::business_date(now);
    let stranger = uuid::Uuid::new_v4();
    let statement = gw
        .mock("GET", format!("/statements/{date}").as_str())
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_body(
            json!({"date": date, "lines": [
                {"gateway_payment_id": "gw_000001", "idempotency_key": ours,
                 "amount": Money::from_tiyn(fee.tiyn() - 1000), "currency": "KZT", "status": "paid", "paid_at": now},
                {"gateway_payment_id": "gw_000777", "idempotency_key": stranger,
                 "amount": fee, "currency": "KZT", "status": "paid", "paid_at": now}
            ]})
            .to_string(),
        )
        .expect(2)
        .create();
    let run = || {
        let mut stages = Vec::new();
        let report =
            ruqsat::app::payments::reconcile(&app.app, date, &mut |p| stages.push(p.to_string()))
                .expect("reconcile");
        (report, stages)
    };
    let (first, stages) = run();
    assert_eq!(stages.len(), 3, "{stages:?}");
    use ruqsat::payments::Category;
    assert_eq!(first.count(Category::AmountMismatch), 1, "{first}");
    assert_eq!(first.count(Category::MissingLocally), 1, "{first}");
    assert_eq!(first.count(Category::Matched), 0, "{first}");
    let text = first.to_string();
    assert!(text.contains("gw_000777"), "{text}");
    // Idempotent: the same report again, and the ledger untouched.
    let (second, _) = run();
    assert_eq!(
        serde_json::to_value(&first).expect("json"),
        serde_json::to_value(&second).expect("json")
    );
    statement.assert();
    let p: Value = app
        .get(&med, &format!("/api/v1/requests/{number}/payment"))
        .json()
        .expect("json");
    assert_eq!(p["status"], "paid");
}
