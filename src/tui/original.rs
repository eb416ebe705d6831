//! original: a big event's original line, pretty-printed, escaped and
//! measured once in the worker (with its reading and chain, the
//! [`super::action::Detail`] job), so the render loop never walks megabytes:
//! a frame only sums row counts and wraps the rows that show. Lines under
//! [`BIG`] bytes are built by the view as before (cheaper than a round trip).

use ratatui::text::Line;

use super::view::text::safe;
use crate::print::human::pretty_raw;

/// Original lines this long or longer are prepared off the render loop.
pub const BIG: usize = 64 * 1024;

/// The original line's display lines (indented, escaped, secrets redacted
/// unless shown) and the width of each.
#[derive(Debug, Clone, PartialEq)]
pub struct Original {
    pub lines: Vec<Line<'static>>,
    pub widths: Vec<usize>,
}

impl Original {
    /// `raw` as the detail pane shows it.
    pub fn prepare(raw: &str, show_secrets: bool) -> Original {
        let lines: Vec<Line<'static>> = pretty_raw(raw)
            .lines()
            .map(|l| Line::raw(format!("  {}", safe(l, show_secrets))))
            .collect();
        let widths = lines.iter().map(Line::width).collect();
        Original { lines, widths }
    }

    /// How many rows each line takes at `width` columns.
    pub fn heights(&self, width: usize) -> Vec<usize> {
        let width = width.max(1);
        self.widths
            .iter()
            .map(|w| w.div_ceil(width).max(1))
            .collect()
    }
}

/// Whether `raw` is prepared by the worker.
pub fn is_big(raw: &str) -> bool {
    raw.len() >= BIG
}

#[cfg(test)]
mod tests {
    use crossterm::event::KeyCode;

    use super::super::headless_tests::Headless;
    use super::*;

    /// One event whose message is `words` and whose body has `rows` lines.
    fn big_line(words: &str, rows: usize) -> String {
        let body: Vec<String> = (0..rows).map(|i| format!("row {i:06}")).collect();
        serde_json::json!({
            "timestamp": "2026-05-14T10:00:00Z", "service": "42min-api", "status": 500,
            "request_id": "req_BIG", "message": words, "rows": body,
            "auth": "Bearer sk_live_51HxYzABCdefGHijk \u{1b}[2J",
        })
        .to_string()
    }

    #[test]
    fn the_prepared_lines_are_escaped_redacted_and_measured() {
        let raw = big_line("hello", 3);
        let o = Original::prepare(&raw, false);
        let text: Vec<String> = o.lines.iter().map(|l| l.to_string()).collect();
        assert!(
            text.iter().any(|l| l.contains("\"row 000002\"")),
            "{text:?}"
        );
        assert!(
            !text
                .iter()
                .any(|l| l.contains('\u{1b}') || l.contains("51HxYz"))
        );
        assert!(text.iter().any(|l| l.contains("\\u001b[2J")), "{text:?}");
        assert_eq!(o.widths[0], text[0].chars().count());
        assert_eq!(o.heights(4)[0], text[0].chars().count().div_ceil(4));
    }

    #[test]
    fn a_big_event_shows_its_original_line_from_the_worker_to_its_end() {
        let words = "lorem ipsum ".repeat(10_000);
        let raw = big_line(&words, 5_000);
        assert!(is_big(&raw));
        let mut h = Headless::with(&(raw + "\n"), 100, 30);
        let detail = h.app.state.selected_detail().expect("the worker answered");
        let original = detail.original.clone().expect("prepared in the worker");
        assert!(original.lines.len() > 5_000);
        let screen = h.screen();
        assert!(screen.contains("message     lorem ipsum"), "{screen}");
        let (_, _, lines) = h.app.state.detail_cache.clone().expect("drawn");
        let message = lines
            .lines
            .iter()
            .find(|l| l.to_string().starts_with("message"));
        let message = message.expect("a message row").to_string();
        assert!(message.len() < 2_100, "the 120 kB message is cut short");
        assert!(
            message.ends_with("all of it is in the original line)"),
            "{message}"
        );
        // Scroll far past the end: the pane stops at the last rows.
        h.keys(&[KeyCode::Char('J'); 3]);
        h.app.state.detail_scroll = usize::MAX / 2;
        let screen = h.screen();
        assert!(screen.contains("\"row 004999\""), "{screen}");
        assert!(!screen.contains("preparing"), "{screen}");
    }
}
