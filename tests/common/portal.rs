//! The login-only Flask portal of `fixtures/python/portal_app.py`, over HTTPS on an ephemeral
//! loopback port with a throw-away certificate made by `openssl`.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

/// A running portal, killed on drop.
pub struct Portal {
    child: std::process::Child,
    /// Base URL (`https://127.0.0.1:PORT/`).
    pub url: String,
    /// The CA to trust (`--ca-bundle`).
    pub cert: PathBuf,
}

impl Portal {
    /// A running application at `url` whose certificate `cert` signed.
    pub fn new(child: std::process::Child, url: String, cert: PathBuf) -> Portal {
        Portal { child, url, cert }
    }
}

impl Drop for Portal {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A throw-away CA and a certificate for 127.0.0.1 it signed, in `dir`: (CA, certificate, key).
pub fn certificate(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let p = |n: &str| dir.join(n);
    let ext = p("portal-ext.cnf");
    std::fs::write(
        &ext,
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=critical,CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .expect("write extensions");
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let steps: Vec<Vec<std::ffi::OsString>> = vec![
        args(
            &["req", "-x509", "-days", "2", "-subj", "/CN=Kawal test CA"],
            &ec,
            &[
                ("-keyout", p("portal-ca-key.pem")),
                ("-out", p("portal-ca.pem")),
            ],
        ),
        args(
            &["req", "-subj", "/CN=127.0.0.1"],
            &ec,
            &[("-keyout", p("portal-key.pem")), ("-out", p("portal.csr"))],
        ),
        args(
            &["x509", "-req", "-days", "2", "-set_serial", "7"],
            &[],
            &[
                ("-in", p("portal.csr")),
                ("-CA", p("portal-ca.pem")),
                ("-CAkey", p("portal-ca-key.pem")),
                ("-extfile", ext.clone()),
                ("-out", p("portal-cert.pem")),
            ],
        ),
    ];
    for a in steps {
        let out = std::process::Command::new("openssl")
            .args(&a)
            .output()
            .expect("openssl runs (install it with: apt-get install openssl)");
        assert!(
            out.status.success(),
            "openssl {a:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    (
        p("portal-ca.pem"),
        p("portal-cert.pem"),
        p("portal-key.pem"),
    )
}

fn args(head: &[&str], mid: &[&str], paths: &[(&str, PathBuf)]) -> Vec<std::ffi::OsString> {
    let mut v: Vec<std::ffi::OsString> = head.iter().chain(mid).map(|s| s.into()).collect();
    for (flag, path) in paths {
        v.push(flag.into());
        v.push(path.into());
    }
    v
}

/// Starts the portal in `mode` (`weak` or `hardened`) with a certificate made in `dir`.
pub fn portal(mode: &str, dir: &Path) -> Portal {
    let (ca, cert, key) = certificate(dir);
    let args = [OsStr::new(mode), cert.as_os_str(), key.as_os_str()];
    let (child, port) = super::flask::spawn("portal_app.py", &args);
    Portal {
        child,
        url: format!("https://127.0.0.1:{port}/"),
        cert: ca,
    }
}

/// Starts the Django application (`fixtures/python/django_app.py`) in `mode` with a certificate
/// made in `dir`; fails with an install hint without Django.
pub fn django(mode: &str, dir: &Path) -> Portal {
    let probe = std::process::Command::new("python3")
        .args(["-c", "import django"])
        .output()
        .expect("python3 runs");
    assert!(
        probe.status.success(),
        "Django is not installed; install it with: python3 -m pip install django ({})",
        String::from_utf8_lossy(&probe.stderr).trim()
    );
    let (ca, cert, key) = certificate(dir);
    let mut cmd = std::process::Command::new("python3");
    cmd.arg(format!(
        "{}/fixtures/python/django_app.py",
        env!("CARGO_MANIFEST_DIR")
    ))
    .arg(mode)
    .arg(cert)
    .arg(key);
    let (child, port) = super::flask::spawn_command(cmd, "django_app.py");
    Portal::new(child, format!("https://127.0.0.1:{port}/"), ca)
}

/// Starts the PHP application (`fixtures/php/app.php` under `php -S`, behind the TLS front of
/// `fixtures/php/serve.py`) in `mode` with a certificate made in `dir`; fails with an install
/// hint without PHP.
pub fn php(mode: &str, dir: &Path) -> Portal {
    let probe = std::process::Command::new("php").arg("--version").output();
    assert!(
        probe.is_ok_and(|o| o.status.success()),
        "PHP is not installed; install it with: apt-get install php-cli"
    );
    let (ca, cert, key) = certificate(dir);
    let mut cmd = std::process::Command::new("python3");
    cmd.arg(format!(
        "{}/fixtures/php/serve.py",
        env!("CARGO_MANIFEST_DIR")
    ))
    .arg(mode)
    .arg(cert)
    .arg(key);
    let (child, port) = super::flask::spawn_command(cmd, "fixtures/php/serve.py");
    Portal::new(child, format!("https://127.0.0.1:{port}/"), ca)
}
