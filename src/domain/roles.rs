//! User roles. Who may act on a request is decided by
//! the catalog ([`crate::domain::catalog`]) in terms of these roles.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A user's role. Stored as its snake_case name.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
#[derive(diesel::AsExpression, diesel::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum Role {
    /// A person or a company representative applying on the portal.
    Applicant,
    /// ЦОН (public service centre) operator entering requests for walk-in applicants (R-003-45..55).
    ConOperator,
    /// Provider employee: licence official (R-003-30) or МИО desk employee (R-004-12..24).
    Official,
    /// Member of the commission whose conclusion grounds a refusal (R-004-38, G-41).
    CommissionMember,
    /// Clinic registrar working in the provider's АРМ (R-000-40..49).
    ClinicRegistrar,
    /// Administrator: sees everything, manages users.
    Admin,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Applicant,
        Role::ConOperator,
        Role::Official,
        Role::CommissionMember,
        Role::ClinicRegistrar,
        Role::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Applicant => "applicant",
            Role::ConOperator => "con_operator",
            Role::Official => "official",
            Role::CommissionMember => "commission_member",
            Role::ClinicRegistrar => "clinic_registrar",
            Role::Admin => "admin",
        }
    }

    /// Staff act for others; applicants act for themselves.
    pub fn is_staff(self) -> bool {
        !matches!(self, Role::Applicant)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("unknown role `{s}`"))
    }
}
