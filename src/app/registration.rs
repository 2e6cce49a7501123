//! Applicant registration (R-000-14, R-003-15, R-004-25): a person proves their IIN (or a
//! company representative their IIN and BIN) by signing a one-time server challenge with
//! their certificate (chain, revocation and key usage checked as for requests), then chooses
//! a login and a password. The name comes from ГБД ФЛ when the person is found there, else
//! from the certificate. One account per IIN; every registration is audited.

use super::accounts::{check_login, check_password, invalid, AccountView};
use super::auth::hash_password;
use super::App;
use crate::db::models::{AccountAuditRow, ChallengeRow, UserRow};
use crate::db::queries;
use crate::domain::identity::{Bin, Iin};
use crate::domain::ids::UserId;
use crate::domain::roles::Role;
use crate::error::Lang;
use crate::error::{AppError, ErrorCode};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How long a challenge may be signed.
pub const CHALLENGE_MINUTES: i64 = 10;

/// What the applicant signs.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Challenge {
    /// Sign these exact bytes (UTF-8), detached CMS.
    pub challenge: String,
    pub expires_at: DateTime<Utc>,
}

/// A registration: the signed challenge and the account's login and password.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Registration {
    pub challenge: String,
    /// Detached CMS over the challenge, base64 (standard alphabet).
    pub signature: String,
    pub login: String,
    pub password: String,
    #[serde(default)]
    pub email: Option<String>,
}

pub fn challenge(app: &App) -> Result<Challenge, AppError> {
    use base64::Engine;
    use rand::RngCore;
    let mut raw = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut raw);
    let text = format!(
        "ruqsat-registration:{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
    );
    let now = app.now();
    let expires_at = now + chrono::Duration::minutes(CHALLENGE_MINUTES);
    app.store.write(|c| {
        queries::purge_challenges(c, now.naive_utc())?;
        queries::insert_challenge(
            c,
            &ChallengeRow {
                challenge: text.clone(),
                expires_at: expires_at.naive_utc(),
            },
        )
    })?;
    Ok(Challenge {
        challenge: text,
        expires_at,
    })
}

pub fn register(app: &App, r: Registration) -> Result<AccountView, AppError> {
    use base64::Engine;
    check_login(&r.login)?;
    check_password(&r.password)?;
    if r.challenge.len() > 200 || r.signature.len() > 64 * 1024 {
        return Err(AppError::new(ErrorCode::ChallengeInvalid));
    }
    let cms = base64::engine::general_purpose::STANDARD
        .decode(r.signature.trim())
        .map_err(|_| invalid("signature: base64 of a detached CMS"))?;
    let now = app.now();
    let signer = app
        .pki
        .verifier
        .verify(r.challenge.as_bytes(), &cms, None, now)
        .map_err(|f| AppError::with(f.code(), f.to_string()))?;
    let iin = signer
        .iin
        .as_deref()
        .map(Iin::parse)
        .transpose()?
        .ok_or_else(|| {
            AppError::with(
                ErrorCode::SignerIdentityMismatch,
                "no IIN in the certificate",
            )
        })?;
    let bin = signer.bin.as_deref().map(Bin::parse).transpose()?;
    let full_name = match app.persons.find_person(iin.as_str()) {
        Ok(p) => p.full_name(),
        Err(_) => signer.subject_cn.clone(),
    };
    let row = UserRow {
        id: UserId::generate(),
        login: r.login.clone(),
        password_hash: hash_password(&r.password)?,
        role: Role::Applicant,
        full_name,
        iin: Some(iin.clone()),
        bin,
        email: r.email.clone().filter(|e| !e.trim().is_empty()),
        provider_code: None,
        active: true,
        created_at: now.naive_utc(),
        lang: Lang::Ru.as_str().to_string(),
        lang_chosen: false,
    };
    app.store.write(|c| {
        // Single use: the challenge is gone once it registered someone.
        if !queries::take_challenge(c, &r.challenge, now.naive_utc())? {
            return Err(AppError::new(ErrorCode::ChallengeInvalid));
        }
        if queries::applicant_by_iin(c, &iin)?.is_some() {
            return Err(AppError::new(ErrorCode::AccountExists));
        }
        if queries::user_by_login(c, &row.login)?.is_some() {
            return Err(invalid("login: already taken"));
        }
        queries::insert_user(c, &row)?;
        queries::insert_account_audit(
            c,
            &AccountAuditRow {
                id: uuid::Uuid::now_v7().to_string(),
                user_id: row.id.clone(),
                actor: "self".into(),
                action: "registered".into(),
                detail: format!("certificate {} of {}", signer.serial_hex, signer.issuer),
                at: now.naive_utc(),
            },
        )
    })?;
    tracing::info!(login = %row.login, "applicant registered");
    Ok(AccountView::from(&row))
}
