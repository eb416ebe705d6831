//! scan: what the columns say of every retry chain before any event is
//! read, between [`super::keys`] (the keys, ranked; those the query
//! matched) and [`super::select`] (which ranks the summaries and loads only
//! what it returns). One pass over the fast fields of the documents that
//! carry a key, each segment on its own thread: one [`Summary`] per chain
//! (key, service, client): how many requests, when the first one came, and
//! what a lone request said.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{BitSet, DateTime as TDate, DocId, Score, SegmentOrdinal, SegmentReader};

use super::keys::KeyTable;
use crate::index::dictionary_error;

/// One chain as the columns tell it. Names (service, client, code, api) are
/// ids into [`Scan::names`], 0 for none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// The key's rank in [`KeyTable`].
    pub key: u32,
    pub service: u32,
    pub client: u32,
    /// Documents with a status or a code (context lines are no request).
    pub requests: u32,
    /// The first request's time, ms since the epoch.
    pub first: i64,
    /// One request's code, api and status: the lone request's when
    /// `requests == 1`.
    pub code: u32,
    pub api: u32,
    pub status: Option<u16>,
}

/// Every chain of the matched keys, and the names its summaries point to.
#[derive(Debug, Default)]
pub struct Scan {
    /// Name `id` is `names[id - 1]`.
    pub names: Vec<String>,
    pub summaries: Vec<Summary>,
}

impl Scan {
    pub fn name(&self, id: u32) -> Option<&str> {
        (id > 0).then(|| self.names[id as usize - 1].as_str())
    }
}

/// The summaries of the chains of the `matched` key ranks (every key when
/// `None`), over the documents that carry a key.
pub struct ChainScan {
    pub table: Arc<KeyTable>,
    pub matched: Option<Arc<BitSet>>,
}

/// The columns a summary is read from, in one segment.
struct Columns {
    key: StrColumn,
    ts: Column<TDate>,
    status: Column<u64>,
    code: Option<StrColumn>,
    api: Option<StrColumn>,
    service: Option<StrColumn>,
    client: Option<StrColumn>,
}

/// A chain in one segment: key rank, service ord, client ord.
type LocalId = (u32, Option<u64>, Option<u64>);

/// A chain as seen in one segment: names are this segment's ords.
#[derive(Clone, Copy)]
struct Local {
    requests: u32,
    first: i64,
    code: Option<u64>,
    api: Option<u64>,
    status: Option<u16>,
}

pub struct ScanSegment {
    columns: Option<Columns>,
    table: Arc<KeyTable>,
    seg: usize,
    matched: Option<Arc<BitSet>>,
    /// (key, service ord, client ord) → the chain so far.
    chains: HashMap<LocalId, Local>,
}

/// One segment's summaries, with names still to be made global.
pub struct SegmentScan {
    names: Vec<String>,
    summaries: Vec<Summary>,
}

const NONE: u64 = u64::MAX;

impl Collector for ChainScan {
    type Fruit = Scan;
    type Child = ScanSegment;

    fn for_segment(
        &self,
        seg: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<ScanSegment> {
        let seg = seg as usize;
        let mut scan = ScanSegment {
            columns: None,
            table: self.table.clone(),
            seg,
            matched: self.matched.clone(),
            chains: HashMap::new(),
        };
        let Some(key) = self.table.column(seg).cloned() else {
            return Ok(scan);
        };
        let fast = reader.fast_fields();
        scan.columns = Some(Columns {
            key,
            ts: fast.date("ts")?,
            status: fast.u64("status")?,
            code: fast.str("code")?,
            api: fast.str("api")?,
            service: fast.str("service")?,
            client: fast.str("client")?,
        });
        Ok(scan)
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<tantivy::Result<SegmentScan>>) -> tantivy::Result<Scan> {
        let mut ids: HashMap<String, u32> = HashMap::new();
        let mut scan = Scan::default();
        let mut at: HashMap<(u32, u32, u32), usize> = HashMap::new();
        for fruit in fruits {
            let fruit = fruit?;
            let global: Vec<u32> = fruit
                .names
                .into_iter()
                .map(|n| {
                    *ids.entry(n).or_insert_with_key(|n| {
                        scan.names.push(n.clone());
                        scan.names.len() as u32
                    })
                })
                .collect();
            let id = |local: u32| {
                if local == 0 {
                    0
                } else {
                    global[local as usize - 1]
                }
            };
            for mut s in fruit.summaries {
                (s.service, s.client, s.code, s.api) =
                    (id(s.service), id(s.client), id(s.code), id(s.api));
                // A key in one segment only: its chains are whole already.
                if !self.table.in_several(s.key) {
                    scan.summaries.push(s);
                    continue;
                }
                match at.entry((s.key, s.service, s.client)) {
                    std::collections::hash_map::Entry::Occupied(e) => {
                        let t = &mut scan.summaries[*e.get()];
                        t.requests += s.requests;
                        t.first = t.first.min(s.first);
                    }
                    std::collections::hash_map::Entry::Vacant(e) => {
                        e.insert(scan.summaries.len());
                        scan.summaries.push(s);
                    }
                }
            }
        }
        Ok(scan)
    }
}

impl SegmentCollector for ScanSegment {
    /// A dictionary that cannot be read fails the query: chains would
    /// otherwise lose their service or code without a word.
    type Fruit = tantivy::Result<SegmentScan>;

    fn collect(&mut self, doc: DocId, _score: Score) {
        let Some(c) = &self.columns else { return };
        let Some(ord) = c.key.ords().first(doc) else {
            return;
        };
        let key = self.table.ranks(self.seg)[ord as usize];
        if self.matched.as_ref().is_some_and(|m| !m.contains(key)) {
            return;
        }
        let ord = |col: &Option<StrColumn>| col.as_ref().and_then(|c| c.ords().first(doc));
        let status = c.status.first(doc);
        let code = ord(&c.code);
        if status.is_none() && code.is_none() {
            return;
        }
        let first = c.ts.first(doc).map_or(0, |t| t.into_timestamp_millis());
        let id = (key, ord(&c.service), ord(&c.client));
        let local = self.chains.entry(id).or_insert(Local {
            requests: 0,
            first,
            code,
            api: ord(&c.api),
            status: status.and_then(|s| u16::try_from(s).ok()),
        });
        local.requests += 1;
        local.first = local.first.min(first);
    }

    fn harvest(self) -> tantivy::Result<SegmentScan> {
        let Some(c) = self.columns else {
            return Ok(SegmentScan {
                names: Vec::new(),
                summaries: Vec::new(),
            });
        };
        let mut names = Names::default();
        let pick = |f: fn(&LocalId, &Local) -> Option<u64>| {
            self.chains.iter().filter_map(move |(k, l)| f(k, l))
        };
        let service = names.add(&c.service, "service", pick(|k, _| k.1))?;
        let client = names.add(&c.client, "client", pick(|k, _| k.2))?;
        let code = names.add(&c.code, "code", pick(|_, l| l.code))?;
        let api = names.add(&c.api, "api", pick(|_, l| l.api))?;
        let id = |map: &HashMap<u64, u32>, ord: Option<u64>| ord.map_or(0, |o| map[&o]);
        let summaries = self
            .chains
            .iter()
            .map(|(&(key, s, cl), l)| Summary {
                key,
                service: id(&service, s),
                client: id(&client, cl),
                requests: l.requests,
                first: l.first,
                code: id(&code, l.code),
                api: id(&api, l.api),
                status: l.status,
            })
            .collect();
        Ok(SegmentScan {
            names: names.names,
            summaries,
        })
    }
}

/// One segment's names, numbered from 1 in the order first resolved.
#[derive(Default)]
struct Names {
    names: Vec<String>,
}

impl Names {
    /// Resolve `ords` of `column` (one pass over its dictionary); the map
    /// from ord to name id.
    fn add(
        &mut self,
        column: &Option<StrColumn>,
        field: &'static str,
        ords: impl Iterator<Item = u64>,
    ) -> tantivy::Result<HashMap<u64, u32>> {
        let Some(column) = column else {
            return Ok(HashMap::new());
        };
        let ords: Vec<u64> = ords
            .filter(|&o| o != NONE)
            .collect::<BTreeSet<u64>>()
            .into_iter()
            .collect();
        let mut texts = Vec::with_capacity(ords.len());
        column
            .dictionary()
            .sorted_ords_to_term_cb(&ords, |bytes| {
                texts.push(String::from_utf8_lossy(bytes).into_owned());
            })
            .map_err(|e| dictionary_error(field, e))?;
        let mut map = HashMap::with_capacity(ords.len());
        for (ord, text) in ords.into_iter().zip(texts) {
            self.names.push(text);
            map.insert(ord, self.names.len() as u32);
        }
        Ok(map)
    }
}
