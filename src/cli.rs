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
    /// Demo PKI: `pki init --dir DIR` creates root, intermediate, user PKCS#12 files and CRLs.
    Pki {
        #[command(subcommand)]
        command: PkiCommand,
    },
    /// Verify a CMS signature exactly as the API does; prints OK or the refusal code and
    /// message, and exits 0 only when valid.
    VerifySignature {
        #[arg(long)]
        payload: PathBuf,
        #[arg(long)]
        cms: PathBuf,
        /// Trusted root certificate(s), PEM; repeatable.
        #[arg(long, required = true)]
        trust: Vec<PathBuf>,
        /// CRL file(s) (DER or PEM); without it CRLs are fetched from the certificates' URLs.
        #[arg(long)]
        crl: Vec<PathBuf>,
        #[arg(long, conflicts_with = "bin")]
        iin: Option<String>,
        #[arg(long)]
        bin: Option<String>,
        /// Verification time (RFC 3339); default now.
        #[arg(long)]
        at: Option<String>,
    },
    /// Sign a payload (from `GET …/signing-payload`) with a PKCS#12 file, as an applicant would;
    /// writes a detached CMS (DER).
    Sign {
        #[arg(long)]
        p12: PathBuf,
        /// PKCS#12 password (default: the demo password).
        #[arg(long, default_value = crate::pki::DEMO_P12_PASSWORD)]
        password: String,
        #[arg(long)]
        payload: PathBuf,
        #[arg(long)]
        out: PathBuf,
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

#[derive(Debug, Subcommand)]
pub enum PkiCommand {
    /// Create (or load, if present) the demo PKI in DIR.
    Init {
        #[arg(long)]
        dir: PathBuf,
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
        _ => "warn",
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
        Command::Pki {
            command: PkiCommand::Init { dir },
        } => pki_init(&config, &dir),
        Command::VerifySignature {
            payload,
            cms,
            trust,
            crl,
            iin,
            bin,
            at,
        } => {
            return verify_signature(&payload, &cms, &trust, &crl, iin, bin, at.as_deref());
        }
        Command::Sign {
            p12,
            password,
            payload,
            out,
        } => sign(&p12, &password, &payload, &out),
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

fn pki_init(config: &Config, dir: &std::path::Path) -> anyhow::Result<()> {
    let spec = crate::app::signing::demo_spec(&config.public_url)?;
    let pki = crate::pki::init_demo_pki(dir, &spec)?;
    println!(
        "demo PKI {} in {}",
        if pki.created { "created" } else { "loaded" },
        dir.display()
    );
    println!("  root CA:  {}", pki.root_cert.display());
    println!("  CRL:      {}", pki.intermediate_crl.display());
    for u in &pki.users {
        println!(
            "  {:<18} {}{}",
            u.file_stem,
            u.p12.display(),
            if u.revoked { "  (revoked)" } else { "" }
        );
    }
    println!("  PKCS#12 password: {}", crate::pki::DEMO_P12_PASSWORD);
    Ok(())
}

/// Same verifier as the API (`app::signing`). Exit 0 only when valid; the verdict is last.
fn verify_signature(
    payload: &std::path::Path,
    cms: &std::path::Path,
    trust: &[PathBuf],
    crl: &[PathBuf],
    iin: Option<String>,
    bin: Option<String>,
    at: Option<&str>,
) -> i32 {
    let run =
        || -> anyhow::Result<Result<crate::pki::VerifiedSigner, crate::pki::SignatureFailure>> {
            let payload = std::fs::read(payload)?;
            let cms = std::fs::read(cms)?;
            let store = crate::pki::TrustStore::from_pem_files(trust)?;
            let crls: std::sync::Arc<dyn crate::pki::CrlSource> = if crl.is_empty() {
                std::sync::Arc::new(crate::pki::HttpCrlSource::new(
                    std::time::Duration::from_secs(10),
                ))
            } else {
                std::sync::Arc::new(crate::pki::FileCrlSource::from_files(crl)?)
            };
            let at = match at {
                Some(s) => chrono::DateTime::parse_from_rfc3339(s)?.with_timezone(&chrono::Utc),
                None => chrono::Utc::now(),
            };
            let expected = match (iin, bin) {
                (Some(i), _) => Some(crate::pki::ExpectedSigner::Iin(i)),
                (_, Some(b)) => Some(crate::pki::ExpectedSigner::Bin(b)),
                _ => None,
            };
            Ok(
                crate::pki::Verifier::new(store, crls).verify(
                    &payload,
                    &cms,
                    expected.as_ref(),
                    at,
                ),
            )
        };
    match run() {
        Ok(Ok(s)) => {
            println!(
                "signer: {} (IIN {:?}, BIN {:?}), serial {}, {}",
                s.subject_cn, s.iin, s.bin, s.serial_hex, s.algorithm
            );
            println!("OK");
            0
        }
        Ok(Err(f)) => {
            println!("{}: {}", f.code(), f.message("en"));
            println!("{}: {}", f.code(), f.message("ru"));
            1
        }
        Err(e) => {
            eprintln!("ruqsat: error: {e:#}");
            2
        }
    }
}

fn sign(
    p12: &std::path::Path,
    password: &str,
    payload: &std::path::Path,
    out: &std::path::Path,
) -> anyhow::Result<()> {
    let key = crate::pki::SigningKey::from_p12(&std::fs::read(p12)?, password)?;
    let cms = key.sign_detached(&std::fs::read(payload)?, chrono::Utc::now())?;
    std::fs::write(out, &cms)?;
    println!(
        "signed {} bytes with {}: {}",
        cms.len(),
        p12.display(),
        out.display()
    );
    Ok(())
}
