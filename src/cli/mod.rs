//! Command-line interface: argument definitions and dispatch. Thin: parse, call, map errors.

mod app;
mod auth;
mod checklist;
mod crawl;
mod demo;
mod entropy;
mod key;
mod mail;
mod queue;
mod record;
mod run;
mod team;
mod tls;
mod workflow;

use crate::config::{FileConfig, NetConfig};
use crate::i18n::Lang;
use crate::model::Severity;
use crate::report::Format;
use anyhow::Context as _;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Exit code: meets the standard / no finding at or above `--fail-on`.
pub const EXIT_OK: u8 = 0;
/// Exit code: does not meet the standard / findings at or above `--fail-on`.
pub const EXIT_NOT_MET: u8 = 1;
/// Exit code: usage or configuration error.
pub const EXIT_USAGE: u8 = 2;
/// Exit code: the scan itself could not complete (target or database unreachable).
pub const EXIT_INCOMPLETE: u8 = 3;
/// Exit code: meets the standard provisionally (critical/high manual items not yet recorded).
pub const EXIT_PROVISIONAL: u8 = 4;

/// The exit code of a command that ends with decision 1 (`evaluate`, `retest`).
pub fn decision_exit(d: &crate::decision::Decision) -> u8 {
    if !d.meets_standard {
        EXIT_NOT_MET
    } else if d.is_provisional() {
        EXIT_PROVISIONAL
    } else {
        EXIT_OK
    }
}

/// An error with the exit code it maps to.
#[derive(Debug)]
pub struct Failure {
    /// Process exit code.
    pub code: u8,
    /// What went wrong.
    pub error: anyhow::Error,
}

impl Failure {
    /// A usage/configuration error (exit 2).
    pub fn usage(e: impl Into<anyhow::Error>) -> Failure {
        Failure {
            code: EXIT_USAGE,
            error: e.into(),
        }
    }
    /// An incomplete run (exit 3).
    pub fn incomplete(e: impl Into<anyhow::Error>) -> Failure {
        Failure {
            code: EXIT_INCOMPLETE,
            error: e.into(),
        }
    }
}

impl From<crate::store::StoreError> for Failure {
    fn from(e: crate::store::StoreError) -> Failure {
        use crate::store::StoreError as S;
        let code = match e {
            S::Connect { .. } | S::Db(_) | S::Migrate(_) | S::Corrupt(_) => EXIT_INCOMPLETE,
            S::BadUrl { .. }
            | S::NotFound { .. }
            | S::Conflict(_)
            | S::Invalid(_)
            | S::KeyMismatch { .. } => EXIT_USAGE,
        };
        Failure {
            code,
            error: e.into(),
        }
    }
}

const AFTER_HELP: &str = "\
Contoh / Examples:
  kawal demo                                   evaluasi target demo bawaan / evaluate the bundled demo target
  kawal scan https://app.example.go.id --format sarif -o kawal.sarif --fail-on high
  kawal app add --name SIMPEG --url https://simpeg.example.go.id --agency BKPSDM \\
                --owner owner@example.go.id --schedule \"0 2 * * 1\"
  kawal evaluate SIMPEG
  kawal evaluations SIMPEG
  kawal evaluation show SIMPEG
  kawal evaluation record-manual SIMPEG manual.k33 --outcome pass --actor \"Ani\" --attachment log.pdf
  kawal evaluation decide SIMPEG --standard not-met --action monitoring --actor \"Kepala Dinas\"
  kawal report SIMPEG --format pdf -o laporan.pdf
  kawal retest SIMPEG
  kawal checklist show session.cookie.secure

Kode keluar / Exit codes: 0 memenuhi / meets, 1 belum memenuhi / does not meet,
2 kesalahan penggunaan atau konfigurasi / usage or config error, 3 pemindaian tidak selesai / scan incomplete.";

/// Kawal — evaluasi keamanan aplikasi SPBE secara berkala (Perban BSSN 4/2021).
#[derive(Debug, Parser)]
#[command(name = "kawal", version, about, after_help = AFTER_HELP, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

/// Options every subcommand takes.
#[derive(Debug, Args)]
struct Global {
    /// Bahasa keluaran / output language
    #[arg(long, global = true, env = "KAWAL_LANG", value_parser = ["id", "en"])]
    lang: Option<String>,
    /// Hanya hasil, tanpa progres / results only, no progress
    #[arg(long, short, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// Tampilkan rincian dan log / show details and logs (-vv for debug)
    #[arg(long, short, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    /// Berkas konfigurasi / config file (default ./kawal.toml, then ~/.config/kawal/kawal.toml)
    #[arg(long, global = true, env = "KAWAL_CONFIG")]
    config: Option<PathBuf>,
    /// Basis data / database: sqlite://PATH or postgres://USER@HOST:PORT/DB
    #[arg(long, global = true, env = "KAWAL_DATABASE_URL")]
    database_url: Option<String>,
    /// Checklist alternatif / alternative checklist file
    #[arg(long, global = true, env = "KAWAL_CHECKLIST")]
    checklist: Option<PathBuf>,
    /// Bertindak sebagai akun ini (bawaan: pengguna OS) / act as this account (default: the OS user)
    #[arg(long = "as", global = true, env = "KAWAL_AS", value_name = "USER")]
    acting_as: Option<String>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Pindai satu URL untuk CI (tanpa menyimpan) / scan one URL for CI (nothing stored)
    Scan(ScanArgs),
    /// Kelola aplikasi terdaftar / manage registered applications
    #[command(subcommand)]
    App(app::AppCommand),
    /// Evaluasi aplikasi terdaftar dan simpan hasilnya / evaluate a registered application and store the results
    Evaluate(EvaluateArgs),
    /// Riwayat evaluasi / evaluation history
    Evaluations(app::HistoryArgs),
    /// Lihat checklist / browse the checklist
    #[command(subcommand)]
    Checklist(checklist::ChecklistCommand),
    /// Jelajahi halaman dan formulir dalam cakupan (JSON) / crawl in-scope pages and forms (JSON)
    Crawl(crawl::CrawlArgs),
    /// Jalankan target demo bawaan, daftarkan, dan evaluasi / run, register and evaluate the bundled demo target
    Demo(demo::DemoArgs),
    /// Analisis keacakan token sesi / session-token randomness analysis (file or live URL)
    Entropy(entropy::EntropyArgs),
    /// Periksa konfigurasi TLS satu host / check one host's TLS configuration
    Tls(tls::TlsArgs),
    /// Penjadwal dan worker dalam satu proses / the scheduler and workers in one long-running process
    Serve(queue::ServeArgs),
    /// Worker evaluasi tambahan yang berbagi basis data / an extra evaluation worker sharing the database
    Worker(queue::WorkerArgs),
    /// Kelola antrean evaluasi / manage the evaluation queue
    #[command(subcommand)]
    Jobs(queue::JobsCommand),
    /// Catatan SOP satu evaluasi: langkah, butir manual, keputusan / one evaluation's SOP record: steps, manual items, decisions
    #[command(subcommand)]
    Evaluation(record::EvaluationCommand),
    /// Status temuan lintas evaluasi / finding status across evaluations
    #[command(subcommand)]
    Finding(record::FindingCommand),
    /// Uji ulang butir yang gagal / re-run only the failed items of an evaluation
    Retest(record::RetestArgs),
    /// Laporan untuk Perangkat Daerah (HTML, PDF, …) / agency report (HTML, PDF, …)
    Report(record::ReportArgs),
    /// Akun dan peran / accounts and roles
    #[command(subcommand)]
    User(team::UserCommand),
    /// Token API untuk CI dan integrasi / API tokens for CI and integrations
    #[command(subcommand)]
    Token(team::TokenCommand),
    /// Jejak audit berantai hash / the hash-chained audit trail
    #[command(subcommand)]
    Audit(team::AuditCommand),
    /// Kunci penyegel profil login, satu untuk semua mesin / the key sealing login profiles, one for every machine
    #[command(subcommand)]
    Key(key::KeyCommand),
    /// Alur kerja SOP: permohonan akses, pelanggaran, kunjungan / SOP workflows: access requests, violations, visits
    #[command(subcommand)]
    Workflow(workflow::WorkflowCommand),
    /// Buku tamu ruang server / the server-room visitor log
    #[command(subcommand)]
    Visit(workflow::VisitCommand),
    /// Surel keluar: uji pengaturan [mail] / outgoing e-mail: test the [mail] settings
    #[command(subcommand)]
    Mail(mail::MailCommand),
    /// Pengiriman laporan ke Perangkat Daerah, kotak masuk dan konfirmasi / report delivery to the agency, inbox and acknowledgement
    #[command(subcommand)]
    Delivery(mail::DeliveryCommand),
    /// Skrip pelengkapan shell / shell completion script
    Completions(mail::CompletionsArgs),
    /// Halaman manual (roff) / the man page (roff)
    Man(mail::ManArgs),
}

/// Network options shared by scan-like commands.
#[derive(Debug, Args, Clone, Default)]
pub struct NetArgs {
    /// Permintaan per detik per host (0 = tanpa batas) / requests per second per host (0 = unlimited)
    #[arg(long, env = "KAWAL_RATE_LIMIT")]
    pub rate_limit: Option<f64>,
    /// Tetap memindai walau sertifikat tidak sah (masalah sertifikat tetap dilaporkan) / scan despite invalid certificates
    #[arg(long, env = "KAWAL_INSECURE")]
    pub insecure: bool,
    /// CA tambahan (PEM), mis. CA internal pemerintah / extra CA bundle (PEM), e.g. a government internal CA
    #[arg(long, env = "KAWAL_CA_BUNDLE")]
    pub ca_bundle: Option<PathBuf>,
    /// Paksa nama host ke alamat IP, seperti curl --resolve / pin a host name to an IP, like curl --resolve (HOST:IP)
    #[arg(long, value_name = "HOST:IP")]
    pub resolve: Vec<String>,
}

/// Output options shared by scan-like commands.
#[derive(Debug, Args, Clone)]
pub struct OutputArgs {
    /// Format keluaran / output format
    #[arg(long, short, value_enum, default_value = "table")]
    pub format: Format,
    /// Tulis ke berkas / write to a file instead of stdout
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct ScanArgs {
    /// URL aplikasi / application URL, e.g. https://app.example.go.id
    url: String,
    #[command(flatten)]
    out: OutputArgs,
    /// Keluar 1 bila ada temuan pada tingkat ini ke atas / exit 1 on findings at or above this severity
    #[arg(long, default_value = "high", value_parser = parse_severity)]
    fail_on: Severity,
    /// Butir yang tidak dapat disimpulkan juga menggagalkan / inconclusive items count as failures for --fail-on
    #[arg(long)]
    strict: bool,
    /// Jangan keluar 3 bila sebagian besar butir tidak dapat disimpulkan / do not exit 3 when most automated items are inconclusive
    #[arg(long)]
    allow_inconclusive: bool,
    /// Izinkan permintaan uji yang mengubah data (POST formulir, badan permintaan) / allow state-changing test requests (POST forms, request bodies)
    #[arg(long)]
    allow_unsafe_methods: bool,
    /// Host tambahan dalam cakupan / extra in-scope host (repeatable; *.example.go.id allowed)
    #[arg(long)]
    scope: Vec<String>,
    #[command(flatten)]
    net: NetArgs,
    #[command(flatten)]
    session: SessionArgs,
}

/// Options of the session checks shared by `scan` and `evaluate`.
#[derive(Debug, Args, Clone, Default)]
pub struct SessionArgs {
    /// Jumlah token sesi untuk analisis entropi / session tokens collected for the entropy analysis (default 1000)
    #[arg(long, env = "KAWAL_SESSION_SAMPLES", value_parser = clap::value_parser!(u32).range(100..=20000))]
    pub session_samples: Option<u32>,
}

#[derive(Debug, Args)]
struct EvaluateArgs {
    /// Nama atau id aplikasi / application name or id
    app: String,
    /// Masukkan ke antrean untuk worker, jangan jalankan di sini / queue it for the workers instead of running it here
    #[arg(long)]
    queue: bool,
    #[command(flatten)]
    out: OutputArgs,
    #[command(flatten)]
    net: NetArgs,
    #[command(flatten)]
    session: SessionArgs,
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    s.parse()
}

/// Settings merged from flags, environment and `kawal.toml`.
pub struct Settings {
    /// Output language.
    pub lang: Lang,
    /// Suppress progress.
    pub quiet: bool,
    /// Verbosity.
    pub verbose: u8,
    file: FileConfig,
    file_origin: String,
    database_url: Option<String>,
    checklist: Option<PathBuf>,
    acting_as: Option<String>,
}

impl Settings {
    /// The database URL in force (default: SQLite under the data directory).
    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .or_else(|| self.file.database_url.clone())
            .unwrap_or_else(|| {
                format!(
                    "sqlite://{}",
                    crate::config::data_dir().join("kawal.db").display()
                )
            })
    }

    /// Network settings for a command.
    pub fn net(&self, args: &NetArgs, app_rate: Option<f64>) -> Result<NetConfig, Failure> {
        let rate = args.rate_limit.or(app_rate);
        let mut cfg = NetConfig::resolve(
            &self.file.net,
            &self.file_origin,
            rate,
            args.insecure,
            args.ca_bundle.as_deref(),
        )
        .map_err(Failure::usage)?;
        for r in &args.resolve {
            let (host, ip) = r
                .rsplit_once(':')
                .and_then(|(h, ip)| {
                    Some((h.to_string(), ip.trim_matches(['[', ']']).parse().ok()?))
                })
                .ok_or_else(|| {
                    Failure::usage(anyhow::anyhow!(
                        "--resolve '{r}': expected HOST:IP, e.g. app.example.go.id:127.0.0.1"
                    ))
                })?;
            cfg.resolve.push((host, ip));
        }
        Ok(cfg)
    }

    /// Settings of the checks: `[session]` and `[login]` of `kawal.toml`, then flags.
    pub fn check_options(
        &self,
        args: &SessionArgs,
    ) -> Result<crate::checks::CheckOptions, Failure> {
        let s = &self.file.session;
        let invalid = |key: &str, value: String, message: &str| {
            Failure::usage(crate::config::ConfigError::Invalid {
                origin: self.file_origin.clone(),
                key: key.to_string(),
                value,
                message: message.to_string(),
            })
        };
        let samples = args
            .session_samples
            .or(s.samples)
            .unwrap_or(crate::config::DEFAULT_SESSION_SAMPLES);
        if !(100..=20_000).contains(&samples) {
            return Err(invalid(
                "session.samples",
                samples.to_string(),
                "must be 100..=20000",
            ));
        }
        let wait = |key: &str, v: Option<f64>| match v {
            None => Ok(std::time::Duration::ZERO),
            Some(x) if x.is_finite() && (0.0..=86_400.0).contains(&x) => {
                Ok(std::time::Duration::from_secs_f64(x))
            }
            Some(x) => Err(invalid(
                key,
                x.to_string(),
                "must be between 0 and 86400 seconds (0 = not measured)",
            )),
        };
        let login = match &self.file.login {
            None => None,
            Some(l) => {
                let url = |key: &str, v: &str| {
                    url::Url::parse(v.trim())
                        .map_err(|e| invalid(key, v.to_string(), &format!("not a URL: {e}")))
                };
                let password = l
                    .password
                    .clone()
                    .or_else(|| std::env::var("KAWAL_LOGIN_PASSWORD").ok())
                    .ok_or_else(|| {
                        invalid(
                            "login.password",
                            "-".into(),
                            "missing: set it in [login] or in KAWAL_LOGIN_PASSWORD",
                        )
                    })?;
                Some(crate::checks::login::Recipe {
                    role: l.username.clone(),
                    url: url("login.url", &l.url)?,
                    username_field: l.username_field.clone(),
                    password_field: l.password_field.clone(),
                    username: l.username.clone(),
                    password,
                    success_marker: l.success_marker.clone().filter(|m| !m.is_empty()),
                    protected_url: l
                        .protected_url
                        .as_deref()
                        .map(|u| url("login.protected_url", u))
                        .transpose()?,
                    logout_url: l
                        .logout_url
                        .as_deref()
                        .map(|u| url("login.logout_url", u))
                        .transpose()?,
                    json_page: None,
                    token_pointer: None,
                })
            }
        };
        let login_samples = s
            .login_samples
            .unwrap_or(crate::config::DEFAULT_LOGIN_SAMPLES);
        if login_samples > 20_000 {
            return Err(invalid(
                "session.login_samples",
                login_samples.to_string(),
                "must be 0..=20000 (0 = never log in repeatedly)",
            ));
        }
        Ok(crate::checks::CheckOptions {
            session_samples: samples,
            session_cookie: s.cookie.clone().filter(|c| !c.is_empty()),
            login,
            session_role: s.role.clone().filter(|r| !r.is_empty()),
            login_samples,
            idle_wait: wait("session.idle_wait_secs", s.idle_wait_secs)?,
            absolute_wait: wait("session.absolute_wait_secs", s.absolute_wait_secs)?,
            allow_unsafe_methods: false,
            access: self.access_options()?,
            keep_personal_data: self.file.evidence.keep_personal_data,
        })
    }

    /// Settings of the access-control check from `kawal.toml` (`[access]`, `[[role]]`).
    pub fn access_options(&self) -> Result<crate::checks::access::AccessOptions, Failure> {
        let a = &self.file.access;
        let mut opts = crate::checks::access::AccessOptions::default();
        for r in &self.file.role {
            r.validate().map_err(|e| {
                Failure::usage(anyhow::anyhow!("{}: [[role]] {e}", self.file_origin))
            })?;
        }
        opts.roles = self.file.role.clone();
        opts.protected = a.protected.clone();
        opts.rules
            .denied_markers
            .extend(a.denied_markers.iter().cloned());
        opts.rules.login_paths.extend(a.login_paths.iter().cloned());
        if let Some(m) = a.max_replays {
            opts.max_replays = m;
        }
        Ok(opts)
    }

    /// The checklist in force.
    pub fn checklist(&self) -> Result<crate::checklist::Checklist, Failure> {
        let path = self
            .checklist
            .clone()
            .or_else(|| self.file.checklist.clone());
        match path {
            Some(p) => crate::checklist::Checklist::load(&p),
            None => crate::checklist::Checklist::builtin(),
        }
        .map_err(Failure::usage)
    }

    /// Opens the store, marking evaluations of dead processes as interrupted.
    pub async fn store(&self) -> Result<crate::store::Store, Failure> {
        let store = crate::store::Store::open(&self.database_url()).await?;
        let recovered = store.recover_interrupted().await?;
        if !recovered.is_empty() {
            tracing::warn!("evaluations marked interrupted: {recovered:?}");
        }
        Ok(store)
    }

    /// Whether to draw progress bars.
    pub fn progress(&self) -> bool {
        use std::io::IsTerminal;
        !self.quiet && std::io::stdout().is_terminal() && std::io::stderr().is_terminal()
    }
}

impl Cli {
    /// How chatty logging should be.
    pub fn verbosity(&self) -> u8 {
        if self.global.quiet {
            0
        } else {
            self.global.verbose
        }
    }
}

/// Parses arguments and runs the command; returns the exit code.
pub async fn main(cli: Cli) -> Result<u8, Failure> {
    let g = cli.global;
    let (file, origin) = FileConfig::discover(g.config.as_deref()).map_err(Failure::usage)?;
    let lang = match g.lang.as_deref() {
        Some(l) => l
            .parse()
            .map_err(|e: String| Failure::usage(anyhow::anyhow!(e)))?,
        None => file.lang.unwrap_or_default(),
    };
    let settings = Settings {
        lang,
        quiet: g.quiet,
        verbose: g.verbose,
        file_origin: origin.map_or_else(|| "kawal.toml".to_string(), |p| p.display().to_string()),
        file,
        database_url: g.database_url,
        checklist: g.checklist,
        acting_as: g.acting_as,
    };
    match cli.command {
        Command::Scan(a) => {
            let target = run::parse_target(&a.url)?;
            let net = settings.net(&a.net, None)?;
            let mut options = settings.check_options(&a.session)?;
            options.allow_unsafe_methods = a.allow_unsafe_methods;
            let mut report = run::evaluate(&settings, &target, &a.scope, net, options, None, None)
                .await?
                .0;
            let policy = crate::decision::Policy::builtin().map_err(Failure::usage)?;
            report.automated_only(&policy);
            if !settings.quiet && report.summary.manual > 0 {
                eprintln!(
                    "{}",
                    crate::i18n::tr(
                        settings.lang,
                        "kawal scan hanya menilai butir otomatis; butir manual dinilai lewat kawal evaluate dan evaluation record-manual.",
                        "kawal scan judges automated items only; manual items are assessed through kawal evaluate and evaluation record-manual."
                    )
                );
            }
            run::emit(&settings, &report, &a.out)?;
            let failing = report.items.iter().any(|i| {
                i.severity >= a.fail_on
                    && match i.outcome {
                        crate::model::Outcome::Fail => true,
                        crate::model::Outcome::Inconclusive { .. } => a.strict,
                        _ => false,
                    }
            });
            if failing {
                return Ok(EXIT_NOT_MET);
            }
            if report.mostly_unobserved() && !a.allow_inconclusive {
                let (inconclusive, judged) = report.observation();
                eprintln!(
                    "{}",
                    match settings.lang {
                        crate::i18n::Lang::Id => format!(
                            "kawal scan tidak dapat mengamati target: {inconclusive} dari {judged} butir otomatis tidak dapat disimpulkan (lihat alasannya di laporan). Target tidak dinyatakan lulus; --allow-inconclusive menerima hasil ini."
                        ),
                        crate::i18n::Lang::En => format!(
                            "kawal scan could not observe the target: {inconclusive} of {judged} automated items are inconclusive (see their reasons in the report). The target is not passed; --allow-inconclusive accepts this result."
                        ),
                    }
                );
                return Ok(EXIT_INCOMPLETE);
            }
            Ok(EXIT_OK)
        }
        Command::Evaluate(a) => {
            let store = settings.store().await?;
            let app = store.app(&a.app).await?;
            if a.queue {
                let job = store
                    .enqueue_manual(app.id, time::OffsetDateTime::now_utc())
                    .await?;
                write_out(
                    &format!(
                        "{} {} ({})\n",
                        crate::i18n::tr(
                            settings.lang,
                            "Dimasukkan ke antrean sebagai job",
                            "Queued as job"
                        ),
                        job.id,
                        app.name
                    ),
                    None,
                )?;
                store.close().await;
                return Ok(EXIT_OK);
            }
            let target = run::parse_target(&app.url)?;
            let net = settings.net(&a.net, app.rate_limit)?;
            let mut options = settings.check_options(&a.session)?;
            options.allow_unsafe_methods = app.allow_unsafe_methods;
            let (report, id) = run::evaluate(
                &settings,
                &target,
                &app.scope_hosts,
                net,
                options,
                Some(&store),
                Some(&app),
            )
            .await?;
            run::emit(&settings, &report, &a.out)?;
            if !settings.quiet {
                eprintln!(
                    "{} {}",
                    crate::i18n::tr(
                        settings.lang,
                        "Evaluasi tersimpan dengan id",
                        "Evaluation stored with id"
                    ),
                    id.map_or_else(|| "-".into(), |i| i.to_string())
                );
            }
            store.close().await;
            Ok(decision_exit(&report.decision))
        }
        Command::App(c) => app::run(&settings, c).await,
        Command::Evaluations(a) => app::history(&settings, a).await,
        Command::Checklist(c) => checklist::run(&settings, c),
        Command::Demo(a) => demo::run(&settings, a).await,
        Command::Tls(a) => tls::run(&settings, a).await,
        Command::Entropy(a) => entropy::run(&settings, a).await,
        Command::Serve(a) => queue::serve(&settings, a).await,
        Command::Worker(a) => queue::worker(&settings, a).await,
        Command::Jobs(c) => queue::jobs(&settings, c).await,
        Command::Crawl(a) => crawl::run(&settings, a).await,
        Command::Evaluation(c) => record::evaluation(&settings, c).await,
        Command::Finding(c) => record::finding(&settings, c).await,
        Command::Retest(a) => record::retest(&settings, a).await,
        Command::Report(a) => record::report(&settings, a).await,
        Command::User(c) => team::user(&settings, c).await,
        Command::Token(c) => team::token(&settings, c).await,
        Command::Audit(c) => team::audit(&settings, c).await,
        Command::Workflow(c) => workflow::workflow(&settings, c).await,
        Command::Visit(c) => workflow::visit(&settings, c).await,
        Command::Key(c) => key::run(&settings, c).await,
        Command::Mail(c) => mail::mail(&settings, c).await,
        Command::Delivery(c) => mail::delivery(&settings, c).await,
        Command::Completions(a) => mail::completions(a),
        Command::Man(a) => mail::man(a),
    }
}

/// Writes text to `path` or stdout (ANSI styles stripped where colour is off).
pub fn write_out(text: &str, path: Option<&std::path::Path>) -> Result<(), Failure> {
    use std::io::Write;
    match path {
        Some(p) => std::fs::write(p, anstream::adapter::strip_str(text).to_string())
            .with_context(|| format!("cannot write {}", p.display()))
            .map_err(Failure::usage),
        None => {
            let mut out = anstream::stdout();
            // A closed pipe (e.g. `| head`) is not an error worth reporting.
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
            Ok(())
        }
    }
}
