//! Minimal scanner front end: `tlsscan HOST[:PORT] [--sni NAME] [--format json|table] [--lang id|en] [--ca FILE] [--timeout-ms N]`.

use kawal_tls::{Lang, ScanOptions, Target, render_table, scan};
use std::time::Duration;

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let mut target: Option<String> = None;
    let mut sni = None;
    let mut format = "json".to_string();
    let mut lang = Lang::Id;
    let mut opts = ScanOptions::default();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--sni" => sni = args.next(),
            "--format" => format = args.next().unwrap_or_default(),
            "--lang" => {
                lang = if args.next().as_deref() == Some("en") {
                    Lang::En
                } else {
                    Lang::Id
                }
            }
            "--ca" => {
                let path = args.next().unwrap_or_default();
                match std::fs::read(&path) {
                    Ok(b) => opts.extra_ca_pem = Some(b),
                    Err(e) => fail(&format!("cannot read {path}: {e}")),
                }
            }
            "--timeout-ms" => {
                let ms: u64 = args.next().and_then(|v| v.parse().ok()).unwrap_or(5000);
                opts.connect_timeout = Duration::from_millis(ms);
                opts.read_timeout = Duration::from_millis(ms);
            }
            _ if target.is_none() => target = Some(a),
            other => fail(&format!("unexpected argument {other:?}")),
        }
    }
    let Some(target) = target else {
        fail(
            "usage: tlsscan HOST[:PORT] [--sni NAME] [--format json|table] [--lang id|en] [--ca FILE]",
        )
    };
    let mut t = Target::parse(&target).unwrap_or_else(|e| fail(&e.to_string()));
    t.sni = sni;
    match scan(&t, &opts).await {
        Ok(r) if format == "table" => print!("{}", render_table(&r, lang)),
        Ok(r) => match serde_json::to_string_pretty(&r) {
            Ok(j) => println!("{j}"),
            Err(e) => fail(&e.to_string()),
        },
        Err(e) => fail(&e.to_string()),
    }
}

fn fail(msg: &str) -> ! {
    eprintln!("tlsscan: {msg}");
    std::process::exit(2)
}
