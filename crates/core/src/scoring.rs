//! One scoring engine for every instrument: answer checking, reverse keys, the missing-item rule, bands,
//! cut-offs and critical items, all driven by the definition.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::instrument::{Aggregation, Instrument, Item, ItemKind};

/// One answer as given by the respondent (before reverse keying).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Answer {
    Value(f64),
    Choice(String),
    Choices(Vec<String>),
    Text(String),
}

pub type Answers = BTreeMap<String, Answer>;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnswerError {
    #[error("`{0}` is not a question of this form")]
    UnknownItem(String),
    #[error("question `{item}`: {problem}")]
    Invalid { item: String, problem: String },
    #[error("question `{0}` needs an answer")]
    Required(String),
    #[error("the form has too many fields")]
    TooManyFields,
}

/// The score of one scale, or why it could not be scored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScaleScore {
    pub scale: String,
    /// `None` when more items are missing than the rule allows.
    pub value: Option<f64>,
    pub answered: usize,
    pub missing: usize,
    /// True when missing items were replaced by the mean of the answered ones.
    pub prorated: bool,
    pub band: Option<String>,
    /// On the clinical or concern side of the cut-off.
    pub concern: Option<bool>,
}

/// A critical item answered at or above its threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskFlag {
    pub item: String,
    pub value: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreSet {
    pub scales: Vec<ScaleScore>,
    pub flags: ResponseFlags,
}

/// What a response raised beyond its scores: critical items and the instrument's indicators that are present.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ResponseFlags {
    pub risks: Vec<RiskFlag>,
    pub indicators: Vec<String>,
}

impl ResponseFlags {
    pub fn has(&self, indicator: &str) -> bool {
        self.indicators.iter().any(|i| i == indicator)
    }
}

impl ScoreSet {
    pub fn get(&self, scale: &str) -> Option<&ScaleScore> {
        self.scales.iter().find(|s| s.scale == scale)
    }

    pub fn value(&self, scale: &str) -> Option<f64> {
        self.get(scale).and_then(|s| s.value)
    }
}

/// Checks every answer against the definition. With `complete`, required items that are shown must be answered.
pub fn check(instrument: &Instrument, answers: &Answers, complete: bool) -> Result<(), AnswerError> {
    for (id, answer) in answers {
        let item = instrument.item(id).ok_or_else(|| AnswerError::UnknownItem(id.clone()))?;
        check_one(instrument, item, answer)?;
    }
    if complete {
        for item in &instrument.items {
            if item.required && is_shown(item, answers) && !answers.contains_key(&item.id) {
                return Err(AnswerError::Required(item.id.clone()));
            }
        }
    }
    Ok(())
}

/// Whether a conditional item applies, given the answers so far.
pub fn is_shown(item: &Item, answers: &Answers) -> bool {
    let Some(condition) = &item.shown_if else {
        return true;
    };
    match answers.get(&condition.item) {
        Some(Answer::Choice(code)) => condition.any_of.contains(code),
        Some(Answer::Choices(codes)) => codes.iter().any(|c| condition.any_of.contains(c)),
        _ => false,
    }
}

fn check_one(instrument: &Instrument, item: &Item, answer: &Answer) -> Result<(), AnswerError> {
    let invalid = |problem: String| AnswerError::Invalid { item: item.id.clone(), problem };
    match (item.kind, answer) {
        (ItemKind::Rating, Answer::Value(v)) => {
            let set = instrument.options_of(item).ok_or_else(|| invalid("has no option set".into()))?;
            if !set.accepts(*v) {
                let (lo, hi) = set.bounds().unwrap_or((0.0, 0.0));
                return Err(invalid(format!("{v} is not an allowed answer ({lo} to {hi})")));
            }
        }
        (ItemKind::Choice, Answer::Choice(code)) => {
            if !item.choices.iter().any(|c| &c.code == code) {
                return Err(invalid("not one of the choices".into()));
            }
        }
        (ItemKind::Checklist, Answer::Choices(codes)) => {
            for (i, code) in codes.iter().enumerate() {
                if !item.choices.iter().any(|c| &c.code == code) || codes[..i].contains(code) {
                    return Err(invalid("not one of the choices, or chosen twice".into()));
                }
            }
        }
        (ItemKind::Text, Answer::Text(text)) => {
            let limit = item.max_length.unwrap_or(0);
            if text.chars().count() > limit {
                return Err(invalid(format!("longer than {limit} characters")));
            }
            // The one text policy (docs/ARCHITECTURE.md#free-text): line breaks and tabs, no other control or
            // direction-changing characters (issue 14, finding 10: the private note took NUL).
            if !crate::text_policy::multi_line_allowed(text) {
                return Err(invalid(
                    "contains characters that are not allowed (control or text-direction characters)".into(),
                ));
            }
        }
        _ => return Err(invalid("wrong kind of answer".into())),
    }
    Ok(())
}

/// Scores a set of answers. Answers are checked first; incomplete forms score by the missing-item rule.
pub fn score(instrument: &Instrument, answers: &Answers) -> Result<ScoreSet, AnswerError> {
    check(instrument, answers, false)?;
    let scales = instrument
        .scales
        .iter()
        .map(|scale| {
            let mut keyed = Vec::with_capacity(scale.items.len());
            for id in &scale.items {
                if let (Some(item), Some(Answer::Value(v))) = (instrument.item(id), answers.get(id)) {
                    keyed.push(keyed_value(instrument, item, *v));
                }
            }
            let answered = keyed.len();
            let missing = scale.items.len() - answered;
            let value = (answered > 0 && missing <= scale.missing.max_missing).then(|| {
                let mean = keyed.iter().sum::<f64>() / answered as f64;
                match scale.method {
                    Aggregation::Sum => mean * scale.items.len() as f64,
                    Aggregation::Mean => mean,
                }
            });
            ScaleScore {
                scale: scale.id.clone(),
                value,
                answered,
                missing,
                prorated: value.is_some() && missing > 0,
                band: value.and_then(|v| scale.band_of(v)).map(|b| b.label.clone()),
                concern: value.and_then(|v| scale.in_concern_range(v)),
            }
        })
        .collect();
    let risks = risk_flags(instrument, answers);
    let indicators = instrument
        .indicators
        .iter()
        .filter(|ind| {
            instrument.item(&ind.item).is_some_and(|item| is_shown(item, answers))
                && match answers.get(&ind.item) {
                    Some(Answer::Choice(code)) => ind.any_of.contains(code),
                    Some(Answer::Choices(codes)) => codes.iter().any(|c| ind.any_of.contains(c)),
                    _ => false,
                }
        })
        .map(|ind| ind.id.clone())
        .collect();
    Ok(ScoreSet { scales, flags: ResponseFlags { risks, indicators } })
}

/// The critical items (PHQ-9 item 9) answered at or above their threshold: the one rule for risk in answers,
/// which scoring applies to every response and which also decides whether answers that cannot be stored (a used
/// or expired link) still get the crisis information.
pub fn risk_flags(instrument: &Instrument, answers: &Answers) -> Vec<RiskFlag> {
    instrument
        .items
        .iter()
        .filter_map(|item| {
            let threshold = item.risk_threshold?;
            match answers.get(&item.id) {
                Some(Answer::Value(v)) if *v >= threshold => Some(RiskFlag { item: item.id.clone(), value: *v }),
                _ => None,
            }
        })
        .collect()
}

/// The value an answer contributes to a score: reverse-keyed items are mirrored within their option range.
fn keyed_value(instrument: &Instrument, item: &Item, value: f64) -> f64 {
    match (item.reverse, instrument.options_of(item).and_then(|s| s.bounds())) {
        (true, Some((low, high))) => low + high - value,
        _ => value,
    }
}

/// Upper bound on the fields a form post may carry, well above any instrument's needs.
pub const MAX_FORM_FIELDS: usize = 200;

/// Turns raw form fields (`name=value` pairs, names as the item ids) into typed answers. Empty values count
/// as unanswered; fields that are not items of the instrument are refused.
pub fn parse_fields<'a>(
    instrument: &Instrument,
    fields: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<Answers, AnswerError> {
    let mut answers = Answers::new();
    for (count, (name, raw)) in fields.into_iter().enumerate() {
        if count >= MAX_FORM_FIELDS {
            return Err(AnswerError::TooManyFields);
        }
        let item = instrument.item(name).ok_or_else(|| AnswerError::UnknownItem(truncate(name)))?;
        let raw = raw.trim();
        if raw.is_empty() {
            continue;
        }
        let invalid = |problem: &str| AnswerError::Invalid { item: item.id.clone(), problem: problem.to_owned() };
        match item.kind {
            ItemKind::Rating => {
                if raw.len() > 16 {
                    return Err(invalid("not a number"));
                }
                let value: f64 = raw.parse().map_err(|_| invalid("not a number"))?;
                if answers.insert(item.id.clone(), Answer::Value(value)).is_some() {
                    return Err(invalid("answered twice"));
                }
            }
            ItemKind::Choice => {
                if answers.insert(item.id.clone(), Answer::Choice(raw.to_owned())).is_some() {
                    return Err(invalid("answered twice"));
                }
            }
            ItemKind::Checklist => {
                match answers.entry(item.id.clone()).or_insert_with(|| Answer::Choices(Vec::new())) {
                    Answer::Choices(codes) => codes.push(raw.to_owned()),
                    _ => return Err(invalid("wrong kind of answer")),
                }
            }
            ItemKind::Text => {
                // Browsers send a text area's line breaks as CRLF: kept as LF, as every other text.
                if answers.insert(item.id.clone(), Answer::Text(raw.replace("\r\n", "\n"))).is_some() {
                    return Err(invalid("answered twice"));
                }
            }
        }
    }
    // Answers to questions that do not apply (e.g. the rupture kind when there was no rupture) are dropped,
    // so a stale field from a changed answer never reaches storage. Conditions point at earlier items, so one
    // pass in item order also settles chains.
    for item in &instrument.items {
        if answers.contains_key(&item.id) && !is_shown(item, &answers) {
            answers.remove(&item.id);
        }
    }
    Ok(answers)
}

fn truncate(name: &str) -> String {
    name.chars().take(40).collect()
}
