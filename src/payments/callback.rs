//! Gateway callbacks (R-003-20, R-003-21): signature check and the pure ledger rule.
//!
//! Signature scheme (`docs/payments.md`): the gateway sends
//! - `X-Gateway-Timestamp: <unix seconds>`
//! - `X-Gateway-Signature: <hex of HMAC-SHA256(secret, "<timestamp>.<raw body>")>`
//!
//! [`verify_callback`] checks the MAC in constant time (`hmac`'s `verify_slice`) over the
//! exact bytes received, refuses a timestamp more than [`STALE_AFTER_SECS`] away from now
//! (either way), then parses the body. Whether the payment exists, and whether the amount,
//! currency and event are new, is decided against the ledger by [`apply_event`] (pure).

use crate::error::ErrorCode;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use uuid::Uuid;

use super::gateway::{is_gateway_payment_id, GatewayPayment, PaymentStatus};
use super::LedgerPayment;
use crate::domain::money::Money;

pub const TIMESTAMP_HEADER: &str = "X-Gateway-Timestamp";
pub const SIGNATURE_HEADER: &str = "X-Gateway-Signature";
/// A callback whose timestamp is further than this from now (past or future) is stale.
pub const STALE_AFTER_SECS: i64 = 300;

type HmacSha256 = Hmac<Sha256>;

/// The JSON body of a callback.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallbackEvent {
    /// Unique per event at the gateway; the same event delivered twice has the same id.
    pub event_id: String,
    pub gateway_payment_id: String,
    /// Our payment id.
    pub idempotency_key: Uuid,
    pub status: PaymentStatus,
    pub amount: Money,
    pub currency: String,
    /// When the status changed at the gateway.
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallbackError {
    #[error("callback signature does not verify")]
    BadSignature,
    #[error("callback timestamp is {skew_secs} s away from now (limit {STALE_AFTER_SECS} s)")]
    Stale { skew_secs: i64 },
    #[error("malformed callback: {0}")]
    Malformed(String),
    #[error("callback for a payment unknown to the ledger")]
    UnknownPayment,
    #[error("callback amount {got} differs from the ledger's {expected}")]
    AmountMismatch { expected: Money, got: Money },
    #[error("callback currency `{got}` differs from the ledger's `{expected}`")]
    CurrencyMismatch { expected: String, got: String },
}

impl CallbackError {
    /// Stable machine-readable code.
    pub fn code(&self) -> ErrorCode {
        match self {
            CallbackError::BadSignature => ErrorCode::PaymentCallbackBadSignature,
            CallbackError::Stale { .. } => ErrorCode::PaymentCallbackStale,
            CallbackError::Malformed(_) => ErrorCode::PaymentCallbackMalformed,
            CallbackError::UnknownPayment => ErrorCode::PaymentUnknown,
            CallbackError::AmountMismatch { .. } => ErrorCode::PaymentAmountMismatch,
            CallbackError::CurrencyMismatch { .. } => ErrorCode::PaymentCurrencyMismatch,
        }
    }
}

fn mac_over(secret: &[u8], timestamp: &str, body: &[u8]) -> HmacSha256 {
    let mut mac = match HmacSha256::new_from_slice(secret) {
        Ok(m) => m,
        // HMAC takes keys of any length; `new_from_slice` cannot fail for it.
        Err(_) => unreachable!("HMAC accepts keys of any length"),
    };
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The `X-Gateway-Signature` value for `body` sent at unix time `timestamp` (lower-case hex
/// HMAC-SHA256 over `"{timestamp}.{body}"`). Used by the sandbox and tests.
pub fn sign_callback(secret: &[u8], body: &[u8], timestamp: i64) -> String {
    hex::encode(
        mac_over(secret, &timestamp.to_string(), body)
            .finalize()
            .into_bytes(),
    )
}

/// Checks a callback and parses its body.
///
/// Order: timestamp header is an integer (else `Malformed`); the signature verifies in
/// constant time (else `BadSignature`; an empty secret never verifies); the timestamp is
/// within [`STALE_AFTER_SECS`] of `now` (else `Stale`); the body is a well-formed
/// [`CallbackEvent`] (else `Malformed`).
pub fn verify_callback(
    secret: &[u8],
    raw_body: &[u8],
    signature_header: &str,
    timestamp_header: &str,
    now: DateTime<Utc>,
) -> Result<CallbackEvent, CallbackError> {
    let ts_text = timestamp_header.trim();
    let ts: i64 = ts_text
        .parse()
        .map_err(|_| CallbackError::Malformed(format!("{TIMESTAMP_HEADER} is not unix seconds")))?;
    if secret.is_empty() {
        return Err(CallbackError::BadSignature);
    }
    let sig_text = signature_header.trim();
    let sig_text = sig_text.strip_prefix("sha256=").unwrap_or(sig_text);
    let sig = hex::decode(sig_text).map_err(|_| CallbackError::BadSignature)?;
    mac_over(secret, ts_text, raw_body)
        .verify_slice(&sig)
        .map_err(|_| CallbackError::BadSignature)?;
    let skew_secs = now.timestamp().saturating_sub(ts);
    if skew_secs.saturating_abs() > STALE_AFTER_SECS {
        return Err(CallbackError::Stale { skew_secs });
    }
    let ev: CallbackEvent = serde_json::from_slice(raw_body)
        .map_err(|e| CallbackError::Malformed(format!("body: {e}")))?;
    if ev.event_id.trim().is_empty() || ev.event_id.len() > 128 {
        return Err(CallbackError::Malformed(
            "event_id must be 1..=128 bytes".to_owned(),
        ));
    }
    if !is_gateway_payment_id(&ev.gateway_payment_id) {
        return Err(CallbackError::Malformed(
            "gateway_payment_id has an invalid form".to_owned(),
        ));
    }
    if ev.currency.trim().is_empty() {
        return Err(CallbackError::Malformed("currency is empty".to_owned()));
    }
    Ok(ev)
}

/// What a verified event (or status query) does to the ledger entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventOutcome {
    /// Mark the payment paid (R-003-21); the request may move to `paid`.
    Confirmed,
    /// Mark the payment declined (the request stays awaiting payment; a new payment may
    /// be created).
    Declined,
    /// Mark the payment expired (likewise).
    Expired,
    /// The ledger already reflects this event: change nothing.
    AlreadyApplied,
    /// A valid event that changes nothing (e.g. `declined` after `paid`, or `pending`).
    Ignored,
}

impl EventOutcome {
    /// The status to store, when the outcome changes the ledger.
    pub fn new_status(self) -> Option<PaymentStatus> {
        match self {
            EventOutcome::Confirmed => Some(PaymentStatus::Paid),
            EventOutcome::Declined => Some(PaymentStatus::Declined),
            EventOutcome::Expired => Some(PaymentStatus::Expired),
            EventOutcome::AlreadyApplied | EventOutcome::Ignored => None,
        }
    }
}

/// Decides what a verified callback does to the ledger entry it names. Pure.
///
/// The caller finds `ledger_entry` by `ev.idempotency_key` (our payment id) or by
/// `ev.gateway_payment_id`, and answers `UnknownPayment` itself when there is none. Here:
/// - the other id must agree too (else `UnknownPayment`);
/// - currency and amount must equal the ledger's (else `CurrencyMismatch` /
///   `AmountMismatch`);
/// - the event last applied (same `event_id`) → `AlreadyApplied`;
/// - `paid` confirms anything not yet paid; `paid` on paid is `AlreadyApplied`;
/// - `declined` / `expired` change only a pending payment (same status again is
///   `AlreadyApplied`; after another final status, `Ignored`); `pending` is `Ignored`.
///
/// Applying the outcome and then the same event again gives `AlreadyApplied` or
/// `Ignored`: an event never changes the ledger twice. Two concurrent deliveries must
/// still be serialised by the store (a conditional update, see `docs/payments.md`).
pub fn apply_event(
    ledger_entry: &LedgerPayment,
    ev: &CallbackEvent,
) -> Result<EventOutcome, CallbackError> {
    decide(
        ledger_entry,
        &ev.gateway_payment_id,
        Some(ev.idempotency_key),
        ev.status,
        ev.amount,
        &ev.currency,
        Some(&ev.event_id),
    )
}

/// Like [`apply_event`] for the answer of a status query
/// ([`super::PaymentGateway::payment_status`]), the other way a payment is confirmed.
pub fn apply_status(
    ledger_entry: &LedgerPayment,
    gw: &GatewayPayment,
) -> Result<EventOutcome, CallbackError> {
    decide(
        ledger_entry,
        &gw.gateway_payment_id,
        gw.idempotency_key,
        gw.status,
        gw.amount,
        &gw.currency,
        None,
    )
}

fn decide(
    l: &LedgerPayment,
    gateway_payment_id: &str,
    idempotency_key: Option<Uuid>,
    status: PaymentStatus,
    amount: Money,
    currency: &str,
    event_id: Option<&str>,
) -> Result<EventOutcome, CallbackError> {
    if idempotency_key.is_some_and(|k| k != l.payment_id) {
        return Err(CallbackError::UnknownPayment);
    }
    if l.gateway_payment_id
        .as_deref()
        .is_some_and(|g| g != gateway_payment_id)
    {
        return Err(CallbackError::UnknownPayment);
    }
    if currency != l.currency {
        return Err(CallbackError::CurrencyMismatch {
            expected: l.currency.clone(),
            got: currency.to_owned(),
        });
    }
    if amount != l.amount {
        return Err(CallbackError::AmountMismatch {
            expected: l.amount,
            got: amount,
        });
    }
    if event_id.is_some() && l.last_event_id.as_deref() == event_id {
        return Ok(EventOutcome::AlreadyApplied);
    }
    use PaymentStatus::*;
    Ok(match (l.status, status) {
        (Paid, Paid) => EventOutcome::AlreadyApplied,
        (_, Paid) => EventOutcome::Confirmed,
        (_, Pending) => EventOutcome::Ignored,
        (Pending, Declined) => EventOutcome::Declined,
        (Pending, Expired) => EventOutcome::Expired,
        (a, b) if a == b => EventOutcome::AlreadyApplied,
        _ => EventOutcome::Ignored,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const SECRET: &[u8] = b"test-callback-secret";

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 10, 0, 0)
            .single()
            .expect("valid")
    }

    fn event(status: PaymentStatus) -> CallbackEvent {
        CallbackEvent {
            event_id: "ev_1".to_owned(),
            gateway_payment_id: "gw_1".to_owned(),
            idempotency_key: Uuid::from_u128(7),
            status,
            amount: Money::from_tiyn(4_325_000),
            currency: "KZT".to_owned(),
            at: now(),
        }
    }

    fn ledger(status: PaymentStatus) -> LedgerPayment {
        LedgerPayment {
            payment_id: Uuid::from_u128(7),
            gateway_payment_id: Some("gw_1".to_owned()),
            amount: Money::from_tiyn(4_325_000),
            currency: "KZT".to_owned(),
            status,
            paid_at: None,
            request_number: Some("MED-2026-000001".to_owned()),
            request_state: Some(crate::domain::lifecycle::State::AwaitingPayment),
            last_event_id: None,
        }
    }

    #[test]
    fn sign_then_verify() {
        let body = serde_json::to_vec(&event(PaymentStatus::Paid)).expect("json");
        let ts = now().timestamp();
        let sig = sign_callback(SECRET, &body, ts);
        assert_eq!(sig.len(), 64);
        let ev = verify_callback(SECRET, &body, &sig, &ts.to_string(), now()).expect("valid");
        assert_eq!(ev, event(PaymentStatus::Paid));
        // Upper-case hex and a `sha256=` prefix are accepted.
        let upper = format!("sha256={}", sig.to_uppercase());
        assert!(verify_callback(SECRET, &body, &upper, &ts.to_string(), now()).is_ok());
    }

    #[test]
    fn refusals() {
        let body = serde_json::to_vec(&event(PaymentStatus::Paid)).expect("json");
        let ts = now().timestamp();
        let sig = sign_callback(SECRET, &body, ts);
        let v = |secret: &[u8], body: &[u8], sig: &str, ts: &str| {
            verify_callback(secret, body, sig, ts, now()).map(|_| ())
        };
        assert_eq!(
            v(b"other", &body, &sig, &ts.to_string()),
            Err(CallbackError::BadSignature)
        );
        assert_eq!(
            v(b"", &body, &sig, &ts.to_string()),
            Err(CallbackError::BadSignature)
        );
        assert_eq!(
            v(SECRET, &body, "zz", &ts.to_string()),
            Err(CallbackError::BadSignature)
        );
        assert_eq!(
            v(SECRET, &body, &sig, &(ts + 1).to_string()),
            Err(CallbackError::BadSignature),
            "the timestamp is signed"
        );
        let stale = ts - STALE_AFTER_SECS - 1;
        let e = v(
            SECRET,
            &body,
            &sign_callback(SECRET, &body, stale),
            &stale.to_string(),
        );
        assert_eq!(
            e.map_err(|e| e.code()),
            Err(ErrorCode::PaymentCallbackStale)
        );
        let future = ts + STALE_AFTER_SECS + 1;
        let e = v(
            SECRET,
            &body,
            &sign_callback(SECRET, &body, future),
            &future.to_string(),
        );
        assert_eq!(
            e.map_err(|e| e.code()),
            Err(ErrorCode::PaymentCallbackStale)
        );
        let edge = ts - STALE_AFTER_SECS;
        assert!(v(
            SECRET,
            &body,
            &sign_callback(SECRET, &body, edge),
            &edge.to_string()
        )
        .is_ok());
        assert_eq!(
            v(SECRET, &body, &sig, "yesterday").map_err(|e| e.code()),
            Err(ErrorCode::PaymentCallbackMalformed)
        );
        let junk = b"{not json";
        assert_eq!(
            v(
                SECRET,
                junk,
                &sign_callback(SECRET, junk, ts),
                &ts.to_string()
            )
            .map_err(|e| e.code()),
            Err(ErrorCode::PaymentCallbackMalformed)
        );
        let numeric = br#"{"event_id":"e","gateway_payment_id":"g","idempotency_key":"00000000-0000-0000-0000-000000000007","status":"paid","amount":43250.0,"currency":"KZT","at":"2026-03-02T10:00:00Z"}"#;
        assert_eq!(
            v(
                SECRET,
                numeric,
                &sign_callback(SECRET, numeric, ts),
                &ts.to_string()
            )
            .map_err(|e| e.code()),
            Err(ErrorCode::PaymentCallbackMalformed),
            "amounts are decimal strings, never JSON numbers"
        );
    }

    #[test]
    fn ledger_rule() {
        use EventOutcome as O;
        use PaymentStatus::*;
        let table = [
            (Pending, Paid, O::Confirmed),
            (Declined, Paid, O::Confirmed),
            (Expired, Paid, O::Confirmed),
            (Paid, Paid, O::AlreadyApplied),
            (Pending, Declined, O::Declined),
            (Pending, Expired, O::Expired),
            (Declined, Declined, O::AlreadyApplied),
            (Expired, Expired, O::AlreadyApplied),
            (Paid, Declined, O::Ignored),
            (Paid, Expired, O::Ignored),
            (Declined, Expired, O::Ignored),
            (Pending, Pending, O::Ignored),
            (Paid, Pending, O::Ignored),
        ];
        for (have, got, want) in table {
            assert_eq!(
                apply_event(&ledger(have), &event(got)),
                Ok(want),
                "{have} + {got}"
            );
        }
        // The same event again, after it was applied: nothing changes.
        let mut l = ledger(Pending);
        let ev = event(Paid);
        let o = apply_event(&l, &ev).expect("ok");
        l.status = o.new_status().expect("changes");
        l.last_event_id = Some(ev.event_id.clone());
        assert_eq!(apply_event(&l, &ev), Ok(O::AlreadyApplied));
        assert_eq!(O::AlreadyApplied.new_status(), None);
    }

    #[test]
    fn ledger_mismatches() {
        let l = ledger(PaymentStatus::Pending);
        let mut ev = event(PaymentStatus::Paid);
        ev.amount = Money::from_tiyn(4_324_999);
        assert_eq!(
            apply_event(&l, &ev).map_err(|e| e.code()),
            Err(ErrorCode::PaymentAmountMismatch)
        );
        let mut ev = event(PaymentStatus::Paid);
        ev.currency = "USD".to_owned();
        assert_eq!(
            apply_event(&l, &ev).map_err(|e| e.code()),
            Err(ErrorCode::PaymentCurrencyMismatch)
        );
        let mut ev = event(PaymentStatus::Paid);
        ev.idempotency_key = Uuid::from_u128(8);
        assert_eq!(apply_event(&l, &ev), Err(CallbackError::UnknownPayment));
        let mut ev = event(PaymentStatus::Paid);
        ev.gateway_payment_id = "gw_2".to_owned();
        assert_eq!(apply_event(&l, &ev), Err(CallbackError::UnknownPayment));
        // A ledger entry created before the gateway answered (no gateway id yet).
        let mut l2 = l.clone();
        l2.gateway_payment_id = None;
        assert_eq!(apply_event(&l2, &ev), Ok(EventOutcome::Confirmed));
    }

    #[test]
    fn status_query_rule() {
        let gw = GatewayPayment {
            gateway_payment_id: "gw_1".to_owned(),
            idempotency_key: None,
            status: PaymentStatus::Paid,
            amount: Money::from_tiyn(4_325_000),
            currency: "KZT".to_owned(),
            paid_at: Some(now()),
        };
        assert_eq!(
            apply_status(&ledger(PaymentStatus::Pending), &gw),
            Ok(EventOutcome::Confirmed)
        );
        assert_eq!(
            apply_status(&ledger(PaymentStatus::Paid), &gw),
            Ok(EventOutcome::AlreadyApplied)
        );
        let wrong = GatewayPayment {
            amount: Money::from_tiyn(1),
            ..gw
        };
        assert_eq!(
            apply_status(&ledger(PaymentStatus::Pending), &wrong).map_err(|e| e.code()),
            Err(ErrorCode::PaymentAmountMismatch)
        );
    }
}
