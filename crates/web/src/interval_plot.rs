//! A dot-and-whisker plot drawn on the server: one row per estimate with its 95 % interval and a line at zero.
//! Used by the research report for the alliance model's two parts, the therapists' caterpillar and change by
//! rupture. Like the line charts: no script, a title and a description, plain presentation attributes so it
//! prints, and a table beside it with the same figures.

use std::fmt::Write;

use crate::charts::{CLIENT, escape};

pub struct IntervalRow {
    /// Drawn at the left; empty to leave the row unnamed (the caterpillar a researcher sees).
    pub label: String,
    pub estimate: f64,
    pub low: f64,
    pub high: f64,
}

pub struct IntervalPlot {
    pub id: String,
    pub title: String,
    pub description: String,
    pub axis_label: String,
    pub rows: Vec<IntervalRow>,
}

const W: f64 = 640.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 44.0;
const RIGHT: f64 = 24.0;
const ROW: f64 = 22.0;

/// A round tick step giving about five ticks over `span` (1, 2 or 5 times a power of ten).
fn tick_step(span: f64) -> f64 {
    let raw = (span / 5.0).max(1e-9);
    let magnitude = 10f64.powf(raw.log10().floor());
    let nice = match raw / magnitude {
        n if n < 1.5 => 1.0,
        n if n < 3.0 => 2.0,
        n if n < 7.0 => 5.0,
        _ => 10.0,
    };
    nice * magnitude
}

/// A tick's text at the step's precision, with no "-0".
fn tick_text(value: f64, step: f64) -> String {
    let decimals = (-step.log10().floor()).max(0.0) as usize;
    let text = format!("{value:.decimals$}");
    if text.starts_with('-') && text.trim_start_matches(['-', '0', '.']).is_empty() {
        text[1..].to_owned()
    } else {
        text
    }
}

impl IntervalPlot {
    fn left(&self) -> f64 {
        if self.rows.iter().all(|r| r.label.is_empty()) { 24.0 } else { 210.0 }
    }

    fn range(&self) -> (f64, f64) {
        let low = self.rows.iter().map(|r| r.low).fold(0.0, f64::min);
        let high = self.rows.iter().map(|r| r.high).fold(0.0, f64::max);
        if high - low < 1e-6 {
            // Every estimate is zero with no spread (a variance estimated at zero): show a unit either side.
            return (-1.0, 1.0);
        }
        let pad = (high - low) * 0.05;
        (low - pad, high + pad)
    }

    pub fn render(&self) -> String {
        let id = escape(&self.id);
        let (low, high) = self.range();
        let left = self.left();
        let x = |v: f64| left + (v - low) / (high - low) * (W - left - RIGHT);
        let height = TOP + ROW * self.rows.len().max(1) as f64 + BOTTOM;
        let bottom = height - BOTTOM;
        let mut s = String::new();
        let _ = write!(
            s,
            r#"<svg class="chart" viewBox="0 0 {W} {height}" role="img" aria-labelledby="{id}-t {id}-d" xmlns="http://www.w3.org/2000/svg"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
            escape(&self.title),
            escape(&self.description)
        );
        let step = tick_step(high - low);
        let mut tick = (low / step).ceil() * step;
        while tick <= high + 1e-9 {
            let tx = x(tick);
            let _ = write!(
                s,
                r##"<line x1="{tx:.1}" x2="{tx:.1}" y1="{TOP}" y2="{bottom:.1}" stroke="#ddd" stroke-width="1"/><text x="{tx:.1}" y="{:.1}" font-size="11" text-anchor="middle" direction="ltr" fill="#333">{}</text>"##,
                bottom + 16.0,
                tick_text(tick, step)
            );
            tick += step;
        }
        let zero = x(0.0);
        let _ = write!(
            s,
            r##"<line x1="{zero:.1}" x2="{zero:.1}" y1="{TOP}" y2="{bottom:.1}" stroke="#222" stroke-width="1.2" stroke-dasharray="6 3"/><text x="{:.1}" y="{:.1}" font-size="12" text-anchor="middle" fill="#222">{}</text>"##,
            (left + W - RIGHT) / 2.0,
            bottom + 36.0,
            escape(&self.axis_label)
        );
        for (i, row) in self.rows.iter().enumerate() {
            let y = TOP + ROW * (i as f64 + 0.5);
            if !row.label.is_empty() {
                let _ = write!(
                    s,
                    r##"<text x="{:.1}" y="{:.1}" font-size="12" text-anchor="end" direction="ltr" fill="#222">{}</text>"##,
                    left - 8.0,
                    y + 4.0,
                    escape(&row.label)
                );
            }
            let _ = write!(
                s,
                r##"<line x1="{:.1}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}" stroke="{CLIENT}" stroke-width="2"/><circle cx="{:.1}" cy="{y:.1}" r="4" fill="{CLIENT}"/>"##,
                x(row.low),
                x(row.high),
                x(row.estimate)
            );
        }
        s.push_str("</svg>");
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_never_minus_zero() {
        assert!((tick_step(0.18) - 0.05).abs() < 1e-12);
        assert!((tick_step(12.0) - 2.0).abs() < 1e-12);
        assert_eq!(tick_text(-0.000_000_1, 0.05), "0.00");
        assert_eq!(tick_text(-0.15, 0.05), "-0.15");
    }

    #[test]
    fn estimates_without_spread_get_a_readable_axis() {
        let rows = (0..3).map(|_| IntervalRow { label: String::new(), estimate: 0.0, low: 0.0, high: 0.0 }).collect();
        let plot =
            IntervalPlot { id: "p".into(), title: "t".into(), description: "d".into(), axis_label: "a".into(), rows };
        assert_eq!(plot.range(), (-1.0, 1.0));
        assert!(plot.render().contains(">0.5<"), "ticks at a readable step");
    }

    #[test]
    fn every_row_is_drawn_with_its_interval_and_labels_are_escaped() {
        let plot = IntervalPlot {
            id: "p".into(),
            title: "T <b>".into(),
            description: "D".into(),
            axis_label: "A".into(),
            rows: vec![
                IntervalRow { label: "x & y".into(), estimate: -1.0, low: -2.0, high: 0.5 },
                IntervalRow { label: "z".into(), estimate: 1.0, low: 0.5, high: 1.5 },
            ],
        };
        let svg = plot.render();
        assert_eq!(svg.matches("<circle").count(), 2);
        assert!(svg.contains("x &amp; y") && svg.contains("T &lt;b&gt;") && !svg.contains("<b>"));
        assert!(svg.ends_with("</svg>"));
    }
}
