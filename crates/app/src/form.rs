//! From a questionnaire form's fields to typed, checked and scored answers: the one pipeline that the client's
//! check (several questionnaires on one page, fields named `instrument.item`) and the therapist's reflection (one
//! questionnaire, fields named by item) share. A form with a problem comes back with what was given so far, so
//! the person only fixes the marked question; a field that belongs to no question is refused outright, because
//! no page of ours sends one.

use alliance_core::instrument::Instrument;
use alliance_core::scoring::{self, AnswerError, Answers, RiskFlag, ScoreSet};

use crate::AppError;

/// One questionnaire of a form: its definition and the prefix its fields are named with.
#[derive(Clone, Copy)]
pub struct Section<'a> {
    pub instrument: &'a Instrument,
    pub prefix: &'a str,
}

/// The typed answers to one questionnaire and their scores, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    pub answers: Answers,
    pub scores: ScoreSet,
}

impl Scored {
    /// The critical items these answers raised (scoring's risk flags).
    pub fn risks(&self) -> &[RiskFlag] {
        &self.scores.flags.risks
    }
}

/// What a form's fields amount to.
#[derive(Debug, Clone, PartialEq)]
pub enum FormReading {
    /// Every questionnaire complete and valid, in the order of the sections.
    Scored(Vec<Scored>),
    /// Something needs fixing: what was given so far for each section (to show again), and the first problem with
    /// the index of its section.
    Invalid { given: Vec<Answers>, section: usize, error: AnswerError },
}

impl FormReading {
    /// Whether the answers mention risk, by scoring's own rule, also when they are incomplete.
    pub fn mentions_risk(&self, sections: &[Section<'_>]) -> bool {
        match self {
            FormReading::Scored(scored) => scored.iter().any(|s| !s.risks().is_empty()),
            FormReading::Invalid { given, .. } => {
                sections.iter().zip(given).any(|(s, answers)| !scoring::risk_flags(s.instrument, answers).is_empty())
            }
        }
    }
}

/// Reads, checks and scores the fields of a form made of `sections`. Every field must belong to one of them.
pub fn read_form(sections: &[Section<'_>], fields: &[(&str, &str)]) -> Result<FormReading, AppError> {
    refuse_foreign_fields(sections, fields)?;
    let mut given = Vec::with_capacity(sections.len());
    let mut failure = None;
    for (index, section) in sections.iter().enumerate() {
        match read_section(section, fields)? {
            Ok(answers) => given.push(answers),
            Err((partial, error)) => {
                given.push(partial);
                failure.get_or_insert((index, error));
            }
        }
    }
    if let Some((section, error)) = failure {
        return Ok(FormReading::Invalid { given, section, error });
    }
    let scored = sections.iter().zip(given).map(|(section, answers)| score(section.instrument, answers));
    Ok(FormReading::Scored(scored.collect::<Result<_, _>>()?))
}

/// The same for a form of one questionnaire whose fields are named by item: its scored answers, or what was given
/// so far and the first problem.
pub fn read_questionnaire(
    instrument: &Instrument,
    fields: &[(&str, &str)],
) -> Result<Result<Scored, (Answers, AnswerError)>, AppError> {
    let section = Section { instrument, prefix: "" };
    Ok(match read_section(&section, fields)? {
        Ok(answers) => Ok(score(instrument, answers)?),
        Err(invalid) => Err(invalid),
    })
}

fn refuse_foreign_fields(sections: &[Section<'_>], fields: &[(&str, &str)]) -> Result<(), AppError> {
    if fields.iter().any(|(name, _)| !sections.iter().any(|s| name.starts_with(s.prefix))) {
        return Err(AppError::UnknownField);
    }
    Ok(())
}

/// One section's answers, complete and valid; or, when something needs fixing, what was given so far (so that
/// only the marked question needs answering again) and the problem.
fn read_section(
    section: &Section<'_>,
    fields: &[(&str, &str)],
) -> Result<Result<Answers, (Answers, AnswerError)>, AppError> {
    let own = || fields.iter().filter_map(|(name, value)| Some((name.strip_prefix(section.prefix)?, *value)));
    let checked = scoring::parse_fields(section.instrument, own()).and_then(|answers| {
        scoring::check(section.instrument, &answers, true)?;
        Ok(answers)
    });
    match checked {
        Ok(answers) => Ok(Ok(answers)),
        Err(AnswerError::TooManyFields) => Err(AppError::TooManyFields),
        Err(AnswerError::UnknownItem(_)) => Err(AppError::UnknownField),
        Err(error) => Ok(Err((scoring::parse_fields(section.instrument, own()).unwrap_or_default(), error))),
    }
}

fn score(instrument: &Instrument, answers: Answers) -> Result<Scored, AppError> {
    let scores = scoring::score(instrument, &answers).map_err(AppError::Unscorable)?;
    Ok(Scored { answers, scores })
}
