//! Layouts that are time in disguise: PHP `uniqid()` and time- or name-based UUIDs.

use crate::decode::{Decoded, FormatKind};

/// (code, evidence in English, evidence in Indonesian) for a UUID that is not random.
pub(super) fn uuid(d: &Decoded) -> Option<(&'static str, String, String)> {
    if d.format.kind != FormatKind::Uuid {
        return None;
    }
    let v = d.format.uuid_version.unwrap_or(0);
    match v {
        1 | 2 | 6 => Some((
            "uuid_v1",
            format!(
                "UUID version {v} is built from a timestamp, a clock sequence and a node (MAC) id"
            ),
            format!("UUID versi {v} tersusun dari stempel waktu, urutan jam, dan ID node (MAC)"),
        )),
        3 | 5 => Some((
            "uuid_name_based",
            format!("UUID version {v} is a hash of a name, not random"),
            format!("UUID versi {v} adalah hash dari sebuah nama, bukan nilai acak"),
        )),
        _ => None,
    }
}

/// PHP `uniqid()`: 8 hex digits of seconds then 5 hex digits of microseconds (< 1,000,000),
/// in every sampled token.
pub(super) fn uniqid(cores: &[String]) -> Option<(String, String)> {
    let sample: Vec<&[u8]> = cores.iter().take(200).map(|c| c.as_bytes()).collect();
    let len = sample.first()?.len();
    if !(13..=64).contains(&len) {
        return None;
    }
    for off in 0..=(len - 13) {
        // uniqid() output stands alone: at the start or after a non-hex prefix, and followed by
        // the end or by the `more_entropy` tail (a digit and a dot). This keeps a 13-character
        // window inside a longer hex token from matching by accident.
        let aligned = sample.iter().all(|s| {
            let before = off == 0 || !s[off - 1].is_ascii_hexdigit();
            let after = off + 13 == s.len()
                || (s[off + 13].is_ascii_digit() && s.get(off + 14) == Some(&b'.'));
            before && after
        });
        if !aligned {
            continue;
        }
        let mut ok = 0;
        let mut secs = Vec::new();
        for s in &sample {
            let f = s.get(off..off + 13)?;
            let txt = std::str::from_utf8(f).ok()?;
            let (Ok(sec), Ok(us)) = (
                u64::from_str_radix(&txt[..8], 16),
                u64::from_str_radix(&txt[8..], 16),
            ) else {
                continue;
            };
            if (946_684_800..4_102_444_800).contains(&sec) && us < 1_000_000 {
                ok += 1;
                secs.push(sec);
            }
        }
        let spread = secs.iter().max().zip(secs.iter().min()).map(|(a, b)| a - b);
        if ok == sample.len() && spread.is_some_and(|s| s < 30 * 86_400) {
            let end = off + 13;
            return Some((
                format!(
                    "characters {off}..{end} are PHP uniqid(): seconds and microseconds in hex"
                ),
                format!(
                    "karakter {off}..{end} adalah keluaran PHP uniqid(): detik dan mikrodetik dalam heksadesimal"
                ),
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uniqid_layout_is_recognised() {
        let cores: Vec<String> = (0..50)
            .map(|i| {
                format!(
                    "{:08x}{:05x}",
                    1_763_800_000u64 + i / 10,
                    (i * 12_345) % 1_000_000
                )
            })
            .collect();
        assert!(uniqid(&cores).is_some());
        let random: Vec<String> = (0..50u64)
            .map(|i| format!("{:013x}", i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 12))
            .collect();
        assert!(uniqid(&random).is_none());
        // The same layout inside a longer hex token is not uniqid().
        let embedded: Vec<String> = cores.iter().map(|c| format!("ab{c}0123")).collect();
        assert!(uniqid(&embedded).is_none());
        let prefixed: Vec<String> = cores.iter().map(|c| format!("sess_{c}")).collect();
        assert!(uniqid(&prefixed).is_some());
        let more: Vec<String> = cores.iter().map(|c| format!("{c}4.12345678")).collect();
        assert!(uniqid(&more).is_some());
    }
}
