//! The practice research report as HTML (docs/SCIENCE.md#practice-research): the same fragment on the
//! researcher's page and in the self-contained file `alliance analyze research --html` writes (inline SVG, no
//! script, printable). Therapists are never named in it: the caterpillar shows positions only, since each
//! therapist may see only their own effect.

use alliance_core::catalog::Catalog;
use alliance_core::research::{self as research, CultureCell, Part, ResearchReport, RuptureGroup};
use alliance_i18n::Tr;
use askama::Template;

use crate::interval_plot::{IntervalPlot, IntervalRow};

/// One table row of figures, already formatted.
pub(crate) type Cells = Vec<String>;

pub(crate) struct LaggedView {
    rows: Vec<Cells>,
    fit: String,
    plot: String,
}

pub(crate) struct TherapistView {
    icc: String,
    plot: String,
    rows: Vec<Cells>,
    suppressed: Option<String>,
}

/// One table of the culture part: a category's groups, or the match groups.
pub(crate) struct CultureTable {
    title: String,
    rows: Vec<Cells>,
    suppressed: Option<String>,
}

pub(crate) struct CultureView {
    scope: String,
    tables: Vec<CultureTable>,
}

/// One category of the fairness audit: a column per signal, a row per group, the largest gap last.
pub(crate) struct FairnessTable {
    title: String,
    signals: Vec<String>,
    rows: Vec<Cells>,
    gap: Cells,
}

pub(crate) struct RuptureView {
    rows: Vec<Cells>,
    undecided: Option<String>,
    plot: String,
}

#[derive(Template)]
#[template(path = "research_report.html")]
pub(crate) struct ReportFragment {
    tr: Tr,
    scope: String,
    lagged: Option<LaggedView>,
    therapists: Option<TherapistView>,
    reliability: Vec<Cells>,
    ruptures: Option<RuptureView>,
    outcomes: Option<Vec<(String, String)>>,
    culture: Option<CultureView>,
    fairness: Option<Vec<FairnessTable>>,
}

#[derive(Template)]
#[template(path = "research_report_document.html")]
struct ReportDocument {
    tr: Tr,
    fragment: String,
}

fn interval(tr: &Tr, [low, high]: [f64; 2], decimals: usize) -> String {
    tr.t2("report-interval", "low", tr.number(low, decimals), "high", tr.number(high, decimals))
}

fn term_name(tr: &Tr, term: &str) -> String {
    match term {
        "(Intercept)" => tr.t("report-term-intercept"),
        "phq9" => tr.t("report-term-phq9"),
        "alliance_within" => tr.t("report-term-within"),
        "alliance_between" => tr.t("report-term-between"),
        other => other.to_owned(),
    }
}

fn lagged(tr: &Tr, report: &ResearchReport) -> Option<LaggedView> {
    let m = report.lagged.ready()?;
    let order = ["(Intercept)", "phq9", "alliance_within", "alliance_between"];
    let rows = order
        .iter()
        .filter_map(|t| {
            let (estimate, se, ci) = (m.fixed.get(*t)?, m.se.get(*t)?, m.ci.get(*t)?);
            Some(vec![term_name(tr, t), tr.number(*estimate, 3), tr.number(*se, 3), interval(tr, *ci, 3)])
        })
        .collect();
    let fit = tr.format(
        "report-lagged-fit",
        &[
            ("rows", m.n_rows.into()),
            ("courses", m.n_clients.into()),
            ("sd_client", tr.number(m.sd_client, 2).into()),
            ("sigma", tr.number(m.sigma, 2).into()),
        ],
    );
    let plot_rows = ["alliance_within", "alliance_between"]
        .iter()
        .filter_map(|t| {
            let (estimate, ci) = (m.fixed.get(*t)?, m.ci.get(*t)?);
            let label = tr.t(if *t == "alliance_within" { "report-plot-within" } else { "report-plot-between" });
            Some(IntervalRow { label, estimate: *estimate, low: ci[0], high: ci[1] })
        })
        .collect();
    let plot = IntervalPlot {
        id: "report-lagged-plot".to_owned(),
        title: tr.t("report-lagged-plot"),
        description: tr.t("report-lagged-hint"),
        axis_label: tr.t("report-lagged-axis"),
        rows: plot_rows,
    }
    .render();
    Some(LaggedView { rows, fit, plot })
}

fn therapists(tr: &Tr, report: &ResearchReport) -> Option<TherapistView> {
    let t = report.therapist_effects.ready()?;
    let icc = tr.format(
        "report-icc",
        &[
            ("icc", tr.number(t.icc, 3).into()),
            ("low", tr.number(t.icc_ci[0], 3).into()),
            ("high", tr.number(t.icc_ci[1], 3).into()),
        ],
    );
    let plot = IntervalPlot {
        id: "report-caterpillar".to_owned(),
        title: tr.t("report-caterpillar"),
        description: tr.t("report-caterpillar"),
        axis_label: tr.t("report-caterpillar-axis"),
        rows: t
            .blup
            .iter()
            .map(|b| IntervalRow { label: String::new(), estimate: b.effect, low: b.interval[0], high: b.interval[1] })
            .collect(),
    }
    .render();
    let rows = t
        .blup
        .iter()
        .enumerate()
        .map(|(i, b)| vec![(i + 1).to_string(), tr.number(b.effect, 2), interval(tr, b.interval, 2)])
        .collect();
    let suppressed = (t.suppressed_therapists > 0).then(|| {
        tr.t2("report-therapist-suppressed", "count", t.suppressed_therapists, "min", report.min_cell_clients)
    });
    Some(TherapistView { icc, plot, rows, suppressed })
}

fn reliability(tr: &Tr, report: &ResearchReport, catalog: &Catalog) -> Vec<Cells> {
    // Instruments by their short names, the instruments' own words.
    let name = |id: &str| catalog.get(id).map_or_else(|| id.to_owned(), |i| i.short_name.clone());
    report
        .reliability_by_measure
        .iter()
        .map(|m| match &m.result {
            Part::Ready(r) => vec![
                name(&m.measure),
                r.items.len().to_string(),
                r.n.to_string(),
                tr.t2("report-value-ci", "value", tr.number(r.alpha, 3), "interval", interval(tr, r.alpha_ci, 3)),
                tr.number(r.omega_total, 3),
            ],
            Part::Unavailable(_) => {
                let none = tr.t("report-unavailable");
                vec![name(&m.measure), String::new(), String::new(), none, String::new()]
            }
        })
        .collect()
}

fn group_name(tr: &Tr, group: &RuptureGroup) -> String {
    tr.t(match group.group {
        "no-rupture" => "report-group-none",
        "repaired" => "report-group-repaired",
        _ => "report-group-unrepaired",
    })
}

fn ruptures(tr: &Tr, report: &ResearchReport) -> Option<RuptureView> {
    let r = report.ruptures_and_outcome.ready()?;
    let hidden = tr.t1("report-suppressed", "min", report.min_cell_clients);
    let rows = r
        .groups
        .iter()
        .map(|g| match (g.mean_improvement, g.ci) {
            (Some(mean), Some(ci)) => {
                vec![group_name(tr, g), g.clients.to_string(), tr.number(mean, 2), interval(tr, ci, 2)]
            }
            _ => vec![group_name(tr, g), hidden.clone(), hidden.clone(), hidden.clone()],
        })
        .collect();
    let plot = IntervalPlot {
        id: "report-ruptures-plot".to_owned(),
        title: tr.t("report-ruptures-plot"),
        description: tr.t("report-ruptures-hint"),
        axis_label: tr.t("report-ruptures-axis"),
        rows: r
            .groups
            .iter()
            .filter_map(|g| {
                let (mean, ci) = (g.mean_improvement?, g.ci?);
                Some(IntervalRow { label: group_name(tr, g), estimate: mean, low: ci[0], high: ci[1] })
            })
            .collect(),
    }
    .render();
    let undecided = (r.undecided_clients > 0).then(|| tr.t1("report-undecided", "count", r.undecided_clients));
    Some(RuptureView { rows, undecided, plot })
}

fn outcomes(tr: &Tr, report: &ResearchReport) -> Option<Vec<(String, String)>> {
    let o = report.outcomes.ready()?;
    let hidden = tr.t1("report-suppressed", "min", report.min_cell_clients);
    let share = |s: &alliance_core::research::Share| match (s.clients, s.share) {
        (Some(count), Some(share)) => tr.t2("report-share", "count", count, "percent", tr.number(100.0 * share, 0)),
        _ => hidden.clone(),
    };
    Some(vec![
        (tr.t("report-outcomes-courses"), o.clients.to_string()),
        (tr.t("report-recovered"), share(&o.recovered)),
        (tr.t("report-improved"), share(&o.reliably_improved)),
        (tr.t("report-deteriorated"), share(&o.reliably_deteriorated)),
        (
            tr.t("report-mean-change"),
            tr.t2(
                "report-value-ci",
                "value",
                tr.number(o.mean_improvement, 2),
                "interval",
                interval(tr, o.mean_improvement_ci, 2),
            ),
        ),
        (tr.t("report-effect-size"), o.effect_size.map_or_else(|| tr.t("report-unavailable"), |d| tr.number(d, 2))),
        (tr.t("report-completeness"), tr.t1("report-percent", "percent", tr.number(100.0 * o.completeness, 0))),
    ])
}

fn category_name(tr: &Tr, category: &str) -> String {
    match category {
        "language" => tr.t("background-category-language"),
        "identity" => tr.t("background-category-identity"),
        "faith" => tr.t("background-category-faith"),
        "gender" => tr.t("background-category-gender"),
        "age-band" => tr.t("background-category-age-band"),
        other => other.to_owned(),
    }
}

fn match_name(tr: &Tr, group: &str) -> String {
    tr.t(match group {
        "shares" => "report-match-shares",
        "does-not-share" => "report-match-does-not-share",
        "unsure" => "report-match-unsure",
        _ => "report-match-nothing-marked",
    })
}

fn culture_rows(tr: &Tr, cells: &[CultureCell], hidden: &str, name: impl Fn(&str) -> String) -> Vec<Cells> {
    let value = |v: Option<f64>| v.map_or_else(|| hidden.to_owned(), |v| tr.number(v, 2));
    cells
        .iter()
        .map(|c| {
            vec![
                name(&c.group),
                c.clients.to_string(),
                value(c.mean_alliance),
                value(c.mean_improvement),
                value(c.mean_culture),
            ]
        })
        .collect()
}

/// Alliance and outcome by client-described background and by match (issue 20); absent where no consenting
/// client described their background.
fn culture(tr: &Tr, report: &ResearchReport) -> Option<CultureView> {
    let c = report.culture.ready()?;
    let hidden = tr.t1("report-suppressed", "min", report.min_cell_clients);
    let left_out = |groups: usize, clients: usize| {
        (groups > 0).then(|| {
            tr.format(
                "report-culture-left-out",
                &[("groups", groups.into()), ("courses", clients.into()), ("min", report.min_cell_clients.into())],
            )
        })
    };
    let mut tables: Vec<CultureTable> = c
        .categories
        .iter()
        .map(|g| CultureTable {
            title: category_name(tr, &g.category),
            rows: culture_rows(tr, &g.groups, &hidden, str::to_owned),
            suppressed: left_out(g.suppressed_groups, g.suppressed_clients),
        })
        .collect();
    tables.push(CultureTable {
        title: tr.t("report-culture-match"),
        rows: culture_rows(tr, &c.by_match, &hidden, |g| match_name(tr, g)),
        suppressed: left_out(c.suppressed_match_groups, c.suppressed_match_clients),
    });
    Some(CultureView { scope: tr.t1("report-culture-scope", "count", c.clients_with_background), tables })
}

fn signal_name(tr: &Tr, signal: &str) -> String {
    match signal {
        research::RUPTURE => tr.t("report-fairness-signal-rupture"),
        research::LOW_ALLIANCE => tr.t("report-fairness-signal-low-alliance"),
        research::DETERIORATION => tr.t("report-fairness-signal-deterioration"),
        other => other.to_owned(),
    }
}

/// The score-based signals' rates per background group (issue 20, item 3); absent where no consenting client
/// described their background.
fn fairness(tr: &Tr, report: &ResearchReport) -> Option<Vec<FairnessTable>> {
    let f = report.signal_fairness.ready()?;
    let hidden = tr.t1("report-suppressed", "min", report.min_cell_clients);
    let tables = f
        .categories
        .iter()
        .map(|c| {
            let audit = &c.audit;
            let rows = audit
                .rows
                .iter()
                .map(|row| {
                    let group = match row.group.as_str() {
                        research::NOT_RECORDED => tr.t("report-fairness-not-recorded"),
                        research::SMALL_GROUPS => tr.t1("report-fairness-small-groups", "min", audit.min_cell_clients),
                        other => other.to_owned(),
                    };
                    let mut cells = vec![group, row.clients.map_or_else(|| hidden.clone(), |n| n.to_string())];
                    cells.extend(row.cells.iter().map(|cell| match (cell.share_of_clients, cell.per_100_sessions) {
                        (Some(share), Some(rate)) => tr.t2(
                            "report-fairness-cell",
                            "share",
                            tr.number(100.0 * share, 1),
                            "rate",
                            tr.number(rate, 1),
                        ),
                        (Some(share), None) => tr.number(100.0 * share, 1),
                        _ => hidden.clone(),
                    }));
                    cells
                })
                .collect();
            let gap = audit
                .largest_gap_points
                .iter()
                .map(|g| g.map_or_else(|| tr.t("report-fairness-no-gap"), |g| tr.number(g, 1)))
                .collect();
            FairnessTable {
                title: category_name(tr, &c.category),
                signals: audit.signals.iter().map(|s| signal_name(tr, s)).collect(),
                rows,
                gap,
            }
        })
        .collect();
    Some(tables)
}

/// The report's sections, for a page that has its own frame.
pub fn fragment(report: &ResearchReport, tr: &Tr, catalog: &Catalog) -> Result<String, askama::Error> {
    let scope = tr.format(
        "report-scope",
        &[
            ("courses", report.clients.into()),
            ("therapists", report.therapists.into()),
            ("sessions", report.sessions.into()),
        ],
    );
    ReportFragment {
        tr: *tr,
        scope,
        lagged: lagged(tr, report),
        therapists: therapists(tr, report),
        reliability: reliability(tr, report, catalog),
        ruptures: ruptures(tr, report),
        outcomes: outcomes(tr, report),
        culture: culture(tr, report),
        fairness: fairness(tr, report),
    }
    .render()
}

/// A whole HTML document: the fragment with its own styles, nothing loaded from elsewhere.
pub fn document(report: &ResearchReport, tr: &Tr, catalog: &Catalog) -> Result<String, askama::Error> {
    ReportDocument { tr: *tr, fragment: fragment(report, tr, catalog)? }.render()
}
