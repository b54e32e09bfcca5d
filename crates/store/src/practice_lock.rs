//! Who holds a practice's database: servers, or one command that needs it to itself.
//!
//! A command that rewrites the database under a server (`keys rekey`, `migrate-store` reading a practice that
//! is still being written) breaks that server or loses what it writes meanwhile, and two servers on one SQLite
//! file each believe they are alone. So a server holds the practice while it runs and such a command holds it
//! alone, each refused while the other holds it:
//!
//! - SQLite: an exclusive lock (`flock`) on `DATABASE.lock` beside the file, taken before the database is
//!   opened. A second server is refused too: SQLite serves from one process. The lock file says who holds it.
//! - PostgreSQL: an advisory lock on a connection kept for it, shared by the servers (several may serve one
//!   database) and exclusive for a command. If the connection drops the lock goes with it; a server whose lock
//!   connection was lost keeps serving (its queries use their own pool).
//!
//! The operating system releases both when the process ends, however it ends: no stale lock to clean up.

use std::io::{Read, Seek, Write};
use std::path::PathBuf;

use sqlx::Connection;

use crate::{DatabaseSpec, FileError, StoreError};

/// The advisory lock's key on PostgreSQL: "alliance" in ASCII.
const ADVISORY_KEY: i64 = 0x616c_6c69_616e_6365;

/// How a practice is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holding {
    /// By a server (on PostgreSQL, beside other servers).
    Serving,
    /// By a command that must have the database to itself.
    Alone,
}

/// Why a practice could not be held.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("{holder} is using this practice's database ({}); stop it first", .lock.display())]
    SqliteHeld { lock: PathBuf, holder: String },
    #[error(
        "a server is serving this PostgreSQL database, or another command holds it; stop the servers first \
         (PostgreSQL advisory lock {ADVISORY_KEY})"
    )]
    PostgresServed,
    #[error("another command holds this PostgreSQL database alone; wait for it to finish")]
    PostgresHeldAlone,
    #[error(transparent)]
    File(#[from] FileError),
    #[error("cannot take the PostgreSQL advisory lock")]
    Postgres(#[source] StoreError),
}

/// A held practice: released when dropped (or when the process ends).
#[derive(Debug)]
pub struct PracticeLock {
    _file: Option<std::fs::File>,
    _connection: Option<sqlx::PgConnection>,
}

/// The lock file of a SQLite database.
pub fn lock_file(database: &std::path::Path) -> PathBuf {
    PathBuf::from(format!("{}.lock", database.display()))
}

/// Holds the practice in `spec` as `holding` says, or says who holds it. For SQLite, call it before opening the
/// database; its folder must exist.
pub async fn hold(spec: &DatabaseSpec, holding: Holding) -> Result<PracticeLock, LockError> {
    match spec {
        DatabaseSpec::Sqlite(path) => hold_file(&lock_file(path), holding),
        DatabaseSpec::Postgres(url) => hold_advisory(url, holding).await,
    }
}

fn hold_file(path: &std::path::Path, holding: Holding) -> Result<PracticeLock, LockError> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(FileError::of("open the lock file", path))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            let mut said = String::new();
            let _ = file.take(200).read_to_string(&mut said);
            let holder = said.lines().next().filter(|l| !l.trim().is_empty()).unwrap_or("another Alliance process");
            return Err(LockError::SqliteHeld { lock: path.to_owned(), holder: holder.trim().to_owned() });
        }
        Err(std::fs::TryLockError::Error(e)) => return Err(FileError::of("lock", path)(e).into()),
    }
    let who = match holding {
        Holding::Serving => "a server",
        Holding::Alone => "a command",
    };
    let said = format!("{who} (process {})\n", std::process::id());
    // What the file says is for the message of whoever is refused; the lock itself is what counts.
    let _ = file.set_len(0).and_then(|()| file.rewind()).and_then(|()| file.write_all(said.as_bytes()));
    Ok(PracticeLock { _file: Some(file), _connection: None })
}

async fn hold_advisory(url: &str, holding: Holding) -> Result<PracticeLock, LockError> {
    let unavailable = |e: sqlx::Error| LockError::Postgres(StoreError::from(e));
    let mut connection = sqlx::PgConnection::connect(url).await.map_err(unavailable)?;
    let sql = match holding {
        Holding::Serving => "SELECT pg_try_advisory_lock_shared($1)",
        Holding::Alone => "SELECT pg_try_advisory_lock($1)",
    };
    let taken: bool =
        sqlx::query_scalar(sql).bind(ADVISORY_KEY).fetch_one(&mut connection).await.map_err(unavailable)?;
    if !taken {
        let _ = connection.close().await;
        return Err(match holding {
            Holding::Serving => LockError::PostgresHeldAlone,
            Holding::Alone => LockError::PostgresServed,
        });
    }
    Ok(PracticeLock { _file: None, _connection: Some(connection) })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[tokio::test]
    async fn one_holder_of_a_sqlite_practice_at_a_time() {
        let dir = tempfile::tempdir().unwrap();
        let spec = DatabaseSpec::Sqlite(dir.path().join("alliance.db"));
        let server = hold(&spec, Holding::Serving).await.unwrap();
        for holding in [Holding::Serving, Holding::Alone] {
            let refused = hold(&spec, holding).await.unwrap_err().to_string();
            let me = format!("a server (process {}) is using", std::process::id());
            assert!(refused.starts_with(&me) && refused.contains("alliance.db.lock"), "{refused}");
        }
        drop(server);
        let command = hold(&spec, Holding::Alone).await.unwrap();
        let refused = hold(&spec, Holding::Serving).await.unwrap_err().to_string();
        assert!(refused.starts_with("a command (process"), "{refused}");
        drop(command);
        hold(&spec, Holding::Serving).await.unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(lock_file(dir.path().join("alliance.db").as_path())).unwrap().permissions();
            assert_eq!(mode.mode() & 0o777, 0o600);
        }
    }
}
