//! CSV formats of the researcher command `alliance analyze ruptures`:
//! input `client,session,alliance`, output
//! `client,rupture_session,magnitude,repaired,repair_session,rule`.
//!
//! Input rules (each violation is reported with its line and column):
//! - the header is exactly `client,session,alliance` (surrounding spaces and a UTF-8 BOM are
//!   ignored);
//! - client ids are 1-64 characters of letters, digits, `_`, `-` or `.`, starting with a letter
//!   or digit (de-identified codes; this also keeps spreadsheet formulas out of the output);
//! - sessions are whole numbers, strictly increasing within a client; a client's rows are
//!   contiguous;
//! - alliance scores are finite numbers.

use std::io::{Read, Write};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::rupture::{RepairStatus, Rupture, SessionScore};

/// The input header.
pub const INPUT_COLUMNS: [&str; 3] = ["client", "session", "alliance"];
/// The output header.
pub const OUTPUT_COLUMNS: [&str; 6] = ["client", "rupture_session", "magnitude", "repaired", "repair_session", "rule"];
/// Longest accepted client id.
pub const MAX_CLIENT_ID_LEN: usize = 64;
/// Most sessions accepted for one client (far beyond any course of therapy).
pub const MAX_SESSIONS_PER_CLIENT: usize = 10_000;

/// One client's alliance scores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientSeries {
    pub client: String,
    pub scores: Vec<SessionScore>,
}

impl ClientSeries {
    pub fn values(&self) -> Vec<f64> {
        self.scores.iter().map(|s| s.score).collect()
    }
}

/// What is wrong with an input file.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CsvProblem {
    #[error("the file is empty")]
    EmptyFile,
    #[error("there are no data rows")]
    NoRows,
    #[error("missing column `{0}`")]
    MissingColumn(&'static str),
    #[error("unexpected column `{0}`")]
    UnexpectedColumn(String),
    #[error("expected column `{expected}`, found `{found}`")]
    WrongColumn { expected: &'static str, found: String },
    #[error("extra field(s): {found} fields where {expected} are expected")]
    ExtraFields { found: usize, expected: usize },
    #[error("`{0}` is not a valid client id (1-64 letters, digits, _ - ., starting alphanumeric)")]
    InvalidClient(String),
    #[error("`{0}` is not a session number (a whole number >= 0)")]
    InvalidSession(String),
    #[error("`{0}` is not a number")]
    NotANumber(String),
    #[error("`{0}` is not a finite number")]
    NotFinite(String),
    #[error("session {0} appears twice")]
    DuplicateSession(u32),
    #[error("session {session} comes after session {previous}; sort sessions within a client")]
    UnsortedSession { session: u32, previous: u32 },
    #[error("client `{0}` appears again after other clients; keep each client's rows together")]
    ClientNotContiguous(String),
    #[error("more than {MAX_SESSIONS_PER_CLIENT} sessions for one client")]
    TooManySessions,
    #[error("unreadable CSV: {0}")]
    Malformed(String),
}

/// A problem, where it is (1-based line; the column when one is to blame).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("line {line}{}: {problem}", column.map(|c| format!(", column `{c}`")).unwrap_or_default())]
pub struct CsvError {
    pub line: u64,
    pub column: Option<&'static str>,
    pub problem: CsvProblem,
}

impl CsvError {
    fn at(line: u64, column: Option<&'static str>, problem: CsvProblem) -> Self {
        CsvError { line, column, problem }
    }
}

/// Echo at most this many characters of a bad value back in an error.
const ECHO_LIMIT: usize = 40;

pub(crate) fn echo(value: &str) -> String {
    let mut shown: String = value.chars().take(ECHO_LIMIT).collect();
    if value.chars().count() > ECHO_LIMIT {
        shown.push('…');
    }
    shown
}

/// Read `client,session,alliance` rows into one series per client, in file order.
pub fn read_alliance_csv<R: Read>(input: R) -> Result<Vec<ClientSeries>, CsvError> {
    let mut records = RecordReader::new(input);
    records.header(&INPUT_COLUMNS)?;
    let mut series: Vec<ClientSeries> = Vec::new();
    while let Some((line, record)) = records.next_record()? {
        let client = parse_client(line, "client", &record[0])?;
        let session = parse_session(line, "session", &record[1])?;
        let score = parse_finite(line, "alliance", &record[2])?;
        let continues_last = series.last().is_some_and(|s| s.client == client);
        if !continues_last {
            if series.iter().any(|s| s.client == client) {
                return Err(CsvError::at(line, Some("client"), CsvProblem::ClientNotContiguous(echo(&client))));
            }
            series.push(ClientSeries { client, scores: Vec::new() });
        }
        let Some(current) = series.last_mut() else {
            continue; // unreachable: pushed above
        };
        if let Some(previous) = current.scores.last().map(|s| s.session) {
            let problem = if session == previous {
                Some(CsvProblem::DuplicateSession(session))
            } else if session < previous {
                Some(CsvProblem::UnsortedSession { session, previous })
            } else {
                None
            };
            if let Some(problem) = problem {
                return Err(CsvError::at(line, Some("session"), problem));
            }
        }
        if current.scores.len() >= MAX_SESSIONS_PER_CLIENT {
            return Err(CsvError::at(line, None, CsvProblem::TooManySessions));
        }
        current.scores.push(SessionScore { session, score });
    }
    if series.is_empty() {
        return Err(CsvError::at(records.last_line, None, CsvProblem::NoRows));
    }
    Ok(series)
}

/// Write detected ruptures. `repaired` is 1 or 0, and empty while the repair window is still
/// open; `repair_session` is empty unless repaired; `magnitude` has three decimals.
pub fn write_ruptures_csv<'a, W, I>(output: W, rows: I) -> Result<(), std::io::Error>
where
    W: Write,
    I: IntoIterator<Item = (&'a str, &'a Rupture)>,
{
    let mut writer = csv::Writer::from_writer(output);
    writer.write_record(OUTPUT_COLUMNS).map_err(into_io)?;
    for (client, rupture) in rows {
        let (repaired, repair_session) = match rupture.repair {
            RepairStatus::Repaired { session, .. } => ("1".to_owned(), session.to_string()),
            RepairStatus::Unrepaired { .. } => ("0".to_owned(), String::new()),
            RepairStatus::Open => (String::new(), String::new()),
        };
        let magnitude = rupture.magnitude().map(|m| format!("{m:.3}")).unwrap_or_default();
        writer
            .write_record([
                client,
                &rupture.onset_session.to_string(),
                &magnitude,
                &repaired,
                &repair_session,
                &rupture.rules_label(),
            ])
            .map_err(into_io)?;
    }
    writer.flush()
}

fn into_io(error: csv::Error) -> std::io::Error {
    match error.into_kind() {
        csv::ErrorKind::Io(io) => io,
        other => std::io::Error::other(format!("{other:?}")),
    }
}

/// Reads records with position tracking and field-count checks.
pub(crate) struct RecordReader<R: Read> {
    reader: csv::Reader<R>,
    record: csv::StringRecord,
    columns: Vec<&'static str>,
    pub last_line: u64,
}

impl<R: Read> RecordReader<R> {
    pub fn new(input: R) -> Self {
        let reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(input);
        RecordReader { reader, record: csv::StringRecord::new(), columns: Vec::new(), last_line: 1 }
    }

    fn read(&mut self) -> Result<bool, CsvError> {
        self.reader.read_record(&mut self.record).map_err(|e| {
            let line = e.position().map_or(self.last_line, |p| p.line());
            CsvError::at(line, None, CsvProblem::Malformed(echo(&e.to_string())))
        })
    }

    /// Check the header against `expected`, by name and position.
    pub fn header(&mut self, expected: &[&'static str]) -> Result<(), CsvError> {
        self.columns = expected.to_vec();
        if !self.read()? {
            return Err(CsvError::at(1, None, CsvProblem::EmptyFile));
        }
        let found: Vec<String> = self
            .record
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let f = if i == 0 { f.trim_start_matches('\u{feff}') } else { f };
                f.trim().to_owned()
            })
            .collect();
        if found.len() == 1 && found[0].is_empty() {
            return Err(CsvError::at(1, None, CsvProblem::EmptyFile));
        }
        for (i, name) in expected.iter().enumerate() {
            match found.get(i) {
                None => {
                    return Err(CsvError::at(1, Some(name), CsvProblem::MissingColumn(name)));
                }
                Some(f) if f != name => {
                    let problem = if found.iter().any(|x| x == name) {
                        CsvProblem::WrongColumn { expected: name, found: echo(f) }
                    } else {
                        CsvProblem::MissingColumn(name)
                    };
                    return Err(CsvError::at(1, Some(name), problem));
                }
                Some(_) => {}
            }
        }
        if let Some(extra) = found.get(expected.len()) {
            return Err(CsvError::at(1, None, CsvProblem::UnexpectedColumn(echo(extra))));
        }
        Ok(())
    }

    /// The next data record, with exactly as many fields as the header has columns
    /// (csv skips blank lines).
    pub fn next_record(&mut self) -> Result<Option<(u64, Vec<String>)>, CsvError> {
        if !self.read()? {
            return Ok(None);
        }
        let line = self.record.position().map_or(self.last_line, |p| p.line());
        self.last_line = line;
        let fields: Vec<String> = self.record.iter().map(|f| f.trim().to_owned()).collect();
        let expected = self.columns.len();
        if let Some(&missing) = self.columns.get(fields.len()) {
            return Err(CsvError::at(line, Some(missing), CsvProblem::MissingColumn(missing)));
        }
        if fields.len() > expected {
            return Err(CsvError::at(line, None, CsvProblem::ExtraFields { found: fields.len(), expected }));
        }
        Ok(Some((line, fields)))
    }
}

pub(crate) fn parse_client(line: u64, column: &'static str, value: &str) -> Result<String, CsvError> {
    let valid = (1..=MAX_CLIENT_ID_LEN).contains(&value.len())
        && value.starts_with(|c: char| c.is_ascii_alphanumeric())
        && value.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if valid {
        Ok(value.to_owned())
    } else {
        Err(CsvError::at(line, Some(column), CsvProblem::InvalidClient(echo(value))))
    }
}

pub(crate) fn parse_session(line: u64, column: &'static str, value: &str) -> Result<u32, CsvError> {
    let digits_only = !value.is_empty() && value.chars().all(|c| c.is_ascii_digit());
    match value.parse::<u32>() {
        Ok(session) if digits_only => Ok(session),
        _ => Err(CsvError::at(line, Some(column), CsvProblem::InvalidSession(echo(value)))),
    }
}

pub(crate) fn parse_finite(line: u64, column: &'static str, value: &str) -> Result<f64, CsvError> {
    let parsed: f64 =
        value.parse().map_err(|_| CsvError::at(line, Some(column), CsvProblem::NotANumber(echo(value))))?;
    if parsed.is_finite() {
        Ok(parsed)
    } else {
        Err(CsvError::at(line, Some(column), CsvProblem::NotFinite(echo(value))))
    }
}
