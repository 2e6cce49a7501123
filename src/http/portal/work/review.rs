//! The `review` workspace (see the module above): the work queue of the employee's own
//! provider and its CSV, a request's detail for staff, and the steps taken on it (start of
//! review, the qualification checklist, a commission member's opinion, approval, refusal,
//! deadline extension, handover, licence registry actions).
//!
//! Every read and every step is the API's use case: the queue is `requests::list` with
//! `queue`, the detail `requests::get` / `history` / `results::documents` /
//! `signing::signatures`, a step `requests::transition`, a registry action
//! `results::change_status`. The provider scope is theirs too: another provider's request
//! is "not found". Which steps are offered is `RequestView::actions` (and
//! `results::registry::available`); a step the rules refuse comes back next to its field
//! (a missing reason, opinion or date) or as the error page.

use crate::app::auth::CurrentUser;
use crate::app::requests::TransitionInput;
use crate::app::requests::{self, checklist, commission, ChecklistMark, ListQuery, Recipient};
use crate::app::results::{self, StatusChange};
use crate::app::views::RequestSummary;
use crate::app::App;
use crate::domain::catalog::{ChannelCode, FieldKind, Service};
use crate::domain::commission::Opinion;
use crate::domain::documents::RegistryAction;
use crate::domain::lifecycle::State;
use crate::domain::roles::Role;
use crate::error::{AppError, ErrorCode, Lang};
use crate::http::portal::{csv, Fail, Form, Page, PageResult};
use actix_web::http::StatusCode;
use actix_web::{get, post, web};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(queue)
        .service(queue_csv)
        .service(request_page)
        .service(act)
        .service(registry_status);
}

/// Who works the queue and takes steps: officials (reviewers, desk employees) and
/// commission members.
const STAFF: &[Role] = &[Role::Official, Role::CommissionMember];
/// Who may open a request's detail: the staff above, and administrators (who read every
/// request, with its access log, and take no step).
const READERS: &[Role] = &[Role::Official, Role::CommissionMember, Role::Admin];
/// The steps the request page offers as forms (when `RequestView::actions` has them).
const OFFERED: [&str; 7] = [
    "start_review",
    "assess",
    "record_conclusion",
    "approve",
    "refuse",
    "extend_deadline",
    "deliver",
];
/// Requests on a page of the queue.
pub const QUEUE_PAGE: i64 = 50;
/// Requests read per round when the CSV pages through the queue.
const CSV_PAGE: i64 = 500;

// ---- the queue -----------------------------------------------------------------------------

/// The queue's query string: filters (an empty value is "all") and the page's cursor.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct QueueParams {
    pub service: Option<String>,
    pub state: Option<String>,
    pub channel: Option<String>,
    pub cursor: Option<String>,
}

/// The queue's filters, checked.
#[derive(Debug, Default, Clone)]
pub struct QueueFilter {
    pub service: Option<String>,
    pub state: Option<State>,
    pub channel: Option<ChannelCode>,
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl QueueParams {
    /// The filters; an unknown state or channel is a bad request.
    pub fn filter(&self) -> Result<QueueFilter, AppError> {
        let bad = |e: String| AppError::with(ErrorCode::BadRequest, e);
        Ok(QueueFilter {
            service: given(&self.service).map(str::to_string),
            state: given(&self.state)
                .map(str::parse)
                .transpose()
                .map_err(bad)?,
            channel: given(&self.channel)
                .map(str::parse)
                .transpose()
                .map_err(bad)?,
        })
    }
}

impl QueueFilter {
    /// The work queue with these filters: requests awaiting a decision, earliest due first.
    fn query(&self, limit: i64, cursor: Option<String>) -> ListQuery {
        ListQuery {
            service: self.service.clone(),
            state: self.state,
            channel: self.channel,
            limit: Some(limit),
            cursor,
            queue: true,
            ..ListQuery::default()
        }
    }

    /// The filters as a query string, then `extra` pairs.
    fn query_string(&self, extra: &[(&str, &str)]) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        if let Some(s) = &self.service {
            q.append_pair("service", s);
        }
        if let Some(s) = self.state {
            q.append_pair("state", s.as_str());
        }
        if let Some(c) = self.channel {
            q.append_pair("channel", c.as_str());
        }
        for (k, v) in extra {
            q.append_pair(k, v);
        }
        q.finish()
    }

    fn any(&self) -> bool {
        self.service.is_some() || self.state.is_some() || self.channel.is_some()
    }
}

fn with_query(path: &str, q: &str) -> String {
    if q.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{q}")
    }
}

/// The services the employee's provider provides (the queue's service filter); every
/// service for someone without one.
fn own_services<'a>(app: &'a App, user: &CurrentUser) -> Vec<&'a Service> {
    let all: Vec<&Service> = app.catalog.services().collect();
    let mine: Vec<&Service> = all
        .iter()
        .copied()
        .filter(|s| {
            user.provider
                .as_deref()
                .is_some_and(|p| s.providers().any(|x| x.code == p))
        })
        .collect();
    if mine.is_empty() {
        all
    } else {
        mine
    }
}

/// The name of the employee's provider, as the catalog gives it.
fn provider_name(app: &App, user: &CurrentUser) -> Value {
    let Some(code) = user.provider.as_deref() else {
        return Value::Null;
    };
    app.catalog
        .services()
        .flat_map(|s| s.providers())
        .find(|p| p.code == code)
        .map_or(Value::Null, |p| json!(p.name))
}

/// Every service's name by code.
fn service_names(app: &App) -> Value {
    Value::Object(
        app.catalog
            .services()
            .map(|s| (s.code.clone(), json!(s.name)))
            .collect(),
    )
}

/// What the queue page shows: a page of the work queue (the list use case) with its
/// filters, total, next page and CSV links. The handler renders it; the scale bench times
/// the same (docs/performance.md).
pub fn queue_view(app: &App, user: &CurrentUser, params: &QueueParams) -> Result<Value, AppError> {
    let filter = params.filter()?;
    let list = requests::list(app, user, filter.query(QUEUE_PAGE, params.cursor.clone()))?;
    let services = own_services(app, user);
    let channels: BTreeSet<ChannelCode> = services
        .iter()
        .flat_map(|s| s.channels.iter().map(|c| c.code))
        .collect();
    let next = list
        .next_cursor
        .as_deref()
        .map(|c| with_query("/work/queue", &filter.query_string(&[("cursor", c)])));
    let filters = filter.query_string(&[]);
    Ok(json!({
        "page": list,
        "names": service_names(app),
        "services": services.iter().map(|s| json!({"code": s.code, "name": s.name})).collect::<Vec<_>>(),
        "channels": channels.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        "states": State::AWAITING.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        "filter": {"service": filter.service, "state": filter.state, "channel": filter.channel},
        "filtered": filter.any(),
        "later_page": params.cursor.is_some(),
        "first_page": with_query("/work/queue", &filters),
        "next": next,
        "csv": with_query("/work/queue.csv", &filters),
        "provider": provider_name(app, user),
    }))
}

/// `/work/queue`: the requests of the employee's provider awaiting a decision, earliest due
/// date first (overdue ones lead), filtered by service, state and channel, a page at a time.
#[get("/work/queue")]
pub async fn queue(page: Page, q: web::Query<QueueParams>) -> PageResult {
    let user = page.staff(STAFF)?.clone();
    let params = q.into_inner();
    let ctx = page.run(move |app| queue_view(app, &user, &params)).await?;
    page.render("queue.html", ctx)
}

fn csv_line(cells: &[String]) -> String {
    crate::web::csv::line(cells.iter().map(String::as_str))
}

fn message(app: &App, lang: Lang, key: &str) -> String {
    app.pages.t(lang, key)
}

/// The header of the queue's CSV: the columns of the queue page.
fn csv_header(app: &App, lang: Lang) -> String {
    let m = |k: &str| message(app, lang, k);
    csv_line(&[
        m("request-number"),
        m("request-service"),
        m("review-applicant"),
        m("review-channel"),
        m("request-state"),
        m("request-due"),
        m("review-overdue-column"),
    ])
}

/// The rows of a page of the queue, as the page shows them (no other personal data).
fn csv_rows(app: &App, lang: Lang, items: &[RequestSummary]) -> String {
    let mut out = String::new();
    for r in items {
        let service = app
            .catalog
            .service(&r.service)
            .map_or(r.service.clone(), |s| s.name.get(lang).to_string());
        out.push_str(&csv_line(&[
            r.number.clone(),
            service,
            r.applicant_name.clone(),
            message(app, lang, &format!("review-channel-{}", r.channel)),
            message(app, lang, &format!("state-{}", r.state)),
            r.due_at.map(crate::web::local_time).unwrap_or_default(),
            if r.overdue {
                message(app, lang, "review-yes")
            } else {
                String::new()
            },
        ]));
    }
    out
}

/// Where the CSV stands: its first chunk to send, then the next page to read, then the end.
enum CsvStep {
    First(web::Bytes, Option<String>),
    After(String),
    Done,
}

/// `/work/queue.csv`: the same filtered queue as the page, every page of it, as a CSV for
/// spreadsheets ([`crate::web::csv`]). Streamed: each next page is read by cursor while the
/// previous one is sent.
#[get("/work/queue.csv")]
pub async fn queue_csv(page: Page, q: web::Query<QueueParams>) -> PageResult {
    let user = page.staff(STAFF)?.clone();
    let filter = q.into_inner().filter().map_err(|e| page.fail(e))?;
    let lang = page.lang;
    let (u, f) = (user.clone(), filter.clone());
    // The first page is read before answering, so a refusal is still the error page.
    let first = page
        .run(move |app| requests::list(app, &u, f.query(CSV_PAGE, None)))
        .await?;
    let app = page.app.clone();
    let mut head = String::from(crate::web::csv::BOM);
    head.push_str(&csv_header(&app, lang));
    head.push_str(&csv_rows(&app, lang, &first.items));
    let start = CsvStep::First(web::Bytes::from(head), first.next_cursor);
    let body = futures_util::stream::unfold(start, move |step| {
        let (app, user, filter) = (app.clone(), user.clone(), filter.clone());
        async move {
            match step {
                CsvStep::Done => None,
                CsvStep::First(bytes, next) => {
                    let next = next.map_or(CsvStep::Done, CsvStep::After);
                    Some((Ok::<_, actix_web::Error>(bytes), next))
                }
                CsvStep::After(cursor) => {
                    let read = web::block(move || {
                        let page =
                            requests::list(&app, &user, filter.query(CSV_PAGE, Some(cursor)))?;
                        Ok::<_, AppError>((csv_rows(&app, lang, &page.items), page.next_cursor))
                    })
                    .await;
                    match read {
                        Ok(Ok((rows, next))) => Some((
                            Ok(web::Bytes::from(rows)),
                            next.map_or(CsvStep::Done, CsvStep::After),
                        )),
                        // The answer has begun: it can only be cut short.
                        Ok(Err(e)) => {
                            tracing::error!(code = %e.code, "queue CSV cut short");
                            Some((
                                Err(actix_web::error::ErrorInternalServerError(e.code.as_str())),
                                CsvStep::Done,
                            ))
                        }
                        Err(e) => {
                            tracing::error!(error = %e, "queue CSV cut short");
                            Some((
                                Err(actix_web::error::ErrorInternalServerError("blocking")),
                                CsvStep::Done,
                            ))
                        }
                    }
                }
            }
        }
    });
    Ok(csv::download("ruqsat-queue.csv").streaming(body))
}

// ---- a request -----------------------------------------------------------------------------

/// What a refused step form held: shown again with each problem next to its field.
#[derive(Debug, Default)]
struct Typed {
    action: String,
    values: BTreeMap<String, String>,
    errors: BTreeMap<String, String>,
}

/// A form value as a person reads it: a choice's label, a date as `dd.mm.yyyy`.
fn shown_value(field: &crate::domain::catalog::FormField, v: &Value) -> Value {
    let label = |code: &str| {
        field
            .options
            .iter()
            .find(|o| o.code == code)
            .map_or(json!(code), |o| json!(o.label))
    };
    match (field.kind, v) {
        (FieldKind::Select, Value::String(s)) => json!({ "labels": [label(s)] }),
        (FieldKind::MultiSelect, Value::Array(a)) => json!({
            "labels": a.iter().filter_map(Value::as_str).map(label).collect::<Vec<_>>()
        }),
        (FieldKind::Boolean, Value::Bool(b)) => json!({ "flag": b }),
        (FieldKind::Date, Value::String(s)) => json!({ "date": s }),
        (FieldKind::DateTime, Value::String(s)) => json!({ "instant": s }),
        (_, Value::String(s)) => json!({ "text": s }),
        (_, other) => json!({ "text": other.to_string() }),
    }
}

/// The form's values in the catalog's order, each with its label.
fn form_rows(service: &Service, variant: &str, form: &Value) -> Vec<Value> {
    service
        .form
        .iter()
        .filter(|f| f.variants.is_empty() || f.variants.iter().any(|v| v == variant))
        .filter_map(|f| {
            let v = form.get(&f.code).filter(|v| !v.is_null())?;
            Some(json!({"code": f.code, "label": f.label, "value": shown_value(f, v)}))
        })
        .collect()
}

/// The label of a history step in `lang`; the action's own name when no message has one.
fn action_label(app: &App, lang: Lang, action: &str) -> String {
    app.pages
        .messages
        .get(lang, &format!("review-action-{action}"), &[])
        .unwrap_or_else(|| action.to_string())
}

/// Everything the request's staff page shows, read through the API's use cases.
fn detail_view(app: &App, user: &CurrentUser, lang: Lang, number: &str) -> Result<Value, AppError> {
    let view = requests::get(app, user, number)?;
    let history = requests::history(app, user, number)?;
    let documents = results::documents(app, user, number)?;
    let signatures = crate::app::signing::signatures(app, user, number)?;
    let registry = results::registry::available(app, user, number)?;
    let decision = results::decision_fields(app, user, number, &view.actions)?;
    let access = if user.role == Role::Admin {
        Some(crate::app::access_log::of_request(app, user, number)?)
    } else {
        None
    };
    let service = app
        .catalog
        .service(&view.service)
        .ok_or_else(|| AppError::with(ErrorCode::UnknownService, view.service.clone()))?;
    let channel = service.channel(view.channel);
    let doc_names: BTreeMap<&str, Value> = service
        .channels
        .iter()
        .flat_map(|c| c.documents.iter())
        .map(|d| (d.code.as_str(), json!(d.name)))
        .collect();
    let attachments: Vec<Value> = view
        .attachments
        .iter()
        .map(|a| {
            json!({
                "id": a.id,
                "doc_type": a.doc_type,
                "name": doc_names.get(a.doc_type.as_str()),
                "file_name": a.file_name,
                "content_type": a.content_type,
                "size_kb": (a.size_bytes + 1023) / 1024,
                "attached_role": a.attached_role,
                "original_seen": a.original_seen,
                "original_returned": a.original_returned,
                "url": format!("/api/v1/requests/{}/attachments/{}", view.number, a.id),
            })
        })
        .collect();
    // The checklist: the items that apply by the form (R-003-30, R-003-42), with the latest
    // marks recorded.
    let form = view.form.as_object().cloned().unwrap_or_default();
    let marks = checklist::latest_marks(&history).unwrap_or_default();
    let items: Vec<Value> = checklist::applicable_items(service, &form)
        .into_iter()
        .map(|q| {
            let mark: Option<&ChecklistMark> = marks.iter().find(|m| m.item == q.code);
            json!({
                "code": q.code,
                "label": q.label,
                "met": mark.map(|m| m.met),
                "comment": mark.and_then(|m| m.comment.clone()),
            })
        })
        .collect();
    let commission = commission::standing(service, &history);
    let history: Vec<Value> = history
        .iter()
        .map(|h| {
            let mut v = json!(h);
            v["label"] = json!(action_label(app, lang, &h.action));
            v
        })
        .collect();
    let documents: Vec<Value> = documents
        .iter()
        .map(|d| {
            let mut v = json!(d);
            v["registry_actions"] = json!(registry
                .iter()
                .find(|r| r.document_id == d.id)
                .map(|r| r.actions.clone())
                .unwrap_or_default());
            v
        })
        .collect();
    let earliest_new_due = view.due_at.map(|d| {
        (d.with_timezone(&chrono_tz::Asia::Almaty).date_naive() + chrono::Days::new(1)).to_string()
    });
    Ok(json!({
        "request": view,
        "service": {"code": service.code, "name": service.name},
        "variant": service.variant(&view.variant).map(|v| &v.name),
        "channel": channel.map(|c| &c.name),
        "provider": service.provider_of(&view.provider).name,
        "form_rows": form_rows(service, &view.variant, &view.form),
        "attachments": attachments,
        "signatures": signatures,
        "documents": documents,
        "history": history,
        "checklist": items,
        "commission": commission,
        "decision_fields": decision,
        "earliest_new_due": earliest_new_due,
        "access_log": access,
        "can_act": STAFF.contains(&user.role),
        "typed": {"action": "", "values": {}, "errors": {}},
        "offered": view.actions.iter().filter(|a| OFFERED.contains(&a.as_str())).collect::<Vec<_>>(),
        "roles": Role::ALL.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
    }))
}

/// The request's page, with a refused form's values and problems when there is one.
async fn show(page: &Page, number: String, typed: Option<Typed>) -> PageResult {
    let user = page.staff(READERS)?.clone();
    let lang = page.lang;
    let mut ctx = page
        .run(move |app| detail_view(app, &user, lang, &number))
        .await?;
    let status = match typed {
        Some(t) => {
            ctx["typed"] = json!({"action": t.action, "values": t.values, "errors": t.errors});
            StatusCode::UNPROCESSABLE_ENTITY
        }
        None => StatusCode::OK,
    };
    page.render_status(status, "review.html", ctx)
}

/// `/work/requests/{number}`: a request as its reviewer sees it: the form with the
/// catalog's labels, the applicant, the scans (opened inline), each signature explained,
/// intake warnings, the commission, the checklist, the results, the history with each
/// employee's name, and the steps this employee may take now.
#[get("/work/requests/{number}")]
pub async fn request_page(page: Page, number: web::Path<String>) -> PageResult {
    show(&page, number.into_inner(), None).await
}

/// Which field of a step's form a refusal is about, if it is one a person fixes there.
fn field_of(action: &str, code: ErrorCode) -> Option<&'static str> {
    use ErrorCode as E;
    Some(match (action, code) {
        ("assess", E::ReasonRequired | E::ChecklistIncomplete | E::UnknownField) => "checklist",
        (_, E::ReasonRequired | E::ExtensionReasonRequired) => "reason",
        (_, E::BadExtension) => "new_due",
        (_, E::OpinionRequired) => "opinion",
        (_, E::RecipientRequired) => "recipient_name",
        (_, E::IinFormat | E::IinChecksum | E::IinBirthDate) => "recipient_iin",
        ("approve" | "refuse", E::DocumentFieldsMissing | E::FieldInvalid) => "fields",
        _ => return None,
    })
}

/// The step's input from its form. The rules (what is required, what a value must be) are
/// the use case's; a value the form cannot give (no date, no opinion) is left out for it
/// to refuse.
async fn input_of(
    page: &Page,
    user: &CurrentUser,
    number: &str,
    action: &str,
    form: &Form,
) -> Result<TransitionInput, Fail> {
    let text = |k: &str| form.text_or_blank(k);
    let some = |k: &str| form.text(k).map(str::to_string);
    let mut input = TransitionInput {
        action: action.to_string(),
        ..TransitionInput::default()
    };
    match action {
        "assess" => {
            for (k, v) in form.fields() {
                let Some(item) = k.strip_prefix("met.") else {
                    continue;
                };
                input.checklist.push(ChecklistMark {
                    item: item.to_string(),
                    met: v == "yes",
                    comment: some(&format!("comment.{item}")),
                });
            }
        }
        "record_conclusion" => {
            input.opinion = match form.get("opinion") {
                Some("grant") => Some(Opinion::Grant),
                Some("refuse") => Some(Opinion::Refuse),
                _ => None,
            };
            input.reason = Some(text("reason"));
        }
        "approve" | "refuse" => {
            for (k, _) in form.fields() {
                if let (Some(key), Some(v)) = (k.strip_prefix("field."), form.text(k)) {
                    input.fields.insert(key.to_string(), v.to_string());
                }
            }
            if action == "refuse" {
                input.reason = Some(text("reason"));
            }
        }
        "extend_deadline" => {
            input.reason = Some(text("reason"));
            if let Ok(day) = chrono::NaiveDate::parse_from_str(&text("new_due"), "%Y-%m-%d") {
                let (u, n) = (user.clone(), number.to_string());
                input.new_due_at = Some(
                    page.run(move |app| requests::end_of_working_day(app, &u, &n, day))
                        .await?,
                );
            }
        }
        "deliver" => {
            let (name, iin) = (text("recipient_name"), text("recipient_iin"));
            if !name.is_empty() || !iin.is_empty() {
                input.recipient = Some(Recipient {
                    full_name: name,
                    iin,
                    power_of_attorney: some("power_of_attorney"),
                });
            }
        }
        _ => {}
    }
    Ok(input)
}

/// Takes a step on the request (a POST form with its CSRF token) through
/// `requests::transition`, then back to the request. A refusal about a field of the form is
/// shown next to it, with what was typed; any other refusal is the error page.
#[post("/work/requests/{number}/{action:start_review|assess|record_conclusion|approve|refuse|extend_deadline|deliver}")]
pub async fn act(
    page: Page,
    path: web::Path<(String, String)>,
    form: web::Form<Vec<(String, String)>>,
) -> PageResult {
    let user = page.staff(STAFF)?.clone();
    let form = Form::checked(&page, form)?;
    let (number, action) = path.into_inner();
    let input = input_of(&page, &user, &number, &action, &form).await?;
    let (app, n) = (page.app.clone(), number.clone());
    let done = web::block(move || requests::transition(&app, &user, &n, input))
        .await
        .map_err(|e| page.fail(AppError::internal(e)))?;
    match done {
        Ok(_) => Ok(page.redirect(&format!("/work/requests/{number}#history"))),
        Err(e) => match field_of(&action, e.code) {
            Some(field) => {
                tracing::info!(code = %e.code, action, "step refused at a field");
                let typed = Typed {
                    action,
                    values: form.typed(),
                    errors: BTreeMap::from([(field.to_string(), e.message(page.lang).to_string())]),
                };
                show(&page, number, Some(typed)).await
            }
            None => Err(page.fail(e)),
        },
    }
}

/// Suspends, resumes or terminates an issued licence (R-003-07) with its basis, through the
/// registry's use case (`POST /api/v1/documents/{id}/status`), then back to the request.
#[post("/work/requests/{number}/documents/{id}/status")]
pub async fn registry_status(
    page: Page,
    path: web::Path<(String, String)>,
    form: web::Form<Vec<(String, String)>>,
) -> PageResult {
    let user = page.staff(STAFF)?.clone();
    let form = Form::checked(&page, form)?;
    let (number, id) = path.into_inner();
    let action: RegistryAction = form
        .get("registry_action")
        .unwrap_or("")
        .parse()
        .map_err(|e: String| page.fail(AppError::with(ErrorCode::BadRequest, e)))?;
    let change = StatusChange {
        action,
        reason: form.get("reason").unwrap_or("").to_string(),
    };
    let (app, u, doc) = (page.app.clone(), user, id.clone());
    let done = web::block(move || results::change_status(&app, &u, &doc, &change))
        .await
        .map_err(|e| page.fail(AppError::internal(e)))?;
    match done {
        Ok(_) => Ok(page.redirect(&format!("/work/requests/{number}#documents"))),
        Err(e) if e.code == ErrorCode::ReasonRequired => {
            let typed = Typed {
                action: format!("registry.{id}"),
                values: form.typed(),
                errors: BTreeMap::from([("reason".to_string(), e.message(page.lang).to_string())]),
            };
            show(&page, number, Some(typed)).await
        }
        Err(e) => Err(page.fail(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_are_quoted_and_formulas_defused() {
        assert_eq!(
            csv_line(&["a".into(), "b,c".into(), String::new()]),
            "a;\"b,c\";\r\n"
        );
    }

    #[test]
    fn filters_parse_and_keep_to_the_query_string() {
        let p = QueueParams {
            service: Some("med-licence".into()),
            state: Some("under_review".into()),
            channel: Some(String::new()),
            cursor: None,
        };
        let f = p.filter().expect("filter");
        assert_eq!(f.state, Some(State::UnderReview));
        assert_eq!(f.channel, None);
        assert_eq!(
            f.query_string(&[("cursor", "a b")]),
            "service=med-licence&state=under_review&cursor=a+b"
        );
        let bad = QueueParams {
            state: Some("nonsense".into()),
            ..QueueParams::default()
        };
        assert_eq!(bad.filter().unwrap_err().code, ErrorCode::BadRequest);
    }
}
