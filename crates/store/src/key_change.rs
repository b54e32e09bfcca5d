//! Changing the practice's keys, each step ordered so that an interruption loses nothing:
//!
//! - [`rotate`] adds a field key and re-encrypts every field under it; the new key is on disk before any field is
//!   sealed with it, and the re-encryption is one transaction.
//! - [`retire`] removes an old field key from the key file, refused while any field still uses it.
//! - [`rekey`] gives the SQLite file a new page key: the new keys go to `KEYFILE.pending`; a copy of the database
//!   is written under them and checked; the copy replaces the database; the pending keys replace the key file.
//!   Run again after an interruption, it finishes or starts over, whichever the files on disk call for; until
//!   then `KeyLocation::load` refuses to open the practice.

use std::path::{Path, PathBuf};

use crate::cipher::KeyError;
use crate::data_folder::restrict_database_files;
use crate::key_file::{self, KeyFileError, KeyLocation};
use crate::open::{Database, DatabaseSpec, OpenError, OpenMode, Opening};
use crate::prelude::AuditLog;
use crate::{FileError, Keyring, SqliteStore, StoreError};

/// Why a change of keys stopped.
#[derive(Debug, thiserror::Error)]
pub enum KeyChangeError {
    #[error("rekey is for the SQLite file; on PostgreSQL the server's own storage is not Alliance's to encrypt")]
    NotSqlite,
    #[error(transparent)]
    Keys(#[from] KeyFileError),
    #[error(transparent)]
    Keyring(#[from] KeyError),
    #[error(transparent)]
    Open(#[from] OpenError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(
        "re-encryption failed and was rolled back: the data is as it was, and key v{version} is in the key file \
         unused; run rotate again"
    )]
    Reencryption {
        version: u32,
        #[source]
        source: StoreError,
    },
    #[error("{count} fields are still encrypted under v{version}; run `alliance keys rotate` first")]
    StillInUse { count: u64, version: u32 },
    #[error("the copy under the new key failed; nothing was changed")]
    Export(#[source] StoreError),
    #[error(transparent)]
    File(#[from] FileError),
}

/// What a rotation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotated {
    /// The new key's version, which seals every field now.
    pub version: u32,
    /// The versions before it, still in the key file for older backups.
    pub older: Vec<u32>,
    pub key_file: PathBuf,
    /// How many fields were re-encrypted.
    pub rewritten: u64,
    /// The key was already in the key file (staged), not added now.
    pub staged: bool,
}

/// Adds a new field key to the key file and re-encrypts every field under it. A newest key that seals nothing yet
/// while an older one does (one [`stage`] added, or a rotation that was rolled back) is used instead of adding
/// another: servers on other machines may already have been given it.
pub async fn rotate(database: &DatabaseSpec, keys: &KeyLocation) -> Result<Rotated, KeyChangeError> {
    let loaded = keys.load(false)?;
    let key_file = loaded.file()?;
    // Check that the keys open the data before changing anything.
    let db = open(database, &loaded.keys).await?;
    let staged = staged_version(&db, &loaded.keys).await;
    db.close().await;
    let staged = staged?;
    let next = match staged {
        Some(_) => loaded.keys.clone(),
        None => {
            let next = loaded.keys.with_new_version();
            // The new key is on disk before any data is sealed with it.
            key_file::write(key_file, &next, true)?;
            next
        }
    };
    let db = open(database, &next).await?;
    let version = next.newest_version();
    let rewritten = db.reencrypt_fields().await;
    let audited = match rewritten {
        Ok(_) => db.as_store().audit(key_event("rotate", version)).await,
        Err(_) => Ok(()),
    };
    db.close().await;
    let rewritten = rewritten.map_err(|source| KeyChangeError::Reencryption { version, source })?;
    audited?;
    let older = next.versions().into_iter().filter(|v| *v != version).collect();
    Ok(Rotated { version, older, key_file: key_file.to_owned(), rewritten, staged: staged.is_some() })
}

/// The newest field key when it seals nothing while an older one seals something: added for a rotation that
/// has not re-encrypted under it yet.
async fn staged_version(db: &Database, keys: &Keyring) -> Result<Option<u32>, KeyChangeError> {
    let newest = keys.newest_version();
    if db.fields_sealed_with(newest).await? > 0 {
        return Ok(None);
    }
    for older in keys.versions().into_iter().filter(|v| *v != newest) {
        if db.fields_sealed_with(older).await? > 0 {
            return Ok(Some(newest));
        }
    }
    Ok(None)
}

/// The first half of a rotation for several servers on one database: adds a new field key to the key file and
/// seals nothing with it, so the file can be copied to every server before [`rotate`] re-encrypts under it (each
/// server takes the key up when it first meets a value sealed with it). Returns the new version; a key already
/// staged is kept rather than a second one added.
pub async fn stage(database: &DatabaseSpec, keys: &KeyLocation) -> Result<(u32, PathBuf), KeyChangeError> {
    let loaded = keys.load(false)?;
    let key_file = loaded.file()?;
    let db = open(database, &loaded.keys).await?;
    let staged = staged_version(&db, &loaded.keys).await;
    let done = match staged {
        Ok(Some(version)) => Ok(version),
        Ok(None) => {
            let next = loaded.keys.with_new_version();
            let version = next.newest_version();
            let written = key_file::write(key_file, &next, true).map_err(KeyChangeError::from);
            match written {
                Ok(()) => db.as_store().audit(key_event("stage", version)).await.map(|()| version).map_err(Into::into),
                Err(e) => Err(e),
            }
        }
        Err(e) => Err(e),
    };
    db.close().await;
    Ok((done?, key_file.to_owned()))
}

/// Removes field key `version` from the key file, refused while any field is still sealed with it; returns the
/// key file.
pub async fn retire(database: &DatabaseSpec, keys: &KeyLocation, version: u32) -> Result<PathBuf, KeyChangeError> {
    let loaded = keys.load(false)?;
    let key_file = loaded.file()?;
    let next = loaded.keys.without_version(version)?;
    let db = open(database, &loaded.keys).await?;
    let retired = retire_in(&db, key_file, &next, version).await;
    db.close().await;
    retired?;
    Ok(key_file.to_owned())
}

async fn retire_in(db: &Database, key_file: &Path, next: &Keyring, version: u32) -> Result<(), KeyChangeError> {
    let count = db.fields_sealed_with(version).await?;
    if count > 0 {
        return Err(KeyChangeError::StillInUse { count, version });
    }
    key_file::write(key_file, next, true)?;
    db.as_store().audit(key_event("retire", version)).await?;
    Ok(())
}

/// The audit entry of a key operation: the key's version is its object.
fn key_event(action: &'static str, version: u32) -> crate::AuditEvent {
    crate::AuditEvent {
        object_id: Some(i64::from(version)),
        ..crate::AuditEvent::system(time::OffsetDateTime::now_utc(), action, "field-key", "key-management")
    }
}

async fn open(database: &DatabaseSpec, keys: &Keyring) -> Result<Database, OpenError> {
    Database::open(database, keys, &Opening::new(OpenMode::Latest)).await
}

/// What a rekey did; either way the key file holds the new keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rekeyed {
    /// An interrupted run had swapped the database already; only the key file was still to be replaced.
    FinishedInterrupted { key_file: PathBuf },
    /// The database was copied under a new page key and swapped in.
    Done { key_file: PathBuf },
}

/// Gives the SQLite database `database` a new page key (its key file's `db` line). No other connection may use
/// the database meanwhile.
pub async fn rekey(database: &DatabaseSpec, keys: &KeyLocation) -> Result<Rekeyed, KeyChangeError> {
    let DatabaseSpec::Sqlite(db) = database else { return Err(KeyChangeError::NotSqlite) };
    let loaded = keys.load_even_if_pending(false)?;
    let key_path = loaded.file()?.to_owned();
    let pending = key_file::pending_file(&key_path);
    let copy = sibling(db, ".rekeyed");
    if pending.exists() {
        let next = key_file::read(&pending)?;
        if let Ok(store) = SqliteStore::open(db, &next).await {
            // The database was swapped; only the key file was not.
            store.close().await;
            replace(&pending, &key_path)?;
            return Ok(Rekeyed::FinishedInterrupted { key_file: key_path });
        }
        // The database was never swapped: start over.
        remove(&pending)?;
    }
    if copy.exists() {
        remove(&copy)?;
    }
    // Opening checks the keys. The audit entry goes in before the copy, so the rekeyed database holds it (as a
    // backup holds its own); a copy that then fails leaves the entry, recording the attempt.
    let opened = SqliteStore::open(db, &loaded.keys).await;
    let opened = opened.map_err(|source| OpenError::Sqlite { path: db.clone(), source })?;
    let event = crate::AuditEvent::system(time::OffsetDateTime::now_utc(), "rekey", "database", "key-management");
    let audited = opened.audit(event).await;
    opened.close().await;
    audited?;
    let next = loaded.keys.with_new_database_secret();
    key_file::write(&pending, &next, false)?;
    if let Err(e) = SqliteStore::export_rekeyed(db, &loaded.keys, &copy, &next).await {
        let _ = std::fs::remove_file(&pending);
        return Err(KeyChangeError::Export(e));
    }
    restrict_database_files(&copy)?;
    // Both WALs are checkpointed to nothing; a stale one beside the new file would be replayed into it.
    // SQLite may still be removing them itself as its last connection closes: gone is as good as removed.
    for stale in [sibling(&copy, "-wal"), sibling(&copy, "-shm"), sibling(db, "-wal"), sibling(db, "-shm")] {
        match std::fs::remove_file(&stale) {
            Err(source) if source.kind() != std::io::ErrorKind::NotFound => {
                return Err(FileError { action: "remove", path: stale, source }.into());
            }
            _ => {}
        }
    }
    replace(&copy, db)?;
    replace(&pending, &key_path)?;
    Ok(Rekeyed::Done { key_file: key_path })
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    PathBuf::from(format!("{}{suffix}", path.display()))
}

fn remove(path: &Path) -> Result<(), FileError> {
    std::fs::remove_file(path).map_err(FileError::of("remove", path))
}

/// Renames `from` over `to`, and makes the rename itself durable.
fn replace(from: &Path, to: &Path) -> Result<(), FileError> {
    std::fs::rename(from, to).map_err(FileError::of("replace", to))?;
    if let Some(dir) = to.parent()
        && let Ok(dir) = std::fs::File::open(dir)
    {
        let _ = dir.sync_all();
    }
    Ok(())
}
