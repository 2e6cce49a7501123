//! Open-loop load: create+submit pairs start at a fixed rate whatever the server answers,
//! as wrk2 does. Each pair's latency counts from the moment the schedule meant it to
//! start, not from when a connection happened to be free, so a server that stalls is
//! charged for every pair that waited (no coordinated omission). A pair that finds no idle
//! connection opens a new one instead of waiting for one.

use super::load::Conn;
use super::{bench_token, create_body, percentile, BenchServer};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// Connections idle this long are closed by the client, before the server's keep-alive
/// timeout closes them under it.
const IDLE_LIMIT: Duration = Duration::from_secs(2);

pub struct OpenLoopResult {
    pub backend: String,
    pub rate: f64,
    pub pairs: usize,
    pub errors: usize,
    pub elapsed: Duration,
    /// Per HTTP request: create from its scheduled start, submit from when it was sent.
    pub request_ms: Vec<f64>,
    /// Per pair, from its scheduled start to the submit's answer.
    pub pair_ms: Vec<f64>,
    pub connections: usize,
}

impl OpenLoopResult {
    pub fn print(&self) {
        println!(
            "bench open-loop backend={} rate={:.0} pairs/s pairs={} errors={} elapsed={:.2}s connections={}",
            self.backend,
            self.rate,
            self.pairs,
            self.errors,
            self.elapsed.as_secs_f64(),
            self.connections
        );
        println!(
            "  achieved: {:.0} pairs/s ({:.0} HTTP requests/s)",
            self.pairs as f64 / self.elapsed.as_secs_f64(),
            2.0 * self.pairs as f64 / self.elapsed.as_secs_f64()
        );
        let p = |v: &[f64], q| percentile(v, q);
        println!(
            "  per HTTP request (from schedule): p50 {:.2} ms, p99 {:.2} ms, p99.9 {:.2} ms, max {:.2} ms",
            p(&self.request_ms, 0.5),
            p(&self.request_ms, 0.99),
            p(&self.request_ms, 0.999),
            self.request_ms.last().copied().unwrap_or(0.0)
        );
        println!(
            "  per create+submit pair:           p50 {:.2} ms, p99 {:.2} ms, p99.9 {:.2} ms",
            p(&self.pair_ms, 0.5),
            p(&self.pair_ms, 0.99),
            p(&self.pair_ms, 0.999)
        );
        if let Some(kb) = super::peak_rss_kb() {
            println!(
                "  peak RSS of the process (server and load generator): {:.0} MB",
                kb as f64 / 1024.0
            );
        }
    }

    pub fn request_p99(&self) -> f64 {
        percentile(&self.request_ms, 0.99)
    }
}

/// `pairs` create+submit pairs at `rate` pairs per second against a fresh server.
pub fn measure(
    rate: f64,
    pairs: usize,
    database_url: Option<String>,
    pool: Option<u32>,
) -> anyhow::Result<OpenLoopResult> {
    if rate.is_nan() || rate <= 0.0 || pairs == 0 {
        anyhow::bail!("--rate and --requests must be positive");
    }
    let server = BenchServer::start(database_url, pool)?;
    let (addr, backend) = (server.addr, server.backend.clone());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let result = rt.block_on(async move {
        let token: Arc<str> = bench_token(&format!("http://{addr}")).await?.into();
        let body: Arc<str> = create_body().into();
        // Idle connections with the time each was last used.
        let idle: Arc<Mutex<Vec<(Conn, Instant)>>> = Arc::new(Mutex::new(Vec::new()));
        // Connections of a closed-loop client count, opened before the clock starts.
        for _ in 0..32 {
            idle.lock()
                .await
                .push((Conn::open(addr).await?, Instant::now()));
        }
        let opened = Arc::new(std::sync::atomic::AtomicUsize::new(32));
        let interval = Duration::from_secs_f64(1.0 / rate);
        let start = tokio::time::Instant::now();
        let mut tasks = Vec::with_capacity(pairs);
        for k in 0..pairs {
            let due = start + interval.mul_f64(k as f64);
            tokio::time::sleep_until(due).await;
            let (idle, token, body, opened) =
                (idle.clone(), token.clone(), body.clone(), opened.clone());
            tasks.push(tokio::spawn(async move {
                let due: Instant = due.into_std();
                // Like any HTTP client, a connection idle for longer than the server keeps
                // it (actix: 5 s) is not used again.
                let taken = {
                    let mut pool = idle.lock().await;
                    pool.retain(|(_, used)| used.elapsed() < IDLE_LIMIT);
                    pool.pop()
                };
                let mut conn = match taken {
                    Some((c, _)) => c,
                    None => {
                        opened.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        Conn::open(addr).await?
                    }
                };
                // A pooled connection the server closed while it idled (keep-alive
                // timeout) is replaced; the reconnect counts in this pair's latency.
                let created = match conn.post_json("/api/v1/requests", &token, &body).await {
                    Ok(a) => a,
                    Err(_) => {
                        opened.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        conn = Conn::open(addr).await?;
                        conn.post_json("/api/v1/requests", &token, &body).await?
                    }
                };
                let t1 = Instant::now();
                let create_ms = (t1 - due).as_secs_f64() * 1000.0;
                let number = (created.status == 201)
                    .then(|| created.string_field("number"))
                    .flatten();
                let Some(number) = number else {
                    idle.lock().await.push((conn, Instant::now()));
                    return Ok::<_, std::io::Error>(Err(format!(
                        "create {}: {}",
                        created.status,
                        String::from_utf8_lossy(&created.body)
                    )));
                };
                let submitted = conn.submit(&number, &token).await?;
                let t2 = Instant::now();
                idle.lock().await.push((conn, t2));
                if submitted.status != 200 {
                    return Ok(Err(format!(
                        "submit {}: {}",
                        submitted.status,
                        String::from_utf8_lossy(&submitted.body)
                    )));
                }
                Ok(Ok((
                    create_ms,
                    (t2 - t1).as_secs_f64() * 1000.0,
                    (t2 - due).as_secs_f64() * 1000.0,
                )))
            }));
        }
        let mut request_ms = Vec::with_capacity(pairs * 2);
        let mut pair_ms = Vec::with_capacity(pairs);
        let mut errors = 0;
        let mut first_errors: Vec<String> = Vec::new();
        for t in tasks {
            let failure = match t.await {
                Ok(Ok(Ok((c, s, p)))) => {
                    request_ms.push(c);
                    request_ms.push(s);
                    pair_ms.push(p);
                    continue;
                }
                Ok(Ok(Err(answer))) => answer,
                Ok(Err(io)) => format!("I/O: {io}"),
                Err(join) => format!("task: {join}"),
            };
            errors += 1;
            if first_errors.len() < 5 {
                first_errors.push(failure);
            }
        }
        for e in &first_errors {
            eprintln!("  open-loop failure: {e}");
        }
        let elapsed = start.elapsed();
        request_ms.sort_by(f64::total_cmp);
        pair_ms.sort_by(f64::total_cmp);
        Ok::<_, anyhow::Error>(OpenLoopResult {
            backend,
            rate,
            pairs: pair_ms.len(),
            errors,
            elapsed,
            request_ms,
            pair_ms,
            connections: opened.load(std::sync::atomic::Ordering::Relaxed),
        })
    });
    server.stop();
    result
}
