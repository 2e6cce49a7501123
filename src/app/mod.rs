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

/// Everything a use case needs: configuration, storage, catalog and the outside systems.
#[derive(Clone)]
pub struct App {
    pub config: Arc<Config>,
    pub store: Store,
    pub catalog: Arc<Catalog>,
    pub fees: Arc<FeeTable>,
    pub calendar: Arc<WorkingCalendar>,
    /// Document wording (compiled in, or overridden by `templates_dir`).
    pub templates: Arc<crate::pdf::Templates>,
    /// The public verification page (`templates/pages/verify.html`).
    pub verify_page: Arc<str>,
    pub files: FileStore,
    pub persons: Arc<dyn PersonRegistry>,
    pub companies: Arc<dyn CompanyRegistry>,
    pub clock: Arc<dyn Clock>,
    pub pki: Arc<signing::Pki>,
    pub payments: Arc<payments::PaymentsPort>,
    pub sessions: Arc<auth::SessionCache>,
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
        let data = yearly::load_data(&config)?;
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
            catalog: Arc::new(data.catalog),
            fees: Arc::new(data.fees),
            calendar: Arc::new(data.calendar),
            templates: Arc::new(data.templates),
            verify_page: data.verify_page.into(),
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
