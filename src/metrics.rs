//! Prometheus metrics, served at `GET /metrics`.

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGaugeVec, Opts, Registry, TextEncoder,
};
use std::collections::BTreeSet;
use std::sync::{Mutex, OnceLock};

struct Metrics {
    registry: Registry,
    http_requests: IntCounterVec,
    http_latency: HistogramVec,
    requests_created: IntCounterVec,
    transitions: IntCounterVec,
    documents_issued: IntCounterVec,
    mail_enqueued: IntCounterVec,
    mail_outcomes: IntCounterVec,
    yearly_data_missing: IntGaugeVec,
    /// The (kind, year) labels of `yearly_data_missing` set so far.
    yearly_labels: Mutex<BTreeSet<(String, i32)>>,
}

fn metrics() -> &'static Metrics {
    static M: OnceLock<Metrics> = OnceLock::new();
    M.get_or_init(|| {
        let registry = Registry::new_custom(Some("ruqsat".into()), None).unwrap_or_default();
        let http_requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests by route pattern, method and status",
            ),
            &["route", "method", "status"],
        )
        .expect("static metric definition");
        let http_latency = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "HTTP request latency by route pattern",
            )
            .buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
            ]),
            &["route"],
        )
        .expect("static metric definition");
        let requests_created = IntCounterVec::new(
            Opts::new(
                "service_requests_created_total",
                "Requests created by service",
            ),
            &["service"],
        )
        .expect("static metric definition");
        let transitions = IntCounterVec::new(
            Opts::new(
                "service_request_transitions_total",
                "Request transitions by action",
            ),
            &["action"],
        )
        .expect("static metric definition");
        let documents_issued = IntCounterVec::new(
            Opts::new(
                "documents_issued_total",
                "Signed result documents issued, by template kind",
            ),
            &["kind"],
        )
        .expect("static metric definition");
        let mail_enqueued = IntCounterVec::new(
            Opts::new("mail_enqueued_total", "Messages written to the outbox, by kind"),
            &["kind"],
        )
        .expect("static metric definition");
        let mail_outcomes = IntCounterVec::new(
            Opts::new(
                "mail_attempts_total",
                "Send attempts of outbox messages: sent, pending (failed, retried later) or dead",
            ),
            &["outcome"],
        )
        .expect("static metric definition");
        let yearly_data_missing = IntGaugeVec::new(
            Opts::new(
                "yearly_data_missing",
                "1 when the МРП (kind=mrp) or working calendar (kind=calendar) of the current or next year is missing",
            ),
            &["kind", "year"],
        )
        .expect("static metric definition");
        for c in [
            Box::new(http_requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(http_latency.clone()),
            Box::new(requests_created.clone()),
            Box::new(transitions.clone()),
            Box::new(documents_issued.clone()),
            Box::new(mail_enqueued.clone()),
            Box::new(mail_outcomes.clone()),
            Box::new(yearly_data_missing.clone()),
        ] {
            let _ = registry.register(c);
        }
        Metrics {
            registry,
            http_requests,
            http_latency,
            requests_created,
            transitions,
            documents_issued,
            mail_enqueued,
            mail_outcomes,
            yearly_data_missing,
            yearly_labels: Mutex::new(BTreeSet::new()),
        }
    })
}

pub fn http_request(route: &str, method: &str, status: u16, seconds: f64) {
    let m = metrics();
    m.http_requests
        .with_label_values(&[route, method, &status.to_string()])
        .inc();
    m.http_latency.with_label_values(&[route]).observe(seconds);
}

pub fn request_created(service: &str) {
    metrics()
        .requests_created
        .with_label_values(&[service])
        .inc();
}

pub fn transition(action: &str) {
    metrics().transitions.with_label_values(&[action]).inc();
}

pub fn document_issued(kind: &str) {
    metrics().documents_issued.with_label_values(&[kind]).inc();
}

pub fn mail_enqueued(kind: &str) {
    metrics().mail_enqueued.with_label_values(&[kind]).inc();
}

pub fn mail_outcome(outcome: &str) {
    metrics().mail_outcomes.with_label_values(&[outcome]).inc();
}

/// The yearly data check: `checked` is (kind, year, missing) for the current and next
/// year; labels of years before `current_year` are dropped.
pub fn yearly_data(current_year: i32, checked: &[(&str, i32, bool)]) {
    let m = metrics();
    let mut labels = m
        .yearly_labels
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    for (kind, year) in labels.iter().filter(|(_, y)| *y < current_year) {
        let _ = m
            .yearly_data_missing
            .remove_label_values(&[kind.as_str(), &year.to_string()]);
    }
    labels.retain(|(_, y)| *y >= current_year);
    for (kind, year, missing) in checked {
        m.yearly_data_missing
            .with_label_values(&[*kind, &year.to_string()])
            .set(i64::from(*missing));
        labels.insert((kind.to_string(), *year));
    }
}

/// The text exposition format.
pub fn render() -> String {
    let mut buf = Vec::new();
    let _ = TextEncoder::new().encode(&metrics().registry.gather(), &mut buf);
    String::from_utf8(buf).unwrap_or_default()
}
