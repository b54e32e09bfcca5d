//! The demo practice's boundary log and a supervision meeting (issue 20), so the supervisor's pages have something
//! to reflect on: the first therapist's first client whose sessions ran over more and more, taken to supervision;
//! a text message from another client, kept to the therapist; and last week's meeting about both, with an agreed
//! action that comes back on the first client's page. No random numbers are drawn (the practice is unchanged).

use alliance_core::boundaries::{Channel, Crossing, Initiator};
use alliance_store::prelude::*;
use alliance_store::{AuditEvent, ClientId, NewBoundaryEvent, NewMeeting, NewMeetingItem, SessionId, UserId};
use time::{Date, Duration, OffsetDateTime};

/// One course of the demo as the seed made it: client, therapist, and its sessions with their dates.
pub struct Course {
    pub client: ClientId,
    pub therapist: UserId,
    pub sessions: Vec<(SessionId, Date)>,
}

fn demo(at: OffsetDateTime, kind: &'static str) -> AuditEvent {
    AuditEvent::system(at, "create", kind, "demo practice")
}

/// Records the events and the meeting; returns how many events were recorded.
pub async fn seed(
    store: &dyn Store,
    supervisor: UserId,
    courses: &[Course],
    today: Date,
    now: OffsetDateTime,
) -> anyhow::Result<usize> {
    let Some(first) = courses.first() else { return Ok(0) };
    let mine: Vec<&Course> = courses.iter().filter(|c| c.therapist == first.therapist).collect();
    let Some(overruns) = mine.iter().find(|c| c.sessions.len() >= 4) else { return Ok(0) };
    let mut shared = Vec::new();
    let last_four = &overruns.sessions[overruns.sessions.len() - 4..];
    for (i, &(session, held_on)) in last_four.iter().enumerate() {
        let minutes = 5 * (u16::try_from(i).unwrap_or(0) + 1);
        let event = NewBoundaryEvent {
            client: overruns.client,
            session: Some(session),
            crossing: Crossing::Overrun { minutes },
            occurred_on: held_on,
            note: (i == 3).then(|| "Raised something important at the door again; I let it run.".to_owned()),
            shared: true,
        };
        let at = held_on.midnight().assume_utc() + Duration::hours(18);
        shared.push(store.record_boundary_event(&event, first.therapist, demo(at, "boundary-event"), at).await?);
    }
    let mut recorded = shared.len();
    if let Some(other) = mine.iter().find(|c| c.client != overruns.client && !c.sessions.is_empty()) {
        let Some(&(_, held_on)) = other.sessions.last() else { return Ok(recorded) };
        let on = (held_on + Duration::days(2)).min(today);
        let event = NewBoundaryEvent {
            client: other.client,
            session: None,
            crossing: Crossing::Contact { channel: Channel::TextMessage, initiated_by: Initiator::Client },
            occurred_on: on,
            note: None,
            shared: false,
        };
        let at = on.midnight().assume_utc() + Duration::hours(9);
        store.record_boundary_event(&event, first.therapist, demo(at, "boundary-event"), at).await?;
        recorded += 1;
    }
    let held_on = today - Duration::days(7);
    let meeting = NewMeeting {
        supervisor,
        therapist: first.therapist,
        held_on,
        agreed: Some("Overruns are growing with one client: name the ending at the start of the session.".to_owned()),
        items: shared
            .iter()
            .map(|&id| NewMeetingItem { client: overruns.client, session: None, boundary_event: Some(id) })
            .collect(),
        actions: vec![(
            overruns.client,
            "Agree at the start how the last ten minutes will be used, and keep to the ending.".to_owned(),
        )],
    };
    let at = (now - Duration::days(7)).min(held_on.midnight().assume_utc() + Duration::hours(12));
    store.record_meeting(&meeting, demo(at, "supervision-meeting"), at).await?;
    Ok(recorded)
}
