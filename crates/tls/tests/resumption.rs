//! TLS 1.2 session resumption against real nginx: its default (tickets on, the session cache
//! only pretended) and a session cache without tickets, each counted through a relay.

mod common;

use common::*;
use kawal_tls::resume::Resumption;
use kawal_tls::{ScanOptions, TlsReport, scan};
use std::sync::atomic::Ordering;
use std::time::Duration;

const CIPHERS: &str = "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384";

async fn scan_counted(ngx: &Nginx) -> (TlsReport, usize) {
    let (t, connections) = relayed_target(ngx.addr).await;
    let opts = ScanOptions {
        connect_timeout: Duration::from_secs(2),
        read_timeout: Duration::from_secs(2),
        ..ScanOptions::default()
    };
    let r = scan(&t, &opts).await.expect("scan");
    (r, connections.load(Ordering::SeqCst))
}

fn resumption(r: &TlsReport) -> &Resumption {
    r.capabilities
        .resumption
        .as_ref()
        .expect("TLS 1.2 is on, so resumption is probed")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nginx_default_resumes_by_ticket_only() {
    // nginx's default `ssl_session_cache none` hands out session ids it never stores.
    let ngx = start_nginx_with("TLSv1.2", CIPHERS, "ssl_session_timeout 10m;");
    let (r, connections) = scan_counted(&ngx).await;
    assert_eq!(
        connections,
        r.handshakes as usize + 1,
        "every hello counted"
    );
    let res = resumption(&r);
    assert_eq!(res.reason, None);
    assert!(res.session_id_issued);
    assert_eq!(res.by_session_id, Some(false), "{res:?}");
    assert!(res.ticket_issued);
    assert_eq!(res.by_ticket, Some(true), "{res:?}");
    assert_eq!(res.ticket_lifetime_hint, Some(600), "the session timeout");
    assert_eq!(
        res.handshakes, 4,
        "two full handshakes, one hello per mechanism"
    );

    let json = serde_json::to_value(&r).expect("json");
    assert_eq!(
        json["capabilities"]["resumption"]["by_ticket"],
        serde_json::json!(true)
    );
    let table = kawal_tls::render_table(&r, kawal_tls::Lang::En);
    assert!(
        table.contains("Resumption by ticket         yes (ticket issued)")
            && table.contains("Resumption by session id     no (session id issued)")
            && table.contains("Ticket lifetime hint         600 s"),
        "{table}"
    );
    let table = kawal_tls::render_table(&r, kawal_tls::Lang::Id);
    assert!(table.contains("Resumsi dgn ticket"), "{table}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nginx_session_cache_resumes_by_id_and_issues_no_ticket() {
    let ngx = start_nginx_with(
        "TLSv1.2",
        CIPHERS,
        "ssl_session_cache shared:K:1m; ssl_session_tickets off;",
    );
    let (r, connections) = scan_counted(&ngx).await;
    assert_eq!(
        connections,
        r.handshakes as usize + 1,
        "every hello counted"
    );
    let res = resumption(&r);
    assert_eq!(res.reason, None);
    assert_eq!(res.by_session_id, Some(true), "{res:?}");
    assert!(!res.ticket_issued);
    assert_eq!(res.by_ticket, Some(false));
    assert_eq!(res.ticket_lifetime_hint, None);
    assert_eq!(
        res.handshakes, 3,
        "no hello is spent on a ticket never issued"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_completable_tls12_suite_is_inconclusive_without_a_handshake() {
    // Only CBC suites: a first handshake the scanner could finish is impossible, and it says so.
    let ngx = start_nginx_with("TLSv1.2", "ECDHE-RSA-AES128-SHA256", "");
    let (r, _) = scan_counted(&ngx).await;
    let res = resumption(&r);
    assert_eq!((res.by_session_id, res.by_ticket), (None, None));
    assert_eq!(res.handshakes, 0);
    assert!(
        res.reason.as_deref().unwrap_or_default().contains("ECDHE"),
        "{res:?}"
    );
}
