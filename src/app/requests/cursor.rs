//! Listing cursors (keyset pagination). A cursor is opaque to clients: the listing's order,
//! the sort key of the last row shown and its number, base64url-encoded. The next page
//! starts strictly after that row, so pages neither skip nor repeat rows when requests are
//! created meanwhile, and a deep page costs what the first one does.

use crate::db::models::RequestRow;
use crate::db::queries::{Keyset, ListOrder};
use crate::error::{AppError, ErrorCode};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::DateTime;

fn tag(order: ListOrder) -> char {
    match order {
        ListOrder::Newest => 'n',
        ListOrder::DueFirst => 'd',
    }
}

/// The cursor after `last` in `order`; `None` for a row without the sort key (a request
/// without a due date is never in a due-date listing).
pub fn encode(last: &RequestRow, order: ListOrder) -> Option<String> {
    let at = order.key(last)?;
    Some(encode_key(
        order,
        &Keyset {
            at,
            number: last.number.clone(),
        },
    ))
}

/// The cursor of a position in `order`.
pub fn encode_key(order: ListOrder, k: &Keyset) -> String {
    // Nanoseconds: SQLite keeps them (PostgreSQL keeps microseconds), and a cursor that
    // rounded would repeat the row it names.
    let t = k.at.and_utc();
    let nanos = i128::from(t.timestamp()) * 1_000_000_000 + i128::from(t.timestamp_subsec_nanos());
    URL_SAFE_NO_PAD.encode(format!("{}.{nanos}.{}", tag(order), k.number))
}

/// The position a cursor names. A cursor of another listing order, or not made by
/// [`encode`], is refused (400 INVALID_CURSOR).
pub fn decode(cursor: &str, order: ListOrder) -> Result<Keyset, AppError> {
    let invalid = || AppError::new(ErrorCode::InvalidCursor);
    if cursor.len() > 200 {
        return Err(invalid());
    }
    let raw = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let text = String::from_utf8(raw).map_err(|_| invalid())?;
    let mut parts = text.splitn(3, '.');
    let (Some(kind), Some(nanos), Some(number)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(invalid());
    };
    if kind.len() != 1 || !kind.starts_with(tag(order)) || number.is_empty() {
        return Err(invalid());
    }
    let nanos: i128 = nanos.parse().map_err(|_| invalid())?;
    let secs = i64::try_from(nanos.div_euclid(1_000_000_000)).map_err(|_| invalid())?;
    let sub = u32::try_from(nanos.rem_euclid(1_000_000_000)).map_err(|_| invalid())?;
    let at = DateTime::from_timestamp(secs, sub)
        .ok_or_else(invalid)?
        .naive_utc();
    Ok(Keyset {
        at,
        number: number.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_names_a_position_in_its_own_order() {
        let k = Keyset {
            at: chrono::NaiveDateTime::parse_from_str(
                "2026-12-01 10:11:12.123456789",
                "%Y-%m-%d %H:%M:%S%.f",
            )
            .expect("time"),
            number: "LIC-2026-000042".into(),
        };
        for order in [ListOrder::Newest, ListOrder::DueFirst] {
            let c = encode_key(order, &k);
            assert_eq!(decode(&c, order).expect("decodes"), k);
        }
        let newest = encode_key(ListOrder::Newest, &k);
        let e = decode(&newest, ListOrder::DueFirst).expect_err("other order");
        assert_eq!(e.code, ErrorCode::InvalidCursor);
    }

    #[test]
    fn malformed_cursors_are_refused() {
        for bad in [
            "",
            "!!!",
            "bi4xMjM",
            "eC4xMi5MSUM",
            "bi5hYmMuTElD",
            &"A".repeat(300),
        ] {
            let e = decode(bad, ListOrder::Newest).expect_err(bad);
            assert_eq!(e.code, ErrorCode::InvalidCursor, "{bad}");
        }
    }
}
