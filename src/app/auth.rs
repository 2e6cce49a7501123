//! Users, passwords (argon2) and sessions. A session token is random (256 bits); only its
//! SHA-256 is stored, so a database leak does not leak live sessions. The same token works
//! as a bearer token (API) and as the `ruqsat_session` cookie (pages).
//!
//! Login failures say only "wrong login or password" (R-000-17, R-003-18, R-004-15).

use super::App;
use crate::db::models::{SessionRow, UserRow};
use crate::db::queries;
use crate::domain::identity::{Bin, Iin};
use crate::domain::ids::UserId;
use crate::domain::roles::Role;
use crate::error::AppError;
use crate::error::ErrorCode;
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// The authenticated user of a call.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: UserId,
    pub login: String,
    pub role: Role,
    pub full_name: String,
    pub iin: Option<Iin>,
    pub bin: Option<Bin>,
    pub email: Option<String>,
    /// The provider (or ЦОН) a staff account works for.
    pub provider: Option<String>,
}

impl TryFrom<UserRow> for CurrentUser {
    type Error = AppError;
    fn try_from(u: UserRow) -> Result<Self, AppError> {
        Ok(CurrentUser {
            id: u.id,
            login: u.login,
            role: u.role,
            full_name: u.full_name,
            iin: u.iin,
            bin: u.bin,
            email: u.email,
            provider: u.provider_code,
        })
    }
}

pub fn hash_password(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(AppError::internal)
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A hash to verify against when the login is unknown, so timing does not reveal which
/// logins exist.
static DUMMY_HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Checks the password and opens a session. Returns the token (shown once) and the user.
pub fn login(app: &App, login: &str, password: &str) -> Result<(String, CurrentUser), AppError> {
    let user = app.store.read(|c| queries::user_by_login(c, login))?;
    let ok = match &user {
        Some(u) if u.active => verify_password(password, &u.password_hash),
        _ => {
            let dummy =
                DUMMY_HASH.get_or_init(|| hash_password("dummy-password").unwrap_or_default());
            let _ = verify_password(password, dummy);
            false
        }
    };
    let user = match (ok, user) {
        (true, Some(u)) => u,
        _ => {
            tracing::warn!(login, "login refused");
            return Err(AppError::new(ErrorCode::InvalidCredentials));
        }
    };
    let mut raw = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut raw);
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw);
    let now = app.now().naive_utc();
    let row = SessionRow {
        token_hash: token_hash(&token),
        user_id: user.id.clone(),
        created_at: now,
        expires_at: now + chrono::Duration::hours(app.config.session_ttl_hours),
    };
    app.store.write(|c| queries::insert_session(c, &row))?;
    tracing::info!(login, role = %user.role, "login");
    Ok((token, CurrentUser::try_from(user)?))
}

/// Resolves a token to its user, or `UNAUTHENTICATED`.
pub fn authenticate(app: &App, token: &str) -> Result<CurrentUser, AppError> {
    let hash = token_hash(token);
    if let Some(u) = app.sessions.get(&hash, app.now()) {
        return Ok(u);
    }
    let now = app.now().naive_utc();
    let user = app
        .store
        .read(|c| queries::session_user(c, &hash, now))?
        .ok_or_else(|| AppError::new(ErrorCode::Unauthenticated))?;
    let user = CurrentUser::try_from(user)?;
    app.sessions.put(hash, user.clone(), app.now());
    Ok(user)
}

/// The cached user of a token, if any: no database read and no thread hop (the HTTP
/// extractor tries this first).
pub fn authenticate_cached(app: &App, token: &str) -> Option<CurrentUser> {
    app.sessions.get(&token_hash(token), app.now())
}

pub fn logout(app: &App, token: &str) -> Result<(), AppError> {
    let hash = token_hash(token);
    app.sessions.remove(&hash);
    app.store.write(|c| queries::delete_session(c, &hash))
}

/// Recently authenticated sessions, by token hash, for [`SessionCache::TTL`]: every API call
/// authenticates, and a database read plus a blocking-thread hop per call is most of a
/// small request's cost. Logout removes the entry at once on this instance; another
/// instance may accept a logged-out token for at most `TTL`. A deactivated user likewise.
#[derive(Default)]
pub struct SessionCache {
    entries: std::sync::RwLock<
        std::collections::HashMap<String, (CurrentUser, chrono::DateTime<chrono::Utc>)>,
    >,
}

impl SessionCache {
    pub const TTL_SECONDS: i64 = 10;
    const MAX_ENTRIES: usize = 100_000;

    pub fn get(&self, hash: &str, now: chrono::DateTime<chrono::Utc>) -> Option<CurrentUser> {
        let map = self.entries.read().unwrap_or_else(|p| p.into_inner());
        map.get(hash)
            .filter(|(_, at)| (now - *at).num_seconds() < Self::TTL_SECONDS && now >= *at)
            .map(|(u, _)| u.clone())
    }

    pub fn put(&self, hash: String, user: CurrentUser, now: chrono::DateTime<chrono::Utc>) {
        let mut map = self.entries.write().unwrap_or_else(|p| p.into_inner());
        if map.len() >= Self::MAX_ENTRIES {
            map.retain(|_, (_, at)| (now - *at).num_seconds() < Self::TTL_SECONDS);
            if map.len() >= Self::MAX_ENTRIES {
                map.clear();
            }
        }
        map.insert(hash, (user, now));
    }

    pub fn remove(&self, hash: &str) {
        self.entries
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .remove(hash);
    }
}

/// Input for a new user account.
pub struct NewUser<'a> {
    pub login: &'a str,
    pub password: &'a str,
    pub role: Role,
    pub full_name: &'a str,
    pub iin: Option<&'a str>,
    pub bin: Option<&'a str>,
    pub email: Option<&'a str>,
    pub provider_code: Option<&'a str>,
}

pub fn create_user(app: &App, u: &NewUser<'_>) -> Result<UserId, AppError> {
    let iin = u.iin.map(Iin::parse).transpose()?;
    let bin = u.bin.map(Bin::parse).transpose()?;
    let row = UserRow {
        id: UserId::generate(),
        login: u.login.to_string(),
        password_hash: hash_password(u.password)?,
        role: u.role,
        full_name: u.full_name.to_string(),
        iin,
        bin,
        email: u.email.map(str::to_string),
        provider_code: u.provider_code.map(str::to_string),
        active: true,
        created_at: app.now().naive_utc(),
    };
    let id = row.id.clone();
    app.store.write(|c| queries::insert_user(c, &row))?;
    Ok(id)
}
