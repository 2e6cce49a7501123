//! The payment gateway port (ПШЭП, R-003-08, R-003-20..22): the trait, its request and
//! answer types and its errors. Adapters: [`super::http::HttpGateway`] (JSON over HTTP) and
//! [`super::sandbox::SandboxGateway`] (embedded, in memory).
//!
//! The trait is synchronous like [`crate::registries`]: call it from a blocking thread.

use crate::error::ErrorCode;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::money::Money;

/// The only currency on the wire (tenge, ISO 4217).
pub const CURRENCY_KZT: &str = "KZT";

/// Status of a payment at the gateway (and in our ledger).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
#[derive(diesel::AsExpression, diesel::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum PaymentStatus {
    /// Created, the payer has not paid yet.
    Pending,
    /// Money received (the only status that confirms a payment, R-003-21).
    Paid,
    /// The payer's bank or the payer refused.
    Declined,
    /// Not paid in time; the payment page no longer accepts it.
    Expired,
}

impl PaymentStatus {
    pub const ALL: [PaymentStatus; 4] = [
        PaymentStatus::Pending,
        PaymentStatus::Paid,
        PaymentStatus::Declined,
        PaymentStatus::Expired,
    ];

    /// The wire / database form: `pending`, `paid`, `declined`, `expired`.
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::Pending => "pending",
            PaymentStatus::Paid => "paid",
            PaymentStatus::Declined => "declined",
            PaymentStatus::Expired => "expired",
        }
    }

    /// Paid, declined and expired never change again at the gateway (a declined or
    /// expired payment may still be followed by a late `paid`, which wins; see
    /// [`super::callback::apply_event`]).
    pub fn is_final(self) -> bool {
        !matches!(self, PaymentStatus::Pending)
    }
}

impl fmt::Display for PaymentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PaymentStatus {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PaymentStatus::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| format!("unknown payment status `{s}`"))
    }
}

/// What we ask the gateway to collect. `idempotency_key` is our payment id: every retry
/// of the same creation carries it (header `Idempotency-Key`), so the gateway creates the
/// payment at most once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPayment {
    pub idempotency_key: Uuid,
    pub amount: Money,
    /// Always `KZT`.
    pub currency: String,
    /// The payer's IIN (person) or BIN (legal entity): 12 digits.
    pub payer_iin_bin: String,
    /// Payment purpose shown to the payer and in the bank statement (G-21: assumed text).
    pub purpose: String,
    /// Budget classification code (КБК), 6 digits (G-21: assumed, not in the regulation).
    pub kbk: String,
    /// Where the payment page sends the payer's browser afterwards. The return itself
    /// confirms nothing: only a verified callback or a status query does.
    pub return_url: String,
}

/// Longest accepted payment purpose, in characters.
pub const MAX_PURPOSE_CHARS: usize = 500;

impl NewPayment {
    /// Checks the request before it leaves: positive amount, `KZT`, a 12-digit IIN/BIN, a
    /// 6-digit КБК, a non-empty purpose of at most [`MAX_PURPOSE_CHARS`], an absolute
    /// http(s) return URL. Errors are [`GatewayError::InvalidRequest`].
    pub fn validate(&self) -> Result<(), GatewayError> {
        let bad = |m: String| Err(GatewayError::InvalidRequest(m));
        if self.amount.tiyn() <= 0 {
            return bad(format!("amount must be positive, got {}", self.amount));
        }
        if self.currency != CURRENCY_KZT {
            return bad(format!("currency must be KZT, got `{}`", self.currency));
        }
        if !is_digits(&self.payer_iin_bin, 12) {
            return bad("payer IIN/BIN must be 12 digits".to_owned());
        }
        if !is_digits(&self.kbk, 6) {
            return bad("КБК (budget classification code) must be 6 digits".to_owned());
        }
        let purpose = self.purpose.trim();
        if purpose.is_empty() || purpose.chars().count() > MAX_PURPOSE_CHARS {
            return bad(format!(
                "purpose must be 1..={MAX_PURPOSE_CHARS} characters"
            ));
        }
        if !is_http_url(&self.return_url) {
            return bad("return URL must be an absolute http(s) URL".to_owned());
        }
        Ok(())
    }
}

pub(crate) fn is_digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

pub(crate) fn is_http_url(s: &str) -> bool {
    match url::Url::parse(s) {
        Ok(u) => matches!(u.scheme(), "http" | "https") && u.has_host(),
        Err(_) => false,
    }
}

/// A gateway payment id as it may appear in a URL path: 1..=64 of `A-Z a-z 0-9 - _`.
/// Anything else cannot exist at the gateway, so adapters answer `NotFound` without a call.
pub fn is_gateway_payment_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The gateway's answer to a creation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedPayment {
    pub gateway_payment_id: String,
    /// Where to send the payer's browser.
    pub payment_page_url: String,
    /// Normally `pending`; `paid` when the same idempotency key was already paid.
    pub status: PaymentStatus,
}

/// The gateway's view of one payment (status query).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GatewayPayment {
    pub gateway_payment_id: String,
    /// Our payment id, when the gateway returns it.
    #[serde(default)]
    pub idempotency_key: Option<Uuid>,
    pub status: PaymentStatus,
    pub amount: Money,
    pub currency: String,
    #[serde(default)]
    pub paid_at: Option<DateTime<Utc>>,
}

/// One line of the gateway's daily statement.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct StatementLine {
    pub gateway_payment_id: String,
    pub idempotency_key: Uuid,
    pub amount: Money,
    pub currency: String,
    pub status: PaymentStatus,
    #[serde(default)]
    pub paid_at: Option<DateTime<Utc>>,
}

/// Why a gateway call failed. [`GatewayError::code`] gives a stable code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GatewayError {
    /// No answer within the timeout (after the retries).
    #[error("payment gateway timeout: {0}")]
    Timeout(String),
    /// 5xx or a connection error (after the retries).
    #[error("payment gateway unavailable: {0}")]
    Unavailable(String),
    /// The gateway refused the payment (HTTP 402, or status `declined` on creation).
    #[error("payment declined: {0}")]
    Declined(String),
    /// The answer is not what the API promises (bad JSON, wrong payment, bad URL, …).
    #[error("payment gateway answered with a malformed response: {0}")]
    Malformed(String),
    /// The gateway answered with another amount or currency than we asked for.
    #[error("payment gateway amount mismatch: {0}")]
    AmountMismatch(String),
    /// No such payment (HTTP 404).
    #[error("payment not found at the gateway")]
    NotFound,
    /// Another 4xx: the gateway refused the request itself (not retried).
    #[error("payment gateway rejected the request: {0}")]
    Rejected(String),
    /// Our own request is invalid; nothing was sent.
    #[error("invalid payment request: {0}")]
    InvalidRequest(String),
}

impl GatewayError {
    /// Stable machine-readable code.
    pub fn code(&self) -> ErrorCode {
        match self {
            GatewayError::Timeout(_) => ErrorCode::PaymentGatewayTimeout,
            GatewayError::Unavailable(_) => ErrorCode::PaymentGatewayUnavailable,
            GatewayError::Declined(_) => ErrorCode::PaymentDeclined,
            GatewayError::Malformed(_) => ErrorCode::PaymentGatewayMalformed,
            GatewayError::AmountMismatch(_) => ErrorCode::PaymentAmountMismatch,
            GatewayError::NotFound => ErrorCode::PaymentGatewayNotFound,
            GatewayError::Rejected(_) => ErrorCode::PaymentGatewayRejected,
            GatewayError::InvalidRequest(_) => ErrorCode::PaymentInvalidRequest,
        }
    }

    /// Timeout or outage: the request stays "awaiting payment" and the call may be
    /// repeated later with the same idempotency key.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            GatewayError::Timeout(_) | GatewayError::Unavailable(_)
        )
    }
}

/// ПШЭП. Blocking: call from a blocking thread (`web::block`, `spawn_blocking`).
pub trait PaymentGateway: Send + Sync {
    /// Creates (or, for a known idempotency key, returns) a payment.
    fn create_payment(&self, payment: &NewPayment) -> Result<CreatedPayment, GatewayError>;

    /// The gateway's current view of a payment.
    fn payment_status(&self, gateway_payment_id: &str) -> Result<GatewayPayment, GatewayError>;

    /// The statement of one business day (see [`super::business_date`]).
    fn statement(&self, date: NaiveDate) -> Result<Vec<StatementLine>, GatewayError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> NewPayment {
        NewPayment {
            idempotency_key: Uuid::nil(),
            amount: Money::from_tiyn(4_325_000),
            currency: CURRENCY_KZT.to_owned(),
            payer_iin_bin: "850305401237".to_owned(),
            purpose: "Лицензионный сбор".to_owned(),
            kbk: "105402".to_owned(),
            return_url: "http://127.0.0.1:8080/requests/MED-2026-000001".to_owned(),
        }
    }

    #[test]
    fn status_text_round_trip() {
        for st in PaymentStatus::ALL {
            assert_eq!(st.as_str().parse::<PaymentStatus>(), Ok(st));
            assert_eq!(
                serde_json::to_string(&st).unwrap_or_default(),
                format!("\"{st}\"")
            );
        }
        assert!("PAID".parse::<PaymentStatus>().is_err());
        assert!(!PaymentStatus::Pending.is_final());
        assert!(PaymentStatus::Paid.is_final());
    }

    #[test]
    fn validation() {
        assert_eq!(sample().validate(), Ok(()));
        let cases = [
            NewPayment {
                amount: Money::ZERO,
                ..sample()
            },
            NewPayment {
                amount: Money::from_tiyn(-1),
                ..sample()
            },
            NewPayment {
                currency: "USD".to_owned(),
                ..sample()
            },
            NewPayment {
                payer_iin_bin: "85030540123".to_owned(),
                ..sample()
            },
            NewPayment {
                kbk: "10540x".to_owned(),
                ..sample()
            },
            NewPayment {
                purpose: "  ".to_owned(),
                ..sample()
            },
            NewPayment {
                purpose: "x".repeat(MAX_PURPOSE_CHARS + 1),
                ..sample()
            },
            NewPayment {
                return_url: "/relative".to_owned(),
                ..sample()
            },
            NewPayment {
                return_url: "javascript:alert(1)".to_owned(),
                ..sample()
            },
        ];
        for c in cases {
            let e = c.validate().expect_err("invalid");
            assert_eq!(e.code(), ErrorCode::PaymentInvalidRequest, "{c:?}");
        }
    }

    #[test]
    fn ids_and_codes() {
        assert!(is_gateway_payment_id("gw_0123-abc"));
        assert!(!is_gateway_payment_id(""));
        assert!(!is_gateway_payment_id("../statements"));
        assert!(!is_gateway_payment_id(&"a".repeat(65)));
        let all = [
            GatewayError::Timeout(String::new()),
            GatewayError::Unavailable(String::new()),
            GatewayError::Declined(String::new()),
            GatewayError::Malformed(String::new()),
            GatewayError::AmountMismatch(String::new()),
            GatewayError::NotFound,
            GatewayError::Rejected(String::new()),
            GatewayError::InvalidRequest(String::new()),
        ];
        let codes: std::collections::BTreeSet<_> = all.iter().map(|e| e.code()).collect();
        assert_eq!(codes.len(), all.len(), "codes are distinct");
        assert!(all[0].is_transient() && all[1].is_transient());
        assert!(all[2..].iter().all(|e| !e.is_transient()));
    }
}
