//! `alliance user ...`: the account administration a first install needs.

use std::io::BufRead;

use alliance_core::domain::{DisplayName, Email, NewPassword, Role};
use alliance_store::prelude::*;
use alliance_store::{AuditEvent, Database, NewUser, OpenMode, Opening, StoreError};
use anyhow::{Context, bail};
use clap::Subcommand;

use crate::args::DataArgs;

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
    /// The practice's database when it is not the SQLite file in --data: postgres://... or sqlite:PATH (as
    /// `serve --database`).
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

impl NewAccount {
    /// The practice's database (created with the data folder on a first run), with its keys.
    async fn open_practice(&self) -> anyhow::Result<Database> {
        self.data.open_practice(self.database_url.as_deref(), &Opening::new(OpenMode::Latest)).await
    }
}

async fn create(account: NewAccount, role: Role, first: bool) -> anyhow::Result<(Database, alliance_store::UserId)> {
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
    // A chosen password meets the same policy as on the web forms; a generated one is random.
    if let Some(why) = (!generated)
        .then(|| alliance_web::password_refusal(password.expose(), email.as_str(), name.as_str(), None))
        .flatten()
    {
        bail!("the password is refused, nothing was created: {why}");
    }
    let practice = account.open_practice().await?;
    // Closed on every path: an encrypted SQLite connection still closing when the process exits can crash it.
    match add_account(practice.as_store(), &email, &name, role, &password, first).await {
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
    store: &dyn Store,
    email: &Email,
    name: &DisplayName,
    role: Role,
    password: &NewPassword,
    first: bool,
) -> anyhow::Result<alliance_store::UserId> {
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
                    let practice = account.open_practice().await?;
                    let found = practice.as_store().user_by_email(&email.to_lowercase()).await;
                    practice.close().await;
                    match found? {
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
                    store.as_store().add_supervision(sup, id, audit).await
                }
                None => Ok(()),
            };
            store.close().await;
            supervised?;
        }
    }
    Ok(())
}
