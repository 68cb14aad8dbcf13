//! Hostile and edge-case input never panics; the JSON field names and the SVG chart are stable.

use kawal_entropy::{Error, Options, Token, Verdict, analyse, chart_svg};

mod common;
use common::{hex, toks, urandom};

#[test]
fn empty_inputs_are_errors() {
    let o = Options::default();
    assert_eq!(analyse(&[], &o).err(), Some(Error::EmptySample));
    let blanks = toks(["".to_string(), "   ".to_string(), "\"\"".to_string()]);
    assert_eq!(analyse(&blanks, &o).err(), Some(Error::EmptySample));
}

#[test]
fn ten_kilobyte_tokens_are_rejected() {
    let big = toks((0..3).map(|_| "A".repeat(10 * 1024)));
    assert!(matches!(
        analyse(&big, &Options::default()),
        Err(Error::TokenTooLong {
            index: 0,
            len: 10_240,
            limit: 4096
        })
    ));
}

#[test]
fn long_but_allowed_tokens_work() {
    // 4,000-character tokens at the limit: slow paths stay bounded and nothing panics.
    let t = toks(urandom(40 * 2000).chunks(2000).map(hex));
    let a = analyse(&t, &Options::default()).expect("analysable");
    assert_eq!(a.verdict, Verdict::Inconclusive);
}

#[test]
fn non_ascii_is_an_error() {
    let t = toks(["abcdef".to_string(), "abcdéf".to_string()]);
    assert_eq!(
        analyse(&t, &Options::default()).err(),
        Some(Error::NonAscii { index: 1 })
    );
    let t = toks(["abc\u{0}def".to_string()]);
    assert!(analyse(&t, &Options::default()).is_err());
}

#[test]
fn unalignable_lengths_are_an_error() {
    let t = toks((0..200).map(|i| "x".repeat(1 + i % 40) + "-!"));
    assert!(matches!(
        analyse(&t, &Options::default()),
        Err(Error::CannotAlign(_))
    ));
}

#[test]
fn stray_lengths_are_excluded_and_reported() {
    let mut v: Vec<String> = urandom(1_900 * 16).chunks(16).map(hex).collect();
    v.extend((0..100).map(|i| format!("error-page-{i}")));
    let a = analyse(&toks(v), &Options::default()).expect("analysable");
    assert_eq!(a.sample_size, 1_900);
    assert_eq!(a.excluded_tokens, 100);
    assert!(a.reasons.iter().any(|r| r.code == "mixed_lengths"));
}

#[test]
fn bad_significance_is_an_error() {
    let t = toks(["ab".to_string()]);
    for s in [0.0, -1.0, 0.5, f64::NAN] {
        let o = Options {
            significance: s,
            ..Options::default()
        };
        assert!(matches!(analyse(&t, &o), Err(Error::BadSignificance(_))));
    }
}

#[test]
fn degenerate_samples_do_not_panic() {
    let o = Options::default();
    // One token, identical tokens, two symbols, all printable characters.
    let one = analyse(&toks(["deadbeef".to_string()]), &o).expect("ok");
    assert_eq!(one.verdict, Verdict::Inconclusive);
    let same = analyse(&toks((0..300).map(|_| "abcdef0123".to_string())), &o).expect("ok");
    assert_eq!(same.verdict, Verdict::Fail);
    assert_eq!(same.capacity_bits, 0.0);
    assert!(chart_svg(&same).ends_with("</svg>"));
    let two = analyse(
        &toks((0..300).map(|i| if i % 2 == 0 { "a" } else { "b" }.to_string())),
        &o,
    )
    .expect("ok");
    assert_eq!(two.verdict, Verdict::Fail);
    let printable = urandom(500 * 24);
    let t = toks(
        printable
            .chunks(24)
            .map(|c| c.iter().map(|&b| (0x21 + b % 94) as char).collect()),
    );
    let a = analyse(&t, &o).expect("ok");
    assert!(a.capacity_bits > 64.0);
}

#[test]
fn random_garbage_never_panics() {
    let o = Options::default();
    for round in 0..30 {
        let r = urandom(4_000);
        let n = 1 + (r[0] as usize % 150);
        let t: Vec<Token> = (0..n)
            .map(|i| {
                let len = (r[(i * 7 + 1) % r.len()] % 48) as usize;
                let s: String = (0..len)
                    .map(|j| {
                        let b = r[(i * 31 + j * 13 + round) % r.len()];
                        // Mostly printable, sometimes a dot or a dash to trigger the unwrappers.
                        match b % 11 {
                            0 => '.',
                            1 => '-',
                            _ => (0x21 + b % 94) as char,
                        }
                    })
                    .collect();
                Token {
                    value: s,
                    captured_at_ms: (i % 3 == 0).then_some(i as i64 * 1_000),
                    date_header_s: (i % 5 == 0).then_some(i64::MAX),
                }
            })
            .collect();
        if let Ok(a) = analyse(&t, &o) {
            let _ = chart_svg(&a);
        }
    }
}

#[test]
fn json_field_names_are_stable_snake_case() {
    let t = toks(urandom(300 * 16).chunks(16).map(hex));
    let a = analyse(&t, &Options::default()).expect("ok");
    let v = serde_json::to_value(&a).expect("serialisable");
    for key in [
        "verdict",
        "reasons",
        "format",
        "sample_size",
        "excluded_tokens",
        "capacity_bits",
        "min_entropy_bits",
        "effective_bits",
        "significance",
        "meets_asvs_4_0_3",
        "meets_asvs_5_0",
        "positions",
        "bits",
        "correlations",
        "duplicates",
        "sequence",
        "construction",
        "min_entropy",
        "test_families",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert_eq!(v["format"]["encoding"], "hex");
    assert_eq!(v["format"]["kind"], "opaque");
    assert!(
        ["pass", "meets_asvs4_only", "fail", "inconclusive"]
            .contains(&v["verdict"].as_str().unwrap_or(""))
    );
    let r = &v["reasons"][0];
    for key in ["code", "severity", "message_en", "message_id"] {
        assert!(r.get(key).is_some(), "reason missing {key}");
    }
    let p = &v["positions"][0];
    for key in [
        "char_index",
        "alphabet_size",
        "capacity_bits",
        "char_count",
        "transition",
        "effective_bits",
        "min_entropy",
    ] {
        assert!(p.get(key).is_some(), "position missing {key}");
    }
}

#[test]
fn chart_is_a_standalone_svg_with_one_bar_per_position_and_one_cell_per_bit() {
    let t = toks(urandom(1_000 * 8).chunks(8).map(hex));
    let a = analyse(&t, &Options::default()).expect("ok");
    let svg = chart_svg(&a);
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.ends_with("</svg>"));
    assert_eq!(svg.matches("<title>position").count(), 2 * 16 + 64);
    // Text is escaped: no raw ampersands or stray angle brackets inside text.
    assert!(!svg.contains("& "));
    assert_eq!(svg.matches('<').count(), svg.matches('>').count());
}

#[test]
fn absurd_capture_times_do_not_panic() {
    let t: Vec<Token> = urandom(300 * 16)
        .chunks(16)
        .enumerate()
        .map(|(i, c)| Token {
            value: hex(c),
            captured_at_ms: Some(if i % 2 == 0 { i64::MIN } else { i64::MAX }),
            date_header_s: Some(i64::MIN),
        })
        .collect();
    assert!(analyse(&t, &Options::default()).is_ok());
}

#[test]
fn significance_is_configurable_and_split_family_wise() {
    let t = toks(urandom(2_000 * 16).chunks(16).map(hex));
    for sig in [0.01, 0.05] {
        let o = Options {
            significance: sig,
            ..Options::default()
        };
        let a = analyse(&t, &o).expect("ok");
        let fams = a.test_families.len() as f64;
        for f in &a.test_families {
            // Bonferroni: the per-test thresholds of all tests add up to the significance level.
            let expect = sig / fams / f.tests as f64;
            assert!((f.threshold - expect).abs() < 1e-15, "{}", f.name);
        }
        let total: f64 = a
            .test_families
            .iter()
            .map(|f| f.threshold * f.tests as f64)
            .sum();
        assert!((total - sig).abs() < 1e-12);
    }
}

#[test]
fn errors_have_indonesian_messages() {
    for e in [
        Error::EmptySample,
        Error::BadSignificance(0.7),
        Error::TokenTooLong {
            index: 1,
            len: 9,
            limit: 4,
        },
        Error::NonAscii { index: 2 },
        Error::CannotAlign("x".into()),
    ] {
        assert!(!e.to_string().is_empty());
        assert!(
            e.message_id().starts_with("Sampel")
                || e.message_id().starts_with("Taraf")
                || e.message_id().starts_with("Token")
        );
    }
}
