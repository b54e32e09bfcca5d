//! The client as a partner (issue 16): goals in the client's words, rated at each check; tasks agreed for
//! between sessions; the therapist's dated event notes. The types here parse what people type, so that what
//! reaches the store is already valid (docs/ARCHITECTURE.md#partnership).

use serde::{Deserialize, Serialize};

use crate::domain::ParseError;
use crate::text_policy::multi_line;

/// At most this many goals of an episode are open (proposed or agreed) at a time: the Goal-Based Outcomes
/// guidance asks for up to three (docs/SCIENCE.md#goal-based-outcomes).
pub const MAX_OPEN_GOALS: usize = 3;

/// The version of the text that tells the client what is asked, why, who sees it, how long it is kept and how to
/// stop (`templates/consent.html`). Changing that text means a new version: clients see it again and their
/// consent is recorded again.
pub const CONSENT_VERSION: u32 = 1;

/// Free text that must not be empty, under the multi-line text policy.
fn required_text(field: &'static str, raw: &str, max: usize) -> Result<String, ParseError> {
    let text = multi_line(field, raw, max)?;
    if text.is_empty() {
        return Err(ParseError::Empty { field });
    }
    Ok(text)
}

macro_rules! text_type {
    ($(#[$doc:meta])* $name:ident, $field:literal, $max:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        pub struct $name(String);

        impl $name {
            pub const MAX: usize = $max;

            pub fn parse(raw: &str) -> Result<Self, ParseError> {
                required_text($field, raw, Self::MAX).map(Self)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
    };
}

text_type!(
    /// A goal in the client's own words ("to go back to work", "to sleep through the night").
    GoalText,
    "goal",
    200
);
text_type!(
    /// A task agreed in a session for until the next one.
    TaskText,
    "task",
    300
);
text_type!(
    /// What got in the way of a task, in the client's words.
    Obstacle,
    "what got in the way",
    500
);
text_type!(
    /// A therapist's dated note (a medication change, a life event, a break in therapy).
    EventNoteText,
    "note",
    500
);

/// The client's rating of progress towards a goal: 0 (not at all) to 10 (reached), as in Goal-Based Outcomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct GoalRating(u8);

impl GoalRating {
    pub const MAX: u8 = 10;

    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(ParseError::Empty { field: "rating" });
        }
        match raw.parse::<u8>() {
            Ok(n) if n <= Self::MAX && raw.len() <= 2 => Ok(Self(n)),
            _ => Err(ParseError::Invalid { field: "rating", why: "it must be a whole number from 0 to 10" }),
        }
    }

    /// A stored rating; `None` outside 0..=10.
    pub fn from_stored(value: i64) -> Option<Self> {
        u8::try_from(value).ok().filter(|n| *n <= Self::MAX).map(Self)
    }

    pub fn value(self) -> u8 {
        self.0
    }
}

macro_rules! word_enum {
    ($(#[$doc:meta])* $name:ident, $field:literal { $($(#[$vdoc:meta])* $variant:ident => $word:literal),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name { $($(#[$vdoc])* $variant),* }

        impl $name {
            pub const ALL: &'static [Self] = &[$(Self::$variant),*];

            /// The word stored and sent in forms.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $word),* }
            }

            pub fn parse(raw: &str) -> Result<Self, ParseError> {
                match raw.trim() {
                    $($word => Ok(Self::$variant),)*
                    "" => Err(ParseError::Empty { field: $field }),
                    _ => Err(ParseError::Invalid { field: $field, why: "not one of the choices" }),
                }
            }
        }
    };
}

word_enum!(
    /// Where a goal stands.
    GoalStatus, "status" {
        /// Proposed by the client, waiting for the therapist to agree it in session.
        Proposed => "proposed",
        /// Agreed: the client rates it at each check.
        Agreed => "agreed",
        Achieved => "achieved",
        Dropped => "dropped",
    }
);

impl GoalStatus {
    /// Open goals count towards the three an episode may have.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Proposed | Self::Agreed)
    }
}

word_enum!(
    /// One change in a goal's history.
    GoalChange, "change" {
        Proposed => "proposed",
        Agreed => "agreed",
        Revised => "revised",
        Achieved => "achieved",
        Dropped => "dropped",
    }
);

word_enum!(
    /// Who put a goal forward.
    ProposedBy, "proposed by" {
        Therapist => "therapist",
        Client => "client",
    }
);

word_enum!(
    /// Whether the client did the task agreed in the session before.
    TaskDone, "done" {
        Yes => "yes",
        Partly => "partly",
        No => "no",
    }
);

impl TaskDone {
    /// How much of the task counts as done when completion is summed over tasks: a task done in part is half.
    pub fn completion(self) -> f64 {
        match self {
            Self::Yes => 1.0,
            Self::Partly => 0.5,
            Self::No => 0.0,
        }
    }

    /// The client's words for it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Yes => "Yes",
            Self::Partly => "Partly",
            Self::No => "No",
        }
    }
}

word_enum!(
    /// What an event note is about.
    EventKind, "kind" {
        Medication => "medication",
        LifeEvent => "life-event",
        Break => "break",
        Other => "other",
    }
);

impl EventKind {
    pub fn label(self) -> &'static str {
        match self {
            Self::Medication => "Medication change",
            Self::LifeEvent => "Life event",
            Self::Break => "Break in therapy",
            Self::Other => "Other",
        }
    }
}

/// The share of reported tasks the client did (a task done in part counts half); `None` before any report.
pub fn completion_rate(reports: &[TaskDone]) -> Option<f64> {
    if reports.is_empty() {
        return None;
    }
    Some(reports.iter().map(|d| d.completion()).sum::<f64>() / reports.len() as f64)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_rating_is_a_whole_number_from_0_to_10() {
        assert_eq!(GoalRating::parse("0").map(GoalRating::value), Ok(0));
        assert_eq!(GoalRating::parse(" 10 ").map(GoalRating::value), Ok(10));
        for bad in ["11", "-1", "3.5", "1e1", "010", "ten", "99999999999999999999"] {
            assert!(matches!(GoalRating::parse(bad), Err(ParseError::Invalid { .. })), "{bad}");
        }
        assert_eq!(GoalRating::parse(""), Err(ParseError::Empty { field: "rating" }));
        assert_eq!(GoalRating::from_stored(11), None);
    }

    #[test]
    fn texts_are_required_limited_and_clean() {
        assert_eq!(GoalText::parse("  To sleep through the night\r\n").unwrap().as_str(), "To sleep through the night");
        assert_eq!(GoalText::parse(" \n "), Err(ParseError::Empty { field: "goal" }));
        assert_eq!(GoalText::parse(&"x".repeat(201)), Err(ParseError::TooLong { field: "goal", max: 200 }));
        assert!(GoalText::parse(&"é".repeat(200)).is_ok(), "characters, not bytes");
        assert_eq!(TaskText::parse("walk\u{202E}klaw"), Err(ParseError::BadCharacters { field: "task" }));
        assert_eq!(Obstacle::parse("a\0b"), Err(ParseError::BadCharacters { field: "what got in the way" }));
    }

    #[test]
    fn words_round_trip_and_refuse_others() {
        for done in TaskDone::ALL {
            assert_eq!(TaskDone::parse(done.as_str()), Ok(*done));
        }
        assert!(GoalStatus::parse("Agreed").is_err(), "exact words only");
        assert_eq!(EventKind::parse("life-event"), Ok(EventKind::LifeEvent));
        assert!(GoalStatus::Proposed.is_open() && !GoalStatus::Achieved.is_open());
    }

    #[test]
    fn completion_counts_a_partly_done_task_as_half() {
        assert_eq!(completion_rate(&[]), None);
        let rate = completion_rate(&[TaskDone::Yes, TaskDone::Partly, TaskDone::No, TaskDone::Yes]).unwrap();
        assert!((rate - 2.5 / 4.0).abs() < 1e-12);
    }
}
