//! `kawal tls HOST[:PORT]`: the TLS scanner on its own.

use super::{EXIT_NOT_MET, EXIT_OK, Failure, NetArgs, Settings, write_out};
use crate::i18n::Lang;
use anyhow::anyhow;
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub(super) struct TlsArgs {
    /// Host dan port / host and port, e.g. simpeg.example.go.id:443 (port 443 by default)
    target: String,
    /// Nama SNI bila berbeda dari host / SNI name when it differs from the host
    #[arg(long)]
    sni: Option<String>,
    /// Format keluaran / output format
    #[arg(long, short, value_parser = ["table", "json"], default_value = "table")]
    format: String,
    /// Tulis ke berkas / write to a file
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Port lain di host yang sama yang diuji SSL 2.0 dengan kunci RSA yang sama (DROWN) /
    /// other ports of the same host asked for SSL 2.0 with the same RSA key (DROWN), e.g. 25,465,587,993,995
    #[arg(long, value_delimiter = ',')]
    drown_ports: Vec<u16>,
    #[command(flatten)]
    net: NetArgs,
}

pub(super) async fn run(settings: &Settings, a: TlsArgs) -> Result<u8, Failure> {
    let spec = a.target.trim();
    // Accept a URL too, as users paste them.
    let spec = match url::Url::parse(spec) {
        Ok(u) if u.host_str().is_some() && matches!(u.scheme(), "https" | "http") => {
            format!(
                "{}:{}",
                u.host_str().unwrap_or_default(),
                u.port().unwrap_or(443)
            )
        }
        _ => spec.to_string(),
    };
    let mut target = kawal_tls::Target::parse(&spec).map_err(|e| {
        Failure::usage(anyhow!("target TLS tidak sah / invalid TLS target: {e} (contoh / example: simpeg.example.go.id:443)"))
    })?;
    target.sni = a.sni;
    let net = settings.net(&a.net, None)?;
    if let Some((_, ip)) = net
        .resolve
        .iter()
        .find(|(h, _)| h.eq_ignore_ascii_case(&target.host))
    {
        target.ip = Some(*ip);
    }
    let pacer = crate::net::HostPacer::standalone(net.rate_limit);
    let mut opts = crate::checks::tls::scan_options(&net, pacer);
    opts.drown_ports = a.drown_ports;
    let report = kawal_tls::scan(&target, &opts).await.map_err(|e| match e {
        kawal_tls::Error::InvalidTarget(_) | kawal_tls::Error::ExtraCa(_) => {
            Failure::usage(anyhow!("{e}"))
        }
        _ => Failure::incomplete(anyhow!(
            "pemindaian TLS tidak selesai / TLS scan could not complete: {e}"
        )),
    })?;
    let text = if a.format == "json" {
        serde_json::to_string_pretty(&report).unwrap_or_default() + "\n"
    } else {
        let lang = match settings.lang {
            Lang::Id => kawal_tls::Lang::Id,
            Lang::En => kawal_tls::Lang::En,
        };
        kawal_tls::render_table(&report, lang)
    };
    write_out(&text, a.output.as_deref())?;
    let failed = kawal_tls::checklist_outcomes(&report)
        .iter()
        .any(|o| o.status == kawal_tls::Status::Fail);
    Ok(if failed { EXIT_NOT_MET } else { EXIT_OK })
}
