//! One state change = the request's next version and its history entry, both or neither
//! (G-04: every transition goes to an append-only history), on the configured backend. On PostgreSQL the
//! two are one statement (`src/db/combined.rs`); these tests pin what that must keep:
//! a stale version writes nothing, a failing history entry leaves the request unmoved, and
//! concurrent transitions on one request behave as if they ran one after another.

use crate::common::*;
use ruqsat::db::models::{HistoryRow, RequestRow};
use ruqsat::db::queries;
use ruqsat::domain::lifecycle::State;
use serde_json::Value;

fn stored(app: &TestApp, number: &str) -> (RequestRow, Vec<HistoryRow>) {
    app.app
        .store
        .read(|c| {
            let r = queries::request_by_number(c, number)?.expect("request stored");
            let h = queries::history_of(c, &r.id)?;
            Ok((r, h))
        })
        .expect("read back")
}

/// The next version of `req` with a history entry, as the engine would write it.
fn moved(req: &RequestRow, history_id: &str, to: State) -> (RequestRow, HistoryRow) {
    let next = RequestRow {
        state: to,
        version: req.version + 1,
        ..req.clone()
    };
    let entry = HistoryRow {
        id: history_id.to_string(),
        request_id: req.id.clone(),
        seq: req.version + 1,
        at: req.updated_at,
        actor_id: None,
        actor_role: "system".into(),
        action: "test_move".into(),
        from_state: Some(req.state),
        to_state: to,
        reason: None,
        requirements: "G-04".into(),
        data_json: None,
    };
    (next, entry)
}

// G-04: a change is recorded with its history entry, or not at all.
#[test]
fn a_change_is_written_with_its_history_entry_or_not_at_all() {
    let app = TestApp::spawn_in_clinic_hours();
    let token = app.login("aigerim");
    let number = home_call(&app, &token);
    let (created, history) = stored(&app, &number);
    assert_eq!(created.version, 1);
    assert_eq!(history.len(), 1, "creation writes the first entry");
    assert_eq!(history[0].action, "create");
    assert_eq!(history[0].seq, 1);

    // The current version: both rows are written.
    let (next, entry) = moved(
        &created,
        &uuid::Uuid::now_v7().to_string(),
        State::Submitted,
    );
    app.app
        .store
        .record_change(&next, &entry)
        .expect("change at the current version");
    let (row, history) = stored(&app, &number);
    assert_eq!((row.version, row.state.as_str()), (2, "submitted"));
    assert_eq!(history.len(), 2);
    assert_eq!(history[1].id, entry.id);
    assert_eq!(history[1].seq, 2);

    // A stale version (someone moved the request since it was read): nothing is written.
    let (stale, stale_entry) = moved(
        &created,
        &uuid::Uuid::now_v7().to_string(),
        State::Withdrawn,
    );
    let err = app
        .app
        .store
        .record_change(&stale, &stale_entry)
        .expect_err("stale version");
    assert_eq!(err.code.as_str(), "CONCURRENT_UPDATE");
    let (row, history) = stored(&app, &number);
    assert_eq!((row.version, row.state.as_str()), (2, "submitted"));
    assert_eq!(
        history.len(),
        2,
        "no entry for a change that did not happen"
    );

    // The entry cannot be written (its id is taken): the request does not move either.
    let (next, clash) = moved(&row, &entry.id, State::Withdrawn);
    app.app
        .store
        .record_change(&next, &clash)
        .expect_err("history id already used");
    let (row, history) = stored(&app, &number);
    assert_eq!((row.version, row.state.as_str()), (2, "submitted"));
    assert_eq!(history.len(), 2);

    // History sequence numbers follow the versions: 1..=version, no gaps.
    let seqs: Vec<i64> = history.iter().map(|h| h.seq).collect();
    assert_eq!(seqs, (1..=row.version).collect::<Vec<_>>());
}

// G-04: concurrent calls on one request are serialised by the version check; the losers are
// planned again on the new state and get the domain's answer, never a lost or double step.
#[test]
fn concurrent_transitions_on_one_request_take_effect_once() {
    let app = TestApp::spawn_in_clinic_hours();
    let token = app.login("aigerim");
    let number = home_call(&app, &token);
    let answers: Vec<(u16, Value)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                s.spawn(|| {
                    let r = app.transition(&token, &number, "submit", None);
                    let status = r.status().as_u16();
                    (status, r.json::<Value>().expect("json"))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("client"))
            .collect()
    });
    let ok = answers.iter().filter(|(s, _)| *s == 200).count();
    assert_eq!(ok, 1, "exactly one submission succeeds: {answers:?}");
    for (status, body) in answers.iter().filter(|(s, _)| *s != 200) {
        assert_eq!(
            body["error"]["code"], "ILLEGAL_TRANSITION",
            "a later call sees the submitted request ({status}): {body}"
        );
    }
    let (row, history) = stored(&app, &number);
    let submits = history.iter().filter(|h| h.action == "submit").count();
    assert_eq!(submits, 1, "{history:?}");
    assert_eq!(row.version, history.len() as i64);
    let seqs: Vec<i64> = history.iter().map(|h| h.seq).collect();
    assert_eq!(seqs, (1..=row.version).collect::<Vec<_>>());
}

fn stored_count(app: &TestApp) -> i64 {
    app.app
        .store
        .read(|c| {
            use diesel::prelude::*;
            Ok(ruqsat::db::schema::requests::table
                .count()
                .get_result::<i64>(c)?)
        })
        .expect("count")
}

/// Ends every other session on the application's PostgreSQL database, as a server restart
/// or a failover would.
fn terminate_pool_connections(app: &TestApp) -> usize {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct Ended {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        ended: bool,
    }
    let mut c =
        diesel::PgConnection::establish(&app.app.config.database_url).expect("own connection");
    let ended: Vec<Ended> = diesel::sql_query(
        "SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity \
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    .load(&mut c)
    .expect("terminate");
    ended.iter().filter(|e| e.ended).count()
}

// The pool checks a connection before use unless it came back well within the last second
// (src/db/mod.rs, `Manager`). When the server drops every connection: idle ones are replaced
// before use (no error at all); hot ones fail at most the one use that finds out, with an
// error answer and nothing written, and are replaced before their next.
#[test]
fn dropped_database_connections_are_replaced_and_nothing_is_half_written() {
    // SQLite has no server to drop connections.
    if !require_backend("postgres") {
        return;
    }
    let app = TestApp::spawn_in_clinic_hours();
    let token = app.login("aigerim");
    home_call(&app, &token);

    // Idle for longer than the fresh window: every connection is checked, none fails.
    assert!(
        terminate_pool_connections(&app) > 0,
        "the pool had sessions"
    );
    std::thread::sleep(std::time::Duration::from_millis(1_500));
    for _ in 0..10 {
        home_call(&app, &token);
    }
    assert_eq!(stored_count(&app), 11);

    // Hot: the next uses may find dead connections; each such use fails once, cleanly.
    assert!(terminate_pool_connections(&app) > 0);
    let (mut created, mut failed, mut streak) = (0, 0, 0);
    while streak < 10 {
        let r = app.post(&token, "/api/v1/requests", &home_call_body());
        if r.status() == 201 {
            created += 1;
            streak += 1;
        } else {
            // An error answer in the usual envelope (code, ru/kk/en), never a hang.
            assert_error(r, 500, "INTERNAL");
            failed += 1;
            streak = 0;
            assert!(
                failed <= 8,
                "a dead connection must not be handed out twice"
            );
        }
    }
    assert_eq!(
        stored_count(&app),
        11 + created,
        "every answered creation is stored, no failed one is"
    );
}
