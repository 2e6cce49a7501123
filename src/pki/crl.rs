//! Certificate revocation lists (R-000-20, R-003-25, R-004-19, R-004-32).
//!
//! A [`CrlSource`] hands out the CRL of a given issuing CA; [`check_crl`]
//! (called by the verifier for every CRL, whatever its source) checks that it
//! was issued and signed by that CA and is not past its nextUpdate.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, Utc};
use der::{Decode, Encode};
use spki::SubjectPublicKeyInfoOwned;
use x509_cert::crl::CertificateList;
use x509_cert::ext::pkix::crl::BaseCrlNumber;
use x509_cert::Certificate;

use super::certs::{self, time_to_chrono, CertInfo};
use super::error::SignatureFailure;

/// Where CRLs come from.
pub trait CrlSource: Send + Sync {
    /// The current CRL issued by `issuer_cert`. `dp_urls` are the CRL
    /// distribution points of the certificate being checked; `at` is the
    /// verification time. Errors are `SignatureFailure::CrlUnavailable`.
    ///
    /// Sources hand out the same [`Crl`] for as long as they hold the same CRL,
    /// so what is worked out about it (its signature) is worked out once.
    fn crl_for(
        &self,
        issuer_cert: &Certificate,
        dp_urls: &[String],
        at: DateTime<Utc>,
    ) -> Result<Arc<Crl>, SignatureFailure>;
}

/// A parsed CRL and what every verification reads from it, computed once.
///
/// A `Crl` is immutable except for the memo of issuer keys its signature has
/// been verified with (successes only): the signature is a pure function of the
/// CRL's bytes and the key, so the memo is never stale. Time-dependent checks
/// (nextUpdate against the verification time) are made on every use.
pub struct Crl {
    list: CertificateList,
    /// DER of the TBSCertList, the signed bytes.
    tbs_der: Result<Vec<u8>, der::Error>,
    this_update: DateTime<Utc>,
    next_update: Option<DateTime<Utc>>,
    is_delta: bool,
    /// Serial numbers (content octets) of the revoked certificates.
    revoked: HashSet<Box<[u8]>>,
    /// Issuer keys the CRL signature was verified with.
    verified_with: Mutex<Vec<SubjectPublicKeyInfoOwned>>,
}

impl std::fmt::Debug for Crl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Crl")
            .field("issuer", &self.list.tbs_cert_list.issuer.to_string())
            .field("this_update", &self.this_update)
            .field("next_update", &self.next_update)
            .field("revoked", &self.revoked.len())
            .finish_non_exhaustive()
    }
}

impl Crl {
    pub fn new(list: CertificateList) -> Self {
        let tbs = &list.tbs_cert_list;
        let revoked = tbs
            .revoked_certificates
            .iter()
            .flatten()
            .map(|r| Box::<[u8]>::from(r.serial_number.as_bytes()))
            .collect();
        let is_delta = tbs
            .crl_extensions
            .as_ref()
            .is_some_and(|exts| exts.iter().any(|e| e.extn_id == BaseCrlNumber_OID));
        Self {
            tbs_der: tbs.to_der(),
            this_update: crl_this_update(&list),
            next_update: crl_next_update(&list),
            is_delta,
            revoked,
            verified_with: Mutex::new(Vec::new()),
            list,
        }
    }

    pub fn list(&self) -> &CertificateList {
        &self.list
    }

    pub fn this_update(&self) -> DateTime<Utc> {
        self.this_update
    }

    pub fn next_update(&self) -> Option<DateTime<Utc>> {
        self.next_update
    }

    /// Whether `cert`'s serial number is listed.
    pub fn is_listed(&self, cert: &Certificate) -> bool {
        self.revoked
            .contains(cert.tbs_certificate.serial_number.as_bytes())
    }

    /// Verifies the CRL's signature with `issuer`'s key (once per key).
    fn check_signature(&self, issuer: &CertInfo) -> Result<(), SignatureFailure> {
        let spki = &issuer.cert.tbs_certificate.subject_public_key_info;
        let mut verified = self.verified_with.lock().unwrap_or_else(|p| p.into_inner());
        if verified.iter().any(|k| k == spki) {
            return Ok(());
        }
        let tbs_der = self
            .tbs_der
            .as_ref()
            .map_err(|e| unavailable(format!("CRL encoding: {e}")))?;
        let sig = self
            .list
            .signature
            .as_bytes()
            .ok_or_else(|| unavailable("CRL signature is not octet-aligned"))?;
        if self.list.signature_algorithm != self.list.tbs_cert_list.signature {
            return Err(unavailable("CRL signature algorithm fields differ"));
        }
        issuer
            .key
            .as_ref()
            .map_err(|e| e.clone())
            .and_then(|k| k.verify(&self.list.signature_algorithm, None, tbs_der, sig))
            .map_err(|e| unavailable(format!("CRL signature: {e}")))?;
        if verified.len() >= 16 {
            verified.clear();
        }
        verified.push(spki.clone());
        Ok(())
    }
}

fn unavailable(msg: impl Into<String>) -> SignatureFailure {
    SignatureFailure::CrlUnavailable(msg.into())
}

/// Parses a CRL in DER or PEM ("X509 CRL").
pub fn parse_crl(bytes: &[u8]) -> anyhow::Result<CertificateList> {
    if let Ok(crl) = CertificateList::from_der(bytes) {
        return Ok(crl);
    }
    parse_crls_pem(bytes)?
        .into_iter()
        .next()
        .ok_or_else(|| anyhow::anyhow!("not a DER or PEM CRL"))
}

fn parse_crls_pem(bytes: &[u8]) -> anyhow::Result<Vec<CertificateList>> {
    let text = std::str::from_utf8(bytes).map_err(|_| anyhow::anyhow!("not a DER or PEM CRL"))?;
    let mut out = Vec::new();
    for b in certs::pem_blocks(text) {
        if b.label == "X509 CRL" {
            out.push(
                CertificateList::from_der(&b.der)
                    .map_err(|e| anyhow::anyhow!("bad CRL in PEM: {e}"))?,
            );
        }
    }
    Ok(out)
}

pub fn crl_next_update(crl: &CertificateList) -> Option<DateTime<Utc>> {
    crl.tbs_cert_list.next_update.as_ref().map(time_to_chrono)
}

pub fn crl_this_update(crl: &CertificateList) -> DateTime<Utc> {
    time_to_chrono(&crl.tbs_cert_list.this_update)
}

/// Checks that `crl` is a complete CRL of `issuer`, signed by its key, and
/// not stale at `at` (nextUpdate before `at`).
pub fn check_crl(crl: &Crl, issuer: &CertInfo, at: DateTime<Utc>) -> Result<(), SignatureFailure> {
    let tbs = &crl.list.tbs_cert_list;
    if tbs.issuer != issuer.cert.tbs_certificate.subject {
        return Err(unavailable(format!(
            "CRL issued by {}, expected {}",
            tbs.issuer, issuer.cert.tbs_certificate.subject
        )));
    }
    if let Some(ku) = issuer.key_usage {
        if !ku.crl_sign() {
            return Err(unavailable("issuer key usage lacks cRLSign"));
        }
    }
    crl.check_signature(issuer)?;
    if crl.is_delta {
        return Err(unavailable("delta CRL where a complete CRL is required"));
    }
    if let Some(next) = crl.next_update {
        if next < at {
            return Err(unavailable(format!("CRL is stale: nextUpdate {next}")));
        }
    }
    Ok(())
}

#[allow(non_upper_case_globals)]
const BaseCrlNumber_OID: der::asn1::ObjectIdentifier =
    <BaseCrlNumber as const_oid::AssociatedOid>::OID;

// ---------------------------------------------------------------------------

/// CRLs loaded from files (the CLI's `--crl FILE`). Each file may hold one
/// DER CRL or any number of PEM `X509 CRL` blocks. The CRL is chosen by issuer
/// name (the newest by thisUpdate when several match); no network access.
#[derive(Clone, Default)]
pub struct FileCrlSource {
    crls: Vec<Arc<Crl>>,
}

impl std::fmt::Debug for FileCrlSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileCrlSource")
            .field(
                "issuers",
                &self
                    .crls
                    .iter()
                    .map(|c| c.list.tbs_cert_list.issuer.to_string())
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl FileCrlSource {
    pub fn from_files(paths: &[PathBuf]) -> anyhow::Result<Self> {
        let mut crls = Vec::new();
        for p in paths {
            let bytes = std::fs::read(p).with_context(|| format!("reading CRL {}", p.display()))?;
            if let Ok(crl) = CertificateList::from_der(&bytes) {
                crls.push(crl);
                continue;
            }
            let found = parse_crls_pem(&bytes).with_context(|| format!("CRL {}", p.display()))?;
            if found.is_empty() {
                anyhow::bail!("{}: not a DER or PEM CRL", p.display());
            }
            crls.extend(found);
        }
        Ok(Self::from_crls(crls))
    }

    pub fn from_crls(crls: Vec<CertificateList>) -> Self {
        Self {
            crls: crls.into_iter().map(|c| Arc::new(Crl::new(c))).collect(),
        }
    }

    pub fn crls(&self) -> &[Arc<Crl>] {
        &self.crls
    }
}

impl CrlSource for FileCrlSource {
    fn crl_for(
        &self,
        issuer_cert: &Certificate,
        _dp_urls: &[String],
        _at: DateTime<Utc>,
    ) -> Result<Arc<Crl>, SignatureFailure> {
        self.crls
            .iter()
            .filter(|c| c.list.tbs_cert_list.issuer == issuer_cert.tbs_certificate.subject)
            .max_by_key(|c| c.this_update)
            .cloned()
            .ok_or_else(|| {
                unavailable(format!(
                    "no CRL file for issuer {}",
                    issuer_cert.tbs_certificate.subject
                ))
            })
    }
}

// ---------------------------------------------------------------------------

#[derive(Clone)]
struct Cached {
    crl: Arc<Crl>,
    /// Wall-clock time after which we try to refetch.
    refresh_after: DateTime<Utc>,
}

/// CRLs fetched over HTTP with an in-memory cache keyed by URL.
///
/// Cache policy: a CRL is reused until `min(nextUpdate, fetched + max_age)`
/// (max_age defaults to 1 hour, so revocations published before nextUpdate
/// are seen within the hour). After that it is refetched; if the refetch
/// fails, the cached CRL is still used while its nextUpdate has not passed
/// (and is not before the verification time); otherwise the result is
/// `CRL_UNAVAILABLE`. A CRL without nextUpdate is reused for max_age only.
///
/// URLs: the certificate's CRL distribution points (http/https only), or, when
/// override URLs are configured, those instead (a local mirror); among the
/// fetched CRLs the one issued by the issuing CA is used.
///
/// Each fetch runs `reqwest::blocking` on its own short-lived thread, so this
/// is safe to call from code that runs inside a Tokio runtime; still, call the
/// verifier from `web::block` / `spawn_blocking` since it may wait up to the
/// timeout.
pub struct HttpCrlSource {
    timeout: Duration,
    max_age: chrono::Duration,
    override_urls: Vec<String>,
    cache: Mutex<HashMap<String, Cached>>,
}

impl std::fmt::Debug for HttpCrlSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpCrlSource")
            .field("timeout", &self.timeout)
            .field("max_age", &self.max_age)
            .field("override_urls", &self.override_urls)
            .finish()
    }
}

impl Default for HttpCrlSource {
    fn default() -> Self {
        Self::new(Duration::from_secs(10))
    }
}

impl HttpCrlSource {
    pub fn new(timeout: Duration) -> Self {
        Self {
            timeout,
            max_age: chrono::Duration::hours(1),
            override_urls: Vec::new(),
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// Fetch CRLs from `url` instead of the certificates' distribution
    /// points. May be called several times (one URL per issuing CA).
    pub fn with_override_url(mut self, url: impl Into<String>) -> Self {
        self.override_urls.push(url.into());
        self
    }

    /// Longest time a fetched CRL is reused before refetching (default 1 h).
    pub fn with_max_age(mut self, max_age: chrono::Duration) -> Self {
        self.max_age = max_age;
        self
    }

    /// Drops every cached CRL.
    pub fn clear_cache(&self) {
        if let Ok(mut c) = self.cache.lock() {
            c.clear();
        }
    }

    fn cached(&self, url: &str) -> Option<Cached> {
        self.cache.lock().ok()?.get(url).cloned()
    }

    fn store(&self, url: &str, entry: Cached) {
        if let Ok(mut c) = self.cache.lock() {
            c.insert(url.to_string(), entry);
        }
    }

    /// The CRL at `url`, from the cache or the network.
    fn get(
        &self,
        url: &str,
        issuer: &Certificate,
        at: DateTime<Utc>,
    ) -> Result<Arc<Crl>, SignatureFailure> {
        let now = Utc::now();
        let cached = self.cached(url);
        if let Some(c) = &cached {
            if c.refresh_after > now && c.crl.next_update.is_none_or(|n| n >= at) {
                return Ok(c.crl.clone());
            }
        }
        match fetch(url, self.timeout)
            .and_then(|bytes| parse_crl(&bytes).map_err(|e| unavailable(format!("{url}: {e}"))))
        {
            Ok(crl) => {
                let crl = Arc::new(Crl::new(crl));
                // Never cache a CRL that is not the issuer's or is forged.
                if crl.list.tbs_cert_list.issuer == issuer.tbs_certificate.subject {
                    check_crl(&crl, &CertInfo::new(issuer.clone()), at)?;
                }
                let mut refresh_after = now + self.max_age;
                if let Some(n) = crl.next_update {
                    refresh_after = refresh_after.min(n);
                }
                self.store(
                    url,
                    Cached {
                        crl: crl.clone(),
                        refresh_after,
                    },
                );
                Ok(crl)
            }
            Err(e) => {
                if let Some(c) = cached {
                    let still_valid = c.crl.next_update.is_some_and(|n| n > now && n >= at);
                    if still_valid {
                        tracing::warn!(url, error = %e, "CRL refresh failed; using cached CRL until its nextUpdate");
                        return Ok(c.crl);
                    }
                }
                Err(e)
            }
        }
    }
}

fn fetch(url: &str, timeout: Duration) -> Result<Vec<u8>, SignatureFailure> {
    let owned = url.to_string();
    let handle = std::thread::Builder::new()
        .name("crl-fetch".into())
        .spawn(move || -> Result<Vec<u8>, String> {
            let client = reqwest::blocking::Client::builder()
                .timeout(timeout)
                .build()
                .map_err(|e| format!("HTTP client: {e}"))?;
            let resp = client
                .get(&owned)
                .send()
                .map_err(|e| format!("{owned}: {e}"))?;
            let status = resp.status();
            if !status.is_success() {
                return Err(format!("{owned}: HTTP {}", status.as_u16()));
            }
            resp.bytes()
                .map(|b| b.to_vec())
                .map_err(|e| format!("{owned}: {e}"))
        })
        .map_err(|e| unavailable(format!("cannot start CRL fetch: {e}")))?;
    handle
        .join()
        .map_err(|_| unavailable("CRL fetch thread panicked"))?
        .map_err(unavailable)
}

impl CrlSource for HttpCrlSource {
    fn crl_for(
        &self,
        issuer_cert: &Certificate,
        dp_urls: &[String],
        at: DateTime<Utc>,
    ) -> Result<Arc<Crl>, SignatureFailure> {
        let urls: Vec<&String> = if self.override_urls.is_empty() {
            dp_urls
                .iter()
                .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
                .collect()
        } else {
            self.override_urls.iter().collect()
        };
        if urls.is_empty() {
            return Err(unavailable(
                "certificate has no HTTP CRL distribution point and no CRL URL is configured",
            ));
        }
        let mut errors = Vec::new();
        for url in urls {
            match self.get(url, issuer_cert, at) {
                Ok(crl) if crl.list.tbs_cert_list.issuer == issuer_cert.tbs_certificate.subject => {
                    return Ok(crl)
                }
                Ok(crl) => errors.push(format!(
                    "{url}: CRL of {}, not of {}",
                    crl.list.tbs_cert_list.issuer, issuer_cert.tbs_certificate.subject
                )),
                Err(SignatureFailure::CrlUnavailable(m)) => errors.push(m),
                Err(other) => errors.push(other.to_string()),
            }
        }
        Err(unavailable(errors.join("; ")))
    }
}
