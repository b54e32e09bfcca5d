//! `alliance audit verify`: checks the audit log's hash chain, entry by entry.

use std::path::PathBuf;

use alliance_store::prelude::*;
use alliance_store::{PostgresOptions, PostgresStore, SqliteStore, audit};
use anyhow::{Context, bail};
use clap::Subcommand;

use crate::DataArgs;

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Check that no audit entry was changed, removed or inserted. Exits non-zero and names the first broken
    /// entry when one was.
    Verify {
        #[command(flatten)]
        data: DataArgs,
        /// The database to check: `sqlite:PATH` or `postgres://...` (default: the data folder's database).
        #[arg(long = "database", env = "ALLIANCE_DATABASE_URL", value_name = "URL", hide_env_values = true)]
        database: Option<String>,
    },
}

pub async fn run(command: AuditCommand) -> anyhow::Result<()> {
    match command {
        AuditCommand::Verify { data, database } => verify(data, database).await,
    }
}

async fn verify(data: DataArgs, database: Option<String>) -> anyhow::Result<()> {
    // The chain holds no sealed fields, but an encrypted database file needs its key to be read at all.
    let keys = || crate::keys::load(&data, false).map(|(keys, _)| keys);
    let sqlite = |path: PathBuf| async move {
        // Checking must never create an empty database and call it intact.
        if !path.is_file() {
            bail!("no database at {}", path.display());
        }
        SqliteStore::open(&path, &keys()?).await.with_context(|| format!("cannot open {}", path.display()))
    };
    let report = match database.as_deref() {
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            let store =
                PostgresStore::connect(url, PostgresOptions { max_connections: 2, ..Default::default() }, &keys()?)
                    .await
                    .context("cannot open the PostgreSQL database")?;
            let report = audit::verify_chain(&store as &dyn Store).await;
            store.close().await;
            report?
        }
        Some(other) => {
            let Some(path) = other.strip_prefix("sqlite:") else {
                bail!("--database takes sqlite:PATH or postgres://...");
            };
            let store = sqlite(PathBuf::from(path.trim_start_matches("//"))).await?;
            let report = audit::verify_chain(&store as &dyn Store).await;
            store.close().await;
            report?
        }
        None => {
            let store = sqlite(data.data.join("alliance.db")).await?;
            let report = audit::verify_chain(&store as &dyn Store).await;
            store.close().await;
            report?
        }
    };
    match report.broken {
        None => {
            #[allow(clippy::print_stdout)]
            {
                println!(
                    "Audit log intact: {} entries verified. Last hash: {}",
                    report.verified,
                    audit::hex(&report.last_hash)
                );
            }
            Ok(())
        }
        Some(broken) => bail!(
            "audit log broken: {broken} ({} entries before it verified){}",
            report.verified,
            broken.seq().map(|s| format!("; first broken entry: {s}")).unwrap_or_default()
        ),
    }
}
