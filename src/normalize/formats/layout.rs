//! layout: detection state one file's reader carries from line to line.
//! Sits inside format detection ([`super::Formats::detect_in`]), between
//! parsing a line and reading it by its format.
//!
//! Lines of one file nearly always have the same top-level keys in the same
//! order (one logger wrote them). Which formats are candidates depends on
//! those keys alone (a format is filed under its first detect key), so a
//! line whose keys are the previous line's, byte for byte, reuses the
//! previous candidates instead of scanning every key for an anchor. Each
//! candidate still checks the line with its own detect keys and shapes, so
//! the format found is the one a full scan finds.

use super::super::value::Obj;

/// The previous line's top-level keys and the formats their anchors name.
#[derive(Debug, Default, Clone)]
pub struct Layout {
    /// The keys, concatenated as written.
    keys: String,
    /// Where each key ends in `keys`.
    ends: Vec<usize>,
    /// Indexes of the formats whose anchor key those keys hold, ascending,
    /// each once.
    candidates: Vec<usize>,
    /// Whether `keys` and `candidates` describe a line (false until the
    /// first line is scanned).
    filled: bool,
}

impl Layout {
    /// The candidates for `obj` when its keys are the remembered ones.
    pub(super) fn candidates_for(&self, obj: &Obj) -> Option<&[usize]> {
        if !self.filled || obj.len() != self.ends.len() {
            return None;
        }
        let mut start = 0;
        for ((key, _), &end) in obj.iter().zip(&self.ends) {
            if key.as_bytes() != &self.keys.as_bytes()[start..end] {
                return None;
            }
            start = end;
        }
        Some(&self.candidates)
    }

    /// Remember `obj`'s keys and fill the candidates with `scan` (which
    /// pushes the format indexes, in any order, repeats allowed).
    pub(super) fn remember(&mut self, obj: &Obj, scan: impl FnOnce(&mut Vec<usize>)) -> &[usize] {
        self.keys.clear();
        self.ends.clear();
        for (key, _) in obj {
            self.keys.push_str(key);
            self.ends.push(self.keys.len());
        }
        self.candidates.clear();
        scan(&mut self.candidates);
        self.candidates.sort_unstable();
        self.candidates.dedup();
        self.filled = true;
        &self.candidates
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
    /// order and case; any other layout is scanned again.
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
    }
}
