//! The personal-data access log (R-003-66, R-004-53, G-51): every read of a request's
//! personal data by staff or an administrator is recorded (who, role, when, what), in the
//! same database as the request, append-only. An applicant reading their own request is not
//! logged. Administrators list it per request.

use super::auth::CurrentUser;
use super::App;
use crate::db::models::{AccessRow, RequestRow};
use crate::db::{queries, DbConnection};
use crate::domain::roles::Role;
use crate::error::{AppError, ErrorCode};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

/// What was read.
pub const REQUEST: &str = "request";
pub const HISTORY: &str = "history";
pub const DOCUMENT: &str = "document";
pub const SIGNATURES: &str = "signatures";

/// Records that `user` read `what` of `req`, when `user` is not its applicant.
pub(crate) fn record(
    app: &App,
    c: &mut DbConnection,
    user: &CurrentUser,
    req: &RequestRow,
    what: &str,
) -> Result<(), AppError> {
    if user.role == Role::Applicant {
        return Ok(());
    }
    queries::insert_access(
        c,
        &AccessRow {
            id: uuid::Uuid::now_v7().to_string(),
            request_id: req.id.clone(),
            user_id: user.id.clone(),
            role: user.role,
            what: what.to_string(),
            at: app.now().naive_utc(),
        },
    )
}

/// One read of a request's personal data.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AccessEntry {
    pub at: DateTime<Utc>,
    pub login: String,
    pub role: Role,
    /// `request`, `history`, `document` (a result or an attachment) or `signatures`.
    pub what: String,
}

/// The access log of a request; administrators only.
pub fn of_request(
    app: &App,
    user: &CurrentUser,
    number: &str,
) -> Result<Vec<AccessEntry>, AppError> {
    if user.role != Role::Admin {
        return Err(AppError::new(ErrorCode::ActionNotPermitted));
    }
    app.store.read(|c| {
        let req = queries::request_by_number(c, number)?
            .ok_or_else(|| AppError::new(ErrorCode::RequestNotFound))?;
        Ok(queries::access_log_of(c, &req.id)?
            .into_iter()
            .map(|(a, login)| AccessEntry {
                at: super::views::utc(a.at),
                login,
                role: a.role,
                what: a.what,
            })
            .collect())
    })
}
