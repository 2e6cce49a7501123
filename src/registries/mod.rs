//! State registries: ГБД ФЛ (individuals, keyed by IIN) and ГБД ЮЛ (legal entities, keyed
//! by BIN), looked up by the desk and ЦОН channels before a request is accepted
//! (R-000-42..44, R-001-39..41, R-002-47..49, R-003-37..39, R-003-47..49; optional in 004,
//! G-40). Two adapters behind the same traits: an embedded demo registry ([`embedded`]) and
//! an HTTP client ([`http`]; wire format in `docs/identity.md`).
//!
//! The traits are synchronous: call them from blocking threads (e.g. `spawn_blocking`).

use crate::error::ErrorCode;
pub mod http;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A person in ГБД ФЛ. Also the JSON body of `GET {base}/persons/{iin}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonRecord {
    pub iin: String,
    pub last_name: String,
    pub first_name: String,
    #[serde(default)]
    pub middle_name: Option<String>,
    pub birth_date: NaiveDate,
    #[serde(default)]
    pub address: Option<String>,
    /// IINs of the person's parents and guardians as the registry records them (ЗАГС and
    /// guardianship data); empty when the registry gives none. Used to check that the
    /// applicant of a support request is the child's parent or guardian (G-40).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parents: Vec<String>,
}

impl PersonRecord {
    /// «Фамилия Имя Отчество» (the patronymic only when present).
    pub fn full_name(&self) -> String {
        let mut s = format!("{} {}", self.last_name, self.first_name);
        if let Some(m) = self.middle_name.as_deref().filter(|m| !m.trim().is_empty()) {
            s.push(' ');
            s.push_str(m);
        }
        s
    }
}

/// A legal entity in ГБД ЮЛ. Also the JSON body of `GET {base}/companies/{bin}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanyRecord {
    pub bin: String,
    pub name: String,
    pub legal_address: String,
    /// IIN of the head (first manager), when the registry gives it.
    #[serde(default)]
    pub head_iin: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    /// The registry has no record for the key (R-000-44 / R-003-39: "the data cannot be
    /// obtained because the recipient's data are absent").
    #[error("not found in the registry")]
    NotFound,
    /// Timeout, connection refused, 5xx (after the retry).
    #[error("registry unavailable: {0}")]
    Unavailable(String),
    /// The registry answered, but not with a usable record (bad JSON, wrong record,
    /// unexpected status).
    #[error("registry answered with an unreadable response: {0}")]
    BadResponse(String),
}

impl RegistryError {
    /// Stable machine-readable code.
    pub fn code(&self) -> ErrorCode {
        match self {
            RegistryError::NotFound => ErrorCode::RegistryNotFound,
            RegistryError::Unavailable(_) => ErrorCode::RegistryUnavailable,
            RegistryError::BadResponse(_) => ErrorCode::RegistryBadResponse,
        }
    }
}

/// ГБД ФЛ.
pub trait PersonRegistry: Send + Sync {
    fn find_person(&self, iin: &str) -> Result<PersonRecord, RegistryError>;
}

/// ГБД ЮЛ.
pub trait CompanyRegistry: Send + Sync {
    fn find_company(&self, bin: &str) -> Result<CompanyRecord, RegistryError>;
}

/// A well-formed registry key: exactly 12 ASCII digits. Anything else cannot be in the
/// registry, so adapters answer `NotFound` without a lookup (and never put it in a URL).
pub(crate) fn is_registry_key(key: &str) -> bool {
    key.len() == 12 && key.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_name_and_codes() {
        let p = PersonRecord {
            iin: "850412401239".to_owned(),
            last_name: "Әлиева".to_owned(),
            first_name: "Гүлнәр".to_owned(),
            middle_name: None,
            birth_date: NaiveDate::from_ymd_opt(1985, 4, 12).unwrap_or_default(),
            address: None,
            parents: vec![],
        };
        assert_eq!(p.full_name(), "Әлиева Гүлнәр");
        let p = PersonRecord {
            middle_name: Some("Серікқызы".to_owned()),
            ..p
        };
        assert_eq!(p.full_name(), "Әлиева Гүлнәр Серікқызы");
        assert_eq!(RegistryError::NotFound.code(), ErrorCode::RegistryNotFound);
        assert_eq!(
            RegistryError::Unavailable(String::new()).code(),
            ErrorCode::RegistryUnavailable
        );
        assert_eq!(
            RegistryError::BadResponse(String::new()).code(),
            ErrorCode::RegistryBadResponse
        );
        assert!(is_registry_key("850412401239"));
        assert!(!is_registry_key("85041240123"));
        assert!(!is_registry_key("../companies"));
        assert!(!is_registry_key("８50412401239"));
    }
}
