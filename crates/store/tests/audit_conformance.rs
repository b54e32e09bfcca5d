//! The audit log's behaviour on every engine: the hash chain, writes and their entries in one transaction,
//! filtering, and break-glass grants. Written against the trait only; run by `conformance::run_all`.

use alliance_core::domain::Role;
use alliance_store::*;
use sha2::{Digest, Sha256};
use time::macros::{date, datetime};
use time::{Duration, OffsetDateTime};

use crate::conformance::{ev, instruments, response, session_for};

const NOW: OffsetDateTime = datetime!(2026-11-28 10:00 UTC);

pub async fn run_all(store: &dyn Store) {
    a_write_whose_audit_entry_is_refused_leaves_nothing(store).await;
    the_log_filters_newest_first_in_keyset_pages(store).await;
    break_glass_grants_last_an_hour_and_are_acknowledged(store).await;
    every_hash_matches_an_independent_computation(store).await;
    let report = audit::verify_chain(store).await.unwrap();
    let head = store.audit_head().await.unwrap();
    assert_eq!(report.broken, None);
    assert_eq!(report.verified, u64::try_from(head.seq).unwrap());
    assert!(head.seq > 20, "the suite's writes are all in the chain");
}

/// The chain recomputed from the format's description (crates/store/src/audit.rs), not from its code: a version
/// tag, then each field; integers 8 bytes big-endian, optional values behind a 0/1 byte, text behind its length.
fn independent_hash(prev: &[u8], r: &AuditChainRow) -> Vec<u8> {
    fn text(m: &mut Vec<u8>, s: &str) {
        m.extend((s.len() as u64).to_be_bytes());
        m.extend(s.as_bytes());
    }
    fn opt_int(m: &mut Vec<u8>, v: Option<i64>) {
        match v {
            None => m.push(0),
            Some(n) => {
                m.push(1);
                m.extend(n.to_be_bytes());
            }
        }
    }
    fn opt_text(m: &mut Vec<u8>, v: Option<&str>) {
        match v {
            None => m.push(0),
            Some(s) => {
                m.push(1);
                text(m, s);
            }
        }
    }
    let mut m = Vec::new();
    text(&mut m, "alliance-audit-v1");
    m.extend(r.seq.to_be_bytes());
    m.extend(r.at.to_be_bytes());
    opt_int(&mut m, r.actor_id);
    opt_text(&mut m, r.actor_role.as_deref());
    text(&mut m, &r.action);
    text(&mut m, &r.object_kind);
    opt_int(&mut m, r.object_id);
    text(&mut m, &r.purpose);
    opt_text(&mut m, r.address.as_deref());
    let mut hasher = Sha256::new();
    hasher.update(prev);
    hasher.update(&m);
    hasher.finalize().to_vec()
}

pub async fn every_hash_matches_an_independent_computation(store: &dyn Store) {
    let mut prev = vec![0u8; 32];
    let mut expected_seq = 1;
    let mut after = None;
    loop {
        // Small pages, so the keyset paging is exercised too.
        let rows = store.audit_chain(after, 7).await.unwrap();
        let Some(last) = rows.last() else { break };
        after = Some((last.seq, last.id));
        for r in &rows {
            assert_eq!(r.seq, expected_seq, "sequence numbers run 1, 2, 3, ... without gaps");
            assert_eq!(r.prev_hash.as_deref(), Some(prev.as_slice()), "entry {} links to the one before", r.seq);
            let hash = independent_hash(&prev, r);
            assert_eq!(r.hash.as_deref(), Some(hash.as_slice()), "entry {}", r.seq);
            prev = hash;
            expected_seq += 1;
        }
    }
    let head = store.audit_head().await.unwrap();
    assert_eq!((head.seq, head.hash, head.unchained), (expected_seq - 1, prev, 0));
}

pub async fn a_write_whose_audit_entry_is_refused_leaves_nothing(store: &dyn Store) {
    let (client, session) = session_for(store, "atomic@example.org").await;
    let therapist = store.client(client).await.unwrap().unwrap().therapist;
    let episode = session.episode;
    let link = NewLink {
        session: session.id,
        token_hash: vec![77; 32],
        expires_at: NOW + Duration::hours(1),
        instruments: instruments(),
    };
    store.create_link(link, ev(), NOW).await.unwrap();
    let before = store.audit_head().await.unwrap();
    let snapshot = || async {
        (
            store.clients_of(&[therapist]).await.unwrap(),
            store.episodes(client).await.unwrap(),
            store.sessions(episode).await.unwrap(),
            store.links_for_session(session.id).await.unwrap(),
            store.link_by_token(&[77; 32], NOW).await.unwrap(),
            store.responses_of(client).await.unwrap(),
            store.acknowledgements(&[client]).await.unwrap(),
            store.supervisees(therapist).await.unwrap(),
            store.users().await.unwrap(),
        )
    };
    let was = snapshot().await;

    // Each refused in turn: an empty action, an oversized address, a control character.
    let bad = [
        AuditEvent { action: "", ..ev() },
        AuditEvent { address: Some("9".repeat(10_000)), ..ev() },
        AuditEvent { purpose: "care\n", ..ev() },
    ];
    for bad in bad {
        let refused = |r: StoreResult<_>| assert!(matches!(r, Err(StoreError::Conflict(_))));
        let user = NewUser {
            email: "never@example.org".into(),
            display_name: "Never".into(),
            role: Role::Therapist,
            password_hash: "h".into(),
            must_change_password: false,
        };
        refused(store.create_user(user, bad.clone(), NOW).await.map(drop));
        let new_client = NewClient { therapist, pseudonym: "Never Seen".into(), contact: None };
        refused(store.create_client(new_client, bad.clone(), NOW).await.map(drop));
        let new_episode = NewEpisode { client, therapist, started_on: date!(2027 - 02 - 01), measures: vec![] };
        refused(store.open_episode(new_episode, bad.clone(), NOW).await.map(drop));
        let new_session = NewSession { episode, held_on: date!(2026 - 12 - 01), attended: true };
        refused(store.record_session(new_session, bad.clone(), NOW).await.map(drop));
        let new_link = NewLink {
            session: session.id,
            token_hash: vec![78; 32],
            expires_at: NOW + Duration::hours(1),
            instruments: instruments(),
        };
        refused(store.create_link(new_link, bad.clone(), NOW).await.map(drop));
        let instrument = InstrumentRef { id: "therapist-reflection".into(), version: 1 };
        refused(
            store
                .save_therapist_response(session.id, instrument, response(None, 3.0), bad.clone(), NOW)
                .await
                .map(drop),
        );
        refused(store.acknowledge(client, "rupture:1", therapist, bad.clone(), NOW).await);
        refused(store.add_supervision(therapist, therapist, bad.clone()).await);
        refused(store.audit(bad.clone()).await);
    }
    assert_eq!(snapshot().await, was, "nothing of a refused write remains, and the open link was not retired");
    assert!(store.user_by_email("never@example.org").await.unwrap().is_none());
    assert_eq!(store.audit_head().await.unwrap(), before, "no entry was appended");
}

pub async fn the_log_filters_newest_first_in_keyset_pages(store: &dyn Store) {
    let t0 = datetime!(2030-01-01 00:00 UTC);
    for i in 0..10i64 {
        let event = AuditEvent {
            at: t0 + Duration::hours(i),
            actor: Some(UserId(if i % 2 == 0 { 2 } else { 3 })),
            actor_role: Some(Role::Supervisor),
            action: if i < 5 { "read" } else { "write" },
            object_kind: "filter-test",
            object_id: Some(100 + i % 3),
            purpose: "care",
            address: None,
        };
        store.audit(event).await.unwrap();
    }
    let search = |filter: AuditFilter, limit| async move { store.search_audit(&filter, limit).await.unwrap() };
    let kind = || AuditFilter { object_kind: Some("filter-test".into()), ..Default::default() };
    let all = search(kind(), 100).await;
    assert_eq!(all.len(), 10);
    assert!(all.windows(2).all(|w| w[0].seq > w[1].seq), "newest first");
    assert_eq!(all[0].at, t0 + Duration::hours(9));
    assert_eq!(search(AuditFilter { actor: Some(UserId(3)), ..kind() }, 100).await.len(), 5);
    assert_eq!(search(AuditFilter { action: Some("write".into()), ..kind() }, 100).await.len(), 5);
    let object = search(AuditFilter { object_id: Some(100), ..kind() }, 100).await;
    assert_eq!(object.len(), 4, "entries 0, 3, 6 and 9");
    let window = AuditFilter { from: Some(t0 + Duration::hours(2)), until: Some(t0 + Duration::hours(5)), ..kind() };
    let hours: Vec<_> = search(window, 100).await.iter().map(|e| (e.at - t0).whole_hours()).collect();
    assert_eq!(hours, vec![4, 3, 2], "from is inclusive, until exclusive");
    // Pages of three, each continuing below the last sequence number seen, cover everything once.
    let mut seen = Vec::new();
    let mut before = None;
    loop {
        let page = search(AuditFilter { before, ..kind() }, 3).await;
        let Some(last) = page.last() else { break };
        before = Some(last.seq);
        seen.extend(page.iter().map(|e| e.seq));
    }
    assert_eq!(seen, all.iter().map(|e| e.seq).collect::<Vec<_>>());
    // Values are bound, never spliced into the SQL.
    let hostile = AuditFilter { action: Some("read' OR '1'='1".into()), ..kind() };
    assert!(search(hostile, 100).await.is_empty());
    let hostile = AuditFilter { object_kind: Some("x\0; DROP TABLE audit_events; --".into()), ..Default::default() };
    assert!(search(hostile, 100).await.is_empty());
    assert_eq!(search(kind(), 100).await.len(), 10);
}

pub async fn break_glass_grants_last_an_hour_and_are_acknowledged(store: &dyn Store) {
    let (client, _) = session_for(store, "glass@example.org").await;
    let admin = store
        .create_user(
            NewUser {
                email: "admin-glass@example.org".into(),
                display_name: "Ada Admin".into(),
                role: Role::Administrator,
                password_hash: "h".into(),
                must_change_password: false,
            },
            ev(),
            NOW,
        )
        .await
        .unwrap();
    assert!(store.active_break_glass(admin, client, NOW).await.unwrap().is_none());
    let audit = AuditEvent {
        actor: Some(admin),
        actor_role: Some(Role::Administrator),
        action: "break-glass",
        object_kind: "client",
        purpose: "break-glass",
        ..ev()
    };
    let grant = NewBreakGlass {
        admin,
        client,
        reason: "Therapist on leave; urgent risk query from GP".into(),
        granted_at: NOW,
        expires_at: NOW + Duration::hours(1),
    };
    store.grant_break_glass(grant, audit).await.unwrap();
    let active = store.active_break_glass(admin, client, NOW + Duration::minutes(59)).await.unwrap().unwrap();
    assert_eq!(
        (active.admin_name.as_str(), active.reason.as_str()),
        ("Ada Admin", "Therapist on leave; urgent risk query from GP")
    );
    assert!(store.active_break_glass(admin, client, NOW + Duration::hours(1)).await.unwrap().is_none());
    assert!(store.active_break_glass(admin, client, NOW - Duration::seconds(1)).await.unwrap().is_none());
    assert!(store.active_break_glass(UserId(1), client, NOW).await.unwrap().is_none(), "for that administrator only");
    let entry = &store
        .search_audit(&AuditFilter { action: Some("break-glass".into()), ..Default::default() }, 1)
        .await
        .unwrap()[0];
    assert_eq!((entry.purpose.as_str(), entry.object_id), ("break-glass", Some(client.0)));
    let listed = store.break_glass_of(&[client, ClientId(987_654)]).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].acknowledged_at, None);
    let therapist = store.client(client).await.unwrap().unwrap().therapist;
    let seen = AuditEvent { actor: Some(therapist), action: "acknowledge", object_kind: "break-glass", ..ev() };
    store.acknowledge_break_glass(client, seen, NOW + Duration::hours(2)).await.unwrap();
    let listed = store.break_glass_of(&[client]).await.unwrap();
    assert_eq!(listed[0].acknowledged_at, Some(NOW + Duration::hours(2)));
    assert!(store.break_glass_of(&[]).await.unwrap().is_empty());
}
