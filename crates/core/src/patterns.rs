//! Per-therapist patterns, for reflection in supervision (not a performance rating): how the therapist's
//! current clients' alliance stands and moves, what became of ruptures, and how signals were taken up.
//! Pure: the caller passes each client's overview, sessions and acknowledgements, and today's date.

use alliance_signals::rupture::RepairStatus;
use alliance_signals::signal::Severity;
use time::Date;

use crate::overview::{ClientOverview, signal_key};
use crate::partnership::{TaskDone, completion_rate};

/// The trend of one client's alliance is the least-squares slope over at most this many latest scores...
pub const TREND_WINDOW: usize = 5;
/// ...and needs at least this many (two points make a line, not a trend).
pub const TREND_MIN_SCORES: usize = 3;

/// One recorded session as the patterns need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionDay {
    pub number: u32,
    pub held_on: Date,
    pub attended: bool,
    /// The client answered the session's check.
    pub check_answered: bool,
    /// The check may still arrive (its link is still valid).
    pub check_pending: bool,
}

/// One client of the therapist: their current episode of care.
#[derive(Clone, Copy)]
pub struct ClientCourse<'a> {
    pub overview: &'a ClientOverview,
    /// The key of the current episode, as used in signal keys.
    pub episode: i64,
    /// The episode is still open (the client is in the active caseload).
    pub active: bool,
    /// The client's alliance scores, (session number, score), any order.
    pub alliance: &'a [(u32, f64)],
    pub sessions: &'a [SessionDay],
    /// Acknowledged signals: (signal key, day of the acknowledgement).
    pub acknowledgements: &'a [(String, Date)],
    /// What the client said of each between-session task reported on in this episode.
    pub task_reports: &'a [TaskDone],
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Patterns {
    /// Clients with an open episode of care; every other figure is about them only.
    pub active_clients: usize,
    /// Mean of each client's latest alliance score, and how many clients have one.
    pub alliance_level: Option<f64>,
    pub alliance_level_clients: usize,
    /// Mean of the clients' alliance slopes (points per session over their latest scores), and how many
    /// clients have enough scores to contribute.
    pub alliance_trend: Option<f64>,
    pub alliance_trend_clients: usize,
    pub ruptures: usize,
    pub ruptures_repaired: usize,
    pub ruptures_unrepaired: usize,
    /// Ruptures whose repair window is still open.
    pub ruptures_open: usize,
    /// Signals that still ask for attention.
    pub signals_open: usize,
    /// Signals someone acknowledged.
    pub signals_acknowledged: usize,
    /// Median days from the session a signal is about to its acknowledgement.
    pub median_days_to_acknowledge: Option<f64>,
    /// Median days the open signals have waited since their session.
    pub median_days_open: Option<f64>,
    /// Attended sessions whose check is due (not pending), and how many of them the client answered.
    pub sessions_due: usize,
    pub sessions_with_check: usize,
    /// Between-session tasks the clients reported on, and the share done (a task done in part counts half).
    pub tasks_reported: usize,
    pub task_completion: Option<f64>,
}

impl Patterns {
    /// The share of due sessions with a client check answered.
    pub fn check_share(&self) -> Option<f64> {
        (self.sessions_due > 0).then(|| self.sessions_with_check as f64 / self.sessions_due as f64)
    }
}

/// Least-squares slope of score on session number over the latest `TREND_WINDOW` scores.
pub fn alliance_slope(scores: &[(u32, f64)]) -> Option<f64> {
    let mut sorted = scores.to_vec();
    sorted.sort_by_key(|p| p.0);
    let latest = &sorted[sorted.len().saturating_sub(TREND_WINDOW)..];
    if latest.len() < TREND_MIN_SCORES {
        return None;
    }
    let n = latest.len() as f64;
    let mx = latest.iter().map(|p| f64::from(p.0)).sum::<f64>() / n;
    let my = latest.iter().map(|p| p.1).sum::<f64>() / n;
    let sxy: f64 = latest.iter().map(|p| (f64::from(p.0) - mx) * (p.1 - my)).sum();
    let sxx: f64 = latest.iter().map(|p| (f64::from(p.0) - mx).powi(2)).sum();
    (sxx > 0.0).then(|| sxy / sxx)
}

fn median(mut values: Vec<f64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    Some(if values.len().is_multiple_of(2) { (values[mid - 1] + values[mid]) / 2.0 } else { values[mid] })
}

fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

pub fn patterns(clients: &[ClientCourse<'_>], today: Date) -> Patterns {
    let active: Vec<&ClientCourse<'_>> = clients.iter().filter(|c| c.active).collect();
    let mut p = Patterns { active_clients: active.len(), ..Patterns::default() };
    let levels: Vec<f64> = active.iter().filter_map(|c| c.overview.alliance.as_ref().map(|a| a.latest)).collect();
    p.alliance_level = mean(&levels);
    p.alliance_level_clients = levels.len();
    let slopes: Vec<f64> = active.iter().filter_map(|c| alliance_slope(c.alliance)).collect();
    p.alliance_trend = mean(&slopes);
    p.alliance_trend_clients = slopes.len();
    let mut to_acknowledge = Vec::new();
    let mut waiting = Vec::new();
    for c in &active {
        for r in &c.overview.ruptures {
            p.ruptures += 1;
            match r.repair {
                RepairStatus::Repaired { .. } => p.ruptures_repaired += 1,
                RepairStatus::Unrepaired { .. } => p.ruptures_unrepaired += 1,
                RepairStatus::Open => p.ruptures_open += 1,
            }
        }
        let day_of = |session: Option<u32>| session.and_then(|n| c.sessions.iter().find(|s| s.number == n));
        let keys: Vec<&str> = c.acknowledgements.iter().map(|a| a.0.as_str()).collect();
        let open = c.overview.open_signals(c.episode, &keys);
        for s in &open {
            if let Some(day) = day_of(s.session) {
                waiting.push((today - day.held_on).whole_days().max(0) as f64);
            }
        }
        p.signals_open += open.len();
        for s in c.overview.signals.iter().filter(|s| s.severity >= Severity::Notice) {
            let key = signal_key(c.episode, s);
            let Some((_, on)) = c.acknowledgements.iter().find(|a| a.0 == key) else { continue };
            p.signals_acknowledged += 1;
            if let Some(day) = day_of(s.session) {
                to_acknowledge.push((*on - day.held_on).whole_days().max(0) as f64);
            }
        }
        for s in c.sessions.iter().filter(|s| s.attended && (s.check_answered || !s.check_pending)) {
            p.sessions_due += 1;
            p.sessions_with_check += usize::from(s.check_answered);
        }
    }
    p.median_days_to_acknowledge = median(to_acknowledge);
    p.median_days_open = median(waiting);
    let reports: Vec<TaskDone> = active.iter().flat_map(|c| c.task_reports.iter().copied()).collect();
    p.tasks_reported = reports.len();
    p.task_completion = completion_rate(&reports);
    p
}

#[cfg(test)]
mod tests {
    use alliance_signals::rupture::{RepairedBy, Rupture, RuptureRule};
    use alliance_signals::signal::{Signal, SignalKind};
    use time::macros::date;

    use super::*;
    use crate::overview::AllianceSummary;

    fn overview(latest: Option<f64>, ruptures: Vec<Rupture>, signals: Vec<Signal>) -> ClientOverview {
        ClientOverview {
            outcomes: Vec::new(),
            alliance: latest.map(|latest| AllianceSummary {
                latest,
                latest_session: 1,
                trend: None,
                below_cutoff: false,
                therapist_latest: None,
            }),
            signals,
            ruptures,
            expected: None,
        }
    }

    fn rupture(onset: u32, repair: RepairStatus) -> Rupture {
        Rupture {
            onset_session: onset,
            detected_at_session: onset,
            rules: vec![RuptureRule::Reported],
            kind: None,
            reference: None,
            lowest: None,
            length: 1,
            repair,
            accounts: Vec::new(),
        }
    }

    fn signal(kind: SignalKind, severity: Severity, session: u32) -> Signal {
        Signal {
            kind,
            severity,
            session: Some(session),
            evidence: vec![],
            text: Default::default(),
            actions: vec![],
            measure: None,
        }
    }

    fn day(number: u32, held_on: Date, attended: bool, answered: bool, pending: bool) -> SessionDay {
        SessionDay { number, held_on, attended, check_answered: answered, check_pending: pending }
    }

    #[test]
    fn slopes_are_least_squares_over_the_latest_five_scores() {
        assert_eq!(alliance_slope(&[(1, 20.0), (2, 22.0)]), None, "two scores are not a trend");
        assert_eq!(alliance_slope(&[(3, 24.0), (1, 20.0), (2, 22.0)]), Some(2.0));
        // Sessions 2,3,4,6,7 (session 1 falls out of the window): mean x 4.4, mean y 14.8,
        // Sxy = -14.6, Sxx = 17.2, slope = -73/86.
        let b = [(1, 18.0), (2, 17.0), (3, 15.0), (4, 16.0), (6, 14.0), (7, 12.0)];
        let slope = alliance_slope(&b).unwrap_or(f64::NAN);
        assert!((slope - (-73.0 / 86.0)).abs() < 1e-12, "{slope}");
    }

    /// A small caseload worked out by hand (see the comments for each expected figure).
    #[test]
    fn patterns_of_a_constructed_caseload() {
        let today = date!(2026 - 10 - 29);
        // A: alliance 20, 22, 24, 26 (slope 2, latest 26); one rupture repaired, one unrepaired; a rupture
        // signal of session 2 (8 Oct) acknowledged on 11 Oct (3 days), a low-alliance notice of session 4
        // (22 Oct) open for 7 days, an improvement (information only: neither open nor acknowledged), and an
        // acknowledgement of a signal that is no longer current (ignored). Four attended sessions, all answered.
        let a_overview = overview(
            Some(26.0),
            vec![
                rupture(1, RepairStatus::Unrepaired { decided_at_session: 3 }),
                rupture(2, RepairStatus::Repaired { session: 3, by: RepairedBy::ScoreReturned }),
            ],
            vec![
                signal(SignalKind::Rupture, Severity::Warning, 2),
                signal(SignalKind::LowAlliance, Severity::Notice, 4),
                signal(SignalKind::Improvement, Severity::Info, 4),
            ],
        );
        let a_alliance = [(1, 20.0), (2, 22.0), (3, 24.0), (4, 26.0)];
        let a_sessions = [
            day(1, date!(2026 - 10 - 01), true, true, false),
            day(2, date!(2026 - 10 - 08), true, true, false),
            day(3, date!(2026 - 10 - 15), true, true, false),
            day(4, date!(2026 - 10 - 22), true, true, false),
        ];
        let a_acks =
            [("1:rupture:2".to_owned(), date!(2026 - 10 - 11)), ("1:risk:9".to_owned(), date!(2026 - 10 - 12))];
        // B: slope -73/86 (see above), latest 12; one rupture still open; an urgent rupture signal of session 7
        // (15 Oct) open for 14 days; a discrepancy of session 6 (8 Oct) acknowledged on 9 Oct (1 day); a risk
        // signal of session 4 (24 Sep) acknowledged on 30 Sep (6 days). Session 5 missed; session 8 (27 Oct)
        // attended with its check still pending (not due yet). Six due sessions, all answered.
        let b_overview = overview(
            Some(12.0),
            vec![rupture(7, RepairStatus::Open)],
            vec![
                signal(SignalKind::Risk, Severity::Critical, 4),
                signal(SignalKind::Rupture, Severity::Urgent, 7),
                signal(SignalKind::Discrepancy, Severity::Warning, 6),
            ],
        );
        let b_alliance = [(1, 18.0), (2, 17.0), (3, 15.0), (4, 16.0), (6, 14.0), (7, 12.0)];
        let b_sessions = [
            day(1, date!(2026 - 09 - 03), true, true, false),
            day(2, date!(2026 - 09 - 10), true, true, false),
            day(3, date!(2026 - 09 - 17), true, true, false),
            day(4, date!(2026 - 09 - 24), true, true, false),
            day(5, date!(2026 - 10 - 01), false, false, false),
            day(6, date!(2026 - 10 - 08), true, true, false),
            day(7, date!(2026 - 10 - 15), true, true, false),
            day(8, date!(2026 - 10 - 27), true, false, true),
        ];
        let b_acks =
            [("2:discrepancy:6".to_owned(), date!(2026 - 10 - 09)), ("2:risk:4".to_owned(), date!(2026 - 09 - 30))];
        // C: one score (25): counts for the level, not the trend. Two attended sessions, one answered.
        let c_overview = overview(Some(25.0), vec![], vec![]);
        let c_alliance = [(1, 25.0)];
        let c_sessions =
            [day(1, date!(2026 - 10 - 22), true, true, false), day(2, date!(2026 - 10 - 25), true, false, false)];
        // D: episode ended. Nothing of it counts.
        let d_overview = overview(
            Some(6.0),
            vec![rupture(1, RepairStatus::Unrepaired { decided_at_session: 3 })],
            vec![signal(SignalKind::Rupture, Severity::Urgent, 1)],
        );
        let d_alliance = [(1, 30.0), (2, 6.0), (3, 6.0)];
        let d_sessions = [day(1, date!(2026 - 06 - 01), true, false, false)];
        let none: [(String, Date); 0] = [];
        let clients = [
            ClientCourse {
                overview: &a_overview,
                episode: 1,
                active: true,
                alliance: &a_alliance,
                sessions: &a_sessions,
                acknowledgements: &a_acks,
                task_reports: &[TaskDone::Yes, TaskDone::Partly],
            },
            ClientCourse {
                overview: &b_overview,
                episode: 2,
                active: true,
                alliance: &b_alliance,
                sessions: &b_sessions,
                acknowledgements: &b_acks,
                task_reports: &[TaskDone::No],
            },
            ClientCourse {
                overview: &c_overview,
                episode: 3,
                active: true,
                alliance: &c_alliance,
                sessions: &c_sessions,
                acknowledgements: &none,
                task_reports: &[],
            },
            ClientCourse {
                overview: &d_overview,
                episode: 4,
                active: false,
                alliance: &d_alliance,
                sessions: &d_sessions,
                acknowledgements: &none,
                task_reports: &[TaskDone::Yes, TaskDone::Yes, TaskDone::Yes],
            },
        ];
        let p = patterns(&clients, today);
        assert_eq!(p.active_clients, 3);
        // Level: (26 + 12 + 25) / 3 = 21.
        assert_eq!(p.alliance_level, Some(21.0));
        assert_eq!(p.alliance_level_clients, 3);
        // Trend: (2 - 73/86) / 2 = 99/172, from A and B.
        assert!((p.alliance_trend.unwrap_or(f64::NAN) - 99.0 / 172.0).abs() < 1e-12, "{:?}", p.alliance_trend);
        assert_eq!(p.alliance_trend_clients, 2);
        assert_eq!((p.ruptures, p.ruptures_repaired, p.ruptures_unrepaired, p.ruptures_open), (3, 1, 1, 1));
        // Open: A's notice and B's rupture. Acknowledged: A's rupture, B's discrepancy and risk (3, 1, 6 days).
        assert_eq!((p.signals_open, p.signals_acknowledged), (2, 3));
        assert_eq!(p.median_days_to_acknowledge, Some(3.0));
        // Waiting 7 and 14 days: median 10.5.
        assert_eq!(p.median_days_open, Some(10.5));
        // Due: 4 (A) + 6 (B: 1-4, 6, 7) + 2 (C) = 12, answered 4 + 6 + 1 = 11.
        assert_eq!((p.sessions_due, p.sessions_with_check), (12, 11));
        assert_eq!(p.check_share(), Some(11.0 / 12.0));
        // Tasks: A's yes and partly, B's no (D's episode ended): (1 + 0.5 + 0) / 3.
        assert_eq!(p.tasks_reported, 3);
        assert_eq!(p.task_completion, Some(0.5));
    }

    #[test]
    fn an_empty_caseload_has_no_figures() {
        let p = patterns(&[], date!(2026 - 10 - 29));
        assert_eq!(p, Patterns::default());
        assert_eq!(p.check_share(), None);
    }
}
