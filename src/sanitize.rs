//! sanitize: log text is untrusted. Everything shown to a person passes
//! through here: control characters, ANSI/OSC escapes and bidi overrides are
//! made visible (never emitted), and secrets are redacted.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

use crate::model::Event;

/// Make a string safe to write to a terminal: C0/C1 controls, DEL and bidi
/// overrides become visible escapes (`\x1b`, `\u{202e}`); `\t` and `\n` are
/// escaped too, since a field is one line on screen.
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if needs_escape(c) {
            match c {
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                '\r' => out.push_str("\\r"),
                c if (c as u32) < 0x100 => out.push_str(&format!("\\x{:02x}", c as u32)),
                c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// What a redacted secret is replaced with.
pub const REDACTED: &str = "[REDACTED]";

/// Names (or name suffixes, after `.`, `_` or `-`) whose values are credentials.
const SECRET_NAMES: &str =
    r"(?:authorization|cookie|set[-_]cookie|x[-_]api[-_]key|api[-_]?key|password|client[-_]secret)";

/// Words (lower case) of which every name in [`SECRET_NAMES`] contains one
/// (not a bare `api`: nearly every line names a `…-api` service).
const NAME_WORDS: &[&str] = &[
    "authorization",
    "cookie",
    "api-key",
    "api_key",
    "apikey",
    "password",
    "secret",
];

/// One redaction: a pattern, what replaces its matches, and the words (lower
/// case) one of which every match contains. Most texts contain none of
/// them, so the regex is neither run nor even compiled for them: `find`
/// pays ~1.5 ms to compile these patterns, ingest runs them per message.
struct Secret {
    re: LazyLock<Regex>,
    with: &'static str,
    words: &'static [&'static str],
}

fn compile(re: &str) -> Regex {
    Regex::new(re).expect("valid secret pattern")
}

fn key() -> String {
    format!(r#""(?:[^"]*[._-])?{SECRET_NAMES}""#)
}

static SECRETS: [Secret; 5] = [
    // JSON members: "Authorization": "…", "http.request.header.authorization": ["…"]
    Secret {
        re: LazyLock::new(|| compile(&format!(r#"(?i)({}\s*:\s*\[?\s*)"(?:[^"\\]|\\.)*""#, key()))),
        with: r#"$1"[REDACTED]""#,
        words: NAME_WORDS,
    },
    // Header pairs: ["Authorization", "…"]
    Secret {
        re: LazyLock::new(|| compile(&format!(r#"(?i)(\[\s*{}\s*,\s*)"(?:[^"\\]|\\.)*""#, key()))),
        with: r#"$1"[REDACTED]""#,
        words: NAME_WORDS,
    },
    // "Name: value" strings and plain text.
    Secret {
        re: LazyLock::new(|| compile(&format!(r#"(?i)\b({SECRET_NAMES}\s*[:=]\s*)[^"\r\n]+"#))),
        with: "${1}[REDACTED]",
        words: NAME_WORDS,
    },
    // Bearer/Basic tokens anywhere.
    Secret {
        re: LazyLock::new(|| compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{6,}")),
        with: "$1 [REDACTED]",
        words: &["bearer", "basic"],
    },
    // API keys shaped like sk_live_…, avail_test_…, rk_live_…
    Secret {
        re: LazyLock::new(|| compile(r"\b([A-Za-z]{2,12}_(?:live|test)_)[A-Za-z0-9]{4,}")),
        with: "${1}[REDACTED]",
        words: &["_live_", "_test_"],
    },
];

/// Whether `s` may contain one of `words`. Exact for ASCII text; any other
/// text may (case-insensitive regexes fold more than ASCII: `K` is `k`).
fn may_contain(s: &str, words: &[&str]) -> bool {
    if !s.is_ascii() {
        return true;
    }
    let lower = s.to_ascii_lowercase();
    words
        .iter()
        .any(|w| memchr::memmem::find(lower.as_bytes(), w.as_bytes()).is_some())
}

/// Replace secrets — credential headers, bearer tokens, `*_live_*` keys —
/// with [`REDACTED`]. Applied to everything displayed or exported (unless
/// the user asks for `--no-redact`) and to every indexed text.
pub fn redact(s: &str) -> Cow<'_, str> {
    let mut out = Cow::Borrowed(s);
    for secret in &SECRETS {
        if !may_contain(&out, secret.words) {
            continue;
        }
        if let Cow::Owned(replaced) = secret.re.replace_all(&out, secret.with) {
            out = Cow::Owned(replaced);
        }
    }
    out
}

/// Escape for the terminal, and redact unless `show_secrets`.
pub fn display(s: &str, show_secrets: bool) -> String {
    if show_secrets {
        escape(s).into_owned()
    } else {
        escape(&redact(s)).into_owned()
    }
}

/// A copy of `event` with secrets redacted from every text it carries.
pub fn redact_event(event: &Event) -> Event {
    let mut e = event.clone();
    e.raw = redact(&e.raw).into_owned();
    e.message = e.message.map(|m| redact(&m).into_owned());
    e.client = e.client.map(|c| redact(&c).into_owned());
    e.details = e.details.map(redact_value);
    e
}

/// Redact every string inside a JSON value, and the whole value of members
/// named like credentials.
pub fn redact_value(v: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::String(s) => Value::String(redact(&s).into_owned()),
        Value::Array(items) => Value::Array(items.into_iter().map(redact_value).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let secret = may_contain(&k, NAME_WORDS) && SECRET_KEY.is_match(&k);
                    (
                        k,
                        if secret {
                            Value::String(REDACTED.into())
                        } else {
                            redact_value(v)
                        },
                    )
                })
                .collect(),
        ),
        other => other,
    }
}

static SECRET_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"(?i)^(?:.*[._-])?{SECRET_NAMES}$")).expect("valid key pattern")
});

fn needs_escape(c: char) -> bool {
    c.is_control() // C0, DEL, C1
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_ansi_osc_and_bidi() {
        assert_eq!(escape("plain"), "plain");
        assert_eq!(escape("\x1b[31mred\x07"), "\\x1b[31mred\\x07");
        assert_eq!(escape("a\u{9b}b"), "a\\x9bb");
        assert_eq!(escape("x\u{202e}y"), "x\\u{202e}y");
        assert_eq!(escape("l1\nl2\t"), "l1\\nl2\\t");
    }

    #[test]
    fn redacts_credentials_in_every_form() {
        let cases = [
            (
                r#"{"Authorization":"Bearer abc.def.ghi"}"#,
                r#"{"Authorization":"[REDACTED]"}"#,
            ),
            (
                r#"{"cookie": "sid=123; x=1"}"#,
                r#"{"cookie": "[REDACTED]"}"#,
            ),
            (
                r#"{"http.request.header.authorization":["Bearer zzzzzzzz"]}"#,
                r#"{"http.request.header.authorization":["[REDACTED]"]}"#,
            ),
            (
                r#"[["Authorization","Basic dXNlcjpwYXNz"]]"#,
                r#"[["Authorization","[REDACTED]"]]"#,
            ),
            (
                "Authorization: Bearer abcdefgh",
                "Authorization: [REDACTED]",
            ),
            (
                "key sk_live_51HxYzABCdef used",
                "key sk_live_[REDACTED] used",
            ),
            (
                "avail_live_Q2x9pL7 and avail_test_invalid",
                "avail_live_[REDACTED] and avail_test_[REDACTED]",
            ),
            (
                r#"{"http_authorization":"Bearer qqqqqqqq"}"#,
                r#"{"http_authorization":"[REDACTED]"}"#,
            ),
            (
                r#"{"sent_http_set_cookie":"a=b"}"#,
                r#"{"sent_http_set_cookie":"[REDACTED]"}"#,
            ),
            ("nothing secret here", "nothing secret here"),
            // The word prefilter must not hide what the patterns match.
            (
                r#"{"X-API-KEY":"k1","Api_Key":"k2","apikey":"k3"}"#,
                r#"{"X-API-KEY":"[REDACTED]","Api_Key":"[REDACTED]","apikey":"[REDACTED]"}"#,
            ),
            ("CLIENT_SECRET=abc", "CLIENT_SECRET=[REDACTED]"),
            // Case-insensitive matching folds more than ASCII (ſ is s).
            ("paſſword=hunter2", "paſſword=[REDACTED]"),
        ];
        for (input, want) in cases {
            assert_eq!(redact(input), want, "input: {input}");
        }
    }
}
