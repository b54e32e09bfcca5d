//! Readers of the AnnoMI and EPITOME CSV files (read from what the caller passes in). Only the columns used
//! are required; labels that are absent or "n/a" are read as no label.

use std::collections::HashMap;
use std::io::Read;

use thiserror::Error;

use crate::labels::{Behaviour, Label, Level, QuestionKind, ReflectionKind, TalkType};
use crate::speakers::Role;

#[derive(Debug, Error)]
pub enum DataError {
    #[error("not a CSV file: {0}")]
    Csv(String),
    #[error("the file lacks the column {0:?}")]
    MissingColumn(&'static str),
    #[error("row {row}: interlocutor {found:?} is neither therapist nor client")]
    BadInterlocutor { row: usize, found: String },
    #[error("row {row}: level {found:?} is not 0, 1 or 2")]
    BadLevel { row: usize, found: String },
    #[error("the file has no rows")]
    Empty,
}

/// One row of an AnnoMI file (simple or full).
#[derive(Clone, Debug)]
pub struct AnnomiUtterance {
    pub transcript_id: String,
    pub utterance_id: String,
    pub role: Role,
    pub text: String,
    /// The text of the transcript's previous utterance (another utterance id), when there is one.
    pub previous: Option<String>,
    /// "high" or "low" when the file says.
    pub mi_quality: Option<String>,
    pub behaviour: Option<Behaviour>,
    pub talk_type: Option<TalkType>,
    /// Set only for utterances whose main behaviour is a reflection.
    pub reflection: Option<ReflectionKind>,
    /// Set only for utterances whose main behaviour is a question.
    pub question: Option<QuestionKind>,
}

fn column(headers: &csv::StringRecord, name: &'static str) -> Result<usize, DataError> {
    headers.iter().position(|h| h.trim() == name).ok_or(DataError::MissingColumn(name))
}

fn optional(headers: &csv::StringRecord, name: &str) -> Option<usize> {
    headers.iter().position(|h| h.trim() == name)
}

/// Every row of an AnnoMI file, in file order. The full file repeats an utterance once per annotator: see
/// [`first_annotation`].
pub fn read_annomi(input: impl Read) -> Result<Vec<AnnomiUtterance>, DataError> {
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(input);
    let headers = reader.headers().map_err(|e| DataError::Csv(e.to_string()))?.clone();
    let transcript = column(&headers, "transcript_id")?;
    let utterance = column(&headers, "utterance_id")?;
    let interlocutor = column(&headers, "interlocutor")?;
    let text = column(&headers, "utterance_text")?;
    let quality = optional(&headers, "mi_quality");
    let behaviour = optional(&headers, "main_therapist_behaviour");
    let talk = optional(&headers, "client_talk_type");
    let reflection = optional(&headers, "reflection_subtype");
    let question = optional(&headers, "question_subtype");
    let mut out: Vec<AnnomiUtterance> = Vec::new();
    // Per transcript: the last utterance id seen, its text, and the text of the one before it.
    let mut last: HashMap<String, (String, String, Option<String>)> = HashMap::new();
    for (k, record) in reader.records().enumerate() {
        let record = record.map_err(|e| DataError::Csv(e.to_string()))?;
        let row = k + 2;
        let field = |i: usize| record.get(i).unwrap_or("").to_owned();
        let label = |i: Option<usize>| i.and_then(|i| record.get(i)).unwrap_or("").to_owned();
        let role = match field(interlocutor).trim() {
            "therapist" => Role::Therapist,
            "client" => Role::Client,
            other => return Err(DataError::BadInterlocutor { row, found: other.chars().take(40).collect() }),
        };
        let (tid, uid, said) = (field(transcript), field(utterance), field(text));
        let previous = match last.get(&tid) {
            Some((id, _, before)) if *id == uid => before.clone(),
            Some((_, text, _)) => Some(text.clone()),
            None => None,
        };
        last.insert(tid.clone(), (uid.clone(), said.clone(), previous.clone()));
        let main = Behaviour::parse(&label(behaviour));
        out.push(AnnomiUtterance {
            transcript_id: tid,
            utterance_id: uid,
            role,
            text: said,
            previous,
            mi_quality: quality.and_then(|i| record.get(i)).map(|q| q.trim().to_owned()).filter(|q| !q.is_empty()),
            behaviour: main,
            talk_type: TalkType::parse(&label(talk)),
            reflection: ReflectionKind::parse(&label(reflection)).filter(|_| main == Some(Behaviour::Reflection)),
            question: QuestionKind::parse(&label(question)).filter(|_| main == Some(Behaviour::Question)),
        });
    }
    if out.is_empty() {
        return Err(DataError::Empty);
    }
    Ok(out)
}

/// One coding per utterance: the first annotator's (the full file repeats utterances once per annotator).
pub fn first_annotation(rows: &[AnnomiUtterance]) -> Vec<AnnomiUtterance> {
    let mut seen = std::collections::HashSet::new();
    rows.iter().filter(|r| seen.insert((r.transcript_id.clone(), r.utterance_id.clone()))).cloned().collect()
}

/// One seeker post and peer response of an EPITOME file.
#[derive(Clone, Debug)]
pub struct EpitomePair {
    pub sp_id: String,
    pub rp_id: String,
    pub seeker: String,
    pub response: String,
    pub level: Option<Level>,
}

pub fn read_epitome(input: impl Read) -> Result<Vec<EpitomePair>, DataError> {
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(input);
    let headers = reader.headers().map_err(|e| DataError::Csv(e.to_string()))?.clone();
    let (sp, rp) = (column(&headers, "sp_id")?, column(&headers, "rp_id")?);
    let (seeker, response) = (column(&headers, "seeker_post")?, column(&headers, "response_post")?);
    let level = optional(&headers, "level");
    let mut out = Vec::new();
    for (k, record) in reader.records().enumerate() {
        let record = record.map_err(|e| DataError::Csv(e.to_string()))?;
        let field = |i: usize| record.get(i).unwrap_or("").to_owned();
        let level = match level.and_then(|i| record.get(i)).map(str::trim) {
            None | Some("") => None,
            Some(text) => Some(
                Level::parse(text)
                    .ok_or_else(|| DataError::BadLevel { row: k + 2, found: text.chars().take(20).collect() })?,
            ),
        };
        out.push(EpitomePair {
            sp_id: field(sp),
            rp_id: field(rp),
            seeker: field(seeker),
            response: field(response),
            level,
        });
    }
    if out.is_empty() {
        return Err(DataError::Empty);
    }
    Ok(out)
}
