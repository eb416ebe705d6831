//! text: small helpers every view shares — the one door untrusted log text
//! passes through on its way to a `Span` ([`safe`]), status colours, time
//! formats, counts, text sparklines and wrapping.

use chrono::{DateTime, Utc};
use errtriage::sanitize;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};

/// Log-derived text made safe for the terminal: control characters and
/// escapes shown escaped, secrets redacted unless `show_secrets`. Every
/// string from a log goes through here before it reaches a `Span`.
pub fn safe(s: &str, show_secrets: bool) -> String {
    sanitize::display(s, show_secrets)
}

/// `safe`, or `-` for a missing value.
pub fn safe_or_dash(s: Option<&str>, show_secrets: bool) -> String {
    match s {
        Some(s) if !s.is_empty() => safe(s, show_secrets),
        _ => "-".into(),
    }
}

pub const DIM: Style = Style::new().fg(Color::DarkGray);
pub const BOLD: Style = Style::new().add_modifier(Modifier::BOLD);
pub const LABEL: Style = Style::new().fg(Color::Cyan);
pub const FLAG: Style = Style::new().fg(Color::Red).add_modifier(Modifier::BOLD);
pub const ERROR: Style = Style::new().fg(Color::Red);
pub const SELECTED: Style = Style::new().add_modifier(Modifier::REVERSED);

/// Colour by status class: 5xx red, 4xx yellow, 3xx cyan, 2xx green.
pub fn status_style(status: Option<u16>) -> Style {
    match status {
        Some(500..=599) => Style::new().fg(Color::Red),
        Some(400..=499) => Style::new().fg(Color::Yellow),
        Some(300..=399) => Style::new().fg(Color::Cyan),
        Some(200..=299) => Style::new().fg(Color::Green),
        _ => Style::new(),
    }
}

pub fn status_text(status: Option<u16>) -> String {
    status.map_or_else(|| "-".into(), |s| s.to_string())
}

/// A timestamp for a list column: to the millisecond when there is room.
pub fn list_time(ts: &DateTime<Utc>, wide: bool) -> String {
    if wide {
        ts.format("%Y-%m-%d %H:%M:%S%.3f").to_string()
    } else {
        ts.format("%m-%d %H:%M:%S").to_string()
    }
}

/// A list time, with `~` between date and time when it was inferred (the
/// line had none): same width, so columns stay put.
pub fn list_time_marked(ts: &DateTime<Utc>, wide: bool, inferred: bool) -> String {
    let t = list_time(ts, wide);
    if inferred { t.replacen(' ', "~", 1) } else { t }
}

/// A timestamp in full (RFC 3339, milliseconds).
pub fn full_time(ts: &DateTime<Utc>) -> String {
    errtriage::model::ts_millis::format(ts)
}

/// `2026-05-14 10:00` from an RFC 3339 string (stats' first/last).
pub fn minute(rfc3339: &str) -> String {
    DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| t.with_timezone(&Utc).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|_| rfc3339.to_string())
}

/// `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Counts as a one-line sparkline of `width` cells (buckets are merged or
/// spread to fit).
pub fn sparkline(counts: &[u64], width: usize) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    if counts.is_empty() || width == 0 {
        return String::new();
    }
    let cells: Vec<u64> = (0..width)
        .map(|i| {
            let (lo, hi) = (
                i * counts.len() / width,
                ((i + 1) * counts.len()).div_ceil(width),
            );
            counts[lo..hi.max(lo + 1).min(counts.len())].iter().sum()
        })
        .collect();
    let max = cells.iter().copied().max().unwrap_or(0).max(1);
    cells
        .iter()
        .map(|&n| {
            if n == 0 {
                ' '
            } else {
                BARS[((n * 8).div_ceil(max) as usize - 1).min(7)]
            }
        })
        .collect()
}

/// `label  value` with the label in the label style, padded to `pad`.
pub fn field(label: &str, value: impl Into<String>, pad: usize) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{label:<pad$}"), LABEL),
        Span::raw(value.into()),
    ])
}

/// Break lines wider than `width` into several, at a space where there is
/// one (inside long tokens otherwise), keeping each span's style.
#[cfg(test)]
pub fn wrap(lines: Vec<Line<'static>>, width: usize) -> Vec<Line<'static>> {
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        wrap_line(&line, width, usize::MAX, &mut out);
    }
    out
}

/// How many rows `line` takes at `width` (character wrapping: word
/// wrapping may take a row more; used to skip lines, never to draw them).
pub fn rows_of(line: &Line<'_>, width: usize) -> usize {
    line.width().div_ceil(width.max(1)).max(1)
}

/// Rows `skip..skip + take` of `lines` wrapped at `width`, wrapping only
/// the lines that show: work proportional to the window, not the content
/// (a 16 MB event wraps in a frame). `heights` are [`rows_of`] per line.
pub fn wrap_window(
    lines: &[Line<'static>],
    heights: &[usize],
    width: usize,
    skip: usize,
    take: usize,
) -> Vec<Line<'static>> {
    let mut out = Vec::with_capacity(take);
    let mut row = 0;
    for (line, &h) in lines.iter().zip(heights) {
        if row + h <= skip {
            row += h;
            continue;
        }
        let mut rows = Vec::new();
        let first = skip.saturating_sub(row);
        wrap_line(line, width, first + take - out.len(), &mut rows);
        out.extend(rows.into_iter().skip(first));
        row = skip.max(row) + out.len();
        if out.len() >= take {
            out.truncate(take);
            break;
        }
    }
    out
}

/// Wrap one line into at most `limit` rows, appended to `out`; reads only
/// as much of the line as those rows need.
fn wrap_line(line: &Line<'static>, width: usize, limit: usize, out: &mut Vec<Line<'static>>) {
    let width = width.max(1);
    if limit == 0 {
        return;
    }
    if line.spans.iter().map(|s| s.content.len()).sum::<usize>() <= width {
        out.push(line.clone());
        return;
    }
    let cells = line.spans.iter().flat_map(|span| {
        let style = line.style.patch(span.style);
        span.styled_graphemes(Style::new())
            .map(move |g| (g.symbol.to_string(), style, Span::raw(g.symbol).width()))
    });
    let (mut cur, mut used, mut space): (Vec<(String, Style, usize)>, usize, Option<usize>) =
        (Vec::new(), 0, None);
    let limit_reached = |out: &Vec<Line<'static>>, start: usize| out.len() - start >= limit;
    let start = out.len();
    for cell in cells {
        if used + cell.2 > width && !cur.is_empty() {
            let end = space.filter(|&sp| sp > 0).map_or(cur.len(), |sp| sp + 1);
            let rest = cur.split_off(end);
            out.push(row(&cur));
            if limit_reached(out, start) {
                return;
            }
            cur = rest;
            used = cur.iter().map(|c| c.2).sum();
            space = cur.iter().rposition(|c| c.0 == " ");
        }
        if cell.0 == " " {
            space = Some(cur.len());
        }
        used += cell.2;
        cur.push(cell);
    }
    if !cur.is_empty() {
        out.push(row(&cur));
    }
}

/// Cells back into a line, one span per run of equal style.
fn row(cells: &[(String, Style, usize)]) -> Line<'static> {
    let mut spans: Vec<Span<'static>> = Vec::new();
    for (symbol, style, _) in cells {
        match spans.last_mut() {
            Some(last) if last.style == *style => last.content.to_mut().push_str(symbol),
            _ => spans.push(Span::styled(symbol.clone(), *style)),
        }
    }
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparkline_fits_any_width() {
        assert_eq!(sparkline(&[0, 1, 2, 4], 4), " ▂▄█");
        assert_eq!(sparkline(&[1; 24], 12).chars().count(), 12);
        assert_eq!(sparkline(&[5, 0], 6).chars().count(), 6);
        assert_eq!(sparkline(&[], 6), "");
    }

    #[test]
    fn wrap_keeps_styles_and_width() {
        let line = Line::from(vec![Span::styled("abcdef", BOLD), Span::raw("ghij")]);
        let rows = wrap(vec![line], 4);
        let text: Vec<String> = rows.iter().map(|l| l.to_string()).collect();
        assert_eq!(text, ["abcd", "efgh", "ij"]);
        assert_eq!(rows[1].spans[0].style, BOLD);
        let words = wrap(vec![Line::raw("retried at a fixed pace")], 12);
        let text: Vec<String> = words.iter().map(|l| l.to_string()).collect();
        assert_eq!(text, ["retried at ", "a fixed pace"]);
    }

    #[test]
    fn wrap_window_draws_the_same_rows_as_wrap() {
        let lines = vec![
            Line::raw("short"),
            Line::raw("x".repeat(50)),
            Line::raw("retried at a fixed pace"),
            Line::raw("y".repeat(30)),
        ];
        let all: Vec<String> = wrap(lines.clone(), 12)
            .iter()
            .map(|l| l.to_string())
            .collect();
        let heights: Vec<usize> = lines.iter().map(|l| rows_of(l, 12)).collect();
        for skip in 0..all.len() {
            let window: Vec<String> = wrap_window(&lines, &heights, 12, skip, 3)
                .iter()
                .map(|l| l.to_string())
                .collect();
            let want: Vec<String> = all.iter().skip(skip).take(3).cloned().collect();
            assert_eq!(window, want, "skip {skip}");
        }
    }

    #[test]
    fn safe_escapes_and_redacts() {
        assert_eq!(safe("\x1b[31mred", false), "\\x1b[31mred");
        assert_eq!(
            safe("Authorization: Bearer abcdefgh", false),
            "Authorization: [REDACTED]"
        );
        assert_eq!(safe("Bearer abcdefgh", true), "Bearer abcdefgh");
        assert_eq!(thousands(1234567), "1,234,567");
    }
}
