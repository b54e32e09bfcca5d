//! The practice's key file, and `alliance keys ...`: rotate field keys, retire old ones, give the SQLite file a new
//! page key.
//!
//! Keys come from `--key-file PATH`, else from `ALLIANCE_KEYS` (the file's content, for container secrets), else
//! from `<data>/keys/alliance.keys`, which is created (mode 0600 in a 0700 folder) when there is no database yet.
//! A key file that other users can read or change is refused.

use std::io::Write;
use std::path::{Path, PathBuf};

use alliance_store::cipher::MAX_KEY_FILE_BYTES;
use alliance_store::{Keyring, SqliteStore};
use anyhow::{Context, bail};
use clap::Subcommand;

use crate::DataArgs;
use crate::users::PracticeStore;

/// The environment variable that may hold the key file's content.
pub const KEYS_ENV: &str = "ALLIANCE_KEYS";

#[derive(Subcommand)]
pub enum KeysCommand {
    /// Add a new field key and re-encrypt every encrypted field under it (one transaction). The old key stays in
    /// the file, for backups made before, until `retire`.
    Rotate(Practice),
    /// Give the SQLite database a new page key (the `db` line): the file is rewritten under it. Stop the server
    /// first. Resumes an interrupted run.
    Rekey(Practice),
    /// Remove an old field key (e.g. v1) from the key file; refused while any field still uses it.
    Retire {
        #[command(flatten)]
        practice: Practice,
        /// The version to remove, such as v1.
        version: String,
    },
}

#[derive(clap::Args)]
pub struct Practice {
    #[command(flatten)]
    data: DataArgs,
    /// The practice's PostgreSQL database, when it serves from one (as `serve --database`).
    #[arg(long = "database", env = "ALLIANCE_DATABASE_URL", value_name = "URL", hide_env_values = true)]
    database_url: Option<String>,
}

pub fn default_key_file(data: &Path) -> PathBuf {
    data.join("keys").join("alliance.keys")
}

/// Where the keys came from.
pub enum KeySource {
    File(PathBuf),
    Environment,
}

/// The practice's keys. `fresh` says there is no data yet, so a missing default key file may be created.
pub fn load(data: &DataArgs, fresh: bool) -> anyhow::Result<(Keyring, KeySource)> {
    let loaded = load_even_if_pending(data, fresh)?;
    if let KeySource::File(path) = &loaded.1 {
        let pending = sibling(path, ".pending");
        if pending.exists() {
            bail!(
                "an interrupted `alliance keys rekey` left {}; run `alliance keys rekey` again to finish it",
                pending.display()
            );
        }
    }
    Ok(loaded)
}

fn load_even_if_pending(data: &DataArgs, fresh: bool) -> anyhow::Result<(Keyring, KeySource)> {
    if data.key_file.is_none()
        && let Ok(text) = std::env::var(KEYS_ENV)
    {
        let keys = Keyring::parse(&text).with_context(|| format!("the keys in {KEYS_ENV}"))?;
        return Ok((keys, KeySource::Environment));
    }
    let path = data.key_file.clone().unwrap_or_else(|| default_key_file(&data.data));
    if !path.exists() {
        if !fresh {
            bail!(
                "no key file at {}: the data cannot be opened without the key file it was created with \
                 (pass --key-file or set {KEYS_ENV})",
                path.display()
            );
        }
        let keys = Keyring::generate();
        write_key_file(&path, &keys, false)?;
        tracing::info!(file = %path.display(), "new key file created; keep a copy apart from the backups");
        return Ok((keys, KeySource::File(path)));
    }
    Ok((read_key_file(&path)?, KeySource::File(path)))
}

/// Reads a key file, refusing one that others can read or change.
pub fn read_key_file(path: &Path) -> anyhow::Result<Keyring> {
    let meta = std::fs::metadata(path).with_context(|| format!("cannot read the key file {}", path.display()))?;
    if !meta.is_file() {
        bail!("the key file {} is not a file", path.display());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            bail!(
                "the key file {} can be read or changed by other users (mode {mode:o}); run chmod 600 on it",
                path.display()
            );
        }
    }
    if meta.len() > MAX_KEY_FILE_BYTES as u64 {
        bail!("the key file {} is larger than {MAX_KEY_FILE_BYTES} bytes", path.display());
    }
    let text = zeroize::Zeroizing::new(
        std::fs::read_to_string(path).with_context(|| format!("cannot read the key file {}", path.display()))?,
    );
    Keyring::parse(&text).with_context(|| format!("the key file {}", path.display()))
}

/// Writes `keys` to `path` readable by its owner only, in a folder only the owner can open (created if missing).
/// `replace` swaps an existing file atomically (write aside, flush to disk, rename): a crash leaves the old file
/// or the new one, never half of one.
pub fn write_key_file(path: &Path, keys: &Keyring, replace: bool) -> anyhow::Result<()> {
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if !folder.exists() {
        // Every folder made here (the data folder too, on a first start) is the owner's only.
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(folder).with_context(|| format!("cannot create {}", folder.display()))?;
    }
    let target = if replace { path.with_extension("keys.new") } else { path.to_path_buf() };
    if replace {
        let _ = std::fs::remove_file(&target);
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&target).with_context(|| format!("cannot create the key file {}", target.display()))?;
    file.write_all(keys.to_file_text().as_bytes())?;
    file.sync_all()?;
    if replace {
        std::fs::rename(&target, path).with_context(|| format!("cannot replace {}", path.display()))?;
    }
    if let Ok(dir) = std::fs::File::open(folder) {
        let _ = dir.sync_all();
    }
    Ok(())
}

fn file_only(source: KeySource) -> anyhow::Result<PathBuf> {
    match source {
        KeySource::File(path) => Ok(path),
        KeySource::Environment => {
            bail!("the keys come from {KEYS_ENV}; changing them needs the key file itself (pass --key-file)")
        }
    }
}

fn parse_version(text: &str) -> anyhow::Result<u32> {
    text.strip_prefix('v')
        .and_then(|n| n.parse().ok())
        .with_context(|| format!("{text:?} is not a key version such as v1"))
}

#[allow(clippy::print_stdout)]
pub async fn run(command: KeysCommand) -> anyhow::Result<()> {
    match command {
        KeysCommand::Rotate(practice) => {
            let (keys, source) = load(&practice.data, false)?;
            let path = file_only(source)?;
            // Check that the keys open the data before changing anything.
            let url = practice.database_url.as_deref();
            PracticeStore::open_with(&practice.data, url, &keys).await?.close().await;
            let next = keys.with_new_version();
            // The new key is on disk before any data is sealed with it.
            write_key_file(&path, &next, true)?;
            let store = PracticeStore::open_with(&practice.data, url, &next).await?;
            let rewritten = store.reencrypt_fields().await;
            store.close().await;
            let rewritten = rewritten.with_context(|| {
                format!(
                    "re-encryption failed and was rolled back: the data is as it was, and key v{} is in the key file \
                     unused; run rotate again",
                    next.newest_version()
                )
            })?;
            let old: Vec<String> = keys.versions().iter().map(|v| format!("v{v}")).collect();
            println!(
                "New key v{} written to {}; {rewritten} fields re-encrypted under it. Older versions ({}) can be \
                 retired with `alliance keys retire VERSION` once no backup needs them.",
                next.newest_version(),
                path.display(),
                old.join(", ")
            );
        }
        KeysCommand::Rekey(practice) => rekey(&practice).await?,
        KeysCommand::Retire { practice, version } => {
            let version = parse_version(&version)?;
            let (keys, source) = load(&practice.data, false)?;
            let path = file_only(source)?;
            let next = keys.without_version(version)?;
            let store = PracticeStore::open_with(&practice.data, practice.database_url.as_deref(), &keys).await?;
            let in_use = store.fields_sealed_with(version).await;
            store.close().await;
            let in_use = in_use?;
            if in_use > 0 {
                bail!("{in_use} fields are still encrypted under v{version}; run `alliance keys rotate` first");
            }
            write_key_file(&path, &next, true)?;
            println!("v{version} removed from {}.", path.display());
        }
    }
    Ok(())
}

impl PracticeStore {
    async fn reencrypt_fields(&self) -> alliance_store::StoreResult<u64> {
        match self {
            PracticeStore::Sqlite(s) => s.reencrypt_fields().await,
            PracticeStore::Postgres(s) => s.reencrypt_fields().await,
        }
    }

    async fn fields_sealed_with(&self, version: u32) -> alliance_store::StoreResult<u64> {
        match self {
            PracticeStore::Sqlite(s) => s.fields_sealed_with(version).await,
            PracticeStore::Postgres(s) => s.fields_sealed_with(version).await,
        }
    }
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    PathBuf::from(format!("{}{suffix}", path.display()))
}

/// A new page key for the SQLite file. Crash-safe in this order: the new keys go to `KEYFILE.pending`; a copy of
/// the database is written under them and checked; the copy replaces the database; the pending keys replace the
/// key file. Run again after an interruption, it finishes or starts over, whichever the files on disk call for.
#[allow(clippy::print_stdout)]
async fn rekey(practice: &Practice) -> anyhow::Result<()> {
    if practice.database_url.is_some() {
        bail!("rekey is for the SQLite file; on PostgreSQL the server's own storage is not Alliance's to encrypt");
    }
    let (keys, source) = load_even_if_pending(&practice.data, false)?;
    let key_path = file_only(source)?;
    let db = crate::server::prepare_data_dir(&practice.data.data)?;
    let pending = sibling(&key_path, ".pending");
    let copy = sibling(&db, ".rekeyed");
    if pending.exists() {
        let next = read_key_file(&pending)?;
        if let Ok(store) = SqliteStore::open(&db, &next).await {
            // The database was swapped; only the key file was not.
            store.close().await;
            std::fs::rename(&pending, &key_path)?;
            println!("Finished an interrupted rekey: {} holds the new key.", key_path.display());
            return Ok(());
        }
        // The database was never swapped: start over.
        std::fs::remove_file(&pending)?;
    }
    if copy.exists() {
        std::fs::remove_file(&copy).with_context(|| format!("cannot remove the stale copy {}", copy.display()))?;
    }
    // Opening checks the keys.
    SqliteStore::open(&db, &keys).await.with_context(|| format!("cannot open {}", db.display()))?.close().await;
    let next = keys.with_new_database_secret();
    write_key_file(&pending, &next, false)?;
    if let Err(e) = SqliteStore::export_rekeyed(&db, &keys, &copy, &next).await {
        let _ = std::fs::remove_file(&pending);
        return Err(anyhow::Error::new(e).context("the copy under the new key failed; nothing was changed"));
    }
    crate::server::restrict_database_files(&copy)?;
    // Both WALs are checkpointed to nothing; a stale one beside the new file would be replayed into it.
    // SQLite may still be removing them itself as its last connection closes: gone is as good as removed.
    for stale in [sibling(&copy, "-wal"), sibling(&copy, "-shm"), sibling(&db, "-wal"), sibling(&db, "-shm")] {
        match std::fs::remove_file(&stale) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(anyhow::Error::new(e).context(format!("cannot remove {}", stale.display())));
            }
            _ => {}
        }
    }
    std::fs::rename(&copy, &db).with_context(|| format!("cannot replace {}", db.display()))?;
    sync_folder(&db);
    std::fs::rename(&pending, &key_path).with_context(|| format!("cannot replace {}", key_path.display()))?;
    sync_folder(&key_path);
    println!(
        "The database has a new page key; {} is updated. Copy the key file again: older backups need the old one.",
        key_path.display()
    );
    Ok(())
}

fn sync_folder(path: &Path) {
    if let Some(dir) = path.parent()
        && let Ok(dir) = std::fs::File::open(dir)
    {
        let _ = dir.sync_all();
    }
}
