//! The transactional e-mail outbox (docs/mail.md).
//!
//! - [`enqueue`] writes a message inside the caller's transaction, so it exists exactly when
//!   the change it tells about does.
//! - [`drain`] leases due messages (one worker per message, on every backend), sends each
//!   through the configured [`crate::mail::Mailer`], and marks it sent, or failed with its
//!   next attempt time, or dead after `mail_max_attempts` failures.
//! - [`spawn_worker`] runs `drain` in `serve` every second.
//!
//! A worker that dies after the SMTP server accepted a message but before marking it sent
//! leaves it leased; when the lease ends another worker sends it again: at most one
//! duplicate, with the same `Message-ID`.

use super::App;
use crate::db::models::OutboxRow;
use crate::db::queries;
use crate::db::DbConnection;
use crate::domain::ids::{DocumentId, RequestId};
use crate::domain::outbox::{AfterFailure, OutboxStatus, LEASE};
use crate::error::{AppError, ErrorCode, Lang};
use crate::mail::OutgoingMail;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

/// A message to write to the outbox.
#[derive(Debug, Clone)]
pub struct NewMail {
    pub kind: &'static str,
    pub to: String,
    pub lang: Lang,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub request: Option<RequestId>,
    /// A result document to attach as its signed PDF.
    pub document: Option<DocumentId>,
}

/// Writes `mail` to the outbox in the caller's transaction; answers its id.
pub fn enqueue(app: &App, c: &mut DbConnection, mail: NewMail) -> Result<String, AppError> {
    let now = app.now().naive_utc();
    let id = uuid::Uuid::now_v7().to_string();
    queries::insert_outbox(
        c,
        &OutboxRow {
            id: id.clone(),
            kind: mail.kind.to_string(),
            recipient: mail.to,
            lang: mail.lang.as_str().to_string(),
            subject: mail.subject,
            body_text: mail.text,
            body_html: mail.html,
            request_id: mail.request,
            document_id: mail.document,
            status: OutboxStatus::Pending,
            attempts: 0,
            next_attempt_at: now,
            lease_owner: None,
            lease_until: None,
            last_error: None,
            created_at: now,
            sent_at: None,
        },
    )?;
    crate::metrics::mail_enqueued(mail.kind);
    Ok(id)
}

/// What one [`drain`] did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Drained {
    pub sent: usize,
    pub failed: usize,
    pub dead: usize,
}

/// Messages taken per lease.
const BATCH: i64 = 20;

/// Sends every message due now, batch by batch, as worker `owner`; stops when none is due
/// or a batch sent nothing (the server is down: the next round tries again).
pub fn drain(app: &App, owner: &str) -> Result<Drained, AppError> {
    let mut total = Drained::default();
    loop {
        let now = app.now();
        let batch = app.store.write(|c| {
            queries::lease_outbox(c, owner, now.naive_utc(), (now + LEASE).naive_utc(), BATCH)
        })?;
        if batch.is_empty() {
            return Ok(total);
        }
        let before = total;
        for row in batch {
            send_one(app, owner, row, &mut total)?;
        }
        if total.sent == before.sent {
            return Ok(total);
        }
    }
}

fn send_one(app: &App, owner: &str, row: OutboxRow, total: &mut Drained) -> Result<(), AppError> {
    let attachment = match &row.document_id {
        Some(id) => match attachment_of(app, id) {
            Ok(a) => Some(a),
            Err(e) => {
                return failed(app, owner, &row, &format!("attachment: {e}"), true, total);
            }
        },
        None => None,
    };
    let mail = OutgoingMail {
        id: row.id.clone(),
        to: row.recipient.clone(),
        subject: row.subject.clone(),
        text: row.body_text.clone(),
        html: row.body_html.clone(),
        attachment,
    };
    match app.mailer.send(&mail) {
        Ok(()) => {
            let now = app.now().naive_utc();
            let ours = app.store.write(|c| {
                let ours = queries::mark_outbox_sent(c, &row.id, owner, now)?;
                if ours {
                    delivered_by_mail(app, c, &row)?;
                }
                Ok(ours)
            })?;
            if !ours {
                tracing::warn!(id = %row.id, "outbox lease lost before the message was marked sent");
            }
            crate::metrics::mail_outcome("sent");
            total.sent += 1;
            Ok(())
        }
        Err(e) => failed(app, owner, &row, &e.message, e.transient, total),
    }
}

/// A result mailed with its signed PDF is the result delivered (R-004-24): the request
/// moves to `result_delivered` by the workflow's `deliver_by_email`, in the transaction that
/// marks the mail sent, when the workflow has that step and the request still waits.
fn delivered_by_mail(app: &App, c: &mut DbConnection, row: &OutboxRow) -> Result<(), AppError> {
    let (Some(request), Some(document)) = (&row.request_id, &row.document_id) else {
        return Ok(());
    };
    let Some(req) = queries::request_by_id(c, request)? else {
        return Ok(());
    };
    let service = super::requests::service_of(app, &req.service_code)?;
    let step = super::engine::take(
        app,
        c,
        service,
        &req,
        super::engine::Take {
            action: "deliver_by_email",
            by: super::engine::By::System(None),
            facts: crate::domain::lifecycle::Facts::default(),
            reason: None,
            data: Some(serde_json::json!({"channel": "email", "message": row.id,
                                          "document_id": document.as_str()})),
        },
    );
    match step {
        // A workflow without the step, or a request already handed over: nothing to record
        // (the plan refuses before anything is written).
        Err(e)
            if matches!(
                e.code,
                ErrorCode::UnknownAction | ErrorCode::IllegalTransition
            ) => {}
        other => {
            other?;
        }
    }
    Ok(())
}

fn failed(
    app: &App,
    owner: &str,
    row: &OutboxRow,
    error: &str,
    transient: bool,
    total: &mut Drained,
) -> Result<(), AppError> {
    let attempts = row.attempts.saturating_add(1);
    let now = app.now();
    let policy = app.config.mail_retry();
    let fate = if transient {
        policy.after_failure(attempts, now)
    } else {
        AfterFailure::Dead
    };
    let (status, next) = match fate {
        AfterFailure::RetryAt(at) => (OutboxStatus::Pending, at),
        AfterFailure::Dead => (OutboxStatus::Dead, now),
    };
    let error: String = error.chars().take(500).collect();
    app.store.write(|c| {
        queries::mark_outbox_failed(
            c,
            &row.id,
            owner,
            attempts,
            status,
            next.naive_utc(),
            &error,
        )
    })?;
    // The address is personal data: the log names the message, not its recipient.
    tracing::warn!(id = %row.id, kind = %row.kind, attempts, %status, "mail not sent: {error}");
    crate::metrics::mail_outcome(status.as_str());
    if status == OutboxStatus::Dead {
        total.dead += 1;
    } else {
        total.failed += 1;
    }
    Ok(())
}

fn attachment_of(app: &App, id: &DocumentId) -> Result<(String, Vec<u8>), AppError> {
    let doc = app
        .store
        .read(|c| queries::document(c, id))?
        .ok_or_else(|| AppError::new(ErrorCode::DocumentNotFound))?;
    let bytes = app.files.get(&doc.sha256).map_err(AppError::internal)?;
    Ok((format!("{}-{}.pdf", doc.kind, id.as_str()), bytes))
}

/// Runs [`drain`] every second on the server's runtime (a blocking task per round, so SMTP
/// and the database never hold up a request), until the server stops. Each instance is its
/// own worker (`owner` names it in leases). Without a runtime (the command line) it does
/// nothing: commands drain the outbox themselves.
pub fn spawn_worker(app: App) {
    let Ok(rt) = tokio::runtime::Handle::try_current() else {
        return;
    };
    let owner = format!("{}-{}", hostname(), uuid::Uuid::new_v4().simple());
    tracing::info!(mailer = %app.mailer.describe(), "mail outbox worker started");
    rt.spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(1));
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            let (app, owner) = (app.clone(), owner.clone());
            let round = tokio::task::spawn_blocking(move || drain(&app, &owner)).await;
            match round {
                Ok(Err(e)) => tracing::warn!(code = %e.code, "outbox round failed: {:?}", e.detail),
                Err(e) => tracing::error!("outbox round panicked: {e}"),
                Ok(Ok(_)) => {}
            }
        }
    });
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_string())
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "ruqsat".into())
}

/// A message as administrators see it (no body: it may hold personal data).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OutboxView {
    pub id: String,
    pub kind: String,
    pub status: OutboxStatus,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

impl From<&OutboxRow> for OutboxView {
    fn from(r: &OutboxRow) -> Self {
        OutboxView {
            id: r.id.clone(),
            kind: r.kind.clone(),
            status: r.status,
            attempts: r.attempts,
            next_attempt_at: super::views::utc(r.next_attempt_at),
            last_error: r.last_error.clone(),
            created_at: super::views::utc(r.created_at),
            sent_at: r.sent_at.map(super::views::utc),
        }
    }
}

fn admin_only(user: &super::auth::CurrentUser) -> Result<(), AppError> {
    if user.role == crate::domain::roles::Role::Admin {
        Ok(())
    } else {
        Err(AppError::new(ErrorCode::ActionNotPermitted))
    }
}

/// `GET /api/v1/admin/outbox?status=dead`: the newest 200 messages (administrators).
pub fn list(
    app: &App,
    user: &super::auth::CurrentUser,
    status: Option<OutboxStatus>,
) -> Result<Vec<OutboxView>, AppError> {
    admin_only(user)?;
    let rows = app
        .store
        .read(|c| queries::outbox_messages(c, status, 200))?;
    Ok(rows.iter().map(OutboxView::from).collect())
}

/// `POST /api/v1/admin/outbox/{id}/requeue`: a dead message back in the queue, due now.
pub fn requeue(app: &App, user: &super::auth::CurrentUser, id: &str) -> Result<(), AppError> {
    admin_only(user)?;
    let now = app.now().naive_utc();
    if app.store.write(|c| queries::requeue_outbox(c, id, now))? {
        tracing::info!(%id, by = %user.login, "dead message re-queued");
        Ok(())
    } else {
        Err(AppError::with(
            ErrorCode::NotFound,
            "no dead message with this id",
        ))
    }
}
