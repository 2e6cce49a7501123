//! Configuration: defaults, then an optional TOML file, then environment variables.
//!
//! Every setting has one name used in both places: `listen` in the file is
//! `RUQSAT_LISTEN` in the environment (`database_url` is also read from `DATABASE_URL`).
//! An unknown key in the file, an unknown `RUQSAT_*` variable or a malformed value stops
//! the start with a message naming the setting. See README "Configuration".

use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct Config {
    /// SQLite file path, or a `postgres://` URL.
    pub database_url: String,
    pub listen: SocketAddr,
    /// Files (attachments, results, demo PKI) live under here; documents go to
    /// `storage_url` instead when it is set.
    pub data_dir: PathBuf,
    /// Base URL printed in documents and links.
    pub public_url: String,
    pub db_pool_size: u32,
    pub max_upload_bytes: usize,
    /// Seed demo users (and, in later steps, demo PKI and sandbox gateway) on first start.
    pub demo_data: bool,
    /// ГБД ФЛ / ГБД ЮЛ endpoint; empty = the embedded demo registry.
    pub registry_url: Option<String>,
    pub registry_timeout_ms: u64,
    pub session_ttl_hours: i64,
    /// `text` or `json` logs.
    pub log_format: String,
    /// PEM files of trusted root CAs for signature checks. Empty = the demo PKI under
    /// `data_dir/pki` (created on first start).
    pub trust_roots: Vec<PathBuf>,
    /// Fetch every CRL from this URL instead of the certificates' distribution points.
    pub crl_url: Option<String>,
    /// The provider's result-signing key (official's ЭЦП for e-licences, decisions, refusals):
    /// a PKCS#12 file (`.p12`/`.pfx`, with `signing_key_password`) or a PEM private key (with
    /// `signing_cert_file`). Unset with the demo PKI = the demo official's key.
    pub signing_key_file: Option<PathBuf>,
    pub signing_key_password: Option<Secret>,
    /// PEM certificate (and chain) of a PEM `signing_key_file`.
    pub signing_cert_file: Option<PathBuf>,
    /// Payment gateway (ПШЭП) base URL; empty = the embedded sandbox (demo data only).
    pub gateway_url: Option<String>,
    pub gateway_api_key: Option<Secret>,
    /// Shared secret of the gateway's HMAC-signed callbacks.
    pub gateway_callback_secret: Option<Secret>,
    pub gateway_timeout_ms: u64,
    /// Budget classification code (КБК) of licence fees (G-21: assumed).
    pub payment_kbk: String,
    /// Directory whose files override the compiled-in `catalog/` file by file (fees.toml,
    /// calendar/kz.toml, services/*.toml, workflows.toml). See `docs/yearly-data.md`.
    pub catalog_dir: Option<PathBuf>,
    /// Directory whose files override the compiled-in `templates/` file by file
    /// (documents/*.toml, pages/verify.html).
    pub templates_dir: Option<PathBuf>,
    /// SMTP server of outgoing mail (`smtp://host:port`, `smtp://…?tls=required`,
    /// `smtps://user:pass@host`); none = `.eml` files under `data_dir/mail`. docs/mail.md.
    pub smtp_url: Option<Secret>,
    /// The `From` of every message.
    pub mail_from: String,
    /// Wait after a message's first failed send; it doubles up to an hour.
    pub mail_retry_first_ms: u64,
    /// Failed sends after which a message is dead (an administrator may re-queue it).
    pub mail_max_attempts: u32,
    /// S3-compatible bucket of the documents (`s3://bucket/prefix?endpoint=…`, see
    /// [`crate::files::StorageUrl`]); none = `data_dir/files`. docs/storage.md. A secret: it
    /// may hold the access key.
    pub storage_url: Option<Secret>,
}

/// A secret setting: its `Debug` never shows the value, so it cannot reach a log line.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// The optional file. All keys optional; unknown keys are an error.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    database_url: Option<String>,
    listen: Option<String>,
    data_dir: Option<String>,
    public_url: Option<String>,
    db_pool_size: Option<u32>,
    max_upload_bytes: Option<usize>,
    demo_data: Option<bool>,
    registry_url: Option<String>,
    registry_timeout_ms: Option<u64>,
    session_ttl_hours: Option<i64>,
    log_format: Option<String>,
    trust_roots: Option<String>,
    crl_url: Option<String>,
    signing_key_file: Option<String>,
    signing_key_password: Option<String>,
    signing_cert_file: Option<String>,
    gateway_url: Option<String>,
    gateway_api_key: Option<String>,
    gateway_callback_secret: Option<String>,
    gateway_timeout_ms: Option<u64>,
    payment_kbk: Option<String>,
    catalog_dir: Option<String>,
    templates_dir: Option<String>,
    smtp_url: Option<String>,
    mail_from: Option<String>,
    mail_retry_first_ms: Option<u64>,
    mail_max_attempts: Option<u32>,
    storage_url: Option<String>,
}

/// Every setting name, for the file and (upper-cased, `RUQSAT_`-prefixed) the environment.
pub const SETTINGS: &[&str] = &[
    "database_url",
    "listen",
    "data_dir",
    "public_url",
    "db_pool_size",
    "max_upload_bytes",
    "demo_data",
    "registry_url",
    "registry_timeout_ms",
    "session_ttl_hours",
    "log_format",
    "trust_roots",
    "crl_url",
    "signing_key_file",
    "signing_key_password",
    "signing_cert_file",
    "gateway_url",
    "gateway_api_key",
    "gateway_callback_secret",
    "gateway_timeout_ms",
    "payment_kbk",
    "catalog_dir",
    "templates_dir",
    "smtp_url",
    "mail_from",
    "mail_retry_first_ms",
    "mail_max_attempts",
    "storage_url",
    "config",
];

/// `RUQSAT_*` variables read by the test suite and benchmarks, not by the server:
/// a shell that exports them for `cargo test` can still start `ruqsat`.
const TOOLING_VARS: &[&str] = &[
    "RUQSAT_REQUIRE_TOOLS",
    "RUQSAT_KEEP_PDFS",
    "RUQSAT_PDF_BENCH_N",
];

#[derive(Debug, thiserror::Error)]
#[error("configuration: setting `{setting}`: {message}")]
pub struct ConfigError {
    pub setting: String,
    pub message: String,
}

fn bad(setting: &str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        setting: setting.to_string(),
        message: message.into(),
    }
}

impl Config {
    /// Loads from the process environment and the file named by `--config`,
    /// `RUQSAT_CONFIG`, or `./ruqsat.toml` when present.
    pub fn load(config_path: Option<&Path>) -> Result<Config, ConfigError> {
        let env: Vec<(String, String)> = std::env::vars().collect();
        Config::from_parts(config_path, &env)
    }

    /// Loads from explicit environment pairs (tests pass their own).
    pub fn from_parts(
        config_path: Option<&Path>,
        env: &[(String, String)],
    ) -> Result<Config, ConfigError> {
        let get = |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        for (name, _) in env {
            if TOOLING_VARS.contains(&name.as_str()) {
                continue;
            }
            if let Some(rest) = name.strip_prefix("RUQSAT_") {
                if !SETTINGS.contains(&rest.to_ascii_lowercase().as_str()) {
                    return Err(bad(
                        name,
                        format!("unknown setting; known: {}", SETTINGS.join(", ")),
                    ));
                }
            }
        }
        let path = config_path
            .map(Path::to_path_buf)
            .or_else(|| get("RUQSAT_CONFIG").map(PathBuf::from))
            .or_else(|| Some(PathBuf::from("ruqsat.toml")).filter(|p| p.exists()));
        let file = match &path {
            Some(p) => {
                let text = std::fs::read_to_string(p)
                    .map_err(|e| bad("config", format!("{}: {e}", p.display())))?;
                toml::from_str::<FileConfig>(&text)
                    .map_err(|e| bad("config", format!("{}: {e}", p.display())))?
            }
            None => FileConfig::default(),
        };

        // env beats file beats default
        let pick = |key: &str, file_value: Option<String>| -> Option<String> {
            get(&format!("RUQSAT_{}", key.to_ascii_uppercase())).or(file_value)
        };
        fn parse<T: std::str::FromStr>(
            key: &str,
            v: Option<String>,
            default: T,
        ) -> Result<T, ConfigError>
        where
            T::Err: std::fmt::Display,
        {
            match v {
                None => Ok(default),
                Some(s) => s
                    .trim()
                    .parse::<T>()
                    .map_err(|e| bad(key, format!("`{s}`: {e}"))),
            }
        }

        let data_dir =
            PathBuf::from(pick("data_dir", file.data_dir).unwrap_or_else(|| "data".into()));
        let database_url = get("DATABASE_URL")
            .or_else(|| pick("database_url", file.database_url))
            .unwrap_or_else(|| data_dir.join("ruqsat.db").to_string_lossy().into_owned());
        if database_url.trim().is_empty() {
            return Err(bad("database_url", "must not be empty"));
        }
        let listen: SocketAddr = parse(
            "listen",
            pick("listen", file.listen),
            SocketAddr::from(([127, 0, 0, 1], 8080)),
        )?;
        let public_url =
            pick("public_url", file.public_url).unwrap_or_else(|| format!("http://{listen}"));
        url::Url::parse(&public_url)
            .map_err(|e| bad("public_url", format!("`{public_url}`: {e}")))?;
        let db_pool_size = parse(
            "db_pool_size",
            pick("db_pool_size", file.db_pool_size.map(|v| v.to_string())),
            16u32,
        )?;
        if db_pool_size == 0 {
            return Err(bad("db_pool_size", "must be at least 1"));
        }
        let max_upload_bytes = parse(
            "max_upload_bytes",
            pick(
                "max_upload_bytes",
                file.max_upload_bytes.map(|v| v.to_string()),
            ),
            10 * 1024 * 1024usize,
        )?;
        let demo_data = parse(
            "demo_data",
            pick("demo_data", file.demo_data.map(|v| v.to_string())),
            true,
        )?;
        let registry_url = pick("registry_url", file.registry_url).filter(|s| !s.trim().is_empty());
        if let Some(u) = &registry_url {
            url::Url::parse(u).map_err(|e| bad("registry_url", format!("`{u}`: {e}")))?;
        }
        let registry_timeout_ms = parse(
            "registry_timeout_ms",
            pick(
                "registry_timeout_ms",
                file.registry_timeout_ms.map(|v| v.to_string()),
            ),
            5000u64,
        )?;
        let session_ttl_hours = parse(
            "session_ttl_hours",
            pick(
                "session_ttl_hours",
                file.session_ttl_hours.map(|v| v.to_string()),
            ),
            12i64,
        )?;
        if session_ttl_hours <= 0 {
            return Err(bad("session_ttl_hours", "must be positive"));
        }
        let log_format = pick("log_format", file.log_format).unwrap_or_else(|| "text".into());
        if !["text", "json"].contains(&log_format.as_str()) {
            return Err(bad(
                "log_format",
                format!("`{log_format}`: expected text or json"),
            ));
        }
        let trust_roots: Vec<PathBuf> = pick("trust_roots", file.trust_roots)
            .map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(PathBuf::from)
                    .collect()
            })
            .unwrap_or_default();
        for p in &trust_roots {
            if !p.is_file() {
                return Err(bad("trust_roots", format!("{}: no such file", p.display())));
            }
        }
        let crl_url = pick("crl_url", file.crl_url).filter(|s| !s.trim().is_empty());
        if let Some(u) = &crl_url {
            url::Url::parse(u).map_err(|e| bad("crl_url", format!("`{u}`: {e}")))?;
        }
        let signing_key_file = pick("signing_key_file", file.signing_key_file)
            .filter(|s| !s.trim().is_empty())
            .map(PathBuf::from);
        let signing_key_password =
            pick("signing_key_password", file.signing_key_password).map(Secret);
        let signing_cert_file = pick("signing_cert_file", file.signing_cert_file)
            .filter(|s| !s.trim().is_empty())
            .map(PathBuf::from);
        if let Some(k) = &signing_key_file {
            if !k.is_file() {
                return Err(bad(
                    "signing_key_file",
                    format!("{}: no such file", k.display()),
                ));
            }
            if is_pkcs12(k) {
                if signing_key_password.is_none() {
                    return Err(bad(
                        "signing_key_password",
                        "required for a PKCS#12 signing_key_file",
                    ));
                }
            } else if signing_cert_file.is_none() {
                return Err(bad(
                    "signing_cert_file",
                    "required for a PEM signing_key_file",
                ));
            }
        } else if signing_cert_file.is_some() {
            return Err(bad(
                "signing_key_file",
                "signing_cert_file is set without it",
            ));
        }
        let gateway_url = pick("gateway_url", file.gateway_url).filter(|s| !s.trim().is_empty());
        if let Some(u) = &gateway_url {
            url::Url::parse(u).map_err(|e| bad("gateway_url", format!("`{u}`: {e}")))?;
        }
        let gateway_api_key = pick("gateway_api_key", file.gateway_api_key).map(Secret);
        let gateway_callback_secret =
            pick("gateway_callback_secret", file.gateway_callback_secret).map(Secret);
        if gateway_url.is_some() && gateway_callback_secret.is_none() {
            return Err(bad(
                "gateway_callback_secret",
                "required with gateway_url: callbacks are verified with it",
            ));
        }
        if gateway_url.is_none() && !demo_data {
            return Err(bad(
                "gateway_url",
                "required without demo data (the sandbox gateway is for demos only)",
            ));
        }
        let gateway_timeout_ms = parse(
            "gateway_timeout_ms",
            pick(
                "gateway_timeout_ms",
                file.gateway_timeout_ms.map(|v| v.to_string()),
            ),
            10_000u64,
        )?;
        let payment_kbk = pick("payment_kbk", file.payment_kbk).unwrap_or_else(|| "105402".into());
        if payment_kbk.len() != 6 || !payment_kbk.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad(
                "payment_kbk",
                format!("`{payment_kbk}`: six digits expected"),
            ));
        }
        let dir_setting = |key: &str, v: Option<String>| -> Result<Option<PathBuf>, ConfigError> {
            match v.filter(|s| !s.trim().is_empty()).map(PathBuf::from) {
                Some(p) if !p.is_dir() => {
                    Err(bad(key, format!("{}: no such directory", p.display())))
                }
                p => Ok(p),
            }
        };
        let catalog_dir = dir_setting("catalog_dir", pick("catalog_dir", file.catalog_dir))?;
        let templates_dir =
            dir_setting("templates_dir", pick("templates_dir", file.templates_dir))?;
        let smtp_url = pick("smtp_url", file.smtp_url)
            .filter(|s| !s.trim().is_empty())
            .map(Secret::new);
        if let Some(u) = &smtp_url {
            if !(u.expose().starts_with("smtp://") || u.expose().starts_with("smtps://")) {
                return Err(bad("smtp_url", "expected smtp://… or smtps://…"));
            }
        }
        let mail_from =
            pick("mail_from", file.mail_from).unwrap_or_else(|| DEFAULT_MAIL_FROM.to_string());
        if mail_from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(bad(
                "mail_from",
                format!("`{mail_from}`: an address such as `Ruqsat <no-reply@example.kz>`"),
            ));
        }
        let mail_retry_first_ms = parse(
            "mail_retry_first_ms",
            pick(
                "mail_retry_first_ms",
                file.mail_retry_first_ms.map(|v| v.to_string()),
            ),
            30_000u64,
        )?;
        let mail_max_attempts = parse(
            "mail_max_attempts",
            pick(
                "mail_max_attempts",
                file.mail_max_attempts.map(|v| v.to_string()),
            ),
            10u32,
        )?;
        if mail_max_attempts == 0 {
            return Err(bad("mail_max_attempts", "at least 1"));
        }
        let storage_url = pick("storage_url", file.storage_url)
            .filter(|s| !s.trim().is_empty())
            .map(Secret::new);
        if let Some(u) = &storage_url {
            crate::files::StorageUrl::parse(u.expose()).map_err(|e| bad("storage_url", e))?;
        }
        Ok(Config {
            database_url,
            listen,
            data_dir,
            public_url,
            db_pool_size,
            max_upload_bytes,
            demo_data,
            registry_url,
            registry_timeout_ms,
            session_ttl_hours,
            log_format,
            trust_roots,
            crl_url,
            signing_key_file,
            signing_key_password,
            signing_cert_file,
            gateway_url,
            gateway_api_key,
            gateway_callback_secret,
            gateway_timeout_ms,
            payment_kbk,
            catalog_dir,
            templates_dir,
            smtp_url,
            mail_from,
            mail_retry_first_ms,
            mail_max_attempts,
            storage_url,
        })
    }

    /// A configuration for tests and the demo: a given database and data directory.
    pub fn for_dir(data_dir: &Path, database_url: Option<String>) -> Config {
        Config {
            database_url: database_url
                .unwrap_or_else(|| data_dir.join("ruqsat.db").to_string_lossy().into_owned()),
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: data_dir.to_path_buf(),
            public_url: "http://127.0.0.1:8080".into(),
            db_pool_size: 8,
            max_upload_bytes: 10 * 1024 * 1024,
            demo_data: true,
            registry_url: None,
            registry_timeout_ms: 5000,
            session_ttl_hours: 12,
            log_format: "text".into(),
            trust_roots: Vec::new(),
            crl_url: None,
            signing_key_file: None,
            signing_key_password: None,
            signing_cert_file: None,
            gateway_url: None,
            gateway_api_key: None,
            gateway_callback_secret: None,
            gateway_timeout_ms: 10_000,
            payment_kbk: "105402".into(),
            catalog_dir: None,
            templates_dir: None,
            smtp_url: None,
            mail_from: DEFAULT_MAIL_FROM.into(),
            mail_retry_first_ms: 30_000,
            mail_max_attempts: 10,
            storage_url: None,
        }
    }

    /// The outbox's retry rule from `mail_retry_first_ms` and `mail_max_attempts`.
    pub fn mail_retry(&self) -> crate::domain::outbox::RetryPolicy {
        crate::domain::outbox::RetryPolicy {
            first: chrono::Duration::milliseconds(
                i64::try_from(self.mail_retry_first_ms).unwrap_or(i64::MAX),
            ),
            max_attempts: i32::try_from(self.mail_max_attempts).unwrap_or(i32::MAX),
            ..Default::default()
        }
    }
}

/// The `From` of mail when `mail_from` is not set.
pub const DEFAULT_MAIL_FROM: &str = "Ruqsat <no-reply@ruqsat.local>";

/// `.p12` / `.pfx` files are PKCS#12; anything else is read as PEM.
pub fn is_pkcs12(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("p12") || e.eq_ignore_ascii_case("pfx"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn defaults_are_embedded_sqlite_on_8080() {
        let c = Config::from_parts(None, &env(&[])).expect("defaults");
        assert_eq!(c.database_url, "data/ruqsat.db");
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        assert!(c.demo_data);
    }

    #[test]
    fn unknown_env_setting_is_named() {
        let e = Config::from_parts(None, &env(&[("RUQSAT_LISTN", "x")])).expect_err("unknown");
        assert_eq!(e.setting, "RUQSAT_LISTN");
    }

    #[test]
    fn the_test_suites_own_variables_are_not_settings_and_do_not_stop_the_start() {
        let c = Config::from_parts(
            None,
            &env(&[("RUQSAT_REQUIRE_TOOLS", "1"), ("RUQSAT_KEEP_PDFS", "/tmp")]),
        )
        .expect("tooling variables are ignored");
        assert_eq!(
            c.listen,
            Config::from_parts(None, &[]).expect("defaults").listen
        );
    }

    #[test]
    fn malformed_value_is_named() {
        let e = Config::from_parts(None, &env(&[("RUQSAT_LISTEN", "not-an-address")]))
            .expect_err("bad");
        assert_eq!(e.setting, "listen");
        let e = Config::from_parts(None, &env(&[("RUQSAT_DB_POOL_SIZE", "-3")])).expect_err("bad");
        assert_eq!(e.setting, "db_pool_size");
    }

    #[test]
    fn file_then_env_precedence_and_unknown_file_key() {
        let dir = tempfile::tempdir().expect("tmp");
        let p = dir.path().join("r.toml");
        std::fs::write(&p, "listen = \"127.0.0.1:9000\"\ndb_pool_size = 4\n").expect("write");
        let c = Config::from_parts(Some(&p), &env(&[("RUQSAT_DB_POOL_SIZE", "7")])).expect("ok");
        assert_eq!(c.listen.port(), 9000);
        assert_eq!(c.db_pool_size, 7);
        std::fs::write(&p, "lisen = \"127.0.0.1:9000\"\n").expect("write");
        let e = Config::from_parts(Some(&p), &env(&[])).expect_err("unknown key");
        assert_eq!(e.setting, "config");
        assert!(e.message.contains("lisen"), "{}", e.message);
    }

    #[test]
    fn signing_key_settings_are_checked_and_the_password_never_printed() {
        let dir = tempfile::tempdir().expect("tmp");
        let p12 = dir.path().join("official.p12");
        std::fs::write(&p12, b"not really").expect("write");
        let p12s = p12.to_string_lossy().to_string();
        let e = Config::from_parts(None, &env(&[("RUQSAT_SIGNING_KEY_FILE", &p12s)]))
            .expect_err("password missing");
        assert_eq!(e.setting, "signing_key_password");
        let c = Config::from_parts(
            None,
            &env(&[
                ("RUQSAT_SIGNING_KEY_FILE", &p12s),
                ("RUQSAT_SIGNING_KEY_PASSWORD", "s3cret-pass"),
            ]),
        )
        .expect("ok");
        let shown = format!("{c:?}");
        assert!(!shown.contains("s3cret-pass"), "{shown}");
        assert_eq!(
            c.signing_key_password.as_ref().map(Secret::expose),
            Some("s3cret-pass")
        );
        let pem = dir.path().join("official.key");
        std::fs::write(&pem, b"x").expect("write");
        let e = Config::from_parts(
            None,
            &env(&[("RUQSAT_SIGNING_KEY_FILE", &pem.to_string_lossy())]),
        )
        .expect_err("cert missing");
        assert_eq!(e.setting, "signing_cert_file");
        let e = Config::from_parts(
            None,
            &env(&[("RUQSAT_TRUST_ROOTS", "/nonexistent/root.pem")]),
        )
        .expect_err("missing root");
        assert_eq!(e.setting, "trust_roots");
        let e = Config::from_parts(None, &env(&[("RUQSAT_CRL_URL", "not a url")]))
            .expect_err("bad url");
        assert_eq!(e.setting, "crl_url");
    }

    #[test]
    fn override_directories_must_exist() {
        let dir = tempfile::tempdir().expect("tmp");
        let d = dir.path().to_string_lossy().to_string();
        let c = Config::from_parts(
            None,
            &env(&[("RUQSAT_CATALOG_DIR", &d), ("RUQSAT_TEMPLATES_DIR", "")]),
        )
        .expect("ok");
        assert_eq!(c.catalog_dir.as_deref(), Some(dir.path()));
        assert_eq!(c.templates_dir, None);
        let e = Config::from_parts(None, &env(&[("RUQSAT_TEMPLATES_DIR", "/nonexistent/t")]))
            .expect_err("missing");
        assert_eq!(e.setting, "templates_dir");
        let p = dir.path().join("r.toml");
        std::fs::write(&p, "catalog_dir = \"/nonexistent/c\"\n").expect("write");
        let e = Config::from_parts(Some(&p), &env(&[])).expect_err("missing");
        assert_eq!(e.setting, "catalog_dir");
    }

    #[test]
    fn storage_url_is_checked_and_its_credentials_never_printed() {
        let c = Config::from_parts(
            None,
            &env(&[(
                "RUQSAT_STORAGE_URL",
                "s3://ruqsat-docs/prod?endpoint=http://127.0.0.1:9000&region=kz-ala-1",
            )]),
        )
        .expect("ok");
        let url = c.storage_url.as_ref().expect("set");
        let s = crate::files::StorageUrl::parse(url.expose()).expect("parses");
        assert_eq!(
            (s.bucket.as_str(), s.prefix.as_str()),
            ("ruqsat-docs", "prod")
        );
        assert_eq!(s.endpoint.as_deref(), Some("http://127.0.0.1:9000"));
        assert_eq!(s.region.as_deref(), Some("kz-ala-1"));
        assert_eq!(s.allow_http, Some(true), "an http:// endpoint allows http");
        assert!(s.credentials.is_none());

        let with_keys = "s3://AKIA1:se%2Fcr%2Bet-key@docs?endpoint=https://s3.example.kz";
        let c = Config::from_parts(None, &env(&[("RUQSAT_STORAGE_URL", with_keys)])).expect("ok");
        let shown = format!("{c:?}");
        assert!(
            !shown.contains("se%2Fcr") && !shown.contains("AKIA1"),
            "{shown}"
        );
        let s = crate::files::StorageUrl::parse(c.storage_url.as_ref().expect("set").expose())
            .expect("parses");
        let (key, secret) = s.credentials.clone().expect("credentials");
        assert_eq!((key.expose(), secret.expose()), ("AKIA1", "se/cr+et-key"));
        assert_eq!((s.allow_http, s.region.as_deref()), (None, None));
        let shown = format!("{s} {s:?}");
        assert!(
            !shown.contains("AKIA1") && !shown.contains("se/cr"),
            "{shown}"
        );

        for bad_url in [
            "not a url",
            "file:///var/ruqsat",
            "s3://",
            "s3://Upper_Case",
            "s3://docs:9000",
            "s3://docs?endpoint=ftp://x",
            "s3://docs?endpoint=nothing",
            "s3://docs?allow_http=maybe",
            "s3://docs?bucket=other",
            "s3://AKIA1@docs",
        ] {
            let e = Config::from_parts(None, &env(&[("RUQSAT_STORAGE_URL", bad_url)]))
                .expect_err(bad_url);
            assert_eq!(e.setting, "storage_url", "{bad_url}");
        }
        let e = Config::from_parts(
            None,
            &env(&[("RUQSAT_STORAGE_URL", "s3://AKIA1:hunter2@docs?colour=red")]),
        )
        .expect_err("unknown parameter");
        assert!(e.message.contains("colour"), "{}", e.message);
        assert!(!e.to_string().contains("hunter2"), "{e}");
        let c = Config::from_parts(None, &env(&[("RUQSAT_STORAGE_URL", " ")])).expect("empty");
        assert_eq!(c.storage_url, None);
    }

    #[test]
    fn database_url_env_wins() {
        let c = Config::from_parts(None, &env(&[("DATABASE_URL", "postgres://u@127.0.0.1/x")]))
            .expect("ok");
        assert_eq!(c.database_url, "postgres://u@127.0.0.1/x");
    }
}
