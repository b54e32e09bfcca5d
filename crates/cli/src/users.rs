//! `alliance user ...`: the account administration a first install needs.

use std::io::BufRead;

use alliance_core::domain::{DisplayName, Email, NewPassword, Role};
use alliance_store::{AuditEvent, Keyring, NewUser, PostgresOptions, PostgresStore, SqliteStore, Store, StoreError};
use anyhow::{Context, bail};
use clap::Subcommand;

use crate::DataArgs;

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create the first administrator (refused once any account exists; add more in the web interface).
    CreateAdmin(NewAccount),
    /// Add a therapist, supervisor, administrator or researcher.
    Add {
        #[command(flatten)]
        account: NewAccount,
        /// therapist, supervisor, administrator or researcher
        #[arg(long)]
        role: String,
        /// E-mail of the supervisor of a new therapist.
        #[arg(long)]
        supervisor: Option<String>,
    },
}

#[derive(clap::Args)]
pub struct NewAccount {
    #[command(flatten)]
    data: DataArgs,
    /// The practice's PostgreSQL database, when it serves from one (as `serve --database`).
    #[arg(long = "database", env = "ALLIANCE_DATABASE_URL", value_name = "URL", hide_env_values = true)]
    database_url: Option<String>,
    #[arg(long)]
    email: String,
    #[arg(long)]
    name: String,
    /// Read the password from the first line of standard input instead of generating one.
    #[arg(long)]
    password_stdin: bool,
}

/// The practice's store: PostgreSQL when a URL is given, else the SQLite file in the data folder.
pub enum PracticeStore {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl PracticeStore {
    /// Opens the practice's store with its keys (see `keys::load`).
    pub async fn open(data: &DataArgs, database_url: Option<&str>) -> anyhow::Result<Self> {
        let fresh = database_url.is_some() || !data.data.join(crate::server::DATABASE_FILE).exists();
        let (keys, _) = crate::keys::load(data, fresh)?;
        Self::open_with(data, database_url, &keys).await
    }

    pub async fn open_with(data: &DataArgs, database_url: Option<&str>, keys: &Keyring) -> anyhow::Result<Self> {
        Ok(match database_url {
            Some(url) => PracticeStore::Postgres(
                PostgresStore::connect(url, PostgresOptions::default(), keys)
                    .await
                    .context("cannot open the PostgreSQL database")?,
            ),
            None => {
                let db = crate::server::prepare_data_dir(&data.data)?;
                let store =
                    SqliteStore::open(&db, keys).await.with_context(|| format!("cannot open {}", db.display()))?;
                if let Err(e) = crate::server::restrict_database_files(&db) {
                    store.close().await;
                    return Err(e);
                }
                PracticeStore::Sqlite(store)
            }
        })
    }

    pub fn store(&self) -> &dyn Store {
        match self {
            PracticeStore::Sqlite(s) => s,
            PracticeStore::Postgres(s) => s,
        }
    }

    pub async fn close(self) {
        match self {
            PracticeStore::Sqlite(s) => s.close().await,
            PracticeStore::Postgres(s) => s.close().await,
        }
    }
}

async fn create(
    account: NewAccount,
    role: Role,
    first: bool,
) -> anyhow::Result<(PracticeStore, alliance_store::UserId)> {
    let email = Email::parse(&account.email)?;
    let name = DisplayName::parse(&account.name)?;
    let (password, generated) = if account.password_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).context("cannot read the password from standard input")?;
        (line.trim_end_matches(['\r', '\n']).to_owned(), false)
    } else {
        (NewPassword::generate(&mut rand::rng()).expose().to_owned(), true)
    };
    let password = NewPassword::parse(&password)?;
    let practice = PracticeStore::open(&account.data, account.database_url.as_deref()).await?;
    // Closed on every path: an encrypted SQLite connection still closing when the process exits can crash it.
    match add_account(&practice, &email, &name, role, &password, first).await {
        Ok(id) => {
            #[allow(clippy::print_stdout)]
            if generated {
                println!(
                    "Created {} ({}). Password, shown only now: {}",
                    email.as_str(),
                    role.as_str(),
                    password.expose()
                );
            } else {
                println!("Created {} ({}).", email.as_str(), role.as_str());
            }
            Ok((practice, id))
        }
        Err(e) => {
            practice.close().await;
            Err(e)
        }
    }
}

async fn add_account(
    practice: &PracticeStore,
    email: &Email,
    name: &DisplayName,
    role: Role,
    password: &NewPassword,
    first: bool,
) -> anyhow::Result<alliance_store::UserId> {
    let store = practice.store();
    if first && store.count_users().await? > 0 {
        bail!("accounts already exist; add further administrators with `alliance user add --role administrator`");
    }
    let hash = alliance_web::hash_password(password.expose()).map_err(|e| anyhow::anyhow!("{e}"))?;
    let new =
        NewUser { email: email.as_str().to_owned(), display_name: name.as_str().to_owned(), role, password_hash: hash };
    let now = time::OffsetDateTime::now_utc();
    let audit = AuditEvent::system(now, "create", "account", "command line");
    match store.create_user(new, audit, now).await {
        Ok(id) => Ok(id),
        Err(StoreError::Conflict(_)) => bail!("{} already has an account", email.as_str()),
        Err(e) => Err(e.into()),
    }
}

pub async fn run(command: UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::CreateAdmin(account) => {
            let (store, _) = create(account, Role::Administrator, true).await?;
            store.close().await;
        }
        UserCommand::Add { account, role, supervisor } => {
            let role = Role::parse(&role)?;
            // Check the supervisor before creating anything, so a mistake leaves no half-made account.
            let supervisor_id = match &supervisor {
                None => None,
                Some(email) => {
                    let practice = PracticeStore::open(&account.data, account.database_url.as_deref()).await?;
                    let found = practice.store().user_by_email(&email.to_lowercase()).await?;
                    practice.close().await;
                    match found {
                        Some(s) if s.role == Role::Supervisor && role == Role::Therapist => Some(s.id),
                        _ => bail!(
                            "{email} is not a supervisor, or the new account is not a therapist; nothing was created"
                        ),
                    }
                }
            };
            let (store, id) = create(account, role, false).await?;
            let supervised = match supervisor_id {
                Some(sup) => {
                    let audit = AuditEvent {
                        object_id: Some(id.0),
                        ..AuditEvent::system(
                            time::OffsetDateTime::now_utc(),
                            "add-supervision",
                            "account",
                            "command line",
                        )
                    };
                    store.store().add_supervision(sup, id, audit).await
                }
                None => Ok(()),
            };
            store.close().await;
            supervised?;
        }
    }
    Ok(())
}
