//! `alliance serve`: opens the practice's database (a SQLite file, or a PostgreSQL server with `--database`) and
//! serves the web application.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use alliance_core::catalog::Catalog;
use alliance_core::practice::SignalSettings;
use alliance_store::StoreError;
use alliance_store::open::{OpenError, hide_password};
use alliance_store::prelude::*;
use alliance_store::{Database, DatabaseSpec, OpenMode, Opening};
use alliance_web::{AppState, Config};
use anyhow::{Context, bail};

use crate::args::{DataArgs, KeyArgs};

#[derive(clap::Args)]
pub struct ServeArgs {
    /// Read settings from this TOML file: its keys are the long options below (`bind = "0.0.0.0:8080"`,
    /// `secure-cookies = true`). The command line and the environment override it.
    #[arg(long, env = "ALLIANCE_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Check the settings, the instrument files and the database, print the settings in effect with where each
    /// came from (passwords hidden), and exit.
    #[arg(long)]
    pub check: bool,
    #[command(flatten)]
    pub data: DataArgs,
    /// Serve from this database instead of the SQLite file in --data: a PostgreSQL URL, e.g.
    /// postgres://alliance:PASSWORD@db.example.org/alliance, or sqlite:PATH. Its schema is created or brought up to
    /// date at start.
    #[arg(long = "database", env = "ALLIANCE_DATABASE_URL", value_name = "URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// The most connections to the PostgreSQL database.
    #[arg(
        long,
        env = "ALLIANCE_DB_MAX_CONNECTIONS",
        default_value_t = 16,
        value_parser = clap::value_parser!(u32).range(1..=1000)
    )]
    pub db_max_connections: u32,
    /// How long to keep trying at start while the PostgreSQL server cannot be reached (it may be starting too).
    #[arg(long, env = "ALLIANCE_DB_WAIT_SECONDS", default_value_t = 60, value_name = "SECONDS")]
    pub db_wait_seconds: u64,
    /// Address and port to listen on.
    #[arg(long, env = "ALLIANCE_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    #[command(flatten)]
    pub signals: SignalArgs,
    /// The address clients' links point at, e.g. https://alliance.example.org (defaults to http://BIND).
    #[arg(long, env = "ALLIANCE_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// The practice's time zone, an IANA name such as Europe/Berlin: pages show times in it and "today" is its
    /// date, unless a user chooses their own zone on their account page.
    #[arg(long, env = "ALLIANCE_TIME_ZONE", value_name = "ZONE", default_value = "UTC",
          value_parser = alliance_web::LocalZone::parse)]
    pub time_zone: alliance_web::LocalZone,
    /// Which questionnaires the checks ask at which sessions, for episodes without their own schedule: for
    /// example "phq9=every:2, gad7=every:2" (each measure as every, every:N for N from 2 to 8, or first-last).
    /// Unset: every measure at every session.
    #[arg(long, env = "ALLIANCE_MEASURE_SCHEDULE", value_name = "SCHEDULE", default_value = "",
          value_parser = parse_schedule)]
    pub measure_schedule: alliance_core::schedule::Schedule,
    /// Culture in the relationship (issue 20): asks the optional culture item in the check (Alliance's own
    /// wording, not validated) and its twin and a prompt on cultural factors in the reflection, and offers the
    /// client optional questions about their background on their own page.
    #[arg(long, env = "ALLIANCE_CULTURE_ITEM")]
    pub culture_item: bool,
    /// The background categories asked about when `--culture-item` is on: comma-separated ids, each optionally
    /// with the practice's label (`language,faith,region=Region of origin`). Unset: language, identity, faith,
    /// gender and age band.
    #[arg(long, env = "ALLIANCE_BACKGROUND_CATEGORIES", value_name = "CATEGORIES", default_value = "",
          value_parser = check_categories)]
    pub background_categories: String,
    /// A trained transcript model (`alliance transcripts train`) to code session transcripts with instead of the
    /// rule coder (issue 21). A file that cannot be read or is not a model stops the start.
    #[arg(long, env = "ALLIANCE_TRANSCRIPT_MODEL", value_name = "FILE")]
    pub transcript_model: Option<std::path::PathBuf>,
    /// Where to send e-mail (a risk notice to the therapist, password changes, reset links):
    /// smtps://USER:PASSWORD@HOST[:PORT] (TLS), smtp://USER:PASSWORD@HOST[:PORT] (STARTTLS, required) or
    /// smtp+plain://localhost[:PORT] (a relay on this machine). Unset: no e-mail.
    #[arg(long, env = "ALLIANCE_SMTP_URL", value_name = "URL", hide_env_values = true, requires = "mail_from")]
    pub smtp_url: Option<String>,
    /// The sender of Alliance's e-mail, e.g. "Alliance <alliance@practice.example.org>".
    #[arg(long, env = "ALLIANCE_MAIL_FROM", value_name = "ADDRESS", requires = "smtp_url")]
    pub mail_from: Option<String>,
    /// Where clients' links go by text message, when their contact is a phone number with its country code: a
    /// webhook taking a JSON POST {"to": "+...", "text": "..."}; https://, or http:// to this machine only.
    /// Unset: links are not sent by text message.
    #[arg(long, env = "ALLIANCE_SMS_WEBHOOK_URL", value_name = "URL")]
    pub sms_webhook_url: Option<String>,
    /// The bearer token the SMS webhook expects (sent as "Authorization: Bearer TOKEN").
    #[arg(
        long,
        env = "ALLIANCE_SMS_WEBHOOK_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true,
        requires = "sms_webhook_url"
    )]
    pub sms_webhook_token: Option<String>,
    /// How many days a client's link works, 1 to 14 (the project's default, not a figure from research).
    #[arg(long, env = "ALLIANCE_LINK_EXPIRY_DAYS", value_name = "DAYS", default_value_t = 3)]
    pub link_expiry_days: u32,
    /// After how many days a link sent to the client and still unanswered is sent again as a reminder, once; 0: no
    /// reminder. Fewer than the expiry days (the project's default, not a figure from research).
    #[arg(long, env = "ALLIANCE_LINK_REMINDER_DAYS", value_name = "DAYS", default_value_t = 1)]
    pub link_reminder_days: u32,
    /// Folder with licensed item wording, files named like `wai-sr.en.txt`.
    #[arg(long, env = "ALLIANCE_LICENSED_TEXTS")]
    pub licensed_texts: Option<PathBuf>,
    /// Folder with instruments the practice added, one `<id>.toml` each (as `alliance fhir import --out DIR`
    /// writes them from a FHIR Questionnaire); therapists can then choose them as outcome measures.
    #[arg(long, env = "ALLIANCE_INSTRUMENTS", value_name = "DIR")]
    pub instruments: Option<PathBuf>,
    /// Mark cookies Secure; set this when Alliance is served over HTTPS (behind a TLS proxy).
    #[arg(long, env = "ALLIANCE_SECURE_COOKIES")]
    pub secure_cookies: bool,
    #[command(flatten)]
    pub network: NetworkArgs,
    #[command(flatten)]
    pub schedule: ScheduleArgs,
}

/// Who the client is behind a proxy, and what one client may hold of the server.
#[derive(clap::Args)]
pub struct NetworkArgs {
    /// Reverse proxies (addresses or networks, comma-separated, e.g. 127.0.0.1,::1) whose X-Forwarded-For (or,
    /// without it, Forwarded) names the client. Only requests from them are read that way, and only the rightmost
    /// hop that is not itself a trusted proxy counts. Unset: those headers are ignored.
    #[arg(
        long,
        env = "ALLIANCE_TRUSTED_PROXIES",
        value_name = "ADDRESSES",
        value_delimiter = ',',
        value_parser = alliance_web::parse_proxy
    )]
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Seconds a connection has to send a request's complete headers (idle keep-alive connections included).
    #[arg(long, env = "ALLIANCE_HEADER_TIMEOUT", value_name = "SECONDS", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub header_timeout: u64,
    /// Seconds a request's body has to arrive after its headers.
    #[arg(long, env = "ALLIANCE_BODY_TIMEOUT", value_name = "SECONDS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub body_timeout: u64,
    /// Connections served at once; more wait until one ends.
    #[arg(long, env = "ALLIANCE_MAX_CONNECTIONS", value_name = "N", default_value_t = 512,
          value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub max_connections: u64,
    /// Where to report a vulnerability, a mailto: or https:// address, published as /.well-known/security.txt.
    /// Unset: that address answers 404.
    #[arg(long, env = "ALLIANCE_SECURITY_CONTACT", value_name = "URI", value_parser = alliance_web::parse_security_contact)]
    pub security_contact: Option<String>,
}

impl NetworkArgs {
    /// The web layer's settings (its public URL is filled in by [`start`]).
    pub fn config(&self, secure_cookies: bool) -> Config {
        Config {
            secure_cookies,
            trusted_proxies: self.trusted_proxies.clone(),
            limits: alliance_web::Limits {
                header_timeout: Duration::from_secs(self.header_timeout),
                body_timeout: Duration::from_secs(self.body_timeout),
                max_connections: usize::try_from(self.max_connections).unwrap_or(usize::MAX),
            },
            security_contact: self.security_contact.clone(),
            ..Config::default()
        }
    }
}

/// Scheduled backups and the retention period. With several app servers on one database, one of them runs
/// each job.
#[derive(clap::Args)]
pub struct ScheduleArgs {
    /// Write an encrypted backup to this folder on a schedule (needs a backup key).
    #[arg(long, env = "ALLIANCE_BACKUP_DIR", value_name = "DIR")]
    pub backup_dir: Option<PathBuf>,
    /// Hours between scheduled backups.
    #[arg(long, env = "ALLIANCE_BACKUP_EVERY", value_name = "HOURS", default_value_t = 24.0)]
    pub backup_every: f64,
    /// How many scheduled backups to keep (the newest).
    #[arg(long, env = "ALLIANCE_BACKUP_KEEP", value_name = "N", default_value_t = 14)]
    pub backup_keep: usize,
    #[command(flatten)]
    pub key: KeyArgs,
    /// Delete clients whose last episode of care ended more than this many years ago (checked daily; audited).
    /// Unset: keep.
    #[arg(long, env = "ALLIANCE_RETENTION_YEARS", value_name = "N", value_parser = clap::value_parser!(u32).range(1..=200))]
    pub retention_years: Option<u32>,
}

/// The practice's own signal settings. The defaults are Alliance's and are not validated norms.
#[derive(clap::Args)]
pub struct SignalArgs {
    /// Prediction level whose upper edge turns the outcome amber (below expectation).
    #[arg(long, env = "ALLIANCE_YELLOW_LEVEL", default_value_t = SignalSettings::default().yellow_level)]
    pub yellow_level: f64,
    /// Prediction level whose upper edge turns the outcome red (at risk of a poor outcome).
    #[arg(long, env = "ALLIANCE_RED_LEVEL", default_value_t = SignalSettings::default().red_level)]
    pub red_level: f64,
    /// Points by which the therapist's alliance rating may exceed the client's before it is flagged.
    #[arg(long, env = "ALLIANCE_DISCREPANCY_POINTS", default_value_t = SignalSettings::default().discrepancy)]
    pub discrepancy_points: f64,
    /// Missed sessions or checks in a row that raise a disengagement signal.
    #[arg(long, env = "ALLIANCE_MISSED_IN_A_ROW", default_value_t = SignalSettings::default().disengagement_in_a_row)]
    pub missed_in_a_row: usize,
    /// The most clients the practice's own expected course is fitted on (the most recent of those with three or
    /// more PHQ-9 scores): a bound on the refit's time and memory, not a validated sample size.
    #[arg(
        long,
        env = "ALLIANCE_PRACTICE_FIT_CLIENTS",
        default_value_t = SignalSettings::default().max_clients_for_practice_etr
    )]
    pub practice_fit_clients: usize,
}

impl SignalArgs {
    pub fn settings(&self) -> anyhow::Result<SignalSettings> {
        let settings = SignalSettings {
            yellow_level: self.yellow_level,
            red_level: self.red_level,
            discrepancy: self.discrepancy_points,
            disengagement_in_a_row: self.missed_in_a_row,
            max_clients_for_practice_etr: self.practice_fit_clients,
            ..SignalSettings::default()
        };
        settings.validate().map_err(|e| anyhow::anyhow!("signal settings: {e}"))?;
        Ok(settings)
    }
}

/// Larger instrument definitions are refused before they are read.
pub const MAX_DEFINITION_BYTES: u64 = 1 << 20;

/// The built-in instruments, the practice's own definitions from `instruments` (every `*.toml`, in name order)
/// and the licensee's wording from `licensed`.
pub fn load_catalog(licensed: Option<&Path>, instruments: Option<&Path>) -> anyhow::Result<Catalog> {
    let mut catalog = Catalog::builtin().context("the built-in instrument definitions are invalid")?;
    if let Some(dir) = instruments {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .with_context(|| format!("cannot read the instruments folder {}", dir.display()))?
            .map(|entry| entry.map(|e| e.path()))
            .collect::<Result<_, _>>()?;
        files.retain(|p| p.extension().is_some_and(|e| e == "toml"));
        files.sort();
        let mut loaded = Vec::new();
        for path in files {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("?").to_owned();
            let size = std::fs::metadata(&path)?.len();
            if size > MAX_DEFINITION_BYTES {
                bail!("{name}: larger than {MAX_DEFINITION_BYTES} bytes");
            }
            let text = std::fs::read_to_string(&path).with_context(|| format!("{name}: not UTF-8 text"))?;
            catalog.add_definition(&name, &text)?;
            loaded.push(name);
        }
        // Said once the whole folder is in: a refused folder prints only its error.
        for name in loaded {
            tracing::info!(file = %name, "instrument definition loaded");
        }
    }
    let Some(dir) = licensed else { return Ok(catalog) };
    let entries = std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))?;
    for entry in entries {
        let path = entry?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()).map(str::to_owned) else { continue };
        if !name.ends_with(".txt") {
            continue;
        }
        let size = std::fs::metadata(&path)?.len();
        if size > alliance_core::instrument::licensed::MAX_FILE_BYTES as u64 {
            bail!("{name}: larger than {} bytes", alliance_core::instrument::licensed::MAX_FILE_BYTES);
        }
        let text = std::fs::read_to_string(&path).with_context(|| format!("{name}: not UTF-8 text"))?;
        catalog.add_licensed_text(&name, &text)?;
        tracing::info!(file = %name, "licensed wording loaded");
    }
    Ok(catalog)
}

pub async fn start(
    store: Arc<dyn Store>,
    catalog: Catalog,
    bind: SocketAddr,
    public_url: Option<String>,
    config: Config,
    settings: SignalSettings,
) -> anyhow::Result<(tokio::net::TcpListener, AppState, String)> {
    let listener = tokio::net::TcpListener::bind(bind).await.with_context(|| format!("cannot listen on {bind}"))?;
    let local = listener.local_addr()?;
    let public_url = public_url.unwrap_or_else(|| {
        if local.ip().is_unspecified() {
            tracing::warn!(
                "listening on all addresses: client links will say {local}; pass --public-url with this machine's \
                 address or name so that phones can open them"
            );
        }
        format!("http://{local}")
    });
    let config = Config { public_url: public_url.clone(), ..config };
    let state = AppState::with_settings(store, catalog, config, alliance_web::system_clock(), settings).await?;
    Ok((listener, state, public_url))
}

pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = terminate => {} }
    tracing::info!("shutting down; finishing requests in flight");
}

impl ServeArgs {
    /// The e-mail settings, checked (both options or neither; `requires` in the arguments sees to that).
    fn mail(&self) -> anyhow::Result<Option<alliance_web::mail::MailSettings>> {
        match (&self.smtp_url, &self.mail_from) {
            (Some(url), Some(from)) => alliance_web::mail::MailSettings::parse(url, from)
                .map(Some)
                .map_err(|why| anyhow::anyhow!("--smtp-url / --mail-from: {why}")),
            _ => Ok(None),
        }
    }

    /// The SMS webhook's settings, checked.
    fn sms(&self) -> anyhow::Result<Option<alliance_web::delivery::SmsSettings>> {
        let Some(url) = &self.sms_webhook_url else { return Ok(None) };
        alliance_web::delivery::SmsSettings::parse(url, self.sms_webhook_token.as_deref())
            .map(Some)
            .map_err(|why| anyhow::anyhow!("--sms-webhook-url / --sms-webhook-token: {why}"))
    }

    /// How long links last and when they are reminded, checked together.
    fn links(&self) -> anyhow::Result<alliance_web::delivery::LinkSettings> {
        alliance_web::delivery::LinkSettings::from_days(self.link_expiry_days, self.link_reminder_days)
            .map_err(|why| anyhow::anyhow!("--link-expiry-days / --link-reminder-days: {why}"))
    }
}

pub async fn serve(args: ServeArgs, matches: &clap::ArgMatches, from_file: &[String]) -> anyhow::Result<()> {
    // Check everything the operator typed before touching any data.
    args.signals.settings()?;
    args.mail()?;
    args.sms()?;
    args.links()?;
    // A model that cannot be read or is not one stops the start here, named (issue 21).
    let transcript_coder = transcript_coder(args.transcript_model.as_deref())?;
    let catalog = load_catalog(args.licensed_texts.as_deref(), args.instruments.as_deref())?;
    if args.check {
        return check(args, matches, from_file).await;
    }
    let schedule = &args.schedule;
    let backup = crate::jobs::backup_schedule(
        schedule.backup_dir.as_deref(),
        schedule.backup_every,
        schedule.backup_keep,
        &schedule.key,
    )?;
    let retention_years = schedule.retention_years;
    let opening = Opening::new(OpenMode::Latest).connections(args.db_max_connections).waiting(
        Duration::from_secs(args.db_wait_seconds),
        |pause| {
            tracing::warn!(retry_in_ms = pause.as_millis() as u64, "the PostgreSQL server cannot be reached yet");
        },
    );
    let (db, _held) = args.data.open_served(args.database_url.as_deref(), &opening).await?;
    if let Database::Postgres(_) = db {
        tracing::info!("serving from PostgreSQL");
    }
    let jobs = crate::jobs::Jobs { backup: backup.map(|b| (db.clone(), b)), retention_years };
    let served = run(db.store(), catalog, args, jobs, transcript_coder).await;
    // Closed on every path: SQLCipher connections still closing as the process exits can crash it.
    db.close().await;
    served
}

async fn run(
    store: Arc<dyn Store>,
    catalog: Catalog,
    args: ServeArgs,
    jobs: crate::jobs::Jobs,
    transcript_coder: alliance_app::transcript::TranscriptCoder,
) -> anyhow::Result<()> {
    let settings = args.signals.settings()?;
    let (mail, sms, links) = (args.mail()?, args.sms()?, args.links()?);
    let config = alliance_web::Config {
        time_zone: args.time_zone,
        mail,
        sms,
        links,
        retention_years: jobs.retention_years,
        measure_schedule: args.measure_schedule.clone(),
        culture: alliance_core::culture::CultureSettings {
            enabled: args.culture_item,
            categories: alliance_core::culture::parse_categories(&args.background_categories)
                .map_err(|e| anyhow::anyhow!("--background-categories: {e}"))?,
        },
        transcript_coder,
        ..args.network.config(args.secure_cookies)
    };
    let (listener, state, url) = start(store.clone(), catalog, args.bind, args.public_url, config, settings).await?;
    // Every scheduled job, under the server's one clock; the first round runs now.
    tokio::spawn(jobs.scheduler(&state)?.run());
    if store.count_users().await? == 0 {
        tracing::warn!("no accounts yet: create the first administrator with `alliance user create-admin`");
    }
    let bound = listener.local_addr()?;
    tracing::info!(%bound, %url, version = env!("CARGO_PKG_VERSION"), "Alliance is listening");
    alliance_web::serve(listener, state, shutdown_signal()).await?;
    Ok(())
}

/// The practice's transcript coder: the trained model in `path`, else the rule coder. The file is named in every
/// refusal.
pub fn transcript_coder(path: Option<&std::path::Path>) -> anyhow::Result<alliance_app::transcript::TranscriptCoder> {
    let Some(path) = path else { return Ok(alliance_app::transcript::TranscriptCoder::default()) };
    let bytes = std::fs::read(path)
        .map_err(|e| anyhow::anyhow!("--transcript-model {}: cannot be read: {e}", path.display()))?;
    let coder = alliance_app::transcript::TranscriptCoder::trained(&bytes)
        .map_err(|e| anyhow::anyhow!("--transcript-model {}: {e}", path.display()))?;
    tracing::info!(coder = coder.name(), "session transcripts are coded with a trained model");
    Ok(coder)
}

/// `serve --check`: the settings in effect, under the names the config file takes, then everything `serve` would
/// open (the keys, the database, the backup key and folder), each refused as `serve` would refuse it; then exit.
async fn check(args: ServeArgs, matches: &clap::ArgMatches, from_file: &[String]) -> anyhow::Result<()> {
    use std::io::Write;
    let mut report = String::new();
    let serve = <ServeArgs as clap::Args>::augment_args(clap::Command::new("serve"));
    let mut settings: Vec<(&str, &str)> =
        serve.get_arguments().filter_map(|a| Some((a.get_id().as_str(), a.get_long()?))).collect();
    settings.retain(|(id, _)| !matches!(*id, "check" | "config" | "help"));
    settings.sort_unstable_by_key(|(_, long)| *long);
    for (id, long) in settings {
        let Ok(Some(raw)) = matches.try_get_raw(id) else { continue };
        let value: Vec<String> = raw.map(|v| v.to_string_lossy().into_owned()).collect();
        let secret = matches!(id, "database_url" | "smtp_url");
        let value = if secret { value.iter().map(|v| hide_password(v)).collect() } else { value };
        let value = if id == "sms_webhook_token" { vec!["***".to_owned()] } else { value };
        let from = crate::config::source(matches, id, from_file);
        report.push_str(&format!("{long} = {} ({from:?})\n", value.join(", ")));
    }
    let schedule = &args.schedule;
    if let Some(dir) = &schedule.backup_dir {
        // The key as `serve` loads it (never created here), and a folder it can write to.
        schedule.key.load(false)?;
        check_writable(dir)?;
        report.push_str(&format!("backups: to {}, the backup key loads\n", dir.display()));
    }
    let spec = args.data.database(args.database_url.as_deref())?;
    if let DatabaseSpec::Sqlite(path) = &spec
        && !path.is_file()
    {
        bail!(
            "no practice at {}: create it with `alliance user create-admin` (same --data), or check --data",
            path.display()
        );
    }
    let loaded = args.data.load_keys(false)?;
    let db = match Database::open(&spec, &loaded.keys, &Opening::new(OpenMode::AsIs).connections(1)).await {
        Ok(db) => db,
        // An empty PostgreSQL database: `serve` sets up the schema there (the keys were named and read).
        Err(OpenError::Postgres(StoreError::Schema(why))) => {
            report.push_str(&format!("database: PostgreSQL answers ({why}; `serve` creates it)\n"));
            std::io::stdout().write_all(report.as_bytes())?;
            return Ok(());
        }
        Err(e) => return Err(e.into()),
    };
    let ready = db.as_store().readiness().await;
    db.close().await;
    ready.context("the keys do not open the data")?;
    match spec {
        DatabaseSpec::Postgres(_) => report.push_str("database: PostgreSQL answers, the keys open it\n"),
        DatabaseSpec::Sqlite(path) => {
            report.push_str(&format!("database: SQLite file {} opens with the keys\n", path.display()));
        }
    }
    std::io::stdout().write_all(report.as_bytes())?;
    Ok(())
}

/// A folder exists (or can be made) and takes a file.
fn check_writable(dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    tempfile::tempfile_in(dir).with_context(|| format!("cannot write in {}", dir.display()))?;
    Ok(())
}

/// A measure schedule from the command line, the environment or the configuration file.
/// Refuses bad `--background-categories` when the arguments are read (parsed again where they are used).
fn check_categories(raw: &str) -> Result<String, String> {
    alliance_core::culture::parse_categories(raw).map(|_| raw.to_owned())
}

pub fn parse_schedule(raw: &str) -> Result<alliance_core::schedule::Schedule, String> {
    alliance_core::schedule::Schedule::parse(raw).map_err(|e| e.to_string())
}
