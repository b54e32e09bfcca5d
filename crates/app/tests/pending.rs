//! A session's check counts as pending, not missing, while its link can still be answered: for the practice's
//! link lifetime (`--link-expiry-days`), not a fixed three days (docs/SCIENCE.md#disengagement).

use alliance_signals::signal::SignalKind;
use alliance_store::NewSession;
use time::Duration;
use time::macros::date;

use crate::support::{Practice, START, TestDb, ev, start_app};

#[tokio::test]
async fn checks_are_pending_for_as_long_as_the_practices_links_last() {
    let db = TestDb::new().await;
    let practice = Practice::new(start_app(db.store.clone(), START).await).await;
    let client = practice.client().await;
    let episode = practice.episode(client, date!(2026 - 02 - 01)).await;
    // Two sessions 5 and 4 days ago, attended, no check answered: two in a row, the default threshold.
    for days_ago in [5, 4] {
        let held_on = START.date() - Duration::days(days_ago);
        let session = NewSession { episode, held_on, attended: true };
        practice.app.store().record_session(session, ev(START), START).await.unwrap();
    }
    let clients = vec![practice.app.store().client(client).await.unwrap().unwrap()];
    let disengaged = |app: alliance_app::App| {
        let clients = clients.clone();
        async move {
            let statuses = app.overviews(&clients, true, START).await.unwrap();
            statuses[&client].overview.signals.iter().any(|s| s.kind == SignalKind::Disengagement)
        }
    };
    assert!(disengaged(start_app(db.store.clone(), START).await).await, "links of three days: both missed");
    let week = start_app(db.store.clone(), START).await.with_link_lifetime(Duration::days(7));
    assert!(!disengaged(week).await, "links of a week: both may still be answered");
}
