//! groups over ClickHouse: one `GROUP BY` with `count()`, `min/max(ts)`,
//! `countIf` for requests and errors, `sumMap` of statuses and of timeline
//! buckets — the local store's [`GroupsResult`], sorted by the same code.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::ClickHouse;
use super::sql::Condition;
use crate::Result;
use crate::model::Class;
use crate::query::groups::{GroupSort, TIMELINE_BUCKETS, is_where, sort_groups};
use crate::query::{Group, GroupBy, GroupsResult, Query};

#[derive(Deserialize)]
struct Row {
    k0: String,
    #[serde(default)]
    k1: String,
    count: u64,
    real_n: u64,
    real_min: u64,
    real_max: u64,
    inferred: u64,
    inferred_min: u64,
    inferred_max: u64,
    requests: u64,
    errors: u64,
    statuses: (Vec<u16>, Vec<u64>),
    timeline: (Vec<u64>, Vec<u64>),
    sample: String,
    sample_class: String,
}

#[derive(Deserialize)]
struct Bounds {
    real_n: u64,
    real_min: u64,
    real_max: u64,
    inferred_min: u64,
    inferred_max: u64,
}

impl ClickHouse {
    /// Groups by one field, largest first.
    pub fn groups(&self, q: &Query, by: GroupBy, limit: usize) -> Result<GroupsResult> {
        self.groups_by(q, &[by], GroupSort::Count, limit)
    }

    /// Groups the events matching `q` by one or two fields.
    pub fn groups_by(
        &self,
        q: &Query,
        by: &[GroupBy],
        sort: GroupSort,
        limit: usize,
    ) -> Result<GroupsResult> {
        let by: Vec<GroupBy> = by.iter().copied().take(2).collect();
        let (start, end) = self.span(q)?;
        let width = (end - start).max(1).unsigned_abs() + 1;
        let (cond, bind) = Condition::of(&q.expr)?;
        let keys: Vec<String> = by
            .iter()
            .enumerate()
            .map(|(i, b)| format!("{} AS k{i}", key_sql(*b)))
            .collect();
        let has: Vec<String> = by.iter().map(|b| format!("AND {}", has_sql(*b))).collect();
        let group_keys: Vec<String> = (0..by.len()).map(|i| format!("k{i}")).collect();
        let sql = format!(
            "SELECT {keys}, count() AS count, \
             countIf(ts_inferred = 0) AS real_n, minIf(ts, ts_inferred = 0) AS real_min, maxIf(ts, ts_inferred = 0) AS real_max, \
             countIf(ts_inferred = 1) AS inferred, minIf(ts, ts_inferred = 1) AS inferred_min, maxIf(ts, ts_inferred = 1) AS inferred_max, \
             countIf(isNotNull(status) OR code != '') AS requests, \
             countIf(code != '' OR ifNull(status >= 400, 0)) AS errors, \
             sumMap(if(isNull(status), emptyArrayUInt16(), [assumeNotNull(status)]), \
                    if(isNull(status), emptyArrayUInt64(), [toUInt64(1)])) AS statuses, \
             sumMap([toUInt64(least(intDiv(toUInt64(greatest(toInt64(ts) - {start}, 0)) * {TIMELINE_BUCKETS}, {width}), {last}))], [toUInt64(1)]) AS timeline, \
             any(request_id) AS sample, any(class) AS sample_class \
             FROM events WHERE ({cond}) {has} GROUP BY {group} ",
            keys = keys.join(", "),
            has = has.join(" "),
            group = group_keys.join(", "),
            last = TIMELINE_BUCKETS - 1,
        );
        let sql = sql + &top(sort, &group_keys, limit);
        let rows: Vec<Row> = self.client.rows(&sql, &bind)?;
        let rates = by.iter().all(|b| is_where(*b)) && !q.restricts_status();
        let mut groups: Vec<((), u64, Group)> = rows
            .into_iter()
            .map(|r| ((), r.errors, group(r, &by, rates)))
            .collect();
        sort_groups(&mut groups, sort);
        groups.truncate(limit);
        Ok(GroupsResult {
            by,
            groups: groups.into_iter().map(|(_, _, g)| g).collect(),
            // The server groups every row: nothing is cut.
            exact: true,
            count_error_bound: 0,
        })
    }

    /// The time span timelines cover: the query's since/until, else the
    /// store's first and last time (inferred times only when no real one).
    pub(super) fn span(&self, q: &Query) -> Result<(i64, i64)> {
        let rows: Vec<Bounds> = self.client.rows(
            "SELECT countIf(ts_inferred = 0) AS real_n, minIf(ts, ts_inferred = 0) AS real_min, \
             maxIf(ts, ts_inferred = 0) AS real_max, minIf(ts, ts_inferred = 1) AS inferred_min, \
             maxIf(ts, ts_inferred = 1) AS inferred_max FROM events",
            &Default::default(),
        )?;
        let (first, last) = match rows.first() {
            Some(b) if b.real_n > 0 => (b.real_min as i64, b.real_max as i64),
            Some(b) => (b.inferred_min as i64, b.inferred_max as i64),
            None => (0, 0),
        };
        let start = q.since.map_or(first, |t| t.timestamp_millis());
        let end = q.until.map_or(last, |t| t.timestamp_millis());
        Ok((start, end.max(start)))
    }
}

/// `ORDER BY … LIMIT` when the order is one the server can apply exactly as
/// `sort_groups` does (count or errors, then count, then the keys byte by
/// byte): only the groups shown cross the wire, not every group of a
/// high-cardinality field. Rate and last seen are ordered here after
/// fetching every group (their ties and inferred times are the library's).
fn top(sort: GroupSort, keys: &[String], limit: usize) -> String {
    let primary = match sort {
        GroupSort::Count => "count DESC",
        GroupSort::Errors => "errors DESC, count DESC",
        GroupSort::Rate | GroupSort::LastSeen => return String::new(),
    };
    if limit >= 1 << 32 {
        return String::new();
    }
    format!("ORDER BY {primary}, {} LIMIT {limit}", keys.join(", "))
}

/// The SQL of a group key, as the text `groups` shows.
fn key_sql(by: GroupBy) -> String {
    match by {
        GroupBy::Status => "toString(assumeNotNull(status))".into(),
        b => b.as_str().into(),
    }
}

/// "The event has this field" (events without it form no group).
fn has_sql(by: GroupBy) -> String {
    match by {
        GroupBy::Status => "isNotNull(status)".into(),
        b => format!("{} != ''", b.as_str()),
    }
}

fn group(r: Row, by: &[GroupBy], rates: bool) -> Group {
    let (first, last) = if r.real_n > 0 {
        (r.real_min, r.real_max)
    } else {
        (r.inferred_min, r.inferred_max)
    };
    let keys: Vec<String> = if by.len() == 2 {
        vec![r.k0, r.k1]
    } else {
        vec![r.k0]
    };
    let mut timeline = vec![0; TIMELINE_BUCKETS];
    for (b, n) in r.timeline.0.iter().zip(&r.timeline.1) {
        timeline[(*b as usize).min(TIMELINE_BUCKETS - 1)] += n;
    }
    let statuses: BTreeMap<String, u64> = r
        .statuses
        .0
        .iter()
        .zip(&r.statuses.1)
        .map(|(s, n)| (s.to_string(), *n))
        .collect();
    let class = match by {
        [GroupBy::Class, ..] => Some(keys[0].clone()),
        [GroupBy::Code, ..] => Some(r.sample_class).filter(|c| !c.is_empty()),
        [GroupBy::Status, ..] => keys[0]
            .parse()
            .ok()
            .and_then(Class::from_status)
            .map(|c| c.as_str().to_string()),
        _ => None,
    };
    let error_rate = (r.requests > 0).then(|| r.errors as f64 / r.requests as f64);
    Group {
        key: keys.join(" · "),
        keys,
        count: r.count,
        first_seen: to_chrono(first),
        last_seen: to_chrono(last),
        inferred_ts: r.inferred,
        statuses,
        requests: rates.then_some(r.requests),
        errors: rates.then_some(r.errors),
        error_rate: error_rate.filter(|_| rates),
        sample_request_id: r.sample,
        class,
        timeline,
    }
}

fn to_chrono(ms: u64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(ms as i64).unwrap_or_default()
}
