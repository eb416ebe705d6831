//! Nothing lost, nothing twice through real rotations. The follow loop is
//! driven tick by tick ([`Follower::tick`]) between file operations, in
//! many seeded random interleavings, so each race is replayed exactly
//! rather than hoped for with sleeps. Every line carries a unique id; the
//! index must hold each exactly once.

mod common;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use errtriage::catalog::Catalogs;
use errtriage::index::LocalStore;
use errtriage::index::{Writer, WriterOptions};
use errtriage::ingest::follow::Follower;
use errtriage::ingest::{IngestOptions, Ingestor, NoProgress};
use errtriage::query::Query;
use errtriage::store::Store as _;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const SEEDS: u64 = 12;

/// The writer every test here ingests with: one thread, a small budget.
fn open_writer(index: &Path) -> Writer {
    let opts = WriterOptions {
        threads: 1,
        memory_bytes: 20 << 20,
        rebuild: false,
    };
    Writer::open(index, &opts, || {}).unwrap()
}

fn line(id: &str) -> String {
    format!(
        r#"{{"timestamp":"2026-05-14T10:00:00Z","service":"svc","status":409,"path":"/v1/x","request_id":"{id}","message":"{}"}}"#,
        "m".repeat(id.len() % 37)
    ) + "\n"
}

/// A log writer that remembers every id it wrote.
struct Log {
    dir: PathBuf,
    next: usize,
    written: Vec<String>,
}

impl Log {
    fn new(dir: &Path) -> Log {
        std::fs::create_dir_all(dir).unwrap();
        Log {
            dir: dir.to_path_buf(),
            next: 0,
            written: Vec::new(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    fn lines(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| {
                let id = format!("req_{:07}", self.next);
                self.next += 1;
                self.written.push(id.clone());
                line(&id)
            })
            .collect()
    }

    fn append(&mut self, name: &str, n: usize) {
        let text = self.lines(n);
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.path(name))
            .unwrap();
        f.write_all(text.as_bytes()).unwrap();
    }
}

/// Ingest `paths` once, then follow them; `script` interleaves file
/// operations with ticks. Returns how often each id is indexed.
fn run(
    index: &Path,
    paths: &[PathBuf],
    script: impl FnOnce(&mut dyn FnMut()),
) -> BTreeMap<String, usize> {
    let catalogs = Catalogs::builtin();
    let mut writer = open_writer(index);
    {
        let mut ing = Ingestor::new(
            &mut writer,
            &catalogs,
            IngestOptions::default(),
            &NoProgress,
        );
        ing.ingest_paths(paths).unwrap();
        ing.commit_if_dirty().unwrap();
        let mut follower = Follower::new(&mut ing, paths);
        let mut tick = || follower.tick(&mut ing).unwrap();
        script(&mut tick);
        tick();
        tick();
        ing.finish().unwrap();
    }
    writer.finish().unwrap();
    counts(index)
}

fn counts(index: &Path) -> BTreeMap<String, usize> {
    let store = LocalStore::open(index, Catalogs::builtin()).unwrap();
    let mut out = BTreeMap::new();
    for e in store.search(&Query::all(), 1_000_000).unwrap().events {
        *out.entry(e.request_id).or_default() += 1;
    }
    out
}

fn assert_exactly_once(counts: &BTreeMap<String, usize>, written: &[String], what: &str) {
    let twice: Vec<_> = counts.iter().filter(|(_, n)| **n > 1).take(5).collect();
    let lost: Vec<_> = written
        .iter()
        .filter(|id| !counts.contains_key(*id))
        .take(5)
        .collect();
    assert!(
        twice.is_empty() && lost.is_empty() && counts.len() == written.len(),
        "{what}: {} written, {} indexed; twice {twice:?}; lost {lost:?}",
        written.len(),
        counts.values().sum::<usize>()
    );
}

/// Where a scenario follows: the log directory, or `app.log` by name.
#[derive(Clone, Copy)]
enum Follow {
    Dir,
    File,
}

/// For each seed: a fresh `app.log` of `first(rng)` lines, followed as
/// `follow` says while `script` rotates it between ticks; every line
/// written must be indexed exactly once. `script` returns what to add to a
/// failure's message.
fn exactly_once_per_seed(
    seeds: impl Iterator<Item = u64>,
    follow: Follow,
    first: impl Fn(&mut ChaCha8Rng) -> usize,
    script: impl Fn(&mut ChaCha8Rng, &mut Log, &mut dyn FnMut()) -> String,
) {
    for seed in seeds {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let tmp = tempfile::tempdir().unwrap();
        let mut log = Log::new(&tmp.path().join("logs"));
        log.append("app.log", first(&mut rng));
        let roots = [match follow {
            Follow::Dir => log.dir.clone(),
            Follow::File => log.path("app.log"),
        }];
        let mut what = String::new();
        let counts = run(&tmp.path().join("index"), &roots, |tick| {
            what = script(&mut rng, &mut log, tick);
        });
        assert_exactly_once(&counts, &log.written, &format!("seed {seed}{what}"));
    }
}

/// `cp app.log app.log.1 && : > app.log` with a slow copy (chunks, ticks in
/// between at random), then more lines.
#[test]
fn copytruncate_with_a_slow_copy_indexes_every_line_once() {
    exactly_once_per_seed(
        0..SEEDS,
        Follow::Dir,
        |_| 1500,
        |rng, log, tick| {
            log.append("app.log", rng.random_range(1..300));
            if rng.random_bool(0.5) {
                tick();
            }
            let content = std::fs::read(log.path("app.log")).unwrap();
            let mut copy = std::fs::File::create(log.path("app.log.1")).unwrap();
            let mut at = 0;
            while at < content.len() {
                let n = rng.random_range(1..40_000).min(content.len() - at);
                copy.write_all(&content[at..at + n]).unwrap();
                at += n;
                if rng.random_bool(0.6) {
                    tick();
                }
            }
            std::fs::File::create(log.path("app.log")).unwrap();
            if rng.random_bool(0.5) {
                tick();
            }
            log.append("app.log", rng.random_range(1..50));
            String::new()
        },
    );
}

/// `--follow app.log` while it is renamed away (lines still written to the
/// old file after the rename, before and after ticks) and recreated, several
/// times. Each new file lives for a tick at least: one created and rotated
/// away between two ticks is never seen under the followed name (follow
/// the directory for that).
#[test]
fn following_a_file_through_rename_rotations_loses_nothing() {
    exactly_once_per_seed(
        0..SEEDS,
        Follow::File,
        |_| 200,
        |rng, log, tick| {
            for round in 0..4 {
                tick();
                log.append("app.log", rng.random_range(1..200));
                if rng.random_bool(0.5) {
                    tick();
                }
                let old = format!("app.log.{round}");
                std::fs::rename(log.path("app.log"), log.path(&old)).unwrap();
                if rng.random_bool(0.3) {
                    tick();
                }
                // The writer has not reopened yet: lines go to the old file.
                log.append(&old, rng.random_range(0..30));
                if rng.random_bool(0.3) {
                    tick();
                }
                log.append("app.log", rng.random_range(1..50));
                log.append(&old, rng.random_range(0..5));
            }
            String::new()
        },
    );
}

/// logrotate's `compress`: the rotated file is gzipped progressively into a
/// followed directory (ticks see every partial .gz), then removed.
#[test]
fn a_gz_written_progressively_next_to_its_original_adds_nothing() {
    exactly_once_per_seed(
        0..SEEDS,
        Follow::Dir,
        |_| 3000,
        |rng, log, tick| {
            log.append("app.log", rng.random_range(1..100));
            if rng.random_bool(0.5) {
                tick();
            }
            std::fs::rename(log.path("app.log"), log.path("app.log.1")).unwrap();
            log.append("app.log", rng.random_range(1..100));
            let plain = std::fs::read(log.path("app.log.1")).unwrap();
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            gz.write_all(&plain).unwrap();
            let gz = gz.finish().unwrap();
            let mut out = std::fs::File::create(log.path("app.log.1.gz")).unwrap();
            for piece in gz.chunks(rng.random_range(500..20_000)) {
                out.write_all(piece).unwrap();
                if rng.random_bool(0.7) {
                    tick();
                }
            }
            std::fs::remove_file(log.path("app.log.1")).unwrap();
            log.append("app.log", rng.random_range(1..100));
            String::new()
        },
    );
}

/// A file that shrinks (`sed -i '$d'`: a new, shorter file), a partial copy
/// (`head -c`) completed later: each is what was already read.
#[test]
fn a_shrunk_file_and_a_partial_copy_completed_later_add_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let mut log = Log::new(&tmp.path().join("logs"));
    log.append("app.log", 3000);
    let index = tmp.path().join("index");
    let roots = [log.dir.clone()];
    let counts = run(&index, &roots, |tick| {
        let content = std::fs::read(log.path("app.log")).unwrap();
        let cut = content[..content.len() - 1]
            .iter()
            .rposition(|&b| b == b'\n')
            .unwrap()
            + 1;
        std::fs::write(log.path("shrunk.tmp"), &content[..cut]).unwrap();
        std::fs::rename(log.path("shrunk.tmp"), log.path("app.log")).unwrap();
        tick();
        std::fs::write(log.path("copy.log"), &content[..30_000]).unwrap();
        tick();
        std::fs::write(log.path("copy.log"), &content).unwrap();
        tick();
    });
    assert_exactly_once(&counts, &log.written, "shrink and copy");
}

/// Same size, same first line, same last 256 bytes, a different middle:
/// not "unchanged".
#[test]
fn a_changed_middle_is_not_unchanged() {
    let tmp = tempfile::tempdir().unwrap();
    let mut log = Log::new(&tmp.path().join("logs"));
    let first = log.lines(1000);
    std::fs::write(log.path("app.log"), &first).unwrap();
    let index = tmp.path().join("index");
    let roots = [log.path("app.log")];
    run(&index, &roots, |_| {});
    // Replace ids 100..900 with new ids of the same length.
    let changed = first
        .replace("req_00001", "req_90001")
        .replace("req_00002", "req_90002");
    assert_eq!(changed.len(), first.len());
    std::fs::write(log.path("app.log"), &changed).unwrap();
    let counts = run(&index, &roots, |_| {});
    for i in [100, 150, 299] {
        let id = format!("req_9{:06}", i);
        assert_eq!(counts.get(&id), Some(&1), "{id} never indexed");
    }
}

/// How a test shrinks a file before appending to it again.
#[derive(Clone, Copy, Debug)]
enum Shrink {
    /// `sed -i '$d'`: the last line.
    Line,
    /// Half a fingerprint block's worth of lines (32 KiB in the first MiB,
    /// 512 KiB after it): the cut lands inside a block or the one before.
    HalfBlock,
    /// Somewhere in the last 2,000 lines.
    Lines,
}

/// Rewrite `app.log` as its first lines only, `shrink` cut off its end: a
/// new file renamed over it (`sed -i`), or the same file truncated.
fn shrink(log: &Log, how: Shrink, in_place: bool, rng: &mut ChaCha8Rng) {
    let content = std::fs::read(log.path("app.log")).unwrap();
    let ends: Vec<usize> = line_ends(&content);
    let per_line = content.len() / ends.len().max(1);
    let drop = match how {
        Shrink::Line => 1,
        Shrink::HalfBlock if content.len() > (1 << 20) => (512 << 10) / per_line,
        Shrink::HalfBlock => (32 << 10) / per_line,
        Shrink::Lines => rng.random_range(1..2000),
    };
    let keep = ends.len().saturating_sub(drop).max(1);
    let cut = ends[keep - 1];
    if in_place {
        let f = std::fs::OpenOptions::new()
            .write(true)
            .open(log.path("app.log"))
            .unwrap();
        f.set_len(cut as u64).unwrap();
    } else {
        std::fs::write(log.path("app.tmp"), &content[..cut]).unwrap();
        std::fs::rename(log.path("app.tmp"), log.path("app.log")).unwrap();
    }
}

/// Offsets just past each `\n`.
fn line_ends(content: &[u8]) -> Vec<usize> {
    content
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .map(|(i, _)| i + 1)
        .collect()
}

/// A file shrunk (by a line, half a block, up to 2,000 lines; renamed over
/// or truncated in place) then appended to, several times, with ticks in
/// between at random: nothing lost, nothing indexed twice. The resume
/// point is the first line that differs from what was indexed.
fn shrink_then_append(seeds: impl Iterator<Item = u64>, first_lines: std::ops::Range<usize>) {
    let first = |rng: &mut ChaCha8Rng| rng.random_range(first_lines.clone());
    exactly_once_per_seed(seeds, Follow::Dir, first, |rng, log, tick| {
        let mut done = Vec::new();
        for _ in 0..4 {
            tick();
            let how = [Shrink::Line, Shrink::HalfBlock, Shrink::Lines][rng.random_range(0..3)];
            let in_place = rng.random_bool(0.3);
            shrink(log, how, in_place, rng);
            done.push((how, in_place));
            if rng.random_bool(0.7) {
                tick();
            }
            log.append("app.log", rng.random_range(1..30));
        }
        format!(": {done:?}")
    });
}

#[test]
fn a_file_shrunk_then_appended_to_loses_nothing_and_repeats_nothing() {
    shrink_then_append(0..SEEDS, 5..1500);
}

/// The same past the first MiB, where blocks are 1 MiB long.
#[test]
fn a_big_file_shrunk_then_appended_to_loses_nothing_and_repeats_nothing() {
    shrink_then_append(100..103, 9_000..14_000);
}

/// Files that all start with the same first line (a banner) are still
/// different files: a new short one is read, not taken for a prefix.
#[test]
fn files_sharing_only_a_first_line_are_all_read() {
    let tmp = tempfile::tempdir().unwrap();
    let mut log = Log::new(&tmp.path().join("logs"));
    let banner =
        r#"{"timestamp":"2026-05-14T10:00:00Z","message":"service started"}"#.to_string() + "\n";
    let long = banner.clone() + &log.lines(2000);
    std::fs::write(log.path("old.log"), long).unwrap();
    let roots = [log.dir.clone()];
    let counts = run(&tmp.path().join("index"), &roots, |tick| {
        let short = banner.clone() + &log.lines(3);
        std::fs::write(log.path("new.log"), short).unwrap();
        tick();
    });
    let mut counts = counts;
    assert_eq!(counts.remove(""), Some(2), "the banner of each file");
    assert_exactly_once(&counts, &log.written, "banner");
}

/// A file that cannot be read is reported once, not on every tick, and an
/// untouched file is not read again (a broken .gz is not re-decompressed).
#[test]
fn follow_reports_a_broken_file_once() {
    let tmp = tempfile::tempdir().unwrap();
    let mut log = Log::new(&tmp.path().join("logs"));
    log.append("app.log", 10);
    // A gzip header cut before its first block: nothing is readable.
    std::fs::write(log.path("broken.log.gz"), [0x1f, 0x8b, 8, 0, 0, 0]).unwrap();
    let catalogs = Catalogs::builtin();
    let mut writer = open_writer(&tmp.path().join("index"));
    let mut ing = Ingestor::new(
        &mut writer,
        &catalogs,
        IngestOptions::default(),
        &NoProgress,
    );
    let roots = [log.dir.clone()];
    ing.ingest_paths(&roots).unwrap();
    let mut follower = Follower::new(&mut ing, &roots);
    for _ in 0..5 {
        follower.tick(&mut ing).unwrap();
        log.append("app.log", 1);
    }
    follower.tick(&mut ing).unwrap();
    let summary = ing.finish().unwrap();
    let broken: Vec<_> = summary
        .problems
        .iter()
        .filter(|p| p.path.ends_with("broken.log.gz"))
        .collect();
    assert_eq!(broken.len(), 1, "{:?}", summary.problems);
    assert_eq!(summary.events, 15);
}

/// `--follow` does not decompress an untouched compressed file again on
/// every tick: its compressed stream is overwritten in place with garbage
/// of the same size and its mtime put back, so only a re-read could notice.
#[test]
fn follow_does_not_reread_an_untouched_compressed_file() {
    let tmp = tempfile::tempdir().unwrap();
    let mut log = Log::new(&tmp.path().join("logs"));
    log.append("app.log", 5);
    let text = log.lines(10);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(text.as_bytes()).unwrap();
    let gz_path = log.path("old.log.gz");
    std::fs::write(&gz_path, gz.finish().unwrap()).unwrap();
    let catalogs = Catalogs::builtin();
    let mut writer = open_writer(&tmp.path().join("index"));
    let mut ing = Ingestor::new(
        &mut writer,
        &catalogs,
        IngestOptions::default(),
        &NoProgress,
    );
    let roots = [log.dir.clone()];
    ing.ingest_paths(&roots).unwrap();
    let mut follower = Follower::new(&mut ing, &roots);
    follower.tick(&mut ing).unwrap();

    // Keep the gzip header, so a re-read decodes it and fails loudly.
    let meta = std::fs::metadata(&gz_path).unwrap();
    let mut bytes = std::fs::read(&gz_path).unwrap();
    bytes[10..].fill(0xff);
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .open(&gz_path)
        .unwrap();
    f.write_all(&bytes).unwrap();
    f.set_modified(meta.modified().unwrap()).unwrap();
    drop(f);

    for _ in 0..3 {
        follower.tick(&mut ing).unwrap();
        log.append("app.log", 1);
    }
    follower.tick(&mut ing).unwrap();
    let summary = ing.finish().unwrap();
    assert!(
        summary
            .problems
            .iter()
            .all(|p| !p.path.ends_with("old.log.gz")),
        "the untouched .gz was read again: {:?}",
        summary.problems
    );
    assert_eq!(summary.events, 18, "5 + 10 + 3 lines, each once");
    assert_eq!(summary.bad_lines, 0);
}
