//! Payments through the e-government payment gateway ПШЭП (R-003-08, R-003-09,
//! R-003-20..22, G-21, G-28). See `docs/payments.md`.
//!
//! - [`gateway`]: the [`PaymentGateway`] port, its types and [`GatewayError`].
//! - [`http`]: [`HttpGateway`], the JSON-over-HTTP client (timeouts, retries with
//!   exponential backoff, the same `Idempotency-Key` on every retry, answer checks).
//! - [`callback`]: HMAC-SHA256 signed callbacks ([`verify_callback`], [`sign_callback`]) and
//!   the pure ledger rule [`apply_event`].
//! - [`sandbox`]: [`SandboxGateway`], an in-memory gateway with the same HTTP API and a
//!   payment page, mounted at `/sandbox/gateway` (demo mode).
//! - [`reconcile`]: the pure daily [`reconcile()`](reconcile::reconcile) of the gateway's
//!   statement against our ledger.
//!
//! A payment is confirmed only by a verified callback or a status query, never by the
//! browser's return to `return_url`.

pub mod callback;
pub mod gateway;
pub mod http;
pub mod reconcile;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::lifecycle::State;
use crate::domain::money::Money;

pub use callback::{
    apply_event, apply_status, sign_callback, verify_callback, CallbackError, CallbackEvent,
    EventOutcome, SIGNATURE_HEADER, STALE_AFTER_SECS, TIMESTAMP_HEADER,
};
pub use gateway::{
    CreatedPayment, GatewayError, GatewayPayment, NewPayment, PaymentGateway, PaymentStatus,
    StatementLine, CURRENCY_KZT,
};
pub use http::{Backoff, HttpGateway, HttpGatewayConfig};
pub use reconcile::{reconcile, Category, ReconciliationItem, ReconciliationReport};

/// Offset of Kazakhstan time (one zone, UTC+5, since 1 March 2024). A statement day and
/// the day of a ledger payment are calendar days in this offset.
pub const KZ_OFFSET_SECS: i32 = 5 * 3600;

/// The business (statement) day of an instant: its calendar date at UTC+5.
pub fn business_date(at: DateTime<Utc>) -> NaiveDate {
    match FixedOffset::east_opt(KZ_OFFSET_SECS) {
        Some(tz) => at.with_timezone(&tz).date_naive(),
        None => at.date_naive(),
    }
}

/// One payment as our ledger holds it (one row of the `payments` table;
/// see `docs/payments.md`). Input of [`apply_event`] and [`reconcile()`](reconcile::reconcile).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerPayment {
    /// Our payment id; also the idempotency key sent to the gateway.
    pub payment_id: Uuid,
    /// Known once the gateway answered the creation.
    pub gateway_payment_id: Option<String>,
    pub amount: Money,
    pub currency: String,
    pub status: PaymentStatus,
    pub paid_at: Option<DateTime<Utc>>,
    /// The request the payment is for (e.g. `MED-2026-000001`); `None` if it is gone.
    pub request_number: Option<String>,
    /// That request's lifecycle state (`draft`, `awaiting_payment`, …); `None` = no request.
    pub request_state: Option<State>,
    /// The id of the last callback event applied to this payment.
    pub last_event_id: Option<String>,
}

impl LedgerPayment {
    /// A paid payment is "unattached" (a refund candidate, G-21) when no submitted request
    /// holds it: the request is absent, still a draft or withdrawn.
    pub fn is_unattached(&self) -> bool {
        matches!(
            self.request_state,
            None | Some(State::Draft) | Some(State::Withdrawn)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn business_date_is_utc_plus_5() {
        let late = Utc
            .with_ymd_and_hms(2026, 3, 1, 18, 59, 59)
            .single()
            .expect("valid");
        let next = Utc
            .with_ymd_and_hms(2026, 3, 1, 19, 0, 0)
            .single()
            .expect("valid");
        assert_eq!(
            business_date(late),
            NaiveDate::from_ymd_opt(2026, 3, 1).expect("d")
        );
        assert_eq!(
            business_date(next),
            NaiveDate::from_ymd_opt(2026, 3, 2).expect("d")
        );
    }

    #[test]
    fn unattached_states() {
        let mut p = LedgerPayment {
            payment_id: Uuid::nil(),
            gateway_payment_id: None,
            amount: Money::from_tiyn(100),
            currency: CURRENCY_KZT.to_owned(),
            status: PaymentStatus::Paid,
            paid_at: None,
            request_number: None,
            request_state: None,
            last_event_id: None,
        };
        assert!(p.is_unattached());
        for (state, unattached) in [
            (State::Draft, true),
            (State::Withdrawn, true),
            (State::Submitted, false),
            (State::AwaitingPayment, false),
            (State::Paid, false),
            (State::Refused, false),
        ] {
            p.request_state = Some(state);
            assert_eq!(p.is_unattached(), unattached, "{state}");
        }
    }
}
