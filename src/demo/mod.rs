//! Everything that exists only so Ruqsat works offline with demo data, in one place: what
//! is not under `demo/` is what a production deployment runs.
//!
//! | module | stands in for | chosen by (`startup`) |
//! |---|---|---|
//! | [`gateway`] | the payment gateway ПШЭП, mounted at `/sandbox/gateway` | no `gateway_url` |
//! | [`registries`] | ГБД ФЛ / ГБД ЮЛ (`catalog/demo/registry.toml`) | no `registry_url` |
//! | [`pki`] | НУЦ РК: a root, an issuing CA, CRLs and a key per demo user | no `trust_roots` / `signing_key_file` |
//! | [`seed`] | accounts: one user per role (`catalog/demo/users.toml`) | `demo_data = true` |
//! | [`flows`] | `ruqsat demo --out DIR`: every flow end to end, documents exported | the `demo` command |
//! | [`pdf_samples`] | data for every document kind (tests, benchmarks, `ruqsat pdf sample`) | — |
//!
//! Production code reaches none of these except through `startup`, which picks each one
//! only when its real counterpart is not configured (`docs/configuration.md`).

pub mod flows;
pub mod gateway;
pub mod pdf_samples;
pub mod pki;
pub mod registries;
pub mod seed;

pub use flows::{run, sample_pdf, Flow};

/// Runs `job(0)`, …, `job(n - 1)` on every core at once and returns the results in that
/// order. Threads take the next index from a shared count, so jobs of random length (an RSA
/// prime search) keep every core busy to the end. For the CPU work of a first start.
pub(crate) fn on_every_core<T: Send>(
    n: usize,
    job: impl Fn(usize) -> anyhow::Result<T> + Sync,
) -> anyhow::Result<Vec<T>> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .clamp(1, n.max(1));
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, T)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= n {
                            return Ok::<_, anyhow::Error>(mine);
                        }
                        mine.push((i, job(i)?));
                    }
                })
            })
            .collect();
        let mut done = Vec::with_capacity(n);
        for w in workers {
            done.extend(
                w.join()
                    .map_err(|_| anyhow::anyhow!("a start-up worker thread panicked"))??,
            );
        }
        Ok::<_, anyhow::Error>(done)
    })?;
    done.sort_by_key(|(i, _)| *i);
    Ok(done.into_iter().map(|(_, t)| t).collect())
}
