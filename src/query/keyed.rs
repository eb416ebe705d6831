//! keyed: `chains` as asked of the index — the idempotency keys of the events
//! matching a query, then the events of those keys, judged by
//! [`super::chains::build_chains`].
//!
//! Loading an event means decompressing its line and normalizing it again,
//! so only the events that can matter are loaded. Fast fields tell, per key,
//! how many requests it has: a chain of one request can break no rule but a
//! server saying the key was reused, which its code alone shows. So keys with
//! two or more requests (or such a code) are loaded and judged; of the rest,
//! only as many of the newest as the list has room for. Keys are matched to
//! each segment's dictionary in one sorted pass, never one lookup at a time.

use std::cmp::Reverse;
use std::collections::{BTreeSet, HashMap};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use super::chains::{KEY_MISMATCH_CODES, build_chains};
use super::{ChainsResult, Query};
use crate::error::Result;
use crate::index::translate::to_tantivy;
use crate::index::{LocalStore, dictionary_error};
use crate::model::Chain;

/// The order of `chains`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ChainSort {
    /// Flagged first, then newest (the default).
    #[default]
    Flagged,
    /// Most findings first, then newest.
    Findings,
    /// By first attempt, newest first.
    Newest,
    /// By first attempt, oldest first.
    Oldest,
}

impl ChainSort {
    pub const ALL: [ChainSort; 3] = [ChainSort::Findings, ChainSort::Newest, ChainSort::Oldest];

    pub fn as_str(self) -> &'static str {
        match self {
            ChainSort::Flagged => "flagged",
            ChainSort::Findings => "findings",
            ChainSort::Newest => "newest",
            ChainSort::Oldest => "oldest",
        }
    }

    pub fn parse(s: &str) -> Option<ChainSort> {
        ChainSort::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Orders judged chains (`Flagged` keeps [`build_chains`]' order).
    pub fn sort(self, chains: &mut [Chain]) {
        let first = |c: &Chain| c.attempts.first().map(|e| e.ts);
        match self {
            ChainSort::Flagged => {}
            ChainSort::Findings => {
                chains.sort_by_key(|c| (Reverse(c.flags.len()), Reverse(first(c))))
            }
            ChainSort::Newest => chains.sort_by_key(|c| Reverse(first(c))),
            ChainSort::Oldest => chains.sort_by_key(first),
        }
    }
}

impl LocalStore {
    /// Chains with an attempt matching `q` in `sort` order, at most `limit`.
    pub fn chains_sorted(
        &self,
        q: &Query,
        flagged_only: bool,
        sort: ChainSort,
        limit: usize,
    ) -> Result<ChainsResult> {
        let searcher = self.searcher();
        let query = to_tantivy(&q.expr)?;
        let keys: Vec<String> = self
            .search_parallel(&searcher, &*query, &KeysCollector)?
            .into_iter()
            .collect();
        if keys.is_empty() {
            return Ok(ChainsResult { chains: Vec::new() });
        }
        let mut by_key: HashMap<usize, Vec<KeyDoc>> = HashMap::new();
        for (segment, reader) in searcher.segment_readers().iter().enumerate() {
            key_docs(segment as SegmentOrdinal, reader, &keys, &mut by_key)
                .map_err(|e| self.error(e))?;
        }
        let mut load = Vec::new();
        let mut singles: Vec<(i64, DocAddress)> = Vec::new();
        for docs in by_key.into_values() {
            let requests: Vec<&KeyDoc> = docs
                .iter()
                .filter(|d| d.status.is_some() || d.code.is_some())
                .collect();
            match requests.as_slice() {
                [] => {}
                [one] if !self.says_key_reused(one) => singles.push((one.ts, one.addr)),
                _ => load.extend(docs.iter().map(|d| d.addr)),
            }
        }
        if !flagged_only {
            if sort == ChainSort::Oldest {
                singles.sort_unstable();
            } else {
                singles.sort_unstable_by_key(|&(ts, addr)| (Reverse(ts), addr));
            }
            load.extend(singles.into_iter().take(limit).map(|(_, addr)| addr));
        }
        load.sort_unstable();
        let mut chains = build_chains(self.events_at(&searcher, &load)?, &self.catalogs);
        if flagged_only {
            chains.retain(|c| !c.flags.is_empty());
        }
        sort.sort(&mut chains);
        chains.truncate(limit);
        Ok(ChainsResult { chains })
    }

    /// Whether a lone request's code says its key was reused with another
    /// request — the one finding a single-request chain can have.
    fn says_key_reused(&self, d: &KeyDoc) -> bool {
        d.code.as_deref().is_some_and(|code| {
            KEY_MISMATCH_CODES.contains(&code)
                || self
                    .catalogs
                    .read_code(d.api.as_deref(), code, d.status)
                    .key_mismatch
        })
    }
}

/// What the fast fields say of one document of a key.
struct KeyDoc {
    addr: DocAddress,
    ts: i64,
    status: Option<u16>,
    code: Option<String>,
    api: Option<String>,
}

/// Add the documents of one segment whose key is in `keys` (sorted) to
/// `by_key`, indexed by the key's position in `keys`.
fn key_docs(
    segment: SegmentOrdinal,
    reader: &SegmentReader,
    keys: &[String],
    by_key: &mut HashMap<usize, Vec<KeyDoc>>,
) -> tantivy::Result<()> {
    let fast = reader.fast_fields();
    let Some(key_column) = fast.str("idempotency_key")? else {
        return Ok(());
    };
    let wanted = wanted_ords(&key_column, keys)?;
    if wanted.is_empty() {
        return Ok(());
    }
    let (ts, status) = (fast.date("ts")?, fast.u64("status")?);
    let mut code = Names::new("code", fast.str("code")?);
    let mut api = Names::new("api", fast.str("api")?);
    let ords = key_column.ords();
    for doc in 0..reader.max_doc() {
        if reader.is_deleted(doc) {
            continue;
        }
        let Some(&key) = ords.first(doc).and_then(|o| wanted.get(&o)) else {
            continue;
        };
        by_key.entry(key).or_default().push(KeyDoc {
            addr: DocAddress::new(segment, doc),
            ts: ts.first(doc).map_or(0, |t| t.into_timestamp_millis()),
            status: status.first(doc).and_then(|s| u16::try_from(s).ok()),
            code: code.of(doc)?,
            api: api.of(doc)?,
        });
    }
    Ok(())
}

/// This segment's ords of the `keys` (sorted) it holds → the key's index:
/// one merge of two sorted lists.
fn wanted_ords(column: &StrColumn, keys: &[String]) -> tantivy::Result<HashMap<u64, usize>> {
    let mut wanted = HashMap::new();
    let mut stream = column.dictionary().stream()?;
    let mut next = 0;
    while next < keys.len() && stream.advance() {
        let term = stream.key();
        while next < keys.len() && keys[next].as_bytes() < term {
            next += 1;
        }
        if next < keys.len() && keys[next].as_bytes() == term {
            wanted.insert(stream.term_ord(), next);
            next += 1;
        }
    }
    Ok(wanted)
}

/// A string column's values by document, each distinct ord resolved once.
struct Names {
    field: &'static str,
    column: Option<StrColumn>,
    seen: HashMap<u64, Option<String>>,
}

impl Names {
    fn new(field: &'static str, column: Option<StrColumn>) -> Names {
        Names {
            field,
            column,
            seen: HashMap::new(),
        }
    }

    /// The document's value; a dictionary that cannot be read is an error
    /// (the chain would otherwise lose its code without a word).
    fn of(&mut self, doc: DocId) -> tantivy::Result<Option<String>> {
        let Some(column) = self.column.as_ref() else {
            return Ok(None);
        };
        let Some(ord) = column.ords().first(doc) else {
            return Ok(None);
        };
        if let Some(known) = self.seen.get(&ord) {
            return Ok(known.clone());
        }
        let mut buf = String::new();
        let found = column
            .ord_to_str(ord, &mut buf)
            .map_err(|e| dictionary_error(self.field, e))?;
        let text = found.then_some(buf);
        self.seen.insert(ord, text.clone());
        Ok(text)
    }
}

/// The distinct idempotency keys of the matching documents.
struct KeysCollector;

struct KeysSegment {
    column: Option<StrColumn>,
    ords: BTreeSet<u64>,
}

impl Collector for KeysCollector {
    type Fruit = BTreeSet<String>;
    type Child = KeysSegment;

    fn for_segment(
        &self,
        _segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<KeysSegment> {
        Ok(KeysSegment {
            column: reader.fast_fields().str("idempotency_key")?,
            ords: BTreeSet::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(
        &self,
        fruits: Vec<tantivy::Result<Vec<String>>>,
    ) -> tantivy::Result<BTreeSet<String>> {
        let mut keys = BTreeSet::new();
        for fruit in fruits {
            keys.extend(fruit?);
        }
        Ok(keys)
    }
}

impl SegmentCollector for KeysSegment {
    /// A key dictionary that cannot be read fails the query: its keys
    /// would otherwise vanish from the chains without a word.
    type Fruit = tantivy::Result<Vec<String>>;

    fn collect(&mut self, doc: DocId, _score: Score) {
        if let Some(ord) = self.column.as_ref().and_then(|c| c.ords().first(doc)) {
            self.ords.insert(ord);
        }
    }

    fn harvest(self) -> tantivy::Result<Vec<String>> {
        let Some(column) = self.column else {
            return Ok(Vec::new());
        };
        harvest_keys(&column, self.ords)
    }
}

/// The keys of `ords`, in one pass over the dictionary.
fn harvest_keys(column: &StrColumn, ords: BTreeSet<u64>) -> tantivy::Result<Vec<String>> {
    let ords: Vec<u64> = ords.into_iter().collect();
    let mut keys = Vec::with_capacity(ords.len());
    column.dictionary().sorted_ords_to_term_cb(&ords, |bytes| {
        if let Ok(key) = std::str::from_utf8(bytes) {
            keys.push(key.to_string());
        }
    })?;
    Ok(keys)
}
