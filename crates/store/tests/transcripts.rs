//! Session transcripts (issue 21) on both engines: attached sealed to a session of the client only, replaced,
//! read back, their indicators listed per client without the text, deleted, audited, and gone with the client.

use alliance_store::*;
use time::OffsetDateTime;
use time::macros::datetime;

use crate::conformance::{ev, session_for};

const NOW: OffsetDateTime = datetime!(2026-12-07 10:00 UTC);

/// A transcript as the application would store it, with `rq` as its reflection-to-question ratio.
pub fn coded(session: SessionId, text: &str, rq: Option<f64>) -> NewTranscript<'_> {
    NewTranscript {
        session,
        text,
        speakers: "therapist: Therapist\nclient: Client",
        coder: "rules",
        codes: r#"[{"role":"therapist","words":5,"behaviour":"question"},{"role":"client","words":3,"talk":"neutral"}]"#,
        markers: "[]",
        indicators: TranscriptIndicators {
            utterances: 2,
            markers: 0,
            reflection_to_question: rq,
            complex_reflections: None,
            open_questions: Some(1.0),
            change_talk: None,
            therapist_talk: Some(0.625),
            empathy: [Some(0.0), None, Some(1.0)],
        },
    }
}

pub async fn a_transcript_is_attached_sealed_replaced_listed_and_deleted(store: &dyn Store) {
    let (client, session) = session_for(store, "transcript@example.org").await;
    let (other, other_session) = session_for(store, "transcript-other@example.org").await;
    let therapist = store.client(client).await.unwrap().unwrap().therapist;
    let before = store.audit_events(10_000).await.unwrap().len();
    assert_eq!(store.transcript(session.id).await.unwrap(), None);

    let text = "Therapist: What brings you here?\nClient: <script>alert(1)</script> «é» 'quoted'\n";
    store.attach_transcript(client, coded(session.id, text, Some(0.5)), therapist, ev(), NOW).await.unwrap();
    let stored = store.transcript(session.id).await.unwrap().unwrap();
    assert_eq!((stored.session, stored.client, stored.attached_by), (session.id, client, therapist));
    assert_eq!((stored.text.as_str(), stored.coder.as_str(), stored.attached_at), (text, "rules", NOW));
    assert_eq!(stored.speakers, "therapist: Therapist\nclient: Client");
    assert_eq!(stored.indicators.reflection_to_question, Some(0.5));
    assert_eq!(stored.indicators.empathy, [Some(0.0), None, Some(1.0)], "an empty denominator stays unknown");
    assert!(stored.codes.contains("\"question\""));

    // A session of another client is refused and nothing is stored.
    let refused = store.attach_transcript(client, coded(other_session.id, text, None), therapist, ev(), NOW).await;
    assert!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");
    assert_eq!(store.transcript(other_session.id).await.unwrap(), None);

    // Replaced: one transcript per session, the new one.
    let later = NOW + time::Duration::days(1);
    store
        .attach_transcript(client, coded(session.id, "Therapist: Hi\nClient: Hello\n", None), therapist, ev(), later)
        .await
        .unwrap();
    let stored = store.transcript(session.id).await.unwrap().unwrap();
    assert_eq!((stored.text.as_str(), stored.attached_at), ("Therapist: Hi\nClient: Hello\n", later));
    assert_eq!(stored.indicators.reflection_to_question, None);

    let listed = store.transcript_indicators_of(&[client, other]).await.unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!((listed[0].session, listed[0].client, listed[0].session_number), (session.id, client, 1));
    assert_eq!((listed[0].held_on, listed[0].indicators.therapist_talk), (session.held_on, Some(0.625)));

    assert!(store.delete_transcript(session.id, ev()).await.unwrap());
    assert!(!store.delete_transcript(session.id, ev()).await.unwrap());
    assert_eq!(store.transcript(session.id).await.unwrap(), None);
    let events = store.audit_events(10_000).await.unwrap();
    assert_eq!(events.len(), before + 4, "two attachments and two deletions audited, the refusal not");
    assert!(events.iter().take(4).all(|e| e.object_id == Some(session.id.0)), "naming the session");

    // Erased with the client.
    store.attach_transcript(client, coded(session.id, text, None), therapist, ev(), NOW).await.unwrap();
    store.delete_client(client, ev()).await.unwrap();
    assert_eq!(store.transcript(session.id).await.unwrap(), None);
    assert!(store.transcript_indicators_of(&[client]).await.unwrap().is_empty());
}

/// The transcript and the speaker names are sealed in the file; the coding beside them is plain.
#[tokio::test]
async fn the_transcript_and_its_speakers_are_sealed_at_rest() {
    use sqlx::{Connection, Row};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("alliance.db");
    let store = SqliteStore::open(&path, &crate::keys()).await.unwrap();
    let (client, session) = session_for(&store, "sealed-transcript@example.org").await;
    let therapist = store.client(client).await.unwrap().unwrap().therapist;
    let text = "Zebediah: TRANSCRIPT-MARKER-8812\nClient: fine\n";
    let t = NewTranscript { speakers: "therapist: Zebediah", ..coded(session.id, text, Some(2.0)) };
    store.attach_transcript(client, t, therapist, ev(), NOW).await.unwrap();
    store.close().await;
    let mut conn = sqlx::SqliteConnection::connect_with(&crate::raw_sqlite(&path)).await.unwrap();
    let row = sqlx::query("SELECT text, speakers, coder, reflection_to_question FROM session_transcripts")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    for column in ["text", "speakers"] {
        let value: String = row.get(column);
        assert_eq!(alliance_store::cipher::version_of(&value), Some(1), "{column}: {value}");
        assert!(!value.contains("MARKER") && !value.contains("Zebediah"), "{column}: {value}");
    }
    assert_eq!((row.get::<String, _>("coder"), row.get::<f64, _>("reflection_to_question")), ("rules".into(), 2.0));
}
