//! Masks citizens' personal data in stored evidence: NIK (16-digit identity numbers), NPWP
//! (tax numbers), phone numbers and e-mail addresses. The masked text keeps what kind of data
//! was there (`[NIK]`, `[NPWP]`, `[TELP]`, `[EMAIL]@domain`) and the counts say how much.
//! Pure: no I/O.

use regex::Regex;
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;

/// How many values of each kind were masked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Masked {
    /// Identity numbers (NIK).
    #[serde(default)]
    pub nik: usize,
    /// Tax numbers (NPWP).
    #[serde(default)]
    pub npwp: usize,
    /// Phone numbers.
    #[serde(default)]
    pub phone: usize,
    /// E-mail addresses.
    #[serde(default)]
    pub email: usize,
}

impl Masked {
    /// Nothing was masked.
    pub fn is_empty(&self) -> bool {
        self.total() == 0
    }

    /// Values masked in all.
    pub fn total(&self) -> usize {
        self.nik + self.npwp + self.phone + self.email
    }

    /// Adds another count.
    pub fn add(&mut self, o: Masked) {
        self.nik += o.nik;
        self.npwp += o.npwp;
        self.phone += o.phone;
        self.email += o.email;
    }

    /// "2 NIK, 1 e-mail" (the words are the same in both languages).
    pub fn describe(&self) -> String {
        [
            (self.nik, "NIK"),
            (self.npwp, "NPWP"),
            (self.phone, "telp/phone"),
            (self.email, "e-mail"),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, w)| format!("{n} {w}"))
        .collect::<Vec<_>>()
        .join(", ")
    }
}

/// One kind of personal data: its pattern and what replaces a match.
struct Kind {
    re: Regex,
    /// `true`: the match is replaced whole; `false` (e-mail): only the part before `@`.
    whole: bool,
    token: &'static str,
    count: fn(&mut Masked),
}

static KINDS: LazyLock<Vec<Kind>> = LazyLock::new(|| {
    let re = |p: &str| Regex::new(p).unwrap_or_else(|e| panic!("mask pattern {p}: {e}"));
    vec![
        Kind {
            re: re(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"),
            whole: false,
            token: "[EMAIL]",
            count: |m| m.email += 1,
        },
        // NPWP in its printed form 12.345.678.9-012.345, or as 15 plain digits.
        Kind {
            re: re(r"\d{2}\.\d{3}\.\d{3}\.\d-\d{3}\.\d{3}|\d{15}"),
            whole: true,
            token: "[NPWP]",
            count: |m| m.npwp += 1,
        },
        Kind {
            re: re(r"\d{16}"),
            whole: true,
            token: "[NIK]",
            count: |m| m.nik += 1,
        },
        // Mobile numbers (08…, +628…, 628…) and landlines written with an area code in
        // parentheses or after +62, with optional spaces, dots or dashes between groups.
        Kind {
            re: re(
                r"(?:\+62[\s.-]?|62|0)8\d{1,2}(?:[\s.-]?\d{3,4}){2}\d{0,2}|\(0\d{1,3}\)[\s.-]?\d{3,4}[\s.-]?\d{3,4}|\+62[\s.-]?\d{1,3}[\s.-]?\d{3,4}[\s.-]?\d{3,4}",
            ),
            whole: true,
            token: "[TELP]",
            count: |m| m.phone += 1,
        },
    ]
});

/// `text` with personal data masked, and how much of each kind was masked.
pub fn mask(text: &str) -> (String, Masked) {
    let mut counts = Masked::default();
    let mut out = text.to_string();
    for k in KINDS.iter() {
        out = mask_kind(&out, k, &mut counts);
    }
    (out, counts)
}

/// Masks one piece of stored evidence in place (URL, body excerpt, note, header values) and
/// records and notes what was masked.
pub fn mask_evidence(e: &mut super::Evidence) -> Masked {
    let mut all = Masked::default();
    let mut one = |s: &mut String| {
        let (m, n) = mask(s);
        if !n.is_empty() {
            *s = m;
            all.add(n);
        }
    };
    one(&mut e.url);
    one(&mut e.body_excerpt);
    for (_, v) in e
        .request_headers
        .iter_mut()
        .chain(e.response_headers.iter_mut())
    {
        one(v);
    }
    if let Some(note) = e.note.as_mut() {
        one(note);
    }
    if !all.is_empty() {
        let line = format!(
            "data pribadi disamarkan / personal data masked: {}",
            all.describe()
        );
        e.note = Some(match e.note.take() {
            Some(n) => format!("{n} — {line}"),
            None => line,
        });
        e.masked = Some(all);
    }
    all
}

/// Replaces the matches of one kind that stand alone (not inside a longer run of digits).
fn mask_kind(text: &str, k: &Kind, counts: &mut Masked) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for m in k.re.find_iter(text) {
        let before = text[..m.start()].chars().next_back();
        let after = text[m.end()..].chars().next();
        let digit_run = |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit());
        if k.whole && (digit_run(before) || digit_run(after)) {
            continue;
        }
        out.push_str(&text[last..m.start()]);
        if k.whole {
            out.push_str(k.token);
        } else {
            let domain = m.as_str().rsplit_once('@').map_or("", |(_, d)| d);
            out.push_str(k.token);
            out.push('@');
            out.push_str(domain);
        }
        (k.count)(counts);
        last = m.end();
    }
    out.push_str(&text[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_tax_phone_and_email_are_masked_and_counted() {
        let page = "Nama: Siti Rahmawati NIK: 3404014506900002 NPWP 12.345.678.9-012.345 \
                    HP 0812-3456-7890 / +62 812 3456 7890, kantor (0274) 123456, \
                    surel siti.rahmawati@warga.example.go.id; NIK kedua 3404011203850001.";
        let (m, n) = mask(page);
        for secret in [
            "3404014506900002",
            "3404011203850001",
            "12.345.678.9-012.345",
            "0812-3456-7890",
            "812 3456 7890",
            "123456",
            "siti.rahmawati@",
        ] {
            assert!(!m.contains(secret), "{secret} still in: {m}");
        }
        assert_eq!(
            n,
            Masked {
                nik: 2,
                npwp: 1,
                phone: 3,
                email: 1
            },
            "{m}"
        );
        assert!(
            m.contains("NIK: [NIK]") && m.contains("[EMAIL]@warga.example.go.id"),
            "{m}"
        );
        assert!(
            m.contains("Nama: Siti Rahmawati"),
            "names are not guessed at: {m}"
        );
        assert_eq!(n.describe(), "2 NIK, 1 NPWP, 3 telp/phone, 1 e-mail");
    }

    #[test]
    fn ordinary_numbers_are_left_alone() {
        let text = "Halaman 12 dari 340, total Rp 1.250.000, tahun 2026, id pesanan 12345678901234567890, versi 10.4.32";
        let (m, n) = mask(text);
        assert_eq!(m, text);
        assert!(n.is_empty());
    }
}
