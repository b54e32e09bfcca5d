//! Supervision that learns (issue 20, items 1 and 4): the boundary log a therapist keeps about their work with a
//! client, and the supervision meetings a supervisor records with what was discussed and the actions agreed.
//! Notes, what was agreed and the actions are sealed under their row's id.

use alliance_core::boundaries::{BoundaryKind, Channel, Crossing, GiftDirection, Initiator};
use async_trait::async_trait;
use time::{Date, OffsetDateTime};

use crate::cipher;
use crate::db::{HasDb, Row};
use crate::shared::append_audit;
use crate::shared::care::ids;
use crate::*;

#[derive(Debug, Clone, PartialEq)]
pub struct NewBoundaryEvent {
    pub client: ClientId,
    /// The session it happened in or around, when recorded from the session page.
    pub session: Option<SessionId>,
    pub crossing: Crossing,
    pub occurred_on: Date,
    pub note: Option<String>,
    /// To be taken to supervision: the therapist's supervisor sees it (and its note).
    pub shared: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BoundaryEvent {
    pub id: i64,
    pub client: ClientId,
    /// Opened only where the reading needs it (the supervisor's list); empty otherwise.
    pub pseudonym: String,
    pub session: Option<SessionId>,
    pub therapist: UserId,
    pub crossing: Crossing,
    pub occurred_on: Date,
    /// Opened only where the reading asks for notes.
    pub note: Option<String>,
    pub shared: bool,
    pub recorded_at: OffsetDateTime,
}

/// What a supervision meeting discussed: a client, one of their sessions' shared reflection, or a boundary event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewMeetingItem {
    pub client: ClientId,
    pub session: Option<SessionId>,
    pub boundary_event: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewMeeting {
    pub supervisor: UserId,
    pub therapist: UserId,
    pub held_on: Date,
    pub agreed: Option<String>,
    pub items: Vec<NewMeetingItem>,
    /// Actions agreed about one client each: reminders on the therapist's next visit to that client.
    pub actions: Vec<(ClientId, String)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MeetingItem {
    pub client: ClientId,
    pub pseudonym: String,
    pub session: Option<SessionId>,
    pub session_number: Option<u32>,
    pub boundary_event: Option<i64>,
    pub boundary_kind: Option<BoundaryKind>,
    pub boundary_on: Option<Date>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AgreedAction {
    pub id: i64,
    pub meeting: i64,
    pub client: ClientId,
    pub pseudonym: String,
    pub text: String,
    pub held_on: Date,
    pub done_at: Option<OffsetDateTime>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Meeting {
    pub id: i64,
    pub supervisor: UserId,
    pub therapist: UserId,
    pub held_on: Date,
    pub agreed: Option<String>,
    pub items: Vec<MeetingItem>,
    pub actions: Vec<AgreedAction>,
    pub recorded_at: OffsetDateTime,
}

/// Whose meetings a listing reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeetingsOf {
    /// The meetings a supervisor recorded.
    Supervisor(UserId),
    /// The meetings about a therapist.
    Therapist(UserId),
}

#[async_trait]
pub trait Boundaries: Send + Sync {
    /// Records a boundary event by `by` (the client's therapist; the caller checks), its note sealed, with `audit`
    /// (object: the new event) in one transaction.
    async fn record_boundary_event(
        &self,
        event: &NewBoundaryEvent,
        by: UserId,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<i64>;
    /// The events `therapist` recorded about `client`, all or only the shared ones, newest first, with notes.
    async fn boundary_events_of(
        &self,
        client: ClientId,
        therapist: UserId,
        shared_only: bool,
    ) -> StoreResult<Vec<BoundaryEvent>>;
    /// The shared events these therapists recorded, newest first, with pseudonyms and without notes (the
    /// supervisor's list and its accumulation).
    async fn shared_boundary_events(&self, therapists: &[UserId]) -> StoreResult<Vec<BoundaryEvent>>;
    /// The notes of these events, where they have one.
    async fn boundary_notes(&self, events: &[i64]) -> StoreResult<Vec<(i64, String)>>;
    /// Records a meeting with its items and actions (sealed), with `audit` (object: the meeting), in one
    /// transaction.
    async fn record_meeting(&self, meeting: &NewMeeting, audit: AuditEvent, now: OffsetDateTime) -> StoreResult<i64>;
    /// How many meetings there are of `of`, and one page of them (newest first).
    async fn meetings(&self, of: MeetingsOf, offset: usize, limit: usize) -> StoreResult<(usize, Vec<Meeting>)>;
    /// The actions agreed about `client` in meetings about `therapist` not yet marked done, oldest first.
    async fn open_actions(&self, client: ClientId, therapist: UserId) -> StoreResult<Vec<AgreedAction>>;
    /// Marks an action about `client` from a meeting about `therapist` done; false when there is no such open
    /// action. Audited in the same transaction when it is.
    async fn mark_action_done(
        &self,
        action: i64,
        client: ClientId,
        therapist: UserId,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<bool>;
}

fn corrupt(what: &str, word: &str) -> StoreError {
    StoreError::Corrupt(format!("an unknown boundary event {what}: {word:.20}"))
}

fn crossing_of(row: &Row) -> StoreResult<Crossing> {
    let kind: String = row.get("kind")?;
    let kind = BoundaryKind::parse(&kind).ok_or_else(|| corrupt("kind", &kind))?;
    let word = |column: &str| -> StoreResult<String> { Ok(row.get::<Option<String>>(column)?.unwrap_or_default()) };
    Ok(match kind {
        BoundaryKind::Overrun => {
            let minutes: Option<i64> = row.get("minutes")?;
            let minutes = minutes.and_then(|m| u16::try_from(m).ok()).ok_or_else(|| corrupt("overrun", "minutes"))?;
            Crossing::Overrun { minutes }
        }
        BoundaryKind::Contact => {
            let (channel, initiator) = (word("channel")?, word("initiated_by")?);
            Crossing::Contact {
                channel: Channel::parse(&channel).ok_or_else(|| corrupt("channel", &channel))?,
                initiated_by: Initiator::parse(&initiator).ok_or_else(|| corrupt("initiator", &initiator))?,
            }
        }
        BoundaryKind::Gift => {
            let gift = word("gift")?;
            Crossing::Gift { direction: GiftDirection::parse(&gift).ok_or_else(|| corrupt("gift", &gift))? }
        }
        other => Crossing::Other(other),
    })
}

fn event_row(keys: &cipher::Keyring, row: &Row, with_note: bool, with_pseudonym: bool) -> StoreResult<BoundaryEvent> {
    let id: i64 = row.get("id")?;
    let client: i64 = row.get("client_id")?;
    let note = match row.get::<Option<String>>("note")? {
        Some(sealed) if with_note => Some(keys.open(cipher::BOUNDARY_NOTE, id, &sealed)?),
        _ => None,
    };
    let pseudonym = match with_pseudonym {
        true => keys.open(cipher::CLIENT_PSEUDONYM, client, &row.get::<String>("pseudonym")?)?,
        false => String::new(),
    };
    Ok(BoundaryEvent {
        id,
        client: ClientId(client),
        pseudonym,
        session: row.get::<Option<i64>>("session_id")?.map(SessionId),
        therapist: UserId(row.get("therapist_id")?),
        crossing: crossing_of(row)?,
        occurred_on: row.get("occurred_on")?,
        note,
        shared: row.get("shared")?,
        recorded_at: row.time("recorded_at")?,
    })
}

fn action_row(keys: &cipher::Keyring, row: &Row) -> StoreResult<AgreedAction> {
    let id: i64 = row.get("id")?;
    let client: i64 = row.get("client_id")?;
    Ok(AgreedAction {
        id,
        meeting: row.get("meeting_id")?,
        client: ClientId(client),
        pseudonym: keys.open(cipher::CLIENT_PSEUDONYM, client, &row.get::<String>("pseudonym")?)?,
        text: keys.open(cipher::SUPERVISION_ACTION_TEXT, id, &row.get::<String>("text")?)?,
        held_on: row.get("held_on")?,
        done_at: row.time_opt("done_at")?,
    })
}

const EVENTS: &str = "SELECT b.*, c.pseudonym FROM boundary_events b JOIN clients c ON c.id = b.client_id";
const ACTIONS: &str = "SELECT a.id, a.meeting_id, a.client_id, a.text, a.done_at, m.held_on, c.pseudonym
    FROM supervision_actions a JOIN supervision_meetings m ON m.id = a.meeting_id JOIN clients c ON c.id = a.client_id";

#[async_trait]
impl<S: HasDb> Boundaries for S {
    async fn record_boundary_event(
        &self,
        event: &NewBoundaryEvent,
        by: UserId,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<i64> {
        let db = self.db();
        let c = event.crossing;
        let mut tx = db.begin().await?;
        let id: i64 = db
            .query(
                "INSERT INTO boundary_events (client_id, session_id, therapist_id, kind, minutes, channel,
                    initiated_by, gift, occurred_on, shared, recorded_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
            )
            .bind(event.client.0)
            .bind(event.session.map(|s| s.0))
            .bind(by.0)
            .bind(c.kind().code())
            .bind(c.minutes().map(i64::from))
            .bind(c.channel().map(Channel::code))
            .bind(c.initiated_by().map(Initiator::code))
            .bind(c.gift().map(GiftDirection::code))
            .bind(event.occurred_on)
            .bind(event.shared)
            .bind_time(now)
            .fetch_one(&mut tx)
            .await?
            .first()?;
        if let Some(note) = event.note.as_deref() {
            db.seal_into(&mut tx, cipher::BOUNDARY_NOTE, id, note).await?;
        }
        append_audit(&mut tx, &AuditEvent { object_id: Some(id), ..audit }).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn boundary_events_of(
        &self,
        client: ClientId,
        therapist: UserId,
        shared_only: bool,
    ) -> StoreResult<Vec<BoundaryEvent>> {
        let db = self.db();
        let shared = if shared_only { " AND b.shared" } else { "" };
        let sql = format!(
            "{EVENTS} WHERE b.client_id = $1 AND b.therapist_id = $2{shared}
             ORDER BY b.occurred_on DESC, b.id DESC"
        );
        let rows = db.query(&sql).bind(client.0).bind(therapist.0).fetch_all(&db.read).await?;
        rows.iter().map(|row| event_row(&db.keys, row, true, false)).collect()
    }

    async fn shared_boundary_events(&self, therapists: &[UserId]) -> StoreResult<Vec<BoundaryEvent>> {
        let db = self.db();
        let sql = db.with_ids(&format!(
            "{EVENTS} WHERE b.shared AND b.therapist_id IN {{ids}} ORDER BY b.occurred_on DESC, b.id DESC"
        ));
        let rows = db.query(&sql).bind_ids(ids(therapists, |t| t.0)).fetch_all(&db.read).await?;
        rows.iter().map(|row| event_row(&db.keys, row, false, true)).collect()
    }

    async fn boundary_notes(&self, events: &[i64]) -> StoreResult<Vec<(i64, String)>> {
        let db = self.db();
        let sql = db.with_ids("SELECT id, note FROM boundary_events WHERE note IS NOT NULL AND id IN {ids}");
        let rows = db.query(&sql).bind_ids(events.to_vec()).fetch_all(&db.read).await?;
        rows.iter()
            .map(|row| {
                let id: i64 = row.get("id")?;
                Ok((id, db.keys.open(cipher::BOUNDARY_NOTE, id, &row.get::<String>("note")?)?))
            })
            .collect()
    }

    async fn record_meeting(&self, meeting: &NewMeeting, audit: AuditEvent, now: OffsetDateTime) -> StoreResult<i64> {
        let db = self.db();
        let mut tx = db.begin().await?;
        let id: i64 = db
            .query(
                "INSERT INTO supervision_meetings (supervisor_id, therapist_id, held_on, recorded_at)
                 VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(meeting.supervisor.0)
            .bind(meeting.therapist.0)
            .bind(meeting.held_on)
            .bind_time(now)
            .fetch_one(&mut tx)
            .await?
            .first()?;
        if let Some(agreed) = meeting.agreed.as_deref() {
            db.seal_into(&mut tx, cipher::MEETING_AGREED, id, agreed).await?;
        }
        for item in &meeting.items {
            db.query(
                "INSERT INTO supervision_meeting_items (meeting_id, client_id, session_id, boundary_event_id)
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(item.client.0)
            .bind(item.session.map(|s| s.0))
            .bind(item.boundary_event)
            .execute(&mut tx)
            .await?;
        }
        for (client, text) in &meeting.actions {
            let action: i64 = db
                .query("INSERT INTO supervision_actions (meeting_id, client_id, text) VALUES ($1, $2, '') RETURNING id")
                .bind(id)
                .bind(client.0)
                .fetch_one(&mut tx)
                .await?
                .first()?;
            db.seal_into(&mut tx, cipher::SUPERVISION_ACTION_TEXT, action, text).await?;
        }
        append_audit(&mut tx, &AuditEvent { object_id: Some(id), ..audit }).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn meetings(&self, of: MeetingsOf, offset: usize, limit: usize) -> StoreResult<(usize, Vec<Meeting>)> {
        let db = self.db();
        let (column, user) = match of {
            MeetingsOf::Supervisor(u) => ("supervisor_id", u),
            MeetingsOf::Therapist(u) => ("therapist_id", u),
        };
        let total = db
            .query(&format!("SELECT COUNT(*) AS n FROM supervision_meetings WHERE {column} = $1"))
            .bind(user.0)
            .fetch_one(&db.read)
            .await?
            .count("n")?;
        let rows = db
            .query(&format!(
                "SELECT * FROM supervision_meetings WHERE {column} = $1 ORDER BY held_on DESC, id DESC
                 LIMIT $2 OFFSET $3"
            ))
            .bind(user.0)
            .bind(i64::try_from(limit).unwrap_or(i64::MAX))
            .bind(i64::try_from(offset).unwrap_or(i64::MAX))
            .fetch_all(&db.read)
            .await?;
        let mut meetings = Vec::with_capacity(rows.len());
        for row in &rows {
            let id: i64 = row.get("id")?;
            meetings.push(Meeting {
                id,
                supervisor: UserId(row.get("supervisor_id")?),
                therapist: UserId(row.get("therapist_id")?),
                held_on: row.get("held_on")?,
                agreed: db.keys.open_opt(cipher::MEETING_AGREED, id, row.get("agreed")?)?,
                items: Vec::new(),
                actions: Vec::new(),
                recorded_at: row.time("recorded_at")?,
            });
        }
        let shown: Vec<i64> = meetings.iter().map(|m| m.id).collect();
        if shown.is_empty() {
            return Ok((total, meetings));
        }
        let sql = db.with_ids(
            "SELECT i.meeting_id, i.client_id, i.session_id, i.boundary_event_id, c.pseudonym, CAST(s.number AS BIGINT) AS number,
                    b.kind, b.occurred_on
             FROM supervision_meeting_items i JOIN clients c ON c.id = i.client_id
             LEFT JOIN therapy_sessions s ON s.id = i.session_id
             LEFT JOIN boundary_events b ON b.id = i.boundary_event_id
             WHERE i.meeting_id IN {ids} ORDER BY i.meeting_id, i.id",
        );
        for row in db.query(&sql).bind_ids(shown.clone()).fetch_all(&db.read).await? {
            let (meeting, client): (i64, i64) = (row.get("meeting_id")?, row.get("client_id")?);
            let kind: Option<String> = row.get("kind")?;
            let item = MeetingItem {
                client: ClientId(client),
                pseudonym: db.keys.open(cipher::CLIENT_PSEUDONYM, client, &row.get::<String>("pseudonym")?)?,
                session: row.get::<Option<i64>>("session_id")?.map(SessionId),
                session_number: row.get::<Option<i64>>("number")?.and_then(|n| u32::try_from(n).ok()),
                boundary_event: row.get("boundary_event_id")?,
                boundary_kind: kind.as_deref().and_then(BoundaryKind::parse),
                boundary_on: row.get("occurred_on")?,
            };
            if let Some(m) = meetings.iter_mut().find(|m| m.id == meeting) {
                m.items.push(item);
            }
        }
        let sql = db.with_ids(&format!("{ACTIONS} WHERE a.meeting_id IN {{ids}} ORDER BY a.id"));
        for row in db.query(&sql).bind_ids(shown).fetch_all(&db.read).await? {
            let action = action_row(&db.keys, &row)?;
            if let Some(m) = meetings.iter_mut().find(|m| m.id == action.meeting) {
                m.actions.push(action);
            }
        }
        Ok((total, meetings))
    }

    async fn open_actions(&self, client: ClientId, therapist: UserId) -> StoreResult<Vec<AgreedAction>> {
        let db = self.db();
        let sql = format!(
            "{ACTIONS} WHERE a.client_id = $1 AND m.therapist_id = $2 AND a.done_at IS NULL ORDER BY m.held_on, a.id"
        );
        let rows = db.query(&sql).bind(client.0).bind(therapist.0).fetch_all(&db.read).await?;
        rows.iter().map(|row| action_row(&db.keys, row)).collect()
    }

    async fn mark_action_done(
        &self,
        action: i64,
        client: ClientId,
        therapist: UserId,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<bool> {
        let db = self.db();
        let mut tx = db.begin().await?;
        let done = db
            .query(
                "UPDATE supervision_actions SET done_at = $1
                 WHERE id = $2 AND client_id = $3 AND done_at IS NULL
                   AND meeting_id IN (SELECT id FROM supervision_meetings WHERE therapist_id = $4)",
            )
            .bind_time(now)
            .bind(action)
            .bind(client.0)
            .bind(therapist.0)
            .execute(&mut tx)
            .await?;
        if done == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        append_audit(&mut tx, &AuditEvent { object_id: Some(action), ..audit }).await?;
        tx.commit().await?;
        Ok(true)
    }
}
