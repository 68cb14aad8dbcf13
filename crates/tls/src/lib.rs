//! TLS configuration evaluation: raw handshake probes, cipher-suite enumeration, certificate analysis, grading.

#![warn(missing_docs)]

pub mod cert;
pub mod certerr;
pub mod checklist;
pub mod clients;
pub mod dhprimes;
pub mod drown;
pub mod enumerate;
pub mod grade;
pub mod handshake12;
pub mod ocsp;
pub mod probe;
pub mod rehandshake;
pub mod render;
pub mod reneg;
pub mod report;
pub mod resume;
pub mod resume13;
pub mod robot;
pub mod sigalgs;
pub mod suites;
pub mod vuln;
pub mod weakness;
pub mod wire;

pub use checklist::{ItemOutcome, Status, checklist_outcomes, hsts_outcome, redirects_to_https};
pub use render::{Lang, render_table};
pub use report::TlsReport;

use enumerate::{HelloParams, Support, VersionScan};
pub use probe::Pacer;
use probe::{Outcome, Prober};
use report::{GroupResult, ProtocolResult, SuiteResult, SupportStatus, TargetInfo};
use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};
use wire::{KxParams, Version};

/// Endpoint to scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Host name or IP literal.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// SNI override (defaults to `host` when it is a name).
    pub sni: Option<String>,
    /// Already-resolved address; skips DNS when set.
    pub ip: Option<IpAddr>,
}

impl Target {
    /// Parses "host", "host:port", "[v6]:port" or a bare IPv6 address (port defaults to 443).
    pub fn parse(s: &str) -> Result<Target, Error> {
        let s = s.trim();
        let bad = || Error::InvalidTarget(s.to_string());
        if s.is_empty() {
            return Err(bad());
        }
        let (host, port) = if let Some(rest) = s.strip_prefix('[') {
            let (h, tail) = rest.split_once(']').ok_or_else(bad)?;
            let port = match tail.strip_prefix(':') {
                Some(p) => p.parse().map_err(|_| bad())?,
                None if tail.is_empty() => 443,
                None => return Err(bad()),
            };
            (h.to_string(), port)
        } else if s.parse::<IpAddr>().is_ok() {
            (s.to_string(), 443)
        } else if let Some((h, p)) = s.rsplit_once(':') {
            (h.to_string(), p.parse().map_err(|_| bad())?)
        } else {
            (s.to_string(), 443)
        };
        if host.is_empty() || host.contains('/') {
            return Err(bad());
        }
        Ok(Target {
            ip: host.parse().ok(),
            host,
            port,
            sni: None,
        })
    }

    /// Name used for SNI and certificate checks.
    pub fn server_name(&self) -> String {
        self.sni.clone().unwrap_or_else(|| self.host.clone())
    }
}

/// Scan settings.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// TCP connect timeout per connection.
    pub connect_timeout: Duration,
    /// Deadline for a server's answer to one hello.
    pub read_timeout: Duration,
    /// Maximum simultaneous connections to the target.
    pub max_concurrency: usize,
    /// Extra trusted CA certificates (PEM), e.g. a government internal CA.
    pub extra_ca_pem: Option<Vec<u8>>,
    /// Waited on before every connection, so handshakes count against a per-host rate limit.
    pub pacer: Option<Arc<dyn Pacer>>,
    /// Other ports of the same host asked for SSL 2.0 with the same RSA key (DROWN).
    pub drown_ports: Vec<u16>,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            connect_timeout: Duration::from_secs(5),
            read_timeout: Duration::from_secs(5),
            max_concurrency: 8,
            extra_ca_pem: None,
            pacer: None,
            drown_ports: Vec::new(),
        }
    }
}

/// Errors that stop a scan before any TLS result exists.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The target string is not host[:port].
    #[error("invalid target {0:?}; expected HOST[:PORT]")]
    InvalidTarget(String),
    /// DNS resolution failed.
    #[error("cannot resolve {0}: {1}")]
    Resolve(String, String),
    /// The TCP port is not reachable.
    #[error("cannot connect to {0}: {1}")]
    Connect(SocketAddr, String),
    /// The extra CA bundle is unusable.
    #[error("{0}")]
    ExtraCa(String),
    /// The embedded cipher-suite table has a bad row.
    #[error("{0}")]
    SuiteTable(String),
}

async fn resolve(target: &Target) -> Result<SocketAddr, Error> {
    if let Some(ip) = target.ip {
        return Ok(SocketAddr::new(ip, target.port));
    }
    let mut addrs = tokio::net::lookup_host((target.host.as_str(), target.port))
        .await
        .map_err(|e| Error::Resolve(target.host.clone(), e.to_string()))?;
    addrs
        .next()
        .ok_or_else(|| Error::Resolve(target.host.clone(), "no address".into()))
}

/// Scans one endpoint: protocols, suites, groups, certificate, weaknesses, grade.
pub async fn scan(target: &Target, opts: &ScanOptions) -> Result<TlsReport, Error> {
    let started = Instant::now();
    let started_at = time::OffsetDateTime::now_utc();
    suites::load().map_err(|e| Error::SuiteTable(e.to_string()))?;
    let roots = Arc::new(cert::root_store(opts.extra_ca_pem.as_deref()).map_err(Error::ExtraCa)?);
    let addr = resolve(target).await?;
    let mut prober = Prober::new(
        addr,
        opts.connect_timeout,
        opts.read_timeout,
        opts.max_concurrency,
    );
    prober.pacer = opts.pacer.clone();
    let pr = Arc::new(prober);
    // One plain connect first, so an unreachable port is an error rather than a report full of "inconclusive".
    if let Some(p) = &opts.pacer {
        p.wait().await;
    }
    drop(
        pr.connect()
            .await
            .map_err(|e| Error::Connect(addr, e.to_string()))?,
    );
    let name = target.server_name();
    let sni = Some(name.clone()).filter(|n| n.parse::<IpAddr>().is_err());

    // Phase 1: every version (TLS 1.3 with its groups) at once.
    let mut scans = enumerate::enumerate_all(pr.clone(), sni.clone()).await;
    let mut extra_handshakes = 0;
    // Picks against the client's order prove the server's own order with no further hello, and
    // lower versions can then inherit that verdict.
    for s in scans.iter_mut() {
        if s.server_preference.is_none() && s.picks_prove_server_order() {
            s.server_preference = Some(true);
        }
    }

    // Phase 2: probes that depend on what phase 1 found, folded together where one hello can
    // answer several questions.
    let best = best_legacy(&scans);
    let (preference, fallback, deeper) = {
        let scans_ro = &scans;
        tokio::join!(
            preference_probe(&pr, best.map(|i| &scans_ro[i]), sni.clone()),
            fallback_probe(&pr, scans_ro, sni.clone()),
            deeper_probes(&pr, scans_ro, &name, sni.clone()),
        )
    };
    extra_handshakes += deeper.uncounted_handshakes();
    let mut probe_handshakes = deeper.costs();
    // Listing every TLS 1.3 group is a capability list like the TLS 1.2 curves and the signature
    // schemes: its hellos beyond the suite enumeration are reported with the probes.
    if let Some(n) = scans
        .iter()
        .find(|s| s.version == Version::Tls13 && s.support == Support::Supported)
        .map(VersionScan::group_listing_hellos)
        .filter(|n| *n > 0)
    {
        probe_handshakes.insert("groups_tls13", n);
    }
    if let Some(curves) = &deeper.curves12
        && let Some(s) = scans
            .iter_mut()
            .find(|s| s.version == Version::Tls12 && s.support == Support::Supported)
    {
        s.groups = curves.clone();
    }
    let mut findings = Findings::default();
    let mut capabilities = report::Capabilities {
        signature_algorithms: deeper.sig12.iter().chain(&deeper.sig13).cloned().collect(),
        resumption: deeper.resumption.clone(),
        resumption_tls13: deeper.resumption13.clone(),
        ..Default::default()
    };
    // Highest version first, so a finding names the best protocol it was seen on.
    for s in scans.iter().rev() {
        if let Some(f) = &s.first {
            findings.add(f.heartbleed.clone(), f.ccs.clone());
            findings.compression = Some(findings.compression.unwrap_or(false) || f.compression);
        }
    }
    if let Some(i) = best {
        if let Some(chosen) = preference {
            scans[i].judge_preference(chosen);
        }
        if let Some(f) = &scans[i].first {
            capabilities.alpn = f.alpn.clone();
            capabilities.session_tickets = f.session_tickets;
            capabilities.tested_on = Some(scans[i].version);
        }
        inherit_preference(&mut scans, i);
    }
    let (others, robot) = tokio::join!(
        other_legacy_probes(&pr, &scans, best, sni.clone()),
        robot_probe(&pr, &scans, sni.clone()),
    );
    for (i, chosen) in others {
        scans[i].judge_preference(chosen);
    }

    // Certificate: from the raw TLS ≤ 1.2 flights when there are any, else a rustls handshake.
    let raw_chain = scans
        .iter()
        .rev()
        .filter(|s| s.version != Version::Tls13)
        .flat_map(|s| &s.flights)
        .find(|f| !f.certificates.is_empty())
        .map(|f| cert::FetchedChain {
            chain: f.certificates.clone(),
            ocsp_stapled: f.ocsp_stapled,
            ocsp_response: f.ocsp_response.clone(),
            sct_extension: Some(f.hello.extension(wire::EXT_SCT).map_or(0, ocsp::count_scts)),
            source: "raw_handshake".into(),
        });
    let fetched = match raw_chain {
        Some(raw) => Ok(raw),
        None => {
            if let Some(p) = &opts.pacer {
                p.wait().await;
            }
            extra_handshakes += 1;
            cert::fetch_chain(addr, &name, opts.connect_timeout, opts.read_timeout).await
        }
    };
    let (certificate, certificate_error) = match fetched {
        Ok(f) => match cert::analyse(&f, &name, roots, time::OffsetDateTime::now_utc()) {
            Ok(c) => (Some(c), None),
            Err(e) => (None, Some(e)),
        },
        Err(e) => (None, Some(e)),
    };

    let drown_answers = drown::ask_ports(
        addr,
        &opts.drown_ports,
        opts.connect_timeout,
        opts.pacer.clone(),
    )
    .await;
    let leaf_rsa = raw_leaf(&scans).and_then(|der| robot::rsa_key(&der));
    let (protocols, mut notes) = protocol_results(&scans);
    let groups = group_results(&scans);
    let clients = match clients::profiles() {
        Ok(profiles) => clients::simulate(profiles, &protocols, |v| {
            groups
                .iter()
                .filter(|g| g.versions.contains(&v))
                .map(|g| g.name.clone())
                .collect()
        }),
        Err(e) => {
            notes.push(e.to_string());
            Vec::new()
        }
    };
    let dh_min_bits = scans
        .iter()
        .flat_map(|s| &s.accepted)
        .filter_map(|(_, kx)| match kx {
            Some(KxParams::Dhe { prime_bits, .. }) => Some(*prime_bits),
            _ => None,
        })
        .min();
    let mut weaknesses = weakness::from_protocols(&protocols);
    let dh_params: Vec<KxParams> = scans
        .iter()
        .flat_map(|s| &s.accepted)
        .filter_map(|(_, kx)| *kx)
        .collect();
    weakness::apply_dh(&mut weaknesses, &dh_params);
    findings.apply(&scans, &mut weaknesses);
    weaknesses.client_renegotiations_completed = deeper.renegotiation.as_ref().and_then(|r| r.2);
    weaknesses.client_renegotiation = deeper.renegotiation.map(|r| r.0);
    if let Some((_, n)) = &robot {
        probe_handshakes.insert("robot", *n);
    }
    weaknesses.robot = robot.map(|r| r.0);
    weaknesses.drown = Some(drown::judge(
        weaknesses.sslv2,
        leaf_rsa.as_ref(),
        &drown_answers,
    ));
    if !drown_answers.is_empty() {
        probe_handshakes.insert("drown", drown_answers.len() as u32);
        extra_handshakes += drown_answers.len() as u32;
    }
    weaknesses.ticketbleed = capabilities
        .resumption
        .as_ref()
        .and_then(|r| r.ticketbleed.clone());
    weaknesses.fallback_scsv = fallback;
    if weaknesses
        .ccs_injection
        .as_ref()
        .is_some_and(|f| f.vulnerable.is_none())
    {
        notes.push("CCS injection: the server's reaction proved nothing either way".into());
    }
    let tls13_groups: Vec<u16> = scans
        .iter()
        .find(|s| s.version == Version::Tls13 && s.support == Support::Supported)
        .map(|s| s.groups.clone())
        .unwrap_or_default();
    let grade = grade::compute(&protocols, &tls13_groups, &weaknesses, certificate.as_ref());
    let mozilla_profile = grade::mozilla_profile(&protocols, certificate.as_ref(), dh_min_bits);
    Ok(TlsReport {
        target: TargetInfo {
            host: target.host.clone(),
            port: target.port,
            sni,
            ip: addr.ip().to_string(),
        },
        started_at: started_at
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        duration_ms: started.elapsed().as_millis() as u64,
        handshakes: pr.count() + extra_handshakes,
        probe_handshakes,
        protocols,
        groups,
        dh_min_bits,
        certificate,
        certificate_error,
        weaknesses,
        grade,
        mozilla_profile,
        capabilities,
        clients,
        notes,
    })
}

/// The leaf certificate from the raw TLS ≤ 1.2 flights, when there is one.
fn raw_leaf(scans: &[VersionScan]) -> Option<Vec<u8>> {
    scans
        .iter()
        .filter(|s| s.version != Version::Tls13)
        .flat_map(|s| &s.flights)
        .find_map(|f| f.certificates.first().cloned())
}

/// Results of the probes that need only phase 1 and run beside phase 2.
struct Deeper {
    sig12: Option<sigalgs::SigAlgs>,
    /// The complete TLS 1.2 curve list, found beside the signature schemes.
    curves12: Option<Vec<u16>>,
    sig13: Option<sigalgs::SigAlgs>,
    resumption: Option<resume::Resumption>,
    resumption13: Option<resume13::Resumption13>,
    /// Finding, whether a handshake was spent, renegotiations completed.
    renegotiation: Option<(vuln::ProbeFinding, bool, Option<u32>)>,
}

impl Deeper {
    /// Handshakes made outside the raw-hello counter: the TLS 1.3 signature handshakes and the
    /// TLS 1.3 resumption, the full TLS 1.2 handshake with tickets, the renegotiation
    /// connection (also the full handshake without tickets, by rustls or by hand).
    fn uncounted_handshakes(&self) -> u32 {
        self.sig13.as_ref().map_or(0, |s| s.handshakes)
            + self.resumption13.as_ref().map_or(0, |r| r.handshakes)
            + self
                .resumption
                .as_ref()
                .map_or(0, |r| r.handshakes.min(RESUMPTION_FULL_HANDSHAKES))
            + u32::from(self.renegotiation.as_ref().is_some_and(|r| r.1))
    }

    /// What each probe spent, for the JSON.
    fn costs(&self) -> BTreeMap<&'static str, u32> {
        let mut m = BTreeMap::new();
        if let Some(r) = &self.resumption {
            m.insert("resumption", r.handshakes);
        }
        if let Some(r) = &self.renegotiation {
            m.insert("client_renegotiation", u32::from(r.1));
        }
        if let Some(s) = &self.sig12 {
            m.insert("signature_algorithms_tls12", s.handshakes);
        }
        if let Some(s) = &self.sig13 {
            m.insert("signature_algorithms_tls13", s.handshakes);
        }
        if let Some(r) = &self.resumption13 {
            m.insert("resumption_tls13", r.handshakes);
        }
        m
    }
}

/// Signature algorithms, resumption and renegotiation: they need only phase 1's results.
async fn deeper_probes(
    pr: &Prober,
    scans: &[VersionScan],
    name: &str,
    sni: Option<String>,
) -> Deeper {
    let supported = |v: Version| {
        scans
            .iter()
            .find(|s| s.version == v && s.support == Support::Supported)
    };
    let tls12 = supported(Version::Tls12);
    let tls12_accepted: Option<Vec<u16>> = tls12.map(|s| s.accepted.iter().map(|a| a.0).collect());
    let any_legacy = scans.iter().any(|s| {
        s.support == Support::Supported && !matches!(s.version, Version::Tls13 | Version::Ssl2)
    });
    let (tls12_caps, tls13_caps, (resumption, renegotiation)) = tokio::join!(
        async {
            match tls12 {
                Some(s) => sigalgs::tls12(pr, s, sni.clone()).await,
                None => None,
            }
        },
        sigalgs::tls13(pr, supported(Version::Tls13).is_some(), name),
        resumption_and_renegotiation(
            pr,
            any_legacy,
            tls12_accepted.as_deref(),
            name,
            sni.as_deref()
        ),
    );
    let (sig12, curves12) = tls12_caps.unzip();
    let (sig13, resumption13) = tls13_caps.unzip();
    Deeper {
        sig12,
        curves12,
        sig13,
        resumption13,
        resumption,
        renegotiation,
    }
}

/// ROBOT on the highest TLS version that accepted an RSA key-exchange suite, with the RSA key
/// of the certificate that version presented.
async fn robot_probe(
    pr: &Prober,
    scans: &[VersionScan],
    sni: Option<String>,
) -> Option<(vuln::ProbeFinding, u32)> {
    let (s, suite) = scans
        .iter()
        .rev()
        .filter(|s| {
            s.support == Support::Supported
                && matches!(s.version, Version::Tls10 | Version::Tls11 | Version::Tls12)
        })
        .find_map(|s| {
            s.accepted
                .iter()
                .map(|a| a.0)
                .find(|c| suites::by_code(*c).is_some_and(|t| t.kx == suites::Kx::Rsa && !t.export))
                .map(|c| (s, c))
        })?;
    let key = s
        .flights
        .iter()
        .find_map(|f| f.certificates.first())
        .and_then(|der| robot::rsa_key(der));
    let Some(key) = key else {
        let f = vuln::ProbeFinding {
            vulnerable: None,
            protocol: s.version.label().into(),
            evidence: "RSA key exchange is accepted but no RSA certificate key was seen".into(),
        };
        return Some((f, 0));
    };
    Some(robot::probe_after_ride(pr, s.version, suite, &key, sni, &s.robot).await)
}

/// TLS 1.2 session resumption and client-initiated renegotiation, sharing one full handshake:
/// the renegotiation probe's connection, made without tickets, gives the session id that is
/// offered back before the connection is renegotiated (a server may drop a session after a
/// fatal alert). The ticket half runs beside it. Returns the resumption result and the
/// renegotiation finding, whether a handshake was spent on it, renegotiations completed.
async fn resumption_and_renegotiation(
    pr: &Prober,
    any_legacy: bool,
    tls12_accepted: Option<&[u16]>,
    name: &str,
    sni: Option<&str>,
) -> (
    Option<resume::Resumption>,
    Option<(vuln::ProbeFinding, bool, Option<u32>)>,
) {
    let untested = |evidence: String| vuln::ProbeFinding {
        vulnerable: None,
        protocol: "TLS 1.2".into(),
        evidence,
    };
    // rustls completes the ECDHE suites with AES-GCM or ChaCha20; the
    // hand-made handshake also the CBC, RSA and DHE ones that legacy servers offer.
    let rustls_ok = tls12_accepted.is_some_and(resume::completable);
    let by_hand: Vec<u16> = tls12_accepted
        .unwrap_or_default()
        .iter()
        .copied()
        .filter(|c| handshake12::params(*c).is_some())
        .collect();
    if !rustls_ok && by_hand.is_empty() {
        let reneg = any_legacy.then(|| {
            let why =
                "not tested: it needs TLS 1.2 with an AES suite (ECDHE, DHE or RSA key exchange)";
            (untested(why.into()), false, None)
        });
        return (tls12_accepted.map(|_| resume::not_completable()), reneg);
    }
    let ((established, id), ticket) = tokio::join!(
        async {
            let e = if rustls_ok {
                reneg::establish(pr, name).await
            } else {
                handshake12::establish(pr, sni, &by_hand, false).await
            };
            let first = match &e {
                Ok(e) => e.first.as_ref().map_err(Clone::clone),
                Err(why) => Err(why.clone()),
            };
            let id = resume::by_session_id(pr, sni, first).await;
            (e, id)
        },
        async {
            if rustls_ok {
                resume::by_ticket(pr, name, sni).await
            } else {
                resume::by_ticket_by_hand(pr, sni, &by_hand).await
            }
        },
    );
    let resumption = resume::assemble(id, ticket);
    let reneg = match established {
        Ok(e) => {
            let (f, n) = reneg::renegotiate(e, pr, sni).await;
            (f, true, Some(n))
        }
        Err(e) => (untested(format!("not tested: {e}")), true, None),
    };
    (Some(resumption), Some(reneg))
}

/// Full handshakes the resumption probe makes itself whenever it runs (the one with tickets,
/// through rustls or by hand; the one without is the renegotiation probe's).
const RESUMPTION_FULL_HANDSHAKES: u32 = 1;

/// Index of the highest supported version below TLS 1.3.
fn best_legacy(scans: &[VersionScan]) -> Option<usize> {
    scans
        .iter()
        .enumerate()
        .filter(|(_, s)| {
            s.support == Support::Supported
                && !matches!(s.version, Version::Tls13 | Version::Ssl2)
                && !s.accepted.is_empty()
        })
        .max_by_key(|(_, s)| s.version)
        .map(|(i, _)| i)
}

/// Whether `s` still needs a hello offering its accepted suites in reverse to tell whose order
/// the server follows.
fn order_unknown(s: &VersionScan) -> bool {
    s.accepted.len() >= 2 && s.server_preference.is_none() && !s.picks_prove_server_order()
}

/// The suite a server chooses from `s`'s accepted suites offered in reverse (the
/// server-preference test); None when the order is already known or the hello failed.
async fn reversed_pick(pr: &Prober, s: &VersionScan, sni: Option<String>) -> Option<u16> {
    if !order_unknown(s) {
        return None;
    }
    let p = HelloParams {
        sni,
        ..Default::default()
    };
    let hello = enumerate::build_hello(s.version, &s.reversed(), &p);
    match pr.hello(&hello, enumerate::ske_kind).await {
        Ok(Outcome::Hello(f)) => Some(f.hello.cipher_suite),
        _ => None,
    }
}

/// The server-preference test on the best legacy version, when its picks did not settle it.
async fn preference_probe(
    pr: &Prober,
    best: Option<&VersionScan>,
    sni: Option<String>,
) -> Option<u16> {
    reversed_pick(pr, best?, sni).await
}

/// Lower versions whose picks agree with the order the best version established inherit its
/// preference verdict instead of spending a hello on their own test.
fn inherit_preference(scans: &mut [VersionScan], best: usize) {
    let Some(pref) = scans[best].server_preference else {
        return;
    };
    let reference = scans[best].clone();
    for (i, s) in scans.iter_mut().enumerate() {
        if i != best
            && s.version != Version::Tls13
            && s.server_preference.is_none()
            && s.picks_agree_with(&reference)
        {
            s.server_preference = Some(pref);
        }
    }
}

/// Lower legacy versions: the preference test where two or more suites were accepted and
/// neither the picks nor the best version's verdict settled it.
async fn other_legacy_probes(
    pr: &Prober,
    scans: &[VersionScan],
    best: Option<usize>,
    sni: Option<String>,
) -> Vec<(usize, u16)> {
    let mut set = Vec::new();
    for (i, s) in scans.iter().enumerate() {
        if Some(i) == best
            || s.support != Support::Supported
            || matches!(s.version, Version::Ssl2 | Version::Tls13)
            || !order_unknown(s)
        {
            continue;
        }
        let sni = sni.clone();
        set.push(async move { reversed_pick(pr, s, sni).await.map(|c| (i, c)) });
    }
    join_all(set).await.into_iter().flatten().collect()
}

/// Runs futures concurrently (the prober's semaphore bounds the connections).
pub(crate) async fn join_all<F: std::future::Future>(futs: Vec<F>) -> Vec<F::Output> {
    let mut pinned: Vec<std::pin::Pin<Box<F>>> = futs.into_iter().map(Box::pin).collect();
    let mut out: Vec<Option<F::Output>> = pinned.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, f) in pinned.iter_mut().enumerate() {
            if out[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => out[i] = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    out.into_iter().flatten().collect()
}

/// TLS_FALLBACK_SCSV on the second-highest supported version.
async fn fallback_probe(pr: &Prober, scans: &[VersionScan], sni: Option<String>) -> Option<bool> {
    let versions: Vec<&VersionScan> = scans
        .iter()
        .rev()
        .filter(|s| s.support == Support::Supported && s.version != Version::Ssl2)
        .collect();
    // A fallback needs a lower TLS ≤ 1.2 version to fall back to.
    let lower = versions.get(1)?;
    let offered: Vec<u16> = lower.accepted.iter().map(|a| a.0).collect();
    let p = HelloParams {
        sni,
        fallback_scsv: true,
        ..Default::default()
    };
    match enumerate::single(pr, lower.version, &offered, &p).await {
        Ok(Outcome::Alert(a)) => Some(a.description == wire::ALERT_INAPPROPRIATE_FALLBACK),
        Ok(Outcome::Hello(_)) => Some(false),
        _ => None,
    }
}

/// Phase-2 findings gathered across versions.
#[derive(Debug, Default)]
struct Findings {
    compression: Option<bool>,
    heartbleed: Option<vuln::ProbeFinding>,
    ccs: Option<vuln::ProbeFinding>,
}

impl Findings {
    /// Keeps the worst result of each probe: vulnerable over unknown over not vulnerable.
    fn add(&mut self, hb: Option<vuln::ProbeFinding>, ccs: Option<vuln::ProbeFinding>) {
        fn rank(f: &vuln::ProbeFinding) -> u8 {
            match f.vulnerable {
                Some(true) => 2,
                None => 1,
                Some(false) => 0,
            }
        }
        for (slot, new) in [(&mut self.heartbleed, hb), (&mut self.ccs, ccs)] {
            if let Some(n) = new
                && slot.as_ref().is_none_or(|old| rank(&n) > rank(old))
            {
                *slot = Some(n);
            }
        }
    }

    /// Writes the handshake-level findings into `w`.
    fn apply(self, scans: &[VersionScan], w: &mut weakness::Weaknesses) {
        let legacy_flights: Vec<&wire::ServerFlight> = scans
            .iter()
            .filter(|s| s.version != Version::Tls13)
            .flat_map(|s| &s.flights)
            .collect();
        if !legacy_flights.is_empty() {
            w.secure_renegotiation = Some(
                legacy_flights
                    .iter()
                    .any(|f| f.hello.extension(wire::EXT_RENEGOTIATION_INFO).is_some()),
            );
            w.heartbeat_extension =
                Some(legacy_flights.iter().any(|f| vuln::heartbeat_negotiated(f)));
        }
        w.crime_compression = self.compression;
        w.heartbleed = self.heartbleed;
        w.ccs_injection = self.ccs;
    }
}

/// Per-version results and the notes collected while enumerating.
fn protocol_results(scans: &[VersionScan]) -> (Vec<ProtocolResult>, Vec<String>) {
    let mut notes = Vec::new();
    let mut protocols = Vec::new();
    for s in scans {
        notes.extend(
            s.notes
                .iter()
                .map(|n| format!("{}: {n}", s.version.label())),
        );
        let (status, reason) = match &s.support {
            Support::Supported => (SupportStatus::Supported, None),
            Support::NotSupported => (SupportStatus::NotSupported, None),
            Support::Inconclusive(r) => (SupportStatus::Inconclusive, Some(r.clone())),
        };
        let suites: Vec<SuiteResult> = if s.version == Version::Ssl2 {
            s.sslv2_specs
                .iter()
                .filter_map(|c| {
                    suites::table()
                        .iter()
                        .find(|t| t.code == *c && t.is_sslv2())
                })
                .map(|t| SuiteResult::from_suite(t, None))
                .collect()
        } else {
            s.accepted
                .iter()
                .filter_map(|(c, kx)| suites::by_code(*c).map(|t| SuiteResult::from_suite(t, *kx)))
                .collect()
        };
        protocols.push(ProtocolResult {
            version: s.version,
            name: s.version.label(),
            status,
            reason,
            server_preference: s.server_preference,
            suites,
        });
    }
    (protocols, notes)
}

/// Groups with the versions each was accepted with.
fn group_results(scans: &[VersionScan]) -> Vec<GroupResult> {
    let mut group_map: BTreeMap<u16, Vec<Version>> = BTreeMap::new();
    for s in scans.iter().filter(|s| s.support == Support::Supported) {
        for g in &s.groups {
            let e = group_map.entry(*g).or_default();
            if !e.contains(&s.version) {
                e.push(s.version);
            }
        }
    }
    group_map
        .into_iter()
        .map(|(code, mut versions)| {
            versions.sort();
            GroupResult {
                code: format!("0x{code:04x}"),
                name: suites::group_name(code),
                versions,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_parsing() {
        let t = Target::parse("pemda.example.go.id").expect("name");
        assert_eq!(
            (t.host.as_str(), t.port, t.ip),
            ("pemda.example.go.id", 443, None)
        );
        let t = Target::parse("127.0.0.1:8443").expect("v4");
        assert_eq!(t.port, 8443);
        assert!(t.ip.is_some());
        let t = Target::parse("[::1]:4443").expect("v6");
        assert_eq!((t.host.as_str(), t.port), ("::1", 4443));
        assert_eq!(Target::parse("::1").expect("bare v6").port, 443);
        assert!(Target::parse("host:notaport").is_err());
        assert!(Target::parse("").is_err());
    }
}
