//! The integration tests, as one test binary: each module was a binary of its own, and each
//! binary linked the whole crate and its dependencies again. See docs/testing.md.
//!
//! `cargo test --test api MODULE::` runs one module, e.g. `cargo test --test api pdf_documents::`.

mod common;

mod access_log;
mod accounts;
mod api_errors;
mod api_flow;
mod appointments;
mod attachment_mangystau;
mod browser_safety;
mod child_check;
mod cli;
mod clinic_day;
mod demo;
mod home_calls;
mod input_limits;
mod instances;
mod licence_channels;
mod licence_flow;
mod listing;
mod login;
mod mail;
mod notifications;
mod object_storage;
mod payment_callbacks;
mod payment_reconcile;
mod payments_gateway;
mod pdf_documents;
mod phc_register;
mod pki_verify;
mod portal;
mod portal_clinic;
mod portal_intake;
mod portal_public;
mod portal_review;
mod provider_scope;
mod questionnaire;
mod registration;
mod registries_http;
mod request_numbers;
mod result_documents;
mod result_signers;
mod routes;
mod state_changes;
mod support_rules;
mod support_service;
mod telephone;
mod yearly_data;
