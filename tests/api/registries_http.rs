//! The ГБД ФЛ / ГБД ЮЛ HTTP adapter against a mock registry (R-000-42..44, R-003-37..39):
//! found, not found, timeout, connection refused, 5xx, 5xx then 200 (retry), malformed JSON,
//! for persons and companies.

use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use ruqsat::registries::http::{HttpRegistryClient, HttpRegistryConfig};
use ruqsat::registries::{
    CompanyRecord, CompanyRegistry, PersonRecord, PersonRegistry, RegistryError,
};

const IIN: &str = "850305401237";
const BIN: &str = "050340001235";

fn person_json() -> String {
    serde_json::json!({
        "iin": IIN,
        "last_name": "Нұрланова",
        "first_name": "Әйгерім",
        "middle_name": "Қасымқызы",
        "birth_date": "1985-03-05",
        "address": "Астана қ., Қабанбай батыр д-лы 40, 12 пәтер"
    })
    .to_string()
}

fn company_json() -> String {
    serde_json::json!({
        "bin": BIN,
        "name": "ТОО «Медицинский центр Ақжол»",
        "legal_address": "Ақтау қ., 14 шағын аудан, 5 үй",
        "head_iin": "881122307898"
    })
    .to_string()
}

/// A client with a short timeout and pause so the failure tests stay fast.
fn client(base: &str) -> HttpRegistryClient {
    HttpRegistryClient::with_config(HttpRegistryConfig {
        base_url: base.to_owned(),
        timeout: Duration::from_millis(300),
        retries: 1,
        retry_pause: Duration::from_millis(20),
    })
    .expect("valid base URL")
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

// --- persons ----------------------------------------------------------------------------

#[test]
fn person_found() {
    let mut server = mockito::Server::new();
    let mock = server
        .mock("GET", format!("/persons/{IIN}").as_str())
        .match_header("accept", "application/json")
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_body(person_json())
        .expect(1)
        .create();
    let p: PersonRecord = client(&server.url()).find_person(IIN).expect("found");
    assert_eq!(p.iin, IIN);
    assert_eq!(p.full_name(), "Нұрланова Әйгерім Қасымқызы");
    assert_eq!(p.birth_date, date(1985, 3, 5));
    mock.assert();
}

#[test]
fn person_optional_fields_may_be_absent_or_null() {
    let mut server = mockito::Server::new();
    let body = serde_json::json!({
        "iin": IIN, "last_name": "Ким", "first_name": "Виктория",
        "middle_name": null, "birth_date": "1985-03-05"
    });
    server
        .mock("GET", format!("/persons/{IIN}").as_str())
        .with_body(body.to_string())
        .create();
    let p = client(&server.url()).find_person(IIN).expect("found");
    assert_eq!(p.middle_name, None);
    assert_eq!(p.address, None);
    assert_eq!(p.full_name(), "Ким Виктория");
}

#[test]
fn base_url_with_path_and_trailing_slash() {
    let mut server = mockito::Server::new();
    let mock = server
        .mock("GET", format!("/api/v1/persons/{IIN}").as_str())
        .with_body(person_json())
        .expect(1)
        .create();
    let base = format!("{}/api/v1/", server.url());
    assert!(client(&base).find_person(IIN).is_ok());
    mock.assert();
}

#[test]
fn person_not_found_is_not_retried() {
    let mut server = mockito::Server::new();
    let mock = server
        .mock("GET", format!("/persons/{IIN}").as_str())
        .with_status(404)
        .expect(1)
        .create();
    let err = client(&server.url()).find_person(IIN).expect_err("404");
    assert_eq!(err, RegistryError::NotFound);
    assert_eq!(err.code().as_str(), "REGISTRY_NOT_FOUND");
    mock.assert();
}

#[test]
fn person_5xx_is_retried_once_then_unavailable() {
    let mut server = mockito::Server::new();
    let mock = server
        .mock("GET", format!("/persons/{IIN}").as_str())
        .with_status(503)
        .expect(2)
        .create();
    let err = client(&server.url()).find_person(IIN).expect_err("503");
    assert!(
        matches!(&err, RegistryError::Unavailable(m) if m.contains("503")),
        "{err:?}"
    );
    assert_eq!(err.code().as_str(), "REGISTRY_UNAVAILABLE");
    mock.assert();
}

#[test]
fn person_5xx_without_retries_is_one_call() {
    let mut server = mockito::Server::new();
    let mock = server
        .mock("GET", format!("/persons/{IIN}").as_str())
        .with_status(500)
        .expect(1)
        .create();
    let c = client(&server.url()).with_retries(0);
    assert!(matches!(
        c.find_person(IIN),
        Err(RegistryError::Unavailable(_))
    ));
    mock.assert();
}

#[test]
fn person_5xx_then_200_succeeds_through_the_retry() {
    let mut server = mockito::Server::new();
    // mockito serves the first matching mock that still misses hits, then the next one.
    let failing = server
        .mock("GET", format!("/persons/{IIN}").as_str())
        .with_status(502)
        .expect(1)
        .create();
    let ok = server
        .mock("GET", format!("/persons/{IIN}").as_str())
        .with_body(person_json())
        .expect(1)
        .create();
    let p = client(&server.url())
        .find_person(IIN)
        .expect("second attempt succeeds");
    assert_eq!(p.first_name, "Әйгерім");
    failing.assert();
    ok.assert();
}

#[test]
fn person_malformed_json_is_bad_response_without_retry() {
    let mut server = mockito::Server::new();
    let mock = server
        .mock("GET", format!("/persons/{IIN}").as_str())
        .with_body("{\"iin\": \"850305401237\", \"last_name\": ")
        .expect(1)
        .create();
    let err = client(&server.url())
        .find_person(IIN)
        .expect_err("bad JSON");
    assert!(matches!(err, RegistryError::BadResponse(_)), "{err:?}");
    assert_eq!(err.code().as_str(), "REGISTRY_BAD_RESPONSE");
    mock.assert();
}

#[test]
fn person_wrong_shape_or_wrong_record_is_bad_response() {
    let mut server = mockito::Server::new();
    // Valid JSON, missing required fields.
    server
        .mock("GET", format!("/persons/{IIN}").as_str())
        .with_body("{\"iin\": \"850305401237\"}")
        .create();
    // A record for another person.
    let other = person_json().replace(IIN, "900712304567");
    server
        .mock("GET", "/persons/881122307898")
        .with_body(other)
        .create();
    let c = client(&server.url());
    assert!(matches!(
        c.find_person(IIN),
        Err(RegistryError::BadResponse(_))
    ));
    assert!(matches!(
        c.find_person("881122307898"),
        Err(RegistryError::BadResponse(_))
    ));
}

#[test]
fn unexpected_status_is_bad_response_without_retry() {
    let mut server = mockito::Server::new();
    let mock = server
        .mock("GET", format!("/persons/{IIN}").as_str())
        .with_status(401)
        .expect(1)
        .create();
    let err = client(&server.url()).find_person(IIN).expect_err("401");
    assert!(
        matches!(&err, RegistryError::BadResponse(m) if m.contains("401")),
        "{err:?}"
    );
    mock.assert();
}

#[test]
fn malformed_keys_are_not_sent() {
    let mut server = mockito::Server::new();
    let any = server.mock("GET", mockito::Matcher::Any).expect(0).create();
    let c = client(&server.url());
    assert_eq!(
        c.find_person("../companies/050340001235"),
        Err(RegistryError::NotFound)
    );
    assert_eq!(c.find_person("8503054012"), Err(RegistryError::NotFound));
    assert_eq!(c.find_company("05034000123 "), Err(RegistryError::NotFound));
    any.assert();
}

/// A server that accepts connections and never answers: each attempt hits the client
/// timeout (300 ms); one retry; then `Unavailable`.
#[test]
fn person_timeout_is_retried_then_unavailable() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a local port");
    let addr = listener.local_addr().expect("local addr");
    let accepted = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&accepted);
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            match stream {
                Ok(s) => {
                    counter.fetch_add(1, Ordering::SeqCst);
                    held.push(s); // keep the socket open, never write
                }
                Err(_) => break,
            }
        }
    });
    let c = client(&format!("http://{addr}"));
    let started = Instant::now();
    let err = c.find_person(IIN).expect_err("timeout");
    let elapsed = started.elapsed();
    assert!(
        matches!(&err, RegistryError::Unavailable(m) if m.contains("timeout")),
        "{err:?}"
    );
    assert_eq!(
        accepted.load(Ordering::SeqCst),
        2,
        "one attempt + one retry"
    );
    assert!(elapsed >= Duration::from_millis(600), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
}

/// Nothing listens on the port: connection refused → retried → `Unavailable`.
#[test]
fn connection_refused_is_unavailable() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind a local port");
        l.local_addr().expect("local addr").port()
    }; // the listener is dropped here, so the port is closed
    let c = client(&format!("http://127.0.0.1:{port}"));
    let err = c.find_person(IIN).expect_err("refused");
    assert!(matches!(&err, RegistryError::Unavailable(_)), "{err:?}");
    let err = c.find_company(BIN).expect_err("refused");
    assert_eq!(err.code().as_str(), "REGISTRY_UNAVAILABLE");
}

// --- companies --------------------------------------------------------------------------

#[test]
fn company_found() {
    let mut server = mockito::Server::new();
    let mock = server
        .mock("GET", format!("/companies/{BIN}").as_str())
        .with_header("content-type", "application/json")
        .with_body(company_json())
        .expect(1)
        .create();
    let c: CompanyRecord = client(&server.url()).find_company(BIN).expect("found");
    assert_eq!(c.bin, BIN);
    assert_eq!(c.head_iin.as_deref(), Some("881122307898"));
    assert_eq!(c.name, "ТОО «Медицинский центр Ақжол»");
    mock.assert();
}

#[test]
fn company_not_found() {
    let mut server = mockito::Server::new();
    let mock = server
        .mock("GET", format!("/companies/{BIN}").as_str())
        .with_status(404)
        .expect(1)
        .create();
    assert_eq!(
        client(&server.url()).find_company(BIN),
        Err(RegistryError::NotFound)
    );
    mock.assert();
}

#[test]
fn company_5xx_is_unavailable_after_retry() {
    let mut server = mockito::Server::new();
    let mock = server
        .mock("GET", format!("/companies/{BIN}").as_str())
        .with_status(500)
        .expect(2)
        .create();
    let err = client(&server.url()).find_company(BIN).expect_err("500");
    assert!(matches!(err, RegistryError::Unavailable(_)), "{err:?}");
    mock.assert();
}

#[test]
fn company_5xx_then_200_succeeds_through_the_retry() {
    let mut server = mockito::Server::new();
    let failing = server
        .mock("GET", format!("/companies/{BIN}").as_str())
        .with_status(504)
        .expect(1)
        .create();
    let ok = server
        .mock("GET", format!("/companies/{BIN}").as_str())
        .with_body(company_json())
        .expect(1)
        .create();
    let c = client(&server.url())
        .find_company(BIN)
        .expect("second attempt succeeds");
    assert_eq!(c.legal_address, "Ақтау қ., 14 шағын аудан, 5 үй");
    failing.assert();
    ok.assert();
}

#[test]
fn company_malformed_json_is_bad_response() {
    let mut server = mockito::Server::new();
    let mock = server
        .mock("GET", format!("/companies/{BIN}").as_str())
        .with_body("<html>Service temporarily unavailable</html>")
        .expect(1)
        .create();
    let err = client(&server.url())
        .find_company(BIN)
        .expect_err("not JSON");
    assert!(matches!(err, RegistryError::BadResponse(_)), "{err:?}");
    mock.assert();
}

#[test]
fn company_timeout_is_unavailable() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a local port");
    let addr = listener.local_addr().expect("local addr");
    std::thread::spawn(move || {
        let mut held = Vec::new();
        while let Ok((s, _)) = listener.accept() {
            held.push(s);
        }
    });
    let c = client(&format!("http://{addr}")).with_retries(0);
    let started = Instant::now();
    let err = c.find_company(BIN).expect_err("timeout");
    assert!(
        matches!(&err, RegistryError::Unavailable(m) if m.contains("timeout")),
        "{err:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(3));
}

/// The adapters are usable behind the trait objects the application stores.
#[test]
fn usable_as_trait_objects() {
    let mut server = mockito::Server::new();
    server
        .mock("GET", format!("/persons/{IIN}").as_str())
        .with_body(person_json())
        .create();
    server
        .mock("GET", format!("/companies/{BIN}").as_str())
        .with_body(company_json())
        .create();
    let c = Arc::new(client(&server.url()));
    let persons: Arc<dyn PersonRegistry> = c.clone();
    let companies: Arc<dyn CompanyRegistry> = c;
    let handle = std::thread::spawn(move || {
        (
            persons.find_person(IIN).is_ok(),
            companies.find_company(BIN).is_ok(),
        )
    });
    assert_eq!(handle.join().ok(), Some((true, true)));
}
