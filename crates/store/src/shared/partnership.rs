//! The client as a partner (issue 16): goals and their history, the client's ratings of them, tasks agreed for
//! between sessions and the client's reports on them, the client's own page, and the therapist's event notes.
//! Texts people wrote are sealed; every change is one transaction with its audit entry. Goal ratings and task
//! reports arrive with a check's answers and are written in its transaction (`group_commit`).

use alliance_core::partnership::{
    EventKind, EventNoteText, GoalChange, GoalRating, GoalStatus, GoalText, MAX_OPEN_GOALS, ProposedBy, TaskDone,
    TaskText,
};
use async_trait::async_trait;
use time::{Date, OffsetDateTime};

use crate::cipher::{self, Keyring};
use crate::db::{HasDb, Lock, Row};
use crate::shared::append_audit;
use crate::shared::care::ids;
use crate::*;

macro_rules! id_types {
    ($($name:ident),*) => {$(
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub i64);
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { self.0.fmt(f) }
        }
    )*};
}
id_types!(GoalId, TaskId, EventNoteId);

#[derive(Debug, Clone, PartialEq)]
pub struct Goal {
    pub id: GoalId,
    pub episode: EpisodeId,
    pub text: String,
    pub status: GoalStatus,
    pub proposed_by: ProposedBy,
    pub created_at: OffsetDateTime,
    pub changed_at: OffsetDateTime,
}

/// One change of a goal: `text` is its wording after a proposal, agreement or revision.
#[derive(Debug, Clone, PartialEq)]
pub struct GoalHistoryEntry {
    pub goal: GoalId,
    pub at: OffsetDateTime,
    pub change: GoalChange,
    pub text: Option<String>,
    pub actor: Option<UserId>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StoredGoalRating {
    pub goal: GoalId,
    pub session: SessionId,
    pub rating: GoalRating,
    pub rated_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    pub id: TaskId,
    pub episode: EpisodeId,
    /// The session it was agreed in.
    pub session: SessionId,
    pub text: String,
    pub created_at: OffsetDateTime,
    pub report: Option<TaskReport>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TaskReport {
    /// The session whose check carried the report.
    pub session: SessionId,
    pub done: TaskDone,
    pub obstacle: Option<String>,
    pub reported_at: OffsetDateTime,
}

/// What a client's check carries besides questionnaires: a rating of each agreed goal and a report on each task
/// due. Written with the answers, in their transaction; a goal or task of another episode is refused.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CheckExtras {
    pub goal_ratings: Vec<(GoalId, GoalRating)>,
    pub task_reports: Vec<NewTaskReport>,
    /// The consent given with this check, when the client was shown the text for the first time (or a new
    /// version of it).
    pub consent: Option<crate::NewConsent>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewTaskReport {
    pub task: TaskId,
    pub done: TaskDone,
    pub obstacle: Option<String>,
}

/// The client's own page: whether its personal link works (`token_hash` stored) and what it shows.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientPage {
    pub client: ClientId,
    /// Moves with every reissue: the link's token is derived from it, so an earlier link stops working.
    pub generation: i64,
    pub active: bool,
    pub hide_alliance: bool,
    pub changed_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewEventNote {
    pub on: Date,
    pub kind: EventKind,
    pub text: EventNoteText,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EventNote {
    pub id: EventNoteId,
    pub client: ClientId,
    pub on: Date,
    pub kind: EventKind,
    pub text: String,
    pub created_at: OffsetDateTime,
    pub created_by: Option<UserId>,
}

#[async_trait]
pub trait Partnership: Send + Sync {
    /// A goal for an open episode: agreed at once when the therapist enters it, proposed when the client does.
    /// `Conflict` when the episode already has three open goals or has ended.
    async fn add_goal(
        &self,
        episode: EpisodeId,
        text: &GoalText,
        by: ProposedBy,
        actor: Option<UserId>,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<GoalId>;
    /// Agrees a proposed goal, revises an open one's wording (`text` required), or marks an open one achieved
    /// or dropped, keeping the history. `Conflict` when the goal is not in a state that allows the change.
    async fn change_goal(
        &self,
        goal: GoalId,
        change: GoalChange,
        text: Option<&GoalText>,
        actor: Option<UserId>,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<()>;
    async fn goal(&self, goal: GoalId) -> StoreResult<Option<Goal>>;
    /// The goals of these episodes, oldest first.
    async fn goals_of(&self, episodes: &[EpisodeId]) -> StoreResult<Vec<Goal>>;
    async fn goal_history(&self, episodes: &[EpisodeId]) -> StoreResult<Vec<GoalHistoryEntry>>;
    async fn goal_ratings(&self, episodes: &[EpisodeId]) -> StoreResult<Vec<StoredGoalRating>>;
    /// A task agreed in `session` for until the next one.
    async fn add_task(
        &self,
        session: SessionId,
        text: &TaskText,
        actor: Option<UserId>,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<TaskId>;
    /// The tasks of these episodes with their reports, oldest first.
    async fn tasks_of(&self, episodes: &[EpisodeId]) -> StoreResult<Vec<Task>>;
    async fn client_page(&self, client: ClientId) -> StoreResult<Option<ClientPage>>;
    /// The client whose page the token's hash opens, if its link works.
    async fn client_page_by_token(&self, token_hash: &[u8]) -> StoreResult<Option<ClientPage>>;
    /// Issues the page's link anew as `generation`, whose token hashes to `token_hash`, if the stored generation
    /// is still `expected` (none before the first): false when another request moved it first.
    async fn issue_client_page(
        &self,
        client: ClientId,
        expected: Option<i64>,
        generation: i64,
        token_hash: &[u8],
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<bool>;
    /// Stops the page's link from working (the page keeps its settings).
    async fn revoke_client_page(&self, client: ClientId, audit: AuditEvent, now: OffsetDateTime) -> StoreResult<()>;
    /// Whether the client's page shows their relationship ratings.
    async fn set_hide_alliance(
        &self,
        client: ClientId,
        hide: bool,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<()>;
    async fn add_event_note(
        &self,
        client: ClientId,
        note: &NewEventNote,
        actor: Option<UserId>,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<EventNoteId>;
    /// The event notes of these clients, by date.
    async fn event_notes(&self, clients: &[ClientId]) -> StoreResult<Vec<EventNote>>;
    /// The measure schedules of these episodes that have their own (as `alliance_core::schedule` text).
    async fn episode_schedules(&self, episodes: &[EpisodeId]) -> StoreResult<Vec<(EpisodeId, String)>>;
    /// Sets an episode's own measure schedule, replacing an earlier one.
    async fn set_episode_schedule(&self, episode: EpisodeId, schedule: &str, audit: AuditEvent) -> StoreResult<()>;
}

fn goal_row(keys: &Keyring, row: &Row) -> StoreResult<Goal> {
    let id: i64 = row.get("id")?;
    Ok(Goal {
        id: GoalId(id),
        episode: EpisodeId(row.get("episode_id")?),
        text: keys.open(cipher::GOAL_TEXT, id, row.get("text")?)?,
        status: parse_word(GoalStatus::parse, row.get("status")?)?,
        proposed_by: parse_word(ProposedBy::parse, row.get("proposed_by")?)?,
        created_at: row.time("created_at")?,
        changed_at: row.time("changed_at")?,
    })
}

fn parse_word<T>(parse: fn(&str) -> Result<T, alliance_core::domain::ParseError>, word: String) -> StoreResult<T> {
    parse(&word).map_err(|_| StoreError::Corrupt(format!("an unknown stored word: {word:.20}")))
}

fn page_row(row: &Row) -> StoreResult<ClientPage> {
    Ok(ClientPage {
        client: ClientId(row.get("client_id")?),
        generation: row.get("generation")?,
        active: row.get::<Option<Vec<u8>>>("token_hash")?.is_some(),
        hide_alliance: row.get("hide_alliance")?,
        changed_at: row.time("changed_at")?,
    })
}

/// Appends one change to a goal's history inside `tx`.
async fn record_change(
    db: &crate::db::Db,
    tx: &mut crate::db::Tx,
    goal: i64,
    change: GoalChange,
    text: Option<&str>,
    actor: Option<UserId>,
    now: OffsetDateTime,
) -> StoreResult<()> {
    let id: i64 = db
        .query("INSERT INTO goal_history (goal_id, at, change, actor_id) VALUES ($1, $2, $3, $4) RETURNING id")
        .bind(goal)
        .bind_time(now)
        .bind(change.as_str())
        .bind(actor.map(|a| a.0))
        .fetch_one(&mut *tx)
        .await?
        .first()?;
    if let Some(text) = text {
        db.seal_into(tx, cipher::GOAL_HISTORY_TEXT, id, text).await?;
    }
    Ok(())
}

#[async_trait]
impl<S: HasDb> Partnership for S {
    async fn add_goal(
        &self,
        episode: EpisodeId,
        text: &GoalText,
        by: ProposedBy,
        actor: Option<UserId>,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<GoalId> {
        let db = self.db();
        let mut tx = db.begin().await?;
        // The episode's row locked, so two goals added at once are counted one after the other.
        let row = db.lock(&mut tx, "SELECT ended_on FROM episodes WHERE id = $1", Lock::Parent, episode.0).await?;
        if row.get::<Option<Date>>("ended_on")?.is_some() {
            tx.rollback().await?;
            return Err(StoreError::Conflict("the episode has ended"));
        }
        let open: i64 = db
            .query("SELECT COUNT(*) FROM goals WHERE episode_id = $1 AND status IN ('proposed', 'agreed')")
            .bind(episode.0)
            .fetch_one(&mut tx)
            .await?
            .first()?;
        if open >= MAX_OPEN_GOALS as i64 {
            tx.rollback().await?;
            return Err(StoreError::Conflict("an episode has at most three open goals"));
        }
        let status = match by {
            ProposedBy::Therapist => GoalStatus::Agreed,
            ProposedBy::Client => GoalStatus::Proposed,
        };
        let id: i64 = db
            .query(
                "INSERT INTO goals (episode_id, text, status, proposed_by, created_at, changed_at)
                 VALUES ($1, '', $2, $3, $4, $4) RETURNING id",
            )
            .bind(episode.0)
            .bind(status.as_str())
            .bind(by.as_str())
            .bind_time(now)
            .fetch_one(&mut tx)
            .await?
            .first()?;
        db.seal_into(&mut tx, cipher::GOAL_TEXT, id, text.as_str()).await?;
        let change = match status {
            GoalStatus::Agreed => GoalChange::Agreed,
            _ => GoalChange::Proposed,
        };
        record_change(db, &mut tx, id, change, Some(text.as_str()), actor, now).await?;
        append_audit(&mut tx, &AuditEvent { object_id: Some(id), ..audit }).await?;
        tx.commit().await?;
        Ok(GoalId(id))
    }

    async fn change_goal(
        &self,
        goal: GoalId,
        change: GoalChange,
        text: Option<&GoalText>,
        actor: Option<UserId>,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        let db = self.db();
        // Which statuses allow the change, and the status after it (a revision keeps the status).
        let (from, to): (&str, Option<GoalStatus>) = match change {
            GoalChange::Agreed => ("('proposed')", Some(GoalStatus::Agreed)),
            GoalChange::Achieved => ("('proposed', 'agreed')", Some(GoalStatus::Achieved)),
            GoalChange::Dropped => ("('proposed', 'agreed')", Some(GoalStatus::Dropped)),
            GoalChange::Revised => ("('proposed', 'agreed')", None),
            GoalChange::Proposed => return Err(StoreError::Conflict("a goal is proposed only when it is added")),
        };
        if change == GoalChange::Revised && text.is_none() {
            return Err(StoreError::Conflict("a revision needs the new wording"));
        }
        let mut tx = db.begin().await?;
        let sql = format!(
            "UPDATE goals SET status = CASE WHEN $2 = '' THEN status ELSE $2 END, changed_at = $1
             WHERE id = $3 AND status IN {from}"
        );
        let done =
            db.query(&sql).bind_time(now).bind(to.map_or("", GoalStatus::as_str)).bind(goal.0).execute(&mut tx).await?;
        if done != 1 {
            let exists = db.query("SELECT id FROM goals WHERE id = $1").bind(goal.0).fetch_optional(&mut tx).await?;
            tx.rollback().await?;
            return Err(match exists {
                None => StoreError::NotFound,
                Some(_) => StoreError::Conflict("the goal cannot change that way now"),
            });
        }
        if let Some(text) = text {
            db.seal_into(&mut tx, cipher::GOAL_TEXT, goal.0, text.as_str()).await?;
        }
        record_change(db, &mut tx, goal.0, change, text.map(GoalText::as_str), actor, now).await?;
        append_audit(&mut tx, &AuditEvent { object_id: Some(goal.0), ..audit }).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn goal(&self, goal: GoalId) -> StoreResult<Option<Goal>> {
        let db = self.db();
        let row = db.query("SELECT * FROM goals WHERE id = $1").bind(goal.0).fetch_optional(&db.read).await?;
        row.as_ref().map(|r| goal_row(&db.keys, r)).transpose()
    }

    async fn goals_of(&self, episodes: &[EpisodeId]) -> StoreResult<Vec<Goal>> {
        let db = self.db();
        let sql = db.with_ids("SELECT * FROM goals WHERE episode_id IN {ids} ORDER BY id");
        let rows = db.query(&sql).bind_ids(ids(episodes, |e| e.0)).fetch_all(&db.read).await?;
        rows.iter().map(|r| goal_row(&db.keys, r)).collect()
    }

    async fn goal_history(&self, episodes: &[EpisodeId]) -> StoreResult<Vec<GoalHistoryEntry>> {
        let db = self.db();
        let sql = db.with_ids(
            "SELECT h.* FROM goal_history h JOIN goals g ON g.id = h.goal_id WHERE g.episode_id IN {ids}
             ORDER BY h.id",
        );
        let rows = db.query(&sql).bind_ids(ids(episodes, |e| e.0)).fetch_all(&db.read).await?;
        rows.iter()
            .map(|row| {
                let id: i64 = row.get("id")?;
                Ok(GoalHistoryEntry {
                    goal: GoalId(row.get("goal_id")?),
                    at: row.time("at")?,
                    change: parse_word(GoalChange::parse, row.get("change")?)?,
                    text: db.keys.open_opt(cipher::GOAL_HISTORY_TEXT, id, row.get("text")?)?,
                    actor: row.get::<Option<i64>>("actor_id")?.map(UserId),
                })
            })
            .collect()
    }

    async fn goal_ratings(&self, episodes: &[EpisodeId]) -> StoreResult<Vec<StoredGoalRating>> {
        let db = self.db();
        let sql = db.with_ids(
            "SELECT r.goal_id, r.session_id, r.rating, r.rated_at FROM goal_ratings r JOIN goals g ON g.id = r.goal_id
             WHERE g.episode_id IN {ids} ORDER BY r.rated_at, r.goal_id",
        );
        let rows = db.query(&sql).bind_ids(ids(episodes, |e| e.0)).fetch_all(&db.read).await?;
        rows.iter()
            .map(|row| {
                let rating: i64 = row.get("rating")?;
                Ok(StoredGoalRating {
                    goal: GoalId(row.get("goal_id")?),
                    session: SessionId(row.get("session_id")?),
                    rating: GoalRating::from_stored(rating)
                        .ok_or_else(|| StoreError::Corrupt("a goal rating outside 0 to 10".into()))?,
                    rated_at: row.time("rated_at")?,
                })
            })
            .collect()
    }

    async fn add_task(
        &self,
        session: SessionId,
        text: &TaskText,
        actor: Option<UserId>,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<TaskId> {
        let db = self.db();
        let mut tx = db.begin().await?;
        let inserted = db
            .query(
                "INSERT INTO tasks (episode_id, session_id, text, created_at, created_by)
                 SELECT episode_id, id, '', $1, $2 FROM therapy_sessions WHERE id = $3 RETURNING id",
            )
            .bind_time(now)
            .bind(actor.map(|a| a.0))
            .bind(session.0)
            .fetch_optional(&mut tx)
            .await?;
        let Some(row) = inserted else {
            tx.rollback().await?;
            return Err(StoreError::NotFound);
        };
        let id: i64 = row.first()?;
        db.seal_into(&mut tx, cipher::TASK_TEXT, id, text.as_str()).await?;
        append_audit(&mut tx, &AuditEvent { object_id: Some(id), ..audit }).await?;
        tx.commit().await?;
        Ok(TaskId(id))
    }

    async fn tasks_of(&self, episodes: &[EpisodeId]) -> StoreResult<Vec<Task>> {
        let db = self.db();
        let sql = db.with_ids(
            "SELECT t.id, t.episode_id, t.session_id, t.text, t.created_at, r.session_id AS report_session,
                    r.done, r.obstacle, r.reported_at
             FROM tasks t LEFT JOIN task_reports r ON r.task_id = t.id WHERE t.episode_id IN {ids} ORDER BY t.id",
        );
        let rows = db.query(&sql).bind_ids(ids(episodes, |e| e.0)).fetch_all(&db.read).await?;
        rows.iter()
            .map(|row| {
                let id: i64 = row.get("id")?;
                let report = match row.get::<Option<String>>("done")? {
                    None => None,
                    Some(done) => Some(TaskReport {
                        session: SessionId(row.get("report_session")?),
                        done: parse_word(TaskDone::parse, done)?,
                        obstacle: db.keys.open_opt(cipher::TASK_OBSTACLE, id, row.get("obstacle")?)?,
                        reported_at: row.time("reported_at")?,
                    }),
                };
                Ok(Task {
                    id: TaskId(id),
                    episode: EpisodeId(row.get("episode_id")?),
                    session: SessionId(row.get("session_id")?),
                    text: db.keys.open(cipher::TASK_TEXT, id, row.get("text")?)?,
                    created_at: row.time("created_at")?,
                    report,
                })
            })
            .collect()
    }

    async fn client_page(&self, client: ClientId) -> StoreResult<Option<ClientPage>> {
        let db = self.db();
        let row =
            db.query("SELECT * FROM client_pages WHERE client_id = $1").bind(client.0).fetch_optional(&db.read).await?;
        row.as_ref().map(page_row).transpose()
    }

    async fn client_page_by_token(&self, token_hash: &[u8]) -> StoreResult<Option<ClientPage>> {
        let db = self.db();
        let row = db
            .query("SELECT * FROM client_pages WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(&db.read)
            .await?;
        row.as_ref().map(page_row).transpose()
    }

    async fn issue_client_page(
        &self,
        client: ClientId,
        expected: Option<i64>,
        generation: i64,
        token_hash: &[u8],
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<bool> {
        let db = self.db();
        let mut tx = db.begin().await?;
        let done = match expected {
            None => {
                db.query(
                    "INSERT INTO client_pages (client_id, generation, token_hash, changed_at) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (client_id) DO NOTHING",
                )
                .bind(client.0)
                .bind(generation)
                .bind(token_hash)
                .bind_time(now)
                .execute(&mut tx)
                .await?
            }
            Some(expected) => {
                db.query(
                    "UPDATE client_pages SET generation = $1, token_hash = $2, changed_at = $3
                     WHERE client_id = $4 AND generation = $5",
                )
                .bind(generation)
                .bind(token_hash)
                .bind_time(now)
                .bind(client.0)
                .bind(expected)
                .execute(&mut tx)
                .await?
            }
        };
        if done != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        append_audit(&mut tx, &AuditEvent { object_id: Some(client.0), ..audit }).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn revoke_client_page(&self, client: ClientId, audit: AuditEvent, now: OffsetDateTime) -> StoreResult<()> {
        let db = self.db();
        let mut tx = db.begin().await?;
        db.query("UPDATE client_pages SET token_hash = NULL, changed_at = $1 WHERE client_id = $2")
            .bind_time(now)
            .bind(client.0)
            .execute(&mut tx)
            .await?;
        append_audit(&mut tx, &AuditEvent { object_id: Some(client.0), ..audit }).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn set_hide_alliance(
        &self,
        client: ClientId,
        hide: bool,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        let db = self.db();
        let mut tx = db.begin().await?;
        // Before the first link the setting is kept on a page row without one (generation 0, no token).
        db.query(
            "INSERT INTO client_pages (client_id, generation, hide_alliance, changed_at) VALUES ($1, 0, $2, $3)
             ON CONFLICT (client_id) DO UPDATE SET hide_alliance = $2, changed_at = $3",
        )
        .bind(client.0)
        .bind(hide)
        .bind_time(now)
        .execute(&mut tx)
        .await?;
        append_audit(&mut tx, &AuditEvent { object_id: Some(client.0), ..audit }).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn add_event_note(
        &self,
        client: ClientId,
        note: &NewEventNote,
        actor: Option<UserId>,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<EventNoteId> {
        let db = self.db();
        let mut tx = db.begin().await?;
        let id: i64 = db
            .query(
                "INSERT INTO event_notes (client_id, noted_on, kind, text, created_at, created_by)
                 VALUES ($1, $2, $3, '', $4, $5) RETURNING id",
            )
            .bind(client.0)
            .bind(note.on)
            .bind(note.kind.as_str())
            .bind_time(now)
            .bind(actor.map(|a| a.0))
            .fetch_one(&mut tx)
            .await?
            .first()?;
        db.seal_into(&mut tx, cipher::EVENT_NOTE_TEXT, id, note.text.as_str()).await?;
        append_audit(&mut tx, &AuditEvent { object_id: Some(id), ..audit }).await?;
        tx.commit().await?;
        Ok(EventNoteId(id))
    }

    async fn episode_schedules(&self, episodes: &[EpisodeId]) -> StoreResult<Vec<(EpisodeId, String)>> {
        let db = self.db();
        let sql = db.with_ids("SELECT episode_id, schedule FROM episode_schedules WHERE episode_id IN {ids}");
        let rows = db.query(&sql).bind_ids(ids(episodes, |e| e.0)).fetch_all(&db.read).await?;
        rows.iter().map(|row| Ok((EpisodeId(row.get("episode_id")?), row.get("schedule")?))).collect()
    }

    async fn set_episode_schedule(&self, episode: EpisodeId, schedule: &str, audit: AuditEvent) -> StoreResult<()> {
        let db = self.db();
        let mut tx = db.begin().await?;
        db.query(
            "INSERT INTO episode_schedules (episode_id, schedule) VALUES ($1, $2)
             ON CONFLICT (episode_id) DO UPDATE SET schedule = $2",
        )
        .bind(episode.0)
        .bind(schedule)
        .execute(&mut tx)
        .await?;
        append_audit(&mut tx, &AuditEvent { object_id: Some(episode.0), ..audit }).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn event_notes(&self, clients: &[ClientId]) -> StoreResult<Vec<EventNote>> {
        let db = self.db();
        let sql = db.with_ids("SELECT * FROM event_notes WHERE client_id IN {ids} ORDER BY noted_on, id");
        let rows = db.query(&sql).bind_ids(ids(clients, |c| c.0)).fetch_all(&db.read).await?;
        rows.iter()
            .map(|row| {
                let id: i64 = row.get("id")?;
                Ok(EventNote {
                    id: EventNoteId(id),
                    client: ClientId(row.get("client_id")?),
                    on: row.get("noted_on")?,
                    kind: parse_word(EventKind::parse, row.get("kind")?)?,
                    text: db.keys.open(cipher::EVENT_NOTE_TEXT, id, row.get("text")?)?,
                    created_at: row.time("created_at")?,
                    created_by: row.get::<Option<i64>>("created_by")?.map(UserId),
                })
            })
            .collect()
    }
}
