//! The therapist's post-session reflection: their own rating of the alliance, the rupture they noticed, their
//! feelings towards the client and whether to take the session to supervision. Saving it again replaces it.

use alliance_core::catalog::THERAPIST_REFLECTION;
use alliance_core::instrument::Instrument;
use alliance_core::scoring::{AnswerError, Answers};
use alliance_store::{AuditEvent, ClientId, InstrumentRef, NewResponse, SessionId};
use time::OffsetDateTime;

use crate::form::read_questionnaire;
use crate::{App, AppError};

/// What became of a reflection form.
#[derive(Debug, Clone, PartialEq)]
pub enum ReflectionOutcome {
    Saved,
    /// Something needs fixing: the answers given so far and the first problem.
    Invalid {
        given: Answers,
        error: AnswerError,
    },
}

impl App {
    /// The reflection questionnaire's current definition.
    pub fn reflection_instrument(&self) -> Result<&Instrument, AppError> {
        self.catalog.get(THERAPIST_REFLECTION).ok_or_else(|| AppError::InstrumentMissing(THERAPIST_REFLECTION.into()))
    }

    /// The answers of the reflection already recorded for a session of the client, or none.
    pub async fn reflection_answers(&self, client: ClientId, session: SessionId) -> Result<Answers, AppError> {
        let earlier = self
            .store
            .responses_of(client)
            .await?
            .into_iter()
            .find(|r| r.session == session && r.instrument.id == THERAPIST_REFLECTION);
        Ok(earlier.map(|r| r.answers).unwrap_or_default())
    }

    /// Reads, scores and stores a reflection for `session` (fields named by item), replacing an earlier one.
    pub async fn save_reflection(
        &self,
        session: SessionId,
        fields: &[(&str, &str)],
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> Result<ReflectionOutcome, AppError> {
        let instrument = self.reflection_instrument()?;
        let scored = match read_questionnaire(instrument, fields)? {
            Ok(scored) => scored,
            Err((given, error)) => return Ok(ReflectionOutcome::Invalid { given, error }),
        };
        let response = NewResponse {
            administration: None,
            answers: scored.answers,
            flags: scored.scores.flags,
            scores: scored.scores.scales,
        };
        let reference = InstrumentRef { id: instrument.id.clone(), version: instrument.version };
        self.store.save_therapist_response(session, reference, response, audit, now).await?;
        Ok(ReflectionOutcome::Saved)
    }
}
