//! Content-addressed file storage (attachments, signatures, results): a local directory by
//! default, an S3-compatible bucket when `storage_url` is set (docs/storage.md). A file is
//! named by its SHA-256 and stored durably (locally: fsynced, then renamed into place; in a
//! bucket: the PUT has been answered) before the database row that points at it commits: a
//! crash in between leaves an orphan file, never a dangling row.

use sha2::{Digest, Sha256};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::Secret;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    pub sha256: String,
    pub size: u64,
}

/// File types accepted as attachments, detected from content, never from the name.
pub fn sniff_content_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some("image/png")
    } else {
        None
    }
}

/// An uploaded file's name as kept and shown: its last path segment, without control or
/// reserved characters (`<>:"/\\|?*`), leading dots and surrounding spaces, at most 200
/// characters; `upload` when nothing is left.
pub fn normalise_file_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !"<>:\"|?*".contains(*c))
        .take(200)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    if cleaned.is_empty() {
        "upload".to_string()
    } else {
        cleaned.to_string()
    }
}

/// Width and height of a PNG (IHDR) or a JPEG (first SOF marker), from the header only.
pub fn image_dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    let be16 = |b: &[u8], at: usize| -> Option<u32> {
        Some(u32::from(u16::from_be_bytes([
            *b.get(at)?,
            *b.get(at + 1)?,
        ])))
    };
    if bytes.starts_with(&[0x89, b'P', b'N', b'G']) {
        let w = u32::from_be_bytes(bytes.get(16..20)?.try_into().ok()?);
        let h = u32::from_be_bytes(bytes.get(20..24)?.try_into().ok()?);
        return Some((w, h));
    }
    if !bytes.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let mut at = 2;
    while at + 4 <= bytes.len() {
        if bytes[at] != 0xFF {
            return None;
        }
        let marker = bytes[at + 1];
        if marker == 0xFF {
            at += 1;
            continue;
        }
        let len = be16(bytes, at + 2)? as usize;
        // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
        if (0xC0..=0xCF).contains(&marker) && ![0xC4, 0xC8, 0xCC].contains(&marker) {
            let h = be16(bytes, at + 5)?;
            let w = be16(bytes, at + 7)?;
            return Some((w, h));
        }
        at += 2 + len;
    }
    None
}

/// The largest image accepted: a scan of an A4 page at 600 dpi is about 5000 × 7000.
pub const MAX_IMAGE_SIDE: u32 = 12_000;
pub const MAX_IMAGE_PIXELS: u64 = 100_000_000;

/// How deeply arrays and dictionaries nest in a PDF, read from its bytes without parsing
/// objects (strings, comments and stream data skipped). A parser that recurses (lopdf)
/// overflows its stack on a file nested 100,000 deep; such a file is refused before.
pub fn pdf_nesting_depth(bytes: &[u8]) -> usize {
    let (mut depth, mut max, mut i) = (0usize, 0usize, 0usize);
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
            }
            b'(' => {
                let mut level = 1;
                i += 1;
                while i < bytes.len() && level > 0 {
                    match bytes[i] {
                        b'\\' => i += 1,
                        b'(' => level += 1,
                        b')' => level -= 1,
                        _ => {}
                    }
                    i += 1;
                }
                continue;
            }
            b's' if bytes[i..].starts_with(b"stream") => {
                match bytes[i..].windows(9).position(|w| w == b"endstream") {
                    Some(p) => i += p + 9,
                    None => return max,
                }
                continue;
            }
            b'[' => {
                depth += 1;
                max = max.max(depth);
            }
            b']' => depth = depth.saturating_sub(1),
            b'<' if bytes.get(i + 1) == Some(&b'<') => {
                depth += 1;
                max = max.max(depth);
                i += 1;
            }
            b'>' if bytes.get(i + 1) == Some(&b'>') => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            _ => {}
        }
        i += 1;
    }
    max
}

/// The deepest nesting accepted in a PDF (real documents stay under 20).
pub const MAX_PDF_NESTING: usize = 256;

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// `sha` when it is a digest as files are named by: 64 lower-case hex digits.
fn checked_digest(sha: &str) -> Option<&str> {
    (sha.len() == 64
        && sha
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()))
    .then_some(sha)
}

/// Where documents are kept: a local directory (the default) or an S3-compatible bucket
/// (`storage_url`). Both are content-addressed, so storing the same bytes twice is a no-op,
/// and both have finished writing, durably, when [`FileStore::put`] returns.
///
/// The API is synchronous: callers are blocking threads (diesel work runs in
/// `web::block`) and plain synchronous code (the CLI, the demo, tests). The object-storage
/// backend owns a small tokio runtime of its own; a call spawns the request onto it and
/// waits for the answer on a channel, which is safe from any thread, including one that is
/// inside another runtime.
#[derive(Clone)]
pub struct FileStore {
    backend: Backend,
}

#[derive(Clone)]
enum Backend {
    Local { root: PathBuf },
    Object(Arc<ObjectBackend>),
}

impl std::fmt::Debug for FileStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileStore")
            .field("location", &self.location())
            .finish()
    }
}

impl FileStore {
    /// The local store: files under `root/ab/cd/<sha256>`, written to `root/tmp` first.
    pub fn new(root: impl Into<PathBuf>) -> std::io::Result<FileStore> {
        let root = root.into();
        fs::create_dir_all(root.join("tmp"))?;
        Ok(FileStore {
            backend: Backend::Local { root },
        })
    }

    /// The store the configuration names: the bucket of `storage_url` when set (nothing is
    /// written under `data_dir` then), else `data_dir/files`.
    pub fn from_config(config: &crate::config::Config) -> anyhow::Result<FileStore> {
        match &config.storage_url {
            Some(url) => {
                let settings = StorageUrl::parse(url.expose())
                    .map_err(|e| anyhow::anyhow!("configuration: setting `storage_url`: {e}"))?;
                FileStore::object_storage(&settings)
                    .map_err(|e| anyhow::anyhow!("configuration: setting `storage_url`: {e}"))
            }
            None => Ok(FileStore::new(config.data_dir.join("files"))?),
        }
    }

    /// The S3-compatible store of `settings`. Credentials not in the URL come from the
    /// standard AWS variables (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
    /// `AWS_SESSION_TOKEN`, …) as the AWS tools read them.
    pub fn object_storage(settings: &StorageUrl) -> anyhow::Result<FileStore> {
        use object_store::aws::{AmazonS3Builder, Checksum};
        let mut builder = AmazonS3Builder::from_env()
            .with_bucket_name(&settings.bucket)
            // The server checks the upload's SHA-256 before it stores it.
            .with_checksum_algorithm(Checksum::SHA256)
            .with_retry(retry_config());
        if let Some(region) = &settings.region {
            builder = builder.with_region(region);
        }
        if let Some(endpoint) = &settings.endpoint {
            builder = builder.with_endpoint(endpoint);
        }
        if let Some(allow) = settings.allow_http {
            builder = builder.with_allow_http(allow);
        }
        if let Some(v) = settings.virtual_hosted {
            builder = builder.with_virtual_hosted_style_request(v);
        }
        if let Some((key, secret)) = &settings.credentials {
            builder = builder
                .with_access_key_id(key.expose())
                .with_secret_access_key(secret.expose());
        }
        let store = builder.build()?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("ruqsat-storage")
            .enable_all()
            .build()?;
        Ok(FileStore {
            backend: Backend::Object(Arc::new(ObjectBackend {
                store: Arc::new(store),
                prefix: settings.prefix.clone(),
                runtime: Some(runtime),
                location: settings.to_string(),
            })),
        })
    }

    /// Where the files go, for logs: the directory, or `s3://bucket/prefix` with the region
    /// and endpoint the URL gives (never credentials).
    pub fn location(&self) -> String {
        match &self.backend {
            Backend::Local { root } => root.display().to_string(),
            Backend::Object(o) => o.location.clone(),
        }
    }

    /// The local store's directory; `None` for object storage.
    pub fn root(&self) -> Option<&Path> {
        match &self.backend {
            Backend::Local { root } => Some(root),
            Backend::Object(_) => None,
        }
    }

    /// Checks that the store can be used: for object storage, one listing of the prefix
    /// (a missing bucket, a wrong endpoint or refused credentials fail here, at start).
    pub fn check(&self) -> std::io::Result<()> {
        match &self.backend {
            Backend::Local { .. } => Ok(()),
            Backend::Object(o) => {
                let store = o.store.clone();
                let prefix = o.key("");
                o.run(async move {
                    store
                        .list_with_delimiter(Some(&prefix))
                        .await
                        .map(|_| ())
                        .map_err(io_error)
                })?
            }
        }
    }

    fn path_of(root: &Path, sha: &str) -> Option<PathBuf> {
        let sha = checked_digest(sha)?;
        Some(root.join(&sha[..2]).join(&sha[2..4]).join(sha))
    }

    /// Stores `bytes` durably; storing the same content twice is a no-op.
    pub fn put(&self, bytes: &[u8]) -> std::io::Result<StoredFile> {
        let sha = sha256_hex(bytes);
        match &self.backend {
            Backend::Local { root } => put_local(root, &sha, bytes)?,
            Backend::Object(o) => {
                let store = o.store.clone();
                let key = o.key(&object_key(&sha));
                let payload = object_store::PutPayload::from(bytes.to_vec());
                // A plain PUT: the same key always holds the same bytes, so writing it
                // again changes nothing. The answer comes once the object is stored.
                o.run(async move {
                    store
                        .put_opts(&key, payload, object_store::PutOptions::default())
                        .await
                        .map(|_| ())
                        .map_err(io_error)
                })??;
            }
        }
        Ok(StoredFile {
            sha256: sha,
            size: bytes.len() as u64,
        })
    }

    /// The file with digest `sha`. A missing file is an error of kind `NotFound`; an object
    /// whose bytes do not hash to its name is an error too.
    pub fn get(&self, sha: &str) -> std::io::Result<Vec<u8>> {
        let bad = || std::io::Error::new(std::io::ErrorKind::InvalidInput, "bad digest");
        match &self.backend {
            Backend::Local { root } => fs::read(FileStore::path_of(root, sha).ok_or_else(bad)?),
            Backend::Object(o) => {
                let sha = checked_digest(sha).ok_or_else(bad)?;
                let store = o.store.clone();
                let key = o.key(&object_key(sha));
                let bytes = o.run(async move {
                    let got = store
                        .get_opts(&key, object_store::GetOptions::default())
                        .await
                        .map_err(io_error)?;
                    got.bytes().await.map_err(io_error)
                })??;
                if sha256_hex(&bytes) != sha {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        format!("stored object {sha} does not match its digest"),
                    ));
                }
                Ok(bytes.to_vec())
            }
        }
    }
}

/// `files/ab/<sha256>`: objects spread over 256 prefixes by their first byte.
fn object_key(sha: &str) -> String {
    format!("files/{}/{sha}", &sha[..2])
}

fn put_local(root: &Path, sha: &str, bytes: &[u8]) -> std::io::Result<()> {
    let dest = FileStore::path_of(root, sha).ok_or_else(|| std::io::Error::other("bad digest"))?;
    if dest.exists() {
        return Ok(());
    }
    let dir = dest
        .parent()
        .ok_or_else(|| std::io::Error::other("no parent"))?;
    fs::create_dir_all(dir)?;
    let tmp = root
        .join("tmp")
        .join(format!("{sha}.{}", uuid::Uuid::new_v4()));
    let mut f = fs::File::create(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    fs::rename(&tmp, &dest)?;
    sync_dir(dir)
}

/// Retries of a failed request: a few, within 20 s, so a request that waits on storage that
/// is down gets its error in seconds rather than minutes.
fn retry_config() -> object_store::RetryConfig {
    object_store::RetryConfig {
        max_retries: 3,
        retry_timeout: std::time::Duration::from_secs(20),
        ..Default::default()
    }
}

fn io_error(e: object_store::Error) -> std::io::Error {
    match e {
        object_store::Error::NotFound { path, .. } => std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("object {path} not found"),
        ),
        e => std::io::Error::other(e),
    }
}

/// An S3-compatible bucket and the runtime its requests run on.
struct ObjectBackend {
    store: Arc<dyn object_store::ObjectStore>,
    prefix: String,
    /// Always `Some` until dropped (taken out by `Drop`).
    runtime: Option<tokio::runtime::Runtime>,
    location: String,
}

impl ObjectBackend {
    fn key(&self, rel: &str) -> object_store::path::Path {
        object_store::path::Path::from(
            [self.prefix.as_str(), rel]
                .iter()
                .filter(|s| !s.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join("/"),
        )
    }

    /// Runs `task` on the store's runtime and waits for its result on this thread.
    fn run<T: Send + 'static>(
        &self,
        task: impl std::future::Future<Output = T> + Send + 'static,
    ) -> std::io::Result<T> {
        let runtime = self
            .runtime
            .as_ref()
            .ok_or_else(|| std::io::Error::other("object storage is shut down"))?;
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        runtime.spawn(async move {
            let _ = tx.send(task.await);
        });
        // A task that panicked drops its sender: an error here, not a hang.
        rx.recv()
            .map_err(|_| std::io::Error::other("object storage request ended without an answer"))
    }
}

impl Drop for ObjectBackend {
    /// Dropping a runtime blocks until its tasks end, which panics inside another runtime;
    /// the last clone of the store may well be dropped there, so it does not wait.
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

/// `storage_url`: `s3://[ACCESS_KEY:SECRET_KEY@]BUCKET[/PREFIX][?endpoint=URL&region=NAME
/// &allow_http=BOOL&virtual_hosted=BOOL]`. Key and secret are percent-encoded. What the URL
/// leaves out comes from the standard AWS variables (`AWS_ACCESS_KEY_ID`, `AWS_REGION`,
/// `AWS_ENDPOINT`, …), else the defaults (AWS itself, `us-east-1`). `allow_http` is
/// implied by an `http://` endpoint.
#[derive(Clone, PartialEq, Eq)]
pub struct StorageUrl {
    pub bucket: String,
    /// Keys are `PREFIX/files/ab/<sha256>` (no leading or trailing `/`; empty: none).
    pub prefix: String,
    pub endpoint: Option<String>,
    pub region: Option<String>,
    pub allow_http: Option<bool>,
    pub virtual_hosted: Option<bool>,
    pub credentials: Option<(Secret, Secret)>,
}

/// The query parameters a `storage_url` may have.
pub const STORAGE_URL_PARAMETERS: &[&str] = &["endpoint", "region", "allow_http", "virtual_hosted"];

impl StorageUrl {
    /// Parses and checks a `storage_url`. Errors never repeat the URL (it may hold a secret).
    pub fn parse(text: &str) -> Result<StorageUrl, String> {
        let url = url::Url::parse(text.trim()).map_err(|e| format!("not a URL: {e}"))?;
        if url.scheme() != "s3" {
            return Err(format!(
                "scheme `{}`: expected s3://BUCKET[/PREFIX]?endpoint=…",
                url.scheme()
            ));
        }
        let bucket = url.host_str().unwrap_or_default().to_string();
        let bucket_ok = (3..=63).contains(&bucket.len())
            && bucket
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
            && !bucket.starts_with(['-', '.'])
            && !bucket.ends_with(['-', '.']);
        if !bucket_ok {
            return Err(
                "the bucket name (s3://BUCKET) must be 3 to 63 lower-case letters, digits, dots \
                 or hyphens"
                    .into(),
            );
        }
        if url.port().is_some() {
            return Err("s3://BUCKET takes no port; give the server as ?endpoint=…".into());
        }
        let prefix = url.path().trim_matches('/').to_string();
        if prefix.split('/').any(|s| s == "." || s == "..") || prefix.contains("//") {
            return Err("the prefix (s3://BUCKET/PREFIX) has an empty, `.` or `..` part".into());
        }
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .map(|c| c.into_owned())
                .map_err(|_| "the credentials are not UTF-8 once percent-decoded".to_string())
        };
        let credentials = match (url.username(), url.password()) {
            ("", None) => None,
            (key, Some(secret)) if !key.is_empty() && !secret.is_empty() => {
                Some((Secret::new(decode(key)?), Secret::new(decode(secret)?)))
            }
            _ => {
                return Err(
                    "credentials in the URL are ACCESS_KEY:SECRET_KEY@, both non-empty".into(),
                )
            }
        };
        let mut endpoint = None;
        let mut region = None;
        let mut allow_http = None;
        let mut virtual_hosted = None;
        let flag = |name: &str, v: &str| match v {
            "true" | "1" => Ok(true),
            "false" | "0" => Ok(false),
            _ => Err(format!("`{name}`: expected true or false")),
        };
        for (k, v) in url.query_pairs() {
            match k.as_ref() {
                "endpoint" => {
                    let e = url::Url::parse(&v).map_err(|e| format!("`endpoint`: {e}"))?;
                    if !["http", "https"].contains(&e.scheme()) || e.host_str().is_none() {
                        return Err("`endpoint`: expected http://HOST[:PORT] or https://…".into());
                    }
                    endpoint = Some(v.trim_end_matches('/').to_string());
                }
                "region" if !v.is_empty() => region = Some(v.into_owned()),
                "allow_http" => allow_http = Some(flag("allow_http", &v)?),
                "virtual_hosted" => virtual_hosted = Some(flag("virtual_hosted", &v)?),
                other => {
                    return Err(format!(
                        "unknown parameter `{other}`; known: {}",
                        STORAGE_URL_PARAMETERS.join(", ")
                    ))
                }
            }
        }
        let allow_http = allow_http.or_else(|| {
            endpoint
                .as_deref()
                .is_some_and(|e| e.starts_with("http://"))
                .then_some(true)
        });
        Ok(StorageUrl {
            bucket,
            prefix,
            endpoint,
            region,
            allow_http,
            virtual_hosted,
            credentials,
        })
    }
}

/// `s3://bucket/prefix region … endpoint …`: never the credentials.
impl std::fmt::Display for StorageUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "s3://{}", self.bucket)?;
        if !self.prefix.is_empty() {
            write!(f, "/{}", self.prefix)?;
        }
        if let Some(r) = &self.region {
            write!(f, " region {r}")?;
        }
        if let Some(e) = &self.endpoint {
            write!(f, " endpoint {e}")?;
        }
        Ok(())
    }
}

impl std::fmt::Debug for StorageUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "StorageUrl({self})")
    }
}

fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        fs::File::open(dir)?.sync_all()?;
    }
    let _ = dir;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_normalised() {
        assert_eq!(normalise_file_name("../../etc/passwd"), "passwd");
        assert_eq!(
            normalise_file_name("C:\\Users\\a\\скан 1.pdf"),
            "скан 1.pdf"
        );
        assert_eq!(normalise_file_name("..."), "upload");
        assert_eq!(normalise_file_name("a\u{0}b<c>.pdf"), "abc.pdf");
        assert_eq!(normalise_file_name(&"x".repeat(500)).len(), 200);
    }

    #[test]
    fn image_sizes_are_read_from_headers() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend_from_slice(&640u32.to_be_bytes());
        png.extend_from_slice(&480u32.to_be_bytes());
        assert_eq!(image_dimensions(&png), Some((640, 480)));
        // SOI, APP0 (length 4), SOF0: length 17, precision 8, height 300, width 200.
        let jpeg = [
            0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0x01,
            0x2C, 0x00, 0xC8,
        ];
        assert_eq!(image_dimensions(&jpeg), Some((200, 300)));
        assert_eq!(image_dimensions(b"%PDF-1.7"), None);
    }

    #[test]
    fn pdf_nesting_is_measured_outside_strings_and_streams() {
        assert_eq!(pdf_nesting_depth(b"<< /A [1 [2 <<>>] ] >>"), 4);
        assert_eq!(pdf_nesting_depth(b"(((([[[[ not nesting ))))) [1]"), 1);
        assert_eq!(pdf_nesting_depth(b"stream\n[[[[[[\nendstream [1]"), 1);
        assert_eq!(pdf_nesting_depth(b"% [[[[[\n[1]"), 1);
        let deep = format!(
            "%PDF-1.7\n1 0 obj\n{}{}\nendobj",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        assert_eq!(pdf_nesting_depth(deep.as_bytes()), 100_000);
    }

    #[test]
    fn sniffs_only_pdf_jpeg_png() {
        assert_eq!(sniff_content_type(b"%PDF-1.7\n"), Some("application/pdf"));
        assert_eq!(
            sniff_content_type(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Some("image/jpeg")
        );
        assert_eq!(
            sniff_content_type(b"\x89PNG\r\n\x1a\n...."),
            Some("image/png")
        );
        assert_eq!(sniff_content_type(b"MZ\x90\x00"), None);
        assert_eq!(sniff_content_type(b"<html>%PDF-"), None);
    }

    #[test]
    fn put_is_content_addressed_and_readable() {
        let dir = tempfile::tempdir().expect("tmp");
        let fs = FileStore::new(dir.path()).expect("store");
        let a = fs.put(b"%PDF-1.4 hello").expect("put");
        let b = fs.put(b"%PDF-1.4 hello").expect("put again");
        assert_eq!(a, b);
        assert_eq!(a.sha256, sha256_hex(b"%PDF-1.4 hello"));
        assert_eq!(fs.get(&a.sha256).expect("get"), b"%PDF-1.4 hello");
        assert!(fs.get("../../etc/passwd").is_err());
    }

    #[test]
    fn local_store_keeps_one_fsynced_file_per_content_where_expected() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = FileStore::new(dir.path().join("files")).expect("store");
        assert_eq!(store.root(), Some(dir.path().join("files").as_path()));
        let bytes = b"%PDF-1.7 local backend";
        let sha = sha256_hex(bytes);
        let first = store.put(bytes).expect("put");
        let path = dir
            .path()
            .join("files")
            .join(&sha[..2])
            .join(&sha[2..4])
            .join(&sha);
        let written = std::fs::metadata(&path).expect("the file is at ab/cd/<sha256>");
        // A second put of the same bytes is a no-op: same answer, the file untouched.
        let second = store.put(bytes).expect("put again");
        assert_eq!(first, second);
        assert_eq!(first.size, bytes.len() as u64);
        assert_eq!(
            std::fs::metadata(&path)
                .expect("still there")
                .modified()
                .ok(),
            written.modified().ok()
        );
        assert_eq!(std::fs::read(&path).expect("read"), bytes);
        // Nothing is left behind in tmp/, and only the one file exists.
        let tmp: Vec<_> = std::fs::read_dir(dir.path().join("files/tmp"))
            .expect("tmp dir")
            .collect();
        assert!(tmp.is_empty(), "{tmp:?}");
        let missing = sha256_hex(b"never stored");
        let e = store.get(&missing).expect_err("missing");
        assert_eq!(e.kind(), std::io::ErrorKind::NotFound);
        let e = store.get(&sha.to_uppercase()).expect_err("not a digest");
        assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput);
    }

    #[test]
    fn object_keys_are_content_addressed_under_the_prefix() {
        let sha = sha256_hex(b"x");
        assert_eq!(object_key(&sha), format!("files/{}/{sha}", &sha[..2]));
        let url =
            StorageUrl::parse("s3://docs/ruqsat/prod/?endpoint=http://127.0.0.1:9").expect("url");
        assert_eq!(url.prefix, "ruqsat/prod");
        assert_eq!(
            url.to_string(),
            "s3://docs/ruqsat/prod endpoint http://127.0.0.1:9"
        );
    }

    #[test]
    fn object_store_calls_work_from_inside_another_runtime_and_missing_objects_are_errors() {
        // No server listens on port 9 of loopback: a connection is refused at once. The point
        // is that calling from a runtime's thread neither panics nor hangs, and that
        // dropping the store there does not panic either.
        let url = StorageUrl::parse("s3://k:s@docs?endpoint=http://127.0.0.1:9").expect("url");
        let store = FileStore::object_storage(&url).expect("store");
        assert_eq!(store.root(), None);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            let e = store.get(&sha256_hex(b"absent")).expect_err("unreachable");
            assert_ne!(e.kind(), std::io::ErrorKind::InvalidInput, "{e}");
            assert!(store.get("not-a-digest").is_err());
            drop(store);
        });
    }
}
