//! sanitize: log text is untrusted. Everything shown to a person passes
//! through here: control characters, ANSI/OSC escapes and bidi overrides are
//! made visible (never emitted), and secrets are redacted ([`redact()`], its
//! rules in `rules.toml`).

mod redact;

use std::borrow::Cow;

use crate::model::Event;

pub use redact::{REDACTED, is_secret_key, redact, redact_value};

/// Make a string safe to write to a terminal: C0/C1 controls, DEL and bidi
/// overrides become visible escapes (`\x1b`, `\u{202e}`); `\t` and `\n` are
/// escaped too, since a field is one line on screen.
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        push_visible(&mut out, c);
    }
    Cow::Owned(out)
}

/// Push `c`, as a visible escape if it is a control or bidi character.
fn push_visible(out: &mut String, c: char) {
    if !needs_escape(c) {
        out.push(c);
        return;
    }
    match c {
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        '\r' => out.push_str("\\r"),
        c if (c as u32) < 0x100 => out.push_str(&format!("\\x{:02x}", c as u32)),
        c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
    }
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
/// (Normalization already redacts the fields it indexes; this also covers
/// the original line and the details.)
pub fn redact_event(event: &Event) -> Event {
    let mut e = event.clone();
    let text = |s: &mut String| {
        if let Cow::Owned(r) = redact(s) {
            *s = r;
        }
    };
    text(&mut e.raw);
    text(&mut e.request_id);
    for s in [
        &mut e.trace_id,
        &mut e.service,
        &mut e.method,
        &mut e.path,
        &mut e.route,
        &mut e.code,
        &mut e.message,
        &mut e.idempotency_key,
        &mut e.client,
        &mut e.api,
    ]
    .into_iter()
    .flatten()
    {
        text(s);
    }
    e.details = e.details.map(redact_value);
    e
}

/// Text safe to put on the clipboard (OSC 52): secrets redacted unless
/// `show_secrets`; control characters (ESC, BEL, CR, C1…), ANSI/OSC
/// escapes and bidi overrides made visible, so a paste into a shell or a
/// ticket cannot run or hide anything. Line breaks and tabs stay (a case
/// card is several lines). The TUI passes every copy through here
/// (`tui::app::App::dispatch`).
pub fn clipboard(s: &str, show_secrets: bool) -> String {
    let text = if show_secrets {
        Cow::Borrowed(s)
    } else {
        redact(s)
    };
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\t' => out.push(c),
            c => push_visible(&mut out, c),
        }
    }
    out
}

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
    fn clipboard_text_has_no_control_characters_and_no_secrets() {
        let copied = clipboard(
            "req_\x1b]52;c;ZXZpbA==\x07\u{9b}2J\u{202e}x\r\nline 2\tsk_live_51HxYzABCdef",
            false,
        );
        assert_eq!(
            copied,
            "req_\\x1b]52;c;ZXZpbA==\\x07\\x9b2J\\u{202e}x\\r\nline 2\tsk_live_[REDACTED]"
        );
        assert!(
            !copied
                .chars()
                .any(|c| c.is_control() && c != '\n' && c != '\t')
        );
        assert!(clipboard("sk_live_51HxYzABCdef", true).contains("51HxYzABCdef"));
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
            // Issue 13: shapes that were not redacted anywhere.
            (
                r#"{"body":"{\"user\":\"ann\",\"password\":\"hunter2\"}"}"#,
                r#"{"body":"{\"user\":\"ann\",\"password\":\"[REDACTED]\"}"}"#,
            ),
            (
                r#"{"b":"{\"n\":\"{\\\"password\\\":\\\"pw2\\\"}\"}"}"#,
                r#"{"b":"{\"n\":\"{\\\"password\\\":\\\"[REDACTED]\\\"}\"}"}"#,
            ),
            (
                "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U end",
                "jwt [REDACTED] end",
            ),
            (
                r#"{"access_token":"ya29.a0AfH6SMBx3fP9kq","refresh_token":"1//0gLq2x9ZrT"}"#,
                r#"{"access_token":"[REDACTED]","refresh_token":"[REDACTED]"}"#,
            ),
            (
                "oauth ya29.a0AfH6SMBx3fP9kqLmN0pQ2r and 1//0gLq2x9ZrTkW3yV5uX7aB9cD1eF3gH5",
                "oauth ya29.[REDACTED] and 1//0[REDACTED]",
            ),
            ("key AKIAIOSFODNN7EXAMPLE!", "key AKIA[REDACTED]!"),
            ("sts ASIAY34FZKBOKMUTVV7A", "sts ASIA[REDACTED]"),
            (
                "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                "aws_secret_access_key=[REDACTED]",
            ),
            (
                r#"{"X-Auth-Token":"tok123456"}"#,
                r#"{"X-Auth-Token":"[REDACTED]"}"#,
            ),
            ("X-Auth-Token: tok123456", "X-Auth-Token: [REDACTED]"),
            (
                r#"[["x-auth-token","tok123456"]]"#,
                r#"[["x-auth-token","[REDACTED]"]]"#,
            ),
            (
                "fetch https://admin:hunter2@db.internal:5432/x failed",
                "fetch https://admin:[REDACTED]@db.internal:5432/x failed",
            ),
            (
                r#"{"k":"-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\n-----END RSA PRIVATE KEY-----"}"#,
                r#"{"k":"-----BEGIN RSA PRIVATE KEY-----[REDACTED]-----END RSA PRIVATE KEY-----"}"#,
            ),
            (
                "ghp_1234567890abcdefghijABCDEFGHIJ123456 gho_1234567890abcdefghijABCDEFGHIJ123456",
                "ghp_[REDACTED] gho_[REDACTED]",
            ),
            (
                "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
                "github_pat_[REDACTED]",
            ),
            (
                "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx xoxp-1234-5678-abcdefgh",
                "xoxb-[REDACTED] xoxp-[REDACTED]",
            ),
            ("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_[REDACTED]"),
            (
                "/cb?code=1&token=abc123&secret=s3cr3t&password=pw&next=/x",
                "/cb?code=1&token=[REDACTED]&secret=[REDACTED]&password=[REDACTED]&next=/x",
            ),
            ("auth bearer:tok_abcdef123", "auth bearer:[REDACTED]"),
            ("Bearer\\ttok_abcdef123", "Bearer\\t[REDACTED]"),
            ("Bearer\ttok_abcdef123", "Bearer\t[REDACTED]"),
            (
                r#"{"Cookies":{"session":"abc","_ga":"x"},"RequestHeaders":{"x-token":"t"},"Status":200}"#,
                r#"{"Cookies":"[REDACTED]","RequestHeaders":"[REDACTED]","Status":200}"#,
            ),
            // Ids, paths and ordinary words stay byte for byte.
            (
                r#"{"request_id":"req_2N7s8x9KqR","idempotency_key":"5f1d3c2a-8e4b","path":"/v1/keys/key_42/rotate","token_type":"Bearer","code":"TOKEN_EXPIRED"}"#,
                r#"{"request_id":"req_2N7s8x9KqR","idempotency_key":"5f1d3c2a-8e4b","path":"/v1/keys/key_42/rotate","token_type":"Bearer","code":"TOKEN_EXPIRED"}"#,
            ),
            (
                "see https://docs.example.com:443/errors#rate and asia-east1",
                "see https://docs.example.com:443/errors#rate and asia-east1",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(redact(input), want, "input: {input}");
        }
    }
}
