//! Reading a `multipart/form-data` body (an upload from the API or from a page form): small
//! text fields and at most one file, each bounded, anything unexpected refused.

use crate::error::{AppError, ErrorCode};
use actix_multipart::Multipart;
use futures_util::StreamExt as _;
use std::collections::BTreeMap;

/// The fields of a multipart body.
#[derive(Debug, Default)]
pub struct Parts {
    /// Text fields by name (UTF-8).
    pub texts: BTreeMap<String, String>,
    /// The file of [`read`]: its file name (or `upload`) and bytes.
    pub file: Option<(String, Vec<u8>)>,
    /// The files of [`read_with`], in the order sent: field name, file name and bytes.
    pub files: Vec<(String, String, Vec<u8>)>,
}

impl Parts {
    pub fn text(&self, name: &str) -> Option<&str> {
        self.texts.get(name).map(String::as_str)
    }

    /// A `true`/`false` field.
    pub fn flag(&self, name: &str) -> Result<Option<bool>, AppError> {
        match self.text(name).map(str::trim) {
            None => Ok(None),
            Some("true") => Ok(Some(true)),
            Some("false") => Ok(Some(false)),
            Some(other) => Err(AppError::with(
                ErrorCode::BadRequest,
                format!("{name} `{other}`: expected true or false"),
            )),
        }
    }
}

/// Reads `payload`: the file from field `file_field` (at most `file_cap` bytes, else
/// `FILE_TOO_LARGE`), the text fields named in `texts`, each at most its own number of bytes;
/// any other field, and a second file, is refused.
pub async fn read(
    payload: Multipart,
    file_field: &str,
    file_cap: usize,
    texts: &[(&str, usize)],
) -> Result<Parts, AppError> {
    let text_cap = |name: &str| texts.iter().find(|(n, _)| *n == name).map(|(_, cap)| *cap);
    let mut parts = read_with(
        payload,
        &Shape {
            is_file: &|name| name == file_field,
            file_cap,
            max_files: 1,
            skip_empty: false,
            text_cap: &text_cap,
        },
    )
    .await?;
    parts.file = parts.files.pop().map(|(_, name, bytes)| (name, bytes));
    parts.files.clear();
    Ok(parts)
}

/// What a multipart body may hold.
pub struct Shape<'a> {
    /// Whether a field of this name is a file.
    pub is_file: &'a dyn Fn(&str) -> bool,
    /// The most bytes of one file (`FILE_TOO_LARGE` beyond).
    pub file_cap: usize,
    /// The most files.
    pub max_files: usize,
    /// Skip a file input left empty (no file name, no bytes), as a browser sends it.
    pub skip_empty: bool,
    /// The most bytes of a text field of this name; `None` refuses the field.
    pub text_cap: &'a dyn Fn(&str) -> Option<usize>,
}

/// Reads `payload` as `shape` allows: any other field, a field over its bound or more files
/// than `max_files` is refused with `BAD_REQUEST` (`FILE_TOO_LARGE` for a file).
pub async fn read_with(mut payload: Multipart, shape: &Shape<'_>) -> Result<Parts, AppError> {
    let mut parts = Parts::default();
    while let Some(field) = payload.next().await {
        let mut field =
            field.map_err(|e| AppError::with(ErrorCode::BadRequest, format!("multipart: {e}")))?;
        let name = field.name().unwrap_or_default().to_string();
        let is_file = (shape.is_file)(&name);
        let text_cap = (shape.text_cap)(&name);
        if !is_file && text_cap.is_none() {
            return Err(AppError::with(
                ErrorCode::BadRequest,
                format!("unexpected multipart field `{name}`"),
            ));
        }
        let file_name = field
            .content_disposition()
            .and_then(|cd| cd.get_filename())
            .map(str::to_string);
        let cap = if is_file {
            shape.file_cap
        } else {
            text_cap.unwrap_or(0)
        };
        let mut buf = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk
                .map_err(|e| AppError::with(ErrorCode::BadRequest, format!("multipart: {e}")))?;
            if buf.len() + chunk.len() > cap {
                return Err(if is_file {
                    AppError::with(
                        ErrorCode::FileTooLarge,
                        format!("limit {} bytes", shape.file_cap),
                    )
                } else {
                    AppError::with(ErrorCode::BadRequest, format!("field `{name}` too long"))
                });
            }
            buf.extend_from_slice(&chunk);
        }
        if is_file {
            // A file input with nothing chosen: the browser sends it with an empty name.
            if shape.skip_empty && buf.is_empty() && file_name.as_deref().is_none_or(str::is_empty)
            {
                continue;
            }
            if parts.files.len() >= shape.max_files {
                return Err(AppError::with(
                    ErrorCode::BadRequest,
                    format!("at most {} files", shape.max_files),
                ));
            }
            parts
                .files
                .push((name, file_name.unwrap_or_else(|| "upload".into()), buf));
        } else {
            let text = String::from_utf8(buf).map_err(|_| {
                AppError::with(
                    ErrorCode::BadRequest,
                    format!("field `{name}` is not UTF-8"),
                )
            })?;
            parts.texts.insert(name, text);
        }
    }
    Ok(parts)
}
