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

/// A reference line (the expected course, a band's edge): thin, in its own dash pattern and without a dot per
/// session, so that it does not read as data.
pub struct Reference {
    pub label: String,
    pub points: Vec<(f64, f64)>,
    pub colour: &'static str,
    /// An SVG `stroke-dasharray`, different for each reference line on a chart.
    pub dash: &'static str,
}

/// The Okabe–Ito palette (Okabe & Ito 2008), told apart with the common colour-vision deficiencies; the yellow
/// is left out, too pale on white.
pub const OKABE_ITO: [&str; 7] = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#000000"];
/// Client data, therapist data, ruptures and repairs: one colour each on every chart.
pub const CLIENT: &str = "#0072B2";
pub const THERAPIST: &str = "#E69F00";
pub const RUPTURE: &str = "#D55E00";
pub const REPAIR: &str = "#009E73";
/// The cut-off: black in a long dash, so it is not mistaken for the vermilion "at risk" edge.
const CUTOFF: &str = "#222222";
const CUTOFF_DASH: &str = "10 4";

pub struct Band {
    pub from: f64,
    pub to: f64,
    pub label: String,
    pub fill: &'static str,
}

#[derive(Clone)]
pub struct Marker {
    pub x: f64,
    pub label: String,
    pub kind: MarkerKind,
}

/// What a marker on the time axis stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkerKind {
    /// Drawn vermilion, pointing down from the top.
    Rupture,
    /// Drawn green, pointing up from the bottom.
    Repair,
    /// The therapist's event note (a medication change, a life event): a grey diamond on the axis.
    Event,
}

/// Event notes: dark grey, apart from the palette's data colours.
const EVENT: &str = "#444444";

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
    pub references: Vec<Reference>,
    pub markers: Vec<Marker>,
}

/// What a legend entry shows beside its label.
enum Swatch<'a> {
    Line { colour: &'a str, dash: &'a str, width: f64 },
    Triangle { colour: &'a str, up: bool },
}

/// Legend entries per row, 150 units each under the axis; the chart grows a row at a time so none is cut off.
const LEGEND_ENTRY: f64 = 150.0;
const LEGEND_ROW: f64 = 16.0;

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

    /// Every mark on the chart with its label, in drawing order: data, reference lines, the cut-off, ruptures
    /// and repairs.
    fn legend(&self) -> Vec<(String, Swatch<'_>)> {
        let mut entries = Vec::new();
        for series in self.series.iter().filter(|s| !s.points.is_empty()) {
            let dash = if series.dashed { "5 4" } else { "" };
            entries.push((series.label.clone(), Swatch::Line { colour: series.colour, dash, width: 2.5 }));
        }
        for line in self.references.iter().filter(|r| !r.points.is_empty()) {
            entries.push((line.label.clone(), Swatch::Line { colour: line.colour, dash: line.dash, width: 1.5 }));
        }
        if let Some((_, label)) = &self.cutoff {
            entries.push((label.clone(), Swatch::Line { colour: CUTOFF, dash: CUTOFF_DASH, width: 1.5 }));
        }
        if self.markers.iter().any(|m| m.kind == MarkerKind::Rupture) {
            entries
                .push((crate::language::current().t("chart-rupture"), Swatch::Triangle { colour: RUPTURE, up: false }));
        }
        if self.markers.iter().any(|m| m.kind == MarkerKind::Repair) {
            entries.push((crate::language::current().t("chart-repair"), Swatch::Triangle { colour: REPAIR, up: true }));
        }
        if self.markers.iter().any(|m| m.kind == MarkerKind::Event) {
            entries.push((
                crate::language::current().t("chart-event-note"),
                Swatch::Line { colour: EVENT, dash: "1 3", width: 1.5 },
            ));
        }
        entries
    }

    pub fn render(&self) -> String {
        let mut s = String::new();
        let id = escape(&self.id);
        let legend = self.legend();
        let per_row = ((W - LEFT) / LEGEND_ENTRY).floor().max(1.0) as usize;
        let rows = legend.len().div_ceil(per_row).max(1);
        let height = H + (rows - 1) as f64 * LEGEND_ROW;
        let _ = write!(
            s,
            r#"<svg class="chart" viewBox="0 0 {W} {height}" role="img" aria-labelledby="{id}-t {id}-d" xmlns="http://www.w3.org/2000/svg"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
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
            r##"<text x="{:.1}" y="{:.1}" font-size="11" text-anchor="end" fill="#333">{}</text><text x="12" y="{:.1}" font-size="11" fill="#333" transform="rotate(-90 12 {:.1})" text-anchor="middle">{}</text>"##,
            W - 8.0,
            H - BOTTOM + 16.0,
            escape(&crate::language::current().t("chart-session-axis")),
            (TOP + H - BOTTOM) / 2.0,
            (TOP + H - BOTTOM) / 2.0,
            escape(&self.y_label)
        );
        if let Some((value, label)) = &self.cutoff {
            let y = self.y(*value);
            let _ = write!(
                s,
                r##"<line x1="{x0}" x2="{x1}" y1="{y:.1}" y2="{y:.1}" stroke="{CUTOFF}" stroke-width="1.5" stroke-dasharray="{CUTOFF_DASH}"/><text x="{:.1}" y="{:.1}" font-size="10" fill="{CUTOFF}">{}</text>"##,
                x0 + 4.0,
                y - 3.0,
                escape(label)
            );
        }
        for marker in &self.markers {
            let x = self.x(marker.x);
            let (colour, path, y) = match marker.kind {
                MarkerKind::Repair => (REPAIR, "l5 8 h-10 z", H - BOTTOM - 8.0),
                MarkerKind::Rupture => (RUPTURE, "l5 -8 h-10 z", TOP + 8.0),
                MarkerKind::Event => (EVENT, "l5 5 l-5 5 l-5 -5 z", H - BOTTOM - 10.0),
            };
            let _ = write!(
                s,
                r##"<g><title>{}</title><line x1="{x:.1}" x2="{x:.1}" y1="{TOP}" y2="{:.1}" stroke="{colour}" stroke-width="1" stroke-dasharray="2 3"/><path d="M{x:.1} {y:.1} {path}" fill="{colour}"/></g>"##,
                escape(&marker.label),
                H - BOTTOM,
            );
        }
        for line in &self.references {
            let _ = write!(
                s,
                r#"<path d="{}" fill="none" stroke="{}" stroke-width="1.5" stroke-dasharray="{}"><title>{}</title></path>"#,
                self.path(&line.points, false),
                line.colour,
                line.dash,
                escape(&line.label)
            );
        }
        for series in &self.series {
            if series.points.is_empty() {
                continue;
            }
            let dash = if series.dashed { r#" stroke-dasharray="5 4""# } else { "" };
            let _ = write!(
                s,
                r#"<path d="{}" fill="none" stroke="{}" stroke-width="2.5"{dash}/>"#,
                self.path(&series.points, true),
                series.colour
            );
            for (sx, sy) in &series.points {
                let _ = write!(
                    s,
                    r#"<circle cx="{:.1}" cy="{:.1}" r="3.5" fill="{}"><title>{}</title></circle>"#,
                    self.x(*sx),
                    self.y(*sy),
                    series.colour,
                    escape(&crate::language::current().t3(
                        "chart-point",
                        "series",
                        series.label.as_str(),
                        "session",
                        sx.round().to_string(),
                        "value",
                        sy.to_string()
                    )),
                );
            }
        }
        for (index, (label, swatch)) in legend.iter().enumerate() {
            let lx = x0 + LEGEND_ENTRY * (index % per_row) as f64;
            let ly = H - 8.0 + LEGEND_ROW * (index / per_row) as f64;
            match swatch {
                Swatch::Line { colour, dash, width } => {
                    let _ = write!(
                        s,
                        r#"<line class="legend" x1="{lx:.1}" x2="{:.1}" y1="{ly:.1}" y2="{ly:.1}" stroke="{colour}" stroke-width="{width}" stroke-dasharray="{dash}"/>"#,
                        lx + 18.0
                    );
                }
                Swatch::Triangle { colour, up } => {
                    let path = if *up { "l5 8 h-10 z" } else { "l5 -8 h-10 z" };
                    let y = if *up { ly - 4.0 } else { ly + 4.0 };
                    let _ = write!(s, r#"<path class="legend" d="M{:.1} {y:.1} {path}" fill="{colour}"/>"#, lx + 9.0);
                }
            }
            let _ = write!(
                s,
                r##"<text x="{:.1}" y="{:.1}" font-size="11" fill="#222">{}</text>"##,
                lx + 22.0,
                ly + 4.0,
                escape(label)
            );
        }
        s.push_str("</svg>");
        s
    }
}

impl Chart {
    /// An SVG path through the points. For data a session with no score breaks the line (a new `M`), so no
    /// line is drawn across it; reference lines are continuous.
    fn path(&self, points: &[(f64, f64)], break_at_gaps: bool) -> String {
        let mut d = String::new();
        let mut previous: Option<f64> = None;
        for &(sx, sy) in points {
            // Points may sit a little beside their session (goals, tasks and bond are offset): a gap is a whole
            // session missing.
            let command = match previous {
                Some(p) if !(break_at_gaps && sx - p > 1.5) => 'L',
                _ => 'M',
            };
            let _ = write!(d, "{}{command}{:.1},{:.1}", if d.is_empty() { "" } else { " " }, self.x(sx), self.y(sy));
            previous = Some(sx);
        }
        d
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
            references: vec![],
            markers: vec![],
        };
        let svg = chart.render();
        assert!(svg.contains("&lt;script&gt;") && !svg.contains("<script>"));
        assert!(svg.contains("a &amp; b") && svg.contains("x&quot;y"));
        assert!(svg.contains(r#"role="img""#));
        // A value above the range is drawn at the top edge, not outside the chart.
        assert!(svg.contains(&format!(",{TOP:.1}")));
    }

    fn client(points: Vec<(f64, f64)>) -> Series {
        Series { label: "Client".into(), points, colour: CLIENT, dashed: false }
    }

    fn chart(series: Vec<Series>, references: Vec<Reference>, markers: Vec<Marker>) -> Chart {
        Chart {
            id: "c".into(),
            title: "t".into(),
            description: "d".into(),
            y_label: "y".into(),
            y_range: (0.0, 30.0),
            sessions: 6,
            bands: vec![],
            cutoff: Some((24.0, "Cut-off".into())),
            series,
            references,
            markers,
        }
    }

    #[test]
    fn a_session_without_a_score_breaks_the_line() {
        let svg =
            chart(vec![client(vec![(1.0, 20.0), (2.0, 22.0), (4.0, 21.0), (5.0, 23.0)])], vec![], vec![]).render();
        let d = svg.split(r#"<path d=""#).nth(1).and_then(|rest| rest.split('"').next()).unwrap_or_default();
        assert_eq!(d.matches('M').count(), 2, "session 3 has no score: two pieces, {d}");
        assert_eq!(d.matches('L').count(), 2);
        assert!(!svg.contains("<polyline"));
    }

    #[test]
    fn every_mark_has_a_legend_entry_and_reference_lines_have_no_dots() {
        let course = Reference {
            label: "Expected".into(),
            points: vec![(1.0, 20.0), (6.0, 10.0)],
            colour: "#555555",
            dash: "6 3",
        };
        let risk = Reference {
            label: "At risk".into(),
            points: vec![(1.0, 25.0), (6.0, 18.0)],
            colour: RUPTURE,
            dash: "8 3 2 3",
        };
        let markers = vec![
            Marker { x: 2.0, label: "rupture".into(), kind: MarkerKind::Rupture },
            Marker { x: 3.0, label: "repair".into(), kind: MarkerKind::Repair },
        ];
        let therapist =
            Series { label: "Therapist".into(), points: vec![(1.0, 25.0)], colour: THERAPIST, dashed: true };
        let svg = chart(vec![client(vec![(1.0, 20.0), (2.0, 22.0)]), therapist], vec![course, risk], markers).render();
        for label in ["Client", "Therapist", "Expected", "At risk", "Cut-off", "Rupture", "Repair"] {
            assert!(svg.contains(&format!(">{label}</text>")), "no legend entry for {label}");
        }
        assert_eq!(svg.matches(r#"class="legend""#).count(), 7);
        // Three data points, three dots: the reference lines have none.
        assert_eq!(svg.matches("<circle").count(), 3);
        // The cut-off is not drawn in the at-risk edge's colour.
        assert!(svg.contains(&format!(r#"stroke="{CUTOFF}" stroke-width="1.5" stroke-dasharray="{CUTOFF_DASH}""#)));
    }

    #[test]
    fn a_long_legend_wraps_and_the_chart_grows_to_hold_it() {
        let many: Vec<Series> = (0..14)
            .map(|i| Series { label: format!("Client {i}"), points: vec![(1.0, 20.0)], colour: CLIENT, dashed: false })
            .collect();
        let svg = chart(many, vec![], vec![]).render();
        // 14 clients and the cut-off: 15 entries, 3 per row of 592 units, so 5 rows.
        assert!(svg.contains(&format!(r#"viewBox="0 0 {W} {}""#, H + 4.0 * LEGEND_ROW)), "{}", &svg[..120]);
        assert!(svg.contains(">Client 13</text>"));
    }
}
