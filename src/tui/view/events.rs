//! events: the Events view — one matching event per row, newest first: time,
//! status, code, service, method + path (the route when narrow), request id,
//! coloured by status class.

use errtriage::model::Event;
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
    // Below 100 columns the service gives way (the detail pane shows it).
    let with_service = area.width >= 100;
    let time_w = if wide { 23 } else { 14 };
    let longest_id = s
        .events
        .list
        .items
        .iter()
        .take(1000)
        .map(|e| safe(&e.request_id, show).chars().count())
        .max();
    let id_w = longest_id
        .unwrap_or(10)
        .clamp(10, 36)
        .min(usize::from(area.width / 3)) as u16;
    let loaded = s.events.list.items.len() as u64;
    let mut extra = format!("{} matching", thousands(s.events.total));
    if loaded < s.events.total {
        extra.push_str(&format!(" · newest {} loaded", thousands(loaded)));
    }
    let row = |e: &Event| event_row(e, show, wide, with_service);
    let mut header = vec!["time", "st", "code"];
    let mut widths = vec![
        Constraint::Length(time_w),
        Constraint::Length(3),
        Constraint::Fill(3),
    ];
    if with_service {
        header.push("service");
        widths.push(Constraint::Fill(2));
    }
    header.extend(["request", "request id"]);
    widths.extend([Constraint::Fill(4), Constraint::Length(id_w)]);
    let spec = TableSpec {
        title: tabs_title(s, extra),
        header,
        widths,
        row: &row,
        empty: empty_lines(s),
    };
    s.list_height = render_table(f, area, &mut s.events.list, spec);
    super::list::record_hits(s, area);
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

/// One event as a row, coloured by its status class.
fn event_row(e: &Event, show: bool, wide: bool, with_service: bool) -> Row<'static> {
    let style = status_style(e.status);
    let mut cells = vec![
        Cell::from(Span::styled(
            super::text::list_time_marked(&e.ts, wide, e.ts_inferred),
            DIM,
        )),
        Cell::from(Span::styled(status_text(e.status), style)),
        Cell::from(Span::styled(safe_or_dash(e.code.as_deref(), show), style)),
    ];
    if with_service {
        cells.push(Cell::from(safe_or_dash(e.service.as_deref(), show)));
    }
    let method = safe_or_dash(e.method.as_deref(), show);
    // Narrow, the route (`/v2/bookings/{id}`) is shorter and cuts no id
    // in half; the detail pane shows the path.
    let path = if with_service {
        None
    } else {
        e.route.as_deref()
    };
    cells.push(Cell::from(format!(
        "{method} {}",
        safe_or_dash(path.or(e.path.as_deref()), show)
    )));
    cells.push(Cell::from(safe_or_dash(Some(&e.request_id), show)));
    Row::new(cells)
}
