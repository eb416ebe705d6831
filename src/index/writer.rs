//! writer: the one long-lived tantivy writer. Documents are built anywhere
//! (in parallel, by [`to_document`]); adding and committing happen here, and
//! every commit carries the [`Checkpoint`] as its payload so the offsets and
//! the documents they produced become durable together.

use std::path::{Path, PathBuf};
use std::time::Duration;

use tantivy::directory::MmapDirectory;
use tantivy::directory::error::LockError;
use tantivy::indexer::IndexWriterOptions;
use tantivy::schema::TantivyDocument;
use tantivy::store::{Compressor, ZstdCompressor};
use tantivy::{DateTime as TDate, Index, IndexSettings, IndexWriter, TantivyError};

use super::derived::Derivation;
use super::errors::{incompatible, incompatible_cause, index_error};
use super::marks::MarksFile;
use super::merges;
use super::schema::{Fields, SCHEMA_VERSION, build_schema, ts_range};
use crate::catalog::Catalogs;
use crate::error::Result;
use crate::ingest::checkpoint::Checkpoint;
use crate::model::Event;
pub use crate::store::Discarded;

/// The indexing budget of the writer that only merges (tantivy's minimum
/// per thread; it indexes nothing).
const MERGE_WRITER_BYTES: usize = 15 << 20;

/// Bytes of raw lines per compressed docstore block.
const DOCSTORE_BLOCK: usize = 32 * 1024;
/// zstd level of the docstore blocks.
const DOCSTORE_ZSTD_LEVEL: i32 = 1;

/// Knobs for the writer; the defaults suit a 2-core laptop.
#[derive(Debug, Clone)]
pub struct WriterOptions {
    pub threads: usize,
    /// Total memory budget of the indexing threads.
    pub memory_bytes: usize,
    /// Delete whatever index is in the directory and start afresh.
    pub rebuild: bool,
}

impl Default for WriterOptions {
    fn default() -> Self {
        let threads = std::thread::available_parallelism()
            .map_or(2, |n| n.get())
            .clamp(1, 4);
        WriterOptions {
            threads,
            // Bigger flushes, fewer segments to open per query; peak RSS
            // stays ~0.75 GiB (BENCHMARKS.md).
            memory_bytes: 512 << 20,
            rebuild: false,
        }
    }
}

/// The write side of an index directory.
pub struct Writer {
    dir: PathBuf,
    writer: IndexWriter,
    fields: Fields,
    /// What the next commit will record.
    pub checkpoint: Checkpoint,
    /// Where the checkpoint's marks are kept between commits.
    marks: MarksFile,
    uncommitted: u64,
    /// When this writer took the lock: files written since are its own.
    opened: std::time::SystemTime,
}

impl Writer {
    /// Open (or create) the index in `dir`, waiting while another process
    /// holds the writer lock; `on_wait` is called once if it has to wait.
    pub fn open(dir: &Path, opts: &WriterOptions, on_wait: impl FnMut()) -> Result<Writer> {
        super::dir::prepare(dir, opts.rebuild)?;
        let index = match open_or_create(dir) {
            Ok(index) => index,
            // An index this version cannot open is replaced on --rebuild.
            Err(_) if opts.rebuild => {
                super::dir::remove_index_files(dir)?;
                super::dir::prepare(dir, false)?;
                open_or_create(dir)?
            }
            Err(e) => return Err(e),
        };
        let writer = lock(&index, dir, opts, on_wait)?;
        // Only now, holding the lock, is the last commit's checkpoint final:
        // another ingest may have committed while this one waited.
        let mut checkpoint = if opts.rebuild {
            writer
                .delete_all_documents()
                .map_err(|e| index_error(dir, e))?;
            Checkpoint::default()
        } else {
            // Every segment must open: adding to an index whose files are
            // gone would report success while every query fails.
            verify_segments(&index, dir)?;
            read_checkpoint(&index, dir)?
        };
        let marks = MarksFile::open(dir, &mut checkpoint, !opts.rebuild)?;
        Ok(Writer {
            dir: dir.to_path_buf(),
            writer,
            fields: Fields::new(),
            checkpoint,
            marks,
            uncommitted: 0,
            opened: std::time::SystemTime::now(),
        })
    }

    pub fn fields(&self) -> &Fields {
        &self.fields
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Queue one document (built by [`to_document`]).
    pub fn add(&mut self, doc: TantivyDocument) -> Result<()> {
        self.writer
            .add_document(doc)
            .map_err(|e| index_error(&self.dir, e))?;
        self.uncommitted += 1;
        Ok(())
    }

    /// Record, for the next commit, that documents are derived with
    /// `catalogs` and this normalizer (an index that already holds events
    /// keeps what it recorded: see [`Derivation::next`]).
    pub fn record_derivation(&mut self, catalogs: &Catalogs) {
        let cp = &mut self.checkpoint;
        let empty = cp.files.is_empty() && cp.totals.events == 0;
        cp.derived = Derivation::next(cp.derived.as_ref(), empty, Derivation::current(catalogs));
    }

    /// Delete every document at the next commit (documents added after this
    /// call are kept): with one commit after, the swap is atomic.
    pub(crate) fn delete_all(&mut self) -> Result<()> {
        self.writer
            .delete_all_documents()
            .map_err(|e| index_error(&self.dir, e))?;
        Ok(())
    }

    pub(crate) fn index(&self) -> &Index {
        self.writer.index()
    }

    /// Documents added since the last commit.
    pub fn uncommitted(&self) -> u64 {
        self.uncommitted
    }

    /// Make everything added so far durable, together with the checkpoint.
    pub fn commit(&mut self) -> Result<()> {
        // The changed marks are durable in the marks file before the
        // commit that names its length.
        let marks = self.marks.write(&mut self.checkpoint)?;
        let payload = self.checkpoint.to_payload_with(marks);
        let mut prepared = self
            .writer
            .prepare_commit()
            .map_err(|e| index_error(&self.dir, e))?;
        prepared.set_payload(&payload);
        prepared.commit().map_err(|e| index_error(&self.dir, e))?;
        self.marks.committed();
        self.uncommitted = 0;
        Ok(())
    }

    /// After a failed add or commit (a full disk): forget what was not
    /// committed and delete the files it had written (tantivy's garbage
    /// collection of files no commit refers to), so the index is its last
    /// commit again and the space is free. Says what was freed and kept.
    pub fn discard_uncommitted(&mut self) -> Result<Discarded> {
        let before = dir_bytes(&self.dir);
        self.writer
            .rollback()
            .map_err(|e| index_error(&self.dir, e))?;
        self.writer
            .garbage_collect_files()
            .wait()
            .map_err(|e| index_error(&self.dir, e))?;
        let index = self.writer.index().clone();
        self.checkpoint = read_checkpoint(&index, &self.dir)?;
        self.marks = MarksFile::open(&self.dir, &mut self.checkpoint, true)?;
        self.uncommitted = 0;
        let metas = index.load_metas().map_err(|e| index_error(&self.dir, e))?;
        let committed: Vec<String> = metas
            .segments
            .iter()
            .map(|s| s.id().uuid_string())
            .collect();
        remove_strays(&self.dir, &committed, self.opened);
        Ok(Discarded {
            freed_bytes: before.saturating_sub(dir_bytes(&self.dir)),
            kept_events: metas.segments.iter().map(|s| u64::from(s.num_docs())).sum(),
        })
    }

    /// Wait for background merges, then release the lock.
    pub fn finish(self) -> Result<()> {
        let dir = self.dir.clone();
        self.writer
            .wait_merging_threads()
            .map_err(|e| index_error(&dir, e))
    }

    /// After a bulk ingest: wait for background merges, then merge the
    /// committed segments into as few as fit the merge memory bound (see
    /// [`merges`]), so every later query opens fewer. Returns the number
    /// of segments left.
    pub fn compact_and_finish(self) -> Result<usize> {
        self.compact_and_finish_above(merges::FEW_SEGMENTS)
    }

    /// [`Writer::compact_and_finish`], merging only when more than `few`
    /// segments are committed (0: always).
    pub fn compact_and_finish_above(self, few: usize) -> Result<usize> {
        let dir = self.dir.clone();
        let index = self.writer.index().clone();
        self.writer
            .wait_merging_threads()
            .map_err(|e| index_error(&dir, e))?;
        let opts = WriterOptions {
            threads: 1,
            memory_bytes: MERGE_WRITER_BYTES,
            rebuild: false,
        };
        let mut writer = lock(&index, &dir, &opts, || {})?;
        merges::compact(&mut writer, &dir, few).map_err(|e| index_error(&dir, e))?;
        writer
            .wait_merging_threads()
            .map_err(|e| index_error(&dir, e))?;
        Ok(merges::segment_count(&index))
    }
}

/// Delete the segment files in `dir` written since `since` that no commit
/// refers to: what garbage collection missed (a file tantivy could not
/// record as its own while the disk was full). Nothing else writes there
/// while this process holds the writer lock.
fn remove_strays(dir: &Path, committed: &[String], since: std::time::SystemTime) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let stem = name.split('.').next().unwrap_or("");
        let is_segment_file = stem.len() == 32 && stem.bytes().all(|b| b.is_ascii_hexdigit());
        let recent = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| t >= since);
        if is_segment_file && recent && !committed.iter().any(|c| c == stem) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Total size of the files directly in `dir` (0 when unreadable).
fn dir_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum()
}

/// Build the tantivy document for an event. Pure; safe to call from any thread.
pub fn to_document(f: &Fields, e: &Event) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    // Clamped: a time beyond tantivy's i64 nanoseconds would wrap (ingest
    // never sends one; see `ts_range`).
    let ts = e.ts.clamp(ts_range::min(), ts_range::max());
    doc.add_date(f.ts, TDate::from_timestamp_millis(ts.timestamp_millis()));
    doc.add_bool(f.ts_inferred, e.ts_inferred);
    let texts = [
        (f.request_id, Some(e.request_id.as_str())),
        (f.trace_id, e.trace_id.as_deref()),
        (f.idempotency_key, e.idempotency_key.as_deref()),
        (f.code, e.code.as_deref()),
        (f.class, e.class.map(|c| c.as_str())),
        (f.service, e.service.as_deref()),
        (f.method, e.method.as_deref()),
        (f.path, e.path.as_deref()),
        (f.route, e.route.as_deref()),
        (f.client, e.client.as_deref()),
        (f.api, e.api.as_deref()),
        (f.format, e.format.as_deref()),
    ];
    for (field, value) in texts {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            doc.add_text(field, v);
        }
    }
    if let Some(s) = e.status {
        doc.add_u64(f.status, u64::from(s));
    }
    if let Some(m) = &e.message {
        // Normalization already redacted secrets from the message.
        doc.add_text(f.message, m);
    }
    doc.add_text(f.raw, &e.raw);
    doc.add_text(f.file, &e.source.file);
    doc.add_u64(f.line, e.source.line);
    doc.add_u64(f.offset, e.source.offset);
    doc
}

/// Take the writer lock, waiting while another process holds it.
fn lock(
    index: &Index,
    dir: &Path,
    opts: &WriterOptions,
    mut on_wait: impl FnMut(),
) -> Result<IndexWriter> {
    let mut waited = false;
    loop {
        let options = IndexWriterOptions::builder()
            .num_worker_threads(opts.threads)
            .memory_budget_per_thread(opts.memory_bytes / opts.threads)
            .build();
        match index.writer_with_options(options) {
            Ok(w) => {
                w.set_merge_policy(Box::new(merges::background_policy()));
                return Ok(w);
            }
            Err(TantivyError::LockFailure(LockError::LockBusy, _)) => {
                if !waited {
                    on_wait();
                    waited = true;
                }
                std::thread::sleep(Duration::from_millis(200));
            }
            Err(e) => return Err(index_error(dir, e)),
        }
    }
}

/// Open every segment once (the caller holds the writer lock, so no merge
/// can remove one meanwhile): a missing or unreadable file is an error now.
fn verify_segments(index: &Index, dir: &Path) -> Result<()> {
    index
        .reader_builder()
        .reload_policy(tantivy::ReloadPolicy::Manual)
        .try_into()
        .map(drop)
        .map_err(|e| index_error(dir, e))
}

fn open_or_create(dir: &Path) -> Result<Index> {
    let mmap = MmapDirectory::open(dir).map_err(|e| index_error(dir, e.into()))?;
    if Index::exists(&mmap).map_err(|e| index_error(dir, e.into()))? {
        let index = Index::open(mmap).map_err(|e| incompatible_cause(dir, e))?;
        if index.schema() != build_schema() {
            return Err(incompatible(dir, "its schema differs from this version's"));
        }
        return Ok(index);
    }
    // 32 KiB docstore blocks: JSON lines compress 4.25× instead of 3.66×
    // at 16 KiB (and faster), while a random `find` still decompresses
    // only ~30 µs per event (BENCHMARKS.md). Level 1, not 3: tantivy
    // compresses each block with a fresh zstd context, and level 1's are
    // smaller to set up and faster to fill, for ~1% more docstore.
    let settings = IndexSettings {
        docstore_compression: Compressor::Zstd(ZstdCompressor {
            compression_level: Some(DOCSTORE_ZSTD_LEVEL),
        }),
        docstore_blocksize: DOCSTORE_BLOCK,
        ..IndexSettings::default()
    };
    Index::builder()
        .schema(build_schema())
        .settings(settings)
        .open_or_create(mmap)
        .map_err(|e| index_error(dir, e))
}

/// The checkpoint of the last commit, refusing indexes of another version.
pub(crate) fn read_checkpoint(index: &Index, dir: &Path) -> Result<Checkpoint> {
    let metas = index.load_metas().map_err(|e| index_error(dir, e))?;
    let cp = Checkpoint::from_payload(metas.payload.as_deref())
        .map_err(|m: String| incompatible(dir, &m))?;
    if cp.version != SCHEMA_VERSION {
        return Err(incompatible(
            dir,
            &format!(
                "written by index format {}, this is {SCHEMA_VERSION}",
                cp.version
            ),
        ));
    }
    Ok(cp)
}
