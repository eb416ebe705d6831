//! checkpoint: which bytes of which file are already in the index. It is the
//! payload of every tantivy commit, so documents and the offsets that produced
//! them become durable together: a crash loses nothing committed and the next
//! run resumes exactly after it.
//!
//! A file is known by its content, not its path: the hash of its first line
//! (`head`) plus the hash of the bytes just before the saved offset (`tail`).
//! A renamed or gzipped rotation of a file resumes where the original stopped;
//! a truncated or replaced file fails the tail check and is read afresh.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::index::schema::SCHEMA_VERSION;

/// How many bytes before the saved offset the tail check compares.
pub const TAIL_LEN: u64 = 256;
/// How much of the first line the head hash covers.
pub const HEAD_LEN: usize = 8 * 1024;

/// The commit payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The schema version that wrote the index.
    pub version: u32,
    /// Every file ever read, in the order first seen.
    pub files: Vec<FileMark>,
    /// Running totals over every ingest into this index.
    pub totals: Totals,
    /// The normalizer and catalogs the indexed fields were derived with
    /// (absent in indexes written before it was recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub derived: Option<crate::index::derived::Derivation>,
}

impl Default for Checkpoint {
    fn default() -> Self {
        Checkpoint {
            version: SCHEMA_VERSION,
            files: Vec::new(),
            totals: Totals::default(),
            derived: None,
        }
    }
}

/// How far one file (identified by content) has been read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileMark {
    /// The path it was last read under.
    pub path: String,
    /// Hash of the first line (up to [`HEAD_LEN`] bytes, no terminator).
    pub head: u64,
    /// Hash of the `tail_len` (≤ [`TAIL_LEN`]) bytes before `offset`.
    pub tail: u64,
    pub tail_len: u64,
    /// Bytes consumed, in the decompressed stream.
    pub offset: u64,
    /// Lines consumed.
    pub lines: u64,
}

/// Counters kept across runs, so `stats` can say what the index holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub bytes: u64,
    pub lines: u64,
    pub events: u64,
    pub bad_lines: u64,
    pub bad_by_reason: BTreeMap<String, u64>,
}

impl Checkpoint {
    /// Read a commit payload; `None` payload means a fresh index.
    pub fn from_payload(payload: Option<&str>) -> Result<Checkpoint, String> {
        match payload {
            None | Some("") => Ok(Checkpoint::default()),
            Some(text) => {
                serde_json::from_str(text).map_err(|e| format!("unreadable checkpoint: {e}"))
            }
        }
    }

    pub fn to_payload(&self) -> String {
        serde_json::to_string(self).expect("checkpoint serializes")
    }

    /// The marks whose first line matches `head`, most recently added last.
    pub fn candidates(&self, head: u64) -> impl Iterator<Item = (usize, &FileMark)> {
        self.files
            .iter()
            .enumerate()
            .filter(move |(_, m)| m.head == head)
    }

    /// Record progress on a file: updates mark `idx`, or adds a new one.
    pub fn record(&mut self, idx: Option<usize>, mark: FileMark) -> usize {
        match idx {
            Some(i) => {
                self.files[i] = mark;
                i
            }
            None => {
                self.files.push(mark);
                self.files.len() - 1
            }
        }
    }
}

/// The hash used for heads and tails.
pub fn hash(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_round_trips_and_empty_means_fresh() {
        let mut cp = Checkpoint::default();
        let i = cp.record(
            None,
            FileMark {
                path: "a.log".into(),
                head: 1,
                tail: 2,
                tail_len: 30,
                offset: 30,
                lines: 3,
            },
        );
        cp.totals.events = 3;
        let back = Checkpoint::from_payload(Some(&cp.to_payload())).unwrap();
        assert_eq!(back, cp);
        assert_eq!(
            back.candidates(1).map(|(j, _)| j).collect::<Vec<_>>(),
            vec![i]
        );
        assert_eq!(
            Checkpoint::from_payload(None).unwrap(),
            Checkpoint::default()
        );
        assert!(Checkpoint::from_payload(Some("{nope")).is_err());
    }
}
