//! CSV exports of the lists the staff pages show: RFC 4180 (comma, CRLF, a field quoted
//! when it holds a comma, a quote or a line break, quotes doubled), UTF-8 with a byte-order
//! mark so that spreadsheet programs read Cyrillic and Kazakh letters right.
//!
//! A cell that a spreadsheet would take for a formula (starting with `=`, `+`, `-`, `@`, a
//! tab or a carriage return) is prefixed with `'`: names, addresses and reasons are typed
//! by people, and an export must never run what someone typed.

use actix_web::HttpResponse;

/// One CSV field ([`crate::web::csv::cell`]).
pub fn field(value: &str) -> String {
    crate::web::csv::cell(value)
}

/// The whole file: the byte-order mark, the header row, then the rows.
pub fn document(header: &[String], rows: &[Vec<String>]) -> String {
    let mut out = String::from("\u{feff}");
    for row in std::iter::once(header).chain(rows.iter().map(Vec::as_slice)) {
        out.push_str(&crate::web::csv::line(row.iter().map(String::as_str), ','));
    }
    out
}

/// The file as a download named `file_name` (ASCII: letters, digits, `-`, `_`, `.`).
pub fn response(file_name: &str, header: &[String], rows: &[Vec<String>]) -> HttpResponse {
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
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{safe}\""),
        ))
        .insert_header(("Cache-Control", "no-store"))
        .body(document(header, rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_only_when_needed() {
        assert_eq!(field("Омаров Даулет"), "Омаров Даулет");
        assert_eq!(field("Астана, Бейбітшілік 3"), "\"Астана, Бейбітшілік 3\"");
        assert_eq!(field("ТОО «Ақжол» \"Med\""), "\"ТОО «Ақжол» \"\"Med\"\"\"");
        assert_eq!(field("line\nbreak"), "\"line\nbreak\"");
        assert_eq!(field(""), "");
    }

    #[test]
    fn a_formula_is_never_left_for_a_spreadsheet_to_run() {
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(field("+7 701"), "'+7 701");
        assert_eq!(field("-1"), "'-1");
        assert_eq!(field("@SUM(A1)"), "'@SUM(A1)");
    }

    #[test]
    fn the_file_starts_with_a_bom_and_ends_rows_with_crlf() {
        let doc = document(
            &["a".to_string(), "b".to_string()],
            &[vec!["1".to_string(), "x,y".to_string()]],
        );
        assert_eq!(doc, "\u{feff}a,b\r\n1,\"x,y\"\r\n");
    }
}
