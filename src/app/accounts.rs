//! Accounts and roles: staff accounts created and changed by an administrator (API) or on
//! the server's command line (`ruqsat users …`, which also creates the first administrator
//! when demo data is off). Every change is written with its entry in the append-only
//! `account_audit`, in one transaction. Disabling an account ends its sessions at once.

use super::auth::{hash_password, CurrentUser};
use super::App;
use crate::db::models::{AccountAuditRow, UserRow};
use crate::db::queries;
use crate::domain::identity::{Bin, Iin};
use crate::domain::ids::UserId;
use crate::domain::roles::Role;
use crate::error::Lang;
use crate::error::{AppError, ErrorCode};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Who changes an account.
#[derive(Debug, Clone, Copy)]
pub enum ChangedBy<'a> {
    /// The server's command line (an operator with access to the machine).
    Cli,
    Admin(&'a CurrentUser),
}

impl ChangedBy<'_> {
    fn actor(&self) -> String {
        match self {
            ChangedBy::Cli => "cli".into(),
            ChangedBy::Admin(u) => u.id.to_string(),
        }
    }

    fn check(&self) -> Result<(), AppError> {
        match self {
            ChangedBy::Admin(u) if u.role != Role::Admin => {
                Err(AppError::new(ErrorCode::ActionNotPermitted))
            }
            _ => Ok(()),
        }
    }
}

/// A new account.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAccount {
    pub login: String,
    pub full_name: String,
    pub role: Role,
    /// Required for staff: the provider or ЦОН the account works for.
    #[serde(default)]
    pub provider: Option<String>,
    #[serde(default)]
    pub iin: Option<String>,
    #[serde(default)]
    pub bin: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    /// At least 12 characters; without it one is generated and shown once.
    #[serde(default)]
    pub password: Option<String>,
}

/// A change to an account; absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountChange {
    #[serde(default)]
    pub role: Option<Role>,
    #[serde(default)]
    pub provider: Option<String>,
    #[serde(default)]
    pub active: Option<bool>,
}

/// An account as administrators see it (never the password hash).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AccountView {
    pub id: UserId,
    pub login: String,
    pub full_name: String,
    pub role: Role,
    pub provider: Option<String>,
    pub active: bool,
    /// Only in the answer that created the account, when the password was generated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initial_password: Option<String>,
}

impl From<&UserRow> for AccountView {
    fn from(u: &UserRow) -> Self {
        AccountView {
            id: u.id.clone(),
            login: u.login.clone(),
            full_name: u.full_name.clone(),
            role: u.role,
            provider: u.provider_code.clone(),
            active: u.active,
            initial_password: None,
        }
    }
}

pub const MIN_PASSWORD: usize = 12;

pub(crate) fn invalid(what: &str) -> AppError {
    AppError::with(ErrorCode::FieldInvalid, what.to_string())
}

/// A login: 3–64 of a-z, A-Z, 0-9, `.`, `_`, `-` (every account, staff or registered).
pub(crate) fn check_login(login: &str) -> Result<(), AppError> {
    let ok = (3..=64).contains(&login.len())
        && login
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    ok.then_some(())
        .ok_or_else(|| invalid("login: 3–64 of a-z, A-Z, 0-9, . _ -"))
}

/// A chosen password: at least [`MIN_PASSWORD`] characters, at most 1 KiB.
pub(crate) fn check_password(password: &str) -> Result<(), AppError> {
    let ok = password.chars().count() >= MIN_PASSWORD && password.len() <= 1024;
    ok.then_some(())
        .ok_or_else(|| invalid("password: at least 12 characters"))
}

/// Staff work for a provider; applicants and administrators for none.
fn check_role_provider(role: Role, provider: Option<&str>) -> Result<(), AppError> {
    let plausible = |p: &str| {
        (2..=64).contains(&p.len())
            && p.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    match (role.is_staff() && role != Role::Admin, provider) {
        (true, Some(p)) if plausible(p) => Ok(()),
        (true, Some(_)) => Err(invalid("provider: 2–64 of a-z, 0-9, -")),
        (true, None) => Err(invalid("provider: required for a staff role")),
        (false, Some(_)) => Err(invalid("provider: only staff accounts have one")),
        (false, None) => Ok(()),
    }
}

/// Remembers the language of a person's mail (their sign-in's `Accept-Language`).
pub fn set_language(app: &App, user: &UserId, lang: crate::error::Lang) -> Result<(), AppError> {
    app.store
        .write(|c| queries::set_user_lang(c, user, lang.as_str(), false))
}

/// The language the user chose with the pages' switch: kept on every later sign-in.
pub fn choose_language(app: &App, user: &UserId, lang: crate::error::Lang) -> Result<(), AppError> {
    app.store
        .write(|c| queries::set_user_lang(c, user, lang.as_str(), true))
}

fn audit(
    app: &App,
    user: &UserId,
    by: ChangedBy<'_>,
    action: &str,
    detail: String,
) -> AccountAuditRow {
    AccountAuditRow {
        id: uuid::Uuid::now_v7().to_string(),
        user_id: user.clone(),
        actor: by.actor(),
        action: action.to_string(),
        detail,
        at: app.now().naive_utc(),
    }
}

fn generated_password() -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut b = [0u8; 15];
    rand::thread_rng().fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

pub fn add(app: &App, by: ChangedBy<'_>, a: NewAccount) -> Result<AccountView, AppError> {
    by.check()?;
    check_login(&a.login)?;
    let name = a.full_name.trim();
    if name.is_empty() || name.chars().count() > 300 {
        return Err(invalid("full_name: 1–300 characters"));
    }
    check_role_provider(a.role, a.provider.as_deref())?;
    let iin = a.iin.as_deref().map(Iin::parse).transpose()?;
    let bin = a.bin.as_deref().map(Bin::parse).transpose()?;
    let (password, generated) = match a.password {
        Some(p) => {
            check_password(&p)?;
            (p, false)
        }
        None => (generated_password(), true),
    };
    let row = UserRow {
        id: UserId::generate(),
        login: a.login.clone(),
        password_hash: hash_password(&password)?,
        role: a.role,
        full_name: name.to_string(),
        iin,
        bin,
        email: a.email.clone(),
        provider_code: a.provider.clone(),
        active: true,
        created_at: app.now().naive_utc(),
        lang: Lang::Ru.as_str().to_string(),
        lang_chosen: false,
    };
    let entry = audit(
        app,
        &row.id,
        by,
        "created",
        format!(
            "role {}, provider {}",
            a.role,
            a.provider.as_deref().unwrap_or("-")
        ),
    );
    app.store.write(|c| {
        if queries::user_by_login(c, &row.login)?.is_some() {
            return Err(AppError::with(
                ErrorCode::FieldInvalid,
                "login: already taken",
            ));
        }
        queries::insert_user(c, &row)?;
        queries::insert_account_audit(c, &entry)
    })?;
    tracing::info!(login = %row.login, role = %row.role, "account created");
    let mut view = AccountView::from(&row);
    view.initial_password = generated.then_some(password);
    Ok(view)
}

pub fn list(app: &App, by: ChangedBy<'_>) -> Result<Vec<AccountView>, AppError> {
    by.check()?;
    let users = app.store.read(queries::all_users)?;
    Ok(users.iter().map(AccountView::from).collect())
}

pub fn change(
    app: &App,
    by: ChangedBy<'_>,
    login: &str,
    ch: AccountChange,
) -> Result<AccountView, AppError> {
    by.check()?;
    app.store
        .write(|c| {
            let mut u = queries::user_by_login(c, login)?
                .ok_or_else(|| AppError::with(ErrorCode::NotFound, "account"))?;
            let mut what = Vec::new();
            if let Some(role) = ch.role {
                if role != u.role {
                    what.push(format!("role {} → {role}", u.role));
                    u.role = role;
                    // A role without a provider, or a staff role keeping its provider.
                    if !role.is_staff() || role == Role::Admin {
                        u.provider_code = None;
                    }
                }
            }
            if let Some(p) = &ch.provider {
                if u.provider_code.as_deref() != Some(p) {
                    what.push(format!(
                        "provider {} → {p}",
                        u.provider_code.as_deref().unwrap_or("-")
                    ));
                    u.provider_code = Some(p.clone());
                }
            }
            check_role_provider(u.role, u.provider_code.as_deref())?;
            if let Some(active) = ch.active {
                if active != u.active {
                    what.push(if active { "enabled" } else { "disabled" }.to_string());
                    u.active = active;
                }
            }
            if let ChangedBy::Admin(admin) = by {
                if admin.id == u.id && (!u.active || u.role != Role::Admin) {
                    return Err(AppError::with(
                        ErrorCode::ActionNotPermitted,
                        "an administrator cannot disable or demote their own account",
                    ));
                }
            }
            if what.is_empty() {
                return Ok(u);
            }
            queries::update_account(c, &u)?;
            if !u.active {
                queries::delete_sessions_of(c, &u.id)?;
            }
            let entry = audit(app, &u.id, by, "changed", what.join("; "));
            queries::insert_account_audit(c, &entry)?;
            Ok(u)
        })
        .map(|u| AccountView::from(&u))
}
