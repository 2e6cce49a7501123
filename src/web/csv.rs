//! CSV exports of the staff lists: RFC 4180 quoting, UTF-8 with a byte-order mark (so
//! Excel opens Cyrillic and Kazakh text correctly), CRLF line ends. A cell that begins with
//! `=`, `+`, `-` or `@` gets a leading apostrophe, so a spreadsheet does not run it as a
//! formula (CSV injection).

/// One CSV document: a header row, then rows (comma-separated).
pub fn document(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> Vec<u8> {
    let mut out = String::from('\u{feff}');
    out.push_str(&line(header.iter().copied(), ','));
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str), ','));
    }
    out.into_bytes()
}

/// One row, cells joined by `sep`, ended by CRLF.
pub fn line<'a>(cells: impl Iterator<Item = &'a str>, sep: char) -> String {
    let mut out = cells.map(cell).collect::<Vec<_>>().join(&sep.to_string());
    out.push_str("\r\n");
    out
}

/// One cell: quoted when it holds a separator (`,` or `;`), a quote or a line break, quotes
/// doubled; a text a spreadsheet would take for a formula (`=`, `+`, `-`, `@`, a tab or a
/// carriage return first) starts with an apostrophe.
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
    fn cells_are_quoted_and_formulas_defused() {
        let doc = document(
            &["a", "b"],
            vec![
                vec!["x,y".into(), "say \"hi\"".into()],
                vec!["=1+1".into(), "Әйгерім".into()],
            ],
        );
        let text = String::from_utf8(doc).expect("utf-8");
        assert_eq!(
            text,
            "\u{feff}a,b\r\n\"x,y\",\"say \"\"hi\"\"\"\r\n'=1+1,Әйгерім\r\n"
        );
    }
}
