//! Kawal: periodic security evaluation of government web applications against the
//! BSSN Perban 4/2021 checklist, with decisions and reports for the responsible agency.

pub mod auth;
pub mod checklist;
pub mod checks;
pub mod cli;
pub mod config;
pub mod crawl;
pub mod decision;
pub mod evaluation;
pub mod health;
pub mod i18n;
pub mod letter;
pub mod model;
pub mod net;
pub mod notify;
pub mod report;
pub mod runner;
pub mod schedule;
pub mod service;
pub mod sop;
pub mod store;
pub mod team;
pub mod web;
pub mod worker;
pub mod workflow;

/// Installs the process-wide rustls crypto provider (aws-lc-rs) once; idempotent.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
}
