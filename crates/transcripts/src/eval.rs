//! Evaluation: macro-F1, group folds, and five-fold cross-validation of both coders on AnnoMI (grouped by
//! transcript) and EPITOME (grouped by seeker post). The data comes from the caller; nothing here reads files.

use std::collections::HashMap;

use crate::data::{AnnomiUtterance, EpitomePair};
use crate::indicators::{CodedUtterance, code_session, indicators};
use crate::labels::{Label, Mechanism, TalkType};
use crate::logreg::TrainOptions;
use crate::rules::RuleCoder;
use crate::speakers::{Role, RoledUtterance};
use crate::trained::{Task, TrainedCoder, TrainingSet};
use crate::{Coder, Turn};

/// Codes every utterance once as `alliance transcripts code` does, returning a sum of the codes' indices so the
/// work cannot be optimised away (the throughput measurements of the command and the evaluation test).
pub fn code_every_utterance(coder: &dyn Coder, rows: &[AnnomiUtterance]) -> usize {
    rows.iter()
        .map(|u| {
            let turn = Turn { text: &u.text, previous: u.previous.as_deref() };
            match u.role {
                Role::Therapist => {
                    let code = coder.therapist(turn);
                    code.behaviour.index()
                        + code.reflection.map_or(0, Label::index)
                        + code.question.map_or(0, Label::index)
                }
                Role::Client => coder.talk_type(turn).index(),
            }
        })
        .sum()
}

/// F1 of each class (None for a class absent from both gold and predictions) and their mean over the classes
/// present, as scikit-learn's `f1_score(average="macro")` counts them.
pub fn f1_scores(gold: &[usize], predicted: &[usize], classes: usize) -> (f64, Vec<Option<f64>>) {
    let mut per_class = Vec::with_capacity(classes);
    for c in 0..classes {
        let tp = gold.iter().zip(predicted).filter(|(g, p)| **g == c && **p == c).count() as f64;
        let gold_c = gold.iter().filter(|g| **g == c).count() as f64;
        let pred_c = predicted.iter().filter(|p| **p == c).count() as f64;
        per_class.push(if gold_c + pred_c == 0.0 { None } else { Some(2.0 * tp / (gold_c + pred_c)) });
    }
    let present: Vec<f64> = per_class.iter().flatten().copied().collect();
    let macro_f1 = if present.is_empty() { 0.0 } else { present.iter().sum::<f64>() / present.len() as f64 };
    (macro_f1, per_class)
}

/// The fold of each group: groups in order of first appearance, shuffled with a fixed seed, dealt round-robin.
pub fn group_folds<'a>(groups: impl IntoIterator<Item = &'a str>, folds: usize, seed: u64) -> HashMap<String, usize> {
    let mut distinct: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for g in groups {
        if seen.insert(g) {
            distinct.push(g.to_owned());
        }
    }
    let mut state = seed | 1;
    for i in (1..distinct.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        distinct.swap(i, (state % (i as u64 + 1)) as usize);
    }
    let folds = folds.max(1);
    distinct.into_iter().enumerate().map(|(i, g)| (g, i % folds)).collect()
}

/// Training examples from AnnoMI utterances and EPITOME pairs (per mechanism).
pub fn training_set(annomi: &[&AnnomiUtterance], epitome: &[(Mechanism, Vec<&EpitomePair>)]) -> TrainingSet {
    let mut set = TrainingSet::default();
    for u in annomi {
        let context = u.previous.as_deref();
        match u.role {
            Role::Therapist => {
                if let Some(b) = u.behaviour {
                    set.push(Task::Behaviour, &u.text, context, b.index());
                }
                if let Some(r) = u.reflection {
                    set.push(Task::ReflectionKind, &u.text, context, r.index());
                }
                if let Some(q) = u.question {
                    set.push(Task::QuestionKind, &u.text, context, q.index());
                }
            }
            Role::Client => {
                if let Some(t) = u.talk_type {
                    set.push(Task::TalkType, &u.text, context, t.index());
                }
            }
        }
    }
    for (mechanism, pairs) in epitome {
        for p in pairs {
            if let Some(level) = p.level {
                // The response alone: with the seeker's post as context every mechanism's cross-validated
                // macro-F1 was .01-.02 lower (docs/SCIENCE.md, *Session transcripts*).
                set.push(Task::of_mechanism(*mechanism), &p.response, None, level.index());
            }
        }
    }
    set
}

/// Gold and predicted classes of one task, for one coder.
#[derive(Clone, Debug, Default)]
pub struct Outcomes {
    pub gold: Vec<usize>,
    pub predicted: Vec<usize>,
}

/// One task's figures.
#[derive(Clone, Debug)]
pub struct TaskScore {
    pub task: Task,
    pub examples: usize,
    pub trained: f64,
    pub rules: f64,
}

/// What the cross-validation measured.
#[derive(Clone, Debug)]
pub struct Evaluation {
    pub scores: Vec<TaskScore>,
    /// Sustain talk's own F1: trained, rules.
    pub sustain_f1: (f64, f64),
    /// AUC of session indicators for telling AnnoMI's high-quality sessions from its low-quality ones: name,
    /// trained coder (out-of-fold codes), rule coder.
    pub quality_auc: Vec<(&'static str, f64, f64)>,
}

fn task_of(u: &AnnomiUtterance, task: Task) -> Option<usize> {
    match (task, u.role) {
        (Task::Behaviour, Role::Therapist) => u.behaviour.map(Label::index),
        (Task::TalkType, Role::Client) => u.talk_type.map(Label::index),
        (Task::ReflectionKind, Role::Therapist) => u.reflection.map(Label::index),
        (Task::QuestionKind, Role::Therapist) => u.question.map(Label::index),
        _ => None,
    }
}

fn code_task(coder: &dyn Coder, task: Task, turn: Turn<'_>) -> usize {
    match task {
        Task::Behaviour => coder.behaviour(turn).index(),
        Task::TalkType => coder.talk_type(turn).index(),
        Task::ReflectionKind => coder.reflection_kind(turn).index(),
        _ => coder.question_kind(turn).index(),
    }
}

/// Five-fold (or `folds`-fold) cross-validation. `annomi` should hold one coding per utterance
/// ([`crate::data::first_annotation`]); the trained coder is refitted on each fold's training part.
pub fn cross_validate(
    annomi: &[AnnomiUtterance],
    epitome: &[(Mechanism, Vec<EpitomePair>)],
    folds: usize,
    dim_bits: u32,
    options: TrainOptions,
) -> Evaluation {
    let rules = RuleCoder::new();
    let transcript_fold = group_folds(annomi.iter().map(|u| u.transcript_id.as_str()), folds, 7);
    let post_fold = group_folds(epitome.iter().flat_map(|(_, p)| p.iter().map(|x| x.sp_id.as_str())), folds, 7);
    let mut trained: HashMap<usize, Outcomes> = HashMap::new();
    let mut by_rules: HashMap<usize, Outcomes> = HashMap::new();
    let mut out_of_fold: Vec<Option<CodedUtterance>> = vec![None; annomi.len()];
    for fold in 0..folds {
        let train_annomi: Vec<&AnnomiUtterance> =
            annomi.iter().filter(|u| transcript_fold.get(&u.transcript_id) != Some(&fold)).collect();
        let train_epitome: Vec<(Mechanism, Vec<&EpitomePair>)> = epitome
            .iter()
            .map(|(m, pairs)| (*m, pairs.iter().filter(|p| post_fold.get(&p.sp_id) != Some(&fold)).collect()))
            .collect();
        let coder = TrainedCoder::train(&training_set(&train_annomi, &train_epitome), dim_bits, options);
        let held: Vec<usize> =
            (0..annomi.len()).filter(|&i| transcript_fold.get(&annomi[i].transcript_id) == Some(&fold)).collect();
        for &i in &held {
            let u = &annomi[i];
            let turn = Turn { text: &u.text, previous: u.previous.as_deref() };
            for (k, task) in Task::ALL[..4].iter().enumerate() {
                if let Some(gold) = task_of(u, *task) {
                    let o = trained.entry(k).or_default();
                    o.gold.push(gold);
                    o.predicted.push(code_task(&coder, *task, turn));
                }
            }
        }
        let session: Vec<RoledUtterance> = held.iter().map(|&i| roled(&annomi[i])).collect();
        // Sessions are coded transcript by transcript so each turn sees its own previous turn.
        for (position, coded) in code_by_transcript(&coder, annomi, &held, &session) {
            out_of_fold[position] = Some(coded);
        }
        for (m, pairs) in epitome {
            let k = 4 + Task::ALL[4..].iter().position(|t| *t == Task::of_mechanism(*m)).unwrap_or(0);
            for p in pairs.iter().filter(|p| post_fold.get(&p.sp_id) == Some(&fold)) {
                if let Some(level) = p.level {
                    let o = trained.entry(k).or_default();
                    o.gold.push(level.index());
                    o.predicted.push(coder.empathy(&p.seeker, &p.response, *m).index());
                }
            }
        }
    }
    for u in annomi {
        let turn = Turn { text: &u.text, previous: u.previous.as_deref() };
        for (k, task) in Task::ALL[..4].iter().enumerate() {
            if let Some(gold) = task_of(u, *task) {
                let o = by_rules.entry(k).or_default();
                o.gold.push(gold);
                o.predicted.push(code_task(&rules, *task, turn));
            }
        }
    }
    for (m, pairs) in epitome {
        let k = 4 + Task::ALL[4..].iter().position(|t| *t == Task::of_mechanism(*m)).unwrap_or(0);
        for p in pairs {
            if let Some(level) = p.level {
                let o = by_rules.entry(k).or_default();
                o.gold.push(level.index());
                o.predicted.push(rules.empathy(&p.seeker, &p.response, *m).index());
            }
        }
    }
    let mut scores = Vec::new();
    for (k, task) in Task::ALL.iter().enumerate() {
        let (Some(t), Some(r)) = (trained.get(&k), by_rules.get(&k)) else { continue };
        scores.push(TaskScore {
            task: *task,
            examples: t.gold.len(),
            trained: f1_scores(&t.gold, &t.predicted, task.classes()).0,
            rules: f1_scores(&r.gold, &r.predicted, task.classes()).0,
        });
    }
    let sustain = |o: Option<&Outcomes>| {
        o.and_then(|o| f1_scores(&o.gold, &o.predicted, 3).1[TalkType::Sustain.index()]).unwrap_or(0.0)
    };
    let all: Vec<usize> = (0..annomi.len()).collect();
    let session: Vec<RoledUtterance> = annomi.iter().map(roled).collect();
    let mut rule_coded: Vec<Option<CodedUtterance>> = vec![None; annomi.len()];
    for (position, coded) in code_by_transcript(&rules, annomi, &all, &session) {
        rule_coded[position] = Some(coded);
    }
    Evaluation {
        scores,
        sustain_f1: (sustain(trained.get(&1)), sustain(by_rules.get(&1))),
        quality_auc: quality_auc(annomi, &out_of_fold, &rule_coded),
    }
}

fn roled(u: &AnnomiUtterance) -> RoledUtterance {
    RoledUtterance { role: u.role, text: u.text.clone(), start_ms: None }
}

/// Codes the utterances at `positions` (with `session` their roled copies, in the same order), one transcript
/// at a time; returns (position in `annomi`, code).
fn code_by_transcript(
    coder: &dyn Coder,
    annomi: &[AnnomiUtterance],
    positions: &[usize],
    session: &[RoledUtterance],
) -> Vec<(usize, CodedUtterance)> {
    let mut out = Vec::with_capacity(positions.len());
    let mut start = 0;
    while start < positions.len() {
        let id = &annomi[positions[start]].transcript_id;
        let mut end = start;
        while end < positions.len() && annomi[positions[end]].transcript_id == *id {
            end += 1;
        }
        for (k, coded) in code_session(coder, &session[start..end]).into_iter().enumerate() {
            out.push((positions[start + k], coded));
        }
        start = end;
    }
    out
}

/// AUC of each indicator for AnnoMI's quality label (high above low), per transcript.
fn quality_auc(
    annomi: &[AnnomiUtterance],
    trained: &[Option<CodedUtterance>],
    rules: &[Option<CodedUtterance>],
) -> Vec<(&'static str, f64, f64)> {
    let mut order: Vec<&str> = Vec::new();
    let mut quality: HashMap<&str, bool> = HashMap::new();
    for u in annomi {
        if let Some(q) = u.mi_quality.as_deref() {
            if !quality.contains_key(u.transcript_id.as_str()) {
                order.push(&u.transcript_id);
            }
            quality.insert(&u.transcript_id, q == "high");
        }
    }
    let values = |coded: &[Option<CodedUtterance>]| -> Vec<(bool, [Option<f64>; 5])> {
        order
            .iter()
            .map(|id| {
                let session: Vec<CodedUtterance> = annomi
                    .iter()
                    .zip(coded)
                    .filter(|(u, _)| u.transcript_id == *id)
                    .filter_map(|(_, c)| c.clone())
                    .collect();
                let s = indicators(&session);
                let rq = s.reflection_to_question.numerator.len() as f64
                    / (s.reflection_to_question.denominator.len() as f64).max(1.0);
                (
                    quality.get(id).copied().unwrap_or(false),
                    [
                        Some(rq),
                        s.complex_reflections.value,
                        s.open_questions.value,
                        s.change_talk.value,
                        s.therapist_talk.value,
                    ],
                )
            })
            .collect()
    };
    let (t, r) = (values(trained), values(rules));
    let names =
        ["reflection-to-question ratio", "complex reflections", "open questions", "change talk", "therapist talk"];
    names.iter().enumerate().map(|(k, name)| (*name, auc(&t, k), auc(&r, k))).collect()
}

/// Probability that a high-quality session scores above a low-quality one (ties count half); sessions where
/// the indicator is undefined are left out.
fn auc(sessions: &[(bool, [Option<f64>; 5])], k: usize) -> f64 {
    let high: Vec<f64> = sessions.iter().filter(|s| s.0).filter_map(|s| s.1[k]).collect();
    let low: Vec<f64> = sessions.iter().filter(|s| !s.0).filter_map(|s| s.1[k]).collect();
    if high.is_empty() || low.is_empty() {
        return f64::NAN;
    }
    let mut wins = 0.0;
    for h in &high {
        for l in &low {
            wins += if h > l {
                1.0
            } else if h == l {
                0.5
            } else {
                0.0
            };
        }
    }
    wins / (high.len() * low.len()) as f64
}

/// How well AnnoMI's own annotators agree, per AnnoMI task, on the utterances the full file codes more than
/// once: each annotation scored against the majority of the other annotations of its utterance (ties go to the
/// label the others gave first), as macro-F1 over every such pair. That is the ceiling a coder trained on one
/// annotator's codes can expect; docs/SCIENCE.md compares it with the floors. `rows` are every row of
/// the full file (before [`crate::data::first_annotation`]). Returns the task, the annotations scored and the
/// macro-F1; a task with no utterance coded twice is left out.
pub fn annotator_agreement(rows: &[AnnomiUtterance]) -> Vec<(Task, usize, f64)> {
    let mut by_utterance: HashMap<(&str, &str), Vec<&AnnomiUtterance>> = HashMap::new();
    let mut order = Vec::new();
    for r in rows {
        let key = (r.transcript_id.as_str(), r.utterance_id.as_str());
        let entry = by_utterance.entry(key).or_default();
        if entry.is_empty() {
            order.push(key);
        }
        entry.push(r);
    }
    let mut out = Vec::new();
    for task in &Task::ALL[..4] {
        let (mut gold, mut predicted) = (Vec::new(), Vec::new());
        for key in &order {
            let codings = &by_utterance[key];
            if codings.len() < 2 {
                continue;
            }
            let labels: Vec<Option<usize>> = codings.iter().map(|u| task_of(u, *task)).collect();
            for (i, own) in labels.iter().enumerate() {
                let Some(own) = own else { continue };
                let others = labels.iter().enumerate().filter(|(j, _)| *j != i).filter_map(|(_, l)| *l);
                if let Some(majority) = first_most_common(others) {
                    gold.push(majority);
                    predicted.push(*own);
                }
            }
        }
        if !gold.is_empty() {
            out.push((*task, gold.len(), f1_scores(&gold, &predicted, task.classes()).0));
        }
    }
    out
}

/// The most common value; among equally common ones, the one seen first.
fn first_most_common(values: impl Iterator<Item = usize>) -> Option<usize> {
    let mut counts: Vec<(usize, usize)> = Vec::new();
    for v in values {
        match counts.iter_mut().find(|(value, _)| *value == v) {
            Some((_, n)) => *n += 1,
            None => counts.push((v, 1)),
        }
    }
    let most = counts.iter().map(|(_, n)| *n).max()?;
    counts.into_iter().find(|(_, n)| *n == most).map(|(v, _)| v)
}
