//! The embedded sandbox gateway: an in-memory ПШЭП with the same HTTP API as the real one
//! (`docs/payments.md`), mounted at [`MOUNT`] (`/sandbox/gateway`), and a payment page so
//! the demo and a new user can pay offline.
//!
//! - `POST /sandbox/gateway/payments` (`Idempotency-Key` honoured: the same key answers the
//!   same payment), `GET /sandbox/gateway/payments/{id}`,
//!   `GET /sandbox/gateway/statements/{yyyy-mm-dd}`: the gateway API.
//! - `GET /sandbox/gateway/pay/{id}`: an HTML page with «Pay» and «Decline» buttons that
//!   `POST /sandbox/gateway/pay/{id}/pay` or `…/decline`. Either marks the payment, sends a
//!   signed callback (HMAC-SHA256 over `"{timestamp}.{body}"`) to the configured callback
//!   URL on a background thread (retried; failures are logged and the payment stays
//!   queryable by status, so nothing is lost), and redirects (303) to the `return_url`.
//!
//! [`SandboxGateway`] also implements [`PaymentGateway`] in process (no HTTP), and
//! [`SandboxGateway::complete`] pays or declines programmatically (`ruqsat demo`).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::config::Secret;
use crate::payments::business_date;
use crate::payments::callback::{sign_callback, CallbackEvent, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use crate::payments::gateway::{
    is_gateway_payment_id, CreatedPayment, GatewayError, GatewayPayment, NewPayment,
    PaymentGateway, PaymentStatus, StatementLine,
};
use crate::payments::http::IDEMPOTENCY_HEADER;

/// Where [`scope`] is mounted.
pub const MOUNT: &str = "/sandbox/gateway";

/// A payment held by the sandbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SandboxPayment {
    pub gateway_payment_id: String,
    pub request: NewPayment,
    pub payment_page_url: String,
    pub status: PaymentStatus,
    pub created_at: DateTime<Utc>,
    pub paid_at: Option<DateTime<Utc>>,
    /// The last event sent for this payment, if any.
    pub last_event: Option<CallbackEvent>,
    /// Callback delivery attempts made for the last event, and whether one succeeded.
    pub callback_attempts: u32,
    pub callback_delivered: bool,
}

impl SandboxPayment {
    pub fn to_gateway_payment(&self) -> GatewayPayment {
        GatewayPayment {
            gateway_payment_id: self.gateway_payment_id.clone(),
            idempotency_key: Some(self.request.idempotency_key),
            status: self.status,
            amount: self.request.amount,
            currency: self.request.currency.clone(),
            paid_at: self.paid_at,
        }
    }

    fn created(&self) -> CreatedPayment {
        CreatedPayment {
            gateway_payment_id: self.gateway_payment_id.clone(),
            payment_page_url: self.payment_page_url.clone(),
            status: self.status,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SandboxError {
    #[error("no such sandbox payment")]
    NotFound,
    /// The same idempotency key with other payment data, or a final payment asked to
    /// change to another final status.
    #[error("conflict: {0}")]
    Conflict(String),
    #[error(transparent)]
    Invalid(#[from] GatewayError),
}

/// How callbacks are delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryPolicy {
    pub attempts: u32,
    /// Pause before the first retry; doubled each time.
    pub pause: Duration,
    pub timeout: Duration,
}

impl Default for DeliveryPolicy {
    fn default() -> Self {
        DeliveryPolicy {
            attempts: 5,
            pause: Duration::from_millis(500),
            timeout: Duration::from_secs(5),
        }
    }
}

#[derive(Default)]
struct Inner {
    payments: BTreeMap<String, SandboxPayment>,
    by_key: HashMap<Uuid, String>,
    events: u64,
}

type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// The in-memory sandbox gateway. Share it as `web::Data<SandboxGateway>` (or an `Arc`).
pub struct SandboxGateway {
    secret: Secret,
    callback_url: Option<String>,
    api_key: Option<Secret>,
    public_url: String,
    clock: Clock,
    delivery: DeliveryPolicy,
    inner: Arc<Mutex<Inner>>,
}

impl std::fmt::Debug for SandboxGateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxGateway")
            .field("secret", &self.secret)
            .field("callback_url", &self.callback_url)
            .field("api_key", &self.api_key)
            .field("public_url", &self.public_url)
            .field("delivery", &self.delivery)
            .finish()
    }
}

fn lock(inner: &Mutex<Inner>) -> MutexGuard<'_, Inner> {
    // A panic while holding the lock leaves consistent data (every change is one insert or
    // one field update), so a poisoned lock is still usable.
    inner.lock().unwrap_or_else(|p| p.into_inner())
}

impl SandboxGateway {
    /// `secret` signs callbacks (the app verifies them with the same secret);
    /// `callback_url` receives them (empty: no callbacks, status queries only).
    pub fn new(secret: impl Into<String>, callback_url: impl Into<String>) -> SandboxGateway {
        let url: String = callback_url.into();
        SandboxGateway {
            secret: Secret::new(secret),
            callback_url: Some(url.trim().to_owned()).filter(|u| !u.is_empty()),
            api_key: None,
            public_url: String::new(),
            clock: Arc::new(Utc::now),
            delivery: DeliveryPolicy::default(),
            inner: Arc::new(Mutex::new(Inner::default())),
        }
    }

    /// Requires `Authorization: Bearer <key>` on the API (the payment page stays open).
    pub fn with_api_key(mut self, key: Secret) -> Self {
        self.api_key = Some(key);
        self
    }

    /// Base of payment page URLs for in-process creations (e.g. `http://127.0.0.1:8080`);
    /// over HTTP the URL is taken from the request. Default empty: relative URLs.
    pub fn with_public_url(mut self, url: impl Into<String>) -> Self {
        self.public_url = url.into().trim_end_matches('/').to_owned();
        self
    }

    pub fn with_clock(mut self, clock: Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>) -> Self {
        self.clock = clock;
        self
    }

    pub fn with_delivery(mut self, policy: DeliveryPolicy) -> Self {
        self.delivery = policy;
        self
    }

    fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    /// Creates a payment, or answers the one already created with this idempotency key
    /// (`bool` = newly created). `page_base` is the URL the sandbox is reached at.
    pub fn create(
        &self,
        np: &NewPayment,
        page_base: &str,
    ) -> Result<(SandboxPayment, bool), SandboxError> {
        np.validate()?;
        let mut inner = lock(&self.inner);
        if let Some(existing) = inner
            .by_key
            .get(&np.idempotency_key)
            .and_then(|id| inner.payments.get(id))
        {
            if existing.request != *np {
                return Err(SandboxError::Conflict(
                    "this Idempotency-Key was used for another payment".to_owned(),
                ));
            }
            return Ok((existing.clone(), false));
        }
        let id = format!("sbx_{}", Uuid::new_v4().simple());
        let p = SandboxPayment {
            gateway_payment_id: id.clone(),
            request: np.clone(),
            payment_page_url: format!(
                "{}{MOUNT}/pay/{id}?t={}",
                page_base.trim_end_matches('/'),
                self.page_token(&id)
            ),
            status: PaymentStatus::Pending,
            created_at: self.now(),
            paid_at: None,
            last_event: None,
            callback_attempts: 0,
            callback_delivered: false,
        };
        inner.by_key.insert(np.idempotency_key, id.clone());
        inner.payments.insert(id, p.clone());
        Ok((p, true))
    }

    /// The payer's key to a payment's page: an HMAC of the payment id under the sandbox's
    /// secret, carried in the page URL and its forms. Knowing a payment id (staff see it)
    /// is not enough to pay or decline someone else's payment.
    pub fn page_token(&self, gateway_payment_id: &str) -> String {
        use hmac::{Hmac, Mac};
        let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(self.secret.expose().as_bytes())
            .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
        mac.update(b"sandbox-page:");
        mac.update(gateway_payment_id.as_bytes());
        mac.finalize()
            .into_bytes()
            .iter()
            .take(16)
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// Whether `token` opens the page of `gateway_payment_id` (compared in constant time).
    fn page_token_ok(&self, gateway_payment_id: &str, token: Option<&str>) -> bool {
        use sha2::Digest;
        let expected = self.page_token(gateway_payment_id);
        token.is_some_and(|t| {
            sha2::Sha256::digest(t.as_bytes()) == sha2::Sha256::digest(expected.as_bytes())
        })
    }

    pub fn get(&self, gateway_payment_id: &str) -> Option<SandboxPayment> {
        lock(&self.inner).payments.get(gateway_payment_id).cloned()
    }

    /// Every payment, by gateway id.
    pub fn payments(&self) -> Vec<SandboxPayment> {
        lock(&self.inner).payments.values().cloned().collect()
    }

    /// Pays (`Paid`), declines (`Declined`) or expires (`Expired`) a pending payment and
    /// sends the signed callback in the background. Repeating the same outcome changes
    /// nothing and sends nothing; another final outcome is a `Conflict`.
    pub fn complete(
        &self,
        gateway_payment_id: &str,
        outcome: PaymentStatus,
    ) -> Result<SandboxPayment, SandboxError> {
        if outcome == PaymentStatus::Pending {
            return Err(SandboxError::Conflict(
                "a payment cannot return to pending".to_owned(),
            ));
        }
        let now = self.now();
        let (payment, event) = {
            let mut guard = lock(&self.inner);
            let inner = &mut *guard;
            let p = inner
                .payments
                .get_mut(gateway_payment_id)
                .ok_or(SandboxError::NotFound)?;
            if p.status == outcome {
                return Ok(p.clone());
            }
            if p.status != PaymentStatus::Pending {
                return Err(SandboxError::Conflict(format!(
                    "payment is already {}",
                    p.status
                )));
            }
            inner.events += 1;
            let event_no = inner.events;
            p.status = outcome;
            if outcome == PaymentStatus::Paid {
                p.paid_at = Some(now);
            }
            let event = CallbackEvent {
                event_id: format!("evt_{event_no:08}_{}", p.gateway_payment_id),
                gateway_payment_id: p.gateway_payment_id.clone(),
                idempotency_key: p.request.idempotency_key,
                status: outcome,
                amount: p.request.amount,
                currency: p.request.currency.clone(),
                at: now,
            };
            p.last_event = Some(event.clone());
            p.callback_attempts = 0;
            p.callback_delivered = false;
            (p.clone(), event)
        };
        tracing::info!(
            gateway_payment_id,
            status = %outcome,
            "sandbox gateway: payment completed"
        );
        self.deliver(event);
        Ok(payment)
    }

    /// Sends the last event of a payment again (e.g. after the app was down).
    pub fn redeliver(&self, gateway_payment_id: &str) -> Result<(), SandboxError> {
        let event = self
            .get(gateway_payment_id)
            .ok_or(SandboxError::NotFound)?
            .last_event
            .ok_or_else(|| SandboxError::Conflict("no event to deliver".to_owned()))?;
        self.deliver(event);
        Ok(())
    }

    /// Statement of a business day: the payments paid on that day (UTC+5), by time.
    pub fn statement_of(&self, date: NaiveDate) -> Vec<StatementLine> {
        let inner = lock(&self.inner);
        let mut lines: Vec<StatementLine> = inner
            .payments
            .values()
            .filter(|p| p.status == PaymentStatus::Paid)
            .filter(|p| p.paid_at.is_some_and(|t| business_date(t) == date))
            .map(|p| StatementLine {
                gateway_payment_id: p.gateway_payment_id.clone(),
                idempotency_key: p.request.idempotency_key,
                amount: p.request.amount,
                currency: p.request.currency.clone(),
                status: p.status,
                paid_at: p.paid_at,
            })
            .collect();
        lines.sort_by(|a, b| {
            (a.paid_at, &a.gateway_payment_id).cmp(&(b.paid_at, &b.gateway_payment_id))
        });
        lines
    }

    /// Sends `event` to the callback URL on a background thread, re-signing each attempt
    /// with the current time. Never blocks the caller.
    fn deliver(&self, event: CallbackEvent) {
        let Some(url) = self.callback_url.clone() else {
            tracing::info!(
                gateway_payment_id = %event.gateway_payment_id,
                "sandbox gateway: no callback URL; the payment is available by status query"
            );
            return;
        };
        let body = match serde_json::to_vec(&event) {
            Ok(b) => b,
            Err(e) => {
                tracing::error!(error = %e, "sandbox gateway: encoding a callback");
                return;
            }
        };
        let secret = self.secret.clone();
        let policy = self.delivery;
        let clock = Arc::clone(&self.clock);
        let inner = Arc::clone(&self.inner);
        let spawned = std::thread::Builder::new()
            .name("sandbox-callback".to_owned())
            .spawn(move || deliver_blocking(&url, &body, &secret, policy, &clock, &inner, &event));
        if let Err(e) = spawned {
            tracing::error!(error = %e, "sandbox gateway: cannot start callback delivery");
        }
    }
}

fn deliver_blocking(
    url: &str,
    body: &[u8],
    secret: &Secret,
    policy: DeliveryPolicy,
    clock: &Clock,
    inner: &Mutex<Inner>,
    event: &CallbackEvent,
) {
    let client = match reqwest::blocking::Client::builder()
        .timeout(policy.timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "sandbox gateway: HTTP client for callbacks");
            return;
        }
    };
    let mut pause = policy.pause;
    for attempt in 1..=policy.attempts.max(1) {
        let ts = clock().timestamp();
        let result = client
            .post(url)
            .header(header::CONTENT_TYPE.as_str(), "application/json")
            .header(TIMESTAMP_HEADER, ts.to_string())
            .header(
                SIGNATURE_HEADER,
                sign_callback(secret.expose().as_bytes(), body, ts),
            )
            .body(body.to_vec())
            .send();
        let delivered = matches!(&result, Ok(r) if r.status().is_success());
        {
            let mut guard = lock(inner);
            if let Some(p) = guard.payments.get_mut(&event.gateway_payment_id) {
                if p.last_event.as_ref().map(|e| &e.event_id) == Some(&event.event_id) {
                    p.callback_attempts += 1;
                    p.callback_delivered |= delivered;
                }
            }
        }
        match result {
            Ok(_) if delivered => {
                tracing::info!(event_id = %event.event_id, attempt, "sandbox gateway: callback delivered");
                return;
            }
            Ok(r) => tracing::warn!(
                event_id = %event.event_id,
                attempt,
                status = r.status().as_u16(),
                "sandbox gateway: callback refused"
            ),
            Err(e) => tracing::warn!(
                event_id = %event.event_id,
                attempt,
                error = %e,
                "sandbox gateway: callback not delivered"
            ),
        }
        if attempt < policy.attempts {
            std::thread::sleep(pause);
            pause = pause.saturating_mul(2);
        }
    }
    tracing::error!(
        event_id = %event.event_id,
        gateway_payment_id = %event.gateway_payment_id,
        "sandbox gateway: callback given up; the payment stays queryable by status"
    );
}

impl PaymentGateway for SandboxGateway {
    fn create_payment(&self, payment: &NewPayment) -> Result<CreatedPayment, GatewayError> {
        match self.create(payment, &self.public_url) {
            Ok((p, _)) => Ok(p.created()),
            Err(SandboxError::Invalid(e)) => Err(e),
            Err(e) => Err(GatewayError::Rejected(e.to_string())),
        }
    }

    fn payment_status(&self, gateway_payment_id: &str) -> Result<GatewayPayment, GatewayError> {
        self.get(gateway_payment_id)
            .map(|p| p.to_gateway_payment())
            .ok_or(GatewayError::NotFound)
    }

    fn statement(&self, date: NaiveDate) -> Result<Vec<StatementLine>, GatewayError> {
        Ok(self.statement_of(date))
    }
}

// ---------------------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------------------

/// The sandbox's routes under [`MOUNT`]: `App::new().service(sandbox::scope(data))`.
pub fn scope(state: web::Data<SandboxGateway>) -> actix_web::Scope {
    web::scope(MOUNT)
        .app_data(state)
        .route("/payments", web::post().to(http_create))
        .route("/payments/{id}", web::get().to(http_status))
        .route("/statements/{date}", web::get().to(http_statement))
        .route("/pay/{id}", web::get().to(http_page))
        .route("/pay/{id}/pay", web::post().to(http_pay))
        .route("/pay/{id}/decline", web::post().to(http_decline))
}

/// The same routes as a `configure` function: `App::new().configure(sandbox::configure(d))`.
pub fn configure(state: web::Data<SandboxGateway>) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg: &mut web::ServiceConfig| {
        cfg.service(scope(state));
    }
}

fn json_error(status: actix_web::http::StatusCode, code: &str, message: &str) -> HttpResponse {
    HttpResponse::build(status).json(serde_json::json!({
        "error": { "code": code, "message": message }
    }))
}

/// `Some(401)` unless the bearer token is the configured key (when one is configured).
fn refuse_unauthorized(gw: &SandboxGateway, req: &HttpRequest) -> Option<HttpResponse> {
    let Some(key) = &gw.api_key else {
        return None;
    };
    let given = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let ok = given.is_some_and(|g| {
        use sha2::Digest;
        // Compare digests so the comparison time does not depend on the key.
        sha2::Sha256::digest(g.as_bytes()) == sha2::Sha256::digest(key.expose().as_bytes())
    });
    (!ok).then(|| {
        json_error(
            actix_web::http::StatusCode::UNAUTHORIZED,
            "unauthorized",
            "missing or wrong API key",
        )
    })
}

fn origin(req: &HttpRequest) -> String {
    let ci = req.connection_info();
    format!("{}://{}", ci.scheme(), ci.host())
}

#[derive(Serialize)]
struct CreateAnswer<'a> {
    gateway_payment_id: &'a str,
    idempotency_key: Uuid,
    payment_page_url: &'a str,
    status: PaymentStatus,
    amount: crate::domain::money::Money,
    currency: &'a str,
}

async fn http_create(
    gw: web::Data<SandboxGateway>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    use actix_web::http::StatusCode;
    if let Some(r) = refuse_unauthorized(&gw, &req) {
        return r;
    }
    let key = req
        .headers()
        .get(IDEMPOTENCY_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| Uuid::parse_str(v.trim()).ok());
    let Some(key) = key else {
        return json_error(
            StatusCode::BAD_REQUEST,
            "idempotency_key_required",
            "the Idempotency-Key header (a UUID) is required",
        );
    };
    let np: NewPayment = match serde_json::from_slice(&body) {
        Ok(np) => np,
        Err(e) => return json_error(StatusCode::BAD_REQUEST, "bad_request", &e.to_string()),
    };
    if np.idempotency_key != key {
        return json_error(
            StatusCode::BAD_REQUEST,
            "idempotency_key_mismatch",
            "the Idempotency-Key header differs from the body's idempotency_key",
        );
    }
    let base = if gw.public_url.is_empty() {
        origin(&req)
    } else {
        gw.public_url.clone()
    };
    match gw.create(&np, &base) {
        Ok((p, created)) => {
            let status = if created {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            HttpResponse::build(status).json(CreateAnswer {
                gateway_payment_id: &p.gateway_payment_id,
                idempotency_key: p.request.idempotency_key,
                payment_page_url: &p.payment_page_url,
                status: p.status,
                amount: p.request.amount,
                currency: &p.request.currency,
            })
        }
        Err(SandboxError::Conflict(m)) => {
            json_error(StatusCode::CONFLICT, "idempotency_conflict", &m)
        }
        Err(SandboxError::Invalid(e)) => json_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_payment",
            &e.to_string(),
        ),
        Err(SandboxError::NotFound) => {
            json_error(StatusCode::NOT_FOUND, "not_found", "no such payment")
        }
    }
}

async fn http_status(
    gw: web::Data<SandboxGateway>,
    req: HttpRequest,
    id: web::Path<String>,
) -> HttpResponse {
    if let Some(r) = refuse_unauthorized(&gw, &req) {
        return r;
    }
    match gw.get(&id) {
        Some(p) => HttpResponse::Ok().json(p.to_gateway_payment()),
        None => json_error(
            actix_web::http::StatusCode::NOT_FOUND,
            "not_found",
            "no such payment",
        ),
    }
}

async fn http_statement(
    gw: web::Data<SandboxGateway>,
    req: HttpRequest,
    date: web::Path<String>,
) -> HttpResponse {
    if let Some(r) = refuse_unauthorized(&gw, &req) {
        return r;
    }
    let Ok(date) = NaiveDate::parse_from_str(&date, "%Y-%m-%d") else {
        return json_error(
            actix_web::http::StatusCode::BAD_REQUEST,
            "bad_date",
            "expected yyyy-mm-dd",
        );
    };
    HttpResponse::Ok().json(serde_json::json!({
        "date": date,
        "lines": gw.statement_of(date),
    }))
}

use crate::html::escape as html_escape;

fn page_html(p: &SandboxPayment, token: &str) -> String {
    let id = html_escape(&p.gateway_payment_id);
    let t = html_escape(token);
    let amount = p.request.amount;
    let actions = if p.status == PaymentStatus::Pending {
        format!(
            r#"<form method="post" action="{MOUNT}/pay/{id}/pay"><input type="hidden" name="t" value="{t}"><button type="submit" name="action" value="pay">Төлеу / Оплатить / Pay</button></form>
<form method="post" action="{MOUNT}/pay/{id}/decline"><input type="hidden" name="t" value="{t}"><button type="submit" name="action" value="decline">Бас тарту / Отклонить / Decline</button></form>"#
        )
    } else {
        format!(
            r#"<p><a href="{}">Қайту / Вернуться / Return</a></p>"#,
            html_escape(&p.request.return_url)
        )
    };
    format!(
        r#"<!DOCTYPE html>
<html lang="kk"><head><meta charset="utf-8"><title>ПШЭП sandbox — {id}</title></head>
<body>
<h1>ПШЭП — sandbox</h1>
<p><strong>Демо-төлем / Демо-платёж / Demo payment: no real money is moved.</strong></p>
<table>
<tr><th>Сомасы / Сумма / Amount</th><td><span class="amount">{amount_kk}</span> (<span class="amount-plain">{amount_plain} {currency}</span>)</td></tr>
<tr><th>Мақсаты / Назначение / Purpose</th><td>{purpose}</td></tr>
<tr><th>ЖСН/БСН / ИИН/БИН</th><td>{payer}</td></tr>
<tr><th>КБК</th><td>{kbk}</td></tr>
<tr><th>Мәртебе / Статус / Status</th><td class="status">{status}</td></tr>
</table>
{actions}
</body></html>
"#,
        amount_kk = html_escape(&amount.format_kk_ru()),
        amount_plain = amount.to_decimal(),
        currency = html_escape(&p.request.currency),
        purpose = html_escape(&p.request.purpose),
        payer = html_escape(&p.request.payer_iin_bin),
        kbk = html_escape(&p.request.kbk),
        status = p.status,
    )
}

fn not_found_page() -> HttpResponse {
    HttpResponse::NotFound()
        .content_type("text/html; charset=utf-8")
        .body("<!DOCTYPE html><html><body><p>No such payment.</p></body></html>")
}

/// The page link's `?t=` and the forms' hidden `t`.
#[derive(serde::Deserialize)]
struct PageToken {
    t: Option<String>,
}

async fn http_page(
    gw: web::Data<SandboxGateway>,
    id: web::Path<String>,
    q: web::Query<PageToken>,
) -> HttpResponse {
    if !is_gateway_payment_id(&id) || !gw.page_token_ok(&id, q.t.as_deref()) {
        return not_found_page();
    }
    match gw.get(&id) {
        Some(p) => HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .body(page_html(&p, &gw.page_token(&id))),
        None => not_found_page(),
    }
}

async fn http_pay(
    gw: web::Data<SandboxGateway>,
    id: web::Path<String>,
    form: web::Form<PageToken>,
) -> HttpResponse {
    finish(&gw, &id, form.t.as_deref(), PaymentStatus::Paid)
}

async fn http_decline(
    gw: web::Data<SandboxGateway>,
    id: web::Path<String>,
    form: web::Form<PageToken>,
) -> HttpResponse {
    finish(&gw, &id, form.t.as_deref(), PaymentStatus::Declined)
}

/// Marks the payment (callback in the background), then sends the browser back.
/// A second click after a final outcome just redirects.
fn finish(
    gw: &SandboxGateway,
    id: &str,
    token: Option<&str>,
    outcome: PaymentStatus,
) -> HttpResponse {
    if !gw.page_token_ok(id, token) {
        return not_found_page();
    }
    let payment = match gw.complete(id, outcome) {
        Ok(p) => p,
        Err(SandboxError::Conflict(_)) => match gw.get(id) {
            Some(p) => p,
            None => return not_found_page(),
        },
        Err(_) => return not_found_page(),
    };
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, payment.request.return_url))
        .finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::Money;
    use crate::error::ErrorCode;

    fn np(key: u128) -> NewPayment {
        NewPayment {
            idempotency_key: Uuid::from_u128(key),
            amount: Money::from_tiyn(4_325_000),
            currency: "KZT".to_owned(),
            payer_iin_bin: "850305401237".to_owned(),
            purpose: "Лицензионный сбор <script>".to_owned(),
            kbk: "105402".to_owned(),
            return_url: "http://127.0.0.1:8080/requests/MED-2026-000001".to_owned(),
        }
    }

    #[test]
    fn in_process_flow() {
        let gw = SandboxGateway::new("s3cret", "").with_public_url("http://demo.local/");
        let c = gw.create_payment(&np(1)).expect("created");
        assert_eq!(c.status, PaymentStatus::Pending);
        assert!(c
            .payment_page_url
            .starts_with("http://demo.local/sandbox/gateway/pay/sbx_"));
        // Same key → same payment; same key with other data → conflict.
        assert_eq!(gw.create_payment(&np(1)), Ok(c.clone()));
        let other = NewPayment {
            amount: Money::from_tiyn(1),
            ..np(1)
        };
        assert_eq!(
            gw.create_payment(&other).map_err(|e| e.code()),
            Err(ErrorCode::PaymentGatewayRejected)
        );
        let paid = gw
            .complete(&c.gateway_payment_id, PaymentStatus::Paid)
            .expect("paid");
        assert_eq!(paid.status, PaymentStatus::Paid);
        let ev = paid.last_event.clone().expect("event");
        // Same outcome again: nothing new.
        let again = gw
            .complete(&c.gateway_payment_id, PaymentStatus::Paid)
            .expect("idempotent");
        assert_eq!(again.last_event, Some(ev));
        assert!(matches!(
            gw.complete(&c.gateway_payment_id, PaymentStatus::Declined),
            Err(SandboxError::Conflict(_))
        ));
        let st = gw.payment_status(&c.gateway_payment_id).expect("status");
        assert_eq!(st.status, PaymentStatus::Paid);
        let day = business_date(st.paid_at.expect("paid_at"));
        let lines = gw.statement(day).expect("statement");
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].idempotency_key, Uuid::from_u128(1));
        assert_eq!(gw.payment_status("sbx_none"), Err(GatewayError::NotFound));
        assert!(matches!(
            gw.complete("sbx_none", PaymentStatus::Paid),
            Err(SandboxError::NotFound)
        ));
    }

    #[test]
    fn page_escapes_text() {
        let gw = SandboxGateway::new("s", "");
        let (p, _) = gw.create(&np(2), "http://x").expect("created");
        let html = page_html(&p, &gw.page_token(&p.gateway_payment_id));
        assert!(html.contains("&lt;script&gt;"));
        assert!(!html.contains("<script>"));
        assert!(html.contains("43250.00 KZT"));
        assert!(html.contains("43\u{a0}250,00\u{a0}₸"));
        assert!(html.contains("/pay\""), "pay form");
        assert!(html.contains(&format!(
            "name=\"t\" value=\"{}\"",
            gw.page_token(&p.gateway_payment_id)
        )));
        assert!(p
            .payment_page_url
            .ends_with(&format!("?t={}", gw.page_token(&p.gateway_payment_id))));
        // Another secret gives another key: a payment id alone opens nothing.
        assert_ne!(
            SandboxGateway::new("t", "").page_token(&p.gateway_payment_id),
            gw.page_token(&p.gateway_payment_id)
        );
        assert!(!gw.page_token_ok(&p.gateway_payment_id, None));
        assert!(!gw.page_token_ok(&p.gateway_payment_id, Some("00")));
        assert!(!format!("{gw:?}").contains("\"s\""));
    }
}
