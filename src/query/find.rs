//! find: one id → its events and retry chains. The id may be a request id
//! (exact, or a unique prefix of at least [`MIN_PREFIX`] characters), an
//! idempotency key or a trace id — verbatim whatever characters it holds,
//! or in any form that carries a trace id (a `traceparent`, an
//! `X-Amzn-Trace-Id` header, B3, `projects/<p>/traces/<t>`).

use std::collections::{BTreeSet, HashSet};

use tantivy::collector::DocSetCollector;
use tantivy::schema::Field;
use tantivy::{DocAddress, Searcher};

use super::FindResult;
use super::chains::build_chains;
use super::window::or;
use crate::error::Result;
use crate::index::LocalStore;
use crate::model::{Event, Source};

/// The shortest request-id prefix `find` accepts.
pub const MIN_PREFIX: usize = 8;
/// At most this many events are loaded for one id (the newest).
pub const MAX_EVENTS: usize = 10_000;

impl LocalStore {
    /// Find `id` as a request id, idempotency key, trace id or request-id prefix.
    pub fn find(&self, id: &str) -> Result<FindResult> {
        let id = id.trim();
        let f = self.fields.clone();
        let mut result = FindResult::nothing(id);
        if id.is_empty() {
            return Ok(result);
        }
        for (field, name) in [
            (f.request_id, "request_id"),
            (f.idempotency_key, "idempotency_key"),
            (f.trace_id, "trace_id"),
        ] {
            let (events, omitted) = self.events_matching(field, &[id.to_string()], MAX_EVENTS)?;
            if !events.is_empty() {
                result.matched_as = Some(name.to_string());
                result.events = events;
                result.omitted = omitted;
                break;
            }
        }
        // A pasted header or wrapped form (`traceparent`, `Root=1-…`, B3,
        // `projects/…/traces/…`) names the trace id it carries.
        // X-Ray and W3C write one trace in two notations: try the other.
        let trace = crate::normalize::bare_trace_id(id);
        if result.events.is_empty() {
            let mut forms: Vec<String> = Vec::new();
            if trace != id {
                forms.push(trace.to_string());
            }
            forms.extend(crate::normalize::xray_twin(trace));
            if !forms.is_empty() {
                result.events = self.events_with(f.trace_id, &forms)?;
            }
            if !result.events.is_empty() {
                result.matched_as = Some("trace_id".into());
            }
        }
        if result.events.is_empty() && id.chars().count() >= MIN_PREFIX {
            let terms = self.terms_with_prefix(f.request_id, id, 20)?;
            if terms.len() == 1 {
                result.matched_as = Some("request_id_prefix".into());
                (result.events, result.omitted) =
                    self.events_matching(f.request_id, &terms, MAX_EVENTS)?;
            } else {
                result.candidates = terms;
            }
        }
        result.chains = self.chains_of(
            &result.events,
            result.matched_as.as_deref() == Some("idempotency_key"),
        )?;
        Ok(result)
    }

    /// Ids in the index that share the longest prefix with `id` (for "did
    /// you mean" hints when nothing matched).
    pub fn suggest(&self, id: &str, limit: usize) -> Result<Vec<String>> {
        let f = self.fields.clone();
        let chars: Vec<(usize, char)> = id.char_indices().collect();
        for keep in (4..chars.len()).rev() {
            let prefix = &id[..chars[keep].0];
            let mut found = Vec::new();
            for field in [f.request_id, f.idempotency_key, f.trace_id] {
                found.extend(self.terms_with_prefix(field, prefix, limit)?);
            }
            if !found.is_empty() {
                found.sort();
                found.dedup();
                found.truncate(limit);
                return Ok(found);
            }
        }
        Ok(Vec::new())
    }

    /// The chains the found events belong to: every event sharing their
    /// keys, judged. With `whole_key`, every chain of the key is kept;
    /// otherwise only chains containing one of the found events.
    fn chains_of(&self, events: &[Event], whole_key: bool) -> Result<Vec<crate::model::Chain>> {
        let keys: BTreeSet<String> = events
            .iter()
            .filter_map(|e| e.idempotency_key.clone())
            .collect();
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let keys: Vec<String> = keys.into_iter().collect();
        let related = self.events_with(self.fields.idempotency_key, &keys)?;
        let mut chains = build_chains(related, &self.catalogs);
        if !whole_key {
            // One hash lookup per attempt, not a scan of every found event.
            let found: HashSet<&Source> = events.iter().map(|e| &e.source).collect();
            chains.retain(|c| c.attempts.iter().any(|a| found.contains(&a.source)));
        }
        Ok(chains)
    }

    /// Every event whose `field` is exactly one of `values`, oldest first
    /// (at most [`MAX_EVENTS`], the newest).
    pub(crate) fn events_with(&self, field: Field, values: &[String]) -> Result<Vec<Event>> {
        Ok(self.events_matching(field, values, MAX_EVENTS)?.0)
    }

    /// The newest `cap` events whose `field` is one of `values`, oldest
    /// first, and how many more matched.
    fn events_matching(
        &self,
        field: Field,
        values: &[String],
        cap: usize,
    ) -> Result<(Vec<Event>, u64)> {
        let searcher = self.searcher();
        let (mut addrs, omitted) = self.addrs_matching(&searcher, field, values, cap)?;
        addrs.sort();
        let mut events = self.events_at(&searcher, &addrs)?;
        events.sort_by(|a, b| {
            a.ts.cmp(&b.ts)
                .then_with(|| a.source.file.cmp(&b.source.file))
                .then(a.source.line.cmp(&b.source.line))
        });
        Ok((events, omitted))
    }

    /// Where the newest `cap` events whose `field` is one of `values` are,
    /// in no particular order, and how many more matched. Each value is
    /// looked up in each segment's term dictionary (a boolean query of term
    /// queries): a term-set query would stream the field's whole dictionary
    /// through an automaton, millions of idempotency keys at 10M events.
    pub(crate) fn addrs_matching(
        &self,
        searcher: &Searcher,
        field: Field,
        values: &[String],
        cap: usize,
    ) -> Result<(Vec<DocAddress>, u64)> {
        let docs = if let [value] = values {
            searcher.search(&*self.term(field, value), &DocSetCollector)?
        } else {
            let each = values.iter().map(|v| self.term(field, v)).collect();
            searcher.search(&or(each), &DocSetCollector)?
        };
        let mut addrs: Vec<DocAddress> = docs.into_iter().collect();
        let omitted = addrs.len().saturating_sub(cap) as u64;
        if omitted > 0 {
            newest_first(searcher, &mut addrs)?;
            addrs.truncate(cap);
        }
        Ok((addrs, omitted))
    }

    /// The smallest `limit` distinct terms of `field` starting with `prefix`.
    pub(crate) fn terms_with_prefix(
        &self,
        field: Field,
        prefix: &str,
        limit: usize,
    ) -> Result<Vec<String>> {
        let searcher = self.searcher();
        let mut found = BTreeSet::new();
        for segment in searcher.segment_readers() {
            let inverted = segment.inverted_index(field)?;
            let mut stream = inverted
                .terms()
                .range()
                .ge(prefix.as_bytes())
                .into_stream()
                .map_err(tantivy::TantivyError::from)?;
            // Each segment's first `limit` (and one more, so "more than
            // one" is seen): together they hold the smallest `limit` of all,
            // whatever the segments (a cap on the total would leave the
            // answer to depend on which segment was read first).
            let mut taken = 0;
            while taken <= limit && stream.advance() {
                let Ok(term) = std::str::from_utf8(stream.key()) else {
                    continue;
                };
                if !term.starts_with(prefix) {
                    break;
                }
                found.insert(term.to_string());
                taken += 1;
            }
        }
        Ok(found.into_iter().take(limit).collect())
    }
}

/// Order `addrs` newest first by their `ts` fast field.
fn newest_first(searcher: &Searcher, addrs: &mut [DocAddress]) -> Result<()> {
    let columns = searcher
        .segment_readers()
        .iter()
        .map(|r| r.fast_fields().date("ts"))
        .collect::<tantivy::Result<Vec<_>>>()?;
    addrs.sort_by_cached_key(|a| {
        let ts = columns[a.segment_ord as usize]
            .first(a.doc_id)
            .map_or(i64::MIN, |t| t.into_timestamp_micros());
        (std::cmp::Reverse(ts), *a)
    });
    Ok(())
}
