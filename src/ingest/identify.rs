//! identify: is this file new, grown, rotated, a copy, a prefix, replaced or
//! unchanged? A file is known by content (see [`super::checkpoint`]): the
//! hash of its first line picks candidate marks, then
//!
//! 1. a mark that saw this very file (device, inode, size, mtime) read to
//!    its end: unchanged, nothing is opened beyond the first line;
//! 2. a mark of the same inode that the file has grown past: the open block
//!    and the last bytes before the mark are checked, and reading resumes;
//! 3. otherwise the file is scanned and fingerprinted up to the longest
//!    candidate: it *continues* a mark (same bytes up to its offset: resume
//!    there), is a *prefix* of one (a copy in progress, a shrunk file, a
//!    partial copy: nothing new), or *diverges* from one after some blocks
//!    (resume at the first differing block, a line start), else it is new.
//!
//! The mark's window of last lines (see [`super::linechain`]) makes the
//! last two exact within its last 4,096 lines: a prefix is one line by
//! line, and the same file shrunk and then appended to resumes at its
//! first line that differs from what was read. Shrunk further back than
//! the window, the same file is read again from the block boundary before
//! the cut: up to one block repeated, nothing lost.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use super::checkpoint::{Checkpoint, FileMark, FileStat, HEAD_LEN, TAIL_LEN, hash};
use super::fingerprint::Fingerprint;
use super::linechain::WINDOW_LINES;
use super::walk::{self, Compression, Counter};

/// What to do with a file.
pub enum Identity {
    /// No bytes at all.
    Empty,
    /// Not a log (see [`walk::looks_binary`]).
    Binary,
    /// Nothing in it that is not already indexed.
    Unchanged { size: u64 },
    /// Read from a point.
    Read(Box<Start>),
}

/// Where and how to read a file.
pub struct Start {
    /// The file's bytes from `offset` on (decompressed).
    pub stream: Box<dyn Read + Send>,
    pub head: u64,
    /// The checkpoint mark being continued, if any.
    pub mark: Option<usize>,
    pub offset: u64,
    /// Lines before `offset`.
    pub lines: u64,
    /// The bytes just before `offset` (at most [`TAIL_LEN`]).
    pub tail: Vec<u8>,
    /// The fingerprint of `[0, offset)`.
    pub fingerprint: Fingerprint,
    pub compressed: bool,
    pub stat: FileStat,
}

pub fn identify(path: &Path, checkpoint: &Checkpoint, counter: Counter) -> io::Result<Identity> {
    let stat = FileStat::of(&std::fs::metadata(path)?);
    let (mut probe, compression) = walk::open(path, Counter::default())?;
    let mut head_buf = Vec::with_capacity(HEAD_LEN + 3);
    probe
        .by_ref()
        .take(HEAD_LEN as u64 + 3)
        .read_to_end(&mut head_buf)?;
    drop(probe);
    if head_buf.is_empty() {
        return Ok(Identity::Empty);
    }
    if walk::looks_binary(&head_buf) {
        return Ok(Identity::Binary);
    }
    let head = head_hash(&head_buf);
    let compressed = compression != Compression::None;
    let candidates: Vec<(usize, &FileMark)> = checkpoint.candidates(head).collect();
    if candidates.iter().any(|(_, m)| m.stat == Some(stat)) {
        return Ok(Identity::Unchanged { size: stat.size });
    }
    let at = |mark: Option<usize>, pos: Position| {
        Position::start(pos, path, head, mark, stat, counter.clone())
    };
    if !compressed {
        for &(i, m) in candidates.iter().rev() {
            if m.stat.is_some_and(|s| s.same_file(&stat)) {
                if let Some(pos) = grown_in_place(path, &stat, m)? {
                    return at(Some(i), pos).map(finish(stat.size));
                }
            }
        }
    }
    if candidates.is_empty() {
        return at(None, Position::zero()).map(finish(u64::MAX));
    }
    let scan = Scan::run(path, &candidates)?;
    let name = walk::source_name(path);
    let same_file = |m: &FileMark| m.path == name && !moved_beside(path, m.stat);
    match scan.decide(&candidates, &same_file) {
        Verdict::Continues(i, pos) => {
            let end = scan.end;
            at(Some(i), pos).map(finish(end))
        }
        Verdict::Prefix => Ok(Identity::Unchanged { size: stat.size }),
        Verdict::From(pos) => {
            let pos = scan.refine(path, &candidates, pos, &same_file)?;
            at(None, pos).map(finish(u64::MAX))
        }
    }
}

/// A `Read` whose start is at the end of the file is `Unchanged`.
fn finish(end: u64) -> impl FnOnce(Identity) -> Identity {
    move |id| match id {
        Identity::Read(s) if s.offset >= end => Identity::Unchanged { size: s.stat.size },
        other => other,
    }
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

/// A point in a file's decompressed stream, with what is known there.
struct Position {
    offset: u64,
    lines: u64,
    tail: Vec<u8>,
    fingerprint: Fingerprint,
}

impl Position {
    fn zero() -> Position {
        Position {
            offset: 0,
            lines: 0,
            tail: Vec::new(),
            fingerprint: Fingerprint::default(),
        }
    }

    /// Open `path` positioned at `pos`.
    fn start(
        pos: Position,
        path: &Path,
        head: u64,
        mark: Option<usize>,
        stat: FileStat,
        counter: Counter,
    ) -> io::Result<Identity> {
        let (_, compression) = walk::open(path, Counter::default())?;
        let stream: Box<dyn Read + Send> = if compression == Compression::None {
            let mut file = File::open(path)?;
            file.seek(SeekFrom::Start(pos.offset))?;
            let file = CountingFile { file, counter };
            Box::new(BufReader::with_capacity(256 * 1024, file))
        } else {
            let (stream, _) = walk::open(path, counter)?;
            let mut stream = BufReader::with_capacity(256 * 1024, stream);
            io::copy(&mut stream.by_ref().take(pos.offset), &mut io::sink())?;
            Box::new(stream)
        };
        Ok(Identity::Read(Box::new(Start {
            stream,
            head,
            mark,
            offset: pos.offset,
            lines: pos.lines,
            tail: pos.tail,
            fingerprint: pos.fingerprint,
            compressed: compression != Compression::None,
            stat,
        })))
    }
}

/// The same (plain) file as mark `m`, grown or not: check the mark's open
/// block and tail where they were, and resume after them.
fn grown_in_place(path: &Path, stat: &FileStat, m: &FileMark) -> io::Result<Option<Position>> {
    let Some(partial) = m.partial else {
        return Ok(None);
    };
    // Grown only: a file rewritten to the same size is scanned whole.
    if m.offset >= stat.size || m.block_start > m.offset || m.tail_len > m.offset {
        return Ok(None);
    }
    let from = m.block_start.min(m.offset - m.tail_len);
    let mut file = File::open(path)?;
    file.seek(SeekFrom::Start(from))?;
    let mut buf = vec![0; (m.offset - from) as usize];
    if file.read_exact(&mut buf).is_err() {
        return Ok(None);
    }
    let open = &buf[(m.block_start - from) as usize..];
    let tail = &buf[buf.len() - m.tail_len as usize..];
    if hash(open) != partial || hash(tail) != m.tail || !first_block_matches(path, m)? {
        return Ok(None);
    }
    Ok(Some(Position {
        offset: m.offset,
        lines: m.lines,
        tail: tail.to_vec(),
        fingerprint: Fingerprint::resume(
            m.blocks.clone(),
            m.block_start,
            m.block_lines,
            open,
            m.probes.clone(),
            m.window.as_ref(),
        ),
    }))
}

/// Whether the file's first closed block is the mark's (a rewrite of its
/// start is caught without reading the whole file).
fn first_block_matches(path: &Path, m: &FileMark) -> io::Result<bool> {
    let Some(&first) = m.blocks.first() else {
        return Ok(true);
    };
    let mut stream = BufReader::with_capacity(128 * 1024, File::open(path)?);
    let mut fp = Fingerprint::default();
    while fp.blocks().is_empty() {
        let buf = stream.fill_buf()?;
        if buf.is_empty() {
            return Ok(false);
        }
        let n = buf.len().min(64 * 1024);
        fp.update(&buf[..n]);
        stream.consume(n);
    }
    Ok(fp.blocks()[0] == first)
}

/// A file fingerprinted from its start up to the longest candidate.
struct Scan {
    fingerprint: Fingerprint,
    /// Per candidate (same order): the fingerprint and tail at its offset,
    /// when the file reached it.
    at_offsets: Vec<Option<(Fingerprint, Vec<u8>)>>,
    /// Bytes read (the file's decompressed length if shorter than the
    /// longest candidate, else past it).
    end: u64,
}

enum Verdict {
    Continues(usize, Position),
    /// All of it is the start of a longer mark.
    Prefix,
    From(Position),
}

impl Scan {
    fn run(path: &Path, candidates: &[(usize, &FileMark)]) -> io::Result<Scan> {
        let (stream, _) = walk::open(path, Counter::default())?;
        let mut stream = BufReader::with_capacity(256 * 1024, stream);
        let mut stops: Vec<u64> = candidates.iter().map(|(_, m)| m.offset).collect();
        stops.sort_unstable();
        stops.dedup();
        let mut fp = Fingerprint::tracking();
        fp.watch(candidates.iter().map(|(_, m)| m.window.clone()).collect());
        let mut tail: Vec<u8> = Vec::new();
        let mut snapshots: Vec<(u64, Fingerprint, Vec<u8>)> = Vec::new();
        let mut stops = stops.into_iter().peekable();
        while let Some(&stop) = stops.peek() {
            if fp.pos() == stop {
                let mut at_stop = fp.clone();
                at_stop.watch(Vec::new());
                snapshots.push((stop, at_stop, tail.clone()));
                stops.next();
                continue;
            }
            // A truncated compressed stream ends where it can be read.
            let buf = match stream.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => break,
            };
            if buf.is_empty() {
                break;
            }
            let n = buf.len().min((stop - fp.pos()) as usize);
            fp.update(&buf[..n]);
            keep_tail(&mut tail, &buf[..n]);
            stream.consume(n);
        }
        let more = stream.fill_buf().map(|b| !b.is_empty()).unwrap_or(false);
        let end = fp.pos() + u64::from(more);
        let at_offsets = candidates
            .iter()
            .map(|(_, m)| {
                snapshots
                    .iter()
                    .find(|(o, ..)| *o == m.offset)
                    .map(|(_, f, t)| (f.clone(), t.clone()))
            })
            .collect();
        Ok(Scan {
            fingerprint: fp,
            at_offsets,
            end,
        })
    }

    fn decide(
        &self,
        candidates: &[(usize, &FileMark)],
        same_file: &dyn Fn(&FileMark) -> bool,
    ) -> Verdict {
        let mut continued: Option<(usize, Position)> = None;
        let mut prefix_of = false;
        let mut best: Option<usize> = None;
        let mine = self.fingerprint.blocks();
        for (k, &(i, m)) in candidates.iter().enumerate().rev() {
            if let Some((fp, tail)) = &self.at_offsets[k] {
                let longer = continued.as_ref().is_none_or(|(_, p)| m.offset > p.offset);
                if longer && continues(m, fp, tail) {
                    let pos = Position {
                        offset: m.offset,
                        lines: m.lines,
                        tail: tail.clone(),
                        fingerprint: fp.clone(),
                    };
                    continued = Some((i, pos));
                }
            }
            let common = mine
                .iter()
                .zip(&m.blocks)
                .take_while(|(a, b)| a == b)
                .count();
            let shorter = self.at_offsets[k].is_none();
            if shorter
                && common == mine.len()
                && m.partial.is_some()
                && self.within(k, m, same_file)
            {
                prefix_of = true;
            }
            best = best.max(Some(common).filter(|&c| c > 0));
        }
        // All of it is the start of a longer file already read: nothing
        // new, even if it also continues a mark of its own.
        if prefix_of {
            return Verdict::Prefix;
        }
        if let Some((i, pos)) = continued {
            return Verdict::Continues(i, pos);
        }
        match best.and_then(|c| Some((c, self.fingerprint.truncated(c)?))) {
            Some((c, fingerprint)) => {
                let (offset, lines) = self.fingerprint.boundary(c).unwrap_or((0, 0));
                Verdict::From(Position {
                    offset,
                    lines,
                    // The tail is only checked for a same-inode resume,
                    // which a new mark never is before it has one.
                    tail: Vec::new(),
                    fingerprint,
                })
            }
            None => Verdict::From(Position::zero()),
        }
    }
}

impl Scan {
    /// Whether a file no longer than mark `m` (candidate `k`), whose closed
    /// blocks are all the mark's, is also the same in its open block. The
    /// mark's window of last lines says so line by line when it reaches
    /// back that far (an unterminated last line is left for its newline).
    /// Before it, the probes of the first 32 KiB decide, except for the
    /// same file (shrunk and maybe appended to): its open block is read
    /// again, rather than risk losing what was appended.
    fn within(&self, k: usize, m: &FileMark, same_file: &dyn Fn(&FileMark) -> bool) -> bool {
        let fp = &self.fingerprint;
        let watch = fp.watches().get(k).and_then(Option::as_ref);
        match (&m.window, watch) {
            (Some(w), Some(watch)) if fp.lines() >= w.lines => watch
                .matched()
                .is_some_and(|(lines, _)| lines == fp.lines()),
            (window, _) => {
                let probes = fp.probes();
                m.probes.get(..probes.len()) == Some(probes) && !(window.is_some() && same_file(m))
            }
        }
    }

    /// A file that neither continues a mark nor is a prefix of one, cut
    /// back to block boundary `pos`: resume instead at the first line that
    /// differs from what a mark of the same file read, when that is later.
    /// The same file is one that shares a block with the mark, or that is
    /// at the mark's path while the mark's inode is nowhere else beside it
    /// (shrunk in place, or replaced by `sed -i`; not a fresh file after a
    /// rename rotation that happens to start with the same lines).
    fn refine(
        &self,
        path: &Path,
        candidates: &[(usize, &FileMark)],
        pos: Position,
        same_file: &dyn Fn(&FileMark) -> bool,
    ) -> io::Result<Position> {
        let first_block = self.fingerprint.blocks().first();
        let watches = self.fingerprint.watches();
        let mut best: Option<(u64, u64)> = None;
        for (k, (_, m)) in candidates.iter().enumerate() {
            let Some((lines, end)) = watches.get(k).and_then(|w| w.as_ref()?.matched()) else {
                continue;
            };
            if end <= best.map_or(pos.offset, |(_, e)| e) {
                continue;
            }
            if first_block.is_some_and(|b| m.blocks.first() == Some(b)) || same_file(m) {
                best = Some((lines, end));
            }
        }
        let Some((lines, offset)) = best else {
            return Ok(pos);
        };
        Ok(Position {
            offset,
            lines,
            tail: Vec::new(),
            fingerprint: fingerprint_at(path, &self.fingerprint, offset, lines)?,
        })
    }
}

/// Whether the file `stat` describes is in `path`'s folder under another
/// name (a rename rotation), or cannot be ruled out to be.
fn moved_beside(path: &Path, stat: Option<FileStat>) -> bool {
    let Some(stat) = stat else {
        return true;
    };
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
    let Ok(entries) = std::fs::read_dir(parent.unwrap_or(Path::new("."))) else {
        return true;
    };
    entries.flatten().any(|e| {
        Some(e.file_name().as_os_str()) != path.file_name()
            && e.metadata()
                .is_ok_and(|meta| FileStat::of(&meta).same_file(&stat))
    })
}

/// The fingerprint of `path`'s first `offset` bytes, from the scan's
/// fingerprint cut back to the block boundary before it and the bytes
/// after that boundary read again (at most a block), its window of last
/// lines from blocks further back as needed.
fn fingerprint_at(
    path: &Path,
    scanned: &Fingerprint,
    offset: u64,
    lines: u64,
) -> io::Result<Fingerprint> {
    let block = scanned.boundary_before(offset);
    let mut from = block;
    while from > 0
        && scanned
            .boundary(from)
            .is_some_and(|(_, l)| lines - l < WINDOW_LINES as u64)
    {
        from -= 1;
    }
    let (start, _) = scanned.boundary(from).unwrap_or((0, 0));
    let (stream, compression) = walk::open(path, Counter::default())?;
    let mut stream: Box<dyn Read> = if compression == Compression::None {
        let mut file = File::open(path)?;
        file.seek(SeekFrom::Start(start))?;
        Box::new(file)
    } else {
        let mut stream = BufReader::new(stream);
        io::copy(&mut stream.by_ref().take(start), &mut io::sink())?;
        Box::new(stream)
    };
    let mut buf = Vec::new();
    stream.by_ref().take(offset - start).read_to_end(&mut buf)?;
    if buf.len() as u64 != offset - start {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the file shrank while it was read",
        ));
    }
    Ok(scanned.cut_at(block, from, &buf).unwrap_or_default())
}

/// Whether the file, fingerprinted up to `m.offset`, is what `m` read.
fn continues(m: &FileMark, fp: &Fingerprint, tail: &[u8]) -> bool {
    match m.partial {
        Some(partial) => {
            fp.blocks() == m.blocks.as_slice()
                && fp.block_start() == m.block_start
                && fp.partial() == partial
        }
        // A mark from before fingerprints: its tail check, as then.
        None => hash(&tail[tail.len() - (m.tail_len as usize).min(tail.len())..]) == m.tail,
    }
}

fn keep_tail(tail: &mut Vec<u8>, data: &[u8]) {
    let keep = TAIL_LEN as usize;
    if data.len() >= keep {
        tail.clear();
        tail.extend_from_slice(&data[data.len() - keep..]);
    } else {
        tail.extend_from_slice(data);
        let excess = tail.len().saturating_sub(keep);
        tail.drain(..excess);
    }
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
