//! The real-time state machine behind [`super::detect_ruptures`]: sessions go in one at a time,
//! and nothing decided at an earlier session is revisited.

use serde::{Deserialize, Serialize};

use super::{RepairStatus, RepairedBy, Rupture, RuptureConfig, RuptureReport, RuptureRule, SeriesError};
use crate::change::Direction;
use crate::sudden::{SuddenKind, check_interval};
use crate::variability::ClientVariability;

/// What changed at a session.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum RuptureEvent {
    Detected {
        onset_session: u32,
    },
    RuleAdded {
        onset_session: u32,
        rule: RuptureRule,
    },
    Repaired {
        onset_session: u32,
        session: u32,
        by: RepairedBy,
    },
    /// The repair window passed: the rupture escalates.
    Unrepaired {
        onset_session: u32,
        decided_at_session: u32,
    },
}

/// Feeds one client's sessions through the rupture rules.
#[derive(Debug, Clone)]
pub struct RuptureTracker {
    config: RuptureConfig,
    /// Scored sessions and their scores, oldest first.
    sessions: Vec<u32>,
    values: Vec<f64>,
    variability: ClientVariability,
    last_session: Option<u32>,
    ruptures: Vec<Rupture>,
    open: Option<usize>,
    /// The last scored session belonged to no rupture (so a two-session dip may start there).
    last_scored_free: bool,
}

impl RuptureTracker {
    pub fn new(config: RuptureConfig) -> Self {
        RuptureTracker {
            config,
            sessions: Vec::new(),
            values: Vec::new(),
            variability: ClientVariability::default(),
            last_session: None,
            ruptures: Vec::new(),
            open: None,
            last_scored_free: false,
        }
    }

    /// Ruptures so far, by onset session.
    pub fn ruptures(&self) -> &[Rupture] {
        &self.ruptures
    }

    pub fn into_ruptures(self) -> Vec<Rupture> {
        self.ruptures
    }

    /// The client's current session-to-session sigma (what the next dip test will use).
    pub fn sigma(&self) -> f64 {
        self.variability.sigma(&self.config.shrinkage)
    }

    /// Add a session: its alliance score (if measured) and any rupture reports.
    pub fn push(
        &mut self,
        session: u32,
        score: Option<f64>,
        reports: &[RuptureReport],
    ) -> Result<Vec<RuptureEvent>, SeriesError> {
        if let Some(previous) = self.last_session
            && session <= previous
        {
            return Err(SeriesError::NotIncreasing { session, previous });
        }
        if let Some(score) = score
            && !score.is_finite()
        {
            return Err(SeriesError::NonFinite { session, score });
        }
        self.last_session = Some(session);
        let mut events = Vec::new();

        let enough_history = self.values.len() >= self.config.min_prior_sessions.max(1);
        let dip = match score {
            Some(s) if enough_history => self.config.dip.check(&self.values, s, self.sigma()),
            _ => None,
        };
        let is_dip = dip.is_some_and(|d| d.is_dip);
        let below_cutoff = match (score, self.config.cutoff) {
            (Some(s), Some(cutoff)) => s < cutoff && self.values.last().is_none_or(|&p| p >= cutoff),
            _ => false,
        };

        let continued = self.continue_open(session, score, reports, &mut events);
        let confirmed = continued == Continued::No && score.is_some_and(|s| self.confirms_previous_dip(s));
        // Jumps into and out of a rupture are not the client's ordinary variability.
        let exclude_difference = is_dip || confirmed || continued == Continued::RepairedByScore;
        let free = continued == Continued::No && !confirmed;
        if confirmed && let Some(s) = score {
            self.open_confirmed_rupture(session, s, &mut events);
        }
        if free {
            let mut rules = Vec::new();
            if is_dip {
                rules.push(RuptureRule::Dip);
            }
            if below_cutoff {
                rules.push(RuptureRule::BelowCutoff);
            }
            if !reports.is_empty() {
                rules.push(RuptureRule::Reported);
            }
            if !rules.is_empty() {
                let reference = dip
                    .map(|d| d.reference)
                    .or(self.config.cutoff.filter(|_| below_cutoff))
                    .or(self.values.last().copied());
                self.open_rupture(session, score, reference, rules, reports, &mut events);
            }
        }

        if let Some(s) = score {
            if let Some(&previous) = self.values.last()
                && !exclude_difference
            {
                self.variability.add_difference(s - previous);
            }
            self.values.push(s);
            self.sessions.push(session);
            self.check_sudden_loss(session, &mut events);
        }
        // Free: nothing happened to any rupture at this session. A session without a score that
        // touched a rupture makes the last score unfit to start a two-session dip.
        if score.is_some() {
            self.last_scored_free = free && events.is_empty();
        } else if !events.is_empty() {
            self.last_scored_free = false;
        }
        Ok(events)
    }

    /// Two-session dip: the last score and `score` both fall more than `confirmed_dip_k * sigma`
    /// below the level before the last score, and the last score belonged to no rupture.
    fn confirms_previous_dip(&self, score: f64) -> bool {
        let Some(k) = self.config.confirmed_dip_k else {
            return false;
        };
        let n = self.values.len();
        if !self.last_scored_free || n < self.config.min_prior_sessions.max(1) + 1 {
            return false;
        }
        let (history, previous) = (&self.values[..n - 1], self.values[n - 1]);
        let sigma = self.sigma();
        let Some(first) = self.config.dip.check(history, previous, sigma) else {
            return false;
        };
        let threshold = first.reference - k * sigma;
        previous < threshold && score < threshold
    }

    /// The rupture a two-session dip found: onset at the last scored session, still open now.
    fn open_confirmed_rupture(&mut self, session: u32, score: f64, events: &mut Vec<RuptureEvent>) {
        let n = self.values.len();
        let (onset_session, first) = (self.sessions[n - 1], self.values[n - 1]);
        let reference = self.config.dip.check(&self.values[..n - 1], first, 0.0).map(|d| d.reference);
        let rupture = Rupture {
            onset_session,
            detected_at_session: session,
            rules: vec![RuptureRule::Dip],
            kind: None,
            reference,
            lowest: Some(first.min(score)),
            length: 2,
            repair: RepairStatus::Open,
            accounts: Vec::new(),
        };
        events.push(RuptureEvent::Detected { onset_session });
        let position = self.insert_sorted(rupture);
        if session >= onset_session.saturating_add(self.config.repair_window) {
            if let Some(r) = self.ruptures.get_mut(position) {
                r.repair = RepairStatus::Unrepaired { decided_at_session: session };
            }
            events.push(RuptureEvent::Unrepaired { onset_session, decided_at_session: session });
        } else {
            self.open = Some(position);
        }
    }

    /// The score a repair must reach: the pre-rupture level less the repair margin.
    fn repair_level(&self, reference: f64) -> f64 {
        reference - self.config.repair_margin.max(0.0) * self.sigma()
    }

    /// Apply this session to the open rupture, if any.
    fn continue_open(
        &mut self,
        session: u32,
        score: Option<f64>,
        reports: &[RuptureReport],
        events: &mut Vec<RuptureEvent>,
    ) -> Continued {
        let Some(index) = self.open else {
            return Continued::No;
        };
        let window = self.config.repair_window;
        let repair_level = self.ruptures.get(index).and_then(|r| r.reference).map(|r| self.repair_level(r));
        let Some(rupture) = self.ruptures.get_mut(index) else {
            self.open = None;
            return Continued::No;
        };
        let onset_session = rupture.onset_session;
        let window_end = onset_session.saturating_add(window);
        for report in reports {
            if !rupture.rules.contains(&RuptureRule::Reported) {
                events.push(RuptureEvent::RuleAdded { onset_session, rule: RuptureRule::Reported });
            }
            rupture.add_rule(RuptureRule::Reported);
            rupture.kind = rupture.kind.or(report.kind);
            rupture.accounts.push(*report);
        }
        // The score's return counts for any rupture, reported ones included (docs/SCIENCE.md#repair).
        let returned = score.zip(repair_level).is_some_and(|(s, level)| s >= level);
        let outcome = if let Some(by) = repaired_by_account(reports) {
            Some((by, Continued::Yes))
        } else if returned {
            Some((RepairedBy::ScoreReturned, Continued::RepairedByScore))
        } else {
            None
        };
        if let Some((by, continued)) = outcome {
            rupture.repair = RepairStatus::Repaired { session, by };
            events.push(RuptureEvent::Repaired { onset_session, session, by });
            self.open = None;
            return continued;
        }
        rupture.length += 1;
        if let Some(s) = score {
            rupture.lowest = Some(rupture.lowest.map_or(s, |low| low.min(s)));
        }
        // Unrepaired is decided on a score read at or after the end of the window: while the checks are
        // missing, whether the rupture was repaired is not known, and it stays open.
        if session >= window_end && score.is_some() {
            rupture.repair = RepairStatus::Unrepaired { decided_at_session: session };
            events.push(RuptureEvent::Unrepaired { onset_session, decided_at_session: session });
            self.open = None;
        }
        Continued::Yes
    }

    fn open_rupture(
        &mut self,
        session: u32,
        score: Option<f64>,
        reference: Option<f64>,
        rules: Vec<RuptureRule>,
        reports: &[RuptureReport],
        events: &mut Vec<RuptureEvent>,
    ) {
        let mut rupture = Rupture {
            onset_session: session,
            detected_at_session: session,
            rules,
            kind: reports.iter().find_map(|r| r.kind),
            reference,
            lowest: score,
            length: 1,
            repair: RepairStatus::Open,
            accounts: reports.to_vec(),
        };
        events.push(RuptureEvent::Detected { onset_session: session });
        if let Some(by) = repaired_by_account(reports) {
            rupture.repair = RepairStatus::Repaired { session, by };
            events.push(RuptureEvent::Repaired { onset_session: session, session, by });
        } else if self.config.repair_window == 0 {
            rupture.repair = RepairStatus::Unrepaired { decided_at_session: session };
            events.push(RuptureEvent::Unrepaired { onset_session: session, decided_at_session: session });
        }
        let open = rupture.repair == RepairStatus::Open;
        let position = self.insert_sorted(rupture);
        if open {
            self.open = Some(position);
        }
    }

    fn insert_sorted(&mut self, rupture: Rupture) -> usize {
        let position = self.ruptures.partition_point(|r| r.onset_session <= rupture.onset_session);
        self.ruptures.insert(position, rupture);
        if let Some(open) = self.open
            && open >= position
        {
            self.open = Some(open + 1);
        }
        position
    }

    /// Tang-DeRubeis needs three scores from the onset on, so the loss whose onset is two
    /// scored sessions back is decided now.
    fn check_sudden_loss(&mut self, session: u32, events: &mut Vec<RuptureEvent>) {
        let Some(criteria) = self.config.sudden_loss else {
            return;
        };
        let n = self.values.len();
        if n < 5 {
            return; // onset index n-3 needs two scores before it
        }
        let onset = n - 3;
        let as_options = |slice: &[f64]| slice.iter().map(|&v| Some(v)).collect::<Vec<_>>();
        let pre = as_options(&self.values[onset.saturating_sub(3)..onset]);
        let post = as_options(&self.values[onset..]);
        let is_loss = check_interval(&pre, &post, &criteria, Direction::HigherIsBetter, SuddenKind::Loss)
            .is_some_and(|c| c.is_sudden());
        if !is_loss {
            return;
        }
        let onset_session = self.sessions[onset];
        let neighbourhood = (self.sessions[onset - 1], self.sessions[onset + 1]);
        let covering = self.ruptures.iter().position(|r| {
            let near = (neighbourhood.0..=neighbourhood.1).contains(&r.onset_session);
            let spans = r.onset_session <= onset_session
                && match r.repair {
                    RepairStatus::Open => true,
                    RepairStatus::Repaired { session, .. } => session > onset_session,
                    RepairStatus::Unrepaired { decided_at_session } => decided_at_session >= onset_session,
                };
            near || spans
        });
        match covering.or(self.open) {
            Some(index) => {
                if let Some(rupture) = self.ruptures.get_mut(index)
                    && !rupture.rules.contains(&RuptureRule::SuddenLoss)
                {
                    rupture.add_rule(RuptureRule::SuddenLoss);
                    events.push(RuptureEvent::RuleAdded {
                        onset_session: rupture.onset_session,
                        rule: RuptureRule::SuddenLoss,
                    });
                }
            }
            None => self.open_late_rupture(onset, session, events),
        }
    }

    /// A rupture found after the fact (sudden loss): replay its repair window up to now.
    fn open_late_rupture(&mut self, onset: usize, session: u32, events: &mut Vec<RuptureEvent>) {
        let onset_session = self.sessions[onset];
        let reference = self.config.dip.check(&self.values[..onset], self.values[onset], 0.0).map(|d| d.reference);
        let repair_level = reference.map(|r| self.repair_level(r));
        let mut rupture = Rupture {
            onset_session,
            detected_at_session: session,
            rules: vec![RuptureRule::SuddenLoss],
            kind: None,
            reference,
            lowest: Some(self.values[onset]),
            length: 1,
            repair: RepairStatus::Open,
            accounts: Vec::new(),
        };
        events.push(RuptureEvent::Detected { onset_session });
        let window_end = onset_session.saturating_add(self.config.repair_window);
        for j in onset + 1..self.values.len() {
            let (later_session, value) = (self.sessions[j], self.values[j]);
            if repair_level.is_some_and(|r| value >= r) {
                rupture.repair = RepairStatus::Repaired { session: later_session, by: RepairedBy::ScoreReturned };
                break;
            }
            rupture.length += 1;
            rupture.lowest = Some(rupture.lowest.map_or(value, |low| low.min(value)));
            if later_session >= window_end {
                rupture.repair = RepairStatus::Unrepaired { decided_at_session: later_session };
                break;
            }
        }
        match rupture.repair {
            RepairStatus::Repaired { session, by } => {
                events.push(RuptureEvent::Repaired { onset_session, session, by })
            }
            RepairStatus::Unrepaired { decided_at_session } => {
                events.push(RuptureEvent::Unrepaired { onset_session, decided_at_session })
            }
            RepairStatus::Open => {}
        }
        let open = rupture.repair == RepairStatus::Open;
        let position = self.insert_sorted(rupture);
        if open && self.open.is_none() {
            self.open = Some(position);
        }
    }
}

/// A repair someone reported in this session: the client's "talked through" first, then the therapist's
/// "repaired" (docs/SCIENCE.md#reported-ruptures).
fn repaired_by_account(reports: &[RuptureReport]) -> Option<RepairedBy> {
    use super::Reporter;
    let said = |who: Reporter| reports.iter().any(|r| r.reporter == who && r.talked_through);
    if said(Reporter::Client) {
        Some(RepairedBy::TalkedThrough)
    } else if said(Reporter::Therapist) {
        Some(RepairedBy::TherapistSaidRepaired)
    } else {
        None
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Continued {
    /// No rupture was open (or its window had passed): this session may start one.
    No,
    /// The session belonged to the open rupture.
    Yes,
    /// The session repaired the open rupture by its score.
    RepairedByScore,
}
