//! The service-request use cases: create, attach, read and list. Rules come from the
//! catalog and [`crate::domain`]; moves of a request go through [`crate::app::engine`].
//!
//! - [`input`]: what users send (new request, transition, upload, list query);
//! - [`applicant`]: who the applicant is (account, desk entry, state registry);
//! - [`visibility`]: who may see which request;
//! - [`checklist`]: the qualification checklist of a licence review;
//! - [`commission`]: the commission members' opinions a support decision follows.

pub mod applicant;
pub mod checklist;
mod child;
pub mod commission;
pub mod cursor;
pub mod input;
pub mod visibility;

pub use input::{
    ApplicantInput, ChecklistMark, ListQuery, NewRequest, Recipient, TransitionInput, Upload,
};
pub use visibility::{load_visible, load_visible_with_attachments};

use crate::app::auth::CurrentUser;
use crate::app::engine::{actions_for, history_row, Entry};
use crate::app::views::{HistoryEntry, RequestPage, RequestSummary, RequestView};
use crate::app::App;
use crate::db::models::{AttachmentRow, RequestRow};
use crate::db::queries::{self, ListFilter};
use crate::domain::catalog::{Channel, ChannelCode, Provider, Service};
use crate::domain::forms;
use crate::domain::ids::RequestId;
use crate::domain::lifecycle::State;
use crate::domain::roles::Role;
use crate::error::{AppError, ErrorCode};
use chrono::Datelike;
use serde_json::Value;

pub use crate::app::engine::transition;

pub(crate) fn service_of<'a>(app: &'a App, code: &str) -> Result<&'a Service, AppError> {
    app.catalog
        .service(code)
        .ok_or_else(|| AppError::with(ErrorCode::UnknownService, code.to_string()))
}

/// The service's channel named `code` (as typed by a client): an unknown name and a
/// channel this service does not offer are both `UNKNOWN_CHANNEL`.
pub(crate) fn channel_named<'a>(service: &'a Service, code: &str) -> Result<&'a Channel, AppError> {
    code.parse::<ChannelCode>()
        .ok()
        .and_then(|c| service.channel(c))
        .ok_or_else(|| AppError::with(ErrorCode::UnknownChannel, code.to_string()))
}

/// The channel a stored request came in by (a catalog edit may have withdrawn it).
pub(crate) fn channel_of(service: &Service, code: ChannelCode) -> Result<&Channel, AppError> {
    service
        .channel(code)
        .ok_or_else(|| AppError::with(ErrorCode::UnknownChannel, code.to_string()))
}

/// Who decides a new request (R-004-02, G-45): the department of the employee who takes it
/// in at its desk, else the provider the applicant names, else the service's main one.
fn deciding_provider<'a>(
    service: &'a Service,
    user: &CurrentUser,
    named: Option<&str>,
) -> Result<&'a Provider, AppError> {
    let named = match named {
        Some(code) => Some(
            service
                .providers()
                .find(|p| p.code == code)
                .ok_or_else(|| AppError::with(ErrorCode::UnknownProvider, code.to_string()))?,
        ),
        None => None,
    };
    let own = user
        .role
        .is_staff()
        .then_some(user.provider.as_deref())
        .flatten()
        .and_then(|mine| service.providers().find(|p| p.code == mine));
    match (own, named) {
        (Some(own), Some(named)) if own.code != named.code => Err(AppError::with(
            ErrorCode::ProviderNotYours,
            format!("{} takes requests in for {}", user.login, own.code),
        )),
        (Some(own), _) => Ok(own),
        (None, Some(named)) => Ok(named),
        (None, None) => Ok(&service.provider),
    }
}

/// The services a staff member takes in for a walk-in applicant, each with its channel:
/// a channel other than the portal and the telephone whose `initiator_roles` name the
/// user's role; a provider's desk (or a clinic's) only for staff of one of the service's
/// deciding providers, a ЦОН for any service that has one (R-003-45, R-004-12, R-000-40).
pub fn intake_offers<'a>(app: &'a App, user: &CurrentUser) -> Vec<(&'a Service, &'a Channel)> {
    let mine = user.provider.as_deref();
    app.catalog
        .services()
        .flat_map(|s| s.channels.iter().map(move |c| (s, c)))
        .filter(|(_, c)| c.code.is_assisted() && c.code != ChannelCode::Phone)
        .filter(|(_, c)| c.initiator_roles.contains(&user.role))
        .filter(|(s, c)| {
            c.code == ChannelCode::Con || s.providers().any(|p| Some(p.code.as_str()) == mine)
        })
        .collect()
}

/// Opens a draft request (R-000-18, R-003-19, R-003-36, R-003-46, R-004-16, R-004-29).
pub fn create(app: &App, user: &CurrentUser, input: NewRequest) -> Result<RequestView, AppError> {
    let service = service_of(app, &input.service)?;
    let variant = match &input.variant {
        Some(v) => service
            .variant(v)
            .ok_or_else(|| AppError::with(ErrorCode::UnknownVariant, v.clone()))?,
        None if service.variants.len() == 1 => &service.variants[0],
        None => {
            return Err(AppError::with(
                ErrorCode::UnknownVariant,
                "variant is required for this service",
            ))
        }
    };
    let channel = channel_named(service, &input.channel)?;
    if !channel.initiator_roles.contains(&user.role) {
        return Err(AppError::with(
            ErrorCode::ChannelNotAllowed,
            format!("{} in {}", user.role, channel.code),
        ));
    }
    // A booking names its clinic on the form: that clinic decides (R-000-01, R-002-01).
    let named = match (
        input.provider.as_deref(),
        crate::app::booking::clinic_named(service, &input.form),
    ) {
        (Some(p), Some(clinic)) if p != clinic => {
            return Err(AppError::with(
                ErrorCode::UnknownProvider,
                format!("provider `{p}` is not the clinic `{clinic}` of the form"),
            ))
        }
        (Some(p), _) => Some(p.to_string()),
        (None, clinic) => clinic,
    };
    let provider = deciding_provider(service, user, named.as_deref())?;
    crate::app::clinics::check_channel(app, &provider.code, channel.code)?;
    let now = app.now();
    let today = provider.local_date(now);
    forms::validate_values(service, &variant.code, &input.form, today)
        .map_err(|e| AppError::with(e.code(), e.detail()))?;
    crate::app::booking::check_at_creation(app, service, &input.form)?;
    let applicant = applicant::resolve(
        app,
        user,
        service,
        channel,
        input.applicant.as_ref(),
        &input.form,
    )?;
    crate::app::phc::check_at_creation(
        app,
        service,
        provider,
        applicant.iin.as_ref(),
        &input.form,
    )?;
    crate::app::home_call::check(app, service, &provider.code, now)?;
    // G-40: the child is looked up in ГБД ФЛ; what it says is a warning to the reviewer,
    // kept on the request's first history entry.
    let warnings = child::warnings(app, service, &applicant, &input.form, today);
    let fee = app
        .fees
        .fee(&variant.fee_rule, today)
        .map_err(|e| crate::app::yearly::fee_error(&variant.fee_rule, e))?;
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
    let year = today.year();
    let counter = format!("request:{}:{year}", service.number_prefix);
    // The number is taken in the creating transaction on both backends: on PostgreSQL from a
    // native sequence (no row lock, never rolled back), on SQLite under its single writer.
    // A creation that then fails leaves a gap: numbers are unique and never reused, not
    // gapless (docs/architecture.md).
    let row = app.store.create_request(&counter, |seq| {
        let row = RequestRow {
            id: RequestId::generate(),
            number: format!("{}-{year}-{seq:06}", service.number_prefix),
            service_code: service.code.clone(),
            service_version: service.version as i32,
            variant: variant.code.clone(),
            channel: channel.code,
            state: State::Draft,
            applicant_kind: applicant.kind,
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
            provider_code: provider.code.clone(),
            intake_office: user
                .role
                .is_staff()
                .then(|| user.provider.clone())
                .flatten(),
        };
        let entry = Entry {
            action: "create",
            from: None,
            to: State::Draft,
            reason: None,
            requirements: &channel.requirements,
            data: (!warnings.is_empty()).then(|| serde_json::json!({ "warnings": warnings })),
        };
        let first = history_row(&row, 1, now, Some(user), entry);
        Ok((row, first))
    })?;
    let actions = actions_for(app, service, &row, user);
    let view = RequestView::from_rows(row, vec![], actions).with_warnings(&warnings);
    tracing::info!(number = %view.number, service = %view.service, channel = %view.channel, "request created");
    crate::metrics::request_created(&view.service);
    Ok(view)
}

pub fn get(app: &App, user: &CurrentUser, number: &str) -> Result<RequestView, AppError> {
    let (r, atts, warnings) = app.store.write(|c| {
        let (r, atts) = load_visible_with_attachments(c, user, number)?;
        crate::app::access_log::record(app, c, user, &r, crate::app::access_log::REQUEST)?;
        let warnings = intake_warnings(c, &r)?;
        Ok((r, atts, warnings))
    })?;
    let service = service_of(app, &r.service_code)?;
    let actions = actions_for(app, service, &r, user);
    Ok(RequestView::from_rows(r, atts, actions).with_warnings(&warnings))
}

/// The warnings recorded at intake (the `create` entry of the history, G-40).
fn intake_warnings(
    c: &mut crate::db::DbConnection,
    r: &RequestRow,
) -> Result<Vec<crate::domain::kinship::IntakeWarning>, AppError> {
    let Some(first) = queries::history_entry(c, &r.id, 1)? else {
        return Ok(Vec::new());
    };
    Ok(first
        .data_json
        .as_deref()
        .and_then(|d| serde_json::from_str::<Value>(d).ok())
        .and_then(|v| serde_json::from_value(v["warnings"].clone()).ok())
        .unwrap_or_default())
}

pub fn history(app: &App, user: &CurrentUser, number: &str) -> Result<Vec<HistoryEntry>, AppError> {
    app.store.write(|c| {
        let r = load_visible(c, user, number)?;
        crate::app::access_log::record(app, c, user, &r, crate::app::access_log::HISTORY)?;
        Ok(queries::history_with_names(c, &r.id)?
            .into_iter()
            .map(|(h, name)| HistoryEntry::named(h, name))
            .collect())
    })
}

pub fn list(app: &App, user: &CurrentUser, q: ListQuery) -> Result<RequestPage, AppError> {
    let limit = q.limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(AppError::with(
            ErrorCode::BadRequest,
            "limit must be 1..500",
        ));
    }
    if q.offset.is_some() {
        return Err(AppError::new(ErrorCode::OffsetNotSupported));
    }
    let mut f = ListFilter {
        visibility: visibility::list_visibility(user),
        service: q.service,
        state: q.state,
        channel: q.channel,
        applicant: q.applicant,
        awaiting: q.queue,
        overdue_at: q.overdue.then(|| app.now().naive_utc()),
        after: None,
        limit,
    };
    if let Some(c) = &q.cursor {
        f.after = Some(cursor::decode(c, f.order())?);
    }
    let order = f.order();
    let page = app.store.read(|c| queries::list_requests(c, &f))?;
    let next_cursor = match page.rows.last() {
        Some(last) if page.more => cursor::encode(last, order),
        _ => None,
    };
    let now = app.now();
    Ok(RequestPage {
        items: page
            .rows
            .into_iter()
            .map(|r| RequestSummary::at(r, now))
            .collect(),
        total: page.total,
        total_exact: page.total_exact,
        limit,
        next_cursor,
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
    let req = app.store.read(|c| load_visible(c, user, number))?;
    let service = service_of(app, &req.service_code)?;
    let channel = channel_of(service, req.channel)?;
    if req.created_by != user.id {
        return Err(AppError::with(
            ErrorCode::Forbidden,
            "only the initiator of the request attaches documents",
        ));
    }
    if !req.state.is_editable() {
        return Err(AppError::with(ErrorCode::NotEditable, req.state.as_str()));
    }
    let doc = channel
        .documents
        .iter()
        .find(|d| d.code == up.doc_type && d.applies_to(&req.variant))
        .ok_or_else(|| AppError::with(ErrorCode::UnknownDocumentType, up.doc_type.clone()))?;
    if up.bytes.is_empty() {
        return Err(AppError::new(ErrorCode::EmptyFile));
    }
    if up.bytes.len() > app.config.max_upload_bytes {
        return Err(AppError::with(
            ErrorCode::FileTooLarge,
            format!("limit {} bytes", app.config.max_upload_bytes),
        ));
    }
    let content_type = crate::files::sniff_content_type(&up.bytes)
        .ok_or_else(|| AppError::new(ErrorCode::UnsupportedFileType))?;
    check_content(&up.bytes, content_type)?;
    let original_seen = if user.role.is_staff() {
        if doc.paper_original && up.original_seen.is_none() {
            return Err(AppError::with(
                ErrorCode::BadRequest,
                "original_seen (true/false) is required for a scan of a paper original",
            ));
        }
        up.original_seen
    } else {
        None
    };
    // Only an original that was seen can have been handed back.
    let original_returned = match (original_seen, up.original_returned) {
        (_, None) => None,
        (Some(true), Some(back)) if doc.paper_original => Some(back),
        _ => {
            return Err(AppError::with(
                ErrorCode::BadRequest,
                "original_returned is recorded by staff for a paper original that was seen",
            ))
        }
    };
    // The file is durable before the row that names it commits.
    let stored = app.files.put(&up.bytes).map_err(AppError::internal)?;
    let now = app.now();
    let file_name = crate::files::normalise_file_name(&up.file_name);
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
            attached_role: user.role,
            original_seen,
            created_at: now.naive_utc(),
            original_returned,
        };
        queries::insert_attachment(c, &att)?;
        let state = State::Draft;
        // A new version of the request (its state unchanged), so the history stays in step.
        let next = RequestRow {
            version: req.version + 1,
            updated_at: now.naive_utc(),
            ..req.clone()
        };
        let data = serde_json::json!({"doc_type": att.doc_type, "sha256": att.sha256, "original_seen": original_seen, "original_returned": original_returned});
        let entry = Entry { action: "attach", from: Some(state), to: state, reason: None, requirements: &doc.requirements, data: Some(data) };
        let h = history_row(&req, req.version + 1, now, Some(user), entry);
        queries::record_change(c, &next, &h)
    })?;
    get(app, user, number)
}

/// One attachment of a request the user may see, with its bytes (to view a scan inline).
/// A staff read is logged as a document read (R-003-66, R-004-53).
pub fn attachment_content(
    app: &App,
    user: &CurrentUser,
    number: &str,
    id: &str,
) -> Result<(crate::app::views::AttachmentView, Vec<u8>), AppError> {
    let att = app.store.write(|c| {
        let (r, atts) = load_visible_with_attachments(c, user, number)?;
        let att = atts
            .into_iter()
            .find(|a| a.id == id)
            .ok_or_else(|| AppError::with(ErrorCode::DocumentNotFound, "no such attachment"))?;
        crate::app::access_log::record(app, c, user, &r, crate::app::access_log::DOCUMENT)?;
        Ok(att)
    })?;
    let bytes = app.files.get(&att.sha256).map_err(AppError::internal)?;
    Ok((crate::app::views::AttachmentView::from(att), bytes))
}

/// The instant a term given as a day ends for this request: the deciding provider's closing
/// time that day, in its zone, as every term ends (G-22, G-35). For an extension to a
/// day (R-004-39).
pub fn end_of_working_day(
    app: &App,
    user: &CurrentUser,
    number: &str,
    day: chrono::NaiveDate,
) -> Result<chrono::DateTime<chrono::Utc>, AppError> {
    let req = app.store.read(|c| load_visible(c, user, number))?;
    let provider = service_of(app, &req.service_code)?.provider_of(&req.provider_code);
    let tz: chrono_tz::Tz = provider.timezone.parse().map_err(AppError::internal)?;
    let close =
        chrono::NaiveTime::parse_from_str(&provider.closes, "%H:%M").map_err(AppError::internal)?;
    use chrono::TimeZone;
    tz.from_local_datetime(&day.and_time(close))
        .earliest()
        .map(|t| t.with_timezone(&chrono::Utc))
        .ok_or_else(|| AppError::internal("no such local time"))
}

/// What a scan may be beyond its type: an image within [`crate::files::MAX_IMAGE_SIDE`] and
/// [`crate::files::MAX_IMAGE_PIXELS`] (a decompression bomb is refused before anyone opens
/// it), a PDF nested no deeper than [`crate::files::MAX_PDF_NESTING`].
fn check_content(bytes: &[u8], content_type: &str) -> Result<(), AppError> {
    use crate::files;
    if content_type == "application/pdf" {
        if files::pdf_nesting_depth(bytes) > files::MAX_PDF_NESTING {
            return Err(AppError::new(ErrorCode::PdfTooComplex));
        }
        return Ok(());
    }
    match files::image_dimensions(bytes) {
        Some((w, h))
            if w > 0
                && h > 0
                && w <= files::MAX_IMAGE_SIDE
                && h <= files::MAX_IMAGE_SIDE
                && u64::from(w) * u64::from(h) <= files::MAX_IMAGE_PIXELS =>
        {
            Ok(())
        }
        Some((w, h)) => Err(AppError::with(
            ErrorCode::ImageTooLarge,
            format!("{w} × {h}"),
        )),
        None => Err(AppError::with(
            ErrorCode::UnsupportedFileType,
            "the image header cannot be read",
        )),
    }
}
