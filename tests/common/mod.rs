//! Helpers shared by the integration tests: the demo target and the `kawal` binary.
#![allow(dead_code)]

pub mod apps;
pub mod flask;
pub mod node;
pub mod pages;
pub mod portal;
pub mod sample;

use kawal_fixture::{Fixture, FixtureConfig};
use std::path::Path;
use std::process::{Command, Output};

/// Starts a demo target with the given configuration.
pub async fn fixture(cfg: FixtureConfig) -> Fixture {
    kawal::install_crypto_provider();
    Fixture::start(cfg).await.expect("fixture starts")
}

/// The PostgreSQL test URL; `None` locally without it, a failure in CI (never a quiet pass).
pub fn pg_url() -> Option<String> {
    match std::env::var("KAWAL_TEST_DATABASE_URL") {
        Ok(u) => Some(u),
        Err(_) if std::env::var_os("CI").is_some() => {
            panic!("CI is set but KAWAL_TEST_DATABASE_URL is not: the PostgreSQL tests must run")
        }
        Err(_) => {
            eprintln!("KAWAL_TEST_DATABASE_URL not set: PostgreSQL case not run");
            None
        }
    }
}

/// A `kawal` command isolated in `home` (its own SQLite file, no user config).
pub fn kawal(home: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kawal"));
    c.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("KAWAL_HOME", home)
        .env("HOME", home)
        .env("NO_COLOR", "1")
        .current_dir(home);
    c
}

/// Runs a command and returns (exit code, stdout, stderr).
pub fn run(mut c: Command) -> (i32, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = c.output().expect("kawal runs");
    (
        status.code().unwrap_or(-1),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

/// A form-login role on the demo target (its login page and "Masuk sebagai" marker).
pub fn form_role(
    base: &str,
    name: &str,
    user: &str,
    password: &str,
    privilege: u32,
) -> kawal::auth::Role {
    kawal::auth::Role {
        name: name.into(),
        privilege,
        recipe: kawal::auth::Recipe::Form {
            url: format!("{base}/login"),
            username_field: "username".into(),
            password_field: "password".into(),
            username: user.into(),
            password: password.into(),
        },
        marker: kawal::auth::Marker {
            text: Some("Masuk sebagai".into()),
            ..kawal::auth::Marker::default()
        },
    }
}

/// The demo target's administrator and two citizens.
pub fn fixture_roles(base: &str) -> Vec<kawal::auth::Role> {
    vec![
        form_role(base, "admin", "admin", "Admin#2026", 100),
        form_role(base, "budi", "budi", "Budi#2026", 10),
        form_role(base, "siti", "siti", "Siti#2026", 10),
    ]
}

/// Writes the fixture's CA to `dir/ca.pem` and returns the path.
pub fn ca_file(f: &Fixture, dir: &Path) -> std::path::PathBuf {
    let p = dir.join("ca.pem");
    std::fs::write(&p, &f.ca_pem).expect("write ca");
    p
}

/// The item `id` of a JSON report.
pub fn item<'a>(v: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    v["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["id"] == id)
        .unwrap_or_else(|| panic!("no item {id}"))
}

/// The outcome status of item `id` of a JSON report.
pub fn status(v: &serde_json::Value, id: &str) -> String {
    item(v, id)["outcome"]["status"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

/// The built-in checklist cut down to the items of `checks`, written to `dir`.
pub fn checklist_of(dir: &Path, checks: &[&str]) -> std::path::PathBuf {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/checklists/bssn-web.toml"
    ))
    .expect("checklist");
    let mut v: toml::Table = text.parse().expect("toml");
    if let Some(toml::Value::Array(items)) = v.get_mut("item") {
        items.retain(|i| {
            i.get("check")
                .and_then(|c| c.as_str())
                .is_some_and(|c| checks.contains(&c))
        });
    }
    let p = dir.join("cut-checklist.toml");
    std::fs::write(&p, toml::to_string(&v).expect("toml out")).expect("write");
    p
}
