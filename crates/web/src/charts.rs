//! SVG line charts drawn on the server: no script, readable by screen readers (title, description and a data
//! table beside each chart), and printable (plain presentation attributes, no CSS-dependent colours).

use std::fmt::Write;

pub struct Series {
    pub label: String,
    /// (session number, value)
    pub points: Vec<(f64, f64)>,
    pub colour: &'static str,
    pub dashed: bool,
}

pub struct Band {
    pub from: f64,
    pub to: f64,
    pub label: String,
    pub fill: &'static str,
}

pub struct Marker {
    pub x: f64,
    pub label: String,
    /// A repair (drawn green, pointing up) rather than a rupture.
    pub repair: bool,
}

pub struct Chart {
    pub id: String,
    pub title: String,
    pub description: String,
    pub y_label: String,
    pub y_range: (f64, f64),
    pub sessions: u32,
    pub bands: Vec<Band>,
    pub cutoff: Option<(f64, String)>,
    pub series: Vec<Series>,
    pub markers: Vec<Marker>,
}

const W: f64 = 640.0;
const H: f64 = 280.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 130.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 56.0;

pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

impl Chart {
    fn x(&self, session: f64) -> f64 {
        let span = f64::from(self.sessions.max(2) - 1);
        LEFT + (session - 1.0) / span * (W - LEFT - RIGHT)
    }

    fn y(&self, value: f64) -> f64 {
        let (low, high) = self.y_range;
        let clamped = value.clamp(low, high);
        TOP + (high - clamped) / (high - low).max(1e-9) * (H - TOP - BOTTOM)
    }

    pub fn render(&self) -> String {
        let mut s = String::new();
        let id = escape(&self.id);
        let _ = write!(
            s,
            r#"<svg class="chart" viewBox="0 0 {W} {H}" role="img" aria-labelledby="{id}-t {id}-d" xmlns="http://www.w3.org/2000/svg"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
            escape(&self.title),
            escape(&self.description)
        );
        let (x0, x1) = (LEFT, W - RIGHT);
        for band in &self.bands {
            let (top, bottom) = (self.y(band.to), self.y(band.from));
            let _ = write!(
                s,
                r##"<rect x="{x0}" y="{top:.1}" width="{:.1}" height="{:.1}" fill="{}"/><text x="{:.1}" y="{:.1}" font-size="10" fill="#555">{}</text>"##,
                x1 - x0,
                (bottom - top).max(0.0),
                band.fill,
                x1 + 6.0,
                (top + bottom) / 2.0 + 3.0,
                escape(&band.label)
            );
        }
        // Axes and ticks.
        let (low, high) = self.y_range;
        let step = nice_step(high - low);
        let mut tick = (low / step).ceil() * step;
        while tick <= high + 1e-9 {
            let y = self.y(tick);
            let _ = write!(
                s,
                r##"<line x1="{x0}" x2="{x1}" y1="{y:.1}" y2="{y:.1}" stroke="#ddd" stroke-width="1"/><text x="{:.1}" y="{:.1}" font-size="11" text-anchor="end" fill="#333">{}</text>"##,
                x0 - 6.0,
                y + 4.0,
                tick
            );
            tick += step;
        }
        let every = (self.sessions / 10).max(1);
        for n in (1..=self.sessions).filter(|n| (n - 1) % every == 0 || *n == self.sessions) {
            let x = self.x(f64::from(n));
            let _ = write!(
                s,
                r##"<text x="{x:.1}" y="{:.1}" font-size="11" text-anchor="middle" fill="#333">{n}</text>"##,
                H - BOTTOM + 16.0
            );
        }
        let _ = write!(
            s,
            r##"<text x="{:.1}" y="{:.1}" font-size="11" text-anchor="end" fill="#333">Session</text><text x="12" y="{:.1}" font-size="11" fill="#333" transform="rotate(-90 12 {:.1})" text-anchor="middle">{}</text>"##,
            W - 8.0,
            H - BOTTOM + 16.0,
            (TOP + H - BOTTOM) / 2.0,
            (TOP + H - BOTTOM) / 2.0,
            escape(&self.y_label)
        );
        if let Some((value, label)) = &self.cutoff {
            let y = self.y(*value);
            let _ = write!(
                s,
                r##"<line x1="{x0}" x2="{x1}" y1="{y:.1}" y2="{y:.1}" stroke="#b00020" stroke-width="1.5" stroke-dasharray="6 4"/><text x="{:.1}" y="{:.1}" font-size="10" fill="#b00020">{}</text>"##,
                x0 + 4.0,
                y - 3.0,
                escape(label)
            );
        }
        for marker in &self.markers {
            let x = self.x(marker.x);
            let (colour, path) = if marker.repair { ("#2e7d32", "l5 8 h-10 z") } else { ("#7a4b00", "l5 -8 h-10 z") };
            let y = if marker.repair { H - BOTTOM - 8.0 } else { TOP + 8.0 };
            let _ = write!(
                s,
                r##"<g><title>{}</title><line x1="{x:.1}" x2="{x:.1}" y1="{TOP}" y2="{:.1}" stroke="{colour}" stroke-width="1" stroke-dasharray="2 3"/><path d="M{x:.1} {y:.1} {path}" fill="{colour}"/></g>"##,
                escape(&marker.label),
                H - BOTTOM,
            );
        }
        for (index, series) in self.series.iter().enumerate() {
            if series.points.is_empty() {
                continue;
            }
            let path: Vec<String> =
                series.points.iter().map(|(sx, sy)| format!("{:.1},{:.1}", self.x(*sx), self.y(*sy))).collect();
            let dash = if series.dashed { r#" stroke-dasharray="5 4""# } else { "" };
            let _ = write!(
                s,
                r#"<polyline points="{}" fill="none" stroke="{}" stroke-width="2.5"{dash}/>"#,
                path.join(" "),
                series.colour
            );
            for (sx, sy) in &series.points {
                let _ = write!(
                    s,
                    r#"<circle cx="{:.1}" cy="{:.1}" r="3.5" fill="{}"><title>{}: session {sx}, {sy}</title></circle>"#,
                    self.x(*sx),
                    self.y(*sy),
                    series.colour,
                    escape(&series.label)
                );
            }
            // Legend: one row under the axis, 130 units per entry.
            let lx = x0 + 130.0 * index as f64;
            let ly = H - 8.0;
            let _ = write!(
                s,
                r##"<line x1="{lx:.1}" x2="{:.1}" y1="{ly:.1}" y2="{ly:.1}" stroke="{}" stroke-width="2.5"{dash}/><text x="{:.1}" y="{:.1}" font-size="11" fill="#222">{}</text>"##,
                lx + 18.0,
                series.colour,
                lx + 22.0,
                ly + 4.0,
                escape(&series.label)
            );
        }
        s.push_str("</svg>");
        s
    }
}

fn nice_step(span: f64) -> f64 {
    let raw = span / 5.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    let normalized = raw / magnitude;
    let nice = if normalized < 1.5 {
        1.0
    } else if normalized < 3.0 {
        2.0
    } else if normalized < 7.0 {
        5.0
    } else {
        10.0
    };
    (nice * magnitude).max(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_the_chart_is_labelled() {
        let chart = Chart {
            id: "c".into(),
            title: "<script>".into(),
            description: "a & b".into(),
            y_label: "PHQ-9".into(),
            y_range: (0.0, 27.0),
            sessions: 5,
            bands: vec![],
            cutoff: Some((10.0, "cut-off".into())),
            series: vec![Series {
                label: "x\"y".into(),
                points: vec![(1.0, 20.0), (2.0, 30.0)],
                colour: "#000",
                dashed: false,
            }],
            markers: vec![],
        };
        let svg = chart.render();
        assert!(svg.contains("&lt;script&gt;") && !svg.contains("<script>"));
        assert!(svg.contains("a &amp; b") && svg.contains("x&quot;y"));
        assert!(svg.contains(r#"role="img""#));
        // A value above the range is drawn at the top edge, not outside the chart.
        assert!(svg.contains(&format!(",{TOP:.1}")));
    }
}
