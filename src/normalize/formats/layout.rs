//! layout: detection state one file's reader carries from line to line.
//! Sits inside format detection ([`super::Formats::detect_in`]), between
//! parsing a line and reading it by its format.
//!
//! Lines of one file have a few top-level key layouts (one logger wrote
//! them, with some optional keys). Which formats are candidates depends on
//! those keys alone (a format is filed under its first detect key), so a
//! line whose keys are a recent line's, byte for byte, reuses that line's
//! candidates instead of scanning every key for an anchor. Each
//! candidate still checks the line with its own detect keys and shapes, so
//! the format found is the one a full scan finds.

use super::super::value::Obj;

/// How many layouts a reader remembers: a file mixing wrappers (a shipper
/// forwarding several services, a generated mix) has a handful, and lines
/// that log optional keys add a few more.
const LAYOUTS: usize = 8;

/// The last few top-level key layouts seen and the formats their anchors
/// name, the most recently used first.
#[derive(Debug, Default, Clone)]
pub struct Layout {
    entries: Vec<Entry>,
}

#[derive(Debug, Default, Clone)]
struct Entry {
    /// The keys, concatenated as written.
    keys: String,
    /// Where each key ends in `keys`.
    ends: Vec<usize>,
    /// Indexes of the formats whose anchor key those keys hold, ascending,
    /// each once.
    candidates: Vec<usize>,
}

impl Entry {
    fn matches(&self, obj: &Obj) -> bool {
        if obj.len() != self.ends.len() {
            return false;
        }
        let mut start = 0;
        for ((key, _), &end) in obj.iter().zip(&self.ends) {
            if key.as_bytes() != &self.keys.as_bytes()[start..end] {
                return false;
            }
            start = end;
        }
        true
    }
}

impl Layout {
    /// The candidates for `obj` when its keys are a remembered layout.
    pub(super) fn candidates_for(&mut self, obj: &Obj) -> Option<&[usize]> {
        let i = self.entries.iter().position(|e| e.matches(obj))?;
        self.entries[..=i].rotate_right(1);
        Some(&self.entries[0].candidates)
    }

    /// Remember `obj`'s keys (forgetting the least recently used layout
    /// when full) and fill its candidates with `scan`, which pushes format
    /// indexes in any order, repeats allowed.
    pub(super) fn remember(&mut self, obj: &Obj, scan: impl FnOnce(&mut Vec<usize>)) -> &[usize] {
        let mut e = if self.entries.len() < LAYOUTS {
            Entry::default()
        } else {
            self.entries.pop().unwrap_or_default()
        };
        e.keys.clear();
        e.ends.clear();
        for (key, _) in obj {
            e.keys.push_str(key);
            e.ends.push(e.keys.len());
        }
        e.candidates.clear();
        scan(&mut e.candidates);
        e.candidates.sort_unstable();
        e.candidates.dedup();
        self.entries.insert(0, e);
        &self.entries[0].candidates
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::value::{self, J};
    use super::*;

    fn keys_of(line: &str) -> Vec<(std::borrow::Cow<'_, str>, J<'_>)> {
        match value::parse(line).unwrap() {
            J::Obj(o) => o,
            _ => panic!("an object"),
        }
    }

    /// The candidates are reused only for the very same keys, in the same
    /// order and case; any other layout is scanned again; the least
    /// recently used layout is forgotten first.
    #[test]
    fn candidates_are_reused_for_the_same_keys_only() {
        let mut layout = Layout::default();
        let first = keys_of(r#"{"a":1,"bc":2}"#);
        assert_eq!(layout.candidates_for(&first), None);
        assert_eq!(layout.remember(&first, |c| c.extend([7, 3, 7])), [3, 7]);
        let same = keys_of(r#"{"a":"x","bc":null}"#);
        assert_eq!(layout.candidates_for(&same), Some(&[3, 7][..]));
        for other in [
            r#"{"ab":1,"c":2}"#,
            r#"{"bc":1,"a":2}"#,
            r#"{"A":1,"bc":2}"#,
            r#"{"a":1}"#,
            r#"{"a":1,"bc":2,"d":3}"#,
        ] {
            assert_eq!(layout.candidates_for(&keys_of(other)), None, "{other}");
        }
        let lines: Vec<String> = (0..LAYOUTS).map(|i| format!(r#"{{"k{i}":1}}"#)).collect();
        for (i, line) in lines.iter().enumerate() {
            layout.remember(&keys_of(line), |c| c.push(i));
        }
        // `first` was used longest ago: forgotten; the others are kept.
        assert_eq!(layout.candidates_for(&first), None);
        for (i, line) in lines.iter().enumerate() {
            assert_eq!(layout.candidates_for(&keys_of(line)), Some(&[i][..]));
        }
    }
}
