//! The transparent coder: word lists and a few rules a clinician can read (see [`crate::lexicon`]). Needs no
//! data; it is the default and what the demo uses. Its figures on AnnoMI and EPITOME are in docs/SCIENCE.md.

use crate::labels::{Behaviour, Level, Mechanism, QuestionKind, ReflectionKind, TalkType};
use crate::lexicon as lx;
use crate::text::{Phrases, sentences, words};
use crate::{Coder, Turn};

pub struct RuleCoder {
    open: Phrases,
    closed: Phrases,
    lead_ins: Phrases,
    reflection: Phrases,
    input: Phrases,
    fillers: Phrases,
    complex: Phrases,
    change: Phrases,
    sustain: Phrases,
    negations: Phrases,
    emotion_strong: Phrases,
    emotion_weak: Phrases,
    interpret_strong: Phrases,
    interpret_weak: Phrases,
    explore_specific: Phrases,
    explore_generic: Phrases,
}

impl Default for RuleCoder {
    fn default() -> Self {
        RuleCoder::new()
    }
}

impl RuleCoder {
    pub fn new() -> RuleCoder {
        RuleCoder {
            open: Phrases::new(lx::OPEN_OPENERS),
            closed: Phrases::new(lx::CLOSED_OPENERS),
            lead_ins: Phrases::new(lx::LEAD_INS),
            reflection: Phrases::new(lx::REFLECTION_STARTS),
            input: Phrases::new(lx::INPUT_MARKS),
            fillers: Phrases::new(lx::FILLERS),
            complex: Phrases::new(lx::COMPLEX_MARKS),
            change: Phrases::new(lx::CHANGE_MARKS),
            sustain: Phrases::new(lx::SUSTAIN_MARKS),
            negations: Phrases::new(lx::NEGATIONS),
            emotion_strong: Phrases::new(lx::EMOTION_STRONG),
            emotion_weak: Phrases::new(lx::EMOTION_WEAK),
            interpret_strong: Phrases::new(lx::INTERPRET_STRONG),
            interpret_weak: Phrases::new(lx::INTERPRET_WEAK),
            explore_specific: Phrases::new(lx::EXPLORE_SPECIFIC),
            explore_generic: Phrases::new(lx::EXPLORE_GENERIC),
        }
    }

    /// Position of the first word after lead-ins ("so", "and", "well", ...).
    fn after_lead_ins(&self, w: &[String]) -> usize {
        let mut at = 0;
        while at < w.len() && self.lead_ins.starts_at(w, at) {
            at += 1;
        }
        at
    }

    fn only_fillers(&self, w: &[String]) -> bool {
        w.iter().all(|word| word == "?" || self.fillers.starts_at(std::slice::from_ref(word), 0))
    }

    /// The sentence that asks: the first ending in `?`, else one opening like a request ("tell me ...").
    fn question_sentence<'t>(&self, text: &'t str) -> Option<&'t str> {
        let all = sentences(text);
        all.iter().find(|s| s.ends_with('?')).copied().or_else(|| {
            all.into_iter().find(|s| {
                let w = words(s);
                let at = self.after_lead_ins(&w);
                ["tell", "describe", "help"].contains(&w.get(at).map_or("", String::as_str))
                    && self.open.starts_at(&w, at)
            })
        })
    }

    /// A question that only checks a reflection ("..., right?", "is that fair?").
    fn is_tag_question(&self, sentence: &str) -> bool {
        let w = words(sentence);
        let content: Vec<&String> = w.iter().filter(|x| x.as_str() != "?").collect();
        content.len() <= 4
            && content.iter().all(|x| {
                ["right", "is", "that", "am", "i", "okay", "ok", "yeah", "huh", "fair", "correct", "true", "it", "so"]
                    .contains(&x.as_str())
            })
    }

    fn negated_before(&self, w: &[String], at: usize) -> bool {
        let from = at.saturating_sub(3);
        (from..at).any(|i| self.negations.starts_at(w, i))
    }

    fn talk_score(&self, w: &[String]) -> i32 {
        let mut score = 0;
        let mut at = 0;
        while let Some((i, len)) = self.sustain.find_from(w, at) {
            score -= 2;
            at = i + len;
        }
        at = 0;
        while let Some((i, len)) = self.change.find_from(w, at) {
            // "I don't want to quit" is a reason to stay, not to change.
            score += if self.negated_before(w, i) { -1 } else { 2 };
            at = i + len;
        }
        score
    }
}

impl Coder for RuleCoder {
    fn behaviour(&self, turn: Turn<'_>) -> Behaviour {
        let w = words(turn.text);
        if w.is_empty() || (w.len() <= 6 && self.only_fillers(&w)) {
            return Behaviour::Other;
        }
        let start = self.after_lead_ins(&w);
        let reflective_start = self.reflection.starts_at(&w, start);
        if let Some(asking) = self.question_sentence(turn.text) {
            let others = sentences(turn.text).len() > 1;
            if !(self.is_tag_question(asking) && others && reflective_start) {
                return Behaviour::Question;
            }
            return Behaviour::Reflection;
        }
        if reflective_start {
            return Behaviour::Reflection;
        }
        if self.input.contains(&w) {
            return Behaviour::Input;
        }
        if w.len() <= 5 {
            return Behaviour::Other;
        }
        let you = w.iter().filter(|x| x.starts_with("you")).count();
        let me = w
            .iter()
            .filter(|x| matches!(x.as_str(), "i" | "i'm" | "i've" | "i'd" | "i'll" | "me" | "my" | "we"))
            .count();
        if you > me { Behaviour::Reflection } else { Behaviour::Input }
    }

    fn reflection_kind(&self, turn: Turn<'_>) -> ReflectionKind {
        let w = words(turn.text);
        if w.len() >= 18 || (w.len() >= 8 && self.complex.contains(&w)) {
            ReflectionKind::Complex
        } else {
            ReflectionKind::Simple
        }
    }

    fn question_kind(&self, turn: Turn<'_>) -> QuestionKind {
        let sentence = self.question_sentence(turn.text).unwrap_or(turn.text);
        let w = words(sentence);
        let at = self.after_lead_ins(&w);
        if w.iter().any(|x| x == "or") && !w.iter().any(|x| x == "what" || x == "how") {
            return QuestionKind::Closed;
        }
        if self.open.starts_at(&w, at) {
            return QuestionKind::Open;
        }
        if self.closed.starts_at(&w, at) {
            return QuestionKind::Closed;
        }
        // "And the drinking, how does it fit in?": a question word later in the sentence still opens it.
        if w.iter().any(|x| matches!(x.as_str(), "what" | "how" | "why")) {
            QuestionKind::Open
        } else {
            QuestionKind::Closed
        }
    }

    fn talk_type(&self, turn: Turn<'_>) -> TalkType {
        let w = words(turn.text);
        if w.len() <= 3 && self.only_fillers(&w) {
            return TalkType::Neutral;
        }
        match self.talk_score(&w) {
            s if s > 0 => TalkType::Change,
            s if s < 0 => TalkType::Sustain,
            _ => TalkType::Neutral,
        }
    }

    fn empathy(&self, _seeker: &str, response: &str, mechanism: Mechanism) -> Level {
        let w = words(response);
        let (strong, weak) = match mechanism {
            Mechanism::EmotionalReactions => (self.emotion_strong.contains(&w), self.emotion_weak.contains(&w)),
            Mechanism::Interpretations => (self.interpret_strong.contains(&w), self.interpret_weak.contains(&w)),
            Mechanism::Explorations => {
                let asking: Vec<String> =
                    sentences(response).into_iter().filter(|s| s.ends_with('?')).flat_map(words).collect();
                let specific = self.explore_specific.contains(&asking) && asking.len() >= 5;
                let generic = !asking.is_empty() || self.explore_generic.contains(&w);
                (specific, generic)
            }
        };
        if strong {
            Level::Strong
        } else if weak {
            Level::Weak
        } else {
            Level::None
        }
    }
}
