//! Users, passwords (argon2) and sessions. A session token is random (256 bits); only its
//! SHA-256 is stored, so a database leak does not leak live sessions. The same token works
//! as a bearer token (API) and as the `ruqsat_session` cookie (pages).
//!
//! Login failures say only "wrong login or password" (R-000-17, R-003-18, R-004-15).

use super::App;
use crate::db::models::{SessionRow, ThrottleRow, UserRow};
use crate::db::queries;
use crate::domain::identity::{Bin, Iin};
use crate::domain::ids::UserId;
use crate::domain::roles::Role;
use crate::domain::throttle;
use crate::error::AppError;
use crate::error::ErrorCode;
use crate::error::Lang;
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
    /// The language of the user's pages and mail.
    pub lang: Lang,
    /// `lang` was chosen with the pages' switch (else it is the last sign-in's browser's).
    pub lang_chosen: bool,
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
            lang: Lang::from_tag(&u.lang),
            lang_chosen: u.lang_chosen,
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

pub(crate) fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A hash to verify against when the login is unknown, so timing does not reveal which
/// logins exist.
static DUMMY_HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// The throttle keys of an attempt: the account, and the address it came from.
fn throttle_keys(login: &str, address: Option<&str>) -> Vec<(String, throttle::Limits)> {
    let mut keys = vec![(format!("login:{login}"), throttle::ACCOUNT)];
    if let Some(a) = address {
        keys.push((format!("addr:{a}"), throttle::ADDRESS));
    }
    keys
}

/// `TOO_MANY_ATTEMPTS` while any of `keys` is blocked.
fn throttled(app: &App, keys: &[String], now: chrono::NaiveDateTime) -> Result<(), AppError> {
    let rows = app.store.read(|c| queries::throttle_rows(c, keys))?;
    match rows
        .iter()
        .filter_map(|r| throttle::retry_after(r.blocked_until, now))
        .max()
    {
        Some(secs) => {
            tracing::warn!(key = %keys[0], "login throttled");
            Err(AppError::retry_after(ErrorCode::TooManyAttempts, secs))
        }
        None => Ok(()),
    }
}

/// Checks the password and opens a session. Returns the token (shown once) and the user.
///
/// Throttled per account and per address (`domain::throttle`, counts in the database so every
/// instance agrees): while a key is blocked, every attempt, right or wrong, is refused with
/// `TOO_MANY_ATTEMPTS` and `Retry-After`, and costs no password check. Password checks run
/// through [`ArgonGate`]. A successful login clears the account's failures and purges
/// expired sessions.
pub fn login(
    app: &App,
    login: &str,
    password: &str,
    address: Option<&str>,
) -> Result<(String, CurrentUser), AppError> {
    if login.is_empty() || login.len() > 100 || password.len() > 1024 {
        return Err(AppError::new(ErrorCode::InvalidCredentials));
    }
    let now = app.now().naive_utc();
    let keys = throttle_keys(login, address);
    let names: Vec<String> = keys.iter().map(|(k, _)| k.clone()).collect();
    throttled(app, &names, now)?;
    let user = app.store.read(|c| queries::user_by_login(c, login))?;
    let hash = user
        .as_ref()
        .filter(|u| u.active)
        .map(|u| u.password_hash.clone());
    let (job_app, job_names, job_password) = (app.clone(), names.clone(), password.to_string());
    let ok = app.argon.run(move || {
        // Checked again when the check's turn comes: attempts that queued while a block
        // began do not reach the password check.
        throttled(&job_app, &job_names, now)?;
        Ok::<bool, AppError>(match hash {
            Some(h) => verify_password(&job_password, &h),
            None => {
                let dummy =
                    DUMMY_HASH.get_or_init(|| hash_password("dummy-password").unwrap_or_default());
                let _ = verify_password(&job_password, dummy);
                false
            }
        })
    })??;
    let user = match (ok, user) {
        (true, Some(u)) => u,
        _ => {
            tracing::warn!(login, "login refused");
            app.store.write(|c| {
                let rows = queries::throttle_rows(c, &names)?;
                for (key, limits) in &keys {
                    let previous = rows
                        .iter()
                        .find(|r| &r.key == key)
                        .map(|r| (r.failures, r.last_failure));
                    let (failures, blocked_until) = throttle::after_failure(*limits, previous, now);
                    queries::put_throttle(
                        c,
                        &ThrottleRow {
                            key: key.clone(),
                            failures,
                            last_failure: now,
                            blocked_until,
                        },
                    )?;
                }
                Ok(())
            })?;
            return Err(AppError::new(ErrorCode::InvalidCredentials));
        }
    };
    let mut raw = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut raw);
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw);
    let row = SessionRow {
        token_hash: token_hash(&token),
        user_id: user.id.clone(),
        created_at: now,
        expires_at: now + chrono::Duration::hours(app.config.session_ttl_hours),
    };
    let account_key = &names[0];
    app.store.write(|c| {
        queries::clear_throttle(c, account_key)?;
        let purged = queries::purge_expired_sessions(c, now)?;
        if purged > 0 {
            tracing::info!(purged, "expired sessions deleted");
        }
        queries::insert_session(c, &row)
    })?;
    tracing::info!(login, role = %user.role, "login");
    Ok((token, CurrentUser::try_from(user)?))
}

/// Resolves a token to its user, or `UNAUTHENTICATED`. Read from the database on every call,
/// so a logout or a disabled account takes effect at once on every instance.
pub fn authenticate(app: &App, token: &str) -> Result<CurrentUser, AppError> {
    let hash = token_hash(token);
    let now = app.now().naive_utc();
    let user = app
        .store
        .read(|c| queries::session_user(c, &hash, now))?
        .ok_or_else(|| AppError::new(ErrorCode::Unauthenticated))?;
    CurrentUser::try_from(user)
}

pub fn logout(app: &App, token: &str) -> Result<(), AppError> {
    let hash = token_hash(token);
    app.store.write(|c| queries::delete_session(c, &hash))
}

/// Runs Argon2 password checks (each allocates about 19 MiB) on a few dedicated threads.
/// The allocator keeps a freed 19 MiB block in the arena of the thread that used it, so
/// checks on the general blocking pool grew memory with every thread that ever ran one;
/// here at most `threads` arenas ever hold one. At most [`ArgonGate::QUEUE`] checks wait;
/// beyond that, or after [`ArgonGate::WAIT`], the answer is `LOGIN_BUSY` (503,
/// `Retry-After`).
pub struct ArgonGate {
    jobs: std::sync::mpsc::SyncSender<Job>,
}

type Job = Box<dyn FnOnce() + Send>;

impl Default for ArgonGate {
    /// As many threads as cores, from 2 to 4.
    fn default() -> Self {
        let n = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 4));
        ArgonGate::new(n)
    }
}

impl ArgonGate {
    pub const WAIT: std::time::Duration = std::time::Duration::from_secs(10);
    pub const QUEUE: usize = 64;

    pub fn new(threads: usize) -> Self {
        let (jobs, queue) = std::sync::mpsc::sync_channel::<Job>(Self::QUEUE);
        let queue = std::sync::Arc::new(std::sync::Mutex::new(queue));
        for i in 0..threads.max(1) {
            let queue = queue.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("argon-{i}"))
                .spawn(move || loop {
                    let job = queue.lock().unwrap_or_else(|p| p.into_inner()).recv();
                    match job {
                        Ok(job) => job(),
                        Err(_) => return,
                    }
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start a password-check thread");
            }
        }
        ArgonGate { jobs }
    }

    /// Runs `check` on a password-check thread and waits for its answer.
    pub fn run<T: Send + 'static>(
        &self,
        check: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let busy = || AppError::retry_after(ErrorCode::LoginBusy, 2);
        let (answer, answered) = std::sync::mpsc::sync_channel(1);
        self.jobs
            .try_send(Box::new(move || {
                let _ = answer.send(check());
            }))
            .map_err(|_| busy())?;
        answered.recv_timeout(Self::WAIT).map_err(|_| busy())
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

/// The row of a new account whose password is already hashed.
pub fn user_row(app: &App, u: &NewUser<'_>, password_hash: String) -> Result<UserRow, AppError> {
    let iin = u.iin.map(Iin::parse).transpose()?;
    let bin = u.bin.map(Bin::parse).transpose()?;
    Ok(UserRow {
        id: UserId::generate(),
        login: u.login.to_string(),
        password_hash,
        role: u.role,
        full_name: u.full_name.to_string(),
        iin,
        bin,
        email: u.email.map(str::to_string),
        provider_code: u.provider_code.map(str::to_string),
        active: true,
        created_at: app.now().naive_utc(),
        lang: Lang::Ru.as_str().to_string(),
        lang_chosen: false,
    })
}
