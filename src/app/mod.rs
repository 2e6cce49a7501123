//! Use cases. Each public function here is one thing a user (or Ruqsat itself) does;
//! HTTP handlers, the CLI and the demo all call these, never the database directly.

pub mod auth;
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
use std::collections::BTreeSet;
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

/// Loads and validates the embedded catalog against the embedded fee table.
pub fn load_catalog(fees: &FeeTable) -> anyhow::Result<Catalog> {
    let wf = CATALOG_DIR
        .get_file("workflows.toml")
        .and_then(|f| f.contents_utf8())
        .ok_or_else(|| anyhow::anyhow!("catalog/workflows.toml missing"))?;
    let services_dir = CATALOG_DIR
        .get_dir("services")
        .ok_or_else(|| anyhow::anyhow!("catalog/services missing"))?;
    let mut services = Vec::new();
    for f in services_dir.files() {
        if f.path().extension().is_some_and(|e| e == "toml") {
            let text = f
                .contents_utf8()
                .ok_or_else(|| anyhow::anyhow!("{} is not UTF-8", f.path().display()))?;
            services.push((format!("catalog/{}", f.path().display()), text.to_string()));
        }
    }
    let rules: BTreeSet<String> = fees.rule_names().into_iter().collect();
    Ok(Catalog::from_sources(
        ("catalog/workflows.toml", wf),
        &services,
        &rules,
    )?)
}

impl App {
    /// Builds the application from configuration: opens the database, applies migrations,
    /// loads the catalog and wires the outside systems.
    pub fn build(config: Config) -> anyhow::Result<App> {
        let store = Store::open(&config.database_url, config.db_pool_size)?;
        store.migrate()?;
        App::with_store(config, store, Arc::new(SystemClock))
    }

    pub fn with_store(config: Config, store: Store, clock: Arc<dyn Clock>) -> anyhow::Result<App> {
        let fees = FeeTable::embedded()?;
        let catalog = load_catalog(&fees)?;
        results::check_templates(&catalog)?;
        let calendar = WorkingCalendar::kz()?;
        let files = FileStore::new(config.data_dir.join("files"))?;
        let (persons, companies): (Arc<dyn PersonRegistry>, Arc<dyn CompanyRegistry>) =
            match &config.registry_url {
                Some(url) => {
                    let client = Arc::new(crate::registries::http::HttpRegistryClient::new(
                        url,
                        std::time::Duration::from_millis(config.registry_timeout_ms),
                    )?);
                    (client.clone(), client)
                }
                None => {
                    let embedded = Arc::new(crate::registries::embedded::EmbeddedRegistry::demo()?);
                    (embedded.clone(), embedded)
                }
            };
        let pki = signing::build_pki(&config)?;
        let payments = Arc::new(payments::PaymentsPort::build(&config)?);
        let app = App {
            config: Arc::new(config),
            store,
            catalog: Arc::new(catalog),
            fees: Arc::new(fees),
            calendar: Arc::new(calendar),
            files,
            persons,
            companies,
            clock,
            pki,
            payments,
            sessions: Arc::new(auth::SessionCache::default()),
        };
        if app.config.demo_data {
            seed::seed_demo_users(&app)?;
        }
        Ok(app)
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
}
