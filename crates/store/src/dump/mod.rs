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
//!
//! `codec` is the copy's byte form, [`file`] seals it into an encrypted backup file, and `backup` joins them into
//! the whole operations: a backup, a restore (also across a schema upgrade), a move between databases.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;

mod backup;
mod codec;
pub mod file;
mod schema;

pub use backup::*;
pub use codec::*;
use schema::*;

use crate::open::Database;
use crate::{Keyring, StoreError, StoreResult, cipher};

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
    /// The field-key versions the copy's sealed values use, read in the copy's own transaction. `None` in copies
    /// made by releases that did not record them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_versions: Option<Vec<u32>>,
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
/// Derived data the database keeps itself by triggers (migration 0007): not copied; the target's own triggers
/// rebuild it as the copy is loaded.
const DERIVED: &str = "client_revisions";

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
// Dump

/// Sends every table of `source` to `to`, all read in one transaction, and returns their counts and checksums.
/// Runs alongside writers: what they commit after the copy began is not in it.
pub async fn dump(source: &Database, to: &mpsc::Sender<StoreResult<Piece>>) -> StoreResult<Manifest> {
    match source {
        Database::Sqlite(store) => {
            let mut tx = store.pool().begin().await?;
            // A deferred transaction's snapshot starts at its first read, which is the schema below.
            let manifest = dump_in(Conn::Sqlite(&mut tx), "sqlite", to).await?;
            tx.rollback().await?;
            Ok(manifest)
        }
        Database::Postgres(store) => {
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
    let key_versions = sealed_versions(conn.reborrow(), &schema).await?;
    let preface = Preface {
        engine: engine.to_owned(),
        schema_versions: schema.versions.clone(),
        tables: schema.tables.iter().map(|t| t.name.clone()).collect(),
        key_versions: Some(key_versions),
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

/// The field-key versions that the sealed values of `schema`'s encrypted columns use (one pass over each such
/// column; a table or column the schema lacks, being older, is skipped).
async fn sealed_versions(mut conn: Conn<'_>, schema: &Schema) -> StoreResult<Vec<u32>> {
    let mut versions = BTreeSet::new();
    for (field, _) in cipher::ENCRYPTED {
        let Ok(table) = schema.table(field.table) else { continue };
        if table.column(field.column).is_err() {
            continue;
        }
        let (t, c) = (quote(field.table), quote(field.column));
        let prefixes: Vec<String> = match conn.reborrow() {
            Conn::Sqlite(x) => {
                let sql = format!("SELECT DISTINCT substr({c}, 1, instr({c}, ':')) FROM {t} WHERE {c} LIKE 'v%:%'");
                sqlx::query_scalar(&sql).fetch_all(x).await?
            }
            Conn::Postgres(x) => {
                let sql = format!(
                    "SELECT DISTINCT substr({c}::text, 1, strpos({c}::text, ':')) FROM {t} WHERE {c}::text LIKE 'v%:%'"
                );
                sqlx::query_scalar(&sql).fetch_all(x).await?
            }
        };
        versions.extend(prefixes.iter().filter_map(|p| cipher::version_of(p)));
    }
    Ok(versions.into_iter().collect())
}

async fn send(to: &mpsc::Sender<StoreResult<Piece>>, item: Item) -> StoreResult<()> {
    to.send(Ok(Piece::Item(item))).await.map_err(|_| corrupt("the copy's receiver stopped"))
}

/// Counts and checksums of every table, read in one transaction; `json` names (as `table.column`) further columns
/// to compare by meaning. For tests and for checking a copy against its original.
pub async fn checksums(source: &Database, json: &BTreeSet<String>) -> StoreResult<Manifest> {
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
        Database::Sqlite(store) => {
            let mut tx = store.pool().begin().await?;
            run(Conn::Sqlite(&mut tx), json).await
        }
        Database::Postgres(store) => {
            let mut tx = store.pool().begin().await?;
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute(&mut *tx).await?;
            run(Conn::Postgres(&mut tx), json).await
        }
    }
}

/// The JSON columns of a database, as `table.column`: compare a copy with its original by meaning there.
pub async fn json_columns(source: &Database) -> StoreResult<BTreeSet<String>> {
    let schema = match source {
        Database::Sqlite(store) => sqlite_schema(&mut *store.pool().acquire().await?).await?,
        Database::Postgres(store) => postgres_schema(&mut *store.pool().acquire().await?).await?,
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
    /// The sealed values loaded, every one of which opens with the target's keys.
    pub sealed: Sealed,
}

/// The sealed (field-encrypted) values of a copy, each opened with the keys at hand before it is committed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sealed {
    /// How many values were opened.
    pub values: u64,
    /// The field-key versions they were sealed with.
    pub versions: Vec<u32>,
}

/// Opens every sealed value as it is loaded; what it finds decides whether the load may commit.
struct SealedCheck<'k> {
    keys: &'k Keyring,
    values: u64,
    versions: BTreeSet<u32>,
    /// Versions the keys lack, with how many values use each.
    missing: BTreeMap<u32, u64>,
    /// Values under a version the keys have that still do not open, and the first of them.
    refused: u64,
    first_refused: Option<String>,
}

impl<'k> SealedCheck<'k> {
    fn new(keys: &'k Keyring) -> Self {
        Self { keys, values: 0, versions: BTreeSet::new(), missing: BTreeMap::new(), refused: 0, first_refused: None }
    }

    /// The encrypted columns of `head`, as (field, value column, row id column).
    fn columns(head: &TableHead) -> Vec<(cipher::Field, usize, usize)> {
        let at = |name: &str| head.columns.iter().position(|c| c == name);
        cipher::ENCRYPTED
            .iter()
            .filter(|(field, _)| field.table == head.name)
            .filter_map(|(field, id)| Some((*field, at(field.column)?, at(id)?)))
            .collect()
    }

    fn row(&mut self, columns: &[(cipher::Field, usize, usize)], row: &[Value]) {
        for (field, value, id) in columns {
            let (Some(Value::Text(stored)), Some(Value::Int(id))) = (row.get(*value), row.get(*id)) else { continue };
            // Values an older release kept in clear are sealed when the database is first opened.
            let Some(version) = cipher::version_of(stored) else { continue };
            self.values += 1;
            self.versions.insert(version);
            match self.keys.open(*field, *id, stored) {
                Ok(_) => {}
                Err(crate::KeyError::UnknownVersion(v)) => *self.missing.entry(v).or_default() += 1,
                Err(_) => {
                    self.refused += 1;
                    if self.first_refused.is_none() {
                        self.first_refused = Some(format!("{}.{} of row {id}", field.table, field.column));
                    }
                }
            }
        }
    }

    /// The verdict: every value opens, or why not, naming the missing versions and what to do.
    fn finish(self) -> StoreResult<Sealed> {
        if !self.missing.is_empty() {
            let names: Vec<String> = self.missing.keys().map(|v| format!("v{v}")).collect();
            let count: u64 = self.missing.values().sum();
            let have: Vec<String> = self.keys.versions().iter().map(|v| format!("v{v}")).collect();
            return Err(StoreError::Key(format!(
                "{count} encrypted values are sealed with key version {}, which the key file given lacks (it has {}): \
                 find the key file that still has {} (a copy kept from before that version was retired) and use it",
                names.join(", "),
                have.join(", "),
                names.join(", ")
            )));
        }
        if let Some(first) = self.first_refused {
            return Err(StoreError::Key(format!(
                "{} encrypted values do not open with the key file given (the first: {first}): it is not this \
                 practice's key file",
                self.refused
            )));
        }
        Ok(Sealed { values: self.values, versions: self.versions.into_iter().collect() })
    }
}

/// Writes the pieces from `from` into `target`, which must hold no rows, in one transaction; before committing,
/// checks what arrived against the source's closing manifest and every table's count and checksum by reading it
/// back, and that every sealed value opens with the target's keys. Anything wrong (a different schema, a non-empty
/// target, a damaged or short copy, a value the keys cannot open, an error sent down the channel) rolls
/// everything back.
pub async fn load(target: &Database, mut from: mpsc::Receiver<StoreResult<Piece>>) -> StoreResult<Loaded> {
    let keys = target.keys();
    match target {
        Database::Sqlite(store) => {
            let mut tx = store.writer().begin().await?;
            // Foreign keys are checked at commit, so the order of tables cannot trip them.
            sqlx::query("PRAGMA defer_foreign_keys = ON").execute(&mut *tx).await?;
            let loaded = load_in(Conn::Sqlite(&mut tx), &mut from, keys).await?;
            tx.commit().await?;
            Ok(loaded)
        }
        Database::Postgres(store) => {
            let mut tx = store.pool().begin().await?;
            let loaded = load_in(Conn::Postgres(&mut tx), &mut from, keys).await?;
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

async fn load_in(
    mut conn: Conn<'_>,
    from: &mut mpsc::Receiver<StoreResult<Piece>>,
    keys: &Keyring,
) -> StoreResult<Loaded> {
    let mut expected = None;
    let mut sealed = SealedCheck::new(keys);
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
    for table in schema.tables.iter().filter(|t| !SEEDED.contains(&t.name.as_str())) {
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
        let encrypted = SealedCheck::columns(&head);
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
                        sealed.row(&encrypted, row);
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
    let sealed = sealed.finish()?;
    Ok(Loaded { source_engine: preface.engine, manifest: written, sealed })
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

/// Tables the migrations themselves fill with one row (the audit chain's head, at its start). A copy's row
/// replaces it, and an otherwise empty target still counts as empty.
const SEEDED: &[&str] = &["audit_head"];

/// For a seeded table, the clause that turns the insert into a replacement of the seeded row.
fn replace_seeded(table: &Table, columns: &[String], excluded: &str) -> String {
    if !SEEDED.contains(&table.name.as_str()) {
        return String::new();
    }
    let set: Vec<String> = columns
        .iter()
        .filter(|c| !table.key.contains(c))
        .map(|c| format!("{} = {excluded}.{}", quote(c), quote(c)))
        .collect();
    let key: Vec<String> = table.key.iter().map(|c| quote(c)).collect();
    format!(" ON CONFLICT ({}) DO UPDATE SET {}", key.join(", "), set.join(", "))
}

async fn has_rows(conn: Conn<'_>, table: &str) -> StoreResult<bool> {
    let sql = format!("SELECT EXISTS (SELECT 1 FROM {})", quote(table));
    Ok(match conn {
        Conn::Sqlite(c) => sqlx::query_scalar::<_, i64>(&sql).fetch_one(c).await? != 0,
        Conn::Postgres(c) => sqlx::query_scalar::<_, bool>(&sql).fetch_one(c).await?,
    })
}

/// Whether every table (but the migration ledger) is empty.
pub async fn is_empty(target: &Database) -> StoreResult<bool> {
    match target {
        Database::Sqlite(store) => {
            let mut conn = store.pool().acquire().await?;
            for t in sqlite_schema(&mut conn).await?.tables.iter().filter(|t| !SEEDED.contains(&t.name.as_str())) {
                if has_rows(Conn::Sqlite(&mut conn), &t.name).await? {
                    return Ok(false);
                }
            }
        }
        Database::Postgres(store) => {
            let mut conn = store.pool().acquire().await?;
            for t in postgres_schema(&mut conn).await?.tables.iter().filter(|t| !SEEDED.contains(&t.name.as_str())) {
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
                "INSERT INTO {} ({}) VALUES {}{}",
                quote(&table.name),
                names.join(", "),
                vec![one; rows.len()].join(", "),
                replace_seeded(table, columns, "excluded")
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
                "INSERT INTO {} ({}){overriding} VALUES {}{}",
                quote(&table.name),
                names.join(", "),
                tuples.join(", "),
                replace_seeded(table, columns, "EXCLUDED")
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
