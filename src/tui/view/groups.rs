//! groups: the Groups view — what is failing most. One row per code (or
//! class, status, service, path, client: `b`), with its class, count,
//! statuses, first/last seen and a sparkline of the group over time. Groups
//! that say "where" (service, route, client, …) under a query that does
//! not restrict the status also show requests, errors and the error rate,
//! as `errtriage groups` does.

use errtriage::query::{Group, GroupBy};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row};

use super::list::{TableSpec, render_table, tabs_title};
use super::text::{BOLD, DIM, list_time, safe, sparkline, thousands};
use crate::tui::state::{GROUPS_LIMIT, State};

pub fn render(f: &mut Frame, area: Rect, s: &mut State) {
    let show = s.show_secrets;
    let by = s.groups.by;
    let wide = area.width >= 110;
    let spark_w: u16 = if wide { 24 } else { 12 };
    let with_class = matches!(by, GroupBy::Code | GroupBy::Status);
    let rates = s.groups.list.items.iter().any(|g| g.requests.is_some());
    let n = s.groups.list.items.len();
    let largest = if n >= GROUPS_LIMIT { " largest" } else { "" };
    let label = crate::tui::second::label(by, s.groups.then);
    let mut extra = format!("by {label} (b, d) · {n}{largest} groups");
    if let Some(low) = s.groups.low_by {
        // As `errtriage groups` says it: a group may be missing, a count low.
        extra.push_str(&format!(
            " · approximate, counts up to {} low",
            thousands(low)
        ));
    }
    let row = |g: &Group| {
        let statuses: Vec<String> = g
            .statuses
            .iter()
            .map(|(s, n)| format!("{s}×{}", thousands(*n)))
            .collect();
        let mut cells = vec![Cell::from(Span::styled(safe(&g.key, show), BOLD))];
        if with_class {
            cells.push(Cell::from(g.class.clone().unwrap_or_else(|| "-".into())));
        }
        cells.push(Cell::from(Line::from(thousands(g.count)).right_aligned()));
        if rates {
            cells.extend(rate_cells(g));
        }
        cells.push(Cell::from(statuses.join(" ")));
        if wide {
            cells.push(Cell::from(Span::styled(
                list_time(&g.first_seen, false),
                DIM,
            )));
            cells.push(Cell::from(Span::styled(
                list_time(&g.last_seen, false),
                DIM,
            )));
        }
        cells.push(Cell::from(sparkline(&g.timeline, usize::from(spark_w))));
        Row::new(cells)
    };
    let (header, widths) = columns(by, (with_class, rates), wide, spark_w);
    let empty = if s.groups.list.loaded {
        vec![Line::raw(format!(
            "No matching event has a {}.",
            by.as_str()
        ))]
    } else {
        vec![Line::styled("grouping…", DIM)]
    };
    let spec = TableSpec {
        title: tabs_title(s, extra),
        header,
        widths,
        row: &row,
        empty,
    };
    s.list_height = render_table(f, area, &mut s.groups.list, spec);
    super::list::record_hits(s, area);
}

/// Headers and widths: class only where it means something (code, status),
/// first/last seen only when there is room.
fn columns(
    by: GroupBy,
    (with_class, rates): (bool, bool),
    wide: bool,
    spark_w: u16,
) -> (Vec<&'static str>, Vec<Constraint>) {
    let mut header = vec![by.as_str()];
    let mut widths = vec![Constraint::Fill(3)];
    if with_class {
        header.push("class");
        widths.push(Constraint::Length(12));
    }
    header.push("count");
    widths.push(Constraint::Length(8));
    if rates {
        header.extend(["requests", "errors", "rate"]);
        widths.extend([8, 7, 6].map(Constraint::Length));
    }
    header.push("statuses");
    widths.push(Constraint::Fill(2));
    if wide {
        header.extend(["first seen", "last seen"]);
        widths.extend([Constraint::Length(14), Constraint::Length(14)]);
    }
    header.push("over time");
    widths.push(Constraint::Length(spark_w));
    (header, widths)
}

/// Requests, errors and the error rate of a "where" group (blank when the
/// group has none: its query restricts the status).
fn rate_cells(g: &Group) -> [Cell<'static>; 3] {
    let right = |text: String| Cell::from(Line::from(text).right_aligned());
    match (g.requests, g.errors, g.error_rate) {
        (Some(requests), Some(errors), Some(rate)) => [
            right(thousands(requests)),
            right(thousands(errors)),
            right(percent(rate)),
        ],
        _ => [right("-".into()), right("-".into()), right("-".into())],
    }
}

/// An error rate as `errtriage groups` prints it: `12.5%`.
pub fn percent(rate: f64) -> String {
    format!("{:.1}%", rate * 100.0)
}
