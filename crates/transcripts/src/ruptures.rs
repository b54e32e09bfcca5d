//! Candidate rupture moments in a transcript: the client's withdrawal and confrontation markers of Eubanks,
//! Muran & Safran's Rupture Resolution Rating System (3RS), turned into phrase rules written here.
//! **Heuristic, not validated**: a marker is a moment to look at, not a finding. Each names the rule that fired
//! and the utterances it spans (the therapist turn it answers, when there is one, and the client turn).

use std::ops::RangeInclusive;

use crate::speakers::{Role, RoledUtterance};
use crate::text::{Phrases, words};

/// What every marker is labelled with wherever it is shown.
pub const LABEL: &str = "heuristic, not validated";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MarkerKind {
    /// Moving away from the therapist or the work (3RS withdrawal).
    Withdrawal,
    /// Moving against the therapist or the work (3RS confrontation).
    Confrontation,
}

impl MarkerKind {
    pub fn name(self) -> &'static str {
        match self {
            MarkerKind::Withdrawal => "withdrawal",
            MarkerKind::Confrontation => "confrontation",
        }
    }
}

/// A rule: its identifier, the 3RS marker it stands for, and its phrases.
pub struct Rule {
    pub id: &'static str,
    pub kind: MarkerKind,
    /// The 3RS marker, in words.
    pub marker: &'static str,
    phrases: &'static [&'static str],
    /// Fires only on a short reply (at most this many words) to a therapist turn of at least six words.
    short_reply: Option<usize>,
}

pub const RULES: &[Rule] = &[
    Rule {
        id: "W1-minimal-response",
        kind: MarkerKind::Withdrawal,
        marker: "minimal response",
        phrases: &[
            "i don't know",
            "dunno",
            "i guess",
            "whatever",
            "i don't care",
            "no idea",
            "doesn't matter",
            "not really",
            "nothing",
            "maybe",
            "fine",
        ],
        short_reply: Some(5),
    },
    Rule {
        id: "W2-denial",
        kind: MarkerKind::Withdrawal,
        marker: "denial",
        phrases: &[
            "i'm fine",
            "it's fine",
            "not a big deal",
            "no big deal",
            "it doesn't matter",
            "it's nothing",
            "i'm over it",
            "doesn't bother me",
            "didn't bother me",
            "i'm not upset",
            "i'm not angry",
            "it's not a problem",
        ],
        short_reply: None,
    },
    Rule {
        id: "W3-shifting-topic",
        kind: MarkerKind::Withdrawal,
        marker: "shifting topic",
        phrases: &[
            "something else",
            "change the subject",
            "i'd rather not talk",
            "i don't want to talk about",
            "i don't wanna talk about",
            "let's move on",
            "can we move on",
            "moving on",
            "rather not get into",
            "don't want to get into",
        ],
        short_reply: None,
    },
    Rule {
        id: "W4-deferential",
        kind: MarkerKind::Withdrawal,
        marker: "deferential and appeasing",
        phrases: &[
            "whatever you think",
            "you're the expert",
            "you know best",
            "whatever you say",
            "if you say so",
            "i'll do whatever you",
            "sorry for wasting",
            "sorry to be difficult",
            "sorry i'm such",
            "you're the doctor",
        ],
        short_reply: None,
    },
    Rule {
        id: "W5-hopelessness",
        kind: MarkerKind::Withdrawal,
        marker: "self-criticism and hopelessness",
        phrases: &[
            "i'm hopeless",
            "i'm useless",
            "i'm a failure",
            "nothing will help",
            "nothing ever changes",
            "nothing will change",
            "i'm just broken",
            "i'm so stupid",
            "it's all my fault",
            "no point trying",
            "why bother",
            "i give up",
            "never going to get better",
        ],
        short_reply: None,
    },
    Rule {
        id: "C1-complaint-about-therapist",
        kind: MarkerKind::Confrontation,
        marker: "complaints or concerns about the therapist",
        phrases: &[
            "you don't understand",
            "you don't get it",
            "you're not listening",
            "you never listen",
            "you aren't listening",
            "you're not helping",
            "you don't care",
            "you have no idea",
            "easy for you to say",
            "you're supposed to",
            "you keep saying",
            "you always say",
            "you sound like my",
        ],
        short_reply: None,
    },
    Rule {
        id: "C2-rejects-intervention",
        kind: MarkerKind::Confrontation,
        marker: "rejecting the therapist's intervention",
        phrases: &[
            "that's not it",
            "that's not what i",
            "that won't work",
            "that doesn't work",
            "i already tried that",
            "i've already tried",
            "that's not helpful",
            "that's ridiculous",
            "that's stupid",
            "makes no sense",
            "that's not true",
            "i disagree",
            "that's not how it is",
        ],
        short_reply: None,
    },
    Rule {
        id: "C3-complaint-about-therapy",
        kind: MarkerKind::Confrontation,
        marker: "complaints about the activities or parameters of therapy",
        phrases: &[
            "this isn't helping",
            "this isn't working",
            "therapy isn't working",
            "this is pointless",
            "waste of time",
            "wasting my time",
            "what's the point of this",
            "what's the point of these",
            "why do we keep",
            "why are we talking about",
            "not getting anywhere",
            "going in circles",
            "too expensive",
            "this homework",
            "these exercises are",
        ],
        short_reply: None,
    },
    Rule {
        id: "C4-defends-self",
        kind: MarkerKind::Confrontation,
        marker: "defending oneself against the therapist",
        phrases: &[
            "i'm not lying",
            "that's not fair",
            "don't tell me",
            "don't judge me",
            "stop judging",
            "i never said",
            "i didn't say that",
            "are you saying i'm",
            "are you blaming",
            "i'm not making excuses",
        ],
        short_reply: None,
    },
    Rule {
        id: "C5-control-pressure",
        kind: MarkerKind::Confrontation,
        marker: "efforts to control or pressure the therapist",
        phrases: &[
            "just tell me what to do",
            "stop asking",
            "can't you just",
            "why won't you just",
            "give me an answer",
            "just give me",
            "you need to tell me",
            "answer the question",
        ],
        short_reply: None,
    },
];

/// A candidate rupture moment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Marker {
    pub kind: MarkerKind,
    pub rule: &'static str,
    /// Utterance positions: the therapist turn answered (when there is one) through the client turn.
    pub utterances: RangeInclusive<usize>,
}

pub struct RuptureRules {
    compiled: Vec<(&'static Rule, Phrases)>,
}

impl Default for RuptureRules {
    fn default() -> Self {
        RuptureRules::new()
    }
}

impl RuptureRules {
    pub fn new() -> RuptureRules {
        RuptureRules { compiled: RULES.iter().map(|r| (r, Phrases::new(r.phrases))).collect() }
    }

    /// The rules that fire on a client turn answering `therapist` (confrontation rules first: when both kinds
    /// fire, moving against is the stronger sign).
    pub fn fire(&self, therapist: Option<&str>, client: &str) -> Vec<&'static Rule> {
        let w = words(client);
        let before = therapist.map_or(0, |t| words(t).len());
        let mut fired: Vec<&'static Rule> = self
            .compiled
            .iter()
            .filter(|(rule, phrases)| match rule.short_reply {
                Some(limit) => w.len() <= limit && before >= 6 && phrases.contains(&w),
                None => phrases.contains(&w),
            })
            .map(|(rule, _)| *rule)
            .collect();
        fired.sort_by_key(|r| r.kind == MarkerKind::Withdrawal);
        fired
    }

    /// Markers over a session: at most one per client turn (the first rule that fires).
    pub fn markers(&self, utterances: &[RoledUtterance]) -> Vec<Marker> {
        let mut out = Vec::new();
        for (i, u) in utterances.iter().enumerate() {
            if u.role != Role::Client {
                continue;
            }
            let answered = i.checked_sub(1).filter(|&j| utterances[j].role == Role::Therapist);
            let therapist = answered.map(|j| utterances[j].text.as_str());
            if let Some(rule) = self.fire(therapist, &u.text).first() {
                out.push(Marker { kind: rule.kind, rule: rule.id, utterances: answered.unwrap_or(i)..=i });
            }
        }
        out
    }
}
