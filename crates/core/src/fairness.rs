//! Fairness of signals (issue 20, docs/SCIENCE.md#fairness-of-signals): a signal that fires more or less often
//! for one group of clients at the same underlying need is a harm.
//!
//! - [`audit`]: the observed signal rates per group on a practice's own data, small cells suppressed. It cannot
//!   say whether the need differs between groups (a practice's data carry no planted truth); it shows where to
//!   look.
//! - [`study`]: the same question on generated practices whose groups answer in different styles at the same
//!   planted need, where sensitivity and false alarms can be measured.

pub mod study;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

/// Fewest clients a published cell may describe (the research report's rule, docs/SCIENCE.md#small-cells).
pub const MIN_CELL_CLIENTS: usize = crate::research::MIN_CELL_CLIENTS;

/// One client of the practice as the audit sees them: a group label, how many sessions they had, and at how many
/// of those sessions each signal fired (signal name to sessions).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClientSignals {
    pub group: String,
    pub sessions: u32,
    pub fired: BTreeMap<String, u32>,
}

/// A record the audit cannot count.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AuditError {
    #[error("client {index}: the signal {signal} fired at {fired} sessions of {sessions}")]
    MoreFiringsThanSessions { index: usize, signal: String, fired: u32, sessions: u32 },
}

/// One signal in one group. Every figure is `None` when the cell is suppressed: fewer than
/// [`MIN_CELL_CLIENTS`] clients with the signal (but some), or a group under [`MIN_CELL_CLIENTS`] clients.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditCell {
    pub signal: String,
    /// Clients at whom the signal fired at least once.
    pub clients_with_signal: Option<usize>,
    /// `clients_with_signal` over the group's clients.
    pub share_of_clients: Option<f64>,
    /// Sessions at which the signal fired, summed over the group's clients.
    pub firings: Option<u64>,
    /// Firings per 100 of the group's sessions.
    pub per_100_sessions: Option<f64>,
}

/// One group's row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditRow {
    pub group: String,
    /// `None` when the group has fewer than [`MIN_CELL_CLIENTS`] clients (then every cell is suppressed too).
    pub clients: Option<usize>,
    pub sessions: Option<u64>,
    /// One cell per signal of [`AuditTable::signals`], in that order.
    pub cells: Vec<AuditCell>,
}

/// The audit: signals by name, groups by label.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditTable {
    pub signals: Vec<String>,
    pub rows: Vec<AuditRow>,
    /// Per signal (same order), the largest difference in the share of clients between two groups whose cells
    /// are shown, in percentage points; `None` with fewer than two such groups.
    pub largest_gap_points: Vec<Option<f64>>,
    pub min_cell_clients: usize,
}

#[derive(Default)]
struct Tally {
    clients: usize,
    sessions: u64,
    /// Per signal: clients with it, firings.
    signals: BTreeMap<String, (usize, u64)>,
}

/// Counts, per group and signal, the clients at whom the signal fired, the share of clients and the firings per
/// 100 sessions, suppressing cells under [`MIN_CELL_CLIENTS`] clients. Groups and signals are in alphabetical
/// order; every signal that fired anywhere has a cell in every group.
pub fn audit(clients: &[ClientSignals]) -> Result<AuditTable, AuditError> {
    let mut groups: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut names: BTreeSet<&str> = BTreeSet::new();
    for (index, client) in clients.iter().enumerate() {
        let tally = groups.entry(client.group.as_str()).or_default();
        tally.clients += 1;
        tally.sessions += u64::from(client.sessions);
        for (signal, &fired) in &client.fired {
            if fired > client.sessions {
                return Err(AuditError::MoreFiringsThanSessions {
                    index,
                    signal: signal.clone(),
                    fired,
                    sessions: client.sessions,
                });
            }
            if fired > 0 {
                names.insert(signal.as_str());
                let cell = tally.signals.entry(signal.clone()).or_default();
                cell.0 += 1;
                cell.1 += u64::from(fired);
            }
        }
    }
    let signals: Vec<String> = names.iter().map(|s| (*s).to_owned()).collect();
    let rows: Vec<AuditRow> = groups
        .iter()
        .map(|(group, tally)| {
            let shown = tally.clients >= MIN_CELL_CLIENTS;
            let cells = signals
                .iter()
                .map(|signal| {
                    let (with, firings) = tally.signals.get(signal).copied().unwrap_or((0, 0));
                    let small = with > 0 && with < MIN_CELL_CLIENTS;
                    if !shown || small {
                        return AuditCell {
                            signal: signal.clone(),
                            clients_with_signal: None,
                            share_of_clients: None,
                            firings: None,
                            per_100_sessions: None,
                        };
                    }
                    AuditCell {
                        signal: signal.clone(),
                        clients_with_signal: Some(with),
                        share_of_clients: Some(with as f64 / tally.clients as f64),
                        firings: Some(firings),
                        per_100_sessions: (tally.sessions > 0).then(|| 100.0 * firings as f64 / tally.sessions as f64),
                    }
                })
                .collect();
            AuditRow {
                group: (*group).to_owned(),
                clients: shown.then_some(tally.clients),
                sessions: shown.then_some(tally.sessions),
                cells,
            }
        })
        .collect();
    let largest_gap_points = (0..signals.len())
        .map(|i| {
            let shares: Vec<f64> = rows.iter().filter_map(|r| r.cells[i].share_of_clients).collect();
            let (low, high) = shares.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &s| (l.min(s), h.max(s)));
            (shares.len() >= 2).then_some(100.0 * (high - low))
        })
        .collect();
    Ok(AuditTable { signals, rows, largest_gap_points, min_cell_clients: MIN_CELL_CLIENTS })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn client(group: &str, sessions: u32, fired: &[(&str, u32)]) -> ClientSignals {
        ClientSignals {
            group: group.to_owned(),
            sessions,
            fired: fired.iter().map(|(s, n)| ((*s).to_owned(), *n)).collect(),
        }
    }

    fn many(group: &str, n: usize, sessions: u32, fired: &[(&str, u32)]) -> Vec<ClientSignals> {
        (0..n).map(|_| client(group, sessions, fired)).collect()
    }

    #[test]
    fn rates_are_counted_per_group_by_hand() {
        // Group a: 10 clients of 10 sessions; 6 had a rupture signal at 2 sessions each, 4 none.
        // Group b: 8 clients of 5 sessions; 5 had a rupture signal at 1 session, and all 8 a low-alliance one at 5.
        let mut all = many("a", 6, 10, &[("rupture", 2)]);
        all.extend(many("a", 4, 10, &[]));
        all.extend(many("b", 5, 5, &[("rupture", 1), ("low_alliance", 5)]));
        all.extend(many("b", 3, 5, &[("low_alliance", 5)]));
        let table = audit(&all).unwrap();
        assert_eq!(table.signals, ["low_alliance", "rupture"]);
        let (a, b) = (&table.rows[0], &table.rows[1]);
        assert_eq!((a.group.as_str(), a.clients, a.sessions), ("a", Some(10), Some(100)));
        assert_eq!((b.group.as_str(), b.clients, b.sessions), ("b", Some(8), Some(40)));
        // Group a never had a low-alliance signal: a zero is shown, not suppressed.
        assert_eq!(a.cells[0].clients_with_signal, Some(0));
        assert_eq!(a.cells[0].share_of_clients, Some(0.0));
        assert_eq!(a.cells[1].clients_with_signal, Some(6));
        assert_eq!(a.cells[1].share_of_clients, Some(0.6));
        assert_eq!(a.cells[1].firings, Some(12));
        assert_eq!(a.cells[1].per_100_sessions, Some(12.0));
        assert_eq!(b.cells[0].share_of_clients, Some(1.0));
        assert_eq!(b.cells[0].per_100_sessions, Some(100.0));
        assert_eq!(b.cells[1].share_of_clients, Some(0.625));
        assert_eq!(b.cells[1].per_100_sessions, Some(12.5));
        // Largest gaps: low alliance 100 - 0, rupture 62.5 - 60.
        assert_eq!(table.largest_gap_points[0], Some(100.0));
        assert!((table.largest_gap_points[1].unwrap() - 2.5).abs() < 1e-9);
    }

    #[test]
    fn cells_under_five_clients_are_suppressed() {
        // Group a: 20 clients, 4 with a risk signal (suppressed), 5 with a rupture signal (shown).
        let mut all = many("a", 4, 6, &[("risk", 1)]);
        all.extend(many("a", 5, 6, &[("rupture", 1)]));
        all.extend(many("a", 11, 6, &[]));
        // Group c: 4 clients in all: the whole row is suppressed, even its count of clients.
        all.extend(many("c", 4, 6, &[("rupture", 1)]));
        let table = audit(&all).unwrap();
        let (a, c) = (&table.rows[0], &table.rows[1]);
        assert_eq!(table.signals, ["risk", "rupture"]);
        assert_eq!(a.cells[0].clients_with_signal, None);
        assert_eq!(a.cells[0].share_of_clients, None);
        assert_eq!(a.cells[0].firings, None);
        assert_eq!(a.cells[0].per_100_sessions, None);
        assert_eq!(a.cells[1].clients_with_signal, Some(5));
        assert_eq!((c.clients, c.sessions), (None, None));
        assert!(c.cells.iter().all(|cell| cell.clients_with_signal.is_none() && cell.share_of_clients.is_none()));
        // One group shown: no gap to report.
        assert_eq!(table.largest_gap_points, [None, None]);
        let text = serde_json::to_string(&table).unwrap();
        assert!(!text.contains("\"clients\":4"), "{text}");
    }

    #[test]
    fn more_firings_than_sessions_is_refused_and_nothing_is_an_empty_table() {
        let err = audit(&[client("a", 3, &[("rupture", 4)])]).unwrap_err();
        assert_eq!(
            err,
            AuditError::MoreFiringsThanSessions { index: 0, signal: "rupture".into(), fired: 4, sessions: 3 }
        );
        let empty = audit(&[]).unwrap();
        assert!(empty.rows.is_empty() && empty.signals.is_empty());
        // A client without sessions counts as a client and gives no rate per session.
        let table = audit(&many("a", 5, 0, &[])).unwrap();
        assert_eq!((table.rows[0].clients, table.rows[0].sessions), (Some(5), Some(0)));
    }

    #[test]
    fn hostile_labels_and_signal_names_are_kept_as_text() {
        let label = "<script>alert(1)</script>, \"quoted\"\n";
        let table = audit(&many(label, 5, 2, &[("a\u{0}b", 1)])).unwrap();
        assert_eq!(table.rows[0].group, label);
        assert_eq!(table.signals, ["a\u{0}b"]);
    }
}
