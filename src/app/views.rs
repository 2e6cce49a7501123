//! What use cases return: plain data, serialised as JSON by the API.

use crate::db::models::{AttachmentRow, HistoryRow, RequestRow};
use crate::domain::catalog::ApplicantKind;
use crate::domain::channels::ChannelCode;
use crate::domain::identity::{Bin, Iin};
use crate::domain::ids::UserId;
use crate::domain::lifecycle::State;
use crate::domain::roles::Role;
use chrono::{DateTime, NaiveDateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    DateTime::from_naive_utc_and_offset(t, Utc)
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ApplicantView {
    pub kind: ApplicantKind,
    #[schema(value_type = Option<String>)]
    pub iin: Option<Iin>,
    #[schema(value_type = Option<String>)]
    pub bin: Option<Bin>,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AttachmentView {
    pub id: String,
    pub doc_type: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    /// Who attached it, and as which role (an operator's scan, R-003-40 / R-003-50).
    pub attached_by: UserId,
    pub attached_role: Role,
    /// For desk scans: the paper original was presented and checked (R-004-12, G-38).
    pub original_seen: Option<bool>,
    /// The paper original was handed back after the check (R-004-12).
    pub original_returned: Option<bool>,
    pub created_at: DateTime<Utc>,
}

impl From<AttachmentRow> for AttachmentView {
    fn from(a: AttachmentRow) -> Self {
        AttachmentView {
            id: a.id,
            doc_type: a.doc_type,
            file_name: a.file_name,
            content_type: a.content_type,
            size_bytes: a.size_bytes,
            sha256: a.sha256,
            attached_by: a.attached_by,
            attached_role: a.attached_role,
            original_seen: a.original_seen,
            original_returned: a.original_returned,
            created_at: utc(a.created_at),
        }
    }
}

/// A request as its viewer sees it (R-000-37: number, service type, status, service term).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RequestView {
    pub number: String,
    pub service: String,
    pub service_version: i32,
    pub variant: String,
    pub channel: ChannelCode,
    pub state: State,
    /// The provider (department) that decides the request.
    pub provider: String,
    pub applicant: ApplicantView,
    #[schema(value_type = Object)]
    pub form: serde_json::Value,
    /// Fee in tenge as a decimal string, e.g. "43250.00" (never a float).
    #[schema(value_type = String)]
    pub fee: Decimal,
    pub fee_tiyn: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub registered_at: Option<DateTime<Utc>>,
    /// Service term: the due date computed on the working calendar at registration.
    pub due_at: Option<DateTime<Utc>>,
    pub extended: bool,
    pub version: i64,
    pub attachments: Vec<AttachmentView>,
    /// Actions this viewer may take now (guards are checked when taken).
    pub actions: Vec<String>,
    /// What the registry check at intake found for the reviewer to look at (G-40, A-15):
    /// warnings, not refusals.
    pub warnings: Vec<WarningView>,
}

/// A warning recorded on a request at intake.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WarningView {
    /// Stable machine-readable code, e.g. `NOT_APPLICANTS_CHILD`.
    pub code: String,
    pub message: crate::error::Messages,
}

impl From<crate::domain::kinship::IntakeWarning> for WarningView {
    fn from(w: crate::domain::kinship::IntakeWarning) -> Self {
        let [ru, kk, en] = w.message();
        WarningView {
            code: w.code().to_string(),
            message: crate::error::Messages {
                ru: ru.into(),
                kk: kk.into(),
                en: en.into(),
            },
        }
    }
}

impl RequestView {
    /// The view with the intake warnings recorded on the request.
    pub fn with_warnings(mut self, warnings: &[crate::domain::kinship::IntakeWarning]) -> Self {
        self.warnings = warnings.iter().map(|w| WarningView::from(*w)).collect();
        self
    }

    pub fn from_rows(
        r: RequestRow,
        attachments: Vec<AttachmentRow>,
        actions: Vec<String>,
    ) -> RequestView {
        let form = serde_json::from_str(&r.form_json).unwrap_or(serde_json::Value::Null);
        RequestView {
            number: r.number,
            service: r.service_code,
            service_version: r.service_version,
            variant: r.variant,
            channel: r.channel,
            state: r.state,
            provider: r.provider_code,
            applicant: ApplicantView {
                kind: r.applicant_kind,
                iin: r.applicant_iin,
                bin: r.applicant_bin,
                name: r.applicant_name,
            },
            form,
            fee: Decimal::new(r.fee_tiyn, 2),
            fee_tiyn: r.fee_tiyn,
            created_at: utc(r.created_at),
            updated_at: utc(r.updated_at),
            registered_at: r.registered_at.map(utc),
            due_at: r.due_at.map(utc),
            extended: r.extended,
            version: r.version,
            attachments: attachments.into_iter().map(AttachmentView::from).collect(),
            actions,
            warnings: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RequestSummary {
    pub number: String,
    pub service: String,
    pub variant: String,
    pub channel: ChannelCode,
    pub state: State,
    pub applicant_name: String,
    pub created_at: DateTime<Utc>,
    pub due_at: Option<DateTime<Utc>>,
    /// Past its due date and still awaiting a decision (G-22, G-35), at the time of the
    /// listing.
    pub overdue: bool,
}

impl RequestSummary {
    /// The summary of `r` as listed at `now`.
    pub fn at(r: RequestRow, now: DateTime<Utc>) -> Self {
        let overdue = r.state.awaits_decision() && r.due_at.is_some_and(|d| utc(d) < now);
        RequestSummary {
            overdue,
            ..RequestSummary::from(r)
        }
    }
}

impl From<RequestRow> for RequestSummary {
    fn from(r: RequestRow) -> Self {
        RequestSummary {
            overdue: false,
            number: r.number,
            service: r.service_code,
            variant: r.variant,
            channel: r.channel,
            state: r.state,
            applicant_name: r.applicant_name,
            created_at: utc(r.created_at),
            due_at: r.due_at.map(utc),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
/// A page of a listing. Pages follow one another by `cursor`, never by offset.
pub struct RequestPage {
    pub items: Vec<RequestSummary>,
    /// Matching requests, counted up to 1,000.
    pub total: i64,
    /// `false` when more than `total` requests match.
    pub total_exact: bool,
    pub limit: i64,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// One entry of the append-only history (who, role, when, from, to, reason).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HistoryEntry {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<UserId>,
    /// The actor's full name (an employee, a commission member, the applicant); absent for
    /// Ruqsat's own steps.
    pub actor_name: Option<String>,
    pub actor_role: String,
    pub action: String,
    pub from: Option<State>,
    pub to: State,
    pub reason: Option<String>,
    /// Requirement IDs of the step (e.g. `R-003-29`).
    pub requirements: Vec<String>,
    #[schema(value_type = Option<Object>)]
    pub data: Option<serde_json::Value>,
}

impl From<HistoryRow> for HistoryEntry {
    fn from(h: HistoryRow) -> Self {
        HistoryEntry::named(h, None)
    }
}

impl HistoryEntry {
    /// The entry with its actor's name.
    pub fn named(h: HistoryRow, actor_name: Option<String>) -> Self {
        HistoryEntry {
            seq: h.seq,
            at: utc(h.at),
            actor_id: h.actor_id,
            actor_name,
            actor_role: h.actor_role,
            action: h.action,
            from: h.from_state,
            to: h.to_state,
            reason: h.reason,
            requirements: h
                .requirements
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            data: h.data_json.and_then(|d| serde_json::from_str(&d).ok()),
        }
    }
}

/// A verified signature of the request (the applicant's, or a desk employee's for the
/// applicant): who signed, with which certificate, when (R-003-24..28, R-004-17..20).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SignatureView {
    /// The account that submitted the signature, and its role.
    pub signer_id: UserId,
    pub signer_name: Option<String>,
    pub signer_role: Role,
    /// The certificate's subject common name.
    pub subject: String,
    /// IIN and BIN named in the certificate.
    pub iin: Option<String>,
    pub bin: Option<String>,
    /// Certificate serial number, hex.
    pub serial: String,
    pub issuer: String,
    pub algorithm: String,
    /// The signing time the signature states, if any.
    pub signed_at: Option<DateTime<Utc>>,
    /// When Ruqsat verified it (chain, revocation, IIN/BIN).
    pub verified_at: DateTime<Utc>,
    /// SHA-256 of the signed payload and of the CMS, hex.
    pub payload_sha256: String,
    pub cms_sha256: String,
}

impl SignatureView {
    pub fn named(s: crate::db::models::SignatureRow, signer_name: Option<String>) -> Self {
        SignatureView {
            signer_id: s.signer_user_id,
            signer_name,
            signer_role: s.signer_role,
            subject: s.subject,
            iin: s.subject_iin,
            bin: s.subject_bin,
            serial: s.serial_hex,
            issuer: s.issuer,
            algorithm: s.algorithm,
            signed_at: s.signed_at.map(utc),
            verified_at: utc(s.verified_at),
            payload_sha256: s.payload_sha256,
            cms_sha256: s.cms_sha256,
        }
    }
}
