//! HTTP client for ГБД ФЛ / ГБД ЮЛ (R-000-42..44, R-003-37..39).
//!
//! Wire format (`docs/identity.md`):
//! - `GET {base}/persons/{iin}`   → 200 + JSON [`PersonRecord`], 404 = not found.
//! - `GET {base}/companies/{bin}` → 200 + JSON [`CompanyRecord`], 404 = not found.
//!
//! Outcomes: 404 → `NotFound`; 5xx, timeout, connection error → retried (once by default,
//! after a short pause), then `Unavailable`; malformed JSON, a record for another key, an
//! oversized body or any other status → `BadResponse` (not retried). Keys that are not 12
//! ASCII digits are answered `NotFound` without a request, so nothing else reaches the URL.
//!
//! The `reqwest` blocking client is built lazily on the first lookup, so constructing an
//! `HttpRegistryClient` is safe anywhere (building a blocking client inside an async runtime
//! would panic); lookups must run on a blocking thread.

use std::io::Read;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use serde::de::DeserializeOwned;

use super::{
    is_registry_key, CompanyRecord, CompanyRegistry, PersonRecord, PersonRegistry, RegistryError,
};

/// Largest accepted response body.
const MAX_BODY_BYTES: u64 = 1024 * 1024;

/// Settings of [`HttpRegistryClient`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRegistryConfig {
    /// E.g. `https://registry.example.kz/api/v1` (a trailing `/` is ignored).
    pub base_url: String,
    /// Total time for one attempt (connect + response). Default 5 s.
    pub timeout: Duration,
    /// Extra attempts after a transient failure (5xx, timeout, connection error). Default 1.
    pub retries: u32,
    /// Pause before each retry. Default 200 ms.
    pub retry_pause: Duration,
}

impl HttpRegistryConfig {
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
    pub const DEFAULT_RETRIES: u32 = 1;
    pub const DEFAULT_RETRY_PAUSE: Duration = Duration::from_millis(200);

    pub fn new(base_url: &str) -> HttpRegistryConfig {
        HttpRegistryConfig {
            base_url: base_url.to_owned(),
            timeout: Self::DEFAULT_TIMEOUT,
            retries: Self::DEFAULT_RETRIES,
            retry_pause: Self::DEFAULT_RETRY_PAUSE,
        }
    }
}

type LazyClient = Arc<OnceLock<Result<reqwest::blocking::Client, String>>>;

/// ГБД ФЛ and ГБД ЮЛ over HTTP.
#[derive(Clone)]
pub struct HttpRegistryClient {
    base_url: String,
    timeout: Duration,
    retries: u32,
    retry_pause: Duration,
    client: LazyClient,
}

impl std::fmt::Debug for HttpRegistryClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpRegistryClient")
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .field("retries", &self.retries)
            .field("retry_pause", &self.retry_pause)
            .finish()
    }
}

/// One attempt's result: final, or transient (may be retried).
enum Attempt<T> {
    Done(Result<T, RegistryError>),
    Transient(String),
}

impl HttpRegistryClient {
    /// A client with the given per-attempt timeout and the default retry policy.
    /// Fails only when `base_url` is not an absolute http(s) URL.
    pub fn new(base_url: &str, timeout: Duration) -> Result<HttpRegistryClient, RegistryError> {
        HttpRegistryClient::with_config(HttpRegistryConfig {
            timeout,
            ..HttpRegistryConfig::new(base_url)
        })
    }

    pub fn with_config(config: HttpRegistryConfig) -> Result<HttpRegistryClient, RegistryError> {
        let base_url = config.base_url.trim().trim_end_matches('/').to_owned();
        let parsed = reqwest::Url::parse(&base_url).map_err(|e| {
            RegistryError::Unavailable(format!("invalid registry URL `{}`: {e}", config.base_url))
        })?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.cannot_be_a_base() {
            return Err(RegistryError::Unavailable(format!(
                "invalid registry URL `{}`: expected http(s)",
                config.base_url
            )));
        }
        Ok(HttpRegistryClient {
            base_url,
            timeout: config.timeout,
            retries: config.retries,
            retry_pause: config.retry_pause,
            client: Arc::new(OnceLock::new()),
        })
    }

    /// Changes the pause before a retry.
    pub fn with_retry_pause(mut self, pause: Duration) -> Self {
        self.retry_pause = pause;
        self
    }

    /// Changes the number of retries after a transient failure (0 = no retry).
    pub fn with_retries(mut self, retries: u32) -> Self {
        self.retries = retries;
        self
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    fn client(&self) -> Result<&reqwest::blocking::Client, RegistryError> {
        let timeout = self.timeout;
        self.client
            .get_or_init(|| {
                reqwest::blocking::Client::builder()
                    .timeout(timeout)
                    .connect_timeout(timeout)
                    .user_agent(concat!("ruqsat/", env!("CARGO_PKG_VERSION")))
                    .build()
                    .map_err(|e| e.to_string())
            })
            .as_ref()
            .map_err(|e| RegistryError::Unavailable(format!("HTTP client: {e}")))
    }

    fn lookup<T: DeserializeOwned>(
        &self,
        collection: &str,
        key: &str,
        key_of: impl Fn(&T) -> &str,
    ) -> Result<T, RegistryError> {
        if !is_registry_key(key) {
            return Err(RegistryError::NotFound);
        }
        let url = format!("{}/{collection}/{key}", self.base_url);
        let mut attempt = 0u32;
        loop {
            match self.attempt::<T>(&url) {
                Attempt::Done(Ok(record)) => {
                    let got = key_of(&record);
                    if got != key {
                        return Err(RegistryError::BadResponse(format!(
                            "asked for {key}, got a record for `{got}`"
                        )));
                    }
                    return Ok(record);
                }
                Attempt::Done(Err(e)) => return Err(e),
                Attempt::Transient(msg) => {
                    if attempt >= self.retries {
                        return Err(RegistryError::Unavailable(msg));
                    }
                    attempt += 1;
                    tracing::warn!(%url, attempt, error = %msg, "registry call failed; retrying");
                    std::thread::sleep(self.retry_pause);
                }
            }
        }
    }

    fn attempt<T: DeserializeOwned>(&self, url: &str) -> Attempt<T> {
        let client = match self.client() {
            Ok(c) => c,
            Err(e) => return Attempt::Done(Err(e)),
        };
        let response = match client.get(url).header("accept", "application/json").send() {
            Ok(r) => r,
            Err(e) => {
                let what = if e.is_timeout() {
                    "timeout"
                } else if e.is_connect() {
                    "connection error"
                } else {
                    "request error"
                };
                return Attempt::Transient(format!("{what}: {e}"));
            }
        };
        let status = response.status();
        if status == reqwest::StatusCode::NOT_FOUND {
            return Attempt::Done(Err(RegistryError::NotFound));
        }
        if status.is_server_error() {
            return Attempt::Transient(format!("HTTP {status}"));
        }
        if !status.is_success() {
            return Attempt::Done(Err(RegistryError::BadResponse(format!(
                "unexpected HTTP {status}"
            ))));
        }
        let mut body = Vec::new();
        if let Err(e) = response.take(MAX_BODY_BYTES + 1).read_to_end(&mut body) {
            // The body stopped arriving (timeout or a dropped connection).
            return Attempt::Transient(format!("reading the response: {e}"));
        }
        if body.len() as u64 > MAX_BODY_BYTES {
            return Attempt::Done(Err(RegistryError::BadResponse(format!(
                "response larger than {MAX_BODY_BYTES} bytes"
            ))));
        }
        Attempt::Done(
            serde_json::from_slice(&body)
                .map_err(|e| RegistryError::BadResponse(format!("invalid JSON record: {e}"))),
        )
    }
}

impl PersonRegistry for HttpRegistryClient {
    fn find_person(&self, iin: &str) -> Result<PersonRecord, RegistryError> {
        self.lookup("persons", iin, |p: &PersonRecord| p.iin.as_str())
    }
}

impl CompanyRegistry for HttpRegistryClient {
    fn find_company(&self, bin: &str) -> Result<CompanyRecord, RegistryError> {
        self.lookup("companies", bin, |c: &CompanyRecord| c.bin.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_and_url_validation() {
        let c = HttpRegistryClient::new("http://127.0.0.1:9/api/", Duration::from_secs(1))
            .expect("valid URL");
        assert_eq!(c.base_url(), "http://127.0.0.1:9/api");
        assert!(HttpRegistryClient::new("not a url", Duration::from_secs(1)).is_err());
        assert!(HttpRegistryClient::new("ftp://example.kz", Duration::from_secs(1)).is_err());
        let cfg = HttpRegistryConfig::new("https://example.kz");
        assert_eq!(cfg.timeout, Duration::from_secs(5));
        assert_eq!(cfg.retries, 1);
        assert!(format!("{c:?}").contains("127.0.0.1"));
    }

    #[test]
    fn malformed_keys_never_reach_the_network() {
        // Port 9 (discard) on localhost is not listened on; a request would be Unavailable.
        let c = HttpRegistryClient::new("http://127.0.0.1:9", Duration::from_millis(100))
            .expect("valid URL");
        assert_eq!(
            c.find_person("../companies/1"),
            Err(RegistryError::NotFound)
        );
        assert_eq!(c.find_person("85041240123"), Err(RegistryError::NotFound));
        assert_eq!(c.find_company("15094000123x"), Err(RegistryError::NotFound));
    }
}
