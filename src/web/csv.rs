//! The one CSV format of every staff list export: UTF-8 with a byte-order mark (so Excel
//! opens Cyrillic and Kazakh text correctly), cells separated by `;` (the list separator of
//! Excel in Kazakh and Russian regional settings, where `,` is the decimal comma), RFC 4180
//! quoting otherwise, CRLF line ends. A cell that begins with `=`, `+`, `-`, `@`, a tab or a
//! carriage return gets a leading apostrophe, so a spreadsheet does not run it as a formula
//! (CSV injection): names, addresses and reasons are typed by people.

/// The cell separator of every export.
pub const SEPARATOR: char = ';';

/// The byte-order mark that starts every export.
pub const BOM: &str = "\u{feff}";

/// One whole document: the byte-order mark, the header row, then the rows.
pub fn document<H: AsRef<str>>(
    header: &[H],
    rows: impl IntoIterator<Item = Vec<String>>,
) -> Vec<u8> {
    let mut out = String::from(BOM);
    out.push_str(&line(header.iter().map(AsRef::as_ref)));
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str)));
    }
    out.into_bytes()
}

/// One row: the cells joined by [`SEPARATOR`], ended by CRLF.
pub fn line<'a>(cells: impl Iterator<Item = &'a str>) -> String {
    let mut out = cells
        .map(cell)
        .collect::<Vec<_>>()
        .join(&SEPARATOR.to_string());
    out.push_str("\r\n");
    out
}

/// One cell: quoted when it holds a separator (`;` or `,`, so that a file re-saved with
/// commas stays whole), a quote or a line break, quotes doubled; a text a spreadsheet would
/// take for a formula starts with an apostrophe.
pub fn cell(value: &str) -> String {
    let guarded = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if guarded.contains([',', ';', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_only_when_needed() {
        assert_eq!(cell("LIC-2026-000001"), "LIC-2026-000001");
        assert_eq!(cell("Омаров Даулет"), "Омаров Даулет");
        assert_eq!(cell("Астана, Бейбітшілік 3"), "\"Астана, Бейбітшілік 3\"");
        assert_eq!(cell("ТОО «Ақжол»; филиал"), "\"ТОО «Ақжол»; филиал\"");
        assert_eq!(cell("ТОО «Ақжол» \"Med\""), "\"ТОО «Ақжол» \"\"Med\"\"\"");
        assert_eq!(cell("two\nlines"), "\"two\nlines\"");
        assert_eq!(cell(""), "");
    }

    #[test]
    fn a_formula_is_never_left_for_a_spreadsheet_to_run() {
        assert_eq!(cell("=1+1"), "'=1+1");
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("+7 701"), "'+7 701");
        assert_eq!(cell("-1"), "'-1");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("\tx"), "'\tx");
    }

    #[test]
    fn the_document_starts_with_a_bom_and_ends_rows_with_crlf() {
        let doc = document(
            &["a", "b"],
            vec![
                vec!["x;y".into(), "say \"hi\"".into()],
                vec!["=1+1".into(), "Әйгерім".into()],
                vec!["a".into(), String::new()],
            ],
        );
        let text = String::from_utf8(doc).expect("utf-8");
        assert_eq!(
            text,
            "\u{feff}a;b\r\n\"x;y\";\"say \"\"hi\"\"\"\r\n'=1+1;Әйгерім\r\na;\r\n"
        );
    }
}
