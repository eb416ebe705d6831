//! sanitize: log text is untrusted. Everything shown to a person passes
//! through here: control characters, ANSI/OSC escapes and bidi overrides are
//! made visible (never emitted), and secrets are redacted.

/// Make a string safe to write to a terminal: C0/C1 controls, DEL and bidi
/// overrides become visible escapes (`\x1b`, `\u{202e}`); `\t` and `\n` are
/// escaped too, since a field is one line on screen.
pub fn escape(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return std::borrow::Cow::Borrowed(s);
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
    std::borrow::Cow::Owned(out)
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
}
