//! The fairness study on generated practices (docs/SCIENCE.md#fairness-of-signals): clients in groups that answer
//! in different styles at the same planted need, and, per group, how often each detector finds what was planted
//! (sensitivity) and fires where nothing was (false alarms). Detectors that judge a client against their own
//! baseline are set beside fixed cut-offs. Pure: no clock, no IO.
//!
//! Definitions (the same for every detector and group):
//! - **rupture sensitivity**: of the ruptures planted at a session with a relationship check, the share with a
//!   detection (an onset, or a session flagged) within one session of it;
//! - **rupture false alarms**: of the sessions with a check and no rupture planted within one session, the share
//!   that a detector flags;
//! - **not-on-track sensitivity**: of the planted not-on-track clients still in care at session 8, the share
//!   turned red by session 8 (as `crate::calibration` measures it);
//! - **not-on-track false alarms**: of the clients not planted, the share ever turned red;
//! - **low-alliance alerts**: the share of clients with a check who ever had the low-alliance signal; beside it
//!   the share whose latent alliance ever fell below the same cut-off at a checked session (the need).
//!
//! Standard errors treat clients as independent and the sessions of one client as a cluster (the linearised
//! variance of a ratio estimator).

use serde::Serialize;

use crate::catalog::{Catalog, PHQ9, RELATIONSHIP_CHECK};
use crate::practice::{OutcomeSeries, PracticeModel, SignalSettings, build};
use crate::scoring::score;
use crate::simulate::{PracticeParams, ResponseStyle, SimClient, practice};
use alliance_signals::rupture::{Mode, RuptureConfig, SessionScore, detect_ruptures};
use alliance_signals::signal::low_alliance_episode_signal;

use crate::overview::Track;

/// Clients per generated practice: one practice model (expected course and rupture prior) is fitted on each.
pub const PRACTICE_CLIENTS: usize = 2_000;

/// The fixed not-on-track cut-off set beside the expected course: a PHQ-9 total of 15 or more (moderately severe,
/// Kroenke, Spitzer & Williams 2001) at two outcome scores in a row, the product's "two in a row" with a fixed
/// threshold in place of the client's expected course.
pub const FIXED_PHQ9_CUTOFF: f64 = 15.0;

/// Sessions within which a detection counts for a planted rupture (the evaluation's default tolerance).
pub const TOLERANCE: u32 = 1;

/// The session by which a planted not-on-track client should be red (as in the calibration).
pub const JUDGED_BY_SESSION: u32 = 8;

/// The groups of the study: one answering as drawn, and three that differ in one respect each.
pub fn default_groups() -> Vec<ResponseStyle> {
    vec![
        ResponseStyle::as_drawn("reference"),
        // The example: a group that rates the alliance 4 points lower throughout without more ruptures.
        ResponseStyle { alliance_offset: -4.0, ..ResponseStyle::as_drawn("rates-alliance-lower") },
        // Extreme response style on the relationship check: answers stretched by half again about the midpoint,
        // with half again the item noise.
        ResponseStyle { extremity: 1.5, item_noise: 1.5, ..ResponseStyle::as_drawn("scale-ends-noisier") },
        // A group that reports 3 PHQ-9 points more symptoms at every session, intake included.
        ResponseStyle { symptom_offset: 3.0, ..ResponseStyle::as_drawn("reports-more-symptoms") },
    ]
}

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct StudyOptions {
    pub seed: u64,
    /// Clients in all, over practices of [`PRACTICE_CLIENTS`] (the last may be smaller).
    pub clients: usize,
    pub groups: Vec<ResponseStyle>,
    pub settings: SignalSettings,
    /// The generator's other parameters (seed, clients, therapists and groups are set by the study).
    pub generator: PracticeParams,
}

impl StudyOptions {
    pub fn new(seed: u64, clients: usize) -> Self {
        StudyOptions {
            seed,
            clients,
            groups: default_groups(),
            settings: SignalSettings::default(),
            // 10 % planted not-on-track clients (the default is 3 %) so that each group has enough of them for the
            // sensitivity to be measured to about a point; the same share in every group.
            generator: PracticeParams { not_on_track_share: 0.10, ..PracticeParams::default() },
        }
    }

    /// Practices the clients are generated in.
    pub fn practices(&self) -> usize {
        self.clients.div_ceil(PRACTICE_CLIENTS)
    }

    /// The parameters of practice `index` generated with the groups rotated by `rotation`: client `i` of it
    /// answers in the style of group `(i + rotation) % groups` and has the same latent course in every rotation.
    pub fn practice_params(&self, index: usize, rotation: usize) -> PracticeParams {
        let clients = PRACTICE_CLIENTS.min(self.clients.saturating_sub(index * PRACTICE_CLIENTS));
        let groups = self.groups.len().max(1);
        PracticeParams {
            seed: self.seed.wrapping_mul(1_000_003).wrapping_add(index as u64),
            clients,
            therapists: (clients / 20).max(1),
            groups: (0..self.groups.len()).map(|k| self.groups[(k + rotation) % groups].clone()).collect(),
            ..self.generator.clone()
        }
    }
}

/// A share with its count, denominator and Monte-Carlo standard error.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Rate {
    pub count: u64,
    pub of: u64,
    /// `count / of` (0 when `of` is 0).
    pub rate: f64,
    pub standard_error: f64,
}

/// What is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    RuptureSensitivity,
    RuptureFalseAlarms,
    NotOnTrackSensitivity,
    NotOnTrackFalseAlarms,
    LowAllianceAlerts,
    /// The need behind low-alliance alerts: latent alliance below the cut-off at a checked session.
    LatentLowAlliance,
}

impl Measure {
    pub fn label(self) -> &'static str {
        match self {
            Measure::RuptureSensitivity => "rupture sensitivity",
            Measure::RuptureFalseAlarms => "rupture false alarms",
            Measure::NotOnTrackSensitivity => "not-on-track sensitivity",
            Measure::NotOnTrackFalseAlarms => "not-on-track false alarms",
            Measure::LowAllianceAlerts => "low-alliance alerts",
            Measure::LatentLowAlliance => "latent alliance below cut-off",
        }
    }
}

/// Which rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Detector {
    /// The product's rupture detector on scores (strict, the client's own level and variability).
    OwnBaselineRupture,
    /// Every session below the relationship check's cut-off (24) flagged.
    FixedAllianceCutoff,
    /// The product's not-on-track rule with the practice's expected course for the client's intake.
    OwnBaselineExpectedCourse,
    /// The product's default rule before a practice course, as the product runs it: no 6-point fall from the
    /// client's first score by session 8, and the latest score in the clinical range (PHQ-9 of 10 or more, a fixed
    /// cut-off).
    DefaultRuleGated,
    /// The same rule without the clinical-range gate: the client's own first score alone.
    OwnBaselineDefaultRule,
    /// PHQ-9 of 15 or more at two outcome scores in a row.
    FixedPhq9Cutoff,
    /// The product's low-alliance signal (a fixed cut-off, 24).
    LowAllianceSignal,
    /// The generator's latent alliance (the truth, not a detector).
    Latent,
}

impl Detector {
    pub fn label(self) -> &'static str {
        match self {
            Detector::OwnBaselineRupture => "own baseline: rupture detector",
            Detector::FixedAllianceCutoff => "fixed cut-off: alliance < 24",
            Detector::OwnBaselineExpectedCourse => "own baseline: expected course",
            Detector::DefaultRuleGated => "default rule as run (own baseline, PHQ-9 >= 10 gate)",
            Detector::OwnBaselineDefaultRule => "own baseline: default rule without the gate",
            Detector::FixedPhq9Cutoff => "fixed cut-off: PHQ-9 >= 15 twice",
            Detector::LowAllianceSignal => "fixed cut-off: low-alliance signal",
            Detector::Latent => "the need (latent truth)",
        }
    }

    /// Judges each client against their own baseline: the rows the 5-point bound applies to.
    pub fn uses_own_baseline(self) -> bool {
        matches!(
            self,
            Detector::OwnBaselineRupture | Detector::OwnBaselineExpectedCourse | Detector::OwnBaselineDefaultRule
        )
    }
}

/// One measure of one detector in every group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FairnessRow {
    pub measure: Measure,
    pub detector: Detector,
    /// One per group, in the report's group order.
    pub by_group: Vec<Rate>,
    /// Largest rate minus smallest, in percentage points.
    pub gap_points: f64,
    /// Standard error of that difference, in percentage points: paired, as the same generated clients are
    /// judged in every group.
    pub gap_standard_error_points: f64,
}

/// The fairness table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FairnessReport {
    pub seed: u64,
    pub clients: usize,
    pub practices: usize,
    pub groups: Vec<String>,
    pub clients_by_group: Vec<u64>,
    pub planted_not_on_track_share: f64,
    /// Practices whose expected course was the practice's own fit (the rest used the default rule).
    pub practices_with_own_course: usize,
    /// The smallest and largest practice alliance prior (the session-to-session SD rupture detection shrinks each
    /// client's towards), over the practices.
    pub rupture_prior_range: (f64, f64),
    pub rows: Vec<FairnessRow>,
}

impl FairnessReport {
    pub fn row(&self, measure: Measure, detector: Detector) -> Option<&FairnessRow> {
        self.rows.iter().find(|r| r.measure == measure && r.detector == detector)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StudyError {
    #[error("the instrument {0} is missing from the catalog")]
    Instrument(&'static str),
    #[error("a generated answer could not be scored: {0}")]
    Score(String),
    #[error("the practice model could not be built: {0}")]
    Practice(String),
    #[error("the study needs at least one group and one client")]
    Empty,
}

/// Per (measure, detector) row, per group, per generated client: (count, denominator), `None` where the client is
/// not judged on that row.
type Cells = Vec<Vec<Vec<Option<(u64, u64)>>>>;

/// The not-on-track detectors, in row order (sensitivity rows, then false-alarm rows).
const COURSE_DETECTORS: [Detector; 4] = [
    Detector::OwnBaselineExpectedCourse,
    Detector::DefaultRuleGated,
    Detector::OwnBaselineDefaultRule,
    Detector::FixedPhq9Cutoff,
];

const ROWS: [(Measure, Detector); 13] = [
    (Measure::RuptureSensitivity, Detector::OwnBaselineRupture),
    (Measure::RuptureSensitivity, Detector::FixedAllianceCutoff),
    (Measure::RuptureFalseAlarms, Detector::OwnBaselineRupture),
    (Measure::RuptureFalseAlarms, Detector::FixedAllianceCutoff),
    (Measure::NotOnTrackSensitivity, COURSE_DETECTORS[0]),
    (Measure::NotOnTrackSensitivity, COURSE_DETECTORS[1]),
    (Measure::NotOnTrackSensitivity, COURSE_DETECTORS[2]),
    (Measure::NotOnTrackSensitivity, COURSE_DETECTORS[3]),
    (Measure::NotOnTrackFalseAlarms, COURSE_DETECTORS[0]),
    (Measure::NotOnTrackFalseAlarms, COURSE_DETECTORS[1]),
    (Measure::NotOnTrackFalseAlarms, COURSE_DETECTORS[2]),
    (Measure::NotOnTrackFalseAlarms, COURSE_DETECTORS[3]),
    (Measure::LowAllianceAlerts, Detector::LowAllianceSignal),
];
/// Index in [`ROWS`] of the first not-on-track sensitivity row and of the low-alliance row.
const COURSE_ROW: usize = 4;
const LOW_ALLIANCE_ROW: usize = 12;
const LATENT_ROW: usize = ROWS.len();

/// Generates the practices and measures every detector in every group.
pub fn run(catalog: &Catalog, options: &StudyOptions) -> Result<FairnessReport, StudyError> {
    if options.groups.is_empty() || options.clients == 0 {
        return Err(StudyError::Empty);
    }
    let alliance_cutoff = catalog
        .get(RELATIONSHIP_CHECK)
        .and_then(|i| i.scale("alliance"))
        .and_then(|s| s.cutoff.as_ref())
        .map(|c| c.value)
        .ok_or(StudyError::Instrument(RELATIONSHIP_CHECK))?;
    let phq9_scale = catalog.get(PHQ9).and_then(|i| i.primary()).ok_or(StudyError::Instrument(PHQ9))?;
    let in_range = |v: f64| phq9_scale.in_concern_range(v).unwrap_or(false);
    let default_rule = build(&[], &[], options.settings).map_err(|e| StudyError::Practice(e.to_string()))?;
    let groups = options.groups.len();
    let mut cells: Cells = vec![vec![vec![None; options.clients]; groups]; ROWS.len() + 1];
    let practices = options.practices();
    let mut practices_with_own_course = 0;
    let mut priors = (f64::INFINITY, f64::NEG_INFINITY);
    for index in 0..practices {
        // Each practice is generated once per group with the groups rotated, so that every generated client is
        // judged once in every group's style: the same planted need in every group, compared client by client.
        for rotation in 0..groups {
            let generated = practice(&options.practice_params(index, rotation));
            let scored: Vec<Scored> = generated.clients.iter().map(|c| scored(catalog, c)).collect::<Result<_, _>>()?;
            let model = practice_model(&scored, options.settings)?;
            practices_with_own_course += usize::from(model.etr.is_some());
            priors = (priors.0.min(model.rupture_prior.sigma), priors.1.max(model.rupture_prior.sigma));
            for (i, s) in scored.iter().enumerate() {
                let group = (s.client.group + rotation) % groups;
                let found = judge(s, &model, &default_rule, alliance_cutoff, &in_range);
                for (row, counts) in found.into_iter().enumerate() {
                    cells[row][group][index * PRACTICE_CLIENTS + i] = counts;
                }
            }
        }
    }
    let mut rows: Vec<FairnessRow> = ROWS.iter().enumerate().map(|(i, &(m, d))| row(m, d, &cells[i])).collect();
    rows.push(row(Measure::LatentLowAlliance, Detector::Latent, &cells[LATENT_ROW]));
    Ok(FairnessReport {
        seed: options.seed,
        clients: options.clients,
        practices: practices * groups,
        groups: options.groups.iter().map(|g| g.name.clone()).collect(),
        clients_by_group: vec![options.clients as u64; groups],
        planted_not_on_track_share: options.generator.not_on_track_share,
        practices_with_own_course,
        rupture_prior_range: priors,
        rows,
    })
}

/// A ratio of sums over clients and its clustered standard error:
/// `sqrt(m / (m - 1) * sum((y_i - r n_i)^2)) / sum(n_i)` over the `m` clients with `n_i > 0`.
pub fn rate(counts: &[(u64, u64)]) -> Rate {
    let (count, of) = counts.iter().fold((0, 0), |(c, o), &(y, n)| (c + y, o + n));
    let rate = if of == 0 { 0.0 } else { count as f64 / of as f64 };
    let judged: Vec<&(u64, u64)> = counts.iter().filter(|(_, n)| *n > 0).collect();
    let m = judged.len() as f64;
    let standard_error = if judged.len() < 2 {
        0.0
    } else {
        let squares: f64 = judged.iter().map(|&&(y, n)| (y as f64 - rate * n as f64).powi(2)).sum();
        (m / (m - 1.0) * squares).sqrt() / of as f64
    };
    Rate { count, of, rate, standard_error }
}

/// The practice model the product would build from these clients' scores.
fn practice_model(scored: &[Scored], settings: SignalSettings) -> Result<PracticeModel, StudyError> {
    let outcomes: Vec<OutcomeSeries> = scored
        .iter()
        .enumerate()
        .map(|(i, s)| OutcomeSeries {
            client: i.to_string(),
            therapist: s.client.therapist.to_string(),
            episode: i as i64,
            scores: s.phq9.clone(),
        })
        .collect();
    let alliance: Vec<Vec<f64>> = scored.iter().map(|s| s.alliance.iter().map(|a| a.score).collect()).collect();
    build(&outcomes, &alliance, settings).map_err(|e| StudyError::Practice(e.to_string()))
}

/// The gap between two groups, client by client: the difference of the two ratios, whose denominators are the
/// same client by client (the same planted need), and its clustered standard error,
/// `sqrt(m / (m - 1) * sum((e_i - d n_i)^2)) / sum(n_i)` with `e_i` the difference of the two counts.
pub fn paired_gap(high: &[Option<(u64, u64)>], low: &[Option<(u64, u64)>]) -> (f64, f64) {
    let pairs: Vec<(f64, f64)> = high
        .iter()
        .zip(low)
        .filter_map(|(h, l)| match (h, l) {
            (Some((yh, n)), Some((yl, _))) if *n > 0 => Some((*yh as f64 - *yl as f64, *n as f64)),
            _ => None,
        })
        .collect();
    let of: f64 = pairs.iter().map(|p| p.1).sum();
    if of == 0.0 {
        return (0.0, 0.0);
    }
    let gap = pairs.iter().map(|p| p.0).sum::<f64>() / of;
    let m = pairs.len() as f64;
    let squares: f64 = pairs.iter().map(|(e, n)| (e - gap * n).powi(2)).sum();
    let se = if pairs.len() < 2 { 0.0 } else { (m / (m - 1.0) * squares).sqrt() / of };
    (gap, se)
}

fn row(measure: Measure, detector: Detector, by_group: &[Vec<Option<(u64, u64)>>]) -> FairnessRow {
    let counts: Vec<Vec<(u64, u64)>> = by_group.iter().map(|g| g.iter().flatten().copied().collect()).collect();
    let rates: Vec<Rate> = counts.iter().map(|c| rate(c)).collect();
    let order = |a: &usize, b: &usize| rates[*a].rate.total_cmp(&rates[*b].rate);
    let low = (0..rates.len()).min_by(order);
    let high = (0..rates.len()).max_by(order);
    let (gap, se) = match (high, low) {
        (Some(h), Some(l)) => paired_gap(&by_group[h], &by_group[l]),
        _ => (0.0, 0.0),
    };
    FairnessRow { measure, detector, by_group: rates, gap_points: 100.0 * gap, gap_standard_error_points: 100.0 * se }
}

/// One generated client, scored through the real scoring path.
struct Scored<'a> {
    client: &'a SimClient,
    /// PHQ-9 totals by session, the first being the intake.
    phq9: Vec<(u32, f64)>,
    /// Relationship-check alliance totals of the sessions with a check.
    alliance: Vec<SessionScore>,
}

fn scored<'a>(catalog: &Catalog, client: &'a SimClient) -> Result<Scored<'a>, StudyError> {
    let phq9_form = catalog.get(PHQ9).ok_or(StudyError::Instrument(PHQ9))?;
    let check_form = catalog.get(RELATIONSHIP_CHECK).ok_or(StudyError::Instrument(RELATIONSHIP_CHECK))?;
    let (mut phq9, mut alliance) = (Vec::new(), Vec::new());
    for s in client.sessions.iter().filter(|s| s.attended) {
        let total = score(phq9_form, &s.phq9).map_err(|e| StudyError::Score(e.to_string()))?.value("total");
        phq9.extend(total.map(|v| (s.number, v)));
        if let Some(check) = &s.check {
            let set = score(check_form, check).map_err(|e| StudyError::Score(e.to_string()))?;
            alliance.extend(set.value("alliance").map(|v| SessionScore { session: s.number, score: v }));
        }
    }
    Ok(Scored { client, phq9, alliance })
}

/// One client's (count, denominator) for each row of [`ROWS`] and then the latent row; `None` where the client
/// is not judged (a planted client is not judged for false alarms, an on-model one not for sensitivity).
fn judge(
    s: &Scored,
    model: &PracticeModel,
    default_rule: &PracticeModel,
    alliance_cutoff: f64,
    in_range: &dyn Fn(f64) -> bool,
) -> Vec<Option<(u64, u64)>> {
    let mut out = vec![None; ROWS.len() + 1];
    // Ruptures: the product's strict detector on scores alone (reports would find a reported rupture in every
    // group alike), and every session below the cut-off.
    let config = RuptureConfig::for_mode(Mode::Strict, model.rupture_prior);
    let own: Vec<u32> = detect_ruptures(&s.alliance, &[], &config)
        .map(|found| found.iter().map(|r| r.onset_session).collect())
        .unwrap_or_default();
    let fixed: Vec<u32> = s.alliance.iter().filter(|a| a.score < alliance_cutoff).map(|a| a.session).collect();
    let planted: Vec<u32> = s.client.sessions.iter().filter(|x| x.rupture_planted).map(|x| x.number).collect();
    let near = |flags: &[u32], session: u32| flags.iter().any(|&f| f.abs_diff(session) <= TOLERANCE);
    let checked = |session: u32| s.alliance.iter().any(|a| a.session == session);
    let planted_checked: Vec<u32> = planted.iter().copied().filter(|&p| checked(p)).collect();
    let quiet: Vec<u32> = s.alliance.iter().map(|a| a.session).filter(|&x| !near(&planted, x)).collect();
    for (row, flags) in [(0, &own), (1, &fixed)] {
        let hits = planted_checked.iter().filter(|&&p| near(flags, p)).count() as u64;
        out[row] = Some((hits, planted_checked.len() as u64));
        let alarms = quiet.iter().filter(|q| flags.contains(q)).count() as u64;
        out[row + 2] = Some((alarms, quiet.len() as u64));
    }

    // Not on track: red by session 8 for planted clients still in care then, ever red for the others.
    let red_at = |model: &PracticeModel, gated: bool| -> Vec<u32> {
        (1..s.phq9.len())
            .filter(|&k| {
                let (session, value) = s.phq9[k];
                let in_range = !gated || in_range(value);
                model.track(&s.phq9[..=k], Some(session), in_range).track == Some(Track::Red)
            })
            .map(|k| s.phq9[k].0)
            .collect()
    };
    let fixed_red: Vec<u32> =
        s.phq9.windows(2).skip(1).filter(|w| w.iter().all(|p| p.1 >= FIXED_PHQ9_CUTOFF)).map(|w| w[1].0).collect();
    let courses = [red_at(model, true), red_at(default_rule, true), red_at(default_rule, false), fixed_red];
    let in_care_at_judgement = s.phq9.last().is_some_and(|p| p.0 >= JUDGED_BY_SESSION);
    for (i, red) in courses.iter().enumerate() {
        if s.client.not_on_track {
            if in_care_at_judgement {
                out[COURSE_ROW + i] = Some((u64::from(red.iter().any(|&x| x <= JUDGED_BY_SESSION)), 1));
            }
        } else {
            out[COURSE_ROW + COURSE_DETECTORS.len() + i] = Some((u64::from(!red.is_empty()), 1));
        }
    }

    // Low alliance: the product's signal on each prefix of the scores, and the latent truth at checked sessions.
    if !s.alliance.is_empty() {
        let points: Vec<(u32, f64)> = s.alliance.iter().map(|a| (a.session, a.score)).collect();
        let alerted = (1..=points.len())
            .any(|n| low_alliance_episode_signal(&points[..n], alliance_cutoff).ok().flatten().is_some());
        out[LOW_ALLIANCE_ROW] = Some((u64::from(alerted), 1));
        let latent_low = s.client.sessions.iter().any(|x| x.alliance_latent < alliance_cutoff && checked(x.number));
        out[LATENT_ROW] = Some((u64::from(latent_low), 1));
    }
    out
}

/// A figure as the table prints it: a share in per cent with one decimal.
pub fn percent(share: f64) -> String {
    format!("{:.1}", 100.0 * share)
}

impl FairnessReport {
    /// The table as Markdown: one row per measure and detector, a column per group with the rate in per cent and
    /// its standard error in brackets, and the largest gap between groups in percentage points with its standard
    /// error.
    pub fn markdown(&self) -> String {
        let mut out = format!(
            "Fairness of signals: {} generated clients, each judged once in every group's style ({} practices of up \
             to {} clients, seed {}); {} % of clients planted not on track. Per cent (Monte-Carlo standard error); \
             the gap is the highest group minus the lowest, in points, paired client by client.\n\n",
            self.clients,
            self.practices,
            PRACTICE_CLIENTS,
            self.seed,
            percent(self.planted_not_on_track_share),
        );
        out.push_str(&format!(
            "The practice's own expected course in {} of {} practices; the practice alliance prior (session-to-session \
             SD) from {:.2} to {:.2} points.\n\n",
            self.practices_with_own_course, self.practices, self.rupture_prior_range.0, self.rupture_prior_range.1
        ));
        let groups: Vec<String> =
            self.groups.iter().zip(&self.clients_by_group).map(|(g, n)| format!("{g} (n = {n})")).collect();
        out.push_str(&format!("| measure | detector | {} | gap, points |\n", groups.join(" | ")));
        out.push_str(&format!("|---|---|{}---|\n", "---|".repeat(groups.len())));
        for row in &self.rows {
            let cells: Vec<String> =
                row.by_group.iter().map(|r| format!("{} ({})", percent(r.rate), percent(r.standard_error))).collect();
            out.push_str(&format!(
                "| {} | {} | {} | {:.1} ({:.1}) |\n",
                row.measure.label(),
                row.detector.label(),
                cells.join(" | "),
                row.gap_points,
                row.gap_standard_error_points
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clustered_standard_error_matches_a_hand_computation() {
        // Three clients: 1 of 2, 0 of 1, 2 of 3 -> rate 3/6 = .5; residuals 0, -.5, .5; SE = sqrt(1.5 * .5) / 6.
        let r = rate(&[(1, 2), (0, 1), (2, 3), (0, 0)]);
        assert_eq!((r.count, r.of, r.rate), (3, 6, 0.5));
        assert!((r.standard_error - (1.5_f64 * 0.5).sqrt() / 6.0).abs() < 1e-12, "{}", r.standard_error);
        // With one observation per client it is the binomial SE with the m/(m-1) correction.
        let r = rate(&[(1, 1), (0, 1), (0, 1), (1, 1)]);
        assert!((r.standard_error - (4.0_f64 / 3.0 * 0.25 / 4.0).sqrt()).abs() < 1e-12);
        assert_eq!(rate(&[]).rate, 0.0);
    }
}
