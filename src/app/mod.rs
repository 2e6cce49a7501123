//! Use cases. Each public function here is one thing a user (or Ruqsat itself) does;
//! HTTP handlers, the CLI and the demo all call these, never the database directly.

pub mod access_log;
pub mod accounts;
pub mod auth;
pub mod booking;
pub mod clinic_day;
pub mod clinics;
pub mod engine;
pub mod home_call;
pub mod licences;
pub mod notify;
pub mod outbox;
pub mod password_reset;
pub mod payments;
pub mod phc;
pub mod questionnaire;
pub mod registration;
pub mod requests;
pub mod results;
pub mod signing;
pub mod views;
pub mod yearly;

use crate::config::Config;
use crate::db::Store;
use crate::domain::calendar::WorkingCalendar;
use crate::domain::catalog::Catalog;
use crate::domain::money::FeeTable;
use crate::files::FileStore;
use crate::registries::{CompanyRegistry, PersonRegistry};
use chrono::{DateTime, Utc};
use include_dir::{include_dir, Dir};
use std::sync::Arc;

/// The catalog shipped in the binary (`catalog/`); `catalog_dir` overrides it file by file
/// ([`crate::catalog_source`]).
pub static CATALOG_DIR: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/catalog");

/// Time source; tests inject a fixed clock to travel in time.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// The real clock shifted by an offset that can be set or advanced: it keeps running at the
/// real pace from wherever it was put. Tests use it to let deadlines and sessions pass.
pub struct SettableClock(std::sync::Mutex<chrono::Duration>);

impl SettableClock {
    /// Starts at the real current time.
    pub fn new() -> SettableClock {
        SettableClock(std::sync::Mutex::new(chrono::Duration::zero()))
    }

    /// Starts at `now`.
    pub fn at(now: DateTime<Utc>) -> SettableClock {
        let clock = SettableClock::new();
        clock.set(now);
        clock
    }

    /// From now on the clock reads `now` (and runs on from there).
    pub fn set(&self, now: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = now - Utc::now();
    }

    /// Moves the clock forward by `by` (backward if negative).
    pub fn advance(&self, by: chrono::Duration) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) += by;
    }
}

impl Default for SettableClock {
    fn default() -> Self {
        SettableClock::new()
    }
}

impl Clock for SettableClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Everything a use case needs: configuration, storage, catalog and the outside systems.
#[derive(Clone)]
pub struct App {
    pub config: Arc<Config>,
    pub store: Store,
    pub catalog: Arc<Catalog>,
    /// Clinics, doctors and their schedules (`catalog/clinics.toml`).
    pub clinics: Arc<crate::domain::clinics::ClinicRegister>,
    pub fees: Arc<FeeTable>,
    pub calendar: Arc<WorkingCalendar>,
    /// Document wording (compiled in, or overridden by `templates_dir`).
    pub templates: Arc<crate::pdf::Templates>,
    /// The web pages: templates, messages in ru/kk/en, static assets ([`crate::web`]).
    pub pages: Arc<crate::web::Pages>,
    /// Mail wording (`templates/mail`), ru/kk/en.
    pub mail_templates: Arc<crate::mail::MailTemplates>,
    pub files: FileStore,
    pub persons: Arc<dyn PersonRegistry>,
    pub companies: Arc<dyn CompanyRegistry>,
    pub clock: Arc<dyn Clock>,
    pub pki: Arc<signing::Pki>,
    pub payments: Arc<payments::PaymentsPort>,
    /// Bounds concurrent password checks, so a login flood cannot grow memory.
    pub argon: Arc<auth::ArgonGate>,
    /// Where the outbox sends mail: SMTP (`smtp_url`) or `data_dir/mail` (docs/mail.md).
    pub mailer: Arc<dyn crate::mail::Mailer>,
}

impl App {
    /// Builds the application from configuration ([`crate::startup::build`]).
    pub fn build(config: Config) -> anyhow::Result<App> {
        crate::startup::build(config)
    }

    /// Builds the application on an open store with a given clock
    /// ([`crate::startup::build_with`]).
    pub fn with_store(config: Config, store: Store, clock: Arc<dyn Clock>) -> anyhow::Result<App> {
        crate::startup::build_with(config, store, clock)
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Whether the database answers a query (for `/health`).
    pub fn database_reachable(&self) -> bool {
        self.store
            .read(|c| crate::db::queries::count_users(c).map(|_| ()))
            .is_ok()
    }

    /// `sqlite` or `postgres`.
    pub fn backend_name(&self) -> &'static str {
        match self.store.backend() {
            crate::db::Backend::Sqlite => "sqlite",
            crate::db::Backend::Postgres => "postgres",
        }
    }
}
