//! Error-leakage signatures: loaded from `checklists/signatures/errors.toml` and compiled once.

use crate::i18n::Text;
// Bytes regexes without Unicode classes: bodies need not be UTF-8, and ASCII-only classes keep
// the lazy DFA small enough to stay fast with every signature in one set.
use regex::bytes::{Regex, RegexSet, RegexSetBuilder};
use serde::Deserialize;
use std::sync::OnceLock;

/// The signature file shipped with the binary.
pub const BUILTIN: &str = include_str!("../../../checklists/signatures/errors.toml");

/// Where in a response a signature is looked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Where {
    /// The response body.
    #[default]
    Body,
    /// The response headers, as `name: value` lines with lowercase names.
    Headers,
    /// Both.
    Any,
}

/// An extra test a regex match must pass, for patterns a regex alone cannot pin down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Validate {
    /// Every octet at most 255 and the address not part of a longer dotted number.
    Ipv4,
    /// Not part of a URL, a host name or an HTML link attribute.
    FsPath,
}

/// One signature as written in the data file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signature {
    /// Stable id, e.g. `python.traceback`.
    pub id: String,
    /// Stack or product, e.g. `python`, `mysql`, `nginx`.
    pub family: String,
    /// Checklist item the signature fails.
    pub item: String,
    /// Regular expression.
    pub pattern: String,
    /// Where to look.
    #[serde(default, rename = "where")]
    pub location: Where,
    /// Extra test on each match.
    #[serde(default)]
    pub validate: Option<Validate>,
    /// Short bilingual description.
    pub description: Text,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignatureFile {
    signature: Vec<Signature>,
}

/// A signature file could not be used.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SignatureError {
    /// TOML syntax or shape.
    #[error("checklists/signatures/errors.toml: {0}")]
    Parse(String),
    /// A pattern does not compile.
    #[error("checklists/signatures/errors.toml: signature '{id}': {message}")]
    Pattern {
        /// Signature id.
        id: String,
        /// Compiler message.
        message: String,
    },
    /// A signature names an item the check does not decide, or an id repeats.
    #[error("checklists/signatures/errors.toml: signature '{id}': {message}")]
    Invalid {
        /// Signature id.
        id: String,
        /// What is wrong.
        message: String,
    },
}

/// Compiled signatures: one `RegexSet` per location for a single pass, plus each regex for excerpts.
#[derive(Debug)]
pub struct Signatures {
    list: Vec<Signature>,
    regexes: Vec<Regex>,
    body_set: RegexSet,
    body_index: Vec<usize>,
    header_set: RegexSet,
    header_index: Vec<usize>,
}

impl Signatures {
    /// Parses and compiles signature data; `items` are the checklist items signatures may name.
    pub fn parse(text: &str, items: &[&str]) -> Result<Signatures, SignatureError> {
        let file: SignatureFile =
            toml::from_str(text).map_err(|e| SignatureError::Parse(e.to_string()))?;
        let mut regexes = Vec::with_capacity(file.signature.len());
        for (i, s) in file.signature.iter().enumerate() {
            if !items.contains(&s.item.as_str()) {
                return Err(SignatureError::Invalid {
                    id: s.id.clone(),
                    message: format!("unknown item '{}'", s.item),
                });
            }
            if file.signature[..i].iter().any(|o| o.id == s.id) {
                return Err(SignatureError::Invalid {
                    id: s.id.clone(),
                    message: "duplicate id".into(),
                });
            }
            let re = build(&s.pattern).map_err(|message| SignatureError::Pattern {
                id: s.id.clone(),
                message,
            })?;
            regexes.push(re);
        }
        let pick = |w: Where| -> Vec<usize> {
            file.signature
                .iter()
                .enumerate()
                .filter(|(_, s)| s.location == w || s.location == Where::Any)
                .map(|(i, _)| i)
                .collect()
        };
        let body_index = pick(Where::Body);
        let header_index = pick(Where::Headers);
        let set = |idx: &[usize]| {
            RegexSetBuilder::new(idx.iter().map(|&i| &file.signature[i].pattern))
                .unicode(false)
                .size_limit(64 << 20)
                .dfa_size_limit(16 << 20)
                .build()
                .map_err(|e| SignatureError::Pattern {
                    id: "(set)".into(),
                    message: e.to_string(),
                })
        };
        Ok(Signatures {
            body_set: set(&body_index)?,
            header_set: set(&header_index)?,
            body_index,
            header_index,
            regexes,
            list: file.signature,
        })
    }

    /// The signatures shipped with the binary (parsed once).
    pub fn builtin() -> Result<&'static Signatures, SignatureError> {
        static S: OnceLock<Result<Signatures, SignatureError>> = OnceLock::new();
        S.get_or_init(|| Signatures::parse(BUILTIN, super::ITEMS))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Every signature, in file order.
    pub fn list(&self) -> &[Signature] {
        &self.list
    }

    /// Indexes of body signatures whose regex matches `body` (before validation).
    pub(super) fn body_candidates(&self, body: &[u8]) -> Vec<usize> {
        self.body_set
            .matches(body)
            .into_iter()
            .map(|i| self.body_index[i])
            .collect()
    }

    /// Indexes of header signatures whose regex matches `headers` (before validation).
    pub(super) fn header_candidates(&self, headers: &[u8]) -> Vec<usize> {
        self.header_set
            .matches(headers)
            .into_iter()
            .map(|i| self.header_index[i])
            .collect()
    }

    /// The compiled regex of signature `i`.
    pub(super) fn regex(&self, i: usize) -> &Regex {
        &self.regexes[i]
    }
}

fn build(pattern: &str) -> Result<Regex, String> {
    regex::bytes::RegexBuilder::new(pattern)
        .unicode(false)
        .size_limit(8 << 20)
        .build()
        .map_err(|e| e.to_string())
}
