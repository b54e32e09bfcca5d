//! `alliance keys ...`: rotate field keys, retire old ones, give the SQLite file a new page key. The steps and
//! their order are the store's (`key_change`); this parses the arguments and prints what was done.

use alliance_store::DatabaseSpec;
use alliance_store::dump;
use alliance_store::key_change::{self, Rekeyed};
use alliance_store::practice_lock::{self, Holding};
use anyhow::{Context, bail};
use clap::Subcommand;

use crate::args::DataArgs;

#[derive(Subcommand)]
pub enum KeysCommand {
    /// Add a new field key and re-encrypt every encrypted field under it (one transaction). The old key stays in
    /// the file, for backups made before, until `retire`. A server running on this key file takes up the new key
    /// by itself; other servers need the new key file copied to them first (see the README).
    Rotate(Practice),
    /// For several servers on one database: add a new field key to the key file without using it yet. Copy the
    /// key file to every server, then run `rotate`, which re-encrypts under this key.
    Stage(Practice),
    /// Give the SQLite database a new page key (the `db` line): the file is rewritten under it. Refused while a
    /// server serves the practice: stop it first. Resumes an interrupted run.
    Rekey(Practice),
    /// Remove an old field key (e.g. v1) from the key file; refused while any field still uses it, and while a
    /// backup in --backup-dir still needs it. Give --backup-dir: a backup that needs a retired key does not
    /// restore with the key file that is left.
    Retire {
        #[command(flatten)]
        practice: Practice,
        /// The version to remove, such as v1.
        version: String,
        /// A folder of backups (the one `serve --backup-dir` or `backup-dir` in its config file names, and any
        /// other where backups are kept; may be given several times): retiring is refused while a backup there
        /// needs the version, or made by an earlier release does not say which versions it needs.
        #[arg(long = "backup-dir", env = "ALLIANCE_BACKUP_DIR", value_name = "DIR")]
        backup_dirs: Vec<std::path::PathBuf>,
        /// `serve`'s configuration file: its `backup-dir` is checked as if given with --backup-dir.
        #[arg(long, env = "ALLIANCE_CONFIG", value_name = "FILE")]
        config: Option<std::path::PathBuf>,
        /// Retire the version even though backups in --backup-dir need it (they will not restore with this key
        /// file; keep a copy of the key file as it is now beside them).
        #[arg(long)]
        force: bool,
    },
}

#[derive(clap::Args)]
pub struct Practice {
    #[command(flatten)]
    data: DataArgs,
    /// The practice's database when it is not the SQLite file in --data: postgres://... or sqlite:PATH (as
    /// `serve --database`).
    #[arg(long = "database", env = "ALLIANCE_DATABASE_URL", value_name = "URL", hide_env_values = true)]
    database_url: Option<String>,
}

impl Practice {
    /// The practice's database: these commands change an existing one, so nothing is prepared for a new one.
    fn database(&self) -> anyhow::Result<DatabaseSpec> {
        self.data.database(self.database_url.as_deref())
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
            let rotated = key_change::rotate(&practice.database()?, &practice.data.key_location()).await?;
            let older: Vec<String> = rotated.older.iter().map(|v| format!("v{v}")).collect();
            println!(
                "{} v{} {} {}; {} fields re-encrypted under it. Older versions ({}) can be retired with \
                 `alliance keys retire VERSION --backup-dir DIR` once no backup needs them.",
                if rotated.staged { "Staged key" } else { "New key" },
                rotated.version,
                if rotated.staged { "in" } else { "written to" },
                rotated.key_file.display(),
                rotated.rewritten,
                older.join(", ")
            );
        }
        KeysCommand::Stage(practice) => {
            let (version, key_file) = key_change::stage(&practice.database()?, &practice.data.key_location()).await?;
            println!(
                "Key v{version} is in {} and seals nothing yet. Copy that file to every server of this practice, then \
                 run `alliance keys rotate` to re-encrypt under v{version}.",
                key_file.display()
            );
        }
        KeysCommand::Rekey(practice) => {
            let spec = practice.database()?;
            // The file is rewritten and swapped: a server that has it open would go on with the old one.
            let _alone = match &spec {
                DatabaseSpec::Sqlite(path) if path.exists() => Some(practice_lock::hold(&spec, Holding::Alone).await?),
                _ => None,
            };
            match key_change::rekey(&spec, &practice.data.key_location()).await? {
                Rekeyed::FinishedInterrupted { key_file } => {
                    println!("Finished an interrupted rekey: {} holds the new key.", key_file.display());
                }
                Rekeyed::Done { key_file } => println!(
                    "The database has a new page key; {} is updated. Copy the key file again: older backups need the \
                     old one.",
                    key_file.display()
                ),
            }
        }
        KeysCommand::Retire { practice, version, mut backup_dirs, config, force } => {
            let version = parse_version(&version)?;
            if let Some(file) = &config
                && let Some(dir) = crate::config::text_setting(file, "backup-dir")?
            {
                backup_dirs.push(dir.into());
            }
            let mut needing = Vec::new();
            for dir in &backup_dirs {
                needing.extend(dump::backups_needing(dir, version)?);
            }
            let mut forced = None;
            if !needing.is_empty() {
                let list: Vec<String> = needing
                    .iter()
                    .map(|b| {
                        let unknown = if b.header.key_versions.is_none() { ", key versions not recorded" } else { "" };
                        format!("{} (made {}{unknown})", b.path.display(), b.header.created_at_text())
                    })
                    .collect();
                let what = format!("{} backup(s) may need v{version} to restore: {}", needing.len(), list.join("; "));
                if !force {
                    bail!(
                        "{what}. Keep v{version} until they are gone, or keep a copy of the key file as it is now \
                         beside them and retire with --force"
                    );
                }
                forced = Some(what);
            }
            let key_file = key_change::retire(&practice.database()?, &practice.data.key_location(), version).await?;
            println!("v{version} removed from {}.", key_file.display());
            // Said once the key is gone, so that a refusal stays one line.
            if let Some(what) = forced {
                tracing::warn!(
                    "{what}; retired anyway (--force): keep a copy of the key file from before this retirement \
                     beside them"
                );
            }
            if backup_dirs.is_empty() {
                tracing::warn!(
                    "no --backup-dir given, so no backup was checked: a backup made while v{version} was in use needs \
                     it to restore; keep a copy of the key file from before this retirement beside such backups"
                );
            }
        }
    }
    Ok(())
}
