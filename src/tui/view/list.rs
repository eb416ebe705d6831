//! list: the table every view draws its rows in. Only the visible rows are
//! built (a list may hold thousands of events); the pane's title carries the
//! view tabs.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, HighlightSpacing, Paragraph, Row, Table, TableState};

use super::text::{BOLD, DIM, SELECTED};
use crate::tui::state::{List, State, View};

/// ` Events │ Groups │ Chains ` with the current view highlighted, then `extra`.
pub fn tabs_title(s: &State, extra: String) -> Line<'static> {
    let mut spans = vec![Span::raw(" ")];
    for (i, v) in View::ALL.into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" │ ", DIM));
        }
        let style = if v == s.view {
            BOLD.patch(SELECTED)
        } else {
            DIM
        };
        spans.push(Span::styled(v.title(), style));
    }
    spans.push(Span::raw(format!("  {extra} ")));
    Line::from(spans)
}

/// Note where the list's tabs and rows are on screen (for clicks); `area`
/// is the list pane as given to [`render_table`].
pub fn record_hits(s: &mut State, area: Rect) {
    let mut x = area.x + 1;
    s.hits.tabs.clear();
    for (i, v) in View::ALL.into_iter().enumerate() {
        if i > 0 {
            x += 3;
        }
        let w = v.title().len() as u16;
        s.hits.tabs.push((x, x + w, area.y, v));
        x += w;
    }
    s.hits.rows = Rect {
        y: area.y + 2,
        height: area.height.saturating_sub(2),
        ..area
    };
}

/// The first row to show so that `selected` is visible in `height` rows.
pub fn window(selected: usize, offset: usize, height: usize, len: usize) -> usize {
    let height = height.max(1);
    let mut offset = offset.min(selected);
    if selected >= offset + height {
        offset = selected + 1 - height;
    }
    offset.min(len.saturating_sub(height))
}

/// What a table needs besides its items.
pub struct TableSpec<'a, T> {
    pub title: Line<'static>,
    pub header: Vec<&'static str>,
    pub widths: Vec<Constraint>,
    pub row: &'a dyn Fn(&T) -> Row<'static>,
    /// Shown when there are no items.
    pub empty: Vec<Line<'static>>,
}

/// Draw `list` as a table with its selection; returns how many rows fit.
pub fn render_table<T>(
    f: &mut Frame,
    area: Rect,
    list: &mut List<T>,
    spec: TableSpec<'_, T>,
) -> usize {
    let block = Block::new().borders(Borders::TOP).title(spec.title);
    let height = usize::from(block.inner(area).height.saturating_sub(1));
    if list.items.is_empty() {
        f.render_widget(Paragraph::new(spec.empty).block(block), area);
        return height;
    }
    list.offset = window(list.selected, list.offset, height, list.items.len());
    let end = (list.offset + height).min(list.items.len());
    let rows: Vec<Row> = list.items[list.offset..end].iter().map(spec.row).collect();
    let table = Table::new(rows, spec.widths)
        .header(Row::new(spec.header).style(DIM))
        .block(block)
        .column_spacing(1)
        .row_highlight_style(SELECTED)
        .highlight_symbol("▸ ")
        .highlight_spacing(HighlightSpacing::Always);
    let mut state = TableState::default().with_selected(Some(list.selected - list.offset));
    f.render_stateful_widget(table, area, &mut state);
    height
}

#[cfg(test)]
mod tests {
    use super::window;

    #[test]
    fn window_keeps_the_selection_visible() {
        assert_eq!(window(0, 0, 5, 100), 0);
        assert_eq!(window(4, 0, 5, 100), 0);
        assert_eq!(window(5, 0, 5, 100), 1);
        assert_eq!(window(2, 4, 5, 100), 2);
        assert_eq!(window(99, 0, 5, 100), 95);
        assert_eq!(window(3, 90, 5, 4), 0);
    }
}
