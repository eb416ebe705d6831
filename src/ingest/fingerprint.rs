//! fingerprint: a content fingerprint of everything consumed from a file, so
//! "is this file a continuation, a prefix or a copy of what was read?" is
//! answered from content, not from names or inodes.
//!
//! The consumed bytes are cut into blocks that end at a line boundary: a
//! block starting at `s` closes at the first `\n` at or after
//! `s + block_len(s) - 1` (64 KiB blocks in the first MiB, 1 MiB after), so
//! two files with the same bytes have the same blocks, and a block boundary
//! is always a line start. Each closed block keeps its xxh3 hash; the bytes
//! after the last boundary are hashed as `partial`. Together they cover the
//! whole consumed prefix exactly (up to hash collisions), in ~8 bytes per
//! MiB of log. `probes` hash the prefixes of 256 B, 512 B, … 32 KiB, so a
//! short file is compared with the start of a long one well within its
//! first block. A [`LineChain`] over the lines says, within the last few
//! thousand lines, exactly which line is the first to differ.

use xxhash_rust::xxh3::Xxh3;

use super::linechain::{LineChain, Watch, Window};

/// Blocks are this long (at least) in the first [`BIG_FROM`] bytes…
const SMALL_BLOCK: u64 = 64 * 1024;
/// …and this long after it.
const BIG_BLOCK: u64 = 1024 * 1024;
const BIG_FROM: u64 = 1024 * 1024;
/// The first probe covers this many bytes, each next one twice as many…
const FIRST_PROBE: u64 = 256;
/// …up to this many probes (32 KiB: inside the first block).
const PROBES: usize = 8;

fn block_len(start: u64) -> u64 {
    if start < BIG_FROM {
        SMALL_BLOCK
    } else {
        BIG_BLOCK
    }
}

/// The running fingerprint of a stream, from its first byte to `pos`.
#[derive(Clone)]
pub struct Fingerprint {
    blocks: Vec<u64>,
    /// Offset where the open (partial) block starts: a line start.
    block_start: u64,
    /// Lines before `block_start`.
    block_lines: u64,
    hasher: Xxh3,
    pos: u64,
    /// Lines (newlines) fed so far.
    lines: u64,
    /// Where each closed block ended, the lines before that and the line
    /// chain there (kept only while scanning a file, see
    /// [`Fingerprint::tracking`]).
    ends: Option<Vec<(u64, u64, Option<u64>)>>,
    /// Hashes of the first `FIRST_PROBE << i` bytes.
    probes: Vec<u64>,
    /// Hash of everything so far, while probes are still to be taken.
    whole: Option<Xxh3>,
    /// The chain over the lines; `None` when the lines before are not
    /// known (a mark from before it was kept, a line skipped unread).
    chain: Option<LineChain>,
}

impl Default for Fingerprint {
    fn default() -> Self {
        Fingerprint {
            blocks: Vec::new(),
            block_start: 0,
            block_lines: 0,
            hasher: Xxh3::new(),
            pos: 0,
            lines: 0,
            ends: None,
            probes: Vec::new(),
            whole: Some(Xxh3::new()),
            chain: Some(LineChain::default()),
        }
    }
}

impl std::fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fingerprint")
            .field("blocks", &self.blocks.len())
            .field("block_start", &self.block_start)
            .field("pos", &self.pos)
            .finish()
    }
}

impl Fingerprint {
    /// Continue a fingerprint whose closed blocks are `blocks`, the open one
    /// starting at `block_start` and holding `partial` so far.
    /// Probes are taken within the first block: when it is still open,
    /// `partial` is the whole prefix and they are recomputed from it. The
    /// line chain continues from `window` (the mark's last lines), when it
    /// ends where `partial`'s last line does.
    pub fn resume(
        blocks: Vec<u64>,
        block_start: u64,
        block_lines: u64,
        partial: &[u8],
        probes: Vec<u64>,
        window: Option<&Window>,
    ) -> Self {
        if block_start == 0 && blocks.is_empty() {
            let mut fp = Fingerprint::default();
            fp.update(partial);
            return fp;
        }
        let mut hasher = Xxh3::new();
        hasher.update(partial);
        let newlines = memchr::memchr_iter(b'\n', partial).count() as u64;
        let chain = window
            .filter(|w| w.lines + w.hashes.len() as u64 == block_lines + newlines)
            .map(|w| {
                let line_start = memchr::memrchr(b'\n', partial).map_or(0, |i| i + 1);
                LineChain::resume(w, &partial[line_start..])
            });
        Fingerprint {
            blocks,
            block_start,
            block_lines,
            hasher,
            pos: block_start + partial.len() as u64,
            lines: block_lines + newlines,
            ends: None,
            probes,
            whole: None,
            chain,
        }
    }

    /// Hashes of the first 256 B, 512 B, … (as far as the stream went).
    pub fn probes(&self) -> &[u64] {
        &self.probes
    }

    fn feed_probes(&mut self, mut data: &[u8]) {
        let mut pos = self.pos;
        while let Some(whole) = &mut self.whole {
            if self.probes.len() == PROBES || data.is_empty() {
                break;
            }
            let at = FIRST_PROBE << self.probes.len();
            let n = ((at - pos) as usize).min(data.len());
            whole.update(&data[..n]);
            pos += n as u64;
            data = &data[n..];
            if pos == at {
                self.probes.push(whole.digest());
            }
        }
        if self.probes.len() == PROBES {
            self.whole = None;
        }
    }

    /// A fresh fingerprint that also remembers where each block ended.
    pub fn tracking() -> Self {
        Fingerprint {
            ends: Some(Vec::new()),
            ..Fingerprint::default()
        }
    }

    /// Where closed block `i` ends (a line start) and the lines before it;
    /// `i == 0` is the stream start. Only for [`Fingerprint::tracking`].
    pub fn boundary(&self, i: usize) -> Option<(u64, u64)> {
        if i == 0 {
            return Some((0, 0));
        }
        let &(end, lines, _) = self.ends.as_ref()?.get(i - 1)?;
        Some((end, lines))
    }

    /// The last closed block boundary at or before `pos`, by index.
    pub fn boundary_before(&self, pos: u64) -> usize {
        let ends = self.ends.as_deref().unwrap_or_default();
        ends.partition_point(|&(end, ..)| end <= pos)
    }

    /// Feed the next bytes of the stream.
    pub fn update(&mut self, mut data: &[u8]) {
        self.feed_probes(data);
        while !data.is_empty() {
            let close_from = (self.block_start + block_len(self.block_start) - 1)
                .saturating_sub(self.pos) as usize;
            let newline = (close_from < data.len())
                .then(|| memchr::memchr(b'\n', &data[close_from..]).map(|i| close_from + i))
                .flatten();
            match newline {
                Some(i) => {
                    let (block, rest) = data.split_at(i + 1);
                    self.hasher.update(block);
                    if let Some(chain) = &mut self.chain {
                        chain.feed(block, self.pos);
                    }
                    self.blocks.push(self.hasher.digest());
                    self.hasher.reset();
                    self.pos += block.len() as u64;
                    self.lines += memchr::memchr_iter(b'\n', block).count() as u64;
                    self.block_start = self.pos;
                    self.block_lines = self.lines;
                    if let Some(ends) = &mut self.ends {
                        let chain = self.chain.as_ref().map(LineChain::value);
                        ends.push((self.pos, self.lines, chain));
                    }
                    data = rest;
                }
                None => {
                    self.hasher.update(data);
                    if let Some(chain) = &mut self.chain {
                        chain.feed(data, self.pos);
                    }
                    self.pos += data.len() as u64;
                    self.lines += memchr::memchr_iter(b'\n', data).count() as u64;
                    data = &[];
                }
            }
        }
    }

    /// Hashes of the closed blocks, in order.
    pub fn blocks(&self) -> &[u64] {
        &self.blocks
    }

    /// Where the open block starts (a line start).
    pub fn block_start(&self) -> u64 {
        self.block_start
    }

    /// Lines before [`Self::block_start`].
    pub fn block_lines(&self) -> u64 {
        self.block_lines
    }

    /// Hash of the open block's bytes so far.
    pub fn partial(&self) -> u64 {
        self.hasher.digest()
    }

    /// Bytes fed so far.
    pub fn pos(&self) -> u64 {
        self.pos
    }

    /// Lines (newlines) fed so far.
    pub fn lines(&self) -> u64 {
        self.lines
    }

    /// The last lines read (`None` when the chain is not known).
    pub fn window(&self) -> Option<Window> {
        self.chain.as_ref().map(LineChain::window)
    }

    /// The fingerprint of the stream cut at a line end after closed block
    /// `block`, given `data`: the stream from boundary `from` (≤ `block`)
    /// to the cut. Its window of last lines reaches back to `from`.
    pub fn cut_at(&self, block: usize, from: usize, data: &[u8]) -> Option<Fingerprint> {
        let (at, _) = self.boundary(block)?;
        let (start, lines) = self.boundary(from)?;
        let mut fp = self.truncated(block)?;
        fp.update(data.get((at - start) as usize..)?);
        let chain = match from {
            0 => Some(LineChain::default()),
            _ => self.ends.as_ref()?[from - 1]
                .2
                .map(|v| LineChain::at(lines, v)),
        };
        if let Some(mut chain) = chain {
            chain.feed(data, start);
            if chain.lines() == fp.lines {
                fp.chain = Some(chain);
            }
        }
        Some(fp)
    }

    /// Follow how far the stream agrees with each of `windows` (see
    /// [`LineChain::watch`]).
    pub fn watch(&mut self, windows: Vec<Option<Window>>) {
        if let Some(chain) = &mut self.chain {
            chain.watch(windows);
        }
    }

    /// The watches set by [`Self::watch`], in order.
    pub fn watches(&self) -> &[Option<Watch>] {
        self.chain.as_ref().map_or(&[], |c| c.watches())
    }

    /// The fingerprint of the first `n` closed blocks only (the stream cut
    /// back to a block boundary), given where that boundary is.
    pub fn truncated(&self, n: usize) -> Option<Fingerprint> {
        if n == 0 {
            return Some(Fingerprint::default());
        }
        let &(start, lines, chain) = self.ends.as_ref()?.get(n - 1)?;
        let mut fp = Fingerprint::resume(
            self.blocks[..n].to_vec(),
            start,
            lines,
            &[],
            self.probes.clone(),
            None,
        );
        fp.chain = chain.map(|value| LineChain::at(lines, value));
        Some(fp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(lines: usize) -> Vec<u8> {
        (0..lines)
            .flat_map(|i| {
                format!("{{\"n\":{i},\"pad\":\"{}\"}}\n", "x".repeat(i % 97)).into_bytes()
            })
            .collect()
    }

    #[test]
    fn the_same_bytes_fed_in_any_pieces_give_the_same_fingerprint() {
        let data = log(40_000);
        let mut whole = Fingerprint::tracking();
        whole.update(&data);
        assert!(whole.blocks().len() > 16, "{whole:?}");
        for piece in [1usize, 7, 4096, 100_000] {
            let mut f = Fingerprint::default();
            data.chunks(piece).for_each(|c| f.update(c));
            assert_eq!(f.blocks(), whole.blocks());
            assert_eq!(f.partial(), whole.partial());
            assert_eq!(f.lines(), 40_000);
        }
        // Block boundaries are line starts, with the lines before them.
        for i in 1..whole.blocks().len() {
            let (end, lines) = whole.boundary(i).unwrap();
            assert_eq!(data[end as usize - 1], b'\n');
            assert_eq!(
                memchr::memchr_iter(b'\n', &data[..end as usize]).count() as u64,
                lines
            );
        }
        // Resuming from the open block's bytes continues exactly.
        let cut = whole.blocks().len() - 1;
        let (start, lines) = whole.boundary(cut).unwrap();
        let mut again = whole.truncated(cut).unwrap();
        assert_eq!(again.lines(), lines);
        again.update(&data[start as usize..]);
        assert_eq!(
            (again.blocks(), again.partial()),
            (whole.blocks(), whole.partial())
        );
        let mid = data.len() - 1000;
        let mut first = Fingerprint::default();
        first.update(&data[..mid]);
        let open = &data[first.block_start() as usize..mid];
        let mut resumed = Fingerprint::resume(
            first.blocks().to_vec(),
            first.block_start(),
            first.block_lines(),
            open,
            first.probes().to_vec(),
            first.window().as_ref(),
        );
        resumed.update(&data[mid..]);
        assert_eq!(
            (resumed.blocks(), resumed.partial(), resumed.window()),
            (whole.blocks(), whole.partial(), whole.window())
        );
        assert_eq!(resumed.probes(), whole.probes());
        assert_eq!(whole.probes().len(), PROBES);
        // Resumed inside the first block, the probes are taken as they come.
        let mut early = Fingerprint::resume(Vec::new(), 0, 0, &data[..1000], Vec::new(), None);
        early.update(&data[1000..]);
        assert_eq!(early.probes(), whole.probes());
        let mut short = Fingerprint::default();
        short.update(&data[..5000]);
        assert_eq!(short.probes(), &whole.probes()[..5]);
    }

    #[test]
    fn one_changed_byte_changes_its_block_only() {
        let data = log(20_000);
        let mut a = Fingerprint::default();
        a.update(&data);
        let mut changed = data.clone();
        let at = data.len() / 2;
        changed[at] = if changed[at] == b'x' { b'y' } else { b'x' };
        let mut b = Fingerprint::default();
        b.update(&changed);
        let differing: Vec<usize> = (0..a.blocks().len())
            .filter(|&i| a.blocks()[i] != b.blocks()[i])
            .collect();
        assert_eq!(differing.len(), 1, "{differing:?}");
    }
}
