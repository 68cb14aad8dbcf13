//! Response similarity: fingerprinting a 20 KB HTML page, comparing two fingerprints, and a
//! whole replay judgement.

use kawal_access::verdict::{Context, Prepared, Rules, judge_with};
use kawal_access::{Fingerprint, Observed, similarity};

fn main() {
    divan::main();
}

/// A ~20 KB admin page: layout chrome, a data table, per-request tokens.
fn page(user: &str, token: &str, rows: usize) -> String {
    let mut table = String::from(
        "<table class=\"table table-striped\"><thead><tr><th>NIP</th><th>Nama</th><th>Jabatan</th><th>Unit kerja</th><th>Aksi</th></tr></thead><tbody>",
    );
    let names = [
        "Budi Santoso",
        "Siti Aminah",
        "Agus Salim",
        "Dewi Lestari",
        "Rahmat Hidayat",
    ];
    let units = [
        "Dinas Kesehatan",
        "Dinas Pendidikan",
        "Diskominfo",
        "Dinas Perhubungan",
        "Bappeda",
    ];
    for i in 0..rows {
        table.push_str(&format!(
            "<tr><td>1980{:02}{:02}200501100{}</td><td>{}</td><td>Analis {}</td><td>{}</td><td><a class=\"btn btn-sm\" href=\"/admin/pegawai/{}/ubah\">Ubah</a> <a class=\"btn btn-sm btn-danger\" href=\"/admin/pegawai/{}/hapus\">Hapus</a></td></tr>\n",
            i % 12 + 1,
            i % 28 + 1,
            i % 10,
            names[i % names.len()],
            ["Kepegawaian", "Keuangan", "Perencanaan"][i % 3],
            units[i % units.len()],
            1000 + i,
            1000 + i
        ));
    }
    table.push_str("</tbody></table>");
    format!(
        r#"<!DOCTYPE html><html lang="id"><head><meta charset="utf-8"><meta name="csrf-token" content="{token}">
<title>Data Pegawai - SIMPEG</title><link rel="stylesheet" href="/css/app.css?v=1714540800">
<script>window.Laravel = {{"csrfToken":"{token}","user":"{user}"}};</script></head>
<body><nav class="main-header navbar"><ul class="navbar-nav"><li><a href="/">Beranda</a></li><li><a href="/pegawai">Pegawai</a></li>
<li><a href="/laporan">Laporan</a></li></ul><span class="user">{user}</span></nav>
<aside class="main-sidebar"><ul class="nav"><li>Dasbor</li><li>Data Pegawai</li><li>Cuti</li><li>Kenaikan Pangkat</li></ul></aside>
<div class="content-wrapper"><div class="content-header"><h1>Data Pegawai</h1></div>{table}
<p>Menampilkan 1 sampai {rows} dari 1.234 data. Diperbarui 2024-05-01 10:15:33.</p></div>
<footer class="main-footer">Pemerintah Kabupaten Contoh &copy; 2024</footer></body></html>"#
    )
}

fn page_20kb(user: &str, token: &str) -> String {
    let mut rows = 40;
    loop {
        let p = page(user, token, rows);
        if p.len() >= 20_000 {
            return p;
        }
        rows += 5;
    }
}

#[divan::bench]
fn fingerprint_20kb_html(bencher: divan::Bencher) {
    let body = page_20kb("Budi Santoso", "Jx8kQ2mZp4Lr7Tn1Vb6Wc3Yd9Ae5Sf0Gh");
    let obs = Observed::new(200, body).with_content_type("text/html");
    bencher
        .counter(divan::counter::BytesCount::new(obs.body.len()))
        .bench_local(|| Fingerprint::of(divan::black_box(&obs)));
}

#[divan::bench]
fn compare_two_fingerprints(bencher: divan::Bencher) {
    let a = Fingerprint::of_body(&page_20kb("Budi Santoso", "tokA1234567890abcdefgh"), None);
    let b = Fingerprint::of_body(&page_20kb("Siti Aminah", "tokB0987654321hgfedcba"), None);
    bencher.bench_local(|| similarity(divan::black_box(&a), divan::black_box(&b)));
}

/// Thousands of pairs: 2,000 comparisons of ~20 KB pages, fingerprints computed once each.
#[divan::bench(sample_count = 20)]
fn compare_2000_pairs(bencher: divan::Bencher) {
    let prints: Vec<Fingerprint> = (0..64)
        .map(|i| {
            Fingerprint::of_body(
                &page(&format!("pengguna{i}"), &format!("t{i:032x}"), 40 + i % 8),
                None,
            )
        })
        .collect();
    bencher.bench_local(|| {
        let mut sum = 0.0;
        for k in 0..2000 {
            let (x, y) = (k % prints.len(), (k * 7 + 3) % prints.len());
            sum += similarity(&prints[x], &prints[y]);
        }
        divan::black_box(sum)
    });
}

#[divan::bench]
fn judge_replay_prepared_privileged(bencher: divan::Bencher) {
    let privileged = Prepared::new(&Observed::new(200, page_20kb("admin", "tokA")));
    let replay = Observed::new(200, page_20kb("tamu", "tokB"));
    let rules = Rules::default();
    bencher.bench_local(|| {
        let r = Prepared::new(divan::black_box(&replay));
        judge_with(&privileged, &r, &rules, &Context::default())
    });
}
