//! linechain: a hash chain over a stream's lines and the hashes of its last
//! lines, kept with a file's [`Fingerprint`](super::fingerprint::Fingerprint)
//! and its checkpoint mark. Block hashes tell a file that shrank and was
//! then appended to from the one that was read only to a block boundary;
//! the window of line hashes finds the exact first line that differs, so
//! the file is resumed there (see [`super::identify`]): nothing read twice.
//!
//! Each complete line (its `\n` included) gets a 32-bit hash; the chain
//! folds them in order, so the chain value after line `k` stands for the
//! whole stream up to it. A [`Window`] is the chain value before its first
//! line (the anchor) and the hashes of at most [`WINDOW_LINES`] lines after
//! it: 16 KiB at most in a mark, ~4 bytes per line.

use std::collections::VecDeque;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::{Xxh3, xxh3_64};

/// How many of the last lines a window keeps.
pub const WINDOW_LINES: usize = 4096;
/// The chain value before any line.
const START: u64 = 0;

fn line_hash(h: u64) -> u32 {
    h as u32
}

/// The chain value after a line hashed `line` follows `chain`.
fn mix(chain: u64, line: u32) -> u64 {
    let mut buf = [0u8; 12];
    buf[..8].copy_from_slice(&chain.to_le_bytes());
    buf[8..].copy_from_slice(&line.to_le_bytes());
    xxh3_64(&buf)
}

/// The last lines read, as stored in a checkpoint mark.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    /// Lines before the window's first line.
    pub lines: u64,
    /// The chain value after those lines.
    pub anchor: u64,
    /// The hash of each line after them, in order.
    #[serde(with = "base64_u32s")]
    pub hashes: Vec<u32>,
}

impl Window {
    /// The chain value after the window's last line.
    fn end(&self) -> u64 {
        self.hashes.iter().fold(self.anchor, |c, &h| mix(c, h))
    }
}

/// How far a stream agrees with a [`Window`]: the lines and the offset
/// just past the last line known to be the same.
#[derive(Debug, Clone)]
pub struct Watch {
    window: Arc<Window>,
    matched: Option<(u64, u64)>,
}

impl Watch {
    /// Where the stream stops agreeing with the window, if it reached the
    /// window's anchor with the same chain value.
    pub fn matched(&self) -> Option<(u64, u64)> {
        self.matched
    }
}

/// The chain over a stream's complete lines, with its window.
#[derive(Clone)]
pub struct LineChain {
    /// Complete lines chained.
    lines: u64,
    value: u64,
    anchor_lines: u64,
    anchor: u64,
    window: VecDeque<u32>,
    /// The line being read (its start fed, its `\n` not yet).
    pending: Option<Xxh3>,
    watches: Vec<Option<Watch>>,
}

impl Default for LineChain {
    fn default() -> Self {
        LineChain::at(0, START)
    }
}

impl LineChain {
    /// A chain after `lines` lines with value `value`, and an empty window.
    pub fn at(lines: u64, value: u64) -> Self {
        LineChain {
            lines,
            value,
            anchor_lines: lines,
            anchor: value,
            window: VecDeque::new(),
            pending: None,
            watches: Vec::new(),
        }
    }

    /// Continue a chain whose last lines are `window`; `pending` is the
    /// unterminated start of the next line, if any was read.
    pub fn resume(window: &Window, pending: &[u8]) -> Self {
        let mut chain = LineChain::at(window.lines, window.anchor);
        chain.window = window.hashes.iter().copied().collect();
        chain.lines += window.hashes.len() as u64;
        chain.value = window.end();
        chain.feed(pending, 0);
        chain
    }

    /// Complete lines chained so far.
    pub fn lines(&self) -> u64 {
        self.lines
    }

    /// The chain value after [`Self::lines`] lines.
    pub fn value(&self) -> u64 {
        self.value
    }

    /// The last lines, as a mark stores them.
    pub fn window(&self) -> Window {
        Window {
            lines: self.anchor_lines,
            anchor: self.anchor,
            hashes: self.window.iter().copied().collect(),
        }
    }

    /// Follow how far this stream agrees with each window (`None`: no
    /// window to follow), from the stream's start.
    pub fn watch(&mut self, windows: Vec<Option<Window>>) {
        self.watches = windows
            .into_iter()
            .map(|w| {
                w.map(|window| {
                    let matched = (window.lines == self.lines && window.anchor == self.value)
                        .then_some((self.lines, 0));
                    Watch {
                        window: Arc::new(window),
                        matched,
                    }
                })
            })
            .collect();
    }

    /// The watches, in the order given to [`Self::watch`].
    pub fn watches(&self) -> &[Option<Watch>] {
        &self.watches
    }

    /// Feed the next bytes; `pos` is the stream offset of `data[0]`.
    pub fn feed(&mut self, data: &[u8], pos: u64) {
        let mut start = 0;
        for nl in memchr::memchr_iter(b'\n', data) {
            let line = &data[start..=nl];
            let h = match self.pending.take() {
                Some(mut hasher) => {
                    hasher.update(line);
                    hasher.digest()
                }
                None => xxh3_64(line),
            };
            self.push(line_hash(h), pos + nl as u64 + 1);
            start = nl + 1;
        }
        if start < data.len() {
            self.pending
                .get_or_insert_with(Xxh3::new)
                .update(&data[start..]);
        }
    }

    fn push(&mut self, h: u32, end: u64) {
        self.lines += 1;
        self.value = mix(self.value, h);
        self.window.push_back(h);
        if self.window.len() > WINDOW_LINES {
            let first = self.window.pop_front().unwrap_or_default();
            self.anchor = mix(self.anchor, first);
            self.anchor_lines += 1;
        }
        let (lines, value) = (self.lines, self.value);
        for watch in self.watches.iter_mut().flatten() {
            let w = &watch.window;
            if lines == w.lines {
                watch.matched = (value == w.anchor).then_some((lines, end));
            } else if lines > w.lines
                && watch.matched.is_some_and(|(l, _)| l + 1 == lines)
                && w.hashes.get((lines - w.lines - 1) as usize) == Some(&h)
            {
                watch.matched = Some((lines, end));
            }
        }
    }
}

/// A `Vec<u32>` as base64 of its little-endian bytes (a third of the JSON
/// of a list of numbers).
mod base64_u32s {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[u32], s: S) -> Result<S::Ok, S::Error> {
        let bytes: Vec<u8> = v.iter().flat_map(|h| h.to_le_bytes()).collect();
        s.serialize_str(&STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u32>, D::Error> {
        let text = String::deserialize(d)?;
        let bytes = STANDARD.decode(text).map_err(serde::de::Error::custom)?;
        if bytes.len() % 4 != 0 {
            return Err(serde::de::Error::custom("line hashes: not whole u32s"));
        }
        Ok(bytes
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(lines: usize) -> Vec<u8> {
        (0..lines)
            .flat_map(|i| format!("line {i} {}\n", "y".repeat(i % 13)).into_bytes())
            .collect()
    }

    #[test]
    fn the_same_lines_in_any_pieces_give_the_same_chain_and_window() {
        let data = text(6000);
        let mut whole = LineChain::default();
        whole.feed(&data, 0);
        assert_eq!(whole.lines(), 6000);
        assert_eq!(whole.window().hashes.len(), WINDOW_LINES);
        for piece in [1usize, 5, 4096] {
            let mut c = LineChain::default();
            let mut pos = 0;
            for chunk in data.chunks(piece) {
                c.feed(chunk, pos);
                pos += chunk.len() as u64;
            }
            assert_eq!((c.value(), c.window()), (whole.value(), whole.window()));
        }
        // Resumed from its window and an unterminated piece, it continues.
        let cut = data.len() - 7;
        let mut first = LineChain::default();
        first.feed(&data[..cut], 0);
        let line_start = data[..cut].iter().rposition(|&b| b == b'\n').unwrap() + 1;
        let mut again = LineChain::resume(&first.window(), &data[line_start..cut]);
        again.feed(&data[cut..], cut as u64);
        assert_eq!(
            (again.value(), again.window()),
            (whole.value(), whole.window())
        );
        let json = serde_json::to_string(&whole.window()).unwrap();
        assert_eq!(
            serde_json::from_str::<Window>(&json).unwrap(),
            whole.window()
        );
        assert!(json.len() < 6 * WINDOW_LINES, "{} bytes", json.len());
    }

    #[test]
    fn a_watch_stops_at_the_first_line_that_differs() {
        let data = text(5000);
        let mut read = LineChain::default();
        read.feed(&data, 0);
        let window = read.window();
        assert!(window.lines > 0);
        // The same first 4,500 lines, then others.
        let ends: Vec<usize> = memchr::memchr_iter(b'\n', &data).map(|i| i + 1).collect();
        let mut other = data[..ends[4499]].to_vec();
        other.extend_from_slice(b"something else\nline 4501\n");
        let mut c = LineChain::default();
        c.watch(vec![None, Some(window.clone())]);
        c.feed(&other, 0);
        assert_eq!(
            c.watches()[1].as_ref().unwrap().matched(),
            Some((4500, ends[4499] as u64))
        );
        // A stream that differs before the window never reaches its anchor.
        let mut changed = data.clone();
        changed[10] = b'#';
        let mut c = LineChain::default();
        c.watch(vec![Some(window)]);
        c.feed(&changed, 0);
        assert_eq!(c.watches()[0].as_ref().unwrap().matched(), None);
    }
}
