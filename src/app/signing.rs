//! Signing a request with a digital signature (ЭЦП): the canonical payload the signer sees,
//! and the verification that turns a submitted request into a signed and registered one
//! (R-003-23..29, R-003-50..52, R-004-17..21, R-004-30..35, R-000-19..24).
//!
//! The payload is canonical JSON (keys sorted, no white space, UTF-8) of the request's
//! service, applicant IIN/BIN, form fields, the SHA-256 of every attachment and the
//! submission time; see docs/signatures.md. It is re-created from the database, never stored.

use super::auth::CurrentUser;
use super::requests::{apply, load_visible, service_of, Step, TransitionInput};
use super::views::{utc, RequestView};
use super::App;
use crate::db::models::{RequestRow, SignatureRow};
use crate::db::queries;
use crate::db::DbConnection;
use crate::domain::catalog::Signer;
use crate::domain::lifecycle::{self, Actor, Facts, State, TransitionError};
use crate::error::AppError;
use crate::pki::{ExpectedSigner, SignatureFailure, SigningKey, Verifier};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::Arc;

/// Signature context: the verifier (trust roots + CRL source), the demo PKI, and the key
/// results are signed with.
pub struct Pki {
    pub verifier: Verifier,
    /// Directory with the demo PKI (root, CRLs, users' PKCS#12), when one is in use.
    pub demo_dir: Option<PathBuf>,
    /// The provider official's key that signs results (R-003-32, R-003-44, R-004-37):
    /// `signing_key_file`, used for every provider. Its `Debug` shows no key material.
    pub result_signer: Option<Arc<SigningKey>>,
    /// Without a configured key, with the demo PKI: each provider's demo official's key,
    /// by provider code, so a Shymkent decision is not signed by the Mangystau official.
    pub provider_signers: std::collections::BTreeMap<String, Arc<SigningKey>>,
}

impl Pki {
    /// The key that signs `provider_code`'s results, or `RESULT_SIGNER_NOT_CONFIGURED` (503).
    pub fn result_signer(&self, provider_code: &str) -> Result<&SigningKey, AppError> {
        self.result_signer
            .as_deref()
            .or_else(|| self.provider_signers.get(provider_code).map(|k| &**k))
            .ok_or_else(|| {
                AppError::with("RESULT_SIGNER_NOT_CONFIGURED", provider_code.to_string())
            })
    }
}

/// Serialises JSON canonically: object keys sorted by their UTF-8 bytes, no white space.
pub fn canonical_json(v: &Value) -> String {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let parts: Vec<String> = keys
                .into_iter()
                .map(|k| format!("{}:{}", Value::String(k.clone()), canonical_json(&m[k])))
                .collect();
            format!("{{{}}}", parts.join(","))
        }
        Value::Array(a) => format!(
            "[{}]",
            a.iter().map(canonical_json).collect::<Vec<_>>().join(",")
        ),
        other => other.to_string(),
    }
}

fn submitted_at(c: &mut DbConnection, req: &RequestRow) -> Result<Value, AppError> {
    let h = queries::history_of(c, &req.id)?;
    Ok(h.iter()
        .rev()
        .find(|e| e.action == "submit")
        .map(|e| json!(utc(e.at).to_rfc3339_opts(chrono::SecondsFormat::Micros, true)))
        .unwrap_or(Value::Null))
}

/// The exact bytes a signer signs for this request, as it is now.
pub fn payload_of(c: &mut DbConnection, req: &RequestRow) -> Result<Vec<u8>, AppError> {
    let form: Value = serde_json::from_str(&req.form_json).map_err(AppError::internal)?;
    let mut atts: Vec<Value> = queries::attachments_of(c, &req.id)?
        .into_iter()
        .map(|a| json!({"doc_type": a.doc_type, "sha256": a.sha256, "size": a.size_bytes}))
        .collect();
    atts.sort_by_key(canonical_json);
    let v = json!({
        "format": "ruqsat-signing-payload/1",
        "request": req.number,
        "service": req.service_code,
        "service_version": req.service_version,
        "variant": req.variant,
        "channel": req.channel,
        "applicant": {"kind": req.applicant_kind, "iin": req.applicant_iin, "bin": req.applicant_bin, "name": req.applicant_name},
        "form": form,
        "attachments": atts,
        "fee_tiyn": req.fee_tiyn,
        "submitted_at": submitted_at(c, req)?,
    });
    Ok(canonical_json(&v).into_bytes())
}

/// Who must sign and whose identity the certificate must carry (R-003-26, R-004-20, G-39).
fn signer_check(
    app: &App,
    user: &CurrentUser,
    req: &RequestRow,
) -> Result<ExpectedSigner, AppError> {
    let service = service_of(app, &req.service_code)?;
    let channel = service
        .channel(&req.channel)
        .ok_or_else(|| AppError::internal("channel vanished"))?;
    match channel.signer {
        Signer::Applicant => {
            if req.owner_user_id.as_deref() != Some(user.id.as_str()) {
                return Err(AppError::with(
                    "FORBIDDEN",
                    "the applicant signs a portal request",
                ));
            }
            match (&req.applicant_bin, &req.applicant_iin) {
                (Some(bin), _) if req.applicant_kind == "legal_entity" => {
                    Ok(ExpectedSigner::Bin(bin.clone()))
                }
                (_, Some(iin)) => Ok(ExpectedSigner::Iin(iin.clone())),
                _ => Err(AppError::internal("request without IIN/BIN")),
            }
        }
        Signer::Employee => {
            if req.created_by != user.id {
                return Err(AppError::with(
                    "FORBIDDEN",
                    "the employee who entered the request signs it",
                ));
            }
            let iin = user
                .iin
                .clone()
                .ok_or_else(|| AppError::with("FORBIDDEN", "the employee account has no IIN"))?;
            Ok(ExpectedSigner::Iin(iin))
        }
    }
}

/// The state must allow `sign` once a signature is verified (payment first, R-003-22).
fn check_signable(app: &App, c: &mut DbConnection, req: &RequestRow) -> Result<(), AppError> {
    let service = service_of(app, &req.service_code)?;
    let from = State::parse(&req.state).ok_or_else(|| AppError::internal("bad state"))?;
    let facts = Facts {
        signature_verified: true,
        payment_confirmed: payment_confirmed(c, req)?,
        ..Facts::default()
    };
    let system = Actor {
        role: crate::domain::roles::Role::Admin,
        is_initiator: false,
        is_system: true,
    };
    match lifecycle::plan(
        service,
        app.catalog.workflow_of(service),
        from,
        "sign",
        &system,
        &facts,
    ) {
        Ok(_) => Ok(()),
        Err(TransitionError::IllegalTransition { .. }) if from == State::Draft => Err(
            AppError::with("ILLEGAL_TRANSITION", "submit the request before signing it"),
        ),
        Err(e) => Err(e.into()),
    }
}

/// Whether the gateway confirmed a payment for this request. Free services need none.
fn payment_confirmed(c: &mut DbConnection, req: &RequestRow) -> Result<bool, AppError> {
    super::payments::paid_for(c, req)
}

/// `GET …/signing-payload`: the bytes to sign.
pub fn signing_payload(app: &App, user: &CurrentUser, number: &str) -> Result<Vec<u8>, AppError> {
    app.store.read(|c| {
        let req = load_visible(app, c, user, number)?;
        signer_check(app, user, &req)?;
        check_signable(app, c, &req)?;
        payload_of(c, &req)
    })
}

fn failure_error(f: &SignatureFailure) -> AppError {
    AppError::with(f.code(), f.to_string())
}

/// `POST …/signature`: verifies the CMS over the current payload; on success the request is
/// signed and registered in one transaction; on failure the refusal is recorded in the
/// history and the request stays where it was (R-003-27, R-004-21, R-004-34).
pub fn submit_signature(
    app: &App,
    user: &CurrentUser,
    number: &str,
    cms: &[u8],
) -> Result<RequestView, AppError> {
    let pki = app.pki.clone();
    let (req, payload, expected) = app.store.read(|c| {
        let req = load_visible(app, c, user, number)?;
        let expected = signer_check(app, user, &req)?;
        check_signable(app, c, &req)?;
        let payload = payload_of(c, &req)?;
        Ok((req, payload, expected))
    })?;
    let now = app.now();
    let verified = pki.verifier.verify(&payload, cms, Some(&expected), now);
    let cms_file = app.files.put(cms).map_err(AppError::internal)?;
    let service = service_of(app, &req.service_code)?;
    match verified {
        Err(f) => {
            tracing::warn!(number, code = f.code(), detail = %f, "signature refused");
            app.store.write(|c| {
                let cur = queries::request_by_number(c, number)?.ok_or_else(|| AppError::new("REQUEST_NOT_FOUND"))?;
                let from = State::parse(&cur.state).ok_or_else(|| AppError::internal("bad state"))?;
                let planned = lifecycle::Planned {
                    action: "signature_refused".into(),
                    from,
                    to: from,
                    requirements: vec!["R-003-27".into(), "R-004-21".into(), "R-004-34".into(), "R-000-22".into()],
                    notify: true,
                    issues: None,
                };
                let data = json!({"code": f.code(), "detail": f.to_string(), "cms_sha256": cms_file.sha256});
                let input = TransitionInput { action: planned.action.clone(), reason: Some(f.message("ru")), new_due_at: None, ..Default::default() };
                apply(app, c, service, &cur, Step { planned: &planned, user: Some(user), input: &input, data: Some(data) })
            })?;
            Err(failure_error(&f))
        }
        Ok(signer) => {
            app.store.write(|c| {
                let cur = queries::request_by_number(c, number)?.ok_or_else(|| AppError::new("REQUEST_NOT_FOUND"))?;
                if cur.version != req.version {
                    // The request changed after the payload was built: the signature is not over it.
                    return Err(AppError::new("CONCURRENT_UPDATE"));
                }
                let system = Actor { role: user.role, is_initiator: false, is_system: true };
                let facts = Facts { signature_verified: true, payment_confirmed: payment_confirmed(c, &cur)?, ..Facts::default() };
                let workflow = app.catalog.workflow_of(service);
                let from = State::parse(&cur.state).ok_or_else(|| AppError::internal("bad state"))?;
                let sign = lifecycle::plan(service, workflow, from, "sign", &system, &facts)?;
                let data = json!({"serial": signer.serial_hex, "subject": signer.subject_cn, "issuer": signer.issuer,
                                  "algorithm": signer.algorithm, "cms_sha256": cms_file.sha256});
                let input = TransitionInput { action: "sign".into(), reason: None, new_due_at: None, ..Default::default() };
                apply(app, c, service, &cur, Step { planned: &sign, user: Some(user), input: &input, data: Some(data) })?;
                queries::insert_signature(
                    c,
                    &SignatureRow {
                        id: uuid::Uuid::now_v7().to_string(),
                        request_id: cur.id.clone(),
                        signer_user_id: user.id.clone(),
                        signer_role: user.role.as_str().to_string(),
                        payload_sha256: crate::files::sha256_hex(&payload),
                        cms_sha256: cms_file.sha256.clone(),
                        subject: signer.subject_cn.clone(),
                        subject_iin: signer.iin.clone(),
                        subject_bin: signer.bin.clone(),
                        serial_hex: signer.serial_hex.clone(),
                        issuer: signer.issuer.clone(),
                        algorithm: signer.algorithm.clone(),
                        signed_at: signer.signing_time.map(|t| t.naive_utc()),
                        verified_at: now.naive_utc(),
                    },
                )?;
                // Registration follows at once (R-000-24, R-003-29, R-004-35).
                let signed = queries::request_by_number(c, number)?.ok_or_else(|| AppError::new("REQUEST_NOT_FOUND"))?;
                let register = lifecycle::plan(service, workflow, State::Signed, "register", &system, &Facts::default())?;
                let input = TransitionInput { action: "register".into(), reason: None, new_due_at: None, ..Default::default() };
                apply(app, c, service, &signed, Step { planned: &register, user: None, input: &input, data: None })
            })?;
            tracing::info!(number, signer = %signer.subject_cn, "request signed and registered");
            crate::metrics::transition("sign");
            crate::metrics::transition("register");
            super::requests::get(app, user, number)
        }
    }
}

/// Builds the signature context from configuration:
/// - trust roots: `trust_roots`, or the demo PKI (created on first start under `data_dir/pki`);
/// - CRLs: from `crl_url` when set; otherwise CRLs this server publishes are read from disk
///   and others fetched over HTTP from the certificates' distribution points;
/// - result signer: `signing_key_file`, or the demo official's key.
///
/// The key password is used here and dropped; neither it nor the key is logged.
pub fn build_pki(config: &crate::config::Config) -> anyhow::Result<Arc<Pki>> {
    let mut http = crate::pki::HttpCrlSource::new(std::time::Duration::from_secs(5));
    if let Some(u) = &config.crl_url {
        http = http.with_override_url(u.clone());
    }
    let (trust, demo_dir, demo) = if config.trust_roots.is_empty() {
        let dir = config.data_dir.join("pki");
        let demo = crate::pki::init_demo_pki(&dir, &demo_spec(&config.public_url)?)?;
        (demo.trust.clone(), Some(dir), Some(demo))
    } else {
        let trust = crate::pki::TrustStore::from_pem_files(&config.trust_roots)
            .map_err(|e| anyhow::anyhow!("configuration: setting `trust_roots`: {e:#}"))?;
        (trust, None, None)
    };
    let crls: Arc<dyn crate::pki::CrlSource> = match (&demo_dir, &config.crl_url) {
        (Some(dir), None) => Arc::new(LocalFirstCrls {
            dir: dir.join("crl"),
            http,
            cache: Default::default(),
        }),
        _ => Arc::new(http),
    };
    let result_signer = match &config.signing_key_file {
        Some(path) => Some(Arc::new(load_signing_key(config, path)?)),
        None => None,
    };
    let mut provider_signers = std::collections::BTreeMap::new();
    if let (None, Some(d)) = (&result_signer, &demo) {
        for u in super::seed::demo_users()? {
            let staff = matches!(
                u.role,
                crate::domain::roles::Role::Official | crate::domain::roles::Role::ClinicRegistrar
            );
            if let (true, Some(code)) = (staff, u.provider_code.clone()) {
                if let std::collections::btree_map::Entry::Vacant(e) = provider_signers.entry(code)
                {
                    e.insert(Arc::new(d.signing_key(&u.login)?));
                }
            }
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
    }))
}

/// Opens `signing_key_file`: PKCS#12 with `signing_key_password`, or a PEM key with
/// `signing_cert_file`. Errors name the setting, never the password.
fn load_signing_key(
    config: &crate::config::Config,
    path: &std::path::Path,
) -> anyhow::Result<SigningKey> {
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

/// Demo certificates for every demo user with an IIN, plus a revoked one for `aigerim`.
pub fn demo_spec(public_url: &str) -> anyhow::Result<crate::pki::DemoPkiSpec> {
    let mut users = Vec::new();
    for u in super::seed::demo_users()? {
        let Some(iin) = u.iin.clone() else { continue };
        users.push(crate::pki::DemoIdentity {
            file_stem: u.login.clone(),
            common_name: u.full_name.to_uppercase(),
            iin: Some(iin),
            bin: u.bin.clone(),
            org_name: u
                .bin
                .as_ref()
                .map(|_| "ТОО «Медицинский центр Ақжол»".to_string()),
            revoked: false,
            ecdsa: u.login == "daulet",
        });
    }
    users.push(crate::pki::DemoIdentity {
        file_stem: "aigerim-revoked".into(),
        common_name: "НҰРЛАНОВА ӘЙГЕРІМ".into(),
        iin: Some("850305401237".into()),
        bin: None,
        org_name: None,
        revoked: true,
        ecdsa: false,
    });
    Ok(crate::pki::DemoPkiSpec {
        crl_url: format!(
            "{}/pki/crl/demo-intermediate.crl",
            public_url.trim_end_matches('/')
        ),
        users,
    })
}

/// Parsed CRL files and the newest modification time they were read at.
type CachedCrls = (std::time::SystemTime, Arc<crate::pki::FileCrlSource>);

/// CRLs this server publishes itself (`/pki/crl/<name>`) are read from disk; others over HTTP.
/// Either way the CRL's signature is verified against its issuer by the verifier.
struct LocalFirstCrls {
    dir: PathBuf,
    http: crate::pki::HttpCrlSource,
    /// Parsed local CRLs by path, re-read when the file's modification time changes.
    cache: std::sync::Mutex<std::collections::HashMap<Vec<PathBuf>, CachedCrls>>,
}

impl LocalFirstCrls {
    fn local_source(
        &self,
        paths: Vec<PathBuf>,
    ) -> Result<Arc<crate::pki::FileCrlSource>, SignatureFailure> {
        let unavailable = |e: String| SignatureFailure::CrlUnavailable(e);
        let mtime = paths
            .iter()
            .map(|p| std::fs::metadata(p).and_then(|m| m.modified()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| unavailable(e.to_string()))?
            .into_iter()
            .max()
            .unwrap_or(std::time::UNIX_EPOCH);
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((at, src)) = cache.get(&paths) {
            if *at == mtime {
                return Ok(src.clone());
            }
        }
        let src = Arc::new(
            crate::pki::FileCrlSource::from_files(&paths)
                .map_err(|e| unavailable(e.to_string()))?,
        );
        cache.insert(paths, (mtime, src.clone()));
        Ok(src)
    }
}

impl crate::pki::CrlSource for LocalFirstCrls {
    fn crl_for(
        &self,
        issuer: &crate::pki::Certificate,
        dp_urls: &[String],
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<Arc<crate::pki::Crl>, SignatureFailure> {
        let local: Vec<PathBuf> = dp_urls
            .iter()
            .filter_map(|u| url::Url::parse(u).ok())
            .filter_map(|u| u.path().strip_prefix("/pki/crl/").map(|n| self.dir.join(n)))
            .filter(|p| p.exists())
            .collect();
        if !local.is_empty() {
            return self.local_source(local)?.crl_for(issuer, dp_urls, at);
        }
        self.http.crl_for(issuer, dp_urls, at)
    }
}
