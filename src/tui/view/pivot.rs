//! pivot: the `=` / `-` field menu, a small box over the main pane listing
//! the selection's values with the key that picks each, and the query it
//! would become.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::text::{BOLD, DIM, LABEL, SELECTED, safe};
use crate::tui::pivot::narrow;
use crate::tui::state::State;

/// Widest value shown, in columns.
const VALUE_W: usize = 48;

pub fn render(f: &mut Frame, area: Rect, s: &State) {
    let Some(menu) = &s.pivot else {
        return;
    };
    let title = if menu.exclude {
        " - exclude from the query: "
    } else {
        " = narrow the query to: "
    };
    let mut lines: Vec<Line> = menu
        .options
        .iter()
        .enumerate()
        .map(|(i, (field, value))| {
            let value: String = safe(value, s.show_secrets).chars().take(VALUE_W).collect();
            let line = Line::from(vec![
                Span::styled(format!(" {} ", field.key()), LABEL.patch(BOLD)),
                Span::raw(format!("{:<16}", field.label())),
                Span::raw(value),
                Span::raw(" "),
            ]);
            if i == menu.selected {
                line.style(SELECTED)
            } else {
                line
            }
        })
        .collect();
    if let Some((field, value)) = menu.options.get(menu.selected) {
        let query = narrow(&s.applied, *field, value, menu.exclude);
        lines.push(Line::default());
        lines.push(Line::styled(
            format!(" → {}", safe(&query, s.show_secrets)),
            DIM,
        ));
    }
    let width = (lines.iter().map(Line::width).max().unwrap_or(20) as u16 + 2)
        .max(title.len() as u16 + 2)
        .min(area.width);
    let height = (lines.len() as u16 + 2).min(area.height);
    let popup = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    };
    let block = Block::bordered()
        .title(Line::styled(title, BOLD))
        .title_bottom(Line::styled(" key or j/k Enter · Esc close ", DIM).right_aligned());
    f.render_widget(Clear, popup);
    f.render_widget(Paragraph::new(lines).block(block), popup);
}
