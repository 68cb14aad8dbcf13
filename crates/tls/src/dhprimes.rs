//! Widely shared Diffie-Hellman primes (data in `data/dh-primes.toml`), recognised by the hash of
//! the prime a server sends: a shared prime of 1024 bits or fewer is a Logjam precomputation target.

use crate::wire::fnv1a;
use serde::Deserialize;
use std::sync::OnceLock;

const PRIMES_TOML: &str = include_str!("../data/dh-primes.toml");

/// One shared prime from the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedPrime {
    /// Where the prime comes from, e.g. "RFC 2409 Oakley group 2 (1024 bit)".
    pub name: String,
    /// Size in bits.
    pub bits: u32,
    /// FNV-1a of the prime's big-endian bytes.
    pub hash: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Row {
    name: String,
    bits: u32,
    hex: String,
}

#[derive(Debug, Deserialize)]
struct PrimeFile {
    prime: Vec<Row>,
}

/// A bad row in the prime list.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("data/dh-primes.toml: {0}")]
pub struct PrimeListError(String);

/// Parses the prime list; each hex value must decode and have the stated size.
pub fn parse(text: &str) -> Result<Vec<SharedPrime>, PrimeListError> {
    let file: PrimeFile = toml::from_str(text).map_err(|e| PrimeListError(e.to_string()))?;
    file.prime
        .into_iter()
        .map(|r| {
            let hex: String = r.hex.chars().filter(|c| !c.is_whitespace()).collect();
            let bytes = decode_hex(&hex)
                .ok_or_else(|| PrimeListError(format!("{:?}: hex does not decode", r.name)))?;
            let bits = bytes
                .first()
                .map_or(0, |f| bytes.len() as u32 * 8 - f.leading_zeros());
            if bits != r.bits {
                return Err(PrimeListError(format!(
                    "{:?}: says {} bits, the hex has {bits}",
                    r.name, r.bits
                )));
            }
            Ok(SharedPrime {
                name: r.name,
                bits,
                hash: fnv1a(&bytes),
            })
        })
        .collect()
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    let s = s.trim_start_matches('0');
    let padded = if s.len() % 2 == 1 {
        format!("0{s}")
    } else {
        s.to_string()
    };
    (0..padded.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(padded.get(i..i + 2)?, 16).ok())
        .collect()
}

/// The embedded list.
pub fn list() -> Result<&'static [SharedPrime], PrimeListError> {
    static CELL: OnceLock<Result<Vec<SharedPrime>, PrimeListError>> = OnceLock::new();
    CELL.get_or_init(|| parse(PRIMES_TOML))
        .as_deref()
        .map_err(Clone::clone)
}

/// The shared prime with this hash, if listed.
pub fn lookup(hash: u64) -> Option<&'static SharedPrime> {
    list().ok()?.iter().find(|p| p.hash == hash)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_list_is_consistent() {
        let l = list().expect("list");
        assert!(l.len() >= 10);
        assert!(
            l.iter()
                .any(|p| p.bits == 1024 && p.name.contains("Oakley group 2"))
        );
        let e = parse("[[prime]]\nname = \"x\"\nbits = 9\nhex = \"ff\"\n").expect_err("size");
        assert!(e.to_string().contains("says 9 bits"), "{e}");
    }
}
