//! CSV exports as downloads: the format is [`crate::web::csv`]'s, the same for every list.

use actix_web::{HttpResponse, HttpResponseBuilder};

/// The headers of a CSV download named `file_name` (kept to ASCII letters, digits, `-`, `_`
/// and `.`): the body is set by the caller, whole or streamed.
pub fn download(file_name: &str) -> HttpResponseBuilder {
    let safe: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut r = HttpResponse::Ok();
    r.content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{safe}\""),
        ))
        .insert_header(("Cache-Control", "no-store"));
    r
}

/// A whole CSV document ([`crate::web::csv::document`]) as a download named `file_name`.
pub fn response<H: AsRef<str>>(
    file_name: &str,
    header: &[H],
    rows: impl IntoIterator<Item = Vec<String>>,
) -> HttpResponse {
    download(file_name).body(crate::web::csv::document(header, rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_name_is_kept_to_safe_characters() {
        let r = response("a b\"/ü.csv", &["x"], Vec::new());
        assert_eq!(
            r.headers().get("content-disposition").expect("disposition"),
            "attachment; filename=\"a_b___.csv\""
        );
        assert_eq!(
            r.headers().get("cache-control").expect("cache-control"),
            "no-store"
        );
    }
}
