//! Per-therapist patterns, for reflection in supervision (not a performance rating): `/patterns` for a
//! therapist about themselves, `/supervision/therapists/{id}` for their supervisor. The figures are computed by
//! `alliance_core::patterns`; this page gathers its inputs and puts the figures into words.

use std::collections::HashMap;

use alliance_core::domain::Role;
use alliance_core::partnership::TaskDone;
use alliance_core::patterns::{self, ClientCourse, SessionDay};
use alliance_core::practice::PracticeModel;
use alliance_core::research::{MIN_CELL_CLIENTS, Part};
use alliance_store::{Client, ClientId, UserId};
use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use time::Date;

use super::Nav;
use super::words::number;
use crate::access;
use crate::access_supervision::{self, SeePatterns};
use crate::auth::SignedIn;
use crate::charts::{Chart, OKABE_ITO, Reference, Series};
use crate::error::WebError;
use crate::forms::Id;
use crate::interval_plot::{IntervalPlot, IntervalRow};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "patterns.html")]
struct PatternsPage {
    tr: alliance_i18n::Tr,
    nav: Nav,
    therapist: String,
    own: bool,
    figures: Vec<(String, String, String)>,
    chart: Option<String>,
    chart_caption: String,
    outcomes: AdjustedOutcome,
    /// The therapist's own transcript indicators across their clients' sessions (issue 21); never shown to the
    /// supervisor here, who sees a transcript only on a shared session's page.
    transcript_trend: Option<super::transcripts::TrendView>,
}

/// The therapist's outcome adjusted for intake severity (issue 20, item 5), in words and as one interval beside
/// the practice's average: never beside other therapists, so it cannot be read as a ranking.
struct AdjustedOutcome {
    /// The effect and its interval in words, or why there is none yet.
    summary: String,
    /// How to read it, and how much of the practice's outcome variance lies between therapists.
    context: Vec<String>,
    plot: Option<String>,
}

/// `/patterns`: a therapist's own patterns.
pub async fn own_patterns(State(state): State<AppState>, who: SignedIn) -> Result<Response, WebError> {
    access::require_role(&who, Role::Therapist)?;
    let see = access_supervision::see_patterns(&state, &who, who.user.id).await?;
    patterns_page(&state, &who, see).await
}

/// `/supervision/therapists/{id}`: a supervisee's patterns, for their supervisor.
pub async fn therapist_patterns(
    State(state): State<AppState>,
    who: SignedIn,
    Id(id): Id,
) -> Result<Response, WebError> {
    let see = access_supervision::see_patterns(&state, &who, UserId(id)).await?;
    patterns_page(&state, &who, see).await
}

async fn patterns_page(state: &AppState, who: &SignedIn, see: SeePatterns) -> Result<Response, WebError> {
    let clients = state.store.clients_of(&[see.therapist.id]).await?;
    let ids: Vec<ClientId> = clients.iter().map(|c| c.id).collect();
    let states = state.app.overviews(&clients, see.own, state.now()).await?;
    let current = state.app.current_episodes(&ids).await?;
    let open: HashMap<ClientId, bool> = current.iter().map(|(client, e)| (*client, e.ended_on.is_none())).collect();
    // Between-session tasks of the current episodes, with what the clients reported (one query for all).
    let episodes: Vec<_> = current.values().map(|e| e.id).collect();
    let mut reports: HashMap<alliance_store::EpisodeId, Vec<TaskDone>> = HashMap::new();
    for task in state.store.tasks_of(&episodes).await? {
        if let Some(report) = task.report {
            reports.entry(task.episode).or_default().push(report.done);
        }
    }
    let today = who.today(state.now());
    let pending_since = today - state.app.link_lifetime();
    struct Course {
        alliance: Vec<(u32, f64)>,
        sessions: Vec<SessionDay>,
        acks: Vec<(String, Date)>,
        tasks: Vec<TaskDone>,
    }
    // Which sessions each client answered, and their alliance, come with the kept overview: reading them from the
    // database on every view was most of this page's time at 1,000 clients (issue 13, item 5).
    let mut courses: Vec<(&Client, Course)> = Vec::new();
    for client in &clients {
        let Some(cs) = states.get(&client.id) else { continue };
        let alliance: Vec<(u32, f64)> =
            cs.client_checks.iter().filter_map(|c| c.alliance.map(|v| (c.session, v))).collect();
        let answered: std::collections::HashSet<u32> = cs.client_checks.iter().map(|c| c.session).collect();
        let sessions = cs
            .sessions
            .iter()
            .map(|s| SessionDay {
                number: s.number,
                held_on: s.held_on,
                attended: s.attended,
                check_answered: answered.contains(&s.number),
                check_pending: s.held_on >= pending_since,
            })
            .collect();
        let acks = cs.acknowledgements.iter().map(|a| (a.key.clone(), who.zone.date_of(a.at))).collect();
        let tasks = current.get(&client.id).and_then(|e| reports.get(&e.id)).cloned().unwrap_or_default();
        courses.push((client, Course { alliance, sessions, acks, tasks }));
    }
    let input: Vec<ClientCourse<'_>> = courses
        .iter()
        .filter_map(|(client, c)| {
            let cs = states.get(&client.id)?;
            Some(ClientCourse {
                overview: &cs.overview,
                episode: cs.episode_key(),
                active: open.get(&client.id).copied().unwrap_or(false),
                alliance: &c.alliance,
                sessions: &c.sessions,
                acknowledgements: &c.acks,
                task_reports: &c.tasks,
            })
        })
        .collect();
    let p = patterns::patterns(&input, today);
    let mut figures = figures(&p);
    // The rupture-recognition loop (issue 18): the predictions made before the client's check came.
    let pairs: Vec<_> = states.values().flat_map(|cs| cs.predictions.iter().copied()).collect();
    figures.extend(recognition_figures(&alliance_core::recognition::summarise(&pairs)));
    // The chart: each active client's alliance by session number, or their median and quartiles once there are
    // more clients than lines that can be told apart.
    let active: Vec<(&Client, &Course)> = courses
        .iter()
        .filter(|(client, c)| open.get(&client.id).copied().unwrap_or(false) && !c.alliance.is_empty())
        .map(|(client, c)| (*client, c))
        .collect();
    let alliance: Vec<(&str, &[(u32, f64)])> =
        active.iter().map(|(client, c)| (client.pseudonym.as_str(), c.alliance.as_slice())).collect();
    let (chart, chart_caption) = alliance_chart(&alliance);
    let transcript_trend = if see.own {
        super::transcripts::patterns_summary(&state.store.transcript_indicators_of(&ids).await?)
    } else {
        None
    };
    let page = PatternsPage {
        tr: crate::language::current(),
        nav: Nav::of(who),
        therapist: see.therapist.display_name.clone(),
        own: see.own,
        figures,
        chart,
        chart_caption,
        outcomes: adjusted_outcome(&state.app.practice(), see.therapist.id, see.own),
        transcript_trend,
    };
    Ok(Html(page.render()?).into_response())
}

/// The severity-adjusted outcome of `therapist` from the last practice refit.
fn adjusted_outcome(practice: &PracticeModel, therapist: UserId, own: bool) -> AdjustedOutcome {
    let tr = crate::language::current();
    let Some(model) = &practice.therapist_outcomes else {
        return AdjustedOutcome { summary: tr.t("adjusted-not-yet"), context: vec![], plot: None };
    };
    let Part::Ready(effects) = model else {
        return AdjustedOutcome { summary: tr.t("adjusted-no-model"), context: vec![], plot: None };
    };
    let icc = tr.format(
        "report-icc",
        &[
            ("icc", tr.number(effects.icc, 3).into()),
            ("low", tr.number(effects.icc_ci[0], 3).into()),
            ("high", tr.number(effects.icc_ci[1], 3).into()),
        ],
    );
    let id = therapist.0.to_string();
    let Some(effect) = effects.blup.iter().find(|b| b.therapist == id) else {
        let summary = tr.t1("adjusted-too-few", "min", MIN_CELL_CLIENTS);
        return AdjustedOutcome { summary, context: vec![icc], plot: None };
    };
    let key = if own { "adjusted-own" } else { "adjusted-theirs" };
    let summary = tr.format(
        key,
        &[
            ("effect", tr.number(effect.effect, 2).into()),
            ("low", tr.number(effect.interval[0], 2).into()),
            ("high", tr.number(effect.interval[1], 2).into()),
            ("clients", effect.clients.into()),
        ],
    );
    let reading = if effect.interval[0] <= 0.0 && effect.interval[1] >= 0.0 {
        tr.t("adjusted-includes-average")
    } else if effect.interval[1] < 0.0 {
        tr.t("adjusted-lower")
    } else {
        tr.t("adjusted-higher")
    };
    let plot = IntervalPlot {
        id: "adjusted-outcome".to_owned(),
        title: tr.t("adjusted-title"),
        description: summary.clone(),
        axis_label: tr.t("report-caterpillar-axis"),
        rows: vec![IntervalRow {
            label: String::new(),
            estimate: effect.effect,
            low: effect.interval[0],
            high: effect.interval[1],
        }],
    }
    .render();
    AdjustedOutcome { summary, context: vec![reading, icc, tr.t("adjusted-not-ranking")], plot: Some(plot) }
}

/// Lines the patterns chart draws one per client; with more clients it draws their median and quartiles.
pub const CHART_CLIENT_LINES: usize = 2 * OKABE_ITO.len();

/// The patterns chart and its caption, from each active client's alliance scores (session number, score).
fn alliance_chart(clients: &[(&str, &[(u32, f64)])]) -> (Option<String>, String) {
    let sessions = clients.iter().flat_map(|(_, a)| a.iter().map(|p| p.0)).max().unwrap_or(0);
    let (series, references, caption) = if clients.len() <= CHART_CLIENT_LINES {
        let series: Vec<Series> = clients
            .iter()
            .enumerate()
            .map(|(i, (name, alliance))| {
                let mut points: Vec<(f64, f64)> = alliance.iter().map(|(n, v)| (f64::from(*n), *v)).collect();
                points.sort_by(|a, b| a.0.total_cmp(&b.0));
                // Seven colour-blind-safe colours, solid then dashed: 14 clients without a repeat.
                let colour = OKABE_ITO[i % OKABE_ITO.len()];
                Series { label: (*name).to_owned(), points, colour, dashed: (i / OKABE_ITO.len()) % 2 == 1 }
            })
            .collect();
        let caption = crate::language::current().t1("patterns-caption-clients", "count", series.len());
        (series, vec![], caption)
    } else {
        let mut at: std::collections::BTreeMap<u32, Vec<f64>> = std::collections::BTreeMap::new();
        for (_, alliance) in clients {
            for (n, v) in *alliance {
                at.entry(*n).or_default().push(*v);
            }
        }
        // A session number only a few clients reached says little about the practice: at least 5 scores.
        let quantiles: Vec<(f64, [f64; 3])> = at
            .into_iter()
            .filter(|(_, v)| v.len() >= 5)
            .map(|(n, mut v)| {
                v.sort_by(f64::total_cmp);
                (f64::from(n), [0.25, 0.5, 0.75].map(|q| quantile_sorted(&v, q)))
            })
            .collect();
        let line = |k: usize| quantiles.iter().map(|(n, q)| (*n, q[k])).collect::<Vec<_>>();
        let tr = crate::language::current();
        let series =
            vec![Series { label: tr.t("patterns-median"), points: line(1), colour: OKABE_ITO[0], dashed: false }];
        let references = vec![
            Reference { label: tr.t("patterns-lower-quartile"), points: line(0), colour: OKABE_ITO[5], dash: "6 3" },
            Reference { label: tr.t("patterns-upper-quartile"), points: line(2), colour: OKABE_ITO[5], dash: "2 2" },
        ];
        let caption = tr.t1("patterns-caption-quartiles", "count", clients.len());
        (series, references, caption)
    };
    if series.iter().all(|s| s.points.is_empty()) {
        return (None, caption);
    }
    let chart = Chart {
        id: "chart-patterns".into(),
        title: crate::language::current().t("patterns-chart-title"),
        description: caption.clone(),
        y_label: crate::language::current().t("chart-alliance-axis"),
        y_range: (6.0, 30.0),
        sessions: sessions.max(4),
        bands: vec![],
        cutoff: None,
        series,
        references,
        markers: vec![],
    }
    .render();
    (Some(chart), caption)
}

/// The `q` quantile of sorted values (linear between order statistics, R's type 7).
fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// The figures in words: (what, value, how it is computed).
/// How often the therapist spotted the strains clients reported, and how their predicted ratings compare.
fn recognition_figures(s: &alliance_core::recognition::RecognitionSummary) -> Vec<(String, String, String)> {
    let tr = crate::language::current();
    let spotted = match s.spotted_share() {
        Some(share) => tr.format(
            "patterns-spotted",
            &[
                ("spotted", s.spotted.into()),
                ("reported", s.reported.into()),
                ("percent", alliance_i18n::Arg::Number((100.0 * share).round())),
            ],
        ),
        None => tr.t("patterns-spotted-none"),
    };
    let spotted_how = tr.t2("patterns-spotted-how", "compared", s.compared, "unexpected", s.not_reported);
    let gap = match (s.mean_gap, s.mean_abs_gap) {
        (Some(gap), Some(abs)) => tr.t2("patterns-prediction-gap", "gap", tr.number(gap, 2), "abs", tr.number(abs, 2)),
        _ => "–".to_owned(),
    };
    let gap_how = tr.t1("patterns-prediction-gap-how", "count", s.rated);
    vec![(tr.t("patterns-spotted-label"), spotted, spotted_how), (tr.t("patterns-prediction-label"), gap, gap_how)]
}

fn figures(p: &patterns::Patterns) -> Vec<(String, String, String)> {
    let or_dash = |v: Option<String>| v.unwrap_or_else(|| "–".into());
    let signed = |v: f64| {
        let tr = crate::language::current();
        if v > 0.0 { format!("+{}", tr.number(v, 2)) } else { tr.number(v, 2) }
    };
    let tr = crate::language::current();
    let active = tr.t("patterns-active-how");
    let level = tr.t1("patterns-level-how", "count", p.alliance_level_clients);
    let trend = tr.t3(
        "patterns-trend-how",
        "window",
        patterns::TREND_WINDOW,
        "min",
        patterns::TREND_MIN_SCORES,
        "count",
        p.alliance_trend_clients,
    );
    let ruptures = tr.format(
        "patterns-ruptures",
        &[
            ("count", p.ruptures.into()),
            ("repaired", p.ruptures_repaired.into()),
            ("unrepaired", p.ruptures_unrepaired.into()),
            ("open", p.ruptures_open.into()),
        ],
    );
    let ruptures_how = tr.t("patterns-ruptures-how");
    let signals_how = tr.t("patterns-signals-how");
    let days_how = tr.t1("patterns-days-how", "days", or_dash(p.median_days_open.map(number)));
    let checks_how = tr.t2("patterns-checks-how", "answered", p.sessions_with_check, "due", p.sessions_due);
    vec![
        (tr.t("patterns-active"), p.active_clients.to_string(), active),
        (tr.t("patterns-level"), or_dash(p.alliance_level.map(|v| tr.number(v, 1))), level),
        (
            tr.t("patterns-trend"),
            or_dash(p.alliance_trend.map(|v| tr.t1("patterns-per-session", "value", signed(v)))),
            trend,
        ),
        (tr.t("patterns-ruptures-label"), ruptures, ruptures_how),
        (
            tr.t("patterns-signals"),
            tr.t2("patterns-signals-value", "open", p.signals_open, "acknowledged", p.signals_acknowledged),
            signals_how,
        ),
        (
            tr.t("patterns-days"),
            or_dash(p.median_days_to_acknowledge.map(|v| tr.t1("patterns-median-value", "value", number(v)))),
            days_how,
        ),
        (tr.t("patterns-checks"), or_dash(p.check_share().map(|v| format!("{:.0} %", v * 100.0))), checks_how),
        (
            tr.t("patterns-tasks"),
            or_dash(p.task_completion.map(|v| format!("{:.0} %", v * 100.0))),
            tr.t1("patterns-tasks-how", "count", p.tasks_reported),
        ),
    ]
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::*;

    /// R: `quantile(6:20, c(.25, .5, .75))` is 9.5, 13, 16.5; `quantile(c(1, 2, 3, 4, 10), .9)` is 7.6.
    #[test]
    fn quantiles_match_r_type_7() {
        let v: Vec<f64> = (6..=20).map(f64::from).collect();
        assert_eq!([0.25, 0.5, 0.75].map(|q| quantile_sorted(&v, q)), [9.5, 13.0, 16.5]);
        assert!((quantile_sorted(&[1.0, 2.0, 3.0, 4.0, 10.0], 0.9) - 7.6).abs() < 1e-12);
    }

    #[test]
    fn many_clients_are_drawn_as_median_and_quartiles() {
        let names: Vec<String> = (0..15).map(|i| format!("Client{i:02}")).collect();
        // Session 1: scores 6 to 20; session 2: only three clients, too few to draw.
        let scores: Vec<Vec<(u32, f64)>> = (0..15)
            .map(|i| if i < 3 { vec![(1, f64::from(6 + i)), (2, 25.0)] } else { vec![(1, f64::from(6 + i))] })
            .collect();
        let clients: Vec<(&str, &[(u32, f64)])> =
            names.iter().zip(&scores).map(|(n, s)| (n.as_str(), s.as_slice())).collect();
        let (chart, caption) = alliance_chart(&clients);
        let chart = chart.expect("a chart");
        assert!(caption.contains("of 15 active clients") && caption.contains("median"), "{caption}");
        assert!(chart.contains("Median") && chart.contains("Lower quartile") && chart.contains("Upper quartile"));
        assert!(!chart.contains("Client00"), "no line per client");
        // Up to 14 clients: one line each, named in the legend.
        let (chart, _) = alliance_chart(&clients[..CHART_CLIENT_LINES]);
        let chart = chart.expect("a chart");
        assert!(chart.contains("Client00") && chart.contains("Client13") && !chart.contains("Median"));
        assert_eq!(alliance_chart(&[]).0, None);
    }
}
