//! scan: what the columns say of every retry chain before any event is
//! read, between [`super::keys`] (the keys, ranked; those the query
//! matched) and [`super::select`] (which ranks the summaries and loads only
//! what it returns). One pass over the fast fields of the documents that
//! carry a key, each segment on its own thread: one [`Summary`] per chain
//! (key, service, client): how many requests, when the first one came, and
//! what a lone request said. A scan of the whole index keeps, of each
//! segment's chains of one request, only those that can enter the answer
//! ([`LoneTop`]).

use std::collections::{BTreeSet, BinaryHeap, HashMap};
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{BitSet, DateTime as TDate, DocId, Score, SegmentOrdinal, SegmentReader};

use super::ChainSort;
use super::best::{Lone, LoneFlags, Rank};
use super::keys::KeyTable;
use crate::catalog::Catalogs;
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
/// `None`), over the documents that carry a key; with the table their keys
/// are ranked in.
#[derive(Clone)]
pub struct ChainScan {
    /// `None`: the keys met are ranked after the scan
    /// ([`KeyTable::of_seen`]; a window of every event, few keys).
    pub table: Option<Arc<KeyTable>>,
    /// Set only with a `table` (ranks of it).
    pub matched: Option<Arc<BitSet>>,
    /// Few of each segment's keys are expected (a time window): chains are
    /// hashed rather than held in a slot per key of the segment.
    pub sparse: bool,
    /// Set only with a `table` and on a scan of the whole index: keep no
    /// more of a segment's lone requests than can enter the answer.
    pub lone_top: Option<LoneTop>,
}

/// Of a segment's chains of one request whose key is in no other segment
/// (so the chain is whole there), only the best `limit` by their exact
/// place (their findings judged from the columns, as the selection would)
/// can enter any answer: `limit` chains of that segment alone rank before
/// each of the rest. A scan of the whole index drops the rest as each
/// segment ends, so its memory holds the longer chains and `limit` lone
/// requests per segment, not every request with a key.
#[derive(Clone)]
pub struct LoneTop {
    pub catalogs: Arc<Catalogs>,
    /// The columns may disagree with the events ([`LoneFlags`]): a lone
    /// failure is then kept, to be judged from its events.
    pub stale: bool,
    pub sort: ChainSort,
    pub limit: usize,
    /// Clean lone requests never enter: dropped.
    pub flagged_only: bool,
}

/// A lone request's code, api, service (ords) and status.
type LoneId = (u32, u32, u32, Option<u16>);

/// A lone request's place: its key's rank, then this segment's ords of
/// service and client (text order, as the selection's ties), 0 for none.
type LonePlace = Rank<(u32, u32, u32)>;

impl LoneTop {
    /// The chains of `chains` worth keeping: every longer one, every lone
    /// one in several segments or not judged from its columns, and the
    /// best `limit` of the rest.
    fn keep<'l>(
        &self,
        c: &Columns,
        table: &KeyTable,
        chains: impl Iterator<Item = &'l Local>,
    ) -> tantivy::Result<Vec<&'l Local>> {
        let mut lone = LoneFlags::new(&self.catalogs, self.stale);
        let mut judged: HashMap<LoneId, Option<usize>> = HashMap::new();
        let mut kept = Vec::new();
        // Worst on top; ties are unique (the key, then this segment's ords
        // of service and client, in text order as the selection's are).
        let mut best: BinaryHeap<(LonePlace, usize)> = BinaryHeap::new();
        let mut lone_kept: Vec<&Local> = Vec::new();
        for l in chains {
            if l.requests != 1 || table.in_several(l.key) {
                kept.push(l);
                continue;
            }
            let id = (l.code, l.api, l.service, l.status);
            let flags = match judged.get(&id) {
                Some(flags) => *flags,
                None => {
                    let flags = lone_flags(&mut lone, c, l)?;
                    judged.insert(id, flags);
                    flags
                }
            };
            let Some(n) = flags else {
                kept.push(l);
                continue;
            };
            if n == 0 && self.flagged_only {
                continue;
            }
            let order = |ord: u32| if ord == NO { 0 } else { ord + 1 };
            let rank = self
                .sort
                .rank(l.first, n, (l.key, order(l.service), order(l.client)));
            if best.len() >= self.limit && best.peek().is_some_and(|(worst, _)| *worst < rank) {
                continue;
            }
            lone_kept.push(l);
            best.push((rank, lone_kept.len() - 1));
            if best.len() > self.limit {
                best.pop();
            }
        }
        kept.extend(best.into_iter().map(|(_, at)| lone_kept[at]));
        Ok(kept)
    }
}

/// The findings of the lone request `l` judged from its columns (`None`:
/// only its events can tell).
fn lone_flags(
    lone: &mut LoneFlags<'_, LoneId>,
    c: &Columns,
    l: &Local,
) -> tantivy::Result<Option<usize>> {
    let text = |col: &Option<StrColumn>, field: &'static str, ord: u32| {
        let Some(col) = col.as_ref().filter(|_| ord != NO) else {
            return Ok(None);
        };
        let mut bytes = Vec::new();
        col.dictionary()
            .ord_to_term(u64::from(ord), &mut bytes)
            .map_err(|e| dictionary_error(field, e))?;
        Ok::<_, tantivy::TantivyError>(Some(String::from_utf8_lossy(&bytes).into_owned()))
    };
    let code = text(&c.code, "code", l.code)?;
    let api = text(&c.api, "api", l.api)?;
    let service = text(&c.service, "service", l.service)?;
    let request = Lone {
        status: l.status,
        code: code.as_deref(),
        api: api.as_deref(),
        service: service.as_deref(),
    };
    Ok(lone.flags((l.code, l.api, l.service, l.status), request))
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

/// A chain as seen in one segment: key rank; names are this segment's ords
/// ([`NO`] for none).
#[derive(Clone, Copy, Default)]
struct Local {
    key: u32,
    service: u32,
    client: u32,
    /// 0: no chain here yet.
    requests: u32,
    first: i64,
    code: u32,
    api: u32,
    status: Option<u16>,
}

/// No name (an ord of none).
const NO: u32 = u32::MAX;

/// One segment's chains: most keys have one (service, client), kept by the
/// key's ord with no hashing; the rest of a key's chains in `more`, by
/// (key ord, service, client). With no slots (a sparse scan), every chain
/// is in `more`.
#[derive(Default)]
struct Chains {
    by_ord: Vec<Local>,
    more: HashMap<(u32, u32, u32), Local>,
}

impl Chains {
    /// The chain of `fresh` (its key at `ord`), created from it if new.
    fn entry(&mut self, ord: u32, fresh: Local) -> &mut Local {
        let Some(slot) = self.by_ord.get_mut(ord as usize) else {
            let id = (ord, fresh.service, fresh.client);
            return self.more.entry(id).or_insert(fresh);
        };
        if slot.requests == 0 {
            *slot = fresh;
            return slot;
        }
        if (slot.service, slot.client) == (fresh.service, fresh.client) {
            return slot;
        }
        self.more
            .entry((ord, fresh.service, fresh.client))
            .or_insert(fresh)
    }

    fn iter(&self) -> impl Iterator<Item = &Local> {
        let first = self.by_ord.iter().filter(|l| l.requests > 0);
        first.chain(self.more.values())
    }
}

pub struct ScanSegment {
    columns: Option<Columns>,
    lone_top: Option<LoneTop>,
    /// `None`: a summary's key is its ord in this segment, ranked later.
    table: Option<Arc<KeyTable>>,
    seg: usize,
    matched: Option<Arc<BitSet>>,
    chains: Chains,
}

/// One segment's summaries, with names still to be made global (and keys
/// still to be ranked when the scan had no table: then with its column).
pub struct SegmentScan {
    seg: usize,
    key: Option<StrColumn>,
    names: Vec<String>,
    summaries: Vec<Summary>,
}

const NONE: u64 = NO as u64;

impl Collector for ChainScan {
    type Fruit = (Arc<KeyTable>, Scan);
    type Child = ScanSegment;

    fn for_segment(
        &self,
        seg: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<ScanSegment> {
        let seg = seg as usize;
        let mut scan = ScanSegment {
            columns: None,
            lone_top: self.lone_top.clone(),
            table: self.table.clone(),
            seg,
            matched: self.matched.clone(),
            chains: Chains::default(),
        };
        let key = match &self.table {
            Some(table) => table.column(seg).cloned(),
            None => reader.fast_fields().str("idempotency_key")?,
        };
        let Some(key) = key else {
            return Ok(scan);
        };
        if let Some(table) = self.table.as_ref().filter(|_| !self.sparse) {
            scan.chains.by_ord = vec![Local::default(); table.ranks(seg).len()];
        }
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

    fn merge_fruits(
        &self,
        fruits: Vec<tantivy::Result<SegmentScan>>,
    ) -> tantivy::Result<(Arc<KeyTable>, Scan)> {
        let mut fruits = fruits.into_iter().collect::<tantivy::Result<Vec<_>>>()?;
        let table = match &self.table {
            Some(table) => table.clone(),
            None => Arc::new(rank_met(&mut fruits)?),
        };
        let mut ids: HashMap<String, u32> = HashMap::new();
        let mut scan = Scan::default();
        let mut at: HashMap<(u32, u32, u32), usize> = HashMap::new();
        for fruit in fruits {
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
                if !table.in_several(s.key) {
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
        Ok((table, scan))
    }
}

/// Rank the keys the segments' summaries met (their ords) and give each
/// summary its key's rank.
fn rank_met(fruits: &mut [SegmentScan]) -> tantivy::Result<KeyTable> {
    let segments = fruits.iter().map(|f| f.seg + 1).max().unwrap_or(0);
    let mut columns = vec![None; segments];
    let mut seen = vec![Vec::new(); segments];
    for f in fruits.iter() {
        columns[f.seg] = f.key.clone();
        seen[f.seg] = f.summaries.iter().map(|s| s.key).collect();
    }
    let table = KeyTable::of_seen(columns, seen)?;
    for f in fruits.iter_mut() {
        for s in &mut f.summaries {
            s.key = table.rank(f.seg, s.key).unwrap_or(u32::MAX);
        }
    }
    Ok(table)
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
        let key = match &self.table {
            Some(table) => match table.rank(self.seg, ord as u32) {
                Some(rank) => rank,
                None => return,
            },
            None => ord as u32,
        };
        if self.matched.as_ref().is_some_and(|m| !m.contains(key)) {
            return;
        }
        let name = |col: &Option<StrColumn>| {
            col.as_ref()
                .and_then(|c| c.ords().first(doc))
                .map_or(NO, |o| o as u32)
        };
        let status = c.status.first(doc);
        let code = name(&c.code);
        if status.is_none() && code == NO {
            return;
        }
        let first = c.ts.first(doc).map_or(0, |t| t.into_timestamp_millis());
        let fresh = Local {
            key,
            service: name(&c.service),
            client: name(&c.client),
            requests: 0,
            first,
            code,
            api: name(&c.api),
            status: status.and_then(|s| u16::try_from(s).ok()),
        };
        let local = self.chains.entry(ord as u32, fresh);
        local.requests += 1;
        local.first = local.first.min(first);
    }

    fn harvest(self) -> tantivy::Result<SegmentScan> {
        let Some(c) = self.columns else {
            return Ok(SegmentScan {
                seg: self.seg,
                key: None,
                names: Vec::new(),
                summaries: Vec::new(),
            });
        };
        let chains: Vec<&Local> = match (&self.lone_top, &self.table) {
            (Some(top), Some(table)) => top.keep(&c, table, self.chains.iter())?,
            _ => self.chains.iter().collect(),
        };
        let mut names = Names::default();
        let pick = |f: fn(&Local) -> u32| chains.iter().map(move |l| u64::from(f(l)));
        let service = names.add(&c.service, "service", pick(|l| l.service))?;
        let client = names.add(&c.client, "client", pick(|l| l.client))?;
        let code = names.add(&c.code, "code", pick(|l| l.code))?;
        let api = names.add(&c.api, "api", pick(|l| l.api))?;
        let id = |map: &HashMap<u64, u32>, ord: u32| {
            if ord == NO { 0 } else { map[&u64::from(ord)] }
        };
        let summaries = chains
            .iter()
            .map(|l| Summary {
                key: l.key,
                service: id(&service, l.service),
                client: id(&client, l.client),
                requests: l.requests,
                first: l.first,
                code: id(&code, l.code),
                api: id(&api, l.api),
                status: l.status,
            })
            .collect();
        Ok(SegmentScan {
            seg: self.seg,
            key: self.table.is_none().then_some(c.key),
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
