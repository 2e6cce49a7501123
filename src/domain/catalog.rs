//! The service catalog: every public service is data (`catalog/services/*.toml`),
//! its lifecycle a named workflow (`catalog/workflows.toml`). The engine
//! ([`crate::domain::lifecycle`]) reads only these types, so a sixth service is a
//! new data file, not new code.
//!
//! The catalog is validated as a whole when it is loaded ([`Catalog::from_sources`]):
//! a broken file stops the server at start with a message naming the file and field.

use crate::domain::calendar::DeadlineRule;
pub use crate::domain::channels::{ChannelCode, Delivery};
use crate::domain::lifecycle::{Guard, State};
use crate::domain::roles::Role;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use utoipa::ToSchema;

/// A text in the three interface languages (G-48).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub ru: String,
    pub kk: String,
    pub en: String,
}

impl Text {
    /// The text in `lang`.
    pub fn get(&self, lang: crate::error::Lang) -> &str {
        lang.pick(&self.ru, &self.kk, &self.en)
    }
}

/// Who the applicant may be (R-003-12: IIN or BIN; R-004-05: individual).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
#[derive(diesel::AsExpression, diesel::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum ApplicantKind {
    Person,
    LegalEntity,
}

impl ApplicantKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ApplicantKind::Person => "person",
            ApplicantKind::LegalEntity => "legal_entity",
        }
    }
}

impl std::str::FromStr for ApplicantKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "person" => Ok(ApplicantKind::Person),
            "legal_entity" => Ok(ApplicantKind::LegalEntity),
            _ => Err(format!("unknown applicant kind `{s}`")),
        }
    }
}

/// Whose certificate signs the request in a channel, and so whose IIN/BIN the
/// certificate must carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Signer {
    /// The applicant signs; the certificate IIN/BIN must equal the request's (R-003-26, R-004-33).
    Applicant,
    /// The employee who entered the request signs with their own certificate, whose IIN must be the
    /// employee's own (R-003-50, R-004-17, G-29, G-39).
    Employee,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Provider {
    pub code: String,
    pub name: Text,
    /// IANA zone used for deadlines and working hours (G-49).
    pub timezone: String,
    /// Working hours, "HH:MM" local time (G-07).
    pub opens: String,
    pub closes: String,
    /// Postal address, printed on clinic confirmations and tickets.
    #[serde(default)]
    pub address: Option<Text>,
    /// Whether the provider signs results with its seal (the information system's key,
    /// `signing_key_file`) when the deciding employee's own key is not held. Without a
    /// seal a result is signed only with the key of the official who decided
    /// (R-003-32, R-003-44); docs/access.md, "Who signs a result".
    #[serde(default)]
    pub seal: bool,
}

impl Provider {
    /// The provider's calendar date at `now`: the day a request is dated, numbered and
    /// charged for (on 1 January between 00:00 and 05:00 in Kazakhstan it is already the new
    /// year, while UTC is still in the old one). The zone is checked when the catalog loads.
    pub fn local_date(&self, now: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDate {
        let tz = self
            .timezone
            .parse::<chrono_tz::Tz>()
            .unwrap_or(chrono_tz::Asia::Almaty);
        now.with_timezone(&tz).date_naive()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LegalBasis {
    pub act: String,
    /// As stated in the text: in force, repealed, draft (G-01).
    pub status: String,
    pub standard: String,
}

/// One operation of a service (licence: issue / re-issue / duplicate, R-003-01).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Variant {
    pub code: String,
    pub name: Text,
    /// Name of a fee rule in `catalog/fees.toml`; `free` for no fee.
    pub fee_rule: String,
    #[schema(value_type = Object)]
    pub deadline: DeadlineRule,
    #[serde(default)]
    pub requirements: Vec<String>,
    /// Assumption IDs (G-nn) that supply this variant's figures.
    #[serde(default)]
    pub assumptions: Vec<String>,
    /// Result template for this variant instead of the service's (re-issue, duplicate).
    #[serde(default)]
    pub result_template: Option<String>,
    /// The licence registry operation of this variant's result (R-003-06, R-003-07, G-23):
    /// a new licence, a re-issue that supersedes the licence in force, or a duplicate of it.
    /// Absent for services whose results are not licences.
    #[serde(default)]
    pub licence: Option<crate::domain::documents::LicenceOp>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    Text,
    Date,
    DateTime,
    Iin,
    Bin,
    Email,
    Phone,
    Decimal,
    Iban,
    Select,
    MultiSelect,
    Boolean,
    /// The number of an issued document (a conclusion, a certificate): 1..50 letters, digits,
    /// spaces and `-/№.`, with at least one digit.
    DocumentNumber,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub code: String,
    pub label: Text,
}

/// A field of the request form.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FormField {
    pub code: String,
    pub kind: FieldKind,
    pub label: Text,
    #[serde(default)]
    pub required: bool,
    /// Variants the field belongs to; empty means every variant.
    #[serde(default)]
    pub variants: Vec<String>,
    #[serde(default)]
    pub options: Vec<Choice>,
    #[serde(default)]
    pub max_len: Option<usize>,
    #[serde(default)]
    pub requirements: Vec<String>,
    /// Required only while another field has a given value: the e-mail address when the
    /// result is to be sent by e-mail (R-004-24).
    #[serde(default)]
    pub required_when: Option<FieldCondition>,
    /// For dates: the day must not be after the provider's today (a document already issued).
    #[serde(default)]
    pub not_future: bool,
    /// For dates: the day must not be before the provider's today (something still valid).
    #[serde(default)]
    pub not_past: bool,
    /// For dates: the day is at most this many days before the provider's today (a document
    /// still valid: the consultation's conclusion, assumption A-13).
    #[serde(default)]
    pub max_age_days: Option<u32>,
}

/// A clinic service's use of the register of the attached population.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PhcRule {
    /// The person must be attached to the clinic, where the region requires it (R-000-07:
    /// appointments and home calls; G-06: every region by default).
    RequiresAttachment,
    /// Approving the request attaches the person to the clinic and ends their previous
    /// attachment (G-14).
    Attaches,
}

/// Which form fields name the clinic, the doctor and the slot of a booking, and the system
/// action that confirms it once registered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BookingSpec {
    pub clinic_field: String,
    pub doctor_field: String,
    pub start_field: String,
    /// The workflow action (`by = ["system"]`) taken right after registration.
    pub confirm_action: String,
}

/// A question of the quality questionnaire.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub code: String,
    pub text: Text,
    #[serde(default)]
    pub requirements: Vec<String>,
}

/// The answers of every question of the questionnaire (R-000-62, R-000-63, R-004-55).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Satisfaction {
    /// «не удовлетворен»
    NotSatisfied,
    /// «частично удовлетворен»
    PartlySatisfied,
    /// «удовлетворен»
    Satisfied,
}

impl Satisfaction {
    pub const ALL: [Satisfaction; 3] = [
        Satisfaction::NotSatisfied,
        Satisfaction::PartlySatisfied,
        Satisfaction::Satisfied,
    ];

    /// The answer's code, as in the catalog and the API (`partly_satisfied`).
    pub fn as_str(self) -> &'static str {
        match self {
            Satisfaction::NotSatisfied => "not_satisfied",
            Satisfaction::PartlySatisfied => "partly_satisfied",
            Satisfaction::Satisfied => "satisfied",
        }
    }
}

/// `field` equals `equals` (a select's option code).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldCondition {
    pub field: String,
    pub equals: String,
}

impl FormField {
    pub fn applies_to(&self, variant: &str) -> bool {
        self.variants.is_empty() || self.variants.iter().any(|v| v == variant)
    }
}

/// A document to attach in a channel.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentSpec {
    pub code: String,
    pub name: Text,
    #[serde(default)]
    pub required: bool,
    /// Variants that need it; empty means every variant.
    #[serde(default)]
    pub variants: Vec<String>,
    /// A paper original is presented and checked at the desk (R-003-40, R-004-12).
    #[serde(default)]
    pub paper_original: bool,
    #[serde(default)]
    pub requirements: Vec<String>,
}

impl DocumentSpec {
    pub fn applies_to(&self, variant: &str) -> bool {
        self.variants.is_empty() || self.variants.iter().any(|v| v == variant)
    }
}

impl Channel {
    /// The documents of `variant` this channel requires that are not among `attached`
    /// (document type codes): what must still be uploaded before submission.
    pub fn missing_documents<'c>(
        &'c self,
        variant: &str,
        attached: &[&str],
    ) -> Vec<&'c DocumentSpec> {
        self.documents
            .iter()
            .filter(|d| d.required && d.applies_to(variant) && !attached.contains(&d.code.as_str()))
            .collect()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Channel {
    pub code: ChannelCode,
    pub name: Text,
    /// Roles that may open a request in this channel.
    pub initiator_roles: Vec<Role>,
    pub signer: Signer,
    /// The applicant must be found in ГБД ФЛ / ГБД ЮЛ before the request is created
    /// (R-003-37..39, R-000-42..44).
    #[serde(default)]
    pub registry_lookup: bool,
    #[serde(default)]
    pub documents: Vec<DocumentSpec>,
    /// How the result may reach the applicant.
    #[serde(default)]
    pub delivery: Vec<Delivery>,
    /// The staff member hands the applicant a signed receipt (request number, documents
    /// received) when the request is submitted in this channel (G-47).
    #[serde(default)]
    pub receipt: bool,
    #[serde(default)]
    pub requirements: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResultSpec {
    /// Document kind of the positive result (e.g. `e_licence`).
    pub kind: String,
    pub name: Text,
    /// Document template (`templates/documents/<template>.toml`) of the result.
    pub template: String,
    /// Document kind of the motivated refusal.
    pub refusal_kind: String,
    pub refusal_name: Text,
    /// Document template of the motivated refusal.
    pub refusal_template: String,
    /// Constant values printed on the service's documents, by template field key
    /// (e.g. the licensed activity; "valid without time limit", G-26).
    #[serde(default)]
    pub fields: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    pub requirements: Vec<String>,
}

/// A public service, as loaded from `catalog/services/<code>.toml`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Service {
    pub code: String,
    /// Bumped whenever the file changes meaning; stored on every request.
    pub version: u32,
    /// Prefix of human-readable request numbers: `<prefix>-<yyyy>-<seq>` (G-05).
    pub number_prefix: String,
    pub name: Text,
    pub provider: Provider,
    pub legal_basis: LegalBasis,
    pub applicant_kinds: Vec<ApplicantKind>,
    /// Name of a workflow in `catalog/workflows.toml`.
    pub workflow: String,
    /// Roles that review and decide (licence official, МИО employee, commission, registrar).
    pub reviewer_roles: Vec<Role>,
    /// Who may not decide (default: on, no second opinion).
    #[serde(default)]
    pub separation_of_duties: Separation,
    /// The commission whose members' opinions a decision follows (G-41, A-14); a service
    /// without one that uses the `conclusion_followed` guard has a commission of one.
    #[serde(default)]
    pub commission: Option<crate::domain::commission::Commission>,
    /// The form fields that book a doctor's slot (R-002-12): the slot is taken when the
    /// request is submitted and freed when it is cancelled; the confirmation then follows
    /// registration with no one's action (R-000-04).
    #[serde(default)]
    pub booking: Option<BookingSpec>,
    /// How the service uses the register of the attached population (R-000-07, G-06).
    #[serde(default)]
    pub phc: Option<PhcRule>,
    /// A same-day request taken until the region's cut-off before the clinic closes
    /// (R-002-08, R-002-09; G-07, G-08): the home call.
    #[serde(default)]
    pub same_day_cutoff: bool,
    /// Further providers deciding the service, each for its own city or district (R-004-02:
    /// "the city and district departments"): a desk request is decided by the department of
    /// the employee who takes it in, a portal request by the one the applicant names.
    #[serde(default)]
    pub departments: Vec<Provider>,
    /// The child named on the form is looked up in ГБД ФЛ at intake; what the registry says
    /// is shown to the reviewer as warnings (G-40, A-15).
    #[serde(default)]
    pub child_check: Option<crate::domain::kinship::ChildCheck>,
    /// The quality questionnaire offered once a result or refusal is issued (R-000-60..63,
    /// R-002-64..67, R-004-54, R-004-55); each question is answered on [`Satisfaction`].
    #[serde(default)]
    pub questionnaire: Vec<Question>,
    pub result: ResultSpec,
    pub variants: Vec<Variant>,
    #[serde(default)]
    pub form: Vec<FormField>,
    pub channels: Vec<Channel>,
    /// Qualification requirements the reviewer checks item by item (R-003-30, R-003-42;
    /// the items themselves are an assumption, G-25).
    #[serde(default)]
    pub qualification: Vec<QualificationItem>,
    /// The form field (multi-select) whose values decide which qualification items apply.
    #[serde(default)]
    pub qualification_by: Option<String>,
    pub requirements: Vec<String>,
}

/// Separation of duties for a service's decisions (default on).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Separation {
    #[serde(default = "yes")]
    pub enabled: bool,
    /// A step recorded by another person (e.g. `record_conclusion`, the commission's) after
    /// which the employee who took the request in may register the decision.
    #[serde(default)]
    pub second_opinion: Option<String>,
}

impl Default for Separation {
    fn default() -> Self {
        Separation {
            enabled: true,
            second_opinion: None,
        }
    }
}

impl Service {
    pub fn variant(&self, code: &str) -> Option<&Variant> {
        self.variants.iter().find(|v| v.code == code)
    }
    pub fn channel(&self, code: ChannelCode) -> Option<&Channel> {
        self.channels.iter().find(|c| c.code == code)
    }
    /// Every provider that decides this service: the main one, then the departments.
    pub fn providers(&self) -> impl Iterator<Item = &Provider> {
        std::iter::once(&self.provider).chain(&self.departments)
    }
    /// The provider deciding a request of this service (its `provider_code`); the main one
    /// if a catalog edit removed the department.
    pub fn provider_of(&self, code: &str) -> &Provider {
        self.providers()
            .find(|p| p.code == code)
            .unwrap_or(&self.provider)
    }
    pub fn field(&self, code: &str) -> Option<&FormField> {
        self.form.iter().find(|f| f.code == code)
    }
}

/// Who may take a transition: a symbolic party or a concrete role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Party {
    /// The user who opened the request: the applicant on the portal, the employee at a desk.
    Initiator,
    /// The person the request is for, signed in as an applicant (their account or their
    /// IIN), whoever opened it: a patient cancels an appointment the registrar booked.
    Applicant,
    /// Any user whose role is one of the service's `reviewer_roles`.
    Reviewer,
    /// Ruqsat itself (payment confirmed, signature verified, registration): never through the
    /// generic transitions endpoint.
    System,
    Official,
    CommissionMember,
    ConOperator,
    ClinicRegistrar,
    Admin,
}

impl Party {
    pub fn role(self) -> Option<Role> {
        match self {
            Party::Official => Some(Role::Official),
            Party::CommissionMember => Some(Role::CommissionMember),
            Party::ConOperator => Some(Role::ConOperator),
            Party::ClinicRegistrar => Some(Role::ClinicRegistrar),
            Party::Admin => Some(Role::Admin),
            Party::Initiator | Party::Applicant | Party::Reviewer | Party::System => None,
        }
    }
}

/// One allowed move of the state machine.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Transition {
    pub action: String,
    pub from: Vec<State>,
    /// Target state; absent for actions that record something without moving
    /// (commission conclusion, deadline extension).
    #[serde(default)]
    pub to: Option<State>,
    pub by: Vec<Party>,
    #[serde(default)]
    pub guards: Vec<Guard>,
    /// Requirement IDs this step implements; copied into the history.
    #[serde(default)]
    pub requirements: Vec<String>,
    /// Notify the applicant when this transition happens (R-004-39).
    #[serde(default = "yes")]
    pub notify: bool,
    /// The signed document this transition issues, in the same transaction: the service's
    /// result (`result`) or its motivated refusal (`refusal`) (R-003-32, R-003-31, R-004-23).
    #[serde(default)]
    pub issues: Option<Issues>,
    /// Where users take this action: the request's transitions (default) or the document
    /// registry (`registry`: suspend / resume / terminate an issued licence, R-003-07).
    #[serde(default)]
    pub via: Via,
}

/// The endpoint through which users take a transition.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Via {
    /// `POST /api/v1/requests/{number}/transitions`.
    #[default]
    Transitions,
    /// `POST /api/v1/documents/{id}/status` (the licence registry).
    Registry,
}

/// One qualification requirement on the reviewer's checklist.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QualificationItem {
    pub code: String,
    pub label: Text,
    /// Applies when the request's `qualification_by` field holds one of these; empty = always.
    #[serde(default)]
    pub sub_kinds: Vec<String>,
    #[serde(default)]
    pub requirements: Vec<String>,
}

impl Service {
    /// The qualification items that apply to a request with these `qualification_by` values.
    pub fn qualification_for(&self, values: &[String]) -> Vec<&QualificationItem> {
        self.qualification
            .iter()
            .filter(|q| q.sub_kinds.is_empty() || q.sub_kinds.iter().any(|k| values.contains(k)))
            .collect()
    }
}

/// Which of the service's documents a transition issues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[derive(diesel::AsExpression, diesel::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum Issues {
    Result,
    Refusal,
    /// The intake receipt of a desk or ЦОН channel (issued on `submit`, not configured on
    /// transitions).
    Receipt,
}

impl Issues {
    pub fn as_str(self) -> &'static str {
        match self {
            Issues::Result => "result",
            Issues::Refusal => "refusal",
            Issues::Receipt => "receipt",
        }
    }
}

impl std::str::FromStr for Issues {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Issues::Result, Issues::Refusal, Issues::Receipt]
            .into_iter()
            .find(|i| i.as_str() == s)
            .ok_or_else(|| format!("unknown document class `{s}`"))
    }
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Workflow {
    pub code: String,
    pub description: String,
    pub transitions: Vec<Transition>,
}

impl Workflow {
    pub fn transitions_named<'a>(
        &'a self,
        action: &'a str,
    ) -> impl Iterator<Item = &'a Transition> {
        self.transitions.iter().filter(move |t| t.action == action)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WorkflowFile {
    workflows: Vec<Workflow>,
}

/// The whole validated catalog.
#[derive(Debug, Clone)]
pub struct Catalog {
    services: BTreeMap<String, Service>,
    workflows: BTreeMap<String, Workflow>,
}

/// A catalog file that does not load, naming the file and the problem.
#[derive(Debug, thiserror::Error)]
#[error("catalog file {file}: {message}")]
pub struct CatalogError {
    pub file: String,
    pub message: String,
}

fn err(file: &str, message: impl Into<String>) -> CatalogError {
    CatalogError {
        file: file.to_string(),
        message: message.into(),
    }
}

impl Catalog {
    /// Loads the catalog from `(file name, TOML text)` pairs: `workflows.toml` and one file per
    /// service. `known_fee_rules` are the rule names defined in the fee table.
    pub fn from_sources(
        workflows: (&str, &str),
        services: &[(String, String)],
        known_fee_rules: &BTreeSet<String>,
    ) -> Result<Self, CatalogError> {
        let wf: WorkflowFile =
            toml::from_str(workflows.1).map_err(|e| err(workflows.0, e.to_string()))?;
        let mut wmap = BTreeMap::new();
        for w in wf.workflows {
            validate_workflow(workflows.0, &w)?;
            if wmap.insert(w.code.clone(), w).is_some() {
                return Err(err(workflows.0, "duplicate workflow code"));
            }
        }
        let mut smap = BTreeMap::new();
        let mut prefixes = BTreeSet::new();
        for (file, text) in services {
            let s: Service = toml::from_str(text).map_err(|e| err(file, e.to_string()))?;
            validate_service(file, &s, &wmap, known_fee_rules)?;
            if !prefixes.insert(s.number_prefix.clone()) {
                return Err(err(
                    file,
                    format!(
                        "number_prefix `{}` used by another service",
                        s.number_prefix
                    ),
                ));
            }
            if smap.insert(s.code.clone(), s).is_some() {
                return Err(err(file, "duplicate service code"));
            }
        }
        if smap.is_empty() {
            return Err(err("catalog/services", "no services"));
        }
        Ok(Catalog {
            services: smap,
            workflows: wmap,
        })
    }

    /// Makes the clinics of the register the providers of the clinic services their regions
    /// offer (R-000-01, R-001-01, R-002-01): the service file's `provider` stays the
    /// default and must be one of them; every other clinic becomes a department.
    pub fn add_clinics(
        &mut self,
        register: &crate::domain::clinics::ClinicRegister,
    ) -> Result<(), CatalogError> {
        const FILE: &str = "catalog/clinics.toml";
        for r in &register.regions {
            if let Some(unknown) = r.services.iter().find(|s| !self.services.contains_key(*s)) {
                return Err(err(
                    FILE,
                    format!(
                        "region `{}` offers `{unknown}`, which the catalog does not have",
                        r.code
                    ),
                ));
            }
        }
        for s in self.services.values_mut() {
            let clinics: Vec<Provider> = register
                .clinics_for(&s.code)
                .map(|c| register.as_provider(c))
                .collect();
            if clinics.is_empty() {
                continue;
            }
            if !clinics.iter().any(|c| c.code == s.provider.code) {
                return Err(err(
                    FILE,
                    format!(
                        "`{}` is offered by clinics, but its provider `{}` is not one of them",
                        s.code, s.provider.code
                    ),
                ));
            }
            s.departments = clinics
                .into_iter()
                .filter(|c| c.code != s.provider.code)
                .collect();
        }
        Ok(())
    }

    pub fn services(&self) -> impl Iterator<Item = &Service> {
        self.services.values()
    }
    pub fn service(&self, code: &str) -> Option<&Service> {
        self.services.get(code)
    }
    pub fn workflow(&self, code: &str) -> Option<&Workflow> {
        self.workflows.get(code)
    }
    /// The workflow of a service (always present: checked at load).
    pub fn workflow_of(&self, service: &Service) -> &Workflow {
        &self.workflows[&service.workflow]
    }
    /// Service codes whose reviewers include `role`.
    pub fn services_reviewed_by(&self, role: Role) -> Vec<String> {
        self.services
            .values()
            .filter(|s| s.reviewer_roles.contains(&role))
            .map(|s| s.code.clone())
            .collect()
    }
}

fn is_code(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

fn is_requirement_id(s: &str) -> bool {
    // R-003-07, G-21 (the digest's assumptions) or A-13 (the project's, docs/architecture.md)
    let b = s.as_bytes();
    (b.len() == 8
        && s.starts_with("R-")
        && b[5] == b'-'
        && s[2..5].bytes().all(|c| c.is_ascii_digit())
        && s[6..].bytes().all(|c| c.is_ascii_digit()))
        || (b.len() == 4
            && (s.starts_with("G-") || s.starts_with("A-"))
            && s[2..].bytes().all(|c| c.is_ascii_digit()))
}

fn check_ids(file: &str, what: &str, ids: &[String]) -> Result<(), CatalogError> {
    match ids.iter().find(|id| !is_requirement_id(id)) {
        Some(bad) => Err(err(
            file,
            format!("{what}: `{bad}` is not a requirement ID (R-nnn-nn, G-nn or A-nn)"),
        )),
        None => Ok(()),
    }
}

fn validate_workflow(file: &str, w: &Workflow) -> Result<(), CatalogError> {
    if !is_code(&w.code) {
        return Err(err(
            file,
            format!(
                "workflow code `{}` must be lower-case letters, digits, - or _",
                w.code
            ),
        ));
    }
    let mut reachable: BTreeSet<State> = BTreeSet::from([State::Draft]);
    for t in &w.transitions {
        let at = format!("workflow {} action {}", w.code, t.action);
        if !is_code(&t.action) {
            return Err(err(file, format!("{at}: bad action name")));
        }
        if t.from.is_empty() || t.by.is_empty() {
            return Err(err(
                file,
                format!("{at}: `from` and `by` must not be empty"),
            ));
        }
        if t.by.contains(&Party::System) && t.by.len() > 1 {
            return Err(err(
                file,
                format!("{at}: a system action cannot also be taken by people"),
            ));
        }
        check_ids(file, &at, &t.requirements)?;
        if let Some(to) = t.to {
            reachable.insert(to);
        }
    }
    // Every state a transition starts from must be reachable, or the step is dead data.
    for t in &w.transitions {
        if let Some(s) = t.from.iter().find(|s| !reachable.contains(s)) {
            return Err(err(
                file,
                format!(
                    "workflow {} action {}: state `{}` is never reached",
                    w.code,
                    t.action,
                    s.as_str()
                ),
            ));
        }
    }
    Ok(())
}

fn validate_service(
    file: &str,
    s: &Service,
    workflows: &BTreeMap<String, Workflow>,
    fee_rules: &BTreeSet<String>,
) -> Result<(), CatalogError> {
    if !is_code(&s.code) {
        return Err(err(
            file,
            format!(
                "code `{}` must be lower-case letters, digits, - or _",
                s.code
            ),
        ));
    }
    if s.number_prefix.is_empty() || !s.number_prefix.chars().all(|c| c.is_ascii_uppercase()) {
        return Err(err(file, "number_prefix must be upper-case ASCII letters"));
    }
    if !workflows.contains_key(&s.workflow) {
        return Err(err(
            file,
            format!("workflow `{}` is not defined in workflows.toml", s.workflow),
        ));
    }
    let mut provider_codes = BTreeSet::new();
    for p in s.providers() {
        if !is_code(&p.code) || !provider_codes.insert(p.code.as_str()) {
            return Err(err(
                file,
                format!("provider code `{}` is malformed or listed twice", p.code),
            ));
        }
        if p.timezone.parse::<chrono_tz::Tz>().is_err() {
            return Err(err(
                file,
                format!(
                    "provider `{}`: timezone `{}` is not an IANA zone",
                    p.code, p.timezone
                ),
            ));
        }
        for (name, v) in [("opens", &p.opens), ("closes", &p.closes)] {
            if chrono::NaiveTime::parse_from_str(v, "%H:%M").is_err() {
                return Err(err(
                    file,
                    format!("provider `{}`: {name} `{v}` is not HH:MM", p.code),
                ));
            }
        }
    }
    if s.applicant_kinds.is_empty()
        || s.variants.is_empty()
        || s.channels.is_empty()
        || s.reviewer_roles.is_empty()
    {
        return Err(err(
            file,
            "applicant_kinds, variants, channels and reviewer_roles must not be empty",
        ));
    }
    check_ids(file, "requirements", &s.requirements)?;
    check_ids(file, "result.requirements", &s.result.requirements)?;
    if let Some(b) = &s.booking {
        let fields = [&b.clinic_field, &b.doctor_field, &b.start_field];
        if let Some(missing) = fields.iter().find(|f| s.field(f).is_none()) {
            return Err(err(
                file,
                format!("booking names `{missing}`, which the form does not have"),
            ));
        }
        let confirms = workflows.get(&s.workflow).is_some_and(|w| {
            w.transitions_named(&b.confirm_action)
                .any(|t| t.by == [Party::System] && t.issues == Some(Issues::Result))
        });
        if !confirms {
            return Err(err(
                file,
                format!(
                    "booking.confirm_action `{}` is not a system step of the workflow that issues the result",
                    b.confirm_action
                ),
            ));
        }
    }
    if let Some(check) = &s.child_check {
        let is_iin = s
            .form
            .iter()
            .any(|f| f.code == check.field && f.kind == FieldKind::Iin);
        if !is_iin || check.adult_age == 0 {
            return Err(err(
                file,
                format!(
                    "child_check names `{}`, which is not an IIN field of the form (or adult_age is 0)",
                    check.field
                ),
            ));
        }
    }
    let mut seen = BTreeSet::new();
    for v in &s.variants {
        if !is_code(&v.code) || !seen.insert(v.code.clone()) {
            return Err(err(
                file,
                format!("variant `{}`: bad or duplicate code", v.code),
            ));
        }
        if !fee_rules.contains(&v.fee_rule) {
            return Err(err(
                file,
                format!(
                    "variant `{}`: fee_rule `{}` is not in the fee table",
                    v.code, v.fee_rule
                ),
            ));
        }
        check_ids(file, &format!("variant {}", v.code), &v.requirements)?;
        check_ids(
            file,
            &format!("variant {} assumptions", v.code),
            &v.assumptions,
        )?;
    }
    let variant_ok = |list: &[String]| list.iter().all(|v| s.variant(v).is_some());
    let mut seen = BTreeSet::new();
    for f in &s.form {
        if !is_code(&f.code) || !seen.insert(f.code.clone()) {
            return Err(err(
                file,
                format!("form field `{}`: bad or duplicate code", f.code),
            ));
        }
        if !variant_ok(&f.variants) {
            return Err(err(
                file,
                format!("form field `{}`: unknown variant", f.code),
            ));
        }
        let needs_options = matches!(f.kind, FieldKind::Select | FieldKind::MultiSelect);
        if needs_options == f.options.is_empty() {
            return Err(err(
                file,
                format!(
                    "form field `{}`: options are required exactly for select fields",
                    f.code
                ),
            ));
        }
        check_ids(file, &format!("form field {}", f.code), &f.requirements)?;
        let dated = f.not_future || f.not_past || f.max_age_days.is_some();
        if dated && f.kind != FieldKind::Date || f.not_future && f.not_past {
            return Err(err(
                file,
                format!(
                    "form field `{}`: not_future, not_past and max_age_days are for dates, and not_future excludes not_past",
                    f.code
                ),
            ));
        }
        if let Some(c) = &f.required_when {
            let known = s.form.iter().find(|o| o.code == c.field).is_some_and(|o| {
                o.options.is_empty() || o.options.iter().any(|x| x.code == c.equals)
            });
            if !known {
                return Err(err(
                    file,
                    format!(
                        "form field `{}`: required_when names `{}` = `{}`, which the form does not have",
                        f.code, c.field, c.equals
                    ),
                ));
            }
        }
    }
    let mut seen = BTreeSet::new();
    for c in &s.channels {
        if !seen.insert(c.code) {
            return Err(err(
                file,
                format!("channel `{}`: bad or duplicate code", c.code),
            ));
        }
        if c.initiator_roles.is_empty() {
            return Err(err(
                file,
                format!("channel `{}`: initiator_roles must not be empty", c.code),
            ));
        }
        if c.signer == Signer::Employee && c.initiator_roles.contains(&Role::Applicant) {
            return Err(err(
                file,
                format!(
                    "channel `{}`: an applicant cannot open a channel an employee signs",
                    c.code
                ),
            ));
        }
        check_ids(file, &format!("channel {}", c.code), &c.requirements)?;
        let mut docs = BTreeSet::new();
        for d in &c.documents {
            if !is_code(&d.code) || !docs.insert(d.code.clone()) || !variant_ok(&d.variants) {
                return Err(err(
                    file,
                    format!(
                        "channel `{}` document `{}`: bad code, duplicate or unknown variant",
                        c.code, d.code
                    ),
                ));
            }
            check_ids(file, &format!("document {}", d.code), &d.requirements)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requirement_ids_are_recognised() {
        assert!(is_requirement_id("R-003-07"));
        assert!(is_requirement_id("G-21"));
        assert!(!is_requirement_id("R-3-7"));
        assert!(!is_requirement_id("X-003-07"));
    }
}

#[cfg(test)]
#[path = "catalog_tests.rs"]
mod loader_tests;
