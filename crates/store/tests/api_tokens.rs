//! Personal access tokens in every store: kept as the hash only, accepted until they expire or are revoked or
//! their user is deactivated, revoked by their owner only, their last use recorded.

use alliance_core::domain::Role;
use alliance_store::*;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use crate::conformance::{ev, therapist};

const NOW: OffsetDateTime = datetime!(2026-12-07 10:00 UTC);

pub async fn tokens_are_hashed_expire_are_revoked_and_record_their_use(store: &dyn Store) {
    // Deactivating an account needs an active administrator.
    let admin = NewUser {
        email: "token-admin@example.org".into(),
        display_name: "A".into(),
        role: Role::Administrator,
        password_hash: "h".into(),
        must_change_password: false,
    };
    store.create_user(admin, ev(), NOW).await.unwrap();
    let owner = therapist(store, "token-owner@example.org").await;
    let other = therapist(store, "token-other@example.org").await;
    let hash = [7u8; 32];
    let new = NewApiToken {
        user: owner,
        name: "ci",
        scope: TokenScope::Read,
        token_hash: &hash,
        expires_at: NOW + Duration::days(1),
    };
    let audit = AuditEvent { action: "api-token-create", object_kind: "api-token", ..ev() };
    let id = store.create_api_token(new, audit, NOW).await.unwrap();

    let listed = store.api_tokens(owner).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!((listed[0].id, listed[0].name.as_str(), listed[0].scope), (id, "ci", TokenScope::Read));
    assert_eq!((listed[0].expires_at, listed[0].last_used_at), (NOW + Duration::days(1), None));
    assert!(store.api_tokens(other).await.unwrap().is_empty());
    let entry = store.audit_events(10).await.unwrap().into_iter().find(|e| e.action == "api-token-create").unwrap();
    assert_eq!(entry.object_id, Some(id));

    // Only the hash finds it; its use is recorded.
    assert!(store.use_api_token(&[8u8; 32], NOW).await.unwrap().is_none());
    let (token, user) = store.use_api_token(&hash, NOW + Duration::hours(1)).await.unwrap().unwrap();
    assert_eq!((token.id, user.id, user.role), (id, owner, Role::Therapist));
    assert_eq!(store.api_tokens(owner).await.unwrap()[0].last_used_at, Some(NOW + Duration::hours(1)));
    // A use within a minute of the last is not written again.
    store.use_api_token(&hash, NOW + Duration::hours(1) + Duration::seconds(30)).await.unwrap().unwrap();
    assert_eq!(store.api_tokens(owner).await.unwrap()[0].last_used_at, Some(NOW + Duration::hours(1)));

    // Expired at its expiry.
    assert!(store.use_api_token(&hash, NOW + Duration::days(1)).await.unwrap().is_none());

    // A deactivated user's token stops working, and works again when the account does.
    store.update_account(owner, Role::Therapist, false).await.unwrap();
    assert!(store.use_api_token(&hash, NOW).await.unwrap().is_none());
    store.update_account(owner, Role::Therapist, true).await.unwrap();
    assert!(store.use_api_token(&hash, NOW).await.unwrap().is_some());

    // Only its owner revokes it, once.
    let revoke = || AuditEvent { action: "api-token-revoke", object_kind: "api-token", ..ev() };
    assert!(matches!(store.revoke_api_token(other, id, revoke(), NOW).await, Err(StoreError::NotFound)));
    assert!(store.use_api_token(&hash, NOW).await.unwrap().is_some());
    store.revoke_api_token(owner, id, revoke(), NOW + Duration::hours(2)).await.unwrap();
    assert!(store.use_api_token(&hash, NOW + Duration::hours(3)).await.unwrap().is_none());
    assert!(matches!(store.revoke_api_token(owner, id, revoke(), NOW).await, Err(StoreError::NotFound)));
    let listed = store.api_tokens(owner).await.unwrap();
    assert_eq!(listed[0].revoked_at, Some(NOW + Duration::hours(2)));
    assert!(!listed[0].works_at(NOW));

    // The same hash cannot be stored twice.
    let again =
        NewApiToken { user: other, name: "dup", scope: TokenScope::ReadWrite, token_hash: &hash, expires_at: NOW };
    assert!(store.create_api_token(again, ev(), NOW).await.is_err());
}
