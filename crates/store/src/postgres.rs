//! The PostgreSQL store, for practices that run a database server. It behaves like the SQLite store (the
//! conformance suite is the contract) and keeps PostgreSQL's default READ COMMITTED isolation. Where SQLite is
//! race-free because it has one writer at a time, this store says why it is race-free at each method:
//!
//! - A link is claimed in a batch (`group_commit::postgres`) that first locks it, `SELECT ... FOR UPDATE`. A
//!   concurrent batch on another app server waits for that lock and then reads the row as committed, so it sees
//!   the link used: only one claim can succeed. Batches lock their links in token order, so they cannot deadlock.
//! - Work that reads before it writes (numbering a session, retiring a session's links, replacing a therapist's
//!   questionnaire) first locks the parent row (`FOR NO KEY UPDATE`), which serialises it per episode or session
//!   without blocking foreign-key checks.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use alliance_core::domain::{AdministrationStatus, Role};
use alliance_core::scoring::{ResponseFlags, ScaleScore};
use async_trait::async_trait;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::{Connection, PgConnection, PgPool, Row, Transaction};
use time::OffsetDateTime;
use zeroize::Zeroizing;

use crate::cipher::{self, Keyring};
use crate::group_commit::GroupCommit;
use crate::group_commit::postgres::PgBatches;
use crate::schema_version::{self, Migrations};
use crate::*;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// How a [`PostgresStore`] pools its connections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostgresOptions {
    /// The most connections the store opens to the server (at least 1).
    pub max_connections: u32,
    /// How long to wait for a connection, whether a new one is being opened or all are busy; also bounds
    /// `connect` when the server cannot be reached.
    pub connect_timeout: Duration,
    /// How long one statement may run before the server cancels it (and the request is answered "try again").
    pub statement_timeout: Duration,
}

impl Default for PostgresOptions {
    fn default() -> Self {
        Self {
            max_connections: 16,
            connect_timeout: Duration::from_secs(5),
            statement_timeout: Duration::from_secs(30),
        }
    }
}

#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
    /// Client submissions and lone audit entries, committed in groups (see `group_commit`).
    submissions: GroupCommit,
    keys: Arc<Keyring>,
}

fn backend(e: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::Backend(Box::new(e))
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://user:password@host:port/database`) and brings its schema
    /// up to date. Migrations take an advisory lock, so servers starting together do not race. Identifying fields
    /// are sealed with `keys` (see `cipher`); keys that do not open them give `StoreError::Key`.
    pub async fn connect(url: &str, options: PostgresOptions, keys: &Keyring) -> StoreResult<Self> {
        Self::connect_with_schema(url, options, keys, Migrations::Latest).await
    }

    /// Connects without touching the schema, for reading a copy of the database (`alliance backup`): the servers
    /// that use it may be of an older release, which would refuse to start on a newer schema. Refuses a database
    /// that holds no Alliance schema.
    pub async fn connect_as_is(url: &str, options: PostgresOptions, keys: &Keyring) -> StoreResult<Self> {
        Self::connect_with_schema(url, options, keys, Migrations::AsIs).await
    }

    /// The schema versions this release knows, oldest first.
    pub fn schema_versions() -> Vec<i64> {
        schema_version::known(&MIGRATOR)
    }

    async fn connect_with_schema(
        url: &str,
        options: PostgresOptions,
        keys: &Keyring,
        schema: Migrations,
    ) -> StoreResult<Self> {
        // A slow or stuck database must not hold a request, or a connection, for ever: statements give up after
        // the timeout, and a transaction left idle by a vanished client is ended after a minute.
        let statement_timeout = format!("{}ms", options.statement_timeout.as_millis().max(1));
        let connect = PgConnectOptions::from_str(url)?.application_name("alliance").options([
            ("statement_timeout", statement_timeout.as_str()),
            ("idle_in_transaction_session_timeout", "60s"),
        ]);
        // The first connection is made directly rather than by the pool, which retries until its timeout and
        // then reports only that it timed out: an operator needs to see "connection refused", "password
        // authentication failed" or "TLS not available".
        let mut first = tokio::time::timeout(options.connect_timeout, PgConnection::connect_with(&connect))
            .await
            .map_err(|_| {
                StoreError::Unavailable(
                    format!("no answer from the PostgreSQL server within {:?}", options.connect_timeout).into(),
                )
            })??;
        match schema {
            Migrations::Latest => {
                MIGRATOR.run(&mut first).await.map_err(backend)?;
                chain_legacy_entries(&mut first).await?;
            }
            Migrations::UpTo(version) => schema_version::migrate_up_to(&mut first, &MIGRATOR, version).await?,
            Migrations::AsIs => {
                schema_version::applied(&mut first).await?;
            }
        }
        first.close().await?;
        let pool = PgPoolOptions::new()
            .max_connections(options.max_connections.max(1))
            .min_connections(0)
            .acquire_timeout(options.connect_timeout)
            .idle_timeout(Duration::from_secs(600))
            .max_lifetime(Duration::from_secs(1800))
            .test_before_acquire(true)
            .connect_lazy_with(connect.clone());
        let keys = Arc::new(keys.clone());
        let batches = PgBatches::new(connect, options.connect_timeout, keys.clone());
        let submissions = GroupCommit::start(move || batches).map_err(backend)?;
        let store = Self { pool, submissions, keys };
        store.check_keys().await?;
        Ok(store)
    }

    /// Opens one sealed field, if there is any, so that a key file from another practice is refused at start.
    async fn check_keys(&self) -> StoreResult<()> {
        let row = sqlx::query("SELECT id, email FROM users ORDER BY id LIMIT 1").fetch_optional(&self.pool).await?;
        if let Some(row) = row {
            let email: String = row.try_get("email")?;
            self.keys.open(cipher::USER_EMAIL, row.try_get("id")?, &email).map_err(crate::key_check_failed)?;
        }
        Ok(())
    }

    /// Re-seals every encrypted field that is not under the newest key, in one transaction (rows locked as they
    /// are read, so nothing written meanwhile is lost). Returns how many fields were rewritten.
    pub async fn reencrypt_fields(&self) -> StoreResult<u64> {
        let newest = format!("v{}:", self.keys.newest_version());
        let mut tx = self.pool.begin().await?;
        let mut rewritten = 0;
        for (field, id_column) in cipher::ENCRYPTED {
            let (table, column) = (field.table, field.column);
            let rows = sqlx::query(&format!(
                "SELECT {id_column} AS id, {column} AS value FROM {table}
                 WHERE {column} IS NOT NULL AND substr({column}, 1, $1) <> $2 FOR UPDATE"
            ))
            .bind(newest.len() as i32)
            .bind(&newest)
            .fetch_all(&mut *tx)
            .await?;
            for row in &rows {
                let id: i64 = row.try_get("id")?;
                let plain = Zeroizing::new(self.keys.open(*field, id, row.try_get("value")?)?);
                sqlx::query(&format!("UPDATE {table} SET {column} = $1 WHERE {id_column} = $2"))
                    .bind(self.keys.seal(*field, id, &plain))
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                rewritten += 1;
            }
        }
        tx.commit().await?;
        Ok(rewritten)
    }

    /// How many encrypted fields are sealed under key `version`.
    pub async fn fields_sealed_with(&self, version: u32) -> StoreResult<u64> {
        let prefix = format!("v{version}:");
        let mut total = 0;
        for (field, _) in cipher::ENCRYPTED {
            let n: i64 = sqlx::query_scalar(&format!(
                "SELECT COUNT(*) FROM {} WHERE substr({}, 1, $1) = $2",
                field.table, field.column
            ))
            .bind(prefix.len() as i32)
            .bind(&prefix)
            .fetch_one(&self.pool)
            .await?;
            total += n.max(0) as u64;
        }
        Ok(total)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    pub(crate) fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Creates the empty database `name` on the server `url` points at (connecting to the database `url` names)
    /// and returns `url` with its database replaced by `name`. For tests and first-time setup; `name` must be
    /// lowercase ASCII letters, digits and `_`, at most 63 bytes, not starting with a digit.
    pub async fn create_database(url: &str, name: &str) -> StoreResult<String> {
        let quoted = quoted_database_name(name)?;
        let mut target = url::Url::parse(url).map_err(backend)?;
        target.set_path(name);
        let mut conn = PgConnection::connect_with(&PgConnectOptions::from_str(url)?).await?;
        let created = sqlx::query(&format!("CREATE DATABASE {quoted}")).execute(&mut conn).await;
        conn.close().await?;
        created?;
        Ok(target.into())
    }

    /// Drops the database `name` on the server `url` points at, ending its sessions first. Nothing happens if it
    /// does not exist.
    pub async fn drop_database(url: &str, name: &str) -> StoreResult<()> {
        let quoted = quoted_database_name(name)?;
        let mut conn = PgConnection::connect_with(&PgConnectOptions::from_str(url)?).await?;
        let dropped = sqlx::query(&format!("DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")).execute(&mut conn).await;
        conn.close().await?;
        dropped?;
        Ok(())
    }
}

fn quoted_database_name(name: &str) -> StoreResult<String> {
    let valid = !name.is_empty()
        && name.len() <= 63
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !valid {
        return Err(StoreError::Backend(format!("{name:?} is not a valid database name").into()));
    }
    Ok(format!("\"{name}\""))
}

fn ts(t: OffsetDateTime) -> i64 {
    t.unix_timestamp()
}

fn from_ts(secs: i64) -> StoreResult<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp(secs).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn to_u32(n: i64, what: &str) -> StoreResult<u32> {
    u32::try_from(n).map_err(|_| StoreError::Corrupt(format!("{what} {n} out of range")))
}

fn to_usize(n: i64, what: &str) -> StoreResult<usize> {
    usize::try_from(n).map_err(|_| StoreError::Corrupt(format!("{what} {n} out of range")))
}

fn session_number(row: &PgRow) -> StoreResult<u32> {
    to_u32(row.try_get::<i32, _>("number")?.into(), "session number")
}

fn instrument_version(row: &PgRow) -> StoreResult<u32> {
    to_u32(row.try_get("instrument_version")?, "instrument version")
}

fn rater(row: &PgRow) -> StoreResult<Rater> {
    let rater: String = row.try_get("rater")?;
    Ok(if rater == "therapist" { Rater::Therapist } else { Rater::Client })
}

fn flags(row: &PgRow) -> StoreResult<ResponseFlags> {
    let json: String = row.try_get("flags")?;
    serde_json::from_str(&json).map_err(|e| StoreError::Corrupt(format!("response flags: {e}")))
}

fn user_row(keys: &Keyring, row: &PgRow) -> StoreResult<User> {
    let role: String = row.try_get("role")?;
    let id = row.try_get("id")?;
    Ok(User {
        id: UserId(id),
        email: keys.open(cipher::USER_EMAIL, id, row.try_get("email")?)?,
        display_name: keys.open(cipher::USER_DISPLAY_NAME, id, row.try_get("display_name")?)?,
        role: Role::parse(&role).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        password_hash: row.try_get("password_hash")?,
        active: row.try_get("active")?,
    })
}

fn client_row(keys: &Keyring, row: &PgRow) -> StoreResult<Client> {
    let id = row.try_get("id")?;
    Ok(Client {
        id: ClientId(id),
        therapist: UserId(row.try_get("therapist_id")?),
        pseudonym: keys.open(cipher::CLIENT_PSEUDONYM, id, row.try_get("pseudonym")?)?,
        contact: keys.open_opt(cipher::CLIENT_CONTACT, id, row.try_get("contact")?)?,
        created_at: from_ts(row.try_get("created_at")?)?,
    })
}

fn episode_row(row: &PgRow) -> StoreResult<Episode> {
    Ok(Episode {
        id: EpisodeId(row.try_get("id")?),
        client: ClientId(row.try_get("client_id")?),
        therapist: UserId(row.try_get("therapist_id")?),
        started_on: row.try_get("started_on")?,
        ended_on: row.try_get("ended_on")?,
        measures: row.try_get("measures")?,
    })
}

fn session_row(row: &PgRow) -> StoreResult<TherapySession> {
    Ok(TherapySession {
        id: SessionId(row.try_get("id")?),
        episode: EpisodeId(row.try_get("episode_id")?),
        client: ClientId(row.try_get("client_id")?),
        number: session_number(row)?,
        held_on: row.try_get("held_on")?,
        attended: row.try_get("attended")?,
    })
}

const SESSION_COLUMNS: &str = "s.id, s.episode_id, e.client_id, s.number, s.held_on, s.attended FROM therapy_sessions s JOIN episodes e ON e.id = s.episode_id";

/// The next id of `table`'s identity column, taken before the insert (sequences never hand one out twice).
async fn next_id(pool: &PgPool, table: &'static str) -> StoreResult<i64> {
    Ok(sqlx::query_scalar("SELECT nextval(pg_get_serial_sequence($1, 'id'))").bind(table).fetch_one(pool).await?)
}

fn ids<T>(items: &[T], id: impl Fn(&T) -> i64) -> Vec<i64> {
    items.iter().map(id).collect()
}

/// Locks a parent row for the rest of the transaction, or reports that it does not exist. `FOR NO KEY UPDATE`
/// serialises writers that take the same lock but lets foreign-key checks (`FOR KEY SHARE`) through.
async fn lock_row(tx: &mut Transaction<'_, sqlx::Postgres>, sql: &str, id: i64) -> StoreResult<PgRow> {
    sqlx::query(sql).bind(id).fetch_optional(&mut **tx).await?.ok_or(StoreError::NotFound)
}

/// Appends `event` to the chain inside the caller's transaction, as its last statements (see `insert_audits`).
pub(crate) async fn insert_audit(conn: &mut PgConnection, event: &AuditEvent) -> StoreResult<()> {
    insert_audits(conn, std::slice::from_ref(event)).await
}

/// Appends `events` to the chain, in order, inside the caller's transaction, as its last statements: three
/// statements however many entries. Locking the one head row (`FOR UPDATE`) serialises appends from every app
/// server: a concurrent append waits, then reads the head this one left. Taking the lock last keeps it short and
/// lock order acyclic (clinical rows, then the head). The entries are written before the head moves to the last
/// of them, which is the only move the head's trigger allows.
pub(crate) async fn insert_audits(conn: &mut PgConnection, events: &[AuditEvent]) -> StoreResult<()> {
    if events.is_empty() {
        return Ok(());
    }
    for event in events {
        audit::validate(event)?;
    }
    let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE").fetch_one(&mut *conn).await?;
    let mut seq: i64 = head.try_get("seq")?;
    let mut prev: Vec<u8> = head.try_get("hash")?;
    let mut entries = AuditColumns::default();
    for event in events {
        seq += 1;
        let hash = audit::entry_hash(&prev, &audit::Fields::of_event(seq, event)).to_vec();
        entries.push(event, seq, std::mem::replace(&mut prev, hash.clone()), hash);
    }
    sqlx::query(
        "INSERT INTO audit_events
         (at, actor_id, actor_role, action, object_kind, object_id, purpose, address, seq, prev_hash, hash)
         SELECT * FROM UNNEST($1::int8[], $2::int8[], $3::text[], $4::text[], $5::text[], $6::int8[], $7::text[],
                              $8::text[], $9::int8[], $10::bytea[], $11::bytea[])",
    )
    .bind(entries.at)
    .bind(entries.actor_id)
    .bind(entries.actor_role)
    .bind(entries.action)
    .bind(entries.object_kind)
    .bind(entries.object_id)
    .bind(entries.purpose)
    .bind(entries.address)
    .bind(entries.seq)
    .bind(entries.prev_hash)
    .bind(entries.hash)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
        .bind(seq)
        .bind(&prev)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Audit entries as columns, for one `UNNEST` insert.
#[derive(Default)]
struct AuditColumns {
    at: Vec<i64>,
    actor_id: Vec<Option<i64>>,
    actor_role: Vec<Option<&'static str>>,
    action: Vec<&'static str>,
    object_kind: Vec<&'static str>,
    object_id: Vec<Option<i64>>,
    purpose: Vec<&'static str>,
    address: Vec<Option<String>>,
    seq: Vec<i64>,
    prev_hash: Vec<Vec<u8>>,
    hash: Vec<Vec<u8>>,
}

impl AuditColumns {
    fn push(&mut self, event: &AuditEvent, seq: i64, prev_hash: Vec<u8>, hash: Vec<u8>) {
        self.at.push(ts(event.at));
        self.actor_id.push(event.actor.map(|a| a.0));
        self.actor_role.push(event.actor_role.map(Role::as_str));
        self.action.push(event.action);
        self.object_kind.push(event.object_kind);
        self.object_id.push(event.object_id);
        self.purpose.push(event.purpose);
        self.address.push(event.address.clone());
        self.seq.push(seq);
        self.prev_hash.push(prev_hash);
        self.hash.push(hash);
    }
}

/// Chains the entries written before the log was a chain, once, in id order, then moves the head to the last.
/// Servers starting together queue on the head's lock; the later ones then find nothing left to chain.
async fn chain_legacy_entries(conn: &mut PgConnection) -> StoreResult<()> {
    const PENDING: &str = "FROM audit_events WHERE hash IS NULL AND id <= (SELECT legacy_until FROM audit_head)";
    let pending: bool =
        sqlx::query_scalar(&format!("SELECT EXISTS (SELECT 1 {PENDING})")).fetch_one(&mut *conn).await?;
    if !pending {
        return Ok(());
    }
    let mut tx = conn.begin().await?;
    let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE").fetch_one(&mut *tx).await?;
    let mut seq: i64 = head.try_get("seq")?;
    let mut prev: Vec<u8> = head.try_get("hash")?;
    let rows = sqlx::query(&format!("SELECT * {PENDING} ORDER BY id")).fetch_all(&mut *tx).await?;
    for row in &rows {
        seq += 1;
        let entry = chain_row_with_seq(row, seq)?;
        let hash = audit::entry_hash(&prev, &audit::Fields::of_row(&entry));
        sqlx::query("UPDATE audit_events SET seq = $1, prev_hash = $2, hash = $3 WHERE id = $4")
            .bind(entry.seq)
            .bind(&prev)
            .bind(&hash[..])
            .bind(entry.id)
            .execute(&mut *tx)
            .await?;
        prev = hash.to_vec();
    }
    sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
        .bind(seq)
        .bind(&prev)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

fn chain_row_with_seq(row: &PgRow, seq: i64) -> StoreResult<AuditChainRow> {
    Ok(AuditChainRow {
        id: row.try_get("id")?,
        seq,
        at: row.try_get("at")?,
        actor_id: row.try_get("actor_id")?,
        actor_role: row.try_get("actor_role")?,
        action: row.try_get("action")?,
        object_kind: row.try_get("object_kind")?,
        object_id: row.try_get("object_id")?,
        purpose: row.try_get("purpose")?,
        address: row.try_get("address")?,
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
    })
}

fn audit_record(r: &PgRow) -> StoreResult<AuditRecord> {
    Ok(AuditRecord {
        id: r.try_get("id")?,
        seq: r.try_get::<Option<i64>, _>("seq")?.unwrap_or_default(),
        at: from_ts(r.try_get("at")?)?,
        actor: r.try_get::<Option<i64>, _>("actor_id")?.map(UserId),
        actor_role: r.try_get("actor_role")?,
        action: r.try_get("action")?,
        object_kind: r.try_get("object_kind")?,
        object_id: r.try_get("object_id")?,
        purpose: r.try_get("purpose")?,
        address: r.try_get("address")?,
    })
}

fn break_glass_row(keys: &Keyring, r: &PgRow) -> StoreResult<BreakGlass> {
    let (id, admin) = (r.try_get("id")?, r.try_get("admin_id")?);
    Ok(BreakGlass {
        id: BreakGlassId(id),
        admin: UserId(admin),
        admin_name: keys.open(cipher::USER_DISPLAY_NAME, admin, r.try_get("display_name")?)?,
        client: ClientId(r.try_get("client_id")?),
        reason: keys.open(cipher::BREAK_GLASS_REASON, id, r.try_get("reason")?)?,
        granted_at: from_ts(r.try_get("granted_at")?)?,
        expires_at: from_ts(r.try_get("expires_at")?)?,
        acknowledged_at: r.try_get::<Option<i64>, _>("acknowledged_at")?.map(from_ts).transpose()?,
    })
}

const BREAK_GLASS_COLUMNS: &str = "g.*, u.display_name FROM break_glass_grants g JOIN users u ON u.id = g.admin_id";

/// An answer to store: its administration, the answer, and when it was submitted.
pub(crate) type AnswerRow<'a> = (i64, &'a NewResponse, OffsetDateTime);

/// Stores answers with their scores, marks their administrations completed and marks `claims` (links, with the
/// time each was used) used: one statement however many questionnaires (and, from the group commit, however many
/// submissions), as each statement is a round trip to the server. The parts are data-modifying `WITH` clauses,
/// which PostgreSQL runs to completion whether or not the final `SELECT` reads them.
pub(crate) async fn insert_responses(
    keys: &Keyring,
    conn: &mut PgConnection,
    responses: &[AnswerRow<'_>],
    claims: &[(i64, i64)],
) -> StoreResult<()> {
    if responses.is_empty() && claims.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = responses.iter().map(|(id, _, _)| *id).collect();
    let times: Vec<i64> = responses.iter().map(|(_, _, at)| ts(*at)).collect();
    let answers = responses
        .iter()
        .map(|(id, r, _)| {
            Ok(keys.seal(cipher::RESPONSE_ANSWERS, *id, &serde_json::to_string(&r.answers).map_err(backend)?))
        })
        .collect::<StoreResult<Vec<String>>>()?;
    let flags = responses
        .iter()
        .map(|(_, r, _)| serde_json::to_string(&r.flags).map_err(backend))
        .collect::<StoreResult<Vec<_>>>()?;
    let scores: Vec<(i64, usize, &ScaleScore)> =
        responses.iter().flat_map(|(id, r, _)| r.scores.iter().enumerate().map(move |(i, s)| (*id, i, s))).collect();
    let count = |n: usize| i64::try_from(n).map_err(backend);
    sqlx::query(
        "WITH answered AS (
             INSERT INTO responses (administration_id, answers, flags, submitted_at)
             SELECT u.id, u.answers, u.flags::jsonb, u.at
             FROM UNNEST($1::int8[], $2::text[], $3::text[], $4::int8[]) AS u (id, answers, flags, at)
         ), scored AS (
             INSERT INTO scores (administration_id, scale_id, position, value, answered, missing, prorated, band,
                                 concern)
             SELECT * FROM UNNEST($5::int8[], $6::text[], $7::int8[], $8::float8[], $9::int8[], $10::int8[],
                                  $11::bool[], $12::text[], $13::bool[])
         ), completed AS (
             UPDATE administrations a SET status = 'completed', completed_at = u.at
             FROM UNNEST($1::int8[], $4::int8[]) AS u (id, at) WHERE a.id = u.id
         ), claimed AS (
             UPDATE links l SET used_at = u.at FROM UNNEST($14::int8[], $15::int8[]) AS u (id, at) WHERE l.id = u.id
         )
         SELECT 1",
    )
    .bind(&ids)
    .bind(answers)
    .bind(flags)
    .bind(&times)
    .bind(scores.iter().map(|(id, _, _)| *id).collect::<Vec<_>>())
    .bind(scores.iter().map(|(_, _, s)| s.scale.clone()).collect::<Vec<_>>())
    .bind(scores.iter().map(|(_, i, _)| count(*i)).collect::<StoreResult<Vec<_>>>()?)
    .bind(scores.iter().map(|(_, _, s)| s.value).collect::<Vec<_>>())
    .bind(scores.iter().map(|(_, _, s)| count(s.answered)).collect::<StoreResult<Vec<_>>>()?)
    .bind(scores.iter().map(|(_, _, s)| count(s.missing)).collect::<StoreResult<Vec<_>>>()?)
    .bind(scores.iter().map(|(_, _, s)| s.prorated).collect::<Vec<_>>())
    .bind(scores.iter().map(|(_, _, s)| s.band.clone()).collect::<Vec<_>>())
    .bind(scores.iter().map(|(_, _, s)| s.concern).collect::<Vec<_>>())
    .bind(claims.iter().map(|(id, _)| *id).collect::<Vec<_>>())
    .bind(claims.iter().map(|(_, at)| *at).collect::<Vec<_>>())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[async_trait]
impl Store for PostgresStore {
    async fn setting_or_insert(&self, key: &str, fresh: &[u8]) -> StoreResult<Vec<u8>> {
        // Two statements, not one: under READ COMMITTED the INSERT waits for a concurrent insert of the same key
        // to commit, and only a later statement's snapshot sees that row.
        sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
            .bind(key)
            .bind(fresh)
            .execute(&self.pool)
            .await?;
        Ok(sqlx::query_scalar("SELECT value FROM settings WHERE key = $1").bind(key).fetch_one(&self.pool).await?)
    }

    async fn create_user(&self, user: NewUser, audit: AuditEvent, now: OffsetDateTime) -> StoreResult<UserId> {
        // The row id is part of what the sealed fields are bound to: take it from the sequence first. The blind
        // index keeps e-mail addresses unique.
        let id = next_id(&self.pool, "users").await?;
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO users (id, email, email_index, display_name, role, password_hash, created_at)
             OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(self.keys.seal(cipher::USER_EMAIL, id, &user.email))
        .bind(self.keys.email_index(&user.email))
        .bind(self.keys.seal(cipher::USER_DISPLAY_NAME, id, &user.display_name))
        .bind(user.role.as_str())
        .bind(&user.password_hash)
        .bind(ts(now))
        .execute(&mut *tx)
        .await?;
        insert_audit(&mut tx, &AuditEvent { object_id: Some(id), ..audit }).await?;
        tx.commit().await?;
        Ok(UserId(id))
    }

    async fn user(&self, id: UserId) -> StoreResult<Option<User>> {
        let row = sqlx::query("SELECT * FROM users WHERE id = $1").bind(id.0).fetch_optional(&self.pool).await?;
        row.as_ref().map(|r| user_row(&self.keys, r)).transpose()
    }

    async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>> {
        let row = sqlx::query("SELECT * FROM users WHERE email_index = $1")
            .bind(self.keys.email_index(email))
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(|r| user_row(&self.keys, r)).transpose()
    }

    async fn users(&self) -> StoreResult<Vec<User>> {
        let rows = sqlx::query("SELECT * FROM users").fetch_all(&self.pool).await?;
        let mut users = rows.iter().map(|r| user_row(&self.keys, r)).collect::<StoreResult<Vec<_>>>()?;
        // Sealed names cannot be sorted by the database; Rust's string order is the "C" collation's byte order.
        users.sort_by(|a, b| (a.role.as_str(), &a.display_name, a.id).cmp(&(b.role.as_str(), &b.display_name, b.id)));
        Ok(users)
    }

    async fn count_users(&self) -> StoreResult<u64> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(&self.pool).await?;
        Ok(n.max(0) as u64)
    }

    async fn add_supervision(&self, supervisor: UserId, therapist: UserId, audit: AuditEvent) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("INSERT INTO supervision (supervisor_id, therapist_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(supervisor.0)
            .bind(therapist.0)
            .execute(&mut *tx)
            .await?;
        insert_audit(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn supervisees(&self, supervisor: UserId) -> StoreResult<Vec<UserId>> {
        let ids: Vec<i64> =
            sqlx::query_scalar("SELECT therapist_id FROM supervision WHERE supervisor_id = $1 ORDER BY 1")
                .bind(supervisor.0)
                .fetch_all(&self.pool)
                .await?;
        Ok(ids.into_iter().map(UserId).collect())
    }

    async fn create_login(&self, login: NewLogin) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO logins (token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at, idle_seconds)
             VALUES ($1, $2, $3, $4, $4, $5, $6)",
        )
        .bind(&login.token_hash)
        .bind(login.user.0)
        .bind(&login.csrf_token)
        .bind(ts(login.created_at))
        .bind(ts(login.expires_at))
        .bind(login.idle_timeout.whole_seconds())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn login(&self, token_hash: &[u8], now: OffsetDateTime) -> StoreResult<Option<(Login, User)>> {
        let row = sqlx::query(
            "SELECT l.user_id, l.csrf_token, l.created_at AS login_created, l.expires_at, l.last_seen_at, u.*
             FROM logins l JOIN users u ON u.id = l.user_id
             WHERE l.token_hash = $1 AND l.expires_at > $2 AND l.last_seen_at + l.idle_seconds > $2 AND u.active",
        )
        .bind(token_hash)
        .bind(ts(now))
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let login = Login {
            user: UserId(row.try_get("user_id")?),
            csrf_token: row.try_get("csrf_token")?,
            created_at: from_ts(row.try_get("login_created")?)?,
            expires_at: from_ts(row.try_get("expires_at")?)?,
        };
        // At most once a minute, as on SQLite (`LAST_SEEN_STEP_SECONDS`): page views then only read.
        let last_seen: i64 = row.try_get("last_seen_at")?;
        if ts(now) - last_seen >= LAST_SEEN_STEP_SECONDS {
            sqlx::query("UPDATE logins SET last_seen_at = $2 WHERE token_hash = $1 AND last_seen_at < $2")
                .bind(token_hash)
                .bind(ts(now))
                .execute(&self.pool)
                .await?;
        }
        Ok(Some((login, user_row(&self.keys, &row)?)))
    }

    async fn delete_login(&self, token_hash: &[u8]) -> StoreResult<()> {
        sqlx::query("DELETE FROM logins WHERE token_hash = $1").bind(token_hash).execute(&self.pool).await?;
        Ok(())
    }

    async fn delete_logins_of(&self, user: UserId, keep: Option<&[u8]>) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM logins WHERE user_id = $1 AND ($2::bytea IS NULL OR token_hash <> $2)")
            .bind(user.0)
            .bind(keep)
            .execute(&self.pool)
            .await?;
        // A sign-in waiting for its second factor goes too.
        sqlx::query("DELETE FROM pending_logins WHERE user_id = $1").bind(user.0).execute(&self.pool).await?;
        Ok(done.rows_affected())
    }

    async fn replace_password_hash(&self, user: UserId, expected: &str, new: &str) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2 AND password_hash = $3")
            .bind(new)
            .bind(user.0)
            .bind(expected)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn update_account(&self, user: UserId, role: Role, active: bool) -> StoreResult<()> {
        // Race-free: the active administrators' rows are locked first, so two administrators demoting each
        // other at once cannot both see the other one remain.
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT id FROM users WHERE role = 'administrator' AND active ORDER BY id FOR UPDATE")
            .fetch_all(&mut *tx)
            .await?;
        let done = sqlx::query(
            "UPDATE users SET role = $1, active = $2 WHERE id = $3 AND (
                 ($1 = 'administrator' AND $2)
                 OR EXISTS (SELECT 1 FROM users o WHERE o.id <> $3 AND o.role = 'administrator' AND o.active))",
        )
        .bind(role.as_str())
        .bind(active)
        .bind(user.0)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            let exists: Option<i64> =
                sqlx::query_scalar("SELECT id FROM users WHERE id = $1").bind(user.0).fetch_optional(&mut *tx).await?;
            return Err(if exists.is_some() {
                StoreError::Conflict("an active administrator must remain")
            } else {
                StoreError::NotFound
            });
        }
        sqlx::query("DELETE FROM logins WHERE user_id = $1").bind(user.0).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM pending_logins WHERE user_id = $1").bind(user.0).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn totp_factor(&self, user: UserId) -> StoreResult<Option<TotpFactor>> {
        let row = sqlx::query("SELECT secret, enabled, last_step FROM totp_factors WHERE user_id = $1")
            .bind(user.0)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            // Sealed under the account's id (see `cipher`), as base64 of the raw secret.
            let sealed: String = r.try_get("secret")?;
            let encoded = zeroize::Zeroizing::new(self.keys.open(cipher::TOTP_SECRET, user.0, &sealed)?);
            Ok(TotpFactor {
                secret: cipher::decode_secret(&encoded)?,
                enabled: r.try_get("enabled")?,
                last_step: r.try_get("last_step")?,
            })
        })
        .transpose()
    }

    async fn begin_totp(&self, user: UserId, secret: &[u8], now: OffsetDateTime) -> StoreResult<()> {
        let done = sqlx::query(
            "INSERT INTO totp_factors (user_id, secret, enabled, last_step, created_at) VALUES ($1, $2, FALSE, 0, $3)
             ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, last_step = 0,
                 created_at = excluded.created_at WHERE NOT totp_factors.enabled",
        )
        .bind(user.0)
        .bind(self.keys.seal(cipher::TOTP_SECRET, user.0, &cipher::encode_secret(secret)))
        .bind(ts(now))
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict("a second factor is already set up"));
        }
        Ok(())
    }

    async fn accept_totp_step(&self, user: UserId, step: i64, enable: bool) -> StoreResult<bool> {
        // A concurrent update of the same row waits and then re-checks `last_step < $1` on the new row version:
        // only one of two racing requests with the same code succeeds.
        let done = sqlx::query(
            "UPDATE totp_factors SET last_step = $1, enabled = TRUE
             WHERE user_id = $2 AND last_step < $1 AND enabled = $3",
        )
        .bind(step)
        .bind(user.0)
        .bind(!enable)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn remove_totp(&self, user: UserId) -> StoreResult<()> {
        sqlx::query("DELETE FROM totp_factors WHERE user_id = $1").bind(user.0).execute(&self.pool).await?;
        Ok(())
    }

    async fn create_pending_login(&self, pending: NewPendingLogin) -> StoreResult<()> {
        sqlx::query("DELETE FROM pending_logins WHERE expires_at <= $1")
            .bind(ts(pending.created_at))
            .execute(&self.pool)
            .await?;
        sqlx::query("INSERT INTO pending_logins (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(&pending.token_hash)
            .bind(pending.user.0)
            .bind(ts(pending.created_at))
            .bind(ts(pending.expires_at))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn pending_login(&self, token_hash: &[u8], now: OffsetDateTime) -> StoreResult<Option<UserId>> {
        let id: Option<i64> = sqlx::query_scalar(
            "SELECT p.user_id FROM pending_logins p JOIN users u ON u.id = p.user_id
             WHERE p.token_hash = $1 AND p.expires_at > $2 AND u.active",
        )
        .bind(token_hash)
        .bind(ts(now))
        .fetch_optional(&self.pool)
        .await?;
        Ok(id.map(UserId))
    }

    async fn delete_pending_login(&self, token_hash: &[u8]) -> StoreResult<()> {
        sqlx::query("DELETE FROM pending_logins WHERE token_hash = $1").bind(token_hash).execute(&self.pool).await?;
        Ok(())
    }

    async fn throttle(&self, key: &[u8]) -> StoreResult<Option<ThrottleState>> {
        let row = sqlx::query("SELECT failures, window_start, blocked_until FROM sign_in_throttle WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            Ok(ThrottleState {
                failures: r.try_get("failures")?,
                window_start: from_ts(r.try_get("window_start")?)?,
                blocked_until: from_ts(r.try_get("blocked_until")?)?,
            })
        })
        .transpose()
    }

    async fn update_throttle(
        &self,
        key: &[u8],
        expected: Option<&ThrottleState>,
        new: &ThrottleState,
    ) -> StoreResult<bool> {
        // Compare-and-swap: of two racing updates from the same old state, the second re-checks the WHERE clause
        // against the first one's row and matches nothing.
        let done =
            match expected {
                None => sqlx::query(
                    "INSERT INTO sign_in_throttle (key, failures, window_start, blocked_until) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (key) DO NOTHING",
                )
                .bind(key)
                .bind(new.failures)
                .bind(ts(new.window_start))
                .bind(ts(new.blocked_until))
                .execute(&self.pool)
                .await?,
                Some(old) => {
                    sqlx::query(
                        "UPDATE sign_in_throttle SET failures = $1, window_start = $2, blocked_until = $3
                     WHERE key = $4 AND failures = $5 AND window_start = $6 AND blocked_until = $7",
                    )
                    .bind(new.failures)
                    .bind(ts(new.window_start))
                    .bind(ts(new.blocked_until))
                    .bind(key)
                    .bind(old.failures)
                    .bind(ts(old.window_start))
                    .bind(ts(old.blocked_until))
                    .execute(&self.pool)
                    .await?
                }
            };
        Ok(done.rows_affected() == 1)
    }

    async fn clear_throttle(&self, key: &[u8]) -> StoreResult<()> {
        sqlx::query("DELETE FROM sign_in_throttle WHERE key = $1").bind(key).execute(&self.pool).await?;
        Ok(())
    }

    async fn forget_throttles(&self, before: OffsetDateTime) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM sign_in_throttle WHERE window_start < $1 AND blocked_until < $1")
            .bind(ts(before))
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    async fn create_client(&self, client: NewClient, audit: AuditEvent, now: OffsetDateTime) -> StoreResult<ClientId> {
        // The id first: the sealed fields are bound to it.
        let id = next_id(&self.pool, "clients").await?;
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO clients (id, therapist_id, pseudonym, contact, created_at) OVERRIDING SYSTEM VALUE
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(client.therapist.0)
        .bind(self.keys.seal(cipher::CLIENT_PSEUDONYM, id, &client.pseudonym))
        .bind(self.keys.seal_opt(cipher::CLIENT_CONTACT, id, client.contact.as_deref()))
        .bind(ts(now))
        .execute(&mut *tx)
        .await?;
        insert_audit(&mut tx, &AuditEvent { object_id: Some(id), ..audit }).await?;
        tx.commit().await?;
        Ok(ClientId(id))
    }

    async fn client(&self, id: ClientId) -> StoreResult<Option<Client>> {
        let row = sqlx::query("SELECT * FROM clients WHERE id = $1").bind(id.0).fetch_optional(&self.pool).await?;
        row.as_ref().map(|r| client_row(&self.keys, r)).transpose()
    }

    async fn clients_of(&self, therapists: &[UserId]) -> StoreResult<Vec<Client>> {
        if therapists.is_empty() {
            return Ok(Vec::new());
        }
        let rows = sqlx::query("SELECT * FROM clients WHERE therapist_id = ANY($1)")
            .bind(ids(therapists, |t| t.0))
            .fetch_all(&self.pool)
            .await?;
        let mut clients = rows.iter().map(|r| client_row(&self.keys, r)).collect::<StoreResult<Vec<_>>>()?;
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
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE episodes SET ended_on = $1 WHERE client_id = $2 AND ended_on IS NULL")
            .bind(episode.started_on)
            .bind(episode.client.0)
            .execute(&mut *tx)
            .await?;
        let id = sqlx::query_scalar(
            "INSERT INTO episodes (client_id, therapist_id, started_on, measures, created_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(episode.client.0)
        .bind(episode.therapist.0)
        .bind(episode.started_on)
        .bind(&episode.measures)
        .bind(ts(now))
        .fetch_one(&mut *tx)
        .await?;
        insert_audit(&mut tx, &AuditEvent { object_id: Some(id), ..audit }).await?;
        tx.commit().await?;
        Ok(EpisodeId(id))
    }

    async fn end_episode(&self, episode: EpisodeId, ended_on: time::Date, audit: AuditEvent) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        let done =
            sqlx::query("UPDATE episodes SET ended_on = $1 WHERE id = $2 AND ended_on IS NULL AND started_on <= $1")
                .bind(ended_on)
                .bind(episode.0)
                .execute(&mut *tx)
                .await?;
        if done.rows_affected() == 0 {
            let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM episodes WHERE id = $1")
                .bind(episode.0)
                .fetch_optional(&mut *tx)
                .await?;
            return Err(match exists {
                Some(_) => StoreError::Conflict("the episode has ended already, or would end before it started"),
                None => StoreError::NotFound,
            });
        }
        insert_audit(&mut tx, &AuditEvent { object_id: Some(episode.0), ..audit }).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn current_episodes(&self, clients: &[ClientId]) -> StoreResult<Vec<Episode>> {
        if clients.is_empty() {
            return Ok(Vec::new());
        }
        sqlx::query(
            "SELECT DISTINCT ON (client_id) * FROM episodes WHERE client_id = ANY($1) ORDER BY client_id, id DESC",
        )
        .bind(ids(clients, |c| c.0))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(episode_row)
        .collect()
    }

    async fn episodes(&self, client: ClientId) -> StoreResult<Vec<Episode>> {
        let rows = sqlx::query("SELECT * FROM episodes WHERE client_id = $1 ORDER BY started_on, id")
            .bind(client.0)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(episode_row).collect()
    }

    async fn episode(&self, id: EpisodeId) -> StoreResult<Option<Episode>> {
        let row = sqlx::query("SELECT * FROM episodes WHERE id = $1").bind(id.0).fetch_optional(&self.pool).await?;
        row.as_ref().map(episode_row).transpose()
    }

    async fn sessions_of(&self, clients: &[ClientId]) -> StoreResult<Vec<TherapySession>> {
        if clients.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {SESSION_COLUMNS} WHERE e.client_id = ANY($1) ORDER BY e.client_id, s.episode_id, s.number"
        );
        sqlx::query(&sql).bind(ids(clients, |c| c.0)).fetch_all(&self.pool).await?.iter().map(session_row).collect()
    }

    async fn record_session(
        &self,
        session: NewSession,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<TherapySession> {
        let mut tx = self.pool.begin().await?;
        // Under READ COMMITTED two recordings would both see the same last number; the episode's row lock makes
        // the second wait until the first has committed, and its MAX then sees the first's session.
        let episode =
            lock_row(&mut tx, "SELECT client_id FROM episodes WHERE id = $1 FOR NO KEY UPDATE", session.episode.0)
                .await?;
        let client = ClientId(episode.try_get("client_id")?);
        let row = sqlx::query(
            "INSERT INTO therapy_sessions (episode_id, number, held_on, attended, created_at)
             SELECT $1, COALESCE(MAX(number), 0) + 1, $2, $3, $4 FROM therapy_sessions WHERE episode_id = $1
             RETURNING id, episode_id, number, held_on, attended",
        )
        .bind(session.episode.0)
        .bind(session.held_on)
        .bind(session.attended)
        .bind(ts(now))
        .fetch_one(&mut *tx)
        .await?;
        let recorded = TherapySession {
            id: SessionId(row.try_get("id")?),
            episode: EpisodeId(row.try_get("episode_id")?),
            client,
            number: session_number(&row)?,
            held_on: row.try_get("held_on")?,
            attended: row.try_get("attended")?,
        };
        insert_audit(&mut tx, &AuditEvent { object_id: Some(recorded.id.0), ..audit }).await?;
        tx.commit().await?;
        Ok(recorded)
    }

    async fn session(&self, id: SessionId) -> StoreResult<Option<TherapySession>> {
        let sql = format!("SELECT {SESSION_COLUMNS} WHERE s.id = $1");
        let row = sqlx::query(&sql).bind(id.0).fetch_optional(&self.pool).await?;
        row.as_ref().map(session_row).transpose()
    }

    async fn sessions(&self, episode: EpisodeId) -> StoreResult<Vec<TherapySession>> {
        let sql = format!("SELECT {SESSION_COLUMNS} WHERE s.episode_id = $1 ORDER BY s.number");
        sqlx::query(&sql).bind(episode.0).fetch_all(&self.pool).await?.iter().map(session_row).collect()
    }

    async fn create_link(&self, link: NewLink, audit: AuditEvent, now: OffsetDateTime) -> StoreResult<LinkId> {
        let mut tx = self.pool.begin().await?;
        // The session's row lock serialises link creation per session, so of two links created together the
        // later one still retires the earlier.
        lock_row(&mut tx, "SELECT id FROM therapy_sessions WHERE id = $1 FOR NO KEY UPDATE", link.session.0).await?;
        // A session the client has answered takes no new link, and a new link replaces the unused ones: one
        // session is answered once. The UPDATE comes first: it waits for a submission that is claiming one of
        // these links at this moment, so the check after it, a new statement with a new snapshot, sees that claim.
        sqlx::query("UPDATE links SET expires_at = $1 WHERE session_id = $2 AND used_at IS NULL AND expires_at > $1")
            .bind(ts(now))
            .bind(link.session.0)
            .execute(&mut *tx)
            .await?;
        let answered: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM links WHERE session_id = $1 AND used_at IS NOT NULL)")
                .bind(link.session.0)
                .fetch_one(&mut *tx)
                .await?;
        if answered {
            tx.rollback().await?;
            return Err(StoreError::Conflict("the session has already been answered"));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO links (session_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(link.session.0)
        .bind(&link.token_hash)
        .bind(ts(now))
        .bind(ts(link.expires_at))
        .fetch_one(&mut *tx)
        .await?;
        if !link.instruments.is_empty() {
            sqlx::query(
                "INSERT INTO administrations
                 (session_id, link_id, instrument_id, instrument_version, rater, position, status, created_at)
                 SELECT $1, $2, i.id, i.version, 'client', i.n - 1, 'open', $5
                 FROM UNNEST($3::text[], $4::int8[]) WITH ORDINALITY AS i (id, version, n)",
            )
            .bind(link.session.0)
            .bind(id)
            .bind(link.instruments.iter().map(|i| i.id.clone()).collect::<Vec<_>>())
            .bind(link.instruments.iter().map(|i| i64::from(i.version)).collect::<Vec<_>>())
            .bind(ts(now))
            .execute(&mut *tx)
            .await?;
        }
        insert_audit(&mut tx, &AuditEvent { object_id: Some(id), ..audit }).await?;
        tx.commit().await?;
        Ok(LinkId(id))
    }

    async fn link_by_token(&self, token_hash: &[u8], now: OffsetDateTime) -> StoreResult<Option<LinkView>> {
        let Some(row) = sqlx::query("SELECT id, session_id, expires_at, used_at FROM links WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let id: i64 = row.try_get("id")?;
        let used_at: Option<i64> = row.try_get("used_at")?;
        let expires_at = from_ts(row.try_get("expires_at")?)?;
        let state = match used_at {
            Some(_) => LinkState::Used,
            None if now >= expires_at => LinkState::Expired,
            None => LinkState::Open,
        };
        let rows = sqlx::query(
            "SELECT id, instrument_id, instrument_version, status FROM administrations WHERE link_id = $1
             ORDER BY position, id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        let administrations = rows
            .iter()
            .map(|r| {
                let status: String = r.try_get("status")?;
                Ok(Administration {
                    id: AdministrationId(r.try_get("id")?),
                    instrument: InstrumentRef { id: r.try_get("instrument_id")?, version: instrument_version(r)? },
                    status: AdministrationStatus::parse(&status)
                        .ok_or_else(|| StoreError::Corrupt(format!("status {status:?}")))?
                        .at(expires_at, now),
                })
            })
            .collect::<StoreResult<_>>()?;
        Ok(Some(LinkView {
            id: LinkId(id),
            session: SessionId(row.try_get("session_id")?),
            state,
            expires_at,
            administrations,
        }))
    }

    async fn submit_link(
        &self,
        token_hash: &[u8],
        responses: Vec<NewResponse>,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<Result<LinkSubmitted, LinkState>> {
        // Committed in groups, on a connection of the group-commit thread's own (see `group_commit::postgres`).
        self.submissions.submit(token_hash, responses, audit, now).await
    }

    async fn save_therapist_response(
        &self,
        session: SessionId,
        instrument: InstrumentRef,
        response: NewResponse,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<AdministrationId> {
        let mut tx = self.pool.begin().await?;
        // Serialises saves for the session: two at once would otherwise both delete nothing and both insert.
        lock_row(&mut tx, "SELECT id FROM therapy_sessions WHERE id = $1 FOR NO KEY UPDATE", session.0).await?;
        sqlx::query("DELETE FROM administrations WHERE session_id = $1 AND instrument_id = $2 AND rater = 'therapist'")
            .bind(session.0)
            .bind(&instrument.id)
            .execute(&mut *tx)
            .await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO administrations
             (session_id, instrument_id, instrument_version, rater, position, status, created_at)
             VALUES ($1, $2, $3, 'therapist', 0, 'open', $4) RETURNING id",
        )
        .bind(session.0)
        .bind(&instrument.id)
        .bind(i64::from(instrument.version))
        .bind(ts(now))
        .fetch_one(&mut *tx)
        .await?;
        insert_responses(&self.keys, &mut tx, &[(id, &response, now)], &[]).await?;
        insert_audit(&mut tx, &AuditEvent { object_id: Some(id), ..audit }).await?;
        tx.commit().await?;
        Ok(AdministrationId(id))
    }

    async fn links_for_session(&self, session: SessionId) -> StoreResult<Vec<LinkSummary>> {
        let rows = sqlx::query(
            "SELECT l.id, l.created_at, l.expires_at, l.used_at,
                    array_agg(a.instrument_id ORDER BY a.position, a.id) FILTER (WHERE a.id IS NOT NULL) AS instruments
             FROM links l LEFT JOIN administrations a ON a.link_id = l.id
             WHERE l.session_id = $1 GROUP BY l.id ORDER BY l.id",
        )
        .bind(session.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let used: Option<i64> = r.try_get("used_at")?;
                let instruments: Option<Vec<String>> = r.try_get("instruments")?;
                Ok(LinkSummary {
                    id: LinkId(r.try_get("id")?),
                    created_at: from_ts(r.try_get("created_at")?)?,
                    expires_at: from_ts(r.try_get("expires_at")?)?,
                    used_at: used.map(from_ts).transpose()?,
                    instruments: instruments.unwrap_or_default(),
                })
            })
            .collect()
    }

    async fn responses_of(&self, client: ClientId) -> StoreResult<Vec<StoredResponse>> {
        // One statement, so responses and their scores come from one snapshot; one row per score (or one with
        // no score for a response without any), scores in the order they were given.
        let rows = sqlx::query(
            "SELECT a.id, a.session_id, s.episode_id, s.number, s.held_on, a.instrument_id, a.instrument_version,
                    a.rater, r.answers, r.flags::text AS flags, r.submitted_at,
                    sc.scale_id, sc.value, sc.answered, sc.missing, sc.prorated, sc.band, sc.concern
             FROM responses r
             JOIN administrations a ON a.id = r.administration_id
             JOIN therapy_sessions s ON s.id = a.session_id
             JOIN episodes e ON e.id = s.episode_id
             LEFT JOIN scores sc ON sc.administration_id = a.id
             WHERE e.client_id = $1
             ORDER BY s.held_on, s.number, a.rater, a.position, a.id, sc.position",
        )
        .bind(client.0)
        .fetch_all(&self.pool)
        .await?;
        let mut responses: Vec<StoredResponse> = Vec::new();
        for r in &rows {
            let id = AdministrationId(r.try_get("id")?);
            if responses.last().is_none_or(|last| last.administration != id) {
                responses.push(StoredResponse {
                    administration: id,
                    session: SessionId(r.try_get("session_id")?),
                    episode: EpisodeId(r.try_get("episode_id")?),
                    session_number: session_number(r)?,
                    held_on: r.try_get("held_on")?,
                    instrument: InstrumentRef { id: r.try_get("instrument_id")?, version: instrument_version(r)? },
                    rater: rater(r)?,
                    answers: serde_json::from_str(&self.keys.open(
                        cipher::RESPONSE_ANSWERS,
                        id.0,
                        r.try_get("answers")?,
                    )?)
                    .map_err(|e| StoreError::Corrupt(format!("response answers: {e}")))?,
                    flags: flags(r)?,
                    scores: Vec::new(),
                    submitted_at: from_ts(r.try_get("submitted_at")?)?,
                });
            }
            let Some(scale) = r.try_get::<Option<String>, _>("scale_id")? else { continue };
            let Some(response) = responses.last_mut() else { continue };
            response.scores.push(ScaleScore {
                scale,
                value: r.try_get("value")?,
                answered: to_usize(r.try_get("answered")?, "answered items")?,
                missing: to_usize(r.try_get("missing")?, "missing items")?,
                prorated: r.try_get("prorated")?,
                band: r.try_get("band")?,
                concern: r.try_get("concern")?,
            });
        }
        Ok(responses)
    }

    async fn score_points(&self, clients: &[ClientId]) -> StoreResult<Vec<ScorePoint>> {
        if clients.is_empty() {
            return Ok(Vec::new());
        }
        sqlx::query(
            "SELECT e.client_id, s.episode_id, s.number, s.held_on, a.instrument_id, a.rater, sc.scale_id, sc.value,
                    sc.concern, r.flags::text AS flags
             FROM scores sc
             JOIN responses r ON r.administration_id = sc.administration_id
             JOIN administrations a ON a.id = sc.administration_id
             JOIN therapy_sessions s ON s.id = a.session_id
             JOIN episodes e ON e.id = s.episode_id
             WHERE e.client_id = ANY($1)
             ORDER BY e.client_id, s.held_on, s.number, a.rater, a.position, a.id, sc.position",
        )
        .bind(ids(clients, |c| c.0))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(ScorePoint {
                client: ClientId(r.try_get("client_id")?),
                episode: EpisodeId(r.try_get("episode_id")?),
                session_number: session_number(r)?,
                held_on: r.try_get("held_on")?,
                instrument: r.try_get("instrument_id")?,
                rater: rater(r)?,
                scale: r.try_get("scale_id")?,
                value: r.try_get("value")?,
                concern: r.try_get("concern")?,
                flags: flags(r)?,
            })
        })
        .collect()
    }

    async fn practice_input(&self) -> StoreResult<Vec<PracticeSeries>> {
        self.read_practice_input().await
    }

    async fn acknowledge(
        &self,
        client: ClientId,
        key: &str,
        user: UserId,
        audit: AuditEvent,
        at: OffsetDateTime,
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO signal_acknowledgements (client_id, signal_key, user_id, at) VALUES ($1, $2, $3, $4)
             ON CONFLICT DO NOTHING",
        )
        .bind(client.0)
        .bind(key)
        .bind(user.0)
        .bind(ts(at))
        .execute(&mut *tx)
        .await?;
        insert_audit(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn client_revisions(&self, clients: &[ClientId]) -> StoreResult<Vec<(ClientId, i64)>> {
        sqlx::query(
            "SELECT c.id, coalesce(r.revision, 0) AS revision FROM clients c
             LEFT JOIN client_revisions r ON r.client_id = c.id WHERE c.id = ANY($1)",
        )
        .bind(ids(clients, |c| c.0))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| Ok((ClientId(r.try_get("id")?), r.try_get("revision")?)))
        .collect()
    }

    async fn acknowledgements(&self, clients: &[ClientId]) -> StoreResult<Vec<Acknowledgement>> {
        if clients.is_empty() {
            return Ok(Vec::new());
        }
        sqlx::query(
            "SELECT a.client_id, a.signal_key, a.user_id, u.display_name, a.at FROM signal_acknowledgements a
             JOIN users u ON u.id = a.user_id WHERE a.client_id = ANY($1) ORDER BY a.at, a.client_id, a.signal_key",
        )
        .bind(ids(clients, |c| c.0))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(Acknowledgement {
                client: ClientId(r.try_get("client_id")?),
                key: r.try_get("signal_key")?,
                user: UserId(r.try_get("user_id")?),
                user_name: self.keys.open(
                    cipher::USER_DISPLAY_NAME,
                    r.try_get("user_id")?,
                    r.try_get("display_name")?,
                )?,
                at: from_ts(r.try_get("at")?)?,
            })
        })
        .collect()
    }

    async fn add_reflection_comment(&self, comment: NewReflectionComment) -> StoreResult<i64> {
        // A missing session is "not found", not a foreign-key failure, on both engines.
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM therapy_sessions WHERE id = $1")
            .bind(comment.session.0)
            .fetch_optional(&self.pool)
            .await?;
        if exists.is_none() {
            return Err(StoreError::NotFound);
        }
        // Free text: sealed under the row's id, taken from the sequence first.
        let id = next_id(&self.pool, "reflection_comments").await?;
        sqlx::query(
            "INSERT INTO reflection_comments (id, session_id, author_id, body, created_at) OVERRIDING SYSTEM VALUE
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(comment.session.0)
        .bind(comment.author.0)
        .bind(self.keys.seal(cipher::COMMENT_BODY, id, &comment.body))
        .bind(ts(comment.created_at))
        .execute(&self.pool)
        .await?;
        Ok(id)
    }

    async fn reflection_comments(&self, sessions: &[SessionId]) -> StoreResult<Vec<ReflectionComment>> {
        if sessions.is_empty() {
            return Ok(Vec::new());
        }
        sqlx::query(
            "SELECT c.id, c.session_id, c.author_id, u.display_name, u.role, c.body, c.created_at
             FROM reflection_comments c JOIN users u ON u.id = c.author_id
             WHERE c.session_id = ANY($1) ORDER BY c.session_id, c.created_at, c.id",
        )
        .bind(ids(sessions, |s| s.0))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            let role: String = r.try_get("role")?;
            let (id, author) = (r.try_get("id")?, r.try_get("author_id")?);
            Ok(ReflectionComment {
                id,
                session: SessionId(r.try_get("session_id")?),
                author: UserId(author),
                author_name: self.keys.open(cipher::USER_DISPLAY_NAME, author, r.try_get("display_name")?)?,
                author_role: Role::parse(&role).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                body: self.keys.open(cipher::COMMENT_BODY, id, r.try_get("body")?)?,
                created_at: from_ts(r.try_get("created_at")?)?,
            })
        })
        .collect()
    }

    async fn delete_client(&self, client: ClientId, audit: AuditEvent) -> StoreResult<()> {
        self.delete_client_and_data(client, &audit).await
    }

    async fn clients_ended_before(&self, cutoff: time::Date) -> StoreResult<Vec<ClientId>> {
        self.clients_ended_before_date(cutoff).await
    }

    async fn take_job(
        &self,
        job: &str,
        holder: &str,
        now: OffsetDateTime,
        hold_for: time::Duration,
        done_before: OffsetDateTime,
    ) -> StoreResult<bool> {
        self.take_job_lease(job, holder, now, hold_for, done_before).await
    }

    async fn finish_job(&self, job: &str, holder: &str, now: OffsetDateTime) -> StoreResult<bool> {
        self.finish_job_lease(job, holder, now).await
    }

    async fn audit(&self, event: AuditEvent) -> StoreResult<()> {
        // Appended with others waiting, under one lock of the chain's head (see `group_commit`).
        self.submissions.audit(event).await
    }

    async fn audit_events(&self, limit: u32) -> StoreResult<Vec<AuditRecord>> {
        self.search_audit(&AuditFilter::default(), limit).await
    }

    async fn search_audit(&self, filter: &AuditFilter, limit: u32) -> StoreResult<Vec<AuditRecord>> {
        if audit::matches_nothing(filter) {
            return Ok(Vec::new());
        }
        let (sql, binds) = audit::search_sql(filter, limit, |n| format!("${n}"));
        let mut query = sqlx::query(&sql);
        for bind in binds {
            query = match bind {
                audit::Bind::Int(n) => query.bind(n),
                audit::Bind::Text(t) => query.bind(t),
            };
        }
        query.fetch_all(&self.pool).await?.iter().map(audit_record).collect()
    }

    async fn audit_chain(&self, after: Option<(i64, i64)>, limit: u32) -> StoreResult<Vec<AuditChainRow>> {
        let (seq, id) = after.unwrap_or((i64::MIN, i64::MIN));
        let rows = sqlx::query(
            "SELECT * FROM audit_events WHERE seq IS NOT NULL AND (seq > $1 OR (seq = $1 AND id > $2))
             ORDER BY seq, id LIMIT $3",
        )
        .bind(seq)
        .bind(id)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| chain_row_with_seq(r, r.try_get("seq")?)).collect()
    }

    async fn audit_head(&self) -> StoreResult<AuditHead> {
        let row = sqlx::query(
            "SELECT seq, hash, (SELECT COUNT(*) FROM audit_events
                                WHERE seq IS NULL OR prev_hash IS NULL OR hash IS NULL) AS unchained
             FROM audit_head WHERE id = 1",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(AuditHead {
            seq: row.try_get("seq")?,
            hash: row.try_get("hash")?,
            unchained: row.try_get::<i64, _>("unchained")?.max(0) as u64,
        })
    }

    async fn grant_break_glass(&self, grant: NewBreakGlass, audit: AuditEvent) -> StoreResult<BreakGlassId> {
        let mut tx = self.pool.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO break_glass_grants (admin_id, client_id, reason, granted_at, expires_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(grant.admin.0)
        .bind(grant.client.0)
        .bind("")
        .bind(ts(grant.granted_at))
        .bind(ts(grant.expires_at))
        .fetch_one(&mut *tx)
        .await?;
        // The reason is free text: sealed under the new row's id, in the same transaction.
        sqlx::query("UPDATE break_glass_grants SET reason = $1 WHERE id = $2")
            .bind(self.keys.seal(cipher::BREAK_GLASS_REASON, id, &grant.reason))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        insert_audit(&mut tx, &AuditEvent { object_id: Some(grant.client.0), ..audit }).await?;
        tx.commit().await?;
        Ok(BreakGlassId(id))
    }

    async fn active_break_glass(
        &self,
        admin: UserId,
        client: ClientId,
        now: OffsetDateTime,
    ) -> StoreResult<Option<BreakGlass>> {
        let sql = format!(
            "SELECT {BREAK_GLASS_COLUMNS} WHERE g.admin_id = $1 AND g.client_id = $2 AND g.granted_at <= $3
             AND g.expires_at > $3 ORDER BY g.expires_at DESC LIMIT 1"
        );
        let row = sqlx::query(&sql).bind(admin.0).bind(client.0).bind(ts(now)).fetch_optional(&self.pool).await?;
        row.as_ref().map(|r| break_glass_row(&self.keys, r)).transpose()
    }

    async fn break_glass_of(&self, clients: &[ClientId]) -> StoreResult<Vec<BreakGlass>> {
        if clients.is_empty() {
            return Ok(Vec::new());
        }
        let sql =
            format!("SELECT {BREAK_GLASS_COLUMNS} WHERE g.client_id = ANY($1) ORDER BY g.granted_at DESC, g.id DESC");
        sqlx::query(&sql)
            .bind(ids(clients, |c| c.0))
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| break_glass_row(&self.keys, r))
            .collect()
    }

    async fn acknowledge_break_glass(
        &self,
        client: ClientId,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE break_glass_grants SET acknowledged_at = $1, acknowledged_by = $2
             WHERE client_id = $3 AND acknowledged_at IS NULL",
        )
        .bind(ts(now))
        .bind(audit.actor.map(|a| a.0))
        .bind(client.0)
        .execute(&mut *tx)
        .await?;
        insert_audit(&mut tx, &AuditEvent { object_id: Some(client.0), ..audit }).await?;
        tx.commit().await?;
        Ok(())
    }
}
