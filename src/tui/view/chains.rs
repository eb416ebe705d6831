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
use crate::tui::action::Slot;
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
    let key_w = key_width(items);
    // Client and service share what the other columns leave; below ten
    // columns each, the service gives way (the pane below names it).
    let fixed = 2 + key_w + if wide { 23 } else { 14 } + 3 + 9 + 6 + 2;
    let with_service = area.width.saturating_sub(fixed) >= 20;
    let row = |c: &Chain| chain_row(c, show, (wide, with_service), key_w);
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
    // Chains come from the worker; while an answer is on its way the rows
    // shown are the previous query's, and the title says so.
    let extra = if s.pending[Slot::Chains.index()].is_some() && s.chains.list.loaded {
        format!("building chains… · {extra}")
    } else {
        extra
    };
    let (header, widths) = columns(wide, with_service, key_w);
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

/// The key column: as wide as the longest key (a UUID fits whole, so no
/// key is cut mid-token), at most [`MAX_KEY`]; longer keys end in `…`.
fn key_width(items: &[Chain]) -> u16 {
    let longest = items
        .iter()
        .map(|c| c.idempotency_key.chars().count())
        .max()
        .unwrap_or(0);
    longest.clamp(15, MAX_KEY) as u16
}

/// The widest the key column gets (a UUID is 36).
const MAX_KEY: usize = 36;

/// Findings, key, client, service (when there is room; the pane below
/// names it), first attempt, attempts, outcome; the rules broken when wide.
fn columns(wide: bool, with_service: bool, key_w: u16) -> (Vec<&'static str>, Vec<Constraint>) {
    let mut header = vec!["⚑", "idempotency key", "client"];
    let mut widths = vec![
        Constraint::Length(2),
        Constraint::Length(key_w),
        Constraint::Fill(2),
    ];
    if with_service {
        header.push("service");
        widths.push(Constraint::Fill(2));
    }
    header.extend(["first attempt", "#", "outcome"]);
    widths.extend([
        Constraint::Length(if wide { 23 } else { 14 }),
        Constraint::Length(3),
        Constraint::Length(9),
    ]);
    if wide {
        header.push("rules broken");
        widths.push(Constraint::Fill(4));
    }
    (header, widths)
}

/// `text` in `width` columns: whole, or cut with a visible `…`.
fn fit(text: String, width: u16) -> String {
    let width = usize::from(width);
    if text.chars().count() <= width {
        return text;
    }
    let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// One chain as a row: findings, key, client, service, first attempt,
/// attempts, outcome, and (wide) the rules it broke, each once.
fn chain_row(
    c: &Chain,
    show: bool,
    (wide, with_service): (bool, bool),
    key_w: u16,
) -> Row<'static> {
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
        Cell::from(fit(safe(&c.idempotency_key, show), key_w)),
        Cell::from(safe_or_dash(c.client.as_deref(), show)),
    ];
    if with_service {
        cells.push(Cell::from(safe_or_dash(c.service.as_deref(), show)));
    }
    cells.extend([
        Cell::from(Span::styled(first, DIM)),
        Cell::from(Line::from(c.attempts.len().to_string()).right_aligned()),
        Cell::from(Span::styled(c.outcome.as_str(), outcome_style(c.outcome))),
    ]);
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
