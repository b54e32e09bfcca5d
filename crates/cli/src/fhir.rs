//! `alliance fhir`: FHIR R4 (issue 19). `export` writes one Bundle of a client's (or every client's) checks and
//! scores, each client's export audited; `questionnaire` prints one instrument as a Questionnaire; `import`
//! turns a Questionnaire into an instrument definition (TOML). What is exported is `alliance_app::fhir`'s, the
//! resources `alliance_core::fhir`'s.

use std::io::Write;
use std::path::{Path, PathBuf};

use alliance_app::fhir::FhirExport;
use alliance_core::catalog::Catalog;
use alliance_core::fhir;
use alliance_store::{AuditEvent, Client, OpenMode, Opening, Store};
use anyhow::{Context, bail};
use clap::Subcommand;
use serde_json::Value;

use crate::args::DataArgs;

#[derive(Subcommand)]
pub enum FhirCommand {
    /// Write one FHIR R4 Bundle (type collection, JSON) to standard output: every client of the practice, or the
    /// one named by --client. Each client exported is recorded in the audit log.
    Export {
        #[command(flatten)]
        data: DataArgs,
        /// The database (postgres://... or sqlite:PATH) instead of the SQLite file in --data.
        #[arg(long = "database", env = "ALLIANCE_DATABASE_URL", value_name = "URL", hide_env_values = true)]
        database_url: Option<String>,
        /// Only the client with this pseudonym.
        #[arg(long, value_name = "PSEUDONYM")]
        client: Option<String>,
    },
    /// Print one instrument (e.g. phq9) as a FHIR R4 Questionnaire. A licensed instrument's wording is never
    /// included.
    Questionnaire {
        /// The instrument id.
        instrument: String,
    },
    /// Convert a FHIR R4 Questionnaire (JSON) whose choice items' answers carry ordinal values into an instrument
    /// definition scored as a sum, marked as imported and not validated. Prints the TOML, or writes
    /// DIR/<id>.toml with --out.
    Import {
        /// The Questionnaire file.
        file: PathBuf,
        /// Write the definition into this folder (the file must not exist yet).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
}

pub async fn run(command: FhirCommand) -> anyhow::Result<()> {
    match command {
        FhirCommand::Export { data, database_url, client } => export(&data, database_url.as_deref(), client).await,
        FhirCommand::Questionnaire { instrument } => questionnaire(&instrument),
        FhirCommand::Import { file, out } => import(&file, out.as_deref()),
    }
}

fn print_json(value: &Value) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    out.flush()?;
    Ok(())
}

fn questionnaire(id: &str) -> anyhow::Result<()> {
    let catalog = Catalog::builtin().context("the built-in instrument definitions are invalid")?;
    let Some(instrument) = catalog.get(id) else {
        let known: Vec<_> = catalog.all().map(|i| i.id.as_str()).collect();
        bail!("no instrument `{id}`; known: {}", known.join(", "));
    };
    print_json(&fhir::questionnaire(instrument))
}

fn import(file: &Path, out: Option<&Path>) -> anyhow::Result<()> {
    let size = std::fs::metadata(file).with_context(|| format!("reading {}", file.display()))?.len();
    if size > fhir::MAX_IMPORT_BYTES as u64 {
        bail!("{}: larger than {} bytes", file.display(), fhir::MAX_IMPORT_BYTES);
    }
    let text = std::fs::read_to_string(file).with_context(|| format!("{}: not UTF-8 text", file.display()))?;
    let imported = fhir::import(&text).with_context(|| format!("{}", file.display()))?;
    match out {
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(imported.toml.as_bytes())?;
            stdout.flush()?;
        }
        Some(dir) => {
            let path = dir.join(format!("{}.toml", imported.instrument.id));
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
                .with_context(|| format!("cannot create {} (it must not exist yet)", path.display()))?;
            f.write_all(imported.toml.as_bytes())?;
            f.sync_all()?;
            #[allow(clippy::print_stderr)]
            {
                eprintln!(
                    "wrote {} (instrument `{}`, {} items, not validated)",
                    path.display(),
                    imported.instrument.id,
                    imported.instrument.items.len()
                );
            }
        }
    }
    Ok(())
}

async fn export(data: &DataArgs, database: Option<&str>, only: Option<String>) -> anyhow::Result<()> {
    let catalog = Catalog::builtin().context("the built-in instrument definitions are invalid")?;
    let db = data.open_existing(database, &Opening::new(OpenMode::Latest)).await?;
    let result = bundle(db.as_store(), &catalog, only.as_deref()).await;
    db.close().await;
    print_json(&result?)
}

async fn bundle(store: &dyn Store, catalog: &Catalog, only: Option<&str>) -> anyhow::Result<Value> {
    let therapists: Vec<_> = store.users().await?.into_iter().map(|u| u.id).collect();
    let (mut clients, damaged): (Vec<Client>, Vec<Client>) =
        store.clients_of(&therapists).await?.into_iter().partition(|c| !c.damaged);
    if !damaged.is_empty() {
        // Ids only: a damaged record's pseudonym is a stand-in, and names stay out of logs anyway.
        let ids: Vec<i64> = damaged.iter().map(|c| c.id.0).collect();
        tracing::warn!(clients = ?ids, "records that could not be opened are left out of the export");
    }
    clients.sort_by_key(|c| c.id.0);
    if let Some(pseudonym) = only {
        clients.retain(|c| c.pseudonym == pseudonym);
        if clients.is_empty() {
            bail!("no client with that pseudonym (names are compared exactly)");
        }
    }
    let now = time::OffsetDateTime::now_utc();
    let mut export = FhirExport::default();
    for client in &clients {
        export.add_client(store, catalog, client).await?;
        let audit = AuditEvent {
            object_id: Some(client.id.0),
            ..AuditEvent::system(now, "fhir-export", "client", "command line")
        };
        store.audit(audit).await?;
    }
    Ok(export.bundle(catalog, now))
}
