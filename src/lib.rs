//! Ruqsat: a back-office for Kazakh e-government licensing and public services.
//!
//! Layers (dependencies point down only), see `docs/architecture.md`:
//! - [`domain`]: pure rules (catalog, lifecycle, calendar, identity, money); no I/O.
//! - [`app`]: use cases; each state change is one transaction through [`db::Store`].
//! - [`http`], [`cli`]: thin adapters that parse input, call one use case, map the result.
//! - adapters for outside systems behind traits: [`db`], [`registries`], [`pki`], [`files`],
//!   [`payments`]; [`startup`] wires them into an [`app::App`] from [`config::Config`].
//! - [`catalog_source`]: the catalog and templates, compiled in or overridden from directories.

pub mod app;
pub mod bench;
pub mod catalog_source;
pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod files;
pub mod html;
pub mod http;
pub mod mail;
pub mod metrics;
pub mod payments;
pub mod pdf;
pub mod pki;
pub mod registries;
pub mod startup;
pub mod web;
