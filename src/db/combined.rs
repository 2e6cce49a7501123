//! The hot writes on PostgreSQL, each one statement: creating a request with its first
//! history entry, moving a request with its history entry, and taking a counter's next value.
//!
//! - One statement (a data-modifying `WITH`) is atomic on its own: no `BEGIN`/`COMMIT`, one
//!   round trip instead of four.
//! - Their SQL is fixed text with typed binds, with a static query id, so diesel prepares each
//!   once per connection and PostgreSQL skips parsing and planning afterwards. (diesel never
//!   caches its own `INSERT`s of optional columns or its `UPDATE`s, whose text can vary.)
//! - The row types are destructured in full: a new column fails to compile here, and the
//!   PostgreSQL test suite runs every statement.
//!
//! SQLite has no data-modifying `WITH`; there [`super::queries`] runs the same writes in the
//! caller's transaction (in-process, where round trips cost nothing).

use super::models::{HistoryRow, RequestRow};
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::{BigInt, Bool, Integer, Nullable, Text, Timestamp};
use diesel::{PgConnection, QueryResult, RunQueryDsl};

/// Pushes `$n, $n+1, …` binds separated by commas.
macro_rules! binds {
    ($out:ident; $($ty:ty => $value:expr),+ $(,)?) => {{
        let mut first = true;
        $(
            if !first {
                $out.push_sql(", ");
            }
            first = false;
            $out.push_bind_param::<$ty, _>($value)?;
        )+
        let _ = first;
    }};
}

const HISTORY_COLUMNS: &str = "INSERT INTO request_history (id, request_id, seq, at, actor_id, \
     actor_role, action, from_state, to_state, reason, requirements, data_json) ";

fn push_history<'b>(out: &mut AstPass<'_, 'b, Pg>, h: &'b HistoryRow) -> QueryResult<()> {
    let HistoryRow {
        id,
        request_id,
        seq,
        at,
        actor_id,
        actor_role,
        action,
        from_state,
        to_state,
        reason,
        requirements,
        data_json,
    } = h;
    binds!(out;
        Text => id, Text => request_id, BigInt => seq, Timestamp => at,
        Nullable<Text> => actor_id, Text => actor_role, Text => action,
        Nullable<Text> => from_state, Text => to_state, Nullable<Text> => reason,
        Text => requirements, Nullable<Text> => data_json);
    Ok(())
}

/// `WITH changed AS (INSERT INTO requests …) INSERT INTO request_history …`: a new request and
/// its first history entry, both or neither.
pub struct CreateRequest<'a> {
    pub request: &'a RequestRow,
    pub first: &'a HistoryRow,
}

impl QueryFragment<Pg> for CreateRequest<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        let RequestRow {
            id,
            number,
            service_code,
            service_version,
            variant,
            channel,
            state,
            applicant_kind,
            applicant_iin,
            applicant_bin,
            applicant_name,
            owner_user_id,
            created_by,
            form_json,
            fee_tiyn,
            registered_at,
            due_at,
            extended,
            version,
            created_at,
            updated_at,
            provider_code,
            intake_office,
        } = self.request;
        out.push_sql(
            "WITH changed AS (INSERT INTO requests (id, number, service_code, service_version, \
             variant, channel, state, applicant_kind, applicant_iin, applicant_bin, \
             applicant_name, owner_user_id, created_by, form_json, fee_tiyn, registered_at, \
             due_at, extended, version, created_at, updated_at, provider_code, intake_office) \
             VALUES (",
        );
        binds!(out;
            Text => id, Text => number, Text => service_code, Integer => service_version,
            Text => variant, Text => channel, Text => state, Text => applicant_kind,
            Nullable<Text> => applicant_iin, Nullable<Text> => applicant_bin,
            Text => applicant_name, Nullable<Text> => owner_user_id, Text => created_by,
            Text => form_json, BigInt => fee_tiyn, Nullable<Timestamp> => registered_at,
            Nullable<Timestamp> => due_at, Bool => extended, BigInt => version,
            Timestamp => created_at, Timestamp => updated_at, Text => provider_code,
            Nullable<Text> => intake_office);
        out.push_sql(")) ");
        out.push_sql(HISTORY_COLUMNS);
        out.push_sql("VALUES (");
        push_history(&mut out, self.first)?;
        out.push_sql(")");
        Ok(())
    }
}

/// `WITH changed AS (UPDATE requests … WHERE id = ? AND version = ? RETURNING id)
/// INSERT INTO request_history … SELECT … FROM changed`: the entry is written only when the
/// row moved, and the statement's row count (0 or 1) says whether it did.
pub struct RecordChange<'a> {
    pub next: &'a RequestRow,
    pub entry: &'a HistoryRow,
}

impl QueryFragment<Pg> for RecordChange<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        let next = self.next;
        out.push_sql("WITH changed AS (UPDATE requests SET state = ");
        out.push_bind_param::<Text, _>(&next.state)?;
        out.push_sql(", registered_at = ");
        out.push_bind_param::<Nullable<Timestamp>, _>(&next.registered_at)?;
        out.push_sql(", due_at = ");
        out.push_bind_param::<Nullable<Timestamp>, _>(&next.due_at)?;
        out.push_sql(", extended = ");
        out.push_bind_param::<Bool, _>(&next.extended)?;
        out.push_sql(", version = ");
        out.push_bind_param::<BigInt, _>(&next.version)?;
        out.push_sql(", updated_at = ");
        out.push_bind_param::<Timestamp, _>(&next.updated_at)?;
        out.push_sql(" WHERE id = ");
        out.push_bind_param::<Text, _>(&next.id)?;
        // The version this change was planned on; `- 1` in SQL keeps the bind a plain field.
        out.push_sql(" AND version = ");
        out.push_bind_param::<BigInt, _>(&next.version)?;
        out.push_sql(" - 1 RETURNING id) ");
        out.push_sql(HISTORY_COLUMNS);
        out.push_sql("SELECT ");
        push_history(&mut out, self.entry)?;
        out.push_sql(" FROM changed");
        Ok(())
    }
}

/// `SELECT nextval(to_regclass($1))`: NULL (not an error, which would abort a surrounding
/// transaction) while the sequence does not exist yet.
pub struct NextVal<'a>(pub &'a str);

impl QueryFragment<Pg> for NextVal<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("SELECT nextval(to_regclass(");
        out.push_bind_param::<Text, _>(&self.0)?;
        out.push_sql("))");
        Ok(())
    }
}

impl diesel::query_builder::Query for NextVal<'_> {
    type SqlType = Nullable<BigInt>;
}

macro_rules! static_statement {
    ($($name:ident),+) => {$(
        impl QueryId for $name<'_> {
            type QueryId = $name<'static>;
            const HAS_STATIC_QUERY_ID: bool = true;
        }
        impl RunQueryDsl<PgConnection> for $name<'_> {}
    )+};
}

static_statement!(CreateRequest, RecordChange, NextVal);
