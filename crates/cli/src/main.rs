//! The `alliance` command: a thin layer that parses arguments and calls the library crates.

mod analyze;
mod backup;
mod backup_file;
mod demo;
mod jobs;
mod seed;
mod server;
mod users;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

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
    Serve(server::ServeArgs),
    /// Run a working demo clinic with synthetic clients on a fresh SQLite database.
    Demo(demo::DemoArgs),
    /// Manage staff accounts (the first administrator, therapists, supervisors).
    #[command(subcommand)]
    User(users::UserCommand),
    /// Write an encrypted, consistent backup of the practice's database (also while it is serving).
    Backup(backup::BackupArgs),
    /// Restore a backup into an empty database, or check a backup file with --verify.
    Restore(backup::RestoreArgs),
    /// Copy a practice's database into an empty one of either engine (SQLite <-> PostgreSQL), verified.
    MigrateStore(backup::MigrateArgs),
    /// Research analyses on CSV files.
    #[command(subcommand)]
    Analyze(analyze::AnalyzeCommand),
}

/// Where a practice keeps its database.
#[derive(clap::Args, Clone)]
pub struct DataArgs {
    /// Folder for the database (created with owner-only permissions if missing).
    #[arg(long, env = "ALLIANCE_DATA", default_value = "alliance-data")]
    pub data: PathBuf,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ALLIANCE_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve(args) => server::serve(args).await,
            Command::Demo(args) => demo::run(args).await,
            Command::User(command) => users::run(command).await,
            Command::Backup(args) => backup::backup(args).await,
            Command::Restore(args) => backup::restore(args).await,
            Command::MigrateStore(args) => backup::migrate(args).await,
            Command::Analyze(command) => analyze::run(command),
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
