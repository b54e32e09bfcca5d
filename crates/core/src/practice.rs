//! What the whole practice teaches about each client: the expected treatment response (ETR) fitted on the
//! practice's own outcome data, and the practice's typical session-to-session alliance variability that
//! rupture detection shrinks each client's own towards. Built by a batch job, used by every page.

use alliance_lmm::{
    FitOptions, FittedModel, ModelSpec, Observation, Practice, PredictError, PredictedScore, fit, read_practice_csv,
};
use alliance_signals::variability::PracticePrior;
use serde::Serialize;

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

/// Where the expected course comes from, shown in the interface.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum EtrSource {
    /// Fitted on this practice's PHQ-9 data: `clients` of the `eligible` clients with three or more scores (the
    /// most recent ones, when there are more than `SignalSettings::max_clients_for_practice_etr`), with their
    /// `observations` scores.
    Practice { clients: usize, eligible: usize, observations: usize },
    /// The default reference model: lme4-checked fit of Alliance's synthetic reference practice (400 clients),
    /// used until the practice has enough data of its own. Not a clinical norm.
    Reference { reason: String },
}

impl EtrSource {
    pub fn describe(&self) -> String {
        match self {
            EtrSource::Practice { clients, eligible, observations } if clients < eligible => format!(
                "Expected course fitted on this practice's PHQ-9 data: the {clients} most recent of {eligible} \
                 clients with three or more scores ({observations} scores)."
            ),
            EtrSource::Practice { clients, observations, .. } => {
                format!(
                    "Expected course fitted on this practice's PHQ-9 data ({clients} clients, {observations} scores)."
                )
            }
            EtrSource::Reference { reason } => format!(
                "Expected course from Alliance's default reference model (synthetic data shaped like published courses; not a clinical norm), because {reason}."
            ),
        }
    }
}

pub struct PracticeModel {
    pub etr: FittedModel,
    pub etr_source: EtrSource,
    pub rupture_prior: PracticePrior,
    /// True when the prior came from the practice's data rather than the default.
    pub prior_from_practice: bool,
    pub settings: SignalSettings,
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

const REFERENCE: &str = include_str!("../data/etr-reference.csv");

/// The default session-to-session alliance SD on the relationship check (6-30) until the practice has data:
/// one scale point per two items, a project default.
const DEFAULT_PRIOR_SIGMA: f64 = 1.5;

#[derive(Debug, thiserror::Error)]
pub enum PracticeError {
    #[error("the reference model could not be fitted: {0}")]
    Reference(String),
}

fn reference_model() -> Result<FittedModel, PracticeError> {
    let practice = read_practice_csv(REFERENCE.as_bytes()).map_err(|e| PracticeError::Reference(e.to_string()))?;
    fit(&practice, &ModelSpec::GROWTH_REML, &FitOptions { threads: 1, ..FitOptions::default() })
        .map_err(|e| PracticeError::Reference(e.to_string()))
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

/// Builds the practice model: the practice's own ETR when it has enough data, else the reference model.
pub fn build(
    outcomes: &[OutcomeSeries],
    alliance: &[Vec<f64>],
    settings: SignalSettings,
) -> Result<PracticeModel, PracticeError> {
    let (fitted_on, eligible) = etr_clients(outcomes, settings.max_clients_for_practice_etr);
    let own = if eligible >= settings.min_clients_for_practice_etr {
        let rows = fitted_on.iter().flat_map(|o| {
            let intake = o.scores.first().map_or(0.0, |s| s.1);
            o.scores.iter().map(move |(session, score)| Observation {
                client: &o.client,
                therapist: &o.therapist,
                session: *session,
                intake,
                score: *score,
            })
        });
        match Practice::from_observations(rows).map_err(|e| e.to_string()).and_then(|p| {
            let n = p.n_obs();
            fit(&p, &ModelSpec::GROWTH_REML, &FitOptions { threads: 1, ..FitOptions::default() })
                .map(|m| (m, n))
                .map_err(|e| e.to_string())
        }) {
            Ok((model, observations)) if model.result.converged => {
                Ok((model, EtrSource::Practice { clients: fitted_on.len(), eligible, observations }))
            }
            Ok(_) => Err("the fit on the practice's data did not converge".to_owned()),
            Err(e) => Err(format!("the practice's data could not be fitted ({e})")),
        }
    } else {
        Err(format!(
            "the practice has {} clients with three or more PHQ-9 scores and needs {}",
            eligible, settings.min_clients_for_practice_etr
        ))
    };
    let (etr, etr_source) = match own {
        Ok(pair) => pair,
        Err(reason) => (reference_model()?, EtrSource::Reference { reason }),
    };
    let estimated = PracticePrior::estimate(alliance.iter().map(Vec::as_slice));
    let prior_from_practice = estimated.is_some();
    let rupture_prior = estimated
        .or_else(|| PracticePrior::new(DEFAULT_PRIOR_SIGMA).ok())
        .ok_or_else(|| PracticeError::Reference("default alliance variability".into()))?;
    Ok(PracticeModel { etr, etr_source, rupture_prior, prior_from_practice, settings })
}

/// The expected course for a client with this intake, with the yellow and red upper edges.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExpectedCourse {
    pub yellow: Vec<PredictedScore>,
    pub red: Vec<PredictedScore>,
}

impl PracticeModel {
    pub fn expected_course(&self, intake: f64, sessions: u32) -> Result<ExpectedCourse, PredictError> {
        Ok(ExpectedCourse {
            yellow: self.etr.expected_course(intake, sessions, self.settings.yellow_level)?,
            red: self.etr.expected_course(intake, sessions, self.settings.red_level)?,
        })
    }
}
