//! Realistic sample pages shared by the unit tests.

/// A realistic admin page in the shared layout of a regional-government application.
pub fn layout(title: &str, user: &str, csrf: &str, stamp: &str, main: &str) -> String {
    format!(
        r#"<!DOCTYPE html><html lang="id"><head><meta charset="utf-8">
<meta name="csrf-token" content="{csrf}"><title>{title} - SIMPEG Kabupaten Contoh</title>
<link rel="stylesheet" href="/css/app.css?v=1712345678">
<script>window.__STATE__ = {{"user":"{user}","ts":"{stamp}","nonce":"{csrf}"}};</script></head>
<body><nav class="navbar"><a href="/">Beranda</a> <a href="/pegawai">Pegawai</a>
<a href="/laporan">Laporan</a> <span class="user">Masuk sebagai {user}</span>
<form method="post" action="/keluar"><input type="hidden" name="_token" value="{csrf}">
<button type="submit">Keluar</button></form></nav>
<main><h1>{title}</h1>{main}</main>
<footer>Dibuat {stamp} &middot; Pemerintah Kabupaten Contoh &copy; 2024 &middot; versi 3.2.1</footer>
</body></html>"#
    )
}

pub fn user_table(rows: usize) -> String {
    let mut s = String::from(
        "<table class=\"table\"><thead><tr><th>NIP</th><th>Nama</th><th>Jabatan</th><th>Unit kerja</th><th>Aksi</th></tr></thead><tbody>",
    );
    let names = [
        "Budi Santoso",
        "Siti Aminah",
        "Agus Salim",
        "Dewi Lestari",
        "Rahmat Hidayat",
        "Sri Wahyuni",
        "Joko Susilo",
        "Nur Aini",
    ];
    let jabatan = [
        "Analis Kepegawaian",
        "Pranata Komputer",
        "Kepala Seksi",
        "Staf Pelaksana",
    ];
    for i in 0..rows {
        s.push_str(&format!(
            "<tr><td>19{:02}0{}12 200{}01 1 00{}</td><td>{}</td><td>{}</td><td>Dinas {}</td><td><a href=\"/admin/pegawai/{}/ubah\">Ubah</a> <a href=\"/admin/pegawai/{}/hapus\">Hapus</a></td></tr>",
            70 + i % 25,
            i % 9,
            i % 9,
            i % 7,
            names[i % names.len()],
            jabatan[i % jabatan.len()],
            ["Kesehatan", "Pendidikan", "Kominfo", "Perhubungan"][i % 4],
            1000 + i,
            1000 + i
        ));
    }
    s.push_str("</tbody></table><p>Menampilkan 1 sampai 25 dari 1.234 data</p>");
    s
}

pub fn login_page(csrf: &str) -> String {
    format!(
        r#"<!DOCTYPE html><html><head><title>Masuk - SIMPEG</title><meta name="csrf-token" content="{csrf}"></head>
<body class="login"><div class="card"><img src="/img/logo.png" alt="Logo Kabupaten">
<h2>Silakan masuk</h2><form method="post" action="/login"><input type="hidden" name="_token" value="{csrf}">
<label>NIP atau nama pengguna</label><input type="text" name="username" autofocus>
<label>Kata sandi</label><input type="password" name="password">
<label><input type="checkbox" name="remember"> Ingat saya</label>
<button type="submit">Masuk</button></form><a href="/lupa-sandi">Lupa kata sandi?</a></div></body></html>"#
    )
}

/// The index.html of a built single-page application (Vite + Vue), served for every route.
pub fn spa_index() -> String {
    r#"<!DOCTYPE html>
<html lang="id">
  <head>
    <meta charset="UTF-8" />
    <link rel="icon" type="image/svg+xml" href="/favicon.svg" />
    <meta name="viewport" content="width=device-width, initial-scale=1.0" />
    <title>SIPD - Sistem Informasi Pemerintahan Daerah</title>
    <script type="module" crossorigin src="/assets/index-8c3f2a1b.js"></script>
    <link rel="stylesheet" href="/assets/index-5d9e4c7f.css">
  </head>
  <body>
    <noscript>Aplikasi ini memerlukan JavaScript. This app requires JavaScript.</noscript>
    <div id="app"></div>
  </body>
</html>"#
        .to_string()
}

/// A soft-404: status 200, the site's layout, and the requested path echoed back.
pub fn soft404_page(path: &str) -> String {
    layout(
        "Halaman tidak ditemukan",
        "",
        "Zx9cVb8nM7aS6dF5gH4jK3lQ2wE1rT0y",
        "2024-05-01 10:00:00",
        &format!(
            "<div class=\"error-page\"><h2>404</h2><p>Maaf, halaman <code>{path}</code> tidak ditemukan. \
             Sorry, the page you requested was not found.</p><p>Silakan kembali ke <a href=\"/\">beranda</a> \
             atau gunakan pencarian.</p><form action=\"/cari\"><input type=\"text\" name=\"q\"></form></div>"
        ),
    )
}
