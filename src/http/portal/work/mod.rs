//! The staff workspaces, on the portal's foundation (same `Page`, templates, messages,
//! CSRF) and the same `app` use cases as the API:
//! - `review`: the work queue of the employee's own provider, a request's detail, the
//!   qualification checklist, commission opinions, decisions, deadline extensions, licence
//!   registry actions (officials, commission members, desk employees);
//! - `intake`: a request taken in at a ЦОН or department desk for a walk-in applicant;
//! - `clinic`: the clinic registrar's day;
//! - `admin`: accounts, the mail outbox, payment reconciliation, the quality report.
//!
//! Every page checks the role here ([`Page::staff`]) and the provider in the use case it
//! calls (a request of another provider is "not found", as in the API).

pub mod admin;
pub mod clinic;
pub mod intake;
pub mod review;

use super::{Fail, Page};
use crate::app::auth::CurrentUser;
use crate::domain::roles::Role;
use crate::error::{AppError, ErrorCode};
use actix_web::{get, web, HttpResponse};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(home)
        .configure(review::routes)
        .configure(intake::routes)
        .configure(clinic::routes)
        .configure(admin::routes);
}

impl Page {
    /// The signed-in staff member if their role is one of `roles`; the sign-in page for a
    /// visitor, the 403 page for anyone else.
    pub fn staff(&self, roles: &[Role]) -> Result<&CurrentUser, Fail> {
        let user = self.user()?;
        if roles.contains(&user.role) {
            Ok(user)
        } else {
            Err(self.fail(AppError::with(
                ErrorCode::Forbidden,
                format!("{} on a staff page", user.role),
            )))
        }
    }
}

/// Where a staff member starts: the workspace of their role.
pub fn start_page(role: Role) -> &'static str {
    match role {
        Role::Applicant => "/requests",
        Role::ConOperator => "/work/intake",
        Role::Official | Role::CommissionMember => "/work/queue",
        Role::ClinicRegistrar => "/work/clinic",
        Role::Admin => "/admin",
    }
}

/// `/work`: the signed-in staff member's own workspace.
#[get("/work")]
pub async fn home(page: Page) -> Result<HttpResponse, Fail> {
    let user = page.user()?;
    Ok(page.redirect(start_page(user.role)))
}
