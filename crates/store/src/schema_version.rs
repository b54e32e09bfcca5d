//! How far opening a database brings its schema.
//!
//! A server brings it up to date. A backup reads it as it is: an `alliance backup` of a newer release, run beside
//! an older server, must not upgrade the database under that server, whose migrator would then refuse to start
//! on a version it does not know. And a backup made before an upgrade is restored by loading it into a new
//! database at the backup's own version and upgrading that afterwards, by the same migrations a live database
//! goes through.

use std::collections::BTreeSet;

use sqlx::migrate::{Migrate, Migrator};

use crate::{StoreError, StoreResult};

/// What opening does to the schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Migrations {
    /// Every migration this release has; then the steps that follow them in code (chaining old audit entries).
    Latest,
    /// The migrations up to and including this version, and nothing else: a database to load a copy of that
    /// version into.
    UpTo(i64),
    /// None: the database stays at the version it is at.
    AsIs,
}

/// The schema versions this release knows, in order (the same numbers on both engines).
pub(crate) fn known(migrator: &Migrator) -> Vec<i64> {
    migrator.iter().filter(|m| !m.migration_type.is_down_migration()).map(|m| m.version).collect()
}

fn refused(message: String) -> StoreError {
    StoreError::Schema(message)
}

/// Applies the migrations up to `last` that are not applied yet, refusing a database already past `last`.
pub(crate) async fn migrate_up_to<C: Migrate + Send>(conn: &mut C, migrator: &Migrator, last: i64) -> StoreResult<()> {
    let known = known(migrator);
    if !known.contains(&last) {
        return Err(refused(format!("schema version {last} is not one this release knows (it knows {known:?})")));
    }
    conn.ensure_migrations_table().await.map_err(migrate_error)?;
    if let Some(dirty) = conn.dirty_version().await.map_err(migrate_error)? {
        return Err(refused(format!("migration {dirty} was interrupted part-way; restore into a new database")));
    }
    let applied: BTreeSet<i64> =
        conn.list_applied_migrations().await.map_err(migrate_error)?.iter().map(|m| m.version).collect();
    if let Some(newer) = applied.iter().find(|v| **v > last) {
        return Err(refused(format!(
            "the database is already at schema version {newer}, past {last}; use a new, empty database"
        )));
    }
    for migration in migrator.iter().filter(|m| !m.migration_type.is_down_migration()) {
        if migration.version <= last && !applied.contains(&migration.version) {
            conn.apply(migration).await.map_err(migrate_error)?;
        }
    }
    Ok(())
}

/// The versions a database is at, refusing one that has no Alliance schema at all (so that reading "as it is"
/// never mistakes a wrong path or an empty database for a practice).
pub(crate) async fn applied<C: Migrate + Send>(conn: &mut C) -> StoreResult<Vec<i64>> {
    let none = || refused("no Alliance schema in this database".into());
    match conn.list_applied_migrations().await {
        Ok(applied) if applied.is_empty() => Err(none()),
        Ok(applied) => Ok(applied.iter().map(|m| m.version).collect()),
        // The ledger table is missing: a database no Alliance release has set up.
        Err(sqlx::migrate::MigrateError::Execute(sqlx::Error::Database(_))) => Err(none()),
        Err(e) => Err(migrate_error(e)),
    }
}

fn migrate_error(e: sqlx::migrate::MigrateError) -> StoreError {
    match e {
        sqlx::migrate::MigrateError::Execute(e) => e.into(),
        other => StoreError::Backend(Box::new(other)),
    }
}

/// What a failed upgrade at start says: a database a newer release has upgraded is named as such, with what to
/// do (sqlx says only that a migration "was previously applied but is missing").
pub(crate) fn newer_schema(
    e: sqlx::migrate::MigrateError,
    migrator: &Migrator,
) -> Result<StoreError, sqlx::migrate::MigrateError> {
    match e {
        sqlx::migrate::MigrateError::VersionMissing(version) => {
            let newest = known(migrator).last().copied().unwrap_or(0);
            Ok(refused(format!(
                "the database is at schema version {version}, newer than this release knows (up to {newest}): a newer \
                 Alliance release upgraded it. Run that release, or restore the backup taken before the upgrade"
            )))
        }
        other => Err(other),
    }
}
