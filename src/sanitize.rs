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

static SECRET_PATTERNS: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    let key = format!(r#""(?:[^"]*[._-])?{SECRET_NAMES}""#);
    let p = |re: &str, with: &'static str| (Regex::new(re).expect("valid secret pattern"), with);
    vec![
        // JSON members: "Authorization": "…", "http.request.header.authorization": ["…"]
        p(
            &format!(r#"(?i)({key}\s*:\s*\[?\s*)"(?:[^"\\]|\\.)*""#),
            r#"$1"[REDACTED]""#,
        ),
        // Header pairs: ["Authorization", "…"]
        p(
            &format!(r#"(?i)(\[\s*{key}\s*,\s*)"(?:[^"\\]|\\.)*""#),
            r#"$1"[REDACTED]""#,
        ),
        // "Name: value" strings and plain text.
        p(
            &format!(r#"(?i)\b({SECRET_NAMES}\s*[:=]\s*)[^"\r\n]+"#),
            "${1}[REDACTED]",
        ),
        // Bearer/Basic tokens anywhere.
        p(
            r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{6,}",
            "$1 [REDACTED]",
        ),
        // API keys shaped like sk_live_…, avail_test_…, rk_live_…
        p(
            r"\b([A-Za-z]{2,12}_(?:live|test)_)[A-Za-z0-9]{4,}",
            "${1}[REDACTED]",
        ),
    ]
});

/// Replace secrets — credential headers, bearer tokens, `*_live_*` keys —
/// with [`REDACTED`]. Applied to everything displayed or exported (unless
/// the user asks for `--no-redact`) and to every indexed text.
pub fn redact(s: &str) -> Cow<'_, str> {
    let mut out = Cow::Borrowed(s);
    for (re, with) in SECRET_PATTERNS.iter() {
        if let Cow::Owned(replaced) = re.replace_all(&out, *with) {
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
                    let secret = SECRET_KEY.is_match(&k);
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
        ];
        for (input, want) in cases {
            assert_eq!(redact(input), want, "input: {input}");
        }
    }
}
