//! The embedded SQLite store. WAL journal with `synchronous = FULL`: a submission is on disk before the server
//! acknowledges it, even across power loss. The file is a SQLCipher database (every page encrypted, the WAL too)
//! and identifying fields are also sealed one by one (see `cipher`), as on PostgreSQL.

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use alliance_core::domain::{AdministrationStatus, Role};
use alliance_core::scoring::{ResponseFlags, ScaleScore};
use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection, Row, SqlitePool};
use time::{Date, OffsetDateTime};

use zeroize::Zeroizing;

use crate::cipher::{self, Keyring};
use crate::group_commit::GroupCommit;
use crate::group_commit::sqlite::SqliteBatches;
use crate::schema_version::{self, Migrations};
use crate::*;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

#[derive(Debug, Clone)]
pub struct SqliteStore {
    /// Reads: several read-only connections, which WAL lets run beside the writer. Read-only, so that a write
    /// sent here by mistake fails at once instead of competing for the write lock.
    pool: SqlitePool,
    /// Writes: one connection. SQLite has one writer at a time; writers waiting here queue first come, first
    /// served, whereas writers on several connections wait in SQLite's busy handler, which sleeps in steps of up
    /// to 100 ms and turned a few hundred submissions a second into p99 latencies near a second.
    writer: SqlitePool,
    /// Client submissions and lone audit entries, committed in groups on the writing connection (see
    /// `group_commit`).
    submissions: GroupCommit,
    keys: Arc<Keyring>,
}

fn backend(e: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::Backend(Box::new(e))
}

impl SqliteStore {
    /// Runs `sql` with its `IN ({ids})` list filled by one placeholder per id.
    async fn fetch_in(&self, sql: &str, ids: &[i64]) -> StoreResult<Vec<SqliteRow>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = sql.replace("{ids}", &placeholders(ids.len()));
        let mut query = sqlx::query(&sql);
        for id in ids {
            query = query.bind(*id);
        }
        Ok(query.fetch_all(&self.pool).await?)
    }

    /// Opens (creating if needed) the encrypted database file and brings its schema up to date. A key that does
    /// not open it gives `StoreError::Key`.
    pub async fn open(path: &Path, keys: &Keyring) -> StoreResult<Self> {
        Self::with_options(serving(path, keys), keys, Migrations::Latest).await
    }

    /// Opens an existing database without touching its schema, for reading a copy of it (`alliance backup`):
    /// the server that uses it may be of an older release, which would refuse to start on a newer schema.
    /// Refuses a file that does not exist or holds no Alliance schema.
    pub async fn open_as_is(path: &Path, keys: &Keyring) -> StoreResult<Self> {
        if !path.exists() {
            return Err(StoreError::Schema(format!("there is no database at {}", path.display())));
        }
        let options = encrypted(path, keys)
            .create_if_missing(false)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        Self::with_options(options, keys, Migrations::AsIs).await
    }

    /// Creates a database at schema version `version` exactly, to load a copy of that version into (a backup
    /// made before an upgrade); [`SqliteStore::open`] brings it up to date afterwards. Only that load may use
    /// the store in between: the rest of it expects the newest schema.
    pub async fn create_at_version(path: &Path, keys: &Keyring, version: i64) -> StoreResult<Self> {
        Self::with_options(serving(path, keys), keys, Migrations::UpTo(version)).await
    }

    /// The schema versions this release knows, oldest first.
    pub fn schema_versions() -> Vec<i64> {
        schema_version::known(&MIGRATOR)
    }

    /// Opens for a one-off bulk load (the demo's synthetic practice) without waiting for the disk on each
    /// commit. Not for serving: a crash during the load can lose the load, which is simply run again.
    pub async fn open_for_bulk_load(path: &Path, keys: &Keyring) -> StoreResult<Self> {
        let options = serving(path, keys).synchronous(SqliteSynchronous::Off);
        Self::with_options(options, keys, Migrations::Latest).await
    }

    /// A private in-memory database, for tests. Not SQLCipher (nothing reaches a disk), but fields are still
    /// sealed, under keys of its own.
    pub async fn in_memory() -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str("sqlite::memory:").map_err(backend)?.foreign_keys(true);
        // One connection: every connection to `:memory:` would otherwise be its own empty database.
        // ...and that one connection must never be recycled, or the database goes with it.
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await?;
        MIGRATOR.run(&pool).await.map_err(backend)?;
        chain_legacy_entries(&pool).await?;
        let keys = Arc::new(Keyring::generate());
        let submissions = GroupCommit::start(batches(&pool, &keys)).map_err(backend)?;
        Ok(Self { writer: pool.clone(), pool, submissions, keys })
    }

    async fn with_options(options: SqliteConnectOptions, keys: &Keyring, schema: Migrations) -> StoreResult<Self> {
        // A wrong key shows at the first read of the file, which the connection's own set-up makes.
        let writer =
            SqlitePoolOptions::new().max_connections(1).connect_with(options.clone()).await.map_err(open_error)?;
        let migrated = match schema {
            Migrations::Latest => match MIGRATOR.run(&writer).await {
                Ok(()) => chain_legacy_entries(&writer).await,
                Err(sqlx::migrate::MigrateError::Execute(e)) => Err(open_error(e)),
                Err(other) => Err(backend(other)),
            },
            Migrations::UpTo(version) => match writer.acquire().await {
                Ok(mut conn) => schema_version::migrate_up_to(&mut *conn, &MIGRATOR, version).await,
                Err(e) => Err(open_error(e)),
            },
            Migrations::AsIs => match writer.acquire().await {
                Ok(mut conn) => schema_version::applied(&mut *conn).await.map(|_| ()),
                Err(e) => Err(open_error(e)),
            },
        };
        if let Err(e) = migrated {
            // Closed, not dropped: SQLCipher connections still closing as the process exits can crash it.
            writer.close().await;
            return Err(e);
        }
        // Readers connect once the file exists in WAL mode (a read-only connection cannot create or convert it).
        let readers = SqlitePoolOptions::new().max_connections(8).connect_with(options.read_only(true)).await;
        let pool = match readers {
            Ok(pool) => pool,
            Err(e) => {
                writer.close().await;
                return Err(open_error(e));
            }
        };
        let keys = Arc::new(keys.clone());
        let submissions = match GroupCommit::start(batches(&writer, &keys)) {
            Ok(submissions) => submissions,
            Err(e) => {
                pool.close().await;
                writer.close().await;
                return Err(backend(e));
            }
        };
        let store = Self { pool, writer, submissions, keys };
        if let Err(e) = store.check_keys().await {
            // Closed, not dropped: SQLCipher connections still closing as the process exits can crash it.
            store.close().await;
            return Err(e);
        }
        Ok(store)
    }

    /// Opens one sealed field, if there is any, so that a key file from another practice is refused at start
    /// rather than at the first page that shows a name.
    async fn check_keys(&self) -> StoreResult<()> {
        let row = sqlx::query("SELECT id, email FROM users ORDER BY id LIMIT 1").fetch_optional(&self.pool).await?;
        if let Some(row) = row {
            let email: String = row.try_get("email")?;
            self.keys.open(cipher::USER_EMAIL, row.try_get("id")?, &email).map_err(crate::key_check_failed)?;
        }
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
        self.writer.close().await;
    }

    /// Connection options for the practice's SQLCipher file with its page key, as the store itself connects: for
    /// tools and tests that read or change the file directly.
    pub fn connect_options(path: &Path, keys: &Keyring) -> SqliteConnectOptions {
        encrypted(path, keys)
    }

    /// The read-only connections.
    pub(crate) fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// The one connection that writes.
    pub(crate) fn writer(&self) -> &SqlitePool {
        &self.writer
    }

    /// Re-seals every encrypted field that is not under the newest key, all in one transaction (`BEGIN
    /// IMMEDIATE`: the write lock is taken first, so the snapshot read is the one written back). Returns how many
    /// fields were rewritten. A failure leaves everything as it was.
    pub async fn reencrypt_fields(&self) -> StoreResult<u64> {
        let newest = format!("v{}:", self.keys.newest_version());
        let mut tx = self.writer.begin_with("BEGIN IMMEDIATE").await?;
        let mut rewritten = 0;
        for (field, id_column) in cipher::ENCRYPTED {
            let (table, column) = (field.table, field.column);
            let rows = sqlx::query(&format!(
                "SELECT {id_column} AS id, {column} AS value FROM {table}
                 WHERE {column} IS NOT NULL AND substr({column}, 1, ?) <> ?"
            ))
            .bind(newest.len() as i64)
            .bind(&newest)
            .fetch_all(&mut *tx)
            .await?;
            for row in &rows {
                let id: i64 = row.try_get("id")?;
                let plain = Zeroizing::new(self.keys.open(*field, id, row.try_get("value")?)?);
                sqlx::query(&format!("UPDATE {table} SET {column} = ? WHERE {id_column} = ?"))
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

    /// Writes a copy of the closed database at `path` to `target` (which must not exist) under the page key of
    /// `new_keys`, with the e-mail index recomputed under its index key; the original is not changed. The copy is
    /// checked by opening it with `new_keys`. No other connection may use the database meanwhile.
    pub async fn export_rekeyed(path: &Path, keys: &Keyring, target: &Path, new_keys: &Keyring) -> StoreResult<()> {
        if target.exists() {
            return Err(StoreError::Conflict("the export target already exists"));
        }
        if !path.is_file() {
            return Err(StoreError::NotFound);
        }
        // Create rights are for the attached copy (SQLite gives ATTACH the main connection's flags).
        let options = encrypted(path, keys).foreign_keys(true).create_if_missing(true);
        let mut conn = sqlx::SqliteConnection::connect_with(&options).await.map_err(open_error)?;
        let exported = async {
            // The WAL folded into the file first: a busy checkpoint means another connection is using it.
            let busy: i64 = sqlx::query_scalar("PRAGMA wal_checkpoint(TRUNCATE)").fetch_one(&mut conn).await?;
            if busy != 0 {
                return Ok(Err(StoreError::Conflict("the database is in use; stop the server first")));
            }
            let key = new_keys.sqlcipher_key_hex();
            // The page key is hex digits only; the file name is bound.
            sqlx::query(&format!("ATTACH DATABASE ? AS rekeyed KEY \"x'{}'\"", key.as_str()))
                .bind(target.to_string_lossy().into_owned())
                .execute(&mut conn)
                .await?;
            sqlx::query("SELECT sqlcipher_export('rekeyed')").execute(&mut conn).await?;
            sqlx::query("DETACH DATABASE rekeyed").execute(&mut conn).await?;
            Ok::<_, sqlx::Error>(Ok(()))
        }
        .await;
        conn.close().await?;
        match exported {
            Ok(Ok(())) => {}
            Ok(Err(busy)) => return Err(busy),
            Err(e) => {
                // The copy is ours (it did not exist): a failed export leaves nothing behind.
                let _ = std::fs::remove_file(target);
                return Err(open_error(e));
            }
        }
        let copy = Self::open(target, new_keys).await?;
        // Everything in the copy's file itself, so that it can be moved without its WAL.
        let done = match copy.reindex_emails().await {
            Ok(()) => copy.checkpoint().await,
            Err(e) => Err(e),
        };
        copy.close().await;
        done
    }

    /// Folds the WAL into the database file (a TRUNCATE checkpoint); `Conflict` if another connection holds it up.
    pub async fn checkpoint(&self) -> StoreResult<()> {
        let busy: i64 = sqlx::query_scalar("PRAGMA wal_checkpoint(TRUNCATE)").fetch_one(&self.writer).await?;
        if busy != 0 {
            return Err(StoreError::Conflict("the database is in use; stop the server first"));
        }
        Ok(())
    }

    /// Recomputes every account's e-mail blind index under the current index key, in one transaction.
    async fn reindex_emails(&self) -> StoreResult<()> {
        let mut tx = self.writer.begin_with("BEGIN IMMEDIATE").await?;
        let rows = sqlx::query("SELECT id, email FROM users").fetch_all(&mut *tx).await?;
        for row in &rows {
            let id: i64 = row.try_get("id")?;
            let email = Zeroizing::new(self.keys.open(cipher::USER_EMAIL, id, row.try_get("email")?)?);
            sqlx::query("UPDATE users SET email_index = ? WHERE id = ?")
                .bind(self.keys.email_index(&email))
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// How many encrypted fields are sealed under key `version`.
    pub async fn fields_sealed_with(&self, version: u32) -> StoreResult<u64> {
        let prefix = format!("v{version}:");
        let mut total = 0;
        for (field, _) in cipher::ENCRYPTED {
            let n: i64 = sqlx::query_scalar(&format!(
                "SELECT COUNT(*) FROM {} WHERE substr({}, 1, ?) = ?",
                field.table, field.column
            ))
            .bind(prefix.len() as i64)
            .bind(&prefix)
            .fetch_one(&self.pool)
            .await?;
            total += n.max(0) as u64;
        }
        Ok(total)
    }
}

/// Options for the SQLCipher file: the raw key (`x'...'`, no password KDF) goes first, before any other pragma
/// (sqlx orders `key` first). Statement logging is off: the key's pragma is a statement and must not be logged.
fn encrypted(path: &Path, keys: &Keyring) -> SqliteConnectOptions {
    let key = keys.sqlcipher_key_hex();
    SqliteConnectOptions::new()
        .pragma("key", format!("\"x'{}'\"", key.as_str()))
        .filename(path)
        .log_statements(log::LevelFilter::Off)
        .log_slow_statements(log::LevelFilter::Off, Duration::from_secs(3600))
}

/// What the group-commit thread needs to write batches on `writer`.
fn batches(writer: &SqlitePool, keys: &Arc<Keyring>) -> impl FnOnce() -> SqliteBatches + Send + 'static {
    let (writer, keys) = (writer.clone(), keys.clone());
    move || SqliteBatches { writer, keys }
}

/// The connection settings Alliance serves with: the file created if missing, WAL with `synchronous = FULL`
/// (durable at commit), foreign keys enforced, and up to 10 s of waiting for a lock.
fn serving(path: &Path, keys: &Keyring) -> SqliteConnectOptions {
    encrypted(path, keys)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10))
}

/// SQLITE_NOTADB: the file did not decrypt under the key, or is not a database at all.
fn open_error(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.code().as_deref() == Some("26") => StoreError::Key(WRONG_KEY.into()),
        _ => e.into(),
    }
}

fn ts(t: OffsetDateTime) -> i64 {
    t.unix_timestamp()
}

fn from_ts(secs: i64) -> StoreResult<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp(secs).map_err(|e| StoreError::Corrupt(e.to_string()))
}

const DATE: &[time::format_description::BorrowedFormatItem<'_>] =
    time::macros::format_description!("[year]-[month]-[day]");

fn date_text(d: Date) -> StoreResult<String> {
    d.format(DATE).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn parse_date(text: &str) -> StoreResult<Date> {
    Date::parse(text, DATE).map_err(|e| StoreError::Corrupt(format!("date {text:?}: {e}")))
}

fn user_row(keys: &Keyring, row: &SqliteRow) -> StoreResult<User> {
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

fn client_row(keys: &Keyring, row: &SqliteRow) -> StoreResult<Client> {
    let id = row.try_get("id")?;
    Ok(Client {
        id: ClientId(id),
        therapist: UserId(row.try_get("therapist_id")?),
        pseudonym: keys.open(cipher::CLIENT_PSEUDONYM, id, row.try_get("pseudonym")?)?,
        contact: keys.open_opt(cipher::CLIENT_CONTACT, id, row.try_get("contact")?)?,
        created_at: from_ts(row.try_get("created_at")?)?,
    })
}

fn session_row(row: &SqliteRow) -> StoreResult<TherapySession> {
    let held_on: String = row.try_get("held_on")?;
    Ok(TherapySession {
        id: SessionId(row.try_get("id")?),
        episode: EpisodeId(row.try_get("episode_id")?),
        client: ClientId(row.try_get("client_id")?),
        number: row.try_get("number")?,
        held_on: parse_date(&held_on)?,
        attended: row.try_get("attended")?,
    })
}

const SESSION_COLUMNS: &str = "s.id, s.episode_id, e.client_id, s.number, s.held_on, s.attended FROM therapy_sessions s JOIN episodes e ON e.id = s.episode_id";

/// The audit chain's statements, shared with the group-commit thread's direct calls (`group_commit`) so that
/// both paths chain entries alike.
pub(crate) const AUDIT_ADVANCE_HEAD: &str = "UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash";
pub(crate) const AUDIT_INSERT: &str = "INSERT INTO audit_events
     (at, actor_id, actor_role, action, object_kind, object_id, purpose, address, seq, prev_hash, hash)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
pub(crate) const AUDIT_SET_HEAD: &str = "UPDATE audit_head SET hash = ? WHERE id = 1";

/// The answers' statements, shared with `group_commit` likewise; each is completed with one row of placeholders
/// per answer, per score, or per administration.
pub(crate) const RESPONSES_INSERT: &str =
    "INSERT INTO responses (administration_id, answers, flags, submitted_at) VALUES";
pub(crate) const SCORES_INSERT: &str = "INSERT INTO scores (administration_id, scale_id, position, value, answered, missing, prorated, band, concern) VALUES";
pub(crate) const ADMINISTRATIONS_COMPLETE: &str =
    "UPDATE administrations SET status = 'completed', completed_at = ? WHERE id IN";

/// Appends `event` to the chain. Must run inside the caller's transaction, as its last statement: the head's
/// UPDATE takes (or already holds) SQLite's write lock, so appends are serialised and the head moves with the
/// entry or not at all.
pub(crate) async fn insert_audit(conn: &mut sqlx::SqliteConnection, event: &AuditEvent) -> StoreResult<()> {
    audit::validate(event)?;
    let head = sqlx::query(AUDIT_ADVANCE_HEAD).fetch_one(&mut *conn).await?;
    let seq: i64 = head.try_get("seq")?;
    let prev: Vec<u8> = head.try_get("hash")?;
    let hash = audit::entry_hash(&prev, &audit::Fields::of_event(seq, event));
    sqlx::query(AUDIT_INSERT)
        .bind(ts(event.at))
        .bind(event.actor.map(|a| a.0))
        .bind(event.actor_role.map(Role::as_str))
        .bind(event.action)
        .bind(event.object_kind)
        .bind(event.object_id)
        .bind(event.purpose)
        .bind(&event.address)
        .bind(seq)
        .bind(&prev)
        .bind(&hash[..])
        .execute(&mut *conn)
        .await?;
    sqlx::query(AUDIT_SET_HEAD).bind(&hash[..]).execute(&mut *conn).await?;
    Ok(())
}

/// Chains the entries written before the log was a chain, once, in id order.
async fn chain_legacy_entries(pool: &SqlitePool) -> StoreResult<()> {
    const PENDING: &str = "FROM audit_events WHERE hash IS NULL AND id <= (SELECT legacy_until FROM audit_head)";
    let pending: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) {PENDING}")).fetch_one(pool).await?;
    if pending == 0 {
        return Ok(());
    }
    let mut tx = pool.begin().await?;
    // A write first, so this transaction holds the write lock before it reads.
    sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1").execute(&mut *tx).await?;
    let rows = sqlx::query(&format!("SELECT * {PENDING} ORDER BY id")).fetch_all(&mut *tx).await?;
    for row in &rows {
        let head = sqlx::query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
            .fetch_one(&mut *tx)
            .await?;
        let mut entry = chain_row_with_seq(row, head.try_get("seq")?)?;
        let prev: Vec<u8> = head.try_get("hash")?;
        let hash = audit::entry_hash(&prev, &audit::Fields::of_row(&entry));
        entry.hash = Some(hash.to_vec());
        sqlx::query("UPDATE audit_events SET seq = ?, prev_hash = ?, hash = ? WHERE id = ?")
            .bind(entry.seq)
            .bind(&prev)
            .bind(&hash[..])
            .bind(entry.id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE audit_head SET hash = ? WHERE id = 1").bind(&hash[..]).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

fn chain_row_with_seq(row: &SqliteRow, seq: i64) -> StoreResult<AuditChainRow> {
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

fn audit_record(r: &SqliteRow) -> StoreResult<AuditRecord> {
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

fn break_glass_row(keys: &Keyring, r: &SqliteRow) -> StoreResult<BreakGlass> {
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

fn parse_flags(json: &str) -> StoreResult<ResponseFlags> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("response flags: {e}")))
}

fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

/// Stores answers with their scores and marks their administrations completed: three statements however many
/// questionnaires, as each statement is a round trip to the connection's thread.
async fn insert_responses(
    keys: &Keyring,
    tx: &mut sqlx::SqliteConnection,
    responses: &[(i64, &NewResponse)],
    now: OffsetDateTime,
) -> StoreResult<()> {
    if responses.is_empty() {
        return Ok(());
    }
    let rows = vec!["(?, ?, ?, ?)"; responses.len()].join(", ");
    let sql = format!("{RESPONSES_INSERT} {rows}");
    let mut insert = sqlx::query(&sql);
    for (administration, response) in responses {
        let flags = serde_json::to_string(&response.flags).map_err(backend)?;
        insert = insert
            .bind(*administration)
            .bind(keys.seal(
                cipher::RESPONSE_ANSWERS,
                *administration,
                &serde_json::to_string(&response.answers).map_err(backend)?,
            ))
            .bind(flags)
            .bind(ts(now));
    }
    insert.execute(&mut *tx).await?;

    let scores: Vec<(i64, usize, &ScaleScore)> = responses
        .iter()
        .flat_map(|(administration, r)| r.scores.iter().enumerate().map(move |(i, s)| (*administration, i, s)))
        .collect();
    if !scores.is_empty() {
        let rows = vec!["(?, ?, ?, ?, ?, ?, ?, ?, ?)"; scores.len()].join(", ");
        let sql = format!("{SCORES_INSERT} {rows}");
        let mut insert = sqlx::query(&sql);
        for (administration, position, s) in scores {
            insert = insert
                .bind(administration)
                .bind(&s.scale)
                .bind(position as i64)
                .bind(s.value)
                .bind(s.answered as i64)
                .bind(s.missing as i64)
                .bind(s.prorated)
                .bind(&s.band)
                .bind(s.concern);
        }
        insert.execute(&mut *tx).await?;
    }

    let sql = format!("{ADMINISTRATIONS_COMPLETE} ({})", placeholders(responses.len()));
    let mut update = sqlx::query(&sql).bind(ts(now));
    for (administration, _) in responses {
        update = update.bind(*administration);
    }
    update.execute(&mut *tx).await?;
    Ok(())
}

#[async_trait]
impl Store for SqliteStore {
    async fn setting_or_insert(&self, key: &str, fresh: &[u8]) -> StoreResult<Vec<u8>> {
        sqlx::query("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING")
            .bind(key)
            .bind(fresh)
            .execute(&self.writer)
            .await?;
        Ok(sqlx::query_scalar("SELECT value FROM settings WHERE key = ?").bind(key).fetch_one(&self.pool).await?)
    }

    async fn create_user(&self, user: NewUser, audit: AuditEvent, now: OffsetDateTime) -> StoreResult<UserId> {
        // The row id is part of what the sealed fields are bound to: insert, then seal, in one transaction. The
        // blind index keeps e-mail addresses unique.
        let index = self.keys.email_index(&user.email);
        let mut tx = self.writer.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (email, email_index, display_name, role, password_hash, created_at)
             VALUES ('', ?, '', ?, ?, ?) RETURNING id",
        )
        .bind(&index)
        .bind(user.role.as_str())
        .bind(&user.password_hash)
        .bind(ts(now))
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query("UPDATE users SET email = ?, display_name = ? WHERE id = ?")
            .bind(self.keys.seal(cipher::USER_EMAIL, id, &user.email))
            .bind(self.keys.seal(cipher::USER_DISPLAY_NAME, id, &user.display_name))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        insert_audit(&mut tx, &AuditEvent { object_id: Some(id), ..audit }).await?;
        tx.commit().await?;
        Ok(UserId(id))
    }

    async fn user(&self, id: UserId) -> StoreResult<Option<User>> {
        let row = sqlx::query("SELECT * FROM users WHERE id = ?").bind(id.0).fetch_optional(&self.pool).await?;
        row.as_ref().map(|r| user_row(&self.keys, r)).transpose()
    }

    async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>> {
        let row = sqlx::query("SELECT * FROM users WHERE email_index = ?")
            .bind(self.keys.email_index(email))
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(|r| user_row(&self.keys, r)).transpose()
    }

    async fn users(&self) -> StoreResult<Vec<User>> {
        let rows = sqlx::query("SELECT * FROM users").fetch_all(&self.pool).await?;
        let mut users = rows.iter().map(|r| user_row(&self.keys, r)).collect::<StoreResult<Vec<_>>>()?;
        // Sealed names cannot be sorted by the database.
        users.sort_by(|a, b| (a.role.as_str(), &a.display_name, a.id).cmp(&(b.role.as_str(), &b.display_name, b.id)));
        Ok(users)
    }

    async fn count_users(&self) -> StoreResult<u64> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(&self.pool).await?;
        Ok(n.max(0) as u64)
    }

    async fn add_supervision(&self, supervisor: UserId, therapist: UserId, audit: AuditEvent) -> StoreResult<()> {
        let mut tx = self.writer.begin().await?;
        sqlx::query("INSERT INTO supervision (supervisor_id, therapist_id) VALUES (?, ?) ON CONFLICT DO NOTHING")
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
            sqlx::query_scalar("SELECT therapist_id FROM supervision WHERE supervisor_id = ? ORDER BY 1")
                .bind(supervisor.0)
                .fetch_all(&self.pool)
                .await?;
        Ok(ids.into_iter().map(UserId).collect())
    }

    async fn create_login(&self, login: NewLogin) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO logins (token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at, idle_seconds)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&login.token_hash)
        .bind(login.user.0)
        .bind(&login.csrf_token)
        .bind(ts(login.created_at))
        .bind(ts(login.created_at))
        .bind(ts(login.expires_at))
        .bind(login.idle_timeout.whole_seconds())
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn login(&self, token_hash: &[u8], now: OffsetDateTime) -> StoreResult<Option<(Login, User)>> {
        let row = sqlx::query(
            "SELECT l.user_id, l.csrf_token, l.created_at AS login_created, l.expires_at, l.last_seen_at, u.*
             FROM logins l JOIN users u ON u.id = l.user_id
             WHERE l.token_hash = ? AND l.expires_at > ? AND l.last_seen_at + l.idle_seconds > ? AND u.active = 1",
        )
        .bind(token_hash)
        .bind(ts(now))
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
        // The last use is written at most once a minute: a durable write (an fsync) on every page view would cost
        // more than the minute of idle time a sign-in may lose by it.
        let last_seen: i64 = row.try_get("last_seen_at")?;
        if ts(now) - last_seen >= LAST_SEEN_STEP_SECONDS {
            sqlx::query("UPDATE logins SET last_seen_at = ? WHERE token_hash = ?")
                .bind(ts(now))
                .bind(token_hash)
                .execute(&self.writer)
                .await?;
        }
        Ok(Some((login, user_row(&self.keys, &row)?)))
    }

    async fn delete_login(&self, token_hash: &[u8]) -> StoreResult<()> {
        sqlx::query("DELETE FROM logins WHERE token_hash = ?").bind(token_hash).execute(&self.writer).await?;
        Ok(())
    }

    async fn delete_logins_of(&self, user: UserId, keep: Option<&[u8]>) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM logins WHERE user_id = ? AND (? IS NULL OR token_hash <> ?)")
            .bind(user.0)
            .bind(keep)
            .bind(keep)
            .execute(&self.writer)
            .await?;
        // A sign-in waiting for its second factor goes too.
        sqlx::query("DELETE FROM pending_logins WHERE user_id = ?").bind(user.0).execute(&self.writer).await?;
        Ok(done.rows_affected())
    }

    async fn replace_password_hash(&self, user: UserId, expected: &str, new: &str) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?")
            .bind(new)
            .bind(user.0)
            .bind(expected)
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn update_account(&self, user: UserId, role: Role, active: bool) -> StoreResult<()> {
        // SQLite has one writer at a time, so the count of remaining administrators cannot change in between.
        let mut tx = self.writer.begin().await?;
        let done = sqlx::query(
            "UPDATE users SET role = ?, active = ? WHERE id = ? AND (
                 (? = 'administrator' AND ?)
                 OR EXISTS (SELECT 1 FROM users o WHERE o.id <> ? AND o.role = 'administrator' AND o.active = 1))",
        )
        .bind(role.as_str())
        .bind(active)
        .bind(user.0)
        .bind(role.as_str())
        .bind(active)
        .bind(user.0)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            let exists: Option<i64> =
                sqlx::query_scalar("SELECT id FROM users WHERE id = ?").bind(user.0).fetch_optional(&mut *tx).await?;
            return Err(if exists.is_some() {
                StoreError::Conflict("an active administrator must remain")
            } else {
                StoreError::NotFound
            });
        }
        sqlx::query("DELETE FROM logins WHERE user_id = ?").bind(user.0).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM pending_logins WHERE user_id = ?").bind(user.0).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn totp_factor(&self, user: UserId) -> StoreResult<Option<TotpFactor>> {
        let row = sqlx::query("SELECT secret, enabled, last_step FROM totp_factors WHERE user_id = ?")
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
            "INSERT INTO totp_factors (user_id, secret, enabled, last_step, created_at) VALUES (?, ?, 0, 0, ?)
             ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, last_step = 0,
                 created_at = excluded.created_at WHERE totp_factors.enabled = 0",
        )
        .bind(user.0)
        .bind(self.keys.seal(cipher::TOTP_SECRET, user.0, &cipher::encode_secret(secret)))
        .bind(ts(now))
        .execute(&self.writer)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict("a second factor is already set up"));
        }
        Ok(())
    }

    async fn accept_totp_step(&self, user: UserId, step: i64, enable: bool) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE totp_factors SET last_step = ?, enabled = 1 WHERE user_id = ? AND last_step < ? AND enabled = ?",
        )
        .bind(step)
        .bind(user.0)
        .bind(step)
        .bind(!enable)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn remove_totp(&self, user: UserId) -> StoreResult<()> {
        sqlx::query("DELETE FROM totp_factors WHERE user_id = ?").bind(user.0).execute(&self.writer).await?;
        Ok(())
    }

    async fn create_pending_login(&self, pending: NewPendingLogin) -> StoreResult<()> {
        sqlx::query("DELETE FROM pending_logins WHERE expires_at <= ?")
            .bind(ts(pending.created_at))
            .execute(&self.writer)
            .await?;
        sqlx::query("INSERT INTO pending_logins (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)")
            .bind(&pending.token_hash)
            .bind(pending.user.0)
            .bind(ts(pending.created_at))
            .bind(ts(pending.expires_at))
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn pending_login(&self, token_hash: &[u8], now: OffsetDateTime) -> StoreResult<Option<UserId>> {
        let id: Option<i64> = sqlx::query_scalar(
            "SELECT p.user_id FROM pending_logins p JOIN users u ON u.id = p.user_id
             WHERE p.token_hash = ? AND p.expires_at > ? AND u.active = 1",
        )
        .bind(token_hash)
        .bind(ts(now))
        .fetch_optional(&self.pool)
        .await?;
        Ok(id.map(UserId))
    }

    async fn delete_pending_login(&self, token_hash: &[u8]) -> StoreResult<()> {
        sqlx::query("DELETE FROM pending_logins WHERE token_hash = ?").bind(token_hash).execute(&self.writer).await?;
        Ok(())
    }

    async fn throttle(&self, key: &[u8]) -> StoreResult<Option<ThrottleState>> {
        let row = sqlx::query("SELECT failures, window_start, blocked_until FROM sign_in_throttle WHERE key = ?")
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
        let done = match expected {
            None => {
                sqlx::query(
                    "INSERT INTO sign_in_throttle (key, failures, window_start, blocked_until) VALUES (?, ?, ?, ?)
                     ON CONFLICT (key) DO NOTHING",
                )
                .bind(key)
                .bind(new.failures)
                .bind(ts(new.window_start))
                .bind(ts(new.blocked_until))
                .execute(&self.writer)
                .await?
            }
            Some(old) => {
                sqlx::query(
                    "UPDATE sign_in_throttle SET failures = ?, window_start = ?, blocked_until = ?
                     WHERE key = ? AND failures = ? AND window_start = ? AND blocked_until = ?",
                )
                .bind(new.failures)
                .bind(ts(new.window_start))
                .bind(ts(new.blocked_until))
                .bind(key)
                .bind(old.failures)
                .bind(ts(old.window_start))
                .bind(ts(old.blocked_until))
                .execute(&self.writer)
                .await?
            }
        };
        Ok(done.rows_affected() == 1)
    }

    async fn clear_throttle(&self, key: &[u8]) -> StoreResult<()> {
        sqlx::query("DELETE FROM sign_in_throttle WHERE key = ?").bind(key).execute(&self.writer).await?;
        Ok(())
    }

    async fn forget_throttles(&self, before: OffsetDateTime) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM sign_in_throttle WHERE window_start < ? AND blocked_until < ?")
            .bind(ts(before))
            .bind(ts(before))
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected())
    }

    async fn create_client(&self, client: NewClient, audit: AuditEvent, now: OffsetDateTime) -> StoreResult<ClientId> {
        // Insert, then seal under the new row's id, in one transaction.
        let mut tx = self.writer.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO clients (therapist_id, pseudonym, created_at) VALUES (?, '', ?) RETURNING id",
        )
        .bind(client.therapist.0)
        .bind(ts(now))
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query("UPDATE clients SET pseudonym = ?, contact = ? WHERE id = ?")
            .bind(self.keys.seal(cipher::CLIENT_PSEUDONYM, id, &client.pseudonym))
            .bind(self.keys.seal_opt(cipher::CLIENT_CONTACT, id, client.contact.as_deref()))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        insert_audit(&mut tx, &AuditEvent { object_id: Some(id), ..audit }).await?;
        tx.commit().await?;
        Ok(ClientId(id))
    }

    async fn client(&self, id: ClientId) -> StoreResult<Option<Client>> {
        let row = sqlx::query("SELECT * FROM clients WHERE id = ?").bind(id.0).fetch_optional(&self.pool).await?;
        row.as_ref().map(|r| client_row(&self.keys, r)).transpose()
    }

    async fn clients_of(&self, therapists: &[UserId]) -> StoreResult<Vec<Client>> {
        let ids: Vec<i64> = therapists.iter().map(|id| id.0).collect();
        let rows = self.fetch_in("SELECT * FROM clients WHERE therapist_id IN ({ids})", &ids).await?;
        let mut clients = rows.iter().map(|r| client_row(&self.keys, r)).collect::<StoreResult<Vec<_>>>()?;
        // Sealed pseudonyms cannot be sorted by the database.
        clients.sort_by(|a, b| (&a.pseudonym, a.id).cmp(&(&b.pseudonym, b.id)));
        Ok(clients)
    }

    async fn open_episode(
        &self,
        episode: NewEpisode,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<EpisodeId> {
        let mut tx = self.writer.begin().await?;
        let started = date_text(episode.started_on)?;
        sqlx::query("UPDATE episodes SET ended_on = ? WHERE client_id = ? AND ended_on IS NULL")
            .bind(&started)
            .bind(episode.client.0)
            .execute(&mut *tx)
            .await?;
        let id = sqlx::query_scalar(
            "INSERT INTO episodes (client_id, therapist_id, started_on, measures, created_at)
             VALUES (?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(episode.client.0)
        .bind(episode.therapist.0)
        .bind(&started)
        .bind(episode.measures.join(","))
        .bind(ts(now))
        .fetch_one(&mut *tx)
        .await?;
        insert_audit(&mut tx, &AuditEvent { object_id: Some(id), ..audit }).await?;
        tx.commit().await?;
        Ok(EpisodeId(id))
    }

    async fn end_episode(&self, episode: EpisodeId, ended_on: Date, audit: AuditEvent) -> StoreResult<()> {
        let mut tx = self.writer.begin().await?;
        let ended = date_text(ended_on)?;
        let done =
            sqlx::query("UPDATE episodes SET ended_on = ? WHERE id = ? AND ended_on IS NULL AND started_on <= ?")
                .bind(&ended)
                .bind(episode.0)
                .bind(&ended)
                .execute(&mut *tx)
                .await?;
        if done.rows_affected() == 0 {
            let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM episodes WHERE id = ?")
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
        let ids: Vec<i64> = clients.iter().map(|id| id.0).collect();
        self.fetch_in(
            "SELECT * FROM episodes WHERE id IN (SELECT MAX(id) FROM episodes WHERE client_id IN ({ids}) GROUP BY client_id)
             ORDER BY client_id",
            &ids,
        )
        .await?
        .iter()
        .map(episode_row)
        .collect()
    }

    async fn episodes(&self, client: ClientId) -> StoreResult<Vec<Episode>> {
        let rows = sqlx::query("SELECT * FROM episodes WHERE client_id = ? ORDER BY started_on, id")
            .bind(client.0)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(episode_row).collect()
    }

    async fn episode(&self, id: EpisodeId) -> StoreResult<Option<Episode>> {
        let row = sqlx::query("SELECT * FROM episodes WHERE id = ?").bind(id.0).fetch_optional(&self.pool).await?;
        row.as_ref().map(episode_row).transpose()
    }

    async fn sessions_of(&self, clients: &[ClientId]) -> StoreResult<Vec<TherapySession>> {
        let ids: Vec<i64> = clients.iter().map(|id| id.0).collect();
        self.fetch_in(
            &format!(
                "SELECT {SESSION_COLUMNS} WHERE e.client_id IN ({{ids}}) ORDER BY e.client_id, s.episode_id, s.number"
            ),
            &ids,
        )
        .await?
        .iter()
        .map(session_row)
        .collect()
    }

    async fn record_session(
        &self,
        session: NewSession,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<TherapySession> {
        // The INSERT computes the next number itself, so two concurrent recordings cannot share one.
        let mut tx = self.writer.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO therapy_sessions (episode_id, number, held_on, attended, created_at)
             SELECT ?1, COALESCE(MAX(number), 0) + 1, ?2, ?3, ?4 FROM therapy_sessions WHERE episode_id = ?1
             RETURNING id",
        )
        .bind(session.episode.0)
        .bind(date_text(session.held_on)?)
        .bind(session.attended)
        .bind(ts(now))
        .fetch_one(&mut *tx)
        .await?;
        insert_audit(&mut tx, &AuditEvent { object_id: Some(id), ..audit }).await?;
        tx.commit().await?;
        self.session(SessionId(id)).await?.ok_or(StoreError::NotFound)
    }

    async fn session(&self, id: SessionId) -> StoreResult<Option<TherapySession>> {
        let sql = format!("SELECT {SESSION_COLUMNS} WHERE s.id = ?");
        let row = sqlx::query(&sql).bind(id.0).fetch_optional(&self.pool).await?;
        row.as_ref().map(session_row).transpose()
    }

    async fn sessions(&self, episode: EpisodeId) -> StoreResult<Vec<TherapySession>> {
        let sql = format!("SELECT {SESSION_COLUMNS} WHERE s.episode_id = ? ORDER BY s.number");
        sqlx::query(&sql).bind(episode.0).fetch_all(&self.pool).await?.iter().map(session_row).collect()
    }

    async fn create_link(&self, link: NewLink, audit: AuditEvent, now: OffsetDateTime) -> StoreResult<LinkId> {
        let mut tx = self.writer.begin().await?;
        // A session the client has answered takes no new link, and a new link replaces the unused ones: one
        // session is answered once. (The UPDATE first, so the transaction holds the write lock for the check.)
        sqlx::query("UPDATE links SET expires_at = ?1 WHERE session_id = ?2 AND used_at IS NULL AND expires_at > ?1")
            .bind(ts(now))
            .bind(link.session.0)
            .execute(&mut *tx)
            .await?;
        let answered: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM links WHERE session_id = ? AND used_at IS NOT NULL")
                .bind(link.session.0)
                .fetch_one(&mut *tx)
                .await?;
        if answered > 0 {
            tx.rollback().await?;
            return Err(StoreError::Conflict("the session has already been answered"));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO links (session_id, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?) RETURNING id",
        )
        .bind(link.session.0)
        .bind(&link.token_hash)
        .bind(ts(now))
        .bind(ts(link.expires_at))
        .fetch_one(&mut *tx)
        .await?;
        for (position, instrument) in link.instruments.iter().enumerate() {
            sqlx::query(
                "INSERT INTO administrations
                 (session_id, link_id, instrument_id, instrument_version, rater, position, status, created_at)
                 VALUES (?, ?, ?, ?, 'client', ?, 'open', ?)",
            )
            .bind(link.session.0)
            .bind(id)
            .bind(&instrument.id)
            .bind(instrument.version)
            .bind(position as i64)
            .bind(ts(now))
            .execute(&mut *tx)
            .await?;
        }
        insert_audit(&mut tx, &AuditEvent { object_id: Some(id), ..audit }).await?;
        tx.commit().await?;
        Ok(LinkId(id))
    }

    async fn link_by_token(&self, token_hash: &[u8], now: OffsetDateTime) -> StoreResult<Option<LinkView>> {
        let Some(row) = sqlx::query("SELECT id, session_id, expires_at, used_at FROM links WHERE token_hash = ?")
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
            "SELECT id, instrument_id, instrument_version, status FROM administrations WHERE link_id = ? ORDER BY position",
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
                    instrument: InstrumentRef {
                        id: r.try_get("instrument_id")?,
                        version: r.try_get("instrument_version")?,
                    },
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
        let mut tx = self.writer.begin().await?;
        sqlx::query("DELETE FROM administrations WHERE session_id = ? AND instrument_id = ? AND rater = 'therapist'")
            .bind(session.0)
            .bind(&instrument.id)
            .execute(&mut *tx)
            .await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO administrations
             (session_id, instrument_id, instrument_version, rater, position, status, created_at)
             VALUES (?, ?, ?, 'therapist', 0, 'open', ?) RETURNING id",
        )
        .bind(session.0)
        .bind(&instrument.id)
        .bind(instrument.version)
        .bind(ts(now))
        .fetch_one(&mut *tx)
        .await?;
        insert_responses(&self.keys, &mut tx, &[(id, &response)], now).await?;
        insert_audit(&mut tx, &AuditEvent { object_id: Some(id), ..audit }).await?;
        tx.commit().await?;
        Ok(AdministrationId(id))
    }

    async fn links_for_session(&self, session: SessionId) -> StoreResult<Vec<LinkSummary>> {
        let rows = sqlx::query(
            "SELECT l.id, l.created_at, l.expires_at, l.used_at,
                    (SELECT GROUP_CONCAT(instrument_id, ',') FROM
                        (SELECT instrument_id FROM administrations WHERE link_id = l.id ORDER BY position)) AS instruments
             FROM links l WHERE l.session_id = ? ORDER BY l.id",
        )
        .bind(session.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let used: Option<i64> = r.try_get("used_at")?;
                let instruments: Option<String> = r.try_get("instruments")?;
                Ok(LinkSummary {
                    id: LinkId(r.try_get("id")?),
                    created_at: from_ts(r.try_get("created_at")?)?,
                    expires_at: from_ts(r.try_get("expires_at")?)?,
                    used_at: used.map(from_ts).transpose()?,
                    instruments: instruments.map(|s| s.split(',').map(str::to_owned).collect()).unwrap_or_default(),
                })
            })
            .collect()
    }

    async fn responses_of(&self, client: ClientId) -> StoreResult<Vec<StoredResponse>> {
        // Both reads in one (read) transaction: a reflection saved in between cannot leave a response without
        // scores. On a reader, not the writer, so that page views never queue behind submissions.
        let mut tx = self.pool.begin().await?;
        let rows = sqlx::query(
            "SELECT a.id, a.session_id, s.episode_id, s.number, s.held_on, a.instrument_id, a.instrument_version,
                    a.rater, r.answers, r.flags, r.submitted_at
             FROM responses r
             JOIN administrations a ON a.id = r.administration_id
             JOIN therapy_sessions s ON s.id = a.session_id
             JOIN episodes e ON e.id = s.episode_id
             WHERE e.client_id = ?
             ORDER BY s.held_on, s.number, a.rater, a.position, a.id",
        )
        .bind(client.0)
        .fetch_all(&mut *tx)
        .await?;
        let score_rows = sqlx::query(
            "SELECT sc.* FROM scores sc
             JOIN administrations a ON a.id = sc.administration_id
             JOIN therapy_sessions s ON s.id = a.session_id
             JOIN episodes e ON e.id = s.episode_id
             WHERE e.client_id = ? ORDER BY sc.administration_id, sc.position",
        )
        .bind(client.0)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        let mut scores: std::collections::HashMap<i64, Vec<ScaleScore>> = std::collections::HashMap::new();
        for r in &score_rows {
            scores.entry(r.try_get("administration_id")?).or_default().push(ScaleScore {
                scale: r.try_get("scale_id")?,
                value: r.try_get("value")?,
                answered: r.try_get::<i64, _>("answered")?.max(0) as usize,
                missing: r.try_get::<i64, _>("missing")?.max(0) as usize,
                prorated: r.try_get("prorated")?,
                band: r.try_get("band")?,
                concern: r.try_get("concern")?,
            });
        }
        rows.iter()
            .map(|r| {
                let id: i64 = r.try_get("id")?;
                let held_on: String = r.try_get("held_on")?;
                let rater: String = r.try_get("rater")?;
                let flags: String = r.try_get("flags")?;
                Ok(StoredResponse {
                    administration: AdministrationId(id),
                    session: SessionId(r.try_get("session_id")?),
                    episode: EpisodeId(r.try_get("episode_id")?),
                    session_number: r.try_get("number")?,
                    held_on: parse_date(&held_on)?,
                    instrument: InstrumentRef {
                        id: r.try_get("instrument_id")?,
                        version: r.try_get("instrument_version")?,
                    },
                    rater: if rater == "therapist" { Rater::Therapist } else { Rater::Client },
                    answers: serde_json::from_str(&self.keys.open(
                        cipher::RESPONSE_ANSWERS,
                        id,
                        r.try_get("answers")?,
                    )?)
                    .map_err(|e| StoreError::Corrupt(format!("response answers: {e}")))?,
                    flags: parse_flags(&flags)?,
                    scores: scores.remove(&id).unwrap_or_default(),
                    submitted_at: from_ts(r.try_get("submitted_at")?)?,
                })
            })
            .collect()
    }

    async fn score_points(&self, clients: &[ClientId]) -> StoreResult<Vec<ScorePoint>> {
        let ids: Vec<i64> = clients.iter().map(|id| id.0).collect();
        self.fetch_in(
            "SELECT e.client_id, s.episode_id, s.number, s.held_on, a.instrument_id, a.rater, sc.scale_id, sc.value,
                    sc.concern, r.flags
             FROM scores sc
             JOIN responses r ON r.administration_id = sc.administration_id
             JOIN administrations a ON a.id = sc.administration_id
             JOIN therapy_sessions s ON s.id = a.session_id
             JOIN episodes e ON e.id = s.episode_id
             WHERE e.client_id IN ({ids})
             ORDER BY e.client_id, s.held_on, s.number, a.rater, a.position, a.id, sc.position",
            &ids,
        )
        .await?
        .iter()
        .map(|r| {
            let held_on: String = r.try_get("held_on")?;
            let rater: String = r.try_get("rater")?;
            let flags: String = r.try_get("flags")?;
            Ok(ScorePoint {
                client: ClientId(r.try_get("client_id")?),
                episode: EpisodeId(r.try_get("episode_id")?),
                session_number: r.try_get("number")?,
                held_on: parse_date(&held_on)?,
                instrument: r.try_get("instrument_id")?,
                rater: if rater == "therapist" { Rater::Therapist } else { Rater::Client },
                scale: r.try_get("scale_id")?,
                value: r.try_get("value")?,
                concern: r.try_get("concern")?,
                flags: parse_flags(&flags)?,
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
        let mut tx = self.writer.begin().await?;
        sqlx::query(
            "INSERT INTO signal_acknowledgements (client_id, signal_key, user_id, at) VALUES (?, ?, ?, ?)
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
        let ids: Vec<i64> = clients.iter().map(|c| c.0).collect();
        self.fetch_in(
            "SELECT c.id, coalesce(r.revision, 0) AS revision FROM clients c
             LEFT JOIN client_revisions r ON r.client_id = c.id WHERE c.id IN ({ids})",
            &ids,
        )
        .await?
        .iter()
        .map(|r| Ok((ClientId(r.try_get("id")?), r.try_get("revision")?)))
        .collect()
    }

    async fn acknowledgements(&self, clients: &[ClientId]) -> StoreResult<Vec<Acknowledgement>> {
        let ids: Vec<i64> = clients.iter().map(|id| id.0).collect();
        self.fetch_in(
            "SELECT a.client_id, a.signal_key, a.user_id, u.display_name, a.at FROM signal_acknowledgements a
             JOIN users u ON u.id = a.user_id WHERE a.client_id IN ({ids}) ORDER BY a.at",
            &ids,
        )
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
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM therapy_sessions WHERE id = ?")
            .bind(comment.session.0)
            .fetch_optional(&self.pool)
            .await?;
        if exists.is_none() {
            return Err(StoreError::NotFound);
        }
        // Free text: sealed under the new row's id, inserted and sealed in one transaction.
        let mut tx = self.writer.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO reflection_comments (session_id, author_id, body, created_at) VALUES (?, ?, '', ?)
             RETURNING id",
        )
        .bind(comment.session.0)
        .bind(comment.author.0)
        .bind(ts(comment.created_at))
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query("UPDATE reflection_comments SET body = ? WHERE id = ?")
            .bind(self.keys.seal(cipher::COMMENT_BODY, id, &comment.body))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn reflection_comments(&self, sessions: &[SessionId]) -> StoreResult<Vec<ReflectionComment>> {
        let ids: Vec<i64> = sessions.iter().map(|id| id.0).collect();
        self.fetch_in(
            "SELECT c.id, c.session_id, c.author_id, u.display_name, u.role, c.body, c.created_at
             FROM reflection_comments c JOIN users u ON u.id = c.author_id
             WHERE c.session_id IN ({ids}) ORDER BY c.session_id, c.created_at, c.id",
            &ids,
        )
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
        let (sql, binds) = audit::search_sql(filter, limit, |_| "?".to_owned());
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
            "SELECT * FROM audit_events WHERE seq IS NOT NULL AND (seq > ?1 OR (seq = ?1 AND id > ?2))
             ORDER BY seq, id LIMIT ?3",
        )
        .bind(seq)
        .bind(id)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| chain_row_with_seq(r, r.try_get("seq")?)).collect()
    }

    async fn audit_head(&self) -> StoreResult<AuditHead> {
        let mut tx = self.pool.begin().await?;
        let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(&mut *tx).await?;
        let unchained: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_events WHERE seq IS NULL OR prev_hash IS NULL OR hash IS NULL",
        )
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(AuditHead { seq: head.try_get("seq")?, hash: head.try_get("hash")?, unchained: unchained.max(0) as u64 })
    }

    async fn grant_break_glass(&self, grant: NewBreakGlass, audit: AuditEvent) -> StoreResult<BreakGlassId> {
        let mut tx = self.writer.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO break_glass_grants (admin_id, client_id, reason, granted_at, expires_at)
             VALUES (?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(grant.admin.0)
        .bind(grant.client.0)
        .bind("")
        .bind(ts(grant.granted_at))
        .bind(ts(grant.expires_at))
        .fetch_one(&mut *tx)
        .await?;
        // The reason is free text: sealed under the new row's id, in the same transaction.
        sqlx::query("UPDATE break_glass_grants SET reason = ? WHERE id = ?")
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
            "SELECT {BREAK_GLASS_COLUMNS} WHERE g.admin_id = ? AND g.client_id = ? AND g.granted_at <= ?3
             AND g.expires_at > ?3 ORDER BY g.expires_at DESC LIMIT 1"
        );
        let row = sqlx::query(&sql).bind(admin.0).bind(client.0).bind(ts(now)).fetch_optional(&self.pool).await?;
        row.as_ref().map(|r| break_glass_row(&self.keys, r)).transpose()
    }

    async fn break_glass_of(&self, clients: &[ClientId]) -> StoreResult<Vec<BreakGlass>> {
        let ids: Vec<i64> = clients.iter().map(|id| id.0).collect();
        let sql = format!(
            "SELECT {BREAK_GLASS_COLUMNS} WHERE g.client_id IN ({{ids}}) ORDER BY g.granted_at DESC, g.id DESC"
        );
        self.fetch_in(&sql, &ids).await?.iter().map(|r| break_glass_row(&self.keys, r)).collect()
    }

    async fn acknowledge_break_glass(
        &self,
        client: ClientId,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        let mut tx = self.writer.begin().await?;
        sqlx::query(
            "UPDATE break_glass_grants SET acknowledged_at = ?, acknowledged_by = ?
             WHERE client_id = ? AND acknowledged_at IS NULL",
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

fn episode_row(row: &SqliteRow) -> StoreResult<Episode> {
    let started: String = row.try_get("started_on")?;
    let ended: Option<String> = row.try_get("ended_on")?;
    let measures: String = row.try_get("measures")?;
    Ok(Episode {
        id: EpisodeId(row.try_get("id")?),
        client: ClientId(row.try_get("client_id")?),
        therapist: UserId(row.try_get("therapist_id")?),
        started_on: parse_date(&started)?,
        ended_on: ended.as_deref().map(parse_date).transpose()?,
        measures: measures.split(',').filter(|m| !m.is_empty()).map(str::to_owned).collect(),
    })
}
