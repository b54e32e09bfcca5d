//! Work on the sealed fields themselves: checking that the keys open them, re-sealing under a new key, counting
//! what each key seals. The same statements on both engines; rows are locked on PostgreSQL, and SQLite's
//! writing transaction holds the write lock from its start.

use zeroize::Zeroizing;

use crate::cipher;
use crate::db::{Db, Lock};
use crate::{StoreResult, key_check_failed};

impl Db {
    /// Opens one sealed field, if there is any, so that a key file from another practice is refused at start
    /// rather than at the first page that shows a name.
    pub(crate) async fn check_keys(&self) -> StoreResult<()> {
        let row = self.query("SELECT id, email FROM users ORDER BY id LIMIT 1").fetch_optional(&self.read).await?;
        if let Some(row) = row {
            let email: String = row.get("email")?;
            self.keys.open(cipher::USER_EMAIL, row.get("id")?, &email).map_err(key_check_failed)?;
        }
        Ok(())
    }

    /// Seals what an older release kept in clear: response flags and acknowledged signals' keys (migration
    /// 0013), and gives those acknowledgements their blind index. Runs at opening, in one transaction, so an
    /// upgraded database holds no clear flags once a server or command has opened it. Returns how many rows.
    pub(crate) async fn seal_clear_fields(&self) -> StoreResult<u64> {
        let mut tx = self.begin().await?;
        let select = self.locking(
            "SELECT administration_id AS id, flags FROM responses WHERE substr(flags, 1, 1) <> 'v'",
            Lock::Rows,
        );
        let flags = self.query(&select).fetch_all(&mut tx).await?;
        for row in &flags {
            let id: i64 = row.get("id")?;
            let plain: Zeroizing<String> = Zeroizing::new(row.get("flags")?);
            self.query("UPDATE responses SET flags = $1 WHERE administration_id = $2")
                .bind(self.keys.seal(cipher::RESPONSE_FLAGS, id, &plain))
                .bind(id)
                .execute(&mut tx)
                .await?;
        }
        let select = self.locking(
            "SELECT id, client_id, signal_key FROM signal_acknowledgements WHERE signal_index IS NULL",
            Lock::Rows,
        );
        let acks = self.query(&select).fetch_all(&mut tx).await?;
        for row in &acks {
            let (id, client): (i64, i64) = (row.get("id")?, row.get("client_id")?);
            let key: Zeroizing<String> = Zeroizing::new(row.get("signal_key")?);
            self.query("UPDATE signal_acknowledgements SET signal_index = $1, signal_key = $2 WHERE id = $3")
                .bind(self.keys.signal_index(client, &key))
                .bind(self.keys.seal(cipher::SIGNAL_KEY, id, &key))
                .bind(id)
                .execute(&mut tx)
                .await?;
        }
        tx.commit().await?;
        Ok((flags.len() + acks.len()) as u64)
    }

    /// Re-seals every encrypted field that is not under the newest key, in one transaction (rows locked as they
    /// are read, so nothing written meanwhile is lost). Returns how many fields were rewritten; a failure leaves
    /// everything as it was.
    pub(crate) async fn reencrypt_fields(&self) -> StoreResult<u64> {
        let newest = format!("v{}:", self.keys.newest_version());
        let prefix_len = i32::try_from(newest.len()).unwrap_or(i32::MAX);
        let mut tx = self.begin().await?;
        let mut rewritten = 0;
        for (field, id_column) in cipher::ENCRYPTED {
            let (table, column) = (field.table, field.column);
            let select = self.locking(
                &format!(
                    "SELECT {id_column} AS id, {column} AS value FROM {table}
                     WHERE {column} IS NOT NULL AND substr({column}, 1, $1) <> $2"
                ),
                Lock::Rows,
            );
            let rows = self.query(&select).bind(prefix_len).bind(newest.clone()).fetch_all(&mut tx).await?;
            let update = format!("UPDATE {table} SET {column} = $1 WHERE {id_column} = $2");
            for row in &rows {
                let id: i64 = row.get("id")?;
                let plain = Zeroizing::new(self.keys.open(*field, id, row.get("value")?)?);
                self.query(&update).bind(self.keys.seal(*field, id, &plain)).bind(id).execute(&mut tx).await?;
                rewritten += 1;
            }
        }
        tx.commit().await?;
        Ok(rewritten)
    }

    /// Ends every sign-in and records `event`, in one transaction. A restore runs this: the backup's sign-ins
    /// include ones ended since it was made, which must not come back (issue 14, finding 10).
    pub(crate) async fn end_all_sign_ins(&self, event: &crate::AuditEvent) -> StoreResult<u64> {
        let mut tx = self.begin().await?;
        let ended = self.query("DELETE FROM logins").execute(&mut tx).await?;
        super::append_audit(&mut tx, event).await?;
        tx.commit().await?;
        Ok(ended)
    }

    /// How many encrypted fields are sealed under key `version`.
    pub(crate) async fn fields_sealed_with(&self, version: u32) -> StoreResult<u64> {
        let prefix = format!("v{version}:");
        let prefix_len = i32::try_from(prefix.len()).unwrap_or(i32::MAX);
        let mut total = 0;
        for (field, _) in cipher::ENCRYPTED {
            let sql = format!("SELECT COUNT(*) FROM {} WHERE substr({}, 1, $1) = $2", field.table, field.column);
            let n: i64 = self.query(&sql).bind(prefix_len).bind(prefix.clone()).fetch_one(&self.read).await?.first()?;
            total += n.max(0) as u64;
        }
        Ok(total)
    }
}
