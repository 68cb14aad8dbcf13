//! The text encoding of the sample's tokens, so a predicted token is written the way the
//! application writes its own (hex in its case, base64 or base64url with or without padding).

use crate::decode::{Decoded, Encoding};

/// How token bytes are written as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Codec {
    /// Hexadecimal, lower or upper case.
    Hex {
        /// Upper-case digits.
        upper: bool,
    },
    /// Base64 (RFC 4648 section 4) or base64url (section 5).
    Base64 {
        /// URL-safe alphabet.
        url: bool,
        /// Trailing `=` padding.
        pad: bool,
    },
    /// A decimal integer (the bytes are its big-endian value).
    Decimal,
}

const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

impl Codec {
    /// The codec of a decoded sample, when its tokens map to bytes.
    pub(crate) fn of(d: &Decoded) -> Option<Codec> {
        let first = d.cores.first()?;
        match d.format.encoding {
            Encoding::Hex => Some(Codec::Hex {
                upper: d.format.alphabet.starts_with("0123456789A"),
            }),
            Encoding::Base64 | Encoding::Base64Url => Some(Codec::Base64 {
                url: d.format.encoding == Encoding::Base64Url,
                pad: first.ends_with('='),
            }),
            Encoding::Decimal => Some(Codec::Decimal),
            _ => None,
        }
    }

    /// Short name, e.g. `hex`, `HEX`, `base64url`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Codec::Hex { upper: false } => "hex",
            Codec::Hex { upper: true } => "HEX",
            Codec::Base64 { url: false, .. } => "base64",
            Codec::Base64 { url: true, .. } => "base64url",
            Codec::Decimal => "decimal",
        }
    }

    /// Writes `bytes` as a token of this encoding.
    pub(crate) fn encode(self, bytes: &[u8]) -> String {
        match self {
            Codec::Hex { upper } => bytes
                .iter()
                .map(|b| {
                    if upper {
                        format!("{b:02X}")
                    } else {
                        format!("{b:02x}")
                    }
                })
                .collect(),
            Codec::Base64 { url, pad } => base64(bytes, if url { B64URL } else { B64 }, pad),
            Codec::Decimal => bytes
                .iter()
                .fold(0u128, |a, &b| (a << 8) | u128::from(b))
                .to_string(),
        }
    }
}

fn base64(bytes: &[u8], alphabet: &[u8], pad: bool) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let v = chunk.iter().fold(0u32, |a, &x| (a << 8) | u32::from(x)) << (8 * (3 - chunk.len()));
        for i in 0..=chunk.len() {
            out.push(char::from(alphabet[((v >> (18 - 6 * i)) & 63) as usize]));
        }
        if pad {
            for _ in chunk.len()..3 {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::base64_decode;

    #[test]
    fn base64_round_trips_with_and_without_padding() {
        for len in 0..40usize {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            for (url, pad) in [(false, true), (true, false), (true, true), (false, false)] {
                let s = Codec::Base64 { url, pad }.encode(&bytes);
                assert_eq!(base64_decode(&s).as_deref(), Some(&bytes[..]), "{s}");
                assert_eq!(s.ends_with('='), pad && len % 3 != 0);
            }
        }
        assert_eq!(
            Codec::Base64 {
                url: false,
                pad: true
            }
            .encode(b"\xfb\xff"),
            "+/8="
        );
    }

    #[test]
    fn hex_keeps_its_case() {
        assert_eq!(Codec::Hex { upper: false }.encode(&[0xab, 0x01]), "ab01");
        assert_eq!(Codec::Hex { upper: true }.encode(&[0xab, 0x01]), "AB01");
        assert_eq!(Codec::Decimal.encode(&[0, 0, 1, 0]), "256");
    }
}
