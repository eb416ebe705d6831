//! checkpoint: which bytes of which file are already in the index. It is the
//! payload of every tantivy commit, so documents and the offsets that produced
//! them become durable together: a crash loses nothing committed and the next
//! run resumes exactly after it.
//!
//! A file is known by its content, not its path: the hash of its first line
//! (`head`) picks candidates, and the [`Fingerprint`] of everything consumed
//! (block hashes plus the open block's hash) says exactly whether a file
//! continues, repeats or only starts like what was read. The file's
//! `stat` (device, inode, size, mtime) when it was last read to its end only
//! lets an unchanged file be skipped without reading it; it never decides
//! that a file *is* a known one (inodes are reused).
//!
//! The local index keeps the marks out of the commit payload: each commit
//! appends the marks that changed to a marks file and records its name and
//! length ([`MarksRef`]); see `index::marks`. Marks inline in the payload
//! (`files`) are how older indexes and the ClickHouse store keep them.
//!
//! [`Fingerprint`]: super::fingerprint::Fingerprint

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use super::linechain::Window;
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
    /// Every file ever read, in the order first seen. In a local index's
    /// payload they are in the marks file instead (see `marks`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<FileMark>,
    /// Running totals over every ingest into this index.
    pub totals: Totals,
    /// `files` indexes by `head` (rebuilt on load, not stored).
    #[serde(skip)]
    by_head: HashMap<u64, Vec<usize>>,
    /// The normalizer and catalogs the indexed fields were derived with
    /// (absent in indexes written before it was recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub derived: Option<crate::index::derived::Derivation>,
    /// Where the marks are, when not in `files` (a local index's payload).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marks: Option<MarksRef>,
    /// Marks changed since the last commit (not stored).
    #[serde(skip)]
    changed: BTreeSet<usize>,
}

/// The marks file a commit recorded: its name, the bytes of it that commit
/// made durable (bytes past `len` belong to a run that was killed before
/// committing), and how many marks it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarksRef {
    pub file: String,
    pub len: u64,
    pub count: u64,
}

impl Default for Checkpoint {
    fn default() -> Self {
        Checkpoint {
            version: SCHEMA_VERSION,
            files: Vec::new(),
            totals: Totals::default(),
            by_head: HashMap::new(),
            derived: None,
            marks: None,
            changed: BTreeSet::new(),
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
    /// Hashes of the consumed prefix's closed blocks (see `fingerprint`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blocks: Vec<u64>,
    /// Where the open block starts, and the lines before it.
    #[serde(default)]
    pub block_start: u64,
    #[serde(default)]
    pub block_lines: u64,
    /// Hash of `[block_start, offset)`; `None` in marks written before
    /// fingerprints (those resume by the `tail` check alone).
    #[serde(default)]
    pub partial: Option<u64>,
    /// Hashes of the first 256 B, 512 B, … 32 KiB consumed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub probes: Vec<u64>,
    /// The file as it was when last read to its end with nothing pending.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stat: Option<FileStat>,
    /// The last lines consumed (see `linechain`): where a file that shrank
    /// and grew again first differs from what was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<Window>,
}

/// What `stat` says of a file: enough to tell "not touched since".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FileStat {
    pub dev: u64,
    pub ino: u64,
    pub size: u64,
    pub mtime_ns: i64,
}

impl FileStat {
    pub fn of(meta: &std::fs::Metadata) -> FileStat {
        use std::os::unix::fs::MetadataExt;
        FileStat {
            dev: meta.dev(),
            ino: meta.ino(),
            size: meta.len(),
            mtime_ns: meta.mtime().saturating_mul(1_000_000_000) + meta.mtime_nsec(),
        }
    }

    /// The same file (device and inode), whatever its size and time.
    pub fn same_file(&self, other: &FileStat) -> bool {
        (self.dev, self.ino) == (other.dev, other.ino)
    }
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
                let mut cp: Checkpoint = serde_json::from_str(text)
                    .map_err(|e| format!("unreadable checkpoint: {e}"))?;
                for (i, m) in cp.files.iter().enumerate() {
                    cp.by_head.entry(m.head).or_default().push(i);
                }
                Ok(cp)
            }
        }
    }

    /// The payload with every mark inline (`files`).
    pub fn to_payload(&self) -> String {
        serde_json::to_string(self).expect("checkpoint serializes")
    }

    /// The payload of a local index: everything but the marks, which are
    /// in the marks file `marks` names.
    pub fn to_payload_with(&self, marks: MarksRef) -> String {
        let head = Checkpoint {
            version: self.version,
            files: Vec::new(),
            totals: self.totals.clone(),
            by_head: HashMap::new(),
            derived: self.derived.clone(),
            marks: Some(marks),
            changed: BTreeSet::new(),
        };
        serde_json::to_string(&head).expect("checkpoint serializes")
    }

    /// How many files the index has read (whether or not the marks are
    /// loaded).
    pub fn file_count(&self) -> u64 {
        match &self.marks {
            Some(m) if self.files.is_empty() => m.count,
            _ => self.files.len() as u64,
        }
    }

    /// Put marks read from a marks file in place of `files`.
    pub fn set_marks(&mut self, files: Vec<FileMark>) {
        self.files = files;
        self.by_head.clear();
        for (i, m) in self.files.iter().enumerate() {
            self.by_head.entry(m.head).or_default().push(i);
        }
        self.changed.clear();
    }

    /// Take the indexes of the marks changed since the last call.
    pub fn take_changed(&mut self) -> BTreeSet<usize> {
        std::mem::take(&mut self.changed)
    }

    /// Take every mark as changed (to write them all to a new marks file).
    pub fn touch_all(&mut self) {
        self.changed = (0..self.files.len()).collect();
    }

    /// Remember that file `i` was last read to its end as `stat`; true if
    /// that changed the mark.
    pub fn set_stat(&mut self, i: usize, stat: FileStat) -> bool {
        let mark = &mut self.files[i];
        if mark.stat == Some(stat) {
            return false;
        }
        mark.stat = Some(stat);
        self.changed.insert(i);
        true
    }

    /// The marks whose first line matches `head`, most recently added last
    /// (a hash lookup: no scan of every file ever read).
    pub fn candidates(&self, head: u64) -> impl Iterator<Item = (usize, &FileMark)> {
        self.by_head
            .get(&head)
            .into_iter()
            .flatten()
            .map(|&i| (i, &self.files[i]))
    }

    /// Record progress on a file: updates mark `idx`, or adds a new one.
    pub fn record(&mut self, idx: Option<usize>, mark: FileMark) -> usize {
        let i = match idx {
            Some(i) => {
                self.files[i] = mark;
                i
            }
            None => {
                self.by_head
                    .entry(mark.head)
                    .or_default()
                    .push(self.files.len());
                self.files.push(mark);
                self.files.len() - 1
            }
        };
        self.changed.insert(i);
        i
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
                blocks: vec![7],
                block_start: 20,
                block_lines: 2,
                partial: Some(9),
                probes: vec![3],
                stat: None,
                window: Some(Window {
                    lines: 1,
                    anchor: 5,
                    hashes: vec![1, u32::MAX],
                }),
            },
        );
        cp.totals.events = 3;
        assert_eq!(cp.take_changed().into_iter().collect::<Vec<_>>(), vec![i]);
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
