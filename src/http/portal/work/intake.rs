//! The `intake` workspace: a ЦОН operator or a department's desk employee takes a request
//! in for the applicant in front of them (R-003-33..55, R-004-12..24, G-38, G-47).
//!
//! 1. **The applicant**: their IIN (a company's BIN) is looked up in ГБД ФЛ / ГБД ЮЛ
//!    ([`requests::applicant::find`]) and the name is shown to confirm with the person.
//! 2. **The service**: one the employee's desk takes in ([`requests::intake_offers`]), then
//!    its form, the catalog's (the applicant's form of `apply`, checked the same way).
//! 3. **The documents**: one screen with every document of the channel, each with its file
//!    and, for a paper original, "original seen" and "original returned" (R-004-12,
//!    R-003-40); what is still missing; attaching them all submits the request, which issues
//!    the signed intake receipt (G-47).
//! 4. **The signature**: the employee signs with their own certificate in the browser
//!    (`sign.html`), and the request is registered; the receipt is printed from its PDF.
//! 5. **Hand-over**: a decided request's result is handed over with the recipient recorded
//!    (`deliver`, G-30, G-43).
//!
//! The applicant's IIN never goes into a URL: each step posts it (with the CSRF token) to
//! the next. Every step calls the API's use cases; provider scoping is theirs (another
//! office's request is "not found").

use super::super::apply::{field_errors, fields, typed_values, variant_of};
use super::super::csv;
use super::super::flow::{accept_signature, render_sign, SignTarget};
use super::super::requests::{newest, service_names, ListParams};
use super::super::{Fail, Form, Page, PageResult, CSRF_FIELD};
use crate::app::requests::applicant::RegistryEntry;
use crate::app::requests::{
    self, ApplicantInput, ListQuery, NewRequest, Recipient, TransitionInput, Upload,
};
use crate::domain::catalog::{ApplicantKind, Channel, Delivery, Service};
use crate::domain::lifecycle::State;
use crate::domain::roles::Role;
use crate::error::{AppError, ErrorCode};
use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{get, post, web};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// Who takes requests in at a desk.
const ROLES: &[Role] = &[Role::ConOperator, Role::Official];

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(home)
        .service(list_csv)
        .service(find_applicant)
        .service(service_form)
        .service(create)
        .service(request_page)
        .service(attach_documents)
        .service(sign_page)
        .service(signature)
        .service(hand_over);
}

fn url(number: &str) -> String {
    format!("/work/intake/{number}")
}

/// The start: the applicant's IIN/BIN (the focus is there), and the requests of the
/// employee's provider and office, newest first.
#[get("/work/intake")]
pub async fn home(page: Page, q: web::Query<ListParams>) -> PageResult {
    page.staff(ROLES)?;
    render_home(&page, q.into_inner().cursor, &Map::new(), None).await
}

async fn render_home(
    page: &Page,
    cursor: Option<String>,
    typed: &Map<String, Value>,
    error: Option<&AppError>,
) -> PageResult {
    let user = page.staff(ROLES)?.clone();
    let list = newest(page, user, cursor).await?;
    let status = error.map_or(StatusCode::OK, |e| {
        StatusCode::from_u16(e.status).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY)
    });
    page.render_status(
        status,
        "intake.html",
        json!({
            "page": list,
            "names": service_names(page),
            "typed": typed,
            "error": error.map(|e| json!({"code": e.code.as_str(), "message": e.message(page.lang)})),
        }),
    )
}

/// Every request the employee may see, as a CSV file (the list of the start page).
#[get("/work/intake/requests.csv")]
pub async fn list_csv(page: Page) -> PageResult {
    let user = page.staff(ROLES)?.clone();
    let items = page
        .run(move |app| {
            let mut items = Vec::new();
            let mut cursor = None;
            // At most 20 pages of 500: an export, not a dump of the database.
            for _ in 0..20 {
                let p = requests::list(
                    app,
                    &user,
                    ListQuery {
                        limit: Some(500),
                        cursor,
                        ..ListQuery::default()
                    },
                )?;
                items.extend(p.items);
                cursor = p.next_cursor;
                if cursor.is_none() {
                    break;
                }
            }
            Ok(items)
        })
        .await?;
    let t = |k: &str| page.app.pages.t(page.lang, k);
    let header = [
        "request-number",
        "request-service",
        "intake-applicant",
        "intake-channel",
        "request-state",
        "request-created",
        "request-due",
    ]
    .map(t);
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|r| {
            vec![
                r.number.clone(),
                page.app
                    .catalog
                    .service(&r.service)
                    .map_or_else(|| r.service.clone(), |s| s.name.get(page.lang).to_string()),
                r.applicant_name.clone(),
                t(&format!("channel-{}", r.channel)),
                t(&format!("state-{}", r.state.as_str())),
                local_time(r.created_at),
                r.due_at.map(local_time).unwrap_or_default(),
            ]
        })
        .collect();
    Ok(csv::response("intake-requests.csv", &header, rows))
}

/// An instant as the pages show it: `dd.mm.yyyy HH:MM` in Kazakhstan time.
pub(super) fn local_time(t: chrono::DateTime<chrono::Utc>) -> String {
    t.with_timezone(&chrono_tz::Asia::Almaty)
        .format("%d.%m.%Y %H:%M")
        .to_string()
}

/// The applicant of the steps, as posted by the previous one.
struct Who {
    kind: ApplicantKind,
    number: String,
}

impl Who {
    /// From the posted `kind` and `applicant` fields.
    fn of(form: &Form) -> Who {
        Who {
            kind: match form.get("kind") {
                Some("legal_entity") => ApplicantKind::LegalEntity,
                _ => ApplicantKind::Person,
            },
            number: form.text_or_blank("applicant"),
        }
    }

    fn typed(&self) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("kind".into(), json!(self.kind.as_str()));
        m.insert("applicant".into(), json!(self.number));
        m
    }
}

async fn look_up(page: &Page, who: &Who) -> Result<Result<RegistryEntry, AppError>, Fail> {
    let user = page.staff(ROLES)?.clone();
    let (kind, number) = (who.kind, who.number.clone());
    let app = page.app.clone();
    web::block(move || requests::applicant::find(&app, &user, kind, &number))
        .await
        .map_err(|e| page.fail(AppError::internal(e)))
}

/// The services this employee's desk takes in for an applicant of `kind`.
fn offers(page: &Page, kind: ApplicantKind) -> Vec<(&Service, &Channel)> {
    page.user.as_ref().map_or_else(Vec::new, |u| {
        requests::intake_offers(&page.app, u)
            .into_iter()
            .filter(|(s, _)| s.applicant_kinds.contains(&kind))
            .collect()
    })
}

fn offer_json(s: &Service, c: &Channel) -> Value {
    json!({
        "value": format!("{}|{}", s.code, c.code),
        "service": s.name,
        "channel": c.name,
        "code": s.code,
    })
}

/// Step 1 → 2: the registry's answer for the IIN/BIN, and the services to choose from.
#[post("/work/intake/applicant")]
pub async fn find_applicant(page: Page, form: web::Form<Vec<(String, String)>>) -> PageResult {
    page.staff(ROLES)?;
    let form = Form::checked(&page, form)?;
    let who = Who::of(&form);
    match look_up(&page, &who).await? {
        Ok(entry) => {
            let offers: Vec<Value> = offers(&page, who.kind)
                .into_iter()
                .map(|(s, c)| offer_json(s, c))
                .collect();
            page.render(
                "intake_applicant.html",
                json!({ "entry": entry, "who": who.typed(), "offers": offers }),
            )
        }
        // Not found, a wrong check digit, the registry down: said at the field, typed kept.
        Err(e) if e.status != 401 && e.status != 403 => {
            render_home(&page, None, &who.typed(), Some(&e)).await
        }
        Err(e) => Err(page.fail(e)),
    }
}

/// The offer `service|channel` posted, if this employee's desk takes it in for `kind`.
fn chosen_offer<'a>(
    page: &'a Page,
    kind: ApplicantKind,
    value: Option<&str>,
) -> Result<(&'a Service, &'a Channel), Fail> {
    let (service, channel) = value.and_then(|v| v.split_once('|')).unwrap_or(("", ""));
    offers(page, kind)
        .into_iter()
        .find(|(s, c)| s.code == service && c.code.as_str() == channel)
        .ok_or_else(|| {
            page.fail(AppError::with(
                ErrorCode::ChannelNotAllowed,
                format!("{service} in {channel} at this desk"),
            ))
        })
}

/// What the form shows before anything is typed: the registry's name and address in the
/// fields that hold them.
fn prefilled(s: &Service, variant: &str, entry: &RegistryEntry) -> Map<String, Value> {
    let mut m = Map::new();
    for f in s.form.iter().filter(|f| f.applies_to(variant)) {
        let v = match f.code.as_str() {
            "applicant_name" => Some(entry.name.clone()),
            "address" | "legal_address" => entry.address.clone(),
            _ => None,
        };
        if let Some(v) = v {
            m.insert(f.code.clone(), json!(v));
        }
    }
    m
}

struct FormView<'a> {
    service: &'a Service,
    channel: &'a Channel,
    variant: Option<&'a str>,
    values: &'a Map<String, Value>,
    errors: &'a BTreeMap<String, String>,
    general: Option<&'a AppError>,
}

fn render_form(page: &Page, who: &Who, entry: &RegistryEntry, v: FormView<'_>) -> PageResult {
    let status = match v.general {
        Some(e) => StatusCode::from_u16(e.status).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY),
        None if !v.errors.is_empty() => StatusCode::UNPROCESSABLE_ENTITY,
        None => StatusCode::OK,
    };
    let shown = v.variant.map(|x| fields(v.service, x)).unwrap_or_default();
    // The focus goes to the first field in trouble, else to the first one still empty.
    let focus = shown
        .iter()
        .filter(|f| !matches!(f["input"].as_str(), Some("checkboxes" | "checkbox")))
        .filter_map(|f| f["code"].as_str())
        .find(|c| v.errors.contains_key(*c))
        .or_else(|| {
            shown
                .iter()
                .filter(|f| !matches!(f["input"].as_str(), Some("checkboxes" | "checkbox")))
                .filter_map(|f| f["code"].as_str())
                .find(|c| !v.values.contains_key(*c))
        })
        .map(str::to_string);
    page.render_status(
        status,
        "intake_form.html",
        json!({
            "focus": focus,
            "entry": entry,
            "who": who.typed(),
            "service": super::super::catalog::service_json(page, v.service),
            "offer": offer_json(v.service, v.channel),
            "variant": v.variant,
            "fields": shown,
            "values": v.values,
            "errors": v.errors,
            "general": v.general.map(|e| json!({"code": e.code.as_str(), "message": e.message(page.lang)})),
        }),
    )
}

/// Step 2 → 3: the chosen service's form (first its variant, for a service with several),
/// with what the registry knows filled in.
#[post("/work/intake/form")]
pub async fn service_form(page: Page, form: web::Form<Vec<(String, String)>>) -> PageResult {
    page.staff(ROLES)?;
    let form = Form::checked(&page, form)?;
    let who = Who::of(&form);
    let (service, channel) = chosen_offer(&page, who.kind, form.get("offer"))?;
    let entry = look_up(&page, &who).await?.map_err(|e| page.fail(e))?;
    let variant = variant_of(service, form.get("variant"));
    let values = variant.map_or_else(Map::new, |v| prefilled(service, v, &entry));
    render_form(
        &page,
        &who,
        &entry,
        FormView {
            service,
            channel,
            variant,
            values: &values,
            errors: &BTreeMap::new(),
            general: None,
        },
    )
}

/// Step 3 → 4: the draft, made by `requests::create` in the desk's channel; a field's problem
/// or a rule's refusal shows the form again with what was typed.
#[post("/work/intake/create")]
pub async fn create(page: Page, form: web::Form<Vec<(String, String)>>) -> PageResult {
    let user = page.staff(ROLES)?.clone();
    let form = Form::checked(&page, form)?;
    let who = Who::of(&form);
    let (service, channel) = chosen_offer(&page, who.kind, form.get("offer"))?;
    let variant = variant_of(service, form.get("variant"))
        .ok_or_else(|| page.fail(AppError::new(ErrorCode::UnknownVariant)))?;
    let entry = look_up(&page, &who).await?.map_err(|e| page.fail(e))?;
    let values = typed_values(service, variant, form.pairs());
    let errors = field_errors(&page, service, variant, &values);
    if !errors.is_empty() {
        let view = FormView {
            service,
            channel,
            variant: Some(variant),
            values: &values,
            errors: &errors,
            general: None,
        };
        return render_form(&page, &who, &entry, view);
    }
    let input = NewRequest {
        service: service.code.clone(),
        variant: Some(variant.to_string()),
        channel: channel.code.as_str().to_string(),
        applicant: Some(ApplicantInput {
            kind: who.kind,
            iin: (who.kind == ApplicantKind::Person).then(|| who.number.clone()),
            bin: (who.kind == ApplicantKind::LegalEntity).then(|| who.number.clone()),
            name: None,
        }),
        provider: None,
        form: values.clone(),
    };
    let app = page.app.clone();
    match web::block(move || requests::create(&app, &user, input)).await {
        Ok(Ok(created)) => Ok(page.redirect(&url(&created.number))),
        Ok(Err(e)) if e.status < 500 && e.status != 401 => {
            let view = FormView {
                service,
                channel,
                variant: Some(variant),
                values: &values,
                errors: &BTreeMap::new(),
                general: Some(&e),
            };
            render_form(&page, &who, &entry, view)
        }
        Ok(Err(e)) => Err(page.fail(e)),
        Err(e) => Err(page.fail(AppError::internal(e))),
    }
}

/// A problem with one document of the documents screen, or with the screen as a whole.
#[derive(Default)]
struct Problems {
    by_doc: BTreeMap<String, String>,
    general: Option<AppError>,
    /// What was typed in the hand-over form, shown again.
    handover: Option<Value>,
}

/// A taken-in request: its documents screen while it is a draft, then the signature, the
/// receipt, and the hand-over of a decided result.
#[get("/work/intake/{number}")]
pub async fn request_page(page: Page, number: web::Path<String>) -> PageResult {
    page.staff(ROLES)?;
    render_request(&page, number.into_inner(), Problems::default()).await
}

async fn render_request(page: &Page, number: String, problems: Problems) -> PageResult {
    let user = page.staff(ROLES)?.clone();
    let (view, history, documents) = page
        .run(move |app| {
            let mut view = requests::get(app, &user, &number)?;
            // Back from the gateway: a pending payment is asked about at once (R-003-21).
            if view.state == State::AwaitingPayment {
                crate::app::payments::status(app, &user, &number)?;
                view = requests::get(app, &user, &number)?;
            }
            let history = requests::history(app, &user, &number)?;
            let documents = crate::app::results::documents(app, &user, &number)?;
            Ok((view, history, documents))
        })
        .await?;
    let service = page
        .app
        .catalog
        .service(&view.service)
        .ok_or_else(|| page.fail(AppError::with(ErrorCode::UnknownService, &view.service)))?;
    let channel = service.channel(view.channel);
    let attached: Vec<&str> = view
        .attachments
        .iter()
        .map(|a| a.doc_type.as_str())
        .collect();
    let missing: Vec<String> = channel
        .map(|c| c.missing_documents(&view.variant, &attached))
        .unwrap_or_default()
        .into_iter()
        .map(|d| d.code.clone())
        .collect();
    let docs: Vec<Value> = channel
        .map(|c| {
            c.documents
                .iter()
                .filter(|d| d.applies_to(&view.variant))
                .map(|d| {
                    let files: Vec<&crate::app::views::AttachmentView> = view
                        .attachments
                        .iter()
                        .filter(|a| a.doc_type == d.code)
                        .collect();
                    json!({
                        "code": d.code,
                        "name": d.name,
                        "required": d.required,
                        "paper_original": d.paper_original,
                        "missing": missing.contains(&d.code),
                        "files": files,
                        "error": problems.by_doc.get(&d.code),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let handover = channel.is_some_and(|c| c.delivery.contains(&Delivery::Handover))
        && view.actions.iter().any(|a| a == "deliver");
    let status = match &problems.general {
        Some(e) => StatusCode::from_u16(e.status).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY),
        None if !problems.by_doc.is_empty() => StatusCode::UNPROCESSABLE_ENTITY,
        None => StatusCode::OK,
    };
    // A paid service is signed once the gateway confirmed the payment (R-003-22).
    let signable =
        view.state == State::Paid || (view.state == State::Submitted && view.fee_tiyn == 0);
    page.render_status(
        status,
        "intake_request.html",
        json!({
            "request": view,
            "service": super::super::catalog::service_json(page, service),
            "channel": channel.map(|c| json!({"code": c.code, "name": c.name})),
            "docs": docs,
            "missing": missing,
            "editable": view.state == State::Draft && view.actions.iter().any(|a| a == "submit"),
            "signable": signable,
            "payable": matches!(view.state, State::Submitted | State::AwaitingPayment) && view.fee_tiyn > 0,
            "handover": handover,
            "history": history,
            "documents": documents,
            "general": problems.general.as_ref().map(|e| json!({"code": e.code.as_str(), "message": e.message(page.lang)})),
            "handover_typed": problems.handover,
            "max_upload_mb": page.app.config.max_upload_bytes / (1024 * 1024),
        }),
    )
}

/// Step 4: every document of the screen at once (multipart: `csrf`, `file-<doc>`,
/// `seen-<doc>`, `returned-<doc>`, `then`), each attached by `requests::attach` with what the
/// employee marked; then, unless `then=attach`, the request is submitted once nothing is
/// missing, which issues the intake receipt (G-47), and the signature follows.
#[post("/work/intake/{number}/documents")]
pub async fn attach_documents(
    page: Page,
    number: web::Path<String>,
    payload: Multipart,
) -> PageResult {
    let user = page.staff(ROLES)?.clone();
    let number = number.into_inner();
    // The request first (another office's is "not found" before its body is read).
    let (n, u) = (number.clone(), user.clone());
    let view = page.run(move |app| requests::get(app, &u, &n)).await?;
    let service = page
        .app
        .catalog
        .service(&view.service)
        .ok_or_else(|| page.fail(AppError::with(ErrorCode::UnknownService, &view.service)))?;
    let specs: Vec<(String, bool)> = service
        .channel(view.channel)
        .map(|c| {
            c.documents
                .iter()
                .filter(|d| d.applies_to(&view.variant))
                .map(|d| (d.code.clone(), d.paper_original))
                .collect()
        })
        .unwrap_or_default();
    let codes: Vec<String> = specs.iter().map(|(c, _)| c.clone()).collect();
    let is_doc = |name: &str, prefix: &str| {
        name.strip_prefix(prefix)
            .is_some_and(|c| codes.iter().any(|x| x == c))
    };
    let is_file = |name: &str| is_doc(name, "file-");
    let text_cap = |name: &str| {
        if name == CSRF_FIELD {
            Some(1024)
        } else if name == "then" || is_doc(name, "seen-") || is_doc(name, "returned-") {
            Some(16)
        } else {
            None
        }
    };
    let mut parts = crate::http::multipart::read_with(
        payload,
        &crate::http::multipart::Shape {
            is_file: &is_file,
            file_cap: page.app.config.max_upload_bytes,
            max_files: codes.len().max(1),
            skip_empty: true,
            text_cap: &text_cap,
        },
    )
    .await
    .map_err(|e| page.fail(e))?;
    page.check_csrf(parts.text(CSRF_FIELD))?;
    let files = std::mem::take(&mut parts.files);
    let ticked = |name: String| parts.text(&name) == Some("true");
    // What was marked is checked whole before anything is attached.
    let mut problems = Problems::default();
    let mut uploads = Vec::new();
    for (field, file_name, bytes) in files {
        let code = field.trim_start_matches("file-").to_string();
        let paper = specs.iter().any(|(c, p)| *c == code && *p);
        let seen = ticked(format!("seen-{code}"));
        let returned = ticked(format!("returned-{code}"));
        if paper && returned && !seen {
            problems.by_doc.insert(
                code.clone(),
                page.app.pages.t(page.lang, "intake-returned-not-seen"),
            );
        }
        uploads.push(Upload {
            doc_type: code,
            file_name,
            bytes,
            original_seen: paper.then_some(seen),
            original_returned: (paper && seen).then_some(returned),
        });
    }
    if !problems.by_doc.is_empty() {
        return render_request(&page, number, problems).await;
    }
    for up in uploads {
        let code = up.doc_type.clone();
        let (n, u) = (number.clone(), user.clone());
        let app = page.app.clone();
        match web::block(move || requests::attach(&app, &u, &n, up)).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) if e.status < 500 && e.status != 401 && e.status != 404 => {
                problems
                    .by_doc
                    .insert(code, e.message(page.lang).to_string());
                return render_request(&page, number, problems).await;
            }
            Ok(Err(e)) => return Err(page.fail(e)),
            Err(e) => return Err(page.fail(AppError::internal(e))),
        }
    }
    if parts.texts.get("then").map(String::as_str) == Some("attach") {
        return Ok(page.redirect(&format!("{}#documents-form", url(&number))));
    }
    let (n, u) = (number.clone(), user.clone());
    let app = page.app.clone();
    let submitted = web::block(move || {
        requests::transition(
            &app,
            &u,
            &n,
            TransitionInput {
                action: "submit".into(),
                ..TransitionInput::default()
            },
        )
    })
    .await;
    match submitted {
        // Free: the employee's signature is next; paid: the payment first (R-003-22).
        Ok(Ok(v)) if v.fee_tiyn == 0 => Ok(page.redirect(&format!("{}/sign", url(&number)))),
        Ok(Ok(_)) => Ok(page.redirect(&url(&number))),
        // Something still missing, an original not seen, …: said on the screen.
        Ok(Err(e)) if e.status < 500 && e.status != 401 && e.status != 404 => {
            problems.general = Some(e);
            render_request(&page, number, problems).await
        }
        Ok(Err(e)) => Err(page.fail(e)),
        Err(e) => Err(page.fail(AppError::internal(e))),
    }
}

fn sign_target(number: &str) -> SignTarget {
    SignTarget {
        submit_url: format!("{}/signature", url(number)),
        back_url: url(number),
    }
}

/// Step 5: the employee signs the request with their own certificate (R-004-17..20,
/// R-003-51), in the browser or with a CMS made elsewhere.
#[get("/work/intake/{number}/sign")]
pub async fn sign_page(page: Page, number: web::Path<String>) -> PageResult {
    page.staff(ROLES)?;
    let number = number.into_inner();
    let target = sign_target(&number);
    render_sign(&page, number, Some(target)).await
}

/// The employee's signature: the request is signed and registered; back to its page, where
/// the receipt is printed.
#[post("/work/intake/{number}/signature")]
pub async fn signature(page: Page, number: web::Path<String>, payload: Multipart) -> PageResult {
    page.staff(ROLES)?;
    let number = number.into_inner();
    accept_signature(&page, number.clone(), payload).await?;
    Ok(page.redirect(&format!("{}#receipt", url(&number))))
}

/// Hand-over of a decided request's result (`deliver`): the recipient's name and IIN from
/// the identity document shown, and a power of attorney when someone else collects it
/// (G-30, G-43, R-003-55, R-004-24).
#[post("/work/intake/{number}/handover")]
pub async fn hand_over(
    page: Page,
    number: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> PageResult {
    let user = page.staff(ROLES)?.clone();
    let form = Form::checked(&page, form)?;
    let number = number.into_inner();
    let recipient = Recipient {
        full_name: form.get("full_name").unwrap_or("").to_string(),
        iin: form.get("iin").unwrap_or("").to_string(),
        power_of_attorney: form.get("power_of_attorney").map(str::to_string),
    };
    let typed = json!(recipient);
    let n = number.clone();
    let app = page.app.clone();
    let done = web::block(move || {
        requests::transition(
            &app,
            &user,
            &n,
            TransitionInput {
                action: "deliver".into(),
                recipient: Some(recipient),
                ..TransitionInput::default()
            },
        )
    })
    .await;
    match done {
        Ok(Ok(_)) => Ok(page.redirect(&format!("{}#handover-done", url(&number)))),
        // A wrong IIN or an empty name: said above the form, which is shown again.
        Ok(Err(e)) if e.status == 422 || e.status == 400 => {
            render_request(
                &page,
                number,
                Problems {
                    general: Some(e),
                    handover: Some(typed),
                    ..Problems::default()
                },
            )
            .await
        }
        Ok(Err(e)) => Err(page.fail(e)),
        Err(e) => Err(page.fail(AppError::internal(e))),
    }
}
