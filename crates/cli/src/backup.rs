//! `alliance backup`, `alliance restore` and `alliance migrate-store`: whole-database copies through the
//! store's engine-neutral copier (`alliance_store::dump`), to an encrypted file or straight into another
//! database.

use std::path::{Path, PathBuf};

use alliance_store::dump::{self, Engine, Item, Manifest, Piece};
use alliance_store::{Keyring, PostgresOptions, PostgresStore, SqliteStore, StoreResult};
use anyhow::{Context, bail};
use tokio::sync::mpsc;

use crate::DataArgs;
use crate::backup_file::{BackupKey, BackupReader, BackupWriter, Header};

/// Where the backup key is.
#[derive(clap::Args, Clone)]
pub struct KeyArgs {
    /// File holding the backup key (64 hexadecimal characters). Without it, the key is read from
    /// ALLIANCE_BACKUP_KEY.
    #[arg(long, env = "ALLIANCE_BACKUP_KEY_FILE", value_name = "FILE")]
    pub backup_key_file: Option<PathBuf>,
    /// Create the key file (readable by its owner only) if it does not exist yet.
    #[arg(long)]
    pub new_key: bool,
}

#[derive(clap::Args)]
pub struct BackupArgs {
    /// The backup file to write (it must not exist yet).
    #[arg(long, value_name = "FILE")]
    pub to: PathBuf,
    #[command(flatten)]
    pub data: DataArgs,
    /// Back up this PostgreSQL database instead of the SQLite file in --data.
    #[arg(long = "database", env = "ALLIANCE_DATABASE_URL", value_name = "URL", hide_env_values = true)]
    pub database_url: Option<String>,
    #[command(flatten)]
    pub key: KeyArgs,
}

#[derive(clap::Args)]
pub struct RestoreArgs {
    /// The backup file.
    #[arg(long, value_name = "FILE")]
    pub from: PathBuf,
    /// The empty database to restore into: sqlite:PATH or postgres://...
    #[arg(long, value_name = "DATABASE")]
    pub to: Option<String>,
    /// Check the file (decryption, every table's count and checksum); with --to, also the restored database.
    #[arg(long)]
    pub verify: bool,
    #[command(flatten)]
    pub key: KeyArgs,
    /// Where the practice's key file is (`--data` or `--key-file`): the restored database is encrypted with the
    /// same keys as the one the backup was taken from, whose sealed fields it carries as they were.
    #[command(flatten)]
    pub data: DataArgs,
}

#[derive(clap::Args)]
pub struct MigrateArgs {
    /// The database to copy: sqlite:PATH or postgres://...
    #[arg(long, value_name = "DATABASE")]
    pub from: String,
    /// The empty database to copy into: sqlite:PATH or postgres://...
    #[arg(long, value_name = "DATABASE")]
    pub to: String,
    /// Where the practice's key file is (`--data` or `--key-file`): both databases use the same keys, since
    /// sealed fields are copied as they are.
    #[command(flatten)]
    pub data: DataArgs,
}

/// A database as named on the command line.
enum DbName<'a> {
    Sqlite(&'a Path),
    Postgres(&'a str),
}

impl<'a> DbName<'a> {
    fn parse(spec: &'a str) -> anyhow::Result<Self> {
        if let Some(path) = spec.strip_prefix("sqlite:") {
            let path = path.strip_prefix("//").unwrap_or(path);
            if path.is_empty() {
                bail!("sqlite: needs a file path, e.g. sqlite:/var/lib/alliance/alliance.db");
            }
            Ok(DbName::Sqlite(Path::new(path)))
        } else if spec.starts_with("postgres://") || spec.starts_with("postgresql://") {
            Ok(DbName::Postgres(spec))
        } else {
            bail!("a database is named sqlite:PATH or postgres://USER@HOST/NAME");
        }
    }
}

/// An open database of either engine.
pub enum Db {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl Db {
    /// Opens `sqlite:PATH` or `postgres://...`, creating the schema if needed and bringing it up to date. The
    /// URL may hold a password: it goes in no message.
    pub async fn open(spec: &str, keys: &Keyring) -> anyhow::Result<Self> {
        Self::open_with(spec, keys, false).await
    }

    /// Opens an existing database without touching its schema (see [`SqliteStore::open_as_is`]).
    async fn open_as_is(spec: &str, keys: &Keyring) -> anyhow::Result<Self> {
        Self::open_with(spec, keys, true).await
    }

    async fn open_with(spec: &str, keys: &Keyring, as_is: bool) -> anyhow::Result<Self> {
        let options = PostgresOptions { max_connections: 4, ..Default::default() };
        match DbName::parse(spec)? {
            DbName::Sqlite(path) => {
                let store =
                    if as_is { SqliteStore::open_as_is(path, keys).await } else { SqliteStore::open(path, keys).await };
                let store = store.with_context(|| format!("cannot open the SQLite file {}", path.display()))?;
                if !as_is {
                    crate::server::restrict_database_files(path)?;
                }
                Ok(Db::Sqlite(store))
            }
            DbName::Postgres(url) => {
                let store = if as_is {
                    PostgresStore::connect_as_is(url, options, keys).await
                } else {
                    PostgresStore::connect(url, options, keys).await
                };
                Ok(Db::Postgres(store.context("cannot open the PostgreSQL database")?))
            }
        }
    }

    /// The practice's database as `serve` would name it, opened as it is: nothing is created or changed.
    pub async fn from_data(data: &DataArgs, url: Option<&str>) -> anyhow::Result<Self> {
        let keys = crate::keys::load(data, false)?.0;
        match url {
            Some(url) => Self::open_as_is(url, &keys).await,
            None => {
                let db = data.data.join("alliance.db");
                if !db.exists() {
                    bail!("there is no database at {}", db.display());
                }
                Self::open_as_is(&format!("sqlite:{}", db.display()), &keys).await
            }
        }
    }

    pub fn engine(&self) -> Engine<'_> {
        match self {
            Db::Sqlite(s) => Engine::Sqlite(s),
            Db::Postgres(s) => Engine::Postgres(s),
        }
    }

    pub fn engine_name(&self) -> &'static str {
        dump::engine_name(self.engine())
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(s) => s.close().await,
            Db::Postgres(s) => s.close().await,
        }
    }
}

/// Writes a consistent, encrypted copy of `db` to `path`; returns its manifest and the file's size.
pub async fn write_backup(
    db: Engine<'_>,
    path: &Path,
    key: &BackupKey,
    now: time::OffsetDateTime,
) -> anyhow::Result<(Manifest, u64)> {
    if path.exists() {
        bail!("{} already exists; a backup never overwrites a file", path.display());
    }
    let header = Header {
        format: 1,
        key_id: key.id(),
        engine: dump::engine_name(db).to_owned(),
        created_at: now.unix_timestamp(),
    };
    let mut writer = BackupWriter::create(path, key, &header)?;
    let (to, mut from) = mpsc::channel::<StoreResult<Piece>>(16);
    // The file is written on a blocking thread while the database is read here.
    let writing = tokio::task::spawn_blocking(move || -> anyhow::Result<BackupWriter> {
        let mut bytes = Vec::with_capacity(256 * 1024);
        while let Some(piece) = from.blocking_recv() {
            dump::encode_piece(&piece?, &mut bytes)?;
            if bytes.len() >= 128 * 1024 {
                writer.write(&bytes)?;
                bytes.clear();
            }
        }
        writer.write(&bytes)?;
        Ok(writer)
    });
    let dumped = dump::dump(db, &to).await;
    drop(to);
    let writer = writing.await.context("the backup writer stopped")??;
    match dumped {
        Ok(manifest) => Ok((manifest, writer.finish()?)),
        Err(e) => {
            writer.abandon();
            Err(e).context("cannot read the database")
        }
    }
}

/// Restores the backup at `path` into the empty database `db`, verifying counts and checksums before committing.
pub async fn restore_backup(db: Engine<'_>, path: &Path, key: &BackupKey) -> anyhow::Result<(Header, Manifest)> {
    let file = std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let reader = BackupReader::open(file, key)?;
    let header = reader.header.clone();
    let (to, from) = mpsc::channel::<StoreResult<Piece>>(16);
    let reading = tokio::task::spawn_blocking(move || dump::feed(reader, &to));
    let loaded = dump::load(db, from).await;
    let read = reading.await.context("the backup reader stopped")?;
    // A damaged file is the cause to report, not the load's "ends early" that follows from it.
    read.context("cannot restore")?;
    let loaded = loaded.context("cannot restore")?;
    Ok((header, loaded.manifest))
}

/// Decrypts and checks a backup without restoring it.
pub fn verify_backup(path: &Path, key: &BackupKey) -> anyhow::Result<(Header, Manifest)> {
    let file = std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let reader = BackupReader::open(file, key)?;
    let header = reader.header.clone();
    let (_, manifest) = dump::verify_copy(std::io::BufReader::with_capacity(256 * 1024, reader))
        .context("the backup does not verify")?;
    Ok((header, manifest))
}

#[allow(clippy::print_stdout)]
fn print_summary(title: &str, manifest: &Manifest) {
    println!("{title}");
    for t in &manifest.tables {
        println!("  {:<28} {:>10} rows  sha256 {}", t.name, t.rows, t.sha256);
    }
    println!("  {:<28} {:>10} rows", "total", manifest.total_rows());
}

pub async fn backup(args: BackupArgs) -> anyhow::Result<()> {
    if args.to.exists() {
        bail!("{} already exists; a backup never overwrites a file", args.to.display());
    }
    let key = BackupKey::load(args.key.backup_key_file.as_deref(), args.key.new_key)?;
    let db = Db::from_data(&args.data, args.database_url.as_deref()).await?;
    let started = std::time::Instant::now();
    let written = write_backup(db.engine(), &args.to, &key, time::OffsetDateTime::now_utc()).await;
    db.close().await;
    let (manifest, size) = written?;
    print_summary(
        &format!(
            "Backup written to {} ({size} bytes, key id {}, {:.1} s):",
            args.to.display(),
            key.id(),
            started.elapsed().as_secs_f64()
        ),
        &manifest,
    );
    Ok(())
}

pub async fn restore(args: RestoreArgs) -> anyhow::Result<()> {
    let key = BackupKey::load(args.key.backup_key_file.as_deref(), false)?;
    let Some(target) = &args.to else {
        if !args.verify {
            bail!("say where to restore with --to DATABASE, or check the file only with --verify");
        }
        let (header, manifest) = verify_backup(&args.from, &key)?;
        print_summary(
            &format!("The backup verifies: taken from {} at {} (Unix time).", header.engine, header.created_at),
            &manifest,
        );
        return Ok(());
    };
    let started = std::time::Instant::now();
    let (keys, _) = crate::keys::load(&args.data, false)?;
    let made_at = backup_schema(&args.from, &key)?;
    let ours = SqliteStore::schema_versions();
    let upgrade_from = if made_at == ours {
        None
    } else if made_at.len() < ours.len() && ours.starts_with(&made_at) {
        made_at.last().copied()
    } else if made_at.last() > ours.last() {
        bail!(
            "the backup was made by a newer Alliance release (schema version {}; this one knows up to {}): \
             restore it with that release or a later one",
            made_at.last().copied().unwrap_or_default(),
            ours.last().copied().unwrap_or_default()
        );
    } else {
        bail!("the backup's schema versions {made_at:?} are not a line this release continues ({ours:?})");
    };
    // Named before anything is created, so that a bad name leaves nothing behind.
    let scratch = match DbName::parse(target)? {
        DbName::Sqlite(path) => {
            path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")).to_owned()
        }
        DbName::Postgres(_) => std::env::temp_dir(),
    };
    let db = Db::open(target, &keys).await?;
    let restored = match upgrade_from {
        None => restore_backup(db.engine(), &args.from, &key).await.map(|(_, manifest)| manifest),
        Some(version) => restore_through_upgrade(db.engine(), &scratch, &args.from, &key, &keys, version).await,
    };
    db.close().await;
    let manifest = restored?;
    let how = match upgrade_from {
        None => String::new(),
        Some(version) => format!(
            " (the backup is of schema version {version}, brought up to {} on the way)",
            ours.last().copied().unwrap_or_default()
        ),
    };
    print_summary(
        &format!(
            "Restored and verified (every table's count and checksum read back) in {:.1} s{how}:",
            started.elapsed().as_secs_f64()
        ),
        &manifest,
    );
    Ok(())
}

/// The schema versions a backup was made at, from its first piece.
fn backup_schema(path: &Path, key: &BackupKey) -> anyhow::Result<Vec<i64>> {
    let file = std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut reader = BackupReader::open(file, key)?;
    match dump::decode_piece(&mut reader).context("cannot restore")? {
        Some(Piece::Item(Item::Preface(preface))) => Ok(preface.schema_versions),
        _ => bail!("cannot restore: the backup does not start with its preface"),
    }
}

/// Restores a backup made at an older schema `version`: into a scratch SQLite database at that version (which
/// checks every table against the backup), then brought up to date by the same migrations a live database goes
/// through, then copied into `target` (checked again). The scratch database is encrypted with the practice's
/// keys, lives in a folder only its owner can open, and is removed however the restore ends (but a `kill -9`).
async fn restore_through_upgrade(
    target: Engine<'_>,
    scratch: &Path,
    from: &Path,
    key: &BackupKey,
    keys: &Keyring,
    version: i64,
) -> anyhow::Result<Manifest> {
    if !dump::is_empty(target).await.context("cannot read the target database")? {
        bail!("cannot restore: the target database is not empty");
    }
    let folder = tempfile::Builder::new()
        .prefix(".alliance-restore-")
        .tempdir_in(scratch)
        .with_context(|| format!("cannot make a scratch folder in {}", scratch.display()))?;
    let path = folder.path().join("upgrading.db");
    let old = SqliteStore::create_at_version(&path, keys, version)
        .await
        .with_context(|| format!("cannot make a scratch database at schema version {version}"))?;
    let loaded = restore_backup(Engine::Sqlite(&old), from, key).await;
    old.close().await;
    loaded?;
    let upgraded = SqliteStore::open(&path, keys).await.context("cannot bring the restored copy up to date")?;
    let copied = copy_store(Engine::Sqlite(&upgraded), target).await;
    upgraded.close().await;
    copied
}

/// Copies `from` into the empty `to`, verifying counts and checksums; returns the copied tables' summary.
pub async fn copy_store(from: Engine<'_>, to: Engine<'_>) -> anyhow::Result<Manifest> {
    let (sender, receiver) = mpsc::channel::<StoreResult<Piece>>(16);
    let loading = dump::load(to, receiver);
    let dumping = async move {
        let dumped = dump::dump(from, &sender).await;
        if let Err(e) = &dumped {
            let _ = sender.send(Err(alliance_store::StoreError::Corrupt(format!("reading the source: {e}")))).await;
        }
        dumped
    };
    let (dumped, loaded) = tokio::join!(dumping, loading);
    // The load's error names the cause (a source error reaches it through the channel).
    let loaded = loaded.context("the copy was not made; the target is unchanged")?;
    dumped.context("cannot read the source database")?;
    Ok(loaded.manifest)
}

pub async fn migrate(args: MigrateArgs) -> anyhow::Result<()> {
    let (keys, _) = crate::keys::load(&args.data, false)?;
    let from = Db::open(&args.from, &keys).await?;
    let to = match Db::open(&args.to, &keys).await {
        Ok(to) => to,
        Err(e) => {
            from.close().await;
            return Err(e);
        }
    };
    let started = std::time::Instant::now();
    let copied = copy_store(from.engine(), to.engine()).await;
    let (from_name, to_name) = (from.engine_name(), to.engine_name());
    from.close().await;
    to.close().await;
    let manifest = copied?;
    print_summary(
        &format!(
            "Copied from {from_name} to {to_name} and verified (counts and checksums) in {:.1} s:",
            started.elapsed().as_secs_f64()
        ),
        &manifest,
    );
    Ok(())
}
