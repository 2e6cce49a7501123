//! Listings: keyset pages by cursor, counts capped at 1,000, and staff work queues in due
//! order across the two slices a provider sees (its decisions and its office's intake).

use crate::common::*;
use chrono::{Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use ruqsat::db::queries;
use ruqsat::db::schema::requests;
use ruqsat::domain::ids::RequestId;
use ruqsat::domain::lifecycle::State;
use serde_json::Value;

fn page(app: &TestApp, token: &str, path: &str) -> Value {
    let r = app.get(token, path);
    assert_eq!(r.status(), 200, "{path}");
    r.json().expect("json")
}

fn numbers(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["number"].as_str().expect("number").to_string())
        .collect()
}

/// Every number of a listing, page by page; asserts each page's size.
fn walk(app: &TestApp, token: &str, query: &str, limit: usize) -> Vec<String> {
    walk_from(app, token, query, limit, None)
}

/// [`walk`] from a cursor.
fn walk_from(
    app: &TestApp,
    token: &str,
    query: &str,
    limit: usize,
    mut cursor: Option<String>,
) -> Vec<String> {
    let mut all = Vec::new();
    for _ in 0..100 {
        let path = match &cursor {
            Some(c) => format!("/api/v1/requests?{query}&limit={limit}&cursor={c}"),
            None => format!("/api/v1/requests?{query}&limit={limit}"),
        };
        let p = page(app, token, &path);
        let got = numbers(&p);
        assert!(got.len() <= limit, "{p}");
        all.extend(got);
        match p["next_cursor"].as_str() {
            Some(c) => {
                assert_eq!(p["items"].as_array().map(Vec::len), Some(limit), "{p}");
                cursor = Some(c.to_string());
            }
            None => return all,
        }
    }
    panic!("more than 100 pages");
}

#[test]
fn pages_follow_by_cursor_without_gaps_or_repeats() {
    let app = TestApp::spawn_in_clinic_hours();
    let aigerim = app.login("aigerim");
    let mut made: Vec<String> = (0..7).map(|_| home_call(&app, &aigerim)).collect();
    let first = page(&app, &aigerim, "/api/v1/requests?limit=3");
    assert_eq!(first["total"], 7);
    assert_eq!(first["total_exact"], true);
    assert!(first.get("offset").is_none(), "{first}");
    // A request created between pages is newer than the cursor: later pages neither repeat
    // a row nor skip one.
    let newer = home_call(&app, &aigerim);
    let cursor = first["next_cursor"].as_str().expect("cursor");
    let mut seen = numbers(&first);
    let rest = walk_from(
        &app,
        &aigerim,
        "service=doctor-home-call",
        3,
        Some(cursor.to_string()),
    );
    seen.extend(rest);
    made.reverse();
    assert_eq!(seen, made, "newest first, each once");
    assert!(!seen.contains(&newer));
    // From the start again, the new one leads.
    assert_eq!(
        walk(&app, &aigerim, "service=doctor-home-call", 5)[0],
        newer
    );
}

#[test]
fn offsets_and_foreign_cursors_are_refused() {
    let app = TestApp::spawn_in_clinic_hours();
    let aigerim = app.login("aigerim");
    for _ in 0..3 {
        home_call(&app, &aigerim);
    }
    assert_error(
        app.get(&aigerim, "/api/v1/requests?limit=2&offset=0"),
        400,
        "OFFSET_NOT_SUPPORTED",
    );
    for bad in ["x", "%21%21", "bi4xMjM", &"A".repeat(300)] {
        assert_error(
            app.get(&aigerim, &format!("/api/v1/requests?cursor={bad}")),
            400,
            "INVALID_CURSOR",
        );
    }
    // A cursor of the newest-first listing does not continue a queue.
    let p = page(&app, &aigerim, "/api/v1/requests?limit=1");
    let cursor = p["next_cursor"].as_str().expect("cursor");
    assert_error(
        app.get(
            &aigerim,
            &format!("/api/v1/requests?queue=true&cursor={cursor}"),
        ),
        400,
        "INVALID_CURSOR",
    );
    assert_error(
        app.get(&aigerim, "/api/v1/requests?limit=501"),
        400,
        "BAD_REQUEST",
    );
}

fn pick(numbers: &[String], at: &[usize]) -> Vec<String> {
    at.iter().map(|i| numbers[*i].clone()).collect()
}

/// Moves a request into a given provider, office, state and due date.
fn place(
    app: &TestApp,
    number: &str,
    provider: &str,
    intake: Option<&str>,
    state: State,
    due: Option<NaiveDateTime>,
) {
    app.app
        .store
        .write(|c| {
            diesel::update(requests::table.filter(requests::number.eq(number)))
                .set((
                    requests::provider_code.eq(provider),
                    requests::intake_office.eq(intake),
                    requests::state.eq(state),
                    requests::due_at.eq(due),
                ))
                .execute(c)?;
            Ok(())
        })
        .expect("update");
}

#[test]
fn a_staff_queue_merges_decisions_and_intake_earliest_due_first() {
    // G-22, G-35: officials work their requests by due date, the overdue ones first.
    let app = TestApp::spawn_in_clinic_hours();
    let aigerim = app.login("aigerim");
    let r: Vec<String> = (0..9).map(|_| home_call(&app, &aigerim)).collect();
    let now = Utc::now().naive_utc();
    let d = |days: i64| Some(now + Duration::days(days));
    let (own, other) = ("shymkent-employment", "sairam-employment");
    place(&app, &r[0], own, None, State::Registered, d(-2));
    place(&app, &r[1], own, None, State::UnderReview, d(5));
    place(&app, &r[2], other, Some(own), State::Registered, d(-1));
    place(&app, &r[3], other, Some(own), State::UnderReview, d(1));
    place(&app, &r[4], other, None, State::Registered, d(-3));
    place(&app, &r[5], own, None, State::Approved, d(-10));
    place(&app, &r[6], own, None, State::Submitted, None);
    // Decided by the provider and taken in by its own office: in both slices, listed once.
    place(&app, &r[7], own, Some(own), State::Registered, d(2));
    let mio = app.login("mio");
    let queue = walk(&app, &mio, "queue=true", 2);
    assert_eq!(queue, pick(&r, &[0, 2, 3, 7, 1]));
    let p = page(&app, &mio, "/api/v1/requests?queue=true");
    assert_eq!(
        (p["total"].as_i64(), p["total_exact"].as_bool()),
        (Some(5), Some(true))
    );
    assert_eq!(walk(&app, &mio, "overdue=true", 1), pick(&r, &[0, 2]));
    // Newest first: everything the provider decides or its office took in.
    let newest = walk(&app, &mio, "service=doctor-home-call", 3);
    assert_eq!(newest, pick(&r, &[7, 6, 5, 3, 2, 1, 0]));
    // An administrator's overdue list spans providers.
    let admin = app.login("admin");
    assert_eq!(walk(&app, &admin, "overdue=true", 2), pick(&r, &[4, 0, 2]));
}

#[test]
fn counts_stop_at_one_thousand() {
    let app = TestApp::spawn_in_clinic_hours();
    let aigerim = app.login("aigerim");
    let number = home_call(&app, &aigerim);
    let template = app
        .app
        .store
        .read(|c| queries::request_by_number(c, &number))
        .expect("read")
        .expect("row");
    let rows: Vec<_> = (0..1_004)
        .map(|i| {
            let mut row = template.clone();
            row.id = RequestId::generate();
            row.number = format!("BULK-{i:05}");
            row.created_at -= Duration::seconds(i + 1);
            row
        })
        .collect();
    let bulk = queries::Bulk {
        requests: rows,
        ..queries::Bulk::default()
    };
    app.app
        .store
        .write(|c| queries::bulk_insert(c, &bulk))
        .expect("bulk insert");
    let p = page(&app, &aigerim, "/api/v1/requests?limit=500");
    assert_eq!(p["total"], 1000);
    assert_eq!(p["total_exact"], false, "1,005 match: more than the cap");
    let all = walk(&app, &aigerim, "service=doctor-home-call", 500);
    assert_eq!(all.len(), 1_005);
    assert_eq!(all[0], number);
    let p = page(&app, &aigerim, "/api/v1/requests?state=submitted");
    assert_eq!(
        (p["total"].as_i64(), p["total_exact"].as_bool()),
        (Some(0), Some(true))
    );
}
