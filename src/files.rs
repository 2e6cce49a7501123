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
}
