//! `cargo bench`: request creation + submission over HTTP at 32 concurrent clients on the
//! embedded SQLite, and on PostgreSQL when `DATABASE_URL` is a postgres URL (a scratch
//! database is created and dropped). Same code as `ruqsat bench`. Targets:
//! ≥ 1,500 submissions/s on SQLite, p99 < 25 ms on PostgreSQL, on a 2-core machine.

use diesel::{Connection, PgConnection, RunQueryDsl};

fn main() -> anyhow::Result<()> {
    let clients = 32;
    let pairs = 6000;
    let sqlite = ruqsat::bench::measure(clients, pairs, None, None)?;
    sqlite.print();
    if let Some(admin) = std::env::var("DATABASE_URL")
        .ok()
        .filter(|u| u.starts_with("postgres"))
    {
        let name = format!("ruqsat_bench_{}", std::process::id());
        let mut c = PgConnection::establish(&admin)?;
        diesel::sql_query(format!("CREATE DATABASE {name}")).execute(&mut c)?;
        let mut url = url::Url::parse(&admin)?;
        url.set_path(&format!("/{name}"));
        let pg = ruqsat::bench::measure(clients, pairs, Some(url.to_string()), None);
        let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut c);
        pg?.print();
    }
    Ok(())
}
