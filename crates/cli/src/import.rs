//! `alliance import history`: a practice's history from another system, as CSV (docs/ARCHITECTURE.md,
//! "Practice research"; the format in `alliance_core::history`). The whole file is checked first and every bad
//! row is listed with its line and column; `--dry-run` stops there and says what an import would add. An import
//! stores only what is missing, so running it twice stores nothing twice.

use std::io::{BufReader, Write};
use std::path::PathBuf;
use std::sync::Arc;

use alliance_app::{App, ImportSummary};
use alliance_core::practice::SignalSettings;
use alliance_store::{Database, OpenMode, Opening};
use anyhow::{Context, bail};
use clap::Subcommand;

use crate::args::DataArgs;

#[derive(Subcommand)]
pub enum ImportCommand {
    /// Clients, episodes, sessions and questionnaire answers from a CSV with the columns
    /// pseudonym,therapist,started_on,session,held_on,attended,instrument,item,value (therapists by the e-mail of
    /// their account, which must exist). Answers are scored by the instruments' own rules.
    History {
        /// The CSV file.
        #[arg(long, value_name = "FILE")]
        file: PathBuf,
        /// Check the file and say what an import would add, storing nothing.
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        data: DataArgs,
        /// The practice's database: `sqlite:PATH` or `postgres://...` (default: the data folder's).
        #[arg(long = "database", env = "ALLIANCE_DATABASE_URL", value_name = "URL", hide_env_values = true)]
        database: Option<String>,
    },
}

fn describe(s: &ImportSummary) -> String {
    format!(
        "{} clients, {} episodes, {} sessions, {} questionnaires",
        s.clients_new, s.episodes_new, s.sessions_new, s.responses_new
    )
}

fn found(s: &ImportSummary) -> String {
    format!(
        "{} clients, {} episodes, {} sessions, {} questionnaires",
        s.clients_found, s.episodes_found, s.sessions_found, s.responses_found
    )
}

#[allow(clippy::print_stdout)]
pub async fn run(command: ImportCommand) -> anyhow::Result<()> {
    let ImportCommand::History { file, dry_run, data, database } = command;
    let size = std::fs::metadata(&file).with_context(|| format!("cannot open {}", file.display()))?.len();
    if size > alliance_core::history::MAX_FILE_BYTES {
        bail!("{}: larger than {} bytes", file.display(), alliance_core::history::MAX_FILE_BYTES);
    }
    let reader = BufReader::new(std::fs::File::open(&file).with_context(|| format!("cannot open {}", file.display()))?);
    let catalog = Arc::new(alliance_core::catalog::Catalog::builtin().context("the built-in instruments")?);
    let now = time::OffsetDateTime::now_utc();
    let history = match alliance_core::history::parse(reader, &catalog, now.date()) {
        Ok(history) => history,
        Err(found) => {
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            for error in &found.errors {
                writeln!(out, "{}: {error}", file.display())?;
            }
            if found.more > 0 {
                writeln!(out, "{}: {} more", file.display(), found.more)?;
            }
            out.flush()?;
            bail!("{} bad rows in {}: nothing was stored", found.errors.len() + found.more, file.display());
        }
    };
    let spec = data.database(database.as_deref())?;
    // An import into a practice that does not exist would make a new, empty one under the wrong name.
    spec.ensure_exists()?;
    let keys = data.load_keys(false)?.keys;
    let db = Database::open(&spec, &keys, &Opening::new(OpenMode::Latest).connections(2)).await?;
    let app = App::start(db.store(), catalog, SignalSettings::default(), now).await?;
    match app.import_history(&history, !dry_run, now).await? {
        Err(conflicts) => {
            for conflict in &conflicts {
                println!("{}: {conflict}", file.display());
            }
            bail!("{} conflicts with the practice's data: nothing was stored", conflicts.len());
        }
        Ok(summary) if dry_run => {
            println!("dry run, nothing stored: {} rows", history.rows);
            println!("would add: {}", describe(&summary));
            println!("already there: {}", found(&summary));
        }
        Ok(summary) => {
            println!("imported {} rows", history.rows);
            println!("added: {}", describe(&summary));
            println!("already there: {}", found(&summary));
        }
    }
    Ok(())
}
