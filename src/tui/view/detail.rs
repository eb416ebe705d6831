//! detail: what the detail pane and the full pages show — an event's
//! normalized fields, the catalog's reading, its retry chain with flags and
//! the original line pretty-printed; a chain's timeline; a group's summary.
//! Same content and order as `errtriage find`, so the two never disagree.

use std::sync::Arc;

use errtriage::catalog::Reading;
use errtriage::model::{Chain, Event};
use errtriage::query::Group;
use errtriage::sanitize;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::text::{
    BOLD, DIM, LABEL, field, full_time, rows_of, safe, safe_or_dash, sparkline, status_style,
    status_text, thousands, wrap_window,
};
use super::timeline::{HEAD_LINES, chain_lines};
use crate::print::human::{pretty_raw, retry_words};
use crate::tui::action::Detail;
use crate::tui::state::{Page, State, View};
use crate::tui::update::chain_cursor;

const PAD: usize = 12;

/// Everything about one event, in the order `errtriage find` prints it.
/// `detail` is the part the worker looks up (reading and chain); until it
/// arrives the fields show on their own.
pub fn event_lines(
    e: &Event,
    detail: Option<&Detail>,
    show: bool,
    width: usize,
) -> Vec<Line<'static>> {
    let mut lines = vec![headline(e, show)];
    lines.extend(field_lines(e, detail, show));
    lines.push(Line::default());
    lines.extend(event_chain_lines(e, detail, show, width));
    lines.push(Line::default());
    lines.push(Line::styled("original line", LABEL));
    for l in pretty_raw(&e.raw).lines() {
        lines.push(Line::raw(format!("  {}", safe(l, show))));
    }
    lines
}

/// `POST /v1/bookings  →  409 slot_unavailable`
fn headline(e: &Event, show: bool) -> Line<'static> {
    let method = safe_or_dash(e.method.as_deref(), show);
    let target = format!("{method} {}", safe_or_dash(e.path.as_deref(), show));
    Line::from(vec![
        Span::styled(target, BOLD),
        Span::raw("  →  "),
        Span::styled(status_text(e.status), status_style(e.status).patch(BOLD)),
        Span::raw(" "),
        Span::styled(
            safe_or_dash(e.code.as_deref(), show),
            status_style(e.status),
        ),
    ])
}

/// The event's time, said to be inferred when the line had none.
fn event_time(e: &Event) -> String {
    let t = full_time(&e.ts);
    if e.ts_inferred {
        format!("~{t} (inferred: the line has no readable time)")
    } else {
        t
    }
}

/// The normalized fields, with the catalog's reading after the message.
fn field_lines(e: &Event, detail: Option<&Detail>, show: bool) -> Vec<Line<'static>> {
    let s = |v: &str| safe(v, show);
    let mut lines = vec![
        field("request", safe_or_dash(Some(&e.request_id), show), PAD),
        field("time", event_time(e), PAD),
    ];
    let mut service = safe_or_dash(e.service.as_deref(), show);
    if let Some(api) = &e.api {
        service.push_str(&format!("  (api {})", s(api)));
    }
    lines.push(field("service", service, PAD));
    if let Some(c) = e.class {
        lines.push(field("class", c.as_str(), PAD));
    }
    if let Some(m) = &e.message {
        lines.push(field("message", s(m), PAD));
    }
    lines.extend(reading_lines(e, detail));
    let opt = [
        ("retry-after", e.retry_after_s.map(|v| format!("{v} s"))),
        ("key", e.idempotency_key.as_deref().map(s)),
        ("client", e.client.as_deref().map(s)),
        ("trace", e.trace_id.as_deref().map(s)),
        ("latency", e.latency_ms.map(|v| format!("{v} ms"))),
        ("details", e.details.as_ref().map(|d| details_text(d, show))),
    ];
    for (name, value) in opt {
        if let Some(v) = value {
            lines.push(field(name, v, PAD));
        }
    }
    let source = format!("{}:{}", s(&e.source.file), e.source.line);
    lines.push(field("source", source, PAD));
    lines
}

fn details_text(d: &serde_json::Value, show: bool) -> String {
    let d = if show {
        d.clone()
    } else {
        sanitize::redact_value(d.clone())
    };
    safe(&d.to_string(), show)
}

fn reading_lines(e: &Event, detail: Option<&Detail>) -> Vec<Line<'static>> {
    let Some(detail) = detail else {
        return if e.is_failure() {
            vec![field("meaning", "looking it up…", PAD).style(DIM)]
        } else {
            Vec::new()
        };
    };
    match &detail.reading {
        Some(r) => reading(r, e.retry_after_s),
        None => Vec::new(),
    }
}

fn reading(r: &Reading, retry_after: Option<f64>) -> Vec<Line<'static>> {
    // Catalog text is ours, not the log's, but user catalogs are files too.
    let api = r.api.as_deref().unwrap_or("generic HTTP");
    let known = if r.known {
        ""
    } else {
        ", not in the catalog: judged by status"
    };
    let mut lines = vec![
        field(
            "meaning",
            format!(
                "{} ({}, {}{known})",
                safe(&r.meaning, true),
                safe(api, true),
                r.class
            ),
            PAD,
        ),
        field("retry", retry_words(r.retryable, retry_after), PAD),
    ];
    if !r.hint.is_empty() {
        lines.push(field("hint", safe(&r.hint, true), PAD));
    }
    lines
}

fn event_chain_lines(
    e: &Event,
    detail: Option<&Detail>,
    show: bool,
    width: usize,
) -> Vec<Line<'static>> {
    if e.idempotency_key.is_none() {
        return vec![Line::styled(
            "no Idempotency-Key: this request is in no retry chain",
            DIM,
        )];
    }
    let Some(detail) = detail else {
        return vec![Line::styled("retry chain: looking it up…", DIM)];
    };
    let chains: Vec<&Chain> = detail
        .chains
        .iter()
        .filter(|c| c.attempts.iter().any(|a| a.source == e.source))
        .collect();
    if chains.is_empty() {
        return vec![Line::styled("retry chain: none found", DIM)];
    }
    let mut lines = Vec::new();
    for c in chains {
        let at = c.attempts.iter().position(|a| a.source == e.source);
        lines.extend(chain_lines(c, at, show, width));
    }
    lines.push(Line::styled("c opens the chain", DIM));
    lines
}

/// The ingest's problems, one per line, escaped.
fn problem_lines(s: &State) -> Vec<Line<'static>> {
    if s.problems.lines.is_empty() {
        return vec![Line::styled(
            "No problems: every line read was indexed (or nothing was ingested by this TUI).",
            DIM,
        )];
    }
    s.problems
        .lines
        .iter()
        .map(|l| Line::raw(safe(l, s.show_secrets)))
        .collect()
}

/// A group's summary for the detail pane.
pub fn group_lines(g: &Group, by: &str, show: bool) -> Vec<Line<'static>> {
    let mut head = vec![
        Span::styled(format!("{by} "), LABEL),
        Span::styled(safe(&g.key, show), BOLD),
    ];
    // Grouped by class, the key already is the class.
    if let Some(class) = g.class.as_ref().filter(|_| by != "class") {
        head.push(Span::raw(format!("  class {class}")));
    }
    let statuses: Vec<String> = g
        .statuses
        .iter()
        .map(|(s, n)| format!("{s} × {}", thousands(*n)))
        .collect();
    let mut lines = vec![Line::from(head), field("count", thousands(g.count), PAD)];
    if let (Some(requests), Some(errors), Some(rate)) = (g.requests, g.errors, g.error_rate) {
        let text = format!(
            "{} requests · {} failed · {} error rate",
            thousands(requests),
            thousands(errors),
            super::groups::percent(rate)
        );
        lines.push(field("requests", text, PAD));
    }
    lines.extend([
        field("statuses", statuses.join(" · "), PAD),
        field("first seen", full_time(&g.first_seen), PAD),
        field("last seen", full_time(&g.last_seen), PAD),
        field(
            "sample",
            safe_or_dash(Some(&g.sample_request_id), show),
            PAD,
        ),
        field("over time", sparkline(&g.timeline, g.timeline.len()), PAD),
        Line::default(),
        Line::styled(
            "Enter lists this group's events · b groups by another field",
            DIM,
        ),
    ]);
    lines
}

/// Lines in a bordered-top pane, scrolled by `scroll` and clamped to the
/// content; returns the clamped scroll. Only the visible rows are wrapped.
pub fn render_lines(
    f: &mut Frame,
    area: Rect,
    title: Line<'static>,
    lines: &WrappedLines,
    scroll: usize,
) -> usize {
    let block = Block::new().borders(Borders::TOP).title(title);
    let inner = block.inner(area);
    let (width, height) = (usize::from(inner.width), usize::from(inner.height));
    let total: usize = lines.heights.iter().sum();
    let scroll = scroll.min(total.saturating_sub(height));
    let visible = wrap_window(&lines.lines, &lines.heights, width, scroll, height);
    f.render_widget(Paragraph::new(visible).block(block), area);
    scroll
}

/// The detail pane (or, with a page open, the page) for the selection.
pub fn render(f: &mut Frame, area: Rect, s: &mut State) {
    let show = s.show_secrets;
    let width = usize::from(area.width);
    let (title, lines) = cached_content(s, show, width);
    let title = Line::from(vec![
        Span::raw(" "),
        Span::styled(title, BOLD),
        Span::raw(" "),
    ]);
    s.hits.detail = area;
    if s.page.is_some() {
        s.page_height = usize::from(area.height.saturating_sub(1));
        if let Some(Page::Chain(_)) = s.page {
            // Keep the marker in view.
            let at = HEAD_LINES + chain_cursor(s);
            let top = (at + 1).saturating_sub(s.page_height);
            s.page_scroll = s.page_scroll.clamp(top, at.max(top));
        }
        s.page_scroll = render_lines(f, area, title, &lines, s.page_scroll);
    } else {
        s.detail_scroll = render_lines(f, area, title, &lines, s.detail_scroll);
    }
}

/// An event's lines are built once per (event, detail, width) and kept:
/// building and measuring a 16 MB line is the slow part, so a frame only
/// slices and wraps what shows.
fn cached_content(s: &mut State, show: bool, width: usize) -> (String, Arc<WrappedLines>) {
    let key = match (&s.page, s.view, s.focused_event()) {
        (Some(Page::Event | Page::Attempt(_)), _, Some(e)) | (None, View::Events, Some(e)) => {
            let page = matches!(s.page, Some(Page::Attempt(_)));
            Some(format!(
                "{}:{}:{}|{}|{show}|{page}|{width}",
                e.source.file,
                e.source.line,
                e.source.offset,
                s.selected_detail().is_some()
            ))
        }
        _ => None,
    };
    if let (Some(key), Some(cache)) = (&key, &s.detail_cache)
        && &cache.0 == key
    {
        return (cache.1.clone(), cache.2.clone());
    }
    let (title, lines) = content(s, show, width);
    let wrapped = Arc::new(WrappedLines::new(lines, width.max(1)));
    if let Some(key) = key {
        s.detail_cache = Some((key, title.clone(), wrapped.clone()));
    }
    (title, wrapped)
}

/// A pane's lines and how many rows each takes at the pane's width.
#[derive(Debug, Clone, PartialEq)]
pub struct WrappedLines {
    pub lines: Vec<Line<'static>>,
    pub heights: Vec<usize>,
}

impl WrappedLines {
    pub fn new(lines: Vec<Line<'static>>, width: usize) -> WrappedLines {
        let heights = lines.iter().map(|l| rows_of(l, width)).collect();
        WrappedLines { lines, heights }
    }
}

fn content(s: &State, show: bool, width: usize) -> (String, Vec<Line<'static>>) {
    match (&s.page, s.view) {
        (Some(Page::Chain(_)), _) => {
            let title = "Retry chain · j/k attempt · Enter open · Esc back".to_string();
            match s.page_chain() {
                Some(c) => (title, chain_lines(c, Some(chain_cursor(s)), show, width)),
                None => (title, vec![Line::styled("looking up the chain…", DIM)]),
            }
        }
        (Some(Page::Problems), _) => ("Ingest problems · Esc back".into(), problem_lines(s)),
        (Some(Page::Attempt(e)), _) => (
            "Attempt · Esc back to the chain".into(),
            event_lines(e, s.selected_detail(), show, width),
        ),
        (Some(Page::Event), _) | (None, View::Events) => {
            let title = if s.page.is_some() {
                "Event · Esc back · c chain"
            } else {
                "Event · Enter opens"
            };
            match s.selected_event() {
                Some(e) => (
                    title.into(),
                    event_lines(e, s.selected_detail(), show, width),
                ),
                None => (title.into(), Vec::new()),
            }
        }
        // Drawn by `view::incident`.
        (Some(Page::Incident), _) => (String::new(), Vec::new()),
        (None, View::Groups) => match s.groups.list.selected_item() {
            Some(row) => ("Group".into(), group_lines(row, s.groups.by.as_str(), show)),
            None => ("Group".into(), Vec::new()),
        },
        (None, View::Chains) => match s.chains.list.selected_item() {
            Some(c) => (
                "Chain · Enter opens".into(),
                chain_lines(c, None, show, width),
            ),
            None => ("Chain".into(), Vec::new()),
        },
    }
}
