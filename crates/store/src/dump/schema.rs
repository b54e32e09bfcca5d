//! The schema as each engine describes it (tables, columns, keys, foreign keys), and reading a table's rows
//! as engine-neutral values in key order.

use std::collections::BTreeSet;

use futures_core::stream::BoxStream;
use sqlx::{Row, TypeInfo, ValueRef};
use tokio::sync::mpsc;

use super::*;

/// How a PostgreSQL column is read into and written from a [`Value`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
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
pub(super) struct Column {
    pub(super) name: String,
    pub(super) kind: Kind,
    pub(super) identity: bool,
}

#[derive(Debug, Clone)]
pub(super) struct Table {
    pub(super) name: String,
    pub(super) columns: Vec<Column>,
    pub(super) key: Vec<String>,
    pub(super) references: BTreeSet<String>,
}

impl Table {
    pub(super) fn head(&self) -> TableHead {
        TableHead {
            name: self.name.clone(),
            columns: self.columns.iter().map(|c| c.name.clone()).collect(),
            key: self.key.clone(),
            json: self.columns.iter().map(|c| c.kind == Kind::Json).collect(),
        }
    }

    pub(super) fn column(&self, name: &str) -> StoreResult<&Column> {
        self.columns.iter().find(|c| c.name == name).ok_or_else(|| {
            corrupt(format!("the table {} has no column {name} here; the two schemas differ", self.name))
        })
    }
}

/// Every table, with foreign-key parents before their children.
#[derive(Debug, Clone)]
pub(super) struct Schema {
    pub(super) versions: Vec<i64>,
    pub(super) tables: Vec<Table>,
}

impl Schema {
    pub(super) fn table(&self, name: &str) -> StoreResult<&Table> {
        self.tables
            .iter()
            .find(|t| t.name == name)
            .ok_or_else(|| corrupt(format!("the table {name} does not exist here; the two schemas differ")))
    }
}

pub(super) fn ordered(mut tables: Vec<Table>, versions: Vec<i64>) -> StoreResult<Schema> {
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

pub(super) async fn sqlite_schema(conn: &mut sqlx::SqliteConnection) -> StoreResult<Schema> {
    let versions: Vec<i64> = sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
        .fetch_all(&mut *conn)
        .await?;
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
         AND name <> ? AND name <> ? ORDER BY name",
    )
    .bind(LEDGER)
    .bind(DERIVED)
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

pub(super) fn pg_kind(table: &str, column: &str, data_type: &str, udt: &str) -> StoreResult<Kind> {
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

pub(super) async fn postgres_schema(conn: &mut sqlx::PgConnection) -> StoreResult<Schema> {
    let versions: Vec<i64> = sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
        .fetch_all(&mut *conn)
        .await?;
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> $1
         AND table_name <> $2 ORDER BY table_name",
    )
    .bind(LEDGER)
    .bind(DERIVED)
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

pub(super) fn sqlite_select(table: &Table, columns: &[String]) -> String {
    let list: Vec<String> = columns.iter().map(|c| quote(c)).collect();
    let key: Vec<String> = table.key.iter().map(|c| quote(c)).collect();
    format!("SELECT {} FROM {} ORDER BY {}", list.join(", "), quote(&table.name), key.join(", "))
}

pub(super) fn sqlite_value(row: &sqlx::sqlite::SqliteRow, i: usize) -> StoreResult<Value> {
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

pub(super) fn postgres_select(table: &Table, columns: &[String]) -> StoreResult<String> {
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

pub(super) fn postgres_value(row: &sqlx::postgres::PgRow, i: usize, kind: Kind) -> StoreResult<Value> {
    Ok(match kind {
        Kind::Int | Kind::Bool => row.try_get::<Option<i64>, _>(i)?.map_or(Value::Null, Value::Int),
        Kind::Real => row.try_get::<Option<f64>, _>(i)?.map_or(Value::Null, Value::Real),
        Kind::Bytes => row.try_get::<Option<Vec<u8>>, _>(i)?.map_or(Value::Null, Value::Blob),
        _ => row.try_get::<Option<String>, _>(i)?.map_or(Value::Null, Value::Text),
    })
}

/// Streams one table's rows (in key order, the columns as named) in batches to `each`.
pub(super) async fn read_table<F>(conn: Conn<'_>, table: &Table, columns: &[String], mut each: F) -> StoreResult<()>
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
pub(super) trait AsyncBatch {
    async fn batch(&mut self, rows: Vec<Vec<Value>>) -> StoreResult<()>;
}

pub(super) struct Hashing<'a>(pub(super) &'a mut TableHasher);

impl AsyncBatch for Hashing<'_> {
    async fn batch(&mut self, rows: Vec<Vec<Value>>) -> StoreResult<()> {
        for row in &rows {
            self.0.add(row);
        }
        Ok(())
    }
}

pub(super) struct Sending<'a> {
    pub(super) hasher: &'a mut TableHasher,
    pub(super) to: &'a mpsc::Sender<StoreResult<Piece>>,
}

impl AsyncBatch for Sending<'_> {
    async fn batch(&mut self, rows: Vec<Vec<Value>>) -> StoreResult<()> {
        for row in &rows {
            self.hasher.add(row);
        }
        send(self.to, Item::Rows(rows)).await
    }
}

pub(super) enum Conn<'c> {
    Sqlite(&'c mut sqlx::SqliteConnection),
    Postgres(&'c mut sqlx::PgConnection),
}

impl Conn<'_> {
    pub(super) fn reborrow(&mut self) -> Conn<'_> {
        match self {
            Conn::Sqlite(c) => Conn::Sqlite(c),
            Conn::Postgres(c) => Conn::Postgres(c),
        }
    }

    pub(super) async fn schema(&mut self) -> StoreResult<Schema> {
        match self {
            Conn::Sqlite(c) => sqlite_schema(c).await,
            Conn::Postgres(c) => postgres_schema(c).await,
        }
    }
}
