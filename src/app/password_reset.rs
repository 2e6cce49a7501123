//! Password reset by e-mail (docs/access.md, "Password reset").
//!
//! 1. `request`: for an active account with an e-mail address, a one-time token (256 bits,
//!    stored as its SHA-256) valid for [`VALID_MINUTES`] and a mail with it, both in one
//!    transaction with the audit entry. The answer is the same whether or not the login
//!    exists or has an address, so it reveals nothing; a second request within a minute
//!    sends nothing new.
//! 2. `confirm`: the token and a new password; the token (and every other of the account)
//!    is spent, the password set, every session of the account ended, the login throttle
//!    cleared, and the change audited.

use super::outbox::{self, NewMail};
use super::App;
use crate::db::models::{AccountAuditRow, PasswordResetRow};
use crate::db::queries;
use crate::error::{AppError, ErrorCode, Lang};
use base64::Engine as _;
use rand::RngCore;

/// How long a reset token is valid.
pub const VALID_MINUTES: i64 = 60;

/// Asks for a reset mail for `login`, worded in `lang`. Always `Ok` for a well-formed login.
pub fn request(app: &App, login: &str, lang: Lang) -> Result<(), AppError> {
    super::accounts::check_login(login)?;
    let now = app.now();
    let mut raw = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut raw);
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw);
    let sent = app.store.write(|c| {
        let Some(user) = queries::user_by_login(c, login)? else {
            return Ok(false);
        };
        let Some(email) = user.email.clone().filter(|_| user.active) else {
            return Ok(false);
        };
        let fresh = queries::latest_reset_expiry(c, &user.id)?
            .is_some_and(|e| e > (now + chrono::Duration::minutes(VALID_MINUTES - 1)).naive_utc());
        if fresh {
            return Ok(false);
        }
        queries::insert_password_reset(
            c,
            &PasswordResetRow {
                token_hash: super::auth::token_hash(&token),
                user_id: user.id.clone(),
                expires_at: (now + chrono::Duration::minutes(VALID_MINUTES)).naive_utc(),
                used_at: None,
            },
        )?;
        let link = format!(
            "{}/reset-password?token={token}",
            app.config.public_url.trim_end_matches('/')
        );
        let minutes = VALID_MINUTES.to_string();
        let text = app
            .mail_templates
            .render(
                "password_reset",
                lang,
                &[
                    ("name", &user.full_name),
                    ("login", &user.login),
                    ("token", &token),
                    ("link", &link),
                    ("minutes", &minutes),
                ],
            )
            .ok_or_else(|| AppError::internal("mail template password_reset"))?;
        outbox::enqueue(
            app,
            c,
            NewMail {
                kind: "password_reset",
                to: email,
                lang,
                subject: text.subject,
                text: text.text,
                html: text.html,
                request: None,
                document: None,
            },
        )?;
        queries::insert_account_audit(c, &audit(app, &user.id, "password_reset_requested"))?;
        Ok(true)
    })?;
    if sent {
        tracing::info!(login, "password reset mail queued");
    }
    Ok(())
}

/// Sets a new password with a reset token.
pub fn confirm(app: &App, token: &str, password: &str) -> Result<(), AppError> {
    super::accounts::check_password(password)?;
    let hash = super::auth::hash_password(password)?;
    let now = app.now().naive_utc();
    let login = app.store.write(|c| {
        let user_id = queries::take_password_reset(c, &super::auth::token_hash(token), now)?
            .ok_or_else(|| AppError::new(ErrorCode::ResetTokenInvalid))?;
        let user = queries::user_by_id(c, &user_id)?
            .filter(|u| u.active)
            .ok_or_else(|| AppError::new(ErrorCode::ResetTokenInvalid))?;
        queries::set_password_hash(c, &user.id, &hash)?;
        queries::delete_sessions_of(c, &user.id)?;
        queries::clear_throttle(c, &format!("login:{}", user.login))?;
        queries::insert_account_audit(c, &audit(app, &user.id, "password_reset"))?;
        Ok(user.login)
    })?;
    tracing::info!(login, "password reset");
    Ok(())
}

fn audit(app: &App, user: &crate::domain::ids::UserId, action: &str) -> AccountAuditRow {
    AccountAuditRow {
        id: uuid::Uuid::now_v7().to_string(),
        user_id: user.clone(),
        actor: user.to_string(),
        action: action.to_string(),
        detail: String::new(),
        at: app.now().naive_utc(),
    }
}
