//! incident: the pages `i`, `T` and `a` open over an event — its impact
//! (the verdict line first, then clients with error rates, onset, services,
//! routes, failures per minute against a day earlier), its client's
//! timeline and the lines around it (the event marked `●`, the row `Enter`
//! opens marked `▸`). Every log string goes through `safe`.

use errtriage::model::Event;
use errtriage::query::impact::ImpactResult;
use errtriage::query::timeline::TimelineResult;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::detail::{WrappedLines, render_lines};
use super::text::{BOLD, DIM, FLAG, LABEL, SELECTED, list_time, safe, safe_or_dash, sparkline};
use super::text::{minute, status_style, status_text};
use crate::tui::incident::{Answer, IncidentPage};
use crate::tui::state::State;

pub fn render(f: &mut Frame, area: Rect, s: &mut State) {
    let Some(page) = &s.incident else {
        return;
    };
    let show = s.show_secrets;
    let width = usize::from(area.width);
    let rid = safe(&page.request_id, show);
    let title = format!("{} · {rid} · Esc back", page.kind.title());
    let (lines, marked) = match &page.answer {
        None => (vec![Line::styled("asking the index…", DIM)], None),
        Some(Answer::Impact(None)) => (vec![Line::raw("nothing in the index matches it")], None),
        Some(Answer::Impact(Some(r))) => (impact_lines(r, show, width), None),
        Some(Answer::Timeline(Err(why))) => (vec![Line::raw(why.clone())], None),
        Some(Answer::Timeline(Ok(t))) => {
            let mut lines = timeline_head(t, show);
            let head = lines.len();
            lines.extend(rows(page, show, true));
            (lines, Some(head + page.cursor))
        }
        Some(Answer::Around(l)) => {
            let mut lines = vec![
                Line::styled(
                    format!(
                        "{} lines within ±2 min on the same service or trace · ● the event · Enter opens ▸",
                        l.len()
                    ),
                    DIM,
                ),
                header(false),
            ];
            let head = lines.len();
            lines.extend(rows(page, show, false));
            (lines, Some(head + page.cursor))
        }
    };
    // Keep the marked row in view.
    let height = usize::from(area.height.saturating_sub(1));
    s.page_height = height;
    let scroll = match marked {
        Some(row) => row.saturating_sub(height.saturating_sub(1).min(row)),
        None => s.page_scroll,
    };
    let title = Line::from(vec![
        Span::raw(" "),
        Span::styled(title, BOLD),
        Span::raw(" "),
    ]);
    let lines = WrappedLines::new(lines, usize::from(area.width));
    let shown = render_lines(f, area, title, &lines, scroll);
    if marked.is_none() {
        s.page_scroll = shown;
    }
}

fn impact_lines(r: &ImpactResult, show: bool, width: usize) -> Vec<Line<'static>> {
    let label = |l: &str| Span::styled(format!("{l:<10}"), LABEL);
    let what = [r.code.as_deref(), r.route.as_deref()]
        .into_iter()
        .flatten()
        .map(|v| safe(v, show))
        .collect::<Vec<_>>()
        .join(" on ");
    let mut lines = vec![
        Line::styled(safe(&r.verdict, show), BOLD),
        Line::default(),
        Line::from(vec![label("matching"), Span::raw(what)]),
        Line::from(vec![
            label("window"),
            Span::raw(format!(
                "{} → {}",
                list_time(&r.from, true),
                list_time(&r.to, true)
            )),
        ]),
        Line::from(vec![
            label("onset"),
            Span::raw(r.onset.as_deref().map_or("-".into(), minute)),
        ]),
        Line::from(vec![
            label("services"),
            Span::raw(safe(&r.services.join(", "), show)),
        ]),
        Line::from(vec![
            label("routes"),
            Span::raw(safe(&r.routes.join(", "), show)),
        ]),
    ];
    let spark_w = width.saturating_sub(12).clamp(10, 60);
    let counts =
        |m: &[errtriage::query::impact::Minute]| m.iter().map(|m| m.count).collect::<Vec<_>>();
    lines.push(Line::from(vec![
        label("per min"),
        Span::styled(sparkline(&counts(&r.per_minute), spark_w), FLAG),
    ]));
    lines.push(Line::from(vec![
        label("day before"),
        Span::styled(sparkline(&counts(&r.baseline_per_minute), spark_w), DIM),
    ]));
    lines.push(Line::default());
    lines.push(Line::styled(
        format!(
            "{:<32} {:>7} {:>9} {:>11}",
            "client", "errors", "requests", "error rate"
        ),
        BOLD,
    ));
    for c in &r.clients {
        let name: String = safe(&c.client, show).chars().take(32).collect();
        lines.push(Line::raw(format!(
            "{name:<32} {:>7} {:>9} {:>10.1}%",
            c.errors,
            c.requests,
            c.error_rate * 100.0
        )));
    }
    lines
}

fn timeline_head(t: &TimelineResult, show: bool) -> Vec<Line<'static>> {
    vec![
        Line::from(vec![
            Span::styled("client ", LABEL),
            Span::styled(safe(&t.client, show), BOLD),
            Span::raw(format!(
                " · {} requests · error rate {:.1}% · {} → {}{}",
                t.requests,
                t.error_rate * 100.0,
                list_time(&t.from, false),
                list_time(&t.to, false),
                if t.truncated {
                    format!(" · the {} nearest of {} shown", t.events.len(), t.total)
                } else {
                    String::new()
                }
            )),
        ]),
        Line::styled("● the event · Enter opens ▸ · ⚑ a flagged chain", DIM),
        header(true),
    ]
}

fn header(timeline: bool) -> Line<'static> {
    let middle = if timeline { "route" } else { "service" };
    Line::styled(
        format!(
            "   {:<23} {:>3}  {:<24} {:<34} {}",
            "time", "st", "code", middle, "request id / message"
        ),
        BOLD,
    )
}

/// One row per event, the event marked `●`, the cursor's row `▸`.
fn rows(page: &IncidentPage, show: bool, timeline: bool) -> Vec<Line<'static>> {
    let flagged: Vec<&str> = match &page.answer {
        Some(Answer::Timeline(Ok(t))) => t
            .chains
            .iter()
            .filter(|c| !c.flags.is_empty())
            .map(|c| c.idempotency_key.as_str())
            .collect(),
        _ => Vec::new(),
    };
    page.rows()
        .into_iter()
        .enumerate()
        .map(|(i, e)| {
            let mark = if page.is_subject(e) { "●" } else { " " };
            let cursor = if i == page.cursor { "▸" } else { " " };
            let flag = e
                .idempotency_key
                .as_deref()
                .is_some_and(|k| flagged.contains(&k));
            let line = row(e, &format!("{cursor}{mark}"), show, timeline, flag);
            if i == page.cursor {
                line.style(SELECTED)
            } else {
                line
            }
        })
        .collect()
}

fn row(e: &Event, mark: &str, show: bool, timeline: bool, flag: bool) -> Line<'static> {
    let cut = |s: String, n: usize| -> String { s.chars().take(n).collect() };
    let middle = if timeline {
        let route = e.route.as_deref().or(e.path.as_deref());
        let method = e
            .method
            .as_deref()
            .map_or(String::new(), |m| format!("{m} "));
        format!("{method}{}", safe_or_dash(route, show))
    } else {
        safe_or_dash(e.service.as_deref(), show)
    };
    let last = if timeline || !e.request_id.is_empty() && e.status.is_some() {
        safe(&e.request_id, show)
    } else {
        safe_or_dash(e.message.as_deref().or(Some(e.raw.as_str())), show)
    };
    let mut spans = vec![
        Span::raw(format!("{mark} {:<23} ", list_time(&e.ts, true))),
        Span::styled(
            format!("{:>3}", status_text(e.status)),
            status_style(e.status),
        ),
        Span::raw(format!(
            "  {:<24} {:<34} {}",
            cut(safe_or_dash(e.code.as_deref(), show), 24),
            cut(middle, 34),
            last
        )),
    ];
    if flag {
        spans.push(Span::styled(" ⚑", FLAG));
    }
    Line::from(spans)
}
