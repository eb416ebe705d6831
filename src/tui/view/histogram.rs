//! histogram: the current query's events over time, one bar per column,
//! across the query's since/until (else the index's first to last event);
//! a time axis with ticks at a sensible step under it, the cursor (`▲`)
//! and a `v`-marked span (`━`) highlighted over it; a yellow rule and
//! `◆ HISTOGRAM` while it has the keys.

use chrono::{DateTime, Duration, Utc};
use errtriage::query::Histogram;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Sparkline};

use super::text::{DIM, thousands};
use crate::tui::state::State;
use crate::tui::zoom::{column_time, cursor};

/// Tick steps, in seconds, from which the axis picks the first that
/// leaves room for its labels.
const STEPS: [i64; 19] = [
    1, 5, 10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800,
    604800, 2592000,
];
/// Columns per label, at least.
const LABEL_GAP: i64 = 12;

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
    if total == 0 {
        let title = Line::styled(" no events over time ", DIM);
        f.render_widget(Block::new().borders(Borders::TOP).title(title), area);
        return;
    }
    let mut block = Block::new().borders(Borders::TOP).title(title(s, h, total));
    if s.hist_focus {
        block = block.border_style(Style::new().fg(Color::Yellow));
    }
    let inner = block.inner(area);
    f.render_widget(block, area);
    let [bars, axis_row] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(inner);
    let spark = Sparkline::default()
        .data(&h.counts)
        .style(Style::new().fg(Color::Blue));
    f.render_widget(spark, bars);
    f.render_widget(Paragraph::new(axis(h, usize::from(inner.width))), axis_row);
    highlight(f, inner, s);
}

fn title(s: &State, h: &Histogram, total: u64) -> Line<'static> {
    let fmt = |t: &DateTime<Utc>| t.format("%Y-%m-%d %H:%M").to_string();
    let peak = h.counts.iter().copied().max().unwrap_or(0);
    let mut spans = Vec::new();
    if s.hist_focus {
        spans.push(Span::styled(
            " ◆ HISTOGRAM",
            Style::new()
                .fg(Color::Yellow)
                .add_modifier(ratatui::style::Modifier::BOLD),
        ));
    }
    spans.push(Span::raw(format!(
        " {} event{} over time ",
        thousands(total),
        if total == 1 { "" } else { "s" }
    )));
    match (s.hist_cursor.and(cursor(s)), s.hist_mark) {
        (Some(at), mark) => {
            let (from, to) = mark.map_or((at, at), |m| (m.min(at), m.max(at)));
            let n: u64 = h.counts[from..=to].iter().sum();
            let t0 = column_time(h, from).format("%m-%d %H:%M:%S");
            let t1 = column_time(h, to + 1).format("%H:%M:%S");
            let what = if mark.is_some() {
                "Enter zooms"
            } else {
                "v marks"
            };
            spans.push(Span::styled(
                format!("{t0}–{t1}: {} · {what} ", thousands(n)),
                Style::new().fg(Color::Yellow),
            ));
        }
        _ => spans.push(Span::styled(
            format!(
                "{} → {} · peak {}/column ",
                fmt(&h.start),
                fmt(&h.end),
                thousands(peak)
            ),
            DIM,
        )),
    }
    Line::from(spans)
}

/// The cursor's column and the marked span, reversed over the bars.
fn highlight(f: &mut Frame, inner: Rect, s: &State) {
    let Some(at) = s.hist_cursor.and(cursor(s)) else {
        return;
    };
    let (from, to) = s.hist_mark.map_or((at, at), |m| (m.min(at), m.max(at)));
    let buf = f.buffer_mut();
    for col in from..=to {
        let x = inner.x + col as u16;
        if x >= inner.right() {
            break;
        }
        for y in inner.y..inner.bottom().saturating_sub(1) {
            let cell = &mut buf[(x, y)];
            cell.set_style(Style::new().bg(Color::Yellow).fg(Color::Black));
        }
        // On the axis too, so it shows without colours: ▲ the cursor,
        // ━ the rest of the span.
        if inner.height > 1 {
            let cell = &mut buf[(x, inner.bottom() - 1)];
            cell.set_symbol(if col == at { "▲" } else { "━" });
            cell.set_style(Style::new().fg(Color::Yellow));
        }
    }
}

/// The axis under the bars: `╵HH:MM` at each multiple of the step.
pub fn axis(h: &Histogram, width: usize) -> Line<'static> {
    let span_s = (h.end - h.start).num_seconds().max(1);
    let cols = h.counts.len().max(1) as i64;
    let step = STEPS
        .into_iter()
        .find(|st| st * cols >= span_s * LABEL_GAP)
        .unwrap_or(STEPS[STEPS.len() - 1]);
    let format = match step {
        ..60 => "%H:%M:%S",
        60..86400 => "%H:%M",
        _ => "%m-%d",
    };
    let mut row = vec![' '; width];
    let first = h.start.timestamp().div_euclid(step) * step + step;
    let mut t = first;
    while t < h.end.timestamp() {
        let col = ((t - h.start.timestamp()) * cols / span_s) as usize;
        let at = DateTime::<Utc>::UNIX_EPOCH + Duration::seconds(t);
        let label = format!("╵{}", at.format(format));
        if col + label.chars().count() <= width
            && row[col..]
                .iter()
                .take(label.chars().count() + 1)
                .all(|c| *c == ' ')
        {
            for (i, c) in label.chars().enumerate() {
                row[col + i] = c;
            }
        }
        t += step;
    }
    Line::styled(row.into_iter().collect::<String>(), DIM)
}
