//! Persistence: the one module that speaks SQL. SQLite (embedded default) and
//! PostgreSQL share one schema ([`schema`]) and one code path ([`DbConnection`] is a
//! diesel `MultiConnection`); only the migration folders differ.
//!
//! Writes go through [`Store::write`]: one transaction per state change. The two hot state
//! changes, creating a request and moving it without issuing a document, have their own
//! entry points ([`Store::create_request`], [`Store::record_change`]): on PostgreSQL each is
//! one self-contained statement, with no `BEGIN`/`COMMIT` round trips (docs/performance.md).
//! On SQLite, writers are serialised by an in-process lock so a transaction never fails to
//! upgrade its read lock (`SQLITE_BUSY`); readers run concurrently under WAL.

mod combined;
pub mod models;
pub mod queries;
pub mod schema;
pub mod types;

use crate::error::AppError;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{
    ConnectionManager, CustomizeConnection, ManageConnection, Pool, PooledConnection,
};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use models::{HistoryRow, RequestRow};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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

/// How long after a use that ended well a connection is handed out again without a
/// liveness check.
const FRESH: Duration = Duration::from_secs(1);

/// A pooled connection and what the pool knows of its last use.
struct Pooled {
    conn: DbConnection,
    returned_at: Instant,
    last_use_failed: bool,
}

/// diesel's connection manager with a cheaper liveness check on checkout. diesel's sends
/// `SELECT 1` every time: one round trip in three of a PostgreSQL state change. Here a
/// connection back within [`FRESH`] from a use that ended without a server-side error is
/// handed out as is; one idle for longer, or whose last use failed (e.g. the server closed
/// it), is checked with `SELECT 1` first and replaced if that fails. A connection that dies
/// while hot fails the one use that finds out (an error answer, nothing written), and is
/// checked before its next.
#[derive(Debug)]
struct Manager(ConnectionManager<DbConnection>);

impl ManageConnection for Manager {
    type Connection = Pooled;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<Pooled, Self::Error> {
        Ok(Pooled {
            conn: self.0.connect()?,
            returned_at: Instant::now(),
            last_use_failed: false,
        })
    }

    fn is_valid(&self, c: &mut Pooled) -> Result<(), Self::Error> {
        if !c.last_use_failed && c.returned_at.elapsed() < FRESH {
            return Ok(());
        }
        self.0.is_valid(&mut c.conn)?;
        c.last_use_failed = false;
        Ok(())
    }

    fn has_broken(&self, c: &mut Pooled) -> bool {
        c.returned_at = Instant::now();
        self.0.has_broken(&mut c.conn)
    }
}

#[derive(Debug)]
struct SqlitePragmas;

impl CustomizeConnection<Pooled, diesel::r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut Pooled) -> Result<(), diesel::r2d2::Error> {
        if let DbConnection::Sqlite(c) = &mut conn.conn {
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

type Conn = PooledConnection<Manager>;

/// The database handle shared by the whole application.
#[derive(Clone)]
pub struct Store {
    pool: Pool<Manager>,
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
            // WAL is a property of the file: switch it once, on one connection, before the
            // pool opens several at once (concurrent switches of a new file can fail with
            // "database is locked" even with a busy timeout).
            let mut first = diesel::SqliteConnection::establish(url)
                .map_err(|e| anyhow::anyhow!("cannot open database {}: {e}", redact(url)))?;
            first
                .batch_execute("PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL;")
                .map_err(|e| anyhow::anyhow!("cannot open database {}: {e}", redact(url)))?;
        }
        let manager = Manager(ConnectionManager::<DbConnection>::new(url));
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
        let applied = match &mut conn.conn {
            DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS),
            DbConnection::Pg(c) => c.run_pending_migrations(PG_MIGRATIONS),
        }
        .map_err(|e| anyhow::anyhow!("migration failed: {e}"))?;
        Ok(applied.iter().map(|v| v.to_string()).collect())
    }

    fn conn(&self) -> Result<Conn, AppError> {
        self.pool.get().map_err(AppError::internal)
    }

    /// One pooled connection for a use case that reads, decides, then writes: one pool
    /// checkout instead of one per step.
    pub fn session(&self) -> Result<Session<'_>, AppError> {
        Ok(Session {
            store: self,
            conn: self.conn()?,
        })
    }

    /// Runs read-only queries.
    pub fn read<T>(
        &self,
        f: impl FnOnce(&mut DbConnection) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        self.session()?.read(f)
    }

    /// Runs `f` in one transaction: all of it commits or none of it does.
    pub fn write<T>(
        &self,
        f: impl FnOnce(&mut DbConnection) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        self.session()?.write(f)
    }

    /// [`Session::create_request`] on a connection of its own.
    pub fn create_request(
        &self,
        counter: &str,
        build: impl FnOnce(i64) -> Result<(RequestRow, HistoryRow), AppError>,
    ) -> Result<RequestRow, AppError> {
        self.session()?.create_request(counter, build)
    }

    /// [`Session::record_change`] on a connection of its own.
    pub fn record_change(&self, next: &RequestRow, entry: &HistoryRow) -> Result<(), AppError> {
        self.session()?.record_change(next, entry)
    }
}

/// A pooled connection held for one use case ([`Store::session`]). Reads see committed data;
/// each write is atomic on its own.
pub struct Session<'s> {
    store: &'s Store,
    conn: Conn,
}

impl Session<'_> {
    /// Runs read-only queries.
    pub fn read<T>(
        &mut self,
        f: impl FnOnce(&mut DbConnection) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        let r = f(&mut self.conn.conn);
        self.noted(r)
    }

    /// Runs `f`, whose writes are atomic on PostgreSQL without a transaction around them
    /// (one statement; `nextval` is outside transactions anyway), in a transaction under the
    /// writer lock on SQLite.
    fn atomic<T>(
        &mut self,
        f: impl FnOnce(&mut DbConnection) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        match self.store.backend {
            Backend::Postgres => self.read(f),
            Backend::Sqlite => self.write(f),
        }
    }

    /// Notes a server-side failure, so the pool checks the connection before its next use.
    fn noted<T>(&mut self, r: Result<T, AppError>) -> Result<T, AppError> {
        if matches!(&r, Err(e) if e.status >= 500) {
            self.conn.last_use_failed = true;
        }
        r
    }

    /// Runs `f` in one transaction: all of it commits or none of it does.
    pub fn write<T>(
        &mut self,
        f: impl FnOnce(&mut DbConnection) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        let store = self.store;
        let _guard = match &store.write_lock {
            Some(l) => Some(
                l.lock()
                    .map_err(|_| AppError::internal("sqlite write lock poisoned"))?,
            ),
            None => None,
        };
        let r = self.conn.conn.transaction(f);
        self.noted(r)
    }

    /// Creates a request with its first history entry. `build` gets the next value of the
    /// named counter and returns both rows. PostgreSQL: `nextval`, then one statement.
    /// SQLite: one transaction under the writer lock.
    pub fn create_request(
        &mut self,
        counter: &str,
        build: impl FnOnce(i64) -> Result<(RequestRow, HistoryRow), AppError>,
    ) -> Result<RequestRow, AppError> {
        self.atomic(|c| {
            let (row, first) = build(queries::next_counter(c, counter)?)?;
            queries::insert_request(c, &row, &first)?;
            Ok(row)
        })
    }

    /// Records one state change ([`queries::record_change`]): on PostgreSQL one statement,
    /// on SQLite one transaction under the writer lock.
    pub fn record_change(&mut self, next: &RequestRow, entry: &HistoryRow) -> Result<(), AppError> {
        self.atomic(|c| queries::record_change(c, next, entry))
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
