//! select: the second half of `chains` on the local index — rank the chain
//! summaries [`super::scan`] read from the columns, and load only what the
//! answer needs, through the selection both stores share ([`super::best`]).
//!
//! Every summary's bound goes into one heap, popped best first into
//! [`best_chains`]; a chain is loaded by its key's postings (the key's text
//! read from [`KeyTable`] only then). Memory holds the summaries, the
//! `limit` kept and one batch of events.
//!
//! The summaries may cover only a time window (a floor, [`Pick::floor`]):
//! then a lone request is placed from its columns only once its key is
//! known to have no other document (one dictionary lookup, made as it
//! comes to the top of the heap, where it waits at the place
//! [`ChainSort::check_bound`] gives it), a chain a narrower window judged
//! whole is placed from what was judged ([`Judged`]), and a window too
//! narrow to tell the answer says so, for a wider one.

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap, HashMap};

use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, DocSet, Searcher, TERMINATED, Term};

use super::ChainSort;
use super::best::{
    Candidate, Loader, Lone, LoneFlags, Pick, Rank, best_chains, most_flags, positions,
};
use super::keys::KeyTable;
use super::scan::{Scan, Summary};
use crate::error::Result;
use crate::index::LocalStore;
use crate::model::Chain;
use crate::query::chains::build_chains;

/// A chain's ties: its key's rank, its service's and client's ranks in
/// text order.
type Ties = (u32, u32, u32);

/// What a summary waiting in the heap needs before it is placed: its
/// events loaded and judged, nothing (a lone request, or a chain already
/// judged, with these findings), or — in a window — a check that its key
/// has no other document before it is placed so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Need {
    Load,
    Exact(usize),
    Check(usize),
}

/// A summary waiting in the heap: its bound, its position, what it needs.
type Todo = Reverse<(Rank<Ties>, usize, Need)>;

/// A chain's key, service and client, as their text.
type ChainId = (String, Option<String>, Option<String>);

/// Chains judged whole (every document of their key loaded), by key,
/// service and client: their first request's time (ms) and findings. A
/// wider window of the same question places them without loading them
/// again.
#[derive(Default)]
pub struct Judged(HashMap<ChainId, (i64, usize)>);

/// What selection works from.
pub struct Ask<'a> {
    pub keys: &'a KeyTable,
    pub scan: Scan,
    pub flagged_only: bool,
    pub sort: ChainSort,
    pub limit: usize,
    /// Set when `scan` covers a time window only ([`ChainSort::floor`]).
    pub floor: Option<(i64, i64)>,
}

impl LocalStore {
    /// The best `limit` chains of `ask.scan`, in order; `None` when the
    /// window of a partial scan is too narrow to tell.
    pub(super) fn select(
        &self,
        searcher: &Searcher,
        mut ask: Ask,
        judged: &mut Judged,
    ) -> Result<Option<Vec<Chain>>> {
        if ask.limit == 0 || (ask.scan.summaries.is_empty() && ask.floor.is_none()) {
            return Ok(Some(Vec::new()));
        }
        let order = name_order(&ask.scan.names);
        let mut lone = LoneFlags::new(&self.catalogs, self.is_stale());
        let mut todo: Vec<Todo> = Vec::with_capacity(ask.scan.summaries.len());
        for i in 0..ask.scan.summaries.len() {
            let s = &ask.scan.summaries[i];
            let alone = (s.requests == 1)
                .then(|| lone.flags((s.code, s.api, s.service, s.status), lone_of(&ask.scan, s)))
                .flatten();
            let need = match alone {
                Some(n) if ask.floor.is_some() => Need::Check(n),
                Some(n) => Need::Exact(n),
                None => match judged.of(&ask, s).map_err(|e| self.error(e))? {
                    // Judged whole by a narrower window: placed at its true
                    // first request, which this window may not hold.
                    Some((first, n)) => {
                        ask.scan.summaries[i].first = first;
                        Need::Exact(n)
                    }
                    None => Need::Load,
                },
            };
            // A clean lone request of a newest-first window is clean alone,
            // or its chain began before the window and ranks at or after
            // the floor: neither can enter a flagged answer.
            let clean_in_window = need == Need::Check(0) && ask.sort != ChainSort::Oldest;
            if ask.flagged_only && (need == Need::Exact(0) || clean_in_window) {
                continue;
            }
            let s = &ask.scan.summaries[i];
            let flags = match need {
                Need::Exact(n) => n,
                Need::Check(n) => ask.sort.check_bound(n),
                Need::Load => most_flags(s.requests),
            };
            todo.push(Reverse((
                ask.sort.rank(s.first, flags, ties(&order, s)),
                i,
                need,
            )));
        }
        let mut queue = Queue {
            store: self,
            searcher,
            ask: &ask,
            order,
            todo: BinaryHeap::from(todo),
        };
        let pick = Pick {
            sort: ask.sort,
            flagged_only: ask.flagged_only,
            limit: ask.limit,
            floor: ask.floor,
        };
        let mut loader = Chains {
            store: self,
            searcher,
            ask: &ask,
            judged,
        };
        best_chains(pick, std::iter::from_fn(|| queue.next()), &mut loader)
    }
}

/// A chain's ties, by `order` ([`name_order`]).
fn ties(order: &[u32], s: &Summary) -> Ties {
    (s.key, order[s.service as usize], order[s.client as usize])
}

/// The summaries, best bound first, as candidates of [`best_chains`].
struct Queue<'a> {
    store: &'a LocalStore,
    searcher: &'a Searcher,
    ask: &'a Ask<'a>,
    order: Vec<u32>,
    todo: BinaryHeap<Todo>,
}

impl Queue<'_> {
    /// The next candidate: a lone request of a window is checked as it
    /// comes to the top, then either put back at its exact place or
    /// handed on to be loaded.
    fn next(&mut self) -> Option<Result<Candidate<Ties, usize>>> {
        loop {
            let Reverse((bound, i, need)) = self.todo.pop()?;
            let s = &self.ask.scan.summaries[i];
            // Findings known, and the most it can have (its place).
            let (known, most) = match need {
                Need::Load => (None, most_flags(s.requests)),
                Need::Exact(n) => (Some(n), n),
                // At the floor the selection stops: no check is worth it
                // (handed on at the place it waited at, where it stops).
                Need::Check(n) if self.ask.floor.is_some_and(|f| bound.reaches(f)) => {
                    (None, self.ask.sort.check_bound(n))
                }
                Need::Check(n) => {
                    match self.store.one_document(self.searcher, self.ask.keys, s.key) {
                        Err(e) => return Some(Err(e)),
                        Ok(false) => (None, most_flags(s.requests)),
                        Ok(true) => {
                            let exact = self.ask.sort.rank(s.first, n, ties(&self.order, s));
                            self.todo.push(Reverse((exact, i, Need::Exact(n))));
                            continue;
                        }
                    }
                }
            };
            return Some(Ok(Candidate {
                first: s.first,
                ties: ties(&self.order, s),
                most,
                known,
                handle: i,
            }));
        }
    }
}

/// A lone request as its columns tell it.
fn lone_of<'s>(scan: &'s Scan, s: &Summary) -> Lone<'s> {
    Lone {
        status: s.status,
        code: scan.name(s.code),
        api: scan.name(s.api),
        service: scan.name(s.service),
    }
}

impl Judged {
    /// What an earlier window judged of the chain of `s`, if it did.
    fn of(&self, ask: &Ask, s: &Summary) -> tantivy::Result<Option<(i64, usize)>> {
        if self.0.is_empty() {
            return Ok(None);
        }
        let name = |id| ask.scan.name(id).map(str::to_string);
        let id = (ask.keys.text(s.key)?, name(s.service), name(s.client));
        Ok(self.0.get(&id).copied())
    }

    /// Remember chains built from every document of their keys.
    fn remember(&mut self, chains: &[Chain]) {
        for c in chains {
            let first = c.attempts.first().map_or(0, |e| e.ts.timestamp_millis());
            let id = (
                c.idempotency_key.clone(),
                c.service.clone(),
                c.client.clone(),
            );
            self.0.insert(id, (first, c.flags.len()));
        }
    }
}

/// Chains read from the index by the summaries' positions.
struct Chains<'a> {
    store: &'a LocalStore,
    searcher: &'a Searcher,
    ask: &'a Ask<'a>,
    judged: &'a mut Judged,
}

impl Loader for Chains<'_> {
    type Handle = usize;

    /// The chains of the summaries `wanted`, built from every event of
    /// their keys.
    fn load(&mut self, wanted: &[usize]) -> Result<Vec<(usize, Chain)>> {
        let (store, ask) = (self.store, self.ask);
        let summary = |i: usize| &ask.scan.summaries[i];
        let mut texts: HashMap<u32, String> = HashMap::with_capacity(wanted.len());
        for &i in wanted {
            let rank = summary(i).key;
            if let std::collections::hash_map::Entry::Vacant(e) = texts.entry(rank) {
                e.insert(ask.keys.text(rank).map_err(|e| store.error(e))?);
            }
        }
        let keys: BTreeSet<&str> = texts.values().map(String::as_str).collect();
        let addrs = store
            .docs_of(self.searcher, &keys)
            .map_err(|e| store.error(e))?;
        let events = store.events_at_parallel(self.searcher, &addrs)?;
        let chains = build_chains(events, &store.catalogs);
        self.judged.remember(&chains);
        let name = |id: u32| ask.scan.name(id);
        let ids = wanted.iter().map(|&i| {
            let s = summary(i);
            (texts[&s.key].as_str(), name(s.service), name(s.client))
        });
        Ok(positions(chains, ids))
    }
}

impl LocalStore {
    /// Whether the key of `rank` is on one document of the whole index
    /// (deleted ones counted: a doubt means no).
    fn one_document(&self, searcher: &Searcher, keys: &KeyTable, rank: u32) -> Result<bool> {
        if keys.in_several(rank) {
            return Ok(false);
        }
        let text = keys.text(rank).map_err(|e| self.error(e))?;
        let term = Term::from_field_text(self.fields.idempotency_key, &text);
        let mut docs = 0;
        for reader in searcher.segment_readers() {
            let inverted = reader
                .inverted_index(self.fields.idempotency_key)
                .map_err(|e| self.error(e))?;
            if let Some(info) = inverted
                .get_term_info(&term)
                .map_err(|e| self.error(e.into()))?
            {
                docs += info.doc_freq;
            }
        }
        Ok(docs == 1)
    }

    /// The documents of `keys`, in address order: one dictionary lookup per
    /// key and segment (a term-set query would walk each dictionary whole).
    fn docs_of(
        &self,
        searcher: &Searcher,
        keys: &BTreeSet<&str>,
    ) -> tantivy::Result<Vec<DocAddress>> {
        let field = self.fields.idempotency_key;
        let mut addrs = Vec::new();
        for (seg, reader) in searcher.segment_readers().iter().enumerate() {
            let inverted = reader.inverted_index(field)?;
            for key in keys {
                let term = Term::from_field_text(field, key);
                let Some(mut postings) = inverted.read_postings(&term, IndexRecordOption::Basic)?
                else {
                    continue;
                };
                let mut doc = postings.doc();
                while doc != TERMINATED {
                    if !reader.is_deleted(doc) {
                        addrs.push(DocAddress::new(seg as u32, doc));
                    }
                    doc = postings.advance();
                }
            }
        }
        addrs.sort_unstable();
        Ok(addrs)
    }
}

/// Each name id's rank in text order (0 for none stays 0), so ties break
/// as `build_chains` breaks them.
fn name_order(names: &[String]) -> Vec<u32> {
    let mut by_text: Vec<u32> = (1..=names.len() as u32).collect();
    by_text.sort_unstable_by(|a, b| names[*a as usize - 1].cmp(&names[*b as usize - 1]));
    let mut order = vec![0; names.len() + 1];
    for (rank, id) in by_text.into_iter().enumerate() {
        order[id as usize] = rank as u32 + 1;
    }
    order
}
