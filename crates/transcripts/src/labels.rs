//! The codes, named as AnnoMI and EPITOME name them (so a coder's CSV lines up with theirs).

/// A closed set of codes: each has an index (for the classifiers) and the name used in AnnoMI or EPITOME files.
pub trait Label: Copy + Eq + Sized + 'static {
    const ALL: &'static [Self];
    fn name(self) -> &'static str;

    fn index(self) -> usize {
        Self::ALL.iter().position(|l| *l == self).unwrap_or(0)
    }
    fn from_index(index: usize) -> Option<Self> {
        Self::ALL.get(index).copied()
    }
    fn parse(name: &str) -> Option<Self> {
        let name = name.trim();
        Self::ALL.iter().copied().find(|l| l.name().eq_ignore_ascii_case(name))
    }
}

macro_rules! label {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),+ }
        impl Label for $name {
            const ALL: &'static [Self] = &[$(Self::$variant),+];
            fn name(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }
        }
    };
}

label!(
    /// AnnoMI's `main_therapist_behaviour`.
    Behaviour { Reflection => "reflection", Question => "question", Input => "therapist_input", Other => "other" }
);
label!(
    /// AnnoMI's `client_talk_type`: toward change, away from it (sustain), or neither.
    TalkType { Change => "change", Neutral => "neutral", Sustain => "sustain" }
);
label!(
    /// AnnoMI's `reflection_subtype`: a simple reflection stays with what was said, a complex one adds meaning.
    ReflectionKind { Simple => "simple", Complex => "complex" }
);
label!(
    /// AnnoMI's `question_subtype`.
    QuestionKind { Open => "open", Closed => "closed" }
);
label!(
    /// EPITOME's three communication mechanisms of empathy (Sharma et al. 2020).
    Mechanism {
        EmotionalReactions => "emotional-reactions",
        Interpretations => "interpretations",
        Explorations => "explorations",
    }
);
label!(
    /// EPITOME's level of a mechanism: 0 none, 1 weak, 2 strong.
    Level { None => "0", Weak => "1", Strong => "2" }
);

/// A therapist utterance's code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TherapistCode {
    pub behaviour: Behaviour,
    /// Set for reflections only.
    pub reflection: Option<ReflectionKind>,
    /// Set for questions only.
    pub question: Option<QuestionKind>,
}
