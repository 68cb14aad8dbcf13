//! `kawal crawl URL`: lists the in-scope pages and forms of an application as JSON.

use super::{Failure, NetArgs, Settings, run::parse_target, write_out};
use crate::crawl::{self, CrawlOptions};
use crate::net::{HttpClient, Scope};
use anyhow::anyhow;
use clap::Args;
use std::path::PathBuf;

/// Arguments of `kawal crawl`.
#[derive(Debug, Args)]
pub struct CrawlArgs {
    /// URL awal / start URL, e.g. https://app.example.go.id
    url: String,
    /// Halaman maksimum / most pages fetched
    #[arg(long, default_value_t = 100)]
    max_pages: usize,
    /// Kedalaman tautan maksimum / most link hops from the start page
    #[arg(long, default_value_t = 3)]
    max_depth: usize,
    /// Halaman per pola URL (/item/1 dan /item/2 satu pola) / pages per URL pattern
    #[arg(long, default_value_t = 1)]
    per_pattern: usize,
    /// Jangan baca robots.txt dan sitemap.xml / do not read robots.txt and sitemap.xml
    #[arg(long)]
    no_hints: bool,
    /// Host tambahan dalam cakupan / extra in-scope host (repeatable; *.example.go.id allowed)
    #[arg(long)]
    scope: Vec<String>,
    /// Tulis ke berkas / write to a file instead of stdout
    #[arg(long, short)]
    output: Option<PathBuf>,
    #[command(flatten)]
    net: NetArgs,
}

/// Runs the crawl and prints the JSON document.
pub async fn run(settings: &Settings, a: CrawlArgs) -> Result<u8, Failure> {
    let target = parse_target(&a.url)?;
    if a.max_pages == 0 || a.per_pattern == 0 {
        return Err(Failure::usage(anyhow!(
            "--max-pages dan --per-pattern minimal 1 / --max-pages and --per-pattern must be at least 1"
        )));
    }
    let net = settings.net(&a.net, None)?;
    let http = HttpClient::new(net, Scope::new(&target, &a.scope)).map_err(Failure::usage)?;
    let opts = CrawlOptions {
        max_pages: a.max_pages,
        max_depth: a.max_depth,
        per_pattern: a.per_pattern,
        use_hints: !a.no_hints,
        keep_responses: false,
        headers: Vec::new(),
    };
    let result = crawl::crawl(&http, &target, None, &opts)
        .await
        .map_err(Failure::incomplete)?;
    let text = serde_json::to_string_pretty(&result)
        .map_err(|e| Failure::incomplete(anyhow!("JSON: {e}")))?;
    write_out(&(text + "\n"), a.output.as_deref())?;
    Ok(super::EXIT_OK)
}
