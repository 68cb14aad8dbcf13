//! Access-control test logic, pure and without I/O.
//!
//! The I/O side (logging in as each role, crawling, replaying) lives in the main crate; this crate
//! decides what to request and how to read the answers:
//!
//! 1. [`matrix`]: the role replay matrix. Requests found by a more privileged role's crawl and not
//!    by a less privileged one are replayed as the lower role and without a session;
//!    explicitly protected paths add cases for every role they do not allow.
//! 2. [`ids`]: object identifiers (numeric, UUID, hashids-like) in URLs and JSON bodies, and the
//!    IDOR cases they yield between two users.
//! 3. [`wordlist`] and [`soft404`]: forced browsing with content validation, after learning what
//!    the site answers for paths that cannot exist.
//! 4. [`bypass`]: request variants (verbs, path normalisation, headers) that may slip past a
//!    denial, and how to judge their answers.
//!
//! Every answer is an [`Observed`] response; [`verdict::judge`] compares a replay with the
//! privileged response using [`similarity`](mod@similarity) fingerprints that ignore volatile
//! tokens (CSRF tokens, timestamps, long numbers), so incidental differences do not flip a
//! verdict.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod bypass;
pub mod entrypoints;
pub mod ids;
pub mod jsondoc;
pub mod matrix;
pub mod observed;
pub mod similarity;
pub mod soft404;
#[cfg(test)]
mod testpages;
pub mod urls;
pub mod verdict;
pub mod wordlist;

pub use bypass::{Variant, VariantKind, judge_variant, variants};
pub use ids::{IdKind, IdLocation, IdOccurrence, IdorCase, idor_candidates};
pub use matrix::{ANONYMOUS, ExpectReason, Protected, ReplayCase, Req, RoleCrawl, plan};
pub use observed::Observed;
pub use similarity::{Fingerprint, similarity};
pub use soft404::Soft404;
pub use verdict::{Judgement, Rules, Verdict, judge};
pub use wordlist::{Entry, Wordlist, WordlistError};
