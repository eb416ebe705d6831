//! bars: the query bar on top (with its inline error) and the status bar at
//! the bottom (matching / total, the index's time range, key hints).

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::text::{BOLD, DIM, ERROR, SELECTED, minute, safe, thousands};
use crate::tui::state::State;

pub fn query(f: &mut Frame, area: Rect, s: &State) {
    if let Some(prompt) = &s.save {
        return save_prompt(f, area, &prompt.input);
    }
    let mut right = Vec::new();
    if s.is_loading() {
        right.push(Span::styled(" searching… ", DIM));
    }
    if !s.pivots.is_empty() && !s.editing {
        right.push(Span::styled(" u: undo pivot ", DIM));
    }
    if !s.back.is_empty() && !s.editing {
        right.push(Span::styled(" Esc: back ", DIM));
    }
    let right_w = right.iter().map(|s| s.width()).sum::<usize>() as u16;
    let left_w = area.width.saturating_sub(right_w);
    let prompt = Span::styled("/ ", if s.editing { BOLD } else { DIM });
    let text_w = usize::from(left_w.saturating_sub(2));
    let line = if s.editing {
        let scroll = s.input.visual_scroll(text_w);
        let shown: String = s.input.value().chars().skip(scroll).collect();
        let cursor = (s.input.visual_cursor().saturating_sub(scroll)) as u16;
        f.set_cursor_position(Position::new(area.x + 2 + cursor, area.y));
        Line::from(vec![prompt, Span::raw(safe(&shown, true))])
    } else if s.applied.trim().is_empty() {
        Line::from(vec![
            prompt,
            Span::styled(
                "every event — / searches: a request id, code:…, status:5xx, since:2h",
                DIM,
            ),
        ])
    } else {
        Line::from(vec![prompt, Span::raw(safe(&s.applied, true))])
    };
    f.render_widget(
        Paragraph::new(line),
        Rect {
            width: left_w,
            ..area
        },
    );
    let right_area = Rect {
        x: area.x + left_w,
        width: right_w,
        ..area
    };
    f.render_widget(Paragraph::new(Line::from(right)), right_area);
}

/// `w`'s path prompt, in the query bar's place.
fn save_prompt(f: &mut Frame, area: Rect, input: &tui_input::Input) {
    let label = "write case card to: ";
    let text_w = usize::from(area.width).saturating_sub(label.len() + 1);
    let scroll = input.visual_scroll(text_w);
    let shown: String = input.value().chars().skip(scroll).collect();
    let cursor = input.visual_cursor().saturating_sub(scroll) as u16;
    f.set_cursor_position(Position::new(area.x + label.len() as u16 + cursor, area.y));
    let line = Line::from(vec![
        Span::styled(label, BOLD),
        Span::raw(safe(&shown, true)),
        Span::styled("  Enter write · Esc cancel", DIM),
    ]);
    f.render_widget(Paragraph::new(line), area);
}

/// `Tab`'s candidates under the query bar, the one written in highlighted.
pub fn completions(f: &mut Frame, area: Rect, s: &State) {
    let Some(c) = &s.completion else {
        return;
    };
    let mut spans = vec![Span::styled("Tab ▸ ", DIM)];
    let mut width = 6;
    for (i, cand) in c.candidates.iter().enumerate() {
        let text = safe(&c.render(cand), s.show_secrets);
        width += text.chars().count() + 2;
        if width > usize::from(area.width) {
            let more = c.candidates.len() - i;
            spans.push(Span::styled(format!("+{more}"), DIM));
            break;
        }
        let style = if c.current == Some(i) { SELECTED } else { BOLD };
        spans.push(Span::styled(text, style));
        spans.push(Span::raw("  "));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The query's error (or the index's), inline under the query bar.
pub fn error(f: &mut Frame, area: Rect, s: &State) {
    let msg = s
        .query_error
        .as_deref()
        .or(s.index_error.as_deref())
        .unwrap_or_default();
    let line = Line::from(vec![
        Span::styled("✗ ", ERROR.patch(BOLD)),
        Span::styled(safe(msg, true), ERROR),
    ]);
    f.render_widget(Paragraph::new(line), area);
}

pub fn status(f: &mut Frame, area: Rect, s: &State) {
    let bar = Style::new().bg(Color::DarkGray).fg(Color::White);
    let total = s
        .stats
        .as_ref()
        .map_or_else(|| "…".into(), |st| thousands(st.events));
    let range = match s
        .stats
        .as_ref()
        .and_then(|st| st.first_ts.as_ref().zip(st.last_ts.as_ref()))
    {
        Some((first, last)) => format!("{} → {} ", minute(first), minute(last)),
        None => "no events yet ".into(),
    };
    let mut spans = vec![Span::styled(
        format!(" {} / {total} events ", thousands(s.events.total)),
        BOLD,
    )];
    if s.problems.count > 0 {
        spans.push(Span::raw("│ "));
        spans.push(Span::styled(
            format!(
                "⚠ {} problem{} (!) ",
                thousands(s.problems.count),
                if s.problems.count == 1 { "" } else { "s" }
            ),
            Style::new().fg(Color::Yellow).patch(BOLD),
        ));
    }
    let used: usize = spans.iter().map(Span::width).sum();
    let room = usize::from(area.width).saturating_sub(used + 2);
    // A message too long to sit beside the counts gets the whole line (a
    // path written, an error): the counts are back with the next key.
    if let Some(msg) = s.flash.as_deref().filter(|m| m.chars().count() > room) {
        let line = Line::styled(
            format!(" {}", safe(msg, true)),
            Style::new().fg(Color::Yellow).patch(BOLD),
        );
        f.render_widget(Paragraph::new(line).style(bar), area);
        return;
    }
    let tail = match &s.flash {
        Some(msg) => Span::styled(safe(msg, true), Style::new().fg(Color::Yellow).patch(BOLD)),
        None => Span::raw(fit_hints(s, room.saturating_sub(range.chars().count() + 2))),
    };
    // The time range gives way first, so hints and messages fit 80 columns.
    if tail.width() + range.chars().count() + 2 <= room {
        spans.push(Span::raw("│ "));
        spans.push(Span::raw(range));
    } else if s.flash.is_none() {
        spans.push(Span::raw("│ "));
        spans.push(Span::raw(fit_hints(s, room)));
        f.render_widget(Paragraph::new(Line::from(spans)).style(bar), area);
        return;
    }
    spans.push(Span::raw("│ "));
    spans.push(tail);
    f.render_widget(Paragraph::new(Line::from(spans)).style(bar), area);
}

/// The longest hint line for the mode that fits `room` columns.
fn fit_hints(s: &State, room: usize) -> &'static str {
    let choices: &[&'static str] = if s.save.is_some() {
        &["Enter write · Esc cancel", "Enter · Esc"]
    } else if s.pivot.is_some() {
        &["key or j/k Enter pick · Esc close", "Esc close"]
    } else if s.editing {
        &[
            "Enter apply · Esc cancel · Ctrl-U clear",
            "Enter · Esc · ^U",
        ]
    } else if s.page.is_some() {
        &[
            "j/k scroll · Esc back · y id · Y card · w save · ? keys · q close",
            "j/k · Esc back · Y card · w save · ? keys",
            "Esc back · ? keys",
        ]
    } else {
        &[
            "? keys · / query · Tab view · Enter open · [ ] v time · q quit",
            "? keys · / query · Tab view · Enter open · q quit",
            "? keys · / query · q quit",
        ]
    };
    choices
        .iter()
        .find(|h| h.chars().count() <= room)
        .copied()
        .unwrap_or(choices[choices.len() - 1])
}
