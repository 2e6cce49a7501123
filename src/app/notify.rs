//! Telling the applicant (R-004-39, R-004-40; every service): on each status change the
//! workflow marks (`notify`, on by default), on a deadline extension (new date and reason)
//! and on a result or refusal being issued, in the same transaction as the change:
//!
//! - an in-app notification («Уведомления») for the applicant's account, rendered in
//!   ru/kk/en when read (`GET /api/v1/notifications`);
//! - a mail through the outbox where the person gave an address (their account's, else the
//!   form's `email`), in their language; when they chose delivery by e-mail
//!   (R-004-24) the signed result or refusal is attached.

use super::outbox::{self, NewMail};
use super::App;
use crate::db::models::{DocumentRow, NotificationRow, RequestRow};
use crate::db::queries;
use crate::db::DbConnection;
use crate::domain::catalog::{Issues, Service};
use crate::domain::ids::UserId;
use crate::domain::lifecycle::{Planned, State};
use crate::error::{AppError, ErrorCode, Lang, Messages};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{json, Value};
use utoipa::ToSchema;

/// What a change tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    StatusChanged,
    DeadlineExtended,
    ResultReady,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::StatusChanged => "status_changed",
            Kind::DeadlineExtended => "deadline_extended",
            Kind::ResultReady => "result_ready",
        }
    }
}

/// What `planned` tells the applicant, if anything: a deadline extension, a result or
/// refusal issued, or (if the workflow marks it) a status change.
pub fn kind_of(planned: &Planned, document: Option<Issues>) -> Option<Kind> {
    if planned.action == "extend_deadline" {
        return Some(Kind::DeadlineExtended);
    }
    if matches!(document, Some(Issues::Result) | Some(Issues::Refusal)) {
        return Some(Kind::ResultReady);
    }
    (planned.notify && planned.from != planned.to).then_some(Kind::StatusChanged)
}

/// Whether anyone is there to tell: an applicant's account, or an address in the form.
pub fn has_recipient(req: &RequestRow) -> bool {
    req.owner_user_id.is_some() || form_email(req).is_some()
}

fn form_email(req: &RequestRow) -> Option<String> {
    serde_json::from_str::<Value>(&req.form_json)
        .ok()?
        .get("email")?
        .as_str()
        .map(str::trim)
        .filter(|e| e.contains('@'))
        .map(str::to_string)
}

fn wants_result_by_mail(req: &RequestRow) -> bool {
    serde_json::from_str::<Value>(&req.form_json)
        .ok()
        .and_then(|f| {
            f.get("delivery")
                .and_then(Value::as_str)
                .map(|d| d == "email")
        })
        .unwrap_or(false)
}

/// Writes the notifications of a change from `before` to `after` in the caller's
/// transaction (nothing when the step tells nothing or nobody is there to tell).
#[allow(clippy::too_many_arguments)]
pub fn record(
    app: &App,
    c: &mut DbConnection,
    service: &Service,
    before: &RequestRow,
    after: &RequestRow,
    planned: &Planned,
    document: Option<&DocumentRow>,
    reason: Option<&str>,
) -> Result<(), AppError> {
    let Some(kind) = kind_of(planned, document.map(|d| d.issued_as)) else {
        return Ok(());
    };
    let now = app.now().naive_utc();
    let data = json!({
        "due_at": after.due_at.map(super::views::utc),
        "previous_due_at": before.due_at.map(super::views::utc),
        "reason": reason,
        "document_id": document.map(|d| d.id.as_str().to_string()),
        "document_title": document.map(|d| d.title.clone()),
    });
    let owner = match &after.owner_user_id {
        Some(id) => queries::user_by_id(c, id)?,
        None => None,
    };
    if let Some(owner) = &owner {
        queries::insert_notification(
            c,
            &NotificationRow {
                id: uuid::Uuid::now_v7().to_string(),
                user_id: owner.id.clone(),
                request_id: after.id.clone(),
                kind: kind.as_str().to_string(),
                state: after.state,
                data_json: Some(data.to_string()),
                created_at: now,
                read_at: None,
            },
        )?;
    }
    let address = owner
        .as_ref()
        .and_then(|o| o.email.clone())
        .filter(|e| e.contains('@'))
        .or_else(|| form_email(after));
    let Some(address) = address else {
        return Ok(());
    };
    let lang = owner.as_ref().map_or(Lang::Ru, |o| Lang::from_tag(&o.lang));
    let name = owner
        .as_ref()
        .map_or(after.applicant_name.clone(), |o| o.full_name.clone());
    let base = app.config.public_url.trim_end_matches('/');
    let (ru, kk, en) = after.state.labels();
    let pick = |t: &crate::domain::catalog::Text| t.get(lang).to_string();
    let status = lang.pick(ru, kk, en);
    let due = after
        .due_at
        .map(|d| {
            super::views::utc(d)
                .with_timezone(&chrono_tz::Asia::Almaty)
                .format("%d.%m.%Y")
                .to_string()
        })
        .unwrap_or_default();
    let verify = document
        .map(|d| format!("{base}/verify/{}", d.id.as_str()))
        .unwrap_or_default();
    let link = format!("{base}/api/v1/requests/{}", after.number);
    let questionnaire = format!("{link}/questionnaire");
    let service_name = pick(&service.name);
    let document_title = document.map(|d| d.title.clone()).unwrap_or_default();
    let vars = [
        ("name", name.as_str()),
        ("number", after.number.as_str()),
        ("service", service_name.as_str()),
        ("status", status),
        ("due", due.as_str()),
        ("reason", reason.unwrap_or("")),
        ("document", document_title.as_str()),
        ("verify", verify.as_str()),
        ("link", link.as_str()),
        ("questionnaire", questionnaire.as_str()),
    ];
    let text = app
        .mail_templates
        .render(kind.as_str(), lang, &vars)
        .ok_or_else(|| AppError::internal(format!("mail template {}", kind.as_str())))?;
    let attach = document
        .filter(|_| kind == Kind::ResultReady && wants_result_by_mail(after))
        .map(|d| d.id.clone());
    outbox::enqueue(
        app,
        c,
        NewMail {
            kind: kind.as_str(),
            to: address,
            lang,
            subject: text.subject,
            text: text.text,
            html: text.html,
            request: Some(after.id.clone()),
            document: attach,
        },
    )?;
    Ok(())
}

/// An in-app notification as its person reads it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NotificationView {
    pub id: String,
    pub request: String,
    /// `status_changed`, `deadline_extended` or `result_ready`.
    pub kind: String,
    pub state: State,
    pub message: Messages,
    pub created_at: DateTime<Utc>,
    pub read: bool,
}

fn message(kind: &str, number: &str, state: State, data: &Value) -> Messages {
    let (ru, kk, en) = state.labels();
    let text = |k: &str| {
        data.get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let due = data
        .get("due_at")
        .and_then(Value::as_str)
        .and_then(|d| d.parse::<DateTime<Utc>>().ok())
        .map(|d| {
            d.with_timezone(&chrono_tz::Asia::Almaty)
                .format("%d.%m.%Y")
                .to_string()
        })
        .unwrap_or_default();
    match kind {
        "deadline_extended" => {
            let reason = text("reason");
            Messages {
                ru: format!("Срок оказания услуги по заявке {number} продлён до {due}. Причина: {reason}"),
                kk: format!("{number} өтінімі бойынша қызмет көрсету мерзімі {due} дейін ұзартылды. Себебі: {reason}"),
                en: format!("The service term of request {number} was extended to {due}. Reason: {reason}"),
            }
        }
        // The document by its title ("kk / ru", as on the PDF); a notification written
        // before titles were kept names the state instead.
        "result_ready" => {
            let title = text("document_title");
            // English has no title of its own: the Russian one, as the PDF is bilingual kk/ru.
            let (t_kk, t_ru, t_en) = title
                .split_once(" / ")
                .map_or((kk, ru, en), |(k, r)| (k.trim(), r.trim(), r.trim()));
            Messages {
                ru: format!("По заявке {number} выдан документ: {t_ru}"),
                kk: format!("{number} өтінімі бойынша құжат берілді: {t_kk}"),
                en: format!("A document was issued for request {number}: {t_en}"),
            }
        }
        _ => Messages {
            ru: format!("Статус заявки {number}: {ru}"),
            kk: format!("{number} өтінімінің мәртебесі: {kk}"),
            en: format!("Request {number} is now: {en}"),
        },
    }
}

/// `GET /api/v1/notifications`: the person's newest 100 (unread only if asked).
pub fn list(
    app: &App,
    user: &super::auth::CurrentUser,
    unread_only: bool,
) -> Result<Vec<NotificationView>, AppError> {
    let rows = app
        .store
        .read(|c| queries::notifications_of(c, &user.id, unread_only, 100))?;
    Ok(rows
        .into_iter()
        .map(|(n, number)| {
            let data: Value = n
                .data_json
                .as_deref()
                .and_then(|d| serde_json::from_str(d).ok())
                .unwrap_or(Value::Null);
            NotificationView {
                message: message(&n.kind, &number, n.state, &data),
                id: n.id,
                request: number,
                kind: n.kind,
                state: n.state,
                created_at: super::views::utc(n.created_at),
                read: n.read_at.is_some(),
            }
        })
        .collect())
}

/// Opens one of the person's notifications: marks it read and answers the number of the
/// request it is about; another person's (or none) is `NOT_FOUND`.
pub fn open(app: &App, user: &UserId, id: &str) -> Result<String, AppError> {
    let now = app.now().naive_utc();
    app.store.write(|c| {
        let number = queries::notification_request(c, user, id)?
            .ok_or_else(|| AppError::new(ErrorCode::NotFound))?;
        queries::mark_notifications_read(c, user, Some(id), now)?;
        Ok(number)
    })
}

/// How many of the person's notifications are unread (the count next to «Notifications»).
pub fn unread(app: &App, user: &UserId) -> Result<i64, AppError> {
    app.store.read(|c| queries::unread_notifications(c, user))
}

/// `POST /api/v1/notifications/read`: marks one (by id) or all of the person's read.
pub fn mark_read(app: &App, user: &UserId, id: Option<&str>) -> Result<usize, AppError> {
    let now = app.now().naive_utc();
    app.store
        .write(|c| queries::mark_notifications_read(c, user, id, now))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_result_is_named_by_its_document_and_a_status_by_the_states_name() {
        // R-004-39, R-004-40: the notification says what was issued.
        let data = json!({"document_title": "Әлеуметтік көмек тағайындау туралы шешім / Решение о назначении социальной помощи"});
        let m = message("result_ready", "DCS-2026-000001", State::Approved, &data);
        assert_eq!(
            m.ru,
            "По заявке DCS-2026-000001 выдан документ: Решение о назначении социальной помощи"
        );
        assert_eq!(
            m.kk,
            "DCS-2026-000001 өтінімі бойынша құжат берілді: Әлеуметтік көмек тағайындау туралы шешім"
        );
        // Written before titles were kept: the state's name.
        let m = message(
            "result_ready",
            "DCS-2026-000001",
            State::Approved,
            &json!({}),
        );
        assert_eq!(
            m.en,
            "A document was issued for request DCS-2026-000001: Result ready"
        );
        let m = message(
            "status_changed",
            "DCS-2026-000001",
            State::Registered,
            &json!({}),
        );
        assert_eq!(m.ru, "Статус заявки DCS-2026-000001: Зарегистрирована");
    }
}
