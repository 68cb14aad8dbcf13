//! Kawal evaluates itself: `kawal serve` on loopback (HTTPS with a certificate from a test CA)
//! with an administrator, two owners of different agencies and an analyst, scanned by
//! `kawal scan` logging in as each of them through the login page, landing on the dashboard
//! and crawling its pages (the queue and audit pages are declared protected beside their API
//! routes). No automated item may fail, and the service must meet the standard.

mod common;

use common::{kawal, run};
use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

const ACCOUNTS: [(&str, &str, Option<&str>); 4] = [
    ("admin", "administrator", None),
    ("analis", "tim-analisis", None),
    ("owner-a", "pj-aplikasi", Some("DINAS-A")),
    ("owner-b", "pj-aplikasi", Some("DINAS-B")),
];

fn password(user: &str) -> String {
    format!("kata-sandi-{user}-yang-panjang")
}

/// A CA and a server certificate for 127.0.0.1 signed by it, as PEM files in `dir`.
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kawal_meets_the_standard_it_enforces() {
    kawal::install_crypto_provider();
    let server_home = tempfile::tempdir().expect("tmp");
    let scanner_home = tempfile::tempdir().expect("tmp");
    let sh = server_home.path();
    certificates(sh);
    for (u, r, a) in ACCOUNTS {
        add_account(sh, u, r, a);
    }
    for (name, agency) in [("APP-A", "DINAS-A"), ("APP-B", "DINAS-B")] {
        let mut c = kawal(sh);
        c.args(["--as", "admin", "app", "add", "--name", name, "--url"])
            .arg(format!("https://{}.example.go.id", name.to_lowercase()))
            .args(["--agency", agency, "--owner", "pemilik@example.go.id"]);
        let (code, out, err) = run(c);
        assert_eq!(code, 0, "{out}{err}");
    }
    let port = free_port();
    let base = format!("https://127.0.0.1:{port}");
    let mut c = kawal(sh);
    c.args([
        "serve",
        "--workers",
        "0",
        "--listen",
        &format!("127.0.0.1:{port}"),
    ])
    .arg("--tls-cert")
    .arg(sh.join("cert.pem"))
    .arg("--tls-key")
    .arg(sh.join("key.pem"))
    .stdout(Stdio::null())
    .stderr(Stdio::null());
    let _server = Server(c.spawn().expect("kawal serve"));
    wait_ready(&base, &sh.join("ca.pem")).await;

    let mut toml = String::new();
    for (i, (u, _, _)) in ACCOUNTS.iter().enumerate() {
        let privilege = [100, 50, 10, 10][i];
        toml.push_str(&format!(
            "[[role]]\nname = \"{u}\"\nprivilege = {privilege}\nrecipe = {{ kind = \"form\", url = \"{base}/login\", username = \"{u}\", password = \"{}\" }}\nmarker = {{ text = \"Keluar\" }}\n\n",
            password(u)
        ));
    }
    toml.push_str(
        "[access]\nprotected = [\n  { pattern = \"/api/v1/users*\", allowed = [\"admin\"] },\n  { pattern = \"/api/v1/audit*\", allowed = [\"admin\"] },\n  { pattern = \"/api/v1/jobs*\", allowed = [\"admin\", \"analis\"] },\n  { pattern = \"/audit*\", allowed = [\"admin\"] },\n  { pattern = \"/jobs*\", allowed = [\"admin\", \"analis\"] },\n]\n",
    );
    let scan_dir = scanner_home.path();
    std::fs::write(scan_dir.join("kawal.toml"), toml).expect("kawal.toml");
    let out_file = scan_dir.join("self.json");
    let mut c = kawal(scan_dir);
    c.args(["scan", &base, "--rate-limit", "0", "--format", "json", "-o"])
        .arg(&out_file)
        .arg("--ca-bundle")
        .arg(sh.join("ca.pem"));
    let (code, out, err) = run(c);
    let report: Value = serde_json::from_slice(&std::fs::read(&out_file).unwrap_or_default())
        .unwrap_or_else(|e| panic!("scan wrote no report ({code}): {e}\n{out}{err}"));
    let items = report["items"].as_array().expect("items");
    let failed: Vec<&str> = items
        .iter()
        .filter(|i| i["check"] != "manual" && i["outcome"]["status"] == "fail")
        .filter_map(|i| i["id"].as_str())
        .collect();
    let detail: Vec<String> = items
        .iter()
        .filter(|i| i["check"] != "manual" && i["outcome"]["status"] == "fail")
        .map(|i| serde_json::to_string_pretty(i).unwrap_or_default())
        .collect();
    assert!(
        failed.is_empty(),
        "Kawal fails its own checks: {failed:?}\n{}",
        detail.join("\n")
    );
    let inconclusive: Vec<String> = items
        .iter()
        .filter(|i| i["outcome"]["status"] == "inconclusive")
        .map(|i| {
            format!(
                "{}: {}",
                i["id"].as_str().unwrap_or(""),
                i["outcome"]["reason"]["en"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(
        report["decision"]["meets_standard"],
        true,
        "decision: {}\ninconclusive:\n{}",
        report["decision"]["rationale"]["en"],
        inconclusive.join("\n")
    );
}
