//! One way to run a statement on either engine, so that the store's SQL and its row decoding are written once
//! (`shared/`). A statement is written with PostgreSQL's `$1`-style parameters, which sqlx also binds on SQLite
//! (a `$N` parameter there takes the N-th bound value, as on PostgreSQL).
//!
//! Only what truly differs between the engines lives here, each beside the shared form it replaces: how a list
//! of ids is bound, how a list of names is stored, how a row is locked for the rest of a transaction, and how a
//! writing transaction begins. Everything else is plain SQL both engines run alike.
//!
//! Why not sqlx's `Any` driver: it converts every row into owned values, has no calendar dates, and would hide the
//! SQLCipher connection and the group commit's locked handle behind a URL. The enums here are a thin, typed
//! dispatch over sqlx's own drivers instead, with no cost beyond a `match`.

use std::sync::Arc;

use futures_core::stream::BoxStream;
use futures_util::{StreamExt, TryStreamExt};
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::sqlite::{SqliteArguments, SqliteRow};
use sqlx::{Decode, Encode, PgPool, Postgres, Row as _, Sqlite, SqlitePool, Type};
use time::OffsetDateTime;

use crate::cipher::Keyring;
use crate::group_commit::GroupCommit;
use crate::{StoreError, StoreResult};

/// Which engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Engine {
    Sqlite,
    Postgres,
}

/// A pool of connections of either engine.
#[derive(Debug, Clone)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl Pool {
    /// Its connections now, named `pool` for metrics.
    pub(crate) fn usage(&self, pool: &'static str) -> crate::PoolUse {
        let (open, idle, max) = match self {
            Pool::Sqlite(p) => (p.size(), p.num_idle(), p.options().get_max_connections()),
            Pool::Postgres(p) => (p.size(), p.num_idle(), p.options().get_max_connections()),
        };
        crate::PoolUse { pool, open, idle: u32::try_from(idle).unwrap_or(u32::MAX), max }
    }
}

/// What every store holds: where it reads, where it writes, the group commit and the keys. The shared
/// implementations of the store's traits (`shared/`) work on this alone.
#[derive(Debug, Clone)]
pub struct Db {
    pub(crate) engine: Engine,
    /// Reads. On SQLite, read-only connections beside the one writer (WAL lets them run at once).
    pub(crate) read: Pool,
    /// Writes. On SQLite, one connection: writers queue here first come, first served instead of in SQLite's
    /// busy handler. On PostgreSQL, the same pool as `read`.
    pub(crate) write: Pool,
    /// Client submissions and lone audit entries, committed in groups (see `group_commit`).
    pub(crate) submissions: GroupCommit,
    pub(crate) keys: Arc<Keyring>,
}

/// A store's shared part. Implemented by both stores; the store's traits are implemented once for every type
/// that has one. Public only so that it can bound those implementations: the module that names it is private.
pub trait HasDb: Send + Sync + 'static {
    fn db(&self) -> &Db;
}

/// A transaction on either engine.
pub(crate) enum Tx {
    Sqlite(sqlx::Transaction<'static, Sqlite>),
    Postgres(sqlx::Transaction<'static, Postgres>),
}

/// How long a lock taken by [`Db::lock`] is held: until the transaction ends, either way.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Lock {
    /// Serialises writers that take the same lock but lets foreign-key checks through (`FOR NO KEY UPDATE`).
    Parent,
    /// Serialises every writer of the rows (`FOR UPDATE`).
    Rows,
}

impl Db {
    /// Begins a writing transaction. On SQLite it is `BEGIN IMMEDIATE`: the write lock is taken at once, so what
    /// the transaction reads stays true until it commits, even against another process writing to the same file
    /// (an `alliance` command beside the server). PostgreSQL locks what it must row by row ([`Db::lock`]).
    pub(crate) async fn begin(&self) -> StoreResult<Tx> {
        Ok(match &self.write {
            Pool::Sqlite(p) => Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Pool::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// Runs `select` (one `$1`, the id) inside `tx` and locks the row it returns for the rest of the
    /// transaction; `NotFound` when there is none. SQLite needs no row lock: the transaction holds the database's
    /// write lock since it began ([`Db::begin`]).
    pub(crate) async fn lock(&self, tx: &mut Tx, select: &str, lock: Lock, id: i64) -> StoreResult<Row> {
        let sql = self.locking(select, lock);
        self.query(&sql).bind(id).fetch_optional(tx).await?.ok_or(StoreError::NotFound)
    }

    /// Runs `select` inside `tx` and locks every row it returns for the rest of the transaction (see `lock`).
    pub(crate) async fn lock_all(&self, tx: &mut Tx, select: &str, lock: Lock) -> StoreResult<Vec<Row>> {
        let sql = self.locking(select, lock);
        self.query(&sql).fetch_all(tx).await
    }

    pub(crate) fn locking(&self, select: &str, lock: Lock) -> String {
        match (self.engine, lock) {
            (Engine::Sqlite, _) => select.to_owned(),
            (Engine::Postgres, Lock::Parent) => format!("{select} FOR NO KEY UPDATE"),
            (Engine::Postgres, Lock::Rows) => format!("{select} FOR UPDATE"),
        }
    }

    /// Seals `text` into `field` of the row `id` (its `id` column) inside `tx`: a sealed value is bound to its
    /// row's id, so a row whose id the insert makes goes in with an empty value and is sealed at once.
    pub(crate) async fn seal_into(
        &self,
        tx: &mut Tx,
        field: crate::cipher::Field,
        id: i64,
        text: &str,
    ) -> StoreResult<()> {
        let sql = format!("UPDATE {} SET {} = $1 WHERE id = $2", field.table, field.column);
        self.query(&sql).bind(self.keys.seal(field, id, text)).bind(id).execute(tx).await?;
        Ok(())
    }

    /// A statement for this store's engine.
    pub(crate) fn query<'q>(&self, sql: &'q str) -> Query<'q> {
        match self.engine {
            Engine::Sqlite => Query::Sqlite(sqlx::query(sql)),
            Engine::Postgres => Query::Postgres(sqlx::query(sql)),
        }
    }

    /// `sql` with its `IN {ids}` (membership in a list of ids, bound as `$1` with [`Query::bind_ids`]) written
    /// for this engine: SQLite reads the list from a JSON array, PostgreSQL compares with an array parameter
    /// (`= ANY`, which it plans as an index scan per id).
    pub(crate) fn with_ids(&self, sql: &str) -> String {
        match self.engine {
            Engine::Sqlite => sql.replace("IN {ids}", "IN (SELECT value FROM json_each($1))"),
            Engine::Postgres => sql.replace("IN {ids}", "= ANY(CAST($1 AS BIGINT[]))"),
        }
    }
}

/// A value both engines can bind.
pub(crate) trait Value<'q>:
    'q + Send + Encode<'q, Sqlite> + Type<Sqlite> + Encode<'q, Postgres> + Type<Postgres>
{
}
impl<'q, T> Value<'q> for T where
    T: 'q + Send + Encode<'q, Sqlite> + Type<Sqlite> + Encode<'q, Postgres> + Type<Postgres>
{
}

/// A value both engines can decode.
pub(crate) trait Column<'r>: Decode<'r, Sqlite> + Type<Sqlite> + Decode<'r, Postgres> + Type<Postgres> {}
impl<'r, T> Column<'r> for T where T: Decode<'r, Sqlite> + Type<Sqlite> + Decode<'r, Postgres> + Type<Postgres> {}

/// A statement with its parameters, for one engine.
pub(crate) enum Query<'q> {
    Sqlite(sqlx::query::Query<'q, Sqlite, SqliteArguments<'q>>),
    Postgres(sqlx::query::Query<'q, Postgres, PgArguments>),
}

/// Where a statement runs: a pool (one statement, its own transaction) or an open transaction.
pub(crate) enum On<'c> {
    Pool(&'c Pool),
    Tx(&'c mut Tx),
}

impl<'c> From<&'c Pool> for On<'c> {
    fn from(pool: &'c Pool) -> Self {
        On::Pool(pool)
    }
}

impl<'c> From<&'c mut Tx> for On<'c> {
    fn from(tx: &'c mut Tx) -> Self {
        On::Tx(tx)
    }
}

fn mismatch() -> StoreError {
    StoreError::Corrupt("a statement was sent to the other engine's connection".into())
}

impl<'q> Query<'q> {
    pub(crate) fn bind<T: Value<'q>>(self, value: T) -> Self {
        match self {
            Query::Sqlite(q) => Query::Sqlite(q.bind(value)),
            Query::Postgres(q) => Query::Postgres(q.bind(value)),
        }
    }

    /// Binds a time as the Unix seconds both schemas store.
    pub(crate) fn bind_time(self, at: OffsetDateTime) -> Self {
        self.bind(at.unix_timestamp())
    }

    /// Binds a list of ids for a statement written with [`Db::with_ids`].
    pub(crate) fn bind_ids(self, ids: Vec<i64>) -> Self {
        match self {
            Query::Sqlite(q) => {
                let json = format!("[{}]", ids.iter().map(i64::to_string).collect::<Vec<_>>().join(","));
                Query::Sqlite(q.bind(json))
            }
            Query::Postgres(q) => Query::Postgres(q.bind(ids)),
        }
    }

    /// Binds a list of names as the schema stores it: comma-separated text on SQLite, a `TEXT[]` on PostgreSQL.
    pub(crate) fn bind_names(self, names: &[String]) -> Self {
        match self {
            Query::Sqlite(q) => Query::Sqlite(q.bind(names.join(","))),
            Query::Postgres(q) => Query::Postgres(q.bind(names.to_vec())),
        }
    }

    /// The rows as they arrive, for reads too large to hold at once.
    pub(crate) fn fetch<'e>(self, pool: &'e Pool) -> BoxStream<'e, StoreResult<Row>>
    where
        'q: 'e,
    {
        match (self, pool) {
            (Query::Sqlite(q), Pool::Sqlite(p)) => q.fetch(p).map_ok(Row::Sqlite).map_err(StoreError::from).boxed(),
            (Query::Postgres(q), Pool::Postgres(p)) => {
                q.fetch(p).map_ok(Row::Postgres).map_err(StoreError::from).boxed()
            }
            _ => futures_util::stream::once(async { Err(mismatch()) }).boxed(),
        }
    }

    /// Runs the statement; returns how many rows it changed.
    pub(crate) async fn execute<'c>(self, on: impl Into<On<'c>>) -> StoreResult<u64> {
        Ok(match (self, on.into()) {
            (Query::Sqlite(q), On::Pool(Pool::Sqlite(p))) => q.execute(p).await?.rows_affected(),
            (Query::Sqlite(q), On::Tx(Tx::Sqlite(t))) => q.execute(&mut **t).await?.rows_affected(),
            (Query::Postgres(q), On::Pool(Pool::Postgres(p))) => q.execute(p).await?.rows_affected(),
            (Query::Postgres(q), On::Tx(Tx::Postgres(t))) => q.execute(&mut **t).await?.rows_affected(),
            _ => return Err(mismatch()),
        })
    }

    pub(crate) async fn fetch_all<'c>(self, on: impl Into<On<'c>>) -> StoreResult<Vec<Row>> {
        Ok(match (self, on.into()) {
            (Query::Sqlite(q), On::Pool(Pool::Sqlite(p))) => {
                q.fetch_all(p).await?.into_iter().map(Row::Sqlite).collect()
            }
            (Query::Sqlite(q), On::Tx(Tx::Sqlite(t))) => {
                q.fetch_all(&mut **t).await?.into_iter().map(Row::Sqlite).collect()
            }
            (Query::Postgres(q), On::Pool(Pool::Postgres(p))) => {
                q.fetch_all(p).await?.into_iter().map(Row::Postgres).collect()
            }
            (Query::Postgres(q), On::Tx(Tx::Postgres(t))) => {
                q.fetch_all(&mut **t).await?.into_iter().map(Row::Postgres).collect()
            }
            _ => return Err(mismatch()),
        })
    }

    pub(crate) async fn fetch_optional<'c>(self, on: impl Into<On<'c>>) -> StoreResult<Option<Row>> {
        Ok(match (self, on.into()) {
            (Query::Sqlite(q), On::Pool(Pool::Sqlite(p))) => q.fetch_optional(p).await?.map(Row::Sqlite),
            (Query::Sqlite(q), On::Tx(Tx::Sqlite(t))) => q.fetch_optional(&mut **t).await?.map(Row::Sqlite),
            (Query::Postgres(q), On::Pool(Pool::Postgres(p))) => q.fetch_optional(p).await?.map(Row::Postgres),
            (Query::Postgres(q), On::Tx(Tx::Postgres(t))) => q.fetch_optional(&mut **t).await?.map(Row::Postgres),
            _ => return Err(mismatch()),
        })
    }

    pub(crate) async fn fetch_one<'c>(self, on: impl Into<On<'c>>) -> StoreResult<Row> {
        self.fetch_optional(on).await?.ok_or(StoreError::NotFound)
    }
}

impl Tx {
    pub(crate) async fn commit(self) -> StoreResult<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    pub(crate) async fn rollback(self) -> StoreResult<()> {
        match self {
            Tx::Sqlite(t) => t.rollback().await?,
            Tx::Postgres(t) => t.rollback().await?,
        }
        Ok(())
    }
}

/// A row of either engine, with the decoding both share.
pub(crate) enum Row {
    Sqlite(SqliteRow),
    Postgres(PgRow),
}

fn out_of_range(what: &str, n: i64) -> StoreError {
    StoreError::Corrupt(format!("{what} {n} out of range"))
}

impl Row {
    pub(crate) fn get<'r, T: Column<'r>>(&'r self, column: &str) -> StoreResult<T> {
        Ok(match self {
            Row::Sqlite(r) => r.try_get(column)?,
            Row::Postgres(r) => r.try_get(column)?,
        })
    }

    /// A column that a database at the schema before the newest may not have yet (`SELECT *` of a table a recent
    /// migration widened): `None` then, as for a value never set. Today's code reads such databases in the upgrade
    /// tests, which fill a database at the previous schema through today's store.
    pub(crate) fn get_if_present<'r, T: Column<'r>>(&'r self, column: &str) -> StoreResult<Option<T>> {
        let found = match self {
            Row::Sqlite(r) => r.try_get::<Option<T>, _>(column),
            Row::Postgres(r) => r.try_get::<Option<T>, _>(column),
        };
        match found {
            Ok(value) => Ok(value),
            Err(sqlx::Error::ColumnNotFound(_)) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// The first column, for statements that select one value.
    pub(crate) fn first<'r, T: Column<'r>>(&'r self) -> StoreResult<T> {
        Ok(match self {
            Row::Sqlite(r) => r.try_get(0)?,
            Row::Postgres(r) => r.try_get(0)?,
        })
    }

    /// A time stored as Unix seconds.
    pub(crate) fn time(&self, column: &str) -> StoreResult<OffsetDateTime> {
        from_ts(self.get(column)?)
    }

    pub(crate) fn time_opt(&self, column: &str) -> StoreResult<Option<OffsetDateTime>> {
        self.get::<Option<i64>>(column)?.map(from_ts).transpose()
    }

    /// A small non-negative number (a session number, a position): `INTEGER` on PostgreSQL, read as 32 bits on
    /// both.
    pub(crate) fn small(&self, column: &str) -> StoreResult<u32> {
        let n: i32 = self.get(column)?;
        u32::try_from(n).map_err(|_| out_of_range(column, n.into()))
    }

    /// A non-negative `BIGINT` that fits 32 bits (an instrument version).
    pub(crate) fn u32(&self, column: &str) -> StoreResult<u32> {
        let n: i64 = self.get(column)?;
        u32::try_from(n).map_err(|_| out_of_range(column, n))
    }

    /// A non-negative count.
    pub(crate) fn count(&self, column: &str) -> StoreResult<usize> {
        let n: i64 = self.get(column)?;
        usize::try_from(n).map_err(|_| out_of_range(column, n))
    }

    /// A list of names (see [`Query::bind_names`]).
    pub(crate) fn names(&self, column: &str) -> StoreResult<Vec<String>> {
        Ok(match self {
            Row::Sqlite(r) => {
                let text: String = r.try_get(column)?;
                text.split(',').filter(|m| !m.is_empty()).map(str::to_owned).collect()
            }
            Row::Postgres(r) => r.try_get(column)?,
        })
    }
}

pub(crate) fn from_ts(secs: i64) -> StoreResult<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp(secs).map_err(|e| StoreError::Corrupt(e.to_string()))
}
