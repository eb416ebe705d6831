//! plot: the scaling curves, drawn from the results file ([`crate::results`])
//! with `plotters` into one SVG: ingest MB/s, find, search, groups, index
//! size and the incident answers against events, log–log, one line for
//! errtriage and one per peer that ran.

use std::path::Path;

use anyhow::{Result, anyhow};
use plotters::coord::Shift;
use plotters::prelude::*;
use serde_json::Value;

/// One line on a chart.
struct Series {
    name: String,
    points: Vec<(f64, f64)>,
}

/// One chart of the grid.
struct Panel {
    title: &'static str,
    y_label: &'static str,
    series: Vec<Series>,
}

/// Draw every panel of `sizes` (the results file's entries) into `path`.
pub fn draw(sizes: &[Value], path: &Path) -> Result<()> {
    let root = SVGBackend::new(path, (1260, 820)).into_drawing_area();
    root.fill(&WHITE).map_err(plot_error)?;
    let areas = root.split_evenly((2, 3));
    for (panel, area) in panels(sizes).iter().zip(areas.iter()) {
        draw_panel(panel, area)?;
    }
    root.present().map_err(plot_error)?;
    Ok(())
}

fn plot_error(e: impl std::fmt::Display) -> anyhow::Error {
    anyhow!("drawing the curves: {e}")
}

fn panels(sizes: &[Value]) -> Vec<Panel> {
    let ours = |name: &str, f: &dyn Fn(&Value) -> Option<f64>| Series {
        name: name.to_string(),
        points: points(sizes, f),
    };
    let mb_s = |v: &Value, ms: f64| v["input_bytes"].as_f64().map(|b| b / 1e6 / (ms / 1e3));
    let mut ingest = vec![ours("errtriage", &|v| v["ingest_mb_s"].as_f64())];
    ingest.extend(peer_series(sizes, "parse", &mb_s));
    let mut find = vec![ours("errtriage", &|v| v["find_ms"].as_f64())];
    find.extend(peer_series(sizes, "find", &|_, ms| Some(ms)));
    let mut groups = vec![ours("errtriage", &|v| v["groups"]["ms"].as_f64())];
    groups.extend(peer_series(sizes, "groups", &|_, ms| Some(ms)));
    let mb = |key: &'static str| move |v: &Value| v[key].as_f64().map(|b| b / 1e6);
    vec![
        Panel {
            title: "ingest throughput",
            y_label: "MB/s",
            series: ingest,
        },
        Panel {
            title: "find one request id",
            y_label: "ms, whole process",
            series: find,
        },
        Panel {
            title: "a typical search",
            y_label: "ms, whole process",
            series: vec![ours("errtriage", &|v| v["search"]["ms"].as_f64())],
        },
        Panel {
            title: "groups by code",
            y_label: "ms, whole process",
            series: groups,
        },
        Panel {
            title: "index size",
            y_label: "MB",
            series: vec![
                ours("errtriage index", &mb("index_bytes")),
                ours("input text", &mb("input_bytes")),
                ours("input on disk", &mb("stored_bytes")),
            ],
        },
        Panel {
            title: "incident answers and the TUI",
            y_label: "ms",
            series: vec![
                ours("impact", &|v| v["impact"]["ms"].as_f64()),
                ours("timeline", &|v| v["timeline"]["ms"].as_f64()),
                ours("TUI first results", &|v| {
                    v["tui"]["first_results_ms"].as_f64()
                }),
            ],
        },
    ]
}

/// `(events, f(size))` for every size where `f` has a positive value.
fn points(sizes: &[Value], f: &dyn Fn(&Value) -> Option<f64>) -> Vec<(f64, f64)> {
    sizes
        .iter()
        .filter_map(|v| Some((v["events"].as_f64()?, f(v)?)))
        .filter(|&(x, y)| x > 0.0 && y > 0.0 && y.is_finite())
        .collect()
}

/// One series per peer that ran `task` at some size; `y` turns its time
/// into the panel's unit.
fn peer_series(sizes: &[Value], task: &str, y: &dyn Fn(&Value, f64) -> Option<f64>) -> Vec<Series> {
    let mut tools: Vec<String> = sizes
        .iter()
        .flat_map(|v| v["peers"].as_array().cloned().unwrap_or_default())
        .filter(|p| p["task"] == task && p["ms"].is_number())
        .filter_map(|p| p["tool"].as_str().map(String::from))
        .collect();
    tools.sort();
    tools.dedup();
    tools
        .into_iter()
        .map(|tool| {
            let of = |v: &Value| {
                let p = v["peers"]
                    .as_array()?
                    .iter()
                    .find(|p| p["task"] == task && p["tool"] == tool.as_str())?;
                y(v, p["ms"].as_f64()?)
            };
            Series {
                points: points(sizes, &of),
                name: tool,
            }
        })
        .collect()
}

fn draw_panel(p: &Panel, area: &DrawingArea<SVGBackend, Shift>) -> Result<()> {
    let all = p.series.iter().flat_map(|s| s.points.iter());
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(x, y) in all {
        (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
    }
    if x0 > x1 {
        return Ok(());
    }
    let mut chart = ChartBuilder::on(area)
        .caption(p.title, ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(60)
        .build_cartesian_2d(
            (x0 / 1.6..x1 * 1.6).log_scale(),
            (y0 / 2.0..y1 * 2.0).log_scale(),
        )
        .map_err(plot_error)?;
    chart
        .configure_mesh()
        .x_desc("events")
        .y_desc(p.y_label)
        .x_label_formatter(&|x| human(*x))
        .y_label_formatter(&|y| human(*y))
        .draw()
        .map_err(plot_error)?;
    for (i, s) in p.series.iter().enumerate() {
        let color = Palette99::pick(i).to_rgba();
        chart
            .draw_series(LineSeries::new(s.points.clone(), color.stroke_width(2)))
            .map_err(plot_error)?
            .label(s.name.as_str())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
            });
        chart
            .draw_series(
                s.points
                    .iter()
                    .map(|&pt| Circle::new(pt, 3, color.filled())),
            )
            .map_err(plot_error)?;
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .position(SeriesLabelPosition::UpperLeft)
        .draw()
        .map_err(plot_error)?;
    Ok(())
}

/// 1e5 → "100k", 2.5e7 → "25M", 0.5 → "0.5".
fn human(v: f64) -> String {
    match v {
        v if v >= 1e9 => format!("{}G", trim(v / 1e9)),
        v if v >= 1e6 => format!("{}M", trim(v / 1e6)),
        v if v >= 1e3 => format!("{}k", trim(v / 1e3)),
        v => trim(v),
    }
}

fn trim(v: f64) -> String {
    let s = format!("{v:.1}");
    s.strip_suffix(".0").map(String::from).unwrap_or(s)
}
