//! events: the Events view — one matching event per row, newest first: time,
//! status, code, service, method + path, request id, coloured by status class.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row};

use super::list::{TableSpec, render_table, tabs_title};
use super::text::{DIM, safe, safe_or_dash, status_style, status_text, thousands};
use crate::tui::state::State;

pub fn render(f: &mut Frame, area: Rect, s: &mut State) {
    let show = s.show_secrets;
    let wide = area.width >= 120;
    let time_w = if wide { 23 } else { 14 };
    let id_w = s
        .events
        .list
        .items
        .iter()
        .take(1000)
        .map(|e| safe(&e.request_id, show).chars().count())
        .max();
    let id_w = id_w.unwrap_or(10).clamp(10, 32) as u16;
    let loaded = s.events.list.items.len() as u64;
    let mut extra = format!("{} matching", thousands(s.events.total));
    if loaded < s.events.total {
        extra.push_str(&format!(" · newest {} loaded", thousands(loaded)));
    }
    let row = |e: &errtriage::model::Event| {
        let style = status_style(e.status);
        Row::new(vec![
            Cell::from(Span::styled(super::text::list_time(&e.ts, wide), DIM)),
            Cell::from(Span::styled(status_text(e.status), style)),
            Cell::from(Span::styled(safe_or_dash(e.code.as_deref(), show), style)),
            Cell::from(safe_or_dash(e.service.as_deref(), show)),
            Cell::from(format!(
                "{} {}",
                safe_or_dash(e.method.as_deref(), show),
                safe_or_dash(e.path.as_deref(), show)
            )),
            Cell::from(safe_or_dash(Some(&e.request_id), show)),
        ])
    };
    let spec = TableSpec {
        title: tabs_title(s, extra),
        header: vec!["time", "st", "code", "service", "request", "request id"],
        widths: vec![
            Constraint::Length(time_w),
            Constraint::Length(3),
            Constraint::Fill(3),
            Constraint::Fill(2),
            Constraint::Fill(4),
            Constraint::Length(id_w),
        ],
        row: &row,
        empty: empty_lines(s),
    };
    s.list_height = render_table(f, area, &mut s.events.list, spec);
}

fn empty_lines(s: &State) -> Vec<Line<'static>> {
    if !s.events.list.loaded {
        return vec![Line::styled("searching…", DIM)];
    }
    let q = match s.running.trim() {
        "" => "every event".to_string(),
        q => format!("`{}`", safe(q, true)),
    };
    vec![
        Line::raw(format!("No events match {q}.")),
        Line::styled("/ edits the query · Ctrl-U in the query bar clears it", DIM),
    ]
}
