//! The demo practice's session transcripts (issue 21): three short sessions written here for the demo (no data
//! set's words), attached to the latest session of the first therapist's first three clients and coded by the
//! rule coder, so the session page, the client's trend and the therapist's patterns have something to show. No
//! random numbers are drawn (the practice is unchanged).

use alliance_app::transcript::{SpeakerChoice, TranscriptCoder, code};
use alliance_store::AuditEvent;
use alliance_store::prelude::*;
use time::{Duration, OffsetDateTime};

use crate::seed_supervision::Course;

/// A session that goes well: open questions, reflections, the client talking about change.
const WARM: &str = "Therapist: How have the last two weeks been for you?
Client: Better, mostly. I went back to the walking group and I want to keep going.
Therapist: You sound proud that you went back.
Client: I am. I think I can do it twice a week.
Therapist: What would make twice a week possible?
Client: If I plan it on Sunday evening I usually stick to it.
Therapist: So planning ahead is what works for you, and you are already thinking about how to protect it.
Client: Yes, that's exactly it.
";

/// A session with a strain: a long question, a minimal answer, then a complaint about the therapist.
const STRAINED: &str = "Therapist: Last time we talked about your sister's visit and how tense the evenings got. How did the weekend go in the end?
Client: I don't know.
Therapist: It sounds hard to put into words.
Client: Maybe.
Therapist: Could we look at what happened on Saturday evening, step by step?
Client: You keep saying that and it doesn't change anything.
Therapist: You're frustrated with how we've been working, and that matters. What would be more useful to you?
Client: I want to talk about work, not my family.
";

/// A session in the middle: mostly questions, some sustain talk.
const MIXED: &str = "Therapist: Did you try the breathing exercise this week?
Client: Once or twice. I'm not sure it does much for me.
Therapist: Was it at night or during the day?
Client: At night, when I couldn't sleep.
Therapist: And how did you sleep after it?
Client: A bit better, I suppose, but I don't really want to keep doing it.
Therapist: Part of you noticed it helped and part of you doubts it is worth the effort.
Client: Yes, both.
";

/// Attaches the three transcripts; returns how many were attached.
pub async fn seed(store: &dyn Store, courses: &[Course], now: OffsetDateTime) -> anyhow::Result<usize> {
    let Some(first) = courses.first() else { return Ok(0) };
    let coder = TranscriptCoder::default();
    let choice = SpeakerChoice { therapists: vec!["Therapist".into()], clients: vec!["Client".into()] };
    let mine = courses.iter().filter(|c| c.therapist == first.therapist && !c.sessions.is_empty());
    let mut attached = 0;
    for (course, text) in mine.zip([WARM, STRAINED, MIXED]) {
        let Some(&(session, held_on)) = course.sessions.last() else { continue };
        let coded = code(&coder, text.as_bytes(), &choice).map_err(|e| anyhow::anyhow!("demo transcript: {e}"))?;
        let at = (held_on.midnight().assume_utc() + Duration::hours(19)).min(now);
        let audit = AuditEvent::system(at, "create", "transcript", "demo practice");
        store.attach_transcript(course.client, coded.new_transcript(session), course.therapist, audit, at).await?;
        attached += 1;
    }
    Ok(attached)
}
