//! Both coders behind the one trait. The rule coder's expected codes follow MITI 4.2.1's definitions (an open
//! question invites a range of answers; a closed one a yes, a no or a fact; a reflection hands back what the
//! client said, a complex one adds meaning) on utterances written here. The trained coder is trained on a
//! small set written here and must learn what separates it, keep its predictions through its file, and refuse
//! damaged files.

use alliance_transcripts::labels::{Behaviour, Label, Level, Mechanism, QuestionKind, ReflectionKind, TalkType};
use alliance_transcripts::logreg::TrainOptions;
use alliance_transcripts::rules::RuleCoder;
use alliance_transcripts::trained::{ModelError, Task, TrainedCoder, TrainingSet};
use alliance_transcripts::{Coder, Turn};

fn turn(text: &str) -> Turn<'_> {
    Turn { text, previous: None }
}

#[test]
fn rule_coder_codes_therapist_behaviour_by_miti_definitions() {
    let coder = RuleCoder::new();
    let cases = [
        ("What would you like to talk about today?", Behaviour::Question),
        ("Do you drink every day?", Behaviour::Question),
        ("Tell me more about what happened at work.", Behaviour::Question),
        ("So you've been feeling stuck since the move.", Behaviour::Reflection),
        ("It sounds like part of you wants to cut down and part of you isn't sure.", Behaviour::Reflection),
        ("You're worried about what your kids see.", Behaviour::Reflection),
        ("I'd recommend no more than fourteen units a week; the guidelines say that.", Behaviour::Input),
        ("Mm-hmm.", Behaviour::Other),
        ("Okay, thank you.", Behaviour::Other),
    ];
    for (text, expected) in cases {
        assert_eq!(coder.behaviour(turn(text)), expected, "{text}");
    }
}

#[test]
fn rule_coder_tells_open_from_closed_and_simple_from_complex() {
    let coder = RuleCoder::new();
    for (text, expected) in [
        ("How did that go?", QuestionKind::Open),
        ("So, what worries you most about it?", QuestionKind::Open),
        ("Is it mostly at weekends?", QuestionKind::Closed),
        ("Would you rather start with work or with home?", QuestionKind::Closed),
        ("Have you tried cutting down before?", QuestionKind::Closed),
    ] {
        assert_eq!(coder.question_kind(turn(text)), expected, "{text}");
    }
    let previous = Some("I drink about four beers a night.");
    let simple = Turn { text: "Four beers a night.", previous };
    let complex = Turn {
        text: "It sounds like the drinking has become a way to get through the evenings, and you're not sure you like that.",
        previous,
    };
    assert_eq!(coder.reflection_kind(simple), ReflectionKind::Simple);
    assert_eq!(coder.reflection_kind(complex), ReflectionKind::Complex);
    let code = coder.therapist(turn("How did that go?"));
    assert_eq!((code.behaviour, code.question, code.reflection), (Behaviour::Question, Some(QuestionKind::Open), None));
}

#[test]
fn rule_coder_hears_change_and_sustain_talk() {
    let coder = RuleCoder::new();
    for (text, expected) in [
        ("I really want to cut down before the baby comes.", TalkType::Change),
        ("I'm going to stop buying it on the way home.", TalkType::Change),
        ("Honestly, it's not a big deal, everybody drinks like I do.", TalkType::Sustain),
        ("I don't want to quit, it relaxes me.", TalkType::Sustain),
        ("We moved here in March.", TalkType::Neutral),
        ("Yeah.", TalkType::Neutral),
    ] {
        assert_eq!(coder.talk_type(turn(text)), expected, "{text}");
    }
}

#[test]
fn rule_coder_rates_empathy_mechanisms() {
    let coder = RuleCoder::new();
    let seeker = "I lost my job last week and I can't stop crying.";
    let rate = |response: &str, m| coder.empathy(seeker, response, m);
    assert_eq!(rate("I'm so sorry, my heart goes out to you.", Mechanism::EmotionalReactions), Level::Strong);
    assert_eq!(rate("That sucks, hang in there.", Mechanism::EmotionalReactions), Level::Weak);
    assert_eq!(rate("Check the job boards on Monday.", Mechanism::EmotionalReactions), Level::None);
    assert_eq!(
        rate("I went through the same thing two years ago and felt worthless.", Mechanism::Interpretations),
        Level::Strong
    );
    assert_eq!(rate("I understand.", Mechanism::Interpretations), Level::Weak);
    assert_eq!(rate("What happened at work before they let you go?", Mechanism::Explorations), Level::Strong);
    assert_eq!(rate("You okay?", Mechanism::Explorations), Level::Weak);
    assert_eq!(rate("Good luck with everything.", Mechanism::Explorations), Level::None);
}

/// A training set written here: questions end in "?" and open ones start with a question word; reflections
/// start "so you"; input talks about guidelines; change talk says "want to stop", sustain talk "like it".
fn small_set() -> TrainingSet {
    let mut set = TrainingSet::default();
    let topics = ["drinking", "smoking", "sleep", "work", "the gym", "your sister", "money", "school"];
    for t in topics {
        set.push(Task::Behaviour, &format!("What do you think about {t}?"), None, Behaviour::Question.index());
        set.push(Task::Behaviour, &format!("Do you worry about {t}?"), None, Behaviour::Question.index());
        set.push(
            Task::Behaviour,
            &format!("So you feel {t} is getting in the way."),
            None,
            Behaviour::Reflection.index(),
        );
        set.push(Task::Behaviour, &format!("The guidelines on {t} suggest a limit."), None, Behaviour::Input.index());
        set.push(Task::Behaviour, "Mm-hmm.", None, Behaviour::Other.index());
        set.push(Task::QuestionKind, &format!("What do you think about {t}?"), None, QuestionKind::Open.index());
        set.push(Task::QuestionKind, &format!("How does {t} fit in?"), None, QuestionKind::Open.index());
        set.push(Task::QuestionKind, &format!("Do you worry about {t}?"), None, QuestionKind::Closed.index());
        set.push(Task::QuestionKind, &format!("Is {t} a problem?"), None, QuestionKind::Closed.index());
        set.push(Task::TalkType, &format!("I want to stop {t}."), Some("What now?"), TalkType::Change.index());
        set.push(Task::TalkType, &format!("I like {t}, it's fine."), Some("What now?"), TalkType::Sustain.index());
        set.push(
            Task::TalkType,
            &format!("We talked about {t} on Tuesday."),
            Some("What now?"),
            TalkType::Neutral.index(),
        );
        set.push(
            Task::EmotionalReactions,
            &format!("So sorry about {t}, sending hugs."),
            Some("I'm sad."),
            Level::Strong.index(),
        );
        set.push(
            Task::EmotionalReactions,
            &format!("Here is a link about {t}."),
            Some("I'm sad."),
            Level::None.index(),
        );
    }
    set
}

#[test]
fn trained_coder_learns_a_small_set_and_keeps_it_through_its_file() {
    let coder = TrainedCoder::train(&small_set(), 12, TrainOptions::default());
    assert_eq!(
        coder.tasks(),
        vec![Task::Behaviour, Task::TalkType, Task::QuestionKind, Task::EmotionalReactions],
        "only tasks with examples get a model"
    );
    let unseen = [
        ("What do you think about your diet?", Behaviour::Question, Some(QuestionKind::Open)),
        ("Do you worry about your diet?", Behaviour::Question, Some(QuestionKind::Closed)),
        ("So you feel your diet is getting in the way.", Behaviour::Reflection, None),
        ("The guidelines on your diet suggest a limit.", Behaviour::Input, None),
    ];
    let reread = TrainedCoder::from_bytes(&coder.to_bytes()).unwrap();
    for c in [&coder, &reread] {
        for (text, behaviour, question) in unseen {
            let code = c.therapist(turn(text));
            assert_eq!((code.behaviour, code.question), (behaviour, question), "{text}");
        }
        let context = Some("What now?");
        assert_eq!(c.talk_type(Turn { text: "I want to stop gambling.", previous: context }), TalkType::Change);
        assert_eq!(c.talk_type(Turn { text: "I like gambling, it's fine.", previous: context }), TalkType::Sustain);
        assert_eq!(
            c.empathy("I'm sad.", "So sorry about your dog, sending hugs.", Mechanism::EmotionalReactions),
            Level::Strong
        );
        // No model for interpretations: the rule coder answers.
        assert_eq!(
            c.empathy("x", "I went through the same thing.", Mechanism::Interpretations),
            RuleCoder::new().empathy("x", "I went through the same thing.", Mechanism::Interpretations)
        );
    }
    assert_eq!(reread.to_bytes(), coder.to_bytes(), "a model file reads back to the same model");
}

#[test]
fn training_is_deterministic() {
    let a = TrainedCoder::train(&small_set(), 12, TrainOptions::default()).to_bytes();
    let b = TrainedCoder::train(&small_set(), 12, TrainOptions::default()).to_bytes();
    assert_eq!(a, b);
}

#[test]
fn damaged_model_files_are_refused() {
    let good = TrainedCoder::train(&small_set(), 12, TrainOptions::default()).to_bytes();
    assert_eq!(TrainedCoder::from_bytes(b"").err(), Some(ModelError::NotAModel));
    assert_eq!(TrainedCoder::from_bytes(b"short").err(), Some(ModelError::NotAModel));
    assert_eq!(TrainedCoder::from_bytes(b"ALLIANCE-TRANS").err(), Some(ModelError::Truncated));
    // A model of the first version meant other features: refused, asking for a new one, never misread.
    let mut old = good.clone();
    let digit = good.iter().position(|b| *b == b'\n').unwrap() - 1;
    old[digit] = b'1';
    assert_eq!(TrainedCoder::from_bytes(&old).err(), Some(ModelError::OldVersion));
    assert_eq!(
        TrainedCoder::from_bytes(b"PK\x03\x04 this is a zip file, not a model at all").err(),
        Some(ModelError::NotAModel)
    );
    assert_eq!(TrainedCoder::from_bytes(&good[..good.len() - 3]).err(), Some(ModelError::Truncated));
    let mut trailing = good.clone();
    trailing.push(0);
    assert_eq!(TrainedCoder::from_bytes(&trailing).err(), Some(ModelError::Corrupt("trailing bytes")));
    // The feature-space size sits right after the magic line: 2^31 slots would ask for gigabytes.
    let magic = good.iter().position(|b| *b == b'\n').unwrap() + 1;
    let mut huge = good.clone();
    huge[magic..magic + 4].copy_from_slice(&31u32.to_le_bytes());
    assert_eq!(TrainedCoder::from_bytes(&huge).err(), Some(ModelError::Corrupt("feature space size")));
    // The first task's class count follows its presence byte: behaviour has 4 classes, not 9.
    let mut classes = good.clone();
    classes[magic + 5..magic + 9].copy_from_slice(&9u32.to_le_bytes());
    assert_eq!(TrainedCoder::from_bytes(&classes).err(), Some(ModelError::Corrupt("class count")));
    // A NaN bias.
    let mut nan = good;
    nan[magic + 9..magic + 13].copy_from_slice(&f32::NAN.to_le_bytes());
    assert_eq!(TrainedCoder::from_bytes(&nan).err(), Some(ModelError::Corrupt("non-finite weight")));
}
