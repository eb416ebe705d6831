//! store: where normalized events live and are asked about. The local
//! tantivy index is in `index/`; [`clickhouse`] is the same store over a
//! ClickHouse server or cluster (DESIGN.md "Data flow": normalize ─► store ─►
//! query). Ingest feeds a store's sink; the query layer reads through it.

pub mod clickhouse;
