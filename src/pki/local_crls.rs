//! A CRL source for a server that publishes its own CA's CRLs (the demo PKI): CRLs it serves
//! at `/pki/crl/<name>` are read from its disk, others fetched over HTTP. Either way the
//! CRL's signature is verified against its issuer by the verifier.

use super::SignatureFailure;
use std::path::PathBuf;
use std::sync::Arc;

/// Parsed CRL files and the newest modification time they were read at.
type CachedCrls = (std::time::SystemTime, Arc<crate::pki::FileCrlSource>);

/// CRLs this server publishes itself (`/pki/crl/<name>`) are read from disk; others over HTTP.
/// Either way the CRL's signature is verified against its issuer by the verifier.
pub struct LocalFirstCrls {
    dir: PathBuf,
    http: crate::pki::HttpCrlSource,
    /// Parsed local CRLs by path, re-read when the file's modification time changes.
    cache: std::sync::Mutex<std::collections::HashMap<Vec<PathBuf>, CachedCrls>>,
}

impl LocalFirstCrls {
    /// CRL files under `dir` first, then `http`.
    pub fn new(dir: PathBuf, http: crate::pki::HttpCrlSource) -> Self {
        LocalFirstCrls {
            dir,
            http,
            cache: Default::default(),
        }
    }

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
