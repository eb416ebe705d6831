//! view: the screen, drawn from [`State`] alone. Top to bottom: the query
//! bar (and its inline error), the histogram, the main pane with the view's
//! list beside or above the detail pane (or a full page), the status bar;
//! the `?` overlay over all. Only visible rows are built.

mod bars;
pub mod chains;
pub mod detail;
mod events;
pub mod groups;
pub mod help;
mod histogram;
mod incident;
mod list;
mod pivot;
pub mod text;
mod timeline;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph};

use self::text::{BOLD, DIM, safe};
use super::state::{Page, State, View};

/// Side by side from this width; list above detail below it.
const SIDE_BY_SIDE: u16 = 140;

/// Draw the whole screen.
pub fn draw(f: &mut Frame, s: &mut State) {
    let area = f.area();
    let has_error = s.query_error.is_some() || s.index_error.is_some();
    let has_choices = s.editing
        && s.completion
            .as_ref()
            .is_some_and(|c| c.candidates.len() > 1);
    let hist_h = match area.height {
        40.. => 6,
        20.. => 3,
        _ => 0,
    };
    let [bar, choices, error, hist, body, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(u16::from(has_choices)),
        Constraint::Length(u16::from(has_error)),
        Constraint::Length(hist_h),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(area);
    bars::query(f, bar, s);
    if has_choices {
        bars::completions(f, choices, s);
    }
    if has_error {
        bars::error(f, error, s);
    }
    histogram::render(f, hist, s);
    if s.index_is_empty() {
        empty_index(f, body, s);
    } else if s.page == Some(Page::Incident) {
        incident::render(f, body, s);
    } else if s.page.is_some() {
        detail::render(f, body, s);
    } else {
        let [list_area, detail_area] = split(body);
        match s.view {
            View::Events => events::render(f, list_area, s),
            View::Groups => groups::render(f, list_area, s),
            View::Chains => chains::render(f, list_area, s),
        }
        detail::render(f, detail_area, s);
    }
    bars::status(f, status, s);
    pivot::render(f, body, s);
    if s.help {
        help::render(f, area, s);
    }
}

fn split(body: Rect) -> [Rect; 2] {
    if body.width >= SIDE_BY_SIDE {
        Layout::horizontal([Constraint::Percentage(58), Constraint::Percentage(42)])
            .spacing(1)
            .areas(body)
    } else {
        Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(body)
    }
}

fn empty_index(f: &mut Frame, area: Rect, s: &State) {
    let dir = safe(&s.index_dir, true);
    let lines = vec![
        Line::styled(format!("The index at {dir} is empty."), BOLD),
        Line::default(),
        Line::raw(
            "Ingest logs (files, directories, .gz/.zst, or - for stdin) from another terminal:",
        ),
        Line::raw(format!("    errtriage --index {dir} ingest PATH…")),
        Line::styled(
            "  new events appear here as they are committed, no restart needed.",
            DIM,
        ),
        Line::default(),
        Line::raw("Or ingest and open in one go:"),
        Line::raw(format!("    errtriage --index {dir} tui PATH…")),
    ];
    let block = Block::new().borders(Borders::TOP).title(" errtriage ");
    f.render_widget(Paragraph::new(lines).block(block), area);
}
