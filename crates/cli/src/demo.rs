//! `alliance demo`: a working clinic on a fresh SQLite database with a synthetic practice.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Instant;

use alliance_core::simulate::{PracticeParams, practice};
use alliance_store::data_folder::DataFolder;
use alliance_store::{Database, Keyring, OpenMode, Opening};
use anyhow::{Context, bail};

#[derive(clap::Args)]
pub struct DemoArgs {
    /// Folder for the demo database; a new temporary folder when left out. Must not hold a database yet.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Address and port to listen on (port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// The address clients' links point at (e.g. http://192.168.1.20:8080 to open them on a phone).
    #[arg(long)]
    pub public_url: Option<String>,
    /// Seed of the synthetic practice: the same seed gives the same clients and scores.
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
    /// Number of synthetic clients.
    #[arg(long, default_value_t = 40, value_parser = clap::value_parser!(u16).range(1..=5000))]
    pub clients: u16,
    /// The practice's time zone (an IANA name such as Europe/Berlin) that pages show times in.
    #[arg(long, default_value = "UTC", value_parser = alliance_web::LocalZone::parse)]
    pub time_zone: alliance_web::LocalZone,
    /// Which questionnaires the checks ask at which sessions. The demo's weekly therapy asks the PHQ-9 ("over the
    /// last 2 weeks") every second session and the GAD-7, its secondary measure, every fourth: the demo's choice.
    #[arg(long, default_value = "phq9=every:2, gad7=every:4", value_parser = crate::server::parse_schedule)]
    pub measure_schedule: alliance_core::schedule::Schedule,
    /// Sends the demo's e-mail (clients' links, risk notices) through this SMTP server, as `serve` does: for trying
    /// delivery against a local test server such as aiosmtpd.
    #[arg(long, value_name = "URL", requires = "mail_from")]
    pub smtp_url: Option<String>,
    /// The sender of the demo's e-mail.
    #[arg(long, value_name = "ADDRESS", requires = "smtp_url")]
    pub mail_from: Option<String>,
}

#[allow(clippy::print_stdout)]
pub async fn run(args: DemoArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let dir = match args.data {
        Some(dir) => dir,
        None => {
            let mut folder = tempfile::Builder::new();
            folder.prefix("alliance-demo-");
            // Owner-only from the start, as the server wants its data folder (the umask would leave it readable).
            #[cfg(unix)]
            folder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700));
            folder.tempdir().context("cannot make a folder for the demo")?.keep()
        }
    };
    let folder = DataFolder::new(&dir);
    crate::args::prepare_folder(&folder)?;
    let database = folder.database_spec();
    if folder.database().exists() {
        bail!("{} already holds a database; choose an empty folder for the demo", dir.display());
    }
    let catalog = crate::server::load_catalog(None, None)?;
    let params = PracticeParams { seed: args.seed, clients: usize::from(args.clients), ..PracticeParams::default() };
    let mail = match (&args.smtp_url, &args.mail_from) {
        (Some(url), Some(from)) => Some(
            alliance_web::mail::MailSettings::parse(url, from)
                .map_err(|why| anyhow::anyhow!("--smtp-url / --mail-from: {why}"))?,
        ),
        _ => None,
    };
    let simulated = practice(&params);
    let now = time::OffsetDateTime::now_utc();
    let key_file = folder.key_file();
    if key_file.exists() {
        bail!("{} already holds a key file; choose an empty folder for the demo", dir.display());
    }
    let keys = Keyring::generate();
    alliance_store::key_file::write(&key_file, &keys, false)?;
    let bulk = Database::open(&database, &keys, &Opening::new(OpenMode::BulkLoad))
        .await
        .context("cannot create the demo database")?;
    let seeded = crate::seed::seed(bulk.as_store(), &catalog, &simulated, now, &args.measure_schedule).await;
    bulk.close().await;
    let seeded = seeded?;
    let db = Database::open(&database, &keys, &Opening::new(OpenMode::Latest)).await?;
    // Closed on every path: SQLCipher connections still closing as the process exits can crash it.
    let served = async {
        let (listener, state, url) = crate::server::start(
            db.store(),
            catalog,
            args.bind,
            args.public_url,
            alliance_web::Config {
                time_zone: args.time_zone,
                measure_schedule: args.measure_schedule.clone(),
                mail,
                ..alliance_web::Config::default()
            },
            Default::default(),
        )
        .await?;
        crate::seed::acknowledge_past(&state, now).await?;
        println!(
            "Alliance demo clinic: {} clients, {} sessions, ready in {:.1} s",
            seeded.clients,
            seeded.sessions,
            started.elapsed().as_secs_f64()
        );
        println!(
            "Questions per check: median {} as scheduled ({}), {} with every questionnaire at every session",
            crate::seed::number(seeded.questions.0),
            if args.measure_schedule.to_text().is_empty() {
                "every session".into()
            } else {
                args.measure_schedule.to_text()
            },
            crate::seed::number(seeded.questions.1)
        );
        println!("Data: {} (encrypted; key file {})", dir.display(), key_file.display());
        println!();
        println!("Open {url}/login and sign in as:");
        for a in &seeded.accounts {
            println!("  {:<14} {:<26} password {}   ({})", a.role.as_str(), a.email, a.password, a.name);
        }
        if let Some(token) = &seeded.sample_token {
            println!();
            println!("A client's post-session check, open now (works once): {url}/c/{token}");
        }
        println!();
        println!("Press Ctrl+C to stop. The demo data are synthetic.");
        tokio::spawn(crate::jobs::Jobs::default().scheduler(&state)?.run());
        alliance_web::serve(listener, state, crate::server::shutdown_signal()).await?;
        anyhow::Ok(())
    }
    .await;
    db.close().await;
    served
}
