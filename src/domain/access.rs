//! Who may see and act on a request: one rule for every list, page and endpoint
//! (R-000-09, R-003-66, R-004-53, G-51).
//!
//! - An applicant: their own requests.
//! - Staff: requests of their provider (the one that decides the request) and requests taken
//!   in at their office (a ЦОН, a department's desk). A staff account without a provider
//!   sees none.
//! - An administrator: all (each read of personal data is logged).
//!
//! Acting is narrower: the workflow says which party takes each step
//! ([`crate::domain::lifecycle::plan`]); a reviewer acts only at the deciding provider, and a
//! named staff role only at the deciding provider or the intake office.

use crate::domain::identity::Iin;
use crate::domain::ids::UserId;
use crate::domain::roles::Role;

/// The person asking.
#[derive(Debug, Clone, Copy)]
pub struct Viewer<'a> {
    pub id: &'a UserId,
    pub role: Role,
    pub provider: Option<&'a str>,
    pub iin: Option<&'a Iin>,
}

/// What of a request decides who reaches it.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    /// The provider that decides the request.
    pub provider: &'a str,
    /// The office that took it in, when staff did.
    pub intake_office: Option<&'a str>,
    pub owner: Option<&'a UserId>,
    pub created_by: &'a UserId,
    pub applicant_iin: Option<&'a Iin>,
}

/// How a viewer stands to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Access {
    pub view: bool,
    /// Staff of the provider that decides the request.
    pub at_provider: bool,
    /// Staff of the office that took the request in.
    pub at_intake: bool,
    /// This staff member took the request in.
    pub took_in: bool,
    /// The viewer is the applicant (the account that owns it, or the same IIN).
    pub is_applicant: bool,
}

pub fn access(v: &Viewer<'_>, s: &Scope<'_>) -> Access {
    let staff = v.role.is_staff() && v.role != Role::Admin;
    let at_provider = staff && v.provider == Some(s.provider);
    let at_intake = staff && v.provider.is_some() && v.provider == s.intake_office;
    let owner = s.owner == Some(v.id);
    let is_applicant = owner || (v.iin.is_some() && v.iin == s.applicant_iin);
    let view = match v.role {
        Role::Admin => true,
        Role::Applicant => owner,
        _ => at_provider || at_intake,
    };
    Access {
        view,
        at_provider,
        at_intake,
        took_in: staff && s.created_by == v.id,
        is_applicant,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uid(s: &str) -> UserId {
        s.parse()
            .unwrap_or_else(|e: std::convert::Infallible| match e {})
    }

    #[test]
    fn each_role_reaches_only_its_own_provider_office_or_requests() {
        let (alice, bob, clerk, off) = (uid("alice"), uid("bob"), uid("clerk"), uid("off"));
        let desk_request = Scope {
            provider: "health",
            intake_office: Some("con-1"),
            owner: Some(&alice),
            created_by: &clerk,
            applicant_iin: None,
        };
        let who = |id, role, provider| Viewer {
            id,
            role,
            provider,
            iin: None,
        };
        let cases = [
            (who(&alice, Role::Applicant, None), true),
            (who(&bob, Role::Applicant, None), false),
            (who(&off, Role::Official, Some("health")), true),
            (who(&off, Role::Official, Some("social")), false),
            (who(&off, Role::Official, None), false),
            (who(&clerk, Role::ConOperator, Some("con-1")), true),
            (who(&clerk, Role::ConOperator, Some("con-2")), false),
            (who(&off, Role::Admin, None), true),
        ];
        for (v, expected) in cases {
            assert_eq!(access(&v, &desk_request).view, expected, "{v:?}");
        }
        let a = access(
            &who(&clerk, Role::ConOperator, Some("con-1")),
            &desk_request,
        );
        assert!(a.took_in && a.at_intake && !a.at_provider);
        let a = access(&who(&off, Role::Official, Some("health")), &desk_request);
        assert!(!a.took_in && a.at_provider && !a.is_applicant);
    }

    #[test]
    fn a_staff_member_with_the_applicants_iin_is_the_applicant() {
        let iin: Iin = match Iin::parse("870909302226") {
            Ok(i) => i,
            Err(e) => panic!("{e:?}"),
        };
        let (owner, off) = (uid("owner"), uid("off"));
        let s = Scope {
            provider: "health",
            intake_office: None,
            owner: Some(&owner),
            created_by: &owner,
            applicant_iin: Some(&iin),
        };
        let v = Viewer {
            id: &off,
            role: Role::Official,
            provider: Some("health"),
            iin: Some(&iin),
        };
        assert!(access(&v, &s).is_applicant);
    }
}
