//! Risk as a protocol: acknowledging a client's risk signal records what was done about it (contacted the client,
//! reviewed the safety plan, referred, or not needed and why) and when, beside the acknowledgement itself and in
//! the same transaction, so that no risk signal is ever acknowledged without a record of the action.

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::cipher;
use crate::db::HasDb;
use crate::shared::acknowledgements::insert_acknowledgement;
use crate::shared::append_audit;
use crate::shared::care::ids;
use crate::*;

/// What the therapist did about a risk signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RiskActionKind {
    ContactedClient,
    SafetyPlanReviewed,
    Referred,
    NotNeeded,
}

impl RiskActionKind {
    pub const ALL: [RiskActionKind; 4] =
        [Self::ContactedClient, Self::SafetyPlanReviewed, Self::Referred, Self::NotNeeded];

    /// The stored (and submitted) name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ContactedClient => "contacted-client",
            Self::SafetyPlanReviewed => "safety-plan-reviewed",
            Self::Referred => "referred",
            Self::NotNeeded => "not-needed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// The words the pages show.
    pub fn label(self) -> &'static str {
        match self {
            Self::ContactedClient => "Contacted the client",
            Self::SafetyPlanReviewed => "Safety plan reviewed",
            Self::Referred => "Referred",
            Self::NotNeeded => "Not needed",
        }
    }
}

/// An action to record with the acknowledgement of a risk signal.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRiskAction {
    pub kind: RiskActionKind,
    /// Free text (sealed); the reason when the action was not needed, else optional (empty).
    pub note: String,
    /// When the therapist says it was done.
    pub acted_at: OffsetDateTime,
}

/// A recorded action on a risk signal.
#[derive(Debug, Clone, PartialEq)]
pub struct RiskAction {
    pub client: ClientId,
    pub key: String,
    pub kind: RiskActionKind,
    pub note: String,
    pub acted_at: OffsetDateTime,
    pub recorded_at: OffsetDateTime,
    pub user: UserId,
    pub user_name: String,
}

#[async_trait]
pub trait Risk: Send + Sync {
    /// Records `action` on the risk signal `key` and acknowledges the signal (the first acknowledgement stands;
    /// every action is kept), with the audit entry, in one transaction.
    async fn acknowledge_risk(
        &self,
        client: ClientId,
        key: &str,
        user: UserId,
        action: &NewRiskAction,
        audit: AuditEvent,
        at: OffsetDateTime,
    ) -> StoreResult<()>;
    /// Every action recorded on these clients' risk signals, oldest first.
    async fn risk_actions(&self, clients: &[ClientId]) -> StoreResult<Vec<RiskAction>>;
}

#[async_trait]
impl<S: HasDb> Risk for S {
    async fn acknowledge_risk(
        &self,
        client: ClientId,
        key: &str,
        user: UserId,
        action: &NewRiskAction,
        audit: AuditEvent,
        at: OffsetDateTime,
    ) -> StoreResult<()> {
        let db = self.db();
        let mut tx = db.begin().await?;
        insert_acknowledgement(db, &mut tx, client, key, user, at).await?;
        let id: i64 = db
            .query(
                "INSERT INTO risk_actions (client_id, signal_key, action, note, acted_at, recorded_at, user_id)
                 VALUES ($1, '', $2, '', $3, $4, $5) RETURNING id",
            )
            .bind(client.0)
            .bind(action.kind.as_str())
            .bind_time(action.acted_at)
            .bind_time(at)
            .bind(user.0)
            .fetch_one(&mut tx)
            .await?
            .first()?;
        // The signal's key (which names a risk signal) and the free-text note are sealed under the new row's id, in
        // the same transaction.
        db.query("UPDATE risk_actions SET signal_key = $1, note = $2 WHERE id = $3")
            .bind(db.keys.seal(cipher::RISK_ACTION_KEY, id, key))
            .bind(db.keys.seal(cipher::RISK_ACTION_NOTE, id, &action.note))
            .bind(id)
            .execute(&mut tx)
            .await?;
        append_audit(&mut tx, &audit).await?;
        tx.commit().await
    }

    async fn risk_actions(&self, clients: &[ClientId]) -> StoreResult<Vec<RiskAction>> {
        let db = self.db();
        let sql = db.with_ids(
            "SELECT r.*, u.display_name FROM risk_actions r JOIN users u ON u.id = r.user_id
             WHERE r.client_id IN {ids} ORDER BY r.recorded_at, r.id",
        );
        db.query(&sql)
            .bind_ids(ids(clients, |c| c.0))
            .fetch_all(&db.read)
            .await?
            .iter()
            .map(|r| {
                let (id, user) = (r.get("id")?, r.get("user_id")?);
                let kind: String = r.get("action")?;
                Ok(RiskAction {
                    client: ClientId(r.get("client_id")?),
                    key: db.keys.open(cipher::RISK_ACTION_KEY, id, r.get("signal_key")?)?,
                    kind: RiskActionKind::parse(&kind)
                        .ok_or_else(|| StoreError::Corrupt(format!("unknown risk action {kind:?}")))?,
                    note: db.keys.open(cipher::RISK_ACTION_NOTE, id, r.get("note")?)?,
                    acted_at: r.time("acted_at")?,
                    recorded_at: r.time("recorded_at")?,
                    user: UserId(user),
                    user_name: db.keys.open(cipher::USER_DISPLAY_NAME, user, r.get("display_name")?)?,
                })
            })
            .collect()
    }
}
