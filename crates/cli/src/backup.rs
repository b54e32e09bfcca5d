//! `alliance backup`, `alliance restore` and `alliance migrate-store`: whole-database copies, to an encrypted file
//! or straight into another database. The copies, the file and their checks are the store's (`dump`); this
//! parses the arguments and prints the summary.

use std::path::PathBuf;

use alliance_store::DatabaseSpec;
use alliance_store::dump::{self, Manifest};
use alliance_store::practice_lock::{self, Holding, PracticeLock};
use anyhow::bail;

use crate::args::{DataArgs, KeyArgs, OpenKeyArgs};

#[derive(clap::Args)]
pub struct BackupArgs {
    /// The backup file to write (it must not exist yet).
    #[arg(long, value_name = "FILE")]
    pub to: PathBuf,
    #[command(flatten)]
    pub data: DataArgs,
    /// Back up this database (postgres://... or sqlite:PATH) instead of the SQLite file in --data.
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
    /// Check the file only (decryption, every table's count and checksum), without --to; with --data or
    /// --key-file also that the key file has every key version the backup records. With --to every restore is
    /// checked anyway: the restored tables read back, and every encrypted value opened with the key file.
    #[arg(long)]
    pub verify: bool,
    #[command(flatten)]
    pub key: OpenKeyArgs,
    /// Where the practice's key file is (`--data` or `--key-file`): the restored database is encrypted with the
    /// same keys as the one the backup was taken from, whose sealed fields it carries as they were. The key file
    /// must hold every key version the backup's fields use: a version retired since needs the older key file.
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

#[allow(clippy::print_stdout)]
fn print_summary(title: &str, manifest: &Manifest) {
    println!("{title}");
    for t in &manifest.tables {
        println!("  {:<28} {:>10} rows  sha256 {}", t.name, t.rows, t.sha256);
    }
    println!("  {:<28} {:>10} rows", "total", manifest.total_rows());
}

pub async fn backup(args: BackupArgs) -> anyhow::Result<()> {
    // Before the key is loaded or made: a backup that cannot be written needs no new key.
    dump::refuse_existing(&args.to)?;
    let key = args.key.load(args.key.new_key)?;
    let source = args.data.database(args.database_url.as_deref())?;
    let keys = args.data.load_keys(false)?.keys;
    let started = std::time::Instant::now();
    let now = time::OffsetDateTime::now_utc();
    let (manifest, size) = dump::back_up(&source, &keys, &args.to, &key, now).await?;
    let at = now
        .replace_nanosecond(0)
        .unwrap_or(now)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| now.to_string());
    print_summary(
        &format!(
            "Backup written to {} at {at} ({size} bytes, backup key id {}, {:.1} s):",
            args.to.display(),
            key.id(),
            started.elapsed().as_secs_f64()
        ),
        &manifest,
    );
    Ok(())
}

pub async fn restore(args: RestoreArgs) -> anyhow::Result<()> {
    if args.to.is_none() && !args.verify {
        bail!("say where to restore with --to DATABASE, or check the file only with --verify");
    }
    let key = args.key.load()?;
    let Some(target) = &args.to else {
        let (header, manifest) = dump::verify_backup(&args.from, &key)?;
        let mut versions = match &header.key_versions {
            Some(list) => format!("its encrypted values use key version {}", dump::versions(list)),
            None => "it does not record the key versions its encrypted values use (an earlier release made it)".into(),
        };
        // With the practice's key file named, whether it has every version the restore will need.
        if args.data.data.is_some() || args.data.key_file.is_some() {
            let have = args.data.load_keys(false)?.keys.versions();
            if let Some(list) = &header.key_versions {
                let missing: Vec<u32> = list.iter().copied().filter(|v| !have.contains(v)).collect();
                if !missing.is_empty() {
                    return Err(dump::BackupError::MissingKeys { missing, have }.into());
                }
                versions.push_str(", which the key file has");
            }
        }
        print_summary(
            &format!("The backup verifies: taken from {} at {}; {versions}.", header.engine, header.created_at_text()),
            &manifest,
        );
        return Ok(());
    };
    let started = std::time::Instant::now();
    let target = DatabaseSpec::parse(target)?;
    let keys = args.data.load_keys(false)?.keys;
    let restored = dump::restore(&args.from, &key, &target, &keys).await?;
    let how = match restored.upgraded {
        None => String::new(),
        Some((version, newest)) => {
            format!(" (the backup is of schema version {version}, brought up to {newest} on the way)")
        }
    };
    print_summary(
        &format!(
            "Restored and verified (every table's count and checksum read back) in {:.1} s{how}; the backup was taken \
             from {} at {}:",
            started.elapsed().as_secs_f64(),
            restored.header.engine,
            restored.header.created_at_text()
        ),
        &restored.manifest,
    );
    #[allow(clippy::print_stdout)]
    {
        let versions = if restored.sealed.versions.is_empty() {
            String::new()
        } else {
            format!(" (key version {})", dump::versions(&restored.sealed.versions))
        };
        println!(
            "Encrypted values: {} restored, every one opened with the key file{versions}.",
            restored.sealed.values
        );
        println!(
            "Sign-ins ended: {} (a restore ends every sign-in the backup held; everyone signs in again).",
            restored.sign_ins_ended
        );
    }
    Ok(())
}

/// Holds a database alone; a SQLite file that does not exist yet has no one to keep out.
async fn hold_alone(spec: &DatabaseSpec) -> anyhow::Result<Option<PracticeLock>> {
    Ok(match spec {
        DatabaseSpec::Sqlite(path) if !path.exists() => None,
        _ => Some(practice_lock::hold(spec, Holding::Alone).await?),
    })
}

pub async fn migrate(args: MigrateArgs) -> anyhow::Result<()> {
    let (from, to) = (DatabaseSpec::parse(&args.from)?, DatabaseSpec::parse(&args.to)?);
    if from == to {
        bail!("--from and --to name the same database; copy into a new, empty one");
    }
    let keys = args.data.load_keys(false)?.keys;
    // A server writing the source meanwhile would lose what it writes after its table was copied, and one started
    // on the target would serve half a copy: both are held alone for the copy (docs/ARCHITECTURE.md#one-holder).
    let _source_alone = hold_alone(&from).await?;
    let _target_alone = hold_alone(&to).await?;
    let started = std::time::Instant::now();
    let migrated = dump::migrate(&from, &to, &keys).await?;
    print_summary(
        &format!(
            "Copied from {} to {} and verified (counts and checksums) in {:.1} s:",
            migrated.from_engine,
            migrated.to_engine,
            started.elapsed().as_secs_f64()
        ),
        &migrated.manifest,
    );
    Ok(())
}
