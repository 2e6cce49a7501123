//! `ruqsat bench --suite scale --rows N`: fills a scratch database with N requests shaped
//! like a live system's (all services, states spread by age, history, result documents,
//! licence numbers, notifications, many applicants and several providers), then measures
//! the queries people wait on through the use cases that serve them, and prints p50/p99 for
//! each next to its target (docs/performance.md § Scale).
//!
//! The fill is deterministic for a given N (a fixed-seed generator) and resumable: a
//! database that already holds the bench's rows is measured as it is.

use super::percentile;
use crate::app::auth::CurrentUser;
use crate::app::licences::LicenceQuery;
use crate::app::requests::input::ListQuery;
use crate::app::App;
use crate::config::Config;
use crate::db::models::{DocumentRow, HistoryRow, NotificationRow, RequestRow, UserRow};
use crate::db::queries::{self, Bulk};
use crate::domain::catalog::{ApplicantKind, Issues};
use crate::domain::channels::ChannelCode;
use crate::domain::documents::DocumentStatus;
use crate::domain::identity::{make_bin, make_iin, Bin, BinDivision, BinKind, Iin, Sex};
use crate::domain::ids::{DocumentId, RequestId, UserId};
use crate::domain::lifecycle::State;
use crate::domain::roles::Role;
use crate::error::Lang;
use crate::http::portal::work::review::{queue_view, QueueParams};
use crate::http::portal::{render_page, Viewer};
use chrono::{Duration as Days, NaiveDate, NaiveDateTime};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::io::Write;
use std::time::Instant;

/// Requests written per transaction.
const BATCH: usize = 2_000;
/// The fill's requests span this many days before now.
const SPAN_DAYS: i64 = 730;
/// Marks the bench's rows: request numbers start with it, applicant logins too.
const MARK: &str = "SC";
/// A form token for the rendered pages (any 43 characters).
const CSRF: &str = "bench-bench-bench-bench-bench-bench-bench-b";

/// Services by share of requests in a live system (clinic services dominate).
const MIX: [(&str, u32); 5] = [
    ("doctor-appointment", 45),
    ("doctor-home-call", 15),
    ("phc-attachment", 15),
    ("med-licence", 15),
    ("disabled-child-support", 10),
];

/// What the fill remembers to pick realistic query parameters from.
#[derive(Default)]
struct Samples {
    numbers: Vec<String>,
    licence_numbers: Vec<String>,
    holders: Vec<String>,
    applicants: Vec<UserId>,
}

pub fn run(rows: usize, database_url: Option<String>, samples: usize) -> anyhow::Result<()> {
    if rows == 0 {
        anyhow::bail!("--rows must be positive");
    }
    let work = tempfile::tempdir()?;
    let config = Config::for_dir(work.path(), database_url);
    let backend = format!("{:?}", crate::db::Backend::of_url(&config.database_url)).to_lowercase();
    let app = App::build(config)?;
    let present = app.store.read(queries::count_requests)?;
    let samples_from = if present >= rows as i64 {
        eprintln!("bench scale: {present} requests already in the database; measuring them");
        collect_samples(&app)?
    } else if present > 0 {
        anyhow::bail!(
            "the database holds {present} requests, fewer than --rows {rows}: give an empty scratch database"
        );
    } else {
        fill(&app, rows)?
    };
    eprintln!("bench scale: vacuum and analyze");
    app.store.read(queries::vacuum_analyze)?;
    measure(&app, &backend, rows, &samples_from, samples)
}

// ---- fill ----------------------------------------------------------------------------------

struct Fill<'a> {
    app: &'a App,
    rng: StdRng,
    now: NaiveDateTime,
    staff: Vec<(UserId, Role, String)>,
    applicants: Vec<(UserId, Iin)>,
    companies: Vec<Bin>,
    licence_seq: u64,
}

fn fill(app: &App, rows: usize) -> anyhow::Result<Samples> {
    let started = Instant::now();
    let now = app.now().naive_utc();
    let staff: Vec<(UserId, Role, String)> = app
        .store
        .read(queries::all_users)?
        .into_iter()
        .filter_map(|u| Some((u.id, u.role, u.provider_code?)))
        .collect();
    let mut f = Fill {
        app,
        rng: StdRng::seed_from_u64(rows as u64),
        now,
        staff,
        applicants: Vec::new(),
        companies: Vec::new(),
        licence_seq: 0,
    };
    // One applicant account per ten requests (people come back), one company per fifty.
    // Every identity is distinct: a birth date (and sex) per applicant within a block of
    // 36,500, a block of ten serials per block (the first with a valid check digit).
    let people = (rows / 10).max(10);
    let mut users = Vec::with_capacity(people);
    let first_birth = NaiveDate::from_ymd_opt(1950, 1, 1).ok_or_else(|| anyhow::anyhow!("date"))?;
    for i in 0..people {
        let birth = first_birth + Days::days((i % 18_250) as i64);
        let sex = if (i / 18_250) % 2 == 0 {
            Sex::Male
        } else {
            Sex::Female
        };
        let block = (i / 36_500) as u32 * 10;
        let iin = (0..10)
            .find_map(|k| make_iin(birth, sex, block + k))
            .ok_or_else(|| anyhow::anyhow!("no IIN for applicant {i}"))?;
        let id = UserId::generate();
        users.push(UserRow {
            id: id.clone(),
            login: format!("{MARK}-{i:08}"),
            // Never signs in: not a password hash.
            password_hash: "!".into(),
            role: Role::Applicant,
            full_name: format!("Өтініш беруші {i}"),
            iin: Some(iin.clone()),
            bin: None,
            email: None,
            provider_code: None,
            active: true,
            created_at: now - Days::days(SPAN_DAYS + 1),
            lang: "kk".into(),
            lang_chosen: false,
        });
        f.applicants.push((id, iin));
    }
    for i in 0..(rows / 50).max(5) {
        // A registration month per company within a block of 180, ten serials per block.
        let (yy, mm) = (10 + (i % 180) / 12, 1 + (i % 12));
        let block = (i / 180) as u32 * 10;
        let bin = (0..10)
            .find_map(|k| {
                make_bin(
                    yy as u8,
                    mm as u8,
                    BinKind::ResidentLegalEntity,
                    BinDivision::Head,
                    block + k,
                )
            })
            .ok_or_else(|| anyhow::anyhow!("no BIN for company {i}"))?;
        f.companies.push(bin);
    }
    let mut written_rows = users.len();
    let mut users = users.into_iter();
    loop {
        let bulk = Bulk {
            users: users.by_ref().take(10_000).collect(),
            ..Bulk::default()
        };
        if bulk.is_empty() {
            break;
        }
        app.store.write(|c| queries::bulk_insert(c, &bulk))?;
    }
    let mut samples = Samples {
        applicants: f.applicants.iter().map(|(id, _)| id.clone()).collect(),
        ..Samples::default()
    };
    let mut done = 0;
    let mut shown = Instant::now();
    while done < rows {
        let n = BATCH.min(rows - done);
        let mut bulk = Bulk::default();
        for i in done..done + n {
            f.request(i, rows, &mut bulk, &mut samples)?;
        }
        written_rows += bulk.len();
        app.store.write(|c| queries::bulk_insert(c, &bulk))?;
        done += n;
        if shown.elapsed().as_millis() >= 500 || done == rows {
            progress(done, rows, written_rows, started);
            shown = Instant::now();
        }
    }
    eprintln!();
    eprintln!(
        "bench scale: filled {rows} requests ({written_rows} rows in all) in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    Ok(samples)
}

fn progress(done: usize, total: usize, written: usize, started: Instant) {
    let width = 40;
    let filled = done * width / total.max(1);
    let secs = started.elapsed().as_secs_f64().max(0.001);
    eprint!(
        "\r  [{}{}] {done}/{total} requests, {:.0} rows/s ",
        "#".repeat(filled),
        " ".repeat(width - filled),
        written as f64 / secs
    );
    let _ = std::io::stderr().flush();
}

impl Fill<'_> {
    fn pick_service(&mut self) -> &'static str {
        let total: u32 = MIX.iter().map(|(_, w)| w).sum();
        let mut x = self.rng.gen_range(0..total);
        for (code, w) in MIX {
            if x < w {
                return code;
            }
            x -= w;
        }
        MIX[0].0
    }

    /// Request `i` of `rows`: older ones are mostly decided; recent ones spread over the
    /// states still in progress.
    fn request(
        &mut self,
        i: usize,
        rows: usize,
        bulk: &mut Bulk,
        samples: &mut Samples,
    ) -> anyhow::Result<()> {
        let code = self.pick_service();
        let service = self
            .app
            .catalog
            .service(code)
            .ok_or_else(|| anyhow::anyhow!("service {code} missing from the catalog"))?;
        let providers: Vec<&str> = service.providers().map(|p| p.code.as_str()).collect();
        let provider = providers[self.rng.gen_range(0..providers.len())].to_string();
        let age_minutes = (rows - i) as i64 * SPAN_DAYS * 24 * 60 / rows as i64;
        let created =
            self.now - Days::minutes(age_minutes) - Days::seconds(self.rng.gen_range(0..60));
        let age_days = age_minutes / (24 * 60);
        let roll: u32 = self.rng.gen_range(0..100);
        let decided = [
            State::Approved,
            State::ResultDelivered,
            State::Refused,
            State::Withdrawn,
        ];
        let state = if age_days > 45 {
            match roll {
                0..=59 => State::ResultDelivered,
                60..=79 => State::Approved,
                80..=91 => State::Refused,
                92..=97 => State::Withdrawn,
                // Long overdue: still awaiting a decision.
                _ => State::UnderReview,
            }
        } else {
            match roll {
                0..=9 => State::Draft,
                10..=19 => State::Submitted,
                20..=44 => State::Registered,
                45..=69 => State::UnderReview,
                _ => decided[(roll as usize) % decided.len()],
            }
        };
        let portal = self.rng.gen_range(0..100) < 70;
        let channel = if portal {
            ChannelCode::Portal
        } else {
            service
                .channels
                .iter()
                .map(|c| c.code)
                .find(|c| *c != ChannelCode::Portal)
                .unwrap_or(ChannelCode::Portal)
        };
        let (owner, iin) = {
            let (id, iin) = &self.applicants[self.rng.gen_range(0..self.applicants.len())];
            (id.clone(), iin.clone())
        };
        let company = (code == "med-licence" && self.rng.gen_range(0..100) < 60)
            .then(|| self.companies[self.rng.gen_range(0..self.companies.len())].clone());
        // The deciding official, or an intake employee of the channel's office.
        let deciding = self
            .staff
            .iter()
            .find(|(_, r, p)| *p == provider && *r != Role::ConOperator)
            .map(|(id, _, _)| id.clone());
        let intake_office = (!portal).then(|| provider.clone());
        let created_by = if portal {
            owner.clone()
        } else {
            deciding.clone().unwrap_or_else(|| owner.clone())
        };
        let registered =
            (!matches!(state, State::Draft | State::Submitted)).then(|| created + Days::hours(2));
        let due = registered.map(|r| r + Days::days(15 + self.rng.gen_range(0..10)));
        let id = RequestId::generate();
        let number = format!("{MARK}{}-{:08}", service.number_prefix, i);
        let row = RequestRow {
            id: id.clone(),
            number: number.clone(),
            service_code: code.to_string(),
            service_version: service.version as i32,
            variant: service
                .variants
                .first()
                .map(|v| v.code.clone())
                .unwrap_or_default(),
            channel,
            state,
            applicant_kind: if company.is_some() {
                ApplicantKind::LegalEntity
            } else {
                ApplicantKind::Person
            },
            applicant_iin: Some(iin.clone()),
            applicant_bin: company.clone(),
            applicant_name: format!("Өтініш беруші {i}"),
            owner_user_id: portal.then(|| owner.clone()),
            created_by: created_by.clone(),
            form_json: r#"{"phone":"+7 701 000 00 00"}"#.into(),
            fee_tiyn: if code == "med-licence" { 1_729_600 } else { 0 },
            registered_at: registered,
            due_at: due,
            extended: false,
            version: 1,
            created_at: created,
            updated_at: created,
            provider_code: provider.clone(),
            intake_office,
        };
        // History: creation, then one entry per step to the current state.
        let after_draft: &[State] = match state {
            State::Draft => &[],
            State::Submitted => &[State::Submitted],
            State::Registered => &[State::Submitted, State::Registered],
            State::UnderReview => &[State::Submitted, State::Registered, State::UnderReview],
            State::Withdrawn => &[State::Submitted, State::Withdrawn],
            State::Approved => &[
                State::Submitted,
                State::Registered,
                State::UnderReview,
                State::Approved,
            ],
            State::Refused => &[
                State::Submitted,
                State::Registered,
                State::UnderReview,
                State::Refused,
            ],
            _ => &[
                State::Submitted,
                State::Registered,
                State::UnderReview,
                State::Approved,
                State::ResultDelivered,
            ],
        };
        let steps: Vec<State> = std::iter::once(State::Draft)
            .chain(after_draft.iter().copied())
            .collect();
        let mut from = None;
        for (k, to) in steps.iter().enumerate() {
            let at = created + Days::hours(k as i64);
            bulk.history.push(HistoryRow {
                id: uuid::Uuid::now_v7().to_string(),
                request_id: id.clone(),
                seq: k as i64 + 1,
                at,
                actor_id: Some(if k == 0 {
                    created_by.clone()
                } else {
                    deciding.clone().unwrap_or_else(|| created_by.clone())
                }),
                actor_role: if k == 0 {
                    "applicant".into()
                } else {
                    "official".into()
                },
                action: if k == 0 {
                    "create".into()
                } else {
                    to.as_str().to_string()
                },
                from_state: from,
                to_state: *to,
                reason: (*to == State::Refused)
                    .then(|| "Не соответствует квалификационным требованиям".to_string()),
                requirements: "[]".into(),
                data_json: None,
            });
            if portal && k > 0 {
                bulk.notifications.push(NotificationRow {
                    id: uuid::Uuid::now_v7().to_string(),
                    user_id: owner.clone(),
                    request_id: id.clone(),
                    kind: "status".into(),
                    state: *to,
                    data_json: None,
                    created_at: at,
                    read_at: (k + 1 < steps.len()).then_some(at + Days::hours(1)),
                });
            }
            from = Some(*to);
        }
        if matches!(
            state,
            State::Approved | State::ResultDelivered | State::Refused
        ) {
            let licence = (code == "med-licence" && state != State::Refused).then(|| {
                self.licence_seq += 1;
                format!("{MARK}{:08}", self.licence_seq)
            });
            if let Some(n) = &licence {
                if samples.licence_numbers.len() < 10_000 {
                    samples.licence_numbers.push(n.clone());
                    samples.holders.push(
                        company
                            .as_ref()
                            .map(|b| b.as_str().to_string())
                            .unwrap_or_else(|| iin.as_str().to_string()),
                    );
                }
            }
            let at = created + Days::hours(steps.len() as i64);
            bulk.documents.push(DocumentRow {
                id: DocumentId::generate(),
                request_id: id.clone(),
                kind: if state == State::Refused {
                    "refusal".into()
                } else {
                    "result".into()
                },
                issued_as: if state == State::Refused {
                    Issues::Refusal
                } else {
                    Issues::Result
                },
                title: service.name.ru.clone(),
                sha256: "0".repeat(64),
                size_bytes: 33_000,
                signer_subject: "CN=Bench".into(),
                signer_serial: "01".into(),
                issued_at: at,
                issued_by: deciding.clone(),
                status: DocumentStatus::Valid,
                status_reason: None,
                status_at: at,
                superseded_by: None,
                registry_number: licence,
            });
        }
        if samples.numbers.len() < 10_000 && provider == "mangystau-health" {
            samples.numbers.push(number);
        }
        bulk.requests.push(row);
        Ok(())
    }
}

/// Query parameters from a database filled earlier.
fn collect_samples(app: &App) -> anyhow::Result<Samples> {
    let (numbers, licences, applicants) = app.store.read(|c| {
        Ok((
            queries::sample_request_numbers(c, "mangystau-health", 10_000)?,
            queries::sample_licences(c, 10_000)?,
            queries::sample_user_ids(c, &format!("{MARK}-%"), 10_000)?,
        ))
    })?;
    Ok(Samples {
        numbers,
        licence_numbers: licences.iter().map(|(n, _)| n.clone()).collect(),
        holders: licences.into_iter().map(|(_, h)| h).collect(),
        applicants,
    })
}

// ---- measure ---------------------------------------------------------------------------------

struct Query {
    name: &'static str,
    target_ms: f64,
    ms: Vec<f64>,
}

fn user(app: &App, login: &str) -> anyhow::Result<CurrentUser> {
    let row = app
        .store
        .read(|c| queries::user_by_login(c, login))?
        .ok_or_else(|| anyhow::anyhow!("demo user {login} missing"))?;
    Ok(CurrentUser::try_from(row)?)
}

fn list(queue: bool, overdue: bool, cursor: Option<String>) -> ListQuery {
    ListQuery {
        service: None,
        state: None,
        channel: None,
        applicant: None,
        limit: Some(50),
        cursor,
        offset: None,
        queue,
        overdue,
    }
}

fn measure(app: &App, backend: &str, rows: usize, s: &Samples, n: usize) -> anyhow::Result<()> {
    use crate::app::requests;
    let official = user(app, "official")?;
    let mio = user(app, "mio")?;
    let admin = user(app, "admin")?;
    let mut rng = StdRng::seed_from_u64(7);
    let pick = |rng: &mut StdRng, v: &[String]| -> anyhow::Result<String> {
        if v.is_empty() {
            anyhow::bail!("no samples: the fill made none of this kind");
        }
        Ok(v[rng.gen_range(0..v.len())].clone())
    };
    let applicant_of = |rng: &mut StdRng| -> anyhow::Result<CurrentUser> {
        let id = &s.applicants[rng.gen_range(0..s.applicants.len())];
        let row = app
            .store
            .read(|c| queries::user_by_id(c, id))?
            .ok_or_else(|| anyhow::anyhow!("applicant missing"))?;
        Ok(CurrentUser::try_from(row)?)
    };
    // The second page of the official's queue, to time a page reached by cursor.
    let second = requests::list(app, &official, list(true, false, None))?.next_cursor;
    let mut queries: Vec<Query> = Vec::new();
    let mut time = |name: &'static str,
                    target_ms: f64,
                    rng: &mut StdRng,
                    f: &mut dyn FnMut(&mut StdRng) -> anyhow::Result<()>|
     -> anyhow::Result<()> {
        for _ in 0..(n / 10).max(3) {
            f(rng)?;
        }
        let mut ms = Vec::with_capacity(n);
        for _ in 0..n {
            let t = Instant::now();
            f(rng)?;
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        ms.sort_by(f64::total_cmp);
        queries.push(Query {
            name,
            target_ms,
            ms,
        });
        Ok(())
    };
    time(
        "official's queue, first page (own provider, earliest due first)",
        50.0,
        &mut rng,
        &mut |_| {
            requests::list(app, &official, list(true, false, None))?;
            Ok(())
        },
    )?;
    time(
        "official's queue, next page (cursor)",
        50.0,
        &mut rng,
        &mut |_| {
            requests::list(app, &official, list(true, false, second.clone()))?;
            Ok(())
        },
    )?;
    time(
        "desk queue (provider + own intake for others)",
        50.0,
        &mut rng,
        &mut |_| {
            requests::list(app, &mio, list(true, false, None))?;
            Ok(())
        },
    )?;
    // The queue page as its handler makes it: the list use case and the template, without
    // HTTP (`work::review::queue_view`, `portal::render_page`).
    let render_queue = |params: &QueueParams| -> anyhow::Result<usize> {
        let ctx = queue_view(app, &official, params)?;
        let viewer = Viewer {
            lang: Lang::Kk,
            user: Some(&official),
            unread: None,
            csrf: CSRF,
            path: "/work/queue",
        };
        Ok(render_page(app, &viewer, "queue.html", ctx)?.len())
    };
    let first_page = QueueParams::default();
    let html = render_queue(&first_page)?;
    if html < 10_000 {
        anyhow::bail!("the queue page is {html} bytes: no requests on it?");
    }
    time(
        "official's queue page rendered (list + template, no HTTP)",
        100.0,
        &mut rng,
        &mut |_| {
            render_queue(&first_page)?;
            Ok(())
        },
    )?;
    let next_page = QueueParams {
        cursor: second.clone(),
        ..QueueParams::default()
    };
    time(
        "official's queue page rendered, next page (cursor)",
        100.0,
        &mut rng,
        &mut |_| {
            render_queue(&next_page)?;
            Ok(())
        },
    )?;
    time("staff list, newest first", 20.0, &mut rng, &mut |_| {
        requests::list(app, &official, list(false, false, None))?;
        Ok(())
    })?;
    time("overdue list (official)", 20.0, &mut rng, &mut |_| {
        requests::list(app, &official, list(false, true, None))?;
        Ok(())
    })?;
    time(
        "overdue list (all providers, administrator)",
        20.0,
        &mut rng,
        &mut |_| {
            requests::list(app, &admin, list(false, true, None))?;
            Ok(())
        },
    )?;
    time("applicant's own requests", 20.0, &mut rng, &mut |rng| {
        let who = applicant_of(rng)?;
        requests::list(app, &who, list(false, false, None))?;
        Ok(())
    })?;
    time(
        "one request with history and documents",
        20.0,
        &mut rng,
        &mut |rng| {
            let number = pick(rng, &s.numbers)?;
            requests::get(app, &official, &number)?;
            requests::history(app, &official, &number)?;
            crate::app::results::documents(app, &official, &number)?;
            Ok(())
        },
    )?;
    time("licence registry by number", 20.0, &mut rng, &mut |rng| {
        let number = pick(rng, &s.licence_numbers)?;
        crate::app::licences::search(
            app,
            &LicenceQuery {
                number: Some(number),
                holder: None,
            },
        )?;
        Ok(())
    })?;
    time("licence registry by holder", 20.0, &mut rng, &mut |rng| {
        let holder = pick(rng, &s.holders)?;
        crate::app::licences::search(
            app,
            &LicenceQuery {
                number: None,
                holder: Some(holder),
            },
        )?;
        Ok(())
    })?;
    time("notifications list", 20.0, &mut rng, &mut |rng| {
        let who = applicant_of(rng)?;
        crate::app::notify::list(app, &who, false)?;
        Ok(())
    })?;
    println!("bench scale backend={backend}: {rows} requests; {n} runs per query after warm-up");
    let mut missed = 0;
    for q in &queries {
        let (p50, p99) = (percentile(&q.ms, 0.5), percentile(&q.ms, 0.99));
        let ok = p99 < q.target_ms;
        missed += usize::from(!ok);
        println!(
            "  {:<62} p50 {:>7.2} ms  p99 {:>7.2} ms  (target p99 < {:.0} ms{})",
            q.name,
            p50,
            p99,
            q.target_ms,
            if ok { "" } else { ": MISSED" }
        );
    }
    if let Some(kb) = super::peak_rss_kb() {
        println!("  peak RSS of this process: {:.0} MB", kb as f64 / 1024.0);
    }
    if missed > 0 {
        println!("  {missed} target(s) missed");
    }
    Ok(())
}
