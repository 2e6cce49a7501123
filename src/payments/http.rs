//! [`HttpGateway`]: the ПШЭП adapter over HTTP (JSON; wire format in `docs/payments.md`).
//!
//! - `POST {base}/payments` (header `Idempotency-Key: <our payment id>`) → 201/200
//! - `GET {base}/payments/{gateway_payment_id}` → 200, 404
//! - `GET {base}/statements/{yyyy-mm-dd}` → 200
//!
//! Every call carries `Authorization: Bearer <api key>` (never logged: the key is a
//! [`Secret`] and the header is marked sensitive). Timeouts, connection errors and 5xx are
//! retried with exponential backoff (default 3 attempts, pauses 200 ms then 400 ms); a
//! creation is retried with the **same** idempotency key, so the gateway creates the
//! payment at most once. 4xx are never retried: 402 → `Declined`, 404 → `NotFound`, other
//! 4xx → `Rejected`. Answers are checked: malformed JSON or an answer about another payment
//! → `Malformed`; another amount or currency than asked → `AmountMismatch`.
//!
//! The `reqwest` blocking client is built lazily on the first call (building it inside an
//! async runtime would panic): call from a blocking thread.

use std::io::Read;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use chrono::NaiveDate;
use reqwest::{Method, StatusCode};
use serde::Deserialize;
use uuid::Uuid;

use super::gateway::{
    is_gateway_payment_id, is_http_url, CreatedPayment, GatewayError, GatewayPayment, NewPayment,
    PaymentGateway, PaymentStatus, StatementLine,
};
use crate::config::Secret;
use crate::domain::money::Money;

/// Largest accepted response body (a statement of a busy day fits easily).
const MAX_BODY_BYTES: u64 = 16 * 1024 * 1024;

/// Header carrying our payment id on `POST /payments`.
pub const IDEMPOTENCY_HEADER: &str = "Idempotency-Key";

/// Pauses between attempts: `initial`, then × `factor` each time, at most `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub initial: Duration,
    pub factor: u32,
    pub max: Duration,
}

impl Backoff {
    /// 200 ms, 400 ms, 800 ms, … capped at 5 s.
    pub const DEFAULT: Backoff = Backoff {
        initial: Duration::from_millis(200),
        factor: 2,
        max: Duration::from_secs(5),
    };

    /// The pause before retry number `retry` (1 = the first retry).
    pub fn delay(&self, retry: u32) -> Duration {
        let mut d = self.initial;
        for _ in 1..retry {
            d = d.saturating_mul(self.factor.max(1));
            if d >= self.max {
                return self.max;
            }
        }
        d.min(self.max)
    }
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff::DEFAULT
    }
}

/// How the client waits between attempts (tests inject a recorder instead of sleeping).
pub type Sleeper = Arc<dyn Fn(Duration) + Send + Sync>;

/// Settings of [`HttpGateway`]. `Debug` does not show the API key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpGatewayConfig {
    /// E.g. `https://pay.example.kz/api/v1` (a trailing `/` is ignored).
    pub base_url: String,
    pub api_key: Secret,
    /// Total time of one attempt's request and of each body read. Default 10 s.
    pub timeout: Duration,
    /// Attempts in all (1 = no retry). Default 3.
    pub attempts: u32,
    pub backoff: Backoff,
}

impl HttpGatewayConfig {
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
    pub const DEFAULT_ATTEMPTS: u32 = 3;

    pub fn new(base_url: &str, api_key: Secret) -> HttpGatewayConfig {
        HttpGatewayConfig {
            base_url: base_url.to_owned(),
            api_key,
            timeout: Self::DEFAULT_TIMEOUT,
            attempts: Self::DEFAULT_ATTEMPTS,
            backoff: Backoff::DEFAULT,
        }
    }
}

type LazyClient = Arc<OnceLock<Result<reqwest::blocking::Client, String>>>;

/// ПШЭП over HTTP.
#[derive(Clone)]
pub struct HttpGateway {
    base_url: String,
    api_key: Secret,
    timeout: Duration,
    attempts: u32,
    backoff: Backoff,
    sleeper: Sleeper,
    client: LazyClient,
}

impl std::fmt::Debug for HttpGateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpGateway")
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key)
            .field("timeout", &self.timeout)
            .field("attempts", &self.attempts)
            .field("backoff", &self.backoff)
            .finish()
    }
}

/// One attempt: final, or transient (may be retried).
enum Attempt {
    Done(Result<(StatusCode, Vec<u8>), GatewayError>),
    Transient(GatewayError),
}

/// The body of a 2xx answer to `POST /payments`.
#[derive(Debug, Deserialize)]
struct CreateAnswer {
    gateway_payment_id: String,
    #[serde(default)]
    idempotency_key: Option<Uuid>,
    payment_page_url: String,
    status: PaymentStatus,
    amount: Money,
    currency: String,
}

/// The body of `GET /statements/{date}`.
#[derive(Debug, Deserialize)]
struct StatementAnswer {
    date: NaiveDate,
    lines: Vec<StatementLine>,
}

/// `{"error": {"code": "...", "message": "..."}}`, as far as the gateway sends it.
#[derive(Debug, Default, Deserialize)]
struct ErrorAnswer {
    #[serde(default)]
    error: ErrorBody,
}

#[derive(Debug, Default, Deserialize)]
struct ErrorBody {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    message: Option<String>,
}

/// A short, printable description of an error body.
fn error_text(status: StatusCode, body: &[u8]) -> String {
    let parsed: ErrorAnswer = serde_json::from_slice(body).unwrap_or_default();
    let mut s = format!("HTTP {}", status.as_u16());
    for part in [parsed.error.code, parsed.error.message]
        .into_iter()
        .flatten()
    {
        s.push_str(": ");
        s.extend(part.chars().filter(|c| !c.is_control()).take(200));
    }
    s
}

impl HttpGateway {
    /// Fails only when `base_url` is not an absolute http(s) URL (`InvalidRequest`).
    pub fn new(config: HttpGatewayConfig) -> Result<HttpGateway, GatewayError> {
        let base_url = config.base_url.trim().trim_end_matches('/').to_owned();
        let ok = reqwest::Url::parse(&base_url)
            .map(|u| matches!(u.scheme(), "http" | "https") && !u.cannot_be_a_base())
            .unwrap_or(false);
        if !ok {
            return Err(GatewayError::InvalidRequest(format!(
                "invalid payment gateway URL `{}`: expected http(s)",
                config.base_url
            )));
        }
        Ok(HttpGateway {
            base_url,
            api_key: config.api_key,
            timeout: config.timeout,
            attempts: config.attempts.max(1),
            backoff: config.backoff,
            sleeper: Arc::new(std::thread::sleep),
            client: Arc::new(OnceLock::new()),
        })
    }

    /// Replaces the wait between attempts (tests record the pauses instead of sleeping).
    pub fn with_sleeper(mut self, sleeper: Sleeper) -> Self {
        self.sleeper = sleeper;
        self
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    fn client(&self) -> Result<&reqwest::blocking::Client, GatewayError> {
        let timeout = self.timeout;
        self.client
            .get_or_init(|| {
                reqwest::blocking::Client::builder()
                    .timeout(timeout)
                    .connect_timeout(timeout)
                    .user_agent(concat!("ruqsat/", env!("CARGO_PKG_VERSION")))
                    .build()
                    .map_err(|e| e.to_string())
            })
            .as_ref()
            .map_err(|e| GatewayError::Unavailable(format!("HTTP client: {e}")))
    }

    /// Sends with retries; answers the final status and body (any status but 5xx).
    fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&[u8]>,
        idempotency_key: Option<Uuid>,
    ) -> Result<(StatusCode, Vec<u8>), GatewayError> {
        let url = format!("{}{path}", self.base_url);
        let mut attempt = 1u32;
        loop {
            match self.attempt(method.clone(), &url, body, idempotency_key) {
                Attempt::Done(r) => return r,
                Attempt::Transient(e) => {
                    if attempt >= self.attempts {
                        tracing::warn!(%url, attempt, error = %e, "payment gateway call failed");
                        return Err(e);
                    }
                    let pause = self.backoff.delay(attempt);
                    tracing::warn!(
                        %url,
                        attempt,
                        pause_ms = pause.as_millis() as u64,
                        error = %e,
                        "payment gateway call failed; retrying"
                    );
                    (self.sleeper)(pause);
                    attempt += 1;
                }
            }
        }
    }

    fn attempt(
        &self,
        method: Method,
        url: &str,
        body: Option<&[u8]>,
        idempotency_key: Option<Uuid>,
    ) -> Attempt {
        let client = match self.client() {
            Ok(c) => c,
            Err(e) => return Attempt::Done(Err(e)),
        };
        let mut req = client
            .request(method, url)
            .bearer_auth(self.api_key.expose())
            .header(reqwest::header::ACCEPT, "application/json");
        if let Some(key) = idempotency_key {
            req = req.header(IDEMPOTENCY_HEADER, key.to_string());
        }
        if let Some(b) = body {
            req = req
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(b.to_vec());
        }
        let response = match req.send() {
            Ok(r) => r,
            Err(e) if e.is_timeout() => {
                return Attempt::Transient(GatewayError::Timeout(e.to_string()))
            }
            Err(e) => return Attempt::Transient(GatewayError::Unavailable(e.to_string())),
        };
        let status = response.status();
        if status.is_server_error() {
            return Attempt::Transient(GatewayError::Unavailable(format!(
                "HTTP {}",
                status.as_u16()
            )));
        }
        let mut buf = Vec::new();
        if let Err(e) = response.take(MAX_BODY_BYTES + 1).read_to_end(&mut buf) {
            let timed_out = e.kind() == std::io::ErrorKind::TimedOut
                || e.get_ref()
                    .and_then(|inner| inner.downcast_ref::<reqwest::Error>())
                    .is_some_and(reqwest::Error::is_timeout);
            let msg = format!("reading the response: {e}");
            return Attempt::Transient(if timed_out {
                GatewayError::Timeout(msg)
            } else {
                GatewayError::Unavailable(msg)
            });
        }
        if buf.len() as u64 > MAX_BODY_BYTES {
            return Attempt::Done(Err(GatewayError::Malformed(format!(
                "response larger than {MAX_BODY_BYTES} bytes"
            ))));
        }
        Attempt::Done(Ok((status, buf)))
    }

    /// Maps a final answer: 2xx → the body; 4xx → errors (never retried).
    fn expect_success(status: StatusCode, body: Vec<u8>) -> Result<Vec<u8>, GatewayError> {
        if status.is_success() {
            return Ok(body);
        }
        Err(match status {
            StatusCode::NOT_FOUND => GatewayError::NotFound,
            StatusCode::PAYMENT_REQUIRED => GatewayError::Declined(error_text(status, &body)),
            s if s.is_client_error() => GatewayError::Rejected(error_text(status, &body)),
            s => GatewayError::Malformed(format!("unexpected HTTP {}", s.as_u16())),
        })
    }

    fn json<T: serde::de::DeserializeOwned>(body: &[u8], what: &str) -> Result<T, GatewayError> {
        serde_json::from_slice(body).map_err(|e| GatewayError::Malformed(format!("{what}: {e}")))
    }
}

impl PaymentGateway for HttpGateway {
    fn create_payment(&self, payment: &NewPayment) -> Result<CreatedPayment, GatewayError> {
        payment.validate()?;
        let body = serde_json::to_vec(payment)
            .map_err(|e| GatewayError::InvalidRequest(format!("encoding the request: {e}")))?;
        let (status, answer) = self.send(
            Method::POST,
            "/payments",
            Some(&body),
            Some(payment.idempotency_key),
        )?;
        let answer = Self::expect_success(status, answer)?;
        let a: CreateAnswer = Self::json(&answer, "payment")?;
        if !is_gateway_payment_id(&a.gateway_payment_id) {
            return Err(GatewayError::Malformed(
                "gateway_payment_id has an invalid form".to_owned(),
            ));
        }
        if a.idempotency_key
            .is_some_and(|k| k != payment.idempotency_key)
        {
            return Err(GatewayError::Malformed(
                "the answer is about another payment (idempotency key differs)".to_owned(),
            ));
        }
        if a.amount != payment.amount || a.currency != payment.currency {
            return Err(GatewayError::AmountMismatch(format!(
                "asked {} {}, gateway answered {} {}",
                payment.amount.to_decimal(),
                payment.currency,
                a.amount.to_decimal(),
                a.currency
            )));
        }
        if !is_http_url(&a.payment_page_url) {
            return Err(GatewayError::Malformed(
                "payment_page_url is not an absolute http(s) URL".to_owned(),
            ));
        }
        if a.status == PaymentStatus::Declined {
            return Err(GatewayError::Declined(format!(
                "payment {} declined on creation",
                a.gateway_payment_id
            )));
        }
        tracing::info!(
            payment_id = %payment.idempotency_key,
            gateway_payment_id = %a.gateway_payment_id,
            status = %a.status,
            "payment created at the gateway"
        );
        Ok(CreatedPayment {
            gateway_payment_id: a.gateway_payment_id,
            payment_page_url: a.payment_page_url,
            status: a.status,
        })
    }

    fn payment_status(&self, gateway_payment_id: &str) -> Result<GatewayPayment, GatewayError> {
        if !is_gateway_payment_id(gateway_payment_id) {
            return Err(GatewayError::NotFound);
        }
        let (status, body) = self.send(
            Method::GET,
            &format!("/payments/{gateway_payment_id}"),
            None,
            None,
        )?;
        let body = Self::expect_success(status, body)?;
        let p: GatewayPayment = Self::json(&body, "payment")?;
        if p.gateway_payment_id != gateway_payment_id {
            return Err(GatewayError::Malformed(format!(
                "asked for payment {gateway_payment_id}, got `{}`",
                p.gateway_payment_id
            )));
        }
        if p.currency.trim().is_empty() {
            return Err(GatewayError::Malformed("currency is empty".to_owned()));
        }
        Ok(p)
    }

    fn statement(&self, date: NaiveDate) -> Result<Vec<StatementLine>, GatewayError> {
        let (status, body) = self.send(
            Method::GET,
            &format!("/statements/{}", date.format("%Y-%m-%d")),
            None,
            None,
        )?;
        let body = Self::expect_success(status, body)?;
        let s: StatementAnswer = Self::json(&body, "statement")?;
        if s.date != date {
            return Err(GatewayError::Malformed(format!(
                "asked for the statement of {date}, got {}",
                s.date
            )));
        }
        Ok(s.lines)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn backoff_doubles_and_caps() {
        let b = Backoff::DEFAULT;
        assert_eq!(b.delay(1), Duration::from_millis(200));
        assert_eq!(b.delay(2), Duration::from_millis(400));
        assert_eq!(b.delay(3), Duration::from_millis(800));
        assert_eq!(b.delay(10), Duration::from_secs(5));
        assert_eq!(b.delay(u32::MAX), Duration::from_secs(5));
        let flat = Backoff {
            factor: 0,
            ..Backoff::DEFAULT
        };
        assert_eq!(flat.delay(3), Duration::from_millis(200));
    }

    #[test]
    fn config_url_and_redaction() {
        let key = Secret::new("sk_live_very_secret");
        let g = HttpGateway::new(HttpGatewayConfig::new(
            "http://127.0.0.1:9/api/",
            key.clone(),
        ))
        .expect("valid URL");
        assert_eq!(g.base_url(), "http://127.0.0.1:9/api");
        let dbg = format!("{g:?}");
        assert!(!dbg.contains("very_secret"), "{dbg}");
        let cfg = HttpGatewayConfig::new("http://x", key.clone());
        assert!(!format!("{cfg:?}").contains("very_secret"));
        assert_eq!(cfg.attempts, 3);
        for bad in ["not a url", "ftp://pay.kz", "mailto:a@b.kz"] {
            let e = HttpGateway::new(HttpGatewayConfig::new(bad, key.clone())).expect_err(bad);
            assert_eq!(e.code(), ErrorCode::PaymentInvalidRequest);
        }
    }

    #[test]
    fn error_bodies_are_summarised() {
        let t = error_text(
            StatusCode::PAYMENT_REQUIRED,
            br#"{"error":{"code":"insufficient_funds","message":"Card\ndeclined"}}"#,
        );
        assert_eq!(t, "HTTP 402: insufficient_funds: Carddeclined");
        assert_eq!(error_text(StatusCode::BAD_REQUEST, b"<html>"), "HTTP 400");
    }

    #[test]
    fn bad_ids_never_reach_the_network() {
        let g = HttpGateway::new(HttpGatewayConfig::new(
            "http://127.0.0.1:9",
            Secret::new("k"),
        ))
        .expect("valid URL");
        assert_eq!(
            g.payment_status("../statements/2026-01-01"),
            Err(GatewayError::NotFound)
        );
        assert_eq!(g.payment_status(""), Err(GatewayError::NotFound));
    }
}
