//! The store's behaviour, written once for both engines: one small trait per concern, each implemented here for
//! every store (anything with a [`Db`](crate::db::Db)). A feature adds to one trait and one file. The few steps
//! whose SQL truly differs (appending to the audit chain, storing answers in bulk) are dispatched to the engine
//! files from here.

pub(crate) mod accounts;
pub(crate) mod acknowledgements;
pub(crate) mod admin_tasks;
pub(crate) mod api_tokens;
pub(crate) mod audit_log;
pub(crate) mod background;
pub(crate) mod boundaries;
pub(crate) mod break_glass;
pub(crate) mod care;
pub(crate) mod consent;
pub(crate) mod crisis;
pub(crate) mod jobs;
mod keys;
pub(crate) mod kiosks;
pub(crate) mod link_delivery;
pub(crate) mod outbox;
pub(crate) mod partnership;
pub(crate) mod questionnaires;
pub(crate) mod recovery;
pub(crate) mod risk;
pub(crate) mod supervision;
pub(crate) mod support;
pub(crate) mod transcripts;

use time::OffsetDateTime;

use crate::cipher::Keyring;
use crate::db::Tx;
use crate::{AuditEvent, NewResponse, StoreResult};

/// Appends `event` to the audit chain as the last statements of `tx`. The chain's head moves differently on the
/// two engines (SQLite's trigger lets it move one entry per statement, PostgreSQL's to the last entry written),
/// so each engine keeps its own append.
pub(crate) async fn append_audit(tx: &mut Tx, event: &AuditEvent) -> StoreResult<()> {
    match tx {
        Tx::Sqlite(t) => crate::sqlite::insert_audit(t, event).await,
        Tx::Postgres(t) => crate::postgres::insert_audit(t, event).await,
    }
}

/// Stores one administration's answers with their scores and marks it completed, inside `tx`. Each engine
/// writes answers in bulk its own way (multi-row VALUES on SQLite, arrays on PostgreSQL), shared with its group
/// commit.
pub(crate) async fn store_answers(
    keys: &Keyring,
    tx: &mut Tx,
    administration: i64,
    response: &NewResponse,
    now: OffsetDateTime,
) -> StoreResult<()> {
    match tx {
        Tx::Sqlite(t) => crate::sqlite::insert_responses(keys, t, administration, response, now).await,
        Tx::Postgres(t) => crate::postgres::insert_responses(keys, t, &[(administration, response, now)], &[]).await,
    }
}
