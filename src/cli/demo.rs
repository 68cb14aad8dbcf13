//! `kawal demo`: the bundled demo target, registered and evaluated, with no network needed.

use super::run::{emit, evaluate, parse_target};
use super::{EXIT_OK, Failure, NetArgs, OutputArgs, SessionArgs, Settings};
use crate::checks::login::Recipe;
use crate::i18n::tr;
use crate::report::Format;
use crate::store::{AppPatch, NewApp};
use anyhow::anyhow;
use clap::Args;
use kawal_fixture::{Fixture, FixtureConfig, Profile};

#[derive(Debug, Args)]
pub(super) struct DemoArgs {
    /// Profil target demo (bawaan: keduanya) / demo target profile (default: both, vulnerable first)
    #[arg(long, value_parser = ["vulnerable", "hardened"])]
    profile: Option<String>,
    /// Biarkan target demo tetap berjalan sampai Ctrl-C / keep the demo target running until Ctrl-C
    #[arg(long)]
    keep_running: bool,
}

pub(super) async fn run(settings: &Settings, a: DemoArgs) -> Result<u8, Failure> {
    let lang = settings.lang;
    let profiles = match a.profile.as_deref() {
        Some("hardened") => vec![Profile::Hardened],
        Some(_) => vec![Profile::Vulnerable],
        None => vec![Profile::Vulnerable, Profile::Hardened],
    };
    let store = settings.store().await?;
    let mut running = Vec::new();
    for profile in profiles {
        let fixture = Fixture::start(FixtureConfig::new(profile))
            .await
            .map_err(|e| {
                Failure::incomplete(anyhow!(
                    "target demo tidak dapat dijalankan / demo target failed to start: {e}"
                ))
            })?;
        let url = fixture
            .https_url
            .clone()
            .unwrap_or_else(|| fixture.http_url.clone());
        let name = match profile {
            Profile::Vulnerable => "DEMO-RENTAN",
            Profile::Hardened => "DEMO-AMAN",
        };
        // Ports change every run, so an existing demo registration is updated in place.
        let app = match store.find_app(name).await? {
            Some(_) => {
                store
                    .edit_app(
                        name,
                        &AppPatch {
                            url: Some(url.clone()),
                            ca_bundle: Some(Some(fixture.ca_pem.clone())),
                            insecure: Some(false),
                            rate_limit: Some(Some(0.0)),
                            ..AppPatch::default()
                        },
                    )
                    .await?
            }
            None => {
                store
                    .add_app(&NewApp {
                        name: name.into(),
                        url: url.clone(),
                        agency: "Dinas Komunikasi dan Informatika (demo)".into(),
                        owner: "pj-aplikasi@demo.kawal.invalid".into(),
                        schedule: Some("0 2 * * 1".into()),
                        timezone: "Asia/Jakarta".into(),
                        // The demo target is its own loopback process: no rate limit is
                        // needed to spare it, in the demo run or in scheduled ones.
                        rate_limit: Some(0.0),
                        scope_hosts: vec![],
                        public_service: true,
                        personal_data: true,
                        allow_unsafe_methods: false,
                        // Its certificates come from a CA generated at start; registering the
                        // CA lets scheduled runs (kawal serve) verify them too.
                        ca_bundle: Some(fixture.ca_pem.clone()),
                        insecure: false,
                    })
                    .await?
            }
        };
        // The demo target's own test accounts: an administrator and two citizens.
        let sealer =
            crate::auth::seal::Sealer::load(&crate::config::data_dir()).map_err(Failure::usage)?;
        for (user, password, privilege) in kawal_fixture::ACCOUNTS.iter().map(|a| {
            (
                a.username,
                a.password,
                if a.role == kawal_fixture::accounts::Role::Admin {
                    100
                } else {
                    10
                },
            )
        }) {
            let role = crate::auth::Role {
                name: user.into(),
                privilege,
                recipe: crate::auth::Recipe::Form {
                    url: format!("{url}/login"),
                    username_field: "username".into(),
                    password_field: "password".into(),
                    username: user.into(),
                    password: password.into(),
                },
                marker: crate::auth::Marker {
                    text: Some("Masuk sebagai".into()),
                    ..crate::auth::Marker::default()
                },
            };
            store.put_role(app.id, &role, &sealer).await?;
        }
        // The registration carries the rate limit and the CA, as for scheduled runs.
        let net = settings.net(&NetArgs::default(), app.rate_limit)?;
        let target = parse_target(&app.url)?;
        let mut options = settings.check_options(&SessionArgs::default())?;
        if options.login.is_none() {
            // The demo target accepts any non-empty credentials on its own login form.
            options.login = target.join("/login").ok().map(|url| Recipe {
                role: "demo".into(),
                url,
                username_field: "username".into(),
                password_field: "password".into(),
                username: "demo".into(),
                password: "demo".into(),
                success_marker: None,
                protected_url: None,
                logout_url: None,
                json_page: None,
                token_pointer: None,
            });
        }
        if !settings.quiet {
            eprintln!(
                "\n== {} {name} ({}) — {url}",
                tr(lang, "Mengevaluasi", "Evaluating"),
                match profile {
                    Profile::Vulnerable => tr(lang, "profil rentan", "vulnerable profile"),
                    Profile::Hardened => tr(lang, "profil aman", "hardened profile"),
                }
            );
        }
        let (report, id) = evaluate(
            settings,
            &target,
            &[],
            net,
            options,
            Some(&store),
            Some(&app),
        )
        .await?;
        emit(
            settings,
            &report,
            &OutputArgs {
                format: Format::Table,
                output: None,
            },
        )?;
        if !settings.quiet {
            eprintln!(
                "{} {} · kawal evaluation show {name} · kawal report {name} --format pdf -o {name}.pdf",
                tr(lang, "Tersimpan sebagai evaluasi", "Stored as evaluation"),
                id.map_or_else(|| "-".into(), |i| i.to_string()),
            );
        }
        if let Some(id) = id {
            let dir = crate::config::data_dir().join("laporan");
            std::fs::create_dir_all(&dir)
                .map_err(|e| Failure::usage(anyhow!("{}: {e}", dir.display())))?;
            let (stored, ctx) = super::record::context(settings, &store, id).await?;
            let checklist = settings.checklist()?;
            let view = crate::report::view::build(&stored, &checklist, &ctx, lang);
            let html = crate::report::html::Renderer::new()
                .and_then(|r| r.render(&view))
                .map_err(Failure::usage)?;
            let pdf = crate::report::pdf::render(&view).map_err(Failure::incomplete)?;
            let base = dir.join(format!("{name}-{id}"));
            for (ext, bytes) in [("html", html.into_bytes()), ("pdf", pdf)] {
                let path = base.with_extension(ext);
                std::fs::write(&path, bytes)
                    .map_err(|e| Failure::usage(anyhow!("{}: {e}", path.display())))?;
                if !settings.quiet {
                    eprintln!(
                        "{}: {}",
                        tr(
                            lang,
                            "Laporan untuk Perangkat Daerah",
                            "Report for the agency"
                        ),
                        path.display()
                    );
                }
            }
        }
        running.push(fixture);
    }
    if !settings.quiet {
        eprintln!(
            "\n{}: {}",
            tr(lang, "Hasil tersimpan di", "Results are stored in"),
            store.url()
        );
    }
    store.close().await;
    if a.keep_running {
        eprintln!(
            "{}",
            tr(
                lang,
                "Target demo tetap berjalan; tekan Ctrl-C untuk berhenti.",
                "The demo target keeps running; press Ctrl-C to stop."
            )
        );
        let _ = tokio::signal::ctrl_c().await;
    }
    for f in running {
        f.shutdown().await;
    }
    Ok(EXIT_OK)
}
