//! Session indicators from coded utterances, each with the utterances behind it (so a page can show what was
//! counted), and the MITI 4.2.1 summary thresholds where MITI has one (sources in docs/SCIENCE.md).

use crate::labels::{Behaviour, Level, Mechanism, QuestionKind, ReflectionKind, TalkType, TherapistCode};
use crate::speakers::{Role, RoledUtterance};
use crate::text::words;
use crate::{Coder, Turn};

/// One utterance of a session with its codes.
#[derive(Clone, Debug, PartialEq)]
pub struct CodedUtterance {
    pub role: Role,
    pub words: usize,
    /// Therapist utterances only.
    pub therapist: Option<TherapistCode>,
    /// Client utterances only.
    pub talk: Option<TalkType>,
    /// Therapist utterances that answer a client turn: levels of emotional reactions, interpretations and
    /// explorations, in that order.
    pub empathy: Option<[Level; 3]>,
}

/// Codes a session's utterances; each is read with the turn before it.
pub fn code_session(coder: &dyn Coder, utterances: &[RoledUtterance]) -> Vec<CodedUtterance> {
    let mut out = Vec::with_capacity(utterances.len());
    for (i, u) in utterances.iter().enumerate() {
        let before = i.checked_sub(1).map(|j| &utterances[j]);
        let turn = Turn { text: &u.text, previous: before.map(|b| b.text.as_str()) };
        let (therapist, talk, empathy) = match u.role {
            Role::Therapist => {
                let empathy = before.filter(|b| b.role == Role::Client).map(|b| {
                    [Mechanism::EmotionalReactions, Mechanism::Interpretations, Mechanism::Explorations]
                        .map(|m| coder.empathy(&b.text, &u.text, m))
                });
                (Some(coder.therapist(turn)), None, empathy)
            }
            Role::Client => (None, Some(coder.talk_type(turn)), None),
        };
        out.push(CodedUtterance { role: u.role, words: words(&u.text).len(), therapist, talk, empathy });
    }
    out
}

/// A ratio or share with the utterances it counts: `numerator` and `denominator` are utterance positions.
#[derive(Clone, Debug, PartialEq)]
pub struct Indicator {
    /// None when the denominator is empty (no questions asked, no reflections made...).
    pub value: Option<f64>,
    pub numerator: Vec<usize>,
    pub denominator: Vec<usize>,
}

impl Indicator {
    fn ratio(numerator: Vec<usize>, denominator: Vec<usize>) -> Indicator {
        let value = (!denominator.is_empty()).then(|| numerator.len() as f64 / denominator.len() as f64);
        Indicator { value, numerator, denominator }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct SessionIndicators {
    /// Reflections per question (MITI's R:Q); numerator the reflections, denominator the questions.
    pub reflection_to_question: Indicator,
    /// Complex reflections among reflections (MITI's %CR).
    pub complex_reflections: Indicator,
    /// Open questions among questions.
    pub open_questions: Indicator,
    /// Change talk among change and sustain talk (CLEAR's and MISC's percent change talk).
    pub change_talk: Indicator,
    /// The therapist's share of the words said; numerator and denominator list utterances, the value counts words.
    pub therapist_talk: Indicator,
    /// Per mechanism (emotional reactions, interpretations, explorations): therapist responses to a client turn
    /// that show it at level 1 or 2, among all such responses.
    pub empathy: [Indicator; 3],
}

pub fn indicators(coded: &[CodedUtterance]) -> SessionIndicators {
    let positions = |keep: &dyn Fn(&CodedUtterance) -> bool| -> Vec<usize> {
        coded.iter().enumerate().filter(|(_, c)| keep(c)).map(|(i, _)| i).collect()
    };
    let behaviour = |c: &CodedUtterance, b: Behaviour| c.therapist.is_some_and(|t| t.behaviour == b);
    let reflections = positions(&|c| behaviour(c, Behaviour::Reflection));
    let questions = positions(&|c| behaviour(c, Behaviour::Question));
    let complex = positions(&|c| c.therapist.is_some_and(|t| t.reflection == Some(ReflectionKind::Complex)));
    let open = positions(&|c| c.therapist.is_some_and(|t| t.question == Some(QuestionKind::Open)));
    let change = positions(&|c| c.talk == Some(TalkType::Change));
    let directional = positions(&|c| matches!(c.talk, Some(TalkType::Change | TalkType::Sustain)));
    let therapist = positions(&|c| c.role == Role::Therapist);
    let all: Vec<usize> = (0..coded.len()).collect();
    let therapist_words: usize = therapist.iter().map(|&i| coded[i].words).sum();
    let all_words: usize = coded.iter().map(|c| c.words).sum();
    let responses = positions(&|c| c.empathy.is_some());
    let empathy = [0, 1, 2].map(|m| {
        let shown = positions(&|c| c.empathy.is_some_and(|levels| levels[m] != Level::None));
        Indicator::ratio(shown, responses.clone())
    });
    SessionIndicators {
        reflection_to_question: Indicator::ratio(reflections.clone(), questions.clone()),
        complex_reflections: Indicator::ratio(complex, reflections),
        open_questions: Indicator::ratio(open, questions),
        change_talk: Indicator::ratio(change, directional),
        therapist_talk: Indicator {
            value: (all_words > 0).then(|| therapist_words as f64 / all_words as f64),
            numerator: therapist,
            denominator: all,
        },
        empathy,
    }
}

/// Where a summary score stands against MITI 4.2.1's thresholds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MitiBand {
    BelowFair,
    Fair,
    Good,
}

/// MITI 4.2.1 thresholds (fair, good): R:Q 1:1 and 2:1; %CR 40 % and 50 % (docs/SCIENCE.md, *Session
/// transcripts*, gives the sources and what is unverified).
pub const MITI_REFLECTION_TO_QUESTION: (f64, f64) = (1.0, 2.0);
pub const MITI_COMPLEX_REFLECTIONS: (f64, f64) = (0.40, 0.50);

pub fn miti_band(value: f64, (fair, good): (f64, f64)) -> MitiBand {
    if value >= good {
        MitiBand::Good
    } else if value >= fair {
        MitiBand::Fair
    } else {
        MitiBand::BelowFair
    }
}
