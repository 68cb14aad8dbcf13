//! One loopback HTTP server per hostile behaviour. Each answer that can carry references to
//! the out-of-scope canary does (headers, links, forms, script strings), so the canary also
//! proves the scope held while Kawal was being mistreated.

use super::canary::{self, Canary};
use super::harness::{Behaviour, Expect, SHORT_TIMEOUTS};
use super::http::{Req, html_headers, page, reply, reset, serve, token};
use std::collections::HashSet;
use std::io::Write;
use std::net::TcpStream;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Items judged from pages (all but the wordlist probes, whose every answer can be judged).
const PAGE_ITEMS: &[&str] = &["headers.", "session.", "errors.", "tls."];
/// Items that need a logged-in session.
const LOGIN_ITEMS: &[&str] = &[
    "session.fixation",
    "session.logout-invalidation",
    "session.idle-timeout",
    "session.absolute-timeout",
    "session.concurrent",
];

fn url(port: u16) -> String {
    format!("http://127.0.0.1:{port}/")
}

/// A normal-looking page full of canary references, with `body` in front.
fn bait_page(c: &Canary, title: &str, body: &str) -> Vec<u8> {
    page(title, &format!("{body}{}", canary::html(c))).into_bytes()
}

/// A server answering every connection with the same bytes.
fn raw(bytes: Vec<u8>) -> u16 {
    let bytes = Arc::new(bytes);
    serve(move |_, s| {
        let _ = s.write_all(&bytes);
    })
}

/// Accepts, reads the request, never answers.
pub fn never_answers(_: &Canary) -> Behaviour {
    let port = serve(|_, _| std::thread::sleep(Duration::from_secs(3600)));
    Behaviour::new("accepts and never answers", url(port), Expect::Unobserved)
        .config(SHORT_TIMEOUTS)
        .budget(30)
}

/// The response head, one byte per second.
pub fn slow_headers(c: &Canary) -> Behaviour {
    let body = bait_page(c, "Lambat", "");
    let port = serve(move |_, s| {
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        for b in head.bytes() {
            if s.write_all(&[b]).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_secs(1));
        }
        let _ = s.write_all(&body);
    });
    Behaviour::new(
        "headers at one byte per second",
        url(port),
        Expect::Unobserved,
    )
    .config(SHORT_TIMEOUTS)
    .budget(30)
}

/// The head at once, the body one byte per second.
pub fn slow_body(c: &Canary) -> Behaviour {
    let body = bait_page(c, "Lambat", &"<p>isi</p>".repeat(100));
    let port = serve(move |_, s| {
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        let _ = s.write_all(head.as_bytes());
        for b in &body {
            if s.write_all(&[*b]).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_secs(1));
        }
    });
    Behaviour::new("body at one byte per second", url(port), Expect::Unobserved)
        .config(SHORT_TIMEOUTS)
        .budget(30)
}

/// The landing page answers; every other path accepts and never answers (a tarpit behind a
/// normal front page).
pub fn tarpit_behind_landing(c: &Canary) -> Behaviour {
    let landing = bait_page(
        c,
        "Beranda",
        "<a href=\"/berita\">Berita</a><a href=\"/layanan\">Layanan</a><a href=\"/login\">Masuk</a>",
    );
    let ch = html_headers(&canary::headers(c));
    let port = serve(move |r, s| {
        if r.route() == "/" {
            reply(s, "200 OK", &ch, &landing);
        } else {
            std::thread::sleep(Duration::from_secs(3600));
        }
    });
    Behaviour::new(
        "landing answers, every other path never does",
        url(port),
        Expect::NoPass(&["errors.", "access."]),
    )
    .config(SHORT_TIMEOUTS)
    .budget(120)
}

/// An endless chunked body.
pub fn endless_chunked(c: &Canary) -> Behaviour {
    let start = bait_page(c, "Tanpa akhir", "");
    let port = serve(move |_, s| {
        let mut out =
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n"
                .to_vec();
        out.extend_from_slice(format!("{:x}\r\n", start.len()).as_bytes());
        out.extend_from_slice(&start);
        out.extend_from_slice(b"\r\n");
        if s.write_all(&out).is_err() {
            return;
        }
        let filler = "<p><a href=\"/lagi\">lagi</a></p>".repeat(500);
        let chunk = format!("{:x}\r\n{filler}\r\n", filler.len());
        while s.write_all(chunk.as_bytes()).is_ok() {}
    });
    // Every request reads 2 MiB before the cap cuts it: on a loaded 2-core CI machine the
    // whole scan nears a minute, so the budget leaves room above that.
    Behaviour::new(
        "endless chunked body",
        url(port),
        Expect::NoPass(&["errors."]),
    )
    .budget(120)
}

/// Announces a body longer than it sends, then closes.
pub fn short_body(_: &Canary) -> Behaviour {
    let port = raw(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\nConnection: close\r\n\r\n<html>"
            .to_vec(),
    );
    Behaviour::new(
        "Content-Length larger than the body",
        url(port),
        Expect::Unobserved,
    )
}

/// Announces a body shorter than it sends, keeping the connection open (the rest poisons the
/// next response read on it).
pub fn long_body(c: &Canary) -> Behaviour {
    let body = bait_page(c, "Panjang", &"<p>lebih</p>".repeat(2000));
    let port = serve(move |_, s| {
        let head = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 20\r\n\r\n";
        let _ = s.write_all(head.as_bytes());
        let _ = s.write_all(&body);
        std::thread::sleep(Duration::from_secs(2));
    });
    Behaviour::new(
        "Content-Length smaller than the body",
        url(port),
        Expect::NoPass(LOGIN_ITEMS),
    )
}

/// A gzip stream of 200 MiB of zeros for every request.
pub fn gzip_bomb(_: &Canary) -> Behaviour {
    let body = Arc::new(super::bombs::gzip_zeros(200 << 20));
    let port = serve(move |_, s| {
        let h = vec![
            ("Content-Type".into(), "text/html".into()),
            ("Content-Encoding".into(), "gzip".into()),
        ];
        reply(s, "200 OK", &h, &body);
    });
    Behaviour::new(
        "gzip bomb (200 MiB of zeros)",
        url(port),
        Expect::NoPass(&["errors.", "access."]),
    )
}

/// A brotli stream of 200 MiB of zeros for every request.
pub fn brotli_bomb(_: &Canary) -> Behaviour {
    let body = Arc::new(super::bombs::brotli_zeros(200 << 20));
    let port = serve(move |_, s| {
        let h = vec![
            ("Content-Type".into(), "text/html".into()),
            ("Content-Encoding".into(), "br".into()),
        ];
        reply(s, "200 OK", &h, &body);
    });
    Behaviour::new(
        "brotli bomb (200 MiB of zeros)",
        url(port),
        Expect::NoPass(&["errors.", "access."]),
    )
}

/// One response header of 1 MiB.
pub fn megabyte_header(c: &Canary) -> Behaviour {
    let body = bait_page(c, "Besar", "");
    let big = "a".repeat(1 << 20);
    let port = serve(move |_, s| {
        let h = html_headers(&[("X-Padding".into(), big.clone())]);
        reply(s, "200 OK", &h, &body);
    });
    Behaviour::new("a 1 MiB header line", url(port), Expect::Unobserved)
}

/// 5,000 `Set-Cookie` headers on every response.
pub fn many_cookies(c: &Canary) -> Behaviour {
    let body = bait_page(c, "Kue", "");
    let ch = canary::headers(c);
    let port = serve(move |_, s| {
        let mut h = html_headers(&ch);
        for i in 0..5_000 {
            h.push((
                "Set-Cookie".into(),
                format!("k{i}={}; Path=/; HttpOnly", token()),
            ));
        }
        reply(s, "200 OK", &h, &body);
    });
    Behaviour::new("5,000 Set-Cookie headers", url(port), Expect::Unobserved)
}

/// Invalid UTF-8 in the body, headers, cookies and links; contradicting charsets.
pub fn bad_encodings(c: &Canary) -> Behaviour {
    let mut body = b"<!doctype html><html><head><meta charset=\"shift_jis\"><meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1252\"><title>Kod\xe9 \xff\xfe</title></head><body>".to_vec();
    body.extend_from_slice(
        b"\xef\xbb\xbf\xfe\xff\x00<\x00a\x00 \xc0\xaf \xed\xa0\x80 \xf8\x88\x80\x80\x80 ",
    );
    body.extend_from_slice(b"<a href=\"/p\xe9ta\">peta</a> <a href=\"/%ff%fe/%c0%af\">x</a> <a href=\"/\xf0\x9f\x98\x80\">emoji</a>");
    body.extend_from_slice(b"<form action=\"/cari\xff\"><input name=\"q\xfe\"></form>");
    body.extend_from_slice(canary::html(c).as_bytes());
    body.extend_from_slice(b"</body></html>");
    let port = serve(move |_, s| {
        let mut out = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nX-Judul: caf\xe9 \xff\r\nSet-Cookie: SESI=\xff\xfe\xc0; Path=/\r\nSet-Cookie: nama=Bud\xe9; HttpOnly\r\n".to_vec();
        out.extend_from_slice(
            format!(
                "Content-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            )
            .as_bytes(),
        );
        out.extend_from_slice(&body);
        let _ = s.write_all(&out);
    });
    Behaviour::new(
        "invalid UTF-8 and mixed encodings",
        url(port),
        Expect::NoPass(&["session.cookie."]),
    )
}

/// Sends part of the body, then a TCP reset.
pub fn reset_mid_body(_: &Canary) -> Behaviour {
    let port = serve(move |_, s| {
        let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n<html><body>");
        let _ = s.write_all(&vec![b'x'; 20_000]);
        std::thread::sleep(Duration::from_millis(50));
        if let Ok(c) = s.try_clone() {
            reset(c);
        }
    });
    Behaviour::new("reset mid-body", url(port), Expect::Unobserved)
}

/// `/` → `/hop/1` → … → `/hop/100` → a page.
pub fn redirect_chain(c: &Canary) -> Behaviour {
    let body = bait_page(c, "Akhir", "");
    let port = serve(move |r, s| {
        let n: u32 = match r.route() {
            "/" => 0,
            p => p
                .strip_prefix("/hop/")
                .and_then(|n| n.parse().ok())
                .unwrap_or(100),
        };
        if n < 100 {
            let h = vec![("Location".into(), format!("/hop/{}", n + 1))];
            reply(s, "302 Found", &h, b"");
        } else {
            reply(s, "200 OK", &html_headers(&[]), &body);
        }
    });
    Behaviour::new(
        "redirect chain of 100",
        url(port),
        Expect::NotVouched(PAGE_ITEMS),
    )
}

/// `/` redirects to HTTPS on the same plain-HTTP port; other paths to a closed port, to the
/// canary and to other schemes.
pub fn redirect_scheme_port(c: &Canary) -> Behaviour {
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let canary = c.authority.clone();
    let port = serve(move |r, s| {
        let own = r
            .header("host")
            .and_then(|h| h.rsplit_once(':'))
            .map_or(0, |(_, p)| p.parse().unwrap_or(0));
        let to = match r.route() {
            "/" => format!("https://127.0.0.1:{own}/"),
            "/a" => format!("http://127.0.0.1:{closed}/"),
            "/b" => format!("ftp://{canary}/"),
            "/c" => format!("http://{canary}/"),
            _ => format!("gopher://127.0.0.1:{own}/"),
        };
        reply(s, "301 Moved Permanently", &[("Location".into(), to)], b"");
    });
    Behaviour::new(
        "redirect to another scheme and port",
        url(port),
        Expect::Unobserved,
    )
}

/// A calendar with previous/next links for ever, and a day page for every date.
pub fn calendar_trap(c: &Canary) -> Behaviour {
    let c_html = canary::html(c);
    let ch = html_headers(&canary::headers(c));
    let port = serve(move |r, s| {
        let path = r.route().to_string();
        let (y, m) = parse_month(&path).unwrap_or((2026, 12));
        let (py, pm) = if m == 1 { (y - 1, 12) } else { (y, m - 1) };
        let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
        let mut body = format!(
            "<a href=\"/kalender/{py}/{pm:02}\">&laquo;</a> <a href=\"/kalender/{ny}/{nm:02}\">&raquo;</a> <a href=\"/agenda?bulan={ny}-{nm:02}&amp;v={}\">agenda</a>",
            token()
        );
        for d in 1..=28 {
            body.push_str(&format!(" <a href=\"/kalender/{y}/{m:02}/{d:02}\">{d}</a>"));
        }
        body.push_str(&c_html);
        reply(
            s,
            "200 OK",
            &ch,
            page(&format!("Kalender {y}-{m:02}"), &body).as_bytes(),
        );
    });
    Behaviour::new("infinite calendar", url(port), Expect::NoPass(LOGIN_ITEMS)).max_requests(2_000)
}

fn parse_month(path: &str) -> Option<(i32, u32)> {
    let mut it = path.strip_prefix("/kalender/")?.split('/');
    Some((it.next()?.parse().ok()?, it.next()?.parse().ok()?))
}

/// A fresh session id in every URL (path parameter and query) and a fresh cookie.
pub fn session_in_urls(c: &Canary) -> Behaviour {
    let c_html = canary::html(c);
    let port = serve(move |r, s| {
        let sid = token();
        let n: u64 = r
            .route()
            .trim_start_matches("/halaman/")
            .parse()
            .unwrap_or(0);
        let body = format!(
            "<a href=\"/halaman/{};jsessionid={sid}\">lanjut</a> <a href=\"/halaman/{}?PHPSESSID={sid}\">lain</a> <a href=\"/masuk;jsessionid={sid}\">masuk</a>{c_html}",
            n + 1,
            n + 2
        );
        let h = html_headers(&[("Set-Cookie".into(), format!("JSESSIONID={sid}; Path=/"))]);
        reply(s, "200 OK", &h, page("Sesi", &body).as_bytes());
    });
    Behaviour::new(
        "session id in every URL",
        url(port),
        Expect::NoPass(&["session.token.in-url"]),
    )
    .max_requests(3_000)
}

/// One page with 100,000 distinct links.
pub fn hundred_thousand_links(c: &Canary) -> Behaviour {
    let mut body = String::with_capacity(4 << 20);
    for i in 0..100_000 {
        body.push_str(&format!("<a href=\"/d{i}/x\">{i}</a>\n"));
    }
    body.push_str(&canary::html(c));
    let landing = Arc::new(page("Tautan", &body).into_bytes());
    let small = bait_page(c, "Halaman", "");
    let port = serve(move |r, s| {
        let b: &[u8] = if r.route() == "/" { &landing } else { &small };
        reply(s, "200 OK", &html_headers(&[]), b);
    });
    Behaviour::new(
        "100,000 links on one page",
        url(port),
        Expect::NoPass(&["session.token."]),
    )
    .max_requests(2_000)
}

/// A 50 MiB HTML page.
pub fn fifty_megabytes(c: &Canary) -> Behaviour {
    let head = bait_page(c, "Besar", "");
    let port = serve(move |_, s| {
        let total = 50usize << 20;
        let _ = s.write_all(
            format!("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {total}\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        );
        let _ = s.write_all(&head);
        let filler = b"<p>Lorem ipsum dolor sit amet</p>\n".repeat(2000);
        let mut sent = head.len();
        while sent < total {
            let n = filler.len().min(total - sent);
            if s.write_all(&filler[..n]).is_err() {
                return;
            }
            sent += n;
        }
    });
    Behaviour::new(
        "a 50 MiB page",
        url(port),
        Expect::NoPass(&["errors.", "access."]),
    )
}

/// A page that is empty without JavaScript; the application lives in a script.
pub fn javascript_only(c: &Canary) -> Behaviour {
    let shell = page(
        "Aplikasi",
        "<noscript>Aktifkan JavaScript</noscript><div id=\"app\"></div><script src=\"/static/app.js\"></script>",
    );
    let script = format!(
        "const API='/api'; const EXT='{}/api/keluar'; fetch(API + '/menu').then(r => r.json()).then(m => {{ document.getElementById('app').innerHTML = m.map(x => '<a href=\"' + x + '\">' + x + '</a>').join(''); }}); window.ext = '//{}/x';",
        c.http(),
        c.authority
    );
    let port = serve(move |r, s| match r.route() {
        "/static/app.js" => reply(
            s,
            "200 OK",
            &[("Content-Type".into(), "application/javascript".into())],
            script.as_bytes(),
        ),
        "/api/menu" => reply(
            s,
            "200 OK",
            &[("Content-Type".into(), "application/json".into())],
            b"[\"/#/layanan\", \"/#/profil\"]",
        ),
        _ => reply(s, "200 OK", &html_headers(&[]), shell.as_bytes()),
    });
    Behaviour::new(
        "JavaScript-only page",
        url(port),
        Expect::NoPass(LOGIN_ITEMS),
    )
}

/// `[login]` settings for a form at `/login` of `port`.
fn login_config(port: u16) -> String {
    format!(
        "[login]\nurl = \"http://127.0.0.1:{port}/login\"\nusername_field = \"username\"\npassword_field = \"password\"\nusername = \"budi\"\npassword = \"Budi#2026\"\nsuccess_marker = \"Keluar\"\n"
    )
}

const LOGIN_FORM: &str = "<form method=\"post\" action=\"/login\"><input name=\"username\"><input type=\"password\" name=\"password\"><button>Masuk</button></form>";

/// A login form that answers every attempt with "wrong password".
pub fn login_never_succeeds(c: &Canary) -> Behaviour {
    let c_html = canary::html(c);
    let port = serve(move |r, s| {
        let note = if r.method == "POST" {
            "<p class=\"galat\">Nama pengguna atau kata sandi salah.</p>"
        } else {
            ""
        };
        let h = html_headers(&[(
            "Set-Cookie".into(),
            format!("SESI={}; Path=/; HttpOnly", token()),
        )]);
        let body = format!("{note}{LOGIN_FORM}{c_html}");
        reply(s, "200 OK", &h, page("Masuk", &body).as_bytes());
    });
    Behaviour::new(
        "login form that never succeeds",
        url(port),
        Expect::NoPass(LOGIN_ITEMS),
    )
    .config(&login_config(port))
}

/// Sessions the server considers logged in.
type Sessions = Arc<Mutex<HashSet<String>>>;

/// Login works; logout answers by logging the user in again with a fresh session.
pub fn logout_logs_in_again(c: &Canary) -> Behaviour {
    let live: Sessions = Arc::default();
    let c_html = canary::html(c);
    let port = serve(move |r, s| {
        let mine = r
            .cookie("SESI")
            .filter(|v| live.lock().expect("s").contains(v));
        let issue = |s: &mut TcpStream, to: &str| {
            let sid = token();
            live.lock().expect("s").insert(sid.clone());
            let h = vec![
                ("Location".into(), to.to_string()),
                ("Set-Cookie".into(), format!("SESI={sid}; Path=/; HttpOnly")),
            ];
            reply(s, "302 Found", &h, b"");
        };
        match (r.route(), r.method.as_str(), mine) {
            ("/login", "POST", _) if login_ok(r) => issue(s, "/dasbor"),
            ("/logout", _, Some(_)) => issue(s, "/dasbor"),
            (_, _, Some(_)) => {
                let body = format!(
                    "<p>Masuk sebagai budi</p><a href=\"/profil\">Profil</a> <a href=\"/logout\">Keluar</a>{c_html}"
                );
                reply(
                    s,
                    "200 OK",
                    &html_headers(&[]),
                    page("Dasbor", &body).as_bytes(),
                );
            }
            _ => {
                let body = format!("{LOGIN_FORM}{c_html}");
                reply(
                    s,
                    "200 OK",
                    &html_headers(&[]),
                    page("Masuk", &body).as_bytes(),
                );
            }
        }
    });
    Behaviour::new(
        "logout that logs in again",
        url(port),
        Expect::NoPass(&["session.logout-invalidation"]),
    )
    .config(&login_config(port))
}

fn login_ok(r: &Req) -> bool {
    let b = String::from_utf8_lossy(&r.body);
    b.contains("username=budi") && b.contains("password=Budi%232026")
}

/// Every response sets a new session cookie; every cookie issued after login stays logged in,
/// logout included.
pub fn cookie_changes_every_response(c: &Canary) -> Behaviour {
    let live: Sessions = Arc::default();
    let c_html = canary::html(c);
    let port = serve(move |r, s| {
        let logged_in = r
            .cookie("SESI")
            .is_some_and(|v| live.lock().expect("s").contains(&v));
        let sid = token();
        let ok = r.route() == "/login" && r.method == "POST" && login_ok(r);
        if logged_in || ok {
            live.lock().expect("s").insert(sid.clone());
        }
        let mut h = html_headers(&[(
            "Set-Cookie".into(),
            format!("SESI={sid}; Path=/; HttpOnly; SameSite=Lax"),
        )]);
        if ok {
            h.push(("Location".into(), "/dasbor".into()));
            return reply(s, "303 See Other", &h, b"");
        }
        if r.route() == "/logout" {
            h.push(("Location".into(), "/login".into()));
            return reply(s, "302 Found", &h, b"");
        }
        let body = if logged_in {
            format!("<p>Masuk sebagai budi</p><a href=\"/logout\">Keluar</a>{c_html}")
        } else {
            format!("{LOGIN_FORM}{c_html}")
        };
        reply(s, "200 OK", &h, page("Aplikasi", &body).as_bytes());
    });
    Behaviour::new(
        "session cookie changes on every response",
        url(port),
        Expect::NoPass(&["session.logout-invalidation"]),
    )
    .config(&login_config(port))
}

/// Every path answers 200 with different random content.
pub fn soft_404_random(c: &Canary) -> Behaviour {
    let c_html = canary::html(c);
    let ch = html_headers(&canary::headers(c));
    let port = serve(move |r, s| {
        let words: String = (0..50).map(|_| format!("{} ", &token()[..8])).collect();
        let body = format!(
            "<p>{}</p><p>{words}</p><a href=\"/{}\">acak</a>{c_html}",
            r.path.replace('<', "&lt;"),
            &token()[..10]
        );
        reply(s, "200 OK", &ch, page("Halaman", &body).as_bytes());
    });
    Behaviour::new(
        "soft 404 with random content",
        url(port),
        Expect::NoPass(&["errors.generic-error-page"]),
    )
    .max_requests(3_000)
}

/// A raw answer (random bytes, HTTP/0.9).
pub fn raw_reply(name: &'static str, bytes: &[u8]) -> Behaviour {
    Behaviour::new(name, url(raw(bytes.to_vec())), Expect::Unobserved)
}

/// 10,000 response headers.
pub fn ten_thousand_headers(_: &Canary) -> Behaviour {
    let mut r = String::from("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n");
    for i in 0..10_000 {
        r.push_str(&format!("X-Padding-{i}: {i}\r\n"));
    }
    r.push_str("Content-Length: 5\r\nConnection: close\r\n\r\nhello");
    raw_reply("10,000 response headers", r.as_bytes())
}

/// `500` for every request.
pub fn error_everywhere(c: &Canary) -> Behaviour {
    let body = bait_page(c, "Galat", "Internal Server Error");
    let ch = html_headers(&canary::headers(c));
    let port = serve(move |_, s| reply(s, "500 Internal Server Error", &ch, &body));
    Behaviour::new(
        "500 for every request",
        url(port),
        Expect::NotVouched(&["session.cookie.", "session.fixation", "session.logout"]),
    )
}

/// `/` redirects to itself.
pub fn redirect_loop(_: &Canary) -> Behaviour {
    let port = raw(
        b"HTTP/1.1 302 Found\r\nLocation: /\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            .to_vec(),
    );
    Behaviour::new("redirect loop", url(port), Expect::NotVouched(PAGE_ITEMS))
}

/// 200,000 nested `<div>`s.
pub fn nested_divs(c: &Canary) -> Behaviour {
    let body = format!(
        "<a href=\"/masuk\">Masuk</a>{}x{}{}",
        "<div>".repeat(200_000),
        "</div>".repeat(200_000),
        canary::html(c)
    );
    let body = Arc::new(page("Dalam", &body).into_bytes());
    let port = serve(move |_, s| reply(s, "200 OK", &html_headers(&[]), &body));
    Behaviour::new(
        "200,000 nested <div>s",
        url(port),
        Expect::NoPass(LOGIN_ITEMS),
    )
}

/// A well-behaved application that points at the canary everywhere a scanner might follow:
/// links, forms (the login form posts there), `<base href>`, meta refresh, script strings,
/// `Location`, `Refresh`, `Content-Location`, `Link`, CSP `report-uri`, robots.txt,
/// sitemaps, OpenAPI `servers` and Swagger `host`, JSON links.
pub fn bait(c: &Canary) -> Behaviour {
    let (u, a) = (c.http(), c.authority.clone());
    let ch = canary::headers(c);
    let c_html = canary::html(c);
    let port = serve(move |r, s| {
        let html = |s: &mut TcpStream, status: &str, title: &str, body: &str| {
            let body = page(title, &format!("{body}{c_html}"));
            reply(s, status, &html_headers(&ch), body.as_bytes());
        };
        let typed = |s: &mut TcpStream, kind: &str, body: String| {
            let mut h = vec![("Content-Type".to_string(), kind.to_string())];
            h.extend_from_slice(&ch);
            reply(s, "200 OK", &h, body.as_bytes());
        };
        match (r.route(), r.method.as_str()) {
            ("/", _) => html(
                s,
                "200 OK",
                "Beranda",
                &format!(
                    "<meta http-equiv=\"refresh\" content=\"600;url={u}/meta-refresh\"><a href=\"/layanan\">Layanan</a> <a href=\"/dasar\">Dasar</a> <a href=\"/pindah\">Pindah</a> <a href=\"/login\">Masuk</a> <a href=\"/api/data\">Data</a> <a href=\"/app.js\">skrip</a>"
                ),
            ),
            ("/dasar", _) => html(
                s,
                "200 OK",
                "Dasar",
                &format!(
                    "<base href=\"{u}/\"><a href=\"relatif\">relatif</a> <a href=\"sub/halaman?x=1\">sub</a> <form action=\"kirim\" method=\"post\"><input name=\"q\"></form>"
                ),
            ),
            ("/pindah", _) => {
                let mut h = ch.clone();
                h.push(("Location".into(), format!("{u}/location")));
                reply(s, "302 Found", &h, b"");
            }
            ("/layanan", _) => {
                let mut h = ch.clone();
                h.push(("Location".into(), format!("//{a}/scheme-relative")));
                reply(s, "301 Moved Permanently", &h, b"");
            }
            ("/login", "GET") => html(
                s,
                "200 OK",
                "Masuk",
                &format!(
                    "<form method=\"post\" action=\"{u}/login\"><input name=\"username\"><input type=\"password\" name=\"password\"><button>Masuk</button></form>"
                ),
            ),
            ("/login", _) => {
                let mut h = ch.clone();
                h.push(("Location".into(), format!("{u}/after-login")));
                h.push((
                    "Set-Cookie".into(),
                    format!("SESI={}; Path=/; HttpOnly", token()),
                ));
                reply(s, "302 Found", &h, b"");
            }
            ("/robots.txt", _) => typed(
                s,
                "text/plain",
                format!(
                    "User-agent: *\nDisallow: /admin\nDisallow: {u}/rahasia\nAllow: //{a}/boleh\nSitemap: {u}/sitemap.xml\nSitemap: /sitemap.xml\n"
                ),
            ),
            ("/sitemap.xml", _) => typed(
                s,
                "application/xml",
                format!(
                    "<?xml version=\"1.0\"?><urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"><url><loc>{u}/peta</loc></url><url><loc>/layanan</loc></url><url><loc>{u}/sitemap-anak.xml</loc></url></urlset>"
                ),
            ),
            ("/openapi.json" | "/api/openapi.json" | "/v3/api-docs", _) => typed(
                s,
                "application/json",
                format!(
                    "{{\"openapi\":\"3.0.3\",\"info\":{{\"title\":\"x\",\"version\":\"1\"}},\"servers\":[{{\"url\":\"{u}/api\"}},{{\"url\":\"//{a}/v2\"}}],\"paths\":{{\"/pengguna\":{{\"get\":{{}}}},\"/pengguna/{{id}}\":{{\"get\":{{}}}}}}}}"
                ),
            ),
            ("/swagger.json", _) => typed(
                s,
                "application/json",
                format!(
                    "{{\"swagger\":\"2.0\",\"host\":\"{a}\",\"basePath\":\"/api\",\"schemes\":[\"http\"],\"paths\":{{\"/dokumen\":{{\"get\":{{}}}}}}}}"
                ),
            ),
            ("/api/data", _) => typed(
                s,
                "application/json",
                format!(
                    "{{\"items\":[{{\"id\":1,\"url\":\"{u}/items/1\"}},{{\"id\":2,\"href\":\"//{a}/items/2\"}}],\"next\":\"{u}/api/data?page=2\"}}"
                ),
            ),
            ("/app.js", _) => typed(
                s,
                "application/javascript",
                format!(
                    "const BASE = '{u}'; fetch(BASE + '/api/users'); fetch('//{a}/x'); new WebSocket('ws://{a}/ws'); import('{u}/mod.js');"
                ),
            ),
            _ => html(s, "404 Not Found", "Tidak ditemukan", ""),
        }
    });
    Behaviour::new(
        "bait: canary references everywhere",
        url(port),
        Expect::NoPass(LOGIN_ITEMS),
    )
    .config(&login_config(port))
    .args(&["--allow-unsafe-methods"])
}
