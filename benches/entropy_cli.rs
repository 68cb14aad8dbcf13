//! `kawal entropy FILE` on 20,000 tokens of 32 hex characters (128 random bits each): the full
//! analysis must finish within 0.5 s. Times the analysis in-process (the same functions the
//! command uses) and, when a release build exists, the `kawal` binary end to end.
//!
//! Run: `cargo build --release && cargo bench --bench entropy_cli`.

use std::io::Read;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

const TOKENS: usize = 20_000;
const BUDGET: Duration = Duration::from_millis(500);
const RUNS: usize = 5;

fn token_file() -> std::io::Result<(tempfile::TempDir, PathBuf)> {
    let mut random = vec![0u8; TOKENS * 16];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut random)?;
    let mut text = String::with_capacity(TOKENS * 33);
    for chunk in random.chunks(16) {
        for b in chunk {
            text.push_str(&format!("{b:02x}"));
        }
        text.push('\n');
    }
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("tokens.txt");
    std::fs::write(&path, text)?;
    Ok((dir, path))
}

/// The release binary: `KAWAL_BIN`, else `release/kawal` under the target directory.
fn release_binary() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("KAWAL_BIN") {
        return Some(PathBuf::from(p));
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    let p = target.join("release").join("kawal");
    p.is_file().then_some(p)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() -> std::process::ExitCode {
    // `cargo test --benches` runs this with --bench absent; keep that quick.
    if !std::env::args().any(|a| a == "--bench") {
        return std::process::ExitCode::SUCCESS;
    }
    let (_dir, path) = match token_file() {
        Ok(x) => x,
        Err(e) => {
            eprintln!("cannot write the token file: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let mut over = false;

    let mut times = Vec::new();
    let mut verdict = String::new();
    for _ in 0..RUNS {
        let start = Instant::now();
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let tokens = kawal::checks::session_entropy::read_tokens(&text);
        let result = kawal_entropy::analyse(&tokens, &kawal_entropy::Options::default());
        times.push(start.elapsed());
        verdict = match result {
            Ok(a) => format!("{:?}, {:.1} effective bits", a.verdict, a.effective_bits),
            Err(e) => format!("error: {e}"),
        };
    }
    let m = median(times);
    over |= m > BUDGET;
    println!(
        "entropy_cli/in-process  {TOKENS} tokens x 32 hex: median {:.1} ms of {RUNS} ({verdict})",
        m.as_secs_f64() * 1e3
    );

    match release_binary() {
        Some(bin) => {
            let mut times = Vec::new();
            for _ in 0..RUNS {
                let start = Instant::now();
                let out = Command::new(&bin)
                    .args(["entropy", "--format", "json", "--quiet"])
                    .arg(&path)
                    .env("NO_COLOR", "1")
                    .output();
                times.push(start.elapsed());
                match out {
                    Ok(o) if o.status.code() == Some(0) || o.status.code() == Some(1) => {}
                    Ok(o) => {
                        eprintln!(
                            "{} failed: {}",
                            bin.display(),
                            String::from_utf8_lossy(&o.stderr)
                        );
                        return std::process::ExitCode::FAILURE;
                    }
                    Err(e) => {
                        eprintln!("cannot run {}: {e}", bin.display());
                        return std::process::ExitCode::FAILURE;
                    }
                }
            }
            let m = median(times);
            over |= m > BUDGET;
            println!(
                "entropy_cli/binary      {} entropy FILE: median wall {:.1} ms of {RUNS}",
                bin.display(),
                m.as_secs_f64() * 1e3
            );
        }
        None => println!(
            "entropy_cli/binary      skipped: no release build (cargo build --release, or set KAWAL_BIN)"
        ),
    }
    println!(
        "budget {} ms: {}",
        BUDGET.as_millis(),
        if over { "EXCEEDED" } else { "met" }
    );
    if over {
        std::process::ExitCode::FAILURE
    } else {
        std::process::ExitCode::SUCCESS
    }
}
