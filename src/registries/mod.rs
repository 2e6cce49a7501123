//! State registries: ГБД ФЛ (individuals) and ГБД ЮЛ (legal entities), looked up by the
//! desk and ЦОН channels (R-000-42..44, R-003-37..39, R-003-47..49). Two adapters: an
//! embedded demo registry and an HTTP client (wire format in docs/identity.md).

pub mod embedded;
pub mod http;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonRecord {
    pub iin: String,
    pub last_name: String,
    pub first_name: String,
    pub middle_name: Option<String>,
    pub birth_date: NaiveDate,
    pub address: Option<String>,
}

impl PersonRecord {
    /// «Фамилия Имя Отчество».
    pub fn full_name(&self) -> String {
        let mut s = format!("{} {}", self.last_name, self.first_name);
        if let Some(m) = &self.middle_name {
            s.push(' ');
            s.push_str(m);
        }
        s
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanyRecord {
    pub bin: String,
    pub name: String,
    pub legal_address: String,
    pub head_iin: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    #[error("not found in the registry")]
    NotFound,
    #[error("registry unavailable: {0}")]
    Unavailable(String),
    #[error("registry answered with an unreadable response: {0}")]
    BadResponse(String),
}

impl RegistryError {
    pub fn code(&self) -> &'static str {
        match self {
            RegistryError::NotFound => "REGISTRY_NOT_FOUND",
            RegistryError::Unavailable(_) => "REGISTRY_UNAVAILABLE",
            RegistryError::BadResponse(_) => "REGISTRY_BAD_RESPONSE",
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
