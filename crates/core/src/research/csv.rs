//! The research CSV: one row per session, `client,therapist,session,a1..a6,phq9,alliance` (the format of the
//! fixture in docs/SCIENCE.md#practice-research). Values may be quoted; an empty value is a missing one.

use std::io::BufRead;

use super::{ItemTable, SessionRow};

/// Larger input is refused rather than read into memory.
pub const MAX_CSV_BYTES: u64 = 1 << 30;
const MAX_LINE_BYTES: usize = 4096;
const ITEMS: [&str; 6] = ["a1", "a2", "a3", "a4", "a5", "a6"];
const COLUMNS: [&str; 11] = ["client", "therapist", "session", "a1", "a2", "a3", "a4", "a5", "a6", "phq9", "alliance"];

#[derive(Debug, thiserror::Error)]
pub enum CsvError {
    #[error("reading line {line}: {source}")]
    Io { line: usize, source: std::io::Error },
    #[error("the file is empty: expected the header {}", COLUMNS.join(","))]
    Empty,
    #[error("line 1: the header must be {} (found `{found}`)", COLUMNS.join(","))]
    Header { found: String },
    #[error("line {line}: longer than {MAX_LINE_BYTES} bytes")]
    LineTooLong { line: usize },
    #[error("the file is larger than {MAX_CSV_BYTES} bytes")]
    TooLarge,
    #[error("line {line}: {found} fields, expected {}", COLUMNS.len())]
    Fields { line: usize, found: usize },
    #[error("line {line}, column `{column}`: empty value")]
    EmptyValue { line: usize, column: &'static str },
    #[error("line {line}, column `{column}`: `{value}` is not a number in {min}-{max}")]
    Value { line: usize, column: &'static str, value: String, min: f64, max: f64 },
    #[error("line {line}, column `session`: `{value}` is not a session number (1 or more)")]
    Session { line: usize, value: String },
    #[error("line {line}: client `{client}` has session {session} twice")]
    Duplicate { line: usize, client: String, session: u32 },
    #[error("line {line}, column `therapist`: client `{client}` changes therapist")]
    TherapistChanged { line: usize, client: String },
}

fn unquote(field: &str) -> &str {
    let field = field.trim();
    field.strip_prefix('"').and_then(|f| f.strip_suffix('"')).unwrap_or(field)
}

fn number(line: usize, column: &'static str, value: &str, min: f64, max: f64) -> Result<Option<f64>, CsvError> {
    if value.is_empty() {
        return Ok(None);
    }
    match value.parse::<f64>() {
        Ok(v) if v.is_finite() && (min..=max).contains(&v) => Ok(Some(v)),
        _ => Err(CsvError::Value { line, column, value: value.chars().take(40).collect(), min, max }),
    }
}

/// Reads the research CSV into session rows and the alliance item table (complete administrations only).
pub fn read_fixture_csv(input: impl BufRead) -> Result<(Vec<SessionRow>, ItemTable), CsvError> {
    let mut sessions = Vec::new();
    let mut items = Vec::new();
    let mut seen = std::collections::HashMap::<String, (String, std::collections::HashSet<u32>)>::new();
    let mut bytes = 0u64;
    let mut header = false;
    for (index, line) in input.split(b'\n').enumerate() {
        let line_no = index + 1;
        let raw = line.map_err(|source| CsvError::Io { line: line_no, source })?;
        bytes += raw.len() as u64 + 1;
        if bytes > MAX_CSV_BYTES {
            return Err(CsvError::TooLarge);
        }
        if raw.len() > MAX_LINE_BYTES {
            return Err(CsvError::LineTooLong { line: line_no });
        }
        let text = String::from_utf8_lossy(&raw);
        let text = text.trim_end_matches('\r');
        if !header {
            let found: Vec<&str> = text.trim_start_matches('\u{feff}').split(',').map(unquote).collect();
            if found != COLUMNS {
                return Err(CsvError::Header { found: text.chars().take(200).collect() });
            }
            header = true;
            continue;
        }
        if text.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = text.split(',').map(unquote).collect();
        if fields.len() != COLUMNS.len() {
            return Err(CsvError::Fields { line: line_no, found: fields.len() });
        }
        for (column, value) in [("client", fields[0]), ("therapist", fields[1])] {
            if value.is_empty() {
                return Err(CsvError::EmptyValue { line: line_no, column });
            }
        }
        let session = fields[2]
            .parse::<u32>()
            .ok()
            .filter(|s| *s >= 1)
            .ok_or_else(|| CsvError::Session { line: line_no, value: fields[2].chars().take(40).collect() })?;
        let (client, therapist) = (fields[0].to_owned(), fields[1].to_owned());
        let entry = seen.entry(client.clone()).or_insert_with(|| (therapist.clone(), Default::default()));
        if entry.0 != therapist {
            return Err(CsvError::TherapistChanged { line: line_no, client });
        }
        if !entry.1.insert(session) {
            return Err(CsvError::Duplicate { line: line_no, client, session });
        }
        let mut answers = Vec::with_capacity(ITEMS.len());
        for (i, name) in ITEMS.iter().enumerate() {
            answers.push(number(line_no, name, fields[3 + i], 1.0, 5.0)?);
        }
        let outcome = number(line_no, "phq9", fields[9], 0.0, 27.0)?;
        let alliance = number(line_no, "alliance", fields[10], 6.0, 30.0)?;
        if let Some(row) = answers.iter().copied().collect::<Option<Vec<f64>>>() {
            items.push(row);
        }
        sessions.push(SessionRow { client, therapist, session, alliance, outcome });
    }
    if !header {
        return Err(CsvError::Empty);
    }
    let table = ItemTable {
        measure: "relationship-check".to_owned(),
        items: ITEMS.iter().map(|s| (*s).to_owned()).collect(),
        rows: items,
    };
    Ok((sessions, table))
}
