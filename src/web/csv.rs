//! CSV exports of the staff lists: RFC 4180 quoting, UTF-8 with a byte-order mark (so
//! Excel opens Cyrillic and Kazakh text correctly), CRLF line ends. A cell that begins with
//! `=`, `+`, `-` or `@` gets a leading apostrophe, so a spreadsheet does not run it as a
//! formula (CSV injection).

/// One CSV document: a header row, then rows.
pub fn document(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> Vec<u8> {
    let mut out = String::from('\u{feff}');
    line(&mut out, header.iter().copied());
    for row in rows {
        line(&mut out, row.iter().map(String::as_str));
    }
    out.into_bytes()
}

fn line<'a>(out: &mut String, cells: impl Iterator<Item = &'a str>) {
    for (i, cell) in cells.enumerate() {
        if i > 0 {
            out.push(',');
        }
        cell_into(out, cell);
    }
    out.push_str("\r\n");
}

fn cell_into(out: &mut String, cell: &str) {
    let guarded = cell.starts_with(['=', '+', '-', '@']);
    let quoted = guarded || cell.contains([',', '"', '\n', '\r']);
    if quoted {
        out.push('"');
    }
    if guarded {
        out.push('\'');
    }
    for c in cell.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    if quoted {
        out.push('"');
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
            "\u{feff}a,b\r\n\"x,y\",\"say \"\"hi\"\"\"\r\n\"'=1+1\",Әйгерім\r\n"
        );
    }
}
