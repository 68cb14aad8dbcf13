//! Full analysis of 32-hex-character tokens: 20,000 (the required figure) and 5,000 tokens.

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

#[divan::bench(args = [5_000, 20_000], sample_count = 10, sample_size = 1)]
fn analyse_hex32(bencher: divan::Bencher, n: usize) {
    let toks = tokens(n);
    let opts = Options::default();
    bencher.bench_local(|| analyse(divan::black_box(&toks), &opts));
}
