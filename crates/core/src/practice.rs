//! What the whole practice teaches about each client: the expected treatment response (ETR) fitted on the
//! practice's own outcome data, and the practice's typical session-to-session alliance variability that
//! rupture detection shrinks each client's own towards. Built by a batch job, used by every page.

use alliance_i18n::Text;
use alliance_lmm::{FitOptions, FittedModel, ModelSpec, Observation, Practice, PredictError, PredictedScore, fit};
use alliance_signals::change::Direction;
use alliance_signals::signal::{Severity, Signal, not_on_track_signal};
use alliance_signals::variability::PracticePrior;
use serde::Serialize;
use time::OffsetDateTime;

use crate::dropout::DropoutWeights;
use crate::overview::Track;

/// Settings a practice can change; the defaults are the project's, not validated norms.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SignalSettings {
    /// Therapist's alliance this many points above the client's raises a discrepancy signal.
    pub discrepancy: f64,
    /// Missed sessions or checks in a row that raise a disengagement signal.
    pub disengagement_in_a_row: usize,
    /// Two-sided prediction level whose upper edge turns the outcome yellow (below expectation).
    pub yellow_level: f64,
    /// Two-sided prediction level whose upper edge turns the outcome red (at risk of a poor outcome).
    pub red_level: f64,
    /// Clients with at least three outcome scores needed before the practice's own ETR replaces the default.
    pub min_clients_for_practice_etr: usize,
    /// The most clients the practice's ETR is fitted on: the most recent ones (by episode) of those with at least
    /// three outcome scores. Bounds the fit's time and memory; the interface says when the cap was applied.
    pub max_clients_for_practice_etr: usize,
    /// Consecutive outcome scores beyond a band's upper edge before the outcome takes that band's colour (and
    /// the not-on-track signal is raised). Chosen from measured calibration (docs/SCIENCE.md#not-on-track).
    pub not_on_track_in_a_row: usize,
}

impl Default for SignalSettings {
    fn default() -> Self {
        // The OQ system's exact band percentiles are not verified (docs/SCIENCE.md#prediction-bands): these are
        // defaults.
        Self {
            discrepancy: 4.0,
            disengagement_in_a_row: 2,
            yellow_level: 0.70,
            red_level: 0.90,
            min_clients_for_practice_etr: 30,
            // A bound on the fit's cost, not a validated sample size: none is sourced
            // (docs/SCIENCE.md#practice-model). The published expected courses were fitted on 11,492 (Finch, Lambert &
            // Schaalje 2001) and 4,365 (Lutz et al. 2006) patients; this project default is of that order while
            // keeping the batch fit cheap.
            max_clients_for_practice_etr: 2_000,
            // Measured, not sourced (docs/SCIENCE.md#not-on-track; tuning seeds 1 and 2): one score beyond the red
            // edge turned 13-14 % of on-model held-out clients red at some point, two in a row about 5 %, while
            // still turning 88-92 % of the planted worsening clients red by session 8; three in a row missed more.
            not_on_track_in_a_row: 2,
        }
    }
}

impl SignalSettings {
    /// Checks a practice's own settings before they are used.
    pub fn validate(&self) -> Result<(), String> {
        let level = |l: f64| l > 0.0 && l < 1.0;
        if !(level(self.yellow_level) && level(self.red_level) && self.red_level > self.yellow_level) {
            return Err("band levels must lie between 0 and 1, the red level above the yellow one".into());
        }
        if !(self.discrepancy.is_finite() && self.discrepancy > 0.0) {
            return Err("the discrepancy threshold must be a positive number of points".into());
        }
        if self.disengagement_in_a_row == 0 {
            return Err("disengagement needs at least one missed session or check".into());
        }
        if self.not_on_track_in_a_row == 0 {
            return Err("the not-on-track rule needs at least one score beyond the edge".into());
        }
        if self.max_clients_for_practice_etr == 0
            || self.max_clients_for_practice_etr < self.min_clients_for_practice_etr
        {
            return Err("the most clients for the practice's expected course must be at least one and not fewer \
                        than the clients it needs"
                .into());
        }
        Ok(())
    }
}

/// The PHQ-9 fall that counts as reliable improvement in NHS Talking Therapies (docs/SCIENCE.md#reliable-change).
pub const RELIABLE_IMPROVEMENT: f64 = 6.0;

/// The session by which the default rule expects reliable improvement. A labelled project default, informed by
/// trajectory studies in which a class of depressed clients changes little until about session 6 and improves
/// after (docs/SCIENCE.md#expected-treatment-response): judging earlier would flag those late responders.
pub const DEFAULT_RULE_SESSION: u32 = 8;

/// A practice fit with an intercept-slope correlation this close to ±1 is singular (docs/SCIENCE.md#practice-model).
const MAX_ABS_CORRELATION: f64 = 0.99;

/// A random-effect SD below this many PHQ-9 points is a variance component on its boundary (project default).
const MIN_COMPONENT_SD: f64 = 0.05;

/// What the administrator sees of a practice fit: enough to judge whether it can be trusted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FitDiagnostics {
    pub clients: usize,
    /// Outcome scores fitted (the first score of each client is its intake, not an outcome row).
    pub scores: usize,
    pub converged: bool,
    /// lme4's singular-fit verdict (a variance component on its boundary).
    pub singular: bool,
    pub intercept_sd: f64,
    pub slope_sd: f64,
    /// Correlation of the client intercepts and slopes; `None` when the slope was dropped.
    pub correlation: Option<f64>,
    pub residual_sd: f64,
}

impl FitDiagnostics {
    fn of(model: &FittedModel) -> Self {
        let r = &model.result;
        let sd = |var: &str| r.varcorr_entry("client", Some(var), None).map_or(0.0, |e| e.sdcor);
        FitDiagnostics {
            clients: r.n_clients,
            scores: r.n_obs,
            converged: r.converged,
            singular: r.singular,
            intercept_sd: sd("(Intercept)"),
            slope_sd: sd("log_session"),
            correlation: r.varcorr_entry("client", Some("(Intercept)"), Some("log_session")).map(|e| e.sdcor),
            residual_sd: r.sigma,
        }
    }

    /// Why this fit may not replace the default rule, if it may not.
    pub fn unusable(&self) -> Option<Text> {
        if !self.converged {
            return Some(Text::new("etr-reason-not-converged"));
        }
        let below = |x: f64, min: f64| x.is_nan() || x < min;
        let singular = self.singular
            || below(self.intercept_sd, MIN_COMPONENT_SD)
            || below(self.slope_sd, MIN_COMPONENT_SD)
            || self.correlation.is_none_or(|c| c.is_nan() || c.abs() >= MAX_ABS_CORRELATION);
        singular.then(|| {
            Text::new("etr-reason-singular")
                .plain("intercept", format!("{:.2}", self.intercept_sd))
                .plain("slope", format!("{:.2}", self.slope_sd))
                .text("correlation", correlation_text(self.correlation))
        })
    }

    pub fn describe(&self) -> Text {
        Text::new(if self.unusable().is_some() { "etr-fit-unusable" } else { "etr-fit-usable" })
            .number("clients", self.clients as f64)
            .number("scores", self.scores as f64)
            .text("correlation", correlation_text(self.correlation))
            .plain("residual", format!("{:.2}", self.residual_sd))
    }
}

/// Where the expected course comes from, shown in the interface.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum EtrSource {
    /// Fitted on this practice's PHQ-9 data: `clients` of the `eligible` clients with three or more scores (the
    /// most recent ones, when there are more than `SignalSettings::max_clients_for_practice_etr`), with their
    /// `observations` outcome scores (the first score of each client is its intake).
    Practice { clients: usize, eligible: usize, observations: usize },
    /// No expected course: the default rule (no reliable improvement by `DEFAULT_RULE_SESSION`) applies, for
    /// `reason`.
    DefaultRule { reason: Text },
}

/// A correlation to two decimals, or "none" in the reader's words.
fn correlation_text(correlation: Option<f64>) -> Text {
    match correlation {
        Some(c) => Text::new("etr-number").plain("value", format!("{c:.2}")),
        None => Text::new("etr-none"),
    }
}

impl EtrSource {
    pub fn describe(&self) -> Text {
        match self {
            EtrSource::Practice { clients, eligible, observations } if clients < eligible => {
                Text::new("etr-practice-recent")
                    .number("clients", *clients as f64)
                    .number("eligible", *eligible as f64)
                    .number("observations", *observations as f64)
            }
            EtrSource::Practice { clients, observations, .. } => Text::new("etr-practice")
                .number("clients", *clients as f64)
                .number("observations", *observations as f64),
            EtrSource::DefaultRule { reason } => Text::new("etr-default-rule")
                .number("fall", RELIABLE_IMPROVEMENT)
                .number("session", f64::from(DEFAULT_RULE_SESSION))
                .text("reason", reason.clone()),
        }
    }
}

pub struct PracticeModel {
    /// The practice's own expected course, when a usable fit exists; otherwise the default rule applies.
    pub etr: Option<FittedModel>,
    pub etr_source: EtrSource,
    /// The last practice fit attempted, used or not.
    pub diagnostics: Option<FitDiagnostics>,
    /// When the model was built; set by the caller (the core reads no clock).
    pub fitted_at: Option<OffsetDateTime>,
    pub rupture_prior: PracticePrior,
    /// True when the prior came from the practice's data rather than the default.
    pub prior_from_practice: bool,
    pub settings: SignalSettings,
    /// The early warning of dropout's weights and threshold: the project default until the practice refits them
    /// on its own ended episodes (`crate::dropout::refit`).
    pub dropout: DropoutWeights,
    /// The last refit of the dropout weights on the practice's ended episodes, adopted or not (none before the
    /// first attempt).
    pub dropout_refit: Option<crate::dropout::RefitOutcome>,
    /// What therapists tried after ruptures and how often the alliance came back, for consenting clients, made
    /// with each refit (the research page reads it; none before the first).
    pub repair_table: Option<Vec<crate::repair::StrategyRow>>,
    /// Each therapist's outcome adjusted for intake severity, on every client's current episode, made with each
    /// refit for the therapist and their supervisor (none before the first; therapists named by user id).
    pub therapist_outcomes: Option<crate::research::Part<crate::research::TherapistEffects>>,
}

/// One client's PHQ-9 totals, for the ETR fit.
pub struct OutcomeSeries {
    pub client: String,
    pub therapist: String,
    /// The episode the scores come from. A higher id is more recent: when the fit is capped, it keeps the clients
    /// with the highest.
    pub episode: i64,
    /// (session number, score), in session order.
    pub scores: Vec<(u32, f64)>,
}

/// The default session-to-session alliance SD on the relationship check (6-30) until the practice has data:
/// one scale point per two items, a project default.
const DEFAULT_PRIOR_SIGMA: f64 = 1.5;

#[derive(Debug, thiserror::Error)]
pub enum PracticeError {
    #[error("the default alliance variability is invalid: {0}")]
    Prior(String),
}

/// The clients the ETR is fitted on: of those with three or more scores, the `max` with the most recent episodes
/// (highest episode id, then client), in that order. Also returns how many were eligible.
pub fn etr_clients(outcomes: &[OutcomeSeries], max: usize) -> (Vec<&OutcomeSeries>, usize) {
    let mut eligible: Vec<&OutcomeSeries> = outcomes.iter().filter(|o| o.scores.len() >= 3).collect();
    let count = eligible.len();
    if count > max {
        // Only the order of the first `max` matters: partition first, then sort those.
        eligible.select_nth_unstable_by(max, |a, b| recency(b, a));
        eligible.truncate(max);
    }
    eligible.sort_unstable_by(|a, b| recency(b, a));
    (eligible, count)
}

fn recency(a: &OutcomeSeries, b: &OutcomeSeries) -> std::cmp::Ordering {
    (a.episode, &a.client).cmp(&(b.episode, &b.client))
}

/// Fits the growth model on these clients: the first score of each is its intake (the predictor), the later ones
/// its outcome rows (docs/SCIENCE.md#practice-model). A score that is both would tie the intercept to the intake
/// and make the fit singular.
pub fn fit_practice(clients: &[&OutcomeSeries]) -> Result<FittedModel, String> {
    let rows = clients.iter().flat_map(|o| {
        let intake = o.scores.first().map_or(0.0, |s| s.1);
        o.scores.iter().skip(1).map(move |(session, score)| Observation {
            client: &o.client,
            therapist: &o.therapist,
            session: *session,
            intake,
            score: *score,
        })
    });
    let practice = Practice::from_observations(rows).map_err(|e| e.to_string())?;
    fit(&practice, &ModelSpec::GROWTH_REML, &FitOptions { threads: 1, ..FitOptions::default() })
        .map_err(|e| e.to_string())
}

/// Builds the practice model: the practice's own ETR when it has enough clients and the fit is sound, else the
/// default rule with the reason.
pub fn build(
    outcomes: &[OutcomeSeries],
    alliance: &[Vec<f64>],
    settings: SignalSettings,
) -> Result<PracticeModel, PracticeError> {
    let (fitted_on, eligible) = etr_clients(outcomes, settings.max_clients_for_practice_etr);
    let mut diagnostics = None;
    let own = if eligible >= settings.min_clients_for_practice_etr {
        match fit_practice(&fitted_on) {
            Ok(model) => {
                let d = FitDiagnostics::of(&model);
                let verdict = d.unusable();
                let observations = d.scores;
                diagnostics = Some(d);
                match verdict {
                    None => Ok((model, EtrSource::Practice { clients: fitted_on.len(), eligible, observations })),
                    Some(reason) => Err(reason),
                }
            }
            // The fitter's own message is for operators: in English inside the translated sentence.
            Err(e) => Err(Text::new("etr-reason-not-fitted").plain("error", e)),
        }
    } else {
        Err(Text::new("etr-reason-too-few")
            .number("eligible", eligible as f64)
            .number("needed", settings.min_clients_for_practice_etr as f64))
    };
    let (etr, etr_source) = match own {
        Ok((model, source)) => (Some(model), source),
        Err(reason) => (None, EtrSource::DefaultRule { reason }),
    };
    let estimated = PracticePrior::estimate(alliance.iter().map(Vec::as_slice));
    let prior_from_practice = estimated.is_some();
    let rupture_prior = estimated
        .or_else(|| PracticePrior::new(DEFAULT_PRIOR_SIGMA).ok())
        .ok_or_else(|| PracticeError::Prior("default alliance variability".into()))?;
    Ok(PracticeModel {
        etr,
        etr_source,
        diagnostics,
        fitted_at: None,
        rupture_prior,
        prior_from_practice,
        settings,
        dropout: DropoutWeights::default(),
        dropout_refit: None,
        repair_table: None,
        therapist_outcomes: None,
    })
}

/// The expected course for a client with this intake, with the yellow and red upper edges.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExpectedCourse {
    pub yellow: Vec<PredictedScore>,
    pub red: Vec<PredictedScore>,
}

/// Where a client's PHQ-9 stands: the colour of the latest score, the course for the chart (none under the
/// default rule) and the not-on-track signal, when there is one.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrackResult {
    pub track: Option<Track>,
    pub course: Option<ExpectedCourse>,
    pub signal: Option<Signal>,
}

impl PracticeModel {
    /// The expected course for this intake, when the practice has a usable fit.
    pub fn expected_course(&self, intake: f64, sessions: u32) -> Result<Option<ExpectedCourse>, PredictError> {
        let Some(model) = &self.etr else { return Ok(None) };
        Ok(Some(ExpectedCourse {
            yellow: model.expected_course(intake, sessions, self.settings.yellow_level)?,
            red: model.expected_course(intake, sessions, self.settings.red_level)?,
        }))
    }

    /// Where the expected course comes from, with the fit's diagnostics and when it was built, for the page that
    /// shows the model's source.
    pub fn describe_source(&self) -> String {
        self.source_text().english()
    }

    /// [`PracticeModel::describe_source`] as a message, for a page to write in its reader's language.
    pub fn source_text(&self) -> Text {
        let mut text = self.etr_source.describe();
        let mut then = |more: Text| {
            text = Text::new("signal-then").text("first", std::mem::take(&mut text)).text("second", more);
        };
        if let Some(d) = &self.diagnostics {
            then(d.describe());
        }
        if let Some(at) = self.fitted_at {
            let at = at.to_offset(time::UtcOffset::UTC);
            then(Text::new("etr-built").plain("at", format!("{} {:02}:{:02}", at.date(), at.hour(), at.minute())));
        }
        text
    }

    /// The not-on-track decision for one client's PHQ-9 `points` (session, total) in session order, the first
    /// being the intake; `latest_session` is the latest recorded session (the chart's horizon) and
    /// `in_clinical_range` whether the latest score is in the clinical range (docs/SCIENCE.md#not-on-track).
    ///
    /// With a practice fit: red (yellow) when the last `not_on_track_in_a_row` outcome scores all lie beyond the
    /// red (yellow) upper edge of the expected course for this intake. Without one, the default rule: red from
    /// session `DEFAULT_RULE_SESSION` on while the score has not fallen by `RELIABLE_IMPROVEMENT` points.
    pub fn track(&self, points: &[(u32, f64)], latest_session: Option<u32>, in_clinical_range: bool) -> TrackResult {
        let (Some(&(first_session, intake)), Some(&(session, latest))) = (points.first(), points.last()) else {
            return TrackResult::default();
        };
        let Some(model) = &self.etr else {
            return default_rule(first_session, intake, session, latest, in_clinical_range);
        };
        let horizon = latest_session.unwrap_or(session).max(session).max(12);
        let course = match (
            model.expected_course(intake, horizon, self.settings.yellow_level),
            model.expected_course(intake, horizon, self.settings.red_level),
        ) {
            (Ok(yellow), Ok(red)) => ExpectedCourse { yellow, red },
            _ => return TrackResult::default(),
        };
        let at = |band: &[PredictedScore], s: u32| band.iter().find(|p| p.session == s).copied();
        let (Some(yellow), Some(red)) = (at(&course.yellow, session), at(&course.red, session)) else {
            return TrackResult { course: Some(course), ..TrackResult::default() };
        };
        // 2 beyond the red edge, 1 beyond the yellow one, 0 within, for each outcome score after intake.
        let levels: Vec<u8> = points
            .iter()
            .skip(1)
            .filter_map(|&(s, v)| {
                let (y, r) = (at(&course.yellow, s)?, at(&course.red, s)?);
                Some(if v > r.upper { 2 } else { u8::from(v > y.upper) })
            })
            .collect();
        let k = self.settings.not_on_track_in_a_row;
        let run = |min: u8| levels.len() >= k && levels.iter().rev().take(k).all(|&l| l >= min);
        let beyond = if session <= first_session {
            Track::Green
        } else if run(2) {
            Track::Red
        } else if run(1) {
            Track::Yellow
        } else {
            Track::Green
        };
        let mut signal = None;
        if in_clinical_range && beyond != Track::Green {
            let boundary = if beyond == Track::Red { red.upper } else { yellow.upper };
            signal = not_on_track_signal(session, latest, yellow.expected, boundary, Direction::LowerIsBetter)
                .ok()
                .flatten()
                .map(|mut s| {
                    if beyond == Track::Red {
                        s.severity = Severity::Urgent;
                    }
                    if k > 1 {
                        s.then(alliance_i18n::Text::new("signal-not-on-track-in-a-row").number("k", k as f64));
                    }
                    s
                });
        }
        let track = if in_clinical_range { beyond } else { Track::White };
        TrackResult { track: Some(track), course: Some(course), signal }
    }
}

fn default_rule(first_session: u32, intake: f64, session: u32, latest: f64, in_clinical_range: bool) -> TrackResult {
    let boundary = intake - RELIABLE_IMPROVEMENT;
    let off = session > first_session && session >= DEFAULT_RULE_SESSION && latest > boundary;
    let signal = (in_clinical_range && off)
        .then(|| not_on_track_signal(session, latest, boundary, boundary, Direction::LowerIsBetter).ok().flatten())
        .flatten()
        .map(|mut s| {
            s.severity = Severity::Urgent;
            s.set_text(
                alliance_i18n::Text::new("signal-not-on-track-default")
                    .number("session", f64::from(session))
                    .number("latest", latest.round())
                    .number("intake", intake.round())
                    .number("fall", RELIABLE_IMPROVEMENT)
                    .number("by", f64::from(DEFAULT_RULE_SESSION)),
            );
            s
        });
    let track = if !in_clinical_range {
        Track::White
    } else if off {
        Track::Red
    } else {
        Track::Green
    };
    TrackResult { track: Some(track), course: None, signal }
}
