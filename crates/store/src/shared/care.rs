//! Clients, their episodes of care and their sessions.

use async_trait::async_trait;
use time::{Date, OffsetDateTime};

use crate::cipher::{self, Keyring};
use crate::db::{HasDb, Lock, Row};
use crate::shared::append_audit;
use crate::*;

#[async_trait]
pub trait Care: Send + Sync {
    async fn create_client(&self, client: NewClient, audit: AuditEvent, now: OffsetDateTime) -> StoreResult<ClientId>;
    async fn client(&self, id: ClientId) -> StoreResult<Option<Client>>;
    async fn clients_of(&self, therapists: &[UserId]) -> StoreResult<Vec<Client>>;
    /// Opens an episode of care; the client's earlier open episode ends the day this one starts. `Conflict` if it
    /// would start before the client's current episode began (which would then end before it started).
    async fn open_episode(&self, episode: NewEpisode, audit: AuditEvent, now: OffsetDateTime)
    -> StoreResult<EpisodeId>;
    /// Ends an open episode of care on `ended_on` (not before it started), writing `audit` (object: the episode)
    /// in the same transaction. `Conflict` if it has ended already or would end before it started.
    async fn end_episode(&self, episode: EpisodeId, ended_on: Date, audit: AuditEvent) -> StoreResult<()>;
    async fn episodes(&self, client: ClientId) -> StoreResult<Vec<Episode>>;
    async fn episode(&self, id: EpisodeId) -> StoreResult<Option<Episode>>;
    /// Each client's current episode of care: the one opened last.
    async fn current_episodes(&self, clients: &[ClientId]) -> StoreResult<Vec<Episode>>;
    /// Every session of these clients, by client, episode and number.
    async fn sessions_of(&self, clients: &[ClientId]) -> StoreResult<Vec<TherapySession>>;
    /// Records the next session of an episode; its number is one more than the last. `Conflict` if it is dated
    /// before the episode began.
    async fn record_session(
        &self,
        session: NewSession,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<TherapySession>;
    async fn session(&self, id: SessionId) -> StoreResult<Option<TherapySession>>;
    async fn sessions(&self, episode: EpisodeId) -> StoreResult<Vec<TherapySession>>;
    /// Each known client's revision, which the database moves with every change to what their overview is
    /// computed from (episodes, sessions, answers), whichever app server made it; 0 before the first.
    async fn client_revisions(&self, clients: &[ClientId]) -> StoreResult<Vec<(ClientId, i64)>>;
    /// Sets the client's language (`None`: their browser's). `audit` is written in the same transaction when
    /// given (a therapist's change); a client's own choice on their page is not clinical data and is not audited.
    async fn set_client_language(
        &self,
        client: ClientId,
        language: Option<&str>,
        audit: Option<AuditEvent>,
    ) -> StoreResult<()>;
}

pub(crate) fn ids<T>(items: &[T], id: impl Fn(&T) -> i64) -> Vec<i64> {
    items.iter().map(id).collect()
}

fn client_row(keys: &Keyring, row: &Row) -> StoreResult<Client> {
    let id = row.get("id")?;
    Ok(Client {
        id: ClientId(id),
        therapist: UserId(row.get("therapist_id")?),
        pseudonym: keys.open(cipher::CLIENT_PSEUDONYM, id, row.get("pseudonym")?)?,
        contact: keys.open_opt(cipher::CLIENT_CONTACT, id, row.get("contact")?)?,
        created_at: row.time("created_at")?,
        language: row.get_if_present("language")?,
        damaged: false,
    })
}

/// A client for a listing: when a sealed field cannot be opened the client is still listed, marked damaged,
/// with a stand-in name (docs/TRIAGE.md#damaged-records); other faults still fail the listing.
fn listed_client_row(keys: &Keyring, row: &Row) -> StoreResult<Client> {
    match client_row(keys, row) {
        Err(StoreError::Key(_)) => {
            let id = row.get("id")?;
            Ok(Client {
                id: ClientId(id),
                therapist: UserId(row.get("therapist_id")?),
                pseudonym: format!("Client {id}"),
                contact: None,
                created_at: row.time("created_at")?,
                language: row.get_if_present("language")?,
                damaged: true,
            })
        }
        other => other,
    }
}

fn episode_row(row: &Row) -> StoreResult<Episode> {
    Ok(Episode {
        id: EpisodeId(row.get("id")?),
        client: ClientId(row.get("client_id")?),
        therapist: UserId(row.get("therapist_id")?),
        started_on: row.get("started_on")?,
        ended_on: row.get("ended_on")?,
        measures: row.names("measures")?,
    })
}

fn session_row(row: &Row) -> StoreResult<TherapySession> {
    Ok(TherapySession {
        id: SessionId(row.get("id")?),
        episode: EpisodeId(row.get("episode_id")?),
        client: ClientId(row.get("client_id")?),
        number: row.small("number")?,
        held_on: row.get("held_on")?,
        attended: row.get("attended")?,
    })
}

const SESSION_COLUMNS: &str = "s.id, s.episode_id, e.client_id, s.number, s.held_on, s.attended
    FROM therapy_sessions s JOIN episodes e ON e.id = s.episode_id";

#[async_trait]
impl<S: HasDb> Care for S {
    async fn set_client_language(
        &self,
        client: ClientId,
        language: Option<&str>,
        audit: Option<AuditEvent>,
    ) -> StoreResult<()> {
        let db = self.db();
        let mut tx = db.begin().await?;
        let done = db
            .query("UPDATE clients SET language = $1 WHERE id = $2")
            .bind(language)
            .bind(client.0)
            .execute(&mut tx)
            .await?;
        if done == 0 {
            tx.rollback().await?;
            return Err(StoreError::NotFound);
        }
        if let Some(audit) = audit {
            append_audit(&mut tx, &audit).await?;
        }
        tx.commit().await
    }

    async fn create_client(&self, client: NewClient, audit: AuditEvent, now: OffsetDateTime) -> StoreResult<ClientId> {
        let db = self.db();
        // Insert, then seal under the new row's id, in one transaction.
        let mut tx = db.begin().await?;
        let id: i64 = db
            .query("INSERT INTO clients (therapist_id, pseudonym, created_at) VALUES ($1, '', $2) RETURNING id")
            .bind(client.therapist.0)
            .bind_time(now)
            .fetch_one(&mut tx)
            .await?
            .first()?;
        db.query("UPDATE clients SET pseudonym = $1, contact = $2 WHERE id = $3")
            .bind(db.keys.seal(cipher::CLIENT_PSEUDONYM, id, &client.pseudonym))
            .bind(db.keys.seal_opt(cipher::CLIENT_CONTACT, id, client.contact.as_deref()))
            .bind(id)
            .execute(&mut tx)
            .await?;
        append_audit(&mut tx, &AuditEvent { object_id: Some(id), ..audit }).await?;
        tx.commit().await?;
        Ok(ClientId(id))
    }

    async fn client(&self, id: ClientId) -> StoreResult<Option<Client>> {
        let db = self.db();
        let row = db.query("SELECT * FROM clients WHERE id = $1").bind(id.0).fetch_optional(&db.read).await?;
        row.as_ref().map(|r| client_row(&db.keys, r)).transpose()
    }

    async fn clients_of(&self, therapists: &[UserId]) -> StoreResult<Vec<Client>> {
        let db = self.db();
        let sql = db.with_ids("SELECT * FROM clients WHERE therapist_id IN {ids}");
        let rows = db.query(&sql).bind_ids(ids(therapists, |t| t.0)).fetch_all(&db.read).await?;
        let mut clients = rows.iter().map(|r| listed_client_row(&db.keys, r)).collect::<StoreResult<Vec<_>>>()?;
        // Sealed pseudonyms cannot be sorted by the database; Rust's string order is the "C" collation's.
        clients.sort_by(|a, b| (&a.pseudonym, a.id).cmp(&(&b.pseudonym, b.id)));
        Ok(clients)
    }

    async fn open_episode(
        &self,
        episode: NewEpisode,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<EpisodeId> {
        let db = self.db();
        let mut tx = db.begin().await?;
        // The client's row locked (on PostgreSQL), so two episodes opened at once are checked one after the other.
        db.lock(&mut tx, "SELECT id FROM clients WHERE id = $1", Lock::Parent, episode.client.0).await?;
        let current = db
            .query("SELECT started_on FROM episodes WHERE client_id = $1 ORDER BY id DESC LIMIT 1")
            .bind(episode.client.0)
            .fetch_optional(&mut tx)
            .await?;
        if let Some(current) = current
            && episode.started_on < current.get::<Date>("started_on")?
        {
            tx.rollback().await?;
            return Err(StoreError::Conflict("a new episode cannot start before the current one began"));
        }
        db.query("UPDATE episodes SET ended_on = $1 WHERE client_id = $2 AND ended_on IS NULL")
            .bind(episode.started_on)
            .bind(episode.client.0)
            .execute(&mut tx)
            .await?;
        let id: i64 = db
            .query(
                "INSERT INTO episodes (client_id, therapist_id, started_on, measures, created_at)
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(episode.client.0)
            .bind(episode.therapist.0)
            .bind(episode.started_on)
            .bind_names(&episode.measures)
            .bind_time(now)
            .fetch_one(&mut tx)
            .await?
            .first()?;
        append_audit(&mut tx, &AuditEvent { object_id: Some(id), ..audit }).await?;
        tx.commit().await?;
        Ok(EpisodeId(id))
    }

    async fn end_episode(&self, episode: EpisodeId, ended_on: Date, audit: AuditEvent) -> StoreResult<()> {
        let db = self.db();
        let mut tx = db.begin().await?;
        let done = db
            .query("UPDATE episodes SET ended_on = $1 WHERE id = $2 AND ended_on IS NULL AND started_on <= $1")
            .bind(ended_on)
            .bind(episode.0)
            .execute(&mut tx)
            .await?;
        if done == 0 {
            let exists =
                db.query("SELECT id FROM episodes WHERE id = $1").bind(episode.0).fetch_optional(&mut tx).await?;
            tx.rollback().await?;
            return Err(match exists {
                Some(_) => StoreError::Conflict("the episode has ended already, or would end before it started"),
                None => StoreError::NotFound,
            });
        }
        append_audit(&mut tx, &AuditEvent { object_id: Some(episode.0), ..audit }).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn episodes(&self, client: ClientId) -> StoreResult<Vec<Episode>> {
        let db = self.db();
        let rows = db
            .query("SELECT * FROM episodes WHERE client_id = $1 ORDER BY started_on, id")
            .bind(client.0)
            .fetch_all(&db.read)
            .await?;
        rows.iter().map(episode_row).collect()
    }

    async fn episode(&self, id: EpisodeId) -> StoreResult<Option<Episode>> {
        let db = self.db();
        let row = db.query("SELECT * FROM episodes WHERE id = $1").bind(id.0).fetch_optional(&db.read).await?;
        row.as_ref().map(episode_row).transpose()
    }

    async fn current_episodes(&self, clients: &[ClientId]) -> StoreResult<Vec<Episode>> {
        let db = self.db();
        let sql = db.with_ids(
            "SELECT * FROM episodes WHERE id IN (SELECT MAX(id) FROM episodes WHERE client_id IN {ids} GROUP BY client_id)
             ORDER BY client_id",
        );
        db.query(&sql).bind_ids(ids(clients, |c| c.0)).fetch_all(&db.read).await?.iter().map(episode_row).collect()
    }

    async fn sessions_of(&self, clients: &[ClientId]) -> StoreResult<Vec<TherapySession>> {
        let db = self.db();
        let sql = db.with_ids(&format!(
            "SELECT {SESSION_COLUMNS} WHERE e.client_id IN {{ids}} ORDER BY e.client_id, s.episode_id, s.number"
        ));
        db.query(&sql).bind_ids(ids(clients, |c| c.0)).fetch_all(&db.read).await?.iter().map(session_row).collect()
    }

    async fn record_session(
        &self,
        session: NewSession,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<TherapySession> {
        let db = self.db();
        let mut tx = db.begin().await?;
        // The INSERT computes the next number itself. On PostgreSQL, under READ COMMITTED, two recordings would
        // both see the same last number: the episode's row lock makes the second wait until the first has
        // committed, and its MAX then sees the first's session.
        let episode = db
            .lock(&mut tx, "SELECT client_id, started_on FROM episodes WHERE id = $1", Lock::Parent, session.episode.0)
            .await?;
        if session.held_on < episode.get::<Date>("started_on")? {
            tx.rollback().await?;
            return Err(StoreError::Conflict("a session cannot be dated before its episode began"));
        }
        let client = ClientId(episode.get("client_id")?);
        let row = db
            .query(
                "INSERT INTO therapy_sessions (episode_id, number, held_on, attended, created_at)
                 SELECT $1, COALESCE(MAX(number), 0) + 1, $2, $3, $4 FROM therapy_sessions WHERE episode_id = $1
                 RETURNING id, episode_id, number, held_on, attended",
            )
            .bind(session.episode.0)
            .bind(session.held_on)
            .bind(session.attended)
            .bind_time(now)
            .fetch_one(&mut tx)
            .await?;
        let recorded = TherapySession {
            id: SessionId(row.get("id")?),
            episode: EpisodeId(row.get("episode_id")?),
            client,
            number: row.small("number")?,
            held_on: row.get("held_on")?,
            attended: row.get("attended")?,
        };
        append_audit(&mut tx, &AuditEvent { object_id: Some(recorded.id.0), ..audit }).await?;
        tx.commit().await?;
        Ok(recorded)
    }

    async fn session(&self, id: SessionId) -> StoreResult<Option<TherapySession>> {
        let db = self.db();
        let sql = format!("SELECT {SESSION_COLUMNS} WHERE s.id = $1");
        let row = db.query(&sql).bind(id.0).fetch_optional(&db.read).await?;
        row.as_ref().map(session_row).transpose()
    }

    async fn sessions(&self, episode: EpisodeId) -> StoreResult<Vec<TherapySession>> {
        let db = self.db();
        let sql = format!("SELECT {SESSION_COLUMNS} WHERE s.episode_id = $1 ORDER BY s.number");
        db.query(&sql).bind(episode.0).fetch_all(&db.read).await?.iter().map(session_row).collect()
    }

    async fn client_revisions(&self, clients: &[ClientId]) -> StoreResult<Vec<(ClientId, i64)>> {
        let db = self.db();
        let sql = db.with_ids(
            "SELECT c.id, coalesce(r.revision, 0) AS revision FROM clients c
             LEFT JOIN client_revisions r ON r.client_id = c.id WHERE c.id IN {ids}",
        );
        db.query(&sql)
            .bind_ids(ids(clients, |c| c.0))
            .fetch_all(&db.read)
            .await?
            .iter()
            .map(|r| Ok((ClientId(r.get("id")?), r.get("revision")?)))
            .collect()
    }
}
