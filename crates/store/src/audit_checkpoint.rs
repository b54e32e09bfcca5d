//! Audit checkpoints: the chain's length and head hash at a moment, authenticated with a key kept outside the
//! database (issue 14, finding 8).
//!
//! The hash chain alone shows a change made by someone without the database key; whoever holds it can drop the
//! triggers, cut the tail and rewind `audit_head`, or edit an entry and re-hash every entry after it, and the chain
//! verifies as intact. A checkpoint written elsewhere (a file on another machine, a syslog) pins the chain up to its
//! entry: a later database that has fewer entries, or another hash at that entry, contradicts it.
//!
//! A checkpoint is one line, `alliance-audit-checkpoint-v1 seq=N head=HEX at=UNIX mac=HEX`, where `mac` is
//! HMAC-SHA-256 under the checkpoint key over the canonical bytes of (seq, head, at). The key is a file of 64
//! hexadecimal digits (as a backup key), created owner-only on first use; it is never in the database. HMAC was
//! chosen over a signature because `hmac` and `sha2` are already built and an Ed25519 crate is not (see
//! docs/ARCHITECTURE.md, "Audit checkpoints"); the price is that whoever verifies needs the key, so the key belongs
//! with the operator who keeps the checkpoints, away from the database host.

use std::path::Path;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::audit::{self, hex};
use crate::dump::file::{BackupKey, BackupKeyError};
use crate::{Store, StoreResult};

const LINE_TAG: &str = "alliance-audit-checkpoint-v1";
const MAC_CONTEXT: &[u8] = b"alliance audit checkpoint v1\0";

/// The key that authenticates checkpoints.
pub struct CheckpointKey(BackupKey);

impl CheckpointKey {
    /// The key in `path`, created (readable by its owner only) when missing; `true` when it was made just now.
    pub fn load_or_create(path: &Path) -> Result<(Self, bool), BackupKeyError> {
        let loaded = BackupKey::load(Some(path), None, true)?;
        Ok((CheckpointKey(loaded.key), loaded.created))
    }

    /// A key from its text (64 hexadecimal digits), for tests and keys held elsewhere.
    pub fn parse(text: &str) -> Option<Self> {
        BackupKey::parse(text).ok().map(CheckpointKey)
    }

    fn mac(&self, checkpoint: &Checkpoint) -> Hmac<Sha256> {
        // A 32-byte key always fits HMAC; `new_from_slice` cannot fail for it.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.0.secret()).unwrap_or_else(|_| unreachable!());
        mac.update(MAC_CONTEXT);
        mac.update(&checkpoint.seq.to_be_bytes());
        mac.update(&checkpoint.head);
        mac.update(&checkpoint.at.to_be_bytes());
        mac
    }
}

/// The chain's state at a moment: `seq` entries, the last with hash `head`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub seq: i64,
    pub head: [u8; 32],
    pub at: i64,
}

/// Why a checkpoint line was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointLineError {
    #[error("line {line}: not a checkpoint (expected `{LINE_TAG} seq=N head=HEX at=UNIX mac=HEX`)")]
    Malformed { line: usize },
    #[error("line {line}: the checkpoint's MAC does not match: it was changed or made with another key")]
    BadMac { line: usize },
}

/// Where the database contradicts a checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Contradiction {
    /// The database has fewer entries than the checkpoint saw: the tail was cut.
    TailCut { line: usize, checkpoint: Checkpoint, entries: i64 },
    /// The entry at the checkpoint's sequence has another hash: an entry up to it was rewritten.
    Rewritten { line: usize, checkpoint: Checkpoint },
}

impl std::fmt::Display for Contradiction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Contradiction::TailCut { line, checkpoint, entries } => write!(
                f,
                "checkpoint on line {line} (entry {}, at {}) is contradicted: the database has {entries} entries; \
                 the tail was cut",
                checkpoint.seq, checkpoint.at
            ),
            Contradiction::Rewritten { line, checkpoint } => write!(
                f,
                "checkpoint on line {line} (entry {}, at {}) is contradicted: entry {} has another hash; an entry up \
                 to it was rewritten",
                checkpoint.seq, checkpoint.at, checkpoint.seq
            ),
        }
    }
}

impl Checkpoint {
    /// The checkpoint's line, authenticated with `key`.
    pub fn to_line(&self, key: &CheckpointKey) -> String {
        let mac = key.mac(self).finalize().into_bytes();
        format!("{LINE_TAG} seq={} head={} at={} mac={}", self.seq, hex(&self.head), self.at, hex(&mac))
    }

    /// Reads line number `line` (1-based, for messages), checking its MAC.
    pub fn from_line(text: &str, line: usize, key: &CheckpointKey) -> Result<Self, CheckpointLineError> {
        let malformed = CheckpointLineError::Malformed { line };
        let mut parts = text.split_whitespace();
        if parts.next() != Some(LINE_TAG) {
            return Err(malformed);
        }
        let mut field = |name: &str| parts.next().and_then(|p| p.strip_prefix(name)).ok_or(malformed.clone());
        let seq = field("seq=")?.parse::<i64>().map_err(|_| malformed.clone())?;
        let head = unhex::<32>(field("head=")?).ok_or(malformed.clone())?;
        let at = field("at=")?.parse::<i64>().map_err(|_| malformed.clone())?;
        let mac = unhex::<32>(field("mac=")?).ok_or(malformed.clone())?;
        if parts.next().is_some() || seq < 0 {
            return Err(malformed);
        }
        let checkpoint = Checkpoint { seq, head, at };
        key.mac(&checkpoint).verify_slice(&mac).map_err(|_| CheckpointLineError::BadMac { line })?;
        Ok(checkpoint)
    }
}

/// Every checkpoint in `text`, one a line; blank lines and lines starting with `#` are skipped.
pub fn parse_checkpoints(text: &str, key: &CheckpointKey) -> Result<Vec<(usize, Checkpoint)>, CheckpointLineError> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
        .map(|(n, l)| Checkpoint::from_line(l, n, key).map(|c| (n, c)))
        .collect()
}

fn unhex<const N: usize>(text: &str) -> Option<[u8; N]> {
    if text.len() != 2 * N || !text.is_ascii() {
        return None;
    }
    let mut out = [0u8; N];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

/// What taking a checkpoint found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Taken {
    Checkpoint(Checkpoint),
    /// The chain is broken already: a checkpoint would pin a broken chain, so none is taken.
    Broken(audit::ChainBreak),
}

/// A checkpoint of `store`'s chain as it is now, after verifying it.
pub async fn take(store: &dyn Store, at: i64) -> StoreResult<Taken> {
    let report = audit::verify_chain(store).await?;
    Ok(match report.broken {
        Some(broken) => Taken::Broken(broken),
        None => Taken::Checkpoint(Checkpoint { seq: report.verified as i64, head: report.last_hash, at }),
    })
}

/// The first checkpoint (in the order given) that `store`'s chain contradicts. Reads the stored hash at each
/// checkpoint's entry; run it with [`audit::verify_chain`], which shows that the stored hashes are a chain.
/// The entry whose chain hash is `hash` (a last hash noted from an earlier `audit verify`), if the log still has
/// it: that entry and all before it are as they were when the hash was noted.
pub async fn entry_with_hash(store: &dyn Store, hash: &[u8; 32]) -> StoreResult<Option<i64>> {
    let mut after = None;
    loop {
        let rows = store.audit_chain(after, 1000).await?;
        let Some(last) = rows.last() else { return Ok(None) };
        after = Some((last.seq, last.id));
        if let Some(row) = rows.iter().find(|r| r.hash.as_deref() == Some(&hash[..])) {
            return Ok(Some(row.seq));
        }
    }
}

pub async fn first_contradiction(
    store: &dyn Store,
    checkpoints: &[(usize, Checkpoint)],
) -> StoreResult<Option<Contradiction>> {
    let wanted: std::collections::BTreeSet<i64> = checkpoints.iter().map(|(_, c)| c.seq).collect();
    let mut found = std::collections::BTreeMap::new();
    let mut entries = 0i64;
    let mut after = None;
    loop {
        let rows = store.audit_chain(after, 1000).await?;
        let Some(last) = rows.last() else { break };
        after = Some((last.seq, last.id));
        for row in &rows {
            entries = entries.max(row.seq);
            if wanted.contains(&row.seq) {
                found.insert(row.seq, row.hash.clone().unwrap_or_default());
            }
        }
    }
    for (line, checkpoint) in checkpoints {
        if checkpoint.seq == 0 {
            continue;
        }
        match found.get(&checkpoint.seq) {
            None => return Ok(Some(Contradiction::TailCut { line: *line, checkpoint: checkpoint.clone(), entries })),
            Some(hash) if hash[..] != checkpoint.head[..] => {
                return Ok(Some(Contradiction::Rewritten { line: *line, checkpoint: checkpoint.clone() }));
            }
            Some(_) => {}
        }
    }
    Ok(None)
}
