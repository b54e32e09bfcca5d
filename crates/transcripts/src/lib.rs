//! Session transcripts: what was said in a session, coded for the relationship. Pure: no clock, no IO beyond
//! reading what a caller passes in.
//!
//! - [`parse`]: WebVTT, SRT and plain `Speaker: text` transcripts, with a size limit and clear errors;
//!   [`speakers`]: mapping speakers to therapist and client.
//! - [`labels`]: the codes (AnnoMI's therapist behaviour and client talk, EPITOME's empathy mechanisms).
//! - [`Coder`]: one trait, two coders: [`rules::RuleCoder`] (a transparent lexicon, the default, no data) and
//!   [`trained::TrainedCoder`] (hashed word n-grams and multinomial logistic regression, trained by the caller).
//! - [`indicators`]: session indicators with the utterances behind each; [`ruptures`]: withdrawal and
//!   confrontation markers (heuristic, not validated).
//! - [`data`]: readers of the AnnoMI and EPITOME CSV formats; [`eval`]: grouped cross-validation and macro-F1.
#![forbid(unsafe_code)]

pub mod batch;
pub mod data;
pub mod eval;
pub mod indicators;
pub mod labels;
mod lexicon;
pub mod logreg;
pub mod parse;
pub mod rules;
pub mod ruptures;
pub mod speakers;
pub mod text;
pub mod trained;

pub use labels::{Behaviour, Level, Mechanism, QuestionKind, ReflectionKind, TalkType, TherapistCode};

/// One utterance to code and the turn before it (the other speaker's, when there is one), which both coders
/// read as context.
#[derive(Clone, Copy, Debug)]
pub struct Turn<'a> {
    pub text: &'a str,
    pub previous: Option<&'a str>,
}

/// What every coder codes. The subtype methods are asked only of utterances already known to be reflections or
/// questions (by the coder itself in [`Coder::therapist`], or by a gold label when evaluating).
pub trait Coder {
    fn behaviour(&self, turn: Turn<'_>) -> Behaviour;
    fn reflection_kind(&self, turn: Turn<'_>) -> ReflectionKind;
    fn question_kind(&self, turn: Turn<'_>) -> QuestionKind;
    fn talk_type(&self, turn: Turn<'_>) -> TalkType;
    /// The empathy of `response` to `seeker` (the client's turn) on one mechanism.
    fn empathy(&self, seeker: &str, response: &str, mechanism: Mechanism) -> Level;

    /// A therapist utterance's behaviour with the subtype that applies to it.
    fn therapist(&self, turn: Turn<'_>) -> TherapistCode {
        let behaviour = self.behaviour(turn);
        TherapistCode {
            behaviour,
            reflection: (behaviour == Behaviour::Reflection).then(|| self.reflection_kind(turn)),
            question: (behaviour == Behaviour::Question).then(|| self.question_kind(turn)),
        }
    }
}
