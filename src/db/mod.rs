//! Persistence: the one module that speaks SQL. SQLite (embedded default) and
//! PostgreSQL share one schema ([`schema`]) and one code path ([`DbConnection`] is a
//! diesel `MultiConnection`); only the migration folders differ.
//!
//! Writes go through [`Store::write`]: one transaction per state change. On SQLite, writers
//! are serialised by an in-process lock so a transaction never fails to upgrade its read
//! lock (`SQLITE_BUSY`); readers run concurrently under WAL.

pub mod models;
pub mod queries;
pub mod schema;

use crate::error::AppError;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool, PooledConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
pub const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// A connection to either backend. PostgreSQL is listed first: SQLite accepts any string.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Pg(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Backend {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

#[derive(Debug)]
struct SqlitePragmas;

impl CustomizeConnection<DbConnection, diesel::r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut DbConnection) -> Result<(), diesel::r2d2::Error> {
        if let DbConnection::Sqlite(c) = conn {
            // WAL for concurrent readers; NORMAL sync is durable across application crashes
            // (a power loss may lose the last commits but never corrupts the file).
            // busy_timeout first, so the switch to WAL waits for a concurrent opener.
            c.batch_execute(
                "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                 PRAGMA foreign_keys = ON;",
            )
            .map_err(diesel::r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

pub type Conn = PooledConnection<ConnectionManager<DbConnection>>;

/// The database handle shared by the whole application.
#[derive(Clone)]
pub struct Store {
    pool: Pool<ConnectionManager<DbConnection>>,
    backend: Backend,
    write_lock: Option<Arc<Mutex<()>>>,
}

impl Store {
    /// Opens a pool. For SQLite, `url` is a file path (created if missing).
    pub fn open(url: &str, max_size: u32) -> anyhow::Result<Store> {
        let backend = Backend::of_url(url);
        if backend == Backend::Sqlite {
            if let Some(parent) = std::path::Path::new(url).parent() {
                if !parent.as_os_str().is_empty() {
                    std::fs::create_dir_all(parent)?;
                }
            }
        }
        let manager = ConnectionManager::<DbConnection>::new(url);
        let pool = Pool::builder()
            .max_size(max_size)
            .connection_timeout(Duration::from_secs(10))
            .connection_customizer(Box::new(SqlitePragmas))
            .build(manager)
            .map_err(|e| anyhow::anyhow!("cannot open database {}: {e}", redact(url)))?;
        let write_lock = (backend == Backend::Sqlite).then(|| Arc::new(Mutex::new(())));
        Ok(Store {
            pool,
            backend,
            write_lock,
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Applies pending embedded migrations; returns their versions.
    pub fn migrate(&self) -> anyhow::Result<Vec<String>> {
        let mut conn = self.pool.get()?;
        let applied = match &mut *conn {
            DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS),
            DbConnection::Pg(c) => c.run_pending_migrations(PG_MIGRATIONS),
        }
        .map_err(|e| anyhow::anyhow!("migration failed: {e}"))?;
        Ok(applied.iter().map(|v| v.to_string()).collect())
    }

    fn conn(&self) -> Result<Conn, AppError> {
        self.pool.get().map_err(AppError::internal)
    }

    /// Runs read-only queries.
    pub fn read<T>(
        &self,
        f: impl FnOnce(&mut DbConnection) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        let mut conn = self.conn()?;
        f(&mut conn)
    }

    /// Runs `f` in one transaction: all of it commits or none of it does.
    pub fn write<T>(
        &self,
        f: impl FnOnce(&mut DbConnection) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        let mut conn = self.conn()?;
        let _guard = match &self.write_lock {
            Some(l) => Some(
                l.lock()
                    .map_err(|_| AppError::internal("sqlite write lock poisoned"))?,
            ),
            None => None,
        };
        let c: &mut DbConnection = &mut conn;
        c.transaction(f)
    }
}

/// Hides a password in a database URL for messages.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}
