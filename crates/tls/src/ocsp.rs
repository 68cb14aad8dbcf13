//! Stapled OCSP response: status, freshness, whether it is about the leaf, and the SCTs it carries.
//!
//! Parsed with a minimal DER reader (RFC 6960 section 4.2.1). The response's signature is
//! checked against the leaf's issuer, or a responder certificate the issuer signed for OCSP
//! (id-kp-OCSPSigning, RFC 6960 section 4.2.2.2), with aws-lc-rs through x509-parser: a staple
//! no one authorised is a problem, not "good".

use serde::Serialize;
use time::OffsetDateTime;

/// OID of id-pkix-ocsp-basic, DER content bytes (1.3.6.1.5.5.7.48.1.1).
const OID_OCSP_BASIC: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x01];
/// OID of the embedded SCT list in an OCSP single response (1.3.6.1.4.1.11129.2.4.5).
const OID_SCT_OCSP: &[u8] = &[0x2b, 0x06, 0x01, 0x04, 0x01, 0xd6, 0x79, 0x02, 0x04, 0x05];
/// OID of SHA-1 (1.3.14.3.2.26), the usual CertID hash.
const OID_SHA1: &[u8] = &[0x2b, 0x0e, 0x03, 0x02, 0x1a];
/// OID of SHA-256 (2.16.840.1.101.3.4.2.1).
const OID_SHA256: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];

/// What the stapled response says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Staple {
    /// "good", "revoked" or "unknown" for the leaf (None: no response about the leaf).
    pub cert_status: Option<String>,
    /// thisUpdate (RFC 3339).
    pub this_update: Option<String>,
    /// nextUpdate (RFC 3339; None: the responder set none).
    pub next_update: Option<String>,
    /// thisUpdate is not in the future and nextUpdate has not passed.
    pub fresh: bool,
    /// The response's CertID names the leaf (serial and issuer name hash).
    pub matches_certificate: bool,
    /// SCTs carried in the response's extension.
    pub sct_count: usize,
    /// The signature verifies with the issuer's key or an authorised responder's (None: could
    /// not be checked, see `signature_note`).
    pub signature_valid: Option<bool>,
    /// "issuer" or "delegated responder" when the signature verified.
    pub signed_by: Option<String>,
    /// Why the signature could not be checked or what was wrong with it.
    pub signature_note: Option<String>,
    /// Why the staple is unusable, when it is.
    pub problem: Option<String>,
}

/// One DER element: tag and contents.
struct Tlv<'a> {
    tag: u8,
    body: &'a [u8],
}

/// Reads one element from the front of `buf`; the rest follows.
fn tlv(buf: &[u8]) -> Option<(Tlv<'_>, &[u8])> {
    let tag = *buf.first()?;
    let first = *buf.get(1)?;
    let (len, head) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        let bytes = buf.get(2..2 + n)?;
        (
            bytes.iter().fold(0usize, |a, b| (a << 8) | usize::from(*b)),
            2 + n,
        )
    };
    let body = buf.get(head..head.checked_add(len)?)?;
    Some((Tlv { tag, body }, &buf[head + len..]))
}

/// All elements of a constructed value.
fn children(mut buf: &[u8]) -> Option<Vec<Tlv<'_>>> {
    let mut out = Vec::new();
    while !buf.is_empty() {
        let (t, rest) = tlv(buf)?;
        out.push(t);
        buf = rest;
    }
    Some(out)
}

/// GeneralizedTime "YYYYMMDDHHMMSS[.f]Z".
fn generalized_time(b: &[u8]) -> Option<OffsetDateTime> {
    let s = std::str::from_utf8(b).ok()?;
    let n = |r: std::ops::Range<usize>| s.get(r)?.parse::<u32>().ok();
    let month = time::Month::try_from(n(4..6)? as u8).ok()?;
    let date = time::Date::from_calendar_date(n(0..4)? as i32, month, n(6..8)? as u8).ok()?;
    let t = time::Time::from_hms(n(8..10)? as u8, n(10..12)? as u8, n(12..14)? as u8).ok()?;
    s.ends_with('Z')
        .then(|| time::PrimitiveDateTime::new(date, t).assume_utc())
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// The leaf facts a CertID is compared with.
pub struct Leaf<'a> {
    /// Serial number content bytes (as in the certificate's INTEGER).
    pub serial: &'a [u8],
    /// DER of the leaf's issuer Name.
    pub issuer_name_der: &'a [u8],
}

fn strip_zeros(b: &[u8]) -> &[u8] {
    let skip = b.iter().take_while(|x| **x == 0).count();
    &b[skip.min(b.len().saturating_sub(1))..]
}

/// Counts the SCTs in a TLS-encoded SignedCertificateTimestampList.
pub fn count_scts(list: &[u8]) -> usize {
    let Some(len) = list.get(..2) else {
        return 0;
    };
    let total = usize::from(u16::from_be_bytes([len[0], len[1]]));
    let mut rest = list.get(2..2 + total).unwrap_or_default();
    let mut n = 0;
    while let Some(l) = rest.get(..2) {
        let l = usize::from(u16::from_be_bytes([l[0], l[1]]));
        let Some(next) = rest.get(2 + l..) else {
            break;
        };
        n += 1;
        rest = next;
    }
    n
}

/// Parses a stapled OCSPResponse and judges it against the leaf at `now`.
pub fn analyse(der: &[u8], leaf: &Leaf<'_>, now: OffsetDateTime) -> Staple {
    match parse(der, leaf, now) {
        Ok(s) => s,
        Err(problem) => Staple {
            cert_status: None,
            this_update: None,
            next_update: None,
            fresh: false,
            matches_certificate: false,
            sct_count: 0,
            signature_valid: None,
            signed_by: None,
            signature_note: None,
            problem: Some(problem.into()),
        },
    }
}

/// OID of id-kp-OCSPSigning (1.3.6.1.5.5.7.3.9).
const OID_KP_OCSP_SIGNING: &str = "1.3.6.1.5.5.7.3.9";

/// What the signature check established.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureCheck {
    /// See [`Staple::signature_valid`].
    pub valid: Option<bool>,
    /// See [`Staple::signed_by`].
    pub signer: Option<&'static str>,
    /// See [`Staple::signature_note`].
    pub note: Option<String>,
}

impl SignatureCheck {
    fn unchecked(note: &str) -> Self {
        SignatureCheck {
            valid: None,
            signer: None,
            note: Some(note.into()),
        }
    }
}

/// The signed parts of a BasicOCSPResponse, each the element's complete DER.
struct BasicParts<'a> {
    tbs: &'a [u8],
    alg: &'a [u8],
    sig: &'a [u8],
    certs: Vec<&'a [u8]>,
}

/// The BasicOCSPResponse inside an OCSPResponse: raw tbsResponseData, signatureAlgorithm and
/// signature elements, and the certificates it carries.
fn basic_parts(der: &[u8]) -> Option<BasicParts<'_>> {
    let (resp, _) = tlv(der)?;
    let top = children(resp.body)?;
    let (rb, _) = tlv(top.get(1).filter(|t| t.tag == 0xa0)?.body)?;
    let rb = children(rb.body)?;
    let (basic, _) = tlv(rb.get(1).filter(|t| t.tag == 0x04)?.body)?;
    let parts = raw_children(basic.body)?;
    let (tbs, alg, sig) = (parts.first()?.0, parts.get(1)?.0, parts.get(2)?.0);
    let mut certs = Vec::new();
    if let Some((_, t)) = parts.get(3).filter(|p| p.1.tag == 0xa0) {
        let (seq, _) = tlv(t.body)?;
        certs = raw_children(seq.body)?.into_iter().map(|c| c.0).collect();
    }
    Some(BasicParts {
        tbs,
        alg,
        sig,
        certs,
    })
}

/// Like [`children`], keeping each element's complete encoding beside it.
fn raw_children(mut buf: &[u8]) -> Option<Vec<(&[u8], Tlv<'_>)>> {
    let mut out = Vec::new();
    while !buf.is_empty() {
        let (t, rest) = tlv(buf)?;
        out.push((&buf[..buf.len() - rest.len()], t));
        buf = rest;
    }
    Some(out)
}

/// Checks the response's signature against the issuer (`issuer_der`) or a delegated responder
/// certificate in the response that the issuer signed, that is valid at `now` and that carries
/// id-kp-OCSPSigning.
pub fn verify_signature(
    der: &[u8],
    issuer_der: Option<&[u8]>,
    now: OffsetDateTime,
) -> SignatureCheck {
    use x509_parser::prelude::{FromDer, X509Certificate};
    use x509_parser::x509::AlgorithmIdentifier;
    let Some(BasicParts {
        tbs,
        alg,
        sig,
        certs,
    }) = basic_parts(der)
    else {
        return SignatureCheck::unchecked("the response's signature fields could not be read");
    };
    let Some(issuer_der) = issuer_der else {
        return SignatureCheck::unchecked(
            "the issuer certificate was not sent, so the signature could not be checked",
        );
    };
    let (Ok((_, alg)), Ok((_, sig))) = (
        AlgorithmIdentifier::from_der(alg),
        <x509_parser::asn1_rs::BitString as x509_parser::asn1_rs::FromDer>::from_der(sig),
    ) else {
        return SignatureCheck::unchecked("the response's signature fields could not be read");
    };
    let Ok((_, issuer)) = X509Certificate::from_der(issuer_der) else {
        return SignatureCheck::unchecked("the issuer certificate could not be parsed");
    };
    let verify = x509_parser::verify::verify_signature;
    match verify(issuer.public_key(), &alg, &sig, tbs) {
        Ok(()) => {
            return SignatureCheck {
                valid: Some(true),
                signer: Some("issuer"),
                note: None,
            };
        }
        Err(x509_parser::error::X509Error::SignatureUnsupportedAlgorithm) => {
            return SignatureCheck::unchecked(&format!(
                "the response is signed with {}, which this scanner cannot verify",
                alg.algorithm
            ));
        }
        Err(_) => {}
    }
    let now_ts = now.unix_timestamp();
    let mut note = "the signature verifies neither with the issuer's key nor with a responder certificate the issuer authorised for OCSP".to_string();
    for c in certs {
        let Ok((_, r)) = X509Certificate::from_der(c) else {
            continue;
        };
        let authorised = r.issuer() == issuer.subject()
            && r.verify_signature(Some(issuer.public_key())).is_ok()
            && r.validity().not_before.timestamp() <= now_ts
            && now_ts <= r.validity().not_after.timestamp();
        let ocsp_signing = r.extended_key_usage().ok().flatten().is_some_and(|e| {
            e.value.ocsp_signing
                || e.value
                    .other
                    .iter()
                    .any(|o| o.to_id_string() == OID_KP_OCSP_SIGNING)
        });
        if verify(r.public_key(), &alg, &sig, tbs).is_ok() {
            if authorised && ocsp_signing {
                return SignatureCheck {
                    valid: Some(true),
                    signer: Some("delegated responder"),
                    note: None,
                };
            }
            note = if ocsp_signing {
                "the response is signed by a responder certificate the issuer did not sign (or that is expired)".into()
            } else {
                "the response is signed by a certificate without the OCSP signing purpose (id-kp-OCSPSigning)".into()
            };
        }
    }
    SignatureCheck {
        valid: Some(false),
        signer: None,
        note: Some(note),
    }
}

/// [`analyse`], then the signature check: a staple with a bad signature is a problem.
pub fn analyse_signed(
    der: &[u8],
    leaf: &Leaf<'_>,
    issuer_der: Option<&[u8]>,
    now: OffsetDateTime,
) -> Staple {
    let mut s = analyse(der, leaf, now);
    if s.cert_status.is_none() {
        return s;
    }
    let check = verify_signature(der, issuer_der, now);
    s.signature_valid = check.valid;
    s.signed_by = check.signer.map(String::from);
    s.signature_note = check.note;
    if check.valid == Some(false) && s.problem.is_none() {
        s.problem = Some(format!(
            "the stapled OCSP response's signature is not valid: {}",
            s.signature_note.clone().unwrap_or_default()
        ));
    }
    s
}

fn parse(der: &[u8], leaf: &Leaf<'_>, now: OffsetDateTime) -> Result<Staple, &'static str> {
    let bad = "the stapled OCSP response is not valid DER";
    let (resp, _) = tlv(der).ok_or(bad)?;
    let top = children(resp.body).ok_or(bad)?;
    let status = top.first().filter(|t| t.tag == 0x0a).ok_or(bad)?;
    if status.body != [0] {
        return Err("the stapled OCSP response reports an error instead of a status");
    }
    let bytes = top.get(1).filter(|t| t.tag == 0xa0).ok_or(bad)?;
    let (rb, _) = tlv(bytes.body).ok_or(bad)?;
    let rb = children(rb.body).ok_or(bad)?;
    if rb.first().map(|t| t.body) != Some(OID_OCSP_BASIC) {
        return Err("the stapled OCSP response is not a basic OCSP response");
    }
    let octets = rb.get(1).filter(|t| t.tag == 0x04).ok_or(bad)?;
    let (basic, _) = tlv(octets.body).ok_or(bad)?;
    let basic = children(basic.body).ok_or(bad)?;
    let data = children(basic.first().ok_or(bad)?.body).ok_or(bad)?;
    // version [0] is optional; responderID [1]/[2]; producedAt; responses.
    let responses = data.iter().rfind(|t| t.tag == 0x30).ok_or(bad)?;
    let mut best: Option<Staple> = None;
    for single in children(responses.body).ok_or(bad)? {
        let s = single_response(single.body, leaf, now).ok_or(bad)?;
        let matched = s.matches_certificate;
        best = Some(s);
        if matched {
            break;
        }
    }
    best.ok_or("the stapled OCSP response holds no certificate status")
}

fn single_response(body: &[u8], leaf: &Leaf<'_>, now: OffsetDateTime) -> Option<Staple> {
    let parts = children(body)?;
    let cert_id = children(parts.first()?.body)?;
    let alg = children(cert_id.first()?.body)?;
    let alg_oid = alg.first()?.body;
    let name_hash = cert_id.get(1)?.body;
    let serial = cert_id.get(3)?.body;
    let expected = if alg_oid == OID_SHA1 {
        Some(aws_lc_rs::digest::digest(
            &aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY,
            leaf.issuer_name_der,
        ))
    } else if alg_oid == OID_SHA256 {
        Some(aws_lc_rs::digest::digest(
            &aws_lc_rs::digest::SHA256,
            leaf.issuer_name_der,
        ))
    } else {
        None
    };
    let matches = strip_zeros(serial) == strip_zeros(leaf.serial)
        && expected.is_some_and(|d| d.as_ref() == name_hash);
    let status = match parts.get(1)?.tag {
        0x80 => "good",
        0xa1 => "revoked",
        0x82 => "unknown",
        _ => return None,
    };
    let this_update = generalized_time(parts.get(2)?.body)?;
    let mut next_update = None;
    let mut sct_count = 0;
    for p in parts.iter().skip(3) {
        match p.tag {
            0xa0 => next_update = generalized_time(tlv(p.body)?.0.body),
            0xa1 => sct_count = scts_in_extensions(p.body).unwrap_or(0),
            _ => {}
        }
    }
    let fresh =
        this_update <= now + time::Duration::minutes(5) && next_update.is_none_or(|n| n > now);
    let problem = if !matches {
        Some("the stapled OCSP response is about another certificate".to_string())
    } else if status == "revoked" {
        Some("the stapled OCSP response says the certificate is revoked".into())
    } else if !fresh {
        Some("the stapled OCSP response is out of date (nextUpdate has passed)".into())
    } else {
        None
    };
    Some(Staple {
        cert_status: Some(status.into()),
        this_update: Some(rfc3339(this_update)),
        next_update: next_update.map(rfc3339),
        fresh,
        matches_certificate: matches,
        sct_count,
        signature_valid: None,
        signed_by: None,
        signature_note: None,
        problem,
    })
}

/// SCT count from singleExtensions ([1] EXPLICIT SEQUENCE OF Extension).
fn scts_in_extensions(explicit: &[u8]) -> Option<usize> {
    let (seq, _) = tlv(explicit)?;
    for ext in children(seq.body)? {
        let f = children(ext.body)?;
        if f.first()?.body == OID_SCT_OCSP {
            // extnValue OCTET STRING wraps another OCTET STRING holding the TLS-encoded list.
            let outer = f.last()?.body;
            let inner = tlv(outer).map(|(t, _)| t.body).unwrap_or(outer);
            return Some(count_scts(inner));
        }
    }
    Some(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_lengths_short_long_and_truncated() {
        let (t, rest) = tlv(&[0x04, 0x02, 1, 2, 9]).expect("short");
        assert_eq!((t.tag, t.body, rest), (4, &[1u8, 2][..], &[9u8][..]));
        let mut long = vec![0x04, 0x81, 0x80];
        long.extend([7u8; 0x80]);
        assert_eq!(tlv(&long).expect("long").0.body.len(), 0x80);
        assert!(tlv(&[0x04, 0x05, 1]).is_none());
        assert!(tlv(&[0x04, 0x85, 1, 1, 1, 1, 1]).is_none());
    }

    #[test]
    fn generalized_time_and_sct_list() {
        let t = generalized_time(b"20261206063000Z").expect("time");
        assert_eq!(rfc3339(t), "2026-12-06T06:30:00Z");
        assert!(generalized_time(b"20261306063000Z").is_none());
        assert_eq!(count_scts(&[0, 6, 0, 1, 0xaa, 0, 1, 0xbb]), 2);
        assert_eq!(count_scts(&[0, 9, 0, 1]), 0);
    }

    #[test]
    fn garbage_is_a_problem_not_a_panic() {
        let leaf = Leaf {
            serial: &[1],
            issuer_name_der: &[0x30, 0],
        };
        let s = analyse(
            &[0x30, 0x03, 0x0a, 0x01, 0x01],
            &leaf,
            OffsetDateTime::UNIX_EPOCH,
        );
        assert!(s.problem.is_some_and(|p| p.contains("error")));
        let s = analyse(&[0xff], &leaf, OffsetDateTime::UNIX_EPOCH);
        assert!(s.problem.is_some());
        // Unreadable signature fields leave the signature unchecked, with the reason.
        let c = verify_signature(
            &[0x30, 0x03, 0x0a, 0x01, 0x00],
            Some(&[0x30, 0]),
            OffsetDateTime::UNIX_EPOCH,
        );
        assert_eq!(c.valid, None);
        assert!(c.note.is_some_and(|n| n.contains("could not be read")));
    }
}
