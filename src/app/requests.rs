//! The service-request engine's use cases: create, attach, transition, read.
//! Rules come from the catalog and [`crate::domain`]; this module gathers facts, asks the
//! domain, and writes the outcome in one transaction with its history entry.

use super::auth::CurrentUser;
use super::views::{HistoryEntry, RequestPage, RequestSummary, RequestView};
use super::App;
use crate::db::models::{AttachmentRow, DocumentRow, HistoryRow, RequestRow};
use crate::db::queries::{self, ListFilter, Visibility};
use crate::db::{DbConnection, Session};
use crate::domain::calendar::WorkHours;
use crate::domain::catalog::{ApplicantKind, Channel, Issues, Service, Signer};
use crate::domain::forms;
use crate::domain::identity::{Bin, Iin};
use crate::domain::lifecycle::{self, Actor, Facts, Planned, State};
use crate::domain::roles::Role;
use crate::error::AppError;
use crate::registries::RegistryError;
use chrono::{DateTime, Datelike, NaiveTime, Utc};
use serde::Deserialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

/// The applicant as entered by staff at a desk; applicants on the portal are taken from
/// their account (R-000-32: "the IIN is filled in automatically").
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicantInput {
    /// `person` or `legal_entity`.
    pub kind: String,
    pub iin: Option<String>,
    pub bin: Option<String>,
    pub name: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRequest {
    /// Service code from `GET /api/v1/services`.
    pub service: String,
    /// Variant code (licence: issue / reissue / duplicate); may be omitted when the service has one.
    pub variant: Option<String>,
    /// Channel code: `portal`, `provider_desk`, `con`, `clinic_desk`.
    pub channel: String,
    pub applicant: Option<ApplicantInput>,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub form: Map<String, Value>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionInput {
    pub action: String,
    pub reason: Option<String>,
    /// For `extend_deadline`: the new due date (R-004-39, G-35).
    pub new_due_at: Option<DateTime<Utc>>,
    /// Data of the decision printed on the document it issues (e.g. support amount and
    /// period, G-42; appointment time); keys are template field keys.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub fields: std::collections::BTreeMap<String, String>,
    /// For `assess`: one mark per applicable qualification item (R-003-30, R-003-42).
    #[serde(default)]
    pub checklist: Vec<ChecklistMark>,
    /// For `deliver` by staff: who received the result in person (G-30, G-43).
    pub recipient: Option<Recipient>,
}

/// The person a result was handed over to, from the identity document they showed
/// (G-30, G-43). The date, time and the employee are those of the history entry.
#[derive(Debug, Clone, Deserialize, serde::Serialize, ToSchema, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Recipient {
    pub full_name: String,
    pub iin: String,
    /// Set when someone other than the applicant collects it (e.g. "доверенность №15 от 01.11.2026").
    #[serde(default)]
    pub power_of_attorney: Option<String>,
}

impl Recipient {
    /// A recipient with a name and a valid IIN (check digit, birth date).
    fn checked(&self) -> Result<Recipient, AppError> {
        let full_name = self.full_name.trim();
        if full_name.is_empty() || full_name.chars().count() > 300 {
            return Err(AppError::with(
                "RECIPIENT_REQUIRED",
                "recipient.full_name must be 1..300 characters",
            ));
        }
        let iin = Iin::parse(self.iin.trim()).map_err(identity_error)?;
        Ok(Recipient {
            full_name: full_name.to_string(),
            iin: iin.as_str().to_string(),
            power_of_attorney: self
                .power_of_attorney
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string),
        })
    }
}

/// The reviewer's mark on one qualification item.
#[derive(Debug, Clone, Deserialize, serde::Serialize, ToSchema, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ChecklistMark {
    pub item: String,
    pub met: bool,
    /// Required when not met: it becomes a reason of the motivated refusal.
    #[serde(default)]
    pub comment: Option<String>,
}

/// The values of the service's `qualification_by` form field on this request.
fn qualification_values(service: &Service, req: &RequestRow) -> Result<Vec<String>, AppError> {
    let form: Map<String, Value> =
        serde_json::from_str(&req.form_json).map_err(AppError::internal)?;
    Ok(service
        .qualification_by
        .as_ref()
        .and_then(|f| form.get(f))
        .map(|v| match v {
            Value::Array(a) => a
                .iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect(),
            Value::String(s) => vec![s.clone()],
            _ => Vec::new(),
        })
        .unwrap_or_default())
}

/// Checks a checklist against the items that apply: each exactly once, none unknown, a
/// comment on every item not met.
fn check_checklist(
    service: &Service,
    req: &RequestRow,
    marks: &[ChecklistMark],
) -> Result<(), AppError> {
    let applicable: Vec<String> = service
        .qualification_for(&qualification_values(service, req)?)
        .iter()
        .map(|q| q.code.clone())
        .collect();
    for m in marks {
        if !applicable.contains(&m.item) {
            return Err(AppError::with(
                "UNKNOWN_FIELD",
                format!("qualification item `{}` does not apply", m.item),
            ));
        }
        if !m.met && m.comment.as_deref().map(str::trim).unwrap_or("").is_empty() {
            return Err(AppError::with(
                "REASON_REQUIRED",
                format!("item `{}` is not met: say why", m.item),
            ));
        }
    }
    let missing: Vec<&String> = applicable
        .iter()
        .filter(|code| marks.iter().filter(|m| &&m.item == code).count() != 1)
        .collect();
    if !missing.is_empty() {
        return Err(AppError::with(
            "CHECKLIST_INCOMPLETE",
            format!("{missing:?}"),
        ));
    }
    Ok(())
}

/// The latest checklist recorded on the request (`assess` entries of the history).
pub(crate) fn latest_checklist(
    c: &mut DbConnection,
    req: &RequestRow,
) -> Result<Option<Vec<ChecklistMark>>, AppError> {
    let h = queries::history_of(c, &req.id)?;
    Ok(h.iter()
        .rev()
        .find(|e| e.action == "assess")
        .and_then(|e| e.data_json.as_deref())
        .and_then(|d| serde_json::from_str::<Value>(d).ok())
        .and_then(|v| serde_json::from_value(v["checklist"].clone()).ok()))
}

/// What is attached: one uploaded file.
pub struct Upload {
    pub doc_type: String,
    pub file_name: String,
    pub bytes: Vec<u8>,
    /// Staff at a desk: the paper original was presented and checked.
    pub original_seen: Option<bool>,
}

pub(crate) fn service_of<'a>(app: &'a App, code: &str) -> Result<&'a Service, AppError> {
    app.catalog
        .service(code)
        .ok_or_else(|| AppError::with("UNKNOWN_SERVICE", code.to_string()))
}

fn channel_of<'a>(service: &'a Service, code: &str) -> Result<&'a Channel, AppError> {
    service
        .channel(code)
        .ok_or_else(|| AppError::with("UNKNOWN_CHANNEL", code.to_string()))
}

/// IIN/BIN errors carry their API code (IIN_CHECKSUM, BIN_FORMAT, …) themselves.
fn identity_error(e: crate::domain::identity::IdentityError) -> AppError {
    AppError::with(e.code(), e.to_string())
}

fn registry_error(e: RegistryError) -> AppError {
    match e {
        RegistryError::NotFound => AppError::new("APPLICANT_NOT_IN_REGISTRY"),
        other => {
            tracing::warn!(error = %other, "registry call failed");
            AppError::with("REGISTRY_UNAVAILABLE", other.to_string())
        }
    }
}

struct Applicant {
    kind: ApplicantKind,
    iin: Option<String>,
    bin: Option<String>,
    name: String,
}

/// Works out who the applicant is (R-003-12, R-000-32) and, for desk channels, checks the
/// state registry (R-003-37..39, R-000-42..44).
fn resolve_applicant(
    app: &App,
    user: &CurrentUser,
    service: &Service,
    channel: &Channel,
    input: Option<&ApplicantInput>,
    form: &Map<String, Value>,
) -> Result<Applicant, AppError> {
    let kind = match input {
        Some(a) => ApplicantKind::parse(&a.kind)
            .ok_or_else(|| AppError::with("BAD_REQUEST", format!("applicant.kind `{}`", a.kind)))?,
        None => ApplicantKind::Person,
    };
    if !service.applicant_kinds.contains(&kind) {
        return Err(AppError::with("APPLICANT_KIND_NOT_ALLOWED", kind.as_str()));
    }
    let given_iin = input.and_then(|a| a.iin.clone());
    let given_bin = input.and_then(|a| a.bin.clone());
    if let Some(i) = &given_iin {
        i.parse::<Iin>().map_err(identity_error)?;
    }
    if let Some(b) = &given_bin {
        b.parse::<Bin>().map_err(identity_error)?;
    }
    let form_name = form
        .get("applicant_name")
        .and_then(Value::as_str)
        .map(str::to_string);
    let (iin, bin, mut name) = if user.role == Role::Applicant {
        // Identity comes from the account; a different one in the input is refused.
        let (iin, bin) = match kind {
            ApplicantKind::Person => (user.iin.clone(), None),
            ApplicantKind::LegalEntity => (user.iin.clone(), user.bin.clone()),
        };
        if kind == ApplicantKind::LegalEntity && bin.is_none() {
            return Err(AppError::with(
                "APPLICANT_KIND_NOT_ALLOWED",
                "the account has no BIN",
            ));
        }
        if given_iin.is_some() && given_iin != iin || given_bin.is_some() && given_bin != bin {
            return Err(AppError::new("APPLICANT_MISMATCH"));
        }
        let name = input
            .and_then(|a| a.name.clone())
            .or(form_name)
            .unwrap_or_else(|| user.full_name.clone());
        (iin, bin, name)
    } else {
        let missing = match kind {
            ApplicantKind::Person => given_iin.is_none(),
            ApplicantKind::LegalEntity => given_bin.is_none(),
        };
        if missing {
            return Err(AppError::with(
                "BAD_REQUEST",
                "applicant IIN (person) or BIN (legal entity) is required at a desk",
            ));
        }
        let name = input
            .and_then(|a| a.name.clone())
            .or(form_name)
            .unwrap_or_default();
        (given_iin, given_bin, name)
    };
    if iin.is_none() && bin.is_none() {
        return Err(AppError::with(
            "BAD_REQUEST",
            "the applicant has no IIN or BIN",
        ));
    }
    if channel.registry_lookup {
        match kind {
            ApplicantKind::Person => {
                let p = app
                    .persons
                    .find_person(iin.as_deref().unwrap_or_default())
                    .map_err(registry_error)?;
                name = p.full_name();
            }
            ApplicantKind::LegalEntity => {
                let c = app
                    .companies
                    .find_company(bin.as_deref().unwrap_or_default())
                    .map_err(registry_error)?;
                name = c.name;
            }
        }
    }
    if name.trim().is_empty() {
        return Err(AppError::with("FORM_INCOMPLETE", "applicant name"));
    }
    Ok(Applicant {
        kind,
        iin,
        bin,
        name,
    })
}

/// What a history entry records besides who and when.
pub(crate) struct Entry<'a> {
    pub action: &'a str,
    pub from: Option<State>,
    pub to: State,
    pub reason: Option<String>,
    pub requirements: &'a [String],
    pub data: Option<Value>,
}

fn history_row(
    req: &RequestRow,
    seq: i64,
    at: DateTime<Utc>,
    actor: Option<&CurrentUser>,
    e: Entry<'_>,
) -> HistoryRow {
    let Entry {
        action,
        from,
        to,
        reason,
        requirements,
        data,
    } = e;
    HistoryRow {
        id: uuid::Uuid::now_v7().to_string(),
        request_id: req.id.clone(),
        seq,
        at: at.naive_utc(),
        actor_id: actor.map(|u| u.id.clone()),
        actor_role: actor
            .map(|u| u.role.as_str())
            .unwrap_or("system")
            .to_string(),
        action: action.to_string(),
        from_state: from.map(|s| s.as_str().to_string()),
        to_state: to.as_str().to_string(),
        reason,
        requirements: requirements.join(","),
        data_json: data.map(|d| d.to_string()),
    }
}

/// Opens a draft request (R-000-18, R-003-19, R-003-36, R-003-46, R-004-16, R-004-29).
pub fn create(app: &App, user: &CurrentUser, input: NewRequest) -> Result<RequestView, AppError> {
    let service = service_of(app, &input.service)?;
    let variant = match &input.variant {
        Some(v) => service
            .variant(v)
            .ok_or_else(|| AppError::with("UNKNOWN_VARIANT", v.clone()))?,
        None if service.variants.len() == 1 => &service.variants[0],
        None => {
            return Err(AppError::with(
                "UNKNOWN_VARIANT",
                "variant is required for this service",
            ))
        }
    };
    let channel = channel_of(service, &input.channel)?;
    if !channel.initiator_roles.contains(&user.role) {
        return Err(AppError::with(
            "CHANNEL_NOT_ALLOWED",
            format!("{} in {}", user.role, channel.code),
        ));
    }
    forms::validate_values(service, &variant.code, &input.form)
        .map_err(|e| AppError::with(e.code(), e.detail()))?;
    let applicant = resolve_applicant(
        app,
        user,
        service,
        channel,
        input.applicant.as_ref(),
        &input.form,
    )?;
    let now = app.now();
    let fee = app
        .fees
        .fee(&variant.fee_rule, now.date_naive())
        .map_err(|e| super::yearly::fee_error(&variant.fee_rule, e))?;
    let owner = if user.role == Role::Applicant {
        Some(user.id.clone())
    } else {
        match &applicant.iin {
            Some(iin) => app
                .store
                .read(|c| queries::applicant_by_iin(c, iin))?
                .map(|u| u.id),
            None => None,
        }
    };
    let form_json = Value::Object(input.form.clone()).to_string();
    let year = now.year();
    let counter = format!("request:{}:{year}", service.number_prefix);
    // The number is taken in the creating transaction on both backends: on PostgreSQL from a
    // native sequence (no row lock, never rolled back), on SQLite under its single writer.
    // A creation that then fails leaves a gap: numbers are unique and never reused, not
    // gapless (docs/architecture.md).
    let row = app.store.create_request(&counter, |seq| {
        let row = RequestRow {
            id: uuid::Uuid::now_v7().to_string(),
            number: format!("{}-{year}-{seq:06}", service.number_prefix),
            service_code: service.code.clone(),
            service_version: service.version as i32,
            variant: variant.code.clone(),
            channel: channel.code.clone(),
            state: State::Draft.as_str().to_string(),
            applicant_kind: applicant.kind.as_str().to_string(),
            applicant_iin: applicant.iin.clone(),
            applicant_bin: applicant.bin.clone(),
            applicant_name: applicant.name.clone(),
            owner_user_id: owner.clone(),
            created_by: user.id.clone(),
            form_json: form_json.clone(),
            fee_tiyn: fee.tiyn(),
            registered_at: None,
            due_at: None,
            extended: false,
            version: 1,
            created_at: now.naive_utc(),
            updated_at: now.naive_utc(),
        };
        let entry = Entry {
            action: "create",
            from: None,
            to: State::Draft,
            reason: None,
            requirements: &channel.requirements,
            data: None,
        };
        let first = history_row(&row, 1, now, Some(user), entry);
        Ok((row, first))
    })?;
    let actions = actions_for(app, service, &row, user);
    let view = RequestView::from_rows(row, vec![], actions);
    tracing::info!(number = %view.number, service = %view.service, channel = %view.channel, "request created");
    crate::metrics::request_created(&view.service);
    Ok(view)
}

/// May this user see the request? Applicants: their own. Staff: requests they opened, and
/// requests of services they review. Admin: all.
fn can_view(app: &App, user: &CurrentUser, req: &RequestRow) -> bool {
    match user.role {
        Role::Admin => true,
        Role::Applicant => req.owner_user_id.as_deref() == Some(user.id.as_str()),
        role => {
            req.created_by == user.id
                || app
                    .catalog
                    .service(&req.service_code)
                    .is_some_and(|s| s.reviewer_roles.contains(&role))
        }
    }
}

fn actor_of(user: &CurrentUser, req: &RequestRow) -> Actor {
    Actor {
        role: user.role,
        is_initiator: req.created_by == user.id,
        is_system: false,
    }
}

fn actions_for(app: &App, service: &Service, req: &RequestRow, user: &CurrentUser) -> Vec<String> {
    let state = State::parse(&req.state).unwrap_or(State::Draft);
    lifecycle::available_actions(
        service,
        app.catalog.workflow_of(service),
        state,
        &actor_of(user, req),
    )
}

/// Loads a request the user may see; others' requests are "not found" (no existence leak).
pub(crate) fn load_visible(
    app: &App,
    c: &mut DbConnection,
    user: &CurrentUser,
    number: &str,
) -> Result<RequestRow, AppError> {
    visible(app, user, number, queries::request_by_number(c, number)?)
}

/// [`load_visible`] with the request's attachments, in one query.
pub(crate) fn load_visible_with_attachments(
    app: &App,
    c: &mut DbConnection,
    user: &CurrentUser,
    number: &str,
) -> Result<(RequestRow, Vec<AttachmentRow>), AppError> {
    let (found, attachments) = queries::request_with_attachments(c, number)?.unzip();
    Ok((
        visible(app, user, number, found)?,
        attachments.unwrap_or_default(),
    ))
}

fn visible(
    app: &App,
    user: &CurrentUser,
    number: &str,
    found: Option<RequestRow>,
) -> Result<RequestRow, AppError> {
    match found {
        Some(r) if can_view(app, user, &r) => Ok(r),
        Some(r) => {
            tracing::warn!(number, user = %user.login, owner = ?r.owner_user_id, "access to another user's request refused");
            Err(AppError::new("REQUEST_NOT_FOUND"))
        }
        None => Err(AppError::new("REQUEST_NOT_FOUND")),
    }
}

pub fn get(app: &App, user: &CurrentUser, number: &str) -> Result<RequestView, AppError> {
    let (r, atts) = app
        .store
        .read(|c| load_visible_with_attachments(app, c, user, number))?;
    let service = service_of(app, &r.service_code)?;
    let actions = actions_for(app, service, &r, user);
    Ok(RequestView::from_rows(r, atts, actions))
}

pub fn history(app: &App, user: &CurrentUser, number: &str) -> Result<Vec<HistoryEntry>, AppError> {
    app.store.read(|c| {
        let r = load_visible(app, c, user, number)?;
        Ok(queries::history_of(c, &r.id)?
            .into_iter()
            .map(HistoryEntry::from)
            .collect())
    })
}

pub struct ListQuery {
    pub service: Option<String>,
    pub state: Option<String>,
    pub applicant: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
    /// Only requests past their due date that still await a decision.
    pub overdue: bool,
}

pub fn list(app: &App, user: &CurrentUser, q: ListQuery) -> Result<RequestPage, AppError> {
    if let Some(s) = &q.state {
        if State::parse(s).is_none() {
            return Err(AppError::with(
                "BAD_REQUEST",
                format!("unknown state `{s}`"),
            ));
        }
    }
    let limit = q.limit.unwrap_or(50);
    let offset = q.offset.unwrap_or(0);
    if !(1..=500).contains(&limit) || offset < 0 {
        return Err(AppError::with(
            "BAD_REQUEST",
            "limit must be 1..500 and offset >= 0",
        ));
    }
    let visibility = match user.role {
        Role::Admin => Visibility::All,
        Role::Applicant => Visibility::Owner(user.id.clone()),
        role => Visibility::Staff {
            user_id: user.id.clone(),
            services: app.catalog.services_reviewed_by(role),
        },
    };
    let f = ListFilter {
        visibility,
        service: q.service,
        state: q.state,
        applicant: q.applicant,
        overdue_at: q.overdue.then(|| app.now().naive_utc()),
        limit,
        offset,
    };
    let (rows, total) = app.store.read(|c| queries::list_requests(c, &f))?;
    Ok(RequestPage {
        items: rows.into_iter().map(RequestSummary::from).collect(),
        total,
        limit,
        offset,
    })
}

/// Attaches a document (R-003-19, R-003-40, R-003-50, R-004-16, R-004-29). Only in a draft;
/// the document type must be one the channel asks for; PDF, JPEG or PNG by content.
pub fn attach(
    app: &App,
    user: &CurrentUser,
    number: &str,
    up: Upload,
) -> Result<RequestView, AppError> {
    let req = app.store.read(|c| load_visible(app, c, user, number))?;
    let service = service_of(app, &req.service_code)?;
    let channel = channel_of(service, &req.channel)?;
    if req.created_by != user.id {
        return Err(AppError::with(
            "FORBIDDEN",
            "only the initiator of the request attaches documents",
        ));
    }
    if !State::parse(&req.state).is_some_and(State::is_editable) {
        return Err(AppError::with("NOT_EDITABLE", req.state.clone()));
    }
    let doc = channel
        .documents
        .iter()
        .find(|d| d.code == up.doc_type && d.applies_to(&req.variant))
        .ok_or_else(|| AppError::with("UNKNOWN_DOCUMENT_TYPE", up.doc_type.clone()))?;
    if up.bytes.is_empty() {
        return Err(AppError::new("EMPTY_FILE"));
    }
    if up.bytes.len() > app.config.max_upload_bytes {
        return Err(AppError::with(
            "FILE_TOO_LARGE",
            format!("limit {} bytes", app.config.max_upload_bytes),
        ));
    }
    let content_type = crate::files::sniff_content_type(&up.bytes)
        .ok_or_else(|| AppError::new("UNSUPPORTED_FILE_TYPE"))?;
    let original_seen = if user.role.is_staff() {
        if doc.paper_original && up.original_seen.is_none() {
            return Err(AppError::with(
                "BAD_REQUEST",
                "original_seen (true/false) is required for a scan of a paper original",
            ));
        }
        up.original_seen
    } else {
        None
    };
    // The file is durable before the row that names it commits.
    let stored = app.files.put(&up.bytes).map_err(AppError::internal)?;
    let now = app.now();
    let file_name: String = up
        .file_name
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    app.store.write(|c| {
        let att = AttachmentRow {
            id: uuid::Uuid::now_v7().to_string(),
            request_id: req.id.clone(),
            doc_type: doc.code.clone(),
            sha256: stored.sha256.clone(),
            size_bytes: stored.size as i64,
            content_type: content_type.to_string(),
            file_name: file_name.clone(),
            attached_by: user.id.clone(),
            attached_role: user.role.as_str().to_string(),
            original_seen,
            created_at: now.naive_utc(),
        };
        queries::insert_attachment(c, &att)?;
        let state = State::Draft;
        // A new version of the request (its state unchanged), so the history stays in step.
        let next = RequestRow {
            version: req.version + 1,
            updated_at: now.naive_utc(),
            ..req.clone()
        };
        let data = serde_json::json!({"doc_type": att.doc_type, "sha256": att.sha256, "original_seen": original_seen});
        let entry = Entry { action: "attach", from: Some(state), to: state, reason: None, requirements: &doc.requirements, data: Some(data) };
        let h = history_row(&req, req.version + 1, now, Some(user), entry);
        queries::record_change(c, &next, &h)
    })?;
    get(app, user, number)
}

fn facts_for(
    app: &App,
    c: &mut DbConnection,
    service: &Service,
    req: &RequestRow,
    input: &TransitionInput,
    attachments: &[AttachmentRow],
) -> Result<Facts, AppError> {
    let form: Map<String, Value> =
        serde_json::from_str(&req.form_json).map_err(AppError::internal)?;
    let channel = channel_of(service, &req.channel)?;
    let attached: Vec<&str> = attachments.iter().map(|a| a.doc_type.as_str()).collect();
    let missing_documents = channel
        .documents
        .iter()
        .filter(|d| {
            d.required && d.applies_to(&req.variant) && !attached.contains(&d.code.as_str())
        })
        .map(|d| d.code.clone())
        .collect();
    let new_due_later = input.new_due_at.map(|new| match req.due_at {
        Some(cur) => new.naive_utc() > cur,
        None => false,
    });
    let _ = app;
    let qualification_unmet = if service.qualification.is_empty() {
        Some(Vec::new())
    } else {
        latest_checklist(c, req)?.map(|marks| {
            marks
                .into_iter()
                .filter(|m| !m.met)
                .map(|m| m.item)
                .collect()
        })
    };
    Ok(Facts {
        qualification_unmet,
        form_problems: forms::missing_required(service, &req.variant, &form),
        missing_documents,
        // Payment and signature facts are established by their own use cases, which take
        // the system transitions (`confirm_payment`, `sign`) after verifying the event.
        payment_confirmed: false,
        signature_verified: false,
        reason: input.reason.clone(),
        new_due_later,
        recipient_recorded: input.recipient.is_some(),
    })
}

/// The due date of a request registered at `at` (G-22, G-35: working days on the Kazakh calendar).
pub fn due_date(
    app: &App,
    service: &Service,
    variant: &str,
    at: DateTime<Utc>,
) -> Result<DateTime<Utc>, AppError> {
    let v = service
        .variant(variant)
        .ok_or_else(|| AppError::internal("variant vanished"))?;
    let tz: chrono_tz::Tz = service
        .provider
        .timezone
        .parse()
        .map_err(AppError::internal)?;
    let parse = |s: &str| NaiveTime::parse_from_str(s, "%H:%M").map_err(AppError::internal);
    let hours = WorkHours {
        open: parse(&service.provider.opens)?,
        close: parse(&service.provider.closes)?,
    };
    Ok(v.deadline.due(&app.calendar, at, tz, hours))
}

/// One step to apply: the planned move, who takes it, and what it records.
pub(crate) struct Step<'a> {
    pub planned: &'a Planned,
    pub user: Option<&'a CurrentUser>,
    pub input: &'a TransitionInput,
    pub data: Option<Value>,
}

/// The document a step issues, if any: the catalog's result of the step, or the signed
/// receipt that desk and ЦОН channels hand over on submission (G-47).
fn document_of(service: &Service, req: &RequestRow, planned: &Planned) -> Option<Issues> {
    let receipt =
        planned.action == "submit" && service.channel(&req.channel).is_some_and(|ch| ch.receipt);
    planned.issues.or(receipt.then_some(Issues::Receipt))
}

/// Applies a step inside the caller's transaction: issues its document, if any, and records
/// the change (the row moves if nobody moved it first, and the history gets its entry).
pub(crate) fn apply(
    app: &App,
    c: &mut DbConnection,
    service: &Service,
    req: &RequestRow,
    step: Step<'_>,
) -> Result<RequestRow, AppError> {
    let now = app.now();
    let document = match document_of(service, req, step.planned) {
        // The decision and its signed document are one transaction (R-003-32, R-004-23).
        Some(issues) => Some(super::results::issue_document(
            app,
            c,
            req,
            &super::results::Issue {
                service,
                issues,
                official: step.user,
                reason: step.input.reason.as_deref(),
                decision_fields: &step.input.fields,
                now,
            },
        )?),
        None => None,
    };
    let (updated, entry) = next_version(app, service, req, step, document.as_ref(), now)?;
    queries::record_change(c, &updated, &entry)?;
    Ok(updated)
}

/// Applies a step on its own: in one transaction if it issues a document, else as one
/// recorded change (a single statement on PostgreSQL).
pub(crate) fn apply_alone(
    app: &App,
    db: &mut Session<'_>,
    service: &Service,
    req: &RequestRow,
    step: Step<'_>,
) -> Result<RequestRow, AppError> {
    if document_of(service, req, step.planned).is_some() {
        return db.write(|c| apply(app, c, service, req, step));
    }
    let (updated, entry) = next_version(app, service, req, step, None, app.now())?;
    db.record_change(&updated, &entry)?;
    Ok(updated)
}

/// The request's next version after `step`, and its history entry.
fn next_version(
    app: &App,
    service: &Service,
    req: &RequestRow,
    step: Step<'_>,
    document: Option<&DocumentRow>,
    now: DateTime<Utc>,
) -> Result<(RequestRow, HistoryRow), AppError> {
    let Step {
        planned,
        user,
        input,
        mut data,
    } = step;
    let mut registered_at = req.registered_at;
    let mut due_at = req.due_at;
    let mut extended = req.extended;
    if planned.to == State::Registered && registered_at.is_none() {
        registered_at = Some(now.naive_utc());
        due_at = Some(due_date(app, service, &req.variant, now)?.naive_utc());
    }
    if planned.action == "extend_deadline" {
        if let Some(new_due) = input.new_due_at {
            data = Some(
                serde_json::json!({"previous_due_at": req.due_at.map(super::views::utc), "new_due_at": new_due}),
            );
            due_at = Some(new_due.naive_utc());
            extended = true;
        }
    }
    if let Some(doc) = document {
        let mut obj = match data.take() {
            Some(Value::Object(m)) => m,
            Some(other) => {
                let mut m = Map::new();
                m.insert("data".into(), other);
                m
            }
            None => Map::new(),
        };
        obj.insert("document_id".into(), doc.id.clone().into());
        obj.insert("document_kind".into(), doc.kind.clone().into());
        obj.insert("document_sha256".into(), doc.sha256.clone().into());
        data = Some(Value::Object(obj));
    } else if !input.fields.is_empty() {
        return Err(AppError::with(
            "UNKNOWN_FIELD",
            format!(
                "`{}` issues no document: fields are not expected",
                planned.action
            ),
        ));
    }
    let updated = RequestRow {
        state: planned.to.as_str().to_string(),
        registered_at,
        due_at,
        extended,
        version: req.version + 1,
        updated_at: now.naive_utc(),
        ..req.clone()
    };
    let entry = Entry {
        action: &planned.action,
        from: Some(planned.from),
        to: planned.to,
        reason: input.reason.clone(),
        requirements: &planned.requirements,
        data,
    };
    let h = history_row(req, req.version + 1, now, user, entry);
    Ok((updated, h))
}

/// How many times a transition is planned again after another writer moved the request
/// between its read and its write (`CONCURRENT_UPDATE`).
const TRANSITION_ATTEMPTS: usize = 3;

/// Takes a transition on behalf of a user (`POST /requests/{number}/transitions`).
///
/// Reads the request, plans the step in the domain, then writes it only if the request is
/// still at the version read (optimistic concurrency). If another writer moved it first, the
/// transition is planned again on the new version, so concurrent calls behave as if they
/// ran one after another: the later one succeeds or gets the domain's answer for the new
/// state (e.g. `ILLEGAL_TRANSITION`).
pub fn transition(
    app: &App,
    user: &CurrentUser,
    number: &str,
    input: TransitionInput,
) -> Result<RequestView, AppError> {
    let mut attempt = 1;
    loop {
        match transition_once(app, user, number, &input) {
            Err(e) if e.code == "CONCURRENT_UPDATE" && attempt < TRANSITION_ATTEMPTS => {
                tracing::info!(number, action = %input.action, attempt, "request moved meanwhile; planning again");
                attempt += 1;
            }
            other => return other,
        }
    }
}

fn transition_once(
    app: &App,
    user: &CurrentUser,
    number: &str,
    input: &TransitionInput,
) -> Result<RequestView, AppError> {
    // One connection from the read to the write.
    let mut db = app.store.session()?;
    let (req, attachments, service, facts) = db.read(|c| {
        let (req, attachments) = load_visible_with_attachments(app, c, user, number)?;
        let service = service_of(app, &req.service_code)?;
        let facts = facts_for(app, c, service, &req, input, &attachments)?;
        Ok((req, attachments, service, facts))
    })?;
    let from = State::parse(&req.state)
        .ok_or_else(|| AppError::internal(format!("bad state {}", req.state)))?;
    let data = if input.action == "assess" {
        check_checklist(service, &req, &input.checklist)?;
        Some(serde_json::json!({ "checklist": input.checklist }))
    } else if !input.checklist.is_empty() {
        return Err(AppError::with(
            "UNKNOWN_FIELD",
            "a checklist is given only with `assess`",
        ));
    } else if let Some(r) = &input.recipient {
        if input.action != "deliver" {
            return Err(AppError::with(
                "UNKNOWN_FIELD",
                "a recipient is given only with `deliver`",
            ));
        }
        Some(serde_json::json!({ "handover": r.checked()? }))
    } else {
        None
    };
    let planned = lifecycle::plan(
        service,
        app.catalog.workflow_of(service),
        from,
        &input.action,
        &actor_of(user, &req),
        &facts,
    )
    .inspect_err(
        |e| tracing::info!(number, action = %input.action, error = %e, "transition refused"),
    )?;
    let updated = apply_alone(
        app,
        &mut db,
        service,
        &req,
        Step {
            planned: &planned,
            user: Some(user),
            input,
            data,
        },
    )?;
    drop(db);
    tracing::info!(number, action = %planned.action, from = %planned.from, to = %planned.to, user = %user.login, "transition");
    crate::metrics::transition(&planned.action);
    // The answer is built from what was written: no second read.
    let actions = actions_for(app, service, &updated, user);
    Ok(RequestView::from_rows(updated, attachments, actions))
}

/// Whose identity a signing certificate must carry for this request (R-003-26, R-004-20, G-39).
pub fn expected_signer(
    service: &Service,
    req: &RequestRow,
    signer_user: &CurrentUser,
) -> Result<(Signer, Option<String>, Option<String>), AppError> {
    let channel = channel_of(service, &req.channel)?;
    Ok(match channel.signer {
        Signer::Applicant => (
            Signer::Applicant,
            req.applicant_iin.clone(),
            req.applicant_bin.clone(),
        ),
        Signer::Employee => (Signer::Employee, signer_user.iin.clone(), None),
    })
}
