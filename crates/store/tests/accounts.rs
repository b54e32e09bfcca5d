//! Account security in every store: idle expiry, ending sign-ins, conditional password hashes, the last
//! administrator, TOTP steps that work once, pending two-step sign-ins and the throttle's compare-and-swap.

use std::sync::Arc;

use alliance_core::domain::Role;
use alliance_store::*;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use crate::conformance::therapist;

const NOW: OffsetDateTime = datetime!(2026-11-28 10:00 UTC);

pub async fn run_all(store: &dyn Store) {
    logins_end_after_idle_time(store).await;
    logins_of_a_user_end_together(store).await;
    password_hashes_are_replaced_only_if_unchanged(store).await;
    the_last_administrator_stays(store).await;
    a_totp_step_is_accepted_once(store).await;
    pending_logins_expire(store).await;
    throttle_counters_compare_and_swap(store).await;
    recovery_codes_work_once_and_go_with_the_factor(store).await;
    a_reset_of_access_forces_new_credentials_and_ends_everything(store).await;
}

fn login(user: UserId, hash: u8, idle_minutes: i64) -> NewLogin {
    NewLogin {
        token_hash: vec![hash; 32],
        user,
        csrf_token: "c".into(),
        created_at: NOW,
        expires_at: NOW + Duration::hours(12),
        idle_timeout: Duration::minutes(idle_minutes),
    }
}

pub async fn logins_end_after_idle_time(store: &dyn Store) {
    let user = therapist(store, "idle@example.org").await;
    store.create_login(login(user, 21, 30)).await.unwrap();
    let at = |m: i64| NOW + Duration::minutes(m);
    assert!(store.login(&[21; 32], at(20)).await.unwrap().is_some(), "used within 30 minutes");
    assert!(store.login(&[21; 32], at(49)).await.unwrap().is_some(), "the use at 20 minutes refreshed it");
    assert!(store.login(&[21; 32], at(79)).await.unwrap().is_none(), "30 minutes unused");

    // The last use is written at most once a minute, so a sign-in may end up to a minute early.
    store.create_login(login(user, 22, 30)).await.unwrap();
    let seconds = |s: i64| NOW + Duration::seconds(s);
    assert!(store.login(&[22; 32], seconds(20 * 60)).await.unwrap().is_some(), "written: a minute or more since");
    assert!(store.login(&[22; 32], seconds(20 * 60 + 59)).await.unwrap().is_some(), "not written: under a minute");
    assert!(store.login(&[22; 32], seconds(50 * 60)).await.unwrap().is_none(), "30 minutes after the written use");
}

pub async fn logins_of_a_user_end_together(store: &dyn Store) {
    let user = therapist(store, "everywhere@example.org").await;
    let other = therapist(store, "bystander@example.org").await;
    for h in [31, 32, 33] {
        store.create_login(login(user, h, 30)).await.unwrap();
    }
    store.create_login(login(other, 34, 30)).await.unwrap();
    let pending =
        NewPendingLogin { token_hash: vec![35; 32], user, created_at: NOW, expires_at: NOW + Duration::minutes(5) };
    store.create_pending_login(pending).await.unwrap();
    assert_eq!(store.delete_logins_of(user, Some(&[31; 32])).await.unwrap(), 2);
    assert!(store.login(&[31; 32], NOW).await.unwrap().is_some(), "the kept one");
    assert!(store.login(&[32; 32], NOW).await.unwrap().is_none());
    assert!(store.pending_login(&[35; 32], NOW).await.unwrap().is_none(), "a half-finished sign-in ends too");
    assert_eq!(store.delete_logins_of(user, None).await.unwrap(), 1);
    assert!(store.login(&[31; 32], NOW).await.unwrap().is_none());
    assert!(store.login(&[34; 32], NOW).await.unwrap().is_some(), "another user's sign-in is untouched");
}

pub async fn password_hashes_are_replaced_only_if_unchanged(store: &dyn Store) {
    let user = therapist(store, "rehash@example.org").await; // stored hash "h"
    assert!(!store.replace_password_hash(user, "other", "new").await.unwrap());
    assert_eq!(store.user(user).await.unwrap().unwrap().password_hash, "h");
    assert!(store.replace_password_hash(user, "h", "new").await.unwrap());
    assert_eq!(store.user(user).await.unwrap().unwrap().password_hash, "new");
    assert!(!store.replace_password_hash(UserId(987_654), "h", "x").await.unwrap());
}

pub async fn the_last_administrator_stays(store: &dyn Store) {
    let new_admin = |email: &str| NewUser {
        email: email.into(),
        display_name: "A".into(),
        role: Role::Administrator,
        password_hash: "h".into(),
        must_change_password: false,
    };
    let admin = store.create_user(new_admin("admin1@example.org"), crate::conformance::ev(), NOW).await.unwrap();
    store.create_login(login(admin, 41, 30)).await.unwrap();
    // Only active administrator: may not demote or deactivate itself; nothing changes.
    for (role, active) in [(Role::Therapist, true), (Role::Administrator, false)] {
        let refused = store.update_account(admin, role, active).await;
        assert!(matches!(refused, Err(StoreError::Conflict(_))), "{refused:?}");
    }
    let kept = store.user(admin).await.unwrap().unwrap();
    assert_eq!((kept.role, kept.active), (Role::Administrator, true));
    assert!(store.login(&[41; 32], NOW).await.unwrap().is_some(), "a refused change ends no sign-in");
    // With a second administrator it may, and its sign-ins end.
    let second = store.create_user(new_admin("admin2@example.org"), crate::conformance::ev(), NOW).await.unwrap();
    store.update_account(admin, Role::Supervisor, true).await.unwrap();
    assert_eq!(store.user(admin).await.unwrap().unwrap().role, Role::Supervisor);
    assert!(store.login(&[41; 32], NOW).await.unwrap().is_none(), "a role change ends the sign-ins");
    let t = therapist(store, "leaver@example.org").await;
    store.create_login(login(t, 42, 30)).await.unwrap();
    store.update_account(t, Role::Therapist, false).await.unwrap();
    assert!(!store.user(t).await.unwrap().unwrap().active);
    assert!(store.login(&[42; 32], NOW).await.unwrap().is_none(), "deactivated");
    assert!(matches!(store.update_account(second, Role::Researcher, true).await, Err(StoreError::Conflict(_))));
    assert!(matches!(store.update_account(UserId(987_654), Role::Therapist, true).await, Err(StoreError::NotFound)));
}

pub async fn a_totp_step_is_accepted_once(store: &dyn Store) {
    let user = therapist(store, "totp@example.org").await;
    assert!(store.totp_factor(user).await.unwrap().is_none());
    assert!(!store.accept_totp_step(user, 100, false).await.unwrap(), "no factor");
    store.begin_totp(user, b"first secret", NOW).await.unwrap();
    store.begin_totp(user, b"second secret", NOW).await.unwrap(); // an unconfirmed setup is replaced
    let f = store.totp_factor(user).await.unwrap().unwrap();
    assert_eq!((f.secret.as_slice(), f.enabled), (&b"second secret"[..], false));
    assert!(!format!("{f:?}").contains("second"), "the secret stays out of debug output");
    assert!(!store.accept_totp_step(user, 100, false).await.unwrap(), "not confirmed yet");
    assert!(store.accept_totp_step(user, 100, true).await.unwrap(), "confirmed");
    assert!(store.totp_factor(user).await.unwrap().unwrap().enabled);
    assert!(!store.accept_totp_step(user, 101, true).await.unwrap(), "already confirmed");
    assert!(matches!(store.begin_totp(user, b"x", NOW).await, Err(StoreError::Conflict(_))), "no silent replacement");
    assert!(!store.accept_totp_step(user, 100, false).await.unwrap(), "the same step again");
    assert!(!store.accept_totp_step(user, 99, false).await.unwrap(), "an earlier step");
    assert!(store.accept_totp_step(user, 101, false).await.unwrap());
    assert_eq!(store.totp_factor(user).await.unwrap().unwrap().last_step, 101);
    store.remove_totp(user).await.unwrap();
    assert!(store.totp_factor(user).await.unwrap().is_none());
}

pub async fn pending_logins_expire(store: &dyn Store) {
    let user = therapist(store, "pending@example.org").await;
    let pending =
        NewPendingLogin { token_hash: vec![51; 32], user, created_at: NOW, expires_at: NOW + Duration::minutes(5) };
    store.create_pending_login(pending).await.unwrap();
    assert_eq!(store.pending_login(&[51; 32], NOW + Duration::minutes(4)).await.unwrap(), Some(user));
    assert_eq!(store.pending_login(&[51; 32], NOW + Duration::minutes(5)).await.unwrap(), None);
    assert_eq!(store.pending_login(&[52; 32], NOW).await.unwrap(), None);
    store.delete_pending_login(&[51; 32]).await.unwrap();
    assert_eq!(store.pending_login(&[51; 32], NOW).await.unwrap(), None);
}

pub async fn throttle_counters_compare_and_swap(store: &dyn Store) {
    let key = b"conformance-key";
    let one = ThrottleState { failures: 1, window_start: NOW, blocked_until: NOW };
    let two = ThrottleState { failures: 2, window_start: NOW, blocked_until: NOW + Duration::seconds(3) };
    assert_eq!(store.throttle(key).await.unwrap(), None);
    assert!(store.update_throttle(key, None, &one).await.unwrap());
    assert!(!store.update_throttle(key, None, &two).await.unwrap(), "already there");
    assert!(!store.update_throttle(key, Some(&two), &one).await.unwrap(), "stale expectation");
    assert!(store.update_throttle(key, Some(&one), &two).await.unwrap());
    assert_eq!(store.throttle(key).await.unwrap(), Some(two));
    store.clear_throttle(key).await.unwrap();
    assert_eq!(store.throttle(key).await.unwrap(), None);

    // Forgetting: only counters both started and blocking before the cut-off go.
    let day = Duration::days(1);
    let stale = ThrottleState { failures: 7, window_start: NOW - day * 2, blocked_until: NOW - day * 2 };
    let still_blocking = ThrottleState { failures: 30, window_start: NOW - day * 2, blocked_until: NOW + day };
    let recent = ThrottleState { failures: 1, window_start: NOW - Duration::hours(1), blocked_until: NOW };
    let edge = ThrottleState { failures: 2, window_start: NOW - day, blocked_until: NOW - day };
    for (k, state) in [(&b"stale"[..], &stale), (b"blocking", &still_blocking), (b"recent", &recent), (b"edge", &edge)]
    {
        assert!(store.update_throttle(k, None, state).await.unwrap());
    }
    assert_eq!(store.forget_throttles(NOW - day).await.unwrap(), 1);
    assert_eq!(store.throttle(b"stale").await.unwrap(), None);
    assert_eq!(store.throttle(b"blocking").await.unwrap(), Some(still_blocking));
    assert_eq!(store.throttle(b"recent").await.unwrap(), Some(recent));
    assert_eq!(store.throttle(b"edge").await.unwrap(), Some(edge), "the cut-off itself is kept");
    assert_eq!(store.forget_throttles(NOW - day).await.unwrap(), 0);
    for k in [&b"blocking"[..], b"recent", b"edge"] {
        store.clear_throttle(k).await.unwrap();
    }
}

/// Many requests with the same code or the same throttle slot at once: exactly one wins.
pub async fn races(store: Arc<dyn Store>) {
    let user = therapist(store.as_ref(), "totp-racer@example.org").await;
    store.begin_totp(user, b"secret", NOW).await.unwrap();
    assert!(store.accept_totp_step(user, 10, true).await.unwrap());
    let accepted = crate::all(12, |_| {
        let store = store.clone();
        async move { store.accept_totp_step(user, 11, false).await.unwrap() }
    })
    .await;
    assert_eq!(accepted.iter().filter(|a| **a).count(), 1, "{accepted:?}");
    let key = b"race-key";
    let first = ThrottleState { failures: 1, window_start: NOW, blocked_until: NOW };
    let taken = crate::all(12, |_| {
        let store = store.clone();
        async move { store.update_throttle(key, None, &first).await.unwrap() }
    })
    .await;
    assert_eq!(taken.iter().filter(|a| **a).count(), 1, "{taken:?}");
    let next = ThrottleState { failures: 2, ..first };
    let taken = crate::all(12, |_| {
        let store = store.clone();
        async move { store.update_throttle(key, Some(&first), &next).await.unwrap() }
    })
    .await;
    assert_eq!(taken.iter().filter(|a| **a).count(), 1, "{taken:?}");
}

fn event(action: &'static str) -> AuditEvent {
    AuditEvent::system(NOW, action, "account", "test")
}

pub async fn recovery_codes_work_once_and_go_with_the_factor(store: &dyn Store) {
    let user = therapist(store, "codes@example.org").await;
    let other = therapist(store, "other-codes@example.org").await;
    store.begin_totp(user, &[5; 20], NOW).await.unwrap();
    assert!(store.accept_totp_step(user, 1, true).await.unwrap());
    let codes: Vec<Vec<u8>> = (0..10u8).map(|i| vec![i; 43]).collect();
    store.replace_recovery_codes(user, &codes, NOW, event("recovery-codes-made")).await.unwrap();
    assert_eq!(store.recovery_codes_left(user).await.unwrap(), 10);
    assert!(store.use_recovery_code(user, &codes[2], NOW).await.unwrap());
    assert!(!store.use_recovery_code(user, &codes[2], NOW).await.unwrap(), "once");
    assert!(!store.use_recovery_code(other, &codes[3], NOW).await.unwrap(), "not another account's");
    assert!(!store.use_recovery_code(user, &[99; 43], NOW).await.unwrap(), "unknown");
    assert_eq!(store.recovery_codes_left(user).await.unwrap(), 9);
    // Two uses of one code at once: one wins.
    let (a, b) =
        tokio::join!(store.use_recovery_code(user, &codes[4], NOW), store.use_recovery_code(user, &codes[4], NOW));
    assert_eq!(u8::from(a.unwrap()) + u8::from(b.unwrap()), 1);
    // New codes replace every earlier one.
    let fresh = vec![vec![50; 43], vec![51; 43]];
    store.replace_recovery_codes(user, &fresh, NOW, event("recovery-codes-made")).await.unwrap();
    assert!(!store.use_recovery_code(user, &codes[5], NOW).await.unwrap(), "replaced");
    assert_eq!(store.recovery_codes_left(user).await.unwrap(), 2);
    store.remove_totp(user).await.unwrap();
    assert_eq!(store.recovery_codes_left(user).await.unwrap(), 0, "they go with the factor");
}

pub async fn a_reset_of_access_forces_new_credentials_and_ends_everything(store: &dyn Store) {
    let user = therapist(store, "locked-out@example.org").await;
    let plain = therapist(store, "no-factor@example.org").await;
    store.begin_totp(user, &[6; 20], NOW).await.unwrap();
    assert!(store.accept_totp_step(user, 1, true).await.unwrap());
    store.replace_recovery_codes(user, &[vec![7; 43]], NOW, event("recovery-codes-made")).await.unwrap();
    store.create_login(login(user, 61, 30)).await.unwrap();
    let pending =
        NewPendingLogin { token_hash: vec![62; 32], user, created_at: NOW, expires_at: NOW + Duration::minutes(5) };
    store.create_pending_login(pending).await.unwrap();

    store.reset_access(user, "temporary", event("access-reset")).await.unwrap();
    let after = store.user(user).await.unwrap().unwrap();
    assert_eq!(after.password_hash, "temporary");
    assert!(after.must_change_password && after.must_enrol_second_factor);
    assert!(store.totp_factor(user).await.unwrap().is_none());
    assert_eq!(store.recovery_codes_left(user).await.unwrap(), 0);
    assert!(store.login(&[61; 32], NOW).await.unwrap().is_none(), "signed out");
    assert!(store.pending_login(&[62; 32], NOW).await.unwrap().is_none());
    let audited = store.audit_events(1000).await.unwrap();
    assert!(audited.iter().any(|e| e.action == "access-reset" && e.object_id == Some(user.0)));

    // Choosing one's own password ends the first step; confirming a new factor the second.
    assert_eq!(store.change_own_password(user, "wrong", "mine", None, event("password-changed")).await.unwrap(), None);
    assert_eq!(
        store.change_own_password(user, "temporary", "mine", None, event("password-changed")).await.unwrap(),
        Some(0)
    );
    assert!(!store.user(user).await.unwrap().unwrap().must_change_password);
    store.begin_totp(user, &[8; 20], NOW).await.unwrap();
    assert!(store.accept_totp_step(user, 2, true).await.unwrap());
    assert!(!store.user(user).await.unwrap().unwrap().must_enrol_second_factor);

    // Without a second factor there is none to set up again; an unknown account is refused.
    store.reset_access(plain, "temporary", event("access-reset")).await.unwrap();
    let after = store.user(plain).await.unwrap().unwrap();
    assert!(after.must_change_password && !after.must_enrol_second_factor);
    assert!(matches!(
        store.reset_access(UserId(987_654), "x", event("access-reset")).await,
        Err(StoreError::Conflict(_))
    ));
}
