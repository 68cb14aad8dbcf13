//! Plain-text table rendering of a report, in Bahasa Indonesia (default) or English.

use crate::checklist::{Status, checklist_outcomes};
use crate::report::{MozillaProfile, SupportStatus, TlsReport};
use std::fmt::Write;

/// Output language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    /// Bahasa Indonesia.
    #[default]
    Id,
    /// English.
    En,
}

/// Picks the string for the language.
fn t<'a>(lang: Lang, id: &'a str, en: &'a str) -> &'a str {
    match lang {
        Lang::Id => id,
        Lang::En => en,
    }
}

fn yes_no(lang: Lang, v: Option<bool>) -> &'static str {
    match (lang, v) {
        (Lang::Id, Some(true)) => "ya",
        (Lang::Id, Some(false)) => "tidak",
        (Lang::Id, None) => "tidak dapat diuji",
        (Lang::En, Some(true)) => "yes",
        (Lang::En, Some(false)) => "no",
        (Lang::En, None) => "not testable",
    }
}

/// Renders the report as an aligned text table.
pub fn render_table(report: &TlsReport, lang: Lang) -> String {
    let mut o = String::new();
    let tg = &report.target;
    let _ = writeln!(
        o,
        "{} {}:{} ({}){}",
        t(lang, "Pemeriksaan TLS", "TLS scan"),
        tg.host,
        tg.port,
        tg.ip,
        tg.sni
            .as_ref()
            .map(|s| format!(", SNI {s}"))
            .unwrap_or_default()
    );
    let _ = writeln!(
        o,
        "{}: {} ms, {} handshake ({} {}, {} {})",
        t(lang, "Durasi", "Duration"),
        report.duration_ms,
        report.handshakes,
        t(lang, "enumerasi", "enumeration"),
        report.enumeration_handshakes(),
        t(
            lang,
            "probe dan daftar kapabilitas",
            "probes and capability lists"
        ),
        report.handshakes - report.enumeration_handshakes()
    );
    let _ = writeln!(o);
    let _ = writeln!(o, "{}", t(lang, "PROTOKOL", "PROTOCOLS"));
    for p in &report.protocols {
        let st = match p.status {
            SupportStatus::Supported => t(lang, "aktif", "enabled"),
            SupportStatus::NotSupported => t(lang, "tidak aktif", "disabled"),
            SupportStatus::Inconclusive => t(lang, "tidak dapat dipastikan", "inconclusive"),
        };
        let _ = writeln!(
            o,
            "  {:<8} {}{}",
            p.name,
            st,
            p.reason
                .as_ref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default()
        );
    }
    for p in report.protocols.iter().filter(|p| !p.suites.is_empty()) {
        let order = match p.server_preference {
            Some(true) => t(lang, "urutan server", "server order"),
            Some(false) => t(lang, "urutan klien", "client order"),
            None => "",
        };
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "{} {} {}",
            t(lang, "CIPHER SUITE", "CIPHER SUITES"),
            p.name,
            if order.is_empty() {
                String::new()
            } else {
                format!("({order})")
            }
        );
        for s in &p.suites {
            let _ = writeln!(
                o,
                "  {:<8} {:<48} {:<32} {:>4} {:<10} {}",
                s.code,
                s.iana_name,
                s.openssl_name,
                s.bits,
                s.kx_detail.clone().unwrap_or_default(),
                s.flags.join(",")
            );
        }
    }
    if !report.groups.is_empty() {
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "{}",
            t(lang, "GRUP PERTUKARAN KUNCI", "KEY EXCHANGE GROUPS")
        );
        for g in &report.groups {
            let vs: Vec<&str> = g.versions.iter().map(|v| v.label()).collect();
            let _ = writeln!(o, "  {:<22} {}", g.name, vs.join(", "));
        }
    }
    if let Some(b) = report.dh_min_bits {
        let _ = writeln!(
            o,
            "  {} {b} bit",
            t(lang, "Parameter DH terkecil:", "Smallest DH parameter:")
        );
    }
    let _ = writeln!(o);
    let _ = writeln!(o, "{}", t(lang, "SERTIFIKAT", "CERTIFICATE"));
    match &report.certificate {
        Some(c) => {
            if let Some(l) = c.chain.first() {
                let _ = writeln!(o, "  {:<22} {}", t(lang, "Subjek", "Subject"), l.subject);
                let _ = writeln!(o, "  {:<22} {}", t(lang, "Penerbit", "Issuer"), l.issuer);
                let _ = writeln!(o, "  {:<22} {}", "SAN", l.san.join(", "));
                let _ = writeln!(
                    o,
                    "  {:<22} {} {} bit, {}",
                    t(lang, "Kunci / tanda tangan", "Key / signature"),
                    l.key_type.to_uppercase(),
                    l.key_bits,
                    l.signature_algorithm
                );
                let _ = writeln!(
                    o,
                    "  {:<22} {} ({} {})",
                    t(lang, "Berlaku sampai", "Valid until"),
                    l.not_after,
                    c.days_left,
                    t(lang, "hari lagi", "days left")
                );
            }
            let _ = writeln!(
                o,
                "  {:<22} {}",
                t(lang, "Tepercaya", "Trusted"),
                yes_no(lang, Some(c.trusted))
            );
            let _ = writeln!(
                o,
                "  {:<22} {}",
                t(lang, "Nama host cocok", "Host name matches"),
                yes_no(lang, Some(c.hostname_match))
            );
            let _ = writeln!(
                o,
                "  {:<22} {}",
                t(lang, "Rantai tidak lengkap", "Incomplete chain"),
                yes_no(lang, Some(c.incomplete_chain))
            );
            let _ = writeln!(
                o,
                "  {:<22} {}",
                "OCSP stapling",
                yes_no(lang, Some(c.ocsp_stapled))
            );
            if let Some(st) = &c.ocsp {
                let _ = writeln!(
                    o,
                    "    {} {}; thisUpdate {}; nextUpdate {}; {} {}; SCT {}",
                    t(lang, "status", "status"),
                    st.cert_status.as_deref().unwrap_or("-"),
                    st.this_update.as_deref().unwrap_or("-"),
                    st.next_update.as_deref().unwrap_or("-"),
                    t(lang, "untuk sertifikat ini", "for this certificate"),
                    yes_no(lang, Some(st.matches_certificate)),
                    st.sct_count
                );
                let signature = match (st.signature_valid, st.signed_by.as_deref()) {
                    (Some(true), Some("issuer")) => t(lang, "sah (penerbit)", "valid (issuer)"),
                    (Some(true), _) => t(
                        lang,
                        "sah (responder yang diberi wewenang)",
                        "valid (delegated responder)",
                    ),
                    (Some(false), _) => t(lang, "TIDAK SAH", "NOT VALID"),
                    (None, _) => t(lang, "tidak dapat diperiksa", "not checked"),
                };
                let _ = writeln!(
                    o,
                    "    {}: {signature}",
                    t(lang, "tanda tangan OCSP", "OCSP signature")
                );
                if let Some(p) = &st.problem {
                    let _ = writeln!(o, "    {}: {p}", t(lang, "masalah", "problem"));
                } else if let Some(n) = st
                    .signature_note
                    .as_ref()
                    .filter(|_| st.signature_valid.is_none())
                {
                    let _ = writeln!(o, "    {}: {n}", t(lang, "catatan", "note"));
                }
            }
            if let Some(n) = c.sct_tls_extension {
                let _ = writeln!(
                    o,
                    "  {:<22} {n}",
                    t(lang, "SCT di ekstensi TLS", "SCTs in TLS extension")
                );
            }
            if let Some(l) = c.chain.first() {
                let _ = writeln!(
                    o,
                    "  {:<22} {}; OCSP must-staple {}; SCT {}",
                    t(lang, "Validasi", "Validation"),
                    c.validation_level.unwrap_or("-"),
                    yes_no(lang, Some(l.must_staple)),
                    l.embedded_scts
                );
            }
        }
        None => {
            let _ = writeln!(
                o,
                "  {} {}",
                t(lang, "Tidak tersedia:", "Not available:"),
                report.certificate_error.clone().unwrap_or_default()
            );
        }
    }
    let w = &report.weaknesses;
    let _ = writeln!(o);
    let _ = writeln!(o, "{}", t(lang, "KELEMAHAN", "WEAKNESSES"));
    let rows: [(&str, &str, Option<bool>); 20] = [
        ("SSL 2.0 (DROWN)", "SSL 2.0 (DROWN)", Some(w.sslv2)),
        ("SSL 3.0 (POODLE)", "SSL 3.0 (POODLE)", Some(w.poodle_sslv3)),
        (
            "CBC di TLS 1.0 (BEAST)",
            "CBC in TLS 1.0 (BEAST)",
            Some(w.beast),
        ),
        (
            "3DES/64-bit (SWEET32)",
            "3DES/64-bit (SWEET32)",
            Some(w.sweet32),
        ),
        ("RC4", "RC4", Some(w.rc4)),
        (
            "Export/NULL/anonim",
            "Export/NULL/anonymous",
            Some(w.export || w.null_cipher || w.anonymous),
        ),
        (
            "Tanpa forward secrecy",
            "No forward secrecy",
            Some(w.no_forward_secrecy),
        ),
        ("Tanpa AEAD", "No AEAD", Some(w.no_aead)),
        (
            "Kompresi TLS (CRIME)",
            "TLS compression (CRIME)",
            w.crime_compression,
        ),
        (
            "Renegosiasi aman",
            "Secure renegotiation",
            w.secure_renegotiation,
        ),
        ("TLS_FALLBACK_SCSV", "TLS_FALLBACK_SCSV", w.fallback_scsv),
        (
            "Ekstensi heartbeat",
            "Heartbeat extension",
            w.heartbeat_extension,
        ),
        ("FREAK", "FREAK", Some(w.freak)),
        ("Logjam", "Logjam", Some(w.logjam)),
        (
            "Heartbleed (diuji)",
            "Heartbleed (tested)",
            w.heartbleed.as_ref().and_then(|f| f.vulnerable),
        ),
        (
            "Injeksi CCS (diuji)",
            "CCS injection (tested)",
            w.ccs_injection.as_ref().and_then(|f| f.vulnerable),
        ),
        (
            "Renegosiasi oleh klien",
            "Client renegotiation",
            w.client_renegotiation.as_ref().and_then(|f| f.vulnerable),
        ),
        (
            "ROBOT (diuji)",
            "ROBOT (tested)",
            w.robot.as_ref().and_then(|f| f.vulnerable),
        ),
        (
            "Ticketbleed (diuji)",
            "Ticketbleed (tested)",
            w.ticketbleed.as_ref().and_then(|f| f.vulnerable),
        ),
        (
            "DROWN (kunci yang sama)",
            "DROWN (same key)",
            w.drown.as_ref().and_then(|f| f.vulnerable),
        ),
    ];
    for (id, en, v) in rows {
        let _ = writeln!(o, "  {:<28} {}", t(lang, id, en), yes_no(lang, v));
    }
    probes_section(&mut o, report, lang);
    capabilities_section(&mut o, report, lang);
    clients_section(&mut o, report, lang);
    let g = &report.grade;
    let _ = writeln!(o);
    let profile = match report.mozilla_profile {
        MozillaProfile::Modern => "modern",
        MozillaProfile::Intermediate => "intermediate",
        MozillaProfile::Old => "old",
        MozillaProfile::None => t(lang, "tidak ada", "none"),
    };
    let _ = writeln!(
        o,
        "{}: {} ({} {}; {} {}) [{}]",
        t(lang, "NILAI", "GRADE"),
        g.letter,
        t(lang, "skor", "score"),
        g.score,
        t(lang, "jika tepercaya", "if trusted"),
        g.letter_if_trusted,
        t(
            lang,
            "bukan penilaian resmi SSL Labs, hanya sebagai informasi",
            "not SSL Labs, information only"
        ),
    );
    let _ = writeln!(
        o,
        "{}: {profile}",
        t(lang, "Profil Mozilla", "Mozilla profile")
    );
    let _ = writeln!(o);
    let _ = writeln!(o, "{}", t(lang, "DAFTAR PERIKSA", "CHECKLIST"));
    for item in checklist_outcomes(report) {
        let st = match &item.status {
            Status::Pass => t(lang, "SESUAI", "PASS"),
            Status::Fail => t(lang, "TIDAK SESUAI", "FAIL"),
            Status::Inconclusive(_) => t(lang, "BELUM DAPAT DISIMPULKAN", "INCONCLUSIVE"),
            Status::NotApplicable(_) => t(lang, "TIDAK BERLAKU", "NOT APPLICABLE"),
        };
        let summary = match lang {
            Lang::Id => &item.summary_id,
            Lang::En => &item.summary_en,
        };
        let _ = writeln!(o, "  {:<22} {:<14} {}", item.item_id, st, summary);
    }
    for n in &report.notes {
        let _ = writeln!(o, "  * {n}");
    }
    o
}

/// Evidence of the vulnerability probes that ran, and the shared DH prime if any.
fn probes_section(o: &mut String, report: &TlsReport, lang: Lang) {
    let w = &report.weaknesses;
    if let Some(p) = &w.dh_shared_prime {
        let _ = writeln!(
            o,
            "    {}: {p}",
            t(
                lang,
                "Prima DH yang dipakai bersama",
                "Widely shared DH prime"
            )
        );
    }
    for (name, f) in [
        ("Heartbleed", &w.heartbleed),
        (t(lang, "Injeksi CCS", "CCS injection"), &w.ccs_injection),
        (
            t(lang, "Renegosiasi oleh klien", "Client renegotiation"),
            &w.client_renegotiation,
        ),
        ("ROBOT", &w.robot),
        ("Ticketbleed", &w.ticketbleed),
        ("DROWN", &w.drown),
    ] {
        if let Some(f) = f {
            let _ = writeln!(o, "    {name} ({}): {}", f.protocol, f.evidence);
        }
    }
}

/// ALPN and TLS 1.2 session tickets, read off a TLS ≤ 1.2 hello.
fn legacy_capability_lines(o: &mut String, c: &crate::report::Capabilities, lang: Lang) {
    let _ = writeln!(
        o,
        "  {:<28} {}",
        "ALPN (h2, http/1.1)",
        c.alpn
            .clone()
            .unwrap_or_else(|| t(lang, "tidak ada", "none").to_string())
    );
    let _ = writeln!(
        o,
        "  {:<28} {}",
        t(lang, "Session ticket", "Session tickets"),
        yes_no(lang, c.session_tickets)
    );
}

/// ALPN, session tickets, signature schemes and resumption.
fn capabilities_section(o: &mut String, report: &TlsReport, lang: Lang) {
    let c = &report.capabilities;
    if c.tested_on.is_none() && c.signature_algorithms.is_empty() && c.resumption_tls13.is_none() {
        return;
    }
    let _ = writeln!(o);
    let title = t(lang, "KEMAMPUAN SERVER", "SERVER CAPABILITIES");
    match c.tested_on {
        Some(v) => {
            let _ = writeln!(o, "{title} ({})", v.label());
        }
        // TLS 1.3 only: ALPN and TLS 1.2 tickets are asked in clear on TLS ≤ 1.2 hellos.
        None => {
            let _ = writeln!(o, "{title}");
        }
    }
    if c.tested_on.is_some() {
        legacy_capability_lines(o, c, lang);
    }
    for s in &c.signature_algorithms {
        let list = if s.accepted.is_empty() {
            t(lang, "tidak ada", "none").to_string()
        } else {
            s.accepted.join(", ")
        };
        let _ = writeln!(
            o,
            "  {:<28} {list}",
            format!(
                "{} {}",
                t(lang, "Algoritma tanda tangan", "Signature algs"),
                s.version.label()
            )
        );
        if let Some(reason) = &s.reason {
            let _ = writeln!(o, "    {}: {reason}", t(lang, "catatan", "note"));
        }
    }
    if let Some(r) = &c.resumption {
        resumption_lines(o, r, lang);
    }
    if let Some(r) = &c.resumption_tls13 {
        resumption13_lines(o, r, lang);
    }
}

/// TLS 1.3 tickets and resumption with them.
fn resumption13_lines(o: &mut String, r: &crate::resume13::Resumption13, lang: Lang) {
    let _ = writeln!(
        o,
        "  {:<28} {} ({} {})",
        t(lang, "Resumsi TLS 1.3 (PSK)", "TLS 1.3 resumption (PSK)"),
        yes_no(lang, r.resumed),
        r.tickets_issued,
        t(lang, "ticket diterbitkan", "tickets issued")
    );
    if let Some(l) = r.ticket_lifetime_secs {
        let _ = writeln!(
            o,
            "  {:<28} {l} s",
            t(
                lang,
                "Masa berlaku ticket TLS 1.3",
                "TLS 1.3 ticket lifetime"
            )
        );
    }
    if let Some(reason) = &r.reason {
        let _ = writeln!(o, "    {}: {reason}", t(lang, "catatan", "note"));
    }
}

/// Session resumption (TLS 1.2) with the handshakes it cost.
fn resumption_lines(o: &mut String, r: &crate::resume::Resumption, lang: Lang) {
    let issued = |yes: bool| match (lang, yes) {
        (Lang::Id, true) => "diterbitkan",
        (Lang::Id, false) => "tidak diterbitkan",
        (Lang::En, true) => "issued",
        (Lang::En, false) => "not issued",
    };
    if r.handshakes == 0 {
        let _ = writeln!(
            o,
            "  {:<28} {}: {}",
            t(lang, "Resumsi sesi", "Session resumption"),
            yes_no(lang, None),
            r.reason.clone().unwrap_or_default()
        );
        return;
    }
    let _ = writeln!(
        o,
        "  {:<28} {} (session id {})",
        t(lang, "Resumsi dgn session id", "Resumption by session id"),
        yes_no(lang, r.by_session_id),
        issued(r.session_id_issued)
    );
    let _ = writeln!(
        o,
        "  {:<28} {} (ticket {})",
        t(lang, "Resumsi dgn ticket", "Resumption by ticket"),
        yes_no(lang, r.by_ticket),
        issued(r.ticket_issued)
    );
    if let Some(hint) = r.ticket_lifetime_hint {
        let value = if hint == 0 {
            t(lang, "tidak ditentukan", "unspecified").to_string()
        } else {
            format!("{hint} s")
        };
        let _ = writeln!(
            o,
            "  {:<28} {value}",
            t(lang, "Masa berlaku ticket", "Ticket lifetime hint")
        );
    }
    if let Some(reason) = &r.reason {
        let _ = writeln!(o, "    {}: {reason}", t(lang, "catatan", "note"));
    }
    let _ = writeln!(
        o,
        "  {:<28} {}",
        t(lang, "Handshake resumsi", "Resumption handshakes"),
        r.handshakes
    );
}

/// What common clients would negotiate.
fn clients_section(o: &mut String, report: &TlsReport, lang: Lang) {
    if report.clients.is_empty() {
        return;
    }
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "{}",
        t(
            lang,
            "SIMULASI KLIEN (dihitung dari hasil, tanpa handshake tambahan)",
            "CLIENT SIMULATION (computed from the findings, no extra handshakes)"
        )
    );
    for c in &report.clients {
        let outcome = match (&c.protocol, &c.failure) {
            (Some(v), _) => format!(
                "{} {} {}",
                v.label(),
                c.suite.clone().unwrap_or_default(),
                c.group.clone().unwrap_or_default()
            ),
            (None, f) => format!(
                "{}: {}",
                t(lang, "GAGAL", "FAILS"),
                f.clone().unwrap_or_default()
            ),
        };
        let _ = writeln!(o, "  {:<26} {}", c.client, outcome.trim_end());
    }
}
