//! A realistic evaluation report, shared by the integration tests, the
//! benchmark and the sample example.

#![allow(dead_code)]

use kawal_pdf::{BarChart, Block, Cell, Document, Rgb, Series, Span, Table, Tone};

/// Severity colours used by the report.
pub const HIGH: Rgb = Rgb(0xC6, 0x28, 0x28);
/// Medium severity.
pub const MEDIUM: Rgb = Rgb(0xE0, 0x8A, 0x00);
/// Low severity.
pub const LOW: Rgb = Rgb(0x3B, 0x6E, 0xA8);
/// Passing checks.
pub const PASS_FILL: Rgb = Rgb(0xE3, 0xF2, 0xE5);
/// Failing checks.
pub const FAIL_FILL: Rgb = Rgb(0xFB, 0xE3, 0xE1);

const ISSUES: [(&str, &str, &str); 12] = [
    (
        "Header Content-Security-Policy tidak dipasang",
        "Konfigurasi server",
        "Tinggi",
    ),
    (
        "Cookie sesi tanpa atribut Secure dan HttpOnly",
        "Manajemen sesi",
        "Tinggi",
    ),
    (
        "Pesan galat menampilkan jejak tumpukan (stack trace)",
        "Penanganan galat",
        "Sedang",
    ),
    ("Protokol TLS 1.0 masih diterima", "Kriptografi", "Tinggi"),
    (
        "Formulir masuk tanpa pembatasan percobaan",
        "Autentikasi",
        "Tinggi",
    ),
    (
        "Versi perangkat lunak server diumumkan",
        "Konfigurasi server",
        "Rendah",
    ),
    (
        "Direktori cadangan dapat diunduh",
        "Konfigurasi server",
        "Sedang",
    ),
    ("Token CSRF tidak divalidasi", "Manajemen sesi", "Sedang"),
    (
        "Kata sandi awal tidak wajib diganti",
        "Autentikasi",
        "Sedang",
    ),
    (
        "Header Strict-Transport-Security tidak ada",
        "Kriptografi",
        "Rendah",
    ),
    (
        "Pengalihan terbuka pada parameter “next”",
        "Validasi masukan",
        "Sedang",
    ),
    (
        "Berkas .git dapat diakses publik",
        "Konfigurasi server",
        "Tinggi",
    ),
];

/// The title of finding `i` (1-based), unique across the report.
pub fn finding_title(i: usize) -> String {
    let (issue, _, _) = ISSUES[(i - 1) % ISSUES.len()];
    format!("Temuan {i:03}: {issue}")
}

/// The text of appendix row `i` (1-based).
pub fn appendix_control(i: usize) -> String {
    format!("Kontrol {i:03} — verifikasi konfigurasi keamanan butir {i}")
}

fn evidence(i: usize) -> String {
    format!(
        "GET /layanan/permohonan?id={i}&next=https://contoh.test/ HTTP/1.1\r\n\
         Host: sipd.kabupaten.example.go.id\r\n\
         User-Agent: Kawal/0.1 (evaluasi keamanan)\r\n\
         \r\n\
         HTTP/1.1 200 OK\r\n\
         Server: Apache/2.4.29 (Ubuntu)\r\n\
         Set-Cookie: PHPSESSID=9f{i:04}c0ffee{}; path=/\r\n\
         X-Powered-By: PHP/7.2.24\r\n",
        "ab12".repeat(24)
    )
}

/// A report with `findings` findings and an appendix of `appendix_rows` rows.
pub fn report(findings: usize, appendix_rows: usize) -> Document {
    let mut blocks = vec![
        Block::Cover {
            kicker: "Dinas Komunikasi dan Informatika Kabupaten Sleman".into(),
            title: "Laporan Evaluasi Keamanan Aplikasi Sistem Informasi Pelayanan Publik".into(),
            subtitle: "Evaluasi berkala sesuai Peraturan BSSN Nomor 4 Tahun 2021".into(),
            lines: vec![
                (
                    "Kepada".into(),
                    "Kepala Dinas Komunikasi dan Informatika Kabupaten Sleman".into(),
                ),
                (
                    "Aplikasi".into(),
                    "SIPP — https://sipp.slemankab.example.go.id".into(),
                ),
                ("Periode".into(), "1–30 Juni 2025".into()),
                (
                    "Evaluator".into(),
                    "Tim Keamanan Informasi, Bidang Persandian".into(),
                ),
                ("Klasifikasi".into(), "Terbatas".into()),
            ],
        },
        Block::Heading {
            level: 1,
            text: "Ringkasan Eksekutif".into(),
        },
        Block::Paragraph(vec![
            Span::regular("Evaluasi ini menilai "),
            Span::bold("148 kontrol keamanan"),
            Span::regular(
                " pada aplikasi SIPP terhadap persyaratan standar teknis dan prosedur keamanan \
                 aplikasi berbasis web. Pengujian dilakukan secara non-destruktif dari jaringan \
                 publik; semua bukti dicatat dengan waktu dan permintaan HTTP lengkap. Nilai \
                 kepatuhan ≥ 80 % dianggap memadai — di bawahnya diperlukan rencana perbaikan.",
            ),
        ]),
        Block::Callout {
            tone: Tone::Bad,
            title: "Keputusan: belum layak dioperasikan tanpa perbaikan".into(),
            body: vec![
                Span::regular("Ditemukan "),
                Span::bold("5 temuan berisiko tinggi"),
                Span::regular(" yang harus diperbaiki dalam 14 hari kerja, terutama "),
                Span::mono("TLS 1.0"),
                Span::regular(" dan cookie sesi tanpa atribut "),
                Span::mono("Secure"),
                Span::regular("."),
            ],
        },
        Block::Callout {
            tone: Tone::Warn,
            title: "Perlu perhatian".into(),
            body: vec![Span::regular(
                "Delapan temuan berisiko sedang sebaiknya masuk rencana kerja triwulan berikutnya.",
            )],
        },
        Block::Callout {
            tone: Tone::Good,
            title: "Sudah baik".into(),
            body: vec![Span::regular(
                "Sertifikat TLS valid, rantai lengkap, dan diperbarui otomatis.",
            )],
        },
        Block::Callout {
            tone: Tone::Neutral,
            title: "Catatan metodologi".into(),
            body: vec![Span::regular(
                "Pengujian tidak mencakup kode sumber maupun infrastruktur internal.",
            )],
        },
        Block::BarChart(BarChart {
            title: "Temuan per kategori dan tingkat risiko".into(),
            categories: vec![
                "Konfigurasi server".into(),
                "Manajemen sesi".into(),
                "Autentikasi".into(),
                "Kriptografi".into(),
                "Penanganan galat".into(),
                "Validasi masukan".into(),
                "Kontrol akses".into(),
            ],
            series: vec![
                Series::new("Tinggi", HIGH, vec![26.0, 13.0, 13.0, 12.0, 0.0, 0.0, 0.0]),
                Series::new(
                    "Sedang",
                    MEDIUM,
                    vec![13.0, 12.0, 12.0, 0.0, 13.0, 12.0, 0.0],
                ),
                Series::new("Rendah", LOW, vec![12.0, 0.0, 0.0, 12.0, 0.0, 0.0, 0.0]),
            ],
        }),
        Block::Heading {
            level: 2,
            text: "Tindak lanjut yang diminta".into(),
        },
        Block::Bullets(vec![
            vec![
                Span::bold("Dalam 14 hari: "),
                Span::regular("nonaktifkan TLS 1.0/1.1 dan pasang atribut cookie."),
            ],
            vec![
                Span::bold("Dalam 30 hari: "),
                Span::regular("pasang header keamanan dan batasi percobaan masuk."),
            ],
            vec![Span::regular(
                "Laporkan hasil perbaikan kepada Bidang Persandian untuk verifikasi ulang.",
            )],
        ]),
        Block::PageBreak,
        Block::Heading {
            level: 1,
            text: "Temuan".into(),
        },
    ];
    for i in 1..=findings {
        let (_, category, severity) = ISSUES[(i - 1) % ISSUES.len()];
        blocks.push(Block::Heading {
            level: 2,
            text: finding_title(i),
        });
        blocks.push(Block::KeyValue(vec![
            ("Tingkat risiko".into(), severity.into()),
            ("Kategori".into(), category.into()),
            (
                "Lokasi".into(),
                format!("https://sipp.slemankab.example.go.id/layanan/permohonan?id={i}"),
            ),
            (
                "Referensi".into(),
                "Perban BSSN 4/2021, Lampiran II butir 3.4; OWASP ASVS 4.0.3 V14".into(),
            ),
        ]));
        blocks.push(Block::Paragraph(vec![
            Span::bold("Uraian. "),
            Span::regular(
                "Server mengirim respons tanpa kontrol yang diharapkan sehingga peramban tidak \
                 mendapat perlindungan tambahan. Penyerang dapat memanfaatkan kelemahan ini \
                 bersama celah lain untuk mengambil alih sesi pengguna.",
            ),
        ]));
        blocks.push(Block::Preformatted(evidence(i)));
        blocks.push(Block::Paragraph(vec![
            Span::bold("Rekomendasi. "),
            Span::regular("Aktifkan kontrol pada konfigurasi server web lalu uji ulang dengan "),
            Span::mono("kawal verify"),
            Span::regular("."),
        ]));
    }
    blocks.push(Block::PageBreak);
    blocks.push(Block::Heading {
        level: 1,
        text: "Lampiran A. Daftar Periksa Lengkap".into(),
    });
    let mut table = Table::new([
        ("No", 0.5),
        ("Kontrol", 4.0),
        ("Status", 1.1),
        ("Catatan", 3.0),
    ]);
    for i in 1..=appendix_rows {
        let pass = i % 3 != 0;
        let status = if pass {
            Cell::new("Memenuhi").with_fill(PASS_FILL)
        } else {
            Cell::bold("Tidak memenuhi").with_fill(FAIL_FILL)
        };
        let note = if i % 7 == 0 {
            "Perlu bukti tambahan dari pengelola aplikasi; verifikasi ulang dijadwalkan pada periode evaluasi berikutnya."
        } else {
            "—"
        };
        table.rows.push(vec![
            Cell::new(i.to_string()),
            Cell::new(appendix_control(i)),
            status,
            Cell::new(note),
        ]);
    }
    blocks.push(Block::Table(table));
    Document {
        title: "Laporan Evaluasi Keamanan Aplikasi SIPP".into(),
        author: "Dinas Komunikasi dan Informatika Kabupaten Sleman".into(),
        subject: "Evaluasi keamanan aplikasi berkala (Perban BSSN 4/2021)".into(),
        lang: "id".into(),
        footer: "Laporan Evaluasi Keamanan Aplikasi SIPP — Terbatas".into(),
        page_label: "Halaman {page} dari {pages}".into(),
        blocks,
    }
}
