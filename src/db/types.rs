//! How typed domain values are stored: each as its text name (`draft`, `official`,
//! `legal_entity`, `valid`, an IIN's 12 digits), on both backends. A value that does not
//! parse is a deserialization error naming the column's type, never a silent default.
//!
//! The domain types carry diesel's `AsExpression` / `FromSqlRow` derives (markers that let
//! them appear in row structs and filters); the conversions themselves are here.

use crate::domain::catalog::{ApplicantKind, Issues};
use crate::domain::channels::{ChannelCode, Delivery};
use crate::domain::documents::DocumentStatus;
use crate::domain::identity::{Bin, Iin};
use crate::domain::ids::{DocumentId, RequestId, UserId};
use crate::domain::lifecycle::State;
use crate::domain::outbox::OutboxStatus;
use crate::domain::roles::Role;
use crate::payments::PaymentStatus;
use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql};
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Text;
use std::str::FromStr;

macro_rules! stored_as_text {
    ($($ty:ty),+ $(,)?) => {$(
        impl<DB> ToSql<Text, DB> for $ty
        where
            DB: Backend,
            str: ToSql<Text, DB>,
        {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
                <str as ToSql<Text, DB>>::to_sql(self.as_str(), out)
            }
        }

        impl<DB> FromSql<Text, DB> for $ty
        where
            DB: Backend,
            String: FromSql<Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
                let text = String::from_sql(bytes)?;
                <$ty as FromStr>::from_str(&text).map_err(|e| {
                    format!("stored {} `{text}`: {e}", stringify!($ty)).into()
                })
            }
        }
    )+};
}

stored_as_text!(
    RequestId,
    UserId,
    DocumentId,
    ChannelCode,
    Delivery,
    State,
    Role,
    ApplicantKind,
    DocumentStatus,
    Issues,
    PaymentStatus,
    OutboxStatus,
    Iin,
    Bin
);
