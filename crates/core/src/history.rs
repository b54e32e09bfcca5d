//! A practice's history from another system, as CSV (issue 19, item 5): clients by pseudonym, their episodes
//! and sessions, and the item answers of each client-rated questionnaire, which are scored here by the
//! instrument's own rules. Parsing is pure and finds every bad row (line and column) before anything is stored;
//! `alliance import history --dry-run` prints them.
//!
//! ```text
//! pseudonym,therapist,started_on,session,held_on,attended,instrument,item,value
//! Fox,ana@example.org,2026-01-05,1,2026-01-05,yes,phq9,1,2
//! ```
//!
//! A row without `instrument` records a session without answers. All rows of one client, session and
//! instrument make one response.

use std::collections::BTreeMap;
use std::io::BufRead;

use time::Date;

use crate::catalog::Catalog;
use crate::domain::{Email, Pseudonym};
use crate::instrument::{ItemKind, Rater};
use crate::scoring::{Answer, Answers, ScoreSet, score};

pub const COLUMNS: [&str; 9] =
    ["pseudonym", "therapist", "started_on", "session", "held_on", "attended", "instrument", "item", "value"];
/// Larger files are refused before they are read.
pub const MAX_FILE_BYTES: u64 = 256 << 20;
const MAX_LINE_BYTES: usize = 4096;
/// More errors than this and the rest are counted, not listed.
pub const MAX_LISTED_ERRORS: usize = 200;

/// One problem with the file: the 1-based line, the column (or none for the file as a whole) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: usize,
    pub column: Option<&'static str>,
    pub message: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.column {
            Some(column) => write!(f, "line {}, column `{column}`: {}", self.line, self.message),
            None => write!(f, "line {}: {}", self.line, self.message),
        }
    }
}

/// One questionnaire of one session, scored.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryResponse {
    pub instrument: String,
    pub version: u32,
    pub answers: Answers,
    pub scores: ScoreSet,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HistorySession {
    pub number: u32,
    pub held_on: Date,
    pub attended: bool,
    pub responses: Vec<HistoryResponse>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEpisode {
    pub started_on: Date,
    /// Sessions numbered 1, 2, 3, ... in order.
    pub sessions: Vec<HistorySession>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HistoryClient {
    pub pseudonym: Pseudonym,
    pub therapist: Email,
    pub episodes: Vec<HistoryEpisode>,
}

/// A file that parsed: what it would store.
#[derive(Debug, Clone, PartialEq)]
pub struct History {
    pub clients: Vec<HistoryClient>,
    pub rows: usize,
}

/// Errors found, in line order (at most [`MAX_LISTED_ERRORS`], `more` counts the rest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryErrors {
    pub errors: Vec<RowError>,
    pub more: usize,
}

struct Errors(Vec<RowError>);

impl Errors {
    fn add(&mut self, line: usize, column: Option<&'static str>, message: impl Into<String>) {
        self.0.push(RowError { line, column, message: message.into() });
    }
}

fn date(text: &str) -> Option<Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text, &format).ok()
}

fn shown(text: &str) -> String {
    let short: String = text.chars().take(40).filter(|c| !c.is_control()).collect();
    format!("`{short}`")
}

/// A session as first seen, with the line that named it.
struct SessionEntry {
    line: usize,
    held_on: Date,
    attended: bool,
    /// Per instrument: the line of its first answer and the answers with each item's line.
    responses: BTreeMap<String, (usize, Answers, BTreeMap<String, usize>)>,
}

type EpisodeKey = (String, String, Date);

/// Reads and checks the whole file; `today` bounds the dates.
pub fn parse(input: impl BufRead, catalog: &Catalog, today: Date) -> Result<History, HistoryErrors> {
    let mut errors = Errors(Vec::new());
    let mut episodes: BTreeMap<EpisodeKey, BTreeMap<u32, SessionEntry>> = BTreeMap::new();
    let mut bytes = 0u64;
    let mut rows = 0;
    let mut header = false;
    for (index, line) in input.split(b'\n').enumerate() {
        let line_no = index + 1;
        let raw = match line {
            Ok(raw) => raw,
            Err(e) => {
                errors.add(line_no, None, format!("cannot be read: {e}"));
                break;
            }
        };
        bytes += raw.len() as u64 + 1;
        if bytes > MAX_FILE_BYTES {
            errors.add(line_no, None, format!("the file is larger than {MAX_FILE_BYTES} bytes"));
            break;
        }
        if raw.len() > MAX_LINE_BYTES {
            errors.add(line_no, None, format!("longer than {MAX_LINE_BYTES} bytes"));
            continue;
        }
        let Ok(text) = std::str::from_utf8(&raw) else {
            errors.add(line_no, None, "not UTF-8 text");
            continue;
        };
        let text = text.trim_end_matches('\r');
        if !header {
            let found: Vec<&str> = text.trim_start_matches('\u{feff}').split(',').map(str::trim).collect();
            if found != COLUMNS {
                errors.add(line_no, None, format!("the header must be {}", COLUMNS.join(",")));
                break;
            }
            header = true;
            continue;
        }
        if text.trim().is_empty() {
            continue;
        }
        rows += 1;
        row(line_no, text, catalog, today, &mut episodes, &mut errors);
    }
    if !header && errors.0.is_empty() {
        errors.add(1, None, format!("the file is empty: expected the header {}", COLUMNS.join(",")));
    }
    let clients = assemble(episodes, catalog, &mut errors);
    if errors.0.is_empty() {
        return Ok(History { clients, rows });
    }
    let mut list = errors.0;
    list.sort_by_key(|e| e.line);
    let more = list.len().saturating_sub(MAX_LISTED_ERRORS);
    list.truncate(MAX_LISTED_ERRORS);
    Err(HistoryErrors { errors: list, more })
}

/// Checks one row and files it under its episode and session.
fn row(
    line: usize,
    text: &str,
    catalog: &Catalog,
    today: Date,
    episodes: &mut BTreeMap<EpisodeKey, BTreeMap<u32, SessionEntry>>,
    errors: &mut Errors,
) {
    // Free text is never imported, so no field needs quoting; a quote or a tenth field is an error.
    let fields: Vec<&str> = text.split(',').map(str::trim).collect();
    if fields.len() != COLUMNS.len() {
        errors.add(line, None, format!("{} fields, expected {}", fields.len(), COLUMNS.len()));
        return;
    }
    let before = errors.0.len();
    let pseudonym = Pseudonym::parse(fields[0]).map_err(|e| errors.add(line, Some("pseudonym"), e.to_string())).ok();
    let therapist = Email::parse(fields[1]).map_err(|e| errors.add(line, Some("therapist"), e.to_string())).ok();
    let started_on = date(fields[2]);
    if started_on.is_none() {
        errors.add(line, Some("started_on"), format!("{} is not a date (YYYY-MM-DD)", shown(fields[2])));
    }
    let number = fields[3].parse::<u32>().ok().filter(|n| (1..=1000).contains(n));
    if number.is_none() {
        errors.add(line, Some("session"), format!("{} is not a session number (1 to 1000)", shown(fields[3])));
    }
    let held_on = date(fields[4]);
    match (held_on, started_on) {
        (None, _) => errors.add(line, Some("held_on"), format!("{} is not a date (YYYY-MM-DD)", shown(fields[4]))),
        (Some(h), Some(s)) if h < s => errors.add(line, Some("held_on"), "before the episode started"),
        (Some(h), _) if h > today => errors.add(line, Some("held_on"), "in the future"),
        _ => {}
    }
    let attended = match fields[5].to_ascii_lowercase().as_str() {
        "yes" | "1" | "true" => Some(true),
        "no" | "0" | "false" => Some(false),
        _ => {
            errors.add(line, Some("attended"), format!("{} is not yes or no", shown(fields[5])));
            None
        }
    };
    let answer = answer(line, &fields[6..9], catalog, errors);
    if errors.0.len() > before {
        return;
    }
    let (Some(pseudonym), Some(therapist), Some(started_on), Some(number), Some(held_on), Some(attended)) =
        (pseudonym, therapist, started_on, number, held_on, attended)
    else {
        return;
    };
    let sessions =
        episodes.entry((therapist.as_str().to_owned(), pseudonym.as_str().to_owned(), started_on)).or_default();
    let entry =
        sessions.entry(number).or_insert_with(|| SessionEntry { line, held_on, attended, responses: BTreeMap::new() });
    if entry.held_on != held_on || entry.attended != attended {
        errors.add(
            line,
            Some("held_on"),
            format!("session {number} was given another date or attendance on line {}", entry.line),
        );
        return;
    }
    if let Some((instrument, item, value)) = answer {
        let (_, answers, lines) =
            entry.responses.entry(instrument).or_insert_with(|| (line, Answers::new(), BTreeMap::new()));
        if let Some(first) = lines.get(&item) {
            errors.add(line, Some("item"), format!("item {} was answered already on line {first}", shown(&item)));
            return;
        }
        lines.insert(item.clone(), line);
        answers.insert(item, value);
    }
}

/// The row's answer, if it has one: (instrument, item, answer).
fn answer(line: usize, fields: &[&str], catalog: &Catalog, errors: &mut Errors) -> Option<(String, String, Answer)> {
    let (instrument, item, value) = (fields[0], fields[1], fields[2]);
    if instrument.is_empty() {
        if !item.is_empty() || !value.is_empty() {
            errors.add(line, Some("instrument"), "an item or a value needs its instrument");
        }
        return None;
    }
    let Some(definition) = catalog.get(instrument) else {
        errors.add(line, Some("instrument"), format!("{} is not a known instrument", shown(instrument)));
        return None;
    };
    if definition.rater != Rater::Client {
        errors.add(line, Some("instrument"), format!("{} is not answered by clients", shown(instrument)));
        return None;
    }
    let Some(found) = definition.items.iter().find(|i| i.id == item) else {
        errors.add(line, Some("item"), format!("{} is not an item of {instrument}", shown(item)));
        return None;
    };
    let answer = match found.kind {
        ItemKind::Rating => match value.parse::<f64>() {
            Ok(v) if v.is_finite() => Answer::Value(v),
            _ => {
                errors.add(line, Some("value"), format!("{} is not a number", shown(value)));
                return None;
            }
        },
        ItemKind::Choice if found.choices.iter().any(|c| c.code == value) => Answer::Choice(value.to_owned()),
        ItemKind::Choice => {
            errors.add(line, Some("value"), format!("{} is not one of the item's choices", shown(value)));
            return None;
        }
        ItemKind::Checklist | ItemKind::Text => {
            errors.add(
                line,
                Some("item"),
                format!("{} is free text or a checklist, which are not imported", shown(item)),
            );
            return None;
        }
    };
    Some((instrument.to_owned(), item.to_owned(), answer))
}

/// Groups the checked rows into clients, checks that each episode's sessions run 1, 2, 3, ... in date order, and
/// scores each response.
fn assemble(
    episodes: BTreeMap<EpisodeKey, BTreeMap<u32, SessionEntry>>,
    catalog: &Catalog,
    errors: &mut Errors,
) -> Vec<HistoryClient> {
    let mut clients: BTreeMap<(String, String), HistoryClient> = BTreeMap::new();
    for ((therapist, pseudonym, started_on), sessions) in episodes {
        let mut held = Vec::new();
        let mut last_date = started_on;
        for (expected, (number, entry)) in (1u32..).zip(sessions) {
            if number != expected {
                errors.add(
                    entry.line,
                    Some("session"),
                    format!(
                        "session {number} follows session {}: sessions are numbered 1, 2, 3, ... without gaps",
                        expected - 1
                    ),
                );
                break;
            }
            if entry.held_on < last_date {
                errors.add(
                    entry.line,
                    Some("held_on"),
                    format!("session {number} is dated before the session before it"),
                );
            }
            last_date = entry.held_on;
            let mut responses = Vec::new();
            for (instrument, (line, answers, lines)) in entry.responses {
                let Some(definition) = catalog.get(&instrument) else { continue };
                match score(definition, &answers) {
                    Ok(scores) => {
                        responses.push(HistoryResponse { instrument, version: definition.version, answers, scores })
                    }
                    Err(e) => {
                        let at = match &e {
                            crate::scoring::AnswerError::Invalid { item, .. } => {
                                lines.get(item).copied().unwrap_or(line)
                            }
                            _ => line,
                        };
                        errors.add(at, Some("value"), format!("{instrument} in session {number}: {e}"));
                    }
                }
            }
            held.push(HistorySession { number, held_on: entry.held_on, attended: entry.attended, responses });
        }
        let (Ok(pseudonym_value), Ok(therapist_value)) = (Pseudonym::parse(&pseudonym), Email::parse(&therapist))
        else {
            continue;
        };
        clients
            .entry((therapist, pseudonym))
            .or_insert_with(|| HistoryClient {
                pseudonym: pseudonym_value,
                therapist: therapist_value,
                episodes: Vec::new(),
            })
            .episodes
            .push(HistoryEpisode { started_on, sessions: held });
    }
    clients.into_values().collect()
}
