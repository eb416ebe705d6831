//! histogram: the current query's events over time, one bar per column,
//! across the query's since/until (else the index's first to last event).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Sparkline};

use super::text::{DIM, thousands};
use crate::tui::state::State;

pub fn render(f: &mut Frame, area: Rect, s: &State) {
    if area.height == 0 {
        return;
    }
    let Some(h) = &s.histogram else {
        f.render_widget(
            Paragraph::new(Line::styled(" histogram…", DIM))
                .block(Block::new().borders(Borders::TOP)),
            area,
        );
        return;
    };
    let total: u64 = h.counts.iter().sum();
    let peak = h.counts.iter().copied().max().unwrap_or(0);
    let fmt = |t: &chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d %H:%M").to_string();
    if total == 0 {
        let title = Line::styled(" no events over time ", DIM);
        f.render_widget(Block::new().borders(Borders::TOP).title(title), area);
        return;
    }
    let title = Line::from(vec![
        Span::raw(format!(
            " {} event{} over time ",
            thousands(total),
            if total == 1 { "" } else { "s" }
        )),
        Span::styled(
            format!(
                "{} → {} · peak {}/column ",
                fmt(&h.start),
                fmt(&h.end),
                thousands(peak)
            ),
            DIM,
        ),
    ]);
    let spark = Sparkline::default()
        .block(Block::new().borders(Borders::TOP).title(title))
        .data(&h.counts)
        .style(Style::new().fg(Color::Blue));
    f.render_widget(spark, area);
}
