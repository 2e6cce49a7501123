//! HTTP client for ГБД ФЛ / ГБД ЮЛ: `GET {base}/persons/{iin}` and `GET {base}/companies/{bin}`
//! answer 200 with a JSON record or 404. Timeouts, connection errors and 5xx are retried
//! once after a short pause, then reported as `Unavailable`.

use super::{CompanyRecord, CompanyRegistry, PersonRecord, PersonRegistry, RegistryError};
use serde::de::DeserializeOwned;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct HttpRegistryClient {
    base: String,
    client: reqwest::blocking::Client,
    retry_pause: Duration,
}

impl HttpRegistryClient {
    pub fn new(base_url: &str, timeout: Duration) -> anyhow::Result<HttpRegistryClient> {
        let client = reqwest::blocking::Client::builder().timeout(timeout).build()?;
        Ok(HttpRegistryClient { base: base_url.trim_end_matches('/').to_string(), client, retry_pause: Duration::from_millis(200) })
    }

    pub fn with_retry_pause(mut self, pause: Duration) -> Self {
        self.retry_pause = pause;
        self
    }

    fn get_json<T: DeserializeOwned>(&self, path: &str, key: &str) -> Result<T, RegistryError> {
        if key.is_empty() || !key.bytes().all(|b| b.is_ascii_digit()) {
            return Err(RegistryError::NotFound);
        }
        let url = format!("{}/{path}/{key}", self.base);
        let mut last = String::new();
        for attempt in 0..2 {
            if attempt > 0 {
                std::thread::sleep(self.retry_pause);
            }
            match self.client.get(&url).header("accept", "application/json").send() {
                Ok(r) if r.status() == reqwest::StatusCode::NOT_FOUND => return Err(RegistryError::NotFound),
                Ok(r) if r.status().is_success() => {
                    let body = r.text().map_err(|e| RegistryError::BadResponse(e.to_string()))?;
                    return serde_json::from_str(&body).map_err(|e| RegistryError::BadResponse(e.to_string()));
                }
                Ok(r) if r.status().is_server_error() => last = format!("HTTP {}", r.status()),
                Ok(r) => return Err(RegistryError::BadResponse(format!("HTTP {}", r.status()))),
                Err(e) => last = e.to_string(),
            }
            tracing::warn!(url, attempt, error = %last, "registry call failed");
        }
        Err(RegistryError::Unavailable(last))
    }
}

impl PersonRegistry for HttpRegistryClient {
    fn find_person(&self, iin: &str) -> Result<PersonRecord, RegistryError> {
        self.get_json("persons", iin)
    }
}

impl CompanyRegistry for HttpRegistryClient {
    fn find_company(&self, bin: &str) -> Result<CompanyRecord, RegistryError> {
        self.get_json("companies", bin)
    }
}
