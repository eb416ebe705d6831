//! groups: the events matching a query, grouped by one field (code, class,
//! status, service, path, client, …) or a pair of them (`code,service`),
//! with counts, first/last seen, a status breakdown, requests/errors/error
//! rate, a sample request id and a timeline for sparklines, sorted by count,
//! errors, rate or last seen. The counting is a fast-field collector
//! ([`super::grouping`]): no document is loaded except one sample per
//! group. Groups visit only the documents that have the grouped fields (the
//! query intersected with exists-queries on their columns): most events are
//! successes without a code, and skipping them is most of the speed.

use tantivy::collector::Collector;
use tantivy::query::{BooleanQuery, ExistsQuery, Occur, Query as TQuery};
use tantivy::{DocAddress, Searcher};

use super::ast::Expr;
use super::groupfiles::{self, Sample, Tabled};
use super::grouping::{Acc, Grouped, GroupsCollector};
use super::grouptable::{Bounds, Cut, Order};
use super::histogram::to_chrono;
use super::{Group, GroupBy, GroupsResult, Query};
use crate::error::Result;
use crate::index::LocalStore;
use crate::index::derived::Derivation;
use crate::index::translate::to_tantivy;
use crate::model::Class;

/// How many buckets a group's timeline has.
pub const TIMELINE_BUCKETS: usize = 24;

/// The order of `groups`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GroupSort {
    /// Largest groups first.
    #[default]
    Count,
    /// Most failed requests first.
    Errors,
    /// Highest error rate first (groups without one last).
    Rate,
    /// Most recently seen first.
    LastSeen,
}

impl GroupSort {
    pub const ALL: [GroupSort; 4] = [
        GroupSort::Count,
        GroupSort::Errors,
        GroupSort::Rate,
        GroupSort::LastSeen,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            GroupSort::Count => "count",
            GroupSort::Errors => "errors",
            GroupSort::Rate => "rate",
            GroupSort::LastSeen => "last_seen",
        }
    }

    pub fn parse(s: &str) -> Option<GroupSort> {
        GroupSort::ALL.into_iter().find(|g| g.as_str() == s)
    }
}

/// Fields whose groups answer "where": they show requests, errors and the
/// error rate when the query does not restrict the status.
pub(crate) fn is_where(by: GroupBy) -> bool {
    !matches!(by, GroupBy::Code | GroupBy::Class | GroupBy::Status)
}

impl LocalStore {
    /// Group by one or two fields (`by`), sorted by `sort`, at most `limit`
    /// groups. Events without every one of the fields form no group.
    pub fn groups_by(
        &self,
        q: &Query,
        by: &[GroupBy],
        sort: GroupSort,
        limit: usize,
    ) -> Result<GroupsResult> {
        Ok(self.groups_with_cut(q, by, sort, limit)?.0)
    }

    /// [`Self::groups_by`], with what the segments' bounds cut (and how
    /// many accumulators they held).
    pub(crate) fn groups_with_cut(
        &self,
        q: &Query,
        by: &[GroupBy],
        sort: GroupSort,
        limit: usize,
    ) -> Result<(GroupsResult, Cut)> {
        let by: Vec<GroupBy> = by.iter().copied().take(2).collect();
        let searcher = self.searcher();
        let rates = by.iter().all(|b| is_where(*b)) && !q.restricts_status();
        let every_event = q.expr == Expr::All && q.since.is_none() && q.until.is_none();
        let (tabled, span) = match (every_event, self.dir(), by.as_slice()) {
            (true, Some(dir), [one]) => {
                let derived = Derivation::current(&self.catalogs);
                groupfiles::tables_for(dir, &searcher, *one, &derived, || self.span(q))?
            }
            _ => (Tabled::default(), self.span(q)?),
        };
        let mut samples = tabled.samples;
        let mut collector = GroupsCollector {
            by: by.clone(),
            span,
            buckets: TIMELINE_BUCKETS,
            every_event,
            bounds: Bounds::for_limit(limit, TIMELINE_BUCKETS),
            order: Order { sort, rates },
            tables: tabled.groups,
        };
        let grouped =
            if !collector.tables.is_empty() && collector.tables.iter().all(Option::is_some) {
                // Every segment has its table: merge them, nothing to scan.
                let fruits = std::mem::take(&mut collector.tables)
                    .into_iter()
                    .flatten()
                    .map(|groups| {
                        let cut = Cut::tabled(groups.len());
                        Ok((groups, cut))
                    })
                    .collect();
                collector.merge_fruits(fruits).map_err(|e| self.error(e))?
            } else {
                self.scan_groups(&searcher, q, &by, &collector)?
            };
        let mut rows: Vec<Row> = grouped
            .groups
            .into_iter()
            .map(|(keys, acc)| (acc.sample, acc.errors, group(keys, acc, rates)))
            .collect();
        sort_groups(&mut rows, sort);
        rows.truncate(limit);
        let mut groups = Vec::with_capacity(rows.len());
        for (sample, _, mut g) in rows {
            match samples.remove(&sample) {
                Some(known) => fill_known_sample(&mut g, known, &by),
                None => self.fill_sample(&searcher, &mut g, sample, &by)?,
            }
            groups.push(g);
        }
        let cut = grouped.cut;
        let result = GroupsResult {
            by,
            groups,
            exact: cut.dropped == 0,
            count_error_bound: cut.count_error_bound,
        };
        Ok((result, cut))
    }

    /// Run the groups collector over the segments (those with a table
    /// hand it over unread).
    fn scan_groups(
        &self,
        searcher: &Searcher,
        q: &Query,
        by: &[GroupBy],
        collector: &GroupsCollector,
    ) -> Result<Grouped> {
        let mut clauses: Vec<(Occur, Box<dyn TQuery>)> = vec![(Occur::Must, to_tantivy(&q.expr)?)];
        for b in by {
            clauses.push((
                Occur::Must,
                Box::new(ExistsQuery::new(b.as_str().into(), false)),
            ));
        }
        self.search_parallel(searcher, &BooleanQuery::new(clauses), collector)
    }

    /// The sample's request id, and the group's class where one fits.
    fn fill_sample(
        &self,
        searcher: &Searcher,
        g: &mut Group,
        sample: DocAddress,
        by: &[GroupBy],
    ) -> Result<()> {
        let sample = self.event_at(searcher, sample)?;
        let known = Sample {
            request_id: sample.request_id,
            class: sample.class.map(|c| c.as_str().to_string()),
        };
        fill_known_sample(g, known, by);
        Ok(())
    }
}

/// The sample's request id, and the group's class where one fits: the key
/// itself by class, the sample's by code, the status's by status.
fn fill_known_sample(g: &mut Group, sample: Sample, by: &[GroupBy]) {
    g.class = match by {
        [GroupBy::Class, ..] => Some(g.keys[0].clone()),
        [GroupBy::Code, ..] => sample.class,
        [GroupBy::Status, ..] => g.keys[0]
            .parse()
            .ok()
            .and_then(Class::from_status)
            .map(|c| c.as_str().to_string()),
        _ => None,
    };
    g.sample_request_id = sample.request_id;
}

/// One group from its accumulator. Inferred times set first/last seen only
/// when the group has no real time at all.
fn group(keys: Vec<String>, acc: Acc<DocAddress>, rates: bool) -> Group {
    let (first, last) = acc
        .real
        .get()
        .or_else(|| acc.inferred_span.get())
        .unwrap_or_default();
    let error_rate = (acc.requests > 0).then(|| acc.errors as f64 / acc.requests as f64);
    Group {
        key: keys.join(" · "),
        keys,
        count: acc.count,
        first_seen: to_chrono(first),
        last_seen: to_chrono(last),
        inferred_ts: acc.inferred,
        statuses: acc
            .statuses
            .iter()
            .map(|(s, n)| (s.to_string(), *n))
            .collect(),
        requests: rates.then_some(acc.requests),
        errors: rates.then_some(acc.errors),
        error_rate: error_rate.filter(|_| rates),
        sample_request_id: String::new(),
        class: None,
        timeline: acc.timeline,
    }
}

/// A group with its sample's address and its error count (sortable even
/// when the group shows no rates).
type Row = (DocAddress, u64, Group);

/// Sorts groups (each with its sample and error count) as `groups` shows
/// them; every store sorts with this.
pub(crate) fn sort_groups<S>(rows: &mut [(S, u64, Group)], sort: GroupSort) {
    rows.sort_by(|(_, ea, a), (_, eb, b)| {
        let primary = match sort {
            GroupSort::Count => b.count.cmp(&a.count),
            GroupSort::Errors => eb.cmp(ea),
            GroupSort::Rate => b
                .error_rate
                .unwrap_or(-1.0)
                .total_cmp(&a.error_rate.unwrap_or(-1.0)),
            GroupSort::LastSeen => b.last_seen.cmp(&a.last_seen),
        };
        primary
            .then_with(|| b.count.cmp(&a.count))
            .then_with(|| a.keys.cmp(&b.keys))
    });
}
