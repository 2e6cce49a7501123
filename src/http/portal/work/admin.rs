//! The administrator's workspace: the yearly-data warnings, accounts and roles per
//! provider, the mail outbox with its dead letters, a day's payment reconciliation, and the
//! quality-questionnaire report with its charts. Every list has a CSV export.

use crate::app::accounts::{self, AccountChange, ChangedBy, NewAccount};
use crate::domain::catalog::Satisfaction;
use crate::domain::outbox::OutboxStatus;
use crate::domain::roles::Role;
use crate::error::{AppError, ErrorCode};
use crate::http::portal::{csv, Form, Page, PageResult};
use crate::web::chart;
use actix_web::{get, post, web};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::json;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(dashboard)
        .service(users)
        .service(users_csv)
        .service(add_user)
        .service(change_user)
        .service(outbox)
        .service(outbox_csv)
        .service(requeue)
        .service(payments)
        .service(payments_csv)
        .service(quality)
        .service(quality_csv);
}

const ADMIN: &[Role] = &[Role::Admin];

fn today(page: &Page) -> NaiveDate {
    page.app
        .now()
        .with_timezone(&chrono_tz::Asia::Almaty)
        .date_naive()
}

/// A `yyyy-mm-dd` query value, or `default`.
fn day(page: &Page, s: Option<&str>, default: NaiveDate) -> Result<NaiveDate, super::super::Fail> {
    match s.filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
            page.fail(AppError::with(
                ErrorCode::BadRequest,
                format!("`{s}`: yyyy-mm-dd"),
            ))
        }),
    }
}

/// `/admin`: what needs the administrator's attention first (the yearly data: МРП and the
/// working calendar of this year and the next), and the way to each tool.
#[get("/admin")]
pub async fn dashboard(page: Page) -> PageResult {
    page.staff(ADMIN)?;
    let yearly = page.run(|app| Ok(crate::app::yearly::status(app))).await?;
    let dead = {
        let user = page.staff(ADMIN)?.clone();
        page.run(move |app| crate::app::outbox::list(app, &user, Some(OutboxStatus::Dead)))
            .await?
            .len()
    };
    page.render("admin.html", json!({ "yearly": yearly, "dead": dead }))
}

/// Staff accounts grouped by provider.
#[get("/admin/users")]
pub async fn users(page: Page) -> PageResult {
    let user = page.staff(ADMIN)?.clone();
    let mut list = page
        .run(move |app| accounts::list(app, ChangedBy::Admin(&user)))
        .await?;
    list.sort_by(|a, b| {
        (&a.provider, &a.role.as_str(), &a.login).cmp(&(&b.provider, &b.role.as_str(), &b.login))
    });
    let providers: Vec<serde_json::Value> = page
        .app
        .catalog
        .services()
        .flat_map(|s| std::iter::once(&s.provider).chain(s.departments.iter()))
        .map(|p| json!({"code": p.code, "name": p.name}))
        .collect();
    page.render(
        "admin_users.html",
        json!({ "users": list, "roles": Role::ALL.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
                "providers": providers }),
    )
}

#[get("/admin/users.csv")]
pub async fn users_csv(page: Page) -> PageResult {
    let user = page.staff(ADMIN)?.clone();
    let list = page
        .run(move |app| accounts::list(app, ChangedBy::Admin(&user)))
        .await?;
    let rows = list.iter().map(|a| {
        vec![
            a.login.clone(),
            a.full_name.clone(),
            a.role.as_str().to_string(),
            a.provider.clone().unwrap_or_default(),
            a.active.to_string(),
        ]
    });
    Ok(csv::response(
        "users.csv",
        &["login", "full_name", "role", "provider", "active"],
        rows,
    ))
}

/// Creates a staff account; a generated password is shown once.
#[post("/admin/users")]
pub async fn add_user(page: Page, form: web::Form<Vec<(String, String)>>) -> PageResult {
    let user = page.staff(ADMIN)?.clone();
    let form = Form::checked(&page, form)?;
    let text = |n: &str| {
        form.get(n)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let role = text("role")
        .and_then(|r| r.parse::<Role>().ok())
        .ok_or_else(|| page.fail(AppError::with(ErrorCode::BadRequest, "role")))?;
    let input = NewAccount {
        login: text("login").unwrap_or_default(),
        full_name: text("full_name").unwrap_or_default(),
        role,
        provider: text("provider"),
        iin: text("iin"),
        bin: None,
        email: text("email"),
        password: None,
    };
    let made = page
        .run(move |app| accounts::add(app, ChangedBy::Admin(&user), input))
        .await?;
    page.render("admin_user_added.html", json!({ "account": made }))
}

/// Changes an account's role, provider or active flag (disabling ends its sessions).
#[post("/admin/users/{login}")]
pub async fn change_user(
    page: Page,
    login: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> PageResult {
    let user = page.staff(ADMIN)?.clone();
    let form = Form::checked(&page, form)?;
    let change = AccountChange {
        role: form.get("role").and_then(|r| r.parse::<Role>().ok()),
        provider: form
            .get("provider")
            .map(str::to_string)
            .filter(|p| !p.is_empty()),
        active: form.get("active").map(|a| a == "true"),
    };
    let login = login.into_inner();
    page.run(move |app| accounts::change(app, ChangedBy::Admin(&user), &login, change))
        .await?;
    Ok(page.redirect("/admin/users"))
}

#[derive(Deserialize)]
pub struct OutboxQuery {
    status: Option<String>,
    /// Set after a re-queue, to say so.
    requeued: Option<u8>,
}

fn outbox_status(page: &Page, q: &OutboxQuery) -> Result<Option<OutboxStatus>, super::super::Fail> {
    match q.status.as_deref().filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse::<OutboxStatus>()
            .map(Some)
            .map_err(|e| page.fail(AppError::with(ErrorCode::BadRequest, e))),
    }
}

/// The mail outbox (newest 200), dead letters first to act on.
#[get("/admin/outbox")]
pub async fn outbox(page: Page, q: web::Query<OutboxQuery>) -> PageResult {
    let user = page.staff(ADMIN)?.clone();
    let status = outbox_status(&page, &q)?;
    let list = page
        .run(move |app| crate::app::outbox::list(app, &user, status))
        .await?;
    page.render(
        "admin_outbox.html",
        json!({ "messages": list, "status": q.status, "requeued": q.requeued.is_some() }),
    )
}

#[get("/admin/outbox.csv")]
pub async fn outbox_csv(page: Page, q: web::Query<OutboxQuery>) -> PageResult {
    let user = page.staff(ADMIN)?.clone();
    let status = outbox_status(&page, &q)?;
    let list = page
        .run(move |app| crate::app::outbox::list(app, &user, status))
        .await?;
    let rows = list.iter().map(|m| {
        vec![
            m.id.clone(),
            m.kind.clone(),
            m.status.as_str().to_string(),
            m.attempts.to_string(),
            m.created_at.to_rfc3339(),
            m.sent_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
            m.last_error.clone().unwrap_or_default(),
        ]
    });
    Ok(csv::response(
        "outbox.csv",
        &[
            "id",
            "kind",
            "status",
            "attempts",
            "created_at",
            "sent_at",
            "last_error",
        ],
        rows,
    ))
}

/// Puts a dead letter back in the queue.
#[post("/admin/outbox/{id}/requeue")]
pub async fn requeue(
    page: Page,
    id: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> PageResult {
    let user = page.staff(ADMIN)?.clone();
    Form::checked(&page, form)?;
    let id = id.into_inner();
    page.run(move |app| crate::app::outbox::requeue(app, &user, &id))
        .await?;
    Ok(page.redirect("/admin/outbox?status=dead&requeued=1"))
}

#[derive(Deserialize)]
pub struct DayQuery {
    date: Option<String>,
}

async fn reconciliation(
    page: &Page,
    q: &DayQuery,
) -> Result<crate::payments::ReconciliationReport, super::super::Fail> {
    let user = page.staff(ADMIN)?.clone();
    let date = day(page, q.date.as_deref(), today(page) - chrono::Days::new(1))?;
    page.run(move |app| crate::app::payments::reconcile_for(app, &user, date))
        .await
}

/// A day's payment reconciliation: the gateway's statement against our ledger.
#[get("/admin/payments")]
pub async fn payments(page: Page, q: web::Query<DayQuery>) -> PageResult {
    let report = reconciliation(&page, &q).await?;
    page.render("admin_payments.html", json!({ "report": report }))
}

#[get("/admin/payments.csv")]
pub async fn payments_csv(page: Page, q: web::Query<DayQuery>) -> PageResult {
    let report = reconciliation(&page, &q).await?;
    let categories = [
        ("matched", &report.matched),
        ("amount_mismatch", &report.amount_mismatch),
        ("status_mismatch", &report.status_mismatch),
        ("unattached", &report.unattached),
        ("missing_locally", &report.missing_locally),
        ("duplicate_at_gateway", &report.duplicate_at_gateway),
        ("missing_at_gateway", &report.missing_at_gateway),
        ("not_settled", &report.not_settled),
    ];
    let rows = categories.iter().flat_map(|(cat, items)| {
        items.iter().map(move |i| {
            vec![
                cat.to_string(),
                i.payment_id.to_string(),
                i.gateway_payment_id.clone().unwrap_or_default(),
                i.request_number.clone().unwrap_or_default(),
                i.note.clone(),
            ]
        })
    });
    Ok(csv::response(
        "payments.csv",
        &[
            "category",
            "payment_id",
            "gateway_payment_id",
            "request",
            "note",
        ],
        rows,
    ))
}

#[derive(Deserialize)]
pub struct ReportQuery {
    service: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

async fn quality_report(
    page: &Page,
    q: &ReportQuery,
) -> Result<crate::app::questionnaire::QualityReport, super::super::Fail> {
    let user = page.staff(ADMIN)?.clone();
    let to = day(page, q.to.as_deref(), today(page))?;
    let from = day(page, q.from.as_deref(), to - chrono::Days::new(30))?;
    let service = q.service.clone().filter(|s| !s.is_empty());
    page.run(move |app| crate::app::questionnaire::report(app, &user, service.as_deref(), from, to))
        .await
}

/// The quality questionnaire's answers per question, as charts (SVG, drawn here) and tables.
#[get("/admin/quality")]
pub async fn quality(page: Page, q: web::Query<ReportQuery>) -> PageResult {
    let report = quality_report(&page, &q).await?;
    let series: Vec<String> = Satisfaction::ALL
        .iter()
        .map(|s| {
            page.app
                .pages
                .t(page.lang, &format!("satisfaction-{}", s.as_str()))
        })
        .collect();
    let bars: Vec<chart::Bar> = report
        .questions
        .iter()
        .map(|qr| chart::Bar {
            label: qr.text.get(page.lang).to_string(),
            values: Satisfaction::ALL
                .iter()
                .map(|s| qr.counts.get(s).copied().unwrap_or(0))
                .collect(),
        })
        .collect();
    let svg = chart::stacked_bars(
        &page.app.pages.t(page.lang, "quality-chart"),
        &series,
        &bars,
    );
    let services: Vec<serde_json::Value> = page
        .app
        .catalog
        .services()
        .filter(|s| !s.questionnaire.is_empty())
        .map(|s| json!({"code": s.code, "name": s.name}))
        .collect();
    page.render(
        "admin_quality.html",
        json!({ "report": report, "chart": svg, "series": series, "services": services,
                "service": q.service }),
    )
}

#[get("/admin/quality.csv")]
pub async fn quality_csv(page: Page, q: web::Query<ReportQuery>) -> PageResult {
    let report = quality_report(&page, &q).await?;
    let rows = report.questions.iter().flat_map(|qr| {
        Satisfaction::ALL.iter().map(move |s| {
            vec![
                qr.code.clone(),
                s.as_str().to_string(),
                qr.counts.get(s).copied().unwrap_or(0).to_string(),
                qr.shares.get(s).cloned().unwrap_or_default(),
            ]
        })
    });
    Ok(csv::response(
        "quality.csv",
        &["question", "answer", "count", "share_percent"],
        rows,
    ))
}
