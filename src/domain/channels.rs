//! Where a request comes in and how its result goes out. The catalog lists, per service,
//! which channels exist and who may use them ([`crate::domain::catalog::Channel`]); these
//! are the closed sets of names it may use, stored by their snake_case name.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

macro_rules! named_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        #[derive(diesel::AsExpression, diesel::FromSqlRow)]
        #[diesel(sql_type = diesel::sql_types::Text)]
        pub enum $name { $($(#[$vdoc])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == s)
                    .ok_or_else(|| format!("unknown {} `{s}`", stringify!($name)))
            }
        }
    };
}

named_enum! {
    /// The way a request reaches the provider.
    ChannelCode {
        /// The e-government portal, signed by the applicant (R-003-15, R-004-25).
        Portal = "portal",
        /// The provider's own desk (R-003-33, R-004-12).
        ProviderDesk = "provider_desk",
        /// A public service centre (ЦОН) operator (R-003-45..55).
        Con = "con",
        /// The clinic's registry desk (R-000-40..49).
        ClinicDesk = "clinic_desk",
        /// A telephone call taken by a registrar (digest table 3.12).
        Phone = "phone",
    }
}

named_enum! {
    /// How the result reaches the applicant.
    Delivery {
        /// In the applicant's cabinet on the portal.
        Cabinet = "cabinet",
        /// Handed over at the desk, the recipient recorded.
        Handover = "handover",
        /// Sent by e-mail (R-004-24).
        Email = "email",
        /// Told at the desk (clinic registrar).
        Oral = "oral",
    }
}

impl ChannelCode {
    /// A staff member enters the request for the applicant.
    pub fn is_assisted(self) -> bool {
        !matches!(self, ChannelCode::Portal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_are_refused() {
        for c in ChannelCode::ALL {
            assert_eq!(c.as_str().parse::<ChannelCode>(), Ok(*c));
            assert_eq!(
                serde_json::to_value(c).ok(),
                Some(serde_json::json!(c.as_str()))
            );
        }
        for d in Delivery::ALL {
            assert_eq!(d.as_str().parse::<Delivery>(), Ok(*d));
        }
        assert!("fax".parse::<ChannelCode>().is_err());
        assert!("pigeon".parse::<Delivery>().is_err());
    }
}
