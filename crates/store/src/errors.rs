//! Sorting database errors into what the caller can do about them: a conflict to report, a missing record, an
//! outage to wait out, or a fault to log.

use crate::StoreError;

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict("already exists"),
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => StoreError::NotFound,
            sqlx::Error::Database(db) if transient(db.as_ref()) => {
                StoreError::Unavailable(Box::new(sqlx::Error::Database(db)))
            }
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::WorkerCrashed => StoreError::Unavailable(Box::new(e)),
            other => StoreError::Backend(Box::new(other)),
        }
    }
}

/// The same sorting for the group-commit thread's direct calls (see `group_commit`).
impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        let rusqlite::Error::SqliteFailure(failure, _) = &e else { return StoreError::Backend(Box::new(e)) };
        match failure.code {
            ErrorCode::DatabaseBusy
            | ErrorCode::DatabaseLocked
            | ErrorCode::OutOfMemory
            | ErrorCode::SystemIoFailure
            | ErrorCode::DiskFull
            | ErrorCode::CannotOpen => StoreError::Unavailable(Box::new(e)),
            ErrorCode::ConstraintViolation
                if matches!(
                    failure.extended_code,
                    rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
                ) =>
            {
                StoreError::Conflict("already exists")
            }
            ErrorCode::ConstraintViolation if failure.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY => {
                StoreError::NotFound
            }
            _ => StoreError::Backend(Box::new(e)),
        }
    }
}

/// Database errors that mean "not now" rather than "never": the transaction was rolled back and nothing was
/// written.
fn transient(db: &dyn sqlx::error::DatabaseError) -> bool {
    let Some(code) = db.code() else { return false };
    if db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>().is_some() {
        return transient_sqlstate(&code);
    }
    // SQLite reports its (extended) result code as a number; the low byte is the primary code.
    if let Ok(n) = code.parse::<u32>() {
        const BUSY: u32 = 5;
        const LOCKED: u32 = 6;
        const NOMEM: u32 = 7;
        const IOERR: u32 = 10;
        const FULL: u32 = 13;
        const CANTOPEN: u32 = 14;
        return matches!(n & 0xff, BUSY | LOCKED | NOMEM | IOERR | FULL | CANTOPEN);
    }
    false
}

fn transient_sqlstate(code: &str) -> bool {
    // PostgreSQL SQLSTATE classes: 08 connection exception, 53 insufficient resources (disk full, out of
    // memory, too many connections), 57P01-57P03 shut down or starting up, 57014 cancelled by the statement
    // timeout (a slow database), 40001/40P01 serialization failure and deadlock (the transaction was rolled back).
    code.starts_with("08")
        || code.starts_with("53")
        || matches!(code, "57P01" | "57P02" | "57P03" | "57014" | "40001" | "40P01")
}
