//! Full analysis of 32-hex-character tokens: 20,000 (the required figure) and 5,000 tokens; the
//! same with capture times and `Date` headers (which adds the timestamp-hash search); and the
//! small first looks of the scan (30 and 100 tokens), where the counter-hash scan costs most.

use kawal_entropy::{Options, Token, analyse};
use std::io::Read;

fn main() {
    divan::main();
}

fn tokens(n: usize) -> Vec<Token> {
    let mut buf = vec![0u8; n * 16];
    let read = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut buf));
    if read.is_err() {
        // Fallback keeps the benchmark runnable without /dev/urandom (splitmix64).
        let mut s = 0x1234_5678_9abc_def0u64;
        for b in buf.iter_mut() {
            s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = s;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            *b = (z ^ (z >> 31)) as u8;
        }
    }
    buf.chunks(16)
        .map(|c| Token::new(c.iter().map(|b| format!("{b:02x}")).collect::<String>()))
        .collect()
}

/// Tokens captured 10 ms apart (100 per second), each with its capture time and Date header.
fn timed_tokens(n: usize) -> Vec<Token> {
    let base_ms = 1_764_990_000_000i64;
    tokens(n)
        .into_iter()
        .enumerate()
        .map(|(i, mut t)| {
            let ms = base_ms + i as i64 * 10;
            t.captured_at_ms = Some(ms);
            t.date_header_s = Some(ms / 1000);
            t
        })
        .collect()
}

#[divan::bench(args = [5_000, 20_000], sample_count = 10, sample_size = 1)]
fn analyse_hex32(bencher: divan::Bencher, n: usize) {
    let toks = tokens(n);
    let opts = Options::default();
    bencher.bench_local(|| analyse(divan::black_box(&toks), &opts));
}

/// The same analysis without the construction checks, to show what they cost.
#[divan::bench(args = [20_000], sample_count = 10, sample_size = 1)]
fn analyse_hex32_statistics_only(bencher: divan::Bencher, n: usize) {
    let toks = tokens(n);
    let opts = Options {
        construction_checks: false,
        ..Options::default()
    };
    bencher.bench_local(|| analyse(divan::black_box(&toks), &opts));
}

#[divan::bench(args = [5_000, 20_000], sample_count = 10, sample_size = 1)]
fn analyse_hex32_with_times(bencher: divan::Bencher, n: usize) {
    let toks = timed_tokens(n);
    let opts = Options::default();
    bencher.bench_local(|| analyse(divan::black_box(&toks), &opts));
}

#[divan::bench(args = [30, 100], sample_count = 10, sample_size = 1)]
fn analyse_hex32_first_looks(bencher: divan::Bencher, n: usize) {
    let toks = timed_tokens(n);
    let opts = Options::default();
    bencher.bench_local(|| analyse(divan::black_box(&toks), &opts));
}
