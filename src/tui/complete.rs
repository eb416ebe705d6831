//! complete: `Tab` in the query bar. The word at the cursor is a field name
//! (`cl` → `client:`) or a field's value (`client:partner_fit` →
//! `client:partner_fitlink`); names are known here, values are asked of the
//! worker (`Store::complete` over the term dictionaries) and applied when
//! they arrive, if the bar has not changed meanwhile. One candidate is
//! written in; several extend to their common prefix, are listed under the
//! bar, and each further `Tab` writes in the next. Pure: tested in
//! `update_tests.rs` and headless over a real index.

use errtriage::query::complete::{fields_with_prefix, value_text};
use tui_input::Input;

use super::action::{Action, Effect, JobKind};
use super::state::State;

/// Values asked of the index per `Tab`.
pub const LIMIT: usize = 50;

/// A completion in progress.
#[derive(Debug, Clone, PartialEq)]
pub struct Completion {
    /// The query bar's text it belongs to; any other edit ends it.
    pub text: String,
    /// The byte range being completed: a field name, or the value after `field:`.
    pub start: usize,
    pub end: usize,
    /// Whose values are completed; `None` for field names.
    pub field: Option<String>,
    pub prefix: String,
    /// Empty while the worker is asked.
    pub candidates: Vec<String>,
    /// The candidate written in, once `Tab` cycles.
    pub current: Option<usize>,
}

impl Completion {
    /// How a candidate is written into the query.
    pub fn render(&self, candidate: &str) -> String {
        match self.field {
            None => format!("{candidate}:"),
            Some(_) => value_text(candidate),
        }
    }
}

/// What the word before the cursor asks to complete.
pub fn target(text: &str, cursor: usize) -> Completion {
    let before = &text[..cursor];
    let (mut quoted, mut escaped, mut start) = (false, false, 0);
    for (i, c) in before.char_indices() {
        if std::mem::take(&mut escaped) {
            continue;
        }
        match c {
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            c if !quoted && (c.is_whitespace() || c == '(') => start = i + c.len_utf8(),
            _ => {}
        }
    }
    let word = &before[start..];
    let trimmed = word.trim_start_matches(['-', '+']);
    start += word.len() - trimmed.len();
    let (field, start, prefix) = match trimmed.split_once(':') {
        Some((field, value)) => {
            let prefix = unquote(value);
            (Some(field.to_string()), start + field.len() + 1, prefix)
        }
        None => (None, start, trimmed.to_string()),
    };
    Completion {
        text: text.to_string(),
        start,
        end: cursor,
        field,
        prefix,
        candidates: Vec::new(),
        current: None,
    }
}

/// A value as typed so far: an opening quote dropped, escapes undone.
fn unquote(value: &str) -> String {
    let Some(rest) = value.strip_prefix('"') else {
        return value.to_string();
    };
    let mut out = String::new();
    let mut chars = rest.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            '"' => break,
            c => out.push(c),
        }
    }
    out
}

/// `Tab`: write in the next candidate, or start a completion.
pub fn tab(s: &mut State) -> Option<Effect> {
    if let Some(mut c) = s.completion.take()
        && c.text == s.input.value()
        && c.candidates.len() > 1
    {
        let next = c.current.map_or(0, |i| (i + 1) % c.candidates.len());
        c.current = Some(next);
        let rendered = c.render(&c.candidates[next]);
        write(s, &mut c, &rendered);
        s.completion = Some(c);
        return Some(Effect::Debounce(Action::RunPreview));
    }
    let text = s.input.value().to_string();
    let cursor = text
        .char_indices()
        .nth(s.input.cursor())
        .map_or(text.len(), |(i, _)| i);
    let c = target(&text, cursor);
    match c.field.clone() {
        None => {
            let names = fields_with_prefix(&c.prefix);
            offer(s, c, names).then_some(Effect::Debounce(Action::RunPreview))
        }
        Some(field) => {
            let job = s.job(JobKind::Complete {
                field,
                prefix: c.prefix.clone(),
            });
            s.completion = Some(c);
            Some(Effect::Fetch(vec![job]))
        }
    }
}

/// The worker's values for `field` and `prefix`: offered if the bar still
/// asks for them. True when the bar's text changed.
pub fn on_values(s: &mut State, field: &str, prefix: &str, values: Vec<String>) -> bool {
    let Some(c) = s.completion.take() else {
        return false;
    };
    let current = c.text == s.input.value()
        && c.field.as_deref() == Some(field)
        && c.prefix == prefix
        && c.candidates.is_empty();
    if !current {
        s.completion = Some(c);
        return false;
    }
    offer(s, c, values)
}

/// One candidate is written in; several extend to their common prefix and
/// stay listed for `Tab`; none says so. True when the bar's text changed.
fn offer(s: &mut State, mut c: Completion, candidates: Vec<String>) -> bool {
    let before = s.input.value().to_string();
    match candidates.as_slice() {
        [] => {
            s.flash = Some(match &c.field {
                Some(f) => format!("no {f} value in the index starts with {:?}", c.prefix),
                None => format!("no field starts with {:?}", c.prefix),
            });
            return false;
        }
        [one] => {
            let rendered = c.render(one);
            write(s, &mut c, &rendered);
        }
        many => {
            let common = common_prefix(many);
            if common.len() > c.prefix.len() && c.render(&common) == common {
                write(s, &mut c, &common);
            }
            c.candidates = candidates;
            s.completion = Some(c);
        }
    }
    s.input.value() != before
}

/// Replace the completed range with `with`, cursor after it.
fn write(s: &mut State, c: &mut Completion, with: &str) {
    let mut text = c.text.clone();
    text.replace_range(c.start..c.end, with);
    c.end = c.start + with.len();
    let cursor = text[..c.end].chars().count();
    s.input = Input::new(text.clone()).with_cursor(cursor);
    c.text = text;
}

fn common_prefix(values: &[String]) -> String {
    let first = values.first().map_or("", String::as_str);
    let mut len = first.len();
    for v in values {
        len = len.min(
            first
                .char_indices()
                .zip(v.chars())
                .find(|((_, a), b)| a != b)
                .map_or(first.len().min(v.len()), |((i, _), _)| i),
        );
    }
    first[..len].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_word_at_the_cursor_is_a_field_or_a_value() {
        let t = target("cl", 2);
        assert_eq!((t.field, t.start, t.prefix.as_str()), (None, 0, "cl"));
        let q = "status:5xx AND -client:partner_fit";
        let t = target(q, q.len());
        assert_eq!(t.field.as_deref(), Some("client"));
        assert_eq!(
            (&q[t.start..t.end], t.prefix.as_str()),
            ("partner_fit", "partner_fit")
        );
        let q = r#"(code:x OR path:"/v1/a b\"c"#;
        let t = target(q, q.len());
        assert_eq!(t.field.as_deref(), Some("path"));
        assert_eq!(t.prefix, "/v1/a b\"c");
        let t = target("code:x ser", 10);
        assert_eq!((t.field, t.start, t.prefix.as_str()), (None, 7, "ser"));
    }

    #[test]
    fn common_prefixes() {
        let v = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            common_prefix(&v(&["partner_fitbit", "partner_fitlink"])),
            "partner_fit"
        );
        assert_eq!(common_prefix(&v(&["abc", "ab"])), "ab");
        assert_eq!(common_prefix(&v(&["é1", "é2"])), "é");
    }
}
