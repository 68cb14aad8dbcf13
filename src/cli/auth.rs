//! `kawal app auth …`: the roles (test accounts) Kawal logs in as, stored encrypted.

use super::key::sealer;
use super::{EXIT_NOT_MET, EXIT_OK, Failure, NetArgs, Settings, write_out};
use crate::auth::{self, Marker, Recipe, Role};
use crate::i18n::tr;
use crate::net::{HttpClient, Scope};
use anyhow::anyhow;
use clap::{Args, Subcommand, ValueEnum};
use std::fmt::Write;

#[derive(Debug, Subcommand)]
pub(super) enum AuthCommand {
    /// Tambah atau ganti peran / add or replace a role
    Add(Box<AddArgs>),
    /// Daftar peran (rahasia disamarkan) / list roles (secrets hidden)
    List {
        /// Nama atau id aplikasi / application name or id
        app: String,
    },
    /// Coba login sebagai peran / try logging in as a role
    Test {
        /// Nama atau id aplikasi / application name or id
        app: String,
        /// Peran / role
        role: String,
        #[command(flatten)]
        net: NetArgs,
    },
    /// Tandai jalur yang hanya boleh dibuka peran tertentu / declare a path only some roles may open
    Protect {
        /// Nama atau id aplikasi / application name or id
        app: String,
        /// Jalur atau pola, mis. /admin/* / path or pattern, e.g. /admin/*
        pattern: String,
        /// Peran yang boleh, dipisah koma / allowed roles, comma separated
        #[arg(long, value_delimiter = ',', required = true)]
        allowed: Vec<String>,
    },
    /// Hapus tanda jalur terlindungi / remove a protected path
    Unprotect {
        /// Nama atau id aplikasi / application name or id
        app: String,
        /// Jalur atau pola / path or pattern
        pattern: String,
    },
    /// Hapus peran / remove a role
    Remove {
        /// Nama atau id aplikasi / application name or id
        app: String,
        /// Peran / role
        role: String,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Kind {
    /// Formulir HTML (token CSRF diambil dari formulir) / HTML form (CSRF token taken from the form)
    Form,
    /// Login JSON yang mengembalikan token atau cookie / JSON login returning a token or a cookie
    Json,
    /// Cookie tetap / a fixed cookie
    Cookie,
    /// Header tetap, mis. Authorization: Bearer … / a fixed header
    Header,
    /// HTTP Basic
    Basic,
}

#[derive(Debug, Args)]
pub(super) struct AddArgs {
    /// Nama atau id aplikasi / application name or id
    app: String,
    /// Nama peran, mis. admin, warga_a / role name, e.g. admin, citizen_a
    role: String,
    /// Cara login / how it logs in
    #[arg(long, value_enum)]
    kind: Kind,
    /// Tingkat hak (lebih tinggi = lebih berkuasa; sama = setara untuk uji IDOR) / privilege rank (higher = more powerful; equal = peers for IDOR)
    #[arg(long, default_value_t = 10)]
    privilege: u32,
    /// URL halaman/endpoint login (form, json) / login page or endpoint URL
    #[arg(long)]
    login_url: Option<String>,
    /// Nama pengguna (form, json, basic) / user name
    #[arg(long)]
    username: Option<String>,
    /// Variabel lingkungan berisi kata sandi / environment variable holding the password
    #[arg(long, conflicts_with = "password")]
    password_env: Option<String>,
    /// Kata sandi (terlihat di riwayat shell; lebih baik --password-env) / password (visible in shell history; prefer --password-env)
    #[arg(long)]
    password: Option<String>,
    /// Nama kolom pengguna / user-name field
    #[arg(long, default_value = "username")]
    username_field: String,
    /// Nama kolom kata sandi / password field
    #[arg(long, default_value = "password")]
    password_field: String,
    /// Letak token pada jawaban JSON (JSON pointer; kosong = cookie) / token location in the JSON answer (empty = cookie)
    #[arg(long, default_value = "/token")]
    token_pointer: String,
    /// Cookie tetap NAMA=NILAI / fixed cookie NAME=VALUE
    #[arg(long)]
    cookie: Option<String>,
    /// Header tetap "Nama: nilai" / fixed header "Name: value"
    #[arg(long)]
    header: Option<String>,
    /// Teks yang hanya tampil saat login / text shown only when logged in
    #[arg(long)]
    marker_text: Option<String>,
    /// Halaman untuk memeriksa login / page that proves the login
    #[arg(long)]
    marker_url: Option<String>,
    /// Status halaman itu saat login / that page's status when logged in
    #[arg(long)]
    marker_status: Option<u16>,
}

fn need(v: &Option<String>, flag: &str, kind: &str) -> Result<String, Failure> {
    v.clone().filter(|s| !s.is_empty()).ok_or_else(|| {
        Failure::usage(anyhow!(
            "--kind {kind} memerlukan {flag} / --kind {kind} needs {flag}"
        ))
    })
}

fn password(a: &AddArgs, kind: &str) -> Result<String, Failure> {
    if let Some(var) = &a.password_env {
        return std::env::var(var).map_err(|_| {
            Failure::usage(anyhow!(
                "variabel lingkungan {var} tidak ada / environment variable {var} is not set"
            ))
        });
    }
    need(&a.password, "--password-env VAR (atau/or --password)", kind)
}

fn role_from(a: &AddArgs) -> Result<Role, Failure> {
    let recipe = match a.kind {
        Kind::Form => Recipe::Form {
            url: need(&a.login_url, "--login-url", "form")?,
            username_field: a.username_field.clone(),
            password_field: a.password_field.clone(),
            username: need(&a.username, "--username", "form")?,
            password: password(a, "form")?,
        },
        Kind::Json => Recipe::Json {
            url: need(&a.login_url, "--login-url", "json")?,
            username_field: a.username_field.clone(),
            password_field: a.password_field.clone(),
            username: need(&a.username, "--username", "json")?,
            password: password(a, "json")?,
            token_pointer: a.token_pointer.clone(),
        },
        Kind::Cookie => {
            let c = need(&a.cookie, "--cookie NAMA=NILAI", "cookie")?;
            let (name, value) = c.split_once('=').ok_or_else(|| {
                Failure::usage(anyhow!("--cookie '{c}': format NAMA=NILAI / NAME=VALUE"))
            })?;
            Recipe::Cookie {
                name: name.trim().into(),
                value: value.trim().into(),
            }
        }
        Kind::Header => {
            let h = need(&a.header, "--header \"Nama: nilai\"", "header")?;
            let (name, value) = h.split_once(':').ok_or_else(|| {
                Failure::usage(anyhow!(
                    "--header '{h}': format \"Nama: nilai\" / \"Name: value\""
                ))
            })?;
            Recipe::Header {
                name: name.trim().into(),
                value: value.trim().into(),
            }
        }
        Kind::Basic => Recipe::Basic {
            username: need(&a.username, "--username", "basic")?,
            password: password(a, "basic")?,
        },
    };
    let role = Role {
        name: a.role.trim().into(),
        privilege: a.privilege,
        recipe,
        marker: Marker {
            url: a.marker_url.clone(),
            text: a.marker_text.clone(),
            status: a.marker_status,
            cookie: None,
        },
    };
    role.validate().map_err(Failure::usage)?;
    Ok(role)
}

pub(super) async fn run(settings: &Settings, cmd: AuthCommand) -> Result<u8, Failure> {
    let lang = settings.lang;
    // Validate before the database is touched.
    let new_role = match &cmd {
        AuthCommand::Add(a) => Some(role_from(a)?),
        _ => None,
    };
    let store = settings.store().await?;
    let code = match cmd {
        AuthCommand::Add(a) => {
            let app = store.app(&a.app).await?;
            let Some(role) = new_role else {
                return Err(Failure::usage(anyhow!("internal: role missing")));
            };
            store.put_role(app.id, &role, &sealer()?).await?;
            write_out(
                &format!(
                    "{} '{}' ({}) {} {}. {}: kawal app auth test {} {}\n",
                    tr(lang, "Peran", "Role"),
                    role.name,
                    role.privilege,
                    tr(lang, "disimpan terenkripsi untuk", "stored encrypted for"),
                    app.name,
                    tr(lang, "Periksa dengan", "Verify with"),
                    app.name,
                    role.name
                ),
                None,
            )?;
            EXIT_OK
        }
        AuthCommand::List { app } => {
            let app = store.app(&app).await?;
            let roles = store.roles(app.id, &sealer()?).await?;
            let mut out = String::new();
            for r in roles {
                let shown = r.redacted();
                let _ = writeln!(
                    out,
                    "{:<16} {:>4}  {}",
                    shown.name,
                    shown.privilege,
                    serde_json::to_string(&shown.recipe).unwrap_or_default()
                );
            }
            if out.is_empty() {
                out = format!(
                    "{}\n",
                    tr(
                        lang,
                        "Belum ada peran terdaftar.",
                        "No roles registered yet."
                    )
                );
            }
            for p in &app.protected {
                let _ = writeln!(
                    out,
                    "{} {} → {}",
                    tr(lang, "terlindungi", "protected"),
                    p.pattern,
                    p.allowed.join(", ")
                );
            }
            write_out(&out, None)?;
            EXIT_OK
        }
        AuthCommand::Test { app, role, net } => {
            let app = store.app(&app).await?;
            let roles = store.roles(app.id, &sealer()?).await?;
            let Some(r) = roles.into_iter().find(|r| r.name == role) else {
                return Err(Failure::usage(anyhow!(
                    "peran '{role}' tidak terdaftar untuk {} / role '{role}' is not registered for {} (kawal app auth list {})",
                    app.name,
                    app.name,
                    app.name
                )));
            };
            let target = super::run::parse_target(&app.url)?;
            let cfg = crate::runner::with_app_trust(settings.net(&net, app.rate_limit)?, &app);
            let http = HttpClient::new(cfg, Scope::new(&target, &app.scope_hosts))
                .map_err(Failure::usage)?;
            match auth::login(&http, &target, &r).await {
                Ok(s) => {
                    write_out(
                        &format!(
                            "{} '{}' {} ({} cookie, {} header).\n",
                            tr(lang, "Login peran", "Role"),
                            r.name,
                            tr(lang, "berhasil", "logged in"),
                            s.jar.names().count(),
                            s.headers.len()
                        ),
                        None,
                    )?;
                    EXIT_OK
                }
                Err(e @ auth::AuthError::Net { .. }) => {
                    return Err(Failure::incomplete(e));
                }
                Err(e) => {
                    eprintln!("{e}");
                    EXIT_NOT_MET
                }
            }
        }
        AuthCommand::Protect {
            app,
            pattern,
            allowed,
        } => {
            let pattern = pattern.trim().to_string();
            if !pattern.starts_with('/') {
                return Err(Failure::usage(anyhow!(
                    "pola '{pattern}' harus diawali '/' / pattern '{pattern}' must start with '/' (e.g. /admin/*)"
                )));
            }
            let allowed: Vec<String> = allowed
                .into_iter()
                .map(|r| r.trim().to_string())
                .filter(|r| !r.is_empty())
                .collect();
            let cur = store.app(&app).await?;
            let mut list: Vec<kawal_access::Protected> = cur
                .protected
                .into_iter()
                .filter(|p| p.pattern != pattern)
                .collect();
            list.push(kawal_access::Protected {
                pattern: pattern.clone(),
                allowed: allowed.clone(),
            });
            store.set_protected(&app, &list).await?;
            write_out(
                &format!(
                    "{} {pattern}: {}\n",
                    tr(lang, "Jalur terlindungi", "Protected path"),
                    allowed.join(", ")
                ),
                None,
            )?;
            EXIT_OK
        }
        AuthCommand::Unprotect { app, pattern } => {
            let cur = store.app(&app).await?;
            let before = cur.protected.len();
            let list: Vec<kawal_access::Protected> = cur
                .protected
                .into_iter()
                .filter(|p| p.pattern != pattern.trim())
                .collect();
            if list.len() == before {
                return Err(Failure::usage(anyhow!(
                    "jalur '{pattern}' tidak terdaftar / path '{pattern}' is not registered"
                )));
            }
            store.set_protected(&app, &list).await?;
            EXIT_OK
        }
        AuthCommand::Remove { app, role } => {
            let app = store.app(&app).await?;
            store.remove_role(app.id, &role).await?;
            write_out(
                &format!("{} '{role}'\n", tr(lang, "Peran dihapus", "Role removed")),
                None,
            )?;
            EXIT_OK
        }
    };
    store.close().await;
    Ok(code)
}
