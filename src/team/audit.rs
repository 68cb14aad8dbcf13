//! The audit trail's hash chain (pure): canonical content, entry hashes and verification.
//!
//! Each entry carries SHA-256 over the previous entry's hash and its own canonical content, so
//! an edited, removed or reordered entry breaks the chain at a point `verify` can name. The
//! sequence number is not hashed: the chain, not the numbering, fixes the order.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The hash that precedes the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An entry's time as recorded: RFC 3339, UTC, whole seconds.
pub fn timestamp(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    t.replace_nanosecond(0)
        .unwrap_or(t)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// What an audit entry records (everything but its position and hashes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Content {
    /// When, RFC 3339 UTC with whole seconds.
    pub at: String,
    /// Who: the account name, or `system`.
    pub actor: String,
    /// Client address, if the action came over the network.
    pub client: Option<String>,
    /// What happened, e.g. `login.failed`, `app.edit`.
    pub action: String,
    /// Kind of object, e.g. `application`.
    pub object_kind: Option<String>,
    /// The object's id or name.
    pub object_id: Option<String>,
    /// Agency of the object, if it has one.
    pub agency: Option<String>,
    /// Values before the change (JSON), if any.
    pub before: Option<serde_json::Value>,
    /// Values after the change (JSON), if any.
    pub after: Option<serde_json::Value>,
}

impl Content {
    /// The canonical bytes: JSON with the fields in a fixed order and object keys sorted.
    pub fn canonical(&self) -> String {
        // serde_json's Map is a BTreeMap here (no preserve_order feature), so nested object
        // keys serialise sorted; the struct's field order is fixed by its definition.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// The hash of an entry with `content` following `prev`.
pub fn entry_hash(prev: &str, content: &Content) -> String {
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update(b"\n");
    h.update(content.canonical().as_bytes());
    crate::model::hex(&h.finalize())
}

/// A stored entry as read back for verification.
#[derive(Debug, Clone, PartialEq)]
pub struct Stored {
    /// Sequence number (position as stored).
    pub seq: i64,
    /// Stored previous hash.
    pub prev_hash: String,
    /// Stored hash.
    pub hash: String,
    /// Stored content.
    pub content: Content,
}

/// Where a chain first breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Break {
    /// The entry's content or hash was changed after it was written.
    Altered {
        /// Sequence number of the entry.
        seq: i64,
    },
    /// One or more entries before this one are missing.
    Removed {
        /// The entry whose predecessor is gone.
        seq: i64,
    },
    /// The entry stands out of its written order.
    Reordered {
        /// The first entry found out of place.
        seq: i64,
    },
}

impl Break {
    /// A sentence in Indonesian and English.
    pub fn describe(&self) -> String {
        match self {
            Break::Altered { seq } => format!(
                "entri #{seq} telah diubah setelah ditulis / entry #{seq} was altered after it was written"
            ),
            Break::Removed { seq } => {
                format!("entri sebelum #{seq} telah dihapus / an entry before #{seq} was removed")
            }
            Break::Reordered { seq } => format!(
                "entri #{seq} tidak pada urutan aslinya / entry #{seq} is out of its original order"
            ),
        }
    }
}

/// A link that broke, settled once the walk has seen what follows it.
struct Pending {
    seq: i64,
    wanted: u64,
    gap: bool,
    prev_seq: Option<i64>,
}

/// Walks entries in stored order. Memory is one small key per entry seen, which tells a
/// reordering (the missing link appears elsewhere) from a removal or a rewrite.
pub struct Verifier {
    prev: String,
    prev_seq: Option<i64>,
    seen: std::collections::HashSet<u64>,
    pending: Option<Pending>,
    count: u64,
    result: Option<Break>,
}

impl Default for Verifier {
    fn default() -> Self {
        Verifier {
            prev: GENESIS.into(),
            prev_seq: None,
            seen: Default::default(),
            pending: None,
            count: 0,
            result: None,
        }
    }
}

/// A short key of a hex hash; collisions only blur reordered vs removed, never hide a break.
fn key(hash: &str) -> u64 {
    u64::from_str_radix(hash.get(..16).unwrap_or(hash), 16).unwrap_or(u64::MAX)
}

impl Verifier {
    /// Feeds the next entry in stored order.
    pub fn push(&mut self, e: &Stored) {
        self.count += 1;
        if self.result.is_some() {
            return;
        }
        if let Some(p) = &self.pending {
            if key(&e.hash) == p.wanted {
                self.result = Some(Break::Reordered { seq: p.seq });
            }
            return;
        }
        if entry_hash(&e.prev_hash, &e.content) != e.hash {
            self.result = Some(Break::Altered { seq: e.seq });
            return;
        }
        if e.prev_hash != self.prev {
            if self.seen.contains(&key(&e.prev_hash)) {
                self.result = Some(Break::Reordered { seq: e.seq });
            } else {
                self.pending = Some(Pending {
                    seq: e.seq,
                    wanted: key(&e.prev_hash),
                    gap: match self.prev_seq {
                        Some(p) => e.seq > p + 1,
                        None => true,
                    },
                    prev_seq: self.prev_seq,
                });
            }
            return;
        }
        self.seen.insert(key(&e.hash));
        self.prev = e.hash.clone();
        self.prev_seq = Some(e.seq);
    }

    /// Whether the walk can stop: a break was found and classified.
    pub fn done(&self) -> bool {
        self.result.is_some()
    }

    /// Entries read.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The first break, if any; the head hash otherwise.
    pub fn finish(self) -> Result<String, Break> {
        if let Some(b) = self.result {
            return Err(b);
        }
        match self.pending {
            // The missing predecessor never appeared: entries were removed, or the previous
            // entry was rewritten with a fresh hash.
            Some(p) if p.gap => Err(Break::Removed { seq: p.seq }),
            Some(p) => Err(Break::Altered {
                seq: p.prev_seq.unwrap_or(p.seq),
            }),
            None => Ok(self.prev),
        }
    }
}

/// Verifies a whole chain held in memory.
pub fn verify(entries: &[Stored]) -> Result<String, Break> {
    let mut v = Verifier::default();
    for e in entries {
        v.push(e);
        if v.done() {
            break;
        }
    }
    v.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: usize) -> Vec<Stored> {
        let mut prev = GENESIS.to_string();
        (0..n)
            .map(|i| {
                let content = Content {
                    at: format!("2026-12-06T00:00:{:02}Z", i % 60),
                    actor: "siti".into(),
                    client: Some("127.0.0.1".into()),
                    action: "app.edit".into(),
                    object_kind: Some("application".into()),
                    object_id: Some(format!("{i}")),
                    agency: Some("BKPSDM".into()),
                    before: Some(serde_json::json!({"url": "https://a.example.go.id", "b": 1})),
                    after: Some(serde_json::json!({"url": format!("https://{i}.example.go.id")})),
                };
                let hash = entry_hash(&prev, &content);
                let e = Stored {
                    seq: i as i64 + 1,
                    prev_hash: prev.clone(),
                    hash: hash.clone(),
                    content,
                };
                prev = hash;
                e
            })
            .collect()
    }

    #[test]
    fn an_intact_chain_verifies_to_its_head() {
        let c = chain(20);
        assert_eq!(verify(&c), Ok(c[19].hash.clone()));
        assert_eq!(verify(&[]), Ok(GENESIS.to_string()));
    }

    #[test]
    fn an_edited_entry_is_named() {
        let mut c = chain(10);
        c[4].content.actor = "mallory".into();
        assert_eq!(verify(&c), Err(Break::Altered { seq: 5 }));
        // Rewriting the hash too does not help: the next entry's link breaks.
        let mut c = chain(10);
        c[4].content.actor = "mallory".into();
        c[4].hash = entry_hash(&c[4].prev_hash, &c[4].content);
        assert_eq!(verify(&c), Err(Break::Altered { seq: 5 }));
    }

    #[test]
    fn a_deleted_entry_is_named() {
        let mut c = chain(10);
        c.remove(6);
        assert_eq!(verify(&c), Err(Break::Removed { seq: 8 }));
        let mut c = chain(10);
        c.remove(0);
        assert_eq!(verify(&c), Err(Break::Removed { seq: 2 }));
    }

    #[test]
    fn swapped_entries_are_named() {
        let mut c = chain(10);
        // Swap the rows' contents at positions 3 and 4, keeping the sequence numbers.
        let (a, b) = (c[3].clone(), c[4].clone());
        c[3] = Stored { seq: a.seq, ..b };
        c[4] = Stored { seq: 4 + 1, ..a };
        assert_eq!(verify(&c), Err(Break::Reordered { seq: 4 }));
    }

    #[test]
    fn canonical_content_is_stable_under_key_order() {
        let mut a = chain(1).remove(0).content;
        let b = a.clone();
        a.before = Some(serde_json::json!({"b": 1, "url": "https://a.example.go.id"}));
        assert_eq!(a.canonical(), b.canonical());
    }
}
