//! Content-addressed file storage (attachments, results). A file is named by its
//! SHA-256 and written (fsynced, then renamed into place) before the database row that
//! points at it commits: a crash in between leaves an orphan file, never a dangling row.

use sha2::{Digest, Sha256};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct FileStore {
    root: PathBuf,
}

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

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

impl FileStore {
    pub fn new(root: impl Into<PathBuf>) -> std::io::Result<FileStore> {
        let root = root.into();
        fs::create_dir_all(root.join("tmp"))?;
        Ok(FileStore { root })
    }

    fn path_of(&self, sha: &str) -> Option<PathBuf> {
        if sha.len() != 64
            || !sha
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        {
            return None;
        }
        Some(self.root.join(&sha[..2]).join(&sha[2..4]).join(sha))
    }

    /// Stores `bytes` durably; storing the same content twice is a no-op.
    pub fn put(&self, bytes: &[u8]) -> std::io::Result<StoredFile> {
        let sha = sha256_hex(bytes);
        let dest = self
            .path_of(&sha)
            .ok_or_else(|| std::io::Error::other("bad digest"))?;
        if !dest.exists() {
            let dir = dest
                .parent()
                .ok_or_else(|| std::io::Error::other("no parent"))?;
            fs::create_dir_all(dir)?;
            let tmp = self
                .root
                .join("tmp")
                .join(format!("{sha}.{}", uuid::Uuid::new_v4()));
            let mut f = fs::File::create(&tmp)?;
            f.write_all(bytes)?;
            f.sync_all()?;
            fs::rename(&tmp, &dest)?;
            sync_dir(dir)?;
        }
        Ok(StoredFile {
            sha256: sha,
            size: bytes.len() as u64,
        })
    }

    pub fn get(&self, sha: &str) -> std::io::Result<Vec<u8>> {
        let p = self
            .path_of(sha)
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "bad digest"))?;
        fs::read(p)
    }

    pub fn root(&self) -> &Path {
        &self.root
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
}
