//! Session-token randomness analysis: structure decoding, Burp-Sequencer-style character and
//! bit tests, NIST SP 800-90B min-entropy estimators, sequence and construction checks, and a
//! verdict against ASVS 4.0.3 V3.2.2 (64 bits) and ASVS 5.0 V7.2.3 (128 bits). Pure, no I/O.
//!
//! Method, in order:
//! 1. [`decode`]: unwrap JWT (signature only), connect.sid (id only), Laravel (ciphertext),
//!    jvmRoute suffixes and UUIDs; align lengths; drop constant positions and constant bits
//!    (format, not entropy); pick the alphabet. Capacity = sum of log2(alphabet) over what varies.
//! 2. [`charlevel`] and [`bitlevel`]: Sequencer's character count and transition tests, and the
//!    FIPS 140-2 bit tests rescaled to the sample size, plus correlation between bit positions.
//!    Non-power-of-two alphabets keep only values below the largest power of two for bit tests,
//!    so a uniform 62- or 36-symbol alphabet is not penalised.
//! 3. [`nist90b`]: per-position min-entropy (IID track = MCV when the position passed its tests,
//!    otherwise the minimum of all six estimators), summed, minus correlated bits.
//! 4. [`sequence`] and [`construction`]: counters, timestamps, affine and LCG sequences,
//!    monotonicity, time correlation, java.util.Random, MT19937 in the word orders of Python,
//!    PHP and Ruby, md5/sha1/sha256 of counters below 10^7 and of times near the capture time or
//!    `Date` header, PHP uniqid, time- and name-based UUIDs, and duplicates (birthday bound).
//!    Recovered constructions carry their parameters and the next token they predict.
//! 5. [`verdict`]: Pass needs capacity >= 128 bits and no rejected test at the family-wise level
//!    (Bonferroni over test families and within each family); the min-entropy bound is reported
//!    beside it but is not the pass line.
//!
//! Limits: a hashed or PRNG-whitened low-entropy source is indistinguishable from random by
//! statistics; the construction checks cover only the listed constructions.

#![warn(missing_docs)]

pub mod bitlevel;
pub mod charlevel;
pub mod chart;
pub mod construction;
pub mod decode;
pub mod nist90b;
pub mod sequence;
pub mod stats;
pub mod verdict;

use serde::Serialize;

pub use chart::chart_svg;
pub use decode::{DetectedFormat, Encoding, FormatKind};
pub use verdict::analyse;

/// One captured token, in capture order, with optional timing evidence.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Token {
    /// The token exactly as captured (cookie value, header or field).
    pub value: String,
    /// Capture time in milliseconds since the Unix epoch, if known.
    pub captured_at_ms: Option<i64>,
    /// The response `Date` header in seconds since the Unix epoch, if known.
    pub date_header_s: Option<i64>,
}

impl Token {
    /// A token with no timing information.
    pub fn new(value: impl Into<String>) -> Self {
        Token {
            value: value.into(),
            captured_at_ms: None,
            date_header_s: None,
        }
    }
}

/// Analysis options.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Options {
    /// Family-wise significance level (default 0.01, as Burp Sequencer's headline figure): the
    /// chance that a perfect generator fails any test is at most this (Bonferroni over families).
    pub significance: f64,
    /// Below this many tokens no statistical verdict is given (structural hits still fail).
    pub min_samples: usize,
    /// A Pass or MeetsAsvs4Only verdict needs at least this many tokens.
    pub min_samples_for_pass: usize,
    /// Tokens longer than this many bytes are rejected with an error.
    pub max_token_len: usize,
    /// Cookie or field name, used only to label known framework formats.
    pub cookie_name: Option<String>,
    /// Run the construction checks (PRNG state recovery, hash of counter/time).
    pub construction_checks: bool,
    /// Hashes of counters are searched for start values from 0 up to this limit.
    pub counter_search_limit: u64,
    /// Hashes of timestamps are searched this many seconds either side of each token's capture
    /// time and `Date` header.
    pub time_window_s: u32,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            significance: 0.01,
            min_samples: 100,
            min_samples_for_pass: 1000,
            max_token_len: 4096,
            cookie_name: None,
            construction_checks: true,
            counter_search_limit: 10_000_000,
            time_window_s: 3,
        }
    }
}

/// Why a sample could not be analysed at all.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// No tokens were supplied, or all were empty.
    #[error("the sample is empty: no non-empty tokens were supplied")]
    EmptySample,
    /// Significance outside (0, 0.5).
    #[error("significance level {0} is outside (0, 0.5)")]
    BadSignificance(f64),
    /// A token exceeds `Options::max_token_len`.
    #[error("token {index} is {len} bytes long, above the limit of {limit}")]
    TokenTooLong {
        /// Index of the offending token.
        index: usize,
        /// Its length in bytes.
        len: usize,
        /// The configured limit.
        limit: usize,
    },
    /// A token contains characters outside printable ASCII.
    #[error(
        "token {index} contains characters outside printable ASCII (space, control or non-ASCII)"
    )]
    NonAscii {
        /// Index of the offending token.
        index: usize,
    },
    /// Tokens have different shapes and no common layout covers most of them.
    #[error("tokens cannot be aligned: {0}")]
    CannotAlign(String),
}

impl Error {
    /// The error message in Indonesian (the product's default language).
    pub fn message_id(&self) -> String {
        match self {
            Error::EmptySample => "Sampel kosong: tidak ada token yang berisi.".to_string(),
            Error::BadSignificance(s) => {
                format!("Taraf signifikansi {s} berada di luar rentang (0; 0,5).")
            }
            Error::TokenTooLong { index, len, limit } => {
                format!("Token ke-{index} panjangnya {len} bita, melebihi batas {limit} bita.")
            }
            Error::NonAscii { index } => format!(
                "Token ke-{index} memuat karakter di luar ASCII yang dapat dicetak (spasi, karakter kendali, atau non-ASCII)."
            ),
            Error::CannotAlign(why) => {
                format!("Token tidak dapat disejajarkan karena bentuknya berbeda-beda ({why}).")
            }
        }
    }
}

/// Overall verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Consistent with at least 128 bits: meets ASVS 5.0 V7.2.3 and ASVS 4.0.3 V3.2.2.
    Pass,
    /// At least 64 bits survive the tests but not 128: meets ASVS 4.0.3 V3.2.2 only.
    MeetsAsvs4Only,
    /// Fewer than 64 bits survive, or a structural weakness was found.
    Fail,
    /// The sample cannot decide (too small, or entropy analysis does not apply).
    Inconclusive,
}

/// How much a reason weighs in the verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Decides a Fail on its own.
    Fail,
    /// Lowers the verdict or the surviving bits.
    Warning,
    /// Context for the reader.
    Info,
}

/// Every reason code the analyser can emit (stable; part of the JSON output contract).
pub const REASON_CODES: &[&str] = &[
    // Structural findings (decisive when they cover the whole token).
    "counter",
    "timestamp",
    "time_correlated",
    "affine_sequence",
    "lcg",
    "monotonic",
    "duplicate_tokens",
    "java_util_random",
    "mt19937",
    "md5_of_counter",
    "sha1_of_counter",
    "sha256_of_counter",
    "md5_of_timestamp",
    "sha1_of_timestamp",
    "sha256_of_timestamp",
    "php_uniqid",
    "uuid_v1",
    "uuid_name_based",
    "jwt_alg_none",
    // Capacity and statistical findings.
    "low_capacity",
    "low_effective_entropy",
    "position_bias",
    "transition_dependence",
    "bit_bias",
    "bit_correlation",
    "below_128_bits",
    // Format and sample context.
    "jwt_session_token",
    "encrypted_cookie",
    "uuid_v4",
    "sample_too_small",
    "limited_reliability",
    "hashed_source_caveat",
    "time_hash_sampled",
    "estimators_subsampled",
    "padded",
    "mixed_lengths",
];

/// One finding, with a stable machine code and messages in English and Indonesian.
#[derive(Debug, Clone, Serialize)]
pub struct Reason {
    /// Stable machine code, e.g. `counter`, `mt19937`, `position_bias`.
    pub code: String,
    /// Weight of the finding.
    pub severity: Severity,
    /// English message.
    pub message_en: String,
    /// Indonesian message (the product's default language).
    pub message_id: String,
}

impl Reason {
    pub(crate) fn new(code: &str, severity: Severity, en: String, id: String) -> Self {
        Reason {
            code: code.to_string(),
            severity,
            message_en: en,
            message_id: id,
        }
    }
}

/// One statistical test outcome.
#[derive(Debug, Clone, Serialize)]
pub struct TestResult {
    /// Test name, e.g. `chi_square`, `monobit`.
    pub name: String,
    /// Test statistic.
    pub statistic: f64,
    /// Degrees of freedom where meaningful.
    pub df: Option<f64>,
    /// p-value under the uniform, independent null hypothesis.
    pub p_value: f64,
    /// Per-test rejection threshold after the family-wise correction.
    pub threshold: f64,
    /// Whether the null was rejected.
    pub rejected: bool,
}

/// NIST SP 800-90B estimates for one position, in bits per symbol.
#[derive(Debug, Clone, Serialize, Default)]
pub struct MinEntropyEstimates {
    /// 6.3.1 most common value.
    pub mcv: f64,
    /// 6.3.2 collision (on the position's bitstring, scaled to the symbol).
    pub collision: Option<f64>,
    /// 6.3.3 Markov (bitstring, scaled).
    pub markov: Option<f64>,
    /// 6.3.4 compression (bitstring, scaled).
    pub compression: Option<f64>,
    /// 6.3.5 t-tuple.
    pub t_tuple: Option<f64>,
    /// 6.3.6 longest repeated substring.
    pub lrs: Option<f64>,
    /// The bound used: MCV when the position passed the independence tests (IID track), else the minimum.
    pub assessed: f64,
    /// Whether the IID track was used.
    pub iid_track: bool,
}

/// Results for one analysed character position.
#[derive(Debug, Clone, Serialize)]
pub struct PositionResult {
    /// Index of the character in the analysed (unwrapped) token string.
    pub char_index: usize,
    /// Number of symbols this position can take (variable bits only for power-of-two alphabets).
    pub alphabet_size: u32,
    /// Distinct symbols observed.
    pub distinct_seen: u32,
    /// log2(alphabet_size): the "looks random" capacity of this position.
    pub capacity_bits: f64,
    /// Character count (uniformity) test, when the sample is large enough.
    pub char_count: Option<TestResult>,
    /// Transition test between successive tokens, when the sample is large enough.
    pub transition: Option<TestResult>,
    /// Bits counted for this position after all tests (Burp-style effective entropy).
    pub effective_bits: f64,
    /// SP 800-90B estimates.
    pub min_entropy: MinEntropyEstimates,
}

/// Results for one bit column (one bit of one position, across the sample).
#[derive(Debug, Clone, Serialize)]
pub struct BitResult {
    /// Index into `positions`.
    pub position: usize,
    /// Bit index within the position's symbol (0 = most significant).
    pub bit: u32,
    /// Samples the column was built from.
    pub samples: usize,
    /// Fraction of ones.
    pub ones_fraction: f64,
    /// Per-test results (monobit, poker, runs, run_lengths, long_run).
    pub tests: Vec<TestResult>,
    /// Compression ratio of the column (LZ78 phrase coding; informational, < 1 means compressible).
    pub compression_ratio: f64,
    /// Smallest p-value over the tests.
    pub min_p: f64,
    /// Whether this bit survives the tests and the correlation mark-down.
    pub passed: bool,
}

/// A significantly correlated pair of bit columns.
#[derive(Debug, Clone, Serialize)]
pub struct CorrelatedPair {
    /// Index into `bits` of the first column.
    pub bit_a: usize,
    /// Index into `bits` of the second column.
    pub bit_b: usize,
    /// Phi (Pearson) correlation coefficient.
    pub correlation: f64,
    /// p-value.
    pub p_value: f64,
    /// Estimated mutual information in bits, subtracted from the min-entropy bound.
    pub mutual_information_bits: f64,
}

/// Whole-token duplicate (birthday) test.
#[derive(Debug, Clone, Serialize)]
pub struct DuplicateResult {
    /// Distinct tokens.
    pub distinct: usize,
    /// Pairs of equal tokens.
    pub duplicate_pairs: u64,
    /// Pairs expected from a uniform source of `capacity_bits`.
    pub expected_pairs: f64,
    /// Poisson p-value of seeing at least this many pairs.
    pub p_value: f64,
    /// Collision-entropy estimate log2(pairs / duplicates), when duplicates exist.
    pub collision_entropy_bits: Option<f64>,
}

/// The most common difference between successive tokens' numeric values.
#[derive(Debug, Clone, Serialize)]
pub struct CommonDelta {
    /// The delta, in decimal (a string: it may exceed the exact range of JSON numbers).
    pub delta: String,
    /// Its share of all successive pairs.
    pub share: f64,
}

/// Sequence (whole-token numeric) analysis.
#[derive(Debug, Clone, Serialize, Default)]
pub struct SequenceResult {
    /// Fraction of successive numeric deltas that are small (within 1/64 of the value range).
    pub small_delta_fraction: f64,
    /// Most common non-zero delta between successive tokens.
    pub most_common_delta: Option<CommonDelta>,
    /// Timestamp unit matched, if any (`s`, `ms`, `us`, `ns`) and whether in the prefix.
    pub timestamp_unit: Option<String>,
    /// Ascents test (monotonicity).
    pub monotonicity: Option<TestResult>,
    /// Correlation with capture time or the `Date` header.
    pub time_correlation: Option<TestResult>,
}

/// A construction the statistics cannot see, recognised directly.
#[derive(Debug, Clone, Serialize)]
pub struct ConstructionHit {
    /// Stable code, e.g. `java_util_random`.
    pub code: String,
    /// The recovered construction in technical notation, e.g. `md5(decimal counter) as hex`.
    pub construction: String,
    /// Evidence in English (which tokens, which values, the predicted next token).
    pub evidence: String,
    /// Evidence in Indonesian.
    pub evidence_id: String,
    /// Recovered parameters by name (start value, step, clock unit, generator window, ...).
    pub recovered: std::collections::BTreeMap<String, String>,
    /// The next token as the recovered construction predicts it, encoded like the sample.
    pub predicted_next: Option<String>,
    /// How many observed tokens the recovered construction reproduced.
    pub verified: Option<Verification>,
}

/// Tokens reproduced by a recovered construction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// Tokens reproduced exactly.
    pub matched: usize,
    /// Tokens compared.
    pub checked: usize,
}

/// Family-wise error control used for the tests.
#[derive(Debug, Clone, Serialize)]
pub struct TestFamily {
    /// Family name.
    pub name: String,
    /// Number of tests in the family.
    pub tests: usize,
    /// Per-test threshold (alpha / families / tests: Bonferroni).
    pub threshold: f64,
    /// Number of rejections.
    pub rejections: usize,
}

/// Min-entropy detail for the whole token.
#[derive(Debug, Clone, Serialize, Default)]
pub struct MinEntropySummary {
    /// Sum of per-position MCV bounds.
    pub mcv_sum_bits: f64,
    /// Sum of the per-position minimum over all estimators (the SP 800-90B non-IID track).
    pub non_iid_sum_bits: f64,
    /// Sum of the assessed per-position bounds (IID track where the tests allowed it).
    pub assessed_sum_bits: f64,
    /// Bits subtracted for correlation between bit positions.
    pub correlated_bits: f64,
    /// Cap from the collision count, if duplicates exist.
    pub duplicate_cap_bits: Option<f64>,
    /// When set, the estimators other than MCV ran on only this many (leading) tokens to bound the work.
    pub subsample: Option<usize>,
}

/// The full analysis result.
#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    /// The verdict.
    pub verdict: Verdict,
    /// Findings, most important first.
    pub reasons: Vec<Reason>,
    /// Decoded structure.
    pub format: DetectedFormat,
    /// Tokens analysed.
    pub sample_size: usize,
    /// Tokens supplied but left out (empty, or not of the dominant layout).
    pub excluded_tokens: usize,
    /// "Looks random" capacity: sum of log2(alphabet) over variable positions. An upper bound only.
    pub capacity_bits: f64,
    /// Conservative per-token min-entropy (SP 800-90B bounds summed, minus correlated bits).
    pub min_entropy_bits: f64,
    /// Bits that survive all tests (Burp Sequencer's effective entropy at `significance`).
    pub effective_bits: f64,
    /// Family-wise significance level used.
    pub significance: f64,
    /// Whether ASVS 4.0.3 V3.2.2 (>= 64 bits) is met.
    pub meets_asvs_4_0_3: bool,
    /// Whether ASVS 5.0 V7.2.3 (>= 128 bits) is met.
    pub meets_asvs_5_0: bool,
    /// Per-position results.
    pub positions: Vec<PositionResult>,
    /// Per-bit results.
    pub bits: Vec<BitResult>,
    /// Significantly correlated bit pairs.
    pub correlations: Vec<CorrelatedPair>,
    /// Duplicate test.
    pub duplicates: DuplicateResult,
    /// Sequence analysis.
    pub sequence: SequenceResult,
    /// Construction hits.
    pub construction: Vec<ConstructionHit>,
    /// Min-entropy detail.
    pub min_entropy: MinEntropySummary,
    /// Test families and their thresholds.
    pub test_families: Vec<TestFamily>,
}
