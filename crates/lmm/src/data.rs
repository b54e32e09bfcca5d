//! Practice data reduced to per-client sufficient statistics, so that fitting never
//! touches the raw rows again (memory is O(clients), not O(observations)).

use std::collections::HashMap;

use crate::error::InputError;

/// Intake severity that is subtracted before modelling (`intake_c = intake - 15`).
pub const INTAKE_CENTRE: f64 = 15.0;

/// One row of the input table.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation<'a> {
    pub client: &'a str,
    pub therapist: &'a str,
    /// Session number, starting at 1.
    pub session: u32,
    pub intake: f64,
    pub score: f64,
}

/// Sufficient statistics of one client (scores shifted by [`Practice::score_shift`]).
///
/// With `z = (1, ln t)` the random-effects design and `x = (z, intake_c * z)` the fixed one,
/// `Z'Z = [[n, s1], [s1, s2]]`, `Z'y = (sy, sly)` and `Z'X = [Z'Z | intake_c Z'Z]`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ClientStats {
    pub n: f64,
    pub s1: f64,
    pub s2: f64,
    pub sy: f64,
    pub sly: f64,
    pub intake_c: f64,
}

/// A client as seen in the data.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientSummary {
    pub id: String,
    /// Index into [`Practice::therapists`].
    pub therapist: u32,
    pub intake: f64,
    pub sessions: u32,
    pub last_session: u32,
}

/// A validated practice data set, reduced to sufficient statistics.
#[derive(Debug, Clone, PartialEq)]
pub struct Practice {
    pub(crate) clients: Vec<ClientSummary>,
    pub(crate) stats: Vec<ClientStats>,
    pub(crate) therapists: Vec<String>,
    pub(crate) n_obs: usize,
    /// Sum of squared shifted scores.
    pub(crate) yty: f64,
    /// Constant subtracted from every score before accumulating (improves precision).
    pub(crate) score_shift: f64,
    pub(crate) all_scores_equal: bool,
}

impl Practice {
    pub fn n_obs(&self) -> usize {
        self.n_obs
    }
    pub fn n_clients(&self) -> usize {
        self.clients.len()
    }
    pub fn clients(&self) -> &[ClientSummary] {
        &self.clients
    }
    pub fn therapists(&self) -> &[String] {
        &self.therapists
    }
    /// Builds a practice from rows in memory; errors name the 1-based row.
    pub fn from_observations<'a, I>(rows: I) -> Result<Practice, InputError>
    where
        I: IntoIterator<Item = Observation<'a>>,
    {
        let mut builder = PracticeBuilder::default();
        for (index, row) in rows.into_iter().enumerate() {
            builder.push(index + 1, &row)?;
        }
        builder.finish()
    }
}

/// Accumulates rows one at a time (streaming: rows are not stored).
#[derive(Debug, Default)]
pub struct PracticeBuilder {
    client_index: HashMap<String, usize>,
    therapist_index: HashMap<String, u32>,
    practice: Option<Practice>,
}

impl PracticeBuilder {
    /// Adds one row. `line` is used in error messages only. Rows of a client may be
    /// interleaved with other clients' rows, but its sessions must increase.
    pub fn push(&mut self, line: usize, row: &Observation<'_>) -> Result<(), InputError> {
        validate_row(line, row)?;
        let practice = self.practice.get_or_insert_with(|| Practice {
            clients: Vec::new(),
            stats: Vec::new(),
            therapists: Vec::new(),
            n_obs: 0,
            yty: 0.0,
            score_shift: row.score,
            all_scores_equal: true,
        });
        let therapist = match self.therapist_index.get(row.therapist) {
            Some(&t) => t,
            None => {
                let t = u32::try_from(practice.therapists.len())
                    .map_err(|_| InputError::Io("more than 2^32 therapists".into()))?;
                practice.therapists.push(row.therapist.to_owned());
                self.therapist_index.insert(row.therapist.to_owned(), t);
                t
            }
        };
        let index = match self.client_index.get(row.client) {
            Some(&i) => {
                check_consistent(line, row, &practice.clients[i], &practice.therapists)?;
                i
            }
            None => {
                let i = practice.clients.len();
                practice.clients.push(ClientSummary {
                    id: row.client.to_owned(),
                    therapist,
                    intake: row.intake,
                    sessions: 0,
                    last_session: 0,
                });
                practice.stats.push(ClientStats { intake_c: row.intake - INTAKE_CENTRE, ..ClientStats::default() });
                self.client_index.insert(row.client.to_owned(), i);
                i
            }
        };
        let client = &mut practice.clients[index];
        client.sessions += 1;
        client.last_session = row.session;
        let y = row.score - practice.score_shift;
        let lt = f64::from(row.session).ln();
        let s = &mut practice.stats[index];
        s.n += 1.0;
        s.s1 += lt;
        s.s2 += lt * lt;
        s.sy += y;
        s.sly += lt * y;
        practice.yty += y * y;
        practice.n_obs += 1;
        practice.all_scores_equal &= y == 0.0;
        Ok(())
    }

    /// Finishes the data set; fails on an empty one.
    pub fn finish(self) -> Result<Practice, InputError> {
        self.practice.ok_or(InputError::NoRows)
    }
}

fn validate_row(line: usize, row: &Observation<'_>) -> Result<(), InputError> {
    use crate::error::Column;
    if row.client.is_empty() {
        return Err(InputError::EmptyValue { line, column: Column::Client });
    }
    if row.therapist.is_empty() {
        return Err(InputError::EmptyValue { line, column: Column::Therapist });
    }
    if row.session < 1 {
        return Err(InputError::SessionBelowOne { line, session: i64::from(row.session) });
    }
    for (column, value) in [(Column::Intake, row.intake), (Column::Score, row.score)] {
        if !value.is_finite() {
            return Err(InputError::NotFinite { line, column, value: value.to_string() });
        }
    }
    Ok(())
}

fn check_consistent(
    line: usize,
    row: &Observation<'_>,
    client: &ClientSummary,
    therapists: &[String],
) -> Result<(), InputError> {
    if row.intake != client.intake {
        return Err(InputError::IntakeChanged {
            line,
            client: client.id.clone(),
            first: client.intake,
            value: row.intake,
        });
    }
    let first = therapists.get(client.therapist as usize).map(String::as_str).unwrap_or_default();
    if row.therapist != first {
        return Err(InputError::TherapistChanged {
            line,
            client: client.id.clone(),
            first: first.to_owned(),
            value: row.therapist.to_owned(),
        });
    }
    if row.session == client.last_session {
        return Err(InputError::DuplicateSession { line, client: client.id.clone(), session: row.session });
    }
    if row.session < client.last_session {
        return Err(InputError::UnsortedSession {
            line,
            client: client.id.clone(),
            session: row.session,
            previous: client.last_session,
        });
    }
    Ok(())
}
