//! One request lifecycle for every service (G-04). The states are fixed here; which
//! moves a service allows, who may make them and which checks guard them are data
//! ([`crate::domain::catalog::Workflow`]). [`plan`] is the single place that decides
//! whether a transition may happen.

use crate::domain::catalog::{Party, Service, Transition, Via, Workflow};
use crate::domain::roles::Role;
use serde::{Deserialize, Serialize};
use std::fmt;
use utoipa::ToSchema;

/// The state of a request. Stored as its snake_case name (`crate::db::types`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
#[derive(diesel::AsExpression, diesel::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum State {
    /// Being filled in; attachments can change.
    Draft,
    /// Form locked: complete, documents attached (R-000-33 «отправить запрос»).
    Submitted,
    /// A payment was created at the gateway and is not yet confirmed (R-003-20).
    AwaitingPayment,
    /// The gateway confirmed the payment (R-003-21).
    Paid,
    /// A signature was verified: validity, revocation, IIN/BIN (R-003-24..28, R-004-17..20, R-004-30..33).
    Signed,
    /// Registered with the provider; the deadline runs from here (R-000-24, R-003-29).
    Registered,
    /// The provider is checking the request (R-000-25, R-003-30, R-004-22).
    UnderReview,
    /// The result document was issued (R-000-27, R-003-32, R-004-23).
    Approved,
    /// A motivated refusal was issued (R-000-26, R-003-31, R-004-38).
    Refused,
    /// The result reached the applicant: handed over, e-mailed or opened (R-003-55, R-004-24).
    ResultDelivered,
    /// The applicant or the initiator withdrew the request before registration.
    Withdrawn,
    /// A booking (an appointment) called off by the person or the registrar; its slot is
    /// free again (G-04 extended, A-16).
    Cancelled,
}

impl State {
    pub const ALL: [State; 12] = [
        State::Draft,
        State::Submitted,
        State::AwaitingPayment,
        State::Paid,
        State::Signed,
        State::Registered,
        State::UnderReview,
        State::Approved,
        State::Refused,
        State::ResultDelivered,
        State::Withdrawn,
        State::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            State::Draft => "draft",
            State::Submitted => "submitted",
            State::AwaitingPayment => "awaiting_payment",
            State::Paid => "paid",
            State::Signed => "signed",
            State::Registered => "registered",
            State::UnderReview => "under_review",
            State::Approved => "approved",
            State::Refused => "refused",
            State::ResultDelivered => "result_delivered",
            State::Withdrawn => "withdrawn",
            State::Cancelled => "cancelled",
        }
    }

    /// The state as a person reads it: (ru, kk, en), in notifications and mail.
    pub fn labels(self) -> (&'static str, &'static str, &'static str) {
        match self {
            State::Draft => ("Черновик", "Жоба", "Draft"),
            State::Submitted => ("Отправлена", "Жіберілді", "Submitted"),
            State::AwaitingPayment => ("Ожидает оплаты", "Төлемді күтуде", "Awaiting payment"),
            State::Paid => ("Оплачена", "Төленді", "Paid"),
            State::Signed => ("Подписана", "Қол қойылды", "Signed"),
            State::Registered => ("Зарегистрирована", "Тіркелді", "Registered"),
            State::UnderReview => ("На рассмотрении", "Қаралуда", "Under review"),
            State::Approved => ("Результат готов", "Нәтиже дайын", "Result ready"),
            State::Refused => (
                "Мотивированный отказ",
                "Дәлелді бас тарту",
                "Motivated refusal",
            ),
            State::ResultDelivered => ("Результат выдан", "Нәтиже берілді", "Result delivered"),
            State::Withdrawn => ("Отозвана", "Кері қайтарылды", "Withdrawn"),
            State::Cancelled => ("Отменена", "Болдырылмады", "Cancelled"),
        }
    }

    /// The states of a request awaiting its provider's decision: the work queue and the
    /// overdue list (`queries::AWAITING_SQL` states the same in SQL).
    pub const AWAITING: [State; 2] = [State::Registered, State::UnderReview];

    /// Registered or under review: the provider owes a decision.
    pub fn awaits_decision(self) -> bool {
        State::AWAITING.contains(&self)
    }

    /// Form and attachments may change only in a draft.
    pub fn is_editable(self) -> bool {
        self == State::Draft
    }

    /// No further transition is expected.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            State::ResultDelivered | State::Withdrawn | State::Cancelled
        )
    }
}

impl std::str::FromStr for State {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        State::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| format!("unknown state `{s}`"))
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A named check that must hold for a transition. The facts are gathered by the
/// application layer ([`Facts`]); the decision is made here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Guard {
    /// Every required form field of the variant is filled and valid.
    FormComplete,
    /// Every required document of the channel and variant is attached (R-003-10, R-004-06..10, G-38).
    RequiredDocuments,
    /// The gateway confirmed the payment (R-003-21, R-003-22).
    PaymentConfirmed,
    /// A signature over the current signing payload was verified (R-003-24..26).
    SignatureVerified,
    /// A reason text is given (motivated refusal R-003-31, R-004-38; extension G-35).
    ReasonRequired,
    /// A new due date later than the current one is given (R-004-39, G-35).
    NewDueDate,
    /// The reviewer's latest checklist marks every applicable qualification item met
    /// (R-003-30, R-003-42).
    QualificationMet,
    /// Staff handing a result over in person record who received it, with the identity
    /// checked (G-30, G-43); the applicant opening it in the cabinet needs no record.
    RecipientRecorded,
    /// The commission's conclusion is formed (a quorum of members recorded opinions and a
    /// strict majority agrees) and the decision follows it: a result needs a conclusion to
    /// grant, a refusal one to refuse (R-004-22, R-004-38, G-41, A-14).
    ConclusionFollowed,
    /// A commission member's step gives their opinion (grant or refuse) (G-41, A-14).
    OpinionGiven,
    /// The registrar's step says what became of the visit (attended, no show, done).
    VisitGiven,
}

/// What the application layer knows about a request when a transition is asked for.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub form_problems: Vec<String>,
    pub missing_documents: Vec<String>,
    pub payment_confirmed: bool,
    pub signature_verified: bool,
    pub reason: Option<String>,
    pub new_due_later: Option<bool>,
    /// Qualification items not met by the latest checklist; `None` = not assessed yet.
    pub qualification_unmet: Option<Vec<String>>,
    /// The recipient of a handover (name and checked IIN) is given with the action.
    pub recipient_recorded: bool,
    /// Where the commission stands, from the opinions in the history.
    pub conclusion: crate::domain::commission::Conclusion,
    /// The step gives a commission member's opinion.
    pub opinion_given: bool,
    /// The step gives a visit's outcome.
    pub visit_given: bool,
    /// Required documents scanned from a paper original that nobody marked as seen.
    pub originals_not_seen: Vec<String>,
    /// The service's second-opinion step (e.g. the commission's conclusion) was recorded
    /// by someone other than the person now acting.
    pub second_opinion: bool,
}

/// Who is asking.
#[derive(Debug, Clone, Copy)]
pub struct Actor {
    pub role: Role,
    /// The user opened this request (applicant on the portal, employee at a desk).
    pub is_initiator: bool,
    /// Ruqsat itself, on behalf of a verified event (payment callback, signature check).
    pub is_system: bool,
    /// Staff of the provider that decides the request ([`crate::domain::access`]).
    pub at_provider: bool,
    /// Staff of the office that took the request in.
    pub at_intake: bool,
    /// A staff member who took this request in.
    pub took_in: bool,
    /// The applicant of this request (their account or their IIN).
    pub is_applicant: bool,
}

impl Actor {
    /// Ruqsat itself, acting on a verified event brought by a user of `role`.
    pub fn system(role: Role) -> Actor {
        Actor {
            role,
            is_initiator: false,
            is_system: true,
            at_provider: false,
            at_intake: false,
            took_in: false,
            is_applicant: false,
        }
    }

    /// A user, standing to the request as `access` says.
    pub fn user(role: Role, is_initiator: bool, access: crate::domain::access::Access) -> Actor {
        Actor {
            role,
            is_initiator,
            is_system: false,
            at_provider: access.at_provider,
            at_intake: access.at_intake,
            took_in: access.took_in,
            is_applicant: access.is_applicant,
        }
    }
}

/// Why a transition may not happen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("unknown action `{0}` for this service")]
    UnknownAction(String),
    #[error("action `{action}` is not allowed in state `{from}`")]
    IllegalTransition { action: String, from: State },
    #[error("action `{0}` may not be taken by this user")]
    NotPermitted(String),
    #[error("action `{0}` is performed by Ruqsat itself, not through this endpoint")]
    SystemOnly(String),
    #[error("the form is incomplete: {0:?}")]
    FormIncomplete(Vec<String>),
    #[error(
        "the commission has no conclusion yet: {recorded} of {quorum} members recorded an opinion"
    )]
    ConclusionRequired { recorded: u32, quorum: u32 },
    #[error("the commission's opinions are split ({grant} to grant, {refuse} to refuse): another member must record an opinion")]
    ConclusionSplit { grant: u32, refuse: u32 },
    #[error("the decision goes against the commission's conclusion")]
    ConclusionDisagrees,
    #[error("a commission member records an opinion: `grant` or `refuse`")]
    OpinionRequired,
    #[error("the visit's outcome is given: `attended`, `no_show` or `done`")]
    VisitRequired,
    #[error("the paper originals of these scans were not seen: {0:?}")]
    OriginalNotSeen(Vec<String>),
    #[error("required documents are missing: {0:?}")]
    MissingDocuments(Vec<String>),
    #[error("the payment is not confirmed")]
    PaymentNotConfirmed,
    #[error("no verified signature")]
    SignatureRequired,
    #[error("a reason is required")]
    ReasonRequired,
    #[error("the new due date must be later than the current one")]
    BadExtension,
    #[error("the qualification checklist has not been filled in")]
    QualificationNotAssessed,
    #[error("qualification requirements not met: {0:?}")]
    QualificationNotMet(Vec<String>),
    #[error("the recipient of the result must be recorded")]
    RecipientRequired,
    /// Separation of duties: the applicant never decides their own request; who took a
    /// request in does not decide it alone.
    #[error("action `{0}` must be taken by someone other than the applicant or the employee who took the request in")]
    SeparationOfDuties(String),
}

/// The decided move: where to go and what to cite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    pub action: String,
    pub from: State,
    pub to: State,
    pub requirements: Vec<String>,
    pub notify: bool,
    /// The document this step issues, if any.
    pub issues: Option<crate::domain::catalog::Issues>,
}

/// A reviewer acts at the deciding provider only; a named staff role at the deciding
/// provider or at the office that took the request in; an administrator anywhere.
fn party_matches(p: Party, service: &Service, actor: &Actor) -> bool {
    match p {
        Party::System => actor.is_system,
        Party::Initiator => actor.is_initiator,
        Party::Applicant => actor.is_applicant && actor.role == Role::Applicant,
        Party::Reviewer => service.reviewer_roles.contains(&actor.role) && actor.at_provider,
        Party::Admin => actor.role == Role::Admin,
        other => other.role() == Some(actor.role) && (actor.at_provider || actor.at_intake),
    }
}

/// A decision (a step that issues a result or a refusal) under the service's separation of
/// duties: never by the applicant; by the employee who took the request in only after
/// someone else recorded the service's second opinion.
fn separation_respected(service: &Service, t: &Transition, actor: &Actor, facts: &Facts) -> bool {
    let decides = matches!(
        t.issues,
        Some(crate::domain::catalog::Issues::Result | crate::domain::catalog::Issues::Refusal)
    );
    let rule = &service.separation_of_duties;
    if !decides || !rule.enabled || actor.is_system {
        return true;
    }
    !actor.is_applicant
        && (!actor.took_in || (rule.second_opinion.is_some() && facts.second_opinion))
}

/// A decision follows the commission: the result needs a conclusion to grant, the refusal
/// one to refuse.
fn check_conclusion(t: &Transition, f: &Facts) -> Result<(), TransitionError> {
    use crate::domain::commission::{Conclusion, Opinion};
    let wanted = match t.issues {
        Some(crate::domain::catalog::Issues::Refusal) => Opinion::Refuse,
        _ => Opinion::Grant,
    };
    match f.conclusion {
        Conclusion::Pending { recorded, quorum } => {
            Err(TransitionError::ConclusionRequired { recorded, quorum })
        }
        Conclusion::Split { grant, refuse } => {
            Err(TransitionError::ConclusionSplit { grant, refuse })
        }
        Conclusion::Formed { opinion, .. } if opinion != wanted => {
            Err(TransitionError::ConclusionDisagrees)
        }
        Conclusion::Formed { .. } => Ok(()),
    }
}

fn check_guard(g: Guard, t: &Transition, f: &Facts, actor: &Actor) -> Result<(), TransitionError> {
    match g {
        Guard::FormComplete if !f.form_problems.is_empty() => {
            Err(TransitionError::FormIncomplete(f.form_problems.clone()))
        }
        Guard::RequiredDocuments if !f.missing_documents.is_empty() => Err(
            TransitionError::MissingDocuments(f.missing_documents.clone()),
        ),
        Guard::RequiredDocuments if !f.originals_not_seen.is_empty() => Err(
            TransitionError::OriginalNotSeen(f.originals_not_seen.clone()),
        ),
        Guard::PaymentConfirmed if !f.payment_confirmed => {
            Err(TransitionError::PaymentNotConfirmed)
        }
        Guard::SignatureVerified if !f.signature_verified => {
            Err(TransitionError::SignatureRequired)
        }
        Guard::ReasonRequired if f.reason.as_deref().map(str::trim).unwrap_or("").is_empty() => {
            Err(TransitionError::ReasonRequired)
        }
        Guard::NewDueDate if f.new_due_later != Some(true) => Err(TransitionError::BadExtension),
        Guard::QualificationMet => match &f.qualification_unmet {
            None => Err(TransitionError::QualificationNotAssessed),
            Some(unmet) if !unmet.is_empty() => {
                Err(TransitionError::QualificationNotMet(unmet.clone()))
            }
            Some(_) => Ok(()),
        },
        Guard::RecipientRecorded if actor.role != Role::Applicant && !f.recipient_recorded => {
            Err(TransitionError::RecipientRequired)
        }
        Guard::ConclusionFollowed => check_conclusion(t, f),
        Guard::OpinionGiven if !f.opinion_given => Err(TransitionError::OpinionRequired),
        Guard::VisitGiven if !f.visit_given => Err(TransitionError::VisitRequired),
        _ => Ok(()),
    }
}

/// Decides whether `actor` may take `action` on a request of `service` in state `from`.
///
/// Order of checks: the action exists → it is allowed from this state → the actor may take
/// it → its guards hold. The first failure is returned, so errors are specific.
pub fn plan(
    service: &Service,
    workflow: &Workflow,
    from: State,
    action: &str,
    actor: &Actor,
    facts: &Facts,
) -> Result<Planned, TransitionError> {
    let candidates: Vec<&Transition> = workflow.transitions_named(action).collect();
    if candidates.is_empty() {
        return Err(TransitionError::UnknownAction(action.to_string()));
    }
    let t = candidates
        .into_iter()
        .find(|t| t.from.contains(&from))
        .ok_or_else(|| TransitionError::IllegalTransition {
            action: action.to_string(),
            from,
        })?;
    if t.by == [Party::System] && !actor.is_system {
        return Err(TransitionError::SystemOnly(action.to_string()));
    }
    if !t.by.iter().any(|p| party_matches(*p, service, actor)) {
        return Err(TransitionError::NotPermitted(action.to_string()));
    }
    if !separation_respected(service, t, actor, facts) {
        return Err(TransitionError::SeparationOfDuties(action.to_string()));
    }
    for g in &t.guards {
        check_guard(*g, t, facts, actor)?;
    }
    Ok(Planned {
        action: t.action.clone(),
        from,
        to: t.to.unwrap_or(from),
        requirements: t.requirements.clone(),
        notify: t.notify,
        issues: t.issues,
    })
}

/// Actions the actor could take now through the transitions endpoint (for pages and the
/// API), ignoring guards.
pub fn available_actions(
    service: &Service,
    workflow: &Workflow,
    from: State,
    actor: &Actor,
) -> Vec<String> {
    available_via(service, workflow, from, actor, Via::Transitions)
}

/// The licence registry actions (`document_suspend`, …, `via = "registry"`) the actor could
/// take on the documents of a request in state `from`; each document's own status decides
/// further ([`crate::domain::documents::DocumentStatus::after`]).
pub fn available_registry_actions(
    service: &Service,
    workflow: &Workflow,
    from: State,
    actor: &Actor,
) -> Vec<String> {
    available_via(service, workflow, from, actor, Via::Registry)
}

fn available_via(
    service: &Service,
    workflow: &Workflow,
    from: State,
    actor: &Actor,
    via: Via,
) -> Vec<String> {
    let mut out: Vec<String> = workflow
        .transitions
        .iter()
        .filter(|t| {
            t.via == via
                && t.from.contains(&from)
                && t.by.iter().any(|p| party_matches(*p, service, actor))
        })
        .map(|t| t.action.clone())
        .collect();
    out.dedup();
    out
}

#[cfg(test)]
#[path = "lifecycle_tests.rs"]
mod tests;
