//! pipeline: files and stdin → a store's [`Sink`]. A reader thread decompresses and
//! frames each file; batches of lines are normalized on every core (rayon);
//! the calling thread hands each batch's events to the sink in order and commits by size or
//! time, each commit carrying the checkpoint of exactly what it holds.
//! Bad lines are counted by reason and never stop the run.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant, UNIX_EPOCH};

use chrono::{DateTime, Utc};
use rayon::prelude::*;

use super::checkpoint::{FileMark, FileStat, hash};
use super::fingerprint::Fingerprint;
use super::identify::{Identity, identify};
use super::lines::{Batch, Chunk, Framer};
use super::parse::Parsed;
use super::summary::{Progress, Summary};
use super::walk::{self, Counter, Problem, read_error};
use crate::catalog::Catalogs;
use crate::error::Result;
use crate::model::{BadReason, Source};
use crate::normalize::Reader;
use crate::store::Sink;

/// Knobs of a run.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// Bytes per parse batch.
    pub batch_bytes: usize,
    /// Lines longer than this are skipped as `too_long`.
    pub max_line: usize,
    /// Commit after this many input bytes…
    pub commit_bytes: u64,
    /// …or this much time, whichever comes first.
    pub commit_interval: Duration,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            batch_bytes: 1 << 20,
            max_line: 16 << 20,
            // Each commit flushes every indexing thread's partial segment;
            // fewer, bigger commits leave fewer segments for queries to open.
            commit_bytes: 2 << 30,
            commit_interval: Duration::from_secs(60),
        }
    }
}

/// One run of ingest into a store's [`Sink`].
pub struct Ingestor<'a> {
    sink: &'a mut dyn Sink,
    catalogs: &'a Catalogs,
    opts: IngestOptions,
    progress: &'a dyn Progress,
    pub summary: Summary,
    started: Instant,
    last_commit: Instant,
    bytes_since_commit: u64,
    dirty: bool,
    /// Distinct sources read (for `summary.files`).
    sources: std::collections::HashSet<String>,
    /// Sources whose last line is still incomplete.
    waiting: std::collections::HashSet<String>,
    /// Don't count unchanged files (follow mode rescans them every tick).
    quiet_unchanged: bool,
    /// Follow mode: each path's `stat` when it was last found with nothing
    /// new, so an untouched file (a `.gz` above all) is not opened again.
    settled: std::collections::HashMap<PathBuf, FileStat>,
    /// Problems already reported (a file unreadable every tick is
    /// reported once).
    reported: std::collections::HashSet<(String, String)>,
    /// Set (e.g. by Ctrl-C) to stop after the current batch.
    stop: Option<&'a std::sync::atomic::AtomicBool>,
}

/// The state of the file being read.
struct FileState {
    source: String,
    mark: Option<usize>,
    head: u64,
    offset: u64,
    lines: u64,
    tail: Vec<u8>,
    fingerprint: Fingerprint,
    last_ts: DateTime<Utc>,
    /// Whether an unterminated last line that does not parse is left for
    /// later: always in a plain file (a writer may pause mid-line for any
    /// time), in a compressed one only when its stream is cut short.
    plain: bool,
    /// Whether progress is recorded in the checkpoint (not stdin).
    checkpointed: bool,
    /// The file when it was identified (recorded with the mark).
    stat: Option<FileStat>,
    /// The path it was opened by (for [`Ingestor::settled`]).
    path: Option<PathBuf>,
}

impl<'a> Ingestor<'a> {
    pub fn new(
        sink: &'a mut dyn Sink,
        catalogs: &'a Catalogs,
        opts: IngestOptions,
        progress: &'a dyn Progress,
    ) -> Self {
        let now = Instant::now();
        Ingestor {
            sink,
            catalogs,
            opts,
            progress,
            summary: Summary::default(),
            started: now,
            last_commit: now,
            bytes_since_commit: 0,
            dirty: false,
            sources: Default::default(),
            waiting: Default::default(),
            quiet_unchanged: false,
            settled: Default::default(),
            reported: Default::default(),
            stop: None,
        }
    }

    /// Stop reading (after the current batch) once `stop` is set.
    pub fn stop_on(&mut self, stop: &'a std::sync::atomic::AtomicBool) {
        self.stop = Some(stop);
    }

    fn stopping(&self) -> bool {
        self.stop.is_some_and(|s| s.load(Ordering::Relaxed))
    }

    /// Stop counting unchanged files (follow mode).
    pub fn quiet_unchanged(&mut self, quiet: bool) {
        self.quiet_unchanged = quiet;
    }

    /// Read whatever is new in the files under `paths` (no progress, no
    /// problems repeated): one tick of follow mode.
    pub fn rescan(&mut self, paths: &[PathBuf]) -> Result<()> {
        let roots: Vec<PathBuf> = paths
            .iter()
            .filter(|p| p.as_os_str() != "-")
            .cloned()
            .collect();
        let (files, _) = walk::expand(&roots, self.sink.skip_dir());
        for file in &files {
            if self.stopping() {
                break;
            }
            self.ingest_file(file)?;
        }
        Ok(())
    }

    /// Ingest files and directories (recursively); `-` is stdin, and so is
    /// a FIFO or a process substitution (`<(zcat f)`) read to its end.
    pub fn ingest_paths(&mut self, paths: &[PathBuf]) -> Result<()> {
        let mut roots = Vec::new();
        let mut streams = Vec::new();
        for path in paths.iter().filter(|p| p.as_os_str() != "-") {
            match walk::special_file(path) {
                Some(walk::Special::Stream) => streams.push(path.clone()),
                Some(walk::Special::Device(what)) => self.problem(
                    &path.display().to_string(),
                    &format!("{what}, not a log file; skipped"),
                ),
                None => roots.push(path.clone()),
            }
        }
        let (files, problems) = walk::expand(&roots, self.sink.skip_dir());
        for p in &problems {
            self.progress.note(&format!("{}: {}", p.path, p.message));
        }
        self.summary.problems.extend(problems);
        let total: u64 = files
            .iter()
            .filter_map(|f| std::fs::metadata(f).ok())
            .map(|m| m.len())
            .sum();
        self.progress.begin(total);
        if paths.iter().any(|p| p.as_os_str() == "-") {
            self.ingest_stdin()?;
        }
        for path in &streams {
            match std::fs::File::open(path) {
                Ok(f) => self.ingest_stream(&path.display().to_string(), Box::new(f))?,
                Err(e) => self.problem(&path.display().to_string(), &read_error(&e)),
            }
        }
        for file in &files {
            if self.stopping() {
                self.progress
                    .note("stopping: committing what was read so far");
                break;
            }
            self.ingest_file(file)?;
        }
        Ok(())
    }

    /// Read whatever of `path` is not yet in the index.
    pub fn ingest_file(&mut self, path: &Path) -> Result<()> {
        let name = walk::source_name(path);
        let before = std::fs::metadata(path).ok().map(|m| FileStat::of(&m));
        if self.quiet_unchanged && before.is_some() && self.settled.get(path) == before.as_ref() {
            return Ok(());
        }
        let counter = Counter::default();
        let ident = match identify(path, self.sink.checkpoint(), counter.clone()) {
            Ok(i) => i,
            Err(e) => {
                self.problem(&name, &read_error(&e));
                // Follow mode tries it again only once it changes.
                self.settle(path, before);
                return Ok(());
            }
        };
        let start = match ident {
            Identity::Empty => {
                self.summary.empty_files += 1;
                return Ok(());
            }
            Identity::Binary => {
                self.problem(&name, "binary file, skipped");
                return Ok(());
            }
            Identity::Unchanged { size } => {
                if !self.quiet_unchanged {
                    self.summary.unchanged_files += 1;
                }
                self.settle(path, before);
                self.progress.advance(size, 0);
                return Ok(());
            }
            Identity::Read(start) => *start,
        };
        if !start.compressed {
            self.progress.advance(start.offset, 0);
        }
        let state = FileState {
            source: name,
            mark: start.mark,
            head: start.head,
            offset: start.offset,
            lines: start.lines,
            tail: start.tail,
            fingerprint: start.fingerprint,
            last_ts: DateTime::<Utc>::from(
                UNIX_EPOCH + Duration::from_nanos(start.stat.mtime_ns.max(0) as u64),
            ),
            plain: !start.compressed,
            checkpointed: true,
            stat: Some(start.stat),
            path: Some(path.to_path_buf()),
        };
        self.read_stream(start.stream, state, &counter)
    }

    /// Remember that `path` had nothing new when it looked like `stat`.
    fn settle(&mut self, path: &Path, stat: Option<FileStat>) {
        if let (true, Some(stat)) = (self.quiet_unchanged, stat) {
            self.settled.insert(path.to_path_buf(), stat);
        }
    }

    /// Read stdin (decompressing it if need be); not checkpointed.
    pub fn ingest_stdin(&mut self) -> Result<()> {
        self.ingest_stream("<stdin>", Box::new(std::io::stdin()))
    }

    /// Read a stream to its end (stdin, a FIFO, a process substitution),
    /// decompressing it if need be; not checkpointed.
    pub fn ingest_stream(&mut self, name: &str, input: Box<dyn Read + Send>) -> Result<()> {
        let counter = Counter::default();
        let (stream, _) = match walk::decode(input, counter.clone()) {
            Ok(s) => s,
            Err(e) => {
                self.problem(name, &read_error(&e));
                return Ok(());
            }
        };
        let state = FileState {
            source: name.into(),
            mark: None,
            head: 0,
            offset: 0,
            lines: 0,
            tail: Vec::new(),
            fingerprint: Fingerprint::default(),
            last_ts: Utc::now(),
            plain: false,
            checkpointed: false,
            stat: None,
            path: None,
        };
        self.read_stream(stream, state, &counter)
    }

    fn read_stream(
        &mut self,
        stream: Box<dyn Read + Send>,
        mut state: FileState,
        counter: &Counter,
    ) -> Result<()> {
        if self.sources.insert(state.source.clone()) {
            self.summary.files += 1;
        }
        let (batch_bytes, max_line) = (self.opts.batch_bytes, self.opts.max_line);
        let (start, first_line) = (state.offset, state.lines + 1);
        let mut disk_seen = 0;
        std::thread::scope(|scope| -> Result<()> {
            let (tx, rx) = crossbeam_channel::bounded(4);
            scope.spawn(move || {
                let mut framer = Framer::new(stream, start, first_line, batch_bytes, max_line);
                loop {
                    let next = framer.next_chunk();
                    let stop = !matches!(next, Ok(Some(_)));
                    if tx.send(next).is_err() || stop {
                        break;
                    }
                }
            });
            for next in rx {
                if self.stopping() {
                    break;
                }
                match next {
                    Ok(Some(Chunk::Lines(batch))) => self.process_batch(&mut state, batch)?,
                    Ok(Some(Chunk::TooLong { line, offset, len })) => {
                        self.too_long(&mut state, line, offset, len)
                    }
                    Ok(None) => {}
                    Err(e) => {
                        let msg = format!(
                            "{} after {} bytes; the lines before it were kept",
                            read_error(&e),
                            state.offset
                        );
                        self.problem(&state.source, &msg);
                    }
                }
                let disk = counter.load(Ordering::Relaxed);
                self.progress.advance(disk - disk_seen, 0);
                disk_seen = disk;
                self.maybe_commit()?;
            }
            Ok(())
        })?;
        if !self.stopping() {
            self.settle_read(&state);
        }
        Ok(())
    }

    /// After a file was read as far as it goes: its mark remembers the file
    /// as it was, and follow mode leaves it alone until it changes.
    fn settle_read(&mut self, state: &FileState) {
        if let (Some(i), Some(stat)) = (state.mark, state.stat) {
            if self.sink.checkpoint_mut().set_stat(i, stat) {
                self.dirty = true;
            }
        }
        if let Some(path) = &state.path {
            self.settle(&path.clone(), state.stat);
        }
    }

    fn process_batch(&mut self, state: &mut FileState, batch: Batch) -> Result<()> {
        let lines: Vec<(u64, u64, &[u8])> = batch.lines().collect();
        let (file, max_line, catalogs) = (&state.source, self.opts.max_line, self.catalogs);
        let parsed: Vec<Parsed> = lines
            .par_iter()
            .with_min_len(64)
            // Each run of consecutive lines is read by one reader, which
            // carries format detection from a line to the next.
            .map_init(Reader::installed, |reader, &(line, offset, bytes)| {
                let source = Source {
                    file: file.clone(),
                    line,
                    offset,
                };
                super::parse::parse_line(reader, bytes, source, max_line, catalogs)
            })
            .collect();
        if batch.partial
            && (state.plain || batch.cut)
            && !matches!(parsed.first(), Some(Parsed::Good(..) | Parsed::Many(..)))
        {
            // A last line still being written (however long the writer
            // pauses), or cut short in a compressed file still being
            // written: never cut it, leave it for its newline.
            self.waiting.insert(state.source.clone());
            return Ok(());
        }
        self.waiting.remove(&state.source);
        let (mut read_lines, mut events) = (0, 0);
        let mut good = Vec::with_capacity(parsed.len());
        for (p, &(line, _, bytes)) in parsed.into_iter().zip(&lines) {
            match p {
                Parsed::Blank => continue,
                Parsed::Good(n, storable, repaired) => {
                    good.push(self.settle_time(state, *n, storable));
                    events += 1;
                    self.summary.repaired_utf8 += u64::from(repaired);
                }
                // Every event of the line goes into this batch, before any
                // commit: a line is indexed whole or not at all.
                Parsed::Many(many, repaired) => {
                    for (n, storable) in many {
                        good.push(self.settle_time(state, n, storable));
                        events += 1;
                    }
                    self.summary.repaired_utf8 += u64::from(repaired);
                }
                Parsed::Bad(reason) => self.bad_line(&state.source, line, reason, bytes),
            }
            read_lines += 1;
        }
        self.sink.add(good)?;
        self.summary.lines += read_lines;
        self.summary.events += events;
        let totals = &mut self.sink.checkpoint_mut().totals;
        totals.lines += read_lines;
        totals.events += events;
        let newlines = memchr::memchr_iter(b'\n', &batch.data).count() as u64;
        self.advance(state, &batch, newlines + u64::from(batch.partial));
        Ok(())
    }

    /// The event, its time kept (and remembered) when it can be stored;
    /// else the previous event's time, marked inferred.
    fn settle_time(
        &mut self,
        state: &mut FileState,
        mut n: crate::normalize::Normalized,
        storable: bool,
    ) -> crate::model::Event {
        if storable {
            state.last_ts = n.event.ts;
        } else {
            // A time the index cannot hold (before 1677, after 2262)
            // would wrap: it is replaced too.
            if n.has_ts {
                self.summary.out_of_range_ts += 1;
            }
            n.event.ts = state.last_ts;
            n.event.ts_inferred = true;
            self.summary.inferred_ts += 1;
        }
        n.event
    }

    fn too_long(&mut self, state: &mut FileState, line: u64, offset: u64, len: u64) {
        self.summary.lines += 1;
        self.sink.checkpoint_mut().totals.lines += 1;
        self.bad_line(
            &state.source.clone(),
            line,
            BadReason::TooLong,
            format!("({len} bytes)").as_bytes(),
        );
        state.tail.clear();
        state.offset = offset + len;
        state.lines += 1;
        // The skipped bytes are not at hand: the fingerprint restarts after
        // them (a file is then matched from this line on only).
        let probes = state.fingerprint.probes().to_vec();
        state.fingerprint =
            Fingerprint::resume(Vec::new(), state.offset, state.lines, &[], probes, None);
        self.count_bytes(len);
        self.record(state);
    }

    /// Move the file's mark past `batch` (which held `lines` lines). The
    /// batch's own offsets count bytes the framer skipped, like a BOM.
    fn advance(&mut self, state: &mut FileState, batch: &Batch, lines: u64) {
        let data = &batch.data;
        let len = data.len() as u64;
        state.offset = batch.end();
        state.lines += lines;
        state.fingerprint.update(data);
        let keep = super::checkpoint::TAIL_LEN as usize;
        if data.len() >= keep {
            state.tail = data[data.len() - keep..].to_vec();
        } else {
            state.tail.extend_from_slice(data);
            let excess = state.tail.len().saturating_sub(keep);
            state.tail.drain(..excess);
        }
        self.count_bytes(len);
        self.record(state);
    }

    fn count_bytes(&mut self, len: u64) {
        self.summary.bytes += len;
        self.bytes_since_commit += len;
        self.sink.checkpoint_mut().totals.bytes += len;
    }

    fn record(&mut self, state: &mut FileState) {
        self.dirty = true;
        let cp = self.sink.checkpoint_mut();
        if state.checkpointed {
            let mark = FileMark {
                path: state.source.clone(),
                head: state.head,
                tail: hash(&state.tail),
                tail_len: state.tail.len() as u64,
                offset: state.offset,
                lines: state.lines,
                blocks: state.fingerprint.blocks().to_vec(),
                block_start: state.fingerprint.block_start(),
                block_lines: state.fingerprint.block_lines(),
                partial: Some(state.fingerprint.partial()),
                probes: state.fingerprint.probes().to_vec(),
                // Set once the file is read as far as it goes (settle_read).
                stat: None,
                window: state.fingerprint.window(),
            };
            state.mark = Some(cp.record(state.mark, mark));
        }
    }

    fn bad_line(&mut self, file: &str, line: u64, reason: BadReason, bytes: &[u8]) {
        self.summary.bad_line(file, line, reason, bytes);
        let totals = &mut self.sink.checkpoint_mut().totals;
        totals.bad_lines += 1;
        *totals
            .bad_by_reason
            .entry(reason.as_str().to_string())
            .or_default() += 1;
    }

    fn problem(&mut self, path: &str, message: &str) {
        if !self
            .reported
            .insert((path.to_string(), message.to_string()))
        {
            return;
        }
        self.progress.note(&format!("{path}: {message}"));
        self.summary.problems.push(Problem {
            path: path.to_string(),
            message: message.to_string(),
        });
    }

    /// Commit if enough bytes or time have gone by since the last commit.
    pub fn maybe_commit(&mut self) -> Result<()> {
        if self.dirty
            && (self.bytes_since_commit >= self.opts.commit_bytes
                || self.last_commit.elapsed() >= self.opts.commit_interval)
        {
            self.commit()?;
        }
        Ok(())
    }

    /// Commit if anything was read since the last commit.
    pub fn commit_if_dirty(&mut self) -> Result<()> {
        if self.dirty { self.commit() } else { Ok(()) }
    }

    /// Commit now: documents and checkpoint together.
    pub fn commit(&mut self) -> Result<()> {
        self.sink.commit()?;
        self.last_commit = Instant::now();
        self.bytes_since_commit = 0;
        self.dirty = false;
        Ok(())
    }

    /// Commit what is left and return the summary.
    pub fn finish(mut self) -> Result<Summary> {
        if self.dirty {
            self.commit()?;
        }
        self.progress.end();
        self.summary.incomplete_tails = self.waiting.len() as u64;
        self.summary.seconds = self.started.elapsed().as_secs_f64();
        Ok(self.summary)
    }
}
