//! The ПШЭП payment gateway adapter: the HTTP client against mockito
//! (success, declined, timeout, 5xx then success, malformed, wrong amount, 4xx), signed
//! callbacks, the embedded sandbox over real HTTP, and reconciliation against a mockito
//! statement with one of each discrepancy.
//!
//! Requirements: R-003-08 (paid service through ПШЭП), R-003-09 (payment by card/account
//! at the gateway's page), R-003-20 (payment process), R-003-21 (the payment is checked:
//! only a verified callback or a status query confirms it), R-003-22 (no payment → refusal,
//! so an unconfirmed payment must never look paid), G-21 (amount, КБК, purpose assumed).

use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::common::press_on_payment_page;
use chrono::{NaiveDate, Utc};
use mockito::Matcher;
use ruqsat::config::Secret;
use ruqsat::demo::gateway::{self, DeliveryPolicy, SandboxGateway};
use ruqsat::domain::money::Money;
use ruqsat::payments::reconcile::Category;
use ruqsat::payments::{
    apply_event, business_date, reconcile, sign_callback, verify_callback, Backoff, CallbackError,
    CallbackEvent, EventOutcome, GatewayError, HttpGateway, HttpGatewayConfig, LedgerPayment,
    NewPayment, PaymentGateway, PaymentStatus, StatementLine, SIGNATURE_HEADER, TIMESTAMP_HEADER,
};
use serde_json::json;
use uuid::Uuid;

const API_KEY: &str = "test-api-key-do-not-log";
const SECRET: &str = "test-callback-secret";

fn new_payment(key: Uuid) -> NewPayment {
    NewPayment {
        idempotency_key: key,
        amount: Money::from_tiyn(4_325_000), // 43 250.00 ₸ = 10 МРП 2026 (G-21, unverified)
        currency: "KZT".to_owned(),
        payer_iin_bin: "050340001235".to_owned(),
        purpose: "Лицензионный сбор: медицинская деятельность, MED-2026-000001".to_owned(),
        kbk: "105402".to_owned(),
        return_url: "http://127.0.0.1:8080/requests/MED-2026-000001".to_owned(),
    }
}

/// Pauses recorded instead of slept.
type Pauses = Arc<Mutex<Vec<Duration>>>;

/// A client with a short timeout and a 1 ms → 2 ms backoff that records its pauses.
fn client(base: &str, timeout: Duration) -> (HttpGateway, Pauses) {
    let pauses: Pauses = Arc::new(Mutex::new(Vec::new()));
    let rec = Arc::clone(&pauses);
    let gw = HttpGateway::new(HttpGatewayConfig {
        base_url: base.to_owned(),
        api_key: Secret::new(API_KEY),
        timeout,
        attempts: 3,
        backoff: Backoff {
            initial: Duration::from_millis(1),
            factor: 2,
            max: Duration::from_millis(50),
        },
    })
    .expect("valid base URL")
    .with_sleeper(Arc::new(move |d| {
        if let Ok(mut v) = rec.lock() {
            v.push(d);
        }
        std::thread::sleep(d);
    }));
    (gw, pauses)
}

fn pauses(p: &Pauses) -> Vec<Duration> {
    p.lock().map(|v| v.clone()).unwrap_or_default()
}

fn created_json(key: Uuid, amount: &str, currency: &str) -> String {
    json!({
        "gateway_payment_id": "gw_0001",
        "idempotency_key": key,
        "payment_page_url": "https://pay.example.kz/pay/gw_0001",
        "status": "pending",
        "amount": amount,
        "currency": currency,
    })
    .to_string()
}

/// Waits until a mock has had its expected hits (the server may still be finishing a
/// request the client already gave up on).
fn wait_matched(mock: &mockito::Mock, within: Duration) {
    let deadline = Instant::now() + within;
    while !mock.matched() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    mock.assert();
}

// --- the HTTP client ---------------------------------------------------------------------

/// R-003-08, R-003-20: a payment is created with amount, payer, purpose, КБК and the
/// idempotency key; the bearer key and the decimal-string amount are on the wire.
#[test]
fn create_success() {
    let mut server = mockito::Server::new();
    let key = Uuid::new_v4();
    let mock = server
        .mock("POST", "/payments")
        .match_header("authorization", format!("Bearer {API_KEY}").as_str())
        .match_header("idempotency-key", key.to_string().as_str())
        .match_header("content-type", "application/json")
        .match_body(Matcher::PartialJson(json!({
            "idempotency_key": key,
            "amount": "43250.00",
            "currency": "KZT",
            "payer_iin_bin": "050340001235",
            "kbk": "105402",
        })))
        .with_status(201)
        .with_header("content-type", "application/json")
        .with_body(created_json(key, "43250.00", "KZT"))
        .expect(1)
        .create();
    let (gw, p) = client(&server.url(), Duration::from_secs(2));
    let c = gw.create_payment(&new_payment(key)).expect("created");
    assert_eq!(c.gateway_payment_id, "gw_0001");
    assert_eq!(c.payment_page_url, "https://pay.example.kz/pay/gw_0001");
    assert_eq!(c.status, PaymentStatus::Pending);
    assert!(pauses(&p).is_empty(), "no retry");
    mock.assert();
    // The API key never shows in Debug output.
    assert!(!format!("{gw:?}").contains(API_KEY));
}

/// R-003-21: the status query is one of the two ways a payment is confirmed.
#[test]
fn status_paid_and_declined() {
    let mut server = mockito::Server::new();
    let key = Uuid::new_v4();
    let paid = server
        .mock("GET", "/payments/gw_paid")
        .match_header("authorization", format!("Bearer {API_KEY}").as_str())
        .with_status(200)
        .with_body(
            json!({"gateway_payment_id": "gw_paid", "idempotency_key": key, "status": "paid",
                   "amount": "43250.00", "currency": "KZT", "paid_at": "2026-03-02T06:00:00Z"})
            .to_string(),
        )
        .expect(1)
        .create();
    let declined = server
        .mock("GET", "/payments/gw_declined")
        .with_status(200)
        .with_body(
            json!({"gateway_payment_id": "gw_declined", "status": "declined",
                   "amount": "43250.00", "currency": "KZT", "paid_at": null})
            .to_string(),
        )
        .expect(1)
        .create();
    let (gw, _) = client(&server.url(), Duration::from_secs(2));
    let p = gw.payment_status("gw_paid").expect("paid");
    assert_eq!(p.status, PaymentStatus::Paid);
    assert_eq!(p.idempotency_key, Some(key));
    assert_eq!(p.amount, Money::from_tiyn(4_325_000));
    assert!(p.paid_at.is_some());
    let d = gw.payment_status("gw_declined").expect("declined");
    assert_eq!(d.status, PaymentStatus::Declined);
    assert_eq!(d.paid_at, None);
    paid.assert();
    declined.assert();
}

/// R-003-22: a declined payment is an error on creation, never retried.
#[test]
fn create_declined() {
    let mut server = mockito::Server::new();
    let mock = server
        .mock("POST", "/payments")
        .with_status(402)
        .with_body(r#"{"error":{"code":"card_declined","message":"Insufficient funds"}}"#)
        .expect(1)
        .create();
    let (gw, p) = client(&server.url(), Duration::from_secs(2));
    let e = gw
        .create_payment(&new_payment(Uuid::new_v4()))
        .expect_err("declined");
    assert!(
        matches!(&e, GatewayError::Declined(m) if m.contains("card_declined")),
        "{e:?}"
    );
    assert_eq!(e.code().as_str(), "PAYMENT_DECLINED");
    assert!(pauses(&p).is_empty());
    mock.assert();

    // A 2xx answer whose status is `declined` is also a decline.
    let key = Uuid::new_v4();
    let body = json!({
        "gateway_payment_id": "gw_0002", "idempotency_key": key,
        "payment_page_url": "https://pay.example.kz/pay/gw_0002",
        "status": "declined", "amount": "43250.00", "currency": "KZT",
    });
    let m2 = server
        .mock("POST", "/payments")
        .with_status(201)
        .with_body(body.to_string())
        .expect(1)
        .create();
    let e = gw.create_payment(&new_payment(key)).expect_err("declined");
    assert_eq!(e.code().as_str(), "PAYMENT_DECLINED");
    m2.assert();
}

/// R-003-20: an answer slower than the timeout → retried with backoff → `Timeout` after 3
/// attempts (the request stays "awaiting payment"; nothing is lost).
#[test]
fn timeout_is_retried_then_timeout() {
    let mut server = mockito::Server::new();
    let key = Uuid::new_v4();
    let mock = server
        .mock("POST", "/payments")
        .match_header("idempotency-key", key.to_string().as_str())
        .with_status(201)
        .with_body_from_request(move |_| {
            std::thread::sleep(Duration::from_millis(500)); // beyond the 150 ms timeout
            created_json(key, "43250.00", "KZT").into_bytes()
        })
        .expect(3)
        .create();
    let (gw, p) = client(&server.url(), Duration::from_millis(150));
    let started = Instant::now();
    let e = gw.create_payment(&new_payment(key)).expect_err("timeout");
    assert!(matches!(e, GatewayError::Timeout(_)), "{e:?}");
    assert_eq!(e.code().as_str(), "PAYMENT_GATEWAY_TIMEOUT");
    assert!(e.is_transient());
    assert!(
        started.elapsed() >= Duration::from_millis(450),
        "3 × 150 ms"
    );
    assert_eq!(
        pauses(&p),
        vec![Duration::from_millis(1), Duration::from_millis(2)],
        "exponential backoff between the 3 attempts"
    );
    wait_matched(&mock, Duration::from_secs(5));
}

/// R-003-20: 503 then 201 → success on the retry, which carries the same
/// `Idempotency-Key` (both mocks only match that key), so the gateway creates one payment.
#[test]
fn server_error_then_success_with_the_same_idempotency_key() {
    let mut server = mockito::Server::new();
    let key = Uuid::new_v4();
    let first = server
        .mock("POST", "/payments")
        .match_header("idempotency-key", key.to_string().as_str())
        .match_body(Matcher::PartialJson(json!({ "idempotency_key": key })))
        .with_status(503)
        .expect(1)
        .create();
    let second = server
        .mock("POST", "/payments")
        .match_header("idempotency-key", key.to_string().as_str())
        .match_body(Matcher::PartialJson(json!({ "idempotency_key": key })))
        .with_status(201)
        .with_body(created_json(key, "43250.00", "KZT"))
        .expect(1)
        .create();
    let (gw, p) = client(&server.url(), Duration::from_secs(2));
    let c = gw
        .create_payment(&new_payment(key))
        .expect("created on retry");
    assert_eq!(c.gateway_payment_id, "gw_0001");
    assert_eq!(pauses(&p), vec![Duration::from_millis(1)]);
    first.assert();
    second.assert();
}

/// 5xx on every attempt → `Unavailable` after 3 attempts; connection refused likewise.
#[test]
fn persistent_outage_is_unavailable() {
    let mut server = mockito::Server::new();
    let mock = server
        .mock("GET", "/payments/gw_1")
        .with_status(502)
        .expect(3)
        .create();
    let (gw, p) = client(&server.url(), Duration::from_secs(2));
    let e = gw.payment_status("gw_1").expect_err("unavailable");
    assert_eq!(e.code().as_str(), "PAYMENT_GATEWAY_UNAVAILABLE");
    assert_eq!(pauses(&p).len(), 2);
    mock.assert();

    let port = {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let (gw, p) = client(&format!("http://127.0.0.1:{port}"), Duration::from_secs(1));
    let e = gw
        .create_payment(&new_payment(Uuid::new_v4()))
        .expect_err("refused");
    assert!(matches!(e, GatewayError::Unavailable(_)), "{e:?}");
    assert_eq!(pauses(&p).len(), 2);
}

/// Malformed answers are `Malformed`, not retried.
#[test]
fn malformed_responses() {
    let mut server = mockito::Server::new();
    let key = Uuid::new_v4();
    let junk = server
        .mock("POST", "/payments")
        .with_status(201)
        .with_body("{\"gateway_payment_id\": ")
        .expect(1)
        .create();
    let (gw, p) = client(&server.url(), Duration::from_secs(2));
    let e = gw.create_payment(&new_payment(key)).expect_err("malformed");
    assert_eq!(e.code().as_str(), "PAYMENT_GATEWAY_MALFORMED");
    assert!(pauses(&p).is_empty());
    junk.assert();
    junk.remove();

    // Amount as a JSON number (may have gone through floating point): refused.
    let number = server
        .mock("POST", "/payments")
        .with_status(201)
        .with_body(
            json!({"gateway_payment_id": "gw_1", "payment_page_url": "https://p.kz/x",
                   "status": "pending", "amount": 43250.0, "currency": "KZT"})
            .to_string(),
        )
        .create();
    let e = gw.create_payment(&new_payment(key)).expect_err("malformed");
    assert_eq!(e.code().as_str(), "PAYMENT_GATEWAY_MALFORMED");
    number.remove();

    // A page URL that is not http(s).
    let bad_url = server
        .mock("POST", "/payments")
        .with_status(201)
        .with_body(
            json!({"gateway_payment_id": "gw_1", "payment_page_url": "javascript:alert(1)",
                   "status": "pending", "amount": "43250.00", "currency": "KZT"})
            .to_string(),
        )
        .create();
    let e = gw.create_payment(&new_payment(key)).expect_err("malformed");
    assert_eq!(e.code().as_str(), "PAYMENT_GATEWAY_MALFORMED");
    bad_url.remove();

    // A status answer about another payment.
    let other = server
        .mock("GET", "/payments/gw_1")
        .with_status(200)
        .with_body(
            json!({"gateway_payment_id": "gw_2", "status": "paid",
                   "amount": "43250.00", "currency": "KZT"})
            .to_string(),
        )
        .expect(1)
        .create();
    let e = gw.payment_status("gw_1").expect_err("malformed");
    assert_eq!(e.code().as_str(), "PAYMENT_GATEWAY_MALFORMED");
    other.assert();

    // A statement of another day.
    let _day = server
        .mock("GET", "/statements/2026-03-02")
        .with_status(200)
        .with_body(json!({"date": "2026-03-01", "lines": []}).to_string())
        .create();
    let e = gw
        .statement(NaiveDate::from_ymd_opt(2026, 3, 2).expect("date"))
        .expect_err("malformed");
    assert_eq!(e.code().as_str(), "PAYMENT_GATEWAY_MALFORMED");
}

/// R-003-21: the answer must carry the amount and currency we asked for.
#[test]
fn wrong_amount_or_currency_in_the_answer() {
    let mut server = mockito::Server::new();
    let key = Uuid::new_v4();
    let (gw, _) = client(&server.url(), Duration::from_secs(2));
    let m = server
        .mock("POST", "/payments")
        .with_status(201)
        .with_body(created_json(key, "43250.01", "KZT"))
        .expect(1)
        .create();
    let e = gw.create_payment(&new_payment(key)).expect_err("mismatch");
    assert!(matches!(e, GatewayError::AmountMismatch(_)), "{e:?}");
    assert_eq!(e.code().as_str(), "PAYMENT_AMOUNT_MISMATCH");
    m.assert();
    m.remove();
    let m = server
        .mock("POST", "/payments")
        .with_status(201)
        .with_body(created_json(key, "43250.00", "USD"))
        .expect(1)
        .create();
    let e = gw.create_payment(&new_payment(key)).expect_err("mismatch");
    assert_eq!(e.code().as_str(), "PAYMENT_AMOUNT_MISMATCH");
    m.assert();
}

/// 4xx are never retried: 400 → `Rejected`, 409 → `Rejected`, 404 → `NotFound`.
#[test]
fn client_errors_are_not_retried() {
    let mut server = mockito::Server::new();
    let (gw, p) = client(&server.url(), Duration::from_secs(2));
    for status in [400, 401, 409, 422, 429] {
        let m = server
            .mock("POST", "/payments")
            .with_status(status)
            .with_body(r#"{"error":{"code":"bad_request","message":"no"}}"#)
            .expect(1)
            .create();
        let e = gw
            .create_payment(&new_payment(Uuid::new_v4()))
            .expect_err("rejected");
        assert!(
            matches!(&e, GatewayError::Rejected(msg) if msg.contains(&status.to_string())),
            "{status}: {e:?}"
        );
        m.assert();
        m.remove();
    }
    let nf = server
        .mock("GET", "/payments/gw_missing")
        .with_status(404)
        .expect(1)
        .create();
    assert_eq!(gw.payment_status("gw_missing"), Err(GatewayError::NotFound));
    nf.assert();
    assert!(pauses(&p).is_empty(), "no 4xx was retried");
    // An invalid request never leaves the process.
    let bad = NewPayment {
        kbk: "12".to_owned(),
        ..new_payment(Uuid::new_v4())
    };
    assert_eq!(
        gw.create_payment(&bad).map_err(|e| e.code().as_str()),
        Err("PAYMENT_INVALID_REQUEST")
    );
}

// --- callbacks ----------------------------------------------------------------------------

fn event(key: Uuid, status: PaymentStatus, tiyn: i64) -> CallbackEvent {
    CallbackEvent {
        event_id: "evt_1".to_owned(),
        gateway_payment_id: "gw_0001".to_owned(),
        idempotency_key: key,
        status,
        amount: Money::from_tiyn(tiyn),
        currency: "KZT".to_owned(),
        at: Utc::now(),
    }
}

fn ledger_entry(key: Uuid, status: PaymentStatus) -> LedgerPayment {
    LedgerPayment {
        payment_id: key,
        gateway_payment_id: Some("gw_0001".to_owned()),
        amount: Money::from_tiyn(4_325_000),
        currency: "KZT".to_owned(),
        status,
        paid_at: None,
        request_number: Some("MED-2026-000001".to_owned()),
        request_state: Some(ruqsat::domain::lifecycle::State::AwaitingPayment),
        last_event_id: None,
    }
}

/// R-003-21: a verified callback confirms the payment; the same event twice changes
/// nothing.
#[test]
fn callback_valid_then_duplicate() {
    let key = Uuid::new_v4();
    let now = Utc::now();
    let body = serde_json::to_vec(&event(key, PaymentStatus::Paid, 4_325_000)).expect("json");
    let ts = now.timestamp();
    let sig = sign_callback(SECRET.as_bytes(), &body, ts);
    let ev = verify_callback(SECRET.as_bytes(), &body, &sig, &ts.to_string(), now).expect("valid");
    let mut ledger = ledger_entry(key, PaymentStatus::Pending);
    let outcome = apply_event(&ledger, &ev).expect("applies");
    assert_eq!(outcome, EventOutcome::Confirmed);
    // The caller stores the outcome …
    ledger.status = outcome.new_status().expect("a change");
    ledger.last_event_id = Some(ev.event_id.clone());
    // … and a replay of the same (still fresh, correctly signed) event changes nothing.
    let again =
        verify_callback(SECRET.as_bytes(), &body, &sig, &ts.to_string(), now).expect("valid");
    assert_eq!(
        apply_event(&ledger, &again),
        Ok(EventOutcome::AlreadyApplied)
    );
    // A different event id with the same status also changes nothing.
    let mut other = again.clone();
    other.event_id = "evt_2".to_owned();
    assert_eq!(
        apply_event(&ledger, &other),
        Ok(EventOutcome::AlreadyApplied)
    );
}

/// R-003-21: forged signature, stale timestamp and tampered body are refused.
#[test]
fn callback_refusals() {
    let key = Uuid::new_v4();
    let now = Utc::now();
    let body = serde_json::to_vec(&event(key, PaymentStatus::Paid, 4_325_000)).expect("json");
    let ts = now.timestamp();
    let sig = sign_callback(SECRET.as_bytes(), &body, ts);

    let forged = sign_callback(b"attacker-secret", &body, ts);
    let e = verify_callback(SECRET.as_bytes(), &body, &forged, &ts.to_string(), now)
        .expect_err("forged");
    assert_eq!(e, CallbackError::BadSignature);
    assert_eq!(e.code().as_str(), "PAYMENT_CALLBACK_BAD_SIGNATURE");

    let old = ts - 301;
    let stale_sig = sign_callback(SECRET.as_bytes(), &body, old);
    let e = verify_callback(SECRET.as_bytes(), &body, &stale_sig, &old.to_string(), now)
        .expect_err("stale");
    assert_eq!(e.code().as_str(), "PAYMENT_CALLBACK_STALE");

    let tampered = String::from_utf8(body.clone())
        .expect("utf-8")
        .replace("43250.00", "1.00");
    assert_ne!(tampered.as_bytes(), &body[..]);
    let e = verify_callback(
        SECRET.as_bytes(),
        tampered.as_bytes(),
        &sig,
        &ts.to_string(),
        now,
    )
    .expect_err("tampered");
    assert_eq!(e.code().as_str(), "PAYMENT_CALLBACK_BAD_SIGNATURE");

    let e = verify_callback(SECRET.as_bytes(), &body, "", &ts.to_string(), now)
        .expect_err("missing signature");
    assert_eq!(e.code().as_str(), "PAYMENT_CALLBACK_BAD_SIGNATURE");

    let junk = b"not json";
    let e = verify_callback(
        SECRET.as_bytes(),
        junk,
        &sign_callback(SECRET.as_bytes(), junk, ts),
        &ts.to_string(),
        now,
    )
    .expect_err("malformed");
    assert_eq!(e.code().as_str(), "PAYMENT_CALLBACK_MALFORMED");
}

/// R-003-21: a correctly signed callback with another amount or currency, or for a
/// payment the ledger does not know, is refused; the ledger is unchanged.
#[test]
fn callback_amount_currency_and_unknown() {
    let key = Uuid::new_v4();
    let ledger = ledger_entry(key, PaymentStatus::Pending);
    let e = apply_event(&ledger, &event(key, PaymentStatus::Paid, 4_324_999)).expect_err("amount");
    assert_eq!(e.code().as_str(), "PAYMENT_AMOUNT_MISMATCH");
    let mut ev = event(key, PaymentStatus::Paid, 4_325_000);
    ev.currency = "RUB".to_owned();
    assert_eq!(
        apply_event(&ledger, &ev).map_err(|e| e.code().as_str()),
        Err("PAYMENT_CURRENCY_MISMATCH")
    );
    let stranger = event(Uuid::new_v4(), PaymentStatus::Paid, 4_325_000);
    assert_eq!(
        apply_event(&ledger, &stranger).map_err(|e| e.code().as_str()),
        Err("PAYMENT_UNKNOWN")
    );
}

// --- the sandbox over real HTTP ---------------------------------------------------------

struct SandboxServer {
    base: String,
    handle: actix_web::dev::ServerHandle,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for SandboxServer {
    fn drop(&mut self) {
        let handle = self.handle.clone();
        let stop = std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(handle.stop(false));
        });
        let _ = stop.join();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn spawn_sandbox(gw: SandboxGateway) -> SandboxServer {
    let data = actix_web::web::Data::new(gw);
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (tx, rx) = std::sync::mpsc::channel();
    let thread = std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let server = actix_web::HttpServer::new(move || {
                actix_web::App::new().service(gateway::scope(data.clone()))
            })
            .workers(1)
            .listen(listener)
            .expect("listen")
            .run();
            tx.send(server.handle()).expect("send handle");
            let _ = server.await;
        })
    });
    let handle = rx.recv().expect("server handle");
    SandboxServer {
        base: format!("http://{addr}"),
        handle,
        thread: Some(thread),
    }
}

type Captured = Arc<Mutex<Vec<(Vec<u8>, String, String)>>>;

/// A mockito listener for callbacks that records each delivery (body, signature, ts).
fn callback_listener(server: &mut mockito::ServerGuard, hits: usize) -> (mockito::Mock, Captured) {
    let captured: Captured = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&captured);
    let mock = server
        .mock("POST", "/payments/callback")
        .match_header("content-type", "application/json")
        .match_header(
            SIGNATURE_HEADER,
            Matcher::Regex("^[0-9a-f]{64}$".to_owned()),
        )
        .match_header(TIMESTAMP_HEADER, Matcher::Regex("^[0-9]+$".to_owned()))
        .with_status(200)
        .with_body_from_request(move |req| {
            let h = |name: &str| {
                req.header(name)
                    .first()
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned()
            };
            let body = req.body().cloned().unwrap_or_default();
            if let Ok(mut v) = sink.lock() {
                v.push((body, h(SIGNATURE_HEADER), h(TIMESTAMP_HEADER)));
            }
            b"ok".to_vec()
        })
        .expect(hits)
        .create();
    (mock, captured)
}

fn no_redirects() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client")
}

/// R-003-09, R-003-20, R-003-21: create through `HttpGateway` → the payment page shows the
/// amount → «Pay» → a signed callback reaches the app's listener → the status query says
/// paid; the same idempotency key answers the same payment; the statement has the line
/// and reconciles as matched.
#[test]
fn sandbox_pay_flow_over_http() {
    let mut listener = mockito::Server::new();
    let (cb_mock, captured) = callback_listener(&mut listener, 1);
    let sandbox_gw = SandboxGateway::new(SECRET, format!("{}/payments/callback", listener.url()))
        .with_api_key(Secret::new(API_KEY))
        .with_delivery(DeliveryPolicy {
            attempts: 3,
            pause: Duration::from_millis(20),
            timeout: Duration::from_secs(2),
        });
    let srv = spawn_sandbox(sandbox_gw);
    let base = format!("{}/sandbox/gateway", srv.base);
    let (gw, _) = client(&base, Duration::from_secs(5));

    let key = Uuid::new_v4();
    let np = new_payment(key);
    let created = gw.create_payment(&np).expect("created");
    assert_eq!(created.status, PaymentStatus::Pending);
    assert!(
        created
            .payment_page_url
            .starts_with(&format!("{base}/pay/")),
        "{}",
        created.payment_page_url
    );

    // The payment page shows the amount (R-003-09: the payer pays on the gateway's page).
    let http = no_redirects();
    let page = http.get(&created.payment_page_url).send().expect("page");
    assert_eq!(page.status(), 200);
    let html = page.text().expect("html");
    assert!(html.contains("43250.00 KZT"), "{html}");
    assert!(html.contains("43\u{a0}250,00\u{a0}₸"), "{html}");
    assert!(html.contains("/pay\""), "a Pay form: {html}");
    assert!(html.contains("/decline\""), "a Decline form: {html}");

    // Before paying, the status is pending (the browser's return confirms nothing).
    let st = gw
        .payment_status(&created.gateway_payment_id)
        .expect("status");
    assert_eq!(st.status, PaymentStatus::Pending);

    // «Pay» → 303 to the return URL.
    let r = press_on_payment_page(&http, &created.payment_page_url, "pay");
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default(),
        np.return_url
    );

    // The signed callback reached the listener and verifies with the shared secret.
    wait_matched(&cb_mock, Duration::from_secs(10));
    let (body, sig, ts) = captured
        .lock()
        .ok()
        .and_then(|v| v.first().cloned())
        .expect("a delivery");
    let ev = verify_callback(SECRET.as_bytes(), &body, &sig, &ts, Utc::now()).expect("valid HMAC");
    assert_eq!(ev.status, PaymentStatus::Paid);
    assert_eq!(ev.idempotency_key, key);
    assert_eq!(ev.gateway_payment_id, created.gateway_payment_id);
    assert_eq!(ev.amount, np.amount);
    let mut ledger = LedgerPayment {
        gateway_payment_id: Some(created.gateway_payment_id.clone()),
        ..ledger_entry(key, PaymentStatus::Pending)
    };
    assert_eq!(apply_event(&ledger, &ev), Ok(EventOutcome::Confirmed));

    // The status query says paid.
    let st = gw
        .payment_status(&created.gateway_payment_id)
        .expect("status");
    assert_eq!(st.status, PaymentStatus::Paid);
    assert_eq!(st.amount, np.amount);
    let paid_at = st.paid_at.expect("paid_at");

    // The same idempotency key answers the same payment, now paid.
    let again = gw.create_payment(&np).expect("same payment");
    assert_eq!(again.gateway_payment_id, created.gateway_payment_id);
    assert_eq!(again.status, PaymentStatus::Paid);
    // The same key with another amount is refused (409, not retried).
    let other = NewPayment {
        amount: Money::from_tiyn(100),
        ..np.clone()
    };
    assert_eq!(
        gw.create_payment(&other).map_err(|e| e.code().as_str()),
        Err("PAYMENT_GATEWAY_REJECTED")
    );

    // A second click changes nothing and sends no second callback.
    let r = press_on_payment_page(&http, &created.payment_page_url, "decline");
    assert_eq!(r.status(), 303);
    assert_eq!(
        gw.payment_status(&created.gateway_payment_id)
            .expect("status")
            .status,
        PaymentStatus::Paid
    );

    // The statement of the day has the line; with the ledger updated it is matched.
    let lines = gw.statement(business_date(paid_at)).expect("statement");
    assert_eq!(lines.len(), 1);
    ledger.status = PaymentStatus::Paid;
    ledger.paid_at = Some(paid_at);
    ledger.request_state = Some(ruqsat::domain::lifecycle::State::Paid);
    let report = reconcile(&lines, &[ledger]);
    assert_eq!(report.count(Category::Matched), 1, "{report}");
    assert!(report.is_clean());

    // Wrong API key → 401 → `Rejected`.
    let wrong =
        HttpGateway::new(HttpGatewayConfig::new(&base, Secret::new("wrong"))).expect("client");
    assert_eq!(
        wrong
            .payment_status(&created.gateway_payment_id)
            .map_err(|e| e.code().as_str()),
        Err("PAYMENT_GATEWAY_REJECTED")
    );
    std::thread::sleep(Duration::from_millis(100));
    cb_mock.assert(); // still exactly one callback
}

/// R-003-22: «Decline» → a signed `declined` callback; the status stays not paid. An
/// unreachable callback URL loses nothing: the status query still answers.
#[test]
fn sandbox_decline_and_unreachable_callback() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let sandbox_gw = SandboxGateway::new(SECRET, format!("http://127.0.0.1:{port}/cb"))
        .with_delivery(DeliveryPolicy {
            attempts: 2,
            pause: Duration::from_millis(10),
            timeout: Duration::from_millis(500),
        });
    let srv = spawn_sandbox(sandbox_gw);
    let base = format!("{}/sandbox/gateway", srv.base);
    let (gw, _) = client(&base, Duration::from_secs(5));
    let http = no_redirects();

    let declined = gw
        .create_payment(&new_payment(Uuid::new_v4()))
        .expect("created");
    let r = press_on_payment_page(&http, &declined.payment_page_url, "decline");
    assert_eq!(r.status(), 303);
    assert_eq!(
        gw.payment_status(&declined.gateway_payment_id)
            .expect("status")
            .status,
        PaymentStatus::Declined
    );

    let paid = gw
        .create_payment(&new_payment(Uuid::new_v4()))
        .expect("created");
    let r = press_on_payment_page(&http, &paid.payment_page_url, "pay");
    assert_eq!(r.status(), 303);
    // The callback cannot be delivered; the payment is still confirmed by a status query.
    assert_eq!(
        gw.payment_status(&paid.gateway_payment_id)
            .expect("status")
            .status,
        PaymentStatus::Paid
    );

    // The page and its buttons need the link's key: a payment id alone opens nothing.
    let (bare, _) = paid.payment_page_url.split_once("?t=").expect("keyed link");
    assert_eq!(http.get(bare).send().expect("page").status(), 404);
    let r = press_on_payment_page(&http, bare, "decline");
    assert_eq!(r.status(), 404);
    let r = press_on_payment_page(&http, &format!("{bare}?t=00ff"), "decline");
    assert_eq!(r.status(), 404);
    assert_eq!(
        gw.payment_status(&paid.gateway_payment_id)
            .expect("status")
            .status,
        PaymentStatus::Paid
    );

    // Unknown payments: 404 page and `NotFound`.
    let r = http
        .get(format!("{base}/pay/sbx_unknown"))
        .send()
        .expect("page");
    assert_eq!(r.status(), 404);
    assert_eq!(
        gw.payment_status("sbx_unknown"),
        Err(GatewayError::NotFound)
    );
    // A missing Idempotency-Key is refused by the sandbox.
    let r = http
        .post(format!("{base}/payments"))
        .json(&new_payment(Uuid::new_v4()))
        .send()
        .expect("post");
    assert_eq!(r.status(), 400);
}

// --- reconciliation against a mockito statement ------------------------------------------

fn stmt_line(n: u128, tiyn: i64) -> serde_json::Value {
    json!({
        "gateway_payment_id": format!("gw_{n}"),
        "idempotency_key": Uuid::from_u128(n),
        "amount": Money::from_tiyn(tiyn),
        "currency": "KZT",
        "status": "paid",
        "paid_at": "2026-03-02T06:00:00Z",
    })
}

fn ledger_of(n: u128, tiyn: i64, status: PaymentStatus, state: Option<&str>) -> LedgerPayment {
    LedgerPayment {
        payment_id: Uuid::from_u128(n),
        gateway_payment_id: Some(format!("gw_{n}")),
        amount: Money::from_tiyn(tiyn),
        currency: "KZT".to_owned(),
        status,
        paid_at: None,
        request_number: Some(format!("MED-2026-{n:06}")),
        request_state: state.map(|s| s.parse().expect("a state")),
        last_event_id: None,
    }
}

/// a statement with one of each discrepancy; the report is the same
/// when run twice (reconciliation writes nothing).
#[test]
fn reconciliation_with_one_of_each_discrepancy() {
    use PaymentStatus::*;
    let mut server = mockito::Server::new();
    let mock = server
        .mock("GET", "/statements/2026-03-02")
        .match_header("authorization", format!("Bearer {API_KEY}").as_str())
        .with_status(200)
        .with_body(
            json!({
                "date": "2026-03-02",
                "lines": [
                    stmt_line(1, 4_325_000), // matched
                    stmt_line(2, 4_325_000), // amount mismatch
                    stmt_line(3, 393_200),   // status mismatch: the callback was lost
                    stmt_line(4, 4_325_000), // unattached: the request is a draft
                    stmt_line(5, 4_325_000), // missing locally
                    stmt_line(1, 4_325_000), // duplicate at the gateway
                ]
            })
            .to_string(),
        )
        .expect(2)
        .create();
    let ledger = vec![
        ledger_of(1, 4_325_000, Paid, Some("signed")),
        ledger_of(2, 4_320_000, Paid, Some("registered")),
        ledger_of(3, 393_200, Pending, Some("awaiting_payment")),
        ledger_of(4, 4_325_000, Paid, Some("draft")),
        ledger_of(6, 4_325_000, Paid, Some("under_review")), // missing at the gateway
        ledger_of(7, 4_325_000, Expired, Some("awaiting_payment")), // not settled
    ];
    let (gw, _) = client(&server.url(), Duration::from_secs(2));
    let date = NaiveDate::from_ymd_opt(2026, 3, 2).expect("date");
    let mut progress = Vec::new();
    let report = ruqsat::payments::reconcile::reconcile_day(&gw, date, &ledger, &mut |p| {
        progress.push(p.to_string())
    })
    .expect("report");
    for c in Category::ALL {
        assert_eq!(report.count(c), 1, "{c}\n{report}");
    }
    assert_eq!(
        report.items(Category::Unattached)[0].payment_id,
        Uuid::from_u128(4)
    );
    assert_eq!(
        report.items(Category::MissingLocally)[0].payment_id,
        Uuid::from_u128(5)
    );
    assert_eq!(
        report.items(Category::MissingAtGateway)[0].payment_id,
        Uuid::from_u128(6)
    );
    assert_eq!(report.discrepancies(), 6);
    assert_eq!(progress.len(), 3, "{progress:?}");
    let text = report.to_string();
    assert!(
        text.starts_with("Reconciliation of 2026-03-02: 6 statement line(s), 6 ledger payment(s)"),
        "{text}"
    );
    // Idempotent: the same inputs give the same report.
    let again = ruqsat::payments::reconcile::reconcile_day(&gw, date, &ledger, &mut |_| {})
        .expect("report");
    assert_eq!(again, report);
    mock.assert();
    let lines: Vec<StatementLine> = report
        .items(Category::Matched)
        .iter()
        .filter_map(|i| i.statement.clone())
        .collect();
    assert_eq!(lines[0].amount, Money::from_tiyn(4_325_000));
}
