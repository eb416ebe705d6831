//! query: the one query type shared by TUI and CLI, and the questions asked of
//! the index — search, find, groups, chains, stats, histogram; and around
//! one event: impact, timeline, context (over [`window`] tallies). Each is a
//! method on [`Store`] so a TUI view and its one-shot command cannot disagree.

pub mod chains;
pub mod context;
pub mod find;
pub mod groups;
pub mod impact;
pub mod keyed;
pub mod parse;
pub mod search;
pub mod stats;
pub mod timeline;
mod window;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{Chain, Event};

pub use crate::index::Store;
pub use parse::{Query, QueryError};

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
    /// `find --context`: the lines around the events, the events marked.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub context: Vec<context::ContextLine>,
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

    pub fn as_str(self) -> &'static str {
        match self {
            GroupBy::Code => "code",
            GroupBy::Class => "class",
            GroupBy::Status => "status",
            GroupBy::Service => "service",
            GroupBy::Route => "route",
            GroupBy::Path => "path",
            GroupBy::Client => "client",
        }
    }

    pub fn next(self) -> GroupBy {
        let i = GroupBy::ALL.iter().position(|g| *g == self).unwrap_or(0);
        GroupBy::ALL[(i + 1) % GroupBy::ALL.len()]
    }
}

/// One group of `errtriage groups`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Group {
    pub key: String,
    pub count: u64,
    #[serde(with = "crate::model::ts_millis")]
    pub first_seen: DateTime<Utc>,
    #[serde(with = "crate::model::ts_millis")]
    pub last_seen: DateTime<Utc>,
    /// Status → count, keys as strings (`"409"`); `"none"` for no status.
    pub statuses: BTreeMap<String, u64>,
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
    pub by: GroupBy,
    pub groups: Vec<Group>,
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
