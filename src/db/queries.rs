//! Every query Ruqsat runs. Functions take a connection so that callers compose them
//! inside one [`super::Store::write`] transaction.

use super::models::*;
use super::schema::*;
use super::DbConnection;
use crate::domain::channels::ChannelCode;
use crate::domain::documents::DocumentStatus;
use crate::domain::identity::Iin;
use crate::domain::ids::{DocumentId, RequestId, UserId};
use crate::domain::lifecycle::State;
use crate::domain::outbox::OutboxStatus;
use crate::domain::roles::Role;
use crate::error::{AppError, ErrorCode};
use crate::payments::PaymentStatus;
use chrono::NaiveDateTime;
use diesel::prelude::*;

type R<T> = Result<T, AppError>;

// ---- users and sessions ----------------------------------------------------------------

pub fn insert_user(c: &mut DbConnection, u: &UserRow) -> R<()> {
    diesel::insert_into(users::table).values(u).execute(c)?;
    Ok(())
}

pub fn user_by_login(c: &mut DbConnection, login: &str) -> R<Option<UserRow>> {
    Ok(users::table
        .filter(users::login.eq(login))
        .select(UserRow::as_select())
        .first(c)
        .optional()?)
}

pub fn user_by_id(c: &mut DbConnection, id: &UserId) -> R<Option<UserRow>> {
    Ok(users::table
        .find(id)
        .select(UserRow::as_select())
        .first(c)
        .optional()?)
}

/// The applicant account holding this IIN, if any (links desk requests to the portal cabinet).
pub fn applicant_by_iin(c: &mut DbConnection, iin: &Iin) -> R<Option<UserRow>> {
    Ok(users::table
        .filter(users::iin.eq(iin))
        .filter(users::role.eq(Role::Applicant))
        .select(UserRow::as_select())
        .first(c)
        .optional()?)
}

pub fn all_users(c: &mut DbConnection) -> R<Vec<UserRow>> {
    Ok(users::table
        .order(users::login.asc())
        .select(UserRow::as_select())
        .load(c)?)
}

/// Writes an account's role, provider and active flag.
pub fn update_account(c: &mut DbConnection, u: &UserRow) -> R<()> {
    diesel::update(users::table.find(&u.id))
        .set((
            users::role.eq(u.role),
            users::provider_code.eq(&u.provider_code),
            users::active.eq(u.active),
        ))
        .execute(c)?;
    Ok(())
}

pub fn count_users(c: &mut DbConnection) -> R<i64> {
    Ok(users::table.count().get_result(c)?)
}

pub fn insert_session(c: &mut DbConnection, s: &SessionRow) -> R<()> {
    diesel::insert_into(sessions::table).values(s).execute(c)?;
    Ok(())
}

/// The active user of a live session.
pub fn session_user(
    c: &mut DbConnection,
    token_hash: &str,
    now: NaiveDateTime,
) -> R<Option<UserRow>> {
    Ok(sessions::table
        .inner_join(users::table)
        .filter(sessions::token_hash.eq(token_hash))
        .filter(sessions::expires_at.gt(now))
        .filter(users::active.eq(true))
        .select(UserRow::as_select())
        .first(c)
        .optional()?)
}

/// Deletes sessions that expired before `now`; returns how many.
pub fn purge_expired_sessions(c: &mut DbConnection, now: NaiveDateTime) -> R<usize> {
    Ok(diesel::delete(sessions::table.filter(sessions::expires_at.le(now))).execute(c)?)
}

/// Deletes every session of a user (on disabling the account).
pub fn delete_sessions_of(c: &mut DbConnection, user: &UserId) -> R<usize> {
    Ok(diesel::delete(sessions::table.filter(sessions::user_id.eq(user))).execute(c)?)
}

/// The throttle records of `keys` (absent keys have none).
pub fn throttle_rows(c: &mut DbConnection, keys: &[String]) -> R<Vec<ThrottleRow>> {
    Ok(login_throttle::table
        .filter(login_throttle::key.eq_any(keys))
        .select(ThrottleRow::as_select())
        .load(c)?)
}

/// Writes a key's record (insert or replace).
pub fn put_throttle(c: &mut DbConnection, row: &ThrottleRow) -> R<()> {
    let updated = diesel::update(login_throttle::table.find(&row.key))
        .set(row)
        .execute(c)?;
    if updated == 0 {
        diesel::insert_into(login_throttle::table)
            .values(row)
            .execute(c)?;
    }
    Ok(())
}

pub fn clear_throttle(c: &mut DbConnection, key: &str) -> R<()> {
    diesel::delete(login_throttle::table.find(key)).execute(c)?;
    Ok(())
}

pub fn delete_session(c: &mut DbConnection, token_hash: &str) -> R<()> {
    diesel::delete(sessions::table.find(token_hash)).execute(c)?;
    Ok(())
}

// ---- counters ----------------------------------------------------------------------------

/// Next value of a named sequence, starting at 1; unique and never reused, not gapless.
///
/// PostgreSQL: a native `SEQUENCE` per name (created on first use, continuing from the
/// `counters` table if that already has a value). `nextval` takes no row lock and is not
/// rolled back, so concurrent creations never queue on a counter row while its holder
/// commits (which made one creation wait for another's WAL flush). SQLite: one atomic
/// upsert on `counters` inside the caller's write transaction (writers are serialised).
pub fn next_counter(c: &mut DbConnection, name: &str) -> R<i64> {
    #[derive(diesel::QueryableByName)]
    struct Next {
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::BigInt>)]
        value: Option<i64>,
    }
    match c {
        DbConnection::Pg(pg) => {
            let seq = sequence_name(name);
            let next = |pg: &mut diesel::PgConnection| -> R<Option<i64>> {
                Ok(super::combined::NextVal(&seq).get_result(pg)?)
            };
            if let Some(v) = next(pg)? {
                return Ok(v);
            }
            let existing: Option<i64> = counters::table
                .find(name)
                .select(counters::value)
                .first(pg)
                .optional()?;
            // Concurrent `CREATE SEQUENCE IF NOT EXISTS` can still collide in the catalog;
            // an advisory lock (held to the end of the creating transaction) serialises them.
            diesel::sql_query(format!(
                "DO $$ BEGIN PERFORM pg_advisory_xact_lock({SEQUENCE_DDL_LOCK}); \
                 CREATE SEQUENCE IF NOT EXISTS {seq} START WITH {}; END $$",
                existing.unwrap_or(0) + 1
            ))
            .execute(pg)?;
            next(pg)?.ok_or_else(|| AppError::internal(format!("sequence {seq} not created")))
        }
        DbConnection::Sqlite(sq) => {
            let n: Next = diesel::sql_query(
                "INSERT INTO counters (name, value) VALUES (?, 1) \
                 ON CONFLICT (name) DO UPDATE SET value = counters.value + 1 RETURNING value",
            )
            .bind::<diesel::sql_types::Text, _>(name)
            .get_result(sq)?;
            n.value
                .ok_or_else(|| AppError::internal(format!("counter {name} without value")))
        }
    }
}

/// Advisory lock key serialising the creation of counter sequences ("ruqsat" in ASCII).
const SEQUENCE_DDL_LOCK: i64 = 0x72_75_71_73_61_74;

/// A PostgreSQL identifier for a counter name: `ruqsat_seq_` + the name's letters and digits
/// (lower case, others as `_`, at most 32) + 8 hex digits of its SHA-256, so that two names
/// never share a sequence. Only `[a-z0-9_]`: safe to put in SQL text.
pub fn sequence_name(name: &str) -> String {
    use sha2::Digest;
    let readable: String = name
        .chars()
        .map(|ch| {
            if ch.is_ascii_alphanumeric() {
                ch.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .take(32)
        .collect();
    let digest = sha2::Sha256::digest(name.as_bytes());
    let hash: String = digest[..4].iter().map(|b| format!("{b:02x}")).collect();
    format!("ruqsat_seq_{readable}_{hash}")
}

// ---- requests ----------------------------------------------------------------------------

/// Writes a new request and its first history entry (seq 1), both or neither. PostgreSQL:
/// one statement ([`super::combined`]); SQLite: two, in the caller's transaction.
pub fn insert_request(c: &mut DbConnection, r: &RequestRow, first: &HistoryRow) -> R<()> {
    match c {
        DbConnection::Pg(pg) => {
            super::combined::CreateRequest { request: r, first }.execute(pg)?;
        }
        DbConnection::Sqlite(sq) => {
            diesel::insert_into(requests::table).values(r).execute(sq)?;
            diesel::insert_into(request_history::table)
                .values(first)
                .execute(sq)?;
        }
    }
    Ok(())
}

pub fn request_by_id(c: &mut DbConnection, id: &RequestId) -> R<Option<RequestRow>> {
    Ok(requests::table
        .find(id)
        .select(RequestRow::as_select())
        .first(c)
        .optional()?)
}

pub fn request_by_number(c: &mut DbConnection, number: &str) -> R<Option<RequestRow>> {
    Ok(requests::table
        .filter(requests::number.eq(number))
        .select(RequestRow::as_select())
        .first(c)
        .optional()?)
}

/// Records one state change: stores `next`, the request's next version (its state,
/// registration, due date and extension), and appends `entry` to its history, both or
/// neither, if nobody else moved the request first (optimistic concurrency): the row must
/// still be at `next.version - 1`, else `CONCURRENT_UPDATE` and nothing is written.
///
/// PostgreSQL: one statement, `WITH changed AS (UPDATE … RETURNING) INSERT … SELECT … FROM
/// changed` ([`super::combined`]), atomic without a transaction around it. SQLite: the
/// update, then the insert, in the caller's transaction.
pub fn record_change(c: &mut DbConnection, next: &RequestRow, entry: &HistoryRow) -> R<()> {
    let moved = match c {
        DbConnection::Pg(pg) => super::combined::RecordChange { next, entry }.execute(pg)?,
        DbConnection::Sqlite(sq) => {
            let n = diesel::update(
                requests::table
                    .filter(requests::id.eq(&next.id))
                    .filter(requests::version.eq(next.version - 1)),
            )
            .set((
                requests::state.eq(&next.state),
                requests::registered_at.eq(next.registered_at),
                requests::due_at.eq(next.due_at),
                requests::extended.eq(next.extended),
                requests::version.eq(next.version),
                requests::updated_at.eq(next.updated_at),
            ))
            .execute(sq)?;
            if n == 1 {
                diesel::insert_into(request_history::table)
                    .values(entry)
                    .execute(sq)?;
            }
            n
        }
    };
    if moved == 1 {
        Ok(())
    } else {
        Err(AppError::new(ErrorCode::ConcurrentUpdate))
    }
}

/// Who may see which requests in a listing.
pub enum Visibility {
    All,
    /// An applicant: own requests only.
    Owner(UserId),
    /// Staff: requests their provider decides or their office took in; none without a
    /// provider.
    Staff {
        provider: Option<String>,
    },
}

pub struct ListFilter {
    pub visibility: Visibility,
    pub service: Option<String>,
    pub state: Option<State>,
    pub channel: Option<ChannelCode>,
    pub applicant: Option<String>,
    /// Only requests awaiting a decision (registered, under review): a work queue, earliest
    /// due date first, so overdue requests lead.
    pub awaiting: bool,
    /// Only those past due at this time (implies `awaiting`; the overdue list).
    pub overdue_at: Option<NaiveDateTime>,
    /// The page starts after this row (keyset pagination); the first page when `None`.
    pub after: Option<Keyset>,
    pub limit: i64,
}

/// How a listing is ordered; its cursor carries the same key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListOrder {
    /// Creation time descending, then number descending.
    Newest,
    /// Due date ascending, then number ascending (requests without a due date are left out).
    DueFirst,
}

impl ListOrder {
    /// A row's sort key in this order (`None`: a request without a due date, never in a
    /// due-date listing); the number breaks ties.
    pub fn key(self, r: &RequestRow) -> Option<NaiveDateTime> {
        match self {
            ListOrder::Newest => Some(r.created_at),
            ListOrder::DueFirst => r.due_at,
        }
    }
}

impl ListFilter {
    pub fn order(&self) -> ListOrder {
        if self.awaiting || self.overdue_at.is_some() {
            ListOrder::DueFirst
        } else {
            ListOrder::Newest
        }
    }
}

/// A position in a listing: the sort key and the number of the last row shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keyset {
    pub at: NaiveDateTime,
    pub number: String,
}

/// Listings count matching rows up to this many; beyond it they say "more than".
pub const COUNT_CAP: i64 = 1000;

pub struct ListPage {
    pub rows: Vec<RequestRow>,
    /// More rows follow the last one.
    pub more: bool,
    /// Matching requests, at most [`COUNT_CAP`].
    pub total: i64,
    /// `false`: more than `total` requests match.
    pub total_exact: bool,
}

/// One index-ordered slice of a listing. Staff see two: requests their provider decides,
/// and requests their office took in for another provider. Each is served by its own index
/// in the listing's order, so a page never sorts or counts the whole table.
enum Branch<'a> {
    All,
    Owner(&'a UserId),
    Provider(&'a str),
    IntakeFor(&'a str),
}

/// Requests awaiting a decision (registered, under review): the work queue and the overdue
/// list. Literal SQL, word for word the predicate of the partial indexes that serve those
/// lists (migration `000015_listing_indexes`): a planner uses a partial index only when the
/// query states its predicate, and a bound parameter would not (SQLite).
pub const AWAITING_SQL: &str = "state IN ('registered', 'under_review')";

type RequestQuery<'a> = requests::BoxedQuery<'a, <DbConnection as diesel::Connection>::Backend>;

fn branch_query<'a>(f: &'a ListFilter, branch: &Branch<'a>) -> RequestQuery<'a> {
    let mut q = requests::table.into_boxed();
    q = match branch {
        Branch::All => q,
        Branch::Owner(uid) => q.filter(requests::owner_user_id.eq(*uid)),
        Branch::Provider(p) => q.filter(requests::provider_code.eq(*p)),
        // Stated as a comparison of the two columns, the predicate of the partial indexes
        // over intake for other providers.
        Branch::IntakeFor(p) => q
            .filter(requests::intake_office.eq(*p))
            .filter(requests::intake_office.ne(requests::provider_code.nullable())),
    };
    if let Some(s) = &f.service {
        q = q.filter(requests::service_code.eq(s));
    }
    if let Some(s) = &f.state {
        q = q.filter(requests::state.eq(*s));
    }
    if let Some(ch) = &f.channel {
        q = q.filter(requests::channel.eq(*ch));
    }
    if let Some(a) = &f.applicant {
        q = q.filter(
            requests::applicant_iin
                .eq(a)
                .or(requests::applicant_bin.eq(a)),
        );
    }
    if f.order() == ListOrder::DueFirst {
        q = q
            .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(AWAITING_SQL))
            .filter(requests::due_at.is_not_null());
    }
    if let Some(now) = f.overdue_at {
        q = q.filter(requests::due_at.lt(now));
    }
    q
}

/// A page of requests in the filter's order, after its cursor, with a capped count.
pub fn list_requests(c: &mut DbConnection, f: &ListFilter) -> R<ListPage> {
    let branches: Vec<Branch<'_>> = match &f.visibility {
        Visibility::All => vec![Branch::All],
        Visibility::Owner(uid) => vec![Branch::Owner(uid)],
        Visibility::Staff { provider: None } => Vec::new(),
        Visibility::Staff { provider: Some(p) } => vec![Branch::Provider(p), Branch::IntakeFor(p)],
    };
    let order = f.order();
    let mut rows: Vec<RequestRow> = Vec::new();
    let mut total = 0i64;
    for b in &branches {
        let mut q = branch_query(f, b);
        q = match (order, &f.after) {
            (_, None) => q,
            (ListOrder::Newest, Some(k)) => q.filter(requests::created_at.le(k.at)).filter(
                requests::created_at
                    .lt(k.at)
                    .or(requests::number.lt(k.number.clone())),
            ),
            (ListOrder::DueFirst, Some(k)) => q.filter(requests::due_at.ge(k.at)).filter(
                requests::due_at
                    .gt(k.at)
                    .or(requests::number.gt(k.number.clone())),
            ),
        };
        q = match order {
            ListOrder::Newest => q.order((requests::created_at.desc(), requests::number.desc())),
            ListOrder::DueFirst => q.order((requests::due_at.asc(), requests::number.asc())),
        };
        rows.extend(
            q.limit(f.limit + 1)
                .select(RequestRow::as_select())
                .load(c)?,
        );
        // Counting stops at the cap: the index range is walked at most that far. No column
        // is read, so PostgreSQL may answer from the index alone.
        let ones: Vec<i32> = branch_query(f, b)
            .select(diesel::dsl::sql::<diesel::sql_types::Integer>("1"))
            .limit(COUNT_CAP + 1)
            .load(c)?;
        total += ones.len() as i64;
    }
    if branches.len() > 1 {
        rows.sort_by(|a, b| {
            let ascending = (order.key(a), &a.number).cmp(&(order.key(b), &b.number));
            match order {
                ListOrder::Newest => ascending.reverse(),
                ListOrder::DueFirst => ascending,
            }
        });
    }
    let limit = usize::try_from(f.limit).unwrap_or(0);
    let more = rows.len() > limit;
    rows.truncate(limit);
    Ok(ListPage {
        rows,
        more,
        total: total.min(COUNT_CAP),
        total_exact: total <= COUNT_CAP,
    })
}

// ---- history -----------------------------------------------------------------------------

pub fn history_of(c: &mut DbConnection, request_id: &RequestId) -> R<Vec<HistoryRow>> {
    Ok(request_history::table
        .filter(request_history::request_id.eq(request_id))
        .order(request_history::seq.asc())
        .select(HistoryRow::as_select())
        .load(c)?)
}

/// A request's history in order, each entry with its actor's full name (one query: the
/// users are joined, not read one by one). `None` for a system step or a deleted account.
pub fn history_with_names(
    c: &mut DbConnection,
    request_id: &RequestId,
) -> R<Vec<(HistoryRow, Option<String>)>> {
    Ok(request_history::table
        .left_join(users::table.on(users::id.nullable().eq(request_history::actor_id)))
        .filter(request_history::request_id.eq(request_id))
        .order(request_history::seq.asc())
        .select((HistoryRow::as_select(), users::full_name.nullable()))
        .load(c)?)
}

/// The requests with these ids, in no particular order.
pub fn requests_by_ids(c: &mut DbConnection, ids: &[RequestId]) -> R<Vec<RequestRow>> {
    Ok(requests::table
        .filter(requests::id.eq_any(ids))
        .select(RequestRow::as_select())
        .load(c)?)
}

/// The histories of these requests, each in order.
pub fn histories_of(c: &mut DbConnection, ids: &[RequestId]) -> R<Vec<HistoryRow>> {
    Ok(request_history::table
        .filter(request_history::request_id.eq_any(ids))
        .order((
            request_history::request_id.asc(),
            request_history::seq.asc(),
        ))
        .select(HistoryRow::as_select())
        .load(c)?)
}

/// One entry of a request's history by its sequence number (1 is the creation).
pub fn history_entry(
    c: &mut DbConnection,
    request_id: &RequestId,
    seq: i64,
) -> R<Option<HistoryRow>> {
    Ok(request_history::table
        .filter(request_history::request_id.eq(request_id))
        .filter(request_history::seq.eq(seq))
        .select(HistoryRow::as_select())
        .first(c)
        .optional()?)
}

// ---- attachments -------------------------------------------------------------------------

pub fn insert_attachment(c: &mut DbConnection, a: &AttachmentRow) -> R<()> {
    diesel::insert_into(attachments::table)
        .values(a)
        .execute(c)?;
    Ok(())
}

pub fn attachments_of(c: &mut DbConnection, request_id: &RequestId) -> R<Vec<AttachmentRow>> {
    Ok(attachments::table
        .filter(attachments::request_id.eq(request_id))
        .order((attachments::created_at.asc(), attachments::id.asc()))
        .select(AttachmentRow::as_select())
        .load(c)?)
}

/// A request and its attachments (oldest first), by number, in one query.
pub fn request_with_attachments(
    c: &mut DbConnection,
    number: &str,
) -> R<Option<(RequestRow, Vec<AttachmentRow>)>> {
    let rows: Vec<(RequestRow, Option<AttachmentRow>)> = requests::table
        .left_join(attachments::table)
        .filter(requests::number.eq(number))
        .order((attachments::created_at.asc(), attachments::id.asc()))
        .select((
            RequestRow::as_select(),
            Option::<AttachmentRow>::as_select(),
        ))
        .load(c)?;
    let mut rows = rows.into_iter();
    Ok(rows.next().map(|(request, first)| {
        let attachments = first
            .into_iter()
            .chain(rows.filter_map(|(_, a)| a))
            .collect();
        (request, attachments)
    }))
}

// ---- signatures --------------------------------------------------------------------------

pub fn insert_signature(c: &mut DbConnection, s: &SignatureRow) -> R<()> {
    diesel::insert_into(signatures::table)
        .values(s)
        .execute(c)?;
    Ok(())
}

/// A request's verified signatures, oldest first, each with the signing account's full name.
pub fn signatures_with_names(
    c: &mut DbConnection,
    request_id: &RequestId,
) -> R<Vec<(SignatureRow, Option<String>)>> {
    Ok(signatures::table
        .left_join(users::table.on(users::id.eq(signatures::signer_user_id)))
        .filter(signatures::request_id.eq(request_id))
        .order(signatures::verified_at.asc())
        .select((SignatureRow::as_select(), users::full_name.nullable()))
        .load(c)?)
}

pub fn signatures_of(c: &mut DbConnection, request_id: &RequestId) -> R<Vec<SignatureRow>> {
    Ok(signatures::table
        .filter(signatures::request_id.eq(request_id))
        .order(signatures::verified_at.asc())
        .select(SignatureRow::as_select())
        .load(c)?)
}

// ---- documents ---------------------------------------------------------------------------

pub fn insert_document(c: &mut DbConnection, d: &DocumentRow) -> R<()> {
    diesel::insert_into(documents::table).values(d).execute(c)?;
    Ok(())
}

pub fn document(c: &mut DbConnection, id: &DocumentId) -> R<Option<DocumentRow>> {
    Ok(documents::table
        .find(id)
        .select(DocumentRow::as_select())
        .first(c)
        .optional()?)
}

/// Documents of a request, oldest first.
pub fn documents_of(c: &mut DbConnection, request_id: &RequestId) -> R<Vec<DocumentRow>> {
    Ok(documents::table
        .filter(documents::request_id.eq(request_id))
        .order((documents::issued_at.asc(), documents::id.asc()))
        .select(DocumentRow::as_select())
        .load(c)?)
}

/// Sets a document's registry status (valid, superseded, suspended, terminated).
pub fn set_document_status(
    c: &mut DbConnection,
    id: &DocumentId,
    status: DocumentStatus,
    reason: Option<&str>,
    superseded_by: Option<&DocumentId>,
    at: NaiveDateTime,
) -> R<()> {
    diesel::update(documents::table.find(id))
        .set((
            documents::status.eq(status),
            documents::status_reason.eq(reason),
            documents::superseded_by.eq(superseded_by),
            documents::status_at.eq(at),
        ))
        .execute(c)?;
    Ok(())
}

// ---- payments ----------------------------------------------------------------------------

pub fn insert_payment(c: &mut DbConnection, p: &PaymentRow) -> R<()> {
    diesel::insert_into(payments::table).values(p).execute(c)?;
    Ok(())
}

pub fn payment(c: &mut DbConnection, id: &str) -> R<Option<PaymentRow>> {
    Ok(payments::table
        .find(id)
        .select(PaymentRow::as_select())
        .first(c)
        .optional()?)
}

/// Payments of a request, newest first.
pub fn payments_of(c: &mut DbConnection, request_id: &RequestId) -> R<Vec<PaymentRow>> {
    Ok(payments::table
        .filter(payments::request_id.eq(request_id))
        .order((payments::created_at.desc(), payments::id.desc()))
        .select(PaymentRow::as_select())
        .load(c)?)
}

/// Payments created or paid in `[from, to)` (reconciliation of a business day).
pub fn payments_between(
    c: &mut DbConnection,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> R<Vec<PaymentRow>> {
    Ok(payments::table
        .filter(
            (payments::paid_at.ge(from).and(payments::paid_at.lt(to))).or(payments::created_at
                .ge(from)
                .and(payments::created_at.lt(to))),
        )
        .select(PaymentRow::as_select())
        .load(c)?)
}

pub fn set_payment_gateway(
    c: &mut DbConnection,
    id: &str,
    gateway_payment_id: &str,
    page_url: &str,
    now: NaiveDateTime,
) -> R<()> {
    diesel::update(payments::table.find(id))
        .set((
            payments::gateway_payment_id.eq(gateway_payment_id),
            payments::payment_page_url.eq(page_url),
            payments::updated_at.eq(now),
        ))
        .execute(c)?;
    Ok(())
}

/// Moves a payment to `status` unless it is already paid (a paid payment is never
/// downgraded); returns whether a row changed — two concurrent identical callbacks change
/// it once.
pub fn set_payment_status(
    c: &mut DbConnection,
    id: &str,
    status: PaymentStatus,
    paid_at: Option<NaiveDateTime>,
    event_id: Option<&str>,
    now: NaiveDateTime,
) -> R<bool> {
    let n = diesel::update(
        payments::table
            .find(id)
            .filter(payments::status.ne(PaymentStatus::Paid))
            .filter(payments::status.ne(status)),
    )
    .set((
        payments::status.eq(status),
        payments::paid_at.eq(paid_at),
        payments::last_event_id.eq(event_id),
        payments::updated_at.eq(now),
    ))
    .execute(c)?;
    Ok(n == 1)
}

/// Inserts an event; `false` when an event with this id was stored before. `ON CONFLICT DO
/// NOTHING`, so two concurrent deliveries of one event store it once and neither fails
/// (PostgreSQL makes the second wait for the first's commit, then skip).
pub fn insert_payment_event(c: &mut DbConnection, e: &PaymentEventRow) -> R<bool> {
    let n = match c {
        DbConnection::Pg(pg) => diesel::insert_into(payment_events::table)
            .values(e)
            .on_conflict_do_nothing()
            .execute(pg)?,
        DbConnection::Sqlite(sq) => diesel::insert_or_ignore_into(payment_events::table)
            .values(e)
            .execute(sq)?,
    };
    Ok(n == 1)
}

/// Documents carrying a licence number, oldest first.
pub fn documents_by_registry_number(c: &mut DbConnection, number: &str) -> R<Vec<DocumentRow>> {
    Ok(documents::table
        .filter(documents::registry_number.eq(number))
        .order((documents::issued_at.asc(), documents::id.asc()))
        .select(DocumentRow::as_select())
        .load(c)?)
}

/// Licence documents (those carrying a registry number) by licence number or by the
/// holder's IIN/BIN, oldest first (R-003-07: the e-licensing registry).
pub fn licence_documents(c: &mut DbConnection, by: LicenceLookup<'_>) -> R<Vec<DocumentRow>> {
    let q = documents::table
        .filter(documents::registry_number.is_not_null())
        .order((documents::issued_at.asc(), documents::id.asc()))
        .select(DocumentRow::as_select())
        .into_boxed();
    let q = match by {
        LicenceLookup::Number(n) => q.filter(documents::registry_number.eq(n)),
        LicenceLookup::Holder(id) => q.filter(
            documents::request_id.eq_any(
                requests::table
                    .filter(
                        requests::applicant_bin.eq(id).or(requests::applicant_iin
                            .eq(id)
                            .and(requests::applicant_bin.is_null())),
                    )
                    .select(requests::id),
            ),
        ),
    };
    Ok(q.load(c)?)
}

/// How the licence registry is searched.
#[derive(Debug, Clone, Copy)]
pub enum LicenceLookup<'a> {
    Number(&'a str),
    /// The holder's BIN (legal entity) or IIN (individual).
    Holder(&'a str),
}

// ---- personal-data access log and account audit -------------------------------------------

pub fn insert_challenge(c: &mut DbConnection, row: &ChallengeRow) -> R<()> {
    diesel::insert_into(registration_challenges::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

/// Deletes a live challenge; whether it existed.
pub fn take_challenge(c: &mut DbConnection, challenge: &str, now: NaiveDateTime) -> R<bool> {
    let n = diesel::delete(
        registration_challenges::table
            .filter(registration_challenges::challenge.eq(challenge))
            .filter(registration_challenges::expires_at.gt(now)),
    )
    .execute(c)?;
    Ok(n == 1)
}

pub fn purge_challenges(c: &mut DbConnection, now: NaiveDateTime) -> R<usize> {
    Ok(diesel::delete(
        registration_challenges::table.filter(registration_challenges::expires_at.le(now)),
    )
    .execute(c)?)
}

pub fn insert_access(c: &mut DbConnection, row: &AccessRow) -> R<()> {
    diesel::insert_into(access_log::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

/// A request's access log, oldest first, with each reader's login.
pub fn access_log_of(c: &mut DbConnection, request: &RequestId) -> R<Vec<(AccessRow, String)>> {
    Ok(access_log::table
        .inner_join(users::table.on(users::id.eq(access_log::user_id)))
        .filter(access_log::request_id.eq(request))
        .order((access_log::at.asc(), access_log::id.asc()))
        .select((AccessRow::as_select(), users::login))
        .load(c)?)
}

pub fn insert_account_audit(c: &mut DbConnection, row: &AccountAuditRow) -> R<()> {
    diesel::insert_into(account_audit::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

pub fn account_audit_of(c: &mut DbConnection, user: &UserId) -> R<Vec<AccountAuditRow>> {
    Ok(account_audit::table
        .filter(account_audit::user_id.eq(user))
        .order((account_audit::at.asc(), account_audit::id.asc()))
        .select(AccountAuditRow::as_select())
        .load(c)?)
}

// ---- E-mail outbox (docs/mail.md) ----

pub fn insert_outbox(c: &mut DbConnection, row: &OutboxRow) -> R<()> {
    diesel::insert_into(outbox::table).values(row).execute(c)?;
    Ok(())
}

/// Leases up to `limit` messages due at `now` to `owner` until `until`, and answers them.
/// On PostgreSQL the candidates are locked with `FOR UPDATE SKIP LOCKED`, so workers of
/// several instances take disjoint sets without waiting for each other; on SQLite the
/// one statement runs under the database's single writer lock. A message whose lease ran
/// out (its worker died) is due again.
pub fn lease_outbox(
    c: &mut DbConnection,
    owner: &str,
    now: NaiveDateTime,
    until: NaiveDateTime,
    limit: i64,
) -> R<Vec<OutboxRow>> {
    use diesel::sql_types::{BigInt, Text, Timestamp};
    let lock = match c {
        DbConnection::Pg(_) => " FOR UPDATE SKIP LOCKED",
        DbConnection::Sqlite(_) => "",
    };
    let sql = format!(
        "UPDATE outbox SET lease_owner = $1, lease_until = $2 \
         WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= $3 \
         AND (lease_until IS NULL OR lease_until < $3) ORDER BY next_attempt_at, id LIMIT $4{lock}) \
         RETURNING *"
    );
    Ok(diesel::sql_query(sql)
        .bind::<Text, _>(owner)
        .bind::<Timestamp, _>(until)
        .bind::<Timestamp, _>(now)
        .bind::<BigInt, _>(limit)
        .load(c)?)
}

/// Marks a leased message sent; `false` if `owner` no longer holds it.
pub fn mark_outbox_sent(c: &mut DbConnection, id: &str, owner: &str, at: NaiveDateTime) -> R<bool> {
    let n = diesel::update(
        outbox::table
            .filter(outbox::id.eq(id))
            .filter(outbox::lease_owner.eq(owner))
            .filter(outbox::status.eq(OutboxStatus::Pending)),
    )
    .set((
        outbox::status.eq(OutboxStatus::Sent),
        outbox::sent_at.eq(Some(at)),
        outbox::lease_owner.eq(None::<String>),
        outbox::lease_until.eq(None::<NaiveDateTime>),
    ))
    .execute(c)?;
    Ok(n == 1)
}

/// Records a failed attempt of a leased message: pending again at `next`, or dead.
pub fn mark_outbox_failed(
    c: &mut DbConnection,
    id: &str,
    owner: &str,
    attempts: i32,
    status: OutboxStatus,
    next: NaiveDateTime,
    error: &str,
) -> R<bool> {
    let n = diesel::update(
        outbox::table
            .filter(outbox::id.eq(id))
            .filter(outbox::lease_owner.eq(owner))
            .filter(outbox::status.eq(OutboxStatus::Pending)),
    )
    .set((
        outbox::status.eq(status),
        outbox::attempts.eq(attempts),
        outbox::next_attempt_at.eq(next),
        outbox::last_error.eq(Some(error)),
        outbox::lease_owner.eq(None::<String>),
        outbox::lease_until.eq(None::<NaiveDateTime>),
    ))
    .execute(c)?;
    Ok(n == 1)
}

/// Messages with `status` (all when `None`), newest first, at most `limit`.
pub fn outbox_messages(
    c: &mut DbConnection,
    status: Option<OutboxStatus>,
    limit: i64,
) -> R<Vec<OutboxRow>> {
    let mut q = outbox::table
        .select(OutboxRow::as_select())
        .order((outbox::created_at.desc(), outbox::id.desc()))
        .limit(limit)
        .into_boxed();
    if let Some(s) = status {
        q = q.filter(outbox::status.eq(s));
    }
    Ok(q.load(c)?)
}

/// Messages of one request, oldest first.
pub fn outbox_of_request(c: &mut DbConnection, request: &RequestId) -> R<Vec<OutboxRow>> {
    Ok(outbox::table
        .filter(outbox::request_id.eq(request))
        .order((outbox::created_at, outbox::id))
        .select(OutboxRow::as_select())
        .load(c)?)
}

/// Counts of messages by status.
pub fn outbox_counts(c: &mut DbConnection) -> R<Vec<(OutboxStatus, i64)>> {
    Ok(outbox::table
        .group_by(outbox::status)
        .select((outbox::status, diesel::dsl::count_star()))
        .load(c)?)
}

/// Up to `limit` messages not sent yet (pending or dead), oldest first.
pub fn outbox_unsent(c: &mut DbConnection, limit: i64) -> R<Vec<OutboxRow>> {
    Ok(outbox::table
        .filter(outbox::status.ne(OutboxStatus::Sent))
        .order(outbox::created_at.asc())
        .limit(limit)
        .select(OutboxRow::as_select())
        .load(c)?)
}

/// Puts a dead message back in the queue, due at `now`, with its failures forgotten.
pub fn requeue_outbox(c: &mut DbConnection, id: &str, now: NaiveDateTime) -> R<bool> {
    let n = diesel::update(
        outbox::table
            .filter(outbox::id.eq(id))
            .filter(outbox::status.eq(OutboxStatus::Dead)),
    )
    .set((
        outbox::status.eq(OutboxStatus::Pending),
        outbox::attempts.eq(0),
        outbox::next_attempt_at.eq(now),
    ))
    .execute(c)?;
    Ok(n == 1)
}

// ---- Password reset ----

pub fn insert_password_reset(c: &mut DbConnection, row: &PasswordResetRow) -> R<()> {
    diesel::insert_into(password_resets::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

/// The newest expiry of `user`'s unused reset tokens.
pub fn latest_reset_expiry(c: &mut DbConnection, user: &UserId) -> R<Option<NaiveDateTime>> {
    Ok(password_resets::table
        .filter(password_resets::user_id.eq(user))
        .filter(password_resets::used_at.is_null())
        .select(diesel::dsl::max(password_resets::expires_at))
        .first(c)?)
}

/// Uses the token once: `Some(user)` if it existed, was unused and not expired at `now`.
/// Every other token of the user is spent with it.
pub fn take_password_reset(
    c: &mut DbConnection,
    token_hash: &str,
    now: NaiveDateTime,
) -> R<Option<UserId>> {
    let row: Option<PasswordResetRow> = password_resets::table
        .filter(password_resets::token_hash.eq(token_hash))
        .filter(password_resets::used_at.is_null())
        .filter(password_resets::expires_at.gt(now))
        .select(PasswordResetRow::as_select())
        .first(c)
        .optional()?;
    let Some(row) = row else { return Ok(None) };
    diesel::update(
        password_resets::table
            .filter(password_resets::user_id.eq(&row.user_id))
            .filter(password_resets::used_at.is_null()),
    )
    .set(password_resets::used_at.eq(Some(now)))
    .execute(c)?;
    Ok(Some(row.user_id))
}

/// Sets an account's password hash.
pub fn set_password_hash(c: &mut DbConnection, user: &UserId, hash: &str) -> R<()> {
    diesel::update(users::table.filter(users::id.eq(user)))
        .set(users::password_hash.eq(hash))
        .execute(c)?;
    Ok(())
}

// ---- Notifications (R-004-39, R-004-40) ----

pub fn insert_notification(c: &mut DbConnection, row: &NotificationRow) -> R<()> {
    diesel::insert_into(notifications::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

/// A person's notifications with their request numbers, newest first, at most `limit`.
pub fn notifications_of(
    c: &mut DbConnection,
    user: &UserId,
    unread_only: bool,
    limit: i64,
) -> R<Vec<(NotificationRow, String)>> {
    let mut q = notifications::table
        .inner_join(requests::table)
        .filter(notifications::user_id.eq(user))
        .order((notifications::created_at.desc(), notifications::id.desc()))
        .limit(limit)
        .select((NotificationRow::as_select(), requests::number))
        .into_boxed();
    if unread_only {
        q = q.filter(notifications::read_at.is_null());
    }
    Ok(q.load(c)?)
}

/// The request number of one of a person's notifications; `None` when it is not theirs.
pub fn notification_request(c: &mut DbConnection, user: &UserId, id: &str) -> R<Option<String>> {
    Ok(notifications::table
        .inner_join(requests::table)
        .filter(notifications::user_id.eq(user))
        .filter(notifications::id.eq(id))
        .select(requests::number)
        .first(c)
        .optional()?)
}

/// How many of a person's notifications are unread.
pub fn unread_notifications(c: &mut DbConnection, user: &UserId) -> R<i64> {
    Ok(notifications::table
        .filter(notifications::user_id.eq(user))
        .filter(notifications::read_at.is_null())
        .count()
        .get_result(c)?)
}

/// Marks a person's notifications read (all when `id` is `None`); answers how many.
pub fn mark_notifications_read(
    c: &mut DbConnection,
    user: &UserId,
    id: Option<&str>,
    at: NaiveDateTime,
) -> R<usize> {
    let mut q = diesel::update(notifications::table)
        .filter(notifications::user_id.eq(user))
        .filter(notifications::read_at.is_null())
        .into_boxed();
    if let Some(id) = id {
        q = q.filter(notifications::id.eq(id));
    }
    Ok(q.set(notifications::read_at.eq(Some(at))).execute(c)?)
}

/// Remembers the language of a person's mail.
/// Sets a user's language: `chosen` with the switch (kept from then on), else the browser's
/// at a sign-in, which never replaces a chosen one.
pub fn set_user_lang(c: &mut DbConnection, user: &UserId, lang: &str, chosen: bool) -> R<()> {
    if chosen {
        diesel::update(users::table.filter(users::id.eq(user)))
            .filter(users::lang.ne(lang).or(users::lang_chosen.eq(false)))
            .set((users::lang.eq(lang), users::lang_chosen.eq(true)))
            .execute(c)?;
    } else {
        diesel::update(users::table.filter(users::id.eq(user)))
            .filter(users::lang.ne(lang))
            .filter(users::lang_chosen.eq(false))
            .set(users::lang.eq(lang))
            .execute(c)?;
    }
    Ok(())
}

// ---- Quality questionnaire ----

/// Stores a request's answers; `false` if the request was answered already.
pub fn insert_quality_answer(c: &mut DbConnection, row: &QualityAnswerRow) -> R<bool> {
    let n = match c {
        DbConnection::Pg(pg) => diesel::insert_into(quality_answers::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(pg)?,
        DbConnection::Sqlite(sq) => diesel::insert_or_ignore_into(quality_answers::table)
            .values(row)
            .execute(sq)?,
    };
    Ok(n == 1)
}

pub fn quality_answer(c: &mut DbConnection, request: &RequestId) -> R<Option<QualityAnswerRow>> {
    Ok(quality_answers::table
        .find(request)
        .select(QualityAnswerRow::as_select())
        .first(c)
        .optional()?)
}

/// Every answer set of `service` (all services when `None`) given in `[from, to)`.
pub fn quality_answers_between(
    c: &mut DbConnection,
    service: Option<&str>,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> R<Vec<QualityAnswerRow>> {
    let mut q = quality_answers::table
        .filter(quality_answers::answered_at.ge(from))
        .filter(quality_answers::answered_at.lt(to))
        .select(QualityAnswerRow::as_select())
        .into_boxed();
    if let Some(s) = service {
        q = q.filter(quality_answers::service_code.eq(s));
    }
    Ok(q.load(c)?)
}

// ---- bookings ----------------------------------------------------------------------------

/// Books a slot. The partial unique index on (doctor, start) of active bookings refuses a
/// second booking of the same slot: `SLOT_TAKEN`, and the caller's transaction rolls back.
pub fn insert_booking(c: &mut DbConnection, b: &BookingRow) -> R<()> {
    match diesel::insert_into(bookings::table).values(b).execute(c) {
        Ok(_) => Ok(()),
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Err(AppError::with(
            ErrorCode::SlotTaken,
            format!("{} at {}", b.doctor_code, b.start_at),
        )),
        Err(e) => Err(e.into()),
    }
}

/// Doctor, start and end of the active bookings of these doctors starting in `[from, to)`:
/// the narrow read behind the free-slot search.
pub fn active_booking_times(
    c: &mut DbConnection,
    doctors: &[String],
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> R<Vec<(String, NaiveDateTime, NaiveDateTime)>> {
    Ok(bookings::table
        .filter(bookings::doctor_code.eq_any(doctors))
        .filter(bookings::start_at.ge(from))
        .filter(bookings::start_at.lt(to))
        .filter(bookings::cancelled_at.is_null())
        .select((bookings::doctor_code, bookings::start_at, bookings::end_at))
        .load(c)?)
}

/// Replaces a request's form (a rescheduled booking's new time), in the caller's
/// transaction with the step that records it.
pub fn set_form_json(c: &mut DbConnection, id: &RequestId, form_json: &str) -> R<()> {
    diesel::update(requests::table.find(id))
        .set(requests::form_json.eq(form_json))
        .execute(c)?;
    Ok(())
}

/// The active booking of a request, if any.
pub fn booking_of(c: &mut DbConnection, request_id: &RequestId) -> R<Option<BookingRow>> {
    Ok(bookings::table
        .filter(bookings::request_id.eq(request_id))
        .filter(bookings::cancelled_at.is_null())
        .select(BookingRow::as_select())
        .first(c)
        .optional()?)
}

/// Frees a request's slot: its active booking is marked cancelled by `by` at `at`.
pub fn cancel_booking(
    c: &mut DbConnection,
    request_id: &RequestId,
    by: &UserId,
    at: NaiveDateTime,
) -> R<usize> {
    Ok(diesel::update(
        bookings::table
            .filter(bookings::request_id.eq(request_id))
            .filter(bookings::cancelled_at.is_null()),
    )
    .set((
        bookings::cancelled_at.eq(Some(at)),
        bookings::cancelled_by.eq(Some(by)),
    ))
    .execute(c)?)
}

/// The active bookings of a clinic starting in `[from, to)`, with their requests, by time.
pub fn clinic_bookings(
    c: &mut DbConnection,
    clinic: &str,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> R<Vec<(BookingRow, RequestRow)>> {
    Ok(bookings::table
        .inner_join(requests::table)
        .filter(bookings::clinic_code.eq(clinic))
        .filter(bookings::start_at.ge(from))
        .filter(bookings::start_at.lt(to))
        .filter(bookings::cancelled_at.is_null())
        .order(bookings::start_at.asc())
        .select((BookingRow::as_select(), RequestRow::as_select()))
        .load(c)?)
}

/// Requests of `services` decided by `provider` and created in `[from, to)`, oldest first.
pub fn provider_requests_created(
    c: &mut DbConnection,
    provider: &str,
    services: &[String],
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> R<Vec<RequestRow>> {
    Ok(requests::table
        .filter(requests::provider_code.eq(provider))
        .filter(requests::service_code.eq_any(services))
        .filter(requests::created_at.ge(from))
        .filter(requests::created_at.lt(to))
        .order(requests::created_at.asc())
        .select(RequestRow::as_select())
        .load(c)?)
}

// ---- the register of the attached population ------------------------------------------------

/// The person's active attachment, if any.
pub fn active_attachment(c: &mut DbConnection, iin: &str) -> R<Option<PhcRow>> {
    Ok(phc_register::table
        .filter(phc_register::person_iin.eq(iin))
        .filter(phc_register::ended_at.is_null())
        .select(PhcRow::as_select())
        .first(c)
        .optional()?)
}

/// Every attachment of the person, oldest first.
pub fn attachment_history(c: &mut DbConnection, iin: &str) -> R<Vec<PhcRow>> {
    Ok(phc_register::table
        .filter(phc_register::person_iin.eq(iin))
        .order(phc_register::started_at.asc())
        .select(PhcRow::as_select())
        .load(c)?)
}

/// Ends the person's active attachment at `at` (by the request of the new one).
pub fn end_attachment(
    c: &mut DbConnection,
    iin: &str,
    at: NaiveDateTime,
    by: Option<&RequestId>,
) -> R<usize> {
    Ok(diesel::update(
        phc_register::table
            .filter(phc_register::person_iin.eq(iin))
            .filter(phc_register::ended_at.is_null()),
    )
    .set((
        phc_register::ended_at.eq(Some(at)),
        phc_register::ended_by.eq(by),
    ))
    .execute(c)?)
}

/// Records an attachment; a second active one for the person is refused by the unique index.
pub fn insert_phc(c: &mut DbConnection, row: &PhcRow) -> R<()> {
    match diesel::insert_into(phc_register::table)
        .values(row)
        .execute(c)
    {
        Ok(_) => Ok(()),
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Err(AppError::with(
            ErrorCode::ConcurrentUpdate,
            "attached meanwhile",
        )),
        Err(e) => Err(e.into()),
    }
}

/// How many attachment rows exist (seeding runs on an empty register only).
pub fn count_phc(c: &mut DbConnection) -> R<i64> {
    Ok(phc_register::table.count().get_result(c)?)
}

// ---- bulk load (benchmarks) --------------------------------------------------------------

/// Rows written together by [`bulk_insert`].
#[derive(Default)]
pub struct Bulk {
    pub users: Vec<UserRow>,
    pub requests: Vec<RequestRow>,
    pub history: Vec<HistoryRow>,
    pub documents: Vec<DocumentRow>,
    pub notifications: Vec<NotificationRow>,
}

impl Bulk {
    pub fn len(&self) -> usize {
        self.users.len()
            + self.requests.len()
            + self.history.len()
            + self.documents.len()
            + self.notifications.len()
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Writes many rows at once, parents before children: PostgreSQL `COPY … FROM STDIN`
/// (binary), SQLite multi-row `INSERT`s within SQLite's limit of bound values.
pub fn bulk_insert(c: &mut DbConnection, b: &Bulk) -> R<()> {
    match c {
        DbConnection::Pg(pg) => {
            diesel::copy_from(users::table)
                .from_insertable(&b.users)
                .execute(pg)?;
            diesel::copy_from(requests::table)
                .from_insertable(&b.requests)
                .execute(pg)?;
            diesel::copy_from(request_history::table)
                .from_insertable(&b.history)
                .execute(pg)?;
            diesel::copy_from(documents::table)
                .from_insertable(&b.documents)
                .execute(pg)?;
            diesel::copy_from(notifications::table)
                .from_insertable(&b.notifications)
                .execute(pg)?;
        }
        DbConnection::Sqlite(sq) => {
            // SQLite binds at most 32,766 values per statement: 1,000 rows of at most 32
            // columns (requests, the widest table, has 23).
            macro_rules! insert_chunked {
                ($table:expr, $rows:expr) => {
                    for chunk in $rows.chunks(1_000) {
                        diesel::insert_into($table).values(chunk).execute(sq)?;
                    }
                };
            }
            insert_chunked!(users::table, b.users);
            insert_chunked!(requests::table, b.requests);
            insert_chunked!(request_history::table, b.history);
            insert_chunked!(documents::table, b.documents);
            insert_chunked!(notifications::table, b.notifications);
        }
    }
    Ok(())
}

/// Every request (the bench checks whether its fill is there).
pub fn count_requests(c: &mut DbConnection) -> R<i64> {
    Ok(requests::table.count().get_result(c)?)
}

/// After a bulk load, what autovacuum would soon do: the planner's statistics and, on
/// PostgreSQL, the visibility map that lets capped counts read indexes alone. Outside a
/// transaction (`VACUUM` refuses to run in one).
pub fn vacuum_analyze(c: &mut DbConnection) -> R<()> {
    let sql = match c {
        DbConnection::Pg(_) => "VACUUM (ANALYZE)",
        DbConnection::Sqlite(_) => "ANALYZE",
    };
    diesel::sql_query(sql).execute(c)?;
    Ok(())
}

/// Up to `limit` request numbers of a provider (bench query parameters).
pub fn sample_request_numbers(c: &mut DbConnection, provider: &str, limit: i64) -> R<Vec<String>> {
    Ok(requests::table
        .filter(requests::provider_code.eq(provider))
        .select(requests::number)
        .limit(limit)
        .load(c)?)
}

/// Up to `limit` licence numbers with their holders' BIN or IIN (bench query parameters).
pub fn sample_licences(c: &mut DbConnection, limit: i64) -> R<Vec<(String, String)>> {
    let rows: Vec<(Option<String>, Option<String>, Option<String>)> = documents::table
        .inner_join(requests::table)
        .filter(documents::registry_number.is_not_null())
        .select((
            documents::registry_number,
            requests::applicant_bin,
            requests::applicant_iin,
        ))
        .limit(limit)
        .load(c)?;
    Ok(rows
        .into_iter()
        .filter_map(|(n, bin, iin)| Some((n?, bin.or(iin)?)))
        .collect())
}

/// Up to `limit` account ids whose login matches a `LIKE` pattern (bench query parameters).
pub fn sample_user_ids(c: &mut DbConnection, login_like: &str, limit: i64) -> R<Vec<UserId>> {
    Ok(users::table
        .filter(users::login.like(login_like))
        .select(users::id)
        .limit(limit)
        .load(c)?)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_awaiting_predicate_names_the_awaiting_states() {
        use crate::domain::lifecycle::State;
        let names: Vec<String> = State::AWAITING
            .iter()
            .map(|s| format!("'{}'", s.as_str()))
            .collect();
        assert_eq!(
            super::AWAITING_SQL,
            format!("state IN ({})", names.join(", "))
        );
    }

    #[test]
    fn sequence_names_are_safe_identifiers_and_distinct() {
        let a = super::sequence_name("request:HOM:2026");
        assert!(a.starts_with("ruqsat_seq_request_hom_2026_"), "{a}");
        let b = super::sequence_name("request_HOM_2026");
        assert_ne!(
            a, b,
            "names differing only in punctuation get their own sequence"
        );
        for name in [
            "licence-number",
            "x\"; DROP TABLE requests; --",
            &"Я".repeat(100),
        ] {
            let s = super::sequence_name(name);
            assert!(s.len() <= 63, "{s}");
            assert!(
                s.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                "{s}"
            );
        }
    }
}
