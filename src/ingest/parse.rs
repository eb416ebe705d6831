//! parse: one framed line → a normalized, classified event (and whether
//! its time can be stored), or the reason it is a bad line. Damage that loses nothing is
//! repaired first: NUL runs (crash artefacts) are dropped, invalid UTF-8
//! and lone surrogate escapes become U+FFFD.

use crate::catalog::Catalogs;
use crate::index::schema::ts_range;
use crate::model::{BadReason, Source};
use crate::normalize::{Normalized, Reader, Records};

pub(crate) enum Parsed {
    Blank,
    /// A line of one event (nearly all): the event, whether its own time
    /// can be stored, whether the line was repaired.
    Good(Box<Normalized>, bool, bool),
    /// A line that holds several events (OTLP, CloudWatch subscription
    /// data), each with whether its time can be stored; whether the line
    /// was repaired.
    Many(Vec<(Normalized, bool)>, bool),
    Bad(BadReason),
}

/// `reader` reads the lines of one file in order (it carries what the
/// previous line's format detection learnt).
pub(crate) fn parse_line(
    reader: &mut Reader,
    bytes: &[u8],
    source: Source,
    max_line: usize,
    catalogs: &Catalogs,
) -> Parsed {
    // NUL runs are what a crash leaves in a log (preallocated, never
    // written blocks): drop them, keep the line around them.
    let stripped: Vec<u8>;
    let bytes = if memchr::memchr(0, bytes).is_some() {
        stripped = bytes.iter().copied().filter(|&b| b != 0).collect();
        &stripped[..]
    } else {
        bytes
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Parsed::Blank;
    }
    if bytes.len() > max_line {
        return Parsed::Bad(BadReason::TooLong);
    }
    let (text, repaired) = match std::str::from_utf8(bytes) {
        Ok(s) => (std::borrow::Cow::Borrowed(s), false),
        Err(_) => (String::from_utf8_lossy(bytes), true),
    };
    let parsed = match reader.records(&text, source.clone()) {
        // A lone surrogate escape (a truncated emoji, `"\ud83d"`) is
        // repaired to U+FFFD like invalid bytes are.
        Err(BadReason::NotJson) => match super::repair::lone_surrogates(&text) {
            Some(fixed) => reader.records(&fixed, source).map(|n| (n, true)),
            None => Err(BadReason::NotJson),
        },
        other => other.map(|n| (n, repaired)),
    };
    match parsed {
        Ok((Records::One(mut n), repaired)) => {
            let storable = classify(&mut n, catalogs);
            Parsed::Good(n, storable, repaired)
        }
        Ok((Records::Many(many), repaired)) => {
            let many = many
                .into_iter()
                .map(|mut n| {
                    let storable = classify(&mut n, catalogs);
                    (n, storable)
                })
                .collect();
            Parsed::Many(many, repaired)
        }
        Err(_) if repaired => Parsed::Bad(BadReason::InvalidUtf8),
        Err(reason) => Parsed::Bad(reason),
    }
}

/// Classify an event; whether its own time can be stored (one was read,
/// and the index can hold it).
fn classify(n: &mut Normalized, catalogs: &Catalogs) -> bool {
    catalogs.classify(n);
    n.has_ts && ts_range::holds(n.event.ts)
}
