//! walk: what the user named → the files to read. Directories are walked
//! recursively (hidden entries and the index itself skipped, symlinks
//! followed, loops detected); compression is recognised by magic bytes, not
//! by name, and guarded against decompression bombs; problems (unreadable,
//! dangling link, a bomb) are collected, never fatal.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// A path that could not be read, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    pub path: String,
    pub message: String,
}

/// The files under `paths`, in a stable order, and the problems met.
pub fn expand(paths: &[PathBuf], skip: Option<&Path>) -> (Vec<PathBuf>, Vec<Problem>) {
    let skip = skip.and_then(|s| s.canonicalize().ok());
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for root in paths {
        let walker = walkdir::WalkDir::new(root)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !is_hidden(e.file_name()));
        for entry in walker {
            match entry {
                Ok(e) if e.file_type().is_file() => {
                    let inside_index = skip
                        .as_ref()
                        .is_some_and(|s| e.path().canonicalize().is_ok_and(|p| p.starts_with(s)));
                    if !inside_index {
                        files.push(e.into_path());
                    }
                }
                Ok(_) => {}
                Err(err) => problems.push(walk_problem(root, err)),
            }
        }
    }
    (files, problems)
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_str().is_some_and(|n| n.starts_with('.'))
}

fn walk_problem(root: &Path, err: walkdir::Error) -> Problem {
    let path = err.path().unwrap_or(root).display().to_string();
    let message = if err.loop_ancestor().is_some() {
        "symlink loop, skipped".to_string()
    } else if let Some(io) = err.io_error() {
        match io.kind() {
            io::ErrorKind::NotFound
                if std::fs::symlink_metadata(err.path().unwrap_or(root)).is_ok() =>
            {
                "dangling symlink, skipped".into()
            }
            io::ErrorKind::NotFound => "no such file or directory".into(),
            io::ErrorKind::PermissionDenied => "permission denied".into(),
            _ => io.to_string(),
        }
    } else {
        err.to_string()
    };
    Problem { path, message }
}

/// How a file's bytes are encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Zstd,
}

/// Open `path` and return its decompressed byte stream. `counter` is told
/// how many on-disk bytes have been read (for progress).
pub fn open(path: &Path, counter: Counter) -> io::Result<(Box<dyn Read + Send>, Compression)> {
    decode(Box::new(File::open(path)?), counter)
}

/// Decompress `input` if its first bytes say it is gzip or zstd.
pub fn decode(
    input: Box<dyn Read + Send>,
    counter: Counter,
) -> io::Result<(Box<dyn Read + Send>, Compression)> {
    let mut raw = BufReader::with_capacity(
        256 * 1024,
        Counting {
            inner: input,
            counter,
        },
    );
    let magic = raw.fill_buf()?;
    let compression = if magic.starts_with(&[0x1f, 0x8b]) {
        Compression::Gzip
    } else if magic.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Compression::Zstd
    } else {
        Compression::None
    };
    let consumed = Counter::default();
    let packed = Consumed {
        inner: raw,
        count: consumed.clone(),
    };
    let stream: Box<dyn Read + Send> = match compression {
        Compression::None => return Ok((Box::new(packed.inner), compression)),
        Compression::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(packed)),
        Compression::Zstd => Box::new(zstd::Decoder::with_buffer(packed)?),
    };
    let guarded = BombGuard {
        inner: stream,
        consumed,
        out: 0,
    };
    Ok((Box::new(guarded), compression))
}

/// A compressed file may expand this many times (logs gzip 5–20×; a
/// deflate bomb ~1,000×)…
pub const MAX_RATIO: u64 = 250;
/// …once its output passes this size (small files may expand more)…
const RATIO_FLOOR: u64 = 16 << 20;
/// …and may never expand beyond this in all.
pub const MAX_DECOMPRESSED: u64 = 64 << 30;

/// Stops a decompression bomb: a 2 MB gzip of newlines expands to 2 GB and
/// cost 104 s of CPU with no word said. Past the limits, reading fails with
/// an error that says why; the lines before it are kept.
struct BombGuard<R> {
    inner: R,
    /// Compressed bytes the decoder has consumed.
    consumed: Counter,
    /// Decompressed bytes produced.
    out: u64,
}

impl<R: Read> Read for BombGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.out += n as u64;
        let packed = self
            .consumed
            .load(std::sync::atomic::Ordering::Relaxed)
            .max(1);
        let ratio_exceeded = self.out > RATIO_FLOOR && self.out / packed > MAX_RATIO;
        if ratio_exceeded || self.out > MAX_DECOMPRESSED {
            return Err(io::Error::other(format!(
                "stopped by the decompression bomb guard, {} MiB from {} KiB compressed (limits: {MAX_RATIO}× past {} MiB, {} GiB in all; if it is a genuine log, decompress it and ingest the plain file)",
                self.out >> 20,
                packed >> 10,
                RATIO_FLOOR >> 20,
                MAX_DECOMPRESSED >> 30,
            )));
        }
        Ok(n)
    }
}

/// Counts the bytes a decoder consumes from its buffered input: exactly the
/// compressed bytes behind its output, whatever was read ahead.
struct Consumed<B> {
    inner: B,
    count: Counter,
}

impl<B: BufRead> Read for Consumed<B> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count
            .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(n)
    }
}

impl<B: BufRead> BufRead for Consumed<B> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        self.count
            .fetch_add(amt as u64, std::sync::atomic::Ordering::Relaxed);
        self.inner.consume(amt);
    }
}

/// Shared count of on-disk bytes read.
pub type Counter = std::sync::Arc<std::sync::atomic::AtomicU64>;

struct Counting<R> {
    inner: R,
    counter: Counter,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.counter
            .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(n)
    }
}

/// True when the first bytes look binary: more than one in ten characters a
/// control character or invalid UTF-8, or NULs scattered in many short runs.
/// NUL *runs* alone are not binary: a crash leaves blocks of NULs in a log
/// (they are stripped when lines are read), so one stray byte never decides.
pub fn looks_binary(head: &[u8]) -> bool {
    let runs = head
        .split(|&b| b == 0)
        .skip(1)
        .filter(|piece| !piece.is_empty())
        .count();
    if runs * 64 > head.len().max(1024) {
        return true;
    }
    let text: Vec<u8> = head.iter().copied().filter(|&b| b != 0).collect();
    if text.is_empty() {
        return false;
    }
    let text = String::from_utf8_lossy(&text);
    let odd = text
        .chars()
        .filter(|&c| {
            c == char::REPLACEMENT_CHARACTER || (c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        })
        .count();
    odd * 10 > text.chars().count()
}

/// The name a file's events point at: its canonical path. A file read by
/// its descriptor after it was rotated away (`/proc/self/fd/N`) is named by
/// where it is now, or where it was if it was deleted.
pub fn source_name(path: &Path) -> String {
    if path.starts_with("/proc/self/fd") {
        if let Ok(target) = std::fs::read_link(path) {
            let text = target.display().to_string();
            return text.strip_suffix(" (deleted)").unwrap_or(&text).to_string();
        }
    }
    path.canonicalize()
        .unwrap_or_else(|_| path.to_path_buf())
        .display()
        .to_string()
}

/// What a named path is when it is not a file or a directory.
pub enum Special {
    /// A FIFO (or a process substitution): read once, like stdin.
    Stream,
    /// Something that is never a log (`/dev/zero`, `/dev/tty`, a socket).
    Device(&'static str),
}

pub fn special_file(path: &Path) -> Option<Special> {
    use std::os::unix::fs::FileTypeExt;
    let kind = std::fs::metadata(path).ok()?.file_type();
    if kind.is_fifo() {
        Some(Special::Stream)
    } else if kind.is_char_device() {
        Some(Special::Device("a character device"))
    } else if kind.is_block_device() {
        Some(Special::Device("a block device"))
    } else if kind.is_socket() {
        Some(Special::Device("a socket"))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn walks_recursively_skipping_hidden_and_the_index() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        std::fs::create_dir_all(p.join("a/b")).unwrap();
        std::fs::create_dir_all(p.join(".hidden")).unwrap();
        std::fs::create_dir_all(p.join("idx")).unwrap();
        for f in [
            "a/one.log",
            "a/b/two.log.gz",
            ".hidden/x.log",
            "idx/meta.json",
            "z.log",
        ] {
            std::fs::write(p.join(f), "{}\n").unwrap();
        }
        std::os::unix::fs::symlink(p.join("missing"), p.join("a/dangling.log")).unwrap();
        let (files, problems) = expand(&[p.to_path_buf()], Some(&p.join("idx")));
        let names: Vec<String> = files
            .iter()
            .map(|f| f.strip_prefix(p).unwrap().display().to_string())
            .collect();
        assert_eq!(names, ["a/b/two.log.gz", "a/one.log", "z.log"]);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].path.ends_with("dangling.log"));
        assert_eq!(problems[0].message, "dangling symlink, skipped");
    }

    #[test]
    fn binary_is_recognised_by_scattered_nuls_or_mostly_odd_bytes() {
        // One NUL, or a crash's block of them, is not binary.
        assert!(!looks_binary(b"{\"a\":1}\n\0{\"b\":2}\n"));
        let mut crash = b"{\"a\":1}\n".repeat(100);
        crash.extend([0u8; 4096]);
        crash.extend(b"{\"b\":2}\n".repeat(100));
        assert!(!looks_binary(&crash));
        // UTF-16 or an executable: NULs everywhere.
        let utf16: Vec<u8> = "{\"a\":1}\n"
            .repeat(100)
            .bytes()
            .flat_map(|b| [b, 0])
            .collect();
        assert!(looks_binary(&utf16));
        let noise: Vec<u8> = (0..4000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8 | 0x80)
            .collect();
        assert!(looks_binary(&noise));
        assert!(!looks_binary(b"{\"a\":\"caf\xC3\xA9 \xE2\x9C\x93\"}\n"));
        assert!(!looks_binary(
            "{\"msg\":\"\x1b[31m one escape is not binary\"}".as_bytes()
        ));
    }

    #[test]
    fn compression_is_recognised_by_content() {
        let dir = tempfile::tempdir().unwrap();
        let gz = dir.path().join("plain-name.log");
        let mut enc =
            flate2::write::GzEncoder::new(File::create(&gz).unwrap(), flate2::Compression::fast());
        enc.write_all(b"{\"a\":1}\n").unwrap();
        enc.finish().unwrap();
        let (mut r, c) = open(&gz, Counter::default()).unwrap();
        assert_eq!(c, Compression::Gzip);
        let mut s = String::new();
        r.read_to_string(&mut s).unwrap();
        assert_eq!(s, "{\"a\":1}\n");
    }
}

/// A read failure as the ingest summary words it.
pub(super) fn read_error(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::UnexpectedEof => "truncated (unexpected end of compressed data)".into(),
        // A decoder's complaint (flate2, zstd: not the operating system's).
        std::io::ErrorKind::InvalidData | std::io::ErrorKind::InvalidInput
            if e.raw_os_error().is_none() =>
        {
            format!("corrupt compressed data ({e})")
        }
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod read_error_tests {
    use std::io::{Error, ErrorKind};

    use super::read_error;

    #[test]
    fn bad_reads_are_classified_by_kind_not_by_words() {
        let bad = Error::new(ErrorKind::InvalidData, "Unknown frame descriptor");
        assert_eq!(
            read_error(&bad),
            "corrupt compressed data (Unknown frame descriptor)"
        );
        // EINVAL from the operating system is not corrupt data.
        let os = Error::from_raw_os_error(22);
        assert!(!read_error(&os).contains("corrupt"), "{}", read_error(&os));
        let words = Error::other("invalid or corrupt, says the text");
        assert!(!read_error(&words).contains("corrupt compressed"));
    }
}
