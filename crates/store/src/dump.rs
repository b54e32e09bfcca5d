//! An engine-neutral copy of every table: the basis of backups, restores and moves between SQLite and PostgreSQL.
//!
//! The table list comes from the database's own catalogue, never from a hand-kept list, so a table added by a
//! later migration is copied without anyone remembering to. A table without a primary key is refused: its rows
//! would have no stable order to check against. Rows travel as typed values (integers, reals, text, bytes, null);
//! PostgreSQL's booleans, dates, text arrays and JSON are carried as the integers and text SQLite keeps them as,
//! so a copy can go either way. Each table gets a row count and a SHA-256 over a canonical encoding of its rows
//! in key order, computed on both sides to prove the copy whole.
//!
//! [`dump`] reads every table inside ONE read transaction (one consistent moment, while the server keeps
//! writing); [`load`] writes into an empty database inside ONE transaction and re-reads what it wrote before
//! committing, so a failed or mismatched copy leaves the target as it was.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;

use futures_core::stream::BoxStream;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::{Row, TypeInfo, ValueRef};
use tokio::sync::mpsc;

use crate::{PostgresStore, SqliteStore, StoreError, StoreResult};

/// A database to copy from or into.
#[derive(Clone, Copy)]
pub enum Engine<'a> {
    Sqlite(&'a SqliteStore),
    Postgres(&'a PostgresStore),
}

impl Engine<'_> {
    fn name(&self) -> &'static str {
        match self {
            Engine::Sqlite(_) => "sqlite",
            Engine::Postgres(_) => "postgres",
        }
    }
}

/// One stored value, independent of the engine.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

/// A table as it travels: its columns in copy order, its key, and which columns hold JSON (compared by meaning,
/// since PostgreSQL's `jsonb` does not keep the spelling).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableHead {
    pub name: String,
    pub columns: Vec<String>,
    pub key: Vec<String>,
    pub json: Vec<bool>,
}

/// What comes first: the engine and schema it was taken from and the tables, in an order that satisfies
/// foreign keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preface {
    pub engine: String,
    pub schema_versions: Vec<i64>,
    pub tables: Vec<String>,
}

/// A table's count and checksum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableSummary {
    pub name: String,
    pub rows: u64,
    /// SHA-256 of the canonical encoding of the rows in key order, hexadecimal.
    pub sha256: String,
}

/// Every table's count and checksum, in copy order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub tables: Vec<TableSummary>,
}

impl Manifest {
    pub fn total_rows(&self) -> u64 {
        self.tables.iter().map(|t| t.rows).sum()
    }
}

/// The pieces of a copy, in order: one preface, then per table its head and its rows in batches.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Preface(Preface),
    Table(TableHead),
    Rows(Vec<Vec<Value>>),
}

const BATCH: usize = 500;
/// Tables the copier leaves alone: the migration ledger is written by opening a store, and must match instead.
const LEDGER: &str = "_sqlx_migrations";

fn corrupt(message: impl Into<String>) -> StoreError {
    StoreError::Corrupt(message.into())
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

// ---------------------------------------------------------------------------------------------------------------
// Checksums

/// Running count and SHA-256 of one table's rows.
pub struct TableHasher {
    json: Vec<bool>,
    rows: u64,
    hash: Sha256,
    buffer: Vec<u8>,
}

impl TableHasher {
    pub fn new(json: Vec<bool>) -> Self {
        Self { json, rows: 0, hash: Sha256::new(), buffer: Vec::new() }
    }

    pub fn add(&mut self, row: &[Value]) {
        self.buffer.clear();
        for (i, value) in row.iter().enumerate() {
            match value {
                Value::Text(text) if self.json.get(i).copied().unwrap_or(false) => {
                    // JSON by meaning: keys sorted, no spacing (serde_json's map is ordered).
                    let canonical = serde_json::from_str::<serde_json::Value>(text)
                        .map(|v| v.to_string())
                        .unwrap_or_else(|_| text.clone());
                    encode_value(&Value::Text(canonical), &mut self.buffer);
                }
                other => encode_value(other, &mut self.buffer),
            }
        }
        self.hash.update(u32_bytes(row.len()));
        self.hash.update(&self.buffer);
        self.rows += 1;
    }

    pub fn finish(self, name: &str) -> TableSummary {
        TableSummary { name: name.to_owned(), rows: self.rows, sha256: hex(&self.hash.finalize()) }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn u32_bytes(n: usize) -> [u8; 4] {
    u32::try_from(n).unwrap_or(u32::MAX).to_be_bytes()
}

// ---------------------------------------------------------------------------------------------------------------
// The byte encoding of items, for backup files. Every length is checked on reading: a damaged file is an error,
// never a huge allocation.

const MAX_FIELD: usize = 1 << 28;
const MAX_COLUMNS: usize = 4096;

fn encode_value(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Null => out.push(0),
        Value::Int(i) => {
            out.push(1);
            out.extend_from_slice(&i.to_be_bytes());
        }
        Value::Real(r) => {
            out.push(2);
            out.extend_from_slice(&r.to_bits().to_be_bytes());
        }
        Value::Text(t) => {
            out.push(3);
            out.extend_from_slice(&u32_bytes(t.len()));
            out.extend_from_slice(t.as_bytes());
        }
        Value::Blob(b) => {
            out.push(4);
            out.extend_from_slice(&u32_bytes(b.len()));
            out.extend_from_slice(b);
        }
    }
}

fn encode_json(tag: u8, value: &impl Serialize, out: &mut Vec<u8>) -> StoreResult<()> {
    let bytes = serde_json::to_vec(value).map_err(|e| corrupt(e.to_string()))?;
    out.push(tag);
    out.extend_from_slice(&u32_bytes(bytes.len()));
    out.extend_from_slice(&bytes);
    Ok(())
}

/// Appends the byte form of `item` to `out`.
pub fn encode_item(item: &Item, out: &mut Vec<u8>) -> StoreResult<()> {
    match item {
        Item::Preface(p) => encode_json(b'P', p, out)?,
        Item::Table(t) => encode_json(b'T', t, out)?,
        Item::Rows(rows) => {
            out.push(b'R');
            out.extend_from_slice(&u32_bytes(rows.len()));
            for row in rows {
                out.extend_from_slice(&u32_bytes(row.len()));
                for value in row {
                    encode_value(value, out);
                }
            }
        }
    }
    Ok(())
}

/// Appends the byte form of the closing manifest.
pub fn encode_manifest(manifest: &Manifest, out: &mut Vec<u8>) -> StoreResult<()> {
    encode_json(b'M', manifest, out)
}

/// What travels from a dump to a load: the items, then the source's manifest, which the load checks.
#[derive(Debug, Clone, PartialEq)]
pub enum Piece {
    Item(Item),
    Manifest(Manifest),
}

/// Appends the byte form of a piece.
pub fn encode_piece(piece: &Piece, out: &mut Vec<u8>) -> StoreResult<()> {
    match piece {
        Piece::Item(item) => encode_item(item, out),
        Piece::Manifest(manifest) => encode_manifest(manifest, out),
    }
}

fn read_exact(input: &mut impl Read, n: usize) -> StoreResult<Vec<u8>> {
    let mut bytes = vec![0; n];
    input.read_exact(&mut bytes).map_err(|e| match e.kind() {
        std::io::ErrorKind::UnexpectedEof => corrupt("the copy ends in the middle of a record"),
        _ => corrupt(e.to_string()),
    })?;
    Ok(bytes)
}

fn read_u32(input: &mut impl Read, limit: usize) -> StoreResult<usize> {
    let bytes = read_exact(input, 4)?;
    let n = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize;
    if n > limit {
        return Err(corrupt("a record in the copy is larger than allowed"));
    }
    Ok(n)
}

fn read_i64(input: &mut impl Read) -> StoreResult<[u8; 8]> {
    let bytes = read_exact(input, 8)?;
    let mut out = [0; 8];
    out.copy_from_slice(&bytes);
    Ok(out)
}

fn decode_value(input: &mut impl Read) -> StoreResult<Value> {
    let tag = read_exact(input, 1)?[0];
    Ok(match tag {
        0 => Value::Null,
        1 => Value::Int(i64::from_be_bytes(read_i64(input)?)),
        2 => Value::Real(f64::from_bits(u64::from_be_bytes(read_i64(input)?))),
        3 => {
            let n = read_u32(input, MAX_FIELD)?;
            Value::Text(String::from_utf8(read_exact(input, n)?).map_err(|_| corrupt("text that is not UTF-8"))?)
        }
        4 => {
            let n = read_u32(input, MAX_FIELD)?;
            Value::Blob(read_exact(input, n)?)
        }
        _ => return Err(corrupt("an unknown value type in the copy")),
    })
}

fn decode_json<T: for<'de> Deserialize<'de>>(input: &mut impl Read) -> StoreResult<T> {
    let n = read_u32(input, MAX_FIELD)?;
    serde_json::from_slice(&read_exact(input, n)?).map_err(|e| corrupt(format!("a damaged record: {e}")))
}

/// Reads the next record; `None` at a clean end of input.
pub fn decode_piece(input: &mut impl Read) -> StoreResult<Option<Piece>> {
    let mut tag = [0u8; 1];
    match input.read(&mut tag) {
        Ok(0) => return Ok(None),
        Ok(_) => {}
        Err(e) => return Err(corrupt(format!("cannot read the copy: {e}"))),
    }
    Ok(Some(match tag[0] {
        b'P' => Piece::Item(Item::Preface(decode_json(input)?)),
        b'T' => Piece::Item(Item::Table(decode_json(input)?)),
        b'M' => Piece::Manifest(decode_json(input)?),
        b'R' => {
            let count = read_u32(input, 1 << 20)?;
            let mut rows = Vec::with_capacity(count.min(BATCH));
            for _ in 0..count {
                let columns = read_u32(input, MAX_COLUMNS)?;
                let mut row = Vec::with_capacity(columns);
                for _ in 0..columns {
                    row.push(decode_value(input)?);
                }
                rows.push(row);
            }
            Piece::Item(Item::Rows(rows))
        }
        _ => return Err(corrupt("an unknown record in the copy")),
    }))
}

// ---------------------------------------------------------------------------------------------------------------
// The schema, as each engine describes it

/// How a PostgreSQL column is read into and written from a [`Value`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Int,
    Bool,
    Real,
    Text,
    Date,
    TextArray,
    Json,
    Bytes,
    /// Anything SQLite holds: values keep their own type.
    Dynamic,
}

#[derive(Debug, Clone)]
struct Column {
    name: String,
    kind: Kind,
    identity: bool,
}

#[derive(Debug, Clone)]
struct Table {
    name: String,
    columns: Vec<Column>,
    key: Vec<String>,
    references: BTreeSet<String>,
}

impl Table {
    fn head(&self) -> TableHead {
        TableHead {
            name: self.name.clone(),
            columns: self.columns.iter().map(|c| c.name.clone()).collect(),
            key: self.key.clone(),
            json: self.columns.iter().map(|c| c.kind == Kind::Json).collect(),
        }
    }

    fn column(&self, name: &str) -> StoreResult<&Column> {
        self.columns.iter().find(|c| c.name == name).ok_or_else(|| {
            corrupt(format!("the table {} has no column {name} here; the two schemas differ", self.name))
        })
    }
}

/// Every table, with foreign-key parents before their children.
#[derive(Debug, Clone)]
struct Schema {
    versions: Vec<i64>,
    tables: Vec<Table>,
}

impl Schema {
    fn table(&self, name: &str) -> StoreResult<&Table> {
        self.tables
            .iter()
            .find(|t| t.name == name)
            .ok_or_else(|| corrupt(format!("the table {name} does not exist here; the two schemas differ")))
    }
}

fn ordered(mut tables: Vec<Table>, versions: Vec<i64>) -> StoreResult<Schema> {
    for t in &tables {
        if t.key.is_empty() {
            return Err(corrupt(format!("the table {} has no primary key, so it cannot be copied in order", t.name)));
        }
    }
    // Parents first; self-references are satisfied by key order.
    let mut done: BTreeSet<String> = BTreeSet::new();
    let mut order = Vec::with_capacity(tables.len());
    tables.sort_by(|a, b| a.name.cmp(&b.name));
    while !tables.is_empty() {
        let ready = tables
            .iter()
            .position(|t| t.references.iter().all(|r| r == &t.name || done.contains(r)))
            .ok_or_else(|| corrupt("the tables' foreign keys form a cycle"))?;
        let table = tables.remove(ready);
        done.insert(table.name.clone());
        order.push(table);
    }
    Ok(Schema { versions, tables: order })
}

async fn sqlite_schema(conn: &mut sqlx::SqliteConnection) -> StoreResult<Schema> {
    let versions: Vec<i64> = sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
        .fetch_all(&mut *conn)
        .await?;
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
         AND name <> ? ORDER BY name",
    )
    .bind(LEDGER)
    .fetch_all(&mut *conn)
    .await?;
    let mut tables = Vec::new();
    for name in names {
        let info = sqlx::query("SELECT name, pk FROM pragma_table_info(?) ORDER BY cid")
            .bind(&name)
            .fetch_all(&mut *conn)
            .await?;
        let mut columns = Vec::new();
        let mut key: Vec<(i64, String)> = Vec::new();
        for row in &info {
            let column: String = row.try_get("name")?;
            let pk: i64 = row.try_get("pk")?;
            if pk > 0 {
                key.push((pk, column.clone()));
            }
            columns.push(Column { name: column, kind: Kind::Dynamic, identity: false });
        }
        key.sort();
        let references: Vec<String> = sqlx::query_scalar("SELECT DISTINCT \"table\" FROM pragma_foreign_key_list(?)")
            .bind(&name)
            .fetch_all(&mut *conn)
            .await?;
        tables.push(Table {
            name,
            columns,
            key: key.into_iter().map(|(_, c)| c).collect(),
            references: references.into_iter().collect(),
        });
    }
    ordered(tables, versions)
}

fn pg_kind(table: &str, column: &str, data_type: &str, udt: &str) -> StoreResult<Kind> {
    Ok(match data_type {
        "smallint" | "integer" | "bigint" => Kind::Int,
        "boolean" => Kind::Bool,
        "real" | "double precision" => Kind::Real,
        "text" | "character varying" | "character" => Kind::Text,
        "date" => Kind::Date,
        "ARRAY" if udt == "_text" => Kind::TextArray,
        "jsonb" | "json" => Kind::Json,
        "bytea" => Kind::Bytes,
        other => {
            return Err(corrupt(format!("{table}.{column} has the type {other}, which the copier does not know")));
        }
    })
}

async fn postgres_schema(conn: &mut sqlx::PgConnection) -> StoreResult<Schema> {
    let versions: Vec<i64> = sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
        .fetch_all(&mut *conn)
        .await?;
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> $1
         ORDER BY table_name",
    )
    .bind(LEDGER)
    .fetch_all(&mut *conn)
    .await?;
    let mut tables = Vec::new();
    for name in names {
        let info = sqlx::query(
            "SELECT column_name::text AS name, data_type::text AS data_type, udt_name::text AS udt,
                    (is_identity = 'YES' OR coalesce(column_default, '') LIKE 'nextval(%') AS identity
             FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
        )
        .bind(&name)
        .fetch_all(&mut *conn)
        .await?;
        let mut columns = Vec::new();
        for row in &info {
            let column: String = row.try_get("name")?;
            let kind =
                pg_kind(&name, &column, &row.try_get::<String, _>("data_type")?, &row.try_get::<String, _>("udt")?)?;
            columns.push(Column { name: column, kind, identity: row.try_get("identity")? });
        }
        let key: Vec<String> = sqlx::query_scalar(
            "SELECT a.attname::text FROM pg_index i
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
             WHERE i.indrelid = $1::regclass AND i.indisprimary
             ORDER BY array_position(i.indkey::int2[], a.attnum)",
        )
        .bind(quote(&name))
        .fetch_all(&mut *conn)
        .await?;
        let references: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT p.relname::text FROM pg_constraint c JOIN pg_class p ON p.oid = c.confrelid
             WHERE c.contype = 'f' AND c.conrelid = $1::regclass",
        )
        .bind(quote(&name))
        .fetch_all(&mut *conn)
        .await?;
        tables.push(Table { name, columns, key, references: references.into_iter().collect() });
    }
    ordered(tables, versions)
}

// ---------------------------------------------------------------------------------------------------------------
// Reading rows

fn sqlite_select(table: &Table, columns: &[String]) -> String {
    let list: Vec<String> = columns.iter().map(|c| quote(c)).collect();
    let key: Vec<String> = table.key.iter().map(|c| quote(c)).collect();
    format!("SELECT {} FROM {} ORDER BY {}", list.join(", "), quote(&table.name), key.join(", "))
}

fn sqlite_value(row: &sqlx::sqlite::SqliteRow, i: usize) -> StoreResult<Value> {
    let raw = row.try_get_raw(i)?;
    if raw.is_null() {
        return Ok(Value::Null);
    }
    let storage = raw.type_info().name().to_owned();
    Ok(match storage.as_str() {
        "INTEGER" | "BOOLEAN" => Value::Int(row.try_get_unchecked(i)?),
        "REAL" => Value::Real(row.try_get_unchecked(i)?),
        "TEXT" => Value::Text(row.try_get_unchecked(i)?),
        "BLOB" => Value::Blob(row.try_get_unchecked(i)?),
        other => return Err(corrupt(format!("a stored value of the unknown type {other}"))),
    })
}

fn postgres_select(table: &Table, columns: &[String]) -> StoreResult<String> {
    let mut list = Vec::new();
    for name in columns {
        let c = quote(name);
        list.push(match table.column(name)?.kind {
            Kind::Int => format!("{c}::bigint"),
            Kind::Bool => format!("CASE WHEN {c} THEN 1::bigint WHEN NOT {c} THEN 0::bigint END"),
            Kind::Real => format!("{c}::float8"),
            Kind::Text | Kind::Json | Kind::Dynamic => format!("{c}::text"),
            Kind::Date => format!("to_char({c}, 'YYYY-MM-DD')"),
            Kind::TextArray => format!("array_to_string({c}, ',')"),
            Kind::Bytes => c,
        });
    }
    let mut key = Vec::new();
    for name in &table.key {
        // Text keys in byte order, as SQLite sorts them, whatever the database's locale.
        key.push(match table.column(name)?.kind {
            Kind::Text => format!("{} COLLATE \"C\"", quote(name)),
            _ => quote(name),
        });
    }
    Ok(format!("SELECT {} FROM {} ORDER BY {}", list.join(", "), quote(&table.name), key.join(", ")))
}

fn postgres_value(row: &sqlx::postgres::PgRow, i: usize, kind: Kind) -> StoreResult<Value> {
    Ok(match kind {
        Kind::Int | Kind::Bool => row.try_get::<Option<i64>, _>(i)?.map_or(Value::Null, Value::Int),
        Kind::Real => row.try_get::<Option<f64>, _>(i)?.map_or(Value::Null, Value::Real),
        Kind::Bytes => row.try_get::<Option<Vec<u8>>, _>(i)?.map_or(Value::Null, Value::Blob),
        _ => row.try_get::<Option<String>, _>(i)?.map_or(Value::Null, Value::Text),
    })
}

/// Streams one table's rows (in key order, the columns as named) in batches to `each`.
async fn read_table<F>(conn: Conn<'_>, table: &Table, columns: &[String], mut each: F) -> StoreResult<()>
where
    F: AsyncBatch,
{
    use futures_util::TryStreamExt;
    let mut batch = Vec::with_capacity(BATCH);
    match conn {
        Conn::Sqlite(c) => {
            let sql = sqlite_select(table, columns);
            let mut rows: BoxStream<'_, Result<sqlx::sqlite::SqliteRow, sqlx::Error>> = sqlx::query(&sql).fetch(c);
            while let Some(row) = rows.try_next().await? {
                batch.push((0..columns.len()).map(|i| sqlite_value(&row, i)).collect::<StoreResult<Vec<_>>>()?);
                if batch.len() == BATCH {
                    each.batch(std::mem::take(&mut batch)).await?;
                }
            }
        }
        Conn::Postgres(c) => {
            let kinds: Vec<Kind> =
                columns.iter().map(|n| table.column(n).map(|c| c.kind)).collect::<StoreResult<_>>()?;
            let sql = postgres_select(table, columns)?;
            let mut rows: BoxStream<'_, Result<sqlx::postgres::PgRow, sqlx::Error>> = sqlx::query(&sql).fetch(c);
            while let Some(row) = rows.try_next().await? {
                batch.push(
                    kinds
                        .iter()
                        .enumerate()
                        .map(|(i, k)| postgres_value(&row, i, *k))
                        .collect::<StoreResult<Vec<_>>>()?,
                );
                if batch.len() == BATCH {
                    each.batch(std::mem::take(&mut batch)).await?;
                }
            }
        }
    }
    if !batch.is_empty() {
        each.batch(batch).await?;
    }
    Ok(())
}

/// Where [`read_table`] puts rows.
trait AsyncBatch {
    async fn batch(&mut self, rows: Vec<Vec<Value>>) -> StoreResult<()>;
}

struct Hashing<'a>(&'a mut TableHasher);

impl AsyncBatch for Hashing<'_> {
    async fn batch(&mut self, rows: Vec<Vec<Value>>) -> StoreResult<()> {
        for row in &rows {
            self.0.add(row);
        }
        Ok(())
    }
}

struct Sending<'a> {
    hasher: &'a mut TableHasher,
    to: &'a mpsc::Sender<StoreResult<Piece>>,
}

impl AsyncBatch for Sending<'_> {
    async fn batch(&mut self, rows: Vec<Vec<Value>>) -> StoreResult<()> {
        for row in &rows {
            self.hasher.add(row);
        }
        send(self.to, Item::Rows(rows)).await
    }
}

enum Conn<'c> {
    Sqlite(&'c mut sqlx::SqliteConnection),
    Postgres(&'c mut sqlx::PgConnection),
}

impl Conn<'_> {
    fn reborrow(&mut self) -> Conn<'_> {
        match self {
            Conn::Sqlite(c) => Conn::Sqlite(c),
            Conn::Postgres(c) => Conn::Postgres(c),
        }
    }

    async fn schema(&mut self) -> StoreResult<Schema> {
        match self {
            Conn::Sqlite(c) => sqlite_schema(c).await,
            Conn::Postgres(c) => postgres_schema(c).await,
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Dump

/// Sends every table of `source` to `to`, all read in one transaction, and returns their counts and checksums.
/// Runs alongside writers: what they commit after the copy began is not in it.
pub async fn dump(source: Engine<'_>, to: &mpsc::Sender<StoreResult<Piece>>) -> StoreResult<Manifest> {
    match source {
        Engine::Sqlite(store) => {
            let mut tx = store.pool().begin().await?;
            // A deferred transaction's snapshot starts at its first read, which is the schema below.
            let manifest = dump_in(Conn::Sqlite(&mut tx), "sqlite", to).await?;
            tx.rollback().await?;
            Ok(manifest)
        }
        Engine::Postgres(store) => {
            let mut tx = store.pool().begin().await?;
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute(&mut *tx).await?;
            let manifest = dump_in(Conn::Postgres(&mut tx), "postgres", to).await?;
            tx.rollback().await?;
            Ok(manifest)
        }
    }
}

async fn dump_in(mut conn: Conn<'_>, engine: &str, to: &mpsc::Sender<StoreResult<Piece>>) -> StoreResult<Manifest> {
    let schema = conn.schema().await?;
    let preface = Preface {
        engine: engine.to_owned(),
        schema_versions: schema.versions.clone(),
        tables: schema.tables.iter().map(|t| t.name.clone()).collect(),
    };
    send(to, Item::Preface(preface)).await?;
    let mut manifest = Manifest::default();
    for table in &schema.tables {
        let head = table.head();
        send(to, Item::Table(head.clone())).await?;
        let mut hasher = TableHasher::new(head.json.clone());
        read_table(conn.reborrow(), table, &head.columns, Sending { hasher: &mut hasher, to }).await?;
        manifest.tables.push(hasher.finish(&table.name));
    }
    to.send(Ok(Piece::Manifest(manifest.clone()))).await.map_err(|_| corrupt("the copy's receiver stopped"))?;
    Ok(manifest)
}

async fn send(to: &mpsc::Sender<StoreResult<Piece>>, item: Item) -> StoreResult<()> {
    to.send(Ok(Piece::Item(item))).await.map_err(|_| corrupt("the copy's receiver stopped"))
}

/// Counts and checksums of every table, read in one transaction; `json` names (as `table.column`) further columns
/// to compare by meaning. For tests and for checking a copy against its original.
pub async fn checksums(source: Engine<'_>, json: &BTreeSet<String>) -> StoreResult<Manifest> {
    async fn run(mut conn: Conn<'_>, json: &BTreeSet<String>) -> StoreResult<Manifest> {
        let schema = conn.schema().await?;
        let mut manifest = Manifest::default();
        for table in &schema.tables {
            let head = table.head();
            let flags = head
                .columns
                .iter()
                .zip(&head.json)
                .map(|(c, j)| *j || json.contains(&format!("{}.{c}", table.name)))
                .collect();
            let mut hasher = TableHasher::new(flags);
            read_table(conn.reborrow(), table, &head.columns, Hashing(&mut hasher)).await?;
            manifest.tables.push(hasher.finish(&table.name));
        }
        Ok(manifest)
    }
    match source {
        Engine::Sqlite(store) => {
            let mut tx = store.pool().begin().await?;
            run(Conn::Sqlite(&mut tx), json).await
        }
        Engine::Postgres(store) => {
            let mut tx = store.pool().begin().await?;
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute(&mut *tx).await?;
            run(Conn::Postgres(&mut tx), json).await
        }
    }
}

/// The JSON columns of a database, as `table.column`: compare a copy with its original by meaning there.
pub async fn json_columns(source: Engine<'_>) -> StoreResult<BTreeSet<String>> {
    let schema = match source {
        Engine::Sqlite(store) => sqlite_schema(&mut *store.pool().acquire().await?).await?,
        Engine::Postgres(store) => postgres_schema(&mut *store.pool().acquire().await?).await?,
    };
    Ok(schema
        .tables
        .iter()
        .flat_map(|t| t.columns.iter().filter(|c| c.kind == Kind::Json).map(move |c| format!("{}.{}", t.name, c.name)))
        .collect())
}

// ---------------------------------------------------------------------------------------------------------------
// Load

/// What a load did: per table the rows written, with the count and checksum read back before committing.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub source_engine: String,
    pub manifest: Manifest,
}

/// Writes the pieces from `from` into `target`, which must hold no rows, in one transaction; before committing,
/// checks what arrived against the source's closing manifest and every table's count and checksum by reading it
/// back. Anything wrong (a different schema, a non-empty target, a damaged or short copy, an error sent down the
/// channel) rolls everything back.
pub async fn load(target: Engine<'_>, mut from: mpsc::Receiver<StoreResult<Piece>>) -> StoreResult<Loaded> {
    match target {
        Engine::Sqlite(store) => {
            let mut tx = store.pool().begin().await?;
            // Foreign keys are checked at commit, so the order of tables cannot trip them.
            sqlx::query("PRAGMA defer_foreign_keys = ON").execute(&mut *tx).await?;
            let loaded = load_in(Conn::Sqlite(&mut tx), &mut from).await?;
            tx.commit().await?;
            Ok(loaded)
        }
        Engine::Postgres(store) => {
            let mut tx = store.pool().begin().await?;
            let loaded = load_in(Conn::Postgres(&mut tx), &mut from).await?;
            tx.commit().await?;
            Ok(loaded)
        }
    }
}

/// The next item; `None` at the manifest, which goes to `manifest`. A channel closed early is a short copy.
async fn next(
    from: &mut mpsc::Receiver<StoreResult<Piece>>,
    manifest: &mut Option<Manifest>,
) -> StoreResult<Option<Item>> {
    match from.recv().await {
        None => Err(corrupt("the copy ends before its manifest")),
        Some(Err(e)) => Err(e),
        Some(Ok(Piece::Item(item))) => Ok(Some(item)),
        Some(Ok(Piece::Manifest(m))) => {
            *manifest = Some(m);
            Ok(None)
        }
    }
}

async fn load_in(mut conn: Conn<'_>, from: &mut mpsc::Receiver<StoreResult<Piece>>) -> StoreResult<Loaded> {
    let mut expected = None;
    let schema = conn.schema().await?;
    let Some(Item::Preface(preface)) = next(from, &mut expected).await? else {
        return Err(corrupt("the copy does not start with its preface"));
    };
    if preface.schema_versions != schema.versions {
        return Err(corrupt(format!(
            "the copy is of schema version {:?} and this database is at {:?}: use the Alliance version that made it",
            preface.schema_versions.last(),
            schema.versions.last()
        )));
    }
    let theirs: BTreeSet<&String> = preface.tables.iter().collect();
    let ours: BTreeSet<&String> = schema.tables.iter().map(|t| &t.name).collect();
    if theirs != ours {
        return Err(corrupt(format!(
            "the tables differ: only in the copy {:?}, only here {:?}",
            theirs.difference(&ours).collect::<Vec<_>>(),
            ours.difference(&theirs).collect::<Vec<_>>()
        )));
    }
    for table in &schema.tables {
        if has_rows(conn.reborrow(), &table.name).await? {
            return Err(corrupt(format!("the target is not empty (the table {} has rows)", table.name)));
        }
    }

    let mut incoming = Manifest::default();
    let mut written = Manifest::default();
    let mut pending = next(from, &mut expected).await?;
    while let Some(item) = pending {
        let Item::Table(head) = item else { return Err(corrupt("rows outside a table in the copy")) };
        let table = schema.table(&head.name)?;
        let ours: BTreeSet<&String> = table.columns.iter().map(|c| &c.name).collect();
        if head.columns.iter().collect::<BTreeSet<_>>() != ours || head.key != table.key {
            return Err(corrupt(format!("the columns or key of {} differ between the copy and here", head.name)));
        }
        if incoming.tables.iter().any(|t| t.name == head.name) {
            return Err(corrupt(format!("the table {} is twice in the copy", head.name)));
        }
        let kinds: Vec<Kind> =
            head.columns.iter().map(|n| table.column(n).map(|c| c.kind)).collect::<StoreResult<_>>()?;
        let json: Vec<bool> = head.json.iter().zip(&kinds).map(|(j, k)| *j || *k == Kind::Json).collect();
        let mut source_hash = TableHasher::new(head.json.clone());
        let mut rows_hash = TableHasher::new(json.clone());
        pending = None;
        while let Some(item) = next(from, &mut expected).await? {
            match item {
                Item::Rows(rows) => {
                    for row in &rows {
                        if row.len() != head.columns.len() {
                            return Err(corrupt(format!("a row of {} has the wrong number of values", head.name)));
                        }
                        source_hash.add(row);
                        rows_hash.add(row);
                    }
                    insert(conn.reborrow(), table, &head.columns, &kinds, &rows).await?;
                }
                other => {
                    pending = Some(other);
                    break;
                }
            }
        }
        if let Conn::Postgres(c) = conn.reborrow() {
            reset_sequences(c, table).await?;
        }
        let mut back = TableHasher::new(json);
        read_table(conn.reborrow(), table, &head.columns, Hashing(&mut back)).await?;
        let (sent, back) = (rows_hash.finish(&head.name), back.finish(&head.name));
        if sent != back {
            return Err(corrupt(format!(
                "{}: {} rows sent, {} read back, or their checksums differ",
                head.name, sent.rows, back.rows
            )));
        }
        incoming.tables.push(source_hash.finish(&head.name));
        written.tables.push(back);
    }
    if incoming.tables.len() != preface.tables.len() {
        return Err(corrupt("the copy ends before its last table"));
    }
    let expected = expected.ok_or_else(|| corrupt("the copy has no manifest"))?;
    check_manifest(&expected, &incoming)?;
    if from.recv().await.is_some() {
        return Err(corrupt("more after the copy's manifest"));
    }
    Ok(Loaded { source_engine: preface.engine, manifest: written })
}

/// Checks that `got` has the same tables, counts and checksums as `expected`, naming the first difference.
pub fn check_manifest(expected: &Manifest, got: &Manifest) -> StoreResult<()> {
    let want: BTreeMap<&str, &TableSummary> = expected.tables.iter().map(|t| (t.name.as_str(), t)).collect();
    let have: BTreeMap<&str, &TableSummary> = got.tables.iter().map(|t| (t.name.as_str(), t)).collect();
    for (name, w) in &want {
        match have.get(name) {
            None => return Err(corrupt(format!("the table {name} is missing"))),
            Some(h) if h.rows != w.rows => {
                return Err(corrupt(format!("{name}: {} rows expected, {} found", w.rows, h.rows)));
            }
            Some(h) if h.sha256 != w.sha256 => return Err(corrupt(format!("{name}: the checksum differs"))),
            Some(_) => {}
        }
    }
    if let Some(extra) = have.keys().find(|k| !want.contains_key(*k)) {
        return Err(corrupt(format!("the table {extra} is not in the manifest")));
    }
    Ok(())
}

async fn has_rows(conn: Conn<'_>, table: &str) -> StoreResult<bool> {
    let sql = format!("SELECT EXISTS (SELECT 1 FROM {})", quote(table));
    Ok(match conn {
        Conn::Sqlite(c) => sqlx::query_scalar::<_, i64>(&sql).fetch_one(c).await? != 0,
        Conn::Postgres(c) => sqlx::query_scalar::<_, bool>(&sql).fetch_one(c).await?,
    })
}

/// Whether every table (but the migration ledger) is empty.
pub async fn is_empty(target: Engine<'_>) -> StoreResult<bool> {
    match target {
        Engine::Sqlite(store) => {
            let mut conn = store.pool().acquire().await?;
            for t in sqlite_schema(&mut conn).await?.tables {
                if has_rows(Conn::Sqlite(&mut conn), &t.name).await? {
                    return Ok(false);
                }
            }
        }
        Engine::Postgres(store) => {
            let mut conn = store.pool().acquire().await?;
            for t in postgres_schema(&mut conn).await?.tables {
                if has_rows(Conn::Postgres(&mut conn), &t.name).await? {
                    return Ok(false);
                }
            }
        }
    }
    Ok(true)
}

fn mismatch(table: &Table, column: &str) -> StoreError {
    corrupt(format!("{}.{column}: a value of the wrong type for this column", table.name))
}

async fn insert(
    conn: Conn<'_>,
    table: &Table,
    columns: &[String],
    kinds: &[Kind],
    rows: &[Vec<Value>],
) -> StoreResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = columns.iter().map(|c| quote(c)).collect();
    match conn {
        Conn::Sqlite(c) => {
            let one = format!("({})", vec!["?"; columns.len()].join(", "));
            let sql = format!(
                "INSERT INTO {} ({}) VALUES {}",
                quote(&table.name),
                names.join(", "),
                vec![one; rows.len()].join(", ")
            );
            let mut query = sqlx::query(&sql);
            for row in rows {
                for value in row {
                    query = match value {
                        Value::Null => query.bind(None::<i64>),
                        Value::Int(i) => query.bind(*i),
                        Value::Real(r) => query.bind(*r),
                        Value::Text(t) => query.bind(t.clone()),
                        Value::Blob(b) => query.bind(b.clone()),
                    };
                }
            }
            query.execute(c).await?;
        }
        Conn::Postgres(c) => {
            let overriding = if table.columns.iter().any(|c| c.identity) { " OVERRIDING SYSTEM VALUE" } else { "" };
            let mut tuples = Vec::with_capacity(rows.len());
            let mut n = 0;
            for _ in rows {
                let mut exprs = Vec::with_capacity(columns.len());
                for kind in kinds {
                    n += 1;
                    exprs.push(match kind {
                        Kind::Int => format!("${n}"),
                        Kind::Bool => format!("(${n}::int8 <> 0)"),
                        Kind::Real => format!("${n}::float8"),
                        Kind::Text | Kind::Dynamic => format!("${n}::text"),
                        Kind::Date => format!("CAST(${n}::text AS date)"),
                        Kind::TextArray => format!("string_to_array(${n}::text, ',')"),
                        Kind::Json => format!("CAST(${n}::text AS jsonb)"),
                        Kind::Bytes => format!("${n}::bytea"),
                    });
                }
                tuples.push(format!("({})", exprs.join(", ")));
            }
            let sql = format!(
                "INSERT INTO {} ({}){overriding} VALUES {}",
                quote(&table.name),
                names.join(", "),
                tuples.join(", ")
            );
            let mut query = sqlx::query(&sql);
            for row in rows {
                for ((value, kind), name) in row.iter().zip(kinds).zip(columns) {
                    query = match (kind, value) {
                        (Kind::Int | Kind::Bool, Value::Int(i)) => query.bind(Some(*i)),
                        (Kind::Int | Kind::Bool, Value::Null) => query.bind(None::<i64>),
                        (Kind::Real, Value::Real(r)) => query.bind(Some(*r)),
                        #[allow(clippy::cast_precision_loss)]
                        (Kind::Real, Value::Int(i)) => query.bind(Some(*i as f64)),
                        (Kind::Real, Value::Null) => query.bind(None::<f64>),
                        (Kind::Bytes, Value::Blob(b)) => query.bind(Some(b.clone())),
                        (Kind::Bytes, Value::Null) => query.bind(None::<Vec<u8>>),
                        (Kind::Bytes | Kind::Int | Kind::Bool | Kind::Real, _) => return Err(mismatch(table, name)),
                        (_, Value::Text(t)) => query.bind(Some(t.clone())),
                        (_, Value::Null) => query.bind(None::<String>),
                        _ => return Err(mismatch(table, name)),
                    };
                }
            }
            query.execute(c).await?;
        }
    }
    Ok(())
}

/// Generated keys continue after the highest copied one.
async fn reset_sequences(conn: &mut sqlx::PgConnection, table: &Table) -> StoreResult<()> {
    for column in table.columns.iter().filter(|c| c.identity) {
        let sql = format!(
            "SELECT setval(pg_get_serial_sequence($1, $2), coalesce((SELECT max({c}) FROM {t}), 0) + 1, false)",
            c = quote(&column.name),
            t = quote(&table.name)
        );
        sqlx::query(&sql).bind(quote(&table.name)).bind(&column.name).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Sends the pieces of a byte stream (as written by [`encode_piece`]) to a channel for [`load`]; a damaged
/// stream sends its error, so the load rolls back. Runs on a blocking thread.
pub fn feed(mut input: impl Read, to: &mpsc::Sender<StoreResult<Piece>>) -> StoreResult<()> {
    loop {
        match decode_piece(&mut input) {
            Ok(Some(piece)) => {
                if to.blocking_send(Ok(piece)).is_err() {
                    return Ok(());
                }
            }
            Ok(None) => return Ok(()),
            Err(e) => {
                let _ = to.blocking_send(Err(corrupt(e.to_string())));
                return Err(e);
            }
        }
    }
}

/// The name of an engine, for messages.
pub fn engine_name(engine: Engine<'_>) -> &'static str {
    engine.name()
}

/// Reads a whole copy (as written by [`encode_piece`]) and checks every table's rows against its closing
/// manifest, without writing anything; returns the preface and the manifest.
pub fn verify_copy(mut input: impl Read) -> StoreResult<(Preface, Manifest)> {
    let Some(Piece::Item(Item::Preface(preface))) = decode_piece(&mut input)? else {
        return Err(corrupt("the copy does not start with its preface"));
    };
    let mut got = Manifest::default();
    let mut current: Option<(String, TableHasher)> = None;
    loop {
        match decode_piece(&mut input)? {
            Some(Piece::Item(Item::Table(head))) => {
                if let Some((name, hasher)) = current.take() {
                    got.tables.push(hasher.finish(&name));
                }
                current = Some((head.name.clone(), TableHasher::new(head.json.clone())));
            }
            Some(Piece::Item(Item::Rows(rows))) => {
                let (_, hasher) = current.as_mut().ok_or_else(|| corrupt("rows outside a table in the copy"))?;
                for row in &rows {
                    hasher.add(row);
                }
            }
            Some(Piece::Item(Item::Preface(_))) => return Err(corrupt("a second preface in the copy")),
            Some(Piece::Manifest(manifest)) => {
                if let Some((name, hasher)) = current.take() {
                    got.tables.push(hasher.finish(&name));
                }
                if decode_piece(&mut input)?.is_some() {
                    return Err(corrupt("more after the copy's manifest"));
                }
                let listed: Vec<&String> = manifest.tables.iter().map(|t| &t.name).collect();
                if listed != preface.tables.iter().collect::<Vec<_>>() {
                    return Err(corrupt("the manifest and the preface list different tables"));
                }
                check_manifest(&manifest, &got)?;
                return Ok((preface, manifest));
            }
            None => return Err(corrupt("the copy ends before its manifest")),
        }
    }
}
