//! The transition engine: every move of a request, whoever takes it, goes through here.
//!
//! [`lifecycle::plan`] decides; this module gathers the facts it needs, applies the planned
//! step (issuing its document, if any, in the same transaction) and records the request's
//! next version with its history entry. Users' transitions come through [`transition`];
//! steps Ruqsat takes itself after a verified event (payment confirmed, signature verified
//! or refused, registration) and registry status changes go through [`take`]. Nothing
//! builds a [`Planned`] by hand.

use crate::app::auth::CurrentUser;
use crate::app::requests::checklist::{check_checklist, latest_checklist};
use crate::app::requests::commission::{self, MemberOpinion, OPINION_ACTION};
use crate::app::requests::visibility::load_visible_with_attachments;
use crate::app::requests::{channel_of, service_of, TransitionInput};
use crate::app::views::{HistoryEntry, RequestView};
use crate::app::App;
use crate::db::models::{AttachmentRow, DocumentRow, HistoryRow, RequestRow};
use crate::db::queries;
use crate::db::{DbConnection, Session};
use crate::domain::calendar::WorkHours;
use crate::domain::catalog::{Issues, Provider, Service, Via};
use crate::domain::forms;
use crate::domain::lifecycle::{self, Actor, Facts, Planned, State};
use crate::domain::roles::Role;
use crate::error::{AppError, ErrorCode};
use chrono::{DateTime, NaiveTime, Utc};
use serde_json::{Map, Value};

/// What a history entry records besides who and when.
pub(crate) struct Entry<'a> {
    pub action: &'a str,
    pub from: Option<State>,
    pub to: State,
    pub reason: Option<String>,
    pub requirements: &'a [String],
    pub data: Option<Value>,
}

pub(crate) fn history_row(
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
        from_state: from,
        to_state: to,
        reason,
        requirements: requirements.join(","),
        data_json: data.map(|d| d.to_string()),
    }
}

fn actor_of(user: &CurrentUser, req: &RequestRow) -> Actor {
    Actor::user(
        user.role,
        req.created_by == user.id,
        crate::app::requests::visibility::access_of(user, req),
    )
}

pub(crate) fn actions_for(
    app: &App,
    service: &Service,
    req: &RequestRow,
    user: &CurrentUser,
) -> Vec<String> {
    lifecycle::available_actions(
        service,
        app.catalog.workflow_of(service),
        req.state,
        &actor_of(user, req),
    )
}

/// The licence registry actions (`document_*`) the user could take on this request's
/// documents now, by the workflow.
pub(crate) fn registry_actions_for(
    app: &App,
    service: &Service,
    req: &RequestRow,
    user: &CurrentUser,
) -> Vec<String> {
    lifecycle::available_registry_actions(
        service,
        app.catalog.workflow_of(service),
        req.state,
        &actor_of(user, req),
    )
}

/// What the domain needs to know to plan a user's transition on this request.
fn facts_for(
    c: &mut DbConnection,
    user: &CurrentUser,
    service: &Service,
    req: &RequestRow,
    input: &TransitionInput,
    attachments: &[AttachmentRow],
) -> Result<(Facts, Vec<MemberOpinion>), AppError> {
    let form: Map<String, Value> =
        serde_json::from_str(&req.form_json).map_err(AppError::internal)?;
    let channel = channel_of(service, req.channel)?;
    let attached: Vec<&str> = attachments.iter().map(|a| a.doc_type.as_str()).collect();
    let missing_documents = channel
        .missing_documents(&req.variant, &attached)
        .into_iter()
        .map(|d| d.code.clone())
        .collect();
    // A scan of a paper original counts only if the employee saw the original (R-004-12).
    let originals_not_seen = channel
        .documents
        .iter()
        .filter(|d| d.required && d.paper_original && d.applies_to(&req.variant))
        .filter(|d| attached.contains(&d.code.as_str()))
        .filter(|d| {
            !attachments
                .iter()
                .any(|a| a.doc_type == d.code && a.original_seen == Some(true))
        })
        .map(|d| d.code.clone())
        .collect();
    let new_due_later = input.new_due_at.map(|new| match req.due_at {
        Some(cur) => new.naive_utc() > cur,
        None => false,
    });
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
    // Separation of duties: the service's second opinion, recorded by someone else.
    let history: Vec<HistoryEntry> = queries::history_of(c, &req.id)?
        .into_iter()
        .map(HistoryEntry::from)
        .collect();
    let second_opinion = match &service.separation_of_duties.second_opinion {
        Some(action) => history
            .iter()
            .any(|h| &h.action == action && h.actor_id.as_ref() != Some(&user.id)),
        None => false,
    };
    let opinions = commission::opinions(&history);
    Ok(Facts {
        second_opinion,
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
        conclusion: commission::conclusion_of(service, &opinions),
        opinion_given: input.opinion.is_some(),
        visit_given: input.visit.is_some(),
        originals_not_seen,
    })
    .map(|f| (f, opinions))
}

/// The due date of a request registered at `at` (G-22, G-35: working days on the Kazakh
/// calendar, in the deciding provider's zone and hours).
pub fn due_date(
    app: &App,
    service: &Service,
    provider: &Provider,
    variant: &str,
    at: DateTime<Utc>,
) -> Result<DateTime<Utc>, AppError> {
    let v = service
        .variant(variant)
        .ok_or_else(|| AppError::internal("variant vanished"))?;
    let tz: chrono_tz::Tz = provider.timezone.parse().map_err(AppError::internal)?;
    let parse = |s: &str| NaiveTime::parse_from_str(s, "%H:%M").map_err(AppError::internal);
    let hours = WorkHours {
        open: parse(&provider.opens)?,
        close: parse(&provider.closes)?,
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
        planned.action == "submit" && service.channel(req.channel).is_some_and(|ch| ch.receipt);
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
    let planned = step.planned;
    // A home call is taken until the cut-off: submission is the moment it is taken.
    if planned.action == "submit" {
        super::home_call::check(app, service, &req.provider_code, now)?;
    }
    // A booking service takes, moves or frees its slot in the same transaction, before the
    // step's document is drawn up from it.
    let new_form = super::booking::on_step(app, c, service, req, planned, step.user, step.input)?;
    // An approved attachment moves the person in the register, in the same transaction.
    super::phc::on_step(app, c, service, req, planned)?;
    let document = match document_of(service, req, step.planned) {
        // The decision and its signed document are one transaction (R-003-32, R-004-23).
        Some(issues) => Some(super::results::issue_document(
            app,
            c,
            req,
            &super::results::Issue {
                service,
                issues,
                // Staff sign as themselves; a step a person takes (a rescheduled ticket) is
                // signed with the provider's seal.
                official: step.user.filter(|u| u.role.is_staff()),
                reason: step.input.reason.as_deref(),
                decision_fields: &step.input.fields,
                now,
                clinics: &app.clinics,
            },
        )?),
        None => None,
    };
    let reason = step.input.reason.clone();
    let (mut updated, entry) = next_version(app, service, req, step, document.as_ref(), now)?;
    if let Some(form_json) = new_form {
        updated.form_json = form_json;
    }
    queries::record_change(c, &updated, &entry)?;
    // The applicant is told in the same transaction (R-004-39, R-004-40).
    super::notify::record(
        app,
        c,
        service,
        req,
        &updated,
        planned,
        document.as_ref(),
        reason.as_deref(),
    )?;
    Ok(updated)
}

/// Applies a step on its own: in one transaction if it issues a document or tells the
/// applicant something, else as one recorded change (a single statement on PostgreSQL).
pub(crate) fn apply_alone(
    app: &App,
    db: &mut Session<'_>,
    service: &Service,
    req: &RequestRow,
    step: Step<'_>,
) -> Result<RequestRow, AppError> {
    let document = document_of(service, req, step.planned);
    let tells = super::notify::kind_of(step.planned, document).is_some()
        && super::notify::has_recipient(req);
    if document.is_some()
        || tells
        || super::booking::affects(service, step.planned)
        || super::phc::affects(service, step.planned)
    {
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
        let provider = service.provider_of(&req.provider_code);
        due_at = Some(due_date(app, service, provider, &req.variant, now)?.naive_utc());
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
        obj.insert("document_id".into(), doc.id.as_str().into());
        obj.insert("document_kind".into(), doc.kind.clone().into());
        obj.insert("document_sha256".into(), doc.sha256.clone().into());
        data = Some(Value::Object(obj));
    } else if !input.fields.is_empty() {
        return Err(AppError::with(
            ErrorCode::UnknownField,
            format!(
                "`{}` issues no document: fields are not expected",
                planned.action
            ),
        ));
    }
    let updated = RequestRow {
        state: planned.to,
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
    input.check_lengths()?;
    let mut attempt = 1;
    loop {
        match transition_once(app, user, number, &input) {
            Err(e) if e.code == ErrorCode::ConcurrentUpdate && attempt < TRANSITION_ATTEMPTS => {
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
    let (req, attachments, service, facts, opinions) = db.read(|c| {
        let (req, attachments) = load_visible_with_attachments(c, user, number)?;
        let service = service_of(app, &req.service_code)?;
        let (facts, opinions) = facts_for(c, user, service, &req, input, &attachments)?;
        Ok((req, attachments, service, facts, opinions))
    })?;
    let from = req.state;
    let workflow = app.catalog.workflow_of(service);
    if workflow
        .transitions_named(&input.action)
        .any(|t| t.via == Via::Registry)
    {
        return Err(AppError::with(
            ErrorCode::ActionNotPermitted,
            format!(
                "`{}` is taken through POST /api/v1/documents/{{id}}/status",
                input.action
            ),
        ));
    }
    let data = if input.action == "assess" {
        check_checklist(service, &req, &input.checklist)?;
        Some(serde_json::json!({ "checklist": input.checklist }))
    } else if !input.checklist.is_empty() {
        return Err(AppError::with(
            ErrorCode::UnknownField,
            "a checklist is given only with `assess`",
        ));
    } else if let Some(start) = &input.slot_start {
        if input.action != crate::app::booking::RESCHEDULE {
            return Err(AppError::with(
                ErrorCode::UnknownField,
                "a slot_start is given only with `reschedule`",
            ));
        }
        Some(serde_json::json!({ "slot_start": start }))
    } else if let Some(visit) = input.visit {
        if input.action != "record_visit" {
            return Err(AppError::with(
                ErrorCode::UnknownField,
                "a visit outcome is given only with `record_visit`",
            ));
        }
        Some(serde_json::json!({ "visit": visit }))
    } else if let Some(opinion) = input.opinion {
        if input.action != OPINION_ACTION {
            return Err(AppError::with(
                ErrorCode::UnknownField,
                "an opinion is given only with `record_conclusion`",
            ));
        }
        Some(serde_json::json!({ "opinion": opinion }))
    } else if let Some(r) = &input.recipient {
        if input.action != "deliver" {
            return Err(AppError::with(
                ErrorCode::UnknownField,
                "a recipient is given only with `deliver`",
            ));
        }
        Some(serde_json::json!({ "handover": r.checked()? }))
    } else {
        None
    };
    let planned = lifecycle::plan(
        service,
        workflow,
        from,
        &input.action,
        &actor_of(user, &req),
        &facts,
    )
    .inspect_err(
        |e| tracing::info!(number, action = %input.action, error = %e, "transition refused"),
    )?;
    // A decision that follows the commission cites each member's opinion (G-41, A-14).
    let decides = planned.issues.is_some_and(|i| i != Issues::Receipt);
    let data = if decides && service.commission.is_some() {
        Some(serde_json::json!({ "commission": opinions }))
    } else {
        data
    };
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

/// Who takes a step that does not come through [`transition`].
pub(crate) enum By<'a> {
    /// Ruqsat itself, after a verified event (a signature, a payment callback). The user who
    /// brought the event, if any, is recorded as the actor of the history entry.
    System(Option<&'a CurrentUser>),
    /// A user, through a dedicated use case (a registry status change).
    User(&'a CurrentUser),
}

/// A step taken through [`take`]: the workflow action, who takes it, the facts established
/// by the calling use case, and what the history entry records. The step's `reason` is
/// also the fact the `reason_required` guard checks.
pub(crate) struct Take<'a> {
    pub action: &'a str,
    pub by: By<'a>,
    pub facts: Facts,
    pub reason: Option<String>,
    pub data: Option<Value>,
}

/// Plans `t` on the request as it is and applies it inside the caller's transaction: the one
/// way use cases other than [`transition`] move a request (payment, signature, registration,
/// registry status). The workflow decides whether the step is allowed and what it cites.
pub(crate) fn take(
    app: &App,
    c: &mut DbConnection,
    service: &Service,
    req: &RequestRow,
    t: Take<'_>,
) -> Result<RequestRow, AppError> {
    let facts = Facts {
        reason: t.reason.clone(),
        ..t.facts
    };
    let (actor, user) = match t.by {
        By::System(user) => (
            Actor::system(user.map_or(Role::Applicant, |u| u.role)),
            user,
        ),
        By::User(u) => (actor_of(u, req), Some(u)),
    };
    let planned = lifecycle::plan(
        service,
        app.catalog.workflow_of(service),
        req.state,
        t.action,
        &actor,
        &facts,
    )?;
    let input = TransitionInput {
        action: t.action.to_string(),
        reason: t.reason,
        ..Default::default()
    };
    apply(
        app,
        c,
        service,
        req,
        Step {
            planned: &planned,
            user,
            input: &input,
            data: t.data,
        },
    )
}
