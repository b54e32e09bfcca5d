//! `alliance audit verify` checks the audit log's hash chain, entry by entry, and against checkpoints kept
//! outside the database; `alliance audit checkpoint` takes one (see `alliance_store::audit_checkpoint`).

use std::io::Write;
use std::path::{Path, PathBuf};

use alliance_store::audit_checkpoint::{self, CheckpointKey, Taken};
use alliance_store::{Database, OpenMode, Opening, audit};
use anyhow::{Context, bail};
use clap::Subcommand;

use crate::args::DataArgs;

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Check that no audit entry was changed, removed or inserted. Exits non-zero and names the first broken
    /// entry when one was, or the first checkpoint (--checkpoints) the database contradicts.
    Verify {
        #[command(flatten)]
        target: Target,
        /// A file of checkpoints (`alliance audit checkpoint --to FILE`): the chain must still hold each one.
        #[arg(long, value_name = "FILE")]
        checkpoints: Option<PathBuf>,
        /// A last hash noted from an earlier `audit verify` (64 hexadecimal digits): the log must still hold the
        /// entry it pins, which proves that entry and every one before it unchanged.
        #[arg(long, value_name = "HASH", value_parser = parse_hash)]
        expect_hash: Option<[u8; 32]>,
    },
    /// Verify the chain and print a checkpoint of it (its length and last hash, with a MAC under the checkpoint
    /// key), optionally appending it to FILE. Keep the checkpoints and their key away from the database host:
    /// a later rewrite of the log, even by someone with the database key, contradicts them.
    Checkpoint {
        #[command(flatten)]
        target: Target,
        /// Append the checkpoint line to this file (created owner-only if missing).
        #[arg(long, value_name = "FILE")]
        to: Option<PathBuf>,
    },
}

#[derive(clap::Args)]
pub struct Target {
    #[command(flatten)]
    data: DataArgs,
    /// The database to check: `sqlite:PATH` or `postgres://...` (default: the data folder's database).
    #[arg(long = "database", env = "ALLIANCE_DATABASE_URL", value_name = "URL", hide_env_values = true)]
    database: Option<String>,
    /// The checkpoint key (64 hexadecimal digits; created owner-only on first use). Default:
    /// DATA/keys/audit-checkpoint.key; better kept on another machine with the checkpoints.
    #[arg(long, env = "ALLIANCE_CHECKPOINT_KEY_FILE", value_name = "FILE")]
    checkpoint_key: Option<PathBuf>,
}

impl Target {
    /// The checkpoint key; `create` (taking a checkpoint) makes a missing one, verifying never does.
    fn checkpoint_key(&self, create: bool) -> anyhow::Result<CheckpointKey> {
        let path = match &self.checkpoint_key {
            Some(path) => path.clone(),
            None => self.data.folder()?.path().join("keys").join("audit-checkpoint.key"),
        };
        if !create && !path.exists() {
            bail!(
                "the checkpoint key {} does not exist: pass the key the checkpoints were made with (--checkpoint-key)",
                path.display()
            );
        }
        let (key, created) =
            CheckpointKey::load_or_create(&path).with_context(|| format!("the checkpoint key {}", path.display()))?;
        if created {
            tracing::info!(file = %path.display(), "a new checkpoint key was created: keep it with the checkpoints, away from the database");
        }
        Ok(key)
    }

    async fn open(&self) -> anyhow::Result<Database> {
        let spec = self.data.database(self.database.as_deref())?;
        // Checking must never create an empty database and call it intact.
        spec.ensure_exists()?;
        // The chain holds no sealed fields, but an encrypted database file needs its key to be read at all.
        let keys = self.data.load_keys(false)?.keys;
        Ok(Database::open(&spec, &keys, &Opening::new(OpenMode::Latest).connections(2)).await?)
    }
}

pub async fn run(command: AuditCommand) -> anyhow::Result<()> {
    match command {
        AuditCommand::Verify { target, checkpoints, expect_hash } => {
            verify(target, checkpoints.as_deref(), expect_hash).await
        }
        AuditCommand::Checkpoint { target, to } => checkpoint(target, to.as_deref()).await,
    }
}

#[allow(clippy::print_stdout)]
async fn verify(target: Target, checkpoints: Option<&Path>, noted: Option<[u8; 32]>) -> anyhow::Result<()> {
    // The checkpoints are read (and their MACs checked) before the database is opened.
    let checkpoints = match checkpoints {
        None => None,
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
            let parsed = audit_checkpoint::parse_checkpoints(&text, &target.checkpoint_key(false)?)
                .with_context(|| format!("the checkpoints in {}", path.display()))?;
            Some(parsed)
        }
    };
    let db = target.open().await?;
    let report = audit::verify_chain(db.as_store()).await;
    let contradiction = match (&report, &checkpoints) {
        (Ok(r), Some(list)) if r.broken.is_none() => {
            audit_checkpoint::first_contradiction(db.as_store(), list).await.map(Some)
        }
        _ => Ok(None),
    };
    let pinned = match (&report, noted) {
        (Ok(r), Some(hash)) if r.broken.is_none() => audit_checkpoint::entry_with_hash(db.as_store(), &hash).await,
        _ => Ok(None),
    };
    db.close().await;
    let report = report?;
    if let Some(broken) = report.broken {
        bail!(
            "audit log broken: {broken} ({} entries before it verified){}",
            report.verified,
            broken.seq().map(|s| format!("; first broken entry: {s}")).unwrap_or_default()
        );
    }
    if let Some(contradiction) = contradiction?.flatten() {
        bail!("audit log rewritten: {contradiction}");
    }
    let mut held = checkpoints.map(|c| format!(" {} checkpoints hold.", c.len())).unwrap_or_default();
    if let Some(hash) = noted {
        match pinned? {
            Some(seq) => {
                held.push_str(&format!(" The noted hash is entry {seq}: it and every entry before it are unchanged."))
            }
            None => bail!(
                "audit log rewritten: the noted hash {} is no entry's; entries up to it were changed or removed",
                audit::hex(&hash)
            ),
        }
    }
    println!(
        "Audit log intact: {} entries verified. Last hash: {}{held}",
        report.verified,
        audit::hex(&report.last_hash)
    );
    Ok(())
}

#[allow(clippy::print_stdout)]
async fn checkpoint(target: Target, to: Option<&Path>) -> anyhow::Result<()> {
    let key = target.checkpoint_key(true)?;
    let db = target.open().await?;
    let taken = audit_checkpoint::take(db.as_store(), time::OffsetDateTime::now_utc().unix_timestamp()).await;
    db.close().await;
    let checkpoint = match taken? {
        Taken::Checkpoint(c) => c,
        Taken::Broken(broken) => bail!("audit log broken: {broken}; no checkpoint taken"),
    };
    let line = checkpoint.to_line(&key);
    if let Some(path) = to {
        append_line(path, &line)?;
    }
    println!("{line}");
    Ok(())
}

/// Appends `line` to `path`, made owner-only when new, and flushes it to disk.
fn append_line(path: &Path, line: &str) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.append(true).create(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).with_context(|| format!("opening {}", path.display()))?;
    writeln!(file, "{line}").and_then(|()| file.sync_all()).with_context(|| format!("writing {}", path.display()))
}

/// A noted chain hash: 64 hexadecimal digits.
fn parse_hash(text: &str) -> Result<[u8; 32], String> {
    let text = text.trim();
    let bad = || "a hash is 64 hexadecimal digits, as `audit verify` prints it".to_owned();
    if text.len() != 64 || !text.is_ascii() {
        return Err(bad());
    }
    let mut hash = [0u8; 32];
    for (i, byte) in hash.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).map_err(|_| bad())?;
    }
    Ok(hash)
}
