//! Checklist outcomes (K43–K46) derived from a report, plus the pure HTTP-layer checks (HSTS, redirect).

use crate::report::{SupportStatus, TlsReport};
use crate::wire::Version;
use serde::Serialize;
use serde_json::json;

/// One year in seconds: the minimum HSTS max-age accepted.
pub const HSTS_MIN_MAX_AGE: u64 = 31_536_000;

/// Outcome status of one checklist item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "status", content = "reason")]
pub enum Status {
    /// Requirement met.
    Pass,
    /// Requirement not met.
    Fail,
    /// Could not be decided (reason).
    Inconclusive(String),
    /// Does not apply (reason).
    NotApplicable(String),
}

/// Result for one checklist item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemOutcome {
    /// Checklist item id, e.g. "tls.protocols".
    pub item_id: &'static str,
    /// Status.
    pub status: Status,
    /// Summary in Bahasa Indonesia.
    pub summary_id: String,
    /// Summary in English.
    pub summary_en: String,
    /// Supporting numbers and lists.
    pub figures: serde_json::Value,
}

fn outcome(
    item_id: &'static str,
    status: Status,
    id: impl Into<String>,
    en: impl Into<String>,
    figures: serde_json::Value,
) -> ItemOutcome {
    ItemOutcome {
        item_id,
        status,
        summary_id: id.into(),
        summary_en: en.into(),
        figures,
    }
}

fn inconclusive(item_id: &'static str, reason: String) -> ItemOutcome {
    outcome(
        item_id,
        Status::Inconclusive(reason.clone()),
        format!("Belum dapat disimpulkan: {reason}."),
        format!("Inconclusive: {reason}."),
        json!({}),
    )
}

/// All TLS checklist outcomes for a report (HSTS excluded: it needs the HTTP header, see [`hsts_outcome`]).
pub fn checklist_outcomes(report: &TlsReport) -> Vec<ItemOutcome> {
    vec![
        protocols(report),
        cipher_suites(report),
        certificate(report),
        known_weaknesses(report),
    ]
}

fn list(v: &[String]) -> String {
    v.join(", ")
}

fn protocols(r: &TlsReport) -> ItemOutcome {
    const ID: &str = "tls.protocols";
    if let Some(reason) = r.inconclusive_reason() {
        return inconclusive(ID, reason);
    }
    let names = |st: SupportStatus| -> Vec<String> {
        r.protocols
            .iter()
            .filter(|p| p.status == st)
            .map(|p| p.name.to_string())
            .collect()
    };
    let supported = names(SupportStatus::Supported);
    let old: Vec<String> = r
        .protocols
        .iter()
        .filter(|p| p.version < Version::Tls12 && p.status == SupportStatus::Supported)
        .map(|p| p.name.to_string())
        .collect();
    let unknown_old: Vec<String> = r
        .protocols
        .iter()
        .filter(|p| p.version < Version::Tls12 && p.status == SupportStatus::Inconclusive)
        .map(|p| p.name.to_string())
        .collect();
    // Resumption is evidence about how the protocols are run, not a pass/fail criterion.
    let figures = json!({
        "supported": supported,
        "obsolete_enabled": old,
        "inconclusive": names(SupportStatus::Inconclusive),
        "resumption_tls12": r.capabilities.resumption,
        "resumption_tls13": r.capabilities.resumption_tls13,
    });
    if !old.is_empty() {
        return outcome(
            ID,
            Status::Fail,
            format!(
                "Server masih menerima protokol usang ({}). Nonaktifkan protokol tersebut dan sisakan hanya TLS 1.2 dan TLS 1.3.",
                list(&old)
            ),
            format!(
                "The server still accepts obsolete protocols ({}). Disable them and keep only TLS 1.2 and TLS 1.3.",
                list(&old)
            ),
            figures,
        );
    }
    if !unknown_old.is_empty() {
        let reason = format!("support for {} could not be determined", list(&unknown_old));
        let mut o = inconclusive(ID, reason);
        o.summary_id = format!(
            "Belum dapat disimpulkan: dukungan {} tidak dapat dipastikan.",
            list(&unknown_old)
        );
        o.figures = figures;
        return o;
    }
    outcome(
        ID,
        Status::Pass,
        format!("Hanya protokol modern yang aktif ({}).", list(&supported)),
        format!("Only modern protocols are enabled ({}).", list(&supported)),
        figures,
    )
}

fn cipher_suites(r: &TlsReport) -> ItemOutcome {
    const ID: &str = "tls.cipher-suites";
    if let Some(reason) = r.inconclusive_reason() {
        return inconclusive(ID, reason);
    }
    let w = &r.weaknesses;
    let mut id = Vec::new();
    let mut en = Vec::new();
    let mut weak_suites = Vec::new();
    for (v, s) in r.accepted() {
        let cbc_old = s.flags.contains(&"cbc") && v <= Version::Tls10;
        if s.flags
            .iter()
            .any(|f| matches!(*f, "rc4" | "64bit_block" | "export" | "null" | "anonymous"))
            || cbc_old
        {
            weak_suites.push(format!("{} ({})", s.iana_name, v.label()));
        }
    }
    if !weak_suites.is_empty() {
        id.push(format!("suite lemah diterima: {}", weak_suites.join(", ")));
        en.push(format!("weak suites accepted: {}", weak_suites.join(", ")));
    }
    let no_fs: Vec<String> = r
        .accepted()
        .filter(|(_, s)| !s.forward_secrecy)
        .map(|(v, s)| format!("{} ({})", s.iana_name, v.label()))
        .collect();
    if !no_fs.is_empty() {
        id.push(format!("suite tanpa forward secrecy: {}", no_fs.join(", ")));
        en.push(format!(
            "suites without forward secrecy: {}",
            no_fs.join(", ")
        ));
    }
    if w.no_aead {
        id.push("tidak ada suite AEAD (GCM/ChaCha20-Poly1305)".into());
        en.push("no AEAD suite (GCM/ChaCha20-Poly1305)".into());
    }
    let total = r.accepted().count();
    let fs = r.accepted().filter(|(_, s)| s.forward_secrecy).count();
    let aead = r.accepted().filter(|(_, s)| s.aead).count();
    let figures = json!({
        "accepted": total,
        "forward_secrecy": fs,
        "aead": aead,
        "weak": weak_suites,
        "without_forward_secrecy": no_fs,
        "mozilla_profile": r.mozilla_profile,
    });
    if id.is_empty() {
        outcome(
            ID,
            Status::Pass,
            format!(
                "Semua {total} cipher suite yang diterima tergolong kuat dan memakai forward secrecy; suite AEAD tersedia."
            ),
            format!(
                "All {total} accepted cipher suites are strong and forward-secret, and AEAD suites are available."
            ),
            figures,
        )
    } else {
        outcome(
            ID,
            Status::Fail,
            format!(
                "Konfigurasi cipher suite belum memenuhi standar: {}.",
                id.join("; ")
            ),
            format!(
                "Cipher suite configuration does not comply: {}.",
                en.join("; ")
            ),
            figures,
        )
    }
}

fn certificate(r: &TlsReport) -> ItemOutcome {
    const ID: &str = "tls.certificate";
    let Some(c) = &r.certificate else {
        let reason = r
            .certificate_error
            .clone()
            .unwrap_or_else(|| "no certificate was received".into());
        return inconclusive(ID, reason);
    };
    let mut id = Vec::new();
    let mut en = Vec::new();
    if c.expired {
        id.push(format!(
            "sertifikat sudah kedaluwarsa sejak {} hari lalu",
            -c.days_left
        ));
        en.push(format!("certificate expired {} days ago", -c.days_left));
    }
    if c.not_yet_valid {
        id.push("sertifikat belum berlaku".to_string());
        en.push("certificate is not yet valid".to_string());
    }
    if c.self_signed {
        id.push("sertifikat ditandatangani sendiri (self-signed)".to_string());
        en.push("certificate is self-signed".to_string());
    } else if c.incomplete_chain {
        id.push("rantai sertifikat tidak lengkap (sertifikat perantara tidak dikirim) atau penerbit tidak dikenal".to_string());
        en.push(
            "certificate chain is incomplete (intermediate not sent) or the issuer is unknown"
                .to_string(),
        );
    } else if !c.trusted && !c.expired {
        let e = c.trust_error.clone().unwrap_or_default();
        let e_id = c.trust_error_id.clone().unwrap_or_else(|| e.clone());
        id.push(format!("sertifikat tidak tepercaya ({e_id})"));
        en.push(format!("certificate is not trusted ({e})"));
    }
    if !c.hostname_match {
        id.push(format!(
            "nama host {} tidak tercantum pada sertifikat",
            c.checked_name
        ));
        en.push(format!(
            "host name {} is not covered by the certificate",
            c.checked_name
        ));
    }
    if c.must_staple_missing {
        id.push(
            "sertifikat mewajibkan OCSP stapling (must-staple) tetapi server tidak menyertakannya"
                .to_string(),
        );
        en.push(
            "the certificate requires OCSP stapling (must-staple) but the server sends no staple"
                .to_string(),
        );
    }
    if let Some(l) = c.chain.first().filter(|_| c.weak_key) {
        id.push(format!(
            "kunci {} {} bit terlalu lemah",
            l.key_type.to_uppercase(),
            l.key_bits
        ));
        en.push(format!(
            "{} key of {} bits is too weak",
            l.key_type.to_uppercase(),
            l.key_bits
        ));
    }
    if let Some(st) = &c.ocsp {
        // A forged, revoked, stale or foreign staple makes clients that check it refuse the site.
        if st.signature_valid == Some(false) {
            id.push(
                "tanda tangan respons OCSP yang di-staple tidak sah (bukan dari penerbit atau responder yang diberi wewenang)".to_string(),
            );
            en.push(format!(
                "the stapled OCSP response's signature is not valid: {}",
                st.signature_note.clone().unwrap_or_default()
            ));
        } else if st.cert_status.as_deref() == Some("revoked") && st.matches_certificate {
            id.push("respons OCSP yang di-staple menyatakan sertifikat DICABUT".to_string());
            en.push("the stapled OCSP response says the certificate is REVOKED".to_string());
        } else if !st.matches_certificate {
            id.push("respons OCSP yang di-staple bukan untuk sertifikat ini".to_string());
            en.push("the stapled OCSP response is about another certificate".to_string());
        } else if !st.fresh {
            id.push(
                "respons OCSP yang di-staple sudah kedaluwarsa (nextUpdate terlewati)".to_string(),
            );
            en.push("the stapled OCSP response is out of date (nextUpdate has passed)".to_string());
        } else if st.cert_status.is_none() {
            id.push("respons OCSP yang di-staple tidak dapat dibaca".to_string());
            en.push(format!(
                "the stapled OCSP response is unusable: {}",
                st.problem.clone().unwrap_or_default()
            ));
        }
    }
    if c.weak_signature {
        id.push("tanda tangan sertifikat memakai SHA-1/MD5".to_string());
        en.push("signature uses SHA-1/MD5".to_string());
    }
    let leaf = c.chain.first();
    let figures = json!({
        "trusted": c.trusted,
        "hostname_match": c.hostname_match,
        "days_left": c.days_left,
        "expires_soon": c.expires_soon,
        "key_type": leaf.map(|l| l.key_type.clone()),
        "key_bits": leaf.map(|l| l.key_bits),
        "signature_algorithm": leaf.map(|l| l.signature_algorithm.clone()),
        "self_signed": c.self_signed,
        "incomplete_chain": c.incomplete_chain,
        "ocsp_stapled": c.ocsp_stapled,
        "must_staple": leaf.map(|l| l.must_staple),
        "embedded_scts": leaf.map(|l| l.embedded_scts),
        "ocsp": c.ocsp,
        "sct_tls_extension": c.sct_tls_extension,
        "validation_level": c.validation_level,
    });
    if id.is_empty() {
        let mut sid = format!(
            "Sertifikat tepercaya, sesuai dengan nama host, dan masih berlaku {} hari lagi.",
            c.days_left
        );
        let mut sen = format!(
            "Certificate is trusted, matches the host name and is valid for {} more days.",
            c.days_left
        );
        if c.expires_soon {
            sid.push_str(" Segera perpanjang: masa berlaku kurang dari 30 hari.");
            sen.push_str(" Renew soon: fewer than 30 days left.");
        }
        if !c.ocsp_stapled {
            sid.push_str(" OCSP stapling belum aktif.");
            sen.push_str(" OCSP stapling is not enabled.");
        }
        outcome(ID, Status::Pass, sid, sen, figures)
    } else {
        outcome(
            ID,
            Status::Fail,
            format!("Sertifikat bermasalah: {}.", id.join("; ")),
            format!("Certificate problems: {}.", en.join("; ")),
            figures,
        )
    }
}

fn known_weaknesses(r: &TlsReport) -> ItemOutcome {
    const ID: &str = "tls.known-weaknesses";
    if let Some(reason) = r.inconclusive_reason() {
        return inconclusive(ID, reason);
    }
    let w = &r.weaknesses;
    let mut found: Vec<(&str, &str)> = Vec::new();
    if w.sslv2 {
        found.push(("SSL 2.0 aktif (DROWN)", "SSL 2.0 enabled (DROWN)"));
    }
    if w.poodle_sslv3 {
        found.push(("SSL 3.0 aktif (POODLE)", "SSL 3.0 enabled (POODLE)"));
    }
    if w.beast {
        found.push((
            "CBC pada TLS 1.0/SSL 3.0 (BEAST)",
            "CBC with TLS 1.0/SSL 3.0 (BEAST)",
        ));
    }
    if w.sweet32 {
        found.push((
            "cipher blok 64-bit seperti 3DES (SWEET32)",
            "64-bit block ciphers such as 3DES (SWEET32)",
        ));
    }
    if w.rc4 {
        found.push(("RC4 diterima", "RC4 accepted"));
    }
    if w.crime_compression == Some(true) {
        found.push((
            "kompresi TLS aktif (CRIME)",
            "TLS compression enabled (CRIME)",
        ));
    }
    if w.secure_renegotiation == Some(false) {
        found.push((
            "renegosiasi aman (RFC 5746) tidak didukung",
            "secure renegotiation (RFC 5746) not supported",
        ));
    }
    if w.freak {
        found.push((
            "suite RSA ekspor diterima (FREAK)",
            "export RSA suites accepted (FREAK)",
        ));
    }
    if w.logjam {
        found.push((
            "parameter DH lemah atau DHE ekspor (Logjam)",
            "weak DH parameters or export DHE (Logjam)",
        ));
    }
    if w.heartbleed
        .as_ref()
        .is_some_and(|f| f.vulnerable == Some(true))
    {
        found.push((
            "rentan Heartbleed (CVE-2014-0160): server mengembalikan isi memori",
            "vulnerable to Heartbleed (CVE-2014-0160): the server returns memory contents",
        ));
    }
    if w.ccs_injection
        .as_ref()
        .is_some_and(|f| f.vulnerable == Some(true))
    {
        found.push((
            "rentan injeksi CCS (CVE-2014-0224): ChangeCipherSpec dini diterima",
            "vulnerable to CCS injection (CVE-2014-0224): an early ChangeCipherSpec is accepted",
        ));
    }
    if w.client_renegotiation
        .as_ref()
        .is_some_and(|f| f.vulnerable == Some(true))
    {
        found.push((
            "renegosiasi yang dimulai klien diterima (celah DoS: tiap renegosiasi membebani CPU server)",
            "client-initiated renegotiation accepted (a denial-of-service lever: each one costs the server CPU)",
        ));
    }
    if w.robot.as_ref().is_some_and(|f| f.vulnerable == Some(true)) {
        found.push((
            "rentan ROBOT: reaksi server membedakan padding PKCS#1 yang benar dan salah pada pertukaran kunci RSA",
            "vulnerable to ROBOT: the server's reactions tell well-formed from malformed PKCS#1 padding on RSA key exchange",
        ));
    }
    if !w.sslv2 && w.drown.as_ref().is_some_and(|f| f.vulnerable == Some(true)) {
        found.push((
            "rentan DROWN: port lain pada host ini menerima SSL 2.0 dengan kunci RSA yang sama",
            "vulnerable to DROWN: another port of this host accepts SSL 2.0 with the same RSA key",
        ));
    }
    if w.ticketbleed
        .as_ref()
        .is_some_and(|f| f.vulnerable == Some(true))
    {
        found.push((
            "rentan Ticketbleed (CVE-2016-9244): session id yang dikembalikan berisi memori server",
            "vulnerable to Ticketbleed (CVE-2016-9244): the echoed session id carries server memory",
        ));
    }
    let figures = json!(w);
    if found.is_empty() {
        let mut sid =
            "Tidak ditemukan kelemahan yang dikenal berdasarkan hasil handshake.".to_string();
        let mut sen = "No known weakness visible from the handshakes.".to_string();
        if w.fallback_scsv == Some(false) {
            sid.push_str(" Catatan: TLS_FALLBACK_SCSV tidak didukung.");
            sen.push_str(" Note: TLS_FALLBACK_SCSV is not supported.");
        }
        outcome(ID, Status::Pass, sid, sen, figures)
    } else {
        let ids: Vec<&str> = found.iter().map(|f| f.0).collect();
        let ens: Vec<&str> = found.iter().map(|f| f.1).collect();
        outcome(
            ID,
            Status::Fail,
            format!("Ditemukan kelemahan: {}.", ids.join("; ")),
            format!("Weaknesses found: {}.", ens.join("; ")),
            figures,
        )
    }
}

/// Parsed Strict-Transport-Security header.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Hsts {
    /// max-age in seconds (None if absent or not a number).
    pub max_age: Option<u64>,
    /// includeSubDomains present.
    pub include_subdomains: bool,
    /// preload present.
    pub preload: bool,
}

/// Parses an HSTS header value (directive names are case-insensitive, values may be quoted).
pub fn parse_hsts(header: &str) -> Hsts {
    let mut h = Hsts::default();
    for d in header.split(';') {
        let d = d.trim();
        let (name, value) = match d.split_once('=') {
            Some((n, v)) => (n.trim(), Some(v.trim().trim_matches('"'))),
            None => (d, None),
        };
        match name.to_ascii_lowercase().as_str() {
            "max-age" => h.max_age = value.and_then(|v| v.parse().ok()),
            "includesubdomains" => h.include_subdomains = true,
            "preload" => h.preload = true,
            _ => {}
        }
    }
    h
}

/// HSTS outcome (K44) from the header value of an HTTPS response (`None` = header absent).
pub fn hsts_outcome(header: Option<&str>) -> ItemOutcome {
    const ID: &str = "tls.hsts";
    let Some(raw) = header else {
        return outcome(
            ID,
            Status::Fail,
            "Header Strict-Transport-Security (HSTS) tidak dikirim.",
            "The Strict-Transport-Security (HSTS) header is not sent.",
            json!({ "present": false }),
        );
    };
    let h = parse_hsts(raw);
    let figures = json!({
        "present": true,
        "max_age": h.max_age,
        "include_subdomains": h.include_subdomains,
        "preload": h.preload,
        "raw": raw,
    });
    let mut id = Vec::new();
    let mut en = Vec::new();
    match h.max_age {
        None => {
            id.push("max-age tidak ada atau tidak valid".to_string());
            en.push("max-age is missing or invalid".to_string());
        }
        Some(a) if a < HSTS_MIN_MAX_AGE => {
            id.push(format!("max-age {a} detik kurang dari 1 tahun (31536000)"));
            en.push(format!(
                "max-age {a} seconds is less than one year (31536000)"
            ));
        }
        Some(_) => {}
    }
    if !h.include_subdomains {
        id.push("direktif includeSubDomains tidak ada".to_string());
        en.push("includeSubDomains is missing".to_string());
    }
    if id.is_empty() {
        let (pid, pen) = if h.preload {
            ("", "")
        } else {
            (
                " Direktif preload belum ada (opsional).",
                " The preload directive is absent (optional).",
            )
        };
        outcome(
            ID,
            Status::Pass,
            format!("HSTS aktif dengan max-age minimal 1 tahun dan includeSubDomains.{pid}"),
            format!(
                "HSTS is enabled with max-age of at least one year and includeSubDomains.{pen}"
            ),
            figures,
        )
    } else {
        outcome(
            ID,
            Status::Fail,
            format!("HSTS belum memadai: {}.", id.join("; ")),
            format!("HSTS is insufficient: {}.", en.join("; ")),
            figures,
        )
    }
}

/// True when a plain-HTTP response redirects to HTTPS (3xx with an https:// Location).
pub fn redirects_to_https(status: u16, location: Option<&str>) -> bool {
    (300..400).contains(&status)
        && location.is_some_and(|l| l.trim().to_ascii_lowercase().starts_with("https://"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hsts_rules() {
        assert_eq!(hsts_outcome(None).status, Status::Fail);
        let ok = hsts_outcome(Some("max-age=63072000; includeSubDomains; preload"));
        assert_eq!(ok.status, Status::Pass, "{}", ok.summary_en);
        let short = hsts_outcome(Some("max-age=300; includeSubDomains"));
        assert_eq!(short.status, Status::Fail);
        assert!(short.summary_id.contains("kurang dari 1 tahun"));
        let quoted = parse_hsts("Max-Age=\"31536000\" ; INCLUDESUBDOMAINS");
        assert_eq!(quoted.max_age, Some(31_536_000));
        assert!(quoted.include_subdomains && !quoted.preload);
        assert_eq!(hsts_outcome(Some("max-age=31536000")).status, Status::Fail);
        assert_eq!(
            hsts_outcome(Some("max-age=abc; includeSubDomains")).status,
            Status::Fail
        );
    }

    #[test]
    fn redirect_rule() {
        assert!(redirects_to_https(
            301,
            Some("https://pemda.example.go.id/")
        ));
        assert!(redirects_to_https(308, Some(" HTTPS://x/")));
        assert!(!redirects_to_https(200, Some("https://x/")));
        assert!(!redirects_to_https(302, Some("http://x/")));
        assert!(!redirects_to_https(302, None));
    }
}
