//! timeline: a retry chain's story as lines — the headline, the library's
//! verdict, one row per attempt (from `query::chains::timeline`, as
//! `errtriage find` prints it), then each flag in words. Columns are sized
//! to their content and narrowed to fit the pane, the code column first;
//! request ids are never cut.

use errtriage::model::Chain;
use errtriage::query::chains::{self, Step};
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::chains::outcome_style;
use super::text::{BOLD, DIM, FLAG, LABEL, safe, safe_or_dash, status_style, status_text};

const HEADERS: [&str; 7] = [
    "#",
    "offset",
    "gap",
    "st",
    "code",
    "retry-after",
    "request id",
];
const CODE: usize = 4;
const WAIT: usize = 5;

/// Lines above the first attempt's row in [`chain_lines`].
pub const HEAD_LINES: usize = 3;

/// The chain's lines for a pane `width` columns wide; `marker` marks one
/// attempt (by index): the chain page's cursor, or the event shown.
pub fn chain_lines(
    c: &Chain,
    marker: Option<usize>,
    show: bool,
    width: usize,
) -> Vec<Line<'static>> {
    let flags = match c.flags.len() {
        0 => Span::styled("no flags", DIM),
        n => Span::styled(format!("⚑ {n} flag{}", if n == 1 { "" } else { "s" }), FLAG),
    };
    let mut lines = vec![
        Line::from(vec![
            Span::styled("chain ", LABEL),
            Span::styled(safe(&c.idempotency_key, show), BOLD),
            Span::raw(format!("  {}  ", safe_or_dash(c.service.as_deref(), show))),
            Span::styled(c.outcome.as_str(), outcome_style(c.outcome).patch(BOLD)),
            Span::raw("  "),
            flags,
        ]),
        Line::raw(format!("  {}", safe(&chains::verdict(c), show))),
    ];
    let steps = chains::timeline(c);
    let cells: Vec<[String; 7]> = steps.iter().map(|s| cells(s, show)).collect();
    let layout = Columns::fit(&cells, steps.iter().any(|s| !s.rules.is_empty()), width);
    lines.push(Line::styled(
        layout.row(&layout.headers.map(String::from)),
        DIM,
    ));
    for (i, (step, row)) in steps.iter().zip(&cells).enumerate() {
        lines.push(layout.attempt(step, row, marker == Some(i)));
    }
    for f in &c.flags {
        lines.push(Line::from(vec![
            Span::styled(format!("  ⚑ {}", f.rule.as_str()), FLAG),
            Span::raw(format!(
                " (attempt {}): {}",
                f.attempt,
                safe(&f.detail, show)
            )),
        ]));
    }
    lines
}

fn cells(s: &Step, show: bool) -> [String; 7] {
    [
        s.attempt.to_string(),
        format!("+{:.1}s", s.offset_s),
        s.gap_s.map_or(String::new(), |g| format!("{g:.1}s")),
        status_text(s.status),
        safe_or_dash(s.code.as_deref(), show),
        s.retry_after_s.map_or(String::new(), |r| format!("{r}s")),
        safe_or_dash(Some(&s.request_id), show),
    ]
}

/// Column widths and spacing that fit the pane.
struct Columns {
    widths: [usize; 7],
    headers: [&'static str; 7],
    sep: usize,
}

impl Columns {
    fn fit(rows: &[[String; 7]], flagged: bool, width: usize) -> Columns {
        let mut c = Columns {
            widths: [0; 7],
            headers: HEADERS,
            sep: 2,
        };
        c.measure(rows);
        let flags_w = if flagged { 5 } else { 0 };
        let total = |c: &Columns| 2 + c.widths.iter().sum::<usize>() + c.sep * 6 + flags_w;
        if total(&c) > width {
            c.sep = 1;
        }
        if total(&c) > width {
            c.headers[WAIT] = "wait";
            c.measure(rows);
        }
        let over = total(&c).saturating_sub(width);
        c.widths[CODE] = c.widths[CODE].saturating_sub(over).max(6);
        c
    }

    fn measure(&mut self, rows: &[[String; 7]]) {
        for (i, h) in self.headers.iter().enumerate() {
            let longest = rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0);
            self.widths[i] = longest.max(h.chars().count());
        }
    }

    /// One cell padded (numbers right, text left) and cut with `…` to its width.
    fn cell(&self, i: usize, text: &str) -> String {
        let w = self.widths[i];
        let text = if text.chars().count() > w {
            text.chars()
                .take(w.saturating_sub(1))
                .chain(['…'])
                .collect()
        } else {
            text.to_string()
        };
        if matches!(i, CODE | 6) {
            format!("{text:<w$}")
        } else {
            format!("{text:>w$}")
        }
    }

    fn row(&self, cells: &[String; 7]) -> String {
        let parts: Vec<String> = (0..7).map(|i| self.cell(i, &cells[i])).collect();
        format!("  {}", parts.join(&" ".repeat(self.sep)))
    }

    fn attempt(&self, step: &Step, row: &[String; 7], here: bool) -> Line<'static> {
        let sep = " ".repeat(self.sep);
        let before: Vec<String> = (0..3).map(|i| self.cell(i, &row[i])).collect();
        let after = [self.cell(CODE, &row[CODE]), self.cell(WAIT, &row[WAIT])].join(&sep);
        let mut spans = vec![
            Span::styled(if here { "▸ " } else { "  " }, BOLD),
            Span::raw(before.join(&sep) + &sep),
            Span::styled(self.cell(3, &row[3]), status_style(step.status)),
            Span::raw(format!("{sep}{after}{sep}")),
            Span::styled(row[6].clone(), if here { BOLD } else { Style::new() }),
        ];
        if !step.rules.is_empty() {
            spans.push(Span::styled(format!("  ⚑ {}", step.rules.len()), FLAG));
        }
        Line::from(spans)
    }
}
