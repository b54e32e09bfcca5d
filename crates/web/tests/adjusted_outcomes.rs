//! Severity-adjusted therapist outcomes on the patterns pages (issue 20, item 5): each therapist sees their own,
//! their supervisor sees theirs, nobody sees them side by side, and a therapist with too few clients sees why
//! there is no estimate. The model itself is checked against lme4 in the core's research tests.

use alliance_core::domain::Role;

use crate::app::TestApp;

/// PHQ-9 item answers (items 1-9, each 0-3) adding up to `total`.
fn items(total: u32) -> Vec<u32> {
    (0..9u32).map(|i| (total / 9 + u32::from(i < total % 9)).min(3)).collect()
}

/// A history file: each therapist's clients with a first and a last PHQ-9, four weeks apart. Both therapists'
/// clients begin at the same severities; Ana's end `ana_drop` points lower, Ben's `ben_drop`, each +-1 by client.
fn history(ana_drop: u32, ben_drop: u32) -> String {
    let mut csv = String::from("pseudonym,therapist,started_on,session,held_on,attended,instrument,item,value\n");
    let mut row = |who: &str, therapist: &str, session: u32, day: &str, total: u32| {
        for (item, value) in items(total).iter().enumerate() {
            let item = item + 1;
            csv.push_str(&format!("{who},{therapist},2026-09-01,{session},{day},yes,phq9,{item},{value}\n"));
        }
    };
    let courses = [("ana@example.org", ana_drop, 6), ("ben@example.org", ben_drop, 6), ("cy@example.org", 5, 2)];
    for (t, (therapist, drop, clients)) in courses.into_iter().enumerate() {
        for c in 0..clients {
            let first = 14 + 2 * c;
            let wobble = [0, 1, 0, 2, 1, 0][c as usize % 6];
            let last = first - drop + wobble;
            let who = format!("T{t}C{c}");
            row(&who, therapist, 1, "2026-09-01", first);
            row(&who, therapist, 2, "2026-09-29", last);
        }
    }
    csv
}

#[tokio::test]
async fn each_therapist_and_their_supervisor_see_only_that_therapists_adjusted_outcome() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana@example.org", Role::Therapist).await;
    let ben_id = app.user("ben@example.org", Role::Therapist).await;
    app.user("cy@example.org", Role::Therapist).await;
    let sue = app.user("sue@example.org", Role::Supervisor).await;
    app.supervise(sue, ana).await;
    let me = app.sign_in("ana@example.org").await;
    let (_, page) = me.get("/patterns").await;
    assert!(page.contains("does not yet have enough clients with a first and a later PHQ-9"), "before any data");

    let now = time::OffsetDateTime::now_utc();
    let catalog = app.state.app.catalog().clone();
    let parsed = alliance_core::history::parse(history(10, 2).as_bytes(), &catalog, now.date()).unwrap();
    app.state.app.import_history(&parsed, true, now).await.unwrap().unwrap();
    app.state.app.refresh_practice(now).await.unwrap();

    // Ana's clients improved 8 points more than Ben's from the same start: her interval lies below the average.
    let (status, page) = me.get("/patterns").await;
    assert_eq!(status, 200);
    let section = page.split("id=\"adjusted-outcome-section\"").nth(1).expect("the section is on the page");
    assert!(section.contains("Your clients&#39; last PHQ-9 was -"), "{section}");
    assert!(section.contains("6 clients with a first and a later score"), "{section}");
    assert!(section.contains("The whole interval is below the practice&#39;s average"), "{section}");
    assert!(section.contains("for reflection, not ranking"));
    assert_eq!(section.matches("<circle").count(), 1, "one estimate, never beside other therapists");

    let ben = app.sign_in("ben@example.org").await;
    let (_, page) = ben.get("/patterns").await;
    let section = page.split("id=\"adjusted-outcome-section\"").nth(1).unwrap();
    assert!(section.contains("The whole interval is above the practice&#39;s average"), "{section}");
    let ben_effect = section.split("Your clients&#39; last PHQ-9 was ").nth(1).unwrap().split(' ').next().unwrap();
    assert!(!ben_effect.starts_with('-'), "Ben's clients ended higher than the average therapist's: {ben_effect}");

    // Two clients are too few for an estimate; the practice's share of variance is still given.
    let cy = app.sign_in("cy@example.org").await;
    let (_, page) = cy.get("/patterns").await;
    let section = page.split("id=\"adjusted-outcome-section\"").nth(1).unwrap();
    assert!(section.contains("Fewer than 5 of these clients"), "{section}");
    assert!(section.contains("Share of variance between therapists"));
    assert!(!section.contains("<circle"));

    // The supervisor sees Ana's, in the third person; Ben's supervisor is nobody here, so Sue cannot see his.
    let sue_me = app.sign_in("sue@example.org").await;
    let (status, page) = sue_me.get(&format!("/supervision/therapists/{}", ana.0)).await;
    assert_eq!(status, 200);
    let section = page.split("id=\"adjusted-outcome-section\"").nth(1).unwrap();
    assert!(section.contains("This therapist&#39;s clients&#39; last PHQ-9 was -"), "{section}");
    let (status, _) = sue_me.get(&format!("/supervision/therapists/{}", ben_id.0)).await;
    assert_eq!(status, 404, "not her supervisee");
}
