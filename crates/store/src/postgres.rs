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

use alliance_core::domain::Role;
use alliance_core::scoring::ScaleScore;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgConnection, PgPool, Row as _};
use time::OffsetDateTime;

use crate::cipher::{self, Keyring};
use crate::db::{Db, Engine, HasDb, Pool, Row};
use crate::group_commit::GroupCommit;
use crate::group_commit::postgres::PgBatches;
use crate::schema_version::{self, Migrations};
use crate::shared::audit_log::chain_row_with_seq;
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
    /// The same pool, the group commit (client submissions and lone audit entries, committed in groups) and the
    /// keys, as the shared statements use them (`shared/`).
    db: Db,
}

impl HasDb for PostgresStore {
    fn db(&self) -> &Db {
        &self.db
    }
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
                MIGRATOR
                    .run(&mut first)
                    .await
                    .map_err(|e| schema_version::newer_schema(e, &MIGRATOR).unwrap_or_else(backend))?;
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
        let db = Db {
            engine: Engine::Postgres,
            read: Pool::Postgres(pool.clone()),
            write: Pool::Postgres(pool.clone()),
            submissions,
            keys,
        };
        let store = Self { pool, db };
        store.db.check_keys().await?;
        if matches!(schema, Migrations::Latest) {
            store.db.seal_clear_fields().await?;
        }
        Ok(store)
    }

    /// Re-seals every encrypted field that is not under the newest key, in one transaction (rows locked as they
    /// are read, so nothing written meanwhile is lost). Returns how many fields were rewritten.
    pub async fn reencrypt_fields(&self) -> StoreResult<u64> {
        self.db.reencrypt_fields().await
    }

    /// Ends every sign-in, recording `event` (see `Db::end_all_sign_ins`); returns how many were ended.
    pub async fn end_all_sign_ins(&self, event: &crate::AuditEvent) -> StoreResult<u64> {
        self.db.end_all_sign_ins(event).await
    }

    /// The keys the store was opened with.
    pub(crate) fn keys(&self) -> &crate::Keyring {
        &self.db.keys
    }

    /// How many encrypted fields are sealed under key `version`.
    pub async fn fields_sealed_with(&self, version: u32) -> StoreResult<u64> {
        self.db.fields_sealed_with(version).await
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
    for row in rows {
        seq += 1;
        let entry = chain_row_with_seq(&Row::Postgres(row), seq)?;
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
        .collect::<StoreResult<Vec<_>>>()?;
    let flags = responses
        .iter()
        .map(|(id, r, _)| {
            Ok(keys.seal(cipher::RESPONSE_FLAGS, *id, &serde_json::to_string(&r.flags).map_err(backend)?))
        })
        .collect::<StoreResult<Vec<_>>>()?;
    let scores: Vec<(i64, usize, &ScaleScore)> =
        responses.iter().flat_map(|(id, r, _)| r.scores.iter().enumerate().map(move |(i, s)| (*id, i, s))).collect();
    let count = |n: usize| i64::try_from(n).map_err(backend);
    sqlx::query(
        "WITH answered AS (
             INSERT INTO responses (administration_id, answers, flags, submitted_at)
             SELECT u.id, u.answers, u.flags, u.at
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
