//! The dashboard in a real browser: Debian's Chromium, headless, driven over WebDriver
//! (chromedriver) against `kawal serve` on loopback HTTPS with the bundled demo target as the
//! application. The scenario of the SOP: an administrator registers the application; the security
//! section starts an evaluation, watches it finish, records a manual item with an attachment; the Kepala Dinas
//! records both decisions beside the recommendation; the owner sees only their agency and
//! downloads the PDF; another agency's owner reaches none of it by URL. axe-core checks every
//! main page (no serious or critical violation), and screenshots of them are kept.

mod common;
#[path = "dashboard/webdriver.rs"]
mod webdriver;

use common::{kawal, run};
use serde_json::{Value, json};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};
use webdriver::{Browser, Driver};

const AGENCY: &str = "DINAS-DEMO";
const OTHER_AGENCY: &str = "DINAS-LAIN";

fn password(user: &str) -> String {
    format!("kata-sandi-{user}-yang-panjang")
}

/// A CA and a certificate for 127.0.0.1 signed by it, as PEM files in `dir`.
fn certificates(dir: &Path) {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair, KeyUsagePurpose};
    let ca_key = KeyPair::generate().expect("ca key");
    let mut ca = CertificateParams::new(Vec::<String>::new()).expect("ca params");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    ca.distinguished_name
        .push(rcgen::DnType::CommonName, "Kawal Test CA");
    let ca_cert = ca.self_signed(&ca_key).expect("ca cert");
    let issuer = rcgen::Issuer::new(ca, ca_key);
    let key = KeyPair::generate().expect("key");
    let leaf = CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
        .expect("leaf params")
        .signed_by(&key, &issuer)
        .expect("leaf");
    std::fs::write(dir.join("ca.pem"), ca_cert.pem()).expect("ca.pem");
    std::fs::write(dir.join("cert.pem"), leaf.pem()).expect("cert.pem");
    std::fs::write(dir.join("key.pem"), key.serialize_pem()).expect("key.pem");
}

fn add_account(home: &Path, user: &str, role: &str, agency: Option<&str>) {
    let mut c = kawal(home);
    c.args(["user", "add", user, "--role", role]);
    if user != "admin" {
        c.args(["--as", "admin"]);
    }
    if let Some(a) = agency {
        c.args(["--agency", a]);
    }
    let (code, out, err) = run(c);
    assert_eq!(code, 0, "{out}{err}");
    let token = out
        .split_whitespace()
        .find_map(|w| {
            w.strip_prefix("--token=")
                .or(Some(w))
                .filter(|w| w.starts_with("kws_"))
        })
        .expect("one-time token");
    let mut c = kawal(home);
    c.args(["user", "set-password", "--token", token])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(format!("{}\n", password(user)).as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("set-password");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

async fn wait_ready(base: &str, ca: &Path) {
    let ca = reqwest::Certificate::from_pem(&std::fs::read(ca).expect("ca")).expect("ca pem");
    let client = reqwest::Client::builder()
        .tls_certs_only([ca])
        .build()
        .expect("client");
    let t = Instant::now();
    loop {
        if let Ok(r) = client.get(format!("{base}/readyz")).send().await
            && r.status().is_success()
        {
            return;
        }
        assert!(
            t.elapsed() < Duration::from_secs(60),
            "kawal serve never became ready"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The browser and its driver, or why they are missing (a failure under CI).
fn browser_binaries() -> Option<(String, String)> {
    let pick =
        |var: &str, default: &str| std::env::var(var).unwrap_or_else(|_| default.to_string());
    let driver = pick("KAWAL_CHROMEDRIVER", "/usr/bin/chromedriver");
    let chromium = pick("KAWAL_CHROMIUM", "/usr/bin/chromium");
    if Path::new(&driver).exists() && Path::new(&chromium).exists() {
        return Some((driver, chromium));
    }
    let why = format!("{driver} or {chromium} missing (apt-get install chromium chromium-driver)");
    if std::env::var_os("CI").is_some() {
        panic!("CI is set but the browser is missing: {why}");
    }
    eprintln!("browser test not run: {why}");
    None
}

/// axe-core's script (fetched by scripts/test into target/test-deps).
fn axe_source() -> Option<String> {
    let path = std::env::var("KAWAL_AXE_CORE")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-deps/axe/package/axe.min.js")
        });
    match std::fs::read_to_string(&path) {
        Ok(s) => Some(s),
        Err(e) if std::env::var_os("CI").is_some() => {
            panic!(
                "CI is set but axe-core is missing at {}: {e}",
                path.display()
            )
        }
        Err(e) => {
            eprintln!(
                "accessibility check not run: {}: {e} (scripts/test fetches it)",
                path.display()
            );
            None
        }
    }
}

struct Ui<'a> {
    b: &'a Browser,
    base: String,
    axe: Option<String>,
    shots: PathBuf,
}

impl Ui<'_> {
    async fn login(&self, user: &str) {
        self.b.goto(&format!("{}/login", self.base)).await;
        self.b.type_into("#username", user).await;
        self.b.type_into("#password", &password(user)).await;
        self.b
            .click("form[action='/login'] button[type=submit]")
            .await;
        self.b.wait_for("form[action='/logout']", 20).await;
    }

    async fn logout(&self) {
        self.b.click("form[action='/logout'] button").await;
        self.b.wait_for("#username", 20).await;
    }

    async fn open(&self, path: &str) {
        self.b.goto(&format!("{}{path}", self.base)).await;
    }

    async fn h1(&self) -> String {
        self.b.text("h1").await
    }

    /// Runs axe-core on the page: no serious or critical violation; keeps a screenshot.
    async fn check_page(&self, name: &str) {
        std::fs::write(
            self.shots.join(format!("{name}.png")),
            self.b.screenshot().await,
        )
        .expect("screenshot");
        let Some(axe) = &self.axe else { return };
        if self.b.exec("return typeof window.axe;", json!([])).await != "object" {
            self.b
                .exec(&format!("{axe}\n;return true;"), json!([]))
                .await;
        }
        let found = self
            .b
            .exec_async(
                "const done = arguments[arguments.length - 1];\
                 window.axe.run(document, { resultTypes: ['violations'] })\
                   .then(r => done(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')\
                     .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.map(n => n.target.join(' ')).join(', '))))\
                   .catch(e => done(['axe failed: ' + e]));",
                json!([]),
            )
            .await;
        assert_eq!(
            found,
            json!([]),
            "accessibility violations on the {name} page"
        );
    }

    /// Fetches `path` with the page's session; (status, content type, first bytes, length).
    async fn fetch(&self, path: &str) -> Value {
        self.b
            .exec_async(
                "const done = arguments[arguments.length - 1];\
                 fetch(arguments[0], { credentials: 'same-origin' }).then(async r => {\
                   const b = new Uint8Array(await r.arrayBuffer());\
                   done({ status: r.status, type: r.headers.get('content-type'), head: String.fromCharCode(...b.slice(0, 5)), len: b.length });\
                 }).catch(e => done({ error: String(e) }));",
                json!([path]),
            )
            .await
    }
}

async fn setup(home: &Path) -> (Server, String) {
    certificates(home);
    for (u, r, a) in [
        ("admin", "administrator", None),
        ("seksi", "kepala-seksi", None),
        ("kadis", "kepala-dinas", None),
        ("owner-a", "pj-aplikasi", Some(AGENCY)),
        ("owner-b", "pj-aplikasi", Some(OTHER_AGENCY)),
    ] {
        add_account(home, u, r, a);
    }
    let mut c = kawal(home);
    c.args([
        "--as",
        "admin",
        "app",
        "add",
        "--name",
        "LAIN",
        "--url",
        "https://lain.example.go.id",
    ])
    .args(["--agency", OTHER_AGENCY, "--owner", "pemilik@example.go.id"]);
    let (code, out, err) = run(c);
    assert_eq!(code, 0, "{out}{err}");
    let port = free_port();
    let base = format!("https://127.0.0.1:{port}");
    let mut c = kawal(home);
    c.args([
        "serve",
        "--workers",
        "1",
        "--listen",
        &format!("127.0.0.1:{port}"),
    ])
    .arg("--tls-cert")
    .arg(home.join("cert.pem"))
    .arg("--tls-key")
    .arg(home.join("key.pem"))
    .stdout(Stdio::null())
    .stderr(Stdio::null());
    let server = Server(c.spawn().expect("kawal serve"));
    wait_ready(&base, &home.join("ca.pem")).await;
    (server, base)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sop_through_the_pages_in_chromium() {
    let Some((driver_bin, chromium)) = browser_binaries() else {
        return;
    };
    kawal::install_crypto_provider();
    let home = tempfile::tempdir().expect("tmp");
    let target = common::fixture(kawal_fixture::FixtureConfig::new(
        kawal_fixture::Profile::Vulnerable,
    ))
    .await;
    let (_server, base) = setup(home.path()).await;
    let driver = Driver::start(&driver_bin, free_port()).await;
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("dashboard-screenshots");
    std::fs::create_dir_all(&shots).expect("screenshot dir");
    let b = Browser::new(&driver, &chromium, home.path()).await;
    b.script_timeout(60_000).await;
    let ui = Ui {
        b: &b,
        base: base.clone(),
        axe: axe_source(),
        shots,
    };

    // The login page, then the administrator's overview.
    ui.open("/login").await;
    ui.check_page("login").await;
    ui.login("admin").await;
    assert_eq!(ui.h1().await, "Ringkasan");
    assert_eq!(
        b.exec("return document.documentElement.lang;", json!([]))
            .await,
        "id"
    );

    // Register the demo target as an application.
    ui.open("/apps/new").await;
    ui.check_page("app-form").await;
    b.type_into("#f-name", "DEMO").await;
    let url = target.https_url.clone().expect("demo target over HTTPS");
    b.type_into("#f-url", &url).await;
    b.type_into("#f-agency", AGENCY).await;
    b.type_into("#f-owner", "pj-aplikasi@demo.example.go.id")
        .await;
    b.type_into("#f-rate", "0").await;
    b.type_into("#f-ca", &target.ca_pem).await;
    b.click("form.stack button[type=submit]").await;
    b.wait_for("a[href$='/edit']", 20).await;
    assert_eq!(ui.h1().await, "DEMO");
    let app_path = b.exec("return location.pathname;", json!([])).await;
    let app_path = app_path.as_str().expect("path").to_string();
    // The administrator registers but does not evaluate (separation of duties).
    assert!(b.try_find("#start-evaluation").await.is_none());
    ui.open("/audit").await;
    assert!(
        b.text_of_body().await.contains("app.add"),
        "the registration is in the audit log"
    );
    ui.check_page("audit").await;
    ui.logout().await;

    // The information-security section starts an evaluation.
    ui.login("seksi").await;
    ui.open(&app_path).await;

    // Start an evaluation; the page's script follows the job and shows the finished one.
    b.click("#start-evaluation").await;
    b.wait_for("#progress-live", 20).await;
    ui.check_page("app-progress").await;
    let done =
        "section[aria-labelledby='h-evals'] td.met, section[aria-labelledby='h-evals'] td.not-met";
    b.wait_for(done, 300).await;
    let eval_path = b
        .exec("return document.querySelector(\"section[aria-labelledby='h-evals'] a[href^='/evaluations/']\").getAttribute('href');", json!([]))
        .await;
    let eval_path = eval_path.as_str().expect("evaluation link").to_string();
    ui.check_page("app").await;

    // A manual item with an attachment.
    ui.open(&eval_path).await;
    let evidence = home.path().join("bukti-uji.txt");
    std::fs::write(&evidence, "hasil wawancara dan tangkapan layar").expect("evidence");
    b.type_into("#m-note", "diperiksa bersama penanggung jawab")
        .await;
    b.type_into("#m-file", &evidence.to_string_lossy()).await;
    b.click("#record-manual").await;
    b.wait_for("section[aria-labelledby='h-manual'] tbody tr", 20)
        .await;
    assert!(
        b.text("section[aria-labelledby='h-manual'] tbody")
            .await
            .contains("bukti-uji.txt")
    );
    ui.check_page("evaluation").await;
    ui.open("/findings").await;
    ui.check_page("findings").await;
    ui.open("/jobs").await;
    ui.check_page("jobs").await;
    ui.open("/").await;
    ui.check_page("overview").await;
    ui.logout().await;

    // The Kepala Dinas records both decisions, the recommendation beside each.
    ui.login("kadis").await;
    let waiting = b.text("section[aria-labelledby='h-waiting']").await;
    assert!(
        waiting.contains("Disposisi evaluasi berkala aplikasi"),
        "kadis waits for the disposition:\n{waiting}"
    );
    ui.open(&eval_path).await;
    assert!(
        b.text("#h-decisions + .columns")
            .await
            .contains("Alasan rekomendasi")
    );
    b.click("#decide-1").await;
    b.wait_for("#decision-1", 20).await;
    b.click("#decide-2").await;
    b.wait_for("#decision-2", 20).await;
    ui.check_page("evaluation-decided").await;
    // A tablet's width: the same page in one column, still without horizontal scrolling.
    b.resize(820, 1180).await;
    ui.open(&eval_path).await;
    let overflow = b
        .exec(
            "return document.documentElement.scrollWidth > window.innerWidth;",
            json!([]),
        )
        .await;
    assert_eq!(
        overflow, false,
        "the evaluation page scrolls sideways on a tablet"
    );
    ui.check_page("evaluation-tablet").await;
    b.resize(1280, 1000).await;
    ui.logout().await;

    // The section approves sending the decided report to the agency.
    let eval_id = eval_path.trim_start_matches("/evaluations/").to_string();
    let mut c = kawal(home.path());
    c.args([
        "--as",
        "seksi",
        "delivery",
        "send",
        &eval_id,
        "--note",
        "Mohon ditindaklanjuti",
    ]);
    let (code, out, err) = run(c);
    assert_eq!(code, 0, "{out}{err}");

    // The owner sees only their agency and downloads the PDF report.
    ui.login("owner-a").await;
    let overview = b.text_of_body().await;
    assert!(
        overview.contains("DEMO") && !overview.contains("LAIN"),
        "owner-a's overview:\n{overview}"
    );
    ui.check_page("overview-owner").await;
    ui.open(&eval_path).await;
    b.find("#download-pdf").await;
    let report = eval_path.replace("/evaluations/", "/api/v1/evaluations/") + "/report?format=pdf";
    let pdf = ui.fetch(&report).await;
    assert_eq!(pdf["status"], 200, "{pdf}");
    assert_eq!(pdf["head"], "%PDF-", "{pdf}");
    assert!(pdf["len"].as_u64().unwrap_or(0) > 1000, "{pdf}");
    // English on request, kept for the next pages.
    ui.open("/?lang=en").await;
    assert_eq!(ui.h1().await, "Overview");
    ui.open("/apps").await;
    assert_eq!(ui.h1().await, "Applications");
    assert_eq!(
        b.exec("return document.documentElement.lang;", json!([]))
            .await,
        "en"
    );
    ui.check_page("apps-en").await;
    ui.open("/?lang=id").await;
    // The inbox: the owner acknowledges receipt (SOP step 10).
    ui.open("/inbox").await;
    ui.check_page("inbox").await;
    b.type_into(&format!("#ack-{eval_id}"), "Agenda 045/112")
        .await;
    b.click(&format!("#ack-button-{eval_id}")).await;
    let mut gone = false;
    for _ in 0..200 {
        if b.try_find(&format!("#ack-button-{eval_id}"))
            .await
            .is_none()
        {
            gone = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(gone, "the acknowledged report has no button left");
    assert!(b.text_of_body().await.contains("owner-a"));
    // Reporting the fix queues a retest of the failed items.
    ui.open(&eval_path).await;
    b.type_into("#fix-reason", "HSTS dipasang di reverse proxy")
        .await;
    b.click("#report-fix").await;
    let mut landed = false;
    for _ in 0..200 {
        if b.exec("return location.pathname;", json!([])).await == app_path.as_str() {
            landed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(landed, "back on the application after the fix report");
    assert_eq!(ui.h1().await, "DEMO");
    ui.logout().await;

    // Another agency's owner: the same URLs answer "not found".
    ui.login("owner-b").await;
    for path in [eval_path.as_str(), app_path.as_str()] {
        ui.open(path).await;
        assert_eq!(ui.h1().await, "Tidak ditemukan", "{path} as owner-b");
    }
    let pdf = ui.fetch(&report).await;
    assert_eq!(pdf["status"], 404, "{pdf}");
    let overview = b.text_of_body().await;
    assert!(!overview.contains("DEMO"), "owner-b's page:\n{overview}");
    b.quit().await;
}
