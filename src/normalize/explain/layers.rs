//! explain::layers: a wrapped line (Docker's `log`, a shipper's `message`,
//! journald's `MESSAGE`) seen as normalize reads it — the application's
//! line inside first, then each wrapper around it — so `explain` names the
//! key a field came from in the layer that gave it (`log.status`, not the
//! wrapper's `time` for a latency the inner line logged).

use super::super::formats::{Format, Formats, read};
use super::super::value::{self, J, Obj};

/// One layer of a line: the keys its format read (with their paths from
/// the line) and its scalar leaves.
pub(super) struct Layer<'j, 'a> {
    pub keys: Vec<(&'static str, String)>,
    pub leaves: Vec<(String, &'j J<'a>)>,
}

impl<'j, 'a> Layer<'j, 'a> {
    /// The layer of `obj` read by `format` (else the one that claims it),
    /// its keys written under `prefix` (`log` for Docker's inner line;
    /// empty for the line itself).
    pub fn of(
        formats: &Formats,
        format: Option<&Format>,
        obj: &'j Obj<'a>,
        prefix: &str,
    ) -> Layer<'j, 'a> {
        let keys = format
            .or_else(|| formats.detect(obj))
            .map(|f| {
                read::read(f, obj)
                    .keys
                    .into_iter()
                    .map(|(field, k)| (field, under(prefix, k)))
                    .collect()
            })
            .unwrap_or_default();
        let mut leaves = Vec::new();
        super::flatten(obj, prefix.to_owned(), 0, &mut leaves);
        Layer { keys, leaves }
    }
}

fn under(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_owned()
    } else {
        format!("{prefix}.{key}")
    }
}

/// The JSON lines wrapped inside `obj` as text members, outermost first,
/// each with its path from the line (`log`, `log.message`): the `inner`
/// members of the format claiming each layer (`format` for the line
/// itself: a record's own format), as normalize follows them.
pub(super) fn inner_texts(
    formats: &Formats,
    format: Option<&Format>,
    obj: &Obj,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    collect(formats, format, obj, "", &mut out);
    out
}

/// How many wrappers deep `explain` follows (normalize's own limit).
const LEVELS: usize = 3;

fn collect(
    formats: &Formats,
    format: Option<&Format>,
    obj: &Obj,
    prefix: &str,
    out: &mut Vec<(String, String)>,
) {
    let found = format.or_else(|| formats.detect(obj));
    let Some(f) = found.filter(|_| out.len() < LEVELS) else {
        return;
    };
    for p in &f.file.format.inner {
        let Some(J::Str(s)) = read::get(obj, p).map(J::unwrap_any) else {
            continue;
        };
        let text = s.trim();
        if !text.starts_with('{') {
            continue;
        }
        let mut repaired = None;
        if let Ok(J::Obj(inner)) = value::parse_lenient(text, &mut repaired) {
            let path = under(prefix, p);
            out.push((path.clone(), text.to_owned()));
            collect(formats, None, &inner, &path, out);
            return;
        }
    }
}
