//! Calibration of the expected course's bands and of the not-on-track rule on generated practices
//! (docs/SCIENCE.md#not-on-track): each practice's clients are split in two by client (never by row); the
//! practice model is fitted on one half and judged on the other, then the halves swap. Pure: no clock, no IO.

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

use crate::catalog::{Catalog, PHQ9, RELATIONSHIP_CHECK, THERAPIST_REFLECTION};
use crate::overview::{Observation, Respondent, SessionInfo, Track, overview, signal_key};
use crate::practice::{OutcomeSeries, SignalSettings, build};
use crate::scoring::{Answers, score};
use crate::simulate::{PracticeParams, SimClient, practice};
use alliance_signals::signal::SignalKind;

/// What to generate and judge.
#[derive(Debug, Clone, PartialEq)]
pub struct CalibrationOptions {
    pub seed: u64,
    pub practices: usize,
    /// Clients per practice; each fit sees half of them.
    pub clients: usize,
    pub therapists: usize,
    pub settings: SignalSettings,
    /// The generator's other parameters (its seed, clients and therapists are set from the fields above).
    pub generator: PracticeParams,
}

impl CalibrationOptions {
    pub fn new(seed: u64, practices: usize) -> Self {
        // 200 clients a practice: each fit sees 100, above the 30 the practice model needs.
        CalibrationOptions {
            seed,
            practices,
            clients: 200,
            therapists: 10,
            settings: SignalSettings::default(),
            generator: PracticeParams::default(),
        }
    }
}

/// The figures `alliance analyze calibration` prints.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CalibrationReport {
    /// Session number (a JSON key, so text) to the share of held-out on-model scores at that session above the red edge.
    pub red_exceedance_by_session: BTreeMap<u32, f64>,
    /// The share the red edge should leave out: half of `1 - red_level`.
    pub red_nominal_exceedance: f64,
    /// Share of held-out on-model clients the rule ever turned red.
    pub ever_red_on_model: f64,
    /// Share of held-out on-model clients the rule ever turned yellow or red.
    pub ever_yellow_on_model: f64,
    /// Share of held-out planted not-on-track clients still in care at session 8 whom the rule turned red by then.
    pub not_on_track_sensitivity: f64,
    /// Distinct rupture signals the overview raised, session by session, per held-out client.
    pub rupture_signals_per_client: f64,
    /// Ruptures planted by the generator per held-out client.
    pub ruptures_planted_per_client: f64,
}

#[derive(Debug, thiserror::Error)]
pub enum CalibrationError {
    #[error("the instrument {0} is missing from the catalog")]
    Instrument(&'static str),
    #[error("a generated answer could not be scored: {0}")]
    Score(String),
    #[error("the practice model could not be built: {0}")]
    Practice(String),
    #[error("no held-out client could be judged")]
    Empty,
}

/// One generated client, scored.
struct Scored<'a> {
    client: &'a SimClient,
    /// PHQ-9 totals by session, the first being the intake.
    phq9: Vec<(u32, f64)>,
    alliance: Vec<f64>,
    observations: Vec<Observation>,
}

#[derive(Default)]
struct Tally {
    exceed: BTreeMap<u32, (usize, usize)>,
    on_model: usize,
    ever_red: usize,
    ever_yellow: usize,
    planted: usize,
    caught: usize,
    clients: usize,
    rupture_signals: usize,
    ruptures_planted: usize,
}

/// Generates `options.practices` practices and measures the bands and the rule on held-out clients.
pub fn calibrate(catalog: &Catalog, options: &CalibrationOptions) -> Result<CalibrationReport, CalibrationError> {
    let mut tally = Tally::default();
    for index in 0..options.practices {
        let params = PracticeParams {
            seed: options.seed.wrapping_mul(1_000_003).wrapping_add(index as u64),
            therapists: options.therapists,
            clients: options.clients,
            ..options.generator.clone()
        };
        let generated = practice(&params);
        let scored = generated.clients.iter().map(|c| scored(catalog, c)).collect::<Result<Vec<_>, _>>()?;
        for fold in 0..2 {
            let train: Vec<&Scored> = scored.iter().enumerate().filter(|(i, _)| i % 2 != fold).map(|p| p.1).collect();
            let outcomes: Vec<OutcomeSeries> = train
                .iter()
                .map(|s| OutcomeSeries {
                    client: s.client.pseudonym.clone() + &format!(" {index}"),
                    therapist: s.client.therapist.to_string(),
                    episode: 0,
                    scores: s.phq9.clone(),
                })
                .collect();
            let alliance: Vec<Vec<f64>> = train.iter().map(|s| s.alliance.clone()).filter(|a| !a.is_empty()).collect();
            let model =
                build(&outcomes, &alliance, options.settings).map_err(|e| CalibrationError::Practice(e.to_string()))?;
            let held_out = scored.iter().enumerate().filter(|(i, _)| i % 2 == fold).map(|p| p.1);
            for s in held_out {
                judge(catalog, &model, s, &mut tally)?;
            }
        }
    }
    if tally.clients == 0 || tally.on_model == 0 {
        return Err(CalibrationError::Empty);
    }
    let share = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    Ok(CalibrationReport {
        red_exceedance_by_session: tally
            .exceed
            .iter()
            .map(|(&session, &(beyond, all))| (session, share(beyond, all)))
            .collect(),
        red_nominal_exceedance: (1.0 - options.settings.red_level) / 2.0,
        ever_red_on_model: share(tally.ever_red, tally.on_model),
        ever_yellow_on_model: share(tally.ever_yellow, tally.on_model),
        not_on_track_sensitivity: share(tally.caught, tally.planted),
        rupture_signals_per_client: share(tally.rupture_signals, tally.clients),
        ruptures_planted_per_client: share(tally.ruptures_planted, tally.clients),
    })
}

fn scored<'a>(catalog: &Catalog, client: &'a SimClient) -> Result<Scored<'a>, CalibrationError> {
    let mut phq9 = Vec::new();
    let mut alliance = Vec::new();
    let mut observations = Vec::new();
    for s in &client.sessions {
        let mut add = |id: &'static str, who: Respondent, answers: &Answers| -> Result<(), CalibrationError> {
            let instrument = catalog.get(id).ok_or(CalibrationError::Instrument(id))?;
            let set = score(instrument, answers).map_err(|e| CalibrationError::Score(e.to_string()))?;
            for scale in &set.scales {
                observations.push(Observation {
                    session: s.number,
                    instrument: id.to_owned(),
                    respondent: who,
                    scale: scale.scale.clone(),
                    value: scale.value,
                    concern: scale.concern,
                    flags: set.flags.clone(),
                });
            }
            if id == PHQ9 {
                phq9.extend(set.value("total").map(|v| (s.number, v)));
            } else if id == RELATIONSHIP_CHECK {
                alliance.extend(set.value("alliance"));
            }
            Ok(())
        };
        add(PHQ9, Respondent::Client, &s.phq9)?;
        if let Some(check) = &s.check {
            add(RELATIONSHIP_CHECK, Respondent::Client, check)?;
        }
        add(THERAPIST_REFLECTION, Respondent::Therapist, &s.reflection)?;
    }
    Ok(Scored { client, phq9, alliance, observations })
}

fn judge(
    catalog: &Catalog,
    model: &crate::practice::PracticeModel,
    s: &Scored,
    tally: &mut Tally,
) -> Result<(), CalibrationError> {
    let scale = catalog.get(PHQ9).and_then(|i| i.primary()).ok_or(CalibrationError::Instrument(PHQ9))?;
    let in_range = |v: f64| scale.in_concern_range(v).unwrap_or(false);
    tally.clients += 1;
    // Ruptures: every rupture signal the overview shows at some session, counted once (by its key).
    let mut keys = HashSet::new();
    let last = s.client.sessions.last().map_or(0, |x| x.number);
    for now in 1..=last {
        let obs: Vec<Observation> = s.observations.iter().filter(|o| o.session <= now).cloned().collect();
        let sessions: Vec<SessionInfo> =
            (1..=now).map(|number| SessionInfo { number, attended: true, check_pending: false }).collect();
        let o = overview(catalog, model, &obs, &sessions);
        keys.extend(o.signals.iter().filter(|x| x.kind == SignalKind::Rupture).map(|x| signal_key(0, x)));
    }
    tally.rupture_signals += keys.len();
    tally.ruptures_planted += s.client.sessions.iter().filter(|x| x.rupture_planted).count();

    // Bands and rule: only while the practice's own course is in force.
    let Some(&(_, intake)) = s.phq9.first() else { return Ok(()) };
    let Ok(Some(course)) = model.expected_course(intake, last.max(12)) else { return Ok(()) };
    let (mut red, mut yellow, mut red_by_8) = (false, false, false);
    for k in 1..s.phq9.len() {
        let (session, value) = s.phq9[k];
        let t = model.track(&s.phq9[..=k], Some(session), in_range(value)).track;
        red |= t == Some(Track::Red);
        yellow |= matches!(t, Some(Track::Red | Track::Yellow));
        red_by_8 |= session <= 8 && t == Some(Track::Red);
    }
    if s.client.not_on_track {
        if s.phq9.last().is_some_and(|p| p.0 >= 8) {
            tally.planted += 1;
            tally.caught += usize::from(red_by_8);
        }
        return Ok(());
    }
    tally.on_model += 1;
    tally.ever_red += usize::from(red);
    tally.ever_yellow += usize::from(yellow);
    for &(session, value) in s.phq9.iter().skip(1).filter(|p| (2..=12).contains(&p.0)) {
        if let Some(edge) = course.red.iter().find(|p| p.session == session) {
            let cell = tally.exceed.entry(session).or_default();
            cell.0 += usize::from(value > edge.upper);
            cell.1 += 1;
        }
    }
    Ok(())
}
