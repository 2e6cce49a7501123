//! Daily reconciliation of the gateway's statement with our ledger (G-21).
//!
//! [`reconcile`] is pure and deterministic: the same statement and ledger (in any order)
//! give the same report, and it writes nothing, so running it twice changes nothing.
//!
//! Pairing: a statement line pairs with the ledger payment whose `payment_id` equals the
//! line's `idempotency_key`, else with the one whose `gateway_payment_id` equals the line's.
//! Each statement line and each ledger payment then lands in exactly one [`Category`]:
//!
//! | Category | What | Action |
//! |---|---|---|
//! | `matched` | paired; same amount, currency, status (and gateway id); attached | none |
//! | `amount_mismatch` | paired; amount or currency differ | investigate |
//! | `status_mismatch` | paired; status (or gateway id) differs, e.g. a lost callback | status query |
//! | `unattached` | paired, both paid, but the request is absent, draft or withdrawn | refund candidate |
//! | `missing_locally` | a line for a payment the ledger does not have | investigate |
//! | `duplicate_at_gateway` | a second line for an already paired payment | double charge? |
//! | `missing_at_gateway` | ledger says paid, no line | investigate |
//! | `not_settled` | ledger payment not paid and not on the statement | none |
//!
//! The caller passes the ledger payments relevant to the day: those paid on it (see
//! [`super::business_date`]) plus those named by the statement's lines.

use std::collections::HashMap;
use std::fmt;

use chrono::NaiveDate;
use serde::Serialize;
use uuid::Uuid;

use super::gateway::{GatewayError, PaymentGateway, PaymentStatus, StatementLine};
use super::LedgerPayment;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Matched,
    AmountMismatch,
    StatusMismatch,
    Unattached,
    MissingLocally,
    DuplicateAtGateway,
    MissingAtGateway,
    NotSettled,
}

impl Category {
    pub const ALL: [Category; 8] = [
        Category::Matched,
        Category::AmountMismatch,
        Category::StatusMismatch,
        Category::Unattached,
        Category::MissingLocally,
        Category::DuplicateAtGateway,
        Category::MissingAtGateway,
        Category::NotSettled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Matched => "matched",
            Category::AmountMismatch => "amount_mismatch",
            Category::StatusMismatch => "status_mismatch",
            Category::Unattached => "unattached",
            Category::MissingLocally => "missing_locally",
            Category::DuplicateAtGateway => "duplicate_at_gateway",
            Category::MissingAtGateway => "missing_at_gateway",
            Category::NotSettled => "not_settled",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Category::Matched => "matched",
            Category::AmountMismatch => "amount mismatch",
            Category::StatusMismatch => "status mismatch",
            Category::Unattached => "unattached (refund candidates)",
            Category::MissingLocally => "missing locally",
            Category::DuplicateAtGateway => "duplicate at gateway",
            Category::MissingAtGateway => "missing at gateway",
            Category::NotSettled => "not settled (unpaid, no line)",
        }
    }

    /// Whether the category needs someone's attention.
    pub fn is_discrepancy(self) -> bool {
        !matches!(self, Category::Matched | Category::NotSettled)
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One statement line and/or one ledger payment, in one category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReconciliationItem {
    /// Our payment id (the line's idempotency key, or the ledger's payment id).
    pub payment_id: Uuid,
    pub gateway_payment_id: Option<String>,
    pub request_number: Option<String>,
    pub statement: Option<StatementLine>,
    pub ledger: Option<LedgerPayment>,
    /// Why it is in its category (empty for `matched`).
    pub note: String,
}

/// The outcome of [`reconcile`]. Serialises to JSON with one array per category.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ReconciliationReport {
    /// Set by [`reconcile_day`]; `None` from [`reconcile`].
    pub date: Option<NaiveDate>,
    pub statement_lines: usize,
    pub ledger_payments: usize,
    pub matched: Vec<ReconciliationItem>,
    pub amount_mismatch: Vec<ReconciliationItem>,
    pub status_mismatch: Vec<ReconciliationItem>,
    pub unattached: Vec<ReconciliationItem>,
    pub missing_locally: Vec<ReconciliationItem>,
    pub duplicate_at_gateway: Vec<ReconciliationItem>,
    pub missing_at_gateway: Vec<ReconciliationItem>,
    pub not_settled: Vec<ReconciliationItem>,
}

impl ReconciliationReport {
    pub fn items(&self, c: Category) -> &[ReconciliationItem] {
        match c {
            Category::Matched => &self.matched,
            Category::AmountMismatch => &self.amount_mismatch,
            Category::StatusMismatch => &self.status_mismatch,
            Category::Unattached => &self.unattached,
            Category::MissingLocally => &self.missing_locally,
            Category::DuplicateAtGateway => &self.duplicate_at_gateway,
            Category::MissingAtGateway => &self.missing_at_gateway,
            Category::NotSettled => &self.not_settled,
        }
    }

    fn items_mut(&mut self, c: Category) -> &mut Vec<ReconciliationItem> {
        match c {
            Category::Matched => &mut self.matched,
            Category::AmountMismatch => &mut self.amount_mismatch,
            Category::StatusMismatch => &mut self.status_mismatch,
            Category::Unattached => &mut self.unattached,
            Category::MissingLocally => &mut self.missing_locally,
            Category::DuplicateAtGateway => &mut self.duplicate_at_gateway,
            Category::MissingAtGateway => &mut self.missing_at_gateway,
            Category::NotSettled => &mut self.not_settled,
        }
    }

    pub fn count(&self, c: Category) -> usize {
        self.items(c).len()
    }

    /// Items needing attention (every category but matched and not settled).
    pub fn discrepancies(&self) -> usize {
        Category::ALL
            .into_iter()
            .filter(|c| c.is_discrepancy())
            .map(|c| self.count(c))
            .sum()
    }

    pub fn is_clean(&self) -> bool {
        self.discrepancies() == 0
    }
}

impl fmt::Display for ReconciliationReport {
    /// Counts per category, then one line per discrepancy.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.date {
            Some(d) => write!(f, "Reconciliation of {d}: ")?,
            None => write!(f, "Reconciliation: ")?,
        }
        writeln!(
            f,
            "{} statement line(s), {} ledger payment(s)",
            self.statement_lines, self.ledger_payments
        )?;
        for c in Category::ALL {
            writeln!(f, "  {:<32}{:>6}", c.label(), self.count(c))?;
        }
        if self.is_clean() {
            return writeln!(f, "No discrepancies.");
        }
        writeln!(f, "Discrepancies ({}):", self.discrepancies())?;
        for c in Category::ALL.into_iter().filter(|c| c.is_discrepancy()) {
            for it in self.items(c) {
                let (amount, status) = match (&it.statement, &it.ledger) {
                    (Some(s), _) => (s.amount, s.status),
                    (None, Some(l)) => (l.amount, l.status),
                    (None, None) => continue,
                };
                writeln!(
                    f,
                    "  [{c}] payment {} gateway {} request {} {} {}: {}",
                    it.payment_id,
                    it.gateway_payment_id.as_deref().unwrap_or("-"),
                    it.request_number.as_deref().unwrap_or("-"),
                    amount,
                    status,
                    it.note
                )?;
            }
        }
        Ok(())
    }
}

fn ledger_sort_key(l: &LedgerPayment) -> (Uuid, String) {
    (l.payment_id, format!("{l:?}"))
}

fn classify(line: &StatementLine, l: &LedgerPayment) -> (Category, String) {
    if line.currency != l.currency {
        return (
            Category::AmountMismatch,
            format!("currency: gateway {}, ledger {}", line.currency, l.currency),
        );
    }
    if line.amount != l.amount {
        return (
            Category::AmountMismatch,
            format!("amount: gateway {}, ledger {}", line.amount, l.amount),
        );
    }
    if let Some(g) = l.gateway_payment_id.as_deref() {
        if g != line.gateway_payment_id {
            return (
                Category::StatusMismatch,
                format!(
                    "gateway payment id: gateway {}, ledger {g}",
                    line.gateway_payment_id
                ),
            );
        }
    }
    if line.status != l.status {
        let hint = if line.status == PaymentStatus::Paid {
            " (callback lost? confirm by a status query)"
        } else {
            ""
        };
        return (
            Category::StatusMismatch,
            format!("status: gateway {}, ledger {}{hint}", line.status, l.status),
        );
    }
    if l.status == PaymentStatus::Paid && l.is_unattached() {
        let why = match l.request_state {
            None => "no request".to_owned(),
            Some(s) => format!("request is {s}"),
        };
        return (
            Category::Unattached,
            format!("paid, {why}: refund candidate"),
        );
    }
    (Category::Matched, String::new())
}

/// Compares a day's statement with the ledger. Pure, deterministic, order-independent.
pub fn reconcile(statement: &[StatementLine], ledger: &[LedgerPayment]) -> ReconciliationReport {
    let mut lines: Vec<&StatementLine> = statement.iter().collect();
    lines.sort();
    let mut entries: Vec<&LedgerPayment> = ledger.iter().collect();
    entries.sort_by_cached_key(|l| ledger_sort_key(l));

    let mut by_key: HashMap<Uuid, usize> = HashMap::new();
    let mut by_gateway_id: HashMap<&str, usize> = HashMap::new();
    for (i, l) in entries.iter().enumerate() {
        by_key.entry(l.payment_id).or_insert(i);
        if let Some(g) = l.gateway_payment_id.as_deref() {
            by_gateway_id.entry(g).or_insert(i);
        }
    }

    let mut report = ReconciliationReport {
        statement_lines: statement.len(),
        ledger_payments: ledger.len(),
        ..ReconciliationReport::default()
    };
    let mut paired = vec![false; entries.len()];
    for line in lines {
        let found = by_key
            .get(&line.idempotency_key)
            .or_else(|| by_gateway_id.get(line.gateway_payment_id.as_str()))
            .copied();
        let (category, ledger_entry, note) = match found {
            None => (
                Category::MissingLocally,
                None,
                "at the gateway, not in the ledger".to_owned(),
            ),
            Some(i) if paired[i] => (
                Category::DuplicateAtGateway,
                None,
                format!(
                    "another line for ledger payment {} was already matched",
                    entries[i].payment_id
                ),
            ),
            Some(i) => {
                paired[i] = true;
                let (c, note) = classify(line, entries[i]);
                (c, Some(entries[i].clone()), note)
            }
        };
        report.items_mut(category).push(ReconciliationItem {
            payment_id: line.idempotency_key,
            gateway_payment_id: Some(line.gateway_payment_id.clone()),
            request_number: ledger_entry.as_ref().and_then(|l| l.request_number.clone()),
            statement: Some(line.clone()),
            ledger: ledger_entry,
            note,
        });
    }
    for (i, l) in entries.iter().enumerate() {
        if paired[i] {
            continue;
        }
        let (category, note) = if l.status == PaymentStatus::Paid {
            (
                Category::MissingAtGateway,
                "ledger says paid, no statement line".to_owned(),
            )
        } else {
            (
                Category::NotSettled,
                format!("{}, no statement line", l.status),
            )
        };
        report.items_mut(category).push(ReconciliationItem {
            payment_id: l.payment_id,
            gateway_payment_id: l.gateway_payment_id.clone(),
            request_number: l.request_number.clone(),
            statement: None,
            ledger: Some((*l).clone()),
            note,
        });
    }
    report
}

/// What [`reconcile_day`] is doing, for a progress display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    FetchingStatement(NaiveDate),
    Comparing { lines: usize, ledger: usize },
    Done { discrepancies: usize },
}

impl fmt::Display for Progress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Progress::FetchingStatement(d) => write!(f, "fetching the gateway statement of {d}…"),
            Progress::Comparing { lines, ledger } => write!(
                f,
                "comparing {lines} statement line(s) with {ledger} ledger payment(s)…"
            ),
            Progress::Done { discrepancies } => write!(f, "done: {discrepancies} discrepancy(ies)"),
        }
    }
}

/// Fetches the statement of `date` and reconciles it with `ledger`. Read-only: run it as
/// often as needed. (`ruqsat payments reconcile --date D` is this plus loading the ledger.)
pub fn reconcile_day(
    gateway: &dyn PaymentGateway,
    date: NaiveDate,
    ledger: &[LedgerPayment],
    progress: &mut dyn FnMut(Progress),
) -> Result<ReconciliationReport, GatewayError> {
    progress(Progress::FetchingStatement(date));
    let lines = gateway.statement(date)?;
    progress(Progress::Comparing {
        lines: lines.len(),
        ledger: ledger.len(),
    });
    let mut report = reconcile(&lines, ledger);
    report.date = Some(date);
    progress(Progress::Done {
        discrepancies: report.discrepancies(),
    });
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::Money;
    use chrono::{DateTime, TimeZone, Utc};
    use proptest::prelude::*;

    fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 6, 0, 0)
            .single()
            .expect("valid")
    }

    fn line(key: u128, tiyn: i64, status: PaymentStatus) -> StatementLine {
        StatementLine {
            gateway_payment_id: format!("gw_{key}"),
            idempotency_key: Uuid::from_u128(key),
            amount: Money::from_tiyn(tiyn),
            currency: "KZT".to_owned(),
            status,
            paid_at: Some(at()),
        }
    }

    fn entry(key: u128, tiyn: i64, status: PaymentStatus, state: Option<&str>) -> LedgerPayment {
        LedgerPayment {
            payment_id: Uuid::from_u128(key),
            gateway_payment_id: Some(format!("gw_{key}")),
            amount: Money::from_tiyn(tiyn),
            currency: "KZT".to_owned(),
            status,
            paid_at: Some(at()),
            request_number: Some(format!("MED-2026-{key:06}")),
            request_state: state.map(|s| s.parse().expect("a state")),
            last_event_id: None,
        }
    }

    /// One of each category.
    fn sample() -> (Vec<StatementLine>, Vec<LedgerPayment>) {
        use PaymentStatus::*;
        let lines = vec![
            line(1, 4_325_000, Paid), // matched
            line(2, 4_325_000, Paid), // amount mismatch (ledger 43 249.99)
            line(3, 393_200, Paid),   // status mismatch (ledger pending)
            line(4, 4_325_000, Paid), // unattached (draft)
            line(5, 100, Paid),       // missing locally
            line(1, 4_325_000, Paid), // duplicate at gateway
        ];
        let ledger = vec![
            entry(1, 4_325_000, Paid, Some("signed")),
            entry(2, 4_324_999, Paid, Some("paid")),
            entry(3, 393_200, Pending, Some("awaiting_payment")),
            entry(4, 4_325_000, Paid, Some("draft")),
            entry(6, 4_325_000, Paid, Some("registered")), // missing at gateway
            entry(7, 4_325_000, Declined, Some("awaiting_payment")), // not settled
        ];
        (lines, ledger)
    }

    #[test]
    fn one_of_each() {
        let (lines, ledger) = sample();
        let r = reconcile(&lines, &ledger);
        for c in Category::ALL {
            assert_eq!(r.count(c), 1, "{c}: {r}");
        }
        assert_eq!(r.unattached[0].payment_id, Uuid::from_u128(4));
        assert!(r.unattached[0].note.contains("refund"));
        assert!(r.status_mismatch[0].note.contains("status query"));
        assert_eq!(r.discrepancies(), 6);
        assert!(!r.is_clean());
        let text = r.to_string();
        assert!(
            text.contains("6 statement line(s), 6 ledger payment(s)"),
            "{text}"
        );
        assert!(text.contains("[missing_at_gateway]"), "{text}");
        assert!(text.contains("43249.99 KZT"), "{text}");
        // Idempotent and order-independent.
        assert_eq!(reconcile(&lines, &ledger), r);
        let mut l2 = lines.clone();
        l2.reverse();
        let mut g2 = ledger.clone();
        g2.reverse();
        assert_eq!(reconcile(&l2, &g2), r);
        let json = serde_json::to_value(&r).expect("json");
        assert_eq!(json["missing_locally"][0]["statement"]["amount"], "1.00");
    }

    #[test]
    fn no_request_and_withdrawn_are_unattached() {
        use PaymentStatus::*;
        let lines = [line(1, 100, Paid), line(2, 100, Paid)];
        let ledger = [
            entry(1, 100, Paid, None),
            entry(2, 100, Paid, Some("withdrawn")),
        ];
        let r = reconcile(&lines, &ledger);
        assert_eq!(r.count(Category::Unattached), 2);
        // Pairing by gateway id when the key is unknown.
        let mut l = entry(9, 100, Paid, Some("signed"));
        l.gateway_payment_id = Some("gw_1".to_owned());
        let r = reconcile(&[line(1, 100, Paid)], &[l]);
        assert_eq!(r.count(Category::Matched), 1, "{r}");
        let empty = reconcile(&[], &[]);
        assert!(empty.is_clean());
        assert!(empty.to_string().contains("No discrepancies."));
    }

    #[test]
    fn reconcile_day_reports_progress() {
        let gw = crate::demo::gateway::SandboxGateway::new("s", "");
        let mut seen = Vec::new();
        let d = NaiveDate::from_ymd_opt(2026, 3, 2).expect("date");
        let r = reconcile_day(&gw, d, &[], &mut |p| seen.push(p.to_string())).expect("ok");
        assert_eq!(r.date, Some(d));
        assert_eq!(seen.len(), 3);
        assert!(seen[0].contains("2026-03-02"));
    }

    fn status() -> impl Strategy<Value = PaymentStatus> {
        prop::sample::select(PaymentStatus::ALL.to_vec())
    }

    fn arb_line() -> impl Strategy<Value = StatementLine> {
        (
            0u128..8,
            0u128..8,
            prop::sample::select(vec![100i64, 200, 4_325_000]),
            status(),
            prop::sample::select(vec!["KZT", "USD"]),
        )
            .prop_map(|(k, g, tiyn, st, cur)| StatementLine {
                gateway_payment_id: format!("gw_{g}"),
                idempotency_key: Uuid::from_u128(k),
                amount: Money::from_tiyn(tiyn),
                currency: cur.to_owned(),
                status: st,
                paid_at: None,
            })
    }

    fn arb_entry() -> impl Strategy<Value = LedgerPayment> {
        (
            0u128..8,
            prop::option::of(0u128..8),
            prop::sample::select(vec![100i64, 200, 4_325_000]),
            status(),
            prop::option::of(prop::sample::select(vec![
                "draft",
                "withdrawn",
                "awaiting_payment",
                "signed",
            ])),
        )
            .prop_map(|(k, g, tiyn, st, state)| LedgerPayment {
                payment_id: Uuid::from_u128(k),
                gateway_payment_id: g.map(|g| format!("gw_{g}")),
                amount: Money::from_tiyn(tiyn),
                currency: "KZT".to_owned(),
                status: st,
                paid_at: None,
                request_number: None,
                request_state: state.map(|s| s.parse().expect("a state")),
                last_event_id: None,
            })
    }

    proptest! {
        /// Every statement line and every ledger entry lands in exactly one category;
        /// matched pairs have equal amounts; the report does not depend on input order
        /// and is the same when run twice.
        #[test]
        fn every_input_lands_once(
            lines in prop::collection::vec(arb_line(), 0..12),
            ledger in prop::collection::vec(arb_entry(), 0..12),
        ) {
            let r = reconcile(&lines, &ledger);
            let mut got_lines: Vec<StatementLine> = Vec::new();
            let mut got_ledger: Vec<String> = Vec::new();
            for c in Category::ALL {
                for it in r.items(c) {
                    prop_assert!(it.statement.is_some() || it.ledger.is_some());
                    got_lines.extend(it.statement.clone());
                    got_ledger.extend(it.ledger.as_ref().map(|l| format!("{l:?}")));
                }
            }
            let mut want_lines = lines.clone();
            want_lines.sort();
            got_lines.sort();
            prop_assert_eq!(got_lines, want_lines);
            let mut want_ledger: Vec<String> = ledger.iter().map(|l| format!("{l:?}")).collect();
            want_ledger.sort();
            got_ledger.sort();
            prop_assert_eq!(got_ledger, want_ledger);
            for it in &r.matched {
                let (Some(s), Some(l)) = (&it.statement, &it.ledger) else {
                    return Err(TestCaseError::fail("matched item without both sides"));
                };
                prop_assert_eq!(s.amount, l.amount);
                prop_assert_eq!(&s.currency, &l.currency);
                prop_assert_eq!(s.status, l.status);
            }
            prop_assert_eq!(r.statement_lines, lines.len());
            prop_assert_eq!(r.ledger_payments, ledger.len());
            prop_assert_eq!(&reconcile(&lines, &ledger), &r);
            let mut rl = lines.clone();
            rl.reverse();
            let mut rg = ledger.clone();
            rg.reverse();
            prop_assert_eq!(&reconcile(&rl, &rg), &r);
        }
    }
}
