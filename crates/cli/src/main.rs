//! The `alliance` command: a thin layer that parses arguments, calls the library crates and prints. Each command's
//! module uses `args` (the arguments several commands share) and the libraries; beyond that only `serve` uses
//! other modules (its scheduled jobs and its configuration file), and `demo` uses `serve`'s start-up and `seed`.

mod analyze;
mod args;
mod audit;
mod backup;
mod config;
mod demo;
mod fhir;
mod import;
mod jobs;
mod keys;
mod seed;
mod seed_partnership;
mod seed_supervision;
mod seed_support;
mod seed_transcripts;
mod server;
mod transcripts;
mod users;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "alliance",
    version,
    about = "Session-by-session monitoring of the therapeutic relationship and of outcome."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web application for a practice.
    Serve(Box<server::ServeArgs>),
    /// Run a working demo clinic with synthetic clients on a fresh SQLite database.
    Demo(demo::DemoArgs),
    /// Manage staff accounts (the first administrator, therapists, supervisors).
    #[command(subcommand)]
    User(users::UserCommand),
    /// Check the audit log.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Manage the encryption keys: rotate field keys, retire old ones.
    #[command(subcommand)]
    Keys(keys::KeysCommand),
    /// Write an encrypted, consistent backup of the practice's database (also while it is serving).
    Backup(backup::BackupArgs),
    /// Restore a backup into an empty database, or check a backup file with --verify.
    Restore(backup::RestoreArgs),
    /// Copy a practice's database into an empty one of either engine (SQLite <-> PostgreSQL), verified.
    MigrateStore(backup::MigrateArgs),
    /// Research analyses on CSV files.
    #[command(subcommand)]
    Analyze(analyze::AnalyzeCommand),
    /// FHIR R4: export checks and scores, print an instrument as a Questionnaire, import a Questionnaire.
    #[command(subcommand)]
    Fhir(fhir::FhirCommand),
    /// Bring in a practice's history from another system (CSV), with a dry run that lists every bad row.
    #[command(subcommand)]
    Import(import::ImportCommand),
    /// Session transcripts: code utterances (rules or a trained model), rate empathy, train, evaluate.
    #[command(subcommand)]
    Transcripts(transcripts::TranscriptsCommand),
}

/// The log filter: `ALLIANCE_LOG` when set, else `info,sqlx=warn`. A bare word that is not a level (`debugg`)
/// would quietly mean "everything of a module named debugg", so it is refused like a malformed filter.
fn log_filter(given: Option<&str>) -> Result<tracing_subscriber::EnvFilter, String> {
    const LEVELS: [&str; 6] = ["trace", "debug", "info", "warn", "error", "off"];
    let Some(text) = given.filter(|t| !t.trim().is_empty()) else {
        return Ok(tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    };
    for directive in text.split(',').map(str::trim) {
        if !directive.contains('=') && !LEVELS.contains(&directive.to_ascii_lowercase().as_str()) {
            return Err(format!(
                "{directive:?} is neither a level ({}) nor MODULE=LEVEL, e.g. info,alliance_web=debug",
                LEVELS.join(", ")
            ));
        }
    }
    tracing_subscriber::EnvFilter::try_new(text).map_err(|e| format!("{e}; e.g. info,alliance_web=debug"))
}

fn main() -> ExitCode {
    // Before anything opens a database: see the function's documentation.
    if !alliance_store::process_exit::keep_crypto_state_until_exit() {
        eprintln!("error: the encryption library (OpenSSL) could not be initialised");
        return ExitCode::FAILURE;
    }
    let filter = match log_filter(std::env::var("ALLIANCE_LOG").ok().as_deref()) {
        Ok(filter) => filter,
        Err(why) => {
            eprintln!("error: ALLIANCE_LOG: {why}");
            return ExitCode::from(2);
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    // The release and the database schema it brings: what an operator compares before and after an upgrade.
    let schema = alliance_store::SqliteStore::schema_versions().last().copied().unwrap_or(0);
    let version: &'static str =
        Box::leak(format!("{} (database schema {schema})", env!("CARGO_PKG_VERSION")).into_boxed_str());
    let command = Cli::command().version(version);
    let expanded = match config::expand(&command, std::env::args_os().collect()) {
        Ok(expanded) => expanded,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    let matches = command.get_matches_from(expanded.args);
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve(args) => {
                let serve_matches = matches.subcommand_matches("serve").cloned().unwrap_or_default();
                server::serve(*args, &serve_matches, &expanded.from_file).await
            }
            Command::Demo(args) => demo::run(args).await,
            Command::User(command) => users::run(command).await,
            Command::Audit(command) => audit::run(command).await,
            Command::Keys(command) => keys::run(command).await,
            Command::Backup(args) => backup::backup(args).await,
            Command::Restore(args) => backup::restore(args).await,
            Command::MigrateStore(args) => backup::migrate(args).await,
            Command::Analyze(command) => analyze::run(command).await,
            Command::Fhir(command) => fhir::run(command).await,
            Command::Import(command) => import::run(command).await,
            Command::Transcripts(command) => transcripts::run(command).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
