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
    /// Add a therapist, supervisor, administrator or researcher. The person replaces the password at their
    /// first sign-in.
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
    /// Let someone who is locked out back in (a forgotten password, a lost authenticator; the last administrator
    /// too): a new password, shown once, which they replace at their next sign-in; their second factor and
    /// recovery codes are removed (if they had one, they set up a new one at that sign-in); every sign-in and
    /// reset link of theirs ends. Recorded in the audit log. Works while the server runs.
    ResetAccess(ExistingAccount),
    /// Make a personal access token for the JSON API (issue 19) for an active account, for automation and CI:
    /// prints the token, shown only now (only its hash is stored). It acts as the account, with its access.
    /// Recorded in the audit log. Works while the server runs.
    Token(NewToken),
}

#[derive(clap::Args)]
pub struct NewToken {
    #[command(flatten)]
    data: DataArgs,
    /// The practice's database when it is not the SQLite file in --data: postgres://... or sqlite:PATH (as
    /// `serve --database`).
    #[arg(long = "database", env = "ALLIANCE_DATABASE_URL", value_name = "URL", hide_env_values = true)]
    database_url: Option<String>,
    /// The e-mail address of the account the token acts as.
    #[arg(long, value_name = "ADDRESS")]
    email: String,
    /// What the token is for, as the account page lists it (1 to 60 characters), e.g. "ci".
    #[arg(long, value_name = "NAME")]
    name: String,
    /// read or read-write
    #[arg(long, default_value = "read")]
    scope: String,
    /// Days until it expires, 1 to 365.
    #[arg(long, default_value_t = 1)]
    days: i64,
}

#[derive(clap::Args)]
pub struct ExistingAccount {
    #[command(flatten)]
    data: DataArgs,
    /// The practice's database when it is not the SQLite file in --data: postgres://... or sqlite:PATH (as
    /// `serve --database`).
    #[arg(long = "database", env = "ALLIANCE_DATABASE_URL", value_name = "URL", hide_env_values = true)]
    database_url: Option<String>,
    /// The e-mail address of the account.
    #[arg(long, value_name = "ADDRESS")]
    email: String,
    /// Read the new password from the first line of standard input instead of generating one.
    #[arg(long)]
    password_stdin: bool,
}

#[derive(clap::Args)]
pub struct NewAccount {
    #[command(flatten)]
    data: DataArgs,
    /// The practice's database when it is not the SQLite file in --data: postgres://... or sqlite:PATH (as
    /// `serve --database`).
    #[arg(long = "database", env = "ALLIANCE_DATABASE_URL", value_name = "URL", hide_env_values = true)]
    database_url: Option<String>,
    /// The e-mail address the person signs in with (unique in the practice; stored encrypted).
    #[arg(long, value_name = "ADDRESS")]
    email: String,
    /// The name other staff see, e.g. "Dana Reyes".
    #[arg(long, value_name = "NAME")]
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
    let (password, generated) = new_password(account.password_stdin, email.as_str(), name.as_str(), "created")?;
    let practice = account.open_practice().await?;
    // A password someone else chose (any `add`, or a generated one shown on a terminal) is replaced by the person
    // at their first sign-in; the first administrator who typed their own keeps it.
    let must_change = !first || generated;
    // Closed on every path: an encrypted SQLite connection still closing when the process exits can crash it.
    match add_account(practice.as_store(), &email, &name, role, &password, first, must_change).await {
        Ok(id) => {
            // The password ends its line, so that it is copied without anything after it.
            let then = if must_change { "\nIt is replaced at the first sign-in." } else { "" };
            #[allow(clippy::print_stdout)]
            if generated {
                println!(
                    "Created {} ({}). Password, shown only now: {}{then}",
                    email.as_str(),
                    role.as_str(),
                    password.expose()
                );
            } else {
                println!("Created {} ({}).{}", email.as_str(), role.as_str(), then.replace('\n', " "));
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
    must_change_password: bool,
) -> anyhow::Result<alliance_store::UserId> {
    if first && store.count_users().await? > 0 {
        bail!("accounts already exist; add further administrators with `alliance user add --role administrator`");
    }
    let hash = alliance_web::hash_password(password.expose()).map_err(|e| anyhow::anyhow!("{e}"))?;
    let new = NewUser {
        email: email.as_str().to_owned(),
        display_name: name.as_str().to_owned(),
        role,
        password_hash: hash,
        must_change_password,
    };
    let now = time::OffsetDateTime::now_utc();
    let audit = AuditEvent::system(now, "create", "account", "command line");
    match store.create_user(new, audit, now).await {
        Ok(id) => Ok(id),
        Err(StoreError::Conflict(_)) => bail!("{} already has an account", email.as_str()),
        Err(e) => Err(e.into()),
    }
}

/// A password from standard input (checked against the policy, as on the web forms) or a generated one; true
/// when generated.
fn new_password(from_stdin: bool, email: &str, name: &str, nothing: &str) -> anyhow::Result<(NewPassword, bool)> {
    if !from_stdin {
        return Ok((NewPassword::generate(&mut rand::rng()), true));
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).context("cannot read the password from standard input")?;
    let password = NewPassword::parse(line.trim_end_matches(['\r', '\n']))?;
    if let Some(why) = alliance_web::password_refusal(password.expose(), email, name, None) {
        bail!("the password is refused, nothing was {nothing}: {why}");
    }
    Ok((password, false))
}

async fn reset_access(account: ExistingAccount) -> anyhow::Result<()> {
    let email = Email::parse(&account.email)?;
    let practice = account.data.open_existing(account.database_url.as_deref(), &Opening::new(OpenMode::Latest)).await?;
    let reset = reset_on(practice.as_store(), &email, account.password_stdin).await;
    practice.close().await;
    let (password, generated, second_factor) = reset?;
    let factor =
        if second_factor { "\nTheir second factor was removed: they set up a new one at that sign-in." } else { "" };
    #[allow(clippy::print_stdout)]
    if generated {
        println!(
            "Access of {} reset. New password, shown only now: {}\nThey replace it at their next sign-in; every \
             sign-in of theirs was ended.{factor}",
            email.as_str(),
            password.expose()
        );
    } else {
        println!(
            "Access of {} reset. They replace the password at their next sign-in; every sign-in of theirs was \
             ended.{}",
            email.as_str(),
            factor.replace('\n', " ")
        );
    }
    Ok(())
}

async fn reset_on(store: &dyn Store, email: &Email, from_stdin: bool) -> anyhow::Result<(NewPassword, bool, bool)> {
    let Some(user) = store.user_by_email(email.as_str()).await? else {
        bail!("{} has no account in this practice; nothing was changed", email.as_str());
    };
    if !user.active {
        bail!("the account of {} is deactivated; an administrator reactivates it first", email.as_str());
    }
    let (password, generated) = new_password(from_stdin, &user.email, &user.display_name, "changed")?;
    let second_factor = store.totp_factor(user.id).await?.is_some_and(|f| f.enabled);
    let plain = password.expose().to_owned();
    let hash = alliance_web::hash_password(&plain).map_err(|e| anyhow::anyhow!("{e}"))?;
    let audit = AuditEvent {
        object_id: Some(user.id.0),
        ..AuditEvent::system(time::OffsetDateTime::now_utc(), "access-reset", "account", "command line")
    };
    store.reset_access(user.id, &hash, audit).await?;
    Ok((password, generated, second_factor))
}

async fn make_token(args: NewToken) -> anyhow::Result<()> {
    let email = Email::parse(&args.email)?;
    let Some(name) = alliance_web::api::token_name(&args.name) else {
        bail!("the token's name must be 1 to 60 characters; nothing was made");
    };
    let Some(scope) = alliance_store::TokenScope::parse(&args.scope) else {
        bail!("--scope is read or read-write; nothing was made");
    };
    let Some(days) = alliance_web::api::token_days(&args.days.to_string()) else {
        bail!("--days is 1 to 365; nothing was made");
    };
    let practice = args.data.open_existing(args.database_url.as_deref(), &Opening::new(OpenMode::Latest)).await?;
    let made = token_on(practice.as_store(), &email, name, scope, days).await;
    practice.close().await;
    #[allow(clippy::print_stdout)]
    {
        println!("{}", made?);
    }
    Ok(())
}

async fn token_on(
    store: &dyn Store,
    email: &Email,
    name: &str,
    scope: alliance_store::TokenScope,
    days: i64,
) -> anyhow::Result<String> {
    let Some(user) = store.user_by_email(email.as_str()).await? else {
        bail!("{} has no account in this practice; nothing was made", email.as_str());
    };
    if !user.active {
        bail!("the account of {} is deactivated; nothing was made", email.as_str());
    }
    let (token, hash) = alliance_web::api::new_api_token();
    let now = time::OffsetDateTime::now_utc();
    let new = alliance_store::NewApiToken {
        user: user.id,
        name,
        scope,
        token_hash: &hash,
        expires_at: now + time::Duration::days(days),
    };
    // An operator's act, not the account's: a system entry, whose object is the new token (of that account).
    let audit = AuditEvent::system(now, "api-token-create", "api-token", "command line");
    store.create_api_token(new, audit, now).await?;
    Ok(token)
}

pub async fn run(command: UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Token(args) => make_token(args).await?,
        UserCommand::ResetAccess(account) => reset_access(account).await?,
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
