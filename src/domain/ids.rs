//! Identifiers as types, so a request's id cannot be passed where a document's or a user's
//! is expected. Each is stored as text; ids read back from the database are taken as they
//! are, ids typed by a client go through `parse` first.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
            utoipa::ToSchema, diesel::AsExpression, diesel::FromSqlRow,
        )]
        #[serde(transparent)]
        #[diesel(sql_type = diesel::sql_types::Text)]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        /// As stored: any text (the database holds only ids Ruqsat made).
        impl FromStr for $name {
            type Err = std::convert::Infallible;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok($name(s.to_string()))
            }
        }
    };
}

id_type! {
    /// A request's internal id (a UUIDv7, time-ordered). People see its number instead.
    RequestId
}

id_type! {
    /// A user account's id (a UUIDv7).
    UserId
}

id_type! {
    /// A signed document's public id, printed on it and in its `/verify/{id}` address:
    /// 128 random bits, base64url without padding (22 characters), so it cannot be guessed.
    DocumentId
}

impl RequestId {
    pub fn generate() -> RequestId {
        RequestId(uuid::Uuid::now_v7().to_string())
    }
}

impl UserId {
    pub fn generate() -> UserId {
        UserId(uuid::Uuid::now_v7().to_string())
    }
}

impl DocumentId {
    pub fn generate() -> DocumentId {
        use base64::Engine;
        use rand::RngCore;
        let mut b = [0u8; 16];
        rand::thread_rng().fill_bytes(&mut b);
        DocumentId(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b))
    }

    /// A document id as typed in an address: up to 64 URL-safe characters, else `None`
    /// (which the caller answers as "not found", telling nothing about the format).
    pub fn parse(text: &str) -> Option<DocumentId> {
        let plausible = !text.is_empty()
            && text.len() <= 64
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        plausible.then(|| DocumentId(text.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_are_distinct_and_document_ids_parse_back() {
        let a = DocumentId::generate();
        let b = DocumentId::generate();
        assert_ne!(a, b);
        assert_eq!(a.as_str().len(), 22);
        assert_eq!(DocumentId::parse(a.as_str()), Some(a));
        assert_ne!(RequestId::generate(), RequestId::generate());
        assert_eq!(
            serde_json::to_value(UserId("u1".into())).ok(),
            Some(serde_json::json!("u1"))
        );
    }

    #[test]
    fn document_ids_from_addresses_are_bounded_and_url_safe() {
        assert_eq!(DocumentId::parse(""), None);
        assert_eq!(DocumentId::parse("a/b"), None);
        assert_eq!(DocumentId::parse("../etc"), None);
        assert_eq!(DocumentId::parse(&"x".repeat(65)), None);
        assert!(DocumentId::parse(&"x".repeat(64)).is_some());
    }
}
