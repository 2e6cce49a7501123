//! Who may see a request (R-000-09, R-003-66, G-51): applicants their own; staff the
//! requests they opened and those of services they review; administrators all. Someone
//! else's request is "not found", so its existence does not leak.

use crate::app::auth::CurrentUser;
use crate::app::App;
use crate::db::models::{AttachmentRow, RequestRow};
use crate::db::queries::{self, Visibility};
use crate::db::DbConnection;
use crate::domain::roles::Role;
use crate::error::{AppError, ErrorCode};

/// May this user see the request? Applicants: their own. Staff: requests they opened, and
/// requests of services they review. Admin: all.
fn can_view(app: &App, user: &CurrentUser, req: &RequestRow) -> bool {
    match user.role {
        Role::Admin => true,
        Role::Applicant => req.owner_user_id.as_ref() == Some(&user.id),
        role => {
            req.created_by == user.id
                || app
                    .catalog
                    .service(&req.service_code)
                    .is_some_and(|s| s.reviewer_roles.contains(&role))
        }
    }
}

/// Loads a request the user may see; others' requests are "not found" (no existence leak).
pub fn load_visible(
    app: &App,
    c: &mut DbConnection,
    user: &CurrentUser,
    number: &str,
) -> Result<RequestRow, AppError> {
    visible(app, user, number, queries::request_by_number(c, number)?)
}

/// [`load_visible`] with the request's attachments, in one query.
pub fn load_visible_with_attachments(
    app: &App,
    c: &mut DbConnection,
    user: &CurrentUser,
    number: &str,
) -> Result<(RequestRow, Vec<AttachmentRow>), AppError> {
    let (found, attachments) = queries::request_with_attachments(c, number)?.unzip();
    Ok((
        visible(app, user, number, found)?,
        attachments.unwrap_or_default(),
    ))
}

fn visible(
    app: &App,
    user: &CurrentUser,
    number: &str,
    found: Option<RequestRow>,
) -> Result<RequestRow, AppError> {
    match found {
        Some(r) if can_view(app, user, &r) => Ok(r),
        Some(r) => {
            tracing::warn!(number, user = %user.login, owner = ?r.owner_user_id, "access to another user's request refused");
            Err(AppError::new(ErrorCode::RequestNotFound))
        }
        None => Err(AppError::new(ErrorCode::RequestNotFound)),
    }
}

/// The rows a user's lists may show (the same rule as [`can_view`], as a query filter).
pub(crate) fn list_visibility(app: &App, user: &CurrentUser) -> Visibility {
    match user.role {
        Role::Admin => Visibility::All,
        Role::Applicant => Visibility::Owner(user.id.clone()),
        role => Visibility::Staff {
            user_id: user.id.clone(),
            services: app.catalog.services_reviewed_by(role),
        },
    }
}
