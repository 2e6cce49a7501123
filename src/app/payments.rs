//! Paying for a request through the payment gateway ПШЭП (R-003-08, R-003-20..22).
//!
//! - `start`: one transaction records a pending payment (our id = the idempotency key) and
//!   moves the request to `awaiting_payment`; then, outside it, the gateway is asked for the
//!   payment and its page. A gateway outage loses nothing: the request waits in
//!   `awaiting_payment` and `start` again re-sends the same idempotency key.
//! - A payment is confirmed only by a verified callback (`callback`) or by a status query
//!   (`status`), never by the browser's return. Either way the event is stored once
//!   (append-only `payment_events`), the payment becomes `paid` and the request `paid`, in
//!   one transaction (R-003-21).
//! - Signing checks the ledger (`paid_for`): no paid payment, no signature (R-003-22).

use super::auth::CurrentUser;
use super::engine::{take, By, Take};
use super::requests::{load_visible, service_of};
use super::App;
use crate::db::models::{PaymentEventRow, PaymentRow, RequestRow};
use crate::db::{queries, DbConnection};
use crate::demo::gateway::SandboxGateway;
use crate::domain::lifecycle::{Facts, State};
use crate::domain::money::Money;
use crate::error::AppError;
use crate::error::ErrorCode;
use crate::payments::{
    apply_event, apply_status, verify_callback, CallbackError, EventOutcome, GatewayError,
    LedgerPayment, NewPayment, PaymentGateway, PaymentStatus, CURRENCY_KZT,
};
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// The gateway and what verifies its callbacks.
pub struct PaymentsPort {
    pub gateway: Arc<dyn PaymentGateway>,
    /// The embedded sandbox, when it is the gateway (demo); mounted at `/sandbox/gateway`.
    pub sandbox: Option<Arc<SandboxGateway>>,
    pub(crate) callback_secret: crate::config::Secret,
}

/// A payment as the payer sees it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct PaymentView {
    pub id: String,
    pub request: String,
    pub status: PaymentStatus,
    /// Tenge with two decimals, e.g. "43250.00".
    pub amount: String,
    pub currency: String,
    pub kbk: String,
    pub purpose: String,
    /// Where to pay, shown to the payer only; `null` for others and while the gateway has
    /// not answered (try again).
    pub payment_page_url: Option<String>,
    pub paid_at: Option<DateTime<Utc>>,
}

/// Whether `user` pays for `req`: its applicant, or the employee who opened it for them.
fn is_payer(req: &RequestRow, user: &CurrentUser) -> bool {
    req.owner_user_id.as_ref() == Some(&user.id) || req.created_by == user.id
}

/// The payment as `user` sees it: the payment page link (the payer's key to paying or
/// declining) only for the payer, never for reviewing staff.
fn view(p: &PaymentRow, req: &RequestRow, user: &CurrentUser) -> PaymentView {
    let number = &req.number;
    PaymentView {
        id: p.id.clone(),
        request: number.to_string(),
        status: p.status,
        amount: Money::from_tiyn(p.amount_tiyn)
            .to_decimal()
            .round_dp(2)
            .to_string(),
        currency: p.currency.clone(),
        kbk: p.kbk.clone(),
        purpose: p.purpose.clone(),
        payment_page_url: p.payment_page_url.clone().filter(|_| is_payer(req, user)),
        paid_at: p.paid_at.map(super::views::utc),
    }
}

/// Whether the request's fee is paid: free, or a paid payment in the ledger (R-003-21).
pub fn paid_for(c: &mut DbConnection, req: &RequestRow) -> Result<bool, AppError> {
    if req.fee_tiyn == 0 {
        return Ok(true);
    }
    Ok(queries::payments_of(c, &req.id)?
        .iter()
        .any(|p| p.status == PaymentStatus::Paid))
}

fn gateway_error(e: GatewayError) -> AppError {
    tracing::warn!(code = %e.code(), error = %e, "payment gateway");
    AppError::with(e.code(), e.to_string())
}

/// `POST /requests/{number}/payment`: creates (or resumes) the payment of a submitted paid
/// request and answers where to pay.
pub fn start(app: &App, user: &CurrentUser, number: &str) -> Result<PaymentView, AppError> {
    let now = app.now();
    let (payment, req) = app.store.write(|c| {
        let req = load_visible(c, user, number)?;
        if !is_payer(&req, user) {
            return Err(AppError::new(ErrorCode::ActionNotPermitted));
        }
        if req.fee_tiyn <= 0 {
            return Err(AppError::new(ErrorCode::PaymentNotRequired));
        }
        let existing = queries::payments_of(c, &req.id)?;
        if let Some(p) = existing
            .iter()
            .find(|p| p.status == PaymentStatus::Paid || p.status == PaymentStatus::Pending)
        {
            return Ok((p.clone(), req));
        }
        let from = req.state;
        if from != State::Submitted && from != State::AwaitingPayment {
            return Err(AppError::with(
                ErrorCode::IllegalTransition,
                format!("payment from state {from}"),
            ));
        }
        let service = service_of(app, &req.service_code)?;
        let payer = req
            .applicant_iin_bin()
            .ok_or_else(|| AppError::internal("request without IIN/BIN"))?
            .to_string();
        let p = PaymentRow {
            id: uuid::Uuid::new_v4().to_string(),
            request_id: req.id.clone(),
            gateway_payment_id: None,
            amount_tiyn: req.fee_tiyn,
            currency: CURRENCY_KZT.to_string(),
            payer_iin_bin: payer,
            kbk: app.config.payment_kbk.clone(),
            purpose: format!("{} {}", service.name.ru, req.number),
            status: PaymentStatus::Pending,
            payment_page_url: None,
            created_at: now.naive_utc(),
            updated_at: now.naive_utc(),
            paid_at: None,
            last_event_id: None,
        };
        queries::insert_payment(c, &p)?;
        if from == State::Submitted {
            let data = serde_json::json!({"payment_id": p.id, "amount_tiyn": p.amount_tiyn,
                                          "currency": p.currency, "kbk": p.kbk});
            take(
                app,
                c,
                service,
                &req,
                Take {
                    action: "request_payment",
                    by: By::System(Some(user)),
                    facts: Facts::default(),
                    reason: None,
                    data: Some(data),
                },
            )?;
        }
        Ok((p, req))
    })?;
    if payment.gateway_payment_id.is_some() {
        return Ok(view(&payment, &req, user));
    }
    // Outside the transaction: the gateway may be slow or down; nothing is lost either way.
    let np = NewPayment {
        idempotency_key: uuid::Uuid::parse_str(&payment.id).map_err(AppError::internal)?,
        amount: Money::from_tiyn(payment.amount_tiyn),
        currency: payment.currency.clone(),
        payer_iin_bin: payment.payer_iin_bin.clone(),
        purpose: payment.purpose.clone(),
        kbk: payment.kbk.clone(),
        return_url: format!(
            "{}/requests/{}",
            app.config.public_url.trim_end_matches('/'),
            req.number
        ),
    };
    let created = app
        .payments
        .gateway
        .create_payment(&np)
        .map_err(gateway_error)?;
    app.store.write(|c| {
        queries::set_payment_gateway(
            c,
            &payment.id,
            &created.gateway_payment_id,
            &created.payment_page_url,
            now.naive_utc(),
        )
    })?;
    let p = app
        .store
        .read(|c| queries::payment(c, &payment.id))?
        .ok_or_else(|| AppError::internal("payment vanished"))?;
    Ok(view(&p, &req, user))
}

fn ledger_entry(p: &PaymentRow, req: &RequestRow) -> Result<LedgerPayment, AppError> {
    Ok(LedgerPayment {
        payment_id: uuid::Uuid::parse_str(&p.id).map_err(AppError::internal)?,
        gateway_payment_id: p.gateway_payment_id.clone(),
        amount: Money::from_tiyn(p.amount_tiyn),
        currency: p.currency.clone(),
        status: p.status,
        paid_at: p.paid_at.map(super::views::utc),
        request_number: Some(req.number.clone()),
        request_state: Some(req.state),
        last_event_id: p.last_event_id.clone(),
    })
}

/// Stores a verified event and its effect, in one transaction: the event (once), the
/// payment's new status (never downgrading `paid`), and, when confirmed, the request's
/// `confirm_payment` step (awaiting_payment → paid).
#[allow(clippy::too_many_arguments)]
fn record(
    app: &App,
    payment_id: &str,
    event_id: &str,
    source: &str,
    status: PaymentStatus,
    amount_tiyn: i64,
    currency: &str,
    outcome: EventOutcome,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let now = app.now();
    app.store.write(|c| {
        let p = queries::payment(c, payment_id)?
            .ok_or_else(|| AppError::new(ErrorCode::PaymentUnknown))?;
        let fresh = queries::insert_payment_event(
            c,
            &PaymentEventRow {
                id: event_id.to_string(),
                payment_id: p.id.clone(),
                received_at: now.naive_utc(),
                source: source.to_string(),
                status,
                amount_tiyn,
                currency: currency.to_string(),
                outcome: format!("{outcome:?}").to_lowercase(),
            },
        )?;
        if !fresh {
            return Ok(()); // the same event again changes nothing
        }
        let Some(new_status) = outcome.new_status() else {
            return Ok(());
        };
        let paid_at = (new_status == PaymentStatus::Paid).then(|| at.naive_utc());
        let changed = queries::set_payment_status(
            c,
            &p.id,
            new_status,
            paid_at,
            Some(event_id),
            now.naive_utc(),
        )?;
        if !changed || new_status != PaymentStatus::Paid {
            return Ok(());
        }
        let req = queries::request_by_id(c, &p.request_id)?
            .ok_or_else(|| AppError::internal("payment without request"))?;
        if req.state != State::AwaitingPayment {
            return Ok(()); // paid after withdrawal etc.: a refund candidate for reconciliation
        }
        let service = service_of(app, &req.service_code)?;
        let data = serde_json::json!({"payment_id": p.id, "event_id": event_id, "source": source,
                                      "gateway_payment_id": p.gateway_payment_id});
        take(
            app,
            c,
            service,
            &req,
            Take {
                action: "confirm_payment",
                by: By::System(None),
                facts: Facts {
                    payment_confirmed: true,
                    ..Facts::default()
                },
                reason: None,
                data: Some(data),
            },
        )?;
        crate::metrics::transition("confirm_payment");
        Ok(())
    })
}

/// `POST /api/v1/payments/callback`: a gateway notification, HMAC-verified over the raw body.
pub fn callback(
    app: &App,
    raw_body: &[u8],
    signature: &str,
    timestamp: &str,
) -> Result<EventOutcome, AppError> {
    let secret = app.payments.callback_secret.expose().as_bytes().to_vec();
    let cb_err = |e: CallbackError| {
        tracing::warn!(code = %e.code(), error = %e, "payment callback refused");
        AppError::with(e.code(), e.to_string())
    };
    let ev = verify_callback(&secret, raw_body, signature, timestamp, app.now()).map_err(cb_err)?;
    let (p, req) = app.store.read(|c| {
        let p = queries::payment(c, &ev.idempotency_key.to_string())?
            .ok_or_else(|| AppError::new(ErrorCode::PaymentUnknown))?;
        let req = queries::request_by_id(c, &p.request_id)?
            .ok_or_else(|| AppError::internal("payment without request"))?;
        Ok((p, req))
    })?;
    let outcome = apply_event(&ledger_entry(&p, &req)?, &ev).map_err(cb_err)?;
    record(
        app,
        &p.id,
        &ev.event_id,
        "callback",
        ev.status,
        ev.amount.tiyn(),
        &ev.currency,
        outcome,
        ev.at,
    )?;
    tracing::info!(payment = %p.id, request = %req.number, ?outcome, "payment callback applied");
    Ok(outcome)
}

/// `GET /requests/{number}/payment`: the latest payment; a pending one is checked with the
/// gateway (the second way a payment is confirmed).
pub fn status(app: &App, user: &CurrentUser, number: &str) -> Result<PaymentView, AppError> {
    let (p, req) = app.store.read(|c| {
        let req = load_visible(c, user, number)?;
        let p = queries::payments_of(c, &req.id)?
            .into_iter()
            .next()
            .ok_or_else(|| AppError::new(ErrorCode::PaymentNotFound))?;
        Ok((p, req))
    })?;
    if p.status == PaymentStatus::Pending {
        if let Some(gid) = &p.gateway_payment_id {
            match app.payments.gateway.payment_status(gid) {
                Ok(gw) => {
                    let outcome = apply_status(&ledger_entry(&p, &req)?, &gw).map_err(|e| {
                        tracing::warn!(code = %e.code(), "payment status refused");
                        AppError::with(e.code(), e.to_string())
                    })?;
                    if outcome.new_status().is_some() {
                        let event_id = format!("status:{gid}:{}", gw.status.as_str());
                        record(
                            app,
                            &p.id,
                            &event_id,
                            "status_query",
                            gw.status,
                            gw.amount.tiyn(),
                            &gw.currency,
                            outcome,
                            gw.paid_at.unwrap_or_else(|| app.now()),
                        )?;
                    }
                }
                // The gateway is down: answer what we know; nothing changes.
                Err(e) => tracing::warn!(code = %e.code(), error = %e, "payment status query"),
            }
        }
    }
    let p = app
        .store
        .read(|c| queries::payment(c, &p.id))?
        .ok_or_else(|| AppError::internal("payment vanished"))?;
    Ok(view(&p, &req, user))
}

/// `ruqsat payments reconcile --date D`: the gateway's statement of business day `D`
/// against our ledger (payments created or paid that day, plus any payment the statement
/// names). Read-only, so running it again gives the same report; `progress` is told each
/// stage.
/// A day's reconciliation for an administrator's page ([`reconcile`]); administrators only.
pub fn reconcile_for(
    app: &App,
    user: &CurrentUser,
    date: chrono::NaiveDate,
) -> Result<crate::payments::ReconciliationReport, AppError> {
    if user.role != crate::domain::roles::Role::Admin {
        return Err(AppError::new(ErrorCode::ActionNotPermitted));
    }
    reconcile(app, date, &mut |_| {})
}

pub fn reconcile(
    app: &App,
    date: chrono::NaiveDate,
    progress: &mut dyn FnMut(crate::payments::reconcile::Progress),
) -> Result<crate::payments::ReconciliationReport, AppError> {
    use chrono::TimeZone;
    let tz = chrono::FixedOffset::east_opt(crate::payments::KZ_OFFSET_SECS)
        .ok_or_else(|| AppError::internal("offset"))?;
    let start = tz
        .from_local_datetime(&date.and_hms_opt(0, 0, 0).unwrap_or_default())
        .single()
        .ok_or_else(|| AppError::internal("day start"))?
        .with_timezone(&Utc);
    let end = start + chrono::Duration::days(1);
    progress(crate::payments::reconcile::Progress::FetchingStatement(
        date,
    ));
    let statement = app
        .payments
        .gateway
        .statement(date)
        .map_err(gateway_error)?;
    let ledger = app.store.read(|c| {
        let mut rows = queries::payments_between(c, start.naive_utc(), end.naive_utc())?;
        for line in &statement {
            let id = line.idempotency_key.to_string();
            if !rows.iter().any(|p| p.id == id) {
                if let Some(p) = queries::payment(c, &id)? {
                    rows.push(p);
                }
            }
        }
        let mut ledger = Vec::with_capacity(rows.len());
        for p in &rows {
            let req = queries::request_by_id(c, &p.request_id)?;
            let mut entry = match &req {
                Some(r) => ledger_entry(p, r)?,
                None => return Err(AppError::internal("payment without request")),
            };
            // A paid payment whose request was withdrawn is a refund candidate (G-21).
            entry.request_state = req.map(|r| r.state);
            ledger.push(entry);
        }
        Ok(ledger)
    })?;
    use crate::payments::reconcile::Progress;
    progress(Progress::Comparing {
        lines: statement.len(),
        ledger: ledger.len(),
    });
    let mut report = crate::payments::reconcile(&statement, &ledger);
    report.date = Some(date);
    progress(Progress::Done {
        discrepancies: report.discrepancies(),
    });
    Ok(report)
}
