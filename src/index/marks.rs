//! marks: where a local index keeps its checkpoint's file marks (each up to
//! ~16 KiB of line chain), so a commit does not rewrite every mark ever
//! made into tantivy's `meta.json`. The writer ([`super::writer`]) owns one
//! [`MarksFile`]: before each tantivy commit it appends the marks that
//! changed to `checkpoint.<G>.marks` (one JSON record a line) and fsyncs
//! it; the commit's payload then records the file's name and length
//! ([`MarksRef`]), so marks and documents become durable together. Loading
//! reads the file up to that length: bytes past it were appended by a run
//! killed before its commit, and are cut off when the next writer opens.
//!
//! Past twice its live size (the last record of each mark) the file is
//! compacted into `checkpoint.<G+1>.marks` (written whole, fsynced, the
//! directory too); the old one is deleted only after the commit naming the
//! new one, so the last commit's file always exists. A payload with the
//! marks inline (`files`, older indexes) migrates on the next commit.
//!
//! [`MarksRef`]: crate::ingest::checkpoint::MarksRef

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::errors::incompatible;
use crate::error::{Error, Result};
use crate::ingest::checkpoint::{Checkpoint, FileMark, MarksRef};

/// A marks file is compacted only past this size (and twice its live size).
const COMPACT_MIN: u64 = 64 * 1024;

/// Whether `name` is a marks file (`checkpoint.<digits>.marks`).
pub fn is_marks_file(name: &str) -> bool {
    name.strip_prefix("checkpoint.")
        .and_then(|n| n.strip_suffix(".marks"))
        .is_some_and(|g| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit()))
}

fn file_name(generation: u64) -> String {
    format!("checkpoint.{generation}.marks")
}

fn generation_of(name: &str) -> Option<u64> {
    name.strip_prefix("checkpoint.")?
        .strip_suffix(".marks")?
        .parse()
        .ok()
}

/// One line of a marks file: mark `i` is now `mark`.
#[derive(Serialize, Deserialize)]
struct Record<'a> {
    i: usize,
    mark: std::borrow::Cow<'a, FileMark>,
}

/// The writer's marks file.
#[derive(Debug)]
pub struct MarksFile {
    dir: PathBuf,
    generation: u64,
    /// Bytes written (and, once committed, durable).
    len: u64,
    /// Bytes of each mark's last record.
    sizes: Vec<u64>,
}

impl MarksFile {
    /// Load the marks `cp`'s payload names into `cp` (cutting off what a
    /// killed run appended past the recorded length), or, for a payload
    /// with marks inline or none, prepare a new file that the next commit
    /// writes every mark into. With `clean` (`cp` is the last commit's, not
    /// a rebuild's fresh one), marks files the last commit does not name
    /// are deleted: a failed or killed run's. The caller holds the writer
    /// lock.
    pub fn open(dir: &Path, cp: &mut Checkpoint, clean: bool) -> Result<MarksFile> {
        if clean {
            let keep = cp.marks.as_ref().map(|r| r.file.as_str());
            remove_stale(dir, keep);
        }
        let Some(r) = cp.marks.clone() else {
            let generation = newest_generation(dir).map_or(0, |g| g + 1);
            cp.touch_all();
            return Ok(MarksFile {
                dir: dir.to_path_buf(),
                generation,
                len: 0,
                sizes: Vec::new(),
            });
        };
        let generation = generation_of(&r.file)
            .filter(|_| is_marks_file(&r.file))
            .ok_or_else(|| {
                incompatible(dir, &format!("unreadable marks file name {:?}", r.file))
            })?;
        let path = dir.join(&r.file);
        let (marks, sizes) = read(&path, r.len, dir)?;
        if marks.len() as u64 != r.count {
            let msg = format!(
                "{} holds {} marks, its commit says {}",
                r.file,
                marks.len(),
                r.count
            );
            return Err(incompatible(dir, &msg));
        }
        cut_at(&path, r.len)?;
        cp.set_marks(marks);
        Ok(MarksFile {
            dir: dir.to_path_buf(),
            generation,
            len: r.len,
            sizes,
        })
    }

    fn path(&self) -> PathBuf {
        self.dir.join(file_name(self.generation))
    }

    /// Make the marks changed since the last commit durable (appended, or
    /// the whole file rewritten under the next generation when it has
    /// grown past twice its live size), and say what the commit records.
    pub fn write(&mut self, cp: &mut Checkpoint) -> Result<MarksRef> {
        let changed = cp.take_changed();
        self.sizes.resize(cp.files.len(), 0);
        let mut out = Vec::new();
        for &i in &changed {
            let start = out.len();
            encode(&mut out, i, &cp.files[i]);
            self.sizes[i] = (out.len() - start) as u64;
        }
        let live: u64 = self.sizes.iter().sum();
        let grown = self.len + out.len() as u64;
        if self.len > 0 && grown > COMPACT_MIN && grown > 2 * live {
            self.compact(cp)?;
        } else if !out.is_empty() || self.len == 0 {
            self.append(&out)?;
        }
        Ok(MarksRef {
            file: file_name(self.generation),
            len: self.len,
            count: cp.files.len() as u64,
        })
    }

    fn append(&mut self, bytes: &[u8]) -> Result<()> {
        let path = self.path();
        let io = |e| Error::io(&path, e);
        let created = self.len == 0;
        let mut file = OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(created)
            .open(&path)
            .map_err(io)?;
        if !created {
            // What a killed run appended was cut off when this one opened;
            // write exactly where the last commit ended.
            std::io::Seek::seek(&mut file, std::io::SeekFrom::Start(self.len)).map_err(io)?;
        }
        file.write_all(bytes).map_err(io)?;
        file.sync_data().map_err(io)?;
        if created {
            sync_dir(&self.dir)?;
        }
        self.len += bytes.len() as u64;
        Ok(())
    }

    /// Write every mark to the next generation's file.
    fn compact(&mut self, cp: &Checkpoint) -> Result<()> {
        let mut out = Vec::new();
        for (i, mark) in cp.files.iter().enumerate() {
            let start = out.len();
            encode(&mut out, i, mark);
            self.sizes[i] = (out.len() - start) as u64;
        }
        self.generation += 1;
        self.len = 0;
        self.append(&out)
    }

    /// After the commit recording this file: delete the files no commit
    /// needs any more (the one compaction replaced, and any left by a run
    /// killed between compacting and committing).
    pub fn committed(&mut self) {
        remove_stale(&self.dir, Some(&file_name(self.generation)));
    }
}

/// Delete the marks files in `dir` but `keep`.
fn remove_stale(dir: &Path, keep: Option<&str>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let stale = is_marks_file(&name) && keep != Some(name.as_str());
        if stale && entry.file_type().is_ok_and(|t| t.is_file()) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

fn encode(out: &mut Vec<u8>, i: usize, mark: &FileMark) {
    let record = Record {
        i,
        mark: std::borrow::Cow::Borrowed(mark),
    };
    serde_json::to_writer(&mut *out, &record).expect("a mark serializes");
    out.push(b'\n');
}

/// The marks in the first `len` bytes of `path`, and each one's last
/// record's size.
fn read(path: &Path, len: u64, dir: &Path) -> Result<(Vec<FileMark>, Vec<u64>)> {
    let file = File::open(path).map_err(|e| {
        incompatible(
            dir,
            &format!("its marks file {} cannot be read ({e})", path.display()),
        )
    })?;
    let mut reader = BufReader::new(file.take(len));
    let (mut marks, mut sizes) = (Vec::new(), Vec::new());
    let mut line = Vec::new();
    let mut at = 0u64;
    loop {
        line.clear();
        let n = reader
            .read_until(b'\n', &mut line)
            .map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        at += n as u64;
        let bad =
            |why: String| incompatible(dir, &format!("{} at byte {at}: {why}", path.display()));
        let record: Record = serde_json::from_slice(&line).map_err(|e| bad(e.to_string()))?;
        match record.i {
            i if i < marks.len() => {
                (marks[i], sizes[i]) = (record.mark.into_owned(), n as u64);
            }
            i if i == marks.len() => {
                marks.push(record.mark.into_owned());
                sizes.push(n as u64);
            }
            i => return Err(bad(format!("mark {i} before mark {}", marks.len()))),
        }
    }
    if at < len {
        return Err(incompatible(
            dir,
            &format!("{} is shorter than its commit says", path.display()),
        ));
    }
    Ok((marks, sizes))
}

/// Cut off what a killed run appended past the last commit.
fn cut_at(path: &Path, len: u64) -> Result<()> {
    let file = OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(|e| Error::io(path, e))?;
    let size = file.metadata().map_err(|e| Error::io(path, e))?.len();
    if size > len {
        file.set_len(len).map_err(|e| Error::io(path, e))?;
        file.sync_data().map_err(|e| Error::io(path, e))?;
    }
    Ok(())
}

/// The newest marks file generation in `dir`, if any.
fn newest_generation(dir: &Path) -> Option<u64> {
    std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .filter_map(|e| generation_of(&e.file_name().to_string_lossy()))
        .max()
}

/// Make a new file's directory entry durable.
fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| Error::io(dir, e))
}
