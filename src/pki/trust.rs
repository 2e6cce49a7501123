//! Trusted roots and known intermediates.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use der::Encode;
use x509_cert::Certificate;

use super::certs::{self, CertInfo};
use super::verify::ChainCache;

/// Trust anchors and intermediate CA certificates.
///
/// Several roots are allowed (the national PKI has separate RSA and GOST
/// roots). Only self-signed certificates become trust anchors; any other
/// certificate found in a root file is kept as an intermediate, never as an
/// anchor. Intermediates may also come from the CMS `certificates` set.
///
/// The store also holds the verifier's cache of chains validated against it;
/// any change to the store starts a new, empty cache.
#[derive(Clone, Default)]
pub struct TrustStore {
    roots: Vec<Certificate>,
    intermediates: Vec<Certificate>,
    /// The same certificates as `roots` / `intermediates`, decoded for verification.
    root_infos: Vec<Arc<CertInfo>>,
    intermediate_infos: Vec<Arc<CertInfo>>,
    /// DER of each root, for the byte-identical anchor test.
    root_ders: Vec<Vec<u8>>,
    chains: Arc<ChainCache>,
}

impl std::fmt::Debug for TrustStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let subj = |c: &Certificate| c.tbs_certificate.subject.to_string();
        f.debug_struct("TrustStore")
            .field("roots", &self.roots.iter().map(subj).collect::<Vec<_>>())
            .field(
                "intermediates",
                &self.intermediates.iter().map(subj).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl TrustStore {
    /// Loads every certificate of the given PEM files (see [`TrustStore::from_pem`]).
    pub fn from_pem_files(paths: &[PathBuf]) -> anyhow::Result<Self> {
        let mut store = TrustStore::default();
        for p in paths {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("reading trust file {}", p.display()))?;
            store
                .add_pem(&text)
                .with_context(|| format!("trust file {}", p.display()))?;
        }
        store.require_root()?;
        Ok(store)
    }

    /// Self-signed certificates in `pem` become roots, others intermediates.
    /// Fails when the text holds no self-signed certificate.
    pub fn from_pem(pem: &str) -> anyhow::Result<Self> {
        let mut store = TrustStore::default();
        store.add_pem(pem)?;
        store.require_root()?;
        Ok(store)
    }

    /// Adds intermediate CA certificates (never anchors, even if self-signed).
    pub fn add_intermediates_pem(&mut self, pem: &str) -> anyhow::Result<()> {
        let found = certs::certs_from_pem(pem)?;
        if found.is_empty() {
            anyhow::bail!("no CERTIFICATE block found");
        }
        for c in found {
            self.push_intermediate(c);
        }
        Ok(())
    }

    /// Adds one trust anchor; it must be self-signed.
    pub fn add_root(&mut self, cert: Certificate) -> anyhow::Result<()> {
        if !certs::is_self_signed(&cert) {
            anyhow::bail!(
                "{} is not a self-signed certificate",
                cert.tbs_certificate.subject
            );
        }
        self.push_root(cert);
        Ok(())
    }

    pub fn roots(&self) -> &[Certificate] {
        &self.roots
    }

    pub fn intermediates(&self) -> &[Certificate] {
        &self.intermediates
    }

    pub(crate) fn root_infos(&self) -> &[Arc<CertInfo>] {
        &self.root_infos
    }

    pub(crate) fn intermediate_infos(&self) -> &[Arc<CertInfo>] {
        &self.intermediate_infos
    }

    /// Chains already validated against this store (see [`ChainCache`]).
    pub(crate) fn chains(&self) -> &ChainCache {
        &self.chains
    }

    /// Whether `cert` is one of the anchors (byte-identical).
    pub fn is_root(&self, cert: &Certificate) -> bool {
        let Ok(der) = cert.to_der() else {
            return false;
        };
        self.root_ders.contains(&der)
    }

    fn push_root(&mut self, c: Certificate) {
        if self.roots.contains(&c) {
            return;
        }
        // A root that cannot be encoded can never match `is_root`, as before.
        if let Ok(der) = c.to_der() {
            self.root_ders.push(der);
        }
        self.root_infos.push(Arc::new(CertInfo::new(c.clone())));
        self.roots.push(c);
        self.chains = Arc::default();
    }

    fn push_intermediate(&mut self, c: Certificate) {
        if self.intermediates.contains(&c) {
            return;
        }
        self.intermediate_infos
            .push(Arc::new(CertInfo::new(c.clone())));
        self.intermediates.push(c);
        self.chains = Arc::default();
    }

    fn add_pem(&mut self, pem: &str) -> anyhow::Result<()> {
        let found = certs::certs_from_pem(pem)?;
        if found.is_empty() {
            anyhow::bail!("no CERTIFICATE block found");
        }
        for c in found {
            if certs::is_self_signed(&c) {
                self.push_root(c);
            } else {
                self.push_intermediate(c);
            }
        }
        Ok(())
    }

    fn require_root(&self) -> anyhow::Result<()> {
        if self.roots.is_empty() {
            anyhow::bail!("no self-signed (root) certificate among the trusted certificates");
        }
        Ok(())
    }
}
