//! Who may see a request (R-000-09, R-003-66, G-51), by the one rule of
//! [`crate::domain::access`]: applicants their own; staff those of their provider and those
//! taken in at their office; administrators all. Someone else's request is "not found", so
//! its existence does not leak.

use crate::app::auth::CurrentUser;
use crate::db::models::{AttachmentRow, RequestRow};
use crate::db::queries::{self, Visibility};
use crate::db::DbConnection;
use crate::domain::access::{self, Access, Scope, Viewer};
use crate::domain::roles::Role;
use crate::error::{AppError, ErrorCode};

/// How `user` stands to `req` (see [`crate::domain::access`]).
pub(crate) fn access_of(user: &CurrentUser, req: &RequestRow) -> Access {
    access::access(
        &Viewer {
            id: &user.id,
            role: user.role,
            provider: user.provider.as_deref(),
            iin: user.iin.as_ref(),
        },
        &Scope {
            provider: &req.provider_code,
            intake_office: req.intake_office.as_deref(),
            owner: req.owner_user_id.as_ref(),
            created_by: &req.created_by,
            applicant_iin: req.applicant_iin.as_ref(),
        },
    )
}

fn can_view(user: &CurrentUser, req: &RequestRow) -> bool {
    access_of(user, req).view
}

/// Loads a request the user may see; others' requests are "not found" (no existence leak).
pub fn load_visible(
    c: &mut DbConnection,
    user: &CurrentUser,
    number: &str,
) -> Result<RequestRow, AppError> {
    visible(user, number, queries::request_by_number(c, number)?)
}

/// [`load_visible`] with the request's attachments, in one query.
pub fn load_visible_with_attachments(
    c: &mut DbConnection,
    user: &CurrentUser,
    number: &str,
) -> Result<(RequestRow, Vec<AttachmentRow>), AppError> {
    let (found, attachments) = queries::request_with_attachments(c, number)?.unzip();
    Ok((
        visible(user, number, found)?,
        attachments.unwrap_or_default(),
    ))
}

/// `req` when `user` may see it (read by another key, e.g. one of its documents); else
/// "not found" as [`load_visible`].
pub(crate) fn visible_row(user: &CurrentUser, req: RequestRow) -> Result<RequestRow, AppError> {
    let number = req.number.clone();
    visible(user, &number, Some(req))
}

fn visible(
    user: &CurrentUser,
    number: &str,
    found: Option<RequestRow>,
) -> Result<RequestRow, AppError> {
    match found {
        Some(r) if can_view(user, &r) => Ok(r),
        Some(r) => {
            tracing::warn!(number, user = %user.login, owner = ?r.owner_user_id, "access to another user's request refused");
            Err(AppError::new(ErrorCode::RequestNotFound))
        }
        None => Err(AppError::new(ErrorCode::RequestNotFound)),
    }
}

/// The rows a user's lists may show (the same rule as [`can_view`], as a query filter).
pub(crate) fn list_visibility(user: &CurrentUser) -> Visibility {
    match user.role {
        Role::Admin => Visibility::All,
        Role::Applicant => Visibility::Owner(user.id.clone()),
        _ => Visibility::Staff {
            provider: user.provider.clone(),
        },
    }
}
