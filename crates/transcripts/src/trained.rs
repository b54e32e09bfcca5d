//! The trained coder: hashed word 1-2-grams of the utterance, a few positional features (how sentences and
//! questions start, length), counts of the rule coder's word lists, and the previous turn's words as context,
//! into one multinomial logistic regression per task. Trained by the caller on data it supplies (`alliance
//! transcripts train`); the model file is the practice's own, never part of Alliance (AnnoMI's and EPITOME's
//! licences are unclear). A task the model lacks falls back to rules.

use thiserror::Error;

use crate::batch;
use crate::labels::{Behaviour, Label, Level, Mechanism, QuestionKind, ReflectionKind, TalkType, TherapistCode};
use crate::lexicon as lx;
use crate::logreg::{Features, LogReg, TrainOptions};
use crate::rules::RuleCoder;
use crate::text::{fnv1a, words, words_into};
use crate::{Coder, Turn};
use std::collections::HashMap;

/// The tasks a model may carry, in file order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Task {
    Behaviour,
    TalkType,
    ReflectionKind,
    QuestionKind,
    EmotionalReactions,
    Interpretations,
    Explorations,
}

impl Task {
    pub const ALL: [Task; 7] = [
        Task::Behaviour,
        Task::TalkType,
        Task::ReflectionKind,
        Task::QuestionKind,
        Task::EmotionalReactions,
        Task::Interpretations,
        Task::Explorations,
    ];

    pub fn classes(self) -> usize {
        match self {
            Task::Behaviour => Behaviour::ALL.len(),
            Task::TalkType => TalkType::ALL.len(),
            Task::ReflectionKind => ReflectionKind::ALL.len(),
            Task::QuestionKind => QuestionKind::ALL.len(),
            _ => Level::ALL.len(),
        }
    }

    pub fn of_mechanism(mechanism: Mechanism) -> Task {
        match mechanism {
            Mechanism::EmotionalReactions => Task::EmotionalReactions,
            Mechanism::Interpretations => Task::Interpretations,
            Mechanism::Explorations => Task::Explorations,
        }
    }

    /// EPITOME's tasks, which the model reads without the seeker's post (see [`crate::eval::training_set`]).
    pub fn is_empathy(self) -> bool {
        matches!(self, Task::EmotionalReactions | Task::Interpretations | Task::Explorations)
    }

    fn position(self) -> usize {
        Task::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }
}

/// The hashed feature space: 2^17 slots keeps collisions rare for a vocabulary of tens of thousands of n-grams.
pub const DEFAULT_DIM_BITS: u32 = 17;

/// Features of an utterance and its context. `words` is scratch space reused between calls.
///
/// Two blocks, each scaled to its own length so that a long previous turn (a Reddit post, a client's story)
/// cannot drown the utterance: the utterance (word 1-2-grams, how each sentence starts, how its questions
/// start, its length, how much of it repeats the previous turn) at unit length, and the context's words at
/// [`CONTEXT_WEIGHT`].
pub fn features(text: &str, context: Option<&str>, dim_bits: u32, words: &mut Vec<String>) -> Features {
    let mask = (1u64 << dim_bits) - 1;
    let slot = |h: u64| ((h ^ (h >> 29)) & mask) as u32;
    let mut out: Features = Vec::with_capacity(96);
    let context_words: Vec<u64> = match context {
        Some(context) => {
            words_into(context, words);
            words.iter().map(|w| fnv1a(1, w.as_bytes())).collect()
        }
        None => Vec::new(),
    };
    let mut context_sorted = context_words.clone();
    context_sorted.sort_unstable();
    words_into(text, words);
    let hashes: Vec<u64> = words.iter().map(|w| fnv1a(1, w.as_bytes())).collect();
    for (i, h) in hashes.iter().enumerate() {
        out.push((slot(*h), 1.0));
        let before = if i == 0 { 0x5eed } else { hashes[i - 1] };
        out.push((slot(mix(before, *h, 2)), 1.0));
    }
    out.push((slot(mix(hashes.last().copied().unwrap_or(0), 0x3e0f, 2)), 1.0));
    // Where each sentence starts carries the question type and the reflection ("so you ...", "do you ...");
    // a question's first words say open or closed.
    let mut sentence_start = true;
    let mut sentence: Vec<u64> = Vec::new();
    for (i, w) in words.iter().enumerate() {
        if sentence_start {
            let (a, b) = (hashes[i], hashes.get(i + 1).copied().unwrap_or(0));
            out.push((slot(mix(a, 0, 3)), 1.0));
            out.push((slot(mix(a, b, 4)), 1.0));
            sentence.clear();
            sentence_start = false;
        }
        sentence.push(hashes[i]);
        if w == "?" {
            for (k, h) in sentence.iter().take(3).enumerate() {
                out.push((slot(mix(*h, k as u64, 11)), 1.0));
            }
            if let [a, b, ..] = sentence.as_slice() {
                out.push((slot(mix(*a, *b, 12)), 1.0));
            }
            out.push((slot(mix(length_bucket(sentence.len()), 0, 13)), 1.0));
            sentence_start = true;
        }
    }
    out.push((slot(mix(hashes.last().copied().unwrap_or(0), 0, 5)), 1.0));
    out.push((slot(mix(length_bucket(hashes.len()), 0, 8)), 1.0));
    // The rule coder's word lists, as counts: what a clinician already knows marks each code, for the model
    // to weigh.
    let mut counts = [0u64; LIST_COUNT];
    for i in 0..hashes.len() {
        for (list, parts) in LISTS.get(&hashes[i]).map_or(&[][..], Vec::as_slice) {
            counts[*list] += u64::from(hashes[i..].starts_with(parts));
        }
    }
    for (k, n) in counts.iter().enumerate().filter(|(_, n)| **n > 0) {
        out.push((slot(mix(k as u64, (*n).min(3), 16)), 1.0));
    }
    let questions = words.iter().filter(|w| *w == "?").count() as u64;
    out.push((slot(mix(questions.min(3), 0, 14)), 1.0));
    // A simple reflection repeats the client's words; a complex one adds its own.
    if !context_words.is_empty() && !hashes.is_empty() {
        let repeated = hashes.iter().filter(|h| context_sorted.binary_search(h).is_ok()).count();
        let tenth = (10 * repeated / hashes.len()) as u64;
        out.push((slot(mix(tenth, 0, 15)), 1.0));
    }
    scale(&mut out, 0, 1.0);
    let utterance_end = out.len();
    if context.is_some() {
        for h in &context_words {
            out.push((slot(mix(*h, 0, 6)), 1.0));
        }
        out.push((slot(mix(context_words.last().copied().unwrap_or(0), 0, 7)), 1.0));
        out.push((slot(mix(length_bucket(context_words.len()), 0, 9)), 1.0));
    } else {
        out.push((slot(mix(0xc0, 0, 10)), 1.0));
    }
    scale(&mut out, utterance_end, CONTEXT_WEIGHT);
    out
}

/// The features of one task, as training and coding both compute them:
/// - AnnoMI's tasks: the shared [`features`] and what the rule coder decides (its behaviour, reflection and
///   question codes, or its talk type), so the model learns when to trust the rules (question type went from .70
///   to .76 macro-F1);
/// - the empathy tasks: the same features with every value 1, the binary n-grams that the NB weighting of
///   [`batch::fit_nb_one_vs_rest`] expects.
pub fn task_features(
    rules: &RuleCoder,
    task: Task,
    text: &str,
    context: Option<&str>,
    dim_bits: u32,
    scratch: &mut Vec<String>,
) -> Features {
    let mut out = features(text, context, dim_bits, scratch);
    let turn = Turn { text, previous: context };
    let therapist;
    let decided: &[(u64, usize)] = match task {
        Task::Behaviour | Task::ReflectionKind | Task::QuestionKind => {
            therapist = [
                (1, rules.behaviour(turn).index()),
                (2, rules.reflection_kind(turn).index()),
                (3, rules.question_kind(turn).index()),
            ];
            &therapist
        }
        Task::TalkType => &[(4, rules.talk_type(turn).index())],
        Task::EmotionalReactions | Task::Interpretations | Task::Explorations => {
            for f in &mut out {
                f.1 = 1.0;
            }
            return out;
        }
    };
    let mask = (1u64 << dim_bits) - 1;
    for (list, code) in decided {
        let h = mix(*list, *code as u64, 21);
        out.push((((h ^ (h >> 29)) & mask) as u32, RULE_WEIGHT));
    }
    out
}

/// The weight of a rule decision beside an utterance block of unit length (0.5 and 1.0 scored the same).
const RULE_WEIGHT: f32 = 0.5;

/// The rule coder's lists the features count (see [`crate::lexicon`]).
const LIST_COUNT: usize = 13;

/// Phrases by the hash of their first word: (list, the hashes of the phrase's words).
type ByFirstWord = HashMap<u64, Vec<(usize, Vec<u64>)>>;

/// Every phrase of those lists by the hash of its first word: one lookup per word of an utterance finds every
/// list's matches (the hashes are the ones the n-grams already computed).
static LISTS: std::sync::LazyLock<ByFirstWord> = std::sync::LazyLock::new(|| {
    let lists: [&[&str]; LIST_COUNT] = [
        lx::REFLECTION_STARTS,
        lx::INPUT_MARKS,
        lx::COMPLEX_MARKS,
        lx::CHANGE_MARKS,
        lx::SUSTAIN_MARKS,
        lx::NEGATIONS,
        lx::EMOTION_STRONG,
        lx::EMOTION_WEAK,
        lx::INTERPRET_STRONG,
        lx::INTERPRET_WEAK,
        lx::EXPLORE_SPECIFIC,
        lx::OPEN_OPENERS,
        lx::CLOSED_OPENERS,
    ];
    let mut by_first: HashMap<u64, Vec<(usize, Vec<u64>)>> = HashMap::new();
    for (k, list) in lists.iter().enumerate() {
        for phrase in *list {
            let parts: Vec<u64> = words(phrase).iter().map(|w| fnv1a(1, w.as_bytes())).collect();
            if let Some(first) = parts.first() {
                by_first.entry(*first).or_default().push((k, parts));
            }
        }
    }
    by_first
});

/// The context block's length relative to the utterance's.
pub const CONTEXT_WEIGHT: f32 = 0.5;

/// Binary features from `from` on, scaled to length `norm`, so long turns do not shout.
fn scale(out: &mut Features, from: usize, norm: f32) {
    let n = out.len() - from;
    if n == 0 {
        return;
    }
    let value = norm / (n as f32).sqrt();
    for f in &mut out[from..] {
        f.1 = value;
    }
}

fn mix(a: u64, b: u64, seed: u64) -> u64 {
    fnv1a(seed, &[a.to_le_bytes(), b.to_le_bytes()].concat())
}

fn length_bucket(n: usize) -> u64 {
    match n {
        0..=2 => 1,
        3..=5 => 2,
        6..=10 => 3,
        11..=20 => 4,
        21..=40 => 5,
        _ => 6,
    }
}

/// Labelled examples of one task: text, context, class.
#[derive(Clone, Debug, Default)]
pub struct Examples {
    pub items: Vec<(String, Option<String>, usize)>,
}

/// The training data of every task (any may be empty).
#[derive(Clone, Debug, Default)]
pub struct TrainingSet {
    pub tasks: [Examples; 7],
}

impl TrainingSet {
    pub fn push(&mut self, task: Task, text: &str, context: Option<&str>, class: usize) {
        self.tasks[task.position()].items.push((text.to_owned(), context.map(str::to_owned), class));
    }
}

pub struct TrainedCoder {
    dim_bits: u32,
    models: [Option<LogReg>; 7],
    rules: RuleCoder,
}

impl TrainedCoder {
    /// Trains one model per task that has examples: AnnoMI's tasks by [`LogReg::train`], the empathy tasks by
    /// [`batch::fit_nb_one_vs_rest`] (docs/SCIENCE.md, *Session transcripts*, compares the two).
    pub fn train(set: &TrainingSet, dim_bits: u32, options: TrainOptions) -> TrainedCoder {
        let mut scratch = Vec::new();
        let rules = RuleCoder::new();
        let models = Task::ALL.map(|task| {
            let items = &set.tasks[task.position()].items;
            if items.is_empty() {
                return None;
            }
            let examples: Vec<(Features, usize)> = items
                .iter()
                .map(|(text, context, y)| {
                    (task_features(&rules, task, text, context.as_deref(), dim_bits, &mut scratch), *y)
                })
                .collect();
            Some(if task.is_empathy() {
                batch::fit_nb_one_vs_rest(&examples, task.classes(), 1 << dim_bits, options.empathy_c)
            } else {
                LogReg::train(&examples, task.classes(), 1 << dim_bits, options)
            })
        });
        TrainedCoder { dim_bits, models, rules }
    }

    /// The tasks this model was trained for (the others are coded by rules).
    pub fn tasks(&self) -> Vec<Task> {
        Task::ALL.into_iter().filter(|t| self.models[t.position()].is_some()).collect()
    }

    fn predict(&self, task: Task, text: &str, context: Option<&str>) -> Option<usize> {
        let model = self.models[task.position()].as_ref()?;
        let mut scratch = Vec::new();
        Some(model.predict(&task_features(&self.rules, task, text, context, self.dim_bits, &mut scratch)))
    }

    fn label<L: Label>(&self, task: Task, text: &str, context: Option<&str>) -> Option<L> {
        self.predict(task, text, context).and_then(L::from_index)
    }

    /// The model as bytes (see [`TrainedCoder::from_bytes`] for the layout).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(&self.dim_bits.to_le_bytes());
        for model in &self.models {
            let Some(model) = model else {
                out.push(0);
                continue;
            };
            out.push(1);
            out.extend_from_slice(&(model.classes as u32).to_le_bytes());
            for b in &model.bias {
                out.extend_from_slice(&b.to_le_bytes());
            }
            // Only the rows a training example touched: most of the hashed space stays zero.
            let rows: Vec<usize> = (0..model.dim)
                .filter(|f| model.weights[f * model.classes..(f + 1) * model.classes].iter().any(|w| *w != 0.0))
                .collect();
            out.extend_from_slice(&(rows.len() as u32).to_le_bytes());
            for f in rows {
                out.extend_from_slice(&(f as u32).to_le_bytes());
                for w in &model.weights[f * model.classes..(f + 1) * model.classes] {
                    out.extend_from_slice(&w.to_le_bytes());
                }
            }
        }
        out
    }

    /// Reads a model file: the magic line, the feature-space bits (u32), then per task a presence byte and, when
    /// present, the class count (u32), the biases (f32 each), the row count (u32) and rows of a feature index
    /// (u32) and one weight per class (f32). All little-endian; every count and value is checked.
    pub fn from_bytes(bytes: &[u8]) -> Result<TrainedCoder, ModelError> {
        // Anything that does not start like a model (a short text file too) is not one, rather than cut short.
        if bytes.starts_with(OLD_MAGIC) {
            return Err(ModelError::OldVersion);
        }
        if !bytes.starts_with(&MAGIC[..MAGIC.len().min(bytes.len())]) || bytes.is_empty() {
            return Err(ModelError::NotAModel);
        }
        let mut r = Reader { bytes, at: 0 };
        r.take(MAGIC.len())?;
        let dim_bits = r.u32()?;
        if !(8..=MAX_DIM_BITS).contains(&dim_bits) {
            return Err(ModelError::Corrupt("feature space size"));
        }
        let dim = 1usize << dim_bits;
        let mut models: [Option<LogReg>; 7] = Default::default();
        for task in Task::ALL {
            match r.take(1)?[0] {
                0 => continue,
                1 => {}
                _ => return Err(ModelError::Corrupt("task flag")),
            }
            let classes = r.u32()? as usize;
            if classes != task.classes() {
                return Err(ModelError::Corrupt("class count"));
            }
            let bias = (0..classes).map(|_| r.f32()).collect::<Result<Vec<f32>, ModelError>>()?;
            let rows = r.u32()? as usize;
            if rows > dim {
                return Err(ModelError::Corrupt("row count"));
            }
            if rows.saturating_mul(4 + 4 * classes) > r.remaining() {
                return Err(ModelError::Truncated);
            }
            let mut weights = vec![0f32; dim * classes];
            for _ in 0..rows {
                let f = r.u32()? as usize;
                if f >= dim {
                    return Err(ModelError::Corrupt("feature index"));
                }
                for c in 0..classes {
                    weights[f * classes + c] = r.f32()?;
                }
            }
            models[task.position()] = Some(LogReg { classes, dim, weights, bias });
        }
        if r.remaining() != 0 {
            return Err(ModelError::Corrupt("trailing bytes"));
        }
        Ok(TrainedCoder { dim_bits, models, rules: RuleCoder::new() })
    }
}

impl TrainedCoder {
    /// A therapist utterance coded task by task (when some task fell back to rules).
    fn rules_or_models(&self, turn: Turn<'_>) -> TherapistCode {
        let behaviour = self.behaviour(turn);
        TherapistCode {
            behaviour,
            reflection: (behaviour == Behaviour::Reflection).then(|| self.reflection_kind(turn)),
            question: (behaviour == Behaviour::Question).then(|| self.question_kind(turn)),
        }
    }
}

/// The largest feature space a model file may ask for (2^20 slots: at most 16 MB of weights per task).
pub const MAX_DIM_BITS: u32 = 20;

/// Version 2: rule decisions among AnnoMI's features, binary features for the empathy tasks. A version-1 file
/// meant other features, so it is refused rather than misread.
const MAGIC: &[u8] = b"ALLIANCE-TRANSCRIPT-MODEL 2\n";
const OLD_MAGIC: &[u8] = b"ALLIANCE-TRANSCRIPT-MODEL 1\n";

#[derive(Debug, Error, PartialEq, Eq)]
pub enum ModelError {
    #[error("not an Alliance transcript model (made by `alliance transcripts train`)")]
    NotAModel,
    #[error("the model was made by an older Alliance: train it again with `alliance transcripts train`")]
    OldVersion,
    #[error("the model file is cut short")]
    Truncated,
    #[error("the model file is damaged ({0})")]
    Corrupt(&'static str),
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], ModelError> {
        let end = self.at.checked_add(n).filter(|e| *e <= self.bytes.len()).ok_or(ModelError::Truncated)?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }
    fn u32(&mut self) -> Result<u32, ModelError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn f32(&mut self) -> Result<f32, ModelError> {
        let b = self.take(4)?;
        let v = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        if v.is_finite() { Ok(v) } else { Err(ModelError::Corrupt("non-finite weight")) }
    }
    fn remaining(&self) -> usize {
        self.bytes.len() - self.at
    }
}

impl Coder for TrainedCoder {
    /// One feature extraction for the behaviour and its subtype (half the work of asking each in turn).
    fn therapist(&self, turn: Turn<'_>) -> TherapistCode {
        let [behaviour, reflection, question] =
            [Task::Behaviour, Task::ReflectionKind, Task::QuestionKind].map(|t| &self.models[t.position()]);
        let (Some(behaviour), Some(reflection), Some(question)) = (behaviour, reflection, question) else {
            return self.rules_or_models(turn);
        };
        let x = task_features(&self.rules, Task::Behaviour, turn.text, turn.previous, self.dim_bits, &mut Vec::new());
        let main = Behaviour::from_index(behaviour.predict(&x)).unwrap_or(Behaviour::Other);
        TherapistCode {
            behaviour: main,
            reflection: (main == Behaviour::Reflection)
                .then(|| ReflectionKind::from_index(reflection.predict(&x)))
                .flatten(),
            question: (main == Behaviour::Question).then(|| QuestionKind::from_index(question.predict(&x))).flatten(),
        }
    }
    fn behaviour(&self, turn: Turn<'_>) -> Behaviour {
        self.label(Task::Behaviour, turn.text, turn.previous).unwrap_or_else(|| self.rules.behaviour(turn))
    }
    fn reflection_kind(&self, turn: Turn<'_>) -> ReflectionKind {
        self.label(Task::ReflectionKind, turn.text, turn.previous).unwrap_or_else(|| self.rules.reflection_kind(turn))
    }
    fn question_kind(&self, turn: Turn<'_>) -> QuestionKind {
        self.label(Task::QuestionKind, turn.text, turn.previous).unwrap_or_else(|| self.rules.question_kind(turn))
    }
    fn talk_type(&self, turn: Turn<'_>) -> TalkType {
        self.label(Task::TalkType, turn.text, turn.previous).unwrap_or_else(|| self.rules.talk_type(turn))
    }
    fn empathy(&self, seeker: &str, response: &str, mechanism: Mechanism) -> Level {
        self.label(Task::of_mechanism(mechanism), response, None)
            .unwrap_or_else(|| self.rules.empathy(seeker, response, mechanism))
    }
}
