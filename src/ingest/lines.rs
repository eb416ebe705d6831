//! lines: framing a byte stream into lines with their offsets and numbers.
//! Hands out batches of whole lines (so parsing can fan out), never holds
//! more than one over-long line's worth of memory (an over-long line is
//! skipped to its end and reported), strips a UTF-8 BOM at the stream start,
//! and hands a final line without terminator back separately so the caller
//! can decide whether it is complete.

use std::io::{self, Read};

/// The UTF-8 byte-order mark.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A run of whole lines, each ending in `\n` (except a final partial line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    pub data: Vec<u8>,
    /// Stream offset of `data[0]`.
    pub offset: u64,
    /// Line number (1-based) of the first line in `data`.
    pub first_line: u64,
    /// True when `data` is one last line with no terminator.
    pub partial: bool,
    /// True when the stream ended in a read error right after `data` (a
    /// compressed file cut short): a partial line may yet be completed.
    pub cut: bool,
}

impl Batch {
    /// Stream offset just past this batch.
    pub fn end(&self) -> u64 {
        self.offset + self.data.len() as u64
    }

    /// Each line as (number, offset, bytes without `\n`/`\r\n`).
    pub fn lines(&self) -> impl Iterator<Item = (u64, u64, &[u8])> + '_ {
        let mut start = 0usize;
        let mut number = self.first_line;
        std::iter::from_fn(move || {
            if start >= self.data.len() {
                return None;
            }
            let rest = &self.data[start..];
            let len = memchr::memchr(b'\n', rest).map_or(rest.len(), |i| i + 1);
            let mut line = &rest[..len];
            line = line.strip_suffix(b"\n").unwrap_or(line);
            line = line.strip_suffix(b"\r").unwrap_or(line);
            let item = (number, self.offset + start as u64, line);
            start += len;
            number += 1;
            Some(item)
        })
    }
}

/// What the framer hands out.
#[derive(Debug, PartialEq, Eq)]
pub enum Chunk {
    Lines(Batch),
    /// A line longer than the limit, skipped whole.
    TooLong {
        line: u64,
        offset: u64,
        len: u64,
    },
}

/// Frames a reader into [`Chunk`]s.
pub struct Framer<R> {
    reader: R,
    buf: Vec<u8>,
    /// Stream offset of `buf[0]`.
    offset: u64,
    /// Number of the line starting at `buf[0]`.
    line: u64,
    batch_bytes: usize,
    max_line: usize,
    eof: bool,
    at_start: bool,
    /// A read error to report once the bytes before it are handed out.
    pending: Option<io::Error>,
    /// Whether `buf` holds a `\n`.
    has_newline: bool,
}

impl<R: Read> Framer<R> {
    /// Frame `reader`, whose first byte is at stream `offset` and starts line
    /// number `line`. A BOM is stripped only at offset 0.
    pub fn new(reader: R, offset: u64, line: u64, batch_bytes: usize, max_line: usize) -> Self {
        Framer {
            reader,
            buf: Vec::with_capacity(batch_bytes + 64 * 1024),
            offset,
            line,
            batch_bytes: batch_bytes.max(1),
            max_line: max_line.max(1),
            eof: false,
            at_start: offset == 0,
            pending: None,
            has_newline: false,
        }
    }

    /// The next chunk, `None` at end of stream. A read error is returned
    /// only after every byte before it has been handed out.
    pub fn next_chunk(&mut self) -> io::Result<Option<Chunk>> {
        while !self.eof
            && self.buf.len() <= self.max_line
            && !(self.has_newline && self.buf.len() >= self.batch_bytes)
        {
            self.fill_or_stop();
        }
        if self.at_start && (self.buf.len() >= BOM.len() || self.eof) {
            self.at_start = false;
            if self.buf.starts_with(BOM) {
                self.buf.drain(..BOM.len());
                self.offset += BOM.len() as u64;
            }
        }
        let first_newline = memchr::memchr(b'\n', &self.buf);
        if first_newline.map_or(self.buf.len(), |i| i) > self.max_line {
            return self.skip_long_line().map(Some);
        }
        if first_newline.is_some() {
            let cut = memchr::memrchr(b'\n', &self.buf).expect("a newline was found");
            return Ok(Some(Chunk::Lines(self.take(cut + 1, false))));
        }
        if !self.buf.is_empty() {
            let len = self.buf.len();
            return Ok(Some(Chunk::Lines(self.take(len, true))));
        }
        match self.pending.take() {
            Some(e) => Err(e),
            None => Ok(None),
        }
    }

    /// Read more; at end of stream or on an error (kept for later), stop.
    fn fill_or_stop(&mut self) {
        match self.fill() {
            Ok(0) => self.eof = true,
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                self.eof = true;
                self.pending = Some(e);
            }
        }
    }

    fn fill(&mut self) -> io::Result<usize> {
        let start = self.buf.len();
        let want = (self.batch_bytes - start.min(self.batch_bytes)).max(64 * 1024);
        self.buf.resize(start + want, 0);
        let n = self.reader.read(&mut self.buf[start..]);
        self.buf.truncate(start + *n.as_ref().unwrap_or(&0));
        self.has_newline = self.has_newline || memchr::memchr(b'\n', &self.buf[start..]).is_some();
        n
    }

    fn take(&mut self, len: usize, partial: bool) -> Batch {
        let rest = self.buf.split_off(len);
        self.has_newline = memchr::memchr(b'\n', &rest).is_some();
        let data = std::mem::replace(&mut self.buf, rest);
        let batch = Batch {
            offset: self.offset,
            first_line: self.line,
            partial,
            cut: partial && self.pending.is_some(),
            data,
        };
        self.offset += len as u64;
        self.line += if partial {
            1
        } else {
            memchr::memchr_iter(b'\n', &batch.data).count() as u64
        };
        batch
    }

    /// Discard bytes up to and including the next `\n`.
    fn skip_long_line(&mut self) -> io::Result<Chunk> {
        let (line, offset) = (self.line, self.offset);
        let mut len = 0u64;
        loop {
            if let Some(i) = memchr::memchr(b'\n', &self.buf) {
                len += i as u64 + 1;
                self.buf.drain(..=i);
                self.has_newline = memchr::memchr(b'\n', &self.buf).is_some();
                break;
            }
            len += self.buf.len() as u64;
            self.buf.clear();
            self.has_newline = false;
            if self.eof {
                break;
            }
            self.fill_or_stop();
        }
        self.offset += len;
        self.line += 1;
        Ok(Chunk::TooLong { line, offset, len })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunks(input: &[u8], batch: usize, max: usize) -> Vec<Chunk> {
        let mut f = Framer::new(input, 0, 1, batch, max);
        std::iter::from_fn(|| f.next_chunk().unwrap()).collect()
    }

    fn all_lines(chunks: &[Chunk]) -> Vec<(u64, u64, String)> {
        let mut out = Vec::new();
        for c in chunks {
            if let Chunk::Lines(b) = c {
                out.extend(
                    b.lines()
                        .map(|(n, o, l)| (n, o, String::from_utf8_lossy(l).into_owned())),
                );
            }
        }
        out
    }

    #[test]
    fn numbers_and_offsets_survive_batching_bom_and_crlf() {
        let input = b"\xEF\xBB\xBF{\"a\":1}\r\n{\"b\":2}\n\n{\"c\":3}";
        for batch in [1, 4, 1024] {
            let c = chunks(input, batch, 1 << 20);
            assert_eq!(
                all_lines(&c),
                vec![
                    (1, 3, "{\"a\":1}".into()),
                    (2, 12, "{\"b\":2}".into()),
                    (3, 20, "".into()),
                    (4, 21, "{\"c\":3}".into())
                ],
                "batch {batch}"
            );
            let Some(Chunk::Lines(last)) = c.last() else {
                panic!()
            };
            assert!(last.partial);
            assert_eq!(last.end(), input.len() as u64);
        }
    }

    #[test]
    fn an_over_long_line_is_skipped_and_reported() {
        let mut input = b"{\"a\":1}\n".to_vec();
        input.extend(std::iter::repeat_n(b'x', 300_000));
        input.extend(b"\n{\"b\":2}\n");
        let c = chunks(&input, 256, 100_000);
        assert!(
            c.contains(&Chunk::TooLong {
                line: 2,
                offset: 8,
                len: 300_001
            }),
            "{:?}",
            c.iter()
                .filter(|c| matches!(c, Chunk::TooLong { .. }))
                .collect::<Vec<_>>()
        );
        let lines = all_lines(&c);
        assert_eq!(lines.first().unwrap().2, "{\"a\":1}");
        assert_eq!(
            lines.last().unwrap(),
            &(3, 300_009, "{\"b\":2}".to_string())
        );
    }

    #[test]
    fn resumes_at_an_offset_without_bom_stripping() {
        let mut f = Framer::new(&b"{\"x\":1}\n"[..], 100, 7, 1024, 1024);
        let Some(Chunk::Lines(b)) = f.next_chunk().unwrap() else {
            panic!()
        };
        assert_eq!(b.lines().next().unwrap().0, 7);
        assert_eq!(b.offset, 100);
    }

    struct Failing<'a>(&'a [u8]);
    impl Read for Failing<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            if self.0.is_empty() {
                return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "truncated"));
            }
            let n = self.0.len().min(out.len());
            out[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn a_read_error_comes_after_the_lines_before_it() {
        let mut f = Framer::new(Failing(b"{\"a\":1}\n{\"b\""), 0, 1, 1024, 1024);
        let Some(Chunk::Lines(b)) = f.next_chunk().unwrap() else {
            panic!()
        };
        assert_eq!(b.data, b"{\"a\":1}\n");
        let Some(Chunk::Lines(p)) = f.next_chunk().unwrap() else {
            panic!()
        };
        assert!(p.partial);
        assert_eq!(p.data, b"{\"b\"");
        assert_eq!(
            f.next_chunk().unwrap_err().kind(),
            io::ErrorKind::UnexpectedEof
        );
    }

    mod prop {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            /// Any bytes, any batch size, any line limit: the lines handed
            /// out (plus skipped long lines) account for every byte after a
            /// leading BOM, at the offsets they claim, numbered in order.
            #[test]
            fn framing_accounts_for_every_byte(
                input in proptest::collection::vec(prop_oneof![Just(b'\n'), Just(b'\r'), any::<u8>()], 0..3000),
                batch in 1usize..600,
                max in 70_000usize..80_000,
                bom in any::<bool>(),
            ) {
                let mut bytes = if bom { BOM.to_vec() } else { Vec::new() };
                bytes.extend(&input);
                let mut f = Framer::new(&bytes[..], 0, 1, batch, max);
                let mut next_offset = if bom { 3 } else { 0 };
                let mut next_line = 1;
                while let Some(chunk) = f.next_chunk().unwrap() {
                    match chunk {
                        Chunk::Lines(b) => {
                            prop_assert_eq!(b.offset, next_offset);
                            prop_assert_eq!(&bytes[b.offset as usize..b.end() as usize], &b.data[..]);
                            for (n, o, line) in b.lines() {
                                prop_assert_eq!(n, next_line);
                                prop_assert!(bytes[o as usize..].starts_with(line));
                                next_line += 1;
                            }
                            next_offset = b.end();
                        }
                        Chunk::TooLong { offset, len, .. } => {
                            prop_assert_eq!(offset, next_offset);
                            next_offset += len;
                            next_line += 1;
                        }
                    }
                }
                prop_assert_eq!(next_offset, bytes.len() as u64);
            }
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(48))]
            /// Lines over the limit never cost more than a batch of memory:
            /// skipped whole (and reported) or handed out in a bounded batch;
            /// the lines around them are handed out intact.
            #[test]
            fn long_lines_are_skipped_whole(
                lens in proptest::collection::vec(0usize..200_000, 1..6),
                batch in 1usize..100_000,
            ) {
                let max = 70_000;
                let bytes: Vec<u8> = lens.iter().flat_map(|&n| std::iter::repeat_n(b'x', n).chain([b'\n'])).collect();
                let mut f = Framer::new(&bytes[..], 0, 1, batch, max);
                let (mut kept, mut skipped) = (Vec::new(), Vec::new());
                while let Some(chunk) = f.next_chunk().unwrap() {
                    match chunk {
                        Chunk::Lines(b) => kept.extend(b.lines().map(|(n, _, l)| (n, l.len()))),
                        Chunk::TooLong { line, len, .. } => skipped.push((line, len as usize - 1)),
                    }
                }
                for (i, &n) in lens.iter().enumerate() {
                    let number = i as u64 + 1;
                    if n > max {
                        // Skipped by the framer, or — when it arrived in the
                        // same read as shorter lines — handed out within a
                        // bounded batch for the pipeline to count as too_long.
                        let bounded = kept.contains(&(number, n)) && n <= batch + 64 * 1024;
                        prop_assert!(skipped.contains(&(number, n)) || bounded, "line {} of {} bytes", number, n);
                    } else {
                        prop_assert!(kept.contains(&(number, n)), "line {} of {} bytes not kept", number, n);
                    }
                }
            }
        }
    }
}
