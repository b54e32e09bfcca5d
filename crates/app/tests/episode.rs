//! One definition of the current episode of care, the one opened last, read alike by the overviews (the caseload)
//! and by the practice model's refit.

use alliance_app::CheckOutcome;
use alliance_core::practice::EtrSource;
use time::macros::date;

use crate::support::{Practice, START, TestDb, start_app};

/// The practice model's reason for using the reference course names how many clients had enough PHQ-9 scores.
fn clients_counted(source: &EtrSource) -> String {
    match source {
        EtrSource::DefaultRule { reason } => reason.english(),
        EtrSource::Practice { eligible, .. } => format!("fitted on {eligible}"),
    }
}

#[tokio::test]
async fn a_client_in_a_new_episode_without_scores_gives_the_practice_model_nothing_until_it_has_some() {
    let db = TestDb::new().await;
    let mut practice = Practice::new(start_app(db.store.clone(), START).await).await;
    let (stays, moves) = (practice.client().await, practice.client().await);
    for client in [stays, moves] {
        let episode = practice.episode(client, date!(2025 - 09 - 01)).await;
        for week in 0..3 {
            let held_on = date!(2025 - 09 - 01) + time::Duration::weeks(week);
            assert_eq!(practice.phq9_session(episode, held_on, 1).await, CheckOutcome::Sent { risk: true });
        }
    }
    let app = &practice.app;
    app.refresh_practice(START).await.unwrap();
    let before = clients_counted(&app.practice().etr_source);
    assert!(before.contains("has 2 clients with three or more PHQ-9 scores"), "{before}");

    // The second client starts a new episode of care: it is their current one, on the caseload and for the model.
    let newer = practice.episode(moves, date!(2026 - 02 - 02)).await;
    let app = &practice.app;
    let current = app.current_episodes(&[stays, moves]).await.unwrap();
    assert_eq!(current.get(&moves).map(|e| e.id), Some(newer));
    let client = app.store().client(moves).await.unwrap().unwrap();
    let overviews = app.overviews(std::slice::from_ref(&client), true, START).await.unwrap();
    assert_eq!(overviews.get(&moves).and_then(|o| o.episode), Some(newer), "the caseload shows the new episode");
    assert!(overviews.get(&moves).is_some_and(|o| o.sessions.is_empty()));
    app.refresh_practice(START).await.unwrap();
    let meanwhile = clients_counted(&app.practice().etr_source);
    assert!(meanwhile.contains("has 1 clients with three or more PHQ-9 scores"), "{meanwhile}");

    // Once the new episode has three scores, the client counts again, with those.
    for week in 0..3 {
        let held_on = date!(2026 - 02 - 02) + time::Duration::weeks(week);
        practice.phq9_session(newer, held_on, 0).await;
    }
    practice.app.refresh_practice(START).await.unwrap();
    let after = clients_counted(&practice.app.practice().etr_source);
    assert!(after.contains("has 2 clients with three or more PHQ-9 scores"), "{after}");
}
