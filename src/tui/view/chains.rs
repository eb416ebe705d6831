//! chains: the Chains view — which clients retry badly. One row per retry
//! chain (idempotency key): service, attempts, outcome and the rules it
//! broke; flagged chains first.

use errtriage::model::{Chain, Outcome};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row};

use super::list::{TableSpec, render_table, tabs_title};
use super::text::{DIM, FLAG, safe, safe_or_dash};
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
    let row = |c: &Chain| chain_row(c, show);
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
    let spec = TableSpec {
        title: tabs_title(s, extra),
        header: vec![
            "",
            "idempotency key",
            "service",
            "attempts",
            "outcome",
            "flags",
        ],
        widths: vec![
            Constraint::Length(3),
            Constraint::Fill(3),
            Constraint::Fill(2),
            Constraint::Length(8),
            Constraint::Length(9),
            Constraint::Fill(4),
        ],
        row: &row,
        empty,
    };
    s.list_height = render_table(f, area, &mut s.chains.list, spec);
    super::list::record_hits(s, area);
}

/// One chain as a row: flag count, key, service, attempts, outcome, the
/// rules it broke (each once, in the order they were found).
fn chain_row(c: &Chain, show: bool) -> Row<'static> {
    let mark = match c.flags.len() {
        0 => Span::raw(""),
        n => Span::styled(format!("⚑{n}"), FLAG),
    };
    let mut rules: Vec<&str> = Vec::new();
    for f in &c.flags {
        if !rules.contains(&f.rule.as_str()) {
            rules.push(f.rule.as_str());
        }
    }
    Row::new(vec![
        Cell::from(mark),
        Cell::from(safe(&c.idempotency_key, show)),
        Cell::from(safe_or_dash(c.service.as_deref(), show)),
        Cell::from(Line::from(c.attempts.len().to_string()).right_aligned()),
        Cell::from(Span::styled(c.outcome.as_str(), outcome_style(c.outcome))),
        Cell::from(Span::styled(rules.join(", "), FLAG)),
    ])
}
