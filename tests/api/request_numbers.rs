//! Request numbers (G-05, A-01, docs/architecture.md "Request numbers"), on the configured
//! backend: unique under concurrent creation, consecutive when nothing fails, and on
//! PostgreSQL continuing from the `counters` table when the native sequence is first made.

use crate::common::*;
use diesel::RunQueryDsl;
use std::collections::BTreeSet;

fn seq(number: &str) -> u32 {
    number
        .rsplit('-')
        .next()
        .and_then(|s| s.parse().ok())
        .expect("sequence part")
}

#[test]
fn numbers_continue_from_the_counters_table_and_are_unique_under_concurrency() {
    let app = TestApp::spawn_in_clinic_hours();
    let year = chrono::Utc::now().format("%Y").to_string();
    // A database that already numbered 41 requests this year (e.g. before an upgrade).
    app.app
        .store
        .write(|c| {
            diesel::sql_query(format!(
                "INSERT INTO counters (name, value) VALUES ('request:HOM:{year}', 41)"
            ))
            .execute(c)?;
            Ok(())
        })
        .expect("seed counter");
    let token = app.login("aigerim");
    let first = home_call(&app, &token);
    assert_eq!(first, format!("HOM-{year}-000042"));

    // 8 clients × 5 creations at once: 40 distinct numbers, 43..=82 (nothing failed).
    let numbers: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|_| s.spawn(|| (0..5).map(|_| home_call(&app, &token)).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("client"))
            .collect()
    });
    let seqs: BTreeSet<u32> = numbers.iter().map(|n| seq(n)).collect();
    assert_eq!(seqs.len(), 40, "duplicates in {numbers:?}");
    assert_eq!(seqs, (43..=82).collect::<BTreeSet<u32>>(), "{numbers:?}");
    // Each is stored under its number.
    for n in numbers.iter().take(3) {
        let row = app
            .app
            .store
            .read(|c| ruqsat::db::queries::request_by_number(c, n))
            .expect("read");
        assert_eq!(row.map(|r| r.number).as_deref(), Some(n.as_str()));
    }
}
