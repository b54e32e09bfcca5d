//! Session transcripts (issue 21): at most one per session, attached, replaced and deleted by the client's
//! therapist. The transcript and the speaker names are sealed; the coding beside them holds no words (codes per
//! utterance, rupture markers as rule and span, the session indicators as plain numbers), so trends, patterns and
//! the research export read it without opening anything. Erased with the client.

use async_trait::async_trait;
use time::{Date, OffsetDateTime};

use crate::cipher;
use crate::db::{HasDb, Row};
use crate::shared::append_audit;
use crate::shared::care::ids;
use crate::*;

/// The session indicators of docs/SCIENCE.md, *Session transcripts*; `None` where the denominator is empty.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct TranscriptIndicators {
    pub utterances: i64,
    pub markers: i64,
    pub reflection_to_question: Option<f64>,
    pub complex_reflections: Option<f64>,
    pub open_questions: Option<f64>,
    pub change_talk: Option<f64>,
    pub therapist_talk: Option<f64>,
    /// Emotional reactions, interpretations, explorations.
    pub empathy: [Option<f64>; 3],
}

/// A transcript to attach to a session, coded.
#[derive(Debug, Clone, PartialEq)]
pub struct NewTranscript<'a> {
    pub session: SessionId,
    /// The transcript as uploaded (sealed).
    pub text: &'a str,
    /// Which speaker is whom (sealed: names may be the client's).
    pub speakers: &'a str,
    /// "rules" or "trained:<model hash>".
    pub coder: &'a str,
    /// The codes per utterance, without their words (JSON).
    pub codes: &'a str,
    /// The rupture markers as rule and utterance span, without words (JSON).
    pub markers: &'a str,
    pub indicators: TranscriptIndicators,
}

/// A session's transcript, opened.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredTranscript {
    pub session: SessionId,
    pub client: ClientId,
    pub attached_by: UserId,
    pub attached_at: OffsetDateTime,
    pub text: String,
    pub speakers: String,
    pub coder: String,
    pub codes: String,
    pub markers: String,
    pub indicators: TranscriptIndicators,
}

/// A transcript's indicators without anything sealed, with its session: what trends and exports read.
#[derive(Debug, Clone, PartialEq)]
pub struct TranscriptSummary {
    pub session: SessionId,
    pub client: ClientId,
    pub session_number: u32,
    pub held_on: Date,
    pub coder: String,
    pub indicators: TranscriptIndicators,
}

#[async_trait]
pub trait Transcripts: Send + Sync {
    /// Attaches a transcript to a session of the client, replacing the one it had. `NotFound` when the session
    /// is not the client's.
    async fn attach_transcript(
        &self,
        client: ClientId,
        transcript: NewTranscript<'_>,
        by: UserId,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<()>;
    /// A session's transcript, opened (the caller audits the read).
    async fn transcript(&self, session: SessionId) -> StoreResult<Option<StoredTranscript>>;
    /// The indicators of these clients' transcripts, by client and session date; nothing sealed is read.
    async fn transcript_indicators_of(&self, clients: &[ClientId]) -> StoreResult<Vec<TranscriptSummary>>;
    /// Deletes a session's transcript; false when it had none.
    async fn delete_transcript(&self, session: SessionId, audit: AuditEvent) -> StoreResult<bool>;
}

fn indicators_row(row: &Row) -> StoreResult<TranscriptIndicators> {
    Ok(TranscriptIndicators {
        utterances: row.get("utterances")?,
        markers: row.get("marker_count")?,
        reflection_to_question: row.get("reflection_to_question")?,
        complex_reflections: row.get("complex_reflections")?,
        open_questions: row.get("open_questions")?,
        change_talk: row.get("change_talk")?,
        therapist_talk: row.get("therapist_talk")?,
        empathy: [row.get("empathy_emotional")?, row.get("empathy_interpretations")?, row.get("empathy_explorations")?],
    })
}

#[async_trait]
impl<S: HasDb> Transcripts for S {
    async fn attach_transcript(
        &self,
        client: ClientId,
        t: NewTranscript<'_>,
        by: UserId,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        let db = self.db();
        let mut tx = db.begin().await?;
        let theirs = db
            .query(
                "SELECT s.id FROM therapy_sessions s JOIN episodes e ON e.id = s.episode_id
                 WHERE s.id = $1 AND e.client_id = $2",
            )
            .bind(t.session.0)
            .bind(client.0)
            .fetch_optional(&mut tx)
            .await?;
        if theirs.is_none() {
            tx.rollback().await?;
            return Err(StoreError::NotFound);
        }
        // A replacement is a new row: the sealed values are bound to the row id, and nothing of the old one stays.
        db.query("DELETE FROM session_transcripts WHERE session_id = $1").bind(t.session.0).execute(&mut tx).await?;
        let i = t.indicators;
        let id: i64 = db
            .query(
                "INSERT INTO session_transcripts (session_id, client_id, attached_by, attached_at, text, speakers,
                     coder, codes, markers, utterances, marker_count, reflection_to_question, complex_reflections,
                     open_questions, change_talk, therapist_talk, empathy_emotional, empathy_interpretations,
                     empathy_explorations)
                 VALUES ($1, $2, $3, $4, '', '', $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
                 RETURNING id",
            )
            .bind(t.session.0)
            .bind(client.0)
            .bind(by.0)
            .bind_time(now)
            .bind(t.coder)
            .bind(t.codes)
            .bind(t.markers)
            .bind(i.utterances)
            .bind(i.markers)
            .bind(i.reflection_to_question)
            .bind(i.complex_reflections)
            .bind(i.open_questions)
            .bind(i.change_talk)
            .bind(i.therapist_talk)
            .bind(i.empathy[0])
            .bind(i.empathy[1])
            .bind(i.empathy[2])
            .fetch_one(&mut tx)
            .await?
            .first()?;
        db.seal_into(&mut tx, cipher::TRANSCRIPT_TEXT, id, t.text).await?;
        db.seal_into(&mut tx, cipher::TRANSCRIPT_SPEAKERS, id, t.speakers).await?;
        append_audit(&mut tx, &AuditEvent { object_id: Some(t.session.0), ..audit }).await?;
        tx.commit().await
    }

    async fn transcript(&self, session: SessionId) -> StoreResult<Option<StoredTranscript>> {
        let db = self.db();
        let row = db
            .query("SELECT * FROM session_transcripts WHERE session_id = $1")
            .bind(session.0)
            .fetch_optional(&db.read)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let id: i64 = row.get("id")?;
        Ok(Some(StoredTranscript {
            session,
            client: ClientId(row.get("client_id")?),
            attached_by: UserId(row.get("attached_by")?),
            attached_at: row.time("attached_at")?,
            text: db.keys.open(cipher::TRANSCRIPT_TEXT, id, &row.get::<String>("text")?)?,
            speakers: db.keys.open(cipher::TRANSCRIPT_SPEAKERS, id, &row.get::<String>("speakers")?)?,
            coder: row.get("coder")?,
            codes: row.get("codes")?,
            markers: row.get("markers")?,
            indicators: indicators_row(&row)?,
        }))
    }

    async fn transcript_indicators_of(&self, clients: &[ClientId]) -> StoreResult<Vec<TranscriptSummary>> {
        let db = self.db();
        let sql = db.with_ids(
            "SELECT t.session_id, t.client_id, t.coder, t.utterances, t.marker_count, t.reflection_to_question,
                    t.complex_reflections, t.open_questions, t.change_talk, t.therapist_talk, t.empathy_emotional,
                    t.empathy_interpretations, t.empathy_explorations, s.number, s.held_on
             FROM session_transcripts t JOIN therapy_sessions s ON s.id = t.session_id
             WHERE t.client_id IN {ids} ORDER BY t.client_id, s.held_on, s.id",
        );
        let rows = db.query(&sql).bind_ids(ids(clients, |c| c.0)).fetch_all(&db.read).await?;
        rows.iter()
            .map(|row| {
                Ok(TranscriptSummary {
                    session: SessionId(row.get("session_id")?),
                    client: ClientId(row.get("client_id")?),
                    session_number: row.small("number")?,
                    held_on: row.get("held_on")?,
                    coder: row.get("coder")?,
                    indicators: indicators_row(row)?,
                })
            })
            .collect()
    }

    async fn delete_transcript(&self, session: SessionId, audit: AuditEvent) -> StoreResult<bool> {
        let db = self.db();
        let mut tx = db.begin().await?;
        let removed =
            db.query("DELETE FROM session_transcripts WHERE session_id = $1").bind(session.0).execute(&mut tx).await?;
        append_audit(&mut tx, &AuditEvent { object_id: Some(session.0), ..audit }).await?;
        tx.commit().await?;
        Ok(removed > 0)
    }
}
