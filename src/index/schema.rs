//! schema: every tantivy field in one place. Field names are the Event's
//! (DESIGN: the same names are the tantivy fields and the query fields).
//!
//! Only the original line, its source and its time are stored: an Event is
//! rebuilt on read by normalizing `raw` again (normalization is pure), so the
//! docstore holds each line once and catalog changes apply without re-ingest.

use tantivy::schema::{
    DateOptions, DateTimePrecision, Field, IndexRecordOption, NumericOptions, STORED, Schema,
    TextFieldIndexing, TextOptions,
};

/// Bumped whenever the schema or the stored layout changes; an index written
/// by another version is refused with a clear "rebuild" error.
/// 2: term dictionaries are sstables (tantivy's `quickwit` feature), not FSTs.
/// 3: secrets are redacted from the id, path, code, service and client terms
/// (an older index holds them in clear, and its terms no longer match the
/// events read back).
/// 4: `route` (the path with its ids templated), a fast facet.
/// 5: `ts_inferred`, the mark of a time that was not read from the line.
/// 6: `format`, the log format that read the line (a fast facet); a line
/// that holds several events (OTLP, CloudWatch) is one document per event.
/// 7: `ts` is a fast field only, no longer in the inverted index: nearly
/// every event has its own millisecond, so the index held a term per event
/// that no query read (ranges on a fast field are answered from the column,
/// and an exact time is asked as a one-instant range; see `translate`).
pub const SCHEMA_VERSION: u32 = 7;

/// The times the `ts` field can hold: tantivy keeps dates as i64
/// nanoseconds (1677–2262); a time beyond would wrap silently (`9999-12-31`
/// stored as `1816-03-30`), so it is clamped or refused before it gets there.
pub mod ts_range {
    use chrono::{DateTime, Utc};

    /// The earliest time the index holds (whole milliseconds).
    pub fn min() -> DateTime<Utc> {
        DateTime::from_timestamp_millis(i64::MIN / 1_000_000).expect("in chrono's range")
    }

    /// The latest time the index holds (whole milliseconds).
    pub fn max() -> DateTime<Utc> {
        DateTime::from_timestamp_millis(i64::MAX / 1_000_000).expect("in chrono's range")
    }

    /// Whether `t` can be stored as it is.
    pub fn holds(t: DateTime<Utc>) -> bool {
        (min()..=max()).contains(&t)
    }
}

/// Exact-match identifiers: raw tokenizer, no positions, no fieldnorms.
pub const ID_FIELDS: [&str; 3] = ["request_id", "trace_id", "idempotency_key"];
/// Exact-match facets that are also aggregated (raw + fast).
pub const FACET_FIELDS: [&str; 9] = [
    "code", "class", "service", "method", "path", "route", "client", "api", "format",
];

/// Handles to every field, resolved once.
#[derive(Clone, Debug)]
pub struct Fields {
    pub schema: Schema,
    pub ts: Field,
    pub ts_inferred: Field,
    pub request_id: Field,
    pub trace_id: Field,
    pub idempotency_key: Field,
    pub code: Field,
    pub class: Field,
    pub service: Field,
    pub method: Field,
    pub path: Field,
    pub route: Field,
    pub client: Field,
    pub api: Field,
    pub format: Field,
    pub status: Field,
    pub message: Field,
    pub raw: Field,
    pub file: Field,
    pub line: Field,
    pub offset: Field,
}

impl Fields {
    pub fn new() -> Fields {
        Fields::from_schema(build_schema())
    }

    /// Resolve handles from a schema built by [`build_schema`].
    pub fn from_schema(schema: Schema) -> Fields {
        let f = |name: &str| schema.get_field(name).expect("field in errtriage schema");
        Fields {
            ts: f("ts"),
            ts_inferred: f("ts_inferred"),
            request_id: f("request_id"),
            trace_id: f("trace_id"),
            idempotency_key: f("idempotency_key"),
            code: f("code"),
            class: f("class"),
            service: f("service"),
            method: f("method"),
            path: f("path"),
            route: f("route"),
            client: f("client"),
            api: f("api"),
            format: f("format"),
            status: f("status"),
            message: f("message"),
            raw: f("raw"),
            file: f("file"),
            line: f("line"),
            offset: f("offset"),
            schema,
        }
    }
}

impl Default for Fields {
    fn default() -> Self {
        Fields::new()
    }
}

/// The one errtriage schema.
pub fn build_schema() -> Schema {
    let mut b = Schema::builder();
    let raw_indexing = TextFieldIndexing::default()
        .set_tokenizer("raw")
        .set_index_option(IndexRecordOption::Basic)
        .set_fieldnorms(false);
    let id = TextOptions::default().set_indexing_options(raw_indexing.clone());
    let facet = TextOptions::default()
        .set_indexing_options(raw_indexing)
        .set_fast("raw");

    // Fast and stored, not indexed: every question about time is a range,
    // answered from the column (BENCHMARKS.md "Ingest at the limit").
    b.add_date_field(
        "ts",
        DateOptions::default()
            .set_fast()
            .set_stored()
            .set_precision(DateTimePrecision::Milliseconds),
    );
    // Indexed (`ts_inferred:true`), fast (first/last seen skip inferred
    // times) and stored (the Event is rebuilt with it).
    b.add_bool_field(
        "ts_inferred",
        NumericOptions::default()
            .set_indexed()
            .set_fast()
            .set_stored(),
    );
    for name in ID_FIELDS {
        // idempotency_key is aggregated by `chains`, so it is fast as well.
        let opts = if name == "idempotency_key" {
            facet.clone()
        } else {
            id.clone()
        };
        b.add_text_field(name, opts);
    }
    for name in FACET_FIELDS {
        b.add_text_field(name, facet.clone());
    }
    b.add_u64_field("status", NumericOptions::default().set_indexed().set_fast());
    let message = TextFieldIndexing::default()
        .set_tokenizer("default")
        .set_index_option(IndexRecordOption::WithFreqsAndPositions)
        .set_fieldnorms(false);
    b.add_text_field(
        "message",
        TextOptions::default().set_indexing_options(message),
    );
    b.add_text_field("raw", STORED);
    b.add_text_field("file", STORED);
    b.add_u64_field("line", STORED);
    b.add_u64_field("offset", STORED);
    b.build()
}
