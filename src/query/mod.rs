//! query: the one query type shared by TUI and CLI, and the questions asked of
//! the index — search (also anchored at a time), find, groups, chains, stats, histogram; and around
//! one event: impact, timeline, context (over [`window`] tallies; the timeline
//! over one [`nearest`] pass). Each is
//! written here for the local index ([`crate::index::LocalStore`]) and asked
//! through the [`Store`] trait, so a TUI view and its one-shot command
//! cannot disagree. [`ast`] is the query language as data.

pub mod ast;
pub mod chains;
pub mod complete;
pub mod context;
#[cfg(test)]
mod dictionary_tests;
pub mod find;
mod grammar;
pub mod groupfiles;
mod grouping;
#[cfg(test)]
mod grouping_tests;
pub mod groups;
pub mod grouptable;
pub mod histogram;
pub mod impact;
pub mod keyed;
mod nearest;
mod newest;
#[cfg(test)]
mod newest_tests;
pub mod parse;
pub mod search;
pub mod stats;
pub mod timeline;
mod verbatim;
pub(crate) mod window;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{Chain, Event};

pub use crate::store::Store;
pub use groups::GroupSort;
pub use keyed::ChainSort;
pub use parse::{Query, QueryError};
pub use search::{Side, TimePage};

/// `errtriage search --json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchResult {
    pub query: String,
    /// How many events match (may exceed `events.len()`).
    pub total: u64,
    /// Newest first, at most the limit asked for.
    pub events: Vec<Event>,
}

/// `errtriage find --json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindResult {
    pub query: String,
    /// What the id was found as: `request_id`, `request_id_prefix`,
    /// `idempotency_key` or `trace_id`; `None` when nothing matched.
    pub matched_as: Option<String>,
    /// Oldest first.
    pub events: Vec<Event>,
    pub chains: Vec<Chain>,
    /// When a prefix matched several request ids: some of them.
    pub candidates: Vec<String>,
    /// Matching events left out: beyond [`find::MAX_EVENTS`], only the
    /// newest are kept.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub omitted: u64,
    /// `find --context`: the lines around the events, the events marked.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub context: Vec<context::ContextLine>,
}

impl FindResult {
    /// The answer for `query` before anything matched it (both stores
    /// start from it).
    pub fn nothing(query: &str) -> FindResult {
        FindResult {
            query: query.to_string(),
            matched_as: None,
            events: Vec::new(),
            chains: Vec::new(),
            candidates: Vec::new(),
            omitted: 0,
            context: Vec::new(),
        }
    }
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// The field `groups` groups by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    #[default]
    Code,
    Class,
    Status,
    Service,
    Route,
    Path,
    Client,
    /// The log format that read the line (`groups --by format`; not in the
    /// TUI's cycle).
    Format,
}

impl GroupBy {
    /// The order `b` cycles through in the TUI.
    pub const ALL: [GroupBy; 7] = [
        GroupBy::Code,
        GroupBy::Class,
        GroupBy::Status,
        GroupBy::Service,
        GroupBy::Route,
        GroupBy::Path,
        GroupBy::Client,
    ];

    /// Every field `groups --by` takes.
    pub const ANY: [GroupBy; 8] = [
        GroupBy::Code,
        GroupBy::Class,
        GroupBy::Status,
        GroupBy::Service,
        GroupBy::Route,
        GroupBy::Path,
        GroupBy::Client,
        GroupBy::Format,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            GroupBy::Code => "code",
            GroupBy::Class => "class",
            GroupBy::Status => "status",
            GroupBy::Service => "service",
            GroupBy::Route => "route",
            GroupBy::Path => "path",
            GroupBy::Client => "client",
            GroupBy::Format => "format",
        }
    }

    /// The field named `name` (`code`, `service`, …).
    pub fn parse(name: &str) -> Option<GroupBy> {
        GroupBy::ANY.into_iter().find(|g| g.as_str() == name)
    }

    pub fn next(self) -> GroupBy {
        let i = GroupBy::ALL.iter().position(|g| *g == self).unwrap_or(0);
        GroupBy::ALL[(i + 1) % GroupBy::ALL.len()]
    }
}

/// One group of `errtriage groups`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Group {
    /// The group's value; with two dimensions, both joined by ` · `.
    pub key: String,
    /// The value of each dimension, in the order of `by`.
    #[serde(default)]
    pub keys: Vec<String>,
    pub count: u64,
    #[serde(with = "crate::model::ts_millis")]
    pub first_seen: DateTime<Utc>,
    #[serde(with = "crate::model::ts_millis")]
    pub last_seen: DateTime<Utc>,
    /// Status → count, keys as strings (`"409"`); `"none"` for no status.
    pub statuses: BTreeMap<String, u64>,
    /// Events of the group whose time was inferred (the line had none).
    /// They set first/last seen only when no event of the group has a
    /// real time.
    #[serde(default)]
    pub inferred_ts: u64,
    /// Requests (events with a status or a code), the failed ones among
    /// them (status ≥ 400 or a code), and their ratio — present when every
    /// dimension says "where" (service, path, client, …) and the query does
    /// not restrict the status, code or class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requests: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errors: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_rate: Option<f64>,
    pub sample_request_id: String,
    /// The group's class when one class fits it: the key itself by class,
    /// the code's class (from the catalog, via the sample) by code, the
    /// status's class by status; absent for service, path and client.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    /// Counts over the query's time range in equal buckets (for sparklines).
    pub timeline: Vec<u64>,
}

/// `errtriage groups --json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupsResult {
    /// The dimensions: one field (`"code"` in JSON) or two (`["code",
    /// "service"]`).
    #[serde(with = "by_serde")]
    pub by: Vec<GroupBy>,
    pub groups: Vec<Group>,
    /// False when a segment of the index held more groups of the query than
    /// `groups` keeps per segment (see `query::grouptable`): a group may
    /// then be missing, or its counts low by up to `count_error_bound`.
    #[serde(default = "yes")]
    pub exact: bool,
    /// How far below the truth a count shown can be (0 when exact).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub count_error_bound: u64,
}

fn yes() -> bool {
    true
}

/// `errtriage chains --json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChainsResult {
    pub chains: Vec<Chain>,
}

/// `errtriage stats --json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    pub events: u64,
    pub files: u64,
    /// Input bytes ingested.
    pub bytes: u64,
    pub first_ts: Option<String>,
    pub last_ts: Option<String>,
    pub index_bytes: u64,
    /// Which store holds them, and where.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store: Option<crate::store::StoreInfo>,
}

/// Event counts over time for the query, in equal buckets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Histogram {
    #[serde(with = "crate::model::ts_millis")]
    pub start: DateTime<Utc>,
    #[serde(with = "crate::model::ts_millis")]
    pub end: DateTime<Utc>,
    pub counts: Vec<u64>,
}

/// `by` in JSON: a string for one dimension, a list for two.
mod by_serde {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::GroupBy;

    pub fn serialize<S: Serializer>(by: &[GroupBy], s: S) -> Result<S::Ok, S::Error> {
        match by {
            [one] => one.serialize(s),
            many => many.serialize(s),
        }
    }

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(GroupBy),
        Many(Vec<GroupBy>),
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<GroupBy>, D::Error> {
        Ok(match OneOrMany::deserialize(d)? {
            OneOrMany::One(b) => vec![b],
            OneOrMany::Many(v) => v,
        })
    }
}
