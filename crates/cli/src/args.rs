//! Arguments several commands share (where the practice's data and keys are, which database, the backup key),
//! turned into what the store takes. Reading the environment and logging what the store reports happen here;
//! the rules (which key source wins, what may be created) are the store's.

use std::path::PathBuf;

use alliance_store::data_folder::{DataFolder, FolderState};
use alliance_store::dump::file::{BACKUP_KEY_ENV, BackupKey, BackupKeyError};
use alliance_store::key_file::{KEYS_ENV, KeyLocation, LoadedKeys};
use alliance_store::open::OpenError;
use alliance_store::practice_lock::{self, Holding, PracticeLock};
use alliance_store::{Database, DatabaseSpec, Keyring, OpenMode, Opening, StoreError};
use anyhow::bail;
use zeroize::Zeroizing;

/// Where a practice keeps its database.
#[derive(clap::Args, Clone)]
pub struct DataArgs {
    /// The practice's data folder: its database and key file (created with owner-only permissions by
    /// `user create-admin`). Required with SQLite; with PostgreSQL it holds the key file unless --key-file names
    /// it. Never guessed: a practice started in the wrong folder would be a new, empty one.
    #[arg(long, env = "ALLIANCE_DATA", value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// The key file (default: DATA/keys/alliance.keys, created on first start). Instead of a file, the
    /// environment variable ALLIANCE_KEYS may hold its content.
    #[arg(long, env = "ALLIANCE_KEY_FILE", value_name = "PATH")]
    pub key_file: Option<PathBuf>,
}

impl DataArgs {
    /// The data folder, which must have been named.
    pub fn folder(&self) -> anyhow::Result<DataFolder> {
        match &self.data {
            Some(dir) => Ok(DataFolder::new(dir)),
            None => anyhow::bail!(
                "name the practice's data folder with --data DIR (or ALLIANCE_DATA, or `data = \"DIR\"` in the config \
                 file); Alliance never picks one, since a practice started in the wrong folder would be a new, empty one"
            ),
        }
    }

    /// Where the practice's keys are looked for.
    pub fn key_location(&self) -> KeyLocation {
        KeyLocation {
            named_file: self.key_file.clone(),
            environment: std::env::var(KEYS_ENV).ok().map(Zeroizing::new),
            folder_file: self.data.as_ref().map(|dir| DataFolder::new(dir).key_file()),
        }
    }

    /// The practice's keys; `fresh` (no data yet) lets a missing key file be created.
    pub fn load_keys(&self, fresh: bool) -> anyhow::Result<LoadedKeys> {
        let loaded = self.key_location().load(fresh)?;
        if loaded.created
            && let Ok(path) = loaded.file()
        {
            tracing::info!(file = %path.display(), "new key file created; keep a copy apart from the backups");
        }
        Ok(loaded)
    }

    /// The database `named` (a `--database` value), else the data folder's SQLite file.
    pub fn database(&self, named: Option<&str>) -> anyhow::Result<DatabaseSpec> {
        Ok(match named {
            Some(text) => DatabaseSpec::parse(text)?,
            None => self.folder()?.database_spec(),
        })
    }

    /// The practice's database (`named`, else the data folder's, made on a first run) with its keys, opened as
    /// `opening` says. Keys are made only for a practice that does not exist yet: a SQLite file that is not
    /// there, or a PostgreSQL database without an Alliance practice in it (so a forgotten --data never leaves a
    /// stray key file beside a practice it cannot open).
    pub async fn open_practice(&self, named: Option<&str>, opening: &Opening) -> anyhow::Result<Database> {
        let spec = self.database(named)?;
        let fresh = match &spec {
            DatabaseSpec::Sqlite(_) => spec.may_be_new(),
            DatabaseSpec::Postgres(_) => !self.key_location().exists() && !holds_a_practice(&spec, opening).await?,
        };
        if fresh && named.is_none() {
            prepare_folder(&self.folder()?)?;
        }
        let keys = self.load_keys(fresh)?.keys;
        Ok(Database::open(&spec, &keys, opening).await?)
    }

    /// The practice for a server, held (see `practice_lock`): a SQLite file before it is opened, so that nothing
    /// (not even a schema upgrade) touches a database another process holds. A server never creates a practice
    /// (`user create-admin` does), and its keys follow their key file, so that a rotation made while it serves
    /// is taken up.
    pub async fn open_served(
        &self,
        named: Option<&str>,
        opening: &Opening,
    ) -> anyhow::Result<(Database, PracticeLock)> {
        let spec = self.database(named)?;
        let early = match &spec {
            DatabaseSpec::Sqlite(path) => {
                if !path.is_file() {
                    bail!(
                        "no practice at {}: create it with `alliance user create-admin` (same --data), or check --data",
                        path.display()
                    );
                }
                Some(practice_lock::hold(&spec, Holding::Serving).await?)
            }
            DatabaseSpec::Postgres(_) => None,
        };
        let keys = self.load_keys(false)?.serving();
        let db = Database::open(&spec, &keys, opening).await?;
        let lock = match early {
            Some(lock) => lock,
            None => match practice_lock::hold(&spec, Holding::Serving).await {
                Ok(lock) => lock,
                Err(e) => {
                    db.close().await;
                    return Err(e.into());
                }
            },
        };
        Ok((db, lock))
    }
}

impl DataArgs {
    /// A practice that must exist already (a command that changes one, never makes one), with its keys.
    pub async fn open_existing(&self, named: Option<&str>, opening: &Opening) -> anyhow::Result<Database> {
        let spec = self.database(named)?;
        if let DatabaseSpec::Sqlite(path) = &spec
            && !path.is_file()
        {
            bail!("no practice at {}: check --data (or --database)", path.display());
        }
        let keys = self.load_keys(false)?.keys;
        Ok(Database::open(&spec, &keys, opening).await?)
    }
}

/// Whether a PostgreSQL database holds an Alliance practice: a schema with accounts in it (opened with throw-away
/// keys, which a practice's sealed fields refuse).
async fn holds_a_practice(spec: &DatabaseSpec, opening: &Opening) -> anyhow::Result<bool> {
    let probe = Opening { mode: OpenMode::AsIs, ..opening.clone() }.connections(1);
    match Database::open(spec, &Keyring::generate(), &probe).await {
        Ok(db) => {
            let users = db.as_store().count_users().await;
            db.close().await;
            Ok(users? > 0)
        }
        Err(OpenError::Postgres(StoreError::Schema(_))) => Ok(false),
        Err(OpenError::Postgres(StoreError::Key(_))) => Ok(true),
        Err(e) => Err(e.into()),
    }
}

/// Makes the data folder if it is missing (owner-only), warning when an existing one can be read by others.
pub fn prepare_folder(folder: &DataFolder) -> anyhow::Result<()> {
    if folder.prepare()? == FolderState::ReadableByOthers {
        tracing::warn!(folder = %folder.path().display(), "the data folder can be read by other users; consider chmod 700");
    }
    Ok(())
}

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

impl KeyArgs {
    /// The backup key; `create` lets a missing key file be made (`--new-key` where a command allows it).
    pub fn load(&self, create: bool) -> anyhow::Result<BackupKey> {
        let environment = std::env::var(BACKUP_KEY_ENV).ok().map(Zeroizing::new);
        let file = self.backup_key_file.as_deref();
        let loaded = BackupKey::load(file, environment.as_ref().map(|text| text.as_str()), create)?;
        if loaded.created
            && let Some(path) = file
        {
            tracing::info!(file = %path.display(), "a new backup key was created: keep a copy apart from the backups");
        }
        Ok(loaded.key)
    }
}

/// Where the backup key that opens an existing backup is: never made anew, since only the key a backup was made
/// with opens it.
#[derive(clap::Args, Clone)]
pub struct OpenKeyArgs {
    /// File holding the key the backup was made with (64 hexadecimal characters). Without it, the key is read
    /// from ALLIANCE_BACKUP_KEY.
    #[arg(long, env = "ALLIANCE_BACKUP_KEY_FILE", value_name = "FILE")]
    pub backup_key_file: Option<PathBuf>,
}

impl OpenKeyArgs {
    /// The backup key, from its file or the environment.
    pub fn load(&self) -> anyhow::Result<BackupKey> {
        let environment = std::env::var(BACKUP_KEY_ENV).ok().map(Zeroizing::new);
        let file = self.backup_key_file.as_deref();
        match BackupKey::load(file, environment.as_ref().map(|text| text.as_str()), false) {
            Ok(loaded) => Ok(loaded.key),
            Err(BackupKeyError::Missing(path)) => bail!(
                "the backup key file {} does not exist: a backup opens only with the key it was made with; name the \
                 file that holds it with --backup-key-file",
                path.display()
            ),
            Err(e) => Err(e.into()),
        }
    }
}
