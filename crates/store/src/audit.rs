//! The audit log's hash chain, shared by both engines.
//!
//! Entry `n` stores `prev_hash` (entry `n - 1`'s hash; 32 zero bytes for entry 1) and
//! `hash = SHA-256(prev_hash || canonical(entry))`. The canonical form is unambiguous: a version tag, then every
//! field in a fixed order, integers as 8 bytes big-endian, optional values behind a 0/1 byte, text behind its
//! length in 8 bytes big-endian. Changing, removing or inserting an entry breaks the chain at that entry, and
//! the engines keep the chain's end in `audit_head`, so cutting entries off the end shows too.

use sha2::{Digest, Sha256};

use crate::{AuditChainRow, AuditEvent, AuditHead, Store, StoreError, StoreResult};

/// The hash before the first entry.
pub const GENESIS: [u8; 32] = [0; 32];

const VERSION_TAG: &str = "alliance-audit-v1";

/// The fields of an entry that its hash covers, borrowed.
#[derive(Debug, Clone, Copy)]
pub struct Fields<'a> {
    pub seq: i64,
    pub at: i64,
    pub actor_id: Option<i64>,
    pub actor_role: Option<&'a str>,
    pub action: &'a str,
    pub object_kind: &'a str,
    pub object_id: Option<i64>,
    pub purpose: &'a str,
    pub address: Option<&'a str>,
}

impl<'a> Fields<'a> {
    pub fn of_event(seq: i64, event: &'a AuditEvent) -> Self {
        Fields {
            seq,
            at: event.at.unix_timestamp(),
            actor_id: event.actor.map(|a| a.0),
            actor_role: event.actor_role.map(|r| r.as_str()),
            action: event.action,
            object_kind: event.object_kind,
            object_id: event.object_id,
            purpose: event.purpose,
            address: event.address.as_deref(),
        }
    }

    pub fn of_row(row: &'a AuditChainRow) -> Self {
        Fields {
            seq: row.seq,
            at: row.at,
            actor_id: row.actor_id,
            actor_role: row.actor_role.as_deref(),
            action: &row.action,
            object_kind: &row.object_kind,
            object_id: row.object_id,
            purpose: &row.purpose,
            address: row.address.as_deref(),
        }
    }

    /// The canonical, length-prefixed encoding.
    pub fn canonical(&self) -> Vec<u8> {
        fn int(out: &mut Vec<u8>, n: i64) {
            out.extend_from_slice(&n.to_be_bytes());
        }
        fn text(out: &mut Vec<u8>, s: &str) {
            out.extend_from_slice(&(s.len() as u64).to_be_bytes());
            out.extend_from_slice(s.as_bytes());
        }
        let mut out = Vec::with_capacity(128);
        text(&mut out, VERSION_TAG);
        int(&mut out, self.seq);
        int(&mut out, self.at);
        match self.actor_id {
            None => out.push(0),
            Some(id) => {
                out.push(1);
                int(&mut out, id);
            }
        }
        match self.actor_role {
            None => out.push(0),
            Some(role) => {
                out.push(1);
                text(&mut out, role);
            }
        }
        text(&mut out, self.action);
        text(&mut out, self.object_kind);
        match self.object_id {
            None => out.push(0),
            Some(id) => {
                out.push(1);
                int(&mut out, id);
            }
        }
        text(&mut out, self.purpose);
        match self.address {
            None => out.push(0),
            Some(a) => {
                out.push(1);
                text(&mut out, a);
            }
        }
        out
    }
}

/// `SHA-256(prev || canonical(fields))`.
pub fn entry_hash(prev: &[u8], fields: &Fields<'_>) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(prev);
    hasher.update(fields.canonical());
    hasher.finalize().into()
}

/// Refuses an entry that cannot be a real one (empty or oversized names, control characters, an address that is
/// no address). Checked when the entry is written, as the last step of the write it records: a refused entry
/// undoes the whole write.
pub fn validate(event: &AuditEvent) -> StoreResult<()> {
    let name_ok = |s: &str| !s.is_empty() && s.len() <= 100 && !s.chars().any(char::is_control);
    let address_ok = event.address.as_deref().is_none_or(|a| !a.is_empty() && a.len() <= 64 && a.is_ascii());
    if name_ok(event.action) && name_ok(event.object_kind) && name_ok(event.purpose) && address_ok {
        Ok(())
    } else {
        Err(StoreError::Conflict("malformed audit entry"))
    }
}

/// Where and how the chain is broken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainBreak {
    /// The entry's content or hash does not match: it was changed.
    Changed { seq: i64 },
    /// The entry does not follow the one before it (its `prev_hash` is not that entry's hash): an entry before it
    /// was changed and re-hashed, or it was put there.
    Unlinked { seq: i64 },
    /// An entry with this number should be there and is not: deleted.
    Missing { seq: i64 },
    /// An entry that the recorded end of the chain does not account for: inserted.
    Unexpected { seq: i64 },
    /// Entries stored without a place in the chain (row ids), written around Alliance.
    Unchained { count: u64 },
}

impl ChainBreak {
    /// The first sequence number at which the chain is broken, when there is one.
    pub fn seq(&self) -> Option<i64> {
        match *self {
            ChainBreak::Changed { seq }
            | ChainBreak::Unlinked { seq }
            | ChainBreak::Missing { seq }
            | ChainBreak::Unexpected { seq } => Some(seq),
            ChainBreak::Unchained { .. } => None,
        }
    }
}

impl std::fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChainBreak::Changed { seq } => write!(f, "entry {seq} was changed"),
            ChainBreak::Unlinked { seq } => write!(f, "entry {seq} does not follow entry {}", seq - 1),
            ChainBreak::Missing { seq } => write!(f, "entry {seq} is missing"),
            ChainBreak::Unexpected { seq } => write!(f, "entry {seq} is not part of the recorded chain"),
            ChainBreak::Unchained { count } => write!(f, "entries without a place in the chain: {count}"),
        }
    }
}

/// The outcome of checking the whole chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    /// Entries checked and found intact, from entry 1 on, before any break.
    pub verified: u64,
    /// The hash of the last intact entry (worth writing down elsewhere: it pins everything before it).
    pub last_hash: [u8; 32],
    pub broken: Option<ChainBreak>,
}

/// Where a check of the chain ended intact: its last entry (sequence number, row id, hash). A later check can
/// start after it and read only what was appended since.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainPoint {
    pub seq: i64,
    pub id: i64,
    pub hash: [u8; 32],
}

/// Walks a chain fed to it in sequence order.
#[derive(Debug)]
pub struct Verifier {
    expected: i64,
    prev: [u8; 32],
    verified: u64,
    broken: Option<ChainBreak>,
}

impl Default for Verifier {
    fn default() -> Self {
        Verifier { expected: 1, prev: GENESIS, verified: 0, broken: None }
    }
}

impl Verifier {
    /// Goes on from an entry checked earlier: the next row must be the one after it and link to its hash.
    pub fn resume(point: &ChainPoint) -> Self {
        Verifier { expected: point.seq + 1, prev: point.hash, verified: point.seq.max(0) as u64, broken: None }
    }

    /// Checks the next row; returns false once the chain is broken (later rows need not be read).
    pub fn push(&mut self, row: &AuditChainRow) -> bool {
        if self.broken.is_some() {
            return false;
        }
        let broken = if row.seq < self.expected {
            Some(ChainBreak::Unexpected { seq: row.seq })
        } else if row.seq > self.expected {
            Some(ChainBreak::Missing { seq: self.expected })
        } else if row.prev_hash.as_deref() != Some(&self.prev[..]) {
            Some(ChainBreak::Unlinked { seq: row.seq })
        } else {
            let computed = entry_hash(&self.prev, &Fields::of_row(row));
            match row.hash.as_deref() {
                Some(stored) if stored == computed => {
                    self.prev = computed;
                    self.expected += 1;
                    self.verified += 1;
                    None
                }
                _ => Some(ChainBreak::Changed { seq: row.seq }),
            }
        };
        self.broken = broken;
        self.broken.is_none()
    }

    /// Compares the end reached with the recorded end, read before (`before`) and after (`after`) the rows: an
    /// entry appended while the check ran is neither missing nor unexpected.
    pub fn finish(mut self, before: &AuditHead, after: &AuditHead) -> ChainReport {
        if self.broken.is_none() {
            let last = self.expected - 1;
            self.broken = if before.seq > last {
                Some(ChainBreak::Missing { seq: last + 1 })
            } else if after.seq < last {
                Some(ChainBreak::Unexpected { seq: after.seq + 1 })
            } else if (before.seq == last && before.hash != self.prev) || (after.seq == last && after.hash != self.prev)
            {
                Some(ChainBreak::Changed { seq: last })
            } else if after.unchained > 0 {
                Some(ChainBreak::Unchained { count: after.unchained })
            } else {
                None
            };
        }
        ChainReport { verified: self.verified, last_hash: self.prev, broken: self.broken }
    }
}

/// Checks the whole chain of `store`, a page at a time, while others may be appending to it.
pub async fn verify_chain(store: &dyn Store) -> StoreResult<ChainReport> {
    Ok(verify_chain_after(store, None).await?.0)
}

/// Checks the entries after `from` (all of them when `None`), trusting what an earlier check of everything up
/// to `from` found: an entry appended since, or a rewrite that re-hashed the entries after `from`, is checked; a
/// change to an entry before `from` alone is not, which only [`verify_chain`] finds. Also returns where an intact
/// check ended, to start the next one there.
pub async fn verify_chain_after(
    store: &dyn Store,
    from: Option<ChainPoint>,
) -> StoreResult<(ChainReport, Option<ChainPoint>)> {
    let before = store.audit_head().await?;
    let mut verifier = from.as_ref().map_or_else(Verifier::default, Verifier::resume);
    let mut after: Option<(i64, i64)> = from.map(|p| (p.seq, p.id));
    let mut last_intact = from;
    'pages: loop {
        let rows = store.audit_chain(after, 1000).await?;
        let Some(last) = rows.last() else { break };
        after = Some((last.seq, last.id));
        for row in &rows {
            if !verifier.push(row) {
                break 'pages;
            }
            last_intact = Some(ChainPoint { seq: row.seq, id: row.id, hash: verifier.prev });
        }
    }
    let end = store.audit_head().await?;
    let report = verifier.finish(&before, &end);
    let point = if report.broken.is_none() { last_intact } else { None };
    Ok((report, point))
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A value for a placeholder of [`search_sql`].
#[derive(Debug, Clone, PartialEq)]
pub enum Bind {
    Int(i64),
    Text(String),
}

/// Whether no entry can match: text with control characters is never stored (see [`validate`]), and PostgreSQL
/// refuses NUL in a parameter, so both engines answer such a search with nothing.
pub fn matches_nothing(filter: &crate::AuditFilter) -> bool {
    [&filter.action, &filter.object_kind].into_iter().flatten().any(|t| t.chars().any(char::is_control))
}

/// The query for [`crate::Store::search_audit`], with `placeholder(n)` spelling the n-th (1-based) parameter.
pub fn search_sql(
    filter: &crate::AuditFilter,
    limit: u32,
    placeholder: impl Fn(usize) -> String,
) -> (String, Vec<Bind>) {
    let mut binds = Vec::new();
    let mut conditions = vec!["seq IS NOT NULL".to_owned()];
    let mut add = |condition: &str, bind: Bind| {
        binds.push(bind);
        conditions.push(condition.replace('?', &placeholder(binds.len())));
    };
    if let Some(actor) = filter.actor {
        add("actor_id = ?", Bind::Int(actor.0));
    }
    if let Some(action) = &filter.action {
        add("action = ?", Bind::Text(action.clone()));
    }
    if let Some(kind) = &filter.object_kind {
        add("object_kind = ?", Bind::Text(kind.clone()));
    }
    if let Some(id) = filter.object_id {
        add("object_id = ?", Bind::Int(id));
    }
    if let Some(from) = filter.from {
        add("at >= ?", Bind::Int(from.unix_timestamp()));
    }
    if let Some(until) = filter.until {
        add("at < ?", Bind::Int(until.unix_timestamp()));
    }
    if let Some(before) = filter.before {
        add("seq < ?", Bind::Int(before));
    }
    binds.push(Bind::Int(i64::from(limit)));
    let sql = format!(
        "SELECT * FROM audit_events WHERE {} ORDER BY seq DESC LIMIT {}",
        conditions.join(" AND "),
        placeholder(binds.len())
    );
    (sql, binds)
}
