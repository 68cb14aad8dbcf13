//! TLS configuration evaluation: raw handshake probes, cipher-suite enumeration, certificate analysis, grading.

#![warn(missing_docs)]

pub mod cert;
pub mod checklist;
pub mod enumerate;
pub mod grade;
pub mod probe;
pub mod render;
pub mod report;
pub mod suites;
pub mod weakness;
pub mod wire;

pub use checklist::{ItemOutcome, Status, checklist_outcomes, hsts_outcome, redirects_to_https};
pub use render::{Lang, render_table};
pub use report::TlsReport;

use enumerate::{HelloParams, Support, VersionScan};
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanOptions {
    /// TCP connect timeout per connection.
    pub connect_timeout: Duration,
    /// Deadline for a server's answer to one hello.
    pub read_timeout: Duration,
    /// Maximum simultaneous connections to the target.
    pub max_concurrency: usize,
    /// Extra trusted CA certificates (PEM), e.g. a government internal CA.
    pub extra_ca_pem: Option<Vec<u8>>,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            connect_timeout: Duration::from_secs(5),
            read_timeout: Duration::from_secs(5),
            max_concurrency: 8,
            extra_ca_pem: None,
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
    let pr = Arc::new(Prober::new(
        addr,
        opts.connect_timeout,
        opts.read_timeout,
        opts.max_concurrency,
    ));
    // One plain connect first, so an unreachable port is an error rather than a report full of "inconclusive".
    drop(
        pr.connect()
            .await
            .map_err(|e| Error::Connect(addr, e.to_string()))?,
    );
    let name = target.server_name();
    let sni = Some(name.clone()).filter(|n| n.parse::<IpAddr>().is_err());

    // Phase 1: every version, TLS 1.3 groups and the certificate handshake at once.
    let tls13_groups_fut = enumerate::enumerate_groups(
        pr.clone(),
        Version::Tls13,
        suites::offer_list(Version::Tls13),
        sni.clone(),
    );
    // TLS 1.2 curves are probed speculatively too: most servers speak TLS 1.2, and this keeps the
    // curve loop off the critical path. Older-only servers get a second pass in phase 2.
    let ecdhe12: Vec<u16> = suites::offer_list(Version::Tls12)
        .into_iter()
        .filter(|c| enumerate::ske_kind(*c) == Some(true))
        .collect();
    let tls12_groups_fut =
        enumerate::enumerate_groups(pr.clone(), Version::Tls12, ecdhe12, sni.clone());
    let (scans, tls13_groups, tls12_groups, fetched) = tokio::join!(
        enumerate::enumerate_all(pr.clone(), sni.clone()),
        tls13_groups_fut,
        tls12_groups_fut,
        cert::fetch_chain(addr, &name, opts.connect_timeout, opts.read_timeout),
    );
    let supported = |v: Version| {
        scans
            .iter()
            .find(|s| s.version == v && s.support == Support::Supported)
    };
    let tls13_groups = if supported(Version::Tls13).is_some() {
        tls13_groups
    } else {
        Vec::new()
    };

    // Phase 2: probes that depend on what phase 1 found.
    let best_legacy = [
        Version::Tls12,
        Version::Tls11,
        Version::Tls10,
        Version::Ssl3,
    ]
    .into_iter()
    .find_map(supported);
    let legacy_groups_fut = async {
        let Some(s) = best_legacy else {
            return Vec::new();
        };
        if s.version == Version::Tls12 {
            return tls12_groups.clone();
        }
        let ecdhe: Vec<u16> = s
            .accepted
            .iter()
            .map(|a| a.0)
            .filter(|c| enumerate::ske_kind(*c) == Some(true))
            .collect();
        if ecdhe.is_empty() || s.version == Version::Ssl3 {
            return Vec::new();
        }
        enumerate::enumerate_groups(pr.clone(), s.version, ecdhe, sni.clone()).await
    };
    let compression_fut = async {
        let s = best_legacy?;
        let offered: Vec<u16> = s.accepted.iter().map(|a| a.0).collect();
        let p = HelloParams {
            sni: sni.clone(),
            compression: true,
            ..Default::default()
        };
        match enumerate::single(&pr, s.version, &offered, &p).await {
            Ok(Outcome::Hello(f)) => Some(f.hello.compression == 1),
            Ok(_) => Some(false),
            Err(_) => None,
        }
    };
    let fallback_fut = async {
        let versions: Vec<&VersionScan> = [
            Version::Tls13,
            Version::Tls12,
            Version::Tls11,
            Version::Tls10,
            Version::Ssl3,
        ]
        .into_iter()
        .filter_map(supported)
        .collect();
        // A fallback needs a lower TLS ≤ 1.2 version to fall back to.
        let lower = versions.get(1)?;
        let offered: Vec<u16> = lower.accepted.iter().map(|a| a.0).collect();
        let p = HelloParams {
            sni: sni.clone(),
            fallback_scsv: true,
            ..Default::default()
        };
        match enumerate::single(&pr, lower.version, &offered, &p).await {
            Ok(Outcome::Alert(a)) => Some(a.description == wire::ALERT_INAPPROPRIATE_FALLBACK),
            Ok(Outcome::Hello(_)) => Some(false),
            _ => None,
        }
    };
    let (legacy_groups, compression, fallback) =
        tokio::join!(legacy_groups_fut, compression_fut, fallback_fut);

    // Assemble.
    let mut notes = Vec::new();
    let mut protocols = Vec::new();
    for s in &scans {
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
    let mut group_map: BTreeMap<u16, Vec<Version>> = BTreeMap::new();
    for g in &tls13_groups {
        group_map.entry(*g).or_default().push(Version::Tls13);
    }
    if let Some(s) = best_legacy {
        for g in &legacy_groups {
            group_map.entry(*g).or_default().push(s.version);
        }
    }
    for s in &scans {
        for (_, kx) in &s.accepted {
            if let Some(KxParams::Ecdhe { group }) = kx {
                let e = group_map.entry(*group).or_default();
                if !e.contains(&s.version) {
                    e.push(s.version);
                }
            }
        }
    }
    let groups: Vec<GroupResult> = group_map
        .into_iter()
        .map(|(code, mut versions)| {
            versions.sort();
            GroupResult {
                code: format!("0x{code:04x}"),
                name: suites::group_name(code),
                versions,
            }
        })
        .collect();
    let dh_min_bits = scans
        .iter()
        .flat_map(|s| &s.accepted)
        .filter_map(|(_, kx)| match kx {
            Some(KxParams::Dhe { prime_bits }) => Some(*prime_bits),
            _ => None,
        })
        .min();

    // Handshake-level weakness evidence from TLS ≤ 1.2 flights.
    let legacy_flights: Vec<&wire::ServerFlight> = scans
        .iter()
        .filter(|s| s.version != Version::Tls13)
        .flat_map(|s| &s.flights)
        .collect();
    let mut weaknesses = weakness::from_protocols(&protocols);
    if !legacy_flights.is_empty() {
        weaknesses.secure_renegotiation = Some(
            legacy_flights
                .iter()
                .any(|f| f.hello.extension(wire::EXT_RENEGOTIATION_INFO).is_some()),
        );
        weaknesses.heartbeat_extension = Some(
            legacy_flights
                .iter()
                .any(|f| f.hello.extension(wire::EXT_HEARTBEAT).is_some()),
        );
    }
    weaknesses.crime_compression = compression;
    weaknesses.fallback_scsv = fallback;

    // Certificate: the rustls handshake, else the chain from the highest raw TLS ≤ 1.2 flight.
    let raw_chain = scans
        .iter()
        .rev()
        .filter(|s| s.version != Version::Tls13)
        .flat_map(|s| &s.flights)
        .find(|f| !f.certificates.is_empty())
        .map(|f| cert::FetchedChain {
            chain: f.certificates.clone(),
            ocsp_stapled: f.ocsp_stapled,
            source: "raw_handshake".into(),
        });
    let fetched = match (fetched, raw_chain) {
        (Ok(mut f), raw) => {
            // A staple seen in any flight counts.
            f.ocsp_stapled |= raw.as_ref().is_some_and(|r| r.ocsp_stapled);
            Ok(f)
        }
        (Err(_), Some(raw)) => Ok(raw),
        (Err(e), None) => Err(e),
    };
    let (certificate, certificate_error) = match fetched {
        Ok(f) => match cert::analyse(&f, &name, roots, time::OffsetDateTime::now_utc()) {
            Ok(c) => (Some(c), None),
            Err(e) => (None, Some(e)),
        },
        Err(e) => (None, Some(e)),
    };

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
        // +1 for the rustls certificate handshake.
        handshakes: pr.count() + 1,
        protocols,
        groups,
        dh_min_bits,
        certificate,
        certificate_error,
        weaknesses,
        grade,
        mozilla_profile,
        notes,
    })
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
