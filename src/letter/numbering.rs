//! Letter numbers from a configurable scheme, e.g. `B/800.3/{seq}/DISKOMINFO/{month-roman}/{year}`.

/// A numbering scheme is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("skema penomoran '{scheme}': {message}")]
pub struct SchemeError {
    /// The scheme.
    pub scheme: String,
    /// What is wrong and how to fix it.
    pub message: String,
}

/// A parsed numbering scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scheme {
    text: String,
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(String),
    Seq(usize),
    Month,
    MonthRoman,
    Year,
}

impl Scheme {
    /// Parses a scheme. Placeholders: `{seq}` (or `{seq:N}`, zero-padded to N digits),
    /// `{month}`, `{month-roman}`, `{year}`. `{seq}` and `{year}` are required: the sequence
    /// restarts every year, so only both together make a number unique.
    pub fn parse(text: &str) -> Result<Scheme, SchemeError> {
        let err = |message: String| SchemeError {
            scheme: text.to_string(),
            message,
        };
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                parts.push(Part::Literal(rest[..open].to_string()));
            }
            let close = rest[open..]
                .find('}')
                .ok_or_else(|| err("'{' tanpa '}' / '{' without '}'".into()))?
                + open;
            let name = &rest[open + 1..close];
            parts.push(match name {
                "seq" => Part::Seq(0),
                "month" => Part::Month,
                "month-roman" => Part::MonthRoman,
                "year" => Part::Year,
                _ => match name.strip_prefix("seq:").and_then(|w| w.parse::<usize>().ok()) {
                    Some(w) if (1..=9).contains(&w) => Part::Seq(w),
                    _ => {
                        return Err(err(format!(
                            "penanda '{{{name}}}' tidak dikenal / unknown placeholder '{{{name}}}' (gunakan / use {{seq}}, {{seq:N}}, {{month}}, {{month-roman}}, {{year}})"
                        )));
                    }
                },
            });
            rest = &rest[close + 1..];
        }
        if !rest.is_empty() {
            parts.push(Part::Literal(rest.to_string()));
        }
        if !parts.iter().any(|p| matches!(p, Part::Seq(_))) || !parts.contains(&Part::Year) {
            return Err(err(
                "harus memuat {seq} dan {year} / must contain {seq} and {year}".into(),
            ));
        }
        Ok(Scheme {
            text: text.to_string(),
            parts,
        })
    }

    /// The scheme as written (the key its sequence is counted under).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The number for sequence `seq` in `month` (1–12) of `year`.
    pub fn format(&self, seq: i64, month: u8, year: i32) -> String {
        let mut out = String::new();
        for p in &self.parts {
            match p {
                Part::Literal(s) => out.push_str(s),
                Part::Seq(w) => out.push_str(&format!("{seq:0w$}", w = *w)),
                Part::Month => out.push_str(&month.to_string()),
                Part::MonthRoman => out.push_str(roman_month(month)),
                Part::Year => out.push_str(&year.to_string()),
            }
        }
        out
    }
}

/// The month in Roman numerals, as Indonesian letter numbers write it.
pub fn roman_month(month: u8) -> &'static str {
    const R: [&str; 12] = [
        "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII",
    ];
    R.get(usize::from(month.clamp(1, 12)) - 1)
        .copied()
        .unwrap_or("I")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_follow_the_scheme() {
        let s = Scheme::parse("B/800.3/{seq}/DISKOMINFO/{month-roman}/{year}").expect("scheme");
        assert_eq!(s.format(85, 1, 2024), "B/800.3/85/DISKOMINFO/I/2024");
        assert_eq!(s.format(7, 12, 2026), "B/800.3/7/DISKOMINFO/XII/2026");
        let padded = Scheme::parse("{seq:3}/SK/{month}/{year}").expect("scheme");
        assert_eq!(padded.format(7, 9, 2026), "007/SK/9/2026");
    }

    #[test]
    fn bad_schemes_say_what_to_use() {
        for bad in [
            "B/{seq}/x",
            "B/{year}",
            "B/{seq}/{yr}",
            "B/{seq/{year}",
            "{seq:0}/{year}",
        ] {
            let e = Scheme::parse(bad).expect_err(bad).to_string();
            assert!(e.contains(bad), "{e}");
        }
        assert_eq!(roman_month(4), "IV");
        assert_eq!(roman_month(11), "XI");
    }
}
