//! help: the `?` overlay. Its rows come from the keymap table itself, so
//! every key listed is a key bound, and every key bound is listed.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::text::{BOLD, DIM, LABEL};
use crate::tui::keymap::{Mode, help_rows};
use crate::tui::state::State;

/// The overlay's text at `width` columns: every mode's keys (descriptions
/// wrapped under themselves), then a query cheat sheet.
pub fn lines(width: usize) -> Vec<Line<'static>> {
    let rows: Vec<(Mode, Vec<(String, &str)>)> =
        Mode::ALL.into_iter().map(|m| (m, help_rows(m))).collect();
    let key_w = rows
        .iter()
        .flat_map(|(_, r)| r.iter().map(|(k, _)| k.chars().count()))
        .max()
        .unwrap_or(8);
    let mut lines = Vec::new();
    for (mode, rows) in rows {
        lines.push(Line::styled(mode.title(), BOLD));
        for (keys, help) in rows {
            let mut key = Span::styled(format!("  {keys:<key_w$}  "), LABEL);
            for part in wrap_words(help, width.saturating_sub(key_w + 4).max(12)) {
                lines.push(Line::from(vec![key, Span::raw(part)]));
                key = Span::raw(" ".repeat(key_w + 4));
            }
        }
        lines.push(Line::default());
    }
    lines.push(Line::styled("Queries", BOLD));
    for example in [
        "req_2N7s8x9KqR               a request id (or idempotency key, trace id)",
        "code:slot_unavailable        one code; also class: service: path: client:",
        "status:5xx  status:409       a status class or status",
        "since:2h  until:2026-05-14   time bounds",
        "\"lock\"  a AND NOT b  (…)     words in messages; AND OR NOT",
    ] {
        lines.push(Line::styled(format!("  {example}"), DIM));
    }
    lines
}

/// Split `text` into lines of at most `width` columns at spaces.
fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            out.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    out.push(line);
    out
}

pub fn render(f: &mut Frame, area: Rect, s: &mut State) {
    let width = area.width.saturating_sub(4).min(90);
    let lines = lines(usize::from(width.saturating_sub(2)));
    let height = (lines.len() as u16 + 2).min(area.height.saturating_sub(2));
    let popup = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    };
    let block = Block::bordered()
        .title(Line::styled(" Keys ", BOLD))
        .title_bottom(Line::styled(" ? Esc q close · j k scroll ", DIM).right_aligned());
    let inner = usize::from(block.inner(popup).height);
    s.help_scroll = s.help_scroll.min(lines.len().saturating_sub(inner));
    let visible: Vec<Line> = lines.into_iter().skip(s.help_scroll).collect();
    f.render_widget(Clear, popup);
    f.render_widget(Paragraph::new(visible).block(block), popup);
}
