//! TLS 1.2 session resumption against real nginx: its default (tickets on, the session cache
//! only pretended) and a session cache without tickets, each counted through a relay.

mod common;

use common::*;
use kawal_tls::resume::Resumption;
use kawal_tls::{ScanOptions, TlsReport, scan};
use std::time::Duration;

const CIPHERS: &str = "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384";

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
    let (r, connections) = scan_counted(ngx.addr).await;
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
        res.handshakes, 3,
        "one full handshake with tickets, one hello per mechanism (the full handshake without \
         tickets is the renegotiation probe's)"
    );
    assert_eq!(r.probe_handshakes.get("client_renegotiation"), Some(&1));
    let tb = r
        .weaknesses
        .ticketbleed
        .as_ref()
        .expect("tested on the ticket resumption");
    assert_eq!(tb.vulnerable, Some(false), "{}", tb.evidence);

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
    let (r, connections) = scan_counted(ngx.addr).await;
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
        res.handshakes, 2,
        "no hello is spent on a ticket never issued; the session id came from the \
         renegotiation probe's handshake"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cbc_only_server_is_resumed_and_renegotiated_by_hand() {
    // Only CBC suites, which rustls does not speak: the first handshakes are done by hand, so
    // resumption by session id and by ticket and client renegotiation are still answered.
    let ngx = start_nginx_with(
        "TLSv1.2",
        "ECDHE-RSA-AES128-SHA256:AES256-SHA",
        "ssl_session_cache shared:kawal:1m; ssl_session_timeout 7m;",
    );
    let (r, connections) = scan_counted(ngx.addr).await;
    assert_eq!(
        connections,
        r.handshakes as usize + 1,
        "every handshake counted"
    );
    let res = resumption(&r);
    assert_eq!(res.reason, None, "{res:?}");
    assert_eq!(res.by_session_id, Some(true), "{res:?}");
    assert!(res.ticket_issued, "{res:?}");
    assert_eq!(res.by_ticket, Some(true), "{res:?}");
    assert_eq!(res.ticket_lifetime_hint, Some(420), "{res:?}");
    assert_eq!(
        res.handshakes, 3,
        "an offer back per mechanism and the full handshake with tickets"
    );
    let reneg = r
        .weaknesses
        .client_renegotiation
        .as_ref()
        .expect("renegotiation tested");
    assert_eq!(reneg.vulnerable, Some(false), "{}", reneg.evidence);
    assert_eq!(r.probe_handshakes.get("client_renegotiation"), Some(&1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_completable_tls12_suite_is_inconclusive_without_a_handshake() {
    // Only Camellia: not even a hand-made handshake is possible, and it says so.
    let ngx = start_nginx_with("TLSv1.2", "CAMELLIA256-SHA", "");
    let (r, connections) = scan_counted(ngx.addr).await;
    assert_eq!(connections, r.handshakes as usize + 1);
    let res = resumption(&r);
    assert_eq!((res.by_session_id, res.by_ticket), (None, None));
    assert_eq!(res.handshakes, 0);
    assert!(
        res.reason.as_deref().unwrap_or_default().contains("ECDHE"),
        "{res:?}"
    );
    let reneg = r.weaknesses.client_renegotiation.as_ref().expect("listed");
    assert_eq!(reneg.vulnerable, None, "{}", reneg.evidence);
}

/// A relay that pads a 16-byte session id in a ServerHello to 32 bytes, as F5's Ticketbleed
/// did on ticket resumption, so the probe meets the bug's exact wire behaviour.
async fn ticketbleed_relay(upstream: std::net::SocketAddr) -> std::net::SocketAddr {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((down, _)) = listener.accept().await {
            tokio::spawn(async move {
                let Ok(up) = tokio::net::TcpStream::connect(upstream).await else {
                    return;
                };
                let (mut dr, mut dw) = down.into_split();
                let (mut ur, mut uw) = up.into_split();
                tokio::spawn(async move { tokio::io::copy(&mut dr, &mut uw).await });
                let mut head = [0u8; 5];
                if ur.read_exact(&mut head).await.is_err() {
                    return;
                }
                let mut body = vec![0u8; usize::from(u16::from_be_bytes([head[3], head[4]]))];
                if ur.read_exact(&mut body).await.is_err() {
                    return;
                }
                // ServerHello: type, 3-byte length, version, random, session id length.
                if head[0] == 22 && body.first() == Some(&2) && body.get(38) == Some(&16) {
                    body.splice(55..55, [0xa5u8; 16]);
                    body[38] = 32;
                    let len = ((usize::from(body[2]) << 8) | usize::from(body[3])) + 16;
                    body[2] = (len >> 8) as u8;
                    body[3] = len as u8;
                    let rlen = body.len() as u16;
                    head[3..5].copy_from_slice(&rlen.to_be_bytes());
                }
                if dw.write_all(&head).await.is_err() || dw.write_all(&body).await.is_err() {
                    return;
                }
                let _ = tokio::io::copy(&mut ur, &mut dw).await;
            });
        }
    });
    addr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ticketbleed_padding_of_the_echoed_session_id_is_caught() {
    let ngx = start_nginx_with("TLSv1.2", CIPHERS, "");
    let relay = ticketbleed_relay(ngx.addr).await;
    let t = kawal_tls::Target {
        host: "localhost".into(),
        port: relay.port(),
        sni: None,
        ip: Some(relay.ip()),
    };
    let opts = ScanOptions {
        connect_timeout: Duration::from_secs(2),
        read_timeout: Duration::from_secs(2),
        ..ScanOptions::default()
    };
    let r = scan(&t, &opts).await.expect("scan");
    let tb = r.weaknesses.ticketbleed.as_ref().expect("tested");
    assert_eq!(tb.vulnerable, Some(true), "{}", tb.evidence);
    assert!(
        tb.evidence.contains("16 bytes of server memory"),
        "{}",
        tb.evidence
    );
    assert!(
        r.grade.caps.contains(&"ticketbleed:F".to_string()),
        "{:?}",
        r.grade
    );
    assert_eq!(r.grade.letter_if_trusted, "F", "{:?}", r.grade);
    assert!(!serde_json::to_string(&r).expect("json").contains("a5a5a5"));
}

fn resumption13(r: &TlsReport) -> &kawal_tls::resume13::Resumption13 {
    r.capabilities
        .resumption_tls13
        .as_ref()
        .expect("TLS 1.3 is on, so its resumption is probed")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nginx_tls13_tickets_resume_for_one_handshake_more() {
    // OpenSSL announces the session timeout as the TLS 1.3 ticket lifetime.
    let ngx = start_nginx_with("TLSv1.3", CIPHERS, "ssl_session_timeout 7m;");
    let (r, connections) = scan_counted(ngx.addr).await;
    assert_eq!(
        connections,
        r.handshakes as usize + 1,
        "every handshake counted"
    );
    let res = resumption13(&r);
    assert!(res.tickets_issued >= 1, "{res:?}");
    assert_eq!(res.resumed, Some(true), "{res:?}");
    assert_eq!(res.ticket_lifetime_secs, Some(420), "{res:?}");
    // The full handshake and the offer back are the signature elimination's first two; only
    // the resumed one, which shows no signature, is extra.
    assert_eq!(res.handshakes, 1);
    assert_eq!(r.probe_handshakes.get("resumption_tls13"), Some(&1));
    let sig13 = r
        .capabilities
        .signature_algorithms
        .iter()
        .find(|s| s.version == kawal_tls::wire::Version::Tls13)
        .expect("TLS 1.3 schemes");
    assert_eq!(
        sig13.accepted.len(),
        3,
        "{sig13:?}: the three RSA-PSS schemes"
    );
    let json = serde_json::to_value(&r).expect("json");
    assert_eq!(
        json["capabilities"]["resumption_tls13"]["resumed"],
        serde_json::json!(true)
    );
    let table = kawal_tls::render_table(&r, kawal_tls::Lang::En);
    assert!(
        table.contains("TLS 1.3 resumption (PSK)     yes"),
        "{table}"
    );
    let table = kawal_tls::render_table(&r, kawal_tls::Lang::Id);
    assert!(table.contains("Resumsi TLS 1.3 (PSK)        ya"), "{table}");
    assert!(
        table.contains("Masa berlaku ticket TLS 1.3  420 s"),
        "{table}"
    );
    let protocols = kawal_tls::checklist_outcomes(&r)
        .into_iter()
        .find(|o| o.item_id == "tls.protocols")
        .expect("protocols item");
    assert_eq!(
        protocols.figures["resumption_tls13"]["resumed"],
        serde_json::json!(true)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nginx_tls13_without_tickets_does_not_resume_at_no_cost() {
    let ngx = start_nginx_with("TLSv1.3", CIPHERS, "ssl_session_tickets off;");
    let (r, connections) = scan_counted(ngx.addr).await;
    assert_eq!(connections, r.handshakes as usize + 1);
    let res = resumption13(&r);
    assert_eq!(res.resumed, Some(false), "{res:?}");
    assert_eq!(res.handshakes, 0, "the offer back was an elimination step");
    assert_eq!(r.probe_handshakes.get("resumption_tls13"), Some(&0));
    // TLS 1.2 is off: its resumption is not asked.
    assert!(r.capabilities.resumption.is_none());
}
