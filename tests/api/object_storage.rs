//! Documents in S3-compatible object storage (`storage_url`, docs/storage.md), against a real
//! S3 server: moto's `moto_server`, started by each test on a free port of loopback
//! ([`require_tool`]: required in CI). The bucket is read back with boto3, not through the
//! `object_store` crate the server uses.

use crate::common::licence::*;
use crate::common::*;
use ruqsat::config::Secret;
use serde_json::Value;
use sha2::Digest;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A `moto_server` on 127.0.0.1, killed when dropped.
struct Moto {
    child: Child,
    endpoint: String,
}

impl Moto {
    /// Starts moto and waits until it answers; `None` (after a visible skip) without it.
    fn start(log_dir: &Path) -> Option<Moto> {
        if !require_tool("moto_server") {
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let log = std::fs::File::create(log_dir.join("moto.log")).expect("moto log");
        let child = Command::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("start moto_server");
        let mut moto = Moto {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        let client = reqwest::blocking::Client::new();
        let start = Instant::now();
        loop {
            if client
                .get(format!("{}/", moto.endpoint))
                .send()
                .is_ok_and(|r| r.status().is_success())
            {
                return Some(moto);
            }
            if let Ok(Some(status)) = moto.child.try_wait() {
                panic!(
                    "moto_server exited ({status}): {}",
                    std::fs::read_to_string(log_dir.join("moto.log")).unwrap_or_default()
                );
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "moto_server did not answer on {} within 60 s",
                moto.endpoint
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    fn create_bucket(&self, bucket: &str) {
        let r = reqwest::blocking::Client::new()
            .put(format!("{}/{bucket}", self.endpoint))
            .send()
            .expect("create bucket");
        assert!(r.status().is_success(), "create bucket: {:?}", r.text());
    }

    /// Every object of `bucket` under `prefix`, by key: the SHA-256 and the size of its
    /// bytes, read with boto3 (which moto brings), an S3 client independent of Ruqsat's.
    fn objects(&self, bucket: &str, prefix: &str) -> BTreeMap<String, (String, u64)> {
        let out = Command::new("python3")
            .args(["-c", READ_BUCKET, &self.endpoint, bucket, prefix])
            .output()
            .expect("python3");
        assert!(
            out.status.success(),
            "boto3: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout)
            .expect("utf-8")
            .lines()
            .map(|line| {
                let f: Vec<&str> = line.split(' ').collect();
                assert_eq!(f.len(), 3, "{line}");
                let size = f[2].parse().expect("size");
                (f[0].to_string(), (f[1].to_string(), size))
            })
            .collect()
    }
}

/// Lists a bucket under a prefix and prints `key sha256 size` per object, reading each one.
const READ_BUCKET: &str = r#"
import boto3, hashlib, sys
endpoint, bucket, prefix = sys.argv[1:4]
s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                  aws_access_key_id="reader", aws_secret_access_key="reader")
for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
    for o in page.get("Contents", []):
        body = s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read()
        print(o["Key"], hashlib.sha256(body).hexdigest(), len(body))
"#;

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(bytes))
}

fn storage_url(moto: &Moto, bucket: &str, prefix: &str) -> Secret {
    // moto takes any credentials; these come in the URL, as a deployment may give them.
    Secret::new(format!(
        "s3://ruqsat-test:not%2Fa+secret@{bucket}/{prefix}?endpoint={}&region=us-east-1",
        moto.endpoint
    ))
}

/// Every file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).expect("read_dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[test]
fn uploads_and_signed_results_live_in_the_bucket_and_nothing_under_data_dir() {
    let logs = tempfile::tempdir().expect("tmp");
    let Some(moto) = Moto::start(logs.path()) else {
        return;
    };
    moto.create_bucket("ruqsat-docs");
    let url = storage_url(&moto, "ruqsat-docs", "kz/ruqsat");
    let app = TestApp::spawn_with(move |c| c.storage_url = Some(url));
    assert!(app.app.files.root().is_none());
    let location = app.app.files.location();
    assert!(
        location.starts_with("s3://ruqsat-docs/kz/ruqsat") && !location.contains("ruqsat-test"),
        "{location}"
    );

    // Three uploads, the applicant's signature, payment, review and the signed e-licence.
    let (med, official, number) = licence_under_review(&app);
    assess_and_approve(&app, &official, &number, "lab-equipment");
    let (pdf, _) = verified_result(&app, &med, &number, "licence");
    let docs: Vec<Value> = app
        .get(&med, &format!("/api/v1/requests/{number}/documents"))
        .json()
        .expect("json");
    assert_eq!(docs.len(), 1, "{docs:?}");
    let by_id = app
        .get(
            &med,
            &format!(
                "/api/v1/requests/{number}/documents/{}/pdf",
                docs[0]["id"].as_str().expect("id")
            ),
        )
        .bytes()
        .expect("pdf")
        .to_vec();
    assert_eq!(by_id, pdf, "both download routes give the same bytes");

    // The bucket, read independently: every object is named by the SHA-256 of its bytes,
    // and the uploads and the downloaded result are there byte for byte.
    let objects = moto.objects("ruqsat-docs", "kz/ruqsat/");
    for (key, (sha, _)) in &objects {
        assert_eq!(key, &format!("kz/ruqsat/files/{}/{sha}", &sha[..2]));
    }
    let stored_as = |bytes: &[u8]| {
        let sha = sha256(bytes);
        let key = format!("kz/ruqsat/files/{}/{sha}", &sha[..2]);
        (key, (sha, bytes.len() as u64))
    };
    for d in ["application", "staff-qualification", "premises"] {
        let (key, object) = stored_as(&pdf_bytes(d));
        assert_eq!(
            objects.get(&key),
            Some(&object),
            "upload {d} not in the bucket; keys: {:?}",
            objects.keys().collect::<Vec<_>>()
        );
    }
    let (key, object) = stored_as(&pdf);
    assert_eq!(objects.get(&key), Some(&object), "the result PDF");
    // The store reads its own objects back, and a missing one is a clean NotFound.
    assert_eq!(app.app.files.get(&sha256(&pdf)).expect("get"), pdf);
    let e = app
        .app
        .files
        .get(&sha256(b"never stored"))
        .expect_err("missing object");
    assert_eq!(e.kind(), std::io::ErrorKind::NotFound, "{e}");
    // Putting existing content again changes nothing.
    let again = app.app.files.put(&pdf).expect("put again");
    assert_eq!(again.sha256, sha256(&pdf));
    assert_eq!(moto.objects("ruqsat-docs", "kz/ruqsat/"), objects);

    // Nothing of it under data_dir: no files/ directory, and no file there holds a
    // document's bytes (SQLite's database, the demo PKI and the .eml mail folder may).
    let data_dir = app.app.config.data_dir.clone();
    assert!(!data_dir.join("files").exists());
    // What is there: the demo PKI and the .eml folder (production sets trust_roots and
    // smtp_url instead), and on SQLite the database.
    for entry in std::fs::read_dir(&data_dir).expect("data_dir").flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let sqlite = backend() == "sqlite" && name.starts_with("ruqsat.db");
        assert!(
            sqlite || ["pki", "mail"].contains(&name.as_str()),
            "{name} under data_dir"
        );
    }
    let stored: std::collections::BTreeSet<String> =
        objects.values().map(|(sha, _)| sha.clone()).collect();
    for f in files_under(&data_dir) {
        let bytes = std::fs::read(&f).expect("read");
        assert!(
            !stored.contains(&sha256(&bytes)),
            "{} is a stored document",
            f.display()
        );
    }
}

#[test]
fn a_missing_bucket_stops_the_start_naming_the_setting_without_the_secret() {
    let logs = tempfile::tempdir().expect("tmp");
    let Some(moto) = Moto::start(logs.path()) else {
        return;
    };
    let dir = tempfile::tempdir().expect("tmp");
    let db = OwnDatabase::new(dir.path());
    let mut config = ruqsat::config::Config::for_dir(dir.path(), Some(db.url.clone()));
    config.storage_url = Some(storage_url(&moto, "no-such-bucket", ""));
    let store = ruqsat::db::Store::open(&config.database_url, 2).expect("open store");
    store.migrate().expect("migrate");
    let e = ruqsat::app::App::with_store(
        config,
        store,
        std::sync::Arc::new(ruqsat::app::SettableClock::new()),
    )
    .err()
    .expect("no bucket, no start");
    let message = format!("{e:#}");
    assert!(message.contains("setting `storage_url`"), "{message}");
    assert!(
        !message.contains("not%2Fa") && !message.contains("not/a+secret"),
        "{message}"
    );
    assert!(!dir.path().join("files").exists());
}
