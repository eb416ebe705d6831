//! parse: one framed line → a normalized, classified event and its
//! document, or the reason it is a bad line. Damage that loses nothing is
//! repaired first: NUL runs (crash artefacts) are dropped, invalid UTF-8
//! and lone surrogate escapes become U+FFFD.

use tantivy::schema::TantivyDocument;

use crate::catalog::Catalogs;
use crate::index::schema::ts_range;
use crate::index::writer::to_document;
use crate::model::{BadReason, Source};
use crate::normalize::{Normalized, Records, normalize_records};

pub(crate) enum Parsed {
    Blank,
    /// A line of one event (nearly all): the event, its document (None
    /// when its time must be inferred), whether the line was repaired.
    Good(Box<Normalized>, Option<TantivyDocument>, bool),
    /// A line that holds several events (OTLP, CloudWatch subscription
    /// data), each with its document; whether the line was repaired.
    Many(Vec<(Normalized, Option<TantivyDocument>)>, bool),
    Bad(BadReason),
}

pub(crate) fn parse_line(
    bytes: &[u8],
    source: Source,
    max_line: usize,
    catalogs: &Catalogs,
    fields: &crate::index::schema::Fields,
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
    let parsed = match normalize_records(&text, source.clone()) {
        // A lone surrogate escape (a truncated emoji, `"\ud83d"`) is
        // repaired to U+FFFD like invalid bytes are.
        Err(BadReason::NotJson) => match super::repair::lone_surrogates(&text) {
            Some(fixed) => normalize_records(&fixed, source).map(|n| (n, true)),
            None => Err(BadReason::NotJson),
        },
        other => other.map(|n| (n, repaired)),
    };
    match parsed {
        Ok((Records::One(mut n), repaired)) => {
            let doc = classify(&mut n, catalogs, fields);
            Parsed::Good(n, doc, repaired)
        }
        Ok((Records::Many(many), repaired)) => {
            let many = many
                .into_iter()
                .map(|mut n| {
                    let doc = classify(&mut n, catalogs, fields);
                    (n, doc)
                })
                .collect();
            Parsed::Many(many, repaired)
        }
        Err(_) if repaired => Parsed::Bad(BadReason::InvalidUtf8),
        Err(reason) => Parsed::Bad(reason),
    }
}

/// Classify an event and make its document, unless its time must be
/// inferred (none read, or one the index cannot hold).
fn classify(
    n: &mut Normalized,
    catalogs: &Catalogs,
    fields: &crate::index::schema::Fields,
) -> Option<TantivyDocument> {
    catalogs.classify(n);
    let storable = n.has_ts && ts_range::holds(n.event.ts);
    storable.then(|| to_document(fields, &n.event))
}
