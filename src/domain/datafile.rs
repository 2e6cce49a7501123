//! Where a problem in a TOML data file is: its line and the field (dotted path of the
//! table header and key, e.g. `mrp.2027.tenge`). Pure text processing; the caller names
//! the file.

use std::fmt;
use std::ops::Range;

/// A problem in a data file: the 1-based line when known, the field, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataIssue {
    pub line: Option<usize>,
    pub field: String,
    pub message: String,
}

impl fmt::Display for DataIssue {
    /// `line 12: mrp.2027.tenge: must be positive` (parts that are unknown are left out).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(l) = self.line {
            write!(f, "line {l}: ")?;
        }
        if !self.field.is_empty() {
            write!(f, "{}: ", self.field)?;
        }
        f.write_str(&self.message)
    }
}

impl DataIssue {
    /// A problem at byte `span` of `text`, in `field`.
    pub fn at(
        text: &str,
        span: Range<usize>,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        DataIssue {
            line: Some(line_of(text, span.start)),
            field: field.into(),
            message: message.into(),
        }
    }

    /// A problem with no position in the text.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        DataIssue {
            line: None,
            field: field.into(),
            message: message.into(),
        }
    }

    /// A TOML syntax or type error: line and field from the error's span.
    pub fn toml(text: &str, e: &toml::de::Error) -> Self {
        match e.span() {
            Some(span) => DataIssue {
                line: Some(line_of(text, span.start)),
                field: field_at(text, span.start),
                message: e.message().trim().to_string(),
            },
            None => DataIssue::field("", e.message().trim()),
        }
    }
}

/// The 1-based line of byte `offset`.
pub fn line_of(text: &str, offset: usize) -> usize {
    let end = floor_char_boundary(text, offset);
    text[..end].matches('\n').count() + 1
}

fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut i = offset.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The dotted field at byte `offset`: the nearest `[table]` / `[[array]]` header above it
/// and, when the line holds `key = …`, that key. Empty at the top of a file with no key.
pub fn field_at(text: &str, offset: usize) -> String {
    let offset = floor_char_boundary(text, offset);
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = text[start..].lines().next().unwrap_or("");
    if let Some(h) = header(line) {
        return h;
    }
    let table = text[..start].lines().rev().find_map(header);
    let key = line
        .split_once('=')
        .map(|(k, _)| k.trim().trim_matches('"').to_string())
        .filter(|k| !k.is_empty() && !k.starts_with('#') && !k.contains(['{', '[', ',']));
    match (table, key) {
        (Some(t), Some(k)) => format!("{t}.{k}"),
        (Some(t), None) => t,
        (None, Some(k)) => k,
        (None, None) => String::new(),
    }
}

/// `[a.b]` or `[[a.b]]` (with an optional trailing comment) → `a.b`.
fn header(line: &str) -> Option<String> {
    let t = line.trim();
    let t = match t.find('#') {
        Some(i) if !t[..i].contains('"') => t[..i].trim_end(),
        _ => t,
    };
    let inner = t.strip_prefix("[[").and_then(|r| r.strip_suffix("]]"));
    let inner = inner.or_else(|| t.strip_prefix('[').and_then(|r| r.strip_suffix(']')))?;
    let name: String = inner
        .split('.')
        .map(|p| p.trim().trim_matches('"'))
        .collect::<Vec<_>>()
        .join(".");
    (!name.is_empty() && !name.contains(['=', '[', ']'])).then_some(name)
}

/// The first line of `text` that holds `needle` as a quoted TOML string (`"needle"`),
/// for problems found after parsing that name a value (an unknown fee rule, a template
/// name). `None` when it does not occur.
pub fn line_of_value(text: &str, needle: &str) -> Option<usize> {
    let quoted = format!("\"{needle}\"");
    text.lines()
        .position(|l| {
            l.split('#')
                .next()
                .is_some_and(|code| code.contains(&quoted))
        })
        .map(|i| i + 1)
}

/// Byte offset of the start of 1-based `line`.
pub fn offset_of_line(text: &str, line: usize) -> usize {
    if line <= 1 {
        return 0;
    }
    text.match_indices('\n')
        .nth(line - 2)
        .map_or(text.len(), |(i, _)| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "# fees\n[mrp.2027]\ntenge = \"0\" # bad\n\n[[year.transfer]]\nrest_on = 2027-01-04\nsource = \"x\"\n";

    #[test]
    fn lines_and_fields() {
        let at = |needle: &str| TEXT.find(needle).expect(needle);
        assert_eq!(line_of(TEXT, 0), 1);
        assert_eq!(line_of(TEXT, at("tenge")), 3);
        assert_eq!(field_at(TEXT, at("\"0\"")), "mrp.2027.tenge");
        assert_eq!(field_at(TEXT, at("[mrp")), "mrp.2027");
        assert_eq!(field_at(TEXT, at("rest_on")), "year.transfer.rest_on");
        assert_eq!(field_at(TEXT, 0), "");
        assert_eq!(line_of_value(TEXT, "x"), Some(7));
        assert_eq!(line_of_value(TEXT, "bad"), None);
        assert_eq!(offset_of_line(TEXT, 3), at("tenge"));
    }

    #[test]
    fn toml_errors_are_located() {
        let text = "[mrp.2024]\ntenge = 3692\n";
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Entry {
            tenge: String,
        }
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct File {
            mrp: std::collections::BTreeMap<String, Entry>,
        }
        let e = toml::from_str::<File>(text).expect_err("integer");
        let issue = DataIssue::toml(text, &e);
        assert_eq!(issue.line, Some(2));
        assert_eq!(issue.field, "mrp.2024.tenge");
        assert!(
            issue.to_string().starts_with("line 2: mrp.2024.tenge: "),
            "{issue}"
        );
    }
}
