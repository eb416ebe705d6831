//! groupfiles: per-segment group tables kept beside the index's segments,
//! so an unfiltered `groups --by code|class|status|service` merges a few
//! small tables instead of reading a column of every coded event.
//!
//! Segments are immutable: the writer side (after ingest's final commit or
//! merge, [`LocalStore::write_group_tables`]) counts each field of each
//! segment once with the same collector a query runs
//! ([`super::grouping`]) and writes what the segment would hand over —
//! term, count, first/last seen, statuses, requests/errors, the sample's
//! document, its request id and class, and the timeline — to `<segment id>.groups` (JSON, versioned,
//! written to `<segment id>.groups.temp` and renamed). A query
//! ([`tables_for`]) takes a segment's table only when it was written for
//! the same deletions and the same time span (the timeline's buckets
//! depend on the index's first and last time); any other segment is
//! scanned, so both paths give the same answer. The sample's request id
//! and class are read back from the stored line with the current
//! normalizer and catalogs, so the stored ones stand only when the table
//! was written with the same ([`Derivation`]); otherwise the sample is
//! loaded as a scan loads it. A one-shot query never
//! writes; files of segments merged away are deleted by the writer side.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use tantivy::collector::Collector;
use tantivy::query::{BooleanQuery, EnableScoring, ExistsQuery, Occur, Query as TQuery};
use tantivy::{DocAddress, Searcher, SegmentReader};

use super::GroupBy;
use super::ast::Expr;
use super::grouping::{Acc, GroupsCollector, Keyed};
use super::groups::{GroupSort, TIMELINE_BUCKETS};
use super::grouptable::{Bounds, Order};
use super::histogram::{Span, index_ts_bounds, query_span, segment_ts_bounds};
use crate::error::{Error, Result};
use crate::index::LocalStore;
use crate::index::derived::Derivation;
use crate::index::translate::to_tantivy;

/// The sidecar's extension (`<32 hex segment id>.groups`); the index
/// directory's own files (`index::dir`) name it and its temporary form.
pub const EXT: &str = "groups";

/// The format's version; a table of another version is ignored.
pub const VERSION: u32 = 1;

/// Fields that get a table: the low-cardinality ones `groups` and the
/// TUI's Groups view ask most.
pub const FIELDS: [GroupBy; 4] = [
    GroupBy::Code,
    GroupBy::Class,
    GroupBy::Status,
    GroupBy::Service,
];

/// A field with more distinct terms than this in a segment gets no table
/// there (the segment is scanned).
pub const MAX_TERMS: usize = 4_096;

/// One segment's file. `F` is what a field's section holds: its entries
/// when written ([`TablesOut`]), unparsed JSON when read ([`TablesIn`]), so
/// a query parses only the field it asks for.
#[derive(Serialize, Deserialize)]
struct Tables<F> {
    version: u32,
    segment: String,
    /// Deleted documents when written: deletions only grow, so the same
    /// count means the same live documents.
    deleted: u32,
    /// The index's span the timelines were bucketed over, and how many
    /// buckets.
    span: (i64, i64),
    buckets: usize,
    /// This segment's real and inferred times (its part of the index's
    /// span, so a query over tables opens no `ts` column).
    real_ts: (i64, i64),
    inferred_ts: (i64, i64),
    /// What the samples' request ids and classes were read with.
    derived: Derivation,
    fields: BTreeMap<String, F>,
}

/// One segment's file, as written.
type TablesOut = Tables<Vec<Entry>>;

/// One segment's file, as read.
type TablesIn = Tables<Box<RawValue>>;

/// One group of one segment: its accumulator as the collector left it.
#[derive(Serialize, Deserialize)]
struct Entry {
    key: String,
    count: u64,
    real: (i64, i64),
    inferred: u64,
    inferred_span: (i64, i64),
    statuses: Vec<(u64, u64)>,
    requests: u64,
    errors: u64,
    /// The sample's document in the segment, its request id and class.
    sample: u32,
    request_id: String,
    class: Option<String>,
    timeline: Vec<u64>,
}

/// A sample's request id and class, as a table stored them.
#[derive(Debug, Clone)]
pub(crate) struct Sample {
    pub request_id: String,
    pub class: Option<String>,
}

/// What the tables hand a query: each segment's groups (`None`: scan it)
/// and the samples they name, where they can be believed.
#[derive(Default)]
pub(crate) struct Tabled {
    pub groups: Vec<Option<Vec<Keyed>>>,
    pub samples: HashMap<DocAddress, Sample>,
}

impl Entry {
    fn from_keyed((keys, acc): Keyed, sample: Sample) -> Entry {
        Entry {
            key: keys.into_iter().next().unwrap_or_default(),
            count: acc.count,
            real: (acc.real.0, acc.real.1),
            inferred: acc.inferred,
            inferred_span: (acc.inferred_span.0, acc.inferred_span.1),
            statuses: acc.statuses,
            requests: acc.requests,
            errors: acc.errors,
            sample: acc.sample.doc_id,
            request_id: sample.request_id,
            class: sample.class,
            timeline: acc.timeline,
        }
    }

    fn into_keyed(self, segment: u32, samples: Option<&mut HashMap<DocAddress, Sample>>) -> Keyed {
        let sample = DocAddress::new(segment, self.sample);
        if let Some(samples) = samples {
            let known = Sample {
                request_id: self.request_id,
                class: self.class,
            };
            samples.insert(sample, known);
        }
        let acc = Acc {
            count: self.count,
            real: Span(self.real.0, self.real.1),
            inferred: self.inferred,
            inferred_span: Span(self.inferred_span.0, self.inferred_span.1),
            statuses: self.statuses,
            requests: self.requests,
            errors: self.errors,
            sample,
            timeline: self.timeline,
        };
        (vec![self.key], acc)
    }
}

/// Where segment `reader`'s table lives in `dir`.
fn path_of(dir: &Path, reader: &SegmentReader) -> PathBuf {
    dir.join(format!("{}.{EXT}", reader.segment_id().uuid_string()))
}

/// The segment id a sidecar or its temporary file belongs to.
fn sidecar_id(name: &str) -> Option<&str> {
    let (id, ext) = name.split_once('.')?;
    let ours = ext == EXT || ext.strip_suffix(".temp") == Some(EXT);
    ours.then_some(id)
}

/// Segment `reader`'s table, if its file holds one of this version for
/// the segment as it is now (its span still to be checked).
fn read_table(dir: &Path, reader: &SegmentReader) -> Option<TablesIn> {
    let bytes = std::fs::read(path_of(dir, reader)).ok()?;
    let t: TablesIn = serde_json::from_slice(&bytes).ok()?;
    let valid = t.version == VERSION
        && t.segment == reader.segment_id().uuid_string()
        && t.deleted == reader.num_deleted_docs()
        && t.buckets == TIMELINE_BUCKETS;
    valid.then_some(t)
}

/// Each segment's groups of `by` from its table, in segment order, with
/// the samples they name (when written with `derived`, the current
/// derivation), and the span of a query over every event: from the tables
/// when every segment has one, else `index_span()`. A table counts only
/// when written for that span.
pub(crate) fn tables_for(
    dir: &Path,
    searcher: &Searcher,
    by: GroupBy,
    derived: &Derivation,
    index_span: impl FnOnce() -> Result<(i64, i64)>,
) -> Result<(Tabled, (i64, i64))> {
    let readers = searcher.segment_readers();
    let tables: Vec<Option<TablesIn>> = match FIELDS.contains(&by) {
        true => readers.iter().map(|r| read_table(dir, r)).collect(),
        false => readers.iter().map(|_| None).collect(),
    };
    let span = match tables.iter().all(Option::is_some) {
        true => span_of(tables.iter().flatten()),
        false => index_span()?,
    };
    let mut tabled = Tabled::default();
    for ((ord, reader), t) in readers.iter().enumerate().zip(tables) {
        let groups = t
            .filter(|t| t.span == span)
            .and_then(|t| entries(t, reader, by))
            .map(|(entries, same)| {
                let mut samples = (same == *derived).then_some(&mut tabled.samples);
                let keyed = entries.into_iter();
                keyed
                    .map(|e| e.into_keyed(ord as u32, samples.as_deref_mut()))
                    .collect()
            });
        tabled.groups.push(groups);
    }
    Ok((tabled, span))
}

/// The span of a query over every event, from every segment's table.
fn span_of<'a>(tables: impl Iterator<Item = &'a TablesIn>) -> (i64, i64) {
    let (mut real, mut inferred) = (Span::EMPTY, Span::EMPTY);
    for t in tables {
        real.merge(Span(t.real_ts.0, t.real_ts.1));
        inferred.merge(Span(t.inferred_ts.0, t.inferred_ts.1));
    }
    query_span(&super::Query::all(), index_ts_bounds(real, inferred))
}

/// A table's entries for `by`, and the derivation it was written with.
fn entries(t: TablesIn, reader: &SegmentReader, by: GroupBy) -> Option<(Vec<Entry>, Derivation)> {
    let entries: Vec<Entry> = serde_json::from_str(t.fields.get(by.as_str())?.get()).ok()?;
    let fits = entries.iter().all(|e| e.sample < reader.max_doc());
    fits.then_some((entries, t.derived))
}

impl LocalStore {
    /// Write the group tables of every segment lacking a valid one, and
    /// delete those of segments that no longer exist (and temporary files
    /// a killed writer left). The writer side calls this after its final
    /// commit; an in-memory index has no tables. Returns how many segments
    /// got a table.
    pub fn write_group_tables(&self) -> Result<usize> {
        let Some(dir) = self.dir() else {
            return Ok(0);
        };
        let searcher = self.searcher();
        let span = self.span(&super::Query::all())?;
        let mut live = HashSet::new();
        let mut written = 0;
        for (ord, reader) in searcher.segment_readers().iter().enumerate() {
            live.insert(reader.segment_id().uuid_string());
            if read_table(dir, reader).is_some_and(|t| t.span == span) {
                continue;
            }
            let tables = self.segment_tables(&searcher, ord as u32, reader, span)?;
            write_atomically(&path_of(dir, reader), &tables)?;
            written += 1;
        }
        remove_stale(dir, &live);
        Ok(written)
    }

    /// Count every table field of one segment, as a query over every event
    /// would.
    fn segment_tables(
        &self,
        searcher: &Searcher,
        ord: u32,
        reader: &SegmentReader,
        span: (i64, i64),
    ) -> Result<TablesOut> {
        let mut fields = BTreeMap::new();
        for by in FIELDS {
            let collector = GroupsCollector {
                by: vec![by],
                span,
                buckets: TIMELINE_BUCKETS,
                every_event: true,
                bounds: Bounds {
                    keep: MAX_TERMS + 1,
                    cap: 2 * (MAX_TERMS + 1),
                },
                order: Order {
                    sort: GroupSort::Count,
                    rates: false,
                },
                tables: Vec::new(),
            };
            let clauses: Vec<(Occur, Box<dyn TQuery>)> = vec![
                (Occur::Must, to_tantivy(&Expr::All)?),
                (
                    Occur::Must,
                    Box::new(ExistsQuery::new(by.as_str().into(), false)),
                ),
            ];
            let weight = BooleanQuery::new(clauses)
                .weight(EnableScoring::disabled_from_searcher(searcher))
                .map_err(|e| self.error(e))?;
            let (groups, cut) = collector
                .collect_segment(weight.as_ref(), ord, reader)
                .and_then(|r| r)
                .map_err(|e| self.error(e))?;
            if cut.dropped == 0 && groups.len() <= MAX_TERMS {
                let mut entries = Vec::with_capacity(groups.len());
                for keyed in groups {
                    let event = self.event_at(searcher, keyed.1.sample)?;
                    let sample = Sample {
                        request_id: event.request_id,
                        class: event.class.map(|c| c.as_str().to_string()),
                    };
                    entries.push(Entry::from_keyed(keyed, sample));
                }
                fields.insert(by.as_str().to_string(), entries);
            }
        }
        let (real, inferred) = segment_ts_bounds(reader).map_err(|e| self.error(e))?;
        Ok(TablesOut {
            version: VERSION,
            real_ts: (real.0, real.1),
            inferred_ts: (inferred.0, inferred.1),
            segment: reader.segment_id().uuid_string(),
            deleted: reader.num_deleted_docs(),
            span,
            buckets: TIMELINE_BUCKETS,
            derived: Derivation::current(&self.catalogs),
            fields,
        })
    }
}

/// Write `tables` to `path` through a temporary file and a rename: a
/// reader sees the old file, the new one or none, never half of one.
fn write_atomically(path: &Path, tables: &TablesOut) -> Result<()> {
    let temp = path.with_extension(format!("{EXT}.temp"));
    let bytes = serde_json::to_vec(tables).map_err(|e| Error::io(path, e.into()))?;
    std::fs::write(&temp, bytes).map_err(|e| Error::io(&temp, e))?;
    std::fs::rename(&temp, path).map_err(|e| Error::io(path, e))
}

/// Delete sidecars of segments not in `live`, and every temporary sidecar
/// (a writer killed while writing left it). Best effort: a file left
/// behind is ignored by queries.
fn remove_stale(dir: &Path, live: &HashSet<String>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(id) = sidecar_id(&name) else {
            continue;
        };
        if name.ends_with(".temp") || !live.contains(id) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sidecar_names_are_recognised_by_extension() {
        let id = "0123456789abcdef0123456789abcdef";
        assert_eq!(sidecar_id(&format!("{id}.groups")), Some(id));
        assert_eq!(sidecar_id(&format!("{id}.groups.temp")), Some(id));
        assert_eq!(sidecar_id(&format!("{id}.fast")), None);
        assert_eq!(sidecar_id("meta.json"), None);
    }
}
