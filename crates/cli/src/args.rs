//! Arguments several commands share (where the practice's data and keys are, which database, the backup key),
//! turned into what the store takes. Reading the environment and logging what the store reports happen here;
//! the rules (which key source wins, what may be created) are the store's.

use std::path::PathBuf;

use alliance_store::data_folder::{DataFolder, FolderState};
use alliance_store::dump::file::{BACKUP_KEY_ENV, BackupKey};
use alliance_store::key_file::{KEYS_ENV, KeyLocation, LoadedKeys};
use alliance_store::practice_lock::{self, Holding, PracticeLock};
use alliance_store::{Database, DatabaseSpec, Opening};
use zeroize::Zeroizing;

/// Where a practice keeps its database.
#[derive(clap::Args, Clone)]
pub struct DataArgs {
    /// Folder for the database (created with owner-only permissions if missing).
    #[arg(long, env = "ALLIANCE_DATA", default_value = "alliance-data")]
    pub data: PathBuf,
    /// The key file (default: DATA/keys/alliance.keys, created on first start). Instead of a file, the
    /// environment variable ALLIANCE_KEYS may hold its content.
    #[arg(long, env = "ALLIANCE_KEY_FILE", value_name = "PATH")]
    pub key_file: Option<PathBuf>,
}

impl DataArgs {
    pub fn folder(&self) -> DataFolder {
        DataFolder::new(&self.data)
    }

    /// Where the practice's keys are looked for.
    pub fn key_location(&self) -> KeyLocation {
        KeyLocation {
            named_file: self.key_file.clone(),
            environment: std::env::var(KEYS_ENV).ok().map(Zeroizing::new),
            folder_file: self.folder().key_file(),
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
            None => self.folder().database_spec(),
        })
    }

    /// As [`DataArgs::database`], for a command that may create the database: the data folder is made first
    /// (owner-only) when it is the one used.
    pub fn prepare_database(&self, named: Option<&str>) -> anyhow::Result<DatabaseSpec> {
        if named.is_none() {
            prepare_folder(&self.folder())?;
        }
        self.database(named)
    }

    /// The practice's database (`named`, else the data folder's, made on a first run) with its keys, opened as
    /// `opening` says.
    pub async fn open_practice(&self, named: Option<&str>, opening: &Opening) -> anyhow::Result<Database> {
        let spec = self.prepare_database(named)?;
        let keys = self.load_keys(spec.may_be_new())?.keys;
        Ok(Database::open(&spec, &keys, opening).await?)
    }

    /// As [`DataArgs::open_practice`], held as `holding` says (see `practice_lock`): a SQLite file before it is
    /// opened, so that nothing (not even a schema upgrade) touches a database another process holds. A server's
    /// keys follow their key file, so that a rotation made while it serves is taken up.
    pub async fn open_held(
        &self,
        named: Option<&str>,
        opening: &Opening,
        holding: Holding,
    ) -> anyhow::Result<(Database, PracticeLock)> {
        let spec = self.prepare_database(named)?;
        let early = match spec {
            DatabaseSpec::Sqlite(_) => Some(practice_lock::hold(&spec, holding).await?),
            DatabaseSpec::Postgres(_) => None,
        };
        let loaded = self.load_keys(spec.may_be_new())?;
        let keys = if holding == Holding::Serving { loaded.serving() } else { loaded.keys };
        let db = Database::open(&spec, &keys, opening).await?;
        let lock = match early {
            Some(lock) => lock,
            None => match practice_lock::hold(&spec, holding).await {
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
