//! What a therapist needs to see first about each client: the latest outcome and alliance, their trend, and
//! the reasons a client may need attention now. Caseloads are sorted by these reasons, most urgent first.

use serde::Serialize;

use crate::catalog::{Catalog, RELATIONSHIP_CHECK, THERAPIST_REFLECTION};
use crate::instrument::Direction;
use crate::scoring::ResponseFlags;

/// Who answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Respondent {
    Client,
    Therapist,
}

/// One scale score of one session, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    pub session: u32,
    pub instrument: String,
    pub respondent: Respondent,
    pub scale: String,
    pub value: Option<f64>,
    pub concern: Option<bool>,
    pub flags: ResponseFlags,
}

/// Change from the first to the latest score, judged by the scale's reliable-change threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Change {
    Recovered,
    Improved,
    Unchanged,
    Deteriorated,
    /// Fewer than two scores, or no threshold for this scale.
    Unknown,
}

impl Change {
    pub fn label(self) -> &'static str {
        match self {
            Change::Recovered => "recovered",
            Change::Improved => "reliably improved",
            Change::Unchanged => "no reliable change",
            Change::Deteriorated => "reliably deteriorated",
            Change::Unknown => "too early to tell",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutcomeSummary {
    pub instrument: String,
    pub first: f64,
    pub latest: f64,
    pub latest_session: u32,
    pub in_clinical_range: bool,
    pub change: Change,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AllianceSummary {
    pub latest: f64,
    pub latest_session: u32,
    /// Latest minus the mean of up to three earlier scores.
    pub trend: Option<f64>,
    pub below_cutoff: bool,
    pub therapist_latest: Option<f64>,
}

/// Why a client is near the top of the list. Ordered from most to least urgent.
#[derive(Debug, Clone, PartialEq, Serialize, PartialOrd)]
pub enum Attention {
    /// PHQ-9 item 9 (or another critical item) answered above zero in the latest questionnaire.
    Risk {
        session: u32,
    },
    /// The client reported a moment that felt off and it was not talked through.
    RuptureNotTalkedThrough {
        session: u32,
    },
    /// Outcome reliably worse than at the start.
    Deteriorated {
        from: f64,
        to: f64,
    },
    /// Alliance fell by at least the given number of points against the client's recent average.
    AllianceDrop {
        by: f64,
    },
    AllianceBelowCutoff {
        score: f64,
    },
    /// The client reported a moment that felt off and it was talked through (worth a follow-up).
    RuptureTalkedThrough {
        session: u32,
    },
    /// The therapist rated the alliance well above the client.
    Discrepancy {
        therapist: f64,
        client: f64,
    },
    /// Sessions in a row without a relationship check.
    MissedChecks {
        sessions: u32,
    },
}

impl Attention {
    /// Lower is more urgent.
    pub fn rank(&self) -> u8 {
        match self {
            Attention::Risk { .. } => 0,
            Attention::RuptureNotTalkedThrough { .. } => 1,
            Attention::Deteriorated { .. } => 2,
            Attention::AllianceDrop { .. } => 3,
            Attention::AllianceBelowCutoff { .. } => 4,
            Attention::RuptureTalkedThrough { .. } => 5,
            Attention::Discrepancy { .. } => 6,
            Attention::MissedChecks { .. } => 7,
        }
    }

    pub fn is_urgent(&self) -> bool {
        self.rank() <= 2
    }

    /// A plain sentence for the caseload list.
    pub fn explain(&self) -> String {
        match self {
            Attention::Risk { session } => {
                format!(
                    "Risk: thoughts of being better off dead or of self-harm reported (session {session}). Check safety now."
                )
            }
            Attention::RuptureNotTalkedThrough { session } => {
                format!("A moment felt off for the client in session {session} and was not talked through.")
            }
            Attention::Deteriorated { from, to } => format!("Outcome reliably worse: {from} at the start, {to} now."),
            Attention::AllianceDrop { by } => format!("Alliance {by:.0} points below the client's recent average."),
            Attention::AllianceBelowCutoff { score } => format!("Alliance {score:.0} is below the concern threshold."),
            Attention::RuptureTalkedThrough { session } => {
                format!("A moment felt off in session {session}; it was talked through. Worth checking in.")
            }
            Attention::Discrepancy { therapist, client } => {
                format!("You rated the alliance {therapist:.0}, the client {client:.0}.")
            }
            Attention::MissedChecks { sessions } => {
                format!("No check from the client in the last {sessions} sessions.")
            }
        }
    }
}

/// Thresholds that are project defaults until the practice configures its own.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AttentionSettings {
    pub alliance_drop: f64,
    pub discrepancy: f64,
    pub missed_checks: u32,
}

impl Default for AttentionSettings {
    fn default() -> Self {
        // Not validated: 3 points is half an answer step on each of the six alliance items.
        Self { alliance_drop: 3.0, discrepancy: 4.0, missed_checks: 2 }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClientOverview {
    pub outcome: Option<OutcomeSummary>,
    pub alliance: Option<AllianceSummary>,
    pub attention: Vec<Attention>,
    pub last_session: Option<u32>,
}

impl ClientOverview {
    /// Sort key: the most urgent reason first, then clients with more reasons.
    pub fn priority(&self) -> (u8, usize) {
        let top = self.attention.iter().map(Attention::rank).min().unwrap_or(u8::MAX);
        (top, usize::MAX - self.attention.len())
    }
}

/// Summarises one client's observations (any order). `sessions_held` is the number of the latest session.
pub fn overview(
    catalog: &Catalog,
    observations: &[Observation],
    sessions_held: Option<u32>,
    settings: &AttentionSettings,
) -> ClientOverview {
    let mut obs: Vec<&Observation> = observations.iter().collect();
    obs.sort_by_key(|o| o.session);
    let mut attention = Vec::new();

    let outcome = outcome_summary(catalog, &obs);
    if let Some(o) = &outcome
        && o.change == Change::Deteriorated
    {
        attention.push(Attention::Deteriorated { from: o.first, to: o.latest });
    }
    // Risk: any critical item in the latest outcome questionnaire of each instrument.
    let latest_risk =
        obs.iter().filter(|o| o.respondent == Respondent::Client && !o.flags.risks.is_empty()).map(|o| o.session).max();
    let latest_outcome_session = obs
        .iter()
        .filter(|o| o.respondent == Respondent::Client && o.instrument != RELATIONSHIP_CHECK)
        .map(|o| o.session)
        .max();
    if let Some(session) = latest_risk
        && Some(session) == latest_outcome_session
    {
        attention.insert(0, Attention::Risk { session });
    }

    let client_alliance: Vec<(u32, f64, &ResponseFlags)> =
        series(&obs, RELATIONSHIP_CHECK, Respondent::Client, "alliance");
    let therapist_alliance = series(&obs, THERAPIST_REFLECTION, Respondent::Therapist, "alliance");
    let alliance = client_alliance.last().map(|&(session, latest, flags)| {
        let earlier: Vec<f64> = client_alliance.iter().rev().skip(1).take(3).map(|p| p.1).collect();
        let trend = (!earlier.is_empty()).then(|| latest - earlier.iter().sum::<f64>() / earlier.len() as f64);
        let below_cutoff = catalog
            .get(RELATIONSHIP_CHECK)
            .and_then(|i| i.scale("alliance"))
            .and_then(|s| s.in_concern_range(latest))
            .unwrap_or(false);
        if flags.has("rupture-reported") {
            attention.push(if flags.has("talked-through") {
                Attention::RuptureTalkedThrough { session }
            } else {
                Attention::RuptureNotTalkedThrough { session }
            });
        }
        if let Some(t) = trend
            && t <= -settings.alliance_drop
        {
            attention.push(Attention::AllianceDrop { by: -t });
        }
        if below_cutoff {
            attention.push(Attention::AllianceBelowCutoff { score: latest });
        }
        let therapist_latest = therapist_alliance.iter().find(|p| p.0 == session).map(|p| p.1);
        if let Some(t) = therapist_latest
            && t - latest >= settings.discrepancy
        {
            attention.push(Attention::Discrepancy { therapist: t, client: latest });
        }
        AllianceSummary { latest, latest_session: session, trend, below_cutoff, therapist_latest }
    });
    if let Some(held) = sessions_held {
        let last_check = client_alliance.last().map_or(0, |p| p.0);
        let missed = held.saturating_sub(last_check);
        if missed >= settings.missed_checks {
            attention.push(Attention::MissedChecks { sessions: missed });
        }
    }
    attention.sort_by_key(Attention::rank);
    ClientOverview { outcome, alliance, attention, last_session: sessions_held }
}

fn series<'a>(
    obs: &[&'a Observation],
    instrument: &str,
    who: Respondent,
    scale: &str,
) -> Vec<(u32, f64, &'a ResponseFlags)> {
    obs.iter()
        .filter(|o| o.instrument == instrument && o.respondent == who && o.scale == scale)
        .filter_map(|o| o.value.map(|v| (o.session, v, &o.flags)))
        .collect()
}

/// The first outcome measure with data, in catalog order of preference (PHQ-9 before GAD-7).
fn outcome_summary(catalog: &Catalog, obs: &[&Observation]) -> Option<OutcomeSummary> {
    [crate::catalog::PHQ9, crate::catalog::GAD7].into_iter().find_map(|id| {
        let instrument = catalog.get(id)?;
        let scale = instrument.primary()?;
        let points = series(obs, id, Respondent::Client, &scale.id);
        let (first, last) = (points.first()?, points.last()?);
        let (first_value, latest) = (first.1, last.1);
        let change = match &scale.reliable_change {
            Some(rc) if points.len() >= 2 => {
                let better = match scale.direction {
                    Direction::HigherIsWorse => first_value - latest,
                    Direction::HigherIsBetter => latest - first_value,
                };
                if better >= rc.value {
                    let was_clinical = scale.in_concern_range(first_value).unwrap_or(false);
                    let is_clinical = scale.in_concern_range(latest).unwrap_or(false);
                    if was_clinical && !is_clinical { Change::Recovered } else { Change::Improved }
                } else if -better >= rc.value {
                    Change::Deteriorated
                } else {
                    Change::Unchanged
                }
            }
            _ => Change::Unknown,
        };
        Some(OutcomeSummary {
            instrument: id.to_owned(),
            first: first_value,
            latest,
            latest_session: last.0,
            in_clinical_range: scale.in_concern_range(latest).unwrap_or(false),
            change,
        })
    })
}
