//! Row types, one per table.

use super::schema::*;
use crate::domain::catalog::{ApplicantKind, Issues};
use crate::domain::channels::ChannelCode;
use crate::domain::documents::DocumentStatus;
use crate::domain::identity::{Bin, Iin};
use crate::domain::ids::{DocumentId, RequestId, UserId};
use crate::domain::lifecycle::State;
use crate::domain::outbox::OutboxStatus;
use crate::domain::roles::Role;
use crate::payments::PaymentStatus;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = users, treat_none_as_default_value = false)]
pub struct UserRow {
    pub id: UserId,
    pub login: String,
    pub password_hash: String,
    pub role: Role,
    pub full_name: String,
    pub iin: Option<Iin>,
    pub bin: Option<Bin>,
    pub email: Option<String>,
    pub provider_code: Option<String>,
    pub active: bool,
    pub created_at: NaiveDateTime,
    /// Language of the person's pages and mail (`ru`, `kk`, `en`): the one chosen with the
    /// pages' switch, else the last sign-in's browser language.
    pub lang: String,
    /// The language was chosen with the switch (kept on every sign-in).
    pub lang_chosen: bool,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = sessions)]
pub struct SessionRow {
    pub token_hash: String,
    pub user_id: UserId,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = requests, treat_none_as_default_value = false)]
pub struct RequestRow {
    pub id: RequestId,
    pub number: String,
    pub service_code: String,
    pub service_version: i32,
    pub variant: String,
    pub channel: ChannelCode,
    pub state: State,
    pub applicant_kind: ApplicantKind,
    pub applicant_iin: Option<Iin>,
    pub applicant_bin: Option<Bin>,
    pub applicant_name: String,
    pub owner_user_id: Option<UserId>,
    pub created_by: UserId,
    pub form_json: String,
    pub fee_tiyn: i64,
    pub registered_at: Option<NaiveDateTime>,
    pub due_at: Option<NaiveDateTime>,
    pub extended: bool,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The provider that decides the request (catalog `provider.code` at creation).
    pub provider_code: String,
    /// The office that took the request in (the staff creator's provider: a ЦОН, a desk).
    pub intake_office: Option<String>,
}

impl RequestRow {
    /// The applicant's BIN (a legal entity) or else IIN, as printed and paid with.
    pub fn applicant_iin_bin(&self) -> Option<&str> {
        self.applicant_bin
            .as_ref()
            .map(Bin::as_str)
            .or_else(|| self.applicant_iin.as_ref().map(Iin::as_str))
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = request_history, treat_none_as_default_value = false)]
pub struct HistoryRow {
    pub id: String,
    pub request_id: RequestId,
    pub seq: i64,
    pub at: NaiveDateTime,
    pub actor_id: Option<UserId>,
    pub actor_role: String,
    pub action: String,
    pub from_state: Option<State>,
    pub to_state: State,
    pub reason: Option<String>,
    /// Requirement IDs of the step, comma-separated.
    pub requirements: String,
    pub data_json: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = attachments)]
pub struct AttachmentRow {
    pub id: String,
    pub request_id: RequestId,
    pub doc_type: String,
    pub sha256: String,
    pub size_bytes: i64,
    pub content_type: String,
    pub file_name: String,
    pub attached_by: UserId,
    pub attached_role: Role,
    pub original_seen: Option<bool>,
    pub created_at: NaiveDateTime,
    /// The paper original was handed back to the applicant after the check (R-004-12).
    pub original_returned: Option<bool>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = signatures)]
pub struct SignatureRow {
    pub id: String,
    pub request_id: RequestId,
    pub signer_user_id: UserId,
    pub signer_role: Role,
    pub payload_sha256: String,
    pub cms_sha256: String,
    pub subject: String,
    pub subject_iin: Option<String>,
    pub subject_bin: Option<String>,
    pub serial_hex: String,
    pub issuer: String,
    pub algorithm: String,
    pub signed_at: Option<NaiveDateTime>,
    pub verified_at: NaiveDateTime,
}

/// A signed result document (its PDF is in the file store under `sha256`).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = documents, treat_none_as_default_value = false)]
pub struct DocumentRow {
    pub id: DocumentId,
    pub request_id: RequestId,
    /// The template the document was rendered from (`licence`, `refusal`, …).
    pub kind: String,
    /// What the document is to its request: the result, a motivated refusal or a receipt.
    pub issued_as: Issues,
    pub title: String,
    pub sha256: String,
    pub size_bytes: i64,
    pub signer_subject: String,
    pub signer_serial: String,
    pub issued_at: NaiveDateTime,
    pub issued_by: Option<UserId>,
    pub status: DocumentStatus,
    pub status_reason: Option<String>,
    pub status_at: NaiveDateTime,
    pub superseded_by: Option<DocumentId>,
    /// Licence number, for e-licences and their re-issues and duplicates.
    pub registry_number: Option<String>,
}

/// One payment of the ledger (see `migrations/*/…_payments`).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = payments)]
pub struct PaymentRow {
    pub id: String,
    pub request_id: RequestId,
    pub gateway_payment_id: Option<String>,
    pub amount_tiyn: i64,
    pub currency: String,
    pub payer_iin_bin: String,
    pub kbk: String,
    pub purpose: String,
    pub status: PaymentStatus,
    pub payment_page_url: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub paid_at: Option<NaiveDateTime>,
    pub last_event_id: Option<String>,
}

/// A verified gateway event applied (or found already applied) to a payment.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = payment_events)]
pub struct PaymentEventRow {
    pub id: String,
    pub payment_id: String,
    pub received_at: NaiveDateTime,
    pub source: String,
    pub status: PaymentStatus,
    pub amount_tiyn: i64,
    pub currency: String,
    pub outcome: String,
}

/// Failed logins of one key (`login:<name>` or `addr:<ip>`).
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = login_throttle)]
pub struct ThrottleRow {
    pub key: String,
    pub failures: i64,
    pub last_failure: NaiveDateTime,
    pub blocked_until: Option<NaiveDateTime>,
}

/// One staff read of a request's personal data.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = access_log)]
pub struct AccessRow {
    pub id: String,
    pub request_id: RequestId,
    pub user_id: UserId,
    pub role: Role,
    pub what: String,
    pub at: NaiveDateTime,
}

/// One account change.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = account_audit)]
pub struct AccountAuditRow {
    pub id: String,
    pub user_id: UserId,
    /// The administrator's user id, or `cli`.
    pub actor: String,
    pub action: String,
    pub detail: String,
    pub at: NaiveDateTime,
}

/// A registration challenge not yet used.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = registration_challenges)]
pub struct ChallengeRow {
    pub challenge: String,
    pub expires_at: NaiveDateTime,
}

/// A message in the e-mail outbox (docs/mail.md).
#[derive(Debug, Clone, Queryable, Selectable, Insertable, QueryableByName)]
#[diesel(table_name = outbox)]
pub struct OutboxRow {
    pub id: String,
    /// What the message tells: `password_reset`, `status_changed`, `result_ready`, …
    pub kind: String,
    pub recipient: String,
    pub lang: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub request_id: Option<RequestId>,
    /// A result document attached as its signed PDF.
    pub document_id: Option<DocumentId>,
    pub status: OutboxStatus,
    /// Failed attempts so far.
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    /// The worker holding the message, until `lease_until`.
    pub lease_owner: Option<String>,
    pub lease_until: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
}

/// A password-reset token (its SHA-256) sent by e-mail.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = password_resets)]
pub struct PasswordResetRow {
    pub token_hash: String,
    pub user_id: UserId,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
}

/// An in-app notification (R-004-39, R-004-40).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = notifications, treat_none_as_default_value = false)]
pub struct NotificationRow {
    pub id: String,
    pub user_id: UserId,
    pub request_id: RequestId,
    /// `status_changed`, `deadline_extended` or `result_ready`.
    pub kind: String,
    /// The request's state after the change.
    pub state: State,
    pub data_json: Option<String>,
    pub created_at: NaiveDateTime,
    pub read_at: Option<NaiveDateTime>,
}

/// One applicant's answers to the quality questionnaire of one request.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = quality_answers)]
pub struct QualityAnswerRow {
    pub request_id: RequestId,
    pub service_code: String,
    pub user_id: UserId,
    /// `{"question code": "satisfied" | "partly_satisfied" | "not_satisfied"}`.
    pub answers_json: String,
    pub answered_at: NaiveDateTime,
}

/// A booked appointment slot; cancelled bookings keep their row and free the slot.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = bookings)]
pub struct BookingRow {
    pub id: String,
    pub request_id: RequestId,
    pub clinic_code: String,
    pub doctor_code: String,
    pub start_at: NaiveDateTime,
    pub end_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub cancelled_at: Option<NaiveDateTime>,
    pub cancelled_by: Option<UserId>,
}

/// One attachment of a person to a clinic (the register of the attached population); an
/// ended one keeps its row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = phc_register)]
pub struct PhcRow {
    pub id: String,
    pub person_iin: String,
    pub clinic_code: String,
    pub district: Option<String>,
    pub started_at: NaiveDateTime,
    pub ended_at: Option<NaiveDateTime>,
    /// The attachment request that made it (none for the seeded register).
    pub request_id: Option<RequestId>,
    /// The request of the attachment that ended it.
    pub ended_by: Option<RequestId>,
}
