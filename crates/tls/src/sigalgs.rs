//! Signature algorithms the server signs its key exchange with, per protocol.
//!
//! TLS 1.2: the ServerKeyExchange names its scheme and curve in clear. The schemes and curves
//! already seen during enumeration are taken as accepted; then each hello offers only the unseen
//! ones of both, so one answer can complete both lists at once, until the server refuses. TLS
//! 1.3 signs in the encrypted CertificateVerify, so the elimination runs with complete rustls
//! handshakes.

use crate::enumerate::{self, HelloParams, Support, VersionScan};
use crate::probe::{Outcome, Prober};
use crate::resume13;
use crate::suites::{SIGNATURE_ALGORITHMS, signature_scheme_name};
use crate::wire::Version;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use serde::Serialize;
use std::sync::{Arc, Mutex};

/// Signature schemes for one protocol version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SigAlgs {
    /// Protocol version.
    pub version: Version,
    /// Schemes the server signed with, in the order it chose them from a shrinking offer (the
    /// first is its pick from the full offer).
    pub accepted: Vec<String>,
    /// Why the list may be incomplete.
    pub reason: Option<String>,
    /// Handshakes this cost.
    pub handshakes: u32,
}

/// Removes `picked` from `offer`; false when the server picked something never offered.
pub fn eliminate(offer: &mut Vec<u16>, picked: u16) -> bool {
    let before = offer.len();
    offer.retain(|s| *s != picked);
    offer.len() < before
}

/// What one TLS 1.2 capability hello offers besides the suites.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Unseen curves and unseen schemes together, on the signed suites.
    Joint,
    /// Unseen schemes with every curve, on the signed suites.
    Schemes,
    /// Unseen curves with every scheme, on the ECDHE suites.
    Curves,
}

/// One capability hello: its mode, then the suites, curves and schemes it offers.
type Offer = (Mode, Vec<u16>, Vec<u16>, Vec<u16>);

/// The state of the TLS 1.2 scheme and curve elimination (pure; the I/O is in [`tls12`]).
#[derive(Debug, Clone)]
pub struct Tls12Elimination {
    signed: Vec<u16>,
    ecdhe: Vec<u16>,
    /// Schemes seen, in the order the server chose them.
    pub schemes: Vec<u16>,
    scheme_rest: Vec<u16>,
    schemes_open: bool,
    /// Curves seen.
    pub curves: Vec<u16>,
    curve_rest: Vec<u16>,
    curves_open: bool,
    /// A joint hello was refused and no DHE suite can tell which list ran out.
    split: bool,
    /// Why a list may be incomplete.
    pub reason: Option<String>,
}

impl Tls12Elimination {
    /// Starts from what suite enumeration saw on `scan` (TLS 1.2).
    pub fn new(scan: &VersionScan) -> Self {
        let signed: Vec<u16> = scan
            .accepted
            .iter()
            .map(|a| a.0)
            .filter(|c| enumerate::ske_kind(*c).is_some())
            .filter(|c| crate::suites::by_code(*c).is_some_and(|s| !s.is_anon()))
            .collect();
        let ecdhe = scan.ecdhe_suites();
        let mut schemes = Vec::new();
        let mut scheme_rest = SIGNATURE_ALGORITHMS.to_vec();
        for s in scan.flights.iter().filter_map(|f| f.ske_signature) {
            if eliminate(&mut scheme_rest, s) {
                schemes.push(s);
            }
        }
        let curves = scan.groups.clone();
        let curve_rest: Vec<u16> = enumerate::default_legacy_groups()
            .into_iter()
            .filter(|g| !curves.contains(g))
            .collect();
        Tls12Elimination {
            schemes_open: !signed.is_empty() && !scheme_rest.is_empty(),
            curves_open: !ecdhe.is_empty() && !curve_rest.is_empty(),
            signed,
            ecdhe,
            schemes,
            scheme_rest,
            curves,
            curve_rest,
            split: false,
            reason: None,
        }
    }

    fn mode(&self) -> Option<Mode> {
        let joint_possible = self.signed.iter().any(|c| self.ecdhe.contains(c));
        match (self.schemes_open, self.curves_open) {
            (true, true) if joint_possible && !self.split => Some(Mode::Joint),
            (true, _) => Some(Mode::Schemes),
            (false, true) => Some(Mode::Curves),
            (false, false) => None,
        }
    }

    /// The next hello's suites, curves and schemes; None when both lists are complete.
    fn next(&self) -> Option<Offer> {
        let mode = self.mode()?;
        let all_curves = enumerate::default_legacy_groups();
        Some(match mode {
            Mode::Joint => (
                mode,
                self.signed.clone(),
                self.curve_rest.clone(),
                self.scheme_rest.clone(),
            ),
            Mode::Schemes => (
                mode,
                self.signed.clone(),
                all_curves,
                self.scheme_rest.clone(),
            ),
            Mode::Curves => (
                mode,
                self.ecdhe.clone(),
                self.curve_rest.clone(),
                SIGNATURE_ALGORITHMS.to_vec(),
            ),
        })
    }

    /// Takes a ServerHello's curve and scheme; false when it taught nothing (the loop stops).
    fn answered(&mut self, mode: Mode, curve: Option<u16>, scheme: Option<u16>) -> bool {
        let mut progress = false;
        if mode != Mode::Schemes
            && let Some(c) = curve
        {
            if eliminate(&mut self.curve_rest, c) {
                self.curves.push(c);
                progress = true;
            } else {
                self.reason = Some(format!(
                    "the server chose curve 0x{c:04x}, which was not offered"
                ));
                self.curves_open = false;
            }
        }
        if mode != Mode::Curves
            && let Some(s) = scheme
        {
            if eliminate(&mut self.scheme_rest, s) {
                self.schemes.push(s);
                progress = true;
                // After a refused joint hello, a new scheme proves the curves ran out.
                if self.split {
                    self.curves_open = false;
                    self.split = false;
                }
            } else {
                self.reason = Some(format!(
                    "the server signed with {} although it was not offered",
                    signature_scheme_name(s)
                ));
                self.schemes_open = false;
            }
        }
        self.curves_open &= !self.curve_rest.is_empty();
        self.schemes_open &= !self.scheme_rest.is_empty();
        progress
    }

    /// A refusal: which list it closes depends on what the hello restricted.
    fn refused(&mut self, mode: Mode) {
        let dhe = self.signed.iter().any(|c| !self.ecdhe.contains(c));
        match mode {
            // A DHE suite needs only a scheme, so a refusal with one offered closes the schemes.
            Mode::Joint if dhe => self.schemes_open = false,
            // Either list may have run out: the next hello asks about the schemes alone.
            Mode::Joint => self.split = true,
            Mode::Schemes => {
                self.schemes_open = false;
                self.split = false;
            }
            Mode::Curves => self.curves_open = false,
        }
    }
}

/// TLS 1.2 signature schemes and curves by elimination on the accepted signed suites. Each
/// hello offers only the schemes and curves not yet seen, so one answer can reveal one of each;
/// a refusal closes the list it restricted (see [`Tls12Elimination`]). Returns the schemes and
/// the complete curve list.
pub async fn tls12(
    pr: &Prober,
    scan: &VersionScan,
    sni: Option<String>,
) -> Option<(SigAlgs, Vec<u16>)> {
    if scan.version != Version::Tls12 || scan.support != Support::Supported {
        return None;
    }
    let mut e = Tls12Elimination::new(scan);
    let mut out = SigAlgs {
        version: Version::Tls12,
        accepted: Vec::new(),
        reason: None,
        handshakes: 0,
    };
    if e.signed.is_empty() {
        out.reason = Some("no accepted TLS 1.2 suite with a signed key exchange".into());
    }
    while let Some((mode, suites, curves, schemes)) = e.next() {
        let p = HelloParams {
            sni: sni.clone(),
            groups: curves,
            signature_algorithms: schemes,
            ..Default::default()
        };
        let hello = enumerate::build_hello(Version::Tls12, &suites, &p);
        out.handshakes += 1;
        match pr.hello(&hello, enumerate::ske_kind).await {
            Ok(Outcome::Hello(f)) => {
                let curve = match f.kx {
                    Some(crate::wire::KxParams::Ecdhe { group }) => Some(group),
                    _ => None,
                };
                if !e.answered(mode, curve, f.ske_signature) {
                    e.reason
                        .get_or_insert_with(|| "a ServerKeyExchange could not be read".to_string());
                    break;
                }
            }
            // A refusal: nothing left the server will sign with.
            Ok(_) => e.refused(mode),
            Err(err) => {
                e.reason = Some(format!("a probe failed: {err}"));
                break;
            }
        }
    }
    out.reason = out.reason.or(e.reason);
    out.accepted = e.schemes.into_iter().map(signature_scheme_name).collect();
    Some((out, e.curves))
}

/// Accepts any certificate and records the TLS 1.3 CertificateVerify scheme. One instance
/// serves the whole elimination: rustls offers a ticket back only under the same verifier.
#[derive(Debug, Default)]
struct SchemeCapture {
    offer: Mutex<Vec<SignatureScheme>>,
    seen: Mutex<Option<SignatureScheme>>,
}

impl ServerCertVerifier for SchemeCapture {
    fn verify_server_cert(
        &self,
        _e: &CertificateDer<'_>,
        _i: &[CertificateDer<'_>],
        _n: &ServerName<'_>,
        _o: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        _m: &[u8],
        _c: &CertificateDer<'_>,
        _d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }
    fn verify_tls13_signature(
        &self,
        _m: &[u8],
        _c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        if let Ok(mut g) = self.seen.lock() {
            *g = Some(d.scheme);
        }
        Ok(HandshakeSignatureValid::assertion())
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.offer.lock().map(|g| g.clone()).unwrap_or_default()
    }
}

/// What one TLS 1.3 handshake of the elimination showed.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Pick {
    /// The server signed with this scheme.
    Signed(SignatureScheme),
    /// The server resumed the offered ticket: no signature to see.
    Resumed,
    /// The server refused the handshake.
    Refused,
}

/// One TLS 1.3 handshake offering `offer` through `connector`, whose configuration may hold a
/// ticket store (offering a ticket back, keeping new ones). When `collect` is set, the connection stays open until the server's
/// NewSessionTickets have arrived (it is closed with close_notify and read to its end).
async fn tls13_pick(
    pr: &Prober,
    name: &ServerName<'static>,
    capture: &Arc<SchemeCapture>,
    connector: &tokio_rustls::TlsConnector,
    offer: &[SignatureScheme],
    collect: bool,
) -> Result<Pick, String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    if let (Ok(mut o), Ok(mut s)) = (capture.offer.lock(), capture.seen.lock()) {
        *o = offer.to_vec();
        *s = None;
    }
    let (_permit, tcp) = pr.connect_paced().await?;
    let result = tokio::time::timeout(pr.read_timeout, connector.connect(name.clone(), tcp)).await;
    let seen = capture.seen.lock().ok().and_then(|g| *g);
    let mut tls = match (seen, result) {
        (_, Ok(Ok(tls))) => tls,
        (Some(s), _) => return Ok(Pick::Signed(s)),
        (None, Err(_)) => return Err("the handshake did not finish within the read timeout".into()),
        (None, Ok(Err(_))) => return Ok(Pick::Refused),
    };
    if collect {
        // The tickets follow the server's Finished; rustls stores them as it reads.
        let deadline = tokio::time::Instant::now() + pr.read_timeout;
        let _ = tokio::time::timeout_at(deadline, tls.shutdown()).await;
        let mut sink = [0u8; 4096];
        while let Ok(Ok(n)) = tokio::time::timeout_at(deadline, tls.read(&mut sink)).await {
            if n == 0 {
                break;
            }
        }
    }
    let resumed = tls.get_ref().1.handshake_kind() == Some(rustls::HandshakeKind::Resumed);
    match seen {
        Some(s) => Ok(Pick::Signed(s)),
        None if resumed => Ok(Pick::Resumed),
        None => Err("the server completed the handshake without a CertificateVerify".into()),
    }
}

/// A TLS 1.3-only connector around `capture`, resuming from `store` when given. rustls offers a
/// ticket back only under the configuration that received it, so one is made per store.
fn tls13_connector(
    capture: &Arc<SchemeCapture>,
    store: Option<Arc<resume13::TicketStore>>,
) -> Result<tokio_rustls::TlsConnector, String> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])
        .map_err(|e| e.to_string())?
        .dangerous()
        .with_custom_certificate_verifier(capture.clone())
        .with_no_client_auth();
    config.resumption = match store {
        Some(s) => rustls::client::Resumption::store(s),
        None => rustls::client::Resumption::disabled(),
    };
    Ok(tokio_rustls::TlsConnector::from(Arc::new(config)))
}

/// TLS 1.3 elimination over the schemes rustls can offer, with session resumption asked on its
/// first two handshakes (see [`resume13`]).
pub async fn tls13(
    pr: &Prober,
    supported: bool,
    server_name: &str,
) -> Option<(SigAlgs, resume13::Resumption13)> {
    if !supported {
        return None;
    }
    let mut out = SigAlgs {
        version: Version::Tls13,
        accepted: Vec::new(),
        reason: None,
        handshakes: 0,
    };
    let name = match ServerName::try_from(server_name.to_string()) {
        Ok(n) => n,
        Err(e) => {
            let why = format!("invalid server name {server_name:?}: {e}");
            out.reason = Some(why.clone());
            let r = resume13::judge(1, Some(resume13::AttemptOutcome::Failed(why)));
            return Some((out, r));
        }
    };
    let provider = rustls::crypto::aws_lc_rs::default_provider();
    // PKCS#1 v1.5 is not allowed for TLS 1.3 handshake signatures.
    let mut offer: Vec<SignatureScheme> = provider
        .signature_verification_algorithms
        .supported_schemes()
        .into_iter()
        .filter(|s| !format!("{s:?}").starts_with("RSA_PKCS1"))
        .collect();
    let full = offer.clone();
    let capture = Arc::new(SchemeCapture::default());
    let store = Arc::new(resume13::TicketStore::new());
    let (with_tickets, plain) = match (
        tls13_connector(&capture, Some(store.clone())),
        tls13_connector(&capture, None),
    ) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => {
            out.reason = Some(e);
            return Some((out, resume13::Resumption13::default()));
        }
    };
    let mut attempt = None;
    let mut extra = 0;
    let mut step = 0;
    while !offer.is_empty() {
        step += 1;
        // The first handshake collects tickets, the second offers one back.
        let connector = if step <= 2 { &with_tickets } else { &plain };
        let pick = tls13_pick(pr, &name, &capture, connector, &offer, step == 1).await;
        if step == 2 {
            attempt = Some(match &pick {
                Ok(Pick::Resumed) => resume13::AttemptOutcome::Resumed,
                Ok(Pick::Signed(_)) => resume13::AttemptOutcome::Full,
                Ok(Pick::Refused) => resume13::AttemptOutcome::Refused,
                Err(e) => resume13::AttemptOutcome::Failed(e.clone()),
            });
        }
        match pick {
            Ok(Pick::Signed(s)) => {
                out.handshakes += 1;
                offer.retain(|o| *o != s);
                out.accepted.push(signature_scheme_name(u16::from(s)));
            }
            // Resumed: nothing learnt about schemes, the same offer goes again without a ticket.
            Ok(Pick::Resumed) => extra += 1,
            Ok(Pick::Refused) => {
                out.handshakes += 1;
                break;
            }
            Err(e) => {
                out.handshakes += 1;
                out.reason = Some(e);
                break;
            }
        }
    }
    let issued = store.issued();
    // An elimination that ended after one handshake never offered a ticket back.
    if attempt.is_none() && issued > 0 {
        extra += 1;
        let pick = tls13_pick(pr, &name, &capture, &with_tickets, &full, false).await;
        attempt = Some(match pick {
            Ok(Pick::Resumed) => resume13::AttemptOutcome::Resumed,
            Ok(Pick::Signed(_)) => resume13::AttemptOutcome::Full,
            Ok(Pick::Refused) => resume13::AttemptOutcome::Refused,
            Err(e) => resume13::AttemptOutcome::Failed(e),
        });
    }
    if out.accepted.is_empty() {
        // Not one full handshake finished: there was no session to resume.
        let r = resume13::Resumption13 {
            reason: Some("no full TLS 1.3 handshake could be completed".into()),
            handshakes: extra,
            ..Default::default()
        };
        return Some((out, r));
    }
    let mut r = resume13::judge(issued, attempt);
    r.handshakes = extra;
    r.ticket_lifetime_secs = store.lifetime_secs();
    Some((out, r))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enumerate::VersionScan;

    /// A TLS 1.2 server that picks suites, curves and schemes in its own order (pure model).
    struct Model {
        suites: Vec<u16>,
        curves: Vec<u16>,
        schemes: Vec<u16>,
    }

    impl Model {
        /// (suite, curve, scheme) for an offer, or None for a refusal.
        fn answer(&self, s: &[u16], c: &[u16], a: &[u16]) -> Option<(u16, Option<u16>, u16)> {
            let scheme = *self.schemes.iter().find(|x| a.contains(x))?;
            let curve = self.curves.iter().find(|x| c.contains(x)).copied();
            self.suites.iter().filter(|x| s.contains(x)).find_map(|x| {
                let ecdhe = enumerate::ske_kind(*x) == Some(true);
                match (ecdhe, curve) {
                    (true, Some(g)) => Some((*x, Some(g), scheme)),
                    (true, None) => None,
                    (false, _) => Some((*x, None, scheme)),
                }
            })
        }
    }

    /// Runs the elimination against `m`, starting from one enumeration answer; (schemes,
    /// curves, hellos).
    fn run(m: &Model) -> (Vec<u16>, Vec<u16>, u32) {
        let mut scan = VersionScan {
            version: Version::Tls12,
            support: Support::Supported,
            accepted: m.suites.iter().map(|s| (*s, None)).collect(),
            sslv2_specs: Vec::new(),
            server_preference: None,
            groups: vec![m.curves[0]],
            flights: vec![crate::wire::ServerFlight {
                ske_signature: Some(m.schemes[0]),
                ..Default::default()
            }],
            notes: Vec::new(),
            first: None,
            robot: Vec::new(),
            hellos: 0,
        };
        scan.groups.dedup();
        let mut e = Tls12Elimination::new(&scan);
        let mut hellos = 0;
        while let Some((mode, s, c, a)) = e.next() {
            hellos += 1;
            assert!(hellos < 40, "elimination does not end");
            match m.answer(&s, &c, &a) {
                Some((_, curve, scheme)) => assert!(e.answered(mode, curve, Some(scheme))),
                None => e.refused(mode),
            }
        }
        let sorted = |mut v: Vec<u16>| {
            v.sort();
            v
        };
        (sorted(e.schemes), sorted(e.curves), hellos)
    }

    #[test]
    fn joint_elimination_finds_every_curve_and_scheme() {
        let schemes = vec![0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0303];
        let curves = vec![0x001d, 0x0017, 0x001e, 0x0019, 0x0018];
        let sorted = |v: &[u16]| {
            let mut v = v.to_vec();
            v.sort();
            v
        };
        // ECDHE only: the lists run out at different times and a refusal is ambiguous.
        let m = Model {
            suites: vec![0xc02f, 0xc030, 0xcca8],
            curves: curves.clone(),
            schemes: schemes.clone(),
        };
        let (a, c, n) = run(&m);
        assert_eq!((a, c), (sorted(&schemes), sorted(&curves)));
        // Four joint hellos, the ambiguous refusal, two scheme hellos, the scheme refusal;
        // one list after the other would take 4 + 1 + 6 + 1.
        assert_eq!(n, 8);
        // With a DHE suite, a refusal closes the schemes at once.
        let m = Model {
            suites: vec![0xc02f, 0x009e],
            curves: vec![0x001d, 0x0017],
            schemes: schemes.clone(),
        };
        let (a, c, n) = run(&m);
        assert_eq!((a, c), (sorted(&schemes), vec![0x0017, 0x001d]));
        assert_eq!(n, 6 + 1 + 1);
        // DHE only: no curve is asked for (the list stays as enumeration left it), and the one
        // scheme enumeration saw needs only the refusal.
        let m = Model {
            suites: vec![0x009e],
            curves: vec![0x001d],
            schemes: vec![0x0804],
        };
        assert_eq!(run(&m), (vec![0x0804], vec![0x001d], 1));
    }

    #[test]
    fn elimination_refuses_unoffered_picks() {
        let mut offer = vec![0x0403, 0x0804];
        assert!(eliminate(&mut offer, 0x0804));
        assert_eq!(offer, vec![0x0403]);
        assert!(!eliminate(&mut offer, 0x0201));
        assert_eq!(signature_scheme_name(0x0804), "rsa_pss_rsae_sha256");
        assert_eq!(signature_scheme_name(0xfefe), "0xfefe");
    }

    #[test]
    fn ske_signature_is_read_after_the_parameters() {
        // ECDHE: curve type 3, x25519, 32-byte point, then rsa_pss_rsae_sha256.
        let mut ske = vec![3, 0, 0x1d, 32];
        ske.extend_from_slice(&[9; 32]);
        ske.extend_from_slice(&[0x08, 0x04, 0, 2, 1, 2]);
        assert_eq!(crate::wire::ske_signature_scheme(&ske, true), Some(0x0804));
        // DHE: p, g, Ys, then rsa_pkcs1_sha256.
        let dhe = [0, 1, 23, 0, 1, 2, 0, 1, 5, 0x04, 0x01];
        assert_eq!(crate::wire::ske_signature_scheme(&dhe, false), Some(0x0401));
        assert_eq!(crate::wire::ske_signature_scheme(&dhe[..9], false), None);
    }
}
