//! Which speaker is the therapist and which the client. Named by whoever attaches the transcript; speakers
//! already called "Therapist", "Client" (and the like) are recognised. Every speaker must end up with a role:
//! a transcript with a third voice nobody placed is refused rather than guessed.

use thiserror::Error;

use crate::parse::Transcript;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Therapist,
    Client,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Therapist => "therapist",
            Role::Client => "client",
        }
    }
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum SpeakerError {
    #[error("no role for the speaker {0:?}: name who is the therapist and who the client")]
    Unplaced(String),
    #[error("the speaker {0:?} is named both therapist and client")]
    Both(String),
    #[error("the transcript has no therapist turn")]
    NoTherapist,
    #[error("the transcript has no client turn")]
    NoClient,
}

const THERAPIST_NAMES: [&str; 7] =
    ["therapist", "counselor", "counsellor", "clinician", "interviewer", "psychologist", "t"];
const CLIENT_NAMES: [&str; 4] = ["client", "patient", "interviewee", "c"];

/// One utterance with its role.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoledUtterance {
    pub role: Role,
    pub text: String,
    pub start_ms: Option<u64>,
}

/// The roles of a transcript's turns: speakers in `therapists` or `clients` (compared without case), else a
/// speaker whose name says its role; an unplaced speaker is an error.
pub fn assign(
    transcript: &Transcript,
    therapists: &[&str],
    clients: &[&str],
) -> Result<Vec<RoledUtterance>, SpeakerError> {
    let named = |list: &[&str], speaker: &str| list.iter().any(|n| n.trim().eq_ignore_ascii_case(speaker));
    let mut roles: Vec<(&str, Role)> = Vec::new();
    for speaker in transcript.speakers() {
        let (t, c) = (named(therapists, speaker), named(clients, speaker));
        let role = match (t, c) {
            (true, true) => return Err(SpeakerError::Both(speaker.to_owned())),
            (true, false) => Role::Therapist,
            (false, true) => Role::Client,
            (false, false) if named(&THERAPIST_NAMES, speaker) => Role::Therapist,
            (false, false) if named(&CLIENT_NAMES, speaker) => Role::Client,
            _ => return Err(SpeakerError::Unplaced(speaker.to_owned())),
        };
        roles.push((speaker, role));
    }
    if !roles.iter().any(|(_, r)| *r == Role::Therapist) {
        return Err(SpeakerError::NoTherapist);
    }
    if !roles.iter().any(|(_, r)| *r == Role::Client) {
        return Err(SpeakerError::NoClient);
    }
    let role_of = |speaker: &str| roles.iter().find(|(s, _)| *s == speaker).map_or(Role::Client, |(_, r)| *r);
    Ok(transcript
        .utterances
        .iter()
        .map(|u| RoledUtterance { role: role_of(&u.speaker), text: u.text.clone(), start_ms: u.start_ms })
        .collect())
}
