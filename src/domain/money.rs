//! Money and fee rules (G-21, R-003-08). Never floating point.
//!
//! - [`Money`] holds whole tiyn (1 tenge = 100 tiyn) in an `i64`; arithmetic goes through
//!   `rust_decimal::Decimal`. Every computed amount is rounded to a whole tiyn **half away
//!   from zero** (`MidpointAwayFromZero`: 1.005 → 1.01, -1.005 → -1.01, 1.004 → 1.00).
//! - Fees are multiples of the МРП (месячный расчётный показатель, monthly calculation
//!   index) of the year of the request: `catalog/fees.toml`. The regulations state no amount
//!   (G-21), so the defaults there are labelled `verified = false`.
//!
//! Pure module: no I/O. See `docs/money.md`.

use crate::error::ErrorCode;
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use toml::Spanned;

use super::datafile::DataIssue;

/// The embedded fee table.
pub const FEES_TOML: &str = include_str!("../../catalog/fees.toml");

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("amount out of range")]
    Overflow,
    #[error("amount must not be negative")]
    Negative,
    /// More than two decimal places where an exact amount is required.
    #[error("amount has more than 2 decimal places")]
    Precision,
    #[error("not an amount: {0}")]
    Parse(String),
}

impl MoneyError {
    pub fn code(&self) -> ErrorCode {
        match self {
            MoneyError::Overflow => ErrorCode::MoneyOverflow,
            MoneyError::Negative => ErrorCode::MoneyNegative,
            MoneyError::Precision => ErrorCode::MoneyPrecision,
            MoneyError::Parse(_) => ErrorCode::MoneyFormat,
        }
    }
}

/// An amount of tenge held as whole tiyn.
///
/// Text forms: [`Display`](fmt::Display) `12345.50 KZT`; [`Money::format_kk_ru`]
/// `12 345,50 ₸` (no-break spaces); serde: the decimal string `"12345.50"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money {
    tiyn: i64,
}

impl Money {
    pub const ZERO: Money = Money { tiyn: 0 };

    pub fn from_tiyn(tiyn: i64) -> Money {
        Money { tiyn }
    }

    /// Whole tenge; `None` on overflow.
    pub fn from_tenge(tenge: i64) -> Option<Money> {
        tenge.checked_mul(100).map(Money::from_tiyn)
    }

    pub fn tiyn(self) -> i64 {
        self.tiyn
    }

    /// Rounds half away from zero to a whole tiyn (the rule for every computed amount).
    pub fn from_decimal(d: Decimal) -> Result<Money, MoneyError> {
        let rounded = d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
        rounded
            .checked_mul(Decimal::ONE_HUNDRED)
            .and_then(|t| t.to_i64())
            .map(Money::from_tiyn)
            .ok_or(MoneyError::Overflow)
    }

    /// Like [`Money::from_decimal`] but refuses amounts with more than 2 decimal places
    /// (trailing zeros are fine: `1.500` is accepted). Used for input and stored values.
    pub fn from_decimal_exact(d: Decimal) -> Result<Money, MoneyError> {
        if d.normalize().scale() > 2 {
            return Err(MoneyError::Precision);
        }
        Money::from_decimal(d)
    }

    /// The amount in tenge with exactly 2 decimal places.
    pub fn to_decimal(self) -> Decimal {
        Decimal::new(self.tiyn, 2)
    }

    pub fn is_negative(self) -> bool {
        self.tiyn < 0
    }

    pub fn is_zero(self) -> bool {
        self.tiyn == 0
    }

    pub fn checked_add(self, o: Money) -> Option<Money> {
        self.tiyn.checked_add(o.tiyn).map(Money::from_tiyn)
    }

    pub fn checked_sub(self, o: Money) -> Option<Money> {
        self.tiyn.checked_sub(o.tiyn).map(Money::from_tiyn)
    }

    /// Multiplies by a whole number (exact).
    pub fn checked_mul(self, k: i64) -> Option<Money> {
        self.tiyn.checked_mul(k).map(Money::from_tiyn)
    }

    /// Multiplies by a decimal factor, rounding half away from zero to a tiyn.
    pub fn checked_mul_decimal(self, k: Decimal) -> Result<Money, MoneyError> {
        let product = self
            .to_decimal()
            .checked_mul(k)
            .ok_or(MoneyError::Overflow)?;
        Money::from_decimal(product)
    }

    /// Kazakh / Russian presentation: `12 345,50 ₸`, thousands grouped with a no-break space
    /// (U+00A0), decimal comma, a no-break space before the tenge sign.
    pub fn format_kk_ru(self) -> String {
        const NBSP: char = '\u{a0}';
        let abs = self.tiyn.unsigned_abs();
        let whole = (abs / 100).to_string();
        let frac = abs % 100;
        let mut out = String::with_capacity(whole.len() + 8);
        if self.tiyn < 0 {
            out.push('-');
        }
        for (i, ch) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i) % 3 == 0 {
                out.push(NBSP);
            }
            out.push(ch);
        }
        out.push(',');
        out.push_str(&format!("{frac:02}"));
        out.push(NBSP);
        out.push('₸');
        out
    }
}

impl fmt::Display for Money {
    /// `43250.00 KZT`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} KZT", self.to_decimal())
    }
}

impl FromStr for Money {
    type Err = MoneyError;

    /// Parses `12345.50` or `12345.50 KZT` (the [`Display`](fmt::Display) form). Exact: at
    /// most 2 decimal places.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let t = t.strip_suffix("KZT").map_or(t, str::trim_end);
        let d = Decimal::from_str_exact(t).map_err(|e| MoneyError::Parse(format!("`{s}`: {e}")))?;
        Money::from_decimal_exact(d)
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_decimal().to_string())
    }
}

impl<'de> Deserialize<'de> for Money {
    /// Only strings are accepted (a JSON number could have gone through `f64`).
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

// ---------------------------------------------------------------------------------------
// Fee table
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeeError {
    #[error("unknown fee rule `{0}`")]
    UnknownRule(String),
    #[error("no МРП value for year {0}")]
    NoMrp(i32),
    #[error(transparent)]
    Money(#[from] MoneyError),
    /// The fee table file is malformed (with the line and field).
    #[error("fee table: {0}")]
    Data(DataIssue),
}

impl FeeError {
    pub fn code(&self) -> ErrorCode {
        match self {
            FeeError::UnknownRule(_) => ErrorCode::FeeUnknownRule,
            FeeError::NoMrp(_) => ErrorCode::FeeNoMrpForYear,
            FeeError::Money(m) => m.code(),
            FeeError::Data(_) => ErrorCode::FeeData,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FeeFile {
    #[serde(default)]
    mrp: BTreeMap<Spanned<String>, MrpEntry>,
    #[serde(default)]
    rules: BTreeMap<Spanned<String>, RuleEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MrpEntry {
    /// Tenge, as a decimal string.
    tenge: Spanned<DecimalText>,
    #[serde(default = "yes")]
    verified: bool,
    #[serde(default)]
    source: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleEntry {
    /// Multiplier of the МРП, as a decimal string.
    mrp: Spanned<DecimalText>,
    #[serde(default = "yes")]
    verified: bool,
    #[serde(default)]
    description: Option<String>,
}

fn yes() -> bool {
    true
}

/// A decimal written as a string in the data file. A bare TOML number is refused with a
/// hint: a float could not hold every amount exactly.
#[derive(Debug)]
struct DecimalText(String);

impl<'de> Deserialize<'de> for DecimalText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = DecimalText;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a decimal in quotes, e.g. \"4325\"")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<DecimalText, E> {
                Ok(DecimalText(s.to_owned()))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<DecimalText, E> {
                Err(E::custom(format!(
                    "write the number in quotes: \"{v}\" (amounts are decimal strings)"
                )))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<DecimalText, E> {
                self.visit_i64(i64::try_from(v).unwrap_or(i64::MAX))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<DecimalText, E> {
                Err(E::custom(format!(
                    "write the number in quotes: \"{v}\" (amounts are decimal strings, never floating point)"
                )))
            }
        }
        d.deserialize_any(V)
    }
}

/// The МРП of one year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MrpValue {
    pub year: i32,
    pub value: Money,
    pub verified: bool,
    pub source: Option<String>,
}

/// A named fee rule: `multiplier` × МРП.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeeRule {
    pub name: String,
    pub multiplier: Decimal,
    pub verified: bool,
    pub description: Option<String>,
}

/// A computed fee with what it was computed from; `verified` is false when either the
/// rule or the МРП value is an assumption (G-21: such amounts must be labelled).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeeQuote {
    pub rule: String,
    pub year: i32,
    pub multiplier: Decimal,
    pub mrp: Money,
    pub amount: Money,
    pub verified: bool,
}

/// МРП values per year and fee rules (`catalog/fees.toml`).
#[derive(Debug, Clone)]
pub struct FeeTable {
    mrp: BTreeMap<i32, MrpValue>,
    rules: BTreeMap<String, FeeRule>,
}

/// Years an МРП value may be given for (a typo such as `[mrp.227]` is refused).
const MRP_YEARS: std::ops::RangeInclusive<i32> = 1992..=2100;

impl FeeTable {
    /// Parses a fee table (format: `catalog/fees.toml`, `docs/money.md`). A problem is a
    /// [`FeeError::Data`] naming the line and field.
    pub fn from_toml(text: &str) -> Result<FeeTable, FeeError> {
        let data = |span: std::ops::Range<usize>, field: String, message: String| {
            FeeError::Data(DataIssue::at(text, span, field, message))
        };
        let f: FeeFile =
            toml::from_str(text).map_err(|e| FeeError::Data(DataIssue::toml(text, &e)))?;
        let mut mrp = BTreeMap::new();
        for (y, v) in f.mrp {
            let year: i32 = y
                .get_ref()
                .parse()
                .ok()
                .filter(|y| MRP_YEARS.contains(y))
                .ok_or_else(|| {
                    data(
                        y.span(),
                        format!("mrp.{}", y.get_ref()),
                        format!(
                            "`{}` is not a year ({}-{})",
                            y.get_ref(),
                            MRP_YEARS.start(),
                            MRP_YEARS.end()
                        ),
                    )
                })?;
            let field = format!("mrp.{year}.tenge");
            let bad = |why: String| data(v.tenge.span(), field.clone(), why);
            let raw = &v.tenge.get_ref().0;
            let tenge = Decimal::from_str_exact(raw.trim()).map_err(|e| {
                bad(format!(
                    "`{raw}` is not an amount in tenge (write it as a string, e.g. \"4325\"): {e}"
                ))
            })?;
            if tenge <= Decimal::ZERO {
                return Err(bad(format!("`{raw}`: the МРП must be positive")));
            }
            let value =
                Money::from_decimal_exact(tenge).map_err(|e| bad(format!("`{raw}`: {e}")))?;
            mrp.insert(
                year,
                MrpValue {
                    year,
                    value,
                    verified: v.verified,
                    source: v.source,
                },
            );
        }
        let mut rules = BTreeMap::new();
        for (name, r) in f.rules {
            let name = name.into_inner();
            let field = format!("rules.{name}.mrp");
            let raw = &r.mrp.get_ref().0;
            let multiplier = Decimal::from_str_exact(raw.trim()).map_err(|e| {
                data(
                    r.mrp.span(),
                    field.clone(),
                    format!("`{raw}` is not a decimal multiplier of the МРП: {e}"),
                )
            })?;
            if multiplier < Decimal::ZERO {
                return Err(data(
                    r.mrp.span(),
                    field,
                    format!("`{raw}`: a multiplier must not be negative"),
                ));
            }
            rules.insert(
                name.clone(),
                FeeRule {
                    name,
                    multiplier,
                    verified: r.verified,
                    description: r.description,
                },
            );
        }
        Ok(FeeTable { mrp, rules })
    }

    /// The embedded table (`catalog/fees.toml`).
    pub fn embedded() -> Result<FeeTable, FeeError> {
        FeeTable::from_toml(FEES_TOML)
    }

    pub fn rule_names(&self) -> Vec<String> {
        self.rules.keys().cloned().collect()
    }

    pub fn rule(&self, name: &str) -> Option<&FeeRule> {
        self.rules.get(name)
    }

    /// The МРП of `year` in tenge.
    pub fn mrp(&self, year: i32) -> Option<Decimal> {
        self.mrp.get(&year).map(|m| m.value.to_decimal())
    }

    pub fn mrp_value(&self, year: i32) -> Option<&MrpValue> {
        self.mrp.get(&year)
    }

    /// Every year's МРП, in year order.
    pub fn mrp_values(&self) -> impl Iterator<Item = &MrpValue> {
        self.mrp.values()
    }

    /// The fee of `rule` for a request made on `on`: multiplier × МРП of that calendar
    /// year, rounded half away from zero to a tiyn. A zero multiplier (`free`) needs no МРП.
    pub fn fee(&self, rule: &str, on: NaiveDate) -> Result<Money, FeeError> {
        self.quote(rule, on).map(|q| q.amount)
    }

    /// [`FeeTable::fee`] with its inputs and the combined `verified` flag.
    pub fn quote(&self, rule: &str, on: NaiveDate) -> Result<FeeQuote, FeeError> {
        let r = self
            .rules
            .get(rule)
            .ok_or_else(|| FeeError::UnknownRule(rule.to_owned()))?;
        let year = on.year();
        if r.multiplier.is_zero() {
            return Ok(FeeQuote {
                rule: r.name.clone(),
                year,
                multiplier: r.multiplier,
                mrp: self.mrp.get(&year).map_or(Money::ZERO, |m| m.value),
                amount: Money::ZERO,
                verified: r.verified,
            });
        }
        let m = self.mrp.get(&year).ok_or(FeeError::NoMrp(year))?;
        let amount = m.value.checked_mul_decimal(r.multiplier)?;
        if amount.is_negative() {
            return Err(MoneyError::Negative.into());
        }
        Ok(FeeQuote {
            rule: r.name.clone(),
            year,
            multiplier: r.multiplier,
            mrp: m.value,
            amount,
            verified: r.verified && m.verified,
        })
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

    fn table() -> FeeTable {
        FeeTable::embedded().expect("embedded fee table parses")
    }

    #[test]
    fn mrp_values() {
        let t = table();
        assert_eq!(t.mrp(2024), Some(dec!(3692)));
        assert_eq!(t.mrp(2025), Some(dec!(3932)));
        assert_eq!(t.mrp(2026), Some(dec!(4325)));
        assert_eq!(t.mrp_value(2026).map(|m| m.verified), Some(true));
        assert_eq!(t.mrp_value(2025).map(|m| m.verified), Some(true));
        // 2027: an assumption (the 2026 value carried forward) until the budget law is known.
        assert_eq!(t.mrp(2027), Some(dec!(4325)));
        assert_eq!(t.mrp_value(2027).map(|m| m.verified), Some(false));
        assert_eq!(t.mrp(2023), None);
        assert_eq!(t.mrp(2028), None);
    }

    #[test]
    fn licence_fees_in_mrp() {
        // G-21: 10 МРП for issue, 1 МРП for re-issue, 10 МРП for a duplicate.
        let t = table();
        assert_eq!(
            t.fee("licence-issue", day(2024)).map(Money::tiyn),
            Ok(3_692_000)
        );
        assert_eq!(
            t.fee("licence-issue", day(2026)).map(Money::to_decimal),
            Ok(dec!(43250.00))
        );
        assert_eq!(
            t.fee("licence-reissue", day(2025)).map(Money::tiyn),
            Ok(393_200)
        );
        assert_eq!(
            t.fee("licence-duplicate", day(2025)).map(Money::tiyn),
            Ok(3_932_000)
        );
        // The year is the calendar year of the request date.
        let dec31 = NaiveDate::from_ymd_opt(2024, 12, 31).expect("date");
        let jan1 = NaiveDate::from_ymd_opt(2025, 1, 1).expect("date");
        assert_eq!(
            t.fee("licence-reissue", dec31).map(Money::tiyn),
            Ok(369_200)
        );
        assert_eq!(t.fee("licence-reissue", jan1).map(Money::tiyn), Ok(393_200));
        assert_eq!(t.fee("free", day(1999)), Ok(Money::ZERO));
        assert_eq!(
            t.fee("licence-issue", day(1999)),
            Err(FeeError::NoMrp(1999))
        );
        assert_eq!(
            t.fee("licence-issue", day(1999)).map_err(|e| e.code()),
            Err(ErrorCode::FeeNoMrpForYear)
        );
        assert_eq!(
            t.fee("nope", day(2026)).map_err(|e| e.code()),
            Err(ErrorCode::FeeUnknownRule)
        );
        let names = t.rule_names();
        for n in [
            "free",
            "licence-issue",
            "licence-reissue",
            "licence-duplicate",
        ] {
            assert!(names.iter().any(|x| x == n), "{n}");
        }
    }

    #[test]
    fn quotes_carry_the_unverified_label() {
        let t = table();
        let q = t.quote("licence-issue", day(2025)).expect("quote");
        assert_eq!(q.multiplier, dec!(10));
        assert_eq!(q.mrp.tiyn(), 393_200);
        assert!(
            !q.verified,
            "the licence fee multiplier is an assumption (G-21)"
        );
        let free = t.quote("free", day(2025)).expect("quote");
        assert!(free.verified);
        assert_eq!(free.amount, Money::ZERO);
    }

    #[test]
    fn fractional_multiplier_rounds_half_away_from_zero() {
        // 0.5 × 3692.01 = 1846.005 → 1846.01.
        let t =
            FeeTable::from_toml("[mrp.2024]\ntenge = \"3692.01\"\n[rules.half]\nmrp = \"0.5\"\n")
                .expect("table");
        assert_eq!(
            t.fee("half", day(2024)).map(Money::to_decimal),
            Ok(dec!(1846.01))
        );
    }

    #[test]
    fn bad_fee_data_names_the_line_and_field() {
        let issue = |s: &str| match FeeTable::from_toml(s) {
            Err(FeeError::Data(d)) => (d.line, d.field, d.message),
            other => panic!("{other:?}"),
        };
        let (line, field, message) = issue("# МРП\n[mrp.2027]\ntenge = \"0\"\n");
        assert_eq!((line, field.as_str()), (Some(3), "mrp.2027.tenge"));
        assert!(message.contains("positive"), "{message}");
        let (line, field, message) = issue("[mrp.2027]\ntenge = 4325\n");
        assert_eq!((line, field.as_str()), (Some(2), "mrp.2027.tenge"));
        assert!(message.contains("in quotes: \"4325\""), "{message}");
        let (line, field, _) = issue("[mrp.2024]\ntenge = \"1\"\n\n[mrp.207]\ntenge = \"1\"\n");
        assert_eq!((line, field.as_str()), (Some(4), "mrp.207"));
        let (line, field, _) = issue("[rules.x]\nmrp = \"ten\"\n");
        assert_eq!((line, field.as_str()), (Some(2), "rules.x.mrp"));
        let (line, field, message) = issue("[rules.x]\nmrp = \"1\"\ncap = 2\n");
        assert_eq!((line, field.as_str()), (Some(3), "rules.x.cap"));
        assert!(message.contains("unknown field"), "{message}");
        let e = FeeTable::from_toml("[mrp.2024]\ntenge = \"-1\"\n").expect_err("negative");
        assert_eq!(
            e.to_string(),
            "fee table: line 2: mrp.2024.tenge: `-1`: the МРП must be positive"
        );
    }

    #[test]
    fn bad_fee_data() {
        let code = |s: &str| FeeTable::from_toml(s).map(|_| ()).map_err(|e| e.code());
        assert_eq!(code(""), Ok(()));
        assert_eq!(code("[mrp.abc]\ntenge = \"1\""), Err(ErrorCode::FeeData));
        assert_eq!(code("[mrp.2024]\ntenge = \"0\""), Err(ErrorCode::FeeData));
        assert_eq!(
            code("[mrp.2024]\ntenge = \"1.001\""),
            Err(ErrorCode::FeeData)
        );
        assert_eq!(code("[mrp.2024]\ntenge = 3692"), Err(ErrorCode::FeeData));
        assert_eq!(code("[rules.x]\nmrp = \"-1\""), Err(ErrorCode::FeeData));
        assert_eq!(code("[rules.x]\nmrp = \"ten\""), Err(ErrorCode::FeeData));
        assert_eq!(
            code("[rules.x]\nmrp = \"1\"\ncap = 2"),
            Err(ErrorCode::FeeData)
        );
    }

    #[test]
    fn rounding_is_half_away_from_zero_to_a_tiyn() {
        let t = |d: Decimal| Money::from_decimal(d).map(Money::tiyn);
        assert_eq!(t(dec!(1.005)), Ok(101));
        assert_eq!(t(dec!(1.004)), Ok(100));
        assert_eq!(t(dec!(1.015)), Ok(102));
        assert_eq!(t(dec!(1.025)), Ok(103)); // not banker's rounding (which gives 1.02)
        assert_eq!(t(dec!(-1.005)), Ok(-101));
        assert_eq!(t(dec!(-1.004)), Ok(-100));
        assert_eq!(t(dec!(0.004999)), Ok(0));
        assert_eq!(t(Decimal::MAX), Err(MoneyError::Overflow));
        assert_eq!(
            Money::from_decimal_exact(dec!(1.005)),
            Err(MoneyError::Precision)
        );
        assert_eq!(
            Money::from_decimal_exact(dec!(1.500)).map(Money::tiyn),
            Ok(150)
        );
    }

    #[test]
    fn text_forms() {
        assert_eq!(Money::from_tiyn(4_325_000).to_string(), "43250.00 KZT");
        assert_eq!(Money::from_tiyn(-105).to_string(), "-1.05 KZT");
        assert_eq!(
            Money::from_tiyn(123_450).format_kk_ru(),
            "1\u{a0}234,50\u{a0}₸"
        );
        assert_eq!(
            Money::from_tiyn(123_456_789).format_kk_ru(),
            "1\u{a0}234\u{a0}567,89\u{a0}₸"
        );
        assert_eq!(Money::from_tiyn(5).format_kk_ru(), "0,05\u{a0}₸");
        assert_eq!(
            Money::from_tiyn(-100_000).format_kk_ru(),
            "-1\u{a0}000,00\u{a0}₸"
        );
        assert_eq!(
            Money::from_tiyn(i64::MIN).format_kk_ru().chars().next(),
            Some('-')
        );
        assert_eq!("12345.5".parse::<Money>().map(Money::tiyn), Ok(1_234_550));
        assert_eq!(
            "12345.50 KZT".parse::<Money>().map(Money::tiyn),
            Ok(1_234_550)
        );
        assert_eq!("1.001".parse::<Money>(), Err(MoneyError::Precision));
        assert_eq!(
            "1e3".parse::<Money>().map_err(|e| e.code()),
            Err(ErrorCode::MoneyFormat)
        );
        assert_eq!(
            "".parse::<Money>().map_err(|e| e.code()),
            Err(ErrorCode::MoneyFormat)
        );
    }

    #[test]
    fn serde_as_decimal_string() {
        let m = Money::from_tiyn(1_234_550);
        assert_eq!(
            serde_json::to_string(&m).ok(),
            Some("\"12345.50\"".to_owned())
        );
        assert_eq!(serde_json::from_str::<Money>("\"12345.50\"").ok(), Some(m));
        assert!(serde_json::from_str::<Money>("12345.5").is_err());
        assert!(serde_json::from_str::<Money>("\"0.001\"").is_err());
    }

    #[test]
    fn checked_arithmetic() {
        let a = Money::from_tiyn(i64::MAX);
        assert_eq!(a.checked_add(Money::from_tiyn(1)), None);
        assert_eq!(
            Money::from_tiyn(i64::MIN).checked_sub(Money::from_tiyn(1)),
            None
        );
        assert_eq!(a.checked_mul(2), None);
        assert_eq!(
            Money::from_tiyn(150).checked_mul(3),
            Some(Money::from_tiyn(450))
        );
        assert_eq!(Money::from_tenge(5).map(Money::tiyn), Some(500));
        assert_eq!(Money::from_tenge(i64::MAX), None);
        assert_eq!(
            Money::from_tiyn(333).checked_mul_decimal(dec!(0.5)),
            Ok(Money::from_tiyn(167))
        );
        assert_eq!(a.checked_mul_decimal(dec!(2)), Err(MoneyError::Overflow));
    }

    /// Reference rounding on integers: value = n / 10^3 (three decimals) → tiyn.
    fn reference_round(thousandths: i64) -> i64 {
        let q = thousandths / 10;
        let r = thousandths % 10;
        if r.abs() >= 5 {
            q + r.signum()
        } else {
            q
        }
    }

    proptest! {
        #[test]
        fn money_round_trips_through_decimal(t in any::<i64>()) {
            let m = Money::from_tiyn(t);
            prop_assert_eq!(Money::from_decimal(m.to_decimal()), Ok(m));
            prop_assert_eq!(Money::from_decimal_exact(m.to_decimal()), Ok(m));
            prop_assert_eq!(m.to_decimal().scale(), 2);
        }

        #[test]
        fn money_round_trips_through_text(t in any::<i64>()) {
            let m = Money::from_tiyn(t);
            prop_assert_eq!(m.to_string().parse::<Money>(), Ok(m));
            let json = serde_json::to_string(&m).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(serde_json::from_str::<Money>(&json).ok(), Some(m));
        }

        #[test]
        fn rounding_matches_reference(n in -1_000_000_000_000i64..1_000_000_000_000) {
            let d = Decimal::new(n, 3);
            prop_assert_eq!(Money::from_decimal(d).map(Money::tiyn), Ok(reference_round(n)));
        }

        #[test]
        fn checked_add_sub_match_i128(a in any::<i64>(), b in any::<i64>()) {
            let (ma, mb) = (Money::from_tiyn(a), Money::from_tiyn(b));
            let sum = i128::from(a) + i128::from(b);
            prop_assert_eq!(ma.checked_add(mb).map(|m| i128::from(m.tiyn())), i64::try_from(sum).ok().map(i128::from));
            let diff = i128::from(a) - i128::from(b);
            prop_assert_eq!(ma.checked_sub(mb).map(|m| i128::from(m.tiyn())), i64::try_from(diff).ok().map(i128::from));
        }

        /// Fees are non-negative, exact (decimal) and linear in the multiplier.
        #[test]
        fn fee_is_exact_and_linear_in_the_multiplier(
            k in 0u32..10_000, mrp_tiyn in 1i64..100_000_000, year in 2000i32..=2100
        ) {
            let mrp = Money::from_tiyn(mrp_tiyn);
            let text = format!(
                "[mrp.{year}]\ntenge = \"{}\"\n[rules.a]\nmrp = \"{k}\"\n[rules.b]\nmrp = \"{}\"\n",
                mrp.to_decimal(), 2 * k
            );
            let t = FeeTable::from_toml(&text).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let a = t.fee("a", day(year)).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let b = t.fee("b", day(year)).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert!(a.tiyn() >= 0);
            prop_assert_eq!(a.to_decimal(), Decimal::from(k) * mrp.to_decimal());
            prop_assert_eq!(Some(b), a.checked_mul(2));
        }

        /// With a fractional multiplier the fee is the decimal product rounded once.
        #[test]
        fn fee_with_fractional_multiplier(k_hundredths in 0i64..100_000, mrp_tiyn in 1i64..100_000_000) {
            let mult = Decimal::new(k_hundredths, 2);
            let mrp = Money::from_tiyn(mrp_tiyn);
            let text = format!("[mrp.2025]\ntenge = \"{}\"\n[rules.x]\nmrp = \"{mult}\"\n", mrp.to_decimal());
            let t = FeeTable::from_toml(&text).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let fee = t.fee("x", day(2025)).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert!(fee.tiyn() >= 0);
            prop_assert_eq!(Ok(fee), Money::from_decimal(mult * mrp.to_decimal()));
        }
    }
}
