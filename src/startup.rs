//! Wiring, in one place: builds the [`App`] from [`Config`]: the database, the catalog and
//! yearly data, the state registries, the PKI (trust roots, CRL source, result signers), the
//! payment gateway, and the demo data when asked for. Everything else receives what it
//! needs from here; no use case constructs an adapter.

use crate::app::auth::ArgonGate;
use crate::app::payments::PaymentsPort;
use crate::app::signing::Pki;
use crate::app::{App, Clock, SystemClock};
use crate::config::Config;
use crate::db::Store;
use crate::files::FileStore;
use crate::pki::{SigningKey, Verifier};
use crate::registries::{CompanyRegistry, PersonRegistry};
use std::sync::Arc;

/// Opens the database, applies migrations and builds the application.
pub fn build(config: Config) -> anyhow::Result<App> {
    let store = Store::open(&config.database_url, config.db_pool_size)?;
    store.migrate()?;
    build_with(config, store, Arc::new(SystemClock))
}

/// Builds the application on an open store with a given clock (tests set the time).
pub fn build_with(config: Config, store: Store, clock: Arc<dyn Clock>) -> anyhow::Result<App> {
    let data = crate::app::yearly::load_data(&config)?;
    // A first demo start hashes the demo passwords while it makes the demo PKI: both are
    // CPU work, and together most of the start. (Whatever the count cannot read, seeding
    // reads again and reports.)
    let first_start = matches!(store.read(crate::db::queries::count_users), Ok(0));
    let hashing = (config.demo_data && first_start)
        .then(|| std::thread::spawn(crate::demo::seed::demo_password_hashes));
    let files = FileStore::from_config(&config)?;
    files
        .check()
        .map_err(|e| anyhow::anyhow!("configuration: setting `storage_url`: {e}"))?;
    tracing::info!(location = %files.location(), "documents stored");
    let (persons, companies) = registries(&config)?;
    let pki = pki(&config)?;
    let payments = Arc::new(payments(&config)?);
    let mailer = mailer(&config)?;
    let app = App {
        config: Arc::new(config),
        store,
        catalog: Arc::new(data.catalog),
        clinics: Arc::new(data.clinics),
        fees: Arc::new(data.fees),
        calendar: Arc::new(data.calendar),
        templates: Arc::new(data.templates),
        pages: data.pages,
        mail_templates: Arc::new(data.mail),
        files,
        persons,
        companies,
        clock,
        pki,
        payments,
        argon: Arc::new(ArgonGate::default()),
        mailer,
    };
    if app.config.demo_data {
        let hashes = match hashing {
            Some(h) => Some(
                h.join()
                    .map_err(|_| anyhow::anyhow!("demo password hashing panicked"))??,
            ),
            None => None,
        };
        crate::demo::seed::seed_demo_users(&app, hashes)?;
        crate::demo::seed::seed_demo_attachments(&app)?;
    }
    Ok(app)
}

/// Outgoing mail: the SMTP server of `smtp_url`, or `.eml` files under `data_dir/mail`.
fn mailer(config: &Config) -> anyhow::Result<Arc<dyn crate::mail::Mailer>> {
    Ok(match &config.smtp_url {
        Some(url) => Arc::new(crate::mail::SmtpMailer::new(
            url.expose(),
            &config.mail_from,
            std::time::Duration::from_secs(30),
        )?),
        None => Arc::new(crate::mail::FolderMailer::new(
            config.data_dir.join("mail"),
            &config.mail_from,
        )?),
    })
}

/// ГБД ФЛ / ГБД ЮЛ: the configured HTTP endpoint, or the embedded demo registry.
#[allow(clippy::type_complexity)]
fn registries(
    config: &Config,
) -> anyhow::Result<(Arc<dyn PersonRegistry>, Arc<dyn CompanyRegistry>)> {
    Ok(match &config.registry_url {
        Some(url) => {
            let client = Arc::new(crate::registries::http::HttpRegistryClient::new(
                url,
                std::time::Duration::from_millis(config.registry_timeout_ms),
            )?);
            (client.clone(), client)
        }
        None => {
            let embedded = Arc::new(crate::demo::registries::EmbeddedRegistry::demo()?);
            (embedded.clone(), embedded)
        }
    })
}

/// Builds the signature context from configuration:
/// - trust roots: `trust_roots`, or the demo PKI (created on first start under `data_dir/pki`);
/// - CRLs: from `crl_url` when set; otherwise CRLs this server publishes are read from disk
///   and others fetched over HTTP from the certificates' distribution points;
/// - result signers: `signing_key_file` (the seal of providers the catalog gives one), and
///   with the demo PKI every demo staff member's own key and each provider's demo seal.
///
/// The key password is used here and dropped; neither it nor the key is logged.
fn pki(config: &Config) -> anyhow::Result<Arc<Pki>> {
    let mut http = crate::pki::HttpCrlSource::new(std::time::Duration::from_secs(5));
    if let Some(u) = &config.crl_url {
        http = http.with_override_url(u.clone());
    }
    let (trust, demo_dir, demo) = if config.trust_roots.is_empty() {
        let dir = config.data_dir.join("pki");
        let demo = crate::demo::pki::init_demo_pki(
            &dir,
            &crate::demo::seed::demo_spec(&config.public_url)?,
        )?;
        (demo.trust.clone(), Some(dir), Some(demo))
    } else {
        let trust = crate::pki::TrustStore::from_pem_files(&config.trust_roots)
            .map_err(|e| anyhow::anyhow!("configuration: setting `trust_roots`: {e:#}"))?;
        (trust, None, None)
    };
    let crls: Arc<dyn crate::pki::CrlSource> = match (&demo_dir, &config.crl_url) {
        (Some(dir), None) => Arc::new(crate::pki::LocalFirstCrls::new(dir.join("crl"), http)),
        _ => Arc::new(http),
    };
    let result_signer = match &config.signing_key_file {
        Some(path) => Some(Arc::new(load_signing_key(config, path)?)),
        None => None,
    };
    let mut provider_signers = std::collections::BTreeMap::new();
    let mut official_signers = std::collections::BTreeMap::new();
    if let Some(d) = &demo {
        for u in crate::demo::seed::demo_users()? {
            let Some(code) = u.provider_code.clone() else {
                continue;
            };
            if !u.role.is_staff() || u.iin.is_none() {
                continue;
            }
            let key = Arc::new(d.signing_key(&u.login)?);
            let decides = matches!(
                u.role,
                crate::domain::roles::Role::Official | crate::domain::roles::Role::ClinicRegistrar
            );
            if result_signer.is_none() && decides {
                provider_signers.entry(code).or_insert_with(|| key.clone());
            }
            official_signers.insert(u.login.clone(), key);
        }
    }
    if result_signer.is_none() && provider_signers.is_empty() {
        tracing::warn!("no signing_key_file configured: results cannot be signed");
    }
    if let Some(k) = &result_signer {
        let c = k.certificate();
        tracing::info!(
            subject = %c.tbs_certificate.subject,
            serial = %crate::pki::certs::serial_hex(c),
            "result-signing certificate loaded"
        );
    }
    Ok(Arc::new(Pki {
        verifier: Verifier::new(trust, crls),
        demo_dir,
        result_signer,
        provider_signers,
        official_signers,
    }))
}

/// Opens `signing_key_file`: PKCS#12 with `signing_key_password`, or a PEM key with
/// `signing_cert_file`. Errors name the setting, never the password.
fn load_signing_key(config: &Config, path: &std::path::Path) -> anyhow::Result<SigningKey> {
    let setting = |e: anyhow::Error| {
        anyhow::anyhow!(
            "configuration: setting `signing_key_file` ({}): {e:#}",
            path.display()
        )
    };
    if crate::config::is_pkcs12(path) {
        let password = config
            .signing_key_password
            .as_ref()
            .map(|s| s.expose())
            .unwrap_or_default();
        let der = std::fs::read(path).map_err(|e| setting(e.into()))?;
        SigningKey::from_p12(&der, password).map_err(setting)
    } else {
        let key_pem = std::fs::read_to_string(path).map_err(|e| setting(e.into()))?;
        let cert_path = config
            .signing_cert_file
            .as_ref()
            .ok_or_else(|| setting(anyhow::anyhow!("signing_cert_file is required")))?;
        let cert_pem = std::fs::read_to_string(cert_path).map_err(|e| setting(e.into()))?;
        SigningKey::from_pem(&key_pem, &cert_pem).map_err(setting)
    }
}

/// The configured gateway, or the embedded sandbox (demo data only, checked by config).
fn payments(config: &Config) -> anyhow::Result<PaymentsPort> {
    let public = config.public_url.trim_end_matches('/');
    match &config.gateway_url {
        Some(url) => {
            let mut cfg = crate::payments::HttpGatewayConfig::new(
                url,
                config
                    .gateway_api_key
                    .clone()
                    .unwrap_or_else(|| crate::config::Secret::new("")),
            );
            cfg.timeout = std::time::Duration::from_millis(config.gateway_timeout_ms);
            let gw = crate::payments::HttpGateway::new(cfg)
                .map_err(|e| anyhow::anyhow!("configuration: setting `gateway_url`: {e}"))?;
            let secret = config.gateway_callback_secret.clone().ok_or_else(|| {
                anyhow::anyhow!("configuration: setting `gateway_callback_secret` is required")
            })?;
            Ok(PaymentsPort {
                gateway: Arc::new(gw),
                sandbox: None,
                callback_secret: secret,
            })
        }
        None => {
            // The sandbox signs with the configured secret, else a random one per start.
            let secret = match &config.gateway_callback_secret {
                Some(s) => s.expose().to_string(),
                None => {
                    use rand::RngCore;
                    let mut b = [0u8; 32];
                    rand::thread_rng().fill_bytes(&mut b);
                    hex::encode(b)
                }
            };
            let sandbox = Arc::new(
                crate::demo::gateway::SandboxGateway::new(
                    secret.clone(),
                    format!("{public}/api/v1/payments/callback"),
                )
                .with_public_url(public),
            );
            Ok(PaymentsPort {
                gateway: sandbox.clone(),
                sandbox: Some(sandbox),
                callback_secret: crate::config::Secret::new(secret),
            })
        }
    }
}
