//! A session's transcript (issue 21): read, its speakers placed, coded by the practice's coder, stored; and read
//! back for display. What is stored beside the sealed text holds no words (docs/ARCHITECTURE.md, *Session
//! transcripts stored*): codes per utterance and markers as rule and span, from which the indicators with the
//! utterances behind them are recomputed for display (`indicators::indicators` is a pure function of the codes).

use std::sync::Arc;

use alliance_store::{ClientId, NewTranscript, StoreError, StoredTranscript, TranscriptIndicators, UserId};
use alliance_transcripts::indicators::{self, CodedUtterance, SessionIndicators};
use alliance_transcripts::labels::Label;
use alliance_transcripts::parse::{self, ParseError, Transcript};
use alliance_transcripts::ruptures::{MarkerKind, RuptureRules};
use alliance_transcripts::speakers::{self, Role, RoledUtterance, SpeakerError};
use alliance_transcripts::{Behaviour, Coder, Level, QuestionKind, ReflectionKind, TalkType, TherapistCode};
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::{App, AppError};

/// The practice's coder: the rule coder unless `serve --transcript-model` gave a trained model.
#[derive(Clone)]
pub struct TranscriptCoder {
    coder: Arc<dyn Coder + Send + Sync>,
    /// "rules" or "trained:<model hash>", stored with every coded transcript.
    name: String,
}

impl std::fmt::Debug for TranscriptCoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TranscriptCoder").field("name", &self.name).finish_non_exhaustive()
    }
}

impl Default for TranscriptCoder {
    fn default() -> Self {
        TranscriptCoder { coder: Arc::new(alliance_transcripts::rules::RuleCoder::new()), name: "rules".into() }
    }
}

impl TranscriptCoder {
    /// A trained model from its file's bytes; named by a hash of those bytes so a page can tell models apart.
    pub fn trained(bytes: &[u8]) -> Result<TranscriptCoder, alliance_transcripts::trained::ModelError> {
        let model = alliance_transcripts::trained::TrainedCoder::from_bytes(bytes)?;
        let hash = alliance_transcripts::text::fnv1a(0xcbf2_9ce4_8422_2325, bytes);
        Ok(TranscriptCoder { coder: Arc::new(model), name: format!("trained:{hash:016x}") })
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

/// Why a transcript was not stored; the words say what to correct.
#[derive(Debug, thiserror::Error)]
pub enum TranscriptError {
    #[error(transparent)]
    Parse(#[from] ParseError),
    #[error(transparent)]
    Speakers(#[from] SpeakerError),
    #[error("the transcript has {0} speaker(s); it needs at least two (the therapist and the client)")]
    TooFewSpeakers(usize),
    #[error("the speaker {0:?} is not in the transcript")]
    UnknownSpeaker(String),
}

/// The speakers named therapist and client by whoever attaches the transcript.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SpeakerChoice {
    pub therapists: Vec<String>,
    pub clients: Vec<String>,
}

impl SpeakerChoice {
    fn to_json(&self) -> String {
        json!({ "therapist": self.therapists, "client": self.clients }).to_string()
    }

    fn from_json(text: &str) -> Result<SpeakerChoice, StoreError> {
        let v: Value = serde_json::from_str(text).map_err(|_| corrupt("speakers"))?;
        let list = |key: &str| -> Vec<String> {
            v[key]
                .as_array()
                .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_owned)).collect())
                .unwrap_or_default()
        };
        Ok(SpeakerChoice { therapists: list("therapist"), clients: list("client") })
    }

    fn roles(&self, transcript: &Transcript) -> Result<Vec<RoledUtterance>, SpeakerError> {
        let t: Vec<&str> = self.therapists.iter().map(String::as_str).collect();
        let c: Vec<&str> = self.clients.iter().map(String::as_str).collect();
        speakers::assign(transcript, &t, &c)
    }
}

/// Reads a transcript for the speaker step: refused when it does not parse or has fewer than two speakers.
pub fn read(bytes: &[u8]) -> Result<Transcript, TranscriptError> {
    let transcript = parse::parse(bytes)?;
    let n = transcript.speakers().len();
    if n < 2 {
        return Err(TranscriptError::TooFewSpeakers(n));
    }
    Ok(transcript)
}

/// A rupture marker as stored: no words, the rule and the utterances it spans.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMarker {
    pub kind: MarkerKind,
    pub rule: String,
    pub first: usize,
    pub last: usize,
}

/// A stored transcript opened for display: its utterances with roles, their codes, the indicators with the
/// utterances behind them, the markers.
#[derive(Debug, Clone)]
pub struct TranscriptView {
    pub stored: StoredTranscript,
    pub utterances: Vec<RoledUtterance>,
    pub coded: Vec<CodedUtterance>,
    pub indicators: SessionIndicators,
    pub markers: Vec<StoredMarker>,
}

impl App {
    pub fn transcript_coder(&self) -> &TranscriptCoder {
        &self.transcripts
    }

    /// The practice's trained coder instead of the rule coder.
    pub fn with_transcript_coder(mut self, coder: TranscriptCoder) -> Self {
        self.transcripts = coder;
        self
    }

    /// Parses, places the speakers, codes and stores a session's transcript (replacing the one it had).
    /// Nothing is stored when any step refuses.
    #[allow(clippy::too_many_arguments)]
    pub async fn attach_transcript(
        &self,
        client: ClientId,
        session: alliance_store::SessionId,
        bytes: &[u8],
        choice: &SpeakerChoice,
        by: UserId,
        audit: alliance_store::AuditEvent,
        now: OffsetDateTime,
    ) -> Result<Result<(), TranscriptError>, AppError> {
        let coded = match code(&self.transcripts, bytes, choice) {
            Ok(c) => c,
            Err(e) => return Ok(Err(e)),
        };
        self.store.attach_transcript(client, coded.new_transcript(session), by, audit, now).await?;
        Ok(Ok(()))
    }

    /// A session's transcript opened for display (the caller has checked and audited the read).
    pub async fn transcript_view(
        &self,
        session: alliance_store::SessionId,
    ) -> Result<Option<TranscriptView>, AppError> {
        let Some(stored) = self.store.transcript(session).await? else { return Ok(None) };
        Ok(Some(view(stored)?))
    }
}

/// A transcript read, its speakers placed and coded: what the store keeps of it.
#[derive(Debug, Clone)]
pub struct Coded {
    pub text: String,
    pub speakers: String,
    pub coder: String,
    pub codes: String,
    pub markers: String,
    pub indicators: TranscriptIndicators,
}

impl Coded {
    pub fn new_transcript(&self, session: alliance_store::SessionId) -> NewTranscript<'_> {
        NewTranscript {
            session,
            text: &self.text,
            speakers: &self.speakers,
            coder: &self.coder,
            codes: &self.codes,
            markers: &self.markers,
            indicators: self.indicators,
        }
    }
}

/// Reads a transcript, places its speakers as `choice` names them (every speaker must be placed, and only
/// speakers the transcript has) and codes it with `coder`: indicators and rupture markers without words.
pub fn code(coder: &TranscriptCoder, bytes: &[u8], choice: &SpeakerChoice) -> Result<Coded, TranscriptError> {
    let transcript = read(bytes)?;
    let found = transcript.speakers();
    if let Some(unknown) = choice.therapists.iter().chain(&choice.clients).find(|s| !found.contains(&s.as_str())) {
        return Err(TranscriptError::UnknownSpeaker(unknown.clone()));
    }
    let utterances = choice.roles(&transcript)?;
    let coded = indicators::code_session(coder.coder.as_ref(), &utterances);
    let markers = RuptureRules::new().markers(&utterances);
    let summary = indicators::indicators(&coded);
    let marker_json = |m: &alliance_transcripts::ruptures::Marker| json!({"kind": m.kind.name(), "rule": m.rule, "first": m.utterances.start(), "last": m.utterances.end()});
    Ok(Coded {
        // The bytes parsed, so they are UTF-8.
        text: String::from_utf8_lossy(bytes).into_owned(),
        speakers: choice.to_json(),
        coder: coder.name.clone(),
        codes: Value::Array(coded.iter().map(code_json).collect()).to_string(),
        markers: Value::Array(markers.iter().map(marker_json).collect()).to_string(),
        indicators: stored_indicators(&summary, coded.len(), markers.len()),
    })
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(format!("a stored transcript's {what} could not be read"))
}

/// Opens a stored transcript: the text parsed again (it parsed when attached), the roles placed as then.
pub fn view(stored: StoredTranscript) -> Result<TranscriptView, StoreError> {
    let transcript = parse::parse(stored.text.as_bytes()).map_err(|_| corrupt("text"))?;
    let utterances = SpeakerChoice::from_json(&stored.speakers)?.roles(&transcript).map_err(|_| corrupt("speakers"))?;
    let coded = decode_codes(&stored.codes)?;
    if coded.len() != utterances.len() {
        return Err(corrupt("codes"));
    }
    let markers = decode_markers(&stored.markers, coded.len())?;
    let indicators = indicators::indicators(&coded);
    Ok(TranscriptView { stored, utterances, coded, indicators, markers })
}

fn stored_indicators(s: &SessionIndicators, utterances: usize, markers: usize) -> TranscriptIndicators {
    TranscriptIndicators {
        utterances: i64::try_from(utterances).unwrap_or(i64::MAX),
        markers: i64::try_from(markers).unwrap_or(i64::MAX),
        reflection_to_question: s.reflection_to_question.value,
        complex_reflections: s.complex_reflections.value,
        open_questions: s.open_questions.value,
        change_talk: s.change_talk.value,
        therapist_talk: s.therapist_talk.value,
        empathy: [s.empathy[0].value, s.empathy[1].value, s.empathy[2].value],
    }
}

fn code_json(c: &CodedUtterance) -> Value {
    let mut v = json!({ "role": c.role.name(), "words": c.words });
    if let Some(t) = c.therapist {
        v["behaviour"] = json!(t.behaviour.name());
        if let Some(r) = t.reflection {
            v["reflection"] = json!(r.name());
        }
        if let Some(q) = t.question {
            v["question"] = json!(q.name());
        }
    }
    if let Some(t) = c.talk {
        v["talk"] = json!(t.name());
    }
    if let Some(levels) = c.empathy {
        v["empathy"] = json!(levels.map(Label::name));
    }
    v
}

fn label<L: Label>(v: &Value, key: &str) -> Result<Option<L>, StoreError> {
    match v.get(key) {
        None => Ok(None),
        Some(s) => s.as_str().and_then(L::parse).map(Some).ok_or_else(|| corrupt("codes")),
    }
}

/// The codes as stored, back into what `indicators::indicators` reads.
pub fn decode_codes(text: &str) -> Result<Vec<CodedUtterance>, StoreError> {
    let all: Vec<Value> = serde_json::from_str(text).map_err(|_| corrupt("codes"))?;
    all.iter()
        .map(|v| {
            let role = match v["role"].as_str() {
                Some("therapist") => Role::Therapist,
                Some("client") => Role::Client,
                _ => return Err(corrupt("codes")),
            };
            let words = v["words"].as_u64().and_then(|n| usize::try_from(n).ok()).ok_or_else(|| corrupt("codes"))?;
            let therapist = label::<Behaviour>(v, "behaviour")?.map(|behaviour| {
                Ok::<_, StoreError>(TherapistCode {
                    behaviour,
                    reflection: label::<ReflectionKind>(v, "reflection")?,
                    question: label::<QuestionKind>(v, "question")?,
                })
            });
            let therapist = therapist.transpose()?;
            let talk = label::<TalkType>(v, "talk")?;
            let empathy = match v.get("empathy").and_then(Value::as_array) {
                None => None,
                Some(levels) if levels.len() == 3 => {
                    let l = |i: usize| levels[i].as_str().and_then(Level::parse).ok_or_else(|| corrupt("codes"));
                    Some([l(0)?, l(1)?, l(2)?])
                }
                Some(_) => return Err(corrupt("codes")),
            };
            Ok(CodedUtterance { role, words, therapist, talk, empathy })
        })
        .collect()
}

fn decode_markers(text: &str, utterances: usize) -> Result<Vec<StoredMarker>, StoreError> {
    let all: Vec<Value> = serde_json::from_str(text).map_err(|_| corrupt("markers"))?;
    all.iter()
        .map(|v| {
            let kind = match v["kind"].as_str() {
                Some("withdrawal") => MarkerKind::Withdrawal,
                Some("confrontation") => MarkerKind::Confrontation,
                _ => return Err(corrupt("markers")),
            };
            let at = |key: &str| {
                v[key]
                    .as_u64()
                    .and_then(|n| usize::try_from(n).ok())
                    .filter(|n| *n < utterances)
                    .ok_or_else(|| corrupt("markers"))
            };
            let (first, last) = (at("first")?, at("last")?);
            let rule = v["rule"].as_str().ok_or_else(|| corrupt("markers"))?.to_owned();
            Ok(StoredMarker { kind, rule, first, last })
        })
        .collect()
}
