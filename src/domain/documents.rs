//! Issued documents: their registry status and how it may change (R-003-07: the registry
//! holds licences issued, re-issued, suspended, resumed and terminated).

use serde::{Deserialize, Serialize};
use std::fmt;
use utoipa::ToSchema;

/// The registry status of an issued document. Stored as its snake_case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[derive(diesel::AsExpression, diesel::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum DocumentStatus {
    /// In force.
    Valid,
    /// Replaced by a re-issue (G-23); its successor is named on the document.
    Superseded,
    /// Suspended by the licensor; may be resumed.
    Suspended,
    /// Terminated; final.
    Terminated,
}

/// What issuing a licence does in the licence registry (R-003-06, R-003-07, G-23).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LicenceOp {
    /// A new licence with a new number from the central sequence (G-24).
    Issue,
    /// A new version of the holder's licence in force, same number; supersedes it.
    Reissue,
    /// A marked copy of the holder's licence in force, same number; the licence stays valid.
    Duplicate,
}

/// A registry action on an issued document (R-003-07).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RegistryAction {
    Suspend,
    Resume,
    Terminate,
}

/// Why a registry action may not be taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot {action} a {from} document")]
pub struct StatusNotAllowed {
    pub action: RegistryAction,
    pub from: DocumentStatus,
}

impl DocumentStatus {
    pub const ALL: [DocumentStatus; 4] = [
        DocumentStatus::Valid,
        DocumentStatus::Superseded,
        DocumentStatus::Suspended,
        DocumentStatus::Terminated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DocumentStatus::Valid => "valid",
            DocumentStatus::Superseded => "superseded",
            DocumentStatus::Suspended => "suspended",
            DocumentStatus::Terminated => "terminated",
        }
    }

    /// A licence in force: valid or suspended (a re-issue or duplicate may continue it).
    pub fn in_force(self) -> bool {
        matches!(self, DocumentStatus::Valid | DocumentStatus::Suspended)
    }

    /// The status after `action`: suspend a valid document, resume a suspended one,
    /// terminate either; a superseded or terminated document changes no more.
    pub fn after(self, action: RegistryAction) -> Result<DocumentStatus, StatusNotAllowed> {
        use DocumentStatus as S;
        match (action, self) {
            (RegistryAction::Suspend, S::Valid) => Ok(S::Suspended),
            (RegistryAction::Resume, S::Suspended) => Ok(S::Valid),
            (RegistryAction::Terminate, S::Valid | S::Suspended) => Ok(S::Terminated),
            (action, from) => Err(StatusNotAllowed { action, from }),
        }
    }

    /// Labels for people: (kk, ru, en).
    pub fn labels(self) -> (&'static str, &'static str, &'static str) {
        match self {
            DocumentStatus::Valid => ("Жарамды", "Действителен", "Valid"),
            DocumentStatus::Superseded => (
                "Ауыстырылды (қайта ресімделді)",
                "Заменён (переоформлен)",
                "Superseded (re-issued)",
            ),
            DocumentStatus::Suspended => ("Тоқтатыла тұрған", "Приостановлен", "Suspended"),
            DocumentStatus::Terminated => ("Тоқтатылған", "Прекращён", "Terminated"),
        }
    }
}

impl RegistryAction {
    pub const ALL: [RegistryAction; 3] = [
        RegistryAction::Suspend,
        RegistryAction::Resume,
        RegistryAction::Terminate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RegistryAction::Suspend => "suspend",
            RegistryAction::Resume => "resume",
            RegistryAction::Terminate => "terminate",
        }
    }
}

impl fmt::Display for RegistryAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for DocumentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for RegistryAction {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RegistryAction::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| format!("unknown registry action `{s}`"))
    }
}

impl std::str::FromStr for DocumentStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DocumentStatus::ALL
            .into_iter()
            .find(|d| d.as_str() == s)
            .ok_or_else(|| format!("unknown document status `{s}`"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use DocumentStatus as S;
    use RegistryAction as A;

    #[test]
    fn registry_status_moves() {
        // R-003-07: suspended, resumed, terminated; superseded and terminated are final.
        let table = [
            (S::Valid, A::Suspend, Some(S::Suspended)),
            (S::Valid, A::Resume, None),
            (S::Valid, A::Terminate, Some(S::Terminated)),
            (S::Suspended, A::Suspend, None),
            (S::Suspended, A::Resume, Some(S::Valid)),
            (S::Suspended, A::Terminate, Some(S::Terminated)),
            (S::Superseded, A::Suspend, None),
            (S::Superseded, A::Resume, None),
            (S::Superseded, A::Terminate, None),
            (S::Terminated, A::Suspend, None),
            (S::Terminated, A::Resume, None),
            (S::Terminated, A::Terminate, None),
        ];
        for (from, action, to) in table {
            assert_eq!(from.after(action).ok(), to, "{action} from {from}");
        }
    }

    #[test]
    fn names_round_trip() {
        for s in DocumentStatus::ALL {
            assert_eq!(s.as_str().parse::<DocumentStatus>(), Ok(s));
        }
        assert!("void".parse::<DocumentStatus>().is_err());
    }
}
