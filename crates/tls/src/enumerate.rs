//! Protocol, cipher-suite and group enumeration with the fewest handshakes: offer many, drop the chosen one, repeat.

use crate::probe::{Outcome, ProbeError, Prober};
use crate::suites::{self, GROUPS, SIGNATURE_ALGORITHMS};
use crate::wire::{
    self, ClientHelloSpec, Extension, KxParams, SCSV_FALLBACK, SCSV_RENEGOTIATION, ServerFlight,
    Version,
};
use std::sync::Arc;
use tokio::task::JoinSet;

/// Options that vary between probes for one target.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HelloParams {
    /// Server name for SNI (omitted when `None`).
    pub sni: Option<String>,
    /// Groups for supported_groups; empty means the default list.
    pub groups: Vec<u16>,
    /// Send no key share so a TLS 1.3 server must answer with a HelloRetryRequest naming its group.
    pub empty_key_share: bool,
    /// Offer DEFLATE compression (CRIME check).
    pub compression: bool,
    /// Add TLS_FALLBACK_SCSV.
    pub fallback_scsv: bool,
    /// Offer ALPN "h2" and "http/1.1" and an empty session ticket, as browsers do.
    pub browser_extensions: bool,
    /// signature_algorithms for TLS 1.2 and 1.3; empty means the broad default list.
    pub signature_algorithms: Vec<u16>,
}

/// ALPN extension type.
pub const EXT_ALPN: u16 = 16;
/// Session ticket extension type.
pub const EXT_SESSION_TICKET: u16 = 35;
/// Protocols offered with ALPN, in browser order.
pub const ALPN_OFFER: [&str; 2] = ["h2", "http/1.1"];

/// The ALPN extension body for [`ALPN_OFFER`].
fn alpn_body() -> Vec<u8> {
    let mut list = Vec::new();
    for p in ALPN_OFFER {
        list.push(p.len() as u8);
        list.extend_from_slice(p.as_bytes());
    }
    let mut body = (list.len() as u16).to_be_bytes().to_vec();
    body.extend(list);
    body
}

/// The protocol a ServerHello's ALPN extension selected.
pub fn alpn_selected(hello: &wire::ServerHello) -> Option<String> {
    let body = hello.extension(EXT_ALPN)?;
    let name = body.get(3..3 + usize::from(*body.get(2)?))?;
    Some(String::from_utf8_lossy(name).into_owned())
}

/// Groups offered by default for TLS 1.0–1.2 (elliptic curves only; FFDHE there is negotiated by the suite).
pub(crate) fn default_legacy_groups() -> Vec<u16> {
    GROUPS.iter().map(|g| g.0).filter(|c| *c < 0x0100).collect()
}

/// Groups offered by default for TLS 1.3.
fn default_tls13_groups() -> Vec<u16> {
    GROUPS
        .iter()
        .map(|g| g.0)
        .filter(|c| !(0x0001..=0x001c).contains(c) || matches!(c, 0x0017..=0x0019))
        .collect()
}

/// Builds the ClientHello record for one probe (pure).
pub fn build_hello(version: Version, suites_offered: &[u16], p: &HelloParams) -> Vec<u8> {
    let mut cipher_suites = suites_offered.to_vec();
    if version != Version::Tls13 {
        cipher_suites.push(SCSV_RENEGOTIATION);
    }
    if p.fallback_scsv {
        cipher_suites.push(SCSV_FALLBACK);
    }
    let compression_methods = if p.compression { vec![1, 0] } else { vec![0] };
    let sni = p
        .sni
        .as_ref()
        .filter(|s| !s.is_empty() && s.parse::<std::net::IpAddr>().is_err());
    let sig_algs = if p.signature_algorithms.is_empty() {
        SIGNATURE_ALGORITHMS.to_vec()
    } else {
        p.signature_algorithms.clone()
    };
    let mut exts = Vec::new();
    if let Some(name) = sni {
        exts.push(Extension::ServerName(name.clone()));
    }
    let (record_version, client_version, session_id) = match version {
        // SSLv3 servers predate extensions; some reject hellos that carry them.
        Version::Ssl3 => (0x0300, 0x0300, vec![]),
        Version::Tls13 => (0x0301, 0x0303, vec![0x5a; 32]),
        v => (0x0301, v.wire(), vec![]),
    };
    let extensions = if version == Version::Ssl3 {
        None
    } else if version == Version::Tls13 {
        let groups = if p.groups.is_empty() {
            default_tls13_groups()
        } else {
            p.groups.clone()
        };
        let shares = if !p.empty_key_share && groups.contains(&0x001d) {
            vec![(0x001d, wire::X25519_SHARE.to_vec())]
        } else {
            vec![]
        };
        exts.push(Extension::SupportedVersions(vec![0x0304]));
        exts.push(Extension::SupportedGroups(groups));
        exts.push(Extension::SignatureAlgorithms(sig_algs));
        exts.push(Extension::PskKeyExchangeModes);
        exts.push(Extension::KeyShare(shares));
        Some(exts)
    } else {
        let groups = if p.groups.is_empty() {
            default_legacy_groups()
        } else {
            p.groups.clone()
        };
        exts.push(Extension::SupportedGroups(groups));
        exts.push(Extension::EcPointFormats);
        if version == Version::Tls12 {
            exts.push(Extension::SignatureAlgorithms(sig_algs));
        }
        exts.push(Extension::RenegotiationInfo);
        exts.push(Extension::StatusRequest);
        exts.push(Extension::Raw(wire::EXT_SCT, Vec::new()));
        exts.push(Extension::Heartbeat);
        if p.browser_extensions {
            exts.push(Extension::Raw(EXT_ALPN, alpn_body()));
            exts.push(Extension::Raw(EXT_SESSION_TICKET, Vec::new()));
        }
        Some(exts)
    };
    wire::client_hello_record(&ClientHelloSpec {
        record_version,
        client_version,
        random: [0x4b; 32],
        session_id,
        cipher_suites,
        compression_methods,
        extensions,
    })
}

/// Classifies a suite's ServerKeyExchange for the parser.
pub fn ske_kind(code: u16) -> Option<bool> {
    suites::by_code(code).and_then(|s| s.ske_is_ecdhe())
}

/// Whether a version is offered, refused, or could not be determined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Support {
    /// The server negotiated it.
    Supported,
    /// The server refused it.
    NotSupported,
    /// No clear answer (reason).
    Inconclusive(String),
}

/// Raw enumeration result for one version.
#[derive(Debug, Clone)]
pub struct VersionScan {
    /// Version probed.
    pub version: Version,
    /// Outcome.
    pub support: Support,
    /// Accepted suites in the order the server chose them, with ServerKeyExchange details.
    pub accepted: Vec<(u16, Option<KxParams>)>,
    /// SSLv2 cipher specs offered by the server.
    pub sslv2_specs: Vec<u32>,
    /// Server enforces its own order (`None` if fewer than two suites or undetermined).
    pub server_preference: Option<bool>,
    /// Key-exchange groups accepted: all of them for TLS 1.3 and where [`enumerate_more_groups`]
    /// ran, otherwise those seen while enumerating suites.
    pub groups: Vec<u16>,
    /// Flights seen (kept for certificate, renegotiation, heartbeat and OCSP evidence).
    pub flights: Vec<ServerFlight>,
    /// Problems after the version was established.
    pub notes: Vec<String>,
    /// What the version's first hello answered besides its suite (TLS ≤ 1.2).
    pub first: Option<FirstHello>,
    /// ROBOT reactions to the premaster variants sent, in variant order, after this version's
    /// RSA key-exchange answers (TLS 1.2 only; see `robot::ride`).
    pub robot: Vec<String>,
    /// Hellos sent for this version (counted for TLS 1.3, where suites and groups share them).
    pub hellos: u32,
}

/// The questions a version's first hello answers on the side: it offers DEFLATE, ALPN and an
/// empty session ticket as a browser does, and the vulnerability follow-up rides on its flight.
#[derive(Debug, Clone, Default)]
pub struct FirstHello {
    /// The server chose DEFLATE compression (CRIME).
    pub compression: bool,
    /// ALPN protocol selected (None for SSL 3.0, which has no extensions).
    pub alpn: Option<String>,
    /// The server acknowledged the session ticket extension (None for SSL 3.0).
    pub session_tickets: Option<bool>,
    /// Heartbleed, judged from the follow-up.
    pub heartbleed: Option<crate::vuln::ProbeFinding>,
    /// CCS injection, judged from the follow-up.
    pub ccs: Option<crate::vuln::ProbeFinding>,
}

impl VersionScan {
    fn new(version: Version) -> Self {
        VersionScan {
            version,
            support: Support::NotSupported,
            accepted: Vec::new(),
            sslv2_specs: Vec::new(),
            server_preference: None,
            groups: Vec::new(),
            flights: Vec::new(),
            notes: Vec::new(),
            first: None,
            robot: Vec::new(),
            hellos: 0,
        }
    }

    /// Hellos beyond what listing the suites alone costs (one per accepted suite, the refusal
    /// that ends them, and the preference test when the picks did not settle it): what listing
    /// every TLS 1.3 group added, reported apart like the other capability lists.
    pub fn group_listing_hellos(&self) -> u32 {
        let n = self.accepted.len() as u32;
        let preference = u32::from(n >= 2 && !self.picks_prove_server_order());
        self.hellos.saturating_sub(n + 1 + preference)
    }

    /// Records a probe error: the version is undetermined if nothing was accepted yet.
    fn stopped(&mut self, first: bool, e: &ProbeError) {
        if first {
            self.support = Support::Inconclusive(e.to_string());
        } else {
            self.notes.push(format!("enumeration stopped early: {e}"));
        }
    }

    /// Accepted suite codes in the reverse of the order they were chosen (the server-preference test).
    pub fn reversed(&self) -> Vec<u16> {
        self.accepted.iter().rev().map(|a| a.0).collect()
    }

    /// Records the answer to a hello that offered the accepted suites in reverse order.
    pub fn judge_preference(&mut self, chosen: u16) {
        let reversed = self.reversed();
        if reversed.len() < 2 {
            return;
        }
        self.server_preference = Some(chosen != reversed[0]);
        if chosen != self.accepted[0].0 && chosen != reversed[0] {
            self.notes
                .push("server order depends on the client's offer (mixed preference)".into());
        }
    }

    /// True when the server's picks did not follow the order of the client's offers, which a
    /// server honouring the client's order never does: its own preference is then proven without
    /// a further hello (mixed orders are caught by the explicit test, which still runs otherwise).
    pub fn picks_prove_server_order(&self) -> bool {
        let offer = suites::offer_list(self.version);
        let rank = |c: u16| offer.iter().position(|x| *x == c);
        let ranks: Vec<Option<usize>> = self.accepted.iter().map(|a| rank(a.0)).collect();
        ranks
            .windows(2)
            .any(|w| matches!((w[0], w[1]), (Some(a), Some(b)) if a > b))
    }

    /// Whether this version's picks came in the same relative order as `other`'s (on the suites
    /// both accepted): a server whose order was established on one version and whose picks on
    /// another agree with it is using that order there too (the setting is server-wide).
    pub fn picks_agree_with(&self, other: &VersionScan) -> bool {
        let common: Vec<u16> = self
            .accepted
            .iter()
            .map(|a| a.0)
            .filter(|c| other.accepted.iter().any(|o| o.0 == *c))
            .collect();
        let theirs: Vec<u16> = other
            .accepted
            .iter()
            .map(|a| a.0)
            .filter(|c| common.contains(c))
            .collect();
        common.len() >= 2 && common == theirs
    }

    /// ECDHE suites among the accepted ones.
    pub fn ecdhe_suites(&self) -> Vec<u16> {
        self.accepted
            .iter()
            .map(|a| a.0)
            .filter(|c| ske_kind(*c) == Some(true))
            .collect()
    }
}

/// Groups to offer next: the unseen ones first, then one known group so ECDHE suites stay usable.
///
/// A server that follows the client's group order then reveals a new group with every ECDHE answer,
/// and one that follows its own order still negotiates, so suite enumeration is never distorted.
pub(crate) fn groups_unseen_first(all: &[u16], seen: &[u16]) -> Vec<u16> {
    let mut out: Vec<u16> = all.iter().copied().filter(|g| !seen.contains(g)).collect();
    out.extend(seen.first());
    out
}

/// Probes SSL 2.0 with one SSLv2 CLIENT-HELLO.
async fn enumerate_sslv2(pr: &Prober) -> VersionScan {
    let mut scan = VersionScan::new(Version::Ssl2);
    let specs = suites::sslv2_specs();
    let hello = wire::sslv2_client_hello(0x0002, &specs, &[0x4b; 16]);
    match pr.sslv2_hello(&hello).await {
        Ok(Outcome::Sslv2(h)) => {
            scan.support = Support::Supported;
            scan.sslv2_specs = h.cipher_specs;
        }
        Ok(_) => {}
        // Modern stacks often reset or send garbage-looking TLS on an SSLv2 hello; that is a "no".
        Err(ProbeError::Wire(_)) | Err(ProbeError::Truncated(_)) => {}
        Err(e) => scan.support = Support::Inconclusive(e.to_string()),
    }
    scan
}

/// Offers `version` (SSL 3.0 – TLS 1.2) repeatedly, removing each chosen suite, until the server refuses.
///
/// Groups seen in ServerKeyExchange messages are collected on the way; the server-preference test
/// is left to the caller, which folds it into another probe where it can.
pub async fn enumerate_version(
    pr: Arc<Prober>,
    version: Version,
    sni: Option<String>,
) -> VersionScan {
    match version {
        Version::Ssl2 => return enumerate_sslv2(&pr).await,
        Version::Tls13 => return enumerate_tls13(&pr, sni).await,
        _ => {}
    }
    let mut scan = VersionScan::new(version);
    let all_groups = default_legacy_groups();
    let mut remaining = suites::offer_list(version);
    let mut schemes_seen: Vec<u16> = Vec::new();
    let mut robot_riding = true;
    while !remaining.is_empty() {
        let first = scan.accepted.is_empty();
        // Unseen groups and signature schemes first, one known one last: a server following the
        // client's order reveals a new one with every answer, and none is ever left without a
        // usable choice, so the suite it picks is unchanged.
        let params = HelloParams {
            sni: sni.clone(),
            groups: groups_unseen_first(&all_groups, &scan.groups),
            signature_algorithms: if version == Version::Tls12 && !schemes_seen.is_empty() {
                groups_unseen_first(SIGNATURE_ALGORITHMS, &schemes_seen)
            } else {
                Vec::new()
            },
            compression: first,
            browser_extensions: first && version != Version::Ssl3,
            ..Default::default()
        };
        let hello = build_hello(version, &remaining, &params);
        let answer = if first {
            first_hello(pr.as_ref(), &hello, version, &mut scan).await
        } else if version == Version::Tls12 && robot_riding {
            // ROBOT's premaster variants ride on RSA key-exchange answers; a server that lets
            // one go unanswered until the deadline gets the rest in parallel later instead.
            let i = scan.robot.len();
            pr.hello_then(&hello, ske_kind, |f| crate::robot::ride(f, i))
                .await
                .map(|(outcome, reaction)| {
                    if let Some(r) = reaction {
                        robot_riding = !r.timed_out && i + 1 < crate::robot::VARIANTS.len();
                        scan.robot.push(crate::robot::signature(&r));
                    }
                    outcome
                })
        } else {
            pr.hello(&hello, ske_kind).await
        };
        match answer {
            Ok(Outcome::Hello(f)) => {
                let negotiated = f.hello.negotiated_version();
                if negotiated != version.wire() {
                    if first {
                        // Picking another version means this one is not offered.
                        scan.notes.push(format!(
                            "server answered a {} hello with version 0x{negotiated:04x}",
                            version.label()
                        ));
                    } else {
                        scan.notes
                            .push("server switched version mid-enumeration".into());
                    }
                    break;
                }
                let chosen = f.hello.cipher_suite;
                let Some(pos) = remaining.iter().position(|c| *c == chosen) else {
                    scan.notes.push(format!(
                        "server chose suite 0x{chosen:04x} that was not offered"
                    ));
                    if first {
                        scan.support = Support::Inconclusive(format!(
                            "server chose suite 0x{chosen:04x} that was not offered"
                        ));
                    }
                    break;
                };
                remaining.remove(pos);
                scan.support = Support::Supported;
                if let Some(KxParams::Ecdhe { group }) = f.kx
                    && !scan.groups.contains(&group)
                {
                    scan.groups.push(group);
                }
                if let Some(sig) = f.ske_signature
                    && !schemes_seen.contains(&sig)
                {
                    schemes_seen.push(sig);
                }
                scan.accepted.push((chosen, f.kx));
                scan.flights.push(*f);
            }
            Ok(_) => break,
            Err(e) => {
                scan.stopped(first, &e);
                break;
            }
        }
    }
    scan
}

/// Sends a version's first hello and, when the server answers it, the vulnerability follow-up
/// on the same connection; the side answers go to `scan.first`.
async fn first_hello(
    pr: &Prober,
    hello: &[u8],
    version: Version,
    scan: &mut VersionScan,
) -> Result<Outcome, ProbeError> {
    let (outcome, reaction) = pr
        .hello_then(hello, ske_kind, crate::vuln::follow_up)
        .await?;
    if let Outcome::Hello(f) = &outcome
        && f.hello.negotiated_version() == version.wire()
    {
        let label = version.label();
        let extensions = version != Version::Ssl3;
        scan.first = Some(FirstHello {
            compression: f.hello.compression == 1,
            alpn: alpn_selected(&f.hello).filter(|_| extensions),
            session_tickets: extensions.then(|| f.hello.extension(EXT_SESSION_TICKET).is_some()),
            heartbleed: reaction.as_ref().map(|r| {
                crate::vuln::judge_heartbleed(label, crate::vuln::heartbeat_negotiated(f), r)
            }),
            ccs: reaction.as_ref().map(|r| crate::vuln::judge_ccs(label, r)),
        });
    }
    Ok(outcome)
}

/// TLS 1.3: suites and groups from hellos without a key share.
///
/// Each HelloRetryRequest names both a suite and a group. While suites are enumerated, the unseen
/// groups are offered first with one known group last, so a refusal means "no suite left" and a
/// server that follows the client's group order reveals a new group with every answer. A server
/// that answers with a known group follows its own order; it is then offered the unseen groups
/// only, so each answer still reveals one (the suite it picks does not depend on the group), and
/// a refusal, which may mean either list ran out, is settled by the next hellos. Then the
/// accepted suites, in reverse order (the server-preference test), are offered with the unseen
/// groups only until the server refuses.
async fn enumerate_tls13(pr: &Prober, sni: Option<String>) -> VersionScan {
    let mut scan = VersionScan::new(Version::Tls13);
    let all_groups = default_tls13_groups();
    let mut rem_suites = suites::offer_list(Version::Tls13);
    let mut suites_done = false;
    // The server picked a known group although unseen ones came first: it follows its own
    // group order, so only unseen groups are offered from then on.
    let mut unseen_only = false;
    // A hello offering only unseen groups was refused: the suites or the groups ran out.
    let mut suites_unsure = false;
    let mut groups_done = false;
    let budget = rem_suites.len() + all_groups.len() + 4;
    for _ in 0..budget {
        suites_done |= rem_suites.is_empty();
        let unseen: Vec<u16> = all_groups
            .iter()
            .copied()
            .filter(|g| !groups_done && !scan.groups.contains(g))
            .collect();
        if suites_done && (unseen.is_empty() || scan.accepted.is_empty()) {
            break;
        }
        let restricted = !suites_done && unseen_only && !unseen.is_empty();
        let (offered, groups) = if suites_done {
            (scan.reversed(), unseen.clone())
        } else if restricted {
            (rem_suites.clone(), unseen.clone())
        } else if groups_done {
            (rem_suites.clone(), scan.groups.clone())
        } else {
            (
                rem_suites.clone(),
                groups_unseen_first(&all_groups, &scan.groups),
            )
        };
        let params = HelloParams {
            sni: sni.clone(),
            groups,
            empty_key_share: true,
            ..Default::default()
        };
        let first = scan.accepted.is_empty();
        scan.hellos += 1;
        let answer = pr
            .hello(&build_hello(Version::Tls13, &offered, &params), ske_kind)
            .await;
        let f = match answer {
            Ok(Outcome::Hello(f)) if f.hello.negotiated_version() == 0x0304 => f,
            Ok(Outcome::Hello(f)) => {
                scan.notes.push(if first {
                    format!(
                        "server answered a TLS 1.3 hello with version 0x{:04x}",
                        f.hello.negotiated_version()
                    )
                } else {
                    "server switched version mid-enumeration".into()
                });
                break;
            }
            // The accepted suites with every unseen group were refused: the groups ran out;
            // whether the suites did too is asked with the known groups.
            Ok(_) if suites_done && suites_unsure => {
                (suites_done, suites_unsure, groups_done) = (false, false, true);
                continue;
            }
            Ok(_) if suites_done => break,
            Ok(_) => {
                suites_done = true;
                suites_unsure = restricted;
                continue;
            }
            Err(e) => {
                scan.stopped(first, &e);
                break;
            }
        };
        let chosen = f.hello.cipher_suite;
        if let Some(g) = f.hello.key_share_group()
            && !suites_done
            && !restricted
            && !unseen.is_empty()
            && scan.groups.contains(&g)
        {
            unseen_only = true;
        }
        if suites_done {
            // An unseen group answered: the refusal before this was about the suites.
            suites_unsure = false;
            if scan.server_preference.is_none() {
                scan.judge_preference(chosen);
            }
        } else if let Some(pos) = rem_suites.iter().position(|c| *c == chosen) {
            rem_suites.remove(pos);
            scan.support = Support::Supported;
            scan.accepted.push((chosen, None));
        } else {
            let note = format!("server chose suite 0x{chosen:04x} that was not offered");
            if first {
                scan.support = Support::Inconclusive(note.clone());
            }
            scan.notes.push(note);
            break;
        }
        match f.hello.key_share_group() {
            Some(g) if params.groups.contains(&g) => {
                if !scan.groups.contains(&g) {
                    scan.groups.push(g);
                }
            }
            other => {
                scan.notes.push(format!(
                    "server named group {other:04x?} that was not offered"
                ));
                break;
            }
        }
        scan.flights.push(*f);
    }
    if scan.accepted.len() >= 2 && scan.server_preference.is_none() {
        let params = HelloParams {
            sni,
            groups: scan.groups.clone(),
            empty_key_share: true,
            ..Default::default()
        };
        scan.hellos += 1;
        if let Ok(Outcome::Hello(f)) = pr
            .hello(
                &build_hello(Version::Tls13, &scan.reversed(), &params),
                ske_kind,
            )
            .await
        {
            scan.judge_preference(f.hello.cipher_suite);
        }
    }
    scan
}

/// Sends one hello and returns the flight, if the server answered with a hello.
pub async fn single(
    pr: &Prober,
    version: Version,
    suites_offered: &[u16],
    p: &HelloParams,
) -> Result<Outcome, ProbeError> {
    pr.hello(&build_hello(version, suites_offered, p), ske_kind)
        .await
}

/// Runs every version's enumeration concurrently.
///
/// SSL 3.0 and TLS 1.0 are probed only when the TLS 1.1 hello did not settle them: servers answer
/// with the highest version they share with the client, so a server that negotiates TLS 1.2 or 1.3
/// and refuses a TLS 1.1 hello outright negotiates nothing lower either. A TLS 1.1 hello answered
/// with TLS 1.0 or SSL 3.0, or any doubt, sends both probes, as soon as TLS 1.1 is done.
pub async fn enumerate_all(pr: Arc<Prober>, sni: Option<String>) -> Vec<VersionScan> {
    let lower = [Version::Ssl3, Version::Tls10];
    let spawn = |set: &mut JoinSet<VersionScan>, v: Version| {
        set.spawn(enumerate_version(pr.clone(), v, sni.clone()));
    };
    let mut set = JoinSet::new();
    for v in Version::ALL.into_iter().filter(|v| !lower.contains(v)) {
        spawn(&mut set, v);
    }
    let refused = |s: &VersionScan| s.support == Support::NotSupported && s.notes.is_empty();
    let mut lower_started = false;
    let mut out = Vec::new();
    while let Some(r) = set.join_next().await {
        let Ok(scan) = r else { continue };
        // TLS 1.1 not plainly refused: the lower versions need their own hellos anyway.
        if scan.version == Version::Tls11 && !refused(&scan) {
            lower_started = true;
            for v in lower {
                spawn(&mut set, v);
            }
        }
        out.push(scan);
    }
    if !lower_started {
        let find = |v: Version| out.iter().find(|s| s.version == v);
        let higher = [Version::Tls12, Version::Tls13]
            .into_iter()
            .any(|v| find(v).is_some_and(|s| s.support == Support::Supported));
        if higher && find(Version::Tls11).is_some_and(refused) {
            for v in lower {
                let mut s = VersionScan::new(v);
                s.notes.push(
                    "not probed separately: the server refused a TLS 1.1 hello while negotiating a higher version"
                        .into(),
                );
                out.push(s);
            }
        } else {
            for v in lower {
                spawn(&mut set, v);
            }
            while let Some(r) = set.join_next().await {
                if let Ok(scan) = r {
                    out.push(scan);
                }
            }
        }
    }
    out.sort_by_key(|s| s.version);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls13_hello_offers_share_and_versions() {
        let rec = build_hello(Version::Tls13, &[0x1301], &HelloParams::default());
        // Record header, handshake header, legacy version 0x0303.
        assert_eq!(&rec[..3], &[0x16, 0x03, 0x01]);
        assert_eq!(rec[5], 1);
        assert_eq!(&rec[9..11], &[0x03, 0x03]);
        let s = rec
            .windows(2)
            .position(|w| w == [0x00, 0x2b])
            .expect("supported_versions");
        assert_eq!(&rec[s..s + 7], &[0x00, 0x2b, 0x00, 0x03, 0x02, 0x03, 0x04]);
        assert!(rec.windows(32).any(|w| w == wire::X25519_SHARE));
    }

    #[test]
    fn sslv3_hello_has_no_extensions_but_scsv() {
        let rec = build_hello(Version::Ssl3, &[0x000a], &HelloParams::default());
        assert_eq!(&rec[..3], &[0x16, 0x03, 0x00]);
        let len = rec.len();
        // Suites then compression as the final bytes: no extension block.
        assert_eq!(
            &rec[len - 8..],
            &[0x00, 0x04, 0x00, 0x0a, 0x00, 0xff, 0x01, 0x00]
        );
    }
}
