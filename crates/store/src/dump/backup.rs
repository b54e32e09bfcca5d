//! Whole-database copies: to an encrypted backup file ([`write_backup`]), back from one ([`restore`], also across
//! a schema upgrade), checked without a database ([`verify_backup`]), and straight into another database
//! ([`copy`]). The copier runs on the async side while the file is read or written on a blocking thread.

use std::path::{Path, PathBuf};

use time::OffsetDateTime;
use tokio::sync::mpsc;

use super::file::{BackupFileError, BackupKey, BackupReader, BackupWriter, Header};
use super::*;
use crate::open::{Database, DatabaseSpec, OpenError, OpenMode, Opening};
use crate::{FileError, Keyring, SqliteStore};

/// How many connections a copy opens to a PostgreSQL database: one reads or writes the copy, the rest are spare.
const COPY_CONNECTIONS: u32 = 4;
/// Bytes gathered before a write to the backup file.
const WRITE_BATCH: usize = 128 * 1024;

/// Why a backup, restore or copy did not complete. A restore or copy that failed left its target as it was.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{} already exists; a backup never overwrites a file", .0.display())]
    Exists(PathBuf),
    #[error(transparent)]
    BackupFile(#[from] BackupFileError),
    #[error(transparent)]
    Open(#[from] OpenError),
    #[error("cannot read the database")]
    Read(#[source] StoreError),
    #[error("the backup {0} stopped")]
    Stopped(&'static str),
    #[error("cannot restore")]
    Restore(#[source] StoreError),
    #[error("the backup does not verify")]
    Verify(#[source] StoreError),
    #[error("cannot restore: the backup does not start with its preface")]
    NoPreface,
    #[error(
        "the backup was made by a newer Alliance release (schema version {made}; this one knows up to {known}): \
         restore it with that release or a later one"
    )]
    NewerRelease { made: i64, known: i64 },
    #[error("the backup's schema versions {made:?} are not a line this release continues ({ours:?})")]
    OtherLine { made: Vec<i64>, ours: Vec<i64> },
    #[error("cannot read the target database")]
    ReadTarget(#[source] StoreError),
    #[error("cannot restore: the target database is not empty")]
    NotEmpty,
    #[error(transparent)]
    File(#[from] FileError),
    #[error("cannot make a scratch database at schema version {version}")]
    ScratchDatabase {
        version: i64,
        #[source]
        source: OpenError,
    },
    #[error("cannot bring the restored copy up to date")]
    Upgrade(#[source] OpenError),
    #[error("the copy was not made; the target is unchanged")]
    NotCopied(#[source] StoreError),
    #[error("cannot read the source database")]
    ReadSource(#[source] StoreError),
    #[error("the folder {} does not exist: create it (mkdir -m 700 {}) or name another", .0.display(), .0.display())]
    NoFolder(PathBuf),
    #[error(
        "the backup's encrypted values are sealed with key version {}, which the key file given lacks (it has {}): \
         find the key file that still has {} (a copy kept from before it was retired) and name it with --key-file; \
         nothing was restored",
        versions(.missing), versions(.have), versions(.missing)
    )]
    MissingKeys { missing: Vec<u32>, have: Vec<u32> },
}

/// Key versions as an operator writes them: `v1, v2`.
pub fn versions(list: &[u32]) -> String {
    list.iter().map(|v| format!("v{v}")).collect::<Vec<_>>().join(", ")
}

/// What a restore did.
#[derive(Debug, Clone)]
pub struct Restored {
    /// The backup's header: when it was made, from which engine, the key versions it recorded.
    pub header: Header,
    /// Every table's count and checksum, read back from the target.
    pub manifest: Manifest,
    /// The sealed values restored, each opened with the keys given before the restore committed.
    pub sealed: Sealed,
    /// The backup's sign-ins, all ended by the restore.
    pub sign_ins_ended: u64,
    /// The backup's schema version and the newest one, when the backup was older and brought up to date.
    pub upgraded: Option<(i64, i64)>,
}

/// Refuses a backup file that exists (a backup never overwrites one), or whose folder does not. Checked again
/// when writing; checking first spares the work (and a new backup key) of a backup that cannot be written.
pub fn refuse_existing(path: &Path) -> Result<(), BackupError> {
    if path.exists() {
        return Err(BackupError::Exists(path.to_owned()));
    }
    refuse_missing_folder(path)
}

/// Backs up the existing database `source` to `path`, reading it as it is (never changing its schema under a
/// server of another release).
pub async fn back_up(
    source: &DatabaseSpec,
    keys: &Keyring,
    path: &Path,
    key: &BackupKey,
    now: OffsetDateTime,
) -> Result<(Manifest, u64), BackupError> {
    refuse_existing(path)?;
    source.ensure_exists()?;
    let db = Database::open(source, keys, &Opening::new(OpenMode::AsIs).connections(COPY_CONNECTIONS)).await?;
    let written = write_backup(&db, path, key, now).await;
    db.close().await;
    written
}

/// Writes a consistent, encrypted copy of `db` to `path` (which must not exist); returns its manifest and the
/// file's size. Runs beside a serving server. A failure leaves no file behind.
pub async fn write_backup(
    db: &Database,
    path: &Path,
    key: &BackupKey,
    now: OffsetDateTime,
) -> Result<(Manifest, u64), BackupError> {
    refuse_existing(path)?;
    // Recorded first, so the backup holds its own entry, and a log that cannot be written means no backup.
    db.as_store()
        .audit(crate::AuditEvent::system(now, "back-up", "database", "maintenance"))
        .await
        .map_err(BackupError::Read)?;
    let header = Header::new(key, db.engine_name(), now.unix_timestamp());
    let (to, mut from) = mpsc::channel::<StoreResult<Piece>>(16);
    let (path, key) = (path.to_owned(), key.clone());
    // The file is written on a blocking thread while the database is read here. It is made once the copy's
    // preface names the key versions its sealed values use (read in the copy's own transaction), which the
    // file's header records.
    let writing = tokio::task::spawn_blocking(move || {
        let mut bytes = Vec::with_capacity(2 * WRITE_BATCH);
        let first = from.blocking_recv().ok_or(BackupError::Stopped("reader"))?.map_err(BackupError::Read)?;
        let header = match &first {
            Piece::Item(Item::Preface(preface)) => match &preface.key_versions {
                Some(versions) => header.with_key_versions(versions.clone()),
                None => header,
            },
            _ => return Err(BackupError::NoPreface),
        };
        let mut writer = BackupWriter::create(&path, &key, &header)?;
        let mut write_all = || -> Result<(), BackupError> {
            encode_piece(&first, &mut bytes).map_err(BackupError::Read)?;
            while let Some(piece) = from.blocking_recv() {
                encode_piece(&piece.map_err(BackupError::Read)?, &mut bytes).map_err(BackupError::Read)?;
                if bytes.len() >= WRITE_BATCH {
                    writer.write(&bytes)?;
                    bytes.clear();
                }
            }
            Ok(writer.write(&bytes)?)
        };
        match write_all() {
            Ok(()) => Ok(writer),
            Err(e) => {
                writer.abandon();
                Err(e)
            }
        }
    });
    let dumped = dump(db, &to).await;
    drop(to);
    let writer = match writing.await.map_err(|_| BackupError::Stopped("writer"))? {
        Ok(writer) => writer,
        // The database's own error is the cause when reading it stopped the writer.
        Err(BackupError::Stopped(_)) => {
            return Err(BackupError::Read(dumped.err().unwrap_or_else(|| corrupt("the copy is empty"))));
        }
        Err(e) => return Err(e),
    };
    match dumped {
        Ok(manifest) => Ok((manifest, writer.finish()?)),
        Err(e) => {
            writer.abandon();
            Err(BackupError::Read(e))
        }
    }
}

/// Decrypts and checks a backup without restoring it: every table's count and checksum against its manifest.
pub fn verify_backup(path: &Path, key: &BackupKey) -> Result<(Header, Manifest), BackupError> {
    let reader = BackupReader::open_file(path, key)?;
    let header = reader.header.clone();
    let (_, manifest) =
        verify_copy(std::io::BufReader::with_capacity(256 * 1024, reader)).map_err(BackupError::Verify)?;
    Ok((header, manifest))
}

/// Restores the backup at `from` into the empty database `target`, verifying counts and checksums before
/// committing. A backup made at an older schema version is brought up to date on the way (see
/// [`restore_through_upgrade`]); one made by a newer release is refused before the target is opened or created.
pub async fn restore(
    from: &Path,
    key: &BackupKey,
    target: &DatabaseSpec,
    keys: &Keyring,
) -> Result<Restored, BackupError> {
    if let DatabaseSpec::Sqlite(path) = target {
        refuse_missing_folder(path)?;
    }
    let (header, preface) = backup_preface(from, key)?;
    // The key versions the backup recorded, checked before anything is created; the rows themselves are checked
    // as they are loaded, for backups that recorded none.
    if let Some(recorded) = preface.key_versions.as_ref().or(header.key_versions.as_ref()) {
        let have = keys.versions();
        let missing: Vec<u32> = recorded.iter().copied().filter(|v| !have.contains(v)).collect();
        if !missing.is_empty() {
            return Err(BackupError::MissingKeys { missing, have });
        }
    }
    let made_at = preface.schema_versions;
    let ours = SqliteStore::schema_versions();
    let newest = ours.last().copied().unwrap_or_default();
    let upgrade_from = if made_at == ours {
        None
    } else if made_at.len() < ours.len() && ours.starts_with(&made_at) {
        made_at.last().copied()
    } else if made_at.last() > ours.last() {
        return Err(BackupError::NewerRelease { made: made_at.last().copied().unwrap_or_default(), known: newest });
    } else {
        return Err(BackupError::OtherLine { made: made_at, ours });
    };
    // A SQLite file made here and not restored into is removed again: `serve` must not find an empty practice
    // where a restore failed.
    let created = match target {
        DatabaseSpec::Sqlite(path) if !path.exists() => Some(path.clone()),
        _ => None,
    };
    let db = Database::open(target, keys, &Opening::new(OpenMode::Latest).connections(COPY_CONNECTIONS)).await?;
    let restored = match upgrade_from {
        None => restore_into(&db, from, key).await.map(|(_, loaded)| loaded),
        Some(version) => restore_through_upgrade(&db, &target.scratch_folder(), from, key, keys, version).await,
    };
    // The backup's sign-ins include ones ended since it was made: none may come back (issue 14, finding 10).
    let ended = match &restored {
        Ok(_) => {
            let event = crate::AuditEvent::system(OffsetDateTime::now_utc(), "restore", "database", "maintenance");
            db.end_all_sign_ins(&event).await.map_err(BackupError::Restore)
        }
        Err(_) => Ok(0),
    };
    db.close().await;
    let done = restored.and_then(|loaded| Ok((loaded, ended?)));
    match done {
        Ok((loaded, sign_ins_ended)) => Ok(Restored {
            header,
            manifest: loaded.manifest,
            sealed: loaded.sealed,
            upgraded: upgrade_from.map(|version| (version, newest)),
            sign_ins_ended,
        }),
        Err(e) => {
            if let Some(path) = created {
                remove_database_files(&path);
            }
            Err(e)
        }
    }
}

/// A backup file that may still need a field-key version: its header records the version, or records no versions
/// at all (made by an earlier release: unknown).
#[derive(Debug, Clone)]
pub struct NeedingBackup {
    pub path: PathBuf,
    pub header: Header,
}

/// The backups in `dir` (the files that are Alliance backups, by name) that may still need key `version`: their
/// headers are read, no key is needed.
pub fn backups_needing(dir: &Path, version: u32) -> Result<Vec<NeedingBackup>, BackupError> {
    if !dir.is_dir() {
        return Err(BackupError::NoFolder(dir.to_owned()));
    }
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(FileError::of("read", dir))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.is_file())
        .collect();
    paths.sort();
    let mut needing = Vec::new();
    for path in paths {
        let Some(header) = super::file::read_file_header(&path)? else { continue };
        if header.key_versions.as_ref().is_none_or(|versions| versions.contains(&version)) {
            needing.push(NeedingBackup { path, header });
        }
    }
    Ok(needing)
}

/// Refuses a SQLite file whose folder does not exist, in one sentence (SQLite's own words are "unable to open
/// database file").
fn refuse_missing_folder(path: &Path) -> Result<(), BackupError> {
    match path.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(folder) if !folder.is_dir() => Err(BackupError::NoFolder(folder.to_owned())),
        _ => Ok(()),
    }
}

/// Removes a SQLite database and its companion files, as far as they exist.
fn remove_database_files(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

/// A backup's header and preface (its first piece).
fn backup_preface(path: &Path, key: &BackupKey) -> Result<(Header, Preface), BackupError> {
    let mut reader = BackupReader::open_file(path, key)?;
    match decode_piece(&mut reader).map_err(BackupError::Restore)? {
        Some(Piece::Item(Item::Preface(preface))) => Ok((reader.header.clone(), preface)),
        _ => Err(BackupError::NoPreface),
    }
}

/// Restores the backup at `path` into the empty database `db` at the backup's own schema version.
async fn restore_into(db: &Database, path: &Path, key: &BackupKey) -> Result<(Header, Loaded), BackupError> {
    let reader = BackupReader::open_file(path, key)?;
    let header = reader.header.clone();
    let (to, from) = mpsc::channel::<StoreResult<Piece>>(16);
    let reading = tokio::task::spawn_blocking(move || feed(reader, &to));
    let loaded = load(db, from).await;
    let read = reading.await.map_err(|_| BackupError::Stopped("reader"))?;
    // A damaged file is the cause to report, not the load's "ends early" that follows from it.
    read.map_err(BackupError::Restore)?;
    let loaded = loaded.map_err(BackupError::Restore)?;
    Ok((header, loaded))
}

/// Restores a backup made at an older schema `version`: into a scratch SQLite database at that version (which
/// checks every table against the backup), then brought up to date by the same migrations a live database goes
/// through, then copied into `target` (checked again). The scratch database is encrypted with the practice's
/// keys, lives in a folder only its owner can open, and is removed however the restore ends (but a `kill -9`).
async fn restore_through_upgrade(
    target: &Database,
    scratch: &Path,
    from: &Path,
    key: &BackupKey,
    keys: &Keyring,
    version: i64,
) -> Result<Loaded, BackupError> {
    if !is_empty(target).await.map_err(BackupError::ReadTarget)? {
        return Err(BackupError::NotEmpty);
    }
    let folder = tempfile::Builder::new()
        .prefix(".alliance-restore-")
        .tempdir_in(scratch)
        .map_err(FileError::of("make a scratch folder in", scratch))?;
    let path = DatabaseSpec::Sqlite(folder.path().join("upgrading.db"));
    let old = Database::open(&path, keys, &Opening::new(OpenMode::AtVersion(version)))
        .await
        .map_err(|source| BackupError::ScratchDatabase { version, source })?;
    let loaded = restore_into(&old, from, key).await;
    old.close().await;
    loaded?;
    let upgraded = Database::open(&path, keys, &Opening::new(OpenMode::Latest)).await.map_err(BackupError::Upgrade)?;
    let copied = copy(&upgraded, target).await;
    upgraded.close().await;
    copied
}

/// Copies `from` into the empty `to`, verifying counts and checksums and that every sealed value opens with
/// `to`'s keys; returns what was loaded.
pub async fn copy(from: &Database, to: &Database) -> Result<Loaded, BackupError> {
    let (sender, receiver) = mpsc::channel::<StoreResult<Piece>>(16);
    let loading = load(to, receiver);
    let dumping = async move {
        let dumped = dump(from, &sender).await;
        if let Err(e) = &dumped {
            let _ = sender.send(Err(corrupt(format!("reading the source: {e}")))).await;
        }
        dumped
    };
    let (dumped, loaded) = futures_util::future::join(dumping, loading).await;
    // The load's error names the cause (a source error reaches it through the channel).
    let loaded = loaded.map_err(BackupError::NotCopied)?;
    dumped.map_err(BackupError::ReadSource)?;
    Ok(loaded)
}

/// What [`migrate`] copied, and between which engines.
#[derive(Debug, Clone)]
pub struct Migrated {
    pub manifest: Manifest,
    pub from_engine: &'static str,
    pub to_engine: &'static str,
}

/// Copies the database `from` into the empty database `to` (either engine, both brought up to date: a copy needs
/// the same schema on both sides), verified.
pub async fn migrate(from: &DatabaseSpec, to: &DatabaseSpec, keys: &Keyring) -> Result<Migrated, BackupError> {
    if let DatabaseSpec::Sqlite(path) = to {
        refuse_missing_folder(path)?;
    }
    let opening = Opening::new(OpenMode::Latest).connections(COPY_CONNECTIONS);
    let source = Database::open(from, keys, &opening).await?;
    let target = match Database::open(to, keys, &opening).await {
        Ok(target) => target,
        Err(e) => {
            source.close().await;
            return Err(e.into());
        }
    };
    // The entry goes in before the copy, so the new database holds it too (as a backup holds its own); only once
    // the target is known to be empty, so a refused move records nothing.
    let event = crate::AuditEvent::system(OffsetDateTime::now_utc(), "migrate", "database", "maintenance");
    let copied = match is_empty(&target).await {
        Ok(true) => match source.as_store().audit(event).await {
            Ok(()) => copy(&source, &target).await,
            Err(e) => Err(BackupError::Read(e)),
        },
        // The copy refuses a target with data, in its own words.
        Ok(false) => copy(&source, &target).await,
        Err(e) => Err(BackupError::ReadTarget(e)),
    };
    let (from_engine, to_engine) = (source.engine_name(), target.engine_name());
    source.close().await;
    target.close().await;
    Ok(Migrated { manifest: copied?.manifest, from_engine, to_engine })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// A backup written before the file format moved into the store (commit 7ad4f53's `alliance backup` of
    /// `alliance demo --clients 3`, backup key `0f` × 32), with the practice's keys beside it. Backups already
    /// made must keep restoring.
    fn earlier_release() -> (PathBuf, BackupKey, Keyring) {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("fixtures");
        let keys = std::fs::read_to_string(fixtures.join("format-1.keys")).unwrap();
        (fixtures.join("format-1.backup"), BackupKey::parse(&"0f".repeat(32)).unwrap(), Keyring::parse(&keys).unwrap())
    }

    /// Tables that migrations after the fixture added: a restore brings the backup up to today's schema, so
    /// the restored database has them, empty.
    const ADDED_SINCE: &[&str] = &[
        "client_moves",
        "password_resets",
        "risk_actions",
        "crisis_protocol",
        "crisis_contacts",
        "signal_seen",
        "mail_outbox",
        "recovery_codes",
        "goals",
        "goal_history",
        "goal_ratings",
        "tasks",
        "task_reports",
        "client_pages",
        "event_notes",
        "client_consents",
        "client_stops",
        "episode_schedules",
        "kiosks",
        "kiosk_codes",
        "barrier_requests",
        "repair_attempts",
        "episode_endings",
        "api_tokens",
        "client_background",
        "boundary_events",
        "supervision_meetings",
        "supervision_meeting_items",
        "supervision_actions",
        "session_transcripts",
    ];

    /// Counts and checksums as the earlier release printed them when it wrote the file.
    fn assert_is_the_earlier_practice(manifest: &Manifest) {
        let (added, earlier): (Vec<_>, Vec<_>) =
            manifest.tables.iter().partition(|t| ADDED_SINCE.contains(&t.name.as_str()));
        assert!(added.iter().all(|t| t.rows == 0), "{added:?}");
        assert_eq!((earlier.len(), manifest.total_rows()), (20, 1048));
        let table = |name: &str| manifest.tables.iter().find(|t| t.name == name).unwrap();
        assert_eq!(
            (table("scores").rows, table("scores").sha256.as_str()),
            (441, "d31b39b4c2955d854e50e8b7e3ac04547c5c8bf8dacbb77e232eac85ee5c1335")
        );
        assert_eq!(
            (table("audit_events").rows, table("audit_events").sha256.as_str()),
            (180, "11e38952dff09459abf8264266a714521d66d6039f434c1917de6f20615dbe41")
        );
    }

    #[test]
    fn a_backup_written_by_an_earlier_release_verifies() {
        let (path, key, _) = earlier_release();
        let (header, manifest) = verify_backup(&path, &key).unwrap();
        assert_eq!((header.format, header.engine.as_str(), header.key_id.as_str()), (1, "sqlite", "e327628216ae03d8"));
        assert_eq!(header.key_versions, None, "made before backups recorded their key versions: unknown");
        assert_is_the_earlier_practice(&manifest);
    }

    #[tokio::test]
    async fn a_backup_written_by_an_earlier_release_restores() {
        let (path, key, keys) = earlier_release();
        let dir = tempfile::tempdir().unwrap();
        let target = DatabaseSpec::Sqlite(dir.path().join("restored.db"));
        let restored = restore(&path, &key, &target, &keys).await.unwrap();
        assert_is_the_earlier_practice(&restored.manifest);
        // Twice is refused: a restore never writes over data.
        let again = restore(&path, &key, &target, &keys).await.unwrap_err();
        // Refused before anything is loaded when the backup needs an upgrade (it is older than this release's
        // schema), else by the load's own check.
        let cause = std::error::Error::source(&again).map(ToString::to_string).unwrap_or_default();
        let refused = matches!(again, BackupError::NotEmpty) || cause.contains("the target is not empty");
        assert!(refused, "{again}: {cause}");
    }

    #[tokio::test]
    async fn a_backup_is_never_written_over_a_file_and_a_missing_database_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let (existing, key, keys) = (dir.path().join("existing.backup"), earlier_release().1, Keyring::generate());
        std::fs::write(&existing, b"kept").unwrap();
        let source = DatabaseSpec::Sqlite(dir.path().join("alliance.db"));
        let now = OffsetDateTime::UNIX_EPOCH;
        let refused = back_up(&source, &keys, &existing, &key, now).await.unwrap_err();
        assert!(matches!(&refused, BackupError::Exists(p) if p == &existing), "{refused}");
        assert_eq!(std::fs::read(&existing).unwrap(), b"kept");
        let missing = back_up(&source, &keys, &dir.path().join("new.backup"), &key, now).await.unwrap_err();
        assert!(matches!(missing, BackupError::Open(OpenError::Missing(_))), "{missing}");
        assert!(!dir.path().join("alliance.db").exists(), "no database was created");
    }
}
