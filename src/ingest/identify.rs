//! identify: is this file new, grown, rotated, replaced or unchanged? A file
//! is known by content (see [`super::checkpoint`]): the hash of its first
//! line picks candidate marks, and the bytes just before a mark's offset must
//! match its tail hash for reading to resume there. Otherwise the file is
//! read from the start.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use super::checkpoint::{Checkpoint, HEAD_LEN, hash};
use super::walk::{self, Compression, Counter};

/// What to do with a file.
pub enum Identity {
    /// No bytes at all.
    Empty,
    /// NUL bytes near the start: not a log.
    Binary,
    /// Everything in it is already indexed.
    Unchanged { size: u64 },
    /// Read `stream`, which starts at `offset` (line `lines + 1`).
    Read {
        stream: Box<dyn Read + Send>,
        head: u64,
        /// The checkpoint mark being continued, if any.
        mark: Option<usize>,
        offset: u64,
        lines: u64,
        /// The bytes just before `offset` (for the next tail hash).
        tail: Vec<u8>,
        compressed: bool,
    },
}

pub fn identify(path: &Path, checkpoint: &Checkpoint, counter: Counter) -> io::Result<Identity> {
    let (mut probe, compression) = walk::open(path, Counter::default())?;
    let mut head_buf = Vec::with_capacity(HEAD_LEN + 3);
    probe
        .by_ref()
        .take(HEAD_LEN as u64 + 3)
        .read_to_end(&mut head_buf)?;
    if head_buf.is_empty() {
        return Ok(Identity::Empty);
    }
    if walk::looks_binary(&head_buf) {
        return Ok(Identity::Binary);
    }
    let head = head_hash(&head_buf);
    let compressed = compression != Compression::None;
    let size = std::fs::metadata(path)?.len();
    let candidates: Vec<(usize, u64, u64, u64, u64)> = checkpoint
        .candidates(head)
        .map(|(i, m)| (i, m.offset, m.lines, m.tail, m.tail_len))
        .collect();
    for (idx, offset, lines, tail_hash, tail_len) in candidates.into_iter().rev() {
        let resumed = if compressed {
            resume_compressed(path, offset, tail_len, tail_hash, counter.clone())?
        } else {
            resume_plain(path, size, offset, tail_len, tail_hash, counter.clone())?
        };
        match resumed {
            Resume::No => continue,
            Resume::AtEnd => return Ok(Identity::Unchanged { size }),
            Resume::At(stream, tail) => {
                return Ok(Identity::Read {
                    stream,
                    head,
                    mark: Some(idx),
                    offset,
                    lines,
                    tail,
                    compressed,
                });
            }
        }
    }
    let (stream, _) = walk::open(path, counter)?;
    Ok(Identity::Read {
        stream,
        head,
        mark: None,
        offset: 0,
        lines: 0,
        tail: Vec::new(),
        compressed,
    })
}

/// Hash of the first line: BOM and line terminator excluded, at most
/// [`HEAD_LEN`] bytes.
fn head_hash(buf: &[u8]) -> u64 {
    let buf = buf.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(buf);
    let end = memchr::memchr(b'\n', buf)
        .unwrap_or(buf.len())
        .min(HEAD_LEN);
    let line = &buf[..end];
    hash(line.strip_suffix(b"\r").unwrap_or(line))
}

enum Resume {
    No,
    AtEnd,
    At(Box<dyn Read + Send>, Vec<u8>),
}

fn resume_plain(
    path: &Path,
    size: u64,
    offset: u64,
    tail_len: u64,
    tail_hash: u64,
    counter: Counter,
) -> io::Result<Resume> {
    if offset > size || tail_len > offset {
        return Ok(Resume::No);
    }
    let mut file = File::open(path)?;
    file.seek(SeekFrom::Start(offset - tail_len))?;
    let mut tail = vec![0; tail_len as usize];
    if file.read_exact(&mut tail).is_err() || hash(&tail) != tail_hash {
        return Ok(Resume::No);
    }
    if offset == size {
        return Ok(Resume::AtEnd);
    }
    let stream = BufReader::with_capacity(256 * 1024, CountingFile { file, counter });
    Ok(Resume::At(Box::new(stream), tail))
}

fn resume_compressed(
    path: &Path,
    offset: u64,
    tail_len: u64,
    tail_hash: u64,
    counter: Counter,
) -> io::Result<Resume> {
    if tail_len > offset {
        return Ok(Resume::No);
    }
    let (stream, _) = walk::open(path, counter)?;
    let mut stream = BufReader::with_capacity(256 * 1024, stream);
    let skip = offset - tail_len;
    if io::copy(&mut stream.by_ref().take(skip), &mut io::sink())? < skip {
        return Ok(Resume::No);
    }
    let mut tail = vec![0; tail_len as usize];
    if stream.read_exact(&mut tail).is_err() || hash(&tail) != tail_hash {
        return Ok(Resume::No);
    }
    // A truncated stream counts as "at end": what was readable is indexed.
    if stream.fill_buf().map(|b| b.is_empty()).unwrap_or(true) {
        return Ok(Resume::AtEnd);
    }
    Ok(Resume::At(Box::new(stream), tail))
}

struct CountingFile {
    file: File,
    counter: Counter,
}

impl Read for CountingFile {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.file.read(buf)?;
        self.counter
            .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(n)
    }
}
