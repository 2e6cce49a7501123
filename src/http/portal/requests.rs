//! The applicant's requests: the list and one request with its status, term, history,
//! documents and results. Visibility is the API's ([`crate::app::requests`]): another
//! applicant's request is "not found".

use super::{Fail, Page, PageResult};
use crate::app::auth::CurrentUser;
use crate::app::requests::{self, ListQuery};
use crate::app::views::RequestPage;
use crate::domain::catalog::ChannelCode;
use crate::domain::lifecycle::State;
use crate::domain::roles::Role;
use actix_web::http::StatusCode;
use actix_web::{get, web};
use serde::Deserialize;
use serde_json::{json, Value};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(my_requests).service(request_page);
}

/// Every service's name by code, for lists.
pub fn service_names(page: &Page) -> serde_json::Value {
    let m: serde_json::Map<String, serde_json::Value> = page
        .app
        .catalog
        .services()
        .map(|s| (s.code.clone(), json!(s.name)))
        .collect();
    serde_json::Value::Object(m)
}

/// The `?cursor=` of a paged list.
#[derive(Deserialize)]
pub struct ListParams {
    pub cursor: Option<String>,
}

/// The rows a list page shows at a time.
const LIST_PAGE: i64 = 20;

/// A page of the requests `user` may see (the list use case: an applicant's own, or their
/// provider's for staff), newest first, from `cursor` on (keyset).
pub async fn newest(
    page: &Page,
    user: CurrentUser,
    cursor: Option<String>,
) -> Result<RequestPage, Fail> {
    page.run(move |app| {
        requests::list(
            app,
            &user,
            ListQuery {
                limit: Some(LIST_PAGE),
                cursor,
                ..ListQuery::default()
            },
        )
    })
    .await
}

/// The signed-in user's requests, newest first, a page at a time (keyset).
#[get("/requests")]
pub async fn my_requests(page: Page, q: web::Query<ListParams>) -> PageResult {
    let user = page.user()?.clone();
    let list = newest(&page, user, q.into_inner().cursor).await?;
    page.render(
        "requests.html",
        json!({ "page": list, "names": service_names(&page) }),
    )
}

/// One request: status, term, history, attachments, documents, and what can be done now.
#[get("/requests/{number}")]
pub async fn request_page(page: Page, number: web::Path<String>) -> PageResult {
    show(&page, number.into_inner(), StatusCode::OK, json!({})).await
}

/// The request page answered with `status`, with `extra` merged into its context (e.g. a
/// refused questionnaire's problems).
pub async fn show(page: &Page, number: String, status: StatusCode, extra: Value) -> PageResult {
    let user = page.user()?.clone();
    // Desk staff work on a request they take in on the intake pages (the payment gateway
    // brings everyone back here).
    if matches!(user.role, Role::ConOperator | Role::Official) {
        let (u, n) = (user.clone(), number.clone());
        let view = page.run(move |app| requests::get(app, &u, &n)).await?;
        if matches!(view.channel, ChannelCode::Con | ChannelCode::ProviderDesk) {
            return Ok(page.redirect(&format!("/work/intake/{number}")));
        }
    }
    let (view, history, documents, questionnaire) = page
        .run(move |app| {
            let mut view = requests::get(app, &user, &number)?;
            // Back from the gateway: a pending payment is asked about at once (R-003-21),
            // so the page does not wait for the gateway's notification.
            if view.state == State::AwaitingPayment {
                crate::app::payments::status(app, &user, &number)?;
                view = requests::get(app, &user, &number)?;
            }
            let history = requests::history(app, &user, &number)?;
            let documents = crate::app::results::documents(app, &user, &number)?;
            // The quality questionnaire is the applicant's (R-000-60..63, R-004-54, R-004-55).
            let questionnaire = if user.role == crate::domain::roles::Role::Applicant {
                Some(crate::app::questionnaire::get(app, &user, &number)?)
            } else {
                None
            };
            Ok((view, history, documents, questionnaire))
        })
        .await?;
    let s = page.app.catalog.service(&view.service);
    let service = s.map(|s| super::catalog::service_json(page, s));
    // Documents of the request's channel: those that may be uploaded, and the required
    // ones still missing (the rule the `required_documents` guard applies).
    let channel = s.and_then(|s| s.channels.iter().find(|c| c.code == view.channel));
    let attached: Vec<&str> = view
        .attachments
        .iter()
        .map(|a| a.doc_type.as_str())
        .collect();
    let missing: Vec<&str> = channel
        .map(|c| c.missing_documents(&view.variant, &attached))
        .unwrap_or_default()
        .into_iter()
        .map(|d| d.code.as_str())
        .collect();
    let uploadable: Vec<serde_json::Value> = channel
        .map(|c| {
            c.documents
                .iter()
                .filter(|d| d.applies_to(&view.variant))
                .map(|d| {
                    json!({"code": d.code, "name": d.name, "required": d.required,
                    "missing": missing.contains(&d.code.as_str())})
                })
                .collect()
        })
        .unwrap_or_default();
    let own = page.user.as_ref().is_some_and(|u| {
        u.role == crate::domain::roles::Role::Applicant && view.channel == ChannelCode::Portal
    });
    let appointment = s.map_or(Value::Null, |s| {
        super::clinic::appointment_json(page, s, &view.form)
    });
    let mut ctx = json!({
            "request": view,
            "history": history,
            "documents": documents,
            "service": service,
            "documents_to_upload": uploadable,
            "missing": missing,
            "own": own,
            "max_upload_mb": page.app.config.max_upload_bytes / (1024 * 1024),
            "appointment": appointment,
            "questionnaire": questionnaire,
    });
    if let (Value::Object(ctx), Value::Object(extra)) = (&mut ctx, extra) {
        ctx.extend(extra);
    }
    page.render_status(status, "request.html", ctx)
}
