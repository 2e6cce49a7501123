//! `ruqsat bench`: request creation + submission over real HTTP against a server running
//! in this process on a fresh database, with N concurrent clients. Prints throughput and
//! latency percentiles. (Performance goals live here, never in timed unit tests.)
//! [`verify`]: signature verification rate next to `openssl speed`.

pub mod load;
pub mod open_loop;
pub mod scale;
pub mod slots;
pub mod verify;

use crate::app::App;
use crate::config::Config;
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub struct BenchResult {
    pub backend: String,
    pub clients: usize,
    pub pairs: usize,
    pub errors: usize,
    pub elapsed: Duration,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub pair_p50_ms: f64,
    pub pair_p99_ms: f64,
}

impl BenchResult {
    pub fn submissions_per_sec(&self) -> f64 {
        self.pairs as f64 / self.elapsed.as_secs_f64()
    }
    pub fn print(&self) {
        println!(
            "bench backend={} clients={} create+submit pairs={} errors={} elapsed={:.2}s",
            self.backend,
            self.clients,
            self.pairs,
            self.errors,
            self.elapsed.as_secs_f64()
        );
        println!(
            "  throughput: {:.0} submissions/s ({:.0} HTTP requests/s)",
            self.submissions_per_sec(),
            2.0 * self.submissions_per_sec()
        );
        println!(
            "  per HTTP request latency: p50 {:.2} ms, p99 {:.2} ms",
            self.p50_ms, self.p99_ms
        );
        println!(
            "  per create+submit pair:   p50 {:.2} ms, p99 {:.2} ms",
            self.pair_p50_ms, self.pair_p99_ms
        );
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

/// A Ruqsat server on its own thread, on a fresh (or given scratch) database.
pub struct BenchServer {
    pub addr: std::net::SocketAddr,
    pub backend: String,
    handle: actix_web::dev::ServerHandle,
    thread: std::thread::JoinHandle<()>,
    _work: tempfile::TempDir,
}

impl BenchServer {
    pub fn start(database_url: Option<String>, pool: Option<u32>) -> anyhow::Result<BenchServer> {
        let work = tempfile::tempdir()?;
        let mut config = Config::for_dir(work.path(), database_url);
        // The server's configured pool size unless `--pool` says otherwise.
        if let Some(pool) = pool {
            config.db_pool_size = pool;
        }
        let backend =
            format!("{:?}", crate::db::Backend::of_url(&config.database_url)).to_lowercase();
        let mut app = App::build(config)?;
        app.clock = Arc::new(crate::app::SettableClock::at(home_call_hours(&app)?));
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let (tx, rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                match crate::http::serve(app, listener, Some(2)) {
                    Ok(server) => {
                        let _ = tx.send(Ok(server.handle()));
                        let _ = server.await;
                    }
                    Err(e) => {
                        let _ = tx.send(Err(e));
                    }
                }
            })
        });
        let handle = rx.recv()??;
        Ok(BenchServer {
            addr,
            backend,
            handle,
            thread,
            _work: work,
        })
    }

    pub fn stop(self) {
        actix_web::rt::System::new().block_on(self.handle.stop(true));
        let _ = self.thread.join();
    }
}

/// A moment the demo applicant's clinic takes home calls (R-002-08, R-002-09): now during
/// its hours before the cut-off, else when it next opens. The server runs on a clock
/// started there, so the figures do not depend on the time of day.
fn home_call_hours(app: &App) -> anyhow::Result<chrono::DateTime<chrono::Utc>> {
    let clinic = app
        .clinics
        .clinic("astana-polyclinic-1")
        .ok_or_else(|| anyhow::anyhow!("demo clinic astana-polyclinic-1 missing"))?;
    let region = app
        .clinics
        .region_of(clinic)
        .ok_or_else(|| anyhow::anyhow!("region of astana-polyclinic-1 missing"))?;
    Ok(crate::domain::clinics::next_home_call_moment(
        clinic,
        region,
        chrono::Utc::now(),
    ))
}

/// The demo applicant's bearer token.
pub async fn bench_token(base: &str) -> anyhow::Result<String> {
    let login: serde_json::Value = reqwest::Client::new()
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"login": "aigerim", "password": "aigerim-demo"}))
        .send()
        .await?
        .json()
        .await?;
    Ok(login["token"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("login failed: {login}"))?
        .to_string())
}

/// The body of each created request: a doctor home call on the portal.
pub fn create_body() -> String {
    json!({"service": "doctor-home-call", "channel": "portal",
           "form": {"visit_address": "Астана, Бейбітшілік 14", "symptoms": "қызба", "phone": "+7 701 111 22 33"}})
    .to_string()
}

/// Runs the benchmark and returns the figures.
pub fn measure(
    clients: usize,
    pairs: usize,
    database_url: Option<String>,
    pool: Option<u32>,
) -> anyhow::Result<BenchResult> {
    let server = BenchServer::start(database_url, pool)?;
    let (addr, backend) = (server.addr, server.backend.clone());
    let base = format!("http://{addr}");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let result = rt.block_on(async move {
        let token = Arc::new(bench_token(&base).await?);
        let per_client = pairs.div_ceil(clients);
        let create_body = Arc::new(create_body());
        // Every client connects before the clock starts.
        let mut conns = Vec::with_capacity(clients);
        for _ in 0..clients {
            conns.push(load::Conn::open(addr).await?);
        }
        let start = Instant::now();
        let mut tasks = Vec::new();
        for mut conn in conns {
            let (token, create_body) = (token.clone(), create_body.clone());
            tasks.push(tokio::spawn(async move {
                let mut lat = Vec::with_capacity(per_client * 2);
                let mut pair_lat = Vec::with_capacity(per_client);
                let mut errors = 0usize;
                for _ in 0..per_client {
                    let t0 = Instant::now();
                    let created = conn
                        .post_json("/api/v1/requests", &token, &create_body)
                        .await?;
                    let t1 = Instant::now();
                    lat.push((t1 - t0).as_secs_f64() * 1000.0);
                    let number = (created.status == 201)
                        .then(|| created.string_field("number"))
                        .flatten();
                    let Some(number) = number else {
                        errors += 1;
                        continue;
                    };
                    let submitted = conn.submit(&number, &token).await?;
                    let t2 = Instant::now();
                    lat.push((t2 - t1).as_secs_f64() * 1000.0);
                    pair_lat.push((t2 - t0).as_secs_f64() * 1000.0);
                    if submitted.status != 200 {
                        errors += 1;
                    }
                }
                Ok::<_, std::io::Error>((lat, pair_lat, errors))
            }));
        }
        let mut lat = Vec::new();
        let mut pair_lat = Vec::new();
        let mut errors = 0;
        for t in tasks {
            let (l, p, e) = t.await??;
            lat.extend(l);
            pair_lat.extend(p);
            errors += e;
        }
        let elapsed = start.elapsed();
        lat.sort_by(f64::total_cmp);
        pair_lat.sort_by(f64::total_cmp);
        Ok::<_, anyhow::Error>(BenchResult {
            backend,
            clients,
            pairs: pair_lat.len(),
            errors,
            elapsed,
            p50_ms: percentile(&lat, 0.50),
            p99_ms: percentile(&lat, 0.99),
            pair_p50_ms: percentile(&pair_lat, 0.50),
            pair_p99_ms: percentile(&pair_lat, 0.99),
        })
    });
    server.stop();
    result
}

/// The closed-loop run (its maximum throughput), then the open-loop run at `rate` pairs/s,
/// by default half that maximum, each on a fresh server.
pub fn run(
    clients: usize,
    pairs: usize,
    database_url: Option<String>,
    pool: Option<u32>,
    rate: Option<u32>,
) -> anyhow::Result<()> {
    if clients == 0 || pairs == 0 {
        anyhow::bail!("--clients and --requests must be positive");
    }
    let r = measure(clients, pairs, database_url.clone(), pool)?;
    r.print();
    if r.errors > 0 {
        anyhow::bail!("{} requests failed", r.errors);
    }
    let max = r.submissions_per_sec();
    let rate = rate.map_or(max / 2.0, f64::from);
    let o = open_loop::measure(rate, pairs, database_url, pool)?;
    o.print();
    println!(
        "  open-loop rate = {:.0} % of the closed-loop maximum ({max:.0} pairs/s); HTTP p99 {:.2} ms (target < 25 ms{})",
        100.0 * rate / max,
        o.request_p99(),
        if o.request_p99() < 25.0 { "" } else { ": MISSED" }
    );
    if o.errors > 0 {
        anyhow::bail!("{} open-loop pairs failed", o.errors);
    }
    Ok(())
}

/// Options of the pdf suite (`ruqsat bench --suite pdf`).
#[derive(Debug, Clone)]
pub struct PdfBenchOptions {
    /// Signed e-licences per run.
    pub documents: usize,
    /// Signer's PKCS#12 file; `None`: the official of a temporary demo PKI.
    pub p12: Option<std::path::PathBuf>,
    /// Password of `p12`.
    pub p12_password: String,
    /// Where to write one signed sample e-licence (`licence.pdf`) and its data
    /// (`licence.json`: the [`crate::pdf::DocumentData`] and the printed time).
    pub sample_dir: Option<std::path::PathBuf>,
}

/// Signed e-licence PDFs per second (render + PAdES sign with the demo official's RSA-2048
/// key, or `opts.p12`) on 1 and 2 threads, and bytes per PDF. Target: >= 200/s on 2 cores,
/// < 150 KB per document.
pub fn pdf_run(opts: &PdfBenchOptions) -> anyhow::Result<()> {
    let n = opts.documents.max(1);
    let key = match &opts.p12 {
        Some(path) => {
            let der = std::fs::read(path)
                .map_err(|e| anyhow::anyhow!("reading {}: {e}", path.display()))?;
            crate::pki::SigningKey::from_p12(&der, &opts.p12_password)?
        }
        None => {
            let dir = tempfile::tempdir()?;
            let pki = crate::demo::pki::init_demo_pki(
                dir.path(),
                &crate::demo::pki::DemoPkiSpec::standard(
                    "http://127.0.0.1:9/pki/crl/demo-intermediate.crl",
                ),
            )?;
            pki.signing_key("official-ruqsat")?
        }
    };
    if let Some(dir) = &opts.sample_dir {
        let data = crate::demo::pdf_samples::sample_document("licence", "licence-Q7mZ2xK9pL4v");
        let signed = crate::pdf::render(&data)
            .and_then(|pdf| crate::pdf::sign(&pdf, &key, data.issued_at, "bench", "Ruqsat"))
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        std::fs::create_dir_all(dir)?;
        std::fs::write(dir.join("licence.pdf"), &signed)?;
        let json = serde_json::json!({
            "document": data,
            "issued_at_display": crate::pdf::render::display_time(data.issued_at),
        });
        std::fs::write(dir.join("licence.json"), serde_json::to_vec_pretty(&json)?)?;
        println!(
            "sample e-licence: {} ({} bytes), data {}",
            dir.join("licence.pdf").display(),
            signed.len(),
            dir.join("licence.json").display()
        );
    }
    println!("signed e-licence PDFs (render + PAdES-B-B, RSA-2048), {n} documents per run (target: >= 200/s, < 150 KB)");
    for threads in [1, 2] {
        let r =
            crate::pdf::bench_licences_on(n, threads, &key).map_err(|e| anyhow::anyhow!("{e}"))?;
        println!(
            "  threads={threads}: {:.1} PDFs/s, {} bytes average, {} bytes largest",
            r.docs_per_sec, r.avg_bytes, r.max_bytes
        );
    }
    Ok(())
}

/// The process's peak resident set size (Linux `VmHWM`), in KiB.
pub fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}
