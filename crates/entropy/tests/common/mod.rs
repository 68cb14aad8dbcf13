//! Sources shared by the test binaries: the OS generator and the reference MT19937.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use kawal_entropy::Token;
use std::io::Read;

/// `n` bytes from the OS generator.
pub fn urandom(n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut buf))
        .expect("/dev/urandom readable");
    buf
}

/// Lower-case hex.
pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Tokens without timing.
pub fn toks(v: impl IntoIterator<Item = String>) -> Vec<Token> {
    v.into_iter().map(Token::new).collect()
}

/// Matsumoto and Nishimura's MT19937 (init_genrand, genrand_int32): Python's, Ruby's and PHP
/// 7.1+'s generator.
pub struct Mt {
    mt: [u32; 624],
    i: usize,
}

/// init_genrand(seed): the initial state (before the first twist); PHP's php_mt_initialize too.
pub fn init_genrand(seed: u32) -> [u32; 624] {
    let mut mt = [0u32; 624];
    mt[0] = seed;
    for i in 1..624 {
        mt[i] = 1_812_433_253u32
            .wrapping_mul(mt[i - 1] ^ (mt[i - 1] >> 30))
            .wrapping_add(i as u32);
    }
    mt
}

impl Mt {
    /// A generator seeded with init_genrand(seed).
    pub fn new(seed: u32) -> Self {
        Mt {
            mt: init_genrand(seed),
            i: 624,
        }
    }

    /// genrand_int32: the next tempered 32-bit output.
    pub fn next(&mut self) -> u32 {
        if self.i >= 624 {
            for k in 0..624 {
                let y = (self.mt[k] & 0x8000_0000) | (self.mt[(k + 1) % 624] & 0x7fff_ffff);
                let mut v = self.mt[(k + 397) % 624] ^ (y >> 1);
                if y & 1 == 1 {
                    v ^= 0x9908_b0df;
                }
                self.mt[k] = v;
            }
            self.i = 0;
        }
        let y = self.mt[self.i];
        self.i += 1;
        temper(y)
    }
}

/// The MT19937 output tempering.
pub fn temper(mut y: u32) -> u32 {
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c_5680;
    y ^= (y << 15) & 0xefc6_0000;
    y ^ (y >> 18)
}
