//! Which measures a check asks at which sessions (issue 16, item 5). Asking the PHQ-9 and GAD-7 ("over the last
//! 2 weeks") at every weekly session asks the same fortnight twice and makes every check 27 questions long; a
//! schedule asks a measure only when it is due. The practice sets a default, an episode may have its own, and
//! the therapist can add or leave out a measure for one session when making its link.
//!
//! Written as text, one `instrument=cadence` per measure separated by commas: `phq9=every:2, gad7=first-last`.
//! A measure the schedule does not name is asked at every session. `@before` asks a measure before the session
//! (on the waiting-room tablet, say: `phq9=every@before`) rather than in the check after it.

use crate::domain::ParseError;

/// When a measure is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cadence {
    /// At every session.
    EverySession,
    /// At the first session and every nth after it (1, 1 + n, 1 + 2n, ...), n from 2 to 8.
    Every(u8),
    /// At the first session; at the last the therapist adds it to that session's check.
    FirstAndLast,
}

impl Cadence {
    pub const CHOICES: [Cadence; 5] =
        [Cadence::EverySession, Cadence::Every(2), Cadence::Every(3), Cadence::Every(4), Cadence::FirstAndLast];

    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let invalid = ParseError::Invalid { field: "schedule", why: "use every, every:N (2 to 8) or first-last" };
        match raw.trim() {
            "every" => Ok(Cadence::EverySession),
            "first-last" => Ok(Cadence::FirstAndLast),
            other => match other.strip_prefix("every:").map(str::parse::<u8>) {
                Some(Ok(1)) => Ok(Cadence::EverySession),
                Some(Ok(n)) if (2..=8).contains(&n) => Ok(Cadence::Every(n)),
                _ => Err(invalid),
            },
        }
    }

    pub fn as_text(self) -> String {
        match self {
            Cadence::EverySession => "every".into(),
            Cadence::Every(n) => format!("every:{n}"),
            Cadence::FirstAndLast => "first-last".into(),
        }
    }

    pub fn label(self) -> String {
        match self {
            Cadence::EverySession => "every session".into(),
            Cadence::Every(2) => "every second session".into(),
            Cadence::Every(3) => "every third session".into(),
            Cadence::Every(n) => format!("every {n}th session"),
            Cadence::FirstAndLast => "the first and the last session".into(),
        }
    }

    /// Whether the measure is due at session `number` (1 is the first).
    pub fn due(self, number: u32) -> bool {
        match self {
            Cadence::EverySession => true,
            Cadence::Every(n) => number >= 1 && (number - 1).is_multiple_of(u32::from(n)),
            Cadence::FirstAndLast => number == 1,
        }
    }
}

/// Whether a measure is asked before the session or after it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Timing {
    Before,
    /// In the check after the session (the default).
    #[default]
    After,
}

impl Timing {
    pub fn label(self) -> &'static str {
        match self {
            Timing::Before => "before the session",
            Timing::After => "after the session",
        }
    }
}

/// A cadence and a timing per measure; measures it does not name are asked after every session.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Schedule(Vec<(String, Cadence, Timing)>);

impl Schedule {
    /// At most this many characters of schedule text.
    pub const MAX: usize = 500;

    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        if raw.chars().count() > Self::MAX {
            return Err(ParseError::TooLong { field: "schedule", max: Self::MAX });
        }
        let mut entries: Vec<(String, Cadence, Timing)> = Vec::new();
        for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let Some((id, cadence)) = part.split_once('=') else {
                return Err(ParseError::Invalid { field: "schedule", why: "write each measure as id=cadence" });
            };
            let id = id.trim();
            if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
                return Err(ParseError::BadCharacters { field: "schedule" });
            }
            if entries.iter().any(|(known, _, _)| known == id) {
                return Err(ParseError::Invalid { field: "schedule", why: "a measure is named twice" });
            }
            let (cadence, timing) = match cadence.trim().strip_suffix("@before") {
                Some(cadence) => (cadence, Timing::Before),
                None => (cadence, Timing::After),
            };
            entries.push((id.to_owned(), Cadence::parse(cadence)?, timing));
        }
        Ok(Self(entries))
    }

    pub fn cadence_of(&self, instrument: &str) -> Cadence {
        self.0.iter().find(|(id, _, _)| id == instrument).map_or(Cadence::EverySession, |(_, c, _)| *c)
    }

    pub fn timing_of(&self, instrument: &str) -> Timing {
        self.0.iter().find(|(id, _, _)| id == instrument).map_or(Timing::After, |(_, _, t)| *t)
    }

    /// This schedule with one measure's cadence set (its timing kept).
    pub fn with(mut self, instrument: &str, cadence: Cadence) -> Self {
        let timing = self.timing_of(instrument);
        self.0.retain(|(id, _, _)| id != instrument);
        self.0.push((instrument.to_owned(), cadence, timing));
        self
    }

    /// This schedule with one measure's timing set (its cadence kept).
    pub fn timed(mut self, instrument: &str, timing: Timing) -> Self {
        let cadence = self.cadence_of(instrument);
        self.0.retain(|(id, _, _)| id != instrument);
        self.0.push((instrument.to_owned(), cadence, timing));
        self
    }

    /// The measures among `measures` due at session `number`, in their order.
    pub fn due<'a>(&self, measures: &'a [String], number: u32) -> Vec<&'a String> {
        measures.iter().filter(|m| self.cadence_of(m).due(number)).collect()
    }

    pub fn to_text(&self) -> String {
        let timing = |t: &Timing| if *t == Timing::Before { "@before" } else { "" };
        self.0.iter().map(|(id, c, t)| format!("{id}={}{}", c.as_text(), timing(t))).collect::<Vec<_>>().join(", ")
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn cadences_are_due_at_the_first_session_and_then_as_named() {
        let due = |c: Cadence| (1..=9).filter(|n| c.due(*n)).collect::<Vec<_>>();
        assert_eq!(due(Cadence::EverySession), (1..=9).collect::<Vec<_>>());
        assert_eq!(due(Cadence::Every(2)), vec![1, 3, 5, 7, 9]);
        assert_eq!(due(Cadence::Every(4)), vec![1, 5, 9]);
        assert_eq!(due(Cadence::FirstAndLast), vec![1]);
        assert!(!Cadence::Every(3).due(0));
    }

    #[test]
    fn schedules_round_trip_and_refuse_what_they_cannot_mean() {
        let s = Schedule::parse(" phq9=every:2 , gad7=first-last,relationship-check=every").unwrap();
        assert_eq!(s.cadence_of("phq9"), Cadence::Every(2));
        assert_eq!(s.cadence_of("wai-sr"), Cadence::EverySession, "unnamed: every session");
        assert_eq!(Schedule::parse(&s.to_text()).unwrap(), s);
        let measures: Vec<String> = ["relationship-check", "phq9", "gad7"].map(String::from).to_vec();
        assert_eq!(s.due(&measures, 2), vec!["relationship-check"]);
        assert_eq!(s.due(&measures, 3), vec!["relationship-check", "phq9"]);
        assert_eq!(Schedule::parse("").unwrap(), Schedule::default());
        for bad in ["phq9", "phq9=sometimes", "phq9=every:9", "phq9=every:0", "ph q9=every", "phq9=every,phq9=every:2"]
        {
            assert!(Schedule::parse(bad).is_err(), "{bad}");
        }
        assert!(Schedule::parse(&"a=every,".repeat(100)).is_err(), "too long");
        assert_eq!(Schedule::default().with("phq9", Cadence::Every(3)).to_text(), "phq9=every:3");
        let before = Schedule::parse("phq9=every:2@before, gad7=every").unwrap();
        assert_eq!((before.timing_of("phq9"), before.timing_of("gad7")), (Timing::Before, Timing::After));
        assert_eq!(before.cadence_of("phq9"), Cadence::Every(2));
        assert_eq!(Schedule::parse(&before.to_text()).unwrap(), before);
        assert_eq!(before.clone().with("phq9", Cadence::EverySession).to_text(), "gad7=every, phq9=every@before");
        assert!(Schedule::parse("phq9=@before").is_err() && Schedule::parse("phq9=every@after").is_err());
    }
}
