//! TLS configuration (BSSN K43–K46): protocols, cipher suites, certificate, known weaknesses,
//! HSTS and the HTTP → HTTPS redirect, using the raw-handshake scanner in `kawal-tls`.

use super::{Check, CheckError, Context, Observation};
use crate::i18n::Text;
use crate::model::Outcome;
use crate::net::Request;
use futures_util::future::BoxFuture;
use kawal_tls::{ItemOutcome, ScanOptions, Status, Target};
use serde_json::json;
use std::time::Duration;
use url::Url;

const ITEMS: &[&str] = &[
    "tls.protocols",
    "tls.cipher-suites",
    "tls.certificate",
    "tls.known-weaknesses",
    "tls.hsts",
    "tls.http-redirect",
];

/// Scans the application's HTTPS endpoint and judges it against the TLS items.
pub struct TlsCheck;

/// Converts a scanner outcome into an observation.
pub fn observation(o: ItemOutcome) -> Observation {
    let summary = Text::new(o.summary_id, o.summary_en);
    let outcome = match o.status {
        Status::Pass => Outcome::Pass,
        Status::Fail => Outcome::Fail,
        Status::Inconclusive(_) => Outcome::Inconclusive {
            reason: summary.clone(),
        },
        Status::NotApplicable(_) => Outcome::NotApplicable {
            reason: summary.clone(),
        },
    };
    Observation::new(o.item_id, outcome, summary).with_figures(o.figures)
}

/// Scanner options derived from the evaluation's network settings; `pacer` spaces the handshakes
/// by the per-host rate limit (every handshake counts as one request).
pub fn scan_options(
    net: &crate::config::NetConfig,
    pacer: Option<std::sync::Arc<dyn kawal_tls::Pacer>>,
) -> ScanOptions {
    ScanOptions {
        connect_timeout: net.connect_timeout.min(Duration::from_secs(10)),
        read_timeout: net.read_timeout.min(Duration::from_secs(10)),
        max_concurrency: (net.concurrency * 2).clamp(1, 8),
        extra_ca_pem: net.extra_ca_pem.clone(),
        pacer,
        drown_ports: Vec::new(),
    }
}

/// The TLS endpoint of a URL, honouring `--resolve` pins.
pub fn endpoint(url: &Url, net: &crate::config::NetConfig) -> Option<Target> {
    let host = url.host_str()?.trim_matches(['[', ']']).to_string();
    let pinned = net
        .resolve
        .iter()
        .find(|(h, _)| h.eq_ignore_ascii_case(&host))
        .map(|(_, ip)| *ip);
    Some(Target {
        ip: pinned.or_else(|| host.parse().ok()),
        port: url.port_or_known_default()?,
        sni: None,
        host,
    })
}

impl Check for TlsCheck {
    fn name(&self) -> &'static str {
        "tls"
    }

    fn items(&self) -> &'static [&'static str] {
        ITEMS
    }

    fn run<'a>(&'a self, ctx: &'a Context) -> BoxFuture<'a, Result<Vec<Observation>, CheckError>> {
        Box::pin(async move {
            let landing = ctx.landing().await?;
            let net = ctx.http.config();
            // The HTTPS endpoint: the target itself, or where its landing page redirects.
            let https = landing
                .all()
                .map(|r| &r.url)
                .find(|u| u.scheme() == "https")
                .cloned();
            let mut out = Vec::new();
            let Some(https) = https else {
                let none = Text::new(
                    "Aplikasi tidak dilayani melalui HTTPS; tidak ada konfigurasi TLS yang dapat diuji.",
                    "The application is not served over HTTPS; there is no TLS configuration to test.",
                );
                out.push(Observation::new(
                    "tls.protocols",
                    Outcome::Fail,
                    none.clone(),
                ));
                for item in [
                    "tls.cipher-suites",
                    "tls.certificate",
                    "tls.known-weaknesses",
                ] {
                    out.push(Observation::new(
                        item,
                        Outcome::NotApplicable {
                            reason: none.clone(),
                        },
                        none.clone(),
                    ));
                }
                out.push(Observation::new("tls.hsts", Outcome::Fail, none.clone()));
                out.push(Observation::new("tls.http-redirect", Outcome::Fail, none));
                return Ok(out);
            };
            let target = endpoint(&https, net)
                .ok_or_else(|| CheckError::Unusable(format!("no TLS endpoint in {https}")))?;
            let pacer = ctx.http.tls_pacer(&target.host);
            let report = kawal_tls::scan(&target, &scan_options(net, pacer))
                .await
                .map_err(|e| {
                    CheckError::Unusable(format!("pemindaian TLS gagal / TLS scan failed: {e}"))
                })?;
            let hsts = landing
                .all()
                .filter(|r| r.url.scheme() == "https")
                .find_map(|r| r.header("strict-transport-security"));
            let report_json = serde_json::to_value(&report).unwrap_or(serde_json::Value::Null);
            for (i, o) in kawal_tls::checklist_outcomes(&report)
                .into_iter()
                .enumerate()
            {
                let mut obs = observation(o).at(format!("tls:{}:{}", target.host, target.port));
                if i == 0 {
                    obs.figures = json!({"grade": kawal_tls::grade::with_hsts(&report.grade, hsts), "report": report_json});
                }
                obs.evidence
                    .extend(probe_evidence(&obs.item_id, &report, &target));
                out.push(obs);
            }
            out.push(
                observation(kawal_tls::hsts_outcome(hsts))
                    .at(format!("tls:{}:{}", target.host, target.port)),
            );
            out.push(http_redirect(ctx, &https).await);
            Ok(out)
        })
    }
}

/// What the TLS probes saw, as evidence the agency report shows under the item: the tested
/// vulnerabilities under known weaknesses, the clients that cannot connect under protocols.
fn probe_evidence(item: &str, r: &kawal_tls::TlsReport, t: &Target) -> Vec<crate::net::Evidence> {
    let note = |text: String| crate::net::Evidence {
        method: "TLS".into(),
        url: format!("{}:{}", t.host, t.port),
        status: None,
        request_headers: Vec::new(),
        response_headers: Vec::new(),
        body_excerpt: String::new(),
        truncated: false,
        note: Some(text),
        masked: None,
    };
    match item {
        "tls.known-weaknesses" => [
            ("Heartbleed", &r.weaknesses.heartbleed),
            ("CCS injection", &r.weaknesses.ccs_injection),
            ("Client renegotiation", &r.weaknesses.client_renegotiation),
            ("ROBOT", &r.weaknesses.robot),
            ("Ticketbleed", &r.weaknesses.ticketbleed),
            ("DROWN", &r.weaknesses.drown),
        ]
        .into_iter()
        .filter_map(|(name, f)| {
            f.as_ref()
                .map(|f| note(format!("{name} ({}): {}", f.protocol, f.evidence)))
        })
        .collect(),
        "tls.protocols" => r
            .clients
            .iter()
            .filter_map(|c| {
                c.failure
                    .as_ref()
                    .map(|f| note(format!("{} cannot connect: {f}", c.client)))
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether plain HTTP on the application's host sends users to HTTPS.
async fn http_redirect(ctx: &Context, https: &Url) -> Observation {
    let item = "tls.http-redirect";
    // The registered URL may itself be plain HTTP; otherwise try the standard port.
    let http = if ctx.target.scheme() == "http" {
        ctx.target.clone()
    } else {
        let mut u = https.clone();
        let _ = u.set_scheme("http");
        let _ = u.set_port(None);
        u.set_path("/");
        u.set_query(None);
        u
    };
    let req = Request {
        follow_redirects: false,
        ..Request::get(http.clone())
    };
    match ctx.http.send(req).await {
        Ok(ex) => {
            let r = &ex.response;
            let ok = kawal_tls::redirects_to_https(r.status, r.header("location"));
            let (id, en) = if ok {
                (
                    format!("{http} mengalihkan ke HTTPS ({}).", r.status),
                    format!("{http} redirects to HTTPS ({}).", r.status),
                )
            } else {
                (
                    format!(
                        "{http} menjawab {} tanpa mengalihkan ke HTTPS; data dapat terkirim tanpa enkripsi.",
                        r.status
                    ),
                    format!(
                        "{http} answers {} without redirecting to HTTPS; data can travel unencrypted.",
                        r.status
                    ),
                )
            };
            Observation::new(
                item,
                if ok { Outcome::Pass } else { Outcome::Fail },
                Text::new(id, en),
            )
            .with_evidence(r.evidence(None))
        }
        Err(e)
            if matches!(e, crate::net::NetError::Connect { .. })
                && ctx.target.scheme() == "https" =>
        {
            Observation::new(
                item,
                Outcome::Pass,
                Text::new(
                    format!("Tidak ada layanan HTTP tanpa enkripsi di {http} (koneksi ditolak)."),
                    format!("No plain-HTTP service at {http} (connection refused)."),
                ),
            )
        }
        Err(e) => Observation::new(
            item,
            Outcome::inconclusive(
                format!("Pengalihan HTTP tidak dapat diuji: {e}"),
                format!("The HTTP redirect could not be tested: {e}"),
            ),
            Text::new(
                "Pengalihan HTTP tidak dapat diuji.",
                "The HTTP redirect could not be tested.",
            ),
        ),
    }
}
