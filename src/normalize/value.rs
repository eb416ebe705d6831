//! A borrowed JSON tree for one log line, and the value readers every probe
//! shares. Parsing into this tree instead of `serde_json::Value` keeps keys and
//! unescaped strings as slices of the line (no allocation, no map building),
//! which is most of normalization's speed. serde_json's recursion limit (128)
//! still applies, so deep input fails cleanly instead of overflowing the stack.

use std::borrow::Cow;
use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Number;

/// An object: members in document order, keys as written.
pub(crate) type Obj<'a> = [(Cow<'a, str>, J<'a>)];

/// One JSON value borrowing from the text it was parsed from.
#[derive(Debug, Clone)]
pub(crate) enum J<'a> {
    Null,
    Bool(bool),
    Num(Number),
    Str(Cow<'a, str>),
    Arr(Vec<J<'a>>),
    Obj(Vec<(Cow<'a, str>, J<'a>)>),
}

/// Why text did not parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ParseError {
    Syntax,
    TooDeep,
    /// A number too large for f64 (`1e400`), ending at this byte offset.
    OutOfRange(usize),
}

/// Parse `text` as one JSON value.
pub(crate) fn parse(text: &str) -> Result<J<'_>, ParseError> {
    serde_json::from_str(text).map_err(|e| {
        let what = e.to_string();
        if what.starts_with("recursion limit exceeded") {
            ParseError::TooDeep
        } else if what.starts_with("number out of range") && e.line() == 1 {
            ParseError::OutOfRange(e.column())
        } else {
            ParseError::Syntax
        }
    })
}

/// Parse `text`, and when it fails only because of nginx `\xHH` escapes
/// (`escape=default` writes `"` as `\x22`), parse the repaired text instead.
/// `repaired` holds the repaired text so the tree can borrow from it.
pub(crate) fn parse_lenient<'t>(
    text: &'t str,
    repaired: &'t mut Option<String>,
) -> Result<J<'t>, ParseError> {
    match parse(text) {
        Err(ParseError::Syntax) if memchr::memmem::find(text.as_bytes(), b"\\x").is_some() => {
            parse(repaired.insert(unescape_nginx(text)))
        }
        Err(ParseError::OutOfRange(end)) => {
            let fixed = quote_huge_numbers(text, end).ok_or(ParseError::Syntax)?;
            parse(repaired.insert(fixed)).map_err(|_| ParseError::Syntax)
        }
        other => other,
    }
}

/// JSON allows numbers no f64 can hold (`1e400`); serde_json refuses them.
/// Keep the line by turning each such literal into a string of its digits.
fn quote_huge_numbers(text: &str, mut end: usize) -> Option<String> {
    let mut fixed = text.to_string();
    for _ in 0..64 {
        let bytes = fixed.as_bytes();
        let end_at = end.min(bytes.len());
        let is_num = |b: u8| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E');
        let stop = (end_at..bytes.len())
            .find(|&i| !is_num(bytes[i]))
            .unwrap_or(bytes.len());
        let start = (0..end_at)
            .rev()
            .find(|&i| !is_num(bytes[i]))
            .map_or(0, |i| i + 1);
        if start >= stop {
            return None;
        }
        fixed = format!(
            "{}\"{}\"{}",
            &fixed[..start],
            &fixed[start..stop],
            &fixed[stop..]
        );
        match serde_json::from_str::<serde_json::Value>(&fixed) {
            Ok(_) => return Some(fixed),
            Err(e) if e.to_string().starts_with("number out of range") => end = e.column(),
            Err(_) => return None,
        }
    }
    None
}

/// Rewrite nginx `\xHH` escapes as JSON: runs of escaped bytes are decoded as
/// UTF-8 (lossily) and re-escaped where JSON needs it. Other escapes
/// (`\"`, `\\`, `\u…`) are copied unchanged.
pub(crate) fn unescape_nginx(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut run: Vec<u8> = Vec::new();
    let mut copied = 0; // bytes[..copied] are already in `out`
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            i += 1;
            continue;
        }
        if let Some(b) = hex_escape(&bytes[i..]) {
            out.push_str(&text[copied..i]);
            run.clear();
            let mut j = i;
            let mut next = Some(b);
            while let Some(b) = next {
                run.push(b);
                j += 4;
                next = hex_escape(&bytes[j..]);
            }
            push_json_escaped(&mut out, &String::from_utf8_lossy(&run));
            copied = j;
            i = j;
        } else {
            i += 2; // a JSON escape: skip the escaped character too
        }
    }
    out.push_str(&text[copied.min(text.len())..]);
    out
}

fn hex_escape(b: &[u8]) -> Option<u8> {
    match b {
        [b'\\', b'x', h, l, ..] => {
            let h = (*h as char).to_digit(16)?;
            let l = (*l as char).to_digit(16)?;
            Some((h * 16 + l) as u8)
        }
        _ => None,
    }
}

fn push_json_escaped(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
}

/// Find `key` in an object, ASCII case-insensitively.
pub(crate) fn member<'j, 'a>(obj: &'j Obj<'a>, key: &str) -> Option<&'j J<'a>> {
    obj.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

/// Follow a dotted path (`error.innerError.request-id`, `errors.0.code`),
/// case-insensitively. A dotted key (`"http.response.status_code"`) and nested
/// objects are the same path; a numeric segment indexes an array.
pub(crate) fn get<'j, 'a>(obj: &'j Obj<'a>, path: &str) -> Option<&'j J<'a>> {
    let p = path.as_bytes();
    for (k, v) in obj {
        let k = k.as_bytes();
        // Cheap rejections first: a key must end where the path ends or at a dot.
        let whole = match p.len().cmp(&k.len()) {
            std::cmp::Ordering::Less => continue,
            std::cmp::Ordering::Equal => true,
            std::cmp::Ordering::Greater if p[k.len()] == b'.' => false,
            std::cmp::Ordering::Greater => continue,
        };
        if !p[..k.len()].eq_ignore_ascii_case(k) {
            continue;
        }
        if whole {
            return Some(v);
        }
        if let Some(found) = descend(v, &path[k.len() + 1..]) {
            return Some(found);
        }
    }
    None
}

fn descend<'j, 'a>(v: &'j J<'a>, rest: &str) -> Option<&'j J<'a>> {
    match v {
        J::Obj(o) => get(o, rest),
        J::Arr(items) => {
            let (seg, tail) = rest
                .split_once('.')
                .map_or((rest, None), |(s, t)| (s, Some(t)));
            let item = items.get(seg.parse::<usize>().ok()?)?;
            match tail {
                None => Some(item),
                Some(tail) => descend(item, tail),
            }
        }
        _ => None,
    }
}

impl<'a> J<'a> {
    /// OpenTelemetry's OTLP/JSON wraps values (`{"stringValue":"x"}`,
    /// `{"arrayValue":{"values":[…]}}`); see through one such wrapper.
    pub(crate) fn unwrap_any(&self) -> &J<'a> {
        if let J::Obj(o) = self {
            if let [(k, v)] = o.as_slice() {
                if k == "arrayValue" {
                    return match v {
                        J::Obj(inner) => member(inner, "values").unwrap_or(v),
                        _ => v,
                    };
                }
                if OTLP_SCALARS.contains(&k.as_ref()) {
                    return v;
                }
            }
        }
        self
    }

    /// The value as an object, if it is one.
    pub(crate) fn as_obj(&self) -> Option<&Obj<'a>> {
        match self {
            J::Obj(o) => Some(o),
            _ => None,
        }
    }

    /// A present string: not `""`, not `-`, surrounding whitespace trimmed.
    pub(crate) fn text(&self) -> Option<&str> {
        match self.unwrap_any() {
            J::Str(s) => present(s),
            _ => None,
        }
    }

    /// A string, or an integer written as one (ids, codes).
    pub(crate) fn id(&self) -> Option<Cow<'_, str>> {
        match self.unwrap_any() {
            J::Str(s) => present(s).map(Cow::Borrowed),
            J::Num(n) if !n.is_f64() => Some(Cow::Owned(n.to_string())),
            _ => None,
        }
    }

    /// A number, or a number written as a string (`"409"`, `"0.123"`).
    pub(crate) fn num(&self) -> Option<f64> {
        match self.unwrap_any() {
            J::Num(n) => n.as_f64(),
            J::Str(s) => present(s)?.parse::<f64>().ok().filter(|f| f.is_finite()),
            _ => None,
        }
    }

    /// An HTTP status (100–599), as a number or a numeric string.
    pub(crate) fn status(&self) -> Option<u16> {
        let n = match self.unwrap_any() {
            J::Num(n) => n.as_u64()?,
            J::Str(s) => present(s)?.parse::<u64>().ok()?,
            _ => return None,
        };
        (100..=599).contains(&n).then_some(n as u16)
    }

    /// True when the value says "nothing here": null, false, `""`, `-`, `[]`, `{}`.
    pub(crate) fn is_empty(&self) -> bool {
        match self.unwrap_any() {
            J::Null | J::Bool(false) => true,
            J::Str(s) => present(s).is_none(),
            J::Arr(a) => a.is_empty(),
            J::Obj(o) => o.is_empty(),
            _ => false,
        }
    }

    /// Convert to an owned `serde_json::Value` (for `details`), passing each
    /// string through `fix`.
    pub(crate) fn to_value(&self, fix: &dyn Fn(&str) -> String) -> serde_json::Value {
        use serde_json::Value;
        match self {
            J::Null => Value::Null,
            J::Bool(b) => Value::Bool(*b),
            J::Num(n) => Value::Number(n.clone()),
            J::Str(s) => Value::String(fix(s)),
            J::Arr(a) => Value::Array(a.iter().map(|v| v.to_value(fix)).collect()),
            J::Obj(o) => Value::Object(
                o.iter()
                    .map(|(k, v)| (k.to_string(), v.to_value(fix)))
                    .collect(),
            ),
        }
    }
}

const OTLP_SCALARS: [&str; 5] = [
    "stringValue",
    "intValue",
    "doubleValue",
    "boolValue",
    "bytesValue",
];

/// `s` trimmed, or `None` when it is one of the log conventions for "missing".
pub(crate) fn present(s: &str) -> Option<&str> {
    let t = s.trim();
    (!t.is_empty() && t != "-").then_some(t)
}

impl<'de> Deserialize<'de> for J<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(JVisitor)
    }
}

struct JVisitor;

impl<'de> Visitor<'de> for JVisitor {
    type Value = J<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> Result<J<'de>, E> {
        Ok(J::Null)
    }
    fn visit_bool<E>(self, b: bool) -> Result<J<'de>, E> {
        Ok(J::Bool(b))
    }
    fn visit_u64<E>(self, n: u64) -> Result<J<'de>, E> {
        Ok(J::Num(n.into()))
    }
    fn visit_i64<E>(self, n: i64) -> Result<J<'de>, E> {
        Ok(J::Num(n.into()))
    }
    fn visit_f64<E>(self, n: f64) -> Result<J<'de>, E> {
        Ok(Number::from_f64(n).map_or(J::Null, J::Num))
    }
    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<J<'de>, E> {
        Ok(J::Str(Cow::Borrowed(s)))
    }
    fn visit_str<E>(self, s: &str) -> Result<J<'de>, E> {
        Ok(J::Str(Cow::Owned(s.to_owned())))
    }
    fn visit_string<E>(self, s: String) -> Result<J<'de>, E> {
        Ok(J::Str(Cow::Owned(s)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<J<'de>, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(16));
        while let Some(v) = seq.next_element()? {
            items.push(v);
        }
        Ok(J::Arr(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<J<'de>, A::Error> {
        let mut members = Vec::with_capacity(8);
        while let Some(Key(k)) = map.next_key()? {
            members.push((k, map.next_value()?));
        }
        Ok(J::Obj(members))
    }
}

/// A map key that borrows from the input when it has no escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string key")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(s)))
            }
            fn visit_str<E>(self, s: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(s.to_owned())))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}
