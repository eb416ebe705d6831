//! Criterion micro-benchmarks: the in-process cost of the pieces the
//! whole-process benchmark (`examples/bench`) times from outside —
//! normalizing a generated line of every wrapper style, and `find`,
//! `groups --by code` and a typical `search` on an index already open.
//! Subtracting these from the whole-process times shows what a one-shot
//! command pays just to start and open the index (BENCHMARKS.md).
//!
//! `cargo bench --bench micro` (the corpus is 50k generated lines).

#[allow(dead_code, unused_imports)]
#[path = "../examples/genlogs/gen.rs"]
mod generator;

use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use errtriage::catalog::Catalogs;
use errtriage::index::{LocalStore, Writer, WriterOptions};
use errtriage::ingest::{IngestOptions, Ingestor, NoProgress};
use errtriage::model::Source;
use errtriage::query::{GroupBy, Query};
use errtriage::store::Store as _;

const LINES: u64 = 50_000;
const SEARCH: &str = "code:slot_unavailable status:[400 TO 499] since:2026-05-14";

/// Generate the corpus and index it; the manifest says what to look for.
fn setup(dir: &Path) -> (Vec<Vec<String>>, String) {
    let corpus = dir.join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    let cfg = generator::Config {
        lines: LINES,
        seed: generator::DEFAULT_SEED,
        files: Some(2),
    };
    let manifest = generator::generate(&cfg, &corpus).unwrap();
    let needle = manifest["needles"][1]["request_id"]
        .as_str()
        .unwrap()
        .to_string();
    let catalogs = Catalogs::builtin();
    let mut writer = Writer::open(&dir.join("index"), &WriterOptions::default(), || {}).unwrap();
    let mut ingestor = Ingestor::new(
        &mut writer,
        &catalogs,
        IngestOptions::default(),
        &NoProgress,
    );
    ingestor
        .ingest_paths(std::slice::from_ref(&corpus))
        .unwrap();
    ingestor.finish().unwrap();
    writer.finish().unwrap();
    let mut lines = Vec::new();
    for entry in std::fs::read_dir(corpus.join("mixed")).unwrap() {
        // Generated files may hold invalid UTF-8 on purpose: repair it as
        // ingest does rather than benchmark such a file as empty.
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        lines.push(text.lines().take(5_000).map(String::from).collect());
    }
    (lines, needle)
}

fn benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let (lines, needle) = setup(dir.path());
    let source = Source {
        file: "bench.log".into(),
        line: 1,
        offset: 0,
    };

    let mut g = c.benchmark_group("normalize");
    g.throughput(Throughput::Bytes(
        lines.iter().flatten().map(|l| l.len() as u64 + 1).sum(),
    ));
    // As ingest reads: each file's lines in order by one Reader.
    g.bench_function("generated mix, 10k lines", |b| {
        b.iter(|| {
            lines
                .iter()
                .map(|file| {
                    let mut reader = errtriage::normalize::Reader::installed();
                    file.iter()
                        .filter(|l| reader.normalize(l, source.clone()).is_ok())
                        .count()
                })
                .sum::<usize>()
        })
    });
    g.finish();

    let store = LocalStore::open(&dir.path().join("index"), Catalogs::builtin()).unwrap();
    let all = Query::all();
    let search = Query::parse(SEARCH, chrono::Utc::now()).unwrap();
    let mut g = c.benchmark_group("query (index open, 50k events)");
    g.bench_function("find request id", |b| {
        b.iter(|| store.find(&needle).unwrap())
    });
    g.bench_function("find unique prefix", |b| {
        b.iter(|| store.find(&needle[..needle.len() - 4]).unwrap())
    });
    g.bench_function("groups --by code", |b| {
        b.iter(|| store.groups(&all, GroupBy::Code, 50).unwrap())
    });
    g.bench_function("search (typical, 50 newest)", |b| {
        b.iter(|| store.search(&search, 50).unwrap())
    });
    g.finish();
}

criterion_group!(micro, benches);
criterion_main!(micro);
