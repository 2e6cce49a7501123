//! Use cases. Each public function here is one thing a user (or Ruqsat itself) does;
//! HTTP handlers, the CLI and the demo all call these, never the database directly.

pub mod auth;
pub mod engine;
pub mod licences;
pub mod payments;
pub mod requests;
pub mod results;
pub mod seed;
pub mod signing;
pub mod views;

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

/// The catalog shipped in the binary (`catalog/`).
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

/// Everything a use case needs: configuration, storage, catalog and the outside systems.
#[derive(Clone)]
pub struct App {
    pub config: Arc<Config>,
    pub store: Store,
    pub catalog: Arc<Catalog>,
    pub fees: Arc<FeeTable>,
    pub calendar: Arc<WorkingCalendar>,
    pub files: FileStore,
    pub persons: Arc<dyn PersonRegistry>,
    pub companies: Arc<dyn CompanyRegistry>,
    pub clock: Arc<dyn Clock>,
    pub pki: Arc<signing::Pki>,
    pub payments: Arc<payments::PaymentsPort>,
    pub sessions: Arc<auth::SessionCache>,
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
