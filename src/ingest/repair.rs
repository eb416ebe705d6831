//! repair: small fixes that let a damaged line be read rather than lost.
//! A lone UTF-16 surrogate escape (`"\ud83d"`, an emoji cut in half by a
//! logger that truncates strings) is invalid JSON; it becomes `\ufffd`, as
//! invalid UTF-8 bytes become U+FFFD.

/// `text` with each lone surrogate escape replaced by `\ufffd`, or `None`
/// when it has none. Escaped backslashes (`\\ud83d`) are not escapes.
pub fn lone_surrogates(text: &str) -> Option<String> {
    let b = text.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' {
            i += 1;
            continue;
        }
        let Some(unit) = escape_unit(b, i) else {
            i += 2;
            continue;
        };
        let paired = (0xD800..0xDC00).contains(&unit)
            && escape_unit(b, i + 6).is_some_and(|low| (0xDC00..0xE000).contains(&low));
        if paired {
            i += 12;
        } else if (0xD800..0xE000).contains(&unit) {
            let s = out.get_or_insert_with(|| String::with_capacity(text.len()));
            s.push_str(&text[copied..i]);
            s.push_str("\\ufffd");
            i += 6;
            copied = i;
        } else {
            i += 6;
        }
    }
    out.map(|mut s| {
        s.push_str(&text[copied..]);
        s
    })
}

/// The code unit of a `\uXXXX` escape at `i`, if there is one.
fn escape_unit(b: &[u8], i: usize) -> Option<u32> {
    if b.get(i) != Some(&b'\\') || b.get(i + 1) != Some(&b'u') {
        return None;
    }
    let hex = std::str::from_utf8(b.get(i + 2..i + 6)?).ok()?;
    u32::from_str_radix(hex, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::lone_surrogates as fix;

    #[test]
    fn lone_surrogates_become_replacement_characters_and_pairs_stay() {
        assert_eq!(fix(r#"{"m":"hi \ud83d"}"#).unwrap(), r#"{"m":"hi \ufffd"}"#);
        assert_eq!(
            fix(r#"{"m":"\udc00x\uD83D"}"#).unwrap(),
            r#"{"m":"\ufffdx\ufffd"}"#
        );
        assert_eq!(fix(r#"{"m":"\ud83d\ude00 ok \u00e9"}"#), None);
        assert_eq!(fix(r#"{"m":"\\ud83d is text"}"#), None);
        assert_eq!(fix(r#"{"m":"\\\ud83d"}"#).unwrap(), r#"{"m":"\\\ufffd"}"#);
        let fixed = fix(r#"{"m":"\ud83d\ud83d\ude00"}"#).unwrap();
        assert_eq!(fixed, r#"{"m":"\ufffd\ud83d\ude00"}"#);
        let v: serde_json::Value = serde_json::from_str(&fixed).unwrap();
        assert_eq!(v["m"], "\u{fffd}\u{1f600}");
    }
}
