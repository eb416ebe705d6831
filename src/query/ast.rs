//! ast: the query language parsed once, as data every store translates.
//! [`super::parse`] builds an [`Expr`] from what the user typed; the local
//! store turns it into a tantivy query (`index::translate`), another store
//! into its own language (SQL with bound parameters). Nothing here knows
//! any store.
//!
//! # Shape
//!
//! - [`Expr::All`] — every event (the empty query, `*`).
//! - [`Expr::And`] — every child holds. A child [`Expr::Not`] excludes what
//!   it matches; `Not` appears only as a child of `And`. A query that is only
//!   negative gets `All` first (`-code:x` is `And([All, Not(code:x)])`,
//!   "every event except"). A nested group that is only negative
//!   (`status:5xx AND (NOT service:x)`) is an `And` of `Not`s alone and
//!   matches nothing — tantivy's answer, which every store gives too.
//! - [`Expr::Or`] — at least one child holds. `Or(vec![])` matches nothing
//!   (an empty group, `()`).
//! - [`Expr::Term`] — the field equals the value exactly. Keyword fields
//!   (ids, `code`, `service`, `path`, …) compare whole strings, case
//!   sensitive; `status` a number, `ts` a time, `ts_inferred` a bool.
//!   `message` is never a `Term`: see `Text`.
//! - [`Expr::Text`] — words in `message`: the text is cut into words
//!   (lower-cased, split on non-alphanumerics, words over 40 bytes
//!   dropped — tantivy's default tokenizer); one word matches an event
//!   whose message contains it, several match them as a phrase, in order,
//!   at most `slop` words apart; with `prefix` the last word is a prefix.
//! - [`Expr::FreeText`] — a bare word or quoted phrase with no field: the
//!   event matches when the text equals its `request_id`,
//!   `idempotency_key`, `trace_id` or `code` exactly, or appears in its
//!   `message` as `Text` would find it. This is how a pasted request id,
//!   idempotency key or trace id finds its events (ids with special
//!   characters arrive here verbatim, quotes removed). A pasted trace form
//!   (`00-<trace>-<span>-01`, `Root=1-…`, `projects/p/traces/t`) becomes
//!   `Or([Term{trace_id, <the id it carries>}, FreeText{<as typed>}])`.
//! - [`Expr::Range`] — `lo ≤ field ≤ hi` with inclusive or exclusive bounds,
//!   either side unbounded (`status:[500 TO 599]`, `status:>=500`,
//!   `status:5xx`; `since:2h` is `ts ≥ now-2h`, `until:T` is `ts < T`).
//!   On keyword fields the bounds compare as strings (bytewise).
//! - [`Expr::In`] — the field equals one of the values (`code: IN [a b]`).
//! - [`Expr::Exists`] — the field has a value (`field:*`, `field:[* TO *]`).
//! - [`Expr::Regex`] — the whole keyword value (or one word of `message`)
//!   matches the pattern (`path:/\/v1\/.*/`).
//!
//! Boosts (`^2`) are accepted and dropped: answers are ordered by time,
//! never by relevance, so they change nothing.

use std::ops::Bound;

use chrono::{DateTime, Utc};

/// A query as data. See the module doc for what each node means.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    All,
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    Term {
        field: Field,
        value: Value,
    },
    Text {
        text: String,
        slop: u32,
        prefix: bool,
    },
    FreeText {
        text: String,
        slop: u32,
    },
    Range {
        field: Field,
        lo: Bound<Value>,
        hi: Bound<Value>,
    },
    In {
        field: Field,
        values: Vec<Value>,
    },
    Exists {
        field: Field,
    },
    Regex {
        field: Field,
        pattern: String,
    },
}

impl Expr {
    /// Every field a leaf of this expression names, in order, repeats kept.
    pub fn fields(&self) -> Vec<Field> {
        let mut out = Vec::new();
        self.walk(&mut |e| match e {
            Expr::Term { field, .. }
            | Expr::Range { field, .. }
            | Expr::In { field, .. }
            | Expr::Exists { field }
            | Expr::Regex { field, .. } => out.push(*field),
            Expr::Text { .. } => out.push(Field::Message),
            _ => {}
        });
        out
    }

    /// Visit this node and every node below it, parents first.
    pub fn walk(&self, visit: &mut impl FnMut(&Expr)) {
        visit(self);
        match self {
            Expr::And(children) | Expr::Or(children) => {
                children.iter().for_each(|c| c.walk(visit));
            }
            Expr::Not(inner) => inner.walk(visit),
            _ => {}
        }
    }
}

/// A value compared with a field, typed by the field's [`Kind`].
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Number(u64),
    Time(DateTime<Utc>),
    Bool(bool),
}

/// What a field's values are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Compared whole and exactly (ids, codes, names, paths).
    Keyword,
    /// Searched by words (`message`).
    Text,
    Number,
    Time,
    Bool,
}

/// The Event fields a query can name (DESIGN "The normalized Event"; the
/// names are the same in the query language, `--json` and every store).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Ts,
    TsInferred,
    RequestId,
    TraceId,
    IdempotencyKey,
    Code,
    Class,
    Service,
    Method,
    Path,
    Route,
    Client,
    Api,
    Status,
    Message,
}

impl Field {
    pub const ALL: [Field; 15] = [
        Field::Ts,
        Field::RequestId,
        Field::TraceId,
        Field::IdempotencyKey,
        Field::Service,
        Field::Method,
        Field::Path,
        Field::Route,
        Field::Status,
        Field::Code,
        Field::Class,
        Field::Message,
        Field::Client,
        Field::Api,
        Field::TsInferred,
    ];

    /// The fields a [`Expr::FreeText`] is looked up in as a whole value.
    pub const FREE_TEXT_IDS: [Field; 4] = [
        Field::RequestId,
        Field::IdempotencyKey,
        Field::TraceId,
        Field::Code,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Field::Ts => "ts",
            Field::TsInferred => "ts_inferred",
            Field::RequestId => "request_id",
            Field::TraceId => "trace_id",
            Field::IdempotencyKey => "idempotency_key",
            Field::Code => "code",
            Field::Class => "class",
            Field::Service => "service",
            Field::Method => "method",
            Field::Path => "path",
            Field::Route => "route",
            Field::Client => "client",
            Field::Api => "api",
            Field::Status => "status",
            Field::Message => "message",
        }
    }

    /// The field called `name`, if a query can name it.
    pub fn parse(name: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.as_str() == name)
    }

    pub fn kind(self) -> Kind {
        match self {
            Field::Ts => Kind::Time,
            Field::TsInferred => Kind::Bool,
            Field::Status => Kind::Number,
            Field::Message => Kind::Text,
            _ => Kind::Keyword,
        }
    }
}

impl std::fmt::Display for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
