//! Money: whole tiyn (1 tenge = 100 tiyn) in storage, `rust_decimal::Decimal` in
//! arithmetic, never floating point. Fee rules in МРП (G-21, R-003-08): `catalog/fees.toml`.

use chrono::{Datelike, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;

/// An amount of tenge, held as whole tiyn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money {
    tiyn: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("amount out of range")]
    Overflow,
    #[error("amount must not be negative")]
    Negative,
}

impl Money {
    pub const ZERO: Money = Money { tiyn: 0 };

    pub fn from_tiyn(tiyn: i64) -> Money {
        Money { tiyn }
    }
    pub fn tiyn(self) -> i64 {
        self.tiyn
    }
    /// Rounds half away from zero to a whole tiyn (the rule for every computed amount).
    pub fn from_decimal(d: Decimal) -> Result<Money, MoneyError> {
        let t = (d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero) * Decimal::ONE_HUNDRED).trunc();
        i64::try_from(t).map(|tiyn| Money { tiyn }).map_err(|_| MoneyError::Overflow)
    }
    pub fn to_decimal(self) -> Decimal {
        Decimal::new(self.tiyn, 2)
    }
    pub fn checked_add(self, o: Money) -> Option<Money> {
        self.tiyn.checked_add(o.tiyn).map(Money::from_tiyn)
    }
    pub fn checked_sub(self, o: Money) -> Option<Money> {
        self.tiyn.checked_sub(o.tiyn).map(Money::from_tiyn)
    }
}

impl fmt::Display for Money {
    /// `43250.00 KZT`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} KZT", self.to_decimal())
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FeeRule {
    mrp: Decimal,
    #[serde(default)]
    #[allow(dead_code)]
    verified: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FeeFile {
    mrp: BTreeMap<String, Decimal>,
    rules: BTreeMap<String, FeeRule>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeeError {
    #[error("unknown fee rule `{0}`")]
    UnknownRule(String),
    #[error("no МРП value for year {0}")]
    NoMrp(i32),
    #[error(transparent)]
    Money(#[from] MoneyError),
}

/// МРП values per year and fee rules.
#[derive(Debug, Clone)]
pub struct FeeTable {
    mrp: BTreeMap<i32, Decimal>,
    rules: BTreeMap<String, Decimal>,
}

impl FeeTable {
    pub fn from_toml(text: &str) -> anyhow::Result<FeeTable> {
        let f: FeeFile = toml::from_str(text).map_err(|e| anyhow::anyhow!("catalog/fees.toml: {e}"))?;
        let mut mrp = BTreeMap::new();
        for (y, v) in f.mrp {
            let year: i32 = y.parse().map_err(|_| anyhow::anyhow!("catalog/fees.toml: mrp year `{y}`"))?;
            if v <= Decimal::ZERO {
                anyhow::bail!("catalog/fees.toml: mrp {year} must be positive");
            }
            mrp.insert(year, v);
        }
        let mut rules = BTreeMap::new();
        for (name, r) in f.rules {
            if r.mrp < Decimal::ZERO {
                anyhow::bail!("catalog/fees.toml: rule {name}: negative multiplier");
            }
            rules.insert(name, r.mrp);
        }
        Ok(FeeTable { mrp, rules })
    }

    pub fn embedded() -> anyhow::Result<FeeTable> {
        FeeTable::from_toml(include_str!("../../catalog/fees.toml"))
    }

    pub fn rule_names(&self) -> Vec<String> {
        self.rules.keys().cloned().collect()
    }

    pub fn mrp(&self, year: i32) -> Option<Decimal> {
        self.mrp.get(&year).copied()
    }

    /// The fee of `rule` for a request made on `on`: multiplier × МРП of that year, to the tiyn.
    pub fn fee(&self, rule: &str, on: NaiveDate) -> Result<Money, FeeError> {
        let mult = *self.rules.get(rule).ok_or_else(|| FeeError::UnknownRule(rule.to_string()))?;
        if mult.is_zero() {
            return Ok(Money::ZERO);
        }
        let mrp = self.mrp(on.year()).ok_or(FeeError::NoMrp(on.year()))?;
        let amount = mult.checked_mul(mrp).ok_or(MoneyError::Overflow)?;
        if amount < Decimal::ZERO {
            return Err(MoneyError::Negative.into());
        }
        Ok(Money::from_decimal(amount)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    fn day(y: i32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, 6, 1).expect("date")
    }

    #[test]
    fn licence_fees_in_mrp() {
        // G-21: 10 МРП for issue, 1 МРП for re-issue, 10 МРП for a duplicate.
        let t = FeeTable::embedded().expect("fees");
        assert_eq!(t.fee("licence-issue", day(2026)).expect("fee").to_decimal(), dec!(43250.00));
        assert_eq!(t.fee("licence-reissue", day(2025)).expect("fee").tiyn(), 393_200);
        assert_eq!(t.fee("free", day(1999)).expect("fee"), Money::ZERO);
        assert_eq!(t.fee("licence-issue", day(1999)), Err(FeeError::NoMrp(1999)));
        assert!(matches!(t.fee("nope", day(2026)), Err(FeeError::UnknownRule(_))));
    }

    #[test]
    fn rounding_is_half_away_from_zero_to_a_tiyn() {
        assert_eq!(Money::from_decimal(dec!(1.005)).expect("m").tiyn(), 101);
        assert_eq!(Money::from_decimal(dec!(1.004)).expect("m").tiyn(), 100);
        assert_eq!(Money::from_decimal(dec!(-1.005)).expect("m").tiyn(), -101);
        assert_eq!(Money::from_tiyn(4_325_000).to_string(), "43250.00 KZT");
    }

    proptest! {
        #[test]
        fn money_round_trips_through_decimal(t in -1_000_000_000_000i64..1_000_000_000_000) {
            let m = Money::from_tiyn(t);
            prop_assert_eq!(Money::from_decimal(m.to_decimal()).expect("m"), m);
        }

        #[test]
        fn fee_is_exact_and_linear_in_the_multiplier(k in 0u32..1000, year in 2024i32..=2027) {
            let text = format!("[mrp]\n{year} = \"4325.5\"\n[rules.a]\nmrp = \"{k}\"\n[rules.b]\nmrp = \"{}\"\n", 2 * k);
            let t = FeeTable::from_toml(&text).expect("table");
            let a = t.fee("a", day(year)).expect("a");
            let b = t.fee("b", day(year)).expect("b");
            prop_assert!(a.tiyn() >= 0);
            prop_assert_eq!(a.tiyn() * 2, b.tiyn());
            prop_assert_eq!(a.to_decimal(), Decimal::from(k) * dec!(4325.5));
        }
    }
}
