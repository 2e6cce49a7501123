//! The `ruqsat` command line: `serve` (default), `migrate`, `demo`, `bench`, `catalog check`, …

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
        /// Keep the run's files (documents, PKI) here. Default: a temporary directory, or,
        /// with --database-url, the server's data directory (RUQSAT_DATA_DIR, else `data`),
        /// so `ruqsat serve` on that database can send the mail the run could not.
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// Seconds to wait for the run's mail to be sent before exiting with the list of
        /// what is left.
        #[arg(long, default_value_t = 30)]
        mail_wait: u64,
    },
    /// Catalog data: `catalog check DIR` validates an override directory (a `catalog_dir`)
    /// laid over the compiled-in catalog, without starting the server or touching a
    /// database; prints what it loaded and exits 0, or prints each problem as
    /// `file:line: field: message` and exits 1.
    Catalog {
        #[command(subcommand)]
        command: CatalogCommand,
    },
    /// Accounts: `users add|list|disable|enable|set-role` (every change audited).
    Users {
        #[command(subcommand)]
        command: UsersCommand,
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
    /// Verify a signed Ruqsat PDF: byte ranges, CMS, chain to the given roots, revocation,
    /// and the document's registry status; prints the findings, `VALID` or `INVALID: …`
    /// last, and exits 0 only when valid (1 invalid, 2 error).
    Verify {
        /// The signed PDF.
        file: PathBuf,
        /// Trusted root certificate(s), PEM; repeatable.
        #[arg(long, required = true)]
        trust: Vec<PathBuf>,
        /// CRL file(s) (DER or PEM); without it CRLs are fetched from the certificates' URLs.
        #[arg(long)]
        crl: Vec<PathBuf>,
        /// Verification time (RFC 3339); default now.
        #[arg(long)]
        at: Option<String>,
        /// Ruqsat server whose registry gives the document's current status (valid,
        /// superseded, suspended, terminated); without it the status is not checked.
        #[arg(long)]
        server: Option<String>,
    },
    /// Sign as an applicant would, with a PKCS#12 file. Either online, `--request NUMBER`:
    /// log in to the server, fetch the request's signing payload, sign it and submit the
    /// signature (prints the registered request); or offline, `--payload FILE --out FILE`:
    /// write a detached CMS (DER) over the file.
    #[command(group(clap::ArgGroup::new("what").required(true).args(["request", "payload"])))]
    Sign {
        #[arg(long)]
        p12: PathBuf,
        /// PKCS#12 password (default: the demo password).
        #[arg(long, default_value = crate::demo::pki::DEMO_P12_PASSWORD)]
        password: String,
        /// Request number to sign on the server, e.g. LIC-2026-000001.
        #[arg(long, requires = "login")]
        request: Option<String>,
        /// Server base URL (default: the configured public_url).
        #[arg(long)]
        server: Option<String>,
        /// Login of the applicant (or operator) the request belongs to.
        #[arg(long)]
        login: Option<String>,
        /// Their password (default for demo users: `<login>-demo`).
        #[arg(long)]
        login_password: Option<String>,
        #[arg(long, requires = "out", conflicts_with = "request")]
        payload: Option<PathBuf>,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Payments: `payments reconcile --date YYYY-MM-DD` compares the gateway's statement of a
    /// day with the ledger (matched, missing locally, missing at the gateway, amount
    /// mismatch, paid but tied to no submitted request = refund candidates). Read-only.
    Payments {
        #[command(subcommand)]
        command: PaymentsCommand,
    },
    /// Benchmarks: request creation + submission over HTTP (throughput, p50/p99 latency),
    /// signature verification next to `openssl speed`. Prints figures.
    Bench {
        /// What to measure: http, verify, pdf, slots, scale (repeatable; default all but
        /// scale).
        #[arg(long, value_parser = ["http", "verify", "pdf", "slots", "scale"])]
        suite: Vec<String>,
        /// Requests the scale suite fills the database with (an empty scratch database, or
        /// one it filled before with as many).
        #[arg(long, default_value_t = 100_000)]
        rows: usize,
        /// Open-loop rate of the http suite, in create+submit pairs per second; without it,
        /// half the closed-loop maximum measured in the same run.
        #[arg(long)]
        rate: Option<u32>,
        /// Concurrent clients.
        #[arg(long, default_value_t = 32)]
        clients: usize,
        /// Requests (create + submit pairs) in total.
        #[arg(long, default_value_t = 4000)]
        requests: usize,
        /// Database connections of the server under test (default: `db_pool_size`).
        #[arg(long)]
        pool: Option<u32>,
        /// Database to measure; default a temporary SQLite file. Give a postgres:// URL of a
        /// scratch database to measure PostgreSQL.
        #[arg(long)]
        database_url: Option<String>,
        /// pdf suite: signed e-licences per run.
        #[arg(long, default_value_t = 400)]
        pdf_documents: usize,
        /// pdf suite: sign with this PKCS#12 file (e.g. DIR/users/official.p12 of
        /// `ruqsat pki init`) instead of a temporary demo PKI's official.
        #[arg(long)]
        pdf_p12: Option<PathBuf>,
        /// Password of `--pdf-p12`.
        #[arg(long, default_value = crate::demo::pki::DEMO_P12_PASSWORD)]
        pdf_p12_password: String,
        /// pdf suite: also write one signed sample e-licence to DIR/licence.pdf and its data
        /// to DIR/licence.json (what `benches/pdf_peer.py` reproduces).
        #[arg(long)]
        pdf_sample: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum PaymentsCommand {
    Reconcile {
        /// Business day (Kazakhstan time), e.g. 2026-11-23.
        #[arg(long)]
        date: chrono::NaiveDate,
        /// Print the report as JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum CatalogCommand {
    /// Validate DIR (fees.toml, calendar/kz.toml, services/*.toml, workflows.toml) over the
    /// compiled-in catalog, and optionally a templates directory over the compiled-in
    /// templates.
    Check {
        /// The directory to check, laid out like `catalog/` (without it, only the templates
        /// directory, or only the compiled-in data).
        dir: Option<PathBuf>,
        /// A `templates_dir` to check as well (documents/*.toml, pages/verify.html).
        #[arg(long)]
        templates: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Create an account (e.g. the first administrator when demo data is off). The password
    /// is read from standard input with `--password-stdin`, else generated and printed once.
    Add {
        #[arg(long)]
        login: String,
        #[arg(long)]
        role: crate::domain::roles::Role,
        /// Full name, as printed on documents the account signs.
        #[arg(long)]
        name: String,
        /// The provider or ЦОН a staff account works for.
        #[arg(long)]
        provider: Option<String>,
        #[arg(long)]
        iin: Option<String>,
        #[arg(long)]
        bin: Option<String>,
        #[arg(long)]
        email: Option<String>,
        #[arg(long)]
        password_stdin: bool,
    },
    /// List the accounts.
    List,
    /// Disable an account (its sessions end at once).
    Disable { login: String },
    /// Enable a disabled account.
    Enable { login: String },
    /// Change an account's role (and provider, which staff roles need).
    SetRole {
        login: String,
        role: crate::domain::roles::Role,
        #[arg(long)]
        provider: Option<String>,
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
        // The demo runs without a server: the sandbox's callbacks have nowhere to go and
        // the demo confirms its payment by a status query instead.
        Command::Demo { .. } => "warn,ruqsat::demo::gateway=error",
        _ => "warn",
    };
    init_tracing(&config.log_format, default_filter);
    let result = match command {
        Command::Serve => serve(config),
        Command::Migrate => migrate(config),
        Command::Demo {
            out,
            database_url,
            data_dir,
            mail_wait,
        } => crate::demo::run(
            &out,
            crate::demo::flows::RunOptions {
                database_url,
                data_dir,
                mail_wait: std::time::Duration::from_secs(mail_wait),
            },
        ),
        Command::Bench {
            suite,
            rows,
            rate,
            clients,
            requests,
            pool,
            database_url,
            pdf_documents,
            pdf_p12,
            pdf_p12_password,
            pdf_sample,
        } => {
            let all = suite.is_empty();
            let wants = |s: &str| all || suite.iter().any(|x| x == s);
            let mut r = Ok(());
            if wants("http") {
                r = crate::bench::run(clients, requests, database_url.clone(), pool, rate);
            }
            if r.is_ok() && wants("verify") {
                r = crate::bench::verify::run(std::time::Duration::from_secs(3));
            }
            if r.is_ok() && wants("pdf") {
                r = crate::bench::pdf_run(&crate::bench::PdfBenchOptions {
                    documents: pdf_documents,
                    p12: pdf_p12,
                    p12_password: pdf_p12_password,
                    sample_dir: pdf_sample,
                });
            }
            if r.is_ok() && wants("slots") {
                r = crate::bench::slots::run(database_url.clone(), 300);
            }
            if r.is_ok() && suite.iter().any(|x| x == "scale") {
                r = crate::bench::scale::run(rows, database_url, 300);
            }
            r
        }
        Command::Pki {
            command: PkiCommand::Init { dir },
        } => pki_init(&config, &dir),
        Command::Catalog {
            command: CatalogCommand::Check { dir, templates },
        } => {
            return crate::catalog_source::check_command(
                dir.as_deref(),
                templates.as_deref(),
                chrono::Utc::now().date_naive(),
            );
        }
        Command::Payments {
            command: PaymentsCommand::Reconcile { date, json },
        } => reconcile(config, date, json),
        Command::Users { command } => users(config, command),
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
        Command::Verify {
            file,
            trust,
            crl,
            at,
            server,
        } => {
            let lookup = server.map(|base| move |id: &str| registry_status(&base, id));
            return crate::pdf::verify_cli(
                &file,
                &trust,
                &crl,
                at.as_deref(),
                lookup.as_ref().map(|l| l as &dyn crate::pdf::StatusLookup),
                &mut std::io::stdout(),
            );
        }
        Command::Sign {
            p12,
            password,
            request,
            server,
            login,
            login_password,
            payload,
            out,
        } => match (request, payload, out) {
            (Some(number), _, _) => {
                let login = login.unwrap_or_default();
                let login_password = login_password.unwrap_or_else(|| format!("{login}-demo"));
                let server = server.unwrap_or_else(|| config.public_url.clone());
                sign_request(&p12, &password, &server, &login, &login_password, &number)
            }
            (None, Some(payload), Some(out)) => sign(&p12, &password, &payload, &out),
            _ => Err(anyhow::anyhow!(
                "give --request NUMBER, or --payload FILE --out FILE"
            )),
        },
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("ruqsat: error: {e:#}");
            1
        }
    }
}

fn reconcile(config: Config, date: chrono::NaiveDate, json: bool) -> anyhow::Result<()> {
    let app = App::build(config)?;
    let report = crate::app::payments::reconcile(&app, date, &mut |p| eprintln!("{p}"))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!("{report}");
    }
    Ok(())
}

fn users(config: Config, command: UsersCommand) -> anyhow::Result<()> {
    use crate::app::accounts::{self, AccountChange, ChangedBy, NewAccount};
    let app = App::build(config)?;
    let fail = |e: crate::error::AppError| anyhow::anyhow!("{e}");
    let show = |a: &accounts::AccountView| {
        println!(
            "{}\t{}\t{}\t{}\t{}",
            a.login,
            a.role,
            a.provider.as_deref().unwrap_or("-"),
            if a.active { "active" } else { "disabled" },
            a.full_name
        )
    };
    match command {
        UsersCommand::Add {
            login,
            role,
            name,
            provider,
            iin,
            bin,
            email,
            password_stdin,
        } => {
            let password = if password_stdin {
                let mut line = String::new();
                std::io::stdin().read_line(&mut line)?;
                Some(line.trim_end_matches(['\r', '\n']).to_string())
            } else {
                None
            };
            let a = accounts::add(
                &app,
                ChangedBy::Cli,
                NewAccount {
                    login,
                    full_name: name,
                    role,
                    provider,
                    iin,
                    bin,
                    email,
                    password,
                },
            )
            .map_err(fail)?;
            show(&a);
            if let Some(p) = &a.initial_password {
                println!("initial password (shown once): {p}");
            }
        }
        UsersCommand::List => {
            for a in accounts::list(&app, ChangedBy::Cli).map_err(fail)? {
                show(&a);
            }
        }
        UsersCommand::Disable { login } => {
            let change = AccountChange {
                active: Some(false),
                ..Default::default()
            };
            show(&accounts::change(&app, ChangedBy::Cli, &login, change).map_err(fail)?);
        }
        UsersCommand::Enable { login } => {
            let change = AccountChange {
                active: Some(true),
                ..Default::default()
            };
            show(&accounts::change(&app, ChangedBy::Cli, &login, change).map_err(fail)?);
        }
        UsersCommand::SetRole {
            login,
            role,
            provider,
        } => {
            let change = AccountChange {
                role: Some(role),
                provider,
                active: None,
            };
            show(&accounts::change(&app, ChangedBy::Cli, &login, change).map_err(fail)?);
        }
    }
    Ok(())
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
    let spec = crate::demo::seed::demo_spec(&config.public_url)?;
    let pki = crate::demo::pki::init_demo_pki(dir, &spec)?;
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
    println!(
        "  PKCS#12 password: {}",
        crate::demo::pki::DEMO_P12_PASSWORD
    );
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
                (Some(i), _) => Some(crate::pki::ExpectedSigner::Iin(i.trim().to_string())),
                (_, Some(b)) => Some(crate::pki::ExpectedSigner::Bin(b.trim().to_string())),
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
            println!("{}: {}", f.code(), f.message(crate::error::Lang::En));
            println!("{}: {}", f.code(), f.message(crate::error::Lang::Ru));
            1
        }
        Err(e) => {
            eprintln!("ruqsat: error: {e:#}");
            2
        }
    }
}

/// The registry status of a document from a Ruqsat server (`GET /api/v1/verify/{id}`):
/// `None` when the server does not know it; an unreachable server is reported as the status
/// `unreachable`, which is not acceptable — asked to check the status, we fail closed.
fn registry_status(base: &str, id: &str) -> crate::pdf::RegistryStatus {
    use crate::pdf::RegistryStatus;
    let url = format!("{}/api/v1/verify/{id}", base.trim_end_matches('/'));
    let answer = reqwest::blocking::Client::builder()
        .timeout(std::time::Duration::from_secs(15))
        .build()
        .and_then(|c| c.get(&url).send());
    match answer {
        Ok(r) if r.status() == reqwest::StatusCode::NOT_FOUND => RegistryStatus::NotFound,
        Ok(r) if r.status().is_success() => r
            .json::<serde_json::Value>()
            .ok()
            .and_then(|v| v["document"]["status"].as_str()?.parse().ok())
            .map_or_else(
                || RegistryStatus::Unanswered("unreadable answer".into()),
                RegistryStatus::Found,
            ),
        Ok(r) => RegistryStatus::Unanswered(format!("unreachable (HTTP {})", r.status())),
        Err(e) => {
            eprintln!("ruqsat: registry {url}: {e}");
            RegistryStatus::Unanswered("unreachable".into())
        }
    }
}

/// `ruqsat sign --request`: the applicant's side of R-003-23..28 from the command line.
fn sign_request(
    p12: &std::path::Path,
    p12_password: &str,
    server: &str,
    login: &str,
    login_password: &str,
    number: &str,
) -> anyhow::Result<()> {
    use anyhow::Context;
    let key = crate::pki::SigningKey::from_p12(&std::fs::read(p12)?, p12_password)?;
    let base = server.trim_end_matches('/');
    let http = reqwest::blocking::Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .build()?;
    let fail = |what: &str, resp: reqwest::blocking::Response| -> anyhow::Error {
        let status = resp.status();
        let body = resp.text().unwrap_or_default();
        anyhow::anyhow!("{what}: HTTP {status}: {body}")
    };
    let resp = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"login": login, "password": login_password}))
        .send()
        .with_context(|| format!("cannot reach {base}"))?;
    if !resp.status().is_success() {
        return Err(fail("login", resp));
    }
    let token = resp
        .json::<serde_json::Value>()?
        .get("token")
        .and_then(|t| t.as_str())
        .map(str::to_string)
        .ok_or_else(|| anyhow::anyhow!("login: no token in the answer"))?;
    let resp = http
        .get(format!("{base}/api/v1/requests/{number}/signing-payload"))
        .bearer_auth(&token)
        .send()?;
    if !resp.status().is_success() {
        return Err(fail("signing payload", resp));
    }
    let payload = resp.bytes()?;
    let cms = key.sign_detached(&payload, chrono::Utc::now())?;
    let resp = http
        .post(format!("{base}/api/v1/requests/{number}/signature"))
        .bearer_auth(&token)
        .header("content-type", "application/pkcs7-signature")
        .body(cms)
        .send()?;
    if !resp.status().is_success() {
        return Err(fail("signature refused", resp));
    }
    let view: serde_json::Value = resp.json()?;
    println!(
        "{number}: signed by {} and {}",
        key.certificate().tbs_certificate.subject,
        view.get("state").and_then(|s| s.as_str()).unwrap_or("?")
    );
    Ok(())
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
