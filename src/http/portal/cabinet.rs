//! The applicant's cabinet beyond the request itself: the notifications («Уведомления»,
//! R-004-39, R-004-40) and the quality questionnaire of a decided request (R-000-60..63,
//! R-002-64..67, R-004-54, R-004-55). Each is the API's use case
//! ([`crate::app::notify`], [`crate::app::questionnaire`]).

use super::{Form, Page, PageResult};
use crate::app::questionnaire::{self, Answers};
use crate::domain::catalog::Satisfaction;
use crate::error::ErrorCode;
use actix_web::http::StatusCode;
use actix_web::{get, post, web};
use serde_json::json;
use std::collections::BTreeMap;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(notifications)
        .service(notifications_read)
        .service(notification_open)
        .service(answer);
}

/// The user's notifications, newest first; the unread ones marked.
#[get("/notifications")]
pub async fn notifications(page: Page) -> PageResult {
    let user = page.user()?.clone();
    let list = page
        .run(move |app| crate::app::notify::list(app, &user, false))
        .await?;
    let unread = list.iter().filter(|n| !n.read).count();
    page.render(
        "notifications.html",
        json!({ "notifications": list, "unread": unread }),
    )
}

/// Marks all of the user's notifications read.
#[post("/notifications/read")]
pub async fn notifications_read(page: Page, form: web::Form<Vec<(String, String)>>) -> PageResult {
    let user = page.user()?.clone();
    Form::checked(&page, form)?;
    page.run(move |app| crate::app::notify::mark_read(app, &user.id, None))
        .await?;
    Ok(page.redirect("/notifications"))
}

/// Opens one notification: it is marked read and the request it is about is shown. Another
/// person's notification (or none) is "not found".
#[post("/notifications/{id}/open")]
pub async fn notification_open(
    page: Page,
    id: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> PageResult {
    let user = page.user()?.clone();
    Form::checked(&page, form)?;
    let id = id.into_inner();
    let number = page
        .run(move |app| crate::app::notify::open(app, &user.id, &id))
        .await?;
    Ok(page.redirect(&format!("/requests/{number}")))
}

/// The form field of a question's answer.
const ANSWER_PREFIX: &str = "answer-";

/// Answers the request's questionnaire (fields `answer-<question>`), once. A question left
/// unanswered shows the request page again with the problem at that question.
#[post("/requests/{number}/questionnaire")]
pub async fn answer(
    page: Page,
    number: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> PageResult {
    let user = page.user()?.clone();
    let form = Form::checked(&page, form)?;
    let number = number.into_inner();
    let answers: BTreeMap<String, Satisfaction> = form
        .fields()
        .into_iter()
        .filter_map(|(k, v)| {
            let code = k.strip_prefix(ANSWER_PREFIX)?;
            let s = serde_json::from_value(json!(v)).ok()?;
            Some((code.to_string(), s))
        })
        .collect();
    let given = answers.clone();
    let n = number.clone();
    let app = page.app.clone();
    let answered =
        web::block(move || questionnaire::answer(&app, &user, &n, Answers { answers })).await;
    match answered {
        Ok(Ok(_)) => Ok(page.redirect(&format!("/requests/{number}#questionnaire"))),
        // Every question needs its answer: the page shows it at each unanswered one.
        Ok(Err(e)) if e.code == ErrorCode::AnswersInvalid => {
            super::requests::show(
                &page,
                number,
                StatusCode::UNPROCESSABLE_ENTITY,
                json!({"questionnaire_refused": true, "questionnaire_values": given}),
            )
            .await
        }
        Ok(Err(e)) => Err(page.fail(e)),
        Err(e) => Err(page.fail(crate::error::AppError::internal(e))),
    }
}
