//! `alliance audit verify`: checks the audit log's hash chain, entry by entry.

use alliance_store::{Database, OpenMode, Opening, audit};
use anyhow::bail;
use clap::Subcommand;

use crate::args::DataArgs;

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
    let spec = data.database(database.as_deref())?;
    // Checking must never create an empty database and call it intact.
    spec.ensure_exists()?;
    // The chain holds no sealed fields, but an encrypted database file needs its key to be read at all.
    let keys = data.load_keys(false)?.keys;
    let db = Database::open(&spec, &keys, &Opening::new(OpenMode::Latest).connections(2)).await?;
    let report = audit::verify_chain(db.as_store()).await;
    db.close().await;
    let report = report?;
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
