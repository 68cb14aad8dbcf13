//! The Express application of `fixtures/node/express_app.js`, over HTTPS on an ephemeral
//! loopback port with a throw-away certificate.

use super::portal::{Portal, certificate};
use std::path::{Path, PathBuf};

/// Where `scripts/test` installs the packages of `fixtures/node/package.json`
/// (`KAWAL_NODE_MODULES` overrides it).
pub fn node_modules() -> PathBuf {
    std::env::var_os("KAWAL_NODE_MODULES")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-deps/node/node_modules")
        })
}

/// Starts the Express application in `mode` (`weak` or `hardened`) with a certificate made in
/// `dir`; fails with an install hint when Node or Express is missing.
pub fn express(mode: &str, dir: &Path) -> Portal {
    let modules = node_modules();
    assert!(
        modules.join("express-session").is_dir() && modules.join("express").is_dir(),
        "Express is not installed in {}; run scripts/test, or: mkdir -p target/test-deps/node && \
         cp fixtures/node/package.json target/test-deps/node/ && npm install --prefix target/test-deps/node",
        modules.display()
    );
    let (ca, cert, key) = certificate(dir);
    let mut cmd = std::process::Command::new("node");
    cmd.env("NODE_PATH", &modules)
        .arg(format!(
            "{}/fixtures/node/express_app.js",
            env!("CARGO_MANIFEST_DIR")
        ))
        .arg(mode)
        .arg(cert)
        .arg(key);
    let (child, port) = super::flask::spawn_command(cmd, "express_app.js");
    Portal::new(child, format!("https://127.0.0.1:{port}/"), ca)
}
