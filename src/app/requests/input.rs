//! What users send to the request use cases: a new request, a transition, an upload, a list
//! query. Validated where they are used; these are the shapes only.

use crate::domain::catalog::ApplicantKind;
use crate::domain::identity::Iin;
use crate::domain::lifecycle::State;
use crate::error::{AppError, ErrorCode};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

/// The applicant as entered by staff at a desk; applicants on the portal are taken from
/// their account (R-000-32: "the IIN is filled in automatically").
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicantInput {
    /// `person` or `legal_entity`.
    pub kind: ApplicantKind,
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
    /// The provider to decide the request, for a service several departments provide (its
    /// `providers` in `GET /api/v1/services`): named by the applicant; a desk employee's
    /// own department decides what they take in. Default: the service's main provider.
    pub provider: Option<String>,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub form: Map<String, Value>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionInput {
    // Lengths are bounded by `TransitionInput::check_lengths`.
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
    /// For `record_conclusion`: the commission member's opinion (G-41, A-14); the reason
    /// gives their grounds.
    pub opinion: Option<crate::domain::commission::Opinion>,
    /// For `record_visit`: what became of the appointment or home call.
    pub visit: Option<crate::domain::clinics::VisitOutcome>,
    /// For `reschedule`: the new slot's start (RFC 3339), a free slot of the same doctor.
    pub slot_start: Option<String>,
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
    pub(crate) fn checked(&self) -> Result<Recipient, AppError> {
        let full_name = self.full_name.trim();
        if full_name.is_empty() || full_name.chars().count() > 300 {
            return Err(AppError::with(
                ErrorCode::RecipientRequired,
                "recipient.full_name must be 1..300 characters",
            ));
        }
        let iin = Iin::parse(self.iin.trim())?;
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

/// What is attached: one uploaded file.
pub struct Upload {
    pub doc_type: String,
    pub file_name: String,
    pub bytes: Vec<u8>,
    /// Staff at a desk: the paper original was presented and checked.
    pub original_seen: Option<bool>,
    /// Staff: the paper original was handed back after the check (R-004-12).
    pub original_returned: Option<bool>,
}

#[derive(Debug, Default)]
pub struct ListQuery {
    pub service: Option<String>,
    pub state: Option<State>,
    /// Only requests that came in by this channel.
    pub channel: Option<crate::domain::channels::ChannelCode>,
    pub applicant: Option<String>,
    pub limit: Option<i64>,
    /// Where the page starts: `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Refused: listings page by cursor.
    pub offset: Option<i64>,
    /// Only requests awaiting a decision, earliest due date first (the work queue).
    pub queue: bool,
    /// Only requests past their due date that still await a decision.
    pub overdue: bool,
}

/// Longest free texts of a transition, in characters: a reason or a comment is printed on a
/// signed document; a name is a person's name.
pub const MAX_REASON: usize = 2000;
pub const MAX_NAME: usize = 300;
pub const MAX_FIELD: usize = 2000;

impl TransitionInput {
    /// `FIELD_INVALID` naming the first text over its bound.
    pub(crate) fn check_lengths(&self) -> Result<(), AppError> {
        let too_long = |what: &str, s: &str, max: usize| {
            (s.chars().count() > max).then(|| {
                AppError::with(
                    ErrorCode::FieldInvalid,
                    format!("`{what}`: longer than {max} characters"),
                )
            })
        };
        let mut texts: Vec<(String, &str, usize)> = Vec::new();
        texts.push(("action".into(), &self.action, 100));
        if let Some(r) = &self.reason {
            texts.push(("reason".into(), r, MAX_REASON));
        }
        for (k, v) in &self.fields {
            texts.push((format!("fields.{k}"), v, MAX_FIELD));
        }
        for m in &self.checklist {
            texts.push(("checklist.item".into(), &m.item, 100));
            if let Some(c) = &m.comment {
                texts.push(("checklist.comment".into(), c, MAX_REASON));
            }
        }
        if let Some(r) = &self.recipient {
            texts.push(("recipient.full_name".into(), &r.full_name, MAX_NAME));
            texts.push(("recipient.iin".into(), &r.iin, 12));
            if let Some(p) = &r.power_of_attorney {
                texts.push(("recipient.power_of_attorney".into(), p, MAX_NAME));
            }
        }
        match texts.into_iter().find_map(|(w, s, m)| too_long(&w, s, m)) {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}
