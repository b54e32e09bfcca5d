//! The embedded SQLite store. WAL journal with `synchronous = FULL`: a submission is on disk before the server
//! acknowledges it, even across power loss. The file is a SQLCipher database (every page encrypted, the WAL too)
//! and identifying fields are also sealed one by one (see `cipher`), as on PostgreSQL.

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection, Row as _, SqliteConnection, SqlitePool};
use time::OffsetDateTime;
use zeroize::Zeroizing;

use crate::cipher::{self, Keyring};
use crate::db::{Db, Engine, HasDb, Pool, Row};
use crate::group_commit::sqlite::SqliteBatches;
use crate::group_commit::{self, GroupCommit};
use crate::schema_version::{self, Migrations};
use crate::shared::audit_log::chain_row_with_seq;
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
    /// The same connections, the group commit and the keys, as the shared statements use them (`shared/`).
    db: Db,
}

impl HasDb for SqliteStore {
    fn db(&self) -> &Db {
        &self.db
    }
}

fn backend(e: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::Backend(Box::new(e))
}

impl SqliteStore {
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
        crate::process_exit::before_first_connection();
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
        Ok(Self::assemble(pool.clone(), pool, submissions, keys))
    }

    async fn with_options(options: SqliteConnectOptions, keys: &Keyring, schema: Migrations) -> StoreResult<Self> {
        // A wrong key shows at the first read of the file, which the connection's own set-up makes.
        let writer =
            SqlitePoolOptions::new().max_connections(1).connect_with(options.clone()).await.map_err(open_error)?;
        let migrated = match schema {
            Migrations::Latest => match MIGRATOR.run(&writer).await {
                Ok(()) => chain_legacy_entries(&writer).await,
                Err(sqlx::migrate::MigrateError::Execute(e)) => Err(open_error(e)),
                Err(other) => Err(schema_version::newer_schema(other, &MIGRATOR).unwrap_or_else(backend)),
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
        let store = Self::assemble(pool, writer, submissions, keys);
        let checked = match store.db.check_keys().await {
            Ok(()) if matches!(schema, Migrations::Latest) => store.db.seal_clear_fields().await.map(|_| ()),
            other => other,
        };
        if let Err(e) = checked {
            // Closed, not dropped: SQLCipher connections still closing as the process exits can crash it.
            store.close().await;
            return Err(e);
        }
        Ok(store)
    }

    fn assemble(pool: SqlitePool, writer: SqlitePool, submissions: GroupCommit, keys: Arc<Keyring>) -> Self {
        let db = Db {
            engine: Engine::Sqlite,
            read: Pool::Sqlite(pool.clone()),
            write: Pool::Sqlite(writer.clone()),
            submissions,
            keys,
        };
        Self { pool, writer, db }
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
        self.db.reencrypt_fields().await
    }

    /// Ends every sign-in, recording `event` (see `Db::end_all_sign_ins`); returns how many were ended.
    pub async fn end_all_sign_ins(&self, event: &crate::AuditEvent) -> StoreResult<u64> {
        self.db.end_all_sign_ins(event).await
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
            let email = Zeroizing::new(self.db.keys.open(cipher::USER_EMAIL, id, row.try_get("email")?)?);
            sqlx::query("UPDATE users SET email_index = ? WHERE id = ?")
                .bind(self.db.keys.email_index(&email))
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        // Acknowledged signals' blind index is under a key derived from the database secret too.
        let acks =
            sqlx::query("SELECT id, client_id, signal_key FROM signal_acknowledgements").fetch_all(&mut *tx).await?;
        for row in &acks {
            let (id, client): (i64, i64) = (row.try_get("id")?, row.try_get("client_id")?);
            let key = Zeroizing::new(self.db.keys.open(cipher::SIGNAL_KEY, id, row.try_get("signal_key")?)?);
            sqlx::query("UPDATE signal_acknowledgements SET signal_index = ? WHERE id = ?")
                .bind(self.db.keys.signal_index(client, &key))
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        // Seen marks keep only the blind index, which cannot be recomputed: their signals read as new again until
        // each reader opens the client's page (docs/TRIAGE.md#lifecycle).
        sqlx::query("DELETE FROM signal_seen").execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The keys the store was opened with.
    pub(crate) fn keys(&self) -> &crate::Keyring {
        &self.db.keys
    }

    /// How many encrypted fields are sealed under key `version`.
    pub async fn fields_sealed_with(&self, version: u32) -> StoreResult<u64> {
        self.db.fields_sealed_with(version).await
    }
}

/// Options for the SQLCipher file: the raw key (`x'...'`, no password KDF) goes first, before any other pragma
/// (sqlx orders `key` first). Statement logging is off: the key's pragma is a statement and must not be logged.
fn encrypted(path: &Path, keys: &Keyring) -> SqliteConnectOptions {
    crate::process_exit::before_first_connection();
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

/// Appends `event` to the audit chain inside the caller's transaction, as its last statements: the group
/// commit's own append (one statement moves the head by one entry, as SQLite's trigger requires), run on the
/// transaction's connection.
pub(crate) async fn insert_audit(conn: &mut SqliteConnection, event: &AuditEvent) -> StoreResult<()> {
    group_commit::sqlite::on_connection(conn, |db| group_commit::sqlite::insert_audit(db, event)).await
}

/// Stores one administration's answers with their scores and marks it completed, inside the caller's
/// transaction, with the group commit's own statements.
pub(crate) async fn insert_responses(
    keys: &Keyring,
    conn: &mut SqliteConnection,
    administration: i64,
    response: &NewResponse,
    now: OffsetDateTime,
) -> StoreResult<()> {
    let administrations = [AdministrationId(administration)];
    let responses = std::slice::from_ref(response);
    group_commit::sqlite::on_connection(conn, |db| {
        group_commit::sqlite::insert_answers(db, keys, &administrations, responses, now.unix_timestamp())
    })
    .await
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
    for row in rows {
        let row = Row::Sqlite(row);
        let head = sqlx::query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
            .fetch_one(&mut *tx)
            .await?;
        let mut entry = chain_row_with_seq(&row, head.try_get("seq")?)?;
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
