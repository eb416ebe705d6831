//! chains: the Chains view — which clients retry badly. One row per retry
//! chain (idempotency key): findings, client, service, first attempt,
//! attempts, outcome and (wide) the rules it broke; worst first, `s` for
//! another order.

use errtriage::model::{Chain, Outcome};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row};

use super::list::{TableSpec, render_table, tabs_title};
use super::text::{DIM, FLAG, list_time, safe, safe_or_dash};
use crate::tui::state::{CHAINS_LIMIT, State};

pub fn outcome_style(o: Outcome) -> Style {
    match o {
        Outcome::Failed => Style::new().fg(Color::Red),
        Outcome::Recovered => Style::new().fg(Color::Yellow),
        Outcome::Succeeded => Style::new().fg(Color::Green),
    }
}

pub fn render(f: &mut Frame, area: Rect, s: &mut State) {
    let show = s.show_secrets;
    let items = &s.chains.list.items;
    let flagged = items.iter().filter(|c| !c.flags.is_empty()).count();
    let extra = if s.chains.flagged_only {
        format!("{flagged} flagged chains (f: all)")
    } else {
        let more = if items.len() >= CHAINS_LIMIT { "+" } else { "" };
        format!(
            "{}{more} chains · {flagged} flagged (f: flagged only)",
            items.len()
        )
    };
    let wide = area.width >= 120;
    let row = |c: &Chain| chain_row(c, show, wide);
    let empty = if s.chains.list.loaded {
        vec![
            Line::raw("No retry chains: no matching event carries an Idempotency-Key."),
            Line::styled(
                if s.chains.flagged_only {
                    "f shows unflagged chains too"
                } else {
                    ""
                },
                DIM,
            ),
        ]
    } else {
        vec![Line::styled("building chains…", DIM)]
    };
    let extra = format!("{extra} · {} (s)", s.chain_order.label());
    let (header, widths) = columns(wide);
    let spec = TableSpec {
        title: tabs_title(s, extra),
        header,
        widths,
        row: &row,
        empty,
    };
    s.list_height = render_table(f, area, &mut s.chains.list, spec);
    super::list::record_hits(s, area);
}

/// Findings, key, client, service, first attempt, attempts, outcome; the
/// rules broken when there is room.
fn columns(wide: bool) -> (Vec<&'static str>, Vec<Constraint>) {
    let mut header = vec![
        "⚑",
        "idempotency key",
        "client",
        "service",
        "first attempt",
        "#",
        "outcome",
    ];
    let mut widths = vec![
        Constraint::Length(2),
        Constraint::Fill(3),
        Constraint::Fill(2),
        Constraint::Fill(2),
        Constraint::Length(if wide { 23 } else { 14 }),
        Constraint::Length(3),
        Constraint::Length(9),
    ];
    if wide {
        header.push("rules broken");
        widths.push(Constraint::Fill(4));
    }
    (header, widths)
}

/// One chain as a row: findings, key, client, service, first attempt,
/// attempts, outcome, and (wide) the rules it broke, each once.
fn chain_row(c: &Chain, show: bool, wide: bool) -> Row<'static> {
    let mark = match c.flags.len() {
        0 => Span::styled("·", DIM),
        n => Span::styled(n.to_string(), FLAG),
    };
    let first = c
        .attempts
        .first()
        .map_or_else(|| "-".into(), |a| list_time(&a.ts, wide));
    let mut cells = vec![
        Cell::from(Line::from(mark).right_aligned()),
        Cell::from(safe(&c.idempotency_key, show)),
        Cell::from(safe_or_dash(c.client.as_deref(), show)),
        Cell::from(safe_or_dash(c.service.as_deref(), show)),
        Cell::from(Span::styled(first, DIM)),
        Cell::from(Line::from(c.attempts.len().to_string()).right_aligned()),
        Cell::from(Span::styled(c.outcome.as_str(), outcome_style(c.outcome))),
    ];
    if wide {
        let mut rules: Vec<&str> = Vec::new();
        for f in &c.flags {
            if !rules.contains(&f.rule.as_str()) {
                rules.push(f.rule.as_str());
            }
        }
        cells.push(Cell::from(Span::styled(rules.join(", "), FLAG)));
    }
    Row::new(cells)
}
