//! The `ruqsat` command line: `serve` (default), `migrate`, `demo`, `bench`.

use crate::app::App;
use crate::config::Config;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "ruqsat",
    version,
    about = "Ruqsat: back-office for Kazakh e-government licensing and public services"
)]
pub struct Cli {
    /// Configuration file (TOML). Default: $RUQSAT_CONFIG, else ./ruqsat.toml if present.
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the HTTP API (the default command).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Run every flow end to end against a fresh temporary database; write DIR/summary.json.
    Demo {
        #[arg(long)]
        out: PathBuf,
        /// Use this database instead of a temporary SQLite file (e.g. a scratch PostgreSQL database).
        #[arg(long)]
        database_url: Option<String>,
    },
    /// Measure request creation + submission over HTTP (throughput, p50/p99 latency).
    Bench {
        /// Concurrent clients.
        #[arg(long, default_value_t = 32)]
        clients: usize,
        /// Requests (create + submit pairs) in total.
        #[arg(long, default_value_t = 4000)]
        requests: usize,
        /// Database to measure; default a temporary SQLite file. Give a postgres:// URL of a
        /// scratch database to measure PostgreSQL.
        #[arg(long)]
        database_url: Option<String>,
    },
}

pub fn init_tracing(format: &str, default_filter: &str) {
    use tracing_subscriber::{fmt, EnvFilter};
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    let _ = if format == "json" {
        fmt().with_env_filter(filter).json().try_init()
    } else {
        fmt().with_env_filter(filter).try_init()
    };
}

/// Entry point used by `main`. Returns the process exit code.
pub fn run() -> i32 {
    let cli = Cli::parse();
    let config = match Config::load(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("ruqsat: {e}");
            return 2;
        }
    };
    let command = cli.command.unwrap_or(Command::Serve);
    // The demo and the benchmark print their own progress; keep logs to warnings there.
    let default_filter = match command {
        Command::Serve | Command::Migrate => "info,actix_server=warn",
        Command::Demo { .. } | Command::Bench { .. } => "warn",
    };
    init_tracing(&config.log_format, default_filter);
    let result = match command {
        Command::Serve => serve(config),
        Command::Migrate => migrate(config),
        Command::Demo { out, database_url } => crate::demo::run(&out, database_url),
        Command::Bench {
            clients,
            requests,
            database_url,
        } => crate::bench::run(clients, requests, database_url),
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("ruqsat: error: {e:#}");
            1
        }
    }
}

fn migrate(config: Config) -> anyhow::Result<()> {
    let store = crate::db::Store::open(&config.database_url, 1)?;
    let applied = store.migrate()?;
    println!(
        "{} migration(s) applied on {}",
        applied.len(),
        crate::db::redact(&config.database_url)
    );
    for m in applied {
        println!("  {m}");
    }
    Ok(())
}

fn serve(config: Config) -> anyhow::Result<()> {
    std::fs::create_dir_all(&config.data_dir)?;
    let listen = config.listen;
    let db = crate::db::redact(&config.database_url);
    let app = App::build(config)?;
    let listener = std::net::TcpListener::bind(listen)
        .map_err(|e| anyhow::anyhow!("cannot listen on {listen}: {e}"))?;
    tracing::info!(%listen, database = %db, "Ruqsat serving on http://{listen}");
    actix_web::rt::System::new().block_on(async move {
        let server = crate::http::serve(app, listener, None)?;
        server.await
    })?;
    Ok(())
}
