//! `alliance keys ...`: rotate field keys, retire old ones, give the SQLite file a new page key. The steps and
//! their order are the store's (`key_change`); this parses the arguments and prints what was done.

use alliance_store::DatabaseSpec;
use alliance_store::key_change::{self, Rekeyed};
use anyhow::Context;
use clap::Subcommand;

use crate::args::DataArgs;

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
                "New key v{} written to {}; {} fields re-encrypted under it. Older versions ({}) can be retired with \
                 `alliance keys retire VERSION` once no backup needs them.",
                rotated.version,
                rotated.key_file.display(),
                rotated.rewritten,
                older.join(", ")
            );
        }
        KeysCommand::Rekey(practice) => {
            match key_change::rekey(&practice.database()?, &practice.data.key_location()).await? {
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
        KeysCommand::Retire { practice, version } => {
            let version = parse_version(&version)?;
            let key_file = key_change::retire(&practice.database()?, &practice.data.key_location(), version).await?;
            println!("v{version} removed from {}.", key_file.display());
        }
    }
    Ok(())
}
