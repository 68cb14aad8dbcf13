//! Field values of workflows: validation by kind, and masking of personal data.

use super::advance::AdvanceError;
use super::def::{FieldDef, FieldKind};
use std::collections::BTreeMap;

/// Checks `values` against `defs`: required ones present, each of its kind's form.
pub fn validate(defs: &[FieldDef], values: &BTreeMap<String, String>) -> Result<(), AdvanceError> {
    for def in defs {
        let value = values
            .get(&def.key)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty());
        match value {
            None if def.required => {
                return Err(invalid(
                    &def.key,
                    format!(
                        "wajib diisi ({}) / required ({})",
                        def.label.id, def.label.en
                    ),
                ));
            }
            None => {}
            Some(v) => check_kind(def, v)?,
        }
    }
    Ok(())
}

fn invalid(field: &str, message: String) -> AdvanceError {
    AdvanceError::Invalid {
        field: field.to_string(),
        message,
    }
}

fn check_kind(def: &FieldDef, v: &str) -> Result<(), AdvanceError> {
    let bad = |hint: &str| Err(invalid(&def.key, format!("'{v}': {hint}")));
    match def.kind {
        FieldKind::Text | FieldKind::List | FieldKind::User => {
            if v.len() > 2000 {
                return bad("terlalu panjang (maks. 2000) / too long (max 2000)");
            }
            Ok(())
        }
        FieldKind::Date => match parse_date(v) {
            Some(_) => Ok(()),
            None => bad("tanggal harus YYYY-MM-DD / the date must be YYYY-MM-DD"),
        },
        FieldKind::Choice if def.choices.iter().any(|c| c == v) => Ok(()),
        FieldKind::Choice => bad(&format!("pilihan / choose: {}", def.choices.join("|"))),
        FieldKind::Nik if v.len() == 16 && v.bytes().all(|b| b.is_ascii_digit()) => Ok(()),
        FieldKind::Nik => bad("NIK harus 16 angka / the NIK must be 16 digits"),
        FieldKind::Phone if is_phone(v) => Ok(()),
        FieldKind::Phone => bad(
            "nomor telepon: 8–15 angka, boleh diawali + / phone number: 8–15 digits, optionally starting with +",
        ),
    }
}

fn is_phone(v: &str) -> bool {
    let digits = v.strip_prefix('+').unwrap_or(v);
    (8..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Parses `YYYY-MM-DD`.
pub fn parse_date(v: &str) -> Option<time::Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(v, &format).ok()
}

/// A personal value as lists and documents show it: the first and last digits kept, the rest
/// hidden (`3201********0001`, `0812*****789`).
pub fn mask(kind: FieldKind, v: &str) -> String {
    let (head, tail) = match kind {
        FieldKind::Nik => (4, 4),
        FieldKind::Phone => (4, 3),
        _ => return v.to_string(),
    };
    let chars: Vec<char> = v.chars().collect();
    if chars.len() <= head + tail {
        return "*".repeat(chars.len());
    }
    let mut out: String = chars[..head].iter().collect();
    out.push_str(&"*".repeat(chars.len() - head - tail));
    out.extend(&chars[chars.len() - tail..]);
    out
}

/// The items of a list value: comma- or newline-separated, trimmed, empty ones dropped.
pub fn list(v: &str) -> Vec<String> {
    v.split([',', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Text;

    fn def(key: &str, kind: FieldKind, required: bool) -> FieldDef {
        FieldDef {
            key: key.into(),
            label: Text::new(key, key),
            kind,
            required,
            choices: if kind == FieldKind::Choice {
                vec!["read".into(), "write".into()]
            } else {
                vec![]
            },
        }
    }

    fn values(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn each_kind_accepts_its_form_and_names_what_is_wrong() {
        let defs = [
            def("nik", FieldKind::Nik, true),
            def("hp", FieldKind::Phone, false),
            def("level", FieldKind::Choice, true),
            def("sampai", FieldKind::Date, false),
        ];
        let ok = values(&[
            ("nik", "3201234567890001"),
            ("hp", "+6281234567890"),
            ("level", "read"),
            ("sampai", "2027-06-30"),
        ]);
        assert!(validate(&defs, &ok).is_ok());
        for (key, bad) in [
            ("nik", "32012345"),
            ("hp", "08-12"),
            ("level", "root"),
            ("sampai", "2027-13-01"),
        ] {
            let mut v = ok.clone();
            v.insert(key.into(), bad.into());
            let e = validate(&defs, &v).expect_err(key).to_string();
            assert!(e.starts_with(key) && e.contains(bad), "{e}");
        }
        let mut v = ok.clone();
        v.remove("nik");
        assert!(
            validate(&defs, &v)
                .expect_err("required")
                .to_string()
                .contains("required")
        );
        v = ok;
        v.remove("hp");
        assert!(validate(&defs, &v).is_ok(), "optional fields may be absent");
    }

    #[test]
    fn masks_keep_only_the_ends() {
        assert_eq!(mask(FieldKind::Nik, "3201234567890001"), "3201********0001");
        assert_eq!(mask(FieldKind::Phone, "081234567890"), "0812*****890");
        assert_eq!(mask(FieldKind::Phone, "0812"), "****");
        assert_eq!(mask(FieldKind::Text, "Budi"), "Budi");
        assert_eq!(list(" SN1, SN2,\nSN3 ,,"), ["SN1", "SN2", "SN3"]);
    }
}
