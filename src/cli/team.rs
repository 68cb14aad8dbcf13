//! `kawal user …`, `kawal token …`, `kawal audit …`, and who the command line acts as.

use super::{EXIT_NOT_MET, EXIT_OK, Failure, Settings, write_out};
use crate::i18n::tr;
use crate::service::{Actor, NewToken, NewUser, Service, ServiceConfig, ServiceError};
use crate::store::{AccountPatch, AuditFilter, Store};
use crate::team::Roles;
use crate::team::oidc;
use crate::worker::SystemClock;
use anyhow::anyhow;
use clap::{Args, Subcommand};
use std::fmt::Write;
use std::sync::Arc;
use std::time::Duration;

impl From<ServiceError> for Failure {
    fn from(e: ServiceError) -> Failure {
        match e {
            ServiceError::Store(s) => s.into(),
            ServiceError::Internal(_) => Failure::incomplete(e),
            e => Failure::usage(e),
        }
    }
}

impl Settings {
    /// The application layer over `store`, configured from `[server]` and `[report]`.
    pub fn service(&self, store: Arc<Store>) -> Result<Service, Failure> {
        let s = &self.file.server;
        let mut cfg = ServiceConfig::default();
        let bad = |key: &str, v: u64, m: &str| {
            Failure::usage(crate::config::ConfigError::Invalid {
                origin: self.file_origin.clone(),
                key: key.into(),
                value: v.to_string(),
                message: m.into(),
            })
        };
        if let Some(m) = s.idle_timeout_mins {
            if !(1..=24 * 60).contains(&m) {
                return Err(bad("server.idle_timeout_mins", m, "must be 1..=1440"));
            }
            cfg.sessions.idle = Duration::from_secs(m * 60);
        }
        if let Some(h) = s.absolute_timeout_hours {
            if !(1..=72).contains(&h) {
                return Err(bad("server.absolute_timeout_hours", h, "must be 1..=72"));
            }
            cfg.sessions.absolute = Duration::from_secs(h * 3600);
        }
        if let Some(n) = s.login_attempts {
            if !(1..=100).contains(&n) {
                return Err(bad("server.login_attempts", n as u64, "must be 1..=100"));
            }
            cfg.throttle_limit = n;
        }
        cfg.report.office = self.file.report.office.clone();
        cfg.report.evaluator = self.file.report.evaluator.clone();
        cfg.workflows = self.workflow_settings()?;
        cfg.delivery = self.delivery_policy()?;
        cfg.oidc = self.oidc_provider()?;
        let roles = Roles::builtin().map_err(Failure::usage)?;
        Ok(Service::new(store, roles, Arc::new(SystemClock), cfg))
    }

    /// The relying party of `[oidc]`, when configured; bad settings stop the start.
    fn oidc_provider(&self) -> Result<Option<Arc<oidc::Provider>>, Failure> {
        let Some(o) = &self.file.oidc else {
            return Ok(None);
        };
        let origin = &self.file_origin;
        let bad = |key: &str, value: &str, message: String| {
            Failure::usage(crate::config::ConfigError::Invalid {
                origin: origin.clone(),
                key: format!("oidc.{key}"),
                value: value.to_string(),
                message,
            })
        };
        let secret = std::env::var("KAWAL_OIDC_CLIENT_SECRET")
            .ok()
            .or_else(|| o.client_secret.clone());
        let mut s = oidc::OidcSettings::new(
            &o.issuer,
            &o.client_id,
            secret,
            self.file.server.public_url.as_deref(),
        )
        .map_err(|e| bad(e.key, &o.issuer, e.message))?;
        if let Some(scopes) = &o.scopes {
            s.scopes = scopes.clone();
        }
        if let Some(c) = &o.username_claim {
            if c.trim().is_empty() {
                return Err(bad(
                    "username_claim",
                    c,
                    "wajib diisi / must not be empty".into(),
                ));
            }
            s.username_claim = c.clone();
        }
        if let Some(l) = &o.label {
            s.label = l.clone();
        }
        let p = oidc::Provider::new(s).map_err(|e| bad("issuer", &o.issuer, e.to_string()))?;
        Ok(Some(Arc::new(p)))
    }

    /// Who this command acts as: `--as USER`, else the OS user's account; the local operator
    /// only while Kawal has no accounts at all.
    pub async fn actor(&self, store: &Store) -> Result<Actor, Failure> {
        let asked = self.acting_as.clone();
        let os = std::env::var("USER").ok();
        if store.count_accounts().await? == 0 {
            if let Some(name) = asked {
                return Err(Failure::usage(anyhow!(
                    "--as {name}: belum ada akun; buat administrator pertama dengan / no accounts yet; create the first administrator with: kawal user add NAME --role administrator"
                )));
            }
            return Ok(Actor::local_operator());
        }
        let name = asked.clone().or(os).unwrap_or_default();
        match store.find_account(&name).await? {
            Some(a) if !a.disabled => Ok(Actor::cli(a)),
            Some(_) => Err(Failure::usage(anyhow!(
                "akun '{name}' dinonaktifkan / account '{name}' is disabled"
            ))),
            None => Err(Failure::usage(anyhow!(
                "tidak ada akun '{name}' untuk perintah ini; gunakan --as USER (atau KAWAL_AS) / no account '{name}' for this command; use --as USER (or KAWAL_AS)"
            ))),
        }
    }

    /// The store, the service and the actor, for a command of the team side.
    pub async fn team(&self) -> Result<(Arc<Store>, Service, Actor), Failure> {
        let store = Arc::new(self.store().await?);
        let svc = self.service(store.clone())?;
        let actor = self.actor(&store).await?;
        Ok((store, svc, actor))
    }

    fn setup_link(&self, token: &str) -> String {
        let base = self.file.server.public_url.clone().unwrap_or_else(|| {
            format!(
                "https://{}",
                self.file
                    .server
                    .listen
                    .as_deref()
                    .unwrap_or("127.0.0.1:8443")
            )
        });
        format!(
            "{}/setup-password?token={token}",
            base.trim_end_matches('/')
        )
    }
}

#[derive(Debug, Subcommand)]
pub(super) enum UserCommand {
    /// Buat akun; mencetak tautan atur kata sandi sekali pakai / create an account; prints a one-time set-password link
    Add {
        /// Nama login / login name
        username: String,
        /// Nama lengkap / full name
        #[arg(long)]
        name: Option<String>,
        /// Peran (boleh berulang) / role (repeatable): kepala-dinas, kepala-seksi, tim-analisis, administrator, pj-aplikasi, …
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        /// Perangkat Daerah (wajib untuk pj-aplikasi) / agency (required for pj-aplikasi)
        #[arg(long)]
        agency: Option<String>,
        /// Surel / e-mail
        #[arg(long)]
        email: Option<String>,
    },
    /// Daftar akun / list accounts
    List {
        /// Keluaran JSON / JSON output
        #[arg(long)]
        json: bool,
    },
    /// Rincian akun / one account
    Show {
        /// Nama login / login name
        username: String,
    },
    /// Ubah akun / edit an account
    Edit {
        /// Nama login / login name
        username: String,
        /// Nama lengkap / full name
        #[arg(long)]
        name: Option<String>,
        /// Ganti peran (boleh berulang) / replace roles (repeatable)
        #[arg(long = "role")]
        roles: Vec<String>,
        /// Perangkat Daerah ("" menghapus) / agency ("" removes)
        #[arg(long)]
        agency: Option<String>,
        /// Surel ("" menghapus) / e-mail ("" removes)
        #[arg(long)]
        email: Option<String>,
    },
    /// Nonaktifkan akun (sesi berakhir) / disable an account (its sessions end)
    Disable {
        /// Nama login / login name
        username: String,
    },
    /// Aktifkan kembali / enable again
    Enable {
        /// Nama login / login name
        username: String,
    },
    /// Kata sandi baru lewat tautan sekali pakai / new password through a one-time link
    ResetPassword {
        /// Nama login / login name
        username: String,
    },
    /// Pakai tautan sekali pakai: kata sandi dibaca dari stdin / use a one-time link; the password is read from stdin
    SetPassword {
        /// Rahasia tautan (token=…) / the link's secret (token=…)
        #[arg(long)]
        token: String,
    },
}

#[derive(Debug, Subcommand)]
pub(super) enum TokenCommand {
    /// Buat token API (ditampilkan sekali) / create an API token (shown once)
    Create {
        /// Akun token / account the token acts as (default: yourself)
        #[arg(long)]
        user: Option<String>,
        /// Nama token / token name
        #[arg(long, default_value = "api")]
        name: String,
        /// Cakupan (boleh berulang) / scope (repeatable): read, scan:write, app:read, …
        #[arg(long = "scope", required = true)]
        scopes: Vec<String>,
        /// Masa berlaku, mis. 90d / lifetime, e.g. 90d
        #[arg(long, default_value = "90d")]
        expires: String,
    },
    /// Daftar token / list tokens
    List,
    /// Cabut token / revoke a token
    Revoke {
        /// Id token
        id: i64,
    },
}

#[derive(Debug, Subcommand)]
pub(super) enum AuditCommand {
    /// Entri terbaru / newest entries
    List(AuditListArgs),
    /// Verifikasi rantai hash / verify the hash chain
    Verify,
    /// Hash kepala rantai (untuk dijangkarkan di luar) / the head hash (to anchor outside)
    Head,
}

#[derive(Debug, Args)]
pub(super) struct AuditListArgs {
    /// Sejak (RFC 3339 atau YYYY-MM-DD) / since (RFC 3339 or YYYY-MM-DD)
    #[arg(long)]
    since: Option<String>,
    /// Pelaku / actor
    #[arg(long)]
    actor: Option<String>,
    /// Awalan tindakan / action prefix, e.g. login
    #[arg(long)]
    action: Option<String>,
    /// Jumlah / how many
    #[arg(long, default_value_t = 50)]
    limit: i64,
    /// Keluaran JSON / JSON output
    #[arg(long)]
    json: bool,
}

fn show_account(a: &crate::store::Account) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{:<10} {}", "username", a.username);
    let _ = writeln!(out, "{:<10} {}", "name", a.name);
    let _ = writeln!(out, "{:<10} {}", "roles", a.roles.join(", "));
    let _ = writeln!(
        out,
        "{:<10} {}",
        "agency",
        a.agency.as_deref().unwrap_or("-")
    );
    let _ = writeln!(out, "{:<10} {}", "email", a.email.as_deref().unwrap_or("-"));
    let _ = writeln!(
        out,
        "{:<10} {}",
        "password",
        if a.has_password { "set" } else { "not set" }
    );
    let _ = writeln!(out, "{:<10} {}", "disabled", a.disabled);
    out
}

fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn parse_days(s: &str) -> Result<i64, Failure> {
    let n = s.strip_suffix('d').unwrap_or(s);
    n.parse::<i64>()
        .ok()
        .filter(|d| (1..=366).contains(d))
        .ok_or_else(|| Failure::usage(anyhow!("--expires {s}: 1d..366d")))
}

/// Disables or enables an account and shows it.
async fn switch(
    svc: &Service,
    actor: &Actor,
    username: &str,
    disabled: bool,
) -> Result<(), Failure> {
    let patch = AccountPatch {
        disabled: Some(disabled),
        ..AccountPatch::default()
    };
    write_out(
        &show_account(&svc.edit_user(actor, username, patch).await?),
        None,
    )
}

/// `kawal user …`.
pub(super) async fn user(settings: &Settings, c: UserCommand) -> Result<u8, Failure> {
    let lang = settings.lang;
    if let UserCommand::SetPassword { token } = c {
        return set_password(settings, &token).await;
    }
    let (store, svc, actor) = settings.team().await?;
    match c {
        UserCommand::Add {
            username,
            name,
            roles,
            agency,
            email,
        } => {
            let created = svc
                .add_user(
                    &actor,
                    NewUser {
                        username,
                        name,
                        email,
                        agency,
                        roles,
                    },
                )
                .await?;
            let mut out = show_account(&created.account);
            let _ = writeln!(
                out,
                "\n{} ({} {}):\n  {}\n{}:\n  kawal user set-password --token {}",
                tr(
                    lang,
                    "Tautan atur kata sandi, sekali pakai",
                    "One-time set-password link"
                ),
                tr(lang, "berlaku sampai", "valid until"),
                rfc3339(created.expires_at),
                settings.setup_link(&created.setup_token),
                tr(lang, "atau di mesin ini", "or on this machine"),
                created.setup_token
            );
            write_out(&out, None)?;
        }
        UserCommand::List { json } => {
            let users = svc.list_users(&actor).await?;
            if json {
                write_out(
                    &(serde_json::to_string_pretty(&users).unwrap_or_default() + "\n"),
                    None,
                )?;
            } else {
                let mut out = format!(
                    "{:<16} {:<24} {:<32} {:<16} {}\n",
                    "USERNAME",
                    tr(lang, "NAMA", "NAME"),
                    tr(lang, "PERAN", "ROLES"),
                    tr(lang, "PERANGKAT DAERAH", "AGENCY"),
                    "STATUS"
                );
                for u in &users {
                    let _ = writeln!(
                        out,
                        "{:<16} {:<24} {:<32} {:<16} {}",
                        u.username,
                        u.name,
                        u.roles.join(","),
                        u.agency.as_deref().unwrap_or("-"),
                        if u.disabled {
                            tr(lang, "nonaktif", "disabled")
                        } else {
                            tr(lang, "aktif", "active")
                        }
                    );
                }
                write_out(&out, None)?;
            }
        }
        UserCommand::Show { username } => {
            write_out(&show_account(&svc.user(&actor, &username).await?), None)?;
        }
        UserCommand::Edit {
            username,
            name,
            roles,
            agency,
            email,
        } => {
            let clear =
                |v: Option<String>| v.map(|s| Some(s.trim().to_string()).filter(|s| !s.is_empty()));
            let patch = AccountPatch {
                name,
                email: clear(email),
                agency: clear(agency),
                roles: (!roles.is_empty()).then_some(roles),
                disabled: None,
            };
            write_out(
                &show_account(&svc.edit_user(&actor, &username, patch).await?),
                None,
            )?;
        }
        UserCommand::Disable { username } => switch(&svc, &actor, &username, true).await?,
        UserCommand::Enable { username } => switch(&svc, &actor, &username, false).await?,
        UserCommand::ResetPassword { username } => {
            let (token, exp) = svc.reset_password(&actor, &username).await?;
            write_out(
                &format!(
                    "{} ({} {}):\n  {}\n",
                    tr(
                        lang,
                        "Tautan atur kata sandi, sekali pakai",
                        "One-time set-password link"
                    ),
                    tr(lang, "berlaku sampai", "valid until"),
                    rfc3339(exp),
                    settings.setup_link(&token)
                ),
                None,
            )?;
        }
        UserCommand::SetPassword { .. } => {}
    }
    store.close_shared().await;
    Ok(EXIT_OK)
}

/// `kawal user set-password`: needs no account, only the link's secret.
async fn set_password(settings: &Settings, token: &str) -> Result<u8, Failure> {
    let store = Arc::new(settings.store().await?);
    let svc = settings.service(store.clone())?;
    let mut pw = String::new();
    std::io::stdin()
        .read_line(&mut pw)
        .map_err(|e| Failure::usage(anyhow!("stdin: {e}")))?;
    let name = svc
        .set_password(
            token.trim().trim_start_matches('#'),
            pw.trim_end_matches(['\r', '\n']),
            None,
        )
        .await?;
    write_out(
        &format!(
            "{} {name}\n",
            tr(settings.lang, "Kata sandi diatur untuk", "Password set for")
        ),
        None,
    )?;
    store.close_shared().await;
    Ok(EXIT_OK)
}

/// `kawal token …`.
pub(super) async fn token(settings: &Settings, c: TokenCommand) -> Result<u8, Failure> {
    let lang = settings.lang;
    let (store, svc, actor) = settings.team().await?;
    match c {
        TokenCommand::Create {
            user,
            name,
            scopes,
            expires,
        } => {
            let days = parse_days(&expires)?;
            let (id, token, t) = svc
                .create_token(
                    &actor,
                    NewToken {
                        user,
                        name,
                        scopes,
                        expires_days: Some(days),
                    },
                )
                .await?;
            write_out(
                &format!(
                    "{}\n\n{} #{id} ({}, {}: {}, {} {})\n",
                    token,
                    tr(lang, "Token", "Token"),
                    t.username,
                    tr(lang, "cakupan", "scopes"),
                    t.scopes.join(", "),
                    tr(lang, "berlaku sampai", "valid until"),
                    t.expires_at.map(rfc3339).unwrap_or_default()
                ),
                None,
            )?;
            if !settings.quiet {
                eprintln!(
                    "{}",
                    tr(
                        lang,
                        "Simpan token ini sekarang: tidak akan ditampilkan lagi.",
                        "Store this token now: it will not be shown again."
                    )
                );
            }
        }
        TokenCommand::List => {
            let mut out = format!(
                "{:<5} {:<16} {:<16} {:<28} {:<22} {}\n",
                "ID",
                "USER",
                tr(lang, "NAMA", "NAME"),
                tr(lang, "CAKUPAN", "SCOPES"),
                tr(lang, "BERAKHIR", "EXPIRES"),
                "STATUS"
            );
            for t in svc.list_tokens(&actor).await? {
                let status = if t.revoked_at.is_some() {
                    tr(lang, "dicabut", "revoked")
                } else {
                    tr(lang, "aktif", "active")
                };
                let _ = writeln!(
                    out,
                    "{:<5} {:<16} {:<16} {:<28} {:<22} {}",
                    t.id,
                    t.username,
                    t.name,
                    t.scopes.join(","),
                    t.expires_at.map(rfc3339).unwrap_or_default(),
                    status
                );
            }
            write_out(&out, None)?;
        }
        TokenCommand::Revoke { id } => {
            svc.revoke_token(&actor, id).await?;
            write_out(
                &format!("{} #{id}\n", tr(lang, "Token dicabut", "Token revoked")),
                None,
            )?;
        }
    }
    store.close_shared().await;
    Ok(EXIT_OK)
}

/// `kawal audit …`: `verify` exits 1 when the chain is broken.
pub(super) async fn audit(settings: &Settings, c: AuditCommand) -> Result<u8, Failure> {
    let lang = settings.lang;
    let (store, svc, actor) = settings.team().await?;
    let code = match c {
        AuditCommand::List(a) => {
            let since = a.since.map(|s| {
                if s.len() == 10 {
                    format!("{s}T00:00:00Z")
                } else {
                    s
                }
            });
            let entries = svc
                .audit_list(
                    &actor,
                    &AuditFilter {
                        since,
                        actor: a.actor,
                        action: a.action,
                        before_seq: None,
                        limit: a.limit,
                    },
                )
                .await?;
            if a.json {
                write_out(
                    &(serde_json::to_string_pretty(&entries).unwrap_or_default() + "\n"),
                    None,
                )?;
            } else {
                let mut out = String::new();
                for e in &entries {
                    let c = &e.content;
                    let _ = writeln!(
                        out,
                        "#{:<6} {} {:<14} {:<20} {}{} {}",
                        e.seq,
                        c.at,
                        c.actor,
                        c.action,
                        c.object_kind.as_deref().unwrap_or(""),
                        c.object_id
                            .as_deref()
                            .map(|i| format!(":{i}"))
                            .unwrap_or_default(),
                        c.client.as_deref().unwrap_or("")
                    );
                }
                write_out(&out, None)?;
            }
            EXIT_OK
        }
        AuditCommand::Verify => {
            let check = svc.audit_verify(&actor).await?;
            match (&check.head, &check.broken) {
                (Some(head), _) => {
                    write_out(
                        &format!(
                            "{}: {} {}, head {head}\n",
                            tr(lang, "Rantai utuh", "Chain intact"),
                            check.entries,
                            tr(lang, "entri", "entries")
                        ),
                        None,
                    )?;
                    EXIT_OK
                }
                (None, Some(b)) => {
                    write_out(
                        &format!("{}: {b}\n", tr(lang, "RANTAI RUSAK", "CHAIN BROKEN")),
                        None,
                    )?;
                    EXIT_NOT_MET
                }
                _ => EXIT_OK,
            }
        }
        AuditCommand::Head => {
            let (seq, hash) = svc.audit_head(&actor).await?;
            write_out(&format!("{seq} {hash}\n"), None)?;
            EXIT_OK
        }
    };
    store.close_shared().await;
    Ok(code)
}

/// The HTTP side of `kawal serve`.
#[derive(Debug, Args, Clone, Default)]
pub(super) struct HttpArgs {
    /// Alamat API HTTPS / HTTPS API address (default [server] listen, else 127.0.0.1:8443)
    #[arg(long)]
    listen: Option<String>,
    /// Tanpa API HTTP: hanya penjadwal dan worker / no HTTP API: scheduler and workers only
    #[arg(long, conflicts_with_all = ["listen", "tls_cert", "tls_key", "behind_proxy"])]
    no_http: bool,
    /// Sertifikat PEM (rantai) / certificate chain, PEM (default: self-signed, generated once)
    #[arg(long, requires = "tls_key")]
    tls_cert: Option<std::path::PathBuf>,
    /// Kunci privat PEM / private key, PEM
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<std::path::PathBuf>,
    /// HTTP biasa di belakang reverse proxy tepercaya / plain HTTP behind a trusted reverse proxy
    #[arg(long, conflicts_with_all = ["tls_cert", "tls_key"])]
    behind_proxy: bool,
    /// Alamat proxy tepercaya (boleh berulang) / trusted proxy address (repeatable)
    #[arg(long = "trusted-proxy", value_name = "IP")]
    trusted_proxies: Vec<String>,
}

/// Starts the HTTP API (unless `--no-http`); returns the server task.
pub(super) async fn start_http(
    settings: &Settings,
    a: &HttpArgs,
    store: Arc<Store>,
    liveness: crate::web::Liveness,
    stop: tokio::sync::watch::Receiver<bool>,
) -> Result<Option<tokio::task::JoinHandle<()>>, Failure> {
    if a.no_http {
        return Ok(None);
    }
    let lang = settings.lang;
    let listen = a
        .listen
        .clone()
        .or_else(|| settings.file.server.listen.clone())
        .unwrap_or_else(|| "127.0.0.1:8443".into());
    let addr: std::net::SocketAddr = listen.parse().map_err(|e| {
        Failure::usage(anyhow!(
            "--listen {listen}: {e} (contoh / example: 0.0.0.0:8443)"
        ))
    })?;
    let mut proxies = Vec::new();
    for p in a
        .trusted_proxies
        .iter()
        .chain(&settings.file.server.trusted_proxies)
    {
        proxies.push(p.parse::<std::net::IpAddr>().map_err(|e| {
            Failure::usage(anyhow!(
                "--trusted-proxy {p}: {e} (alamat IP / an IP address)"
            ))
        })?);
    }
    if a.behind_proxy && proxies.is_empty() {
        return Err(Failure::usage(anyhow!(
            "--behind-proxy perlu --trusted-proxy IP (atau [server] trusted_proxies) / --behind-proxy needs --trusted-proxy IP (or [server] trusted_proxies)"
        )));
    }
    let tls = if a.behind_proxy {
        None
    } else {
        let names = vec![addr.ip().to_string(), "localhost".to_string()];
        let t = crate::web::ServerTls::new(
            a.tls_cert.as_deref(),
            a.tls_key.as_deref(),
            &crate::config::data_dir().join("tls"),
            &names,
        )
        .map_err(Failure::usage)?;
        if !settings.quiet {
            eprintln!(
                "{} {} ({}SHA-256 {})",
                tr(lang, "Sertifikat TLS:", "TLS certificate:"),
                t.origin,
                if t.generated {
                    tr(lang, "swatanda baru, ", "new self-signed, ")
                } else {
                    ""
                },
                t.fingerprint
            );
        }
        Some(t.acceptor)
    };
    let svc = Arc::new(settings.service(store)?);
    if let Some(p) = &svc.config().oidc
        && !settings.quiet
    {
        // A provider that is down now may be up at the first login: say so, do not stop.
        match p.metadata().await {
            Ok(_) => eprintln!("SSO (OpenID Connect): {}", p.settings().issuer),
            Err(e) => eprintln!(
                "{} {e}",
                tr(
                    lang,
                    "Peringatan: penyedia SSO belum dapat dihubungi:",
                    "Warning: the SSO provider cannot be reached yet:"
                )
            ),
        }
    }
    tokio::spawn(housekeeping(svc.clone(), stop.clone()));
    let state = crate::web::AppState {
        service: svc,
        checklist: Arc::new(settings.checklist()?),
        web: Arc::new(crate::web::WebConfig {
            trusted_proxies: proxies,
        }),
        liveness: Some(liveness),
        sealer: Some(Arc::new(
            crate::auth::seal::Sealer::load(&crate::config::data_dir()).map_err(Failure::usage)?,
        )),
    };
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
        Failure::usage(anyhow!(
            "--listen {addr}: {e} (port dipakai? / port in use?)"
        ))
    })?;
    let bound = listener
        .local_addr()
        .map_err(|e| Failure::usage(anyhow!("{e}")))?;
    if !settings.quiet {
        eprintln!(
            "{} {}://{bound}/api/v1 ({}: {}://{bound}/api/v1/openapi.json)",
            tr(lang, "API mendengarkan di", "API listening on"),
            if tls.is_some() { "https" } else { "http" },
            tr(lang, "deskripsi", "description"),
            if tls.is_some() { "https" } else { "http" },
        );
    }
    let router = crate::web::router(state);
    Ok(Some(tokio::spawn(crate::web::serve(
        listener, router, tls, stop,
    ))))
}

/// What `kawal serve` does on its own every hour: purge the personal data of workflows
/// closed longer than the retention period. A failure is logged and tried again next hour.
async fn housekeeping(svc: Arc<Service>, mut stop: tokio::sync::watch::Receiver<bool>) {
    loop {
        match svc.purge_personal_data(&Actor::system()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!("personal data of {n} closed workflow(s) purged"),
            Err(e) => tracing::warn!("personal-data purge failed: {e}"),
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(3600)) => {}
            _ = stop.changed() => {}
        }
        if *stop.borrow() {
            return;
        }
    }
}
