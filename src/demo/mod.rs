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
